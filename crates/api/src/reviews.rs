//! The accountability review over HTTP: findings with their evidence and who answers for
//! them, in the caller's jurisdiction.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use notoneless_domain::{
    Finding, FindingKind, Organisation, ReviewScope, ReviewSettings, Role, SchoolSummary,
    StudentProfile,
};
use notoneless_i18n::{Lang, Message};
use notoneless_store::access::ReadKind;
use notoneless_store::exports::{FINDING_CASE_COLUMN, cases_shown, review_findings};
use notoneless_store::review::run_review_with_profiles;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access_log::log_reads;
use crate::auth::{Caller, visible_schools_within};
use crate::error::{ApiError, ErrorBody, request_lang};
use crate::exports::{DownloadQuery, ExportQuery, download};
use crate::extract::QueryParams;
use crate::org::UserView;
use crate::state::AppState;
use crate::streamed::StreamedJson;

/// A review request: the period, the township or school, the instant it is "as known at" and
/// the thresholds (each left out is its default). `GET /api/v1/reviews` takes it as its query
/// string; the download takes it with the download's choices ([`DownloadQuery`]).
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

impl ReviewQuery {
    /// What the request asks for, checked (the row's access let only reviewers in): the scope is one
    /// ([`ReviewScope::new`]: the period, the thresholds; a fault names its parameter); its
    /// schools are those the caller may see within the township and school asked for.
    fn scope(&self, org: &Organisation, caller: &Caller) -> Result<ReviewScope, ApiError> {
        let defaults = ReviewSettings::default();
        let settings = ReviewSettings {
            late_entry_days: self.late_entry_days.unwrap_or(defaults.late_entry_days),
            transfer_confirmation_days: self
                .transfer_confirmation_days
                .unwrap_or(defaults.transfer_confirmation_days),
            follow_up_days: self.follow_up_days.unwrap_or(defaults.follow_up_days),
        };
        let scope = ReviewScope::new(self.from, self.until, settings)
            .map_err(|e| ApiError::malformed_field(e.field(), e.message()))?;
        Ok(scope
            .as_known_at(self.known_at.map(|t| t.with_timezone(&Utc)))
            .of_schools(visible_schools_within(
                org,
                &caller.user,
                [&self.township, &self.school],
            )))
    }
}

/// One finding as the API shows it: the domain's finding with the child it concerns, the
/// names of its school and kind, and its texts rendered in the request's language
/// (`Accept-Language`; Chinese by default). `detail` is the rendered text and
/// `detail_message` the catalogue's message it was rendered from (id and arguments), for a
/// client that renders it itself; `facts` names the evidence by the facts' days and kinds,
/// in the order of `evidence`, which keeps their sequence numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    pub kind: FindingKind,
    pub kind_label: String,
    pub case_id: String,
    pub school: String,
    pub school_name: Option<String>,
    /// The child, for a finding about a case (none for a school's roll calls or the county's
    /// calendar).
    pub child: Option<ChildView>,
    pub day: NaiveDate,
    pub detail: String,
    #[schema(value_type = notoneless_i18n::MessageJson)]
    pub detail_message: Message,
    pub evidence: Vec<u64>,
    pub facts: Vec<String>,
    pub responsible: Vec<Role>,
}

/// The child a finding concerns, as the lists show a child.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildView {
    pub name: String,
    pub student_number: String,
    pub grade: u8,
    pub class: String,
}

impl FindingView {
    fn of(
        finding: Finding,
        profiles: &BTreeMap<String, StudentProfile>,
        org: &Organisation,
        lang: Lang,
    ) -> Self {
        Self {
            kind: finding.kind,
            kind_label: finding.kind.label().text(lang),
            child: profiles.get(&finding.case_id).map(|p| ChildView {
                name: p.name.clone(),
                student_number: p.student_number.clone(),
                grade: p.grade,
                class: p.class.clone(),
            }),
            school_name: org.nodes.get(&finding.school).map(|n| n.name.clone()),
            detail: finding.detail.text(lang),
            facts: finding.facts.iter().map(|f| f.text(lang)).collect(),
            detail_message: finding.detail,
            case_id: finding.case_id,
            school: finding.school,
            day: finding.day,
            evidence: finding.evidence,
            responsible: finding.responsible,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub as_of: DateTime<Utc>,
    pub findings: Vec<FindingView>,
    pub schools: Vec<SchoolSummary>,
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
    let (review, profiles) =
        run_review_with_profiles(&state.store, &query.scope(org, &caller)?).await?;
    // The answer names each child a finding concerns: every such case is recorded in the
    // access log first.
    let named: Vec<String> = profiles.keys().cloned().collect();
    if !named.is_empty() {
        log_reads(&state, &caller, ReadKind::Review, None, &named).await?;
    }
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
        t.late_reports += school.late_reports;
    }
    let lang = request_lang();
    Ok(StreamedJson(ReviewView {
        from: review.from,
        until: review.until,
        as_of: review.as_of,
        findings: review
            .findings
            .into_iter()
            .map(|f| FindingView::of(f, &profiles, org, lang))
            .collect(),
        schools: review.schools,
        townships: townships.into_values().collect(),
        staff,
    }))
}

/// Download the findings of a review as a table (one row per finding, with the child, the
/// roles that answer for it and the staff who hold them today), as CSV or XLSX, with Chinese
/// (default) or English headers and labels. The same access and parameters as
/// `GET /api/v1/reviews`.
#[utoipa::path(get, path = "/api/v1/reviews/export", tag = "reviews", params(ReviewQuery, ExportQuery),
    responses(
        (status = 200, description = "The findings, as a file to save",
            content((String = "text/csv"), (crate::exports::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export_review(
    State(state): State<AppState>,
    caller: Caller,
    DownloadQuery(query, choices): DownloadQuery<ReviewQuery>,
) -> Result<Response, ApiError> {
    let scope = query.scope(&state.store.org.current().org, &caller)?;
    // The node reviewed, named in the file's title and name: the school or township asked
    // for, else the caller's own.
    let node = query
        .school
        .as_deref()
        .or(query.township.as_deref())
        .unwrap_or(caller.user.node.as_str());
    let filed = review_findings(&state.store, &scope, Some(node)).await?;
    // The download names each child: every case in it is recorded in the access log first.
    let cases = cases_shown(&filed.table, FINDING_CASE_COLUMN);
    log_reads(&state, &caller, ReadKind::ReviewExport, None, &cases).await?;
    download(&filed, choices.format, choices.lang)
}
