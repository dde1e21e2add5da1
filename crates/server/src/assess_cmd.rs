//! `notoneless assess` and `notoneless ladder`: the domain's rule applied to a case file on
//! disk, for an auditor or a county checking its own ladder and calendar.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use notoneless_domain::{
    Assessment, CaseEvent, EndReason, EscalationLadder, IgnoredReason, SchoolCalendar, StudentCase,
    assess,
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
        print!("{}", summary(&case, &assessment, lang));
    }
    Ok(ExitCode::SUCCESS)
}

/// A plain-text summary in `lang`: the stage, then each episode with its obligations.
fn summary(case: &StudentCase, a: &Assessment, lang: Lang) -> String {
    let mut out = String::new();
    let mut say = |message: Message| {
        out.push_str(&message.text(lang));
        out.push('\n');
    };
    let school = case.profile().map_or("?", |p| p.school.as_str());
    say(Message::new(Msg::CliAssessHeader)
        .with("school", school)
        .with("events", case.sequence())
        .with("as_of", a.as_of.to_rfc3339())
        .with("today", a.today));
    say(Message::new(Msg::CliAssessStage).with("stage", a.stage.label().text(lang)));
    for (i, episode) in a.episodes.iter().enumerate() {
        let end = episode.end.map_or_else(
            || Msg::CliAssessEpisodeOpen.text(lang),
            |e| {
                Message::new(Msg::CliAssessEpisodeEnded)
                    .with("on", e.on)
                    .with("reason", end_reason(e.reason).text(lang))
                    .text(lang)
            },
        );
        say(Message::new(Msg::CliAssessEpisode)
            .with("n", i + 1)
            .with("from", episode.first_day)
            .with("days", episode.day_count())
            .with("end", end));
        for o in &episode.obligations {
            let owners: Vec<String> = o.owners.iter().map(|r| r.label().text(lang)).collect();
            let mut detail = String::new();
            if let Some(f) = &o.fulfilment {
                detail.push_str(
                    &Message::new(Msg::CliAssessDoneBy)
                        .with("sequence", f.sequence)
                        .with("on", f.on)
                        .text(lang),
                );
                if f.days_late > 0 {
                    detail.push_str(
                        &Message::new(Msg::CliAssessDaysLate)
                            .with("days", f.days_late)
                            .text(lang),
                    );
                }
                if !f.missing_roles.is_empty() {
                    let missing: Vec<String> = f
                        .missing_roles
                        .iter()
                        .map(|r| r.label().text(lang))
                        .collect();
                    detail.push_str(
                        &Message::new(Msg::CliAssessWithout)
                            .with("roles", missing.join(", "))
                            .text(lang),
                    );
                }
            }
            say(Message::new(Msg::CliAssessObligation)
                .with("day", o.day)
                .with("what", o.kind.label().text(lang))
                .with("owners", owners.join(", "))
                .with("due", o.trigger_day)
                .with("status", o.status.label().text(lang))
                .with("detail", detail));
        }
    }
    for ignored in &a.ignored_absences {
        let reason = match ignored.reason {
            IgnoredReason::NonSchoolDay => Message::new(Msg::CliAssessNonSchoolDay),
            IgnoredReason::OnLeave { leave } => {
                Message::new(Msg::CliAssessOnLeave).with("sequence", leave)
            }
            IgnoredReason::NotEnrolled => Message::new(Msg::CliAssessNotEnrolled),
            IgnoredReason::SameDayAs { sequence } => {
                Message::new(Msg::CliAssessSameDayAs).with("sequence", sequence)
            }
        };
        say(Message::new(Msg::CliAssessNotCounted)
            .with("on", ignored.on)
            .with("sequence", ignored.sequence)
            .with("reason", reason.text(lang)));
    }
    out
}

/// Why an episode ended, for a person.
fn end_reason(reason: EndReason) -> Msg {
    match reason {
        EndReason::Returned => Msg::CliAssessEndReturned,
        EndReason::Attended => Msg::CliAssessEndAttended,
        EndReason::Suspended => Msg::CliAssessEndSuspended,
        EndReason::TransferredOut => Msg::CliAssessEndTransferredOut,
        EndReason::Closed => Msg::CliAssessEndClosed,
    }
}
