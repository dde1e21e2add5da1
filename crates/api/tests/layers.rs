//! The layers every request passes through (`notoneless_api::layers`): answers are
//! compressed as the client accepts (gzip, brotli) and decode to the same bytes, the streamed
//! review and the CSV download too, a short answer and an XLSX file are sent as they are; a panicking handler
//! answers 500 with the API's error body and the panic's message only in the log; a request
//! over the time limit answers 503 with the API's error body, and an answer already being
//! sent is not cut short by the limit.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Read;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode as HttpStatus};
use axum::response::Response;
use axum::routing::get;
use common::*;
use notoneless_api::layers;
use notoneless_domain::fixtures::at;
use notoneless_store::db::Backend;
use reqwest::StatusCode;
use serde_json::Value;
use tower::ServiceExt;

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli_decompressor::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_compressed_as_the_client_accepts_and_decode_to_the_same_bytes() {
    let app = TestApp::spawn(Backend::Sqlite, at("2023-11-06", "08:30")).await;
    // A case with three days of absence and no report: the review has findings.
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
    // And more children, so that the ledger is long enough to be worth compressing.
    app.clock.set(at("2023-11-08", "11:00"));
    for n in 0..8 {
        let mut body = opening(SCHOOL_A, "2023-11-08");
        body["student"]["student_number"] = format!("G00000000000000000{n}").into();
        app.ok("ht", "/api/v1/cases", body).await;
    }
    app.clock.set(at("2023-11-10", "11:00"));
    let get = |path: &str| app.client.get(format!("{}{path}", app.base));

    for (path, content_type) in [
        // The review is written while it is sent (`streamed.rs`).
        (
            "/api/v1/reviews?from=2023-11-01&until=2023-11-30",
            "application/json",
        ),
        (&format!("/api/v1/cases/{case}/history"), "application/json"),
        ("/api/v1/exports/ledger", "text/csv; charset=utf-8"),
        ("/api/openapi.json", "application/json"),
    ] {
        let (status, headers, plain) = app.send_raw(get(path), Some("bo")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            headers.get("content-encoding").is_none(),
            "{path}: not compressed unless asked"
        );
        for (encoding, decode) in [("gzip", gunzip as fn(&[u8]) -> Vec<u8>), ("br", unbrotli)] {
            let (status, headers, compressed) = app
                .send_raw(get(path).header("accept-encoding", encoding), Some("bo"))
                .await;
            assert_eq!(status, StatusCode::OK, "{path} {encoding}");
            assert_eq!(
                headers.get("content-encoding").map(|v| v.as_bytes()),
                Some(encoding.as_bytes()),
                "{path} ({} bytes): compressed with {encoding}",
                plain.len()
            );
            assert_eq!(headers["content-type"], content_type, "{path}");
            assert!(
                headers["vary"]
                    .to_str()
                    .unwrap()
                    .contains("accept-encoding"),
                "{path}: {headers:?}"
            );
            assert!(compressed.len() < plain.len(), "{path} {encoding}");
            assert_eq!(decode(&compressed), plain, "{path}: decodes to the same");
        }
    }
    let (_, _, review) = app
        .send_raw(
            get("/api/v1/reviews?from=2023-11-01&until=2023-11-30"),
            Some("bo"),
        )
        .await;
    let review: Value = serde_json::from_slice(&review).unwrap();
    assert!(
        !review["findings"].as_array().unwrap().is_empty(),
        "the review has findings to send: {review}"
    );

    // A short answer goes as it is: compressing it would gain nothing.
    let (status, headers, short) = app
        .send_raw(
            get("/api/v1/cases/no-such-case").header("accept-encoding", "gzip, br"),
            Some("bo"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(short.len() < usize::from(layers::MIN_COMPRESSED_BYTES));
    assert!(headers.get("content-encoding").is_none(), "{headers:?}");
    let _: Value = serde_json::from_slice(&short).unwrap();

    // An XLSX file is a zip archive already: it goes as it is.
    let (status, headers, xlsx) = app
        .send_raw(
            get("/api/v1/exports/ledger?format=xlsx").header("accept-encoding", "gzip, br"),
            Some("bo"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("content-encoding").is_none(), "{headers:?}");
    assert!(xlsx.starts_with(b"PK"), "a zip archive");
}

/// Everything logged while `f` runs on this thread.
fn logged<T>(f: impl FnOnce() -> T) -> (T, String) {
    #[derive(Clone)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink(Arc::new(Mutex::new(Vec::new())));
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    (out, text)
}

const SECRET: &str = "面板测试的秘密 42";

async fn panics() -> &'static str {
    panic!("{SECRET}")
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(30)).await;
    "too late"
}

/// Ten chunks, one every 50 ms: half a second to send, once the answer has begun.
struct Trickle {
    sent: u32,
    wait: Pin<Box<tokio::time::Sleep>>,
}

impl futures_core::Stream for Trickle {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.sent == 10 {
            return Poll::Ready(None);
        }
        if self.wait.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.sent += 1;
        self.wait = Box::pin(tokio::time::sleep(Duration::from_millis(50)));
        Poll::Ready(Some(Ok(Bytes::from(format!("chunk {}\n", self.sent)))))
    }
}

async fn trickle() -> Body {
    Body::from_stream(Trickle {
        sent: 0,
        wait: Box::pin(tokio::time::sleep(Duration::ZERO)),
    })
}

/// A router of test routes with every layer, and a time limit of 200 ms.
fn test_app() -> axum::Router {
    let routes = axum::Router::new()
        .route("/panics", get(panics))
        .route("/slow", get(slow))
        .route("/trickle", get(trickle));
    layers::around(routes, Duration::from_millis(200))
}

async fn call(path: &str) -> (Response, Value) {
    let response = test_app()
        .oneshot(
            Request::get(path)
                .header("accept-language", "en")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (Response::from_parts(parts, Body::empty()), value)
}

#[test]
fn a_panicking_handler_answers_500_with_the_error_body_and_only_the_log_has_its_message() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ((response, body), log) = logged(|| runtime.block_on(call("/panics")));
    assert_eq!(response.status(), HttpStatus::INTERNAL_SERVER_ERROR);
    assert_eq!(body["error"], "internal", "{body}");
    assert_eq!(
        body["message"],
        "internal error; the details are in the server's log"
    );
    assert!(!body.to_string().contains(SECRET), "{body}");
    assert!(
        response.headers().contains_key("x-request-id"),
        "the answer went back through the other layers"
    );
    assert!(log.contains(SECRET), "the panic is logged: {log}");
}

#[tokio::test]
async fn a_request_over_the_time_limit_answers_503_with_the_error_body() {
    let started = std::time::Instant::now();
    let (response, body) = call("/slow").await;
    assert!(started.elapsed() < Duration::from_secs(5), "it was stopped");
    assert_eq!(response.status(), HttpStatus::SERVICE_UNAVAILABLE);
    assert_eq!(
        error_body_problem(StatusCode::SERVICE_UNAVAILABLE, &body),
        None,
        "{body}"
    );
    assert_eq!(
        body["message"],
        "the request took longer than 0.2 s and was stopped; try again (a write retried with \
         the same Idempotency-Key is not made twice)"
    );
    assert!(response.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn an_answer_that_takes_longer_than_the_limit_to_send_is_not_cut_short() {
    let started = std::time::Instant::now();
    let (response, body) = call("/trickle").await;
    assert!(started.elapsed() >= Duration::from_millis(450));
    assert_eq!(response.status(), HttpStatus::OK);
    let text = body.as_str().unwrap();
    assert_eq!(text.lines().count(), 10, "{text}");
    assert!(text.ends_with("chunk 10\n"), "{text}");
}
