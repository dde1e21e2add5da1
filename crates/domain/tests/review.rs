//! The accountability review on the plan's violations, one behaviour each.

use notoneless_domain::fixtures::*;
use notoneless_domain::*;
use notoneless_i18n::{Lang, Message, Msg};

use Recipient::{CountyBureau, TownshipGovernment};
use Role::{HeadTeacher, Principal, ResponsibleLeader};

/// A case whose every fact was recorded on the day it claims, except where `late` says.
fn record(events: Vec<CaseEvent>, late: &[(usize, &str)]) -> CaseRecord {
    let mut recorded_on: Vec<NaiveDate> = events.iter().map(CaseEvent::on).collect();
    for (index, day) in late {
        recorded_on[*index] = d(day);
    }
    CaseRecord {
        case_id: "case-1".into(),
        case: StudentCase::from_events(events),
        recorded_on,
    }
}

fn run(records: &[CaseRecord], now: &str) -> Review {
    review(
        records,
        &calendar(),
        &ladder(),
        &scope("2023-11-01", "2023-11-30"),
        at(now, "12:00"),
    )
}

/// The review of `from..=until` of every school, with the default thresholds.
fn scope(from: &str, until: &str) -> ReviewScope {
    ReviewScope::new(d(from), d(until), ReviewSettings::default()).expect("a period")
}

fn kinds(review: &Review) -> Vec<FindingKind> {
    review.findings.iter().map(|f| f.kind).collect()
}

fn by_the_book() -> Vec<CaseEvent> {
    vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        contacted("2023-11-06", HeadTeacher),
        absence("2023-11-07"),
        visited("2023-11-07", &[HeadTeacher, ResponsibleLeader]),
        absence("2023-11-08"),
        visited("2023-11-08", &[HeadTeacher, ResponsibleLeader, Principal]),
        reported("2023-11-08", TownshipGovernment, "乡-1"),
        reported("2023-11-08", CountyBureau, "局-1"),
        returned("2023-11-09"),
    ]
}

use chrono::NaiveDate;

#[test]
fn a_case_handled_by_the_book_gives_no_finding() {
    let review = run(&[record(by_the_book(), &[])], "2023-11-30");
    assert_eq!(kinds(&review), vec![]);
    assert_eq!(review.schools[0].steps_on_time, 5);
    assert_eq!(review.schools[0].episodes, 1);
}

#[test]
fn a_day_three_visit_without_the_principal_is_an_incomplete_step_the_principal_answers_for() {
    let mut events = by_the_book();
    events[6] = visited("2023-11-08", &[HeadTeacher, ResponsibleLeader]);
    let review = run(&[record(events, &[])], "2023-11-30");
    assert_eq!(kinds(&review), vec![FindingKind::IncompleteStep]);
    let finding = &review.findings[0];
    assert_eq!(
        finding.detail.text(Lang::Zh),
        "第3天：家访缺少校长参加（应于2023年11月8日前完成）"
    );
    assert_eq!(
        finding.detail.text(Lang::En),
        "Day 3: home visit without the principal (due by 2023-11-08)"
    );
    assert!(finding.responsible.contains(&Principal));
    assert_eq!(finding.evidence, vec![2, 4, 6, 7]);
}

#[test]
fn a_findings_evidence_names_its_facts_by_their_days_and_kinds() {
    let mut events = by_the_book();
    events[6] = visited("2023-11-08", &[HeadTeacher, ResponsibleLeader]);
    let review = run(&[record(events, &[])], "2023-11-30");
    let finding = &review.findings[0];
    let facts: Vec<String> = finding.facts.iter().map(|f| f.text(Lang::Zh)).collect();
    assert_eq!(facts.len(), finding.evidence.len());
    assert_eq!(facts[0], "2023年11月6日 缺勤");
    assert_eq!(facts[3], "2023年11月8日 家访");
    assert_eq!(finding.facts[3].text(Lang::En), "2023-11-08 home visit");
}

#[test]
fn reports_two_days_late_while_the_child_is_still_away_are_late_reports_not_unreported_dropouts() {
    // Given a day-3 report to each recipient made two days late, the child away until after it
    let mut events = by_the_book();
    events[7] = reported("2023-11-10", TownshipGovernment, "乡-1");
    events[8] = reported("2023-11-10", CountyBureau, "局-1");
    events[9] = returned("2023-11-13");
    events.insert(9, absence("2023-11-10"));
    events.insert(9, absence("2023-11-09"));
    // When the review runs
    let review = run(&[record(events, &[])], "2023-11-30");
    // Then each is a late report with its days late, and no unreported dropout is counted
    assert_eq!(
        kinds(&review),
        vec![FindingKind::LateReport, FindingKind::LateReport]
    );
    assert!(
        review.findings[0]
            .detail
            .text(Lang::En)
            .contains("made 2 days late"),
        "{:?}",
        review.findings[0]
    );
    assert_eq!(review.schools[0].late_reports, 2);
    assert_eq!(review.schools[0].unreported_dropouts, 0);
    assert_eq!(review.schools[0].steps_late, 2);
}

#[test]
fn a_report_made_only_after_the_child_was_back_is_an_unreported_dropout() {
    // Given day-3 reports dated the day the child came back, a day late
    let mut events = by_the_book();
    events[7] = reported("2023-11-09", TownshipGovernment, "乡-1");
    events[8] = reported("2023-11-09", CountyBureau, "局-1");
    events.swap(7, 9);
    // When the review runs
    let review = run(&[record(events, &[])], "2023-11-30");
    // Then both are unreported dropouts, not late reports
    assert_eq!(
        kinds(&review),
        vec![
            FindingKind::UnreportedDropout,
            FindingKind::UnreportedDropout
        ]
    );
    assert!(
        review.findings[0]
            .detail
            .text(Lang::En)
            .contains("only after the child was back"),
        "{:?}",
        review.findings[0]
    );
    assert_eq!(review.schools[0].unreported_dropouts, 2);
    assert_eq!(review.schools[0].late_reports, 0);
}

#[test]
fn an_episode_never_reported_is_an_unreported_dropout() {
    let mut events = by_the_book();
    events.truncate(7);
    events.push(returned("2023-11-09"));
    let review = run(&[record(events, &[])], "2023-11-30");
    assert_eq!(
        kinds(&review),
        vec![
            FindingKind::UnreportedDropout,
            FindingKind::UnreportedDropout
        ]
    );
    assert!(
        review
            .findings
            .iter()
            .all(|f| f.detail.text(Lang::Zh).starts_with("第3天：未向"))
    );
}

#[test]
fn a_fact_is_late_only_when_recorded_more_than_the_allowed_days_after_its_day() {
    // Given the default settings (two days allowed)
    let settings = ReviewSettings::default();
    // When facts of 10 November are recorded on the 12th and on the 13th
    // Then the first is in time and the second three days late
    assert_eq!(
        settings.late_entry_delay(d("2023-11-10"), d("2023-11-12")),
        None
    );
    assert_eq!(
        settings.late_entry_delay(d("2023-11-10"), d("2023-11-13")),
        Some(3)
    );
}

#[test]
fn a_fact_recorded_a_week_after_its_day_is_a_late_entry() {
    let review = run(&[record(by_the_book(), &[(5, "2023-11-15")])], "2023-11-30");
    assert_eq!(kinds(&review), vec![FindingKind::LateEntry]);
    assert_eq!(review.findings[0].evidence, vec![6]);
    assert_eq!(
        review.findings[0].detail.text(Lang::En),
        "absence of 2023-11-08 recorded on 2023-11-15, 7 days later"
    );
    assert_eq!(
        review.findings[0].detail.text(Lang::Zh),
        "2023年11月8日的缺勤于2023年11月15日才录入，晚了7天"
    );
}

#[test]
fn a_fact_recorded_two_days_late_is_within_the_allowance() {
    let review = run(&[record(by_the_book(), &[(5, "2023-11-10")])], "2023-11-30");
    assert_eq!(kinds(&review), vec![]);
}

#[test]
fn a_transfer_without_documents_and_never_confirmed_is_missing_paperwork() {
    let mut transfer = transfer("2023-11-06");
    transfer.documents.clear();
    let events = vec![opened("2023-11-06"), CaseEvent::TransferredOut(transfer)];
    let review = run(&[record(events, &[])], "2023-11-30");
    assert_eq!(
        kinds(&review),
        vec![
            FindingKind::TransferWithoutDocuments,
            FindingKind::TransferUnconfirmed
        ]
    );
}

#[test]
fn a_transfer_confirmed_in_time_is_no_finding() {
    let events = vec![
        opened("2023-11-06"),
        transferred("2023-11-06"),
        CaseEvent::TransferConfirmed(TransferConfirmation {
            on: d("2023-11-10"),
            receiving_school: "朝阳市第一中学".into(),
            confirmed_by: "马老师".into(),
            document: None,
            continued_at: None,
        }),
    ];
    assert_eq!(kinds(&run(&[record(events, &[])], "2023-11-30")), vec![]);
}

#[test]
fn a_suspension_without_document_and_past_its_return_is_missing_paperwork() {
    let mut suspension = suspension("2023-11-06", "2023-11-20");
    suspension.document = None;
    let events = vec![opened("2023-11-06"), CaseEvent::Suspended(suspension)];
    let review = run(&[record(events, &[])], "2023-11-30");
    assert_eq!(
        kinds(&review),
        vec![
            FindingKind::SuspensionWithoutDocument,
            FindingKind::SuspensionOverdue
        ]
    );
}

#[test]
fn a_reported_child_still_away_with_no_follow_up_is_an_open_finding() {
    let mut events = by_the_book();
    events.truncate(9);
    for day in [
        "2023-11-09",
        "2023-11-10",
        "2023-11-13",
        "2023-11-14",
        "2023-11-15",
        "2023-11-16",
        "2023-11-17",
        "2023-11-20",
    ] {
        events.push(absence(day));
    }
    let review = run(&[record(events, &[])], "2023-11-20");
    assert_eq!(
        kinds(&review),
        vec![FindingKind::NoFollowUp, FindingKind::NoFollowUp]
    );
}

#[test]
fn steps_outside_the_period_are_not_reviewed() {
    let mut events = by_the_book();
    events[6] = visited("2023-11-08", &[HeadTeacher, ResponsibleLeader]);
    let review = review(
        &[record(events, &[])],
        &calendar(),
        &ladder(),
        &scope("2023-11-09", "2023-11-30"),
        at("2023-11-30", "12:00"),
    );
    assert_eq!(kinds(&review), vec![]);
}

#[test]
fn the_same_log_and_period_give_the_same_review() {
    let records = [record(by_the_book(), &[(5, "2023-11-15")])];
    assert_eq!(run(&records, "2023-11-30"), run(&records, "2023-11-30"));
}

fn holiday_change(day: &str, declared_on: &str) -> CalendarChange {
    let before = calendar();
    let spec = before.spec().clone();
    let mut holidays = spec.holidays.clone();
    holidays.insert(d(day));
    let after = SchoolCalendar::new(spec.terms.clone(), holidays, spec.make_up_days.clone())
        .expect("a valid calendar");
    CalendarChange {
        day: d(day),
        what: Message::new(Msg::CalendarHolidayDeclared).with("name", "snow day"),
        declared_on: d(declared_on),
        declared_by: Some("chen".into()),
        sequence: 9,
        before,
        after,
        reason: None,
    }
}

#[test]
fn a_holiday_declared_in_advance_is_no_finding() {
    let findings = review_calendar_changes(
        &[record(by_the_book(), &[])],
        &[holiday_change("2023-11-20", "2023-11-10")],
        &ladder(),
        d("2023-11-01"),
        d("2023-11-30"),
        at("2023-11-30", "12:00"),
    );
    assert_eq!(findings, vec![]);
}

#[test]
fn a_holiday_declared_afterwards_is_a_finding_even_when_it_moved_no_deadline() {
    let findings = review_calendar_changes(
        &[record(by_the_book(), &[])],
        &[holiday_change("2023-11-20", "2023-11-22")],
        &ladder(),
        d("2023-11-01"),
        d("2023-11-30"),
        at("2023-11-30", "12:00"),
    );
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (findings[0].case_id.as_str(), findings[0].evidence.clone()),
        ("organisation", vec![9])
    );
    assert!(
        findings[0]
            .detail
            .text(Lang::En)
            .ends_with("it moved deadlines in 0 cases")
    );
}

#[test]
fn a_retroactive_holiday_moves_only_the_deadlines_of_facts_known_when_it_was_declared() {
    // Given two absences known on the 9th, and two more (the 8th and the 9th) back-filled on
    // the 20th
    let events = vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        absence("2023-11-07"),
        absence("2023-11-08"),
        absence("2023-11-09"),
    ];
    let case = record(events, &[(3, "2023-11-20"), (4, "2023-11-20")]);
    // When a holiday on the 8th, declared on the 9th, is reviewed
    let findings = review_calendar_changes(
        &[case],
        &[holiday_change("2023-11-08", "2023-11-09")],
        &ladder(),
        d("2023-11-01"),
        d("2023-11-30"),
        at("2023-11-30", "12:00"),
    );
    // Then it moved no deadline of the case as known then (the day-3 step came from the
    // back-filled days): only the change's own finding
    let cases: Vec<&str> = findings.iter().map(|f| f.case_id.as_str()).collect();
    assert_eq!(cases, vec!["organisation"], "{findings:?}");
    assert!(
        findings[0]
            .detail
            .text(Lang::En)
            .ends_with("it moved deadlines in 0 cases")
    );
}

#[test]
fn a_retroactive_change_s_finding_says_why_it_was_made_when_a_reason_was_given() {
    // Given a holiday declared afterwards, with a reason
    let mut change = holiday_change("2023-11-20", "2023-11-22");
    change.reason = Some("burst pipe".into());
    // When it is reviewed
    let findings = review_calendar_changes(
        &[record(by_the_book(), &[])],
        &[change],
        &ladder(),
        d("2023-11-01"),
        d("2023-11-30"),
        at("2023-11-30", "12:00"),
    );
    // Then the change's finding gives the reason
    let text = findings[0].detail.text(Lang::En);
    assert!(text.contains("burst pipe"), "{text}");
}

// ---- roll calls ----------------------------------------------------------------------------

fn roll_call(on: &str, absent: &[(&str, bool)]) -> RollCall {
    RollCall {
        on: d(on),
        class: "7-2".into(),
        enrolled: 40,
        present: 40 - absent.len() as u32,
        absent: absent
            .iter()
            .map(|(number, excused)| NamedAbsence {
                student_number: (*number).into(),
                name: "王小明".into(),
                excused: *excused,
            })
            .collect(),
    }
}

fn attest(roll_calls: Vec<RollCall>) -> Vec<SchoolAttestation> {
    vec![SchoolAttestation {
        school: "kazuo-gyz-middle".into(),
        roll_calls: (1..).zip(roll_calls).collect(),
    }]
}

const CHILD: &str = "G211324201101015678";

#[test]
fn a_past_school_day_with_no_roll_call_is_a_missing_attestation() {
    let days = ["2023-11-06", "2023-11-07", "2023-11-09"].map(|day| roll_call(day, &[]));
    let findings = review_attestation(
        &attest(days.to_vec()),
        &[],
        &calendar(),
        d("2023-11-06"),
        d("2023-11-10"),
        at("2023-11-10", "12:00"),
    );
    let missing: Vec<NaiveDate> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::MissingAttestation)
        .map(|f| f.day)
        .collect();
    assert_eq!(
        missing,
        vec![d("2023-11-08")],
        "today (the 10th) is not yet missing"
    );
}

#[test]
fn a_child_named_absent_whose_case_has_that_absence_is_no_finding() {
    let records = [record(
        vec![opened("2023-11-06"), absence("2023-11-06")],
        &[],
    )];
    let findings = review_attestation(
        &attest(vec![roll_call("2023-11-06", &[(CHILD, false)])]),
        &records,
        &calendar(),
        d("2023-11-06"),
        d("2023-11-06"),
        at("2023-11-07", "12:00"),
    );
    assert_eq!(findings, vec![]);
}

#[test]
fn a_child_named_absent_whose_case_lacks_the_absence_is_a_mismatch() {
    let records = [record(vec![opened("2023-11-06")], &[])];
    let findings = review_attestation(
        &attest(vec![roll_call("2023-11-06", &[(CHILD, false)])]),
        &records,
        &calendar(),
        d("2023-11-06"),
        d("2023-11-06"),
        at("2023-11-07", "12:00"),
    );
    assert_eq!(
        findings
            .iter()
            .map(|f| (f.kind, f.case_id.as_str()))
            .collect::<Vec<_>>(),
        vec![(FindingKind::RollCallMismatch, "case-1")]
    );
}

#[test]
fn a_child_named_absent_with_no_case_at_all_is_a_mismatch_and_excused_children_are_not() {
    let findings = review_attestation(
        &attest(vec![roll_call(
            "2023-11-06",
            &[
                ("G000000000000000001", false),
                ("G000000000000000002", true),
            ],
        )]),
        &[],
        &calendar(),
        d("2023-11-06"),
        d("2023-11-06"),
        at("2023-11-07", "12:00"),
    );
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0]
            .detail
            .text(Lang::Zh)
            .contains("G000000000000000001"),
        "{:?}",
        findings[0]
    );
}

#[test]
fn a_roll_call_that_names_fewer_children_than_are_absent_is_rejected() {
    let mut short = roll_call("2023-11-06", &[(CHILD, false)]);
    short.present = 38;
    let result = SchoolRollCalls::default().decide(RollCallCommand {
        today: d("2023-11-06"),
        roll_call: short,
    });
    assert_eq!(
        result,
        Err(CaseError::Inconsistent {
            field: "absent",
            reason: Msg::RuleRollCallAbsentCount
        })
    );
}

#[test]
fn the_same_class_and_day_twice_is_rejected() {
    let first = roll_call("2023-11-06", &[]);
    let calls = SchoolRollCalls {
        roll_calls: vec![first.clone()],
    };
    let result = calls.decide(RollCallCommand {
        today: d("2023-11-06"),
        roll_call: first,
    });
    assert_eq!(
        result,
        Err(CaseError::Duplicate {
            field: "class",
            value: "7-2 on 2023-11-06".into()
        })
    );
}

#[test]
fn review_thresholds_from_zero_to_a_year_are_accepted_and_others_refused_by_name() {
    let defaults = ReviewSettings::default();
    assert_eq!(defaults.checked(), Ok(defaults));
    let edges = ReviewSettings {
        late_entry_days: 0,
        transfer_confirmation_days: 365,
        follow_up_days: 1,
    };
    assert_eq!(edges.checked(), Ok(edges));
    let negative = ReviewSettings {
        follow_up_days: -1,
        ..defaults
    };
    let error = negative.checked().unwrap_err();
    assert_eq!(
        error,
        ReviewSettingsError::OutOfRange {
            field: "follow_up_days",
            value: -1,
            max: 365
        }
    );
    assert_eq!(error.field(), "follow_up_days");
    assert_eq!(
        error.to_string(),
        "follow_up_days: must be a number of days from 0 to 365, not -1"
    );
    let absurd = ReviewSettings {
        transfer_confirmation_days: 366,
        ..defaults
    };
    assert_eq!(
        absurd.checked().map_err(|e| e.field()),
        Err("transfer_confirmation_days")
    );
}

// ---- the whole county, one case at a time ----------------------------------------------------

#[test]
fn the_review_pass_fed_case_by_case_finds_what_the_three_reviews_find_together() {
    let mut late_child = record(by_the_book(), &[(3, "2023-11-14")]);
    late_child.case_id = "case-2".into();
    let records = [
        record(vec![opened("2023-11-06"), absence("2023-11-21")], &[]),
        late_child,
    ];
    let changes = [holiday_change("2023-11-20", "2023-11-22")];
    let roll_calls = attest(vec![
        roll_call("2023-11-06", &[(CHILD, false)]),
        roll_call("2023-11-08", &[("G000000000000000001", false)]),
    ]);
    let (from, until, now) = (d("2023-11-01"), d("2023-11-30"), at("2023-11-30", "12:00"));
    let scope = ReviewScope::new(from, until, ReviewSettings::default()).unwrap();
    let calendar = calendar();
    let ladder = ladder();

    let mut pass = ReviewPass::new(&scope, &calendar, &ladder, &changes, now);
    for r in &records {
        pass.add(r);
    }
    let streamed = pass.finish(&roll_calls);

    let mut whole = review(&records, &calendar, &ladder, &scope, now);
    whole.findings.extend(review_calendar_changes(
        &records, &changes, &ladder, from, until, now,
    ));
    whole.findings.extend(review_attestation(
        &roll_calls,
        &records,
        &calendar,
        from,
        until,
        now,
    ));
    whole.findings.sort_by(|a, b| {
        (&a.school, &a.case_id, a.day, a.kind).cmp(&(&b.school, &b.case_id, b.day, b.kind))
    });
    let found: std::collections::BTreeSet<FindingKind> =
        streamed.findings.iter().map(|f| f.kind).collect();
    assert!(
        found.len() >= 4,
        "the example exercises the cases', the calendar's and the roll calls' findings: {found:?}"
    );
    assert_eq!(streamed, whole);
}

// ---- the scope of a review -------------------------------------------------------------------

/// The school of the fixtures' child.
const SCHOOL: &str = "kazuo-gyz-middle";

#[test]
fn a_review_of_one_day_or_of_a_school_year_is_a_scope_of_every_school_as_of_now() {
    // Given the default thresholds
    let settings = ReviewSettings::default();
    for (from, until) in [("2023-11-06", "2023-11-06"), ("2023-09-01", "2024-08-31")] {
        // When a review of one day, or of 366 days, is asked for
        let scope = ReviewScope::new(d(from), d(until), settings);
        // Then it is a scope of that period, every school, as of now, with those thresholds
        let scope = scope.expect("a period of at most a school year");
        assert_eq!((scope.from(), scope.until()), (d(from), d(until)));
        assert_eq!(scope.schools(), None);
        assert!(scope.is_county_wide() && scope.covers("any school"));
        assert_eq!(scope.known_at(), None);
        assert_eq!(scope.settings(), &settings);
    }
}

#[test]
fn a_period_that_ends_before_it_begins_is_refused_naming_until() {
    // Given a period whose last day is before its first
    let (from, until) = (d("2023-11-30"), d("2023-11-01"));
    // When it is made a scope
    let error = ReviewScope::new(from, until, ReviewSettings::default()).unwrap_err();
    // Then it is refused, naming `until` and both days
    assert_eq!(error, ReviewScopeError::UntilBeforeFrom { from, until });
    assert_eq!(error.field(), "until");
    assert_eq!(
        error.to_string(),
        "until: 2023-11-01 is before `from` 2023-11-30"
    );
}

#[test]
fn a_period_of_more_than_a_school_year_is_refused_naming_until() {
    // Given a period one day longer than a school year, and one of centuries
    for (from, until) in [("2023-09-01", "2024-09-01"), ("0419-01-24", "2118-04-06")] {
        // When it is made a scope
        let error = ReviewScope::new(d(from), d(until), ReviewSettings::default()).unwrap_err();
        // Then it is refused, naming `until`
        assert_eq!(
            error,
            ReviewScopeError::TooLong {
                from: d(from),
                until: d(until),
                max: 366
            }
        );
        assert_eq!(error.field(), "until");
        assert_eq!(
            error.to_string(),
            "until: a review covers at most 366 days from `from`"
        );
    }
}

#[test]
fn a_scope_with_a_threshold_out_of_range_is_refused_naming_the_threshold() {
    // Given thresholds one of which is negative
    let settings = ReviewSettings {
        late_entry_days: -1,
        ..ReviewSettings::default()
    };
    // When a review of November is asked for with them
    let error = ReviewScope::new(d("2023-11-01"), d("2023-11-30"), settings).unwrap_err();
    // Then it is refused as the thresholds refuse it, naming the threshold
    assert_eq!(
        error,
        ReviewScopeError::Settings(settings.checked().unwrap_err())
    );
    assert_eq!(error.field(), "late_entry_days");
    assert_eq!(
        error.to_string(),
        "late_entry_days: must be a number of days from 0 to 365, not -1"
    );
}

#[test]
fn a_scope_of_some_schools_as_known_at_an_instant_covers_those_schools_only() {
    // Given a scope of November
    let scope = scope("2023-11-01", "2023-11-30");
    // When it is narrowed to one school and set as known at an instant
    let known_at = at("2023-11-20", "09:00");
    let scope = scope
        .of_schools(Some(vec![SCHOOL.to_string()]))
        .as_known_at(Some(known_at));
    // Then it covers that school and no other, not the county as such, as known then
    assert!(scope.covers(SCHOOL) && !scope.covers("another school"));
    assert!(!scope.is_county_wide());
    assert_eq!(scope.schools(), Some(&[SCHOOL.to_string()][..]));
    assert_eq!(scope.known_at(), Some(known_at));
    assert!(scope.contains(d("2023-11-01")) && scope.contains(d("2023-11-30")));
    assert!(!scope.contains(d("2023-10-31")) && !scope.contains(d("2023-12-01")));
}

#[test]
fn a_calendar_change_as_such_is_found_only_by_a_review_of_every_school() {
    // Given a holiday declared after its day, and a case whose deadlines it moves (absent the
    // school days either side of it: one episode with the holiday, two without)
    let records = [record(
        vec![
            opened("2023-11-06"),
            absence("2023-11-17"),
            absence("2023-11-21"),
        ],
        &[],
    )];
    let changes = [holiday_change("2023-11-20", "2023-11-22")];
    let (calendar, ladder, now) = (calendar(), ladder(), at("2023-11-30", "12:00"));
    let county = scope("2023-11-01", "2023-11-30");
    let school = county.clone().of_schools(Some(vec![SCHOOL.to_string()]));
    let organisation_findings = |scope: &ReviewScope| {
        // When the cases are reviewed over it
        let mut pass = ReviewPass::new(scope, &calendar, &ladder, &changes, now);
        for r in &records {
            pass.add(r);
        }
        let review = pass.finish(&[]);
        let moved = review
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::RetroactiveCalendarChange)
            .count();
        let county_wide = review
            .findings
            .iter()
            .filter(|f| f.case_id == "organisation")
            .count();
        (moved, county_wide)
    };
    // Then the case's finding is in both reviews, the change's own only in the county's
    assert_eq!(organisation_findings(&county), (2, 1));
    assert_eq!(organisation_findings(&school), (1, 0));
}

#[test]
fn every_kind_of_finding_has_its_own_label_in_each_language() {
    // Given every kind of finding
    let kinds = [
        FindingKind::UnreportedDropout,
        FindingKind::LateReport,
        FindingKind::LateStep,
        FindingKind::IncompleteStep,
        FindingKind::MissedStep,
        FindingKind::LateEntry,
        FindingKind::TransferWithoutDocuments,
        FindingKind::TransferUnconfirmed,
        FindingKind::SuspensionWithoutDocument,
        FindingKind::SuspensionOverdue,
        FindingKind::NoFollowUp,
        FindingKind::UnresolvedRegistryFinding,
        FindingKind::RetroactiveCalendarChange,
        FindingKind::MissingAttestation,
        FindingKind::RollCallMismatch,
        FindingKind::DuplicateCase,
    ];
    // When each is labelled
    let labels: Vec<Msg> = kinds.iter().map(|k| k.label()).collect();
    // Then no two kinds share a label in either language, and none is blank
    let chinese: std::collections::BTreeSet<String> =
        labels.iter().map(|l| l.text(Lang::Zh)).collect();
    let english: std::collections::BTreeSet<String> =
        labels.iter().map(|l| l.text(Lang::En)).collect();
    assert_eq!((chinese.len(), english.len()), (kinds.len(), kinds.len()));
    assert!(chinese.iter().chain(&english).all(|l| !l.is_empty()));
    assert_eq!(
        (
            FindingKind::LateEntry.label().text(Lang::Zh),
            FindingKind::LateEntry.label().text(Lang::En)
        ),
        ("事后补录".to_string(), "Late entry".to_string())
    );
}

/// The same child's case file under another id, opened on `on`, with his student number
/// written as another clerk might (lower case, a trailing space).
fn second_file(on: &str, events: Vec<CaseEvent>) -> CaseRecord {
    let mut opening = opening(on);
    opening.student.student_number = format!("{} ", opening.student.student_number.to_lowercase());
    let mut all = vec![CaseEvent::CaseOpened(opening)];
    all.extend(events);
    CaseRecord {
        case_id: "case-2".into(),
        recorded_on: all.iter().map(CaseEvent::on).collect(),
        case: StudentCase::from_events(all),
    }
}

#[test]
fn a_second_case_file_open_for_the_same_child_is_a_duplicate_case_finding() {
    // Given the child's case opened on the 6th and still open, and a second file opened on the 8th
    let first = record(vec![opened("2023-11-06")], &[]);
    let second = second_file("2023-11-08", vec![]);
    // When the review runs
    let review = run(&[first, second], "2023-11-30");
    // Then the second file is a duplicate, charged to the day both were open, its opening as evidence
    let duplicates: Vec<&Finding> = review
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::DuplicateCase)
        .collect();
    assert_eq!(duplicates.len(), 1, "{:?}", review.findings);
    assert_eq!(
        (
            duplicates[0].case_id.as_str(),
            duplicates[0].day,
            &duplicates[0].evidence
        ),
        ("case-2", d("2023-11-08"), &vec![1])
    );
    assert!(duplicates[0].detail.text(Lang::En).contains("case-1"));
    assert_eq!(
        FindingKind::DuplicateCase.label().text(Lang::Zh),
        "重复立案"
    );
}

#[test]
fn a_case_file_opened_after_the_childs_earlier_one_was_closed_is_no_duplicate() {
    // Given the child's first case closed on the 7th, and a second opened on the 8th
    let first = record(vec![opened("2023-11-06"), closed("2023-11-07")], &[]);
    let second = second_file("2023-11-08", vec![]);
    // When the review runs
    let review = run(&[first, second], "2023-11-30");
    // Then there is no duplicate
    assert!(
        review
            .findings
            .iter()
            .all(|f| f.kind != FindingKind::DuplicateCase),
        "{:?}",
        review.findings
    );
}
