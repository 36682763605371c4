//! What several integration tests share (`mod common;`): running the command-line binary, and
//! proptest's settings. Each test crate uses only some of it.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the `mc-playground` binary with `args`, `stdin` on its standard input; its exit status,
/// standard output and standard error once it has finished.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mc-playground"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
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
