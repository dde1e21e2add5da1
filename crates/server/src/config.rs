//! Where the data lives and which rules apply: the flags and environment variables every
//! command that touches the store shares.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use notoneless_domain::{EscalationLadder, SchoolCalendar};
use notoneless_store::Rules;
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
}

impl StoreArgs {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!("sqlite://{}", self.data_dir.join("notoneless.db").display())
        })
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
