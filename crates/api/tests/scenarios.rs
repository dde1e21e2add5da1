//! The plan's scenarios over HTTP, on PostgreSQL and on SQLite. November 2023: Monday the 6th
//! to Friday the 10th are school days.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use notoneless_domain::fixtures::at;
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use reqwest::StatusCode;
use serde_json::json;

conformance!(
    a_child_back_after_the_day_one_call,
    three_days_handled_by_the_book_with_both_reports_signed_by_the_principal,
    a_report_made_late_is_overdue_in_the_principals_queue_then_done_late,
    a_back_filled_absence_shows_in_as_of_but_not_in_as_known_at,
    bad_requests_get_clear_errors_and_write_nothing,
    a_retry_with_the_same_idempotency_key_returns_the_first_result,
    an_absence_on_a_saturday_is_kept_with_a_warning_that_it_counts_toward_nothing,
);

async fn an_absence_on_a_saturday_is_kept_with_a_warning_that_it_counts_toward_nothing(
    backend: Backend,
) {
    // Given a case, and a Saturday with no make-up day
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    app.clock.set(at("2023-11-11", "10:00"));
    let path = format!("/api/v1/cases/{case}/absences");
    // When an absence is recorded that Saturday
    let written = app.ok("ht", &path, absence("2023-11-11")).await;
    // Then it is written, and the answer says why it counts toward nothing
    assert_eq!(written["sequence"], 2);
    assert_eq!(
        written["warnings"][0]["code"], "absence_not_on_a_school_day",
        "{written}"
    );
    let text = written["warnings"][0]["message"].as_str().unwrap();
    assert!(text.starts_with("2023-11-11 is not a school day"), "{text}");
    let status = app.status("ht", &case, &written["global_position"]).await;
    assert_eq!(status["stage"], "attending");
    // And an absence on a school day earns no warning
    let friday = app.ok("ht", &path, absence("2023-11-10")).await;
    assert!(friday.get("warnings").is_none(), "{friday}");
}

async fn a_child_back_after_the_day_one_call(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let absent = app
        .ok(
            "ht",
            &format!("/api/v1/cases/{case}/absences"),
            absence("2023-11-06"),
        )
        .await;
    let queue = app.queue("ht", &absent["global_position"]).await;
    assert_eq!(
        (queue[0]["kind"].as_str(), queue[0]["overdue"].as_bool()),
        (Some("contact_parents"), Some(false))
    );
    app.ok(
        "ht",
        &format!("/api/v1/cases/{case}/parent-contacts"),
        contact("2023-11-06"),
    )
    .await;
    app.clock.set(at("2023-11-07", "08:10"));
    let written = app
        .ok(
            "ht",
            &format!("/api/v1/cases/{case}/returns"),
            json!({"on": "2023-11-07"}),
        )
        .await;
    assert_eq!(written["sequence"], 4);
    let status = app.status("ht", &case, &written["global_position"]).await;
    assert_eq!(status["stage"], "attending");
    assert_eq!(status["township"], "gongyingzi");
    assert_eq!(statuses(&status), vec!["contact_parents:done_on_time"]);
}

/// Returns the case and the last write's global position.
async fn three_days_by_the_book(app: &TestApp) -> (String, serde_json::Value) {
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let path = |what: &str| format!("/api/v1/cases/{case}/{what}");
    app.ok("ht", &path("absences"), absence("2023-11-06")).await;
    app.ok("ht", &path("parent-contacts"), contact("2023-11-06"))
        .await;
    app.clock.set(at("2023-11-07", "10:00"));
    app.ok("ht", &path("absences"), absence("2023-11-07")).await;
    app.ok(
        "sl",
        &path("home-visits"),
        visit("2023-11-07", &["head_teacher", "responsible_leader"]),
    )
    .await;
    app.clock.set(at("2023-11-08", "10:00"));
    app.ok("ht", &path("absences"), absence("2023-11-08")).await;
    let last = app
        .ok(
            "p",
            &path("home-visits"),
            visit(
                "2023-11-08",
                &["head_teacher", "responsible_leader", "principal"],
            ),
        )
        .await;
    (case, last["global_position"].clone())
}

async fn three_days_handled_by_the_book_with_both_reports_signed_by_the_principal(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let (case, _) = three_days_by_the_book(&app).await;
    let path = format!("/api/v1/cases/{case}/reports");
    let (status, refused) = app
        .post(
            "ht",
            &path,
            &report("2023-11-08", "county_bureau", "局报-1"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    app.ok(
        "p",
        &path,
        report("2023-11-08", "township_government", "乡报-1"),
    )
    .await;
    let last = app
        .ok("p", &path, report("2023-11-08", "county_bureau", "局报-1"))
        .await;
    let status = app.status("p", &case, &last["global_position"]).await;
    assert_eq!(status["stage"], "escalated");
    assert!(
        statuses(&status)
            .iter()
            .all(|s| s.ends_with(":done_on_time")),
        "{:?}",
        statuses(&status)
    );
    let queue = app.queue("p", &last["global_position"]).await;
    assert_eq!(queue, json!([]));
}

async fn a_report_made_late_is_overdue_in_the_principals_queue_then_done_late(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let (case, position) = three_days_by_the_book(&app).await;
    app.clock.set(at("2023-11-09", "09:00"));
    let next_day = app.status("p", &case, &position).await;
    // Whether the stored row or a fresh assessment answered, time alone made them overdue.
    let reports: Vec<String> = statuses(&next_day)
        .into_iter()
        .filter(|s| s.starts_with("report"))
        .collect();
    assert_eq!(
        reports,
        vec![
            "report:township_government:overdue",
            "report:county_bureau:overdue"
        ]
    );
    let queue = app.queue("p", &position).await;
    let kinds: Vec<&str> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["report:county_bureau", "report:township_government"]
    );
    assert!(queue[0]["overdue"].as_bool().unwrap());
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["reason"] == "record"),
        "{queue}"
    );
    // Only the principal may file a report upward: nobody else is shown one to do.
    for user in ["ht", "sl"] {
        let queue = app.queue(user, &position).await;
        assert_eq!(queue, json!([]), "{user} may not file a report: {queue}");
    }
    // The township and the bureau are shown the overdue reports in their jurisdiction (督办),
    // a township elsewhere nothing.
    for user in ["to", "bo"] {
        let queue = app.queue(user, &position).await;
        let items: Vec<(&str, &str)> = queue
            .as_array()
            .unwrap()
            .iter()
            .map(|w| (w["kind"].as_str().unwrap(), w["reason"].as_str().unwrap()))
            .collect();
        assert_eq!(
            items,
            vec![
                ("report:county_bureau", "supervise"),
                ("report:township_government", "supervise")
            ],
            "{user}: {queue}"
        );
    }
    assert_eq!(app.queue("to_b", &position).await, json!([]));

    app.clock.set(at("2023-11-10", "11:00"));
    let path = format!("/api/v1/cases/{case}/reports");
    app.ok(
        "p",
        &path,
        report("2023-11-10", "township_government", "乡报-1"),
    )
    .await;
    let last = app
        .ok("p", &path, report("2023-11-10", "county_bureau", "局报-1"))
        .await;
    let status = app.status("p", &case, &last["global_position"]).await;
    let late: Vec<String> = statuses(&status)
        .into_iter()
        .filter(|s| s.contains("report"))
        .collect();
    assert!(late.iter().all(|s| s.ends_with(":done_late")), "{late:?}");
    let queue = app.queue("p", &last["global_position"]).await;
    assert_eq!(queue, json!([]));
    // Each office is now shown its own report to acknowledge, and nothing to chase.
    for (user, kind) in [
        ("to", "report:township_government"),
        ("bo", "report:county_bureau"),
    ] {
        let queue = app.queue(user, &last["global_position"]).await;
        assert_eq!(queue.as_array().unwrap().len(), 1, "{user}: {queue}");
        assert_eq!(
            (queue[0]["kind"].as_str(), queue[0]["reason"].as_str()),
            (Some(kind), Some("acknowledge"))
        );
        assert_eq!(queue[0]["done_on"], "2023-11-10");
    }
    let acked = app
        .ok(
            "to",
            &format!("/api/v1/cases/{case}/acknowledgements"),
            json!({"on": "2023-11-10", "recipient": "township_government",
                "reference": "乡报-1", "by": "乡干部"}),
        )
        .await;
    assert_eq!(
        app.queue("to", &acked["global_position"]).await,
        json!([]),
        "acknowledged: off the township's queue"
    );
}

async fn a_back_filled_absence_shows_in_as_of_but_not_in_as_known_at(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let path = |what: &str| format!("/api/v1/cases/{case}/{what}");
    app.ok("ht", &path("absences"), absence("2023-11-06")).await;
    app.clock.set(at("2023-11-07", "09:00"));
    app.ok("ht", &path("absences"), absence("2023-11-07")).await;
    // A week later, before an inspection, the third day is filled in.
    app.clock.set(at("2023-11-15", "16:00"));
    app.ok("ht", &path("absences"), absence("2023-11-08")).await;

    let (status, as_of) = app
        .get(
            "insp",
            &format!("/api/v1/cases/{case}/as-of?day=2023-11-08"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{as_of}");
    assert_eq!(
        as_of["assessment"]["episodes"][0]["days"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(as_of["assessment"]["stage"], "escalated");

    let known_at = "2023-11-08T20:00:00%2B08:00";
    let (status, known) = app
        .get(
            "insp",
            &format!("/api/v1/cases/{case}/as-known-at?time={known_at}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{known}");
    assert_eq!(
        known["assessment"]["episodes"][0]["days"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(known["facts"].as_array().unwrap().len(), 3);

    let (_, history) = app
        .get("insp", &format!("/api/v1/cases/{case}/history"))
        .await;
    let back_filled = &history[3];
    assert_eq!(
        (
            back_filled["on"].as_str(),
            back_filled["recorded_by"].as_str()
        ),
        (Some("2023-11-08"), Some("ht"))
    );
    assert_eq!(back_filled["role"], "head_teacher");
    assert!(
        back_filled["recorded_at"]
            .as_str()
            .unwrap()
            .starts_with("2023-11-15T08:00:00")
    );
    assert_eq!(back_filled["prev_hash"], history[2]["hash"]);

    let (_, timeline) = app
        .get("insp", &format!("/api/v1/cases/{case}/timeline"))
        .await;
    let stages: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, vec!["attending", "absent", "absent", "attending"]);
}

async fn bad_requests_get_clear_errors_and_write_nothing(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let path = format!("/api/v1/cases/{case}/absences");
    let cases = [
        ("{\"on\": ", StatusCode::BAD_REQUEST, Some("on")),
        (
            "{\"on\": \"2023-11-06\", \"mood\": \"bad\"}",
            StatusCode::BAD_REQUEST,
            Some("mood"),
        ),
        ("{\"on\": 20231106}", StatusCode::BAD_REQUEST, Some("on")),
        (
            "{\"on\": \"2023-02-30\"}",
            StatusCode::BAD_REQUEST,
            Some("on"),
        ),
        (
            "{\"on\": \"2023-11-07\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("on"),
        ),
        (
            "{\"on\": \"2023-11-06\", \"note\": \"x\"}",
            StatusCode::OK,
            None,
        ),
        (
            "{\"on\": \"2023-11-06\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("on"),
        ),
    ];
    for (body, expected, field) in cases {
        let (status, answer) = app.post_raw("ht", &path, body).await;
        assert_eq!(status, expected, "{body}: {answer}");
        if status != StatusCode::OK {
            assert_eq!(answer["field"].as_str(), field, "{body}: {answer}");
            assert!(!answer["message"].as_str().unwrap().is_empty());
        }
    }
    let long = json!({"on": "2023-11-06", "note": "长".repeat(4001)});
    let (status, answer) = app
        .post(
            "ht",
            &format!("/api/v1/cases/{case}/parent-contacts"),
            &long,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let huge = format!(
        "{{\"on\": \"2023-11-06\", \"note\": \"{}\"}}",
        "x".repeat(100_000)
    );
    let (status, _) = app.post_raw("ht", &path, &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, answer) = app.get_anonymous(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    let (_, history) = app
        .get("ht", &format!("/api/v1/cases/{case}/history"))
        .await;
    assert_eq!(
        history.as_array().unwrap().len(),
        2,
        "only the opening and the one good absence"
    );
}

async fn a_retry_with_the_same_idempotency_key_returns_the_first_result(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let (first_status, first) = app
        .post_with_key(
            "ht",
            "/api/v1/cases",
            &opening(SCHOOL_A, "2023-11-06"),
            "open-1",
        )
        .await;
    let (again_status, again) = app
        .post_with_key(
            "ht",
            "/api/v1/cases",
            &opening(SCHOOL_A, "2023-11-06"),
            "open-1",
        )
        .await;
    assert_eq!(
        (first_status, again_status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert_eq!(
        (&first["case_id"], &first["global_position"]),
        (&again["case_id"], &again["global_position"])
    );
    assert_eq!(
        (first["replayed"].as_bool(), again["replayed"].as_bool()),
        (Some(false), Some(true))
    );
    let case = first["case_id"].as_str().unwrap();
    let (status, reused) = app
        .post_with_key(
            "ht",
            &format!("/api/v1/cases/{case}/absences"),
            &absence("2023-11-06"),
            "open-1",
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{reused}");
}

conformance!(
    a_holiday_declared_over_the_configured_calendar_takes_effect_and_shows_where_each_day_came_from,
);

async fn a_holiday_declared_over_the_configured_calendar_takes_effect_and_shows_where_each_day_came_from(
    backend: Backend,
) {
    // Given the configured calendar (no term declared by the county) and a case
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let (_, calendar) = app.get("insp", "/api/v1/calendar").await;
    assert_eq!(calendar["source"], "configuration", "{calendar}");
    // When the bureau declares Thursday the 9th a holiday through the API, in advance
    // Then the calendar in force has it, and says where it came from
    let calendar = declare_the_9th_a_holiday(&app).await;
    assert_eq!(calendar["days"][0]["day"], "2023-11-09", "{calendar}");
    assert_eq!(calendar["days"][0]["declared_by"], "bo", "{calendar}");
    // And an absence that day is one the ladder ignores, as the answer says
    an_absence_on_the_9th_is_ignored_by_the_ladder(&app, &case).await;
}

/// The bureau declares Thursday 9 November a holiday through the API; the calendar read
/// afterwards, which has it in force.
async fn declare_the_9th_a_holiday(app: &TestApp) -> serde_json::Value {
    app.ok(
        "bo",
        "/api/v1/calendar/holidays",
        json!({"day": "2023-11-09", "name": "sports day"}),
    )
    .await;
    let (_, calendar) = app.get("insp", "/api/v1/calendar").await;
    assert!(
        calendar["calendar"]["holidays"]
            .as_array()
            .unwrap()
            .contains(&json!("2023-11-09")),
        "{calendar}"
    );
    calendar
}

/// On Thursday the 9th, a holiday, an absence is recorded for `case`: the answer warns that
/// the ladder ignores it.
async fn an_absence_on_the_9th_is_ignored_by_the_ladder(app: &TestApp, case: &str) {
    app.clock.set(at("2023-11-09", "10:00"));
    let written = app
        .ok(
            "ht",
            &format!("/api/v1/cases/{case}/absences"),
            absence("2023-11-09"),
        )
        .await;
    assert_eq!(
        written["warnings"][0]["code"], "absence_not_on_a_school_day",
        "{written}"
    );
}

conformance!(
    a_holiday_declared_after_the_fact_is_flagged_and_known_only_from_then_on,
    lists_filter_by_stage_focus_group_and_overdue_and_page,
    a_page_far_past_the_end_is_empty_not_a_crash,
);

async fn a_holiday_declared_after_the_fact_is_flagged_and_known_only_from_then_on(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    app.ok(
        "admin",
        "/api/v1/calendar/terms",
        json!({"name": "2023 autumn", "first_day": "2023-09-01", "last_day": "2024-01-19"}),
    )
    .await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    app.ok(
        "ht",
        &format!("/api/v1/cases/{case}/absences"),
        absence("2023-11-06"),
    )
    .await;
    app.clock.set(at("2023-11-07", "09:00"));
    app.ok(
        "ht",
        &format!("/api/v1/cases/{case}/absences"),
        absence("2023-11-07"),
    )
    .await;
    // Two days later the bureau declares the 7th a holiday: day 2 disappears.
    app.clock.set(at("2023-11-09", "15:00"));
    let declared = app
        .ok(
            "bo",
            "/api/v1/calendar/holidays",
            json!({"day": "2023-11-07", "name": "snow day"}),
        )
        .await;

    let (_, calendar) = app.get("insp", "/api/v1/calendar").await;
    let day = &calendar["days"][0];
    assert_eq!(
        (
            day["day"].as_str(),
            day["retroactive"].as_bool(),
            day["declared_by"].as_str()
        ),
        (Some("2023-11-07"), Some(true), Some("bo"))
    );

    let status = app
        .status("insp", &case, &declared["global_position"])
        .await;
    assert_eq!(
        status["assessment"]["ignored_absences"][0]["reason"],
        "non_school_day"
    );
    let (_, before) = app
        .get(
            "insp",
            &format!("/api/v1/cases/{case}/as-known-at?time=2023-11-08T12:00:00Z"),
        )
        .await;
    assert_eq!(
        before["assessment"]["episodes"][0]["days"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "the calendar as it was known then"
    );
    let (_, now) = app
        .get(
            "insp",
            &format!("/api/v1/cases/{case}/as-known-at?time=2023-11-09T12:00:00Z"),
        )
        .await;
    assert_eq!(
        now["assessment"]["episodes"][0]["days"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn lists_filter_by_stage_focus_group_and_overdue_and_page(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let mut last = json!(0);
    for _ in 0..3 {
        let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
        last = app
            .ok(
                "ht",
                &format!("/api/v1/cases/{case}/absences"),
                absence("2023-11-06"),
            )
            .await["global_position"]
            .clone();
    }
    let quiet = app.open("ht_b", SCHOOL_B, "2023-11-06").await;
    let quiet_write = app
        .ok(
            "ht_b",
            &format!("/api/v1/cases/{quiet}/absences"),
            absence("2023-11-06"),
        )
        .await;
    let position = last
        .as_i64()
        .unwrap()
        .max(quiet_write["global_position"].as_i64().unwrap());
    let app = &app;
    let list = |query: &str| {
        let path = format!("/api/v1/cases?min_position={position}&{query}");
        async move { app.get("bo", &path).await.1 }
    };
    assert_eq!(list("").await["total"], 4);
    assert_eq!(list("stage=absent").await["total"], 4);
    assert_eq!(list("stage=closed").await["total"], 0);
    assert_eq!(list("township=nanshao").await["total"], 1);
    assert_eq!(list(&format!("school={SCHOOL_A}")).await["total"], 3);
    assert_eq!(list("focus_group=economically_poor").await["total"], 4);
    assert_eq!(list("focus_group=disabled").await["total"], 0);
    assert_eq!(
        list("overdue=true").await["total"],
        0,
        "nothing is due before midnight"
    );
    let page = list("per_page=2&page=2").await;
    assert_eq!(
        (
            page["items"].as_array().unwrap().len(),
            page["total"].as_i64()
        ),
        (2, Some(4))
    );
    app.clock.set(at("2023-11-07", "08:00"));
    assert_eq!(
        list("overdue=true").await["total"],
        4,
        "every day-1 call is overdue the next morning"
    );
    let (status, answer) = app.get("bo", "/api/v1/cases?per_page=500").await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("per_page"))
    );
}

conformance!(the_review_finds_late_reports_for_the_bureau_and_not_outside_a_principals_school);

async fn the_review_finds_late_reports_for_the_bureau_and_not_outside_a_principals_school(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let (case, _) = three_days_by_the_book(&app).await;
    app.clock.set(at("2023-11-10", "11:00"));
    let path = format!("/api/v1/cases/{case}/reports");
    app.ok(
        "p",
        &path,
        report("2023-11-10", "township_government", "乡报-1"),
    )
    .await;
    app.ok("p", &path, report("2023-11-10", "county_bureau", "局报-1"))
        .await;

    let query = "/api/v1/reviews?from=2023-11-01&until=2023-11-30";
    let (status, review) = app.get("bo", query).await;
    assert_eq!(status, StatusCode::OK, "{review}");
    let kinds: Vec<&str> = review["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .filter(|k| *k != "missing_attestation")
        .collect();
    assert_eq!(kinds, vec!["unreported_dropout", "unreported_dropout"]);
    assert!(
        review["findings"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("2 days late")
    );
    let staff: Vec<&str> = review["staff"][SCHOOL_A]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(staff.contains(&"p"), "the principal is named: {staff:?}");

    assert_eq!(review["townships"][0]["school"], "gongyingzi");
    assert_eq!(review["townships"][0]["unreported_dropouts"], 2);
    assert_eq!(review["schools"][0]["steps_on_time"], 3);

    let (_, elsewhere) = app.get("p_b", query).await;
    assert!(
        elsewhere["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["school"] == SCHOOL_B),
        "{elsewhere}"
    );
    assert_eq!(app.get("ht", query).await.0, StatusCode::FORBIDDEN);

    // As the system knew it before the reports were filed, they were missing altogether.
    let (_, before) = app
        .get("insp", &format!("{query}&known_at=2023-11-09T12:00:00Z"))
        .await;
    let unreported: Vec<&serde_json::Value> = before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "unreported_dropout")
        .collect();
    assert_eq!(unreported.len(), 2, "{before}");
    assert!(
        unreported
            .iter()
            .all(|f| f["detail"].as_str().unwrap().contains("no report")),
        "{before}"
    );
}

conformance!(a_holiday_declared_after_the_fact_is_a_review_finding_with_the_deadlines_it_moved);

async fn a_holiday_declared_after_the_fact_is_a_review_finding_with_the_deadlines_it_moved(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    app.ok(
        "admin",
        "/api/v1/calendar/terms",
        json!({"name": "2023 autumn", "first_day": "2023-09-01", "last_day": "2024-01-19"}),
    )
    .await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let path = |what: &str| format!("/api/v1/cases/{case}/{what}");
    app.ok("ht", &path("absences"), absence("2023-11-06")).await;
    app.ok("ht", &path("parent-contacts"), contact("2023-11-06"))
        .await;
    app.clock.set(at("2023-11-07", "09:00"));
    app.ok("ht", &path("absences"), absence("2023-11-07")).await;
    // The day-2 visit was never made; two days later the 7th becomes a "holiday".
    app.clock.set(at("2023-11-09", "15:00"));
    app.ok(
        "bo",
        "/api/v1/calendar/holidays",
        json!({"day": "2023-11-07", "name": "snow day"}),
    )
    .await;

    let (_, review) = app
        .get("insp", "/api/v1/reviews?from=2023-11-01&until=2023-11-30")
        .await;
    let retro: Vec<&serde_json::Value> = review["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "retroactive_calendar_change")
        .collect();
    assert_eq!(retro.len(), 2, "{review}");
    let (county, in_case): (Vec<_>, Vec<_>) = retro
        .into_iter()
        .partition(|f| f["case_id"] == "organisation");
    let retro = [in_case[0], county[0]];
    assert_eq!(retro[0]["case_id"].as_str(), Some(case.as_str()));
    assert!(
        retro[0]["detail"]
            .as_str()
            .unwrap()
            .contains("before [day 2 home visit due by 2023-11-07]"),
        "{}",
        retro[0]
    );
    assert!(
        retro[1]["detail"]
            .as_str()
            .unwrap()
            .contains("by bo, after the day had passed; it moved deadlines in 1 case"),
        "{}",
        retro[1]
    );

    let (_, principal) = app
        .get("p", "/api/v1/reviews?from=2023-11-01&until=2023-11-30")
        .await;
    let kinds: Vec<&str> = principal["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["case_id"].as_str().unwrap())
        .collect();
    assert!(
        !kinds.contains(&"organisation"),
        "the county-level finding is for county-wide readers"
    );
}

conformance!(roll_calls_are_submitted_by_the_school_and_reviewed_against_the_cases);

async fn roll_calls_are_submitted_by_the_school_and_reviewed_against_the_cases(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "16:00")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    app.ok(
        "ht",
        &format!("/api/v1/cases/{case}/absences"),
        absence("2023-11-06"),
    )
    .await;
    let path = format!("/api/v1/schools/{SCHOOL_A}/roll-calls");
    let named = |on: &str, number: &str| {
        json!({"on": on, "class": "7-2", "enrolled": 40, "present": 39,
               "absent": [{"student_number": number, "name": "王小明", "excused": false}]})
    };
    app.ok("ht", &path, named("2023-11-06", "G211324201101015678"))
        .await;
    let (status, answer) = app
        .post("ht", &path, &named("2023-11-06", "G211324201101015678"))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the same class and day twice: {answer}"
    );
    assert_eq!(
        app.post("to", &path, &named("2023-11-06", "G1")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("ht_b", &path, &named("2023-11-06", "G1")).await.0,
        StatusCode::NOT_FOUND
    );
    app.clock.set(at("2023-11-07", "16:00"));
    app.ok("ht", &path, named("2023-11-07", "G999999999999999999"))
        .await;
    let (status, listed) = app.get("bo", &path).await;
    assert_eq!(
        (status, listed.as_array().unwrap().len()),
        (StatusCode::OK, 2)
    );

    app.clock.set(at("2023-11-09", "12:00"));
    let (_, review) = app
        .get(
            "bo",
            &format!("/api/v1/reviews?from=2023-11-06&until=2023-11-09&school={SCHOOL_A}"),
        )
        .await;
    let found: Vec<(String, String)> = review["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "missing_attestation" || f["kind"] == "roll_call_mismatch")
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["day"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("roll_call_mismatch".to_string(), "2023-11-07".to_string()),
            ("missing_attestation".to_string(), "2023-11-08".to_string()),
        ]
    );
}

conformance!(the_grade6_watch_opens_a_case_per_leaver_enrolled_nowhere_once_and_names_bad_rows);

async fn the_grade6_watch_opens_a_case_per_leaver_enrolled_nowhere_once_and_names_bad_rows(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-09-10", "10:00")).await;
    let header = "student_number,name,gender,birth_date,school,class,guardian,guardian_relation,guardian_phone";
    let leavers = [
        header,
        "G211324201201011111,王一,男,2012-01-01,gyz-middle,6-1,王父,father,138-0000-0001",
        "G211324201201012222,李二,女,2012-02-02,gyz-middle,6-1,李母,mother,138-0000-0002",
        "G211324201201013333,张三,男,2012-03-03,nanshao-primary,6-1,张父,father,138-0000-0003",
        "G211324201201014444,赵四,女,not-a-date,gyz-middle,6-1,赵父,father,138-0000-0004",
    ]
    .join("\n");
    let body = json!({"on": "2023-09-01", "leavers_csv": leavers,
                      "enrolments_csv": "student_number,school\nG211324201201012222,gyz-middle\n"});
    // Another township's school and a bad date refuse the lists whole: nothing is opened.
    let (status, refused) = app.post("to", "/api/v1/imports/grade6-watch", &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let rejected: Vec<(u64, &str)> = refused["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rejected,
        vec![(4, "school"), (5, "birth_date")],
        "another township's school, and a bad date"
    );
    // Without those two rows, the list is imported.
    let leavers = leavers.lines().take(3).collect::<Vec<_>>().join("\n");
    let body = json!({"on": "2023-09-01", "leavers_csv": leavers,
                      "enrolments_csv": "student_number,school\nG211324201201012222,gyz-middle\n"});
    let (status, first) = app.post("to", "/api/v1/imports/grade6-watch", &body).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["opened"].as_array().unwrap().len(), 1, "{first}");
    assert_eq!(first["enrolled"], 1);
    assert_eq!(first["rejected_leavers"], json!([]));

    let (_, again) = app.post("to", "/api/v1/imports/grade6-watch", &body).await;
    assert_eq!(
        (
            again["opened"].as_array().unwrap().len(),
            again["unchanged"].clone()
        ),
        (0, json!([2]))
    );
    let case = first["opened"][0][1].as_str().unwrap();
    let (status, opened) = app.get("ht", &format!("/api/v1/cases/{case}")).await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    assert_eq!(opened["assessment"]["status"]["since"], "2023-09-01");
    assert_eq!(
        app.post("ht", "/api/v1/imports/grade6-watch", &body)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

/// Found by schemathesis: `page=1152921504606846975&per_page=150` overflowed the offset and
/// the handler panicked (the connection closed without an answer). A page past the end is
/// an empty page, however far.
async fn a_page_far_past_the_end_is_empty_not_a_crash(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let (status, status_body) = app.get("insp", &format!("/api/v1/cases/{case}")).await;
    assert_eq!(status, StatusCode::OK, "{status_body}");
    for page in ["2", "1152921504606846975", "9223372036854775807"] {
        for path in [
            format!("/api/v1/cases?page={page}&per_page=150"),
            format!("/api/v1/cases/{case}/reads?page={page}&per_page=150"),
        ] {
            let (status, body) = app.get("insp", &path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert_eq!(body["items"], json!([]), "{path}: {body}");
            assert_eq!(body["page"].to_string(), page, "{path}: {body}");
        }
    }
}

conformance!(
    a_recorded_calendar_file_is_the_calendar_in_force_each_day_named_with_its_source_and_a_holiday_declared_after_it_takes_effect,
);

async fn a_recorded_calendar_file_is_the_calendar_in_force_each_day_named_with_its_source_and_a_holiday_declared_after_it_takes_effect(
    backend: Backend,
) {
    // Given a county whose calendar was recorded from a file (as `--calendar` does)
    let app = TestApp::spawn(backend, at("2023-11-06", "08:30")).await;
    let file = notoneless_store::org::CalendarFile::new(
        "calendar-2023-autumn.json",
        notoneless_domain::fixtures::calendar(),
    );
    app.store
        .org
        .seed_calendar(&file, &notoneless_store::testing::context(None))
        .await
        .unwrap();
    // When the calendar is read
    let (_, calendar) = app.get("insp", "/api/v1/calendar").await;
    // Then it is the organisation's, each term and day named with the file it came from, and
    // none of the file's past days is a retroactive change
    assert_eq!(calendar["source"], "organisation", "{calendar}");
    assert_eq!(
        calendar["terms"][0]["from_file"], "calendar-2023-autumn.json",
        "{calendar}"
    );
    assert_eq!(calendar["terms"][0]["name"], "2023 autumn", "{calendar}");
    let days = calendar["days"].as_array().unwrap();
    assert_eq!(days.len(), 10, "{calendar}");
    assert!(
        days.iter()
            .all(|d| d["from_file"] == "calendar-2023-autumn.json" && d["retroactive"] == false),
        "{calendar}"
    );
    // When the bureau declares Thursday the 9th a holiday through the API
    // Then it is in force, named as declared through the API by the bureau officer
    let calendar = declare_the_9th_a_holiday(&app).await;
    let declared = calendar["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["day"] == "2023-11-09")
        .cloned()
        .unwrap();
    assert_eq!(
        (&declared["from_file"], &declared["declared_by"]),
        (&json!(null), &json!("bo")),
        "{calendar}"
    );
    // And an absence that day is one the ladder ignores, as the answer says
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    an_absence_on_the_9th_is_ignored_by_the_ladder(&app, &case).await;
}
