//! `nol-load`: the HTTP load generator of `scripts/bench`. It drives a running `notoneless
//! serve` through its public API only, as many concurrent clients, and prints what it measured
//! as one JSON object per run.
//!
//! * `open`: opens N cases, spread over the schools of the tokens given, and writes their ids.
//! * `mix`: C clients send a realistic mix of commands (absences, parent contacts, home
//!   visits, reports, returns: the plan's 123 played through case after case) for S seconds;
//!   each client owns its share of the cases, so two clients never write the same case.
//! * `replay`: builds one case of 200 events, then times its full history and its as-of
//!   replay.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use notoneless_bench::{cycle, post, profile, summary, weekdays};
use serde_json::{Value, json};

#[derive(Parser)]
#[command(name = "nol-load", about = "HTTP load generator for Not One Less")]
struct Cli {
    /// The server, e.g. http://127.0.0.1:8080
    #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
    base: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Open cases: --tokens is a file of "school token" lines (principals).
    Open {
        #[arg(long)]
        tokens: PathBuf,
        #[arg(long)]
        cases: usize,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// The day the cases open (a school day, before the mix's days).
        #[arg(long)]
        on: NaiveDate,
        /// Where to write "school case_id" lines.
        #[arg(long)]
        out: PathBuf,
    },
    /// Run the command mix.
    Mix {
        #[arg(long)]
        tokens: PathBuf,
        /// The "school case_id" lines `open` wrote.
        #[arg(long)]
        cases: PathBuf,
        #[arg(long)]
        clients: usize,
        #[arg(long)]
        seconds: u64,
        /// The first day the mix's facts may be dated (after the cases opened).
        #[arg(long)]
        from: NaiveDate,
        /// The last day they may be dated (today, or before).
        #[arg(long)]
        until: NaiveDate,
        /// Which round of the mix this is: reports carry it, so that runs do not collide.
        #[arg(long, default_value_t = 0)]
        round: usize,
    },
    /// Build a 200-event case, then time its history and as-of replay.
    Replay {
        #[arg(long)]
        tokens: PathBuf,
        #[arg(long)]
        on: NaiveDate,
        #[arg(long)]
        until: NaiveDate,
        #[arg(long, default_value_t = 500)]
        requests: usize,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()?;
        let out = match cli.command {
            Command::Open {
                tokens,
                cases,
                clients,
                on,
                out,
            } => {
                open(
                    &client,
                    &cli.base,
                    &read_tokens(&tokens)?,
                    cases,
                    clients,
                    on,
                    &out,
                )
                .await?
            }
            Command::Mix {
                tokens,
                cases,
                clients,
                seconds,
                from,
                until,
                round,
            } => {
                let tokens = read_tokens(&tokens)?;
                let cases = read_cases(&cases)?;
                mix(
                    &client, &cli.base, &tokens, cases, clients, seconds, from, until, round,
                )
                .await?
            }
            Command::Replay {
                tokens,
                on,
                until,
                requests,
            } => {
                replay(
                    &client,
                    &cli.base,
                    &read_tokens(&tokens)?,
                    on,
                    until,
                    requests,
                )
                .await?
            }
        };
        println!("{out}");
        Ok(())
    })
}

fn read_tokens(path: &PathBuf) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let tokens: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect();
    if tokens.is_empty() {
        bail!("{}: no \"school token\" lines", path.display());
    }
    Ok(tokens)
}

fn read_cases(path: &PathBuf) -> Result<Vec<(String, String)>> {
    read_tokens(path)
}

async fn open(
    client: &reqwest::Client,
    base: &str,
    tokens: &[(String, String)],
    cases: usize,
    clients: usize,
    on: NaiveDate,
    out: &PathBuf,
) -> Result<Value> {
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients.max(1) {
        let (client, base, tokens, next) = (
            client.clone(),
            base.to_string(),
            tokens.to_vec(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut opened = Vec::new();
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= cases {
                    break;
                }
                let (school, token) = &tokens[n % tokens.len()];
                let t = Instant::now();
                let (status, body) = post(
                    &client,
                    &format!("{base}/api/v1/cases"),
                    token,
                    &profile(school, n, on),
                )
                .await?;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                if status != 201 {
                    bail!("opening case {n} answered {status}: {body}");
                }
                opened.push((
                    school.clone(),
                    body["case_id"].as_str().unwrap_or_default().to_string(),
                ));
            }
            Ok::<_, anyhow::Error>((opened, latencies))
        }));
    }
    let mut lines = String::new();
    let mut all = Vec::new();
    for task in tasks {
        let (opened, latencies) = task.await??;
        for (school, id) in opened {
            lines.push_str(&format!("{school} {id}\n"));
        }
        all.extend(latencies);
    }
    std::fs::write(out, lines)?;
    Ok(summary(all, 0, started.elapsed()))
}

#[allow(clippy::too_many_arguments)]
async fn mix(
    client: &reqwest::Client,
    base: &str,
    tokens: &[(String, String)],
    cases: Vec<(String, String)>,
    clients: usize,
    seconds: u64,
    from: NaiveDate,
    until: NaiveDate,
    round: usize,
) -> Result<Value> {
    let days = weekdays(from, until);
    if days.len() < 4 {
        bail!("--from {from} to --until {until}: fewer than four weekdays");
    }
    let clients = clients.max(1);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let mine: VecDeque<(String, String, usize, usize)> = cases
            .iter()
            .enumerate()
            .filter(|(i, _)| i % clients == c)
            .map(|(_, (school, id))| (school.clone(), id.clone(), 0usize, 0usize))
            .collect();
        let token_of: std::collections::HashMap<String, String> = tokens.iter().cloned().collect();
        let (client, base, days) = (client.clone(), base.to_string(), days.clone());
        tasks.push(tokio::spawn(async move {
            let mut queue = mine;
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            while Instant::now() < deadline {
                // (school, case, episode, step): each case plays its cycles in order.
                let Some((school, case, episode, step)) = queue.pop_front() else {
                    break;
                };
                // Each round starts its cycles on other days, so that a later run does not
                // record an absence a case already has.
                let start = ((round * 7 + episode) * 5) % days.len().saturating_sub(4).max(1);
                let commands = cycle(&days[start..start + 4], round, episode);
                let (segment, body) = &commands[step];
                let token = token_of.get(&school).cloned().unwrap_or_default();
                let t = Instant::now();
                let url = format!("{base}/api/v1/cases/{case}/{segment}");
                match post(&client, &url, &token, body).await {
                    Ok((200, _)) => latencies.push(t.elapsed().as_secs_f64() * 1000.0),
                    Ok((status, answer)) => {
                        errors += 1;
                        if errors <= 3 {
                            eprintln!("{segment} on {case}: {status} {answer}");
                        }
                    }
                    Err(e) => {
                        errors += 1;
                        if errors <= 3 {
                            eprintln!("{segment} on {case}: {e}");
                        }
                    }
                }
                let (episode, step) = if step + 1 == commands.len() {
                    (episode + 1, 0)
                } else {
                    (episode, step + 1)
                };
                queue.push_back((school, case, episode, step));
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, e) = task.await?;
        all.extend(latencies);
        errors += e;
    }
    Ok(summary(all, errors, started.elapsed()))
}

async fn replay(
    client: &reqwest::Client,
    base: &str,
    tokens: &[(String, String)],
    on: NaiveDate,
    until: NaiveDate,
    requests: usize,
) -> Result<Value> {
    let (school, token) = &tokens[0];
    let (status, body) = post(
        client,
        &format!("{base}/api/v1/cases"),
        token,
        &profile(school, 999_999_999, on),
    )
    .await?;
    if status != 201 {
        bail!("opening the replay case answered {status}: {body}");
    }
    let case = body["case_id"].as_str().unwrap_or_default().to_string();
    // 1 opening + 22 cycles of 9 commands + 1 = 200 events.
    let days = weekdays(on, until);
    let mut events = 1;
    let mut episode = 0;
    'fill: while events < 200 {
        let start = (episode * 5) % days.len().saturating_sub(4).max(1);
        for (segment, body) in cycle(&days[start..start + 4], 9, episode) {
            if events >= 200 {
                break 'fill;
            }
            let (status, answer) = post(
                client,
                &format!("{base}/api/v1/cases/{case}/{segment}"),
                token,
                &body,
            )
            .await?;
            if status != 200 {
                bail!("building the replay case: {segment} answered {status}: {answer}");
            }
            events += 1;
        }
        episode += 1;
    }
    let mid = days[days.len() / 2];
    let mut results = serde_json::Map::new();
    for (name, path) in [
        ("history", format!("{base}/api/v1/cases/{case}/history")),
        (
            "as_of",
            format!("{base}/api/v1/cases/{case}/as-of?day={mid}"),
        ),
    ] {
        let started = Instant::now();
        let mut latencies = Vec::new();
        for _ in 0..requests {
            let t = Instant::now();
            let response = client.get(&path).bearer_auth(token).send().await?;
            let status = response.status();
            let _ = response.bytes().await?;
            if !status.is_success() {
                bail!("{name} answered {status}");
            }
            latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        results.insert(name.into(), summary(latencies, 0, started.elapsed()));
    }
    results.insert("events".into(), json!(events));
    Ok(Value::Object(results))
}
