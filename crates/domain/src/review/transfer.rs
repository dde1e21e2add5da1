//! A transfer out's paperwork:
//!
//! * **transfer without documents** (转学无手续): a transfer out recorded with no document;
//! * **transfer unconfirmed** (转学未经接收学校确认): a transfer out that the receiving school
//!   has not confirmed within `transfer_confirmation_days` of it: a suspected dropout.
//!
//! Both are charged to the transfer's day and the case's school; the principal answers for
//! them.

use super::contribution::{CaseInReview, HoldsThrough, Ruling, deadline, due_from};
use super::{FactFinding, FindingKind};
use crate::event::CaseEvent;
use notoneless_i18n::{Message, Msg};

/// The default of [`super::ReviewSettings::transfer_confirmation_days`].
pub const DEFAULT_TRANSFER_CONFIRMATION_DAYS: i64 = 14;

pub const TRANSFER_WITHOUT_DOCUMENTS: Msg = Msg::FindingKindTransferWithoutDocuments;
pub const TRANSFER_UNCONFIRMED: Msg = Msg::FindingKindTransferUnconfirmed;

/// Every live transfer out without documents, or not confirmed (by a confirmation dated
/// within the threshold) once the threshold has run out. Holds through the last day of each
/// transfer's threshold still to run out.
pub(super) fn check(case: &CaseInReview<'_>) -> Ruling<Vec<FactFinding>> {
    let days = case.settings.transfer_confirmation_days;
    let today = case.today();
    let mut found = Vec::new();
    let mut changes = Vec::new();
    for (sequence, event) in case.record.case.live() {
        let CaseEvent::TransferredOut(t) = event else {
            continue;
        };
        let on = t.on;
        if t.documents.is_empty() {
            found.push(
                case.fact_finding(
                    (sequence, on),
                    FindingKind::TransferWithoutDocuments,
                    on,
                    Message::new(Msg::FindingTransferWithoutDocuments)
                        .with("destination", t.destination_school.as_str()),
                    vec![],
                ),
            );
        }
        let deadline = deadline(on, days);
        changes.push(due_from(deadline));
        let confirmed = case.record.case.live().any(|(_, e)| {
            matches!(e, CaseEvent::TransferConfirmed(c) if deadline.is_none_or(|d| c.on <= d))
        });
        if !confirmed && deadline.is_some_and(|d| today > d) {
            found.push(
                case.fact_finding(
                    (sequence, on),
                    FindingKind::TransferUnconfirmed,
                    on,
                    Message::new(Msg::FindingTransferUnconfirmed)
                        .with("destination", t.destination_school.as_str())
                        .with("days", days),
                    vec![],
                ),
            );
        }
    }
    Ruling {
        found,
        holds_through: HoldsThrough::before_first(today, changes),
    }
}
