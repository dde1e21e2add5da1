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
pub mod layers;
pub mod openapi;
pub mod org;
pub mod registry;
pub mod reviews;
pub mod roll_calls;
pub mod routes;
pub mod search;
pub mod security;
pub mod session;
pub mod state;
pub mod streamed;
pub mod transparency;
pub mod uploads;

pub use application::app;
pub use extract::{MAX_BODY_BYTES, MAX_IMPORT_BYTES};
pub use state::AppState;
