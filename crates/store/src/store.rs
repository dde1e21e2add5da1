//! `Store`: the event store, command path, projector and access log over one database, built
//! together.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::access::AccessLog;
use crate::clock::Clock;
use crate::commands::{Commands, RollCalls};
use crate::db::Db;
use crate::error::StoreError;
use crate::log_keys::LogSigner;
use crate::org::OrgDirectory;
use crate::projector::Projector;
use crate::rules::{Rules, SharedRules};
use crate::sessions::Sessions;
use crate::signing::LogKey;

pub struct Store {
    pub db: Db,
    pub rules: SharedRules,
    pub clock: Arc<dyn Clock>,
    pub commands: Commands,
    pub roll_calls: RollCalls,
    pub org: Arc<OrgDirectory>,
    pub projector: Projector,
    /// Who read which child's case file.
    pub access: AccessLog,
    /// Who is logged in with a password, and the sign-in log.
    pub sessions: Sessions,
    /// The server's signing key: every event it appends is signed with it.
    pub signer: Arc<LogSigner>,
    /// Signalled after each commit of events (the projector's wake-up on SQLite).
    pub committed: Arc<Notify>,
    /// The school of each case looked up so far: fixed by the case's opening, never changed.
    schools: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// How many cases' schools are kept before the cache starts afresh.
const MAX_CACHED_SCHOOLS: usize = 200_000;

impl Store {
    /// Connects to the database at `url`, applies the migrations, and builds the store.
    pub async fn open(
        url: &str,
        rules: Rules,
        clock: Arc<dyn Clock>,
        key: LogKey,
    ) -> Result<Self, StoreError> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        let store = Self::new(db, rules, clock, key);
        store.org.reload().await?;
        Ok(store)
    }

    /// Builds the store over a database that is already migrated, signing with `key`.
    pub fn new(db: Db, rules: Rules, clock: Arc<dyn Clock>, key: LogKey) -> Self {
        let rules = SharedRules::new(rules);
        let committed = Arc::new(Notify::new());
        let signer = LogSigner::new(key);
        let org = Arc::new(OrgDirectory::new(
            db.clone(),
            clock.clone(),
            rules.clone(),
            signer.clone(),
            committed.clone(),
        ));
        Self {
            commands: Commands::new(
                db.clone(),
                clock.clone(),
                rules.clone(),
                signer.clone(),
                committed.clone(),
            ),
            roll_calls: RollCalls::new(
                db.clone(),
                clock.clone(),
                rules.clone(),
                signer.clone(),
                committed.clone(),
            ),
            projector: Projector::new(db.clone(), clock.clone(), rules.clone())
                .with_org(org.clone()),
            access: AccessLog::new(db.clone(), clock.clone()),
            sessions: Sessions::new(db.clone(), clock.clone()),
            org,
            db,
            rules,
            clock,
            signer,
            committed,
            schools: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Forgets the school kept for a case, after a fact that may have moved it (a transfer's
    /// confirmation, a correction).
    pub fn forget_school(&self, case_id: &str) {
        if let Ok(mut cache) = self.schools.lock() {
            cache.remove(case_id);
        }
    }

    /// The school that keeps a case (`read_model::case_school`), `None` for a case never
    /// opened. Every command checks it against the caller's jurisdiction, so it is kept; it
    /// changes only when a school of the county continues the case after a transfer, which
    /// the command path makes this store forget (ADR 0013: another process keeps its own until
    /// it restarts or the entry is dropped).
    pub async fn case_school(&self, case_id: &str) -> Result<Option<String>, StoreError> {
        if let Some(school) = self
            .schools
            .lock()
            .ok()
            .and_then(|m| m.get(case_id).cloned())
        {
            return Ok(Some(school));
        }
        let school = crate::read_model::case_school(&self.db, case_id).await?;
        if let (Some(school), Ok(mut cache)) = (&school, self.schools.lock()) {
            if cache.len() >= MAX_CACHED_SCHOOLS {
                cache.clear();
            }
            cache.insert(case_id.to_string(), school.clone());
        }
        Ok(school)
    }
}
