//! The registry cross-check (学籍/户籍比对) over HTTP: the bureau imports the household
//! register's school-age children and the school rolls; every finding lands on the child's
//! case and is tracked there until a school resolves it or a later cross-check no longer finds
//! it. The two lists travel as CSV text inside a JSON body.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use notoneless_domain::{RegistryIssue, RowError, UserRole};
use notoneless_store::imports::{
    FindingState, RegistryChange, TrackedFinding, import_registry, registry_findings,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::{Caller, visible_schools_within};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{JsonBody, QueryParams};

/// Who may import a registry cross-check: the bureau, for the whole county (a cross-check
/// compares the county's register with every school's roll; a part of it would clear findings
/// it did not look at).
pub const REGISTRY_IMPORTERS: &[UserRole] = &[UserRole::BureauOfficer];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryImport {
    /// The cross-check's name, recorded with every finding ("2023年秋季学期学籍户籍比对").
    pub name: String,
    /// The day of the two extracts: the day the findings are dated.
    pub on: NaiveDate,
    /// CSV with the header
    /// `id_number,name,gender,birth_date,township,catchment_school,guardian,guardian_relation,guardian_phone,status`.
    pub register_csv: String,
    /// CSV with the header
    /// `student_number,id_number,name,gender,birth_date,school,grade,class,attending,guardian,guardian_relation,guardian_phone`.
    pub roll_csv: String,
}

/// One finding recorded, cleared, left open or seen explained by an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    pub case_id: String,
    pub school: String,
    pub kind: RegistryIssue,
    pub register_rows: Vec<usize>,
    pub roll_rows: Vec<usize>,
}

impl From<RegistryChange> for ChangeView {
    fn from(c: RegistryChange) -> Self {
        Self {
            case_id: c.case_id,
            school: c.school,
            kind: c.kind,
            register_rows: c.register_rows,
            roll_rows: c.roll_rows,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistryImportResult {
    pub cross_check: String,
    /// Children examined (a child with a refused row is not).
    pub examined: usize,
    pub cases_opened: usize,
    /// Found now and not open before.
    pub new: Vec<ChangeView>,
    /// Open before and not found now: cleared.
    pub resolved: Vec<ChangeView>,
    /// Found now and still open.
    pub unchanged: Vec<ChangeView>,
    /// Found now, but resolved before with a document on file: nothing recorded.
    pub explained: Vec<ChangeView>,
    pub rejected_register: Vec<RowError>,
    pub rejected_roll: Vec<RowError>,
}

/// Import a registry cross-check: record every finding on the child's case, clear every open
/// finding no longer found, and report what is new, resolved and unchanged.
#[utoipa::path(post, path = "/api/v1/imports/registry", tag = "imports", request_body = RegistryImport,
    responses((status = 200, body = RegistryImportResult), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn import_registry_cross_check(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(import): JsonBody<RegistryImport>,
) -> Result<Json<RegistryImportResult>, ApiError> {
    if !REGISTRY_IMPORTERS.contains(&caller.user.role) {
        return Err(ApiError::Forbidden(format!(
            "a {} may not import a registry cross-check",
            caller.user.role.as_str()
        )));
    }
    if import.name.trim().is_empty() {
        return Err(ApiError::malformed("name: must not be blank", Some("name")));
    }
    let report = import_registry(
        &state.store,
        import.name.trim(),
        &import.register_csv,
        &import.roll_csv,
        import.on,
        &caller.context(None),
    )
    .await?;
    let views = |changes: Vec<RegistryChange>| changes.into_iter().map(ChangeView::from).collect();
    Ok(Json(RegistryImportResult {
        cross_check: report.cross_check,
        examined: report.examined,
        cases_opened: report.cases_opened,
        new: views(report.new),
        resolved: views(report.resolved),
        unchanged: views(report.unchanged),
        explained: views(report.explained),
        rejected_register: report.rejected_register,
        rejected_roll: report.rejected_roll,
    }))
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

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    pub case_id: String,
    pub school: String,
    pub kind: RegistryIssue,
    /// The event that recorded it.
    pub sequence: u64,
    pub found_on: NaiveDate,
    pub cross_check: String,
    pub detail: String,
    /// `open`, `resolved` or `cleared`.
    pub state: String,
    pub ended_by: Option<u64>,
    pub ended_on: Option<NaiveDate>,
}

impl From<TrackedFinding> for FindingView {
    fn from(f: TrackedFinding) -> Self {
        Self {
            case_id: f.case_id,
            school: f.school,
            kind: f.kind,
            sequence: f.sequence,
            found_on: f.found_on,
            cross_check: f.cross_check,
            detail: f.detail,
            state: state_name(f.state).to_string(),
            ended_by: f.ended_by,
            ended_on: f.ended_on,
        }
    }
}

fn state_name(state: FindingState) -> &'static str {
    match state {
        FindingState::Open => "open",
        FindingState::Resolved => "resolved",
        FindingState::Cleared => "cleared",
    }
}

/// The registry findings in the caller's jurisdiction, tracked to their resolution.
#[utoipa::path(get, path = "/api/v1/registry-findings", tag = "reads", params(FindingQuery),
    responses((status = 200, body = Vec<FindingView>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_registry_findings(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<FindingQuery>,
) -> Result<Json<Vec<FindingView>>, ApiError> {
    if caller.user.role == UserRole::Admin {
        return Err(ApiError::Forbidden(
            "an admin reads no child's file".to_string(),
        ));
    }
    let wanted = query.state.as_deref().unwrap_or("open");
    if !["open", "resolved", "cleared", "all"].contains(&wanted) {
        return Err(ApiError::malformed(
            "state: expected open, resolved, cleared or all",
            Some("state"),
        ));
    }
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
            .filter(|f| wanted == "all" || state_name(f.state) == wanted)
            .map(FindingView::from)
            .collect(),
    ))
}
