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
use notoneless_api::auth::visible_schools;
use notoneless_api::cases::queue::queue_of;
use notoneless_i18n::{Message, Msg};
use notoneless_store::read_model::{WorkReason, obligation_label, work_queue};

use crate::case::form_for;
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
    /// the day the report was made.
    pub acknowledge: Option<(String, String)>,
    /// A report overdue in the viewer's jurisdiction (督办).
    pub supervise: bool,
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
            classes,
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
    for item in items {
        let shown = Item {
            child: Message::new(Msg::ConsoleChild)
                .with("name", item.name.as_str())
                .with("grade", item.grade)
                .with("class", item.class.as_str())
                .text(lang),
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
                (
                    new_key(),
                    item.obligation
                        .done_on
                        .map(|d| lang.day(d))
                        .unwrap_or_default(),
                )
            }),
            supervise: item.reason == WorkReason::Supervise,
            case_id: item.case_id,
            due: Message::new(Msg::ConsoleDueBy)
                .with("day", calendar.local_date(item.obligation.due))
                .text(lang),
            overdue: item.overdue,
        };
        if shown.overdue {
            overdue.push(shown);
        } else {
            due.push(shown);
        }
    }
    render(&TodayPage {
        shell,
        today: lang.day(today),
        overdue,
        due,
        no_steps: false,
        classes,
    })
}
