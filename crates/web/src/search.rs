//! Finding a child (`/search?q=`): by name, pinyin initials, student number or ID number, in
//! the reader's jurisdiction, best match first, paged; each child links to the case's
//! timeline. The page is the API's search (`GET /api/v1/search`): the same role check
//! (`CHILD_SEARCHERS`), the same ranking, and every child shown recorded in the access log
//! first; the query itself is never logged.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use notoneless_api::AppState;
use notoneless_api::auth::CHILD_SEARCHERS;
use notoneless_api::extract::QueryParams;
use notoneless_api::search::{SearchQuery, search};
use notoneless_i18n::{Message, Msg};
use serde::Deserialize;

use crate::login::FieldError;
use crate::reads::{child_label, here, on_the_form, refused_role};
use crate::shell::{Shell, Viewer, render};

/// How many children a page of results lists.
pub const PER_PAGE: i64 = 20;

/// The query string, as sent (not `Debug`: it holds a child's name or number).
#[derive(Default, Deserialize)]
pub struct Asked {
    #[serde(default)]
    q: String,
    page: Option<i64>,
}

/// One child found.
pub struct Found {
    pub child: String,
    pub student_number: String,
    pub school: String,
    pub case_id: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    shell: Shell,
    q: String,
    errors: Vec<FieldError>,
    found: Vec<Found>,
    /// Whether a search was made (an empty list then says "nobody found").
    searched: bool,
    summary: String,
    previous: Option<i64>,
    next: Option<i64>,
}

impl SearchPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }
}

/// `GET /search`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Query(asked): Query<Asked>,
) -> Response {
    let lang = viewer.lang;
    if let Some(refused) = refused_role(&viewer, CHILD_SEARCHERS) {
        return refused;
    }
    let mut shown = SearchPage {
        shell: Shell::of(&viewer, Msg::ConsoleSearchTitle, here(&uri)),
        q: asked.q.clone(),
        errors: Vec::new(),
        found: Vec::new(),
        searched: false,
        summary: String::new(),
        previous: None,
        next: None,
    };
    if asked.q.is_empty() && asked.page.is_none() {
        return render(&shown);
    }
    let query = SearchQuery {
        q: asked.q.clone(),
        township: None,
        school: None,
        page: asked.page,
        per_page: Some(PER_PAGE),
        min_position: None,
    };
    let answer = match search(
        State(state.clone()),
        viewer.caller.clone(),
        QueryParams(query),
    )
    .await
    {
        Ok(answer) => answer.0,
        Err(refused) => {
            match on_the_form(lang, &refused, &[]) {
                Ok(error) => shown.errors.push(error),
                Err(page) => return *page,
            }
            return (StatusCode::UNPROCESSABLE_ENTITY, render(&shown)).into_response();
        }
    };
    let snapshot = state.store.org.current();
    let township_name = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| snapshot.org.nodes.get(id))
            .map(|n| n.name.clone())
    };
    shown.searched = true;
    shown.found = answer
        .items
        .iter()
        .map(|item| {
            let s = &item.hit.summary;
            let school = item.school_name.clone().unwrap_or_else(|| s.school.clone());
            Found {
                child: child_label(lang, &s.name, s.grade, &s.class),
                student_number: s.student_number.clone(),
                school: match township_name(&item.township) {
                    Some(township) => format!("{township} · {school}"),
                    None => school,
                },
                case_id: s.case_id.clone(),
            }
        })
        .collect();
    let last_page = (answer.total + answer.per_page - 1) / answer.per_page;
    shown.summary = Message::new(Msg::ConsoleSearchFound)
        .with("total", answer.total)
        .with("page", answer.page)
        .with("pages", last_page.max(1))
        .text(lang);
    shown.previous = (answer.page > 1).then_some(answer.page - 1);
    shown.next = (answer.page < last_page).then_some(answer.page + 1);
    render(&shown)
}
