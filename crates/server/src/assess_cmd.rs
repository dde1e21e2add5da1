//! `notoneless assess` and `notoneless ladder`: the domain's rule applied to a case file on
//! disk, for an auditor or a county checking its own ladder and calendar.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use notoneless_domain::{
    Assessment, CaseEvent, EscalationLadder, ObligationKind, SchoolCalendar, StudentCase, assess,
};

use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::{Clock, SystemClock};

use crate::config::read_json;

#[derive(clap::Args)]
pub struct AssessArgs {
    /// The case file: a JSON array of its events, in the order they were recorded.
    case: PathBuf,
    /// The school calendar (JSON: terms, holidays, make_up_days, utc_offset_minutes).
    #[arg(long)]
    calendar: PathBuf,
    /// The escalation ladder (JSON); the plan's "123" ladder when left out.
    #[arg(long)]
    ladder: Option<PathBuf>,
    /// The instant to assess at (RFC 3339, e.g. 2023-11-09T10:00:00+08:00); now when left out.
    #[arg(long)]
    at: Option<DateTime<chrono::FixedOffset>>,
    /// Print the full assessment as JSON instead of a summary.
    #[arg(long)]
    json: bool,
    /// The language of the command's errors: zh (the default) or en.
    #[arg(long, default_value = "zh")]
    pub lang: Lang,
}

fn load_ladder(path: Option<&Path>, lang: Lang) -> Result<EscalationLadder> {
    match path {
        Some(path) => read_json(path, Msg::CliWhatLadder, lang),
        None => Ok(EscalationLadder::default()),
    }
}

pub fn print_ladder(path: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let ladder = load_ladder(path, lang)?;
    println!("{}", serde_json::to_string_pretty(&ladder)?);
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: &AssessArgs) -> Result<ExitCode> {
    let lang = args.lang;
    let events: Vec<CaseEvent> = read_json(&args.case, Msg::CliWhatCaseFile, lang)?;
    if !matches!(events.first(), Some(CaseEvent::CaseOpened(_))) {
        bail!(
            "{}",
            Message::new(Msg::CliAssessNotOpened)
                .with("path", args.case.display().to_string())
                .text(lang)
        );
    }
    let calendar: SchoolCalendar = read_json(&args.calendar, Msg::CliWhatCalendar, lang)?;
    let ladder = load_ladder(args.ladder.as_deref(), lang)?;
    let now = args
        .at
        .map_or_else(|| SystemClock.now(), |t| t.with_timezone(&Utc));
    let case = StudentCase::from_events(events);
    let assessment = assess(&case, &calendar, &ladder, now);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&assessment)?);
    } else {
        print!("{}", summary(&case, &assessment));
    }
    Ok(ExitCode::SUCCESS)
}

/// A plain-text summary: the stage, then each episode with its obligations.
fn summary(case: &StudentCase, a: &Assessment) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let school = case.profile().map_or("?", |p| p.school.as_str());
    let _ = writeln!(
        out,
        "case of school {school}, {} events, as of {} (local date {})",
        case.sequence(),
        a.as_of.to_rfc3339(),
        a.today
    );
    let _ = writeln!(out, "stage: {:?}", a.stage);
    for (i, episode) in a.episodes.iter().enumerate() {
        let end = episode.end.map_or("open".to_string(), |e| {
            format!("ended {} ({:?})", e.on, e.reason)
        });
        let _ = writeln!(
            out,
            "episode {}: from {}, {} unexcused school day(s), {end}",
            i + 1,
            episode.first_day,
            episode.day_count()
        );
        for o in &episode.obligations {
            let what = match o.kind {
                ObligationKind::Action { action } => format!("{action:?}"),
                ObligationKind::Report { recipient } => format!("report to {recipient}"),
            };
            let owners: Vec<&str> = o.owners.iter().map(|r| r.as_str()).collect();
            let detail = o.fulfilment.as_ref().map_or(String::new(), |f| {
                let mut s = format!(" by event {} on {}", f.sequence, f.on);
                if f.days_late > 0 {
                    let _ = write!(s, ", {} day(s) late", f.days_late);
                }
                if !f.missing_roles.is_empty() {
                    let missing: Vec<&str> = f.missing_roles.iter().map(|r| r.as_str()).collect();
                    let _ = write!(s, ", without {}", missing.join(", "));
                }
                s
            });
            let _ = writeln!(
                out,
                "  day {} {what} [{}] due {}: {:?}{detail}",
                o.day,
                owners.join(", "),
                o.due.to_rfc3339(),
                o.status
            );
        }
    }
    for ignored in &a.ignored_absences {
        let _ = writeln!(
            out,
            "not counted: absence on {} (event {}): {:?}",
            ignored.on, ignored.sequence, ignored.reason
        );
    }
    out
}
