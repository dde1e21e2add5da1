//! What every page shares: the reader's language (the `nol_lang` cookie, else the browser's
//! `Accept-Language`), the signed-in user ([`Viewer`]; a page asked for without a session
//! sends the reader to the login page), the header of the page, the rendering of a
//! template, and the security headers of every answer.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use notoneless_api::AppState;
use notoneless_api::auth::{
    CALENDAR_KEEPERS, CHILD_FILE_READERS, CHILD_SEARCHERS, Caller, Credential, LOG_AUDITORS,
    ORG_ADMINS, Permission, REVIEWERS, cookie_value,
};
use notoneless_i18n::{Lang, Msg};

use crate::assets::STYLESHEET;

/// The cookie that keeps the reader's choice of language.
pub const LANG_COOKIE: &str = "nol_lang";

/// The Content-Security-Policy of every page: nothing but this server's own stylesheet and
/// forms; no script at all (every page works without it), no frames, no other origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The reader's language: their choice (the cookie), else what their browser asks for.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    let chosen = cookie_value(headers, LANG_COOKIE).and_then(|value| value.parse::<Lang>().ok());
    chosen.unwrap_or_else(|| {
        Lang::negotiate(
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    })
}

/// The frame of a page: its language, title, who is signed in and the session's CSRF token
/// for the forms on it.
pub struct Shell {
    pub lang: Lang,
    pub title: String,
    pub user: Option<UserBar>,
    pub csrf_token: String,
    pub stylesheet: &'static str,
    /// The path of this page, for the language switch to come back to.
    pub here: String,
    /// The pages the signed-in user may go to, for the header's links.
    pub nav: Vec<NavLink>,
}

/// A page the header links to.
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    /// This is the page being shown.
    pub current: bool,
}

/// The console's main pages, each with who may open it (the API's permission table; `None`:
/// every signed-in user).
const MAIN_PAGES: [(&str, Msg, Option<&Permission>); 8] = [
    ("/", Msg::ConsoleTodayTitle, None),
    ("/search", Msg::ConsoleSearchTitle, Some(&CHILD_SEARCHERS)),
    ("/review", Msg::ConsoleReviewTitle, Some(&REVIEWERS)),
    (
        "/dashboard",
        Msg::ConsoleDashboardTitle,
        Some(&CHILD_FILE_READERS),
    ),
    ("/proof", Msg::ConsoleProofTitle, Some(&LOG_AUDITORS)),
    (
        "/admin/users",
        Msg::ConsoleAdminUsersTitle,
        Some(&ORG_ADMINS),
    ),
    (
        "/admin/calendar",
        Msg::ConsoleAdminCalendarTitle,
        Some(&CALENDAR_KEEPERS),
    ),
    ("/admin/org", Msg::ConsoleOrgTitle, Some(&ORG_ADMINS)),
];

/// The main pages `viewer` may open, the one at `here` marked current.
fn nav_for(viewer: &Viewer, here: &str) -> Vec<NavLink> {
    let path = here.split('?').next().unwrap_or(here);
    MAIN_PAGES
        .iter()
        .filter(|(_, _, permission)| permission.is_none_or(|p| p.allows(viewer.caller.user.role)))
        .map(|(href, label, _)| NavLink {
            href,
            label: label.text(viewer.lang),
            current: path == *href,
        })
        .collect()
}

/// The signed-in user, as the header shows them.
pub struct UserBar {
    pub name: String,
    pub role: String,
}

impl Shell {
    /// A page for someone not signed in (the login page, an error).
    pub fn anonymous(lang: Lang, title: Msg, here: &str) -> Self {
        Self {
            lang,
            title: title.text(lang),
            user: None,
            csrf_token: String::new(),
            stylesheet: STYLESHEET,
            here: here.to_string(),
            nav: Vec::new(),
        }
    }

    /// A page for the signed-in `viewer`.
    pub fn of(viewer: &Viewer, title: Msg, here: &str) -> Self {
        let lang = viewer.lang;
        Self {
            lang,
            title: title.text(lang),
            user: Some(UserBar {
                name: viewer.caller.user.name.clone(),
                role: viewer.caller.user.role.label().text(lang),
            }),
            csrf_token: viewer.csrf_token(),
            stylesheet: STYLESHEET,
            here: here.to_string(),
            nav: nav_for(viewer, here),
        }
    }

    /// A text of the catalogue in the page's language.
    pub fn t(&self, msg: Msg) -> String {
        msg.text(self.lang)
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language the switch offers: the other one.
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh",
        }
    }
}

/// The signed-in user of a page, and their language. Without a live session the page
/// answers with a redirect to the login page.
pub struct Viewer {
    pub caller: Caller,
    pub lang: Lang,
}

impl Viewer {
    /// The CSRF token a form of this session carries (empty for a bearer token, which the
    /// console does not take for a form).
    pub fn csrf_token(&self) -> String {
        match &self.caller.credential {
            Credential::Session { secret, .. } => secret.csrf_token(),
            Credential::Token { .. } => String::new(),
        }
    }

    /// The refusal (403, in the reader's language) of a form that did not carry this
    /// session's CSRF token; `None` when it did. Every form checks this before anything else.
    pub fn refuse_without_csrf(&self, presented: &str) -> Option<Response> {
        let matches = match &self.caller.credential {
            Credential::Session { secret, .. } => secret.csrf_matches(presented),
            Credential::Token { .. } => false,
        };
        (!matches)
            .then(|| (StatusCode::FORBIDDEN, Msg::CsrfRequired.text(self.lang)).into_response())
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = lang_of(&parts.headers);
        match Caller::from_request_parts(parts, state).await {
            Ok(caller) => Ok(Viewer { caller, lang }),
            Err(_) => Err(Redirect::to("/login").into_response()),
        }
    }
}

/// A rendered page, or a 500 that says the page could not be drawn.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "a page could not be rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFound {
    shell: Shell,
}

/// The answer to a path that is no page (and not the API's).
pub async fn not_found(headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let page = NotFound {
        shell: Shell::anonymous(lang, Msg::ConsoleNotFound, "/"),
    };
    (StatusCode::NOT_FOUND, render(&page)).into_response()
}

/// Every console answer: a strict Content-Security-Policy, no framing (WeChat opens links in
/// its own browser, not in a frame), no sniffing; a page (it may hold a child's data) is
/// never stored by the browser or a proxy.
pub async fn security_headers(mut response: Response) -> Response {
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if is_page {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[derive(Template)]
#[template(path = "failed.html")]
struct Failed {
    shell: Shell,
}

/// The answer when a page could not be read from the store (logged by the caller).
pub fn failed(lang: Lang) -> Response {
    let page = Failed {
        shell: Shell::anonymous(lang, Msg::ConsoleFailed, "/"),
    };
    (StatusCode::INTERNAL_SERVER_ERROR, render(&page)).into_response()
}

#[derive(Template)]
#[template(path = "refused.html")]
struct Refused {
    shell: Shell,
    reason: String,
}

/// A refusal of the API's (a role that may not, a case outside the jurisdiction, a store that
/// does not answer) as a page, with the API's status and its text.
pub fn failed_with(lang: Lang, refused: &notoneless_api::error::ApiError) -> Response {
    let page = Refused {
        shell: Shell::anonymous(lang, Msg::ConsoleRefused, "/"),
        reason: refused.message().text(lang),
    };
    (refused.status(), render(&page)).into_response()
}
