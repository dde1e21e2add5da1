//! Given/when/then tests of every command of the `StudentCase` aggregate: one behaviour each.

use notoneless_domain::fixtures::*;
use notoneless_domain::*;

use CaseAction as A;
use Role::{HeadTeacher, Principal, ResponsibleLeader};
use notoneless_i18n::Msg;

// ---- opening a case ----------------------------------------------------------------------------

#[test]
fn opening_a_case_records_the_child_and_the_day() {
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening("2023-11-06"))))
        .then_expect_events(vec![opened("2023-11-06")]);
}

#[test]
fn opening_a_case_twice_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-07", A::OpenCase(opening("2023-11-07"))))
        .then_expect_error(CaseError::AlreadyOpened);
}

#[test]
fn opening_a_case_dated_after_today_is_rejected() {
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening("2023-11-07"))))
        .then_expect_error(CaseError::InFuture {
            field: "on",
            date: d("2023-11-07"),
            today: d("2023-11-06"),
        });
}

#[test]
fn a_student_number_with_symbols_is_rejected() {
    let mut opening = opening("2023-11-06");
    opening.student.student_number = "G21-13".into();
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening)))
        .then_expect_error(CaseError::BadFormat {
            field: "student.student_number",
            expected: Msg::FormatStudentNumber,
        });
}

#[test]
fn a_case_opened_with_the_childs_id_number_records_it() {
    let mut opening = opening("2023-11-06");
    let id = compose_id_number("211324", d("2011-01-01"), 56, Gender::Male).expect("an id");
    opening.student.id_number = Some(id);
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening.clone())))
        .then_expect_events(vec![CaseEvent::CaseOpened(opening)]);
}

#[test]
fn an_id_number_whose_check_character_does_not_match_is_rejected() {
    let mut opening = opening("2023-11-06");
    let mut id = compose_id_number("211324", d("2011-01-01"), 56, Gender::Male).expect("an id");
    let wrong = if id.ends_with('1') { '2' } else { '1' };
    id.pop();
    id.push(wrong);
    opening.student.id_number = Some(id);
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening)))
        .then_expect_error(CaseError::BadFormat {
            field: "student.id_number",
            expected: Msg::FormatIdNumber,
        });
}

#[test]
fn a_case_file_written_before_id_numbers_and_measures_were_asked_for_still_reads() {
    // Given a case opening and a home visit as they were stored before the two fields existed
    let opening = serde_json::json!({"CaseOpened": {"on": "2023-11-06", "student": {
        "student_number": "G1", "name": "王小明", "gender": "male", "birth_date": "2011-01-01",
        "school": "s", "grade": 7, "class": "7-2", "head_teacher": "李老师",
        "guardians": [{"name": "王建国", "relation": "father", "phone": "13800001234"}]}}});
    let visit = serde_json::json!({"HomeVisitConducted": {"on": "2023-11-08",
        "participants": [{"name": "李老师", "role": "head_teacher"}], "outcome": "refused"}});
    // When they are read
    let opening: CaseEvent = serde_json::from_value(opening).expect("an old opening");
    let visit: CaseEvent = serde_json::from_value(visit.clone()).expect("an old visit");
    // Then they hold neither, and write back as they were (so their hashes stay the same)
    match (&opening, &visit) {
        (CaseEvent::CaseOpened(o), CaseEvent::HomeVisitConducted(v)) => {
            assert_eq!(o.student.id_number, None);
            assert!(v.measures.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let written = serde_json::to_value(&visit).expect("json");
    assert!(
        written["HomeVisitConducted"].get("measures").is_none(),
        "{written}"
    );
    assert!(
        serde_json::to_value(&opening).expect("json")["CaseOpened"]["student"]
            .get("id_number")
            .is_none()
    );
}

#[test]
fn a_home_visit_records_the_measures_taken_in_the_plans_words() {
    let mut visit = home_visit("2023-11-07", &[HeadTeacher, ResponsibleLeader]);
    visit.measures = [ReturnMeasure::LegalEducation, ReturnMeasure::FinancialAid].into();
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-07", A::RecordHomeVisit(visit.clone())))
        .then_expect_events(vec![CaseEvent::HomeVisitConducted(visit)]);
}

#[test]
fn a_child_without_a_name_is_rejected() {
    let mut opening = opening("2023-11-06");
    opening.student.name = "  ".into();
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening)))
        .then_expect_error(CaseError::Blank {
            field: "student.name",
        });
}

#[test]
fn a_case_with_no_guardian_is_rejected() {
    let mut opening = opening("2023-11-06");
    opening.student.guardians.clear();
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening)))
        .then_expect_error(CaseError::Empty {
            field: "student.guardians",
        });
}

#[test]
fn a_guardian_phone_that_is_not_a_number_is_rejected() {
    let mut opening = opening("2023-11-06");
    opening.student.guardians[0].phone = "call the village office".into();
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening)))
        .then_expect_error(CaseError::BadFormat {
            field: "student.guardians.phone",
            expected: Msg::FormatPhone,
        });
}

#[test]
fn a_grade_outside_one_to_nine_is_rejected() {
    let mut opening = opening("2023-11-06");
    opening.student.grade = 10;
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening)))
        .then_expect_error(CaseError::OutOfRange {
            field: "student.grade",
            reason: Msg::RuleGradeRange,
        });
}

#[test]
fn a_birth_date_that_makes_the_child_two_years_old_is_rejected() {
    let mut opening = opening("2023-11-06");
    opening.student.birth_date = d("2021-05-01");
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening)))
        .then_expect_error(CaseError::OutOfRange {
            field: "student.birth_date",
            reason: Msg::RuleAgeRange,
        });
}

#[test]
fn declaring_grade_8_or_above_as_a_focus_group_is_rejected() {
    let mut opening = opening("2023-11-06");
    opening
        .student
        .focus_groups
        .insert(FocusGroup::Grade8OrAbove);
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening)))
        .then_expect_error(CaseError::Inconsistent {
            field: "student.focus_groups",
            reason: Msg::RuleGrade8Derived,
        });
}

#[test]
fn grade_8_and_above_follows_from_the_grade() {
    let mut opening = opening("2023-11-06");
    opening.student.grade = 8;
    let case = StudentCase::from_events([CaseEvent::CaseOpened(opening)]);
    assert!(case.focus_groups().contains(&FocusGroup::Grade8OrAbove));
}

#[test]
fn a_fact_on_a_case_that_was_never_opened_is_rejected() {
    given(vec![])
        .when(on(
            "2023-11-06",
            A::RecordAbsence(Absence {
                on: d("2023-11-06"),
                note: None,
            }),
        ))
        .then_expect_error(CaseError::NotOpened);
}

#[test]
fn a_fact_dated_before_the_case_was_opened_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-07",
            A::RecordAbsence(Absence {
                on: d("2023-11-03"),
                note: None,
            }),
        ))
        .then_expect_error(CaseError::BeforeCaseOpened {
            field: "on",
            date: d("2023-11-03"),
            opened_on: d("2023-11-06"),
        });
}

// ---- absences ----------------------------------------------------------------------------------

fn record_absence(day: &str) -> CaseAction {
    A::RecordAbsence(Absence {
        on: d(day),
        note: None,
    })
}

#[test]
fn recording_an_absence_records_the_day() {
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-06", record_absence("2023-11-06")))
        .then_expect_events(vec![absence("2023-11-06")]);
}

#[test]
fn an_absence_dated_after_today_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-06", record_absence("2023-11-07")))
        .then_expect_error(CaseError::InFuture {
            field: "on",
            date: d("2023-11-07"),
            today: d("2023-11-06"),
        });
}

#[test]
fn the_same_absence_day_twice_is_rejected() {
    given(vec![opened("2023-11-06"), absence("2023-11-06")])
        .when(on("2023-11-07", record_absence("2023-11-06")))
        .then_expect_error(CaseError::DuplicateAbsence {
            on: d("2023-11-06"),
            sequence: 2,
        });
}

#[test]
fn an_absence_on_a_day_covered_by_leave_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        granted("2023-11-06", "2023-11-06", "2023-11-08"),
    ])
    .when(on("2023-11-07", record_absence("2023-11-07")))
    .then_expect_error(CaseError::CoveredByLeave {
        on: d("2023-11-07"),
        sequence: 2,
    });
}

#[test]
fn an_absence_on_the_day_the_child_returned_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        returned("2023-11-07"),
    ])
    .when(on("2023-11-07", record_absence("2023-11-07")))
    .then_expect_error(CaseError::PresentThatDay {
        on: d("2023-11-07"),
        sequence: 3,
    });
}

#[test]
fn an_absence_during_a_suspension_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        suspended("2023-11-08", "2024-02-26"),
    ])
    .when(on("2023-11-09", record_absence("2023-11-09")))
    .then_expect_error(CaseError::NotEnrolledOn {
        date: d("2023-11-09"),
        status: Msg::StatusSuspended,
    });
}

#[test]
fn an_absence_before_a_suspension_can_still_be_back_filled() {
    given(vec![
        opened("2023-11-06"),
        suspended("2023-11-08", "2024-02-26"),
    ])
    .when(on("2023-11-09", record_absence("2023-11-07")))
    .then_expect_events(vec![absence("2023-11-07")]);
}

#[test]
fn an_absence_after_a_transfer_out_is_rejected() {
    given(vec![opened("2023-11-06"), transferred("2023-11-08")])
        .when(on("2023-11-09", record_absence("2023-11-09")))
        .then_expect_error(CaseError::NotEnrolledOn {
            date: d("2023-11-09"),
            status: Msg::StatusTransferPending,
        });
}

// ---- leave -------------------------------------------------------------------------------------

#[test]
fn granting_leave_records_the_period_and_the_approver() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-06",
            A::GrantLeave(leave("2023-11-06", "2023-11-06", "2023-11-10")),
        ))
        .then_expect_events(vec![granted("2023-11-06", "2023-11-06", "2023-11-10")]);
}

#[test]
fn leave_may_be_granted_after_the_days_it_covers() {
    given(vec![opened("2023-11-06"), absence("2023-11-06")])
        .when(on(
            "2023-11-08",
            A::GrantLeave(leave("2023-11-08", "2023-11-06", "2023-11-07")),
        ))
        .then_expect_events(vec![granted("2023-11-08", "2023-11-06", "2023-11-07")]);
}

#[test]
fn leave_may_cover_days_after_today() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-06",
            A::GrantLeave(leave("2023-11-06", "2023-11-13", "2023-11-14")),
        ))
        .then_expect_events(vec![granted("2023-11-06", "2023-11-13", "2023-11-14")]);
}

#[test]
fn a_leave_whose_end_is_before_its_start_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-06",
            A::GrantLeave(leave("2023-11-06", "2023-11-10", "2023-11-08")),
        ))
        .then_expect_error(CaseError::EndBeforeStart {
            field: "until",
            start: d("2023-11-10"),
            end: d("2023-11-08"),
        });
}

#[test]
fn a_leave_of_a_year_is_rejected_as_a_suspension() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-06",
            A::GrantLeave(leave("2023-11-06", "2023-11-06", "2024-11-06")),
        ))
        .then_expect_error(CaseError::OutOfRange {
            field: "until",
            reason: Msg::RuleLeaveTooLong,
        });
}

#[test]
fn a_leave_that_overlaps_an_earlier_leave_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        granted("2023-11-06", "2023-11-06", "2023-11-08"),
    ])
    .when(on(
        "2023-11-07",
        A::GrantLeave(leave("2023-11-07", "2023-11-08", "2023-11-09")),
    ))
    .then_expect_error(CaseError::OverlapsLeave { sequence: 2 });
}

#[test]
fn a_leave_starting_before_the_case_was_opened_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-06",
            A::GrantLeave(leave("2023-11-06", "2023-11-01", "2023-11-07")),
        ))
        .then_expect_error(CaseError::BeforeCaseOpened {
            field: "from",
            date: d("2023-11-01"),
            opened_on: d("2023-11-06"),
        });
}

#[test]
fn a_leave_without_an_approver_is_rejected() {
    let mut leave = leave("2023-11-06", "2023-11-06", "2023-11-07");
    leave.approved_by.name = String::new();
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-06", A::GrantLeave(leave)))
        .then_expect_error(CaseError::Blank {
            field: "approved_by",
        });
}

// ---- parent contacts and home visits -----------------------------------------------------------

#[test]
fn recording_a_parent_contact_records_who_called_and_what_was_said() {
    given(vec![opened("2023-11-06"), absence("2023-11-06")])
        .when(on(
            "2023-11-06",
            A::RecordParentContact(parent_contact("2023-11-06", HeadTeacher)),
        ))
        .then_expect_events(vec![contacted("2023-11-06", HeadTeacher)]);
}

#[test]
fn a_reason_from_a_guardian_who_was_not_reached_is_rejected() {
    let mut contact = parent_contact("2023-11-06", HeadTeacher);
    contact.reached = false;
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-06", A::RecordParentContact(contact)))
        .then_expect_error(CaseError::Inconsistent {
            field: "reason_given",
            reason: Msg::RuleReasonNeedsReached,
        });
}

#[test]
fn an_unanswered_call_is_recorded_as_an_attempt() {
    let mut contact = parent_contact("2023-11-06", HeadTeacher);
    contact.reached = false;
    contact.reason_given = None;
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-06", A::RecordParentContact(contact.clone())))
        .then_expect_events(vec![CaseEvent::ParentContacted(contact)]);
}

#[test]
fn recording_a_home_visit_lists_every_participant_with_their_role() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-07",
            A::RecordHomeVisit(home_visit("2023-11-07", &[HeadTeacher, ResponsibleLeader])),
        ))
        .then_expect_events(vec![visited(
            "2023-11-07",
            &[HeadTeacher, ResponsibleLeader],
        )]);
}

#[test]
fn a_home_visit_with_no_participants_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-07",
            A::RecordHomeVisit(home_visit("2023-11-07", &[])),
        ))
        .then_expect_error(CaseError::Empty {
            field: "participants",
        });
}

#[test]
fn the_same_person_twice_in_one_visit_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-07",
            A::RecordHomeVisit(home_visit("2023-11-07", &[HeadTeacher, HeadTeacher])),
        ))
        .then_expect_error(CaseError::Duplicate {
            field: "participants",
            value: "李老师".into(),
        });
}

// ---- reports upward and their acknowledgements -------------------------------------------------

#[test]
fn a_report_to_the_township_is_recorded_apart_from_the_report_to_the_bureau() {
    given(vec![
        opened("2023-11-06"),
        reported("2023-11-08", Recipient::TownshipGovernment, "乡报-01"),
    ])
    .when(on(
        "2023-11-08",
        A::ReportUpward(report("2023-11-08", Recipient::CountyBureau, "局报-01")),
    ))
    .then_expect_events(vec![reported(
        "2023-11-08",
        Recipient::CountyBureau,
        "局报-01",
    )]);
}

#[test]
fn a_report_without_a_reference_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-08",
            A::ReportUpward(report("2023-11-08", Recipient::CountyBureau, " ")),
        ))
        .then_expect_error(CaseError::Blank { field: "reference" });
}

#[test]
fn the_same_reference_to_the_same_recipient_twice_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        reported("2023-11-08", Recipient::CountyBureau, "局报-01"),
    ])
    .when(on(
        "2023-11-09",
        A::ReportUpward(report("2023-11-09", Recipient::CountyBureau, "局报-01")),
    ))
    .then_expect_error(CaseError::Duplicate {
        field: "reference",
        value: "局报-01".into(),
    });
}

fn acknowledgement(on: &str, recipient: Recipient, reference: &str) -> Acknowledgement {
    Acknowledgement {
        on: d(on),
        recipient,
        reference: reference.into(),
        by: "县教育局 陈科长".into(),
    }
}

#[test]
fn acknowledging_a_report_records_who_received_it() {
    let ack = acknowledgement("2023-11-09", Recipient::CountyBureau, "局报-01");
    given(vec![
        opened("2023-11-06"),
        reported("2023-11-08", Recipient::CountyBureau, "局报-01"),
    ])
    .when(on("2023-11-09", A::AcknowledgeReport(ack.clone())))
    .then_expect_events(vec![CaseEvent::ReportAcknowledged(ack)]);
}

#[test]
fn acknowledging_a_report_that_was_sent_to_the_other_recipient_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        reported("2023-11-08", Recipient::CountyBureau, "局报-01"),
    ])
    .when(on(
        "2023-11-09",
        A::AcknowledgeReport(acknowledgement(
            "2023-11-09",
            Recipient::TownshipGovernment,
            "局报-01",
        )),
    ))
    .then_expect_error(CaseError::NoSuchReport {
        recipient: Recipient::TownshipGovernment,
        reference: "局报-01".into(),
    });
}

#[test]
fn acknowledging_a_report_twice_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        reported("2023-11-08", Recipient::CountyBureau, "局报-01"),
        CaseEvent::ReportAcknowledged(acknowledgement(
            "2023-11-09",
            Recipient::CountyBureau,
            "局报-01",
        )),
    ])
    .when(on(
        "2023-11-10",
        A::AcknowledgeReport(acknowledgement(
            "2023-11-10",
            Recipient::CountyBureau,
            "局报-01",
        )),
    ))
    .then_expect_error(CaseError::AlreadyAcknowledged {
        reference: "局报-01".into(),
        sequence: 3,
    });
}

#[test]
fn an_acknowledgement_dated_before_its_report_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        reported("2023-11-08", Recipient::CountyBureau, "局报-01"),
    ])
    .when(on(
        "2023-11-09",
        A::AcknowledgeReport(acknowledgement(
            "2023-11-07",
            Recipient::CountyBureau,
            "局报-01",
        )),
    ))
    .then_expect_error(CaseError::BeforeEvent {
        field: "on",
        date: d("2023-11-07"),
        sequence: 2,
        event_on: d("2023-11-08"),
    });
}

// ---- supervision -------------------------------------------------------------------------------

fn supervision(on: &str, note: &str) -> SupervisionNote {
    SupervisionNote {
        on: d(on),
        by: person(Role::Inspector),
        note: note.into(),
    }
}

#[test]
fn a_supervision_note_is_recorded_even_on_a_closed_case() {
    let note = supervision("2023-11-20", "check that the child still attends");
    given(vec![opened("2023-11-06"), closed("2023-11-17")])
        .when(on("2023-11-20", A::AddSupervisionNote(note.clone())))
        .then_expect_events(vec![CaseEvent::SupervisionNoted(note)]);
}

#[test]
fn a_blank_supervision_note_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-20",
            A::AddSupervisionNote(supervision("2023-11-20", "")),
        ))
        .then_expect_error(CaseError::Blank { field: "note" });
}

// ---- returns -----------------------------------------------------------------------------------

fn record_return(day: &str) -> CaseAction {
    A::RecordReturn(Return {
        on: d(day),
        note: None,
    })
}

#[test]
fn recording_a_return_after_an_absence_records_the_day_back() {
    given(vec![opened("2023-11-06"), absence("2023-11-06")])
        .when(on("2023-11-07", record_return("2023-11-07")))
        .then_expect_events(vec![returned("2023-11-07")]);
}

#[test]
fn a_return_when_the_child_was_never_absent_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-07", record_return("2023-11-07")))
        .then_expect_error(CaseError::NotAbsent {
            on: d("2023-11-07"),
        });
}

#[test]
fn a_second_return_without_a_new_absence_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        returned("2023-11-07"),
    ])
    .when(on("2023-11-08", record_return("2023-11-08")))
    .then_expect_error(CaseError::NotAbsent {
        on: d("2023-11-08"),
    });
}

#[test]
fn a_return_on_a_day_recorded_as_absent_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        absence("2023-11-07"),
    ])
    .when(on("2023-11-07", record_return("2023-11-07")))
    .then_expect_error(CaseError::AbsentThatDay {
        on: d("2023-11-07"),
        sequence: 3,
    });
}

// ---- transfers ---------------------------------------------------------------------------------

#[test]
fn transferring_out_records_the_destination_and_the_documents() {
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-08", A::TransferOut(transfer("2023-11-08"))))
        .then_expect_events(vec![transferred("2023-11-08")]);
}

#[test]
fn a_transfer_without_documents_is_recorded_as_it_happened() {
    let mut transfer = transfer("2023-11-08");
    transfer.documents.clear();
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-08", A::TransferOut(transfer.clone())))
        .then_expect_events(vec![CaseEvent::TransferredOut(transfer)]);
}

#[test]
fn a_transfer_document_issued_after_today_is_rejected() {
    let mut transfer = transfer("2023-11-08");
    transfer.documents[0].issued_on = d("2023-11-30");
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-08", A::TransferOut(transfer)))
        .then_expect_error(CaseError::InFuture {
            field: "documents",
            date: d("2023-11-30"),
            today: d("2023-11-08"),
        });
}

fn confirmation(on: &str) -> TransferConfirmation {
    TransferConfirmation {
        on: d(on),
        receiving_school: "朝阳市第一中学".into(),
        confirmed_by: "教务处 马老师".into(),
        document: None,
        continued_at: None,
    }
}

#[test]
fn the_receiving_school_confirms_a_transfer() {
    given(vec![opened("2023-11-06"), transferred("2023-11-08")])
        .when(on(
            "2023-11-10",
            A::ConfirmTransfer(confirmation("2023-11-10")),
        ))
        .then_expect_events(vec![CaseEvent::TransferConfirmed(confirmation(
            "2023-11-10",
        ))]);
}

#[test]
fn confirming_a_transfer_that_never_happened_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-10",
            A::ConfirmTransfer(confirmation("2023-11-10")),
        ))
        .then_expect_error(CaseError::WrongStatus {
            action: Msg::ActionConfirmTransfer,
            status: Msg::StatusEnrolled,
        });
}

#[test]
fn a_confirmation_dated_before_the_transfer_is_rejected() {
    given(vec![opened("2023-11-06"), transferred("2023-11-08")])
        .when(on(
            "2023-11-10",
            A::ConfirmTransfer(confirmation("2023-11-07")),
        ))
        .then_expect_error(CaseError::BeforeStatusChange {
            field: "on",
            date: d("2023-11-07"),
            since: d("2023-11-08"),
        });
}

// ---- suspension and resumption -----------------------------------------------------------------

#[test]
fn suspending_records_the_expected_return_and_the_document() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-08",
            A::Suspend(suspension("2023-11-08", "2024-02-26")),
        ))
        .then_expect_events(vec![suspended("2023-11-08", "2024-02-26")]);
}

#[test]
fn a_suspension_expected_to_end_before_it_starts_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-08",
            A::Suspend(suspension("2023-11-08", "2023-11-01")),
        ))
        .then_expect_error(CaseError::EndBeforeStart {
            field: "expected_return",
            start: d("2023-11-08"),
            end: d("2023-11-01"),
        });
}

#[test]
fn suspending_a_suspended_child_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        suspended("2023-11-08", "2024-02-26"),
    ])
    .when(on(
        "2023-11-09",
        A::Suspend(suspension("2023-11-09", "2024-02-26")),
    ))
    .then_expect_error(CaseError::WrongStatus {
        action: Msg::ActionSuspend,
        status: Msg::StatusSuspended,
    });
}

#[test]
fn resuming_records_the_day_back() {
    let resumption = Resumption {
        on: d("2024-02-26"),
        note: None,
    };
    given(vec![
        opened("2023-11-06"),
        suspended("2023-11-08", "2024-02-26"),
    ])
    .when(on("2024-02-26", A::Resume(resumption.clone())))
    .then_expect_events(vec![CaseEvent::Resumed(resumption)]);
}

#[test]
fn resuming_a_child_who_is_not_suspended_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-08",
            A::Resume(Resumption {
                on: d("2023-11-08"),
                note: None,
            }),
        ))
        .then_expect_error(CaseError::WrongStatus {
            action: Msg::ActionResume,
            status: Msg::StatusEnrolled,
        });
}

// ---- support and home teaching -----------------------------------------------------------------

fn support(kind: SupportKind, amount_fen: u64) -> Support {
    Support {
        on: d("2023-11-08"),
        kind,
        amount_fen,
        from: d("2023-09-01"),
        until: d("2024-01-19"),
        note: None,
    }
}

#[test]
fn support_records_its_kind_amount_and_period() {
    let subsidy = support(SupportKind::Subsidy, 62_500);
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-08", A::GiveSupport(subsidy.clone())))
        .then_expect_events(vec![CaseEvent::SupportGiven(subsidy)]);
}

#[test]
fn a_subsidy_of_nothing_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-08",
            A::GiveSupport(support(SupportKind::Subsidy, 0)),
        ))
        .then_expect_error(CaseError::OutOfRange {
            field: "amount_fen",
            reason: Msg::RuleSupportAboveZero,
        });
}

#[test]
fn a_deferral_may_have_no_amount() {
    let deferral = support(SupportKind::Deferral, 0);
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-08", A::GiveSupport(deferral.clone())))
        .then_expect_events(vec![CaseEvent::SupportGiven(deferral)]);
}

#[test]
fn a_support_period_ending_before_it_starts_is_rejected() {
    let mut waiver = support(SupportKind::Waiver, 30_000);
    waiver.until = d("2023-08-01");
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-08", A::GiveSupport(waiver)))
        .then_expect_error(CaseError::EndBeforeStart {
            field: "until",
            start: d("2023-09-01"),
            end: d("2023-08-01"),
        });
}

fn session(minutes: u32) -> HomeTeachingSession {
    HomeTeachingSession {
        on: d("2023-11-08"),
        teachers: vec![person(HeadTeacher)],
        minutes,
        content: "语文 第三课".into(),
    }
}

fn disabled_child(on: &str) -> CaseEvent {
    let mut opening = opening(on);
    opening.student.focus_groups.insert(FocusGroup::Disabled);
    CaseEvent::CaseOpened(opening)
}

#[test]
fn home_teaching_for_a_disabled_child_is_recorded() {
    given(vec![disabled_child("2023-11-06")])
        .when(on("2023-11-08", A::RecordHomeTeaching(session(90))))
        .then_expect_events(vec![CaseEvent::HomeTeachingHeld(session(90))]);
}

#[test]
fn home_teaching_for_a_child_not_in_the_disabled_group_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-08", A::RecordHomeTeaching(session(90))))
        .then_expect_error(CaseError::NotInFocusGroup {
            group: FocusGroup::Disabled,
        });
}

#[test]
fn a_home_teaching_session_of_no_minutes_is_rejected() {
    given(vec![disabled_child("2023-11-06")])
        .when(on("2023-11-08", A::RecordHomeTeaching(session(0))))
        .then_expect_error(CaseError::OutOfRange {
            field: "minutes",
            reason: Msg::RuleSessionMinutes,
        });
}

// ---- focus groups ------------------------------------------------------------------------------

fn focus_change(add: &[FocusGroup], remove: &[FocusGroup]) -> FocusGroupChange {
    FocusGroupChange {
        on: d("2023-11-08"),
        add: add.iter().copied().collect(),
        remove: remove.iter().copied().collect(),
        reason: "household registered for poverty alleviation".into(),
    }
}

#[test]
fn adding_a_focus_group_is_recorded_and_counts_from_then_on() {
    let change = focus_change(&[FocusGroup::PovertyAlleviationHousehold], &[]);
    let case = StudentCase::from_events([
        opened("2023-11-06"),
        CaseEvent::FocusGroupsChanged(change.clone()),
    ]);
    assert!(
        case.focus_groups()
            .contains(&FocusGroup::PovertyAlleviationHousehold)
    );
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-08", A::ChangeFocusGroups(change.clone())))
        .then_expect_events(vec![CaseEvent::FocusGroupsChanged(change)]);
}

#[test]
fn adding_a_focus_group_the_child_already_has_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-08",
            A::ChangeFocusGroups(focus_change(&[FocusGroup::EconomicallyPoor], &[])),
        ))
        .then_expect_error(CaseError::Duplicate {
            field: "add",
            value: "economically_poor".into(),
        });
}

#[test]
fn removing_a_focus_group_the_child_does_not_have_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-08",
            A::ChangeFocusGroups(focus_change(&[], &[FocusGroup::Disabled])),
        ))
        .then_expect_error(CaseError::NotPresent {
            field: "remove",
            value: "disabled".into(),
        });
}

#[test]
fn a_focus_group_change_that_changes_nothing_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-08",
            A::ChangeFocusGroups(focus_change(&[], &[])),
        ))
        .then_expect_error(CaseError::Empty { field: "add" });
}

// ---- closing and reopening ---------------------------------------------------------------------

#[test]
fn closing_a_case_after_the_child_returned_is_recorded() {
    given(vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        returned("2023-11-07"),
    ])
    .when(on("2023-11-17", A::CloseCase(closure("2023-11-17"))))
    .then_expect_events(vec![closed("2023-11-17")]);
}

#[test]
fn closing_a_case_while_the_child_is_still_absent_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        absence("2023-11-07"),
    ])
    .when(on("2023-11-08", A::CloseCase(closure("2023-11-08"))))
    .then_expect_error(CaseError::StillAbsent {
        since: d("2023-11-06"),
    });
}

#[test]
fn closing_for_another_reason_needs_a_note_saying_what() {
    let mut closure = closure("2023-11-08");
    closure.reason = ClosureReason::Other;
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-08", A::CloseCase(closure)))
        .then_expect_error(CaseError::Blank { field: "note" });
}

#[test]
fn recording_an_absence_on_a_closed_case_is_rejected() {
    given(vec![opened("2023-11-06"), closed("2023-11-08")])
        .when(on("2023-11-09", record_absence("2023-11-09")))
        .then_expect_error(CaseError::WrongStatus {
            action: Msg::ActionRecordAbsence,
            status: Msg::StatusClosed,
        });
}

#[test]
fn reopening_a_closed_case_is_recorded() {
    let reopening = Reopening {
        on: d("2023-11-20"),
        reason: "absent again".into(),
    };
    given(vec![opened("2023-11-06"), closed("2023-11-08")])
        .when(on("2023-11-20", A::ReopenCase(reopening.clone())))
        .then_expect_events(vec![CaseEvent::CaseReopened(reopening)]);
}

#[test]
fn reopening_a_case_that_is_open_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-20",
            A::ReopenCase(Reopening {
                on: d("2023-11-20"),
                reason: "absent again".into(),
            }),
        ))
        .then_expect_error(CaseError::WrongStatus {
            action: Msg::ActionReopenCase,
            status: Msg::StatusEnrolled,
        });
}

#[test]
fn a_status_change_dated_before_the_last_one_is_rejected() {
    given(vec![opened("2023-11-06"), closed("2023-11-10")])
        .when(on(
            "2023-11-20",
            A::ReopenCase(Reopening {
                on: d("2023-11-09"),
                reason: "absent again".into(),
            }),
        ))
        .then_expect_error(CaseError::BeforeStatusChange {
            field: "on",
            date: d("2023-11-09"),
            since: d("2023-11-10"),
        });
}

// ---- corrections -------------------------------------------------------------------------------

#[test]
fn a_correction_points_at_the_earlier_event_and_leaves_it_unchanged() {
    let case = StudentCase::from_events([
        opened("2023-11-06"),
        absence("2023-11-06"),
        CaseEvent::FactCorrected(retraction("2023-11-07", 2)),
    ]);
    assert_eq!(case.event(2), Some(&absence("2023-11-06")));
    assert!(case.is_retracted(2));
    assert_eq!(case.absences().count(), 0);
}

#[test]
fn correcting_an_absence_is_recorded_as_a_new_fact() {
    given(vec![opened("2023-11-06"), absence("2023-11-06")])
        .when(on(
            "2023-11-07",
            A::CorrectFact(retraction("2023-11-07", 2)),
        ))
        .then_expect_events(vec![CaseEvent::FactCorrected(retraction("2023-11-07", 2))]);
}

#[test]
fn correcting_an_event_that_does_not_exist_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-07",
            A::CorrectFact(retraction("2023-11-07", 5)),
        ))
        .then_expect_error(CaseError::NoSuchEvent { sequence: 5 });
}

#[test]
fn retracting_the_opening_of_the_case_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-07",
            A::CorrectFact(retraction("2023-11-07", 1)),
        ))
        .then_expect_error(CaseError::CannotRetract {
            sequence: 1,
            reason: Msg::RuleOpeningStands,
        });
}

#[test]
fn retracting_an_event_twice_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        CaseEvent::FactCorrected(retraction("2023-11-07", 2)),
    ])
    .when(on(
        "2023-11-07",
        A::CorrectFact(retraction("2023-11-07", 2)),
    ))
    .then_expect_error(CaseError::AlreadyRetracted { sequence: 2 });
}

#[test]
fn a_retracted_absence_day_can_be_recorded_again() {
    given(vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        CaseEvent::FactCorrected(retraction("2023-11-07", 2)),
    ])
    .when(on("2023-11-07", record_absence("2023-11-06")))
    .then_expect_events(vec![absence("2023-11-06")]);
}

#[test]
fn a_correction_without_saying_what_was_wrong_is_rejected() {
    let mut correction = retraction("2023-11-07", 2);
    correction.what_was_wrong = String::new();
    given(vec![opened("2023-11-06"), absence("2023-11-06")])
        .when(on("2023-11-07", A::CorrectFact(correction)))
        .then_expect_error(CaseError::Blank {
            field: "what_was_wrong",
        });
}

// ---- events as stored --------------------------------------------------------------------------

#[test]
fn an_event_survives_a_round_trip_through_json_unchanged() {
    let event = visited("2023-11-07", &[HeadTeacher, ResponsibleLeader, Principal]);
    let json = serde_json::to_string(&event).unwrap();
    assert_eq!(serde_json::from_str::<CaseEvent>(&json).unwrap(), event);
    assert!(json.starts_with(r#"{"HomeVisitConducted":"#), "{json}");
}

#[test]
fn an_error_message_names_the_field_and_the_reason() {
    let error = CaseError::EndBeforeStart {
        field: "until",
        start: d("2023-11-10"),
        end: d("2023-11-08"),
    };
    assert_eq!(error.to_string(), "until: 2023-11-08 is before 2023-11-10");
}

// ---- the remaining refusals --------------------------------------------------------------------

#[test]
fn a_note_longer_than_four_thousand_characters_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-06",
            A::RecordAbsence(Absence {
                on: d("2023-11-06"),
                note: Some("缺".repeat(4001)),
            }),
        ))
        .then_expect_error(CaseError::TooLong {
            field: "note",
            max: 4000,
        });
}

#[test]
fn a_birth_date_after_today_is_rejected() {
    let mut opening = opening("2023-11-06");
    opening.student.birth_date = d("2023-12-01");
    given(vec![])
        .when(on("2023-11-06", A::OpenCase(opening)))
        .then_expect_error(CaseError::InFuture {
            field: "student.birth_date",
            date: d("2023-12-01"),
            today: d("2023-11-06"),
        });
}

#[test]
fn a_return_dated_while_the_child_was_suspended_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        suspended("2023-11-07", "2024-02-26"),
    ])
    .when(on("2023-11-08", record_return("2023-11-08")))
    .then_expect_error(CaseError::NotEnrolledOn {
        date: d("2023-11-08"),
        status: Msg::StatusSuspended,
    });
}

#[test]
fn support_above_one_hundred_thousand_yuan_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-08",
            A::GiveSupport(support(SupportKind::Subsidy, 10_000_001)),
        ))
        .then_expect_error(CaseError::OutOfRange {
            field: "amount_fen",
            reason: Msg::RuleSupportAtMost,
        });
}

#[test]
fn declaring_grade_8_or_above_in_a_focus_group_change_is_rejected() {
    given(vec![opened("2023-11-06")])
        .when(on(
            "2023-11-08",
            A::ChangeFocusGroups(focus_change(&[FocusGroup::Grade8OrAbove], &[])),
        ))
        .then_expect_error(CaseError::Inconsistent {
            field: "add",
            reason: Msg::RuleGrade8Derived,
        });
}

#[test]
fn retracting_a_correction_is_rejected() {
    given(vec![
        opened("2023-11-06"),
        absence("2023-11-06"),
        CaseEvent::FactCorrected(retraction("2023-11-07", 2)),
    ])
    .when(on(
        "2023-11-07",
        A::CorrectFact(retraction("2023-11-07", 3)),
    ))
    .then_expect_error(CaseError::CannotRetract {
        sequence: 3,
        reason: Msg::RuleCorrectionStands,
    });
}

#[test]
fn a_supervision_note_by_nobody_is_rejected() {
    let mut note = supervision("2023-11-20", "follow up weekly");
    note.by.name = " ".into();
    given(vec![opened("2023-11-06")])
        .when(on("2023-11-20", A::AddSupervisionNote(note)))
        .then_expect_error(CaseError::Blank { field: "by" });
}

#[test]
fn anything_but_its_confirmation_or_a_chase_is_rejected_while_a_transfer_is_pending() {
    given(vec![opened("2023-11-06"), transferred("2023-11-08")])
        .when(on(
            "2023-11-09",
            A::Suspend(suspension("2023-11-09", "2024-02-26")),
        ))
        .then_expect_error(CaseError::WrongStatus {
            action: Msg::ActionSuspend,
            status: Msg::StatusTransferPending,
        });
}
