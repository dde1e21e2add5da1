//! The head teacher's "today" (the home page of every signed-in user): her classes' roll call
//! for today, then the steps her role owes for the children of her schools, the overdue first
//! and the longest overdue at the top, read from the same work queue as
//! `GET /api/v1/work-queue`; each card links to the child's page and to the step's form. For
//! a township or bureau officer, the reports to their office to acknowledge (one tap) and the
//! overdue reports of their jurisdiction (督办).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use notoneless_api::AppState;
use notoneless_api::auth::{CHILD_FILE_READERS, visible_schools};
use notoneless_api::cases::queue::queue_of;
use notoneless_i18n::{Message, Msg};
use notoneless_store::read_model::{WorkReason, obligation_label, work_queue};

use crate::case::{child_line, form_for};
use crate::roll_call::{ClassToday, classes_today};
use crate::shell::{Shell, Viewer, render};
use crate::steps::new_key;

/// How many steps the page lists at most.
pub const MAX_ITEMS: i64 = 200;

/// A step as the page shows it.
pub struct Item {
    pub step: String,
    /// The child, as the school knows them: name, grade and class.
    pub child: String,
    pub case_id: String,
    pub school: String,
    pub due: String,
    pub overdue: bool,
    /// The form that records this step, where the console has one, and its link's text.
    pub action: Option<(String, String)>,
    /// A report to the viewer's office: the one-tap acknowledgement's idempotency key, and
    /// when the report was made ("reported on …").
    pub acknowledge: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "today.html")]
struct TodayPage {
    shell: Shell,
    today: String,
    overdue: Vec<Item>,
    due: Vec<Item>,
    /// The role records no steps of a case (an admin): nothing to list.
    no_steps: bool,
    /// Today's roll call of the viewer's classes.
    classes: Vec<ClassToday>,
    /// The role records steps of a case (a school's staff).
    records: bool,
    /// The role acknowledges reports (a township or bureau officer): the reports to its
    /// office to acknowledge, and the reports overdue in its jurisdiction (督办).
    acknowledges: bool,
    to_acknowledge: Vec<Item>,
    to_supervise: Vec<Item>,
    /// The role reads children's files: the ledger (台账) of its jurisdiction to download.
    ledger: bool,
}

/// `GET /`.
pub async fn page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let lang = viewer.lang;
    let now = state.store.clock.now();
    let calendar = state.store.rules.get().calendar.clone();
    let today = calendar.local_date(now);
    let shell = Shell::of(&viewer, Msg::ConsoleTodayTitle, "/");
    let query = match queue_of(viewer.caller.user.role) {
        Ok(query) => query,
        Err(refused) => return crate::shell::failed_with(lang, &refused),
    };
    let classes = match classes_today(&state, &viewer).await {
        Ok(classes) => classes,
        Err(refused) => return crate::shell::failed_with(lang, &refused),
    };
    if query.kinds.is_empty() && query.acknowledge.is_none() {
        return render(&TodayPage {
            shell,
            today: lang.day(today),
            overdue: Vec::new(),
            due: Vec::new(),
            no_steps: true,
            records: false,
            classes,
            acknowledges: false,
            to_acknowledge: Vec::new(),
            to_supervise: Vec::new(),
            ledger: CHILD_FILE_READERS.allows(viewer.caller.user.role),
        });
    }
    let snapshot = state.store.org.current();
    let schools = visible_schools(&snapshot.org, &viewer.caller.user);
    let items = match work_queue(&state.store.db, &query, schools.as_deref(), now, MAX_ITEMS).await
    {
        Ok(items) => items,
        Err(error) => {
            tracing::error!(%error, "the work queue could not be read");
            return crate::shell::failed(lang);
        }
    };
    let (mut overdue, mut due) = (Vec::new(), Vec::new());
    let (mut to_acknowledge, mut to_supervise) = (Vec::new(), Vec::new());
    for item in items {
        let shown = Item {
            child: child_line(lang, &item.name, item.grade, &item.class),
            step: obligation_label(&item.obligation.kind)
                .map_or_else(|| item.obligation.kind.clone(), |m| m.text(lang)),
            school: snapshot
                .org
                .nodes
                .get(&item.school)
                .map_or_else(|| item.school.clone(), |n| n.name.clone()),
            action: (item.reason == WorkReason::Record)
                .then(|| form_for(&item.case_id, &item.obligation.kind))
                .flatten()
                .map(|(href, msg)| (href, msg.text(lang))),
            acknowledge: (item.reason == WorkReason::Acknowledge).then(|| {
                let made = item.obligation.done_on.map(|d| lang.day(d));
                (
                    new_key(),
                    Message::new(Msg::ConsoleReportMadeOn)
                        .with("day", made.unwrap_or_default())
                        .text(lang),
                )
            }),
            case_id: item.case_id,
            due: Message::new(Msg::ConsoleDueBy)
                .with("day", item.obligation.trigger_day)
                .text(lang),
            overdue: item.overdue,
        };
        match item.reason {
            WorkReason::Acknowledge => to_acknowledge.push(shown),
            WorkReason::Supervise => to_supervise.push(shown),
            WorkReason::Record if shown.overdue => overdue.push(shown),
            WorkReason::Record => due.push(shown),
        }
    }
    render(&TodayPage {
        shell,
        today: lang.day(today),
        overdue,
        due,
        no_steps: false,
        records: !query.kinds.is_empty(),
        classes,
        acknowledges: query.acknowledge.is_some(),
        to_acknowledge,
        to_supervise,
        ledger: CHILD_FILE_READERS.allows(viewer.caller.user.role),
    })
}
