//! The organisation as the API needs it: the jurisdiction tree, users and token hashes folded
//! from the `organisation` stream and kept in memory, reloaded after every change; the
//! organisation command path; and the school calendar the events define, which becomes the
//! rules in force.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use notoneless_domain::{
    CalendarChange, CalendarDifference, DEFAULT_TOKEN_LIFETIME, ORGANISATION_ID, OrgCommand,
    OrgError, OrgEvent, Organisation, SchoolCalendar, User,
};
use notoneless_i18n::{Message, Msg};
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::commands::{CommandContext, CommandError, CommandOutcome, Executor, Provenance};
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

/// The metadata key naming the calendar file an organisation event was recorded from.
pub const CALENDAR_FILE: &str = "calendar_file";
/// The metadata key holding that file's fingerprint ([`CalendarFile::sha256`]).
pub const CALENDAR_FILE_SHA256: &str = "calendar_file_sha256";

/// A school calendar given as a file (`--calendar`), to be recorded as the county's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarFile {
    /// The file's name, without its directory: the name of the days it declares.
    pub name: String,
    pub calendar: SchoolCalendar,
    /// The SHA-256 of the calendar as JSON (terms in order, days sorted): the same calendar
    /// written another way has the same fingerprint.
    pub sha256: String,
}

impl CalendarFile {
    pub fn new(name: impl Into<String>, calendar: SchoolCalendar) -> Self {
        let json = serde_json::to_vec(calendar.spec()).unwrap_or_default();
        Self {
            name: name.into(),
            sha256: hex::encode(Sha256::digest(&json)),
            calendar,
        }
    }
}

/// What recording a calendar file did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarSeeded {
    /// Recorded now: this many declarations.
    Recorded { declared: usize },
    /// The calendar recorded is this file's already: nothing recorded.
    AlreadyRecorded,
}

/// Why a calendar file is not taken.
#[derive(Debug, thiserror::Error)]
pub enum CalendarFileError {
    /// The file differs from the calendar recorded: nothing recorded.
    #[error(
        "{}",
        calendar_file_differs(file, differences, notoneless_i18n::Lang::En)
    )]
    Differs {
        file: String,
        differences: Vec<CalendarDifference>,
    },
    /// A command that only reads was given a file not recorded yet.
    #[error("{}", Message::new(Msg::CalendarFileNotRecorded).with("file", file.as_str()).text(notoneless_i18n::Lang::En))]
    NotRecorded { file: String },
    /// The organisation refused a declaration of the file (a blank term name, say).
    #[error("{}", .0.message().text(notoneless_i18n::Lang::En))]
    Rejected(OrgError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CalendarFileError {
    /// The refusal in `lang`, every difference on a line of its own.
    pub fn text(&self, lang: notoneless_i18n::Lang) -> String {
        match self {
            CalendarFileError::Differs { file, differences } => {
                calendar_file_differs(file, differences, lang)
            }
            CalendarFileError::NotRecorded { file } => Message::new(Msg::CalendarFileNotRecorded)
                .with("file", file.as_str())
                .text(lang),
            CalendarFileError::Rejected(e) => e.message().text(lang),
            CalendarFileError::Store(e) => e.to_string(),
        }
    }
}

fn calendar_file_differs(
    file: &str,
    differences: &[CalendarDifference],
    lang: notoneless_i18n::Lang,
) -> String {
    let mut text = Message::new(Msg::CalendarFileDiffers)
        .with("file", file)
        .with("count", differences.len())
        .text(lang);
    for difference in differences {
        text.push_str("\n  ");
        text.push_str(&difference.message().text(lang));
    }
    text
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
        *slot = snapshot;
        Ok(changed)
    }

    /// Says once, as a warning, when there is no calendar at all: none recorded, none given
    /// as the base calendar, every weekday a school day.
    pub fn warn_if_no_calendar(&self) {
        if self.calendar_source() == CalendarSource::None
            && !self.warned.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            tracing::warn!(
                "no school calendar: none recorded and no --calendar given; every weekday counts as a school day"
            );
        }
    }

    /// Records the calendar `file` as the county's calendar, once (ADR 0014): while no term is
    /// recorded, its terms, holidays and make-up days are declared together, each event
    /// stamped with the file's name and fingerprint; once a calendar is recorded, the file
    /// that seeded it (the same fingerprint), or one that says what the calendar in force
    /// says, records nothing, and any other is refused with its differences.
    pub async fn seed_calendar(
        &self,
        file: &CalendarFile,
        context: &CommandContext,
    ) -> Result<CalendarSeeded, CalendarFileError> {
        // A second writer (another process seeding the same file) may get there first: its
        // record is then checked like any recorded calendar.
        for _ in 0..2 {
            self.reload().await?;
            let org = self.current();
            if !org.org.terms.is_empty() {
                self.check_recorded(file).await?;
                return Ok(CalendarSeeded::AlreadyRecorded);
            }
            let commands = org
                .org
                .calendar_file_declarations(&file.calendar, &file.name)
                .map_err(|differences| CalendarFileError::Differs {
                    file: file.name.clone(),
                    differences,
                })?;
            let declared = commands.len();
            let provenance = Provenance(vec![
                (CALENDAR_FILE.to_string(), file.name.clone()),
                (CALENDAR_FILE_SHA256.to_string(), file.sha256.clone()),
            ]);
            match self
                .execute_with(OrgCommand::Batch(commands), context, &provenance)
                .await
            {
                Ok(_) => return Ok(CalendarSeeded::Recorded { declared }),
                Err(CommandError::Rejected(e)) => {
                    self.reload().await?;
                    if self.current().org.terms.is_empty() {
                        return Err(CalendarFileError::Rejected(e));
                    }
                }
                Err(CommandError::Conflict { .. }) => {}
                Err(CommandError::Store(e)) => return Err(e.into()),
                Err(other) => return Err(StoreError::Database(other.to_string()).into()),
            }
        }
        self.reload().await?;
        self.check_recorded(file).await?;
        Ok(CalendarSeeded::AlreadyRecorded)
    }

    /// For a command that only reads: the calendar `file` must be the one recorded (as for
    /// [`OrgDirectory::seed_calendar`]); one not recorded yet is refused, not recorded.
    pub async fn check_calendar_file(&self, file: &CalendarFile) -> Result<(), CalendarFileError> {
        if self.current().org.terms.is_empty() {
            return Err(CalendarFileError::NotRecorded {
                file: file.name.clone(),
            });
        }
        self.check_recorded(file).await
    }

    /// A calendar is recorded: the file that seeded it passes, and so does one that says
    /// what the record says; any other is refused with its differences.
    async fn check_recorded(&self, file: &CalendarFile) -> Result<(), CalendarFileError> {
        let seeded_by_it = self
            .history()
            .await?
            .iter()
            .any(|e| e.meta(CALENDAR_FILE_SHA256) == Some(file.sha256.as_str()));
        if seeded_by_it {
            return Ok(());
        }
        let differences = self.current().org.calendar_file_differences(&file.calendar);
        if differences.is_empty() {
            Ok(())
        } else {
            Err(CalendarFileError::Differs {
                file: file.name.clone(),
                differences,
            })
        }
    }

    /// The calendar as the system knew it at `known_at`: only changes recorded by then.
    pub async fn calendar_known_at(
        &self,
        known_at: DateTime<Utc>,
    ) -> Result<SchoolCalendar, StoreError> {
        let events = stream_events(&self.db, ORGANISATION, ORGANISATION_ID).await?;
        Ok(fold(&events, Some(known_at))?.calendar_over(&self.fallback_calendar))
    }

    /// The calendar in force, and the calendar `command` would leave (refused as recording it
    /// would be): what a change to the calendar would move is judged on the two (the
    /// console's confirmation of a retroactive change). Nothing is recorded.
    pub fn calendar_with(
        &self,
        command: OrgCommand,
    ) -> Result<(SchoolCalendar, SchoolCalendar), OrgError> {
        let mut org = self.current().org.clone();
        let before = org.calendar_over(&self.fallback_calendar);
        for event in org.decide_all(command)? {
            cqrs_es::Aggregate::apply(&mut org, event);
        }
        Ok((before, org.calendar_over(&self.fallback_calendar)))
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
            // The days of a calendar file are the calendar the county started with (ADR
            // 0014), not a change declared to it.
            let from_file = stored.meta(CALENDAR_FILE).is_some();
            let before = org.calendar_over(&self.fallback_calendar);
            let described = match &event {
                OrgEvent::HolidayDeclared(d) => Some((
                    d.day,
                    Message::new(Msg::CalendarHolidayDeclared).with("name", d.name.as_str()),
                    d.reason.clone(),
                )),
                OrgEvent::MakeUpDayDeclared(d) => Some((
                    d.day,
                    Message::new(Msg::CalendarMakeUpDayDeclared).with("name", d.name.as_str()),
                    d.reason.clone(),
                )),
                OrgEvent::CalendarDayCleared { day, reason } => {
                    Some((*day, Message::new(Msg::CalendarDayCleared), reason.clone()))
                }
                _ => None,
            }
            .filter(|_| !from_file);
            cqrs_es::Aggregate::apply(&mut org, event);
            if let Some((day, what, reason)) = described {
                let after = org.calendar_over(&self.fallback_calendar);
                changes.push(CalendarChange {
                    day,
                    what,
                    declared_on: after.local_date(stored.recorded_at),
                    declared_by: stored.meta("actor").map(str::to_string),
                    sequence: u64::try_from(stored.sequence).unwrap_or_default(),
                    before,
                    after,
                    reason,
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
        self.execute_with(command, context, &Provenance::default())
            .await
    }

    /// [`OrgDirectory::execute`], with where the change comes from stamped on its events.
    pub async fn execute_with(
        &self,
        command: OrgCommand,
        context: &CommandContext,
        provenance: &Provenance,
    ) -> Result<CommandOutcome, CommandError<OrgError>> {
        let request = serde_json::to_value(&command)
            .map_err(|e| StoreError::Database(format!("cannot encode the command: {e}")))?;
        let outcome = self
            .executor
            .execute_with(
                ORGANISATION_ID,
                &request,
                || command.clone(),
                context,
                provenance,
            )
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
