//! Storage failures. None of them is a domain error: a refused command is a
//! [`notoneless_domain::CaseError`], never one of these.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The database does not answer (down, unreachable, out of connections, disk unwritable).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The URL names neither backend. Only the scheme is kept: a URL may hold a password.
    #[error(
        "the database URL's scheme {0:?} is not understood: expected postgres://… or sqlite://…"
    )]
    BadUrl(String),
    /// A write lost a race: another writer took the same key first.
    #[error("a concurrent write took the same key")]
    Conflict,
    /// A command that only reads was pointed at a place that holds no database.
    #[error("no Not One Less database there: {0}; nothing was created")]
    NoDatabase(NoDatabase),
    /// The signing key cannot be used on this log.
    #[error("signing: {0}")]
    Signing(String),
    #[error("migration failed: {0}")]
    Migration(String),
    /// Stored data that cannot be read back as written.
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(String),
    /// An opening or reopening refused in the write's transaction: the child has another open
    /// case file (`one_case`). The command path answers it as [`crate::CommandError::OneCase`].
    #[error(transparent)]
    OneCase(#[from] crate::one_case::OneCaseRefusal),
}

/// Why a place holds no Not One Less database.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoDatabase {
    /// The SQLite file is not there.
    #[error("there is no database file {0}")]
    NoFile(String),
    /// PostgreSQL has no database of that name.
    #[error("the database does not exist")]
    NoSuchDatabase,
    /// A database, but never migrated: it holds no Not One Less tables.
    #[error("the database holds no Not One Less tables (was it ever migrated?)")]
    NotMigrated,
}

impl NoDatabase {
    /// The reason, for a person, in the catalogue's words.
    pub fn message(&self) -> notoneless_i18n::Message {
        use notoneless_i18n::{Message, Msg};
        match self {
            NoDatabase::NoFile(file) => {
                Message::new(Msg::NoDatabaseFile).with("file", file.as_str())
            }
            NoDatabase::NoSuchDatabase => Message::new(Msg::NoSuchDatabase),
            NoDatabase::NotMigrated => Message::new(Msg::DatabaseNotMigrated),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) => {
                // 23505: PostgreSQL unique_violation; 2067 and 1555: SQLite UNIQUE and
                // PRIMARY KEY constraint failures.
                if matches!(db.code().as_deref(), Some("23505" | "2067" | "1555")) {
                    return StoreError::Conflict;
                }
                // SQLite: 5 busy, 6 locked, 13 full, 8 read-only, 10 I/O error, 14 cannot open.
                if matches!(
                    db.code().as_deref(),
                    Some("5" | "6" | "13" | "8" | "10" | "14" | "57P01" | "57P03" | "53300")
                ) {
                    return StoreError::Unavailable(db.message().to_string());
                }
                StoreError::Database(db.message().to_string())
            }
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error.to_string()),
            sqlx::Error::ColumnNotFound(_)
            | sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::Decode(_)
            | sqlx::Error::TypeNotFound { .. } => StoreError::Corrupt(error.to_string()),
            _ => StoreError::Database(error.to_string()),
        }
    }
}
