//! The accountability review (问责): from the case files alone, what the bureau calls a
//! principal to account for. A pure function of the facts, the day each was recorded, the
//! calendar, the ladder and "now": the same inputs always give the same findings.
//!
//! Each kind of finding is one rule, in its own module with its threshold and its label
//! (`docs/rules.md`, "The review's findings", defines each):
//!
//! * `steps.rs`: **unreported dropout** (an episode that reached a step with recipients and
//!   whose report to a recipient was never made, or made only once the child was back),
//!   **late report** (made after its deadline while the child was still away), and **late
//!   step** / **incomplete step** / **missed step** (a ladder action done after its day, done
//!   without every role the ladder requires, or never done);
//! * `late_entry.rs`: **late entry**, a fact recorded more than `late_entry_days` calendar
//!   days after the day it claims (back-filling before an inspection is how concealment
//!   looks);
//! * `transfer.rs`: **transfer without documents**, and **transfer unconfirmed** by the
//!   receiving school within `transfer_confirmation_days`;
//! * `suspension.rs`: **suspension without document**, and **suspension overdue** (past its
//!   expected return with no resumption);
//! * `no_follow_up.rs`: **no follow-up**, a reported child still away with no supervision
//!   note, contact or visit within `follow_up_days` of the report;
//! * `registry_follow_up.rs`: **unresolved registry finding**, a finding of the registry
//!   cross-check with no contact, visit, supervision note, resolution or clearance within
//!   `follow_up_days` of it;
//! * `attestation.rs`: **missing attestation** (a past school day on which a school submitted
//!   no roll call) and **roll call mismatch** (a child a roll call names absent without
//!   excuse who has no case, or whose case has no absence that day);
//! * `duplicate.rs`: **duplicate case**, the same child (student number) with two case files
//!   open at the same time;
//! * `calendar_changes.rs`: **retroactive calendar change**, a holiday or make-up day declared
//!   (or taken back) after the day had passed, with every case whose deadlines it moved.
//!
//! The case's own rules (all but the last two) make up its [`CaseContribution`]
//! (`contribution.rs`), computed once for any period; [`ReviewPass`] takes from each case's
//! what falls in the period, adds the roll calls' and the calendar's findings, and sorts.
//! A step counts in the period when its trigger day does; a fact when the day it claims does.

mod attestation;
mod calendar_changes;
mod contribution;
mod duplicate;
mod late_entry;
mod no_follow_up;
mod registry_follow_up;
mod steps;
mod suspension;
mod transfer;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use notoneless_i18n::{Message, Msg};
use serde::{Deserialize, Serialize};

use crate::assess::assess;
use crate::calendar::SchoolCalendar;
use crate::case::StudentCase;
use crate::error::{ReviewScopeError, ReviewSettingsError};
use crate::ladder::EscalationLadder;
use crate::values::Role;

pub use attestation::{SchoolAttestation, review_attestation};
pub use calendar_changes::{
    CalendarChange, MovedDeadline, deadlines_moved, review_calendar_changes,
};
pub use contribution::{
    CONTRIBUTION_RULES_VERSION, CaseContribution, EpisodeContribution, FactFinding,
    StepContribution, Tally,
};

use attestation::{RollIndex, attestation_findings};
use calendar_changes::{change_finding, moved_deadlines, retroactive_in};
use duplicate::ChildIndex;
pub use duplicate::{OpenSpan, child_key};

/// The review's thresholds; a county may set its own. Each is read by the rules named on its
/// field, where its default is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewSettings {
    /// A fact recorded more than this many days after the day it claims is a late entry
    /// (`late_entry.rs`).
    pub late_entry_days: i64,
    /// A transfer not confirmed within this many days is missing paperwork (`transfer.rs`).
    pub transfer_confirmation_days: i64,
    /// A reported child still away with no follow-up within this many days is an open finding
    /// (`no_follow_up.rs`); so is a registry finding nothing was done about
    /// (`registry_follow_up.rs`).
    pub follow_up_days: i64,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        Self {
            late_entry_days: late_entry::DEFAULT_LATE_ENTRY_DAYS,
            transfer_confirmation_days: transfer::DEFAULT_TRANSFER_CONFIRMATION_DAYS,
            follow_up_days: no_follow_up::DEFAULT_FOLLOW_UP_DAYS,
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

/// What one review is asked about: the period (both ends included), the instant it is "as
/// known at" (`None`: as of now), the schools (`None`: every school, and the county's own
/// findings), and the thresholds. Built only checked, by [`ReviewScope::new`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewScope {
    from: NaiveDate,
    until: NaiveDate,
    known_at: Option<DateTime<Utc>>,
    schools: Option<Vec<String>>,
    settings: ReviewSettings,
}

impl ReviewScope {
    /// The longest period one review covers, in days, both ends included: a school year. A
    /// review walks every school day of its period; a period of centuries took minutes and
    /// made a findings table too long for a spreadsheet.
    pub const MAX_DAYS: i64 = 366;

    /// The review of `from..=until` with these thresholds, of every school, as of now; if
    /// `until` is not before `from`, the period is at most [`Self::MAX_DAYS`] days and every
    /// threshold is in range ([`ReviewSettings::checked`]).
    pub fn new(
        from: NaiveDate,
        until: NaiveDate,
        settings: ReviewSettings,
    ) -> Result<Self, ReviewScopeError> {
        if until < from {
            return Err(ReviewScopeError::UntilBeforeFrom { from, until });
        }
        if (until - from).num_days() >= Self::MAX_DAYS {
            return Err(ReviewScopeError::TooLong {
                from,
                until,
                max: Self::MAX_DAYS,
            });
        }
        Ok(Self {
            from,
            until,
            known_at: None,
            schools: None,
            settings: settings.checked()?,
        })
    }

    /// The same review as the system knew it at `known_at` (`None`: as of now).
    #[must_use]
    pub fn as_known_at(self, known_at: Option<DateTime<Utc>>) -> Self {
        Self { known_at, ..self }
    }

    /// The same review of these schools only (`None`: every school).
    #[must_use]
    pub fn of_schools(self, schools: Option<Vec<String>>) -> Self {
        Self { schools, ..self }
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn until(&self) -> NaiveDate {
        self.until
    }

    pub fn known_at(&self) -> Option<DateTime<Utc>> {
        self.known_at
    }

    pub fn schools(&self) -> Option<&[String]> {
        self.schools.as_deref()
    }

    pub fn settings(&self) -> &ReviewSettings {
        &self.settings
    }

    /// Whether the day is in the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.until
    }

    /// Whether the review covers this school.
    pub fn covers(&self, school: &str) -> bool {
        self.schools
            .as_ref()
            .is_none_or(|s| s.iter().any(|x| x == school))
    }

    /// Whether it covers the whole county, and so the findings about the county itself (a
    /// calendar change as such), which only those who see every school are shown.
    pub fn is_county_wide(&self) -> bool {
        self.schools.is_none()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    UnreportedDropout,
    LateReport,
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
    DuplicateCase,
}

impl FindingKind {
    /// The kind's name, the catalogue's message its rule's module names (`review.ftl`,
    /// `finding-kind-*`). Every kind has one: a new kind does not compile until it is given one.
    pub fn label(self) -> Msg {
        match self {
            FindingKind::UnreportedDropout => steps::UNREPORTED_DROPOUT,
            FindingKind::LateReport => steps::LATE_REPORT,
            FindingKind::LateStep => steps::LATE_STEP,
            FindingKind::IncompleteStep => steps::INCOMPLETE_STEP,
            FindingKind::MissedStep => steps::MISSED_STEP,
            FindingKind::LateEntry => late_entry::LATE_ENTRY,
            FindingKind::TransferWithoutDocuments => transfer::TRANSFER_WITHOUT_DOCUMENTS,
            FindingKind::TransferUnconfirmed => transfer::TRANSFER_UNCONFIRMED,
            FindingKind::SuspensionWithoutDocument => suspension::SUSPENSION_WITHOUT_DOCUMENT,
            FindingKind::SuspensionOverdue => suspension::SUSPENSION_OVERDUE,
            FindingKind::NoFollowUp => no_follow_up::NO_FOLLOW_UP,
            FindingKind::UnresolvedRegistryFinding => {
                registry_follow_up::UNRESOLVED_REGISTRY_FINDING
            }
            FindingKind::RetroactiveCalendarChange => calendar_changes::RETROACTIVE_CALENDAR_CHANGE,
            FindingKind::MissingAttestation => attestation::MISSING_ATTESTATION,
            FindingKind::RollCallMismatch => attestation::ROLL_CALL_MISMATCH,
            FindingKind::DuplicateCase => duplicate::DUPLICATE_CASE,
        }
    }
}

/// One finding, with its evidence: the facts of one case (or the roll calls of a school, or
/// the organisation's calendar change).
///
/// `detail` and `facts` are catalogue messages, rendered in the reader's language where they
/// are shown (the API's answer, the exports, the command line); `evidence` keeps the facts'
/// sequence numbers in their stream for programs, `facts` names the same facts, in the same
/// order, by their days and kinds ("2023年10月8日 联系家长").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub kind: FindingKind,
    pub case_id: String,
    pub school: String,
    /// The day the finding concerns (the step's trigger day, the fact's day …).
    pub day: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = notoneless_i18n::MessageJson))]
    pub detail: Message,
    pub evidence: Vec<u64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<notoneless_i18n::MessageJson>))]
    pub facts: Vec<Message>,
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
    /// Reports made after their deadline while the child was still away (迟报).
    #[serde(default)]
    pub late_reports: u64,
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

/// Reviews the cases over the scope's period, as of `now` (the cases' own findings; see
/// [`ReviewPass`] for the whole county, calendar changes and roll calls included).
pub fn review(
    records: &[CaseRecord],
    calendar: &SchoolCalendar,
    ladder: &EscalationLadder,
    scope: &ReviewScope,
    now: DateTime<Utc>,
) -> Review {
    let mut pass = ReviewPass::new(scope, calendar, ladder, &[], now);
    for record in records {
        pass.add(record);
    }
    pass.finish(&[])
}

/// The whole review, fed one case at a time: what it keeps grows with the findings and the
/// schools, not with the county's cases, so a county of any size is reviewed in a bounded
/// amount of memory. [`ReviewPass::finish`] adds the roll-call findings and sorts.
#[derive(Debug)]
pub struct ReviewPass<'a> {
    scope: &'a ReviewScope,
    calendar: &'a SchoolCalendar,
    ladder: &'a EscalationLadder,
    now: DateTime<Utc>,
    /// The calendar changes made after the day they change, with that day in the period, and
    /// how many cases' deadlines each moved.
    changes: Vec<(&'a CalendarChange, usize)>,
    findings: Vec<Finding>,
    /// Per case and change: (the change's index, the finding).
    moved: Vec<(usize, Finding)>,
    schools: BTreeMap<String, SchoolSummary>,
    roll_index: RollIndex,
    children: ChildIndex,
}

impl<'a> ReviewPass<'a> {
    /// The review of the scope's period as of `now`, checking every case added against the
    /// calendar `changes` too. (The scope's schools are the caller's to keep to: the pass
    /// reviews every case it is given.)
    pub fn new(
        scope: &'a ReviewScope,
        calendar: &'a SchoolCalendar,
        ladder: &'a EscalationLadder,
        changes: &'a [CalendarChange],
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            scope,
            calendar,
            ladder,
            now,
            changes: changes
                .iter()
                .filter(|c| retroactive_in(c, scope.from, scope.until))
                .map(|c| (c, 0))
                .collect(),
            findings: Vec::new(),
            moved: Vec::new(),
            schools: BTreeMap::new(),
            roll_index: RollIndex::default(),
            children: ChildIndex::default(),
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
        if let Some(contribution) = CaseContribution::of(record, &assessment, &self.scope.settings)
        {
            self.add_contribution(&record.case_id, &contribution);
        }
    }

    /// The review: the cases' findings, the calendar changes' (each change's own finding, for
    /// the whole county, only if the scope is county-wide), and the roll calls' of the given
    /// schools, sorted by school, case, day and kind.
    pub fn finish(mut self, attestations: &[SchoolAttestation]) -> Review {
        self.moved.sort_by_key(|(index, _)| *index);
        let mut moved = self.moved.into_iter().peekable();
        for (index, (change, count)) in self.changes.iter().enumerate() {
            while let Some((_, finding)) = moved.next_if(|(i, _)| *i == index) {
                self.findings.push(finding);
            }
            if self.scope.is_county_wide() {
                self.findings.push(change_finding(change, *count));
            }
        }
        self.findings.extend(self.children.findings(self.scope));
        self.findings.extend(attestation_findings(
            attestations,
            &self.roll_index,
            self.calendar,
            self.scope.from,
            self.scope.until,
            self.now,
        ));
        self.findings.sort_by(|a, b| {
            (&a.school, &a.case_id, a.day, a.kind).cmp(&(&b.school, &b.case_id, b.day, b.kind))
        });
        Review {
            from: self.scope.from,
            until: self.scope.until,
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
        let scope = self.scope;
        self.roll_index.add(case_id, contribution);
        self.children.add(case_id, contribution);
        let summary = self
            .schools
            .entry(contribution.school.clone())
            .or_insert_with(|| SchoolSummary {
                school: contribution.school.clone(),
                ..SchoolSummary::default()
            });
        summary.cases += 1;
        for episode in &contribution.episodes {
            if !episode.days.iter().any(|d| scope.contains(*d)) {
                continue;
            }
            summary.episodes += 1;
            for step in episode
                .steps
                .iter()
                .filter(|s| scope.contains(s.trigger_day))
            {
                match step.tally {
                    Tally::OnTime => summary.steps_on_time += 1,
                    Tally::Late => summary.steps_late += 1,
                    Tally::Missing => summary.steps_missing += 1,
                    Tally::LateReport => {
                        summary.late_reports += 1;
                        summary.steps_late += 1;
                    }
                    Tally::ReportAfterReturn => {
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
                .filter(|f| scope.contains(f.on))
                .map(|f| f.finding.clone()),
        );
    }

    /// Whether [`ReviewPass::add_contribution`] gives this pass everything: it does unless
    /// a retroactive calendar change in the period is to be checked against every case.
    pub fn takes_contributions(&self) -> bool {
        self.changes.is_empty()
    }
}
