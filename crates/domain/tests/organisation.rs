//! Given/when/then tests of the `Organisation` aggregate: the tree, users, tokens, calendar.

use cqrs_es::test::TestFramework;
use notoneless_domain::fixtures::d;
use notoneless_domain::*;
use notoneless_i18n::Msg;

fn given(events: Vec<OrgEvent>) -> cqrs_es::test::AggregateTestExecutor<Organisation> {
    TestFramework::<Organisation>::with(()).given(events)
}

fn node(id: &str, kind: NodeKind, parent: Option<&str>) -> Node {
    Node {
        id: id.into(),
        kind,
        name: id.into(),
        parent: parent.map(str::to_string),
    }
}

fn tree() -> Vec<OrgEvent> {
    vec![
        OrgEvent::NodeAdded(node("kazuo", NodeKind::County, None)),
        OrgEvent::NodeAdded(node("gyz", NodeKind::Township, Some("kazuo"))),
        OrgEvent::NodeAdded(node("gyz-middle", NodeKind::School, Some("gyz"))),
    ]
}

fn user(id: &str, role: UserRole, node: &str) -> User {
    User {
        id: id.into(),
        name: id.into(),
        role,
        node: node.into(),
    }
}

fn term() -> Term {
    Term {
        name: "2023 autumn".into(),
        first_day: d("2023-09-01"),
        last_day: d("2024-01-19"),
    }
}

#[test]
fn a_school_is_added_under_its_township() {
    let mut events = tree();
    let school = events.pop().unwrap();
    given(events)
        .when(OrgCommand::AddNode(node(
            "gyz-middle",
            NodeKind::School,
            Some("gyz"),
        )))
        .then_expect_events(vec![school]);
}

#[test]
fn a_school_directly_under_the_county_is_rejected() {
    given(tree())
        .when(OrgCommand::AddNode(node(
            "x",
            NodeKind::School,
            Some("kazuo"),
        )))
        .then_expect_error(OrgError::Invalid {
            field: "parent",
            reason: Msg::RuleNodeParent,
        });
}

#[test]
fn a_second_county_is_rejected() {
    given(tree())
        .when(OrgCommand::AddNode(node("other", NodeKind::County, None)))
        .then_expect_error(OrgError::Invalid {
            field: "kind",
            reason: Msg::RuleOneCounty,
        });
}

#[test]
fn a_head_teacher_is_added_at_a_school() {
    let teacher = user("li", UserRole::HeadTeacher, "gyz-middle");
    given(tree())
        .when(OrgCommand::AddUser(teacher.clone()))
        .then_expect_events(vec![OrgEvent::UserAdded(teacher)]);
}

#[test]
fn a_head_teacher_at_a_township_is_rejected() {
    given(tree())
        .when(OrgCommand::AddUser(user(
            "li",
            UserRole::HeadTeacher,
            "gyz",
        )))
        .then_expect_error(OrgError::WrongNode {
            role: UserRole::HeadTeacher,
        });
}

#[test]
fn a_token_for_an_unknown_user_is_rejected() {
    given(tree())
        .when(OrgCommand::IssueToken {
            token_id: "t1".into(),
            user: "nobody".into(),
            token_sha256: "a".repeat(64),
            expires_at: None,
        })
        .then_expect_error(OrgError::Unknown {
            field: "user",
            value: "nobody".into(),
        });
}

#[test]
fn deactivating_a_user_drops_their_tokens() {
    let mut events = tree();
    events.push(OrgEvent::UserAdded(user(
        "li",
        UserRole::HeadTeacher,
        "gyz-middle",
    )));
    events.push(OrgEvent::TokenIssued {
        token_id: "t1".into(),
        user: "li".into(),
        token_sha256: "a".repeat(64),
        expires_at: None,
    });
    events.push(OrgEvent::UserDeactivated { user: "li".into() });
    let org = Organisation::from_events(events);
    assert!(org.tokens.is_empty());
    assert!(!org.is_active("li"));
}

#[test]
fn a_token_issued_with_an_expiry_keeps_it() {
    let mut events = tree();
    events.push(OrgEvent::UserAdded(user(
        "li",
        UserRole::HeadTeacher,
        "gyz-middle",
    )));
    let expires_at = notoneless_domain::fixtures::at("2024-02-06", "10:00");
    given(events)
        .when(OrgCommand::IssueToken {
            token_id: "t1".into(),
            user: "li".into(),
            token_sha256: "b".repeat(64),
            expires_at: Some(expires_at),
        })
        .then_expect_events(vec![OrgEvent::TokenIssued {
            token_id: "t1".into(),
            user: "li".into(),
            token_sha256: "b".repeat(64),
            expires_at: Some(expires_at),
        }]);
}

#[test]
fn a_token_issued_event_stored_before_tokens_expired_still_reads() {
    // As version 1 of TokenIssued was stored, before `expires_at` existed.
    let stored = r#"{"TokenIssued":{"token_id":"t1","user":"li","token_sha256":"aaaa"}}"#;
    let event: OrgEvent = serde_json::from_str(stored).unwrap();
    assert_eq!(
        event,
        OrgEvent::TokenIssued {
            token_id: "t1".into(),
            user: "li".into(),
            token_sha256: "aaaa".into(),
            expires_at: None,
        }
    );
    // And a token without an expiry is written as before.
    assert_eq!(serde_json::to_string(&event).unwrap(), stored);
}

#[test]
fn a_holiday_declared_makes_that_day_no_school_day() {
    let mut events = tree();
    events.push(OrgEvent::TermAdded(term()));
    events.push(OrgEvent::HolidayDeclared(CalendarDay {
        day: d("2023-11-08"),
        name: "snow".into(),
        reason: None,
    }));
    let calendar = Organisation::from_events(events).calendar().unwrap();
    assert!(!calendar.is_school_day(d("2023-11-08")));
    assert!(calendar.is_school_day(d("2023-11-09")));
}

#[test]
fn a_make_up_day_on_a_weekday_is_rejected_with_the_calendars_reason() {
    let mut events = tree();
    events.push(OrgEvent::TermAdded(term()));
    given(events)
        .when(OrgCommand::DeclareMakeUpDay(CalendarDay {
            day: d("2023-11-08"),
            name: "swap".into(),
            reason: None,
        }))
        .then_expect_error(OrgError::Calendar(CalendarError::MakeUpDayNotWeekend {
            date: d("2023-11-08"),
        }));
}

#[test]
fn a_school_lies_within_its_township_and_county_but_not_another_township() {
    let mut events = tree();
    events.push(OrgEvent::NodeAdded(node(
        "nanshao",
        NodeKind::Township,
        Some("kazuo"),
    )));
    let org = Organisation::from_events(events);
    assert!(org.is_within("gyz-middle", "gyz"));
    assert!(org.is_within("gyz-middle", "kazuo"));
    assert!(!org.is_within("gyz-middle", "nanshao"));
    assert_eq!(org.schools_within("kazuo"), vec!["gyz-middle".to_string()]);
}

#[test]
fn a_holiday_declared_before_any_term_takes_effect_over_the_configured_calendar() {
    // Given a configured calendar and a county that declared no term but a holiday
    let configured = notoneless_domain::fixtures::calendar();
    let mut org = Organisation::default();
    cqrs_es::Aggregate::apply(
        &mut org,
        OrgEvent::HolidayDeclared(CalendarDay {
            day: d("2023-11-09"),
            name: "sports day".into(),
            reason: None,
        }),
    );
    assert!(configured.is_school_day(d("2023-11-09")));
    // When the calendar in force is taken
    let in_force = org.calendar_over(&configured);
    // Then the declared day is a holiday, and the configured days are kept
    assert!(!in_force.is_school_day(d("2023-11-09")));
    assert!(in_force.is_school_day(d("2023-11-08")));
    assert_eq!(in_force.spec().terms, configured.spec().terms);
}

// ---- a calendar file recorded once (issue 15.7, ADR 0014) ----------------------------------

/// The organisation after its calendar `file` was recorded.
fn recorded(file: &SchoolCalendar) -> Organisation {
    let org = Organisation::default();
    let commands = org
        .calendar_file_declarations(file, "calendar.json")
        .expect("a county with no calendar takes the file");
    let events = org
        .decide_all(OrgCommand::Batch(commands))
        .expect("the file's declarations are decided");
    Organisation::from_events(events)
}

#[test]
fn a_calendar_file_is_recorded_as_its_terms_holidays_and_make_up_days() {
    // Given a county with no calendar recorded, and a calendar file
    let file = notoneless_domain::fixtures::calendar();
    // When the file is recorded
    let org = recorded(&file);
    // Then the county's calendar is the file's, and the file differs from it in nothing
    assert_eq!(org.calendar(), Some(file.clone()));
    assert_eq!(org.calendar_file_differences(&file), vec![]);
}

#[test]
fn a_file_that_differs_from_the_recorded_calendar_names_each_term_and_day_that_differs() {
    // Given a county whose recorded calendar came from one file
    let org = recorded(&notoneless_domain::fixtures::calendar());
    // When another file moves the make-up day of 8 October to 15 October and ends term later
    let other = SchoolCalendar::new(
        vec![Term {
            name: "2023 autumn".into(),
            first_day: d("2023-09-01"),
            last_day: d("2024-01-26"),
        }],
        d("2023-09-29").iter_days().take(8),
        [d("2023-10-07"), d("2023-10-15")],
    )
    .expect("a valid calendar");
    // Then each difference is named: the two terms and the two days
    let differences = org.calendar_file_differences(&other);
    assert_eq!(differences.len(), 4, "{differences:?}");
    assert!(differences.contains(&CalendarDifference::Day {
        day: d("2023-10-08"),
        file: DayKind::Ordinary,
        recorded: DayKind::MakeUpDay,
    }));
    assert!(differences.contains(&CalendarDifference::Day {
        day: d("2023-10-15"),
        file: DayKind::MakeUpDay,
        recorded: DayKind::Ordinary,
    }));
    assert!(
        differences
            .iter()
            .any(|d| matches!(d, CalendarDifference::TermRecordedOnly { .. }))
    );
}

#[test]
fn recording_a_file_keeps_the_days_declared_before_and_records_only_what_is_new() {
    // Given a county with no term that declared a holiday of the file and one of its own
    let file = notoneless_domain::fixtures::calendar();
    let mut org = Organisation::default();
    for day in ["2023-09-29", "2023-11-09"] {
        cqrs_es::Aggregate::apply(
            &mut org,
            OrgEvent::HolidayDeclared(CalendarDay {
                day: d(day),
                name: "declared".into(),
                reason: None,
            }),
        );
    }
    // When the file's declarations are made
    let commands = org
        .calendar_file_declarations(&file, "calendar.json")
        .expect("the days declared the same way are no obstacle");
    // Then the holiday already declared is not declared again, and the other one stays
    assert!(!commands.iter().any(|c| matches!(c,
        OrgCommand::DeclareHoliday(day) if day.day == d("2023-09-29"))));
    let events = org
        .decide_all(OrgCommand::Batch(commands))
        .expect("the file's declarations are decided");
    for event in events {
        cqrs_es::Aggregate::apply(&mut org, event);
    }
    let calendar = org.calendar().expect("a term is recorded");
    assert!(!calendar.is_school_day(d("2023-11-09")));
    assert!(!calendar.is_school_day(d("2023-09-29")));
    assert!(calendar.is_school_day(d("2023-10-08")));
}

#[test]
fn a_file_declaring_a_day_the_other_way_than_the_record_is_not_recorded() {
    // Given a county with no term that declared 7 October a holiday
    let mut org = Organisation::default();
    cqrs_es::Aggregate::apply(
        &mut org,
        OrgEvent::HolidayDeclared(CalendarDay {
            day: d("2023-10-07"),
            name: "declared".into(),
            reason: None,
        }),
    );
    // When a file that makes it a make-up day is to be recorded
    let refused = org
        .calendar_file_declarations(&notoneless_domain::fixtures::calendar(), "calendar.json")
        .expect_err("the day is declared the other way");
    // Then it is refused, naming that day
    assert_eq!(
        refused,
        vec![CalendarDifference::Day {
            day: d("2023-10-07"),
            file: DayKind::MakeUpDay,
            recorded: DayKind::Holiday,
        }]
    );
}
