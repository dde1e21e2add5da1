//! The registry cross-check over HTTP, on both databases: findings recorded on cases, refused
//! rows named, the same lists again changing nothing, a later cross-check clearing what it no
//! longer finds, and a school resolving a finding by hand.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use notoneless_domain::fixtures::{at, d};
use notoneless_domain::{Gender, REGISTER_HEADER, ROLL_HEADER, compose_id_number};
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn id(birth: &str, seq: u8, gender: Gender) -> String {
    compose_id_number("211324", d(birth), seq, gender).unwrap()
}

fn register(lines: &[String]) -> String {
    let mut text = REGISTER_HEADER.join(",") + "\n";
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn roll(lines: &[String]) -> String {
    let mut text = ROLL_HEADER.join(",") + "\n";
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn registered(id: &str, name: &str, birth: &str, gender: &str, status: &str) -> String {
    format!("{id},{name},{gender},{birth},gongyingzi,{SCHOOL_A},家长,father,13800001234,{status}")
}

fn on_roll(
    number: &str,
    id: &str,
    name: &str,
    birth: &str,
    gender: &str,
    school: &str,
    attending: &str,
) -> String {
    format!(
        "{number},{id},{name},{gender},{birth},{school},7,7-1,{attending},家长,father,13800001234"
    )
}

/// (kind, school) of every change listed under `key`.
fn changes(report: &Value, key: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                c["school"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    out.sort();
    out
}

conformance!(
    a_registry_cross_check_records_tracks_and_clears_its_findings,
    a_child_whose_case_refuses_what_a_cross_check_found_is_reported_and_the_others_are_recorded,
);

async fn a_child_whose_case_refuses_what_a_cross_check_found_is_reported_and_the_others_are_recorded(
    backend: Backend,
) {
    // Given a child on no roll, found by the cross-check of 15 September
    let app = TestApp::spawn(backend, at("2023-09-20", "10:00")).await;
    let x = id("2011-03-04", 1, Gender::Male);
    let y = id("2011-05-06", 2, Gender::Female);
    let first = json!({"name": "第1次比对", "on": "2023-09-15",
        "register_csv": register(&[registered(&x, "甲", "2011-03-04", "男", "正常")]),
        "roll_csv": roll(&[])});
    let (status, report) = app.post("bo", "/api/v1/imports/registry", &first).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["new"].as_array().unwrap().len(), 1, "{report}");

    // When lists of 10 September come in late, showing him on a roll and in class (which would
    // clear his finding before it was found), and another child on no roll
    let late = json!({"name": "补录比对", "on": "2023-09-10",
        "register_csv": register(&[
            registered(&x, "甲", "2011-03-04", "男", "正常"),
            registered(&y, "乙", "2011-05-06", "女", "正常"),
        ]),
        "roll_csv": roll(&[on_roll("S1", &x, "甲", "2011-03-04", "男", SCHOOL_A, "是")])});
    let before = app.footprint().await;
    let (status, report) = app.post("bo", "/api/v1/imports/registry", &late).await;

    // Then his lines are reported with his case's reason, in the request's language, and he
    // is left as he was; the other child's finding is recorded
    assert_eq!(status, StatusCode::OK, "{report}");
    let rows = |key: &str| -> Vec<(u64, String, String)> {
        report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_u64().unwrap(),
                    e["list"].as_str().unwrap().to_string(),
                    e["code"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        rows("rejected_register"),
        vec![(2, "register_csv".into(), "row-case-refuses".into())],
        "{report}"
    );
    assert_eq!(
        rows("rejected_roll"),
        vec![(2, "roll_csv".into(), "row-case-refuses".into())],
        "{report}"
    );
    assert!(
        report["rejected_roll"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("the child's case refuses it: "),
        "{report}"
    );
    assert_eq!(report["new"].as_array().unwrap().len(), 1, "{report}");
    assert!(
        report["resolved"].as_array().unwrap().is_empty(),
        "{report}"
    );
    let after = app.footprint().await;
    assert_eq!(
        after[0] - before[0],
        2,
        "y's case opened and its finding recorded"
    );
}

async fn a_registry_cross_check_records_tracks_and_clears_its_findings(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-09-20", "10:00")).await;
    let unenrolled = id("2011-03-04", 1, Gender::Male);
    let nominal = id("2011-05-06", 2, Gender::Female);
    let twice = id("2011-07-08", 3, Gender::Male);
    let cancelled = id("2011-09-10", 4, Gender::Female);
    let fine = id("2011-11-12", 5, Gender::Male);
    let register_lines = vec![
        registered(&unenrolled, "甲", "2011-03-04", "男", "正常"),
        registered(&nominal, "乙", "2011-05-06", "女", "正常"),
        registered(&twice, "丙", "2011-07-08", "男", "正常"),
        registered(&cancelled, "丁", "2011-09-10", "女", "注销"),
        registered(&fine, "戊", "2011-11-12", "男", "正常"),
        // Line 7: a birth date that disagrees with the ID number.
        registered(
            &id("2012-01-01", 6, Gender::Male),
            "己",
            "2012-01-02",
            "男",
            "正常",
        ),
    ];
    let roll_lines = vec![
        on_roll("S1", &nominal, "乙", "2011-05-06", "女", SCHOOL_A, "否"),
        on_roll("S2", &twice, "丙", "2011-07-08", "男", SCHOOL_A, "是"),
        on_roll("S3", &twice, "丙", "2011-07-08", "男", SCHOOL_B, "否"),
        on_roll("S4", &cancelled, "丁", "2011-09-10", "女", SCHOOL_A, "是"),
        on_roll("S5", &fine, "戊", "2011-11-12", "男", SCHOOL_A, "是"),
        // Line 7: a school the county does not have.
        on_roll("S6", &fine, "戊", "2011-11-12", "男", "nowhere", "是"),
    ];
    let body = json!({"name": "2023秋季第1次比对", "on": "2023-09-15",
        "register_csv": register(&register_lines), "roll_csv": roll(&roll_lines)});
    // A refused row of either list refuses the cross-check whole: nothing is written.
    let before = app.footprint().await;
    let (status, refused) = app.post("bo", "/api/v1/imports/registry", &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let rows: Vec<(String, u64, String)> = refused["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["list"].as_str().unwrap().to_string(),
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("register_csv".to_string(), 7, "birth_date".to_string()),
            ("roll_csv".to_string(), 7, "school".to_string()),
        ]
    );
    assert_eq!(app.footprint().await, before, "nothing written");
    // Without the two bad lines, it is imported.
    let register_lines = &register_lines[..register_lines.len() - 1];
    let roll_lines = &roll_lines[..roll_lines.len() - 1];
    let body = json!({"name": "2023秋季第1次比对", "on": "2023-09-15",
        "register_csv": register(register_lines), "roll_csv": roll(roll_lines)});
    let (status, first) = app.post("bo", "/api/v1/imports/registry", &body).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        changes(&first, "new"),
        pairs(&[
            ("not_on_roll", SCHOOL_A),
            ("nominal_registration", SCHOOL_A),
            ("duplicate", SCHOOL_A),
            ("cancelled", SCHOOL_A),
        ]),
        "{first}"
    );
    assert_eq!(first["cases_opened"], 4);
    let refused = |key: &str| -> Vec<(u64, String)> {
        first[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_u64().unwrap(),
                    e["field"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(refused("rejected_register"), vec![]);
    assert_eq!(refused("rejected_roll"), vec![]);

    // The same lists again: nothing new, nothing written.
    let before = app.get("bo", "/api/v1/registry-findings?state=all").await.1;
    let (_, again) = app.post("bo", "/api/v1/imports/registry", &body).await;
    assert!(again["new"].as_array().unwrap().is_empty(), "{again}");
    assert!(again["resolved"].as_array().unwrap().is_empty(), "{again}");
    assert_eq!(again["unchanged"].as_array().unwrap().len(), 4);
    assert_eq!(
        app.get("bo", "/api/v1/registry-findings?state=all").await.1,
        before
    );

    // The principal resolves the duplicate with the document that removed the second entry.
    let duplicate = first["new"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "duplicate")
        .unwrap()["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    let resolution = json!({"on": "2023-09-18", "kind": "duplicate",
        "resolution": "the entry at the other school was removed",
        "document": {"kind": "学籍变动通知", "issued_by": "县教育局", "issued_on": "2023-09-18"}});
    let path = format!("/api/v1/cases/{duplicate}/registry-resolutions");
    assert_eq!(
        app.post("ht", &path, &resolution).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, answer) = app.post("p", &path, &resolution).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = app.post("p", &path, &resolution).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "kind");

    // A later cross-check: the nominal registration is fixed (the child is in class), the
    // unenrolled child is now on the roll; the duplicate is still there (explained).
    let mut later_roll = roll_lines[..5].to_vec();
    later_roll[0] = on_roll("S1", &nominal, "乙", "2011-05-06", "女", SCHOOL_A, "是");
    later_roll.push(on_roll(
        "S7",
        &unenrolled,
        "甲",
        "2011-03-04",
        "男",
        SCHOOL_A,
        "是",
    ));
    let later = json!({"name": "2023秋季第2次比对", "on": "2023-09-19",
        "register_csv": register(&register_lines[..5]), "roll_csv": roll(&later_roll)});
    let (status, second) = app.post("bo", "/api/v1/imports/registry", &later).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert!(second["new"].as_array().unwrap().is_empty(), "{second}");
    assert_eq!(
        changes(&second, "resolved"),
        pairs(&[
            ("not_on_roll", SCHOOL_A),
            ("nominal_registration", SCHOOL_A)
        ])
    );
    assert_eq!(
        changes(&second, "unchanged"),
        pairs(&[("cancelled", SCHOOL_A)])
    );
    assert_eq!(
        changes(&second, "explained"),
        pairs(&[("duplicate", SCHOOL_A)])
    );

    let (_, open) = app.get("bo", "/api/v1/registry-findings").await;
    let open: Vec<&str> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(open, vec!["cancelled"]);
    let (_, all) = app.get("bo", "/api/v1/registry-findings?state=all").await;
    let states: Vec<(String, String)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(states.len(), 4);
    assert!(states.contains(&("duplicate".into(), "resolved".into())));
    assert!(states.contains(&("not_on_roll".into(), "cleared".into())));
    // The other township's head teacher sees none of them.
    let (_, theirs) = app.get("ht_b", "/api/v1/registry-findings?state=all").await;
    assert_eq!(theirs, json!([]));
}

/// A county-wide cross-check that found two unenrolled children at school A (x and z) and a
/// nominal registration at school B (y): the app and its answer; and the body of school A's
/// own list that follows, x now on its roll, z on neither list.
async fn county_wide_then_school_a(backend: Backend) -> (TestApp, Value, Value) {
    let app = TestApp::spawn(backend, at("2023-09-20", "10:00")).await;
    let x = id("2011-03-04", 1, Gender::Male);
    let y = id("2011-05-06", 2, Gender::Female);
    let z = id("2011-07-08", 3, Gender::Male);
    let register_lines = vec![
        registered(&x, "甲", "2011-03-04", "男", "正常"),
        registered(&y, "乙", "2011-05-06", "女", "正常"),
        registered(&z, "丙", "2011-07-08", "男", "正常"),
    ];
    let roll_lines = vec![on_roll("S2", &y, "乙", "2011-05-06", "女", SCHOOL_B, "否")];
    let body = json!({"name": "全县比对", "on": "2023-09-15",
        "register_csv": register(&register_lines), "roll_csv": roll(&roll_lines)});
    let (status, first) = app.post("bo", "/api/v1/imports/registry", &body).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let partial = json!({"name": "公营子中学比对", "on": "2023-09-18",
        "schools": [SCHOOL_A],
        "register_csv": register(&register_lines[..1]),
        "roll_csv": roll(&[on_roll("S1", &x, "甲", "2011-03-04", "男", SCHOOL_A, "是")])});
    (app, first, partial)
}

conformance!(
    a_partial_registry_list_clears_nothing_outside_its_scope_nor_for_children_it_does_not_show
);

async fn a_partial_registry_list_clears_nothing_outside_its_scope_nor_for_children_it_does_not_show(
    backend: Backend,
) {
    // Given a county-wide cross-check that found two unenrolled children at school A and a
    // nominal registration at school B
    let (app, first, partial) = county_wide_then_school_a(backend).await;
    assert_eq!(
        changes(&first, "new"),
        pairs(&[
            ("not_on_roll", SCHOOL_A),
            ("not_on_roll", SCHOOL_A),
            ("nominal_registration", SCHOOL_B),
        ]),
        "{first}"
    );
    assert_eq!(first["scope"], "county");

    // When school A's own list comes in: x now on its roll, z and y on neither list
    let (status, second) = app.post("bo", "/api/v1/imports/registry", &partial).await;
    assert_eq!(status, StatusCode::OK, "{second}");

    // Then only x's finding clears (the lists show him on a roll); z keeps his, marked not in
    // the latest lists; school B, outside the scope, is left as it was
    assert_eq!(
        changes(&second, "resolved"),
        pairs(&[("not_on_roll", SCHOOL_A)]),
        "{second}"
    );
    assert_eq!(
        changes(&second, "not_in_lists"),
        pairs(&[("not_on_roll", SCHOOL_A)]),
        "{second}"
    );
    assert_eq!(second["schools_covered"], 1, "{second}");
    let (_, open) = app.get("bo", "/api/v1/registry-findings").await;
    let mut open: Vec<(&str, &str)> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["kind"].as_str().unwrap(), f["school"].as_str().unwrap()))
        .collect();
    open.sort();
    assert_eq!(
        open,
        vec![
            ("nominal_registration", SCHOOL_B),
            ("not_on_roll", SCHOOL_A)
        ]
    );

    // A scope naming no school of the county is refused, naming the field
    let mut wrong = partial.clone();
    wrong["schools"] = json!(["nowhere"]);
    let (status, answer) = app.post("bo", "/api/v1/imports/registry", &wrong).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("schools")),
        "{answer}"
    );
}

conformance!(a_registry_import_answers_school_by_school_within_its_scope);

async fn a_registry_import_answers_school_by_school_within_its_scope(backend: Backend) {
    // Given a county-wide cross-check that found two unenrolled children at school A and a
    // nominal registration at school B
    let (app, first, partial) = county_wide_then_school_a(backend).await;
    let row = |report: &Value, school: &str| -> Value {
        report["by_school"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["school"] == school)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let counts = |row: &Value| -> [u64; 4] {
        ["examined", "raised", "cleared", "not_in_lists"].map(|k| row[k].as_u64().unwrap())
    };
    assert_eq!(counts(&row(&first, SCHOOL_A)), [2, 2, 0, 0], "{first}");
    assert_eq!(counts(&row(&first, SCHOOL_B)), [1, 1, 0, 0], "{first}");
    assert_eq!(row(&first, SCHOOL_B)["township"], "nanshao", "{first}");

    // When school A's own list comes in: x now on its roll, z on neither list
    let (status, second) = app.post("bo", "/api/v1/imports/registry", &partial).await;
    assert_eq!(status, StatusCode::OK, "{second}");

    // Then its answer has one row, school A's, named with its township: one child examined,
    // one finding cleared, one kept as not in the lists
    let rows = second["by_school"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{second}");
    assert_eq!(
        (
            rows[0]["school"].as_str(),
            rows[0]["school_name"].as_str(),
            rows[0]["township"].as_str(),
            rows[0]["township_name"].as_str(),
        ),
        (
            Some(SCHOOL_A),
            Some(SCHOOL_A),
            Some("gongyingzi"),
            Some("gongyingzi")
        ),
        "{second}"
    );
    assert_eq!(counts(&rows[0]), [1, 0, 1, 1], "{second}");
}
