//! The bureau's and the inspectors' pages in Chromium: an inspector finds a child by name,
//! opens the case's timeline (a late entry marked), compares "as of" a day with "as known at"
//! a time and sees the back-filled call, runs the review and downloads its XLSX (read back
//! here), then looks at the county's dashboard and the record's proof. Every page is checked
//! by axe-core, weighed, and photographed at a desktop's and a phone's width.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use common::{
    Browser, Console, Device, check_page, click, download, fill, href_of, open, submit, text_of,
};
use fantoccini::Locator;
use notoneless_domain::fixtures::{at, opening, parent_contact};
use notoneless_domain::{CaseAction, OrgCommand, Role, User, UserRole};
use notoneless_store::conformance;
use notoneless_store::db::Backend;
use notoneless_store::testing::{absent, context, run};

const INSPECTOR: &str = "zhou";
const INSPECTOR_PASSWORD: &str = "督学检查要认真负责2023";

/// The county of `Console::start`, an inspector of the county, and the child's parents' call
/// of 10 November recorded only on the 14th: a late entry (事后补录).
async fn county_with_a_late_entry(backend: Backend) -> (Console, String) {
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
        .unwrap()
        .password
        .expose()
        .to_string();
    run(store, "case-1", absent("2023-11-10")).await;
    console.clock.set(at("2023-11-14", "09:00"));
    run(
        store,
        "case-1",
        CaseAction::RecordParentContact(parent_contact("2023-11-10", Role::HeadTeacher)),
    )
    .await;
    // A second child, away since Monday: the dashboard has someone away and a step overdue.
    let mut opening = opening("2023-11-13");
    opening.student.name = "张小红".into();
    opening.student.student_number = "G211324201103035679".into();
    run(store, "case-3", CaseAction::OpenCase(opening)).await;
    run(store, "case-3", absent("2023-11-13")).await;
    // A signed checkpoint of the log, for the proof page.
    notoneless_store::checkpoints::write_checkpoint(
        &store.db,
        &store.signer,
        console.clock.as_ref(),
    )
    .await
    .unwrap();
    (console, one_time)
}

/// Logs the inspector in, choosing her own password for her one-time one.
async fn log_in(browser: &Browser, console: &Console, one_time: &str) {
    browser
        .client
        .goto(&format!("{}/login", console.base))
        .await
        .unwrap();
    fill(browser, "user", INSPECTOR).await;
    fill(browser, "password", one_time).await;
    submit(browser).await;
    fill(browser, "password", one_time).await;
    fill(browser, "new_password", INSPECTOR_PASSWORD).await;
    submit(browser).await;
    assert!(text_of(browser, ".who").await.contains("周督学"));
}

async fn an_inspector_finds_a_child_replays_the_case_and_runs_the_review(backend: Backend) {
    let (console, one_time) = county_with_a_late_entry(backend).await;
    let browser = Browser::open(Device::Desktop).await;
    let client = &browser.client;
    log_in(&browser, &console, &one_time).await;

    // Search by name: the child, her grade, class and school, linking to the timeline.
    open(&browser, &console, "/search", "查找学生").await;
    check_page(&browser, "search", Device::Desktop).await;
    fill(&browser, "q", "王小明").await;
    submit(&browser).await;
    let found = text_of(&browser, ".found").await;
    assert!(found.contains("王小明（7年级 7-2班）"), "{found}");
    assert!(found.contains("公营子中学"), "{found}");
    check_page(&browser, "search-results", Device::Desktop).await;

    // The timeline: every fact in order, the call of the 10th marked as entered late.
    click(&browser, ".found a.child").await;
    assert_eq!(text_of(&browser, "h1").await, "案卷时间线");
    let late = text_of(&browser, ".event.late").await;
    assert!(late.contains("联系家长"), "{late}");
    assert!(late.contains("事后补录：晚 4 天录入"), "{late}");
    let timeline = text_of(&browser, ".timeline").await;
    assert!(timeline.contains("立案"), "{timeline}");
    check_page(&browser, "timeline", Device::Desktop).await;

    // As of the 14th (the form's default: today) against as known at the 12th: the call is
    // the back-fill.
    assert_eq!(
        client
            .find(Locator::Id("day"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("2023-11-14")
    );
    fill(&browser, "time", "2023-11-12 18:00").await;
    submit(&browser).await;
    let back_filled = text_of(&browser, "#back-filled").await;
    assert!(back_filled.contains("联系家长"), "{back_filled}");
    assert!(back_filled.contains("2023年11月14日"), "{back_filled}");
    let sides = client.find_all(Locator::Css(".side")).await.unwrap();
    assert_eq!(sides.len(), 2);
    let (as_of, known_at) = (
        sides[0].text().await.unwrap(),
        sides[1].text().await.unwrap(),
    );
    assert!(as_of.contains("2023年11月10日 联系家长"), "{as_of}");
    assert!(!known_at.contains("2023年11月10日 联系家长"), "{known_at}");
    assert!(known_at.contains("联系家长 · 已逾期"), "{known_at}");
    check_page(&browser, "timeline-compare", Device::Desktop).await;

    // The review of November so far: the late entry, under its kind and school, linking to
    // the timeline at its day.
    open(&browser, &console, "/review", "问责审查").await;
    submit(&browser).await;
    let findings = text_of(&browser, "section[aria-label='事后补录']").await;
    assert!(findings.contains("公营子中学"), "{findings}");
    assert!(findings.contains("王小明"), "{findings}");
    assert_eq!(
        href_of(&browser, "section[aria-label='事后补录'] a").await,
        "/cases/case-1/timeline?day=2023-11-10"
    );
    check_page(&browser, "review", Device::Desktop).await;

    // The XLSX download, read back: the late entry and the child are in it.
    let href = href_of(&browser, "#download-xlsx").await;
    let bytes = download(&browser, &console, &href).await;
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).unwrap();
    let cells: Vec<String> = range
        .cells()
        .filter_map(|(_, _, cell)| match cell {
            Data::String(text) => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert!(cells.iter().any(|c| c.contains("事后补录")), "{cells:?}");
    assert!(cells.iter().any(|c| c.contains("王小明")), "{cells:?}");

    // The county's dashboard and the record's proof.
    open(&browser, &console, "/dashboard", "辖区概况").await;
    let table = text_of(&browser, "table").await;
    assert!(table.contains("公营子镇"), "{table}");
    // The township: three cases (the common county's two and this test's third), two children
    // away now: the third's parents' call and the common county's day-3 child's five steps
    // overdue.
    let township = text_of(&browser, "table tbody tr").await;
    assert!(township.contains("3 2 6"), "{township}");
    assert!(client.find(Locator::Css("svg.bars rect")).await.is_ok());
    check_page(&browser, "dashboard", Device::Desktop).await;
    open(&browser, &console, "/proof", "记录证明").await;
    let checkpoint = text_of(&browser, "dl.facts").await;
    let latest = notoneless_store::checkpoints::list_checkpoints(&console.store.db, 1, 0)
        .await
        .unwrap();
    assert!(
        checkpoint.contains(&latest[0].checkpoint.root),
        "the latest checkpoint's digest: {checkpoint}"
    );
    fill(&browser, "case_id", "case-1").await;
    submit(&browser).await;
    let proof = href_of(&browser, "#download-proof").await;
    assert_eq!(proof, "/api/v1/cases/case-1/proof");
    let proof: serde_json::Value =
        serde_json::from_slice(&download(&browser, &console, &proof).await).unwrap();
    assert!(
        proof.to_string().contains(&latest[0].checkpoint.root),
        "{proof}"
    );
    check_page(&browser, "proof", Device::Desktop).await;

    // Every read of the child's file is in the access log, as the API writes it.
    let (reads, _) = console
        .store
        .access
        .reads_of("case-1", 100, 0)
        .await
        .unwrap();
    let kinds: Vec<&str> = reads
        .iter()
        .filter(|r| r.actor == INSPECTOR)
        .map(|r| r.kind.as_str())
        .collect();
    for kind in [
        "search",
        "history",
        "timeline",
        "as_of",
        "as_known_at",
        "review",
        "review_export",
        "proof",
    ] {
        assert!(kinds.contains(&kind), "{kind} is logged: {kinds:?}");
    }
    browser.close().await;
}

async fn the_oversight_pages_fit_a_phone(backend: Backend) {
    let (console, one_time) = county_with_a_late_entry(backend).await;
    let browser = Browser::open(Device::Phone).await;
    log_in(&browser, &console, &one_time).await;
    for (name, path, heading) in [
        ("search-results", "/search?q=wxm", "查找学生"),
        (
            "timeline-compare",
            "/cases/case-1/timeline?day=2023-11-14&time=2023-11-12+18%3A00",
            "案卷时间线",
        ),
        (
            "review",
            "/review?from=2023-11-01&to=2023-11-14&scope=",
            "问责审查",
        ),
        ("dashboard", "/dashboard", "辖区概况"),
        ("proof", "/proof?case_id=case-1", "记录证明"),
    ] {
        open(&browser, &console, path, heading).await;
        check_page(&browser, name, Device::Phone).await;
    }
    // Pinyin initials find the child too.
    open(&browser, &console, "/search?q=wxm", "查找学生").await;
    assert!(text_of(&browser, ".found").await.contains("王小明"));
    // In English at a tap: the comparison of the timeline.
    open(
        &browser,
        &console,
        "/cases/case-1/timeline?day=2023-11-14&time=2023-11-12+18%3A00",
        "案卷时间线",
    )
    .await;
    click(&browser, "a[href^='/lang/en']").await;
    assert_eq!(text_of(&browser, "h1").await, "Case timeline");
    let back_filled = text_of(&browser, "#back-filled").await;
    assert!(
        back_filled.contains("contact with the parents of 2023-11-10, recorded only 2023-11-14"),
        "{back_filled}"
    );
    check_page(&browser, "timeline-compare-en", Device::Phone).await;
    browser.close().await;
}

conformance!(
    an_inspector_finds_a_child_replays_the_case_and_runs_the_review,
    the_oversight_pages_fit_a_phone
);
