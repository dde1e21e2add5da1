//! The operator's commands over the event store.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use notoneless_domain::{ReviewScope, ReviewSettings};
use notoneless_store::access::ReadKind;
use notoneless_store::chain::LogDigest;
use notoneless_store::exports::{
    FINDING_CASE_COLUMN, LEDGER_CASE_COLUMN, LedgerRequest, cases_shown, findings_table,
};
use notoneless_store::table::{Format, Lang};
use notoneless_store::{Clock, Db, Store, SystemClock};

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

/// How often a command tries the database (2 s apart) before it gives up.
pub const CONNECT_ATTEMPTS: u32 = 5;

/// Connects (retrying for a while if the database is down) and migrates.
pub async fn connect(args: &StoreArgs) -> Result<Db> {
    let db = Db::connect_with_retry(
        &args.database_url(),
        CONNECT_ATTEMPTS,
        Duration::from_secs(2),
    )
    .await
    .context("cannot connect to the database")?;
    db.migrate().await.context("cannot migrate the database")?;
    Ok(db)
}

pub async fn open(args: &StoreArgs) -> Result<Store> {
    open_on(args, Arc::new(SystemClock)).await
}

/// [`open`], on this clock.
pub async fn open_on(args: &StoreArgs, clock: Arc<dyn Clock>) -> Result<Store> {
    let rules = args.rules()?;
    Ok(Store::new(connect(args).await?, rules, clock))
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
    // The calendar in force is the organisation's, as for the rebuild it checks.
    let store = open_with_org(&args).await?;
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

/// Opens the store and reads the organisation (the tree, the users, the calendar in force).
pub async fn open_with_org(args: &StoreArgs) -> Result<Store> {
    let store = open(args).await?;
    store
        .org
        .reload()
        .await
        .context("cannot read the organisation")?;
    Ok(store)
}

/// Writes an export to the file, or to standard output when there is none.
fn write_out(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .context("cannot write to standard output")?;
            stdout.flush().context("cannot write to standard output")
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReviewFormat {
    /// The whole review: findings and counts per school.
    Json,
    /// The findings as a table: UTF-8 with a byte-order mark, CRLF line ends.
    Csv,
    /// The findings as an Excel workbook (needs --output).
    Xlsx,
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
    #[arg(long, value_enum, default_value = "json")]
    pub format: ReviewFormat,
    /// The language of the table's headers and labels: zh (the default) or en.
    #[arg(long, default_value = "zh")]
    pub lang: Lang,
    /// The file to write; without it, standard output (not for xlsx).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// A fact recorded more than this many days after its day is a late entry (0 to 365).
    #[arg(long, allow_negative_numbers = true, default_value_t = ReviewSettings::default().late_entry_days)]
    pub late_entry_days: i64,
    /// A transfer not confirmed within this many days is a finding (0 to 365).
    #[arg(long, allow_negative_numbers = true, default_value_t = ReviewSettings::default().transfer_confirmation_days)]
    pub transfer_confirmation_days: i64,
    /// A report with no follow-up within this many days, the child still away, is a finding
    /// (0 to 365).
    #[arg(long, allow_negative_numbers = true, default_value_t = ReviewSettings::default().follow_up_days)]
    pub follow_up_days: i64,
}

impl ReviewArgs {
    /// The review asked for, checked; a fault is named by its flag.
    fn scope(&self) -> Result<ReviewScope> {
        let settings = ReviewSettings {
            late_entry_days: self.late_entry_days,
            transfer_confirmation_days: self.transfer_confirmation_days,
            follow_up_days: self.follow_up_days,
        };
        let scope = ReviewScope::new(self.from, self.until, settings).map_err(|e| {
            let message = e.to_string();
            let reason = message
                .strip_prefix(&format!("{}: ", e.field()))
                .unwrap_or(&message);
            anyhow::anyhow!("{}: {}", flag(e.field()), flags_in(reason))
        })?;
        Ok(scope.as_known_at(self.known_at.map(|t| t.with_timezone(&chrono::Utc))))
    }
}

/// The flag of a parameter: `late_entry_days` is `--late-entry-days`.
fn flag(field: &str) -> String {
    format!("--{}", field.replace('_', "-"))
}

/// A reason with the parameters it names in backquotes (`` `from` ``) named by their flags.
fn flags_in(reason: &str) -> String {
    reason
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                flag(part)
            } else {
                part.to_string()
            }
        })
        .collect()
}

/// `notoneless review`: the review of a period, as JSON, or its findings as CSV or XLSX.
pub async fn review(args: ReviewArgs) -> Result<ExitCode> {
    if args.format == ReviewFormat::Xlsx && args.output.is_none() {
        bail!("--output: an xlsx workbook is written to a file; give --output FILE");
    }
    let scope = args.scope()?;
    let store = open_with_org(&args.store).await?;
    let (review, profiles) =
        notoneless_store::review::run_review_with_profiles(&store, &scope).await?;
    let bytes = match args.format {
        ReviewFormat::Json => {
            let mut json = serde_json::to_vec_pretty(&review)?;
            json.push(b'\n');
            json
        }
        ReviewFormat::Csv | ReviewFormat::Xlsx => {
            let format = if args.format == ReviewFormat::Csv {
                Format::Csv
            } else {
                Format::Xlsx
            };
            let filed = findings_table(&review, &profiles, &store.org.current().org, None);
            let cases = cases_shown(&filed.table, FINDING_CASE_COLUMN);
            log_reads(&store, ReadKind::ReviewExport, &cases).await?;
            filed.table.render(format, args.lang)?
        }
    };
    write_out(args.output.as_deref(), &bytes)?;
    if let Some(path) = &args.output {
        println!(
            "{} finding(s) written to {}",
            review.findings.len(),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// csv (the default; UTF-8 with a byte-order mark, CRLF line ends) or xlsx.
    #[arg(long, default_value = "csv")]
    pub format: Format,
    /// The language of the headers and labels: zh (the default) or en.
    #[arg(long, default_value = "zh")]
    pub lang: Lang,
    /// The ledger as it stood at the end of this local day (YYYY-MM-DD); without it, now.
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Show the children's ID numbers whole (they are masked, 2113**********1234, without it).
    #[arg(long)]
    pub full_ids: bool,
    /// The file to write; without it, the ledger's own name (county, scope, day:
    /// `喀左县-台账-全县-2023-11-30.xlsx`) in the current directory.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// `notoneless export`: the ledger (台账) of every case, one row per case, now or as of a day.
pub async fn export(args: ExportArgs) -> Result<ExitCode> {
    let store = open_with_org(&args.store).await?;
    let filed = notoneless_store::exports::ledger(
        &store,
        LedgerRequest {
            as_of: args.as_of,
            full_ids: args.full_ids,
            ..LedgerRequest::default()
        },
    )
    .await?;
    let cases = cases_shown(&filed.table, LEDGER_CASE_COLUMN);
    log_reads(&store, ReadKind::LedgerExport, &cases).await?;
    let output = args.output.unwrap_or_else(|| {
        // The name is built from the tree's names: keep it one file name in this directory.
        let name: String = filed
            .file_name
            .text(args.lang)
            .chars()
            .map(|c| {
                if c.is_control() || c == '/' || c == '\\' {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        PathBuf::from(format!("{name}.{}", args.format.extension()))
    });
    write_out(Some(&output), &filed.table.render(args.format, args.lang)?)?;
    println!(
        "ledger of {} case(s) written to {}",
        filed.table.rows.len(),
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Records in the access log that the operator at this machine read these cases (a file the
/// command writes names them), before the file is written.
async fn log_reads(store: &Store, kind: ReadKind, cases: &[String]) -> Result<()> {
    let context = crate::serve_cmd::cli_context();
    store
        .access
        .record(
            &context.actor,
            &context.request_id,
            kind,
            Some("command line"),
            cases,
        )
        .await
        .context("the access log could not be written, so nothing was written")?;
    Ok(())
}
