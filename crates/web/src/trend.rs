//! The dashboard's weekly trend (issue 17): the jurisdiction's unexcused absence days and the
//! episodes begun, week by week (Monday to Sunday) over the term so far, as a bar chart drawn
//! on the server (inline SVG, both series side by side on one scale, labelled axes and a
//! legend) and as a table with the same figures. The figures are the API's dashboard's
//! `trend` (`GET /api/v1/dashboard`); this module only draws them.

use chrono::Datelike;
use notoneless_api::cases::queue::Trend;
use notoneless_i18n::{Lang, Message, Msg};

/// The chart's size, in its own units (the stylesheet scales it down to a phone's width).
const WIDTH: i64 = 420;
/// Room left of the plot for the count axis's labels and title.
const LEFT: i64 = 48;
const RIGHT: i64 = 8;
/// Room above the plot for the legend.
const TOP: i64 = 34;
const PLOT_HEIGHT: i64 = 150;
/// Room below the plot for the weeks' labels and the axis's title.
const BOTTOM: i64 = 46;
/// At most this many weeks are labelled under the axis (every k-th week).
const LABELS: usize = 7;

/// One week: its figures for the table, its bars for the chart.
pub struct TrendRow {
    /// "9月4日至9月10日".
    pub label: String,
    pub absence_days: i64,
    pub episodes: i64,
    /// The bars' left edges and heights, and where the week's label goes (if it has one).
    pub absence_x: String,
    pub absence_y: String,
    pub absence_height: String,
    pub episode_x: String,
    pub episode_y: String,
    pub episode_height: String,
    pub tick: Option<(String, String)>,
}

/// A line of the count axis: its height and its figure.
pub struct Gridline {
    pub y: String,
    pub value: i64,
}

/// The trend as the template draws it.
pub struct TrendChart {
    /// The days counted, in words; `None`: no term has begun, nothing to show.
    pub period: Option<String>,
    /// The chart's accessible name.
    pub title: String,
    pub rows: Vec<TrendRow>,
    pub gridlines: Vec<Gridline>,
    pub bar_width: String,
    pub width: i64,
    pub height: i64,
    pub plot_left: i64,
    pub plot_right: i64,
    pub plot_top: i64,
    pub plot_bottom: i64,
    /// Where the axes' titles go.
    pub weeks_title_x: i64,
    pub weeks_title_y: i64,
    pub count_title_y: i64,
}

/// A day as the trend writes it, without its year ("9月4日", "Sep 4").
fn short_day(day: chrono::NaiveDate) -> Message {
    Message::new(Msg::ConsoleTrendDay)
        .with("month", day.month())
        .with("day", day.day())
}

/// The top of the count axis and its step: a round step (1, 2 or 5 times a power of ten)
/// giving at most four lines above zero, and a top at least `most`.
fn scale(most: i64) -> (i64, i64) {
    let most = most.max(1);
    let mut power = 1;
    loop {
        for step in [power, 2 * power, 5 * power] {
            let lines = (most + step - 1) / step;
            if lines <= 4 {
                return (lines * step, step);
            }
        }
        power *= 10;
    }
}

/// A coordinate, to one decimal.
fn at(x: f64) -> String {
    format!("{x:.1}")
}

impl TrendChart {
    pub fn of(trend: Option<&Trend>, lang: Lang) -> Self {
        let weeks = trend.map_or(&[][..], |t| t.weeks.as_slice());
        let most = weeks
            .iter()
            .map(|w| w.absence_days.max(w.episodes))
            .max()
            .unwrap_or(0);
        let (top, step) = scale(most);
        let plot_bottom = TOP + PLOT_HEIGHT;
        let y_of = |n: i64| plot_bottom as f64 - (n as f64) * (PLOT_HEIGHT as f64) / (top as f64);
        let slot = (WIDTH - LEFT - RIGHT) as f64 / weeks.len().max(1) as f64;
        let bar = slot * 0.38;
        let every = weeks.len().div_ceil(LABELS).max(1);
        let rows = weeks
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let left = LEFT as f64 + slot * i as f64 + slot * 0.12;
                TrendRow {
                    label: Message::new(Msg::ConsoleTrendWeekRange)
                        .with("monday", short_day(w.week_start))
                        .with("sunday", short_day(w.week_end))
                        .text(lang),
                    absence_days: w.absence_days,
                    episodes: w.episodes,
                    absence_x: at(left),
                    absence_y: at(y_of(w.absence_days)),
                    absence_height: at(plot_bottom as f64 - y_of(w.absence_days)),
                    episode_x: at(left + bar),
                    episode_y: at(y_of(w.episodes)),
                    episode_height: at(plot_bottom as f64 - y_of(w.episodes)),
                    tick: (i % every == 0).then(|| {
                        (
                            at(LEFT as f64 + slot * (i as f64 + 0.5)),
                            short_day(w.week_start).text(lang),
                        )
                    }),
                }
            })
            .collect();
        let gridlines = (0..=top / step)
            .map(|k| Gridline {
                y: at(y_of(k * step)),
                value: k * step,
            })
            .collect();
        let (period, title) = match trend {
            Some(t) => (
                Some(
                    Message::new(Msg::ConsoleTrendPeriod)
                        .with("from", t.from)
                        .with("until", t.until)
                        .text(lang),
                ),
                Message::new(Msg::ConsoleTrendChart)
                    .with("from", t.from)
                    .with("until", t.until)
                    .text(lang),
            ),
            None => (None, Msg::ConsoleTrendHeading.text(lang)),
        };
        TrendChart {
            period,
            title,
            rows,
            gridlines,
            bar_width: at(bar),
            width: WIDTH,
            height: TOP + PLOT_HEIGHT + BOTTOM,
            plot_left: LEFT,
            plot_right: WIDTH - RIGHT,
            plot_top: TOP,
            plot_bottom,
            weeks_title_x: LEFT + (WIDTH - LEFT - RIGHT) / 2,
            weeks_title_y: TOP + PLOT_HEIGHT + BOTTOM - 6,
            count_title_y: TOP + PLOT_HEIGHT / 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::scale;

    #[test]
    fn the_count_axis_ends_on_a_round_figure_at_or_above_the_largest() {
        assert_eq!(scale(0), (1, 1));
        assert_eq!(scale(3), (3, 1));
        assert_eq!(scale(7), (8, 2));
        assert_eq!(scale(13), (15, 5));
        assert_eq!(scale(20), (20, 5));
        assert_eq!(scale(187), (200, 50));
    }
}
