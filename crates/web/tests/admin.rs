//! The admin's pages in Chromium: an admin logs in with her one-time password, sees both pages
//! offered, adds a user and is shown the user's one-time password once, resets it, and
//! deactivates another user (the calendar's page is `calendar.rs`). Every page is checked by
//! axe-core, weighed, and photographed at a desktop's and a phone's width.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    ADMIN, Browser, Device, OWN_PASSWORD, TEACHER, TOWNSHIP_OFFICER, check_page, click,
    county_with_an_admin, fill, log_in, log_in_first_time, open, text_of,
};
use fantoccini::Locator;
use notoneless_store::conformance;
use notoneless_store::db::Backend;

async fn an_admin_manages_the_users(backend: Backend) {
    let (console, one_time) = county_with_an_admin(backend).await;
    let browser = Browser::open(Device::Desktop).await;
    let client = &browser.client;
    log_in_first_time(&browser, &console, ADMIN, &one_time).await;
    assert!(text_of(&browser, ".who").await.contains("王管理员"));

    // The header offers both pages to an admin.
    let tabs = text_of(&browser, "nav.tabs").await;
    assert!(
        tabs.contains("用户管理") && tabs.contains("校历管理"),
        "{tabs}"
    );

    // The users: each with name, id, role, unit and state.
    open(&browser, &console, "/admin/users", "用户管理").await;
    let row = text_of(&browser, "#user-li").await;
    assert!(
        row.contains("李老师")
            && row.contains("班主任")
            && row.contains("公营子中学")
            && row.contains("在用"),
        "{row}"
    );
    check_page(&browser, "admin-users", Device::Desktop).await;

    // A form without its fields: each error next to its field, in Chinese.
    click(&browser, "form.new-user button[type=submit]").await;
    assert_eq!(text_of(&browser, "#id-error").await, "请填写用户名");
    assert_eq!(text_of(&browser, "#role-error").await, "请选择角色");

    // A new head teacher: her one-time password is shown, once.
    fill(&browser, "id", "sun").await;
    fill(&browser, "name", "孙老师").await;
    fill(&browser, "node", "kazuo-gyz-middle").await;
    client
        .find(Locator::Id("role"))
        .await
        .unwrap()
        .select_by_value("head_teacher")
        .await
        .unwrap();
    click(&browser, "form.new-user button[type=submit]").await;
    let first = text_of(&browser, "#one-time-password").await;
    assert!(first.len() >= 8, "{first}");
    assert!(text_of(&browser, "#user-sun").await.contains("孙老师"));
    check_page(&browser, "admin-users-issued", Device::Desktop).await;

    // Its reset gives another one-time password.
    click(&browser, "#user-sun button.reset").await;
    let second = text_of(&browser, "#one-time-password").await;
    assert_ne!(first, second, "a reset issues a new one-time password");
    assert!(text_of(&browser, "#issued").await.contains("sun"));

    // The township officer deactivated: her row says so, with no more forms.
    click(
        &browser,
        &format!("#user-{TOWNSHIP_OFFICER} button.deactivate"),
    )
    .await;
    assert!(
        text_of(&browser, "#deactivated")
            .await
            .contains(TOWNSHIP_OFFICER)
    );
    assert_eq!(
        text_of(&browser, &format!("#user-{TOWNSHIP_OFFICER} .state")).await,
        "已停用"
    );
    assert!(!console.store.org.current().org.is_active(TOWNSHIP_OFFICER));

    browser.close().await;

    // The same pages on a phone.
    let phone = Browser::open(Device::Phone).await;
    log_in(&phone, &console, ADMIN, OWN_PASSWORD).await;
    open(&phone, &console, "/admin/users", "用户管理").await;
    check_page(&phone, "admin-users", Device::Phone).await;
    phone.close().await;
}

async fn a_head_teacher_is_neither_offered_nor_let_into_the_admin_pages(backend: Backend) {
    let (console, _) = county_with_an_admin(backend).await;
    let browser = Browser::open(Device::Phone).await;
    log_in_first_time(&browser, &console, TEACHER, &console.one_time_password).await;
    let page = text_of(&browser, "body").await;
    assert!(
        !page.contains("用户管理") && !page.contains("校历管理"),
        "{page}"
    );
    for path in ["/admin/users", "/admin/calendar"] {
        open(&browser, &console, path, "无法办理").await;
    }
    browser.close().await;
}

conformance!(
    an_admin_manages_the_users,
    a_head_teacher_is_neither_offered_nor_let_into_the_admin_pages
);
