//! `notoneless import`, run as a user runs it, against both backends.
#![allow(clippy::unwrap_used)] // test bodies called by `conformance!`

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Output;

use notoneless_domain::fixtures::*;
use notoneless_domain::{Node, NodeKind, OrgCommand};
use notoneless_store::db::{Backend, Sql};
use notoneless_store::testing::{FixedClock, TestDb, context, open_child, run};
use notoneless_store::{Rules, Store, conformance};

const LEAVERS_HEADER: &str =
    "student_number,name,gender,birth_date,school,class,guardian,guardian_relation,guardian_phone";

/// A county with one primary school and one junior middle school.
async fn county(backend: Backend) -> (TestDb, Store) {
    let test = TestDb::new(backend).await;
    let rules = Rules {
        calendar: calendar(),
        ladder: ladder(),
    };
    let store = Store::new(
        test.connect().await,
        rules,
        FixedClock::at(at("2023-09-10", "10:00")),
        notoneless_store::testing::test_key(),
    );
    for (id, kind, parent) in [
        ("kazuo", NodeKind::County, None),
        ("gongyingzi", NodeKind::Township, Some("kazuo")),
        ("gyz-primary", NodeKind::School, Some("gongyingzi")),
        ("gyz-middle", NodeKind::School, Some("gongyingzi")),
    ] {
        let node = Node {
            id: id.into(),
            kind,
            name: id.into(),
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

/// Writes the two lists to files.
fn lists(leavers: &[&str], enrolments: &[&str]) -> (PathBuf, PathBuf) {
    let id = uuid::Uuid::new_v4();
    let leavers_file = std::env::temp_dir().join(format!("nol-leavers-{id}.csv"));
    let enrolments_file = std::env::temp_dir().join(format!("nol-enrolments-{id}.csv"));
    let mut leavers_text = vec![LEAVERS_HEADER];
    leavers_text.extend(leavers);
    std::fs::write(&leavers_file, leavers_text.join("\n")).unwrap();
    let mut enrolments_text = vec!["student_number,school"];
    enrolments_text.extend(enrolments);
    std::fs::write(&enrolments_file, enrolments_text.join("\n")).unwrap();
    (leavers_file, enrolments_file)
}

/// The import, answering in English.
fn import(url: &str, leavers: &Path, enrolments: &Path) -> Output {
    import_in(url, leavers, enrolments, "en")
}

fn import_in(url: &str, leavers: &Path, enrolments: &Path, lang: &str) -> Output {
    notoneless(&[
        "import",
        "grade6-watch",
        "--database-url",
        url,
        "--leavers",
        leavers.to_str().unwrap(),
        "--enrolments",
        enrolments.to_str().unwrap(),
        "--on",
        "2023-09-01",
        "--lang",
        lang,
    ])
}

async fn cases_opened(store: &Store) -> i64 {
    store
        .db
        .fetch_optional(
            Sql::both(
                "SELECT COUNT(*) AS n FROM events WHERE aggregate_type = 'student_case' AND event_type = 'CaseOpened'",
            ),
            &[],
        )
        .await
        .unwrap()
        .unwrap()
        .i64("n")
        .unwrap()
}

conformance!(
    a_list_that_is_not_utf8_or_holds_a_nul_is_refused_naming_its_line_and_nothing_is_imported,
    a_registry_cross_check_reports_its_findings_and_records_nothing_the_second_time,
    importing_the_same_lists_twice_opens_the_cases_once,
    a_leaver_who_already_has_a_case_file_is_reported_and_the_others_opened,
    a_bad_row_is_reported_with_its_file_line_field_and_reason_and_nothing_is_imported,
    lists_saved_as_gbk_csv_or_as_xlsx_are_read_and_a_bad_row_is_named_by_its_line,
    a_schools_roll_calls_and_a_countys_ledger_are_imported_all_or_nothing_and_once,
);

async fn a_list_that_is_not_utf8_or_holds_a_nul_is_refused_naming_its_line_and_nothing_is_imported(
    backend: Backend,
) {
    // Given a UTF-8 leavers' list whose third line is GBK pasted in from elsewhere, and one
    // whose third line holds a NUL byte
    let (test, store) = county(backend).await;
    let good = "G211324201201011111,王一,男,2012-01-01,gyz-primary,6-1,王父,father,138-0000-0001";
    let (leavers, enrolments) = lists(&[good, good], &[]);
    let text = std::fs::read(&leavers).unwrap();
    let second = text.len() - good.len();
    for (what, bytes) in [
        (
            "is UTF-8 text up to line 3, which is not: it mixes two encodings",
            b"\xcd\xf5\xd2\xbb".to_vec(),
        ),
        ("holds a NUL character (line 3)", b"\0".to_vec()),
    ] {
        let mut list = text[..second].to_vec();
        list.extend_from_slice(&bytes);
        list.extend_from_slice(&text[second..]);
        std::fs::write(&leavers, list).unwrap();
        // When it is imported
        let out = import(&test.url, &leavers, &enrolments);
        // Then the import fails naming the file and the line, and opens nothing
        assert!(!out.status.success(), "{out:?}");
        assert!(
            stderr(&out).contains(&format!("--leavers: {} {what}", leavers.display())),
            "{}",
            stderr(&out)
        );
        assert_eq!(cases_opened(&store).await, 0);
    }
    let _ = std::fs::remove_file(leavers);
    let _ = std::fs::remove_file(enrolments);
}

async fn a_leaver_who_already_has_a_case_file_is_reported_and_the_others_opened(backend: Backend) {
    // Given 王一's case file opened by hand at his primary school
    let (test, store) = county(backend).await;
    run(
        &store,
        "by-hand",
        open_child("2023-09-04", "G211324201201011111"),
    )
    .await;
    let (leavers, enrolments) = lists(
        &[
            "G211324201201011111,王一,男,2012-01-01,gyz-primary,6-1,王父,father,138-0000-0001",
            "G211324201201013333,张三,男,2012-03-03,gyz-primary,6-1,张父,father,138-0000-0003",
        ],
        &[],
    );

    // When the grade-6 watch lists him among the leavers enrolled nowhere
    let out = import(&test.url, &leavers, &enrolments);

    // Then his row is reported with his case file, and the other leaver's case is opened
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.starts_with("opened 1 case(s)\n  line 3: case "),
        "{text}"
    );
    assert!(
        text.contains(
            "left, the child already has a case file: 1 row(s)\n  line 2: the child already has a case file, by-hand; no second one was opened\n"
        ),
        "{text}"
    );
    assert_eq!(cases_opened(&store).await, 2);
    let _ = std::fs::remove_file(leavers);
    let _ = std::fs::remove_file(enrolments);
}

async fn importing_the_same_lists_twice_opens_the_cases_once(backend: Backend) {
    let (test, store) = county(backend).await;
    let (leavers, enrolments) = lists(
        &[
            "G211324201201011111,王一,男,2012-01-01,gyz-primary,6-1,王父,father,138-0000-0001",
            "G211324201201012222,李二,女,2012-02-02,gyz-primary,6-1,李母,mother,138-0000-0002",
        ],
        &["G211324201201012222,gyz-middle"],
    );

    let first = import(&test.url, &leavers, &enrolments);
    assert!(first.status.success(), "{first:?}");
    let text = stdout(&first);
    assert!(
        text.starts_with("opened 1 case(s)\n  line 2: case "),
        "{text}"
    );
    assert!(
        text.contains("enrolled at a junior middle school: 1 leaver(s)\nrejected: 0 row(s)\n"),
        "{text}"
    );
    assert_eq!(cases_opened(&store).await, 1);

    let second = import(&test.url, &leavers, &enrolments);
    assert!(second.status.success(), "{second:?}");
    let text = stdout(&second);
    assert!(
        text.starts_with(
            "opened 0 case(s)\nunchanged (opened by an earlier import): 1 row(s)\n  line 2\n"
        ),
        "{text}"
    );
    assert_eq!(
        cases_opened(&store).await,
        1,
        "nothing opened the second time"
    );
    let _ = std::fs::remove_file(leavers);
    let _ = std::fs::remove_file(enrolments);
}

async fn a_bad_row_is_reported_with_its_file_line_field_and_reason_and_nothing_is_imported(
    backend: Backend,
) {
    let (test, store) = county(backend).await;
    let (leavers, enrolments) = lists(
        &[
            "G211324201201011111,王一,男,2012-01-01,gyz-primary,6-1,王父,father,138-0000-0001",
            "G211324201201013333,张三,男,2012-13-45,gyz-primary,6-1,张父,father,138-0000-0003",
            "G211324201201014444,赵四,女,2012-04-04,nowhere-primary,6-1,赵父,father,138-0000-0004",
        ],
        &["G211324201201019999"],
    );
    // (In Chinese, the default: each refused row by its file, line and column.)
    let out = notoneless(&[
        "import",
        "grade6-watch",
        "--database-url",
        &test.url,
        "--leavers",
        leavers.to_str().unwrap(),
        "--enrolments",
        enrolments.to_str().unwrap(),
        "--on",
        "2023-09-01",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    assert!(text.starts_with("拒收：3行；未写入任何内容\n"), "{text}");
    assert!(
        text.contains(&format!(
            "  {} 第3行，birth_date列：\"2012-13-45\" 不是 YYYY-MM-DD 格式的日期\n",
            leavers.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  {} 第4行，school列：nowhere-primary 不是您可以导入的学校\n",
            leavers.display()
        )),
        "{text}"
    );
    // The same in English.
    let out = import(&test.url, &leavers, &enrolments);
    let text = stdout(&out);
    assert!(
        text.starts_with("rejected: 3 row(s); nothing was written\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  {} line 3, birth_date: \"2012-13-45\" is not a date YYYY-MM-DD\n",
            leavers.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  {} line 4, school: nowhere-primary is not a school you may import for\n",
            leavers.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  {} line 2: expected a student number and a school\n",
            enrolments.display()
        )),
        "{text}"
    );
    assert_eq!(
        cases_opened(&store).await,
        0,
        "all or nothing: not even the good row's case"
    );

    let missing = notoneless(&[
        "import",
        "grade6-watch",
        "--database-url",
        &test.url,
        "--leavers",
        "/nonexistent/leavers.csv",
        "--enrolments",
        enrolments.to_str().unwrap(),
        "--on",
        "2023-09-01",
    ]);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("--leavers：无法读取 /nonexistent/leavers.csv"),
        "{missing:?}"
    );
    let _ = std::fs::remove_file(leavers);
    let _ = std::fs::remove_file(enrolments);
}

async fn a_registry_cross_check_reports_its_findings_and_records_nothing_the_second_time(
    backend: Backend,
) {
    let (test, store) = county(backend).await;
    let child = notoneless_domain::compose_id_number(
        "211324",
        d("2011-03-04"),
        1,
        notoneless_domain::Gender::Male,
    )
    .unwrap();
    let id = uuid::Uuid::new_v4();
    let register = std::env::temp_dir().join(format!("nol-register-{id}.csv"));
    let roll = std::env::temp_dir().join(format!("nol-roll-{id}.csv"));
    std::fs::write(
        &register,
        format!(
            "{}\n{child},王小明,男,2011-03-04,gongyingzi,gyz-middle,王父,father,13800001234,正常\nbad,row\n",
            notoneless_domain::REGISTER_HEADER.join(",")
        ),
    )
    .unwrap();
    std::fs::write(&roll, notoneless_domain::ROLL_HEADER.join(",") + "\n").unwrap();
    let run = || {
        notoneless(&[
            "import",
            "registry",
            "--database-url",
            &test.url,
            "--name",
            "2023秋季比对",
            "--register",
            register.to_str().unwrap(),
            "--roll",
            roll.to_str().unwrap(),
            "--on",
            "2023-09-08",
        ])
    };
    let events = || async {
        store
            .db
            .fetch_optional(Sql::both("SELECT COUNT(*) AS n FROM events"), &[])
            .await
            .unwrap()
            .unwrap()
            .i64("n")
            .unwrap()
    };
    // A refused row refuses the lists whole: nothing is written.
    let before = events().await;
    let refused = run();
    assert_eq!(
        refused.status.code(),
        Some(1),
        "a row was refused: {refused:?}"
    );
    assert_eq!(
        stdout(&refused),
        format!(
            "拒收：1行；未写入任何内容\n  {} 第3行：该行有2个字段，应为10个\n",
            register.display()
        )
    );
    assert_eq!(events().await, before, "nothing written");
    // Without it, the cross-check is recorded.
    std::fs::write(
        &register,
        format!(
            "{}\n{child},王小明,男,2011-03-04,gongyingzi,gyz-middle,王父,father,13800001234,正常\n",
            notoneless_domain::REGISTER_HEADER.join(",")
        ),
    )
    .unwrap();
    let first = run();
    assert!(first.status.success(), "{first:?}");
    let text = stdout(&first);
    assert!(
        text.starts_with("学籍户籍比对“2023秋季比对”（全县，2所学校）：核查儿童1名，立案1件；范围以外学校的0名儿童不作变动\n新发现：1\n  gyz-middle：适龄儿童未在任何学校学籍中，案件 "),
        "{text}"
    );
    assert!(text.ends_with("拒收：0行\n"), "{text}");
    // The answer school by school: a table with a row for each school of the scope, then
    // the totals, its columns aligned
    let table: Vec<&str> = text
        .split("分学校：\n")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .take(4)
        .collect();
    let tokens = |line: &str| line.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(
        table.iter().map(|l| tokens(l)).collect::<Vec<_>>(),
        vec![
            "乡镇 学校 学校代码 核查儿童 新发现 已解决 不在名单中 仍未解决 已说明",
            "gongyingzi gyz-middle gyz-middle 1 1 0 0 0 0",
            "gongyingzi gyz-primary gyz-primary 0 0 0 0 0 0",
            "合计 1 1 0 0 0 0",
        ],
        "{text}"
    );
    let width = |line: &str| {
        line.chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<usize>()
    };
    assert!(table.iter().all(|l| width(l) == width(table[0])), "{text}");
    let before = events().await;
    let second = stdout(&run());
    assert!(
        second.contains("新发现：0\n") && second.contains("未变（仍未解决）：1\n"),
        "{second}"
    );
    assert_eq!(events().await, before, "nothing written the second time");
    let _ = std::fs::remove_file(register);
    let _ = std::fs::remove_file(roll);
}

async fn lists_saved_as_gbk_csv_or_as_xlsx_are_read_and_a_bad_row_is_named_by_its_line(
    backend: Backend,
) {
    // Given the leavers saved by Excel as "CSV" (GBK), a row with a bad date on line 3
    let (test, store) = county(backend).await;
    let id = uuid::Uuid::new_v4();
    let leavers = std::env::temp_dir().join(format!("nol-leavers-{id}.csv"));
    let text = format!(
        "{LEAVERS_HEADER}\n\
         G211324201201011111,王一,男,2012-01-01,gyz-primary,6-1,王父,father,138-0000-0001\n\
         G211324201201013333,张三,男,2012-13-45,gyz-primary,6-1,张父,father,138-0000-0003\n\
         G211324201201014444,赵四,女,2012-04-04,gyz-primary,6-1,赵父,father,138-0000-0004\n"
    );
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    std::fs::write(&leavers, &gbk).unwrap();
    // and the enrolments as a workbook: row 2 empty, row 3 the fourth leaver (his number
    // typed as text), row 4 a student number and no school
    let enrolments = std::env::temp_dir().join(format!("nol-enrolments-{id}.xlsx"));
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "student_number").unwrap();
    sheet.write_string(0, 1, "school").unwrap();
    sheet.write_string(2, 0, "G211324201201014444").unwrap();
    sheet.write_string(2, 1, "gyz-middle").unwrap();
    sheet.write_string(3, 0, "G211324201201019999").unwrap();
    workbook.save(&enrolments).unwrap();

    // When they are imported
    let out = import(&test.url, &leavers, &enrolments);

    // Then each bad row is named by its file's line or row and its column, and nothing is
    // written
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.starts_with("rejected: 2 row(s); nothing was written\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  {} line 3, birth_date: \"2012-13-45\" is not a date YYYY-MM-DD\n",
            leavers.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  {} line 4: expected a student number and a school\n",
            enrolments.display()
        )),
        "{text}"
    );
    assert_eq!(cases_opened(&store).await, 0);

    // And once the bad rows are mended, the good leaver's case is opened with his name as
    // written and the enrolled one is found
    let mended = format!(
        "{LEAVERS_HEADER}\n\
         G211324201201011111,王一,男,2012-01-01,gyz-primary,6-1,王父,father,138-0000-0001\n\
         G211324201201014444,赵四,女,2012-04-04,gyz-primary,6-1,赵父,father,138-0000-0004\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&mended);
    std::fs::write(&leavers, &gbk).unwrap();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "student_number").unwrap();
    sheet.write_string(0, 1, "school").unwrap();
    sheet.write_string(2, 0, "G211324201201014444").unwrap();
    sheet.write_string(2, 1, "gyz-middle").unwrap();
    workbook.save(&enrolments).unwrap();
    let out = import(&test.url, &leavers, &enrolments);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.starts_with("opened 1 case(s)\n  line 2: case "),
        "{text}"
    );
    assert!(
        text.contains("enrolled at a junior middle school: 1 leaver(s)\nrejected: 0 row(s)\n"),
        "{text}"
    );
    assert_eq!(cases_opened(&store).await, 1);
    let opened = store
        .db
        .fetch_optional(
            Sql::both("SELECT payload FROM events WHERE event_type = 'CaseOpened'"),
            &[],
        )
        .await
        .unwrap()
        .unwrap()
        .json("payload")
        .unwrap();
    assert_eq!(opened["CaseOpened"]["student"]["name"], "王一");
    assert_eq!(
        opened["CaseOpened"]["student"]["guardians"][0]["name"],
        "王父"
    );

    // Named as UTF-8, the GBK file is refused by its first line that is not, before anything
    // is written
    let forced = notoneless(&[
        "import",
        "grade6-watch",
        "--database-url",
        &test.url,
        "--encoding",
        "utf-8",
        "--leavers",
        leavers.to_str().unwrap(),
        "--enrolments",
        enrolments.to_str().unwrap(),
        "--on",
        "2023-09-01",
    ]);
    assert!(!forced.status.success());
    assert!(
        stderr(&forced).contains(&format!(
            "--leavers：{} 不是 UTF-8 或 GBK/GB18030 文本（第 2 行）",
            leavers.display()
        )),
        "{}",
        stderr(&forced)
    );
    assert_eq!(cases_opened(&store).await, 1);
    let _ = std::fs::remove_file(leavers);
    let _ = std::fs::remove_file(enrolments);
}

async fn a_schools_roll_calls_and_a_countys_ledger_are_imported_all_or_nothing_and_once(
    backend: Backend,
) {
    // Given a school's roll calls as a workbook, one row per absent child
    let (test, store) = county(backend).await;
    let id = uuid::Uuid::new_v4();
    let roll_calls = std::env::temp_dir().join(format!("nol-roll-calls-{id}.xlsx"));
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows = [
        ["日期", "班级", "应到", "实到", "学籍号", "姓名", "请假"],
        ["2023-09-08", "7-1", "40", "39", "G001", "王小明", ""],
        ["2023-09-08", "7-2", "38", "38", "", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    workbook.save(&roll_calls).unwrap();
    let import_roll_calls = || {
        notoneless(&[
            "import",
            "roll-calls",
            "--database-url",
            &test.url,
            "--school",
            "gyz-middle",
            roll_calls.to_str().unwrap(),
        ])
    };
    // When it is imported twice, Then it is recorded once, said in Chinese (the default)
    let out = import_roll_calls();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        stdout(&out),
        "已在gyz-middle记录点名2次\n  2023年9月8日 7-1班：第2行\n  2023年9月8日 7-2班：第3行\n未变（已有记录）：点名0次\n",
        "{out:?}"
    );
    let out = import_roll_calls();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stdout(&out).contains("未变（已有记录）：点名2次"),
        "{out:?}"
    );

    // Given a ledger saved as GBK CSV whose line 3 gives a day that does not exist
    let ledger = std::env::temp_dir().join(format!("nol-ledger-{id}.csv"));
    let good = "姓名,学籍号,身份证号,学校,年级,班级,班主任,监护人,与学生关系,监护人电话,措施,日期,经办人,经办人身份,结果,文号,备注\n\
                王小明,G211324201101015678,211324201101010119,gyz-middle,7,7-1,李老师,王建国,父亲,13800001234,缺勤,2023-09-04,李老师,班主任,,,\n\
                ,,,,,,,,,,电话联系,2023-09-04,李老师,班主任,已联系上,,\n";
    let bad = good.replace("电话联系,2023-09-04", "电话联系,2023-09-31");
    let write = |text: &str| {
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable);
        std::fs::write(&ledger, &gbk).unwrap();
    };
    let import_ledger = |lang: &str| {
        notoneless(&[
            "import",
            "ledger",
            "--database-url",
            &test.url,
            "--ledger-date",
            "2023-09-08",
            "--lang",
            lang,
            ledger.to_str().unwrap(),
        ])
    };
    write(&bad);
    // When it is imported, Then the row is refused by line and column, and nothing written
    let out = import_ledger("en");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        stdout(&out),
        format!(
            "rejected: 1 row(s); nothing was written\n  {} line 3, date: \"2023-09-31\" is not a date YYYY-MM-DD\n",
            ledger.display()
        )
    );
    assert_eq!(cases_opened(&store).await, 0);
    // and in Chinese, the line and column too (the CLI's frame comes from the catalogue)
    let out = import_ledger("zh");
    assert!(
        stdout(&out).contains("第3行，date列：\"2023-09-31\" 不是 YYYY-MM-DD 格式的日期"),
        "{out:?}"
    );

    // When the good ledger is imported twice, Then its facts are recorded once
    write(good);
    let out = import_ledger("zh");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stdout(&out)
            .starts_with("2023年9月8日的台账：立案1件，由 import:ledger/2023-09-08 记录事实3条\n"),
        "{out:?}"
    );
    let out = import_ledger("en");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stdout(&out).starts_with(
            "ledger of 2023-09-08: 0 case(s) opened, 0 fact(s) recorded by import:ledger/2023-09-08\n"
        ),
        "{out:?}"
    );
    assert_eq!(cases_opened(&store).await, 1);
    let _ = std::fs::remove_file(&roll_calls);
    let _ = std::fs::remove_file(&ledger);
}
