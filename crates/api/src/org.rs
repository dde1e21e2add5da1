//! Organisation endpoints: the jurisdiction tree, users and their tokens, and the school
//! calendar. Every change is an event on the organisation stream.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use notoneless_domain::{
    CalendarDay, CalendarSpec, Node, OrgCommand, Organisation, Term, User, UserRole,
};
use notoneless_store::accounts::OneTimePassword;
use notoneless_store::org::{CALENDAR_FILE, CalendarSource};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::{Caller, idempotency_key};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{JsonBody, OptionalJsonBody, PathParam};
use crate::security::MAX_TOKEN_LIFETIME_DAYS;
use notoneless_i18n::{Message, Msg};

use crate::state::AppState;

/// What an organisation change wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgWritten {
    pub sequence: u64,
    pub global_position: i64,
}

async fn change(
    state: &AppState,
    caller: &Caller,
    command: OrgCommand,
) -> Result<Json<OrgWritten>, ApiError> {
    change_with_key(state, caller, command, None).await
}

/// Records a change to the organisation, once for an idempotency key (the same key and the
/// same change again answers what the first one wrote): the path of the calendar's endpoints
/// and of the console's calendar forms.
pub async fn change_with_key(
    state: &AppState,
    caller: &Caller,
    command: OrgCommand,
    key: Option<String>,
) -> Result<Json<OrgWritten>, ApiError> {
    let outcome = state
        .store
        .org
        .execute(command, &caller.context(key))
        .await?;
    Ok(Json(OrgWritten {
        sequence: outcome.sequence,
        global_position: outcome.global_position,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub name: String,
    pub role: UserRole,
    pub node: String,
    pub active: bool,
}

impl UserView {
    pub fn of(org: &Organisation, user: &User) -> Self {
        UserView {
            id: user.id.clone(),
            name: user.name.clone(),
            role: user.role,
            node: user.node.clone(),
            active: org.is_active(&user.id),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgView {
    pub nodes: Vec<Node>,
    pub users: Vec<UserView>,
}

/// The jurisdiction tree and its users.
#[utoipa::path(get, path = "/api/v1/org", tag = "organisation",
    responses((status = 200, body = OrgView), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_org(State(state): State<AppState>) -> Json<OrgView> {
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    Json(OrgView {
        nodes: org.nodes.values().cloned().collect(),
        users: org.users.values().map(|u| UserView::of(org, u)).collect(),
    })
}

/// Add a county, township or school (admin).
#[utoipa::path(post, path = "/api/v1/org/nodes", tag = "organisation", request_body = Node,
    responses((status = 200, body = OrgWritten), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_node(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(node): JsonBody<Node>,
) -> Result<Json<OrgWritten>, ApiError> {
    change(&state, &caller, OrgCommand::AddNode(node)).await
}

/// A one-time password just set: shown this once, to be handed to its user, who must choose
/// their own at their first login.
#[derive(Serialize, ToSchema)]
pub struct IssuedPassword {
    pub user: String,
    pub one_time_password: String,
    pub sequence: u64,
    pub global_position: i64,
}

impl IssuedPassword {
    fn of(issued: OneTimePassword) -> Self {
        IssuedPassword {
            user: issued.user,
            one_time_password: issued.password.expose().to_string(),
            sequence: issued.outcome.sequence,
            global_position: issued.outcome.global_position,
        }
    }
}

/// Add a user (admin), with a one-time password: the answer is the only place it appears.
#[utoipa::path(post, path = "/api/v1/org/users", tag = "organisation", request_body = User,
    responses((status = 200, body = IssuedPassword), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_user(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(user): JsonBody<User>,
) -> Result<Json<IssuedPassword>, ApiError> {
    let issued = state
        .store
        .add_user(user, &caller.context(None))
        .await
        .map_err(|e| ApiError::account(e, state.store.clock.now()))?;
    Ok(Json(IssuedPassword::of(issued)))
}

/// Give a user a new one-time password (an admin; a principal, for the head teachers and
/// leaders of their school): their sessions end, their account is unlocked, and they choose
/// their own password at their next login. The answer is the only place it appears.
#[utoipa::path(post, path = "/api/v1/org/users/{user_id}/password-reset", tag = "organisation",
    params(("user_id" = String, Path, description = "The user")),
    responses((status = 201, body = IssuedPassword), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(user): PathParam<String>,
) -> Result<(StatusCode, Json<IssuedPassword>), ApiError> {
    let issued = state
        .store
        .reset_password(&user, &caller.context(None))
        .await
        .map_err(|e| ApiError::account(e, state.store.clock.now()))?;
    Ok((StatusCode::CREATED, Json(IssuedPassword::of(issued))))
}

/// How many sessions were ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsEnded {
    pub ended: u64,
}

/// End every session of a user (an admin; a principal, for the head teachers and leaders of
/// their school): a phone lost, a session stolen. Their bearer tokens are revoked apart.
#[utoipa::path(delete, path = "/api/v1/org/users/{user_id}/sessions", tag = "organisation",
    params(("user_id" = String, Path, description = "The user")),
    responses((status = 200, body = SessionsEnded), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn end_sessions(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(user): PathParam<String>,
) -> Result<Json<SessionsEnded>, ApiError> {
    let ended = state
        .store
        .end_sessions(&user, &caller.context(None))
        .await?;
    Ok(Json(SessionsEnded { ended }))
}

/// Deactivate a user; their tokens stop working (admin).
#[utoipa::path(post, path = "/api/v1/org/users/{user_id}/deactivation", tag = "organisation",
    params(("user_id" = String, Path, description = "The user")),
    responses((status = 200, body = OrgWritten), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn deactivate_user(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(user): PathParam<String>,
) -> Result<Json<OrgWritten>, ApiError> {
    change(&state, &caller, OrgCommand::DeactivateUser { user }).await
}

/// A new token: shown this once, stored only as its SHA-256.
#[derive(Serialize, ToSchema)]
pub struct IssuedToken {
    pub token_id: String,
    pub user: String,
    pub token: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
}

/// How long a new token should work.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Days from now, 1 to 365; the server's configured lifetime (90 days unless set) when
    /// left out.
    #[schema(minimum = 1, maximum = 365)]
    pub lifetime_days: Option<i64>,
}

/// Issue a token for a user (admin). The answer is the only place the token ever appears.
/// The body is optional.
#[utoipa::path(post, path = "/api/v1/org/users/{user_id}/tokens", tag = "organisation",
    params(("user_id" = String, Path, description = "The user")),
    request_body(content = Option<TokenRequest>, description = "Optional: the token's lifetime"),
    responses((status = 201, body = IssuedToken), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn issue_token(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(user): PathParam<String>,
    OptionalJsonBody(request): OptionalJsonBody<TokenRequest>,
) -> Result<(StatusCode, Json<IssuedToken>), ApiError> {
    let lifetime = match request.unwrap_or_default().lifetime_days {
        None => state.security.config.token_lifetime,
        Some(days) if (1..=MAX_TOKEN_LIFETIME_DAYS).contains(&days) => TimeDelta::days(days),
        Some(_) => {
            return Err(ApiError::malformed_field(
                "lifetime_days",
                Message::new(Msg::LifetimeDaysRange).with("max", MAX_TOKEN_LIFETIME_DAYS),
            ));
        }
    };
    let expires_at = state.store.clock.now() + lifetime;
    let issued = state
        .store
        .org
        .issue_token(&user, Some(expires_at), &caller.context(None))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedToken {
            token_id: issued.token_id,
            user: issued.user,
            token: issued.token,
            expires_at: issued.expires_at,
        }),
    ))
}

/// Revoke a token (admin, or the token's own user).
#[utoipa::path(delete, path = "/api/v1/org/tokens/{token_id}", tag = "organisation",
    params(("token_id" = String, Path, description = "The token's id")),
    responses((status = 200, body = OrgWritten), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(token_id): PathParam<String>,
) -> Result<Json<OrgWritten>, ApiError> {
    change(&state, &caller, OrgCommand::RevokeToken { token_id }).await
}

/// The fields of the organisation's events that the history never shows: a token's and a
/// password's hash.
pub const SECRETS: [&str; 2] = ["token_sha256", "password_hash"];

/// One change to the organisation, as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgChange {
    pub sequence: i64,
    pub event_type: String,
    /// What changed (a token's or a password's hash is left out).
    #[schema(value_type = Object)]
    pub change: Value,
    pub recorded_by: Option<String>,
    pub role: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub hash: String,
}

/// Who changed the tree, the users, the tokens and the calendar, and when (admin, bureau
/// officer, inspector).
#[utoipa::path(get, path = "/api/v1/org/history", tag = "organisation",
    responses((status = 200, body = Vec<OrgChange>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn org_history(State(state): State<AppState>) -> Result<Json<Vec<OrgChange>>, ApiError> {
    let changes = state
        .store
        .org
        .history()
        .await?
        .into_iter()
        .map(|event| {
            let mut change = event
                .payload
                .get(&event.event_type)
                .cloned()
                .unwrap_or_else(|| event.payload.clone());
            if let Some(object) = change.as_object_mut() {
                for secret in SECRETS {
                    object.remove(secret);
                }
            }
            OrgChange {
                sequence: event.sequence,
                recorded_by: event.meta("actor").map(str::to_string),
                role: event.meta("role").map(str::to_string),
                recorded_at: event.recorded_at,
                hash: event.hash,
                event_type: event.event_type,
                change,
            }
        })
        .collect();
    Ok(Json(changes))
}

/// A calendar day as declared, and when it was declared.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclaredDay {
    pub day: NaiveDate,
    pub name: String,
    /// holiday or make_up_day
    pub kind: String,
    pub declared_at: DateTime<Utc>,
    pub declared_by: Option<String>,
    /// The calendar file (`--calendar`) the day was recorded from; null when it was declared
    /// through the API.
    pub from_file: Option<String>,
    /// Declared through the API after the day had passed: a retroactive change that can move
    /// deadlines. (A calendar file's days are the calendar the county started with: never.)
    pub retroactive: bool,
    /// Why it was declared, when a reason was given.
    pub reason: Option<String>,
}

/// A term as recorded, and when, by whom and from where.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclaredTerm {
    // The term's own fields, spelled out rather than flattened: `Term` denies unknown fields,
    // and a flattened schema would forbid the ones below.
    pub name: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub declared_at: DateTime<Utc>,
    pub declared_by: Option<String>,
    /// The calendar file (`--calendar`) the term was recorded from; null when it was added
    /// through the API.
    pub from_file: Option<String>,
}

/// A holiday or make-up day of the configured calendar (`--calendar`) in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfiguredDay {
    pub day: NaiveDate,
    /// holiday or make_up_day
    pub kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    /// The calendar in force (null only when there is none at all: every weekday counts).
    pub calendar: Option<CalendarSpec>,
    /// Where it comes from: `organisation` (the calendar recorded: a `--calendar` file
    /// recorded once, and what was declared through the API), `configuration` (a base
    /// calendar the server was built with, the days declared here on top: never in the
    /// `notoneless` binary) or `none`.
    #[schema(value_type = String)]
    pub source: CalendarSource,
    /// The terms recorded, each with when, by whom and from where.
    pub terms: Vec<DeclaredTerm>,
    /// The holidays and make-up days recorded, with when, by whom and from where.
    pub days: Vec<DeclaredDay>,
    /// The holidays and make-up days in force that come from the configured calendar.
    pub configured_days: Vec<ConfiguredDay>,
}

/// The county's school calendar, with when and by whom each day was declared.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar",
    responses((status = 200, body = CalendarView), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_calendar(State(state): State<AppState>) -> Result<Json<CalendarView>, ApiError> {
    let snapshot = state.store.org.current();
    let org = &snapshot.org;
    let rules = state.store.rules.get();
    let mut days = Vec::new();
    let mut terms = Vec::new();
    for event in state.store.org.history().await? {
        let from_file = event.meta(CALENDAR_FILE).map(str::to_string);
        let declared_by = event.meta("actor").map(str::to_string);
        let (kind, field) = match event.event_type.as_str() {
            "HolidayDeclared" => ("holiday", "HolidayDeclared"),
            "MakeUpDayDeclared" => ("make_up_day", "MakeUpDayDeclared"),
            "TermAdded" => {
                if let Ok(term) = serde_json::from_value::<Term>(
                    event
                        .payload
                        .get("TermAdded")
                        .cloned()
                        .unwrap_or(Value::Null),
                ) {
                    terms.push(DeclaredTerm {
                        name: term.name,
                        first_day: term.first_day,
                        last_day: term.last_day,
                        declared_at: event.recorded_at,
                        declared_by,
                        from_file,
                    });
                }
                continue;
            }
            _ => continue,
        };
        let Ok(declared) = serde_json::from_value::<CalendarDay>(
            event.payload.get(field).cloned().unwrap_or(Value::Null),
        ) else {
            continue;
        };
        let still = org.holidays.contains_key(&declared.day)
            || org.make_up_days.contains_key(&declared.day);
        if !still {
            continue;
        }
        days.push(DeclaredDay {
            retroactive: from_file.is_none()
                && rules.calendar.local_date(event.recorded_at) > declared.day,
            day: declared.day,
            name: declared.name,
            reason: declared.reason,
            kind: kind.into(),
            declared_at: event.recorded_at,
            declared_by,
            from_file,
        });
    }
    let source = state.store.org.calendar_source();
    let in_force = rules.calendar.spec();
    let mut configured_days = Vec::new();
    if source == CalendarSource::Configuration {
        let configured = state.store.org.configured_calendar().spec();
        for (kind, configured, in_force) in [
            ("holiday", &configured.holidays, &in_force.holidays),
            (
                "make_up_day",
                &configured.make_up_days,
                &in_force.make_up_days,
            ),
        ] {
            configured_days.extend(
                configured
                    .iter()
                    .filter(|d| in_force.contains(d))
                    .map(|day| ConfiguredDay {
                        day: *day,
                        kind: kind.into(),
                    }),
            );
        }
    }
    Ok(Json(CalendarView {
        calendar: (source != CalendarSource::None).then(|| in_force.clone()),
        source,
        terms,
        days,
        configured_days,
    }))
}

/// Add a term (admin, bureau officer). An `Idempotency-Key` header makes a retry record once.
#[utoipa::path(post, path = "/api/v1/calendar/terms", tag = "calendar", request_body = Term,
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 200, pattern = r"^[!-~]([ -~]*[!-~])?$", description = "1 to 200 visible ASCII characters (inner spaces allowed). The same key again returns the first result and writes nothing")),
    responses((status = 200, body = OrgWritten), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_term(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(term): JsonBody<Term>,
) -> Result<Json<OrgWritten>, ApiError> {
    let key = idempotency_key(&headers)?;
    change_with_key(&state, &caller, OrgCommand::AddTerm(term), key).await
}

/// Declare a holiday (admin, bureau officer). A holiday declared after its day is kept and
/// shown as retroactive; `reason` says why (the console requires one for a day already
/// past). An `Idempotency-Key` header makes a retry record once.
#[utoipa::path(post, path = "/api/v1/calendar/holidays", tag = "calendar", request_body = CalendarDay,
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 200, pattern = r"^[!-~]([ -~]*[!-~])?$", description = "1 to 200 visible ASCII characters (inner spaces allowed). The same key again returns the first result and writes nothing")),
    responses((status = 200, body = OrgWritten), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn declare_holiday(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(day): JsonBody<CalendarDay>,
) -> Result<Json<OrgWritten>, ApiError> {
    let key = idempotency_key(&headers)?;
    change_with_key(&state, &caller, OrgCommand::DeclareHoliday(day), key).await
}

/// Declare a make-up school day on a weekend (调休) (admin, bureau officer), with an optional
/// `reason` and `Idempotency-Key` as for a holiday.
#[utoipa::path(post, path = "/api/v1/calendar/make-up-days", tag = "calendar", request_body = CalendarDay,
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 200, pattern = r"^[!-~]([ -~]*[!-~])?$", description = "1 to 200 visible ASCII characters (inner spaces allowed). The same key again returns the first result and writes nothing")),
    responses((status = 200, body = OrgWritten), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn declare_make_up_day(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(day): JsonBody<CalendarDay>,
) -> Result<Json<OrgWritten>, ApiError> {
    let key = idempotency_key(&headers)?;
    change_with_key(&state, &caller, OrgCommand::DeclareMakeUpDay(day), key).await
}

/// Why a day is taken back.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearDay {
    /// Recorded with the change (the console requires one for a day already past).
    pub reason: Option<String>,
}

/// Take a holiday or make-up day back (admin, bureau officer). The body is optional: a
/// `reason`. An `Idempotency-Key` header makes a retry record once.
#[utoipa::path(delete, path = "/api/v1/calendar/days/{day}", tag = "calendar",
    params(("day" = NaiveDate, Path, description = "YYYY-MM-DD"),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 200, pattern = r"^[!-~]([ -~]*[!-~])?$", description = "1 to 200 visible ASCII characters (inner spaces allowed). The same key again returns the first result and writes nothing")),
    request_body(content = Option<ClearDay>, description = "Optional: why the day is taken back"),
    responses((status = 200, body = OrgWritten), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn clear_day(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    PathParam(day): PathParam<NaiveDate>,
    OptionalJsonBody(body): OptionalJsonBody<ClearDay>,
) -> Result<Json<OrgWritten>, ApiError> {
    let key = idempotency_key(&headers)?;
    let reason = body.unwrap_or_default().reason;
    change_with_key(
        &state,
        &caller,
        OrgCommand::ClearCalendarDay { day, reason },
        key,
    )
    .await
}
