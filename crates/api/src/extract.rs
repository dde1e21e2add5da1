//! The JSON body, query string and path extractors: each reads its input itself so that every
//! failure (bad JSON, a wrong type, an unknown or missing field, an impossible date, a value
//! that is not one of the choices) is a 400 that names the field, with the one error body
//! (`{error, message, field}`) the OpenAPI document promises, never axum's plain text.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

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
                ApiError::malformed(rejection.body_text(), None)
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
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Err(error);
    };
    if !whole_floats_to_integers(&mut value) {
        return Err(error);
    }
    serde_path_to_error::deserialize(value)
        .map_err(|e| field_error(&e.path().to_string(), e.inner()))
}

/// Turns every float that is a whole number in the range of `i64` or `u64` into that integer;
/// whether any was turned.
fn whole_floats_to_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
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

fn field_error(path: &str, message: &impl std::fmt::Display) -> ApiError {
    let field = (path != ".").then(|| path.to_string());
    ApiError::malformed(
        match &field {
            Some(f) => format!("{f}: {message}"),
            None => message.to_string(),
        },
        field.as_deref(),
    )
}

fn parse_exact<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| field_error(&error.path().to_string(), error.inner()))?;
    deserializer.end().map_err(|e| {
        ApiError::malformed(
            format!("trailing characters after the JSON value: {e}"),
            None,
        )
    })?;
    Ok(value)
}

/// The query string, read into `T`; a failure is a 400 naming the parameter.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        let value = serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            let message = error.inner().to_string();
            // A missing or unknown parameter is reported at the top; its name is in the message.
            let field = if path == "." {
                named_in(&message)
            } else {
                Some(path)
            };
            ApiError::malformed(
                match &field {
                    Some(f) if !message.contains(&format!("`{f}`")) => format!("{f}: {message}"),
                    _ => message,
                },
                field.as_deref(),
            )
        })?;
        Ok(QueryParams(value))
    }
}

/// The parameter serde names in "missing field `x`" or "unknown field `x`, expected …".
fn named_in(message: &str) -> Option<String> {
    ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| {
            let rest = message.strip_prefix(prefix)?;
            rest.split('`').next().map(str::to_string)
        })
}

/// A path parameter, read into `T`; a failure (a day that is not a date, bytes that are not
/// UTF-8) is a 400 naming the parameter.
pub struct PathParam<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParam<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(value) = Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::malformed(rejection.body_text(), None))?;
        Ok(PathParam(value))
    }
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
