//! The school calendar (`/admin/calendar`, `CALENDAR_KEEPERS`: the admin and the bureau
//! officer), as `GET /api/v1/calendar` answers it: its terms and days, each day with a button
//! that takes it back; a form to declare a holiday or a make-up day, and one to add a term.
//! Every form is CSRF-checked and records through the API's own path (`org::change_with_key`,
//! with an idempotency key made with the page: a form sent twice records once), refused as
//! the domain refuses, next to the field.
//!
//! A change to a day already past (declaring it or taking it back) is retroactive: before it
//! is recorded, a confirmation page shows which cases' deadlines it would move and how, by
//! the domain's one rule (`deadlines_moved`, the review's too), over the calendar in force
//! and the calendar the change would leave (`OrgDirectory::calendar_with`); it asks for the
//! reason, which is recorded with the change. The confirmation carries the change's values as
//! hidden fields (no JavaScript). A bureau officer sees each child's name and school, and each
//! child named is recorded in the access log first; an admin, who reads no child's file, sees
//! the schools only.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use notoneless_api::AppState;
use notoneless_api::access_log::log_reads;
use notoneless_api::auth::{Access, CALENDAR_KEEPERS, CHILD_FILE_READERS, require_role};
use notoneless_api::error::ApiError;
use notoneless_api::org::{self, CalendarView};
use notoneless_domain::{
    CalendarDay, MovedDeadline, OrgCommand, OrgError, SchoolCalendar, StudentProfile, Term,
    deadlines_moved,
};
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::access::ReadKind;
use notoneless_store::org::CalendarSource;
use notoneless_store::review::for_each_case;
use serde::Deserialize;

use crate::admin::{admitted, wrong};
use crate::call::Choice;
use crate::login::FieldError;
use crate::reads::{child_label, refused_role};
use crate::shell::{Shell, Viewer, failed_with, render};
use crate::steps::{key_or_new, new_key, today};

const KINDS: [(&str, Msg); 2] = [
    ("holiday", Msg::ConsoleAdminHoliday),
    ("make_up_day", Msg::ConsoleAdminMakeUpDay),
];

/// The declaration's form, as sent (its confirmation sends the same fields, and the reason).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DayForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    /// Sent by the confirmation page of a retroactive change.
    #[serde(default)]
    confirmed: String,
    #[serde(default)]
    reason: String,
}

/// The new term's form, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TermForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    term_name: String,
    #[serde(default)]
    first_day: String,
    #[serde(default)]
    last_day: String,
}

/// A day's take-back, as sent (its confirmation adds the reason).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TakeBackForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    confirmed: String,
    #[serde(default)]
    reason: String,
}

/// A line of the calendar: a term, a holiday or a make-up day, and where it comes from.
struct CalendarRow {
    what: String,
    when: String,
    name: String,
    source: String,
    retroactive: bool,
    /// Why it was declared, as the list shows it (empty without a reason).
    reason: String,
    /// The day (`YYYY-MM-DD`) a take-back button sends; none for a term or a configured day.
    take_back: Option<String>,
}

/// What the page says it just did.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Done {
    Nothing,
    Declared,
    TermAdded,
    TakenBack,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    shell: Shell,
    source: String,
    terms: Vec<CalendarRow>,
    days: Vec<CalendarRow>,
    kinds: Vec<Choice>,
    form: DayForm,
    term: TermForm,
    /// A new idempotency key for each take-back button.
    take_back_key: String,
    done: Done,
    errors: Vec<FieldError>,
}

impl CalendarPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }

    /// What was just done, said.
    fn notice(&self) -> Option<String> {
        match self.done {
            Done::Nothing => None,
            Done::Declared => Some(Msg::ConsoleAdminDeclaredNotice),
            Done::TermAdded => Some(Msg::ConsoleCalendarTermAddedNotice),
            Done::TakenBack => Some(Msg::ConsoleCalendarTakenBackNotice),
        }
        .map(|msg| self.shell.t(msg))
    }

    /// The term's date fields: name, label, value.
    fn term_days(&self) -> [(&'static str, Msg, &str); 2] {
        [
            (
                "first_day",
                Msg::ConsoleCalendarTermFirstDay,
                &self.term.first_day,
            ),
            (
                "last_day",
                Msg::ConsoleCalendarTermLastDay,
                &self.term.last_day,
            ),
        ]
    }
}

fn kind_label(lang: Lang, kind: &str) -> String {
    KINDS
        .iter()
        .find(|(value, _)| *value == kind)
        .map_or_else(|| kind.to_string(), |(_, msg)| msg.text(lang))
}

fn source_label(lang: Lang, declared_by: Option<&str>, from_file: Option<&str>) -> String {
    match (from_file, declared_by) {
        (Some(file), _) => format!("{} {file}", Msg::ConsoleAdminFromFile.text(lang)),
        (None, Some(by)) => format!("{} {by}", Msg::ConsoleAdminDeclaredBy.text(lang)),
        (None, None) => Msg::ConsoleAdminFromConfiguration.text(lang),
    }
}

/// A new declaration's form: a holiday, with a new idempotency key.
fn blank_day_form() -> DayForm {
    DayForm {
        kind: "holiday".into(),
        idempotency_key: new_key(),
        ..DayForm::default()
    }
}

fn blank_term_form() -> TermForm {
    TermForm {
        idempotency_key: new_key(),
        ..TermForm::default()
    }
}

fn calendar_page(
    viewer: &Viewer,
    view: CalendarView,
    form: DayForm,
    term: TermForm,
) -> CalendarPage {
    let lang = viewer.lang;
    let terms = view
        .terms
        .iter()
        .map(|term| CalendarRow {
            what: Msg::ConsoleAdminTerm.text(lang),
            when: format!("{} – {}", lang.day(term.first_day), lang.day(term.last_day)),
            name: term.name.clone(),
            source: source_label(lang, term.declared_by.as_deref(), term.from_file.as_deref()),
            retroactive: false,
            reason: String::new(),
            take_back: None,
        })
        .collect();
    let mut days: Vec<CalendarRow> = view
        .days
        .iter()
        .map(|day| CalendarRow {
            what: kind_label(lang, &day.kind),
            when: lang.day(day.day),
            name: day.name.clone(),
            source: source_label(lang, day.declared_by.as_deref(), day.from_file.as_deref()),
            retroactive: day.retroactive,
            reason: day.reason.as_deref().map_or_else(String::new, |reason| {
                Message::new(Msg::ConsoleCalendarReasonShown)
                    .with("reason", reason)
                    .text(lang)
            }),
            take_back: Some(day.day.to_string()),
        })
        .collect();
    days.extend(view.configured_days.iter().map(|day| CalendarRow {
        what: kind_label(lang, &day.kind),
        when: lang.day(day.day),
        name: String::new(),
        source: Msg::ConsoleAdminFromConfiguration.text(lang),
        retroactive: false,
        reason: String::new(),
        take_back: None,
    }));
    let kinds = KINDS
        .iter()
        .map(|(value, msg)| Choice {
            value,
            text: msg.text(lang),
            checked: form.kind == *value,
        })
        .collect();
    let source = match view.source {
        CalendarSource::Organisation => Msg::ConsoleAdminSourceOrganisation,
        CalendarSource::Configuration => Msg::ConsoleAdminFromConfiguration,
        CalendarSource::None => Msg::ConsoleAdminSourceNone,
    }
    .text(lang);
    CalendarPage {
        shell: Shell::of(viewer, Msg::ConsoleAdminCalendarTitle, "/admin/calendar"),
        source,
        terms,
        days,
        kinds,
        form,
        term,
        take_back_key: new_key(),
        done: Done::Nothing,
        errors: Vec::new(),
    }
}

/// The calendar page with these forms and errors (422 when there are errors), or what
/// `done` says was done.
async fn show_calendar(
    state: &AppState,
    viewer: &Viewer,
    form: DayForm,
    term: TermForm,
    done: Done,
    errors: Vec<FieldError>,
) -> Response {
    let view = match org::get_calendar(State(state.clone())).await {
        Ok(view) => view.0,
        Err(refused) => return failed_with(viewer.lang, &refused),
    };
    let mut shown = calendar_page(viewer, view, form, term);
    shown.done = done;
    if errors.is_empty() {
        return render(&shown);
    }
    shown.errors = errors;
    (StatusCode::UNPROCESSABLE_ENTITY, render(&shown)).into_response()
}

/// `GET /admin/calendar`.
pub async fn page(State(state): State<AppState>, viewer: Viewer) -> Response {
    if let Some(refused) = refused_role(&viewer, CALENDAR_KEEPERS) {
        return refused;
    }
    show_calendar(
        &state,
        &viewer,
        blank_day_form(),
        blank_term_form(),
        Done::Nothing,
        Vec::new(),
    )
    .await
}

// ---- a retroactive change, confirmed ---------------------------------------------------

/// A case's deadline the change would move, as the confirmation lists it.
struct MoveRow {
    /// The child (empty for a reader who may not see children's names).
    child: String,
    school: String,
    step: String,
    /// The deadline before the change → after it.
    deadlines: String,
}

#[derive(Template)]
#[template(path = "admin_calendar_confirm.html")]
struct ConfirmPage {
    shell: Shell,
    /// Where the confirmation is sent.
    action: String,
    /// What the change is, and that its day has passed.
    lede: String,
    /// The change's own fields, sent again with the reason.
    hidden: Vec<(&'static str, String)>,
    moves: Vec<MoveRow>,
    /// How many cases the change would move, in words.
    count: String,
    names_shown: bool,
    reason: String,
    errors: Vec<FieldError>,
}

impl ConfirmPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }
}

/// What a change to a day already past asks before it is recorded.
struct Retroactive<'a> {
    action: String,
    lede: Message,
    hidden: Vec<(&'static str, String)>,
    reason: &'a str,
    command: OrgCommand,
}

/// The deadlines a calendar change would move, case by case: the domain's rule over every
/// case of the county, the calendar in force against the calendar the change would leave.
/// Each child named is recorded in the access log before the page shows them; for a reader
/// who reads no child's file, only the schools.
async fn moves(
    state: &AppState,
    viewer: &Viewer,
    (before, after): (SchoolCalendar, SchoolCalendar),
    day: NaiveDate,
) -> Result<(Vec<MoveRow>, usize, bool), ApiError> {
    let lang = viewer.lang;
    let rules = state.store.rules.get();
    let now = state.store.clock.now();
    let mut moved: Vec<(String, StudentProfile, Vec<MovedDeadline>)> = Vec::new();
    for_each_case(&state.store, &before, None, |record| {
        let Some(profile) = record.case.profile() else {
            return;
        };
        let deadlines = deadlines_moved(&record.case, &before, &after, &rules.ladder, now);
        if !deadlines.is_empty() {
            moved.push((record.case_id, profile.clone(), deadlines));
        }
    })
    .await
    .map_err(ApiError::from)?;
    let names_shown = require_role(&viewer.caller, Access::Roles(CHILD_FILE_READERS)).is_ok();
    if names_shown && !moved.is_empty() {
        let ids: Vec<String> = moved.iter().map(|(id, _, _)| id.clone()).collect();
        let detail = format!("day={day}");
        log_reads(
            state,
            &viewer.caller,
            ReadKind::CalendarChange,
            Some(&detail),
            &ids,
        )
        .await?;
    }
    let snapshot = state.store.org.current();
    let school_name = |id: &str| {
        snapshot
            .org
            .nodes
            .get(id)
            .map_or_else(|| id.to_string(), |node| node.name.clone())
    };
    let due = |day: Option<NaiveDate>| {
        day.map_or_else(
            || Msg::ConsoleCalendarNoDeadline.text(lang),
            |day| lang.day(day),
        )
    };
    let cases = moved.len();
    let rows = moved
        .iter()
        .flat_map(|(_, profile, deadlines)| {
            deadlines.iter().map(|deadline| MoveRow {
                child: if names_shown {
                    child_label(lang, &profile.name, profile.grade, &profile.class)
                } else {
                    String::new()
                },
                school: school_name(&profile.school),
                step: Message::new(Msg::ConsoleCalendarStepOnDay)
                    .with("day", deadline.day)
                    .with("step", deadline.kind.label())
                    .text(lang),
                deadlines: Message::new(Msg::ConsoleCalendarMoveDeadlines)
                    .with("before", due(deadline.before))
                    .with("after", due(deadline.after))
                    .text(lang),
            })
        })
        .collect();
    Ok((rows, cases, names_shown))
}

/// The confirmation of a retroactive change, with these errors (422 when there are some).
async fn confirmation(
    state: &AppState,
    viewer: &Viewer,
    change: Retroactive<'_>,
    calendars: (SchoolCalendar, SchoolCalendar),
    day: NaiveDate,
    errors: Vec<FieldError>,
) -> Response {
    let lang = viewer.lang;
    let (moves, cases, names_shown) = match moves(state, viewer, calendars, day).await {
        Ok(found) => found,
        Err(refused) => return failed_with(lang, &refused),
    };
    let count = if cases == 0 {
        Msg::ConsoleCalendarMovesNothing.text(lang)
    } else {
        Message::new(Msg::ConsoleCalendarMovesCount)
            .with("cases", cases)
            .text(lang)
    };
    let mut hidden = change.hidden;
    hidden.push(("confirmed", "yes".into()));
    let shown = ConfirmPage {
        shell: Shell::of(viewer, Msg::ConsoleCalendarConfirmTitle, "/admin/calendar"),
        action: change.action,
        lede: change.lede.text(lang),
        hidden,
        moves,
        count,
        names_shown,
        reason: change.reason.to_string(),
        errors,
    };
    if shown.errors.is_empty() {
        render(&shown)
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, render(&shown)).into_response()
    }
}

/// Why a change to the calendar was not recorded: a page to show instead (the confirmation
/// of a retroactive change, or a failure), or the domain's refusal for the calendar's form.
enum Stopped {
    Page(Response),
    Refused(FieldError),
}

/// Records a change to the calendar, once for the form's key. A change to a day already past
/// is recorded only confirmed with a reason: until then its confirmation is the answer (again,
/// with the error beside the reason, when confirmed without one).
async fn change_calendar(
    state: &AppState,
    viewer: &Viewer,
    change: Retroactive<'_>,
    (day, past, confirmed): (NaiveDate, bool, bool),
    key: String,
) -> Result<(), Stopped> {
    let lang = viewer.lang;
    let reason_given = !change.reason.trim().is_empty();
    if past && !(confirmed && reason_given) {
        let calendars = state
            .store
            .org
            .calendar_with(change.command.clone())
            .map_err(|refused| Stopped::Refused(on_calendar_form(lang, &refused)))?;
        let errors = if confirmed {
            vec![wrong(lang, "reason", Msg::ConsoleCalendarEnterReason)]
        } else {
            Vec::new()
        };
        let page = confirmation(state, viewer, change, calendars, day, errors).await;
        return Err(Stopped::Page(page));
    }
    record(state, viewer, change.command, key).await
}

/// Records a change to the calendar through the API's path, once for the form's key (a form
/// sent twice is answered by its key, even where the domain would now refuse it); the
/// domain's refusal next to the form's field it names.
async fn record(
    state: &AppState,
    viewer: &Viewer,
    command: OrgCommand,
    key: String,
) -> Result<(), Stopped> {
    let lang = viewer.lang;
    match org::change_with_key(state, &viewer.caller, command.clone(), Some(key)).await {
        Ok(_) => Ok(()),
        Err(refused) if refused.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            // The refusal as the domain words it, with its field (nothing was recorded, so the
            // domain refuses the same again).
            let error = match state.store.org.calendar_with(command) {
                Err(refused) => on_calendar_form(lang, &refused),
                Ok(_) => FieldError {
                    field: String::new(),
                    text: refused.message().text(lang),
                },
            };
            Err(Stopped::Refused(error))
        }
        Err(refused) => Err(Stopped::Page(failed_with(lang, &refused))),
    }
}

/// The domain's refusal of a change to the calendar, next to the field of the page's forms
/// it names (a term's: `terms[1].last_day` is the form's `last_day`).
fn on_calendar_form(lang: Lang, refused: &OrgError) -> FieldError {
    let (field, text) = match refused {
        OrgError::Calendar(error) => {
            let field = error.field();
            let field = match field.rsplit('.').next() {
                Some("name") => "term_name",
                Some("last_day") => "last_day",
                _ if field.starts_with("terms") => "first_day",
                _ => "day",
            };
            (field, error.message())
        }
        other => (
            match other.field() {
                "reason" => "reason",
                "name" => "name",
                _ => "day",
            },
            other.message(),
        ),
    };
    FieldError {
        field: field.to_string(),
        text: text.text(lang),
    }
}

/// A day as a form sends it (`YYYY-MM-DD`).
fn date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

// ---- declaring a day -----------------------------------------------------------------------

/// `POST /admin/calendar`: declares the holiday or make-up day; a day already past only once
/// its confirmation (what it moves, and why) is sent back with a reason.
pub async fn declare(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<DayForm>,
) -> Response {
    if let Some(refused) = admitted(&viewer, &form.csrf_token, CALENDAR_KEEPERS) {
        return refused;
    }
    let lang = viewer.lang;
    let mut errors = Vec::new();
    let mut error = |field: &str, msg: Msg| errors.push(wrong(lang, field, msg));
    let day = date(&form.day);
    if day.is_none() {
        error("day", Msg::ConsoleEnterDate);
    }
    if form.name.trim().is_empty() {
        error("name", Msg::ConsoleAdminEnterDayName);
    }
    let kind = KINDS.iter().find(|(value, _)| *value == form.kind);
    if kind.is_none() {
        error("kind", Msg::ConsoleAdminChooseKind);
    }
    let (Some(day), Some((kind, kind_msg)), true) = (day, kind, errors.is_empty()) else {
        return show_calendar(
            &state,
            &viewer,
            form,
            blank_term_form(),
            Done::Nothing,
            errors,
        )
        .await;
    };
    let key = key_or_new(&form.idempotency_key);
    let past = day < today(&state);
    let reason = form.reason.trim();
    let declared = CalendarDay {
        day,
        name: form.name.trim().to_string(),
        reason: (past && !reason.is_empty()).then(|| reason.to_string()),
    };
    let command = if *kind == "holiday" {
        OrgCommand::DeclareHoliday(declared)
    } else {
        OrgCommand::DeclareMakeUpDay(declared)
    };
    let change = Retroactive {
        action: "/admin/calendar".into(),
        lede: Message::new(Msg::ConsoleCalendarConfirmDeclare)
            .with("day", day)
            .with("kind", *kind_msg)
            .with("name", form.name.trim()),
        hidden: vec![
            ("idempotency_key", key.clone()),
            ("kind", (*kind).to_string()),
            ("day", day.to_string()),
            ("name", form.name.trim().to_string()),
        ],
        reason: &form.reason,
        command,
    };
    let confirmed = form.confirmed == "yes";
    let (done, errors) =
        match change_calendar(&state, &viewer, change, (day, past, confirmed), key).await {
            Ok(()) => (Done::Declared, Vec::new()),
            Err(Stopped::Page(page)) => return page,
            Err(Stopped::Refused(error)) => (Done::Nothing, vec![error]),
        };
    let form = if errors.is_empty() {
        blank_day_form()
    } else {
        form
    };
    show_calendar(&state, &viewer, form, blank_term_form(), done, errors).await
}

// ---- adding a term -------------------------------------------------------------------------

/// `POST /admin/calendar/terms`: adds the term; what the domain refuses (a term ending
/// before it starts, one overlapping another) next to its field.
pub async fn add_term(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(term): Form<TermForm>,
) -> Response {
    if let Some(refused) = admitted(&viewer, &term.csrf_token, CALENDAR_KEEPERS) {
        return refused;
    }
    let lang = viewer.lang;
    let mut errors = Vec::new();
    let mut error = |field: &str, msg: Msg| errors.push(wrong(lang, field, msg));
    if term.term_name.trim().is_empty() {
        error("term_name", Msg::ConsoleCalendarEnterTermName);
    }
    let (first_day, last_day) = (date(&term.first_day), date(&term.last_day));
    if first_day.is_none() {
        error("first_day", Msg::ConsoleEnterDate);
    }
    if last_day.is_none() {
        error("last_day", Msg::ConsoleEnterDate);
    }
    let (Some(first_day), Some(last_day), true) = (first_day, last_day, errors.is_empty()) else {
        return show_calendar(
            &state,
            &viewer,
            blank_day_form(),
            term,
            Done::Nothing,
            errors,
        )
        .await;
    };
    let command = OrgCommand::AddTerm(Term {
        name: term.term_name.trim().to_string(),
        first_day,
        last_day,
    });
    let key = key_or_new(&term.idempotency_key);
    match record(&state, &viewer, command, key).await {
        Ok(()) => {
            show_calendar(
                &state,
                &viewer,
                blank_day_form(),
                blank_term_form(),
                Done::TermAdded,
                Vec::new(),
            )
            .await
        }
        Err(Stopped::Page(page)) => page,
        Err(Stopped::Refused(error)) => {
            show_calendar(
                &state,
                &viewer,
                blank_day_form(),
                term,
                Done::Nothing,
                vec![error],
            )
            .await
        }
    }
}

// ---- taking a day back ---------------------------------------------------------------------

/// `POST /admin/calendar/days/{day}/take-back`: takes the holiday or make-up day back; a day
/// already past only once its confirmation is sent back with a reason.
pub async fn take_back(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(day): Path<String>,
    Form(form): Form<TakeBackForm>,
) -> Response {
    if let Some(refused) = admitted(&viewer, &form.csrf_token, CALENDAR_KEEPERS) {
        return refused;
    }
    let lang = viewer.lang;
    let Some(day) = date(&day) else {
        let errors = vec![wrong(lang, "day", Msg::ConsoleEnterDate)];
        return show_calendar(
            &state,
            &viewer,
            blank_day_form(),
            blank_term_form(),
            Done::Nothing,
            errors,
        )
        .await;
    };
    let key = key_or_new(&form.idempotency_key);
    let past = day < today(&state);
    let reason = form.reason.trim();
    let command = OrgCommand::ClearCalendarDay {
        day,
        reason: (past && !reason.is_empty()).then(|| reason.to_string()),
    };
    let snapshot = state.store.org.current();
    let (kind, name) = match snapshot.org.holidays.get(&day) {
        Some(name) => (Msg::ConsoleAdminHoliday, name.clone()),
        None => (
            Msg::ConsoleAdminMakeUpDay,
            snapshot
                .org
                .make_up_days
                .get(&day)
                .cloned()
                .unwrap_or_default(),
        ),
    };
    let change = Retroactive {
        action: format!("/admin/calendar/days/{day}/take-back"),
        lede: Message::new(Msg::ConsoleCalendarConfirmClear)
            .with("day", day)
            .with("kind", kind)
            .with("name", name),
        hidden: vec![("idempotency_key", key.clone())],
        reason: &form.reason,
        command,
    };
    let confirmed = form.confirmed == "yes";
    let (done, errors) =
        match change_calendar(&state, &viewer, change, (day, past, confirmed), key).await {
            Ok(()) => (Done::TakenBack, Vec::new()),
            Err(Stopped::Page(page)) => return page,
            // Not one of the day form's fields: the refusal is said for the page.
            Err(Stopped::Refused(error)) => (
                Done::Nothing,
                vec![FieldError {
                    field: String::new(),
                    text: error.text,
                }],
            ),
        };
    show_calendar(
        &state,
        &viewer,
        blank_day_form(),
        blank_term_form(),
        done,
        errors,
    )
    .await
}
