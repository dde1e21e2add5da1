//! The two backends behind one small interface: connect, migrate, run a statement with
//! parameters, read typed columns, and transactions. Statements are written once per dialect
//! where they differ ([`Sql`]); values are bound and read through [`P`] and [`DbRow`], which
//! store timestamps, dates and JSON natively on PostgreSQL and as text on SQLite.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{PgPool, Postgres, Row, Sqlite, SqlitePool, Transaction};

use crate::chain::format_timestamp;
use crate::error::{NoDatabase, StoreError};

static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Which database a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A connection pool to one of the two backends.
#[derive(Clone, Debug)]
pub enum Db {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// A statement, written for each dialect.
#[derive(Clone, Copy, Debug)]
pub struct Sql<'a> {
    pub postgres: &'a str,
    pub sqlite: &'a str,
}

impl<'a> Sql<'a> {
    /// A statement both dialects read the same way (`$1`-style parameters in order).
    pub const fn both(sql: &'a str) -> Self {
        Self {
            postgres: sql,
            sqlite: sql,
        }
    }
}

/// `($first, $first+1, …)`: `count` numbered placeholders in parentheses, for statements
/// built for many rows or ids at once (both dialects take `$n`).
pub fn placeholders(first: usize, count: usize) -> String {
    let numbers: Vec<String> = (first..first + count).map(|i| format!("${i}")).collect();
    format!("({})", numbers.join(", "))
}

/// A parameter value.
#[derive(Clone, Debug)]
pub enum P {
    Text(String),
    OptText(Option<String>),
    I64(i64),
    OptI64(Option<i64>),
    Ts(DateTime<Utc>),
    OptTs(Option<DateTime<Utc>>),
    Date(NaiveDate),
    OptDate(Option<NaiveDate>),
    Json(Value),
}

impl P {
    pub fn text(s: impl Into<String>) -> Self {
        P::Text(s.into())
    }
}

/// How the database URL names the backend.
pub fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else {
        let scheme = url.split(':').next().unwrap_or_default();
        Err(StoreError::BadUrl(scheme.to_string()))
    }
}

impl Db {
    /// Connects to the database the URL names (`postgres://…` or `sqlite://path`), building
    /// our own pool: a database that is down is an error to report and retry, never a panic.
    /// A SQLite file and its folder are created when missing.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        match backend_of(url)? {
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|_| StoreError::BadUrl("postgres".into()))?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    // No ping before each use: it doubled the round trips of every command. A
                    // connection the server dropped fails its statement as "unavailable", the
                    // pool discards it, and the command path retries or answers 503.
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await?;
                Ok(Db::Postgres(pool))
            }
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|_| StoreError::BadUrl("sqlite".into()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: an acknowledged fact survives a power cut, not only a crash.
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true);
                let file = options.get_filename();
                if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Unavailable(format!(
                            "cannot create the data directory {}: {e}",
                            dir.display()
                        ))
                    })?;
                    writable(dir)?;
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Ok(Db::Sqlite(pool))
            }
        }
    }

    /// Connects to a Not One Less database that exists already, for the commands that only
    /// read (`verify`, `review`, `export`, `check-projections`): a SQLite file that is not
    /// there is not created, and a PostgreSQL database that does not exist or holds no
    /// Not One Less tables (it was never migrated) is refused with [`StoreError::NoDatabase`],
    /// so that a wrong path or URL is not answered "clean" from an empty log.
    pub async fn connect_existing(url: &str) -> Result<Db, StoreError> {
        if backend_of(url)? == Backend::Sqlite {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|_| StoreError::BadUrl("sqlite".into()))?;
            let file = options.get_filename();
            if !file.is_file() {
                return Err(StoreError::NoDatabase(NoDatabase::NoFile(
                    file.display().to_string(),
                )));
            }
        }
        let db = match Db::connect(url).await {
            Err(StoreError::Database(reason)) if reason.contains("does not exist") => {
                return Err(StoreError::NoDatabase(NoDatabase::NoSuchDatabase));
            }
            other => other?,
        };
        let migrated = db
            .fetch_optional(
                Sql {
                    postgres: "SELECT 1 AS found FROM pg_tables WHERE schemaname = current_schema() AND tablename = '_sqlx_migrations'",
                    sqlite: "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                },
                &[],
            )
            .await?
            .is_some();
        if !migrated {
            db.close().await;
            return Err(StoreError::NoDatabase(NoDatabase::NotMigrated));
        }
        Ok(db)
    }

    /// [`Db::connect`], retried every `every` until it works or `attempts` have failed; each
    /// failure is logged with the reason.
    pub async fn connect_with_retry(
        url: &str,
        attempts: u32,
        every: Duration,
    ) -> Result<Db, StoreError> {
        Self::connect_retrying(url, attempts, every, false).await
    }

    /// [`Db::connect_existing`], retried as [`Db::connect_with_retry`] is.
    pub async fn connect_existing_with_retry(
        url: &str,
        attempts: u32,
        every: Duration,
    ) -> Result<Db, StoreError> {
        Self::connect_retrying(url, attempts, every, true).await
    }

    async fn connect_retrying(
        url: &str,
        attempts: u32,
        every: Duration,
        existing: bool,
    ) -> Result<Db, StoreError> {
        let mut attempt = 1;
        loop {
            let connected = if existing {
                Db::connect_existing(url).await
            } else {
                Db::connect(url).await
            };
            match connected {
                Ok(db) => return Ok(db),
                Err(StoreError::Unavailable(reason)) if attempt < attempts => {
                    tracing::warn!(attempt, %reason, "the database is unavailable; retrying");
                    tokio::time::sleep(every).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Closes every connection and waits until they are closed (SQLite folds its
    /// write-ahead log into the database file as the last one closes). A pool merely dropped
    /// closes them in the background, after the caller has moved on.
    pub async fn close(&self) {
        match self {
            Db::Postgres(pool) => pool.close().await,
            Db::Sqlite(pool) => pool.close().await,
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Postgres(_) => Backend::Postgres,
            Db::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Applies the migrations in `migrations/postgres` or `migrations/sqlite` (embedded in the
    /// binary) that have not been applied yet.
    ///
    /// When none is pending it changes nothing, so that the application's own role, which may
    /// not create tables (docs/operations.md), can start; pending migrations are applied by the
    /// owner with `notoneless migrate`.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self {
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
        };
        let applied: Vec<i64> = self
            .fetch_all(
                Sql::both("SELECT version FROM _sqlx_migrations WHERE success"),
                &[],
            )
            .await
            .map(|rows| rows.iter().filter_map(|r| r.i64("version").ok()).collect())
            .unwrap_or_default();
        if !migrator.iter().all(|m| applied.contains(&m.version)) {
            let result = match self {
                Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
                Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            };
            result.map_err(|e| {
                StoreError::Migration(format!(
                    "{e} (pending migrations are applied by the database's owner: notoneless migrate)"
                ))
            })?;
        }
        // What a migration leaves to be read from the log (once; a look-up otherwise).
        crate::one_case::fill_from_log(self).await
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.execute(Sql::both("SELECT 1"), &[]).await.map(|_| ())
    }

    /// A read-write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so that a transaction that reads before it writes cannot fail to upgrade.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
            Db::Sqlite(pool) => Tx::Sqlite(
                Transaction::begin(
                    sqlite_connection(pool).await?,
                    Some("BEGIN IMMEDIATE".into()),
                )
                .await?,
            ),
        })
    }

    /// A read-only transaction that sees one consistent snapshot and blocks no writer.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
            Db::Sqlite(pool) => {
                Tx::Sqlite(Transaction::begin(sqlite_connection(pool).await?, None).await?)
            }
        })
    }

    pub async fn execute(&self, sql: Sql<'_>, params: &[P]) -> Result<u64, StoreError> {
        Ok(match self {
            Db::Postgres(pool) => bind_pg(sqlx::query(sql.postgres), params)
                .execute(pool)
                .await?
                .rows_affected(),
            Db::Sqlite(pool) => bind_sqlite(sqlx::query(sql.sqlite), params)
                .execute(pool)
                .await?
                .rows_affected(),
        })
    }

    pub async fn fetch_all(&self, sql: Sql<'_>, params: &[P]) -> Result<Vec<DbRow>, StoreError> {
        Ok(match self {
            Db::Postgres(pool) => bind_pg(sqlx::query(sql.postgres), params)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(DbRow::Postgres)
                .collect(),
            Db::Sqlite(pool) => bind_sqlite(sqlx::query(sql.sqlite), params)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(DbRow::Sqlite)
                .collect(),
        })
    }

    pub async fn fetch_optional(
        &self,
        sql: Sql<'_>,
        params: &[P],
    ) -> Result<Option<DbRow>, StoreError> {
        Ok(match self {
            Db::Postgres(pool) => bind_pg(sqlx::query(sql.postgres), params)
                .fetch_optional(pool)
                .await?
                .map(DbRow::Postgres),
            Db::Sqlite(pool) => bind_sqlite(sqlx::query(sql.sqlite), params)
                .fetch_optional(pool)
                .await?
                .map(DbRow::Sqlite),
        })
    }
}

/// Whether SQLite can write in the data directory (the database file, its journal and its
/// shared-memory file all live there): a read-only file system or folder is said plainly,
/// once, instead of SQLite's "unable to open database file" retried.
fn writable(dir: &std::path::Path) -> Result<(), StoreError> {
    let probe = dir.join(format!(".notoneless-write-check-{}", std::process::id()));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe);
    match result {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::ReadOnlyFilesystem => {
            Err(StoreError::Database(format!(
                "the data directory {} is on a read-only file system: the database cannot be written; nothing was written",
                dir.display()
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(StoreError::Database(format!(
                "the data directory {} is read-only for this user: the database cannot be written; nothing was written",
                dir.display()
            )))
        }
        Err(e) => Err(StoreError::Unavailable(format!(
            "cannot write in the data directory {}: {e}",
            dir.display()
        ))),
    }
}

/// A SQLite connection from the pool that is not inside a transaction. When a COMMIT fails
/// (disk full, an I/O error), SQLite rolls the transaction back itself but sqlx 0.8 still
/// counts it as open, and that connection would refuse every later `BEGIN IMMEDIATE`: such a
/// connection is closed and another one taken, so the server recovers once the disk does.
async fn sqlite_connection(
    pool: &SqlitePool,
) -> Result<sqlx::pool::PoolConnection<Sqlite>, StoreError> {
    use sqlx::Connection;
    for _ in 0..=pool.options().get_max_connections() {
        let connection = pool.acquire().await?;
        if !connection.is_in_transaction() {
            return Ok(connection);
        }
        tracing::warn!("closing a database connection left inside a failed transaction");
        let _ = connection.close().await;
    }
    Err(StoreError::Unavailable(
        "no database connection outside a failed transaction".into(),
    ))
}

/// An open transaction on either backend. Dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

impl Tx {
    pub async fn execute(&mut self, sql: Sql<'_>, params: &[P]) -> Result<u64, StoreError> {
        Ok(match self {
            Tx::Postgres(tx) => bind_pg(sqlx::query(sql.postgres), params)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Tx::Sqlite(tx) => bind_sqlite(sqlx::query(sql.sqlite), params)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    pub async fn fetch_all(
        &mut self,
        sql: Sql<'_>,
        params: &[P],
    ) -> Result<Vec<DbRow>, StoreError> {
        Ok(match self {
            Tx::Postgres(tx) => bind_pg(sqlx::query(sql.postgres), params)
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(DbRow::Postgres)
                .collect(),
            Tx::Sqlite(tx) => bind_sqlite(sqlx::query(sql.sqlite), params)
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(DbRow::Sqlite)
                .collect(),
        })
    }

    pub async fn fetch_optional(
        &mut self,
        sql: Sql<'_>,
        params: &[P],
    ) -> Result<Option<DbRow>, StoreError> {
        Ok(match self {
            Tx::Postgres(tx) => bind_pg(sqlx::query(sql.postgres), params)
                .fetch_optional(&mut **tx)
                .await?
                .map(DbRow::Postgres),
            Tx::Sqlite(tx) => bind_sqlite(sqlx::query(sql.sqlite), params)
                .fetch_optional(&mut **tx)
                .await?
                .map(DbRow::Sqlite),
        })
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Postgres(tx) => tx.commit().await?,
            Tx::Sqlite(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Ends the transaction now, writing nothing (a dropped one is rolled back only when its
    /// connection is next used, and until then holds PostgreSQL's commit-order bound back).
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Postgres(tx) => tx.rollback().await?,
            Tx::Sqlite(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

type PgQuery<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;
type SqliteQuery<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Statements with more parameters than this are the ones built for a batch (many rows to a
/// statement, a list of case ids), whose text changes with the batch's size. They are not
/// kept prepared: every size would be one more statement in every connection's cache, on
/// our side and in PostgreSQL's backends, used once (docs/performance.md, "Memory").
const MAX_KEPT_PARAMETERS: usize = 64;

fn bind_pg<'q>(query: PgQuery<'q>, params: &'q [P]) -> PgQuery<'q> {
    let mut query = query.persistent(params.len() <= MAX_KEPT_PARAMETERS);
    for param in params {
        query = match param {
            P::Text(v) => query.bind(v.as_str()),
            P::OptText(v) => query.bind(v.as_deref()),
            P::I64(v) => query.bind(*v),
            P::OptI64(v) => query.bind(*v),
            P::Ts(v) => query.bind(*v),
            P::OptTs(v) => query.bind(*v),
            P::Date(v) => query.bind(*v),
            P::OptDate(v) => query.bind(*v),
            P::Json(v) => query.bind(v),
        };
    }
    query
}

fn bind_sqlite<'q>(query: SqliteQuery<'q>, params: &'q [P]) -> SqliteQuery<'q> {
    let mut query = query.persistent(params.len() <= MAX_KEPT_PARAMETERS);
    for param in params {
        query = match param {
            P::Text(v) => query.bind(v.as_str()),
            P::OptText(v) => query.bind(v.as_deref()),
            P::I64(v) => query.bind(*v),
            P::OptI64(v) => query.bind(*v),
            P::Ts(v) => query.bind(format_timestamp(*v)),
            P::OptTs(v) => query.bind(v.map(format_timestamp)),
            P::Date(v) => query.bind(v.to_string()),
            P::OptDate(v) => query.bind(v.map(|d| d.to_string())),
            P::Json(v) => query.bind(v.to_string()),
        };
    }
    query
}

/// A row from either backend, read by column name.
pub enum DbRow {
    Postgres(PgRow),
    Sqlite(SqliteRow),
}

fn corrupt(column: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {error}"))
}

impl DbRow {
    pub fn i64(&self, column: &str) -> Result<i64, StoreError> {
        Ok(match self {
            DbRow::Postgres(row) => row.try_get(column)?,
            DbRow::Sqlite(row) => row.try_get(column)?,
        })
    }

    pub fn opt_i64(&self, column: &str) -> Result<Option<i64>, StoreError> {
        Ok(match self {
            DbRow::Postgres(row) => row.try_get(column)?,
            DbRow::Sqlite(row) => row.try_get(column)?,
        })
    }

    pub fn text(&self, column: &str) -> Result<String, StoreError> {
        Ok(match self {
            DbRow::Postgres(row) => row.try_get(column)?,
            DbRow::Sqlite(row) => row.try_get(column)?,
        })
    }

    /// The column's text, borrowed from the row for `f` (no copy of a long value).
    pub fn with_str<T>(&self, column: &str, f: impl FnOnce(&str) -> T) -> Result<T, StoreError> {
        Ok(match self {
            DbRow::Postgres(row) => f(row.try_get::<&str, _>(column)?),
            DbRow::Sqlite(row) => f(row.try_get::<&str, _>(column)?),
        })
    }

    pub fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        Ok(match self {
            DbRow::Postgres(row) => row.try_get(column)?,
            DbRow::Sqlite(row) => row.try_get(column)?,
        })
    }

    pub fn ts(&self, column: &str) -> Result<DateTime<Utc>, StoreError> {
        match self {
            DbRow::Postgres(row) => Ok(row.try_get(column)?),
            DbRow::Sqlite(row) => {
                let text: String = row.try_get(column)?;
                parse_timestamp(&text).map_err(|e| corrupt(column, e))
            }
        }
    }

    pub fn opt_ts(&self, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self {
            DbRow::Postgres(row) => Ok(row.try_get(column)?),
            DbRow::Sqlite(row) => {
                let text: Option<String> = row.try_get(column)?;
                text.map(|t| parse_timestamp(&t).map_err(|e| corrupt(column, e)))
                    .transpose()
            }
        }
    }

    pub fn date(&self, column: &str) -> Result<NaiveDate, StoreError> {
        match self {
            DbRow::Postgres(row) => Ok(row.try_get(column)?),
            DbRow::Sqlite(row) => {
                let text: String = row.try_get(column)?;
                NaiveDate::from_str(&text).map_err(|e| corrupt(column, e))
            }
        }
    }

    pub fn opt_date(&self, column: &str) -> Result<Option<NaiveDate>, StoreError> {
        match self {
            DbRow::Postgres(row) => Ok(row.try_get(column)?),
            DbRow::Sqlite(row) => {
                let text: Option<String> = row.try_get(column)?;
                text.map(|t| NaiveDate::from_str(&t).map_err(|e| corrupt(column, e)))
                    .transpose()
            }
        }
    }

    pub fn json(&self, column: &str) -> Result<Value, StoreError> {
        match self {
            DbRow::Postgres(row) => Ok(row.try_get(column)?),
            DbRow::Sqlite(row) => {
                let text: String = row.try_get(column)?;
                serde_json::from_str(&text).map_err(|e| corrupt(column, e))
            }
        }
    }
}

fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc))
}
