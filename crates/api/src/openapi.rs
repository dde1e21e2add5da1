//! The OpenAPI 3 document, generated from the handlers and types, and the interactive API
//! page (Swagger UI, its assets vendored into the binary: nothing is fetched at build or run
//! time).

use axum::Router;
use axum::http::StatusCode;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use notoneless_store::table::{Format, Lang};

use crate::state::AppState;
use crate::{error, routes};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The session cookie a login sets (POST /api/v1/session). A request that changes \
                 something also carries the session's CSRF token in the X-CSRF-Token header.",
            ))),
        );
    }
}

/// Every operation behind a bearer token takes a session cookie instead (one requirement or
/// the other), as `auth::admit` does.
struct SessionAuth;

impl Modify for SessionAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.delete,
                &mut item.put,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                if let Some(security) = operation.security.as_mut()
                    && !security.is_empty()
                {
                    security.push(SecurityRequirement::new("session", Vec::<String>::new()));
                }
            }
        }
    }
}

/// The answers every operation of a kind can give, whatever its handler does, added to each
/// operation that does not declare them itself, so that the document lists every status a
/// route can answer (schemathesis checks it: `crates/server/tests/schemathesis.rs`):
///
/// - behind a bearer token: 401 (no valid token, with `WWW-Authenticate`), 429 (too many
///   failed tokens from the caller's address, with `Retry-After`);
/// - every operation: 503 (over the time limit, [`crate::layers::REQUEST_TIME_LIMIT`], or the
///   database is away, unless the operation answers from memory: [`ANSWERED_FROM_MEMORY`]);
/// - with a request body, query or path parameters: 400 (the request cannot be read);
/// - with a request body: 413 (over the body limit);
/// - a write (POST, DELETE): 409 (others kept writing the same record);
/// - a write behind a bearer token or a session: 403 (a session's request without its CSRF
///   token, if nothing else).
struct CommonResponses;

/// The operations that read only the organisation held in memory, never the database.
const ANSWERED_FROM_MEMORY: &[&str] = &["get_org"];

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for (operation, write) in [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.delete, true),
                (&mut item.put, true),
                (&mut item.patch, true),
            ] {
                if let Some(operation) = operation.as_mut() {
                    add_common_responses(operation, write);
                    describe_by_status(operation);
                }
            }
        }
    }
}

fn add_common_responses(operation: &mut Operation, write: bool) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = operation.request_body.is_some();
    let has_parameters = operation
        .parameters
        .iter()
        .flatten()
        .any(|p| {
            matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Path))
        });
    let from_memory = operation
        .operation_id
        .as_deref()
        .is_some_and(|id| ANSWERED_FROM_MEMORY.contains(&id));
    let mut add = |status: &str, response: Response| {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert(RefOr::T(response));
    };
    if has_body || has_parameters {
        add("400", error("The request cannot be read: bad JSON, a wrong type, an unknown or missing field or parameter, an impossible date").build());
    }
    if has_body {
        add("413", error("The body is over the limit").build());
    }
    if write {
        add("409", error("Others kept writing the same record, or the Idempotency-Key was used for another request; nothing was written").build());
    }
    if secured && write {
        add(
            "403",
            error("The role may not do this, or a request made with a session cookie lacks its CSRF token").build(),
        );
    }
    if secured {
        add(
            "401",
            error("No valid bearer token")
                .header(
                    "WWW-Authenticate",
                    HeaderBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                        .description(Some("The scheme: Bearer"))
                        .build(),
                )
                .build(),
        );
        add(
            "429",
            error("Too many failed bearer tokens from the caller's address")
                .header(
                    "Retry-After",
                    HeaderBuilder::new()
                        .schema(Some(
                            ObjectBuilder::new()
                                .schema_type(Type::Integer)
                                .minimum(Some(0)),
                        ))
                        .description(Some("Seconds until the address may try again"))
                        .build(),
                )
                .build(),
        );
    }
    let time_limit = crate::layers::REQUEST_TIME_LIMIT.as_secs();
    add(
        "503",
        error(&if secured && !from_memory {
            format!("The database is unavailable, or the request took longer than {time_limit} s; try again")
        } else {
            format!("The request took longer than {time_limit} s; try again")
        })
        .build(),
    );
}

/// Gives each answer declared without a description its status's reason phrase ("OK",
/// "Not Found"): OpenAPI 3.1 requires one, and utoipa 6 leaves an empty one out.
fn describe_by_status(operation: &mut Operation) {
    for (status, response) in &mut operation.responses.responses {
        if let RefOr::T(response) = response
            && response.description.is_empty()
        {
            response.description = status
                .parse()
                .ok()
                .and_then(|code| StatusCode::from_u16(code).ok())
                .and_then(|code| code.canonical_reason())
                .unwrap_or("The answer")
                .to_string();
        }
    }
}

/// An answer with the one error body.
fn error(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build(),
    )
}

/// What the document says besides its paths (those come from the table: `routes.rs`).
#[derive(OpenApi)]
#[openapi(
    info(title = "Not One Less (一个都不能少)", description = "Case files of children at risk of dropping out, and proof that every step was taken on time."),
    components(schemas(error::ErrorBody, Format, Lang)),
    modifiers(&BearerAuth),
    tags(
        (name = "commands", description = "Record facts on a case: one endpoint per fact"),
        (name = "reads", description = "Status, lists, work queue, dashboard"),
        (name = "replay", description = "History and replay for inspectors"),
        (name = "sessions", description = "Logging in with a password, the session, one's own password"),
        (name = "organisation", description = "The jurisdiction tree, users and tokens"),
        (name = "calendar", description = "The school calendar"),
        (name = "reviews", description = "Accountability reviews"),
        (name = "roll calls", description = "The daily roll call (零报告)"),
        (name = "imports", description = "Lists imported from other systems, and the ledger exported"),
        (name = "log", description = "The log's signing keys, signed checkpoints and inclusion proofs"),
    )
)]
struct ApiDoc;

/// The OpenAPI document: every endpoint of the table, with the answers every operation of
/// its kind can give.
pub fn document() -> utoipa::openapi::OpenApi {
    finish(routes::assemble(None, ApiDoc::openapi()).into_openapi())
}

/// Adds what every operation of a kind answers to a document of the table's paths, and the
/// session as the bearer token's alternative.
pub(crate) fn finish(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    CommonResponses.modify(&mut document);
    SessionAuth.modify(&mut document);
    document
}

/// What the document says besides its paths, for the router to add them to (`crate::app`).
pub(crate) fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `/api/openapi.json` and the API page at `/api/docs`.
pub fn docs(document: utoipa::openapi::OpenApi) -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", document))
}
