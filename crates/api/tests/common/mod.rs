//! The app on port 0 against a fresh database, with a small county, a user of every role
//! inside and outside it, and a client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use notoneless_api::application::{Application, Config, Running};
use notoneless_api::security::SecurityConfig;
use notoneless_domain::fixtures::{calendar, ladder};
use notoneless_domain::{Node, NodeKind, OrgCommand, User, UserRole};
use notoneless_store::db::Backend;
use notoneless_store::org::token_sha256;
use notoneless_store::testing::{FixedClock, TestDb, context};
use notoneless_store::{Rules, Store};
use reqwest::StatusCode;
use serde_json::Value;

pub const SCHOOL_A: &str = "gyz-middle";
pub const SCHOOL_B: &str = "nanshao-primary";

/// (user id, role, node)
pub const USERS: [(&str, UserRole, &str); 10] = [
    ("admin", UserRole::Admin, "kazuo"),
    ("ht", UserRole::HeadTeacher, SCHOOL_A),
    ("sl", UserRole::SchoolLeader, SCHOOL_A),
    ("p", UserRole::Principal, SCHOOL_A),
    ("to", UserRole::TownshipOfficer, "gongyingzi"),
    ("bo", UserRole::BureauOfficer, "kazuo"),
    ("insp", UserRole::Inspector, "kazuo"),
    ("ht_b", UserRole::HeadTeacher, SCHOOL_B),
    ("p_b", UserRole::Principal, SCHOOL_B),
    ("to_b", UserRole::TownshipOfficer, "nanshao"),
];

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<Store>,
    pub clock: Arc<FixedClock>,
    /// How many cases [`TestApp::open`] opened: each is another child (one open case file per
    /// child), the first the fixtures' 王小明.
    openings: std::sync::atomic::AtomicUsize,
    _running: Running,
    _db: TestDb,
}

pub fn token(user: &str) -> String {
    format!("nol_test_token_for_{user}")
}

/// The password [`TestApp::set_passwords`] gives a user.
pub fn password(user: &str) -> String {
    format!("{user}: a password of my own")
}

impl TestApp {
    /// The app with the default security settings, except a failure limit no test reaches
    /// by accident (the tests of the limit set their own, with [`TestApp::spawn_with`]).
    pub async fn spawn(backend: Backend, now: DateTime<Utc>) -> Self {
        let config = SecurityConfig {
            failure_limit: 100_000,
            ..SecurityConfig::default()
        };
        Self::spawn_with(backend, now, config).await
    }

    pub async fn spawn_with(backend: Backend, now: DateTime<Utc>, config: SecurityConfig) -> Self {
        let db = TestDb::new(backend).await;
        let clock = FixedClock::at(now);
        let rules = Rules {
            calendar: calendar(),
            ladder: ladder(),
        };
        let application = Application::build(Config {
            database_url: db.url.clone(),
            rules,
            clock: clock.clone(),
            security: config,
            listen: "127.0.0.1:0".parse().unwrap(),
            connect_attempts: 1,
            signing_key: notoneless_store::testing::test_key(),
        })
        .await
        .unwrap();
        let store = application.store().clone();
        let nodes = [
            ("kazuo", NodeKind::County, None),
            ("gongyingzi", NodeKind::Township, Some("kazuo")),
            ("nanshao", NodeKind::Township, Some("kazuo")),
            (SCHOOL_A, NodeKind::School, Some("gongyingzi")),
            (SCHOOL_B, NodeKind::School, Some("nanshao")),
        ];
        for (id, kind, parent) in nodes {
            let node = Node {
                id: id.into(),
                kind,
                name: id.into(),
                parent: parent.map(str::to_string),
            };
            store
                .org
                .execute(OrgCommand::AddNode(node), &context(None))
                .await
                .unwrap();
        }
        for (id, role, node) in USERS {
            let user = User {
                id: id.into(),
                name: id.into(),
                role,
                node: node.into(),
            };
            store
                .org
                .execute(OrgCommand::AddUser(user), &context(None))
                .await
                .unwrap();
            let issue = OrgCommand::IssueToken {
                token_id: format!("t-{id}"),
                user: id.into(),
                token_sha256: token_sha256(&token(id)),
                // The default: 90 days after it is recorded.
                expires_at: None,
            };
            store.org.execute(issue, &context(None)).await.unwrap();
        }
        let running = application.spawn().unwrap();
        let base = format!("http://{}", running.address);
        Self {
            base,
            // The tests read the API's answers in English; `crates/api/tests/chinese.rs` reads
            // them in Chinese, the language a request that names none gets.
            client: reqwest::Client::builder()
                .default_headers(
                    [(
                        reqwest::header::ACCEPT_LANGUAGE,
                        reqwest::header::HeaderValue::from_static("en"),
                    )]
                    .into_iter()
                    .collect(),
                )
                .build()
                .unwrap(),
            store,
            clock,
            openings: std::sync::atomic::AtomicUsize::new(0),
            _running: running,
            _db: db,
        }
    }

    /// Gives every user of [`USERS`] their own [`password`] (not a one-time one).
    pub async fn set_passwords(&self) {
        for (user, _, _) in USERS {
            let password_hash = notoneless_store::passwords::hash(
                &notoneless_store::passwords::Secret::new(password(user)),
            )
            .await
            .unwrap();
            self.store
                .org
                .execute(
                    OrgCommand::ChangePassword {
                        user: user.into(),
                        password_hash,
                    },
                    &context(None),
                )
                .await
                .unwrap();
        }
    }

    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
        user: Option<&str>,
    ) -> (StatusCode, Value) {
        let request = match user {
            Some(user) => request.bearer_auth(token(user)),
            None => request,
        };
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    pub async fn get(&self, user: &str, path: &str) -> (StatusCode, Value) {
        self.send(self.client.get(format!("{}{path}", self.base)), Some(user))
            .await
    }

    pub async fn get_anonymous(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.client.get(format!("{}{path}", self.base)), None)
            .await
    }

    pub async fn post(&self, user: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(
            self.client.post(format!("{}{path}", self.base)).json(body),
            Some(user),
        )
        .await
    }

    pub async fn post_with_key(
        &self,
        user: &str,
        path: &str,
        body: &Value,
        key: &str,
    ) -> (StatusCode, Value) {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .json(body)
            .header("Idempotency-Key", key);
        self.send(request, Some(user)).await
    }

    pub async fn post_raw(&self, user: &str, path: &str, body: &str) -> (StatusCode, Value) {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        self.send(request, Some(user)).await
    }

    pub async fn delete(&self, user: &str, path: &str) -> (StatusCode, Value) {
        self.send(
            self.client.delete(format!("{}{path}", self.base)),
            Some(user),
        )
        .await
    }

    /// Sends a request as `user` (if any) and returns the answer as it came: status, headers
    /// and the body's bytes.
    pub async fn send_raw(
        &self,
        request: reqwest::RequestBuilder,
        user: Option<&str>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let request = match user {
            Some(user) => request.bearer_auth(token(user)),
            None => request,
        };
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap().to_vec();
        (status, headers, body)
    }

    /// Posts these bytes as a JSON body as `user`.
    pub async fn post_bytes(&self, user: &str, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
        self.send_bytes(reqwest::Method::POST, user, path, body)
            .await
    }

    /// Sends these bytes as a JSON body as `user`, with this method.
    pub async fn send_bytes(
        &self,
        method: reqwest::Method,
        user: &str,
        path: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        self.send(request, Some(user)).await
    }

    /// What the app has written so far: events (every stream), idempotency keys and
    /// access-log entries. A refused request must leave all three as they were.
    pub async fn footprint(&self) -> [i64; 3] {
        let mut out = [0; 3];
        for (n, table) in ["events", "idempotency_keys", "case_reads"]
            .into_iter()
            .enumerate()
        {
            let sql = format!("SELECT COUNT(*) AS n FROM {table}");
            let rows = self
                .store
                .db
                .fetch_all(notoneless_store::db::Sql::both(&sql), &[])
                .await
                .unwrap();
            out[n] = rows[0].i64("n").unwrap();
        }
        out
    }

    /// The work queue of `user`, once the projector has applied `position`.
    pub async fn queue(&self, user: &str, position: &Value) -> Value {
        let (status, body) = self
            .get(user, &format!("/api/v1/work-queue?min_position={position}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Posts and insists on success; returns the body.
    pub async fn ok(&self, user: &str, path: &str, body: Value) -> Value {
        let (status, answer) = self.post(user, path, &body).await;
        assert!(
            status.is_success(),
            "POST {path} as {user}: {status} {answer}"
        );
        answer
    }

    /// Opens a case for a child at `school` as `user`; returns the case id.
    pub async fn open(&self, user: &str, school: &str, on: &str) -> String {
        let n = self
            .openings
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut body = opening(school, on);
        if n > 0 {
            body["student"]["student_number"] = format!("G2113242011010{:05}", 15678 + n).into();
        }
        let answer = self.ok(user, "/api/v1/cases", body).await;
        answer["case_id"].as_str().unwrap().to_string()
    }

    /// The case's status once the projector has caught up with `position`.
    pub async fn status(&self, user: &str, case: &str, position: &Value) -> Value {
        let (status, body) = self
            .get(
                user,
                &format!("/api/v1/cases/{case}?min_position={position}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

pub fn opening(school: &str, on: &str) -> Value {
    serde_json::json!({
        "on": on,
        "student": {
            "student_number": "G211324201101015678", "name": "王小明", "gender": "male",
            "birth_date": "2011-01-01", "school": school, "grade": 7, "class": "7-2",
            "head_teacher": "李老师",
            "guardians": [{"name": "王建国", "relation": "father", "phone": "138-0000-1234"}],
            "focus_groups": ["economically_poor"]
        },
        "reason": "first unexcused absence"
    })
}

pub fn absence(on: &str) -> Value {
    serde_json::json!({"on": on})
}

pub fn contact(on: &str) -> Value {
    serde_json::json!({"on": on, "by": {"name": "李老师", "role": "head_teacher"}, "guardian": "王建国",
        "channel": "phone", "reached": true, "reason_given": "helping on the farm"})
}

pub fn visit(on: &str, roles: &[&str]) -> Value {
    let people: Vec<Value> = roles
        .iter()
        .map(|r| serde_json::json!({"name": format!("{r} person"), "role": r}))
        .collect();
    serde_json::json!({"on": on, "participants": people, "outcome": "agreed_to_return"})
}

pub fn report(on: &str, recipient: &str, reference: &str) -> Value {
    serde_json::json!({"on": on, "recipient": recipient, "reference": reference,
        "signed_by": {"name": "赵校长", "role": "principal"}})
}

pub fn statuses(status: &Value) -> Vec<String> {
    status["assessment"]["episodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["obligations"].as_array().unwrap().iter())
        .map(|o| {
            let kind = match o["kind"].as_str().unwrap() {
                "action" => o["action"].as_str().unwrap().to_string(),
                _ => format!("report:{}", o["recipient"].as_str().unwrap()),
            };
            format!("{kind}:{}", o["status"].as_str().unwrap())
        })
        .collect()
}

pub fn all(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Whether `body` is the error body of every refusal, `{error, message, field}`, with the
/// code that goes with `status` (an import's refusal, 422, adds `rows`: every refused row with
/// its line, the catalogue's code and the reason); the reason it is not, if not.
pub fn error_body_problem(status: StatusCode, body: &Value) -> Option<String> {
    let expected = match status.as_u16() {
        400 => "malformed",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "too_large",
        422 => "rejected",
        429 => "rate_limited",
        503 => "unavailable",
        _ => return Some(format!("{status} is not an answer the API gives")),
    };
    let Some(object) = body.as_object() else {
        return Some(format!("{status}: the body is not a JSON object: {body}"));
    };
    let rows_allowed = status.as_u16() == 422;
    if let Some(key) = object.keys().find(|k| {
        let known = ["error", "message", "field"].contains(&k.as_str());
        !(known || rows_allowed && *k == "rows")
    }) {
        return Some(format!("{status}: unexpected key {key}: {body}"));
    }
    if let Some(rows) = object.get("rows") {
        let named = |row: &Value| {
            row["row"].is_u64()
                && row["code"].is_string()
                && row["reason"].as_str().is_some_and(|r| !r.trim().is_empty())
        };
        if !rows
            .as_array()
            .is_some_and(|r| !r.is_empty() && r.iter().all(named))
        {
            return Some(format!(
                "{status}: rows without line, code or reason: {body}"
            ));
        }
    }
    if object.get("error") != Some(&Value::String(expected.into())) {
        return Some(format!("{status}: error is not {expected}: {body}"));
    }
    if object
        .get("message")
        .and_then(Value::as_str)
        .is_none_or(|m| m.trim().is_empty())
    {
        return Some(format!("{status}: no message: {body}"));
    }
    if object.get("field").is_some_and(|f| !f.is_string()) {
        return Some(format!("{status}: field is not a string: {body}"));
    }
    None
}

/// A valid body for the case command at this path segment, dated `2023-11-08`.
pub fn command_body(segment: &str) -> Value {
    let on = "2023-11-08";
    match segment {
        "focus-groups" => {
            serde_json::json!({"on": on, "add": ["disabled"], "reason": "certificate seen"})
        }
        "absences" | "returns" | "resumptions" => serde_json::json!({"on": on}),
        "leaves" => {
            serde_json::json!({"on": on, "from": "2023-11-09", "until": "2023-11-09", "reason": "ill",
            "approved_by": {"name": "李老师", "role": "head_teacher"}})
        }
        "parent-contacts" => contact(on),
        "home-visits" => visit(on, &["head_teacher", "responsible_leader"]),
        "reports" => report(on, "township_government", "乡报-x"),
        "acknowledgements" => {
            serde_json::json!({"on": on, "recipient": "county_bureau", "reference": "局报-x", "by": "陈科长"})
        }
        "supervision-notes" => {
            serde_json::json!({"on": on, "by": {"name": "周督学", "role": "inspector"}, "note": "follow up"})
        }
        "transfers" => serde_json::json!({"on": on, "destination_school": "朝阳一中"}),
        "transfer-confirmations" => {
            serde_json::json!({"on": on, "receiving_school": "朝阳一中", "confirmed_by": "马老师"})
        }
        "suspensions" => {
            serde_json::json!({"on": on, "expected_return": "2024-02-26", "reason": "illness"})
        }
        "support" => serde_json::json!({"on": on, "kind": "subsidy", "amount_fen": 50000,
            "from": "2023-09-01", "until": "2024-01-19"}),
        "home-teaching" => {
            serde_json::json!({"on": on, "teachers": [{"name": "李老师", "role": "head_teacher"}],
            "minutes": 60, "content": "语文"})
        }
        "corrections" => {
            serde_json::json!({"on": on, "target": 2, "what_was_wrong": "wrong day", "retract": false})
        }
        "closure" => serde_json::json!({"on": on, "reason": "resolved"}),
        "reopening" => serde_json::json!({"on": on, "reason": "absent again"}),
        "registry-resolutions" => serde_json::json!({"on": on, "kind": "not_on_roll",
            "resolution": "enrolled at the catchment school"}),
        other => panic!("no body for the command {other}: add one"),
    }
}
