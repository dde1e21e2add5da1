//! The child's page (`/cases/{case_id}`): who the child is (name, grade, class, school), where
//! the case stands (its status, the ladder's steps of the current absence and what is due),
//! the whole case as facts in order (the day, the kind, who recorded it in which role, when it
//! was recorded; late entries and retracted facts marked), and the forms of the steps the
//! viewer may record. A read of the child's file: recorded in the access log, as the API's
//! status read, before anything of it is shown.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use notoneless_api::AppState;
use notoneless_api::access_log::log_reads;
use notoneless_api::auth::{Access, require_role, visible_case};
use notoneless_api::error::ApiError;
use notoneless_domain::{
    CaseActionKind, CaseEvent, ObligationStatus, ReviewSettings, SchoolCalendar, StudentCase,
    UserRole,
};
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::access::ReadKind;
use notoneless_store::log::{StoredEvent, case_events};
use notoneless_store::read_model::CaseRow;

use crate::shell::{Shell, Viewer, failed_with, render};

/// A step of the ladder, as the page shows it.
pub struct Step {
    pub label: String,
    pub due: String,
    pub status: String,
    /// Past due and not done.
    pub overdue: bool,
}

/// A fact of the case, as the page shows it.
pub struct Fact {
    pub day: String,
    pub kind: String,
    pub by: String,
    pub recorded: String,
    pub late: bool,
    pub retracted: bool,
    /// What the fact says, where the page spells it out (a transfer, a suspension, support …).
    pub detail: Option<String>,
}

/// A step form the viewer may use.
pub struct Link {
    pub href: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    shell: Shell,
    case_id: String,
    child: String,
    school: String,
    status: String,
    /// "Day n of an absence since …", when an absence is open.
    episode: Option<String>,
    steps: Vec<Step>,
    facts: Vec<Fact>,
    links: Vec<Link>,
}

/// The step forms of the console, by the kind of fact each records.
const FORMS: [(CaseActionKind, &str, Msg); 4] = [
    (
        CaseActionKind::RecordParentContact,
        "parent-call",
        Msg::ConsoleRecordCall,
    ),
    (
        CaseActionKind::RecordHomeVisit,
        "home-visit",
        Msg::ConsoleRecordVisit,
    ),
    (
        CaseActionKind::ReportUpward,
        "report",
        Msg::ConsoleRecordReport,
    ),
    (
        CaseActionKind::RecordReturn,
        "return",
        Msg::ConsoleRecordReturn,
    ),
];

/// The child as the school knows them: name, grade and class.
pub fn child_line(lang: Lang, name: &str, grade: i64, class: &str) -> String {
    Message::new(Msg::ConsoleChild)
        .with("name", name)
        .with("grade", grade)
        .with("class", class)
        .text(lang)
}

/// The console's form for a step of the ladder (by its obligation kind, as the work queue
/// names it), if it has one.
pub fn form_for(case_id: &str, obligation_kind: &str) -> Option<(String, Msg)> {
    let kind = match obligation_kind {
        "contact_parents" => CaseActionKind::RecordParentContact,
        "home_visit" => CaseActionKind::RecordHomeVisit,
        k if k.starts_with("report:") => CaseActionKind::ReportUpward,
        _ => return None,
    };
    FORMS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, segment, msg)| (format!("/cases/{case_id}/{segment}"), *msg))
}

/// An instant as the school's clock shows it: the day and the time.
fn local_time(lang: Lang, calendar: &SchoolCalendar, instant: DateTime<Utc>) -> String {
    let day = calendar.local_date(instant);
    let start = calendar.end_of_day(day) - TimeDelta::days(1);
    let minutes = (instant - start).num_minutes();
    format!("{} {:02}:{:02}", lang.day(day), minutes / 60, minutes % 60)
}

/// The role of a recorder as the log keeps it (`head_teacher`), for a person.
fn role_label(lang: Lang, role: &str) -> String {
    UserRole::ALL
        .iter()
        .find(|r| r.as_str() == role)
        .map_or_else(|| role.to_string(), |r| r.label().text(lang))
}

/// Records in the access log that the viewer read the child's file (as the API's status read
/// does): nothing of it is shown unless this succeeds.
pub async fn log_case_read(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
) -> Result<(), ApiError> {
    log_reads(
        state,
        &viewer.caller,
        ReadKind::Status,
        None,
        &[case_id.to_string()],
    )
    .await
}

/// `GET /cases/{case_id}`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
) -> Response {
    match shown(&state, &viewer, &case_id).await {
        Ok(page) => render(&page),
        Err(refused) => failed_with(viewer.lang, &refused),
    }
}

async fn shown(state: &AppState, viewer: &Viewer, case_id: &str) -> Result<CasePage, ApiError> {
    let lang = viewer.lang;
    require_role(
        &viewer.caller,
        Access::CaseRoles(notoneless_api::auth::CHILD_FILE_READERS),
    )?;
    let school = visible_case(state, &viewer.caller, case_id).await?;
    log_case_read(state, viewer, case_id).await?;
    let now = state.store.clock.now();
    let rules = state.store.rules.get();
    let calendar = &rules.calendar;
    let events = case_events(&state.store.db, case_id).await?;
    // The case as its facts say now (not the read model, which may not have caught up with a
    // fact just recorded from a form): the status and steps agree with the facts listed.
    let row = CaseRow::build(&events, &rules, now)?.ok_or(ApiError::NotFound)?;
    let assessment = row.assessment()?;
    let summary = &row.summary;
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let episode = assessment.current().map(|e| {
        Message::new(Msg::ConsoleCaseEpisode)
            .with("days", e.days.len())
            .with("since", lang.day(e.first_day))
            .text(lang)
    });
    let steps = assessment
        .current()
        .or_else(|| assessment.episodes.last())
        .map(|e| {
            e.obligations
                .iter()
                .map(|o| Step {
                    label: o.kind.label().text(lang),
                    due: Message::new(Msg::ConsoleDueBy)
                        .with("day", o.trigger_day)
                        .text(lang),
                    status: o.status.label().text(lang),
                    overdue: o.status == ObligationStatus::Overdue,
                })
                .collect()
        })
        .unwrap_or_default();
    let decoded: Vec<CaseEvent> = events
        .iter()
        .map(StoredEvent::decode)
        .collect::<Result<_, _>>()?;
    let case = StudentCase::from_events(decoded.iter().cloned());
    let settings = ReviewSettings::default();
    let facts = events
        .iter()
        .zip(&decoded)
        .map(|(stored, event)| {
            let on: NaiveDate = event.on();
            let recorder = stored.meta("actor").unwrap_or_default();
            let name = org
                .users
                .get(recorder)
                .map_or_else(|| recorder.to_string(), |u| u.name.clone());
            Fact {
                day: lang.day(on),
                kind: event.fact_label().text(lang),
                by: Message::new(Msg::ConsoleFactBy)
                    .with("name", name)
                    .with(
                        "role",
                        role_label(lang, stored.meta("role").unwrap_or_default()),
                    )
                    .text(lang),
                recorded: local_time(lang, calendar, stored.recorded_at),
                late: settings
                    .late_entry_delay(on, calendar.local_date(stored.recorded_at))
                    .is_some(),
                retracted: case.is_retracted(u64::try_from(stored.sequence).unwrap_or(0)),
                detail: crate::school::fact_detail(lang, event),
            }
        })
        .collect();
    let role = viewer.caller.user.role;
    let mut links: Vec<Link> = FORMS
        .iter()
        .filter(|(kind, _, _)| kind.may_be_recorded_by(role))
        .map(|(_, segment, msg)| Link {
            href: format!("/cases/{case_id}/{segment}"),
            text: msg.text(lang),
        })
        .collect();
    links.extend(crate::school::offered(lang, case_id, role, &case));
    let child = child_line(lang, &summary.name, summary.grade, &summary.class);
    let mut shell = Shell::of(viewer, Msg::ConsoleCaseTitle, &format!("/cases/{case_id}"));
    shell.title = summary.name.clone();
    Ok(CasePage {
        shell,
        case_id: case_id.to_string(),
        child,
        school: org
            .nodes
            .get(&school)
            .map_or_else(|| school.clone(), |n| n.name.clone()),
        status: assessment.status.label().text(lang),
        episode,
        steps,
        facts,
        links,
    })
}
