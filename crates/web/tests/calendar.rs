//! The school calendar's page in Chromium: the admin adds a term (one overlapping it is refused
//! next to its field), declares a day ahead and takes it back; a bureau officer declares a
//! holiday already past, is shown which child's deadlines it moves and how, is refused
//! without a reason, and records it once (the confirmation sent twice) with its reason, which
//! the calendar then shows; the admin taking a past day back is shown the schools, not the
//! children. Every page is checked by axe-core, weighed, and photographed at a desktop's and
//! a phone's width.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    ADMIN, Browser, Console, Device, OWN_PASSWORD, check_page, click, county_with_an_admin, fill,
    log_in, log_in_first_time, open, text_of, wait_for_new_page,
};
use fantoccini::Locator;
use notoneless_domain::{OrgCommand, User, UserRole};
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use notoneless_store::testing::context;

const OFFICER: &str = "chen";
const OFFICER_PASSWORD: &str = "教育局负责控辍保学2023";

/// The county of `Console::start`, its admin and a bureau officer, with their one-time
/// passwords.
async fn county_with_calendar_keepers(backend: Backend) -> (Console, String, String) {
    let (console, admin) = county_with_an_admin(backend).await;
    let officer = User {
        id: OFFICER.into(),
        name: "陈科长".into(),
        role: UserRole::BureauOfficer,
        node: "kazuo".into(),
    };
    console
        .store
        .org
        .execute(OrgCommand::AddUser(officer), &context(None))
        .await
        .unwrap();
    let one_time = console
        .store
        .reset_password(OFFICER, &context(None))
        .await
        .unwrap()
        .password
        .expose()
        .to_string();
    (console, admin, one_time)
}

/// Logs the bureau officer in, choosing her own password for her one-time one.
async fn log_in_the_officer(browser: &Browser, console: &Console, one_time: &str) {
    log_in(browser, console, OFFICER, one_time).await;
    fill(browser, "password", one_time).await;
    fill(browser, "new_password", OFFICER_PASSWORD).await;
    click(browser, "main form button[type=submit]").await;
    assert!(text_of(browser, ".who").await.contains("陈科长"));
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

/// How many times the organisation's log records `event_type` for `day`.
async fn recorded(console: &Console, event_type: &str, day: &str) -> usize {
    console
        .store
        .org
        .history()
        .await
        .unwrap()
        .iter()
        .filter(|event| {
            event.event_type == event_type
                && event.payload[event_type]["day"] == serde_json::json!(day)
        })
        .count()
}

async fn the_admin_adds_a_term_refused_next_to_its_field_when_it_overlaps_and_takes_a_day_ahead_back(
    backend: Backend,
) {
    let (console, admin, _) = county_with_calendar_keepers(backend).await;
    let browser = Browser::open(Device::Desktop).await;
    log_in_first_time(&browser, &console, ADMIN, &admin).await;
    open(&browser, &console, "/admin/calendar", "校历管理").await;
    check_page(&browser, "calendar", Device::Desktop).await;

    // A term without its days: each error next to its field.
    fill(&browser, "term_name", "2023—2024学年第一学期").await;
    click(&browser, "form.add-term button[type=submit]").await;
    assert!(
        text_of(&browser, "#first_day-error")
            .await
            .contains("请填写日期")
    );
    assert!(
        text_of(&browser, "#last_day-error")
            .await
            .contains("请填写日期")
    );

    // A term ending before it starts: the domain's refusal, next to its last day.
    set_date(&browser, "first_day", "2023-09-01").await;
    set_date(&browser, "last_day", "2023-08-01").await;
    click(&browser, "form.add-term button[type=submit]").await;
    assert!(
        text_of(&browser, "#last_day-error").await.contains("早于"),
        "{}",
        text_of(&browser, "#last_day-error").await
    );
    assert!(console.store.org.current().org.terms.is_empty());

    // The term: recorded, and in the calendar.
    set_date(&browser, "last_day", "2024-01-19").await;
    click(&browser, "form.add-term button[type=submit]").await;
    assert!(text_of(&browser, "#done").await.contains("学期已添加"));
    let calendar = text_of(&browser, "table.calendar").await;
    assert!(calendar.contains("2023—2024学年第一学期"), "{calendar}");

    // One overlapping it: refused next to its first day, and not recorded.
    fill(&browser, "term_name", "期中考试周").await;
    set_date(&browser, "first_day", "2023-11-01").await;
    set_date(&browser, "last_day", "2023-12-01").await;
    click(&browser, "form.add-term button[type=submit]").await;
    assert_eq!(
        text_of(&browser, "#first_day-error").await,
        "与第 1 个学期重叠"
    );
    assert_eq!(console.store.org.current().org.terms.len(), 1);
    check_page(&browser, "calendar-term-refused", Device::Desktop).await;

    // A holiday ahead, declared, then taken back: no confirmation for a day to come.
    open(&browser, &console, "/admin/calendar", "校历管理").await;
    set_date(&browser, "day", "2023-11-20").await;
    fill(&browser, "name", "校运动会").await;
    click(&browser, "form.declare button[type=submit]").await;
    assert!(text_of(&browser, "#done").await.contains("已登记"));
    assert!(
        text_of(&browser, "#day-2023-11-20")
            .await
            .contains("校运动会")
    );
    check_page(&browser, "calendar-declared", Device::Desktop).await;
    click(&browser, "#day-2023-11-20 button.take-back").await;
    assert!(text_of(&browser, "#done").await.contains("已撤销"));
    assert!(
        !text_of(&browser, "table.calendar")
            .await
            .contains("校运动会")
    );
    assert!(
        !console
            .store
            .org
            .current()
            .org
            .holidays
            .contains_key(&"2023-11-20".parse().unwrap())
    );
    assert_eq!(
        recorded(&console, "CalendarDayCleared", "2023-11-20").await,
        1
    );
    browser.close().await;

    let phone = Browser::open(Device::Phone).await;
    log_in(&phone, &console, ADMIN, OWN_PASSWORD).await;
    open(&phone, &console, "/admin/calendar", "校历管理").await;
    check_page(&phone, "calendar", Device::Phone).await;
    phone.close().await;
}

async fn a_retroactive_holiday_shows_whose_deadlines_it_moves_asks_why_and_records_once(
    backend: Backend,
) {
    let (console, admin, officer) = county_with_calendar_keepers(backend).await;
    let browser = Browser::open(Device::Desktop).await;
    let client = &browser.client;
    log_in_the_officer(&browser, &console, &officer).await;
    open(&browser, &console, "/admin/calendar", "校历管理").await;

    // A holiday on the 8th, declared on the 10th: the confirmation comes first, naming the
    // child absent the 7th, 8th and 9th, whose day-3 reports are then no longer owed.
    set_date(&browser, "day", "2023-11-08").await;
    fill(&browser, "name", "停电停课").await;
    click(&browser, "form.declare button[type=submit]").await;
    assert_eq!(text_of(&browser, "h1").await, "确认事后修改校历");
    let change = text_of(&browser, "#change").await;
    assert!(
        change.contains("2023年11月8日") && change.contains("停电停课"),
        "{change}"
    );
    let moves = text_of(&browser, "ul.moves").await;
    assert!(
        moves.contains("刘小红") && moves.contains("公营子小学"),
        "{moves}"
    );
    // The home visit of her second day moves a day; the reports of her third are not owed.
    assert!(
        moves.contains("第2天：家访\n期限：2023年11月8日 → 2023年11月9日"),
        "{moves}"
    );
    assert!(
        moves.contains("第3天：向乡镇政府报告\n期限：2023年11月9日 → 无须办理"),
        "{moves}"
    );
    assert!(
        !moves.contains("王小明"),
        "the other child's deadlines stay: {moves}"
    );
    assert_eq!(recorded(&console, "HolidayDeclared", "2023-11-08").await, 0);
    // The child named was recorded in the access log first.
    let (reads, _) = console
        .store
        .access
        .reads_of("case-2", 10, 0)
        .await
        .unwrap();
    assert!(
        reads
            .iter()
            .any(|read| read.kind == "calendar_change" && read.actor == OFFICER),
        "{reads:?}"
    );
    check_page(&browser, "calendar-confirm", Device::Desktop).await;

    // Confirmed without a reason: refused next to the field, nothing recorded.
    click(&browser, "form.confirm button[type=submit]").await;
    assert_eq!(text_of(&browser, "#reason-error").await, "请填写修改原因");
    assert_eq!(recorded(&console, "HolidayDeclared", "2023-11-08").await, 0);
    check_page(&browser, "calendar-confirm-no-reason", Device::Desktop).await;

    // With a reason: recorded, and the calendar shows it beside "retroactive".
    fill(&browser, "reason", "全镇停电，学校停课").await;
    let sent: Vec<(String, String)> = serde_json::from_value(
        client
            .execute(
                "return Array.from(new FormData(document.querySelector('form.confirm')).entries());",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    click(&browser, "form.confirm button[type=submit]").await;
    assert!(text_of(&browser, "#done").await.contains("已登记"));
    let row = text_of(&browser, "#day-2023-11-08").await;
    assert!(
        row.contains("追溯变更") && row.contains("原因：全镇停电，学校停课"),
        "{row}"
    );
    assert_eq!(recorded(&console, "HolidayDeclared", "2023-11-08").await, 1);

    // The same confirmation sent again: answered, and recorded once.
    let page = client.find(Locator::Css("html")).await.unwrap();
    client
        .execute(
            "const form = document.createElement('form');
             form.method = 'post';
             form.action = '/admin/calendar';
             for (const [name, value] of arguments[0]) {
                 const input = document.createElement('input');
                 input.type = 'hidden'; input.name = name; input.value = value;
                 form.appendChild(input);
             }
             document.body.appendChild(form);
             form.submit();",
            vec![serde_json::json!(sent)],
        )
        .await
        .unwrap();
    wait_for_new_page(page).await;
    assert!(text_of(&browser, "#done").await.contains("已登记"));
    assert_eq!(recorded(&console, "HolidayDeclared", "2023-11-08").await, 1);
    check_page(&browser, "calendar-retroactive", Device::Desktop).await;
    browser.close().await;

    // The admin taking the day back is asked the same, shown the schools but no child.
    let phone = Browser::open(Device::Phone).await;
    log_in_first_time(&phone, &console, ADMIN, &admin).await;
    open(&phone, &console, "/admin/calendar", "校历管理").await;
    check_page(&phone, "calendar-retroactive", Device::Phone).await;
    click(&phone, "#day-2023-11-08 button.take-back").await;
    assert_eq!(text_of(&phone, "h1").await, "确认事后修改校历");
    let moves = text_of(&phone, "ul.moves").await;
    assert!(
        moves.contains("公营子小学") && !moves.contains("刘小红"),
        "{moves}"
    );
    check_page(&phone, "calendar-confirm", Device::Phone).await;
    fill(&phone, "reason", "停电当天实际照常上课").await;
    click(&phone, "form.confirm button[type=submit]").await;
    assert!(text_of(&phone, "#done").await.contains("已撤销"));
    assert_eq!(
        recorded(&console, "CalendarDayCleared", "2023-11-08").await,
        1
    );
    let history = console.store.org.history().await.unwrap();
    let cleared = history
        .iter()
        .rfind(|event| event.event_type == "CalendarDayCleared")
        .unwrap();
    assert_eq!(
        cleared.payload["CalendarDayCleared"]["reason"],
        serde_json::json!("停电当天实际照常上课")
    );
    phone.close().await;
}

conformance!(
    the_admin_adds_a_term_refused_next_to_its_field_when_it_overlaps_and_takes_a_day_ahead_back,
    a_retroactive_holiday_shows_whose_deadlines_it_moves_asks_why_and_records_once
);
