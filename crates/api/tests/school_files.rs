//! Files uploaded as schools and counties keep them, on both databases: a school's roll calls
//! from XLSX and from GBK CSV, a county's ledger, every refused row answered by line and
//! column in the request's language with nothing written, the same file twice recorded once.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use notoneless_domain::fixtures::at;
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use reqwest::StatusCode;
use serde_json::Value;

fn roll_call_xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows: [[&str; 5]; 3] = [
        ["日期", "班级", "应到", "实到", "缺勤名单"],
        ["2023-10-09", "7-1", "", "", "G001:王小明"],
        ["2023-10-09", "7-2", "", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    // The counts as numbers, as Excel keeps them.
    for (r, (enrolled, present)) in [(40.0, 39.0), (38.0, 38.0)].iter().enumerate() {
        sheet.write_number(r as u32 + 1, 2, *enrolled).unwrap();
        sheet.write_number(r as u32 + 1, 3, *present).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

async fn upload(
    app: &TestApp,
    user: &str,
    path: &str,
    body: Vec<u8>,
    lang: &str,
) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token(user))
        .header("content-type", "application/octet-stream")
        .header("accept-language", lang)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn a_head_teacher_uploads_her_schools_roll_calls_as_xlsx_and_again_without_effect(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-10-10", "09:00")).await;
    let path = format!("/api/v1/schools/{SCHOOL_A}/roll-calls/import");
    let (status, report) = upload(&app, "ht", &path, roll_call_xlsx(), "zh").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["shape"], "per_class_day");
    assert_eq!(report["recorded"].as_array().unwrap().len(), 2);

    let (status, again) = upload(&app, "ht", &path, roll_call_xlsx(), "zh").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["recorded"].as_array().unwrap().len(), 0);
    assert_eq!(again["unchanged"].as_array().unwrap().len(), 2);
    let (_, listed) = app
        .get("ht", &format!("/api/v1/schools/{SCHOOL_A}/roll-calls"))
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["absent"][0]["name"], "王小明");

    // Another school's head teacher does not see this school.
    let (status, _) = upload(&app, "ht_b", &path, roll_call_xlsx(), "zh").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_bad_gbk_roll_call_file_is_refused_by_line_and_column_in_the_requests_language(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-10-10", "09:00")).await;
    let path = format!("/api/v1/schools/{SCHOOL_A}/roll-calls/import?encoding=gbk");
    let text = "日期,班级,应到,实到,学籍号,姓名,请假\n\
                2023-10-09,7-1,40,39,G001,王小明,\n\
                2023-10-09,7-2,38,三十八,,,\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    let before = app.footprint().await;
    let (status, body) = upload(&app, "ht", &path, bytes.to_vec(), "en").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"], "rejected");
    assert_eq!(body["message"], "1 row was refused; nothing was written");
    assert_eq!(body["rows"][0]["row"], 3);
    assert_eq!(body["rows"][0]["field"], "present");
    assert_eq!(
        body["rows"][0]["reason"],
        "\"三十八\" is not a whole number"
    );
    let (_, body) = upload(&app, "ht", &path, bytes.to_vec(), "zh-CN").await;
    assert_eq!(body["rows"][0]["reason"], "\"三十八\" 不是整数");
    assert_eq!(app.footprint().await, before);

    // Bytes that are no list at all are refused whole, naming the body.
    let (status, body) = upload(&app, "ht", &path, b"PK\x03\x04 no workbook".to_vec(), "en").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "body");
    assert_eq!(app.footprint().await, before);
}

fn ledger() -> String {
    format!(
        "name,student_number,id_number,school,grade,class,head_teacher,guardian,guardian_relation,guardian_phone,step,date,by,by_role,outcome,reference,note\n\
         王小明,G211324201101015678,211324201101010119,{SCHOOL_A},7,7-1,李老师,王建国,父亲,13800001234,absence,2023-10-09,李老师,head_teacher,,,\n\
         ,,,,,,,,,,call,2023-10-09,李老师,head_teacher,reached,,\n"
    )
}

async fn the_bureau_imports_a_ledger_whose_facts_show_as_imported_in_the_history(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-10", "09:00")).await;
    let path = "/api/v1/imports/ledger?ledger_date=2023-10-31";
    let (status, _) = upload(&app, "ht", path, ledger().into_bytes(), "zh").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = upload(
        &app,
        "bo",
        "/api/v1/imports/ledger?ledger_date=2023-11-11",
        ledger().into_bytes(),
        "en",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "ledger_date");

    let (status, report) = upload(&app, "bo", path, ledger().into_bytes(), "zh").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["cases_opened"], 1);
    assert_eq!(report["facts_recorded"], 3);
    let case_id = report["cases"][0]["case_id"].as_str().unwrap().to_string();
    let (status, history) = app
        .get("bo", &format!("/api/v1/cases/{case_id}/history"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let entries = history.as_array().or(history["events"].as_array()).unwrap();
    assert_eq!(entries.len(), 3);
    for entry in entries {
        assert_eq!(entry["recorded_by"], "import:ledger/2023-10-31");
        assert_eq!(entry["role"], "importer");
        assert_eq!(entry["imported_from_ledger"], "2023-10-31");
    }

    let (status, again) = upload(&app, "bo", path, ledger().into_bytes(), "zh").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["facts_recorded"], 0);
}

async fn the_grade6_watchs_lists_may_be_sent_as_files_an_xlsx_and_a_gbk_csv(backend: Backend) {
    use base64::Engine;
    let app = TestApp::spawn(backend, at("2023-09-10", "09:00")).await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows = [
        notoneless_domain::LEAVERS_HEADER.to_vec(),
        vec![
            "G211324201201011111",
            "王一",
            "男",
            "2012-01-01",
            SCHOOL_B,
            "6-1",
            "王父",
            "father",
            "13800000001",
        ],
        vec![
            "G211324201201012222",
            "李二",
            "女",
            "2012-02-02",
            SCHOOL_B,
            "6-1",
            "李母",
            "mother",
            "13800000002",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    let leavers = workbook.save_to_buffer().unwrap();
    let (enrolments, _, _) =
        encoding_rs::GBK.encode("student_number,school\nG211324201201012222,公营子中学\n");
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let (status, report) = app
        .post(
            "bo",
            "/api/v1/imports/grade6-watch",
            &serde_json::json!({
                "on": "2023-09-01",
                "leavers_csv": {"base64": b64(&leavers)},
                "enrolments_csv": {"base64": b64(&enrolments), "encoding": "gbk"},
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["opened"].as_array().unwrap().len(), 1);
    assert_eq!(report["opened"][0][0], 2);
    assert_eq!(report["enrolled"], 1);

    // A file that is not base64 is refused naming its field, and nothing is written.
    let before = app.footprint().await;
    let (status, body) = app
        .post(
            "bo",
            "/api/v1/imports/grade6-watch",
            &serde_json::json!({
                "on": "2023-09-01",
                "leavers_csv": {"base64": "not base64!"},
                "enrolments_csv": "student_number,school\n",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "leavers_csv");
    assert_eq!(
        body["message"],
        "leavers_csv: is not a file in base64: give the list as CSV text, or as an object with \"base64\" (and \"encoding\")"
    );
    assert_eq!(app.footprint().await, before);
}

async fn a_gbk_grade6_list_with_a_bad_row_is_refused_whole_in_chinese_and_writes_nothing(
    backend: Backend,
) {
    use base64::Engine;
    // Given a leavers' list saved as GBK whose second leaver's birth date is no date, and
    // whose first leaver is enrolled nowhere
    let app = TestApp::spawn(backend, at("2023-09-10", "09:00")).await;
    let text = format!(
        "{}\n\
         G211324201201011111,王一,男,2012-01-01,{SCHOOL_B},6-1,王父,父亲,13800000001\n\
         G211324201201012222,李二,女,二〇一二年,{SCHOOL_B},6-1,李母,母亲,13800000002\n",
        notoneless_domain::LEAVERS_HEADER.join(",")
    );
    let (leavers, _, _) = encoding_rs::GBK.encode(&text);
    let body = serde_json::json!({
        "on": "2023-09-01",
        "leavers_csv": {"base64": base64::engine::general_purpose::STANDARD.encode(&leavers)},
        "enrolments_csv": "student_number,school\n",
    });
    let before = app.footprint().await;

    // When the bureau imports it, in Chinese and in English
    let import = |lang: &'static str| {
        app.send(
            app.client
                .post(format!("{}/api/v1/imports/grade6-watch", app.base))
                .header(reqwest::header::ACCEPT_LANGUAGE, lang)
                .json(&body),
            Some("bo"),
        )
    };
    let (status, zh) = import("zh-CN").await;
    let (_, en) = import("en").await;

    // Then the import is refused whole, naming the list, the line, the column and why in the
    // request's language, and nothing is written: not even the first leaver's case
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{zh}");
    assert_eq!(
        zh["rows"],
        serde_json::json!([{"row": 3, "list": "leavers_csv", "field": "birth_date",
            "code": "row-bad-date", "reason": "\"二〇一二年\" 不是 YYYY-MM-DD 格式的日期"}])
    );
    assert_eq!(
        en["rows"][0]["reason"],
        "\"二〇一二年\" is not a date YYYY-MM-DD"
    );
    assert_eq!(app.footprint().await, before);
}

conformance!(
    a_gbk_grade6_list_with_a_bad_row_is_refused_whole_in_chinese_and_writes_nothing,
    the_grade6_watchs_lists_may_be_sent_as_files_an_xlsx_and_a_gbk_csv,
    a_head_teacher_uploads_her_schools_roll_calls_as_xlsx_and_again_without_effect,
    a_bad_gbk_roll_call_file_is_refused_by_line_and_column_in_the_requests_language,
    the_bureau_imports_a_ledger_whose_facts_show_as_imported_in_the_history,
);
