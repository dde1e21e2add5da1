//! The OpenAPI document validates, covers every route, and the API page is served whole by
//! the binary (no asset comes from anywhere else); the docs print the permission tables as
//! the code has them, and `docs/security.md` names, for every threat, tests that exist.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use notoneless_domain::fixtures::at;
use notoneless_store::db::Backend;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_validates_as_openapi_3_and_lists_every_endpoint() {
    let app = TestApp::spawn(Backend::Sqlite, at("2023-11-08", "10:00")).await;
    let (status, document) = app.get_anonymous("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 30, "{} paths", paths.len());
    for path in [
        "/api/v1/cases/{case_id}/home-visits",
        "/api/v1/work-queue",
        "/api/v1/cases/{case_id}/as-known-at",
    ] {
        assert!(paths.contains_key(path), "{path} documented");
    }
    let file = std::env::temp_dir().join(format!("nol-openapi-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, serde_json::to_vec(&document).unwrap()).unwrap();
    let output = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator", file.to_str().unwrap()])
        .output()
        .expect("python3 runs");
    let _ = std::fs::remove_file(&file);
    assert!(
        output.status.success(),
        "openapi-spec-validator (installed by scripts/test) says: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_page_and_every_asset_it_loads_come_from_the_binary() {
    let app = TestApp::spawn(Backend::Sqlite, at("2023-11-08", "10:00")).await;
    let (status, page) = app.get_anonymous("/api/docs/").await;
    assert_eq!(status, StatusCode::OK);
    let html = page.as_str().unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external reference: {html}"
    );
    for asset in [
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-initializer.js",
    ] {
        assert!(html.contains(asset), "the page loads {asset}");
        let (status, body) = app.get_anonymous(&format!("/api/docs/{asset}")).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(
            body.as_str().is_some_and(|b| b.len() > 20),
            "{asset} has content"
        );
    }
    let (_, initializer) = app.get_anonymous("/api/docs/swagger-initializer.js").await;
    assert!(initializer.as_str().unwrap().contains("/api/openapi.json"));
}

#[test]
fn docs_api_md_prints_who_may_call_every_endpoint_as_the_api_table_has_it() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md")).unwrap();
    let table = doc
        .split("<!-- permissions:start -->")
        .nth(1)
        .unwrap()
        .split("<!-- permissions:end -->")
        .next()
        .unwrap();
    let code = notoneless_api::routes::permissions_markdown();
    assert_eq!(
        table.trim(),
        code.trim(),
        "docs/api.md's table differs from the API's; print it with routes::permissions_markdown()"
    );
}

#[test]
fn docs_security_md_names_for_every_threat_tests_that_exist() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../");
    let doc = std::fs::read_to_string(format!("{root}docs/security.md")).unwrap();
    let rows: Vec<&str> = doc.lines().filter(|l| l.starts_with("| **")).collect();
    assert!(rows.len() >= 10, "{} threats", rows.len());
    let mut named = 0;
    for row in rows {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
        assert_eq!(
            cells.len(),
            3,
            "threat | what the system does | tests: {row}"
        );
        let (threat, tests) = (cells[0], cells[2]);
        if tests.starts_with("none: ") {
            continue;
        }
        // `crates/…/file.rs`: `test_name`, `test_name`; `other/file.rs`: …
        let mut file: Option<String> = None;
        let mut in_row = 0;
        for token in tests.split('`').skip(1).step_by(2) {
            if token.ends_with(".rs") {
                let text = std::fs::read_to_string(format!("{root}{token}"))
                    .unwrap_or_else(|_| panic!("{threat}: no file {token}"));
                file = Some(text);
            } else if token
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && token.matches('_').count() >= 3
            {
                let text = file
                    .as_ref()
                    .unwrap_or_else(|| panic!("{threat}: {token} before its file"));
                assert!(
                    text.contains(&format!("fn {token}(")),
                    "{threat}: no test {token} in its file"
                );
                in_row += 1;
            }
        }
        assert!(in_row > 0, "{threat} names no test");
        named += in_row;
    }
    assert!(named >= 30, "{named} tests named");
}
