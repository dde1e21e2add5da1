//! `notoneless`: the one binary of Not One Less.
//!
//! The server (`serve`), the first steps of a deployment (`admin`), operator commands over
//! the event store (`migrate`, `verify`, `reproject`, `check-projections`), the review and
//! the exports (`review`, `export`), imports (`import`), the demo county (`demo`) and the
//! domain tools (`assess`, `ladder`). anyhow is allowed here, and only here; so is printing,
//! which is the CLI's output (logs go to stderr through tracing).

mod assess_cmd;
mod config;
mod demo;
mod import_cmd;
mod log_cmd;
mod serve_cmd;
mod store_cmd;
mod users_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use notoneless_i18n::{Lang, Message, Msg};

/// mimalloc rather than the system's allocator: reading and folding the log is mostly small
/// allocations (JSON strings, events, rows), where glibc's malloc spent a third of the review's
/// and the rebuild's time (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "notoneless",
    version,
    about = "Not One Less (一个都不能少): dropout-control case files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API and the projector (migrating the database first).
    Serve(serve_cmd::ServeArgs),
    /// Set up the organisation from the command line: nodes, users (one at a time or a list
    /// of them), passwords, tokens.
    #[command(subcommand)]
    Admin(serve_cmd::AdminCommand),
    /// Apply the database migrations that have not been applied yet.
    Migrate(config::StoreArgs),
    /// Recompute every case's hash chain and the digest of the whole log; exit 1 if any
    /// chain is broken or the --since-digest no longer holds.
    Verify(store_cmd::VerifyArgs),
    /// The accountability review of a period: findings with their evidence, as JSON, or the
    /// findings as a table (CSV or XLSX, Chinese or English headers).
    Review(store_cmd::ReviewArgs),
    /// Write the ledger (台账) of every case to a file: one row per case, as CSV or XLSX,
    /// Chinese (default) or English headers.
    Export(store_cmd::ExportArgs),
    /// Import what schools and counties already keep: the grade-6 watch, a registry
    /// cross-check, a school's roll calls, a county's ledger.
    #[command(subcommand)]
    Import(import_cmd::ImportCommand),
    /// The log's signing keys, signed checkpoints and inclusion proofs.
    #[command(subcommand)]
    Log(log_cmd::LogCommand),
    /// Throw the read models away and rebuild them from the log.
    Reproject(config::StoreArgs),
    /// Fold every case afresh and report every read-model row that differs; exit 1 if any.
    CheckProjections(config::StoreArgs),
    /// Assess a case file (a JSON array of its events) at an instant.
    Assess(assess_cmd::AssessArgs),
    /// Build the demo county into an empty database: four townships, a dozen schools, 2,000
    /// children on watch, six weeks of facts up to yesterday with a violation of every kind
    /// planted; prints the demo users' tokens.
    Demo(demo::DemoArgs),
    /// Print the escalation ladder (the plan's "123" rule, or the one in --ladder) as JSON.
    Ladder {
        /// A ladder to check and print instead of the default.
        #[arg(long)]
        ladder: Option<std::path::PathBuf>,
        /// The language of the command's errors: zh (the default) or en.
        #[arg(long, default_value = "zh")]
        lang: Lang,
    },
}

impl Command {
    /// The language the command answers in, its `--lang`: the language of its errors too,
    /// `error:` included.
    fn lang(&self) -> Lang {
        match self {
            Command::Serve(args) => args.store.lang,
            Command::Admin(command) => command.lang(),
            Command::Migrate(args) | Command::Reproject(args) | Command::CheckProjections(args) => {
                args.lang
            }
            Command::Verify(args) => args.store.lang,
            Command::Review(args) => args.store.lang,
            Command::Export(args) => args.store.lang,
            Command::Import(command) => command.lang(),
            Command::Log(command) => command.lang(),
            Command::Assess(args) => args.lang,
            Command::Demo(args) => args.store.lang,
            Command::Ladder { lang, .. } => *lang,
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let lang = cli.command.lang();
    let result = match cli.command {
        Command::Assess(args) => assess_cmd::run(&args),
        Command::Ladder { ladder, lang } => assess_cmd::print_ladder(ladder.as_deref(), lang),
        Command::Demo(args) => store_cmd::block_on(demo::demo(args), lang),
        Command::Serve(args) => store_cmd::block_on(serve_cmd::serve(args), lang),
        Command::Admin(command) => store_cmd::block_on(serve_cmd::admin(command), lang),
        Command::Migrate(args) => store_cmd::block_on(store_cmd::migrate(args), lang),
        Command::Verify(args) => store_cmd::block_on(store_cmd::verify(args), lang),
        Command::Review(args) => store_cmd::block_on(store_cmd::review(args), lang),
        Command::Export(args) => store_cmd::block_on(store_cmd::export(args), lang),
        Command::Import(command) => store_cmd::block_on(import_cmd::import(command), lang),
        Command::Log(command) => store_cmd::block_on(log_cmd::log(command), lang),
        Command::Reproject(args) => store_cmd::block_on(store_cmd::reproject(args), lang),
        Command::CheckProjections(args) => {
            store_cmd::block_on(store_cmd::check_projections(args), lang)
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!(
                "{}",
                Message::new(Msg::CliError)
                    .with("error", format!("{error:#}"))
                    .text(lang)
            );
            ExitCode::FAILURE
        }
    }
}
