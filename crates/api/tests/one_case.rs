//! One open case file per child over HTTP (issue 15 point 4, ADR 0013), on PostgreSQL and on
//! SQLite: a second opening is a 409 that names the open case to whoever sees it and only its
//! school and whom to ask to anyone else; a retry with its Idempotency-Key answers as before;
//! a reopening while another file is open is a 409 too.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use notoneless_domain::fixtures::at;
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use reqwest::StatusCode;
use serde_json::json;

conformance!(
    a_second_opening_is_refused_409_naming_the_case_only_to_whom_may_see_it,
    a_retry_of_an_opening_with_its_key_still_answers_201_with_the_first_case,
    a_reopening_while_the_child_has_another_open_case_is_refused_409,
    a_transfer_within_the_county_continues_the_case_and_the_absence_streak_at_the_new_school,
);

async fn a_transfer_within_the_county_continues_the_case_and_the_absence_streak_at_the_new_school(
    backend: Backend,
) {
    // Given 王小明 absent on Monday at school A
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let path = |segment: &str| format!("/api/v1/cases/{case}/{segment}");
    app.ok("ht", &path("absences"), absence("2023-11-06")).await;

    // When he transfers to school B on Tuesday, and school B's enrolment is confirmed
    app.clock.set(at("2023-11-07", "09:00"));
    app.ok(
        "p",
        &path("transfers"),
        json!({"on": "2023-11-07", "destination_school": SCHOOL_B}),
    )
    .await;
    app.ok(
        "p",
        &path("transfer-confirmations"),
        json!({"on": "2023-11-07", "receiving_school": SCHOOL_B, "confirmed_by": "马老师"}),
    )
    .await;

    // Then school B keeps the same case file: its head teacher records his absences on it
    app.ok("ht_b", &path("absences"), absence("2023-11-07"))
        .await;
    app.clock.set(at("2023-11-08", "09:00"));
    let last = app
        .ok("ht_b", &path("absences"), absence("2023-11-08"))
        .await;
    // and school A no longer sees it
    let (status, _) = app
        .post("ht", &path("absences"), &absence("2023-11-08"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // And the streak runs across the transfer: day 3 reached on one ladder
    let (status, as_of) = app
        .get(
            "ht_b",
            &format!("/api/v1/cases/{case}/as-of?day=2023-11-08"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{as_of}");
    let episodes = as_of["assessment"]["episodes"].as_array().unwrap();
    assert_eq!(episodes.len(), 1, "{as_of}");
    assert_eq!(episodes[0]["days"].as_array().unwrap().len(), 3, "{as_of}");
    assert_eq!(as_of["assessment"]["stage"], "escalated");
    let now = app.status("ht_b", &case, &last["global_position"]).await;
    assert_eq!(now["school"], SCHOOL_B, "{now}");

    // And a new case opened for him at school B is refused, naming the one it keeps
    let (status, body) = app
        .post("ht_b", "/api/v1/cases", &opening(SCHOOL_B, "2023-11-08"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains(&case), "{body}");
}

async fn a_second_opening_is_refused_409_naming_the_case_only_to_whom_may_see_it(backend: Backend) {
    // Given 王小明's case file open at school A
    let app = TestApp::spawn(backend, at("2023-11-08", "08:30")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;

    // When school A's head teacher opens another for him
    let (status, body) = app
        .post("ht", "/api/v1/cases", &opening(SCHOOL_A, "2023-11-08"))
        .await;
    // Then it is a conflict that names the open case
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"], "conflict");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(&case), "{message}");

    // When school B's head teacher, who may not see school A's cases, opens one at school B
    let (status, body) = app
        .post("ht_b", "/api/v1/cases", &opening(SCHOOL_B, "2023-11-08"))
        .await;
    // Then it is a conflict that names the school and whom to ask, never the case
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(!message.contains(&case), "{message}");
    assert!(message.contains(SCHOOL_A), "{message}");
    assert!(message.contains("gongyingzi"), "{message}");

    // And the township officer over school A, who sees it, is told the case
    let (status, body) = app
        .post("to", "/api/v1/cases", &opening(SCHOOL_A, "2023-11-08"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains(&case), "{body}");
}

async fn a_retry_of_an_opening_with_its_key_still_answers_201_with_the_first_case(
    backend: Backend,
) {
    // Given an opening sent with an Idempotency-Key
    let app = TestApp::spawn(backend, at("2023-11-08", "08:30")).await;
    let body = opening(SCHOOL_A, "2023-11-06");
    let (status, first) = app
        .post_with_key("ht", "/api/v1/cases", &body, "open-wang")
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");

    // When it is sent again with the same key
    let (status, again) = app
        .post_with_key("ht", "/api/v1/cases", &body, "open-wang")
        .await;

    // Then the first answer comes back, not a conflict
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["case_id"], first["case_id"]);
    assert_eq!(again["replayed"], true);

    // And the same opening under another key is the second case file it would be
    let (status, other) = app
        .post_with_key("ht", "/api/v1/cases", &body, "open-wang-2")
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{other}");
}

async fn a_reopening_while_the_child_has_another_open_case_is_refused_409(backend: Backend) {
    // Given 王小明's first case file closed, and a second one opened after it
    let app = TestApp::spawn(backend, at("2023-11-08", "08:30")).await;
    let first = app.open("ht", SCHOOL_A, "2023-11-06").await;
    app.ok(
        "p",
        &format!("/api/v1/cases/{first}/closure"),
        json!({"on": "2023-11-07", "reason": "resolved"}),
    )
    .await;
    let answer = app
        .ok("ht", "/api/v1/cases", opening(SCHOOL_A, "2023-11-08"))
        .await;
    let second = answer["case_id"].as_str().unwrap().to_string();

    // When the first is reopened
    let (status, body) = app
        .post(
            "p",
            &format!("/api/v1/cases/{first}/reopening"),
            &json!({"on": "2023-11-08", "reason": "absent again"}),
        )
        .await;

    // Then it is a conflict naming the second
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains(&second),
        "{body}"
    );
}
