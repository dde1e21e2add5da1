//! Imports over HTTP. The grade-6 watch's lists travel inside a JSON body, as CSV text or as
//! files in base64 (`uploads::ListBody`); a school's roll calls and a county's ledger as the
//! request's body (`uploads::Upload`); every refused row comes
//! back with its line number and reason, and nothing of it is written. (The ledger's download
//! is in `exports.rs`.)

use axum::extract::State;
use chrono::NaiveDate;
use notoneless_store::imports::{ImportReport, import_grade6_watch};
use serde::Deserialize;
use utoipa::ToSchema;

use notoneless_i18n::Msg;
use notoneless_store::school_files::{LedgerReport, import_ledger};

use crate::auth::{Caller, sees_school};
use crate::error::{ApiError, ErrorBody, request_lang};
use crate::extract::{JsonBody, QueryParams};
use crate::state::AppState;
use crate::uploads::{Imported, ListBody, ListFile, RowsRefused, Upload};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grade6Import {
    /// The day the junior middle schools' term started: the day the cases open.
    pub on: NaiveDate,
    /// CSV with the header
    /// `student_number,name,gender,birth_date,school,class,guardian,guardian_relation,guardian_phone`:
    /// as text, or as a file (`{"base64", "encoding"}`: CSV in UTF-8 or GBK, or XLSX).
    pub leavers_csv: ListBody,
    /// CSV with the header `student_number,school`, as text or as a file.
    pub enrolments_csv: ListBody,
}

/// Import the grade-6 leavers and the junior middle schools' enrolments; open a case for
/// every leaver enrolled nowhere, at the primary school he left. A refused row of either list
/// (or a leaver at a school the caller may not open cases at) refuses the import (422, every
/// row by list, line and column) and nothing is written; a leaver whose case the record
/// refuses is reported in `rejected_leavers` and the others are imported.
#[utoipa::path(post, path = "/api/v1/imports/grade6-watch", tag = "imports", request_body = Grade6Import,
    responses((status = 200, body = ImportReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = RowsRefused)),
    security(("bearer" = [])))]
pub async fn grade6_watch(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(import): JsonBody<Grade6Import>,
) -> Result<Imported<ImportReport>, ApiError> {
    let snapshot = state.store.org.current();
    let may_open = |school: &str| sees_school(&snapshot.org, &caller.user, school);
    let context = caller.context(None);
    let leavers = import.leavers_csv.text("leavers_csv")?;
    let enrolments = import.enrolments_csv.text("enrolments_csv")?;
    let report = import_grade6_watch(
        &state.store,
        &leavers,
        &enrolments,
        import.on,
        may_open,
        request_lang(),
        &context,
    )
    .await?;
    Ok(report.into())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// The day the ledger is as of (no later than today): every fact imported is marked as
    /// imported from the ledger of this day.
    pub ledger_date: NaiveDate,
    /// The encoding of a CSV file: `auto` (the default), `utf-8`, `gbk` or `gb18030`.
    #[param(pattern = "^(auto|utf-8|utf8|gbk|gb18030|gb2312)$")]
    pub encoding: Option<String>,
}

/// Import a county's existing ledger (台账), the body being the file's bytes (CSV in UTF-8 or
/// GBK/GB18030, or XLSX; the template is in `docs/operations.md`): each child's case with
/// its past steps, recorded by the import (`import:ledger/<date>`, role `importer`), marked
/// in their metadata as imported from the ledger of `ledger_date`, so that the review judges
/// them as facts entered late. A refused row refuses the ledger (422, every row by line and
/// column) and nothing is written; the same ledger imported again records nothing.
#[utoipa::path(post, path = "/api/v1/imports/ledger", tag = "imports", params(LedgerQuery),
    request_body(content = ListFile, content_type = "application/octet-stream"),
    responses((status = 200, body = LedgerReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = RowsRefused)),
    security(("bearer" = [])))]
pub async fn import_county_ledger(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<LedgerQuery>,
    upload: Upload,
) -> Result<Imported<LedgerReport>, ApiError> {
    let today = state
        .store
        .rules
        .get()
        .calendar
        .local_date(state.store.clock.now());
    if query.ledger_date > today {
        return Err(ApiError::malformed_field(
            "ledger_date",
            Msg::LedgerDateChoice,
        ));
    }
    let text = upload.text(query.encoding.as_deref())?;
    let snapshot = state.store.org.current();
    let may_import = |school: &str| sees_school(&snapshot.org, &caller.user, school);
    let result = import_ledger(
        &state.store,
        &text,
        query.ledger_date,
        may_import,
        &caller.context(None),
    )
    .await?;
    Ok(result.into())
}
