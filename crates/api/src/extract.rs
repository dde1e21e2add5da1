//! The JSON body, query string and path extractors: every failure (not UTF-8, bad JSON, a
//! wrong type, an unknown or missing field, an impossible date, a value that is not one of
//! the choices, a NUL) is a 400 with the error body that names the field.
//!
//! What axum does as we would is axum's: the body's bytes and its limit (`Bytes`: 413), the
//! path's parameters (`Path`, whose rejection names the parameter). What it cannot do is
//! ours (`docs/adr/0006-request-extractors.md`): name the field at fault (axum's `Json` and
//! `Query` put serde_path_to_error's path in their rejection's text only), refuse what is not
//! UTF-8 or holds a NUL, read `3.0` as an integer, take an empty body or `null` as no body,
//! and read a body whatever its `Content-Type`.

use axum::body::Bytes;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams, Request};
use axum::http::request::Parts;
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;
use serde_json::Value;

use notoneless_i18n::{Message, Msg};

use crate::error::{ApiError, with_field};

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The largest body of an import (the lists of a county: some 40,000 rows).
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = body_bytes(request, state).await?;
        Ok(JsonBody(parse(&bytes)?))
    }
}

/// A JSON body that may be left out altogether (an empty body); when present, it is read
/// like [`JsonBody`].
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = body_bytes(request, state).await?;
        // Left out: no body at all, or JSON's own `null`.
        if bytes.iter().all(u8::is_ascii_whitespace) || is_null(&bytes) {
            return Ok(OptionalJsonBody(None));
        }
        Ok(OptionalJsonBody(Some(parse(&bytes)?)))
    }
}

async fn body_bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge
            } else {
                ApiError::malformed(
                    Message::new(Msg::BodyUnreadable).with("detail", rejection.body_text()),
                    None,
                )
            }
        })
}

fn is_null(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| text.trim() == "null")
}

/// Reads `T` from the body. JSON does not tell `3` from `3.0`, and JSON Schema counts both as
/// an integer: when the body is refused as it stands, a whole number written with a
/// fraction (`3.0`) is read as the integer it is, and the body read again. Any other failure
/// is reported as it first was, with its line and column.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let error = match parse_exact(bytes) {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(bytes) else {
        return Err(error);
    };
    if !whole_floats_to_integers(&mut value) {
        return Err(error);
    }
    serde_path_to_error::deserialize(value).map_err(|e| field_error(&e))
}

/// Turns every float that is a whole number in the range of `i64` or `u64` into that integer;
/// whether any was turned.
fn whole_floats_to_integers(value: &mut Value) -> bool {
    match value {
        Value::Number(number) if number.is_f64() => {
            let Some(float) = number.as_f64() else {
                return false;
            };
            if float.fract() != 0.0 {
                return false;
            }
            // Exactly representable bounds: -2^63 and 2^64.
            let integer = if (-9_223_372_036_854_775_808.0..0.0).contains(&float) {
                serde_json::Number::from(float as i64)
            } else if (0.0..18_446_744_073_709_551_616.0).contains(&float) {
                serde_json::Number::from(float as u64)
            } else {
                return false;
            };
            *number = integer;
            true
        }
        Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
            whole_floats_to_integers(item) | changed
        }),
        Value::Object(fields) => fields.values_mut().fold(false, |changed, item| {
            whole_floats_to_integers(item) | changed
        }),
        _ => false,
    }
}

/// A body's or a query string's error, naming the field or parameter: serde_path_to_error
/// gives the path to the value at fault; a missing, unknown or repeated field is reported at
/// the object that holds it, and its name is in the message.
fn field_error<E: std::fmt::Display>(error: &serde_path_to_error::Error<E>) -> ApiError {
    let path = error.path().to_string();
    let message = error.inner().to_string();
    let field = match (path.as_str(), named_in(&message)) {
        (".", named) => named,
        // An unknown field is already the last segment of the path.
        (_, Some(name)) if path != name && !path.ends_with(&format!(".{name}")) => {
            Some(format!("{path}.{name}"))
        }
        _ => Some(path),
    };
    // A missing, unknown or repeated field is said in the catalogue's words; any other fault
    // in the reader's own (it knows best what it expected), after the field.
    let named = [
        ("missing field `", Msg::MissingField),
        ("unknown field `", Msg::UnknownField),
        ("duplicate field `", Msg::DuplicateField),
    ]
    .into_iter()
    .find_map(|(prefix, msg)| {
        let name = message.strip_prefix(prefix)?.split('`').next()?;
        Some(Message::new(msg).with("name", name))
    });
    match (named, field) {
        (Some(named), field) => ApiError::malformed(named, field.as_deref()),
        (None, Some(field)) => ApiError::malformed_field(
            &field,
            Message::new(Msg::InvalidValue).with("detail", message),
        ),
        (None, None) => ApiError::malformed(
            Message::new(Msg::BodyUnreadable).with("detail", message),
            None,
        ),
    }
}

fn parse_exact<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Err(error) = std::str::from_utf8(bytes) {
        let before = &bytes[..error.valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before
            .rsplit(|&b| b == b'\n')
            .next()
            .map_or(0, |l| String::from_utf8_lossy(l).chars().count())
            + 1;
        return Err(ApiError::malformed(
            Message::new(Msg::BodyNotUtf8)
                .with("line", line)
                .with("column", column),
            None,
        ));
    }
    refuse_nul(bytes)?;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| field_error(&e))?;
    deserializer.end().map_err(|e| {
        ApiError::malformed(
            Message::new(Msg::TrailingCharacters).with("detail", e.to_string()),
            None,
        )
    })?;
    Ok(value)
}

/// The one character no text may hold: PostgreSQL cannot store U+0000 in text or JSON, and
/// no list or form has a use for it. A body that escapes one (`\u0000`) is refused, naming
/// the field (and the line, in a text of several lines).
fn refuse_nul(bytes: &[u8]) -> Result<(), ApiError> {
    if !bytes.windows(6).any(|w| w == b"\\u0000") {
        return Ok(());
    }
    // Only then is the body read twice; what is not JSON is refused by the reading proper.
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return Ok(());
    };
    match nul_in(&value, "") {
        None => Ok(()),
        Some((path, text)) => {
            let field = if path.is_empty() { "." } else { path.as_str() };
            let nul = match text.split_once('\0') {
                Some((before, _)) if text.contains('\n') => Message::new(Msg::NulCharacterOnLine)
                    .with("line", before.matches('\n').count() + 1),
                _ => Message::new(Msg::NulCharacter),
            };
            Err(ApiError::Malformed {
                message: with_field(field, nul),
                field: (!path.is_empty()).then(|| field.to_string()),
            })
        }
    }
}

/// The path (as serde_path_to_error writes it) and text of the first string, or key, that
/// holds U+0000.
fn nul_in(value: &Value, path: &str) -> Option<(String, String)> {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(text) if text.contains('\0') => Some((path.to_string(), text.clone())),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_in(item, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                Some((join(key), key.clone()))
            } else {
                nul_in(item, &join(key))
            }
        }),
        _ => None,
    }
}

/// The query string, read into `T`; a failure is a 400 naming the parameter.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parse_query(parts.uri.query().unwrap_or_default()).map(QueryParams)
    }
}

/// Reads a query string (without its `?`) into `T`; a failure is a 400 naming the parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    utf8_query(query)?;
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|e| field_error(&e))
}

/// Refuses a query string whose names or values are not UTF-8 once percent-decoded (which
/// the form decoder would otherwise turn into U+FFFD and carry on).
fn utf8_query(query: &str) -> Result<(), ApiError> {
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if [name, value]
            .iter()
            .any(|part| percent_decode_str(part).decode_utf8().is_err())
        {
            let name = percent_decode_str(name).decode_utf8_lossy().into_owned();
            return Err(ApiError::malformed_field(&name, Msg::NotUtf8Decoded));
        }
        if [name, value]
            .iter()
            .any(|part| percent_decode_str(part).any(|b| b == 0))
        {
            let name = percent_decode_str(name).decode_utf8_lossy().into_owned();
            return Err(ApiError::malformed_field(&name, Msg::NulCharacter));
        }
    }
    Ok(())
}

/// A path parameter, read into `T`; a failure (not UTF-8 once percent-decoded, not a date) is
/// a 400 naming the parameter.
pub struct PathParam<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParam<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if let Ok(raw) = RawPathParams::from_request_parts(parts, state).await
            && let Some((key, _)) = raw.iter().find(|(_, value)| value.contains('\0'))
        {
            return Err(ApiError::malformed_field(key, Msg::NulCharacter));
        }
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathParam(value)),
            Err(PathRejection::FailedToDeserializePathParams(error)) => {
                let key = match error.kind() {
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::InvalidUtf8InPathParam { key }
                    | ErrorKind::DeserializeError { key, .. } => Some(key.clone()),
                    _ => None,
                };
                let detail = Message::new(Msg::InvalidValue).with("detail", error.body_text());
                Err(match key {
                    Some(key) => ApiError::malformed_field(&key, detail),
                    None => ApiError::malformed(detail, None),
                })
            }
            Err(other) => Err(ApiError::internal(other.body_text())),
        }
    }
}

/// A page of a list, checked: `page` from 1, `per_page` 1 to 200 (50 when left out). A page
/// far past the end is merely empty: its offset saturates rather than overflows.
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
    pub offset: i64,
}

impl Paging {
    pub fn checked(page: Option<i64>, per_page: Option<i64>) -> Result<Self, ApiError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(50);
        if page < 1 {
            return Err(ApiError::malformed_field("page", Msg::PageTooLow));
        }
        if !(1..=200).contains(&per_page) {
            return Err(ApiError::malformed_field("per_page", Msg::PerPageRange));
        }
        Ok(Self {
            page,
            per_page,
            offset: (page - 1).saturating_mul(per_page),
        })
    }
}

/// The field serde names in "missing field `x`", "unknown field `x`, expected …" or
/// "duplicate field `x`".
fn named_in(message: &str) -> Option<String> {
    ["missing field `", "unknown field `", "duplicate field `"]
        .iter()
        .find_map(|prefix| {
            let rest = message.strip_prefix(prefix)?;
            rest.split('`').next().map(str::to_string)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Counts {
        enrolled: u32,
        items: Vec<u8>,
    }

    #[test]
    fn a_whole_number_written_with_a_fraction_is_the_integer() {
        let counts: Counts = parse(br#"{"enrolled": 40.0, "items": [1, 2.0]}"#).unwrap();
        assert_eq!(
            counts,
            Counts {
                enrolled: 40,
                items: vec![1, 2]
            }
        );
    }

    #[test]
    fn a_fraction_or_an_integer_out_of_range_is_refused_naming_the_field() {
        for (body, field) in [
            (r#"{"enrolled": 40.5, "items": []}"#, "enrolled"),
            (r#"{"enrolled": 1, "items": [256.0]}"#, "items[0]"),
            (r#"{"enrolled": -1.0, "items": []}"#, "enrolled"),
            (r#"{"enrolled": 1e30, "items": []}"#, "enrolled"),
        ] {
            match parse::<Counts>(body.as_bytes()) {
                Err(ApiError::Malformed { field: f, .. }) => {
                    assert_eq!(f.as_deref(), Some(field), "{body}")
                }
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn json_null_is_no_body() {
        assert!(is_null(b" null\n"));
        assert!(!is_null(b"{}"));
    }
}
