//! Where cases stand: one case's status (a read of the child's file, access-logged) and the
//! lists of the caller's jurisdiction.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use notoneless_domain::Assessment;
use notoneless_store::access::ReadKind;
use notoneless_store::read_model::{CaseFilter, CaseRow, CaseSummary, case_status, list_cases};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{StatusQuery, read_your_write};
use crate::access_log::CaseFile;
use crate::auth::{Caller, VisibleCase, visible_schools_within};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Paging, QueryParams};
use crate::state::AppState;

/// A case's status, computed with the domain's assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub township: Option<String>,
    pub last_sequence: i64,
    pub last_position: i64,
    pub assessed_at: DateTime<Utc>,
    /// True when the stored row was out of date at the instant asked about, and the case was
    /// assessed afresh from the log.
    pub fresh: bool,
    pub assessment: Assessment,
}

impl CaseView {
    fn of(row: CaseRow, fresh: bool, township: Option<String>) -> Result<Self, ApiError> {
        let assessment = row.assessment()?;
        Ok(Self {
            summary: row.summary,
            township,
            last_sequence: row.last_sequence,
            last_position: row.last_position,
            assessed_at: row.assessed_at,
            fresh,
            assessment,
        })
    }
}

/// One case's status as of now.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}", tag = "reads",
    params(("case_id" = String, Path, description = "The case"), StatusQuery),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    case: VisibleCase,
    QueryParams(query): QueryParams<StatusQuery>,
) -> Result<Json<CaseView>, ApiError> {
    let file = CaseFile::open(&state, &caller, case, ReadKind::Status, None);
    read_your_write(&state, query.min_position).await?;
    let now = state.store.clock.now();
    let rules = state.store.rules.get();
    let status = case_status(&state.store.db, &rules, &file.case.id, now).await?;
    let township = state
        .store
        .org
        .current()
        .org
        .township_of(&file.case.school)
        .map(str::to_string);
    let view = match status {
        Some(status) => CaseView::of(status.row, status.fresh, township)?,
        // Opened but not yet projected: assess from the log.
        None => {
            let events = file.events().await?;
            let row = CaseRow::build(&events, &rules, now)?.ok_or(ApiError::NotFound)?;
            CaseView::of(row, true, township)?
        }
    };
    file.show(view).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub school: Option<String>,
    pub township: Option<String>,
    /// not_opened, attending, absent, escalated, suspended, transfer_pending, transferred_out, closed
    pub stage: Option<String>,
    /// poverty_alleviation_household, disabled, economically_poor, academically_struggling, grade8_or_above
    pub focus_group: Option<String>,
    /// Only cases with an obligation past its due time.
    #[serde(default)]
    pub overdue: bool,
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// 1 to 200; 50 when left out.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
    /// Read your write (see the case status).
    pub min_position: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseListItem {
    #[serde(flatten)]
    pub summary: CaseSummary,
    /// The name of the child's school.
    pub school_name: Option<String>,
    pub township: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseListItem>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Cases in the caller's jurisdiction, filtered, soonest due first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "reads", params(ListQuery),
    responses((status = 200, body = CasePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<Json<CasePage>, ApiError> {
    read_your_write(&state, query.min_position).await?;
    let Paging {
        page,
        per_page,
        offset,
    } = Paging::checked(query.page, query.per_page)?;
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let schools = visible_schools_within(org, &caller.user, [&query.township, &query.school]);
    let filter = CaseFilter {
        schools,
        stage: query.stage,
        focus_group: query.focus_group,
        overdue_at: query.overdue.then(|| state.store.clock.now()),
        limit: per_page,
        offset,
    };
    let (items, total) = list_cases(&state.store.db, &filter).await?;
    let items = items
        .into_iter()
        .map(|summary| CaseListItem {
            school_name: org.nodes.get(&summary.school).map(|n| n.name.clone()),
            township: org.township_of(&summary.school).map(str::to_string),
            summary,
        })
        .collect();
    Ok(Json(CasePage {
        items,
        page,
        per_page,
        total,
    }))
}
