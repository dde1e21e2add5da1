//! Where the data lives and which rules apply: the flags and environment variables every
//! command that touches the store shares.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use notoneless_domain::{EscalationLadder, SchoolCalendar};
use notoneless_store::Rules;
use notoneless_store::signing::{KeyFileError, LogKey, key_path};
use serde::de::DeserializeOwned;

#[derive(clap::Args, Clone, Debug)]
pub struct StoreArgs {
    /// The database: postgres://user@host/db, or sqlite://path/to/file.db. Defaults to the
    /// embedded SQLite file notoneless.db in the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The data directory for the embedded database.
    #[arg(long, env = "NOTONELESS_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The school calendar (JSON: terms, holidays, make_up_days, utc_offset_minutes). Without
    /// it every weekday counts as a school day.
    #[arg(long, env = "NOTONELESS_CALENDAR")]
    pub calendar: Option<PathBuf>,
    /// The escalation ladder (JSON). Without it, the plan's "123" ladder.
    #[arg(long, env = "NOTONELESS_LADDER")]
    pub ladder: Option<PathBuf>,
    /// The server's Ed25519 signing key file (mode 0600). Defaults to signing.key in the data
    /// directory; created there on first start when missing (`notoneless admin keygen`
    /// creates one ahead of time).
    #[arg(long, env = "NOTONELESS_SIGNING_KEY")]
    pub signing_key: Option<PathBuf>,
}

impl StoreArgs {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!("sqlite://{}", self.data_dir.join("notoneless.db").display())
        })
    }

    /// Where the signing key file is.
    pub fn signing_key_path(&self) -> PathBuf {
        key_path(self.signing_key.as_deref(), &self.data_dir)
    }

    /// The signing key, for a command that writes events: read from its file, which is
    /// created (mode 0600) when there is none yet.
    pub fn signing_key(&self) -> Result<LogKey> {
        let path = self.signing_key_path();
        let (key, created) = LogKey::read_or_create(&path)?;
        if created {
            tracing::warn!(path = %path.display(), key_id = key.id(),
                "created a new signing key: back it up (docs/operations.md)");
        }
        Ok(key)
    }

    /// A key for a command that only reads: the key file when there is one, else a key that
    /// lives in memory only and signs nothing (nothing is created on disk).
    pub fn reading_key(&self) -> Result<LogKey> {
        match LogKey::read(&self.signing_key_path()) {
            Ok(key) => Ok(key),
            Err(KeyFileError::Missing(_)) => Ok(LogKey::generate()),
            Err(other) => Err(other.into()),
        }
    }

    pub fn rules(&self) -> Result<Rules> {
        let calendar = match &self.calendar {
            Some(path) => read_json(path, "calendar")?,
            // Whether there is then no calendar at all depends on the organisation (a county
            // that declared its terms has one): the store says so once it has read it.
            None => SchoolCalendar::every_weekday(),
        };
        let ladder = match &self.ladder {
            Some(path) => read_json(path, "ladder")?,
            None => EscalationLadder::default(),
        };
        Ok(Rules { calendar, ladder })
    }
}

pub fn read_json<T: DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {what} {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("the {what} {} is not valid", path.display()))
}
