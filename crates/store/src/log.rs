//! Reading the log back: events with every stored column, per case or in commit order.
//!
//! Commit order is `(tx_id, global_position)` on PostgreSQL and `global_position` on SQLite
//! (one writer at a time; `tx_id` reads as 0). On PostgreSQL only events of transactions below
//! the oldest transaction of this database still in flight are read in commit order (the
//! `guard!`, a per-database `pg_snapshot_xmin(pg_current_snapshot())`): every transaction below
//! it has finished, so nothing can later appear before what was read. Global position alone
//! would not do: a transaction can take a lower position and commit after a higher one.

use chrono::{DateTime, Utc};
use notoneless_domain::{CaseEvent, CaseRecord, SchoolCalendar, StudentCase};
use serde_json::Value;

use crate::chain::ChainInput;
use crate::db::{Db, DbRow, P, Sql, Tx, placeholders};
use crate::error::StoreError;

/// The aggregate type of every case stream.
pub const CASE: &str = "student_case";

/// An event as stored, with every column.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    pub global_position: i64,
    pub tx_id: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    pub metadata: Value,
    pub recorded_at: DateTime<Utc>,
    pub prev_hash: String,
    pub hash: String,
    /// The key that signed the event, and its signature (docs/hash-chain.md); `None` on an
    /// event written before events were signed, or forged.
    pub key_id: Option<String>,
    pub signature: Option<String>,
}

/// A position in commit order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitPosition {
    pub tx_id: i64,
    pub global_position: i64,
}

macro_rules! columns {
    ($tx:literal) => {
        concat!(
            "global_position, ",
            $tx,
            " AS tx_id, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at, prev_hash, hash, key_id, signature"
        )
    };
}

const STREAM_EVENTS: Sql = Sql {
    postgres: concat!(
        "SELECT ",
        columns!("tx_id::text::bigint"),
        " FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence"
    ),
    sqlite: concat!(
        "SELECT ",
        columns!("0"),
        " FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence"
    ),
};

const ALL_CASE_EVENTS: Sql = Sql {
    postgres: concat!(
        "SELECT ",
        columns!("tx_id::text::bigint"),
        " FROM events WHERE aggregate_type = $1 ORDER BY aggregate_id, sequence"
    ),
    sqlite: concat!(
        "SELECT ",
        columns!("0"),
        " FROM events WHERE aggregate_type = $1 ORDER BY aggregate_id, sequence"
    ),
};

/// The oldest transaction of this database still in flight in the statement's snapshot (or the
/// snapshot's xmax when there is none): `pg_snapshot_xmin` without the transactions that other
/// databases of the same cluster are running, which xids share but which can never write our
/// events. A transaction is skipped only when `pg_stat_activity` shows it in another database;
/// when that cannot be told (it ended meanwhile, or its row is hidden from us), it counts, which
/// only holds reading back a little.
macro_rules! guard {
    () => {
        concat!(
            "(SELECT COALESCE(MIN(x), pg_snapshot_xmax(pg_current_snapshot()))",
            " FROM pg_snapshot_xip(pg_current_snapshot()) AS x",
            " WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a",
            " WHERE a.datname IS DISTINCT FROM current_database() AND a.backend_xid IS NOT NULL",
            " AND a.backend_xid::text::numeric = x::text::numeric % 4294967296))"
        )
    };
}

const EVENTS_AFTER: Sql = Sql {
    postgres: concat!(
        "SELECT ",
        columns!("tx_id::text::bigint"),
        " FROM events WHERE (tx_id, global_position) > ($1::bigint::text::xid8, $2)",
        " AND tx_id < ",
        guard!(),
        // `events.tx_id`, the column: a bare `tx_id` would name the bigint in the select list,
        // and PostgreSQL would sort the rest of the log for every page instead of walking
        // `events_by_commit` (seconds a page at a million events).
        " ORDER BY events.tx_id, events.global_position LIMIT $3"
    ),
    sqlite: concat!(
        "SELECT ",
        columns!("0"),
        " FROM events WHERE global_position > ?2 AND ?1 = ?1 ORDER BY global_position LIMIT ?3"
    ),
};

const HIGH_WATER: Sql = Sql {
    postgres: concat!(
        "SELECT tx_id::text::bigint AS tx_id, global_position FROM events WHERE tx_id < ",
        guard!(),
        " ORDER BY events.tx_id DESC, events.global_position DESC LIMIT 1"
    ),
    sqlite: "SELECT 0 AS tx_id, global_position FROM events ORDER BY global_position DESC LIMIT 1",
};

/// The last event that can be read in commit order now: nothing at or before it can still
/// appear. A projector that has applied everything up to here may take its checkpoint here.
pub async fn high_water(db: &Db) -> Result<CommitPosition, StoreError> {
    Ok(match db.fetch_optional(HIGH_WATER, &[]).await? {
        Some(row) => CommitPosition {
            tx_id: row.i64("tx_id")?,
            global_position: row.i64("global_position")?,
        },
        None => CommitPosition::default(),
    })
}

const CASE_EVENTS_PAGE: Sql = Sql {
    postgres: concat!(
        "SELECT ",
        columns!("tx_id::text::bigint"),
        " FROM events WHERE aggregate_type = $1 AND (aggregate_id, sequence) > ($2, $3)",
        " ORDER BY aggregate_id, sequence LIMIT $4"
    ),
    sqlite: concat!(
        "SELECT ",
        columns!("0"),
        " FROM events WHERE aggregate_type = $1 AND (aggregate_id, sequence) > ($2, $3)",
        " ORDER BY aggregate_id, sequence LIMIT $4"
    ),
};

/// The parameters of the case-by-case pages: the case aggregate, the key to read after, the
/// page's size.
fn page_after(after: (&str, i64), limit: i64) -> [P; 4] {
    [
        P::text(CASE),
        P::text(after.0),
        P::I64(after.1),
        P::I64(limit),
    ]
}

/// Up to `limit` case events after (case id, sequence), case by case, each case's in
/// sequence order: the whole log of cases read page by page.
pub async fn case_events_page(
    db: &Db,
    after: (&str, i64),
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    db.fetch_all(CASE_EVENTS_PAGE, &page_after(after, limit))
        .await?
        .iter()
        .map(StoredEvent::from_row)
        .collect()
}

const CASE_FACTS_PAGE: Sql = Sql {
    // The payload as text: decoded straight into the domain's event, with no JSON tree between.
    postgres: concat!(
        "SELECT aggregate_id, sequence, payload::text AS payload, recorded_at",
        " FROM events WHERE aggregate_type = $1 AND (aggregate_id, sequence) > ($2, $3)",
        " ORDER BY aggregate_id, sequence LIMIT $4"
    ),
    sqlite: concat!(
        "SELECT aggregate_id, sequence, payload, recorded_at",
        " FROM events WHERE aggregate_type = $1 AND (aggregate_id, sequence) > ($2, $3)",
        " ORDER BY aggregate_id, sequence LIMIT $4"
    ),
};

/// A case event as the review reads it: where it is, when it was recorded, and the fact.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseFact {
    pub case_id: String,
    pub sequence: i64,
    pub recorded_at: DateTime<Utc>,
    pub event: CaseEvent,
}

/// [`case_events_page`] with only what the review needs, each payload decoded from its text:
/// about a third of the work of reading whole [`StoredEvent`]s and decoding those.
pub async fn case_facts_page(
    db: &Db,
    after: (&str, i64),
    limit: i64,
) -> Result<Vec<CaseFact>, StoreError> {
    db.fetch_all(CASE_FACTS_PAGE, &page_after(after, limit))
        .await?
        .iter()
        .map(|row| {
            let case_id = row.text("aggregate_id")?;
            let sequence = row.i64("sequence")?;
            let event = payload_as(row, sequence, CASE, &case_id)?;
            Ok(CaseFact {
                recorded_at: row.ts("recorded_at")?,
                case_id,
                sequence,
                event,
            })
        })
        .collect()
}

/// A row's `payload` column, read as text, decoded straight into `E` (no JSON tree between).
fn payload_as<E: serde::de::DeserializeOwned>(
    row: &DbRow,
    sequence: i64,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<E, StoreError> {
    row.with_str("payload", |payload| {
        let mut json = serde_json::Deserializer::from_str(payload);
        serde_path_to_error::deserialize(&mut json)
            .map_err(|e| unreadable(&e, sequence, aggregate_type, aggregate_id))
    })?
}

/// The error for a payload that does not decode. It names the field that does not fit and
/// never its value: a payload holds a child's personal data, and the error is logged.
fn unreadable(
    error: &serde_path_to_error::Error<serde_json::Error>,
    sequence: i64,
    aggregate_type: &str,
    aggregate_id: &str,
) -> StoreError {
    let what = match error.inner().classify() {
        serde_json::error::Category::Data => "a value of the wrong kind or shape",
        _ => "malformed",
    };
    StoreError::Corrupt(format!(
        "event {sequence} of {aggregate_type} {aggregate_id} cannot be read: {what} at {} (the value is left out)",
        error.path()
    ))
}

impl StoredEvent {
    pub fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Self {
            global_position: row.i64("global_position")?,
            tx_id: row.i64("tx_id")?,
            aggregate_type: row.text("aggregate_type")?,
            aggregate_id: row.text("aggregate_id")?,
            sequence: row.i64("sequence")?,
            event_type: row.text("event_type")?,
            event_version: row.text("event_version")?,
            payload: row.json("payload")?,
            metadata: row.json("metadata")?,
            recorded_at: row.ts("recorded_at")?,
            prev_hash: row.text("prev_hash")?,
            hash: row.text("hash")?,
            key_id: row.opt_text("key_id")?,
            signature: row.opt_text("signature")?,
        })
    }

    pub fn position(&self) -> CommitPosition {
        CommitPosition {
            tx_id: self.tx_id,
            global_position: self.global_position,
        }
    }

    /// What the hash covers, with the `prev_hash` stored on this event.
    pub fn chain_input(&self) -> ChainInput<'_> {
        ChainInput {
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: self.sequence,
            event_type: &self.event_type,
            event_version: &self.event_version,
            payload: &self.payload,
            metadata: &self.metadata,
            recorded_at: self.recorded_at,
            prev_hash: &self.prev_hash,
        }
    }

    /// The domain event this row holds.
    pub fn decode(&self) -> Result<CaseEvent, StoreError> {
        self.decode_as()
    }

    /// The row's payload as an event of the given type.
    ///
    /// The error names the field that does not fit and never its value: a payload holds a
    /// child's personal data, and the error is logged.
    pub fn decode_as<E: serde::de::DeserializeOwned>(&self) -> Result<E, StoreError> {
        serde_path_to_error::deserialize(&self.payload)
            .map_err(|e| unreadable(&e, self.sequence, &self.aggregate_type, &self.aggregate_id))
    }

    /// A metadata field (actor, role, jurisdiction, request_id …).
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).and_then(Value::as_str)
    }
}

/// Every event of one stream, in sequence order.
pub async fn stream_events(
    db: &Db,
    aggregate_type: &str,
    id: &str,
) -> Result<Vec<StoredEvent>, StoreError> {
    db.fetch_all(STREAM_EVENTS, &[P::text(aggregate_type), P::text(id)])
        .await?
        .iter()
        .map(StoredEvent::from_row)
        .collect()
}

const STREAM_FACTS: Sql = Sql {
    postgres: "SELECT sequence, payload::text AS payload, recorded_at FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence",
    sqlite: "SELECT sequence, payload, recorded_at FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence",
};

/// Every event of one stream recorded up to `known_at` (all, if `None`), in sequence order,
/// with only its sequence, each payload decoded from its text straight into `E` (as
/// [`case_facts_page`] does for the review's cases).
pub async fn stream_facts<E: serde::de::DeserializeOwned>(
    db: &Db,
    aggregate_type: &str,
    id: &str,
    known_at: Option<DateTime<Utc>>,
) -> Result<Vec<(i64, E)>, StoreError> {
    let mut facts = Vec::new();
    for row in db
        .fetch_all(STREAM_FACTS, &[P::text(aggregate_type), P::text(id)])
        .await?
    {
        let recorded_at = row.ts("recorded_at")?;
        if known_at.is_some_and(|t| recorded_at > t) {
            continue;
        }
        let sequence = row.i64("sequence")?;
        let event = payload_as(&row, sequence, aggregate_type, id)?;
        facts.push((sequence, event));
    }
    Ok(facts)
}

/// Every event of one case, in sequence order.
pub async fn case_events(db: &Db, case_id: &str) -> Result<Vec<StoredEvent>, StoreError> {
    stream_events(db, CASE, case_id).await
}

/// Every case event, case by case, each case's in sequence order.
pub async fn all_case_events(db: &Db) -> Result<Vec<StoredEvent>, StoreError> {
    db.fetch_all(ALL_CASE_EVENTS, &[P::text(CASE)])
        .await?
        .iter()
        .map(StoredEvent::from_row)
        .collect()
}

/// Every event of these cases (a few hundred at most: one statement), case by case, each
/// case's in sequence order, inside a transaction.
pub async fn cases_events_in(
    tx: &mut Tx,
    case_ids: &[&str],
) -> Result<Vec<StoredEvent>, StoreError> {
    let ids = placeholders(2, case_ids.len());
    let postgres = format!(
        "SELECT {} FROM events WHERE aggregate_type = $1 AND aggregate_id IN {ids} ORDER BY aggregate_id, sequence",
        columns!("tx_id::text::bigint"),
    );
    let sqlite = format!(
        "SELECT {} FROM events WHERE aggregate_type = $1 AND aggregate_id IN {ids} ORDER BY aggregate_id, sequence",
        columns!("0"),
    );
    let mut params = vec![P::text(CASE)];
    params.extend(case_ids.iter().map(|id| P::text(*id)));
    tx.fetch_all(
        Sql {
            postgres: &postgres,
            sqlite: &sqlite,
        },
        &params,
    )
    .await?
    .iter()
    .map(StoredEvent::from_row)
    .collect()
}

/// One case's stored events (all of them, in sequence order) as the review takes a case: the
/// fold, and the local day each event was recorded on. `None` for no events.
pub fn case_record(
    events: &[StoredEvent],
    calendar: &SchoolCalendar,
) -> Result<Option<CaseRecord>, StoreError> {
    let Some(first) = events.first() else {
        return Ok(None);
    };
    Ok(Some(CaseRecord {
        case_id: first.aggregate_id.clone(),
        recorded_on: events
            .iter()
            .map(|e| calendar.local_date(e.recorded_at))
            .collect(),
        case: fold(events)?,
    }))
}

/// Folds stored events into the aggregate.
pub fn fold(events: &[StoredEvent]) -> Result<StudentCase, StoreError> {
    let mut decoded = Vec::with_capacity(events.len());
    for event in events {
        decoded.push(event.decode()?);
    }
    Ok(StudentCase::from_events(decoded))
}

/// Up to `limit` events after `after` in commit order (see the module comment).
pub async fn events_after(
    db: &Db,
    after: CommitPosition,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    db.fetch_all(
        EVENTS_AFTER,
        &[
            P::I64(after.tx_id),
            P::I64(after.global_position),
            P::I64(limit),
        ],
    )
    .await?
    .iter()
    .map(StoredEvent::from_row)
    .collect()
}

/// The same, inside a transaction (whose snapshot then bounds what is read).
pub async fn events_after_in(
    tx: &mut Tx,
    after: CommitPosition,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    tx.fetch_all(
        EVENTS_AFTER,
        &[
            P::I64(after.tx_id),
            P::I64(after.global_position),
            P::I64(limit),
        ],
    )
    .await?
    .iter()
    .map(StoredEvent::from_row)
    .collect()
}
