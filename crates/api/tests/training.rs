//! A training server: a past term played through the API as it happened, on a clock an admin
//! moves forward; and never on a database that holds real data. On PostgreSQL and SQLite.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use notoneless_api::application::{Application, ApplicationError, Config, Running};
use notoneless_api::security::SecurityConfig;
use notoneless_domain::fixtures::{at, calendar, ladder};
use notoneless_domain::{Node, NodeKind, OrgCommand, User, UserRole};
use notoneless_store::clock::{TrainingError, training_mark};
use notoneless_store::conformance;
use notoneless_store::db::{Backend, Sql};
use notoneless_store::org::token_sha256;
use notoneless_store::testing::{TestDb, context};
use notoneless_store::{Clock, Rules, SystemClock, TrainingClock};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SCHOOL: &str = "gyz-middle";

fn config(db: &TestDb, clock: Arc<dyn Clock>) -> Config {
    Config {
        database_url: db.url.clone(),
        rules: Rules {
            calendar: calendar(),
            ladder: ladder(),
        },
        clock,
        security: SecurityConfig::default(),
        listen: "127.0.0.1:0".parse().unwrap(),
        connect_attempts: 1,
        signing_key: notoneless_store::testing::test_key(),
    }
}

/// A county with one school, its head teacher `ht` and an admin, each with a token.
async fn organisation(application: &Application) {
    let org = &application.store().org;
    for (id, kind, parent) in [
        ("kazuo", NodeKind::County, None),
        ("gongyingzi", NodeKind::Township, Some("kazuo")),
        (SCHOOL, NodeKind::School, Some("gongyingzi")),
    ] {
        let node = Node {
            id: id.into(),
            kind,
            name: id.into(),
            parent: parent.map(str::to_string),
        };
        org.execute(OrgCommand::AddNode(node), &context(None))
            .await
            .unwrap();
    }
    for (id, role, node) in [
        ("admin", UserRole::Admin, "kazuo"),
        ("ht", UserRole::HeadTeacher, SCHOOL),
    ] {
        let user = User {
            id: id.into(),
            name: id.into(),
            role,
            node: node.into(),
        };
        org.execute(OrgCommand::AddUser(user), &context(None))
            .await
            .unwrap();
        let token = OrgCommand::IssueToken {
            token_id: format!("t-{id}"),
            user: id.into(),
            token_sha256: token_sha256(&format!("nol_training_{id}")),
            expires_at: None,
        };
        org.execute(token, &context(None)).await.unwrap();
    }
}

async fn send(
    running: &Running,
    method: reqwest::Method,
    user: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("http://{}{path}", running.address))
        .bearer_auth(format!("nol_training_{user}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn recorded_at(running: &Running) -> Vec<DateTime<Utc>> {
    running
        .store
        .db
        .fetch_all(
            Sql::both(
                "SELECT recorded_at FROM events WHERE aggregate_type = 'student_case' ORDER BY global_position",
            ),
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.ts("recorded_at").unwrap())
        .collect()
}

conformance!(
    a_past_week_is_played_through_the_api_on_a_training_clock_an_admin_moves_forward,
    a_training_clock_is_refused_on_a_database_that_holds_real_data,
    the_database_refuses_to_mark_a_log_with_events_or_to_unmark_one,
);

async fn a_past_week_is_played_through_the_api_on_a_training_clock_an_admin_moves_forward(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    let monday = at("2023-11-06", "08:30");
    let clock = Arc::new(TrainingClock::frozen_at(monday));
    let application = Application::build(config(&db, clock)).await.unwrap();
    organisation(&application).await;
    let running = application.spawn().unwrap();
    assert!(training_mark(&running.store.db).await.unwrap().is_some());

    let (status, now) = send(&running, reqwest::Method::GET, "ht", "/api/v1/clock", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&now["today"], &now["training"], &now["frozen"]),
        (&json!("2023-11-06"), &json!(true), &json!(true))
    );

    // Monday: the case is opened and the first absence recorded.
    let opening = json!({"on": "2023-11-06", "reason": "absent", "student": {
        "student_number": "G211324201101015678", "name": "王小明", "gender": "male",
        "birth_date": "2011-01-01", "school": SCHOOL, "grade": 7, "class": "7-2",
        "head_teacher": "李老师", "guardians": [{"name": "王建国", "relation": "father", "phone": "138-0000-1234"}]}});
    let (status, opened) = send(
        &running,
        reqwest::Method::POST,
        "ht",
        "/api/v1/cases",
        Some(opening),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    let case = opened["case_id"].as_str().unwrap().to_string();
    let absences = format!("/api/v1/cases/{case}/absences");
    let (status, _) = send(
        &running,
        reqwest::Method::POST,
        "ht",
        &absences,
        Some(json!({"on": "2023-11-06"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Tuesday's absence cannot be recorded on Monday: the server's today is the clock's.
    let (status, refused) = send(
        &running,
        reqwest::Method::POST,
        "ht",
        &absences,
        Some(json!({"on": "2023-11-07"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    // Only an admin moves the clock, and only forward.
    let tuesday = json!({"now": "2023-11-07T08:30:00+08:00"});
    let (status, _) = send(
        &running,
        reqwest::Method::PUT,
        "ht",
        "/api/v1/clock",
        Some(tuesday.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, moved) = send(
        &running,
        reqwest::Method::PUT,
        "admin",
        "/api/v1/clock",
        Some(tuesday),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["today"], json!("2023-11-07"));
    let (status, back) = send(
        &running,
        reqwest::Method::PUT,
        "admin",
        "/api/v1/clock",
        Some(json!({"now": "2023-11-06T09:00:00+08:00"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{back}");
    assert_eq!(back["field"], json!("now"));

    // Tuesday: the second absence, recorded on Tuesday.
    let (status, _) = send(
        &running,
        reqwest::Method::POST,
        "ht",
        &absences,
        Some(json!({"on": "2023-11-07"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        recorded_at(&running).await,
        vec![monday, monday, at("2023-11-07", "08:30")]
    );
}

async fn a_training_clock_is_refused_on_a_database_that_holds_real_data(backend: Backend) {
    let db = TestDb::new_unmarked(backend).await;
    let real = Application::build(config(&db, Arc::new(SystemClock)))
        .await
        .unwrap();
    organisation(&real).await;
    drop(real);
    let training = Arc::new(TrainingClock::running_from(at("2023-11-06", "08:30")));
    match Application::build(config(&db, training)).await {
        Err(ApplicationError::Training(TrainingError::HoldsRealData)) => {}
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("a training clock was allowed on real data"),
    }
    let checked = notoneless_store::Db::connect(&db.url).await.unwrap();
    assert_eq!(training_mark(&checked).await.unwrap(), None);
}

async fn the_database_refuses_to_mark_a_log_with_events_or_to_unmark_one(backend: Backend) {
    let db = TestDb::new_unmarked(backend).await;
    let application = Application::build(config(
        &db,
        Arc::new(TrainingClock::frozen_at(at("2023-11-06", "08:30"))),
    ))
    .await
    .unwrap();
    let store = application.store().clone();
    for sql in [
        "DELETE FROM training_mark",
        "UPDATE training_mark SET purpose = 'production'",
    ] {
        let refused = store.db.execute(Sql::both(sql), &[]).await;
        assert!(refused.is_err(), "{sql} was allowed");
    }
    // A second database, with an event, cannot be marked by hand either.
    let real = TestDb::new_unmarked(backend).await;
    let other = Application::build(config(&real, Arc::new(SystemClock)))
        .await
        .unwrap();
    organisation(&other).await;
    let refused = other
        .store()
        .db
        .execute(
            Sql::both(
                "INSERT INTO training_mark (id, marked_at, purpose) VALUES (1, '2023-11-06T00:00:00Z', 'training')",
            ),
            &[],
        )
        .await;
    assert!(
        refused.is_err(),
        "a log with events was marked for training"
    );
}
