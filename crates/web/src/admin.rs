//! The admin's pages (issue 17): the organisation's users (`/admin/users`, `ORG_ADMINS`) with
//! a form to add one, and per user a password reset and a deactivation (the school calendar
//! is `calendar.rs`). Every form is CSRF-checked and calls the API's own handler
//! (`org::add_user`, `org::reset_password`, `org::deactivate_user`): the same checks, the
//! same command path. A one-time password is shown once, in the answer to the form that set
//! it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use notoneless_api::AppState;
use notoneless_api::auth::{Caller, ORG_ADMINS};
use notoneless_api::error::ApiError;
use notoneless_api::extract::{JsonBody, PathParam};
use notoneless_api::org;
use notoneless_domain::{User, UserRole};
use notoneless_i18n::{Lang, Msg};
use serde::Deserialize;

use crate::call::Choice;
use crate::login::{CsrfForm, FieldError};
use crate::reads::refused_role;
use crate::shell::{Shell, Viewer, failed_with, render};
use crate::steps::field_error;

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

/// The CSRF check and the role check of every admin form (the calendar's too).
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
pub(crate) fn wrong(lang: Lang, field: &str, msg: Msg) -> FieldError {
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
