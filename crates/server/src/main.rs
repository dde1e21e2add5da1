//! `notoneless`: the one binary of Not One Less.
//!
//! Today it carries the command-line tools over the case domain: `assess` says where a case
//! file stands at an instant, and `ladder` prints the escalation ladder in force. The event
//! store, `serve`, `migrate`, `verify` and the rest arrive with the store and API crates.
//! anyhow is allowed here, and only here.

mod assess_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// Assess a case file under the escalation ladder at an instant.
    Assess(assess_cmd::AssessArgs),
    /// Print the escalation ladder (the plan's "123" rule, or the one in --ladder) as JSON.
    Ladder {
        /// A ladder to check and print instead of the default.
        #[arg(long)]
        ladder: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Assess(args) => assess_cmd::run(&args),
        Command::Ladder { ladder } => assess_cmd::print_ladder(ladder.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
