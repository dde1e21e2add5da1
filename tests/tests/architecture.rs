//! The architecture invariants of `docs/architecture.md`, checked. A failure here means a change
//! broke a rule the design depends on, not that a test needs updating.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace root")
        .to_path_buf()
}

/// The packages in a crate's normal (non-dev) dependency tree.
fn dependencies(package: &str) -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args([
            "tree",
            "--package",
            package,
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--offline",
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// The database drivers and the web stack: what a pure crate must not depend on.
const IO_CRATES: [&str; 14] = [
    "sqlx",
    "axum",
    "hyper",
    "reqwest",
    "postgres",
    "tokio-postgres",
    "rusqlite",
    "libsqlite3-sys",
    "sqlite",
    "mysql",
    "diesel",
    "sea-orm",
    "postgres-es",
    "sqlite-es",
];

/// Those of a crate's dependencies that do I/O.
fn io_dependencies(dependencies: &[String]) -> Vec<&String> {
    dependencies
        .iter()
        .filter(|d| {
            IO_CRATES
                .iter()
                .any(|f| d.as_str() == *f || d.starts_with(&format!("{f}-")))
        })
        .collect()
}

#[test]
fn the_domain_crate_depends_on_no_database_driver_or_web_stack() {
    let dependencies = dependencies("notoneless-domain");
    assert!(
        dependencies.iter().any(|d| d == "cqrs-es"),
        "the tree was read: {dependencies:?}"
    );
    let found = io_dependencies(&dependencies);
    assert!(
        found.is_empty(),
        "the domain crate must do no I/O, but depends on {found:?}"
    );
}

/// The fictional county's generator needs no database: the demo and nol-seed write it.
#[test]
fn the_county_generator_depends_on_no_database_driver_or_web_stack() {
    let dependencies = dependencies("notoneless-county");
    assert!(
        dependencies.iter().any(|d| d == "notoneless-domain"),
        "the tree was read: {dependencies:?}"
    );
    let found = io_dependencies(&dependencies);
    assert!(
        found.is_empty(),
        "the county generator must do no I/O, but depends on {found:?}"
    );
}

/// The calls a pure crate's code must not make.
const IO_CALLS: [&str; 13] = [
    "Utc::now",
    "Local::now",
    "SystemTime",
    "Instant::now",
    "std::fs",
    "std::net",
    "std::env",
    "std::process",
    "std::thread",
    "tokio::",
    "println!",
    "eprintln!",
    "unsafe",
];

/// Every call of [`IO_CALLS`] in the sources of `crate_dir`, as "file:line: call"; and how
/// many files were read.
fn io_calls(crate_dir: &str) -> (Vec<String>, usize) {
    let src = workspace_root().join(crate_dir).join("src");
    let mut found = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(&src).expect("the crate's sources exist") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            files += 1;
            let text = std::fs::read_to_string(&path).expect("a source file");
            for (number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for call in IO_CALLS.iter().filter(|call| code.contains(*call)) {
                    found.push(format!("{}:{}: {call}", path.display(), number + 1));
                }
            }
        }
    }
    (found, files)
}

#[test]
fn the_domain_code_calls_no_clock_file_network_or_tokio_api() {
    let (found, files) = io_calls("crates/domain");
    assert!(
        found.is_empty(),
        "the domain crate must not use these: {found:#?}"
    );
    assert!(files >= 5, "the domain sources were read ({files} files)");
}

/// The same county for the same parameters: the generator never reads the clock (every
/// date comes from its parameters) and does no I/O.
#[test]
fn the_county_generator_calls_no_clock_file_network_or_tokio_api() {
    let (found, files) = io_calls("crates/county");
    assert!(
        found.is_empty(),
        "the county generator must not use these: {found:#?}"
    );
    assert!(
        files >= 5,
        "the generator's sources were read ({files} files)"
    );
}
