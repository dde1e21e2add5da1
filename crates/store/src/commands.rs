//! The one path every command takes: stamp the metadata (actor, role, jurisdiction, request
//! id, idempotency key), work out "today", run the aggregate through cqrs-es, retry a bounded
//! number of times when another writer got to the case first, and answer with the case's new
//! sequence and the event's global position. The recorded time is stamped by the repository
//! in the same transaction as the event.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{AggregateError, CqrsFramework};
use notoneless_domain::{CaseAction, CaseCommand, CaseError, StudentCase};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use crate::chain::canonical_json;
use crate::db::{Db, P, Sql};
use crate::error::StoreError;
use crate::projector::Rules;
use crate::repository::{ChainRepository, Clock, Receipts};

/// Who is acting: the user, the role they act in, and the jurisdiction node they act for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub id: String,
    pub role: String,
    pub jurisdiction: String,
}

/// Everything about a command that is not the command itself.
#[derive(Clone, Debug)]
pub struct CommandContext {
    pub actor: Actor,
    /// Unique per request; goes into every event's metadata and every log line.
    pub request_id: String,
    /// A key the client chose: the same key again returns the first result and writes nothing.
    pub idempotency_key: Option<String>,
}

/// What a command wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommandOutcome {
    pub case_id: String,
    /// The case's sequence after the command (the new event's sequence).
    pub sequence: u64,
    pub global_position: i64,
    /// The transaction id the event was written in (0 on SQLite); with the position, where it
    /// stands in commit order.
    #[serde(skip)]
    pub tx_id: i64,
    /// True when this is the first result of an earlier command with the same key.
    pub replayed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The domain refused the command: which field, and why.
    #[error(transparent)]
    Rejected(CaseError),
    /// Other writers kept changing the case; nothing was written.
    #[error(
        "the case was changed by someone else {attempts} times in a row; nothing was written, try again"
    )]
    Conflict { attempts: u32 },
    /// The idempotency key was used before for a different command.
    #[error("the idempotency key was already used for a different command")]
    KeyReused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

type Cqrs = CqrsFramework<StudentCase, PersistedEventStore<ChainRepository, StudentCase>>;

/// The command path.
pub struct Commands {
    cqrs: Cqrs,
    db: Db,
    clock: Arc<dyn Clock>,
    rules: Arc<Rules>,
    receipts: Arc<Receipts>,
    max_attempts: u32,
}

impl Commands {
    pub fn new(db: Db, clock: Arc<dyn Clock>, rules: Arc<Rules>, committed: Arc<Notify>) -> Self {
        let receipts = Arc::new(Receipts::default());
        let repository =
            ChainRepository::new(db.clone(), clock.clone(), receipts.clone(), committed);
        let store = PersistedEventStore::new_event_store(repository);
        Self {
            cqrs: CqrsFramework::new(store, vec![], ()),
            db,
            clock,
            rules,
            receipts,
            max_attempts: 5,
        }
    }

    /// Records one fact on a case (opening it, for `OpenCase`).
    pub async fn execute(
        &self,
        case_id: &str,
        action: CaseAction,
        context: &CommandContext,
    ) -> Result<CommandOutcome, CommandError> {
        let fingerprint = fingerprint(case_id, &action)?;
        if let Some(key) = &context.idempotency_key
            && let Some(outcome) = self.replay(&context.actor.id, key, &fingerprint).await?
        {
            return Ok(outcome);
        }
        let mut metadata = HashMap::from([
            ("actor".to_string(), context.actor.id.clone()),
            ("role".to_string(), context.actor.role.clone()),
            (
                "jurisdiction".to_string(),
                context.actor.jurisdiction.clone(),
            ),
            ("request_id".to_string(), context.request_id.clone()),
        ]);
        if let Some(key) = &context.idempotency_key {
            metadata.insert("idempotency_key".to_string(), key.clone());
            metadata.insert("fingerprint".to_string(), fingerprint.clone());
        }
        for attempt in 1..=self.max_attempts {
            let today = self.rules.calendar.local_date(self.clock.now());
            let command = CaseCommand::new(today, action.clone());
            match self
                .cqrs
                .execute_with_metadata(case_id, command, metadata.clone())
                .await
            {
                Ok(()) => {
                    let receipt = self
                        .receipts
                        .take(&context.request_id)
                        .ok_or_else(|| StoreError::Database("the commit left no receipt".into()))?;
                    return Ok(CommandOutcome {
                        case_id: case_id.to_string(),
                        sequence: receipt.sequence,
                        global_position: receipt.global_position,
                        tx_id: receipt.tx_id,
                        replayed: false,
                    });
                }
                Err(AggregateError::UserError(error)) => return Err(CommandError::Rejected(error)),
                Err(AggregateError::AggregateConflict) => {
                    // The same key may have won the race from another request.
                    if let Some(key) = &context.idempotency_key
                        && let Some(outcome) =
                            self.replay(&context.actor.id, key, &fingerprint).await?
                    {
                        return Ok(outcome);
                    }
                    tracing::debug!(request_id = %context.request_id, attempt, "conflict on the case; retrying");
                    tokio::time::sleep(Duration::from_millis(2 * u64::from(attempt))).await;
                }
                Err(AggregateError::DatabaseConnectionError(error)) => {
                    return Err(StoreError::Unavailable(error.to_string()).into());
                }
                Err(AggregateError::DeserializationError(error)) => {
                    return Err(StoreError::Corrupt(error.to_string()).into());
                }
                Err(AggregateError::UnexpectedError(error)) => {
                    return Err(StoreError::Database(error.to_string()).into());
                }
            }
        }
        Err(CommandError::Conflict {
            attempts: self.max_attempts,
        })
    }

    /// The first result of an earlier command with this key, if there was one.
    async fn replay(
        &self,
        actor: &str,
        key: &str,
        fingerprint: &str,
    ) -> Result<Option<CommandOutcome>, CommandError> {
        let row = self
            .db
            .fetch_optional(
                Sql::both(
                    "SELECT fingerprint, aggregate_id, sequence, global_position FROM idempotency_keys WHERE actor = $1 AND key = $2",
                ),
                &[P::text(actor), P::text(key)],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        if row.text("fingerprint")? != fingerprint {
            return Err(CommandError::KeyReused);
        }
        Ok(Some(CommandOutcome {
            case_id: row.text("aggregate_id")?,
            sequence: u64::try_from(row.i64("sequence")?).unwrap_or_default(),
            global_position: row.i64("global_position")?,
            tx_id: 0,
            replayed: true,
        }))
    }
}

/// What makes two commands "the same": the case and the action, canonically encoded.
fn fingerprint(case_id: &str, action: &CaseAction) -> Result<String, StoreError> {
    let value = serde_json::to_value(action)
        .map_err(|e| StoreError::Database(format!("cannot encode the command: {e}")))?;
    let mut hasher = Sha256::new();
    hasher.update(case_id.as_bytes());
    hasher.update([0]);
    hasher.update(canonical_json(&value).as_bytes());
    Ok(hex::encode(hasher.finalize()))
}
