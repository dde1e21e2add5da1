//! `nol-pages`: the server time of the console's pages on the demo county (`scripts/bench`,
//! docs/performance.md).
//!
//! Into an empty database (PostgreSQL in `scripts/bench`): the demo county of
//! `notoneless-demo`, as of today, plus one case of 200 events recorded through the API's
//! command path (an absence streak played over and over through the weeks: calls, visits,
//! reports, returns, and a correction in each round). Then the application with its console
//! on 127.0.0.1, port 0, in this process; the demo's head teacher and its bureau officer log in
//! through `/login`; and each page is fetched `--requests` times, the pages taking turns so
//! that the machine's noise falls on all of them alike:
//!
//! * `today`: `/` as the head teacher;
//! * `timeline`: `/cases/{id}/timeline` of the 200-event case, as the bureau officer;
//! * `dashboard`: `/dashboard`, as the bureau officer;
//! * `review`: `/review?from=<first day of term>&to=<yesterday>`, as the bureau officer;
//! * `timeline_api`, `dashboard_api`, `review_api`: the API's answers those pages are built
//!   on (`GET /api/v1/cases/{id}/timeline`, `/api/v1/dashboard`, `/api/v1/reviews`), as the
//!   bureau officer with the demo's token, to tell the reading from the rendering;
//! * `baseline`: the stylesheet (`/static/app-<version>.css`), the same server and connection doing (almost) nothing.
//!
//! A request's time runs from sending it to the last byte of the body read. Every answer must
//! be 200 and, for a page, carry its heading; anything else stops the run with an error.
//! Prints one JSON object: per page its summary (`nol-load`'s: requests, p50_ms, p99_ms; the
//! seconds and rate are of the whole interleaved run), the p50 of the time to the answer's
//! head (`head_p50_ms`) and the size of its answer in bytes; the
//! case's events, the demo's children and its day (`on`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, TimeDelta};
use clap::Parser;
use notoneless_api::application::{Application, Config};
use notoneless_api::security::SecurityConfig;
use notoneless_bench::{cycle, post, profile, summary, weekdays};
use notoneless_demo::UserToken;
use notoneless_domain::{EscalationLadder, SchoolCalendar, UserRole};
use notoneless_i18n::{Lang, Msg};
use notoneless_store::clock::mark_for_training;
use notoneless_store::log::events_after;
use notoneless_store::signing::LogKey;
use notoneless_store::{Actor, CommandContext, Rules, Store, SystemClock};
use reqwest::header::{ACCEPT_LANGUAGE, AUTHORIZATION, COOKIE, HeaderName, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

#[derive(Parser)]
#[command(
    name = "nol-pages",
    about = "Server time of the console's pages on the demo county, beside a baseline"
)]
struct Cli {
    /// An empty database: postgres://user@host/db (or sqlite://…).
    #[arg(long)]
    database_url: String,
    /// Timed requests per page (after a few untimed ones).
    #[arg(long, default_value_t = 100)]
    requests: usize,
    /// Events of the timeline's case, its opening included.
    #[arg(long, default_value_t = 200)]
    events: usize,
}

/// The password each benchmark user chooses at their first login.
const PASSWORD: &str = "Bench-pages-2026-choose-me";
/// Untimed requests per page before the timed ones.
const WARM_UP: usize = 3;

fn main() -> Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let out = runtime.block_on(run(cli))?;
    println!("{out}");
    Ok(())
}

/// One page to time: what it is called, its path, who reads it (the header that says so),
/// the heading it must carry.
struct Page {
    name: &'static str,
    path: String,
    who: Option<(HeaderName, String)>,
    heading: Option<String>,
}

async fn run(cli: Cli) -> Result<Value> {
    let ladder = EscalationLadder::default();
    let application = Application::build(Config {
        database_url: cli.database_url.clone(),
        rules: Rules {
            calendar: SchoolCalendar::every_weekday(),
            ladder: ladder.clone(),
        },
        clock: Arc::new(SystemClock),
        security: SecurityConfig::default(),
        listen: "127.0.0.1:0".parse()?,
        connect_attempts: 3,
        signing_key: LogKey::generate(),
    })
    .await?
    .with_console(notoneless_web::console());
    let store = application.store().clone();
    let today = store.rules.get().calendar.local_date(store.clock.now());
    eprintln!("building the demo county …");
    // As `notoneless demo` does: its facts are recorded at the times they were entered.
    mark_for_training(&store.db, store.clock.now(), "demo").await?;
    let county =
        notoneless_demo::build(store.db.clone(), ladder, today, store.signer.key().clone())
            .await
            .context("cannot build the demo county")?;
    store.org.reload().await?;
    let teacher = user(&county.users, UserRole::HeadTeacher, None)?;
    let principal = user(&county.users, UserRole::Principal, Some(&teacher.node))?;
    let bureau = user(&county.users, UserRole::BureauOfficer, None)?;
    let passwords = one_time_passwords(&store, [teacher, bureau]).await?;

    let running = application.spawn()?;
    let base = format!("http://{}", running.address);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;

    eprintln!("recording a case of {} events …", cli.events);
    let yesterday = today - TimeDelta::days(1);
    let case = long_case(
        &client,
        &base,
        principal,
        today - TimeDelta::days(200),
        yesterday,
        cli.events,
    )
    .await?;
    caught_up(&store).await?;

    let teacher_cookie = log_in(&client, &base, &teacher.id, &passwords[0]).await?;
    let bureau_cookie = log_in(&client, &base, &bureau.id, &passwords[1]).await?;
    let bearer = format!("Bearer {}", bureau.token);
    let heading = |msg: Msg| Some(format!("<h1>{}</h1>", msg.text(Lang::Zh)));
    let pages = [
        Page {
            name: "baseline",
            path: notoneless_web::STYLESHEET.into(),
            who: None,
            heading: None,
        },
        Page {
            name: "today",
            path: "/".into(),
            who: Some((COOKIE, teacher_cookie)),
            heading: heading(Msg::ConsoleTodayTitle),
        },
        Page {
            name: "timeline",
            path: format!("/cases/{case}/timeline"),
            who: Some((COOKIE, bureau_cookie.clone())),
            heading: heading(Msg::ConsoleTimelineTitle),
        },
        Page {
            name: "dashboard",
            path: "/dashboard".into(),
            who: Some((COOKIE, bureau_cookie.clone())),
            heading: heading(Msg::ConsoleDashboardTitle),
        },
        Page {
            name: "review",
            path: format!("/review?from={}&to={yesterday}", county.first_day),
            who: Some((COOKIE, bureau_cookie)),
            heading: heading(Msg::ConsoleReviewTitle),
        },
        // The API answers each page is built on, to tell the reading from the rendering.
        Page {
            name: "timeline_api",
            path: format!("/api/v1/cases/{case}/timeline"),
            who: Some((AUTHORIZATION, bearer.clone())),
            heading: None,
        },
        Page {
            name: "dashboard_api",
            path: "/api/v1/dashboard".into(),
            who: Some((AUTHORIZATION, bearer.clone())),
            heading: None,
        },
        Page {
            name: "review_api",
            path: format!(
                "/api/v1/reviews?from={}&until={yesterday}",
                county.first_day
            ),
            who: Some((AUTHORIZATION, bearer)),
            heading: None,
        },
    ];

    eprintln!("timing {} requests of each page …", cli.requests);
    let started = Instant::now();
    let mut latencies: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut heads: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut bytes: BTreeMap<&str, usize> = BTreeMap::new();
    for round in 0..WARM_UP + cli.requests {
        for page in &pages {
            let (ms, head, size) = fetch(&client, &base, page).await?;
            if round >= WARM_UP {
                latencies.entry(page.name).or_default().push(ms);
                heads.entry(page.name).or_default().push(head);
                bytes.insert(page.name, size);
            }
        }
    }
    let elapsed = started.elapsed();
    let mut out = serde_json::Map::new();
    for (name, times) in latencies {
        let mut row = summary(times, 0, elapsed);
        row["bytes"] = json!(bytes.get(name).copied().unwrap_or_default());
        // When the head came: a page is rendered whole before it; a streamed API answer
        // (StreamedJson) sends its head first and is serialised after.
        let head = summary(heads.remove(name).unwrap_or_default(), 0, elapsed);
        row["head_p50_ms"] = head["p50_ms"].clone();
        out.insert(name.into(), row);
    }
    out.insert("events".into(), json!(cli.events));
    out.insert("children".into(), json!(county.children));
    out.insert("on".into(), json!(today));
    drop(running);
    Ok(Value::Object(out))
}

/// The first demo user in `role` (at `node`, if given).
fn user<'a>(users: &'a [UserToken], role: UserRole, node: Option<&str>) -> Result<&'a UserToken> {
    users
        .iter()
        .find(|u| u.role == role && node.is_none_or(|n| u.node == n))
        .with_context(|| format!("the demo county has no {} user", role.as_str()))
}

/// A one-time password for each user (as the demo gives them), to log in to the console with.
async fn one_time_passwords<const N: usize>(
    store: &Store,
    users: [&UserToken; N],
) -> Result<Vec<String>> {
    let by = CommandContext {
        actor: Actor {
            id: "cli:nol-pages".into(),
            role: "admin".into(),
            jurisdiction: "command line".into(),
        },
        request_id: uuid::Uuid::new_v4().to_string(),
        idempotency_key: None,
    };
    let mut passwords = Vec::with_capacity(N);
    for user in users {
        let given = store
            .reset_password(&user.id, &by)
            .await
            .map_err(|e| anyhow::anyhow!("cannot give {} a one-time password: {e}", user.id))?;
        passwords.push(given.password.expose().to_string());
    }
    Ok(passwords)
}

/// Opens a case at the principal's school on `on` and records the plan's 123 over and over
/// (each round four school days later, one correction per round) through the API until it
/// holds `events` events; its id.
async fn long_case(
    client: &reqwest::Client,
    base: &str,
    principal: &UserToken,
    on: NaiveDate,
    until: NaiveDate,
    events: usize,
) -> Result<String> {
    let token = &principal.token;
    let (status, body) = post(
        client,
        &format!("{base}/api/v1/cases"),
        token,
        &profile(&principal.node, 999_999_998, on),
    )
    .await?;
    if status != 201 {
        bail!("opening the long case answered {status}: {body}");
    }
    let case = body["case_id"]
        .as_str()
        .context("the opened case has no case_id")?
        .to_string();
    let days = weekdays(on + TimeDelta::days(1), until);
    let mut recorded = 1;
    let mut episode = 0;
    while recorded < events {
        let start = episode * 5;
        if start + 4 > days.len() {
            bail!("{events} events do not fit between {on} and {until}");
        }
        let mut commands = cycle(&days[start..start + 4], 0, episode);
        // The parent contact's record is corrected the day after: the reason was noted wrong.
        commands.push((
            "corrections",
            json!({"on": days[start + 1], "target": Value::Null,
                   "what_was_wrong": "家长电话记录中的原因记错，已更正", "retract": false}),
        ));
        let mut contact = None;
        for (segment, mut body) in commands {
            if recorded >= events {
                break;
            }
            if segment == "corrections" {
                body["target"] = json!(contact.context("no parent contact to correct")?);
            }
            let (status, answer) = post(
                client,
                &format!("{base}/api/v1/cases/{case}/{segment}"),
                token,
                &body,
            )
            .await?;
            if status != 200 {
                bail!("recording the long case: {segment} answered {status}: {answer}");
            }
            if segment == "parent-contacts" {
                contact = answer["sequence"].as_u64();
            }
            recorded += 1;
        }
        episode += 1;
    }
    Ok(case)
}

/// Waits until the projector has applied every event (the pages read its read models).
async fn caught_up(store: &Store) -> Result<()> {
    let started = Instant::now();
    loop {
        let checkpoint = store.projector.checkpoint().await?;
        if events_after(&store.db, checkpoint, 1).await?.is_empty() {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(300) {
            bail!("the projector did not catch up in 300 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Logs in through the console's form with a one-time password, choosing a new one, and
/// returns the session cookie ("name=value").
async fn log_in(
    client: &reqwest::Client,
    base: &str,
    user: &str,
    one_time: &str,
) -> Result<String> {
    let response = client
        .post(format!("{base}/login"))
        .form(&[
            ("user", user),
            ("password", one_time),
            ("new_password", PASSWORD),
        ])
        .send()
        .await?;
    let status = response.status();
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    let to = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    match cookie {
        Some(cookie) if status.is_redirection() && to == "/" => Ok(cookie),
        _ => bail!(
            "logging in as {user} answered {status} (to {to:?}): {}",
            response.text().await.unwrap_or_default()
        ),
    }
}

/// One GET of a page: the milliseconds from sending to the body's last byte and to the
/// answer's head (status and headers), and the body's size.
async fn fetch(client: &reqwest::Client, base: &str, page: &Page) -> Result<(f64, f64, usize)> {
    let mut request = client
        .get(format!("{base}{}", page.path))
        .header(ACCEPT_LANGUAGE, "zh-CN");
    if let Some((name, value)) = &page.who {
        request = request.header(name, value);
    }
    let t = Instant::now();
    let response = request.send().await?;
    let head = t.elapsed().as_secs_f64() * 1000.0;
    let status = response.status();
    let body = response.bytes().await?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    if status != reqwest::StatusCode::OK {
        bail!("{} ({}) answered {status}", page.name, page.path);
    }
    if let Some(heading) = &page.heading
        && !String::from_utf8_lossy(&body).contains(heading.as_str())
    {
        bail!(
            "{} ({}) answered 200 without its heading {heading}",
            page.name,
            page.path
        );
    }
    Ok((ms, head, body.len()))
}
