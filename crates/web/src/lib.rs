//! The web console of Not One Less: server-rendered pages for the people the plan names,
//! served by `notoneless serve` beside the API, on the same application, the same sessions
//! (the `nol_session` cookie and its CSRF token), the same permissions and the same command
//! path. Every page works without JavaScript; every text comes from the message catalogues
//! (`crates/i18n`, `console.ftl`), in Chinese unless the reader chose English.
//!
//! * `shell.rs`: what every page shares (the language, the signed-in user, the header, the
//!   security headers of every answer);
//! * `assets.rs`: the stylesheet, built into the binary;
//! * `login.rs`: logging in (with the first-login change of a one-time password), out, and
//!   the language switch;
//! * `today.rs`: the head teacher's "today": what is due and overdue for her children;
//! * `roll_call.rs`: today's roll call, one screen per class;
//! * `call.rs`: the parents' call, recorded from a one-screen form;
//! * `steps.rs`: the other steps' forms (home visit, report upward, return) from one
//!   template, and the one-tap acknowledgement of a report; the helpers every form shares;
//! * `case.rs`: the child's page: the child, the ladder's state, the case as facts in order.
//! * the bureau's and the inspectors' pages (issue 17): `search.rs` (finding a child),
//!   `timeline.rs` (a case's facts in order, "as of" against "as known at"), `review.rs`
//!   (the findings of a period, and their downloads), `dashboard.rs` (the county in SVG bar
//!   charts and a table; `trend.rs`, its weekly trend of absences and episodes, an SVG bar
//!   chart and a table), `proof.rs` (the latest signed checkpoint, a case's inclusion proof);
//!   `reads.rs`, what they share.
//! * `admin.rs`: the admin's pages (issue 17): the users (add, reset a password, deactivate)
//!   and the school calendar (declare a holiday or a make-up day, a past one confirmed).
//!
//! What is not built yet is listed in `docs/console.md`.

mod admin;
mod assets;
mod call;
mod case;
mod dashboard;
mod login;
mod proof;
mod reads;
mod review;
mod roll_call;
mod search;
mod shell;
mod steps;
mod timeline;
mod today;
mod trend;

/// The stylesheet's path (with the version in it): `nol-pages` times it as its baseline.
pub use assets::STYLESHEET;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};
use notoneless_api::application::Console;

pub use shell::LANG_COOKIE;

/// The console's pages, to serve with [`notoneless_api::application::Application::with_console`].
pub fn console() -> Console {
    let pages = Router::new()
        .route("/", get(today::page))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::log_out))
        .route(
            "/cases/{case_id}/parent-call",
            get(call::form).post(call::submit),
        )
        .route("/cases/{case_id}", get(case::page))
        .route(
            "/cases/{case_id}/home-visit",
            get(steps::visit_form).post(steps::visit_submit),
        )
        .route(
            "/cases/{case_id}/report",
            get(steps::report_form).post(steps::report_submit),
        )
        .route(
            "/cases/{case_id}/return",
            get(steps::return_form).post(steps::return_submit),
        )
        .route("/cases/{case_id}/acknowledge", post(steps::acknowledge))
        .route(
            "/roll-call/{school}/{class}",
            get(roll_call::form).post(roll_call::submit),
        )
        .route("/lang/{code}", get(login::switch_language))
        .route("/static/{file}", get(assets::serve))
        // The bureau's and the inspectors' pages (issue 17).
        .route("/search", get(search::page))
        .route("/cases/{case_id}/timeline", get(timeline::page))
        .route("/review", get(review::page))
        .route("/dashboard", get(dashboard::page))
        .route("/proof", get(proof::page))
        // The admin's pages (issue 17).
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route(
            "/admin/users/{user_id}/password-reset",
            post(admin::reset_password),
        )
        .route(
            "/admin/users/{user_id}/deactivation",
            post(admin::deactivate),
        )
        .route("/admin/calendar", get(admin::calendar).post(admin::declare))
        .layer(middleware::map_response(shell::security_headers));
    Console {
        pages,
        not_found: get(shell::not_found).layer(middleware::map_response(shell::security_headers)),
    }
}
