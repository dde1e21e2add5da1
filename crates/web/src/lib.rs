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
//! * `check.rs`: "check your answers" before a form records what cannot be taken back (the
//!   report upward): the answers listed, each with a "change" button, and the button that
//!   records;
//! * `case.rs`: the child's page: the child, the ladder's state, the case as facts in order.
//! * the bureau's and the inspectors' pages (issue 17): `search.rs` (finding a child),
//!   `timeline.rs` (a case's facts in order, "as of" against "as known at"), `review.rs`
//!   (the findings of a period, and their downloads), `dashboard.rs` (the county in SVG bar
//!   charts and a table), `proof.rs` (the latest signed checkpoint, a case's inclusion proof)
//!   and `verification.rs` (the log verified on demand, the last result kept with its time);
//!   charts and a table; `trend.rs`, its weekly trend of absences and episodes, an SVG bar
//!   chart and a table), `proof.rs` (the latest signed checkpoint, a case's inclusion proof);
//!   `reads.rs`, what they share.
//! * `school.rs`: the principal's school pages (issue 17): transfer out and its
//!   confirmation, suspension and resumption, support (减免缓助) and home teaching (送教上门),
//!   each a form on a child's case through the `steps.rs` machinery, offered on the child's
//!   page to who may record it while the case takes it;
//! * `admin.rs`: the admin's pages (issue 17): the users (add, reset a password, deactivate);
//!   `calendar.rs`, the school calendar (add a term, declare a holiday or a make-up day, take
//!   one back; a change to a day already past first shows the deadlines it would move and
//!   asks for a reason); `users_import.rs`, the users' list uploaded, checked, previewed and
//!   recorded all or nothing, the new users' one-time passwords shown once with their
//!   handout; `org_tree.rs`, the organisation tree (county, townships, schools, their users)
//!   and adding a unit to it.
//!
//! What the pages do not do yet is listed in `docs/console.md` ("Limits, and what is not built").

mod admin;
mod assets;
mod calendar;
mod call;
mod case;
mod check;
mod dashboard;
mod login;
mod org_tree;
mod proof;
mod reads;
mod review;
mod roll_call;
mod school;
mod search;
mod shell;
mod steps;
mod timeline;
mod today;
mod trend;
mod users_import;
mod verification;

/// The stylesheet's path (with the version in it): `nol-pages` times it as its baseline.
pub use assets::STYLESHEET;

use axum::Router;
use axum::extract::DefaultBodyLimit;
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
        .route("/proof/verify", post(proof::verify_now))
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
        .route(
            "/admin/calendar",
            get(calendar::page).post(calendar::declare),
        )
        .route("/admin/calendar/terms", post(calendar::add_term))
        .route(
            "/admin/calendar/days/{day}/take-back",
            post(calendar::take_back),
        )
        .route(
            "/admin/users/import",
            get(users_import::form)
                .post(users_import::check)
                .layer(DefaultBodyLimit::max(users_import::BODY_LIMIT)),
        )
        .route(
            "/admin/users/import/confirm",
            post(users_import::confirm).layer(DefaultBodyLimit::max(users_import::BODY_LIMIT)),
        )
        .route("/admin/org", get(org_tree::page).post(org_tree::add_node))
        // The principal's school pages (issue 17).
        .route(
            "/cases/{case_id}/transfer",
            get(school::transfer_form).post(school::transfer_submit),
        )
        .route(
            "/cases/{case_id}/transfer-confirmation",
            get(school::confirmation_form).post(school::confirmation_submit),
        )
        .route(
            "/cases/{case_id}/suspension",
            get(school::suspension_form).post(school::suspension_submit),
        )
        .route(
            "/cases/{case_id}/resumption",
            get(school::resumption_form).post(school::resumption_submit),
        )
        .route(
            "/cases/{case_id}/support",
            get(school::support_form).post(school::support_submit),
        )
        .route(
            "/cases/{case_id}/home-teaching",
            get(school::home_teaching_form).post(school::home_teaching_submit),
        )
        // The last verification of the log (the proof page's), this application's own.
        .layer(axum::Extension(verification::Verifications::default()))
        .layer(middleware::map_response(shell::security_headers));
    Console {
        pages,
        not_found: get(shell::not_found).layer(middleware::map_response(shell::security_headers)),
    }
}
