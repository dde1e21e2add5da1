//! **Unresolved registry finding** (学籍户籍比对问题未跟进): a finding of the registry
//! cross-check (`registry.rs`) with no parent contact, home visit, supervision note,
//! resolution or clearance of it dated within `follow_up_days` of it (the same threshold as
//! `no_follow_up.rs`, whose default it shares). Charged to the finding's day and the case's
//! school; the school's responsible leader and the principal answer for it.

use super::contribution::{CaseInReview, HoldsThrough, Ruling, deadline, due_from};
use super::{FactFinding, FindingKind};
use crate::event::CaseEvent;
use crate::values::Role;
use notoneless_i18n::{Message, Msg};

pub const UNRESOLVED_REGISTRY_FINDING: Msg = Msg::FindingKindUnresolvedRegistryFinding;

/// Every live registry finding nothing was done about within the threshold, once it has run
/// out (saying whether it is still open). Holds through the last day of each finding's
/// threshold still to run out.
pub(super) fn check(case: &CaseInReview<'_>) -> Ruling<Vec<FactFinding>> {
    let days = case.settings.follow_up_days;
    let today = case.today();
    let mut found = Vec::new();
    let mut changes = Vec::new();
    for (sequence, event) in case.record.case.live() {
        let CaseEvent::RegistryFindingRecorded(f) = event else {
            continue;
        };
        let on = f.on;
        let deadline = deadline(on, days);
        changes.push(due_from(deadline));
        let mut still_open = true;
        let mut followed = false;
        for (_, e) in case.record.case.live().filter(|(s, _)| *s > sequence) {
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
            if acts && deadline.is_none_or(|d| e.on() <= d) {
                followed = true;
            }
        }
        if !followed && deadline.is_some_and(|d| today > d) {
            found.push(
                case.fact_finding(
                    (sequence, on),
                    FindingKind::UnresolvedRegistryFinding,
                    on,
                    Message::new(Msg::FindingUnresolvedRegistry)
                        .with("issue", f.kind.label())
                        .with("on", on)
                        .with("days", days)
                        .with("still_open", if still_open { "yes" } else { "no" }),
                    vec![Role::ResponsibleLeader],
                ),
            );
        }
    }
    Ruling {
        found,
        holds_through: HoldsThrough::before_first(today, changes),
    }
}
