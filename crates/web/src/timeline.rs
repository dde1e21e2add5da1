//! The case timeline (`/cases/{case_id}/timeline`): every fact of the case in the order it was
//! recorded, with the day it happened, when and by whom (in which role) it was recorded,
//! corrections linked to the fact they correct, late entries marked (the review's own rule,
//! `ReviewSettings::late_entry_delay`), and the ladder's state right after each fact. A form
//! compares the case "as of day D" (everything known now about the days up to D) with "as
//! known at time T" (only what had been recorded by T), side by side: what a back-fill
//! changes.
//!
//! The page is the API's replay (`crates/api/src/cases/replay.rs`): the same jurisdiction
//! check, and each part read (history, timeline, as-of, as-known-at) recorded in the access
//! log as the API records it.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveDateTime};
use notoneless_api::AppState;
use notoneless_api::cases::replay::{
    AsOfQuery, HistoryEntry, KnownAtQuery, Replay, as_known_at, as_of, history, timeline,
};
use notoneless_api::extract::QueryParams;
use notoneless_domain::{Assessment, CaseEvent, ReviewSettings, UserRole};
use notoneless_i18n::{Lang, Message, Msg};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::login::FieldError;
use crate::reads::{case_in_view, child_label, here, local_time};
use crate::shell::{Shell, Viewer, failed_with, render};

/// The comparison asked for, as sent.
#[derive(Default, Deserialize)]
pub struct Compare {
    day: Option<String>,
    time: Option<String>,
}

/// One fact as the timeline shows it.
pub struct Fact {
    pub sequence: i64,
    pub what: String,
    /// What the fact says, where it is spelled out (a transfer, a suspension, support …).
    pub detail: Option<String>,
    pub on: String,
    pub recorded: String,
    pub by: String,
    /// "Entered N days after the day it claims", for a late entry.
    pub late: Option<String>,
    /// From a county's ledger, imported (its recorder the import).
    pub imported: Option<String>,
    pub retracted: bool,
    /// The fact this one corrects.
    pub corrects: Option<i64>,
    /// The case right after this fact: its stage, the days away, the steps overdue.
    pub after: String,
    pub overdue: usize,
}

/// One side of the comparison: the instant, the stage, the steps, the facts counted.
pub struct Side {
    pub heading: String,
    pub stage: String,
    pub steps: Vec<String>,
    pub facts: Vec<String>,
}

/// The comparison: both sides, and the facts one counts and the other does not.
pub struct Comparison {
    /// "As of day D", then "as known at time T".
    pub sides: Vec<Side>,
    /// Facts about the days up to D recorded after T: the back-fill.
    pub back_filled: Vec<String>,
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    shell: Shell,
    case_id: String,
    child: String,
    facts: Vec<Fact>,
    day: String,
    time: String,
    errors: Vec<FieldError>,
    comparison: Option<Comparison>,
}

impl TimelinePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }
}

/// The kind of a recorded fact, for a person ("联系家长").
fn fact_label(entry: &HistoryEntry, lang: Lang) -> String {
    event_of(entry).map_or_else(|| entry.event_type.clone(), |e| e.fact_label().text(lang))
}

/// The fact of an entry of the history, as the domain has it.
fn event_of(entry: &HistoryEntry) -> Option<CaseEvent> {
    let mut tagged = serde_json::Map::new();
    tagged.insert(entry.event_type.clone(), entry.fact.clone());
    serde_json::from_value::<CaseEvent>(Value::Object(tagged)).ok()
}

/// Who recorded a fact: the user's name where the organisation knows them, and the role.
fn recorder(state: &AppState, entry: &HistoryEntry, lang: Lang) -> String {
    let snapshot = state.store.org.current();
    let name = entry.recorded_by.as_deref().map(|id| {
        snapshot
            .org
            .users
            .get(id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    });
    let role = entry.role.as_deref().map(|role| {
        serde_json::from_value::<UserRole>(json!(role))
            .map_or_else(|_| role.to_string(), |r| r.label().text(lang))
    });
    match (name, role) {
        (Some(name), Some(role)) => format!("{name} · {role}"),
        (Some(name), None) => name,
        (None, Some(role)) => role,
        (None, None) => String::new(),
    }
}

/// The steps of an assessment, as a person reads them: "家访 · 逾期".
fn steps_of(assessment: &Assessment, lang: Lang) -> Vec<String> {
    assessment
        .obligations()
        .map(|o| {
            format!(
                "{} · {}",
                o.kind.label().text(lang),
                o.status.label().text(lang)
            )
        })
        .collect()
}

fn side(heading: String, replay: &Replay, lang: Lang) -> Side {
    Side {
        heading,
        stage: replay.assessment.stage.label().text(lang),
        steps: steps_of(&replay.assessment, lang),
        facts: replay
            .facts
            .iter()
            .map(|f| format!("{} {}", lang.day(f.on), fact_label(f, lang)))
            .collect(),
    }
}

/// `GET /cases/{case_id}/timeline[?day=&time=]`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    uri: Uri,
    Query(compare): Query<Compare>,
) -> Response {
    let lang = viewer.lang;
    let caller = &viewer.caller;
    let visible = match case_in_view(&state, caller, &case_id).await {
        Ok(visible) => visible,
        Err(refused) => return failed_with(lang, &refused),
    };
    let entries = match history(State(state.clone()), caller.clone(), visible.clone()).await {
        Ok(entries) => entries.0,
        Err(refused) => return failed_with(lang, &refused),
    };
    let steps = match timeline(State(state.clone()), caller.clone(), visible.clone()).await {
        Ok(steps) => steps.0,
        Err(refused) => return failed_with(lang, &refused),
    };
    let rules = state.store.rules.get();
    let calendar = &rules.calendar;
    let settings = ReviewSettings::default();
    let after: BTreeMap<i64, _> = steps.iter().map(|s| (s.sequence, s)).collect();
    let child = entries
        .first()
        .and_then(|first| first.fact.get("student"))
        .map(|student| {
            let text = |key: &str| student.get(key).and_then(Value::as_str).unwrap_or("");
            let grade = student.get("grade").and_then(Value::as_i64).unwrap_or(0);
            child_label(lang, text("name"), grade, text("class"))
        })
        .unwrap_or_default();
    let facts = entries
        .iter()
        .map(|entry| {
            let recorded_on = calendar.local_date(entry.recorded_at);
            let step = after.get(&entry.sequence);
            Fact {
                sequence: entry.sequence,
                what: fact_label(entry, lang),
                detail: event_of(entry).and_then(|e| crate::school::fact_detail(lang, &e)),
                on: lang.day(entry.on),
                recorded: local_time(lang, calendar, entry.recorded_at),
                by: recorder(&state, entry, lang),
                late: settings
                    .late_entry_delay(entry.on, recorded_on)
                    .map(|delay| {
                        Message::new(Msg::ConsoleLateEntryBy)
                            .with("delay", delay)
                            .text(lang)
                    }),
                imported: entry.imported_from_ledger.map(|day| {
                    Message::new(Msg::ConsoleImportedFromLedger)
                        .with("day", day)
                        .text(lang)
                }),
                retracted: entry.retracted,
                corrects: (entry.event_type == "FactCorrected")
                    .then(|| entry.fact.get("target").and_then(Value::as_i64))
                    .flatten(),
                after: step.map_or_else(String::new, |s| {
                    Message::new(Msg::ConsoleStateAfter)
                        .with("stage", s.stage.label())
                        .with("days", s.episode_days)
                        .with("outstanding", s.outstanding)
                        .text(lang)
                }),
                overdue: step.map_or(0, |s| s.overdue),
            }
        })
        .collect();
    let now = state.store.clock.now();
    let mut shown = TimelinePage {
        shell: Shell::of(&viewer, Msg::ConsoleTimelineTitle, here(&uri)),
        case_id: case_id.clone(),
        child,
        facts,
        day: compare
            .day
            .clone()
            .unwrap_or_else(|| calendar.local_date(now).to_string()),
        time: compare.time.clone().unwrap_or_else(|| {
            now.with_timezone(&calendar.offset())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        }),
        errors: Vec::new(),
        comparison: None,
    };
    if compare.day.is_none() && compare.time.is_none() {
        return render(&shown);
    }
    let day = NaiveDate::parse_from_str(shown.day.trim(), "%Y-%m-%d").ok();
    if day.is_none() {
        shown.errors.push(FieldError {
            field: "day".into(),
            text: Msg::ConsoleEnterDate.text(lang),
        });
    }
    let time = NaiveDateTime::parse_from_str(shown.time.trim(), "%Y-%m-%d %H:%M")
        .ok()
        .and_then(|t| t.and_local_timezone(calendar.offset()).single());
    if time.is_none() {
        shown.errors.push(FieldError {
            field: "time".into(),
            text: Msg::ConsoleEnterTime.text(lang),
        });
    }
    let (Some(day), Some(time)) = (day, time) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&shown)).into_response();
    };
    let asked_of = as_of(
        State(state.clone()),
        caller.clone(),
        visible.clone(),
        QueryParams(AsOfQuery { day }),
    )
    .await;
    let asked_known = as_known_at(
        State(state.clone()),
        caller.clone(),
        visible,
        QueryParams(KnownAtQuery { time }),
    )
    .await;
    let (of, known) = match (asked_of, asked_known) {
        (Ok(of), Ok(known)) => (of.0, known.0),
        (Err(refused), _) | (_, Err(refused)) => return failed_with(lang, &refused),
    };
    let known_sequences: BTreeSet<i64> = known.facts.iter().map(|f| f.sequence).collect();
    let back_filled = of
        .facts
        .iter()
        .filter(|f| !known_sequences.contains(&f.sequence))
        .map(|f| {
            Message::new(Msg::ConsoleBackFilled)
                .with("on", f.on)
                .with("fact", fact_label(f, lang))
                .with("recorded", local_time(lang, calendar, f.recorded_at))
                .text(lang)
        })
        .collect();
    shown.comparison = Some(Comparison {
        sides: vec![
            side(
                Message::new(Msg::ConsoleAsOfHeading)
                    .with("day", day)
                    .text(lang),
                &of,
                lang,
            ),
            side(
                Message::new(Msg::ConsoleKnownAtHeading)
                    .with("time", local_time(lang, calendar, known.at))
                    .text(lang),
                &known,
                lang,
            ),
        ],
        back_filled,
    });
    render(&shown)
}
