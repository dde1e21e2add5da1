//! The demo county's review finds every violation planted in it and nothing else, on both
//! databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use notoneless_demo::DemoCounty;
use notoneless_domain::{
    CalendarDay, EscalationLadder, FindingKind, OrgCommand, ReviewScope, ReviewSettings,
    SchoolCalendar, deadlines_moved,
};
use notoneless_store::db::Backend;
use notoneless_store::review::{ReviewSource, for_each_case, run_review, run_review_from};
use notoneless_store::testing::{FixedClock, TestDb, absent, open, run};
use notoneless_store::verify::verify;
use notoneless_store::{Rules, Store, conformance};

type Key = (FindingKind, String, String, NaiveDate);

/// The demo county, built on 2026-11-20, and the store as the server would see it that
/// evening (the clock can be moved on).
async fn demo_county(backend: Backend) -> (TestDb, DemoCounty, NaiveDate, Arc<FixedClock>, Store) {
    let test = TestDb::new(backend).await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let demo = notoneless_demo::build(
        test.connect().await,
        EscalationLadder::kazuo_123(),
        today,
        notoneless_store::testing::test_key(),
    )
    .await
    .expect("the demo county is built");
    let evening = Utc.from_utc_datetime(&today.and_hms_opt(10, 0, 0).unwrap());
    let clock = FixedClock::at(evening);
    let store = Store::new(
        test.connect().await,
        Rules {
            calendar: SchoolCalendar::every_weekday(),
            ladder: EscalationLadder::kazuo_123(),
        },
        clock.clone(),
        notoneless_store::testing::test_key(),
    );
    store.org.reload().await.unwrap();
    (test, demo, today, clock, store)
}

conformance!(the_review_of_the_demo_county_finds_exactly_the_planted_violations);

async fn the_review_of_the_demo_county_finds_exactly_the_planted_violations(backend: Backend) {
    let (_test, demo, today, _clock, store) = demo_county(backend).await;
    assert_eq!(demo.schools, 12);
    assert_eq!(demo.children, 2_000);
    let scope = ReviewScope::new(demo.first_day, today, ReviewSettings::default()).unwrap();
    let review = run_review(&store, &scope).await.unwrap();
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

conformance!(the_review_taken_from_the_read_model_is_the_review_read_from_the_log);

/// The review of now takes each case's contribution from the read model: it must find what
/// reading every case from the log finds, that evening, days later (rows gone stale), for a
/// township, and with events the projector has not applied yet.
async fn the_review_taken_from_the_read_model_is_the_review_read_from_the_log(backend: Backend) {
    let (_test, demo, today, clock, store) = demo_county(backend).await;
    let evening = clock.now_value();
    store.projector.reproject().await.unwrap();
    let settings = ReviewSettings::default();
    // A calendar change made after its day moves deadlines in every case it touches: a review
    // over it reads the log. The period here ends the day before the demo's own such change.
    let changes = store.org.calendar_changes(None).await.unwrap();
    let changed = changes
        .iter()
        .filter(|c| c.declared_on > c.day)
        .map(|c| c.day)
        .min()
        .unwrap();
    let (first_day, last_day) = (demo.first_day, changed.pred_opt().unwrap());
    let scope = |first_day, until, schools| {
        ReviewScope::new(first_day, until, settings)
            .unwrap()
            .of_schools(schools)
    };
    let (over_it, source) = run_review_from(&store, &scope(first_day, today, None), false)
        .await
        .unwrap();
    assert_eq!(source, ReviewSource::Log, "over the change");
    assert!(
        over_it
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::RetroactiveCalendarChange)
    );
    let both = |schools: Option<Vec<String>>, first_day: NaiveDate, until: NaiveDate| {
        let store = &store;
        async move {
            let scope = scope(first_day, until, schools.clone());
            let kept = run_review_from(store, &scope, false).await.unwrap();
            let logged = run_review_from(store, &scope, true).await.unwrap();
            assert_eq!(logged.1, ReviewSource::Log);
            assert_eq!(kept.0, logged.0, "schools {schools:?} until {until}");
            (kept.1, kept.0.findings.len())
        }
    };
    let (source, found) = both(None, first_day, last_day).await;
    assert_eq!(source, ReviewSource::ReadModel { recomputed: 0 });
    assert!(found > 10);
    let township = store
        .org
        .current()
        .org
        .schools()
        .into_iter()
        .take(3)
        .collect();
    let (source, found) = both(Some(township), first_day, last_day).await;
    assert!(matches!(source, ReviewSource::ReadModel { .. }) && found > 0);

    // A child away today, recorded after the projector last ran: read from the log.
    let day = today.to_string();
    run(&store, "case-after-projection", open(&day)).await;
    run(&store, "case-after-projection", absent(&day)).await;
    let (source, _) = both(None, first_day, last_day).await;
    assert!(matches!(source, ReviewSource::ReadModel { recomputed } if recomputed >= 1));

    // Days later: rows whose contribution has run out are read from the log.
    store.projector.catch_up().await.unwrap();
    for days in [1, 2, 5, 12] {
        clock.set(evening + TimeDelta::days(days));
        both(None, first_day, last_day).await;
        // After the change: the child away today, whose steps time makes overdue.
        let (_, found) = both(
            None,
            changed.succ_opt().unwrap(),
            today + TimeDelta::days(days),
        )
        .await;
        assert!(found > 0);
    }

    // Restarted with another ladder (only the call to the parents): no row computed under
    // the old one is taken.
    let first_step = EscalationLadder::kazuo_123().steps()[..1].to_vec();
    let calendar = store.rules.get().calendar.clone();
    assert!(store.rules.set(Rules {
        calendar,
        ladder: EscalationLadder::new(first_step).unwrap(),
    }));
    both(None, first_day, last_day).await;
}

/// How long the console's confirmation of a retroactive calendar change takes to work out
/// what it would move: every case read from the log and assessed with the calendar before and
/// after the change (`deadlines_moved`), as `crates/web/src/calendar.rs` does. A measurement,
/// not a check of speed: run it by hand (`--ignored --nocapture`) and note the figure in
/// docs/performance.md.
#[tokio::test]
#[ignore = "a measurement, run by hand"]
async fn the_confirmation_of_a_retroactive_holiday_is_timed_on_the_demo_county() {
    let (_test, demo, today, clock, store) = demo_county(Backend::Postgres).await;
    let ladder = EscalationLadder::kazuo_123();
    let now = clock.now_value();
    for back in [1, 3, 10] {
        let day = today - TimeDelta::days(back);
        let command = OrgCommand::DeclareHoliday(CalendarDay {
            day,
            name: "measured".into(),
            reason: None,
        });
        let started = std::time::Instant::now();
        let (before, after) = store.org.calendar_with(command).unwrap();
        let (mut cases, mut moved) = (0, 0);
        for_each_case(&store, &before, None, |record| {
            cases += 1;
            if !deadlines_moved(&record.case, &before, &after, &ladder, now).is_empty() {
                moved += 1;
            }
        })
        .await
        .unwrap();
        println!(
            "holiday on {day}: {cases} cases read and assessed twice, {moved} moved, in {:.1} ms ({} children)",
            started.elapsed().as_secs_f64() * 1000.0,
            demo.children
        );
    }
}
