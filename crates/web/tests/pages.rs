//! The console as its people meet it, in Chromium: a head teacher on a phone logs in with her
//! one-time password (choosing her own), takes today's roll call of her class, opens the
//! child's page and the step forms, records the parents' call and sees it leave her list,
//! switches to English and logs out; a principal records the day-3 home visit (with the
//! measures it took, then shown on the child's page) and files the report upward to both
//! recipients through the page that checks it (a "change" there and back); a report refused
//! in part says what was filed and what was not, and sent again files only the rest; the
//! township's officer sees the overdue reports (督办) and
//! acknowledges his with one tap. Every page is checked by axe-core, weighed (compressed bytes
//! transferred) and photographed at a phone's and a desktop's width.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    Browser, Console, Device, OWN_PASSWORD, PRINCIPAL, TEACHER, TEACHER_NAME, TOWNSHIP_OFFICER,
    check_page, click, double_submit, download, fill, href_of, log_in_first_time, photograph_at,
    shows, submit, text_of, wait_for_new_page,
};
use fantoccini::Locator;
use notoneless_store::conformance;
use notoneless_store::db::Backend;

/// How many facts of this kind the case holds.
async fn recorded(console: &Console, case_id: &str, kind: &str) -> usize {
    notoneless_store::log::case_events(&console.store.db, case_id)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event_type.contains(kind))
        .count()
}

/// Presses the check page's "file" button twice at once, as a double tap does, and waits for
/// the next page.
async fn double_confirm(browser: &Browser) {
    let page = browser.client.find(Locator::Css("html")).await.unwrap();
    browser
        .client
        .execute(
            "const f = document.querySelector('main form'); const b = document.getElementById('confirm'); f.requestSubmit(b); f.requestSubmit(b);",
            vec![],
        )
        .await
        .unwrap();
    wait_for_new_page(page).await;
}

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
    shows(&browser, ".error-summary", "请输入用户名").await;
    shows(&browser, "#user-error", "请输入用户名").await;
    check_page(&browser, "login-errors", Device::Phone).await;

    // A wrong password is refused without saying which of the two was wrong.
    fill(&browser, "user", TEACHER).await;
    fill(&browser, "password", "not her password").await;
    submit(&browser).await;
    shows(&browser, ".error-summary", "用户名或密码").await;

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
    fill(&browser, "new_password", OWN_PASSWORD).await;
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

    // Today's roll call of her class, in one screen: the child ticked absent.
    let roll = text_of(&browser, "section[aria-labelledby=roll-heading]").await;
    assert!(roll.contains("7-2班") && roll.contains("未点名"), "{roll}");
    click(&browser, "section[aria-labelledby=roll-heading] a.act").await;
    assert_eq!(text_of(&browser, "h1").await, "7-2班 今日点名");
    check_page(&browser, "roll-call", Device::Phone).await;
    submit(&browser).await;
    shows(&browser, "#enrolled-error", "请填写在册人数").await;
    fill(&browser, "enrolled", "45").await;
    client
        .find(Locator::Css(
            "input[name=mark_G211324201101015678][value=absent]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // A double tap: the roll call is submitted once, and the second answer is not a refusal.
    double_submit(&browser).await;
    assert_eq!(text_of(&browser, "h1").await, "今日待办");
    let roll = text_of(&browser, "section[aria-labelledby=roll-heading]").await;
    assert!(roll.contains("已点名：缺席 1 人"), "{roll}");
    let roll_calls = console
        .store
        .roll_calls
        .of_school(common::SCHOOL, None)
        .await
        .unwrap();
    assert_eq!(roll_calls.len(), 1, "one roll call on record");
    let (_, roll_call) = &roll_calls[0];
    assert_eq!((roll_call.enrolled, roll_call.present), (45, 44));
    assert_eq!(roll_call.absent[0].name, "王小明");
    assert!(!roll_call.absent[0].excused);

    // The child's page, from the card: the child, the ladder's steps, the facts in order.
    click(
        &browser,
        "section[aria-labelledby=overdue-heading] strong a",
    )
    .await;
    assert_eq!(text_of(&browser, "h1").await, "王小明");
    let case = text_of(&browser, "main").await;
    assert!(
        case.contains("7年级 7-2班") && case.contains("公营子中学"),
        "{case}"
    );
    assert!(
        case.contains("联系家长") && case.contains("已逾期"),
        "{case}"
    );
    check_page(&browser, "case", Device::Phone).await;
    // Her read of the child's file is in the access log.
    let (reads, _) = console
        .store
        .access
        .reads_of("case-1", 50, 0)
        .await
        .unwrap();
    assert!(
        reads
            .iter()
            .any(|r| r.actor == TEACHER && r.kind == "status"),
        "the page's read is logged: {reads:?}"
    );
    // The home visit's form: who went, herself ticked and named.
    click(&browser, "a[href$='/home-visit']").await;
    assert_eq!(text_of(&browser, "h1").await, "家访");
    let mine = client.find(Locator::Id("went_head_teacher")).await.unwrap();
    assert!(mine.is_selected().await.unwrap());
    assert_eq!(
        client
            .find(Locator::Id("name_head_teacher"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(TEACHER_NAME)
    );
    check_page(&browser, "home-visit", Device::Phone).await;
    client.back().await.unwrap();
    click(&browser, "a[href$='/return']").await;
    assert_eq!(text_of(&browser, "h1").await, "返校");
    check_page(&browser, "return", Device::Phone).await;
    client.goto(&console.base).await.unwrap();

    // The call, from the card: the form is dated today; the guardian is asked for.
    click(&browser, "a.act[href$='/parent-call']").await;
    assert_eq!(text_of(&browser, "h1").await, "联系家长");
    check_page(&browser, "parent-call", Device::Phone).await;
    let on = client.find(Locator::Id("on")).await.unwrap();
    assert_eq!(
        on.prop("value").await.unwrap().as_deref(),
        Some("2023-11-10")
    );
    submit(&browser).await;
    shows(&browser, ".error-summary", "请填写联系的监护人").await;
    shows(&browser, ".error-summary", "请选择是否联系上").await;
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
    double_submit(&browser).await;
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

    // Another school's child is not hers to see, and the report upward is the principal's.
    client
        .goto(&format!("{}/cases/case-2", console.base))
        .await
        .unwrap();
    assert_eq!(text_of(&browser, "h1").await, "无法办理");
    client
        .goto(&format!("{}/cases/case-1/report", console.base))
        .await
        .unwrap();
    assert_eq!(text_of(&browser, "h1").await, "无法办理");
    assert!(
        client.find(Locator::Css("main form")).await.is_err(),
        "no report form for a head teacher"
    );

    // English at a tap, kept for the next page.
    click(&browser, "a[href^='/lang/en']").await;
    assert_eq!(text_of(&browser, "h1").await, "Today");
    shows(&browser, "main", "Nothing is overdue.").await;
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
    fill(&browser, "new_password", OWN_PASSWORD).await;
    submit(&browser).await;
    assert_eq!(text_of(&browser, "h1").await, "今日待办");
    check_page(&browser, "today", Device::Desktop).await;
    client
        .goto(&format!("{}/cases/case-1", console.base))
        .await
        .unwrap();
    assert_eq!(text_of(&browser, "h1").await, "王小明");
    check_page(&browser, "case", Device::Desktop).await;
    client
        .goto(&format!(
            "{}/roll-call/{}/7-2",
            console.base,
            common::SCHOOL
        ))
        .await
        .unwrap();
    check_page(&browser, "roll-call", Device::Desktop).await;
    client
        .goto(&format!("{}/no-such-page", console.base))
        .await
        .unwrap();
    assert_eq!(text_of(&browser, "h1").await, "页面不存在");
    check_page(&browser, "not-found", Device::Desktop).await;
    browser.close().await;
}

/// Reloads today's page until `done` holds of the text of its `main`, for a while.
async fn until_today(
    browser: &Browser,
    console: &Console,
    what: &str,
    done: impl Fn(&str) -> bool,
) {
    let started = std::time::Instant::now();
    loop {
        browser.client.goto(&console.base).await.unwrap();
        let main = text_of(browser, "main").await;
        if done(&main) {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{what}: {main}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

async fn the_principal_reports_upward_and_the_township_acknowledges(backend: Backend) {
    let console = Console::start(backend).await;
    // The township's officer, on his phone: the reports overdue in his township (督办).
    let phone = Browser::open(Device::Phone).await;
    log_in_first_time(
        &phone,
        &console,
        TOWNSHIP_OFFICER,
        &console.one_time[TOWNSHIP_OFFICER],
    )
    .await;
    let supervise = text_of(&phone, "section[aria-labelledby=supervise-heading]").await;
    assert!(
        supervise.contains("刘小红") && supervise.contains("向乡镇政府报告"),
        "{supervise}"
    );
    shows(
        &phone,
        "section[aria-labelledby=acknowledge-heading]",
        "没有待确认的报告",
    )
    .await;
    check_page(&phone, "today-township-supervise", Device::Phone).await;

    // The principal, at her desk: the day-3 visit and the reports are hers.
    let browser = Browser::open(Device::Desktop).await;
    log_in_first_time(&browser, &console, PRINCIPAL, &console.one_time[PRINCIPAL]).await;
    let today = text_of(&browser, "section[aria-labelledby=overdue-heading]").await;
    assert!(
        today.contains("刘小红") && today.contains("向乡镇政府报告"),
        "{today}"
    );
    assert!(today.contains("家访"), "{today}");

    // Her school's ledger (台账), downloaded from today and read back: titled, her child in it.
    let href = href_of(&browser, "#ledger-xlsx").await;
    assert!(
        href.starts_with("/api/v1/exports/ledger?format=xlsx"),
        "{href}"
    );
    let bytes = download(&browser, &console, &href).await;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = calamine::Reader::sheet_names(&workbook)[0].clone();
    let cells: Vec<String> = calamine::Reader::worksheet_range(&mut workbook, &sheet)
        .unwrap()
        .cells()
        .map(|(_, _, cell)| cell.to_string())
        .collect();
    assert!(cells[0].contains("控辍保学工作台账"), "{cells:?}");
    assert!(cells.iter().any(|c| c.contains("刘小红")), "{cells:?}");

    // The home visit: the roles the step requires ticked beforehand, her own name filled in;
    // each name missing is asked for next to its field.
    click(&browser, "a.act[href$='/home-visit']").await;
    assert_eq!(text_of(&browser, "h1").await, "家访");
    shows(&browser, "main", "刘小红（5年级 5-1班）").await;
    for id in [
        "went_head_teacher",
        "went_responsible_leader",
        "went_principal",
    ] {
        let ticked = browser.client.find(Locator::Id(id)).await.unwrap();
        assert!(ticked.is_selected().await.unwrap(), "{id} is ticked");
    }
    check_page(&browser, "home-visit", Device::Desktop).await;
    submit(&browser).await;
    shows(&browser, "#name_head_teacher-error", "请填写班主任的姓名").await;
    shows(&browser, ".error-summary", "请选择家访结果").await;
    check_page(&browser, "home-visit-errors", Device::Desktop).await;
    fill(&browser, "name_head_teacher", "陈老师").await;
    fill(&browser, "name_responsible_leader", "孙主任").await;
    browser
        .client
        .find(Locator::Css("input[name=outcome][value=agreed_to_return]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The measures the visit took (劝返措施), in the plan's words: two of them ticked.
    shows(&browser, "#measures", "以法治辍").await;
    for id in ["measure_legal_education", "measure_persuasion_with_care"] {
        let tick = browser.client.find(Locator::Id(id)).await.unwrap();
        tick.click().await.unwrap();
    }
    photograph_at(
        &browser,
        "#measures",
        "home-visit-measures",
        Device::Desktop,
    )
    .await;
    submit(&browser).await;
    assert_eq!(text_of(&browser, "h1").await, "今日待办");
    let events = notoneless_store::log::case_events(&console.store.db, "case-2")
        .await
        .unwrap();
    let visit = events
        .iter()
        .find(|e| e.event_type.contains("HomeVisit"))
        .expect("the visit is recorded");
    assert_eq!(
        visit.payload.to_string().matches("\"role\"").count(),
        3,
        "three took part: {}",
        visit.payload
    );

    assert!(
        visit
            .payload
            .to_string()
            .contains(r#""measures":["legal_education","persuasion_with_care"]"#),
        "the measures are recorded: {}",
        visit.payload
    );
    // The child's page names them.
    browser
        .client
        .goto(&format!("{}/cases/case-2", console.base))
        .await
        .unwrap();
    shows(&browser, "ol.facts", "劝返措施：以法治辍、以情劝学").await;
    check_page(&browser, "case-measures", Device::Desktop).await;
    photograph_at(&browser, "ol.facts", "case-measures-facts", Device::Desktop).await;
    // And the timeline.
    browser
        .client
        .goto(&format!("{}/cases/case-2/timeline", console.base))
        .await
        .unwrap();
    shows(&browser, "ol.timeline", "劝返措施：以法治辍、以情劝学").await;
    browser.client.goto(&console.base).await.unwrap();

    // The report upward: one form naming both recipients, each report with its reference.
    click(&browser, "a.act[href$='/report']").await;
    assert_eq!(text_of(&browser, "h1").await, "上报");
    for id in ["to_township_government", "to_county_bureau"] {
        let ticked = browser.client.find(Locator::Id(id)).await.unwrap();
        assert!(ticked.is_selected().await.unwrap(), "{id} is ticked");
    }
    check_page(&browser, "report", Device::Desktop).await;
    submit(&browser).await;
    shows(
        &browser,
        "#reference_township_government-error",
        "请填写文号",
    )
    .await;
    fill(&browser, "reference_township_government", "公小〔2023〕7号").await;
    fill(&browser, "reference_county_bureau", "公小〔2023〕80号").await;
    fill(&browser, "summary", "连续三天未到校，家访后家长同意返校。").await;
    submit(&browser).await;
    // First the page that checks it: each report as it will be filed; nothing recorded yet.
    assert_eq!(text_of(&browser, "h1").await, "核对上报内容");
    let answers = text_of(&browser, "main").await;
    for expected in [
        "报乡镇政府",
        "公小〔2023〕7号",
        "报县教育局",
        "公小〔2023〕80号",
        "2023年11月10日",
        "张校长 · 校长",
        "连续三天未到校",
    ] {
        assert!(answers.contains(expected), "{expected:?} in {answers}");
    }
    assert_eq!(recorded(&console, "case-2", "ReportSubmitted").await, 0);
    check_page(&browser, "report-check", Device::Desktop).await;
    // "Change" the bureau's reference: back to the form, every value kept.
    click(
        &browser,
        "button[name=change][value=reference_county_bureau]",
    )
    .await;
    assert_eq!(text_of(&browser, "h1").await, "上报");
    let kept = browser
        .client
        .find(Locator::Id("reference_township_government"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("公小〔2023〕7号"));
    fill(&browser, "reference_county_bureau", "公小〔2023〕8号").await;
    submit(&browser).await;
    assert_eq!(text_of(&browser, "h1").await, "核对上报内容");
    let answers = text_of(&browser, "main").await;
    assert!(
        answers.contains("公小〔2023〕8号") && !answers.contains("公小〔2023〕80号"),
        "{answers}"
    );
    assert_eq!(recorded(&console, "case-2", "ReportSubmitted").await, 0);
    // Filed with a double tap: each report once.
    double_confirm(&browser).await;
    assert_eq!(text_of(&browser, "h1").await, "今日待办");
    assert_eq!(
        recorded(&console, "case-2", "ReportSubmitted").await,
        2,
        "a report to each recipient"
    );
    until_today(
        &browser,
        &console,
        "the reports leave the principal's list",
        |main| !main.contains("向乡镇政府报告") && !main.contains("向县教育局报告"),
    )
    .await;
    browser.close().await;

    // The township's officer: the report to acknowledge, one tap; it leaves his list.
    until_today(
        &phone,
        &console,
        "the report reaches the township",
        |main| main.contains("确认收到"),
    )
    .await;
    let acknowledge = text_of(&phone, "section[aria-labelledby=acknowledge-heading]").await;
    assert!(
        acknowledge.contains("刘小红") && acknowledge.contains("上报于2023年11月10日"),
        "{acknowledge}"
    );
    shows(
        &phone,
        "section[aria-labelledby=supervise-heading]",
        "没有逾期未报的学生",
    )
    .await;
    check_page(&phone, "today-township", Device::Phone).await;
    click(&phone, "form.ack button").await;
    assert_eq!(text_of(&phone, "h1").await, "今日待办");
    assert_eq!(
        recorded(&console, "case-2", "ReportAcknowledged").await,
        1,
        "acknowledged once"
    );
    until_today(
        &phone,
        &console,
        "the acknowledged report leaves his list",
        |main| !main.contains("确认收到"),
    )
    .await;
    phone.close().await;
}

async fn a_report_refused_in_part_says_what_was_filed_and_files_the_rest_when_sent_again(
    backend: Backend,
) {
    use notoneless_domain::{CaseAction, Participant, Recipient, Report, Role};
    let console = Console::start(backend).await;
    // An earlier report to the bureau holds the reference the principal will give again.
    notoneless_store::testing::run(
        &console.store,
        "case-2",
        CaseAction::ReportUpward(Report {
            on: "2023-11-10".parse().unwrap(),
            recipient: Recipient::CountyBureau,
            reference: "公小〔2023〕8号".into(),
            signed_by: Participant::new("张校长", Role::Principal),
            summary: None,
        }),
    )
    .await;
    let browser = Browser::open(Device::Phone).await;
    log_in_first_time(&browser, &console, PRINCIPAL, &console.one_time[PRINCIPAL]).await;
    browser
        .client
        .goto(&format!("{}/cases/case-2/report", console.base))
        .await
        .unwrap();
    fill(&browser, "reference_township_government", "公小〔2023〕7号").await;
    fill(&browser, "reference_county_bureau", "公小〔2023〕8号").await;
    submit(&browser).await;
    assert_eq!(text_of(&browser, "h1").await, "核对上报内容");
    check_page(&browser, "report-check", Device::Phone).await;
    photograph_at(&browser, "#confirm", "report-check-end", Device::Phone).await;
    click(&browser, "#confirm").await;
    // The township's is filed, the bureau's is not: the page says so, the refusal is next to
    // the bureau's reference.
    assert_eq!(text_of(&browser, "h1").await, "上报");
    shows(&browser, ".notice", "已报送：乡镇政府").await;
    shows(&browser, ".notice", "未报送：县教育局").await;
    let error = text_of(&browser, "#reference_county_bureau-error").await;
    assert!(error.contains("公小〔2023〕8号"), "{error}");
    check_page(&browser, "report-refused-in-part", Device::Phone).await;
    assert_eq!(recorded(&console, "case-2", "ReportSubmitted").await, 2);
    // Sent again with another reference for the bureau: only the bureau's is filed.
    fill(&browser, "reference_county_bureau", "公小〔2023〕9号").await;
    submit(&browser).await;
    assert_eq!(text_of(&browser, "h1").await, "核对上报内容");
    click(&browser, "#confirm").await;
    assert_eq!(text_of(&browser, "h1").await, "今日待办");
    assert_eq!(
        recorded(&console, "case-2", "ReportSubmitted").await,
        3,
        "the township's report is not filed twice"
    );
    browser.close().await;
}

conformance!(
    a_head_teacher_logs_in_on_her_phone_and_sees_todays_steps,
    the_pages_fit_a_desktop_too,
    the_principal_reports_upward_and_the_township_acknowledges,
    a_report_refused_in_part_says_what_was_filed_and_files_the_rest_when_sent_again
);
