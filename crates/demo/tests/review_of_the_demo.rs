//! The demo county's review finds every violation planted in it and nothing else, on both
//! databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use chrono::{NaiveDate, TimeZone, Utc};
use notoneless_domain::{EscalationLadder, FindingKind, ReviewSettings, SchoolCalendar};
use notoneless_store::db::Backend;
use notoneless_store::review::run_review;
use notoneless_store::testing::{FixedClock, TestDb};
use notoneless_store::verify::verify;
use notoneless_store::{Rules, Store, conformance};

type Key = (FindingKind, String, String, NaiveDate);

conformance!(the_review_of_the_demo_county_finds_exactly_the_planted_violations);

async fn the_review_of_the_demo_county_finds_exactly_the_planted_violations(backend: Backend) {
    let test = TestDb::new(backend).await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let demo = notoneless_demo::build(test.connect().await, EscalationLadder::kazuo_123(), today)
        .await
        .expect("the demo county is built");
    assert_eq!(demo.schools, 12);
    assert_eq!(demo.children, 2_000);

    // The county as the server would see it this evening.
    let evening = Utc.from_utc_datetime(&today.and_hms_opt(10, 0, 0).unwrap());
    let store = Store::new(
        test.connect().await,
        Rules {
            calendar: SchoolCalendar::every_weekday(),
            ladder: EscalationLadder::kazuo_123(),
        },
        FixedClock::at(evening),
    );
    store.org.reload().await.unwrap();
    let review = run_review(
        &store,
        demo.first_day,
        today,
        None,
        None,
        &ReviewSettings::default(),
    )
    .await
    .unwrap();
    let found: BTreeSet<Key> = review
        .findings
        .iter()
        .map(|f| (f.kind, f.case_id.clone(), f.school.clone(), f.day))
        .collect();
    let planted: BTreeSet<Key> = demo
        .planted
        .iter()
        .map(|p| (p.kind, p.case_id.clone(), p.school.clone(), p.day))
        .collect();
    let missed: Vec<_> = demo
        .planted
        .iter()
        .filter(|p| !found.contains(&(p.kind, p.case_id.clone(), p.school.clone(), p.day)))
        .collect();
    let false_ones: Vec<_> = review
        .findings
        .iter()
        .filter(|f| !planted.contains(&(f.kind, f.case_id.clone(), f.school.clone(), f.day)))
        .collect();
    assert!(
        missed.is_empty() && false_ones.is_empty(),
        "planted but not found: {missed:#?}\nfound but not planted: {false_ones:#?}"
    );
    // Every kind of finding the review knows is planted at least once.
    let kinds: BTreeSet<FindingKind> = demo.planted.iter().map(|p| p.kind).collect();
    assert_eq!(kinds.len(), 14, "{kinds:?}");
    // The same number of findings as planted: none found twice.
    assert_eq!(review.findings.len(), demo.planted.len());

    // Everything went through the command path: the log verifies.
    let report = verify(&store.db, None).await.unwrap();
    assert!(report.is_clean(), "{report:?}");
}
