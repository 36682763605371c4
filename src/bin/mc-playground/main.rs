//! `mc-playground`: the native command line.
//!
//! `mc-playground run CONFIG.json` (`-` reads standard input) runs the experiment the config
//! describes (the same schema as the page; see the `config` module; the page's "JSON" export is
//! read too: its `config`) for `steps` steps and prints one JSON object on standard output:
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
//! `mc-playground export-python CONFIG.json > experiment.py` writes the experiment as a standalone
//! Python script that needs only NumPy (the problem written out, the objective and its gradient,
//! each method's update in NumPy; the solvers are named and skipped) and, run, prints the same
//! JSON as `run` (see the `export_python` module).
//!
//! `mc-playground complete DATA.csv [--config CONFIG.json] [--method i]` completes a CSV
//! (blank, NA, NaN = unobserved) with the config's method i and prints the matrix as CSV.
//!
//! `mc-playground sweep SWEEP.json [--shard i/N] [--format jsonl|csv] [--out FILE] [--threads T]`
//! runs a grid of configs (`{"base": CONFIG, "axes": {"problem.observed": [1000, 2000], …}}`,
//! see the `sweep` module) on every core, one line per finished cell; with `--out` it appends
//! to FILE and, run again, skips the cells already there (resume; a FILE of another sweep is refused).
//!
//! `mc-playground methods [--json]` lists every method of the catalog: name, label, family,
//! rotation-equivariance, hyper-parameters with defaults and ranges, and source (`--json`: the
//! JSON array the page's `Lab.methods()` gives).
//!
//! `mc-playground plot lines|map|spectra OUTPUT.jsonl… --out FIG.svg` and
//! `mc-playground table OUTPUT.jsonl…` turn sweep output into figures and Markdown tables.
//!
//! A bad config prints one line naming the field and the problem on standard error and exits 2;
//! an output that cannot be written (a full disk) prints one line naming it and exits 1; a closed
//! pipe (`| head`) ends the output quietly, with status 0.

// The command line is native only; `cargo test --target wasm32-unknown-unknown` builds bins too.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Display;
use std::io::{Read, Write};
use std::process::ExitCode;

mod plots;
mod sweep_cmd;

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
        /// The config file (JSON), or the page's JSON export; `-` reads standard input.
        config: String,
    },
    /// Complete a CSV matrix (blank, NA, NaN = unobserved) and print it as CSV.
    Complete {
        /// The CSV file; `-` reads standard input.
        csv: String,
        /// A config for everything but the problem (methods, objective, steps); default: {}.
        #[arg(long)]
        config: Option<String>,
        /// Which method's result to print (index into the config's optimizers).
        #[arg(long, default_value_t = 0)]
        method: usize,
    },
    /// Write the experiment as a standalone NumPy script (problem written out, each method's update in NumPy; solvers skipped) on standard output.
    ExportPython {
        /// The config file (JSON), or the page's JSON export; `-` reads standard input.
        config: String,
    },
    /// Run a grid of experiments on every core, one output line per finished cell.
    Sweep {
        /// The sweep file (JSON: {"base": CONFIG, "axes": {PATH: [VALUES]}}); `-` reads standard input.
        sweep: String,
        /// Run only the cells whose index mod N is i (e.g. 3/8).
        #[arg(long)]
        shard: Option<mc_playground::sweep::Shard>,
        /// Output format.
        #[arg(long, value_enum, default_value = "jsonl")]
        format: sweep_cmd::Format,
        /// Append to this file, skipping the cells it already has (resume).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Threads (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Draw a figure (SVG) from sweep output.
    Plot {
        #[command(subcommand)]
        kind: PlotKind,
    },
    /// Print a Markdown table (mean ± sd of final test error and effective rank) from sweep output.
    Table {
        /// Sweep output files (JSON lines); `-` reads standard input.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Axes that make the table's rows (comma-separated paths).
        #[arg(long, value_delimiter = ',')]
        rows: Vec<String>,
        /// Axes whose values are added to each method's label (comma-separated paths).
        #[arg(long, value_delimiter = ',')]
        series: Vec<String>,
    },
    /// List every method: name, label, family, hyper-parameters (defaults, ranges), equivariance, source.
    Methods {
        /// Print the catalog as JSON (the array the page's `Lab.methods()` gives).
        #[arg(long)]
        json: bool,
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

/// Why a command failed: its input or arguments (exit status 2), or writing its output (1).
pub enum Failure {
    Usage(String),
    Write(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Usage(message)
    }
}

/// What writing to `output` came to: `Ok(true)` written, `Ok(false)` the reader has gone (a
/// closed pipe, `| head`: not an error of ours, the output just ends), or a failure naming
/// `output` (a full disk).
pub fn written(result: std::io::Result<()>, output: impl Display) -> Result<bool, Failure> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Failure::Write(format!("{output}: {e}"))),
    }
}

/// Prints `text` on standard output, through `written`.
fn print_out(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    written(stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()), "standard output").map(|_| ())
}

/// One line on standard error; if even that cannot be written there is nowhere left to say so
/// (`eprintln!` would panic).
pub fn say(message: impl Display) {
    let _ = writeln!(std::io::stderr(), "mc-playground: {message}");
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

/// A config file's text; the page's JSON export (its `about` says so) is accepted too, and its
/// `config` is read, so that an experiment exported from the page runs here as it is.
fn read_config(path: &str) -> Result<String, String> {
    let text = read_input(path)?;
    if !text.contains("mc-playground export") {
        return Ok(text);
    }
    let export = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(export)) => export,
        _ => return Ok(text), // not JSON: the config reader says what is wrong
    };
    let is_export = export.get("about").and_then(Value::as_str).is_some_and(|a| a.starts_with("mc-playground export"));
    match export.get("config") {
        Some(config @ Value::Object(_)) if is_export => {
            // The export holds the config as it was when exported; the runs' steps then say how far they had got.
            let at = export.get("runs").and_then(Value::as_array).and_then(|r| r.iter().filter_map(|r| r["metrics"]["step"].as_u64()).max());
            let steps = config.get("steps").and_then(Value::as_u64).unwrap_or(mc_playground::Config::default().steps);
            let note = match at {
                Some(at) if at != steps => format!(" (the page was at step {at} when it exported; this runs to the config's {steps})"),
                _ => String::new(),
            };
            say(format!("{path}: the page's export; reading its config, the settings at export time, from step 0{note}"));
            Ok(config.to_string())
        }
        _ => Ok(text),
    }
}

fn run(path: &str) -> Result<Value, String> {
    let text = read_config(path)?;
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
                "blowing_up_at": run.blowing_up_at(),
                "final": run.metrics(),
                "matrix": matrix,
            })
        })
        .collect();
    Ok(json!({ "runs": runs }))
}

/// The experiment of the config at `path` as a NumPy script ([`mc_playground::export_python`]).
fn export_python(path: &str) -> Result<String, String> {
    let text = read_config(path)?;
    let config = mc_playground::Config::from_json(&text).map_err(|e| e.to_string())?;
    mc_playground::export_python::export_python(&config, path).map_err(|e| e.to_string())
}

#[derive(Subcommand)]
enum PlotKind {
    /// A metric against one axis, one line per method (mean, min–max bars over other axes).
    Lines {
        #[arg(required = true)]
        inputs: Vec<String>,
        /// The axis on the x axis (a dotted path of the sweep).
        #[arg(long)]
        x: String,
        /// The final metric on the y axis (log scale).
        #[arg(long, default_value = "test_error")]
        metric: String,
        /// Axes whose values are added to each method's label.
        #[arg(long, value_delimiter = ',')]
        series: Vec<String>,
        /// Log scale on x.
        #[arg(long)]
        log_x: bool,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Fraction of cells recovered over two axes, one panel per method.
    Map {
        #[arg(required = true)]
        inputs: Vec<String>,
        #[arg(long)]
        x: String,
        #[arg(long)]
        y: String,
        /// Recovered means final test error below this.
        #[arg(long, default_value_t = 0.05)]
        threshold: f64,
        #[arg(long, value_delimiter = ',')]
        series: Vec<String>,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Final singular values per method (mean over cells).
    Spectra {
        #[arg(required = true)]
        inputs: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        series: Vec<String>,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

fn plot(kind: &PlotKind) -> Result<Value, Failure> {
    let out = match kind {
        PlotKind::Lines { inputs, x, metric, series, log_x, out } => {
            plots::lines(&plots::read_lines(inputs)?, x, metric, series, out, *log_x)?;
            out
        }
        PlotKind::Map { inputs, x, y, threshold, series, out } => {
            plots::map(&plots::read_lines(inputs)?, x, y, *threshold, series, out)?;
            out
        }
        PlotKind::Spectra { inputs, series, out } => {
            plots::spectra(&plots::read_lines(inputs)?, series, out)?;
            out
        }
    };
    Ok(json!({"wrote": out}))
}

fn complete(csv: &str, config: Option<&str>, method: usize) -> Result<String, String> {
    let data = read_input(csv)?;
    let base = match config {
        Some(path) => read_config(path)?,
        None => "{}".to_string(),
    };
    let config = mc_playground::csv::csv_to_config(&data, &base).map_err(|e| mc_playground::csv::csv_error_text(&e))?;
    if method >= config.optimizers.len() {
        return Err(format!("--method {method}: the config has {} methods", config.optimizers.len()));
    }
    let mut lab = Lab::new(config).map_err(|e| e.to_string())?;
    lab.set_recording(false);
    lab.step(lab.config().steps);
    let run = &lab.runs()[method];
    if let Some(d) = run.diverged() {
        say(format!("warning: {} diverged at step {} ({}); printing its last finite iterate", run.optimizer().label(), d.step, d.reason));
    }
    Ok(mc_playground::csv::matrix_to_csv(run.matrix()))
}

fn sensitivity(command: &Command) -> Result<Value, String> {
    let Command::Sensitivity { config, from, to, per_decade, grid, steps, threads } = command else { unreachable!() };
    let text = read_config(config)?;
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

/// The catalog as a table for people (`--json`: as JSON), one line per method.
fn methods(json: bool) -> String {
    if json {
        return format!("{}\n", mc_playground::catalog::catalog_json());
    }
    let header = ["name", "label", "family", "equivariant", "hyper-parameters: name=default (range)", "source"];
    let rows: Vec<[String; 6]> = mc_playground::catalog::method_info()
        .into_iter()
        .map(|m| {
            let hyper: Vec<String> = m.hyper.iter().map(|h| format!("{}={} ({})", h.name, h.default, h.range)).collect();
            let family = serde_json::to_value(m.family).ok().and_then(|f| f.as_str().map(String::from)).unwrap_or_default();
            [m.name.to_string(), m.label, family, (if m.equivariant { "yes" } else { "no" }).to_string(), hyper.join(", "), m.rule.source.to_string()]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| -> String {
        let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count()))).collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header);
    for row in &rows {
        out.push_str(&line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]));
    }
    out
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Each command's standard output, whole; a sweep streams its own.
    let output: Result<String, Failure> = match &cli.command {
        Command::Run { config } => run(config).map(|v| format!("{v}\n")).map_err(Failure::from),
        command @ Command::Sensitivity { .. } => sensitivity(command).map(|v| format!("{v}\n")).map_err(Failure::from),
        Command::Sweep { sweep, shard, format, out, threads } => read_input(sweep).map_err(Failure::from).and_then(|spec_text| {
            sweep_cmd::sweep(sweep_cmd::Options { spec_text, shard: *shard, format: *format, out: out.as_deref(), threads: *threads })
                .map(|_| String::new())
        }),
        Command::Plot { kind } => plot(kind).map(|v| format!("{v}\n")),
        Command::Methods { json } => Ok(methods(*json)),
        Command::ExportPython { config } => export_python(config).map_err(Failure::from),
        Command::Complete { csv, config, method } => complete(csv, config.as_deref(), *method).map_err(Failure::from),
        Command::Table { inputs, rows, series } => plots::read_lines(inputs).and_then(|data| plots::table(&data, rows, series)).map_err(Failure::from),
    };
    match output.and_then(|text| print_out(&text)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            say(message.replace('\n', " "));
            ExitCode::from(2)
        }
        Err(Failure::Write(message)) => {
            say(message);
            ExitCode::FAILURE
        }
    }
}
