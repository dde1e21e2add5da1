//! `nol-seed` writes a county whose log verifies, whose read models rebuild to what a fresh
//! fold gives, and whose review finds exactly the findings the generator says it planted.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use notoneless_domain::{EscalationLadder, ReviewScope, ReviewSettings, SchoolCalendar};
use notoneless_store::review::{ReviewSource, run_review_from};
use notoneless_store::testing::TestDb;
use notoneless_store::verify::verify;
use notoneless_store::{Rules, Store, SystemClock};
use serde_json::Value;

fn date(summary: &Value, key: &str) -> NaiveDate {
    summary[key].as_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_county_verifies_rebuilds_and_holds_the_findings_planted() {
    let test = TestDb::postgres().await;
    let key_file =
        std::env::temp_dir().join(format!("nol-seed-key-{}", uuid::Uuid::new_v4().simple()));
    notoneless_store::testing::test_key()
        .write_new(&key_file)
        .unwrap();
    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_nol-seed"))
        .args(["--database-url", &test.url])
        .args(["--signing-key", key_file.to_str().unwrap()])
        .args(["--children", "800", "--events", "20000"])
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let summary: Value = serde_json::from_slice(&seeded.stdout).unwrap();
    let db = test.connect().await;

    let report = verify(&db, None).await.unwrap();
    assert!(report.is_clean(), "{:?}", report.broken);
    assert_eq!(
        report.events,
        summary["events"].as_u64().unwrap() + 1,
        "the facts written and the announcement of the log's signing key"
    );
    assert_eq!(
        report.cases,
        800 + 6 + 1 + 1,
        "the cases, the schools' roll calls, the county, the log's keys"
    );

    let store = Store::new(
        db,
        Rules {
            calendar: SchoolCalendar::every_weekday(),
            ladder: EscalationLadder::default(),
        },
        Arc::new(SystemClock),
        notoneless_store::testing::test_key(),
    );
    store.projector.reproject().await.unwrap();
    assert_eq!(store.projector.check().await.unwrap(), vec![]);

    let (from, until) = (date(&summary, "from"), date(&summary, "until"));
    let scope = ReviewScope::new(from, until, ReviewSettings::default()).unwrap();
    let (review, source) = run_review_from(&store, &scope, false).await.unwrap();
    // Taken from the read model, and the same as reading every case from the log.
    assert_eq!(source, ReviewSource::ReadModel { recomputed: 0 });
    let (logged, _) = run_review_from(&store, &scope, true).await.unwrap();
    assert_eq!(
        (&review.findings, &review.schools),
        (&logged.findings, &logged.schools)
    );
    let mut found: BTreeMap<String, u64> = BTreeMap::new();
    for finding in &review.findings {
        let kind = serde_json::to_value(finding.kind).unwrap();
        *found.entry(kind.as_str().unwrap().to_string()).or_default() += 1;
    }
    let planted: BTreeMap<String, u64> =
        serde_json::from_value::<BTreeMap<String, u64>>(summary["planted"].clone())
            .unwrap()
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect();
    assert_eq!(found, planted);
}
