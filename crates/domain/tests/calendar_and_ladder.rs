//! The school calendar and the escalation ladder: what they accept and what they refuse.

use notoneless_domain::fixtures::*;
use notoneless_domain::*;

fn term(first: &str, last: &str) -> Term {
    Term {
        name: "term".into(),
        first_day: d(first),
        last_day: d(last),
    }
}

#[test]
fn a_weekday_in_term_is_a_school_day() {
    assert!(calendar().is_school_day(d("2023-11-06")));
}

#[test]
fn a_weekend_is_not_a_school_day() {
    assert!(!calendar().is_school_day(d("2023-11-11")));
    assert!(!calendar().is_school_day(d("2023-11-12")));
}

#[test]
fn a_holiday_on_a_weekday_is_not_a_school_day() {
    assert!(!calendar().is_school_day(d("2023-10-02")));
}

#[test]
fn a_make_up_saturday_is_a_school_day() {
    assert!(calendar().is_school_day(d("2023-10-07")));
}

#[test]
fn a_weekday_outside_every_term_is_not_a_school_day() {
    assert!(!calendar().is_school_day(d("2024-02-01")));
}

#[test]
fn the_local_date_follows_shanghai_time() {
    assert_eq!(
        calendar().local_date(at("2023-11-07", "00:30")),
        d("2023-11-07")
    );
    assert_eq!(
        calendar().local_date(at("2023-11-06", "23:59")),
        d("2023-11-06")
    );
}

#[test]
fn school_days_lists_the_days_school_is_held_in_a_range() {
    let days: Vec<_> = calendar()
        .school_days(d("2023-09-28"), d("2023-10-09"))
        .collect();
    assert_eq!(
        days,
        vec![
            d("2023-09-28"),
            d("2023-10-07"),
            d("2023-10-08"),
            d("2023-10-09")
        ]
    );
}

#[test]
fn a_term_that_ends_before_it_starts_is_rejected() {
    let error = SchoolCalendar::new(vec![term("2024-01-19", "2023-09-01")], [], []).unwrap_err();
    assert_eq!(
        error,
        CalendarError::TermEndsBeforeStart {
            index: 0,
            first_day: d("2024-01-19"),
            last_day: d("2023-09-01")
        }
    );
}

#[test]
fn overlapping_terms_are_rejected() {
    let error = SchoolCalendar::new(
        vec![
            term("2023-09-01", "2024-01-19"),
            term("2024-01-10", "2024-07-10"),
        ],
        [],
        [],
    )
    .unwrap_err();
    assert_eq!(error, CalendarError::TermsOverlap { index: 1, other: 0 });
}

#[test]
fn a_make_up_day_on_a_weekday_is_rejected() {
    let error = SchoolCalendar::new(
        vec![term("2023-09-01", "2024-01-19")],
        [],
        [d("2023-10-09")],
    )
    .unwrap_err();
    assert_eq!(
        error,
        CalendarError::MakeUpDayNotWeekend {
            date: d("2023-10-09")
        }
    );
}

#[test]
fn a_day_both_holiday_and_make_up_day_is_rejected() {
    let error = SchoolCalendar::new(
        vec![term("2023-09-01", "2024-01-19")],
        [d("2023-10-07")],
        [d("2023-10-07")],
    )
    .unwrap_err();
    assert_eq!(
        error,
        CalendarError::HolidayAndMakeUpDay {
            date: d("2023-10-07")
        }
    );
}

#[test]
fn a_make_up_day_outside_every_term_is_rejected() {
    let error = SchoolCalendar::new(
        vec![term("2023-09-01", "2024-01-19")],
        [],
        [d("2024-02-03")],
    )
    .unwrap_err();
    assert_eq!(
        error,
        CalendarError::MakeUpDayOutsideTerms {
            date: d("2024-02-03")
        }
    );
}

#[test]
fn a_calendar_read_from_json_is_checked_like_one_built_in_code() {
    let json = r#"{"terms":[{"name":"autumn","first_day":"2023-09-01","last_day":"2024-01-19"}],
                   "make_up_days":["2023-10-09"]}"#;
    let error = serde_json::from_str::<SchoolCalendar>(json).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("make_up_days: 2023-10-09 is not a Saturday or Sunday"),
        "{error}"
    );
}

#[test]
fn a_calendar_survives_a_round_trip_through_json() {
    let json = serde_json::to_string(&calendar()).unwrap();
    assert_eq!(
        serde_json::from_str::<SchoolCalendar>(&json).unwrap(),
        calendar()
    );
    assert!(json.contains(r#""utc_offset_minutes":480"#), "{json}");
}

fn step(day: u32, roles: &[Role]) -> EscalationStep {
    EscalationStep {
        day,
        action: StepAction::HomeVisit,
        required_roles: roles.iter().copied().collect(),
        recipients: Default::default(),
    }
}

#[test]
fn the_default_ladder_is_the_plans_123_rule() {
    let ladder = EscalationLadder::default();
    let summary: Vec<_> = ladder
        .steps()
        .iter()
        .map(|s| (s.day, s.action, s.required_roles.len(), s.recipients.len()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, StepAction::ContactParents, 1, 0),
            (2, StepAction::HomeVisit, 2, 0),
            (3, StepAction::HomeVisit, 3, 2),
        ]
    );
}

#[test]
fn a_ladder_with_no_steps_is_rejected() {
    assert_eq!(EscalationLadder::new(vec![]), Err(LadderError::Empty));
}

#[test]
fn a_ladder_step_on_day_zero_is_rejected() {
    assert_eq!(
        EscalationLadder::new(vec![step(0, &[Role::HeadTeacher])]),
        Err(LadderError::DayZero { index: 0 })
    );
}

#[test]
fn ladder_steps_out_of_order_are_rejected() {
    assert_eq!(
        EscalationLadder::new(vec![
            step(2, &[Role::HeadTeacher]),
            step(2, &[Role::Principal])
        ]),
        Err(LadderError::NotIncreasing { index: 1 })
    );
}

#[test]
fn a_ladder_step_that_nobody_owes_is_rejected() {
    assert_eq!(
        EscalationLadder::new(vec![step(1, &[])]),
        Err(LadderError::NoRoles { index: 0 })
    );
}

#[test]
fn a_ladder_survives_a_round_trip_through_json() {
    let json = serde_json::to_string(&EscalationLadder::default()).unwrap();
    assert_eq!(
        serde_json::from_str::<EscalationLadder>(&json).unwrap(),
        EscalationLadder::default()
    );
}

#[test]
fn the_every_weekday_calendar_counts_weekdays_and_nothing_else() {
    let calendar = SchoolCalendar::every_weekday();
    assert!(calendar.is_school_day(d("2026-11-27")));
    assert!(!calendar.is_school_day(d("2026-11-28")));
    assert!(calendar.is_school_day(d("1999-12-31")));
}
