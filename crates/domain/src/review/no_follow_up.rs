//! **No follow-up** (报告后未跟进): a child reported to a recipient and still away, with no
//! supervision note, parent contact or home visit dated within `follow_up_days` after the
//! report. Charged to the report's day and the case's school; the head teacher and the
//! principal answer for it.

use super::contribution::{CaseInReview, HoldsThrough, Ruling, deadline, due_from};
use super::{FactFinding, FindingKind};
use crate::event::CaseEvent;
use crate::values::Role;
use notoneless_i18n::{Message, Msg};

/// The default of [`super::ReviewSettings::follow_up_days`] (which `registry_follow_up.rs`
/// reads too).
pub const DEFAULT_FOLLOW_UP_DAYS: i64 = 7;

pub const NO_FOLLOW_UP: Msg = Msg::FindingKindNoFollowUp;

/// Every live report, made while the episode still under way today had begun, that nothing
/// followed within the threshold once it has run out. Holds through the last day of each
/// report's threshold still to run out.
pub(super) fn check(case: &CaseInReview<'_>) -> Ruling<Vec<FactFinding>> {
    let days = case.settings.follow_up_days;
    let today = case.today();
    let mut found = Vec::new();
    let mut changes = Vec::new();
    for (sequence, event) in case.record.case.live() {
        let CaseEvent::ReportSubmitted(r) = event else {
            continue;
        };
        let on = r.on;
        let deadline = deadline(on, days);
        changes.push(due_from(deadline));
        let away = case.assessment.current().is_some_and(|e| e.first_day <= on);
        let followed = case.record.case.live().any(|(_, e)| {
            matches!(
                e,
                CaseEvent::SupervisionNoted(_)
                    | CaseEvent::ParentContacted(_)
                    | CaseEvent::HomeVisitConducted(_)
            ) && e.on() > on
                && deadline.is_none_or(|d| e.on() <= d)
        });
        if away && !followed && deadline.is_some_and(|d| today > d) {
            found.push(
                case.fact_finding(
                    (sequence, on),
                    FindingKind::NoFollowUp,
                    on,
                    Message::new(Msg::FindingNoFollowUp)
                        .with("recipient", r.recipient.label())
                        .with("on", on)
                        .with("days", days),
                    vec![Role::HeadTeacher],
                ),
            );
        }
    }
    Ruling {
        found,
        holds_through: HoldsThrough::before_first(today, changes),
    }
}
