//! Imports over HTTP. The lists travel as CSV text inside a JSON body; every refused row comes
//! back with its line number and reason, and nothing of it is written. (The ledger's download
//! is in `exports.rs`.)

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use notoneless_store::imports::{ImportReport, import_grade6_watch};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{Caller, sees_school};
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grade6Import {
    /// The day the junior middle schools' term started: the day the cases open.
    pub on: NaiveDate,
    /// CSV with the header
    /// `student_number,name,gender,birth_date,school,class,guardian,guardian_relation,guardian_phone`.
    pub leavers_csv: String,
    /// CSV with the header `student_number,school`.
    pub enrolments_csv: String,
}

/// Import the grade-6 leavers and the junior middle schools' enrolments; open a case for
/// every leaver enrolled nowhere, at the primary school he left.
#[utoipa::path(post, path = "/api/v1/imports/grade6-watch", tag = "imports", request_body = Grade6Import,
    responses((status = 200, body = ImportReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn grade6_watch(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(import): JsonBody<Grade6Import>,
) -> Result<Json<ImportReport>, ApiError> {
    let snapshot = state.store.org.current();
    let may_open = |school: &str| sees_school(&snapshot.org, &caller.user, school);
    let context = caller.context(None);
    let report = import_grade6_watch(
        &state.store,
        &import.leavers_csv,
        &import.enrolments_csv,
        import.on,
        may_open,
        &context,
    )
    .await?;
    Ok(Json(report))
}
