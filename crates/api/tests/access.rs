//! Access, by what each answer holds: every endpoint × every role × a case inside and outside
//! the caller's jurisdiction, with what the lists, dashboards and downloads show of each
//! school; revoked, expired and made-up tokens; and the limit on failed tokens per address.
//! (The status of every route for every role and token is `matrix.rs`.)
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use notoneless_api::auth::{GRADE6_IMPORTERS, REGISTRY_IMPORTERS, REVIEWERS, ROLL_CALLERS};
use notoneless_api::security::SecurityConfig;
use notoneless_domain::CaseActionKind;
use notoneless_domain::UserRole;
use notoneless_domain::fixtures::at;
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn command_bodies() -> Vec<(&'static str, Value)> {
    let on = "2023-11-08";
    vec![
        (
            "focus-groups",
            json!({"on": on, "add": ["disabled"], "reason": "certificate seen"}),
        ),
        ("absences", json!({"on": on})),
        (
            "leaves",
            json!({"on": on, "from": "2023-11-09", "until": "2023-11-09", "reason": "ill",
            "approved_by": {"name": "李老师", "role": "head_teacher"}}),
        ),
        ("parent-contacts", contact(on)),
        (
            "home-visits",
            visit(on, &["head_teacher", "responsible_leader"]),
        ),
        ("reports", report(on, "township_government", "乡报-x")),
        (
            "acknowledgements",
            json!({"on": on, "recipient": "county_bureau", "reference": "局报-x", "by": "陈科长"}),
        ),
        (
            "supervision-notes",
            json!({"on": on, "by": {"name": "周督学", "role": "inspector"}, "note": "follow up"}),
        ),
        ("returns", json!({"on": on})),
        (
            "transfers",
            json!({"on": on, "destination_school": "朝阳一中"}),
        ),
        (
            "transfer-confirmations",
            json!({"on": on, "receiving_school": "朝阳一中", "confirmed_by": "马老师"}),
        ),
        (
            "suspensions",
            json!({"on": on, "expected_return": "2024-02-26", "reason": "illness"}),
        ),
        ("resumptions", json!({"on": on})),
        (
            "support",
            json!({"on": on, "kind": "subsidy", "amount_fen": 50000, "from": "2023-09-01", "until": "2024-01-19"}),
        ),
        (
            "home-teaching",
            json!({"on": on, "teachers": [{"name": "李老师", "role": "head_teacher"}], "minutes": 60, "content": "语文"}),
        ),
        (
            "corrections",
            json!({"on": on, "target": 2, "what_was_wrong": "wrong day", "retract": false}),
        ),
        ("closure", json!({"on": on, "reason": "resolved"})),
        ("reopening", json!({"on": on, "reason": "absent again"})),
        (
            "registry-resolutions",
            json!({"on": on, "kind": "not_on_roll", "resolution": "enrolled at the catchment school"}),
        ),
    ]
}

fn role_of(user: &str) -> UserRole {
    USERS
        .iter()
        .find(|(id, _, _)| *id == user)
        .map(|(_, role, _)| *role)
        .unwrap()
}

/// Whether the user may see cases of this school at all.
fn sees(user: &str, school: &str) -> bool {
    match role_of(user) {
        UserRole::Admin => false,
        UserRole::BureauOfficer | UserRole::Inspector => true,
        UserRole::TownshipOfficer => (user == "to") == (school == SCHOOL_A),
        _ => (user.ends_with("_b")) == (school == SCHOOL_B),
    }
}

#[derive(Debug, PartialEq)]
enum Expect {
    Status(StatusCode),
    /// Past the access checks: done, or refused by a domain rule.
    Authorised,
}

fn check(expected: &Expect, status: StatusCode, what: &str) {
    match expected {
        Expect::Status(s) => assert_eq!(status, *s, "{what}"),
        Expect::Authorised => assert!(
            [
                StatusCode::OK,
                StatusCode::CREATED,
                StatusCode::CONFLICT,
                StatusCode::UNPROCESSABLE_ENTITY
            ]
            .contains(&status),
            "{what}: expected to pass the access checks, got {status}"
        ),
    }
}

conformance!(every_endpoint_for_every_role_inside_and_outside_the_jurisdiction);

async fn every_endpoint_for_every_role_inside_and_outside_the_jurisdiction(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-08", "10:00")).await;
    let inside = app.open("ht", SCHOOL_A, "2023-11-06").await;
    let outside = app.open("ht_b", SCHOOL_B, "2023-11-06").await;
    let mut last = serde_json::Value::Null;
    for (case, user) in [(&inside, "ht"), (&outside, "ht_b")] {
        for day in ["2023-11-06", "2023-11-07"] {
            last = app
                .ok(
                    user,
                    &format!("/api/v1/cases/{case}/absences"),
                    absence(day),
                )
                .await["global_position"]
                .clone();
        }
    }
    let users: Vec<&str> = USERS.iter().map(|(id, _, _)| *id).collect();

    // Opening a case at each school.
    for user in &users {
        for school in [SCHOOL_A, SCHOOL_B] {
            let (status, body) = app
                .post(user, "/api/v1/cases", &opening(school, "2023-11-08"))
                .await;
            let expected = if !CaseActionKind::OpenCase.may_be_recorded_by(role_of(user))
                || !sees(user, school)
            {
                Expect::Status(StatusCode::FORBIDDEN)
            } else {
                Expect::Authorised
            };
            check(
                &expected,
                status,
                &format!("{user} opens a case at {school}: {body}"),
            );
        }
    }

    // Every command on a case inside and outside.
    for (segment, body) in command_bodies() {
        for user in &users {
            for (case, school) in [(&inside, SCHOOL_A), (&outside, SCHOOL_B)] {
                let role = role_of(user);
                let expected = if !may_record(segment, role) {
                    Expect::Status(StatusCode::FORBIDDEN)
                } else if !sees(user, school) {
                    Expect::Status(StatusCode::NOT_FOUND)
                } else if segment == "acknowledgements" && role == UserRole::TownshipOfficer {
                    Expect::Status(StatusCode::FORBIDDEN)
                } else {
                    Expect::Authorised
                };
                let (status, answer) = app
                    .post(user, &format!("/api/v1/cases/{case}/{segment}"), &body)
                    .await;
                check(
                    &expected,
                    status,
                    &format!("{user} posts {segment} at {school}: {answer}"),
                );
            }
            let (status, _) = app
                .get_anonymous(&format!("/api/v1/cases/{inside}/{segment}"))
                .await;
            assert!(
                status == StatusCode::UNAUTHORIZED || status == StatusCode::METHOD_NOT_ALLOWED,
                "{segment}"
            );
        }
        let anonymous = app
            .client
            .post(format!("{}/api/v1/cases/{inside}/{segment}", app.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            anonymous.status(),
            StatusCode::UNAUTHORIZED,
            "{segment} without a token"
        );
    }

    // Every read of one case.
    let reads = [
        "",
        "/history",
        "/as-of?day=2023-11-07",
        "/as-known-at?time=2023-11-08T12:00:00Z",
        "/timeline",
    ];
    for read in reads {
        for user in &users {
            for (case, school) in [(&inside, SCHOOL_A), (&outside, SCHOOL_B)] {
                let (status, _) = app.get(user, &format!("/api/v1/cases/{case}{read}")).await;
                let expected = if sees(user, school) {
                    StatusCode::OK
                } else {
                    StatusCode::NOT_FOUND
                };
                assert_eq!(status, expected, "{user} reads {read} at {school}");
            }
        }
        let (status, _) = app
            .get_anonymous(&format!("/api/v1/cases/{inside}{read}"))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{read} without a token");
    }

    // Lists show exactly the cases in the caller's jurisdiction.
    for user in &users {
        // Lists are read models: read them once the projector has the set-up's last write.
        let (status, page) = app
            .get(
                user,
                &format!("/api/v1/cases?per_page=200&min_position={last}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let listed: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["school"].as_str().unwrap())
            .collect();
        assert_eq!(
            listed.contains(&SCHOOL_A),
            sees(user, SCHOOL_A),
            "{user} lists {listed:?}"
        );
        assert_eq!(
            listed.contains(&SCHOOL_B),
            sees(user, SCHOOL_B),
            "{user} lists {listed:?}"
        );
        for path in [
            "/api/v1/work-queue",
            "/api/v1/dashboard",
            "/api/v1/org",
            "/api/v1/calendar",
        ] {
            assert_eq!(app.get(user, path).await.0, StatusCode::OK, "{user} {path}");
            assert_eq!(
                app.get_anonymous(path).await.0,
                StatusCode::UNAUTHORIZED,
                "{path}"
            );
        }
        let (_, dashboard) = app
            .get(user, &format!("/api/v1/dashboard?min_position={last}"))
            .await;
        let schools: Vec<&str> = dashboard["schools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["node"].as_str().unwrap())
            .collect();
        assert_eq!(
            schools.contains(&SCHOOL_B),
            sees(user, SCHOOL_B),
            "{user} dashboard {schools:?}"
        );
    }

    // Reviews and roll calls.
    for user in &users {
        let role = role_of(user);
        let (status, _) = app
            .get(user, "/api/v1/reviews?from=2023-11-01&until=2023-11-30")
            .await;
        let expected = if REVIEWERS.allows(role) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, expected, "{user} runs a review");
        let (status, _) = app
            .get(
                user,
                "/api/v1/reviews/export?from=2023-11-01&until=2023-11-30&format=xlsx",
            )
            .await;
        assert_eq!(status, expected, "{user} downloads a review");
        let (status, review) = app
            .get(
                user,
                "/api/v1/reviews/export?from=2023-11-01&until=2023-11-30&lang=en",
            )
            .await;
        if status == StatusCode::OK {
            let text = review.as_str().unwrap();
            assert!(
                !text.contains(SCHOOL_B) || sees(user, SCHOOL_B),
                "{user}'s review download: {text}"
            );
            assert!(
                !text.contains(SCHOOL_A) || sees(user, SCHOOL_A),
                "{user}'s review download: {text}"
            );
        }
        // Everyone may download the ledger: of their own jurisdiction's cases.
        for path in [
            "/api/v1/exports/ledger",
            "/api/v1/exports/ledger?format=csv&lang=en",
            "/api/v1/exports/ledger.csv",
        ] {
            let (status, ledger) = app.get(user, path).await;
            assert_eq!(status, StatusCode::OK, "{user} {path}");
            let text = ledger.as_str().unwrap();
            for school in [SCHOOL_A, SCHOOL_B] {
                assert_eq!(
                    text.contains(school),
                    sees(user, school),
                    "{user} {path}: {text}"
                );
            }
        }
        let (status, _) = app.get(user, "/api/v1/exports/ledger?format=xlsx").await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{user} downloads the ledger as xlsx"
        );
        for school in [SCHOOL_A, SCHOOL_B] {
            let roll_call = json!({"on": "2023-11-08", "class": format!("{user}-class"), "enrolled": 30, "present": 30});
            let (status, answer) = app
                .post(
                    user,
                    &format!("/api/v1/schools/{school}/roll-calls"),
                    &roll_call,
                )
                .await;
            let expected = if !ROLL_CALLERS.allows(role) {
                Expect::Status(StatusCode::FORBIDDEN)
            } else if !sees(user, school) {
                Expect::Status(StatusCode::NOT_FOUND)
            } else {
                Expect::Authorised
            };
            check(
                &expected,
                status,
                &format!("{user} submits a roll call at {school}: {answer}"),
            );
            let (status, _) = app
                .get(user, &format!("/api/v1/schools/{school}/roll-calls"))
                .await;
            let expected = if sees(user, school) {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(status, expected, "{user} reads roll calls at {school}");
        }
    }
    for path in [
        "/api/v1/reviews?from=2023-11-01&until=2023-11-30",
        "/api/v1/reviews/export?from=2023-11-01&until=2023-11-30",
        "/api/v1/exports/ledger",
        "/api/v1/exports/ledger?format=xlsx",
        "/api/v1/exports/ledger.csv",
    ] {
        assert_eq!(
            app.get_anonymous(path).await.0,
            StatusCode::UNAUTHORIZED,
            "{path} without a token"
        );
    }
    let import = json!({"on": "2023-09-01", "enrolments_csv": "student_number,school\n",
        "leavers_csv": "student_number,name,gender,birth_date,school,class,guardian,guardian_relation,guardian_phone\n"});
    for user in &users {
        let (status, _) = app
            .post(user, "/api/v1/imports/grade6-watch", &import)
            .await;
        let expected = if GRADE6_IMPORTERS.allows(role_of(user)) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, expected, "{user} imports the grade-6 watch");
    }
    let registry = json!({"name": "access", "on": "2023-09-01",
        "register_csv": notoneless_domain::REGISTER_HEADER.join(",") + "\n",
        "roll_csv": notoneless_domain::ROLL_HEADER.join(",") + "\n"});
    for user in &users {
        let role = role_of(user);
        let (status, _) = app.post(user, "/api/v1/imports/registry", &registry).await;
        let expected = if REGISTRY_IMPORTERS.allows(role) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, expected, "{user} imports a registry cross-check");
        let (status, _) = app.get(user, "/api/v1/registry-findings?state=all").await;
        let expected = if role == UserRole::Admin {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::OK
        };
        assert_eq!(status, expected, "{user} lists registry findings");
    }
    for path in ["/api/v1/registry-findings"] {
        assert_eq!(app.get_anonymous(path).await.0, StatusCode::UNAUTHORIZED);
    }

    // The organisation and the calendar.
    for user in &users {
        let role = role_of(user);
        let node = json!({"id": format!("new-{user}"), "kind": "school", "name": "新学校", "parent": "gongyingzi"});
        let (status, _) = app.post(user, "/api/v1/org/nodes", &node).await;
        let expected = if role == UserRole::Admin {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, expected, "{user} adds a node");
        let holiday = json!({"day": "2023-12-25", "name": "snow day"});
        let (status, _) = app.post(user, "/api/v1/calendar/holidays", &holiday).await;
        let expected = if matches!(role, UserRole::Admin | UserRole::BureauOfficer) {
            Expect::Authorised
        } else {
            Expect::Status(StatusCode::FORBIDDEN)
        };
        check(&expected, status, &format!("{user} declares a holiday"));
        let (status, _) = app
            .post(user, "/api/v1/org/users/ht/tokens", &json!({}))
            .await;
        let expected = if role == UserRole::Admin {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, expected, "{user} issues a token");
    }
}

conformance!(a_revoked_token_and_a_deactivated_user_are_refused);

async fn a_revoked_token_and_a_deactivated_user_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-08", "10:00")).await;
    let (status, issued) = app
        .post("admin", "/api/v1/org/users/ht/tokens", &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = issued["token"].as_str().unwrap().to_string();
    let with = |t: &str| {
        app.client
            .get(format!("{}/api/v1/work-queue", app.base))
            .bearer_auth(t.to_string())
            .send()
    };
    assert_eq!(with(&token).await.unwrap().status(), StatusCode::OK);
    let (status, _) = app
        .delete(
            "admin",
            &format!(
                "/api/v1/org/tokens/{}",
                issued["token_id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        with(&token).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("ht", "/api/v1/work-queue").await.0,
        StatusCode::OK,
        "the other token still works"
    );
    let (status, _) = app
        .post("admin", "/api/v1/org/users/ht/deactivation", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.get("ht", "/api/v1/work-queue").await.0,
        StatusCode::UNAUTHORIZED
    );
}

conformance!(an_expired_token_is_refused_with_a_message_that_says_so);

async fn an_expired_token_is_refused_with_a_message_that_says_so(backend: Backend) {
    let app = TestApp::spawn(backend, at("2023-11-08", "10:00")).await;
    let issue = |body: Option<Value>| {
        let request = app
            .client
            .post(format!("{}/api/v1/org/users/ht/tokens", app.base))
            .bearer_auth(token("admin"));
        match body {
            Some(body) => request.json(&body).send(),
            None => request.send(),
        }
    };
    // No body: the configured lifetime, 90 days.
    let answer = issue(None).await.unwrap();
    assert_eq!(answer.status(), StatusCode::CREATED);
    let issued: Value = answer.json().await.unwrap();
    assert_eq!(issued["expires_at"], "2024-02-06T02:00:00Z");
    // A lifetime of one day.
    let answer = issue(Some(json!({"lifetime_days": 1}))).await.unwrap();
    assert_eq!(answer.status(), StatusCode::CREATED);
    let issued: Value = answer.json().await.unwrap();
    assert_eq!(issued["expires_at"], "2023-11-09T02:00:00Z");
    let short = issued["token"].as_str().unwrap().to_string();
    for wrong in [
        json!({"lifetime_days": 0}),
        json!({"lifetime_days": 366}),
        json!({"days": 3}),
    ] {
        let answer = issue(Some(wrong.clone())).await.unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{wrong}");
        let body: Value = answer.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains("days"), "{body}");
    }

    let with = |t: &str| {
        app.client
            .get(format!("{}/api/v1/work-queue", app.base))
            .bearer_auth(t.to_string())
            .send()
    };
    assert_eq!(with(&short).await.unwrap().status(), StatusCode::OK);
    app.clock.set(at("2023-11-09", "09:59"));
    assert_eq!(with(&short).await.unwrap().status(), StatusCode::OK);
    app.clock.set(at("2023-11-09", "10:00"));
    let refused = with(&short).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(
        refused.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token"),
        "{:?}",
        refused.headers()
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "unauthenticated");
    assert_eq!(
        body["message"],
        "the bearer token expired at 2023-11-09T02:00:00Z; ask an admin for a new one"
    );
    // An unknown token is told only that it is not valid.
    let unknown = with("nol_not_a_token").await.unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.headers()["www-authenticate"], "Bearer");
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["message"], "a valid bearer token is required");
}

fn limited(limit: u32, trusted_proxies: Vec<std::net::IpAddr>) -> SecurityConfig {
    SecurityConfig {
        failure_limit: limit,
        failure_window: chrono::TimeDelta::seconds(60),
        trusted_proxies,
        ..SecurityConfig::default()
    }
}

conformance!(failed_tokens_from_one_address_are_refused_with_429_until_the_window_passes);

async fn failed_tokens_from_one_address_are_refused_with_429_until_the_window_passes(
    backend: Backend,
) {
    let app = TestApp::spawn_with(backend, at("2023-11-08", "10:00"), limited(3, vec![])).await;
    let attempt = |t: Option<&str>| {
        let request = app.client.get(format!("{}/api/v1/work-queue", app.base));
        match t {
            Some(t) => request.bearer_auth(t.to_string()).send(),
            None => request.send(),
        }
    };
    // Successful requests do not count.
    for _ in 0..10 {
        assert_eq!(
            attempt(Some(&token("ht"))).await.unwrap().status(),
            StatusCode::OK
        );
    }
    for guess in ["nol_guess_1", "nol_guess_2", "nol_guess_3"] {
        assert_eq!(
            attempt(Some(guess)).await.unwrap().status(),
            StatusCode::UNAUTHORIZED,
            "{guess}"
        );
    }
    let refused = attempt(Some("nol_guess_4")).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["retry-after"], "60");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
    // A right token from that address is refused too: otherwise it would tell a right guess
    // from a wrong one.
    app.clock
        .set(at("2023-11-08", "10:00") + chrono::TimeDelta::seconds(45));
    let refused = attempt(Some(&token("ht"))).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["retry-after"], "15");
    // A request without a token is no attempt: it is told to authenticate.
    assert_eq!(
        attempt(None).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // A header the client wrote itself does not move it elsewhere.
    let spoofed = app
        .client
        .get(format!("{}/api/v1/work-queue", app.base))
        .bearer_auth(token("ht"))
        .header("x-forwarded-for", "198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);
    // Once the window has passed, the address is heard again.
    app.clock.set(at("2023-11-08", "10:01"));
    assert_eq!(
        attempt(Some(&token("ht"))).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        attempt(Some("nol_guess_5")).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

conformance!(behind_a_trusted_proxy_failures_are_counted_per_forwarded_client);

async fn behind_a_trusted_proxy_failures_are_counted_per_forwarded_client(backend: Backend) {
    let localhost = "127.0.0.1".parse().unwrap();
    let app = TestApp::spawn_with(
        backend,
        at("2023-11-08", "10:00"),
        limited(2, vec![localhost]),
    )
    .await;
    let from = |client: &str, t: &str| {
        app.client
            .get(format!("{}/api/v1/work-queue", app.base))
            .bearer_auth(t.to_string())
            .header("x-forwarded-for", client.to_string())
            .send()
    };
    for _ in 0..2 {
        assert_eq!(
            from("198.51.100.1", "nol_guess").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        from("198.51.100.1", &token("ht")).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        from("198.51.100.2", &token("ht")).await.unwrap().status(),
        StatusCode::OK,
        "another client behind the same proxy is not refused"
    );
}

/// Whether the API's table lets this role record the fact at this path segment.
fn may_record(segment: &str, role: UserRole) -> bool {
    let path = format!("/api/v1/cases/{{case_id}}/{segment}");
    notoneless_api::routes::table()
        .into_iter()
        .find(|row| row.path == path)
        .and_then(|row| row.access.roles())
        .is_some_and(|roles| roles.contains(&role))
}
