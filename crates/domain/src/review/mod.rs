//! The accountability review (问责): from the case files alone, what the bureau calls a
//! principal to account for. A pure function of the facts, the day each was recorded, the
//! calendar, the ladder and "now": the same inputs always give the same findings.
//!
//! What it finds, for the period asked about:
//!
//! * **unreported dropout**: an episode that reached a step with recipients and whose report
//!   to a recipient was made after the deadline, or not at all;
//! * **late step** / **incomplete step** / **missed step**: a ladder action done after its
//!   day, done without every role the ladder requires, or never done;
//! * **late entry**: a fact recorded more than `late_entry_days` calendar days after the day it
//!   claims (back-filling before an inspection is how concealment looks);
//! * **missing paperwork**: a transfer without documents, or unconfirmed by the receiving
//!   school within `transfer_confirmation_days`; a suspension without its document, or past its
//!   expected return with no resumption;
//! * **no follow-up**: a reported child still away with no supervision note, contact or visit
//!   within `follow_up_days` of the report;
//! * **unresolved registry finding**: a finding of the registry cross-check with no contact,
//!   visit, supervision note, resolution or clearance within `follow_up_days` of it;
//! * **missing attestation** and **roll call mismatch** ([`review_attestation`]): a past school
//!   day on which a school submitted no roll call; a child a roll call names absent without
//!   excuse who has no case, or whose case has no absence that day;
//! * **retroactive calendar change** ([`review_calendar_changes`]): a holiday or make-up day
//!   declared (or taken back) after the day had passed, with every case whose deadlines it
//!   moved.
//!
//! A step counts in the period when its trigger day does; a fact when the day it claims does.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::assess::{Assessment, ObligationKind, ObligationStatus, assess};
use crate::calendar::SchoolCalendar;
use crate::case::{CaseStatus, StudentCase};
use crate::error::ReviewSettingsError;
use crate::event::CaseEvent;
use crate::ladder::EscalationLadder;
use crate::roll_call::RollCall;
use crate::values::Role;

/// The review's thresholds; a county may set its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewSettings {
    /// A fact recorded more than this many days after the day it claims is a late entry.
    pub late_entry_days: i64,
    /// A transfer not confirmed within this many days is missing paperwork.
    pub transfer_confirmation_days: i64,
    /// A reported child still away with no follow-up within this many days is an open finding.
    pub follow_up_days: i64,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        Self {
            late_entry_days: 2,
            transfer_confirmation_days: 14,
            follow_up_days: 7,
        }
    }
}

impl ReviewSettings {
    /// The longest a threshold may be: a year. More is a typo, not a policy.
    pub const MAX_DAYS: i64 = 365;

    /// The settings, if every threshold is from 0 to [`Self::MAX_DAYS`] days.
    pub fn checked(self) -> Result<Self, ReviewSettingsError> {
        for (field, value) in [
            ("late_entry_days", self.late_entry_days),
            (
                "transfer_confirmation_days",
                self.transfer_confirmation_days,
            ),
            ("follow_up_days", self.follow_up_days),
        ] {
            if !(0..=Self::MAX_DAYS).contains(&value) {
                return Err(ReviewSettingsError::OutOfRange {
                    field,
                    value,
                    max: Self::MAX_DAYS,
                });
            }
        }
        Ok(self)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    UnreportedDropout,
    LateStep,
    IncompleteStep,
    MissedStep,
    LateEntry,
    TransferWithoutDocuments,
    TransferUnconfirmed,
    SuspensionWithoutDocument,
    SuspensionOverdue,
    NoFollowUp,
    UnresolvedRegistryFinding,
    RetroactiveCalendarChange,
    MissingAttestation,
    RollCallMismatch,
}

/// One finding, with its evidence: the events, by sequence, of one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub kind: FindingKind,
    pub case_id: String,
    pub school: String,
    /// The day the finding concerns (the step's trigger day, the fact's day …).
    pub day: NaiveDate,
    pub detail: String,
    pub evidence: Vec<u64>,
    /// Who answers for it: the roles that owed the step; the principal always answers too
    /// (一把手负责制).
    pub responsible: Vec<Role>,
}

/// One case as the review needs it: its facts and the local day each was recorded on.
#[derive(Clone, Debug)]
pub struct CaseRecord {
    pub case_id: String,
    pub case: StudentCase,
    /// `recorded_on[n - 1]` is the local day event `n` was recorded.
    pub recorded_on: Vec<NaiveDate>,
}

/// Counts for one school over the period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchoolSummary {
    pub school: String,
    pub cases: u64,
    pub episodes: u64,
    pub steps_on_time: u64,
    pub steps_late: u64,
    pub steps_missing: u64,
    pub unreported_dropouts: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub as_of: DateTime<Utc>,
    pub findings: Vec<Finding>,
    pub schools: Vec<SchoolSummary>,
}

fn with_principal(mut roles: Vec<Role>) -> Vec<Role> {
    if !roles.contains(&Role::Principal) {
        roles.push(Role::Principal);
    }
    roles
}

/// Reviews the cases over `from..=until`, as of `now` (the cases' own findings; see
/// [`ReviewPass`] for the whole county, calendar changes and roll calls included).
pub fn review(
    records: &[CaseRecord],
    calendar: &SchoolCalendar,
    ladder: &EscalationLadder,
    settings: &ReviewSettings,
    from: NaiveDate,
    until: NaiveDate,
    now: DateTime<Utc>,
) -> Review {
    let mut pass = ReviewPass::new(calendar, ladder, settings, &[], from, until, now);
    for record in records {
        pass.add(record);
    }
    pass.finish(&[], false)
}

/// Who a roll call's absent child is: of the cases with the child's student number, the one
/// whose case id comes first (byte order, whatever order the cases come in), and the days that
/// case records the child absent.
#[derive(Debug, Default)]
struct RollIndex(HashMap<String, (String, BTreeSet<NaiveDate>)>);

impl RollIndex {
    fn insert(&mut self, case_id: &str, student_number: &str, absences: &[NaiveDate]) {
        let entry = || (case_id.to_string(), absences.iter().copied().collect());
        match self.0.get_mut(student_number) {
            None => {
                self.0.insert(student_number.to_string(), entry());
            }
            Some(known) if case_id < known.0.as_str() => *known = entry(),
            Some(_) => {}
        }
    }

    fn add(&mut self, case_id: &str, contribution: &CaseContribution) {
        self.insert(
            case_id,
            &contribution.student_number,
            &contribution.absences,
        );
    }

    fn add_record(&mut self, record: &CaseRecord) {
        if let Some(profile) = record.case.profile() {
            let absences: Vec<NaiveDate> = record.case.absences().map(|(_, d)| d).collect();
            self.insert(&record.case_id, &profile.student_number, &absences);
        }
    }
}

/// The whole review, fed one case at a time: what it keeps grows with the findings and the
/// schools, not with the county's cases, so a county of any size is reviewed in a bounded
/// amount of memory. [`ReviewPass::finish`] adds the roll-call findings and sorts.
#[derive(Debug)]
pub struct ReviewPass<'a> {
    calendar: &'a SchoolCalendar,
    ladder: &'a EscalationLadder,
    settings: ReviewSettings,
    from: NaiveDate,
    until: NaiveDate,
    now: DateTime<Utc>,
    /// The calendar changes made after the day they change, with that day in the period, and
    /// how many cases' deadlines each moved.
    changes: Vec<(&'a CalendarChange, usize)>,
    findings: Vec<Finding>,
    /// Per case and change: (the change's index, the finding).
    moved: Vec<(usize, Finding)>,
    schools: BTreeMap<String, SchoolSummary>,
    roll_index: RollIndex,
}

impl<'a> ReviewPass<'a> {
    /// A review of `from..=until` as of `now`, checking every case added against the
    /// calendar `changes` too.
    pub fn new(
        calendar: &'a SchoolCalendar,
        ladder: &'a EscalationLadder,
        settings: &ReviewSettings,
        changes: &'a [CalendarChange],
        from: NaiveDate,
        until: NaiveDate,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            calendar,
            ladder,
            settings: *settings,
            from,
            until,
            now,
            changes: changes
                .iter()
                .filter(|c| retroactive_in(c, from, until))
                .map(|c| (c, 0))
                .collect(),
            findings: Vec::new(),
            moved: Vec::new(),
            schools: BTreeMap::new(),
            roll_index: RollIndex::default(),
        }
    }

    /// Reviews one case. Each case is added once, in any order.
    pub fn add(&mut self, record: &CaseRecord) {
        for (index, (change, moved)) in self.changes.iter_mut().enumerate() {
            if let Some(finding) = moved_deadlines(record, change, self.ladder, self.now) {
                *moved += 1;
                self.moved.push((index, finding));
            }
        }
        let assessment = assess(&record.case, self.calendar, self.ladder, self.now);
        if let Some(contribution) = CaseContribution::of(record, &assessment, &self.settings) {
            self.add_contribution(&record.case_id, &contribution);
        }
    }

    /// The review: the cases' findings, the calendar changes' (each change's own finding, for
    /// the whole county, only if `county_wide`), and the roll calls' of the given schools,
    /// sorted by school, case, day and kind.
    pub fn finish(mut self, attestations: &[SchoolAttestation], county_wide: bool) -> Review {
        self.moved.sort_by_key(|(index, _)| *index);
        let mut moved = self.moved.into_iter().peekable();
        for (index, (change, count)) in self.changes.iter().enumerate() {
            while let Some((_, finding)) = moved.next_if(|(i, _)| *i == index) {
                self.findings.push(finding);
            }
            if county_wide {
                self.findings.push(change_finding(change, *count));
            }
        }
        self.findings.extend(attestation_findings(
            attestations,
            &self.roll_index,
            self.calendar,
            self.from,
            self.until,
            self.now,
        ));
        self.findings.sort_by(|a, b| {
            (&a.school, &a.case_id, a.day, a.kind).cmp(&(&b.school, &b.case_id, b.day, b.kind))
        });
        Review {
            from: self.from,
            until: self.until,
            as_of: self.now,
            findings: self.findings,
            schools: self.schools.into_values().collect(),
        }
    }

    /// Adds one case's contribution: what of it falls in the period. [`ReviewPass::add`] is
    /// this with the contribution computed from the case; a review of "now" may take the
    /// contributions the read model keeps instead, which is the same thing computed earlier.
    /// (Not for a pass with calendar changes to check: those need the case itself.)
    pub fn add_contribution(&mut self, case_id: &str, contribution: &CaseContribution) {
        let (from, until) = (self.from, self.until);
        let in_period = |day: NaiveDate| from <= day && day <= until;
        self.roll_index.add(case_id, contribution);
        let summary = self
            .schools
            .entry(contribution.school.clone())
            .or_insert_with(|| SchoolSummary {
                school: contribution.school.clone(),
                ..SchoolSummary::default()
            });
        summary.cases += 1;
        for episode in &contribution.episodes {
            if !episode.days.iter().any(|d| in_period(*d)) {
                continue;
            }
            summary.episodes += 1;
            for step in episode.steps.iter().filter(|s| in_period(s.trigger_day)) {
                match step.tally {
                    Tally::OnTime => summary.steps_on_time += 1,
                    Tally::Late => summary.steps_late += 1,
                    Tally::Missing => summary.steps_missing += 1,
                    Tally::LateReport => {
                        summary.unreported_dropouts += 1;
                        summary.steps_late += 1;
                    }
                    Tally::MissingReport => {
                        summary.unreported_dropouts += 1;
                        summary.steps_missing += 1;
                    }
                }
                self.findings.extend(step.finding.iter().cloned());
            }
        }
        self.findings.extend(
            contribution
                .facts
                .iter()
                .filter(|f| in_period(f.on))
                .map(|f| f.finding.clone()),
        );
    }

    /// Whether [`ReviewPass::add_contribution`] gives this pass everything: it does unless
    /// a retroactive calendar change in the period is to be checked against every case.
    pub fn takes_contributions(&self) -> bool {
        self.changes.is_empty()
    }
}

/// What one case brings to a review with given thresholds, as of an instant, whatever the
/// period: every episode with its days and its steps' outcomes, and every finding about a
/// single fact with the fact's day. [`ReviewPass::add_contribution`] takes from it what falls
/// in the period. The case-status read model keeps one per case (with the default
/// thresholds), so that a review of "now" need not read the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseContribution {
    #[serde(rename = "s")]
    pub school: String,
    #[serde(rename = "n")]
    pub student_number: String,
    /// The live unexcused absences: the days a roll call may name the child absent.
    #[serde(rename = "a", with = "day_numbers")]
    pub absences: Vec<NaiveDate>,
    #[serde(rename = "e", default, skip_serializing_if = "Vec::is_empty")]
    pub episodes: Vec<EpisodeContribution>,
    #[serde(rename = "f", default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<FactFinding>,
    /// The last local day on which it holds as long as the case gets no new event (`None`:
    /// time alone never changes it). From the next day on it is to be computed again.
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    pub valid_through: Option<NaiveDate>,
}

/// One episode: its days (it counts in a period that holds one of them) and its steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeContribution {
    #[serde(rename = "d", with = "day_numbers")]
    pub days: Vec<NaiveDate>,
    /// The steps no longer open (an open step counts nowhere yet).
    #[serde(rename = "o", default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepContribution>,
}

/// One step of an episode: it counts in a period that holds its trigger day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepContribution {
    #[serde(rename = "t", with = "day_number")]
    pub trigger_day: NaiveDate,
    #[serde(rename = "k")]
    pub tally: Tally,
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<Finding>,
}

/// Which of a school's counts a step adds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tally {
    #[serde(rename = "t")]
    OnTime,
    #[serde(rename = "l")]
    Late,
    #[serde(rename = "m")]
    Missing,
    /// A report made late: late, and an unreported dropout.
    #[serde(rename = "lr")]
    LateReport,
    /// A report never made: missing, and an unreported dropout.
    #[serde(rename = "mr")]
    MissingReport,
}

/// A finding about one fact: it counts in a period that holds the fact's day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactFinding {
    #[serde(rename = "d", with = "day_number")]
    pub on: NaiveDate,
    #[serde(rename = "f")]
    pub finding: Finding,
}

/// A day as its number from the Common Era (`2026-09-01` is 739,860): half the size of the
/// date's text in the read model's JSON, and as exact.
mod day_number {
    use chrono::{Datelike, NaiveDate};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(day.num_days_from_ce())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let n = i32::deserialize(d)?;
        NaiveDate::from_num_days_from_ce_opt(n)
            .ok_or_else(|| D::Error::custom(format!("day number {n} is out of range")))
    }
}

/// Many days, as [`day_number`] writes one.
mod day_numbers {
    use chrono::{Datelike, NaiveDate};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(days: &[NaiveDate], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(days.iter().map(|d| d.num_days_from_ce()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
        Vec::<i32>::deserialize(d)?
            .into_iter()
            .map(|n| {
                NaiveDate::from_num_days_from_ce_opt(n)
                    .ok_or_else(|| D::Error::custom(format!("day number {n} is out of range")))
            })
            .collect()
    }
}

impl CaseContribution {
    /// The contribution of a case, from its record and its assessment as of the instant the
    /// review is as of, with the given thresholds. `None` for a stream that opens no case.
    pub fn of(
        record: &CaseRecord,
        assessment: &Assessment,
        settings: &ReviewSettings,
    ) -> Option<Self> {
        let profile = record.case.profile()?;
        let today = assessment.today;
        let school = profile.school.clone();
        let finding =
            |kind, day, detail: String, evidence: Vec<u64>, responsible: Vec<Role>| Finding {
                kind,
                case_id: record.case_id.clone(),
                school: school.clone(),
                day,
                detail,
                evidence,
                responsible: with_principal(responsible),
            };
        let mut episodes = Vec::with_capacity(assessment.episodes.len());
        for episode in &assessment.episodes {
            let mut steps = Vec::new();
            for o in &episode.obligations {
                // Only a finding carries evidence (most steps are done on time).
                let evidence = || {
                    let mut evidence: Vec<u64> = episode
                        .days
                        .iter()
                        .zip(&episode.sequences)
                        .filter(|(d, _)| **d <= o.trigger_day)
                        .map(|(_, s)| *s)
                        .collect();
                    if let Some(f) = &o.fulfilment {
                        evidence.push(f.sequence);
                    }
                    evidence
                };
                let step = |tally, finding| StepContribution {
                    trigger_day: o.trigger_day,
                    tally,
                    finding,
                };
                match (o.kind, o.status) {
                    (_, ObligationStatus::Open) => {}
                    (_, ObligationStatus::DoneOnTime) => steps.push(step(Tally::OnTime, None)),
                    (ObligationKind::Report { recipient }, _) => {
                        let detail = match &o.fulfilment {
                            Some(f) => format!(
                                "day {}: report to the {recipient} made {} day(s) late",
                                o.day, f.days_late
                            ),
                            None => format!("day {}: no report to the {recipient}", o.day),
                        };
                        let tally = if o.fulfilment.is_some() {
                            Tally::LateReport
                        } else {
                            Tally::MissingReport
                        };
                        let found = finding(
                            FindingKind::UnreportedDropout,
                            o.trigger_day,
                            detail,
                            evidence(),
                            o.owners.clone(),
                        );
                        steps.push(step(tally, Some(found)));
                    }
                    (ObligationKind::Action { action }, ObligationStatus::DoneLate) => {
                        let late = o.fulfilment.as_ref().map_or(0, |f| f.days_late);
                        let found = finding(
                            FindingKind::LateStep,
                            o.trigger_day,
                            format!("day {}: {action:?} done {late} day(s) late", o.day),
                            evidence(),
                            o.owners.clone(),
                        );
                        steps.push(step(Tally::Late, Some(found)));
                    }
                    (
                        ObligationKind::Action { action },
                        ObligationStatus::DoneWithoutRequiredRoles,
                    ) => {
                        let missing: Vec<&str> = o
                            .fulfilment
                            .as_ref()
                            .map(|f| f.missing_roles.iter().map(|r| r.as_str()).collect())
                            .unwrap_or_default();
                        let found = finding(
                            FindingKind::IncompleteStep,
                            o.trigger_day,
                            format!("day {}: {action:?} without {}", o.day, missing.join(", ")),
                            evidence(),
                            o.owners.clone(),
                        );
                        steps.push(step(Tally::Late, Some(found)));
                    }
                    (ObligationKind::Action { action }, _) => {
                        let found = finding(
                            FindingKind::MissedStep,
                            o.trigger_day,
                            format!("day {}: {action:?} never done", o.day),
                            evidence(),
                            o.owners.clone(),
                        );
                        steps.push(step(Tally::Missing, Some(found)));
                    }
                }
            }
            episodes.push(EpisodeContribution {
                days: episode.days.clone(),
                steps,
            });
        }
        // The first days from which time alone may change what is found: while a step is
        // open or an episode runs, tomorrow; a fact dated after today, its day; and the day
        // after each threshold below runs out.
        let mut changes_on: Vec<Option<NaiveDate>> = Vec::new();
        let open_step = assessment
            .obligations()
            .any(|o| o.status == ObligationStatus::Open);
        if open_step || assessment.current_episode.is_some() {
            changes_on.push(today.succ_opt());
        }
        let after = |day: NaiveDate, days: i64| {
            u64::try_from(days.saturating_add(1))
                .ok()
                .and_then(|d| day.checked_add_days(chrono::Days::new(d)))
        };
        let mut facts = Vec::new();
        for (sequence, event) in record.case.live() {
            let on = event.on();
            changes_on.push(Some(on));
            match event {
                CaseEvent::TransferredOut(_) => {
                    changes_on.push(after(on, settings.transfer_confirmation_days));
                }
                CaseEvent::Suspended(s) => changes_on.push(after(s.expected_return, 0)),
                CaseEvent::ReportSubmitted(_) | CaseEvent::RegistryFindingRecorded(_) => {
                    changes_on.push(after(on, settings.follow_up_days));
                }
                _ => {}
            }
            let mut fact = |kind, day, detail: String, responsible: Vec<Role>| {
                facts.push(FactFinding {
                    on,
                    finding: finding(kind, day, detail, vec![sequence], responsible),
                });
            };
            let recorded = usize::try_from(sequence - 1)
                .ok()
                .and_then(|i| record.recorded_on.get(i));
            if let Some(&recorded) = recorded {
                let delay = (recorded - on).num_days();
                if delay > settings.late_entry_days {
                    fact(
                        FindingKind::LateEntry,
                        on,
                        format!(
                            "{} of {on} recorded on {recorded}, {delay} days later",
                            event.name()
                        ),
                        vec![],
                    );
                }
            }
            match event {
                CaseEvent::TransferredOut(t) => {
                    if t.documents.is_empty() {
                        fact(
                            FindingKind::TransferWithoutDocuments,
                            on,
                            format!("transfer to {} with no document", t.destination_school),
                            vec![],
                        );
                    }
                    let confirmed = record.case.live().any(|(_, e)| matches!(e, CaseEvent::TransferConfirmed(c) if c.on <= on + chrono::TimeDelta::days(settings.transfer_confirmation_days)));
                    if !confirmed && (today - on).num_days() > settings.transfer_confirmation_days {
                        fact(
                            FindingKind::TransferUnconfirmed,
                            on,
                            format!(
                                "transfer to {} not confirmed within {} days: suspected dropout",
                                t.destination_school, settings.transfer_confirmation_days
                            ),
                            vec![],
                        );
                    }
                }
                CaseEvent::Suspended(s) => {
                    if s.document.is_none() {
                        fact(
                            FindingKind::SuspensionWithoutDocument,
                            on,
                            "suspension with no approving document".into(),
                            vec![],
                        );
                    }
                    let still = matches!(record.case.status_on(today), CaseStatus::Suspended { since, .. } if since == s.on);
                    if still && s.expected_return < today {
                        fact(
                            FindingKind::SuspensionOverdue,
                            s.expected_return,
                            format!(
                                "expected back on {}, no resumption recorded",
                                s.expected_return
                            ),
                            vec![],
                        );
                    }
                }
                CaseEvent::ReportSubmitted(r) => {
                    let deadline = on + chrono::TimeDelta::days(settings.follow_up_days);
                    let away = assessment.current().is_some_and(|e| e.first_day <= on);
                    let followed = record.case.live().any(|(_, e)| {
                        matches!(
                            e,
                            CaseEvent::SupervisionNoted(_)
                                | CaseEvent::ParentContacted(_)
                                | CaseEvent::HomeVisitConducted(_)
                        ) && e.on() > on
                            && e.on() <= deadline
                    });
                    if away && !followed && today > deadline {
                        fact(
                            FindingKind::NoFollowUp,
                            on,
                            format!(
                                "reported to the {} on {on}; no follow-up within {} days and the child is still away",
                                r.recipient, settings.follow_up_days
                            ),
                            vec![Role::HeadTeacher],
                        );
                    }
                }
                CaseEvent::RegistryFindingRecorded(f) => {
                    let deadline = on + chrono::TimeDelta::days(settings.follow_up_days);
                    let mut still_open = true;
                    let mut followed = false;
                    for (_, e) in record.case.live().filter(|(s, _)| *s > sequence) {
                        let ends = matches!(e, CaseEvent::RegistryFindingResolved(r) if r.kind == f.kind)
                            || matches!(e, CaseEvent::RegistryFindingCleared(c) if c.kind == f.kind);
                        if ends {
                            still_open = false;
                        }
                        let acts = ends
                            || matches!(
                                e,
                                CaseEvent::SupervisionNoted(_)
                                    | CaseEvent::ParentContacted(_)
                                    | CaseEvent::HomeVisitConducted(_)
                            );
                        if acts && e.on() <= deadline {
                            followed = true;
                        }
                    }
                    if !followed && today > deadline {
                        fact(
                            FindingKind::UnresolvedRegistryFinding,
                            on,
                            format!(
                                "registry finding ({}) of {on}: nothing done within {} days{}",
                                f.kind,
                                settings.follow_up_days,
                                if still_open { "; still open" } else { "" }
                            ),
                            vec![Role::ResponsibleLeader],
                        );
                    }
                }
                _ => {}
            }
        }
        let valid_through = changes_on
            .into_iter()
            .map(|day| day.unwrap_or(NaiveDate::MAX))
            .filter(|day| *day > today)
            .min()
            .map(|day| day.pred_opt().unwrap_or(today));
        Some(Self {
            school: school.clone(),
            student_number: profile.student_number.clone(),
            absences: record.case.absences().map(|(_, d)| d).collect(),
            episodes,
            facts,
            valid_through,
        })
    }
}

/// A change to the calendar, as the organisation's log records it.
#[derive(Clone, Debug)]
pub struct CalendarChange {
    /// The day declared a holiday or a make-up day, or taken back.
    pub day: NaiveDate,
    /// What happened, in words ("holiday 'snow day' declared").
    pub what: String,
    /// The local day the change was recorded, and by whom.
    pub declared_on: NaiveDate,
    pub declared_by: Option<String>,
    /// The change's sequence in the organisation's stream.
    pub sequence: u64,
    /// The calendar just before the change.
    pub before: SchoolCalendar,
    /// The calendar just after it.
    pub after: SchoolCalendar,
}

fn deadlines(
    case: &StudentCase,
    calendar: &SchoolCalendar,
    ladder: &EscalationLadder,
    now: DateTime<Utc>,
) -> Vec<(u32, String, NaiveDate)> {
    assess(case, calendar, ladder, now)
        .obligations()
        .map(|o| {
            let what = match o.kind {
                ObligationKind::Action { action } => format!("{action:?}"),
                ObligationKind::Report { recipient } => format!("report to the {recipient}"),
            };
            (o.day, what, o.trigger_day)
        })
        .collect()
}

fn retroactive_in(change: &CalendarChange, from: NaiveDate, until: NaiveDate) -> bool {
    change.declared_on > change.day && from <= change.day && change.day <= until
}

/// The finding for one case whose deadlines a retroactive calendar change moved, if it did.
fn moved_deadlines(
    record: &CaseRecord,
    change: &CalendarChange,
    ladder: &EscalationLadder,
    now: DateTime<Utc>,
) -> Option<Finding> {
    let profile = record.case.profile()?;
    let before = deadlines(&record.case, &change.before, ladder, now);
    let after = deadlines(&record.case, &change.after, ladder, now);
    if before == after {
        return None;
    }
    let gone: Vec<String> = before
        .iter()
        .filter(|d| !after.contains(d))
        .map(|(day, what, trigger)| format!("day {day} {what} due {trigger}"))
        .collect();
    let new: Vec<String> = after
        .iter()
        .filter(|d| !before.contains(d))
        .map(|(day, what, trigger)| format!("day {day} {what} due {trigger}"))
        .collect();
    Some(Finding {
        kind: FindingKind::RetroactiveCalendarChange,
        case_id: record.case_id.clone(),
        school: profile.school.clone(),
        day: change.day,
        detail: format!(
            "{} for {} on {} by {} moved deadlines: before [{}], after [{}]",
            change.what,
            change.day,
            change.declared_on,
            change.declared_by.as_deref().unwrap_or("unknown"),
            gone.join("; "),
            new.join("; ")
        ),
        evidence: vec![],
        responsible: vec![Role::BureauOfficer],
    })
}

/// The finding for a retroactive calendar change itself (case `organisation`).
fn change_finding(change: &CalendarChange, moved_cases: usize) -> Finding {
    Finding {
        kind: FindingKind::RetroactiveCalendarChange,
        case_id: "organisation".into(),
        school: String::new(),
        day: change.day,
        detail: format!(
            "{} for {} on {} by {}, after the day had passed; it moved deadlines in {moved_cases} case(s)",
            change.what,
            change.day,
            change.declared_on,
            change.declared_by.as_deref().unwrap_or("unknown")
        ),
        evidence: vec![change.sequence],
        responsible: vec![Role::BureauOfficer],
    }
}

/// Findings for calendar changes made after the day they change, in the period: one per case
/// whose deadlines the change moved, and one for the change itself (case `organisation`).
pub fn review_calendar_changes(
    records: &[CaseRecord],
    changes: &[CalendarChange],
    ladder: &EscalationLadder,
    from: NaiveDate,
    until: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for change in changes.iter().filter(|c| retroactive_in(c, from, until)) {
        let before = findings.len();
        findings.extend(
            records
                .iter()
                .filter_map(|r| moved_deadlines(r, change, ladder, now)),
        );
        let moved_cases = findings.len() - before;
        findings.push(change_finding(change, moved_cases));
    }
    findings
}

/// One school's roll calls, with their sequence in the school's stream.
#[derive(Clone, Debug)]
pub struct SchoolAttestation {
    pub school: String,
    pub roll_calls: Vec<(u64, RollCall)>,
}

/// Findings from the daily roll calls over the period (past school days only: today's roll
/// may not be taken yet).
pub fn review_attestation(
    schools: &[SchoolAttestation],
    records: &[CaseRecord],
    calendar: &SchoolCalendar,
    from: NaiveDate,
    until: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut index = RollIndex::default();
    for record in records {
        index.add_record(record);
    }
    attestation_findings(schools, &index, calendar, from, until, now)
}

fn attestation_findings(
    schools: &[SchoolAttestation],
    index: &RollIndex,
    calendar: &SchoolCalendar,
    from: NaiveDate,
    until: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let today = calendar.local_date(now);
    let last = until.min(today.pred_opt().unwrap_or(today));
    let mut findings = Vec::new();
    for school in schools {
        let finding = |kind, case_id: String, day, detail: String, evidence: Vec<u64>| Finding {
            kind,
            case_id,
            school: school.school.clone(),
            day,
            detail,
            evidence,
            responsible: vec![Role::HeadTeacher, Role::Principal],
        };
        if from <= last {
            let attested: BTreeSet<NaiveDate> =
                school.roll_calls.iter().map(|(_, r)| r.on).collect();
            for day in calendar.school_days(from, last) {
                if !attested.contains(&day) {
                    findings.push(finding(
                        FindingKind::MissingAttestation,
                        "school".into(),
                        day,
                        format!("no roll call submitted for {day}"),
                        vec![],
                    ));
                }
            }
        }
        for (sequence, roll_call) in school
            .roll_calls
            .iter()
            .filter(|(_, r)| from <= r.on && r.on <= until)
        {
            for child in roll_call.absent.iter().filter(|c| !c.excused) {
                match index.0.get(&child.student_number) {
                    None => findings.push(finding(
                        FindingKind::RollCallMismatch,
                        String::new(),
                        roll_call.on,
                        format!(
                            "{} ({}) named absent in class {} on {}, but has no case",
                            child.name, child.student_number, roll_call.class, roll_call.on
                        ),
                        vec![*sequence],
                    )),
                    Some((case_id, absences)) => {
                        if !absences.contains(&roll_call.on) {
                            findings.push(finding(
                                FindingKind::RollCallMismatch,
                                case_id.clone(),
                                roll_call.on,
                                format!("named absent in class {} on {}, but the case has no absence that day", roll_call.class, roll_call.on),
                                vec![*sequence],
                            ));
                        }
                    }
                }
            }
        }
    }
    findings
}
