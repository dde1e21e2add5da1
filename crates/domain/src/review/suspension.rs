//! A suspension (休学)'s paperwork and its end:
//!
//! * **suspension without document** (休学无审批文件): a suspension recorded with no approving
//!   document; charged to the suspension's day;
//! * **suspension overdue** (休学逾期未复学): a child still suspended after the expected return
//!   with no resumption recorded; charged to the expected return's day.
//!
//! Both count in a period that holds the suspension's day, are charged to the case's school,
//! and are answered for by the principal. No threshold of the review's: the expected return
//! is the suspension's own.

use super::contribution::{CaseInReview, HoldsThrough, Ruling, deadline, due_from};
use super::{FactFinding, FindingKind};
use crate::case::CaseStatus;
use crate::event::CaseEvent;
use notoneless_i18n::{Message, Msg};

pub const SUSPENSION_WITHOUT_DOCUMENT: Msg = Msg::FindingKindSuspensionWithoutDocument;
pub const SUSPENSION_OVERDUE: Msg = Msg::FindingKindSuspensionOverdue;

/// Every live suspension without its document, or still in force after its expected return.
/// Holds through each expected return still to come.
pub(super) fn check(case: &CaseInReview<'_>) -> Ruling<Vec<FactFinding>> {
    let today = case.today();
    let mut found = Vec::new();
    let mut changes = Vec::new();
    for (sequence, event) in case.record.case.live() {
        let CaseEvent::Suspended(s) = event else {
            continue;
        };
        if s.document.is_none() {
            found.push(case.fact_finding(
                (sequence, s.on),
                FindingKind::SuspensionWithoutDocument,
                s.on,
                Message::new(Msg::FindingSuspensionWithoutDocument),
                vec![],
            ));
        }
        changes.push(due_from(deadline(s.expected_return, 0)));
        let still = matches!(
            case.record.case.status_on(today),
            CaseStatus::Suspended { since, .. } if since == s.on
        );
        if still && s.expected_return < today {
            found.push(case.fact_finding(
                (sequence, s.on),
                FindingKind::SuspensionOverdue,
                s.expected_return,
                Message::new(Msg::FindingSuspensionOverdue).with("expected", s.expected_return),
                vec![],
            ));
        }
    }
    Ruling {
        found,
        holds_through: HoldsThrough::before_first(today, changes),
    }
}
