//! No child's personal data, no token, no password and no session ever reaches the logs:
//! requests that carry names, phone numbers and ID numbers (a case opened with its profile, a
//! parent contact, a roll call, both imports, the reads and downloads that show them, and
//! refusals that echo them), and passwords (a one-time password replaced at a login, a wrong
//! one, a change, a reset) and a session's cookie and CSRF token, are made with every log
//! event of every crate captured at TRACE, and none of those strings, no bearer token and no
//! password's hash appears in what was logged, not even when a stored event no longer reads
//! and the error is logged. On PostgreSQL and on SQLite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use common::*;
use notoneless_domain::fixtures::{at, d};
use notoneless_domain::{Gender, REGISTER_HEADER, ROLL_HEADER, compose_id_number};
use notoneless_store::conformance;
use notoneless_store::db::{Backend, P, Sql};
use reqwest::StatusCode;
use serde_json::json;

/// Everything logged in this process, as the server's own subscriber would print it.
fn captured() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .try_init()
            .expect("the only subscriber of this test binary");
        log
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// Strings that appear nowhere but in this test's requests.
const CHILD: &str = "隐私测试甲";
const GUARDIAN: &str = "隐私家长乙";
const PHONE: &str = "139-8765-4321";
const STUDENT_NUMBER: &str = "G219999201101015678";
const LEAVER: &str = "隐私毕业丙";
const LEAVER_PHONE: &str = "137-1111-2222";
const REGISTERED: &str = "隐私户籍丁";
const REGISTER_PHONE: &str = "13655554444";
const ABSENT: &str = "隐私缺席戊";
const IDEMPOTENCY_KEY: &str = "open-yinsi-ceshi-jia";
const GUESS: &str = "nol_a_secret_guess_that_must_not_be_logged";
const CHOSEN: &str = "隐私密码：门前一棵枣树";
const CHOSEN_AGAIN: &str = "隐私密码：门前还有一棵枣树";
const WRONG_PASSWORD: &str = "隐私错误密码甲乙丙";

conformance!(no_name_phone_id_number_or_token_reaches_the_logs_even_at_trace_level);

async fn no_name_phone_id_number_or_token_reaches_the_logs_even_at_trace_level(backend: Backend) {
    let log = captured();
    let app = TestApp::spawn(backend, at("2023-11-08", "10:00")).await;
    let id_number = compose_id_number("211324", d("2011-03-04"), 7, Gender::Male).unwrap();

    // A case opened with the child's profile and the guardian's phone, with a key.
    let mut opening = opening(SCHOOL_A, "2023-11-06");
    opening["student"]["name"] = json!(CHILD);
    opening["student"]["student_number"] = json!(STUDENT_NUMBER);
    opening["student"]["guardians"][0]["name"] = json!(GUARDIAN);
    opening["student"]["guardians"][0]["phone"] = json!(PHONE);
    let (status, opened) = app
        .post_with_key("ht", "/api/v1/cases", &opening, IDEMPOTENCY_KEY)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    let case = opened["case_id"].as_str().unwrap().to_string();
    // The same key again: replayed.
    let (status, _) = app
        .post_with_key("ht", "/api/v1/cases", &opening, IDEMPOTENCY_KEY)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut call = contact("2023-11-06");
    call["guardian"] = json!(GUARDIAN);
    call["reason_given"] = json!(format!("{GUARDIAN} says {CHILD} is ill, call {PHONE}"));
    app.ok(
        "ht",
        &format!("/api/v1/cases/{case}/absences"),
        absence("2023-11-06"),
    )
    .await;
    app.ok(
        "ht",
        &format!("/api/v1/cases/{case}/parent-contacts"),
        call.clone(),
    )
    .await;

    // Refusals that echo what was sent: a bad type, an unknown field, a domain rule.
    let mut bad = opening.clone();
    bad["student"]["grade"] = json!(format!("{CHILD} {PHONE}"));
    assert_eq!(
        app.post("ht", "/api/v1/cases", &bad).await.0,
        StatusCode::BAD_REQUEST
    );
    let mut unknown = call.clone();
    unknown[format!("{CHILD}-{PHONE}")] = json!(1);
    assert_eq!(
        app.post(
            "ht",
            &format!("/api/v1/cases/{case}/parent-contacts"),
            &unknown
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    let mut future = call.clone();
    future["on"] = json!("2030-01-01");
    let (status, _) = app
        .post(
            "ht",
            &format!("/api/v1/cases/{case}/parent-contacts"),
            &future,
        )
        .await;
    assert!(status.is_client_error(), "{status}");
    let raw =
        format!("{{\"on\": \"2023-11-06\", \"guardian\": \"{GUARDIAN}\", \"phone\": \"{PHONE}\"");
    assert_eq!(
        app.post_raw("ht", &format!("/api/v1/cases/{case}/parent-contacts"), &raw)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );

    // A roll call naming an absent child.
    let roll_call = json!({"on": "2023-11-08", "class": "7-2", "enrolled": 30, "present": 29,
        "absent": [{"student_number": STUDENT_NUMBER, "name": ABSENT, "excused": false}]});
    let (status, answer) = app
        .post(
            "ht",
            &format!("/api/v1/schools/{SCHOOL_A}/roll-calls"),
            &roll_call,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    // Both imports, with names, phones and an ID number: refused whole for one bad row each,
    // then imported without it.
    let leavers = format!(
        "student_number,name,gender,birth_date,school,class,guardian,guardian_relation,guardian_phone\n\
         G219999201201011111,{LEAVER},男,2012-01-01,{SCHOOL_A},6-1,{GUARDIAN},father,{LEAVER_PHONE}\n\
         G219999201201012222,{LEAVER},男,not-a-date,{SCHOOL_A},6-1,{GUARDIAN},father,{LEAVER_PHONE}\n"
    );
    let grade6 = json!({"on": "2023-09-01", "leavers_csv": leavers,
        "enrolments_csv": "student_number,school\n"});
    let (status, answer) = app
        .post("bo", "/api/v1/imports/grade6-watch", &grade6)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let good_leavers: String = leavers.lines().take(2).map(|l| format!("{l}\n")).collect();
    let grade6 = json!({"on": "2023-09-01", "leavers_csv": good_leavers,
        "enrolments_csv": "student_number,school\n"});
    let (status, answer) = app
        .post("bo", "/api/v1/imports/grade6-watch", &grade6)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let register = format!(
        "{}\n{id_number},{REGISTERED},男,2011-03-04,gongyingzi,{SCHOOL_A},{GUARDIAN},father,{REGISTER_PHONE},正常\n\
         {id_number}X,{REGISTERED},男,2011-03-04,gongyingzi,{SCHOOL_A},{GUARDIAN},father,{REGISTER_PHONE},bad\n",
        REGISTER_HEADER.join(",")
    );
    let registry = json!({"name": "隐私比对", "on": "2023-09-15", "register_csv": register,
        "roll_csv": ROLL_HEADER.join(",") + "\n"});
    let (status, answer) = app.post("bo", "/api/v1/imports/registry", &registry).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let good_register: String = register.lines().take(2).map(|l| format!("{l}\n")).collect();
    let registry = json!({"name": "隐私比对", "on": "2023-09-15", "register_csv": good_register,
        "roll_csv": ROLL_HEADER.join(",") + "\n"});
    let (status, answer) = app.post("bo", "/api/v1/imports/registry", &registry).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    // The reads and downloads that show all of it.
    for path in [
        format!("/api/v1/cases/{case}"),
        format!("/api/v1/cases/{case}/history"),
        format!("/api/v1/cases/{case}/as-of?day=2023-11-08"),
        format!("/api/v1/cases/{case}/as-known-at?time=2023-11-08T12:00:00Z"),
        format!("/api/v1/cases/{case}/timeline"),
        format!("/api/v1/schools/{SCHOOL_A}/roll-calls"),
        "/api/v1/exports/ledger?lang=en".to_string(),
        "/api/v1/reviews/export?from=2023-09-01&until=2023-11-30".to_string(),
        "/api/v1/registry-findings?state=all".to_string(),
    ] {
        let (status, body) = app.get("bo", &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        if path.ends_with("/history") {
            assert!(
                body.to_string().contains(CHILD),
                "the history shows the name"
            );
        }
    }
    // A wrong token, and an out-of-jurisdiction read.
    let wrong = app
        .client
        .get(format!("{}/api/v1/cases/{case}/history", app.base))
        .bearer_auth(GUESS)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("ht_b", &format!("/api/v1/cases/{case}/history"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Passwords and sessions: a new user's one-time password, a login that replaces it, a
    // wrong password, a request in the session with its CSRF token, a change of password, a
    // reset, a stale cookie.
    app.set_passwords().await;
    let (status, added) = app
        .post(
            "admin",
            "/api/v1/org/users",
            &json!({"id": "yinsi", "name": "隐私老师", "role": "head_teacher", "node": SCHOOL_A}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    let one_time = added["one_time_password"].as_str().unwrap().to_string();
    // Searches by the child's student number (ASCII: it would show as it is in a logged URI),
    // by a part of the name, and one too long, refused: the query is never logged.
    for q in [
        STUDENT_NUMBER.to_string(),
        CHILD.to_string(),
        format!("{STUDENT_NUMBER}{}", "0".repeat(50)),
    ] {
        let (status, _) = app.get("ht", &format!("/api/v1/search?q={q}")).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{status}"
        );
    }
    let session_path = format!("{}/api/v1/session", app.base);
    let logged = app
        .client
        .post(&session_path)
        .json(&json!({"user": "yinsi", "password": one_time, "new_password": CHOSEN}))
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), StatusCode::CREATED);
    let cookie = logged.headers()["set-cookie"].to_str().unwrap().to_string();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let body: serde_json::Value = logged.json().await.unwrap();
    let csrf = body["session"]["csrf_token"].as_str().unwrap().to_string();
    let wrong = app
        .client
        .post(&session_path)
        .json(&json!({"user": "ht", "password": WRONG_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let changed = app
        .client
        .post(format!("{session_path}/password"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&json!({"current_password": CHOSEN, "new_password": CHOSEN_AGAIN}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let (status, reset) = app
        .post(
            "admin",
            "/api/v1/org/users/yinsi/password-reset",
            &json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let reset = reset["one_time_password"].as_str().unwrap().to_string();
    let stale = app
        .client
        .get(&session_path)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    let hashes: Vec<String> = app
        .store
        .org
        .current()
        .org
        .passwords
        .values()
        .map(|p| p.hash.as_str().to_string())
        .collect();

    // Let the projector work through it all, logging as it goes.
    app.status("bo", &case, &json!(i64::MAX)).await;

    // A stored event that no longer reads (someone with the database's keys edited it): the
    // error is logged, and names the field, not what is in it.
    let db = &app.store.db;
    db.execute(
        Sql {
            postgres: "ALTER TABLE events DISABLE TRIGGER USER",
            sqlite: "DROP TRIGGER events_no_update",
        },
        &[],
    )
    .await
    .unwrap();
    let first = &notoneless_store::log::case_events(db, &case).await.unwrap()[0];
    let mut forged = first.payload.clone();
    forged["CaseOpened"]["student"]["grade"] = json!(format!("{CHILD} {PHONE}"));
    db.execute(
        Sql::both("UPDATE events SET payload = $1 WHERE aggregate_id = $2 AND sequence = 1"),
        &[P::Json(forged), P::text(case.as_str())],
    )
    .await
    .unwrap();
    let (status, body) = app
        .get("bo", &format!("/api/v1/cases/{case}/history"))
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");

    let text = String::from_utf8_lossy(&log.lock().unwrap()).to_string();
    // What a security officer needs is there, by ids: the refused token's source, the
    // curious user's id and the case they asked for.
    assert!(
        text.contains("an unknown bearer token was refused source=127.0.0.1"),
        "{text}"
    );
    assert!(
        text.contains("a case outside the caller's jurisdiction was asked for user=ht_b"),
        "{text}"
    );
    assert!(
        text.contains("a session cookie was refused reason=Ended"),
        "{text}"
    );
    assert!(
        text.contains("TRACE") && text.contains("DEBUG") && text.contains("request"),
        "the log was captured at every level: {} bytes",
        text.len()
    );
    let mut secrets = vec![
        CHILD.to_string(),
        GUARDIAN.to_string(),
        PHONE.to_string(),
        STUDENT_NUMBER.to_string(),
        LEAVER.to_string(),
        LEAVER_PHONE.to_string(),
        REGISTERED.to_string(),
        REGISTER_PHONE.to_string(),
        ABSENT.to_string(),
        id_number.clone(),
        IDEMPOTENCY_KEY.to_string(),
        GUESS.to_string(),
    ];
    // Every bearer token, and the digests they are stored as; every password, one-time or
    // chosen, and the hashes they are kept as; the session's secret and its CSRF token.
    for (user, _, _) in USERS {
        secrets.push(token(user));
        secrets.push(notoneless_store::org::token_sha256(&token(user)));
        secrets.push(password(user));
    }
    secrets.extend([
        one_time,
        reset,
        CHOSEN.to_string(),
        CHOSEN_AGAIN.to_string(),
        WRONG_PASSWORD.to_string(),
        cookie.trim_start_matches("nol_session=").to_string(),
        csrf,
    ]);
    secrets.extend(hashes);
    for secret in &secrets {
        if let Some(at) = text.find(secret.as_str()) {
            let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
            let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            panic!("{secret:?} was logged: {}", &text[start..end]);
        }
    }
    assert!(
        text.contains(
            "cannot be read: a value of the wrong kind or shape at CaseOpened.student.grade"
        ),
        "the decoding error is logged with the field: {text}"
    );
}
