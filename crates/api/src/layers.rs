//! What every request passes through, outermost first: a request id (set when the client
//! sent none, and returned), the tracing span, compression of the answer (gzip or brotli, as
//! the client accepts), the body limit, the time limit, and the guard that turns a
//! handler's panic into a 500 with the API's error body. All of them are tower-http's and
//! tower's layers; what is ours is only what they answer with.

use std::any::Any;
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use notoneless_store::table::Format;
use tower::ServiceBuilder;
use tower::timeout::error::Elapsed;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{
    DefaultPredicate, NotForContentType, Predicate, SizeAbove,
};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use axum::http::{HeaderValue, header};
use notoneless_i18n::Lang;

use crate::error::{ApiError, LANG};
use crate::extract::MAX_BODY_BYTES;

/// The longest a request may take before it is answered 503 (a county's review takes some
/// 5 s); an answer already being sent (a streamed review, a download) is not cut short.
pub const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(60);

/// Answers shorter than this are sent as they are (a streamed answer, whose length is not
/// known beforehand, is compressed).
pub const MIN_COMPRESSED_BYTES: u16 = 1024;

/// The router with every layer; a request that takes longer than `time_limit` is answered
/// 503 (`unavailable`) with the API's error body.
pub fn around(router: Router, time_limit: Duration) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    // The time limit is tower's: it fails with `Elapsed`, which becomes the API's answer
    // (tower-http's own answers with an empty body and has no hook to change that).
    let timeout = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(move |error: BoxError| async move {
            if error.is::<Elapsed>() {
                ApiError::TimedOut { limit: time_limit }
            } else {
                ApiError::Internal(error)
            }
        }))
        .timeout(time_limit);
    router
        .layer(CatchPanicLayer::custom(panicked))
        .layer(timeout)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new()
                // A short answer (an error, a receipt) gains nothing and costs the encoder's
                // set-up: some 1.3 ms a request in a debug build, measured.
                .and(SizeAbove::new(MIN_COMPRESSED_BYTES))
                // An XLSX file is a zip archive already: compressing it again gains nothing.
                .and(NotForContentType::const_new(Format::Xlsx.content_type())),
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            // The path names at most a case id (a UUID); never a token or a child's data.
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
        })
        // One line per answered request only at `debug` (RUST_LOG=tower_http=debug): at
        // thousands of requests a second the line costs more than the request's own work.
        // Failures (5xx) are logged at `error` whatever the level.
        .on_response(DefaultOnResponse::new().level(tracing::Level::DEBUG)))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // Outermost: every answer, a refusal by any layer above included, is in the
        // request's language.
        .layer(axum::middleware::from_fn(localize))
}

/// Answers the request in the language its `Accept-Language` asks for (Chinese when it asks
/// for neither), and says which: `Content-Language`, and `Vary` for caches.
async fn localize(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let lang = Lang::negotiate(
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let mut response = LANG.scope(lang, next.run(request)).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(match lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }),
    );
    headers.append(header::VARY, HeaderValue::from_static("accept-language"));
    response
}

/// A handler panicked: the panic's message goes to the log (with the request's span), the
/// client gets the API's 500 and nothing of the message.
fn panicked(payload: Box<dyn Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    ApiError::internal(format!("a handler panicked: {message}")).into_response()
}
