//! `nol-seed`: a county at scale, written straight into an empty PostgreSQL database, for the
//! county-scale benchmark (`scripts/bench-county`, docs/performance.md): by default 40,000
//! children on watch in 96 schools and a school year of their facts, about 1,000,000 events,
//! in a few minutes.
//!
//! Every fact is one the system would accept: each child's year is planned as commands
//! (`CaseAction`s, with who enters each and when), and every command is run through the
//! aggregate's own `decide` with "today" the day it is entered; the organisation's commands
//! through `Organisation::decide` and the daily roll calls through `SchoolRollCalls::decide`.
//! The accepted events are serialised and hash-chained by the store (`notoneless_store::bulk`,
//! cqrs-es's serialisation and `chain::event_hash`) with the metadata the command path stamps
//! (`command_metadata`), then sorted by the instant each was entered and inserted a thousand
//! rows to a statement, so that commit order is time order as in a real log. `notoneless
//! verify` and, after `notoneless reproject`, `notoneless check-projections` pass on the
//! result.
//!
//! The organisation (16 townships, each with a junior middle school, a central primary school
//! and four village schools, their staff) and the calendar of the year (two terms, the national
//! holidays and their make-up days) are entered the week before term; the children's cases are
//! opened on the first day (a tenth later, at a first absence). A year of facts follows: most
//! children are away a day now and then, the head teacher calls the family that day and the
//! child is back the next; some are away two days (a home visit on the second); 8 % go through
//! the whole "123" (the call, two visits, the principal's visit and the reports to the township
//! and the bureau on day 3, acknowledged the next day); there is leave, support for poor
//! families, the term's home visit, home teaching for disabled children, transfers with the
//! receiving school's confirmation, suspensions and resumptions, a few dropouts at the end of
//! the year followed up by the township and the inspector, and the end of compulsory education
//! for grade 9. A small share is planted wrong so that the review has real work: it prints how
//! many findings of each kind it planted. Every school submits a roll call per grade every
//! school day, naming the children away (a few days are missing). The everyday absences fill
//! the year up to `--events`.
//!
//! Tokens are issued at the end, now, for the bureau officer, the inspector and the admin, and
//! written to `--tokens` as "user role node token" lines.

mod county;
mod stories;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, TimeDelta};
use clap::Parser;
use notoneless_domain::{
    CaseCommand, CaseEvent, EscalationLadder, FindingKind, NamedAbsence, OrgCommand, Organisation,
    RollCall, RollCallCommand, SchoolCalendar, SchoolRollCalls, StudentCase,
};
use notoneless_store::bulk::{ChainedEvent, Recorded, insert, new_stream};
use notoneless_store::commands::command_metadata;
use notoneless_store::db::Sql;
use notoneless_store::org::{new_token, token_sha256};
use notoneless_store::{Actor, Clock, CommandContext, Db, Rules, Store, SystemClock};
use serde_json::json;

use county::{County, Person, local};
use stories::{Story, Who};

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
}

/// A small deterministic generator (SplitMix64). Its state is an atomic so that it can be
/// drawn from through a shared reference (in the middle of a call on its owner).
pub struct Rng(AtomicU64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(AtomicU64::new(seed))
    }

    pub fn next(&self) -> u64 {
        let state = self
            .0
            .load(Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.0.store(state, Ordering::Relaxed);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// A number in `0.0..1.0`.
    fn unit(&self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A request id shaped as the command path makes them: the request's id, then this
    /// execution's.
    fn request_id(&self) -> String {
        let a = uuid::Builder::from_random_bytes(self.next_bytes()).into_uuid();
        let b = uuid::Builder::from_random_bytes(self.next_bytes()).into_uuid();
        format!("{a}/{}", b.simple())
    }

    fn next_bytes(&self) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next().to_le_bytes());
        bytes
    }
}

fn actor(person: &Person) -> Actor {
    Actor {
        id: person.id.clone(),
        role: person.role.as_str().to_string(),
        jurisdiction: person.node.clone(),
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

async fn run(cli: Cli) -> Result<()> {
    let started = Instant::now();
    if !cli.database_url.starts_with("postgres") {
        bail!("--database-url: nol-seed writes into PostgreSQL (postgres://…)");
    }
    let db = Db::connect(&cli.database_url)
        .await
        .context("cannot connect to the database")?;
    db.migrate().await.context("cannot migrate the database")?;
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
    let today = (SystemClock.now() + TimeDelta::hours(8)).date_naive();
    let year = cli.year.unwrap_or_else(|| county::last_school_year(today));
    let rng = Rng::new(cli.seed);
    let county = county::county(cli.children, year, &rng)?;
    let days = &county.days;
    let (first_day, last_day) = (days[0], days[days.len() - 1]);
    if last_day >= today {
        bail!("--year {year}: the school year must have ended before today ({today})");
    }
    eprintln!(
        "county: {} townships, {} schools, {} children; school year {first_day} to {last_day}, {} school days",
        county.townships.len(),
        county.schools.len(),
        county.children.len(),
        days.len()
    );

    // ---- plan every child's year ---------------------------------------------------------
    let generating = Instant::now();
    let org_rows = organisation(&county, &rng)?;
    let mut stories: Vec<Story> = (0..county.children.len())
        .map(|i| Story::new(i, cli.seed, days.len()))
        .collect();
    let planned: usize = stories.iter_mut().map(|s| s.plan(&county)).sum();
    let missing = missing_roll_calls(&county, &rng);
    let roll_call_count: usize = county
        .schools
        .iter()
        .enumerate()
        .map(|(s, school)| {
            let skipped = missing.iter().filter(|(m, _)| *m == s).count();
            school.grades.len() * (days.len() - skipped)
        })
        .sum();
    // The everyday absences (three events each) fill the year up to the target.
    let takers = stories.iter().filter(|s| s.takes_absences).count().max(1);
    let room = cli
        .events
        .saturating_sub(planned + roll_call_count + org_rows.len());
    let mean = room as f64 / (3.0 * takers as f64);
    for story in stories.iter_mut().filter(|s| s.takes_absences) {
        let want = mean * (0.25 + 1.5 * rng.unit());
        let count = want.floor() as usize + usize::from(rng.unit() < want.fract());
        story.everyday_absences(&county, count);
    }

    // ---- run every command through its aggregate, chain the events ---------------------
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = stories.len().div_ceil(threads).max(1);
    let results: Vec<Result<Decided>> = std::thread::scope(|scope| {
        let handles: Vec<_> = stories
            .chunks(chunk)
            .map(|part| scope.spawn(|| decide_cases(&county, part, cli.seed)))
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
    let mut named: HashMap<(usize, u8, NaiveDate), Vec<NamedAbsence>> = HashMap::new();
    for result in results {
        let decided = result?;
        case_rows.extend(decided.rows);
        for (key, list) in decided.named {
            named.entry(key).or_default().extend(list);
        }
    }
    let roll_rows = roll_calls(&county, &named, &missing, &rng)?;
    let mut planted: BTreeMap<FindingKind, usize> = BTreeMap::new();
    for story in &stories {
        for (kind, n) in &story.planted {
            *planted.entry(*kind).or_default() += n;
        }
    }
    *planted.entry(FindingKind::MissingAttestation).or_default() += missing.len();
    // An absence nobody recorded, on a day its school submitted no roll call either, is named
    // nowhere: no mismatch to find.
    let unnamed = stories
        .iter()
        .flat_map(|s| {
            let school = county.children[s.child].school;
            s.forgotten.iter().map(move |day| (school, *day))
        })
        .filter(|(school, day)| {
            days.binary_search(day)
                .is_ok_and(|i| missing.contains(&(*school, i)))
        })
        .count();
    if let Some(n) = planted.get_mut(&FindingKind::RollCallMismatch) {
        *n -= unnamed;
    }
    drop(stories);
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
        written += insert(&db, part).await?;
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
    );
    store.org.reload().await?;
    let admin = CommandContext {
        actor: actor(&county.admin),
        request_id: uuid::Uuid::new_v4().to_string(),
        idempotency_key: None,
    };
    let mut lines = String::new();
    for person in [&county.bureau, &county.inspector, &county.admin] {
        let (token_id, token) = new_token();
        store
            .org
            .execute(
                OrgCommand::IssueToken {
                    token_id,
                    user: person.id.clone(),
                    token_sha256: token_sha256(&token),
                    // For the benchmark's reads, from now on (the seed's clock may be in the
                    // past, and a token without an expiry works 90 days from its issue).
                    expires_at: Some(SystemClock.now() + chrono::TimeDelta::days(30)),
                },
                &admin,
            )
            .await
            .map_err(|e| anyhow::anyhow!("issuing a token to {}: {e}", person.id))?;
        lines.push_str(&format!(
            "{} {} {} {token}\n",
            person.id,
            person.role.as_str(),
            person.node
        ));
    }
    match &cli.tokens {
        Some(path) => std::fs::write(path, &lines)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => eprint!("tokens (user role node token):\n{lines}"),
    }

    let seconds = started.elapsed().as_secs_f64();
    let total = written + 3;
    eprintln!(
        "seeded {total} events ({} cases) in {seconds:.1} s: {:.0} events/s (writing alone {:.0} events/s; VACUUM ANALYZE {vacuum_seconds:.1} s)",
        county.children.len(),
        total as f64 / seconds,
        written as f64 / write_seconds
    );
    let planted_total: usize = planted.values().sum();
    println!(
        "{}",
        json!({
            "children": county.children.len(),
            "cases": county.children.len(),
            "townships": county.townships.len(),
            "schools": county.schools.len(),
            "school_days": days.len(),
            "from": first_day,
            "until": last_day,
            "events": total,
            "case_events": case_count,
            "roll_call_events": roll_count,
            "organisation_events": org_count + 3,
            "seconds": seconds,
            "per_second": total as f64 / seconds,
            "generate_seconds": generate_seconds,
            "write_seconds": write_seconds,
            "vacuum_seconds": vacuum_seconds,
            "planted_findings": planted_total,
            "planted": planted,
        })
    );
    Ok(())
}

/// The organisation's commands, decided by the aggregate, entered by the admin (the tree and
/// the users) and the bureau (the calendar).
fn organisation(county: &County, rng: &Rng) -> Result<Vec<ChainedEvent>> {
    let mut org = Organisation::default();
    let mut recorded = Vec::new();
    for (at, command) in &county.org {
        let by = match command {
            OrgCommand::AddTerm(_)
            | OrgCommand::DeclareHoliday(_)
            | OrgCommand::DeclareMakeUpDay(_) => &county.bureau,
            _ => &county.admin,
        };
        let event = org
            .decide(command.clone())
            .map_err(|e| anyhow::anyhow!("the organisation refused {command:?}: {e}"))?;
        cqrs_es::Aggregate::apply(&mut org, event.clone());
        recorded.push(Recorded::<Organisation> {
            event,
            metadata: command_metadata(&actor(by), &rng.request_id()),
            recorded_at: *at,
        });
    }
    Ok(new_stream(notoneless_domain::ORGANISATION_ID, recorded)?)
}

/// What the workers hand back: the chained events of their cases, and who was away (excused
/// or not) per school, grade and day, for the roll calls.
struct Decided {
    rows: Vec<ChainedEvent>,
    named: HashMap<(usize, u8, NaiveDate), Vec<NamedAbsence>>,
}

fn decide_cases(county: &County, stories: &[Story], seed: u64) -> Result<Decided> {
    let mut rows = Vec::new();
    let mut named: HashMap<(usize, u8, NaiveDate), Vec<NamedAbsence>> = HashMap::new();
    for story in stories {
        let child = &county.children[story.child];
        let school = &county.schools[child.school];
        let township = &county.townships[school.township];
        let grade = child.profile.grade;
        let ids =
            Rng::new(seed ^ 0x5EED ^ (story.child as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let mut order: Vec<usize> = (0..story.items.len()).collect();
        order.sort_by_key(|&i| story.items[i].at);
        let mut case = StudentCase::default();
        let mut recorded = Vec::with_capacity(order.len());
        let mut name = |on: NaiveDate, excused: bool| {
            named
                .entry((child.school, grade, on))
                .or_default()
                .push(NamedAbsence {
                    student_number: child.profile.student_number.clone(),
                    name: child.profile.name.clone(),
                    excused,
                });
        };
        for i in order {
            let item = &story.items[i];
            let today = county.calendar.local_date(item.at);
            let event = case
                .decide(CaseCommand::new(today, item.action.clone()))
                .map_err(|e| {
                    anyhow::anyhow!(
                        "case {} refused to {} ({:?} entered {}): {e}",
                        child.case_id,
                        item.action.describe(),
                        item.action,
                        item.at
                    )
                })?;
            match &event {
                CaseEvent::AbsenceRecorded(a) => name(a.on, false),
                CaseEvent::LeaveGranted(l) => {
                    for day in county.calendar.school_days(l.from, l.until) {
                        name(day, true);
                    }
                }
                _ => {}
            }
            cqrs_es::Aggregate::apply(&mut case, event.clone());
            let by = match item.who {
                Who::Teacher => &school.teachers[&grade],
                Who::Leader => &school.leader,
                Who::Principal => &school.principal,
                Who::Township => &township.officer,
                Who::Bureau => &county.bureau,
                Who::Inspector => &county.inspector,
            };
            recorded.push(Recorded::<StudentCase> {
                event,
                metadata: command_metadata(&actor(by), &ids.request_id()),
                recorded_at: item.at,
            });
        }
        for &day in &story.forgotten {
            name(day, false);
        }
        rows.extend(new_stream(&child.case_id, recorded)?);
    }
    Ok(Decided { rows, named })
}

/// A few school days on which a school submits no roll call at all: (school, day index).
fn missing_roll_calls(county: &County, rng: &Rng) -> HashSet<(usize, usize)> {
    let mut missing = HashSet::new();
    let want = (county.schools.len() / 5).max(3);
    while missing.len() < want {
        missing.insert((
            rng.below(county.schools.len()),
            rng.below(county.days.len()),
        ));
    }
    missing
}

/// Every school's roll calls: each grade, each school day (but the missing ones), naming the
/// children away, decided by the school's roll-call stream.
fn roll_calls(
    county: &County,
    named: &HashMap<(usize, u8, NaiveDate), Vec<NamedAbsence>>,
    missing: &HashSet<(usize, usize)>,
    rng: &Rng,
) -> Result<Vec<ChainedEvent>> {
    let mut watched: HashMap<(usize, u8), u32> = HashMap::new();
    for child in &county.children {
        *watched
            .entry((child.school, child.profile.grade))
            .or_default() += 1;
    }
    let mut rows = Vec::new();
    for (s, school) in county.schools.iter().enumerate() {
        let mut stream = SchoolRollCalls::default();
        let mut recorded = Vec::new();
        for (i, &day) in county.days.iter().enumerate() {
            if missing.contains(&(s, i)) {
                continue;
            }
            for &grade in &school.grades {
                let mut absent = named.get(&(s, grade, day)).cloned().unwrap_or_default();
                absent.sort_by(|a, b| a.student_number.cmp(&b.student_number));
                // The whole grade is on the roll; the children on watch are a part of it.
                let enrolled = watched.get(&(s, grade)).copied().unwrap_or(0) * 3 / 2 + 20;
                let roll_call = RollCall {
                    on: day,
                    class: format!("{grade}年级"),
                    enrolled,
                    present: enrolled - absent.len() as u32,
                    absent,
                };
                let at = local(day, 8 * 60 + 15 + 4 * u32::from(grade))
                    + TimeDelta::seconds(rng.below(200) as i64);
                let event = stream
                    .decide(RollCallCommand {
                        today: county.calendar.local_date(at),
                        roll_call,
                    })
                    .map_err(|e| anyhow::anyhow!("the roll call of {} on {day}: {e}", school.id))?;
                cqrs_es::Aggregate::apply(&mut stream, event.clone());
                recorded.push(Recorded::<SchoolRollCalls> {
                    event,
                    metadata: command_metadata(&actor(&school.teachers[&grade]), &rng.request_id()),
                    recorded_at: at,
                });
            }
        }
        rows.extend(new_stream(&school.id, recorded)?);
    }
    Ok(rows)
}
