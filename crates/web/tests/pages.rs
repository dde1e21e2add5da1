//! The console as its people meet it, in Chromium: a head teacher on a phone logs in with her
//! one-time password (choosing her own), sees today's steps with the overdue first, switches
//! to English and logs out; every page is checked by axe-core, weighed (compressed bytes
//! transferred) and photographed at a phone's and a desktop's width.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    Browser, Console, Device, TEACHER, TEACHER_NAME, check_page, click, fill, submit, text_of,
    wait_for_new_page,
};
use fantoccini::Locator;
use notoneless_store::conformance;
use notoneless_store::db::Backend;

async fn a_head_teacher_logs_in_on_her_phone_and_sees_todays_steps(backend: Backend) {
    let console = Console::start(backend).await;
    let browser = Browser::open(Device::Phone).await;
    let client = &browser.client;

    // Anyone not signed in is sent to the login page, in Chinese.
    client.goto(&console.base).await.unwrap();
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/login")
    );
    assert_eq!(text_of(&browser, "h1").await, "登录");
    check_page(&browser, "login", Device::Phone).await;

    // An empty form: each error next to its field and in the summary, in Chinese.
    submit(&browser).await;
    assert!(
        text_of(&browser, ".error-summary")
            .await
            .contains("请输入用户名")
    );
    assert!(
        text_of(&browser, "#user-error")
            .await
            .contains("请输入用户名")
    );
    check_page(&browser, "login-errors", Device::Phone).await;

    // A wrong password is refused without saying which of the two was wrong.
    fill(&browser, "user", TEACHER).await;
    fill(&browser, "password", "not her password").await;
    submit(&browser).await;
    assert!(
        text_of(&browser, ".error-summary")
            .await
            .contains("用户名或密码")
    );

    // Her one-time password asks for a password of her own.
    fill(&browser, "user", TEACHER).await;
    fill(&browser, "password", &console.one_time_password).await;
    submit(&browser).await;
    let asked = text_of(&browser, ".error-summary").await;
    assert!(
        client.find(Locator::Id("new_password")).await.is_ok(),
        "{asked}"
    );
    fill(&browser, "password", &console.one_time_password).await;
    fill(&browser, "new_password", "春天的柳树发芽了2023").await;
    submit(&browser).await;

    // Today: her child's overdue steps, the longest overdue first, in Chinese.
    assert_eq!(client.current_url().await.unwrap().path(), "/");
    assert_eq!(text_of(&browser, "h1").await, "今日待办");
    assert!(text_of(&browser, ".who").await.contains(TEACHER_NAME));
    let overdue = text_of(&browser, "section[aria-labelledby=overdue-heading]").await;
    assert!(overdue.contains("联系家长"), "{overdue}");
    assert!(
        overdue.contains("王小明（7年级 7-2班）"),
        "the child by name: {overdue}"
    );
    assert!(overdue.contains("公营子中学"), "{overdue}");
    check_page(&browser, "today", Device::Phone).await;

    // The call, from the card: the form is dated today; the guardian is asked for.
    click(&browser, "a.act").await;
    assert_eq!(text_of(&browser, "h1").await, "联系家长");
    check_page(&browser, "parent-call", Device::Phone).await;
    let on = client.find(Locator::Id("on")).await.unwrap();
    assert_eq!(
        on.prop("value").await.unwrap().as_deref(),
        Some("2023-11-10")
    );
    submit(&browser).await;
    assert!(
        text_of(&browser, ".error-summary")
            .await
            .contains("请填写联系的监护人")
    );
    assert!(
        text_of(&browser, ".error-summary")
            .await
            .contains("请选择是否联系上")
    );
    check_page(&browser, "parent-call-errors", Device::Phone).await;
    fill(&browser, "guardian", "王建国").await;
    client
        .find(Locator::Css("input[name=reached][value=yes]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&browser, "reason_given", "孩子发烧，在家休息").await;
    // A double tap: the same form sent twice records once.
    let page = client.find(Locator::Css("html")).await.unwrap();
    client
        .execute(
            "const f = document.querySelector('main form'); f.requestSubmit(); f.requestSubmit();",
            vec![],
        )
        .await
        .unwrap();
    wait_for_new_page(page).await;
    assert_eq!(text_of(&browser, "h1").await, "今日待办");
    let events = notoneless_store::log::case_events(&console.store.db, "case-1")
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.event_type.contains("ParentContact"))
            .count(),
        1,
        "the call is recorded once: {:?}",
        events.iter().map(|e| &e.event_type).collect::<Vec<_>>()
    );
    // The step leaves her list once the projector has the call.
    let started = std::time::Instant::now();
    loop {
        client.goto(&console.base).await.unwrap();
        let overdue = text_of(&browser, "#overdue-heading .count").await;
        if overdue == "0" {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the call leaves her list"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // English at a tap, kept for the next page.
    click(&browser, "a[href^='/lang/en']").await;
    assert_eq!(text_of(&browser, "h1").await, "Today");
    assert!(
        text_of(&browser, "main")
            .await
            .contains("Nothing is overdue.")
    );
    client.goto(&console.base).await.unwrap();
    assert_eq!(text_of(&browser, "h1").await, "Today");

    // Logging out ends the session: the home page asks for a login again.
    click(&browser, "form[action='/logout'] button").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/login")
    );
    client.goto(&console.base).await.unwrap();
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/login")
    );
    browser.close().await;
}

async fn the_pages_fit_a_desktop_too(backend: Backend) {
    let console = Console::start(backend).await;
    let browser = Browser::open(Device::Desktop).await;
    let client = &browser.client;
    client
        .goto(&format!("{}/login", console.base))
        .await
        .unwrap();
    fill(&browser, "user", TEACHER).await;
    fill(&browser, "password", &console.one_time_password).await;
    submit(&browser).await;
    fill(&browser, "password", &console.one_time_password).await;
    fill(&browser, "new_password", "春天的柳树发芽了2023").await;
    submit(&browser).await;
    assert_eq!(text_of(&browser, "h1").await, "今日待办");
    check_page(&browser, "today", Device::Desktop).await;
    client
        .goto(&format!("{}/no-such-page", console.base))
        .await
        .unwrap();
    assert_eq!(text_of(&browser, "h1").await, "页面不存在");
    check_page(&browser, "not-found", Device::Desktop).await;
    browser.close().await;
}

conformance!(
    a_head_teacher_logs_in_on_her_phone_and_sees_todays_steps,
    the_pages_fit_a_desktop_too
);
