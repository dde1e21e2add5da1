//! Who is calling, and what they may do: the bearer-token check, every role table but the
//! domain's own (who records which fact on a case: `CaseActionKind::recorders`), the
//! [`Access`] an endpoint asks for, and [`admit`], which checks it before the handler runs.
//! Jurisdiction is checked on every case and school, read or write.
//!
//! Each endpoint's row in `routes.rs` names its [`Access`]; the same values drive the
//! authorisation-matrix test, and `docs/api.md` prints them.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use notoneless_domain::{CaseActionKind, NodeKind, Organisation, User, UserRole};
use notoneless_i18n::Msg;
use notoneless_store::org::AuthError;
use notoneless_store::sessions::{Session, SessionSecret};
use notoneless_store::{Actor, CommandContext};

use crate::error::ApiError;
use crate::extract::PathParam;
use crate::security::{RetryAfter, source_of};
use crate::state::AppState;

use UserRole::{
    Admin, BureauOfficer, HeadTeacher, Inspector, Principal, SchoolLeader, TownshipOfficer,
};

/// Some roles, and what they may do that others may not, in words for the refusal ("a
/// head_teacher may not run a review").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permission {
    pub roles: &'static [UserRole],
    pub action: Msg,
}

impl Permission {
    /// Who may record this kind of fact on a case (the domain's table).
    pub const fn recording(kind: CaseActionKind) -> Self {
        Self {
            roles: kind.recorders(),
            action: kind.label(),
        }
    }

    pub fn allows(&self, role: UserRole) -> bool {
        self.roles.contains(&role)
    }
}

/// Who manages the organisation: the jurisdiction tree, users and tokens.
pub const ORG_ADMINS: Permission = Permission {
    roles: &[Admin],
    action: Msg::MayManageOrganisation,
};
/// Who manages the school calendar.
pub const CALENDAR_KEEPERS: Permission = Permission {
    roles: &[Admin, BureauOfficer],
    action: Msg::MayChangeCalendar,
};
/// Who reads who changed the organisation and the calendar, and when.
pub const ORG_HISTORY_READERS: Permission = Permission {
    roles: &[Admin, BureauOfficer, Inspector],
    action: Msg::MayReadOrgHistory,
};
/// Who runs a review: the bureau and inspectors for the county, a township officer for the
/// township, a principal for the school.
pub const REVIEWERS: Permission = Permission {
    roles: &[BureauOfficer, Inspector, TownshipOfficer, Principal],
    action: Msg::MayRunReview,
};
/// Who imports the grade-6 watch: the bureau (county), a township officer (the township's
/// schools), a primary school's principal or leader (the school).
pub const GRADE6_IMPORTERS: Permission = Permission {
    roles: &[BureauOfficer, TownshipOfficer, Principal, SchoolLeader],
    action: Msg::MayImportGrade6,
};
/// Who imports a registry cross-check: the bureau, for the whole county (a cross-check
/// compares the county's register with every school's roll; a part of it would clear
/// findings it did not look at).
pub const REGISTRY_IMPORTERS: Permission = Permission {
    roles: &[BureauOfficer],
    action: Msg::MayImportRegistry,
};
/// Who imports a county's existing ledger (台账) when it adopts the system: the bureau, for
/// the schools of the county.
pub const LEDGER_IMPORTERS: Permission = Permission {
    roles: &[BureauOfficer],
    action: Msg::MayImportLedger,
};
/// Every role: the ledger answers each caller with the cases of their jurisdiction (an
/// admin's is empty: admins read no child's file).
pub const LEDGER_READERS: Permission = Permission {
    roles: &UserRole::ALL,
    action: Msg::MayDownloadLedger,
};
/// Who searches for children by name or number (in their jurisdiction): everyone who reads
/// children's files.
pub const CHILD_SEARCHERS: Permission = Permission {
    roles: CHILD_FILE_READERS.roles,
    action: Msg::MaySearchChildren,
};
/// Who sees a child's ID number whole in the ledger: the bureau and the inspectors, who check
/// the ledger against the household and student registers. Everyone else who downloads the
/// ledger sees it masked (`2113**********1234`): a school's staff know their pupils, and a
/// ledger file travels (printed, mailed, left on a shared drive).
pub const FULL_ID_READERS: Permission = Permission {
    roles: &[BureauOfficer, Inspector],
    action: Msg::MayReadFullIdNumber,
};
/// Who reads anything of a child's file: everyone but admins.
pub const CHILD_FILE_READERS: Permission = Permission {
    roles: &[
        HeadTeacher,
        SchoolLeader,
        Principal,
        TownshipOfficer,
        BureauOfficer,
        Inspector,
    ],
    action: Msg::MayReadChildFile,
};
/// Who lists who read a child's file: inspectors and bureau officers, in their jurisdiction.
pub const READ_AUDITORS: Permission = Permission {
    roles: &[Inspector, BureauOfficer],
    action: Msg::MayListReads,
};
/// Who reads the log's signing keys and signed checkpoints, to hold them against the log
/// later: inspectors, bureau officers and the admin who keeps the server.
pub const LOG_AUDITORS: Permission = Permission {
    roles: &[Inspector, BureauOfficer, Admin],
    action: Msg::MayReadLogCheckpoints,
};
/// Who moves a training server's clock.
pub const TRAINERS: Permission = Permission {
    roles: &[Admin],
    action: Msg::MayMoveClock,
};
/// Who submits a school's daily roll calls.
pub const ROLL_CALLERS: Permission = Permission {
    roles: &[HeadTeacher, SchoolLeader, Principal],
    action: Msg::MaySubmitRollCall,
};
/// Who gives a user a new one-time password, or ends their sessions: an admin, anyone's; a
/// principal, their own school's head teachers' and leaders' (the [`Access::Credentials`]
/// check).
pub const CREDENTIAL_KEEPERS: Permission = Permission {
    roles: &[Admin, Principal],
    action: Msg::MayManageCredentials,
};
/// Whose passwords and sessions a principal manages: the head teachers and leaders of their
/// school.
const A_PRINCIPALS_STAFF: [UserRole; 2] = [HeadTeacher, SchoolLeader];

/// The request header that carries a session's CSRF token (a form carries it as the field
/// `csrf_token`).
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The cookie that carries a session's secret.
pub const SESSION_COOKIE: &str = "nol_session";
/// What a bearer token's caller may not do at `DELETE /api/v1/session`.
pub const LOG_OUT_WITH_A_TOKEN: Msg = Msg::MayLogOutWithToken;

/// What an endpoint asks of its caller, checked by [`admit`] before its handler runs (a
/// bearer token or a session always comes first: 401; but for [`Access::Public`]). What is
/// about the request's body (the school a case is opened at, the recipient an
/// acknowledgement is for) the handler checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Any caller; what the answer holds is their jurisdiction's.
    Everyone,
    /// Callers in these roles (403 for any other).
    Roles(Permission),
    /// The case in the path, for anyone whose jurisdiction holds its school (404 for anyone
    /// else, like a case that does not exist; admins see no case).
    Case,
    /// Callers in these roles (403), then the case in the path in their jurisdiction (404).
    CaseRoles(Permission),
    /// Recording this kind of fact on the case in the path: the roles the domain gives it
    /// (403), then the case in the caller's jurisdiction (404).
    Record(CaseActionKind),
    /// The school in the path, for anyone who sees it (404 otherwise).
    School,
    /// Callers in these roles (403), then the school in the path in their jurisdiction (404).
    SchoolRoles(Permission),
    /// An admin, or the owner of the token in the path (403).
    OwnTokenOrAdmin,
    /// No caller at all: the way in (logging in with a password).
    Public,
    /// A caller logged in with a session cookie, about that session (403 with a bearer token).
    Session,
    /// The user in the path's password and sessions: an admin, anyone's; a principal, their
    /// school's head teachers' and leaders' (403 for anyone else).
    Credentials,
}

impl Access {
    /// Who may call, in words, as `docs/api.md` prints it.
    pub fn describe(&self) -> String {
        let names = |roles: &[UserRole]| {
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Access::Everyone => "everyone (their jurisdiction's part)".into(),
            Access::Roles(p) => names(p.roles),
            Access::Case => "anyone who sees the case's school (not admin)".into(),
            Access::CaseRoles(p) => format!("{}; a case they see", names(p.roles)),
            Access::Record(kind) => format!("{}; a case they see", names(kind.recorders())),
            Access::School => "anyone who sees the school (not admin)".into(),
            Access::SchoolRoles(p) => format!("{}; a school they see", names(p.roles)),
            Access::OwnTokenOrAdmin => "admin, or the token's own user".into(),
            Access::Public => "anyone, without a token (the way in)".into(),
            Access::Session => "anyone, in the session they logged in with".into(),
            Access::Credentials => {
                "admin; principal, for the head teachers and leaders of their school".into()
            }
        }
    }

    /// The roles this access lets through at all (before jurisdiction): `None` for all.
    pub fn roles(&self) -> Option<&'static [UserRole]> {
        match self {
            Access::Everyone
            | Access::Case
            | Access::School
            | Access::OwnTokenOrAdmin
            | Access::Public
            | Access::Session => None,
            Access::Credentials => Some(CREDENTIAL_KEEPERS.roles),
            Access::Roles(p) | Access::CaseRoles(p) | Access::SchoolRoles(p) => Some(p.roles),
            Access::Record(kind) => Some(kind.recorders()),
        }
    }
}

/// How a caller proved who they are.
#[derive(Clone, Debug)]
pub enum Credential {
    /// A bearer token (a program), by its id.
    Token { token_id: String },
    /// A session cookie (a person logged in with their password): the session, and its
    /// secret, from which its CSRF token is derived.
    Session {
        session: Session,
        secret: SessionSecret,
    },
}

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    pub request_id: String,
    pub credential: Credential,
}

impl Caller {
    /// Refuses (403) a caller whose role the permission does not name.
    pub fn require(&self, permission: &Permission) -> Result<(), ApiError> {
        if permission.allows(self.user.role) {
            Ok(())
        } else {
            Err(self.refused(permission.action))
        }
    }

    /// The refusal of this caller's doing `action`.
    pub fn refused(&self, action: Msg) -> ApiError {
        ApiError::Forbidden {
            role: self.user.role,
            action,
        }
    }

    /// The command context of this caller's request.
    pub fn context(&self, key: Option<String>) -> CommandContext {
        CommandContext {
            actor: Actor {
                id: self.user.id.clone(),
                role: self.user.role.as_str().to_string(),
                jurisdiction: self.user.node.clone(),
            },
            request_id: if self.request_id.is_empty() {
                uuid::Uuid::new_v4().to_string()
            } else {
                self.request_id.clone()
            },
            idempotency_key: key,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// The caller [`admit`] found; for a route without a row, found now.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match parts.extensions.get::<Caller>() {
            Some(caller) => Ok(caller.clone()),
            None => authenticate(parts, state).await,
        }
    }
}

/// The request's `x-request-id` (the layers set one when the client sent none).
pub fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The session secret in the request's `Cookie` header, if there is one.
pub fn session_cookie(headers: &HeaderMap) -> Option<SessionSecret> {
    cookie_value(headers, SESSION_COOKIE)
        .map(SessionSecret::from_cookie)
        .filter(|secret| !secret.expose().is_empty())
}

/// The value of the request's cookie `name` (the session's, the console's language).
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.trim())
}

/// Finds the caller by their bearer token or, without one, by their session cookie. A
/// session that no longer works is a 401 that says why; it is not counted against the
/// address (a session's secret cannot be guessed, and a school behind one address must not
/// be locked out by one phone's stale cookie).
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let bearer = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(token) = bearer {
        return authenticate_token(parts, state, token);
    }
    let secret = session_cookie(&parts.headers).ok_or(ApiError::Unauthenticated)?;
    let snapshot = state.store.org.current();
    let found = state
        .store
        .sessions
        .find(&secret, &state.security.config.sessions, &snapshot.org)
        .await?;
    let session = match found {
        Ok(session) => session,
        Err(ended) => {
            tracing::info!(reason = ?ended, "a session cookie was refused");
            return Err(ApiError::SessionEnded(ended));
        }
    };
    let user = snapshot
        .org
        .users
        .get(&session.user)
        .cloned()
        .ok_or(ApiError::Unauthenticated)?;
    Ok(Caller {
        user,
        request_id: request_id(&parts.headers),
        credential: Credential::Session { session, secret },
    })
}

/// Finds the caller by their bearer token. A source that has failed too often within the
/// window is refused before its token is even looked at (429), so that a right guess cannot be
/// told from a wrong one; a request without a token is not an attempt.
fn authenticate_token(parts: &Parts, state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let security = &state.security;
    // Without a peer address (a router served without connect info) nothing is counted;
    // `serve` always provides one.
    let source = source_of(parts, &security.config.trusted_proxies);
    let now = state.store.clock.now();
    if let Some(source) = source
        && let Some(RetryAfter(retry_after)) = security.refused(source, now)
    {
        return Err(ApiError::TooManyFailures { retry_after });
    }
    let from = source.map_or_else(|| "unknown".to_string(), |s| s.to_string());
    let snapshot = state.store.org.current();
    let refusal = match snapshot.authenticate(token, now) {
        Ok(authenticated) => {
            return Ok(Caller {
                user: authenticated.user.clone(),
                request_id: request_id(&parts.headers),
                credential: Credential::Token {
                    token_id: authenticated.token_id.to_string(),
                },
            });
        }
        Err(AuthError::Unknown) => {
            tracing::info!(source = %from, "an unknown bearer token was refused");
            ApiError::Unauthenticated
        }
        Err(AuthError::Expired {
            token_id,
            expired_at,
        }) => {
            tracing::info!(source = %from, %token_id, %expired_at, "an expired bearer token was refused");
            ApiError::TokenExpired { expired_at }
        }
    };
    if let Some(source) = source
        && let Some(RetryAfter(retry_after)) = security.failed(source, now)
    {
        tracing::warn!(
            %source,
            retry_after,
            limit = security.config.failure_limit,
            "too many failed bearer tokens from one source: refusing it until the window passes"
        );
    }
    Err(refusal)
}

/// The case in the path, as [`admit`] found it in the caller's jurisdiction.
#[derive(Clone, Debug)]
pub struct VisibleCase {
    pub id: String,
    pub school: String,
}

/// The school in the path, as [`admit`] found it in the caller's jurisdiction.
#[derive(Clone, Debug)]
pub struct VisibleSchool(pub String);

macro_rules! found_by_admit {
    ($type:ty, $what:literal) => {
        impl<S: Send + Sync> FromRequestParts<S> for $type {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
                parts.extensions.get::<$type>().cloned().ok_or_else(|| {
                    ApiError::internal(concat!("the route's access does not check ", $what))
                })
            }
        }
    };
}

found_by_admit!(VisibleCase, "a case");
found_by_admit!(VisibleSchool, "a school");

/// The middleware of an endpoint's row: the bearer token or the session cookie (401, 429), a
/// session's CSRF token on a request that changes something (403), the path's parameters
/// (400), the role (403), then the case or school in the path in the caller's jurisdiction
/// (404); what it found goes to the handler in the request's extensions.
pub async fn admit(
    State((state, access)): State<(AppState, Access)>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    match check(&state, access, &mut parts).await {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(refusal) => refusal.into_response(),
    }
}

async fn check(state: &AppState, access: Access, parts: &mut Parts) -> Result<(), ApiError> {
    if access == Access::Public {
        return Ok(());
    }
    let caller = authenticate(parts, state).await?;
    if let Credential::Session { secret, .. } = &caller.credential
        && !parts.method.is_safe()
    {
        let presented = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !secret.csrf_matches(presented) {
            tracing::info!(user = %caller.user.id, "a session's request without its CSRF token was refused");
            return Err(ApiError::CsrfRequired);
        }
    }
    let path = if matches!(
        access,
        Access::Everyone | Access::Roles(_) | Access::Session
    ) {
        HashMap::new()
    } else {
        PathParam::<HashMap<String, String>>::from_request_parts(parts, state)
            .await?
            .0
    };
    let param = |name: &str| {
        path.get(name)
            .cloned()
            .ok_or_else(|| ApiError::internal(format!("the route has no {{{name}}} in its path")))
    };
    require_role(&caller, access)?;
    match access {
        Access::Everyone | Access::Roles(_) | Access::Public => {}
        Access::Session => {
            if !matches!(caller.credential, Credential::Session { .. }) {
                return Err(caller.refused(LOG_OUT_WITH_A_TOKEN));
            }
        }
        Access::Credentials => {
            let user = param("user_id")?;
            if caller.user.role != Admin {
                let snapshot = state.store.org.current();
                let staff = snapshot.org.users.get(&user).is_some_and(|u| {
                    A_PRINCIPALS_STAFF.contains(&u.role) && u.node == caller.user.node
                });
                if !staff {
                    return Err(caller.refused(CREDENTIAL_KEEPERS.action));
                }
            }
        }
        Access::Case | Access::CaseRoles(_) | Access::Record(_) => {
            let id = param("case_id")?;
            let school = visible_case(state, &caller, &id).await?;
            parts.extensions.insert(VisibleCase { id, school });
        }
        Access::School | Access::SchoolRoles(_) => {
            let school = param("school")?;
            let snapshot = state.store.org.current();
            let is_school = snapshot
                .org
                .nodes
                .get(&school)
                .is_some_and(|n| n.kind == NodeKind::School);
            if !(is_school && sees_school(&snapshot.org, &caller.user, &school)) {
                return Err(ApiError::NotFound);
            }
            parts.extensions.insert(VisibleSchool(school));
        }
        Access::OwnTokenOrAdmin => {
            let token_id = param("token_id")?;
            let owner = state
                .store
                .org
                .current()
                .org
                .tokens
                .get(&token_id)
                .map(|token| token.user.clone());
            if caller.user.role != Admin && owner.as_deref() != Some(caller.user.id.as_str()) {
                return Err(caller.refused(Msg::MayRevokeOthersToken));
            }
        }
    }
    parts.extensions.insert(caller);
    Ok(())
}

/// The role check of an access (403 with what the role may not do), as [`admit`] makes it
/// before anything else; the web console's forms make it the same way.
pub fn require_role(caller: &Caller, access: Access) -> Result<(), ApiError> {
    if let Some(roles) = access.roles()
        && !roles.contains(&caller.user.role)
    {
        let action = match access {
            Access::Roles(p) | Access::CaseRoles(p) | Access::SchoolRoles(p) => p.action,
            Access::Record(kind) => kind.label(),
            Access::Credentials => CREDENTIAL_KEEPERS.action,
            // Only the accesses with roles refuse a role.
            _ => Msg::MayReadChildFile,
        };
        return Err(caller.refused(action));
    }
    Ok(())
}

/// The school of an existing case the caller may see; 404 for any other case, so that a case
/// outside the caller's jurisdiction is not revealed by its existence.
pub async fn visible_case(
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

/// Whether the caller may see a case of this school at all (admins see none).
pub fn sees_school(org: &Organisation, user: &User, school: &str) -> bool {
    user.role != Admin && org.is_within(school, &user.node)
}

/// The schools whose cases the caller may list: `None` for all of them.
pub fn visible_schools(org: &Organisation, user: &User) -> Option<Vec<String>> {
    match user.role {
        Admin => Some(Vec::new()),
        BureauOfficer | Inspector => None,
        _ => Some(org.schools_within(&user.node)),
    }
}

/// The schools the caller may see, narrowed to those within each node given (a township, a
/// school): `None` for all of them.
pub fn visible_schools_within<'a>(
    org: &Organisation,
    user: &User,
    nodes: impl IntoIterator<Item = &'a Option<String>>,
) -> Option<Vec<String>> {
    let mut schools = visible_schools(org, user);
    for node in nodes.into_iter().flatten() {
        let within = org.schools_within(node);
        schools = Some(match schools {
            None => within,
            Some(mine) => mine.into_iter().filter(|s| within.contains(s)).collect(),
        });
    }
    schools
}

const MAX_KEY: usize = 200;

/// The `Idempotency-Key` header, checked.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEY)
        .ok_or_else(|| ApiError::malformed_field("Idempotency-Key", Msg::IdempotencyKeyFormat))?;
    Ok(Some(key.to_string()))
}
