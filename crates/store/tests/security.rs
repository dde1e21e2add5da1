//! Tokens as the store keeps them (stored as a digest, expiring, revocable) and the access
//! log (append-only, one entry per case read); on both backends.

// The test bodies are plain async fns called by `conformance!`; they unwrap what they have
// just written, as tests do.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::TimeDelta;
use notoneless_domain::fixtures::*;
use notoneless_domain::{Node, NodeKind, OrgCommand, User, UserRole};
use notoneless_i18n::Msg;
use notoneless_store::access::ReadKind;
use notoneless_store::db::{Backend, Sql};
use notoneless_store::exports::{
    FINDING_CASE_COLUMN, FINDING_COLUMNS, LEDGER_CASE_COLUMN, LEDGER_COLUMNS, LEDGER_ID_COLUMN,
};
use notoneless_store::org::{AuthError, token_sha256};
use notoneless_store::testing::{FixedClock, TestDb, context};
use notoneless_store::{Rules, Store, conformance};

async fn setup(backend: Backend) -> (TestDb, Store, Arc<FixedClock>) {
    let test = TestDb::new(backend).await;
    let clock = FixedClock::at(at("2023-11-06", "09:00"));
    let rules = Rules {
        calendar: calendar(),
        ladder: ladder(),
    };
    let store = Store::new(
        test.connect().await,
        rules,
        clock.clone(),
        notoneless_store::testing::test_key(),
    );
    let county = Node {
        id: "kazuo".into(),
        kind: NodeKind::County,
        name: "喀左县".into(),
        parent: None,
    };
    store
        .org
        .execute(OrgCommand::AddNode(county), &context(None))
        .await
        .unwrap();
    let user = User {
        id: "zhou".into(),
        name: "周督学".into(),
        role: UserRole::Inspector,
        node: "kazuo".into(),
    };
    store
        .org
        .execute(OrgCommand::AddUser(user), &context(None))
        .await
        .unwrap();
    (test, store, clock)
}

conformance!(
    a_token_works_until_its_expiry_and_not_after,
    a_token_issued_without_an_expiry_works_for_90_days_after_it_was_recorded,
    only_the_digest_of_a_token_is_stored,
    the_access_log_keeps_one_entry_per_case_read_and_lists_a_cases_newest_first,
    the_database_refuses_to_change_or_remove_an_access_log_entry,
);

async fn a_token_works_until_its_expiry_and_not_after(backend: Backend) {
    let (_test, store, clock) = setup(backend).await;
    let expiry = at("2023-11-07", "09:00");
    let issued = store
        .org
        .issue_token("zhou", Some(expiry), &context(None))
        .await
        .unwrap();
    assert_eq!(issued.expires_at, expiry);
    assert!(
        !format!("{issued:?}").contains(&issued.token),
        "the token stays out of Debug"
    );
    let snapshot = store.org.current();
    let ok = snapshot
        .authenticate(&issued.token, clock.now_value())
        .unwrap();
    assert_eq!(
        (ok.user.id.as_str(), ok.token_id),
        ("zhou", issued.token_id.as_str())
    );
    assert!(
        snapshot
            .authenticate(&issued.token, expiry - TimeDelta::microseconds(1))
            .is_ok()
    );
    assert_eq!(
        snapshot.authenticate(&issued.token, expiry).unwrap_err(),
        AuthError::Expired {
            token_id: issued.token_id.clone(),
            expired_at: expiry,
        }
    );
    assert_eq!(
        snapshot
            .authenticate("nol_not_a_token", clock.now_value())
            .unwrap_err(),
        AuthError::Unknown
    );
    // Revoked: unknown, as if it had never been.
    store
        .org
        .execute(
            OrgCommand::RevokeToken {
                token_id: issued.token_id.clone(),
            },
            &context(None),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .org
            .current()
            .authenticate(&issued.token, clock.now_value())
            .unwrap_err(),
        AuthError::Unknown
    );
}

async fn a_token_issued_without_an_expiry_works_for_90_days_after_it_was_recorded(
    backend: Backend,
) {
    let (_test, store, clock) = setup(backend).await;
    // How every token was issued before tokens expired: the event has no `expires_at`.
    let token = "nol_issued_before_tokens_expired";
    store
        .org
        .execute(
            OrgCommand::IssueToken {
                token_id: "t-old".into(),
                user: "zhou".into(),
                token_sha256: token_sha256(token),
                expires_at: None,
            },
            &context(None),
        )
        .await
        .unwrap();
    let stored = store.org.history().await.unwrap();
    let event = &stored.last().unwrap().payload["TokenIssued"];
    assert!(event.get("expires_at").is_none(), "{event}");
    // Read back again from the database, as after a restart.
    store.org.reload().await.unwrap();
    let issued = clock.now_value();
    let snapshot = store.org.current();
    assert_eq!(
        snapshot
            .authenticate(token, issued + TimeDelta::days(89))
            .unwrap()
            .expires_at,
        issued + TimeDelta::days(90)
    );
    assert!(matches!(
        snapshot.authenticate(token, issued + TimeDelta::days(90)),
        Err(AuthError::Expired { .. })
    ));
}

async fn only_the_digest_of_a_token_is_stored(backend: Backend) {
    let (_test, store, _clock) = setup(backend).await;
    let issued = store
        .org
        .issue_token("zhou", None, &context(None))
        .await
        .unwrap();
    let rows = store
        .db
        .fetch_all(
            Sql {
                postgres: "SELECT payload::text AS payload, metadata::text AS metadata FROM events",
                sqlite: "SELECT payload, metadata FROM events",
            },
            &[],
        )
        .await
        .unwrap();
    let mut digest_seen = false;
    for row in rows {
        let text = row.text("payload").unwrap() + &row.text("metadata").unwrap();
        assert!(!text.contains(&issued.token), "{text}");
        digest_seen |= text.contains(&token_sha256(&issued.token));
    }
    assert!(digest_seen, "the token's SHA-256 is what is kept");
}

async fn the_access_log_keeps_one_entry_per_case_read_and_lists_a_cases_newest_first(
    backend: Backend,
) {
    let (_test, store, clock) = setup(backend).await;
    let reader = context(None);
    let first = store
        .access
        .record(
            &reader.actor,
            "req-1",
            ReadKind::AsOf,
            Some("day=2023-11-07"),
            &["case-a".to_string()],
        )
        .await
        .unwrap();
    assert_eq!(first, clock.now_value(), "stamped with the store's clock");
    // A download: more cases than one statement takes, all recorded or none.
    clock.set(at("2023-11-06", "10:00"));
    let cases: Vec<String> = (0..1_234).map(|i| format!("case-{i}")).collect();
    let mut with_a = cases.clone();
    with_a.push("case-a".into());
    store
        .access
        .record(
            &reader.actor,
            "req-2",
            ReadKind::LedgerExport,
            None,
            &with_a,
        )
        .await
        .unwrap();
    let n: i64 = store
        .db
        .fetch_optional(Sql::both("SELECT COUNT(*) AS n FROM case_reads"), &[])
        .await
        .unwrap()
        .unwrap()
        .i64("n")
        .unwrap();
    assert_eq!(n, 1_236);
    let (reads, total) = store.access.reads_of("case-a", 1, 0).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(reads.len(), 1, "a page of one");
    let newest = &reads[0];
    assert_eq!(
        (
            newest.kind.as_str(),
            newest.request_id.as_str(),
            newest.read_at
        ),
        ("ledger_export", "req-2", at("2023-11-06", "10:00"))
    );
    assert_eq!(
        (
            newest.actor.as_str(),
            newest.role.as_str(),
            newest.jurisdiction.as_str()
        ),
        (
            reader.actor.id.as_str(),
            reader.actor.role.as_str(),
            reader.actor.jurisdiction.as_str()
        )
    );
    let (older, _) = store.access.reads_of("case-a", 1, 1).await.unwrap();
    assert_eq!(older[0].kind, "as_of");
    assert_eq!(older[0].detail.as_deref(), Some("day=2023-11-07"));
    assert_eq!(older[0].read_at, first);
    assert_eq!(store.access.reads_of("case-999", 10, 0).await.unwrap().1, 1);
    // Reads are not facts about the child: no case stream was touched.
    let events: i64 = store
        .db
        .fetch_optional(
            Sql::both("SELECT COUNT(*) AS n FROM events WHERE aggregate_type NOT IN ('organisation', 'log_key')"),
            &[],
        )
        .await
        .unwrap()
        .unwrap()
        .i64("n")
        .unwrap();
    assert_eq!(events, 0);
}

async fn the_database_refuses_to_change_or_remove_an_access_log_entry(backend: Backend) {
    let (_test, store, _clock) = setup(backend).await;
    let reader = context(None);
    store
        .access
        .record(
            &reader.actor,
            "req-1",
            ReadKind::History,
            None,
            &["case-a".to_string()],
        )
        .await
        .unwrap();
    let mut statements = vec![
        "UPDATE case_reads SET actor = 'someone else'",
        "DELETE FROM case_reads",
    ];
    if backend == Backend::Postgres {
        statements.push("TRUNCATE case_reads");
    }
    for statement in statements {
        let error = store
            .db
            .execute(Sql::both(statement), &[])
            .await
            .expect_err(statement)
            .to_string();
        assert!(error.contains("append-only"), "{statement}: {error}");
    }
    assert_eq!(store.access.reads_of("case-a", 10, 0).await.unwrap().1, 1);
}

#[test]
fn the_downloads_case_columns_are_the_case_id_columns() {
    assert_eq!(LEDGER_COLUMNS[LEDGER_CASE_COLUMN].header, Msg::ColCaseId);
    assert_eq!(FINDING_COLUMNS[FINDING_CASE_COLUMN].header, Msg::ColCaseId);
    assert_eq!(LEDGER_COLUMNS[LEDGER_ID_COLUMN].header, Msg::ColIdNumber);
}
