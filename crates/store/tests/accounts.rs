//! Accounts on both databases: a one-time password replaced at the first login, sessions that
//! end when idle, at their lifetime, at logout, at a reset; an account locked by wrong
//! passwords and unlocked by a reset; the sign-in log append-only; users imported whole or
//! not at all, their one-time passwords in a handout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::TimeDelta;
use notoneless_domain::fixtures::{at, calendar, ladder};
use notoneless_domain::{Node, NodeKind, OrgCommand, User, UserRole};
use notoneless_store::accounts::{AccessRefusal, AccountError, Login, PasswordChange};
use notoneless_store::db::{Backend, Sql};
use notoneless_store::passwords::Secret;
use notoneless_store::sessions::{SessionEnded, SessionPolicy};
use notoneless_store::testing::{FixedClock, TestDb, context};
use notoneless_store::users::{commit_user_import, handout_workbook, prepare_user_import};
use notoneless_store::{Rules, Store, conformance};

async fn county(backend: Backend) -> (TestDb, Store, std::sync::Arc<FixedClock>) {
    let test = TestDb::new(backend).await;
    let clock = FixedClock::at(at("2023-11-06", "08:00"));
    let store = Store::new(
        test.connect().await,
        Rules {
            calendar: calendar(),
            ladder: ladder(),
        },
        clock.clone(),
        notoneless_store::testing::test_key(),
    );
    for (id, kind, parent) in [
        ("kazuo", NodeKind::County, None),
        ("gyz", NodeKind::Township, Some("kazuo")),
        ("gyz-middle", NodeKind::School, Some("gyz")),
        ("gyz-primary", NodeKind::School, Some("gyz")),
    ] {
        let node = Node {
            id: id.into(),
            kind,
            name: format!("{id}学校"),
            parent: parent.map(str::to_string),
        };
        store
            .org
            .execute(OrgCommand::AddNode(node), &context(None))
            .await
            .unwrap();
    }
    (test, store, clock)
}

fn login(user: &str, password: &str, new: Option<&str>) -> Login {
    Login {
        user: user.into(),
        password: Secret::new(password),
        new_password: new.map(Secret::new),
    }
}

fn refusal(result: Result<impl std::fmt::Debug, AccountError>) -> AccessRefusal {
    match result {
        Err(AccountError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal: {other:?}"),
    }
}

async fn count(store: &Store, sql: &str) -> i64 {
    store
        .db
        .fetch_optional(Sql::both(sql), &[])
        .await
        .unwrap()
        .unwrap()
        .i64("n")
        .unwrap()
}

conformance!(
    a_one_time_password_logs_in_only_with_a_password_chosen_in_its_place,
    a_session_ends_when_idle_at_its_lifetime_at_logout_and_when_its_password_changes,
    wrong_passwords_lock_the_account_and_a_reset_unlocks_it,
    the_database_refuses_to_change_or_remove_a_sign_in_log_entry,
    users_are_imported_whole_or_not_at_all_and_their_one_time_passwords_handed_out,
);

async fn a_one_time_password_logs_in_only_with_a_password_chosen_in_its_place(backend: Backend) {
    let (_test, store, _) = county(backend).await;
    let policy = SessionPolicy::default();
    let wang = User {
        id: "wang".into(),
        name: "王老师".into(),
        role: UserRole::HeadTeacher,
        node: "gyz-middle".into(),
    };
    let issued = store.add_user(wang, &context(None)).await.unwrap();
    let one_time = issued.password.expose().to_string();

    let alone = store
        .log_in(login("wang", &one_time, None), &policy, None, "r1")
        .await;
    assert_eq!(refusal(alone), AccessRefusal::OneTimePassword);
    let common = store
        .log_in(
            login("wang", &one_time, Some("password1")),
            &policy,
            None,
            "r2",
        )
        .await;
    assert_eq!(
        refusal(common).to_string(),
        "new_password: is one of the commonest passwords, which are guessed first; choose another"
    );
    let logged = store
        .log_in(
            login("wang", &one_time, Some("石桥下的柳树青青")),
            &policy,
            None,
            "r3",
        )
        .await
        .unwrap();
    assert_eq!(logged.user.id, "wang");
    let org = store.org.current();
    let record = &org.org.passwords["wang"];
    assert!(!record.one_time);
    assert_eq!(record.version, 2);
    assert_eq!(logged.session.password_version, 2);
    // The one-time password no longer works; the chosen one does, and opens a session.
    let old = store
        .log_in(login("wang", &one_time, None), &policy, None, "r4")
        .await;
    assert_eq!(refusal(old), AccessRefusal::WrongCredentials);
    let again = store
        .log_in(login("wang", "石桥下的柳树青青", None), &policy, None, "r5")
        .await
        .unwrap();
    let found = store
        .sessions
        .find(&again.secret, &policy, &store.org.current().org)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user, "wang");
    // A user name nobody has is refused like a wrong password, and logged without the name.
    let nobody = store
        .log_in(
            login("nobody-at-all", "石桥下的柳树青青", None),
            &policy,
            None,
            "r6",
        )
        .await;
    assert_eq!(refusal(nobody), AccessRefusal::WrongCredentials);
    let log = store.sessions.sign_ins(None, 50).await.unwrap();
    let kinds: Vec<&str> = log.iter().rev().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "password_changed",
            "logged_in",
            "wrong_password",
            "logged_in",
            "unknown_user"
        ]
    );
    assert_eq!(log[0].user, None);
    // Only the hashes are stored: no password anywhere in the events or the tables.
    for (table, column) in [("events", "payload"), ("sessions", "secret_sha256")] {
        let rows = store
            .db
            .fetch_all(
                Sql::both(&format!("SELECT {column} AS v FROM {table}")),
                &[],
            )
            .await
            .unwrap();
        let text: String = rows
            .iter()
            .map(|r| {
                r.text("v")
                    .or_else(|_| r.json("v").map(|j| j.to_string()))
                    .unwrap()
            })
            .collect();
        for secret in [one_time.as_str(), "石桥下的柳树青青", again.secret.expose()] {
            assert!(!text.contains(secret), "{table} holds a secret");
        }
    }
}

async fn a_session_ends_when_idle_at_its_lifetime_at_logout_and_when_its_password_changes(
    backend: Backend,
) {
    let (_test, store, clock) = county(backend).await;
    let policy = SessionPolicy {
        idle: TimeDelta::hours(1),
        lifetime: TimeDelta::hours(3),
        ..SessionPolicy::default()
    };
    let li = User {
        id: "li".into(),
        name: "李校长".into(),
        role: UserRole::Principal,
        node: "gyz-middle".into(),
    };
    let one_time = store.add_user(li.clone(), &context(None)).await.unwrap();
    let first = store
        .log_in(
            login(
                "li",
                one_time.password.expose(),
                Some("li's own long password"),
            ),
            &policy,
            Some("10.0.0.1"),
            "r",
        )
        .await
        .unwrap();
    let find = |secret| {
        let store = &store;
        let policy = &policy;
        async move {
            store
                .sessions
                .find(secret, policy, &store.org.current().org)
                .await
                .unwrap()
        }
    };
    // Used every 50 minutes, it works until its lifetime.
    for minutes in [50, 100, 150] {
        clock.set(at("2023-11-06", "08:00") + TimeDelta::minutes(minutes));
        assert!(find(&first.secret).await.is_ok(), "{minutes} min");
    }
    clock.set(at("2023-11-06", "11:00"));
    assert_eq!(
        find(&first.secret).await,
        Err(SessionEnded::Lifetime {
            lifetime: TimeDelta::hours(3)
        })
    );
    // Idle for an hour, it has ended.
    let second = store
        .log_in(
            login("li", "li's own long password", None),
            &policy,
            None,
            "r",
        )
        .await
        .unwrap();
    clock.set(at("2023-11-06", "12:00"));
    assert_eq!(
        find(&second.secret).await,
        Err(SessionEnded::Idle {
            idle: TimeDelta::hours(1)
        })
    );
    // Logged out, it has ended.
    let third = store
        .log_in(
            login("li", "li's own long password", None),
            &policy,
            None,
            "r",
        )
        .await
        .unwrap();
    let session = find(&third.secret).await.unwrap();
    store
        .sessions
        .end(
            &session,
            &notoneless_store::sessions::SignIn {
                user: Some("li"),
                session: Some(&session.id),
                request_id: "r",
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(find(&third.secret).await, Err(SessionEnded::Ended));
    // Changing the password in one session ends the others and keeps that one.
    let fourth = store
        .log_in(
            login("li", "li's own long password", None),
            &policy,
            None,
            "r",
        )
        .await
        .unwrap();
    let fifth = store
        .log_in(
            login("li", "li's own long password", None),
            &policy,
            None,
            "r",
        )
        .await
        .unwrap();
    let kept = find(&fourth.secret).await.unwrap();
    let wrong = store
        .change_own_password(
            &li,
            &PasswordChange {
                current: Secret::new("not my password"),
                chosen: Secret::new("a new one, long enough"),
            },
            Some(&kept),
            &policy,
            None,
            "r",
        )
        .await;
    assert_eq!(refusal(wrong), AccessRefusal::WrongCurrentPassword);
    store
        .change_own_password(
            &li,
            &PasswordChange {
                current: Secret::new("li's own long password"),
                chosen: Secret::new("a new one, long enough"),
            },
            Some(&kept),
            &policy,
            None,
            "r",
        )
        .await
        .unwrap();
    assert!(
        find(&fourth.secret).await.is_ok(),
        "the session it was changed in"
    );
    assert_eq!(find(&fifth.secret).await, Err(SessionEnded::Ended));
    // A reset ends every session; a deactivated user's sessions stop at once.
    store.reset_password("li", &context(None)).await.unwrap();
    assert_eq!(find(&fourth.secret).await, Err(SessionEnded::Ended));
    let sixth = {
        let reset = store.reset_password("li", &context(None)).await.unwrap();
        store
            .log_in(
                login("li", reset.password.expose(), Some("yet another long one")),
                &policy,
                None,
                "r",
            )
            .await
            .unwrap()
    };
    store
        .org
        .execute(
            OrgCommand::DeactivateUser { user: "li".into() },
            &context(None),
        )
        .await
        .unwrap();
    assert_eq!(find(&sixth.secret).await, Err(SessionEnded::UserInactive));
    let unknown = notoneless_store::sessions::SessionSecret::from_cookie("nols_forged");
    assert_eq!(find(&unknown).await, Err(SessionEnded::Unknown));
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM sign_in_log WHERE source = '10.0.0.1'"
        )
        .await,
        2,
        "the first login and its password change, from where they came"
    );
}

async fn wrong_passwords_lock_the_account_and_a_reset_unlocks_it(backend: Backend) {
    let (_test, store, clock) = county(backend).await;
    let policy = SessionPolicy {
        lock_after: 3,
        lock_for: TimeDelta::minutes(15),
        ..SessionPolicy::default()
    };
    let zhao = User {
        id: "zhao".into(),
        name: "赵老师".into(),
        role: UserRole::HeadTeacher,
        node: "gyz-primary".into(),
    };
    let issued = store.add_user(zhao, &context(None)).await.unwrap();
    let mut password = issued.password.expose().to_string();
    let start = at("2023-11-06", "09:00");
    for (minute, _) in [(0, ()), (5, ()), (10, ())] {
        clock.set(start + TimeDelta::minutes(minute));
        let wrong = store
            .log_in(login("zhao", "a wrong password", None), &policy, None, "r")
            .await;
        assert_eq!(refusal(wrong), AccessRefusal::WrongCredentials);
    }
    // Locked until 15 minutes after the first: even the right password is refused.
    clock.set(start + TimeDelta::minutes(12));
    let right = store
        .log_in(
            login("zhao", &password, Some("her very own password")),
            &policy,
            None,
            "r",
        )
        .await;
    assert_eq!(
        refusal(right),
        AccessRefusal::Locked {
            until: start + TimeDelta::minutes(15)
        }
    );
    // Then it opens again.
    clock.set(start + TimeDelta::minutes(15));
    store
        .log_in(
            login("zhao", &password, Some("her very own password")),
            &policy,
            None,
            "r",
        )
        .await
        .unwrap();
    password = "her very own password".into();
    // Locked again, a reset by the principal unlocks it at once.
    for minute in [20, 21, 22] {
        clock.set(start + TimeDelta::minutes(minute));
        let _ = store
            .log_in(login("zhao", "wrong again", None), &policy, None, "r")
            .await;
    }
    let locked = store
        .log_in(login("zhao", &password, None), &policy, None, "r")
        .await;
    assert!(matches!(refusal(locked), AccessRefusal::Locked { .. }));
    let reset = store.reset_password("zhao", &context(None)).await.unwrap();
    store
        .log_in(
            login("zhao", reset.password.expose(), Some("after the reset")),
            &policy,
            None,
            "r",
        )
        .await
        .unwrap();
    let kinds: Vec<String> = store
        .sessions
        .sign_ins(Some("zhao"), 100)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|e| e.kind)
        .collect();
    for kind in ["locked", "refused_locked", "password_reset", "logged_in"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

async fn the_database_refuses_to_change_or_remove_a_sign_in_log_entry(backend: Backend) {
    let (_test, store, _) = county(backend).await;
    let _ = store
        .log_in(
            login("nobody", "whatever it is", None),
            &SessionPolicy::default(),
            None,
            "r",
        )
        .await;
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM sign_in_log").await,
        1
    );
    for sql in [
        "UPDATE sign_in_log SET kind = 'logged_in'",
        "DELETE FROM sign_in_log",
    ] {
        assert!(
            store.db.execute(Sql::both(sql), &[]).await.is_err(),
            "{sql}"
        );
    }
    if backend == Backend::Postgres {
        assert!(
            store
                .db
                .execute(Sql::both("TRUNCATE sign_in_log"), &[])
                .await
                .is_err()
        );
    }
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM sign_in_log").await,
        1
    );
}

async fn users_are_imported_whole_or_not_at_all_and_their_one_time_passwords_handed_out(
    backend: Backend,
) {
    let (_test, store, _) = county(backend).await;
    let events = || count(&store, "SELECT COUNT(*) AS n FROM events");
    let before = events().await;
    let first =
        "id,name,role,node\nwang,王老师,head_teacher,gyz-middle\nli,李校长,principal,gyz-middle\n";
    let second = "用户名,姓名,角色,单位\nzhao,赵老师,班主任,gyz-primary\nbad,坏,班主任,nowhere\n";
    let refused = prepare_user_import(&store, &[first, second])
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.len(), 1);
    assert_eq!((refused[0].list, refused[0].error.row), (1, 3));
    assert_eq!(refused[0].error.column.as_deref(), Some("单位"));
    assert_eq!(events().await, before, "nothing written");

    let second = "用户名,姓名,角色,单位\nzhao,赵老师,班主任,gyz-primary\n";
    let prepared = prepare_user_import(&store, &[first, second])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(prepared.issued.len(), 3);
    let workbook = handout_workbook(&store.org.current().org, &prepared.issued).unwrap();
    commit_user_import(&store, &prepared, &context(None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(events().await, before + 6, "three users, three passwords");
    let org = store.org.current();
    assert!(org.org.passwords.values().all(|p| p.one_time));

    // The handout: a sheet per school, each new user's one-time password, which logs in.
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(workbook)).unwrap();
    assert_eq!(book.sheet_names(), ["gyz-middle学校", "gyz-primary学校"]);
    let sheet = book.worksheet_range("gyz-primary学校").unwrap();
    let row: Vec<String> = sheet
        .rows()
        .nth(3)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(row[..3], ["zhao", "赵老师", "班主任"]);
    let password = &row[3];
    store
        .log_in(
            login("zhao", password, Some("赵老师自己设的密码")),
            &SessionPolicy::default(),
            None,
            "r",
        )
        .await
        .unwrap();

    // The same lists again: nothing to record.
    let again = prepare_user_import(&store, &[first, second])
        .await
        .unwrap()
        .unwrap();
    assert!(again.issued.is_empty());
    assert_eq!(again.plan.unchanged.len(), 3);
    assert!(
        commit_user_import(&store, &again, &context(None))
            .await
            .unwrap()
            .is_none()
    );
}
