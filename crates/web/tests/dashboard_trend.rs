//! The dashboard's weekly trend in Chromium, on both databases: absences recorded on known
//! days of two weeks (a weekend inside an episode, a Saturday that is no school day), and the
//! trend's table shows each week's figures for the reader's jurisdiction: the township officer
//! his two schools', a principal her school's. The chart is there, with its accessible name;
//! every page is checked by axe-core, weighed, and photographed at a desktop's and a phone's
//! width, in Chinese and in English.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::{
    Browser, Console, Device, PRINCIPAL, SCHOOL, TOWNSHIP_OFFICER, check_page, click,
    log_in_first_time, open, text_of,
};
use fantoccini::Locator;
use notoneless_domain::CaseAction;
use notoneless_domain::fixtures::opening;
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use notoneless_store::read_model::absence_trend;
use notoneless_store::testing::{absent, run};

/// The county of `Console::start` (today Friday 10 November 2023; at the middle school a child
/// away on Thursday 9, at the primary school one away from Tuesday 7 to Thursday 9) and a
/// third child, at the middle school, away on Friday 3 November, recorded away on Saturday 4
/// (no school day: not counted) and away again on Monday 6: one episode across the weekend.
async fn county_with_two_weeks_of_absences(backend: Backend) -> Console {
    let console = Console::start(backend).await;
    let store = &console.store;
    let mut opened = opening("2023-10-30");
    opened.student.name = "赵小刚".into();
    opened.student.student_number = "G211324201104045670".into();
    opened.student.school = SCHOOL.into();
    run(store, "case-7", CaseAction::OpenCase(opened)).await;
    for day in ["2023-11-03", "2023-11-04", "2023-11-06"] {
        run(store, "case-7", absent(day)).await;
    }
    // The projector writes the read model beside the server: wait for the third child's days.
    let started = Instant::now();
    let monday = |day: &str| day.parse::<NaiveDate>().unwrap();
    loop {
        let weeks = absence_trend(&store.db, None, monday("2023-10-30"), monday("2023-11-10"))
            .await
            .unwrap();
        if weeks.iter().map(|w| w.absence_days).sum::<i64>() == 6 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the projector catches up: {weeks:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    console
}

/// The trend's table: each week's label and figures, in order.
async fn trend_rows(browser: &Browser) -> Vec<Vec<String>> {
    let rows = browser
        .client
        .find_all(Locator::Css("table#trend tbody tr"))
        .await
        .unwrap();
    let mut table = Vec::new();
    for row in rows {
        let mut cells = Vec::new();
        for cell in row.find_all(Locator::Css("th, td")).await.unwrap() {
            cells.push(cell.text().await.unwrap());
        }
        table.push(cells);
    }
    table
}

fn row(week: &str, days: &str, episodes: &str) -> Vec<String> {
    vec![week.to_string(), days.to_string(), episodes.to_string()]
}

/// Scrolls the trend to the top of the window, for its screenshot (the dashboard's other
/// charts come first).
async fn show_trend(browser: &Browser) {
    browser
        .client
        .execute(
            "document.getElementById('trend-heading').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
}

/// The chart's accessible name (its `<title>`) and how many bars it draws.
async fn chart(browser: &Browser) -> (String, usize) {
    let title = browser
        .client
        .execute(
            "const svg = document.querySelector('svg[role=img][aria-labelledby=trend-title]');
             return svg ? svg.querySelector('title').textContent : '';",
            vec![],
        )
        .await
        .unwrap();
    let bars = browser
        .client
        .find_all(Locator::Css("svg[aria-labelledby=trend-title] rect"))
        .await
        .unwrap()
        .len();
    (title.as_str().unwrap_or_default().to_string(), bars)
}

async fn the_township_officer_sees_each_week_of_the_term_with_its_absences_and_episodes(
    backend: Backend,
) {
    let console = county_with_two_weeks_of_absences(backend).await;
    let browser = Browser::open(Device::Desktop).await;
    log_in_first_time(
        &browser,
        &console,
        TOWNSHIP_OFFICER,
        &console.one_time[TOWNSHIP_OFFICER],
    )
    .await;
    open(&browser, &console, "/dashboard", "辖区概况").await;
    assert_eq!(text_of(&browser, "#trend-heading").await, "每周缺勤趋势");
    let period = text_of(&browser, "#trend-heading + p").await;
    assert!(
        period.contains("统计2023年9月1日至2023年11月10日"),
        "{period}"
    );
    // The term so far: from the week of Friday 1 September (its first day) to this week,
    // eleven weeks, Monday to Sunday.
    let rows = trend_rows(&browser).await;
    assert_eq!(rows.len(), 11, "{rows:?}");
    assert_eq!(rows[0], row("8月28日至9月3日", "0", "0"));
    // Last week: Friday 3's day and the episode it began (Saturday 4 is no school day).
    assert_eq!(rows[9], row("10月30日至11月5日", "1", "1"));
    // This week: Monday 6 (the same episode), Thursday 9 at the middle school, Tuesday 7 to
    // Thursday 9 at the primary school: five days, two episodes begun.
    assert_eq!(rows[10], row("11月6日至11月12日", "5", "2"));
    assert!(
        rows[..9].iter().all(|r| r[1] == "0" && r[2] == "0"),
        "{rows:?}"
    );
    // The chart: named, two bars a week and the legend's two keys.
    let (title, bars) = chart(&browser).await;
    assert_eq!(
        title,
        "2023年9月1日至2023年11月10日每周无故缺勤天数与新开始的缺勤段数"
    );
    assert_eq!(bars, 11 * 2 + 2);
    show_trend(&browser).await;
    check_page(&browser, "dashboard-trend", Device::Desktop).await;

    // In English, the same figures.
    click(&browser, "a[href^='/lang/en']").await;
    assert_eq!(
        text_of(&browser, "#trend-heading").await,
        "Absences by week"
    );
    let rows = trend_rows(&browser).await;
    assert_eq!(rows[9], row("Oct 30 to Nov 5", "1", "1"));
    assert_eq!(rows[10], row("Nov 6 to Nov 12", "5", "2"));
    show_trend(&browser).await;
    check_page(&browser, "dashboard-trend-en", Device::Desktop).await;
    browser.close().await;
}

async fn a_principal_on_her_phone_sees_the_trend_of_her_school_only(backend: Backend) {
    let console = county_with_two_weeks_of_absences(backend).await;
    let browser = Browser::open(Device::Phone).await;
    log_in_first_time(&browser, &console, PRINCIPAL, &console.one_time[PRINCIPAL]).await;
    open(&browser, &console, "/dashboard", "辖区概况").await;
    // The primary school's child alone: three days of this week, one episode.
    let rows = trend_rows(&browser).await;
    assert_eq!(rows.len(), 11, "{rows:?}");
    assert_eq!(rows[9], row("10月30日至11月5日", "0", "0"));
    assert_eq!(rows[10], row("11月6日至11月12日", "3", "1"));
    let (_, bars) = chart(&browser).await;
    assert_eq!(bars, 11 * 2 + 2);
    show_trend(&browser).await;
    check_page(&browser, "dashboard-trend", Device::Phone).await;
    browser.close().await;
}

conformance!(
    the_township_officer_sees_each_week_of_the_term_with_its_absences_and_episodes,
    a_principal_on_her_phone_sees_the_trend_of_her_school_only,
);
