//! Forged appends: whoever holds only the database's credentials (the application's own role
//! included, which may INSERT) can chain an event correctly but cannot sign it, and cannot
//! back-date it past the database's clock. Both backends.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use notoneless_domain::fixtures::*;
use notoneless_store::chain::{ChainInput, event_hash, truncate_to_micros};
use notoneless_store::checkpoints::{
    Difference, SignedCheckpoint, check_checkpoint, inclusion_proof, write_checkpoint,
};
use notoneless_store::db::{Backend, Db, P, Sql};
use notoneless_store::log::case_events;
use notoneless_store::log_keys::{announced_keys, rotate};
use notoneless_store::signing::LogKey;
use notoneless_store::testing::{FixedClock, TestDb, absent, open, open_as, run, test_key};
use notoneless_store::verify::{Suspect, verify};
use notoneless_store::{Rules, Store, SystemClock, conformance};
use serde_json::json;

fn rules() -> Rules {
    Rules {
        calendar: calendar(),
        ladder: ladder(),
    }
}

/// An absence on `case`, chained after its last event and recorded at `recorded_at`,
/// attributed to a head teacher who never recorded it: what someone with the database's
/// credentials but not the key can write. Inserted with the application's role on PostgreSQL
/// (the grants of scripts/postgres-roles.sql).
async fn forge(db: &Db, case: &str, recorded_at: DateTime<Utc>) -> Result<(), String> {
    let events = case_events(db, case).await.unwrap();
    let last = events.last().unwrap();
    let payload = json!({"AbsenceRecorded": {"on": "2023-11-07"}});
    let metadata = json!({"actor": "u-someone", "role": "head_teacher",
        "jurisdiction": "kazuo/gongyingzi/gyz-middle", "request_id": "forged"});
    let recorded_at = truncate_to_micros(recorded_at);
    let sequence = last.sequence + 1;
    let hash = event_hash(&ChainInput {
        aggregate_type: "student_case",
        aggregate_id: case,
        sequence,
        event_type: "AbsenceRecorded",
        event_version: "1",
        payload: &payload,
        metadata: &metadata,
        recorded_at,
        prev_hash: &last.hash,
    });
    let insert = Sql::both(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at, prev_hash, hash)
         VALUES ('student_case', $1, $2, 'AbsenceRecorded', '1', $3, $4, $5, $6, $7)",
    );
    let params = [
        P::text(case),
        P::I64(sequence),
        P::Json(payload),
        P::Json(metadata),
        P::Ts(recorded_at),
        P::text(last.hash.as_str()),
        P::text(hash),
    ];
    match db {
        Db::Postgres(pool) => {
            sqlx::raw_sql(include_str!("../../../scripts/postgres-roles.sql"))
                .execute(pool)
                .await
                .unwrap();
            let mut tx = db.begin().await.unwrap();
            tx.execute(Sql::both("SET LOCAL ROLE notoneless_app"), &[])
                .await
                .unwrap();
            match tx.execute(insert, &params).await {
                Ok(_) => tx.commit().await.map_err(|e| e.to_string()),
                Err(e) => {
                    tx.rollback().await.unwrap();
                    Err(e.to_string())
                }
            }
        }
        Db::Sqlite(_) => db
            .execute(insert, &params)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
    }
}

/// `verify`, once it covers every event: on PostgreSQL it reads only below the oldest
/// transaction in flight, which another test's transaction may hold back for a moment.
async fn verify_all(db: &Db) -> notoneless_store::verify::VerifyReport {
    for _ in 0..50 {
        let report = verify(db, None).await.unwrap();
        let count = db
            .fetch_optional(Sql::both("SELECT COUNT(*) AS n FROM events"), &[])
            .await
            .unwrap()
            .unwrap()
            .i64("n")
            .unwrap();
        if report.events == count as u64 {
            return report;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("verify never covered the whole log");
}

conformance!(
    an_event_appended_directly_with_the_applications_role_is_named_by_verify,
    a_back_dated_event_is_refused_by_the_database_and_named_by_verify_when_let_in,
    a_rotated_key_is_announced_by_the_old_one_and_both_verify,
    a_deleted_last_event_and_a_rehashed_chain_are_named_against_a_checkpoint,
    a_third_party_checks_an_inclusion_proof_with_the_proof_and_the_checkpoint_alone,
);

/// Three cases: two of two events, one of one; then a checkpoint with its heads.
async fn three_cases_and_a_checkpoint(backend: Backend) -> (TestDb, Store, SignedCheckpoint) {
    let test = TestDb::new(backend).await;
    let clock = FixedClock::at(at("2023-11-08", "09:00"));
    let store = Store::new(test.connect().await, rules(), clock.clone(), test_key());
    for case in ["case-a", "case-b", "case-c"] {
        run(&store, case, open_as(case, "2023-11-06")).await;
    }
    run(&store, "case-a", absent("2023-11-07")).await;
    run(&store, "case-b", absent("2023-11-07")).await;
    let checkpoint = write_checkpoint(&store.db, &store.signer, clock.as_ref())
        .await
        .unwrap();
    (test, store, checkpoint)
}

async fn switch_off_append_only(db: &Db) {
    let statements: &[&str] = match db.backend() {
        Backend::Postgres => &["ALTER TABLE events DISABLE TRIGGER USER"],
        Backend::Sqlite => &[
            "DROP TRIGGER events_no_update",
            "DROP TRIGGER events_no_delete",
        ],
    };
    for sql in statements {
        db.execute(Sql::both(sql), &[]).await.unwrap();
    }
}

async fn an_event_appended_directly_with_the_applications_role_is_named_by_verify(
    backend: Backend,
) {
    // A test database (marked, so the test's clock in 2023 is allowed).
    let test = TestDb::new(backend).await;
    let clock = FixedClock::at(at("2023-11-08", "09:00"));
    let store = Store::new(test.connect().await, rules(), clock.clone(), test_key());
    run(&store, "case-a", open("2023-11-06")).await;
    assert!(verify_all(&store.db).await.is_clean());

    // Back-dated to before the case was even opened, with a correct chain hash.
    forge(&store.db, "case-a", at("2023-11-07", "08:00"))
        .await
        .unwrap();

    let report = verify_all(&store.db).await;
    assert_eq!(report.broken, vec![], "the chain itself holds");
    assert!(!report.is_clean());
    let named: Vec<(&str, i64, Suspect)> = report
        .suspect
        .iter()
        .map(|s| (s.case_id.as_str(), s.sequence, s.problem))
        .collect();
    assert_eq!(named, vec![("case-a", 2, Suspect::Unsigned)]);
}

async fn a_back_dated_event_is_refused_by_the_database_and_named_by_verify_when_let_in(
    backend: Backend,
) {
    // A database as in production: not marked, recorded_at held to the database's clock.
    let test = TestDb::new_unmarked(backend).await;
    let store = Store::new(
        test.connect().await,
        rules(),
        Arc::new(SystemClock),
        test_key(),
    );
    run(&store, "case-a", open("2023-11-06")).await;
    let report = verify_all(&store.db).await;
    assert!(report.is_clean(), "{report:?}");
    assert!(report.recorded_at_checked);

    let refused = forge(&store.db, "case-a", Utc::now() - TimeDelta::days(2)).await;
    assert!(
        refused.as_ref().is_err_and(|e| e.contains("recorded_at")),
        "{refused:?}"
    );
    let refused = forge(&store.db, "case-a", Utc::now() + TimeDelta::minutes(1)).await;
    assert!(
        refused.is_err(),
        "a time ahead of the database's is refused"
    );

    // The database's owner can switch the triggers off; the signature still gives it away,
    // and so does the time going backwards.
    store
        .db
        .execute(
            Sql {
                postgres: "ALTER TABLE events DISABLE TRIGGER events_recorded_at_is_the_databases_time",
                sqlite: "DROP TRIGGER events_recorded_at_is_the_databases_time",
            },
            &[],
        )
        .await
        .unwrap();
    if backend == Backend::Sqlite {
        store
            .db
            .execute(
                Sql::both("DROP TRIGGER events_recorded_at_not_before_the_previous"),
                &[],
            )
            .await
            .unwrap();
    }
    forge(&store.db, "case-a", Utc::now() - TimeDelta::days(2))
        .await
        .unwrap();
    let report = verify_all(&store.db).await;
    let mut named: Vec<Suspect> = report.suspect.iter().map(|s| s.problem).collect();
    named.sort_by_key(|p| format!("{p:?}"));
    assert_eq!(named, vec![Suspect::RecordedBackwards, Suspect::Unsigned]);
}

async fn a_rotated_key_is_announced_by_the_old_one_and_both_verify(backend: Backend) {
    let test = TestDb::new(backend).await;
    let clock = FixedClock::at(at("2023-11-08", "09:00"));
    let store = Store::new(test.connect().await, rules(), clock.clone(), test_key());
    run(&store, "case-a", open("2023-11-06")).await;

    let new = LogKey::from_seed([0x42; 32]);
    let announced = rotate(&store.db, clock.as_ref(), &test_key(), &new)
        .await
        .unwrap();
    assert_eq!(announced.announced_by.as_deref(), Some(test_key().id()));
    let rotated = Store::new(test.connect().await, rules(), clock.clone(), new.clone());
    run(&rotated, "case-b", open_as("case-b", "2023-11-06")).await;

    let keys = announced_keys(&store.db).await.unwrap();
    assert_eq!(
        keys.iter().map(|k| k.key_id.as_str()).collect::<Vec<_>>(),
        vec![test_key().id(), new.id()]
    );
    let report = verify_all(&store.db).await;
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.keys.len(), 2);

    // A key nobody announced is refused before it signs anything.
    let stranger = Store::new(
        test.connect().await,
        rules(),
        clock.clone(),
        LogKey::from_seed([0x13; 32]),
    );
    let refused = stranger
        .commands
        .execute(
            "case-c",
            open_as("case-c", "2023-11-06"),
            &notoneless_store::testing::context(None),
        )
        .await;
    assert!(refused.is_err(), "{refused:?}");
}

async fn a_deleted_last_event_and_a_rehashed_chain_are_named_against_a_checkpoint(
    backend: Backend,
) {
    let (_test, store, checkpoint) = three_cases_and_a_checkpoint(backend).await;
    assert_eq!(
        checkpoint.checkpoint.streams, 4,
        "three cases and the log's keys"
    );
    let check = check_checkpoint(&store.db, &checkpoint).await.unwrap();
    assert!(check.holds(), "{check:?}");

    // Someone with the database's owner rights deletes case-a's last event (the chain that
    // is left still links) and rewrites case-b's last event, re-hashing it.
    switch_off_append_only(&store.db).await;
    store
        .db
        .execute(
            Sql::both("DELETE FROM events WHERE aggregate_id = 'case-a' AND sequence = 2"),
            &[],
        )
        .await
        .unwrap();
    let b = case_events(&store.db, "case-b").await.unwrap();
    let mut forged = b[1].clone();
    forged.payload = json!({"AbsenceRecorded": {"on": "2023-11-08"}});
    let hash = event_hash(&forged.chain_input());
    store
        .db
        .execute(
            Sql::both("UPDATE events SET payload = $1, hash = $2 WHERE aggregate_id = 'case-b' AND sequence = 2"),
            &[P::Json(forged.payload.clone()), P::text(hash)],
        )
        .await
        .unwrap();
    assert_eq!(
        verify_all(&store.db).await.broken,
        vec![],
        "the chains themselves still check out"
    );

    let check = check_checkpoint(&store.db, &checkpoint).await.unwrap();
    assert!(!check.holds());
    let named: Vec<(&str, i64, Difference)> = check
        .differs
        .iter()
        .map(|d| (d.case_id.as_str(), d.sequence, d.problem))
        .collect();
    assert_eq!(
        named,
        vec![
            ("case-a", 2, Difference::Missing),
            ("case-b", 2, Difference::Rehashed)
        ]
    );
}

async fn a_third_party_checks_an_inclusion_proof_with_the_proof_and_the_checkpoint_alone(
    backend: Backend,
) {
    let (_test, store, checkpoint) = three_cases_and_a_checkpoint(backend).await;
    // Later facts do not enter a proof against an earlier checkpoint.
    run(&store, "case-a", absent("2023-11-08")).await;
    let proof = inclusion_proof(&store.db, "student_case", "case-a", Some(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(proof.events.len(), 2);
    assert_eq!(proof.checkpoint, checkpoint.checkpoint);

    let dir = std::env::temp_dir().join(format!("nol-proof-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (proof_file, checkpoint_file) = (dir.join("proof.json"), dir.join("checkpoint.json"));
    std::fs::write(&proof_file, serde_json::to_vec(&proof).unwrap()).unwrap();
    std::fs::write(&checkpoint_file, serde_json::to_vec(&checkpoint).unwrap()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/check-proof.py");
    let check = |extra: &[&str]| {
        std::process::Command::new("python3")
            .arg(script)
            .args([
                proof_file.to_str().unwrap(),
                checkpoint_file.to_str().unwrap(),
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let public = test_key().public_hex();
    let holds = check(&["--public-key", &public]);
    let said = String::from_utf8_lossy(&holds.stdout).to_string();
    assert!(
        holds.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&holds.stderr)
    );
    assert!(said.contains("proof: holds"), "{said}");

    // Another key: the checkpoint's signature does not hold.
    let stranger = LogKey::from_seed([0x13; 32]).public_hex();
    let refused = check(&["--public-key", &stranger]);
    assert_eq!(refused.status.code(), Some(1));

    // An event altered in the proof: named.
    let mut altered = proof.clone();
    altered.events[1]["payload"] = json!({"AbsenceRecorded": {"on": "2023-11-09"}});
    std::fs::write(&proof_file, serde_json::to_vec(&altered).unwrap()).unwrap();
    let refused = check(&["--public-key", &public]);
    let said = String::from_utf8_lossy(&refused.stdout).to_string();
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(
        said.contains("event 2: its content does not match its hash"),
        "{said}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
