//! The verification state of the record's proof page: the log verified on demand (`POST
//! /proof/verify`, by `LOG_AUDITORS`, CSRF-checked) and the last result kept in memory with
//! when, by whom and how long it took. A full verify recomputes every hash chain and every
//! signature (`notoneless_store::verify::verify`, what `notoneless verify` prints) and checks
//! the latest signed checkpoint against the log as it is now (`check_checkpoint`): seconds at
//! a county's scale (docs/performance.md), too long for every view of the page. One runs at a
//! time; the result is the server's, lost when it restarts (the page then says it was not
//! verified since).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use notoneless_api::AppState;
use notoneless_api::auth::{Caller, visible_case};
use notoneless_api::error::ApiError;
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::checkpoints::{CheckpointCheck, check_checkpoint, checkpoint_with_heads};
use notoneless_store::verify::{Break, Suspect, VerifyReport, verify};

use crate::reads::local_time;

/// The last verification of this server's log, and whether one is under way (one runs at a
/// time).
#[derive(Clone, Default)]
pub struct Verifications {
    last: Arc<Mutex<Option<Verification>>>,
    running: Arc<AtomicBool>,
}

/// Marks a verification under way until it ends, however it ends.
struct Running(Arc<AtomicBool>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// One verification: what it found, when, by whom, how long it took.
#[derive(Clone)]
pub struct Verification {
    pub at: DateTime<Utc>,
    pub by: String,
    pub millis: u64,
    pub report: VerifyReport,
    /// The latest checkpoint held against the log; `None` when there is none yet.
    pub checkpoint: Option<CheckpointCheck>,
}

impl Verification {
    /// Every chain intact, every signature holding, the latest checkpoint (if any) holding.
    pub fn is_clean(&self) -> bool {
        self.report.is_clean() && self.checkpoint.as_ref().is_none_or(CheckpointCheck::holds)
    }
}

impl Verifications {
    /// The last result, if the log was verified since the server started.
    pub fn last(&self) -> Option<Verification> {
        self.last.lock().ok().and_then(|last| last.clone())
    }

    /// Verifies the log now and keeps the result; nothing when a verification is under way
    /// already (its result is the one the page will show).
    pub async fn run(&self, state: &AppState, caller: &Caller) -> Result<(), ApiError> {
        if self.running.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let _running = Running(self.running.clone());
        let db = &state.store.db;
        let started = Instant::now();
        let report = verify(db, None).await?;
        let checkpoint = match checkpoint_with_heads(db, None).await? {
            Some(latest) => Some(check_checkpoint(db, &latest).await?),
            None => None,
        };
        let done = Verification {
            at: state.store.clock.now(),
            by: caller.user.name.clone(),
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            report,
            checkpoint,
        };
        tracing::info!(
            events = done.report.events,
            clean = done.is_clean(),
            millis = done.millis,
            "the log was verified from the console"
        );
        if let Ok(mut last) = self.last.lock() {
            *last = Some(done);
        }
        Ok(())
    }
}

/// A problem the verification named, as the page lists it: the case, and the link to its
/// timeline when the reader sees the case.
pub struct Problem {
    pub text: String,
    pub timeline: Option<String>,
}

/// The verification as the page shows it.
pub struct Shown {
    pub clean: bool,
    /// The verdict in a sentence (a clean log's names the checkpoint only when there is one).
    pub verdict: String,
    pub when: String,
    pub counted: String,
    pub chains: String,
    pub signatures: String,
    pub checkpoint: String,
    pub digest: String,
    pub broken: Vec<Problem>,
    pub suspect: Vec<Problem>,
}

/// How many problems of each kind the page names (the rest are counted).
const LISTED: usize = 50;

fn break_label(problem: Break) -> Msg {
    match problem {
        Break::Altered => Msg::ConsoleProofAltered,
        Break::Removed => Msg::ConsoleProofRemoved,
        Break::Relinked => Msg::ConsoleProofRelinked,
    }
}

/// The CLI's words for a suspect event (`notoneless verify` prints the same).
fn suspect_label(problem: Suspect) -> Msg {
    match problem {
        Suspect::Unsigned => Msg::CliVerifyUnsigned,
        Suspect::UnknownKey => Msg::CliVerifyUnknownKey,
        Suspect::BadSignature => Msg::CliVerifyBadSignature,
        Suspect::RecordedBackwards => Msg::CliVerifyRecordedBackwards,
    }
}

/// A named problem of a stream: a case's links to its timeline if the reader sees it.
async fn problem(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    (aggregate_type, case_id, sequence): (&str, &str, i64),
    what: Msg,
) -> Problem {
    let seen = aggregate_type == notoneless_store::log::CASE
        && visible_case(state, caller, case_id).await.is_ok();
    Problem {
        text: Message::new(Msg::ConsoleProofBrokenAt)
            .with("case", case_id)
            .with("sequence", sequence)
            .with("problem", what)
            .text(lang),
        timeline: seen.then(|| format!("/cases/{case_id}/timeline#fact-{sequence}")),
    }
}

/// The last verification for the page, in the reader's language and local time.
pub async fn shown(state: &AppState, caller: &Caller, lang: Lang, done: &Verification) -> Shown {
    let calendar = state.store.rules.get().calendar.clone();
    let minutes = (state.store.clock.now() - done.at).num_minutes().max(0);
    let report = &done.report;
    let mut broken = Vec::new();
    for b in report.broken.iter().take(LISTED) {
        let at = (b.aggregate_type.as_str(), b.case_id.as_str(), b.sequence);
        broken.push(problem(state, caller, lang, at, break_label(b.problem)).await);
    }
    let mut suspect = Vec::new();
    for s in report.suspect.iter().take(LISTED) {
        let at = (s.aggregate_type.as_str(), s.case_id.as_str(), s.sequence);
        suspect.push(problem(state, caller, lang, at, suspect_label(s.problem)).await);
    }
    Shown {
        clean: done.is_clean(),
        verdict: match (done.is_clean(), &done.checkpoint) {
            (false, _) => Msg::ConsoleProofTampered,
            (true, Some(_)) => Msg::ConsoleProofClean,
            (true, None) => Msg::ConsoleProofCleanNoCheckpoint,
        }
        .text(lang),
        when: Message::new(Msg::ConsoleProofVerifiedBy)
            .with("time", local_time(lang, &calendar, done.at))
            .with("name", done.by.as_str())
            .with("minutes", minutes)
            .with("ms", done.millis)
            .text(lang),
        counted: Message::new(Msg::ConsoleProofCounted)
            .with("events", report.events)
            .with("streams", report.cases)
            .text(lang),
        chains: if report.broken.is_empty() {
            Msg::ConsoleProofChainsIntact.text(lang)
        } else {
            Message::new(Msg::ConsoleProofChainsBroken)
                .with("count", report.broken.len())
                .text(lang)
        },
        signatures: if report.suspect.is_empty() {
            Msg::ConsoleProofSignaturesHold.text(lang)
        } else {
            Message::new(Msg::ConsoleProofSuspectCount)
                .with("count", report.suspect.len())
                .text(lang)
        },
        checkpoint: match &done.checkpoint {
            None => Msg::ConsoleProofNone.text(lang),
            Some(check) if check.holds() => Msg::ConsoleProofCheckpointHolds.text(lang),
            Some(_) => Msg::ConsoleProofCheckpointFails.text(lang),
        },
        digest: report.digest.clone(),
        broken,
        suspect,
    }
}
