//! One error type for every handler. Each variant says its status; internal failures keep
//! their cause (logged with the request's span, answered without its details).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use notoneless_domain::{CaseError, OrgError, UserRole};
use notoneless_store::table::ExportError;
use notoneless_store::{CommandError, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// A failure kept with its cause, for the log.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

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

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request could not be read (bad JSON, wrong type, unknown field, bad date).
    #[error("{message}")]
    Malformed {
        message: String,
        field: Option<String>,
    },
    /// 401: no valid bearer token.
    #[error("a valid bearer token is required")]
    Unauthenticated,
    /// 401: the bearer token was valid, but its time is up.
    #[error(
        "the bearer token expired at {}; ask an admin for a new one",
        .expired_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )]
    TokenExpired { expired_at: DateTime<Utc> },
    /// 429: too many failed bearer-token attempts from the caller's address; try again after
    /// this many seconds.
    #[error(
        "too many failed attempts to authenticate from this address; try again in {retry_after} s"
    )]
    TooManyFailures { retry_after: u64 },
    /// 403: the caller's role or jurisdiction does not allow this.
    #[error("{} {} may not {action}", article(role.as_str()), role.as_str())]
    Forbidden {
        role: UserRole,
        /// What was refused, as a verb phrase ("report upward").
        action: &'static str,
    },
    /// 404: nothing there, or nothing the caller may see (the two are not told apart).
    #[error("not found")]
    NotFound,
    /// 405: the path has no such method (the `Allow` header lists those it has).
    #[error("the path has no such method; the Allow header lists those it has")]
    MethodNotAllowed,
    /// 409: a conflicting write won, or the idempotency key was used for another command.
    #[error("{}", match .0 {
        Conflict::ConcurrentWrite =>
            "others kept changing the same record at the same time; nothing was written, try again",
        Conflict::KeyReused => "the Idempotency-Key was already used for a different request",
    })]
    Conflict(Conflict),
    /// 413: the body is larger than allowed.
    #[error("the request body is too large")]
    TooLarge,
    /// 422: a domain rule refused the command.
    #[error("{message}")]
    Rejected {
        message: String,
        field: Option<String>,
    },
    /// 503: the database (or the access log) is unavailable; try again.
    #[error("the database is unavailable; try again shortly")]
    Unavailable(#[source] Cause),
    /// 503: the request took longer than the limit ([`crate::layers::REQUEST_TIME_LIMIT`])
    /// and was stopped; what it had written in full stays written, what it had half written
    /// is not.
    #[error(
        "the request took longer than {} s and was stopped; try again (a write retried with \
         the same Idempotency-Key is not made twice)",
        .limit.as_secs_f64()
    )]
    TimedOut { limit: std::time::Duration },
    /// 500: something failed that is not the caller's doing; the cause is in the log.
    #[error("internal error; the details are in the server's log")]
    Internal(#[source] Cause),
}

/// "a" or "an", for a role's name.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
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
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Malformed { .. } => (StatusCode::BAD_REQUEST, "malformed"),
            ApiError::Unauthenticated | ApiError::TokenExpired { .. } => {
                (StatusCode::UNAUTHORIZED, "unauthenticated")
            }
            ApiError::TooManyFailures { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Rejected { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "rejected"),
            ApiError::Unavailable(_) | ApiError::TimedOut { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    pub fn malformed(message: impl Into<String>, field: Option<&str>) -> Self {
        ApiError::Malformed {
            message: message.into(),
            field: field.map(str::to_string),
        }
    }

    /// A 500 for this cause.
    pub fn internal(cause: impl Into<Cause>) -> Self {
        ApiError::Internal(cause.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = self.status_and_code();
        let field = match &self {
            ApiError::Malformed { field, .. } | ApiError::Rejected { field, .. } => field.clone(),
            _ => None,
        };
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
                message: self.to_string(),
                field,
            }),
        )
            .into_response();
        if let ApiError::TooManyFailures { retry_after } = &self {
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
            CommandError::Rejected(e) => ApiError::Rejected {
                message: e.to_string(),
                field: e.field().map(str::to_string),
            },
            other => command_failure(other),
        }
    }
}

impl From<CommandError<OrgError>> for ApiError {
    fn from(error: CommandError<OrgError>) -> Self {
        match error {
            CommandError::Rejected(e) => ApiError::Rejected {
                message: e.to_string(),
                field: Some(e.field().to_string()),
            },
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_role_with_its_article() {
        let refusal = |role| ApiError::Forbidden {
            role,
            action: "report upward",
        };
        assert_eq!(
            refusal(UserRole::HeadTeacher).to_string(),
            "a head_teacher may not report upward"
        );
        assert_eq!(
            refusal(UserRole::Inspector).to_string(),
            "an inspector may not report upward"
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
