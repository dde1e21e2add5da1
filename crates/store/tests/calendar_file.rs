//! A calendar file (`--calendar`) recorded once as the county's calendar, on both databases
//! (issue 15.7, ADR 0014): the same file again records nothing, a different one is refused
//! with its differences and records nothing, a holiday declared afterwards takes effect.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use notoneless_domain::fixtures::{at, calendar, d, ladder};
use notoneless_domain::{
    CalendarDay, CalendarDifference, DayKind, OrgCommand, SchoolCalendar, Term,
};
use notoneless_store::db::Backend;
use notoneless_store::org::{CalendarFile, CalendarFileError, CalendarSeeded, CalendarSource};
use notoneless_store::testing::{FixedClock, TestDb, context, count_events};
use notoneless_store::{Rules, Store, conformance};

/// A store as the binary builds it: no calendar but the one recorded.
async fn store(backend: Backend) -> (TestDb, Store) {
    let test = TestDb::new(backend).await;
    let store = Store::new(
        test.connect().await,
        Rules {
            calendar: SchoolCalendar::every_weekday(),
            ladder: ladder(),
        },
        FixedClock::at(at("2023-08-28", "08:00")),
        notoneless_store::testing::test_key(),
    );
    store.org.reload().await.unwrap();
    (test, store)
}

/// [`store`], its calendar recorded from [`file`].
async fn seeded(backend: Backend) -> (TestDb, Store) {
    let (test, store) = store(backend).await;
    store
        .org
        .seed_calendar(&file(), &context(None))
        .await
        .unwrap();
    (test, store)
}

async fn events(store: &Store) -> i64 {
    count_events(&store.db, None).await
}

fn file() -> CalendarFile {
    CalendarFile::new("calendar-2023-autumn.json", calendar())
}

conformance!(
    the_same_calendar_file_given_twice_is_recorded_once,
    a_different_calendar_file_is_refused_naming_the_days_that_differ_and_records_nothing,
    a_holiday_declared_after_the_file_was_recorded_takes_effect_and_the_file_still_passes,
    a_command_that_only_reads_refuses_a_calendar_file_not_recorded,
);

async fn the_same_calendar_file_given_twice_is_recorded_once(backend: Backend) {
    // Given a county with no calendar at all
    let (_test, store) = store(backend).await;
    assert_eq!(store.org.calendar_source(), CalendarSource::None);
    // When the calendar file is given, then given again
    let first = store
        .org
        .seed_calendar(&file(), &context(None))
        .await
        .unwrap();
    let after_first = events(&store).await;
    let second = store
        .org
        .seed_calendar(&file(), &context(None))
        .await
        .unwrap();
    // Then it is recorded the first time (a term, 8 holidays, 2 make-up days), not again
    assert_eq!(first, CalendarSeeded::Recorded { declared: 11 });
    assert_eq!(second, CalendarSeeded::AlreadyRecorded);
    assert_eq!(events(&store).await, after_first);
    // And it is the calendar in force, the organisation's
    assert_eq!(store.org.calendar_source(), CalendarSource::Organisation);
    assert_eq!(store.rules.get().calendar, calendar());
    // And its days are not retroactive changes of the calendar
    assert_eq!(store.org.calendar_changes(None).await.unwrap().len(), 0);
}

async fn a_different_calendar_file_is_refused_naming_the_days_that_differ_and_records_nothing(
    backend: Backend,
) {
    // Given a county whose calendar was recorded from a file
    let (_test, store) = seeded(backend).await;
    let before = events(&store).await;
    // When another file, whose make-up day of 8 October is the 15th, is given
    let other = SchoolCalendar::new(
        calendar().spec().terms.clone(),
        d("2023-09-29").iter_days().take(8),
        [d("2023-10-07"), d("2023-10-15")],
    )
    .unwrap();
    let refused = store
        .org
        .seed_calendar(&CalendarFile::new("other.json", other), &context(None))
        .await
        .unwrap_err();
    // Then it is refused, naming both days, and nothing is recorded
    let CalendarFileError::Differs { file, differences } = &refused else {
        panic!("{refused:?}");
    };
    assert_eq!(file, "other.json");
    assert_eq!(
        differences,
        &vec![
            CalendarDifference::Day {
                day: d("2023-10-08"),
                file: DayKind::Ordinary,
                recorded: DayKind::MakeUpDay,
            },
            CalendarDifference::Day {
                day: d("2023-10-15"),
                file: DayKind::MakeUpDay,
                recorded: DayKind::Ordinary,
            },
        ]
    );
    assert_eq!(events(&store).await, before);
    // And the refusal says it in Chinese and in English, pointing to the API
    let zh = refused.text(notoneless_i18n::Lang::Zh);
    assert!(
        zh.contains("2023-10-15：文件为调休上课日，记录为普通日"),
        "{zh}"
    );
    assert!(
        refused.to_string().contains("/api/v1/calendar/holidays"),
        "{refused}"
    );
}

async fn a_holiday_declared_after_the_file_was_recorded_takes_effect_and_the_file_still_passes(
    backend: Backend,
) {
    // Given a county whose calendar was recorded from a file
    let (_test, store) = seeded(backend).await;
    assert!(store.rules.get().calendar.is_school_day(d("2023-11-09")));
    // When a holiday is declared through the organisation (as the API does)
    store
        .org
        .execute(
            OrgCommand::DeclareHoliday(CalendarDay {
                day: d("2023-11-09"),
                name: "sports day".into(),
                reason: None,
            }),
            &context(None),
        )
        .await
        .unwrap();
    // Then it is in force
    assert!(!store.rules.get().calendar.is_school_day(d("2023-11-09")));
    // And the file that seeded the calendar still starts, recording nothing, and the holiday
    // stays
    let before = events(&store).await;
    assert_eq!(
        store
            .org
            .seed_calendar(&file(), &context(None))
            .await
            .unwrap(),
        CalendarSeeded::AlreadyRecorded
    );
    assert_eq!(events(&store).await, before);
    assert!(!store.rules.get().calendar.is_school_day(d("2023-11-09")));
    // And a term added through the organisation is in force too
    store
        .org
        .execute(
            OrgCommand::AddTerm(Term {
                name: "2024 spring".into(),
                first_day: d("2024-02-26"),
                last_day: d("2024-07-05"),
            }),
            &context(None),
        )
        .await
        .unwrap();
    assert!(store.rules.get().calendar.is_school_day(d("2024-02-26")));
}

async fn a_command_that_only_reads_refuses_a_calendar_file_not_recorded(backend: Backend) {
    // Given a county with no calendar recorded
    let (_test, store) = store(backend).await;
    // When a command that only reads is given a calendar file
    let refused = store.org.check_calendar_file(&file()).await.unwrap_err();
    // Then it is refused, and nothing is recorded
    assert!(
        matches!(refused, CalendarFileError::NotRecorded { .. }),
        "{refused:?}"
    );
    assert_eq!(events(&store).await, 0);
    // And once the file is recorded, it passes
    store
        .org
        .seed_calendar(&file(), &context(None))
        .await
        .unwrap();
    store.org.check_calendar_file(&file()).await.unwrap();
}
