//! The log's keys, checkpoints and inclusion proofs from the command line (`notoneless log …`,
//! `notoneless admin keygen`, `notoneless admin rotate-key`), and the checkpoint schedule of
//! `serve`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::{NaiveTime, TimeDelta};
use notoneless_i18n::{Arg, Lang, Message, Msg};
use notoneless_store::checkpoints::{
    SignedCheckpoint, checkpoint_with_heads, inclusion_proof, list_checkpoints, write_checkpoint,
};
use notoneless_store::log::CASE;
use notoneless_store::log_keys::{announced_keys, rotate};
use notoneless_store::signing::LogKey;
use notoneless_store::{Store, SystemClock};

use crate::config::StoreArgs;
use crate::store_cmd::{connect, connect_existing, write_out};

#[derive(clap::Subcommand)]
pub enum LogCommand {
    /// Print the log's signing keys as the log announces them (key id, public key, valid from,
    /// which key announced it).
    Keys {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Take a signed checkpoint of the log now and write it, with every stream's head, to a
    /// file (for `verify --checkpoint`); standard output without --output.
    Checkpoint {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// List the checkpoints taken, newest first.
    Checkpoints {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Write a checkpoint already taken (the latest without --number), with its heads.
    ExportCheckpoint {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        number: Option<i64>,
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// The inclusion proof of one case in a checkpoint (the latest without --checkpoint): its
    /// events and the Merkle audit path, checkable with scripts/check-proof.py.
    Proof {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        case: String,
        #[arg(long)]
        checkpoint: Option<i64>,
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

impl LogCommand {
    /// The language the command answers in (`--lang`).
    pub fn lang(&self) -> Lang {
        match self {
            LogCommand::Keys { store }
            | LogCommand::Checkpoint { store, .. }
            | LogCommand::Checkpoints { store, .. }
            | LogCommand::ExportCheckpoint { store, .. }
            | LogCommand::Proof { store, .. } => store.lang,
        }
    }
}

fn write_json(output: Option<&Path>, value: &impl serde::Serialize, lang: Lang) -> Result<()> {
    let mut text = serde_json::to_vec_pretty(value)?;
    text.push(b'\n');
    write_out(output, &text, lang)
}

pub async fn log(command: LogCommand) -> Result<ExitCode> {
    match command {
        LogCommand::Keys { store } => {
            let db = connect_existing(&store).await?;
            let keys = announced_keys(&db).await?;
            let lang = store.lang;
            if keys.is_empty() {
                println!("{}", Msg::CliLogNoKeys.text(lang));
            }
            for key in keys {
                let by = match key.announced_by {
                    Some(by) => Arg::from(by),
                    None => Arg::from(Msg::CliLogKeyNobody),
                };
                let message = match key.previous_key_id {
                    Some(previous) => {
                        Message::new(Msg::CliLogKeyReplaces).with("previous", previous)
                    }
                    None => Message::new(Msg::CliLogKey),
                };
                println!(
                    "{}",
                    message
                        .with("key", key.key_id)
                        .with("public", key.public_key)
                        .with(
                            "from",
                            notoneless_store::chain::format_timestamp(key.valid_from)
                        )
                        .with("by", by)
                        .text(lang)
                );
            }
        }
        LogCommand::Checkpoint { store, output } => {
            let db = connect_existing(&store).await?;
            let signer = notoneless_store::log_keys::LogSigner::new(store.signing_key()?);
            let checkpoint = write_checkpoint(&db, &signer, &SystemClock).await?;
            write_json(output.as_deref(), &checkpoint, store.lang)?;
            if let Some(path) = output {
                let c = &checkpoint.checkpoint;
                println!(
                    "{}",
                    Message::new(Msg::CliCheckpointWritten)
                        .with("number", c.number)
                        .with("events", c.log_size)
                        .with("streams", c.streams)
                        .with("root", c.root.to_string())
                        .with("path", path.display().to_string())
                        .text(store.lang)
                );
            }
        }
        LogCommand::Checkpoints { store, limit } => {
            let db = connect_existing(&store).await?;
            for c in list_checkpoints(&db, limit.clamp(1, 10_000), 0).await? {
                let c = c.checkpoint;
                println!(
                    "{}",
                    Message::new(Msg::CliCheckpointsLine)
                        .with("number", c.number)
                        .with("at", c.at.to_string())
                        .with("events", c.log_size)
                        .with("streams", c.streams)
                        .with("root", c.root.to_string())
                        .with("key", c.key_id.to_string())
                        .text(store.lang)
                );
            }
        }
        LogCommand::ExportCheckpoint {
            store,
            number,
            output,
        } => {
            let db = connect_existing(&store).await?;
            let Some(checkpoint) = checkpoint_with_heads(&db, number).await? else {
                bail!("{}", Msg::CliNoSuchCheckpoint.text(store.lang));
            };
            write_json(output.as_deref(), &checkpoint, store.lang)?;
        }
        LogCommand::Proof {
            store,
            case,
            checkpoint,
            output,
        } => {
            let db = connect_existing(&store).await?;
            let Some(proof) = inclusion_proof(&db, CASE, &case, checkpoint).await? else {
                bail!(
                    "{}",
                    Message::new(Msg::CliNoSuchProof)
                        .with("case", case)
                        .text(store.lang)
                );
            };
            write_json(output.as_deref(), &proof, store.lang)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `notoneless admin keygen`: a new key file, never over an existing one.
pub fn keygen(store: &StoreArgs) -> Result<ExitCode> {
    let path = store.signing_key_path();
    let key = LogKey::create(&path)?;
    let lang = store.lang;
    println!(
        "{}",
        Message::new(Msg::CliKeygenWritten)
            .with("key", key.id().to_string())
            .with("path", path.display().to_string())
            .with("public", key.public_hex().to_string())
            .text(lang)
    );
    println!("{}", Msg::CliKeygenBackUp.text(lang));
    Ok(ExitCode::SUCCESS)
}

/// `notoneless admin rotate-key`: a new key, announced in the log by an event signed with the
/// current one; the current key file is kept beside it as `<file>.retired-<key id>`.
pub async fn rotate_key(store: &StoreArgs) -> Result<ExitCode> {
    let lang = store.lang;
    let path = store.signing_key_path();
    let old = LogKey::read(&path)?;
    let db = connect(store).await?;
    let fresh_path = path.with_extension("new");
    let new = LogKey::create(&fresh_path)?;
    let announced = rotate(&db, &SystemClock, &old, &new).await;
    let announced = match announced {
        Ok(a) => a,
        Err(e) => {
            let _ = std::fs::remove_file(&fresh_path);
            return Err(e).with_context(|| Msg::CliRotateNotAnnounced.text(lang));
        }
    };
    let retired = path.with_extension(format!("key.retired-{}", old.id()));
    let moved = |msg: Msg, to: &Path| {
        Message::new(msg)
            .with("path", to.display().to_string())
            .text(lang)
    };
    std::fs::rename(&path, &retired)
        .with_context(|| moved(Msg::CliRotateCannotMoveOld, &retired))?;
    std::fs::rename(&fresh_path, &path)
        .with_context(|| moved(Msg::CliRotateCannotMoveNew, &path))?;
    println!(
        "{}",
        Message::new(Msg::CliRotateAnnounced)
            .with("key", announced.key_id)
            .with("old", old.id().to_string())
            .with(
                "from",
                notoneless_store::chain::format_timestamp(announced.valid_from)
            )
            .with("retired", retired.display().to_string())
            .text(lang)
    );
    println!("{}", Msg::CliRotateRestart.text(lang));
    Ok(ExitCode::SUCCESS)
}

/// When `serve` takes its checkpoints.
#[derive(clap::Args, Clone, Debug)]
pub struct CheckpointSchedule {
    /// Take a signed checkpoint of the log every this many minutes (0: only at the end of the
    /// school day).
    #[arg(
        long,
        env = "NOTONELESS_CHECKPOINT_EVERY_MINUTES",
        default_value_t = 60
    )]
    pub checkpoint_every_minutes: i64,
    /// And at this local time each day (the end of the school day), HH:MM in the calendar's
    /// time zone.
    #[arg(long, env = "NOTONELESS_CHECKPOINT_AT", default_value = "17:30")]
    pub checkpoint_at: NaiveTime,
}

/// Takes checkpoints on the schedule, for as long as the server runs. A checkpoint is skipped
/// when the log has not grown since the last one.
pub fn spawn_checkpoints(store: Arc<Store>, schedule: CheckpointSchedule) {
    tokio::spawn(async move {
        let every = if schedule.checkpoint_every_minutes > 0 {
            TimeDelta::minutes(schedule.checkpoint_every_minutes)
        } else {
            TimeDelta::days(3650)
        };
        let mut last = store.clock.now();
        let mut last_size = None;
        loop {
            let now = store.clock.now();
            let offset = store.rules.get().calendar.spec().utc_offset_minutes;
            let next = notoneless_store::checkpoints::next_checkpoint_at(
                now,
                last,
                every,
                schedule.checkpoint_at,
                offset,
            );
            let wait = (next - now).to_std().unwrap_or_default();
            tokio::time::sleep(wait.max(std::time::Duration::from_secs(1))).await;
            last = store.clock.now();
            match take_if_grown(&store, last_size).await {
                Ok(Some(checkpoint)) => {
                    last_size = Some(checkpoint.checkpoint.log_size);
                    tracing::info!(
                        number = checkpoint.checkpoint.number,
                        log_size = checkpoint.checkpoint.log_size,
                        root = %checkpoint.checkpoint.root,
                        "took a signed checkpoint of the log"
                    );
                }
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "could not take a checkpoint; will try again"),
            }
        }
    });
}

async fn take_if_grown(
    store: &Store,
    last_size: Option<i64>,
) -> Result<Option<SignedCheckpoint>, notoneless_store::StoreError> {
    let size = store
        .db
        .fetch_optional(
            notoneless_store::db::Sql::both("SELECT count(*) AS n FROM events"),
            &[],
        )
        .await?
        .map_or(Ok(0), |row| row.i64("n"))?;
    if last_size == Some(size) {
        return Ok(None);
    }
    write_checkpoint(&store.db, &store.signer, store.clock.as_ref())
        .await
        .map(Some)
}
