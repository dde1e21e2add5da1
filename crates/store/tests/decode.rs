//! Fuzzing the reading of stored events (proptest): payloads of every event type, valid ones
//! changed at random, are read back as an error value that names where it does not fit and
//! never a value that was there, or as an event that folds and assesses, never a panic. No database:
//! the rows are built in memory, as `StoredEvent::from_row` would give them.
//!
//! Each property runs `PROPTEST_CASES` cases (default 1024, a second or two);
//! `PROPTEST_CASES=100000 cargo nextest run -p notoneless-store --test decode` for a long run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use notoneless_domain::fixtures::{at, calendar, ladder};
use notoneless_domain::{OrgEvent, RollCallEvent, assess};
use notoneless_store::StoreError;
use notoneless_store::log::{StoredEvent, fold};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

/// A string no valid payload holds, put in by the changes: an error must never show it.
const SECRET: &str = "王秘密13800001234";

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn person(role: &str) -> Value {
    json!({"name": "李老师", "role": role})
}

fn document() -> Value {
    json!({"kind": "证明", "number": "2023-1", "issued_by": "乡政府", "issued_on": "2023-11-01"})
}

/// A valid payload of every case event type, as stored.
fn case_payloads() -> Vec<(&'static str, Value)> {
    let on = "2023-11-08";
    vec![
        (
            "CaseOpened",
            json!({"on": on, "student": {
            "student_number": "G211324201101015678", "name": "王小明", "gender": "male",
            "birth_date": "2011-01-01", "school": "gyz-middle", "grade": 7, "class": "7-2",
            "head_teacher": "李老师",
            "guardians": [{"name": "王建国", "relation": "father", "phone": "138-0000-1234"}],
            "focus_groups": ["economically_poor"]}, "reason": "absent"}),
        ),
        (
            "FocusGroupsChanged",
            json!({"on": on, "add": ["disabled"], "remove": [], "reason": "seen"}),
        ),
        ("AbsenceRecorded", json!({"on": on, "note": "ill"})),
        (
            "LeaveGranted",
            json!({"on": on, "from": on, "until": "2023-11-10", "reason": "ill",
            "approved_by": person("head_teacher"), "document": document()}),
        ),
        (
            "ParentContacted",
            json!({"on": on, "by": person("head_teacher"), "guardian": "王建国",
            "channel": "phone", "reached": true, "reason_given": "farm", "note": "n"}),
        ),
        (
            "HomeVisitConducted",
            json!({"on": on, "participants": [person("head_teacher"),
            person("responsible_leader")], "outcome": "agreed_to_return", "note": "n"}),
        ),
        (
            "ReportSubmitted",
            json!({"on": on, "recipient": "township_government",
            "reference": "乡报-1", "signed_by": person("principal"), "summary": "s"}),
        ),
        (
            "ReportAcknowledged",
            json!({"on": on, "recipient": "county_bureau",
            "reference": "局报-1", "by": "陈科长"}),
        ),
        (
            "SupervisionNoted",
            json!({"on": on, "by": person("inspector"), "note": "follow up"}),
        ),
        ("ReturnedToSchool", json!({"on": on, "note": "back"})),
        (
            "TransferredOut",
            json!({"on": on, "destination_school": "朝阳一中",
            "destination_region": "朝阳", "documents": [document()]}),
        ),
        (
            "TransferConfirmed",
            json!({"on": on, "receiving_school": "朝阳一中",
            "confirmed_by": "马老师", "document": document()}),
        ),
        (
            "Suspended",
            json!({"on": on, "expected_return": "2024-02-26", "reason": "illness",
            "document": document()}),
        ),
        ("Resumed", json!({"on": on, "note": "n"})),
        (
            "SupportGiven",
            json!({"on": on, "kind": "subsidy", "amount_fen": 50000,
            "from": "2023-09-01", "until": "2024-01-19", "note": "n"}),
        ),
        (
            "HomeTeachingHeld",
            json!({"on": on, "teachers": [person("head_teacher")],
            "minutes": 60, "content": "语文"}),
        ),
        (
            "CaseClosed",
            json!({"on": on, "reason": "resolved", "note": "n"}),
        ),
        ("CaseReopened", json!({"on": on, "reason": "absent again"})),
        (
            "FactCorrected",
            json!({"on": on, "target": 2, "what_was_wrong": "wrong day",
            "retract": true}),
        ),
        (
            "RegistryFindingRecorded",
            json!({"on": on, "kind": "not_on_roll", "detail": "d",
            "cross_check": "2023秋"}),
        ),
        (
            "RegistryFindingResolved",
            json!({"on": on, "kind": "not_on_roll",
            "resolution": "enrolled", "document": document()}),
        ),
        (
            "RegistryFindingCleared",
            json!({"on": on, "kind": "duplicate",
            "cross_check": "2023秋"}),
        ),
    ]
}

/// A valid payload of every organisation event type and of the roll call.
fn other_payloads() -> Vec<(&'static str, Value)> {
    vec![
        (
            "NodeAdded",
            json!({"id": "s", "kind": "school", "name": "学校", "parent": "t"}),
        ),
        (
            "UserAdded",
            json!({"id": "u", "name": "李", "role": "head_teacher", "node": "s"}),
        ),
        ("UserDeactivated", json!({"user": "u"})),
        (
            "TokenIssued",
            json!({"token_id": "t", "user": "u", "token_sha256": "ab",
            "expires_at": "2024-01-01T00:00:00Z"}),
        ),
        ("TokenRevoked", json!({"token_id": "t"})),
        (
            "TermAdded",
            json!({"name": "秋", "first_day": "2023-09-01", "last_day": "2024-01-19"}),
        ),
        (
            "HolidayDeclared",
            json!({"day": "2023-12-25", "name": "雪"}),
        ),
        (
            "MakeUpDayDeclared",
            json!({"day": "2023-11-11", "name": "补"}),
        ),
        ("CalendarDayCleared", json!({"day": "2023-12-25"})),
        (
            "RollCallSubmitted",
            json!({"on": "2023-11-08", "class": "7-2", "enrolled": 30,
            "present": 29, "absent": [{"student_number": "G1", "name": "王小明", "excused": false}]}),
        ),
    ]
}

fn stored(sequence: i64, event_type: &str, body: Value) -> StoredEvent {
    StoredEvent {
        global_position: sequence,
        tx_id: 0,
        aggregate_type: "student_case".into(),
        aggregate_id: "c-1".into(),
        sequence,
        event_type: event_type.into(),
        event_version: "1".into(),
        payload: json!({ event_type: body }),
        metadata: json!({"actor": "u"}),
        recorded_at: Utc.with_ymd_and_hms(2023, 11, 8, 2, 0, 0).unwrap(),
        prev_hash: String::new(),
        key_id: None,
        signature: None,
        hash: String::new(),
    }
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-3i64..400).prop_map(Value::from),
        prop::sample::select(vec![1e300, -0.5, f64::MIN_POSITIVE]).prop_map(Value::from),
        Just(Value::from(SECRET)),
        Just(Value::from("")),
        "\\PC{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "+262143-12-31",
            "-262144-01-01",
            "0001-01-01",
            "2023-02-29",
            "2023-11-09",
            "2023-09-01",
            "9999-12-31",
            "male",
            "county_bureau",
            "head_teacher",
            "not_on_roll",
            "CaseOpened",
        ])
        .prop_map(Value::from),
    ]
}

fn odd_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(2, 6, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..3)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

#[derive(Clone, Debug)]
enum Change {
    Replace(usize, Value),
    Remove(usize),
    Add(usize, String, Value),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => (any::<usize>(), odd_value()).prop_map(|(at, v)| Change::Replace(at, v)),
        2 => any::<usize>().prop_map(Change::Remove),
        1 => (any::<usize>(), "[a-z_]{1,10}", odd_value()).prop_map(|(at, k, v)| Change::Add(at, k, v)),
    ]
}

fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_string());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                pointers(child, &format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The payload with the changes, each at a node picked by its index (the whole payload,
/// the event's tag included, can be picked).
fn changed(mut payload: Value, changes: &[Change]) -> Value {
    for change in changes {
        let mut all = Vec::new();
        pointers(&payload, "", &mut all);
        let at = |n: usize| all[n % all.len()].clone();
        match change {
            Change::Replace(n, v) => {
                let pointer = at(*n);
                if let Some(node) = payload.pointer_mut(&pointer) {
                    *node = v.clone();
                }
            }
            Change::Remove(n) => {
                let pointer = at(*n);
                if let Some((parent, last)) = pointer.rsplit_once('/') {
                    match payload.pointer_mut(parent) {
                        Some(Value::Object(map)) => {
                            map.remove(last);
                        }
                        Some(Value::Array(items)) => {
                            if let Ok(i) = last.parse::<usize>()
                                && i < items.len()
                            {
                                items.remove(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Change::Add(n, key, v) => match payload.pointer_mut(&at(*n)) {
                Some(Value::Object(map)) => {
                    map.insert(key.clone(), v.clone());
                }
                Some(Value::Array(items)) => items.push(v.clone()),
                _ => {}
            },
        }
    }
    payload
}

/// A decoding error is `Corrupt`, and never shows a value of the payload (the secret, which
/// the changes put in often, stands for them all).
fn judge_error(error: &StoreError) -> Result<(), TestCaseError> {
    prop_assert!(matches!(error, StoreError::Corrupt(_)), "{error:?}");
    let text = error.to_string();
    prop_assert!(!text.contains(SECRET), "the value shows: {text}");
    Ok(())
}

#[test]
fn a_changed_case_event_payload_reads_as_an_error_naming_no_value_or_as_an_event_that_folds_and_assesses()
 {
    // Given a valid payload of every case event type, each of which reads
    let payloads = case_payloads();
    for (event_type, body) in &payloads {
        stored(2, event_type, body.clone())
            .decode()
            .unwrap_or_else(|e| panic!("{event_type}: {e}"));
    }
    let opened = stored(1, "CaseOpened", payloads[0].1.clone());
    let strategy = (
        prop::sample::select(payloads),
        prop::collection::vec(change(), 1..4),
    );
    let mut runner = runner();
    let result = runner.run(&strategy, |((event_type, body), changes)| {
        // When one is changed and read back
        let mut event = stored(2, event_type, body);
        event.payload = changed(event.payload.clone(), &changes);
        match event.decode() {
            // Then it is an error that shows no value
            Err(error) => judge_error(&error),
            // Or an event that folds, after the opening, and assesses
            Ok(_) => {
                let case = fold(&[opened.clone(), event]).unwrap();
                let now = at("2023-11-20", "10:00");
                assess(&case, &calendar(), &ladder(), now);
                Ok(())
            }
        }
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

#[test]
fn a_changed_organisation_or_roll_call_payload_reads_as_an_error_naming_no_value_or_as_an_event() {
    // Given a valid payload of every organisation event type and of a roll call
    let payloads = other_payloads();
    for (event_type, body) in &payloads {
        let event = stored(1, event_type, body.clone());
        let read = if *event_type == "RollCallSubmitted" {
            event.decode_as::<RollCallEvent>().map(|_| ())
        } else {
            event.decode_as::<OrgEvent>().map(|_| ())
        };
        read.unwrap_or_else(|e| panic!("{event_type}: {e}"));
    }
    let strategy = (
        prop::sample::select(payloads),
        prop::collection::vec(change(), 1..4),
    );
    let mut runner = runner();
    let result = runner.run(&strategy, |((event_type, body), changes)| {
        // When one is changed and read back, as either kind
        let mut event = stored(1, event_type, body);
        event.payload = changed(event.payload.clone(), &changes);
        // Then each read is an event or an error that shows no value
        if let Err(error) = event.decode_as::<OrgEvent>() {
            judge_error(&error)?;
        }
        if let Err(error) = event.decode_as::<RollCallEvent>() {
            judge_error(&error)?;
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}
