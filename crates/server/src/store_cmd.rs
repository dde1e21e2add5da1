//! The operator's commands over the event store.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use notoneless_domain::{ReviewScope, ReviewSettings};
use notoneless_i18n::{Message, Msg};
use notoneless_store::access::ReadKind;
use notoneless_store::chain::LogDigest;
use notoneless_store::checkpoints::{
    CheckpointCheck, Difference, SignedCheckpoint, check_checkpoint,
};
use notoneless_store::exports::{
    FINDING_CASE_COLUMN, LEDGER_CASE_COLUMN, LedgerRequest, cases_shown, findings_table,
};
use notoneless_store::table::{Format, Lang};
use notoneless_store::verify::Suspect;
use notoneless_store::{Clock, Db, Store, StoreError, SystemClock};

use crate::config::StoreArgs;
use crate::import_cmd::line;

#[derive(clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// A digest printed by an earlier `verify` (v1:<count>:<hash>): also prove that the events
    /// it covered are all still there, unchanged, whatever was appended since.
    #[arg(long)]
    pub since_digest: Option<String>,
    /// A checkpoint file (`notoneless log checkpoint --output`, or one written out with
    /// `log export-checkpoint`): also prove that the log extends it, and name every case whose
    /// head in it the log no longer holds.
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs a command on a runtime of its own; a runtime that cannot start is said in `lang`.
pub fn block_on<F: std::future::Future<Output = Result<ExitCode>>>(
    future: F,
    lang: Lang,
) -> Result<ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .with_context(|| Msg::CliCannotStartRuntime.text(lang))?
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
    .with_context(|| Msg::CliCannotConnect.text(args.lang))?;
    db.migrate()
        .await
        .with_context(|| Msg::CliCannotMigrate.text(args.lang))?;
    Ok(db)
}

/// Connects to a database that exists already (migrating it if it is behind), for the
/// commands that only read: a data directory or URL that holds no database is an error, not
/// an empty log created on the spot and then found "clean".
pub async fn connect_existing(args: &StoreArgs) -> Result<Db> {
    let db = Db::connect_existing_with_retry(
        &args.database_url(),
        CONNECT_ATTEMPTS,
        Duration::from_secs(2),
    )
    .await
    .map_err(|error| match error {
        // The one failure a person is expected to meet here: said in their language.
        StoreError::NoDatabase(why) => anyhow::anyhow!(
            Message::new(Msg::CliNoDatabase)
                .with("reason", why.message().text(args.lang))
                .text(args.lang)
        ),
        other => anyhow::Error::new(other).context(Msg::CliCannotOpen.text(args.lang)),
    })?;
    db.migrate()
        .await
        .with_context(|| Msg::CliCannotMigrate.text(args.lang))?;
    Ok(db)
}

/// [`open_with_org`] over a database that exists already ([`connect_existing`]).
pub async fn open_existing_with_org(args: &StoreArgs) -> Result<Store> {
    let rules = args.rules()?;
    let store = Store::new(
        connect_existing(args).await?,
        rules,
        Arc::new(SystemClock),
        args.reading_key()?,
    );
    store
        .org
        .reload()
        .await
        .with_context(|| Msg::CliCannotReadOrg.text(args.lang))?;
    args.take_calendar(&store, false).await?;
    Ok(store)
}

pub async fn open(args: &StoreArgs) -> Result<Store> {
    open_on(args, Arc::new(SystemClock)).await
}

/// [`open`], on this clock.
pub async fn open_on(args: &StoreArgs, clock: Arc<dyn Clock>) -> Result<Store> {
    let rules = args.rules()?;
    Ok(Store::new(
        connect(args).await?,
        rules,
        clock,
        args.signing_key()?,
    ))
}

pub async fn migrate(args: StoreArgs) -> Result<ExitCode> {
    connect(&args).await?;
    println!("{}", Msg::CliMigrated.text(args.lang));
    Ok(ExitCode::SUCCESS)
}

pub async fn verify(args: VerifyArgs) -> Result<ExitCode> {
    let lang = args.store.lang;
    let since: Option<LogDigest> = args
        .since_digest
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|_: String| {
            anyhow::anyhow!(
                "{}",
                Message::new(Msg::CliSinceDigestBad)
                    .with("value", args.since_digest.as_deref().unwrap_or_default())
                    .text(lang)
            )
        })?;
    let checkpoint: Option<SignedCheckpoint> = match &args.checkpoint {
        Some(path) => Some(
            serde_json::from_slice(&std::fs::read(path).with_context(|| {
                Message::new(Msg::CliCannotRead)
                    .with("what", "--checkpoint")
                    .with("path", path.display().to_string())
                    .text(lang)
            })?)
            .with_context(|| {
                Message::new(Msg::CliNotACheckpoint)
                    .with("path", path.display().to_string())
                    .text(lang)
            })?,
        ),
        None => None,
    };
    if checkpoint.as_ref().is_some_and(|c| c.heads.is_none()) {
        bail!("{}", Msg::CliCheckpointNoHeads.text(lang));
    }
    let db = connect_existing(&args.store).await?;
    let report = notoneless_store::verify::verify(&db, since.as_ref()).await?;
    let extends = match &checkpoint {
        Some(c) => Some(check_checkpoint(&db, c).await?),
        None => None,
    };
    let clean = report.is_clean() && extends.as_ref().is_none_or(CheckpointCheck::holds);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "report": report,
                "checkpoint": extends,
                "clean": clean,
            }))?
        );
    } else {
        let mut out = line(
            lang,
            false,
            Message::new(Msg::CliVerifyCounted)
                .with("events", report.events)
                .with("cases", report.cases),
        );
        for broken in &report.broken {
            out.push_str(&line(
                lang,
                false,
                Message::new(Msg::CliVerifyBroken)
                    .with("case", broken.case_id.as_str())
                    .with("type", broken.aggregate_type.as_str())
                    .with("sequence", broken.sequence)
                    .with("problem", format!("{:?}", broken.problem)),
            ));
        }
        for suspect in &report.suspect {
            out.push_str(&line(
                lang,
                false,
                Message::new(Msg::CliVerifySuspect)
                    .with("sequence", suspect.sequence)
                    .with("case", suspect.case_id.as_str())
                    .with("type", suspect.aggregate_type.as_str())
                    .with("position", suspect.global_position)
                    .with(
                        "recorded",
                        notoneless_store::chain::format_timestamp(suspect.recorded_at),
                    )
                    .with(
                        "problem",
                        match suspect.problem {
                            Suspect::Unsigned => Msg::CliVerifyUnsigned,
                            Suspect::UnknownKey => Msg::CliVerifyUnknownKey,
                            Suspect::BadSignature => Msg::CliVerifyBadSignature,
                            Suspect::RecordedBackwards => Msg::CliVerifyRecordedBackwards,
                        },
                    ),
            ));
        }
        out.push_str(&line(
            lang,
            false,
            Message::new(Msg::CliVerifyKeys).with("keys", report.keys.join(", ")),
        ));
        if !report.recorded_at_checked {
            out.push_str(&line(lang, false, Msg::CliVerifyRecordedAtUnchecked.into()));
        }
        if let Some(since) = &report.since {
            let digest = since.expected.to_string();
            let message = match (since.holds, since.found.as_deref()) {
                (true, _) => Message::new(Msg::CliVerifySinceHolds),
                (false, Some(found)) => {
                    Message::new(Msg::CliVerifySinceBroken).with("found", found)
                }
                (false, None) => Message::new(Msg::CliVerifySinceShorter),
            };
            out.push_str(&line(lang, false, message.with("digest", digest)));
        }
        if let Some(check) = &extends {
            out.push_str(&checkpoint_check(check, lang));
        }
        out.push_str(&line(
            lang,
            false,
            Message::new(Msg::CliVerifyDigest).with("digest", report.digest.to_string()),
        ));
        out.push_str(&line(
            lang,
            false,
            if clean {
                Msg::CliVerifyClean
            } else {
                Msg::CliVerifyTampered
            }
            .into(),
        ));
        print!("{out}");
    }
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What a checkpoint check found, in `lang`.
fn checkpoint_check(check: &CheckpointCheck, lang: Lang) -> String {
    let with_number = |msg: Msg| Message::new(msg).with("number", check.number);
    let mut out = String::new();
    if !check.signature_holds {
        out.push_str(&line(
            lang,
            false,
            with_number(Msg::CliCheckpointSignatureBroken),
        ));
    }
    if !check.heads_match_root {
        out.push_str(&line(
            lang,
            false,
            with_number(Msg::CliCheckpointHeadsBroken),
        ));
    }
    if check.log_size_now < check.log_size {
        out.push_str(&line(
            lang,
            false,
            with_number(Msg::CliCheckpointShorter)
                .with("now", check.log_size_now)
                .with("covered", check.log_size),
        ));
    }
    for differs in &check.differs {
        out.push_str(&line(
            lang,
            false,
            Message::new(Msg::CliCheckpointDiffers)
                .with("case", differs.case_id.as_str())
                .with("type", differs.aggregate_type.as_str())
                .with("sequence", differs.sequence)
                .with(
                    "problem",
                    match differs.problem {
                        Difference::Missing => Msg::CliCheckpointMissing,
                        Difference::Rehashed => Msg::CliCheckpointRehashed,
                    },
                ),
        ));
    }
    out.push_str(&line(
        lang,
        false,
        with_number(if check.holds() {
            Msg::CliCheckpointExtends
        } else {
            Msg::CliCheckpointNotExtended
        }),
    ));
    out
}

pub async fn reproject(args: StoreArgs) -> Result<ExitCode> {
    let store = open_with_org(&args).await?;
    let started = std::time::Instant::now();
    let events = store.projector.reproject().await?;
    println!(
        "{}",
        Message::new(Msg::CliReprojected)
            .with("events", events)
            .with("seconds", format!("{:.1}", started.elapsed().as_secs_f64()))
            .text(args.lang)
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn check_projections(args: StoreArgs) -> Result<ExitCode> {
    // The calendar in force is the organisation's, as for the rebuild it checks.
    let store = open_existing_with_org(&args).await?;
    let mismatches = store.projector.check().await?;
    for mismatch in &mismatches {
        println!(
            "{}",
            Message::new(Msg::CliProjectionDiffers)
                .with("case", mismatch.case_id.to_string())
                .with("problem", mismatch.problem.to_string())
                .text(args.lang)
        );
    }
    if mismatches.is_empty() {
        println!("{}", Msg::CliProjectionsEqual.text(args.lang));
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "{}",
            Message::new(Msg::CliProjectionsDiffer)
                .with("count", mismatches.len())
                .text(args.lang)
        );
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
        .with_context(|| Msg::CliCannotReadOrg.text(args.lang))?;
    args.take_calendar(&store, true).await?;
    Ok(store)
}

/// Writes an export (or a checkpoint, a proof) to the file, or to standard output when there
/// is none; an error says which in `lang`.
pub fn write_out(output: Option<&Path>, bytes: &[u8], lang: Lang) -> Result<()> {
    match output {
        Some(path) => std::fs::write(path, bytes).with_context(|| {
            Message::new(Msg::CliCannotWrite)
                .with("path", path.display().to_string())
                .text(lang)
        }),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .with_context(|| Msg::CliCannotWriteStdout.text(lang))
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
        bail!("{}", Msg::CliXlsxNeedsOutput.text(args.store.lang));
    }
    let scope = args.scope()?;
    let store = open_existing_with_org(&args.store).await?;
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
            log_reads(&store, ReadKind::ReviewExport, &cases, args.store.lang).await?;
            filed.table.render(format, args.store.lang)?
        }
    };
    write_out(args.output.as_deref(), &bytes, args.store.lang)?;
    if let Some(path) = &args.output {
        println!(
            "{}",
            notoneless_i18n::Message::new(notoneless_i18n::Msg::CliReviewWritten)
                .with("count", review.findings.len())
                .with("path", path.display().to_string())
                .text(args.store.lang)
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
    let store = open_existing_with_org(&args.store).await?;
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
    log_reads(&store, ReadKind::LedgerExport, &cases, args.store.lang).await?;
    let output = args.output.unwrap_or_else(|| {
        // The name is built from the tree's names: keep it one file name in this directory.
        let name: String = filed
            .file_name
            .text(args.store.lang)
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
    write_out(
        Some(&output),
        &filed.table.render(args.format, args.store.lang)?,
        args.store.lang,
    )?;
    println!(
        "{}",
        Message::new(Msg::CliLedgerWritten)
            .with("count", filed.table.rows.len())
            .with("path", output.display().to_string())
            .text(args.store.lang)
    );
    Ok(ExitCode::SUCCESS)
}

/// Records in the access log that the operator at this machine read these cases (a file the
/// command writes names them), before the file is written.
async fn log_reads(store: &Store, kind: ReadKind, cases: &[String], lang: Lang) -> Result<()> {
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
        .with_context(|| Msg::CliAccessLogNotWritten.text(lang))?;
    Ok(())
}
