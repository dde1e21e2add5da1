//! The store's conformance suite: every test runs against PostgreSQL and against SQLite, each
//! on a fresh database (`conformance!`). A few PostgreSQL-only behaviours follow at the end.
//! (The access log and tokens are in `security.rs`.)

// The test bodies are plain async fns called by `conformance!`, so clippy does not see them as
// tests; they unwrap what they have just written, as tests do.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use notoneless_domain::fixtures::*;
use notoneless_domain::{
    CaseAction, CaseError, FindingKind, ReviewScope, ReviewSettings, StudentCase,
};
use notoneless_store::access::ReadKind;
use notoneless_store::chain::{GENESIS, LogDigest, event_hash};
use notoneless_store::db::{Backend, Db, P, Sql};
use notoneless_store::log::{CommitPosition, case_events};
use notoneless_store::read_model::{case_status, overdue, stored_case};
use notoneless_store::review::for_each_case_in_pages;
use notoneless_store::review::run_review;
use notoneless_store::testing::{
    FixedClock, TestDb, absent, context, open, open_as, open_child, record_a_county_week, run,
    tamper,
};
use notoneless_store::verify::{Break, BrokenCase, verify};
use notoneless_store::{CommandError, Rules, Store, StoreError, conformance};

fn rules() -> Rules {
    Rules {
        calendar: calendar(),
        ladder: ladder(),
    }
}

async fn setup(backend: Backend) -> (TestDb, Store, Arc<FixedClock>) {
    let test = TestDb::new(backend).await;
    let db = test.connect().await;
    let clock = FixedClock::at(at("2023-11-06", "09:00"));
    let store = Store::new(
        db,
        rules(),
        clock.clone(),
        notoneless_store::testing::test_key(),
    );
    (test, store, clock)
}

/// The event that announces the log's signing key, written before the first fact of a log
/// (notoneless_store::log_keys): counted with the events, not a case; the rebuild does not
/// read it.
const KEY_ANNOUNCEMENT: i64 = 1;

async fn count_events(db: &Db) -> i64 {
    db.fetch_optional(Sql::both("SELECT COUNT(*) AS n FROM events"), &[])
        .await
        .unwrap()
        .unwrap()
        .i64("n")
        .unwrap()
}

conformance!(a_second_open_case_file_of_one_child_is_named_by_check_projections_and_the_review,);

async fn a_second_open_case_file_of_one_child_is_named_by_check_projections_and_the_review(
    backend: Backend,
) {
    // Given two case files of the same child (one student number), both open, in the log
    let (_test, store, clock) = setup(backend).await;
    clock.set(at("2023-11-08", "17:00"));
    run(&store, "case-1", open("2023-11-06")).await;
    // (written as a log from before one open case file per child was kept)
    store
        .db
        .execute(Sql::both("DELETE FROM child_case_files"), &[])
        .await
        .unwrap();
    run(&store, "case-2", open("2023-11-08")).await;
    run(
        &store,
        "case-other",
        open_child("2023-11-08", "G211324201101099999"),
    )
    .await;
    store.projector.catch_up().await.unwrap();
    // When check-projections and the review run
    let mismatches = store.projector.check().await.unwrap();
    let scope =
        ReviewScope::new(d("2023-11-01"), d("2023-11-30"), ReviewSettings::default()).unwrap();
    let review = run_review(&store, &scope).await.unwrap();
    // Then both name the second file, and only it
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    assert_eq!(mismatches[0].case_id, "case-2");
    assert!(mismatches[0].problem.contains("case-1"), "{mismatches:?}");
    let duplicates: Vec<(&str, NaiveDate)> = review
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::DuplicateCase)
        .map(|f| (f.case_id.as_str(), f.day))
        .collect();
    assert_eq!(duplicates, vec![("case-2", d("2023-11-08"))]);
}

conformance!(
    a_command_answers_with_the_new_sequence_and_position_and_chains_the_event,
    the_database_refuses_to_change_or_remove_an_event,
    concurrent_commands_on_one_case_leave_no_gap_in_the_sequence,
    a_command_sent_again_with_its_key_returns_the_first_result_and_writes_nothing,
    a_refused_command_writes_nothing_and_names_the_field,
    the_projector_keeps_a_row_per_case_equal_to_a_fresh_fold,
    a_projector_killed_mid_batch_resumes_with_nothing_lost_or_doubled,
    a_projector_asked_to_stop_in_a_backlog_stops_after_its_batch_and_resumes_from_it,
    a_projector_stopped_cleanly_first_applies_what_was_committed,
    verify_passes_a_clean_log_and_names_every_tampered_case,
    an_earlier_digest_still_holds_after_appends_and_fails_after_tampering,
    reproject_rebuilds_the_same_rows_and_check_finds_a_tampered_row,
    a_rebuild_in_pages_smaller_than_a_case_writes_every_row_as_the_projector_did,
    the_review_reads_every_case_whole_and_decoded_whatever_its_page_size,
    obligations_turn_overdue_by_the_passage_of_time,
    a_read_can_wait_for_its_own_write,
    a_command_after_another_writer_appended_is_decided_on_the_whole_stream,
);

async fn a_command_answers_with_the_new_sequence_and_position_and_chains_the_event(
    backend: Backend,
) {
    let (_test, store, clock) = setup(backend).await;
    let first = run(&store, "case-a", open("2023-11-06")).await;
    let second = run(&store, "case-a", absent("2023-11-06")).await;
    assert_eq!((first.sequence, second.sequence), (1, 2));
    assert!(second.global_position > first.global_position);

    let events = case_events(&store.db, "case-a").await.unwrap();
    assert_eq!(events[0].prev_hash, GENESIS);
    assert_eq!(events[1].prev_hash, events[0].hash);
    for event in &events {
        assert_eq!(event_hash(&event.chain_input()), event.hash);
        assert_eq!(event.recorded_at, clock.now_value());
        assert_eq!(event.meta("actor"), Some("u-li"));
        assert_eq!(event.meta("role"), Some("head_teacher"));
        assert_eq!(
            event.meta("jurisdiction"),
            Some("kazuo/gongyingzi/gyz-middle")
        );
        assert!(event.meta("request_id").is_some());
    }
    assert_eq!(events[1].global_position, second.global_position);
}

async fn the_database_refuses_to_change_or_remove_an_event(backend: Backend) {
    let (_test, store, _clock) = setup(backend).await;
    run(&store, "case-a", open("2023-11-06")).await;
    let update = store
        .db
        .execute(Sql::both("UPDATE events SET event_type = 'Forged'"), &[])
        .await;
    let delete = store.db.execute(Sql::both("DELETE FROM events"), &[]).await;
    let truncate = store
        .db
        .execute(
            Sql {
                postgres: "TRUNCATE events",
                sqlite: "DELETE FROM events WHERE 1 = 1",
            },
            &[],
        )
        .await;
    for result in [update, delete, truncate] {
        let message = result.expect_err("refused").to_string();
        assert!(message.contains("append-only"), "{message}");
    }
    assert_eq!(count_events(&store.db).await, 1 + KEY_ANNOUNCEMENT);
}

async fn concurrent_commands_on_one_case_leave_no_gap_in_the_sequence(backend: Backend) {
    let (_test, store, clock) = setup(backend).await;
    clock.set(at("2023-11-17", "18:00"));
    run(&store, "case-a", open("2023-11-06")).await;
    let store = Arc::new(store);
    let days: [&'static str; 8] = [
        "2023-11-06",
        "2023-11-07",
        "2023-11-08",
        "2023-11-09",
        "2023-11-10",
        "2023-11-13",
        "2023-11-14",
        "2023-11-15",
    ];
    let tasks: Vec<_> = days
        .into_iter()
        .map(|day| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .commands
                    .execute("case-a", absent(day), &context(None))
                    .await
            })
        })
        .collect();
    let mut accepted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(CommandError::Conflict { .. }) => {}
            Err(other) => panic!("only acceptance or conflict, got {other:?}"),
        }
    }
    assert!(accepted >= 1);
    let sequences: Vec<i64> = case_events(&store.db, "case-a")
        .await
        .unwrap()
        .iter()
        .map(|e| e.sequence)
        .collect();
    assert_eq!(sequences, (1..=1 + accepted).collect::<Vec<i64>>());
    assert!(verify(&store.db, None).await.unwrap().is_clean());
}

async fn a_command_sent_again_with_its_key_returns_the_first_result_and_writes_nothing(
    backend: Backend,
) {
    let (test, store, clock) = setup(backend).await;
    let first = store
        .commands
        .execute("case-a", open("2023-11-06"), &context(Some("key-1")))
        .await
        .unwrap();
    let again = store
        .commands
        .execute("case-a", open("2023-11-06"), &context(Some("key-1")))
        .await
        .unwrap();
    assert!(!first.replayed && again.replayed);
    assert_eq!(
        (again.sequence, again.global_position),
        (first.sequence, first.global_position)
    );
    assert_eq!(count_events(&store.db).await, 1 + KEY_ANNOUNCEMENT);

    // After a restart: a new store over the same database remembers the key.
    drop(store);
    let restarted = Store::new(
        test.connect().await,
        rules(),
        clock.clone(),
        notoneless_store::testing::test_key(),
    );
    let after_restart = restarted
        .commands
        .execute("case-a", open("2023-11-06"), &context(Some("key-1")))
        .await
        .unwrap();
    assert!(after_restart.replayed);
    assert_eq!(after_restart.global_position, first.global_position);
    assert_eq!(count_events(&restarted.db).await, 1 + KEY_ANNOUNCEMENT);

    let reused = restarted
        .commands
        .execute("case-a", absent("2023-11-06"), &context(Some("key-1")))
        .await;
    assert!(matches!(reused, Err(CommandError::KeyReused)), "{reused:?}");
}

async fn a_refused_command_writes_nothing_and_names_the_field(backend: Backend) {
    let (_test, store, _clock) = setup(backend).await;
    run(&store, "case-a", open("2023-11-06")).await;
    let refused = store
        .commands
        .execute("case-a", absent("2023-11-07"), &context(Some("k")))
        .await;
    match refused {
        Err(CommandError::Rejected(error)) => {
            assert_eq!(
                error,
                CaseError::InFuture {
                    field: "on",
                    date: d("2023-11-07"),
                    today: d("2023-11-06")
                }
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(count_events(&store.db).await, 1 + KEY_ANNOUNCEMENT);
    let keys = store
        .db
        .fetch_optional(Sql::both("SELECT COUNT(*) AS n FROM idempotency_keys"), &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(keys.i64("n").unwrap(), 0);
}

async fn the_projector_keeps_a_row_per_case_equal_to_a_fresh_fold(backend: Backend) {
    let (_test, store, clock) = setup(backend).await;
    record_a_county_week(&store, &clock).await;
    let applied = store.projector.catch_up().await.unwrap();
    assert_eq!(applied as i64, count_events(&store.db).await);
    assert_eq!(store.projector.check().await.unwrap(), vec![]);

    let back = stored_case(&store.db, "case-back").await.unwrap().unwrap();
    assert_eq!(
        (back.summary.stage.as_str(), back.summary.outstanding),
        ("attending", 0)
    );
    let gone = stored_case(&store.db, "case-gone").await.unwrap().unwrap();
    assert_eq!(
        (gone.summary.stage.as_str(), gone.summary.episode_days),
        ("escalated", 3)
    );
    assert_eq!(gone.summary.episode_start, Some(d("2023-11-08")));
    assert_eq!(gone.summary.school, "kazuo-gyz-middle");
    assert_eq!(gone.summary.last_event_type, "AbsenceRecorded");
    let late = stored_case(&store.db, "case-late").await.unwrap().unwrap();
    let bureau = late
        .obligations
        .iter()
        .find(|o| o.kind == "report:county_bureau")
        .unwrap();
    assert_eq!(
        (bureau.status.as_str(), bureau.done_on),
        ("done_late", Some(d("2023-11-10")))
    );
}

async fn a_projector_killed_mid_batch_resumes_with_nothing_lost_or_doubled(backend: Backend) {
    let (_test, store, clock) = setup(backend).await;
    record_a_county_week(&store, &clock).await;
    let crashing = store.projector.clone().with_fault(Arc::new(|index| {
        if index == 1 {
            Err(StoreError::Unavailable("killed".into()))
        } else {
            Ok(())
        }
    }));
    assert!(crashing.catch_up().await.is_err());
    assert_eq!(
        crashing.checkpoint().await.unwrap(),
        CommitPosition::default()
    );
    assert!(
        stored_case(&store.db, "case-back").await.unwrap().is_none(),
        "the batch was rolled back whole"
    );

    let applied = store.projector.catch_up().await.unwrap();
    assert_eq!(
        applied as i64,
        count_events(&store.db).await,
        "every event once"
    );
    assert_eq!(store.projector.catch_up().await.unwrap(), 0);
    assert_eq!(store.projector.check().await.unwrap(), vec![]);
}

async fn a_projector_asked_to_stop_in_a_backlog_stops_after_its_batch_and_resumes_from_it(
    backend: Backend,
) {
    let (_test, store, clock) = setup(backend).await;
    record_a_county_week(&store, &clock).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let stop = Arc::new(stop);
    let asking = stop.clone();
    // Given a backlog, and a stop asked for while the first one-event batch is applied,
    let projector = store
        .projector
        .clone()
        .with_batch(1)
        .with_fault(Arc::new(move |_| {
            asking.send_replace(true);
            Ok(())
        }));
    // when the projector catches up,
    let applied = projector
        .catch_up_unless(|| *stopped.borrow())
        .await
        .unwrap();
    // then it stops after that batch, committed,
    assert_eq!(
        applied as i64,
        1 + KEY_ANNOUNCEMENT,
        "the key's announcement, then one batch"
    );
    assert!(projector.checkpoint().await.unwrap() > CommitPosition::default());
    // and the next run resumes from it with every event applied once.
    let rest = store.projector.catch_up().await.unwrap();
    assert_eq!((applied + rest) as i64, count_events(&store.db).await);
    assert_eq!(store.projector.check().await.unwrap(), vec![]);
    drop(stop);
}

async fn a_projector_stopped_cleanly_first_applies_what_was_committed(backend: Backend) {
    // Given commands not yet projected,
    let (_test, store, clock) = setup(backend).await;
    record_a_county_week(&store, &clock).await;
    // when the projector runs with the stop already asked for,
    let (stop, stopped) = tokio::sync::watch::channel(true);
    store
        .projector
        .run(Arc::new(tokio::sync::Notify::new()), stopped)
        .await;
    // then it returned only after applying them: nothing is left, every row is fresh.
    assert_eq!(store.projector.catch_up().await.unwrap(), 0);
    assert_eq!(store.projector.check().await.unwrap(), vec![]);
    drop(stop);
}

async fn verify_passes_a_clean_log_and_names_every_tampered_case(backend: Backend) {
    let (_test, store, clock) = setup(backend).await;
    record_a_county_week(&store, &clock).await;
    let clean = verify(&store.db, None).await.unwrap();
    assert!(clean.is_clean());
    assert_eq!(
        (clean.events as i64, clean.cases),
        (count_events(&store.db).await, 3 + KEY_ANNOUNCEMENT as u64)
    );

    tamper(&store.db).await;
    let report = verify(&store.db, None).await.unwrap();
    assert!(!report.is_clean());
    let broken = |case: &str, sequence, problem| BrokenCase {
        aggregate_type: "student_case".into(),
        case_id: case.into(),
        sequence,
        problem,
    };
    assert_eq!(
        report.broken,
        vec![
            broken("case-gone", 2, Break::Removed),
            broken("case-late", 3, Break::Altered)
        ]
    );
}

async fn an_earlier_digest_still_holds_after_appends_and_fails_after_tampering(backend: Backend) {
    let (_test, store, clock) = setup(backend).await;
    record_a_county_week(&store, &clock).await;
    let written_down: LogDigest = verify(&store.db, None)
        .await
        .unwrap()
        .digest
        .parse()
        .unwrap();
    clock.set(at("2023-11-13", "09:00"));
    run(
        &store,
        "case-gone",
        CaseAction::RecordReturn(notoneless_domain::Return {
            on: d("2023-11-13"),
            note: None,
        }),
    )
    .await;
    run(&store, "case-new", open_as("case-new", "2023-11-10")).await;

    let later = verify(&store.db, Some(&written_down)).await.unwrap();
    assert!(later.is_clean(), "{later:?}");
    assert_ne!(later.digest, written_down.to_string());

    tamper(&store.db).await;
    let after_tampering = verify(&store.db, Some(&written_down)).await.unwrap();
    assert!(!after_tampering.since.unwrap().holds);
}

async fn reproject_rebuilds_the_same_rows_and_check_finds_a_tampered_row(backend: Backend) {
    let (_test, store, clock) = setup(backend).await;
    record_a_county_week(&store, &clock).await;
    store.projector.catch_up().await.unwrap();
    let before = stored_case(&store.db, "case-late").await.unwrap();
    let read = store.projector.reproject().await.unwrap();
    assert_eq!(
        read as i64,
        count_events(&store.db).await - KEY_ANNOUNCEMENT
    );
    assert_eq!(stored_case(&store.db, "case-late").await.unwrap(), before);

    store
        .db
        .execute(
            Sql::both("UPDATE case_status SET stage = 'closed' WHERE case_id = 'case-late'"),
            &[],
        )
        .await
        .unwrap();
    let mismatches = store.projector.check().await.unwrap();
    assert_eq!(mismatches.len(), 1);
    assert_eq!(mismatches[0].case_id, "case-late");
    assert!(
        mismatches[0].problem.contains("stage"),
        "{:?}",
        mismatches[0]
    );
}

async fn a_rebuild_in_pages_smaller_than_a_case_writes_every_row_as_the_projector_did(
    backend: Backend,
) {
    let (_test, store, clock) = setup(backend).await;
    record_a_county_week(&store, &clock).await;
    store.projector.catch_up().await.unwrap();
    let cases = ["case-back", "case-gone", "case-late"];
    let mut before = Vec::new();
    for case in cases {
        before.push(stored_case(&store.db, case).await.unwrap());
    }
    // Two events a page and one case a write: cases cross pages, writes cross pages.
    let small =
        notoneless_store::Projector::new(store.db.clone(), clock.clone(), store.rules.clone())
            .with_rebuild_sizes(2, 1);
    let read = small.reproject().await.unwrap();
    assert_eq!(
        read as i64,
        count_events(&store.db).await - KEY_ANNOUNCEMENT
    );
    for (case, expected) in cases.iter().zip(&before) {
        assert_eq!(
            &stored_case(&store.db, case).await.unwrap(),
            expected,
            "{case}"
        );
    }
    assert!(small.check().await.unwrap().is_empty());
}

async fn the_review_reads_every_case_whole_and_decoded_whatever_its_page_size(backend: Backend) {
    async fn read(store: &Store, page: i64) -> Vec<(String, StudentCase, Vec<NaiveDate>)> {
        let mut seen = Vec::new();
        for_each_case_in_pages(store, &rules().calendar, None, page, |record| {
            seen.push((record.case_id, record.case, record.recorded_on));
        })
        .await
        .unwrap();
        seen
    }
    // Given a week of a county's cases,
    let (_test, store, clock) = setup(backend).await;
    record_a_county_week(&store, &clock).await;
    // when the review reads them a page at a time, pages of any size,
    let whole = read(&store, 10_000).await;
    // then it gets each case once, whole, decoded as its stream decodes, with the day each
    // fact was recorded on,
    assert_eq!(whole.len(), 3);
    for (case_id, case, recorded_on) in &whole {
        let stream = case_events(&store.db, case_id).await.unwrap();
        let decoded: Vec<_> = stream.iter().map(|e| e.decode().unwrap()).collect();
        assert_eq!(*case, StudentCase::from_events(decoded));
        let days: Vec<NaiveDate> = stream
            .iter()
            .map(|e| rules().calendar.local_date(e.recorded_at))
            .collect();
        assert_eq!(*recorded_on, days);
    }
    // and the same whatever the page size.
    for page in [1, 2, 3, 7] {
        assert_eq!(read(&store, page).await, whole, "pages of {page}");
    }
}

async fn obligations_turn_overdue_by_the_passage_of_time(backend: Backend) {
    let (_test, store, clock) = setup(backend).await;
    run(&store, "case-a", open("2023-11-06")).await;
    run(&store, "case-a", absent("2023-11-06")).await;
    store.projector.catch_up().await.unwrap();

    let morning = case_status(
        &store.db,
        &store.rules.get(),
        "case-a",
        at("2023-11-06", "12:00"),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!morning.fresh);
    assert_eq!(morning.row.obligations[0].status, "open");
    assert!(
        overdue(&store.db, at("2023-11-06", "12:00"))
            .await
            .unwrap()
            .is_empty()
    );

    let next_day = at("2023-11-07", "00:00");
    let after_midnight = case_status(&store.db, &store.rules.get(), "case-a", next_day)
        .await
        .unwrap()
        .unwrap();
    assert!(after_midnight.fresh, "a read after stale_after re-assesses");
    assert_eq!(after_midnight.row.obligations[0].status, "overdue");
    let listed = overdue(&store.db, next_day).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].0.as_str(), listed[0].1.kind.as_str()),
        ("case-a", "contact_parents")
    );

    clock.set(next_day);
    assert_eq!(store.projector.refresh_stale().await.unwrap(), 1);
    let refreshed = stored_case(&store.db, "case-a").await.unwrap().unwrap();
    assert_eq!(refreshed.obligations[0].status, "overdue");
}

async fn a_read_can_wait_for_its_own_write(backend: Backend) {
    let (_test, store, _clock) = setup(backend).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let projector = store.projector.clone();
    let committed = store.committed.clone();
    let running = tokio::spawn(async move { projector.run(committed, stopped).await });
    let outcome = run(&store, "case-a", open("2023-11-06")).await;
    let position = CommitPosition {
        tx_id: outcome.tx_id,
        global_position: outcome.global_position,
    };
    assert!(
        store
            .projector
            .wait_for(position, Duration::from_secs(10))
            .await
    );
    assert!(stored_case(&store.db, "case-a").await.unwrap().is_some());
    stop.send(true).unwrap();
    running.await.unwrap();
}

// ---- PostgreSQL only -------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_events_committed_out_of_position_order_are_all_projected() {
    let (_test, store, _clock) = setup(Backend::Postgres).await;
    // Transaction A takes a global position and stays open.
    let payload = serde_json::to_value(opened("2023-11-06")).unwrap();
    let metadata = serde_json::json!({"actor": "u-li"});
    let recorded_at = at("2023-11-06", "09:00");
    let hash = event_hash(&notoneless_store::chain::ChainInput {
        aggregate_type: "student_case",
        aggregate_id: "case-slow",
        sequence: 1,
        event_type: "CaseOpened",
        event_version: "1",
        payload: &payload,
        metadata: &metadata,
        recorded_at,
        prev_hash: GENESIS,
    });
    let mut slow = store.db.begin().await.unwrap();
    slow.execute(
        Sql::both(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at, prev_hash, hash)
             VALUES ('student_case', 'case-slow', 1, 'CaseOpened', '1', $1, $2, $3, $4, $5)",
        ),
        &[P::Json(payload), P::Json(metadata), P::Ts(recorded_at), P::text(GENESIS), P::text(hash)],
    )
    .await
    .unwrap();
    // Transaction B takes a higher position and commits first.
    let fast = run(
        &store,
        "case-fast",
        open_child("2023-11-06", "G211324201101099999"),
    )
    .await;
    store.projector.catch_up().await.unwrap();
    assert!(
        stored_case(&store.db, "case-slow").await.unwrap().is_none()
            && store.projector.checkpoint().await.unwrap().global_position < fast.global_position,
        "nothing past a transaction in flight is taken"
    );
    slow.commit().await.unwrap();
    store.projector.catch_up().await.unwrap();
    let projected: BTreeSet<String> = ["case-slow", "case-fast"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for case in &projected {
        assert!(
            stored_case(&store.db, case).await.unwrap().is_some(),
            "{case} projected"
        );
    }
    assert_eq!(store.projector.check().await.unwrap(), vec![]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_application_role_may_only_insert_and_select_events() {
    let (test, store, _clock) = setup(Backend::Postgres).await;
    run(&store, "case-a", open("2023-11-06")).await;
    let Db::Postgres(pool) = &store.db else {
        unreachable!()
    };
    sqlx::raw_sql(include_str!("../../../scripts/postgres-roles.sql"))
        .execute(pool)
        .await
        .unwrap();
    let mut conn = pool.acquire().await.unwrap();
    // Switch the triggers off first, so that what refuses below is the role's privileges.
    sqlx::query("ALTER TABLE events DISABLE TRIGGER USER")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("SET ROLE notoneless_app")
        .execute(&mut *conn)
        .await
        .unwrap();
    let read: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(read, 1 + KEY_ANNOUNCEMENT);
    for statement in [
        "UPDATE events SET event_type = 'Forged'",
        "DELETE FROM events",
        "TRUNCATE events",
        "UPDATE case_reads SET actor = 'someone else'",
        "DELETE FROM case_reads",
        "TRUNCATE case_reads",
    ] {
        let error = sqlx::query(statement)
            .execute(&mut *conn)
            .await
            .expect_err(statement)
            .to_string();
        assert!(error.contains("permission denied"), "{statement}: {error}");
    }
    sqlx::query("RESET ROLE").execute(&mut *conn).await.unwrap();
    sqlx::query("ALTER TABLE events ENABLE TRIGGER USER")
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);

    // The server runs as that role: it starts (no migration pending), records, projects.
    sqlx::query("ALTER ROLE notoneless_app LOGIN")
        .execute(pool)
        .await
        .unwrap();
    let as_app = test
        .url
        .replacen("postgres://postgres@", "postgres://notoneless_app@", 1);
    let app = Store::open(
        &as_app,
        rules(),
        FixedClock::at(at("2023-11-06", "09:00")),
        notoneless_store::testing::test_key(),
    )
    .await
    .unwrap();
    run(&app, "case-b", open_as("case-b", "2023-11-06")).await;
    assert_eq!(
        app.projector.catch_up().await.unwrap(),
        2 + KEY_ANNOUNCEMENT as u64
    );
    assert!(stored_case(&app.db, "case-b").await.unwrap().is_some());
    // It writes the access log, and reads it back.
    let reader = context(None);
    app.access
        .record(
            &reader.actor,
            &reader.request_id,
            ReadKind::History,
            None,
            &["case-b".to_string()],
        )
        .await
        .unwrap();
    assert_eq!(app.access.reads_of("case-b", 10, 0).await.unwrap().1, 1);
}

#[tokio::test]
async fn a_database_that_is_down_is_an_error_not_a_panic() {
    let down = Db::connect("postgres://postgres@127.0.0.1:1/notoneless").await;
    assert!(matches!(down, Err(StoreError::Unavailable(_))), "{down:?}");
    let unwritable = Db::connect("sqlite:///proc/notoneless/events.db").await;
    assert!(
        matches!(unwritable, Err(StoreError::Unavailable(_))),
        "{unwritable:?}"
    );
    let unknown = Db::connect("mysql://localhost/x").await;
    assert!(
        matches!(unknown, Err(StoreError::BadUrl(ref s)) if s == "mysql"),
        "{unknown:?}"
    );
}

conformance!(two_commands_with_the_same_request_id_each_get_their_own_answer);

async fn two_commands_with_the_same_request_id_each_get_their_own_answer(backend: Backend) {
    let (_test, store, _clock) = setup(backend).await;
    let store = Arc::new(store);
    let mut same = context(None);
    same.request_id = "client-chose-this".into();
    let tasks: Vec<_> = ["case-x", "case-y", "case-z"]
        .into_iter()
        .map(|case| {
            let (store, same) = (store.clone(), same.clone());
            tokio::spawn(async move {
                store
                    .commands
                    .execute(case, open_as(case, "2023-11-06"), &same)
                    .await
            })
        })
        .collect();
    let mut answered = BTreeSet::new();
    for task in tasks {
        let outcome = task.await.unwrap().unwrap();
        assert_eq!(outcome.sequence, 1);
        answered.insert(outcome.case_id);
    }
    assert_eq!(answered.len(), 3, "each command got its own receipt");
    let event = &case_events(&store.db, "case-x").await.unwrap()[0];
    assert!(
        event
            .meta("request_id")
            .unwrap()
            .starts_with("client-chose-this/")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_transaction_open_in_another_database_does_not_hold_the_projector_back() {
    let (_test, store, _clock) = setup(Backend::Postgres).await;
    // Another database of the same cluster, with a transaction that holds an xid.
    let other = sqlx::PgPool::connect(&notoneless_store::testing::postgres_admin_url())
        .await
        .unwrap();
    let mut elsewhere = other.begin().await.unwrap();
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut *elsewhere)
        .await
        .unwrap();
    run(&store, "case-a", open("2023-11-06")).await;
    run(&store, "case-a", absent("2023-11-06")).await;
    assert_eq!(
        store.projector.catch_up().await.unwrap(),
        2 + KEY_ANNOUNCEMENT as u64,
        "both events, despite the other database"
    );
    assert_eq!(
        verify(&store.db, None).await.unwrap().events,
        2 + KEY_ANNOUNCEMENT as u64
    );
    elsewhere.rollback().await.unwrap();
}

async fn a_command_after_another_writer_appended_is_decided_on_the_whole_stream(backend: Backend) {
    let (test, store, clock) = setup(backend).await;
    clock.set(at("2023-11-08", "18:00"));
    run(&store, "case-a", open("2023-11-06")).await;
    run(&store, "case-a", absent("2023-11-06")).await;
    // Another server on the same database records the next fact; this one has the case in
    // its recent streams, one event short.
    let other = Store::new(
        test.connect().await,
        rules(),
        clock.clone(),
        notoneless_store::testing::test_key(),
    );
    run(&other, "case-a", absent("2023-11-07")).await;

    // Deciding on the stale stream would accept a second absence for the 7th; the insert is
    // refused, the stream read afresh, and the command decided on all three facts.
    let twice = store
        .commands
        .execute("case-a", absent("2023-11-07"), &context(None))
        .await;
    assert!(
        matches!(twice, Err(CommandError::Rejected(_))),
        "the same absence twice is refused once the whole stream is seen: {twice:?}"
    );
    let next = run(&store, "case-a", absent("2023-11-08")).await;
    assert_eq!(next.sequence, 4);
    let events = case_events(&store.db, "case-a").await.unwrap();
    assert_eq!(events.len(), 4);
    assert!(verify(&store.db, None).await.unwrap().is_clean());
}
