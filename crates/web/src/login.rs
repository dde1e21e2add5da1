//! Logging in with a user name and a password (the store's login, as `POST /api/v1/session`
//! does), the first login's change of a one-time password, logging out, and the language
//! switch. A login form is refused when the browser says it was posted from another site
//! (`Origin`), so no other site can log a reader in as someone else.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use notoneless_api::AppState;
use notoneless_api::auth::{Caller, Credential, request_id};
use notoneless_api::error::ApiError;
use notoneless_api::session::{Source, clearing_cookie, cookie, set_cookie};
use notoneless_domain::MIN_PASSWORD_CHARS;
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::accounts::{AccessRefusal, AccountError, Login};
use notoneless_store::passwords::Secret;
use notoneless_store::sessions::SignIn;
use serde::Deserialize;

use crate::shell::{LANG_COOKIE, Shell, Viewer, lang_of, render};

/// An error shown at the top of a form, and next to its field.
pub struct FieldError {
    /// The form field's name (`user`, `password`, `new_password`), or empty for the form.
    pub field: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    shell: Shell,
    user: String,
    /// Ask for a new password too (a one-time password's first login).
    choose_password: bool,
    password_hint: String,
    errors: Vec<FieldError>,
}

impl LoginPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// The error shown next to a form's field, if there is one.
pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.text.as_str())
}

/// What a new password must be, in the reader's language.
fn password_hint(lang: Lang) -> String {
    Message::new(Msg::ConsoleNewPasswordHint)
        .with("min", MIN_PASSWORD_CHARS)
        .text(lang)
}

/// `GET /login`: the login form (the home page for someone already signed in).
pub async fn form(signed_in: Result<Caller, ApiError>, headers: HeaderMap) -> Response {
    if signed_in.is_ok() {
        return Redirect::to("/").into_response();
    }
    render(&LoginPage {
        shell: Shell::anonymous(lang_of(&headers), Msg::ConsoleLoginTitle, "/login"),
        user: String::new(),
        choose_password: false,
        password_hint: password_hint(lang_of(&headers)),
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    new_password: String,
}

/// `POST /login`: logs in, sets the session cookie and goes to the home page; or shows the
/// form again with what is wrong next to its field.
pub async fn submit(
    State(state): State<AppState>,
    Source(source): Source,
    headers: HeaderMap,
    Form(login): Form<LoginForm>,
) -> Response {
    let lang = lang_of(&headers);
    let page = |errors: Vec<FieldError>, choose_password: bool, user: String| {
        render(&LoginPage {
            shell: Shell::anonymous(lang, Msg::ConsoleLoginTitle, "/login"),
            user,
            choose_password,
            password_hint: password_hint(lang),
            errors,
        })
    };
    if !same_origin(&headers) {
        let error = FieldError {
            field: String::new(),
            text: Msg::ConsoleFormFromElsewhere.text(lang),
        };
        return (StatusCode::FORBIDDEN, page(vec![error], false, login.user)).into_response();
    }
    let mut missing = Vec::new();
    if login.user.trim().is_empty() {
        missing.push(("user", Msg::ConsoleEnterUser));
    }
    if login.password.is_empty() {
        missing.push(("password", Msg::ConsoleEnterPassword));
    }
    if !missing.is_empty() {
        let errors = missing
            .into_iter()
            .map(|(field, msg)| FieldError {
                field: field.to_string(),
                text: msg.text(lang),
            })
            .collect();
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(errors, !login.new_password.is_empty(), login.user),
        )
            .into_response();
    }
    let user = login.user.trim().to_string();
    let choosing = !login.new_password.is_empty();
    let logged = state
        .store
        .log_in(
            Login {
                user: user.clone(),
                password: Secret::new(login.password),
                new_password: choosing.then(|| Secret::new(login.new_password)),
            },
            &state.security.config.sessions,
            source.as_deref(),
            &request_id(&headers),
        )
        .await;
    match logged {
        Ok(logged) => {
            let mut response = Redirect::to("/").into_response();
            let _ = set_cookie(
                &mut response,
                &cookie(&state, &logged.secret, &logged.session),
            );
            response
        }
        Err(error) => {
            let choose = choosing
                || matches!(
                    error,
                    AccountError::Refused(
                        AccessRefusal::OneTimePassword | AccessRefusal::NewPassword(_)
                    )
                );
            let error = ApiError::account(error, state.store.clock.now());
            let status = error.status();
            let shown = FieldError {
                field: error.field().unwrap_or_default(),
                text: error.message().text(lang),
            };
            (status, page(vec![shown], choose, user)).into_response()
        }
    }
}

/// Whether a form was posted from this site: the browser's `Origin` names this host (a
/// browser that sends none is not told apart).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority == host)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf_token: String,
}

/// `POST /logout`: ends the session (with the form's CSRF token) and takes the cookie away.
pub async fn log_out(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = viewer.refuse_without_csrf(&form.csrf_token) {
        return refused;
    }
    if let Credential::Session { session, .. } = &viewer.caller.credential {
        let entry = SignIn {
            user: Some(&viewer.caller.user.id),
            session: Some(&session.id),
            source: None,
            actor: None,
            request_id: &viewer.caller.request_id,
        };
        if let Err(error) = state.store.sessions.end(session, &entry).await {
            tracing::error!(%error, "a session could not be ended");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let mut response = Redirect::to("/login").into_response();
    let _ = set_cookie(&mut response, &clearing_cookie(&state));
    response
}

#[derive(Deserialize)]
pub struct Back {
    #[serde(default)]
    back: String,
}

/// `GET /lang/{zh|en}?back=/path`: keeps the reader's language in a cookie for a year and
/// goes back to the page (a path of this site only).
pub async fn switch_language(Path(code): Path<String>, Query(back): Query<Back>) -> Response {
    let Ok(lang) = code.parse::<Lang>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let back = if back.back.starts_with('/') && !back.back.starts_with("//") {
        back.back
    } else {
        "/".to_string()
    };
    let mut response = Redirect::to(&back).into_response();
    let value = format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
    let _ = set_cookie(&mut response, &value);
    response
}
