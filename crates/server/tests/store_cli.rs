//! The operator's commands, run as a user runs them, against both backends.
#![allow(clippy::unwrap_used)] // test bodies called by `conformance!`

mod common;

use common::*;
use std::process::Command;

use notoneless_domain::fixtures::*;
use notoneless_domain::{CalendarDay, OrgCommand, Term};
use notoneless_store::db::Backend;
use notoneless_store::testing::{FixedClock, TestDb, context, record_a_county_week, tamper};
use notoneless_store::{Rules, Store, conformance};

async fn county(backend: Backend) -> (TestDb, Store) {
    let test = TestDb::new(backend).await;
    let clock = FixedClock::at(at("2023-11-10", "17:00"));
    let rules = Rules {
        calendar: calendar(),
        ladder: ladder(),
    };
    let store = Store::new(
        test.connect().await,
        rules,
        clock.clone(),
        notoneless_store::testing::test_key(),
    );
    record_a_county_week(&store, &clock).await;
    (test, store)
}

conformance!(
    verify_prints_a_digest_for_a_clean_log_in_chinese_and_names_both_tampered_cases,
    check_projections_fails_until_reproject_rebuilds_the_read_models,
    check_projections_assesses_with_the_organisations_calendar_as_reproject_does,
);

async fn verify_prints_a_digest_for_a_clean_log_in_chinese_and_names_both_tampered_cases(
    backend: Backend,
) {
    let (test, store) = county(backend).await;
    // In Chinese unless told otherwise, as every command
    let clean = notoneless(&["verify", "--database-url", &test.url]);
    assert!(clean.status.success(), "{clean:?}");
    let text = stdout(&clean);
    assert!(text.contains("核查结果：完好"), "{text}");
    assert!(text.contains("个流中共有"), "{text}");
    let digest = text
        .lines()
        .find_map(|l| l.strip_prefix("摘要："))
        .unwrap()
        .to_string();
    let english = stdout(&notoneless(&[
        "verify",
        "--database-url",
        &test.url,
        "--lang",
        "en",
    ]));
    assert!(english.contains("verified: clean"), "{english}");
    assert!(english.contains(&format!("digest: {digest}")), "{english}");

    tamper(&store.db).await;
    let tampered = notoneless(&[
        "verify",
        "--database-url",
        &test.url,
        "--since-digest",
        &digest,
        "--lang",
        "en",
    ]);
    assert_eq!(tampered.status.code(), Some(1));
    let text = stdout(&tampered);
    assert!(
        text.contains("BROKEN case case-gone (student_case) at sequence 2: Removed"),
        "{text}"
    );
    assert!(
        text.contains("BROKEN case case-late (student_case) at sequence 3: Altered"),
        "{text}"
    );
    assert!(
        text.contains(&format!("the earlier digest {digest} does NOT hold")),
        "{text}"
    );
    assert!(text.contains("verified: TAMPERED"), "{text}");
}

async fn check_projections_fails_until_reproject_rebuilds_the_read_models(backend: Backend) {
    let (test, store) = county(backend).await;
    let calendar_file =
        std::env::temp_dir().join(format!("nol-calendar-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&calendar_file, serde_json::to_string(&calendar()).unwrap()).unwrap();
    let args = |command: &'static str| {
        vec![
            command.to_string(),
            "--database-url".into(),
            test.url.clone(),
            "--calendar".into(),
            calendar_file.display().to_string(),
        ]
    };
    let run = |command| {
        let args = args(command);
        notoneless(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    // A command that only reads does not record the calendar file: it refuses one not
    // recorded yet
    let unrecorded = run("check-projections");
    assert_eq!(unrecorded.status.code(), Some(1), "{unrecorded:?}");
    assert!(
        stderr(&unrecorded).contains("is not recorded yet and this command only reads"),
        "{}",
        stderr(&unrecorded)
    );
    store
        .org
        .seed_calendar(
            &notoneless_store::org::CalendarFile::new("calendar.json", calendar()),
            &context(None),
        )
        .await
        .unwrap();
    let before = run("check-projections");
    assert_eq!(before.status.code(), Some(1), "{before:?}");
    assert!(
        stdout(&before).contains("案件 case-gone：no read-model row"),
        "{}",
        stdout(&before)
    );

    let rebuilt = run("reproject");
    assert!(rebuilt.status.success(), "{rebuilt:?}");
    assert!(
        stdout(&rebuilt).contains("已从13个事件重建读模型"),
        "{}",
        stdout(&rebuilt)
    );

    let after = run("check-projections");
    assert!(after.status.success(), "{after:?}");
    assert!(stdout(&after).contains("每一行读模型都与日志的重新折叠一致"));
    let _ = std::fs::remove_file(calendar_file);
}

async fn check_projections_assesses_with_the_organisations_calendar_as_reproject_does(
    backend: Backend,
) {
    let (test, store) = county(backend).await;
    // The county declares its own calendar, in which a day two cases were away is a holiday.
    for command in [
        OrgCommand::AddTerm(Term {
            name: "2023年秋季学期".into(),
            first_day: d("2023-09-01"),
            last_day: d("2024-01-19"),
        }),
        OrgCommand::DeclareHoliday(CalendarDay {
            day: d("2023-11-08"),
            name: "雪天停课".into(),
            reason: None,
        }),
    ] {
        store.org.execute(command, &context(None)).await.unwrap();
    }
    // No --calendar: the organisation's calendar is the one in force for both commands.
    let rebuilt = notoneless(&["reproject", "--database-url", &test.url]);
    assert!(rebuilt.status.success(), "{rebuilt:?}");
    let checked = notoneless(&["check-projections", "--database-url", &test.url]);
    assert!(checked.status.success(), "{}", stdout(&checked));
}

#[test]
fn migrate_creates_the_embedded_database_in_the_data_directory() {
    let dir = std::env::temp_dir().join(format!("nol-data-{}", uuid::Uuid::new_v4()));
    let out = notoneless(&["migrate", "--data-dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert!(dir.join("notoneless.db").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn migrate_answers_in_chinese_and_in_english_with_lang_en() {
    let dir = std::env::temp_dir().join(format!("nol-data-{}", uuid::Uuid::new_v4()));
    let dir_arg = dir.to_str().unwrap();
    let chinese = notoneless(&["migrate", "--data-dir", dir_arg]);
    assert_eq!(stdout(&chinese), "数据库迁移已完成\n", "{chinese:?}");
    let english = notoneless(&["migrate", "--data-dir", dir_arg, "--lang", "en"]);
    assert_eq!(stdout(&english), "migrations applied\n", "{english:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_error_is_prefixed_and_written_in_the_commands_language() {
    let dir = std::env::temp_dir().join(format!("nol-none-{}", uuid::Uuid::new_v4()));
    let dir_arg = dir.to_str().unwrap();
    let chinese = notoneless(&["verify", "--data-dir", dir_arg]);
    assert_eq!(chinese.status.code(), Some(1));
    assert!(
        stderr(&chinese).starts_with("错误：没有数据库文件")
            && stderr(&chinese).contains("未新建任何数据库"),
        "{}",
        stderr(&chinese)
    );
    let english = notoneless(&["verify", "--data-dir", dir_arg, "--lang", "en"]);
    assert!(
        stderr(&english).starts_with("error: there is no database file")
            && stderr(&english).contains("nothing was created"),
        "{}",
        stderr(&english)
    );
    assert!(!dir.exists(), "nothing was created");
}

#[test]
fn a_database_url_of_another_kind_is_refused_with_the_reason() {
    let out = notoneless(&["migrate", "--database-url", "mysql://root@localhost/x"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("expected postgres://… or sqlite://…"), "{err}");
    assert!(
        !err.contains("root@localhost"),
        "the URL is not echoed: {err}"
    );
}

/// The encoding in docs/hash-chain.md, re-implemented in Python from the document alone, gives
/// the same digest as `notoneless verify`, and finds the same tampering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outside_auditors_script_agrees_with_verify() {
    let (test, store) = county(Backend::Sqlite).await;
    let file = test.url.strip_prefix("sqlite://").unwrap().to_string();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/audit-chain.py");
    let audit = || {
        Command::new("python3")
            .args([script, &file])
            .output()
            .expect("python3 runs")
    };

    let ours = stdout(&notoneless(&[
        "verify",
        "--database-url",
        &test.url,
        "--lang",
        "en",
    ]));
    let theirs = audit();
    assert!(theirs.status.success(), "{theirs:?}");
    let digest_line = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("digest: "))
            .map(str::to_string)
    };
    assert_eq!(digest_line(&stdout(&theirs)), digest_line(&ours));

    tamper(&store.db).await;
    let theirs = audit();
    assert_eq!(theirs.status.code(), Some(1));
    let text = stdout(&theirs);
    assert!(
        text.contains("BROKEN case case-gone at sequence 2: removed"),
        "{text}"
    );
    assert!(
        text.contains("BROKEN case case-late at sequence 3: altered"),
        "{text}"
    );
}

/// `admin` builds the first tree and user from the command line; the token it prints once is
/// the only copy, and it authenticates that user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_create_user_prints_a_token_that_authenticates_the_user() {
    let test = TestDb::new(Backend::Sqlite).await;
    let url = test.url.clone();
    for args in [
        vec![
            "admin",
            "add-node",
            "--id",
            "kazuo",
            "--kind",
            "county",
            "--name",
            "喀左县",
        ],
        vec![
            "admin",
            "add-node",
            "--id",
            "gyz",
            "--kind",
            "township",
            "--name",
            "公营子镇",
            "--parent",
            "kazuo",
        ],
    ] {
        let mut args: Vec<&str> = args;
        args.extend(["--database-url", &url]);
        let out = notoneless(&args);
        assert!(out.status.success(), "{out:?}");
    }
    let out = notoneless(&[
        "admin",
        "create-user",
        "--id",
        "admin",
        "--name",
        "管理员",
        "--role",
        "admin",
        "--node",
        "kazuo",
        "--database-url",
        &url,
    ]);
    assert!(out.status.success(), "{out:?}");
    let token = stdout(&out).lines().last().unwrap().trim().to_string();
    assert!(token.starts_with("nol_") && token.len() > 60, "{token}");

    let store = Store::new(
        test.connect().await,
        Rules {
            calendar: calendar(),
            ladder: ladder(),
        },
        FixedClock::at(at("2023-11-06", "09:00")),
        notoneless_store::testing::test_key(),
    );
    store.org.reload().await.unwrap();
    let snapshot = store.org.current();
    let authenticated = snapshot
        .authenticate(&token, chrono::Utc::now())
        .expect("the printed token authenticates");
    assert_eq!(authenticated.user.id, "admin");
    let lifetime = authenticated.expires_at - chrono::Utc::now();
    assert!(
        lifetime > chrono::TimeDelta::days(89) && lifetime <= chrono::TimeDelta::days(90),
        "a token from the command line works for 90 days: {lifetime}"
    );
    let history = store.org.history().await.unwrap();
    assert!(
        history
            .iter()
            .all(|e| e.meta("actor").is_some_and(|a| a.starts_with("cli:")))
    );
    assert!(
        !serde_json::to_string(&history.iter().map(|e| &e.payload).collect::<Vec<_>>())
            .unwrap()
            .contains(&token),
        "the token itself is stored nowhere"
    );

    let bad = notoneless(&[
        "admin",
        "create-user",
        "--id",
        "x",
        "--name",
        "x",
        "--role",
        "janitor",
        "--node",
        "kazuo",
        "--database-url",
        &url,
    ]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("错误：--role：\"janitor\" 不是允许的取值")
    );
}

/// The commands that only read, with the arguments each needs besides where the data is.
const READ_ONLY_COMMANDS: [&[&str]; 4] = [
    &["verify"],
    &["review", "--from", "2023-11-01", "--until", "2023-11-30"],
    &["export", "--output", "/dev/null"],
    &["check-projections"],
];

fn refused_for_want_of_a_database(out: &std::process::Output, command: &str) {
    assert_eq!(out.status.code(), Some(1), "{command}: {out:?}");
    let err = stderr(out);
    assert!(
        err.contains("没有“一个都不能少”的数据库") && err.contains("未新建任何数据库"),
        "{command}: {err}"
    );
    assert!(!stdout(out).contains("clean"), "{command}: {}", stdout(out));
}

#[test]
fn read_only_commands_on_an_empty_data_directory_fail_and_create_nothing() {
    let dir = std::env::temp_dir().join(format!("nol-empty-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    for command in READ_ONLY_COMMANDS {
        let mut args = command.to_vec();
        args.extend(["--data-dir", dir.to_str().unwrap()]);
        let out = notoneless(&args);
        refused_for_want_of_a_database(&out, command[0]);
        assert!(
            std::fs::read_dir(&dir).unwrap().next().is_none(),
            "{}: nothing may be written in the data directory",
            command[0]
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_commands_on_a_postgres_database_that_is_missing_or_empty_fail() {
    // A database that exists but was never migrated.
    let empty = TestDb::postgres().await;
    let admin = notoneless_store::testing::postgres_admin_url();
    let base = admin.rsplit_once('/').unwrap().0;
    let missing = format!("{base}/nol_missing_{}", uuid::Uuid::new_v4().simple());
    for url in [empty.url.as_str(), missing.as_str()] {
        for command in READ_ONLY_COMMANDS {
            let mut args = command.to_vec();
            args.extend(["--database-url", url]);
            let out = notoneless(&args);
            refused_for_want_of_a_database(&out, command[0]);
        }
    }
    let pool = sqlx::PgPool::connect(&empty.url).await.unwrap();
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(tables, 0, "no table was created in the empty database");
    pool.close().await;
}

conformance!(verify_names_a_forged_event_and_the_cases_a_checkpoint_no_longer_holds);

/// A checkpoint taken with `log checkpoint` is later held against the log: a deleted last
/// event and a re-hashed chain are named by `verify --checkpoint`, and an event appended
/// without the key by plain `verify`.
async fn verify_names_a_forged_event_and_the_cases_a_checkpoint_no_longer_holds(backend: Backend) {
    use notoneless_store::chain::event_hash;
    use notoneless_store::db::{P, Sql};
    use notoneless_store::log::case_events;

    let (test, store) = county(backend).await;
    let dir = std::env::temp_dir().join(format!("nol-cp-{}", uuid::Uuid::new_v4()));
    let key = dir.join("signing.key");
    notoneless_store::testing::test_key()
        .write_new(&key)
        .unwrap();
    let file = dir.join("checkpoint.json");
    let db_args = [
        "--database-url",
        &test.url,
        "--signing-key",
        key.to_str().unwrap(),
    ];
    let mut args = vec!["log", "checkpoint", "--output", file.to_str().unwrap()];
    args.extend(db_args);
    let taken = notoneless(&args);
    assert!(taken.status.success(), "{}", stderr(&taken));
    let mut args = vec![
        "verify",
        "--lang",
        "en",
        "--checkpoint",
        file.to_str().unwrap(),
    ];
    args.extend(db_args);
    let holds = notoneless(&args);
    assert!(holds.status.success(), "{}", stdout(&holds));
    assert!(stdout(&holds).contains("the log extends checkpoint 1"));

    // The owner deletes case-late's last event and rewrites case-gone's, re-hashing it.
    let late = case_events(&store.db, "case-late").await.unwrap();
    let gone = case_events(&store.db, "case-gone").await.unwrap();
    let (late_last, gone_last) = (late.last().unwrap(), gone.last().unwrap().clone());
    tamper_with_the_triggers_off(&store.db).await;
    store
        .db
        .execute(
            Sql::both("DELETE FROM events WHERE aggregate_id = 'case-late' AND sequence = $1"),
            &[P::I64(late_last.sequence)],
        )
        .await
        .unwrap();
    let mut forged = gone_last.clone();
    forged.metadata = serde_json::json!({"actor": "u-someone-else"});
    store
        .db
        .execute(
            Sql::both(
                "UPDATE events SET metadata = $1, hash = $2 WHERE aggregate_id = 'case-gone' AND sequence = $3",
            ),
            &[
                P::Json(forged.metadata.clone()),
                P::text(event_hash(&forged.chain_input())),
                P::I64(gone_last.sequence),
            ],
        )
        .await
        .unwrap();

    let differs = notoneless(&args);
    assert_eq!(differs.status.code(), Some(1));
    let text = stdout(&differs);
    assert!(
        text.contains(&format!(
            "DIFFERS case case-late (student_case) at sequence {}: the event the checkpoint ends on is gone",
            late_last.sequence
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "DIFFERS case case-gone (student_case) at sequence {}: the event the checkpoint ends on has another hash",
            gone_last.sequence
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "SUSPECT event {} of case case-gone (student_case)",
            gone_last.sequence
        )) && text.contains("the signature does not hold"),
        "the re-hashed event's signature no longer holds: {text}"
    );
    assert!(text.contains("verified: TAMPERED"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}

async fn tamper_with_the_triggers_off(db: &notoneless_store::Db) {
    use notoneless_store::db::Sql;
    let statements: &[&str] = match db.backend() {
        Backend::Postgres => &["ALTER TABLE events DISABLE TRIGGER USER"],
        Backend::Sqlite => &[
            "DROP TRIGGER events_no_update",
            "DROP TRIGGER events_no_delete",
        ],
    };
    for sql in statements {
        db.execute(Sql::both(sql), &[]).await.unwrap();
    }
}

#[test]
fn keygen_rotate_key_and_log_keys_answer_in_chinese() {
    // Given a data directory with no key yet
    let dir = std::env::temp_dir().join(format!("nol-keys-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("signing.key");
    let args = |command: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = command.iter().map(|a| a.to_string()).collect();
        args.extend([
            "--data-dir".into(),
            dir.display().to_string(),
            "--signing-key".into(),
            key.display().to_string(),
        ]);
        args
    };
    let run = |command: &[&str]| {
        let args = args(command);
        notoneless(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };

    // When a key is made, the answer names it, in Chinese
    let made = run(&["admin", "keygen"]);
    assert!(made.status.success(), "{made:?}");
    let made = stdout(&made);
    let old = made
        .strip_prefix("签名密钥 ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("{made}"))
        .to_string();
    assert!(
        made.contains(&format!("已写入 {}（权限0600）；公钥 ", key.display()))
            && made.ends_with("请立即备份，与数据库分开存放（docs/operations.md）\n"),
        "{made}"
    );

    // When it is rotated, the answer says which key signed the new one, in Chinese
    let rotated = run(&["admin", "rotate-key"]);
    assert!(rotated.status.success(), "{rotated:?}");
    let rotated = stdout(&rotated);
    assert!(
        rotated.contains(&format!("已公布（由 {old} 签名），自 "))
            && rotated.contains("；旧密钥保存在 ")
            && rotated.ends_with("请重启服务器以使用新密钥签名；并立即备份新密钥\n"),
        "{rotated}"
    );

    // Then the log's keys are listed in Chinese, the new one replacing the old
    let keys = stdout(&run(&["log", "keys"]));
    assert!(keys.contains(&format!("（接替 {old}）")), "{keys}");
    assert!(
        keys.contains("  公钥 ") && keys.contains("起生效  公布者 "),
        "{keys}"
    );
    let english = stdout(&run(&["log", "keys", "--lang", "en"]));
    assert!(english.contains(&format!(" (replaces {old})")), "{english}");

    // And a key never goes over an existing one, said in Chinese
    let again = run(&["admin", "keygen"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).starts_with("错误："), "{}", stderr(&again));
    let _ = std::fs::remove_dir_all(dir);
}
