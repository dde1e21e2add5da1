//! The HTTP API of Not One Less, under `/api/v1`: one endpoint per domain command, the
//! status, lists, work queue and dashboard, the inspector's history and replays, and the
//! organisation and calendar. Every request but the health checks and the API page carries a
//! bearer token; every case read or write is checked against the caller's role and
//! jurisdiction. Handlers contain no SQL: reads go through `notoneless_store::read_model`.

pub mod access_log;
pub mod application;
pub mod auth;
pub mod cases;
pub mod clock;
pub mod error;
pub mod exports;
pub mod extract;
pub mod imports;
pub mod openapi;
pub mod org;
pub mod registry;
pub mod reviews;
pub mod roll_calls;
pub mod routes;
pub mod security;
pub mod streamed;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, Request, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use notoneless_store::Store;
use notoneless_store::log::events_after;
use serde::Serialize;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The largest body of an import (the lists of a county: some 40,000 rows).
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;
/// The projector counts as caught up for `/readyz` while at most this many events wait.
pub const READY_LAG: i64 = 1_000;

/// What every handler shares: the store and the authentication guards.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub security: Arc<security::Security>,
}

impl AppState {
    pub fn new(store: Arc<Store>, config: security::SecurityConfig) -> Self {
        Self {
            store,
            security: Arc::new(security::Security::new(config)),
        }
    }
}

/// The whole application: API, health checks, OpenAPI document and API page.
pub fn app(state: AppState) -> Router {
    let (api, document) = routes::assemble(Some(&state), openapi::base()).split_for_parts();
    let request_id = HeaderName::from_static("x-request-id");
    let api = api
        .fallback(|| async { error::ApiError::NotFound })
        // After every route: it applies to the routes there are.
        .method_not_allowed_fallback(|| async { error::ApiError::MethodNotAllowed });
    Router::new()
        .merge(api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(openapi::docs(openapi::finish(document)))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            // The path names at most a case id (a UUID); never a token or a child's data.
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
        })
        // One line per answered request only at `debug` (RUST_LOG=tower_http=debug): at
        // thousands of requests a second the line costs more than the request's own work.
        // Failures (5xx) are logged at `error` whatever the level.
        .on_response(DefaultOnResponse::new().level(tracing::Level::DEBUG)))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

#[derive(Serialize)]
struct Readiness {
    database: bool,
    projector_lag: Option<i64>,
}

/// Ready when the database answers and the projector is caught up within [`READY_LAG`].
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let database = state.store.db.ping().await.is_ok();
    let lag = match state.store.projector.checkpoint().await {
        Ok(checkpoint) => events_after(&state.store.db, checkpoint, READY_LAG + 1)
            .await
            .ok()
            .map(|events| events.len() as i64),
        Err(_) => None,
    };
    let ready = database && lag.is_some_and(|l| l <= READY_LAG);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            database,
            projector_lag: lag,
        }),
    )
}
