//! The access log over HTTP: every read of a child's case file (status, history, replays,
//! timeline, a download's rows) is recorded with who, when, how and the request; inspectors
//! and bureau officers list who read a child's file; and a read whose entry cannot be
//! written fails rather than show the file unrecorded. On PostgreSQL and on SQLite.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use notoneless_domain::fixtures::at;
use notoneless_store::conformance;
use notoneless_store::db::{Backend, Sql};
use reqwest::StatusCode;
use serde_json::Value;

/// Every read of one case the API has, and the kind it is recorded as, with a request for
/// it. A new read of a case without a row here fails the test below.
const CASE_READS: [(&str, &str, &str); 6] = [
    ("/api/v1/cases/{case_id}", "", "status"),
    ("/api/v1/cases/{case_id}/history", "", "history"),
    ("/api/v1/cases/{case_id}/as-of", "?day=2023-11-07", "as_of"),
    (
        "/api/v1/cases/{case_id}/as-known-at",
        "?time=2023-11-08T12:00:00Z",
        "as_known_at",
    ),
    ("/api/v1/cases/{case_id}/timeline", "", "timeline"),
    ("/api/v1/cases/{case_id}/proof", "?checkpoint=1", "proof"),
];

/// The GET routes of one case in the OpenAPI document, but the access log's own.
fn case_read_routes() -> Vec<String> {
    let document = serde_json::to_value(notoneless_api::openapi::document()).unwrap();
    let mut routes: Vec<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, item)| {
            (*path == "/api/v1/cases/{case_id}" || path.starts_with("/api/v1/cases/{case_id}/"))
                && item.get("get").is_some()
        })
        .map(|(path, _)| path.clone())
        .filter(|path| path != "/api/v1/cases/{case_id}/reads")
        .collect();
    routes.sort();
    routes
}

async fn reads(app: &TestApp, user: &str, case: &str) -> Value {
    let (status, page) = app
        .get(user, &format!("/api/v1/cases/{case}/reads?per_page=200"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

async fn events_of(app: &TestApp, case: &str) -> usize {
    let events = notoneless_store::log::case_events(&app.store.db, case)
        .await
        .unwrap();
    events.len()
}

conformance!(
    every_read_of_a_case_is_in_its_access_log_with_who_when_how_and_the_request,
    every_case_a_download_shows_is_in_its_access_log,
    only_inspectors_and_bureau_officers_list_who_read_a_file_within_their_jurisdiction,
    a_read_fails_with_503_and_shows_nothing_when_the_access_log_cannot_be_written,
);

async fn every_read_of_a_case_is_in_its_access_log_with_who_when_how_and_the_request(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-08", "10:00")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    app.ok(
        "ht",
        &format!("/api/v1/cases/{case}/absences"),
        absence("2023-11-07"),
    )
    .await;
    let events = events_of(&app, &case).await;
    // A signed checkpoint, for the case's inclusion proof.
    notoneless_store::checkpoints::write_checkpoint(
        &app.store.db,
        &app.store.signer,
        app.clock.as_ref(),
    )
    .await
    .unwrap();

    let mut listed: Vec<String> = CASE_READS.iter().map(|(r, _, _)| r.to_string()).collect();
    listed.sort();
    assert_eq!(
        case_read_routes(),
        listed,
        "every read of one case has a row in CASE_READS"
    );

    for (n, (route, query, kind)) in CASE_READS.iter().enumerate() {
        app.clock.set(at("2023-11-08", &format!("11:{n:02}")));
        let path = route.replace("{case_id}", &case) + query;
        let answer = app
            .client
            .get(format!("{}{path}", app.base))
            .bearer_auth(token("p"))
            .header("x-request-id", format!("read-{kind}"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        assert_eq!(
            answer.headers()["x-request-id"],
            format!("read-{kind}").as_str()
        );
        let page = reads(&app, "insp", &case).await;
        assert_eq!(page["total"], n + 1, "{path}: {page}");
        let newest = &page["items"][0];
        assert_eq!(newest["kind"], *kind, "{path}");
        assert_eq!(newest["user"], "p");
        assert_eq!(newest["role"], "principal");
        assert_eq!(newest["jurisdiction"], SCHOOL_A);
        assert_eq!(newest["request_id"], format!("read-{kind}"));
        let read_at = at("2023-11-08", &format!("11:{n:02}"));
        assert_eq!(
            newest["read_at"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap(),
            read_at,
            "when, by the server's clock"
        );
    }
    let page = reads(&app, "insp", &case).await;
    let details: Vec<&Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["detail"])
        .collect();
    assert!(details.contains(&&Value::from("day=2023-11-07")), "{page}");
    assert!(
        details.contains(&&Value::from("time=2023-11-08T12:00:00+00:00")),
        "{page}"
    );
    assert!(details.contains(&&Value::from("checkpoint=1")), "{page}");

    // A read the caller is refused is no read; listing the reads is none either.
    assert_eq!(
        app.get("ht_b", &format!("/api/v1/cases/{case}/history"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(reads(&app, "bo", &case).await["total"], CASE_READS.len());
    // Reading a case leaves its stream as it was.
    assert_eq!(events_of(&app, &case).await, events);

    // Paged, the newest first.
    let (_, second) = app
        .get(
            "insp",
            &format!("/api/v1/cases/{case}/reads?per_page=2&page=2"),
        )
        .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 2);
    assert_eq!(second["items"][0]["kind"], "as_known_at");
    for (query, field) in [
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("pages=2", "pages"),
    ] {
        let (status, body) = app
            .get("insp", &format!("/api/v1/cases/{case}/reads?{query}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body["field"], field, "{body}");
    }
}

async fn every_case_a_download_shows_is_in_its_access_log(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let a = app.open("ht", SCHOOL_A, "2023-11-06").await;
    for day in ["2023-11-06", "2023-11-07", "2023-11-08"] {
        app.clock.set(at(day, "10:00"));
        app.ok("ht", &format!("/api/v1/cases/{a}/absences"), absence(day))
            .await;
    }
    let b = app.open("ht_b", SCHOOL_B, "2023-11-08").await;
    app.clock.set(at("2023-11-10", "11:00"));

    // The head teacher's ledger shows her school's case only.
    for path in [
        "/api/v1/exports/ledger?format=xlsx",
        "/api/v1/exports/ledger.csv",
    ] {
        assert_eq!(app.get("ht", path).await.0, StatusCode::OK, "{path}");
    }
    let of_a = reads(&app, "insp", &a).await;
    assert_eq!(of_a["total"], 2, "{of_a}");
    assert!(
        of_a["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["kind"] == "ledger_export" && r["user"] == "ht")
    );
    assert_eq!(reads(&app, "insp", &b).await["total"], 0);

    // The bureau's shows both; an admin's shows none.
    assert_eq!(
        app.get("bo", "/api/v1/exports/ledger").await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.get("admin", "/api/v1/exports/ledger").await.0,
        StatusCode::OK
    );
    assert_eq!(reads(&app, "insp", &a).await["total"], 3);
    let of_b = reads(&app, "insp", &b).await;
    assert_eq!(of_b["total"], 1);
    assert_eq!(of_b["items"][0]["user"], "bo");

    // The review's download names the children with findings: those are recorded.
    let (status, _) = app
        .get(
            "p",
            "/api/v1/reviews/export?from=2023-11-01&until=2023-11-30",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let newest = &reads(&app, "insp", &a).await["items"][0];
    assert_eq!(
        (&newest["kind"], &newest["user"]),
        (&Value::from("review_export"), &Value::from("p"))
    );
    assert_eq!(
        reads(&app, "insp", &b).await["total"],
        1,
        "not in the principal's review"
    );
    // The review's answer names the children with findings too: a read of each.
    let (status, _) = app
        .get("p", "/api/v1/reviews?from=2023-11-01&until=2023-11-30")
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = reads(&app, "insp", &a).await;
    assert_eq!(page["total"], 5);
    assert_eq!(
        (&page["items"][0]["kind"], &page["items"][0]["user"]),
        (&Value::from("review"), &Value::from("p"))
    );
    assert_eq!(
        reads(&app, "insp", &b).await["total"],
        1,
        "not in the principal's review"
    );
}

async fn only_inspectors_and_bureau_officers_list_who_read_a_file_within_their_jurisdiction(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-08", "10:00")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-08").await;
    for (user, _, _) in USERS {
        let (status, body) = app.get(user, &format!("/api/v1/cases/{case}/reads")).await;
        let expected = if ["insp", "bo"].contains(&user) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, expected, "{user}: {body}");
    }
    assert_eq!(
        app.get("insp", "/api/v1/cases/no-such-case/reads").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_anonymous(&format!("/api/v1/cases/{case}/reads"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

async fn a_read_fails_with_503_and_shows_nothing_when_the_access_log_cannot_be_written(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-08", "10:00")).await;
    // Three days away and no call: the review's download names the child.
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    for day in ["2023-11-06", "2023-11-07", "2023-11-08"] {
        app.ok(
            "ht",
            &format!("/api/v1/cases/{case}/absences"),
            absence(day),
        )
        .await;
    }
    let db = &app.store.db;
    // The access log refuses every new entry, as a full disk or a broken table would.
    db.execute(
        Sql {
            postgres: "CREATE FUNCTION refuse_reads() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'the access log is broken'; END; $$",
            sqlite: "SELECT 1",
        },
        &[],
    )
    .await
    .unwrap();
    db.execute(
        Sql {
            postgres: "CREATE TRIGGER refuse_reads BEFORE INSERT ON case_reads
                FOR EACH ROW EXECUTE FUNCTION refuse_reads()",
            sqlite: "CREATE TRIGGER refuse_reads BEFORE INSERT ON case_reads
                BEGIN SELECT RAISE(ABORT, 'the access log is broken'); END",
        },
        &[],
    )
    .await
    .unwrap();
    for path in [
        format!("/api/v1/cases/{case}"),
        format!("/api/v1/cases/{case}/history"),
        format!("/api/v1/cases/{case}/as-of?day=2023-11-08"),
        format!("/api/v1/cases/{case}/as-known-at?time=2023-11-08T12:00:00Z"),
        format!("/api/v1/cases/{case}/timeline"),
        "/api/v1/exports/ledger".to_string(),
        "/api/v1/exports/ledger.csv".to_string(),
        "/api/v1/reviews/export?from=2023-11-01&until=2023-11-30".to_string(),
    ] {
        let (status, body) = app.get("p", &path).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
        assert_eq!(body["error"], "unavailable", "{path}");
        let text = body.to_string();
        assert!(
            !text.contains("王小明") && !text.contains(&case),
            "{path} shows nothing of the case: {text}"
        );
    }
    db.execute(
        Sql {
            postgres: "DROP TRIGGER refuse_reads ON case_reads",
            sqlite: "DROP TRIGGER refuse_reads",
        },
        &[],
    )
    .await
    .unwrap();
    let (status, _) = app.get("p", &format!("/api/v1/cases/{case}")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "and once it can, the read is served"
    );
    assert_eq!(reads(&app, "insp", &case).await["total"], 1);
}
