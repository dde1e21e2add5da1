//! The admin's pages (issue 17): the organisation's users (`/admin/users`, `ORG_ADMINS`) with
//! a form to add one, and per user a password reset and a deactivation; the school calendar
//! (`/admin/calendar`, `CALENDAR_KEEPERS`) as `GET /api/v1/calendar` answers it, with a form
//! to declare a holiday or a make-up day. Every form is CSRF-checked and calls the API's own
//! handler (`org::add_user`, `org::reset_password`, `org::deactivate_user`,
//! `org::declare_holiday`, `org::declare_make_up_day`): the same checks, the same command
//! path. A one-time password is shown once, in the answer to the form that set it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use notoneless_api::AppState;
use notoneless_api::auth::{CALENDAR_KEEPERS, Caller, ORG_ADMINS};
use notoneless_api::error::ApiError;
use notoneless_api::extract::{JsonBody, PathParam};
use notoneless_api::org::{self, CalendarView};
use notoneless_domain::{CalendarDay, User, UserRole};
use notoneless_i18n::{Lang, Msg};
use notoneless_store::org::CalendarSource;
use serde::Deserialize;

use crate::call::Choice;
use crate::login::{CsrfForm, FieldError};
use crate::reads::refused_role;
use crate::shell::{Shell, Viewer, failed_with, render};
use crate::steps::{field_error, today};

// ---- users ---------------------------------------------------------------------------------

/// The new user's form, as sent (kept to show again with its errors).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    node: String,
}

/// A user as the list shows them.
struct UserRow {
    id: String,
    name: String,
    role: String,
    node: String,
    active: bool,
}

/// A one-time password just set, shown this once.
struct Issued {
    user: String,
    password: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    shell: Shell,
    users: Vec<UserRow>,
    roles: Vec<Choice>,
    form: NewUserForm,
    issued: Option<Issued>,
    /// The user just deactivated.
    deactivated: Option<String>,
    errors: Vec<FieldError>,
}

impl UsersPage {
    /// The form's text fields: name, label, value.
    fn text_fields(&self) -> [(&'static str, Msg, &str); 3] {
        [
            ("id", Msg::ConsoleAdminUserId, &self.form.id),
            ("name", Msg::ConsoleAdminUserName, &self.form.name),
            ("node", Msg::ConsoleAdminUserNode, &self.form.node),
        ]
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }
}

fn users_page(state: &AppState, viewer: &Viewer, form: NewUserForm) -> UsersPage {
    let lang = viewer.lang;
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let users = org
        .users
        .values()
        .map(|user| {
            let view = org::UserView::of(org, user);
            UserRow {
                role: view.role.label().text(lang),
                node: org
                    .nodes
                    .get(&view.node)
                    .map_or_else(|| view.node.clone(), |node| node.name.clone()),
                id: view.id,
                name: view.name,
                active: view.active,
            }
        })
        .collect();
    let roles = UserRole::ALL
        .iter()
        .map(|role| Choice {
            value: role.as_str(),
            text: role.label().text(lang),
            checked: form.role == role.as_str(),
        })
        .collect();
    UsersPage {
        shell: Shell::of(viewer, Msg::ConsoleAdminUsersTitle, "/admin/users"),
        users,
        roles,
        form,
        issued: None,
        deactivated: None,
        errors: Vec::new(),
    }
}

/// The CSRF check and the role check of every admin form.
pub(crate) fn admitted(
    viewer: &Viewer,
    csrf_token: &str,
    permission: notoneless_api::auth::Permission,
) -> Option<Response> {
    if let Some(refused) = viewer.refuse_without_csrf(csrf_token) {
        return Some(refused);
    }
    refused_role(viewer, permission)
}

/// `GET /admin/users`.
pub async fn users(State(state): State<AppState>, viewer: Viewer) -> Response {
    if let Some(refused) = refused_role(&viewer, ORG_ADMINS) {
        return refused;
    }
    render(&users_page(&state, &viewer, NewUserForm::default()))
}

/// `POST /admin/users`: adds the user and shows their one-time password, once; or the form
/// again with each error next to its field.
pub async fn add_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<NewUserForm>,
) -> Response {
    if let Some(refused) = admitted(&viewer, &form.csrf_token, ORG_ADMINS) {
        return refused;
    }
    let lang = viewer.lang;
    let mut errors = Vec::new();
    let mut error = |field: &str, msg: Msg| errors.push(wrong(lang, field, msg));
    if form.id.trim().is_empty() {
        error("id", Msg::ConsoleAdminEnterUserId);
    }
    if form.name.trim().is_empty() {
        error("name", Msg::ConsoleAdminEnterUserName);
    }
    let role = UserRole::ALL
        .into_iter()
        .find(|role| role.as_str() == form.role);
    if role.is_none() {
        error("role", Msg::ConsoleAdminChooseRole);
    }
    if form.node.trim().is_empty() {
        error("node", Msg::ConsoleAdminEnterNode);
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        let mut shown = users_page(&state, &viewer, form);
        shown.errors = errors;
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&shown)).into_response();
    };
    let user = User {
        id: form.id.trim().to_string(),
        name: form.name.trim().to_string(),
        role,
        node: form.node.trim().to_string(),
    };
    match org::add_user(State(state.clone()), caller(&viewer), JsonBody(user)).await {
        Ok(issued) => shown_once(&state, &viewer, &issued.0),
        Err(refused) => refused_on_form(&state, &viewer, form, &refused),
    }
}

/// The users' page with a one-time password just set, shown this once.
fn shown_once(state: &AppState, viewer: &Viewer, issued: &org::IssuedPassword) -> Response {
    let mut shown = users_page(state, viewer, NewUserForm::default());
    shown.issued = Some(Issued {
        user: issued.user.clone(),
        password: issued.one_time_password.clone(),
    });
    render(&shown)
}

/// A form's field and what is wrong with it, in the reader's language.
fn wrong(lang: Lang, field: &str, msg: Msg) -> FieldError {
    FieldError {
        field: field.to_string(),
        text: msg.text(lang),
    }
}

/// A refusal of the API's naming a field of the form, next to it; any other as its page.
fn refused_on_form(
    state: &AppState,
    viewer: &Viewer,
    form: NewUserForm,
    refused: &ApiError,
) -> Response {
    if refused.field().is_none() && refused.status() != StatusCode::UNPROCESSABLE_ENTITY {
        return failed_with(viewer.lang, refused);
    }
    let mut shown = users_page(state, viewer, form);
    shown.errors = vec![field_error(viewer.lang, refused)];
    (refused.status(), render(&shown)).into_response()
}

fn caller(viewer: &Viewer) -> Caller {
    viewer.caller.clone()
}

/// `POST /admin/users/{user_id}/password-reset`: a new one-time password, shown once.
pub async fn reset_password(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(user): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = admitted(&viewer, &form.csrf_token, ORG_ADMINS) {
        return refused;
    }
    match org::reset_password(State(state.clone()), caller(&viewer), PathParam(user)).await {
        Ok((_, issued)) => shown_once(&state, &viewer, &issued.0),
        Err(refused) => failed_with(viewer.lang, &refused),
    }
}

/// `POST /admin/users/{user_id}/deactivation`: the user's sessions and tokens stop working.
pub async fn deactivate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(user): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = admitted(&viewer, &form.csrf_token, ORG_ADMINS) {
        return refused;
    }
    match org::deactivate_user(
        State(state.clone()),
        caller(&viewer),
        PathParam(user.clone()),
    )
    .await
    {
        Ok(_) => {
            let mut shown = users_page(&state, &viewer, NewUserForm::default());
            shown.deactivated = Some(user);
            render(&shown)
        }
        Err(refused) => failed_with(viewer.lang, &refused),
    }
}

// ---- calendar ------------------------------------------------------------------------------

/// The declaration's form, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DayForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    /// The tick box that confirms a retroactive declaration.
    #[serde(default)]
    confirm_retroactive: String,
}

/// A line of the calendar: a term, a holiday or a make-up day, and where it comes from.
struct CalendarRow {
    what: String,
    when: String,
    name: String,
    source: String,
    retroactive: bool,
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
    /// The day asked for has passed: the form asks for the tick box.
    asks_confirmation: bool,
    declared: bool,
    errors: Vec<FieldError>,
}

impl CalendarPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }
}

const KINDS: [(&str, Msg); 2] = [
    ("holiday", Msg::ConsoleAdminHoliday),
    ("make_up_day", Msg::ConsoleAdminMakeUpDay),
];

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

fn calendar_page(
    viewer: &Viewer,
    view: CalendarView,
    form: DayForm,
    errors: Vec<FieldError>,
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
        })
        .collect();
    days.extend(view.configured_days.iter().map(|day| CalendarRow {
        what: kind_label(lang, &day.kind),
        when: lang.day(day.day),
        name: String::new(),
        source: Msg::ConsoleAdminFromConfiguration.text(lang),
        retroactive: false,
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
        asks_confirmation: false,
        declared: false,
        errors,
    }
}

/// The calendar in force, as the API answers `GET /api/v1/calendar`.
async fn calendar_view(state: &AppState) -> Result<CalendarView, ApiError> {
    org::get_calendar(State(state.clone()))
        .await
        .map(|json| json.0)
}

/// `GET /admin/calendar`.
pub async fn calendar(State(state): State<AppState>, viewer: Viewer) -> Response {
    if let Some(refused) = refused_role(&viewer, CALENDAR_KEEPERS) {
        return refused;
    }
    match calendar_view(&state).await {
        Ok(view) => {
            let form = DayForm {
                kind: "holiday".into(),
                ..DayForm::default()
            };
            render(&calendar_page(&viewer, view, form, Vec::new()))
        }
        Err(refused) => failed_with(viewer.lang, &refused),
    }
}

/// `POST /admin/calendar`: declares the holiday or make-up day; a day already past only
/// with the tick box that confirms the retroactive change.
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
    let day = NaiveDate::parse_from_str(form.day.trim(), "%Y-%m-%d").ok();
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
    let past = day.is_some_and(|day| day < today(&state));
    if past && form.confirm_retroactive != "yes" {
        error("confirm_retroactive", Msg::ConsoleAdminConfirmRetroactive);
    }
    let (Some(day), Some((kind, _)), true) = (day, kind, errors.is_empty()) else {
        return match calendar_view(&state).await {
            Ok(view) => {
                let mut shown = calendar_page(&viewer, view, form, errors);
                shown.asks_confirmation = past;
                (StatusCode::UNPROCESSABLE_ENTITY, render(&shown)).into_response()
            }
            Err(refused) => failed_with(lang, &refused),
        };
    };
    let declared = CalendarDay {
        day,
        name: form.name.trim().to_string(),
    };
    let written = if *kind == "holiday" {
        org::declare_holiday(State(state.clone()), caller(&viewer), JsonBody(declared)).await
    } else {
        org::declare_make_up_day(State(state.clone()), caller(&viewer), JsonBody(declared)).await
    };
    let view = match calendar_view(&state).await {
        Ok(view) => view,
        Err(refused) => return failed_with(lang, &refused),
    };
    match written {
        Ok(_) => {
            let form = DayForm {
                kind: "holiday".into(),
                ..DayForm::default()
            };
            let mut shown = calendar_page(&viewer, view, form, Vec::new());
            shown.declared = true;
            render(&shown)
        }
        Err(refused) => {
            let status = refused.status();
            let mut shown = calendar_page(&viewer, view, form, vec![field_error(lang, &refused)]);
            shown.asks_confirmation = past;
            (status, render(&shown)).into_response()
        }
    }
}
