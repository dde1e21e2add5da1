//! The organisation as the API needs it: the jurisdiction tree, users and token hashes folded
//! from the `organisation` stream and kept in memory, reloaded after every change; the
//! organisation command path; and the school calendar the events define, which becomes the
//! rules in force.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use notoneless_domain::{
    CalendarChange, ORGANISATION_ID, OrgCommand, OrgError, OrgEvent, Organisation, SchoolCalendar,
    User,
};
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use crate::commands::{CommandContext, CommandError, CommandOutcome, Executor};
use crate::db::Db;
use crate::error::StoreError;
use crate::log::{StoredEvent, stream_events};
use crate::repository::Clock;
use crate::rules::{Rules, SharedRules};

/// The aggregate type of the organisation stream.
pub const ORGANISATION: &str = "organisation";

/// The organisation at one sequence, with its tokens indexed by hash.
#[derive(Debug, Default)]
pub struct OrgSnapshot {
    pub org: Organisation,
    pub sequence: i64,
    by_hash: HashMap<String, (String, String)>,
}

impl OrgSnapshot {
    fn new(org: Organisation, sequence: i64) -> Self {
        let by_hash = org
            .tokens
            .iter()
            .map(|(token_id, (user, hash))| (hash.clone(), (token_id.clone(), user.clone())))
            .collect();
        Self {
            org,
            sequence,
            by_hash,
        }
    }

    /// The active user a bearer token belongs to, and the token's id.
    pub fn authenticate(&self, token: &str) -> Option<(&User, &str)> {
        let (token_id, user) = self.by_hash.get(&token_sha256(token))?;
        if !self.org.is_active(user) {
            return None;
        }
        Some((self.org.users.get(user)?, token_id.as_str()))
    }
}

/// The SHA-256 of a token, as stored.
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new token and its id: 244 random bits (two version-4 UUIDs) behind a `nol_` prefix.
pub fn new_token() -> (String, String) {
    let token = format!(
        "nol_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    (uuid::Uuid::new_v4().to_string(), token)
}

/// The organisation directory: current snapshot, command path, and the calendar it defines.
pub struct OrgDirectory {
    db: Db,
    executor: Executor<Organisation>,
    snapshot: RwLock<Arc<OrgSnapshot>>,
    rules: SharedRules,
    fallback_calendar: SchoolCalendar,
}

impl OrgDirectory {
    pub fn new(db: Db, clock: Arc<dyn Clock>, rules: SharedRules, committed: Arc<Notify>) -> Self {
        let fallback_calendar = rules.get().calendar.clone();
        Self {
            executor: Executor::new(db.clone(), clock, committed),
            db,
            snapshot: RwLock::new(Arc::new(OrgSnapshot::default())),
            rules,
            fallback_calendar,
        }
    }

    pub fn current(&self) -> Arc<OrgSnapshot> {
        match self.snapshot.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads the organisation stream again; sets the rules' calendar from it. Returns whether
    /// the calendar changed.
    pub async fn reload(&self) -> Result<bool, StoreError> {
        let events = stream_events(&self.db, ORGANISATION, ORGANISATION_ID).await?;
        let sequence = events.last().map_or(0, |e| e.sequence);
        let org = fold(&events, None)?;
        let calendar = org
            .calendar()
            .unwrap_or_else(|| self.fallback_calendar.clone());
        let ladder = self.rules.get().ladder.clone();
        let changed = self.rules.set(Rules { calendar, ladder });
        let snapshot = Arc::new(OrgSnapshot::new(org, sequence));
        match self.snapshot.write() {
            Ok(mut slot) => *slot = snapshot,
            Err(poisoned) => *poisoned.into_inner() = snapshot,
        }
        Ok(changed)
    }

    /// The calendar as the system knew it at `known_at`: only changes recorded by then.
    pub async fn calendar_known_at(
        &self,
        known_at: DateTime<Utc>,
    ) -> Result<SchoolCalendar, StoreError> {
        let events = stream_events(&self.db, ORGANISATION, ORGANISATION_ID).await?;
        Ok(fold(&events, Some(known_at))?
            .calendar()
            .unwrap_or_else(|| self.fallback_calendar.clone()))
    }

    /// Every change to a calendar day (holiday, make-up day, taken back), with the calendar
    /// just before and after it, among the changes recorded up to `known_at`.
    pub async fn calendar_changes(
        &self,
        known_at: Option<DateTime<Utc>>,
    ) -> Result<Vec<CalendarChange>, StoreError> {
        let events = stream_events(&self.db, ORGANISATION, ORGANISATION_ID).await?;
        let mut org = Organisation::default();
        let mut changes = Vec::new();
        for stored in events
            .iter()
            .filter(|e| known_at.is_none_or(|t| e.recorded_at <= t))
        {
            let event: OrgEvent = stored.decode_as()?;
            let before = org
                .calendar()
                .unwrap_or_else(|| self.fallback_calendar.clone());
            let described = match &event {
                OrgEvent::HolidayDeclared(d) => {
                    Some((d.day, format!("holiday '{}' declared", d.name)))
                }
                OrgEvent::MakeUpDayDeclared(d) => {
                    Some((d.day, format!("make-up school day '{}' declared", d.name)))
                }
                OrgEvent::CalendarDayCleared { day } => {
                    Some((*day, "holiday or make-up day taken back".to_string()))
                }
                _ => None,
            };
            cqrs_es::Aggregate::apply(&mut org, event);
            if let Some((day, what)) = described {
                let after = org
                    .calendar()
                    .unwrap_or_else(|| self.fallback_calendar.clone());
                changes.push(CalendarChange {
                    day,
                    what,
                    declared_on: after.local_date(stored.recorded_at),
                    declared_by: stored.meta("actor").map(str::to_string),
                    sequence: u64::try_from(stored.sequence).unwrap_or_default(),
                    before,
                    after,
                });
            }
        }
        Ok(changes)
    }

    /// Every change to the organisation, as stored.
    pub async fn history(&self) -> Result<Vec<StoredEvent>, StoreError> {
        stream_events(&self.db, ORGANISATION, ORGANISATION_ID).await
    }

    /// Records a change to the organisation, then reloads it.
    pub async fn execute(
        &self,
        command: OrgCommand,
        context: &CommandContext,
    ) -> Result<CommandOutcome, CommandError<OrgError>> {
        let request = serde_json::to_value(&command)
            .map_err(|e| StoreError::Database(format!("cannot encode the command: {e}")))?;
        let outcome = self
            .executor
            .execute(ORGANISATION_ID, &request, || command.clone(), context)
            .await?;
        self.reload().await?;
        Ok(outcome)
    }
}

fn fold(
    events: &[StoredEvent],
    known_at: Option<DateTime<Utc>>,
) -> Result<Organisation, StoreError> {
    let mut decoded = Vec::with_capacity(events.len());
    for event in events
        .iter()
        .filter(|e| known_at.is_none_or(|t| e.recorded_at <= t))
    {
        decoded.push(event.decode_as::<OrgEvent>()?);
    }
    Ok(Organisation::from_events(decoded))
}
