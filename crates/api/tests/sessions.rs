//! People logging in over the API with a user name and a password, and working in the
//! session: the one-time password replaced at the first login, the cookie's attributes, the
//! CSRF token on every request that changes something, logging out, a session ending when
//! idle, a principal resetting her teachers' passwords (and no one else's), an account locked
//! by wrong passwords while its school's address is not. On PostgreSQL and on SQLite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::TimeDelta;
use common::*;
use notoneless_api::auth::Access;
use notoneless_api::security::SecurityConfig;
use notoneless_domain::fixtures::at;
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use notoneless_store::sessions::SessionPolicy;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A browser's session: the cookie it sends, and the CSRF token the page was given.
struct Browser {
    cookie: String,
    csrf: String,
    set_cookie: String,
}

async fn login(app: &TestApp, body: Value) -> Result<Browser, (StatusCode, Value)> {
    let response = app
        .client
        .post(format!("{}/api/v1/session", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let set_cookie = response
        .headers()
        .get(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string());
    let answer: Value = response.json().await.unwrap();
    if status != StatusCode::CREATED {
        return Err((status, answer));
    }
    let set_cookie = set_cookie.expect("a login sets the cookie");
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    Ok(Browser {
        cookie,
        csrf: answer["session"]["csrf_token"]
            .as_str()
            .unwrap()
            .to_string(),
        set_cookie,
    })
}

/// Sends a request in a browser's session, with its CSRF token or not.
async fn send(
    app: &TestApp,
    browser: &Browser,
    method: Method,
    path: &str,
    body: Option<&Value>,
    csrf: Option<&str>,
) -> (StatusCode, Value, Option<String>) {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header(COOKIE, &browser.cookie);
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(csrf) = csrf {
        request = request.header("X-CSRF-Token", csrf);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let set_cookie = response
        .headers()
        .get(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string());
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        set_cookie,
    )
}

conformance!(
    a_head_teacher_logs_in_with_a_password_over_the_api_and_works_in_her_session,
    every_request_that_changes_something_in_a_session_needs_its_csrf_token_first,
    the_cookie_is_secure_behind_a_declared_tls_proxy_and_a_session_ends_when_idle,
    a_principal_resets_the_passwords_of_her_schools_teachers_and_no_one_elses,
    wrong_passwords_lock_the_account_and_not_the_schools_address,
);

async fn a_head_teacher_logs_in_with_a_password_over_the_api_and_works_in_her_session(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-08", "10:00")).await;
    // The admin adds her; the answer is the only place her one-time password appears.
    let (status, added) = app
        .post(
            "admin",
            "/api/v1/org/users",
            &json!({"id": "li.ht", "name": "李老师", "role": "head_teacher", "node": SCHOOL_A}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    let one_time = added["one_time_password"].as_str().unwrap().to_string();

    // The one-time password alone does not log in; the password she chooses must pass.
    let (status, refused) = login(&app, json!({"user": "li.ht", "password": one_time}))
        .await
        .err()
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused["field"], "new_password");
    let (status, refused) = login(
        &app,
        json!({"user": "li.ht", "password": one_time, "new_password": "woaini1314"}),
    )
    .await
    .err()
    .unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        refused["message"],
        "new_password: is one of the commonest passwords, which are guessed first; choose another"
    );
    let browser = login(
        &app,
        json!({"user": "li.ht", "password": one_time, "new_password": "门前的小河静静流"}),
    )
    .await
    .unwrap();
    assert!(
        browser.cookie.starts_with("nol_session=nols_"),
        "{}",
        browser.cookie
    );
    assert_eq!(
        browser.set_cookie.split_once(';').unwrap().1,
        " Path=/; Max-Age=604800; HttpOnly; SameSite=Lax",
        "no Secure over plain HTTP"
    );
    let wrong = login(
        &app,
        json!({"user": "li.ht", "password": "not her password"}),
    )
    .await;
    assert_eq!(wrong.err().unwrap().0, StatusCode::UNAUTHORIZED);

    // Who she is, and her CSRF token, for the page.
    let (status, me, _) = send(&app, &browser, Method::GET, "/api/v1/session", None, None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["via"], "session");
    assert_eq!(me["user"]["id"], "li.ht");
    assert_eq!(me["session"]["csrf_token"], browser.csrf.as_str());

    // Opening a case: without the CSRF token (another site's form), refused, nothing written.
    let before = app.footprint().await;
    let opening = opening(SCHOOL_A, "2023-11-08");
    for csrf in [None, Some("0123"), Some("")] {
        let (status, answer, _) = send(
            &app,
            &browser,
            Method::POST,
            "/api/v1/cases",
            Some(&opening),
            csrf,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        assert!(
            answer["message"].as_str().unwrap().contains("CSRF token"),
            "{answer}"
        );
    }
    assert_eq!(app.footprint().await, before, "refused, nothing written");
    let (status, opened, _) = send(
        &app,
        &browser,
        Method::POST,
        "/api/v1/cases",
        Some(&opening),
        Some(&browser.csrf),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    let case = opened["case_id"].as_str().unwrap();
    let (status, history, _) = send(
        &app,
        &browser,
        Method::GET,
        &format!("/api/v1/cases/{case}/history"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(history[0]["recorded_by"], "li.ht", "recorded as hers");

    // The organisation's history shows her passwords set, never their hashes.
    let (_, changes) = app.get("admin", "/api/v1/org/history").await;
    let kinds: Vec<&str> = changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["event_type"].as_str().unwrap())
        .collect();
    assert!(kinds.ends_with(&["UserAdded", "OneTimePasswordSet", "PasswordChanged"]));
    assert!(
        !changes.to_string().contains("argon2"),
        "no hash in the history"
    );

    // Logging out takes the cookie away; the session no longer works.
    let (status, _, _) = send(
        &app,
        &browser,
        Method::DELETE,
        "/api/v1/session",
        None,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "logging out needs the CSRF token too"
    );
    let (status, _, cleared) = send(
        &app,
        &browser,
        Method::DELETE,
        "/api/v1/session",
        None,
        Some(&browser.csrf),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        cleared
            .unwrap()
            .starts_with("nol_session=; Path=/; Max-Age=0;")
    );
    let (status, ended, _) = send(&app, &browser, Method::GET, "/api/v1/session", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        ended["message"],
        "the session was ended (logged out, ended by an admin, or its user's password changed); log in again"
    );
    // A program with a bearer token has no session to log out of.
    let (status, _) = app.delete("ht", "/api/v1/session").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, me) = app.get("ht", "/api/v1/session").await;
    assert_eq!(
        (status, me["via"].as_str()),
        (StatusCode::OK, Some("token"))
    );
}

async fn every_request_that_changes_something_in_a_session_needs_its_csrf_token_first(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-08", "10:00")).await;
    app.set_passwords().await;
    let mut checked = 0;
    for user in ["admin", "p"] {
        let browser = login(&app, json!({"user": user, "password": password(user)}))
            .await
            .unwrap();
        for row in notoneless_api::routes::table() {
            if row.method == Method::GET || row.access == Access::Public {
                continue;
            }
            let path = row
                .path
                .replace("{case_id}", "c")
                .replace("{school}", SCHOOL_A)
                .replace("{user_id}", "ht")
                .replace("{token_id}", "t-ht")
                .replace("{day}", "2023-12-25");
            let before = app.footprint().await;
            let (status, answer, _) = send(
                &app,
                &browser,
                row.method.clone(),
                &path,
                Some(&json!({})),
                None,
            )
            .await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{} {path}: {answer}",
                row.method
            );
            assert_eq!(error_body_problem(status, &answer), None);
            assert!(
                answer["message"].as_str().unwrap().contains("CSRF"),
                "{answer}"
            );
            assert_eq!(app.footprint().await, before);
            checked += 1;
        }
    }
    println!("{checked} requests without their CSRF token refused");
}

async fn the_cookie_is_secure_behind_a_declared_tls_proxy_and_a_session_ends_when_idle(
    backend: Backend,
) {
    let config = SecurityConfig {
        secure_cookies: true,
        sessions: SessionPolicy {
            idle: TimeDelta::minutes(30),
            ..SessionPolicy::default()
        },
        ..SecurityConfig::default()
    };
    let app = TestApp::spawn_with(backend, at("2023-11-08", "10:00"), config).await;
    app.set_passwords().await;
    let browser = login(&app, json!({"user": "ht", "password": password("ht")}))
        .await
        .unwrap();
    assert!(
        browser
            .set_cookie
            .ends_with("; HttpOnly; SameSite=Lax; Secure"),
        "{}",
        browser.set_cookie
    );
    // Used within the half hour, it carries on; left half an hour, it has ended.
    app.clock.set(at("2023-11-08", "10:25"));
    let (status, _, _) = send(
        &app,
        &browser,
        Method::GET,
        "/api/v1/work-queue",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    app.clock.set(at("2023-11-08", "10:54"));
    let (status, _, _) = send(
        &app,
        &browser,
        Method::GET,
        "/api/v1/work-queue",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    app.clock.set(at("2023-11-08", "11:25"));
    let (status, answer, _) = send(
        &app,
        &browser,
        Method::GET,
        "/api/v1/work-queue",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer["message"],
        "the session ended after 30 minutes without use; log in again"
    );
}

async fn a_principal_resets_the_passwords_of_her_schools_teachers_and_no_one_elses(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-08", "10:00")).await;
    app.set_passwords().await;
    let teacher = login(&app, json!({"user": "ht", "password": password("ht")}))
        .await
        .unwrap();
    // The principal of school A resets her head teacher's password: his session ends.
    let (status, reset) = app
        .post("p", "/api/v1/org/users/ht/password-reset", &json!(null))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reset}");
    let one_time = reset["one_time_password"].as_str().unwrap();
    let (status, _, _) = send(&app, &teacher, Method::GET, "/api/v1/session", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let old = login(&app, json!({"user": "ht", "password": password("ht")})).await;
    assert_eq!(old.err().unwrap().0, StatusCode::UNAUTHORIZED);
    login(
        &app,
        json!({"user": "ht", "password": one_time, "new_password": "新学期新的开始了"}),
    )
    .await
    .unwrap();
    // And ends her leader's sessions.
    login(&app, json!({"user": "sl", "password": password("sl")}))
        .await
        .unwrap();
    let (status, ended) = app.delete("p", "/api/v1/org/users/sl/sessions").await;
    assert_eq!((status, ended["ended"].as_u64()), (StatusCode::OK, Some(1)));
    // No one else's: another school's teacher, a township officer, herself; nor may a head
    // teacher reset anyone's.
    for (caller, user) in [
        ("p", "ht_b"),
        ("p", "to"),
        ("p", "p"),
        ("ht", "sl"),
        ("bo", "ht"),
    ] {
        let (status, answer) = app
            .post(
                caller,
                &format!("/api/v1/org/users/{user}/password-reset"),
                &json!(null),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{caller} resets {user}: {answer}"
        );
    }
    // The admin resets anyone's.
    let (status, _) = app
        .post("admin", "/api/v1/org/users/p/password-reset", &json!(null))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, refused) = app
        .post(
            "admin",
            "/api/v1/org/users/nobody/password-reset",
            &json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
}

async fn wrong_passwords_lock_the_account_and_not_the_schools_address(backend: Backend) {
    let config = SecurityConfig {
        failure_limit: 100_000,
        sessions: SessionPolicy {
            lock_after: 3,
            ..SessionPolicy::default()
        },
        ..SecurityConfig::default()
    };
    let app = TestApp::spawn_with(backend, at("2023-11-08", "10:00"), config).await;
    app.set_passwords().await;
    for _ in 0..3 {
        let wrong = login(&app, json!({"user": "ht", "password": "a stale password"})).await;
        assert_eq!(wrong.err().unwrap().0, StatusCode::UNAUTHORIZED);
    }
    // His account is locked, even to the right password, and says until when.
    let response = app
        .client
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"user": "ht", "password": password("ht")}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "900");
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer["message"],
        "too many wrong passwords for this account: it is locked until 2023-11-08T02:15:00Z; an admin or your principal can reset the password"
    );
    // His colleague at the same address logs in, and his own token still works.
    login(&app, json!({"user": "sl", "password": password("sl")}))
        .await
        .unwrap();
    assert_eq!(app.get("ht", "/api/v1/work-queue").await.0, StatusCode::OK);
    // A quarter of an hour later, he is let in.
    app.clock.set(at("2023-11-08", "10:15"));
    login(&app, json!({"user": "ht", "password": password("ht")}))
        .await
        .unwrap();
}
