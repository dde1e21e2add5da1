//! The organisation as the API needs it: the jurisdiction tree, users and token hashes folded
//! from the `organisation` stream and kept in memory, reloaded after every change; the
//! organisation command path; and the school calendar the events define, which becomes the
//! rules in force.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use notoneless_domain::{
    CalendarChange, DEFAULT_TOKEN_LIFETIME, ORGANISATION_ID, OrgCommand, OrgError, OrgEvent,
    Organisation, SchoolCalendar, User,
};
use notoneless_i18n::{Message, Msg};
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::commands::{CommandContext, CommandError, CommandOutcome, Executor};
use crate::db::Db;
use crate::error::StoreError;
use crate::log::{StoredEvent, stream_events};
use crate::rules::{Rules, SharedRules};

/// The aggregate type of the organisation stream.
pub const ORGANISATION: &str = "organisation";

/// The organisation at one sequence, with its tokens indexed by hash.
#[derive(Debug, Default)]
pub struct OrgSnapshot {
    pub org: Organisation,
    pub sequence: i64,
    by_hash: HashMap<String, TokenEntry>,
}

#[derive(Debug)]
struct TokenEntry {
    token_id: String,
    user: String,
    expires_at: DateTime<Utc>,
}

/// Why a presented bearer token does not authenticate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No such token: never issued, revoked, or its user deactivated.
    #[error("a valid bearer token is required")]
    Unknown,
    /// The token was issued and not revoked, but its time is up.
    #[error(
        "the bearer token expired at {}; ask an admin for a new one",
        .expired_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )]
    Expired {
        token_id: String,
        expired_at: DateTime<Utc>,
    },
}

/// A token that authenticates: its user, its id and when it stops working.
#[derive(Clone, Copy, Debug)]
pub struct Authenticated<'a> {
    pub user: &'a User,
    pub token_id: &'a str,
    pub expires_at: DateTime<Utc>,
}

impl OrgSnapshot {
    fn new(org: Organisation, sequence: i64) -> Self {
        let by_hash = org
            .tokens
            .iter()
            .map(|(token_id, token)| {
                let entry = TokenEntry {
                    token_id: token_id.clone(),
                    user: token.user.clone(),
                    // Every token read through `fold` has its expiry; one without is expired.
                    expires_at: token.expires_at.unwrap_or(DateTime::<Utc>::MIN_UTC),
                };
                (token.token_sha256.clone(), entry)
            })
            .collect();
        Self {
            org,
            sequence,
            by_hash,
        }
    }

    /// The active user a bearer token belongs to, if it has not expired at `now`.
    ///
    /// The token is never compared with anything: its SHA-256 is looked up among the stored
    /// digests. How long that lookup takes can depend only on the digest of what the caller
    /// sent, which tells an attacker nothing about any token (docs/security.md).
    pub fn authenticate(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Authenticated<'_>, AuthError> {
        let entry = self
            .by_hash
            .get(&token_sha256(token))
            .ok_or(AuthError::Unknown)?;
        if !self.org.is_active(&entry.user) {
            return Err(AuthError::Unknown);
        }
        let user = self.org.users.get(&entry.user).ok_or(AuthError::Unknown)?;
        if now >= entry.expires_at {
            return Err(AuthError::Expired {
                token_id: entry.token_id.clone(),
                expired_at: entry.expires_at,
            });
        }
        Ok(Authenticated {
            user,
            token_id: &entry.token_id,
            expires_at: entry.expires_at,
        })
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

/// A token just issued. Its `Debug` leaves the token out, so that it cannot reach a log.
pub struct NewToken {
    pub token_id: String,
    pub user: String,
    /// The token itself: shown once, to be handed to its user.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub outcome: CommandOutcome,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("token_id", &self.token_id)
            .field("user", &self.user)
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The organisation directory: current snapshot, command path, and the calendar it defines.
pub struct OrgDirectory {
    db: Db,
    executor: Executor<Organisation>,
    snapshot: RwLock<Arc<OrgSnapshot>>,
    rules: SharedRules,
    fallback_calendar: SchoolCalendar,
    /// Whether the first load has said that there is no calendar at all.
    warned: std::sync::atomic::AtomicBool,
}

/// Where the calendar in force comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CalendarSource {
    /// The county declared its terms: the organisation's calendar, nothing else.
    Organisation,
    /// The configured calendar (`--calendar`), with the days declared through the API on top.
    Configuration,
    /// No calendar at all: every weekday is a school day, but for the days declared through
    /// the API.
    None,
}

impl OrgDirectory {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        rules: SharedRules,
        signer: Arc<crate::log_keys::LogSigner>,
        committed: Arc<Notify>,
    ) -> Self {
        let fallback_calendar = rules.get().calendar.clone();
        Self {
            executor: Executor::reading_afresh(db.clone(), clock, signer, committed),
            db,
            snapshot: RwLock::new(Arc::new(OrgSnapshot::default())),
            rules,
            fallback_calendar,
            warned: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Where the calendar in force comes from.
    pub fn calendar_source(&self) -> CalendarSource {
        if !self.current().org.terms.is_empty() {
            CalendarSource::Organisation
        } else if self.fallback_calendar == SchoolCalendar::every_weekday() {
            CalendarSource::None
        } else {
            CalendarSource::Configuration
        }
    }

    /// The configured calendar the organisation's declarations are laid over.
    pub fn configured_calendar(&self) -> &SchoolCalendar {
        &self.fallback_calendar
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
        let calendar = org.calendar_over(&self.fallback_calendar);
        let ladder = self.rules.get().ladder.clone();
        let snapshot = Arc::new(OrgSnapshot::new(org, sequence));
        let mut slot = match self.snapshot.write() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Two reloads can overlap: a command's own, right after its change, and the
        // projector's, woken by that change's commit. One that read the stream before the
        // other's change must not put the older organisation back (a revoked token working
        // again until the next change).
        if slot.sequence > sequence {
            return Ok(false);
        }
        let changed = self.rules.set(Rules { calendar, ladder });
        let no_calendar = snapshot.org.terms.is_empty()
            && self.fallback_calendar == SchoolCalendar::every_weekday();
        *slot = snapshot;
        if no_calendar && !self.warned.swap(true, std::sync::atomic::Ordering::Relaxed) {
            tracing::warn!(
                "no school calendar: no --calendar given and no term declared; every weekday counts as a school day"
            );
        }
        Ok(changed)
    }

    /// The calendar as the system knew it at `known_at`: only changes recorded by then.
    pub async fn calendar_known_at(
        &self,
        known_at: DateTime<Utc>,
    ) -> Result<SchoolCalendar, StoreError> {
        let events = stream_events(&self.db, ORGANISATION, ORGANISATION_ID).await?;
        Ok(fold(&events, Some(known_at))?.calendar_over(&self.fallback_calendar))
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
            let event = decode(stored)?;
            let before = org.calendar_over(&self.fallback_calendar);
            let described = match &event {
                OrgEvent::HolidayDeclared(d) => Some((
                    d.day,
                    Message::new(Msg::CalendarHolidayDeclared).with("name", d.name.as_str()),
                )),
                OrgEvent::MakeUpDayDeclared(d) => Some((
                    d.day,
                    Message::new(Msg::CalendarMakeUpDayDeclared).with("name", d.name.as_str()),
                )),
                OrgEvent::CalendarDayCleared { day } => {
                    Some((*day, Message::new(Msg::CalendarDayCleared)))
                }
                _ => None,
            };
            cqrs_es::Aggregate::apply(&mut org, event);
            if let Some((day, what)) = described {
                let after = org.calendar_over(&self.fallback_calendar);
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

    /// Issues a new token for `user`, to expire at `expires_at` (or, without it,
    /// [`DEFAULT_TOKEN_LIFETIME`] from now). Only its SHA-256 is recorded; the token itself is
    /// in the answer and nowhere else.
    pub async fn issue_token(
        &self,
        user: &str,
        expires_at: Option<DateTime<Utc>>,
        context: &CommandContext,
    ) -> Result<NewToken, CommandError<OrgError>> {
        let (token_id, token) = new_token();
        let command = OrgCommand::IssueToken {
            token_id: token_id.clone(),
            user: user.to_string(),
            token_sha256: token_sha256(&token),
            expires_at,
        };
        let outcome = self.execute(command, context).await?;
        // The expiry in force, as the organisation now holds it.
        let expires_at = self
            .current()
            .org
            .tokens
            .get(&token_id)
            .and_then(|t| t.expires_at)
            .or(expires_at)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        Ok(NewToken {
            token_id,
            user: user.to_string(),
            token,
            expires_at,
            outcome,
        })
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
        decoded.push(decode(event)?);
    }
    Ok(Organisation::from_events(decoded))
}

/// An organisation event as stored, with the expiry a token issued without one has:
/// [`DEFAULT_TOKEN_LIFETIME`] after it was recorded.
fn decode(stored: &StoredEvent) -> Result<OrgEvent, StoreError> {
    let mut event: OrgEvent = stored.decode_as()?;
    if let OrgEvent::TokenIssued { expires_at, .. } = &mut event
        && expires_at.is_none()
    {
        *expires_at = Some(stored.recorded_at + DEFAULT_TOKEN_LIFETIME);
    }
    Ok(event)
}
