//! What one case brings to any review: the case's own rules (`steps.rs`, `late_entry.rs`,
//! `transfer.rs`, `suspension.rs`, `no_follow_up.rs`, `registry_follow_up.rs`), each giving
//! its findings and the last day they hold, put together once per case.

use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::{
    CaseRecord, Finding, FindingKind, ReviewSettings, late_entry, no_follow_up, registry_follow_up,
    steps, suspension, transfer,
};
use crate::assess::Assessment;
use crate::event::CaseEvent;
use crate::values::Role;
use notoneless_i18n::Message;

/// The version of the rules a [`CaseContribution`] is computed by: raised whenever a rule
/// changes what it finds, so that the rows the read model keeps from before are known not to
/// hold (it is part of the read model's fingerprint of the rules).
pub const CONTRIBUTION_RULES_VERSION: u32 = 2;

/// What one case brings to a review with given thresholds, as of an instant, whatever the
/// period: every episode with its days and its steps' outcomes, and every finding about a
/// single fact with the fact's day. [`super::ReviewPass::add_contribution`] takes from it what
/// falls in the period. The case-status read model keeps one per case (with the default
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
    /// When the case file was open (`duplicate.rs` compares the child's files).
    #[serde(rename = "p", default, skip_serializing_if = "Vec::is_empty")]
    pub open: Vec<super::OpenSpan>,
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
    /// A report made late while the child was still away: late, and a late report (迟报).
    #[serde(rename = "lr")]
    LateReport,
    /// A report made only once the child was back: late, and an unreported dropout.
    #[serde(rename = "rr")]
    ReportAfterReturn,
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
        let case = CaseInReview {
            record,
            assessment,
            settings,
            school: record.case.school().unwrap_or(&profile.school),
        };
        let steps = steps::check(&case);
        let mut holds_through = steps.holds_through.min(case.facts_to_come());
        let mut facts = Vec::new();
        for rule in [
            late_entry::check,
            transfer::check,
            suspension::check,
            no_follow_up::check,
            registry_follow_up::check,
        ] {
            let ruling = rule(&case);
            holds_through = holds_through.min(ruling.holds_through);
            facts.extend(ruling.found);
        }
        // In the order of their facts (each finding's evidence is its fact), each fact's in
        // the order of the kinds.
        facts.sort_by_key(|f| (f.finding.evidence.first().copied(), f.finding.kind));
        Some(Self {
            school: case.school.to_string(),
            student_number: profile.student_number.clone(),
            absences: record.case.absences().map(|(_, d)| d).collect(),
            episodes: steps.found,
            facts,
            open: super::duplicate::open_spans(&record.case),
            valid_through: holds_through.last_day(),
        })
    }
}

/// One case as each rule reads it: its record, its assessment as of the review's instant and
/// the thresholds; and the one way its findings are written.
pub(super) struct CaseInReview<'a> {
    pub record: &'a CaseRecord,
    pub assessment: &'a Assessment,
    pub settings: &'a ReviewSettings,
    /// The school the case is charged to: the child's, as the case was opened.
    pub school: &'a str,
}

impl CaseInReview<'_> {
    /// The local day the review is as of.
    pub fn today(&self) -> NaiveDate {
        self.assessment.today
    }

    /// A finding about this case; the principal always answers too (一把手负责制).
    pub fn finding(
        &self,
        kind: FindingKind,
        day: NaiveDate,
        detail: Message,
        evidence: Vec<u64>,
        responsible: Vec<Role>,
    ) -> Finding {
        let facts = evidence
            .iter()
            .filter_map(|s| self.record.case.event(*s))
            .map(CaseEvent::evidence)
            .collect();
        let mut responsible = responsible;
        if !responsible.contains(&Role::Principal) {
            responsible.push(Role::Principal);
        }
        Finding {
            kind,
            case_id: self.record.case_id.clone(),
            school: self.school.to_string(),
            day,
            detail,
            evidence,
            facts,
            responsible,
        }
    }

    /// A finding about the fact `sequence`, dated `on` (its evidence is that fact, and it
    /// counts in a period that holds `on`), concerning `day`.
    pub fn fact_finding(
        &self,
        (sequence, on): (u64, NaiveDate),
        kind: FindingKind,
        day: NaiveDate,
        detail: Message,
        responsible: Vec<Role>,
    ) -> FactFinding {
        FactFinding {
            on,
            finding: self.finding(kind, day, detail, vec![sequence], responsible),
        }
    }

    /// Until when what the rules found holds for facts dated after today: through the day
    /// before the first of them (the assessment takes a fact in on its day).
    fn facts_to_come(&self) -> HoldsThrough {
        HoldsThrough::before_first(
            self.today(),
            self.record.case.live().map(|(_, e)| Some(e.on())),
        )
    }
}

/// What one rule finds in one case as of the review's day, and the last day that holds.
pub(super) struct Ruling<T> {
    pub found: T,
    pub holds_through: HoldsThrough,
}

/// The last local day on which a rule's findings hold, as long as the case gets no new event.
/// The earlier of two is the one that holds for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum HoldsThrough {
    Day(NaiveDate),
    /// Time alone never changes them.
    Always,
}

impl HoldsThrough {
    /// Through the day before the first of the days `changes` that comes after `today` (what
    /// is found may change from that day on); `None` is a day past the calendar's last.
    pub fn before_first(
        today: NaiveDate,
        changes: impl IntoIterator<Item = Option<NaiveDate>>,
    ) -> Self {
        changes
            .into_iter()
            .map(|day| day.unwrap_or(NaiveDate::MAX))
            .filter(|day| *day > today)
            .min()
            .map_or(Self::Always, |day| {
                Self::Day(day.pred_opt().unwrap_or(today))
            })
    }

    fn last_day(self) -> Option<NaiveDate> {
        match self {
            Self::Day(day) => Some(day),
            Self::Always => None,
        }
    }
}

/// The last day of a threshold of `days` days counted from `day` (`None` past the calendar's
/// last day): a rule's finding is due from the day after it, which is when what the rule
/// finds may change.
pub(super) fn deadline(day: NaiveDate, days: i64) -> Option<NaiveDate> {
    TimeDelta::try_days(days).and_then(|delta| day.checked_add_signed(delta))
}

/// The day after a [`deadline`]: the first on which its finding is due.
pub(super) fn due_from(deadline: Option<NaiveDate>) -> Option<NaiveDate> {
    deadline.and_then(|day| day.succ_opt())
}
