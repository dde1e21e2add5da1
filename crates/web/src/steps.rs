//! The forms of the ladder's other steps beside the parents' call: the home visit (who went,
//! the roles the step requires ticked beforehand), the report upward (to the township
//! government and the county bureau, both named on one form) and the child's return to
//! school; and the one-tap acknowledgement of a report by its recipient. Each form is a
//! command on the same path as the API's (`auth::require_role`, `auth::visible_case`,
//! `Commands::execute`), with an idempotency key made with the page: a form sent twice records
//! once. One template (`step.html`) draws them all from a list of [`Input`]s.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use notoneless_api::AppState;
use notoneless_api::auth::{Access, VisibleCase, require_role, visible_case};
use notoneless_api::cases::commands::settle;
use notoneless_api::error::ApiError;
use notoneless_domain::{
    Acknowledgement, CaseAction, CaseActionKind, CaseEvent, HomeVisit, ObligationKind, Participant,
    Recipient, Report, Return, ReturnMeasure, Role, StepAction, StudentCase, VisitOutcome,
};
use notoneless_i18n::{Arg, Lang, Message, Msg};
use notoneless_store::log::{case_events, fold};
use notoneless_store::read_model::CaseRow;

use crate::call::Choice;
use crate::case::{child_line, log_case_read};
use crate::login::FieldError;
use crate::shell::{Shell, Viewer, failed_with, render};

/// A form's fields as sent (the names are the form's own).
pub type Values = HashMap<String, String>;

/// One input of a step's form.
pub enum Input {
    /// A day (`YYYY-MM-DD`).
    Date {
        name: &'static str,
        label: String,
        value: String,
    },
    /// Several lines of text.
    Area {
        name: &'static str,
        label: String,
        value: String,
    },
    /// One choice of several.
    Radios {
        name: &'static str,
        legend: String,
        choices: Vec<Choice>,
    },
    /// One line of text, with a hint under its label (`numeric`: a phone shows its number
    /// keys, for an amount or a count).
    Text {
        name: &'static str,
        label: String,
        hint: String,
        value: String,
        numeric: bool,
    },
    /// Lines of text and days that belong together (a document: what it is, its number, who
    /// issued it, when), under one legend; an error about the whole group shows under it.
    Group {
        name: &'static str,
        legend: String,
        hint: String,
        fields: Vec<GroupField>,
    },
    /// Things to tick, each with a line of text beside it (who went, and their name; the
    /// recipient, and the report's reference).
    Checks {
        name: &'static str,
        legend: String,
        hint: String,
        items: Vec<Check>,
    },
    /// Things to tick, none required (the visit's measures).
    Ticks {
        name: &'static str,
        legend: String,
        hint: String,
        items: Vec<Tick>,
    },
}

/// A tick box alone.
pub struct Tick {
    pub name: String,
    pub text: String,
    pub checked: bool,
}

/// A field of a [`Input::Group`]: a line of text, or a day.
pub struct GroupField {
    pub name: String,
    pub label: String,
    pub value: String,
    pub date: bool,
}

/// A tick box with its line of text.
pub struct Check {
    pub name: String,
    pub text: String,
    pub checked: bool,
    /// The step requires it (shown as such).
    pub required: bool,
    pub text_name: String,
    pub text_label: String,
    pub text_value: String,
}

impl Check {
    /// The box `name` with its text, and its line of text `text_name`, as the form holds them.
    pub(crate) fn of(
        values: &Values,
        (name, text): (String, String),
        (text_name, text_label): (String, String),
        required: bool,
    ) -> Self {
        Self {
            checked: values.contains_key(&name),
            text_value: value(values, &text_name),
            name,
            text,
            required,
            text_name,
            text_label,
        }
    }
}

#[derive(Template)]
#[template(path = "step.html")]
struct StepPage {
    shell: Shell,
    case_id: String,
    child: String,
    action: String,
    idempotency_key: String,
    inputs: Vec<Input>,
    save: String,
    /// What was filed and what was not, when a form's commands were recorded in part.
    notices: Vec<String>,
    errors: Vec<FieldError>,
}

impl StepPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }
}

/// A new idempotency key for a form.
pub fn new_key() -> String {
    format!("console-{}", uuid::Uuid::new_v4())
}

/// The school's today, by the calendar in force.
pub fn today(state: &AppState) -> NaiveDate {
    state
        .store
        .rules
        .get()
        .calendar
        .local_date(state.store.clock.now())
}

/// The role may record this kind of fact, and the case is in the viewer's jurisdiction (else
/// the API's own refusal: 403, or 404 for a case outside it).
pub async fn admitted(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    kind: CaseActionKind,
) -> Result<(), ApiError> {
    require_role(&viewer.caller, Access::Record(kind))?;
    visible_case(state, &viewer.caller, case_id).await?;
    Ok(())
}

/// Records `action` on the case through the one command path, with the form's idempotency
/// key; what the command path decides itself (a confirmation's continuing school) is the
/// API's (`commands::settle`); a refusal is the API's.
pub async fn record(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    mut action: CaseAction,
    key: String,
) -> Result<(), ApiError> {
    let case = VisibleCase {
        id: case_id.to_string(),
        school: visible_case(state, &viewer.caller, case_id).await?,
    };
    let moves = settle(state, &case, &mut action);
    let recorded = state
        .store
        .commands
        .execute(case_id, action, &viewer.caller.context(Some(key)))
        .await;
    if moves {
        // The case may be kept by another school now: its jurisdiction is read afresh.
        state.store.forget_school(case_id);
    }
    recorded.map(|_| ()).map_err(ApiError::from)
}

/// A refusal as the error shown next to its field (the domain names the command's fields as
/// the forms do: `on`, `guardian`, …).
pub fn field_error(lang: notoneless_i18n::Lang, refused: &ApiError) -> FieldError {
    let field = refused.field().unwrap_or_default();
    // Beside its field the text goes without the API's name of the field (`reference: …`).
    let message = refused.message();
    let text = match (
        &message.msg,
        message.args.iter().find(|(name, _)| name == "text"),
    ) {
        (Msg::FieldMessage, Some((_, Arg::Message(text)))) => text.text(lang),
        _ => message.text(lang),
    };
    FieldError {
        field: field.rsplit('.').next().unwrap_or_default().to_string(),
        text,
    }
}

/// The form's idempotency key, or a new one if it came without.
pub fn key_of(values: &Values) -> String {
    key_or_new(values.get("idempotency_key").map_or("", String::as_str))
}

/// An idempotency key as a form sent it, or a new one if it came without.
pub fn key_or_new(key: &str) -> String {
    let key = key.trim();
    if key.is_empty() {
        new_key()
    } else {
        key.to_string()
    }
}

pub(crate) fn value(values: &Values, name: &str) -> String {
    values.get(name).cloned().unwrap_or_default()
}

pub(crate) fn optional(values: &Values, name: &str) -> Option<String> {
    let text = value(values, name);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Collects the errors of a form, each in the viewer's language.
pub(crate) struct Errors {
    pub(crate) lang: notoneless_i18n::Lang,
    pub(crate) list: Vec<FieldError>,
}

impl Errors {
    pub(crate) fn add(&mut self, field: &str, msg: impl Into<Message>) {
        self.list.push(FieldError {
            field: field.to_string(),
            text: msg.into().text(self.lang),
        });
    }

    pub(crate) fn day(&mut self, values: &Values) -> Option<NaiveDate> {
        let on = NaiveDate::parse_from_str(value(values, "on").trim(), "%Y-%m-%d").ok();
        if on.is_none() {
            self.add("on", Msg::ConsoleEnterDate);
        }
        on
    }
}

/// What the page knows of the case when it draws a form: the child (name, grade, class), and
/// the roles the open home visit requires (none when no visit is due), and the case's facts.
pub(crate) struct CaseNow {
    pub(crate) child: String,
    pub(crate) visit_roles: Vec<Role>,
    pub(crate) case: StudentCase,
}

/// A step's form: what it records, its texts, its inputs, and the commands it makes.
pub(crate) trait Step {
    const KIND: CaseActionKind;
    const SEGMENT: &'static str;
    const TITLE: Msg;
    const SAVE: Msg;
    /// The form's names of the command's fields where they differ (`amount_fen` entered as
    /// `amount`, in yuan): a refusal naming the field shows next to the form's.
    const RENAMED: &'static [(&'static str, &'static str)] = &[];
    /// Where the form goes once recorded: today's list, unless the step says otherwise.
    fn done(_case_id: &str) -> String {
        "/".to_string()
    }
    /// The form's first values.
    fn defaults(viewer: &Viewer, today: NaiveDate, case: &CaseNow) -> Values;
    fn inputs(viewer: &Viewer, values: &Values, case: &CaseNow) -> Vec<Input>;
    /// The commands the form makes, each with the suffix of its idempotency key; or the
    /// errors, all of them (nothing is recorded when one field is wrong).
    fn commands(
        viewer: &Viewer,
        values: &Values,
        errors: &mut Errors,
    ) -> Vec<(&'static str, CaseAction)>;
    /// What the commands will record, for the page that checks the answers before anything
    /// is recorded ("check your answers"); empty: the form records straight away.
    fn answers(_: &Viewer, _: &[(&'static str, CaseAction)]) -> Vec<crate::check::Answers> {
        Vec::new()
    }
}

/// The viewer as the one who took part, in their role on a case.
pub(crate) fn participant(viewer: &Viewer) -> Option<Participant> {
    viewer
        .caller
        .user
        .role
        .case_role()
        .map(|role| Participant::new(viewer.caller.user.name.clone(), role))
}

pub(crate) fn date_input(viewer: &Viewer, label: Msg, values: &Values) -> Input {
    Input::Date {
        name: "on",
        label: label.text(viewer.lang),
        value: value(values, "on"),
    }
}

pub(crate) fn note_input(viewer: &Viewer, values: &Values) -> Input {
    Input::Area {
        name: "note",
        label: Msg::ConsoleCallNote.text(viewer.lang),
        value: value(values, "note"),
    }
}

/// The roles who may go on a home visit, in the form's order.
const VISITORS: [Role; 5] = [
    Role::HeadTeacher,
    Role::ResponsibleLeader,
    Role::Principal,
    Role::VillageCadre,
    Role::TownshipOfficer,
];

const OUTCOMES: [(&str, VisitOutcome, Msg); 4] = [
    (
        "agreed_to_return",
        VisitOutcome::AgreedToReturn,
        Msg::ConsoleVisitAgreed,
    ),
    ("refused", VisitOutcome::Refused, Msg::ConsoleVisitRefused),
    (
        "nobody_home",
        VisitOutcome::NobodyHome,
        Msg::ConsoleVisitNobodyHome,
    ),
    ("other", VisitOutcome::Other, Msg::ConsoleVisitOther),
];

/// The tick box of a measure on the visit's form: `measure_` and its name in the API
/// (`measure_legal_education`).
fn measure_field(measure: ReturnMeasure) -> String {
    let name = serde_json::to_value(measure)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("measure_{name}")
}

/// The measures a home visit took, as a line for a person ("劝返措施：以法治辍、以情劝学");
/// `None` for any other fact, or a visit that names none.
pub fn measures_line(lang: Lang, event: &CaseEvent) -> Option<String> {
    let CaseEvent::HomeVisitConducted(visit) = event else {
        return None;
    };
    (!visit.measures.is_empty()).then(|| {
        Message::new(Msg::ConsoleFactMeasures)
            .with(
                "measures",
                Arg::List(
                    visit
                        .measures
                        .iter()
                        .map(|m| Message::new(m.label()))
                        .collect(),
                ),
            )
            .text(lang)
    })
}

/// 家访: who went (the roles the step requires ticked beforehand), how it went, a note.
struct VisitStep;

impl Step for VisitStep {
    const KIND: CaseActionKind = CaseActionKind::RecordHomeVisit;
    const SEGMENT: &'static str = "home-visit";
    const TITLE: Msg = Msg::ConsoleVisitTitle;
    const SAVE: Msg = Msg::ConsoleCallSave;

    fn defaults(viewer: &Viewer, today: NaiveDate, case: &CaseNow) -> Values {
        let mut values = Values::from([("on".to_string(), today.to_string())]);
        for role in &case.visit_roles {
            values.insert(format!("went_{}", role.as_str()), "on".into());
        }
        if let Some(me) = participant(viewer) {
            values.insert(format!("went_{}", me.role.as_str()), "on".into());
            values.insert(format!("name_{}", me.role.as_str()), me.name);
        }
        values
    }

    fn inputs(viewer: &Viewer, values: &Values, case: &CaseNow) -> Vec<Input> {
        let lang = viewer.lang;
        let items = VISITORS
            .iter()
            .map(|role| {
                let label = Message::new(Msg::ConsoleVisitName).with("role", role.label());
                Check::of(
                    values,
                    (format!("went_{}", role.as_str()), role.label().text(lang)),
                    (format!("name_{}", role.as_str()), label.text(lang)),
                    case.visit_roles.contains(role),
                )
            })
            .collect();
        let required = case
            .visit_roles
            .iter()
            .map(|r| r.label().text(lang))
            .collect::<Vec<_>>()
            .join(lang.separator());
        vec![
            date_input(viewer, Msg::ConsoleVisitDay, values),
            Input::Checks {
                name: "participants",
                legend: Msg::ConsoleVisitWho.text(lang),
                hint: if required.is_empty() {
                    String::new()
                } else {
                    Message::new(Msg::ConsoleVisitRequired)
                        .with("roles", required)
                        .text(lang)
                },
                items,
            },
            Input::Radios {
                name: "outcome",
                legend: Msg::ConsoleVisitOutcome.text(lang),
                choices: OUTCOMES
                    .iter()
                    .map(|(v, _, msg)| Choice {
                        value: v,
                        text: msg.text(lang),
                        checked: value(values, "outcome") == *v,
                    })
                    .collect(),
            },
            Input::Ticks {
                name: "measures",
                legend: Msg::ConsoleVisitMeasures.text(lang),
                hint: Msg::ConsoleVisitMeasuresHint.text(lang),
                items: ReturnMeasure::ALL
                    .iter()
                    .map(|m| {
                        let name = measure_field(*m);
                        Tick {
                            checked: values.contains_key(&name),
                            name,
                            text: m.label().text(lang),
                        }
                    })
                    .collect(),
            },
            note_input(viewer, values),
        ]
    }

    fn commands(
        _: &Viewer,
        values: &Values,
        errors: &mut Errors,
    ) -> Vec<(&'static str, CaseAction)> {
        let on = errors.day(values);
        let mut participants = Vec::new();
        for role in VISITORS {
            if values.contains_key(&format!("went_{}", role.as_str())) {
                match optional(values, &format!("name_{}", role.as_str())) {
                    Some(name) => participants.push(Participant::new(name, role)),
                    None => errors.add(
                        &format!("name_{}", role.as_str()),
                        Message::new(Msg::ConsoleVisitEnterName).with("role", role.label()),
                    ),
                }
            }
        }
        if participants.is_empty() && errors.list.is_empty() {
            errors.add("participants", Msg::ConsoleVisitChooseWho);
        }
        let outcome = OUTCOMES
            .iter()
            .find(|(v, _, _)| value(values, "outcome") == *v)
            .map(|(_, o, _)| *o);
        if outcome.is_none() {
            errors.add("outcome", Msg::ConsoleVisitChooseOutcome);
        }
        match (on, outcome, errors.list.is_empty()) {
            (Some(on), Some(outcome), true) => vec![(
                "",
                CaseAction::RecordHomeVisit(HomeVisit {
                    on,
                    participants,
                    outcome,
                    // Not required: the domain asks for none (visits before the measures
                    // were asked for hold none), nor does the review.
                    measures: ReturnMeasure::ALL
                        .into_iter()
                        .filter(|m| values.contains_key(&measure_field(*m)))
                        .collect(),
                    note: optional(values, "note"),
                }),
            )],
            _ => Vec::new(),
        }
    }
}

const RECIPIENTS: [Recipient; 2] = [Recipient::TownshipGovernment, Recipient::CountyBureau];

/// 上报: one form naming both recipients, each report with its own reference; a report to
/// each recipient ticked.
struct ReportStep;

impl Step for ReportStep {
    const KIND: CaseActionKind = CaseActionKind::ReportUpward;
    const SEGMENT: &'static str = "report";
    const TITLE: Msg = Msg::ConsoleReportTitle;
    // The form leads to the page that checks it; that page's button files the reports.
    const SAVE: Msg = Msg::ConsoleReportContinue;

    fn defaults(_: &Viewer, today: NaiveDate, _: &CaseNow) -> Values {
        let mut values = Values::from([("on".to_string(), today.to_string())]);
        for recipient in RECIPIENTS {
            values.insert(format!("to_{}", recipient.as_str()), "on".into());
        }
        values
    }

    fn inputs(viewer: &Viewer, values: &Values, _: &CaseNow) -> Vec<Input> {
        let lang = viewer.lang;
        let items = RECIPIENTS
            .iter()
            .map(|r| {
                let label = Message::new(Msg::ConsoleReportReference).with("recipient", r.label());
                Check::of(
                    values,
                    (format!("to_{}", r.as_str()), r.label().text(lang)),
                    (format!("reference_{}", r.as_str()), label.text(lang)),
                    false,
                )
            })
            .collect();
        vec![
            date_input(viewer, Msg::ConsoleReportDay, values),
            Input::Checks {
                name: "recipients",
                legend: Msg::ConsoleReportRecipients.text(lang),
                hint: Msg::ConsoleReportRecipientsHint.text(lang),
                items,
            },
            Input::Area {
                name: "summary",
                label: Msg::ConsoleReportSummary.text(lang),
                value: value(values, "summary"),
            },
        ]
    }

    fn commands(
        viewer: &Viewer,
        values: &Values,
        errors: &mut Errors,
    ) -> Vec<(&'static str, CaseAction)> {
        let on = errors.day(values);
        let mut reports = Vec::new();
        for recipient in RECIPIENTS {
            if !values.contains_key(&format!("to_{}", recipient.as_str())) {
                continue;
            }
            let field = format!("reference_{}", recipient.as_str());
            match optional(values, &field) {
                Some(reference) => reports.push((recipient, reference)),
                None => errors.add(&field, Msg::ConsoleReportEnterReference),
            }
        }
        if reports.is_empty() && errors.list.is_empty() {
            errors.add("recipients", Msg::ConsoleReportChooseRecipient);
        }
        let (Some(on), Some(signed_by), true) = (on, participant(viewer), errors.list.is_empty())
        else {
            return Vec::new();
        };
        reports
            .into_iter()
            .map(|(recipient, reference)| {
                (
                    recipient.as_str(),
                    CaseAction::ReportUpward(Report {
                        on,
                        recipient,
                        reference,
                        signed_by: signed_by.clone(),
                        summary: optional(values, "summary"),
                    }),
                )
            })
            .collect()
    }

    fn answers(
        viewer: &Viewer,
        commands: &[(&'static str, CaseAction)],
    ) -> Vec<crate::check::Answers> {
        crate::check::reports(viewer.lang, commands)
    }
}

/// 返校: the day the child came back (and was at school), a note.
struct ReturnStep;

impl Step for ReturnStep {
    const KIND: CaseActionKind = CaseActionKind::RecordReturn;
    const SEGMENT: &'static str = "return";
    const TITLE: Msg = Msg::ConsoleReturnTitle;
    const SAVE: Msg = Msg::ConsoleCallSave;

    fn defaults(_: &Viewer, today: NaiveDate, _: &CaseNow) -> Values {
        Values::from([("on".to_string(), today.to_string())])
    }

    fn inputs(viewer: &Viewer, values: &Values, _: &CaseNow) -> Vec<Input> {
        vec![
            date_input(viewer, Msg::ConsoleReturnDay, values),
            note_input(viewer, values),
        ]
    }

    fn commands(
        _: &Viewer,
        values: &Values,
        errors: &mut Errors,
    ) -> Vec<(&'static str, CaseAction)> {
        match errors.day(values) {
            Some(on) if errors.list.is_empty() => vec![(
                "",
                CaseAction::RecordReturn(Return {
                    on,
                    note: optional(values, "note"),
                }),
            )],
            _ => Vec::new(),
        }
    }
}

/// What the form needs of the case: the child, the roles the open home visit requires, the
/// case as its facts say. A read of the child's file: recorded in the access log first. All of
/// it from the case's events, read once (not the read model, which may not have caught up with
/// a fact just recorded from a form, as on the child's page).
async fn case_now(state: &AppState, viewer: &Viewer, case_id: &str) -> Result<CaseNow, ApiError> {
    log_case_read(state, viewer, case_id).await?;
    let rules = state.store.rules.get();
    let events = case_events(&state.store.db, case_id).await?;
    let mut visit_roles = Vec::new();
    let mut child = String::new();
    if let Some(row) = CaseRow::build(&events, &rules, state.store.clock.now())? {
        let summary = &row.summary;
        child = child_line(viewer.lang, &summary.name, summary.grade, &summary.class);
        let assessment = row.assessment()?;
        if let Some(visit) = assessment.obligations().find(|o| {
            o.status.is_outstanding()
                && o.kind
                    == ObligationKind::Action {
                        action: StepAction::HomeVisit,
                    }
        }) {
            visit_roles = visit.owners.clone();
        }
    }
    let case = fold(&events)?;
    Ok(CaseNow {
        child,
        visit_roles,
        case,
    })
}

fn step_page<S: Step>(
    viewer: &Viewer,
    case_id: &str,
    values: &Values,
    case: &CaseNow,
    errors: Vec<FieldError>,
) -> StepPage {
    let action = format!("/cases/{case_id}/{}", S::SEGMENT);
    StepPage {
        shell: Shell::of(viewer, S::TITLE, &action),
        case_id: case_id.to_string(),
        child: case.child.clone(),
        idempotency_key: key_of(values),
        inputs: S::inputs(viewer, values, case),
        save: S::SAVE.text(viewer.lang),
        action,
        notices: Vec::new(),
        errors,
    }
}

/// `GET /cases/{case_id}/{step}`: the step's form, dated today, with a new idempotency key.
pub(crate) async fn form<S: Step>(state: AppState, viewer: Viewer, case_id: String) -> Response {
    if let Err(refused) = admitted(&state, &viewer, &case_id, S::KIND).await {
        return failed_with(viewer.lang, &refused);
    }
    let case = match case_now(&state, &viewer, &case_id).await {
        Ok(case) => case,
        Err(refused) => return failed_with(viewer.lang, &refused),
    };
    let mut values = S::defaults(&viewer, today(&state), &case);
    values.insert("idempotency_key".into(), new_key());
    render(&step_page::<S>(
        &viewer,
        &case_id,
        &values,
        &case,
        Vec::new(),
    ))
}

/// `POST /cases/{case_id}/{step}`: records the step and goes back to today's list; or shows
/// the form again with each error next to its field. A step that checks its answers first
/// (the report upward) shows them instead, with the form's values and the same idempotency
/// key; only that page's button (`confirm`) records, and its "change" buttons (`change`) bring
/// the form back as it was.
pub(crate) async fn submit<S: Step>(
    state: AppState,
    viewer: Viewer,
    case_id: String,
    values: Values,
) -> Response {
    let lang = viewer.lang;
    if let Some(refused) = viewer.refuse_without_csrf(&value(&values, "csrf_token")) {
        return refused;
    }
    if let Err(refused) = admitted(&state, &viewer, &case_id, S::KIND).await {
        return failed_with(lang, &refused);
    }
    let mut errors = Errors {
        lang,
        list: Vec::new(),
    };
    let commands = S::commands(&viewer, &values, &mut errors);
    if commands.is_empty() && errors.list.is_empty() {
        // Nothing to record without an error to show: a role with no part on a case.
        return failed_with(lang, &viewer.caller.refused(S::KIND.label()));
    }
    let key = key_of(&values);
    let confirmed = values.contains_key(crate::check::CONFIRM);
    if errors.list.is_empty() && (confirmed || S::answers(&viewer, &commands).is_empty()) {
        let mut filed = Vec::new();
        let mut refused = Vec::new();
        for (suffix, action) in commands {
            let what = crate::check::what(lang, &action);
            let key = if suffix.is_empty() {
                key.clone()
            } else {
                format!("{key}-{suffix}")
            };
            match record(&state, &viewer, &case_id, action, key).await {
                Ok(()) => filed.push(what),
                Err(error) => refused.push((suffix, what, error)),
            }
        }
        if refused.is_empty() {
            return Redirect::to(&S::done(&case_id)).into_response();
        }
        return refused_in_part::<S>(&state, &viewer, &case_id, &values, filed, refused).await;
    }
    let case = match case_now(&state, &viewer, &case_id).await {
        Ok(case) => case,
        Err(refused) => return failed_with(lang, &refused),
    };
    if errors.list.is_empty() && !values.contains_key(crate::check::CHANGE) {
        let answers = S::answers(&viewer, &commands);
        return render(&crate::check::page(
            &viewer,
            &format!("/cases/{case_id}/{}", S::SEGMENT),
            &case_id,
            &case.child,
            &values,
            answers,
        ));
    }
    let status = if errors.list.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let shown = step_page::<S>(&viewer, &case_id, &values, &case, errors.list);
    (status, render(&shown)).into_response()
}

/// The form again after some of its commands were refused: each refusal next to its field,
/// and, when the form makes several commands, which were filed and which were not. Sent again
/// with the same key, the ones filed are not filed twice (their keys are spent) and the others
/// are tried anew.
async fn refused_in_part<S: Step>(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    values: &Values,
    filed: Vec<String>,
    refused: Vec<(&'static str, String, ApiError)>,
) -> Response {
    let lang = viewer.lang;
    let case = match case_now(state, viewer, case_id).await {
        Ok(case) => case,
        Err(refused) => return failed_with(lang, &refused),
    };
    let status = refused
        .first()
        .map_or(StatusCode::UNPROCESSABLE_ENTITY, |(_, _, e)| e.status());
    let several = filed.len() + refused.len() > 1;
    let mut list = Vec::new();
    let mut not_filed = Vec::new();
    for (suffix, what, error) in refused {
        let mut shown = field_error(lang, &error);
        if let Some((_, ours)) = S::RENAMED.iter().find(|(field, _)| *field == shown.field) {
            shown.field = (*ours).to_string();
        }
        // A command's field as the form names it for this command (`reference` of the
        // report to the county bureau is `reference_county_bureau`).
        let own = format!("{}_{suffix}", shown.field);
        if !suffix.is_empty() && values.contains_key(&own) {
            shown.field = own;
        }
        list.push(shown);
        not_filed.push(what);
    }
    let mut shown = step_page::<S>(viewer, case_id, values, &case, list);
    if several {
        shown.notices = crate::check::filed_and_not(lang, &filed, &not_filed);
    }
    (status, render(&shown)).into_response()
}

macro_rules! step_handlers {
    ($($step:ty => $form:ident, $submit:ident;)*) => {
        $(
            pub async fn $form(
                State(state): State<AppState>,
                viewer: Viewer,
                Path(case_id): Path<String>,
            ) -> Response {
                $crate::steps::form::<$step>(state, viewer, case_id).await
            }

            pub async fn $submit(
                State(state): State<AppState>,
                viewer: Viewer,
                Path(case_id): Path<String>,
                Form(values): Form<Values>,
            ) -> Response {
                $crate::steps::submit::<$step>(state, viewer, case_id, values).await
            }
        )*
    };
}

pub(crate) use step_handlers;

step_handlers! {
    VisitStep => visit_form, visit_submit;
    ReportStep => report_form, report_submit;
    ReturnStep => return_form, return_submit;
}

/// The report to the viewer's office on this case not yet acknowledged: its recipient and
/// reference (the latest such report).
fn report_to_acknowledge(case: &StudentCase, recipient: Recipient) -> Option<String> {
    let acknowledged: Vec<&str> = case
        .live()
        .filter_map(|(_, e)| match e {
            CaseEvent::ReportAcknowledged(a) if a.recipient == recipient => {
                Some(a.reference.trim())
            }
            _ => None,
        })
        .collect();
    case.live()
        .filter_map(|(_, e)| match e {
            CaseEvent::ReportSubmitted(r)
                if r.recipient == recipient && !acknowledged.contains(&r.reference.trim()) =>
            {
                Some(r.reference.clone())
            }
            _ => None,
        })
        .last()
}

/// `POST /cases/{case_id}/acknowledge`: the one-tap acknowledgement, from today's card, of
/// the report made to the viewer's office (the township government's or the county
/// bureau's), dated today, by the viewer; then back to today's list.
pub async fn acknowledge(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    Form(values): Form<Values>,
) -> Response {
    let lang = viewer.lang;
    if let Some(refused) = viewer.refuse_without_csrf(&value(&values, "csrf_token")) {
        return refused;
    }
    if let Err(refused) =
        admitted(&state, &viewer, &case_id, CaseActionKind::AcknowledgeReport).await
    {
        return failed_with(lang, &refused);
    }
    let role = viewer.caller.user.role;
    let Some(recipient) = RECIPIENTS.into_iter().find(|r| r.acknowledged_by() == role) else {
        return failed_with(
            lang,
            &viewer.caller.refused(Msg::MayAcknowledgeOthersReport),
        );
    };
    let events = match notoneless_store::log::case_events(&state.store.db, &case_id).await {
        Ok(events) => events,
        Err(error) => return failed_with(lang, &ApiError::from(error)),
    };
    let decoded: Result<Vec<CaseEvent>, _> = events
        .iter()
        .map(notoneless_store::log::StoredEvent::decode)
        .collect();
    let case = match decoded {
        Ok(decoded) => StudentCase::from_events(decoded),
        Err(error) => return failed_with(lang, &ApiError::from(error)),
    };
    let key = key_of(&values);
    let Some(reference) = report_to_acknowledge(&case, recipient) else {
        // Acknowledged already (a second tap): nothing more to do.
        return Redirect::to("/").into_response();
    };
    let action = CaseAction::AcknowledgeReport(Acknowledgement {
        on: today(&state),
        recipient,
        reference,
        by: viewer.caller.user.name.clone(),
    });
    match record(&state, &viewer, &case_id, action, key).await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(refused) => failed_with(lang, &refused),
    }
}
