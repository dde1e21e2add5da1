//! The one path every command takes: stamp the metadata (actor, role, jurisdiction, request
//! id, idempotency key), run the aggregate through cqrs-es, retry a bounded number of times
//! when another writer got to the stream first, and answer with the stream's new sequence and
//! the event's global position. The recorded time is stamped by the repository in the same
//! transaction as the event.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, CqrsFramework};
use notoneless_domain::{
    CaseAction, CaseCommand, CaseError, RollCall, RollCallCommand, RollCallEvent, SchoolRollCalls,
    StudentCase,
};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use crate::chain::canonical_json;
use crate::clock::Clock;
use crate::db::{Db, P, Sql};
use crate::error::StoreError;
use crate::log_keys::LogSigner;
use crate::one_case::OneCaseRefusal;
use crate::repository::{ChainRepository, Receipts};
use crate::rules::SharedRules;

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
    /// The stream written: the case id, for case commands.
    pub case_id: String,
    /// The stream's sequence after the command (the new event's sequence).
    pub sequence: u64,
    pub global_position: i64,
    /// The writing transaction (0 on SQLite, and on a replayed result); with the position,
    /// where the event stands in commit order.
    #[serde(skip)]
    pub tx_id: i64,
    /// True when this is the first result of an earlier command with the same key.
    pub replayed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError<E = CaseError> {
    /// The domain refused the command: which field, and why.
    #[error(transparent)]
    Rejected(E),
    /// Other writers kept changing the stream; nothing was written.
    #[error(
        "the record was changed by someone else {attempts} times in a row; nothing was written, try again"
    )]
    Conflict { attempts: u32 },
    /// The idempotency key was used before for a different command.
    #[error("the idempotency key was already used for a different command")]
    KeyReused,
    /// The command would open a second case file for a child who has one open; nothing was
    /// written.
    #[error(transparent)]
    OneCase(OneCaseRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The metadata the command path stamps on every event it writes: who acted, in which role,
/// for which jurisdiction node, and the request id of this execution. (A command sent with an
/// idempotency key adds the key and the request's fingerprint.)
pub fn command_metadata(actor: &Actor, request_id: &str) -> HashMap<String, String> {
    HashMap::from([
        ("actor".to_string(), actor.id.clone()),
        ("role".to_string(), actor.role.clone()),
        ("jurisdiction".to_string(), actor.jurisdiction.clone()),
        ("request_id".to_string(), request_id.to_string()),
    ])
}

/// Where a fact comes from when it was not entered by hand: metadata keys stamped on its
/// event besides the actor's (`imported_from`, `ledger_date`, `imported_by` …). Empty for
/// every fact entered through the API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance(pub Vec<(String, String)>);

/// The recorder of every fact imported from a county's ledger: an identity of its own, never
/// a person, so that nobody can pass an imported step off as one recorded at the time.
pub const LEDGER_IMPORTER_ROLE: &str = "importer";

/// The actor, and the provenance, of the facts imported from the ledger of `ledger_date` by
/// whoever `context` acts for (kept as `imported_by`, `imported_by_role`).
pub fn ledger_import(
    context: &CommandContext,
    ledger_date: chrono::NaiveDate,
) -> (CommandContext, Provenance) {
    let importer = CommandContext {
        actor: Actor {
            id: format!("import:ledger/{ledger_date}"),
            role: LEDGER_IMPORTER_ROLE.to_string(),
            jurisdiction: context.actor.jurisdiction.clone(),
        },
        request_id: context.request_id.clone(),
        // One key cannot stand for the many facts of a file; the import is idempotent by
        // what it records.
        idempotency_key: None,
    };
    let provenance = Provenance(vec![
        ("imported_from".to_string(), "ledger".to_string()),
        ("ledger_date".to_string(), ledger_date.to_string()),
        ("imported_by".to_string(), context.actor.id.clone()),
        ("imported_by_role".to_string(), context.actor.role.clone()),
    ]);
    (importer, provenance)
}

/// Runs the commands of one aggregate type.
pub struct Executor<A: Aggregate<Services = ()>> {
    cqrs: CqrsFramework<A, PersistedEventStore<ChainRepository, A>>,
    db: Db,
    receipts: Arc<Receipts>,
    max_attempts: u32,
}

impl<A: Aggregate<Services = ()> + 'static> Executor<A> {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        signer: Arc<LogSigner>,
        committed: Arc<Notify>,
    ) -> Self {
        let receipts = Arc::new(Receipts::default());
        let repository =
            ChainRepository::new(db.clone(), clock, signer, receipts.clone(), committed);
        Self::over(db, repository, receipts)
    }

    /// An executor that reads its stream afresh for every command
    /// ([`ChainRepository::reading_afresh`]): the organisation's, which other processes write.
    pub fn reading_afresh(
        db: Db,
        clock: Arc<dyn Clock>,
        signer: Arc<LogSigner>,
        committed: Arc<Notify>,
    ) -> Self {
        let receipts = Arc::new(Receipts::default());
        let repository =
            ChainRepository::new(db.clone(), clock, signer, receipts.clone(), committed)
                .reading_afresh();
        Self::over(db, repository, receipts)
    }

    fn over(db: Db, repository: ChainRepository, receipts: Arc<Receipts>) -> Self {
        Self {
            cqrs: CqrsFramework::new(PersistedEventStore::new_event_store(repository), vec![], ()),
            db,
            receipts,
            max_attempts: 5,
        }
    }

    /// Runs the command `make()` builds (anew for each attempt) on stream `id`. `request` is
    /// what the caller asked, for recognising the same command sent again with its key.
    pub async fn execute(
        &self,
        id: &str,
        request: &Value,
        make: impl Fn() -> A::Command,
        context: &CommandContext,
    ) -> Result<CommandOutcome, CommandError<A::Error>> {
        self.execute_with(id, request, make, context, &Provenance::default())
            .await
    }

    /// [`Executor::execute`], with the provenance of a fact not entered by hand stamped on
    /// its event's metadata too.
    pub async fn execute_with(
        &self,
        id: &str,
        request: &Value,
        make: impl Fn() -> A::Command,
        context: &CommandContext,
        provenance: &Provenance,
    ) -> Result<CommandOutcome, CommandError<A::Error>> {
        let fingerprint = fingerprint(A::TYPE, id, request);
        if let Some(key) = &context.idempotency_key
            && let Some(outcome) = self.replay(&context.actor.id, key, &fingerprint).await?
        {
            return Ok(outcome);
        }
        // The request id as the caller gave it, made unique to this execution: the commit's
        // receipt is found by it, and a client may send the same id twice.
        let request_id = format!("{}/{}", context.request_id, uuid::Uuid::new_v4().simple());
        let mut metadata = command_metadata(&context.actor, &request_id);
        metadata.extend(provenance.0.iter().cloned());
        if let Some(key) = &context.idempotency_key {
            metadata.insert("idempotency_key".to_string(), key.clone());
            metadata.insert("fingerprint".to_string(), fingerprint.clone());
        }
        for attempt in 1..=self.max_attempts {
            match self
                .cqrs
                .execute_with_metadata(id, make(), metadata.clone())
                .await
            {
                Ok(()) => {
                    let receipt = self
                        .receipts
                        .take(&request_id)
                        .ok_or_else(|| StoreError::Database("the commit left no receipt".into()))?;
                    return Ok(CommandOutcome {
                        case_id: id.to_string(),
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
                    tracing::debug!(request_id = %context.request_id, attempt, "conflict on the stream; retrying");
                    tokio::time::sleep(Duration::from_millis(2 * u64::from(attempt))).await;
                }
                Err(AggregateError::DatabaseConnectionError(error)) => {
                    return Err(StoreError::Unavailable(error.to_string()).into());
                }
                Err(AggregateError::DeserializationError(error)) => {
                    return Err(StoreError::Corrupt(error.to_string()).into());
                }
                Err(AggregateError::UnexpectedError(error)) => {
                    return Err(match error.downcast::<StoreError>() {
                        Ok(store_error) => match *store_error {
                            StoreError::OneCase(refusal) => CommandError::OneCase(refusal),
                            other => other.into(),
                        },
                        Err(error) => StoreError::Database(error.to_string()).into(),
                    });
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
    ) -> Result<Option<CommandOutcome>, CommandError<A::Error>> {
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

/// The case command path: works out "today" in the county's time zone for each attempt.
pub struct Commands {
    executor: Executor<StudentCase>,
    clock: Arc<dyn Clock>,
    rules: SharedRules,
}

impl Commands {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        rules: SharedRules,
        signer: Arc<LogSigner>,
        committed: Arc<Notify>,
    ) -> Self {
        Self {
            executor: Executor::new(db, clock.clone(), signer, committed),
            clock,
            rules,
        }
    }

    /// Records one fact on a case (opening it, for `OpenCase`).
    pub async fn execute(
        &self,
        case_id: &str,
        action: CaseAction,
        context: &CommandContext,
    ) -> Result<CommandOutcome, CommandError> {
        self.execute_with(case_id, action, context, &Provenance::default())
            .await
    }

    /// [`Commands::execute`] for a fact not entered by hand: its provenance goes into the
    /// event's metadata.
    pub async fn execute_with(
        &self,
        case_id: &str,
        action: CaseAction,
        context: &CommandContext,
        provenance: &Provenance,
    ) -> Result<CommandOutcome, CommandError> {
        let request = serde_json::to_value(&action)
            .map_err(|e| StoreError::Database(format!("cannot encode the command: {e}")))?;
        let make = || {
            let today = self.rules.get().calendar.local_date(self.clock.now());
            CaseCommand::new(today, action.clone())
        };
        self.executor
            .execute_with(case_id, &request, make, context, provenance)
            .await
    }
}

/// What makes two commands "the same": the stream and the request, canonically encoded.
fn fingerprint(aggregate_type: &str, id: &str, request: &Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(aggregate_type.as_bytes());
    hasher.update([0]);
    hasher.update(id.as_bytes());
    hasher.update([0]);
    hasher.update(canonical_json(request).as_bytes());
    hex::encode(hasher.finalize())
}

/// The roll-call path: one stream per school; "today" as for cases.
pub struct RollCalls {
    executor: Executor<SchoolRollCalls>,
    db: Db,
    clock: Arc<dyn Clock>,
    rules: SharedRules,
}

/// The aggregate type of the roll-call streams.
pub const ROLL_CALLS: &str = "school_roll_calls";

impl RollCalls {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        rules: SharedRules,
        signer: Arc<LogSigner>,
        committed: Arc<Notify>,
    ) -> Self {
        Self {
            executor: Executor::new(db.clone(), clock.clone(), signer, committed),
            db,
            clock,
            rules,
        }
    }

    /// Records one class's roll call for one day at a school.
    pub async fn submit(
        &self,
        school: &str,
        roll_call: RollCall,
        context: &CommandContext,
    ) -> Result<CommandOutcome, CommandError> {
        let request = serde_json::to_value(&roll_call)
            .map_err(|e| StoreError::Database(format!("cannot encode the command: {e}")))?;
        let make = || RollCallCommand {
            today: self.rules.get().calendar.local_date(self.clock.now()),
            roll_call: roll_call.clone(),
        };
        self.executor.execute(school, &request, make, context).await
    }

    /// A school's roll calls, with their sequence numbers, recorded up to `known_at`.
    pub async fn of_school(
        &self,
        school: &str,
        known_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Vec<(u64, RollCall)>, StoreError> {
        roll_calls_of_school(&self.db, school, known_at).await
    }
}

/// A school's roll calls, with their sequence numbers, recorded up to `known_at`.
pub async fn roll_calls_of_school(
    db: &Db,
    school: &str,
    known_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Vec<(u64, RollCall)>, StoreError> {
    Ok(crate::log::stream_facts(db, ROLL_CALLS, school, known_at)
        .await?
        .into_iter()
        .map(|(sequence, RollCallEvent::RollCallSubmitted(roll_call))| {
            (u64::try_from(sequence).unwrap_or_default(), roll_call)
        })
        .collect())
}
