//! The registry cross-check (学籍/户籍比对): reading the lists, classifying what they show,
//! and keeping each child's open findings equal to what the latest cross-check found.

use std::collections::BTreeSet;

use notoneless_domain::fixtures::*;
use notoneless_domain::*;

const ON: &str = "2023-09-15";
const REGISTER: &str = "id_number,name,gender,birth_date,township,catchment_school,guardian,guardian_relation,guardian_phone,status\n";
const ROLL: &str = "student_number,id_number,name,gender,birth_date,school,grade,class,attending,guardian,guardian_relation,guardian_phone\n";

fn schools() -> BTreeSet<String> {
    ["gyz-middle", "gyz-central"]
        .into_iter()
        .map(String::from)
        .collect()
}

fn id(birth: &str, seq: u8, gender: Gender) -> String {
    compose_id_number("211324", d(birth), seq, gender).expect("a valid ID number")
}

fn boy() -> String {
    id("2011-03-04", 1, Gender::Male)
}

fn register_line(id: &str, name: &str, birth: &str, gender: &str, status: &str) -> String {
    format!("{id},{name},{gender},{birth},gyz,gyz-middle,王父,father,13800001234,{status}\n")
}

fn roll_line(number: &str, id: &str, name: &str, school: &str, attending: &str) -> String {
    format!(
        "{number},{id},{name},男,2011-03-04,{school},7,7-1,{attending},王父,father,13800001234\n"
    )
}

fn check(register: &str, roll: &str) -> CrossCheck {
    cross_check(
        &format!("{REGISTER}{register}"),
        &format!("{ROLL}{roll}"),
        d(ON),
        &schools(),
    )
}

fn kinds(check: &CrossCheck) -> Vec<(String, Vec<RegistryIssue>)> {
    check
        .children
        .iter()
        .map(|c| (c.identity.clone(), c.found.keys().copied().collect()))
        .collect()
}

#[test]
fn a_valid_id_number_gives_its_birth_date_and_gender() {
    let parsed = parse_id_number(&boy()).expect("valid");
    assert_eq!(parsed.birth_date, d("2011-03-04"));
    assert_eq!(parsed.gender, Gender::Male);
}

#[test]
fn an_id_number_with_a_wrong_check_character_is_refused() {
    let mut wrong = boy();
    let last = wrong.pop().expect("a character");
    wrong.push(if last == '0' { '1' } else { '0' });
    assert_eq!(
        parse_id_number(&wrong),
        Err("the check character of the ID number does not match")
    );
}

#[test]
fn a_child_in_the_register_on_no_roll_is_not_on_roll_at_the_catchment_school() {
    let result = check(
        &register_line(&boy(), "王小明", "2011-03-04", "男", "正常"),
        "",
    );
    assert_eq!(
        kinds(&result),
        vec![(boy(), vec![RegistryIssue::NotOnRoll])]
    );
    let child = &result.children[0];
    assert_eq!(child.profile.school, "gyz-middle");
    assert_eq!(child.profile.student_number, format!("G{}", boy()));
    assert_eq!(child.profile.grade, 7);
}

#[test]
fn a_child_on_the_roll_and_in_class_is_no_finding() {
    let result = check(
        &register_line(&boy(), "王小明", "2011-03-04", "男", "正常"),
        &roll_line("S001", &boy(), "王小明", "gyz-middle", "是"),
    );
    assert!(result.children.is_empty());
    assert_eq!(
        result.examined.get(&boy()).map(String::as_str),
        Some("gyz-middle")
    );
}

#[test]
fn a_child_on_the_roll_but_not_in_class_is_a_nominal_registration() {
    let result = check(
        &register_line(&boy(), "王小明", "2011-03-04", "男", "正常"),
        &roll_line("S001", &boy(), "王小明", "gyz-middle", "否"),
    );
    assert_eq!(
        kinds(&result),
        vec![(boy(), vec![RegistryIssue::NominalRegistration])]
    );
    assert_eq!(
        result.children[0].found[&RegistryIssue::NominalRegistration].roll_rows,
        vec![2]
    );
}

#[test]
fn a_child_on_two_rolls_is_a_duplicate_owned_by_the_school_he_attends() {
    let result = check(
        &register_line(&boy(), "王小明", "2011-03-04", "男", "正常"),
        &format!(
            "{}{}",
            roll_line("S001", &boy(), "王小明", "gyz-central", "否"),
            roll_line("S002", &boy(), "王小明", "gyz-middle", "是")
        ),
    );
    assert_eq!(
        kinds(&result),
        vec![(boy(), vec![RegistryIssue::Duplicate])]
    );
    assert_eq!(result.children[0].profile.school, "gyz-middle");
    assert_eq!(result.children[0].profile.student_number, "S002");
}

#[test]
fn a_roll_whose_name_differs_from_the_register_is_wrong() {
    let result = check(
        &register_line(&boy(), "王小明", "2011-03-04", "男", "正常"),
        &roll_line("S001", &boy(), "王晓明", "gyz-middle", "是"),
    );
    assert_eq!(kinds(&result), vec![(boy(), vec![RegistryIssue::Wrong])]);
    assert!(
        result.children[0].found[&RegistryIssue::Wrong]
            .detail
            .contains("name differs")
    );
}

#[test]
fn a_roll_entry_with_an_invalid_id_number_is_wrong_and_known_by_its_student_number() {
    let result = check(
        "",
        &roll_line("S009", "211324201103040000", "李四", "gyz-middle", "是"),
    );
    assert_eq!(
        kinds(&result),
        vec![("roll:S009".to_string(), vec![RegistryIssue::Wrong])]
    );
}

#[test]
fn a_child_on_a_roll_whose_registration_was_cancelled_is_cancelled() {
    let result = check(
        &register_line(&boy(), "王小明", "2011-03-04", "男", "注销"),
        &roll_line("S001", &boy(), "王小明", "gyz-middle", "是"),
    );
    assert_eq!(
        kinds(&result),
        vec![(boy(), vec![RegistryIssue::Cancelled])]
    );
}

#[test]
fn a_cancelled_registration_on_no_roll_is_no_finding() {
    let result = check(
        &register_line(&boy(), "王小明", "2011-03-04", "男", "注销"),
        "",
    );
    assert!(result.children.is_empty());
}

#[test]
fn a_child_on_a_roll_but_not_in_the_register_is_no_finding() {
    let result = check("", &roll_line("S001", &boy(), "王小明", "gyz-middle", "是"));
    assert!(result.children.is_empty());
}

#[test]
fn a_refused_register_row_is_reported_with_its_line_and_field_and_leaves_the_child_out() {
    let bad_birth = register_line(&boy(), "王小明", "2011-03-05", "男", "正常");
    let result = check(&bad_birth, "");
    assert_eq!(result.register_errors.len(), 1);
    assert_eq!(result.register_errors[0].row, 2);
    assert_eq!(
        result.register_errors[0].column.as_deref(),
        Some("birth_date")
    );
    assert!(result.children.is_empty());
    assert!(result.unsettled.contains(&boy()));
}

#[test]
fn a_child_older_than_school_age_is_refused() {
    let adult = id("2005-01-01", 3, Gender::Female);
    let result = check(
        &register_line(&adult, "张三", "2005-01-01", "女", "正常"),
        "",
    );
    assert_eq!(result.register_errors.len(), 1);
    assert!(
        result.register_errors[0]
            .reason
            .text(notoneless_i18n::Lang::En)
            .contains("not of compulsory school age")
    );
}

#[test]
fn a_roll_row_at_an_unknown_school_is_refused_and_its_child_left_out() {
    let result = check(
        &register_line(&boy(), "王小明", "2011-03-04", "男", "正常"),
        &roll_line("S001", &boy(), "王小明", "nowhere", "是"),
    );
    assert_eq!(result.roll_errors.len(), 1);
    assert_eq!(result.roll_errors[0].column.as_deref(), Some("school"));
    // Not "not on roll": his roll row was refused, so nothing is said about him.
    assert!(result.children.is_empty());
}

#[test]
fn a_register_with_the_wrong_header_is_refused_as_a_whole() {
    let result = cross_check("id,name\n1,2\n", ROLL, d(ON), &schools());
    assert_eq!(result.register_errors.len(), 1);
    assert_eq!(result.register_errors[0].row, 1);
}

// ---- reconciling a child's case with what the cross-check found ------------------------------

fn found_not_on_roll() -> CrossCheck {
    check(
        &register_line(&boy(), "王小明", "2011-03-04", "男", "正常"),
        "",
    )
}

/// The child's case after a first cross-check found him on no roll, and what it found.
fn after_first_cross_check() -> (ChildFindings, StudentCase) {
    let child = found_not_on_roll().children.remove(0);
    let first = reconcile(
        &StudentCase::default(),
        Some(&child.profile),
        &child.found,
        true,
        "first",
        d(ON),
    );
    let case = apply(&StudentCase::default(), &first);
    (child, case)
}

/// The same case with the finding resolved by hand, with or without a document.
fn resolved_by_hand(case: &StudentCase, document: Option<DocumentRef>) -> StudentCase {
    let mut events: Vec<CaseEvent> = case.events().map(|(_, e)| e.clone()).collect();
    events.push(CaseEvent::RegistryFindingResolved(RegistryResolution {
        on: d(ON),
        kind: RegistryIssue::NotOnRoll,
        resolution: "studies in Chaoyang city".into(),
        document,
    }));
    StudentCase::from_events(events)
}

fn apply(case: &StudentCase, plan: &ChildPlan) -> StudentCase {
    let mut events: Vec<CaseEvent> = case.events().map(|(_, e)| e.clone()).collect();
    let mut current = case.clone();
    for action in &plan.actions {
        let event = current
            .decide(CaseCommand::new(d(ON), action.clone()))
            .expect("the plan is accepted");
        events.push(event);
        current = StudentCase::from_events(events.clone());
    }
    current
}

#[test]
fn a_first_cross_check_opens_the_case_and_records_the_finding() {
    let result = found_not_on_roll();
    let child = &result.children[0];
    let plan = reconcile(
        &StudentCase::default(),
        Some(&child.profile),
        &child.found,
        true,
        "first",
        d(ON),
    );
    assert_eq!(plan.new, vec![RegistryIssue::NotOnRoll]);
    assert!(matches!(plan.actions[0], CaseAction::OpenCase(_)));
    let case = apply(&StudentCase::default(), &plan);
    assert!(
        case.open_registry_finding(RegistryIssue::NotOnRoll)
            .is_some()
    );
}

#[test]
fn the_same_cross_check_again_records_nothing() {
    let (child, case) = after_first_cross_check();
    let again = reconcile(
        &case,
        Some(&child.profile),
        &child.found,
        true,
        "first",
        d(ON),
    );
    assert!(again.actions.is_empty());
    assert_eq!(again.unchanged, vec![RegistryIssue::NotOnRoll]);
}

#[test]
fn a_child_missing_from_the_lists_keeps_his_finding_marked_not_in_the_lists() {
    // Given a child with an open finding
    let (_, case) = after_first_cross_check();
    // When a later cross-check's lists do not show him at all
    let later = reconcile(&case, None, &Default::default(), false, "second", d(ON));
    // Then nothing is cleared: his absence from a list shows nothing resolved
    assert!(later.actions.is_empty());
    assert!(later.cleared.is_empty());
    assert_eq!(later.not_in_lists, vec![RegistryIssue::NotOnRoll]);
}

#[test]
fn a_finding_no_longer_found_for_a_child_in_the_lists_is_cleared() {
    let (_, case) = after_first_cross_check();
    let later = reconcile(&case, None, &Default::default(), true, "second", d(ON));
    assert_eq!(later.cleared, vec![RegistryIssue::NotOnRoll]);
    let case = apply(&case, &later);
    assert!(
        case.open_registry_finding(RegistryIssue::NotOnRoll)
            .is_none()
    );
}

#[test]
fn a_finding_resolved_with_a_document_and_found_again_is_explained_not_new() {
    let (child, case) = after_first_cross_check();
    let case = resolved_by_hand(&case, Some(document("enrolment certificate", ON)));
    let again = reconcile(
        &case,
        Some(&child.profile),
        &child.found,
        true,
        "second",
        d(ON),
    );
    assert!(again.actions.is_empty());
    assert_eq!(again.explained, vec![(RegistryIssue::NotOnRoll, 3)]);
}

#[test]
fn a_finding_resolved_without_a_document_and_found_again_is_new() {
    let (child, case) = after_first_cross_check();
    let case = resolved_by_hand(&case, None);
    let again = reconcile(
        &case,
        Some(&child.profile),
        &child.found,
        true,
        "second",
        d(ON),
    );
    assert_eq!(again.new, vec![RegistryIssue::NotOnRoll]);
}

// ---- the case's rules for registry findings -------------------------------------------------

fn finding(on_day: &str) -> RegistryFinding {
    RegistryFinding {
        on: d(on_day),
        kind: RegistryIssue::NominalRegistration,
        detail: "on the roll of gyz-middle (line 2) but not counted in class".into(),
        cross_check: "2023 autumn".into(),
    }
}

#[test]
fn a_finding_of_a_kind_still_open_is_refused() {
    given(vec![
        opened("2023-09-01"),
        CaseEvent::RegistryFindingRecorded(finding("2023-09-15")),
    ])
    .when(on(
        "2023-09-20",
        CaseAction::RecordRegistryFinding(finding("2023-09-20")),
    ))
    .then_expect_error(CaseError::FindingStillOpen {
        kind: RegistryIssue::NominalRegistration,
        sequence: 2,
    });
}

#[test]
fn a_finding_can_be_recorded_on_a_closed_case() {
    given(vec![opened("2023-09-01"), closed("2023-09-05")])
        .when(on(
            "2023-09-15",
            CaseAction::RecordRegistryFinding(finding("2023-09-15")),
        ))
        .then_expect_events(vec![CaseEvent::RegistryFindingRecorded(finding(
            "2023-09-15",
        ))]);
}

#[test]
fn resolving_a_finding_that_is_not_open_is_refused() {
    given(vec![opened("2023-09-01")])
        .when(on(
            "2023-09-15",
            CaseAction::ResolveRegistryFinding(RegistryResolution {
                on: d("2023-09-15"),
                kind: RegistryIssue::Duplicate,
                resolution: "removed".into(),
                document: None,
            }),
        ))
        .then_expect_error(CaseError::NoOpenFinding {
            kind: RegistryIssue::Duplicate,
        });
}

#[test]
fn a_resolution_dated_before_its_finding_is_refused() {
    given(vec![
        opened("2023-09-01"),
        CaseEvent::RegistryFindingRecorded(finding("2023-09-15")),
    ])
    .when(on(
        "2023-09-20",
        CaseAction::ResolveRegistryFinding(RegistryResolution {
            on: d("2023-09-10"),
            kind: RegistryIssue::NominalRegistration,
            resolution: "entry removed from the roll".into(),
            document: None,
        }),
    ))
    .then_expect_error(CaseError::BeforeEvent {
        field: "on",
        date: d("2023-09-10"),
        sequence: 2,
        event_on: d("2023-09-15"),
    });
}

// ---- the review --------------------------------------------------------------------------------

fn review_of(events: Vec<CaseEvent>, now: &str) -> Vec<FindingKind> {
    let recorded_on = events.iter().map(CaseEvent::on).collect();
    let record = CaseRecord {
        case_id: "case-1".into(),
        case: StudentCase::from_events(events),
        recorded_on,
    };
    let september = ReviewScope::new(d("2023-09-01"), d("2023-09-30"), ReviewSettings::default())
        .expect("a month");
    review(
        &[record],
        &calendar(),
        &ladder(),
        &september,
        at(now, "12:00"),
    )
    .findings
    .into_iter()
    .map(|f| f.kind)
    .collect()
}

#[test]
fn a_registry_finding_with_nothing_done_within_seven_days_is_an_open_finding() {
    let kinds = review_of(
        vec![
            opened("2023-09-15"),
            CaseEvent::RegistryFindingRecorded(finding("2023-09-15")),
        ],
        "2023-09-25",
    );
    assert_eq!(kinds, vec![FindingKind::UnresolvedRegistryFinding]);
}

#[test]
fn a_registry_finding_followed_by_a_home_visit_within_seven_days_is_no_finding() {
    let kinds = review_of(
        vec![
            opened("2023-09-15"),
            CaseEvent::RegistryFindingRecorded(finding("2023-09-15")),
            visited("2023-09-18", &[Role::HeadTeacher, Role::ResponsibleLeader]),
        ],
        "2023-09-25",
    );
    assert!(kinds.is_empty(), "{kinds:?}");
}

#[test]
fn a_registry_finding_still_within_its_seven_days_is_no_finding_yet() {
    let kinds = review_of(
        vec![
            opened("2023-09-15"),
            CaseEvent::RegistryFindingRecorded(finding("2023-09-15")),
        ],
        "2023-09-20",
    );
    assert!(kinds.is_empty(), "{kinds:?}");
}
