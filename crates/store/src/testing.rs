//! Test support (the `testing` feature): a fresh database per test on either backend, and a
//! clock a test can set. Nothing in production may use it.
#![allow(clippy::expect_used, clippy::missing_panics_doc)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::db::{Backend, Db};
use crate::repository::Clock;

/// Where the test databases are created: `NOL_TEST_POSTGRES_URL`, else the local server.
pub fn postgres_admin_url() -> String {
    std::env::var("NOL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A fresh, empty database, dropped (PostgreSQL) or deleted (SQLite) when the value is.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    postgres_name: Option<String>,
    sqlite_dir: Option<PathBuf>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Postgres => Self::postgres().await,
            Backend::Sqlite => Self::sqlite(),
        }
    }

    pub async fn postgres() -> Self {
        let admin = postgres_admin_url();
        let name = format!("nol_test_{}", uuid::Uuid::new_v4().simple());
        let pool = sqlx::PgPool::connect(&admin)
            .await
            .expect("PostgreSQL for tests answers (scripts/ensure-postgres starts it)");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .expect("a test database can be created");
        pool.close().await;
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        Self {
            backend: Backend::Postgres,
            url: format!("{base}/{name}"),
            postgres_name: Some(name),
            sqlite_dir: None,
        }
    }

    pub fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!("nol-test-{}", uuid::Uuid::new_v4().simple()));
        Self {
            backend: Backend::Sqlite,
            url: format!("sqlite://{}", dir.join("notoneless.db").display()),
            postgres_name: None,
            sqlite_dir: Some(dir),
        }
    }

    /// A migrated connection to it.
    pub async fn connect(&self) -> Db {
        let db = Db::connect(&self.url)
            .await
            .expect("the test database answers");
        db.migrate().await.expect("migrations apply");
        db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.sqlite_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = self.postgres_name.take() {
            // Drop runs inside the test's runtime: drop the database from a thread of its own.
            let admin = postgres_admin_url();
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async {
                        if let Ok(pool) = sqlx::PgPool::connect(&admin).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&pool)
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// A clock that says what the test tells it.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn at(now: DateTime<Utc>) -> Arc<Self> {
        Arc::new(Self(Mutex::new(now)))
    }

    /// What the clock says, without going through the `Clock` trait.
    pub fn now_value(&self) -> DateTime<Utc> {
        *self.0.lock().expect("the clock's lock")
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().expect("the clock's lock") = now;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("the clock's lock")
    }
}

/// One test function, run once against PostgreSQL and once against SQLite, each on a fresh
/// database: `conformance!(name_one, name_two)` for `async fn name_one(backend: Backend)`.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::db::Backend::Postgres).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::db::Backend::Sqlite).await;
                }
            }
        )*
    };
}
