//! **Late entry** (事后补录): a fact recorded more than `late_entry_days` calendar days after the
//! day it claims. Back-filling before an inspection is how concealment looks: the missed call,
//! visits and reports entered afterwards, dated the days they should have happened.
//!
//! Charged to the fact's day and the case's school; the principal answers for it.

use super::contribution::{CaseInReview, HoldsThrough, Ruling};
use super::{FactFinding, FindingKind, ReviewSettings};
use chrono::NaiveDate;
use notoneless_i18n::{Message, Msg};

/// The default of [`super::ReviewSettings::late_entry_days`].
pub const DEFAULT_LATE_ENTRY_DAYS: i64 = 2;

pub const LATE_ENTRY: Msg = Msg::FindingKindLateEntry;

impl ReviewSettings {
    /// How many days after its day `on` a fact recorded on the local day `recorded` was
    /// entered, when that makes it a late entry (more than `late_entry_days`); `None` when it
    /// was entered in time. The one rule of lateness, for the review and the case timeline.
    pub fn late_entry_delay(&self, on: NaiveDate, recorded: NaiveDate) -> Option<i64> {
        let delay = (recorded - on).num_days();
        (delay > self.late_entry_days).then_some(delay)
    }
}

/// Every live fact recorded more than `late_entry_days` after its day. The recording day
/// never changes, so what is found holds for good.
pub(super) fn check(case: &CaseInReview<'_>) -> Ruling<Vec<FactFinding>> {
    let mut found = Vec::new();
    for (sequence, event) in case.record.case.live() {
        let on = event.on();
        let recorded = sequence
            .checked_sub(1)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| case.record.recorded_on.get(i));
        if let Some(&recorded) = recorded
            && let Some(delay) = case.settings.late_entry_delay(on, recorded)
        {
            found.push(
                case.fact_finding(
                    (sequence, on),
                    FindingKind::LateEntry,
                    on,
                    Message::new(Msg::FindingLateEntry)
                        .with("fact", event.fact_label())
                        .with("on", on)
                        .with("recorded", recorded)
                        .with("delay", delay),
                    vec![],
                ),
            );
        }
    }
    Ruling {
        found,
        holds_through: HoldsThrough::Always,
    }
}
