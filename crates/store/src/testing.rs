//! Test support (the `testing` feature): a fresh database per test on either backend, and a
//! clock a test can set. Nothing in production may use it.
#![allow(clippy::expect_used, clippy::missing_panics_doc)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use notoneless_domain::fixtures::*;
use notoneless_domain::{Absence, CaseAction, Recipient, Return, Role};

use crate::clock::Clock;
use crate::commands::{Actor, CommandContext, CommandOutcome};
use crate::db::{Backend, Db, P, Sql};
use crate::store::Store;

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

/// The signing key of the tests: one fixed key, so that every store a test builds over one
/// database signs with the key that database announced.
pub fn test_key() -> crate::signing::LogKey {
    crate::signing::LogKey::from_seed([0x5e; 32])
}

/// A key file holding [`test_key`] (mode 0600), for the binary run by tests
/// (`NOTONELESS_SIGNING_KEY`): it signs as the tests' stores do.
pub fn test_key_file() -> PathBuf {
    let path = std::env::temp_dir().join(format!("nol-test-signing-{}.key", test_key().id()));
    match test_key().write_new(&path) {
        Ok(()) | Err(crate::signing::KeyFileError::Exists(_)) => path,
        Err(other) => panic!("the tests' key file cannot be written: {other}"),
    }
}

impl TestDb {
    /// A fresh database, migrated and marked as a test database (the training mark of
    /// migration 0005, purpose "test"): its facts are recorded on the test's clock, which is
    /// days in the past, so the database does not hold `recorded_at` to its own clock.
    pub async fn new(backend: Backend) -> Self {
        let test = Self::new_unmarked(backend).await;
        let db = test.connect().await;
        let now = crate::Clock::now(&crate::clock::SystemClock);
        crate::clock::mark_for_training(&db, now, "test")
            .await
            .expect("a fresh test database can be marked");
        db.close().await;
        test
    }

    /// A fresh database, not marked: it holds `recorded_at` to its own clock, as a
    /// production database does.
    pub async fn new_unmarked(backend: Backend) -> Self {
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

// ---- example commands --------------------------------------------------------------------------

pub fn context(key: Option<&str>) -> CommandContext {
    CommandContext {
        actor: Actor {
            id: "u-li".into(),
            role: "head_teacher".into(),
            jurisdiction: "kazuo/gongyingzi/gyz-middle".into(),
        },
        request_id: uuid::Uuid::new_v4().to_string(),
        idempotency_key: key.map(str::to_string),
    }
}

pub fn open(on: &str) -> CaseAction {
    CaseAction::OpenCase(opening(on))
}

/// [`open`] for another child: the same profile under another student number (one case file
/// per child: the same number twice is the same child).
pub fn open_child(on: &str, student_number: &str) -> CaseAction {
    let mut opening = opening(on);
    opening.student.student_number = student_number.to_string();
    CaseAction::OpenCase(opening)
}

/// [`open`] for the child of case `case`: a student number made of the case id, so that a test
/// opening several cases opens them for several children (a child has one open case file).
pub fn open_as(case: &str, on: &str) -> CaseAction {
    let number: String = case.chars().filter(char::is_ascii_alphanumeric).collect();
    open_child(on, &format!("S{}", number.to_uppercase()))
}

pub fn absent(on: &str) -> CaseAction {
    CaseAction::RecordAbsence(Absence {
        on: d(on),
        note: None,
    })
}

pub async fn run(store: &Store, case: &str, action: CaseAction) -> CommandOutcome {
    store
        .commands
        .execute(case, action, &context(None))
        .await
        .expect("the command is accepted")
}

/// Three cases: one back after a call, one escalated, one with a late report.
pub async fn record_a_county_week(store: &Store, clock: &FixedClock) {
    clock.set(at("2023-11-10", "17:00"));
    run(
        store,
        "case-back",
        open_child("2023-11-06", "G211324201101035678"),
    )
    .await;
    run(store, "case-back", absent("2023-11-06")).await;
    run(
        store,
        "case-back",
        CaseAction::RecordParentContact(parent_contact("2023-11-06", Role::HeadTeacher)),
    )
    .await;
    run(
        store,
        "case-back",
        CaseAction::RecordReturn(Return {
            on: d("2023-11-07"),
            note: None,
        }),
    )
    .await;
    run(
        store,
        "case-gone",
        open_child("2023-11-08", "G211324201101025678"),
    )
    .await;
    for day in ["2023-11-08", "2023-11-09", "2023-11-10"] {
        run(store, "case-gone", absent(day)).await;
    }
    run(store, "case-late", open("2023-11-06")).await;
    for day in ["2023-11-06", "2023-11-07", "2023-11-08"] {
        run(store, "case-late", absent(day)).await;
    }
    run(
        store,
        "case-late",
        CaseAction::ReportUpward(report("2023-11-10", Recipient::CountyBureau, "局报-9")),
    )
    .await;
}

/// Switches off the trigger that refuses to change an event, as the table's owner could (on
/// PostgreSQL every trigger of the table: deleting is allowed too).
pub async fn allow_changing_events(db: &Db) {
    db.execute(
        Sql {
            postgres: "ALTER TABLE events DISABLE TRIGGER USER",
            sqlite: "DROP TRIGGER events_no_update",
        },
        &[],
    )
    .await
    .expect("the tampering statement runs");
}

/// Switches the append-only triggers off, as the table's owner could, then alters the payload
/// of `case-late`'s event 3 and deletes `case-gone`'s event 2.
pub async fn tamper(db: &Db) {
    allow_changing_events(db).await;
    if db.backend() == Backend::Sqlite {
        db.execute(Sql::both("DROP TRIGGER events_no_delete"), &[])
            .await
            .expect("the tampering statement runs");
    }
    let forged = serde_json::json!({"AbsenceRecorded": {"on": "2023-11-03"}});
    db.execute(
        Sql::both(
            "UPDATE events SET payload = $1 WHERE aggregate_id = 'case-late' AND sequence = 3",
        ),
        &[P::Json(forged)],
    )
    .await
    .expect("the tampering statement runs");
    db.execute(
        Sql::both("DELETE FROM events WHERE aggregate_id = 'case-gone' AND sequence = 2"),
        &[],
    )
    .await
    .expect("the tampering statement runs");
}

/// How many events the log holds: all of them, or those of one event type.
pub async fn count_events(db: &Db, event_type: Option<&str>) -> i64 {
    let row = match event_type {
        None => {
            db.fetch_optional(Sql::both("SELECT COUNT(*) AS n FROM events"), &[])
                .await
        }
        Some(event_type) => {
            db.fetch_optional(
                Sql::both("SELECT COUNT(*) AS n FROM events WHERE event_type = $1"),
                &[P::text(event_type)],
            )
            .await
        }
    };
    row.expect("the events are counted")
        .and_then(|row| row.i64("n").ok())
        .unwrap_or_default()
}
