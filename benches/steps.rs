//! Native steps per second for every method × penalty × size, and the yardsticks (an n × n
//! matrix product, the SVD of a typical iterate), timed by criterion. What is timed is defined
//! in `mc_playground::bench` (the browser page times the same work the same way); the figures
//! are in `BENCHMARKS.md`.
//!
//! ```text
//! cargo bench --bench steps                               # the default subset (about 40 s)
//! cargo bench --bench steps -- --full                     # every method × penalty × size
//! cargo bench --bench steps -- step/adam/ratio --out target/bench/native.json
//! cargo bench --bench steps -- --peer-problems target/bench/problems.json
//! ```
//!
//! Benchmark ids: `step/METHOD/PENALTY/N` for the cases, `product/nalgebra/N`,
//! `product/ours/N`, `svd/nalgebra/N` and `svd/ours/N` for the yardsticks. Every criterion
//! option works (`-- --help`): a filter (a regular expression on the id), `--sample-size`,
//! `--measurement-time`, `--save-baseline`/`--baseline`, `--list`, `--test`. Ours, taken out
//! before criterion reads the rest:
//!
//! - `--full`: every method × penalty × size (default: `mc_playground::bench::plan`'s subset);
//! - `--out FILE`: the figures of this run as JSON (`bench/report.py` reads it): per case the
//!   fastest sample (the figure, as in the browser and the peers), the median sample and every
//!   sample; per yardstick the fastest sample; for both, criterion's estimates of the mean and
//!   the median with their confidence intervals — all in seconds per unit (step, product, SVD);
//! - `--peer-problems FILE`: write the NumPy/JAX peers' problems and exit (no timing).
//!
//! (`MCP_BENCH_FULL=1` and `MCP_BENCH_OUT=FILE` do the same as `--full` and `--out`.)
//!
//! Timing: flat sampling (every sample is a call of the same k units), 31 samples of about
//! 5 ms after a 0.2 s warm-up that sets k — the protocol of `mc_playground::bench::time_units`,
//! which the browser uses. A case's lab keeps stepping across its warm-up and samples.
//! Criterion's files go to `$CRITERION_HOME` (default `target/criterion`).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use criterion::{BenchmarkId, Criterion, SamplingMode};
use mc_playground::bench::{self, Case, CaseResult, Timing, UnitResult, Yardsticks, YARDSTICKS};
use mc_playground::Lab;
use serde::Deserialize;
use serde_json::{json, Value};

/// Samples per figure, their length and the warm-up (criterion's `--sample-size`,
/// `--measurement-time` (all samples) and `--warm-up-time` override them). A call's figures
/// include the metrics that `Lab::step` computes once per call, which at n = 200 cost as much
/// as several cheap steps: the warm-up must be long enough for criterion's estimate of a step
/// (the warm-up's total time over its total steps) to set k as the browser's timer does (from
/// one call of at least 50 ms). 0.2 s brings the cheapest cases within about 5 % of that.
const SAMPLES: usize = 31;
const SAMPLE_SECS: f64 = 0.005;
const WARMUP_SECS: f64 = 0.2;
/// Bootstrap resamples for criterion's confidence intervals (its default, 100 000, spends
/// more time on 31 samples than the samples take).
const RESAMPLES: usize = 10_000;

const FULL_VAR: &str = "MCP_BENCH_FULL";
const OUT_VAR: &str = "MCP_BENCH_OUT";

const HELP: &str = "\
cargo bench --bench steps -- [--full] [--out FILE] [CRITERION OPTIONS] [FILTER]
cargo bench --bench steps -- --peer-problems FILE

  --full                every method × penalty × size (default: a subset)
  --out FILE            write the figures as JSON (for bench/report.py)
  --peer-problems FILE  write the NumPy/JAX peers' problems and exit
Benchmark ids: step/METHOD/PENALTY/N, product/{nalgebra,ours}/N, svd/{nalgebra,ours}/N.
Criterion's options follow.
";

fn main() {
    if let Err(e) = run() {
        eprintln!("steps: {e}");
        std::process::exit(2);
    }
}

/// Our options; the other arguments are criterion's.
#[derive(Default)]
struct Options {
    full: bool,
    out: Option<PathBuf>,
    peer_problems: Option<PathBuf>,
}

fn split_args(args: &[OsString]) -> Result<(Options, Vec<OsString>), String> {
    let mut ours = Options::default();
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().map(PathBuf::from).ok_or(format!("{name} needs a value"));
        match a.to_str() {
            Some("--full") => ours.full = true,
            Some("--out") => ours.out = Some(value("--out")?),
            Some("--peer-problems") => ours.peer_problems = Some(value("--peer-problems")?),
            _ => rest.push(a.clone()),
        }
    }
    Ok((ours, rest))
}

fn run() -> Result<(), String> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let (ours, rest) = split_args(&args)?;
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
    }
    if let Some(path) = &ours.peer_problems {
        let problems: Vec<_> = bench::SIZES.iter().map(|&n| bench::peer_problem(n, 10)).collect();
        write(path, &serde_json::to_string(&problems).map_err(|e| e.to_string())?)?;
        eprintln!("wrote {}", path.display());
        return Ok(());
    }
    if rest.len() < args.len() {
        // Criterion reads the process's arguments and rejects ours: run again with its own
        // only, and ours in the environment.
        let exe = std::env::current_exe().map_err(|e| format!("this benchmark's path: {e}"))?;
        let mut child = std::process::Command::new(exe);
        child.args(&rest);
        if ours.full {
            child.env(FULL_VAR, "1");
        }
        if let Some(out) = &ours.out {
            child.env(OUT_VAR, out);
        }
        let status = child.status().map_err(|e| format!("could not run the benchmark again: {e}"))?;
        std::process::exit(status.code().unwrap_or(1));
    }
    let full = std::env::var(FULL_VAR).is_ok_and(|v| v == "1");
    let out = std::env::var_os(OUT_VAR).map(PathBuf::from);

    let sampling = Sampling::from_args(&rest)?;
    // Criterion writes under $CRITERION_HOME; set it so that we read where it writes.
    let home = criterion_home();
    std::env::set_var("CRITERION_HOME", &home);
    let started = SystemTime::now();
    let mut c = Criterion::default()
        .sample_size(SAMPLES)
        .measurement_time(Duration::from_secs_f64(SAMPLE_SECS * SAMPLES as f64))
        .warm_up_time(Duration::from_secs_f64(WARMUP_SECS))
        .nresamples(RESAMPLES)
        .without_plots()
        .configure_from_args();

    // The yardsticks, by kind (product, svd), whose and size. A size's work is set up (100
    // Adam steps) when one of its yardsticks first runs, so a filter skips it.
    let mut yardsticks: Vec<Option<Yardsticks>> = bench::SIZES.iter().map(|_| None).collect();
    for kind in ["product", "svd"] {
        let mut group = c.benchmark_group(kind);
        group.sampling_mode(SamplingMode::Flat);
        for (name, work) in YARDSTICKS.iter().filter(|(name, _)| name.starts_with(kind)) {
            let whose = &name[kind.len() + 1..];
            for (slot, &n) in yardsticks.iter_mut().zip(&bench::SIZES) {
                group.bench_function(BenchmarkId::new(whose, n), |b| {
                    let y = slot.get_or_insert_with(|| Yardsticks::new(n));
                    b.iter_custom(|k| {
                        let t0 = Instant::now();
                        work(y, k);
                        t0.elapsed()
                    })
                });
            }
        }
        group.finish();
    }

    // The cases; a case's lab is made when it first runs and keeps stepping throughout.
    let cases = bench::plan(full);
    let mut labs: Vec<Option<Lab>> = cases.iter().map(|_| None).collect();
    let mut group = c.benchmark_group("step");
    group.sampling_mode(SamplingMode::Flat);
    for (case, slot) in cases.iter().zip(labs.iter_mut()) {
        group.bench_function(case_id(case), |b| {
            let lab = slot.get_or_insert_with(|| bench::case_lab(case).unwrap_or_else(|e| panic!("{case:?}: {e}")));
            b.iter_custom(|k| {
                let t0 = Instant::now();
                lab.step(k);
                t0.elapsed()
            })
        });
    }
    group.finish();
    c.final_summary();

    // This run's figures: the benchmarks whose samples criterion wrote after `started` (not
    // those filtered out, nor any in --test or --list mode).
    let fresh = |dir: &str| Measured::read(&home.join(dir), started);
    let mut units = Vec::new();
    for (slot, &n) in yardsticks.iter().zip(&bench::SIZES) {
        let Some(y) = slot else { continue };
        let measured: Vec<_> = YARDSTICKS.iter().map(|(name, _)| fresh(&format!("{name}/{n}"))).collect::<Result<_, _>>()?;
        let Some(measured) = measured.into_iter().collect::<Option<Vec<_>>>() else {
            eprintln!("steps: n = {n}: not every yardstick ran, none of them reported");
            continue;
        };
        let secs = std::array::from_fn(|i| measured[i].timing.best);
        let mut unit = serde_json::to_value(UnitResult::from_secs(n, secs, y.svd_sweeps())).map_err(|e| e.to_string())?;
        let estimates: BTreeMap<_, _> = YARDSTICKS.iter().zip(&measured).map(|((name, _), m)| (*name, m.estimates())).collect();
        unit["criterion"] = json!(estimates);
        units.push((unit, measured));
    }
    let mut results = Vec::new();
    for (case, slot) in cases.iter().zip(&labs) {
        let Some(lab) = slot else { continue };
        let Some(m) = fresh(&case_dir(case))? else { continue };
        let mut result = serde_json::to_value(CaseResult::new(case, lab, m.timing.clone())).map_err(|e| e.to_string())?;
        result["criterion"] = m.estimates();
        results.push((result, m));
    }
    print_summary(&units, &results);

    if let Some(path) = &out {
        if units.is_empty() && results.is_empty() {
            return Err(format!("nothing was measured (a filter that matches nothing, or --test/--list?): {} not written", path.display()));
        }
        let all = units.iter().flat_map(|(_, m)| m).chain(results.iter().map(|(_, m)| m));
        let mut sample_secs: Vec<f64> = all.clone().flat_map(|m| m.call_secs()).collect();
        sample_secs.sort_by(f64::total_cmp);
        let json = json!({
            "platform": "native",
            "target": std::env::consts::ARCH,
            "vector_width": mc_playground::linalg::vector_width(),
            "harness": "criterion",
            // As configured (criterion's options in force), and the median length of a sample
            // as measured.
            "sampling": {
                "mode": "flat",
                "samples": all.map(|m| m.timing.samples.len()).min(),
                "sample_secs": sampling.measurement_secs / sampling.samples as f64,
                "warmup_secs": sampling.warmup_secs,
                "measured_sample_secs_median": sample_secs.get(sample_secs.len() / 2),
            },
            "units": units.into_iter().map(|(u, _)| u).collect::<Vec<_>>(),
            "cases": results.into_iter().map(|(r, _)| r).collect::<Vec<_>>(),
        });
        write(path, &serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// The sampling in force: ours, or criterion's options where given.
struct Sampling {
    samples: usize,
    measurement_secs: f64,
    warmup_secs: f64,
}

impl Sampling {
    fn from_args(args: &[OsString]) -> Result<Sampling, String> {
        // The value of criterion's option `name` (`--name VALUE` or `--name=VALUE`), if given.
        let value = |name: &str| -> Result<Option<f64>, String> {
            let mut found = None;
            for (i, a) in args.iter().enumerate() {
                let a = a.to_string_lossy();
                let v = if a == name {
                    args.get(i + 1).map(|v| v.to_string_lossy().into_owned())
                } else {
                    a.strip_prefix(name).and_then(|v| v.strip_prefix('=')).map(str::to_owned)
                };
                if let Some(v) = v {
                    found = Some(v.parse::<f64>().map_err(|e| format!("{name} {v}: {e}"))?);
                }
            }
            Ok(found)
        };
        let samples = value("--sample-size")?.map_or(SAMPLES, |v| v as usize);
        Ok(Sampling {
            samples,
            measurement_secs: value("--measurement-time")?.unwrap_or(SAMPLE_SECS * SAMPLES as f64),
            warmup_secs: value("--warm-up-time")?.unwrap_or(WARMUP_SECS),
        })
    }
}

fn case_id(case: &Case) -> BenchmarkId {
    BenchmarkId::new(format!("{}/{}", case.method, case.penalty), case.size)
}

/// The directory of a case under criterion's home: its id with the function's `/` made `_`,
/// as criterion names it.
fn case_dir(case: &Case) -> String {
    format!("step/{}_{}/{}", case.method, case.penalty, case.size)
}

/// `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else this package's
/// `target/criterion` (criterion's own order, without asking `cargo metadata`).
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// Criterion's `new/sample.json`: per sample, the iterations and their total time (ns).
#[derive(Deserialize)]
struct Sample {
    iters: Vec<f64>,
    times: Vec<f64>,
}

/// One of criterion's estimates (ns per iteration).
#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
    confidence_interval: Interval,
}

#[derive(Deserialize)]
struct Interval {
    confidence_level: f64,
    lower_bound: f64,
    upper_bound: f64,
}

/// Criterion's `new/estimates.json` (the parts used).
#[derive(Deserialize)]
struct Estimates {
    mean: Estimate,
    median: Estimate,
}

/// One benchmark's result in this run.
struct Measured {
    /// Seconds per unit of every sample (flat sampling: each is a call of the same k units).
    timing: Timing,
    estimates: Estimates,
}

impl Measured {
    /// The benchmark in criterion's directory `dir`, if its samples were written after `since`.
    fn read(dir: &Path, since: SystemTime) -> Result<Option<Measured>, String> {
        let new = dir.join("new");
        let sample_path = new.join("sample.json");
        let written = std::fs::metadata(&sample_path).and_then(|m| m.modified());
        if !written.is_ok_and(|t| t >= since) {
            return Ok(None);
        }
        let sample: Sample = read_json(&sample_path)?;
        let estimates: Estimates = read_json(&new.join("estimates.json"))?;
        if sample.iters.is_empty() || sample.iters.len() != sample.times.len() {
            return Err(format!("{}: no samples, or iterations and times of different lengths", sample_path.display()));
        }
        let per_unit = sample.iters.iter().zip(&sample.times).map(|(k, t)| t * 1e-9 / k).collect();
        Ok(Some(Measured { timing: Timing::from_samples(sample.iters[0] as u64, per_unit), estimates }))
    }

    /// Seconds of every sample (call).
    fn call_secs(&self) -> impl Iterator<Item = f64> + '_ {
        self.timing.samples.iter().map(|s| s * self.timing.per_call as f64)
    }

    /// Criterion's mean and median with their confidence intervals, in seconds per unit.
    fn estimates(&self) -> Value {
        let e = |e: &Estimate| {
            json!({
                "point": e.point_estimate * 1e-9,
                "lower": e.confidence_interval.lower_bound * 1e-9,
                "upper": e.confidence_interval.upper_bound * 1e-9,
                "confidence_level": e.confidence_interval.confidence_level,
            })
        };
        json!({ "mean": e(&self.estimates.mean), "median": e(&self.estimates.median) })
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The figures in short: the fastest sample (the figure) and criterion's median.
fn print_summary(units: &[(Value, Vec<Measured>)], results: &[(Value, Measured)]) {
    if !units.is_empty() {
        println!("\nfastest sample, µs (criterion's median)");
        println!("{:>5} {:>20} {:>20} {:>20} {:>20} {:>7}", "n", "product nalgebra", "product ours", "svd nalgebra", "svd ours", "sweeps");
        for (u, measured) in units {
            let cell = |m: &Measured| format!("{:.2} ({:.2})", m.timing.best * 1e6, m.estimates.median.point_estimate * 1e-3);
            println!(
                "{:>5} {:>20} {:>20} {:>20} {:>20} {:>7}",
                u["size"].to_string(),
                cell(&measured[0]),
                cell(&measured[1]),
                cell(&measured[2]),
                cell(&measured[3]),
                u["svd_sweeps"].to_string()
            );
        }
    }
    if !results.is_empty() {
        println!("\n{:<14} {:<8} {:>5} {:>12} {:>11} {:>13} {:>6}", "method", "penalty", "n", "steps/s", "µs/step", "median µs", "live");
        for (r, m) in results {
            println!(
                "{:<14} {:<8} {:>5} {:>12.0} {:>11.1} {:>13.1} {:>6}",
                r["method"].as_str().unwrap_or("?"),
                r["penalty"].as_str().unwrap_or("?"),
                r["size"].to_string(),
                1.0 / m.timing.best,
                m.timing.best * 1e6,
                m.estimates.median.point_estimate * 1e-3,
                r["live"].to_string()
            );
        }
    }
}
