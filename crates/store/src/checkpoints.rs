//! Signed checkpoints of the log, Certificate-Transparency style, and inclusion proofs.
//!
//! A checkpoint is the log's size and a Merkle tree head over the *head* of every stream (its
//! last event: type, id, sequence, hash), signed with the server's key. The tree is RFC 6962's
//! (RFC 9162 §2.1): SHA-256, a leaf hashed as `SHA-256(0x00 ‖ leaf)`, a node as
//! `SHA-256(0x01 ‖ left ‖ right)`, split at the largest power of two below the size. A leaf's
//! bytes are the canonical JSON of `{aggregate_id, aggregate_type, hash, sequence}`; leaves are
//! sorted by `(aggregate_type, aggregate_id)` in byte order. docs/hash-chain.md has it all.
//!
//! Whoever holds a checkpoint can later prove the log extends it (`verify --checkpoint`: every
//! head it recorded is still in the log, at its sequence, with its hash), and a third party
//! can check one case against it with an inclusion proof: the case's events up to its head
//! and the Merkle audit path from that head to the root.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::chain::{canonical_json, format_timestamp, truncate_to_micros};
use crate::clock::Clock;
use crate::db::{Db, P, Sql, Tx};
use crate::error::StoreError;
use crate::log::{StoredEvent, stream_events};
use crate::log_keys::LogSigner;
use crate::signing::{checkpoint_message, public_key, signature_holds};

/// The version string inside every checkpoint body.
pub const CHECKPOINT_VERSION: &str = "notoneless-checkpoint-v1";

/// The head of one stream: a leaf of the tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Head {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub hash: String,
}

impl Head {
    /// The leaf's bytes: canonical JSON of its four fields.
    pub fn leaf_bytes(&self) -> String {
        canonical_json(&json!({
            "aggregate_id": self.aggregate_id,
            "aggregate_type": self.aggregate_type,
            "hash": self.hash,
            "sequence": self.sequence,
        }))
    }

    pub fn leaf_hash(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update([0u8]);
        hasher.update(self.leaf_bytes().as_bytes());
        hasher.finalize().into()
    }
}

fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962's Merkle tree hash of the leaf hashes (the hash of the empty string for none).
pub fn tree_hash(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest(b"").into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&tree_hash(&leaves[..k]), &tree_hash(&leaves[k..]))
        }
    }
}

/// RFC 6962's audit path of leaf `index`: the sibling hashes from the leaf up to the root.
pub fn audit_path(index: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
    let n = leaves.len();
    if n <= 1 || index >= n {
        return Vec::new();
    }
    let k = split(n);
    if index < k {
        let mut path = audit_path(index, &leaves[..k]);
        path.push(tree_hash(&leaves[k..]));
        path
    } else {
        let mut path = audit_path(index - k, &leaves[k..]);
        path.push(tree_hash(&leaves[..k]));
        path
    }
}

/// The root an audit path leads to (RFC 9162 §2.1.3.2), or `None` when the path does not fit
/// the index and size.
pub fn root_from_path(
    index: usize,
    size: usize,
    leaf: [u8; 32],
    path: &[[u8; 32]],
) -> Option<[u8; 32]> {
    if index >= size {
        return None;
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = leaf;
    for p in path {
        if s_n == 0 {
            return None;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    (s_n == 0).then_some(r)
}

/// What a checkpoint says, the exact object that is signed (canonical JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckpointBody {
    pub version: String,
    /// 1, 2, 3 … in the order written.
    pub number: i64,
    /// How many events the log held.
    pub log_size: i64,
    /// How many streams (leaves of the tree).
    pub streams: i64,
    /// The Merkle tree head, 64 hex digits.
    pub root: String,
    /// When it was taken (`YYYY-MM-DDTHH:MM:SS.ffffffZ`).
    pub at: String,
    /// The key that signed it.
    pub key_id: String,
}

impl CheckpointBody {
    /// The signed text: canonical JSON of the seven members.
    pub fn canonical(&self) -> String {
        canonical_json(&json!({
            "version": self.version,
            "number": self.number,
            "log_size": self.log_size,
            "streams": self.streams,
            "root": self.root,
            "at": self.at,
            "key_id": self.key_id,
        }))
    }
}

/// A checkpoint with its signature, as listed and as written to a file (with the heads and
/// the signing key's public half when written for `verify --checkpoint`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedCheckpoint {
    pub checkpoint: CheckpointBody,
    /// Ed25519 signature of `notoneless-checkpoint-v1:` ‖ the body's canonical JSON.
    pub signature: String,
    /// The public key of `checkpoint.key_id` (for convenience: check it against the key the
    /// log publishes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Every stream's head, in leaf order: only in a file written for `verify --checkpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heads: Option<Vec<Head>>,
}

/// The heads of every stream as of a snapshot, in leaf order.
async fn heads_in(tx: &mut Tx, snapshot: &str) -> Result<Vec<Head>, StoreError> {
    let sql = Sql {
        postgres: "SELECT e.aggregate_type, e.aggregate_id, e.sequence, e.hash FROM events e
             JOIN (SELECT aggregate_type, aggregate_id, max(sequence) AS sequence FROM events
                   WHERE pg_visible_in_snapshot(tx_id, CAST($1 AS pg_snapshot))
                   GROUP BY aggregate_type, aggregate_id) h
             USING (aggregate_type, aggregate_id, sequence)",
        sqlite: "SELECT e.aggregate_type, e.aggregate_id, e.sequence, e.hash FROM events e
             JOIN (SELECT aggregate_type, aggregate_id, max(sequence) AS sequence FROM events
                   WHERE global_position <= CAST($1 AS INTEGER)
                   GROUP BY aggregate_type, aggregate_id) h
             USING (aggregate_type, aggregate_id, sequence)",
    };
    let rows = tx.fetch_all(sql, &[P::text(snapshot)]).await?;
    let mut heads = rows
        .iter()
        .map(|row| {
            Ok(Head {
                aggregate_type: row.text("aggregate_type")?,
                aggregate_id: row.text("aggregate_id")?,
                sequence: row.i64("sequence")?,
                hash: row.text("hash")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    heads.sort_by(|a, b| {
        (a.aggregate_type.as_bytes(), a.aggregate_id.as_bytes())
            .cmp(&(b.aggregate_type.as_bytes(), b.aggregate_id.as_bytes()))
    });
    Ok(heads)
}

async fn log_size_in(tx: &mut Tx, snapshot: &str) -> Result<i64, StoreError> {
    tx.fetch_optional(
        Sql {
            postgres: "SELECT count(*) AS n FROM events WHERE pg_visible_in_snapshot(tx_id, CAST($1 AS pg_snapshot))",
            sqlite: "SELECT count(*) AS n FROM events WHERE global_position <= CAST($1 AS INTEGER)",
        },
        &[P::text(snapshot)],
    )
    .await?
    .map_or(Ok(0), |row| row.i64("n"))
}

/// Writes a new checkpoint of the log as it is now, signed with the server's key.
pub async fn write_checkpoint(
    db: &Db,
    signer: &LogSigner,
    clock: &dyn Clock,
) -> Result<SignedCheckpoint, StoreError> {
    signer.ensure_announced(db, clock).await?;
    for _ in 0..5 {
        let mut tx = db.begin_read().await?;
        let snapshot = tx
            .fetch_optional(
                Sql {
                    postgres: "SELECT CAST(pg_current_snapshot() AS text) AS snapshot",
                    sqlite: "SELECT CAST(coalesce(max(global_position), 0) AS TEXT) AS snapshot FROM events",
                },
                &[],
            )
            .await?
            .ok_or_else(|| StoreError::Database("no snapshot".into()))?
            .text("snapshot")?;
        let heads = heads_in(&mut tx, &snapshot).await?;
        let log_size = log_size_in(&mut tx, &snapshot).await?;
        let number = tx
            .fetch_optional(
                Sql::both("SELECT coalesce(max(number), 0) AS n FROM log_checkpoints"),
                &[],
            )
            .await?
            .map_or(Ok(0), |row| row.i64("n"))?
            + 1;
        drop(tx);
        let leaves: Vec<[u8; 32]> = heads.iter().map(Head::leaf_hash).collect();
        let key = signer.key();
        let at = truncate_to_micros(clock.now());
        let body = CheckpointBody {
            version: CHECKPOINT_VERSION.into(),
            number,
            log_size,
            streams: heads.len() as i64,
            root: hex::encode(tree_hash(&leaves)),
            at: format_timestamp(at),
            key_id: key.id().to_string(),
        };
        let text = body.canonical();
        let signature = key.sign_checkpoint(&text);
        let inserted = db
            .execute(
                Sql::both(
                    "INSERT INTO log_checkpoints (number, log_size, streams, root, at, key_id, body, signature, snapshot)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                ),
                &[
                    P::I64(number),
                    P::I64(log_size),
                    P::I64(body.streams),
                    P::text(body.root.as_str()),
                    P::Ts(at),
                    P::text(key.id()),
                    P::text(text),
                    P::text(signature.as_str()),
                    P::text(snapshot),
                ],
            )
            .await;
        match inserted {
            Ok(_) => {
                return Ok(SignedCheckpoint {
                    checkpoint: body,
                    signature,
                    public_key: Some(key.public_hex()),
                    heads: Some(heads),
                });
            }
            // Another writer took the number: take the next.
            Err(StoreError::Conflict) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(StoreError::Conflict)
}

fn read_checkpoint(row: &crate::db::DbRow) -> Result<(SignedCheckpoint, String), StoreError> {
    let body: CheckpointBody = serde_json::from_str(&row.text("body")?)
        .map_err(|e| StoreError::Corrupt(format!("checkpoint body: {e}")))?;
    Ok((
        SignedCheckpoint {
            checkpoint: body,
            signature: row.text("signature")?,
            public_key: None,
            heads: None,
        },
        row.text("snapshot")?,
    ))
}

/// Every checkpoint, newest first, `limit` of them from `offset`.
pub async fn list_checkpoints(
    db: &Db,
    limit: i64,
    offset: i64,
) -> Result<Vec<SignedCheckpoint>, StoreError> {
    db.fetch_all(
        Sql::both(
            "SELECT body, signature, snapshot FROM log_checkpoints ORDER BY number DESC LIMIT $1 OFFSET $2",
        ),
        &[P::I64(limit), P::I64(offset)],
    )
    .await?
    .iter()
    .map(|row| read_checkpoint(row).map(|(c, _)| c))
    .collect()
}

/// Checkpoint `number` (the latest when `None`) with the heads it covered, rebuilt from the
/// log as it is now: on an untouched log they give its root again.
pub async fn checkpoint_with_heads(
    db: &Db,
    number: Option<i64>,
) -> Result<Option<SignedCheckpoint>, StoreError> {
    let row = db
        .fetch_optional(
            Sql::both(
                "SELECT body, signature, snapshot FROM log_checkpoints
                 WHERE number = coalesce($1, (SELECT max(number) FROM log_checkpoints))",
            ),
            &[P::OptI64(number)],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let (mut checkpoint, snapshot) = read_checkpoint(&row)?;
    let mut tx = db.begin_read().await?;
    checkpoint.heads = Some(heads_in(&mut tx, &snapshot).await?);
    checkpoint.public_key = crate::log_keys::announced_keys(db)
        .await?
        .into_iter()
        .find(|k| k.key_id == checkpoint.checkpoint.key_id)
        .map(|k| k.public_key);
    Ok(Some(checkpoint))
}

/// One stream whose head in a checkpoint the log no longer holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Differs {
    pub aggregate_type: String,
    pub case_id: String,
    pub sequence: i64,
    pub problem: Difference,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Difference {
    /// The stream no longer has an event at the checkpoint's head sequence.
    Missing,
    /// It has one, with another hash: the chain was rewritten.
    Rehashed,
}

/// What `verify --checkpoint` found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckpointCheck {
    pub number: i64,
    /// The checkpoint's signature holds for the key it names, with that key's public half
    /// as the log announces it (`false` also when the key is not announced).
    pub signature_holds: bool,
    /// The heads in the file give the checkpoint's root.
    pub heads_match_root: bool,
    /// How many events the checkpoint covered, and how many the log holds now (no fewer).
    pub log_size: i64,
    pub log_size_now: i64,
    pub differs: Vec<Differs>,
}

impl CheckpointCheck {
    pub fn holds(&self) -> bool {
        self.signature_holds
            && self.heads_match_root
            && self.differs.is_empty()
            && self.log_size_now >= self.log_size
    }
}

/// Whether the log as it is now extends the checkpoint: the checkpoint's signature holds, its
/// heads give its root, and every head is still in the log, at its sequence, with its hash.
/// The streams that fail are named.
pub async fn check_checkpoint(
    db: &Db,
    file: &SignedCheckpoint,
) -> Result<CheckpointCheck, StoreError> {
    let body = &file.checkpoint;
    let keys = crate::log_keys::announced_keys(db).await?;
    let signature_holds = keys
        .iter()
        .find(|k| k.key_id == body.key_id)
        .and_then(|k| public_key(&k.public_key))
        .is_some_and(|k| {
            signature_holds(&k, &checkpoint_message(&body.canonical()), &file.signature)
        });
    let heads = file.heads.clone().unwrap_or_default();
    let leaves: Vec<[u8; 32]> = heads.iter().map(Head::leaf_hash).collect();
    let heads_match_root =
        hex::encode(tree_hash(&leaves)) == body.root && heads.len() as i64 == body.streams;
    let mut tx = db.begin_read().await?;
    let mut now: HashMap<(String, String, i64), String> = HashMap::new();
    for chunk in heads.chunks(500) {
        let mut postgres = String::from(
            "SELECT aggregate_type, aggregate_id, sequence, hash FROM events WHERE (aggregate_type, aggregate_id, sequence) IN (",
        );
        let mut params = Vec::new();
        for (i, head) in chunk.iter().enumerate() {
            let n = i * 3;
            if i > 0 {
                postgres.push_str(", ");
            }
            postgres.push_str(&format!("(${}, ${}, ${})", n + 1, n + 2, n + 3));
            params.extend([
                P::text(head.aggregate_type.as_str()),
                P::text(head.aggregate_id.as_str()),
                P::I64(head.sequence),
            ]);
        }
        postgres.push(')');
        let sqlite = postgres.replace(") IN (", ") IN (VALUES ");
        for row in tx
            .fetch_all(
                Sql {
                    postgres: &postgres,
                    sqlite: &sqlite,
                },
                &params,
            )
            .await?
        {
            now.insert(
                (
                    row.text("aggregate_type")?,
                    row.text("aggregate_id")?,
                    row.i64("sequence")?,
                ),
                row.text("hash")?,
            );
        }
    }
    let log_size_now = tx
        .fetch_optional(Sql::both("SELECT count(*) AS n FROM events"), &[])
        .await?
        .map_or(Ok(0), |row| row.i64("n"))?;
    drop(tx);
    let differs = heads
        .iter()
        .filter_map(|head| {
            let key = (
                head.aggregate_type.clone(),
                head.aggregate_id.clone(),
                head.sequence,
            );
            let problem = match now.get(&key) {
                None => Difference::Missing,
                Some(hash) if *hash != head.hash => Difference::Rehashed,
                Some(_) => return None,
            };
            Some(Differs {
                aggregate_type: head.aggregate_type.clone(),
                case_id: head.aggregate_id.clone(),
                sequence: head.sequence,
                problem,
            })
        })
        .collect();
    Ok(CheckpointCheck {
        number: body.number,
        signature_holds,
        heads_match_root,
        log_size: body.log_size,
        log_size_now,
        differs,
    })
}

/// An inclusion proof of one stream in a checkpoint (docs/hash-chain.md, "Inclusion proofs").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InclusionProof {
    pub checkpoint: CheckpointBody,
    pub signature: String,
    /// The leaf's index in the tree, and the leaf (the stream's head at the checkpoint).
    pub leaf_index: i64,
    pub leaf: Head,
    /// The sibling hashes from the leaf up to the root, 64 hex digits each (RFC 6962 PATH).
    pub audit_path: Vec<String>,
    /// The stream's events up to its head, every stored column the hash and the signature
    /// cover.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub events: Vec<Value>,
}

/// The inclusion proof of stream `(aggregate_type, id)` in checkpoint `number` (the latest
/// when `None`); `None` when there is no such checkpoint or the stream is not in it.
pub async fn inclusion_proof(
    db: &Db,
    aggregate_type: &str,
    id: &str,
    number: Option<i64>,
) -> Result<Option<InclusionProof>, StoreError> {
    let Some(checkpoint) = checkpoint_with_heads(db, number).await? else {
        return Ok(None);
    };
    let heads = checkpoint.heads.unwrap_or_default();
    let Some(index) = heads
        .iter()
        .position(|h| h.aggregate_type == aggregate_type && h.aggregate_id == id)
    else {
        return Ok(None);
    };
    let leaves: Vec<[u8; 32]> = heads.iter().map(Head::leaf_hash).collect();
    let leaf = heads[index].clone();
    let events = stream_events(db, aggregate_type, id)
        .await?
        .into_iter()
        .take_while(|e| e.sequence <= leaf.sequence)
        .map(|e| event_json(&e))
        .collect();
    Ok(Some(InclusionProof {
        checkpoint: checkpoint.checkpoint,
        signature: checkpoint.signature,
        leaf_index: index as i64,
        leaf,
        audit_path: audit_path(index, &leaves).iter().map(hex::encode).collect(),
        events,
    }))
}

/// An event as a proof carries it: the nine members the hash covers, the hash, and the
/// signature with its key id.
fn event_json(e: &StoredEvent) -> Value {
    json!({
        "aggregate_id": e.aggregate_id,
        "aggregate_type": e.aggregate_type,
        "event_type": e.event_type,
        "event_version": e.event_version,
        "metadata": e.metadata,
        "payload": e.payload,
        "prev_hash": e.prev_hash,
        "recorded_at": format_timestamp(e.recorded_at),
        "sequence": e.sequence,
        "hash": e.hash,
        "key_id": e.key_id,
        "signature": e.signature,
    })
}

/// When the next scheduled checkpoint is due after `now`: every `every`, and at `end_of_day`
/// (local time at `utc_offset_minutes`) each day.
pub fn next_checkpoint_at(
    now: DateTime<Utc>,
    last: DateTime<Utc>,
    every: chrono::TimeDelta,
    end_of_day: chrono::NaiveTime,
    utc_offset_minutes: i32,
) -> DateTime<Utc> {
    let periodic = last + every;
    let offset = chrono::TimeDelta::minutes(i64::from(utc_offset_minutes));
    let local = now + offset;
    let mut day_end = local.date_naive().and_time(end_of_day).and_utc() - offset;
    if day_end <= now {
        day_end += chrono::TimeDelta::days(1);
    }
    periodic.min(day_end).max(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(i: usize) -> [u8; 32] {
        Head {
            aggregate_type: "student_case".into(),
            aggregate_id: format!("c{i}"),
            sequence: 1,
            hash: "00".repeat(32),
        }
        .leaf_hash()
    }

    #[test]
    fn every_audit_path_leads_back_to_the_root_and_no_other_leaf_does() {
        for size in 1..=13 {
            let leaves: Vec<[u8; 32]> = (0..size).map(leaf).collect();
            let root = tree_hash(&leaves);
            for index in 0..size {
                let path = audit_path(index, &leaves);
                assert_eq!(
                    root_from_path(index, size, leaves[index], &path),
                    Some(root),
                    "size {size} index {index}"
                );
                let other = leaf(size + 1);
                assert_ne!(root_from_path(index, size, other, &path), Some(root));
            }
        }
    }

    #[test]
    fn the_tree_of_two_leaves_is_rfc_6962s() {
        let (a, b) = (leaf(0), leaf(1));
        assert_eq!(tree_hash(&[a, b]), node_hash(&a, &b));
        assert_eq!(
            hex::encode(tree_hash(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn checkpoints_fall_due_every_hour_and_at_the_end_of_the_school_day() {
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let end = chrono::NaiveTime::from_hms_opt(17, 30, 0).unwrap();
        let hour = chrono::TimeDelta::hours(1);
        // 10:20 in Shanghai, the last at 10:00: the next at 11:00.
        assert_eq!(
            next_checkpoint_at(
                utc("2023-11-06T10:20:00+08:00"),
                utc("2023-11-06T10:00:00+08:00"),
                hour,
                end,
                480
            ),
            utc("2023-11-06T11:00:00+08:00")
        );
        // 17:10, the last at 17:00: the end of the school day comes first.
        assert_eq!(
            next_checkpoint_at(
                utc("2023-11-06T17:10:00+08:00"),
                utc("2023-11-06T17:00:00+08:00"),
                hour,
                end,
                480
            ),
            utc("2023-11-06T17:30:00+08:00")
        );
        // Past the end of the day, only hourly ones until tomorrow's.
        assert_eq!(
            next_checkpoint_at(
                utc("2023-11-06T23:50:00+08:00"),
                utc("2023-11-06T23:45:00+08:00"),
                chrono::TimeDelta::days(3650),
                end,
                480
            ),
            utc("2023-11-07T17:30:00+08:00")
        );
    }
}
