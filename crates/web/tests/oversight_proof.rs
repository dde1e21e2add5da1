//! The record's proof page's verification state, in Chromium, on both databases: an inspector
//! opens `/proof` (not verified yet since the server started), presses "verify now" and sees
//! the log verify (every chain intact, every signature holding, the latest checkpoint holding)
//! with when and by whom; then an event's content is altered directly in the database, and the
//! next verification names the broken case, linked to its timeline at the altered fact ("verify
//! now" without the session's CSRF token is refused). Each
//! state is checked by axe-core, weighed and photographed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    Browser, Console, Device, check_page, click, log_in_first_time, open, photograph_at, shows,
    text_of,
};
use notoneless_domain::{OrgCommand, User, UserRole};
use notoneless_store::conformance;
use notoneless_store::db::{Backend, P, Sql};
use notoneless_store::testing::context;

const INSPECTOR: &str = "zhou";

/// The county of `Console::start`, an inspector of the county (her one-time password), and a
/// signed checkpoint of the log.
async fn county_with_an_inspector(backend: Backend) -> (Console, String) {
    let console = Console::start(backend).await;
    let store = &console.store;
    let inspector = User {
        id: INSPECTOR.into(),
        name: "周督学".into(),
        role: UserRole::Inspector,
        node: "kazuo".into(),
    };
    store
        .org
        .execute(OrgCommand::AddUser(inspector), &context(None))
        .await
        .unwrap();
    let one_time = store
        .reset_password(INSPECTOR, &context(None))
        .await
        .unwrap();
    notoneless_store::checkpoints::write_checkpoint(
        &store.db,
        &store.signer,
        console.clock.as_ref(),
    )
    .await
    .unwrap();
    (console, one_time.password.expose().to_string())
}

/// Alters the content of the child's second fact (her absence of the 9th) in the database
/// itself, past the triggers that keep the log append-only, as someone with the database's
/// keys could.
async fn alter_an_event(console: &Console) {
    let db = &console.store.db;
    notoneless_store::testing::allow_changing_events(db).await;
    let forged = serde_json::json!({"AbsenceRecorded": {"on": "2023-11-08"}});
    db.execute(
        Sql::both("UPDATE events SET payload = $1 WHERE aggregate_id = 'case-1' AND sequence = 2"),
        &[P::Json(forged)],
    )
    .await
    .unwrap();
}

async fn an_inspector_verifies_the_log_and_sees_an_altered_event_named(backend: Backend) {
    let (console, one_time) = county_with_an_inspector(backend).await;
    let browser = Browser::open(Device::Desktop).await;
    log_in_first_time(&browser, &console, INSPECTOR, &one_time).await;

    // Not verified since the server started: the page says so, and offers to.
    open(&browser, &console, "/proof", "记录证明").await;
    shows(&browser, "#verified-when", "尚未校验").await;
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#verdict"))
            .await
            .is_err(),
        "no verdict before a verification"
    );
    check_page(&browser, "proof-unverified", Device::Desktop).await;

    // "Verify now" without the session's CSRF token is refused.
    browser
        .client
        .execute(
            "document.querySelector('form.verify-form input[name=csrf_token]').value = 'forged';",
            vec![],
        )
        .await
        .unwrap();
    click(&browser, "#verify-now").await;
    let refused = text_of(&browser, "body").await;
    assert!(refused.contains("CSRF"), "{refused}");
    open(&browser, &console, "/proof", "记录证明").await;
    shows(&browser, "#verified-when", "尚未校验").await;

    // Verified now: a clean log, with when, by whom and what was checked.
    click(&browser, "#verify-now").await;
    assert_eq!(text_of(&browser, "h1").await, "记录证明");
    shows(&browser, "#verdict", "校验通过").await;
    // The log has a signed checkpoint: the verdict says it holds (without one it would say
    // there is none to check against).
    shows(&browser, "#verdict", "最新检查点的签名有效").await;
    shows(
        &browser,
        "#verified-when",
        "2023年11月10日 08:00 由周督学校验",
    )
    .await;
    let facts = text_of(&browser, "section[aria-labelledby=verify-heading]").await;
    assert!(facts.contains("全部完整"), "{facts}");
    assert!(facts.contains("全部有效"), "{facts}");
    assert!(facts.contains("签名有效，树根与日志相符"), "{facts}");
    assert!(facts.contains("v1:"), "the log's digest: {facts}");
    check_page(&browser, "proof-verified", Device::Desktop).await;
    photograph_at(
        &browser,
        "#verify-heading",
        "proof-verified-state",
        Device::Desktop,
    )
    .await;

    // An event's content altered in the database: the next verification names the case.
    alter_an_event(&console).await;
    console
        .clock
        .set(notoneless_domain::fixtures::at("2023-11-10", "08:05"));
    click(&browser, "#verify-now").await;
    shows(&browser, "#verdict", "校验未通过").await;
    shows(&browser, "#verified-when", "08:05").await;
    let broken = text_of(&browser, "#broken").await;
    assert!(
        broken.contains("案卷 case-1 第 2 号事件：内容与哈希不符"),
        "{broken}"
    );
    let facts = text_of(&browser, "section[aria-labelledby=verify-heading]").await;
    assert!(facts.contains("1 条断链"), "{facts}");
    check_page(&browser, "proof-tampered", Device::Desktop).await;
    // The inspector sees the case: its timeline, at the altered fact.
    click(&browser, "#broken a").await;
    assert_eq!(text_of(&browser, "h1").await, "案卷时间线");
    assert!(
        browser
            .client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/cases/case-1/timeline#fact-2")
    );
    browser.close().await;

    // The last result is the server's: another reader, on a phone, sees it too.
    let phone = Browser::open(Device::Phone).await;
    common::log_in(&phone, &console, INSPECTOR, common::OWN_PASSWORD).await;
    open(&phone, &console, "/proof", "记录证明").await;
    shows(&phone, "#verdict", "校验未通过").await;
    check_page(&phone, "proof-tampered", Device::Phone).await;
    photograph_at(
        &phone,
        "#verify-heading",
        "proof-tampered-state",
        Device::Phone,
    )
    .await;
    // The same in English.
    click(&phone, "a[href^='/lang/en']").await;
    assert_eq!(text_of(&phone, "h1").await, "The record's proof");
    shows(&phone, "#verdict", "The log does NOT verify").await;
    shows(&phone, "#verified-when", "by 周督学").await;
    let facts = text_of(&phone, "section[aria-labelledby=verify-heading]").await;
    assert!(facts.contains("one broken"), "{facts}");
    shows(
        &phone,
        "#broken",
        "Case case-1, event 2: its content no longer matches its hash",
    )
    .await;
    photograph_at(
        &phone,
        "#verify-heading",
        "proof-tampered-state-en",
        Device::Phone,
    )
    .await;
    phone.close().await;
}

conformance!(an_inspector_verifies_the_log_and_sees_an_altered_event_named);
