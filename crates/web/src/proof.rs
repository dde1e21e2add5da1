//! The record's proof (`/proof`): the log's latest signed checkpoint (its number, size, Merkle
//! root, time and signing key), as `GET /api/v1/log/checkpoints` gives it (the same role check,
//! `LOG_AUDITORS`); and, for a case the reader sees, the link to download its inclusion proof
//! (`GET /api/v1/cases/{case_id}/proof`, access-logged by the API when it is downloaded).
//! `docs/hash-chain.md` says how to check both.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use notoneless_api::AppState;
use notoneless_api::auth::LOG_AUDITORS;
use notoneless_api::extract::QueryParams;
use notoneless_api::transparency::{CheckpointsQuery, checkpoints};
use notoneless_i18n::Msg;
use notoneless_store::checkpoints::SignedCheckpoint;
use serde::Deserialize;

use crate::login::FieldError;
use crate::reads::{case_in_view, here, local_time, refused_role};
use crate::shell::{Shell, Viewer, failed_with, render};

/// The case asked for, as sent.
#[derive(Default, Deserialize)]
pub struct Asked {
    #[serde(default)]
    case_id: String,
}

#[derive(Template)]
#[template(path = "proof.html")]
struct ProofPage {
    shell: Shell,
    latest: Option<SignedCheckpoint>,
    /// When the latest checkpoint was taken, in local time.
    taken_at: String,
    case_id: String,
    /// The case asked for is one the reader sees: its proof may be downloaded.
    found: bool,
    errors: Vec<FieldError>,
}

impl ProofPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }
}

/// `GET /proof[?case_id=]`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Query(asked): Query<Asked>,
) -> Response {
    let lang = viewer.lang;
    if let Some(refused) = refused_role(&viewer, LOG_AUDITORS) {
        return refused;
    }
    let latest = match checkpoints(
        State(state.clone()),
        QueryParams(CheckpointsQuery {
            page: Some(1),
            per_page: Some(1),
        }),
    )
    .await
    {
        Ok(list) => list.0.into_iter().next(),
        Err(refused) => return failed_with(lang, &refused),
    };
    let calendar = state.store.rules.get().calendar.clone();
    let taken_at = latest
        .as_ref()
        .and_then(|signed| DateTime::parse_from_rfc3339(&signed.checkpoint.at).ok())
        .map(|at| local_time(lang, &calendar, at.with_timezone(&Utc)))
        .unwrap_or_default();
    let case_id = asked.case_id.trim().to_string();
    let mut shown = ProofPage {
        shell: Shell::of(&viewer, Msg::ConsoleProofTitle, here(&uri)),
        latest,
        taken_at,
        found: false,
        case_id: case_id.clone(),
        errors: Vec::new(),
    };
    if case_id.is_empty() {
        return render(&shown);
    }
    match case_in_view(&state, &viewer.caller, &case_id).await {
        Ok(_) => {
            shown.found = true;
            render(&shown)
        }
        Err(refused) => {
            shown.errors.push(FieldError {
                field: "case_id".into(),
                text: refused.message().text(lang),
            });
            (StatusCode::NOT_FOUND, render(&shown)).into_response()
        }
    }
}
