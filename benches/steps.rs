//! Native steps per second for every method × penalty × size, and the yardsticks (an n × n
//! matrix product, the SVD of a typical iterate), as defined in `mc_playground::bench` (the
//! browser page measures the same cases the same way). Figures: `BENCHMARKS.md`.
//!
//! ```text
//! cargo bench --bench steps                      # the default subset (about a minute)
//! cargo bench --bench steps -- --full            # every method × penalty × size
//! cargo bench --bench steps -- --filter adam/ratio --out target/bench/native.json
//! cargo bench --bench steps -- --peer-problems target/bench/problems.json
//! ```
//!
//! Options: `--full`; `--filter TEXT` (cases whose `method/penalty/size` contains TEXT);
//! `--no-units` (skip the yardsticks); `--sample-ms MS` (length of one timed call, default 5)
//! and `--samples N` (timed calls per figure, default 31: the fastest is reported, see
//! `mc_playground::bench`);
//! `--out FILE` (JSON); `--peer-problems FILE` (write the NumPy/JAX peers' problems and exit).

use std::time::Instant;

use mc_playground::bench::{self, Sampling};

struct Args {
    full: bool,
    filter: Option<String>,
    units: bool,
    sampling: Sampling,
    out: Option<String>,
    peer_problems: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { full: false, filter: None, units: true, sampling: Sampling::default(), out: None, peer_problems: None };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--bench" => {} // passed by `cargo bench`
            "--full" => args.full = true,
            "--no-units" => args.units = false,
            "--filter" => args.filter = Some(value("--filter")?),
            "--out" => args.out = Some(value("--out")?),
            "--peer-problems" => args.peer_problems = Some(value("--peer-problems")?),
            "--sample-ms" => {
                args.sampling.sample_secs = value("--sample-ms")?.parse::<f64>().map_err(|e| format!("--sample-ms: {e}"))? / 1000.0
            }
            "--samples" => args.sampling.samples = value("--samples")?.parse().map_err(|e| format!("--samples: {e}"))?,
            "-h" | "--help" => {
                println!("{}", HELP);
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other} (see --help)")),
        }
    }
    Ok(args)
}

const HELP: &str = "cargo bench --bench steps -- [--full] [--filter TEXT] [--no-units] [--sample-ms MS] [--samples N] [--out FILE] [--peer-problems FILE]";

fn write(path: &str, text: &str) -> Result<(), String> {
    if let Some(dir) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{path}: {e}"))
}

fn main() {
    if let Err(e) = run() {
        eprintln!("steps: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    if let Some(path) = &args.peer_problems {
        let problems: Vec<_> = bench::SIZES.iter().map(|&n| bench::peer_problem(n, 10)).collect();
        write(path, &serde_json::to_string(&problems).map_err(|e| e.to_string())?)?;
        eprintln!("wrote {path}");
        return Ok(());
    }
    let epoch = Instant::now();
    let clock = move || epoch.elapsed().as_secs_f64();
    let s = &args.sampling;

    let mut units = Vec::new();
    if args.units {
        println!("{:>5} {:>12} {:>12} {:>12} {:>12} {:>7}", "n", "matmul µs", "kernel µs", "svd ref µs", "svd fast µs", "sweeps");
        for &n in &bench::SIZES {
            let u = bench::run_unit(n, &clock, s);
            println!(
                "{n:>5} {:>12.2} {:>12.2} {:>12.1} {:>12.1} {:>7}",
                u.matmul_secs * 1e6,
                u.kernel_matmul_secs * 1e6,
                u.svd_reference_secs * 1e6,
                u.svd_fast_secs * 1e6,
                u.svd_sweeps
            );
            units.push(u);
        }
        println!();
    }

    let cases: Vec<_> = bench::plan(args.full)
        .into_iter()
        .filter(|c| args.filter.as_ref().is_none_or(|f| format!("{}/{}/{}", c.method, c.penalty, c.size).contains(f.as_str())))
        .collect();
    println!("{:<14} {:<8} {:>5} {:>12} {:>11} {:>6}", "method", "penalty", "n", "steps/s", "µs/step", "live");
    let mut results = Vec::new();
    for case in &cases {
        let r = bench::run_case(case, &clock, s)?;
        println!(
            "{:<14} {:<8} {:>5} {:>12.0} {:>11.1} {:>6}",
            case.method,
            case.penalty,
            case.size,
            r.steps_per_sec,
            r.step_secs * 1e6,
            r.live
        );
        results.push(r);
    }
    if let Some(path) = &args.out {
        let json = serde_json::json!({
            "platform": "native",
            "target": std::env::consts::ARCH,
            "vector_width": mc_playground::linalg::vector_width(),
            "sampling": s,
            "units": units,
            "cases": results,
        });
        write(path, &serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?)?;
        eprintln!("wrote {path}");
    }
    Ok(())
}
