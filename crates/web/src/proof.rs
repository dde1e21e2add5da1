//! The record's proof (`/proof`): the log's latest signed checkpoint (its number, size, Merkle
//! root, time and signing key), as `GET /api/v1/log/checkpoints` gives it (the same role check,
//! `LOG_AUDITORS`); and, for a case the reader sees, the link to download its inclusion proof
//! (`GET /api/v1/cases/{case_id}/proof`, access-logged by the API when it is downloaded).
//! `docs/hash-chain.md` says how to check both. Beside them, the verification state: the
//! last verification of the log (`verification.rs`), run on demand with "verify now".

use askama::Template;
use axum::Form;
use axum::extract::{Extension, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
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
use crate::steps::Values;
use crate::verification::{Shown, Verifications};

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
    /// The last verification of the log, if there was one since the server started.
    verified: Option<Shown>,
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
    Extension(verifications): Extension<Verifications>,
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
    let verified = match verifications.last() {
        Some(done) => Some(crate::verification::shown(&state, &viewer.caller, lang, &done).await),
        None => None,
    };
    let mut shown = ProofPage {
        shell: Shell::of(&viewer, Msg::ConsoleProofTitle, here(&uri)),
        latest,
        taken_at,
        found: false,
        verified,
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

/// `POST /proof/verify`: verifies the whole log now (one run at a time), keeps the result and
/// goes back to the page, which shows it.
pub async fn verify_now(
    State(state): State<AppState>,
    Extension(verifications): Extension<Verifications>,
    viewer: Viewer,
    Form(values): Form<Values>,
) -> Response {
    let token = values
        .get("csrf_token")
        .map(String::as_str)
        .unwrap_or_default();
    if let Some(refused) = viewer.refuse_without_csrf(token) {
        return refused;
    }
    if let Some(refused) = refused_role(&viewer, LOG_AUDITORS) {
        return refused;
    }
    match verifications.run(&state, &viewer.caller).await {
        Ok(()) => Redirect::to("/proof#verify-heading").into_response(),
        Err(refused) => failed_with(viewer.lang, &refused),
    }
}
