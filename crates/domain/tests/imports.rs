//! Reading the grade-6 lists: every refused row named by its line, the rest kept.

use notoneless_domain::fixtures::d;
use notoneless_domain::*;
use notoneless_i18n::Lang;

const HEADER: &str =
    "student_number,name,gender,birth_date,school,class,guardian,guardian_relation,guardian_phone";

fn leavers(rows: &[&str]) -> String {
    std::iter::once(HEADER)
        .chain(rows.iter().copied())
        .collect::<Vec<_>>()
        .join("\n")
}

const GOOD: &str =
    "G211324201201011111,王一,男,2012-01-01,gyz-central-primary,6-1,王父,father,138-0000-0001";
const ENROLLED: &str =
    "G211324201201012222,李二,女,2012-02-02,gyz-central-primary,6-1,李母,mother,138-0000-0002";

#[test]
fn a_leaver_enrolled_nowhere_becomes_a_case_of_the_primary_school_he_left() {
    let enrolments = "student_number,school\nG211324201201012222,gyz-middle\n";
    let plan = plan_grade6_watch(
        &leavers(&[GOOD, ENROLLED]),
        enrolments,
        d("2023-09-01"),
        d("2023-09-10"),
    );
    assert_eq!(plan.enrolled, 1);
    assert_eq!(plan.to_open.len(), 1);
    let opening = &plan.to_open[0].opening;
    assert_eq!(
        (
            opening.student.school.as_str(),
            opening.student.grade,
            opening.on
        ),
        ("gyz-central-primary", 6, d("2023-09-01"))
    );
    assert_eq!(plan.to_open[0].row, 2);
}

#[test]
fn every_bad_row_is_refused_with_its_line_and_reason_and_the_good_rows_are_kept() {
    let text = leavers(&[
        GOOD,
        "G211324201201013333,张三,boy,2012-03-03,gyz-central-primary,6-2,张父,father,138-0000-0003",
        "G211324201201014444,赵四,女,2012-13-40,gyz-central-primary,6-2,赵父,father,138-0000-0004",
        "G211324201201015555,钱五,女,2012-05-05,gyz-central-primary,6-2,钱父,father,call me",
        "only,three,fields",
        GOOD,
    ]);
    let plan = plan_grade6_watch(
        &text,
        "student_number,school\n",
        d("2023-09-01"),
        d("2023-09-10"),
    );
    let refused: Vec<(usize, Option<&str>)> = plan
        .leaver_errors
        .iter()
        .map(|e| (e.row, e.column.as_deref()))
        .collect();
    assert_eq!(
        refused,
        vec![
            (3, Some("gender")),
            (4, Some("birth_date")),
            (5, Some("student.guardians.phone")),
            (6, None),
            (7, Some("student_number")),
        ]
    );
    assert_eq!(plan.to_open.len(), 1);
}

#[test]
fn a_list_with_the_wrong_header_is_refused_whole_at_line_one() {
    let (leavers, errors) = read_leavers("number,name\nG1,x\n");
    assert!(leavers.is_empty());
    assert_eq!(errors[0].row, 1);
    assert!(
        errors[0]
            .reason
            .text(Lang::En)
            .starts_with("the header must be student_number,name")
    );
}

#[test]
fn a_byte_order_mark_and_chinese_names_are_read() {
    let text = format!("\u{feff}{}", leavers(&[GOOD]));
    let (leavers, errors) = read_leavers(&text);
    assert_eq!((leavers.len(), errors.len()), (1, 0));
    assert_eq!(leavers[0].student.name, "王一");
}

#[test]
fn a_refused_row_after_a_cell_broken_over_lines_or_a_blank_line_is_named_by_its_own_line() {
    // Given a list whose line 2 holds a quoted name over three lines, then a blank line, and
    // whose line 6 has a bad gender
    let text = leavers(&[
        "G211324201201011111,\"王\n一\n\",男,2012-01-01,gyz-central-primary,6-1,王父,father,138-0000-0001",
        "",
        "G211324201201013333,张三,boy,2012-03-03,gyz-central-primary,6-2,张父,father,138-0000-0003",
    ]);
    // When it is read
    let (leavers, errors) = read_leavers(&text);
    // Then the first row is read, and the refusal names line 6, where the row is
    assert_eq!(leavers.len(), 1);
    assert_eq!(leavers[0].row, 2);
    let refused: Vec<(usize, Option<&str>)> = errors
        .iter()
        .map(|e| (e.row, e.column.as_deref()))
        .collect();
    assert_eq!(refused, vec![(6, Some("gender"))]);
}

#[test]
fn a_refusal_shows_at_most_the_first_forty_characters_of_a_cell() {
    // Given a leaver whose birth date is a cell of a million characters
    let cell = "9".repeat(1_000_000);
    let row = format!(
        "G211324201201011111,王一,男,{cell},gyz-central-primary,6-1,王父,father,138-0000-0001"
    );
    // When the list is read
    let (_, errors) = read_leavers(&leavers(&[&row]));
    // Then the refusal names the field and shows the cell's start and its length only, in
    // either language
    assert_eq!(errors[0].column.as_deref(), Some("birth_date"));
    assert_eq!(
        errors[0].reason.text(Lang::En),
        format!(
            "{:?}… (1000000 characters) is not a date YYYY-MM-DD",
            "9".repeat(40)
        )
    );
    assert_eq!(
        errors[0].reason.text(Lang::Zh),
        format!(
            "{:?}…（共1000000个字符） 不是 YYYY-MM-DD 格式的日期",
            "9".repeat(40)
        )
    );
}
