//! The case commands: one endpoint per kind of fact, each a row of [`case_commands!`] (its
//! handler, path, OpenAPI operation and the kind of fact whose recorders may call it). Who
//! records which kind of fact is the domain's table (`CaseActionKind::recorders`); the row's
//! access is checked before the handler runs (`crate::auth::admit`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use notoneless_domain::{
    Absence, Acknowledgement, CaseAction, CaseActionKind, CaseOpening, Closure, Correction,
    FocusGroupChange, HomeTeachingSession, HomeVisit, Leave, NodeKind, ParentContact,
    RegistryResolution, Reopening, Report, Resumption, Return, SupervisionNote, Support,
    Suspension, TransferConfirmation, TransferOut,
};
use notoneless_i18n::{Message, Msg};
use notoneless_store::one_case::OneCaseRefusal;
use notoneless_store::{CommandError, CommandOutcome};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::auth::{Caller, VisibleCase, idempotency_key, sees_school};
use crate::error::{ApiError, ErrorBody, request_lang};
use crate::extract::JsonBody;
use crate::state::AppState;

/// What a command wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct Written {
    pub case_id: String,
    /// The case's sequence after the command: the new event's number in the case.
    pub sequence: u64,
    /// The event's position in the whole log; pass it as `min_position` to read your write.
    pub global_position: i64,
    /// True when the Idempotency-Key was seen before: this is the first result, and nothing
    /// was written now.
    pub replayed: bool,
    /// What the caller should know about the fact just recorded (an absence on a day that is
    /// not a school day is kept but does not count toward the ladder), in the request's
    /// language. Absent when there is nothing to say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// A warning about a fact that was recorded: its code and what it means.
#[derive(Debug, Serialize, ToSchema)]
pub struct Warning {
    /// `absence_not_on_a_school_day`.
    pub code: &'static str,
    pub message: String,
}

impl From<CommandOutcome> for Written {
    fn from(o: CommandOutcome) -> Self {
        Self {
            case_id: o.case_id,
            sequence: o.sequence,
            global_position: o.global_position,
            replayed: o.replayed,
            warnings: Vec::new(),
        }
    }
}

/// The warnings a recorded fact earns: an absence on a day the calendar in force does not
/// make a school day (a weekend, a holiday, outside every term) counts toward nothing.
fn warnings(state: &AppState, action: &CaseAction) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if let CaseAction::RecordAbsence(absence) = action
        && !state.store.rules.get().calendar.is_school_day(absence.on)
    {
        warnings.push(Warning {
            code: "absence_not_on_a_school_day",
            message: Message::new(Msg::AbsenceNotOnSchoolDay)
                .with("day", absence.on)
                .text(request_lang()),
        });
    }
    warnings
}

/// Records a fact on a case the caller may write to (the row's access checked the role and
/// the case); an acknowledgement only by the report's own recipient.
async fn record(
    state: &AppState,
    caller: &Caller,
    case: &VisibleCase,
    mut action: CaseAction,
    headers: &HeaderMap,
) -> Result<Json<Written>, ApiError> {
    if let CaseAction::AcknowledgeReport(ack) = &action {
        let own = ack.recipient.acknowledged_by() == caller.user.role;
        if !own {
            return Err(caller.refused(Msg::MayAcknowledgeOthersReport));
        }
    }
    let moves = settle(state, case, &mut action);
    let warnings = warnings(state, &action);
    let outcome = execute(state, caller, &case.id, action, idempotency_key(headers)?).await;
    if moves {
        // The case may keep another school now: its jurisdiction is read afresh.
        state.store.forget_school(&case.id);
    }
    let outcome = outcome?;
    Ok(Json(Written {
        warnings,
        ..outcome.into()
    }))
}

/// Open a case for a child at risk. The case id is new, or, with an Idempotency-Key, the
/// same for every retry of the same request.
#[utoipa::path(post, path = "/api/v1/cases", tag = "commands",
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 200, pattern = r"^[!-~]([ -~]*[!-~])?$", description = "1 to 200 visible ASCII characters (inner spaces allowed). The same key again returns the first result and writes nothing")),
    request_body = CaseOpening,
    responses((status = 201, body = Written), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn open_case(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(opening): JsonBody<CaseOpening>,
) -> Result<(StatusCode, Json<Written>), ApiError> {
    let org = state.store.org.current();
    let school = &opening.student.school;
    let is_school = org
        .org
        .nodes
        .get(school)
        .is_some_and(|n| n.kind == NodeKind::School);
    if !is_school {
        return Err(ApiError::rejected_field(
            "student.school",
            Message::new(Msg::NoSuchSchool).with("school", school.as_str()),
        ));
    }
    if !sees_school(&org.org, &caller.user, school) {
        return Err(caller.refused(Msg::MayOpenCaseAtSchool));
    }
    let key = idempotency_key(&headers)?;
    let case_id = match &key {
        Some(key) => uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("{}\0{key}", caller.user.id).as_bytes(),
        ),
        None => uuid::Uuid::new_v4(),
    }
    .to_string();
    let outcome = execute(
        &state,
        &caller,
        &case_id,
        CaseAction::OpenCase(opening),
        key,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(outcome.into())))
}

/// What the command path decides on a fact itself, whatever the request (or the console's
/// form) said: a confirmation's continuing school (ADR 0013). True when the fact may move the
/// case to another school (a confirmation, a correction): its cached school is then to be
/// forgotten once it is recorded (`Store::forget_school`).
pub fn settle(state: &AppState, case: &VisibleCase, action: &mut CaseAction) -> bool {
    if let CaseAction::ConfirmTransfer(confirmation) = action {
        confirmation.continued_at = continuing_school(state, case, &confirmation.receiving_school);
    }
    matches!(
        action,
        CaseAction::ConfirmTransfer(_) | CaseAction::CorrectFact(_)
    )
}

/// The school of the county, named by its id or its name, that continues the case after a
/// transfer confirmed there (ADR 0013); `None` for a school outside the county, or the case's
/// own school.
fn continuing_school(state: &AppState, case: &VisibleCase, receiving: &str) -> Option<String> {
    let org = state.store.org.current();
    let school = org.org.school_named(receiving.trim())?;
    (school.id != case.school).then(|| school.id.clone())
}

/// Runs a case command for the caller; a second open case file of a child is refused (409)
/// in the words [`one_case_refusal`] finds for the caller.
async fn execute(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    action: CaseAction,
    key: Option<String>,
) -> Result<CommandOutcome, ApiError> {
    match state
        .store
        .commands
        .execute(case_id, action, &caller.context(key))
        .await
    {
        Err(CommandError::OneCase(refusal)) => {
            Err(one_case_refusal(state, caller, &refusal).await?)
        }
        result => Ok(result?),
    }
}

/// The 409 of a child who already has an open case file: its id when the caller sees its
/// school (the jurisdiction check every case read uses), otherwise only that school's name and
/// whom to ask (its township, or the county bureau), so that no case is revealed to a caller
/// outside its jurisdiction.
pub async fn one_case_refusal(
    state: &AppState,
    caller: &Caller,
    refusal: &OneCaseRefusal,
) -> Result<ApiError, ApiError> {
    let held = refusal.case_id();
    let school = state.store.case_school(held).await?.unwrap_or_default();
    let org = state.store.org.current();
    let message = if sees_school(&org.org, &caller.user, &school) {
        let msg = match refusal {
            OneCaseRefusal::Open { .. } => Msg::ChildHasCase,
            OneCaseRefusal::Reopen { .. } => Msg::ReopenChildHasCase,
        };
        Message::new(msg).with("case", held)
    } else {
        let name = |id: &str| {
            org.org
                .nodes
                .get(id)
                .map_or_else(|| id.to_string(), |n| n.name.clone())
        };
        let office = org
            .org
            .township_of(&school)
            .or_else(|| {
                org.org
                    .nodes
                    .values()
                    .find(|n| n.kind == NodeKind::County)
                    .map(|n| n.id.as_str())
            })
            .map_or_else(String::new, name);
        Message::new(Msg::ChildHasCaseElsewhere)
            .with("school", name(&school))
            .with("office", office)
    };
    Ok(ApiError::ChildHasCase(message))
}

/// The command endpoints on an open case: one row each, `handler: "path segment", Fact =>
/// CaseAction variant;` with the operation's description above it. A row is all the API
/// needs of a new kind of fact: the route, the OpenAPI operation and who may call it
/// ([`routes`]) come from it.
macro_rules! case_commands {
    ($($(#[doc = $doc:literal])* $name:ident: $segment:literal, $body:ty => $variant:ident;)*) => {
        $(
            $(#[doc = $doc])*
            #[utoipa::path(post, path = concat!("/api/v1/cases/{case_id}/", $segment), tag = "commands",
                params(("case_id" = String, Path, description = "The case"),
                    ("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 200, pattern = r"^[!-~]([ -~]*[!-~])?$", description = "1 to 200 visible ASCII characters (inner spaces allowed). The same key again returns the first result and writes nothing")),
                request_body = $body,
                responses((status = 200, body = Written), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
                    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
                    (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)),
                security(("bearer" = [])))]
            pub async fn $name(
                State(state): State<AppState>,
                caller: Caller,
                case: VisibleCase,
                headers: HeaderMap,
                JsonBody(body): JsonBody<$body>,
            ) -> Result<Json<Written>, ApiError> {
                record(&state, &caller, &case, CaseAction::$variant(body), &headers).await
            }
        )*

        /// Every command endpoint on an open case, with the kind of fact it records.
        pub fn routes() -> Vec<(UtoipaMethodRouter<AppState>, CaseActionKind)> {
            vec![$((routes!($name), CaseActionKind::$variant),)*]
        }
    };
}

case_commands! {
    /// Add or remove focus groups.
    change_focus_groups: "focus-groups", FocusGroupChange => ChangeFocusGroups;
    /// Record one school day of unexcused absence.
    record_absence: "absences", Absence => RecordAbsence;
    /// Record approved leave.
    grant_leave: "leaves", Leave => GrantLeave;
    /// Record a contact (or an attempt) with the guardian.
    record_parent_contact: "parent-contacts", ParentContact => RecordParentContact;
    /// Record a home visit with everyone who took part.
    record_home_visit: "home-visits", HomeVisit => RecordHomeVisit;
    /// Record a report to the township government or the county bureau (principal only).
    report_upward: "reports", Report => ReportUpward;
    /// Acknowledge a report, as its recipient.
    acknowledge_report: "acknowledgements", Acknowledgement => AcknowledgeReport;
    /// Add a supervision note (督办).
    add_supervision_note: "supervision-notes", SupervisionNote => AddSupervisionNote;
    /// Record the child's return to school.
    record_return: "returns", Return => RecordReturn;
    /// Record a transfer out, with its documents.
    transfer_out: "transfers", TransferOut => TransferOut;
    /// Record the receiving school's confirmation.
    confirm_transfer: "transfer-confirmations", TransferConfirmation => ConfirmTransfer;
    /// Record a suspension of schooling (休学).
    suspend: "suspensions", Suspension => Suspend;
    /// Record the resumption of schooling (复学).
    resume: "resumptions", Resumption => Resume;
    /// Record support given (减、免、缓、助).
    give_support: "support", Support => GiveSupport;
    /// Record a home-teaching session (送教上门).
    record_home_teaching: "home-teaching", HomeTeachingSession => RecordHomeTeaching;
    /// Record that an earlier fact was wrong; the original stays.
    correct_fact: "corrections", Correction => CorrectFact;
    /// Close the case.
    close_case: "closure", Closure => CloseCase;
    /// Reopen a closed case.
    reopen_case: "reopening", Reopening => ReopenCase;
    /// Resolve an open finding of the registry cross-check: what was done, with its document.
    resolve_registry_finding: "registry-resolutions", RegistryResolution => ResolveRegistryFinding;
}
