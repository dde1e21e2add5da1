//! The console in a real browser: the application (with its pages) on port 0 against a fresh
//! database holding a small county, and Debian's Chromium, headless, driven over WebDriver by
//! `chromedriver` (installed by `scripts/test`). A phone is a 360×740 viewport; a desktop
//! 1280×900. Screenshots go to `target/screenshots` (the README's four also to
//! `docs/screenshots` with `NOL_UPDATE_SCREENSHOTS=1`). Every page is checked by axe-core (vendored).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use notoneless_api::application::{Application, Config, Running};
use notoneless_api::security::SecurityConfig;
use notoneless_domain::fixtures::{at, calendar, ladder, opening};
use notoneless_domain::{CaseAction, Node, NodeKind, OrgCommand, User, UserRole};
use notoneless_store::db::Backend;
use notoneless_store::testing::{FixedClock, TestDb, absent, context, run};
use notoneless_store::{Rules, Store};
use serde_json::{Value, json};

pub const SCHOOL: &str = "kazuo-gyz-middle";
pub const TEACHER: &str = "li";
pub const TEACHER_NAME: &str = "李老师";
/// A second school of the township, whose principal reports a child absent three days.
pub const SCHOOL2: &str = "kazuo-gyz-primary";
pub const PRINCIPAL: &str = "zhang";
pub const TOWNSHIP_OFFICER: &str = "zhao";

/// The application with the console, a county of one township and two schools: at the first,
/// its head teacher (with a one-time password) and one child absent yesterday (the parents'
/// call is overdue); at the second, its principal and a child absent three days (the reports
/// to the township and the bureau are due); the township's officer.
pub struct Console {
    pub base: String,
    pub store: Arc<Store>,
    pub clock: Arc<FixedClock>,
    /// The head teacher's one-time password.
    pub one_time_password: String,
    /// Each user's one-time password, by user id.
    pub one_time: std::collections::BTreeMap<String, String>,
    _running: Running,
    _db: TestDb,
}

impl Console {
    pub async fn start(backend: Backend) -> Self {
        let db = TestDb::new(backend).await;
        let clock = FixedClock::at(at("2023-11-10", "08:00"));
        let application = Application::build(Config {
            database_url: db.url.clone(),
            rules: Rules {
                calendar: calendar(),
                ladder: ladder(),
            },
            clock: clock.clone(),
            security: SecurityConfig::default(),
            listen: "127.0.0.1:0".parse().unwrap(),
            connect_attempts: 1,
            signing_key: notoneless_store::testing::test_key(),
        })
        .await
        .unwrap()
        .with_console(notoneless_web::console());
        let store = application.store().clone();
        for (id, kind, name, parent) in [
            ("kazuo", NodeKind::County, "喀左县", None),
            ("gongyingzi", NodeKind::Township, "公营子镇", Some("kazuo")),
            (SCHOOL, NodeKind::School, "公营子中学", Some("gongyingzi")),
            (SCHOOL2, NodeKind::School, "公营子小学", Some("gongyingzi")),
        ] {
            let node = Node {
                id: id.into(),
                kind,
                name: name.into(),
                parent: parent.map(str::to_string),
            };
            store
                .org
                .execute(OrgCommand::AddNode(node), &context(None))
                .await
                .unwrap();
        }
        let mut one_time = std::collections::BTreeMap::new();
        for (id, name, role, node) in [
            (TEACHER, TEACHER_NAME, UserRole::HeadTeacher, SCHOOL),
            (PRINCIPAL, "张校长", UserRole::Principal, SCHOOL2),
            (
                TOWNSHIP_OFFICER,
                "赵干事",
                UserRole::TownshipOfficer,
                "gongyingzi",
            ),
        ] {
            let user = User {
                id: id.into(),
                name: name.into(),
                role,
                node: node.into(),
            };
            store
                .org
                .execute(OrgCommand::AddUser(user), &context(None))
                .await
                .unwrap();
            let password = store.reset_password(id, &context(None)).await.unwrap();
            one_time.insert(id.to_string(), password.password.expose().to_string());
        }
        let one_time_password = one_time[TEACHER].clone();
        clock.set(at("2023-11-09", "08:00"));
        run(
            &store,
            "case-1",
            CaseAction::OpenCase(opening("2023-11-09")),
        )
        .await;
        run(&store, "case-1", absent("2023-11-09")).await;
        clock.set(at("2023-11-07", "08:00"));
        let mut second = opening("2023-11-07");
        second.student.school = SCHOOL2.into();
        second.student.student_number = "G211324201101025678".into();
        second.student.name = "刘小红".into();
        second.student.grade = 5;
        second.student.class = "5-1".into();
        run(&store, "case-2", CaseAction::OpenCase(second)).await;
        for day in ["2023-11-07", "2023-11-08", "2023-11-09"] {
            clock.set(at(day, "08:00"));
            run(&store, "case-2", absent(day)).await;
        }
        clock.set(at("2023-11-10", "08:00"));
        let running = application.spawn().unwrap();
        // The projector writes the read models beside the server: wait for the queue.
        let started = Instant::now();
        while notoneless_store::read_model::work_queue(
            &store.db,
            &notoneless_api::cases::queue::queue_of(UserRole::Principal).unwrap(),
            None,
            clock.now_value(),
            10,
        )
        .await
        .unwrap()
        .is_empty()
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the projector catches up"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            base: format!("http://{}", running.address),
            store,
            clock,
            one_time_password,
            one_time,
            _running: running,
            _db: db,
        }
    }
}

/// A viewport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    Phone,
    Desktop,
}

impl Device {
    pub fn name(self) -> &'static str {
        match self {
            Device::Phone => "phone",
            Device::Desktop => "desktop",
        }
    }
}

/// The screenshots the README shows, kept in `docs/screenshots`.
pub const README_SCREENSHOTS: [&str; 4] = [
    "today-phone.png",
    "timeline-desktop.png",
    "review-desktop.png",
    "dashboard-desktop.png",
];

/// `chromedriver` on a free port, and a headless Chromium session through it.
pub struct Browser {
    pub client: Client,
    driver: Child,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    pub async fn open(device: Device) -> Self {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (scripts/test installs Debian's chromium-driver)");
        let url = format!("http://127.0.0.1:{port}");
        let mut options = json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--lang=zh-CN", "--hide-scrollbars"],
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
        });
        match device {
            Device::Phone => {
                options["mobileEmulation"] = json!({
                    "deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2.0},
                    "userAgent": "Mozilla/5.0 (Linux; Android 12; Phone) AppleWebKit/537.36 \
                        (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36 MicroMessenger/8.0"
                });
            }
            Device::Desktop => {
                options["args"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!("--window-size=1280,900"));
            }
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(error) => {
                    assert!(
                        started.elapsed() < Duration::from_secs(30),
                        "chromedriver answers: {error}"
                    );
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        };
        Self { client, driver }
    }

    /// Saves a screenshot of the page as `target/screenshots/<name>-<device>.png`; with
    /// `NOL_UPDATE_SCREENSHOTS=1`, the ones the README shows ([`README_SCREENSHOTS`]) also to
    /// `docs/screenshots`.
    pub async fn screenshot(&self, name: &str, device: Device) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let file = format!("{name}-{}.png", device.name());
        let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
        if std::env::var_os("NOL_UPDATE_SCREENSHOTS").is_some()
            && README_SCREENSHOTS.contains(&file.as_str())
        {
            let docs = root.join("docs/screenshots");
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::write(docs.join(&file), &png).unwrap();
        }
        let dir = root.join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(file);
        std::fs::write(&path, png).unwrap();
        path
    }

    /// The serious and critical violations axe-core finds on the page (vendored axe-core).
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let axe = include_str!("../vendor/axe.min.js");
        // The page's CSP forbids inline script; WebDriver's script runs outside it.
        self.client.execute(axe, vec![]).await.unwrap();
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {resultTypes: ['violations']})
                    .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                        .map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        match found {
            Value::Array(items) => items.into_iter().map(|v| v.to_string()).collect(),
            other => vec![format!("axe answered {other}")],
        }
    }

    /// The bytes the page and its parts took over the network (compressed), per the
    /// browser's resource timing.
    pub async fn transferred_bytes(&self) -> u64 {
        let total = self
            .client
            .execute(
                "const nav = performance.getEntriesByType('navigation')[0];
                 let total = nav ? nav.transferSize : 0;
                 for (const r of performance.getEntriesByType('resource')) total += r.transferSize;
                 return total;",
                vec![],
            )
            .await
            .unwrap();
        total.as_u64().unwrap_or(0)
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

// ---- Walking the pages: what every browser test does on a page ---------------------------

/// Each page of the console is at most this many bytes over the network, compressed.
pub const MAX_PAGE_BYTES: u64 = 100 * 1024;

pub async fn check_page(browser: &Browser, name: &str, device: Device) {
    let violations = browser.accessibility_violations().await;
    assert!(
        violations.is_empty(),
        "{name} ({}) has no serious or critical accessibility violations: {violations:#?}",
        device.name()
    );
    let bytes = browser.transferred_bytes().await;
    assert!(
        bytes <= MAX_PAGE_BYTES,
        "{name} takes {bytes} bytes over the network"
    );
    browser.screenshot(name, device).await;
}

/// The text of the first element `css` finds, waiting a while for it to appear.
pub async fn text_of(browser: &Browser, css: &str) -> String {
    let found = browser
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await;
    match found {
        Ok(element) => element.text().await.unwrap(),
        Err(error) => {
            let shot = browser.screenshot("failed", Device::Phone).await;
            let source = browser.client.source().await.unwrap_or_default();
            panic!("no {css} on the page ({error}); screenshot {shot:?}; page:\n{source}")
        }
    }
}

pub async fn fill(browser: &Browser, id: &str, value: &str) {
    let field = browser
        .client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("the page has the field {id}"));
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

/// Submits the page's form and waits for the next page to replace this one.
pub async fn submit(browser: &Browser) {
    click(browser, "main form button[type=submit]").await;
}

/// Waits until `page` (the old page's root element) is gone.
pub async fn wait_for_new_page(page: fantoccini::elements::Element) {
    let started = std::time::Instant::now();
    while page.tag_name().await.is_ok() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the next page comes"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Follows the link or presses the button `css` finds, and waits for the next page.
pub async fn click(browser: &Browser, css: &str) {
    let page = browser.client.find(Locator::Css("html")).await.unwrap();
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_new_page(page).await;
}

/// Where the link `css` finds goes.
pub async fn href_of(browser: &Browser, css: &str) -> String {
    let link = browser.client.find(Locator::Css(css)).await.unwrap();
    link.attr("href")
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{css} has an href"))
}

/// The bytes at `href` (a path of the console's server), fetched with the browser's session
/// cookie, as the browser's download would be (the pages' CSP lets no script fetch anything).
pub async fn download(browser: &Browser, console: &Console, href: &str) -> Vec<u8> {
    let (status, body) = get_with_session(browser, console, href).await;
    assert_eq!(status, 200, "the download is served");
    body
}

/// The password a user chooses at their first login in these tests.
pub const OWN_PASSWORD: &str = "春天的柳树发芽了2023";

/// Logs in with a one-time password, choosing [`OWN_PASSWORD`] at this first login.
pub async fn log_in_first_time(browser: &Browser, console: &Console, user: &str, password: &str) {
    log_in(browser, console, user, password).await;
    fill(browser, "password", password).await;
    fill(browser, "new_password", OWN_PASSWORD).await;
    submit(browser).await;
    assert_eq!(text_of(browser, "h1").await, "今日待办");
}

/// Sends the login form with `user`'s `password`.
pub async fn log_in(browser: &Browser, console: &Console, user: &str, password: &str) {
    browser
        .client
        .goto(&format!("{}/login", console.base))
        .await
        .unwrap();
    fill(browser, "user", user).await;
    fill(browser, "password", password).await;
    submit(browser).await;
}

/// Goes to the console's `path` and checks the page's heading.
pub async fn open(browser: &Browser, console: &Console, path: &str, heading: &str) {
    browser
        .client
        .goto(&format!("{}{path}", console.base))
        .await
        .unwrap();
    assert_eq!(text_of(browser, "h1").await, heading, "{path}");
}

// ---- The admin's pages (tests/admin.rs, tests/admin_org.rs) ------------------------------

/// The county's admin of [`county_with_an_admin`].
pub const ADMIN: &str = "wang";

/// The county of `Console::start` and its admin, with her one-time password.
pub async fn county_with_an_admin(backend: Backend) -> (Console, String) {
    let console = Console::start(backend).await;
    let admin = User {
        id: ADMIN.into(),
        name: "王管理员".into(),
        role: UserRole::Admin,
        node: "kazuo".into(),
    };
    console
        .store
        .org
        .execute(OrgCommand::AddUser(admin), &context(None))
        .await
        .unwrap();
    let one_time = console
        .store
        .reset_password(ADMIN, &context(None))
        .await
        .unwrap()
        .password
        .expose()
        .to_string();
    (console, one_time)
}

// steps2: what the tests of the report's check page and of the proof page share.

/// Asserts that the first element `css` finds shows `text`.
pub async fn shows(browser: &Browser, css: &str, text: &str) {
    let shown = text_of(browser, css).await;
    assert!(shown.contains(text), "{css} shows {text:?}: {shown}");
}

/// Scrolls the element `css` finds to the top of the viewport and photographs it there (the
/// part of a long page `check_page`'s photograph does not reach).
pub async fn photograph_at(browser: &Browser, css: &str, name: &str, device: Device) {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView();",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
    browser.screenshot(name, device).await;
}

/// The status and body of a GET of the console's `path`, asked for with the browser's session
/// cookie.
async fn get_with_session(browser: &Browser, console: &Console, path: &str) -> (u16, Vec<u8>) {
    use http_body_util::{BodyExt, Empty};
    let session = browser
        .client
        .get_named_cookie("nol_session")
        .await
        .expect("the browser holds a session");
    let request = axum::http::Request::get(format!("{}{path}", console.base))
        .header("cookie", format!("nol_session={}", session.value()))
        .body(Empty::<axum::body::Bytes>::new())
        .unwrap();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let response = client.request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body.to_vec())
}

/// The HTTP status of the console's `path`, asked for with the browser's session.
pub async fn status_of(browser: &Browser, console: &Console, path: &str) -> u16 {
    get_with_session(browser, console, path).await.0
}

/// Sends the page's form twice at once, as a double tap does, and waits for the next page.
pub async fn double_submit(browser: &Browser) {
    let page = browser
        .client
        .find(fantoccini::Locator::Css("html"))
        .await
        .unwrap();
    browser
        .client
        .execute(
            "const f = document.querySelector('main form'); f.requestSubmit(); f.requestSubmit();",
            vec![],
        )
        .await
        .unwrap();
    wait_for_new_page(page).await;
}
