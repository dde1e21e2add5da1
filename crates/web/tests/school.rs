//! The principal's school pages in Chromium, on both databases: the principal of the primary
//! school, on her phone, suspends a child with the approving document and sees it on the
//! child's page, records the resumption, records support (an amount that is not yuan, then
//! zero, each refused next to the field in Chinese, then 500.50 yuan, kept as 50 050 fen),
//! a home-teaching session (sent twice by a double tap, recorded once) and a transfer out to
//! the middle school; she records the middle school's confirmation, and the file moves there:
//! the middle school's principal, at her desk, now keeps it and sees the whole case, and the
//! primary school's no longer sees it. A head teacher is offered none of the school leaders'
//! forms and is refused each (403). Every form is checked by axe-core, weighed and
//! photographed at a phone's width; the case and a form at a desktop's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::{
    Browser, Console, Device, OWN_PASSWORD, PRINCIPAL, SCHOOL, TEACHER, check_page, click,
    double_submit, fill, log_in, log_in_first_time, open, status_of, text_of,
};
use fantoccini::Locator;
use notoneless_domain::fixtures::at;
use notoneless_domain::{
    CaseAction, CaseEvent, FocusGroup, FocusGroupChange, OrgCommand, User, UserRole,
};
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use notoneless_store::testing::{context, run};

/// The middle school's principal: the receiving school's.
const RECEIVING_PRINCIPAL: &str = "qian";
/// The primary school's child (刘小红), absent three days.
const CASE: &str = "case-2";

/// The county of `Console::start` with the middle school's principal (her one-time password
/// returned), the primary school's child in the "disabled" focus group (taught at home).
async fn county_with_two_principals(backend: Backend) -> (Console, String) {
    let console = Console::start(backend).await;
    let principal = User {
        id: RECEIVING_PRINCIPAL.into(),
        name: "钱校长".into(),
        role: UserRole::Principal,
        node: SCHOOL.into(),
    };
    console
        .store
        .org
        .execute(OrgCommand::AddUser(principal), &context(None))
        .await
        .unwrap();
    let one_time = console
        .store
        .reset_password(RECEIVING_PRINCIPAL, &context(None))
        .await
        .unwrap()
        .password
        .expose()
        .to_string();
    run(
        &console.store,
        CASE,
        CaseAction::ChangeFocusGroups(FocusGroupChange {
            on: "2023-11-10".parse().unwrap(),
            add: BTreeSet::from([FocusGroup::Disabled]),
            remove: BTreeSet::new(),
            reason: "残疾证".into(),
        }),
    )
    .await;
    (console, one_time)
}

/// The forms only a school's leaders may use, by their path under the case.
const LEADERS_FORMS: [(&str, &str); 5] = [
    ("suspension", "办理休学"),
    ("resumption", "办理复学"),
    ("support", "记录减免缓助"),
    ("transfer", "办理转出"),
    ("transfer-confirmation", "确认转学"),
];

/// The texts of the child's page's links to forms.
async fn offered(browser: &Browser) -> String {
    match browser.client.find(Locator::Css("nav.actions")).await {
        Ok(nav) => nav.text().await.unwrap(),
        Err(_) => String::new(),
    }
}

/// The case's facts of one type on record.
async fn count(console: &Console, event_type: &str) -> usize {
    notoneless_store::log::case_events(&console.store.db, CASE)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event_type == event_type)
        .count()
}

/// Sets a date field's value as its picker would (typing into one depends on the browser's
/// locale).
async fn set_date(browser: &Browser, id: &str, day: &str) {
    browser
        .client
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![serde_json::json!(id), serde_json::json!(day)],
        )
        .await
        .unwrap();
}

/// Ticks a box or chooses a radio button by its CSS selector.
async fn tick(browser: &Browser, css: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn submit(browser: &Browser) {
    click(browser, "main form button[type=submit]").await;
}

/// The child's page, back after a form: the child's name as its heading, the facts' list.
async fn facts(browser: &Browser) -> String {
    assert_eq!(text_of(browser, "h1").await, "刘小红");
    text_of(browser, "ol.facts").await
}

/// Scrolls the child's page to its last fact (for a screenshot of the facts spelled out).
async fn scroll_to_last_fact(browser: &Browser) {
    browser
        .client
        .execute(
            "document.querySelector('ol.facts li:last-child').scrollIntoView({block: 'end'});",
            vec![],
        )
        .await
        .unwrap();
}

async fn a_principal_records_suspension_support_home_teaching_and_a_transfer(backend: Backend) {
    let (console, receiving_one_time) = county_with_two_principals(backend).await;
    let phone = Browser::open(Device::Phone).await;
    log_in_first_time(&phone, &console, PRINCIPAL, &console.one_time[PRINCIPAL]).await;
    open(&phone, &console, &format!("/cases/{CASE}"), "刘小红").await;
    let links = offered(&phone).await;
    for text in ["办理休学", "记录减免缓助", "记录送教上门", "办理转出"] {
        assert!(links.contains(text), "{text} is offered: {links}");
    }
    for text in ["办理复学", "确认转学"] {
        assert!(!links.contains(text), "{text} is not offered yet: {links}");
    }

    // 休学: a missing reason and a document begun but not finished are asked for.
    click(&phone, &format!("a[href='/cases/{CASE}/suspension']")).await;
    assert_eq!(text_of(&phone, "h1").await, "休学");
    check_page(&phone, "school-suspension", Device::Phone).await;
    set_date(&phone, "expected_return", "2024-01-02").await;
    fill(&phone, "document_kind", "休学审批表").await;
    submit(&phone).await;
    assert_eq!(text_of(&phone, "#reason-error").await, "请填写休学原因");
    assert_eq!(
        text_of(&phone, "#document_issued_by-error").await,
        "请填写出具单位"
    );
    assert_eq!(
        count(&console, "Suspended").await,
        0,
        "nothing recorded yet"
    );
    check_page(&phone, "school-suspension-errors", Device::Phone).await;
    fill(&phone, "reason", "骨折住院治疗").await;
    fill(&phone, "document_number", "公小〔2023〕5号").await;
    fill(&phone, "document_issued_by", "公营子小学").await;
    set_date(&phone, "document_issued_on", "2023-11-10").await;
    submit(&phone).await;
    let shown = facts(&phone).await;
    assert!(
        shown.contains("预计2024年1月2日复学") && shown.contains("休学审批表 公小〔2023〕5号"),
        "{shown}"
    );
    let summary = text_of(&phone, ".facts-summary").await;
    assert!(summary.contains("休学"), "{summary}");
    let links = offered(&phone).await;
    assert!(
        links.contains("办理复学") && !links.contains("办理休学") && !links.contains("办理转出"),
        "{links}"
    );

    // 复学, the next Monday (logged in again: the session did not last the weekend).
    console.clock.set(at("2023-11-13", "08:00"));
    log_in(&phone, &console, PRINCIPAL, OWN_PASSWORD).await;
    open(&phone, &console, &format!("/cases/{CASE}"), "刘小红").await;
    click(&phone, &format!("a[href='/cases/{CASE}/resumption']")).await;
    assert_eq!(text_of(&phone, "h1").await, "复学");
    check_page(&phone, "school-resumption", Device::Phone).await;
    fill(&phone, "note", "已到校上课").await;
    submit(&phone).await;
    assert!(facts(&phone).await.contains("备注：已到校上课"));
    assert_eq!(count(&console, "Resumed").await, 1);

    // 减免缓助: an amount that is not yuan, then zero for a reduction, each refused next to
    // the amount in Chinese; then 500.50 yuan, kept exactly in fen.
    click(&phone, &format!("a[href='/cases/{CASE}/support']")).await;
    assert_eq!(text_of(&phone, "h1").await, "减免缓助");
    check_page(&phone, "school-support", Device::Phone).await;
    tick(&phone, "input[name=kind][value=reduction]").await;
    fill(&phone, "amount", "五百元").await;
    set_date(&phone, "until", "2024-01-15").await;
    submit(&phone).await;
    assert_eq!(
        text_of(&phone, "#amount-error").await,
        "请以元为单位填写金额，最多两位小数，如 500 或 500.50"
    );
    fill(&phone, "amount", "0").await;
    submit(&phone).await;
    assert_eq!(
        text_of(&phone, "#amount-error").await,
        "减免、缓交或补助的金额必须大于零"
    );
    check_page(&phone, "school-support-errors", Device::Phone).await;
    assert_eq!(
        count(&console, "SupportGiven").await,
        0,
        "nothing recorded yet"
    );
    fill(&phone, "amount", "500.50").await;
    submit(&phone).await;
    assert!(
        facts(&phone)
            .await
            .contains("减：减少费用：500.50 元，2023年11月13日至2024年1月15日")
    );
    let events = notoneless_store::log::case_events(&console.store.db, CASE)
        .await
        .unwrap();
    let support = events
        .iter()
        .filter_map(|e| match e.decode().unwrap() {
            CaseEvent::SupportGiven(s) => Some(s.amount_fen),
            _ => None,
        })
        .collect::<Vec<_>>();
    assert_eq!(support, [50_050], "500.50 yuan is 50 050 fen");

    // 送教上门: the principal ticked and named beforehand; two more teachers under "other".
    // A double tap records it once.
    click(&phone, &format!("a[href='/cases/{CASE}/home-teaching']")).await;
    assert_eq!(text_of(&phone, "h1").await, "送教上门");
    check_page(&phone, "school-home-teaching", Device::Phone).await;
    tick(&phone, "#taught_other").await;
    fill(&phone, "name_other", "王老师、赵老师").await;
    fill(&phone, "minutes", "60").await;
    fill(&phone, "content", "语文：识字二十个").await;
    let before = notoneless_store::log::case_events(&console.store.db, CASE)
        .await
        .unwrap()
        .len();
    double_submit(&phone).await;
    assert!(
        facts(&phone)
            .await
            .contains("60 分钟；张校长、王老师、赵老师：语文：识字二十个")
    );
    assert_eq!(
        count(&console, "HomeTeachingHeld").await,
        1,
        "recorded once"
    );
    let after = notoneless_store::log::case_events(&console.store.db, CASE)
        .await
        .unwrap()
        .len();
    assert_eq!(after, before + 1, "the double tap adds one fact");

    // 转出 to the middle school, with the transfer letter.
    click(&phone, &format!("a[href='/cases/{CASE}/transfer']")).await;
    assert_eq!(text_of(&phone, "h1").await, "转出");
    check_page(&phone, "school-transfer", Device::Phone).await;
    submit(&phone).await;
    assert_eq!(
        text_of(&phone, "#destination_school-error").await,
        "请填写转入学校"
    );
    fill(&phone, "destination_school", "公营子中学").await;
    fill(&phone, "documents_kind", "转学联系函").await;
    fill(&phone, "documents_issued_by", "公营子中学").await;
    set_date(&phone, "documents_issued_on", "2023-11-13").await;
    submit(&phone).await;
    let shown = facts(&phone).await;
    assert!(
        shown.contains("转往公营子中学") && shown.contains("转学联系函（公营子中学"),
        "{shown}"
    );
    assert!(
        text_of(&phone, ".facts-summary")
            .await
            .contains("转出待确认")
    );
    scroll_to_last_fact(&phone).await;
    phone.screenshot("school-case-facts", Device::Phone).await;
    let links = offered(&phone).await;
    assert!(
        links.contains("确认转学") && !links.contains("办理转出"),
        "{links}"
    );

    // The middle school confirms: recorded by the sending principal (the API's jurisdiction:
    // the file is hers until then), the receiving school as the transfer named it.
    click(
        &phone,
        &format!("a[href='/cases/{CASE}/transfer-confirmation']"),
    )
    .await;
    assert_eq!(text_of(&phone, "h1").await, "转学确认");
    let school = phone
        .client
        .find(Locator::Id("receiving_school"))
        .await
        .unwrap();
    assert_eq!(
        school.attr("value").await.unwrap().as_deref(),
        Some("公营子中学")
    );
    check_page(&phone, "school-transfer-confirmation", Device::Phone).await;
    fill(&phone, "confirmed_by", "钱校长").await;
    submit(&phone).await;
    assert_eq!(text_of(&phone, "h1").await, "今日待办");
    assert_eq!(count(&console, "TransferConfirmed").await, 1);
    // The file moved: the primary school no longer sees it.
    open(&phone, &console, &format!("/cases/{CASE}"), "无法办理").await;
    assert_eq!(
        status_of(&phone, &console, &format!("/cases/{CASE}")).await,
        404
    );
    phone.close().await;

    // The middle school's principal keeps it now, and sees the whole case.
    let desk = Browser::open(Device::Desktop).await;
    log_in_first_time(&desk, &console, RECEIVING_PRINCIPAL, &receiving_one_time).await;
    open(&desk, &console, &format!("/cases/{CASE}"), "刘小红").await;
    let shown = facts(&desk).await;
    for text in [
        "休学",
        "复学",
        "帮扶",
        "送教上门",
        "转往公营子中学",
        "接收学校：公营子中学；确认人：钱校长",
        "此后由接收学校跟踪",
    ] {
        assert!(shown.contains(text), "{text}: {shown}");
    }
    assert!(text_of(&desk, ".lede").await.contains("公营子中学"));
    check_page(&desk, "school-case", Device::Desktop).await;
    scroll_to_last_fact(&desk).await;
    desk.screenshot("school-case-facts", Device::Desktop).await;
    click(&desk, &format!("a[href='/cases/{CASE}/support']")).await;
    check_page(&desk, "school-support", Device::Desktop).await;
    // In English at a tap, from the catalogue too.
    click(&desk, "a[href^='/lang/en']").await;
    assert_eq!(text_of(&desk, "h1").await, "Support");
    assert_eq!(text_of(&desk, "label[for=amount]").await, "Amount (yuan)");
    desk.screenshot("school-support-en", Device::Desktop).await;
    click(&desk, "a[href^='/lang/zh']").await;
    // The timeline spells the facts out too.
    open(
        &desk,
        &console,
        &format!("/cases/{CASE}/timeline"),
        "案卷时间线",
    )
    .await;
    let timeline = text_of(&desk, "ol.timeline").await;
    assert!(
        timeline.contains("500.50 元") && timeline.contains("转往公营子中学"),
        "{timeline}"
    );
    desk.close().await;
    assert_eq!(
        console.store.case_school(CASE).await.unwrap().as_deref(),
        Some(SCHOOL),
        "the middle school keeps the file"
    );
}

async fn a_head_teacher_is_neither_offered_nor_let_into_the_leaders_forms(backend: Backend) {
    let console = Console::start(backend).await;
    let phone = Browser::open(Device::Phone).await;
    log_in_first_time(&phone, &console, TEACHER, &console.one_time_password).await;
    open(&phone, &console, "/cases/case-1", "王小明").await;
    let links = offered(&phone).await;
    for (_, text) in LEADERS_FORMS {
        assert!(!links.contains(text), "{text} is not offered: {links}");
    }
    for (segment, _) in LEADERS_FORMS {
        let path = format!("/cases/case-1/{segment}");
        open(&phone, &console, &path, "无法办理").await;
        assert_eq!(status_of(&phone, &console, &path).await, 403, "{path}");
    }
    phone.close().await;
}

conformance!(
    a_principal_records_suspension_support_home_teaching_and_a_transfer,
    a_head_teacher_is_neither_offered_nor_let_into_the_leaders_forms
);
