//! The exports (the ledger and the review's findings), written as CSV and as XLSX in both
//! languages and read back: the XLSX with calamine, as a spreadsheet program would read it.

// The test bodies are plain async fns called by `conformance!`.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use notoneless_domain::fixtures::*;
use notoneless_domain::{
    CaseAction, FocusGroup, Gender, Guardian, Node, NodeKind, OrgCommand, Return, ReturnMeasure,
    ReviewScope, ReviewSettings, Role, Support, SupportKind, User, UserRole, compose_id_number,
};
use notoneless_store::db::Backend;
use notoneless_store::exports::{
    Filed, LEDGER_CASE_COLUMN, LedgerRequest, ledger, mask_id_number, review_findings,
};
use notoneless_store::table::{Format, Lang};
use notoneless_store::testing::{FixedClock, TestDb, absent, context, record_a_county_week, run};
use notoneless_store::{Rules, Store, conformance};

const SCHOOL: &str = "kazuo-gyz-middle";

/// The county week of `record_a_county_week`, in a county whose tree and staff are known:
/// a principal and a head teacher at the school, a principal who left, a head teacher of
/// another school.
async fn county(backend: Backend) -> (TestDb, Store) {
    let test = TestDb::new(backend).await;
    let clock = FixedClock::at(at("2023-11-10", "17:00"));
    let rules = Rules {
        calendar: calendar(),
        ladder: ladder(),
    };
    let store = Store::new(
        test.connect().await,
        rules,
        clock.clone(),
        notoneless_store::testing::test_key(),
    );
    let nodes = [
        ("kazuo", NodeKind::County, "喀左县", None),
        ("gongyingzi", NodeKind::Township, "公营子镇", Some("kazuo")),
        (SCHOOL, NodeKind::School, "公营子中学", Some("gongyingzi")),
        (
            "other-school",
            NodeKind::School,
            "南哨小学",
            Some("gongyingzi"),
        ),
    ];
    for (id, kind, name, parent) in nodes {
        let node = Node {
            id: id.into(),
            kind,
            name: name.into(),
            parent: parent.map(str::to_string),
        };
        store
            .org
            .execute(OrgCommand::AddNode(node), &context(None))
            .await
            .unwrap();
    }
    let users = [
        ("zhao", "赵校长", UserRole::Principal, SCHOOL),
        ("qian", "钱校长", UserRole::Principal, SCHOOL),
        ("li", "李老师", UserRole::HeadTeacher, SCHOOL),
        ("sun", "孙老师", UserRole::HeadTeacher, "other-school"),
    ];
    for (id, name, role, node) in users {
        let user = User {
            id: id.into(),
            name: name.into(),
            role,
            node: node.into(),
        };
        store
            .org
            .execute(OrgCommand::AddUser(user), &context(None))
            .await
            .unwrap();
    }
    store
        .org
        .execute(
            OrgCommand::DeactivateUser {
                user: "qian".into(),
            },
            &context(None),
        )
        .await
        .unwrap();
    record_a_county_week(&store, &clock).await;
    (test, store)
}

/// The CSV's records, read by a CSV reader, the header first.
fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    assert!(csv.starts_with('\u{feff}'), "a byte-order mark first");
    assert!(csv.ends_with("\r\n"), "CRLF line ends");
    // A bare LF only inside a quoted field (the lines of one cell), never as a record's end.
    let mut quoted = false;
    let mut previous = ' ';
    for c in csv.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        assert!(
            c != '\n' || quoted || previous == '\r',
            "no bare LF line end"
        );
        previous = c;
    }
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The only sheet of an XLSX workbook: its name and its cells.
fn xlsx_sheet(bytes: Vec<u8>) -> (String, Vec<Vec<Data>>) {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let names = workbook.sheet_names();
    assert_eq!(names.len(), 1, "{names:?}");
    let range = workbook.worksheet_range(&names[0]).unwrap();
    (
        names[0].clone(),
        range.rows().map(<[Data]>::to_vec).collect(),
    )
}

fn strings(row: &[Data]) -> Vec<String> {
    row.iter().map(ToString::to_string).collect()
}

fn row_of<'a>(rows: &'a [Vec<Data>], case_id: &str) -> &'a [Data] {
    rows.iter()
        .find(|r| r.get(LEDGER_CASE_COLUMN) == Some(&Data::String(case_id.into())))
        .unwrap()
}

/// A part of an XLSX file (a zip archive of XML files), as text.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
    text
}

/// The print setup a filed XLSX must have: landscape, one page wide, the header row (row 2,
/// under the title) on every page.
fn assert_filed_for_print(xlsx: &[u8], sheet_name: &str) {
    let sheet = part(xlsx, "xl/worksheets/sheet1.xml");
    let workbook = part(xlsx, "xl/workbook.xml");
    assert!(sheet.contains(r#"orientation="landscape""#), "{sheet}");
    assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{sheet}");
    // One page wide (fitToWidth's default, 1, is left out), as long as it takes.
    assert!(sheet.contains(r#"fitToHeight="0""#), "{sheet}");
    assert!(!sheet.contains("fitToWidth"), "{sheet}");
    assert!(sheet.contains("<printOptions"), "{sheet}");
    assert!(sheet.contains(r#"state="frozen""#) && sheet.contains(r#"topLeftCell="A3""#));
    assert!(
        workbook.contains(&format!(
            r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">{}!$2:$2</definedName>"#,
            if sheet_name.contains(' ') {
                format!("'{sheet_name}'")
            } else {
                sheet_name.to_string()
            }
        )),
        "{workbook}"
    );
}

conformance!(
    the_ledger_is_written_as_csv_and_xlsx_with_chinese_or_english_headers,
    the_ledger_a_clerk_files_has_the_childs_details_the_steps_taken_and_the_id_masked_or_whole,
    the_ledger_as_of_a_day_shows_the_cases_as_they_stood_at_its_end,
    the_review_findings_name_the_child_the_roles_and_the_staff_in_both_languages,
    a_longer_late_entry_threshold_drops_the_late_entry_findings,
);

async fn the_ledger_is_written_as_csv_and_xlsx_with_chinese_or_english_headers(backend: Backend) {
    let (_test, store) = county(backend).await;
    let filed = ledger(&store, LedgerRequest::default()).await.unwrap();
    let table = &filed.table;

    let zh = csv_rows(&table.to_csv(Lang::Zh).unwrap());
    assert_eq!(
        zh[0],
        [
            "序号",
            "姓名",
            "性别",
            "身份证号",
            "学籍号",
            "乡镇",
            "学校",
            "年级",
            "班级",
            "监护人",
            "联系电话",
            "重点群体",
            "缺课或辍学原因",
            "劝返、帮扶措施（日期、人员）",
            "责任人",
            "返校日期",
            "当前状态",
            "未完成事项",
            "最后记录时间",
            "案件编号",
        ]
    );
    assert_eq!(
        zh.len(),
        4,
        "a header and three cases, no title in CSV: {zh:?}"
    );
    let numbers: Vec<&str> = zh[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(numbers, ["1", "2", "3"], "序号 counts the rows");
    let gone = zh.iter().find(|r| r[19] == "case-gone").unwrap();
    assert_eq!(
        gone[1..19],
        [
            "王小明",
            "男",
            // Opened without an ID number.
            "",
            "G211324201101025678",
            "公营子镇",
            "公营子中学",
            "7",
            "7-2",
            "王建国（father）",
            "138-0000-1234",
            "贫困生",
            "first unexcused absence",
            "",
            "李老师",
            "",
            "缺课中（连续3天）",
            gone[17].as_str(),
            // Recorded at 17:00 in the county, 09:00 UTC.
            "2023-11-10 17:00:00"
        ]
    );
    let back = zh.iter().find(|r| r[19] == "case-back").unwrap();
    assert_eq!(
        (back[12].as_str(), back[15].as_str(), back[16].as_str()),
        ("helping on the farm", "2023-11-07", "在校"),
        "the reason the guardian gave, and the day back"
    );
    assert_eq!(
        back[13], "2023年11月6日 联系家长（李老师）：电话联系王建国，已联系上",
        "{back:?}"
    );

    let en = csv_rows(&table.to_csv(Lang::En).unwrap());
    assert_eq!(en[0][0], "No.");
    assert_eq!(en[0][13], "Steps taken (date, who)");
    let gone = en.iter().find(|r| r[19] == "case-gone").unwrap();
    assert_eq!(
        (gone[2].as_str(), gone[16].as_str()),
        ("Male", "Absent (3 days in a row)")
    );

    for (lang, sheet, title, status) in [
        (
            Lang::Zh,
            "台账",
            "喀左县控辍保学工作台账（全县，截至2023年11月10日）",
            "缺课中（连续3天）",
        ),
        (
            Lang::En,
            "Ledger",
            "喀左县 dropout control ledger (whole county), as of 2023-11-10",
            "Absent (3 days in a row)",
        ),
    ] {
        let xlsx = table.render(Format::Xlsx, lang).unwrap();
        assert_filed_for_print(&xlsx, sheet);
        let (name, rows) = xlsx_sheet(xlsx);
        assert_eq!(name, sheet);
        assert_eq!(rows[0][0], Data::String(title.into()), "the title first");
        assert_eq!(
            strings(&rows[1]),
            table.headers(lang),
            "the header under it"
        );
        assert_eq!(rows.len(), 5);
        let gone = row_of(&rows, "case-gone");
        assert_eq!(gone[1], Data::String("王小明".into()));
        assert_eq!(gone[7], Data::Float(7.0), "the grade is a number");
        assert_eq!(gone[16], Data::String(status.into()));
        assert_eq!(gone[15], Data::Empty);
        assert_eq!(
            gone[18].as_datetime(),
            Some(d("2023-11-10").and_hms_opt(17, 0, 0).unwrap()),
            "the local time"
        );
        let back = row_of(&rows, "case-back");
        assert_eq!(back[15].as_date(), Some(d("2023-11-07")), "a real date");
    }
    assert_eq!(
        filed.file_name.text(Lang::Zh),
        "喀左县-台账-全县-2023-11-10"
    );
    assert_eq!(filed.ascii_name, "ledger-county-2023-11-10");

    let other = ["other-school".to_string()];
    let none = ledger(
        &store,
        LedgerRequest {
            schools: Some(&other),
            scope: Some("other-school"),
            ..LedgerRequest::default()
        },
    )
    .await
    .unwrap();
    assert!(none.table.rows.is_empty(), "only the given schools' cases");
    assert_eq!(
        none.file_name.text(Lang::Zh),
        "喀左县-台账-南哨小学-2023-11-10"
    );
    assert_eq!(none.ascii_name, "ledger-other-school-2023-11-10");
    let (_, rows) = xlsx_sheet(none.table.to_xlsx(Lang::Zh).unwrap());
    assert_eq!(rows.len(), 2, "the title and the header alone");
    assert_eq!(
        rows[0][0],
        Data::String("喀左县控辍保学工作台账（南哨小学，截至2023年11月10日）".into())
    );
}

/// A case with all a ledger shows: the ID number, two guardians, focus groups, a call with a
/// reason, a visit with the measures it took, support, a report, the day back.
async fn a_filed_case(store: &Store) -> String {
    let mut opening = opening("2023-11-06");
    opening.student.name = "刘小红".into();
    // Another child than the county week's (a child has one open case file).
    opening.student.student_number = "G211324201101045678".into();
    opening.student.gender = Gender::Female;
    opening.student.id_number =
        Some(compose_id_number("211324", d("2011-01-01"), 23, Gender::Female).unwrap());
    opening.student.guardians.push(Guardian {
        name: "张桂芝".into(),
        relation: "奶奶".into(),
        phone: "13912345678".into(),
    });
    opening.student.focus_groups = [FocusGroup::PovertyAlleviationHousehold].into();
    let case = "case-filed";
    run(store, case, CaseAction::OpenCase(opening)).await;
    for day in ["2023-11-06", "2023-11-07"] {
        run(store, case, absent(day)).await;
    }
    let mut call = parent_contact("2023-11-06", Role::HeadTeacher);
    call.reason_given = Some("在家帮忙干农活".into());
    run(store, case, CaseAction::RecordParentContact(call)).await;
    let mut visit = home_visit("2023-11-07", &[Role::HeadTeacher, Role::ResponsibleLeader]);
    visit.measures = [
        ReturnMeasure::PersuasionWithCare,
        ReturnMeasure::FinancialAid,
    ]
    .into();
    run(store, case, CaseAction::RecordHomeVisit(visit)).await;
    run(
        store,
        case,
        CaseAction::GiveSupport(Support {
            on: d("2023-11-08"),
            kind: SupportKind::Subsidy,
            amount_fen: 50_000,
            from: d("2023-11-01"),
            until: d("2023-12-31"),
            note: None,
        }),
    )
    .await;
    run(
        store,
        case,
        CaseAction::RecordReturn(Return {
            on: d("2023-11-09"),
            note: None,
        }),
    )
    .await;
    case.to_string()
}

async fn the_ledger_a_clerk_files_has_the_childs_details_the_steps_taken_and_the_id_masked_or_whole(
    backend: Backend,
) {
    let (_test, store) = county(backend).await;
    let case = a_filed_case(&store).await;
    let id = compose_id_number("211324", d("2011-01-01"), 23, Gender::Female).unwrap();

    // A head teacher's ledger: the ID number masked.
    let masked = ledger(&store, LedgerRequest::default()).await.unwrap();
    let (_, rows) = xlsx_sheet(masked.table.to_xlsx(Lang::Zh).unwrap());
    let row = strings(row_of(&rows, &case));
    assert_eq!(row[3], format!("2113**********{}", &id[14..]));
    assert_eq!(
        row[1..13],
        [
            "刘小红",
            "女",
            row[3].as_str(),
            "G211324201101045678",
            "公营子镇",
            "公营子中学",
            "7",
            "7-2",
            "王建国（father）\n张桂芝（奶奶）",
            "138-0000-1234\n13912345678",
            "建档立卡脱贫户",
            "在家帮忙干农活",
        ]
    );
    assert_eq!(
        row[13],
        "2023年11月6日 联系家长（李老师）：电话联系王建国，已联系上\n\
         2023年11月7日 家访劝返（李老师、张主任）：以情劝学、以资助学；同意返校\n\
         2023年11月8日 帮扶（助）（u-li）：500.00 元",
        "each step a line, with its day and who took it in the plan's words"
    );
    assert_eq!((row[14].as_str(), row[16].as_str()), ("李老师", "在校"));
    assert_eq!(row_of(&rows, &case)[15].as_date(), Some(d("2023-11-09")));
    let en = masked.table.to_csv(Lang::En).unwrap();
    assert!(
        en.contains("2023-11-07 home visit (李老师、张主任): persuasion with care, financial help; agreed to return"),
        "{en}"
    );

    // An inspector's: whole.
    let whole = ledger(
        &store,
        LedgerRequest {
            full_ids: true,
            ..LedgerRequest::default()
        },
    )
    .await
    .unwrap();
    let (_, rows) = xlsx_sheet(whole.table.to_xlsx(Lang::Zh).unwrap());
    assert_eq!(strings(row_of(&rows, &case))[3], id);
}

#[test]
fn an_id_number_is_masked_to_its_first_four_and_last_four_characters() {
    assert_eq!(mask_id_number("21132420110101231X"), "2113**********231X");
    assert_eq!(
        mask_id_number("12345678"),
        "********",
        "too short to show any of it"
    );
    assert_eq!(mask_id_number(""), "");
}

async fn the_ledger_as_of_a_day_shows_the_cases_as_they_stood_at_its_end(backend: Backend) {
    let (_test, store) = county(backend).await;
    let case = a_filed_case(&store).await;
    // When the ledger is asked for as of the 7th
    let filed = ledger(
        &store,
        LedgerRequest {
            as_of: Some(d("2023-11-07")),
            ..LedgerRequest::default()
        },
    )
    .await
    .unwrap();
    let rows = csv_rows(&filed.table.to_csv(Lang::Zh).unwrap());
    // Then the case opened on the 8th is not in it
    assert!(rows.iter().all(|r| r[19] != "case-gone"), "{rows:?}");
    assert_eq!(rows.len(), 4, "{rows:?}");
    // and the filed case is as it stood: away two days, two steps taken, not back yet
    let row = rows.iter().find(|r| r[19] == case).unwrap();
    assert_eq!(row[16], "缺课中（连续2天）");
    assert_eq!(row[13].lines().count(), 2, "{row:?}");
    assert_eq!(row[15], "");
    assert_eq!(
        filed.table.title.as_ref().unwrap().text(Lang::Zh),
        "喀左县控辍保学工作台账（全县，截至2023年11月7日）"
    );
    assert_eq!(
        filed.file_name.text(Lang::Zh),
        "喀左县-台账-全县-2023-11-07"
    );
}

async fn findings(store: &Store, settings: &ReviewSettings) -> Filed<12> {
    let scope = ReviewScope::new(d("2023-11-01"), d("2023-11-30"), *settings).unwrap();
    review_findings(store, &scope, None).await.unwrap()
}

async fn the_review_findings_name_the_child_the_roles_and_the_staff_in_both_languages(
    backend: Backend,
) {
    let (_test, store) = county(backend).await;
    let filed = findings(&store, &ReviewSettings::default()).await;
    let table = &filed.table;

    let zh = csv_rows(&table.to_csv(Lang::Zh).unwrap());
    assert_eq!(
        zh[0],
        [
            "序号",
            "类型",
            "乡镇",
            "学校",
            "案件编号",
            "学籍号",
            "姓名",
            "日期",
            "说明",
            "证据",
            "责任角色",
            "责任人"
        ]
    );
    let numbers: Vec<String> = zh[1..].iter().map(|r| r[0].clone()).collect();
    let expected: Vec<String> = (1..zh.len()).map(|n| n.to_string()).collect();
    assert_eq!(numbers, expected, "序号 counts the rows");
    let unreported: Vec<&Vec<String>> = zh.iter().filter(|r| r[1] == "未报告辍学").collect();
    assert_eq!(
        unreported.len(),
        2,
        "one report late, one never made: {zh:?}"
    );
    let mut evidence: Vec<&str> = unreported.iter().map(|r| r[9].as_str()).collect();
    evidence.sort();
    assert_eq!(
        evidence,
        [
            "2023年11月6日 缺勤、2023年11月7日 缺勤、2023年11月8日 缺勤",
            "2023年11月6日 缺勤、2023年11月7日 缺勤、2023年11月8日 缺勤、2023年11月10日 上报"
        ],
        "the absences up to the trigger day, and the late report, by their days and kinds"
    );
    let mut details: Vec<&str> = unreported.iter().map(|r| r[8].as_str()).collect();
    details.sort();
    assert_eq!(
        details,
        [
            "第3天：孩子返校后才向县教育局报告，迟了2天（应于2023年11月8日前完成）",
            "第3天：未向乡镇政府报告（应于2023年11月8日前完成）"
        ],
        "the details in Chinese"
    );
    let row = unreported[0];
    assert_eq!(
        row[2..8],
        [
            "公营子镇",
            "公营子中学",
            "case-late",
            "G211324201101015678",
            "王小明",
            "2023-11-08"
        ]
    );
    assert!(!row[8].is_empty(), "a detail: {row:?}");
    assert_eq!(
        row[10], "班主任、学校分管负责人、校长",
        "the ladder's owners"
    );
    assert_eq!(
        row[11], "李老师、赵校长",
        "the staff in office, in the order of their roles: not the principal who left, not \
         another school's teacher, and nobody for a role no one holds"
    );
    let late_entry = zh
        .iter()
        .find(|r| r[1] == "事后补录" && r[4] == "case-back")
        .unwrap();
    assert_eq!(late_entry[10], "校长");

    let en = csv_rows(&table.to_csv(Lang::En).unwrap());
    assert_eq!(en[0], table.headers(Lang::En));
    assert_eq!(en[0][1], "Finding");
    assert_eq!(
        en.iter().filter(|r| r[1] == "Unreported dropout").count(),
        2
    );
    assert!(en.iter().any(|r| r[1] == "Late entry"), "{en:?}");
    // A missing roll call concerns the school, not a case: no case, no child, the head
    // teachers and the principal named.
    let missing = en.iter().find(|r| r[1] == "Missing roll call").unwrap();
    assert_eq!(
        missing[4..7],
        ["", "", ""],
        "no case for a school's finding: {missing:?}"
    );
    // The roles and the kinds are the catalogue's names, the same words as everywhere else.
    assert_eq!(missing[10], "head teacher, principal");
    assert_eq!(
        missing[1],
        notoneless_domain::FindingKind::MissingAttestation
            .label()
            .text(Lang::En)
    );
    assert_eq!(
        late_entry[10],
        notoneless_domain::Role::Principal.label().text(Lang::Zh)
    );

    for (lang, sheet, title, kind, staff) in [
        (
            Lang::Zh,
            "问责发现",
            "喀左县控辍保学问责核查发现（全县，2023年11月1日至2023年11月30日）",
            "未报告辍学",
            "李老师、赵校长",
        ),
        (
            Lang::En,
            "Review findings",
            "喀左县 accountability review findings (whole county), 2023-11-01 to 2023-11-30",
            "Unreported dropout",
            "李老师, 赵校长",
        ),
    ] {
        let xlsx = table.render(Format::Xlsx, lang).unwrap();
        assert_filed_for_print(&xlsx, sheet);
        let (name, rows) = xlsx_sheet(xlsx);
        assert_eq!(name, sheet);
        assert_eq!(rows[0][0], Data::String(title.into()));
        assert_eq!(strings(&rows[1]), table.headers(lang));
        assert_eq!(rows.len(), table.rows.len() + 2);
        assert_eq!(rows[2][0], Data::Float(1.0), "序号 from 1");
        let row = rows
            .iter()
            .find(|r| r[1] == Data::String(kind.into()))
            .unwrap();
        assert_eq!(row[4], Data::String("case-late".into()));
        assert_eq!(row[7].as_date(), Some(d("2023-11-08")));
        assert_eq!(row[11], Data::String(staff.into()));
    }
    assert_eq!(
        filed.file_name.text(Lang::Zh),
        "喀左县-问责核查-全县-2023-11-01至2023-11-30"
    );
    assert_eq!(filed.ascii_name, "review-county-2023-11-01-2023-11-30");
}

async fn a_longer_late_entry_threshold_drops_the_late_entry_findings(backend: Backend) {
    let (_test, store) = county(backend).await;
    let late_entries = |filed: &Filed<12>| {
        filed
            .table
            .rows
            .iter()
            .filter(|r| r[1].render(Lang::En) == "Late entry")
            .count()
    };
    let strict = findings(&store, &ReviewSettings::default()).await;
    assert!(
        late_entries(&strict) > 0,
        "facts of the 6th recorded on the 10th are four days late"
    );
    let lenient = findings(
        &store,
        &ReviewSettings {
            late_entry_days: 4,
            ..ReviewSettings::default()
        },
    )
    .await;
    assert_eq!(late_entries(&lenient), 0);
    assert_eq!(
        strict.table.rows.len() - late_entries(&strict),
        lenient.table.rows.len(),
        "nothing else changes"
    );
}

/// The column widths of the only sheet of an XLSX workbook, in characters of the default
/// font (as Excel shows them: the stored width less the cell's margins), by column number
/// from 1. calamine reads cells, not widths: they are read from the sheet's XML.
fn column_widths(xlsx: &[u8]) -> std::collections::BTreeMap<u32, f64> {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    let attribute = |element: &str, name: &str| -> String {
        element
            .split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string()
    };
    let mut widths = std::collections::BTreeMap::new();
    for element in sheet.split("<col ").skip(1) {
        let element = format!(" {}", element.split("/>").next().unwrap());
        let (min, max): (u32, u32) = (
            attribute(&element, "min").parse().unwrap(),
            attribute(&element, "max").parse().unwrap(),
        );
        let width: f64 = attribute(&element, "width").parse().unwrap();
        for column in min..=max {
            // 7 pixels a character, 5 pixels of margins.
            widths.insert(column, width - 5.0 / 7.0);
        }
    }
    widths
}

#[test]
fn xlsx_columns_of_chinese_text_are_as_wide_as_the_text_shows() {
    use notoneless_i18n::Msg;
    use notoneless_store::table::{Cell, Column, Table};

    let mut table = Table::new(
        Msg::LedgerSheet,
        [
            Column::new(Msg::ColName),
            Column::new(Msg::ColSchool),
            Column::new(Msg::ColDetail),
            Column::new(Msg::ColLastRecorded),
            Column::new(Msg::ColCaseId),
        ],
    );
    let long = "两周内家访三次未见到学生本人，".repeat(10);
    for (name, school) in [("王小明", "公营子镇中心小学"), ("欧阳娜娜", "南哨小学")]
    {
        table.rows.push([
            Cell::text(name),
            Cell::text(school),
            Cell::text(long.clone()),
            Cell::DateTime(d("2023-11-10").and_hms_opt(17, 0, 0).unwrap()),
            Cell::text("case-0001"),
        ]);
    }
    let xlsx = table.to_xlsx(Lang::Zh).unwrap();

    let (_, rows) = xlsx_sheet(xlsx.clone());
    assert_eq!(rows[2][0], Data::String("欧阳娜娜".into()));
    assert_eq!(rows[1][1], Data::String("公营子镇中心小学".into()));

    let widths = column_widths(&xlsx);
    // A Chinese character shows as wide as two digits: four characters take eight, eight
    // take sixteen; a little room, no more.
    let name = widths[&1];
    assert!((8.0..=10.0).contains(&name), "{widths:?}");
    let school = widths[&2];
    assert!((16.0..=18.0).contains(&school), "{widths:?}");
    // 150 characters are capped at 60 (they still show whole when the cell is selected).
    let detail = widths[&3];
    assert!((59.0..=61.0).contains(&detail), "{widths:?}");
    // `2023-11-10 17:00:00` in full: fourteen digits and the narrower `-`, `:` and space
    // (autofit alone gives every date or time the room of ten digits).
    let recorded = widths[&4];
    assert!((16.5..=19.0).contains(&recorded), "{widths:?}");
    // Latin text is measured by rust_xlsxwriter's autofit: the header's four characters,
    // bold, and its filter button are the widest there.
    let case = widths[&5];
    assert!((10.0..=14.0).contains(&case), "{widths:?}");
}
