//! `assess` on the plan's scenarios. November 2023: Monday the 6th to Friday the 10th are school
//! days, the 11th and 12th a weekend. Autumn 2023: 29 September to 6 October a holiday, the
//! Saturday and Sunday after it (7 and 8 October) worked instead.

use notoneless_domain::fixtures::*;
use notoneless_domain::*;

use ObligationStatus as S;
use Recipient::{CountyBureau, TownshipGovernment};
use Role::{HeadTeacher, Principal, ResponsibleLeader};

const ALL_THREE: [Role; 3] = [HeadTeacher, ResponsibleLeader, Principal];

/// The statuses of an episode's obligations, as (day, what, status).
fn statuses(episode: &Episode) -> Vec<(u32, String, ObligationStatus)> {
    episode
        .obligations
        .iter()
        .map(|o| {
            let what = match o.kind {
                ObligationKind::Action { action } => format!("{action:?}"),
                ObligationKind::Report { recipient } => format!("report to {recipient}"),
            };
            (o.day, what, o.status)
        })
        .collect()
}

fn row(day: u32, what: &str, status: ObligationStatus) -> (u32, String, ObligationStatus) {
    (day, what.to_string(), status)
}

/// Three days absent, every step done on time by the right people.
fn three_days_by_the_book() -> Vec<CaseEvent> {
    vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        contacted("2023-11-06", HeadTeacher),
        absence("2023-11-07"),
        visited("2023-11-07", &[HeadTeacher, ResponsibleLeader]),
        absence("2023-11-08"),
        visited("2023-11-08", &ALL_THREE),
        reported("2023-11-08", TownshipGovernment, "乡报-01"),
        reported("2023-11-08", CountyBureau, "局报-01"),
    ]
}

// ---- the plan's scenarios ----------------------------------------------------------------------

#[test]
fn a_child_back_after_the_day_one_phone_call_closes_the_episode_with_the_step_done_on_time() {
    let a = assess_at(
        vec![
            opened("2023-11-06"),
            absence("2023-11-06"),
            contacted("2023-11-06", HeadTeacher),
            returned("2023-11-07"),
        ],
        "2023-11-07",
        "10:00",
    );
    assert_eq!(a.stage, Stage::Attending);
    assert_eq!(a.episodes.len(), 1);
    let episode = &a.episodes[0];
    assert_eq!(episode.days, vec![d("2023-11-06")]);
    assert_eq!(
        episode.end,
        Some(EpisodeEnd {
            on: d("2023-11-07"),
            reason: EndReason::Returned,
            sequence: Some(4)
        })
    );
    assert_eq!(
        statuses(episode),
        vec![row(1, "ContactParents", S::DoneOnTime)]
    );
}

#[test]
fn three_days_handled_by_the_book_leave_every_step_done_on_time() {
    let a = assess_at(three_days_by_the_book(), "2023-11-09", "10:00");
    assert_eq!(a.stage, Stage::Escalated);
    assert_eq!(
        statuses(&a.episodes[0]),
        vec![
            row(1, "ContactParents", S::DoneOnTime),
            row(2, "HomeVisit", S::DoneOnTime),
            row(3, "HomeVisit", S::DoneOnTime),
            row(3, "report to township_government", S::DoneOnTime),
            row(3, "report to county_bureau", S::DoneOnTime),
        ]
    );
}

#[test]
fn a_day_three_visit_without_the_principal_is_done_without_the_required_roles() {
    let mut events = three_days_by_the_book();
    events[6] = visited("2023-11-08", &[HeadTeacher, ResponsibleLeader]);
    let a = assess_at(events, "2023-11-09", "10:00");
    let day3 = &a.episodes[0].obligations[2];
    assert_eq!(day3.status, S::DoneWithoutRequiredRoles);
    assert_eq!(
        day3.fulfilment.as_ref().unwrap().missing_roles,
        vec![Principal]
    );
}

#[test]
fn a_complete_visit_a_day_late_counts_before_an_incomplete_one_on_time() {
    let mut events = three_days_by_the_book();
    events[6] = visited("2023-11-08", &[HeadTeacher, ResponsibleLeader]);
    events.push(visited("2023-11-09", &ALL_THREE));
    let a = assess_at(events, "2023-11-09", "18:00");
    let day3 = &a.episodes[0].obligations[2];
    assert_eq!(day3.status, S::DoneLate);
    assert_eq!(day3.fulfilment.as_ref().unwrap().days_late, 1);
}

#[test]
fn reports_filed_two_days_after_day_three_are_done_late_by_two_days() {
    let mut events = three_days_by_the_book();
    events.truncate(7);
    events.push(absence("2023-11-09"));
    events.push(absence("2023-11-10"));
    events.push(reported("2023-11-10", TownshipGovernment, "乡报-01"));
    events.push(reported("2023-11-10", CountyBureau, "局报-01"));
    let a = assess_at(events, "2023-11-10", "17:00");
    for report in &a.episodes[0].obligations[3..] {
        assert_eq!(report.status, S::DoneLate);
        assert_eq!(report.fulfilment.as_ref().unwrap().days_late, 2);
    }
}

#[test]
fn reports_not_filed_by_the_end_of_day_three_are_overdue() {
    let mut events = three_days_by_the_book();
    events.truncate(7);
    let a = assess_at(events, "2023-11-09", "00:00");
    assert_eq!(
        statuses(&a.episodes[0])[3..],
        [
            row(3, "report to township_government", S::Overdue),
            row(3, "report to county_bureau", S::Overdue),
        ]
    );
}

#[test]
fn absences_either_side_of_a_weekend_are_consecutive_school_days() {
    let a = assess_at(
        vec![
            opened("2023-11-10"),
            absence("2023-11-10"),
            absence("2023-11-13"),
        ],
        "2023-11-13",
        "12:00",
    );
    assert_eq!(a.episodes.len(), 1);
    assert_eq!(a.episodes[0].days, vec![d("2023-11-10"), d("2023-11-13")]);
    let day2 = &a.episodes[0].obligations[1];
    assert_eq!((day2.trigger_day, day2.status), (d("2023-11-13"), S::Open));
}

#[test]
fn a_make_up_saturday_counts_and_a_holiday_week_does_not_break_the_streak() {
    let a = assess_at(
        vec![
            opened("2023-09-28"),
            absence("2023-09-28"),
            absence("2023-10-07"),
            absence("2023-10-08"),
        ],
        "2023-10-08",
        "12:00",
    );
    assert_eq!(a.episodes.len(), 1);
    assert_eq!(a.episodes[0].day_count(), 3);
    let report = &a.episodes[0].obligations[3];
    assert_eq!(
        report.trigger_day,
        d("2023-10-08"),
        "day 3 is the make-up Sunday"
    );
    assert_eq!(report.due, at("2023-10-09", "00:00"));
    assert_eq!(a.stage, Stage::Escalated);
}

#[test]
fn an_absence_on_an_ordinary_saturday_is_not_counted() {
    let a = assess_at(
        vec![
            opened("2023-11-10"),
            absence("2023-11-10"),
            absence("2023-11-11"),
        ],
        "2023-11-11",
        "12:00",
    );
    assert_eq!(a.episodes[0].day_count(), 1);
    assert_eq!(
        a.ignored_absences,
        vec![IgnoredAbsence {
            on: d("2023-11-11"),
            sequence: 3,
            reason: IgnoredReason::NonSchoolDay
        }]
    );
}

#[test]
fn leave_in_the_middle_of_a_streak_is_not_counted_and_does_not_break_it() {
    let a = assess_at(
        vec![
            opened("2023-11-06"),
            absence("2023-11-06"),
            granted("2023-11-07", "2023-11-07", "2023-11-07"),
            absence("2023-11-08"),
        ],
        "2023-11-08",
        "12:00",
    );
    assert_eq!(a.episodes.len(), 1);
    assert_eq!(a.episodes[0].days, vec![d("2023-11-06"), d("2023-11-08")]);
    assert_eq!(a.episodes[0].obligations[1].trigger_day, d("2023-11-08"));
}

#[test]
fn leave_granted_afterwards_excuses_the_absence_it_covers() {
    let a = assess_at(
        vec![
            opened("2023-11-06"),
            absence("2023-11-06"),
            granted("2023-11-08", "2023-11-06", "2023-11-06"),
        ],
        "2023-11-08",
        "12:00",
    );
    assert!(a.episodes.is_empty());
    assert_eq!(
        a.ignored_absences[0].reason,
        IgnoredReason::OnLeave { leave: 3 }
    );
}

#[test]
fn an_absence_back_filled_a_week_later_still_creates_every_step_it_skipped() {
    let on_time = vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        contacted("2023-11-06", HeadTeacher),
        absence("2023-11-07"),
        visited("2023-11-07", &[HeadTeacher, ResponsibleLeader]),
    ];
    let before = assess_at(on_time.clone(), "2023-11-15", "09:00");
    assert_eq!(before.episodes[0].day_count(), 2);

    let mut back_filled = on_time;
    back_filled.push(absence("2023-11-08"));
    let after = assess_at(back_filled, "2023-11-15", "09:00");
    let episode = &after.episodes[0];
    assert_eq!(episode.day_count(), 3);
    assert_eq!(
        statuses(episode)[2..],
        [
            row(3, "HomeVisit", S::Missed),
            row(3, "report to township_government", S::Overdue),
            row(3, "report to county_bureau", S::Overdue),
        ]
    );
}

// ---- time ----------------------------------------------------------------------------------------

#[test]
fn a_step_is_open_until_the_end_of_its_day_and_overdue_from_midnight() {
    let events = vec![opened("2023-11-06"), absence("2023-11-06")];
    let late_evening = assess_at(events.clone(), "2023-11-06", "23:59");
    assert_eq!(late_evening.episodes[0].obligations[0].status, S::Open);
    let midnight = assess_at(events, "2023-11-07", "00:00");
    assert_eq!(midnight.episodes[0].obligations[0].status, S::Overdue);
}

#[test]
fn the_due_time_is_midnight_in_shanghai() {
    let a = assess_at(
        vec![opened("2023-11-06"), absence("2023-11-06")],
        "2023-11-06",
        "08:00",
    );
    assert_eq!(
        a.episodes[0].obligations[0].due.to_rfc3339(),
        "2023-11-06T16:00:00+00:00"
    );
}

// ---- what ends an episode ----------------------------------------------------------------------

#[test]
fn after_a_return_a_new_absence_starts_a_new_episode_at_day_one() {
    let a = assess_at(
        vec![
            opened("2023-11-06"),
            absence("2023-11-06"),
            absence("2023-11-07"),
            returned("2023-11-08"),
            absence("2023-11-09"),
        ],
        "2023-11-09",
        "12:00",
    );
    assert_eq!(a.episodes.len(), 2);
    assert_eq!(a.episodes[1].days, vec![d("2023-11-09")]);
    assert_eq!(a.current_episode, Some(1));
    assert_eq!(a.episodes[1].obligations.len(), 1);
}

#[test]
fn a_past_school_day_with_nothing_recorded_ends_the_episode() {
    let a = assess_at(
        vec![
            opened("2023-11-06"),
            absence("2023-11-06"),
            absence("2023-11-08"),
        ],
        "2023-11-08",
        "12:00",
    );
    assert_eq!(a.episodes.len(), 2);
    assert_eq!(
        a.episodes[0].end,
        Some(EpisodeEnd {
            on: d("2023-11-07"),
            reason: EndReason::Attended,
            sequence: None
        })
    );
}

#[test]
fn today_with_nothing_recorded_yet_does_not_end_the_episode() {
    let a = assess_at(
        vec![
            opened("2023-11-06"),
            absence("2023-11-06"),
            absence("2023-11-07"),
        ],
        "2023-11-08",
        "10:00",
    );
    assert_eq!(a.current_episode, Some(0));
    assert_eq!(a.stage, Stage::Absent);
}

#[test]
fn a_suspension_ends_the_episode() {
    let a = assess_at(
        vec![
            opened("2023-11-06"),
            absence("2023-11-06"),
            absence("2023-11-07"),
            suspended("2023-11-08", "2024-02-26"),
        ],
        "2023-11-20",
        "10:00",
    );
    assert_eq!(
        a.episodes[0].end.map(|e| e.reason),
        Some(EndReason::Suspended)
    );
    assert_eq!(a.stage, Stage::Suspended);
}

#[test]
fn a_visit_after_the_child_came_back_does_not_count_for_the_episode() {
    let a = assess_at(
        vec![
            opened("2023-11-06"),
            absence("2023-11-06"),
            absence("2023-11-07"),
            returned("2023-11-08"),
            visited("2023-11-09", &[HeadTeacher, ResponsibleLeader]),
        ],
        "2023-11-09",
        "12:00",
    );
    assert_eq!(a.episodes[0].obligations[1].status, S::Missed);
}

#[test]
fn a_retracted_absence_does_not_count() {
    let a = assess_at(
        vec![
            opened("2023-11-06"),
            absence("2023-11-06"),
            CaseEvent::FactCorrected(retraction("2023-11-06", 2)),
        ],
        "2023-11-06",
        "12:00",
    );
    assert!(a.episodes.is_empty());
    assert_eq!(a.stage, Stage::Attending);
}

#[test]
fn an_acknowledged_report_shows_the_day_it_was_acknowledged() {
    let mut events = three_days_by_the_book();
    events.push(CaseEvent::ReportAcknowledged(Acknowledgement {
        on: d("2023-11-09"),
        recipient: CountyBureau,
        reference: "局报-01".into(),
        by: "陈科长".into(),
    }));
    let a = assess_at(events, "2023-11-09", "12:00");
    let bureau = &a.episodes[0].obligations[4];
    assert_eq!(
        bureau.fulfilment.as_ref().unwrap().acknowledged_on,
        Some(d("2023-11-09"))
    );
    assert_eq!(
        a.episodes[0].obligations[3]
            .fulfilment
            .as_ref()
            .unwrap()
            .acknowledged_on,
        None
    );
}

// ---- the ladder is data ------------------------------------------------------------------------

#[test]
fn a_county_ladder_with_other_days_and_roles_creates_its_own_steps() {
    let ladder = EscalationLadder::new(vec![
        EscalationStep {
            day: 2,
            action: StepAction::ContactParents,
            required_roles: [ResponsibleLeader].into(),
            recipients: Default::default(),
        },
        EscalationStep {
            day: 4,
            action: StepAction::HomeVisit,
            required_roles: [Principal, Role::VillageCadre].into(),
            recipients: [CountyBureau].into(),
        },
    ])
    .unwrap();
    let case = StudentCase::from_events([
        opened("2023-11-06"),
        absence("2023-11-06"),
        absence("2023-11-07"),
        absence("2023-11-08"),
        absence("2023-11-09"),
    ]);
    let a = assess(&case, &calendar(), &ladder, at("2023-11-09", "12:00"));
    let triggers: Vec<(u32, NaiveDate)> = a.episodes[0]
        .obligations
        .iter()
        .map(|o| (o.day, o.trigger_day))
        .collect();
    assert_eq!(
        triggers,
        vec![
            (2, d("2023-11-07")),
            (4, d("2023-11-09")),
            (4, d("2023-11-09"))
        ]
    );
    assert_eq!(
        a.episodes[0].obligations[1].owners,
        vec![Principal, Role::VillageCadre]
    );
}

use chrono::NaiveDate;

#[test]
fn assessing_at_a_past_instant_shows_the_case_as_it_stood_that_day() {
    let mut events = three_days_by_the_book();
    events.push(returned("2023-11-09"));
    let on_day_three = assess_at(events.clone(), "2023-11-08", "20:00");
    assert_eq!(on_day_three.stage, Stage::Escalated);
    assert_eq!(on_day_three.current_episode, Some(0));
    let afterwards = assess_at(events, "2023-11-09", "20:00");
    assert_eq!(afterwards.stage, Stage::Attending);
}

// ---- a transfer within the county (ADR 0013) ---------------------------------------------------

fn continued_at(on: &str, school: Option<&str>) -> CaseEvent {
    CaseEvent::TransferConfirmed(TransferConfirmation {
        on: d(on),
        receiving_school: "南哨小学".into(),
        confirmed_by: "马老师".into(),
        document: None,
        continued_at: school.map(str::to_string),
    })
}

#[test]
fn an_absence_streak_runs_on_across_a_transfer_the_countys_receiving_school_continues() {
    // Given a child absent on Monday, transferred on Tuesday to a school of the county that
    // continues his file the same day, and absent there on Tuesday and Wednesday
    let events = vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        transferred("2023-11-07"),
        continued_at("2023-11-07", Some("nanshao-primary")),
        absence("2023-11-07"),
        absence("2023-11-08"),
    ];
    // When the case is assessed on Wednesday
    let a = assess_at(events, "2023-11-08", "17:00");
    // Then the three days are one episode, on the ladder's day 3 at the new school
    assert_eq!(a.episodes.len(), 1);
    assert_eq!(
        a.episodes[0].days,
        vec![d("2023-11-06"), d("2023-11-07"), d("2023-11-08")]
    );
    assert_eq!(a.stage, Stage::Escalated);
}

#[test]
fn a_transfer_confirmed_outside_the_county_still_ends_the_episode() {
    // Given the same days, the receiving school outside the county
    let events = vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        transferred("2023-11-07"),
        continued_at("2023-11-07", None),
    ];
    // When the case is assessed on Wednesday
    let a = assess_at(events, "2023-11-08", "17:00");
    // Then Monday's episode ended with the transfer, and the child is no longer the county's
    assert_eq!(a.episodes.len(), 1);
    assert_eq!(
        a.episodes[0].end.map(|e| e.reason),
        Some(EndReason::TransferredOut)
    );
    assert_eq!(a.stage, Stage::TransferredOut);
}
