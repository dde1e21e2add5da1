//! What the caller must act on (the work queue) and how the jurisdiction stands (the
//! dashboard), from the read models.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Days, NaiveDate, Utc};
use notoneless_domain::{ObligationKind, Recipient, SchoolCalendar, Term, UserRole};
use notoneless_store::read_model::{
    QueueQuery, WorkReason, absence_trend, monday_of, obligation_kind_name, obligation_label,
    school_counts, work_queue,
};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{StatusQuery, read_your_write};
use crate::auth::{Caller, visible_schools};
use crate::error::{ApiError, ErrorBody, request_lang};
use crate::extract::QueryParams;
use crate::state::AppState;

/// An obligation the caller must act on.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItemView {
    pub case_id: String,
    pub school: String,
    /// The name of the child's school.
    pub school_name: Option<String>,
    /// The child: name, student number (学籍号), grade and class.
    pub name: String,
    pub student_number: String,
    pub grade: i64,
    pub class: String,
    /// The episode's index in the case's assessment.
    pub episode: i64,
    /// The ladder step's index.
    pub step: i64,
    /// contact_parents, home_visit, report:township_government, report:county_bureau
    pub kind: String,
    /// The step's name in the request's language ("家访", "向乡镇政府报告").
    pub kind_label: String,
    #[schema(value_type = Vec<String>)]
    pub owners: Value,
    pub trigger_day: NaiveDate,
    pub due: DateTime<Utc>,
    pub overdue: bool,
    /// `record` (a step your role owes and may record), `acknowledge` (a report to your
    /// office, not yet acknowledged) or `supervise` (督办: a report overdue in your
    /// jurisdiction, an unreported dropout while it lasts).
    #[schema(value_type = String)]
    pub reason: WorkReason,
    /// For a report: the day it was made (to acknowledge).
    pub done_on: Option<NaiveDate>,
}

/// What a role's work queue holds: the kinds of step it may record (from the domain's one
/// table of recorders), the reports it acknowledges, and for the offices that acknowledge,
/// every overdue report (督办). The API's queue and the console's "today" ask the same.
pub fn queue_of(role: UserRole) -> Result<QueueQuery, ApiError> {
    let mut kinds = Vec::new();
    for kind in ObligationKind::EVERY {
        if kind.fulfilled_by().may_be_recorded_by(role) {
            kinds.push(obligation_kind_name(kind)?);
        }
    }
    let acknowledge = [Recipient::TownshipGovernment, Recipient::CountyBureau]
        .into_iter()
        .find(|r| r.acknowledged_by() == role)
        .map(|recipient| obligation_kind_name(ObligationKind::Report { recipient }))
        .transpose()?;
    Ok(QueueQuery {
        role: role.case_role().map(|r| r.as_str().to_string()),
        kinds,
        supervise: acknowledge.is_some(),
        acknowledge,
    })
}

/// My work queue: in my jurisdiction, the open and overdue steps my role owes and may record
/// (a report upward only for the principal, who signs it); for a township or bureau officer,
/// the reports to the office not yet acknowledged and (督办) every report overdue. The
/// longest overdue first.
#[utoipa::path(get, path = "/api/v1/work-queue", tag = "reads", params(StatusQuery),
    responses((status = 200, body = Vec<WorkItemView>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn my_work_queue(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<StatusQuery>,
) -> Result<Json<Vec<WorkItemView>>, ApiError> {
    read_your_write(&state, query.min_position).await?;
    let queue = queue_of(caller.user.role)?;
    let snapshot = state.store.org.current();
    let schools = visible_schools(&snapshot.org, &caller.user);
    let now = state.store.clock.now();
    let items = work_queue(&state.store.db, &queue, schools.as_deref(), now, 500).await?;
    let lang = request_lang();
    Ok(Json(
        items
            .into_iter()
            .map(|w| WorkItemView {
                school_name: snapshot.org.nodes.get(&w.school).map(|n| n.name.clone()),
                kind_label: obligation_label(&w.obligation.kind)
                    .map_or_else(|| w.obligation.kind.clone(), |m| m.text(lang)),
                case_id: w.case_id,
                school: w.school,
                name: w.name,
                student_number: w.student_number,
                grade: w.grade,
                class: w.class,
                episode: w.obligation.episode,
                step: w.obligation.step,
                kind: w.obligation.kind,
                owners: w.obligation.owners,
                trigger_day: w.obligation.trigger_day,
                due: w.obligation.due,
                overdue: w.overdue,
                reason: w.reason,
                done_on: w.obligation.done_on,
            })
            .collect(),
    ))
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Counts {
    /// The school's or township's node id.
    pub node: String,
    pub name: String,
    pub cases: i64,
    pub by_stage: BTreeMap<String, i64>,
    pub overdue_obligations: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub schools: Vec<Counts>,
    pub townships: Vec<Counts>,
    /// The weekly trend of absences and episodes in the jurisdiction; none when the calendar
    /// has no term that has begun.
    pub trend: Option<Trend>,
}

/// The weekly trend of the jurisdiction's absences and episodes, over the term so far
/// ([`trend_period`]), a week from Monday to Sunday.
#[derive(Debug, Serialize, ToSchema)]
pub struct Trend {
    /// The first day counted: the term's first day (at most [`TREND_WEEKS`] weeks back).
    pub from: NaiveDate,
    /// The last day counted: today, or between terms the last term's last day.
    pub until: NaiveDate,
    /// Every week from the one `from` falls in to the one `until` falls in, in order.
    pub weeks: Vec<TrendWeek>,
}

/// One week of the trend. Only the days from the trend's `from` to its `until` count.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendWeek {
    /// The week's Monday.
    pub week_start: NaiveDate,
    /// The week's Sunday.
    pub week_end: NaiveDate,
    /// The unexcused absence days that week (the days the ladder counts, by the day they
    /// happened: a school day, not on leave, enrolled).
    pub absence_days: i64,
    /// The episodes (runs of consecutive unexcused school days, as the ladder counts them)
    /// that began that week.
    pub episodes: i64,
}

/// The most weeks the trend goes back.
pub const TREND_WEEKS: u64 = 26;

/// The term `day` falls in, if any.
pub fn term_of(calendar: &SchoolCalendar, day: NaiveDate) -> Option<&Term> {
    calendar
        .spec()
        .terms
        .iter()
        .find(|t| t.first_day <= day && day <= t.last_day)
}

/// The days the trend counts at `today`: the term so far (its first day to today); between
/// terms, the last term that has ended, whole; none before the first term. Never more than
/// [`TREND_WEEKS`] weeks, ending with the week of its last day.
pub fn trend_period(calendar: &SchoolCalendar, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let (first, last) = match term_of(calendar, today) {
        Some(term) => (term.first_day, today),
        None => calendar
            .spec()
            .terms
            .iter()
            .filter(|t| t.last_day < today)
            .max_by_key(|t| t.last_day)
            .map(|t| (t.first_day, t.last_day))?,
    };
    let earliest = monday_of(last)
        .checked_sub_days(Days::new(7 * (TREND_WEEKS - 1)))
        .unwrap_or(first);
    Some((first.max(earliest), last))
}

/// Counts of cases by stage, and of overdue obligations, per school and per township, in
/// the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "reads", params(StatusQuery),
    responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<StatusQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    read_your_write(&state, query.min_position).await?;
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let schools = visible_schools(org, &caller.user);
    let now = state.store.clock.now();
    let counts = school_counts(&state.store.db, schools.as_deref(), now).await?;
    let rules = state.store.rules.get();
    let calendar = &rules.calendar;
    let trend = match trend_period(calendar, calendar.local_date(now)) {
        Some((from, until)) => Some(Trend {
            from,
            until,
            weeks: absence_trend(&state.store.db, schools.as_deref(), from, until)
                .await?
                .into_iter()
                .map(|w| TrendWeek {
                    week_start: w.monday,
                    week_end: w.monday + Days::new(6),
                    absence_days: w.absence_days,
                    episodes: w.episodes,
                })
                .collect(),
        }),
        None => None,
    };
    let name = |id: &str| {
        org.nodes
            .get(id)
            .map_or_else(|| id.to_string(), |n| n.name.clone())
    };
    let mut townships: BTreeMap<String, Counts> = BTreeMap::new();
    let mut per_school = Vec::new();
    for c in counts {
        let township = org.township_of(&c.school).unwrap_or("").to_string();
        let t = townships.entry(township.clone()).or_insert_with(|| Counts {
            name: name(&township),
            node: township,
            ..Default::default()
        });
        t.cases += c.cases;
        t.overdue_obligations += c.overdue_obligations;
        for (stage, n) in &c.by_stage {
            *t.by_stage.entry(stage.clone()).or_default() += n;
        }
        per_school.push(Counts {
            name: name(&c.school),
            node: c.school,
            cases: c.cases,
            by_stage: c.by_stage,
            overdue_obligations: c.overdue_obligations,
        });
    }
    Ok(Json(Dashboard {
        schools: per_school,
        townships: townships.into_values().collect(),
        trend,
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::NaiveDate;
    use notoneless_domain::{SchoolCalendar, Term};

    use super::trend_period;

    fn d(day: &str) -> NaiveDate {
        day.parse().unwrap()
    }

    fn term(first: &str, last: &str) -> Term {
        Term {
            name: first.into(),
            first_day: d(first),
            last_day: d(last),
        }
    }

    #[test]
    fn the_trend_covers_the_term_so_far_or_between_terms_the_last_one_whole() {
        let calendar = SchoolCalendar::new(
            vec![
                term("2023-09-01", "2024-01-19"),
                term("2024-02-26", "2024-07-05"),
            ],
            [],
            [],
        )
        .unwrap();
        // In a term: from its first day to today.
        assert_eq!(
            trend_period(&calendar, d("2023-11-10")),
            Some((d("2023-09-01"), d("2023-11-10")))
        );
        assert_eq!(
            trend_period(&calendar, d("2023-09-01")),
            Some((d("2023-09-01"), d("2023-09-01")))
        );
        // In the winter break: the autumn term, whole.
        assert_eq!(
            trend_period(&calendar, d("2024-02-01")),
            Some((d("2023-09-01"), d("2024-01-19")))
        );
        // Before the first term: nothing.
        assert_eq!(trend_period(&calendar, d("2023-08-31")), None);
    }

    #[test]
    fn the_trend_goes_back_at_most_twenty_six_weeks() {
        // Every weekday a school day (no calendar recorded): one endless term.
        let calendar = SchoolCalendar::every_weekday();
        // Friday 10 November 2023: its week's Monday is the 6th, 25 weeks before it 15 May.
        assert_eq!(
            trend_period(&calendar, d("2023-11-10")),
            Some((d("2023-05-15"), d("2023-11-10")))
        );
    }
}
