//! The operator's commands over the event store.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use notoneless_store::chain::LogDigest;
use notoneless_store::{Db, Store, SystemClock};

use crate::config::StoreArgs;

#[derive(clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// A digest printed by an earlier `verify` (v1:<count>:<hash>): also prove that the events
    /// it covered are all still there, unchanged, whatever was appended since.
    #[arg(long)]
    pub since_digest: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn block_on<F: std::future::Future<Output = Result<ExitCode>>>(future: F) -> Result<ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(future)
}

/// Connects (retrying for a while if the database is down) and migrates.
pub async fn connect(args: &StoreArgs) -> Result<Db> {
    let db = Db::connect_with_retry(&args.database_url(), 5, Duration::from_secs(2))
        .await
        .context("cannot connect to the database")?;
    db.migrate().await.context("cannot migrate the database")?;
    Ok(db)
}

async fn open(args: &StoreArgs) -> Result<Store> {
    let rules = args.rules()?;
    Ok(Store::new(
        connect(args).await?,
        rules,
        Arc::new(SystemClock),
    ))
}

pub async fn migrate(args: StoreArgs) -> Result<ExitCode> {
    connect(&args).await?;
    println!("migrations applied");
    Ok(ExitCode::SUCCESS)
}

pub async fn verify(args: VerifyArgs) -> Result<ExitCode> {
    let since: Option<LogDigest> = args
        .since_digest
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: String| anyhow::anyhow!("--since-digest: {e}"))?;
    let db = connect(&args.store).await?;
    let report = notoneless_store::verify::verify(&db, since.as_ref()).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{} events in {} cases", report.events, report.cases);
        for broken in &report.broken {
            println!(
                "BROKEN case {} ({}) at sequence {}: {:?}",
                broken.case_id, broken.aggregate_type, broken.sequence, broken.problem
            );
        }
        if let Some(since) = &report.since {
            if since.holds {
                println!("the earlier digest {} holds", since.expected);
            } else {
                println!(
                    "the earlier digest {} does NOT hold (the same events now give {})",
                    since.expected,
                    since
                        .found
                        .as_deref()
                        .unwrap_or("nothing: the log is shorter")
                );
            }
        }
        println!("digest: {}", report.digest);
        println!(
            "{}",
            if report.is_clean() {
                "verified: clean"
            } else {
                "verified: TAMPERED"
            }
        );
    }
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub async fn reproject(args: StoreArgs) -> Result<ExitCode> {
    let store = open(&args).await?;
    let started = std::time::Instant::now();
    let events = store.projector.reproject().await?;
    println!(
        "rebuilt the read models from {events} events in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn check_projections(args: StoreArgs) -> Result<ExitCode> {
    let store = open(&args).await?;
    let mismatches = store.projector.check().await?;
    for mismatch in &mismatches {
        println!("case {}: {}", mismatch.case_id, mismatch.problem);
    }
    if mismatches.is_empty() {
        println!("every read-model row equals a fresh fold of the log");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} row(s) differ", mismatches.len());
        Ok(ExitCode::FAILURE)
    }
}

#[derive(clap::Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The first day of the period (YYYY-MM-DD).
    #[arg(long)]
    pub from: chrono::NaiveDate,
    /// The last day of the period (YYYY-MM-DD).
    #[arg(long)]
    pub until: chrono::NaiveDate,
    /// Review as the system knew it at this instant (RFC 3339).
    #[arg(long)]
    pub known_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// json or csv (Chinese headers, UTF-8 with a byte-order mark for spreadsheet programs).
    #[arg(long, default_value = "json")]
    pub format: String,
}

pub async fn review(args: ReviewArgs) -> Result<ExitCode> {
    if !["json", "csv"].contains(&args.format.as_str()) {
        anyhow::bail!(
            "--format: {:?} is not json or csv (xlsx is not built yet)",
            args.format
        );
    }
    let store = open(&args.store).await?;
    store.org.reload().await?;
    let known_at = args.known_at.map(|t| t.with_timezone(&chrono::Utc));
    let review = notoneless_store::review::run_review(
        &store,
        args.from,
        args.until,
        known_at,
        None,
        &notoneless_domain::ReviewSettings::default(),
    )
    .await?;
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&review)?);
    } else {
        print!("\u{feff}类型,学校,案件,日期,说明,证据（事件序号）,责任角色\r\n");
        for f in &review.findings {
            let kind = serde_json::to_value(f.kind)?;
            let evidence: Vec<String> = f.evidence.iter().map(u64::to_string).collect();
            let roles: Vec<&str> = f.responsible.iter().map(|r| r.as_str()).collect();
            let fields = [
                kind.as_str().unwrap_or_default().to_string(),
                f.school.clone(),
                f.case_id.clone(),
                f.day.to_string(),
                f.detail.clone(),
                evidence.join(" "),
                roles.join(" "),
            ];
            print!("{}", notoneless_store::exports::csv_line(&fields));
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// csv (xlsx is not built yet).
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// The file to write.
    #[arg(long)]
    pub output: std::path::PathBuf,
}

/// `notoneless export`: the ledger (台账) of every case, one line per case.
pub async fn export(args: ExportArgs) -> Result<ExitCode> {
    if args.format != "csv" {
        anyhow::bail!(
            "--format: {:?} is not csv (xlsx is not built yet)",
            args.format
        );
    }
    let store = open(&args.store).await?;
    store.org.reload().await?;
    let csv = notoneless_store::exports::ledger(&store, None)
        .await?
        .to_csv(notoneless_store::table::Lang::Zh);
    std::fs::write(&args.output, csv)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    println!("ledger written to {}", args.output.display());
    Ok(ExitCode::SUCCESS)
}
