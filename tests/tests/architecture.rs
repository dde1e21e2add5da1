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

/// Every call of [`IO_CALLS`] in the sources of `crate_dir` (its module folders too), as
/// "file:line: call"; and how many files were read.
fn io_calls(crate_dir: &str) -> (Vec<String>, usize) {
    let files = rust_files(&workspace_root().join(crate_dir).join("src"));
    let mut found = Vec::new();
    for path in &files {
        for (number, code) in code_lines(path) {
            for call in IO_CALLS.iter().filter(|call| code.contains(*call)) {
                found.push(format!("{}:{number}: {call}", path.display()));
            }
        }
    }
    (found, files.len())
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

#[test]
fn every_read_of_the_time_of_day_goes_through_the_injected_clock() {
    // `Instant::now` measures durations and stays allowed; the time of day comes from
    // `notoneless_store::Clock`, so that a test or a training server can set it.
    let forbidden = ["Utc::now", "Local::now", "SystemTime::now"];
    let root = workspace_root();
    let the_clock = root.join("crates/store/src/clock.rs");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root.join("crates")).expect("crates/ exists") {
        files.extend(rust_files(
            &entry.expect("a directory entry").path().join("src"),
        ));
    }
    assert!(
        files.len() >= 30,
        "the sources were read ({} files)",
        files.len()
    );
    for path in files.iter().filter(|p| **p != the_clock) {
        for (number, code) in code_lines(path) {
            for call in forbidden {
                assert!(
                    !code.contains(call),
                    "{}:{number}: read the time through the store's Clock, not {call}",
                    path.display(),
                );
            }
        }
    }
}

/// Every `.rs` file under `dir`, in its sub-folders too.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The lines of a source file without their comments, numbered from 1.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(path)
        .expect("a source file")
        .lines()
        .enumerate()
        .map(|(n, line)| {
            (
                n + 1,
                line.split("//").next().unwrap_or_default().to_string(),
            )
        })
        .collect()
}
