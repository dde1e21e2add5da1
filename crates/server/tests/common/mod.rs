//! Running the `notoneless` binary as a user runs it, for the CLI tests. Each test binary
//! uses some of these.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

/// Runs `notoneless` with these arguments (warnings and errors only on stderr).
pub fn notoneless(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_notoneless"))
        .args(args)
        .env("RUST_LOG", "warn")
        .env(
            "NOTONELESS_SIGNING_KEY",
            notoneless_store::testing::test_key_file(),
        )
        .output()
        .expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `notoneless serve --demo` on a fresh data directory and a free port, read as a terminal
/// reads it: both pipes are drained as they are written (a pipe nobody reads fills up, 64
/// KiB, and then the server blocks on its next line; sqlx warns of a slow statement with its
/// whole text, tens of kilobytes for a projector batch). Started, it has printed the demo up
/// to its last line ("演示已就绪", demo ready). Killed, and its data directory removed, when dropped.
pub struct DemoServer {
    pub child: std::process::Child,
    pub dir: std::path::PathBuf,
    pub address: String,
    /// What the demo printed up to its "ready" line: among it, a line per user, its token last.
    pub printed: Vec<String>,
    log: Option<std::thread::JoinHandle<String>>,
}

impl DemoServer {
    /// Starts it with these arguments besides the data directory and the address, logging at
    /// `rust_log`.
    pub fn start(name: &str, args: &[&str], rust_log: &str) -> Self {
        use std::io::{BufRead, BufReader, Read};
        use std::process::Stdio;

        let dir = std::env::temp_dir().join(format!("nol-{name}-{}", uuid::Uuid::new_v4()));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_notoneless"))
            .args(["serve", "--demo", "--data-dir", dir.to_str().unwrap()])
            .args(["--listen", &address])
            .args(args)
            .env("RUST_LOG", rust_log)
            .env(
                "NOTONELESS_SIGNING_KEY",
                notoneless_store::testing::test_key_file(),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let log = std::thread::spawn(move || {
            let mut logs = String::new();
            let _ = stderr.read_to_string(&mut logs);
            logs
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map_while(Result::ok);
        let mut printed = Vec::new();
        // The demo speaks Chinese unless asked for English (`--lang en` among `args`).
        let lang = if args.windows(2).any(|w| w == ["--lang", "en"]) {
            notoneless_i18n::Lang::En
        } else {
            notoneless_i18n::Lang::Zh
        };
        let ready_line = notoneless_i18n::Msg::CliDemoReady.text(lang);
        for line in lines.by_ref() {
            let ready = line.starts_with(&ready_line);
            printed.push(line);
            if ready {
                break;
            }
        }
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            dir,
            address,
            printed,
            log: Some(log),
        }
    }

    /// The token the demo printed for this user.
    pub fn token(&self, user: &str) -> Option<String> {
        self.printed.iter().find_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            (words.first() == Some(&user))
                .then(|| words.last().map(|t| t.to_string()))
                .flatten()
        })
    }

    /// The one-time password the demo printed for this user (the fourth word of their line).
    pub fn password(&self, user: &str) -> Option<String> {
        self.printed.iter().find_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            (words.first() == Some(&user) && words.len() == 5).then(|| words[3].to_string())
        })
    }

    /// Everything the server logged, once it has exited (stopped or killed).
    pub fn log(&mut self) -> String {
        self.log
            .take()
            .map(|reader| reader.join().unwrap())
            .unwrap_or_default()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
