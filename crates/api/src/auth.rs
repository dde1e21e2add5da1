//! Who is calling, and what they may do: the bearer-token extractor, and the one table of
//! which role may record which fact. Jurisdiction is checked on every case, read or write.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use notoneless_domain::{Organisation, User, UserRole};
use notoneless_store::org::AuthError;
use notoneless_store::{Actor, CommandContext};

use crate::AppState;
use crate::error::ApiError;
use crate::security::{RetryAfter, Security, source_of};

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    pub request_id: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// Finds the caller by their bearer token. A source that has failed too often within the
    /// window is refused before its token is even looked at (429), so that a right guess
    /// cannot be told from a wrong one; a request without a token is not an attempt.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthenticated)?;
        let security = parts
            .extensions
            .get::<Arc<Security>>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("the security layer is missing".into()))?;
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
                let request_id = parts
                    .headers
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                return Ok(Caller {
                    user: authenticated.user.clone(),
                    request_id,
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
}

use UserRole::{
    Admin, BureauOfficer, HeadTeacher, Inspector, Principal, SchoolLeader, TownshipOfficer,
};

/// Which roles may record which fact, by the command's path segment (`open` for opening a
/// case). Everything not listed is refused. Reads need only the case to be in the caller's
/// jurisdiction; admins read no child's file. `docs/api.md` prints this table.
pub const CASE_PERMISSIONS: [(&str, &[UserRole]); 20] = [
    (
        "open",
        &[HeadTeacher, SchoolLeader, Principal, TownshipOfficer],
    ),
    ("focus-groups", &[HeadTeacher, SchoolLeader, Principal]),
    ("absences", &[HeadTeacher, SchoolLeader, Principal]),
    ("leaves", &[HeadTeacher, SchoolLeader, Principal]),
    ("parent-contacts", &[HeadTeacher, SchoolLeader, Principal]),
    (
        "home-visits",
        &[HeadTeacher, SchoolLeader, Principal, TownshipOfficer],
    ),
    // Only the principal signs the report upward (一把手负责制).
    ("reports", &[Principal]),
    // Each recipient acknowledges its own report: the township officer the township's, the
    // bureau officer the bureau's.
    ("acknowledgements", &[TownshipOfficer, BureauOfficer]),
    // Inspectors write nothing to a case but supervision notes.
    ("supervision-notes", &[Inspector, BureauOfficer]),
    ("returns", &[HeadTeacher, SchoolLeader, Principal]),
    ("transfers", &[SchoolLeader, Principal]),
    (
        "transfer-confirmations",
        &[SchoolLeader, Principal, BureauOfficer],
    ),
    ("suspensions", &[SchoolLeader, Principal]),
    ("resumptions", &[SchoolLeader, Principal]),
    ("support", &[SchoolLeader, Principal]),
    ("home-teaching", &[HeadTeacher, SchoolLeader, Principal]),
    (
        "corrections",
        &[HeadTeacher, SchoolLeader, Principal, BureauOfficer],
    ),
    ("closure", &[Principal, BureauOfficer]),
    ("reopening", &[Principal, BureauOfficer]),
    // A registry finding is resolved by the school's leaders or the bureau, with its document.
    (
        "registry-resolutions",
        &[SchoolLeader, Principal, BureauOfficer],
    ),
];

/// Roles that manage the organisation (tree, users, tokens).
pub const ORG_ADMINS: &[UserRole] = &[Admin];
/// Roles that manage the school calendar.
pub const CALENDAR_KEEPERS: &[UserRole] = &[Admin, BureauOfficer];

/// Every role: the ledger answers each caller with the cases of their jurisdiction (an
/// admin's is empty: admins read no child's file).
pub const LEDGER_READERS: &[UserRole] = &UserRole::ALL;

/// Who may call the review, import and export endpoints, each within their jurisdiction.
/// `docs/api.md` prints this table; a test checks it against this one and the routes.
pub const REPORT_PERMISSIONS: [(&str, &[UserRole]); 6] = [
    ("GET /api/v1/reviews", crate::reviews::REVIEWERS),
    ("GET /api/v1/reviews/export", crate::reviews::REVIEWERS),
    (
        "POST /api/v1/imports/grade6-watch",
        crate::imports::GRADE6_IMPORTERS,
    ),
    (
        "POST /api/v1/imports/registry",
        crate::registry::REGISTRY_IMPORTERS,
    ),
    ("GET /api/v1/exports/ledger", LEDGER_READERS),
    ("GET /api/v1/exports/ledger.csv", LEDGER_READERS),
];

pub fn may_record(command: &str, role: UserRole) -> bool {
    CASE_PERMISSIONS
        .iter()
        .any(|(name, roles)| *name == command && roles.contains(&role))
}

/// Whether the caller may see a case of this school at all.
pub fn sees_school(org: &Organisation, user: &User, school: &str) -> bool {
    match user.role {
        Admin => false,
        // County-wide readers.
        BureauOfficer | Inspector => org.is_within(school, &user.node),
        _ => org.is_within(school, &user.node),
    }
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
        .ok_or_else(|| {
            ApiError::malformed(
                "Idempotency-Key: 1 to 200 visible ASCII characters",
                Some("Idempotency-Key"),
            )
        })?;
    Ok(Some(key.to_string()))
}

impl Caller {
    /// The command context of this caller's request.
    pub fn context(&self, key: Option<String>) -> CommandContext {
        let caller = self;
        CommandContext {
            actor: Actor {
                id: caller.user.id.clone(),
                role: caller.user.role.as_str().to_string(),
                jurisdiction: caller.user.node.clone(),
            },
            request_id: if caller.request_id.is_empty() {
                uuid::Uuid::new_v4().to_string()
            } else {
                caller.request_id.clone()
            },
            idempotency_key: key,
        }
    }
}
