//! What the HTTP benchmark tools share: the summary of a run's latencies, a JSON POST, a
//! case's opening profile and the plan's 123 played as API commands (`nol-load` drives them
//! under load; `nol-pages` builds its 200-event case with them).

use std::time::Duration;

use anyhow::Result;
use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use serde_json::{Value, json};

/// Latencies in milliseconds, summarised.
pub fn summary(mut latencies: Vec<f64>, errors: usize, elapsed: Duration) -> Value {
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| {
        if latencies.is_empty() {
            0.0
        } else {
            let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
            latencies[i]
        }
    };
    json!({
        "requests": latencies.len(),
        "errors": errors,
        "seconds": elapsed.as_secs_f64(),
        "per_second": latencies.len() as f64 / elapsed.as_secs_f64(),
        "p50_ms": at(0.50),
        "p99_ms": at(0.99),
    })
}

/// POSTs `body` as JSON with a bearer token: the status and the answer (null if not JSON).
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<(u16, Value)> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    Ok((status, body))
}

/// The opening of benchmark case `n` at `school` on `on` (`POST /api/v1/cases`).
pub fn profile(school: &str, n: usize, on: NaiveDate) -> Value {
    json!({
        "on": on,
        "student": {
            "student_number": format!("B{n:09}"),
            "name": format!("压测学生{n}"),
            "gender": if n.is_multiple_of(2) { "male" } else { "female" },
            "birth_date": on - TimeDelta::days(365 * 12 + (n % 700) as i64),
            "school": school,
            "grade": 7,
            "class": "7-1",
            "head_teacher": "李老师",
            "guardians": [{"name": "家长", "relation": "father", "phone": "13900000000"}],
            "focus_groups": ["economically_poor"]
        },
        "reason": "benchmark"
    })
}

/// The school days (weekdays) from `from` to `until`.
pub fn weekdays(from: NaiveDate, until: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days()
        .take_while(|d| *d <= until)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect()
}

/// The plan's 123 for one case starting on `days[0]`: nine commands over four days, as
/// (path segment under `/api/v1/cases/{id}/`, body).
pub fn cycle(days: &[NaiveDate], round: usize, episode: usize) -> Vec<(&'static str, Value)> {
    let (d1, d2, d3, d4) = (days[0], days[1], days[2], days[3]);
    let teacher = json!({"name": "李老师", "role": "head_teacher"});
    let leader = json!({"name": "张主任", "role": "responsible_leader"});
    let principal = json!({"name": "赵校长", "role": "principal"});
    let reference = |to: &str| format!("压测〔{round}-{episode}〕{to}");
    vec![
        ("absences", json!({"on": d1})),
        (
            "parent-contacts",
            json!({"on": d1, "by": teacher, "guardian": "家长", "channel": "phone", "reached": true}),
        ),
        ("absences", json!({"on": d2})),
        (
            "home-visits",
            json!({"on": d2, "participants": [teacher, leader], "outcome": "nobody_home"}),
        ),
        ("absences", json!({"on": d3})),
        (
            "home-visits",
            json!({"on": d3, "participants": [teacher, leader, principal], "outcome": "agreed_to_return"}),
        ),
        (
            "reports",
            json!({"on": d3, "recipient": "township_government", "reference": reference("乡"), "signed_by": principal}),
        ),
        (
            "reports",
            json!({"on": d3, "recipient": "county_bureau", "reference": reference("局"), "signed_by": principal}),
        ),
        ("returns", json!({"on": d4})),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap_or_default()
    }

    #[test]
    fn the_summary_takes_the_median_and_the_99th_percentile_of_the_sorted_latencies() {
        let latencies: Vec<f64> = (1..=101).rev().map(f64::from).collect();
        let row = summary(latencies, 2, Duration::from_secs(2));
        assert_eq!(row["p50_ms"], json!(51.0));
        assert_eq!(row["p99_ms"], json!(100.0));
        assert_eq!(row["requests"], json!(101));
        assert_eq!(row["errors"], json!(2));
    }

    #[test]
    fn the_school_days_of_a_span_leave_out_saturdays_and_sundays() {
        // 2026-12-04 is a Friday.
        let days = weekdays(day("2026-12-04"), day("2026-12-08"));
        assert_eq!(
            days,
            vec![day("2026-12-04"), day("2026-12-07"), day("2026-12-08")]
        );
    }
}
