//! The threats of `docs/security.md` played through the API, where no other test plays them
//! already: a head teacher who takes back an absence to hide a child who is away, and a
//! principal who back-fills the steps before an inspection. On PostgreSQL and on SQLite.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use notoneless_domain::fixtures::at;
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn findings(review: &Value, kind: &str) -> Vec<String> {
    review["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .map(|f| f["day"].as_str().unwrap().to_string())
        .collect()
}

conformance!(
    a_head_teacher_who_takes_back_an_absence_the_roll_call_named_is_found_and_the_absence_stays_on_record,
    a_principal_back_filling_before_an_inspection_is_seen_in_the_recording_times_and_the_review,
);

async fn a_head_teacher_who_takes_back_an_absence_the_roll_call_named_is_found_and_the_absence_stays_on_record(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-06", "16:00")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    app.ok(
        "ht",
        &format!("/api/v1/cases/{case}/absences"),
        absence("2023-11-06"),
    )
    .await;
    let roll_call = json!({"on": "2023-11-06", "class": "7-2", "enrolled": 40, "present": 39,
        "absent": [{"student_number": "G211324201101015678", "name": "王小明", "excused": false}]});
    app.ok(
        "ht",
        &format!("/api/v1/schools/{SCHOOL_A}/roll-calls"),
        roll_call,
    )
    .await;
    // The next day, she takes the absence back, as if the child had been there.
    app.clock.set(at("2023-11-07", "09:00"));
    let retraction = json!({"on": "2023-11-07", "target": 2,
        "what_was_wrong": "entered by mistake", "retract": true});
    app.ok(
        "ht",
        &format!("/api/v1/cases/{case}/corrections"),
        retraction,
    )
    .await;

    // The absence is still in the history, marked retracted, and who took it back is there.
    let (_, history) = app
        .get("insp", &format!("/api/v1/cases/{case}/history"))
        .await;
    let events = history.as_array().unwrap();
    assert_eq!(events[1]["event_type"], "AbsenceRecorded");
    assert_eq!(events[1]["retracted"], true);
    assert_eq!(
        (
            &events[2]["event_type"],
            &events[2]["recorded_by"],
            &events[2]["role"]
        ),
        (
            &json!("FactCorrected"),
            &json!("ht"),
            &json!("head_teacher")
        )
    );
    // The roll call she signed still names the child absent that day: the review finds the
    // case without its absence.
    app.clock.set(at("2023-11-09", "12:00"));
    let (status, review) = app
        .get(
            "insp",
            &format!("/api/v1/reviews?from=2023-11-06&until=2023-11-08&school={SCHOOL_A}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{review}");
    assert_eq!(
        findings(&review, "roll_call_mismatch"),
        vec!["2023-11-06"],
        "{review}"
    );
}

async fn a_principal_back_filling_before_an_inspection_is_seen_in_the_recording_times_and_the_review(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-06", "16:00")).await;
    let case = app.open("ht", SCHOOL_A, "2023-11-06").await;
    for day in ["2023-11-06", "2023-11-07", "2023-11-08"] {
        app.clock.set(at(day, "16:00"));
        app.ok(
            "ht",
            &format!("/api/v1/cases/{case}/absences"),
            absence(day),
        )
        .await;
    }
    // A week later, the day before the inspector comes, the principal enters the call, the
    // visits and both reports, each dated the day it should have happened.
    app.clock.set(at("2023-11-15", "20:00"));
    let steps = [
        ("parent-contacts", contact("2023-11-06")),
        (
            "home-visits",
            visit("2023-11-07", &["head_teacher", "responsible_leader"]),
        ),
        (
            "home-visits",
            visit(
                "2023-11-08",
                &["head_teacher", "responsible_leader", "principal"],
            ),
        ),
        (
            "reports",
            report("2023-11-08", "township_government", "乡报-1"),
        ),
        ("reports", report("2023-11-08", "county_bureau", "局报-1")),
    ];
    for (segment, body) in steps {
        app.ok("p", &format!("/api/v1/cases/{case}/{segment}"), body)
            .await;
    }
    // Each fact carries the instant the server recorded it, which no request can set.
    let (_, history) = app
        .get("insp", &format!("/api/v1/cases/{case}/history"))
        .await;
    for event in &history.as_array().unwrap()[4..] {
        assert_eq!(event["recorded_at"], "2023-11-15T12:00:00Z", "{event}");
        assert_eq!(event["recorded_by"], "p");
    }
    // As the system knew the case the evening of day 3: no call, no visit, no report.
    let (_, then) = app
        .get(
            "insp",
            &format!("/api/v1/cases/{case}/as-known-at?time=2023-11-08T20:00:00%2B08:00"),
        )
        .await;
    let kinds: Vec<&str> = then["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "CaseOpened",
            "AbsenceRecorded",
            "AbsenceRecorded",
            "AbsenceRecorded"
        ]
    );
    // The review lists every one of them as a late entry.
    let (_, review) = app
        .get(
            "insp",
            &format!("/api/v1/reviews?from=2023-11-01&until=2023-11-15&school={SCHOOL_A}"),
        )
        .await;
    assert_eq!(findings(&review, "late_entry").len(), 5, "{review}");
}
