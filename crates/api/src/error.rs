//! One error type for every handler. Each variant says its status; internal failures are
//! logged with the request id and answered without their details.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use notoneless_domain::{CaseError, OrgError};
use notoneless_store::table::ExportError;
use notoneless_store::{CommandError, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

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
    #[error("{0}")]
    Forbidden(String),
    /// 404: nothing there, or nothing the caller may see (the two are not told apart).
    #[error("not found")]
    NotFound,
    /// 405: the path has no such method (the `Allow` header lists those it has).
    #[error("the path has no such method; the Allow header lists those it has")]
    MethodNotAllowed,
    /// 409: a conflicting write won, or the idempotency key was used for another command.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is larger than allowed.
    #[error("the request body is too large")]
    TooLarge,
    /// 422: a domain rule refused the command.
    #[error("{message}")]
    Rejected {
        message: String,
        field: Option<String>,
    },
    /// 503: the database is unavailable; try again.
    #[error("{0}")]
    Unavailable(String),
    /// 503: the request took longer than the limit ([`crate::REQUEST_TIME_LIMIT`]) and was
    /// stopped; what it had written in full stays written, what it had half written is not.
    #[error(
        "the request took longer than {} s and was stopped; try again (a write retried with \
         the same Idempotency-Key is not made twice)",
        .limit.as_secs_f64()
    )]
    TimedOut { limit: std::time::Duration },
    /// 500: something failed that is not the caller's doing; the details are in the log.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Malformed { .. } => (StatusCode::BAD_REQUEST, "malformed"),
            ApiError::Unauthenticated | ApiError::TokenExpired { .. } => {
                (StatusCode::UNAUTHORIZED, "unauthenticated")
            }
            ApiError::TooManyFailures { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
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
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = self.status_and_code();
        let field = match &self {
            ApiError::Malformed { field, .. } | ApiError::Rejected { field, .. } => field.clone(),
            _ => None,
        };
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "internal error; the details are in the server's log".to_string()
            }
            ApiError::Unavailable(detail) => {
                tracing::warn!(%detail, "database unavailable");
                "the database is unavailable; try again shortly".to_string()
            }
            ApiError::TimedOut { .. } => {
                tracing::warn!("a request was stopped at the time limit");
                self.to_string()
            }
            other => other.to_string(),
        };
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
                message,
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
            StoreError::Unavailable(detail) => ApiError::Unavailable(detail),
            StoreError::Conflict => ApiError::Conflict("a concurrent write won; try again".into()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<ExportError> for ApiError {
    fn from(error: ExportError) -> Self {
        ApiError::Internal(error.to_string())
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

fn command_failure<E>(error: CommandError<E>) -> ApiError {
    match error {
        CommandError::Conflict { attempts } => ApiError::Conflict(format!(
            "the record was changed by someone else {attempts} times in a row; nothing was written, try again"
        )),
        CommandError::KeyReused => ApiError::Conflict(
            "the Idempotency-Key was already used for a different request".into(),
        ),
        CommandError::Store(e) => e.into(),
        CommandError::Rejected(_) => ApiError::Internal("unhandled refusal".into()),
    }
}
