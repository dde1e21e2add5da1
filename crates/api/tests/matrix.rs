//! The authorisation matrix: every route of the API × every role × a target inside and
//! outside the caller's jurisdiction, and every route without a token, with a revoked token
//! and with an expired one, against the answer the access rules give. The routes and who may
//! call them are the API's own table (`notoneless_api::routes::table`), which the router and
//! the OpenAPI document are built from; the served document must list exactly its rows. On
//! PostgreSQL and on SQLite; the summary is printed (`--nocapture`, or nextest's
//! `--success-output immediate`).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use notoneless_api::auth::{Access, Permission};
use notoneless_domain::fixtures::at;
use notoneless_domain::{CaseActionKind, OrgCommand, UserRole};
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use notoneless_store::org::token_sha256;
use notoneless_store::testing::context;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use UserRole::{Admin, BureauOfficer, HeadTeacher, Inspector, TownshipOfficer};

/// Who may call a route, and where.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Opening a case: the roles that open one (403), and a school in the jurisdiction (403).
    Open,
    /// A fact on a case: the roles that record it (403), then the case in the jurisdiction
    /// (404).
    Command(CaseActionKind),
    /// A read of one case: anyone who sees its school (404 otherwise; admins see none).
    CaseRead,
    /// These roles (403), then the case in the jurisdiction (404).
    CaseRoles(&'static [UserRole]),
    /// These roles (403), then the school in the jurisdiction (404).
    SchoolRoles(&'static [UserRole]),
    /// Anyone who sees the school (404 otherwise).
    SchoolRead,
    /// Every role; the answer holds only the caller's jurisdiction.
    Everyone,
    /// These roles; 403 for any other.
    Roles(&'static [UserRole]),
    /// An admin, or the token's own user (403).
    RevokeToken,
    /// Anyone, with or without a token: the way in.
    Public,
    /// A caller in a session (403 for a bearer token, which all of these callers use).
    Session,
    /// An admin, anyone's; a principal, their school's head teachers' (403).
    Credentials,
}

/// What a route is asked, and by whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// Not about a case or school: asked once per user.
    None,
    /// The case or school at `SCHOOL_A` (in the jurisdiction of `SCHOOL_A`'s staff, `to`, the
    /// county's officers); for a token, the caller's own.
    A,
    /// The case or school at `SCHOOL_B`; for a token, another user's.
    B,
}

/// Every route of the API and who may call it, from the API's table.
fn rules() -> BTreeMap<String, Rule> {
    let mut rules = BTreeMap::new();
    for row in notoneless_api::routes::table() {
        let rule = match row.access {
            Access::Roles(p) if p == Permission::recording(CaseActionKind::OpenCase) => Rule::Open,
            Access::Record(kind) => Rule::Command(kind),
            Access::Case => Rule::CaseRead,
            Access::CaseRoles(p) => Rule::CaseRoles(p.roles),
            Access::School => Rule::SchoolRead,
            Access::SchoolRoles(p) => Rule::SchoolRoles(p.roles),
            Access::Everyone => Rule::Everyone,
            Access::Roles(p) => Rule::Roles(p.roles),
            Access::OwnTokenOrAdmin => Rule::RevokeToken,
            Access::Public => Rule::Public,
            Access::Session => Rule::Session,
            Access::Credentials => Rule::Credentials,
        };
        assert!(
            rules.insert(row.endpoint(), rule).is_none(),
            "{} twice",
            row.endpoint()
        );
    }
    rules
}

/// `METHOD path` of every operation in an OpenAPI document.
fn operations(document: &Value) -> BTreeSet<String> {
    document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect()
}

fn role_of(user: &str) -> UserRole {
    USERS
        .iter()
        .find(|(id, _, _)| *id == user)
        .map(|(_, role, _)| *role)
        .unwrap()
}

/// Whether the user sees this school.
fn sees(user: &str, school: &str) -> bool {
    match role_of(user) {
        Admin => false,
        BureauOfficer | Inspector => true,
        TownshipOfficer => (user == "to") == (school == SCHOOL_A),
        _ => user.ends_with("_b") == (school == SCHOOL_B),
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Status(StatusCode),
    /// Past the access checks: done (2xx), or refused by a rule of the domain (409, 422).
    Allowed,
}

fn expect(rule: Rule, user: &str, target: Target) -> Expect {
    use Expect::{Allowed, Status};
    let role = role_of(user);
    let school = if target == Target::B {
        SCHOOL_B
    } else {
        SCHOOL_A
    };
    let refuse = |code: u16| Status(StatusCode::from_u16(code).unwrap());
    match rule {
        Rule::Open if !CaseActionKind::OpenCase.may_be_recorded_by(role) || !sees(user, school) => {
            refuse(403)
        }
        Rule::Command(kind) if !kind.may_be_recorded_by(role) => refuse(403),
        Rule::Command(_) | Rule::CaseRead | Rule::SchoolRead if !sees(user, school) => refuse(404),
        // An acknowledgement must come from the report's recipient: this one is the bureau's.
        Rule::Command(CaseActionKind::AcknowledgeReport) if role == TownshipOfficer => refuse(403),
        Rule::CaseRoles(roles) | Rule::SchoolRoles(roles) if !roles.contains(&role) => refuse(403),
        Rule::CaseRoles(_) | Rule::SchoolRoles(_) if !sees(user, school) => refuse(404),
        Rule::Roles(roles) if !roles.contains(&role) => refuse(403),
        Rule::RevokeToken if target == Target::B && role != Admin => refuse(403),
        Rule::Session => refuse(403),
        Rule::Credentials if role == Admin => Allowed,
        Rule::Credentials if role == UserRole::Principal && sees(user, school) => Allowed,
        Rule::Credentials => refuse(403),
        _ => Allowed,
    }
}

fn targets(rule: Rule) -> &'static [Target] {
    match rule {
        Rule::Open
        | Rule::Command(_)
        | Rule::CaseRead
        | Rule::CaseRoles(_)
        | Rule::SchoolRoles(_)
        | Rule::SchoolRead
        | Rule::RevokeToken
        | Rule::Credentials => &[Target::A, Target::B],
        Rule::Everyone | Rule::Roles(_) | Rule::Public | Rule::Session => &[Target::None],
    }
}

/// The request for a route, by `user`, at `target`: the path, the query, the body.
fn request(
    route: &str,
    rule: Rule,
    user: &str,
    target: Target,
    cases: (&str, &str),
) -> (String, Option<Value>) {
    let (method, path) = route.split_once(' ').unwrap();
    let (case, school) = match target {
        Target::B => (cases.1, SCHOOL_B),
        _ => (cases.0, SCHOOL_A),
    };
    // A token: the caller's own spare one, or another user's extra one.
    let token_id = match target {
        Target::B if user == "ht" => "extra-sl".to_string(),
        Target::B => "extra-ht".to_string(),
        _ => format!("spare-{user}"),
    };
    let mut path = path
        .replace("{case_id}", case)
        .replace("{school}", school)
        .replace("{token_id}", &token_id)
        .replace("{day}", "2023-12-25");
    path = match path.as_str() {
        p if p.ends_with("/deactivation") => p.replace("{user_id}", "spare"),
        // A teacher of school A's, or of school B's.
        p if target == Target::B => p.replace("{user_id}", "ht_b"),
        p => p.replace("{user_id}", "ht"),
    };
    let query = match route {
        "GET /api/v1/cases/{case_id}/as-of" => "?day=2023-11-07",
        "GET /api/v1/cases/{case_id}/as-known-at" => "?time=2023-11-08T12:00:00Z",
        "GET /api/v1/reviews" | "GET /api/v1/reviews/export" => "?from=2023-11-01&until=2023-11-30",
        "GET /api/v1/registry-findings" => "?state=all",
        "GET /api/v1/search" => "?q=zxm",
        "POST /api/v1/imports/ledger" => "?ledger_date=2023-11-01",
        _ => "",
    };
    let body = match (method, rule) {
        ("GET" | "DELETE", _) => None,
        (_, Rule::Open) => Some(opening(school, "2023-11-08")),
        (_, Rule::Command(_)) => Some(command_body(route.rsplit('/').next().unwrap())),
        _ => Some(match route {
            "POST /api/v1/schools/{school}/roll-calls" => json!({"on": "2023-11-08",
                "class": format!("{user}-class"), "enrolled": 30, "present": 30}),
            // A file's bytes: these are no list, and refused by line (422) once admitted.
            "POST /api/v1/schools/{school}/roll-calls/import" | "POST /api/v1/imports/ledger" => {
                json!({"not": "a list"})
            }
            "POST /api/v1/imports/grade6-watch" => json!({"on": "2023-09-01",
                "enrolments_csv": "student_number,school\n",
                "leavers_csv": "student_number,name,gender,birth_date,school,class,guardian,guardian_relation,guardian_phone\n"}),
            "POST /api/v1/imports/registry" => json!({"name": "matrix", "on": "2023-09-01",
                "register_csv": notoneless_domain::REGISTER_HEADER.join(",") + "\n",
                "roll_csv": notoneless_domain::ROLL_HEADER.join(",") + "\n"}),
            "POST /api/v1/org/nodes" => json!({"id": format!("matrix-{user}"), "kind": "school",
                "name": "新学校", "parent": "gongyingzi"}),
            "POST /api/v1/org/users" => json!({"id": format!("matrix-{user}"), "name": "新老师",
                "role": "head_teacher", "node": SCHOOL_A}),
            "POST /api/v1/calendar/terms" => json!({"name": "2023 autumn",
                "first_day": "2023-09-01", "last_day": "2024-01-19"}),
            "POST /api/v1/calendar/holidays" => json!({"day": "2023-12-25", "name": "snow day"}),
            "POST /api/v1/calendar/make-up-days" => json!({"day": "2023-11-11", "name": "make-up"}),
            "PUT /api/v1/clock" => json!({"now": "2023-11-08T12:00:00+08:00"}),
            "POST /api/v1/session" => json!({"user": user, "password": password(user)}),
            "POST /api/v1/session/password" => json!({"current_password": password(user),
                "new_password": format!("{user}: another password of mine")}),
            _ => json!({}),
        }),
    };
    (format!("{path}{query}"), body)
}

/// The routes of `source` are exactly the matrix's rows.
fn same(source: &BTreeSet<String>, rows: &BTreeSet<String>, what: &str) {
    let missing: Vec<&String> = source.difference(rows).collect();
    let extra: Vec<&String> = rows.difference(source).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what} has routes without a row in the matrix: {missing:?}; rows without a route there: {extra:?}"
    );
}

#[derive(Default)]
struct Tally {
    requests: usize,
    allowed: usize,
    refused: BTreeMap<u16, usize>,
}

conformance!(every_route_for_every_role_inside_and_outside_and_without_a_valid_token);

async fn every_route_for_every_role_inside_and_outside_and_without_a_valid_token(backend: Backend) {
    let rules = rules();
    let listed: BTreeSet<String> = rules.keys().cloned().collect();
    let document = serde_json::to_value(notoneless_api::openapi::document()).unwrap();
    same(&operations(&document), &listed, "the OpenAPI document");

    let app = TestApp::spawn(backend, at("2023-11-08", "10:00")).await;
    app.set_passwords().await;
    let (_, served) = app.get_anonymous("/api/openapi.json").await;
    same(&operations(&served), &listed, "the served OpenAPI document");
    let inside = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let outside = app.open("ht_b", SCHOOL_B, "2023-11-06").await;
    for (case, user) in [(&inside, "ht"), (&outside, "ht_b")] {
        for day in ["2023-11-06", "2023-11-07"] {
            app.ok(
                user,
                &format!("/api/v1/cases/{case}/absences"),
                absence(day),
            )
            .await;
        }
    }
    // A signed checkpoint of the log, for the cases' inclusion proofs.
    notoneless_store::checkpoints::write_checkpoint(
        &app.store.db,
        &app.store.signer,
        app.clock.as_ref(),
    )
    .await
    .unwrap();
    // A spare user to deactivate, a spare token of everyone's to revoke, an extra token of two
    // users' for others to try to revoke, and the principal's revoked and expired tokens.
    let org = &app.store.org;
    let spare = notoneless_domain::User {
        id: "spare".into(),
        name: "备用".into(),
        role: HeadTeacher,
        node: SCHOOL_A.into(),
    };
    org.execute(OrgCommand::AddUser(spare), &context(None))
        .await
        .unwrap();
    let issue = |token_id: String, user: &str, token: &str, expires_at| OrgCommand::IssueToken {
        token_id,
        user: user.into(),
        token_sha256: token_sha256(token),
        expires_at,
    };
    for (user, _, _) in USERS {
        let command = issue(
            format!("spare-{user}"),
            user,
            &format!("nol_spare_{user}"),
            None,
        );
        org.execute(command, &context(None)).await.unwrap();
    }
    for user in ["ht", "sl"] {
        let command = issue(
            format!("extra-{user}"),
            user,
            &format!("nol_extra_{user}"),
            None,
        );
        org.execute(command, &context(None)).await.unwrap();
    }
    let revoked = "nol_revoked_token_of_p";
    org.execute(
        issue("t-p-revoked".into(), "p", revoked, None),
        &context(None),
    )
    .await
    .unwrap();
    org.execute(
        OrgCommand::RevokeToken {
            token_id: "t-p-revoked".into(),
        },
        &context(None),
    )
    .await
    .unwrap();
    let expired = "nol_expired_token_of_p";
    let past = Some(at("2023-11-01", "00:00"));
    org.execute(
        issue("t-p-expired".into(), "p", expired, past),
        &context(None),
    )
    .await
    .unwrap();

    let send = |method: &str, path: &str, body: Option<&Value>, bearer: Option<&str>| {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = app.client.request(method, format!("{}{path}", app.base));
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.text().await.unwrap())
        }
    };
    let mut tally = Tally::default();
    let mut count = |status: StatusCode, allowed: bool| {
        tally.requests += 1;
        if allowed {
            tally.allowed += 1;
        } else {
            *tally.refused.entry(status.as_u16()).or_default() += 1;
        }
    };

    // Without a valid token, every route is 401, before anything else is looked at; but the
    // way in, which takes none.
    for (route, rule) in &rules {
        let (method, _) = route.split_once(' ').unwrap();
        let (path, body) = request(route, *rule, "p", Target::A, (&inside, &outside));
        for (what, bearer) in [
            ("no token", None),
            ("a revoked token", Some(revoked)),
            ("an expired token", Some(expired)),
            ("a made-up token", Some("nol_made_up")),
        ] {
            let (status, answer) = send(method, &path, body.as_ref(), bearer).await;
            if matches!(rule, Rule::Public) {
                assert_eq!(status, StatusCode::CREATED, "{route} with {what}: {answer}");
                count(status, true);
                continue;
            }
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{route} with {what}: {answer}"
            );
            count(status, false);
        }
    }

    // Every user, every route, inside and outside. The organisation's and the calendar's
    // changes come last, so that what they change does not decide the rest.
    let mut order: Vec<(&String, &Rule)> = rules.iter().collect();
    order.sort_by_key(|(route, _)| route.contains("/org/") || route.contains("/calendar/"));
    for (route, rule) in order {
        let (method, _) = route.split_once(' ').unwrap();
        for (user, _, _) in USERS {
            for target in targets(*rule) {
                let (path, body) = request(route, *rule, user, *target, (&inside, &outside));
                let expected = expect(*rule, user, *target);
                let (status, answer) = send(method, &path, body.as_ref(), Some(&token(user))).await;
                let what = format!(
                    "{user} ({}) {method} {path}: {status} {answer}",
                    role_of(user).as_str()
                );
                match expected {
                    Expect::Status(code) => {
                        assert_eq!(status, code, "{what}");
                        count(status, false);
                    }
                    Expect::Allowed => {
                        let allowed = if method == "GET" {
                            status == StatusCode::OK
                        } else {
                            status.is_success()
                                || status == StatusCode::CONFLICT
                                || status == StatusCode::UNPROCESSABLE_ENTITY
                        };
                        assert!(allowed, "expected to pass the access checks: {what}");
                        count(status, true);
                    }
                }
            }
        }
    }

    // The rest of the router: the health checks and the API's own document need no token.
    for path in ["/healthz", "/readyz", "/api/openapi.json", "/api/docs/"] {
        let (status, _) = app.get_anonymous(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        count(status, true);
    }

    let refused: Vec<String> = tally
        .refused
        .iter()
        .map(|(code, n)| format!("{code}: {n}"))
        .collect();
    println!(
        "authorisation matrix on {backend:?}: {} routes, {} users; {} requests, {} allowed, {} refused ({})",
        rules.len(),
        USERS.len(),
        tally.requests,
        tally.allowed,
        tally.requests - tally.allowed,
        refused.join(", ")
    );
}
