//! How long the console's confirmation of a retroactive calendar change takes to work out
//! what it would move, on the demo county (2,000 children): every case read from the log and
//! assessed with the calendar before and after the change (`deadlines_moved`), as
//! `crates/web/src/calendar.rs` does. A measurement, not a check of speed: run it by hand,
//! `cargo test --release -p notoneless-demo --test calendar_preview -- --ignored --nocapture`,
//! and note the figure in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use notoneless_domain::{
    CalendarDay, EscalationLadder, OrgCommand, SchoolCalendar, deadlines_moved,
};
use notoneless_store::db::Backend;
use notoneless_store::review::for_each_case;
use notoneless_store::testing::{FixedClock, TestDb};
use notoneless_store::{Rules, Store};

#[tokio::test]
#[ignore = "a measurement, run by hand"]
async fn what_a_retroactive_holiday_moves_in_the_demo_county() {
    let test = TestDb::new(Backend::Postgres).await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let demo = notoneless_demo::build(
        test.connect().await,
        EscalationLadder::kazuo_123(),
        today,
        notoneless_store::testing::test_key(),
    )
    .await
    .expect("the demo county is built");
    let clock = FixedClock::at(Utc.from_utc_datetime(&today.and_hms_opt(10, 0, 0).unwrap()));
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
    let ladder = EscalationLadder::kazuo_123();
    let now = clock.now_value();
    for back in [1, 3, 10] {
        let day = today - TimeDelta::days(back);
        let command = OrgCommand::DeclareHoliday(CalendarDay {
            day,
            name: "measured".into(),
            reason: None,
        });
        let started = Instant::now();
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
