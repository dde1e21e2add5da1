//! The API as one table: a row per endpoint, naming its handler (whose `#[utoipa::path]` gives
//! the route and the OpenAPI operation) and the [`Access`] it asks of its caller, checked by
//! [`admit`] before the handler runs. The router, the OpenAPI document's paths, the
//! permission table `docs/api.md` prints and the authorisation-matrix and fuzz tests all come
//! from this table, so an endpoint cannot exist without its access. The case commands are
//! rows of their own table (`cases::commands`), taken in whole here.

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use notoneless_domain::CaseActionKind;
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::auth::{
    Access, CALENDAR_KEEPERS, CHILD_FILE_READERS, CHILD_SEARCHERS, GRADE6_IMPORTERS,
    LEDGER_IMPORTERS, LEDGER_READERS, LOG_AUDITORS, ORG_ADMINS, ORG_HISTORY_READERS, Permission,
    READ_AUDITORS, REGISTRY_IMPORTERS, REVIEWERS, ROLL_CALLERS, TRAINERS, admit,
};
use crate::cases::{commands, queue, replay, status};
use crate::{
    AppState, MAX_IMPORT_BYTES, access_log, clock, exports, imports, org, registry, reviews,
    roll_calls, search, session, transparency,
};

/// One endpoint: its handler with its route and operation, and who may call it.
pub struct Endpoint {
    pub route: UtoipaMethodRouter<AppState>,
    pub access: Access,
    /// A larger body than the API's default is accepted (the imports' lists).
    body_limit: Option<usize>,
}

fn row(route: UtoipaMethodRouter<AppState>, access: Access) -> Endpoint {
    Endpoint {
        route,
        access,
        body_limit: None,
    }
}

impl Endpoint {
    fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }
}

/// Every endpoint of the API under `/api/v1`.
pub fn endpoints() -> Vec<Endpoint> {
    use Access::{
        Case, CaseRoles, Credentials, Everyone, OwnTokenOrAdmin, Public, Record, Roles, School,
        SchoolRoles, Session,
    };
    let mut table = vec![
        row(routes!(session::log_in), Public),
        row(routes!(session::who_am_i), Everyone),
        row(routes!(session::log_out), Session),
        row(routes!(session::change_password), Everyone),
        row(
            routes!(commands::open_case),
            Roles(Permission::recording(CaseActionKind::OpenCase)),
        ),
        row(routes!(status::list), Everyone),
        row(routes!(search::search), Roles(CHILD_SEARCHERS)),
        row(routes!(status::get_case), Case),
        row(routes!(replay::history), Case),
        row(routes!(replay::as_of), Case),
        row(routes!(replay::as_known_at), Case),
        row(routes!(replay::timeline), Case),
        row(routes!(access_log::reads), CaseRoles(READ_AUDITORS)),
        row(routes!(transparency::case_proof), Case),
        row(routes!(transparency::keys), Roles(LOG_AUDITORS)),
        row(routes!(transparency::checkpoints), Roles(LOG_AUDITORS)),
        row(routes!(queue::my_work_queue), Everyone),
        row(routes!(queue::dashboard), Everyone),
        row(routes!(reviews::get_review), Roles(REVIEWERS)),
        row(routes!(reviews::export_review), Roles(REVIEWERS)),
        row(routes!(imports::grade6_watch), Roles(GRADE6_IMPORTERS)).body_limit(MAX_IMPORT_BYTES),
        row(
            routes!(registry::import_registry_cross_check),
            Roles(REGISTRY_IMPORTERS),
        )
        .body_limit(MAX_IMPORT_BYTES),
        row(
            routes!(registry::list_registry_findings),
            Roles(CHILD_FILE_READERS),
        ),
        row(routes!(exports::ledger), Roles(LEDGER_READERS)),
        row(routes!(exports::ledger_csv), Roles(LEDGER_READERS)),
        row(
            routes!(roll_calls::submit_roll_call),
            SchoolRoles(ROLL_CALLERS),
        ),
        row(routes!(roll_calls::list_roll_calls), School),
        row(
            routes!(roll_calls::import_roll_calls),
            SchoolRoles(ROLL_CALLERS),
        )
        .body_limit(MAX_IMPORT_BYTES),
        row(
            routes!(imports::import_county_ledger),
            Roles(LEDGER_IMPORTERS),
        )
        .body_limit(MAX_IMPORT_BYTES),
        row(routes!(org::get_org), Everyone),
        row(routes!(org::org_history), Roles(ORG_HISTORY_READERS)),
        row(routes!(org::add_node), Roles(ORG_ADMINS)),
        row(routes!(org::add_user), Roles(ORG_ADMINS)),
        row(routes!(org::deactivate_user), Roles(ORG_ADMINS)),
        row(routes!(org::issue_token), Roles(ORG_ADMINS)),
        row(routes!(org::revoke_token), OwnTokenOrAdmin),
        row(routes!(org::reset_password), Credentials),
        row(routes!(org::end_sessions), Credentials),
        row(routes!(org::get_calendar), Everyone),
        row(routes!(clock::get_clock), Everyone),
        row(routes!(clock::move_clock), Roles(TRAINERS)),
        row(routes!(org::add_term), Roles(CALENDAR_KEEPERS)),
        row(routes!(org::declare_holiday), Roles(CALENDAR_KEEPERS)),
        row(routes!(org::declare_make_up_day), Roles(CALENDAR_KEEPERS)),
        row(routes!(org::clear_day), Roles(CALENDAR_KEEPERS)),
    ];
    table.extend(
        commands::routes()
            .into_iter()
            .map(|(route, kind)| row(route, Record(kind))),
    );
    table
}

/// What a row says, for the tests and the docs.
#[derive(Clone, Debug)]
pub struct Row {
    pub method: Method,
    /// The route as the OpenAPI document writes it (`/api/v1/cases/{case_id}`).
    pub path: String,
    pub operation_id: String,
    pub access: Access,
}

impl Row {
    /// `METHOD path`, as the docs and tests name an endpoint.
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Every row of the table, in the table's order.
pub fn table() -> Vec<Row> {
    endpoints()
        .into_iter()
        .flat_map(|endpoint| {
            let access = endpoint.access;
            endpoint
                .route
                .1
                .paths
                .into_iter()
                .flat_map(move |(path, item)| {
                    operations(item)
                        .into_iter()
                        .map(move |(method, operation)| Row {
                            method,
                            path: path.clone(),
                            operation_id: operation.operation_id.unwrap_or_default(),
                            access,
                        })
                })
        })
        .collect()
}

/// Who may call each endpoint, as the Markdown table `docs/api.md` prints (a test checks the
/// two agree).
pub fn permissions_markdown() -> String {
    let mut rows: Vec<Row> = table();
    rows.sort_by(|a, b| (&a.path, a.method.as_str()).cmp(&(&b.path, b.method.as_str())));
    let mut out = String::from("| endpoint | who may call it |\n|---|---|\n");
    for row in rows {
        out.push_str(&format!(
            "| `{}` | {} |\n",
            row.endpoint(),
            row.access.describe()
        ));
    }
    out
}

fn operations(item: PathItem) -> Vec<(Method, Operation)> {
    [
        (Method::GET, item.get),
        (Method::POST, item.post),
        (Method::PUT, item.put),
        (Method::PATCH, item.patch),
        (Method::DELETE, item.delete),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.map(|o| (method, o)))
    .collect()
}

/// The router of every endpoint, each behind [`admit`] with its row's access, and the
/// OpenAPI document's paths; `None` for the document alone.
pub(crate) fn assemble(state: Option<&AppState>, document: OpenApi) -> OpenApiRouter<AppState> {
    endpoints()
        .into_iter()
        .fold(OpenApiRouter::with_openapi(document), |router, endpoint| {
            let Endpoint {
                route,
                access,
                body_limit,
            } = endpoint;
            let route = match state {
                Some(state) => route.map(|method_router| {
                    // `route_layer`: a method the route does not have answers 405, whoever asks.
                    method_router.route_layer(from_fn_with_state((state.clone(), access), admit))
                }),
                None => route,
            };
            let route = match body_limit {
                Some(bytes) => route.layer(DefaultBodyLimit::max(bytes)),
                None => route,
            };
            router.routes(route)
        })
}
