//! The accountability review over HTTP: findings with their evidence and who answers for
//! them, in the caller's jurisdiction.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use notoneless_domain::{Review, ReviewSettings, SchoolSummary, UserRole};
use notoneless_store::review::run_review;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::{Caller, visible_schools_within};
use crate::error::{ApiError, ErrorBody};
use crate::org::UserView;

/// Who may run a review: the bureau and inspectors for the county, a township officer for the
/// township, a principal for the school.
pub const REVIEWERS: &[UserRole] = &[
    UserRole::BureauOfficer,
    UserRole::Inspector,
    UserRole::TownshipOfficer,
    UserRole::Principal,
];

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
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
    Query(query): Query<ReviewQuery>,
) -> Result<Json<ReviewView>, ApiError> {
    if !REVIEWERS.contains(&caller.user.role) {
        return Err(ApiError::Forbidden(format!(
            "a {} may not run a review",
            caller.user.role.as_str()
        )));
    }
    if query.until < query.from {
        return Err(ApiError::malformed("until: before from", Some("until")));
    }
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let schools = visible_schools_within(org, &caller.user, [&query.township, &query.school]);
    let known_at = query.known_at.map(|t| t.with_timezone(&Utc));
    let review = run_review(
        &state.store,
        query.from,
        query.until,
        known_at,
        schools.as_deref(),
        &ReviewSettings::default(),
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
    Ok(Json(ReviewView {
        review,
        townships: townships.into_values().collect(),
        staff,
    }))
}
