//! The daily roll call (零报告) over HTTP: a school's staff submit each class's roll call;
//! anyone who sees the school can read them.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use notoneless_domain::{NodeKind, RollCall, UserRole};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Caller, sees_school};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{JsonBody, PathParam};

/// Who submits a school's roll calls.
pub const ROLL_CALLERS: &[UserRole] = &[
    UserRole::HeadTeacher,
    UserRole::SchoolLeader,
    UserRole::Principal,
];

#[derive(Debug, Serialize, ToSchema)]
pub struct RollCallWritten {
    pub school: String,
    pub sequence: u64,
    pub global_position: i64,
    pub replayed: bool,
}

fn visible_school(state: &AppState, caller: &Caller, school: &str) -> Result<(), ApiError> {
    let snapshot = state.store.org.current();
    let is_school = snapshot
        .org
        .nodes
        .get(school)
        .is_some_and(|n| n.kind == NodeKind::School);
    if is_school && sees_school(&snapshot.org, &caller.user, school) {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
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
    PathParam(school): PathParam<String>,
    headers: HeaderMap,
    JsonBody(roll_call): JsonBody<RollCall>,
) -> Result<Json<RollCallWritten>, ApiError> {
    if !ROLL_CALLERS.contains(&caller.user.role) {
        return Err(ApiError::Forbidden(format!(
            "a {} may not submit a roll call",
            caller.user.role.as_str()
        )));
    }
    visible_school(&state, &caller, &school)?;
    let context = caller.context(crate::auth::idempotency_key(&headers)?);
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
    caller: Caller,
    PathParam(school): PathParam<String>,
) -> Result<(StatusCode, Json<Vec<RollCall>>), ApiError> {
    visible_school(&state, &caller, &school)?;
    let roll_calls = state.store.roll_calls.of_school(&school, None).await?;
    Ok((
        StatusCode::OK,
        Json(roll_calls.into_iter().map(|(_, r)| r).collect()),
    ))
}
