//! `Store`: the event store, command path and projector over one database, built together.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::commands::{Commands, RollCalls};
use crate::db::Db;
use crate::error::StoreError;
use crate::org::OrgDirectory;
use crate::projector::Projector;
use crate::repository::Clock;
use crate::rules::{Rules, SharedRules};

pub struct Store {
    pub db: Db,
    pub rules: SharedRules,
    pub clock: Arc<dyn Clock>,
    pub commands: Commands,
    pub roll_calls: RollCalls,
    pub org: Arc<OrgDirectory>,
    pub projector: Projector,
    /// Signalled after each commit of events (the projector's wake-up on SQLite).
    pub committed: Arc<Notify>,
}

impl Store {
    /// Connects to the database at `url`, applies the migrations, and builds the store.
    pub async fn open(url: &str, rules: Rules, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        let store = Self::new(db, rules, clock);
        store.org.reload().await?;
        Ok(store)
    }

    /// Builds the store over a database that is already migrated.
    pub fn new(db: Db, rules: Rules, clock: Arc<dyn Clock>) -> Self {
        let rules = SharedRules::new(rules);
        let committed = Arc::new(Notify::new());
        let org = Arc::new(OrgDirectory::new(
            db.clone(),
            clock.clone(),
            rules.clone(),
            committed.clone(),
        ));
        Self {
            commands: Commands::new(db.clone(), clock.clone(), rules.clone(), committed.clone()),
            roll_calls: RollCalls::new(db.clone(), clock.clone(), rules.clone(), committed.clone()),
            projector: Projector::new(db.clone(), clock.clone(), rules.clone())
                .with_org(org.clone()),
            org,
            db,
            rules,
            clock,
            committed,
        }
    }
}
