//! The registry cross-check (学籍/户籍比对) over HTTP: the bureau imports the household
//! register's school-age children and the school rolls; every finding lands on the child's
//! case and is tracked there until a school resolves it or a later cross-check no longer finds
//! it. The two lists travel inside a JSON body, as CSV text or as files in base64
//! (`uploads::ListBody`, read by `list_file` as every import's files are).

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use notoneless_store::imports::{
    FindingState, RegistryReport, TrackedFinding, import_registry, registry_findings,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, visible_schools_within};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{JsonBody, QueryParams};
use notoneless_i18n::Msg;

use crate::state::AppState;
use crate::uploads::ListBody;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryImport {
    /// The cross-check's name, recorded with every finding ("2023年秋季学期学籍户籍比对").
    pub name: String,
    /// The day of the two extracts: the day the findings are dated.
    pub on: NaiveDate,
    /// CSV with the header
    /// `id_number,name,gender,birth_date,township,catchment_school,guardian,guardian_relation,guardian_phone,status`:
    /// as text, or as a file (`{"base64", "encoding"}`: CSV in UTF-8 or GBK, or XLSX).
    pub register_csv: ListBody,
    /// CSV with the header
    /// `student_number,id_number,name,gender,birth_date,school,grade,class,attending,guardian,guardian_relation,guardian_phone`,
    /// as text or as a file.
    pub roll_csv: ListBody,
}

/// Import a registry cross-check: record every finding on the child's case, clear every open
/// finding no longer found, and report what is new, resolved and unchanged.
#[utoipa::path(post, path = "/api/v1/imports/registry", tag = "imports", request_body = RegistryImport,
    responses((status = 200, body = RegistryReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn import_registry_cross_check(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(import): JsonBody<RegistryImport>,
) -> Result<Json<RegistryReport>, ApiError> {
    if import.name.trim().is_empty() {
        return Err(ApiError::malformed_field("name", Msg::Blank));
    }
    let register = import.register_csv.text("register_csv")?;
    let roll = import.roll_csv.text("roll_csv")?;
    let report = import_registry(
        &state.store,
        import.name.trim(),
        &register,
        &roll,
        import.on,
        &caller.context(None),
    )
    .await?;
    Ok(Json(report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    /// `open` (the default), `resolved`, `cleared` or `all`.
    #[param(pattern = "^(open|resolved|cleared|all)$")]
    pub state: Option<String>,
    pub township: Option<String>,
    pub school: Option<String>,
}

/// The registry findings in the caller's jurisdiction, tracked to their resolution.
#[utoipa::path(get, path = "/api/v1/registry-findings", tag = "reads", params(FindingQuery),
    responses((status = 200, body = Vec<TrackedFinding>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_registry_findings(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<FindingQuery>,
) -> Result<Json<Vec<TrackedFinding>>, ApiError> {
    let wanted = match query.state.as_deref().unwrap_or("open") {
        "all" => None,
        "open" => Some(FindingState::Open),
        "resolved" => Some(FindingState::Resolved),
        "cleared" => Some(FindingState::Cleared),
        _ => {
            return Err(ApiError::malformed_field("state", Msg::RegistryStateChoice));
        }
    };
    let snapshot = state.store.org.current();
    let schools = visible_schools_within(
        &snapshot.org,
        &caller.user,
        [&query.township, &query.school],
    );
    let findings = registry_findings(&state.store, schools.as_deref()).await?;
    Ok(Json(
        findings
            .into_iter()
            .filter(|f| wanted.is_none_or(|w| f.state == w))
            .collect(),
    ))
}
