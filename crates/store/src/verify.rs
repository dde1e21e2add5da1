//! `verify`: recompute every case's hash chain and the digest of the whole log.
//!
//! The log is read in commit order, in one read transaction, in pages. For each case the
//! events must run 1, 2, 3 … with each one's stored hash equal to the hash of its content and
//! each one's `prev_hash` equal to the hash of the one before. The first event of a case where
//! that fails is reported, with what failed. The digest folds every event's stored hash in
//! commit order; `since` checks that the first `count` events still give a digest written down
//! earlier, which proves they are all still there, unchanged, in the same order, whatever was
//! appended after.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use crate::chain::{DigestBuilder, GENESIS, LogDigest, event_hash};
use crate::db::{Db, P, Sql, Tx};
use crate::error::StoreError;
use crate::log::{CommitPosition, StoredEvent, events_after_in};
use crate::log_keys::announced_key;
use crate::signing::{
    KEY_STREAM_ID, KEY_STREAM_TYPE, event_message, key_id, public_key, signature_holds,
};

/// How far `recorded_at` may go backwards in commit order before `verify` names the event:
/// the same 5 seconds the databases' triggers allow (migration 0016).
pub const RECORDED_AT_TOLERANCE: TimeDelta = TimeDelta::seconds(5);

/// What is wrong with one event besides its chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Suspect {
    /// No signature: written before events were signed, or by someone without the key.
    Unsigned,
    /// Signed by a key the log never announced (or announced without the right signature).
    UnknownKey,
    /// The signature does not hold for the event's hash.
    BadSignature,
    /// Recorded more than [`RECORDED_AT_TOLERANCE`] before an event earlier in commit order.
    RecordedBackwards,
}

/// One event `verify` names, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SuspectEvent {
    pub aggregate_type: String,
    pub case_id: String,
    pub sequence: i64,
    pub global_position: i64,
    pub recorded_at: DateTime<Utc>,
    pub problem: Suspect,
}

/// What is wrong at the first bad event of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Break {
    /// The event's content no longer matches its hash: it was altered.
    Altered,
    /// The sequence jumps: the event at this sequence was removed.
    Removed,
    /// The event does not link to the event before it: something was inserted or replaced.
    Relinked,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokenCase {
    pub aggregate_type: String,
    pub case_id: String,
    /// The first sequence that does not check out.
    pub sequence: i64,
    pub problem: Break,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SinceCheck {
    pub expected: String,
    /// The digest of the first `count` events of the log as it is now, or `None` when the log
    /// now holds fewer events than the digest covered.
    pub found: Option<String>,
    pub holds: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub events: u64,
    pub cases: u64,
    pub broken: Vec<BrokenCase>,
    /// Every event whose signature is missing or wrong, or whose `recorded_at` goes backwards.
    pub suspect: Vec<SuspectEvent>,
    /// The keys the log announced and whose announcements check out.
    pub keys: Vec<String>,
    /// Whether `recorded_at` was checked for going backwards: not on a database marked for
    /// training, a demonstration or a test, which runs on a clock set by hand.
    pub recorded_at_checked: bool,
    pub digest: String,
    pub since: Option<SinceCheck>,
}

impl VerifyReport {
    /// Whether every chain checks out and the earlier digest, if given, holds.
    pub fn is_clean(&self) -> bool {
        self.broken.is_empty()
            && self.suspect.is_empty()
            && self.since.as_ref().is_none_or(|s| s.holds)
    }
}

struct CaseState {
    aggregate_type: String,
    next_sequence: i64,
    last_hash: String,
    broken: bool,
}

const PAGE: i64 = 5_000;

/// Recomputes every chain and the log digest; with `since`, checks an earlier digest too.
pub async fn verify(db: &Db, since: Option<&LogDigest>) -> Result<VerifyReport, StoreError> {
    let mut report = verify_once(db, since).await?;
    // On PostgreSQL the log is read up to its settled prefix (`log::events_after_in`: no
    // transaction still in flight before it). A transaction of another database that ended
    // between this read's snapshot and its look at `pg_stat_activity` is taken for one of
    // ours and holds the prefix back for this read, so that an earlier digest's events may
    // not all be read yet: that is "not read yet", not "changed". Read again, with a new
    // snapshot, before saying the earlier digest does not hold.
    for _ in 0..SETTLE_RETRIES {
        let short = since.is_some_and(|since| report.events < since.count);
        if !short || db.backend() != crate::db::Backend::Postgres {
            break;
        }
        tokio::time::sleep(SETTLE_PAUSE).await;
        report = verify_once(db, since).await?;
    }
    Ok(report)
}

/// How often, and after how long a pause, `verify` reads the log again when an earlier
/// digest's events are not all in its settled prefix yet.
const SETTLE_RETRIES: u32 = 20;
const SETTLE_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);

async fn verify_once(db: &Db, since: Option<&LogDigest>) -> Result<VerifyReport, StoreError> {
    let recorded_at_checked = crate::clock::training_mark(db).await?.is_none();
    let mut tx = db.begin_read().await?;
    let keys = trusted_keys(&mut tx).await?;
    let mut suspect = Vec::new();
    let mut latest: Option<DateTime<Utc>> = None;
    let mut cases: HashMap<String, CaseState> = HashMap::new();
    let mut broken = Vec::new();
    let mut digest = DigestBuilder::default();
    let mut since_found = None;
    let mut after = CommitPosition::default();
    loop {
        let page = events_after_in(&mut tx, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.position();
        for event in &page {
            if let Some(since) = since
                && digest.count() == since.count
                && since_found.is_none()
            {
                since_found = Some(digest.digest());
            }
            digest.push(&event.hash);
            check(event, &mut cases, &mut broken);
            let mut name = |problem| {
                suspect.push(SuspectEvent {
                    aggregate_type: event.aggregate_type.clone(),
                    case_id: event.aggregate_id.clone(),
                    sequence: event.sequence,
                    global_position: event.global_position,
                    recorded_at: event.recorded_at,
                    problem,
                });
            };
            if let Some(problem) = signature_problem(event, &keys) {
                name(problem);
            }
            if recorded_at_checked
                && latest.is_some_and(|l| event.recorded_at < l - RECORDED_AT_TOLERANCE)
            {
                name(Suspect::RecordedBackwards);
            }
            latest = latest.max(Some(event.recorded_at));
        }
    }
    drop(tx);
    if let Some(since) = since
        && digest.count() == since.count
        && since_found.is_none()
    {
        since_found = Some(digest.digest());
    }
    broken.sort_by(|a: &BrokenCase, b| (&a.case_id, a.sequence).cmp(&(&b.case_id, b.sequence)));
    Ok(VerifyReport {
        events: digest.count(),
        cases: cases.len() as u64,
        broken,
        suspect,
        keys: {
            let mut ids: Vec<String> = keys.into_keys().collect();
            ids.sort();
            ids
        },
        recorded_at_checked,
        digest: digest.digest().to_string(),
        since: since.map(|expected| SinceCheck {
            expected: expected.to_string(),
            holds: since_found.as_ref() == Some(expected),
            found: since_found.map(|d| d.to_string()),
        }),
    })
}

fn check(
    event: &StoredEvent,
    cases: &mut HashMap<String, CaseState>,
    broken: &mut Vec<BrokenCase>,
) {
    let state = cases
        .entry(format!("{}/{}", event.aggregate_type, event.aggregate_id))
        .or_insert_with(|| CaseState {
            aggregate_type: event.aggregate_type.clone(),
            next_sequence: 1,
            last_hash: GENESIS.to_string(),
            broken: false,
        });
    if state.broken {
        return;
    }
    let problem = if event.sequence != state.next_sequence {
        Some((state.next_sequence.min(event.sequence), Break::Removed))
    } else if event_hash(&event.chain_input()) != event.hash {
        Some((event.sequence, Break::Altered))
    } else if event.prev_hash != state.last_hash {
        Some((event.sequence, Break::Relinked))
    } else {
        None
    };
    match problem {
        Some((sequence, problem)) => {
            state.broken = true;
            broken.push(BrokenCase {
                aggregate_type: state.aggregate_type.clone(),
                case_id: event.aggregate_id.clone(),
                sequence,
                problem,
            });
        }
        None => {
            state.next_sequence += 1;
            state.last_hash.clone_from(&event.hash);
        }
    }
}

/// What is wrong with the event's signature, if anything.
fn signature_problem(event: &StoredEvent, keys: &HashMap<String, VerifyingKey>) -> Option<Suspect> {
    let (Some(key), Some(signature)) = (&event.key_id, &event.signature) else {
        return Some(Suspect::Unsigned);
    };
    let Some(public) = keys.get(key) else {
        return Some(Suspect::UnknownKey);
    };
    (!signature_holds(public, &event_message(&event.hash), signature))
        .then_some(Suspect::BadSignature)
}

/// The keys the log announced, each trusted only if its announcement checks out: the first
/// signed by itself, every later one by a key already trusted. An announcement that does not
/// check out is named by the signature check of its own event.
async fn trusted_keys(tx: &mut Tx) -> Result<HashMap<String, VerifyingKey>, StoreError> {
    let rows = tx
        .fetch_all(
            Sql::both(
                "SELECT sequence, payload, hash, key_id, signature FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence",
            ),
            &[P::text(KEY_STREAM_TYPE), P::text(KEY_STREAM_ID)],
        )
        .await?;
    let mut trusted: HashMap<String, VerifyingKey> = HashMap::new();
    for row in &rows {
        let Ok(announced) = announced_key(&row.json("payload")?, row.i64("sequence")?, None) else {
            continue;
        };
        let Some(public) = public_key(&announced.public_key) else {
            continue;
        };
        if key_id(public.as_bytes()) != announced.key_id {
            continue;
        }
        let (Some(signer), Some(signature)) = (row.opt_text("key_id")?, row.opt_text("signature")?)
        else {
            continue;
        };
        let signed_by = if announced.sequence == 1 {
            // The first key signs its own announcement.
            (signer == announced.key_id).then_some(public)
        } else {
            trusted.get(&signer).copied()
        };
        let message = event_message(&row.text("hash")?);
        if signed_by.is_some_and(|k| signature_holds(&k, &message, &signature)) {
            trusted.insert(announced.key_id, public);
        }
    }
    Ok(trusted)
}
