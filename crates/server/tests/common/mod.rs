//! Running the `notoneless` binary as a user runs it, for the CLI tests. Each test binary
//! uses some of these.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs `notoneless` with these arguments (warnings and errors only on stderr).
pub fn notoneless(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_notoneless"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
