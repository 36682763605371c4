//! Benchmark cases and timing, shared by the native harness (`benches/steps.rs`, run by
//! `cargo bench --bench steps`) and the browser page (`bench.html`, through the wasm exports
//! of the `bench` feature), so that both measure the same steps the same way. The figures and
//! the command that makes them are in `BENCHMARKS.md`.
//!
//! A *case* is one method on one problem: n × n, rank 2, |Ω| = round(n²/3) observed entries,
//! seed 0, start at the observations, penalty `none`, `nuclear` or `ratio` with λ = 0.01 and,
//! for the methods that have one, learning rate 0.01 (the default experiment's, scaled).
//! Its figure is steps per second of [`Lab::step`] with recording off (what the command line
//! does; metrics once per call).
//!
//! Timing: calls of k units (steps, products) are timed with a caller-given clock (`Instant`
//! natively, `performance.now()` in the browser, where `Instant` panics); k is set from a
//! warm-up so that one call lasts about `sample_secs` (5 ms), and the figure is the *fastest*
//! of `samples` calls (31), the median being kept too. The machine these figures come from is
//! shared with other work (load average 5 to 9 on two cores): a 5 ms call is rarely
//! descheduled, so the fastest of many estimates the unloaded speed, where means and medians
//! mostly measure the load. The peers (`bench/peers.py`) are timed the same way.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::linalg;
use crate::objective::Svd;
use crate::optim::OptimizerConfig;
use crate::Lab;

/// Problem sizes n (n × n) of the full grid.
pub const SIZES: [usize; 5] = [10, 30, 64, 100, 200];
/// Penalties of the full grid (their config names).
pub const PENALTIES: [&str; 3] = ["none", "nuclear", "ratio"];
/// λ of every case.
pub const LAMBDA: f64 = 0.01;
/// Learning rate of every method that has one.
pub const LEARNING_RATE: f64 = 0.01;

/// Every method's config name, in the order of [`OptimizerConfig::all_defaults`].
pub fn methods() -> Vec<&'static str> {
    OptimizerConfig::all_defaults().iter().map(|o| o.name()).collect()
}

/// One benchmark case.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Case {
    pub method: String,
    pub penalty: String,
    pub size: usize,
}

/// The cases to run: the full grid (every method × penalty × size), or by default a subset
/// that keeps the run short: Adam and GD at every penalty and size, and every method with the
/// ratio penalty at 30 × 30 (the default experiment's problem).
pub fn plan(full: bool) -> Vec<Case> {
    let case = |m: &str, p: &str, n: usize| Case { method: m.into(), penalty: p.into(), size: n };
    let mut cases = Vec::new();
    if full {
        for &n in &SIZES {
            for p in PENALTIES {
                for m in methods() {
                    cases.push(case(m, p, n));
                }
            }
        }
        return cases;
    }
    for &n in &SIZES {
        for p in PENALTIES {
            for m in ["adam", "gd"] {
                cases.push(case(m, p, n));
            }
        }
    }
    for m in methods() {
        if m != "adam" && m != "gd" {
            cases.push(case(m, "ratio", 30));
        }
    }
    cases
}

/// The config of a case (one run).
pub fn case_config(case: &Case) -> String {
    let n = case.size;
    let observed = ((n * n) as f64 / 3.0).round() as usize;
    let has_lr = OptimizerConfig::all_defaults().iter().any(|o| o.name() == case.method && o.learning_rate().is_some());
    let optimizer = if has_lr {
        format!(r#"{{"name": "{}", "learning_rate": {LEARNING_RATE}}}"#, case.method)
    } else {
        format!(r#"{{"name": "{}"}}"#, case.method)
    };
    format!(
        r#"{{"problem": {{"rows": {n}, "cols": {n}, "rank": 2, "observed": {observed}, "seed": 0}},
            "objective": {{"penalty": "{}", "lambda": {LAMBDA}}}, "steps": 100000000, "optimizers": [{optimizer}]}}"#,
        case.penalty
    )
}

/// How long to time things.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize)]
pub struct Sampling {
    /// Target duration of one timed call (seconds).
    pub sample_secs: f64,
    /// Timed calls; the figure is their median.
    pub samples: usize,
    /// Warm-up before timing (seconds; also sets the calls' size).
    pub warmup_secs: f64,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling { sample_secs: 0.005, samples: 31, warmup_secs: 0.05 }
    }
}

/// The timing of `samples` calls of `per_call` units each.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// Seconds per unit of the fastest call (the figure).
    pub best: f64,
    /// Seconds per unit of the median call.
    pub median: f64,
    pub per_call: u64,
    /// Seconds per unit of every call, in order.
    pub samples: Vec<f64>,
}

/// Times `f(k)`, which performs k units of work: `s.samples` calls of k units each, k set by
/// a warm-up so that a call lasts about `s.sample_secs`.
pub fn time_units(clock: &dyn Fn() -> f64, s: &Sampling, mut f: impl FnMut(u64)) -> Timing {
    // Warm-up, doubling k, until one call lasts the warm-up time (or 2^20 units).
    let mut k = 1u64;
    let per_unit = loop {
        let t0 = clock();
        f(k);
        let dt = clock() - t0;
        if dt >= s.warmup_secs || k >= 1 << 20 {
            break dt.max(1e-9) / k as f64;
        }
        k *= 2;
    };
    let k = ((s.sample_secs / per_unit).ceil() as u64).max(1);
    let mut per: Vec<f64> = (0..s.samples.max(1))
        .map(|_| {
            let t0 = clock();
            f(k);
            (clock() - t0) / k as f64
        })
        .collect();
    let samples = per.clone();
    per.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    Timing { best: per[0], median: per[per.len() / 2], per_call: k, samples }
}

/// A case's figure.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    #[serde(flatten)]
    pub case: Case,
    /// Steps per second of the fastest timed call (the figure).
    pub steps_per_sec: f64,
    /// Seconds per step of the fastest timed call.
    pub step_secs: f64,
    /// Seconds per step of the median call.
    pub step_secs_median: f64,
    /// Steps per timed call.
    pub steps_per_call: u64,
    /// Seconds per step of every timed call.
    pub samples: Vec<f64>,
    /// Steps taken in all (warm-up included) and whether the run was still live at the end
    /// (a diverged run stops stepping, which would flatter its figure).
    pub total_steps: u64,
    pub live: bool,
}

/// Runs one case.
///
/// # Errors
/// The case's config is invalid (an unknown method or penalty).
pub fn run_case(case: &Case, clock: &dyn Fn() -> f64, s: &Sampling) -> Result<CaseResult, String> {
    let mut lab = Lab::from_json(&case_config(case)).map_err(|e| e.to_string())?;
    lab.set_recording(false);
    let t = time_units(clock, s, |k| lab.step(k));
    let run = &lab.runs()[0];
    Ok(CaseResult {
        case: case.clone(),
        steps_per_sec: 1.0 / t.best,
        step_secs: t.best,
        step_secs_median: t.median,
        steps_per_call: t.per_call,
        samples: t.samples,
        total_steps: run.step_count(),
        live: run.diverged().is_none(),
    })
}

/// The yardsticks at one size: an n × n matrix product and the SVD of a typical iterate.
#[derive(Debug, Clone, Serialize)]
pub struct UnitResult {
    pub size: usize,
    /// nalgebra's n × n product (`gemm` into a preallocated matrix): the roofline unit.
    /// (Seconds, fastest call, as every figure here.)
    pub matmul_secs: f64,
    /// This crate's fixed-order product ([`linalg::gemm`]).
    pub kernel_matmul_secs: f64,
    /// nalgebra's SVD ([`Svd::of`], the reference) of the iterate after 100 Adam steps.
    pub svd_reference_secs: f64,
    /// This crate's SVD ([`Svd::fast_into`]) of the same matrix, workspace reused.
    pub svd_fast_secs: f64,
    /// QR sweeps of that SVD.
    pub svd_sweeps: usize,
}

/// Times the yardsticks at size n.
pub fn run_unit(n: usize, clock: &dyn Fn() -> f64, s: &Sampling) -> UnitResult {
    // A typical iterate: the Adam/ratio case after 100 steps.
    let case = Case { method: "adam".into(), penalty: "ratio".into(), size: n };
    let mut lab = Lab::from_json(&case_config(&case)).expect("the benchmark config is valid");
    lab.set_recording(false);
    lab.step(100);
    let w = lab.runs()[0].matrix().clone();

    let a = w.clone();
    let b = DMatrix::from_fn(n, n, |i, j| w[(j, i)] + 1.0);
    let mut c = DMatrix::zeros(n, n);
    let matmul_secs = time_units(clock, s, |k| {
        for _ in 0..k {
            c.gemm(1.0, &a, &b, 0.0);
        }
    })
    .best;
    let kernel_matmul_secs = time_units(clock, s, |k| {
        for _ in 0..k {
            linalg::gemm(c.as_mut_slice(), n, a.as_slice(), n, b.as_slice(), n, n, n, n);
        }
    })
    .best;
    let svd_reference_secs = time_units(clock, s, |k| {
        for _ in 0..k {
            std::hint::black_box(Svd::of(&w));
        }
    })
    .best;
    let mut svd = Svd::empty();
    let mut ws = linalg::SvdWorkspace::new();
    let svd_fast_secs = time_units(clock, s, |k| {
        for _ in 0..k {
            svd.fast_into(&w, &mut ws);
        }
    })
    .best;
    UnitResult { size: n, matmul_secs, kernel_matmul_secs, svd_reference_secs, svd_fast_secs, svd_sweeps: ws.sweeps }
}

/// What the NumPy and JAX peers need to run the same step on the same problem and to check
/// that they do: per size, the problem (W*, Ω), λ, the learning rate, and the iterate of the
/// Adam/ratio case after `check_steps` steps.
#[derive(Debug, Clone, Serialize)]
pub struct PeerProblem {
    pub size: usize,
    pub lambda: f64,
    pub learning_rate: f64,
    /// W*, rows.
    pub truth: Vec<Vec<f64>>,
    /// Ω, 0-based (row, col).
    pub observed: Vec<(usize, usize)>,
    pub check_steps: u64,
    /// W after `check_steps` Adam steps (ratio penalty), rows.
    pub check_matrix: Vec<Vec<f64>>,
}

/// The problem of the Adam/ratio case at size n, for the peers.
pub fn peer_problem(n: usize, check_steps: u64) -> PeerProblem {
    let case = Case { method: "adam".into(), penalty: "ratio".into(), size: n };
    let mut lab = Lab::from_json(&case_config(&case)).expect("the benchmark config is valid");
    lab.set_recording(false);
    lab.step(check_steps);
    let rows = |w: &DMatrix<f64>| (0..w.nrows()).map(|i| w.row(i).iter().copied().collect()).collect();
    PeerProblem {
        size: n,
        lambda: LAMBDA,
        learning_rate: LEARNING_RATE,
        truth: rows(&lab.problem().truth),
        observed: lab.problem().omega.clone(),
        check_steps,
        check_matrix: rows(lab.runs()[0].matrix()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_of_the_full_grid_is_a_valid_config() {
        let cases = plan(true);
        assert_eq!(cases.len(), SIZES.len() * PENALTIES.len() * methods().len());
        for case in cases.iter().filter(|c| c.size <= 30) {
            Lab::from_json(&case_config(case)).unwrap_or_else(|e| panic!("{case:?}: {e}"));
        }
        assert!(plan(false).iter().all(|c| cases.contains(c)));
    }
}
