//! The two exports, as [`Table`]s to write as CSV or XLSX in Chinese or English, filed as a
//! clerk files them: a title naming the county, the scope and the date, 序号, the catalogue's
//! headers and labels (`docs/exports.md` describes every column):
//!
//! * the **ledger** (台账): one row per case in the caller's schools, as it stands now or as
//!   it stood at the end of a day (the facts that happened by then, as the log knows them
//!   now: the same replay as a case's `as-of`); the child's ID number masked unless the
//!   caller may see it whole;
//! * the **review findings** (问责发现): one row per finding of a review, with the child, the
//!   roles that answer for it and the names of the staff who hold those roles today.
//!
//! Times are written in the county's local time (the calendar's time zone); days are the
//! local days the domain already speaks of.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use notoneless_domain::{
    CaseEvent, CaseStatus, ContactChannel, Finding, FindingKind, Gender, NodeKind, Organisation,
    Participant, Review, ReviewScope, Role, SchoolCalendar, StudentCase, StudentProfile,
    SupportKind, VisitOutcome, assess,
};
use notoneless_i18n::{Arg, Message, Msg};

use crate::error::StoreError;
use crate::log::StoredEvent;
use crate::review::run_review_with_profiles;
use crate::store::Store;
use crate::table::{Cell, Column, Table};

/// The ledger's columns, in their order.
pub const LEDGER_COLUMNS: [Column; 20] = [
    Column::new(Msg::ColNumber),
    Column::new(Msg::ColName),
    Column::new(Msg::ColSex),
    Column::new(Msg::ColIdNumber),
    Column::new(Msg::ColStudentNumber),
    Column::new(Msg::ColTownship),
    Column::new(Msg::ColSchool),
    Column::new(Msg::ColGrade),
    Column::new(Msg::ColClass),
    Column::new(Msg::ColGuardian),
    Column::new(Msg::ColGuardianPhone),
    Column::new(Msg::ColFocusGroups),
    Column::new(Msg::ColReason),
    Column::new(Msg::ColSteps),
    Column::new(Msg::ColPersonResponsible),
    Column::new(Msg::ColBackAtSchool),
    Column::new(Msg::ColStatus),
    Column::new(Msg::ColOutstanding),
    Column::new(Msg::ColLastRecorded),
    Column::new(Msg::ColCaseId),
];

/// The review findings' columns, in their order.
pub const FINDING_COLUMNS: [Column; 12] = [
    Column::new(Msg::ColNumber),
    Column::new(Msg::ColFinding),
    Column::new(Msg::ColTownship),
    Column::new(Msg::ColSchool),
    Column::new(Msg::ColCaseId),
    Column::new(Msg::ColStudentNumber),
    Column::new(Msg::ColName),
    Column::new(Msg::ColDay),
    Column::new(Msg::ColDetail),
    Column::new(Msg::ColEvidence),
    Column::new(Msg::ColResponsibleRoles),
    Column::new(Msg::ColResponsibleStaff),
];

/// The ledger's column that holds each row's case id.
pub const LEDGER_CASE_COLUMN: usize = 19;
/// The ledger's column that holds each child's ID number.
pub const LEDGER_ID_COLUMN: usize = 3;
/// The findings' column that holds each row's case id (empty for a finding about no case).
pub const FINDING_CASE_COLUMN: usize = 4;

/// A table as a clerk files it: the table (with its title) and the file's name without its
/// extension, in the export's language (`喀左县-台账-全县-2023-11-30`), with an ASCII one for
/// programs that cannot take the other (`ledger-kazuo-2023-11-30`).
#[derive(Clone, Debug, PartialEq)]
pub struct Filed<const N: usize> {
    pub table: Table<N>,
    pub file_name: Message,
    pub ascii_name: String,
}

/// The cases a table shows, by the case ids in `column`: each once, in order of first
/// appearance. What a download records in the access log.
pub fn cases_shown<const N: usize>(table: &Table<N>, column: usize) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    table
        .rows
        .iter()
        .filter_map(|row| match row.get(column) {
            Some(Cell::Text(case_id)) if seen.insert(case_id.clone()) => Some(case_id.clone()),
            _ => None,
        })
        .collect()
}

/// What a finding is called: the catalogue's name of its kind ([`FindingKind::label`]).
pub fn finding_label(kind: FindingKind) -> Cell {
    Cell::Message(kind.label().into())
}

/// A finding's detail as the findings file shows it. The one place that turns a finding's
/// detail into a cell.
pub fn finding_detail(finding: &Finding) -> Cell {
    Cell::Message(finding.detail.clone())
}

/// A role's name: the catalogue's ([`Role::label`]).
pub fn role_label(role: Role) -> Cell {
    Cell::Message(role.label().into())
}

fn sex_label(gender: Gender) -> Msg {
    match gender {
        Gender::Male => Msg::SexMale,
        Gender::Female => Msg::SexFemale,
    }
}

/// An ID number as the ledger shows it to a caller who may not see it whole: its first four
/// characters (the province and the city) and its last four, the rest as `*`
/// (`2113**********1234`). A number too short to keep anything hidden is hidden whole.
pub fn mask_id_number(id_number: &str) -> String {
    let chars: Vec<char> = id_number.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - 8;
    chars[..4]
        .iter()
        .chain(std::iter::repeat_n(&'*', hidden))
        .chain(&chars[chars.len() - 4..])
        .collect()
}

/// An instant as the county's local date and time.
pub fn local_time(calendar: &SchoolCalendar, instant: DateTime<Utc>) -> NaiveDateTime {
    instant.naive_utc() + TimeDelta::minutes(i64::from(calendar.spec().utc_offset_minutes))
}

fn node_name(org: &Organisation, id: &str) -> Cell {
    Cell::text_or_empty(org.nodes.get(id).map_or(id, |n| n.name.as_str()))
}

fn township_name(org: &Organisation, school: &str) -> Cell {
    org.township_of(school)
        .map_or(Cell::Empty, |t| node_name(org, t))
}

/// The county's name (the tree's county node), or nothing when the tree has none yet.
fn county_name(org: &Organisation) -> String {
    org.nodes
        .values()
        .find(|n| n.kind == NodeKind::County)
        .map(|n| n.name.clone())
        .unwrap_or_default()
}

/// The scope a file covers: "全县" for the county (or no node), else the node's name; and the
/// scope in ASCII, for the file's fallback name.
fn scope_of(org: &Organisation, node: Option<&str>) -> (Arg, String) {
    match node.and_then(|id| org.nodes.get(id)) {
        Some(n) if n.kind != NodeKind::County => (
            Arg::Text(n.name.clone()),
            n.id.rsplit('/').next().unwrap_or(&n.id).to_string(),
        ),
        _ => (Arg::from(Msg::LedgerScopeCounty), "county".to_string()),
    }
}

/// What the ledger is asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct LedgerRequest<'a> {
    /// The schools whose cases it holds (`None`: all).
    pub schools: Option<&'a [String]>,
    /// The node it is for, named in its title and file name (`None`: the county).
    pub scope: Option<&'a str>,
    /// The day it is as of, at the end of that day (`None`: now).
    pub as_of: Option<NaiveDate>,
    /// Whether the children's ID numbers are shown whole (else masked).
    pub full_ids: bool,
}

/// Who took part in a step, by name.
fn by(people: &[&str]) -> Arg {
    let names: Vec<&str> = people.iter().copied().filter(|n| !n.is_empty()).collect();
    if names.is_empty() {
        return Arg::Text(String::new());
    }
    Arg::from(Message::new(Msg::LedgerStepBy).with("people", names.join("、")))
}

fn names(people: &[Participant]) -> Vec<&str> {
    people.iter().map(|p| p.name.as_str()).collect()
}

/// A fact as a line of the ledger's "steps taken" (劝返、帮扶措施): the day, what was done in
/// the plan's words, and who did it; `recorder` names who recorded it, for the facts that
/// do not name who took them (support given). `None` for facts that are not steps.
fn step(event: &CaseEvent, recorder: Option<&str>) -> Option<Message> {
    let day = event.on();
    let message = match event {
        CaseEvent::ParentContacted(c) => Message::new(Msg::LedgerStepParentContact)
            .with("by", by(&[c.by.name.as_str()]))
            .with("channel", channel_label(c.channel))
            .with("guardian", c.guardian.as_str())
            .with("reached", if c.reached { "yes" } else { "no" }),
        CaseEvent::HomeVisitConducted(v) => Message::new(Msg::LedgerStepHomeVisit)
            .with("by", by(&names(&v.participants)))
            .with("count", v.measures.len())
            .with(
                "measures",
                Arg::List(v.measures.iter().map(|m| Message::new(m.label())).collect()),
            )
            .with("outcome", outcome_label(v.outcome)),
        CaseEvent::ReportSubmitted(r) => Message::new(Msg::LedgerStepReport)
            .with("by", by(&[r.signed_by.name.as_str()]))
            .with("recipient", r.recipient.label())
            .with("reference", r.reference.as_str()),
        CaseEvent::SupervisionNoted(n) => Message::new(Msg::LedgerStepSupervision)
            .with("by", by(&[n.by.name.as_str()]))
            .with("note", n.note.as_str()),
        CaseEvent::SupportGiven(s) => Message::new(Msg::LedgerStepSupport)
            .with("by", by(&[recorder.unwrap_or_default()]))
            .with("kind", support_label(s.kind))
            .with(
                "amount",
                format!("{}.{:02}", s.amount_fen / 100, s.amount_fen % 100),
            ),
        CaseEvent::HomeTeachingHeld(t) => Message::new(Msg::LedgerStepHomeTeaching)
            .with("by", by(&names(&t.teachers)))
            .with("minutes", i64::from(t.minutes)),
        _ => return None,
    };
    Some(message.with("day", day))
}

fn channel_label(channel: ContactChannel) -> Msg {
    match channel {
        ContactChannel::Phone => Msg::ChannelPhone,
        ContactChannel::Message => Msg::ChannelMessage,
        ContactChannel::InPerson => Msg::ChannelInPerson,
        ContactChannel::Other => Msg::ChannelOther,
    }
}

fn outcome_label(outcome: VisitOutcome) -> Msg {
    match outcome {
        VisitOutcome::AgreedToReturn => Msg::OutcomeAgreedToReturn,
        VisitOutcome::Refused => Msg::OutcomeRefused,
        VisitOutcome::NobodyHome => Msg::OutcomeNobodyHome,
        VisitOutcome::Other => Msg::OutcomeOther,
    }
}

fn support_label(kind: SupportKind) -> Msg {
    match kind {
        SupportKind::Reduction => Msg::SupportReduction,
        SupportKind::Waiver => Msg::SupportWaiver,
        SupportKind::Deferral => Msg::SupportDeferral,
        SupportKind::Subsidy => Msg::SupportSubsidy,
    }
}

/// How every row of one ledger is written: as of `day`, assessed at `at` (the end of that
/// day, or now), with the organisation as it is and the ID numbers whole or masked.
struct RowView<'a> {
    org: &'a Organisation,
    store: &'a Store,
    day: NaiveDate,
    at: DateTime<Utc>,
    full_ids: bool,
}

/// One case's row of the ledger, or `None` when the case was not open by the view's day.
/// `stream` is the case's stored events (for who recorded each and when).
fn ledger_row(
    view: &RowView<'_>,
    number: usize,
    case_id: &str,
    case: &StudentCase,
    stream: &[StoredEvent],
) -> Option<[Cell; 20]> {
    let RowView {
        org,
        store,
        day,
        at,
        full_ids,
    } = *view;
    let opening = case.opening().filter(|o| o.on <= day)?;
    let profile = &opening.student;
    let rules = store.rules.get();
    let assessment = assess(case, &rules.calendar, &rules.ladder, at);
    // The facts that happened by the day, and not retracted.
    let live: Vec<(u64, &CaseEvent)> = case.live().filter(|(_, e)| e.on() <= day).collect();
    let destination = live
        .iter()
        .rev()
        .find_map(|(_, e)| match e {
            CaseEvent::TransferredOut(t) => Some(t.destination_school.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let status = match assessment.status {
        CaseStatus::NotOpened => Message::new(Msg::StatusNotOpened),
        CaseStatus::Enrolled { .. } => match assessment.current() {
            Some(episode) => {
                Message::new(Msg::LedgerStatusAbsent).with("days", episode.day_count())
            }
            None => Message::new(Msg::LedgerStatusAtSchool),
        },
        CaseStatus::Suspended {
            expected_return, ..
        } => Message::new(Msg::LedgerStatusSuspended).with("day", expected_return),
        CaseStatus::TransferPending { .. } => {
            Message::new(Msg::LedgerStatusTransferPending).with("school", destination.as_str())
        }
        CaseStatus::TransferredOut { .. } => {
            Message::new(Msg::LedgerStatusTransferredOut).with("school", destination.as_str())
        }
        CaseStatus::Closed { .. } => Message::new(Msg::StatusClosed),
    };
    // Who recorded each fact, by name (the user's name today, else their id).
    let recorder = |sequence: u64| {
        stream
            .iter()
            .find(|e| u64::try_from(e.sequence).ok() == Some(sequence))
            .and_then(|e| e.meta("actor"))
            .map(|id| org.users.get(id).map_or(id, |u| u.name.as_str()))
    };
    let mut steps: Vec<(NaiveDate, u64, Message)> = live
        .iter()
        .filter_map(|(sequence, e)| Some((e.on(), *sequence, step(e, recorder(*sequence))?)))
        .collect();
    steps.sort_by_key(|(on, sequence, _)| (*on, *sequence));
    // The reason: the last one a guardian gave, else the one the case was opened for.
    let reason = live
        .iter()
        .rev()
        .find_map(|(_, e)| match e {
            CaseEvent::ParentContacted(c) => c.reason_given.clone(),
            _ => None,
        })
        .or_else(|| opening.reason.clone());
    // Back at school: the last return or resumption, unless the child is away again.
    let back = match assessment.current() {
        Some(_) => None,
        None => live
            .iter()
            .rev()
            .find(|(_, e)| matches!(e, CaseEvent::ReturnedToSchool(_) | CaseEvent::Resumed(_)))
            .map(|(_, e)| e.on()),
    };
    let id_number = profile.id_number.as_deref().map_or(Cell::Empty, |id| {
        Cell::text(if full_ids {
            id.to_string()
        } else {
            mask_id_number(id)
        })
    });
    let mut groups = profile.focus_groups();
    for (_, e) in &live {
        if let CaseEvent::FocusGroupsChanged(change) = e {
            groups.extend(change.add.iter().copied());
            groups.retain(|g| !change.remove.contains(g));
        }
    }
    let last_recorded = stream
        .iter()
        .filter(|e| {
            u64::try_from(e.sequence)
                .ok()
                .and_then(|s| case.event(s))
                .is_some_and(|event| event.on() <= day)
        })
        .map(|e| e.recorded_at)
        .max();
    Some([
        Cell::Number(i64::try_from(number).unwrap_or(i64::MAX)),
        Cell::text(&profile.name),
        Cell::Message(sex_label(profile.gender).into()),
        id_number,
        Cell::text(&profile.student_number),
        township_name(org, &profile.school),
        node_name(org, &profile.school),
        Cell::Number(i64::from(profile.grade)),
        Cell::text(&profile.class),
        Cell::Lines(
            profile
                .guardians
                .iter()
                .map(|g| Cell::text(format!("{}（{}）", g.name, g.relation)))
                .collect(),
        ),
        Cell::Lines(
            profile
                .guardians
                .iter()
                .map(|g| Cell::text(&g.phone))
                .collect(),
        ),
        Cell::List(
            groups
                .into_iter()
                .map(|g| Cell::Message(g.label().into()))
                .collect(),
        ),
        reason.map_or(Cell::Empty, Cell::text_or_empty),
        Cell::Lines(
            steps
                .into_iter()
                .map(|(_, _, m)| Cell::Message(m))
                .collect(),
        ),
        Cell::text_or_empty(&profile.head_teacher),
        back.map_or(Cell::Empty, Cell::Date),
        Cell::Message(status),
        Cell::Number(i64::try_from(assessment.outstanding().count()).unwrap_or(i64::MAX)),
        last_recorded.map_or(Cell::Empty, |t| {
            Cell::DateTime(local_time(&rules.calendar, t))
        }),
        Cell::text(case_id),
    ])
}

/// The ledger of every case in the requested schools, as it stands now or as it stood at
/// the end of the day asked for: titled with the county, the scope and the day, and named
/// for them.
pub async fn ledger(store: &Store, request: LedgerRequest<'_>) -> Result<Filed<20>, StoreError> {
    let now = store.clock.now();
    let rules = store.rules.get();
    let today = rules.calendar.local_date(now);
    let (day, at) = match request.as_of {
        Some(day) if day < today => (
            day,
            rules.calendar.end_of_day(day) - TimeDelta::microseconds(1),
        ),
        _ => (today, now),
    };
    let snapshot = store.org.current();
    let org = &snapshot.org;
    let county = county_name(org);
    let (scope, ascii_scope) = scope_of(org, request.scope);
    let title = Message::new(Msg::LedgerTitle)
        .with("county", county.as_str())
        .with("scope", scope.clone())
        .with("day", day);
    let mut table = Table::new(Msg::LedgerSheet, LEDGER_COLUMNS).titled(title);
    let view = RowView {
        org,
        store,
        day,
        at,
        full_ids: request.full_ids,
    };
    let events = crate::log::all_case_events(&store.db).await?;
    // The events come case by case, each case's in sequence order.
    for stream in events.chunk_by(|a, b| a.aggregate_id == b.aggregate_id) {
        let case = crate::log::fold(stream)?;
        let in_scope = case
            .profile()
            .is_some_and(|p| request.schools.is_none_or(|s| s.contains(&p.school)));
        if !in_scope {
            continue;
        }
        if let Some(row) = ledger_row(
            &view,
            table.rows.len() + 1,
            &stream[0].aggregate_id,
            &case,
            stream,
        ) {
            table.rows.push(row);
        }
    }
    let file_name = Message::new(Msg::LedgerFileName)
        .with("county", county.as_str())
        .with("scope", scope)
        .with("day", day.format("%Y-%m-%d").to_string());
    Ok(Filed {
        table,
        file_name,
        ascii_name: format!("ledger-{ascii_scope}-{day}"),
    })
}

/// The active users who hold one of the finding's roles for its school: the school's own
/// staff, and the officers of its township and county. A finding about the whole county (no
/// school) names the county's officers.
fn responsible_staff(org: &Organisation, finding: &Finding) -> Vec<String> {
    let covers = |node: &str| {
        if finding.school.is_empty() {
            org.nodes
                .get(node)
                .is_some_and(|n| n.kind == NodeKind::County)
        } else {
            org.is_within(&finding.school, node)
        }
    };
    let mut staff: Vec<(usize, &str, &str)> = org
        .users
        .values()
        .filter(|u| org.is_active(&u.id) && covers(&u.node))
        .filter_map(|u| {
            let role = u.role.case_role()?;
            let rank = finding.responsible.iter().position(|r| *r == role)?;
            Some((rank, u.name.as_str(), u.id.as_str()))
        })
        .collect();
    staff.sort();
    staff
        .into_iter()
        .map(|(_, name, _)| name.to_string())
        .collect()
}

/// The review's findings as a table, one row per finding, titled with the county, the scope
/// (`scope`: the node reviewed; `None`: the county) and the period. `profiles` are the
/// children the review names, by case id (for the child's number and name), `org` the
/// organisation as it is now (for the names of places and of the staff who answer).
pub fn findings_table(
    review: &Review,
    profiles: &BTreeMap<String, StudentProfile>,
    org: &Organisation,
    scope: Option<&str>,
) -> Filed<12> {
    let county = county_name(org);
    let (scope, ascii_scope) = scope_of(org, scope);
    let (from, until) = (review.from, review.until);
    let title = Message::new(Msg::ReviewTitle)
        .with("county", county.as_str())
        .with("scope", scope.clone())
        .with("from", from)
        .with("until", until);
    let mut table = Table::new(Msg::ReviewSheet, FINDING_COLUMNS).titled(title);
    for (number, finding) in (1i64..).zip(&review.findings) {
        let profile = profiles.get(finding.case_id.as_str());
        table.rows.push([
            Cell::Number(number),
            finding_label(finding.kind),
            township_name(org, &finding.school),
            if finding.school.is_empty() {
                Cell::Empty
            } else {
                node_name(org, &finding.school)
            },
            // Findings about a school's roll calls or the county's calendar have no case.
            profile.map_or(Cell::Empty, |_| Cell::text(&finding.case_id)),
            profile.map_or(Cell::Empty, |p| Cell::text(&p.student_number)),
            profile.map_or(Cell::Empty, |p| Cell::text(&p.name)),
            Cell::Date(finding.day),
            finding_detail(finding),
            // The evidence named by the facts' days and kinds, not by their sequences.
            Cell::List(finding.facts.iter().cloned().map(Cell::Message).collect()),
            Cell::List(finding.responsible.iter().map(|r| role_label(*r)).collect()),
            Cell::List(
                responsible_staff(org, finding)
                    .into_iter()
                    .map(Cell::Text)
                    .collect(),
            ),
        ]);
    }
    let file_name = Message::new(Msg::ReviewFileName)
        .with("county", county.as_str())
        .with("scope", scope)
        .with("from", from.format("%Y-%m-%d").to_string())
        .with("until", until.format("%Y-%m-%d").to_string());
    Filed {
        table,
        file_name,
        ascii_name: format!("review-{ascii_scope}-{from}-{until}"),
    }
}

/// The findings of the review of the scope (as [`crate::review::run_review`] runs it) as a
/// table; `node` is the node reviewed, named in the title (`None`: the county).
pub async fn review_findings(
    store: &Store,
    scope: &ReviewScope,
    node: Option<&str>,
) -> Result<Filed<12>, StoreError> {
    let (review, profiles) = run_review_with_profiles(store, scope).await?;
    Ok(findings_table(
        &review,
        &profiles,
        &store.org.current().org,
        node,
    ))
}
