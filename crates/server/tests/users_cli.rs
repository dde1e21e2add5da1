//! `notoneless admin import-users`, `list-users`, `reset-password` and `revoke-token`, run as
//! an admin runs them, against both backends: 300 users from a GBK CSV and an XLSX in one go,
//! a bad row refusing all of them by file, line and column, the one-time passwords handed out
//! in a workbook.
#![allow(clippy::unwrap_used)] // test bodies called by `conformance!`

mod common;

use common::*;
use std::path::PathBuf;

use calamine::Reader;
use notoneless_domain::fixtures::*;
use notoneless_domain::{Node, NodeKind, OrgCommand};
use notoneless_store::accounts::Login;
use notoneless_store::db::{Backend, Sql};
use notoneless_store::passwords::Secret;
use notoneless_store::sessions::SessionPolicy;
use notoneless_store::testing::{FixedClock, TestDb, context};
use notoneless_store::{Rules, Store, conformance};

const SCHOOLS: usize = 10;

/// A county of two townships and ten schools, its store's clock at `now`.
async fn county(backend: Backend, now: chrono::DateTime<chrono::Utc>) -> (TestDb, Store) {
    let test = TestDb::new(backend).await;
    let store = Store::new(
        test.connect().await,
        Rules {
            calendar: calendar(),
            ladder: ladder(),
        },
        FixedClock::at(now),
        notoneless_store::testing::test_key(),
    );
    let mut nodes = vec![
        (
            "kazuo".to_string(),
            NodeKind::County,
            None,
            "喀左县".to_string(),
        ),
        (
            "gyz".into(),
            NodeKind::Township,
            Some("kazuo".to_string()),
            "公营子镇".into(),
        ),
        (
            "ns".into(),
            NodeKind::Township,
            Some("kazuo".to_string()),
            "南哨街道".into(),
        ),
    ];
    for n in 0..SCHOOLS {
        let township = if n % 2 == 0 { "gyz" } else { "ns" };
        nodes.push((
            format!("school-{n}"),
            NodeKind::School,
            Some(township.to_string()),
            format!("第{n}小学"),
        ));
    }
    for (id, kind, parent, name) in nodes {
        let node = Node {
            id,
            kind,
            name,
            parent,
        };
        store
            .org
            .execute(OrgCommand::AddNode(node), &context(None))
            .await
            .unwrap();
    }
    (test, store)
}

async fn events(store: &Store) -> i64 {
    store
        .db
        .fetch_optional(Sql::both("SELECT COUNT(*) AS n FROM events"), &[])
        .await
        .unwrap()
        .unwrap()
        .i64("n")
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("nol-{name}-{}", uuid::Uuid::new_v4()))
}

/// The rows of the two lists: 150 head teachers in the CSV; in the workbook, a principal and
/// a leader per school and 130 more head teachers.
fn rows() -> (Vec<[String; 4]>, Vec<[String; 4]>) {
    let csv = (0..150)
        .map(|n| {
            [
                format!("ht-{n:03}"),
                format!("王老师{n}"),
                "班主任".to_string(),
                format!("school-{}", n % SCHOOLS),
            ]
        })
        .collect();
    let mut xlsx: Vec<[String; 4]> = Vec::new();
    for n in 0..SCHOOLS {
        xlsx.push([
            format!("p-{n}"),
            format!("赵校长{n}"),
            "principal".into(),
            format!("school-{n}"),
        ]);
        xlsx.push([
            format!("sl-{n}"),
            format!("钱主任{n}"),
            "school_leader".into(),
            format!("school-{n}"),
        ]);
    }
    for n in 150..280 {
        xlsx.push([
            format!("ht-{n:03}"),
            format!("孙老师{n}"),
            "head_teacher".into(),
            format!("school-{}", n % SCHOOLS),
        ]);
    }
    (csv, xlsx)
}

/// The CSV list as Chinese Excel saves it: GBK, CRLF, Chinese header.
fn write_gbk_csv(path: &PathBuf, rows: &[[String; 4]]) {
    let mut text = String::from("用户名,姓名,角色,单位\r\n");
    for row in rows {
        text.push_str(&row.join(","));
        text.push_str("\r\n");
    }
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    std::fs::write(path, &bytes).unwrap();
}

fn write_xlsx(path: &PathBuf, rows: &[[String; 4]]) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in (0u16..).zip(["id", "name", "role", "node"]) {
        sheet.write_string(0, col, header).unwrap();
    }
    for (row, cells) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(cells) {
            sheet.write_string(row, col, cell).unwrap();
        }
    }
    workbook.save(path).unwrap();
}

/// `admin import-users`, answering in English.
fn import(url: &str, files: &[&PathBuf], passwords: Option<&PathBuf>) -> std::process::Output {
    let mut args = vec![
        "admin",
        "import-users",
        "--lang",
        "en",
        "--database-url",
        url,
    ];
    for file in files {
        args.push(file.to_str().unwrap());
    }
    if let Some(passwords) = passwords {
        args.extend(["--passwords", passwords.to_str().unwrap()]);
    }
    notoneless(&args)
}

conformance!(
    three_hundred_users_are_imported_from_a_gbk_csv_and_an_xlsx_in_one_go_and_one_bad_row_refuses_them_all,
    an_admin_resets_a_password_lists_the_users_and_revokes_a_users_tokens_and_sessions,
);

async fn three_hundred_users_are_imported_from_a_gbk_csv_and_an_xlsx_in_one_go_and_one_bad_row_refuses_them_all(
    backend: Backend,
) {
    let (test, store) = county(backend, at("2023-09-10", "10:00")).await;
    let (csv_rows, xlsx_rows) = rows();
    assert_eq!(csv_rows.len() + xlsx_rows.len(), 300);
    let csv = scratch("users.csv");
    let xlsx = scratch("users.xlsx");
    let handout = scratch("passwords.xlsx");

    // Given one bad row in each list: a school that does not exist on line 41 of the CSV, a
    // role that does not exist on row 78 of the workbook
    let mut bad_csv = csv_rows.clone();
    bad_csv[39][3] = "nowhere".into();
    let mut bad_xlsx = xlsx_rows.clone();
    bad_xlsx[76][2] = "janitor".into();
    write_gbk_csv(&csv, &bad_csv);
    write_xlsx(&xlsx, &bad_xlsx);
    let before = events(&store).await;

    // When they are imported together, then nothing is, and each bad row is named
    let out = import(&test.url, &[&csv, &xlsx], Some(&handout));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.starts_with("refused: 2 row(s); nothing was imported\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  {} line 41, 单位: there is no nowhere\n",
            csv.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  {} line 78, role: \"janitor\" is not one of: head_teacher/班主任",
            xlsx.display()
        )),
        "{text}"
    );
    // (and in Chinese, the default)
    let out = notoneless(&[
        "admin",
        "import-users",
        "--database-url",
        &test.url,
        csv.to_str().unwrap(),
        xlsx.to_str().unwrap(),
    ]);
    let text = stdout(&out);
    assert!(text.starts_with("拒收：2行；未导入任何内容\n"), "{text}");
    assert!(
        text.contains(&format!(
            "  {} 第41行，单位列：没有 nowhere\n",
            csv.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  {} 第78行，role列：\"janitor\" 不是以下之一：head_teacher/班主任",
            xlsx.display()
        )),
        "{text}"
    );
    assert_eq!(events(&store).await, before, "nothing half-written");
    assert!(
        !handout.exists(),
        "no handout of passwords that do not exist"
    );

    // Without a handout for their passwords, refused too
    write_gbk_csv(&csv, &csv_rows);
    write_xlsx(&xlsx, &xlsx_rows);
    let out = import(&test.url, &[&csv, &xlsx], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--passwords: 300 new user(s) get a one-time password"));
    assert_eq!(events(&store).await, before);

    // Put right, all 300 are imported in one go, a one-time password each
    let started = std::time::Instant::now();
    let out = import(&test.url, &[&csv, &xlsx], Some(&handout));
    assert!(out.status.success(), "{out:?}");
    println!(
        "300 users imported in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let text = stdout(&out);
    assert!(
        text.starts_with("added 300 user(s), updated 0, unchanged 0\n"),
        "{text}"
    );
    assert_eq!(events(&store).await, before + 600);
    store.org.reload().await.unwrap();
    let org = store.org.current();
    assert_eq!(org.org.users["ht-007"].name, "王老师7", "decoded from GBK");
    assert_eq!(
        org.org.users["p-3"].role,
        notoneless_domain::UserRole::Principal
    );
    assert!(org.org.passwords.values().all(|p| p.one_time));

    // The handout: a sheet per school, 300 passwords, each for its own user
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&handout).unwrap();
    let sheets = book.sheet_names();
    assert_eq!(sheets.len(), SCHOOLS, "{sheets:?}");
    let mut handed: Vec<(String, String)> = Vec::new();
    for sheet in sheets {
        let range = book.worksheet_range(&sheet).unwrap();
        for row in range.rows().skip(3) {
            handed.push((row[0].to_string(), row[3].to_string()));
        }
    }
    assert_eq!(handed.len(), 300);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&handout).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the handout is its owner's only");
    }
    let (user, password) = handed.iter().find(|(u, _)| u == "ht-123").unwrap();
    store
        .log_in(
            Login {
                user: user.clone(),
                password: Secret::new(password.as_str()),
                new_password: Some(Secret::new("我自己的新密码啊")),
            },
            &SessionPolicy::default(),
            None,
            "test",
        )
        .await
        .unwrap();

    // Imported again with one name changed: that user is updated, no one is added, and no
    // handout is needed
    let mut renamed = xlsx_rows.clone();
    renamed[0][1] = "赵校长（新）".into();
    write_xlsx(&xlsx, &renamed);
    let out = import(&test.url, &[&csv, &xlsx], None);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout(&out).starts_with(
            "added 0 user(s), updated 1, unchanged 299\n  updated p-0 (principal at school-0)"
        ),
        "{}",
        stdout(&out)
    );
    for file in [csv, xlsx, handout] {
        let _ = std::fs::remove_file(file);
    }
}

async fn an_admin_resets_a_password_lists_the_users_and_revokes_a_users_tokens_and_sessions(
    backend: Backend,
) {
    // The command line runs on the machine's clock: so does the test's store, for the
    // sessions it opens to be open when the command line looks.
    let (test, store) = county(backend, chrono::Utc::now()).await;
    let url = test.url.as_str();
    let out = notoneless(&[
        "admin",
        "create-user",
        "--id",
        "wang",
        "--name",
        "王老师",
        "--role",
        "head_teacher",
        "--node",
        "school-1",
        "--database-url",
        url,
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    let one_time = text
        .split("本人设定自己的密码）：")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim()
        .to_string();
    store.org.reload().await.unwrap();
    let policy = SessionPolicy::default();
    let logged = store
        .log_in(
            Login {
                user: "wang".into(),
                password: Secret::new(one_time.as_str()),
                new_password: Some(Secret::new("王老师自己的密码")),
            },
            &policy,
            None,
            "test",
        )
        .await
        .unwrap();

    let list = stdout(&notoneless(&["admin", "list-users", "--database-url", url]));
    assert!(
        list.starts_with("用户名\t姓名\t角色\t单位\t在用\t密码\t令牌\t会话\t锁定至\n")
            && list.contains("wang\t王老师\thead_teacher\tschool-1\t是\t本人设定\t1\t1\t-\n"),
        "{list}"
    );

    // A reset prints a one-time password that logs in, and ends the session.
    let reset = notoneless(&[
        "admin",
        "reset-password",
        "--user",
        "wang",
        "--database-url",
        url,
    ]);
    assert!(reset.status.success(), "{reset:?}");
    let password = stdout(&reset).trim().to_string();
    assert_eq!(password.len(), 14, "{password}");
    store.org.reload().await.unwrap();
    let find = store
        .sessions
        .find(&logged.secret, &policy, &store.org.current().org)
        .await
        .unwrap();
    assert!(find.is_err(), "the session ended");
    let again = store
        .log_in(
            Login {
                user: "wang".into(),
                password: Secret::new(password.as_str()),
                new_password: Some(Secret::new("王老师又一个密码")),
            },
            &policy,
            None,
            "test",
        )
        .await
        .unwrap();

    // Revoking the user's tokens ends their sessions too.
    let revoke_wang = |extra: &[&str]| {
        let mut args = vec![
            "admin",
            "revoke-token",
            "--user",
            "wang",
            "--database-url",
            url,
        ];
        args.extend(extra);
        notoneless(&args)
    };
    let revoke = revoke_wang(&[]);
    assert!(revoke.status.success(), "{revoke:?}");
    assert_eq!(stdout(&revoke), "已吊销 wang 的令牌1个，结束其会话1个\n");
    store.org.reload().await.unwrap();
    assert!(store.org.current().org.tokens.is_empty());
    assert!(
        store
            .sessions
            .find(&again.secret, &policy, &store.org.current().org)
            .await
            .unwrap()
            .is_err()
    );
    let nobody = notoneless(&[
        "admin",
        "reset-password",
        "--user",
        "nobody",
        "--database-url",
        url,
    ]);
    assert!(stderr(&nobody).contains("错误：--user：没有在用的用户 nobody"));
    let english = revoke_wang(&["--lang", "en"]);
    assert_eq!(
        stdout(&english),
        "revoked 0 token(s) and ended 0 session(s) of wang\n"
    );
    let neither = notoneless(&["admin", "revoke-token", "--database-url", url]);
    assert_eq!(
        stderr(&neither),
        "错误：请指定令牌（--token-id）或用户（--user），二者选一\n"
    );
}
