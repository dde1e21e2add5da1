//! The parents' call (联系家长), the first step of the ladder, as a one-screen form: when, whom,
//! how, whether they were reached and what they said. The form is a command: the same role
//! and jurisdiction checks as `POST /api/v1/cases/{case_id}/parent-contacts`
//! (`auth::require_role`, `auth::visible_case`), the same command path, and an idempotency key
//! made with the page, so a double tap or a form sent again records once.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use notoneless_api::AppState;
use notoneless_domain::{CaseAction, CaseActionKind, ContactChannel, ParentContact, Participant};
use notoneless_i18n::Msg;
use serde::Deserialize;

use crate::login::FieldError;
use crate::shell::{Shell, Viewer, failed_with, render};
use crate::steps::{admitted, field_error, new_key, record, today};

/// What the form records.
const KIND: CaseActionKind = CaseActionKind::RecordParentContact;

/// What the form holds, as sent (kept to show again with its errors).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CallForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    guardian: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    reached: String,
    #[serde(default)]
    reason_given: String,
    #[serde(default)]
    note: String,
}

/// A choice of a radio group: its value, its text, whether it is chosen.
pub struct Choice {
    pub value: &'static str,
    pub text: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "call.html")]
struct CallPage {
    shell: Shell,
    case_id: String,
    form: CallForm,
    channels: Vec<Choice>,
    answers: Vec<Choice>,
    errors: Vec<FieldError>,
}

impl CallPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::login::error_for(&self.errors, field)
    }
}

const CHANNELS: [(&str, ContactChannel, Msg); 4] = [
    ("phone", ContactChannel::Phone, Msg::ConsoleChannelPhone),
    (
        "message",
        ContactChannel::Message,
        Msg::ConsoleChannelMessage,
    ),
    (
        "in_person",
        ContactChannel::InPerson,
        Msg::ConsoleChannelInPerson,
    ),
    ("other", ContactChannel::Other, Msg::ConsoleChannelOther),
];

fn page(viewer: &Viewer, case_id: &str, form: CallForm, errors: Vec<FieldError>) -> CallPage {
    let lang = viewer.lang;
    let channels = CHANNELS
        .iter()
        .map(|(value, _, msg)| Choice {
            value,
            text: msg.text(lang),
            checked: form.channel == *value,
        })
        .collect();
    let answers = [
        ("yes", Msg::ConsoleReachedYes),
        ("no", Msg::ConsoleReachedNo),
    ]
    .into_iter()
    .map(|(value, msg)| Choice {
        value,
        text: msg.text(lang),
        checked: form.reached == value,
    })
    .collect();
    CallPage {
        shell: Shell::of(
            viewer,
            Msg::ConsoleCallTitle,
            &format!("/cases/{case_id}/parent-call"),
        ),
        case_id: case_id.to_string(),
        form,
        channels,
        answers,
        errors,
    }
}

/// `GET /cases/{case_id}/parent-call`: the form, dated today, with a new idempotency key.
pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
) -> Response {
    if let Err(refused) = admitted(&state, &viewer, &case_id, KIND).await {
        return failed_with(viewer.lang, &refused);
    }
    let form = CallForm {
        idempotency_key: new_key(),
        on: today(&state).to_string(),
        channel: "phone".into(),
        ..CallForm::default()
    };
    render(&page(&viewer, &case_id, form, Vec::new()))
}

/// `POST /cases/{case_id}/parent-call`: records the call and goes back to today's list; or
/// shows the form again with each error next to its field.
pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(case_id): Path<String>,
    Form(form): Form<CallForm>,
) -> Response {
    let lang = viewer.lang;
    if let Some(refused) = viewer.refuse_without_csrf(&form.csrf_token) {
        return refused;
    }
    if let Err(refused) = admitted(&state, &viewer, &case_id, KIND).await {
        return failed_with(lang, &refused);
    }
    let mut errors = Vec::new();
    let mut error = |field: &str, msg: Msg| {
        errors.push(FieldError {
            field: field.to_string(),
            text: msg.text(lang),
        })
    };
    let on = NaiveDate::parse_from_str(form.on.trim(), "%Y-%m-%d").ok();
    if on.is_none() {
        error("on", Msg::ConsoleEnterDate);
    }
    if form.guardian.trim().is_empty() {
        error("guardian", Msg::ConsoleEnterGuardian);
    }
    let channel = CHANNELS
        .iter()
        .find(|(value, _, _)| *value == form.channel)
        .map(|(_, channel, _)| *channel);
    if channel.is_none() {
        error("channel", Msg::ConsoleChooseChannel);
    }
    let reached = match form.reached.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    if reached.is_none() {
        error("reached", Msg::ConsoleChooseReached);
    }
    let key = if form.idempotency_key.trim().is_empty() {
        new_key()
    } else {
        form.idempotency_key.clone()
    };
    let (Some(on), Some(channel), Some(reached), true) = (on, channel, reached, errors.is_empty())
    else {
        let shown = page(&viewer, &case_id, form, errors);
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&shown)).into_response();
    };
    let Some(role) = viewer.caller.user.role.case_role() else {
        return failed_with(lang, &viewer.caller.refused(Msg::Forbidden));
    };
    let optional = |text: &str| {
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_string())
    };
    let action = CaseAction::RecordParentContact(ParentContact {
        on,
        by: Participant::new(viewer.caller.user.name.clone(), role),
        guardian: form.guardian.trim().to_string(),
        channel,
        reached,
        reason_given: if reached {
            optional(&form.reason_given)
        } else {
            None
        },
        note: optional(&form.note),
    });
    match record(&state, &viewer, &case_id, action, key).await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(refused) => {
            let shown = page(&viewer, &case_id, form, vec![field_error(lang, &refused)]);
            (refused.status(), render(&shown)).into_response()
        }
    }
}
