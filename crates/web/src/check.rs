//! "Check your answers" (the GOV.UK pattern, `../shared/design/console.md`): a form whose
//! commands file something that cannot be taken back (the report upward) leads first to a page
//! listing what will be recorded, with a "change" button beside each answer (back to the form,
//! its values kept) and the button that records. Without JavaScript: the page carries the
//! form's values as hidden fields, the same CSRF token (checked again) and the same
//! idempotency key, so that the page sent twice still records once.

use askama::Template;
use notoneless_domain::CaseAction;
use notoneless_i18n::{Lang, Message, Msg};

use crate::shell::{Shell, Viewer};
use crate::steps::Values;

/// The name of the button that records (the check page's), as the form sends it.
pub const CONFIRM: &str = "confirm";
/// The name of the "change" buttons: back to the form, its values kept.
pub const CHANGE: &str = "change";

/// One answer: what it is, the value given, and the form's field it comes from (none for an
/// answer the form does not ask for, such as who signs).
pub struct Answer {
    pub label: String,
    pub value: String,
    pub field: Option<String>,
}

/// What one command will record.
pub struct Answers {
    pub heading: String,
    pub rows: Vec<Answer>,
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    shell: Shell,
    case_id: String,
    child: String,
    action: String,
    idempotency_key: String,
    /// The form's values, to send again (all but the token, the key and the buttons).
    hidden: Vec<(String, String)>,
    groups: Vec<Answers>,
    lede: String,
    save: String,
}

/// The page that checks the answers of the form at `action`.
pub fn page(
    viewer: &Viewer,
    action: &str,
    case_id: &str,
    child: &str,
    values: &Values,
    groups: Vec<Answers>,
) -> impl Template {
    let mut hidden: Vec<(String, String)> = values
        .iter()
        .filter(|(name, _)| {
            !["csrf_token", "idempotency_key", CONFIRM, CHANGE].contains(&name.as_str())
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    hidden.sort();
    CheckPage {
        shell: Shell::of(viewer, Msg::ConsoleReportCheckTitle, action),
        case_id: case_id.to_string(),
        child: child.to_string(),
        action: action.to_string(),
        idempotency_key: crate::steps::key_of(values),
        hidden,
        groups,
        lede: Msg::ConsoleReportCheckLede.text(viewer.lang),
        save: Msg::ConsoleReportSave.text(viewer.lang),
    }
}

/// The reports upward the form will file, one group per recipient.
pub fn reports(lang: Lang, commands: &[(&'static str, CaseAction)]) -> Vec<Answers> {
    commands
        .iter()
        .filter_map(|(suffix, action)| match action {
            CaseAction::ReportUpward(report) => Some(Answers {
                heading: Message::new(Msg::ConsoleReportTo)
                    .with("recipient", report.recipient.label())
                    .text(lang),
                rows: vec![
                    Answer {
                        label: Msg::ConsoleReportReferenceShort.text(lang),
                        value: report.reference.clone(),
                        field: Some(format!("reference_{suffix}")),
                    },
                    Answer {
                        label: Msg::ConsoleReportDay.text(lang),
                        value: lang.day(report.on),
                        field: Some("on".into()),
                    },
                    Answer {
                        label: Msg::ConsoleReportSignedBy.text(lang),
                        value: format!(
                            "{} · {}",
                            report.signed_by.name,
                            report.signed_by.role.label().text(lang)
                        ),
                        field: None,
                    },
                    Answer {
                        label: Msg::ConsoleReportSummary.text(lang),
                        value: report
                            .summary
                            .clone()
                            .unwrap_or_else(|| Msg::ConsoleReportNoSummary.text(lang)),
                        field: Some("summary".into()),
                    },
                ],
            }),
            _ => None,
        })
        .collect()
}

/// What a command records, named for the reader of "filed" and "not filed": a report by its
/// recipient.
pub fn what(lang: Lang, action: &CaseAction) -> String {
    match action {
        CaseAction::ReportUpward(report) => report.recipient.label().text(lang),
        _ => String::new(),
    }
}

/// "Filed: …" (when any was) and "Not filed: …", for a form whose commands were recorded in
/// part.
pub fn filed_and_not(lang: Lang, filed: &[String], not_filed: &[String]) -> Vec<String> {
    let mut notices = Vec::new();
    if !filed.is_empty() {
        notices.push(
            Message::new(Msg::ConsoleReportFiled)
                .with("recipients", filed.join(lang.separator()))
                .text(lang),
        );
    }
    notices.push(
        Message::new(Msg::ConsoleReportNotFiled)
            .with("recipients", not_filed.join(lang.separator()))
            .text(lang),
    );
    notices
}
