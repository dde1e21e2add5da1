//! The accountability review over HTTP: findings with their evidence and who answers for
//! them, in the caller's jurisdiction.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use notoneless_domain::{Organisation, Review, ReviewSettings, SchoolSummary};
use notoneless_store::access::ReadKind;
use notoneless_store::exports::{FINDING_CASE_COLUMN, cases_shown, review_findings};
use notoneless_store::review::run_review;
use notoneless_store::table::{Format, Lang};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::state::AppState;
use crate::auth::{Caller, visible_schools_within};
use crate::access_log::log_reads;
use crate::error::{ApiError, ErrorBody};
use crate::exports::download;
use crate::extract::QueryParams;
use crate::org::UserView;
use crate::streamed::StreamedJson;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// The first day of the period, YYYY-MM-DD.
    pub from: NaiveDate,
    /// The last day of the period, YYYY-MM-DD.
    pub until: NaiveDate,
    pub township: Option<String>,
    pub school: Option<String>,
    /// Review as the system knew it at this instant (RFC 3339): facts recorded by then, the
    /// calendar as it was then.
    pub known_at: Option<DateTime<FixedOffset>>,
    /// A fact recorded more than this many days after its day is a late entry (default 2;
    /// 0 to 365).
    #[param(minimum = 0, maximum = 365)]
    pub late_entry_days: Option<i64>,
    /// A transfer not confirmed within this many days is a finding (default 14; 0 to 365).
    #[param(minimum = 0, maximum = 365)]
    pub transfer_confirmation_days: Option<i64>,
    /// A report with no follow-up within this many days, the child still away, is a finding
    /// (default 7; 0 to 365).
    #[param(minimum = 0, maximum = 365)]
    pub follow_up_days: Option<i64>,
}

/// The review's query and the download's choices. (Written out, not flattened: a flattened
/// query string cannot carry numbers.)
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewExportQuery {
    /// The first day of the period, YYYY-MM-DD.
    pub from: NaiveDate,
    /// The last day of the period, YYYY-MM-DD.
    pub until: NaiveDate,
    pub township: Option<String>,
    pub school: Option<String>,
    /// Review as the system knew it at this instant (RFC 3339).
    pub known_at: Option<DateTime<FixedOffset>>,
    /// Default 2; 0 to 365.
    #[param(minimum = 0, maximum = 365)]
    pub late_entry_days: Option<i64>,
    /// Default 14; 0 to 365.
    #[param(minimum = 0, maximum = 365)]
    pub transfer_confirmation_days: Option<i64>,
    /// Default 7; 0 to 365.
    #[param(minimum = 0, maximum = 365)]
    pub follow_up_days: Option<i64>,
    /// `csv` (the default) or `xlsx`.
    pub format: Option<Format>,
    /// `zh` (the default) or `en`.
    pub lang: Option<Lang>,
}

impl ReviewExportQuery {
    fn review(&self) -> ReviewQuery {
        ReviewQuery {
            from: self.from,
            until: self.until,
            township: self.township.clone(),
            school: self.school.clone(),
            known_at: self.known_at,
            late_entry_days: self.late_entry_days,
            transfer_confirmation_days: self.transfer_confirmation_days,
            follow_up_days: self.follow_up_days,
        }
    }
}

/// The longest period one review covers, in days, both ends included: a school year.
pub const MAX_REVIEW_DAYS: i64 = 366;

/// What a review request asks for, checked: the caller may review, the period is a period,
/// the thresholds are sensible; the schools are those the caller may see within the
/// township and school asked for.
struct Checked {
    from: NaiveDate,
    until: NaiveDate,
    known_at: Option<DateTime<Utc>>,
    schools: Option<Vec<String>>,
    settings: ReviewSettings,
}

fn check(org: &Organisation, caller: &Caller, query: &ReviewQuery) -> Result<Checked, ApiError> {
    if query.until < query.from {
        return Err(ApiError::malformed("until: before from", Some("until")));
    }
    // A review walks every school day of its period; a period of centuries took minutes and
    // made a findings table too long for a spreadsheet (a 500). A school year is the most.
    if (query.until - query.from).num_days() >= MAX_REVIEW_DAYS {
        return Err(ApiError::malformed(
            format!("until: a review covers at most {MAX_REVIEW_DAYS} days from `from`"),
            Some("until"),
        ));
    }
    let defaults = ReviewSettings::default();
    let settings = ReviewSettings {
        late_entry_days: query.late_entry_days.unwrap_or(defaults.late_entry_days),
        transfer_confirmation_days: query
            .transfer_confirmation_days
            .unwrap_or(defaults.transfer_confirmation_days),
        follow_up_days: query.follow_up_days.unwrap_or(defaults.follow_up_days),
    }
    .checked()
    .map_err(|e| ApiError::malformed(e.to_string(), Some(e.field())))?;
    Ok(Checked {
        from: query.from,
        until: query.until,
        known_at: query.known_at.map(|t| t.with_timezone(&Utc)),
        schools: visible_schools_within(org, &caller.user, [&query.township, &query.school]),
        settings,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    #[serde(flatten)]
    pub review: Review,
    /// The schools' counts added up per township.
    pub townships: Vec<SchoolSummary>,
    /// The staff of each school with findings, so that the persons who answer can be named.
    pub staff: BTreeMap<String, Vec<UserView>>,
}

/// The accountability review of a period.
#[utoipa::path(get, path = "/api/v1/reviews", tag = "reviews", params(ReviewQuery),
    responses((status = 200, body = ReviewView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_review(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<ReviewQuery>,
) -> Result<StreamedJson<ReviewView>, ApiError> {
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let checked = check(org, &caller, &query)?;
    let review = run_review(
        &state.store,
        checked.from,
        checked.until,
        checked.known_at,
        checked.schools.as_deref(),
        &checked.settings,
    )
    .await?;
    let mut staff: BTreeMap<String, Vec<UserView>> = BTreeMap::new();
    for finding in &review.findings {
        staff.entry(finding.school.clone()).or_insert_with(|| {
            org.users
                .values()
                .filter(|u| u.node == finding.school)
                .map(|u| UserView {
                    id: u.id.clone(),
                    name: u.name.clone(),
                    role: u.role,
                    node: u.node.clone(),
                    active: org.is_active(&u.id),
                })
                .collect()
        });
    }
    let mut townships: BTreeMap<String, SchoolSummary> = BTreeMap::new();
    for school in &review.schools {
        let township = org
            .township_of(&school.school)
            .unwrap_or_default()
            .to_string();
        let t = townships
            .entry(township.clone())
            .or_insert_with(|| SchoolSummary {
                school: township,
                ..SchoolSummary::default()
            });
        t.cases += school.cases;
        t.episodes += school.episodes;
        t.steps_on_time += school.steps_on_time;
        t.steps_late += school.steps_late;
        t.steps_missing += school.steps_missing;
        t.unreported_dropouts += school.unreported_dropouts;
    }
    Ok(StreamedJson(ReviewView {
        review,
        townships: townships.into_values().collect(),
        staff,
    }))
}

/// Download the findings of a review as a table (one row per finding, with the child, the
/// roles that answer for it and the staff who hold them today), as CSV or XLSX, with Chinese
/// (default) or English headers and labels. The same access and parameters as
/// `GET /api/v1/reviews`.
#[utoipa::path(get, path = "/api/v1/reviews/export", tag = "reviews", params(ReviewExportQuery),
    responses(
        (status = 200, description = "The findings, as a file to save",
            content((String = "text/csv"), (crate::exports::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export_review(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<ReviewExportQuery>,
) -> Result<Response, ApiError> {
    let snapshot = state.store.org.current();
    let checked = check(&snapshot.org, &caller, &query.review())?;
    let table = review_findings(
        &state.store,
        checked.from,
        checked.until,
        checked.known_at,
        checked.schools.as_deref(),
        &checked.settings,
    )
    .await?;
    // The download names each child: every case in it is recorded in the access log first.
    let cases = cases_shown(&table, FINDING_CASE_COLUMN);
    log_reads(&state, &caller, ReadKind::ReviewExport, None, &cases).await?;
    download(
        &table,
        query.format,
        query.lang,
        &format!("review-{}-{}", checked.from, checked.until),
    )
}
