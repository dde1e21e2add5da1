//! `Store`: the event store, command path and projector over one database, built together.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::commands::Commands;
use crate::db::Db;
use crate::error::StoreError;
use crate::projector::{Projector, Rules};
use crate::repository::Clock;

pub struct Store {
    pub db: Db,
    pub rules: Arc<Rules>,
    pub clock: Arc<dyn Clock>,
    pub commands: Commands,
    pub projector: Projector,
    /// Signalled after each commit of events (the projector's wake-up on SQLite).
    pub committed: Arc<Notify>,
}

impl Store {
    /// Connects to the database at `url`, applies the migrations, and builds the store.
    pub async fn open(url: &str, rules: Rules, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(Self::new(db, rules, clock))
    }

    /// Builds the store over a database that is already migrated.
    pub fn new(db: Db, rules: Rules, clock: Arc<dyn Clock>) -> Self {
        let rules = Arc::new(rules);
        let committed = Arc::new(Notify::new());
        Self {
            commands: Commands::new(db.clone(), clock.clone(), rules.clone(), committed.clone()),
            projector: Projector::new(db.clone(), clock.clone(), rules.clone()),
            db,
            rules,
            clock,
            committed,
        }
    }
}
