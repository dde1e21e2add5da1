//! The bulk writer (`notoneless_store::bulk`), on both databases: a history decided here and
//! written in bulk reads back as the same facts as one sent through the command path, its
//! chain verifies, the command path carries it on, and the projector reads it like any other.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use notoneless_domain::fixtures::*;
use notoneless_domain::{CaseAction, CaseCommand, Return, Role, StudentCase};
use notoneless_store::bulk::{Recorded, insert, new_stream};
use notoneless_store::commands::command_metadata;
use notoneless_store::db::{Backend, Sql};
use notoneless_store::log::case_events;
use notoneless_store::one_case::OneCaseRefusal;
use notoneless_store::testing::{FixedClock, TestDb, absent, context, open, run};
use notoneless_store::verify::verify;
use notoneless_store::{Rules, Store, StoreError, conformance};

conformance!(a_history_written_in_bulk_is_the_same_as_one_commanded);

fn week() -> Vec<(DateTime<Utc>, CaseAction)> {
    vec![
        (at("2023-11-06", "08:00"), open("2023-11-06")),
        (at("2023-11-06", "09:10"), absent("2023-11-06")),
        (
            at("2023-11-06", "10:20"),
            CaseAction::RecordParentContact(parent_contact("2023-11-06", Role::HeadTeacher)),
        ),
        (
            at("2023-11-07", "08:05"),
            CaseAction::RecordReturn(Return {
                on: d("2023-11-07"),
                note: None,
            }),
        ),
    ]
}

async fn count(store: &Store) -> i64 {
    store
        .db
        .fetch_optional(Sql::both("SELECT COUNT(*) AS n FROM events"), &[])
        .await
        .unwrap()
        .unwrap()
        .i64("n")
        .unwrap()
}

async fn a_history_written_in_bulk_is_the_same_as_one_commanded(backend: Backend) {
    let test = TestDb::new(backend).await;
    let clock = FixedClock::at(at("2023-11-06", "08:00"));
    let rules = Rules {
        calendar: calendar(),
        ladder: ladder(),
    };
    let store = Store::new(
        test.connect().await,
        rules.clone(),
        clock.clone(),
        notoneless_store::testing::test_key(),
    );
    for (t, action) in week() {
        clock.set(t);
        run(&store, "commanded", action).await;
    }
    // The same facts, decided by the aggregate here and written in bulk.
    let actor = context(None).actor;
    let mut case = StudentCase::default();
    let mut recorded = Vec::new();
    for (n, (t, action)) in week().into_iter().enumerate() {
        let today = rules.calendar.local_date(t);
        let event = case.decide(CaseCommand::new(today, action)).unwrap();
        cqrs_es::Aggregate::apply(&mut case, event.clone());
        recorded.push(Recorded::<StudentCase> {
            event,
            metadata: command_metadata(&actor, &format!("bulk/{n}")),
            recorded_at: t,
        });
    }
    let rows = new_stream("bulk", recorded).unwrap();
    // The child has an open case file (the commanded one): the bulk writer refuses a second
    // one whole, as the command path does.
    let before = count(&store).await;
    let refused = insert(&store.db, &store.signer, store.clock.as_ref(), &rows).await;
    assert!(
        matches!(
            &refused,
            Err(StoreError::OneCase(OneCaseRefusal::Open { case_id })) if case_id == "commanded"
        ),
        "{refused:?}"
    );
    assert_eq!(count(&store).await, before);
    // Written as a log from before one open file per child was kept, it goes in.
    store
        .db
        .execute(Sql::both("DELETE FROM child_case_files"), &[])
        .await
        .unwrap();
    assert_eq!(
        insert(&store.db, &store.signer, store.clock.as_ref(), &rows)
            .await
            .unwrap(),
        4
    );

    let commanded = case_events(&store.db, "commanded").await.unwrap();
    let bulk = case_events(&store.db, "bulk").await.unwrap();
    assert_eq!(bulk.len(), commanded.len());
    for (c, b) in commanded.iter().zip(&bulk) {
        assert_eq!(
            (&c.event_type, &c.event_version, &c.payload, c.recorded_at),
            (&b.event_type, &b.event_version, &b.payload, b.recorded_at)
        );
        for key in ["actor", "role", "jurisdiction"] {
            assert_eq!(c.meta(key), b.meta(key));
        }
        let keys =
            |m: &serde_json::Value| m.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&c.metadata), keys(&b.metadata));
    }
    assert!(bulk[1].global_position > bulk[0].global_position);
    assert!(verify(&store.db, None).await.unwrap().is_clean());

    // The command path carries the bulk-written chain on.
    clock.set(at("2023-11-08", "09:00"));
    assert_eq!(run(&store, "bulk", absent("2023-11-08")).await.sequence, 5);
    assert!(verify(&store.db, None).await.unwrap().is_clean());

    // The projector reads it like any other case.
    store.projector.catch_up().await.unwrap();
    // Every row equals a fresh fold; the two streams hold the same child's facts twice, which
    // check-projections names as a second open case file, and nothing else.
    let mismatches = store.projector.check().await.unwrap();
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    assert!(
        mismatches[0].problem.contains("second open case file"),
        "{mismatches:?}"
    );

    // A stream written again is refused whole.
    let before = count(&store).await;
    assert!(
        insert(&store.db, &store.signer, store.clock.as_ref(), &rows)
            .await
            .is_err()
    );
    assert_eq!(count(&store).await, before);
}
