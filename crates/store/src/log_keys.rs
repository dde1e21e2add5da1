//! The log's keys as the log itself records them: the `log_key` stream, one `KeyAnnounced`
//! event per key. The first key announces itself (signed by itself) the first time the server
//! writes; a later key is announced by an event signed with the key it replaces
//! (`notoneless admin rotate-key`). A server whose key was never announced in a log that has
//! keys already refuses to write: a key file swapped by someone cannot start signing facts.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::chain::{ChainInput, GENESIS, event_hash, truncate_to_micros};
use crate::clock::Clock;
use crate::db::{Db, P, Sql};
use crate::error::StoreError;
use crate::signing::{KEY_ANNOUNCED, KEY_STREAM_ID, KEY_STREAM_TYPE, LogKey};

/// One key as the log announced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnouncedKey {
    /// The first 16 hex digits of the SHA-256 of the public key's 32 bytes.
    pub key_id: String,
    /// The Ed25519 public key (RFC 8032), 64 hex digits.
    pub public_key: String,
    /// When it was announced: events and checkpoints from then on are signed with it.
    pub valid_from: DateTime<Utc>,
    /// The key it replaces, whose holder signed its announcement; `None` for the first key,
    /// which signs its own.
    pub previous_key_id: Option<String>,
    /// The key that signed the announcement (as stored: checked by `verify`).
    pub announced_by: Option<String>,
    /// The announcement's sequence in the `log_key` stream.
    pub sequence: i64,
}

/// The server's key and whether it is known to be announced in the log.
#[derive(Debug)]
pub struct LogSigner {
    key: LogKey,
    announced: tokio::sync::OnceCell<()>,
}

impl LogSigner {
    pub fn new(key: LogKey) -> Arc<Self> {
        Arc::new(Self {
            key,
            announced: tokio::sync::OnceCell::new(),
        })
    }

    pub fn key(&self) -> &LogKey {
        &self.key
    }

    /// Makes sure the key is announced in the log before anything is signed with it: on an
    /// empty key stream it announces itself; in a log whose keys do not include it, it is
    /// refused. Checked once per process.
    pub async fn ensure_announced(&self, db: &Db, clock: &dyn Clock) -> Result<(), StoreError> {
        self.announced
            .get_or_try_init(|| async {
                for _ in 0..3 {
                    let keys = announced_keys(db).await?;
                    if keys.iter().any(|k| k.key_id == self.key.id()) {
                        return Ok(());
                    }
                    if !keys.is_empty() {
                        return Err(StoreError::Signing(format!(
                            "the signing key {} is not announced in this log (its keys: {}); \
                             a new key is announced with `notoneless admin rotate-key`, signed by the one it replaces",
                            self.key.id(),
                            keys.iter()
                                .map(|k| k.key_id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    }
                    match append_announcement(db, clock, &self.key, &self.key, None, 1, GENESIS)
                        .await
                    {
                        Ok(_) => {
                            tracing::info!(key_id = self.key.id(), "announced the log's signing key");
                            return Ok(());
                        }
                        // Another process announced one first: read again.
                        Err(StoreError::Conflict) => continue,
                        Err(other) => return Err(other),
                    }
                }
                Err(StoreError::Conflict)
            })
            .await
            .map(|_| ())
    }
}

const KEY_EVENTS: Sql = Sql::both(
    "SELECT sequence, payload, key_id, hash FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence",
);

/// Every key the log announced, in order.
pub async fn announced_keys(db: &Db) -> Result<Vec<AnnouncedKey>, StoreError> {
    let rows = db
        .fetch_all(
            KEY_EVENTS,
            &[P::text(KEY_STREAM_TYPE), P::text(KEY_STREAM_ID)],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let payload = row.json("payload")?;
            announced_key(&payload, row.i64("sequence")?, row.opt_text("key_id")?)
        })
        .collect()
}

/// A key announcement's payload read back.
pub fn announced_key(
    payload: &Value,
    sequence: i64,
    announced_by: Option<String>,
) -> Result<AnnouncedKey, StoreError> {
    let text = |field: &str| {
        payload
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                StoreError::Corrupt(format!("key announcement {sequence} has no {field}"))
            })
    };
    let valid_from = DateTime::parse_from_rfc3339(&text("valid_from")?)
        .map_err(|_| StoreError::Corrupt(format!("key announcement {sequence}: valid_from")))?
        .with_timezone(&Utc);
    Ok(AnnouncedKey {
        key_id: text("key_id")?,
        public_key: text("public_key")?,
        valid_from,
        previous_key_id: payload
            .get("previous_key_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        announced_by,
        sequence,
    })
}

/// Announces `new` in the log, signed by `old`, which must be the log's latest key.
pub async fn rotate(
    db: &Db,
    clock: &dyn Clock,
    old: &LogKey,
    new: &LogKey,
) -> Result<AnnouncedKey, StoreError> {
    LogSigner::new(old.clone())
        .ensure_announced(db, clock)
        .await?;
    let keys = announced_keys(db).await?;
    let Some(latest) = keys.last() else {
        return Err(StoreError::Signing("the log announces no key".into()));
    };
    if latest.key_id != old.id() {
        return Err(StoreError::Signing(format!(
            "the key {} is not the log's latest ({}): only the latest key announces the next",
            old.id(),
            latest.key_id
        )));
    }
    if keys.iter().any(|k| k.key_id == new.id()) {
        return Err(StoreError::Signing(format!(
            "the key {} is announced already",
            new.id()
        )));
    }
    let prev_hash = db
        .fetch_optional(
            Sql::both(
                "SELECT hash FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3",
            ),
            &[
                P::text(KEY_STREAM_TYPE),
                P::text(KEY_STREAM_ID),
                P::I64(latest.sequence),
            ],
        )
        .await?
        .ok_or(StoreError::Conflict)?
        .text("hash")?;
    append_announcement(
        db,
        clock,
        old,
        new,
        Some(old.id()),
        latest.sequence + 1,
        &prev_hash,
    )
    .await
}

async fn append_announcement(
    db: &Db,
    clock: &dyn Clock,
    signer: &LogKey,
    new: &LogKey,
    previous_key_id: Option<&str>,
    sequence: i64,
    prev_hash: &str,
) -> Result<AnnouncedKey, StoreError> {
    let recorded_at = truncate_to_micros(clock.now());
    let payload = json!({
        "key_id": new.id(),
        "public_key": new.public_hex(),
        "valid_from": crate::chain::format_timestamp(recorded_at),
        "previous_key_id": previous_key_id,
    });
    let metadata = json!({"actor": "system", "role": "system"});
    let hash = event_hash(&ChainInput {
        aggregate_type: KEY_STREAM_TYPE,
        aggregate_id: KEY_STREAM_ID,
        sequence,
        event_type: KEY_ANNOUNCED,
        event_version: "1",
        payload: &payload,
        metadata: &metadata,
        recorded_at,
        prev_hash,
    });
    let signature = signer.sign_event(&hash);
    db.execute(
        crate::repository::INSERT_EVENT_ONLY,
        &[
            P::text(KEY_STREAM_TYPE),
            P::text(KEY_STREAM_ID),
            P::I64(sequence),
            P::text(KEY_ANNOUNCED),
            P::text("1"),
            P::Json(payload.clone()),
            P::Json(metadata),
            P::Ts(recorded_at),
            P::text(prev_hash),
            P::text(hash),
            P::text(signer.id()),
            P::text(signature),
        ],
    )
    .await?;
    announced_key(&payload, sequence, Some(signer.id().to_string()))
}
