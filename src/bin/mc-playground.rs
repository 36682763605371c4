//! `mc-playground`: the native command line.
//!
//! `mc-playground run CONFIG.json` (`-` reads standard input) runs the experiment the config
//! describes (the same schema as the page; see the `config` module) for `steps` steps and
//! prints one JSON object on standard output:
//!
//! ```text
//! {"runs": [{"optimizer": {...every hyper-parameter, defaults filled},
//!            "steps": 3000, "diverged_at": null, "diverged_reason": null,
//!            "final": {"objective", "train_error", "test_error", "effective_rank", "ratio",
//!                      "singular_values"},
//!            "matrix": [[row 0], [row 1], ...]}]}
//! ```
//!
//! `mc-playground sensitivity CONFIG.json [--from -4 --to 3 --per-decade 2 | --grid 0.01,1,100]
//! [--steps N] [--threads T]` runs every method that has a learning rate alone at every rate of
//! a log grid (on all cores) and prints `{"protocol", "cells", "best", "tuned_config"}`:
//! the final test error per (method, rate), each method's best rate, and the config with those
//! rates (feed it to `run` for the tuned race).
//!
//! A bad config prints one line naming the field and the problem on standard error and exits 2.

// The command line is native only; `cargo test --target wasm32-unknown-unknown` builds bins too.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mc_playground::sensitivity::{sweep, Protocol};
use mc_playground::Lab;
use serde_json::{json, Value};

#[derive(Parser)]
#[command(name = "mc-playground", version, about = "Matrix completion with every common optimizer, side by side")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run an experiment and print its final state as JSON.
    Run {
        /// The config file (JSON); `-` reads standard input.
        config: String,
    },
    /// Final test error against learning rate for every method, and the tuned config.
    Sensitivity {
        /// The config file (JSON); `-` reads standard input.
        config: String,
        /// Smallest rate is 10^FROM.
        #[arg(long, default_value_t = -4, allow_hyphen_values = true)]
        from: i32,
        /// Largest rate is 10^TO.
        #[arg(long, default_value_t = 3, allow_hyphen_values = true)]
        to: i32,
        /// Grid points per decade.
        #[arg(long, default_value_t = 2)]
        per_decade: u32,
        /// An explicit grid instead, comma-separated (e.g. 0.01,1,100).
        #[arg(long, value_delimiter = ',')]
        grid: Option<Vec<f64>>,
        /// Steps per run (default: the config's `steps`).
        #[arg(long)]
        steps: Option<u64>,
        /// Threads (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
}

fn read_input(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
    }
}

fn run(path: &str) -> Result<Value, String> {
    let text = read_input(path)?;
    let mut lab = Lab::from_json(&text).map_err(|e| e.to_string())?;
    lab.set_recording(false);
    lab.step(lab.config().steps);
    let runs: Vec<Value> = lab
        .runs()
        .iter()
        .map(|run| {
            let w = run.matrix();
            let matrix: Vec<Vec<f64>> = w.row_iter().map(|r| r.iter().copied().collect()).collect();
            json!({
                "optimizer": run.optimizer(),
                "steps": run.step_count(),
                "diverged_at": run.diverged().map(|d| d.step),
                "diverged_reason": run.diverged().map(|d| d.reason.clone()),
                "final": run.metrics(),
                "matrix": matrix,
            })
        })
        .collect();
    Ok(json!({ "runs": runs }))
}

fn sensitivity(command: &Command) -> Result<Value, String> {
    let Command::Sensitivity { config, from, to, per_decade, grid, steps, threads } = command else { unreachable!() };
    let text = read_input(config)?;
    let config = mc_playground::Config::from_json(&text).map_err(|e| e.to_string())?;
    let steps = steps.unwrap_or(config.steps);
    let protocol = match grid {
        Some(grid) => Protocol::explicit(grid.clone(), steps),
        None => Protocol::log_grid(*from, *to, *per_decade, steps),
    }
    .map_err(|e| e.to_string())?;
    let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let report = sweep(&config, &protocol, threads.max(1)).map_err(|e| e.to_string())?;
    serde_json::to_value(report).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run { config } => run(config),
        command @ Command::Sensitivity { .. } => sensitivity(command),
    };
    match result {
        Ok(out) => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error of ours.
            match writeln!(stdout, "{out}").and_then(|_| stdout.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    eprintln!("mc-playground: standard output: {e}");
                    ExitCode::FAILURE
                }
                _ => ExitCode::SUCCESS,
            }
        }
        Err(message) => {
            eprintln!("mc-playground: {}", message.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}
