//! **Retroactive calendar change** (事后修改校历): a holiday or make-up day declared (or taken
//! back) after the day had passed, with that day in the period. One finding per case whose
//! deadlines the change moved (charged to the changed day and the case's school), and one for
//! the change itself (case `organisation`, no school: the county's, shown only to a review of
//! every school). The bureau officer answers for them. No threshold of the review's.
//! Whether a case's deadlines moved is judged on the case as it was known the day the change
//! was declared: a fact back-filled afterwards had no deadline for the change to move.

use chrono::{DateTime, NaiveDate, Utc};

use super::{CaseRecord, Finding, FindingKind};
use crate::assess::{ObligationKind, assess};
use crate::calendar::SchoolCalendar;
use crate::case::StudentCase;
use crate::ladder::EscalationLadder;
use crate::values::Role;
use notoneless_i18n::{Arg, Message, Msg};

pub const RETROACTIVE_CALENDAR_CHANGE: Msg = Msg::FindingKindRetroactiveCalendarChange;

/// A change to the calendar, as the organisation's log records it.
#[derive(Clone, Debug)]
pub struct CalendarChange {
    /// The day declared a holiday or a make-up day, or taken back.
    pub day: NaiveDate,
    /// What happened, in words ("holiday “snow day” declared").
    pub what: Message,
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
) -> Vec<(u32, ObligationKind, NaiveDate)> {
    assess(case, calendar, ladder, now)
        .obligations()
        .map(|o| (o.day, o.kind, o.trigger_day))
        .collect()
}

/// Deadlines as a person reads them: "第2天家访应于2023年10月7日前完成".
fn deadline_list(deadlines: impl Iterator<Item = (u32, ObligationKind, NaiveDate)>) -> Arg {
    Arg::List(
        deadlines
            .map(|(day, kind, due)| {
                Message::new(Msg::FindingDeadline)
                    .with("day", day)
                    .with("step", kind.label())
                    .with("due", due)
            })
            .collect(),
    )
}

/// Who declared a change, as the finding names them.
fn declared_by(change: &CalendarChange) -> Message {
    match &change.declared_by {
        Some(user) => Message::new(Msg::FindingDeclaredBy).with("user", user.as_str()),
        None => Message::new(Msg::FindingDeclaredByUnknown),
    }
}

/// The change itself as a finding's evidence: its day and kind.
fn change_fact(change: &CalendarChange) -> Message {
    Message::new(Msg::EvidenceFact)
        .with("on", change.declared_on)
        .with("fact", Msg::FactCalendarChange)
}

pub(super) fn retroactive_in(change: &CalendarChange, from: NaiveDate, until: NaiveDate) -> bool {
    change.declared_on > change.day && from <= change.day && change.day <= until
}

/// The finding for one case whose deadlines a retroactive calendar change moved, if it did.
pub(super) fn moved_deadlines(
    record: &CaseRecord,
    change: &CalendarChange,
    ladder: &EscalationLadder,
    now: DateTime<Utc>,
) -> Option<Finding> {
    let profile = record.case.profile()?;
    // The case as it was known when the change was declared: the facts recorded on or before
    // that day (events are numbered in recording order, so these are a prefix). A fact
    // back-filled afterwards did not have its deadline moved by the change.
    let known = StudentCase::from_events(
        record
            .case
            .events()
            .take_while(|(sequence, _)| {
                usize::try_from(*sequence)
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| record.recorded_on.get(i))
                    .is_some_and(|day| *day <= change.declared_on)
            })
            .map(|(_, event)| event.clone()),
    );
    let before = deadlines(&known, &change.before, ladder, now);
    let after = deadlines(&known, &change.after, ladder, now);
    if before == after {
        return None;
    }
    let gone = deadline_list(before.iter().filter(|d| !after.contains(d)).copied());
    let new = deadline_list(after.iter().filter(|d| !before.contains(d)).copied());
    Some(Finding {
        kind: FindingKind::RetroactiveCalendarChange,
        case_id: record.case_id.clone(),
        school: profile.school.clone(),
        day: change.day,
        detail: Message::new(Msg::FindingCalendarMovedDeadlines)
            .with("what", change.what.clone())
            .with("day", change.day)
            .with("declared", change.declared_on)
            .with("by", declared_by(change))
            .with("before", gone)
            .with("after", new),
        evidence: vec![],
        facts: vec![],
        responsible: vec![Role::BureauOfficer],
    })
}

/// The finding for a retroactive calendar change itself (case `organisation`).
pub(super) fn change_finding(change: &CalendarChange, moved_cases: usize) -> Finding {
    Finding {
        kind: FindingKind::RetroactiveCalendarChange,
        case_id: "organisation".into(),
        school: String::new(),
        day: change.day,
        detail: Message::new(Msg::FindingCalendarChange)
            .with("what", change.what.clone())
            .with("day", change.day)
            .with("declared", change.declared_on)
            .with("by", declared_by(change))
            .with("cases", moved_cases),
        evidence: vec![change.sequence],
        facts: vec![change_fact(change)],
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
