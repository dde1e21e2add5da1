//! Writing whole histories at once: for seeding a database with facts that were decided
//! elsewhere (the county-scale benchmark's generator), where one command at a time through
//! [`crate::Commands`] would take hours.
//!
//! Nothing here decides anything: the caller runs each command through its aggregate
//! (`StudentCase::decide`, `SchoolRollCalls::decide` …) and hands over the events it
//! accepted, each with the metadata the command path would have stamped
//! ([`crate::commands::command_metadata`]) and the instant it was recorded. [`new_stream`]
//! serialises them with cqrs-es's own conversion (as [`crate::Commands`] does) and links them
//! into the stream's hash chain with [`crate::chain::event_hash`] (as the repository does);
//! [`insert`] writes them, many rows to a statement, in the order given, which becomes their
//! commit order, keeping each child's one open case file (`one_case`) as the repository does.
//! `notoneless verify` checks the result like any other log.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use cqrs_es::persist::SerializedEvent;
use cqrs_es::{Aggregate, EventEnvelope};

use crate::chain::{GENESIS, serialized_event_hash, truncate_to_micros};
use crate::clock::Clock;
use crate::db::{Db, P, Sql};
use crate::error::StoreError;
use crate::log_keys::LogSigner;
use crate::repository::EVENTS_CHANNEL;

/// One event linked into its stream's hash chain: a row of `events` ready to insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainedEvent {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    /// The payload and the metadata as JSON text: what the hash covers, serialised.
    pub payload: String,
    pub metadata: String,
    pub recorded_at: DateTime<Utc>,
    pub prev_hash: String,
    pub hash: String,
}

/// An accepted event of a new stream, with the metadata stamped on it and the instant it was
/// recorded.
pub struct Recorded<A: Aggregate> {
    pub event: A::Event,
    pub metadata: HashMap<String, String>,
    pub recorded_at: DateTime<Utc>,
}

/// A new stream's events, numbered from 1 and chained from [`GENESIS`]: serialised as the
/// command path serialises them (cqrs-es's `SerializedEvent` of an `EventEnvelope`), and
/// hashed as the repository hashes them, with the recorded time to the microsecond.
pub fn new_stream<A: Aggregate>(
    aggregate_id: &str,
    events: impl IntoIterator<Item = Recorded<A>>,
) -> Result<Vec<ChainedEvent>, StoreError> {
    let mut prev_hash = GENESIS.to_string();
    let mut out = Vec::new();
    for (sequence, recorded) in (1usize..).zip(events) {
        let envelope = EventEnvelope::<A> {
            aggregate_id: aggregate_id.to_string(),
            sequence,
            payload: recorded.event,
            metadata: recorded.metadata,
        };
        let event = SerializedEvent::try_from(&envelope)
            .map_err(|e| StoreError::Database(format!("cannot encode the event: {e}")))?;
        let sequence = i64::try_from(sequence)
            .map_err(|_| StoreError::Database(format!("sequence {sequence} is out of range")))?;
        let recorded_at = truncate_to_micros(recorded.recorded_at);
        let hash = serialized_event_hash(&event, sequence, recorded_at, &prev_hash);
        out.push(ChainedEvent {
            payload: event.payload.to_string(),
            metadata: event.metadata.to_string(),
            aggregate_type: event.aggregate_type,
            aggregate_id: event.aggregate_id,
            sequence,
            event_type: event.event_type,
            event_version: event.event_version,
            recorded_at,
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        });
    }
    Ok(out)
}

/// How many rows one INSERT carries (twelve parameters each, well under both databases' limits).
const ROWS_PER_STATEMENT: usize = 1_000;

/// Inserts the events in one transaction, in the order given (their commit order), a
/// thousand rows to a statement, and (on PostgreSQL) notifies the projector at the commit.
/// The database refuses an event whose stream already has its sequence, and then nothing is
/// written. Returns how many events were written.
///
/// Each event is signed with the signer's key, which must be announced in the log (on an
/// empty log it announces itself first: [`LogSigner::ensure_announced`]).
pub async fn insert(
    db: &Db,
    signer: &LogSigner,
    clock: &dyn Clock,
    events: &[ChainedEvent],
) -> Result<u64, StoreError> {
    signer.ensure_announced(db, clock).await?;
    let key = signer.key();
    let mut tx = db.begin().await?;
    let mut written = 0;
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let (mut postgres, mut sqlite) = (String::new(), String::new());
        let mut params = Vec::with_capacity(chunk.len() * 12);
        for event in chunk {
            let n = params.len();
            let p = |i: usize| format!("${}", n + i);
            let sep = if n == 0 { "" } else { ", " };
            postgres.push_str(&format!(
                "{sep}({}, {}, {}, {}, {}, CAST({} AS json), CAST({} AS json), {}, {}, {}, {}, {})",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6),
                p(7),
                p(8),
                p(9),
                p(10),
                p(11),
                p(12)
            ));
            sqlite.push_str(&format!(
                "{sep}({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6),
                p(7),
                p(8),
                p(9),
                p(10),
                p(11),
                p(12)
            ));
            params.extend([
                P::text(event.aggregate_type.as_str()),
                P::text(event.aggregate_id.as_str()),
                P::I64(event.sequence),
                P::text(event.event_type.as_str()),
                P::text(event.event_version.as_str()),
                P::text(event.payload.as_str()),
                P::text(event.metadata.as_str()),
                P::Ts(event.recorded_at),
                P::text(event.prev_hash.as_str()),
                P::text(event.hash.as_str()),
                P::text(key.id()),
                P::text(key.sign_event(&event.hash)),
            ]);
        }
        const COLUMNS: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at, prev_hash, hash, key_id, signature) VALUES ";
        let (postgres, sqlite) = (format!("{COLUMNS}{postgres}"), format!("{COLUMNS}{sqlite}"));
        written += tx
            .execute(
                Sql {
                    postgres: &postgres,
                    sqlite: &sqlite,
                },
                &params,
            )
            .await?;
    }
    // One open case file per child, kept as the repository keeps it.
    let holds = crate::one_case::changes_of_rows(events.iter().map(|e| {
        (
            e.aggregate_type.as_str(),
            e.aggregate_id.as_str(),
            e.event_type.as_str(),
            e.payload.as_str(),
        )
    }))?;
    for (case_id, change) in holds {
        crate::one_case::apply(&mut tx, case_id, std::slice::from_ref(&change)).await?;
    }
    if let Db::Postgres(_) = db {
        tx.execute(
            Sql::both("SELECT pg_notify($1, '')"),
            &[P::text(EVENTS_CHANNEL)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(written)
}
