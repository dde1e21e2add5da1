//! The log's transparency: its signing keys and signed checkpoints (for inspectors and the
//! bureau to hold), and the inclusion proof of one case in a checkpoint (a read of the child's
//! file, access-logged like any other). docs/hash-chain.md says how to check each.

use axum::Json;
use axum::extract::State;
use notoneless_store::access::ReadKind;
use notoneless_store::checkpoints::{
    InclusionProof, SignedCheckpoint, inclusion_proof, list_checkpoints,
};
use notoneless_store::log::CASE;
use notoneless_store::log_keys::{AnnouncedKey, announced_keys};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::access_log::CaseFile;
use crate::auth::{Caller, VisibleCase};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Paging, QueryParams};
use crate::state::AppState;

/// The log's signing keys, as the log announces them: the first signed by itself, each later
/// one by the key it replaces.
#[utoipa::path(get, path = "/api/v1/log/keys", tag = "log",
    responses((status = 200, body = Vec<AnnouncedKey>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn keys(State(state): State<AppState>) -> Result<Json<Vec<AnnouncedKey>>, ApiError> {
    Ok(Json(announced_keys(&state.store.db).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CheckpointsQuery {
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// 1 to 200; 50 when left out.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// The signed checkpoints of the log, newest first: each the log's size and the Merkle root
/// over every stream's head, signed with the server's key.
#[utoipa::path(get, path = "/api/v1/log/checkpoints", tag = "log",
    params(CheckpointsQuery),
    responses((status = 200, body = Vec<SignedCheckpoint>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn checkpoints(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<CheckpointsQuery>,
) -> Result<Json<Vec<SignedCheckpoint>>, ApiError> {
    let paging = Paging::checked(query.page, query.per_page)?;
    Ok(Json(
        list_checkpoints(&state.store.db, paging.per_page, paging.offset).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProofQuery {
    /// The checkpoint's number; the latest when left out.
    #[param(minimum = 1)]
    pub checkpoint: Option<i64>,
}

/// The inclusion proof of the case in a checkpoint: its events up to its head there, and the
/// Merkle audit path from that head to the checkpoint's root. Checkable with nothing but the
/// proof and the checkpoint (scripts/check-proof.py). 404 when there is no such checkpoint or
/// the case is not in it.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/proof", tag = "log",
    params(("case_id" = String, Path, description = "The case"), ProofQuery),
    responses((status = 200, body = InclusionProof), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn case_proof(
    State(state): State<AppState>,
    caller: Caller,
    case: VisibleCase,
    QueryParams(query): QueryParams<ProofQuery>,
) -> Result<Json<InclusionProof>, ApiError> {
    // Built first: a proof refused (404) is no read, and records none.
    let proof = inclusion_proof(&state.store.db, CASE, &case.id, query.checkpoint)
        .await?
        .ok_or(ApiError::NotFound)?;
    let file = CaseFile::open(
        &state,
        &caller,
        case,
        ReadKind::Proof,
        query.checkpoint.map(|n| format!("checkpoint={n}")),
    );
    file.show(proof).await
}
