//! What a calendar change moves (`deadlines_moved`): the one rule behind the review's finding
//! on a retroactive change and the console's confirmation before one.

use notoneless_domain::fixtures::*;
use notoneless_domain::*;

/// The fixture calendar with `day` a holiday too.
fn with_holiday(day: &str) -> SchoolCalendar {
    let spec = calendar().spec().clone();
    let mut holidays = spec.holidays.clone();
    holidays.insert(d(day));
    SchoolCalendar::new(spec.terms.clone(), holidays, spec.make_up_days.clone())
        .expect("a valid calendar")
}

/// A child absent Tuesday to Thursday, 7 to 9 November 2023.
fn absent_three_days() -> StudentCase {
    StudentCase::from_events(vec![
        opened("2023-11-07"),
        absence("2023-11-07"),
        absence("2023-11-08"),
        absence("2023-11-09"),
    ])
}

fn due(day: &str) -> Option<chrono::NaiveDate> {
    Some(d(day))
}

#[test]
fn a_holiday_on_an_absent_day_moves_the_next_step_a_day_and_the_third_day_s_steps_are_no_longer_owed()
 {
    // Given a child absent the 7th, 8th and 9th, assessed on the 10th
    let case = absent_three_days();
    // When the 8th becomes a holiday
    let moved = deadlines_moved(
        &case,
        &calendar(),
        &with_holiday("2023-11-08"),
        &ladder(),
        at("2023-11-10", "08:00"),
    );
    // Then the second day's home visit falls due a day later, and the third day's steps
    // (counted on two days now) are owed no more
    let lines: Vec<(u32, Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)> =
        moved.iter().map(|m| (m.day, m.before, m.after)).collect();
    assert_eq!(
        lines,
        vec![
            (2, due("2023-11-08"), due("2023-11-09")),
            (3, due("2023-11-09"), None),
            (3, due("2023-11-09"), None),
            (3, due("2023-11-09"), None),
        ],
        "{moved:?}"
    );
}

#[test]
fn taking_the_holiday_back_moves_the_same_deadlines_the_other_way() {
    // Given the same child, and the 8th a holiday
    let case = absent_three_days();
    let holiday = with_holiday("2023-11-08");
    let now = at("2023-11-10", "08:00");
    // When the holiday is taken back
    let back = deadlines_moved(&case, &holiday, &calendar(), &ladder(), now);
    // Then each deadline moves back where it was
    let there = deadlines_moved(&case, &calendar(), &holiday, &ladder(), now);
    let mut reversed: Vec<MovedDeadline> = there
        .iter()
        .map(|m| MovedDeadline {
            before: m.after,
            after: m.before,
            ..*m
        })
        .collect();
    let mut back_sorted = back.clone();
    let key = |m: &MovedDeadline| (m.day, m.before, m.after, format!("{:?}", m.kind));
    reversed.sort_by_key(key);
    back_sorted.sort_by_key(key);
    assert_eq!(back_sorted, reversed);
}

#[test]
fn a_holiday_on_a_day_nobody_was_absent_moves_nothing() {
    // Given the same child
    let case = absent_three_days();
    // When a later day becomes a holiday
    let moved = deadlines_moved(
        &case,
        &calendar(),
        &with_holiday("2023-11-20"),
        &ladder(),
        at("2023-11-10", "08:00"),
    );
    // Then no deadline moves
    assert_eq!(moved, vec![]);
}
