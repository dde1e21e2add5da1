//! The inspector's view of one case over time: every event as recorded, the case as it
//! stood on a day, as the system knew it at an instant, and step by step. Each is a read of
//! the child's file, recorded in the access log before it is shown.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use cqrs_es::Aggregate as _;
use notoneless_domain::{Assessment, CaseEvent, ObligationStatus, Stage, StudentCase, assess};
use notoneless_store::Rules;
use notoneless_store::access::ReadKind;
use notoneless_store::log::StoredEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access_log::CaseFile;
use crate::auth::{Caller, VisibleCase};
use crate::error::{ApiError, ErrorBody};
use crate::extract::QueryParams;
use crate::state::AppState;

/// One event of a case, as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub sequence: i64,
    pub event_type: String,
    /// The day the fact happened.
    pub on: NaiveDate,
    /// The fact itself.
    #[schema(value_type = Object)]
    pub fact: Value,
    /// Who recorded it, in which role, for which jurisdiction node.
    pub recorded_by: Option<String>,
    pub role: Option<String>,
    pub jurisdiction: Option<String>,
    /// For a fact imported from a county's ledger (its recorder the import, not a person):
    /// the day of the ledger it was imported from. Such a fact was not recorded when it
    /// happened, whatever its `on` says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported_from_ledger: Option<NaiveDate>,
    /// When the server recorded it.
    pub recorded_at: DateTime<Utc>,
    pub global_position: i64,
    pub hash: String,
    pub prev_hash: String,
    /// Retracted by a later correction (the event itself stays).
    pub retracted: bool,
}

fn history_of(events: &[StoredEvent]) -> Result<(StudentCase, Vec<HistoryEntry>), ApiError> {
    let decoded: Vec<CaseEvent> = events
        .iter()
        .map(StoredEvent::decode)
        .collect::<Result<_, _>>()?;
    let case = StudentCase::from_events(decoded.iter().cloned());
    let entries = events
        .iter()
        .zip(&decoded)
        .map(|(stored, event)| HistoryEntry {
            sequence: stored.sequence,
            event_type: stored.event_type.clone(),
            on: event.on(),
            fact: stored
                .payload
                .get(&stored.event_type)
                .cloned()
                .unwrap_or_else(|| stored.payload.clone()),
            recorded_by: stored.meta("actor").map(str::to_string),
            role: stored.meta("role").map(str::to_string),
            jurisdiction: stored.meta("jurisdiction").map(str::to_string),
            imported_from_ledger: stored
                .meta("ledger_date")
                .filter(|_| stored.meta("imported_from") == Some("ledger"))
                .and_then(|day| day.parse().ok()),
            recorded_at: stored.recorded_at,
            global_position: stored.global_position,
            hash: stored.hash.clone(),
            prev_hash: stored.prev_hash.clone(),
            retracted: case.is_retracted(u64::try_from(stored.sequence).unwrap_or(0)),
        })
        .collect();
    Ok((case, entries))
}

/// Every event of the case: what happened, on which day, who recorded it, in which role,
/// when, and its hash.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/history", tag = "replay",
    params(("case_id" = String, Path, description = "The case")),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    case: VisibleCase,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let file = CaseFile::open(&state, &caller, case, ReadKind::History, None);
    let events = file.events().await?;
    let entries = history_of(&events)?.1;
    file.show(entries).await
}

/// The case at a point: the facts that count there, and the assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Replay {
    /// The instant assessed at.
    pub at: DateTime<Utc>,
    pub facts: Vec<HistoryEntry>,
    pub assessment: Assessment,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// A local date, YYYY-MM-DD.
    pub day: NaiveDate,
}

/// The case as it stood on a day: the facts that happened up to it (as the log knows them
/// now), assessed at the end of that day.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/as-of", tag = "replay",
    params(("case_id" = String, Path, description = "The case"), AsOfQuery),
    responses((status = 200, body = Replay), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn as_of(
    State(state): State<AppState>,
    caller: Caller,
    case: VisibleCase,
    QueryParams(query): QueryParams<AsOfQuery>,
) -> Result<Json<Replay>, ApiError> {
    let file = CaseFile::open(
        &state,
        &caller,
        case,
        ReadKind::AsOf,
        Some(format!("day={}", query.day)),
    );
    let events = file.events().await?;
    let rules = state.store.rules.get();
    let at = rules.calendar.end_of_day(query.day) - TimeDelta::microseconds(1);
    let (case, entries) = history_of(&events)?;
    let assessment = assess(&case, &rules.calendar, &rules.ladder, at);
    let facts = entries.into_iter().filter(|e| e.on <= query.day).collect();
    let replay = Replay {
        at,
        facts,
        assessment,
    };
    file.show(replay).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KnownAtQuery {
    /// An instant, RFC 3339 (e.g. 2023-11-08T18:00:00+08:00).
    pub time: DateTime<chrono::FixedOffset>,
}

/// The case as the system knew it at an instant: only the facts recorded by then, and the
/// calendar as it was then, assessed at that instant. Compared with `as-of`, this shows what
/// was filled in afterwards.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/as-known-at", tag = "replay",
    params(("case_id" = String, Path, description = "The case"), KnownAtQuery),
    responses((status = 200, body = Replay), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn as_known_at(
    State(state): State<AppState>,
    caller: Caller,
    case: VisibleCase,
    QueryParams(query): QueryParams<KnownAtQuery>,
) -> Result<Json<Replay>, ApiError> {
    let at = query.time.with_timezone(&Utc);
    let file = CaseFile::open(
        &state,
        &caller,
        case,
        ReadKind::AsKnownAt,
        Some(format!("time={}", at.to_rfc3339())),
    );
    let events: Vec<StoredEvent> = file
        .events()
        .await?
        .into_iter()
        .filter(|e| e.recorded_at <= at)
        .collect();
    let calendar = state.store.org.calendar_known_at(at).await?;
    let rules = Rules {
        calendar,
        ladder: state.store.rules.get().ladder.clone(),
    };
    let (case, facts) = history_of(&events)?;
    let assessment = assess(&case, &rules.calendar, &rules.ladder, at);
    let replay = Replay {
        at,
        facts,
        assessment,
    };
    file.show(replay).await
}

/// The case after one event.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub sequence: i64,
    pub event_type: String,
    pub on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    /// The stage, as the system knew it right after recording this event.
    pub stage: Stage,
    pub episode_days: usize,
    pub outstanding: usize,
    pub overdue: usize,
}

/// Step by step: the status right after each event was recorded.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/timeline", tag = "replay",
    params(("case_id" = String, Path, description = "The case")),
    responses((status = 200, body = Vec<TimelineEntry>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    case: VisibleCase,
) -> Result<Json<Vec<TimelineEntry>>, ApiError> {
    let file = CaseFile::open(&state, &caller, case, ReadKind::Timeline, None);
    let events = file.events().await?;
    let rules = state.store.rules.get();
    let mut case = StudentCase::default();
    let mut out = Vec::with_capacity(events.len());
    for stored in &events {
        let event = stored.decode()?;
        let on = event.on();
        case.apply(event);
        let a = assess(&case, &rules.calendar, &rules.ladder, stored.recorded_at);
        out.push(TimelineEntry {
            sequence: stored.sequence,
            event_type: stored.event_type.clone(),
            on,
            recorded_at: stored.recorded_at,
            stage: a.stage,
            episode_days: a.current().map_or(0, |e| e.day_count()),
            outstanding: a.outstanding().count(),
            overdue: a
                .obligations()
                .filter(|o| o.status == ObligationStatus::Overdue)
                .count(),
        });
    }
    file.show(out).await
}
