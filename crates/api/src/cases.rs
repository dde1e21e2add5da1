//! Case endpoints: one per domain command, the status and lists, the work queue and the
//! dashboard, the inspector's history and replays, and the access log of a case. Every read
//! of one case goes through [`CaseFile`], which records it in the access log.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use cqrs_es::Aggregate as _;
use notoneless_domain::{
    Absence, Acknowledgement, Assessment, CaseAction, CaseEvent, CaseOpening, Closure, Correction,
    FocusGroupChange, HomeTeachingSession, HomeVisit, Leave, ParentContact, Recipient,
    RegistryResolution, Reopening, Report, Resumption, Return, StudentCase, SupervisionNote,
    Support, Suspension, TransferConfirmation, TransferOut, UserRole, assess,
};
use notoneless_store::access::{CaseRead, ReadKind};
use notoneless_store::log::{StoredEvent, case_events};
use notoneless_store::read_model::{
    CaseFilter, CaseRow, case_status, list_cases, school_counts, work_queue,
};
use notoneless_store::{CommandOutcome, Rules};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::{
    Caller, idempotency_key, may_record, sees_school, visible_schools, visible_schools_within,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{JsonBody, PathParam, QueryParams};

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
}

impl From<CommandOutcome> for Written {
    fn from(o: CommandOutcome) -> Self {
        Self {
            case_id: o.case_id,
            sequence: o.sequence,
            global_position: o.global_position,
            replayed: o.replayed,
        }
    }
}

fn forbidden(caller: &Caller, what: &str) -> ApiError {
    ApiError::Forbidden(format!("a {} may not {what}", caller.user.role.as_str()))
}

/// The school of an existing case the caller may see; 404 for any other case, so that a case
/// outside the caller's jurisdiction is not revealed by its existence.
async fn visible_case(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
) -> Result<String, ApiError> {
    let school = state
        .store
        .case_school(case_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let org = state.store.org.current();
    if sees_school(&org.org, &caller.user, &school) {
        Ok(school)
    } else {
        // Answered like a case that does not exist; the log keeps who asked (ids only).
        tracing::info!(user = %caller.user.id, role = caller.user.role.as_str(), %case_id,
            "a case outside the caller's jurisdiction was asked for");
        Err(ApiError::NotFound)
    }
}

/// A case the caller may read. What is read of it reaches the caller only through
/// [`CaseFile::show`], which first makes sure the read is recorded in the access log.
#[must_use = "a case file read must be shown through CaseFile::show, which logs the read"]
struct CaseFile<'a> {
    state: &'a AppState,
    case_id: &'a str,
    school: String,
    /// The access-log entry of this read, written while the answer is being prepared.
    logged: tokio::task::JoinHandle<Result<(), ApiError>>,
}

impl<'a> CaseFile<'a> {
    /// The case, if the caller may read it (404 otherwise, like a case that does not exist),
    /// and the recording of this read (`kind`, `detail`) started.
    async fn open(
        state: &'a AppState,
        caller: &Caller,
        case_id: &'a str,
        kind: ReadKind,
        detail: Option<String>,
    ) -> Result<Self, ApiError> {
        let school = visible_case(state, caller, case_id).await?;
        let (owned_state, owned_caller, ids) =
            (state.clone(), caller.clone(), vec![case_id.to_string()]);
        let logged = tokio::spawn(async move {
            log_reads(&owned_state, &owned_caller, kind, detail.as_deref(), &ids).await
        });
        Ok(Self {
            state,
            case_id,
            school,
            logged,
        })
    }

    async fn events(&self) -> Result<Vec<StoredEvent>, ApiError> {
        Ok(case_events(&self.state.store.db, self.case_id).await?)
    }

    /// Hands the answer over once the read is recorded (who, when, what, the request); if the
    /// access log could not be written, the read fails with 503 and shows nothing.
    async fn show<T>(self, answer: T) -> Result<Json<T>, ApiError> {
        self.logged.await.map_err(|error| {
            ApiError::Unavailable(format!(
                "the access log could not be written, so the read was refused: {error}"
            ))
        })??;
        Ok(Json(answer))
    }
}

/// Records in the access log that the caller read these cases. Any failure is a 503: a
/// child's file is never shown unrecorded.
pub async fn log_reads(
    state: &AppState,
    caller: &Caller,
    kind: ReadKind,
    detail: Option<&str>,
    case_ids: &[String],
) -> Result<(), ApiError> {
    let context = caller.context(None);
    state
        .store
        .access
        .record(&context.actor, &context.request_id, kind, detail, case_ids)
        .await
        .map(|_| ())
        .map_err(|error| {
            ApiError::Unavailable(format!(
                "the access log could not be written, so the read was refused: {error}"
            ))
        })
}

async fn record(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    command: &'static str,
    action: CaseAction,
    headers: &HeaderMap,
) -> Result<Json<Written>, ApiError> {
    if !may_record(command, caller.user.role) {
        return Err(forbidden(caller, action.describe()));
    }
    visible_case(state, caller, case_id).await?;
    if let CaseAction::AcknowledgeReport(ack) = &action {
        let own = match caller.user.role {
            UserRole::TownshipOfficer => ack.recipient == Recipient::TownshipGovernment,
            UserRole::BureauOfficer => ack.recipient == Recipient::CountyBureau,
            _ => false,
        };
        if !own {
            return Err(forbidden(
                caller,
                "acknowledge a report sent to another recipient",
            ));
        }
    }
    let outcome = state
        .store
        .commands
        .execute(case_id, action, &caller.context(idempotency_key(headers)?))
        .await?;
    Ok(Json(outcome.into()))
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
    if !may_record("open", caller.user.role) {
        return Err(forbidden(&caller, "open a case"));
    }
    let org = state.store.org.current();
    let school = &opening.student.school;
    let is_school = org
        .org
        .nodes
        .get(school)
        .is_some_and(|n| n.kind == notoneless_domain::NodeKind::School);
    if !is_school {
        return Err(ApiError::Rejected {
            message: format!("student.school: there is no school {school}"),
            field: Some("student.school".into()),
        });
    }
    if !sees_school(&org.org, &caller.user, school) {
        return Err(forbidden(
            &caller,
            "open a case at a school outside their jurisdiction",
        ));
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
    let outcome = state
        .store
        .commands
        .execute(
            &case_id,
            CaseAction::OpenCase(opening),
            &caller.context(key),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(outcome.into())))
}

macro_rules! case_command {
    ($name:ident, $segment:literal, $path:literal, $body:ty, $variant:ident, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "commands",
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
            PathParam(case_id): PathParam<String>,
            headers: HeaderMap,
            JsonBody(body): JsonBody<$body>,
        ) -> Result<Json<Written>, ApiError> {
            record(&state, &caller, &case_id, $segment, CaseAction::$variant(body), &headers).await
        }
    };
}

case_command!(
    change_focus_groups,
    "focus-groups",
    "/api/v1/cases/{case_id}/focus-groups",
    FocusGroupChange,
    ChangeFocusGroups,
    "Add or remove focus groups."
);
case_command!(
    record_absence,
    "absences",
    "/api/v1/cases/{case_id}/absences",
    Absence,
    RecordAbsence,
    "Record one school day of unexcused absence."
);
case_command!(
    grant_leave,
    "leaves",
    "/api/v1/cases/{case_id}/leaves",
    Leave,
    GrantLeave,
    "Record approved leave."
);
case_command!(
    record_parent_contact,
    "parent-contacts",
    "/api/v1/cases/{case_id}/parent-contacts",
    ParentContact,
    RecordParentContact,
    "Record a contact (or an attempt) with the guardian."
);
case_command!(
    record_home_visit,
    "home-visits",
    "/api/v1/cases/{case_id}/home-visits",
    HomeVisit,
    RecordHomeVisit,
    "Record a home visit with everyone who took part."
);
case_command!(
    report_upward,
    "reports",
    "/api/v1/cases/{case_id}/reports",
    Report,
    ReportUpward,
    "Record a report to the township government or the county bureau (principal only)."
);
case_command!(
    acknowledge_report,
    "acknowledgements",
    "/api/v1/cases/{case_id}/acknowledgements",
    Acknowledgement,
    AcknowledgeReport,
    "Acknowledge a report, as its recipient."
);
case_command!(
    add_supervision_note,
    "supervision-notes",
    "/api/v1/cases/{case_id}/supervision-notes",
    SupervisionNote,
    AddSupervisionNote,
    "Add a supervision note (督办)."
);
case_command!(
    record_return,
    "returns",
    "/api/v1/cases/{case_id}/returns",
    Return,
    RecordReturn,
    "Record the child's return to school."
);
case_command!(
    transfer_out,
    "transfers",
    "/api/v1/cases/{case_id}/transfers",
    TransferOut,
    TransferOut,
    "Record a transfer out, with its documents."
);
case_command!(
    confirm_transfer,
    "transfer-confirmations",
    "/api/v1/cases/{case_id}/transfer-confirmations",
    TransferConfirmation,
    ConfirmTransfer,
    "Record the receiving school's confirmation."
);
case_command!(
    suspend,
    "suspensions",
    "/api/v1/cases/{case_id}/suspensions",
    Suspension,
    Suspend,
    "Record a suspension of schooling (休学)."
);
case_command!(
    resume,
    "resumptions",
    "/api/v1/cases/{case_id}/resumptions",
    Resumption,
    Resume,
    "Record the resumption of schooling (复学)."
);
case_command!(
    give_support,
    "support",
    "/api/v1/cases/{case_id}/support",
    Support,
    GiveSupport,
    "Record support given (减、免、缓、助)."
);
case_command!(
    record_home_teaching,
    "home-teaching",
    "/api/v1/cases/{case_id}/home-teaching",
    HomeTeachingSession,
    RecordHomeTeaching,
    "Record a home-teaching session (送教上门)."
);
case_command!(
    correct_fact,
    "corrections",
    "/api/v1/cases/{case_id}/corrections",
    Correction,
    CorrectFact,
    "Record that an earlier fact was wrong; the original stays."
);
case_command!(
    close_case,
    "closure",
    "/api/v1/cases/{case_id}/closure",
    Closure,
    CloseCase,
    "Close the case."
);
case_command!(
    resolve_registry_finding,
    "registry-resolutions",
    "/api/v1/cases/{case_id}/registry-resolutions",
    RegistryResolution,
    ResolveRegistryFinding,
    "Resolve an open finding of the registry cross-check: what was done, with its document."
);
case_command!(
    reopen_case,
    "reopening",
    "/api/v1/cases/{case_id}/reopening",
    Reopening,
    ReopenCase,
    "Reopen a closed case."
);

// ---- reads ---------------------------------------------------------------------------------------

/// A case's status, computed with the domain's assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub case_id: String,
    pub school: String,
    pub township: Option<String>,
    pub stage: String,
    pub episode_start: Option<NaiveDate>,
    pub episode_days: i64,
    /// Obligations open or overdue.
    pub outstanding: i64,
    pub next_due: Option<DateTime<Utc>>,
    #[schema(value_type = Vec<String>)]
    pub focus_groups: Value,
    pub last_sequence: i64,
    pub last_position: i64,
    pub last_event_type: String,
    pub last_event_on: NaiveDate,
    pub last_recorded_at: DateTime<Utc>,
    pub assessed_at: DateTime<Utc>,
    /// True when the stored row was out of date at the instant asked about, and the case was
    /// assessed afresh from the log.
    pub fresh: bool,
    pub assessment: Assessment,
}

fn view(row: CaseRow, fresh: bool, township: Option<String>) -> Result<CaseView, ApiError> {
    let assessment = row.assessment()?;
    Ok(CaseView {
        case_id: row.case_id,
        school: row.school,
        township,
        stage: row.stage,
        episode_start: row.episode_start,
        episode_days: row.episode_days,
        outstanding: row.outstanding,
        next_due: row.next_due,
        focus_groups: row.focus_groups,
        last_sequence: row.last_sequence,
        last_position: row.last_position,
        last_event_type: row.last_event_type,
        last_event_on: row.last_event_on,
        last_recorded_at: row.last_recorded_at,
        assessed_at: row.assessed_at,
        fresh,
        assessment,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Read your write: wait (up to 2 s) until the read models include the event at this
    /// global position, as a command answered it.
    pub min_position: Option<i64>,
}

/// How long a read waits for the projector to reach a `min_position`.
const READ_WAIT: Duration = Duration::from_secs(2);

async fn read_your_write(state: &AppState, min_position: Option<i64>) -> Result<(), ApiError> {
    if let Some(position) = min_position
        && !state
            .store
            .projector
            .wait_for_global_position(position, READ_WAIT)
            .await?
    {
        tracing::debug!(
            position,
            "read served before the projector reached the asked position"
        );
    }
    Ok(())
}

/// One case's status as of now.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}", tag = "reads",
    params(("case_id" = String, Path, description = "The case"), StatusQuery),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(case_id): PathParam<String>,
    QueryParams(query): QueryParams<StatusQuery>,
) -> Result<Json<CaseView>, ApiError> {
    let file = CaseFile::open(&state, &caller, &case_id, ReadKind::Status, None).await?;
    read_your_write(&state, query.min_position).await?;
    let now = state.store.clock.now();
    let status = case_status(&state.store.db, &state.store.rules.get(), &case_id, now).await?;
    let township = state
        .store
        .org
        .current()
        .org
        .township_of(&file.school)
        .map(str::to_string);
    let view = match status {
        Some(status) => view(status.row, status.fresh, township)?,
        // Opened but not yet projected: assess from the log.
        None => {
            let events = file.events().await?;
            let row = CaseRow::build(&events, &state.store.rules.get(), now)?
                .ok_or(ApiError::NotFound)?;
            view(row, true, township)?
        }
    };
    file.show(view).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub school: Option<String>,
    pub township: Option<String>,
    /// not_opened, attending, absent, escalated, suspended, transfer_pending, transferred_out, closed
    pub stage: Option<String>,
    /// poverty_alleviation_household, disabled, economically_poor, academically_struggling, grade8_or_above
    pub focus_group: Option<String>,
    /// Only cases with an obligation past its due time.
    #[serde(default)]
    pub overdue: bool,
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// 1 to 200; 50 when left out.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
    /// Read your write (see the case status).
    pub min_position: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseListItem {
    pub case_id: String,
    pub school: String,
    pub township: Option<String>,
    pub stage: String,
    pub episode_start: Option<NaiveDate>,
    pub episode_days: i64,
    pub outstanding: i64,
    pub next_due: Option<DateTime<Utc>>,
    #[schema(value_type = Vec<String>)]
    pub focus_groups: Value,
    pub last_event_type: String,
    pub last_event_on: NaiveDate,
    pub last_recorded_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseListItem>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// A page of a list, checked: `page` from 1, `per_page` 1 to 200 (50 when left out). A page
/// far past the end is merely empty: its offset saturates rather than overflows.
struct Paging {
    page: i64,
    per_page: i64,
    offset: i64,
}

impl Paging {
    fn checked(page: Option<i64>, per_page: Option<i64>) -> Result<Self, ApiError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(50);
        if page < 1 {
            return Err(ApiError::malformed("page: must be 1 or more", Some("page")));
        }
        if !(1..=200).contains(&per_page) {
            return Err(ApiError::malformed(
                "per_page: must be from 1 to 200",
                Some("per_page"),
            ));
        }
        Ok(Self {
            page,
            per_page,
            offset: (page - 1).saturating_mul(per_page),
        })
    }
}

/// Cases in the caller's jurisdiction, filtered, soonest due first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "reads", params(ListQuery),
    responses((status = 200, body = CasePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<Json<CasePage>, ApiError> {
    read_your_write(&state, query.min_position).await?;
    let Paging {
        page,
        per_page,
        offset,
    } = Paging::checked(query.page, query.per_page)?;
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let schools = visible_schools_within(org, &caller.user, [&query.township, &query.school]);
    let filter = CaseFilter {
        schools,
        stage: query.stage,
        focus_group: query.focus_group,
        overdue_at: query.overdue.then(|| state.store.clock.now()),
        limit: per_page,
        offset,
    };
    let (items, total) = list_cases(&state.store.db, &filter).await?;
    let items = items
        .into_iter()
        .map(|c| CaseListItem {
            township: org.township_of(&c.school).map(str::to_string),
            case_id: c.case_id,
            school: c.school,
            stage: c.stage,
            episode_start: c.episode_start,
            episode_days: c.episode_days,
            outstanding: c.outstanding,
            next_due: c.next_due,
            focus_groups: c.focus_groups,
            last_event_type: c.last_event_type,
            last_event_on: c.last_event_on,
            last_recorded_at: c.last_recorded_at,
        })
        .collect();
    Ok(Json(CasePage {
        items,
        page,
        per_page,
        total,
    }))
}

/// An obligation the caller must act on.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItemView {
    pub case_id: String,
    pub school: String,
    /// The episode's index in the case's assessment.
    pub episode: i64,
    /// The ladder step's index.
    pub step: i64,
    /// contact_parents, home_visit, report:township_government, report:county_bureau
    pub kind: String,
    #[schema(value_type = Vec<String>)]
    pub owners: Value,
    pub trigger_day: NaiveDate,
    pub due: DateTime<Utc>,
    pub overdue: bool,
}

/// My work queue: the open and overdue obligations my role owes in my jurisdiction, the
/// longest overdue first.
#[utoipa::path(get, path = "/api/v1/work-queue", tag = "reads", params(StatusQuery),
    responses((status = 200, body = Vec<WorkItemView>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn my_work_queue(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<StatusQuery>,
) -> Result<Json<Vec<WorkItemView>>, ApiError> {
    read_your_write(&state, query.min_position).await?;
    let Some(role) = caller.user.role.case_role() else {
        return Ok(Json(Vec::new()));
    };
    let schools = visible_schools(&state.store.org.current().org, &caller.user);
    let now = state.store.clock.now();
    let items = work_queue(&state.store.db, role.as_str(), schools.as_deref(), now, 500).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|w| WorkItemView {
                case_id: w.case_id,
                school: w.school,
                episode: w.obligation.episode,
                step: w.obligation.step,
                kind: w.obligation.kind,
                owners: w.obligation.owners,
                trigger_day: w.obligation.trigger_day,
                due: w.obligation.due,
                overdue: w.overdue,
            })
            .collect(),
    ))
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Counts {
    /// The school's or township's node id.
    pub node: String,
    pub name: String,
    pub cases: i64,
    pub by_stage: BTreeMap<String, i64>,
    pub overdue_obligations: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub schools: Vec<Counts>,
    pub townships: Vec<Counts>,
}

/// Counts of cases by stage, and of overdue obligations, per school and per township, in
/// the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "reads", params(StatusQuery),
    responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<StatusQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    read_your_write(&state, query.min_position).await?;
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let schools = visible_schools(org, &caller.user);
    let counts =
        school_counts(&state.store.db, schools.as_deref(), state.store.clock.now()).await?;
    let name = |id: &str| {
        org.nodes
            .get(id)
            .map_or_else(|| id.to_string(), |n| n.name.clone())
    };
    let mut townships: BTreeMap<String, Counts> = BTreeMap::new();
    let mut per_school = Vec::new();
    for c in counts {
        let township = org.township_of(&c.school).unwrap_or("").to_string();
        let t = townships.entry(township.clone()).or_insert_with(|| Counts {
            name: name(&township),
            node: township,
            ..Default::default()
        });
        t.cases += c.cases;
        t.overdue_obligations += c.overdue_obligations;
        for (stage, n) in &c.by_stage {
            *t.by_stage.entry(stage.clone()).or_default() += n;
        }
        per_school.push(Counts {
            name: name(&c.school),
            node: c.school,
            cases: c.cases,
            by_stage: c.by_stage,
            overdue_obligations: c.overdue_obligations,
        });
    }
    Ok(Json(Dashboard {
        schools: per_school,
        townships: townships.into_values().collect(),
    }))
}

// ---- history and replay --------------------------------------------------------------------

/// One event of a case, as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub sequence: i64,
    pub event_type: String,
    /// The day the fact happened.
    pub on: NaiveDate,
    /// The fact itself.
    #[schema(value_type = Object)]
    pub fact: Value,
    /// Who recorded it, in which role, for which jurisdiction node.
    pub recorded_by: Option<String>,
    pub role: Option<String>,
    pub jurisdiction: Option<String>,
    /// When the server recorded it.
    pub recorded_at: DateTime<Utc>,
    pub global_position: i64,
    pub hash: String,
    pub prev_hash: String,
    /// Retracted by a later correction (the event itself stays).
    pub retracted: bool,
}

fn history_of(events: &[StoredEvent]) -> Result<(StudentCase, Vec<HistoryEntry>), ApiError> {
    let decoded: Vec<CaseEvent> = events
        .iter()
        .map(StoredEvent::decode)
        .collect::<Result<_, _>>()?;
    let case = StudentCase::from_events(decoded.iter().cloned());
    let entries = events
        .iter()
        .zip(&decoded)
        .map(|(stored, event)| HistoryEntry {
            sequence: stored.sequence,
            event_type: stored.event_type.clone(),
            on: event.on(),
            fact: stored
                .payload
                .get(&stored.event_type)
                .cloned()
                .unwrap_or_else(|| stored.payload.clone()),
            recorded_by: stored.meta("actor").map(str::to_string),
            role: stored.meta("role").map(str::to_string),
            jurisdiction: stored.meta("jurisdiction").map(str::to_string),
            recorded_at: stored.recorded_at,
            global_position: stored.global_position,
            hash: stored.hash.clone(),
            prev_hash: stored.prev_hash.clone(),
            retracted: case.is_retracted(u64::try_from(stored.sequence).unwrap_or(0)),
        })
        .collect();
    Ok((case, entries))
}

/// Every event of the case: what happened, on which day, who recorded it, in which role,
/// when, and its hash.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/history", tag = "replay",
    params(("case_id" = String, Path, description = "The case")),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(case_id): PathParam<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let file = CaseFile::open(&state, &caller, &case_id, ReadKind::History, None).await?;
    let events = file.events().await?;
    let entries = history_of(&events)?.1;
    file.show(entries).await
}

/// The case at a point: the facts that count there, and the assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Replay {
    /// The instant assessed at.
    pub at: DateTime<Utc>,
    pub facts: Vec<HistoryEntry>,
    pub assessment: Assessment,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// A local date, YYYY-MM-DD.
    pub day: NaiveDate,
}

/// The case as it stood on a day: the facts that happened up to it (as the log knows them
/// now), assessed at the end of that day.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/as-of", tag = "replay",
    params(("case_id" = String, Path, description = "The case"), AsOfQuery),
    responses((status = 200, body = Replay), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn as_of(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(case_id): PathParam<String>,
    QueryParams(query): QueryParams<AsOfQuery>,
) -> Result<Json<Replay>, ApiError> {
    let file = CaseFile::open(
        &state,
        &caller,
        &case_id,
        ReadKind::AsOf,
        Some(format!("day={}", query.day)),
    )
    .await?;
    let events = file.events().await?;
    let rules = state.store.rules.get();
    let at = rules.calendar.end_of_day(query.day) - TimeDelta::microseconds(1);
    let (case, entries) = history_of(&events)?;
    let assessment = assess(&case, &rules.calendar, &rules.ladder, at);
    let facts = entries.into_iter().filter(|e| e.on <= query.day).collect();
    let replay = Replay {
        at,
        facts,
        assessment,
    };
    file.show(replay).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KnownAtQuery {
    /// An instant, RFC 3339 (e.g. 2023-11-08T18:00:00+08:00).
    pub time: DateTime<chrono::FixedOffset>,
}

/// The case as the system knew it at an instant: only the facts recorded by then, and the
/// calendar as it was then, assessed at that instant. Compared with `as-of`, this shows what
/// was filled in afterwards.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/as-known-at", tag = "replay",
    params(("case_id" = String, Path, description = "The case"), KnownAtQuery),
    responses((status = 200, body = Replay), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn as_known_at(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(case_id): PathParam<String>,
    QueryParams(query): QueryParams<KnownAtQuery>,
) -> Result<Json<Replay>, ApiError> {
    let at = query.time.with_timezone(&Utc);
    let file = CaseFile::open(
        &state,
        &caller,
        &case_id,
        ReadKind::AsKnownAt,
        Some(format!("time={}", at.to_rfc3339())),
    )
    .await?;
    let events: Vec<StoredEvent> = file
        .events()
        .await?
        .into_iter()
        .filter(|e| e.recorded_at <= at)
        .collect();
    let calendar = state.store.org.calendar_known_at(at).await?;
    let rules = Rules {
        calendar,
        ladder: state.store.rules.get().ladder.clone(),
    };
    let (case, facts) = history_of(&events)?;
    let assessment = assess(&case, &rules.calendar, &rules.ladder, at);
    let replay = Replay {
        at,
        facts,
        assessment,
    };
    file.show(replay).await
}

/// The case after one event.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub sequence: i64,
    pub event_type: String,
    pub on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    /// The stage, as the system knew it right after recording this event.
    pub stage: notoneless_domain::Stage,
    pub episode_days: usize,
    pub outstanding: usize,
    pub overdue: usize,
}

/// Step by step: the status right after each event was recorded.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/timeline", tag = "replay",
    params(("case_id" = String, Path, description = "The case")),
    responses((status = 200, body = Vec<TimelineEntry>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(case_id): PathParam<String>,
) -> Result<Json<Vec<TimelineEntry>>, ApiError> {
    let file = CaseFile::open(&state, &caller, &case_id, ReadKind::Timeline, None).await?;
    let events = file.events().await?;
    let rules = state.store.rules.get();
    let mut case = StudentCase::default();
    let mut out = Vec::with_capacity(events.len());
    for stored in &events {
        let event = stored.decode()?;
        let on = event.on();
        case.apply(event);
        let a = assess(&case, &rules.calendar, &rules.ladder, stored.recorded_at);
        out.push(TimelineEntry {
            sequence: stored.sequence,
            event_type: stored.event_type.clone(),
            on,
            recorded_at: stored.recorded_at,
            stage: a.stage,
            episode_days: a.current().map_or(0, |e| e.day_count()),
            outstanding: a.outstanding().count(),
            overdue: a
                .obligations()
                .filter(|o| o.status == notoneless_domain::ObligationStatus::Overdue)
                .count(),
        });
    }
    file.show(out).await
}

// ---- the access log ------------------------------------------------------------------------

/// Who may list who read a child's file: inspectors and bureau officers, in their
/// jurisdiction.
pub const READ_AUDITORS: &[UserRole] = &[UserRole::Inspector, UserRole::BureauOfficer];

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReadsQuery {
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// 1 to 200; 50 when left out.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// One read of a child's case file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadEntry {
    /// When it was read (the server's clock).
    pub read_at: DateTime<Utc>,
    /// Who read it, in which role, for which jurisdiction node.
    pub user: String,
    pub role: String,
    pub jurisdiction: String,
    /// status, history, as_of, as_known_at, timeline, ledger_export or review_export.
    pub kind: String,
    /// What was asked for, where it matters (`day=…` of an as-of replay, `time=…`).
    pub detail: Option<String>,
    /// The request's `x-request-id`.
    pub request_id: String,
}

impl From<CaseRead> for ReadEntry {
    fn from(read: CaseRead) -> Self {
        Self {
            read_at: read.read_at,
            user: read.actor,
            role: read.role,
            jurisdiction: read.jurisdiction,
            kind: read.kind,
            detail: read.detail,
            request_id: read.request_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadsPage {
    /// The newest first.
    pub items: Vec<ReadEntry>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Who read this child's case file, when, and how: every status, history, replay, timeline
/// and download row, newest first (inspectors and bureau officers).
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/reads", tag = "replay",
    params(("case_id" = String, Path, description = "The case"), ReadsQuery),
    responses((status = 200, body = ReadsPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reads(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(case_id): PathParam<String>,
    QueryParams(query): QueryParams<ReadsQuery>,
) -> Result<Json<ReadsPage>, ApiError> {
    if !READ_AUDITORS.contains(&caller.user.role) {
        return Err(forbidden(&caller, "list who read a child's file"));
    }
    visible_case(&state, &caller, &case_id).await?;
    let Paging {
        page,
        per_page,
        offset,
    } = Paging::checked(query.page, query.per_page)?;
    let (reads, total) = state
        .store
        .access
        .reads_of(&case_id, per_page, offset)
        .await?;
    Ok(Json(ReadsPage {
        items: reads.into_iter().map(ReadEntry::from).collect(),
        page,
        per_page,
        total,
    }))
}
