//! The checkpointed projector. It reads events in commit order after its checkpoint (see
//! `log.rs` for why commit order is `(tx_id, global_position)` on PostgreSQL), re-assesses
//! every case a batch touches from that case's whole log, and writes the case rows and the new
//! checkpoint in one transaction. A crash anywhere loses nothing and doubles nothing: the
//! transaction either commits rows and checkpoint together or neither, and re-assessing a case
//! from its log gives the same row however often it is done. A change to the calendar
//! re-assesses every case: that is written a chunk of cases per transaction, and the
//! checkpoint after the last (a crash re-does the whole batch; each row is the same again),
//! so that no transaction holds SQLite's one write lock for the seconds a county takes and a
//! person's write meanwhile (a login, a fact) waits a chunk, not the county.
//!
//! It wakes on PostgreSQL's NOTIFY (or the in-process signal after each SQLite commit), polls
//! twice a second in case a notification was missed or an event waited behind a transaction
//! in flight, and refreshes rows that time has made stale.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{Notify, watch};

use notoneless_domain::{CaseContribution, OrgEvent, child_key};

use crate::clock::Clock;
use crate::db::{Db, P, Sql, Tx};
use crate::error::StoreError;
use crate::log::{
    CASE, CommitPosition, StoredEvent, case_events, case_events_page, cases_events_in,
    events_after, high_water,
};
use crate::org::{ORGANISATION, OrgDirectory};
use crate::read_model::{CaseRow, stored_case, write_cases, write_new_cases};
use crate::repository::EVENTS_CHANNEL;
use crate::rules::SharedRules;

/// The checkpoint's name for the case-status projection.
pub const CASE_STATUS: &str = "case_status";

/// Called after each case of a batch is written, before the commit; an error aborts the
/// batch. Lets a test kill the projector mid-batch.
pub type FaultHook = Arc<dyn Fn(usize) -> Result<(), StoreError> + Send + Sync>;

#[derive(Clone)]
pub struct Projector {
    db: Db,
    clock: Arc<dyn Clock>,
    rules: SharedRules,
    progress: watch::Sender<CommitPosition>,
    fault: Option<FaultHook>,
    org: Option<Arc<OrgDirectory>>,
    batch: i64,
    /// The rebuild's page of events read, and how many cases it writes at once.
    rebuild_page: i64,
    rebuild_cases: usize,
}

/// A read-model row that differs from a fresh fold of the log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mismatch {
    pub case_id: String,
    pub problem: String,
}

impl Projector {
    pub fn new(db: Db, clock: Arc<dyn Clock>, rules: SharedRules) -> Self {
        Self {
            db,
            clock,
            rules,
            progress: watch::Sender::new(CommitPosition::default()),
            fault: None,
            org: None,
            batch: 500,
            rebuild_page: 10_000,
            rebuild_cases: 2_000,
        }
    }

    /// Sets how many events the projector applies in one batch (one transaction).
    pub fn with_batch(mut self, events: i64) -> Self {
        self.batch = events.max(1);
        self
    }

    /// Sets the rebuild's page size and how many cases it writes at once (tests use small
    /// ones to cross every boundary).
    pub fn with_rebuild_sizes(mut self, page: i64, cases: usize) -> Self {
        self.rebuild_page = page.max(1);
        self.rebuild_cases = cases.max(1);
        self
    }

    /// Reload the organisation when its events pass by; re-assess every case when that
    /// changes the calendar.
    pub fn with_org(mut self, org: Arc<OrgDirectory>) -> Self {
        self.org = Some(org);
        self
    }

    pub fn with_fault(mut self, fault: FaultHook) -> Self {
        self.fault = Some(fault);
        self
    }

    /// Where the projector has got to, as it changes.
    pub fn progress(&self) -> watch::Receiver<CommitPosition> {
        self.progress.subscribe()
    }

    /// The stored checkpoint.
    pub async fn checkpoint(&self) -> Result<CommitPosition, StoreError> {
        let row = self
            .db
            .fetch_optional(
                Sql::both(
                    "SELECT tx_id, global_position FROM projector_checkpoints WHERE name = $1",
                ),
                &[P::text(CASE_STATUS)],
            )
            .await?;
        Ok(match row {
            Some(row) => CommitPosition {
                tx_id: row.i64("tx_id")?,
                global_position: row.i64("global_position")?,
            },
            None => CommitPosition::default(),
        })
    }

    async fn save_checkpoint(&self, tx: &mut Tx, at: CommitPosition) -> Result<(), StoreError> {
        tx.execute(
            Sql::both(
                "INSERT INTO projector_checkpoints (name, tx_id, global_position, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (name) DO UPDATE SET tx_id = excluded.tx_id, global_position = excluded.global_position, updated_at = excluded.updated_at",
            ),
            &[
                P::text(CASE_STATUS),
                P::I64(at.tx_id),
                P::I64(at.global_position),
                P::Ts(self.clock.now()),
            ],
        )
        .await?;
        Ok(())
    }

    /// Applies one batch; returns how many events it covered (0 when caught up).
    pub async fn step(&self) -> Result<usize, StoreError> {
        let checkpoint = self.checkpoint().await?;
        let events = events_after(&self.db, checkpoint, self.batch).await?;
        let Some(last) = events.last().map(|e| e.position()) else {
            self.progress.send_if_modified(|p| replace(p, checkpoint));
            return Ok(0);
        };
        let cases: BTreeSet<&str> = events
            .iter()
            .filter(|e| e.aggregate_type == CASE)
            .map(|e| e.aggregate_id.as_str())
            .collect();
        let now = self.clock.now();
        // A change to the organisation reloads it; a change to the calendar re-assesses every
        // case, whoever made it (this process or another).
        let org_events: Vec<OrgEvent> = events
            .iter()
            .filter(|e| e.aggregate_type == ORGANISATION)
            .map(|e| e.decode_as::<OrgEvent>())
            .collect::<Result<_, _>>()?;
        if let Some(org) = &self.org
            && !org_events.is_empty()
        {
            org.reload().await?;
        }
        let calendar_changed = org_events.iter().any(OrgEvent::changes_calendar);
        if calendar_changed {
            let all = self.all_case_ids().await?;
            let ids: Vec<&str> = all.iter().map(String::as_str).collect();
            for chunk in ids.chunks(CASES_PER_TRANSACTION) {
                let mut tx = self.db.begin().await?;
                self.project_cases(&mut tx, chunk.iter().copied(), now)
                    .await?;
                tx.commit().await?;
                // SQLite gives its write lock to whoever asks first after a commit, and a
                // waiting writer only asks again after its busy handler's sleep: pause, so
                // that it gets the lock between two chunks instead of after the county.
                tokio::time::sleep(PAUSE_BETWEEN_CHUNKS).await;
            }
        }
        let mut tx = self.db.begin().await?;
        if !calendar_changed {
            self.project_cases(&mut tx, cases, now).await?;
        }
        self.save_checkpoint(&mut tx, last).await?;
        tx.commit().await?;
        self.progress.send_if_modified(|p| replace(p, last));
        Ok(events.len())
    }

    async fn project_cases<'a>(
        &self,
        tx: &mut Tx,
        cases: impl IntoIterator<Item = &'a str>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        const CASES_PER_READ: usize = 500;
        let rules = self.rules.get();
        let ids: Vec<&str> = cases.into_iter().collect();
        // A few hundred cases' events in one statement, and their rows in a few more: the
        // cost of a batch hardly grows with the number of cases in it, and a calendar change
        // that re-assesses the whole county holds only one chunk in memory at a time.
        let mut written = 0;
        let mut index = 0;
        for chunk in ids.chunks(CASES_PER_READ) {
            let events = cases_events_in(tx, chunk).await?;
            let mut rows = Vec::with_capacity(chunk.len());
            for case in events.chunk_by(|a, b| a.aggregate_id == b.aggregate_id) {
                rows.extend(CaseRow::build(case, &rules, now)?);
                if let Some(fault) = &self.fault {
                    fault(index)?;
                }
                index += 1;
            }
            write_cases(tx, &rows).await?;
            written += rows.len();
        }
        Ok(written)
    }

    /// Applies batches until none is left; returns how many events that covered.
    pub async fn catch_up(&self) -> Result<u64, StoreError> {
        self.catch_up_unless(|| false).await
    }

    /// [`Projector::catch_up`], stopping between two batches once `stop` says so: a server
    /// asked to stop while it works through a long backlog stops within a batch (after
    /// [`DRAIN`]), and the next start resumes from the checkpoint.
    pub async fn catch_up_unless(&self, stop: impl Fn() -> bool) -> Result<u64, StoreError> {
        let mut total = 0;
        while !stop() {
            let applied = self.step().await?;
            if applied == 0 {
                break;
            }
            total += applied as u64;
        }
        Ok(total)
    }

    /// Re-assesses the cases whose rows time has made stale; returns how many.
    pub async fn refresh_stale(&self) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let rows = self
            .db
            .fetch_all(
                Sql::both("SELECT case_id FROM case_status WHERE stale_after <= $1 ORDER BY stale_after LIMIT 500"),
                &[P::Ts(now)],
            )
            .await?;
        let ids = rows
            .iter()
            .map(|r| r.text("case_id"))
            .collect::<Result<Vec<_>, _>>()?;
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        let written = self
            .project_cases(&mut tx, ids.iter().map(String::as_str), now)
            .await?;
        tx.commit().await?;
        Ok(written)
    }

    /// Throws the read models away and rebuilds them from the log; returns the events read.
    ///
    /// The log is read case by case, a page at a time, each case folded once and its rows
    /// written a few hundred cases to a statement. The checkpoint then moves to the last
    /// event that was readable in commit order before the reading began: anything committed
    /// since is applied by the ordinary catch-up that follows (a case folded twice is written
    /// the same twice). Should the rebuild stop half-way, the checkpoint is still at the start
    /// and the next run of the projector rebuilds everything the ordinary way.
    pub async fn reproject(&self) -> Result<u64, StoreError> {
        if let Some(org) = &self.org {
            org.reload().await?;
        }
        let mut tx = self.db.begin().await?;
        // TRUNCATE on PostgreSQL: no dead rows left behind by a rebuild, and no scan.
        for sql in [
            Sql {
                postgres: "TRUNCATE case_obligations",
                sqlite: "DELETE FROM case_obligations",
            },
            Sql {
                postgres: "TRUNCATE case_absence_days",
                sqlite: "DELETE FROM case_absence_days",
            },
            Sql {
                postgres: "TRUNCATE case_status",
                sqlite: "DELETE FROM case_status",
            },
        ] {
            tx.execute(sql, &[]).await?;
        }
        self.save_checkpoint(&mut tx, CommitPosition::default())
            .await?;
        tx.commit().await?;
        let high = high_water(&self.db).await?;
        let rules = self.rules.get();
        let now = self.clock.now();
        // Three things at once: the next page is read while this one is folded, and the rows
        // folded last are written meanwhile (each batch in its own transaction; the tables
        // start empty, so they are inserted without first deleting).
        let read = |db: Db, after: (String, i64), limit: i64| {
            tokio::spawn(async move { case_events_page(&db, (&after.0, after.1), limit).await })
        };
        let write = |db: Db, rows: Vec<CaseRow>| {
            tokio::spawn(async move {
                let mut tx = db.begin().await?;
                write_new_cases(&mut tx, &rows).await?;
                tx.commit().await
            })
        };
        let joined = |e: tokio::task::JoinError| {
            StoreError::Database(format!("the rebuild's reader or writer stopped: {e}"))
        };
        let mut read_count = 0u64;
        let mut case: Vec<StoredEvent> = Vec::new();
        let mut rows: Vec<CaseRow> = Vec::new();
        let mut writing: Option<tokio::task::JoinHandle<Result<(), StoreError>>> = None;
        let mut next = read(self.db.clone(), (String::new(), 0), self.rebuild_page);
        loop {
            let page = next.await.map_err(joined)??;
            let Some(last) = page.last() else {
                break;
            };
            next = read(
                self.db.clone(),
                (last.aggregate_id.clone(), last.sequence),
                self.rebuild_page,
            );
            read_count += page.len() as u64;
            for event in page {
                if case
                    .first()
                    .is_some_and(|first| first.aggregate_id != event.aggregate_id)
                {
                    rows.extend(CaseRow::build(&case, &rules, now)?);
                    case.clear();
                }
                case.push(event);
            }
            if rows.len() >= self.rebuild_cases {
                if let Some(previous) = writing.take() {
                    previous.await.map_err(joined)??;
                }
                writing = Some(write(self.db.clone(), std::mem::take(&mut rows)));
            }
        }
        if let Some(previous) = writing.take() {
            previous.await.map_err(joined)??;
        }
        rows.extend(CaseRow::build(&case, &rules, now)?);
        let mut tx = self.db.begin().await?;
        write_new_cases(&mut tx, &rows).await?;
        self.save_checkpoint(&mut tx, high).await?;
        tx.commit().await?;
        self.progress.send_if_modified(|p| replace(p, high));
        read_count += self.catch_up().await?;
        Ok(read_count)
    }

    async fn all_case_ids(&self) -> Result<BTreeSet<String>, StoreError> {
        self.db
            .fetch_all(
                Sql::both("SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = $1"),
                &[P::text(CASE)],
            )
            .await?
            .iter()
            .map(|r| r.text("aggregate_id"))
            .collect()
    }

    /// Folds every case afresh and compares it with its stored row (assessed at the same
    /// instant); returns every difference.
    pub async fn check(&self) -> Result<Vec<Mismatch>, StoreError> {
        let mut mismatches = Vec::new();
        // The case files open today per child (student number), for the duplicates.
        let mut open_files: std::collections::BTreeMap<String, Vec<String>> =
            std::collections::BTreeMap::new();
        let ids = self.all_case_ids().await?;
        for case_id in &ids {
            let stored = stored_case(&self.db, case_id).await?;
            let events = case_events(&self.db, case_id).await?;
            let at = stored
                .as_ref()
                .map_or_else(|| self.clock.now(), |s| s.assessed_at);
            let expected = CaseRow::build(&events, &self.rules.get(), at)?;
            let problem = match (&stored, &expected) {
                (None, Some(_)) => Some("no read-model row".to_string()),
                (Some(_), None) => Some("a row for a stream that opens no case".to_string()),
                (Some(s), Some(e)) if s != e => Some(describe_difference(s, e)),
                _ => None,
            };
            if let Some(problem) = problem {
                mismatches.push(Mismatch {
                    case_id: case_id.clone(),
                    problem,
                });
            }
            if let Some(contribution) = expected
                .as_ref()
                .and_then(|e| e.review.as_deref())
                .and_then(|r| serde_json::from_str::<CaseContribution>(r).ok())
                && contribution.open.last().is_some_and(|s| s.until.is_none())
            {
                open_files
                    .entry(child_key(&contribution.student_number))
                    .or_default()
                    .push(case_id.clone());
            }
        }
        // One case file per child: a second file open for the same child splits his absences.
        for files in open_files.values().filter(|f| f.len() > 1) {
            for case_id in &files[1..] {
                mismatches.push(Mismatch {
                    case_id: case_id.clone(),
                    problem: format!(
                        "a second open case file of the same child (student number) as case {}",
                        files[0]
                    ),
                });
            }
        }
        let orphans = self
            .db
            .fetch_all(Sql::both("SELECT case_id FROM case_status"), &[])
            .await?;
        for row in orphans {
            let case_id = row.text("case_id")?;
            if !ids.contains(&case_id) {
                mismatches.push(Mismatch {
                    case_id,
                    problem: "a row for a case with no events".into(),
                });
            }
        }
        Ok(mismatches)
    }

    /// Waits until the projector has applied the event at `position`, up to `timeout`.
    pub async fn wait_for(&self, position: CommitPosition, timeout: Duration) -> bool {
        let mut progress = self.progress();
        tokio::time::timeout(timeout, progress.wait_for(|p| *p >= position))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Waits until the projector has applied the event at global position `position` (and so
    /// everything committed before it), up to `timeout`. False if it has not by then, or if
    /// there is no such event.
    pub async fn wait_for_global_position(
        &self,
        position: i64,
        timeout: Duration,
    ) -> Result<bool, StoreError> {
        let row = self
            .db
            .fetch_optional(
                Sql {
                    postgres: "SELECT tx_id::text::bigint AS tx_id FROM events WHERE global_position = $1",
                    sqlite: "SELECT 0 AS tx_id FROM events WHERE global_position = $1",
                },
                &[P::I64(position)],
            )
            .await?;
        let Some(row) = row else { return Ok(false) };
        let target = CommitPosition {
            tx_id: row.i64("tx_id")?,
            global_position: position,
        };
        if self.checkpoint().await? >= target {
            return Ok(true);
        }
        Ok(self.wait_for(target, timeout).await)
    }

    /// Runs until `shutdown` turns true: catches up, waits for a commit (or half a second),
    /// and refreshes stale rows every 30 seconds. Errors are logged and retried, never fatal.
    pub async fn run(&self, committed: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
        let mut listener = None;
        let mut last_refresh = tokio::time::Instant::now();
        loop {
            if *shutdown.borrow() {
                // What was committed before the stop is applied, for at most DRAIN: a clean
                // stop leaves the read models caught up unless the backlog is long.
                let deadline = tokio::time::Instant::now() + DRAIN;
                if let Err(error) = self
                    .catch_up_unless(|| tokio::time::Instant::now() >= deadline)
                    .await
                {
                    tracing::warn!(%error, "projector batch failed while stopping");
                }
                return;
            }
            match self.catch_up_unless(|| *shutdown.borrow()).await {
                Ok(0) => {}
                Ok(applied) => tracing::debug!(applied, "projector caught up"),
                Err(error) => tracing::warn!(%error, "projector batch failed; will retry"),
            }
            if last_refresh.elapsed() >= Duration::from_secs(30) {
                if let Err(error) = self.refresh_stale().await {
                    tracing::warn!(%error, "refreshing stale case rows failed; will retry");
                }
                last_refresh = tokio::time::Instant::now();
            }
            if listener.is_none()
                && let Db::Postgres(pool) = &self.db
            {
                listener = listen(pool).await;
            }
            let notified = async {
                match listener.as_mut() {
                    Some(l) => l.recv().await.map(|_| ()).map_err(|_| ()),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = committed.notified() => {}
                result = notified => if result.is_err() { listener = None; },
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// How many cases one transaction of a calendar change's re-assessment writes: a few
/// hundred milliseconds of SQLite's write lock at a time.
pub const CASES_PER_TRANSACTION: usize = 200;

/// The pause between two chunks of a calendar change's re-assessment (a county of 2,000
/// cases: ten chunks, a second in all), long enough for SQLite's busy handler to retry.
pub const PAUSE_BETWEEN_CHUNKS: Duration = Duration::from_millis(100);

/// How long a stopping projector goes on applying what was committed before the stop.
pub const DRAIN: Duration = Duration::from_secs(5);
async fn listen(pool: &sqlx::PgPool) -> Option<sqlx::postgres::PgListener> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await.ok()?;
    listener.listen(EVENTS_CHANNEL).await.ok()?;
    Some(listener)
}

fn replace(current: &mut CommitPosition, new: CommitPosition) -> bool {
    if *current == new {
        false
    } else {
        *current = new;
        true
    }
}

fn describe_difference(stored: &CaseRow, expected: &CaseRow) -> String {
    let mut fields = Vec::new();
    macro_rules! compare {
        ($($($part:ident).+),*) => {
            $(if stored.$($part).+ != expected.$($part).+ {
                // The field's own name, without `summary.`.
                let path = stringify!($($part).+);
                fields.push(path.rsplit('.').next().unwrap_or(path).trim());
            })*
        };
    }
    compare!(
        summary.school,
        summary.stage,
        summary.episode_start,
        summary.episode_days,
        summary.outstanding,
        summary.next_due,
        summary.focus_groups,
        last_sequence,
        last_position,
        summary.last_event_type,
        summary.last_event_on,
        summary.last_recorded_at,
        stale_after,
        assessment,
        obligations,
        absence_days,
        review,
        review_rules
    );
    format!("differs from a fresh fold in: {}", fields.join(", "))
}
