//! Hostile input, one kind at a time: bodies too large or nested too deep, bytes that are not
//! UTF-8 in the body, the query string and the headers, strings that look like SQL, ids that
//! look like paths, and a CSV row of ten megabytes. Every refusal is the JSON error body
//! `{error, message, field}` and writes nothing. The tests that write run on both databases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use notoneless_api::{MAX_BODY_BYTES, MAX_IMPORT_BYTES};
use notoneless_domain::fixtures::at;
use notoneless_domain::{ENROLMENTS_HEADER, LEAVERS_HEADER};
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, HeaderValue};
use serde_json::{Value, json};

const NOW: (&str, &str) = ("2023-11-08", "10:00");

/// Insists that the answer is a refusal with this status and the error body.
fn refused(status: StatusCode, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
    if let Some(problem) = error_body_problem(status, body) {
        panic!("{problem}");
    }
}

fn leavers(rows: &[String]) -> String {
    let mut text = LEAVERS_HEADER.join(",") + "\n";
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

fn leaver(number: &str, name: &str) -> String {
    format!("{number},{name},男,2012-01-01,{SCHOOL_B},6-1,王父,father,138-0000-0001")
}

fn grade6(leavers_csv: &str) -> Value {
    json!({"on": "2023-09-01", "leavers_csv": leavers_csv,
        "enrolments_csv": ENROLMENTS_HEADER.join(",") + "\n"})
}

conformance!(
    a_body_over_its_limit_is_a_413_with_the_error_body_and_writes_nothing,
    a_nul_character_anywhere_is_a_400_naming_where_not_a_database_error,
    strings_that_look_like_sql_are_stored_and_returned_verbatim_and_the_tables_stay_whole,
    a_ten_megabyte_csv_cell_refuses_its_row_by_line_and_field_and_the_list_whole,
);

async fn a_body_over_its_limit_is_a_413_with_the_error_body_and_writes_nothing(backend: Backend) {
    // Given a case
    let app = TestApp::spawn(backend, at(NOW.0, NOW.1)).await;
    let case = app.open("p", SCHOOL_A, "2023-11-06").await;
    let before = app.footprint().await;

    // When a command's body is one byte over 64 KiB, and an import's one byte over 16 MiB
    let note = "x".repeat(MAX_BODY_BYTES);
    let (status, body) = app
        .post(
            "p",
            &format!("/api/v1/cases/{case}/absences"),
            &json!({"on": "2023-11-07", "note": note}),
        )
        .await;
    // Then each is a 413 with the error body, and nothing is written
    refused(status, &body, StatusCode::PAYLOAD_TOO_LARGE);
    let padding = " ".repeat(MAX_IMPORT_BYTES + 1 - leavers(&[]).len());
    let (status, body) = app
        .post(
            "bo",
            "/api/v1/imports/grade6-watch",
            &grade6(&(leavers(&[]) + &padding)),
        )
        .await;
    refused(status, &body, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.footprint().await, before);

    // And an import of a few MiB, above the commands' limit, is read: its line of spaces is
    // refused by its line
    let big =
        leavers(&[leaver("G211324201201011111", &"长".repeat(200))]) + &" ".repeat(4 * 1024 * 1024);
    let (status, body) = app
        .post("bo", "/api/v1/imports/grade6-watch", &grade6(&big))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["rows"][0]["row"], 3, "{body}");
    assert_eq!(body["rows"][0]["code"], "row-field-count", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_nested_brackets_are_a_400_not_a_stack_overflow() {
    // Given a case
    let app = TestApp::spawn(Backend::Sqlite, at(NOW.0, NOW.1)).await;
    let case = app.open("p", SCHOOL_A, "2023-11-06").await;
    let before = app.footprint().await;
    for nested in [
        "[".repeat(10_000),
        "{\"a\":".repeat(10_000),
        format!("{{\"on\":\"2023-11-07\",\"note\":{}", "[".repeat(10_000)),
    ] {
        for (user, path) in [
            ("p", format!("/api/v1/cases/{case}/absences")),
            ("p", "/api/v1/cases".to_string()),
            ("bo", "/api/v1/imports/registry".to_string()),
        ] {
            // When the body is nested ten thousand deep
            let (status, body) = app.post_raw(user, &path, &nested).await;
            // Then it is a 400 with the error body (the reader gives up at the first value
            // that does not fit, or at 128 levels at most)
            refused(status, &body, StatusCode::BAD_REQUEST);
        }
    }
    // And nothing is written; the server still answers
    assert_eq!(app.footprint().await, before);
    assert_eq!(app.get_anonymous("/healthz").await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_utf8_is_a_400_that_says_where() {
    // Given a case
    let app = TestApp::spawn(Backend::Sqlite, at(NOW.0, NOW.1)).await;
    let case = app.open("p", SCHOOL_A, "2023-11-06").await;
    let before = app.footprint().await;

    // When a command's body, and an import's list, hold bytes that are not UTF-8
    let mut command = b"{\"on\": \"2023-11-07\",\n \"note\": \"".to_vec();
    command.extend_from_slice(b"\xff\xfe\"}");
    let (status, body) = app
        .post_bytes("p", &format!("/api/v1/cases/{case}/absences"), command)
        .await;
    // Then each is a 400 naming the line and column of the first bad byte
    refused(status, &body, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "the body is not UTF-8: the first byte that is not is at line 2, column 11"
    );
    let mut import = format!(
        "{{\"on\": \"2023-09-01\", \"enrolments_csv\": \"student_number,school\\n\", \"leavers_csv\": \"{}\\n",
        LEAVERS_HEADER.join(",")
    )
    .into_bytes();
    import.extend_from_slice(b"G1,\xe7\x8e,\xe7\x94\xb7\"}");
    let (status, body) = app
        .post_bytes("bo", "/api/v1/imports/grade6-watch", import)
        .await;
    refused(status, &body, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("not UTF-8"),
        "{body}"
    );
    // And nothing is written
    assert_eq!(app.footprint().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_string_that_is_not_utf8_is_a_400_naming_the_parameter() {
    // Given a case
    let app = TestApp::spawn(Backend::Sqlite, at(NOW.0, NOW.1)).await;
    let case = app.open("p", SCHOOL_A, "2023-11-06").await;
    for (path, parameter) in [
        ("/api/v1/cases?school=%FF%FE".to_string(), "school"),
        (
            "/api/v1/reviews?from=2023-11-01&until=2023-11-30&township=%C3".to_string(),
            "township",
        ),
        (
            "/api/v1/registry-findings?state=%E7%8E".to_string(),
            "state",
        ),
        (
            format!("/api/v1/cases/{case}?min_position=%80"),
            "min_position",
        ),
        ("/api/v1/exports/ledger?lang=%FF".to_string(), "lang"),
    ] {
        // When a parameter's value is not UTF-8 once percent-decoded
        let (status, body) = app.get("bo", &path).await;
        // Then it is a 400 with the error body naming it
        refused(status, &body, StatusCode::BAD_REQUEST);
        assert_eq!(body["field"], parameter, "{path}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("not UTF-8"),
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_values_that_are_not_utf8_are_refused_or_left_out() {
    // Given a case
    let app = TestApp::spawn(Backend::Sqlite, at(NOW.0, NOW.1)).await;
    let case = app.open("p", SCHOOL_A, "2023-11-06").await;
    let before = app.footprint().await;
    let bad = HeaderValue::from_bytes(b"\xff\xfe-key").unwrap();
    let url = format!("{}/api/v1/cases/{case}/absences", app.base);

    // When the Idempotency-Key is not UTF-8
    let (status, _, body) = app
        .send_raw(
            app.client
                .post(&url)
                .header("idempotency-key", bad.clone())
                .json(&absence("2023-11-07")),
            Some("p"),
        )
        .await;
    // Then it is a 400 naming the header
    let body: Value = serde_json::from_slice(&body).unwrap();
    refused(status, &body, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "Idempotency-Key");

    // When the bearer token is not UTF-8
    let mut authorization = b"Bearer ".to_vec();
    authorization.extend_from_slice(token("p").as_bytes());
    authorization.push(0xff);
    let (status, _, body) = app
        .send_raw(
            app.client
                .post(&url)
                .header(
                    "authorization",
                    HeaderValue::from_bytes(&authorization).unwrap(),
                )
                .json(&absence("2023-11-07")),
            None,
        )
        .await;
    // Then it is a 401
    let body: Value = serde_json::from_slice(&body).unwrap();
    refused(status, &body, StatusCode::UNAUTHORIZED);
    assert_eq!(app.footprint().await, before, "nothing written");

    // When the request id is not UTF-8
    let (status, _, body) = app
        .send_raw(
            app.client
                .post(&url)
                .header("x-request-id", bad)
                .json(&absence("2023-11-07")),
            Some("p"),
        )
        .await;
    // Then the command is recorded under a request id of the server's own
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let events = notoneless_store::log::case_events(&app.store.db, &case)
        .await
        .unwrap();
    let request_id = events[1].meta("request_id").unwrap();
    let made_here = request_id.split('/').next().unwrap();
    assert!(uuid::Uuid::parse_str(made_here).is_ok(), "{request_id}");
}

async fn strings_that_look_like_sql_are_stored_and_returned_verbatim_and_the_tables_stay_whole(
    backend: Backend,
) {
    // Given a case opened for a child whose every text looks like SQL
    let app = TestApp::spawn(backend, at(NOW.0, NOW.1)).await;
    let drop = "'; DROP TABLE events; --";
    let or = "\" OR 1=1 --";
    let mut opening = opening(SCHOOL_A, "2023-11-06");
    opening["student"]["name"] = json!(drop);
    opening["student"]["class"] = json!(or);
    opening["student"]["head_teacher"] = json!("Robert'); DROP TABLE case_reads;--");
    opening["reason"] = json!("1; DELETE FROM events WHERE 1=1; SELECT '");
    let written = app.ok("p", "/api/v1/cases", opening.clone()).await;
    let case = written["case_id"].as_str().unwrap();
    app.ok(
        "p",
        &format!("/api/v1/cases/{case}/absences"),
        json!({"on": "2023-11-07", "note": format!("{drop}{or}")}),
    )
    .await;
    app.ok(
        "p",
        &format!("/api/v1/schools/{SCHOOL_A}/roll-calls"),
        json!({"on": "2023-11-07", "class": or, "enrolled": 30, "present": 29,
            "absent": [{"student_number": "G211324201101015678", "name": drop, "excused": false}]}),
    )
    .await;

    // When the case's history, the roll calls and a list filtered by such a string are read
    let (status, history) = app.get("p", &format!("/api/v1/cases/{case}/history")).await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let (_, roll_calls) = app
        .get("p", &format!("/api/v1/schools/{SCHOOL_A}/roll-calls"))
        .await;
    let (status, list) = app
        .get(
            "p",
            "/api/v1/cases?school=%27%3B%20DROP%20TABLE%20events%3B%20--",
        )
        .await;

    // Then every string comes back as it was sent
    assert_eq!(
        history[0]["fact"]["student"], opening["student"],
        "{history}"
    );
    assert_eq!(history[0]["fact"]["reason"], opening["reason"]);
    assert_eq!(history[1]["fact"]["note"], format!("{drop}{or}"));
    assert_eq!(roll_calls[0]["class"], or, "{roll_calls}");
    assert_eq!(roll_calls[0]["absent"][0]["name"], drop);
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 0, "no school has that name: {list}");
    // And the tables are whole: two case events, one roll call, the reads logged
    let [events, _, reads] = app.footprint().await;
    assert!(events >= 3, "{events} events");
    assert!(reads >= 1, "{reads} reads");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_that_look_like_paths_are_not_found_and_bad_path_parameters_are_a_400_naming_them() {
    // Given a case
    let app = TestApp::spawn(Backend::Sqlite, at(NOW.0, NOW.1)).await;
    let case = app.open("p", SCHOOL_A, "2023-11-06").await;
    let before = app.footprint().await;
    // When ids in the path climb out or name other files
    let roll_call = json!({"on": "2023-11-07", "class": "7-2", "enrolled": 30, "present": 30});
    for (user, path, body) in [
        (
            "p",
            "/api/v1/cases/..%2F..%2Fetc%2Fpasswd/absences".to_string(),
            absence("2023-11-07"),
        ),
        (
            "p",
            format!("/api/v1/cases/{case}%2F..%2F..%2Fother/absences"),
            absence("2023-11-07"),
        ),
        (
            "p",
            "/api/v1/cases/%2e%2e/absences".to_string(),
            absence("2023-11-07"),
        ),
        (
            "p",
            format!("/api/v1/schools/..%2F{SCHOOL_A}/roll-calls"),
            roll_call,
        ),
        (
            "admin",
            "/api/v1/org/users/..%2Fadmin/tokens".to_string(),
            json!({}),
        ),
    ] {
        let (status, body) = app.post(user, &path, &body).await;
        // Then there is nothing there (or no such user), with the error body
        assert!(
            [StatusCode::NOT_FOUND, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
            "{path}: {status} {body}"
        );
        assert_eq!(error_body_problem(status, &body), None, "{path}");
    }
    // When a path parameter is not UTF-8, or not the date it must be
    for (user, path, parameter) in [
        ("p", "/api/v1/cases/%FF%FE/history", "case_id"),
        ("bo", "/api/v1/calendar/days/not-a-day", "day"),
        ("bo", "/api/v1/calendar/days/2023-02-30", "day"),
    ] {
        let (status, body) = if path.contains("calendar") {
            app.delete(user, path).await
        } else {
            app.get(user, path).await
        };
        // Then it is a 400 with the error body
        refused(status, &body, StatusCode::BAD_REQUEST);
        assert_eq!(body["field"], parameter, "{path}: {body}");
    }
    assert_eq!(app.footprint().await, before, "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_file_names_carry_nothing_the_caller_sent() {
    // Given a case and a bureau officer
    let app = TestApp::spawn(Backend::Sqlite, at(NOW.0, NOW.1)).await;
    app.open("p", SCHOOL_A, "2023-11-06").await;
    let hostile = "..%2F..%2Fetc%2Fpasswd%22%0D%0AX-Injected%3A%201%0D%0A";
    for (path, name, utf8_name) in [
        (
            format!(
                "/api/v1/reviews/export?from=2023-11-01&until=2023-11-30&school={hostile}&township={hostile}"
            ),
            // A node the tree does not know is named as nothing but the county's.
            "review-county-2023-11-01-2023-11-30.csv",
            "kazuo-%E9%97%AE%E8%B4%A3%E6%A0%B8%E6%9F%A5-%E5%85%A8%E5%8E%BF-2023-11-01%E8%87%B32023-11-30.csv",
        ),
        (
            "/api/v1/exports/ledger?format=xlsx&lang=en".to_string(),
            "ledger-county-2023-11-08.xlsx",
            "kazuo-ledger-whole%20county-2023-11-08.xlsx",
        ),
        (
            "/api/v1/exports/ledger.csv".to_string(),
            "ledger-county-2023-11-08.csv",
            "kazuo-%E5%8F%B0%E8%B4%A6-%E5%85%A8%E5%8E%BF-2023-11-08.csv",
        ),
    ] {
        // When a download is asked for with ids that look like paths and header text
        let (status, headers, body) = app
            .send_raw(app.client.get(format!("{}{path}", app.base)), Some("bo"))
            .await;
        // Then the file's name is the server's own, and no header was injected
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        assert_eq!(
            headers[CONTENT_DISPOSITION],
            format!("attachment; filename=\"{name}\"; filename*=UTF-8''{utf8_name}").as_str()
        );
        assert!(!headers.contains_key("x-injected"));
    }
}

async fn a_ten_megabyte_csv_cell_refuses_its_row_by_line_and_field_and_the_list_whole(
    backend: Backend,
) {
    // Given a leavers' list whose third line has a name of ten megabytes, whose fourth line is
    // one cell of two, and whose fifth has a gender of three
    let app = TestApp::spawn(backend, at("2023-09-10", "10:00")).await;
    let huge = "长".repeat(10 * 1024 * 1024 / 3);
    let list = leavers(&[
        leaver("G211324201201011111", "王一"),
        leaver("G211324201201012222", &huge),
        "x".repeat(2 * 1024 * 1024),
        leaver("G211324201201014444", "赵四")
            .replace(",男,", &format!(",{},", "男".repeat(1024 * 1024))),
        leaver("G211324201201013333", "张三"),
    ]);
    let before = app.footprint().await;

    // When it is imported
    let (status, report) = app
        .post("bo", "/api/v1/imports/grade6-watch", &grade6(&list))
        .await;

    // Then the three long lines are refused by line (and field, where there is one), without
    // their content sent back, and the list is refused whole: nothing is written
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let rejected = report["rows"].as_array().unwrap();
    let named: Vec<(u64, Option<&str>)> = rejected
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str()))
        .collect();
    assert_eq!(
        named,
        vec![(3, Some("student.name")), (4, None), (5, Some("gender"))],
        "{report}"
    );
    assert!(
        report.to_string().len() < 10_000,
        "the report sends a cell back"
    );
    assert_eq!(app.footprint().await, before, "nothing written");
}

async fn a_nul_character_anywhere_is_a_400_naming_where_not_a_database_error(backend: Backend) {
    // Given a case (PostgreSQL can store no U+0000 in text or JSON)
    let app = TestApp::spawn(backend, at(NOW.0, NOW.1)).await;
    let case = app.open("p", SCHOOL_A, "2023-11-06").await;
    let before = app.footprint().await;
    let mut opening = opening(SCHOOL_A, "2023-11-06");
    opening["student"]["guardians"][0]["name"] = json!("王\u{0}建国");
    let list = leavers(&[leaver("G211324201201011111", "王\u{0}一")]);
    for (user, path, body, field, message) in [
        (
            "p",
            "/api/v1/cases".to_string(),
            opening,
            "student.guardians[0].name",
            "student.guardians[0].name: the NUL character (U+0000) is not accepted",
        ),
        (
            "p",
            format!("/api/v1/cases/{case}/absences"),
            json!({"on": "2023-11-07", "note": "\u{0}"}),
            "note",
            "note: the NUL character (U+0000) is not accepted",
        ),
        (
            "bo",
            "/api/v1/imports/grade6-watch".to_string(),
            grade6(&list),
            "leavers_csv",
            "leavers_csv: the NUL character (U+0000) is not accepted (line 2)",
        ),
    ] {
        // When a body holds one
        let (status, answer) = app.post(user, &path, &body).await;
        // Then it is a 400 naming the field (and the line of a list), not a 500
        refused(status, &answer, StatusCode::BAD_REQUEST);
        assert_eq!(
            (answer["field"].as_str(), answer["message"].as_str()),
            (Some(field), Some(message))
        );
    }
    for (path, field) in [
        ("/api/v1/cases?school=a%00b".to_string(), "school"),
        (format!("/api/v1/cases/{case}%00/history"), "case_id"),
    ] {
        // When the query string or the path holds one
        let (status, answer) = app.get("p", &path).await;
        // Then it is a 400 naming the parameter
        refused(status, &answer, StatusCode::BAD_REQUEST);
        assert_eq!(answer["field"], field, "{path}: {answer}");
    }
    // And nothing is written; a text that merely mentions "\u0000" is stored as it is
    assert_eq!(app.footprint().await, before);
    app.ok(
        "p",
        &format!("/api/v1/cases/{case}/absences"),
        json!({"on": "2023-11-07", "note": "\\u0000 is how JSON writes NUL"}),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_a_path_does_not_have_is_a_405_with_the_error_body_and_the_allow_header() {
    // Given a case
    let app = TestApp::spawn(Backend::Sqlite, at(NOW.0, NOW.1)).await;
    let case = app.open("p", SCHOOL_A, "2023-11-06").await;
    for (method, path, allowed) in [
        (
            reqwest::Method::DELETE,
            "/api/v1/cases".to_string(),
            "GET,POST",
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/cases/{case}/absences"),
            "POST",
        ),
    ] {
        // When a path is called with a method it does not have
        let (status, headers, body) = app
            .send_raw(
                app.client.request(method, format!("{}{path}", app.base)),
                Some("p"),
            )
            .await;
        // Then it is a 405 with the error body, and Allow lists the methods it has
        let body: Value = serde_json::from_slice(&body).unwrap();
        refused(status, &body, StatusCode::METHOD_NOT_ALLOWED);
        let allow = headers["allow"].to_str().unwrap().replace(' ', "");
        let mut allow: Vec<&str> = allow.split(',').filter(|m| *m != "HEAD").collect();
        allow.sort_unstable();
        assert_eq!(allow.join(","), allowed, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_unknown_or_repeated_field_is_a_400_naming_it() {
    // Given a valid opening, and what each change below does to it
    let app = TestApp::spawn(Backend::Sqlite, at(NOW.0, NOW.1)).await;
    let valid = opening(SCHOOL_A, "2023-11-06");
    let before = app.footprint().await;
    let without = |pointer: &str, key: &str| {
        let mut body = valid.clone();
        body.pointer_mut(pointer)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(key);
        body.to_string()
    };
    let with = |pointer: &str, key: &str| {
        let mut body = valid.clone();
        body.pointer_mut(pointer)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert(key.into(), json!(1));
        body.to_string()
    };
    for (body, field) in [
        (without("", "on"), "on"),
        (without("/student", "name"), "student.name"),
        (
            without("/student/guardians/0", "phone"),
            "student.guardians[0].phone",
        ),
        (with("", "bogus"), "bogus"),
        (with("/student", "bogus"), "student.bogus"),
        (
            valid
                .to_string()
                .replacen('{', "{\"on\":\"2023-11-06\",", 1),
            "on",
        ),
    ] {
        // When it is sent
        let (status, answer) = app.post_raw("p", "/api/v1/cases", &body).await;
        // Then the 400 names the field
        refused(status, &answer, StatusCode::BAD_REQUEST);
        assert_eq!(answer["field"], field, "{body}: {answer}");
    }
    assert_eq!(app.footprint().await, before, "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_too_large_to_count_to_is_an_empty_page_not_a_panic() {
    // Given a case
    let app = TestApp::spawn(Backend::Sqlite, at(NOW.0, NOW.1)).await;
    app.open("p", SCHOOL_A, "2023-11-06").await;
    for query in [
        "page=9223372036854775807",
        "page=4611686018427387904&per_page=200",
        "page=1000000",
    ] {
        // When the list is asked for a page whose first row is past what a number can hold
        // (or merely past the end)
        let (status, body) = app.get("p", &format!("/api/v1/cases?{query}")).await;
        // Then it is an empty page, as the schema allows any page from 1 (schemathesis sends
        // such pages), not an overflow
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(body["items"], json!([]), "{query}");
    }
}
