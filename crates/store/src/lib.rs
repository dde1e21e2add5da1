//! The event store of Not One Less, on PostgreSQL (postgres-es) or embedded SQLite
//! (sqlite-es): append-only events in per-case SHA-256 hash chains, their verification, the
//! one command path (metadata, retries, idempotency), and the checkpointed projector that
//! keeps the read models.
//!
//! This crate does the I/O the domain crate must not. It holds no rule of its own: what is
//! due, done or overdue is always `notoneless_domain::assess`.

pub mod access;
pub mod accounts;
pub mod bulk;
pub mod chain;
pub mod checkpoints;
pub mod clock;
pub mod db;
pub mod error;
pub mod repository;
pub mod review;
pub mod rules;

pub use clock::{Clock, SystemClock, TrainingClock};
pub use db::{Backend, Db};
pub use error::StoreError;
pub mod commands;
pub mod exports;
pub mod imports;
pub mod list_file;
pub mod log;
pub mod log_keys;
pub mod one_case;
pub mod org;
pub mod passwords;
pub mod projector;
pub mod read_model;
pub mod school_files;
pub mod sessions;
pub mod signing;
pub mod users;
pub mod verify;

pub use commands::{
    Actor, CommandContext, CommandError, CommandOutcome, Commands, Executor, RollCalls,
};
pub use projector::Projector;
pub use rules::{Rules, SharedRules};
pub mod store;
pub mod table;
#[cfg(feature = "testing")]
pub mod testing;

pub use store::Store;
