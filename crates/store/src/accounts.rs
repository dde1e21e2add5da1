//! The way in, and what admins and principals do to it: logging in with a password (and
//! choosing one's own in place of a one-time password), changing one's password, a reset to
//! a one-time password, ending a user's sessions, a new user with a one-time password.
//! Every password is checked with argon2id (`passwords`), every password recorded as an
//! organisation event (only its hash), and every login, wrong password, lock, reset and
//! ending of sessions in the sign-in log (`sessions`).

use notoneless_domain::{OrgCommand, OrgError, PasswordRefusal, User, check_new_password};
use notoneless_i18n::{Lang, Message, Msg};

use crate::commands::{CommandContext, CommandError, CommandOutcome};
use crate::error::StoreError;
use crate::passwords::{self, Secret};
use crate::sessions::{EndedWhy, Session, SessionPolicy, SessionSecret, SignIn, SignInKind};
use crate::store::Store;

/// Why a login, or a change of password, is refused. Each says what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessRefusal {
    /// A user name that does not exist, or a password that is not theirs: the two are not
    /// told apart.
    WrongCredentials,
    WrongCurrentPassword,
    Locked {
        until: chrono::DateTime<chrono::Utc>,
    },
    OneTimePassword,
    NewPassword(PasswordRefusal),
}

impl AccessRefusal {
    /// The refusal, in the catalogue's words (without its field).
    pub fn message(&self) -> Message {
        match self {
            AccessRefusal::WrongCredentials => Msg::WrongCredentials.into(),
            AccessRefusal::WrongCurrentPassword => Msg::WrongCurrentPassword.into(),
            AccessRefusal::Locked { until } => Message::new(Msg::AccountLocked).with(
                "until",
                until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
            AccessRefusal::OneTimePassword => Msg::OneTimePasswordToChange.into(),
            AccessRefusal::NewPassword(refusal) => refusal.message(),
        }
    }
}

impl std::fmt::Display for AccessRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.field() {
            Some(field) => write!(f, "{field}: {}", self.message().text(Lang::En)),
            None => f.write_str(&self.message().text(Lang::En)),
        }
    }
}

impl std::error::Error for AccessRefusal {}

impl AccessRefusal {
    /// The request's field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            AccessRefusal::WrongCurrentPassword => Some("current_password"),
            AccessRefusal::OneTimePassword | AccessRefusal::NewPassword(_) => Some("new_password"),
            _ => None,
        }
    }
}

/// Why an account operation did not happen: refused, or the organisation's command failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Refused(AccessRefusal),
    #[error(transparent)]
    Command(#[from] CommandError<OrgError>),
}

impl From<StoreError> for AccountError {
    fn from(error: StoreError) -> Self {
        AccountError::Command(CommandError::Store(error))
    }
}

/// A login: the user name, the password, and (instead of a one-time password, or to change
/// one's own at once) the password chosen.
#[derive(Debug)]
pub struct Login {
    pub user: String,
    pub password: Secret,
    pub new_password: Option<Secret>,
}

/// A change of one's own password: the current one, and the one chosen.
#[derive(Debug)]
pub struct PasswordChange {
    pub current: Secret,
    pub chosen: Secret,
}

/// A session just opened: its secret (the cookie's value, shown this once), and the session.
#[derive(Debug)]
pub struct LoggedIn {
    pub secret: SessionSecret,
    pub session: Session,
    pub user: User,
}

/// A one-time password just set: shown this once, to be handed to its user.
#[derive(Debug)]
pub struct OneTimePassword {
    pub user: String,
    pub password: Secret,
    pub outcome: CommandOutcome,
}

/// The context in which a user acts on their own account.
fn own_context(user: &User, request_id: &str) -> CommandContext {
    CommandContext {
        actor: crate::commands::Actor {
            id: user.id.clone(),
            role: user.role.as_str().to_string(),
            jurisdiction: user.node.clone(),
        },
        request_id: request_id.to_string(),
        idempotency_key: None,
    }
}

impl Store {
    /// Logs a user in with their password, opening a session. A locked account is refused
    /// before its password is looked at; a wrong password is recorded, and locks the account
    /// at the policy's limit; a one-time password logs in only with the password chosen in
    /// its place, which is recorded first.
    pub async fn log_in(
        &self,
        login: Login,
        policy: &SessionPolicy,
        source: Option<&str>,
        request_id: &str,
    ) -> Result<LoggedIn, AccountError> {
        let snapshot = self.org.current();
        let user = snapshot
            .org
            .users
            .get(&login.user)
            .filter(|u| snapshot.org.is_active(&u.id))
            .cloned();
        fn entry<'a>(
            user: Option<&'a str>,
            source: Option<&'a str>,
            request_id: &'a str,
        ) -> SignIn<'a> {
            SignIn {
                user,
                session: None,
                source,
                actor: None,
                request_id,
            }
        }
        let Some(user) = user else {
            passwords::verify(&login.password, None).await?;
            self.sessions
                .log(SignInKind::UnknownUser, &entry(None, source, request_id))
                .await?;
            return Err(AccountError::Refused(AccessRefusal::WrongCredentials));
        };
        let record = snapshot.org.passwords.get(&user.id).cloned();
        self.check_password(
            &user,
            &login.password,
            record.as_ref().map(|r| &r.hash),
            policy,
            &entry(Some(&user.id), source, request_id),
        )
        .await
        .map_err(|refusal| match refusal {
            AccountError::Refused(AccessRefusal::WrongCurrentPassword) => {
                AccountError::Refused(AccessRefusal::WrongCredentials)
            }
            other => other,
        })?;
        let one_time = record.as_ref().is_some_and(|r| r.one_time);
        let mut version = record.as_ref().map_or(0, |r| r.version);
        match login.new_password {
            None if one_time => {
                return Err(AccountError::Refused(AccessRefusal::OneTimePassword));
            }
            None => {}
            Some(chosen) => {
                if chosen == login.password {
                    return Err(AccountError::Refused(AccessRefusal::NewPassword(
                        PasswordRefusal::SameAsBefore,
                    )));
                }
                (version, _) = self
                    .record_own_password(&user, &chosen, None, source, request_id)
                    .await?;
            }
        }
        let (secret, session) = self
            .sessions
            .open(&user.id, version, policy, source, request_id)
            .await?;
        Ok(LoggedIn {
            secret,
            session,
            user,
        })
    }

    /// Changes a user's own password, given their current one. Their other sessions end;
    /// `session` (the one they are using, if any) carries on under the new password.
    pub async fn change_own_password(
        &self,
        user: &User,
        change: &PasswordChange,
        session: Option<&Session>,
        policy: &SessionPolicy,
        source: Option<&str>,
        request_id: &str,
    ) -> Result<CommandOutcome, AccountError> {
        let record = self.org.current().org.passwords.get(&user.id).cloned();
        let entry = SignIn {
            user: Some(&user.id),
            session: session.map(|s| s.id.as_str()),
            source,
            actor: None,
            request_id,
        };
        let PasswordChange { current, chosen } = change;
        self.check_password(
            user,
            current,
            record.as_ref().map(|r| &r.hash),
            policy,
            &entry,
        )
        .await?;
        if chosen == current {
            return Err(AccountError::Refused(AccessRefusal::NewPassword(
                PasswordRefusal::SameAsBefore,
            )));
        }
        let session_id = session.map(|s| s.id.as_str());
        let (_, outcome) = self
            .record_own_password(user, chosen, session_id, source, request_id)
            .await?;
        Ok(outcome)
    }

    /// Checks a password of an active user: refused while the account is locked (the password
    /// not even looked at); a wrong one is recorded, and locks the account at the limit.
    async fn check_password(
        &self,
        user: &User,
        password: &Secret,
        stored: Option<&notoneless_domain::PasswordHash>,
        policy: &SessionPolicy,
        entry: &SignIn<'_>,
    ) -> Result<(), AccountError> {
        if let Some(until) = self.sessions.locked_until(&user.id, policy).await? {
            self.sessions.log(SignInKind::RefusedLocked, entry).await?;
            return Err(AccountError::Refused(AccessRefusal::Locked { until }));
        }
        if passwords::verify(password, stored).await? {
            return Ok(());
        }
        self.sessions.log(SignInKind::WrongPassword, entry).await?;
        if let Some(until) = self.sessions.locked_until(&user.id, policy).await? {
            self.sessions.log(SignInKind::Locked, entry).await?;
            tracing::warn!(user = %user.id, %until, "an account is locked after too many wrong passwords");
        }
        Err(AccountError::Refused(AccessRefusal::WrongCurrentPassword))
    }

    /// Records the password a user chose (checked against the rules), ends their other
    /// sessions, and moves `keep` to it; the new password's version, and what was written.
    async fn record_own_password(
        &self,
        user: &User,
        chosen: &Secret,
        keep: Option<&str>,
        source: Option<&str>,
        request_id: &str,
    ) -> Result<(u32, CommandOutcome), AccountError> {
        check_new_password(chosen.expose(), &user.id)
            .map_err(|refusal| AccountError::Refused(AccessRefusal::NewPassword(refusal)))?;
        let password_hash = passwords::hash(chosen).await?;
        let outcome = self
            .org
            .execute(
                OrgCommand::ChangePassword {
                    user: user.id.clone(),
                    password_hash,
                },
                &own_context(user, request_id),
            )
            .await?;
        let version = self
            .org
            .current()
            .org
            .passwords
            .get(&user.id)
            .map_or(0, |p| p.version);
        let entry = SignIn {
            user: Some(&user.id),
            session: keep,
            source,
            actor: None,
            request_id,
        };
        self.sessions
            .end_all(
                &user.id,
                EndedWhy::PasswordChanged,
                keep,
                SignInKind::PasswordChanged,
                &entry,
            )
            .await?;
        if let Some(session) = keep {
            self.sessions.follow_password(session, version).await?;
        }
        Ok((version, outcome))
    }

    /// Gives `user` a new one-time password (an admin's or a principal's reset, in `context`),
    /// ending their sessions and unlocking their account. The password is in the answer only.
    pub async fn reset_password(
        &self,
        user: &str,
        context: &CommandContext,
    ) -> Result<OneTimePassword, AccountError> {
        let password = passwords::one_time_password();
        let password_hash = passwords::hash(&password).await?;
        let outcome = self
            .org
            .execute(
                OrgCommand::SetOneTimePassword {
                    user: user.to_string(),
                    password_hash,
                },
                context,
            )
            .await?;
        let entry = SignIn {
            user: Some(user),
            session: None,
            source: None,
            actor: Some(&context.actor.id),
            request_id: &context.request_id,
        };
        self.sessions
            .end_all(
                user,
                EndedWhy::PasswordReset,
                None,
                SignInKind::PasswordReset,
                &entry,
            )
            .await?;
        Ok(OneTimePassword {
            user: user.to_string(),
            password,
            outcome,
        })
    }

    /// Adds a user with a one-time password, recorded together.
    pub async fn add_user(
        &self,
        user: User,
        context: &CommandContext,
    ) -> Result<OneTimePassword, AccountError> {
        let password = passwords::one_time_password();
        let password_hash = passwords::hash(&password).await?;
        let id = user.id.clone();
        let outcome = self
            .org
            .execute(
                OrgCommand::Batch(vec![
                    OrgCommand::AddUser(user),
                    OrgCommand::SetOneTimePassword {
                        user: id.clone(),
                        password_hash,
                    },
                ]),
                context,
            )
            .await?;
        Ok(OneTimePassword {
            user: id,
            password,
            outcome,
        })
    }

    /// Ends every session of `user` (an admin, a principal or the command line, in
    /// `context`); how many were open.
    pub async fn end_sessions(
        &self,
        user: &str,
        context: &CommandContext,
    ) -> Result<u64, StoreError> {
        let entry = SignIn {
            user: Some(user),
            session: None,
            source: None,
            actor: Some(&context.actor.id),
            request_id: &context.request_id,
        };
        self.sessions
            .end_all(
                user,
                EndedWhy::Ended,
                None,
                SignInKind::SessionsEnded,
                &entry,
            )
            .await
    }
}
