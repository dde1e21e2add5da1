//! One open case file per child (issue 15 point 4, ADR 0013): the event repository refuses a
//! second opening, and a reopening while another file is open, in the write's transaction;
//! a retry with its key answers as before; two openings at once open one case, even from two
//! stores over one database; a log that already holds duplicates still loads.

// The test bodies are plain async fns called by `conformance!`.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use notoneless_domain::fixtures::*;
use notoneless_domain::{CaseAction, Reopening};
use notoneless_store::db::{Backend, Db, P, Sql};
use notoneless_store::log::case_events;
use notoneless_store::one_case::{OneCaseRefusal, fill_from_log, held_case};
use notoneless_store::testing::{FixedClock, TestDb, context, open, open_child, run};
use notoneless_store::{CommandError, Rules, Store, conformance};

/// The fixtures' child's student number.
const CHILD: &str = "G211324201101015678";

fn store_over(db: Db, clock: Arc<FixedClock>) -> Store {
    let rules = Rules {
        calendar: calendar(),
        ladder: ladder(),
    };
    Store::new(db, rules, clock, notoneless_store::testing::test_key())
}

async fn setup(backend: Backend) -> (TestDb, Store) {
    let test = TestDb::new(backend).await;
    let clock = FixedClock::at(at("2023-11-10", "17:00"));
    let store = store_over(test.connect().await, clock);
    (test, store)
}

async fn refusal(store: &Store, case: &str, action: CaseAction) -> OneCaseRefusal {
    match store.commands.execute(case, action, &context(None)).await {
        Err(CommandError::OneCase(refusal)) => refusal,
        other => panic!("expected a refusal of a second case file, got {other:?}"),
    }
}

fn reopening(on: &str) -> CaseAction {
    CaseAction::ReopenCase(Reopening {
        on: d(on),
        reason: "absent again".into(),
    })
}

conformance!(
    a_second_opening_for_a_child_with_an_open_case_is_refused_naming_that_case,
    a_closed_case_frees_the_child_and_is_not_reopened_while_another_is_open,
    a_retry_of_the_opening_with_its_key_answers_as_before,
    two_openings_at_once_from_two_stores_open_one_case,
    a_log_that_already_holds_two_open_files_of_a_child_loads_keeping_the_first,
);

async fn a_second_opening_for_a_child_with_an_open_case_is_refused_naming_that_case(
    backend: Backend,
) {
    // Given the child's case file open
    let (_test, store) = setup(backend).await;
    run(&store, "case-1", open("2023-11-06")).await;

    // When a second one is opened for him, his student number written in lower case
    let again = open_child("2023-11-08", &CHILD.to_lowercase());
    let refused = refusal(&store, "case-2", again).await;

    // Then it is refused, naming the first, and nothing was written
    assert_eq!(
        refused,
        OneCaseRefusal::Open {
            case_id: "case-1".into()
        }
    );
    assert!(case_events(&store.db, "case-2").await.unwrap().is_empty());
    assert_eq!(
        held_case(&store.db, CHILD).await.unwrap().as_deref(),
        Some("case-1")
    );
    // Another child is opened as ever
    run(
        &store,
        "case-3",
        open_child("2023-11-08", "G211324201101099999"),
    )
    .await;
}

async fn a_closed_case_frees_the_child_and_is_not_reopened_while_another_is_open(backend: Backend) {
    // Given the child's first case file closed, and a second opened after it
    let (_test, store) = setup(backend).await;
    run(&store, "case-1", open("2023-11-06")).await;
    run(
        &store,
        "case-1",
        CaseAction::CloseCase(closure("2023-11-07")),
    )
    .await;
    run(&store, "case-2", open("2023-11-08")).await;

    // When the first is reopened while the second is open
    let refused = refusal(&store, "case-1", reopening("2023-11-09")).await;

    // Then it is refused, naming the second
    assert_eq!(
        refused,
        OneCaseRefusal::Reopen {
            case_id: "case-2".into()
        }
    );
    assert_eq!(case_events(&store.db, "case-1").await.unwrap().len(), 2);

    // And once the second is closed, the first reopens and holds the child again
    run(
        &store,
        "case-2",
        CaseAction::CloseCase(closure("2023-11-09")),
    )
    .await;
    run(&store, "case-1", reopening("2023-11-10")).await;
    assert_eq!(
        held_case(&store.db, CHILD).await.unwrap().as_deref(),
        Some("case-1")
    );
}

async fn a_retry_of_the_opening_with_its_key_answers_as_before(backend: Backend) {
    // Given an opening sent with an idempotency key
    let (_test, store) = setup(backend).await;
    let first = store
        .commands
        .execute("case-1", open("2023-11-06"), &context(Some("open-once")))
        .await
        .unwrap();

    // When it is sent again with the same key
    let again = store
        .commands
        .execute("case-1", open("2023-11-06"), &context(Some("open-once")))
        .await
        .unwrap();

    // Then the first answer comes back, and nothing more is written
    assert!(again.replayed);
    assert_eq!(
        (again.case_id, again.sequence, again.global_position),
        (first.case_id, first.sequence, first.global_position)
    );
    assert_eq!(case_events(&store.db, "case-1").await.unwrap().len(), 1);
}

async fn two_openings_at_once_from_two_stores_open_one_case(backend: Backend) {
    // Given two stores over one database (two servers, or the server and the CLI)
    let test = TestDb::new(backend).await;
    let clock = FixedClock::at(at("2023-11-10", "17:00"));
    let one = store_over(test.connect().await, clock.clone());
    let other = store_over(test.connect().await, clock);

    // When each opens a case file for the same child at the same time, four times over
    let attempt = |store: &'static str, i: usize| {
        let store = if store == "one" { &one } else { &other };
        async move {
            store
                .commands
                .execute(&format!("case-{i}"), open("2023-11-06"), &context(None))
                .await
        }
    };
    let (a, b, c, e) = tokio::join!(
        attempt("one", 0),
        attempt("other", 1),
        attempt("one", 2),
        attempt("other", 3)
    );
    let results = [a, b, c, e];

    // Then exactly one is opened, and every other is refused naming it
    let opened: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|o| o.case_id.clone()))
        .collect();
    assert_eq!(opened.len(), 1, "{results:?}");
    for result in &results {
        match result {
            Ok(_) => {}
            Err(CommandError::OneCase(OneCaseRefusal::Open { case_id })) => {
                assert_eq!(case_id, &opened[0]);
            }
            Err(other) => panic!("an opening failed otherwise: {other:?}"),
        }
    }
    assert_eq!(
        held_case(&one.db, CHILD).await.unwrap().as_deref(),
        Some(opened[0].as_str())
    );
}

async fn a_log_that_already_holds_two_open_files_of_a_child_loads_keeping_the_first(
    backend: Backend,
) {
    // Given a log written before one file per child was kept: two open files of the child
    // (case-1, then case-2), a closed one of another child, and an open one of a third
    let (_test, store) = setup(backend).await;
    let forget = || async {
        store
            .db
            .execute(Sql::both("DELETE FROM child_case_files"), &[])
            .await
            .unwrap();
    };
    run(&store, "case-1", open("2023-11-06")).await;
    forget().await;
    run(&store, "case-2", open("2023-11-07")).await;
    let (closed_child, open_child_number) = ("G211324201101099999", "G211324201101088888");
    run(&store, "case-3", open_child("2023-11-06", closed_child)).await;
    run(
        &store,
        "case-3",
        CaseAction::CloseCase(closure("2023-11-07")),
    )
    .await;
    run(
        &store,
        "case-4",
        open_child("2023-11-06", open_child_number),
    )
    .await;
    forget().await;

    // When the table is filled from the log, as the migration leaves it to be
    store
        .db
        .execute(
            Sql::both("INSERT INTO child_case_files (child, case_id) VALUES ($1, $2)"),
            &[P::text(""), P::text("")],
        )
        .await
        .unwrap();
    fill_from_log(&store.db).await.unwrap();

    // Then the first open file holds the child, the closed one holds nobody
    assert_eq!(
        held_case(&store.db, CHILD).await.unwrap().as_deref(),
        Some("case-1")
    );
    assert_eq!(held_case(&store.db, closed_child).await.unwrap(), None);
    assert_eq!(
        held_case(&store.db, open_child_number)
            .await
            .unwrap()
            .as_deref(),
        Some("case-4")
    );
    // And a third file of the child is refused, naming the first
    let refused = refusal(&store, "case-5", open("2023-11-09")).await;
    assert_eq!(refused.case_id(), "case-1");
    // Filling again does nothing: the table is filled once
    fill_from_log(&store.db).await.unwrap();
    assert_eq!(
        held_case(&store.db, CHILD).await.unwrap().as_deref(),
        Some("case-1")
    );
}
