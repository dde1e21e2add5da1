//! `notoneless serve --demo` as a new user runs it: it migrates an empty data directory,
//! builds the demo county, becomes ready, answers, refuses an address that keeps sending
//! wrong tokens, and stops cleanly on SIGTERM.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::DemoServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_demo_data_answers_and_stops_cleanly_on_sigterm() {
    let mut server = DemoServer::start("serve", &["--auth-failure-limit", "3"], "info");
    let token = server
        .token("ht-gyz-middle")
        .expect("the demo prints the head teacher's token");
    let address = server.address.clone();

    let client = reqwest::Client::new();
    let base = format!("http://{address}");
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server comes up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Ready once the projector has caught up with the demo's few thousand events.
    let mut ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    while ready.status() != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the server becomes ready: {}",
            ready.text().await.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    }
    // The list is a read model: give the projector a moment to catch up with the seeding.
    let mut cases = serde_json::Value::Null;
    for _ in 0..300 {
        cases = client
            .get(format!("{base}/api/v1/cases"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if cases["total"] == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        cases["total"], 200,
        "the head teacher sees her school's 200 children on watch: {}",
        cases["total"]
    );
    assert!(server.dir.join("notoneless.db").exists());

    // The console: the home page sends a new visitor to the login page, in Chinese; the
    // head teacher logs in with the printed one-time password and a password of her own.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let home = browser.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()["location"], "/login");
    let login = browser.get(format!("{base}/login")).send().await.unwrap();
    assert!(login.text().await.unwrap().contains("<h1>登录</h1>"));
    let password = server
        .password("ht-gyz-middle")
        .expect("the demo prints the head teacher's one-time password");
    // (A calendar change's re-assessment of the county no longer holds SQLite's write lock
    // for seconds on end: the login is answered at once, not 503; projector.rs.)
    let logged_in = browser
        .post(format!("{base}/login"))
        .form(&[
            ("user", "ht-gyz-middle"),
            ("password", password.as_str()),
            ("new_password", "a password of her own 2023"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        logged_in.status(),
        303,
        "the login is accepted: {:?}",
        logged_in.headers()
    );
    let cookie = logged_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let today = browser
        .get(format!("{base}/"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(today.status(), 200);
    assert!(today.text().await.unwrap().contains("今日待办"));

    // Failed tokens are counted by the peer's address: the fourth from here is refused.
    for attempt in 1..=4 {
        let answer = client
            .get(format!("{base}/api/v1/cases"))
            .bearer_auth(format!("nol_wrong_guess_{attempt}"))
            .send()
            .await
            .unwrap();
        let expected = if attempt <= 3 { 401 } else { 429 };
        assert_eq!(answer.status(), expected, "attempt {attempt}");
    }

    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = server.child.wait().unwrap();
    assert!(status.success(), "exit status {status:?}");
    let logs = server.log();
    assert!(
        logs.contains("shutdown requested") && logs.contains("stopped"),
        "{logs}"
    );
    assert!(!logs.contains(&token), "no token in the logs");
    assert!(!logs.contains("nol_wrong_guess"), "nor a wrong one");
    assert!(
        logs.contains("too many failed bearer tokens from one source"),
        "{logs}"
    );
}
