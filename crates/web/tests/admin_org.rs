//! The admin's users import and organisation tree in Chromium, on both databases: an admin
//! uploads a users' list with bad rows (every row's error in Chinese, nothing recorded), then
//! a good one (checked, confirmed, the new users' one-time passwords shown once with their
//! handout), sends the confirmation again (nothing more recorded), and a user of the list logs
//! in with hers; she opens the organisation tree, adds a school under a township and sees it
//! there, and is told the code is taken when she adds it again. A head teacher is offered
//! neither page and is refused both. Every page is checked by axe-core, weighed, and
//! photographed at a desktop's and a phone's width.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use base64::Engine;
use calamine::{Reader, Xlsx};
use common::{
    ADMIN, Browser, Device, OWN_PASSWORD, PRINCIPAL, SCHOOL, TEACHER, check_page, click,
    county_with_an_admin, fill, log_in, log_in_first_time, open, text_of,
};
use fantoccini::Locator;
use notoneless_api::MAX_IMPORT_BYTES;
use notoneless_domain::NodeKind;
use notoneless_store::conformance;
use notoneless_store::db::Backend;

/// A users' list written to a file of its own, to upload.
fn list_file(rows: &[&str]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("nol-users-{}.csv", uuid::Uuid::new_v4()));
    let mut text = String::from("用户名,姓名,角色,单位\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Chooses `file` in the upload form and sends it.
async fn upload(browser: &Browser, file: &Path) {
    browser
        .client
        .find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    click(browser, "form.upload button[type=submit]").await;
}

/// The value of the form field `css` finds.
async fn value_of(browser: &Browser, css: &str) -> String {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Posts a form to `action` with `fields`, as a browser sends a form a second time (the page
/// is left for the answer).
async fn post_form(browser: &Browser, action: &str, fields: &[(&str, &str)]) {
    let page = browser.client.find(Locator::Css("html")).await.unwrap();
    let fields: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|(name, value)| (name.to_string(), serde_json::json!(value)))
        .collect();
    browser
        .client
        .execute(
            "const form = document.createElement('form');
             form.method = 'post';
             form.action = arguments[0];
             for (const [name, value] of Object.entries(arguments[1])) {
                 const input = document.createElement('input');
                 input.type = 'hidden'; input.name = name; input.value = value;
                 form.appendChild(input);
             }
             document.body.appendChild(form);
             form.submit();",
            vec![serde_json::json!(action), serde_json::Value::Object(fields)],
        )
        .await
        .unwrap();
    common::wait_for_new_page(page).await;
}

/// Whether the page holds an element `css` finds, now.
async fn has(browser: &Browser, css: &str) -> bool {
    browser.client.find(Locator::Css(css)).await.is_ok()
}

async fn an_admin_imports_users_and_adds_a_school_to_the_tree(backend: Backend) {
    let (console, one_time) = county_with_an_admin(backend).await;
    let browser = Browser::open(Device::Desktop).await;
    log_in_first_time(&browser, &console, ADMIN, &one_time).await;
    let tabs = text_of(&browser, "nav.tabs").await;
    assert!(tabs.contains("组织机构"), "{tabs}");

    // The users' page links to the import.
    open(&browser, &console, "/admin/users", "用户管理").await;
    click(&browser, "#import-users").await;
    assert_eq!(text_of(&browser, "h1").await, "导入用户");
    check_page(&browser, "users-import", Device::Desktop).await;

    // Nothing chosen: said next to the field.
    click(&browser, "form.upload button[type=submit]").await;
    assert_eq!(text_of(&browser, "#file-error").await, "请选择名单文件");

    // A file over the API's import limit: refused next to the field, unread.
    let huge = std::env::temp_dir().join(format!("nol-users-{}.csv", uuid::Uuid::new_v4()));
    std::fs::write(&huge, " ".repeat(MAX_IMPORT_BYTES + 1)).unwrap();
    upload(&browser, &huge).await;
    assert_eq!(
        text_of(&browser, "#file-error").await,
        "文件超过 16 MB：请拆分后分别导入"
    );
    let _ = std::fs::remove_file(huge);

    // A list with two bad rows: each row's error in Chinese, and nothing recorded.
    let users_before = console.store.org.current().org.users.len();
    let bad = list_file(&[
        "qian,钱老师,班主任,kazuo-gyz-middle",
        "wu,吴老师,校工,kazuo-gyz-middle",
        "zheng,郑老师,班主任,nowhere",
    ]);
    upload(&browser, &bad).await;
    let refused = text_of(&browser, "#refused").await;
    assert!(refused.contains("2 行被拒绝"), "{refused}");
    assert!(refused.contains("未导入任何用户"), "{refused}");
    let rows = browser
        .client
        .find_all(Locator::Css("tr.refused-row"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let first = rows[0].text().await.unwrap();
    assert!(
        first.starts_with('3') && first.contains("角色") && first.contains("不是以下之一"),
        "{first}"
    );
    let second = rows[1].text().await.unwrap();
    assert!(
        second.starts_with('4') && second.contains("单位") && second.contains("nowhere"),
        "{second}"
    );
    check_page(&browser, "users-import-refused", Device::Desktop).await;
    assert_eq!(console.store.org.current().org.users.len(), users_before);
    open(&browser, &console, "/admin/users", "用户管理").await;
    assert!(!has(&browser, "#user-qian").await, "nothing was recorded");

    // A good list: two new users, one changed, one as she is. First the preview.
    let good = list_file(&[
        "qian,钱老师,班主任,kazuo-gyz-middle",
        "zhou,周主任,学校分管负责人,kazuo-gyz-primary",
        "zhang,张红梅,校长,kazuo-gyz-primary",
        "li,李老师,班主任,kazuo-gyz-middle",
    ]);
    open(&browser, &console, "/admin/users/import", "导入用户").await;
    upload(&browser, &good).await;
    assert_eq!(
        text_of(&browser, "#preview-summary").await,
        "新增 2 人，更新 1 人，不变 1 人"
    );
    let listed = text_of(&browser, "#listed-qian").await;
    assert!(
        listed.contains("钱老师") && listed.contains("班主任") && listed.contains("公营子中学"),
        "{listed}"
    );
    assert!(
        text_of(&browser, "#listed-zhang")
            .await
            .contains("张校长 → 张红梅")
    );
    check_page(&browser, "users-import-preview", Device::Desktop).await;
    assert!(!console.store.org.current().org.users.contains_key("qian"));
    let csrf_token = value_of(&browser, "form.confirm-import input[name=csrf_token]").await;
    let list = value_of(&browser, "form.confirm-import input[name=list]").await;

    // Confirmed: recorded, and the new users' one-time passwords shown with their handout.
    click(&browser, "form.confirm-import button[type=submit]").await;
    assert_eq!(
        text_of(&browser, "#imported").await,
        "已导入：新增 2 人，更新 1 人，不变 1 人。"
    );
    let password = text_of(&browser, "#password-qian").await;
    assert!(password.len() >= 8, "{password}");
    assert!(has(&browser, "#password-zhou").await);
    assert!(
        !has(&browser, "#password-zhang").await,
        "only new users get one"
    );
    let handout = browser
        .client
        .find(Locator::Id("handout"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (_, encoded) = handout.split_once(";base64,").expect("a data: link");
    let workbook = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    let mut xlsx: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(workbook)).unwrap();
    let cells: Vec<String> = xlsx
        .worksheets()
        .iter()
        .flat_map(|(_, range)| {
            range
                .cells()
                .map(|(_, _, cell)| cell.to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(cells.contains(&password), "the handout holds her password");
    assert!(cells.contains(&"钱老师".to_string()));
    check_page(&browser, "users-import-done", Device::Desktop).await;
    let org = console.store.org.current().org.clone();
    assert_eq!(org.users["qian"].node, SCHOOL);
    assert_eq!(org.users[PRINCIPAL].name, "张红梅");
    let recorded = console.store.org.history().await.unwrap().len();

    // The same confirmation sent again: nothing more recorded, no new password.
    post_form(
        &browser,
        "/admin/users/import/confirm",
        &[("csrf_token", &csrf_token), ("list", &list)],
    )
    .await;
    assert!(text_of(&browser, "#already").await.contains("已经导入"));
    assert!(!has(&browser, "#password-qian").await);
    assert_eq!(console.store.org.history().await.unwrap().len(), recorded);
    assert_eq!(
        console.store.org.current().org.users.len(),
        users_before + 2
    );
    open(&browser, &console, "/admin/users", "用户管理").await;
    assert!(text_of(&browser, "#user-qian").await.contains("钱老师"));

    // The tree: the county, its township, its schools, each with its users and counts.
    open(&browser, &console, "/admin/org", "组织机构").await;
    let county = text_of(&browser, "#node-kazuo > .org-node").await;
    assert!(
        county.contains("喀左县") && county.contains("1 个乡镇") && county.contains("2 所学校"),
        "{county}"
    );
    let school = text_of(&browser, "#node-gongyingzi #node-kazuo-gyz-middle").await;
    assert!(
        school.contains("公营子中学") && school.contains("学校"),
        "{school}"
    );
    assert_eq!(
        text_of(&browser, "#org-user-qian").await,
        "钱老师 · 班主任 · 在用"
    );
    check_page(&browser, "org-tree", Device::Desktop).await;

    // A form without its fields: each error next to its field.
    click(&browser, "form.new-node button[type=submit]").await;
    assert_eq!(text_of(&browser, "#parent-error").await, "请选择上级单位");
    assert_eq!(text_of(&browser, "#id-error").await, "请填写单位编码");
    assert_eq!(text_of(&browser, "#name-error").await, "请填写名称");

    // A school added under the township, from the township's own link.
    click(&browser, "#node-gongyingzi > .org-node a.add-under").await;
    assert_eq!(
        value_of(&browser, "#parent option[selected]").await,
        "gongyingzi"
    );
    fill(&browser, "id", "kazuo-gyz-third").await;
    fill(&browser, "name", "公营子第三小学").await;
    click(&browser, "form.new-node button[type=submit]").await;
    assert!(
        text_of(&browser, "#added")
            .await
            .contains("kazuo-gyz-third")
    );
    assert!(
        text_of(&browser, "#node-gongyingzi #node-kazuo-gyz-third")
            .await
            .contains("公营子第三小学")
    );
    let node = console.store.org.current().org.nodes["kazuo-gyz-third"].clone();
    assert_eq!(
        (node.kind, node.parent.as_deref()),
        (NodeKind::School, Some("gongyingzi"))
    );

    // The same code again: refused next to its field, nothing recorded.
    let recorded = console.store.org.history().await.unwrap().len();
    fill(&browser, "id", "kazuo-gyz-third").await;
    fill(&browser, "name", "另一所学校").await;
    browser
        .client
        .find(Locator::Id("parent"))
        .await
        .unwrap()
        .select_by_value("gongyingzi")
        .await
        .unwrap();
    click(&browser, "form.new-node button[type=submit]").await;
    assert_eq!(
        text_of(&browser, "#id-error").await,
        "kazuo-gyz-third 已存在"
    );
    check_page(&browser, "org-tree-error", Device::Desktop).await;
    assert_eq!(console.store.org.history().await.unwrap().len(), recorded);
    browser.close().await;

    // A user of the list logs in with her one-time password.
    let teacher = Browser::open(Device::Phone).await;
    log_in_first_time(&teacher, &console, "qian", &password).await;
    assert!(text_of(&teacher, ".who").await.contains("钱老师"));
    teacher.close().await;

    // The same pages on a phone.
    let phone = Browser::open(Device::Phone).await;
    log_in(&phone, &console, ADMIN, OWN_PASSWORD).await;
    open(&phone, &console, "/admin/org", "组织机构").await;
    check_page(&phone, "org-tree", Device::Phone).await;
    click(&phone, "a[lang=en]").await;
    assert_eq!(text_of(&phone, "h1").await, "Organisation");
    let county = text_of(&phone, "#node-kazuo > .org-node").await;
    assert!(
        county.contains("1 township") && county.contains("3 schools"),
        "{county}"
    );
    phone.screenshot("org-tree-en", Device::Phone).await;
    click(&phone, "a[lang=zh-CN]").await;
    open(&phone, &console, "/admin/users/import", "导入用户").await;
    check_page(&phone, "users-import", Device::Phone).await;
    upload(&phone, &bad).await;
    text_of(&phone, "#refused").await;
    check_page(&phone, "users-import-refused", Device::Phone).await;
    open(&phone, &console, "/admin/users/import", "导入用户").await;
    upload(&phone, &good).await;
    assert!(text_of(&phone, "#nothing-to-do").await.contains("无需导入"));
    check_page(&phone, "users-import-preview", Device::Phone).await;
    phone.close().await;
    let _ = std::fs::remove_file(bad);
    let _ = std::fs::remove_file(good);
}

async fn a_head_teacher_is_neither_offered_nor_let_into_the_import_and_the_tree(backend: Backend) {
    let (console, _) = county_with_an_admin(backend).await;
    let browser = Browser::open(Device::Phone).await;
    log_in_first_time(&browser, &console, TEACHER, &console.one_time_password).await;
    let page = text_of(&browser, "body").await;
    assert!(!page.contains("组织机构"), "{page}");
    let csrf_token = value_of(&browser, "input[name=csrf_token]").await;
    for path in ["/admin/users/import", "/admin/org"] {
        open(&browser, &console, path, "无法办理").await;
    }
    // Her own session's token does not let her add a unit either.
    open(&browser, &console, "/", "今日待办").await;
    let nodes = console.store.org.current().org.nodes.len();
    post_form(
        &browser,
        "/admin/org",
        &[
            ("csrf_token", &csrf_token),
            ("parent", "gongyingzi"),
            ("id", "kazuo-gyz-fourth"),
            ("name", "第四小学"),
        ],
    )
    .await;
    assert_eq!(text_of(&browser, "h1").await, "无法办理");
    assert_eq!(console.store.org.current().org.nodes.len(), nodes);
    browser.close().await;
}

conformance!(
    an_admin_imports_users_and_adds_a_school_to_the_tree,
    a_head_teacher_is_neither_offered_nor_let_into_the_import_and_the_tree
);
