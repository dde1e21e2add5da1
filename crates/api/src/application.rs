//! The application, built once: the store over its database (migrated, the organisation
//! read), its clock, the authentication guards, the router and the listener; run with the
//! projector beside it until shut down. `notoneless serve` (with or without `--demo`) and
//! every HTTP test build it this way. [`app`] is its router: the API's table, the health
//! checks, the OpenAPI document and the API page, behind the request-wide layers.

use axum::serve::ListenerExt as _;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use notoneless_store::clock::{TrainingError, mark_for_training};
use notoneless_store::log::events_after;
use notoneless_store::{Clock, Db, Rules, Store, StoreError};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use notoneless_store::signing::LogKey;

use crate::layers::REQUEST_TIME_LIMIT;
use crate::security::SecurityConfig;
use crate::state::AppState;
use crate::{error, layers, openapi, routes};

/// The projector counts as caught up for `/readyz` while at most this many events wait.
pub const READY_LAG: i64 = 1_000;

/// What the application is built from.
pub struct Config {
    /// `postgres://…` or `sqlite://…`.
    pub database_url: String,
    /// The calendar and ladder to start with (the organisation's own calendar, once declared,
    /// replaces the calendar).
    pub rules: Rules,
    /// The source of "now": the machine's clock, or a training clock (only on a database
    /// marked for training: [`Application::build`] marks an empty one).
    pub clock: Arc<dyn Clock>,
    pub security: SecurityConfig,
    /// Where to listen (port 0: any free port).
    pub listen: SocketAddr,
    /// How often to try the database before giving up (2 s apart).
    pub connect_attempts: u32,
    /// The server's signing key (docs/hash-chain.md): every event it appends is signed.
    pub signing_key: LogKey,
}

/// Why the application could not be built or run.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Training(#[from] TrainingError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server failed: {0}")]
    Serve(std::io::Error),
    #[error("the projector stopped: {0}")]
    Projector(String),
}

/// The application, built and listening, not yet serving.
pub struct Application {
    state: AppState,
    listener: TcpListener,
    console: Option<Console>,
}

/// The web console's pages (`crates/web`), served beside the API by the same application:
/// its routes, and its answer to a path that is neither a page nor the API's.
pub struct Console {
    pub pages: Router<AppState>,
    pub not_found: axum::routing::MethodRouter<AppState>,
}

impl Application {
    /// Connects to the database (retrying while it does not answer), migrates it, marks it
    /// for training if the clock is a training clock (refused on a database that holds real
    /// data), reads the organisation and binds the listener.
    pub async fn build(config: Config) -> Result<Self, ApplicationError> {
        let db = Db::connect_with_retry(
            &config.database_url,
            config.connect_attempts.max(1),
            Duration::from_secs(2),
        )
        .await?;
        db.migrate().await?;
        if config.clock.training().is_some() {
            let marked = mark_for_training(&db, config.clock.now(), "training").await?;
            tracing::warn!(%marked, now = %config.clock.now(),
                "a TRAINING server: its clock is set, and its database is marked for training for good");
        }
        let store = Store::new(db, config.rules, config.clock, config.signing_key);
        store.org.reload().await?;
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| ApplicationError::Listen {
                    address: config.listen,
                    source,
                })?;
        Ok(Self {
            state: AppState::new(Arc::new(store), config.security),
            listener,
            console: None,
        })
    }

    /// Serves the web console's pages too.
    pub fn with_console(mut self, console: Console) -> Self {
        self.console = Some(console);
        self
    }

    /// The address it listens on.
    pub fn address(&self) -> Result<SocketAddr, ApplicationError> {
        self.listener.local_addr().map_err(ApplicationError::Serve)
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.state.store
    }

    /// Serves until `shutdown` resolves, with the projector running beside; once the last
    /// request is answered, the projector applies what was committed and stops.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ApplicationError> {
        let store = self.state.store.clone();
        let (stop, stopped) = watch::channel(false);
        let projector = store.projector.clone();
        let committed = store.committed.clone();
        let projector_task = tokio::spawn(async move { projector.run(committed, stopped).await });
        let address = self.address()?;
        tracing::info!(%address, "serving; API page at /api/docs");
        let router: Router = app_with(self.state, self.console);
        // The peer's address is what failed authentications are counted by.
        // TCP_NODELAY: a streamed answer's body (the review's) is written after its head; with
        // Nagle's algorithm the body's small packet waits for the client's delayed ACK, 40 ms
        // on Linux (measured by nol-pages: docs/performance.md).
        let listener = self.listener.tap_io(|stream: &mut tokio::net::TcpStream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "TCP_NODELAY could not be set on a connection");
            }
        });
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        tracing::info!("requests finished; stopping the projector");
        let _ = stop.send(true);
        let projected = projector_task.await;
        served.map_err(ApplicationError::Serve)?;
        projected.map_err(|e| ApplicationError::Projector(e.to_string()))?;
        tracing::info!("stopped");
        Ok(())
    }

    /// Runs it on the current runtime until the returned handle is dropped (tests, tools).
    pub fn spawn(self) -> Result<Running, ApplicationError> {
        let address = self.address()?;
        let store = self.state.store.clone();
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(self.run_until(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        }));
        Ok(Running {
            address,
            store,
            stop,
            _task: task,
        })
    }
}

/// An application running in the background; dropping it shuts it down.
pub struct Running {
    pub address: SocketAddr,
    pub store: Arc<Store>,
    stop: watch::Sender<bool>,
    _task: tokio::task::JoinHandle<Result<(), ApplicationError>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// The whole application: API, health checks, OpenAPI document and API page, behind the
/// request-wide layers (`layers.rs`).
pub fn app(state: AppState) -> Router {
    app_with(state, None)
}

/// The whole application with the web console's pages: a path under `/api/` that is no
/// endpoint is answered by the API (JSON), any other by the console (a page).
pub fn app_with(state: AppState, console: Option<Console>) -> Router {
    let (api, document) = routes::assemble(Some(&state), openapi::base()).split_for_parts();
    let api = match console {
        Some(console) => {
            let not_found = console.not_found.with_state(state.clone());
            api.merge(console.pages)
                .fallback(move |request: axum::extract::Request| {
                    let not_found = not_found.clone();
                    async move {
                        if request.uri().path().starts_with("/api/") {
                            error::ApiError::NotFound.into_response()
                        } else {
                            match not_found.oneshot(request).await {
                                Ok(response) => response,
                                Err(never) => match never {},
                            }
                        }
                    }
                })
        }
        None => api.fallback(|| async { error::ApiError::NotFound }),
    };
    let api = api
        // After every route: it applies to the routes there are.
        .method_not_allowed_fallback(|| async { error::ApiError::MethodNotAllowed });
    let router = Router::new()
        .merge(api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(openapi::docs(openapi::finish(document)))
        .with_state(state);
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
