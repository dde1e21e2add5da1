//! The daily roll call (零报告) over HTTP: a school's staff submit each class's roll call;
//! anyone who sees the school can read them.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use notoneless_domain::RollCall;
use serde::Serialize;
use utoipa::ToSchema;

use notoneless_store::school_files::{RollCallFileReport, import_roll_call_file};

use crate::auth::{Caller, VisibleSchool, idempotency_key};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{JsonBody, QueryParams};
use crate::state::AppState;
use crate::uploads::{Imported, ListFile, RowsRefused, Upload, UploadQuery};

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

/// Import a school's roll calls from its file, the body being the file's bytes (CSV in UTF-8
/// or GBK/GB18030, or XLSX): one row per class and day
/// (`date,class,enrolled,present,absent`, `absent` as `学籍号:姓名[:请假]` separated by `;`)
/// or one row per absent child (`date,class,enrolled,present,student_number,name,excused`),
/// told apart by the header (English or Chinese column names). Each roll call is checked as
/// one submitted alone; a refused row refuses the file (422, every row by line and column)
/// and nothing is written. A roll call already on record as the file gives it is not
/// recorded again.
#[utoipa::path(post, path = "/api/v1/schools/{school}/roll-calls/import", tag = "roll calls",
    params(("school" = String, Path, description = "The school's node id"), UploadQuery),
    request_body(content = ListFile, content_type = "application/octet-stream"),
    responses((status = 200, body = RollCallFileReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = RowsRefused)),
    security(("bearer" = [])))]
pub async fn import_roll_calls(
    State(state): State<AppState>,
    caller: Caller,
    VisibleSchool(school): VisibleSchool,
    QueryParams(query): QueryParams<UploadQuery>,
    upload: Upload,
) -> Result<Imported<RollCallFileReport>, ApiError> {
    let text = upload.text(query.encoding.as_deref())?;
    let result = import_roll_call_file(&state.store, &school, &text, &caller.context(None)).await?;
    Ok(result.into())
}
