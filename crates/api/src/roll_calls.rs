//! The daily roll call (零报告) over HTTP: a school's staff submit each class's roll call;
//! anyone who sees the school can read them.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use notoneless_domain::RollCall;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Caller, VisibleSchool, idempotency_key};
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct RollCallWritten {
    pub school: String,
    pub sequence: u64,
    pub global_position: i64,
    pub replayed: bool,
}

/// Submit one class's roll call for one day; every child absent is named.
#[utoipa::path(post, path = "/api/v1/schools/{school}/roll-calls", tag = "roll calls",
    params(("school" = String, Path, description = "The school's node id"),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 200, pattern = r"^[!-~]([ -~]*[!-~])?$", description = "1 to 200 visible ASCII characters (inner spaces allowed). The same key again returns the first result and writes nothing")),
    request_body = RollCall,
    responses((status = 200, body = RollCallWritten), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn submit_roll_call(
    State(state): State<AppState>,
    caller: Caller,
    VisibleSchool(school): VisibleSchool,
    headers: HeaderMap,
    JsonBody(roll_call): JsonBody<RollCall>,
) -> Result<Json<RollCallWritten>, ApiError> {
    let context = caller.context(idempotency_key(&headers)?);
    let outcome = state
        .store
        .roll_calls
        .submit(&school, roll_call, &context)
        .await?;
    Ok(Json(RollCallWritten {
        school,
        sequence: outcome.sequence,
        global_position: outcome.global_position,
        replayed: outcome.replayed,
    }))
}

/// A school's roll calls, in the order they were submitted.
#[utoipa::path(get, path = "/api/v1/schools/{school}/roll-calls", tag = "roll calls",
    params(("school" = String, Path, description = "The school's node id")),
    responses((status = 200, body = Vec<RollCall>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_roll_calls(
    State(state): State<AppState>,
    VisibleSchool(school): VisibleSchool,
) -> Result<(StatusCode, Json<Vec<RollCall>>), ApiError> {
    let roll_calls = state.store.roll_calls.of_school(&school, None).await?;
    Ok((
        StatusCode::OK,
        Json(roll_calls.into_iter().map(|(_, r)| r).collect()),
    ))
}
