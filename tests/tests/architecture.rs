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

/// The packages in the domain crate's normal (non-dev) dependency tree.
fn domain_dependencies() -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args([
            "tree",
            "--package",
            "notoneless-domain",
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

#[test]
fn the_domain_crate_depends_on_no_database_driver_or_web_stack() {
    let forbidden = [
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
    let dependencies = domain_dependencies();
    assert!(
        dependencies.iter().any(|d| d == "cqrs-es"),
        "the tree was read: {dependencies:?}"
    );
    let found: Vec<&String> = dependencies
        .iter()
        .filter(|d| {
            forbidden
                .iter()
                .any(|f| d.as_str() == *f || d.starts_with(&format!("{f}-")))
        })
        .collect();
    assert!(
        found.is_empty(),
        "the domain crate must do no I/O, but depends on {found:?}"
    );
}

#[test]
fn the_domain_code_calls_no_clock_file_network_or_tokio_api() {
    let forbidden = [
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
    // Every source file, those in module folders (`review/`) too.
    let mut folders = vec![workspace_root().join("crates/domain/src")];
    let mut paths = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("crates/domain/src exists") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                paths.push(path);
            }
        }
    }
    let mut files = 0;
    for path in paths {
        if path.extension().is_some_and(|e| e == "rs") {
            files += 1;
            let text = std::fs::read_to_string(&path).expect("a source file");
            for (number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for call in forbidden {
                    assert!(
                        !code.contains(call),
                        "{}:{}: the domain crate must not use {call}",
                        path.display(),
                        number + 1
                    );
                }
            }
        }
    }
    assert!(files >= 5, "the domain sources were read ({files} files)");
}
