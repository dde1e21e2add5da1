//! The reader's jurisdiction at a glance (`/dashboard`): per township and per school, the cases
//! in an open episode (away now: absent or escalated), the steps overdue and, for those who
//! may run a review, the unreported dropouts of the term so far, as bar charts drawn on the
//! server (inline SVG, no script) and as a table. The counts are the API's dashboard
//! (`GET /api/v1/dashboard`) and review (`GET /api/v1/reviews`, access-logged as any review).
//! Below them, the weekly trend of absences and episodes (`trend.rs`), from the same answer.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use notoneless_api::AppState;
use notoneless_api::auth::REVIEWERS;
use notoneless_api::cases::StatusQuery;
use notoneless_api::cases::queue::{Counts, dashboard, term_of};
use notoneless_api::extract::QueryParams;
use notoneless_api::reviews::{ReviewQuery, get_review};
use notoneless_i18n::{Message, Msg};

use crate::shell::{Shell, Viewer, failed_with, render};
use crate::trend::TrendChart;

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
    /// The unreported dropouts of the term so far (`None`: the reader runs no review).
    pub unreported: Option<u64>,
    pub unreported_bar: i64,
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
    /// Whether the unreported dropouts are shown, and since when ("本学期（9月1日起）").
    unreported_since: Option<String>,
    /// The weekly trend of absences and episodes (`trend.rs`).
    trend: TrendChart,
}

/// The height of one line of a chart.
const LINE_HEIGHT: i64 = 56;

/// The unreported dropouts per school and per township (by node id), of the review of the
/// term so far.
type Unreported = BTreeMap<String, u64>;

fn chart(heading: String, counts: &[Counts], unreported: Option<&Unreported>) -> Chart {
    let away = |c: &Counts| AWAY.iter().filter_map(|s| c.by_stage.get(*s)).sum::<i64>();
    let unreported_of =
        |c: &Counts| unreported.map(|u| u.get(&c.node).copied().unwrap_or_default());
    let most = counts
        .iter()
        .map(|c| {
            let u = unreported_of(c).map_or(0, |u| i64::try_from(u).unwrap_or(i64::MAX));
            away(c).max(c.overdue_obligations).max(u)
        })
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
            unreported: unreported_of(c),
            unreported_bar: unreported_of(c)
                .map_or(0, |u| bar(i64::try_from(u).unwrap_or(i64::MAX))),
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
    let unreported = match unreported_this_term(&state, &viewer).await {
        Ok(unreported) => unreported,
        Err(page) => return page,
    };
    let counted = unreported.as_ref().map(|(_, counts)| counts);
    render(&DashboardPage {
        shell: Shell::of(&viewer, Msg::ConsoleDashboardTitle, "/dashboard"),
        charts: vec![
            chart(
                Msg::ConsoleDashboardTownships.text(lang),
                &counts.townships,
                counted,
            ),
            chart(
                Msg::ConsoleDashboardSchools.text(lang),
                &counts.schools,
                counted,
            ),
        ],
        unreported_since: unreported.map(|(from, _)| {
            Message::new(Msg::ConsoleDashboardUnreportedSince)
                .with("from", from)
                .text(lang)
        }),
        trend: TrendChart::of(counts.trend.as_ref(), lang),
    })
}

/// For a reader who may run a review: the review of the term so far in their jurisdiction
/// (the API's own, so checked and access-logged the same way), its unreported dropouts per
/// school and township. `None` for anyone else, or between terms.
async fn unreported_this_term(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Option<(NaiveDate, Unreported)>, Response> {
    if !REVIEWERS.allows(viewer.caller.user.role) {
        return Ok(None);
    }
    let calendar = state.store.rules.get().calendar.clone();
    let today = calendar.local_date(state.store.clock.now());
    let Some(from) = term_of(&calendar, today).map(|t| t.first_day) else {
        return Ok(None);
    };
    let query = ReviewQuery {
        from,
        until: today,
        township: None,
        school: None,
        known_at: None,
        late_entry_days: None,
        transfer_confirmation_days: None,
        follow_up_days: None,
    };
    let review = get_review(
        State(state.clone()),
        viewer.caller.clone(),
        QueryParams(query),
    )
    .await
    .map_err(|refused| failed_with(viewer.lang, &refused))?
    .0;
    let counts = review
        .schools
        .iter()
        .chain(&review.townships)
        .map(|s| (s.school.clone(), s.unreported_dropouts))
        .collect();
    Ok(Some((from, counts)))
}
