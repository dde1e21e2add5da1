//! A `--calendar` file given to the commands, run as a user runs them, against both backends
//! (issue 15.7, ADR 0014): recorded once as the county's calendar, a different one refused
//! with its differences and a non-zero exit, the "no calendar" warning only without any.
#![allow(clippy::unwrap_used)] // test bodies called by `conformance!`

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Output;

use notoneless_store::conformance;
use notoneless_store::db::Backend;
use notoneless_store::testing::{TestDb, count_events};

const NO_CALENDAR: &str = "no school calendar";

fn example_calendar() -> String {
    format!(
        "{}/../../examples/calendar-2023-autumn.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The example calendar with its make-up day of 8 October moved to the 15th.
fn other_calendar() -> PathBuf {
    let text = std::fs::read_to_string(example_calendar())
        .unwrap()
        .replace("\"2023-10-08\"", "\"2023-10-15\"");
    let path = std::env::temp_dir().join(format!("nol-other-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, text).unwrap();
    path
}

/// `notoneless admin add-node` of the county, without a calendar file.
fn add_county(url: &str) -> Output {
    notoneless(&[
        "admin",
        "add-node",
        "--database-url",
        url,
        "--id",
        "kazuo",
        "--kind",
        "county",
        "--name",
        "喀左县",
    ])
}

/// `notoneless admin add-node` of a township (a command that writes), with these extra
/// arguments.
fn add_node(url: &str, id: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "admin",
        "add-node",
        "--database-url",
        url,
        "--id",
        id,
        "--kind",
        "township",
        "--name",
        id,
        "--parent",
        "kazuo",
    ];
    args.extend(extra);
    notoneless(&args)
}

async fn count(test: &TestDb, event_type: &str) -> i64 {
    count_events(&test.connect().await, Some(event_type)).await
}

conformance!(
    a_calendar_file_is_recorded_once_and_a_different_one_is_refused_naming_the_days,
    the_no_calendar_warning_appears_only_when_there_is_no_calendar_at_all,
);

async fn a_calendar_file_is_recorded_once_and_a_different_one_is_refused_naming_the_days(
    backend: Backend,
) {
    // Given a county
    let test = TestDb::new(backend).await;
    let calendar = example_calendar();
    let county = add_county(&test.url);
    assert!(county.status.success(), "{county:?}");
    // When a command is run with the calendar file, then again with the same file
    for township in ["gyz", "nanshao"] {
        let run = add_node(&test.url, township, &["--calendar", &calendar]);
        assert!(run.status.success(), "{run:?}");
    }
    // Then the calendar is recorded once: a term, nine holidays, two make-up days
    assert_eq!(count(&test, "TermAdded").await, 1);
    assert_eq!(count(&test, "HolidayDeclared").await, 9);
    assert_eq!(count(&test, "MakeUpDayDeclared").await, 2);

    // When a different file is given
    let other = other_calendar();
    let refused = add_node(
        &test.url,
        "dachengzi",
        &["--calendar", other.to_str().unwrap()],
    );
    // Then the command fails, naming the days that differ in Chinese and English and the
    // API's way to change the calendar, and records nothing
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let text = stderr(&refused);
    for expected in [
        "与已记录的校历不同",
        "2023-10-15：文件为调休上课日，记录为普通日",
        "2023-10-08: the file says an ordinary day, the record says a make-up school day",
        "/api/v1/calendar/make-up-days",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    assert_eq!(count(&test, "NodeAdded").await, 3, "{text}");
    assert_eq!(count(&test, "MakeUpDayDeclared").await, 2);
    let _ = std::fs::remove_file(other);
}

async fn the_no_calendar_warning_appears_only_when_there_is_no_calendar_at_all(backend: Backend) {
    // Given a county with no calendar: a command warns that there is none
    let test = TestDb::new(backend).await;
    let county = add_county(&test.url);
    assert!(stderr(&county).contains(NO_CALENDAR), "{county:?}");
    // When a command is given the calendar file, it does not warn
    let with_file = add_node(&test.url, "gyz", &["--calendar", &example_calendar()]);
    assert!(with_file.status.success(), "{with_file:?}");
    assert!(!stderr(&with_file).contains(NO_CALENDAR), "{with_file:?}");
    // And once it is recorded, a command without it does not warn either
    let without = add_node(&test.url, "nanshao", &[]);
    assert!(without.status.success(), "{without:?}");
    assert!(!stderr(&without).contains(NO_CALENDAR), "{without:?}");
}
