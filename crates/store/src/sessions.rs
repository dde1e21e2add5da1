//! Sessions and the sign-in log. A session is what a person logged in with a password holds
//! (the browser keeps its secret in a cookie): a row of `sessions`, found by the SHA-256 of
//! its secret (only the digest is stored), which works until its user logs out, it is ended
//! by an admin or a principal, it has been idle for [`SessionPolicy::idle`], it has lived
//! [`SessionPolicy::lifetime`], or its user's password changed. Sessions are not facts about
//! the organisation and are kept apart from its stream; a restart keeps them.
//!
//! The sign-in log (`sign_in_log`, append-only like the access log) records every login,
//! wrong password, lock, logout and ending of sessions; an account's lock is read from it
//! ([`SignInLog::locked_until`]), so that it holds across a restart.
//!
//! The CSRF token of a session is derived from its secret ([`SessionSecret::csrf_token`]):
//! nothing more to store, and a page that has the cookie can always be given it.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use notoneless_domain::Organisation;
use notoneless_i18n::{Lang, Message, Msg};
use password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::clock::Clock;
use crate::db::{Db, DbRow, P, Sql};
use crate::error::StoreError;

/// How long sessions last and when an account is locked; `notoneless serve` sets them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session not used for this long has ended.
    pub idle: TimeDelta,
    /// A session ends this long after its login, however much it is used.
    pub lifetime: TimeDelta,
    /// This many wrong passwords for one account within [`Self::lock_for`] lock it…
    pub lock_after: u32,
    /// …until this long after the first of them.
    pub lock_for: TimeDelta,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: TimeDelta::hours(8),
            lifetime: TimeDelta::days(7),
            lock_after: 10,
            lock_for: TimeDelta::minutes(15),
        }
    }
}

/// How often a session's last use is written: a request within this of the last write does
/// not write again (the idle time is kept to within it).
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

/// A session's secret, as the cookie carries it: `nols_` and 256 random bits in hex. Its
/// `Debug` shows none of it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionSecret(String);

impl SessionSecret {
    fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(format!("nols_{}", hex::encode(bytes)))
    }

    /// A secret as a request carries it.
    pub fn from_cookie(value: &str) -> Self {
        Self(value.to_string())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    /// The session's CSRF token: what every state-changing request made with the session's
    /// cookie must also carry (a header, or a form's hidden field). Derived from the secret:
    /// another site can make a browser send the cookie, but cannot read it, nor this.
    pub fn csrf_token(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"notoneless csrf token\0");
        hasher.update(self.0.as_bytes());
        hex::encode(hasher.finalize())
    }

    /// Whether `presented` is this session's CSRF token, compared in constant time.
    pub fn csrf_matches(&self, presented: &str) -> bool {
        self.csrf_token()
            .as_bytes()
            .ct_eq(presented.trim().as_bytes())
            .into()
    }
}

impl std::fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionSecret(<redacted>)")
    }
}

/// A session that works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// Its public id (in the sign-in log and the server's log; never the secret).
    pub id: String,
    pub user: String,
    pub password_version: u32,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// When it ends however it is used.
    pub expires_at: DateTime<Utc>,
}

impl Session {
    /// When it ends if it is not used again.
    pub fn idle_until(&self, policy: &SessionPolicy) -> DateTime<Utc> {
        (self.last_seen_at + policy.idle).min(self.expires_at)
    }

    fn from_row(row: &DbRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.text("id")?,
            user: row.text("user_id")?,
            password_version: u32::try_from(row.i64("password_version")?).unwrap_or(0),
            created_at: row.ts("created_at")?,
            last_seen_at: row.ts("last_seen_at")?,
            expires_at: row.ts("expires_at")?,
        })
    }
}

/// Why a session's cookie no longer logs anyone in. Each says what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnded {
    Unknown,
    Idle { idle: TimeDelta },
    Lifetime { lifetime: TimeDelta },
    Ended,
    UserInactive,
}

impl SessionEnded {
    /// Why, in the catalogue's words.
    pub fn message(&self) -> Message {
        match self {
            SessionEnded::Unknown => Msg::SessionUnknown.into(),
            SessionEnded::Idle { idle } => {
                Message::new(Msg::SessionIdle).with("minutes", idle.num_minutes())
            }
            SessionEnded::Lifetime { lifetime } => {
                Message::new(Msg::SessionLifetime).with("days", lifetime.num_days())
            }
            SessionEnded::Ended => Msg::SessionEnded.into(),
            SessionEnded::UserInactive => Msg::SessionUserInactive.into(),
        }
    }
}

impl std::fmt::Display for SessionEnded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message().text(Lang::En))
    }
}

impl std::error::Error for SessionEnded {}

/// Why a session ended, as the table and the sign-in log keep it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndedWhy {
    LoggedOut,
    /// Ended by an admin or a principal (or the command line).
    Ended,
    PasswordChanged,
    PasswordReset,
}

impl EndedWhy {
    pub fn as_str(self) -> &'static str {
        match self {
            EndedWhy::LoggedOut => "logged_out",
            EndedWhy::Ended => "ended",
            EndedWhy::PasswordChanged => "password_changed",
            EndedWhy::PasswordReset => "password_reset",
        }
    }
}

/// What the sign-in log records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInKind {
    LoggedIn,
    WrongPassword,
    /// A login for a user name that does not exist (the name typed is not kept).
    UnknownUser,
    /// A login refused because the account is locked (the password was not checked).
    RefusedLocked,
    /// The account became locked.
    Locked,
    LoggedOut,
    /// An admin, a principal or the command line ended a user's sessions.
    SessionsEnded,
    PasswordChanged,
    /// A one-time password was set by an admin or a principal (it unlocks the account).
    PasswordReset,
}

impl SignInKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInKind::LoggedIn => "logged_in",
            SignInKind::WrongPassword => "wrong_password",
            SignInKind::UnknownUser => "unknown_user",
            SignInKind::RefusedLocked => "refused_locked",
            SignInKind::Locked => "locked",
            SignInKind::LoggedOut => "logged_out",
            SignInKind::SessionsEnded => "sessions_ended",
            SignInKind::PasswordChanged => "password_changed",
            SignInKind::PasswordReset => "password_reset",
        }
    }
}

/// One entry of the sign-in log, to be written.
#[derive(Clone, Debug, Default)]
pub struct SignIn<'a> {
    pub user: Option<&'a str>,
    pub session: Option<&'a str>,
    /// The address the request came from.
    pub source: Option<&'a str>,
    /// Who acted on another's account (an admin ending sessions or resetting a password).
    pub actor: Option<&'a str>,
    pub request_id: &'a str,
}

/// One entry of the sign-in log, as read back.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SignInEntry {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub user: Option<String>,
    pub session: Option<String>,
    pub source: Option<String>,
    pub actor: Option<String>,
    pub request_id: String,
}

/// The sessions table and the sign-in log over one database, stamped with the store's clock.
pub struct Sessions {
    db: Db,
    clock: Arc<dyn Clock>,
}

const SESSION_COLUMNS: &str =
    "id, user_id, password_version, created_at, last_seen_at, expires_at, ended_at";

impl Sessions {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    /// Opens a session for `user` under their password `password_version`; its secret is in
    /// the answer and nowhere else.
    pub async fn open(
        &self,
        user: &str,
        password_version: u32,
        policy: &SessionPolicy,
        source: Option<&str>,
        request_id: &str,
    ) -> Result<(SessionSecret, Session), StoreError> {
        let now = crate::chain::truncate_to_micros(self.clock.now());
        let secret = SessionSecret::generate();
        let session = Session {
            id: uuid::Uuid::new_v4().to_string(),
            user: user.to_string(),
            password_version,
            created_at: now,
            last_seen_at: now,
            expires_at: now + policy.lifetime,
        };
        let mut tx = self.db.begin().await?;
        tx.execute(
            Sql::both(
                "INSERT INTO sessions (secret_sha256, id, user_id, password_version, created_at, last_seen_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            ),
            &[
                P::text(secret.sha256()),
                P::text(session.id.as_str()),
                P::text(user),
                P::I64(i64::from(password_version)),
                P::Ts(now),
                P::Ts(now),
                P::Ts(session.expires_at),
            ],
        )
        .await?;
        self.write_entry(
            &mut tx,
            SignInKind::LoggedIn,
            &SignIn {
                user: Some(user),
                session: Some(&session.id),
                source,
                actor: None,
                request_id,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((secret, session))
    }

    /// The session a cookie's secret opens, if it still works for the organisation as it
    /// stands; its last use is written (at most once a [`TOUCH_EVERY`]).
    pub async fn find(
        &self,
        secret: &SessionSecret,
        policy: &SessionPolicy,
        org: &Organisation,
    ) -> Result<Result<Session, SessionEnded>, StoreError> {
        let Some(row) = self
            .db
            .fetch_optional(
                Sql::both(&format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE secret_sha256 = $1"
                )),
                &[P::text(secret.sha256())],
            )
            .await?
        else {
            return Ok(Err(SessionEnded::Unknown));
        };
        let session = Session::from_row(&row)?;
        let now = self.clock.now();
        if row.opt_ts("ended_at")?.is_some() {
            return Ok(Err(SessionEnded::Ended));
        }
        if now >= session.expires_at {
            return Ok(Err(SessionEnded::Lifetime {
                lifetime: policy.lifetime,
            }));
        }
        if now >= session.last_seen_at + policy.idle {
            return Ok(Err(SessionEnded::Idle { idle: policy.idle }));
        }
        if !org.is_active(&session.user) {
            return Ok(Err(SessionEnded::UserInactive));
        }
        let version = org.passwords.get(&session.user).map(|p| p.version);
        if version != Some(session.password_version) {
            return Ok(Err(SessionEnded::Ended));
        }
        if now - session.last_seen_at >= TOUCH_EVERY {
            self.db
                .execute(
                    Sql::both("UPDATE sessions SET last_seen_at = $1 WHERE id = $2"),
                    &[P::Ts(now), P::text(session.id.as_str())],
                )
                .await?;
        }
        Ok(Ok(session))
    }

    /// Ends one session (its user logged out), recording it.
    pub async fn end(&self, session: &Session, entry: &SignIn<'_>) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        tx.execute(
            Sql::both(
                "UPDATE sessions SET ended_at = $1, ended_why = $2 WHERE id = $3 AND ended_at IS NULL",
            ),
            &[
                P::Ts(now),
                P::text(EndedWhy::LoggedOut.as_str()),
                P::text(session.id.as_str()),
            ],
        )
        .await?;
        self.write_entry(&mut tx, SignInKind::LoggedOut, entry, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every open session of `user` but `keep` (the one changing its own password), and
    /// records why in the sign-in log as `kind`; how many were ended.
    pub async fn end_all(
        &self,
        user: &str,
        why: EndedWhy,
        keep: Option<&str>,
        kind: SignInKind,
        entry: &SignIn<'_>,
    ) -> Result<u64, StoreError> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let ended = tx
            .execute(
                Sql::both(
                    "UPDATE sessions SET ended_at = $1, ended_why = $2
                     WHERE user_id = $3 AND ended_at IS NULL AND id <> $4",
                ),
                &[
                    P::Ts(now),
                    P::text(why.as_str()),
                    P::text(user),
                    P::text(keep.unwrap_or_default()),
                ],
            )
            .await?;
        self.write_entry(&mut tx, kind, entry, now).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Moves a session to its user's new password (they changed it themselves, in it).
    pub async fn follow_password(&self, session: &str, version: u32) -> Result<(), StoreError> {
        self.db
            .execute(
                Sql::both("UPDATE sessions SET password_version = $1 WHERE id = $2"),
                &[P::I64(i64::from(version)), P::text(session)],
            )
            .await?;
        Ok(())
    }

    /// How many sessions of `user` are open now.
    pub async fn open_count(&self, user: &str, policy: &SessionPolicy) -> Result<i64, StoreError> {
        let now = self.clock.now();
        let row = self
            .db
            .fetch_optional(
                Sql::both(
                    "SELECT COUNT(*) AS n FROM sessions
                     WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 AND last_seen_at > $3",
                ),
                &[P::text(user), P::Ts(now), P::Ts(now - policy.idle)],
            )
            .await?;
        row.map_or(Ok(0), |r| r.i64("n"))
    }

    /// Records an entry of the sign-in log, stamped with the store's clock.
    pub async fn log(&self, kind: SignInKind, entry: &SignIn<'_>) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        self.write_entry(&mut tx, kind, entry, now).await?;
        tx.commit().await
    }

    async fn write_entry(
        &self,
        tx: &mut crate::db::Tx,
        kind: SignInKind,
        entry: &SignIn<'_>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        tx.execute(
            Sql::both(
                "INSERT INTO sign_in_log (at, kind, user_id, session_id, source, actor, request_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            ),
            &[
                P::Ts(at),
                P::text(kind.as_str()),
                P::OptText(entry.user.map(str::to_string)),
                P::OptText(entry.session.map(str::to_string)),
                P::OptText(entry.source.map(str::to_string)),
                P::OptText(entry.actor.map(str::to_string)),
                P::text(entry.request_id),
            ],
        )
        .await?;
        Ok(())
    }

    /// Until when `user`'s account is locked, if it is: [`SessionPolicy::lock_after`] wrong
    /// passwords in a row (no login, no new password between them) within
    /// [`SessionPolicy::lock_for`] lock it until that long after the first of them.
    pub async fn locked_until(
        &self,
        user: &str,
        policy: &SessionPolicy,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let now = self.clock.now();
        let limit = i64::from(policy.lock_after.max(1));
        let rows = self
            .db
            .fetch_all(
                Sql::both(
                    "SELECT at, kind FROM sign_in_log
                     WHERE user_id = $1 AND at > $2
                       AND kind IN ('logged_in', 'wrong_password', 'password_reset', 'password_changed')
                     ORDER BY id DESC LIMIT $3",
                ),
                &[P::text(user), P::Ts(now - policy.lock_for), P::I64(limit)],
            )
            .await?;
        if i64::try_from(rows.len()).unwrap_or(0) < limit {
            return Ok(None);
        }
        let mut first = None;
        for row in &rows {
            if row.text("kind")? != SignInKind::WrongPassword.as_str() {
                return Ok(None);
            }
            first = Some(row.ts("at")?);
        }
        Ok(first
            .map(|first| first + policy.lock_for)
            .filter(|until| *until > now))
    }

    /// The sign-in log of `user` (every user's, without one), newest first.
    pub async fn sign_ins(
        &self,
        user: Option<&str>,
        limit: i64,
    ) -> Result<Vec<SignInEntry>, StoreError> {
        let rows = self
            .db
            .fetch_all(
                Sql::both(
                    "SELECT at, kind, user_id, session_id, source, actor, request_id FROM sign_in_log
                     WHERE ($1 = '' OR user_id = $1) ORDER BY id DESC LIMIT $2",
                ),
                &[P::text(user.unwrap_or_default()), P::I64(limit)],
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok(SignInEntry {
                    at: row.ts("at")?,
                    kind: row.text("kind")?,
                    user: row.opt_text("user_id")?,
                    session: row.opt_text("session_id")?,
                    source: row.opt_text("source")?,
                    actor: row.opt_text("actor")?,
                    request_id: row.text("request_id")?,
                })
            })
            .collect()
    }
}
