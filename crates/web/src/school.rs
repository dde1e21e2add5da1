//! The principal's school pages (issue 17): the forms of the facts a school's leaders record
//! on a child's case beside the ladder's steps: a transfer out (转出) and the receiving
//! school's confirmation (转入确认), a suspension (休学) and the resumption (复学), support
//! (减免缓助) and a home-teaching session (送教上门). Each is a [`Step`] of `steps.rs`: one
//! screen from `step.html`, the API's role and jurisdiction checks, its command path (a
//! confirmation's continuing school is decided there, never by the form), an idempotency key
//! made with the page; once recorded, back to the child's page, where the fact shows with
//! what it says ([`fact_detail`]) (after a confirmation, to today's list: the file may have
//! moved to the receiving school). The child's page offers a form only to a role that records
//! that kind of fact (`CaseActionKind::recorders`) and only while the case takes it
//! (`StudentCase::accepts`: the resumption while suspended, the confirmation while a
//! transfer waits for it, home teaching for a child in the "disabled" focus group).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use notoneless_api::AppState;
use notoneless_domain::{
    CaseAction, CaseActionKind, CaseEvent, DocumentRef, HomeTeachingSession, Participant,
    Resumption, Role, StudentCase, Support, SupportKind, Suspension, TransferConfirmation,
    TransferOut, UserRole,
};
use notoneless_i18n::{Lang, Message, Msg};

use crate::call::Choice;
use crate::case::Link;
use crate::shell::Viewer;
use crate::steps::{
    CaseNow, Check, Errors, GroupField, Input, Step, Values, date_input, note_input, optional,
    participant, step_handlers, value,
};

/// Back to the child's page, where the fact just recorded shows.
fn case_page(case_id: &str) -> String {
    format!("/cases/{case_id}")
}

/// A form's first values: its day (`on`) today.
fn dated(today: NaiveDate) -> Values {
    Values::from([("on".to_string(), today.to_string())])
}

/// A day input other than the form's own day (`on`).
fn day_input(viewer: &Viewer, name: &'static str, label: Msg, values: &Values) -> Input {
    Input::Date {
        name,
        label: label.text(viewer.lang),
        value: value(values, name),
    }
}

fn text_input(viewer: &Viewer, name: &'static str, label: Msg, values: &Values) -> Input {
    Input::Text {
        name,
        label: label.text(viewer.lang),
        hint: String::new(),
        value: value(values, name),
        numeric: false,
    }
}

fn area_input(viewer: &Viewer, name: &'static str, label: Msg, values: &Values) -> Input {
    Input::Area {
        name,
        label: label.text(viewer.lang),
        value: value(values, name),
    }
}

/// A day the form holds under `name`, or its error.
fn day_of(errors: &mut Errors, values: &Values, name: &str) -> Option<NaiveDate> {
    let day = NaiveDate::parse_from_str(value(values, name).trim(), "%Y-%m-%d").ok();
    if day.is_none() {
        errors.add(name, Msg::ConsoleEnterDate);
    }
    day
}

/// A line of text the form must hold, or its error.
fn required(errors: &mut Errors, values: &Values, name: &str, missing: Msg) -> Option<String> {
    let text = optional(values, name);
    if text.is_none() {
        errors.add(name, missing);
    }
    text
}

/// The fields of a document (`{group}_kind`, `_number`, `_issued_by`, `_issued_on`).
const DOCUMENT_FIELDS: [(&str, Msg, bool); 4] = [
    ("kind", Msg::ConsoleDocumentKind, false),
    ("number", Msg::ConsoleDocumentNumber, false),
    ("issued_by", Msg::ConsoleDocumentIssuedBy, false),
    ("issued_on", Msg::ConsoleDocumentIssuedOn, true),
];

/// A document's inputs, as one group named as the command's field (`document`, `documents`):
/// a refusal of the document shows under its legend.
fn document_input(
    viewer: &Viewer,
    group: &'static str,
    (legend, hint): (Msg, Msg),
    values: &Values,
) -> Input {
    Input::Group {
        name: group,
        legend: legend.text(viewer.lang),
        hint: hint.text(viewer.lang),
        fields: DOCUMENT_FIELDS
            .iter()
            .map(|(field, label, date)| {
                let name = format!("{group}_{field}");
                GroupField {
                    value: value(values, &name),
                    name,
                    label: label.text(viewer.lang),
                    date: *date,
                }
            })
            .collect(),
    }
}

/// The document the form names: `None` when every field of it is blank (the fact is recorded
/// without one); each missing part of a document begun is asked for next to its field.
fn document_of(errors: &mut Errors, values: &Values, group: &str) -> Option<DocumentRef> {
    let field = |name: &str| format!("{group}_{name}");
    let begun = DOCUMENT_FIELDS
        .iter()
        .any(|(name, _, _)| optional(values, &field(name)).is_some());
    if !begun {
        return None;
    }
    let kind = required(
        errors,
        values,
        &field("kind"),
        Msg::ConsoleDocumentEnterKind,
    );
    let issued_by = required(
        errors,
        values,
        &field("issued_by"),
        Msg::ConsoleDocumentEnterIssuedBy,
    );
    let issued_on = day_of(errors, values, &field("issued_on"));
    Some(DocumentRef {
        kind: kind?,
        number: optional(values, &field("number")),
        issued_by: issued_by?,
        issued_on: issued_on?,
    })
}

/// The one command of a form, once no field is wrong.
fn one(errors: &Errors, action: Option<CaseAction>) -> Vec<(&'static str, CaseAction)> {
    match action {
        Some(action) if errors.list.is_empty() => vec![("", action)],
        _ => Vec::new(),
    }
}

/// 转出: the day, the receiving school (and its region, outside the county), the papers.
/// Papers are asked for but not required: a principal often learns of a move before its
/// letter comes, and a transfer recorded without them is better than none: the form says
/// that the review lists it as a transfer without documents (转学无手续) until then.
struct TransferStep;

impl Step for TransferStep {
    const KIND: CaseActionKind = CaseActionKind::TransferOut;
    const SEGMENT: &'static str = "transfer";
    const TITLE: Msg = Msg::ConsoleTransferTitle;
    const SAVE: Msg = Msg::ConsoleCallSave;

    fn done(case_id: &str) -> String {
        case_page(case_id)
    }

    fn defaults(_: &Viewer, today: NaiveDate, _: &CaseNow) -> Values {
        dated(today)
    }

    fn inputs(viewer: &Viewer, values: &Values, _: &CaseNow) -> Vec<Input> {
        vec![
            date_input(viewer, Msg::ConsoleTransferDay, values),
            Input::Text {
                name: "destination_school",
                label: Msg::ConsoleTransferSchool.text(viewer.lang),
                hint: Msg::ConsoleTransferSchoolHint.text(viewer.lang),
                value: value(values, "destination_school"),
                numeric: false,
            },
            text_input(
                viewer,
                "destination_region",
                Msg::ConsoleTransferRegion,
                values,
            ),
            document_input(
                viewer,
                "documents",
                (
                    Msg::ConsoleTransferDocuments,
                    Msg::ConsoleTransferDocumentsHint,
                ),
                values,
            ),
        ]
    }

    fn commands(
        _: &Viewer,
        values: &Values,
        errors: &mut Errors,
    ) -> Vec<(&'static str, CaseAction)> {
        let on = errors.day(values);
        let school = required(
            errors,
            values,
            "destination_school",
            Msg::ConsoleTransferEnterSchool,
        );
        let documents = document_of(errors, values, "documents");
        let action = on.zip(school).map(|(on, destination_school)| {
            CaseAction::TransferOut(TransferOut {
                on,
                destination_school,
                destination_region: optional(values, "destination_region"),
                documents: documents.into_iter().collect(),
            })
        });
        one(errors, action)
    }
}

/// 转入确认: the receiving school's confirmation that the child enrolled there, recorded by
/// whoever the API lets record it on the case (the sending school's leaders, the bureau):
/// the receiving school (the transfer's, to begin with), who confirmed there, the acceptance.
/// Whether a school of the county continues the file is the command path's decision. Once
/// recorded, back to today's list rather than the child's page: a file continued at a school
/// of the county is that school's now, out of the sending school's sight.
struct ConfirmationStep;

impl Step for ConfirmationStep {
    const KIND: CaseActionKind = CaseActionKind::ConfirmTransfer;
    const SEGMENT: &'static str = "transfer-confirmation";
    const TITLE: Msg = Msg::ConsoleConfirmationTitle;
    const SAVE: Msg = Msg::ConsoleCallSave;

    fn defaults(_: &Viewer, today: NaiveDate, case: &CaseNow) -> Values {
        let mut values = dated(today);
        if let Some(transfer) = case.case.pending_transfer() {
            values.insert(
                "receiving_school".into(),
                transfer.destination_school.clone(),
            );
        }
        values
    }

    fn inputs(viewer: &Viewer, values: &Values, _: &CaseNow) -> Vec<Input> {
        vec![
            date_input(viewer, Msg::ConsoleConfirmationDay, values),
            Input::Text {
                name: "receiving_school",
                label: Msg::ConsoleConfirmationSchool.text(viewer.lang),
                hint: Msg::ConsoleConfirmationSchoolHint.text(viewer.lang),
                value: value(values, "receiving_school"),
                numeric: false,
            },
            text_input(viewer, "confirmed_by", Msg::ConsoleConfirmationBy, values),
            document_input(
                viewer,
                "document",
                (
                    Msg::ConsoleConfirmationDocument,
                    Msg::ConsoleConfirmationDocumentHint,
                ),
                values,
            ),
        ]
    }

    fn commands(
        _: &Viewer,
        values: &Values,
        errors: &mut Errors,
    ) -> Vec<(&'static str, CaseAction)> {
        let on = errors.day(values);
        let school = required(
            errors,
            values,
            "receiving_school",
            Msg::ConsoleTransferEnterSchool,
        );
        let by = required(
            errors,
            values,
            "confirmed_by",
            Msg::ConsoleConfirmationEnterBy,
        );
        let document = document_of(errors, values, "document");
        let action = on.zip(school).zip(by).map(|((on, receiving_school), by)| {
            CaseAction::ConfirmTransfer(TransferConfirmation {
                on,
                receiving_school,
                confirmed_by: by,
                document,
                continued_at: None,
            })
        });
        one(errors, action)
    }
}

/// 休学: from when, expected back when, why, the approving document (asked for, not required:
/// the review lists a suspension without one, and the form says so).
struct SuspensionStep;

impl Step for SuspensionStep {
    const KIND: CaseActionKind = CaseActionKind::Suspend;
    const SEGMENT: &'static str = "suspension";
    const TITLE: Msg = Msg::ConsoleSuspensionTitle;
    const SAVE: Msg = Msg::ConsoleCallSave;

    fn done(case_id: &str) -> String {
        case_page(case_id)
    }

    fn defaults(_: &Viewer, today: NaiveDate, _: &CaseNow) -> Values {
        dated(today)
    }

    fn inputs(viewer: &Viewer, values: &Values, _: &CaseNow) -> Vec<Input> {
        vec![
            date_input(viewer, Msg::ConsoleSuspensionDay, values),
            day_input(
                viewer,
                "expected_return",
                Msg::ConsoleSuspensionExpected,
                values,
            ),
            area_input(viewer, "reason", Msg::ConsoleSuspensionReason, values),
            document_input(
                viewer,
                "document",
                (
                    Msg::ConsoleSuspensionDocument,
                    Msg::ConsoleSuspensionDocumentHint,
                ),
                values,
            ),
        ]
    }

    fn commands(
        _: &Viewer,
        values: &Values,
        errors: &mut Errors,
    ) -> Vec<(&'static str, CaseAction)> {
        let on = errors.day(values);
        let expected_return = day_of(errors, values, "expected_return");
        let reason = required(errors, values, "reason", Msg::ConsoleSuspensionEnterReason);
        let document = document_of(errors, values, "document");
        let action = on
            .zip(expected_return)
            .zip(reason)
            .map(|((on, expected_return), reason)| {
                CaseAction::Suspend(Suspension {
                    on,
                    expected_return,
                    reason,
                    document,
                })
            });
        one(errors, action)
    }
}

/// 复学: the day the child was back at school after the suspension, a note.
struct ResumptionStep;

impl Step for ResumptionStep {
    const KIND: CaseActionKind = CaseActionKind::Resume;
    const SEGMENT: &'static str = "resumption";
    const TITLE: Msg = Msg::ConsoleResumptionTitle;
    const SAVE: Msg = Msg::ConsoleCallSave;

    fn done(case_id: &str) -> String {
        case_page(case_id)
    }

    fn defaults(_: &Viewer, today: NaiveDate, _: &CaseNow) -> Values {
        dated(today)
    }

    fn inputs(viewer: &Viewer, values: &Values, _: &CaseNow) -> Vec<Input> {
        vec![
            date_input(viewer, Msg::ConsoleResumptionDay, values),
            note_input(viewer, values),
        ]
    }

    fn commands(
        _: &Viewer,
        values: &Values,
        errors: &mut Errors,
    ) -> Vec<(&'static str, CaseAction)> {
        let action = errors.day(values).map(|on| {
            CaseAction::Resume(Resumption {
                on,
                note: optional(values, "note"),
            })
        });
        one(errors, action)
    }
}

/// The kinds of support, in the form's order: the form's value, the kind, its words.
const SUPPORT_KINDS: [(&str, SupportKind, Msg); 4] = [
    (
        "reduction",
        SupportKind::Reduction,
        Msg::ConsoleSupportReduction,
    ),
    ("waiver", SupportKind::Waiver, Msg::ConsoleSupportWaiver),
    (
        "deferral",
        SupportKind::Deferral,
        Msg::ConsoleSupportDeferral,
    ),
    ("subsidy", SupportKind::Subsidy, Msg::ConsoleSupportSubsidy),
];

/// A number as a Chinese keyboard may type it, in ASCII: full-width digits and points
/// (`１２０．５`) as `120.5`.
fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            '．' | '。' => '.',
            c => c,
        })
        .collect()
}

/// An amount in yuan as a person types it (`500`, `500.5`, `500.50`, `１２０．５`, `500元`),
/// exactly in fen: no floating point. `None` for anything else (a third decimal, a sign,
/// letters, more than the largest `u64`).
pub fn fen_of_yuan(text: &str) -> Option<u64> {
    let text = half_width(text.trim().trim_end_matches('元').trim());
    let (yuan, cents) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if yuan.is_empty() || !digits(yuan) || !digits(cents) || cents.len() > 2 {
        return None;
    }
    let cents = format!("{cents:0<2}");
    yuan.parse::<u64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents.parse::<u64>().ok()?)
}

/// An amount in fen as yuan with its two decimals (`500.50`).
pub fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// 减免缓助: the kind, the amount in yuan (exactly, in fen), the period it covers, a note. The
/// domain's rules (the period's order, an amount above zero but for a deferral, at most the
/// largest payment) show next to their fields.
struct SupportStep;

impl Step for SupportStep {
    const KIND: CaseActionKind = CaseActionKind::GiveSupport;
    const SEGMENT: &'static str = "support";
    const TITLE: Msg = Msg::ConsoleSupportTitle;
    const SAVE: Msg = Msg::ConsoleCallSave;
    const RENAMED: &'static [(&'static str, &'static str)] = &[("amount_fen", "amount")];

    fn done(case_id: &str) -> String {
        case_page(case_id)
    }

    fn defaults(_: &Viewer, today: NaiveDate, _: &CaseNow) -> Values {
        Values::from([
            ("on".to_string(), today.to_string()),
            ("from".to_string(), today.to_string()),
        ])
    }

    fn inputs(viewer: &Viewer, values: &Values, _: &CaseNow) -> Vec<Input> {
        let lang = viewer.lang;
        vec![
            date_input(viewer, Msg::ConsoleSupportDay, values),
            Input::Radios {
                name: "kind",
                legend: Msg::ConsoleSupportKind.text(lang),
                choices: SUPPORT_KINDS
                    .iter()
                    .map(|(v, _, msg)| Choice {
                        value: v,
                        text: msg.text(lang),
                        checked: value(values, "kind") == *v,
                    })
                    .collect(),
            },
            Input::Text {
                name: "amount",
                label: Msg::ConsoleSupportAmount.text(lang),
                hint: Msg::ConsoleSupportAmountHint.text(lang),
                value: value(values, "amount"),
                numeric: true,
            },
            day_input(viewer, "from", Msg::ConsoleSupportFrom, values),
            day_input(viewer, "until", Msg::ConsoleSupportUntil, values),
            note_input(viewer, values),
        ]
    }

    fn commands(
        _: &Viewer,
        values: &Values,
        errors: &mut Errors,
    ) -> Vec<(&'static str, CaseAction)> {
        let on = errors.day(values);
        let kind = SUPPORT_KINDS
            .iter()
            .find(|(v, _, _)| value(values, "kind") == *v)
            .map(|(_, kind, _)| *kind);
        if kind.is_none() {
            errors.add("kind", Msg::ConsoleSupportChooseKind);
        }
        let amount_fen = fen_of_yuan(&value(values, "amount"));
        if amount_fen.is_none() {
            errors.add("amount", Msg::ConsoleSupportEnterAmount);
        }
        let from = day_of(errors, values, "from");
        let until = day_of(errors, values, "until");
        let action = on.zip(kind).zip(amount_fen).zip(from.zip(until)).map(
            |(((on, kind), amount_fen), (from, until))| {
                CaseAction::GiveSupport(Support {
                    on,
                    kind,
                    amount_fen,
                    from,
                    until,
                    note: optional(values, "note"),
                })
            },
        );
        one(errors, action)
    }
}

/// Who may teach at home, in the form's order (anyone else, a subject teacher, under "other").
const HOME_TEACHERS: [Role; 4] = [
    Role::HeadTeacher,
    Role::ResponsibleLeader,
    Role::Principal,
    Role::Other,
];

/// 送教上门: the day, who taught (the viewer ticked and named; several names to a role
/// separated by 、 or commas), how long, what was taught.
struct HomeTeachingStep;

impl Step for HomeTeachingStep {
    const KIND: CaseActionKind = CaseActionKind::RecordHomeTeaching;
    const SEGMENT: &'static str = "home-teaching";
    const TITLE: Msg = Msg::ConsoleHomeTeachingTitle;
    const SAVE: Msg = Msg::ConsoleCallSave;

    fn done(case_id: &str) -> String {
        case_page(case_id)
    }

    fn defaults(viewer: &Viewer, today: NaiveDate, _: &CaseNow) -> Values {
        let mut values = dated(today);
        if let Some(me) = participant(viewer) {
            values.insert(format!("taught_{}", me.role.as_str()), "on".into());
            values.insert(format!("name_{}", me.role.as_str()), me.name);
        }
        values
    }

    fn inputs(viewer: &Viewer, values: &Values, _: &CaseNow) -> Vec<Input> {
        let lang = viewer.lang;
        let items = HOME_TEACHERS
            .iter()
            .map(|role| {
                let label = Message::new(Msg::ConsoleVisitName).with("role", role.label());
                Check::of(
                    values,
                    (format!("taught_{}", role.as_str()), role.label().text(lang)),
                    (format!("name_{}", role.as_str()), label.text(lang)),
                    false,
                )
            })
            .collect();
        vec![
            date_input(viewer, Msg::ConsoleHomeTeachingDay, values),
            Input::Checks {
                name: "teachers",
                legend: Msg::ConsoleHomeTeachingWho.text(lang),
                hint: Msg::ConsoleHomeTeachingWhoHint.text(lang),
                items,
            },
            Input::Text {
                name: "minutes",
                label: Msg::ConsoleHomeTeachingMinutes.text(lang),
                hint: String::new(),
                value: value(values, "minutes"),
                numeric: true,
            },
            area_input(viewer, "content", Msg::ConsoleHomeTeachingContent, values),
        ]
    }

    fn commands(
        _: &Viewer,
        values: &Values,
        errors: &mut Errors,
    ) -> Vec<(&'static str, CaseAction)> {
        let on = errors.day(values);
        let mut teachers = Vec::new();
        for role in HOME_TEACHERS {
            if !values.contains_key(&format!("taught_{}", role.as_str())) {
                continue;
            }
            let field = format!("name_{}", role.as_str());
            let names: Vec<String> = value(values, &field)
                .split(['、', ',', '，', ';', '；'])
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(str::to_string)
                .collect();
            if names.is_empty() {
                errors.add(
                    &field,
                    Message::new(Msg::ConsoleVisitEnterName).with("role", role.label()),
                );
            }
            teachers.extend(names.into_iter().map(|name| Participant::new(name, role)));
        }
        if teachers.is_empty() && errors.list.is_empty() {
            errors.add("teachers", Msg::ConsoleHomeTeachingChooseWho);
        }
        let minutes = half_width(value(values, "minutes").trim())
            .parse::<u32>()
            .ok();
        if minutes.is_none() {
            errors.add("minutes", Msg::ConsoleHomeTeachingEnterMinutes);
        }
        let content = required(
            errors,
            values,
            "content",
            Msg::ConsoleHomeTeachingEnterContent,
        );
        let action = on
            .zip(minutes)
            .zip(content)
            .map(|((on, minutes), content)| {
                CaseAction::RecordHomeTeaching(HomeTeachingSession {
                    on,
                    teachers,
                    minutes,
                    content,
                })
            });
        one(errors, action)
    }
}

step_handlers! {
    TransferStep => transfer_form, transfer_submit;
    ConfirmationStep => confirmation_form, confirmation_submit;
    SuspensionStep => suspension_form, suspension_submit;
    ResumptionStep => resumption_form, resumption_submit;
    SupportStep => support_form, support_submit;
    HomeTeachingStep => home_teaching_form, home_teaching_submit;
}

/// A form of this module as the child's page links it: its kind, where it is, its words.
fn link<S: Step>(text: Msg) -> (CaseActionKind, &'static str, Msg) {
    (S::KIND, S::SEGMENT, text)
}

/// The forms of this module the viewer may use on the case as it stands: their role records
/// that kind of fact, and the case takes it now.
pub fn offered(lang: Lang, case_id: &str, role: UserRole, case: &StudentCase) -> Vec<Link> {
    [
        link::<SuspensionStep>(Msg::ConsoleRecordSuspension),
        link::<ResumptionStep>(Msg::ConsoleRecordResumption),
        link::<SupportStep>(Msg::ConsoleRecordSupport),
        link::<HomeTeachingStep>(Msg::ConsoleRecordHomeTeaching),
        link::<TransferStep>(Msg::ConsoleRecordTransfer),
        link::<ConfirmationStep>(Msg::ConsoleRecordConfirmation),
    ]
    .into_iter()
    .filter(|(kind, _, _)| kind.may_be_recorded_by(role) && case.accepts(*kind))
    .map(|(_, segment, text)| Link {
        href: format!("/cases/{case_id}/{segment}"),
        text: text.text(lang),
    })
    .collect()
}

/// What a fact of these kinds says, in a line for the child's page and the timeline: where
/// the child went and on what papers, who confirmed, until when and why suspended, how much
/// support of which kind for which period, who taught how long; a home visit's measures
/// (劝返措施). `None` for other facts.
pub fn fact_detail(lang: Lang, event: &CaseEvent) -> Option<String> {
    let document = |doc: &DocumentRef| {
        let kind = match &doc.number {
            Some(number) => format!("{} {number}", doc.kind),
            None => doc.kind.clone(),
        };
        Message::new(Msg::ConsoleFactDocument)
            .with("kind", kind)
            .with("issuer", doc.issued_by.as_str())
            .with("day", lang.day(doc.issued_on))
            .text(lang)
    };
    let note = |note: &Option<String>| {
        note.as_ref().map(|note| {
            Message::new(Msg::ConsoleFactNote)
                .with("note", note.as_str())
                .text(lang)
        })
    };
    let parts: Vec<String> = match event {
        CaseEvent::TransferredOut(t) => {
            let mut parts = vec![
                Message::new(Msg::ConsoleFactTransfer)
                    .with("school", t.destination_school.as_str())
                    .text(lang),
            ];
            parts.extend(t.destination_region.as_ref().map(|region| {
                Message::new(Msg::ConsoleFactRegion)
                    .with("region", region.as_str())
                    .text(lang)
            }));
            if t.documents.is_empty() {
                parts.push(Msg::ConsoleFactNoDocument.text(lang));
            }
            parts.extend(t.documents.iter().map(document));
            parts
        }
        CaseEvent::TransferConfirmed(c) => {
            let mut parts = vec![
                Message::new(Msg::ConsoleFactConfirmed)
                    .with("school", c.receiving_school.as_str())
                    .with("by", c.confirmed_by.as_str())
                    .text(lang),
            ];
            parts.extend(c.document.as_ref().map(document));
            if c.continued_at.is_some() {
                parts.push(Msg::ConsoleFactContinued.text(lang));
            }
            parts
        }
        CaseEvent::Suspended(s) => vec![
            Message::new(Msg::ConsoleFactSuspension)
                .with("day", lang.day(s.expected_return))
                .with("reason", s.reason.as_str())
                .text(lang),
            s.document
                .as_ref()
                .map_or_else(|| Msg::ConsoleFactNoDocument.text(lang), document),
        ],
        CaseEvent::Resumed(r) => note(&r.note).into_iter().collect(),
        CaseEvent::SupportGiven(s) => {
            let kind = SUPPORT_KINDS
                .iter()
                .find(|(_, k, _)| *k == s.kind)
                .map_or_else(String::new, |(_, _, msg)| msg.text(lang));
            let mut parts = vec![
                Message::new(Msg::ConsoleFactSupport)
                    .with("kind", kind)
                    .with("amount", yuan(s.amount_fen))
                    .with("from", lang.day(s.from))
                    .with("until", lang.day(s.until))
                    .text(lang),
            ];
            parts.extend(note(&s.note));
            parts
        }
        CaseEvent::HomeTeachingHeld(h) => {
            let teachers: Vec<&str> = h.teachers.iter().map(|t| t.name.as_str()).collect();
            vec![
                Message::new(Msg::ConsoleFactTeaching)
                    .with("minutes", i64::from(h.minutes))
                    .with("teachers", teachers.join(lang.separator()))
                    .with("content", h.content.as_str())
                    .text(lang),
            ]
        }
        CaseEvent::HomeVisitConducted(_) => return crate::steps::measures_line(lang, event),
        _ => return None,
    };
    (!parts.is_empty()).then(|| parts.join(if lang == Lang::Zh { "；" } else { "; " }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_amount_in_yuan_is_counted_exactly_in_fen() {
        assert_eq!(fen_of_yuan("500"), Some(50_000));
        assert_eq!(fen_of_yuan(" 500.5 "), Some(50_050));
        assert_eq!(fen_of_yuan("500.50"), Some(50_050));
        assert_eq!(fen_of_yuan("0.07"), Some(7));
        assert_eq!(fen_of_yuan("１２０．５元"), Some(12_050));
        assert_eq!(fen_of_yuan("0"), Some(0));
        assert_eq!(yuan(50_050), "500.50");
    }

    #[test]
    fn an_amount_that_is_not_yuan_and_fen_is_refused() {
        for bad in [
            "",
            "abc",
            "500.505",
            "-5",
            "5e3",
            ".5",
            "1,000",
            "99999999999999999999",
        ] {
            assert_eq!(fen_of_yuan(bad), None, "{bad:?}");
        }
    }
}
