//! Today's roll call (零报告), one screen per class: the children of the class the school
//! knows (those with a case file), each ticked present, absent, or on leave, and anyone else
//! absent named by hand; how many are enrolled (the class's last roll call's number to start
//! from). Submitted once, on the same path as `POST /api/v1/schools/{school}/roll-calls` (the
//! same roles, the same school check, the same command, an idempotency key made with the
//! page). The classes of a school are those its roll calls and its case files name: the
//! organisation keeps no class lists.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use notoneless_api::AppState;
use notoneless_api::auth::{Access, ROLL_CALLERS, require_role, sees_school, visible_schools};
use notoneless_api::error::ApiError;
use notoneless_domain::{NamedAbsence, RollCall};
use notoneless_i18n::{Message, Msg};
use notoneless_store::read_model::{CaseFilter, list_cases};

use crate::call::Choice;
use crate::login::FieldError;
use crate::shell::{Shell, Viewer, failed_with, render};
use crate::steps::{Values, field_error, key_of, new_key, today};

/// The most case files of a school read to find its classes and children.
const MAX_CHILDREN: i64 = 500;

/// A class's roll call today, as today's page lists it.
pub struct ClassToday {
    pub school: String,
    pub class: String,
    pub href: String,
    /// What was submitted today ("submitted: 1 absent"), if it was.
    pub done: Option<String>,
}

/// A child the class knows: student number and name.
#[derive(Clone)]
pub struct Child {
    pub student_number: String,
    pub name: String,
}

/// What the roll calls and case files of a school say of its classes: for each class, its
/// children (by name), its last number enrolled, and today's roll call if there is one.
#[derive(Default)]
struct ClassRecord {
    children: BTreeMap<String, Child>,
    last_enrolled: Option<u32>,
    today: Option<RollCall>,
}

async fn classes_of(
    state: &AppState,
    school: &str,
) -> Result<BTreeMap<String, ClassRecord>, ApiError> {
    let today = today(state);
    let mut classes: BTreeMap<String, ClassRecord> = BTreeMap::new();
    for (_, roll_call) in state.store.roll_calls.of_school(school, None).await? {
        let class = classes
            .entry(roll_call.class.trim().to_string())
            .or_default();
        class.last_enrolled = Some(roll_call.enrolled);
        if roll_call.on == today {
            class.today = Some(roll_call);
        }
    }
    let filter = CaseFilter {
        schools: Some(vec![school.to_string()]),
        stage: None,
        focus_group: None,
        overdue_at: None,
        limit: MAX_CHILDREN,
        offset: 0,
    };
    let (cases, _) = list_cases(&state.store.db, &filter).await?;
    for case in cases {
        let class = classes.entry(case.class.trim().to_string()).or_default();
        class.children.insert(
            case.student_number.clone(),
            Child {
                student_number: case.student_number,
                name: case.name,
            },
        );
    }
    Ok(classes)
}

fn href(school: &str, class: &str) -> String {
    format!("/roll-call/{}/{}", urlencoding(school), urlencoding(class))
}

/// A path segment, percent-encoded.
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The classes whose roll call the viewer takes today (none for a role that takes none).
pub async fn classes_today(state: &AppState, viewer: &Viewer) -> Result<Vec<ClassToday>, ApiError> {
    if !ROLL_CALLERS.allows(viewer.caller.user.role) {
        return Ok(Vec::new());
    }
    let snapshot = state.store.org.current();
    let schools = visible_schools(&snapshot.org, &viewer.caller.user).unwrap_or_default();
    let mut listed = Vec::new();
    for school in schools {
        let name = snapshot
            .org
            .nodes
            .get(&school)
            .map_or_else(|| school.clone(), |n| n.name.clone());
        for (class, record) in classes_of(state, &school).await? {
            listed.push(ClassToday {
                href: href(&school, &class),
                done: record.today.map(|r| {
                    Message::new(Msg::ConsoleRollDone)
                        .with("absent", r.absent.len())
                        .text(viewer.lang)
                }),
                school: name.clone(),
                class: Message::new(Msg::ConsoleRollClass)
                    .with("class", class)
                    .text(viewer.lang),
            });
        }
    }
    Ok(listed)
}

/// A child's line of the form (its field named by the child's student number, so that a
/// form sent after the class's list changed still marks the right child).
pub struct Line {
    pub child: Child,
    pub marks: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "roll_call.html")]
struct RollCallPage {
    shell: Shell,
    school_name: String,
    day: String,
    action: String,
    idempotency_key: String,
    enrolled: String,
    lines: Vec<Line>,
    extra_number: String,
    extra_name: String,
    extra_marks: Vec<Choice>,
    /// Today's roll call of the class, already on record: no form.
    done: Option<String>,
    errors: Vec<FieldError>,
}

impl RollCallPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }
}

const MARKS: [(&str, Msg); 3] = [
    ("present", Msg::ConsoleRollPresent),
    ("absent", Msg::ConsoleRollAbsent),
    ("leave", Msg::ConsoleRollLeave),
];

fn marks(viewer: &Viewer, chosen: &str, with_present: bool) -> Vec<Choice> {
    MARKS
        .iter()
        .filter(|(v, _)| with_present || *v != "present")
        .map(|(value, msg)| Choice {
            value,
            text: msg.text(viewer.lang),
            checked: chosen == *value,
        })
        .collect()
}

/// The school is in the viewer's jurisdiction and the viewer's role takes roll calls (the
/// API's `SchoolRoles(ROLL_CALLERS)` check: 403, then 404).
fn admitted(state: &AppState, viewer: &Viewer, school: &str) -> Result<String, ApiError> {
    require_role(&viewer.caller, Access::SchoolRoles(ROLL_CALLERS))?;
    let snapshot = state.store.org.current();
    if !sees_school(&snapshot.org, &viewer.caller.user, school) {
        return Err(ApiError::NotFound);
    }
    Ok(snapshot
        .org
        .nodes
        .get(school)
        .map_or_else(|| school.to_string(), |n| n.name.clone()))
}

fn value(values: &Values, name: &str) -> String {
    values
        .get(name)
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// The class a roll call page is about: its school (id and name) and its name.
struct ClassAt<'a> {
    school: &'a str,
    school_name: String,
    class: &'a str,
}

fn page(
    viewer: &Viewer,
    state: &AppState,
    at: ClassAt<'_>,
    record: &ClassRecord,
    values: &Values,
    errors: Vec<FieldError>,
) -> RollCallPage {
    let lang = viewer.lang;
    let ClassAt {
        school,
        school_name,
        class,
    } = at;
    let action = href(school, class);
    let mut shell = Shell::of(viewer, Msg::ConsoleRollTitle, &action);
    shell.title = Message::new(Msg::ConsoleRollTitleOf)
        .with("class", class)
        .text(lang);
    let lines = record
        .children
        .values()
        .map(|child| {
            let chosen = values
                .get(&format!("mark_{}", child.student_number))
                .map_or("present", String::as_str);
            Line {
                child: child.clone(),
                marks: marks(viewer, chosen, true),
            }
        })
        .collect();
    RollCallPage {
        shell,
        school_name,
        day: lang.day(today(state)),
        idempotency_key: key_of(values),
        enrolled: values.get("enrolled").cloned().unwrap_or_else(|| {
            record
                .last_enrolled
                .map(|n| n.to_string())
                .unwrap_or_default()
        }),
        lines,
        extra_number: value(values, "extra_number"),
        extra_name: value(values, "extra_name"),
        extra_marks: marks(viewer, &value(values, "extra_mark"), false),
        done: record.today.as_ref().map(|r| {
            Message::new(Msg::ConsoleRollDone)
                .with("absent", r.absent.len())
                .text(lang)
        }),
        action,
        errors,
    }
}

/// `GET /roll-call/{school}/{class}`: the class's roll call for today, every child present
/// to start with.
pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((school, class)): Path<(String, String)>,
) -> Response {
    let shown = async {
        let name = admitted(&state, &viewer, &school)?;
        let mut classes = classes_of(&state, &school).await?;
        let record = classes.remove(class.trim()).unwrap_or_default();
        let values = Values::from([("idempotency_key".to_string(), new_key())]);
        let at = ClassAt {
            school: &school,
            school_name: name,
            class: class.trim(),
        };
        Ok::<_, ApiError>(page(&viewer, &state, at, &record, &values, Vec::new()))
    };
    match shown.await {
        Ok(page) => render(&page),
        Err(refused) => failed_with(viewer.lang, &refused),
    }
}

/// `POST /roll-call/{school}/{class}`: submits the roll call and goes back to today's page;
/// or shows the form again with each error next to its field.
pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((school, class)): Path<(String, String)>,
    Form(values): Form<Values>,
) -> Response {
    let lang = viewer.lang;
    if let Some(refused) = viewer.refuse_without_csrf(&value(&values, "csrf_token")) {
        return refused;
    }
    let name = match admitted(&state, &viewer, &school) {
        Ok(name) => name,
        Err(refused) => return failed_with(lang, &refused),
    };
    let class = class.trim();
    let record = match classes_of(&state, &school).await {
        Ok(mut classes) => classes.remove(class).unwrap_or_default(),
        Err(refused) => return failed_with(lang, &refused),
    };
    let mut errors = Vec::new();
    let mut error = |field: &str, msg: Msg| {
        errors.push(FieldError {
            field: field.to_string(),
            text: msg.text(lang),
        })
    };
    let mut absent = Vec::new();
    for child in record.children.values() {
        let excused = match value(&values, &format!("mark_{}", child.student_number)).as_str() {
            "absent" => false,
            "leave" => true,
            _ => continue,
        };
        absent.push(NamedAbsence {
            student_number: child.student_number.clone(),
            name: child.name.clone(),
            excused,
        });
    }
    let (number, extra_name) = (value(&values, "extra_number"), value(&values, "extra_name"));
    if !number.is_empty() || !extra_name.is_empty() {
        if number.is_empty() {
            error("extra_number", Msg::ConsoleRollEnterNumber);
        }
        if extra_name.is_empty() {
            error("extra_name", Msg::ConsoleRollEnterName);
        }
        let excused = match value(&values, "extra_mark").as_str() {
            "absent" => Some(false),
            "leave" => Some(true),
            _ => {
                error("extra_mark", Msg::ConsoleRollChooseMark);
                None
            }
        };
        if let Some(excused) = excused {
            absent.push(NamedAbsence {
                student_number: number,
                name: extra_name,
                excused,
            });
        }
    }
    let enrolled = value(&values, "enrolled").parse::<u32>().ok();
    match enrolled {
        None => error("enrolled", Msg::ConsoleRollEnterEnrolled),
        Some(n) if (n as usize) < absent.len() => error("enrolled", Msg::ConsoleRollTooFew),
        Some(_) => {}
    }
    let refused = match (enrolled, errors.is_empty()) {
        (Some(enrolled), true) => {
            let roll_call = RollCall {
                on: today(&state),
                class: class.to_string(),
                enrolled,
                present: enrolled.saturating_sub(u32::try_from(absent.len()).unwrap_or(u32::MAX)),
                absent,
            };
            let submitted = state
                .store
                .roll_calls
                .submit(
                    &school,
                    roll_call,
                    &viewer.caller.context(Some(key_of(&values))),
                )
                .await;
            match submitted {
                Ok(_) => return Redirect::to("/").into_response(),
                Err(refused) => Some(ApiError::from(refused)),
            }
        }
        _ => None,
    };
    let (status, errors) = match refused {
        Some(refused) => (refused.status(), vec![field_error(lang, &refused)]),
        None => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    let at = ClassAt {
        school: &school,
        school_name: name,
        class,
    };
    let shown = page(&viewer, &state, at, &record, &values, errors);
    (status, render(&shown)).into_response()
}
