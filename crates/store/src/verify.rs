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

use serde::Serialize;

use crate::chain::{DigestBuilder, GENESIS, LogDigest, event_hash};
use crate::db::Db;
use crate::error::StoreError;
use crate::log::{CommitPosition, StoredEvent, events_after_in};

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
    pub digest: String,
    pub since: Option<SinceCheck>,
}

impl VerifyReport {
    /// Whether every chain checks out and the earlier digest, if given, holds.
    pub fn is_clean(&self) -> bool {
        self.broken.is_empty() && self.since.as_ref().is_none_or(|s| s.holds)
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
    let mut tx = db.begin_read().await?;
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
