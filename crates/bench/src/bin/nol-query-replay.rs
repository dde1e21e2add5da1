//! `nol-query-replay`: cqrs-es 0.5's own way of rebuilding a view, run on our log, to compare
//! with `notoneless reproject` on the same data (`scripts/bench-county`, docs/performance.md).
//!
//! cqrs-es's `QueryReplay` streams every `student_case` event through postgres-es's
//! `PostgresEventRepository` (`stream_all_events`: one query over our `events` table, whose
//! columns are postgres-es's) and dispatches them one at a time to a `GenericQuery` over a
//! `PostgresViewRepository` on a scratch table: for each event the view is read, updated and
//! written back. The view is a case status like the read model's: the case's school, its stage
//! by the domain's `assess()` (the county's calendar, the ladder, one instant for the whole
//! run) and its last sequence. To assess, a view has to hold the case's facts, so it keeps the
//! aggregate.
//!
//! Prints one JSON object: the events replayed, the seconds, the events per second, whether
//! the replay got through the whole log (`--max-seconds` stops it, and the rate is then over
//! the part replayed), and how many views' stages differ from the `case_status` rows (when the
//! replay was complete). The scratch table is dropped at the end unless `--keep`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::Parser;
use cqrs_es::persist::{GenericQuery, QueryReplay};
use cqrs_es::{Aggregate, EventEnvelope, View};
use notoneless_domain::{EscalationLadder, SchoolCalendar, Stage, StudentCase, assess};
use notoneless_store::{Db, Rules, Store, SystemClock};
use postgres_es::{PostgresEventRepository, PostgresViewRepository};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "nol-query-replay",
    about = "Replay every case event into a view with cqrs-es's QueryReplay, and time it"
)]
struct Cli {
    /// The database: postgres://user@host/db.
    #[arg(long)]
    database_url: String,
    /// The scratch table the view is written to (created afresh).
    #[arg(long, default_value = "bench_query_replay_view")]
    table: String,
    /// Stop after this many seconds, and report the rate over the events replayed by then.
    #[arg(long)]
    max_seconds: Option<u64>,
    /// Keep the view table afterwards.
    #[arg(long)]
    keep: bool,
}

/// What every view update assesses with: set once before the replay.
struct Setting {
    calendar: SchoolCalendar,
    ladder: EscalationLadder,
    now: DateTime<Utc>,
}

static SETTING: OnceLock<Setting> = OnceLock::new();
static UPDATES: AtomicU64 = AtomicU64::new(0);
static ERRORS: AtomicU64 = AtomicU64::new(0);

/// A case's status, as a cqrs-es view.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CaseStatusView {
    school: String,
    stage: Option<Stage>,
    last_sequence: usize,
    case: StudentCase,
}

impl View<StudentCase> for CaseStatusView {
    fn update(&mut self, event: &EventEnvelope<StudentCase>) {
        self.case.apply(event.payload.clone());
        self.last_sequence = event.sequence;
        if let Some(profile) = self.case.profile() {
            self.school.clone_from(&profile.school);
        }
        if let Some(s) = SETTING.get() {
            self.stage = Some(assess(&self.case, &s.calendar, &s.ladder, s.now).stage);
        }
        UPDATES.fetch_add(1, Ordering::Relaxed);
    }
}

fn count_error(error: cqrs_es::persist::PersistenceError) {
    if ERRORS.fetch_add(1, Ordering::Relaxed) < 3 {
        eprintln!("replay error: {error}");
    }
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(run(cli))
}

async fn count(pool: &sqlx::PgPool, sql: &str) -> Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?)
}

async fn run(cli: Cli) -> Result<()> {
    if !cli
        .table
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        bail!("--table: letters, digits and underscores only");
    }
    let db = Db::connect(&cli.database_url)
        .await
        .context("cannot connect to the database")?;
    let Db::Postgres(pool) = db.clone() else {
        bail!("--database-url: QueryReplay runs on PostgreSQL (postgres-es)");
    };
    // The calendar in force is the organisation's, as the rebuild uses it.
    let store = Store::new(
        db,
        Rules {
            calendar: SchoolCalendar::every_weekday(),
            ladder: EscalationLadder::default(),
        },
        Arc::new(SystemClock),
        // It only reads: a key of its own, never announced.
        notoneless_store::signing::LogKey::generate(),
    );
    store.org.reload().await?;
    let rules = store.rules.get();
    let _ = SETTING.set(Setting {
        calendar: rules.calendar.clone(),
        ladder: rules.ladder.clone(),
        now: store.clock.now(),
    });
    let total = count(
        &pool,
        "SELECT COUNT(*) FROM events WHERE aggregate_type = 'student_case'",
    )
    .await?;

    // The view table, as postgres-es's db/init.sql makes one.
    let table = &cli.table;
    sqlx::raw_sql(&format!(
        "DROP TABLE IF EXISTS {table};
         CREATE TABLE {table} (view_id text NOT NULL, version bigint CHECK (version >= 0) NOT NULL,
                               payload json NOT NULL, PRIMARY KEY (view_id))"
    ))
    .execute(&pool)
    .await?;

    let views = Arc::new(PostgresViewRepository::<CaseStatusView, StudentCase>::new(
        table,
        pool.clone(),
    ));
    let mut query = GenericQuery::new(views);
    query.use_error_handler(Box::new(count_error));
    let mut replay = QueryReplay::new(PostgresEventRepository::new(pool.clone()), query);
    replay.use_error_handler(Box::new(count_error));

    eprintln!("replaying {total} case events through cqrs-es QueryReplay …");
    let started = Instant::now();
    let outcome = match cli.max_seconds {
        Some(limit) => tokio::time::timeout(Duration::from_secs(limit), replay.replay_all())
            .await
            .ok(),
        None => Some(replay.replay_all().await),
    };
    let finished = match outcome {
        Some(Ok(())) => true,
        Some(Err(error)) => bail!("the replay failed: {error}"),
        None => false,
    };
    let seconds = started.elapsed().as_secs_f64();
    drop(replay);
    let replayed = UPDATES.load(Ordering::Relaxed);
    let complete = finished && replayed as i64 == total;
    if finished && !complete {
        eprintln!("the replay ended after {replayed} of {total} events");
    }

    let view_rows = count(&pool, &format!("SELECT COUNT(*) FROM {table}")).await?;
    let stage_differs = if complete {
        Some(
            count(
                &pool,
                &format!(
                    "SELECT COUNT(*) FROM {table} v JOIN case_status c ON c.case_id = v.view_id
                     WHERE (v.payload::jsonb ->> 'stage') IS DISTINCT FROM c.stage"
                ),
            )
            .await?,
        )
    } else {
        None
    };
    let case_rows = count(&pool, "SELECT COUNT(*) FROM case_status").await?;
    if !cli.keep {
        sqlx::raw_sql(&format!("DROP TABLE IF EXISTS {table}"))
            .execute(&pool)
            .await?;
    }
    println!(
        "{}",
        json!({
            "events": replayed,
            "case_events": total,
            "complete": complete,
            "seconds": seconds,
            "per_second": replayed as f64 / seconds,
            "views": view_rows,
            "errors": ERRORS.load(Ordering::Relaxed),
            "case_status_rows": case_rows,
            "stage_differs": stage_differs,
        })
    );
    Ok(())
}
