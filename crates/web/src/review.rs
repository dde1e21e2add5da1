//! The review (`/review?from=&to=&scope=`): a period and a township or school, the findings
//! grouped by kind and then by school, each linking to the case's timeline at the finding's
//! day; and the API's XLSX and CSV downloads of the same review (`GET
//! /api/v1/reviews/export`, which the session's cookie opens like any API read).
//!
//! The page is the API's review (`GET /api/v1/reviews`): the same role check (`REVIEWERS`),
//! the same scope within the reader's jurisdiction, every child named recorded in the access
//! log first.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use notoneless_api::AppState;
use notoneless_api::auth::{REVIEWERS, visible_schools};
use notoneless_api::extract::QueryParams;
use notoneless_api::reviews::{ReviewQuery, get_review};
use notoneless_domain::{NodeKind, Organisation, User};
use notoneless_i18n::{Lang, Message, Msg};
use serde::Deserialize;

use crate::login::FieldError;
use crate::reads::{child_label, here, on_the_form, query_value, refused_role};
use crate::shell::{Shell, Viewer, render};

/// The review asked for, as sent.
#[derive(Default, Deserialize)]
pub struct Asked {
    from: Option<String>,
    to: Option<String>,
    #[serde(default)]
    scope: String,
}

/// A township or school the reader may review.
pub struct ScopeChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// One finding, as the page lists it.
pub struct Row {
    pub day: String,
    pub child: Option<String>,
    pub detail: String,
    /// The case, for a finding about one: its timeline is linked, compared at `iso_day`.
    pub case_id: Option<String>,
    pub iso_day: NaiveDate,
}

/// The findings of one school, for one kind.
pub struct SchoolGroup {
    pub school: String,
    pub rows: Vec<Row>,
}

/// The findings of one kind.
pub struct KindGroup {
    pub kind: String,
    pub count: usize,
    pub schools: Vec<SchoolGroup>,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    shell: Shell,
    from: String,
    to: String,
    scopes: Vec<ScopeChoice>,
    errors: Vec<FieldError>,
    /// The review, once run: its heading, its findings by kind, and the downloads' query.
    ran: Option<String>,
    kinds: Vec<KindGroup>,
    /// The review's query string, for the downloads' links.
    download: String,
}

impl ReviewPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }
}

/// The townships and schools the reader sees, townships first.
fn scope_choices(org: &Organisation, user: &User, chosen: &str, lang: Lang) -> Vec<ScopeChoice> {
    let visible = visible_schools(org, user).unwrap_or_else(|| org.schools());
    let mut choices = vec![ScopeChoice {
        id: String::new(),
        name: Msg::ConsoleReviewWholeJurisdiction.text(lang),
        selected: chosen.is_empty(),
    }];
    let mut townships: Vec<&str> = visible
        .iter()
        .filter_map(|school| org.township_of(school))
        .collect();
    townships.sort_unstable();
    townships.dedup();
    for id in townships
        .into_iter()
        .chain(visible.iter().map(String::as_str))
    {
        if let Some(node) = org.nodes.get(id) {
            choices.push(ScopeChoice {
                id: id.to_string(),
                name: node.name.clone(),
                selected: chosen == id,
            });
        }
    }
    choices
}

/// The first day of the term's month, a default period: this month so far.
fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// `GET /review`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Query(asked): Query<Asked>,
) -> Response {
    let lang = viewer.lang;
    if let Some(refused) = refused_role(&viewer, REVIEWERS) {
        return refused;
    }
    let today = state
        .store
        .rules
        .get()
        .calendar
        .local_date(state.store.clock.now());
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let mut shown = ReviewPage {
        shell: Shell::of(&viewer, Msg::ConsoleReviewTitle, here(&uri)),
        from: asked
            .from
            .clone()
            .unwrap_or_else(|| month_start(today).to_string()),
        to: asked.to.clone().unwrap_or_else(|| today.to_string()),
        scopes: scope_choices(org, &viewer.caller.user, &asked.scope, lang),
        errors: Vec::new(),
        ran: None,
        kinds: Vec::new(),
        download: String::new(),
    };
    if asked.from.is_none() && asked.to.is_none() {
        return render(&shown);
    }
    let mut day = |field: &str, value: &str| {
        let parsed = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok();
        if parsed.is_none() {
            shown.errors.push(FieldError {
                field: field.to_string(),
                text: Msg::ConsoleEnterDate.text(lang),
            });
        }
        parsed
    };
    let (from, to) = (
        day("from", &shown.from.clone()),
        day("to", &shown.to.clone()),
    );
    let (Some(from), Some(until)) = (from, to) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&shown)).into_response();
    };
    let node = org.nodes.get(&asked.scope);
    let of_kind = |kind: NodeKind| node.filter(|n| n.kind == kind).map(|n| n.id.clone());
    let query = ReviewQuery {
        from,
        until,
        township: of_kind(NodeKind::Township),
        school: of_kind(NodeKind::School),
        known_at: None,
        late_entry_days: None,
        transfer_confirmation_days: None,
        follow_up_days: None,
    };
    let mut download = format!("from={from}&until={until}");
    for (name, value) in [("township", &query.township), ("school", &query.school)] {
        if let Some(value) = value {
            download.push_str(&format!("&{name}={}", query_value(value)));
        }
    }
    let review = match get_review(
        State(state.clone()),
        viewer.caller.clone(),
        QueryParams(query),
    )
    .await
    {
        Ok(review) => review.0,
        Err(refused) => {
            // The API names the period's end `until`; the form names it `to`.
            match on_the_form(lang, &refused, &[("until", "to")]) {
                Ok(error) => shown.errors.push(error),
                Err(page) => return *page,
            }
            return (StatusCode::UNPROCESSABLE_ENTITY, render(&shown)).into_response();
        }
    };
    let mut kinds: BTreeMap<String, BTreeMap<String, Vec<Row>>> = BTreeMap::new();
    for finding in &review.findings {
        let kind = finding.kind.label().text(lang);
        let school = finding
            .school_name
            .clone()
            .unwrap_or_else(|| finding.school.clone());
        kinds
            .entry(kind.to_string())
            .or_default()
            .entry(school)
            .or_default()
            .push(Row {
                day: lang.day(finding.day),
                child: finding
                    .child
                    .as_ref()
                    .map(|c| child_label(lang, &c.name, c.grade, &c.class)),
                detail: finding.detail_message.text(lang),
                case_id: finding.child.as_ref().map(|_| finding.case_id.clone()),
                iso_day: finding.day,
            });
    }
    shown.kinds = kinds
        .into_iter()
        .map(|(kind, schools)| KindGroup {
            kind,
            count: schools.values().map(Vec::len).sum(),
            schools: schools
                .into_iter()
                .map(|(school, rows)| SchoolGroup { school, rows })
                .collect(),
        })
        .collect();
    shown.ran = Some(
        Message::new(Msg::ConsoleReviewRan)
            .with("from", review.from)
            .with("until", review.until)
            .with("count", review.findings.len())
            .text(lang),
    );
    shown.download = download;
    render(&shown)
}
