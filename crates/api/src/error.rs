//! One error type for every handler. Each variant says its status; internal failures keep
//! their cause (logged with the request's span, answered without its details). Every text is
//! the catalogue's (`notoneless_i18n`), written in the language the request asked for
//! ([`LANG`], set for each request by `layers.rs`).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use notoneless_domain::{CaseError, OrgError, UserRole};
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::accounts::{AccessRefusal, AccountError};
use notoneless_store::sessions::SessionEnded;
use notoneless_store::table::ExportError;
use notoneless_store::{CommandError, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// A failure kept with its cause, for the log.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

tokio::task_local! {
    /// The language of the request being answered (`layers.rs` sets it from the
    /// `Accept-Language` header); Chinese outside a request.
    pub static LANG: Lang;
}

/// The language of the request being answered.
pub fn request_lang() -> Lang {
    LANG.try_with(|lang| *lang).unwrap_or_default()
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code: malformed, unauthenticated, rate_limited, forbidden, not_found,
    /// method_not_allowed, conflict, rejected, too_large, unavailable, internal.
    pub error: &'static str,
    pub message: String,
    /// The request field at fault, where there is one (dotted for nested fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Why a write was refused as a conflict (409); nothing was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// Others kept writing the same record while this one was being written.
    ConcurrentWrite,
    /// The `Idempotency-Key` was used before for a different request.
    KeyReused,
}

#[derive(Debug)]
pub enum ApiError {
    /// 400: the request could not be read (bad JSON, wrong type, unknown field, bad date).
    Malformed {
        message: Message,
        field: Option<String>,
    },
    /// 401: no valid bearer token.
    Unauthenticated,
    /// 401: the bearer token was valid, but its time is up.
    TokenExpired { expired_at: DateTime<Utc> },
    /// 429: too many failed bearer-token attempts from the caller's address; try again after
    /// this many seconds.
    TooManyFailures { retry_after: u64 },
    /// 401: the session cookie no longer logs anyone in (the message says why).
    SessionEnded(SessionEnded),
    /// 403: a request that changes something, made with a session cookie, without the
    /// session's CSRF token.
    CsrfRequired,
    /// A login or a change of password refused: 401 (wrong user name or password), 403 (a
    /// one-time password without the password chosen in its place), 422 (a wrong current
    /// password, a new password the rules refuse).
    Account(AccessRefusal),
    /// 429: the account is locked after too many wrong passwords; try again after this many
    /// seconds (or have the password reset).
    AccountLocked {
        refusal: AccessRefusal,
        retry_after: u64,
    },
    /// 403: the caller's role or jurisdiction does not allow this.
    Forbidden {
        role: UserRole,
        /// What was refused, as a verb phrase ("report upward").
        action: Msg,
    },
    /// 404: nothing there, or nothing the caller may see (the two are not told apart).
    NotFound,
    /// 405: the path has no such method (the `Allow` header lists those it has).
    MethodNotAllowed,
    /// 409: a conflicting write won, or the idempotency key was used for another command.
    Conflict(Conflict),
    /// 409: the child already has an open case file (said as the caller may read it:
    /// `cases::commands::one_case_refusal`); nothing was written.
    ChildHasCase(Message),
    /// 413: the body is larger than allowed.
    TooLarge,
    /// 422: a domain rule refused the command.
    Rejected {
        message: Message,
        field: Option<String>,
    },
    /// 503: the database (or the access log) is unavailable; try again.
    Unavailable(Cause),
    /// 503: the request took longer than the limit ([`crate::layers::REQUEST_TIME_LIMIT`])
    /// and was stopped; what it had written in full stays written, what it had half written
    /// is not.
    TimedOut { limit: std::time::Duration },
    /// 500: something failed that is not the caller's doing; the cause is in the log.
    Internal(Cause),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message().text(Lang::En))
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ApiError::Unavailable(cause) | ApiError::Internal(cause) => Some(cause.as_ref()),
            _ => None,
        }
    }
}

/// `field: text`, in the catalogue's words.
pub fn with_field(field: &str, text: Message) -> Message {
    Message::new(Msg::FieldMessage)
        .with("field", field)
        .with("text", text)
}

/// An error and its causes, one after the other, for the log.
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl ApiError {
    /// The answer's HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status_and_code().0
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Malformed { .. } => (StatusCode::BAD_REQUEST, "malformed"),
            ApiError::Unauthenticated | ApiError::TokenExpired { .. } => {
                (StatusCode::UNAUTHORIZED, "unauthenticated")
            }
            ApiError::TooManyFailures { .. } | ApiError::AccountLocked { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
            }
            ApiError::SessionEnded(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            ApiError::CsrfRequired => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Account(refusal) => match refusal {
                AccessRefusal::WrongCredentials => (StatusCode::UNAUTHORIZED, "unauthenticated"),
                AccessRefusal::OneTimePassword => (StatusCode::FORBIDDEN, "forbidden"),
                AccessRefusal::Locked { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
                AccessRefusal::WrongCurrentPassword | AccessRefusal::NewPassword(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "rejected")
                }
            },
            ApiError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::Conflict(_) | ApiError::ChildHasCase(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Rejected { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "rejected"),
            ApiError::Unavailable(_) | ApiError::TimedOut { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// A 400 whose message is given whole (it names its field itself where it should).
    pub fn malformed(message: impl Into<Message>, field: Option<&str>) -> Self {
        ApiError::Malformed {
            message: message.into(),
            field: field.map(str::to_string),
        }
    }

    /// A 400 about this field: `field: text`.
    pub fn malformed_field(field: &str, text: impl Into<Message>) -> Self {
        ApiError::Malformed {
            message: with_field(field, text.into()),
            field: Some(field.to_string()),
        }
    }

    /// A 422 about this field: `field: text`.
    pub fn rejected_field(field: &str, text: impl Into<Message>) -> Self {
        ApiError::Rejected {
            message: with_field(field, text.into()),
            field: Some(field.to_string()),
        }
    }

    /// What the error says, in the catalogue's words.
    pub fn message(&self) -> Message {
        match self {
            ApiError::Malformed { message, .. }
            | ApiError::Rejected { message, .. }
            | ApiError::ChildHasCase(message) => message.clone(),
            ApiError::Unauthenticated => Msg::Unauthenticated.into(),
            ApiError::TokenExpired { expired_at } => Message::new(Msg::TokenExpired).with(
                "expired_at",
                expired_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
            ApiError::TooManyFailures { retry_after } => {
                Message::new(Msg::TooManyFailures).with("retry_after", *retry_after)
            }
            ApiError::SessionEnded(ended) => ended.message(),
            ApiError::CsrfRequired => Msg::CsrfRequired.into(),
            ApiError::Account(refusal) | ApiError::AccountLocked { refusal, .. } => {
                match refusal.field() {
                    Some(field) => with_field(field, refusal.message()),
                    None => refusal.message(),
                }
            }
            ApiError::Forbidden { role, action } => Message::new(Msg::Forbidden)
                .with("role", role.as_str())
                .with("role_label", role.label())
                .with("action", *action),
            ApiError::NotFound => Msg::NotFound.into(),
            ApiError::MethodNotAllowed => Msg::MethodNotAllowed.into(),
            ApiError::Conflict(Conflict::ConcurrentWrite) => Msg::ConflictConcurrentWrite.into(),
            ApiError::Conflict(Conflict::KeyReused) => Msg::ConflictKeyReused.into(),
            ApiError::TooLarge => Msg::TooLarge.into(),
            ApiError::Unavailable(_) => Msg::Unavailable.into(),
            ApiError::TimedOut { limit } => {
                Message::new(Msg::TimedOut).with("seconds", limit.as_secs_f64().to_string())
            }
            ApiError::Internal(_) => Msg::Internal.into(),
        }
    }

    /// A 500 for this cause.
    pub fn internal(cause: impl Into<Cause>) -> Self {
        ApiError::Internal(cause.into())
    }

    /// An account operation's failure, at `now` (for how long a locked account waits).
    pub fn account(error: AccountError, now: DateTime<Utc>) -> Self {
        match error {
            AccountError::Refused(refusal @ AccessRefusal::Locked { until }) => {
                let millis = u64::try_from((until - now).num_milliseconds()).unwrap_or(0);
                ApiError::AccountLocked {
                    refusal,
                    retry_after: millis.div_ceil(1000).max(1),
                }
            }
            AccountError::Refused(refusal) => ApiError::Account(refusal),
            AccountError::Command(error) => error.into(),
        }
    }

    /// The request's field at fault, where there is one.
    pub fn field(&self) -> Option<String> {
        match self {
            ApiError::Malformed { field, .. } | ApiError::Rejected { field, .. } => field.clone(),
            ApiError::Account(refusal) => refusal.field().map(str::to_string),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = self.status_and_code();
        let field = self.field();
        match &self {
            ApiError::Internal(_) => tracing::error!(error = %Chain(&self), "internal error"),
            ApiError::Unavailable(_) => {
                tracing::warn!(error = %Chain(&self), "database unavailable");
            }
            ApiError::TimedOut { .. } => {
                tracing::warn!("a request was stopped at the time limit");
            }
            _ => {}
        }
        let challenge = match &self {
            ApiError::Unauthenticated => Some("Bearer"),
            ApiError::TokenExpired { .. } => {
                Some("Bearer error=\"invalid_token\", error_description=\"the token expired\"")
            }
            _ => None,
        };
        let mut response = (
            status,
            Json(ErrorBody {
                error,
                message: self.message().text(request_lang()),
                field,
            }),
        )
            .into_response();
        if let ApiError::TooManyFailures { retry_after }
        | ApiError::AccountLocked { retry_after, .. } = &self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        if let Some(challenge) = challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => ApiError::Unavailable(error.into()),
            StoreError::Conflict => ApiError::Conflict(Conflict::ConcurrentWrite),
            other => ApiError::internal(other),
        }
    }
}

impl From<ExportError> for ApiError {
    fn from(error: ExportError) -> Self {
        ApiError::internal(error)
    }
}

impl From<CommandError<CaseError>> for ApiError {
    fn from(error: CommandError<CaseError>) -> Self {
        match error {
            CommandError::Rejected(e) => match e.field() {
                Some(field) => ApiError::rejected_field(field, e.message()),
                None => ApiError::Rejected {
                    message: e.message(),
                    field: None,
                },
            },
            other => command_failure(other),
        }
    }
}

impl From<CommandError<OrgError>> for ApiError {
    fn from(error: CommandError<OrgError>) -> Self {
        match error {
            CommandError::Rejected(e) => ApiError::rejected_field(e.field(), e.message()),
            other => command_failure(other),
        }
    }
}

fn command_failure<E: std::fmt::Debug>(error: CommandError<E>) -> ApiError {
    match error {
        CommandError::Conflict { attempts } => {
            tracing::info!(attempts, "a command lost to concurrent writes every time");
            ApiError::Conflict(Conflict::ConcurrentWrite)
        }
        CommandError::KeyReused => ApiError::Conflict(Conflict::KeyReused),
        CommandError::Store(e) => e.into(),
        CommandError::Rejected(refusal) => {
            ApiError::internal(format!("a refusal reached the wrong handler: {refusal:?}"))
        }
        // Said only by `cases::commands::one_case_refusal`, which knows what the caller sees.
        CommandError::OneCase(refusal) => {
            ApiError::internal(format!("a refusal reached the wrong handler: {refusal:?}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_role_in_the_language_asked_for() {
        let refusal = |role| ApiError::Forbidden {
            role,
            action: Msg::ActionReportUpward,
        };
        assert_eq!(
            refusal(UserRole::HeadTeacher).to_string(),
            "a head teacher may not report upward"
        );
        assert_eq!(
            refusal(UserRole::Inspector).to_string(),
            "an inspector may not report upward"
        );
        assert_eq!(
            refusal(UserRole::HeadTeacher).message().text(Lang::Zh),
            "班主任无权向上级报告"
        );
    }

    #[test]
    fn an_internal_error_logs_its_whole_cause_and_answers_none_of_it() {
        let cause = StoreError::Database("relation \"events\" does not exist".into());
        let error = ApiError::from(cause);
        assert_eq!(
            Chain(&error).to_string(),
            "internal error; the details are in the server's log: \
             database error: relation \"events\" does not exist"
        );
        assert!(!error.to_string().contains("relation"));
    }
}
