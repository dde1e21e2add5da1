//! The `notoneless` binary as a user runs it.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Output;

fn example(name: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    root.join(name).to_string_lossy().into_owned()
}

/// `notoneless assess` on the example case and calendar at a local instant, with extra flags.
fn assess_example(at: &str, extra: &[&str]) -> Output {
    let case = example("case-late-report.json");
    let calendar = example("calendar-2023-autumn.json");
    let mut args = vec!["assess", &case, "--calendar", &calendar, "--at", at];
    args.extend_from_slice(extra);
    notoneless(&args)
}

#[test]
fn assess_prints_the_stage_and_every_obligation_of_the_example_case_in_chinese() {
    let out = assess_example("2023-11-15T09:00:00+08:00", &[]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(text.contains("阶段：在校"), "{text}");
    assert!(
        text.contains("无故缺勤6个上课日，于2023年11月14日结束（已返校）"),
        "{text}"
    );
    assert!(
        text.contains(
            "第3天 向县教育局报告 [班主任, 学校分管负责人, 校长] 应于2023年11月8日完成：逾期完成，见第11号事件，2023年11月10日，晚2天"
        ),
        "{text}"
    );
}

#[test]
fn assess_prints_the_same_summary_in_english_with_lang_en() {
    let out = assess_example("2023-11-15T09:00:00+08:00", &["--lang", "en"]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(text.contains("stage: attending"), "{text}");
    assert!(
        text.contains("6 unexcused school day(s), ended 2023-11-14 (returned)"),
        "{text}"
    );
    assert!(
        text.contains("day 3 report to the county bureau [head teacher, school's responsible leader, principal] due by 2023-11-08: Done late by event 11 on 2023-11-10, 2 day(s) late"),
        "{text}"
    );
}

#[test]
fn assess_in_json_gives_the_whole_assessment() {
    let out = assess_example("2023-11-08T20:00:00+08:00", &["--json"]);
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["stage"], "escalated");
    assert_eq!(
        json["episodes"][0]["obligations"][2]["status"],
        "done_without_required_roles"
    );
    assert_eq!(json["episodes"][0]["obligations"][3]["status"], "open");
}

#[test]
fn assess_with_a_calendar_that_breaks_the_rules_says_why_and_fails() {
    let dir = std::env::temp_dir().join(format!("notoneless-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let calendar = dir.join("calendar.json");
    std::fs::write(
        &calendar,
        r#"{"terms":[{"name":"autumn","first_day":"2024-01-19","last_day":"2023-09-01"}]}"#,
    )
    .unwrap();
    let out = notoneless(&[
        "assess",
        &example("case-late-report.json"),
        "--calendar",
        calendar.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("terms[0].last_day: 2023-09-01 is before the first day 2024-01-19"),
        "{err}"
    );
}

#[test]
fn ladder_prints_the_plans_123_ladder() {
    let out = notoneless(&["ladder"]);
    assert!(out.status.success(), "{out:?}");
    let steps: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let days: Vec<u64> = steps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["day"].as_u64().unwrap())
        .collect();
    assert_eq!(days, vec![1, 2, 3]);
    assert_eq!(
        steps[2]["recipients"],
        serde_json::json!(["township_government", "county_bureau"])
    );
}
