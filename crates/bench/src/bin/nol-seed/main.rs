//! `nol-seed`: a county at scale, written straight into an empty PostgreSQL database, for the
//! county-scale benchmark (`scripts/bench-county`, docs/performance.md): by default 40,000
//! children on watch in 96 schools and a school year of their facts, about 1,000,000 events,
//! in a few minutes.
//!
//! The county is `notoneless-county`'s fictional county at this size (`Params::county`): its
//! organisation and calendar entered the week before term, every child's year (most of it done
//! right, a small share planted wrong, the everyday absences filling the year up to
//! `--events`), every school's roll calls, and the violations planted. Every fact is one the
//! system would accept: each is run through its aggregate's own `decide` (`StudentCase`,
//! `Organisation`, `SchoolRollCalls`) with "today" the day it is entered; the accepted events
//! are serialised and hash-chained by the store (`notoneless_store::bulk`) with the metadata
//! the command path stamps (`command_metadata`), then sorted by the instant each was entered
//! and inserted a thousand rows to a statement, so that commit order is time order as in a
//! real log. `notoneless verify` and, after `notoneless reproject`, `notoneless
//! check-projections` pass on the result.
//!
//! Tokens are issued at the end, now, through the organisation's command path
//! (`notoneless_demo::issue_tokens`), for the bureau officer, the inspector and the admin, and
//! written to `--tokens` as "user role node token" lines. The JSON summary on stdout says how
//! many findings of each kind were planted.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, TimeDelta};
use clap::Parser;
use cqrs_es::Aggregate;
use notoneless_county::{County, Params, Stream, Timed, generate, last_school_year};
use notoneless_demo::{actor, context, issue_tokens};
use notoneless_domain::{
    CaseAction, CaseCommand, EscalationLadder, FindingKind, ORGANISATION_ID, Organisation,
    RollCallCommand, SchoolCalendar, SchoolRollCalls, StudentCase,
};
use notoneless_store::bulk::{ChainedEvent, Recorded, insert, new_stream};
use notoneless_store::commands::command_metadata;
use notoneless_store::db::Sql;
use notoneless_store::log_keys::LogSigner;
use notoneless_store::signing::LogKey;
use notoneless_store::{Actor, Clock, Db, Rules, Store, SystemClock};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "nol-seed",
    about = "Write a county at scale (children, a school year of facts) into an empty PostgreSQL database"
)]
struct Cli {
    /// The database: postgres://user@host/db. It must hold no events yet.
    #[arg(long)]
    database_url: String,
    /// Children on watch, each with a case.
    #[arg(long, default_value_t = 40_000)]
    children: usize,
    /// About how many events to write in all (cases, roll calls, organisation): the
    /// everyday absences fill the year up to it.
    #[arg(long, default_value_t = 1_000_000)]
    events: usize,
    /// The school year, by the year it starts in (default: the last that ended before today).
    #[arg(long)]
    year: Option<i32>,
    /// The seed of the generator: the same seed, year and sizes give the same county.
    #[arg(long, default_value_t = 2023)]
    seed: u64,
    /// Where to write "user role node token" lines for the users given tokens.
    #[arg(long)]
    tokens: Option<PathBuf>,
    /// The signing key file (created when missing): the one `notoneless serve` will use on
    /// this database afterwards (its default is data/signing.key).
    #[arg(long, default_value = "data/signing.key")]
    signing_key: PathBuf,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(run(cli))
}

async fn run(cli: Cli) -> Result<()> {
    let started = Instant::now();
    if !cli.database_url.starts_with("postgres") {
        bail!("--database-url: nol-seed writes into PostgreSQL (postgres://…)");
    }
    let db = Db::connect(&cli.database_url)
        .await
        .context("cannot connect to the database")?;
    db.migrate().await.context("cannot migrate the database")?;
    let signer = LogSigner::new(
        LogKey::read_or_create(&cli.signing_key)
            .context("cannot use the signing key")?
            .0,
    );
    let existing = db
        .fetch_optional(Sql::both("SELECT COUNT(*) AS n FROM events"), &[])
        .await?
        .map(|r| r.i64("n"))
        .transpose()?
        .unwrap_or(0);
    if existing > 0 {
        bail!(
            "the database already holds {existing} events: nol-seed writes only into an empty one"
        );
    }
    // Its facts are recorded at the instants of a past school year, not on the database's
    // clock: a database for the benchmark only, marked as such (migration 0016).
    notoneless_store::clock::mark_for_training(&db, SystemClock.now(), "benchmark")
        .await
        .context("cannot mark the benchmark database")?;
    let today = (SystemClock.now() + TimeDelta::hours(8)).date_naive();
    let year = cli.year.unwrap_or_else(|| last_school_year(today));

    // ---- the county, and every command decided by its aggregate --------------------------
    let generating = Instant::now();
    let params = Params::county(cli.children, year, cli.events, cli.seed);
    let county = generate(&params).map_err(|e| anyhow::anyhow!("--children/--year: {e}"))?;
    let (first_day, last_day) = (county.days[0], county.days[county.days.len() - 1]);
    if last_day >= today {
        bail!("--year {year}: the school year must have ended before today ({today})");
    }
    eprintln!(
        "county: {} townships, {} schools, {} children; school year {first_day} to {last_day}, {} school days",
        county.townships.len(),
        county.schools.len(),
        county.children.len(),
        county.days.len()
    );
    let decider = Decider::new(&county, cli.seed);
    let org_rows = decider.organisation()?;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = county.cases.len().div_ceil(threads).max(1);
    let results: Vec<Result<Vec<ChainedEvent>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = county
            .cases
            .chunks(chunk)
            .enumerate()
            .map(|(k, part)| {
                let decider = &decider;
                scope.spawn(move || decider.cases(k * chunk, part))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a worker panicked")))
            })
            .collect()
    });
    let mut case_rows = Vec::new();
    for result in results {
        case_rows.extend(result?);
    }
    let roll_rows = decider.roll_calls()?;
    let (case_count, roll_count, org_count) = (case_rows.len(), roll_rows.len(), org_rows.len());
    let mut rows = org_rows;
    rows.extend(case_rows);
    rows.extend(roll_rows);
    // Commit order is the order the facts were entered, as in a real log.
    rows.sort_by(|a, b| {
        (
            a.recorded_at,
            &a.aggregate_type,
            &a.aggregate_id,
            a.sequence,
        )
            .cmp(&(
                b.recorded_at,
                &b.aggregate_type,
                &b.aggregate_id,
                b.sequence,
            ))
    });
    let generate_seconds = generating.elapsed().as_secs_f64();
    eprintln!(
        "planned and decided {} events ({case_count} of cases, {roll_count} roll calls, {org_count} of the organisation) in {generate_seconds:.1} s",
        rows.len()
    );

    // ---- write, a thousand rows to a statement, twenty thousand to a transaction -----------
    let writing = Instant::now();
    let mut written = 0u64;
    for part in rows.chunks(20_000) {
        written += insert(&db, &signer, &SystemClock, part).await?;
        if written % 200_000 < 20_000 {
            eprintln!(
                "written {written} events ({:.0} events/s)",
                written as f64 / writing.elapsed().as_secs_f64()
            );
        }
    }
    drop(rows);
    let write_seconds = writing.elapsed().as_secs_f64();
    // What autovacuum would have done over a year: visibility map and planner statistics.
    let vacuuming = Instant::now();
    if let Db::Postgres(pool) = &db {
        sqlx::raw_sql("VACUUM (ANALYZE) events")
            .execute(pool)
            .await
            .context("VACUUM (ANALYZE) events")?;
    }
    let vacuum_seconds = vacuuming.elapsed().as_secs_f64();

    // ---- tokens, issued now through the organisation's command path -------------------
    let store = Store::new(
        db.clone(),
        Rules {
            calendar: SchoolCalendar::every_weekday(),
            ladder: EscalationLadder::default(),
        },
        Arc::new(SystemClock),
        signer.key().clone(),
    );
    store.org.reload().await?;
    // For the benchmark's reads, from now on (a token without an expiry works 90 days from
    // its issue).
    let expires_at = SystemClock.now() + TimeDelta::days(30);
    let holders = [county.bureau(), county.inspector(), county.admin()];
    let issued = issue_tokens(&store, holders, &context(county.admin()), Some(expires_at))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let lines: String = issued
        .iter()
        .map(|t| format!("{} {} {} {}\n", t.id, t.role.as_str(), t.node, t.token))
        .collect();
    match &cli.tokens {
        Some(path) => std::fs::write(path, &lines)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => eprint!("tokens (user role node token):\n{lines}"),
    }

    let seconds = started.elapsed().as_secs_f64();
    let total = written + issued.len() as u64;
    eprintln!(
        "seeded {total} events ({} cases) in {seconds:.1} s: {:.0} events/s (writing alone {:.0} events/s; VACUUM ANALYZE {vacuum_seconds:.1} s)",
        county.children.len(),
        total as f64 / seconds,
        written as f64 / write_seconds
    );
    let mut planted: BTreeMap<FindingKind, usize> = BTreeMap::new();
    for p in &county.planted {
        *planted.entry(p.kind).or_default() += 1;
    }
    println!(
        "{}",
        json!({
            "children": county.children.len(),
            "cases": county.cases.len(),
            "townships": county.townships.len(),
            "schools": county.schools.len(),
            "school_days": county.days.len(),
            "from": first_day,
            "until": last_day,
            "events": total,
            "case_events": case_count,
            "roll_call_events": roll_count,
            "organisation_events": org_count + issued.len(),
            "seconds": seconds,
            "per_second": total as f64 / seconds,
            "generate_seconds": generate_seconds,
            "write_seconds": write_seconds,
            "vacuum_seconds": vacuum_seconds,
            "planted_findings": county.planted.len(),
            "planted": planted,
        })
    );
    Ok(())
}

/// Decides the county's facts with their aggregates and chains the accepted events, with the
/// metadata the command path would stamp.
struct Decider<'a> {
    county: &'a County,
    actors: Vec<Actor>,
    seed: u64,
}

impl<'a> Decider<'a> {
    fn new(county: &'a County, seed: u64) -> Self {
        Self {
            county,
            actors: county.users.iter().map(actor).collect(),
            seed,
        }
    }

    /// One stream (number `stream` of the county's, for its request ids): every fact run
    /// through `decide` on the aggregate as it stands, with "today" the day it is entered.
    fn stream<A: Aggregate, T: Clone + std::fmt::Debug>(
        &self,
        id: &str,
        stream: usize,
        facts: &[Timed<T>],
        decide: impl Fn(&A, NaiveDate, T) -> Result<A::Event, String>,
    ) -> Result<Vec<ChainedEvent>> {
        // Request ids shaped as the command path makes them (the request's id, then this
        // execution's), the same for the same seed.
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0x5EED);
        rng.set_stream(stream as u64);
        let mut aggregate = A::default();
        let mut recorded = Vec::with_capacity(facts.len());
        for fact in facts {
            let today = self.county.calendar.local_date(fact.at);
            let event = decide(&aggregate, today, fact.fact.clone()).map_err(|e| {
                anyhow::anyhow!("{id} refused {:?} entered {}: {e}", fact.fact, fact.at)
            })?;
            aggregate.apply(event.clone());
            let request = uuid::Builder::from_random_bytes(rng.random()).into_uuid();
            let execution = uuid::Builder::from_random_bytes(rng.random()).into_uuid();
            let request_id = format!("{request}/{}", execution.simple());
            recorded.push(Recorded::<A> {
                event,
                metadata: command_metadata(&self.actors[fact.by], &request_id),
                recorded_at: fact.at,
            });
        }
        Ok(new_stream(id, recorded)?)
    }

    /// The organisation's commands (stream 0).
    fn organisation(&self) -> Result<Vec<ChainedEvent>> {
        self.stream(
            ORGANISATION_ID,
            0,
            &self.county.org,
            |org: &Organisation, _, command| org.decide(command).map_err(|e| e.to_string()),
        )
    }

    /// The cases from number `first` on (streams `1 + first` …).
    fn cases(&self, first: usize, cases: &[Stream<CaseAction>]) -> Result<Vec<ChainedEvent>> {
        let mut rows = Vec::new();
        for (k, case) in cases.iter().enumerate() {
            rows.extend(self.stream(
                &case.id,
                1 + first + k,
                &case.facts,
                |case: &StudentCase, today, action| {
                    case.decide(CaseCommand::new(today, action))
                        .map_err(|e| e.to_string())
                },
            )?);
        }
        Ok(rows)
    }

    /// Every school's roll calls (the streams after the cases').
    fn roll_calls(&self) -> Result<Vec<ChainedEvent>> {
        let mut rows = Vec::new();
        let first = 1 + self.county.cases.len();
        for (k, school) in self.county.roll_calls.iter().enumerate() {
            rows.extend(self.stream(
                &school.id,
                first + k,
                &school.facts,
                |calls: &SchoolRollCalls, today, roll_call| {
                    calls
                        .decide(RollCallCommand { today, roll_call })
                        .map_err(|e| e.to_string())
                },
            )?);
        }
        Ok(rows)
    }
}
