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
//! A bad config prints one line naming the field and the problem on standard error and exits 2.

// The command line is native only; `cargo test --target wasm32-unknown-unknown` builds bins too.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run { config } => match run(&config) {
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
        },
    }
}
