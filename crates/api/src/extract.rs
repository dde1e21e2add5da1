//! The JSON body extractor: reads the body itself so that every failure (bad JSON, a wrong
//! type, an unknown or missing field, an impossible date) is a 400 that names the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge
                } else {
                    ApiError::malformed(rejection.body_text(), None)
                }
            })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let field = (path != ".").then_some(path);
            let message = error.inner().to_string();
            ApiError::malformed(
                match &field {
                    Some(f) => format!("{f}: {message}"),
                    None => message,
                },
                field.as_deref(),
            )
        })?;
        deserializer.end().map_err(|e| {
            ApiError::malformed(
                format!("trailing characters after the JSON value: {e}"),
                None,
            )
        })?;
        Ok(JsonBody(value))
    }
}
