//! What several integration tests share (`mod common;`): running the command-line binary,
//! proptest's settings and the golden case files. Each test crate uses only some of it.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};

/// Runs the `mc-playground` binary with `args`, `stdin` on its standard input; its exit status,
/// standard output and standard error once it has finished.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    finish(start(args, Stdio::piped(), Stdio::piped()), stdin)
}

/// Starts the `mc-playground` binary with `args`, its standard output and error going where
/// given, its standard input a pipe (for `finish`).
pub fn start(args: &[&str], stdout: Stdio, stderr: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_mc-playground"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("the binary starts")
}

/// Writes `stdin` to a started binary's standard input, closes it, and waits for the binary to
/// finish; what it wrote to the pipes it was given.
pub fn finish(mut child: Child, stdin: &str) -> Output {
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A new folder for one test's files, `mcp-NAME-PID` in the temporary folder (the test removes it).
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Proptest with a fixed seed and `cases` cases: CI sees the same cases on every run (a failure
/// found by a random seed is turned into a fixed regression case instead).
pub fn fixed_seed(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261130),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

/// The golden case files (`*.json`, sorted) of `../shared/golden/<folder>` for each of
/// `folders`, then of `$MCP_GOLDEN_DIR` if set.
///
/// # Panics
/// A folder that cannot be read or holds no case.
pub fn golden_case_files(folders: &[&str]) -> Vec<std::path::PathBuf> {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/golden");
    let mut dirs: Vec<std::path::PathBuf> = folders.iter().map(|f| shared.join(f)).collect();
    if let Some(extra) = std::env::var_os("MCP_GOLDEN_DIR") {
        dirs.push(std::path::PathBuf::from(extra));
    }
    let mut files = Vec::new();
    for dir in dirs {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("golden folder {}: {e}", dir.display()));
        let mut here: Vec<std::path::PathBuf> = entries
            .map(|e| e.expect("readable folder entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        assert!(!here.is_empty(), "no golden cases in {}", dir.display());
        here.sort();
        files.extend(here);
    }
    files
}
