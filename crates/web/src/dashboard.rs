//! The county at a glance (`/dashboard`): per township and per school, the cases in an open
//! episode (away now: absent or escalated) and the steps overdue, as bar charts drawn on the
//! server (inline SVG, no script) and as a table. The counts are the API's dashboard
//! (`GET /api/v1/dashboard`), the reader's jurisdiction's part.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use notoneless_api::AppState;
use notoneless_api::cases::StatusQuery;
use notoneless_api::cases::queue::{Counts, dashboard};
use notoneless_api::extract::QueryParams;
use notoneless_i18n::Msg;

use crate::shell::{Shell, Viewer, failed_with, render};

/// The stages of a case in an open episode, as the read model names them.
const AWAY: [&str; 2] = ["absent", "escalated"];

/// The longest bar, in the chart's units.
const BAR_WIDTH: i64 = 360;

/// A township or school, its counts, and its bars' lengths.
pub struct Line {
    pub name: String,
    pub cases: i64,
    pub away: i64,
    pub overdue: i64,
    pub away_bar: i64,
    pub overdue_bar: i64,
    /// The line's vertical place in the chart.
    pub y: i64,
}

/// A chart and table of townships or of schools.
pub struct Chart {
    pub heading: String,
    pub lines: Vec<Line>,
    pub height: i64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    shell: Shell,
    charts: Vec<Chart>,
}

/// The height of one line of a chart.
const LINE_HEIGHT: i64 = 44;

fn chart(heading: String, counts: &[Counts]) -> Chart {
    let away = |c: &Counts| AWAY.iter().filter_map(|s| c.by_stage.get(*s)).sum::<i64>();
    let most = counts
        .iter()
        .map(|c| away(c).max(c.overdue_obligations))
        .max()
        .unwrap_or(0)
        .max(1);
    let bar = |n: i64| n * BAR_WIDTH / most;
    let lines: Vec<Line> = counts
        .iter()
        .zip(0..)
        .map(|(c, i)| Line {
            name: c.name.clone(),
            cases: c.cases,
            away: away(c),
            overdue: c.overdue_obligations,
            away_bar: bar(away(c)),
            overdue_bar: bar(c.overdue_obligations),
            y: i * LINE_HEIGHT,
        })
        .collect();
    Chart {
        heading,
        height: i64::try_from(lines.len()).unwrap_or(i64::MAX).max(1) * LINE_HEIGHT,
        lines,
    }
}

/// `GET /dashboard`.
pub async fn page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let lang = viewer.lang;
    let counts = match dashboard(
        State(state.clone()),
        viewer.caller.clone(),
        QueryParams(StatusQuery { min_position: None }),
    )
    .await
    {
        Ok(counts) => counts.0,
        Err(refused) => return failed_with(lang, &refused),
    };
    render(&DashboardPage {
        shell: Shell::of(&viewer, Msg::ConsoleDashboardTitle, "/dashboard"),
        charts: vec![
            chart(Msg::ConsoleDashboardTownships.text(lang), &counts.townships),
            chart(Msg::ConsoleDashboardSchools.text(lang), &counts.schools),
        ],
    })
}
