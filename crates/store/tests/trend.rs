//! The dashboard's weekly trend over the read model (`read_model::absence_trend`), on both
//! databases: weeks run Monday to Sunday; an absence counts on its day when the ladder counts
//! it (a school day, not on leave); an episode counts in the week of its first day, as
//! `assess()` groups the days (a weekend does not end one, a school day at school does). The
//! days are a projection the projector keeps, `check-projections` compares and `reproject`
//! rebuilds.

// The test bodies are plain async fns called by `conformance!`; they unwrap what they have
// just written, as tests do.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use notoneless_domain::CaseAction;
use notoneless_domain::fixtures::{at, calendar, ladder, leave, opening};
use notoneless_store::db::{Backend, Sql};
use notoneless_store::read_model::{WeekCounts, absence_trend};
use notoneless_store::testing::{FixedClock, TestDb, absent, run};
use notoneless_store::{Rules, Store, conformance};

const MIDDLE: &str = "kazuo-gyz-middle";
const PRIMARY: &str = "kazuo-gyz-primary";

fn d(day: &str) -> NaiveDate {
    day.parse().unwrap()
}

fn week(monday: &str, absence_days: i64, episodes: i64) -> WeekCounts {
    WeekCounts {
        monday: d(monday),
        absence_days,
        episodes,
    }
}

/// The fixture calendar (the national-day holiday 29 September to 6 October, made up on
/// Saturday 7 and Sunday 8 October) and, recorded on 17 October, six children's absences
/// around the weekends of October 2023.
async fn county(backend: Backend) -> (TestDb, Store) {
    let test = TestDb::new(backend).await;
    let clock = FixedClock::at(at("2023-10-17", "09:00"));
    let store = Store::new(
        test.connect().await,
        Rules {
            calendar: calendar(),
            ladder: ladder(),
        },
        clock.clone(),
        notoneless_store::testing::test_key(),
    );
    let children = [
        // Away from the make-up Sunday on: one episode begun on Sunday 8 October, its first
        // day in that week and the next two in the week of Monday 9.
        (
            "case-1",
            MIDDLE,
            &["2023-10-08", "2023-10-09", "2023-10-10"][..],
        ),
        // On the holiday and on a Saturday (not school days: not counted), then Monday 16.
        (
            "case-2",
            MIDDLE,
            &["2023-10-02", "2023-10-14", "2023-10-16"][..],
        ),
        // Friday 13 and Monday 16: one episode, the weekend between does not end it.
        ("case-3", MIDDLE, &["2023-10-13", "2023-10-16"][..]),
        // Wednesday 11 and Friday 13, at school on Thursday 12 (no record): two episodes.
        ("case-4", MIDDLE, &["2023-10-11", "2023-10-13"][..]),
        // Another school: counted only when the trend takes every school.
        ("case-5", PRIMARY, &["2023-10-09"][..]),
        // Away on Tuesday 10 with leave for that day: not counted.
        ("case-6", MIDDLE, &["2023-10-10"][..]),
    ];
    for (i, (case, school, days)) in children.iter().enumerate() {
        let mut opened = opening("2023-09-04");
        opened.student.school = (*school).into();
        opened.student.student_number = format!("G2113242011010{i}5678");
        run(&store, case, CaseAction::OpenCase(opened)).await;
        for day in *days {
            run(&store, case, absent(day)).await;
        }
    }
    run(
        &store,
        "case-6",
        CaseAction::GrantLeave(leave("2023-10-10", "2023-10-10", "2023-10-10")),
    )
    .await;
    store.projector.catch_up().await.unwrap();
    (test, store)
}

conformance!(
    the_trend_counts_absences_by_their_day_and_episodes_by_their_first_day_monday_to_sunday,
    the_trend_counts_only_the_days_of_its_period_and_names_every_week_of_it,
    the_trend_is_a_projection_that_check_projections_compares_and_reproject_rebuilds,
);

async fn the_trend_counts_absences_by_their_day_and_episodes_by_their_first_day_monday_to_sunday(
    backend: Backend,
) {
    let (_test, store) = county(backend).await;
    let middle = [MIDDLE.to_string()];
    // The middle school: Sunday 8 October is in the week of Monday 2 (its episode too), the
    // holiday and the Saturday count nowhere, the leave day neither; Friday 13's episode goes
    // on into Monday 16 without beginning again there.
    let trend = absence_trend(&store.db, Some(&middle), d("2023-10-02"), d("2023-10-22"))
        .await
        .unwrap();
    assert_eq!(
        trend,
        vec![
            week("2023-10-02", 1, 1),
            week("2023-10-09", 5, 3),
            week("2023-10-16", 2, 1),
        ]
    );
    // The whole county: the other school's Monday too.
    let county = absence_trend(&store.db, None, d("2023-10-02"), d("2023-10-22"))
        .await
        .unwrap();
    assert_eq!(
        county,
        vec![
            week("2023-10-02", 1, 1),
            week("2023-10-09", 6, 4),
            week("2023-10-16", 2, 1),
        ]
    );
    // A jurisdiction of no school sees nothing, every week named all the same.
    let none = absence_trend(&store.db, Some(&[]), d("2023-10-02"), d("2023-10-22"))
        .await
        .unwrap();
    assert_eq!(
        none,
        vec![
            week("2023-10-02", 0, 0),
            week("2023-10-09", 0, 0),
            week("2023-10-16", 0, 0),
        ]
    );
}

async fn the_trend_counts_only_the_days_of_its_period_and_names_every_week_of_it(backend: Backend) {
    let (_test, store) = county(backend).await;
    // From Monday 9: Sunday 8 is left out, and with it the episode it began.
    let trend = absence_trend(&store.db, None, d("2023-10-09"), d("2023-10-16"))
        .await
        .unwrap();
    assert_eq!(
        trend,
        vec![week("2023-10-09", 6, 4), week("2023-10-16", 2, 1)]
    );
    // Up to Sunday 8, from a Wednesday: the week of Monday 2, with Sunday's day and episode.
    let trend = absence_trend(&store.db, None, d("2023-10-04"), d("2023-10-08"))
        .await
        .unwrap();
    assert_eq!(trend, vec![week("2023-10-02", 1, 1)]);
    // Weeks without an absence are named with nothing in them.
    let trend = absence_trend(&store.db, None, d("2023-09-20"), d("2023-10-08"))
        .await
        .unwrap();
    assert_eq!(
        trend,
        vec![
            week("2023-09-18", 0, 0),
            week("2023-09-25", 0, 0),
            week("2023-10-02", 1, 1),
        ]
    );
}

async fn the_trend_is_a_projection_that_check_projections_compares_and_reproject_rebuilds(
    backend: Backend,
) {
    let (_test, store) = county(backend).await;
    assert_eq!(store.projector.check().await.unwrap(), vec![]);
    let before = absence_trend(&store.db, None, d("2023-10-02"), d("2023-10-22"))
        .await
        .unwrap();
    // A day lost from the projection is a difference check-projections names,
    store
        .db
        .execute(
            Sql::both(
                "DELETE FROM case_absence_days WHERE case_id = 'case-1' AND day = '2023-10-08'",
            ),
            &[],
        )
        .await
        .unwrap();
    let mismatches = store.projector.check().await.unwrap();
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    assert_eq!(mismatches[0].case_id, "case-1");
    assert!(
        mismatches[0].problem.contains("absence_days"),
        "{}",
        mismatches[0].problem
    );
    // and the rebuild puts it back.
    store.projector.reproject().await.unwrap();
    assert_eq!(store.projector.check().await.unwrap(), vec![]);
    assert_eq!(
        absence_trend(&store.db, None, d("2023-10-02"), d("2023-10-22"))
            .await
            .unwrap(),
        before
    );
}
