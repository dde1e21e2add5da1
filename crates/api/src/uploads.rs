//! Files uploaded as they are: the request's body is the file's bytes (CSV in UTF-8 or
//! GBK/GB18030, or XLSX), read by the one reader every import uses
//! (`notoneless_store::list_file`), the encoding found or named by `?encoding=`. An import
//! answers 200 with what it did, or 422 with every refused row by line and column in the
//! request's language, and then nothing was written.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use notoneless_domain::{RowError, RowRefusal};
use notoneless_i18n::{Message, Msg};
use notoneless_store::list_file::{Encoding, read_list};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, request_lang};

/// An uploaded file's bytes, as the request's body.
pub struct Upload(pub Bytes);

/// A list file as the request's body, for the OpenAPI document: CSV (UTF-8 or GBK/GB18030)
/// or XLSX, its bytes as they are.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ListFile(pub Vec<u8>);

/// How an uploaded file is read.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The encoding of a CSV file: `auto` (the default: UTF-8, else GBK/GB18030), `utf-8`,
    /// `gbk` or `gb18030`. A workbook (XLSX) is known by its content, whatever this says.
    #[param(pattern = "^(auto|utf-8|utf8|gbk|gb18030|gb2312)$")]
    pub encoding: Option<String>,
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        Bytes::from_request(request, state)
            .await
            .map(Upload)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge
                } else {
                    ApiError::Malformed {
                        message: Message::new(Msg::BodyUnreadable),
                        field: None,
                    }
                }
            })
    }
}

impl Upload {
    /// The file as CSV text whose lines are the file's; a file that cannot be read is a 400
    /// naming the body, whole, before anything is written.
    pub fn text(&self, encoding: Option<&str>) -> Result<String, ApiError> {
        let encoding = match encoding {
            None => Encoding::Auto,
            Some(name) => name
                .parse::<Encoding>()
                .map_err(|_| ApiError::malformed_field("encoding", Msg::EncodingChoice))?,
        };
        read_list(&self.0, encoding)
            .map(|list| list.text)
            .map_err(|error| ApiError::malformed_field("body", error.message()))
    }
}

/// The answer of an import refused: every refused row, by line and column, in the
/// request's language. Nothing was written.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowsRefused {
    /// Always `rejected`.
    pub error: &'static str,
    pub message: String,
    pub rows: Vec<RowError>,
}

/// What an import answers: what it did (200), or the rows it refused (422).
pub enum Imported<T> {
    Done(T),
    Refused(Vec<RowRefusal>),
}

impl<T> From<Result<T, Vec<RowRefusal>>> for Imported<T> {
    fn from(result: Result<T, Vec<RowRefusal>>) -> Self {
        match result {
            Ok(done) => Imported::Done(done),
            Err(rows) => Imported::Refused(rows),
        }
    }
}

impl<T: Serialize> IntoResponse for Imported<T> {
    fn into_response(self) -> Response {
        match self {
            Imported::Done(done) => (StatusCode::OK, Json(done)).into_response(),
            Imported::Refused(rows) => {
                let lang = request_lang();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(RowsRefused {
                        error: "rejected",
                        message: Message::new(Msg::ImportRefused)
                            .with("count", rows.len())
                            .text(lang),
                        rows: rows.iter().map(|r| r.in_lang(lang)).collect(),
                    }),
                )
                    .into_response()
            }
        }
    }
}

/// A list inside a JSON body: CSV text as it is (`"student_number,school\n…"`), or a file's
/// bytes in base64 (`{"base64": "…", "encoding": "gbk"}`: CSV in UTF-8 or GBK/GB18030, or
/// XLSX), read by the same reader as an uploaded file.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ListBody {
    /// CSV text.
    Text(String),
    /// A file's bytes.
    File(EncodedFile),
}

/// A file's bytes in base64 (standard alphabet, with padding), and how to read a CSV file.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EncodedFile {
    pub base64: String,
    /// `auto` (the default), `utf-8`, `gbk` or `gb18030`; a workbook is known by its content.
    #[serde(default)]
    pub encoding: Option<String>,
}

impl ListBody {
    /// The list as CSV text whose lines are the file's; a file that cannot be read is a 400
    /// naming `field`, before anything is written.
    pub fn text(&self, field: &str) -> Result<String, ApiError> {
        match self {
            ListBody::Text(text) => Ok(text.clone()),
            ListBody::File(file) => {
                use base64::Engine;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(file.base64.trim())
                    .map_err(|_| ApiError::malformed_field(field, Msg::FileNotBase64))?;
                let encoding = match file.encoding.as_deref() {
                    None => Encoding::Auto,
                    Some(name) => name.parse::<Encoding>().map_err(|_| {
                        ApiError::malformed_field(&format!("{field}.encoding"), Msg::EncodingChoice)
                    })?,
                };
                read_list(&bytes, encoding)
                    .map(|list| list.text)
                    .map_err(|error| ApiError::malformed_field(field, error.message()))
            }
        }
    }
}
