//! The console's static files, built into the binary (nothing is fetched at build or run
//! time): one stylesheet, no web fonts (phones render Chinese with their system fonts).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The stylesheet's path, with its version so that a new build is fetched anew.
pub const STYLESHEET: &str = concat!("/static/app-", env!("CARGO_PKG_VERSION"), ".css");

const APP_CSS: &str = include_str!("../assets/app.css");

/// `GET /static/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    if format!("/static/{file}") == STYLESHEET {
        (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                // Its name changes with each version: kept a year.
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            APP_CSS,
        )
            .into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}
