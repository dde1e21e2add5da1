//! `notoneless serve`: the HTTP API with its projector, and `notoneless admin`: the first
//! steps of a deployment, from the command line against the database.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, TimeDelta, Utc};
use notoneless_api::application::{Application, Config};
use notoneless_api::security::{MAX_TOKEN_LIFETIME_DAYS, SecurityConfig};
use notoneless_domain::{Node, NodeKind, OrgCommand, User, UserRole};
use notoneless_store::org::NewToken;
use notoneless_store::{Actor, Clock, CommandContext, Store, SystemClock, TrainingClock};

use crate::config::StoreArgs;
use crate::demo;
use crate::store_cmd::{CONNECT_ATTEMPTS, connect};

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
    #[command(flatten)]
    pub clock: ClockArgs,
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
            ..SecurityConfig::default()
        }
    }
}

async fn open_store(args: &StoreArgs) -> Result<Arc<Store>> {
    let rules = args.rules()?;
    let store = Store::new(connect(args).await?, rules, Arc::new(SystemClock));
    store
        .org
        .reload()
        .await
        .context("cannot read the organisation")?;
    Ok(Arc::new(store))
}

pub async fn serve(args: ServeArgs) -> Result<ExitCode> {
    let application = Application::build(Config {
        database_url: args.store.database_url(),
        rules: args.store.rules()?,
        clock: args.clock.clock(),
        security: args.security(),
        listen: args.listen,
        connect_attempts: CONNECT_ATTEMPTS,
    })
    .await?;
    if args.demo {
        let address = application.address()?;
        demo::seed_if_empty(application.store(), &format!("http://{address}")).await?;
    }
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
    /// Add a user and print their first token (shown this once).
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

fn parse<T: serde::de::DeserializeOwned>(what: &str, value: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(value.to_string()))
        .with_context(|| format!("{what}: {value:?} is not one of the allowed values"))
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
        AdminCommand::AddNode {
            store,
            id,
            kind,
            name,
            parent,
        } => {
            let store = open_store(&store).await?;
            let kind: NodeKind = parse("--kind", &kind)?;
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
            println!("added {id}");
        }
        AdminCommand::CreateUser {
            store,
            id,
            name,
            role,
            node,
            lifetime_days,
        } => {
            let store = open_store(&store).await?;
            let role: UserRole = parse("--role", &role)?;
            store
                .org
                .execute(
                    OrgCommand::AddUser(User {
                        id: id.clone(),
                        name,
                        role,
                        node,
                    }),
                    &cli_context(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let issued = issue_token(&store, &id, lifetime_days).await?;
            println!(
                "user {id} created; their token works until {} (shown once, store it safely):\n{}",
                issued.expires_at.to_rfc3339(),
                issued.token
            );
        }
        AdminCommand::IssueToken {
            store,
            user,
            lifetime_days,
        } => {
            let store = open_store(&store).await?;
            if !store.org.current().org.is_active(&user) {
                bail!("--user: there is no active user {user}");
            }
            let issued = issue_token(&store, &user, lifetime_days).await?;
            eprintln!("the token works until {}", issued.expires_at.to_rfc3339());
            println!("{}", issued.token);
        }
    }
    Ok(ExitCode::SUCCESS)
}
