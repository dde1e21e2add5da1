//! `notoneless admin import-users`, `list-users`, `reset-password` and `revoke-token`: the
//! users and their credentials from the command line, against the database, acting as
//! `cli:<operating-system user>` like every `admin` command. Each change is an organisation
//! event (passwords only as their hashes), each reset and ending of sessions in the sign-in
//! log.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::TimeDelta;
use notoneless_domain::OrgCommand;
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::sessions::SessionPolicy;
use notoneless_store::users::{commit_user_import, handout_workbook, prepare_user_import};

use crate::config::StoreArgs;
use crate::import_cmd::{ListArgs, line, read_list_file, rejection};
use crate::serve_cmd::cli_context;
use crate::store_cmd::open_with_org;

/// When wrong passwords lock an account: `serve` and `admin list-users` read the same.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct LockArgs {
    /// Wrong passwords for one account, within --login-lock-minutes, that lock it.
    #[arg(long, env = "NOTONELESS_LOGIN_FAILURE_LIMIT", default_value_t = 10,
        value_parser = clap::value_parser!(u32).range(1..))]
    pub login_failure_limit: u32,
    /// How long a locked account stays locked, from the first of the wrong passwords.
    #[arg(long, env = "NOTONELESS_LOGIN_LOCK_MINUTES", default_value_t = 15,
        value_parser = clap::value_parser!(i64).range(1..=1_440))]
    pub login_lock_minutes: i64,
}

impl LockArgs {
    /// The session policy with these locks (and the default session times).
    pub fn policy(&self) -> SessionPolicy {
        SessionPolicy {
            lock_after: self.login_failure_limit,
            lock_for: TimeDelta::minutes(self.login_lock_minutes),
            ..SessionPolicy::default()
        }
    }
}

#[derive(clap::Args)]
pub struct ImportUsersArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub list: ListArgs,
    /// The users' lists (CSV in UTF-8 or GBK, or XLSX), with the header id,name,role,node
    /// or 用户名,姓名,角色,单位; a role by its code (head_teacher) or its Chinese name (班主任).
    /// All of them are imported together, or none.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The workbook (XLSX) to write the new users' one-time passwords to, a sheet per school,
    /// to print and hand out. Required when there are new users; never overwritten.
    #[arg(long)]
    pub passwords: Option<PathBuf>,
}

/// Creates or updates the users of the lists, all or nothing; the new users' one-time
/// passwords go into the handout, written before anything is recorded (and removed again if
/// recording fails). Exits with status 1, having written nothing, if any row is refused.
pub async fn import_users(args: ImportUsersArgs) -> Result<ExitCode> {
    let lang = args.store.lang;
    let mut texts = Vec::with_capacity(args.files.len());
    for file in &args.files {
        texts.push(read_list_file(file, "FILE", args.list.encoding, lang)?);
    }
    let store = open_with_org(&args.store).await?;
    let lists: Vec<&str> = texts.iter().map(String::as_str).collect();
    let prepared = match prepare_user_import(&store, &lists)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        Ok(prepared) => prepared,
        Err(refused) => {
            let mut out = line(
                lang,
                false,
                Message::new(Msg::CliUsersRefused).with("count", refused.len()),
            );
            for error in &refused {
                out.push_str(&rejection(
                    &args.files[error.list],
                    &error.error.in_lang(lang),
                    lang,
                ));
            }
            print!("{out}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let handout = match (&args.passwords, prepared.issued.is_empty()) {
        (_, true) => None,
        (None, false) => bail!(
            "{}",
            Message::new(Msg::CliUsersPasswordsNeeded)
                .with("count", prepared.issued.len())
                .text(lang)
        ),
        (Some(path), false) => {
            let bytes = handout_workbook(&store.org.current().org, &prepared.issued)?;
            write_secret_file(path, &bytes, lang)?;
            Some(path)
        }
    };
    if let Err(error) = commit_user_import(&store, &prepared, &cli_context()).await {
        if let Some(path) = handout {
            let _ = std::fs::remove_file(path);
        }
        bail!(
            "{}",
            Message::new(Msg::CliUsersNotImported)
                .with("error", error.to_string())
                .text(lang)
        );
    }
    let plan = &prepared.plan;
    let mut out = line(
        lang,
        false,
        Message::new(Msg::CliUsersSummary)
            .with("added", plan.added.len())
            .with("updated", plan.updated.len())
            .with("unchanged", plan.unchanged.len()),
    );
    for (what, users) in [
        (Msg::CliUsersAdded, &plan.added),
        (Msg::CliUsersUpdated, &plan.updated),
    ] {
        for listed in users.iter() {
            out.push_str(&line(
                lang,
                true,
                Message::new(what)
                    .with("id", listed.user.id.as_str())
                    .with("role", listed.user.role.label())
                    .with("node", listed.user.node.as_str())
                    .with("file", args.files[listed.list].display().to_string())
                    .with("line", listed.row),
            ));
        }
    }
    if let Some(path) = handout {
        out.push_str(&line(
            lang,
            false,
            Message::new(Msg::CliUsersHandout).with("path", path.display().to_string()),
        ));
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// Writes a file that holds secrets: created anew (an existing file is never overwritten),
/// readable by its owner only.
fn write_secret_file(path: &Path, bytes: &[u8], lang: Lang) -> Result<()> {
    let refused = |msg: Msg| {
        Message::new(msg)
            .with("path", path.display().to_string())
            .text(lang)
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| refused(Msg::CliPasswordsCannotCreate))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| refused(Msg::CliPasswordsCannotWrite))
}

/// Every user: name, role, node, whether active, their password (none, one-time, their
/// own), their tokens, their open sessions, and a lock.
pub async fn list_users(store_args: &StoreArgs, locks: LockArgs) -> Result<ExitCode> {
    let store = open_with_org(store_args).await?;
    let snapshot = store.org.current();
    let org = &snapshot.org;
    let policy = locks.policy();
    let lang = store_args.lang;
    let mut out = [
        Msg::CliUsersColumnId,
        Msg::CliUsersColumnName,
        Msg::CliUsersColumnRole,
        Msg::CliUsersColumnNode,
        Msg::CliUsersColumnActive,
        Msg::CliUsersColumnPassword,
        Msg::CliUsersColumnTokens,
        Msg::CliUsersColumnSessions,
        Msg::CliUsersColumnLockedUntil,
    ]
    .map(|column| column.text(lang))
    .join("\t");
    out.push('\n');
    for user in org.users.values() {
        let password = match org.passwords.get(&user.id) {
            None => Msg::CliUsersPasswordNone,
            Some(p) if p.one_time => Msg::CliUsersPasswordOneTime,
            Some(_) => Msg::CliUsersPasswordOwn,
        }
        .text(lang);
        let tokens = org.tokens.values().filter(|t| t.user == user.id).count();
        let sessions = store.sessions.open_count(&user.id, &policy).await?;
        let locked = store
            .sessions
            .locked_until(&user.id, &policy)
            .await?
            .map_or_else(|| "-".to_string(), |t| t.to_rfc3339());
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{password}\t{tokens}\t{sessions}\t{locked}\n",
            user.id,
            user.name,
            user.role.as_str(),
            user.node,
            if org.is_active(&user.id) {
                Msg::CliYes
            } else {
                Msg::CliNo
            }
            .text(lang),
        ));
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// Gives a user a new one-time password, printed once; their sessions end and their account
/// is unlocked.
pub async fn reset_password(store_args: &StoreArgs, user: &str) -> Result<ExitCode> {
    let lang = store_args.lang;
    let store = open_with_org(store_args).await?;
    refuse_inactive(&store.org.current().org, user, lang)?;
    let issued = store
        .reset_password(user, &cli_context())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "{}",
        Message::new(Msg::CliPasswordReset)
            .with("user", user)
            .text(lang)
    );
    println!("{}", issued.password.expose());
    Ok(ExitCode::SUCCESS)
}

/// Revokes one token, or every token of a user and ends every session of theirs (a phone
/// lost, a password seen).
pub async fn revoke(
    store_args: &StoreArgs,
    token_id: Option<&str>,
    user: Option<&str>,
) -> Result<ExitCode> {
    let lang = store_args.lang;
    if token_id.is_none() == user.is_none() {
        bail!("{}", Msg::CliRevokeWhich.text(lang));
    }
    let store = open_with_org(store_args).await?;
    match (token_id, user) {
        (Some(token_id), None) => {
            store
                .org
                .execute(
                    OrgCommand::RevokeToken {
                        token_id: token_id.to_string(),
                    },
                    &cli_context(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{}",
                Message::new(Msg::CliRevokedToken)
                    .with("id", token_id)
                    .text(lang)
            );
        }
        (None, Some(user)) => {
            let tokens: Vec<OrgCommand> = store
                .org
                .current()
                .org
                .tokens
                .iter()
                .filter(|(_, t)| t.user == user)
                .map(|(id, _)| OrgCommand::RevokeToken {
                    token_id: id.clone(),
                })
                .collect();
            let revoked = tokens.len();
            let context = cli_context();
            if !tokens.is_empty() {
                store
                    .org
                    .execute(OrgCommand::Batch(tokens), &context)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            let ended = store.end_sessions(user, &context).await?;
            println!(
                "{}",
                Message::new(Msg::CliRevokedUser)
                    .with("tokens", revoked)
                    .with("sessions", ended)
                    .with("user", user)
                    .text(lang)
            );
        }
        _ => bail!("{}", Msg::CliRevokeWhich.text(lang)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses a user who is not an active user of the organisation (`--user`), in `lang`.
pub fn refuse_inactive(
    org: &notoneless_domain::Organisation,
    user: &str,
    lang: Lang,
) -> Result<()> {
    if !org.is_active(user) {
        bail!(
            "{}",
            Message::new(Msg::CliNoActiveUser)
                .with("user", user)
                .text(lang)
        );
    }
    Ok(())
}
