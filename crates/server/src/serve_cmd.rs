//! `notoneless serve`: the HTTP API with its projector, and `notoneless admin`: the first
//! steps of a deployment, from the command line against the database.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{DateTime, TimeDelta, Utc};
use notoneless_api::application::{Application, Config};
use notoneless_api::security::{MAX_TOKEN_LIFETIME_DAYS, SecurityConfig};
use notoneless_domain::{Node, NodeKind, OrgCommand, User, UserRole};
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::org::NewToken;
use notoneless_store::sessions::SessionPolicy;
use notoneless_store::{Actor, Clock, CommandContext, Store, SystemClock, TrainingClock};

use crate::config::StoreArgs;
use crate::demo;
use crate::store_cmd::{CONNECT_ATTEMPTS, connect};
use crate::users_cmd::{self, ImportUsersArgs, LockArgs};

#[derive(clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The address to listen on.
    #[arg(long, env = "NOTONELESS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// On an empty database, first build the demo county (`notoneless demo`) and print the
    /// demo users' tokens and where to look.
    #[arg(long)]
    pub demo: bool,
    /// How many days a token issued through the API works when the request does not say
    /// (1 to 365).
    #[arg(long, env = "NOTONELESS_TOKEN_LIFETIME_DAYS", default_value_t = 90,
        value_parser = clap::value_parser!(i64).range(1..=MAX_TOKEN_LIFETIME_DAYS))]
    pub token_lifetime_days: i64,
    /// Failed bearer-token attempts from one address after which it is refused (429) until
    /// the window has passed.
    #[arg(long, env = "NOTONELESS_AUTH_FAILURE_LIMIT", default_value_t = 20,
        value_parser = clap::value_parser!(u32).range(1..))]
    pub auth_failure_limit: u32,
    /// The window of the failure limit, in seconds from an address's first failure.
    #[arg(long, env = "NOTONELESS_AUTH_FAILURE_WINDOW_SECS", default_value_t = 300,
        value_parser = clap::value_parser!(i64).range(1..=86_400))]
    pub auth_failure_window_secs: i64,
    /// A reverse proxy whose X-Forwarded-For names the client (repeat, or separate with
    /// commas). Without it, a request's source is always its peer address.
    #[arg(
        long = "trusted-proxy",
        env = "NOTONELESS_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,
    /// A session not used for this many minutes ends (its user logs in again).
    #[arg(long, env = "NOTONELESS_SESSION_IDLE_MINUTES", default_value_t = 480,
        value_parser = clap::value_parser!(i64).range(1..=43_200))]
    pub session_idle_minutes: i64,
    /// A session ends this many days after its login, however much it is used.
    #[arg(long, env = "NOTONELESS_SESSION_LIFETIME_DAYS", default_value_t = 7,
        value_parser = clap::value_parser!(i64).range(1..=90))]
    pub session_lifetime_days: i64,
    #[command(flatten)]
    pub locks: LockArgs,
    /// The server is reached through a proxy that terminates TLS (HTTPS): the session cookie
    /// is marked Secure, so that a browser sends it over HTTPS only.
    #[arg(long, env = "NOTONELESS_BEHIND_TLS_PROXY")]
    pub behind_tls_proxy: bool,
    #[command(flatten)]
    pub clock: ClockArgs,
    #[command(flatten)]
    pub checkpoints: crate::log_cmd::CheckpointSchedule,
}

/// The clock of a training or demonstration server (docs/operations.md, "Training").
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ClockArgs {
    /// Run on a training clock that starts at this instant (RFC 3339, e.g.
    /// 2023-11-06T07:30:00+08:00) and runs on; an admin may move it forward
    /// (PUT /api/v1/clock). Only on an empty database or one marked for training, which it
    /// marks for good: never on real data.
    #[arg(long, value_name = "INSTANT")]
    pub clock: Option<DateTime<chrono::FixedOffset>>,
    /// With --clock: the clock stays at its instant until it is moved.
    #[arg(long, requires = "clock")]
    pub clock_frozen: bool,
}

impl ClockArgs {
    /// The clock these flags ask for: the machine's, or a training clock.
    pub fn clock(&self) -> Arc<dyn Clock> {
        match self.clock {
            None => Arc::new(SystemClock),
            Some(start) if self.clock_frozen => {
                Arc::new(TrainingClock::frozen_at(start.with_timezone(&Utc)))
            }
            Some(start) => Arc::new(TrainingClock::running_from(start.with_timezone(&Utc))),
        }
    }
}

impl ServeArgs {
    fn security(&self) -> SecurityConfig {
        SecurityConfig {
            token_lifetime: TimeDelta::days(self.token_lifetime_days),
            failure_limit: self.auth_failure_limit,
            failure_window: TimeDelta::seconds(self.auth_failure_window_secs),
            trusted_proxies: self.trusted_proxies.clone(),
            sessions: SessionPolicy {
                idle: TimeDelta::minutes(self.session_idle_minutes),
                lifetime: TimeDelta::days(self.session_lifetime_days),
                ..self.locks.policy()
            },
            secure_cookies: self.behind_tls_proxy,
            ..SecurityConfig::default()
        }
    }
}

async fn open_store(args: &StoreArgs) -> Result<Arc<Store>> {
    let rules = args.rules()?;
    let store = Store::new(
        connect(args).await?,
        rules,
        Arc::new(SystemClock),
        args.signing_key()?,
    );
    store
        .org
        .reload()
        .await
        .with_context(|| Msg::CliCannotReadOrg.text(args.lang))?;
    args.take_calendar(&store, true).await?;
    Ok(Arc::new(store))
}

pub async fn serve(args: ServeArgs) -> Result<ExitCode> {
    if args.demo {
        demo::refuse_calendar_file(&args.store)?;
    }
    let application = Application::build(Config {
        database_url: args.store.database_url(),
        rules: args.store.rules()?,
        clock: args.clock.clock(),
        security: args.security(),
        listen: args.listen,
        connect_attempts: CONNECT_ATTEMPTS,
        signing_key: args.store.signing_key()?,
    })
    .await?
    .with_console(notoneless_web::console());
    if args.demo {
        let address = application.address()?;
        demo::seed_if_empty(
            application.store(),
            &format!("http://{address}"),
            args.store.lang,
        )
        .await?;
    }
    args.store.take_calendar(application.store(), true).await?;
    crate::log_cmd::spawn_checkpoints(application.store().clone(), args.checkpoints.clone());
    application.run_until(shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested");
}

#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Create the server's signing key file (mode 0600; never over an existing one): in the
    /// data directory as signing.key, or where --signing-key says.
    Keygen {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Replace the signing key: a new key, announced in the log by an event signed with the
    /// current one; the current key file is kept beside it as <file>.retired-<key id>.
    RotateKey {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Add a county, township or school to the jurisdiction tree.
    AddNode {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        id: String,
        /// county, township or school
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        parent: Option<String>,
    },
    /// Add a user with a one-time password (they choose their own at their first login), and
    /// print both it and their first token (shown this once).
    CreateUser {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// head_teacher, school_leader, principal, township_officer, bureau_officer, inspector, admin
        #[arg(long)]
        role: String,
        /// The user's jurisdiction node.
        #[arg(long)]
        node: String,
        /// How many days the token works (1 to 365).
        #[arg(long, default_value_t = 90,
            value_parser = clap::value_parser!(i64).range(1..=MAX_TOKEN_LIFETIME_DAYS))]
        lifetime_days: i64,
    },
    /// Print a new token for an existing user (shown this once).
    IssueToken {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        user: String,
        /// How many days the token works (1 to 365).
        #[arg(long, default_value_t = 90,
            value_parser = clap::value_parser!(i64).range(1..=MAX_TOKEN_LIFETIME_DAYS))]
        lifetime_days: i64,
    },
    /// Create or update the users of one or more lists (CSV in UTF-8 or GBK, or XLSX) in one
    /// go, all or nothing, and write the new users' one-time passwords into a workbook to hand
    /// out. Exits with status 1, having written nothing, if any row is refused.
    ImportUsers(ImportUsersArgs),
    /// List every user: role, node, whether active, their password (none, one-time, own),
    /// tokens, open sessions, and whether their account is locked.
    ListUsers {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        locks: LockArgs,
    },
    /// Give a user a new one-time password (printed once); their sessions end and their
    /// account is unlocked.
    ResetPassword {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        user: String,
    },
    /// Revoke a token (--token-id), or every token of a user and end every session of theirs
    /// (--user).
    RevokeToken {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long, conflicts_with = "user")]
        token_id: Option<String>,
        #[arg(long)]
        user: Option<String>,
    },
}

impl AdminCommand {
    /// The language the command answers in (`--lang`).
    pub fn lang(&self) -> Lang {
        match self {
            AdminCommand::Keygen { store }
            | AdminCommand::RotateKey { store }
            | AdminCommand::AddNode { store, .. }
            | AdminCommand::CreateUser { store, .. }
            | AdminCommand::IssueToken { store, .. }
            | AdminCommand::ListUsers { store, .. }
            | AdminCommand::ResetPassword { store, .. }
            | AdminCommand::RevokeToken { store, .. } => store.lang,
            AdminCommand::ImportUsers(args) => args.store.lang,
        }
    }
}

/// The actor the command line acts as: the operating-system user at this machine.
pub fn cli_context() -> CommandContext {
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    CommandContext {
        actor: Actor {
            id: format!("cli:{who}"),
            role: "admin".into(),
            jurisdiction: "command line".into(),
        },
        request_id: uuid::Uuid::new_v4().to_string(),
        idempotency_key: None,
    }
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, value: &str, lang: Lang) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(value.to_string())).with_context(|| {
        Message::new(Msg::CliNotAllowedValue)
            .with("what", what)
            .with("value", format!("{value:?}"))
            .text(lang)
    })
}

pub async fn issue_token(store: &Store, user: &str, lifetime_days: i64) -> Result<NewToken> {
    let expires_at: DateTime<Utc> = store.clock.now() + TimeDelta::days(lifetime_days);
    store
        .org
        .issue_token(user, Some(expires_at), &cli_context())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

pub async fn admin(command: AdminCommand) -> Result<ExitCode> {
    match command {
        AdminCommand::Keygen { store } => return crate::log_cmd::keygen(&store),
        AdminCommand::RotateKey { store } => return crate::log_cmd::rotate_key(&store).await,
        AdminCommand::AddNode {
            store,
            id,
            kind,
            name,
            parent,
        } => {
            let lang = store.lang;
            let store = open_store(&store).await?;
            let kind: NodeKind = parse("--kind", &kind, lang)?;
            store
                .org
                .execute(
                    OrgCommand::AddNode(Node {
                        id: id.clone(),
                        kind,
                        name,
                        parent,
                    }),
                    &cli_context(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{}",
                Message::new(Msg::CliNodeAdded).with("id", id).text(lang)
            );
        }
        AdminCommand::CreateUser {
            store,
            id,
            name,
            role,
            node,
            lifetime_days,
        } => {
            let lang = store.lang;
            let store = open_store(&store).await?;
            let role: UserRole = parse("--role", &role, lang)?;
            let password = store
                .add_user(
                    User {
                        id: id.clone(),
                        name,
                        role,
                        node,
                    },
                    &cli_context(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let issued = issue_token(&store, &id, lifetime_days).await?;
            println!(
                "{}",
                Message::new(Msg::CliUserCreated)
                    .with("id", id)
                    .with("password", password.password.expose())
                    .text(lang)
            );
            println!(
                "{}",
                Message::new(Msg::CliUserTokenUntil)
                    .with("until", issued.expires_at.to_rfc3339())
                    .text(lang)
            );
            println!("{}", issued.token);
        }
        AdminCommand::IssueToken {
            store,
            user,
            lifetime_days,
        } => {
            let lang = store.lang;
            let store = open_store(&store).await?;
            users_cmd::refuse_inactive(&store.org.current().org, &user, lang)?;
            let issued = issue_token(&store, &user, lifetime_days).await?;
            eprintln!(
                "{}",
                Message::new(Msg::CliTokenWorksUntil)
                    .with("until", issued.expires_at.to_rfc3339())
                    .text(lang)
            );
            println!("{}", issued.token);
        }
        AdminCommand::ImportUsers(args) => return users_cmd::import_users(args).await,
        AdminCommand::ListUsers { store, locks } => {
            return users_cmd::list_users(&store, locks).await;
        }
        AdminCommand::ResetPassword { store, user } => {
            return users_cmd::reset_password(&store, &user).await;
        }
        AdminCommand::RevokeToken {
            store,
            token_id,
            user,
        } => return users_cmd::revoke(&store, token_id.as_deref(), user.as_deref()).await,
    }
    Ok(ExitCode::SUCCESS)
}
