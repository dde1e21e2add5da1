//! `ChainRepository`: the cqrs-es event repository for both backends.
//!
//! Loading an aggregate is ours: one query for its events and the hash of the last, which is
//! kept so that the append need not read it again. Streams are delegated to postgres-es and
//! sqlite-es, which read our `events` table by the column names they know. Writes are ours:
//! each new event is stamped with the recorded time, linked into the case's hash chain and
//! inserted, with the idempotency key and its result, and (on PostgreSQL) a notification for
//! the projector. One event with no key is one statement on PostgreSQL (a round trip, no
//! explicit transaction); anything more is one transaction. A prev-hash that is out of date
//! cannot get in: the event's (aggregate, sequence) key is unique, so a stream that moved
//! since it was loaded refuses the insert and the command is retried. An event that opens,
//! reopens or closes a case also keeps the child's one open case file (`one_case`) in the same
//! transaction, checked before the event goes in. The crates' own
//! `persist` cannot add the extra columns or rows (docs/adr/0003).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use postgres_es::PostgresEventRepository;
use serde_json::Value;
use sqlite_es::SqliteEventRepository;
use tokio::sync::Notify;

use crate::chain::{GENESIS, serialized_event_hash, truncate_to_micros};
use crate::clock::Clock;
use crate::db::{Db, P, Sql};
use crate::error::StoreError;
use crate::log_keys::LogSigner;

/// The channel PostgreSQL notifies on each commit of events.
pub const EVENTS_CHANNEL: &str = "notoneless_events";

/// What a commit wrote: the last event's sequence and global position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub sequence: u64,
    pub global_position: i64,
    pub tx_id: i64,
    pub recorded_at: DateTime<Utc>,
}

/// Receipts of commits, by request id, for the command path to collect after cqrs-es returns.
#[derive(Debug, Default)]
pub struct Receipts(Mutex<HashMap<String, Receipt>>);

impl Receipts {
    fn put(&self, request_id: String, receipt: Receipt) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(request_id, receipt);
        }
    }

    pub fn take(&self, request_id: &str) -> Option<Receipt> {
        self.0.lock().ok()?.remove(request_id)
    }
}

enum Reader {
    Postgres(PostgresEventRepository),
    Sqlite(SqliteEventRepository),
}

/// The event repository: reads through postgres-es/sqlite-es, writes with the hash chain.
pub struct ChainRepository {
    db: Db,
    reader: Reader,
    clock: Arc<dyn Clock>,
    /// The server's key: every event is signed with it.
    signer: Arc<LogSigner>,
    receipts: Arc<Receipts>,
    committed: Arc<Notify>,
    /// The last (sequence, hash) loaded or appended, per (aggregate type, aggregate id).
    heads: Mutex<HashMap<(String, String), (usize, String)>>,
    /// The streams recently loaded or appended to, as stored, so that the next command on the
    /// same case needs no read. Never trusted for a write: if another writer appended since,
    /// the insert's unique (aggregate, sequence) refuses it, the stream is dropped from here
    /// and the command is retried on a fresh load.
    recent: Mutex<RecentStreams>,
    /// Whether streams are kept in `recent` at all (see [`ChainRepository::reading_afresh`]).
    keep_recent: bool,
}

/// How many streams' heads are kept before the cache starts afresh.
const MAX_HEADS: usize = 100_000;
/// How many events the recent streams may hold in all before that cache starts afresh, and
/// the longest stream it keeps: a bound on its memory. Events are kept as JSON trees, a case's
/// opening (the child's profile) several kB of them: 10,000 events held about 30 MB after the
/// benchmark opened 10,000 cases, 2,000 hold a few MB, and a command needs only the streams
/// being worked on now (16 clients, one case each at a time).
const MAX_RECENT_EVENTS: usize = 2_000;
const MAX_RECENT_STREAM: usize = 500;

#[derive(Default)]
struct RecentStreams {
    streams: HashMap<(String, String), Vec<SerializedEvent>>,
    events: usize,
}

impl RecentStreams {
    fn get(&self, key: &(String, String)) -> Option<Vec<SerializedEvent>> {
        self.streams.get(key).cloned()
    }

    fn put(&mut self, key: (String, String), events: Vec<SerializedEvent>) {
        self.forget(&key);
        if events.is_empty() || events.len() > MAX_RECENT_STREAM {
            return;
        }
        if self.events + events.len() > MAX_RECENT_EVENTS {
            self.streams.clear();
            self.events = 0;
        }
        self.events += events.len();
        self.streams.insert(key, events);
    }

    /// Adds appended events to a kept stream if they follow on from it; forgets it otherwise.
    fn extend(&mut self, key: (String, String), appended: &[SerializedEvent]) {
        let follows = match (self.streams.get(&key), appended.first()) {
            (Some(kept), Some(first)) => kept.len() + 1 == first.sequence,
            (None, Some(first)) => first.sequence == 1,
            _ => false,
        };
        if follows {
            let mut kept = self.streams.remove(&key).unwrap_or_default();
            self.events -= kept.len();
            kept.extend_from_slice(appended);
            self.put(key, kept);
        } else {
            self.forget(&key);
        }
    }

    fn forget(&mut self, key: &(String, String)) {
        if let Some(kept) = self.streams.remove(key) {
            self.events -= kept.len();
        }
    }
}

const LOAD_EVENTS: Sql = Sql::both(
    "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, hash
     FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence",
);

const SELECT_HASH: Sql = Sql::both(
    "SELECT hash FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3",
);

const INSERT_EVENT: Sql = Sql {
    postgres: "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at, prev_hash, hash, key_id, signature)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
               RETURNING global_position, tx_id::text::bigint AS tx_id",
    sqlite: "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at, prev_hash, hash, key_id, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             RETURNING global_position, 0 AS tx_id",
};

/// One signed event, nothing returned (the key announcements).
pub(crate) const INSERT_EVENT_ONLY: Sql = Sql::both(
    "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at, prev_hash, hash, key_id, signature)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
);

/// One event and the projector's notification, in one statement (PostgreSQL).
const INSERT_EVENT_AND_NOTIFY: &str = "WITH ins AS (
        INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at, prev_hash, hash, key_id, signature)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        RETURNING global_position, tx_id)
    SELECT ins.global_position, ins.tx_id::text::bigint AS tx_id
    FROM ins, LATERAL (SELECT pg_notify($13, '')) AS notified";

impl ChainRepository {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        signer: Arc<LogSigner>,
        receipts: Arc<Receipts>,
        committed: Arc<Notify>,
    ) -> Self {
        let reader = match &db {
            Db::Postgres(pool) => Reader::Postgres(PostgresEventRepository::new(pool.clone())),
            Db::Sqlite(pool) => Reader::Sqlite(SqliteEventRepository::new(pool.clone())),
        };
        Self {
            db,
            reader,
            clock,
            signer,
            receipts,
            committed,
            heads: Mutex::new(HashMap::new()),
            recent: Mutex::new(RecentStreams::default()),
            keep_recent: true,
        }
    }

    /// A repository that reads every stream afresh before deciding. A kept stream is safe for
    /// a write (a stale one cannot append), but not for a refusal, which appends nothing: a
    /// stream another process wrote to (`notoneless admin` while the server runs) would be
    /// refused on what it no longer is ("there is no user …"). The organisation's commands
    /// are few, and each is followed by a reading of the whole stream anyway.
    pub fn reading_afresh(mut self) -> Self {
        self.keep_recent = false;
        self
    }

    fn recent(&self) -> Option<std::sync::MutexGuard<'_, RecentStreams>> {
        if !self.keep_recent {
            return None;
        }
        self.recent.lock().ok()
    }

    fn remember_head(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        sequence: usize,
        hash: String,
    ) {
        if let Ok(mut heads) = self.heads.lock() {
            if heads.len() >= MAX_HEADS {
                heads.clear();
            }
            heads.insert(
                (aggregate_type.to_string(), aggregate_id.to_string()),
                (sequence, hash),
            );
        }
    }

    /// The hash of event `sequence` of the stream, if it is the head last seen.
    fn known_hash(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        sequence: usize,
    ) -> Option<String> {
        let heads = self.heads.lock().ok()?;
        let (seen, hash) = heads.get(&(aggregate_type.to_string(), aggregate_id.to_string()))?;
        (*seen == sequence).then(|| hash.clone())
    }

    async fn load(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, StoreError> {
        let key = (aggregate_type.to_string(), aggregate_id.to_string());
        if let Some(events) = self.recent().and_then(|recent| recent.get(&key)) {
            return Ok(events);
        }
        let rows = self
            .db
            .fetch_all(
                LOAD_EVENTS,
                &[P::text(aggregate_type), P::text(aggregate_id)],
            )
            .await?;
        let mut events = Vec::with_capacity(rows.len());
        let mut head = None;
        for row in &rows {
            let sequence = usize::try_from(row.i64("sequence")?)
                .map_err(|_| StoreError::Corrupt("a negative sequence".into()))?;
            events.push(SerializedEvent::new(
                row.text("aggregate_id")?,
                sequence,
                row.text("aggregate_type")?,
                row.text("event_type")?,
                row.text("event_version")?,
                row.json("payload")?,
                row.json("metadata")?,
            ));
            head = Some((sequence, row.text("hash")?));
        }
        if let Some((sequence, hash)) = head {
            self.remember_head(aggregate_type, aggregate_id, sequence, hash);
        }
        if let Some(mut recent) = self.recent() {
            recent.put(key, events.clone());
        }
        Ok(events)
    }

    /// Appends the events, keeping the stream in the recent streams if it was there; on any
    /// failure the stream is forgotten, so the retry reads it afresh.
    async fn append(&self, events: &[SerializedEvent]) -> Result<Option<Receipt>, StoreError> {
        let Some(first) = events.first() else {
            return Ok(None);
        };
        let key = (first.aggregate_type.clone(), first.aggregate_id.clone());
        let result = self.append_chained(events).await;
        if let Some(mut recent) = self.recent() {
            match result {
                Ok(_) => recent.extend(key, events),
                Err(_) => recent.forget(&key),
            }
        }
        result
    }

    async fn append_chained(
        &self,
        events: &[SerializedEvent],
    ) -> Result<Option<Receipt>, StoreError> {
        let Some(first) = events.first() else {
            return Ok(None);
        };
        self.signer
            .ensure_announced(&self.db, self.clock.as_ref())
            .await?;
        let signing = self.signer.key();
        let recorded_at = truncate_to_micros(self.clock.now());
        let (aggregate_type, aggregate_id) =
            (first.aggregate_type.as_str(), first.aggregate_id.as_str());
        let mut prev_hash = if first.sequence <= 1 {
            GENESIS.to_string()
        } else if let Some(hash) = self.known_hash(aggregate_type, aggregate_id, first.sequence - 1)
        {
            hash
        } else {
            let row = self
                .db
                .fetch_optional(
                    SELECT_HASH,
                    &[
                        P::text(aggregate_type),
                        P::text(aggregate_id),
                        P::I64(to_i64(first.sequence - 1)?),
                    ],
                )
                .await?;
            // The event the aggregate was loaded up to is gone or was never there: the stream
            // moved under us (or was tampered with); let the command be retried.
            row.ok_or(StoreError::Conflict)?.text("hash")?
        };
        let mut rows = Vec::with_capacity(events.len());
        for event in events {
            let sequence = to_i64(event.sequence)?;
            let hash = serialized_event_hash(event, sequence, recorded_at, &prev_hash);
            rows.push(vec![
                P::text(event.aggregate_type.as_str()),
                P::text(event.aggregate_id.as_str()),
                P::I64(sequence),
                P::text(event.event_type.as_str()),
                P::text(event.event_version.as_str()),
                P::Json(event.payload.clone()),
                P::Json(event.metadata.clone()),
                P::Ts(recorded_at),
                P::text(prev_hash.as_str()),
                P::text(hash.as_str()),
                P::text(signing.id()),
                P::text(signing.sign_event(&hash)),
            ]);
            prev_hash = hash;
        }
        let key = match (
            meta(&first.metadata, "actor"),
            meta(&first.metadata, "idempotency_key"),
            meta(&first.metadata, "fingerprint"),
        ) {
            (Some(actor), Some(key), Some(fingerprint)) => Some((actor, key, fingerprint)),
            _ => None,
        };
        let holds = crate::one_case::changes(events);
        let last_sequence = events.last().map_or(first.sequence, |e| e.sequence);
        let receipt_of = |row: &crate::db::DbRow| -> Result<Receipt, StoreError> {
            Ok(Receipt {
                sequence: last_sequence as u64,
                global_position: row.i64("global_position")?,
                tx_id: row.i64("tx_id")?,
                recorded_at,
            })
        };
        let receipt = match (&self.db, rows.len(), key) {
            // The common case on PostgreSQL: one event, no key: one statement, one round trip.
            (Db::Postgres(_), 1, None) if holds.is_empty() => {
                let mut params = rows.pop().unwrap_or_default();
                params.push(P::text(EVENTS_CHANNEL));
                let row = self
                    .db
                    .fetch_optional(Sql::both(INSERT_EVENT_AND_NOTIFY), &params)
                    .await?
                    .ok_or_else(|| {
                        StoreError::Database("INSERT … RETURNING returned no row".into())
                    })?;
                receipt_of(&row)?
            }
            _ => {
                let mut tx = self.db.begin().await?;
                // One open case file per child: checked and kept before the events go in.
                crate::one_case::apply(&mut tx, aggregate_id, &holds).await?;
                let mut last = None;
                for params in rows {
                    let row = tx
                        .fetch_optional(INSERT_EVENT, &params)
                        .await?
                        .ok_or_else(|| {
                            StoreError::Database("INSERT … RETURNING returned no row".into())
                        })?;
                    last = Some(receipt_of(&row)?);
                }
                let receipt =
                    last.ok_or_else(|| StoreError::Database("no event was written".into()))?;
                if let Some((actor, key, fingerprint)) = key {
                    tx.execute(
                        Sql::both(
                            "INSERT INTO idempotency_keys (actor, key, fingerprint, aggregate_id, sequence, global_position, recorded_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        ),
                        &[
                            P::text(actor),
                            P::text(key),
                            P::text(fingerprint),
                            P::text(aggregate_id),
                            P::I64(to_i64(receipt.sequence as usize)?),
                            P::I64(receipt.global_position),
                            P::Ts(recorded_at),
                        ],
                    )
                    .await?;
                }
                if let Db::Postgres(_) = self.db {
                    tx.execute(
                        Sql::both("SELECT pg_notify($1, '')"),
                        &[P::text(EVENTS_CHANNEL)],
                    )
                    .await?;
                }
                tx.commit().await?;
                receipt
            }
        };
        self.remember_head(aggregate_type, aggregate_id, last_sequence, prev_hash);
        // One permit is kept if the projector is busy, so no commit goes unnoticed.
        self.committed.notify_one();
        if let Some(request_id) = meta(&first.metadata, "request_id") {
            self.receipts.put(request_id.to_string(), receipt);
        }
        Ok(Some(receipt))
    }
}

fn meta<'a>(metadata: &'a Value, key: &str) -> Option<&'a str> {
    metadata.get(key).and_then(Value::as_str)
}

fn to_i64(n: usize) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Database(format!("sequence {n} is out of range")))
}

fn persistence_error(error: StoreError) -> PersistenceError {
    match error {
        StoreError::Conflict => PersistenceError::OptimisticLockError,
        StoreError::Unavailable(_) => PersistenceError::ConnectionError(Box::new(error)),
        other => PersistenceError::UnknownError(Box::new(other)),
    }
}

impl PersistedEventRepository for ChainRepository {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.load(A::TYPE, aggregate_id)
            .await
            .map_err(persistence_error)
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        match &self.reader {
            Reader::Postgres(r) => r.get_last_events::<A>(aggregate_id, last_sequence).await,
            Reader::Sqlite(r) => r.get_last_events::<A>(aggregate_id, last_sequence).await,
        }
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        _aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        // The store is the source of truth; no snapshots are kept.
        Ok(None)
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        if snapshot_update.is_some() {
            return Err(PersistenceError::UnknownError(
                "snapshots are not kept: build the store with new_event_store".into(),
            ));
        }
        self.append(events)
            .await
            .map(|_| ())
            .map_err(persistence_error)
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        match &self.reader {
            Reader::Postgres(r) => r.stream_events::<A>(aggregate_id).await,
            Reader::Sqlite(r) => r.stream_events::<A>(aggregate_id).await,
        }
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        match &self.reader {
            Reader::Postgres(r) => r.stream_all_events::<A>().await,
            Reader::Sqlite(r) => r.stream_all_events::<A>().await,
        }
    }
}
