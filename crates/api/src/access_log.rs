//! The access log's gate: nothing of a child's file reaches the caller unless the read is
//! recorded first (who, when, what, the request). One case's reads go through [`CaseFile`];
//! a download naming many children through [`log_reads`]. And the log itself, for the
//! inspectors: who read a child's file.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use notoneless_store::access::{CaseRead, ReadKind};
use notoneless_store::log::{StoredEvent, case_events};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, VisibleCase};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Paging, QueryParams};
use crate::state::AppState;

/// A case the caller may read. What is read of it reaches the caller only through
/// [`CaseFile::show`], which first makes sure the read is recorded in the access log.
#[must_use = "a case file read must be shown through CaseFile::show, which logs the read"]
pub struct CaseFile<'a> {
    state: &'a AppState,
    pub case: VisibleCase,
    /// The access-log entry of this read, written while the answer is being prepared.
    logged: tokio::task::JoinHandle<Result<(), ApiError>>,
}

impl<'a> CaseFile<'a> {
    /// The case (which the route's access found in the caller's jurisdiction), and the
    /// recording of this read (`kind`, `detail`) started.
    pub fn open(
        state: &'a AppState,
        caller: &Caller,
        case: VisibleCase,
        kind: ReadKind,
        detail: Option<String>,
    ) -> Self {
        let (owned_state, owned_caller, ids) =
            (state.clone(), caller.clone(), vec![case.id.clone()]);
        let logged = tokio::spawn(async move {
            log_reads(&owned_state, &owned_caller, kind, detail.as_deref(), &ids).await
        });
        Self {
            state,
            case,
            logged,
        }
    }

    pub async fn events(&self) -> Result<Vec<StoredEvent>, ApiError> {
        Ok(case_events(&self.state.store.db, &self.case.id).await?)
    }

    /// Hands the answer over once the read is recorded; if the access log could not be
    /// written, the read fails with 503 and shows nothing.
    pub async fn show<T>(self, answer: T) -> Result<Json<T>, ApiError> {
        self.logged
            .await
            .map_err(|error| ApiError::Unavailable(AccessLogDown(error.into()).into()))??;
        Ok(Json(answer))
    }
}

/// The access log could not be written, so the read was refused.
#[derive(Debug, thiserror::Error)]
#[error("the access log could not be written, so the read was refused")]
struct AccessLogDown(#[source] crate::error::Cause);

/// Records in the access log that the caller read these cases. Any failure is a 503: a
/// child's file is never shown unrecorded.
pub async fn log_reads(
    state: &AppState,
    caller: &Caller,
    kind: ReadKind,
    detail: Option<&str>,
    case_ids: &[String],
) -> Result<(), ApiError> {
    let context = caller.context(None);
    state
        .store
        .access
        .record(&context.actor, &context.request_id, kind, detail, case_ids)
        .await
        .map(|_| ())
        .map_err(|error| ApiError::Unavailable(AccessLogDown(error.into()).into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReadsQuery {
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// 1 to 200; 50 when left out.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// One read of a child's case file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadEntry {
    /// When it was read (the server's clock).
    pub read_at: DateTime<Utc>,
    /// Who read it, in which role, for which jurisdiction node.
    pub user: String,
    pub role: String,
    pub jurisdiction: String,
    /// status, history, as_of, as_known_at, timeline, ledger_export, review_export, proof,
    /// review, search or calendar_change.
    pub kind: String,
    /// What was asked for, where it matters (`day=…` of an as-of replay, `time=…`).
    pub detail: Option<String>,
    /// The request's `x-request-id`.
    pub request_id: String,
}

impl From<CaseRead> for ReadEntry {
    fn from(read: CaseRead) -> Self {
        Self {
            read_at: read.read_at,
            user: read.actor,
            role: read.role,
            jurisdiction: read.jurisdiction,
            kind: read.kind,
            detail: read.detail,
            request_id: read.request_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadsPage {
    /// The newest first.
    pub items: Vec<ReadEntry>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Who read this child's case file, when, and how: every status, history, replay, timeline
/// and download row, newest first (inspectors and bureau officers).
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/reads", tag = "replay",
    params(("case_id" = String, Path, description = "The case"), ReadsQuery),
    responses((status = 200, body = ReadsPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reads(
    State(state): State<AppState>,
    case: VisibleCase,
    QueryParams(query): QueryParams<ReadsQuery>,
) -> Result<Json<ReadsPage>, ApiError> {
    let Paging {
        page,
        per_page,
        offset,
    } = Paging::checked(query.page, query.per_page)?;
    let (reads, total) = state
        .store
        .access
        .reads_of(&case.id, per_page, offset)
        .await?;
    Ok(Json(ReadsPage {
        items: reads.into_iter().map(ReadEntry::from).collect(),
        page,
        per_page,
        total,
    }))
}
