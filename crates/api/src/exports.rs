//! Downloads: the ledger (台账) of the cases in the caller's jurisdiction, as CSV or XLSX, with
//! Chinese headers or English ones. The review's findings download the same way
//! (`reviews::export_review`). `docs/exports.md` describes every column. Every case a download
//! shows is recorded in the access log first, one entry per case.

use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use notoneless_store::access::ReadKind;
use notoneless_store::exports::{LEDGER_CASE_COLUMN, cases_shown, ledger as ledger_table};
use notoneless_store::table::{Format, Lang, Table};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::{IntoParams, ToSchema};

use crate::access_log::log_reads;
use crate::auth::{Caller, visible_schools};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{QueryParams, parse_query};
use crate::state::AppState;

/// The media type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An XLSX download, as the OpenAPI document describes it (binary); only a schema, the
/// handlers answer with the bytes themselves.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Workbook(pub Vec<u8>);

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (the default) or `xlsx`.
    pub format: Option<Format>,
    /// `zh` (the default) or `en`.
    pub lang: Option<Lang>,
}

/// The query string of a download: the download's choices ([`ExportQuery`]: `format`,
/// `lang`) and every other parameter `T`'s (what is downloaded), each part read as
/// [`QueryParams`] reads a query string, so that a fault in either is a 400 naming its
/// parameter, and a parameter neither knows is refused by `T`. (`T` cannot take the choices
/// as a flattened field: a flattened query string carries no numbers, and a fault in the
/// flattened part would name no parameter.)
pub struct DownloadQuery<T>(pub T, pub ExportQuery);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for DownloadQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        // The choices' names as the OpenAPI document gives them, which are serde's.
        let names: Vec<String> = ExportQuery::into_params(|| None)
            .into_iter()
            .map(|p| p.name)
            .collect();
        let (chosen, rest): (Vec<&str>, Vec<&str>) = parts
            .uri
            .query()
            .unwrap_or_default()
            .split('&')
            .partition(|pair| {
                form_urlencoded::parse(pair.as_bytes())
                    .next()
                    .is_some_and(|(name, _)| names.iter().any(|n| *n == name))
            });
        let query = parse_query(&rest.join("&"))?;
        let choices = parse_query(&chosen.join("&"))?;
        Ok(Self(query, choices))
    }
}

/// A table as a file to download, named `{stem}.{csv|xlsx}` (see [`file_stem`]).
pub fn download<const N: usize>(
    table: &Table<N>,
    format: Option<Format>,
    lang: Option<Lang>,
    stem: &str,
) -> Result<Response, ApiError> {
    let format = format.unwrap_or_default();
    let body = table.render(format, lang.unwrap_or_default())?;
    let disposition = format!(
        "attachment; filename=\"{}.{}\"",
        file_stem(stem),
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// A download's file name without its extension, safe whatever it was built from: only ASCII
/// letters, digits, `-` and `_` are kept, anything else becomes `_`, so that no `/`, `..`,
/// quote or line break can reach the `Content-Disposition` header or the file system of
/// whoever saves it. Today's names are built from fixed words and dates only; this holds
/// if one is ever built from an id.
pub fn file_stem(stem: &str) -> String {
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "download".to_string()
    } else {
        safe
    }
}

/// Download the ledger (台账) of the cases in the caller's jurisdiction: one row per case, as
/// CSV or XLSX, with Chinese (default) or English headers.
#[utoipa::path(get, path = "/api/v1/exports/ledger", tag = "imports", params(ExportQuery),
    responses(
        (status = 200, description = "The ledger, as a file to save",
            content((String = "text/csv"), (crate::exports::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn ledger(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<ExportQuery>,
) -> Result<Response, ApiError> {
    let table = ledger_shown(&state, &caller).await?;
    download(&table, query.format, query.lang, "ledger")
}

/// The ledger of the caller's jurisdiction, its rows recorded in the access log, one entry
/// per case, before the download leaves.
async fn ledger_shown(state: &AppState, caller: &Caller) -> Result<Table<15>, ApiError> {
    let schools = visible_schools(&state.store.org.current().org, &caller.user);
    let table = ledger_table(&state.store, schools.as_deref()).await?;
    let cases = cases_shown(&table, LEDGER_CASE_COLUMN);
    log_reads(state, caller, ReadKind::LedgerExport, None, &cases).await?;
    Ok(table)
}

/// The ledger as CSV with Chinese headers: `GET /api/v1/exports/ledger` with its defaults,
/// at the address the first version of the API gave it.
#[utoipa::path(get, path = "/api/v1/exports/ledger.csv", tag = "imports",
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn ledger_csv(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let table = ledger_shown(&state, &caller).await?;
    download(&table, None, None, "ledger")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    /// What a download of something with a day and a number would be asked for.
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        from: chrono::NaiveDate,
        days: Option<i64>,
    }

    async fn read(query: &str) -> Result<DownloadQuery<Probe>, ApiError> {
        let request = Request::builder()
            .uri(format!("/download?{query}"))
            .body(())
            .expect("a request");
        let (mut parts, ()) = request.into_parts();
        DownloadQuery::from_request_parts(&mut parts, &()).await
    }

    #[tokio::test]
    async fn a_downloads_choices_and_what_it_downloads_are_read_from_one_query_string() {
        // Given a query string with the choices between the download's own parameters
        let query = "days=3&format=xlsx&from=2023-11-01&lang=en";
        // When it is read
        let DownloadQuery(probe, choices) = read(query).await.expect("a good query");
        // Then each part has its own, numbers too, and the choices left out are left out
        assert_eq!(
            probe,
            Probe {
                from: chrono::NaiveDate::from_ymd_opt(2023, 11, 1).expect("a day"),
                days: Some(3)
            }
        );
        assert!(matches!(
            (choices.format, choices.lang),
            (Some(Format::Xlsx), Some(Lang::En))
        ));
        let DownloadQuery(_, choices) = read("from=2023-11-01").await.expect("a good query");
        assert!(choices.format.is_none() && choices.lang.is_none());
    }

    #[tokio::test]
    async fn a_fault_in_a_downloads_query_string_names_its_parameter_whichever_part_it_is_in() {
        for (query, field) in [
            // Given a bad number, a bad choice, a parameter neither knows, a choice twice, a
            // parameter missing
            ("from=2023-11-01&days=two", "days"),
            ("from=2023-11-01&format=ods", "format"),
            ("from=2023-11-01&lang=fr", "lang"),
            ("from=2023-11-01&colour=red", "colour"),
            ("from=2023-11-01&format=csv&format=xlsx", "format"),
            ("days=3&format=csv", "from"),
        ] {
            // When it is read
            let error = read(query).await.err();
            // Then it is refused, naming the parameter
            match error {
                Some(ApiError::Malformed { field: f, .. }) => {
                    assert_eq!(f.as_deref(), Some(field), "{query}")
                }
                other => panic!("{query}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_file_name_built_from_a_hostile_id_cannot_climb_out_or_inject_a_header() {
        assert_eq!(
            file_stem("../../etc/passwd\"\r\nX-Injected: 1"),
            "______etc_passwd___X-Injected__1"
        );
        assert_eq!(
            file_stem("review-2023-11-01-2023-11-30"),
            "review-2023-11-01-2023-11-30"
        );
        assert_eq!(file_stem("学校"), "__");
        assert_eq!(file_stem(""), "download");
    }
}
