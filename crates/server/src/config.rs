//! Where the data lives and which rules apply: the flags and environment variables every
//! command that touches the store shares.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use notoneless_domain::{EscalationLadder, SchoolCalendar};
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::org::{CalendarFile, CalendarFileError, CalendarSeeded};
use notoneless_store::signing::{KeyFileError, LogKey, key_path};
use notoneless_store::{Rules, Store};
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
    /// The school calendar (JSON: terms, holidays, make_up_days, utc_offset_minutes), recorded
    /// once as the county's calendar: the same file again records nothing; a different one,
    /// once a calendar is recorded, is refused (change it through the API). Without it and
    /// without a recorded calendar, every weekday counts as a school day.
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
    /// The language of what the command writes for a person to read (its answer, its errors,
    /// a table's headers and labels): zh (the default) or en.
    #[arg(long, default_value = "zh")]
    pub lang: Lang,
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

    /// The rules to open the store with. The calendar is the one recorded on the
    /// organisation stream, laid over every weekday until one is: the `--calendar` file is
    /// recorded there ([`StoreArgs::take_calendar`]), never used beside it.
    pub fn rules(&self) -> Result<Rules> {
        let ladder = match &self.ladder {
            Some(path) => read_json(path, Msg::CliWhatLadder, self.lang)?,
            None => EscalationLadder::default(),
        };
        Ok(Rules {
            calendar: SchoolCalendar::every_weekday(),
            ladder,
        })
    }

    /// The `--calendar` file, read and checked, if one is given.
    pub fn calendar_file(&self) -> Result<Option<CalendarFile>> {
        let Some(path) = &self.calendar else {
            return Ok(None);
        };
        let calendar: SchoolCalendar = read_json(path, Msg::CliWhatCalendar, self.lang)?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(Some(CalendarFile::new(name, calendar)))
    }

    /// Takes the `--calendar` file into the store (ADR 0014), then warns when there is no
    /// calendar at all. A command that writes records the file as the county's calendar
    /// unless one is recorded; one that only reads (`writes` false) records nothing and
    /// refuses a file not recorded yet. Either refuses a file that differs from the calendar
    /// recorded, naming the differences in Chinese and English.
    pub async fn take_calendar(&self, store: &Store, writes: bool) -> Result<()> {
        if let Some(file) = self.calendar_file()? {
            let taken = if writes {
                store
                    .org
                    .seed_calendar(&file, &crate::serve_cmd::cli_context())
                    .await
                    .map(|seeded| {
                        if let CalendarSeeded::Recorded { declared } = seeded {
                            tracing::info!(file = %file.name, declared,
                                "recorded the calendar file as the county's school calendar");
                        }
                    })
            } else {
                store.org.check_calendar_file(&file).await
            };
            match taken {
                Ok(()) => {}
                Err(CalendarFileError::Store(e)) => return Err(e.into()),
                Err(refused) => bail!("{}\n{}", refused.text(Lang::Zh), refused.text(Lang::En)),
            }
        }
        store.org.warn_if_no_calendar();
        Ok(())
    }
}

/// A JSON file (`what` it is: the ladder, the calendar, a case file), or an error in `lang`
/// naming it and its path.
pub fn read_json<T: DeserializeOwned>(path: &Path, what: Msg, lang: Lang) -> Result<T> {
    let failed = |msg: Msg| {
        Message::new(msg)
            .with("what", what)
            .with("path", path.display().to_string())
            .text(lang)
    };
    let text = std::fs::read_to_string(path).with_context(|| failed(Msg::CliCannotReadJson))?;
    serde_json::from_str(&text).with_context(|| failed(Msg::CliJsonNotValid))
}
