//! The app on port 0 against a fresh database, with a small county, a user of every role
//! inside and outside it, and a client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use notoneless_api::security::SecurityConfig;
use notoneless_api::{AppState, app_with};
use notoneless_domain::fixtures::{calendar, ladder};
use notoneless_domain::{Node, NodeKind, OrgCommand, User, UserRole};
use notoneless_store::db::Backend;
use notoneless_store::org::token_sha256;
use notoneless_store::testing::{FixedClock, TestDb, context};
use notoneless_store::{Rules, Store};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::watch;

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
    _db: TestDb,
    _stop: watch::Sender<bool>,
}

pub fn token(user: &str) -> String {
    format!("nol_test_token_for_{user}")
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
        let store = Arc::new(Store::new(db.connect().await, rules, clock.clone()));
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
        let (stop, stopped) = watch::channel(false);
        let projector = store.projector.clone();
        let committed = store.committed.clone();
        tokio::spawn(async move { projector.run(committed, stopped).await });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = app_with(
            AppState {
                store: store.clone(),
            },
            config,
        );
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await });
        Self {
            base,
            client: reqwest::Client::new(),
            store,
            clock,
            _db: db,
            _stop: stop,
        }
    }

    async fn send(
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
        let answer = self.ok(user, "/api/v1/cases", opening(school, on)).await;
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
