//! Children found by name: the lists name each child (name, grade, class, school, student
//! number), a search finds a child by pinyin initials within the caller's jurisdiction and
//! records each child it shows in the access log (never the query), and the review answers
//! its details in the request's language. On both databases.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use notoneless_domain::fixtures::at;
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

conformance!(
    a_head_teacher_sees_her_classs_children_by_name_in_her_queue_and_list,
    a_head_teacher_finds_a_child_by_pinyin_initials_and_each_child_shown_is_logged_without_the_query,
    the_review_answers_its_details_in_chinese_and_names_the_child,
);

/// Opens a case for 张小明 (or `name`) in class 7-2 at `school`; returns the case id.
async fn open_child(app: &TestApp, user: &str, school: &str, name: &str, number: &str) -> String {
    let mut opening = opening(school, "2023-11-06");
    opening["student"]["name"] = json!(name);
    opening["student"]["student_number"] = json!(number);
    let answer = app.ok(user, "/api/v1/cases", opening).await;
    answer["case_id"].as_str().unwrap().to_string()
}

/// GETs `path` as `user`, asking for `lang`.
async fn get_in(app: &TestApp, user: &str, path: &str, lang: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token(user))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn a_head_teacher_sees_her_classs_children_by_name_in_her_queue_and_list(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "10:00")).await;
    let case = open_child(&app, "ht", SCHOOL_A, "张小明", "L2023000001").await;
    let last = app
        .ok(
            "ht",
            &format!("/api/v1/cases/{case}/absences"),
            absence("2023-11-06"),
        )
        .await;
    let position = &last["global_position"];

    let (status, queue) = get_in(
        &app,
        "ht",
        &format!("/api/v1/work-queue?min_position={position}"),
        "zh-CN",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let item = &queue[0];
    assert_eq!(item["case_id"], case.as_str());
    assert_eq!(item["name"], "张小明");
    assert_eq!(item["student_number"], "L2023000001");
    assert_eq!(
        (item["grade"].as_i64(), item["class"].as_str()),
        (Some(7), Some("7-2"))
    );
    assert!(
        item["school_name"].as_str().is_some_and(|n| !n.is_empty()),
        "{item}"
    );
    assert_eq!(
        item["kind_label"], "联系家长",
        "the step named in Chinese: {item}"
    );
    let (_, queue) = get_in(&app, "ht", "/api/v1/work-queue", "en").await;
    assert_eq!(queue[0]["kind_label"], "contact with the parents");

    // The case list, and its drill-down from the dashboard to one school, name her too.
    let (status, page) = app
        .get(
            "ht",
            &format!("/api/v1/cases?school={SCHOOL_A}&min_position={position}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let line = &page["items"][0];
    assert_eq!(
        (
            line["name"].as_str(),
            line["student_number"].as_str(),
            line["class"].as_str()
        ),
        (Some("张小明"), Some("L2023000001"), Some("7-2"))
    );
    assert_eq!(line["school_name"], item["school_name"]);
    // Another school's head teacher sees nobody.
    let (_, other) = app.get("ht_b", "/api/v1/work-queue").await;
    assert_eq!(other, json!([]));
}

async fn a_head_teacher_finds_a_child_by_pinyin_initials_and_each_child_shown_is_logged_without_the_query(
    backend: Backend,
) {
    let app = TestApp::spawn(backend, at("2023-11-06", "10:00")).await;
    let found = open_child(&app, "ht", SCHOOL_A, "张小明", "L2023000001").await;
    open_child(&app, "ht", SCHOOL_A, "王芳", "L2023000002").await;
    let elsewhere = open_child(&app, "ht_b", SCHOOL_B, "张晓梅", "L2023000003").await;
    let last = app
        .ok(
            "ht",
            &format!("/api/v1/cases/{found}/absences"),
            absence("2023-11-06"),
        )
        .await;
    let position = &last["global_position"];

    let (status, page) = app
        .get(
            "ht",
            &format!("/api/v1/search?q=zxm&min_position={position}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        page["total"], 1,
        "only her school's 张小明, not 张晓梅 at another: {page}"
    );
    let hit = &page["items"][0];
    assert_eq!(hit["case_id"], found.as_str());
    assert_eq!(hit["name"], "张小明");
    assert_eq!(hit["rank"], "exact");
    assert_eq!(
        (hit["grade"].as_i64(), hit["class"].as_str()),
        (Some(7), Some("7-2"))
    );
    // The bureau sees the county: both children whose initials begin so.
    let (_, county) = app.get("bo", "/api/v1/search?q=zx").await;
    let ids: Vec<&str> = county["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["case_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{county}");
    assert!(ids.contains(&elsewhere.as_str()));
    // By a part of the name, and by the student number.
    let (_, by_part) = app.get("ht", "/api/v1/search?q=%E5%B0%8F%E6%98%8E").await;
    assert_eq!(by_part["items"][0]["case_id"], found.as_str(), "小明");
    let (_, by_number) = app.get("ht", "/api/v1/search?q=l2023000001").await;
    assert_eq!(by_number["items"][0]["case_id"], found.as_str());
    // A blank query names its field; an admin reads no child's file.
    let (status, blank) = app.get("ht", "/api/v1/search?q=%20").await;
    assert_eq!(
        (status, blank["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("q"))
    );
    assert_eq!(
        app.get("admin", "/api/v1/search?q=zxm").await.0,
        StatusCode::FORBIDDEN
    );

    // Each child shown is a read of the child's file; the query is recorded nowhere.
    let (status, reads) = app
        .get("insp", &format!("/api/v1/cases/{found}/reads?per_page=200"))
        .await;
    assert_eq!(status, StatusCode::OK, "{reads}");
    let searches: Vec<&Value> = reads["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "search")
        .collect();
    assert_eq!(
        searches.len(),
        4,
        "zxm, 小明 and the number as ht, zx as bo: {reads}"
    );
    assert_eq!(searches.iter().filter(|r| r["user"] == "bo").count(), 1);
    assert!(searches.iter().all(|r| r["detail"].is_null()), "{reads}");
    let rows = app
        .store
        .db
        .fetch_all(
            notoneless_store::db::Sql::both("SELECT * FROM case_reads"),
            &[],
        )
        .await
        .unwrap();
    for row in rows {
        let detail = row.opt_text("detail").unwrap().unwrap_or_default();
        assert!(!detail.contains("zx") && !detail.contains("小明") && !detail.contains("L2023"));
    }
}

async fn the_review_answers_its_details_in_chinese_and_names_the_child(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-06", "10:00")).await;
    let case = open_child(&app, "ht", SCHOOL_A, "张小明", "L2023000001").await;
    let path = |what: &str| format!("/api/v1/cases/{case}/{what}");
    // Absent three days; the parents called on day one, no home visit ever made.
    app.ok("ht", &path("absences"), absence("2023-11-06")).await;
    app.ok("ht", &path("parent-contacts"), contact("2023-11-06"))
        .await;
    app.clock.set(at("2023-11-07", "10:00"));
    app.ok("ht", &path("absences"), absence("2023-11-07")).await;
    app.clock.set(at("2023-11-08", "10:00"));
    app.ok("ht", &path("absences"), absence("2023-11-08")).await;
    app.clock.set(at("2023-11-30", "10:00"));

    let query = "/api/v1/reviews?from=2023-11-01&until=2023-11-30";
    let (status, zh) = get_in(&app, "p", query, "zh-CN,zh;q=0.9").await;
    assert_eq!(status, StatusCode::OK, "{zh}");
    let findings = zh["findings"].as_array().unwrap();
    let missed: Vec<&Value> = findings
        .iter()
        .filter(|f| f["kind"] == "missed_step")
        .collect();
    assert!(!missed.is_empty(), "{zh}");
    assert_eq!(
        missed[0]["detail"], "第2天：未家访（应于2023年11月7日前完成）",
        "{zh}"
    );
    assert_eq!(missed[0]["detail_message"]["id"], "finding-step-missed");
    assert_eq!(missed[0]["kind_label"], "步骤未执行");
    assert_eq!(missed[0]["child"]["name"], "张小明");
    assert_eq!(missed[0]["child"]["class"], "7-2");
    let facts: Vec<&str> = missed[0]["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(facts, ["2023年11月6日 缺勤", "2023年11月7日 缺勤"], "{zh}");
    assert_eq!(missed[0]["evidence"].as_array().unwrap().len(), facts.len());

    let (_, en) = get_in(&app, "p", query, "en").await;
    let missed_en = en["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "missed_step")
        .unwrap()
        .clone();
    assert_eq!(
        missed_en["detail"],
        "Day 2: no home visit (due by 2023-11-07)"
    );
    assert_eq!(missed_en["facts"][0], "2023-11-06 absence");

    // The answer named the child: the principal's read is in the access log.
    let (_, reads) = app
        .get("insp", &format!("/api/v1/cases/{case}/reads?per_page=200"))
        .await;
    assert!(
        reads["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "review" && r["user"] == "p"),
        "{reads}"
    );
}
