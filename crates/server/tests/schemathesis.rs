//! The served OpenAPI document tells the truth: schemathesis (from PyPI, installed by
//! `scripts/test`) generates requests from `/api/openapi.json` and sends them to the real
//! binary (`notoneless serve --demo` on a throwaway SQLite data directory), once as the
//! county's bureau officer and once as a head teacher, with every check it has (`--checks
//! all`): no answer is a 5xx, every status, content type, header and body is the one the
//! document declares, a request the schema forbids is refused and one it allows is
//! accepted (or refused by a rule of the plan with 422: `schemathesis.toml`), a request
//! without the bearer token is refused. The seed is fixed; `SCHEMATHESIS_MAX_EXAMPLES`
//! raises the budget (default 20 an operation). The figures are printed with the output.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common::DemoServer;

const SEED: &str = "20261128";
const DEFAULT_MAX_EXAMPLES: u32 = 20;
/// The demo users the document is tested as: the whole county, and one school's class.
const USERS: [&str; 2] = ["chen", "ht-gyz-middle"];

/// `GET path` over plain HTTP/1.0; the status code, if the server answered.
fn status_of(address: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.split_whitespace().nth(1)?.parse().ok()
}

/// The figures of one run, read from schemathesis's summary.
#[derive(Debug, Default)]
struct Figures {
    /// The operations in the document.
    selected: Option<u64>,
    operations: Option<u64>,
    cases: Option<u64>,
    failures: u64,
}

fn figures(output: &str) -> Figures {
    let mut figures = Figures::default();
    let mut lines = output.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if let Some(selected) = line.strip_prefix("Selected: ") {
            // "50/50"
            figures.selected = selected
                .split('/')
                .nth(1)
                .and_then(|n| n.trim().parse().ok());
        }
        if let Some(tested) = line.strip_prefix("Tested: ") {
            figures.operations = tested.trim().parse().ok();
        }
        if line == "Test cases:" {
            // "3228 generated, 1 found 1 unique failure, 48 skipped"
            if let Some(next) = lines.next() {
                figures.cases = next.split_whitespace().next().and_then(|n| n.parse().ok());
                let words: Vec<&str> = next.split_whitespace().collect();
                figures.failures = words
                    .windows(2)
                    .find(|w| w[1].starts_with("unique"))
                    .and_then(|w| w[0].parse().ok())
                    .unwrap_or(0);
            }
        }
    }
    figures
}

#[test]
fn schemathesis_finds_no_server_error_and_no_answer_the_document_does_not_declare() {
    let version = Command::new("python3")
        .args(["-m", "schemathesis.cli", "--version"])
        .output();
    let installed = version.as_ref().is_ok_and(|o| o.status.success());
    assert!(
        installed,
        "schemathesis is not installed for python3; `scripts/test` installs it \
         (python3 -m pip install schemathesis==4.32.5): {version:?}"
    );
    let max_examples: u32 = std::env::var("SCHEMATHESIS_MAX_EXAMPLES")
        .ok()
        .map(|n| {
            n.parse()
                .expect("SCHEMATHESIS_MAX_EXAMPLES is a number of examples")
        })
        .unwrap_or(DEFAULT_MAX_EXAMPLES);

    // schemathesis sends wrong tokens on purpose (the `ignored_auth` check); the failure
    // limit itself is tested in serve.rs and the API's threat tests.
    let mut server =
        DemoServer::start("schemathesis", &["--auth-failure-limit", "1000000"], "warn");
    let address = server.address.clone();
    let tokens: Vec<(String, String)> = USERS
        .iter()
        .filter_map(|user| Some((user.to_string(), server.token(user)?)))
        .collect();
    assert_eq!(
        tokens.len(),
        USERS.len(),
        "the demo prints the users' tokens"
    );

    let started = Instant::now();
    while status_of(&address, "/readyz") != Some(200) {
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the server becomes ready"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // schemathesis and hypothesis keep files in the working directory: give them a scratch one.
    let scratch = server.dir.join("schemathesis");
    std::fs::create_dir_all(&scratch).unwrap();
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml");
    let schema = format!("http://{address}/api/openapi.json");
    let mut failed = Vec::new();
    for (user, token) in &tokens {
        let run = Instant::now();
        let output = Command::new("python3")
            .args([
                "-m",
                "schemathesis.cli",
                "--config-file",
                config,
                "run",
                &schema,
            ])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args(["--checks", "all"])
            .args(["--phases", "examples,coverage,fuzzing,stateful"])
            .args(["--max-examples", &max_examples.to_string()])
            .args(["--seed", SEED])
            .args(["--workers", "2"])
            // A debug build on two shared cores is slow; a request that takes a minute is
            // still a finding (a network error fails the run).
            .args(["--request-timeout", "60"])
            .args(["--generation-database", "none"])
            .args(["--no-color", "--output-truncate", "true"])
            .current_dir(&scratch)
            .output()
            .expect("schemathesis runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let figures = figures(&stdout);
        // schemathesis hides the Authorization header itself; never print the token.
        let shown = format!("{stdout}{stderr}").replace(token.as_str(), "[token]");
        println!(
            "schemathesis as {user}: {} operations tested, {} test cases generated, {} \
             failures, in {:.0} s (seed {SEED}, at most {max_examples} examples an \
             operation)",
            figures.operations.map_or("?".into(), |n| n.to_string()),
            figures.cases.map_or("?".into(), |n| n.to_string()),
            figures.failures,
            run.elapsed().as_secs_f64(),
        );
        if !output.status.success() || figures.operations.is_none() {
            println!("{shown}");
            failed.push(format!("{user}: {}", output.status));
            continue;
        }
        assert!(
            figures.operations.is_some_and(|n| n > 0)
                && figures.operations == figures.selected
                && figures.cases.is_some_and(|n| n > 0),
            "schemathesis tested every operation with generated cases: {figures:?}\n{shown}"
        );
        assert_eq!(figures.failures, 0, "{shown}");
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
    let logs = server.log();
    for (_, token) in &tokens {
        assert!(!logs.contains(token.as_str()), "no token in the logs");
    }
    assert!(failed.is_empty(), "schemathesis failed: {failed:?}");
}
