//! The two exports, as [`Table`]s to write as CSV or XLSX in Chinese or English
//! (`docs/exports.md` describes every column):
//!
//! * the **ledger** (台账): one row per case in the caller's schools, as it stands now;
//! * the **review findings** (问责发现): one row per finding of a review, with the child, the
//!   roles that answer for it and the names of the staff who hold those roles today.
//!
//! Times are written in the county's local time (the calendar's time zone); days are the
//! local days the domain already speaks of.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use notoneless_domain::{
    CaseEvent, CaseStatus, Finding, FindingKind, Gender, NodeKind, Organisation, Review,
    ReviewScope, Role, SchoolCalendar, StudentCase, StudentProfile, assess,
};

use crate::error::StoreError;
use crate::review::run_review_with_profiles;
use crate::store::Store;
use crate::table::{Cell, Column, Label, Table};

/// The ledger's columns, in their order.
pub const LEDGER_COLUMNS: [Column; 15] = [
    Column::new("案件编号", "Case ID"),
    Column::new("学籍号", "Student number"),
    Column::new("姓名", "Name"),
    Column::new("性别", "Gender"),
    Column::new("出生日期", "Birth date"),
    Column::new("乡镇", "Township"),
    Column::new("学校", "School"),
    Column::new("年级", "Grade"),
    Column::new("班级", "Class"),
    Column::new("状态", "Status"),
    Column::new(
        "当前连续无故缺课天数",
        "Current consecutive days of unexcused absence",
    ),
    Column::new("未完成事项", "Outstanding steps"),
    Column::new("转出去向", "Transferred to"),
    Column::new("休学预计返校", "Expected return from suspension"),
    Column::new("最后记录时间", "Last recorded"),
];

/// The review findings' columns, in their order.
pub const FINDING_COLUMNS: [Column; 11] = [
    Column::new("类型", "Finding"),
    Column::new("乡镇", "Township"),
    Column::new("学校", "School"),
    Column::new("案件编号", "Case ID"),
    Column::new("学籍号", "Student number"),
    Column::new("姓名", "Name"),
    Column::new("日期", "Day"),
    Column::new("说明", "Detail"),
    Column::new("证据", "Evidence"),
    Column::new("责任角色", "Responsible roles"),
    Column::new("责任人", "Responsible staff"),
];

/// The ledger's column that holds each row's case id.
pub const LEDGER_CASE_COLUMN: usize = 0;
/// The findings' column that holds each row's case id (empty for a finding about no case).
pub const FINDING_CASE_COLUMN: usize = 3;

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

/// What a finding is called, in both languages: the label its rule's module gives it
/// ([`FindingKind::label`]).
pub fn finding_label(kind: FindingKind) -> Label {
    let label = kind.label();
    Label::new(label.zh, label.en)
}

/// A role's name, in both languages.
pub fn role_label(role: Role) -> Label {
    match role {
        Role::HeadTeacher => Label::new("班主任", "Head teacher"),
        Role::ResponsibleLeader => Label::new("学校分管负责人", "Responsible school leader"),
        Role::Principal => Label::new("校长", "Principal"),
        Role::TownshipOfficer => Label::new("乡镇政府", "Township officer"),
        Role::BureauOfficer => Label::new("县教育局", "Bureau officer"),
        Role::Inspector => Label::new("督学", "Inspector"),
        Role::VillageCadre => Label::new("村干部", "Village cadre"),
        Role::Other => Label::new("其他", "Other"),
    }
}

fn gender_label(gender: Gender) -> Label {
    match gender {
        Gender::Male => Label::new("男", "Male"),
        Gender::Female => Label::new("女", "Female"),
    }
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

fn ledger_row(
    case_id: &str,
    case: &StudentCase,
    org: &Organisation,
    store: &Store,
    now: DateTime<Utc>,
    last_recorded: Option<DateTime<Utc>>,
) -> Option<[Cell; 15]> {
    let profile = case.profile()?;
    let rules = store.rules.get();
    let assessment = assess(case, &rules.calendar, &rules.ladder, now);
    let status = match assessment.status {
        CaseStatus::NotOpened => Label::new("未立案", "Not opened"),
        CaseStatus::Enrolled { .. } => match assessment.current() {
            Some(_) => Label::new("缺课中", "Absent"),
            None => Label::new("在校", "At school"),
        },
        CaseStatus::Suspended { .. } => Label::new("休学", "Suspended"),
        CaseStatus::TransferPending { .. } => Label::new("转出待确认", "Transfer pending"),
        CaseStatus::TransferredOut { .. } => Label::new("已转出", "Transferred out"),
        CaseStatus::Closed { .. } => Label::new("已结案", "Closed"),
    };
    let destination = case
        .live()
        .filter_map(|(_, e)| match e {
            CaseEvent::TransferredOut(t) => Some(t.destination_school.clone()),
            _ => None,
        })
        .last();
    let expected_return = match assessment.status {
        CaseStatus::Suspended {
            expected_return, ..
        } => Cell::Date(expected_return),
        _ => Cell::Empty,
    };
    let days_absent = assessment.current().map_or(0, |e| e.day_count());
    Some([
        Cell::text(case_id),
        Cell::text(&profile.student_number),
        Cell::text(&profile.name),
        Cell::Label(gender_label(profile.gender)),
        Cell::Date(profile.birth_date),
        township_name(org, &profile.school),
        node_name(org, &profile.school),
        Cell::Number(i64::from(profile.grade)),
        Cell::text(&profile.class),
        Cell::Label(status),
        Cell::Number(i64::try_from(days_absent).unwrap_or(i64::MAX)),
        Cell::Number(i64::try_from(assessment.outstanding().count()).unwrap_or(i64::MAX)),
        destination.map_or(Cell::Empty, Cell::text),
        expected_return,
        last_recorded.map_or(Cell::Empty, |t| {
            Cell::DateTime(local_time(&rules.calendar, t))
        }),
    ])
}

/// The ledger of every case in the given schools (`None`: all), as it stands now.
pub async fn ledger(store: &Store, schools: Option<&[String]>) -> Result<Table<15>, StoreError> {
    let now = store.clock.now();
    let snapshot = store.org.current();
    let mut table = Table::new(Label::new("台账", "Ledger"), LEDGER_COLUMNS);
    let events = crate::log::all_case_events(&store.db).await?;
    // The events come case by case, each case's in sequence order.
    for stream in events.chunk_by(|a, b| a.aggregate_id == b.aggregate_id) {
        let case = crate::log::fold(stream)?;
        let in_scope = case
            .profile()
            .is_some_and(|p| schools.is_none_or(|s| s.contains(&p.school)));
        if !in_scope {
            continue;
        }
        let last = stream.iter().map(|e| e.recorded_at).max();
        if let Some(row) = ledger_row(
            &stream[0].aggregate_id,
            &case,
            &snapshot.org,
            store,
            now,
            last,
        ) {
            table.rows.push(row);
        }
    }
    Ok(table)
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

/// The review's findings as a table, one row per finding. `profiles` are the children the
/// review names, by case id (for the child's number and name), `org` the organisation as it
/// is now (for the names of places and of the staff who answer).
pub fn findings_table(
    review: &Review,
    profiles: &BTreeMap<String, StudentProfile>,
    org: &Organisation,
) -> Table<11> {
    let mut table = Table::new(Label::new("问责发现", "Review findings"), FINDING_COLUMNS);
    for finding in &review.findings {
        let profile = profiles.get(finding.case_id.as_str());
        table.rows.push([
            Cell::Label(finding_label(finding.kind)),
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
            Cell::Message(finding.detail.clone()),
            // The evidence named by the facts' days and kinds, not by their sequences.
            Cell::List(finding.facts.iter().cloned().map(Cell::Message).collect()),
            Cell::List(
                finding
                    .responsible
                    .iter()
                    .map(|r| Cell::Label(role_label(*r)))
                    .collect(),
            ),
            Cell::List(
                responsible_staff(org, finding)
                    .into_iter()
                    .map(Cell::Text)
                    .collect(),
            ),
        ]);
    }
    table
}

/// The findings of the review of the scope (as [`crate::review::run_review`] runs it) as a
/// table.
pub async fn review_findings(store: &Store, scope: &ReviewScope) -> Result<Table<11>, StoreError> {
    let (review, profiles) = run_review_with_profiles(store, scope).await?;
    Ok(findings_table(&review, &profiles, &store.org.current().org))
}
