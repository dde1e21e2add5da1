//! The ladder's steps (`assess()` says what each episode owed and when): every step no longer
//! open is counted on time, late or missing, and every one not done on time is a finding:
//!
//! * **unreported dropout** (瞒报/未报): a report to a recipient never made, or made only once
//!   the child was back (on or after the day the episode ended): nobody upstream was told
//!   while it mattered;
//! * **late report** (迟报): a report made after its day while the child was still away, with
//!   its days late;
//! * **late step**: a ladder action done after its day;
//! * **incomplete step**: a ladder action done without every role the ladder requires;
//! * **missed step**: a ladder action never done (its episode has ended).
//!
//! Each is charged to the step's trigger day and the case's school, and answered for by the
//! roles that owed the step (and the principal). No threshold of the review's: the deadlines
//! are the ladder's (`ladder.rs`).

use super::contribution::{CaseInReview, HoldsThrough, Ruling};
use super::{EpisodeContribution, FindingKind, StepContribution, Tally};
use crate::assess::{ObligationKind, ObligationStatus};
use notoneless_i18n::{Arg, Message, Msg};

pub const UNREPORTED_DROPOUT: Msg = Msg::FindingKindUnreportedDropout;
pub const LATE_REPORT: Msg = Msg::FindingKindLateReport;
pub const LATE_STEP: Msg = Msg::FindingKindLateStep;
pub const INCOMPLETE_STEP: Msg = Msg::FindingKindIncompleteStep;
pub const MISSED_STEP: Msg = Msg::FindingKindMissedStep;

/// Every episode with its days and its steps no longer open, each counted and, if not done on
/// time, found. It holds through today while a step is open or an episode runs (tomorrow may
/// close either), for good otherwise.
pub(super) fn check(case: &CaseInReview<'_>) -> Ruling<Vec<EpisodeContribution>> {
    let assessment = case.assessment;
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
            let found = |kind, detail| {
                Some(case.finding(kind, o.trigger_day, detail, evidence(), o.owners.clone()))
            };
            match (o.kind, o.status) {
                (_, ObligationStatus::Open) => {}
                (_, ObligationStatus::DoneOnTime) => steps.push(step(Tally::OnTime, None)),
                (ObligationKind::Report { recipient }, _) => {
                    let back_on = episode.end.as_ref().map(|end| end.on);
                    let (tally, kind, detail) = match &o.fulfilment {
                        Some(f) if back_on.is_some_and(|back| f.on >= back) => (
                            Tally::ReportAfterReturn,
                            FindingKind::UnreportedDropout,
                            Message::new(Msg::FindingReportAfterReturn)
                                .with("day", o.day)
                                .with("recipient", recipient.label())
                                .with("late", f.days_late)
                                .with("due", o.trigger_day),
                        ),
                        Some(f) => (
                            Tally::LateReport,
                            FindingKind::LateReport,
                            Message::new(Msg::FindingReportLate)
                                .with("day", o.day)
                                .with("recipient", recipient.label())
                                .with("late", f.days_late)
                                .with("due", o.trigger_day),
                        ),
                        None => (
                            Tally::MissingReport,
                            FindingKind::UnreportedDropout,
                            Message::new(Msg::FindingReportMissing)
                                .with("day", o.day)
                                .with("recipient", recipient.label())
                                .with("due", o.trigger_day),
                        ),
                    };
                    steps.push(step(tally, found(kind, detail)));
                }
                (ObligationKind::Action { action }, ObligationStatus::DoneLate) => {
                    let late = o.fulfilment.as_ref().map_or(0, |f| f.days_late);
                    let detail = Message::new(Msg::FindingStepLate)
                        .with("day", o.day)
                        .with("step", action.label())
                        .with("late", late)
                        .with("due", o.trigger_day);
                    steps.push(step(Tally::Late, found(FindingKind::LateStep, detail)));
                }
                (ObligationKind::Action { action }, ObligationStatus::DoneWithoutRequiredRoles) => {
                    let missing: Vec<Message> = o
                        .fulfilment
                        .as_ref()
                        .map(|f| f.missing_roles.iter().map(|r| r.label().into()).collect())
                        .unwrap_or_default();
                    let detail = Message::new(Msg::FindingStepIncomplete)
                        .with("day", o.day)
                        .with("step", action.label())
                        .with("missing", Arg::List(missing))
                        .with("due", o.trigger_day);
                    steps.push(step(
                        Tally::Late,
                        found(FindingKind::IncompleteStep, detail),
                    ));
                }
                (ObligationKind::Action { action }, _) => {
                    let detail = Message::new(Msg::FindingStepMissed)
                        .with("day", o.day)
                        .with("step", action.label())
                        .with("due", o.trigger_day);
                    steps.push(step(Tally::Missing, found(FindingKind::MissedStep, detail)));
                }
            }
        }
        episodes.push(EpisodeContribution {
            days: episode.days.clone(),
            steps,
        });
    }
    let open_step = assessment
        .obligations()
        .any(|o| o.status == ObligationStatus::Open);
    let today = case.today();
    let holds_through = if open_step || assessment.current_episode.is_some() {
        HoldsThrough::before_first(today, [today.succ_opt()])
    } else {
        HoldsThrough::Always
    };
    Ruling {
        found: episodes,
        holds_through,
    }
}
