//! `notoneless serve --demo` as a new user runs it: it migrates an empty data directory,
//! builds the demo county, becomes ready, answers, refuses an address that keeps sending
//! wrong tokens, and stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_demo_data_answers_and_stops_cleanly_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("nol-serve-{}", uuid::Uuid::new_v4()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_notoneless"))
        .args([
            "serve",
            "--demo",
            "--data-dir",
            dir.to_str().unwrap(),
            "--listen",
            &address,
            "--auth-failure-limit",
            "3",
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the log as it is written, as a terminal would: a pipe nobody reads fills up (64
    // KiB), and then the server blocks on its next log line. (sqlx warns of a slow statement
    // with its whole text, which for a projector batch is tens of kilobytes.)
    let mut stderr = child.stderr.take().unwrap();
    let log_reader = std::thread::spawn(move || {
        let mut logs = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut logs);
        logs
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok);
    let mut token = None;
    for line in lines.by_ref() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() == Some(&"ht-gyz-middle") {
            token = words.last().map(|t| t.to_string());
        }
        if line.starts_with("demo ready") {
            break;
        }
    }
    let token = token.expect("the demo prints the head teacher's token");
    // Keep reading what the server prints, as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));

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
    assert!(dir.join("notoneless.db").exists());

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
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status:?}");
    let logs = log_reader.join().unwrap();
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
    let _ = std::fs::remove_dir_all(dir);
}
