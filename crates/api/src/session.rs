//! Logging in with a user name and a password, and what a session is for its holder: the
//! session cookie (HttpOnly, SameSite=Lax, Secure behind a declared TLS proxy), its CSRF token,
//! who is logged in, logging out, changing one's own password. A form of the web console posts
//! the same login and carries the same cookie, with the CSRF token in a hidden field;
//! [`cookie`] and [`crate::auth::CSRF_HEADER`] are the one definition of both.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use notoneless_store::accounts::{Login, PasswordChange};
use notoneless_store::passwords::Secret;
use notoneless_store::sessions::{Session, SessionSecret};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, Credential, LOG_OUT_WITH_A_TOKEN, SESSION_COOKIE, request_id};
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;
use crate::org::{OrgWritten, UserView};
use crate::security::source_of;
use crate::state::AppState;

/// The address a request comes from, as the failure limit counts it (`None` without one).
pub struct Source(pub Option<String>);

impl FromRequestParts<AppState> for Source {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Source(
            source_of(parts, &state.security.config.trusted_proxies).map(|a| a.to_string()),
        ))
    }
}

/// The `Set-Cookie` value that gives a browser this session, for as long as it can last.
pub fn cookie(state: &AppState, secret: &SessionSecret, session: &Session) -> String {
    let seconds = (session.expires_at - state.store.clock.now())
        .num_seconds()
        .max(0);
    attributes(
        state,
        &format!("{SESSION_COOKIE}={}", secret.expose()),
        seconds,
    )
}

/// The `Set-Cookie` value that takes the session cookie away.
pub fn clearing_cookie(state: &AppState) -> String {
    attributes(state, &format!("{SESSION_COOKIE}="), 0)
}

/// HttpOnly (no script reads it), SameSite=Lax (sent on a link followed from a WeChat or
/// DingTalk message, never on another site's form or script), Secure behind a TLS proxy.
fn attributes(state: &AppState, value: &str, max_age: i64) -> String {
    let secure = if state.security.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// A login.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The user name.
    pub user: String,
    /// The password (a one-time password the first time, or after a reset).
    #[schema(value_type = String)]
    pub password: Secret,
    /// The password chosen in place of a one-time password (required then); with one's own
    /// password, changes it at once.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    pub new_password: Option<Secret>,
}

/// A session, as its holder sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// The session's public id (the sign-in log names it; it opens nothing).
    pub id: String,
    /// To send with every request that changes something: the `X-CSRF-Token` header, or a
    /// form's `csrf_token` field.
    pub csrf_token: String,
    /// When the session ends however it is used.
    pub expires_at: DateTime<Utc>,
    /// When it ends if it is not used before.
    pub idle_until: DateTime<Utc>,
}

/// Who is logged in, and how.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhoAmI {
    pub user: UserView,
    /// `session` (a password's session cookie) or `token` (a bearer token).
    pub via: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionView>,
}

fn session_view(state: &AppState, session: &Session, secret: &SessionSecret) -> SessionView {
    SessionView {
        id: session.id.clone(),
        csrf_token: secret.csrf_token(),
        expires_at: session.expires_at,
        idle_until: session.idle_until(&state.security.config.sessions),
    }
}

/// Log in with a user name and a password: the answer sets the session cookie and gives the
/// session's CSRF token. A one-time password logs in only with `new_password`, the password
/// chosen in its place. Too many wrong passwords lock the account for a while (429).
#[utoipa::path(post, path = "/api/v1/session", tag = "sessions", request_body = LoginRequest,
    responses(
        (status = 201, body = WhoAmI, headers(("Set-Cookie" = String, description = "The session cookie"))),
        (status = 401, body = ErrorBody, description = "The user name or the password is wrong"),
        (status = 403, body = ErrorBody, description = "A one-time password: choose your own (new_password)"),
        (status = 422, body = ErrorBody, description = "The new password is refused (the message says why)"),
        (status = 429, body = ErrorBody, description = "The account is locked after too many wrong passwords",
            headers(("Retry-After" = u64, description = "Seconds until it opens again")))))]
pub async fn log_in(
    State(state): State<AppState>,
    Source(source): Source,
    headers: HeaderMap,
    JsonBody(login): JsonBody<LoginRequest>,
) -> Result<Response, ApiError> {
    let request_id = request_id(&headers);
    let logged = state
        .store
        .log_in(
            Login {
                user: login.user,
                password: login.password,
                new_password: login.new_password,
            },
            &state.security.config.sessions,
            source.as_deref(),
            &request_id,
        )
        .await
        .map_err(|e| ApiError::account(e, state.store.clock.now()))?;
    let snapshot = state.store.org.current();
    let answer = WhoAmI {
        user: UserView::of(&snapshot.org, &logged.user),
        via: "session",
        session: Some(session_view(&state, &logged.session, &logged.secret)),
    };
    let mut response = (StatusCode::CREATED, Json(answer)).into_response();
    set_cookie(
        &mut response,
        &cookie(&state, &logged.secret, &logged.session),
    )?;
    Ok(response)
}

/// Adds a `Set-Cookie` to an answer (the API's and the console's).
pub fn set_cookie(response: &mut Response, value: &str) -> Result<(), ApiError> {
    let value = HeaderValue::from_str(value).map_err(ApiError::internal)?;
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(())
}

/// Who is logged in: the user, and for a session its CSRF token and when it ends.
#[utoipa::path(get, path = "/api/v1/session", tag = "sessions",
    responses((status = 200, body = WhoAmI)), security(("bearer" = [])))]
pub async fn who_am_i(State(state): State<AppState>, caller: Caller) -> Json<WhoAmI> {
    let snapshot = state.store.org.current();
    let (via, session) = match &caller.credential {
        Credential::Token { .. } => ("token", None),
        Credential::Session { session, secret } => {
            ("session", Some(session_view(&state, session, secret)))
        }
    };
    Json(WhoAmI {
        user: UserView::of(&snapshot.org, &caller.user),
        via,
        session,
    })
}

/// Log out: the session ends and its cookie is taken away. Only in a session (a program
/// revokes its bearer token instead).
#[utoipa::path(delete, path = "/api/v1/session", tag = "sessions",
    responses((status = 204, description = "Logged out", headers(("Set-Cookie" = String, description = "The cookie, emptied"))),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn log_out(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let Credential::Session { session, .. } = &caller.credential else {
        return Err(caller.refused(LOG_OUT_WITH_A_TOKEN));
    };
    let entry = notoneless_store::sessions::SignIn {
        user: Some(&caller.user.id),
        session: Some(&session.id),
        source: None,
        actor: None,
        request_id: &caller.request_id,
    };
    state.store.sessions.end(session, &entry).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_cookie(&mut response, &clearing_cookie(&state))?;
    Ok(response)
}

/// A change of one's own password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    #[schema(value_type = String)]
    pub current_password: Secret,
    #[schema(value_type = String)]
    pub new_password: Secret,
}

/// Change one's own password, giving the current one. Every other session of the user ends;
/// the one it is changed in (if any) carries on.
#[utoipa::path(post, path = "/api/v1/session/password", tag = "sessions", request_body = PasswordChangeRequest,
    responses((status = 200, body = OrgWritten),
        (status = 422, body = ErrorBody, description = "The current password is wrong, or the new one is refused")),
    security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Source(source): Source,
    JsonBody(change): JsonBody<PasswordChangeRequest>,
) -> Result<Json<OrgWritten>, ApiError> {
    let session = match &caller.credential {
        Credential::Session { session, .. } => Some(session),
        Credential::Token { .. } => None,
    };
    let outcome = state
        .store
        .change_own_password(
            &caller.user,
            &PasswordChange {
                current: change.current_password,
                chosen: change.new_password,
            },
            session,
            &state.security.config.sessions,
            source.as_deref(),
            &caller.request_id,
        )
        .await
        .map_err(|e| ApiError::account(e, state.store.clock.now()))?;
    Ok(Json(OrgWritten {
        sequence: outcome.sequence,
        global_position: outcome.global_position,
    }))
}
