//! `notoneless review` and `notoneless export`, run as a user runs them, against both
//! backends: JSON, CSV and XLSX, Chinese and English, to standard output or to a file, and the
//! review's thresholds.
#![allow(clippy::unwrap_used)] // test bodies called by `conformance!`

mod common;

use common::*;
use std::io::Cursor;
use std::path::PathBuf;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use notoneless_domain::fixtures::*;
use notoneless_store::db::Backend;
use notoneless_store::testing::{FixedClock, TestDb, record_a_county_week};
use notoneless_store::{Rules, Store, conformance};

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("nol-{}-{name}", uuid::Uuid::new_v4()))
}

/// The rows of the only sheet of a workbook, as text, and the sheet's name.
fn sheet(bytes: Vec<u8>) -> (String, Vec<Vec<String>>) {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let name = workbook.sheet_names()[0].clone();
    let rows = workbook
        .worksheet_range(&name)
        .unwrap()
        .rows()
        .map(|r| r.iter().map(Data::to_string).collect())
        .collect();
    (name, rows)
}

async fn county(backend: Backend) -> TestDb {
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
    record_a_county_week(&store, &clock).await;
    test
}

conformance!(
    review_prints_json_or_a_table_of_findings_in_chinese_or_english,
    review_takes_its_thresholds_from_flags_and_names_a_bad_one,
    export_writes_the_ledger_as_csv_or_xlsx_in_chinese_or_english,
);

async fn review_prints_json_or_a_table_of_findings_in_chinese_or_english(backend: Backend) {
    let test = county(backend).await;
    let review = |extra: &[&str]| {
        let mut args = vec![
            "review",
            "--database-url",
            &test.url,
            "--from",
            "2023-11-01",
            "--until",
            "2023-11-30",
        ];
        args.extend(extra);
        notoneless(&args)
    };
    let json_out = review(&[]);
    assert!(json_out.status.success(), "{json_out:?}");
    let json: serde_json::Value = serde_json::from_slice(&json_out.stdout).unwrap();
    let late: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["case_id"] == "case-late" && f["kind"] == "unreported_dropout")
        .collect();
    assert_eq!(late.len(), 2, "one report late, one never made: {json}");

    let csv = stdout(&review(&["--format", "csv"]));
    assert!(
        csv.starts_with("\u{feff}序号,类型,乡镇,学校,案件编号,学籍号,姓名,日期,说明"),
        "{csv}"
    );
    // No tree is declared: no township, the school by its id.
    assert!(
        csv.split("\r\n").any(
            |l| l.split_once(',').is_some_and(|(_, rest)| rest.starts_with(
                "未报告辍学,,kazuo-gyz-middle,case-late,G211324201101015678,王小明,2023-11-08,"
            ))
        ),
        "{csv}"
    );

    let file = temp_file("review.csv");
    let out = review(&[
        "--format",
        "csv",
        "--lang",
        "en",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let findings = json["findings"].as_array().unwrap().len();
    assert_eq!(
        stdout(&out).trim(),
        format!("{findings} findings written to {}", file.display())
    );
    let csv = std::fs::read_to_string(&file).unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        csv.starts_with("\u{feff}No.,Finding,Township,School,Case ID,Student number,Name,Day"),
        "{csv}"
    );
    assert_eq!(
        csv.split("\r\n")
            .filter(|l| l.contains(",Unreported dropout,,kazuo-gyz-middle,case-late,"))
            .count(),
        2,
        "{csv}"
    );

    let refused = review(&["--format", "xlsx"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("错误：--output：xlsx工作簿只能写入文件"),
        "{}",
        stderr(&refused)
    );

    let file = temp_file("review.xlsx");
    let out = review(&["--format", "xlsx", "--output", file.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let (name, rows) = sheet(std::fs::read(&file).unwrap());
    let _ = std::fs::remove_file(&file);
    assert_eq!(name, "问责发现");
    assert!(rows[0][0].contains("控辍保学问责核查发现（全县，2023年11月1日至2023年11月30日）"));
    assert_eq!(rows[1][..5], ["序号", "类型", "乡镇", "学校", "案件编号"]);
    assert_eq!(
        rows.len(),
        findings + 2,
        "the title, the header, the findings"
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r[1] == "未报告辍学" && r[4] == "case-late")
            .count(),
        2
    );

    let bad = review(&["--lang", "fr", "--format", "csv"]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("--lang") && stderr(&bad).contains("\"fr\" is not one of zh, en"),
        "{}",
        stderr(&bad)
    );
}

async fn review_takes_its_thresholds_from_flags_and_names_a_bad_one(backend: Backend) {
    let test = county(backend).await;
    let late_entries = |extra: &[&str]| {
        let mut args = vec![
            "review",
            "--database-url",
            &test.url,
            "--from",
            "2023-11-01",
            "--until",
            "2023-11-30",
        ];
        args.extend(extra);
        let out = notoneless(&args);
        assert!(out.status.success(), "{out:?}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "late_entry")
            .count()
    };
    assert!(
        late_entries(&[]) > 0,
        "the facts of the 6th were typed in on the 10th"
    );
    assert_eq!(late_entries(&["--late-entry-days", "4"]), 0);

    for (flag, value, says) in [
        (
            "--late-entry-days",
            "-1",
            "--late-entry-days: must be a number of days from 0 to 365, not -1",
        ),
        (
            "--follow-up-days",
            "400",
            "--follow-up-days: must be a number of days from 0 to 365, not 400",
        ),
        (
            "--transfer-confirmation-days",
            "366",
            "--transfer-confirmation-days: must be a number of days from 0 to 365, not 366",
        ),
    ] {
        let out = notoneless(&[
            "review",
            "--database-url",
            &test.url,
            "--from",
            "2023-11-01",
            "--until",
            "2023-11-30",
            flag,
            value,
        ]);
        assert!(!out.status.success(), "{flag} {value}");
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
}

#[test]
fn review_names_a_period_that_is_not_one_by_its_flags() {
    for (from, until, says) in [
        // Given a period that ends before it begins, and one of more than a school year
        (
            "2023-11-30",
            "2023-11-01",
            "--until: 2023-11-01 is before --from 2023-11-30",
        ),
        (
            "2023-09-01",
            "2024-09-01",
            "--until: a review covers at most 366 days from --from",
        ),
    ] {
        // When a review of it is asked for (refused before the database is opened)
        let out = notoneless(&[
            "review",
            "--database-url",
            "sqlite:///nonexistent/notoneless.db",
            "--from",
            from,
            "--until",
            until,
        ]);
        // Then it is refused, naming the flags
        assert!(!out.status.success(), "{from}..{until}");
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
}

async fn export_writes_the_ledger_as_csv_or_xlsx_in_chinese_or_english(backend: Backend) {
    let test = county(backend).await;
    let export = |extra: &[&str]| {
        let mut args = vec!["export", "--database-url", &test.url];
        args.extend(extra);
        notoneless(&args)
    };

    let file = temp_file("ledger.csv");
    let out = export(&["--output", file.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout(&out).trim(),
        format!("3个案件的台账已写入 {}", file.display())
    );
    let csv = std::fs::read_to_string(&file).unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        csv.starts_with("\u{feff}序号,姓名,性别,身份证号,学籍号,乡镇,学校,年级,班级,监护人"),
        "{csv}"
    );
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 4, "a header and three cases: {csv}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("1,王小明,男,,G211324201101035678,,kazuo-gyz-middle,7,7-2,")),
        "{csv}"
    );

    let file = temp_file("ledger.xlsx");
    let out = export(&[
        "--format",
        "xlsx",
        "--lang",
        "en",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let (name, rows) = sheet(std::fs::read(&file).unwrap());
    let _ = std::fs::remove_file(&file);
    assert_eq!(name, "Ledger");
    assert!(rows[0][0].contains("dropout control ledger (whole county), as of "));
    assert_eq!(rows[1][..4], ["No.", "Name", "Sex", "National ID"]);
    assert_eq!(rows.len(), 5, "the title, the header, three cases");
    let back = rows.iter().find(|r| r[19] == "case-back").unwrap();
    assert_eq!((back[2].as_str(), back[16].as_str()), ("Male", "At school"));

    // As of a day: the title says which.
    let file = temp_file("ledger-as-of.xlsx");
    let out = export(&[
        "--format",
        "xlsx",
        "--as-of",
        "2023-11-07",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let (_, rows) = sheet(std::fs::read(&file).unwrap());
    let _ = std::fs::remove_file(&file);
    assert!(
        rows[0][0].ends_with("（全县，截至2023年11月7日）"),
        "{rows:?}"
    );
    assert_eq!(
        rows.len(),
        4,
        "case-gone, opened on the 8th, not yet: {rows:?}"
    );

    // Every file written names the children: each case is in the access log, read from the
    // command line.
    let store = Store::new(
        test.connect().await,
        Rules {
            calendar: calendar(),
            ladder: ladder(),
        },
        FixedClock::at(at("2023-11-10", "17:00")),
        notoneless_store::testing::test_key(),
    );
    let (reads, total) = store.access.reads_of("case-back", 10, 0).await.unwrap();
    assert!(total >= 1, "{reads:?}");
    assert!(
        reads
            .iter()
            .all(|r| r.kind == "ledger_export" && r.actor.starts_with("cli:")),
        "{reads:?}"
    );

    let bad = export(&["--format", "pdf", "--output", "never-written.pdf"]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("--format")
            && stderr(&bad).contains("\"pdf\" is not one of csv, xlsx"),
        "{}",
        stderr(&bad)
    );
    assert!(!std::path::Path::new("never-written.pdf").exists());
}
