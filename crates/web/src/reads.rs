//! What the bureau's and the inspectors' pages share: the role check of a page, a refusal of
//! the API's shown next to the form's field it names, the child as a list names them, a
//! local time, the case of the path in the reader's jurisdiction, a query string's value.

use axum::http::Uri;
use axum::response::Response;
use chrono::{DateTime, Utc};
use notoneless_api::AppState;
use notoneless_api::auth::{Access, Caller, Permission, VisibleCase, require_role, visible_case};
use notoneless_api::error::ApiError;
use notoneless_domain::SchoolCalendar;
use notoneless_i18n::{Lang, Message, Msg};

use crate::login::FieldError;
use crate::shell::{Viewer, failed_with};

/// The API's refusal, as a page, when the reader's role may not see this page.
pub fn refused_role(viewer: &Viewer, permission: Permission) -> Option<Response> {
    require_role(&viewer.caller, Access::Roles(permission))
        .err()
        .map(|refused| failed_with(viewer.lang, &refused))
}

/// A refusal of the API's that names a field (a bad query), as the error beside the form's
/// field (`renamed`: the API's name of a field and the form's, where they differ); any other
/// refusal as its page.
pub fn on_the_form(
    lang: Lang,
    refused: &ApiError,
    renamed: &[(&str, &str)],
) -> Result<FieldError, Box<Response>> {
    let Some(field) = refused.field() else {
        return Err(Box::new(failed_with(lang, refused)));
    };
    let field = renamed
        .iter()
        .find(|(api, _)| *api == field)
        .map_or(field.clone(), |(_, form)| (*form).to_string());
    Ok(FieldError {
        field,
        text: refused.message().text(lang),
    })
}

/// The child as the school knows them: name, grade and class.
pub fn child_label(lang: Lang, name: &str, grade: impl Into<i64>, class: &str) -> String {
    Message::new(Msg::ConsoleChild)
        .with("name", name)
        .with("grade", grade.into())
        .with("class", class)
        .text(lang)
}

/// A local time as a page writes it: the day, then hours and minutes.
pub fn local_time(lang: Lang, calendar: &SchoolCalendar, instant: DateTime<Utc>) -> String {
    let local = instant.with_timezone(&calendar.offset());
    format!("{} {}", lang.day(local.date_naive()), local.format("%H:%M"))
}

/// The case of the path, if the reader's jurisdiction holds it (else the API's 404), as the
/// API's replay handlers take it.
pub async fn case_in_view(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
) -> Result<VisibleCase, ApiError> {
    let school = visible_case(state, caller, case_id).await?;
    Ok(VisibleCase {
        id: case_id.to_string(),
        school,
    })
}

/// The page asked for, with its query string: where the language switch comes back to (a
/// search, a comparison or a review stays as it was asked).
pub fn here(uri: &Uri) -> &str {
    uri.path_and_query()
        .map_or(uri.path(), |asked| asked.as_str())
}

/// `value` as a query string's value.
pub fn query_value(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}
