//! The OpenAPI 3 document, generated from the handlers and types, and the interactive API
//! page (Swagger UI, its assets vendored into the binary: nothing is fetched at build or run
//! time).

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;
use crate::{cases, error, exports, imports, org, registry, reviews, roll_calls};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Not One Less (一个都不能少)", description = "Case files of children at risk of dropping out, and proof that every step was taken on time."),
    paths(
        cases::open_case, cases::change_focus_groups, cases::record_absence, cases::grant_leave,
        cases::record_parent_contact, cases::record_home_visit, cases::report_upward,
        cases::acknowledge_report, cases::add_supervision_note, cases::record_return,
        cases::transfer_out, cases::confirm_transfer, cases::suspend, cases::resume,
        cases::give_support, cases::record_home_teaching, cases::correct_fact,
        cases::close_case, cases::reopen_case, cases::resolve_registry_finding,
        cases::get_case, cases::list, cases::my_work_queue, cases::dashboard,
        cases::history, cases::as_of, cases::as_known_at, cases::timeline, cases::reads,
        org::get_org, org::org_history, org::add_node, org::add_user, org::deactivate_user, org::issue_token,
        org::revoke_token, org::get_calendar, org::add_term, org::declare_holiday,
        org::declare_make_up_day, org::clear_day, reviews::get_review, reviews::export_review,
        roll_calls::submit_roll_call, roll_calls::list_roll_calls, imports::grade6_watch,
        exports::ledger, exports::ledger_csv,
        registry::import_registry_cross_check, registry::list_registry_findings,
    ),
    components(schemas(error::ErrorBody, exports::FileFormat, exports::Language)),
    modifiers(&BearerAuth),
    tags(
        (name = "commands", description = "Record facts on a case: one endpoint per fact"),
        (name = "reads", description = "Status, lists, work queue, dashboard"),
        (name = "replay", description = "History and replay for inspectors"),
        (name = "organisation", description = "The jurisdiction tree, users and tokens"),
        (name = "calendar", description = "The school calendar"),
        (name = "reviews", description = "Accountability reviews"),
        (name = "roll calls", description = "The daily roll call (零报告)"),
        (name = "imports", description = "Lists imported from other systems, and the ledger exported"),
    )
)]
pub struct ApiDoc;

/// `/api/openapi.json` and the API page at `/api/docs`.
pub fn docs() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}
