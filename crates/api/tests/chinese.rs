//! The API answers in Chinese unless the request asks for English: refusals, a rule's
//! refusal naming its field, a request that cannot be read, and says which language it
//! answered in. On SQLite (the language is chosen before any database is asked).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use notoneless_domain::fixtures::at;
use notoneless_store::db::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Sends `body` to `path` as `user`, asking for `lang` (or naming no language).
async fn post(
    app: &TestApp,
    user: &str,
    path: &str,
    body: &Value,
    lang: Option<&str>,
) -> (StatusCode, Option<String>, Value) {
    // A client of its own: the harness's asks for English.
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .bearer_auth(token(user))
        .json(body);
    if let Some(lang) = lang {
        request = request.header("accept-language", lang);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let language = response
        .headers()
        .get("content-language")
        .map(|v| v.to_str().unwrap().to_string());
    (status, language, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_teacher_who_may_not_report_upward_is_told_so_in_chinese() {
    let app = TestApp::spawn(Backend::Sqlite, at("2023-11-08", "10:00")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let path = format!("/api/v1/cases/{case}/reports");
    let body = report("2023-11-08", "township_government", "乡报-1");

    let (status, language, answer) = post(&app, "ht", &path, &body, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(language.as_deref(), Some("zh-CN"));
    assert_eq!(answer["message"], "班主任无权向上级报告");

    let (_, language, answer) = post(&app, "ht", &path, &body, Some("en-GB,en;q=0.9")).await;
    assert_eq!(language.as_deref(), Some("en"));
    assert_eq!(answer["message"], "a head teacher may not report upward");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_refusing_a_fact_names_the_field_and_says_why_in_chinese() {
    let app = TestApp::spawn(Backend::Sqlite, at("2023-11-08", "10:00")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let path = format!("/api/v1/cases/{case}/absences");

    let (status, _, answer) = post(&app, "ht", &path, &json!({"on": "2023-11-09"}), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["field"], "on");
    assert_eq!(
        answer["message"],
        "on：2023年11月9日 晚于今天（2023年11月8日）"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_cannot_be_read_is_told_what_is_missing_in_chinese() {
    let app = TestApp::spawn(Backend::Sqlite, at("2023-11-08", "10:00")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let path = format!("/api/v1/cases/{case}/absences");

    let (status, _, answer) = post(&app, "ht", &path, &json!({}), Some("zh-CN")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["field"], "on");
    assert_eq!(answer["message"], "缺少字段 `on`");
}
