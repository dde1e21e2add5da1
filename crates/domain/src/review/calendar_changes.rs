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
    /// Why the change was made, as whoever made it said (changes recorded before reasons
    /// were asked for have none).
    pub reason: Option<String>,
}

/// A step's deadline that a calendar change moves: the step (its day threshold and what it
/// is), and the day it falls due with the calendar before the change and after it (`None`:
/// the step is not owed with that calendar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MovedDeadline {
    pub day: u32,
    pub kind: ObligationKind,
    pub before: Option<NaiveDate>,
    pub after: Option<NaiveDate>,
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

/// The one rule of what a calendar change moves (the review's finding on a retroactive
/// change, and the confirmation the console asks for before one): the deadlines of the
/// case's steps assessed at `now` with the calendar `before` and `after` the change, those
/// that differ. A deadline that moved is one line, before → after; a step owed only with
/// one of the calendars has `None` for the other. Empty when the change moves nothing.
pub fn deadlines_moved(
    case: &StudentCase,
    before: &SchoolCalendar,
    after: &SchoolCalendar,
    ladder: &EscalationLadder,
    now: DateTime<Utc>,
) -> Vec<MovedDeadline> {
    let before = deadlines(case, before, ladder, now);
    let after = deadlines(case, after, ladder, now);
    if before == after {
        return Vec::new();
    }
    let mut new: Vec<(u32, ObligationKind, NaiveDate)> = after
        .iter()
        .filter(|d| !before.contains(d))
        .copied()
        .collect();
    let mut moved = Vec::new();
    for (day, kind, due) in before.iter().filter(|d| !after.contains(d)).copied() {
        let paired = new
            .iter()
            .position(|(d, k, _)| *d == day && *k == kind)
            .map(|i| new.remove(i).2);
        moved.push(MovedDeadline {
            day,
            kind,
            before: Some(due),
            after: paired,
        });
    }
    moved.extend(new.into_iter().map(|(day, kind, due)| MovedDeadline {
        day,
        kind,
        before: None,
        after: Some(due),
    }));
    moved
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

/// What the change was, with the reason given for it when there is one.
fn what_and_why(change: &CalendarChange) -> Message {
    match &change.reason {
        Some(reason) => Message::new(Msg::CalendarChangeWithReason)
            .with("what", change.what.clone())
            .with("reason", reason.as_str()),
        None => change.what.clone(),
    }
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
    let moved = deadlines_moved(&known, &change.before, &change.after, ladder, now);
    if moved.is_empty() {
        return None;
    }
    let gone = deadline_list(
        moved
            .iter()
            .filter_map(|m| m.before.map(|due| (m.day, m.kind, due))),
    );
    let new = deadline_list(
        moved
            .iter()
            .filter_map(|m| m.after.map(|due| (m.day, m.kind, due))),
    );
    Some(Finding {
        kind: FindingKind::RetroactiveCalendarChange,
        case_id: record.case_id.clone(),
        school: profile.school.clone(),
        day: change.day,
        detail: Message::new(Msg::FindingCalendarMovedDeadlines)
            .with("what", what_and_why(change))
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
            .with("what", what_and_why(change))
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
