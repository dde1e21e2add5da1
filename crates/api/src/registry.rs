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
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, visible_schools_within};
use crate::error::{ApiError, ErrorBody, request_lang};
use crate::extract::{JsonBody, QueryParams};
use notoneless_domain::ListScope;
use notoneless_i18n::{Message, Msg};

use crate::state::AppState;
use crate::uploads::{Imported, ListBody, RowsRefused};

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
    /// The lists cover only these townships (ids): findings are raised and cleared only at
    /// their schools. Without it or `schools`, the whole county.
    #[serde(default)]
    pub townships: Option<Vec<String>>,
    /// The lists cover only these schools (ids).
    #[serde(default)]
    pub schools: Option<Vec<String>>,
}

/// Import a registry cross-check over its scope: record every finding on the child's case,
/// clear an open finding only when the lists show the child and no longer find it (a child
/// missing from the lists keeps it, listed as `not_in_lists`), leave every school outside the
/// scope as it is, and report what is new, resolved, unchanged and not in the lists. A refused
/// row of either list refuses the import (422, every row by list, line and column) and
/// nothing is written; a child whose case refuses what was found is reported in
/// `rejected_register`/`rejected_roll` and left as he was.
#[utoipa::path(post, path = "/api/v1/imports/registry", tag = "imports", request_body = RegistryImport,
    responses((status = 200, body = RegistryReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = RowsRefused)),
    security(("bearer" = [])))]
pub async fn import_registry_cross_check(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(import): JsonBody<RegistryImport>,
) -> Result<Imported<RegistryReport>, ApiError> {
    if import.name.trim().is_empty() {
        return Err(ApiError::malformed_field("name", Msg::Blank));
    }
    let (scope, field, kind) = match (import.townships, import.schools) {
        (Some(_), Some(_)) => {
            return Err(ApiError::malformed_field(
                "schools",
                Message::new(Msg::ScopeEitherTownshipsOrSchools),
            ));
        }
        (Some(ids), None) => (
            ListScope::Townships(ids),
            "townships",
            Msg::NodeKindTownship,
        ),
        (None, Some(ids)) => (ListScope::Schools(ids), "schools", Msg::NodeKindSchool),
        (None, None) => (ListScope::County, "schools", Msg::NodeKindSchool),
    };
    let covered = scope
        .schools(&state.store.org.current().org)
        .map_err(|node| {
            if node.is_empty() {
                ApiError::malformed_field(field, Msg::EmptyList)
            } else {
                ApiError::malformed_field(
                    field,
                    Message::new(Msg::NoSuchScopeNode)
                        .with("node", node)
                        .with("kind", kind),
                )
            }
        })?;
    let register = import.register_csv.text("register_csv")?;
    let roll = import.roll_csv.text("roll_csv")?;
    let report = import_registry(
        &state.store,
        import.name.trim(),
        (&register, &roll),
        import.on,
        (&scope, &covered),
        request_lang(),
        &caller.context(None),
    )
    .await?;
    Ok(report.into())
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
    responses((status = 200, body = Vec<RegistryFindingView>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_registry_findings(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<FindingQuery>,
) -> Result<Json<Vec<RegistryFindingView>>, ApiError> {
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
    let lang = request_lang();
    Ok(Json(
        findings
            .into_iter()
            .filter(|f| wanted.is_none_or(|w| f.state == w))
            .map(|finding| RegistryFindingView {
                school_name: snapshot
                    .org
                    .nodes
                    .get(&finding.school)
                    .map(|n| n.name.clone()),
                kind_label: finding.kind.label().text(lang),
                finding,
            })
            .collect(),
    ))
}

/// A registry finding with the name of its school and of its kind (in the request's
/// language).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistryFindingView {
    #[serde(flatten)]
    pub finding: TrackedFinding,
    pub school_name: Option<String>,
    pub kind_label: String,
}
