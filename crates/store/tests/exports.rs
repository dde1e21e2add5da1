//! The exports (the ledger and the review's findings), written as CSV and as XLSX in both
//! languages and read back: the XLSX with calamine, as a spreadsheet program would read it.

// The test bodies are plain async fns called by `conformance!`.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use notoneless_domain::fixtures::*;
use notoneless_domain::{Node, NodeKind, OrgCommand, ReviewScope, ReviewSettings, User, UserRole};
use notoneless_store::db::Backend;
use notoneless_store::exports::{FINDING_COLUMNS, LEDGER_COLUMNS, ledger, review_findings};
use notoneless_store::table::{Format, Lang, Table};
use notoneless_store::testing::{FixedClock, TestDb, context, record_a_county_week};
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
    assert!(
        !csv.replace("\r\n", "").contains('\n'),
        "no bare LF line end"
    );
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
        .find(|r| r[0] == Data::String(case_id.into()))
        .unwrap()
}

conformance!(
    the_ledger_is_written_as_csv_and_xlsx_with_chinese_or_english_headers,
    the_review_findings_name_the_child_the_roles_and_the_staff_in_both_languages,
    a_longer_late_entry_threshold_drops_the_late_entry_findings,
);

async fn the_ledger_is_written_as_csv_and_xlsx_with_chinese_or_english_headers(backend: Backend) {
    let (_test, store) = county(backend).await;
    let table = ledger(&store, None).await.unwrap();

    let zh = csv_rows(&table.to_csv(Lang::Zh).unwrap());
    assert_eq!(
        zh[0],
        [
            "案件编号",
            "学籍号",
            "姓名",
            "性别",
            "出生日期",
            "乡镇",
            "学校",
            "年级",
            "班级",
            "状态",
            "当前连续无故缺课天数",
            "未完成事项",
            "转出去向",
            "休学预计返校",
            "最后记录时间"
        ]
    );
    assert_eq!(zh.len(), 4, "a header and three cases: {zh:?}");
    let gone = zh.iter().find(|r| r[0] == "case-gone").unwrap();
    assert_eq!(
        gone[1..],
        [
            "G211324201101025678",
            "王小明",
            "男",
            "2011-01-01",
            "公营子镇",
            "公营子中学",
            "7",
            "7-2",
            "缺课中",
            "3",
            gone[11].as_str(),
            "",
            "",
            // Recorded at 17:00 in the county, 09:00 UTC.
            "2023-11-10 17:00:00"
        ]
    );
    let back = zh.iter().find(|r| r[0] == "case-back").unwrap();
    assert_eq!((back[9].as_str(), back[10].as_str()), ("在校", "0"));

    let en = csv_rows(&table.to_csv(Lang::En).unwrap());
    assert_eq!(en[0], LEDGER_COLUMNS.map(|c| c.header.en));
    assert_eq!(en[0][10], "Current consecutive days of unexcused absence");
    let gone = en.iter().find(|r| r[0] == "case-gone").unwrap();
    assert_eq!((gone[3].as_str(), gone[9].as_str()), ("Male", "Absent"));

    for (lang, sheet, headers, status) in [
        (
            Lang::Zh,
            "台账",
            LEDGER_COLUMNS.map(|c| c.header.zh),
            "缺课中",
        ),
        (
            Lang::En,
            "Ledger",
            LEDGER_COLUMNS.map(|c| c.header.en),
            "Absent",
        ),
    ] {
        let (name, rows) = xlsx_sheet(table.render(Format::Xlsx, lang).unwrap());
        assert_eq!(name, sheet);
        assert_eq!(strings(&rows[0]), headers);
        assert_eq!(rows.len(), 4);
        let gone = row_of(&rows, "case-gone");
        assert_eq!(gone[2], Data::String("王小明".into()));
        assert_eq!(gone[4].as_date(), Some(d("2011-01-01")), "a real date");
        assert!(gone[4].is_datetime(), "{:?}", gone[4]);
        assert_eq!(gone[7], Data::Float(7.0), "the grade is a number");
        assert_eq!(gone[9], Data::String(status.into()));
        assert_eq!(gone[10], Data::Float(3.0));
        assert_eq!(gone[12], Data::Empty);
        assert_eq!(
            gone[14].as_datetime(),
            Some(d("2023-11-10").and_hms_opt(17, 0, 0).unwrap()),
            "the local time"
        );
    }

    let none = ledger(&store, Some(&["other-school".to_string()]))
        .await
        .unwrap();
    assert!(none.rows.is_empty(), "only the given schools' cases");
    let (_, rows) = xlsx_sheet(none.to_xlsx(Lang::Zh).unwrap());
    assert_eq!(rows.len(), 1, "the header alone");
}

async fn findings(store: &Store, settings: &ReviewSettings) -> Table<11> {
    let scope = ReviewScope::new(d("2023-11-01"), d("2023-11-30"), *settings).unwrap();
    review_findings(store, &scope).await.unwrap()
}

async fn the_review_findings_name_the_child_the_roles_and_the_staff_in_both_languages(
    backend: Backend,
) {
    let (_test, store) = county(backend).await;
    let table = findings(&store, &ReviewSettings::default()).await;

    let zh = csv_rows(&table.to_csv(Lang::Zh).unwrap());
    assert_eq!(
        zh[0],
        [
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
    let unreported: Vec<&Vec<String>> = zh.iter().filter(|r| r[0] == "未报告辍学").collect();
    assert_eq!(
        unreported.len(),
        2,
        "one report late, one never made: {zh:?}"
    );
    let mut evidence: Vec<&str> = unreported.iter().map(|r| r[8].as_str()).collect();
    evidence.sort();
    assert_eq!(
        evidence,
        [
            "2023年11月6日 缺勤、2023年11月7日 缺勤、2023年11月8日 缺勤",
            "2023年11月6日 缺勤、2023年11月7日 缺勤、2023年11月8日 缺勤、2023年11月10日 上报"
        ],
        "the absences up to the trigger day, and the late report, by their days and kinds"
    );
    let mut details: Vec<&str> = unreported.iter().map(|r| r[7].as_str()).collect();
    details.sort();
    assert_eq!(
        details,
        [
            "第3天：向县教育局报告迟了2天（应于2023年11月8日前完成）",
            "第3天：未向乡镇政府报告（应于2023年11月8日前完成）"
        ],
        "the details in Chinese"
    );
    let row = unreported[0];
    assert_eq!(
        row[1..7],
        [
            "公营子镇",
            "公营子中学",
            "case-late",
            "G211324201101015678",
            "王小明",
            "2023-11-08"
        ]
    );
    assert_eq!(
        row[9], "班主任、学校分管负责人、校长",
        "the ladder's owners"
    );
    assert_eq!(
        row[10], "李老师、赵校长",
        "the staff in office, in the order of their roles: not the principal who left, not \
         another school's teacher, and nobody for a role no one holds"
    );
    let late_entry = zh
        .iter()
        .find(|r| r[0] == "事后补录" && r[3] == "case-back")
        .unwrap();
    assert_eq!(late_entry[9], "校长");

    let en = csv_rows(&table.to_csv(Lang::En).unwrap());
    assert_eq!(en[0], FINDING_COLUMNS.map(|c| c.header.en));
    assert_eq!(
        en.iter().filter(|r| r[0] == "Unreported dropout").count(),
        2
    );
    assert!(en.iter().any(|r| r[0] == "Late entry"), "{en:?}");
    // A missing roll call concerns the school, not a case: no case, no child, the head
    // teachers and the principal named.
    let missing = en.iter().find(|r| r[0] == "Missing roll call").unwrap();
    assert_eq!(
        missing[3..6],
        ["", "", ""],
        "no case for a school's finding: {missing:?}"
    );
    assert_eq!(missing[9], "Head teacher, Principal");

    for (lang, sheet, headers, kind, staff) in [
        (
            Lang::Zh,
            "问责发现",
            FINDING_COLUMNS.map(|c| c.header.zh),
            "未报告辍学",
            "李老师、赵校长",
        ),
        (
            Lang::En,
            "Review findings",
            FINDING_COLUMNS.map(|c| c.header.en),
            "Unreported dropout",
            "李老师, 赵校长",
        ),
    ] {
        let (name, rows) = xlsx_sheet(table.render(Format::Xlsx, lang).unwrap());
        assert_eq!(name, sheet);
        assert_eq!(strings(&rows[0]), headers);
        assert_eq!(rows.len(), table.rows.len() + 1);
        let row = rows
            .iter()
            .find(|r| r[0] == Data::String(kind.into()))
            .unwrap();
        assert_eq!(row[3], Data::String("case-late".into()));
        assert_eq!(row[6].as_date(), Some(d("2023-11-08")));
        assert_eq!(row[10], Data::String(staff.into()));
    }
}

async fn a_longer_late_entry_threshold_drops_the_late_entry_findings(backend: Backend) {
    let (_test, store) = county(backend).await;
    let late_entries = |table: &Table<11>| {
        table
            .rows
            .iter()
            .filter(|r| r[0].render(Lang::En) == "Late entry")
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
        strict.rows.len() - late_entries(&strict),
        lenient.rows.len(),
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
    use notoneless_store::table::{Cell, Column, Label};

    let mut table = Table::new(
        Label::new("台账", "Ledger"),
        [
            Column::new("姓名", "Name"),
            Column::new("学校", "School"),
            Column::new("说明", "Detail"),
            Column::new("最后记录时间", "Last recorded"),
            Column::new("案件编号", "Case ID"),
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
