//! Downloads over HTTP (the ledger and the review's findings, as CSV or XLSX, in Chinese or
//! English) and the review's thresholds taken from the query, on PostgreSQL and on SQLite.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use common::*;
use notoneless_domain::fixtures::at;
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use reqwest::StatusCode;
use serde_json::Value;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

struct Download {
    status: StatusCode,
    content_type: String,
    disposition: String,
    body: Vec<u8>,
}

impl Download {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The rows of the only sheet, as text (dates as YYYY-MM-DD), and the sheet's name.
    fn sheet(&self) -> (String, Vec<Vec<String>>) {
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(self.body.clone())).unwrap();
        let name = workbook.sheet_names()[0].clone();
        let rows = workbook
            .worksheet_range(&name)
            .unwrap()
            .rows()
            .map(|r| {
                r.iter()
                    .map(|cell| match cell {
                        Data::DateTime(_) => cell.as_date().unwrap().to_string(),
                        _ => cell.to_string(),
                    })
                    .collect()
            })
            .collect();
        (name, rows)
    }
}

async fn download(app: &TestApp, user: &str, path: &str) -> Download {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(token(user))
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (status, content_type, disposition) = (
        response.status(),
        header("content-type"),
        header("content-disposition"),
    );
    Download {
        status,
        content_type,
        disposition,
        body: response.bytes().await.unwrap().to_vec(),
    }
}

/// A case at school A with three days of absence, the reports never made; a case at school B.
async fn two_schools(app: &TestApp) {
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    for day in ["2023-11-06", "2023-11-07", "2023-11-08"] {
        app.clock.set(at(day, "10:00"));
        app.ok(
            "ht",
            &format!("/api/v1/cases/{case}/absences"),
            absence(day),
        )
        .await;
    }
    app.open("ht_b", SCHOOL_B, "2023-11-08").await;
    app.clock.set(at("2023-11-10", "11:00"));
}

conformance!(
    the_ledger_downloads_as_csv_or_xlsx_with_chinese_or_english_headers,
    the_ledger_shows_id_numbers_whole_to_the_bureau_and_inspectors_and_masked_to_schools,
    the_ledger_as_of_a_day_is_the_ledger_at_its_end_and_a_day_after_today_is_refused,
    the_review_findings_download_in_the_callers_jurisdiction_as_csv_or_xlsx,
    an_unknown_format_or_language_is_a_bad_request_naming_the_parameter,
    review_thresholds_come_from_the_query_and_out_of_range_ones_are_refused_by_name,
    a_review_of_more_than_a_school_year_is_a_bad_request_naming_until,
    a_late_report_and_a_report_never_made_are_different_kinds_in_the_review_download,
);

async fn a_late_report_and_a_report_never_made_are_different_kinds_in_the_review_download(
    backend: Backend,
) {
    // Given one child reported two days late while still away, and one never reported
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let mut second = opening(SCHOOL_A, "2023-11-06");
    second["student"]["student_number"] = "G211324201101019999".into();
    second["student"]["name"] = "李小红".into();
    let late = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let never = app.ok("ht", "/api/v1/cases", second).await["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    for day in [
        "2023-11-06",
        "2023-11-07",
        "2023-11-08",
        "2023-11-09",
        "2023-11-10",
    ] {
        app.clock.set(at(day, "10:00"));
        app.ok(
            "ht",
            &format!("/api/v1/cases/{late}/absences"),
            absence(day),
        )
        .await;
        if day <= "2023-11-08" {
            app.ok(
                "ht",
                &format!("/api/v1/cases/{never}/absences"),
                absence(day),
            )
            .await;
        }
    }
    let reports = format!("/api/v1/cases/{late}/reports");
    app.ok(
        "p",
        &reports,
        report("2023-11-10", "township_government", "乡报-1"),
    )
    .await;
    app.ok(
        "p",
        &reports,
        report("2023-11-10", "county_bureau", "局报-1"),
    )
    .await;
    app.clock.set(at("2023-11-20", "10:00"));

    // When the bureau downloads the review
    let query = "from=2023-11-01&until=2023-11-30";
    let (_, rows) = download(
        &app,
        "bo",
        &format!("/api/v1/reviews/export?{query}&format=xlsx"),
    )
    .await
    .sheet();

    // Then the late reports are 迟报 of the one case, the reports never made 未报告辍学 of the other
    let of_kind = |label: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r[1] == label)
            .map(|r| r[4].clone())
            .collect()
    };
    assert_eq!(
        of_kind("迟报"),
        vec![late.clone(), late.clone()],
        "{rows:?}"
    );
    assert_eq!(
        of_kind("未报告辍学"),
        vec![never.clone(), never.clone()],
        "{rows:?}"
    );
    let (_, review) = app.get("bo", &format!("/api/v1/reviews?{query}")).await;
    assert_eq!(review["schools"][0]["late_reports"], 2, "{review}");
    assert_eq!(review["schools"][0]["unreported_dropouts"], 2, "{review}");
    assert_eq!(review["townships"][0]["late_reports"], 2, "{review}");
    let csv = download(
        &app,
        "bo",
        &format!("/api/v1/reviews/export?{query}&lang=en"),
    )
    .await;
    assert_eq!(
        csv.text().matches(",Late report,").count(),
        2,
        "{}",
        csv.text()
    );
}

/// The child's ID number at school A's case.
fn id_number() -> String {
    notoneless_domain::compose_id_number(
        "211324",
        notoneless_domain::fixtures::d("2011-01-01"),
        56,
        notoneless_domain::Gender::Male,
    )
    .unwrap()
}

/// A part of an XLSX file (a zip archive of XML files), as text.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
    text
}

/// School A's case as the API records it for the ledger: with the ID number, and a home visit
/// with the measures it took.
async fn a_case_with_an_id_and_a_visit(app: &TestApp) -> String {
    let mut opening = opening(SCHOOL_A, "2023-11-06");
    opening["student"]["id_number"] = Value::String(id_number());
    // Another child than `TestApp::open`'s first (a child has one open case file).
    opening["student"]["student_number"] = "G211324201101017777".into();
    let case = app.ok("ht", "/api/v1/cases", opening).await["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    for day in ["2023-11-06", "2023-11-07", "2023-11-08"] {
        app.clock.set(at(day, "10:00"));
        app.ok(
            "ht",
            &format!("/api/v1/cases/{case}/absences"),
            absence(day),
        )
        .await;
    }
    let mut visit = visit(
        "2023-11-08",
        &["head_teacher", "responsible_leader", "principal"],
    );
    visit["measures"] = serde_json::json!(["legal_education", "persuasion_with_care"]);
    app.ok("ht", &format!("/api/v1/cases/{case}/home-visits"), visit)
        .await;
    app.open("ht_b", SCHOOL_B, "2023-11-08").await;
    app.clock.set(at("2023-11-10", "11:00"));
    case
}

async fn the_ledger_downloads_as_csv_or_xlsx_with_chinese_or_english_headers(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    two_schools(&app).await;

    let csv = download(&app, "bo", "/api/v1/exports/ledger").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    assert_eq!(
        csv.disposition,
        "attachment; filename=\"ledger-county-2023-11-10.csv\"; \
         filename*=UTF-8''kazuo-%E5%8F%B0%E8%B4%A6-%E5%85%A8%E5%8E%BF-2023-11-10.csv",
        "named for the county, the scope and the day: kazuo-台账-全县-2023-11-10.csv"
    );
    let text = csv.text();
    assert!(
        text.starts_with("\u{feff}序号,姓名,性别,身份证号,学籍号"),
        "{text}"
    );
    assert_eq!(text.matches("\r\n").count(), 3, "a header and two cases");

    let old = download(&app, "bo", "/api/v1/exports/ledger.csv").await;
    assert_eq!(
        (old.status, old.content_type.as_str(), old.text()),
        (StatusCode::OK, "text/csv; charset=utf-8", text),
        "the first address still answers the same"
    );

    let english = download(&app, "bo", "/api/v1/exports/ledger?lang=en").await;
    assert!(
        english
            .text()
            .starts_with("\u{feff}No.,Name,Sex,National ID,Student number"),
        "{}",
        english.text()
    );

    let xlsx = download(&app, "p", "/api/v1/exports/ledger?format=xlsx&lang=en").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(xlsx.content_type, XLSX);
    assert!(
        xlsx.disposition.starts_with(
            "attachment; filename=\"ledger-gyz-middle-2023-11-10.xlsx\"; \
             filename*=UTF-8''kazuo-ledger-gyz-middle-2023-11-10.xlsx"
        ),
        "{}",
        xlsx.disposition
    );
    let (sheet, rows) = xlsx.sheet();
    assert_eq!(sheet, "Ledger");
    assert_eq!(
        rows[0][0],
        "kazuo dropout control ledger (gyz-middle), as of 2023-11-10"
    );
    assert_eq!(rows[1][..4], ["No.", "Name", "Sex", "National ID"]);
    assert_eq!(rows.len(), 3, "the principal's own school only: {rows:?}");
    assert_eq!(rows[2][6], SCHOOL_A);
    assert_eq!(
        rows[2][16], "At school",
        "no absence recorded since the 8th: presumed back"
    );

    let (sheet, rows) = download(&app, "to_b", "/api/v1/exports/ledger?format=xlsx")
        .await
        .sheet();
    assert_eq!(sheet, "台账");
    assert_eq!(
        rows[0][0],
        "kazuo控辍保学工作台账（nanshao，截至2023年11月10日）"
    );
    assert_eq!(rows[1][0], "序号");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2][6], SCHOOL_B);
}

async fn the_ledger_shows_id_numbers_whole_to_the_bureau_and_inspectors_and_masked_to_schools(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let case = a_case_with_an_id_and_a_visit(&app).await;
    let id = id_number();
    let masked = format!("2113**********{}", &id[14..]);
    for (user, shown) in [
        ("bo", id.as_str()),
        ("insp", id.as_str()),
        ("ht", masked.as_str()),
        ("p", masked.as_str()),
        ("to", masked.as_str()),
    ] {
        let xlsx = download(&app, user, "/api/v1/exports/ledger?format=xlsx").await;
        assert_eq!(xlsx.status, StatusCode::OK, "{user}");
        let (_, rows) = xlsx.sheet();
        let row = rows.iter().find(|r| r[19] == case).unwrap();
        assert_eq!(row[3], shown, "{user}");
        // The steps taken, each a line with its day and who took it, in the plan's words.
        assert_eq!(
            row[13],
            "2023年11月8日 家访劝返（head_teacher person、responsible_leader person、principal person）：以法治辍、以情劝学；同意返校",
            "{user}"
        );
        // No absence recorded for the 9th: presumed back.
        assert_eq!(row[16], "在校", "{user}");
        let csv = download(&app, user, "/api/v1/exports/ledger").await.text();
        assert!(csv.contains(shown), "{user}: {csv}");
        if shown != id {
            assert!(!csv.contains(&id), "{user}: the whole number nowhere");
        }
        let sheet = part(&xlsx.body, "xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains(r#"orientation="landscape""#) && sheet.contains(r#"fitToPage="1""#),
            "{sheet}"
        );
    }
}

async fn the_ledger_as_of_a_day_is_the_ledger_at_its_end_and_a_day_after_today_is_refused(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let case = a_case_with_an_id_and_a_visit(&app).await;
    let xlsx = download(
        &app,
        "bo",
        "/api/v1/exports/ledger?format=xlsx&as_of=2023-11-07",
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(
        xlsx.disposition.contains("2023-11-07"),
        "{}",
        xlsx.disposition
    );
    let (_, rows) = xlsx.sheet();
    assert_eq!(
        rows[0][0],
        "kazuo控辍保学工作台账（全县，截至2023年11月7日）"
    );
    assert_eq!(
        rows.len(),
        3,
        "school B's case, opened on the 8th, not yet: {rows:?}"
    );
    let row = rows.iter().find(|r| r[19] == case).unwrap();
    assert_eq!(row[16], "缺课中（连续2天）");
    assert_eq!(row[13], "", "the visit of the 8th not yet");

    let refused = download(&app, "bo", "/api/v1/exports/ledger?as_of=2023-11-11").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["field"], "as_of", "{}", refused.text());
    let refused = download(&app, "bo", "/api/v1/exports/ledger?as_of=yesterday").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["field"], "as_of", "{}", refused.text());
}

async fn the_review_findings_download_in_the_callers_jurisdiction_as_csv_or_xlsx(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    two_schools(&app).await;
    let query = "from=2023-11-01&until=2023-11-30";

    let xlsx = download(
        &app,
        "bo",
        &format!("/api/v1/reviews/export?{query}&format=xlsx"),
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(xlsx.content_type, XLSX);
    assert_eq!(
        xlsx.disposition,
        "attachment; filename=\"review-county-2023-11-01-2023-11-30.xlsx\"; \
         filename*=UTF-8''kazuo-%E9%97%AE%E8%B4%A3%E6%A0%B8%E6%9F%A5-%E5%85%A8%E5%8E%BF-2023-11-01%E8%87%B32023-11-30.xlsx"
    );
    let sheet_xml = part(&xlsx.body, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains(r#"orientation="landscape""#),
        "{sheet_xml}"
    );
    let (sheet, rows) = xlsx.sheet();
    assert_eq!(sheet, "问责发现");
    assert_eq!(
        rows[0][0],
        "kazuo控辍保学问责核查发现（全县，2023年11月1日至2023年11月30日）"
    );
    let rows = rows[1..].to_vec();
    assert_eq!(
        rows[0],
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
    let unreported: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == "未报告辍学").collect();
    assert_eq!(
        unreported.len(),
        2,
        "no report to either recipient: {rows:?}"
    );
    assert_eq!(unreported[0][2..4], ["gongyingzi", SCHOOL_A]);
    assert_eq!(unreported[0][6], "王小明");
    assert_eq!(unreported[0][7], "2023-11-08");
    assert_eq!(unreported[0][11], "ht、sl、p", "the staff in those roles");

    // The same review as JSON has as many findings as the download has rows.
    let (_, review) = app.get("bo", &format!("/api/v1/reviews?{query}")).await;
    assert_eq!(
        review["findings"].as_array().unwrap().len(),
        rows.len() - 1,
        "{review}"
    );

    let csv = download(
        &app,
        "p_b",
        &format!("/api/v1/reviews/export?{query}&lang=en"),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    assert_eq!(
        csv.disposition,
        "attachment; filename=\"review-nanshao-primary-2023-11-01-2023-11-30.csv\"; \
         filename*=UTF-8''kazuo-review-nanshao-primary-2023-11-01-to-2023-11-30.csv"
    );
    let text = csv.text();
    assert!(
        text.starts_with("\u{feff}No.,Finding,Township,School,Case ID,Student number,Name,Day"),
        "{text}"
    );
    assert!(
        !text.contains(SCHOOL_A) && text.contains(SCHOOL_B),
        "another school's principal sees only his own school: {text}"
    );

    let narrowed = download(
        &app,
        "bo",
        &format!("/api/v1/reviews/export?{query}&school={SCHOOL_B}"),
    )
    .await;
    assert!(!narrowed.text().contains(SCHOOL_A));
    assert_eq!(
        download(&app, "ht", &format!("/api/v1/reviews/export?{query}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn an_unknown_format_or_language_is_a_bad_request_naming_the_parameter(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let period = "from=2023-11-01&until=2023-11-30";
    for (path, field, says) in [
        ("/api/v1/exports/ledger?format=pdf", "format", "pdf"),
        ("/api/v1/exports/ledger?lang=fr", "lang", "fr"),
        (
            &format!("/api/v1/reviews/export?{period}&format=ods"),
            "format",
            "ods",
        ),
        (
            &format!("/api/v1/reviews/export?{period}&lang=de"),
            "lang",
            "de",
        ),
        ("/api/v1/reviews/export?from=2023-11-01", "until", "until"),
        (
            &format!("/api/v1/reviews?{period}&format=xlsx"),
            "format",
            "format",
        ),
    ] {
        let answer = download(&app, "bo", path).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}");
        let body = answer.json();
        assert_eq!(body["field"], field, "{path}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(says),
            "{path}: {body}"
        );
    }
}

async fn review_thresholds_come_from_the_query_and_out_of_range_ones_are_refused_by_name(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    // The absence of the 6th is typed in on the 9th: three days later.
    app.clock.set(at("2023-11-09", "16:00"));
    app.ok(
        "ht",
        &format!("/api/v1/cases/{case}/absences"),
        absence("2023-11-06"),
    )
    .await;
    let late_entries = |review: &Value| {
        review["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "late_entry")
            .count()
    };
    let period = "/api/v1/reviews?from=2023-11-01&until=2023-11-30";
    let (status, default) = app.get("bo", period).await;
    assert_eq!(status, StatusCode::OK, "{default}");
    assert_eq!(late_entries(&default), 1, "{default}");
    let (_, lenient) = app.get("bo", &format!("{period}&late_entry_days=3")).await;
    assert_eq!(late_entries(&lenient), 0, "{lenient}");
    let (_, strict) = app.get("bo", &format!("{period}&late_entry_days=0")).await;
    assert!(late_entries(&strict) >= 1, "{strict}");

    let export = download(
        &app,
        "bo",
        "/api/v1/reviews/export?from=2023-11-01&until=2023-11-30&late_entry_days=3&lang=en",
    )
    .await;
    assert!(!export.text().contains("Late entry"), "{}", export.text());
    let export = download(
        &app,
        "bo",
        "/api/v1/reviews/export?from=2023-11-01&until=2023-11-30&lang=en",
    )
    .await;
    assert!(export.text().contains("Late entry"), "{}", export.text());

    for (query, field) in [
        ("follow_up_days=-1", "follow_up_days"),
        ("late_entry_days=366", "late_entry_days"),
        (
            "transfer_confirmation_days=1000",
            "transfer_confirmation_days",
        ),
        ("late_entry_days=two", "late_entry_days"),
    ] {
        for path in [
            format!("{period}&{query}"),
            format!("/api/v1/reviews/export?from=2023-11-01&until=2023-11-30&{query}"),
        ] {
            let (status, body) = app.get("bo", &path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert_eq!(body["field"], field, "{path}: {body}");
        }
    }
    let (_, body) = app.get("bo", &format!("{period}&follow_up_days=-1")).await;
    assert_eq!(
        body["message"],
        "follow_up_days: must be a number of days from 0 to 365, not -1"
    );
}

/// Found by schemathesis: a review of centuries ran for minutes and its download failed with
/// a 500 (more rows than a spreadsheet holds). One review covers at most 366 days.
async fn a_review_of_more_than_a_school_year_is_a_bad_request_naming_until(backend: Backend) {
    let app = TestApp::spawn(backend, at("2024-09-02", "08:30")).await;
    for endpoint in ["/api/v1/reviews", "/api/v1/reviews/export"] {
        let year = download(
            &app,
            "bo",
            &format!("{endpoint}?from=2023-09-01&until=2024-08-31"),
        )
        .await;
        assert_eq!(
            year.status,
            StatusCode::OK,
            "{endpoint}: 366 days: {}",
            year.text()
        );
        for period in [
            "from=2023-09-01&until=2024-09-01",
            "from=0419-01-24&until=2118-04-06",
        ] {
            let path = format!("{endpoint}?{period}&format=xlsx");
            let path = if endpoint.ends_with("export") {
                path
            } else {
                format!("{endpoint}?{period}")
            };
            let (status, body) = app.get("bo", &path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert_eq!(body["field"], "until", "{path}: {body}");
        }
    }
}
