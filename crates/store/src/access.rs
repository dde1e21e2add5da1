//! The access log: who read which child's case file, when, how and in which request. One row
//! per case read, in `case_reads`, which the database keeps append-only like the events.
//! Reads are not facts about the child, so they never touch a case's stream.
//!
//! The API writes the entry before the answer leaves; if it cannot be written, the read
//! fails rather than showing a child's file unrecorded (docs/security.md).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::clock::Clock;
use crate::commands::Actor;
use crate::db::{Db, DbRow, P, Sql, placeholders};
use crate::error::StoreError;

/// How a case was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadKind {
    /// `GET /api/v1/cases/{id}`: the status.
    Status,
    /// Every event, as recorded.
    History,
    /// The case as it stood on a day.
    AsOf,
    /// The case as the system knew it at an instant.
    AsKnownAt,
    /// The status after each event.
    Timeline,
    /// A row of a ledger download.
    LedgerExport,
    /// A row of a review's findings download.
    ReviewExport,
    /// The case's inclusion proof in a checkpoint (its events with the Merkle path).
    Proof,
    /// A finding of a review's answer (which names the child).
    Review,
    /// A child a search found (the query is not recorded).
    Search,
    /// A case whose deadlines a retroactive calendar change would move, named in the
    /// confirmation asked for before the change.
    CalendarChange,
}

impl ReadKind {
    pub const ALL: [ReadKind; 11] = [
        ReadKind::Status,
        ReadKind::History,
        ReadKind::AsOf,
        ReadKind::AsKnownAt,
        ReadKind::Timeline,
        ReadKind::LedgerExport,
        ReadKind::ReviewExport,
        ReadKind::Proof,
        ReadKind::Review,
        ReadKind::Search,
        ReadKind::CalendarChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReadKind::Status => "status",
            ReadKind::History => "history",
            ReadKind::AsOf => "as_of",
            ReadKind::AsKnownAt => "as_known_at",
            ReadKind::Timeline => "timeline",
            ReadKind::LedgerExport => "ledger_export",
            ReadKind::ReviewExport => "review_export",
            ReadKind::Proof => "proof",
            ReadKind::Review => "review",
            ReadKind::Search => "search",
            ReadKind::CalendarChange => "calendar_change",
        }
    }
}

/// One entry of the access log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseRead {
    pub id: i64,
    pub case_id: String,
    pub read_at: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    pub jurisdiction: String,
    pub kind: String,
    pub detail: Option<String>,
    pub request_id: String,
}

impl CaseRead {
    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.i64("id")?,
            case_id: row.text("case_id")?,
            read_at: row.ts("read_at")?,
            actor: row.text("actor")?,
            role: row.text("role")?,
            jurisdiction: row.text("jurisdiction")?,
            kind: row.text("kind")?,
            detail: row.opt_text("detail")?,
            request_id: row.text("request_id")?,
        })
    }
}

/// Rows written per statement when a download records many cases at once.
const CHUNK: usize = 500;
const COLUMNS: usize = 8;
const INSERT: &str = "INSERT INTO case_reads (case_id, read_at, actor, role, jurisdiction, kind, detail, request_id) VALUES ";

/// The access log over one database, stamped with the store's clock.
pub struct AccessLog {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl AccessLog {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    /// Records that `actor` read these cases in request `request_id`: one entry per case, all
    /// or none, stamped with the store's clock, which it returns.
    pub async fn record(
        &self,
        actor: &Actor,
        request_id: &str,
        kind: ReadKind,
        detail: Option<&str>,
        case_ids: &[String],
    ) -> Result<DateTime<Utc>, StoreError> {
        let now = self.clock.now();
        if case_ids.is_empty() {
            return Ok(now);
        }
        let row = |case_id: &str| {
            [
                P::text(case_id),
                P::Ts(now),
                P::text(actor.id.as_str()),
                P::text(actor.role.as_str()),
                P::text(actor.jurisdiction.as_str()),
                P::text(kind.as_str()),
                P::OptText(detail.map(str::to_string)),
                P::text(request_id),
            ]
        };
        let statement = |rows: usize| {
            let values: Vec<String> = (0..rows)
                .map(|r| placeholders(r * COLUMNS + 1, COLUMNS))
                .collect();
            format!("{INSERT}{}", values.join(", "))
        };
        if let [case_id] = case_ids {
            let sql = statement(1);
            self.db.execute(Sql::both(&sql), &row(case_id)).await?;
            return Ok(now);
        }
        let mut tx = self.db.begin().await?;
        for chunk in case_ids.chunks(CHUNK) {
            let sql = statement(chunk.len());
            let params: Vec<P> = chunk.iter().flat_map(|c| row(c)).collect();
            tx.execute(Sql::both(&sql), &params).await?;
        }
        tx.commit().await?;
        Ok(now)
    }

    /// The reads of one case, newest first, a page at a time, and how many there are.
    pub async fn reads_of(
        &self,
        case_id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<CaseRead>, i64), StoreError> {
        let total = self
            .db
            .fetch_optional(
                Sql::both("SELECT COUNT(*) AS n FROM case_reads WHERE case_id = $1"),
                &[P::text(case_id)],
            )
            .await?
            .map(|r| r.i64("n"))
            .transpose()?
            .unwrap_or(0);
        let rows = self
            .db
            .fetch_all(
                Sql::both(
                    "SELECT id, case_id, read_at, actor, role, jurisdiction, kind, detail, request_id
                     FROM case_reads WHERE case_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
                ),
                &[P::text(case_id), P::I64(limit), P::I64(offset)],
            )
            .await?;
        let reads = rows
            .iter()
            .map(CaseRead::from_row)
            .collect::<Result<_, _>>()?;
        Ok((reads, total))
    }
}
