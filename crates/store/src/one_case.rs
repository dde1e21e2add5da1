//! One open case file per child (issue 15 point 4; ADR 0009 decision 2, ADR 0013).
//!
//! The table `child_case_files (child PRIMARY KEY, case_id)` holds, for each child with an
//! open case file, that file. The child is known by his student number as the review knows him
//! ([`child_key`]). The event repository keeps the table in the same transaction as the event
//! that changes it ([`changes`], [`apply`]): an opening or a reopening takes the child's row
//! after checking that no other case holds it (refused with a [`OneCaseRefusal`] naming that
//! case); a closure gives it up. A retraction of a closure counts as a reopening, of a
//! reopening as a closure. Two openings at the same time: the primary key refuses the second
//! insert, the command path retries it as a conflict, and the retry is refused on the check.
//!
//! A log written before the table existed is read once, right after the migrations
//! ([`fill_from_log`]): for each child, of the case files open at the end of the log, the one
//! opened first holds the row; any other stays open as it was and the review's
//! `duplicate_case` finding keeps naming it.

use std::collections::{BTreeMap, HashMap};

use cqrs_es::persist::SerializedEvent;
use notoneless_domain::child_key;
use serde_json::Value;

use crate::db::{Db, P, Sql, Tx};
use crate::error::StoreError;
use crate::log::CASE;

/// A case file refused because the child already has another one open.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OneCaseRefusal {
    /// Opening a case file for a child whose case file `case_id` is open.
    #[error("the child already has an open case file, {case_id}; nothing was written")]
    Open { case_id: String },
    /// Reopening (or un-closing, by a retraction) a case file while the child's case file
    /// `case_id` is open.
    #[error(
        "the case file cannot be opened again: the child's case file {case_id} is open; nothing was written"
    )]
    Reopen { case_id: String },
}

impl OneCaseRefusal {
    /// The child's case file that is open.
    pub fn case_id(&self) -> &str {
        match self {
            OneCaseRefusal::Open { case_id } | OneCaseRefusal::Reopen { case_id } => case_id,
        }
    }
}

/// What an event does to its case's hold on the child.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// The case is opened for the child with this key.
    Open { child: String },
    /// The case is open again (a reopening, a closure retracted).
    Reopen,
    /// The case is closed (a closure, a reopening retracted).
    Close,
    /// The case's event with this sequence is retracted: undoes a closure or a reopening.
    Retract { target: i64 },
}

/// The sentinel row the migration leaves until the table is filled from the log.
const SENTINEL: &str = "";

const HOLDER: Sql = Sql::both("SELECT case_id FROM child_case_files WHERE child = $1");
const TAKE: Sql = Sql::both("INSERT INTO child_case_files (child, case_id) VALUES ($1, $2)");
const GIVE_UP: Sql = Sql::both("DELETE FROM child_case_files WHERE case_id = $1");
const EVENT_AT: Sql = Sql::both(
    "SELECT event_type, payload FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3",
);

/// The changes the events of a case bring, in order.
pub(crate) fn changes(events: &[SerializedEvent]) -> Vec<Change> {
    events
        .iter()
        .filter(|e| e.aggregate_type == CASE)
        .filter_map(|e| change_of(&e.event_type, &e.payload))
        .collect()
}

/// The changes of events written as rows (the bulk writer's), in order, for [`apply`].
pub(crate) fn changes_of_rows<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a str, &'a str, &'a str)>,
) -> Result<Vec<(&'a str, Change)>, StoreError> {
    let mut out = Vec::new();
    for (aggregate_type, aggregate_id, event_type, payload) in rows {
        let holding = matches!(
            event_type,
            "CaseOpened" | "CaseReopened" | "CaseClosed" | "FactCorrected"
        );
        if aggregate_type != CASE || !holding {
            continue;
        }
        let payload: Value = serde_json::from_str(payload)
            .map_err(|e| StoreError::Database(format!("an event's payload is not JSON: {e}")))?;
        if let Some(change) = change_of(event_type, &payload) {
            out.push((aggregate_id, change));
        }
    }
    Ok(out)
}

/// What one event does, as far as its own payload says.
fn change_of(event_type: &str, payload: &Value) -> Option<Change> {
    match event_type {
        "CaseOpened" => Some(Change::Open {
            child: child_key(
                payload
                    .pointer("/CaseOpened/student/student_number")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
        }),
        "CaseReopened" => Some(Change::Reopen),
        "CaseClosed" => Some(Change::Close),
        "FactCorrected" => {
            let fact = payload.get("FactCorrected")?;
            if fact.get("retract").and_then(Value::as_bool) != Some(true) {
                return None;
            }
            let target = fact.get("target").and_then(Value::as_i64)?;
            Some(Change::Retract { target })
        }
        _ => None,
    }
}

/// What retracting an event that did `undone` does.
fn undo(undone: Option<&Change>) -> Option<Change> {
    match undone {
        Some(Change::Close) => Some(Change::Reopen),
        Some(Change::Reopen) => Some(Change::Close),
        _ => None,
    }
}

/// Keeps the table in the transaction that appends `case_id`'s events: checks and takes the
/// child's row for an opening, gives it up for a closure. Refused (nothing written) when another
/// case holds the child.
pub(crate) async fn apply(
    tx: &mut Tx,
    case_id: &str,
    changes: &[Change],
) -> Result<(), StoreError> {
    for change in changes {
        let change = match change {
            Change::Retract { target } => {
                match undo(retracted_change(tx, case_id, *target).await?.as_ref()) {
                    Some(change) => change,
                    None => continue,
                }
            }
            other => other.clone(),
        };
        match change {
            Change::Open { child } => take(tx, case_id, &child, true).await?,
            Change::Reopen => {
                let child = opening_child(tx, case_id).await?;
                take(tx, case_id, &child, false).await?;
            }
            Change::Close => {
                tx.execute(GIVE_UP, &[P::text(case_id)]).await?;
            }
            Change::Retract { .. } => {}
        }
    }
    Ok(())
}

/// What the retracted event had done.
async fn retracted_change(
    tx: &mut Tx,
    case_id: &str,
    target: i64,
) -> Result<Option<Change>, StoreError> {
    let row = tx
        .fetch_optional(EVENT_AT, &[P::text(CASE), P::text(case_id), P::I64(target)])
        .await?;
    Ok(match row {
        Some(row) => match row.text("event_type")?.as_str() {
            "CaseClosed" => Some(Change::Close),
            "CaseReopened" => Some(Change::Reopen),
            _ => None,
        },
        None => None,
    })
}

/// The child of a case, from its opening.
async fn opening_child(tx: &mut Tx, case_id: &str) -> Result<String, StoreError> {
    let row = tx
        .fetch_optional(EVENT_AT, &[P::text(CASE), P::text(case_id), P::I64(1)])
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("case {case_id} has no opening")))?;
    match change_of(&row.text("event_type")?, &row.json("payload")?) {
        Some(Change::Open { child }) => Ok(child),
        _ => Err(StoreError::Corrupt(format!(
            "case {case_id}'s first event is not its opening"
        ))),
    }
}

async fn take(tx: &mut Tx, case_id: &str, child: &str, opening: bool) -> Result<(), StoreError> {
    if let Some(row) = tx.fetch_optional(HOLDER, &[P::text(child)]).await? {
        let holder = row.text("case_id")?;
        if holder == case_id {
            return Ok(());
        }
        return Err(StoreError::OneCase(if opening {
            OneCaseRefusal::Open { case_id: holder }
        } else {
            OneCaseRefusal::Reopen { case_id: holder }
        }));
    }
    // A concurrent opening that checked at the same time: the primary key refuses one of the
    // two inserts (a conflict), and its retry is refused on the check above.
    tx.execute(TAKE, &[P::text(child), P::text(case_id)])
        .await?;
    Ok(())
}

/// The case file open for the child with this student number, if any.
pub async fn held_case(db: &Db, student_number: &str) -> Result<Option<String>, StoreError> {
    let child = child_key(student_number);
    if child == SENTINEL {
        return Ok(None);
    }
    db.fetch_optional(HOLDER, &[P::text(child)])
        .await?
        .map(|row| row.text("case_id"))
        .transpose()
}

const HOLDING_EVENTS: Sql = Sql::both(
    "SELECT aggregate_id, sequence, event_type, payload FROM events
     WHERE aggregate_type = $1 AND event_type IN ('CaseOpened', 'CaseReopened', 'CaseClosed', 'FactCorrected')
     ORDER BY global_position",
);

/// Fills the table from the log, once, if the migration left it to be filled; does nothing
/// otherwise. One transaction: the sentinel row goes with the rows written, so a second
/// process doing the same at the same time finds nothing to do.
pub async fn fill_from_log(db: &Db) -> Result<(), StoreError> {
    let pending = db
        .fetch_optional(HOLDER, &[P::text(SENTINEL)])
        .await?
        .is_some();
    if !pending {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    if tx
        .execute(
            Sql::both("DELETE FROM child_case_files WHERE child = $1"),
            &[P::text(SENTINEL)],
        )
        .await?
        == 0
    {
        return Ok(());
    }
    let rows = tx.fetch_all(HOLDING_EVENTS, &[P::text(CASE)]).await?;
    // Per case: the child, whether it is open at the end, and where it was first opened.
    struct Held {
        child: String,
        open: bool,
        first: usize,
        kinds: HashMap<i64, Change>,
    }
    let mut cases: BTreeMap<String, Held> = BTreeMap::new();
    for (position, row) in rows.iter().enumerate() {
        let case_id = row.text("aggregate_id")?;
        let sequence = row.i64("sequence")?;
        let payload = row.json("payload")?;
        let Some(change) = change_of(&row.text("event_type")?, &payload) else {
            continue;
        };
        if let Change::Open { child } = &change {
            cases.insert(
                case_id.clone(),
                Held {
                    child: child.clone(),
                    open: true,
                    first: position,
                    kinds: HashMap::new(),
                },
            );
            continue;
        }
        let Some(held) = cases.get_mut(&case_id) else {
            continue;
        };
        let effect = match &change {
            Change::Retract { target } => match undo(held.kinds.get(target)) {
                Some(effect) => effect,
                None => continue,
            },
            other => {
                held.kinds.insert(sequence, other.clone());
                other.clone()
            }
        };
        held.open = effect == Change::Reopen;
    }
    let mut holders: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for (case_id, held) in cases.iter().filter(|(_, h)| h.open && !h.child.is_empty()) {
        let entry = holders
            .entry(held.child.as_str())
            .or_insert((held.first, case_id));
        if held.first < entry.0 {
            *entry = (held.first, case_id);
        }
    }
    for (child, (_, case_id)) in &holders {
        tx.execute(TAKE, &[P::text(*child), P::text(*case_id)])
            .await?;
    }
    tx.commit().await?;
    tracing::info!(
        children = holders.len(),
        "the open case file of every child was read from the log"
    );
    Ok(())
}
