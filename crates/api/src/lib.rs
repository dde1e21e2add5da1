//! The HTTP API of Not One Less, under `/api/v1`: one endpoint per domain command, the
//! status, lists, work queue and dashboard, the inspector's history and replays, and the
//! organisation and calendar. Every request but the health checks and the API page carries a
//! bearer token; every case read or write is checked against the caller's role and
//! jurisdiction. Handlers contain no SQL: reads go through `notoneless_store::read_model`.

pub mod auth;
pub mod cases;
pub mod error;
pub mod exports;
pub mod extract;
pub mod imports;
pub mod layers;
pub mod openapi;
pub mod org;
pub mod registry;
pub mod reviews;
pub mod roll_calls;
pub mod security;
pub mod streamed;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use notoneless_store::Store;
use notoneless_store::log::events_after;
use serde::Serialize;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The largest body of an import (the lists of a county: some 40,000 rows).
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;
/// The projector counts as caught up for `/readyz` while at most this many events wait.
pub const READY_LAG: i64 = 1_000;
/// The longest a request may take before it is answered 503 (a county's review takes some
/// 5 s); an answer already being sent (a streamed review, a download) is not cut short.
pub const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
}

/// The whole application: API, health checks, OpenAPI document and API page, with the
/// default [`security::SecurityConfig`].
pub fn app(state: AppState) -> Router {
    app_with(state, security::SecurityConfig::default())
}

/// The whole application with these security settings (token lifetime, failure limit).
pub fn app_with(state: AppState, config: security::SecurityConfig) -> Router {
    let security = Arc::new(security::Security::new(config));
    let api = Router::new()
        .route("/cases", post(cases::open_case).get(cases::list))
        .route("/cases/{case_id}", get(cases::get_case))
        .route(
            "/cases/{case_id}/focus-groups",
            post(cases::change_focus_groups),
        )
        .route("/cases/{case_id}/absences", post(cases::record_absence))
        .route("/cases/{case_id}/leaves", post(cases::grant_leave))
        .route(
            "/cases/{case_id}/parent-contacts",
            post(cases::record_parent_contact),
        )
        .route(
            "/cases/{case_id}/home-visits",
            post(cases::record_home_visit),
        )
        .route("/cases/{case_id}/reports", post(cases::report_upward))
        .route(
            "/cases/{case_id}/acknowledgements",
            post(cases::acknowledge_report),
        )
        .route(
            "/cases/{case_id}/supervision-notes",
            post(cases::add_supervision_note),
        )
        .route("/cases/{case_id}/returns", post(cases::record_return))
        .route("/cases/{case_id}/transfers", post(cases::transfer_out))
        .route(
            "/cases/{case_id}/transfer-confirmations",
            post(cases::confirm_transfer),
        )
        .route("/cases/{case_id}/suspensions", post(cases::suspend))
        .route("/cases/{case_id}/resumptions", post(cases::resume))
        .route("/cases/{case_id}/support", post(cases::give_support))
        .route(
            "/cases/{case_id}/home-teaching",
            post(cases::record_home_teaching),
        )
        .route("/cases/{case_id}/corrections", post(cases::correct_fact))
        .route("/cases/{case_id}/closure", post(cases::close_case))
        .route("/cases/{case_id}/reopening", post(cases::reopen_case))
        .route("/cases/{case_id}/history", get(cases::history))
        .route("/cases/{case_id}/as-of", get(cases::as_of))
        .route("/cases/{case_id}/as-known-at", get(cases::as_known_at))
        .route("/cases/{case_id}/timeline", get(cases::timeline))
        .route("/cases/{case_id}/reads", get(cases::reads))
        .route("/work-queue", get(cases::my_work_queue))
        .route("/reviews", get(reviews::get_review))
        .route("/reviews/export", get(reviews::export_review))
        .route(
            "/imports/grade6-watch",
            post(imports::grade6_watch).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .route(
            "/imports/registry",
            post(registry::import_registry_cross_check)
                .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .route("/registry-findings", get(registry::list_registry_findings))
        .route(
            "/cases/{case_id}/registry-resolutions",
            post(cases::resolve_registry_finding),
        )
        .route("/exports/ledger", get(exports::ledger))
        .route("/exports/ledger.csv", get(exports::ledger_csv))
        .route(
            "/schools/{school}/roll-calls",
            post(roll_calls::submit_roll_call).get(roll_calls::list_roll_calls),
        )
        .route("/dashboard", get(cases::dashboard))
        .route("/org", get(org::get_org))
        .route("/org/history", get(org::org_history))
        .route("/org/nodes", post(org::add_node))
        .route("/org/users", post(org::add_user))
        .route(
            "/org/users/{user_id}/deactivation",
            post(org::deactivate_user),
        )
        .route("/org/users/{user_id}/tokens", post(org::issue_token))
        .route("/org/tokens/{token_id}", delete(org::revoke_token))
        .route("/calendar", get(org::get_calendar))
        .route("/calendar/terms", post(org::add_term))
        .route("/calendar/holidays", post(org::declare_holiday))
        .route("/calendar/make-up-days", post(org::declare_make_up_day))
        .route("/calendar/days/{day}", delete(org::clear_day))
        .fallback(|| async { error::ApiError::NotFound })
        // After every route: it applies to the routes there are.
        .method_not_allowed_fallback(|| async { error::ApiError::MethodNotAllowed });
    let router = Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(openapi::docs())
        .with_state(state)
        .layer(Extension(security));
    layers::around(router, REQUEST_TIME_LIMIT)
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
