//! Downloads: the ledger (台账) of the cases in the caller's jurisdiction, now or as of a day,
//! as CSV or XLSX, with Chinese headers or English ones, the children's ID numbers whole only
//! for [`FULL_ID_READERS`]. The review's findings download the same way
//! (`reviews::export_review`). `docs/exports.md` describes every column. Every case a download
//! shows is recorded in the access log first, one entry per case. A file is named for the
//! county, the scope and the day (`喀左县-台账-全县-2023-11-30.xlsx`), with an ASCII name for
//! clients that cannot read the other (RFC 6266, RFC 8187).

use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use notoneless_i18n::Msg;
use notoneless_store::access::ReadKind;
use notoneless_store::exports::{
    Filed, LEDGER_CASE_COLUMN, LedgerRequest, cases_shown, ledger as ledger_table,
};
use notoneless_store::table::{Format, Lang};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::{IntoParams, ToSchema};

use crate::access_log::log_reads;
use crate::auth::{Caller, FULL_ID_READERS, visible_schools};
use crate::error::{ApiError, ErrorBody};
use crate::extract::parse_query;
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

/// What RFC 8187 lets through unencoded in an extended parameter (`attr-char`).
const ATTR_CHAR_ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// A file name in the export's language, safe to save: no path separator, no character a
/// file system refuses, no control character.
fn safe_file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if safe.trim().is_empty() {
        "download".to_string()
    } else {
        safe
    }
}

/// The `Content-Disposition` of a download: its ASCII name (`filename`, for old clients) and
/// its name in the export's language (`filename*`, UTF-8, percent-encoded), both with the
/// extension.
pub fn disposition(ascii_stem: &str, name: &str, format: Format) -> String {
    let extension = format.extension();
    let name = format!("{}.{extension}", safe_file_name(name));
    format!(
        "attachment; filename=\"{}.{extension}\"; filename*=UTF-8''{}",
        file_stem(ascii_stem),
        utf8_percent_encode(&name, ATTR_CHAR_ENCODED)
    )
}

/// A filed table as a file to download, named for its county, scope and day.
pub fn download<const N: usize>(
    filed: &Filed<N>,
    format: Option<Format>,
    lang: Option<Lang>,
) -> Result<Response, ApiError> {
    let format = format.unwrap_or_default();
    let lang = lang.unwrap_or_default();
    let body = filed.table.render(format, lang)?;
    let disposition = disposition(&filed.ascii_name, &filed.file_name.text(lang), format);
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

/// What the ledger is asked for besides its format and language.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// The ledger as it stood at the end of this local day (YYYY-MM-DD; today or before):
    /// the facts that happened by then, as the log knows them now. Default: now.
    pub as_of: Option<NaiveDate>,
}

/// Download the ledger (台账) of the cases in the caller's jurisdiction, as a clerk files it:
/// titled with the county, the scope and the day, one numbered row per case (the child, the
/// ID number masked unless the caller's role may see it whole, guardians, focus groups, the
/// reason, each step taken with its day and who took it, the person responsible, the day
/// back, the status), as CSV or XLSX (set up to print), with Chinese (default) or English
/// headers; now, or as of the end of a day.
#[utoipa::path(get, path = "/api/v1/exports/ledger", tag = "imports", params(ExportQuery, LedgerQuery),
    responses(
        (status = 200, description = "The ledger, as a file to save",
            content((String = "text/csv"), (crate::exports::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn ledger(
    State(state): State<AppState>,
    caller: Caller,
    DownloadQuery(query, choices): DownloadQuery<LedgerQuery>,
) -> Result<Response, ApiError> {
    let filed = ledger_shown(&state, &caller, query.as_of).await?;
    download(&filed, choices.format, choices.lang)
}

/// The ledger of the caller's jurisdiction, its rows recorded in the access log, one entry
/// per case, before the download leaves.
async fn ledger_shown(
    state: &AppState,
    caller: &Caller,
    as_of: Option<NaiveDate>,
) -> Result<Filed<20>, ApiError> {
    if let Some(day) = as_of {
        let today = state
            .store
            .rules
            .get()
            .calendar
            .local_date(state.store.clock.now());
        if day > today {
            return Err(ApiError::malformed_field(
                "as_of",
                notoneless_i18n::Message::new(Msg::DayAfterToday)
                    .with("date", day)
                    .with("today", today),
            ));
        }
    }
    let org = &state.store.org.current().org;
    let schools = visible_schools(org, &caller.user);
    let filed = ledger_table(
        &state.store,
        LedgerRequest {
            schools: schools.as_deref(),
            scope: Some(caller.user.node.as_str()),
            as_of,
            full_ids: FULL_ID_READERS.allows(caller.user.role),
        },
    )
    .await?;
    let cases = cases_shown(&filed.table, LEDGER_CASE_COLUMN);
    let detail = as_of.map(|day| format!("as_of={day}"));
    log_reads(
        state,
        caller,
        ReadKind::LedgerExport,
        detail.as_deref(),
        &cases,
    )
    .await?;
    Ok(filed)
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
    let filed = ledger_shown(&state, &caller, None).await?;
    download(&filed, None, None)
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
    fn a_downloads_name_is_given_in_ascii_and_in_its_language_percent_encoded() {
        assert_eq!(
            disposition(
                "ledger-county-2023-11-30",
                "喀左县-台账-全县-2023-11-30",
                Format::Xlsx
            ),
            "attachment; filename=\"ledger-county-2023-11-30.xlsx\"; \
             filename*=UTF-8''%E5%96%80%E5%B7%A6%E5%8E%BF-%E5%8F%B0%E8%B4%A6-%E5%85%A8%E5%8E%BF-2023-11-30.xlsx"
        );
        // A name built from hostile node names can neither climb out nor break the header.
        let hostile = disposition("../x\"\r\n", "../学校\"\r\nX: 1/名", Format::Csv);
        assert_eq!(
            hostile,
            "attachment; filename=\"___x___.csv\"; \
             filename*=UTF-8''.._%E5%AD%A6%E6%A0%A1___X_%201_%E5%90%8D.csv"
        );
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
