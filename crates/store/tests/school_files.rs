//! What schools and counties already keep, imported from their files: a school's roll calls
//! (XLSX, GBK CSV, either shape) and a county's existing ledger, each read by `list_file`,
//! all or nothing, the same file twice recorded once; the ledger's facts recorded by the
//! import, marked so, and judged late by the review.

// The test bodies are plain async fns called by `conformance!`.
#![allow(clippy::unwrap_used)]

use notoneless_domain::fixtures::{at, calendar, d, ladder};
use notoneless_domain::{
    FindingKind, NamedAbsence, Node, NodeKind, OrgCommand, ReviewScope, ReviewSettings, RollCall,
    RowRefusal, ledger_case_id,
};
use notoneless_i18n::Lang;
use notoneless_store::db::Backend;
use notoneless_store::imports::AlreadyHasCase;
use notoneless_store::list_file::{Encoding, ReadAs, read_list};
use notoneless_store::log::case_events;
use notoneless_store::review::run_review;
use notoneless_store::school_files::{import_ledger, import_roll_call_file};
use notoneless_store::testing::{FixedClock, TestDb, context};
use notoneless_store::{Rules, Store, conformance};

const SCHOOL: &str = "kazuo-gyz-middle";

/// A county with one township and two schools, on Friday 10 November 2023 at 17:00.
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
        clock,
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
    (test, store)
}

/// A workbook of one sheet with these rows, as a school's spreadsheet program saves it.
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
            // Counts as numbers, as Excel keeps them.
            match cell.parse::<f64>() {
                Ok(number) if !cell.is_empty() && cell.len() < 5 => {
                    sheet.write_number(r, c, number).unwrap();
                }
                _ => {
                    sheet.write_string(r, c, *cell).unwrap();
                }
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn absent(number: &str, name: &str, excused: bool) -> NamedAbsence {
    NamedAbsence {
        student_number: number.into(),
        name: name.into(),
        excused,
    }
}

async fn on_record(store: &Store) -> Vec<RollCall> {
    store
        .roll_calls
        .of_school(SCHOOL, None)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, r)| r)
        .collect()
}

fn lines_and_columns(refused: &[RowRefusal]) -> Vec<(usize, Option<&str>)> {
    refused
        .iter()
        .map(|r| (r.row, r.column.as_deref()))
        .collect()
}

async fn a_roll_call_file_per_absent_child_in_xlsx_is_recorded_and_a_second_import_records_nothing(
    backend: Backend,
) {
    let (_test, store) = county(backend).await;
    let file = xlsx(&[
        &["日期", "班级", "应到", "实到", "学籍号", "姓名", "请假"],
        &["2023-11-09", "7-2", "42", "40", "G001", "王小明", ""],
        &["2023-11-09", "7-2", "42", "40", "G002", "李小红", "是"],
        &["2023-11-09", "8-1", "38", "38", "", "", ""],
    ]);
    let list = read_list(&file, Encoding::Auto).unwrap();
    assert!(matches!(list.read_as, ReadAs::Workbook { .. }));

    let report = import_roll_call_file(&store, SCHOOL, &list.text, &context(None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.recorded.len(), 2);
    assert_eq!(report.recorded[0].rows, vec![2, 3]);
    assert_eq!(
        on_record(&store).await,
        vec![
            RollCall {
                on: d("2023-11-09"),
                class: "7-2".into(),
                enrolled: 42,
                present: 40,
                absent: vec![
                    absent("G001", "王小明", false),
                    absent("G002", "李小红", true)
                ],
            },
            RollCall {
                on: d("2023-11-09"),
                class: "8-1".into(),
                enrolled: 38,
                present: 38,
                absent: vec![],
            },
        ]
    );

    let again = import_roll_call_file(&store, SCHOOL, &list.text, &context(None))
        .await
        .unwrap()
        .unwrap();
    assert!(again.recorded.is_empty());
    assert_eq!(again.unchanged.len(), 2);
    assert_eq!(on_record(&store).await.len(), 2);
}

async fn a_roll_call_file_per_class_and_day_in_gbk_csv_is_recorded(backend: Backend) {
    let (_test, store) = county(backend).await;
    let file = gbk("日期,班级,应到,实到,缺勤名单\n\
         2023-11-09,7-2,42,41,G001:王小明\n\
         2023-11-10,7-2,42,40,G001:王小明；G002:李小红:请假\n\
         2023-11-10,8-1,38,38,\n");
    let list = read_list(&file, Encoding::Auto).unwrap();
    assert_eq!(list.read_as, ReadAs::Gb18030);

    let report = import_roll_call_file(&store, SCHOOL, &list.text, &context(None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.recorded.len(), 3);
    let recorded = on_record(&store).await;
    assert_eq!(
        recorded[1].absent,
        vec![
            absent("G001", "王小明", false),
            absent("G002", "李小红", true)
        ]
    );
    assert!(recorded[2].absent.is_empty());
}

async fn a_roll_call_already_recorded_otherwise_and_bad_rows_refuse_the_file_by_line_and_column(
    backend: Backend,
) {
    let (_test, store) = county(backend).await;
    // The 8-1 roll call of 9 November is on record, posted alone.
    store
        .roll_calls
        .submit(
            SCHOOL,
            RollCall {
                on: d("2023-11-09"),
                class: "8-1".into(),
                enrolled: 38,
                present: 38,
                absent: vec![],
            },
            &context(None),
        )
        .await
        .unwrap();
    let text = "date,class,enrolled,present,absent\n\
                2023-11-09,7-2,42,42,\n\
                2023-11-09,7-3,40,41,\n\
                2023-11-31,7-4,40,40,\n\
                2023-11-09,8-1,38,37,G009:赵小刚\n\
                2023-11-09,8-2,30,29,G010\n";
    let refused = import_roll_call_file(&store, SCHOOL, text, &context(None))
        .await
        .unwrap()
        .unwrap_err();
    let mut found = lines_and_columns(&refused);
    found.sort();
    assert_eq!(
        found,
        vec![
            (3, Some("present")),
            (4, Some("date")),
            (5, Some("class")),
            (6, Some("absent")),
        ]
    );
    // Each reason in both languages, from the catalogue.
    let bad_date = refused.iter().find(|r| r.row == 4).unwrap();
    assert_eq!(
        bad_date.in_lang(Lang::En).reason,
        "\"2023-11-31\" is not a date YYYY-MM-DD"
    );
    assert_eq!(
        bad_date.in_lang(Lang::Zh).reason,
        "\"2023-11-31\" 不是 YYYY-MM-DD 格式的日期"
    );
    // Nothing of the file was written: the good row of line 2 neither.
    assert_eq!(on_record(&store).await.len(), 1);
}

const LEDGER: &str = include_str!("../../../docs/examples/ledger-import.csv");

/// The example ledger's rows, as cells.
fn ledger_rows() -> Vec<Vec<String>> {
    LEDGER
        .lines()
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect()
}

async fn a_ledger_imported_from_xlsx_is_recorded_by_the_import_marked_imported_and_judged_late(
    backend: Backend,
) {
    let (_test, store) = county(backend).await;
    let rows = ledger_rows();
    let cells: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let cells: Vec<&[&str]> = cells.iter().map(Vec::as_slice).collect();
    let list = read_list(&xlsx(&cells), Encoding::Auto).unwrap();

    let report = import_ledger(
        &store,
        &list.text,
        d("2023-10-31"),
        |_| true,
        &context(None),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(report.cases_opened, 2);
    // 王小明: the opening and 7 steps; 李小红: the opening and 2 steps.
    assert_eq!(report.facts_recorded, 11);
    assert_eq!(report.recorded_by, "import:ledger/2023-10-31");

    let case_id = ledger_case_id("G211324201101015678");
    let events = case_events(&store.db, &case_id).await.unwrap();
    assert_eq!(events.len(), 8);
    for event in &events {
        assert_eq!(event.meta("actor"), Some("import:ledger/2023-10-31"));
        assert_eq!(event.meta("role"), Some("importer"));
        assert_eq!(event.meta("imported_from"), Some("ledger"));
        assert_eq!(event.meta("ledger_date"), Some("2023-10-31"));
        // Who ran the import is kept beside it.
        assert_eq!(event.meta("imported_by"), Some("u-li"));
    }
    // The school was named by its name and is kept by its id.
    let case = notoneless_store::log::fold(&events).unwrap();
    assert_eq!(case.profile().unwrap().school, SCHOOL);

    // Every imported fact was recorded on 10 November, weeks after its day: a late entry.
    let scope =
        ReviewScope::new(d("2023-10-01"), d("2023-11-10"), ReviewSettings::default()).unwrap();
    let review = run_review(&store, &scope).await.unwrap();
    let mut late: Vec<u64> = review
        .findings
        .iter()
        .filter(|f| f.case_id == case_id && f.kind == FindingKind::LateEntry)
        .flat_map(|f| f.evidence.clone())
        .collect();
    late.sort_unstable();
    assert_eq!(late, (1..=8).collect::<Vec<u64>>());
}

async fn a_ledger_imported_twice_records_once(backend: Backend) {
    let (_test, store) = county(backend).await;
    let first = import_ledger(&store, LEDGER, d("2023-10-31"), |_| true, &context(None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.facts_recorded, 11);
    let again = import_ledger(&store, LEDGER, d("2023-10-31"), |_| true, &context(None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.cases_opened, 0);
    assert_eq!(again.facts_recorded, 0);
    assert_eq!(again.cases.iter().map(|c| c.unchanged).sum::<usize>(), 11);
    let events = case_events(&store.db, &ledger_case_id("G211324201101015678"))
        .await
        .unwrap();
    assert_eq!(events.len(), 8);
}

async fn a_bad_ledger_row_refuses_the_whole_ledger_by_line_and_column(backend: Backend) {
    let (_test, store) = county(backend).await;
    // Line 9 (李小红's first row) with a wrong check character; line 5 a step after the
    // ledger's date; the other rows are good.
    let text = LEDGER
        .replace("211324201003150222", "211324201003150221")
        .replace("缺勤,2023-10-11", "缺勤,2023-11-11");
    let refused = import_ledger(&store, &text, d("2023-10-31"), |_| true, &context(None))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        lines_and_columns(&refused),
        vec![(5, Some("date")), (9, Some("id_number"))]
    );
    assert_eq!(
        refused[0].in_lang(Lang::Zh).reason,
        "2023年11月11日 晚于台账日期 2023年10月31日"
    );
    // Nothing was written, not even the first child's good rows.
    for student in ["G211324201101015678", "G211324201003150222"] {
        assert!(
            case_events(&store.db, &ledger_case_id(student))
                .await
                .unwrap()
                .is_empty()
        );
    }
    // A school the importer may not keep cases at refuses the child's first row.
    let refused = import_ledger(
        &store,
        LEDGER,
        d("2023-10-31"),
        |s| s != SCHOOL,
        &context(None),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(
        lines_and_columns(&refused),
        vec![(2, Some("school")), (9, Some("school"))]
    );
}

conformance!(
    a_roll_call_file_per_absent_child_in_xlsx_is_recorded_and_a_second_import_records_nothing,
    a_roll_call_file_per_class_and_day_in_gbk_csv_is_recorded,
    a_roll_call_already_recorded_otherwise_and_bad_rows_refuse_the_file_by_line_and_column,
    a_ledger_imported_from_xlsx_is_recorded_by_the_import_marked_imported_and_judged_late,
    a_ledger_imported_twice_records_once,
    a_bad_ledger_row_refuses_the_whole_ledger_by_line_and_column,
    a_ledger_child_who_already_has_a_case_file_is_reported_and_the_rest_imported,
);

async fn a_ledger_child_who_already_has_a_case_file_is_reported_and_the_rest_imported(
    backend: Backend,
) {
    // Given 王小明's case file opened by hand at his school
    let (_test, store) = county(backend).await;
    notoneless_store::testing::run(
        &store,
        "by-hand",
        notoneless_store::testing::open("2023-10-09"),
    )
    .await;

    // When the ledger that holds him and 李小红 is imported
    let report = import_ledger(&store, LEDGER, d("2023-10-31"), |_| true, &context(None))
        .await
        .unwrap()
        .unwrap();

    // Then his rows are reported as already having that case file, and nothing is opened
    // for him; 李小红's case is imported as ever
    assert_eq!(
        report.already_has_case,
        vec![AlreadyHasCase {
            rows: vec![2],
            case_id: "by-hand".into()
        }]
    );
    assert!(
        case_events(&store.db, &ledger_case_id("G211324201101015678"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(report.cases_opened, 1);
    // 李小红: the opening and 2 steps.
    assert_eq!(report.facts_recorded, 3);
    assert_eq!(
        report.already_has_case[0].message().text(Lang::En),
        "line 2: the child already has a case file, by-hand; no second one was opened"
    );
}
