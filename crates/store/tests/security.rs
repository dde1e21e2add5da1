//! Tokens as the store keeps them: stored as a digest, expiring, revocable; on both backends.

// The test bodies are plain async fns called by `conformance!`; they unwrap what they have
// just written, as tests do.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::TimeDelta;
use notoneless_domain::fixtures::*;
use notoneless_domain::{Node, NodeKind, OrgCommand, User, UserRole};
use notoneless_store::db::{Backend, Sql};
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
    let store = Store::new(test.connect().await, rules, clock.clone());
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
