//! Children found by name: `GET /api/v1/search?q=…` within the caller's jurisdiction, by the
//! child's name (whole or part), the name's pinyin initials (`zxm` for 张小明), the student
//! number or the national ID number; best match first, paged (the ranking is
//! `notoneless_store::read_model::search_cases`'s).
//!
//! Each child a search shows is a read of the child's file, recorded in the access log (kind
//! `search`) before the answer is sent. The query itself is children's personal data: it is
//! never logged, never recorded in the access log and never echoed in an error.

use axum::Json;
use axum::extract::State;
use notoneless_i18n::Msg;
use notoneless_store::access::ReadKind;
use notoneless_store::read_model::{SearchHit, search_cases};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access_log::log_reads;
use crate::auth::{Caller, visible_schools_within};
use crate::cases::read_your_write;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Paging, QueryParams};
use crate::state::AppState;

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 50;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// A name or part of it (张小明, 小明), pinyin initials (zxm), a student number or a
    /// national ID number; 1 to 50 characters, not all blank.
    #[param(min_length = 1, max_length = 50, pattern = "\\S")]
    pub q: String,
    /// Only this township's or school's children (within the caller's jurisdiction).
    pub township: Option<String>,
    pub school: Option<String>,
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// 1 to 200; 50 when left out.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
    /// Read your write (see the case status).
    pub min_position: Option<i64>,
}

// Not `Debug`: the query is a child's name or number, and must not reach a log by a `{:?}`.
impl std::fmt::Debug for SearchQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchQuery")
            .field("q", &"<withheld>")
            .field("page", &self.page)
            .finish_non_exhaustive()
    }
}

/// One child found: the case as a list shows it, the name of its school and its township,
/// and how well it matched (`exact`, `prefix`, `contains`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchItem {
    #[serde(flatten)]
    pub hit: SearchHit,
    pub school_name: Option<String>,
    pub township: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchItem>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Find children by name, pinyin initials, student number or ID number, in the caller's
/// jurisdiction; best match first (exact, then prefix, then contains). Every child shown is
/// recorded in the access log; the query is not.
#[utoipa::path(get, path = "/api/v1/search", tag = "reads", params(SearchQuery),
    responses((status = 200, body = SearchPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<SearchQuery>,
) -> Result<Json<SearchPage>, ApiError> {
    read_your_write(&state, query.min_position).await?;
    let q = query.q.trim();
    if q.is_empty() {
        return Err(ApiError::malformed_field("q", Msg::Blank));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::malformed_field(
            "q",
            notoneless_i18n::Message::new(Msg::TooLong).with("max", MAX_QUERY_CHARS),
        ));
    }
    let Paging {
        page,
        per_page,
        offset,
    } = Paging::checked(query.page, query.per_page)?;
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let schools = visible_schools_within(org, &caller.user, [&query.township, &query.school]);
    let (hits, total) =
        search_cases(&state.store.db, schools.as_deref(), q, per_page, offset).await?;
    // Each child shown is a read of the child's file: recorded first, without the query.
    let shown: Vec<String> = hits.iter().map(|h| h.summary.case_id.clone()).collect();
    if !shown.is_empty() {
        log_reads(&state, &caller, ReadKind::Search, None, &shown).await?;
    }
    let items = hits
        .into_iter()
        .map(|hit| SearchItem {
            school_name: org.nodes.get(&hit.summary.school).map(|n| n.name.clone()),
            township: org.township_of(&hit.summary.school).map(str::to_string),
            hit,
        })
        .collect();
    Ok(Json(SearchPage {
        items,
        page,
        per_page,
        total,
    }))
}
