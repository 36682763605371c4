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
//! Timing: calls of k units (steps, products), k set from a warm-up so that one call lasts
//! about `sample_secs` (5 ms), and the figure is the *fastest* of `samples` calls (31), the
//! median being kept too. The work of a call is defined here ([`case_lab`]'s `step(k)`,
//! [`Yardsticks`]); its timer is [`time_units`] in the browser (with `performance.now()`, as
//! `Instant` panics there) and criterion natively (`benches/steps.rs`: flat sampling, 31
//! samples of the same k, the same protocol). The machine these figures come from is shared
//! with other work (load average 5 to 9 on two cores): a 5 ms call is rarely descheduled, so
//! the fastest of many estimates the unloaded speed, where means and medians mostly measure
//! the load. The peers (`bench/peers.py`) are timed the same way.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::linalg;
use crate::linalg::Svd;
use crate::catalog;
use crate::lab::Lab;

/// Problem sizes n (n × n) of the full grid.
pub const SIZES: [usize; 5] = [10, 30, 64, 100, 200];
/// Penalties of the full grid (their config names).
pub const PENALTIES: [&str; 3] = ["none", "nuclear", "ratio"];
/// λ of every case.
pub const LAMBDA: f64 = 0.01;
/// Learning rate of every method that has one.
pub const LEARNING_RATE: f64 = 0.01;

/// Every method's config name, in the catalog's order ([`catalog::CATALOG`]).
pub fn methods() -> Vec<&'static str> {
    catalog::CATALOG.iter().map(|e| e.meta.name).collect()
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
    let has_lr = catalog::find(&case.method).is_some_and(|e| (e.default)().learning_rate().is_some());
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
    /// Timed calls; the figure is the fastest of them (the median is kept too).
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
/// a warm-up so that a call lasts about `s.sample_secs`. (The browser's timer; natively,
/// criterion samples the same work, see `benches/steps.rs`.)
pub fn time_units(clock: &dyn Fn() -> f64, s: &Sampling, mut f: impl FnMut(u64)) -> Timing {
    // Seconds per unit of one call of k units.
    let mut call = |k: u64| {
        let t0 = clock();
        f(k);
        (clock() - t0) / k as f64
    };
    // Warm-up, doubling k, until one call lasts the warm-up time (or 2^20 units). That call is
    // made twice and the faster sets k: one descheduled call (or a first call's one-off costs)
    // would otherwise make every call too short for the clock (0.1 ms in a browser).
    let mut k = 1u64;
    let per_unit = loop {
        let per = call(k);
        if per * k as f64 >= s.warmup_secs || k >= 1 << 20 {
            break per.min(call(k)).max(1e-12);
        }
        k *= 2;
    };
    let k = ((s.sample_secs / per_unit).ceil() as u64).max(1);
    let samples = (0..s.samples.max(1)).map(|_| call(k)).collect();
    Timing::from_samples(k, samples)
}

impl Timing {
    /// The timing of calls of `per_call` units each, from every call's seconds per unit, in
    /// order (at least one).
    pub fn from_samples(per_call: u64, samples: Vec<f64>) -> Timing {
        let mut per = samples.clone();
        per.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        Timing { best: per[0], median: per[per.len() / 2], per_call, samples }
    }
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

/// The lab of a case with recording off, ready to step: the work both harnesses time is
/// `lab.step(k)`.
///
/// # Errors
/// The case's config is invalid (an unknown method or penalty).
pub fn case_lab(case: &Case) -> Result<Lab, String> {
    let mut lab = Lab::from_json(&case_config(case)).map_err(|e| e.to_string())?;
    lab.set_recording(false);
    Ok(lab)
}

impl CaseResult {
    /// A case's figure from the timing `t` of calls of `lab.step(k)`, with `lab` as they left it.
    pub fn new(case: &Case, lab: &Lab, t: Timing) -> CaseResult {
        let run = &lab.runs()[0];
        CaseResult {
            case: case.clone(),
            steps_per_sec: 1.0 / t.best,
            step_secs: t.best,
            step_secs_median: t.median,
            steps_per_call: t.per_call,
            samples: t.samples,
            total_steps: run.step_count(),
            live: run.diverged().is_none(),
        }
    }
}

/// Runs one case.
///
/// # Errors
/// The case's config is invalid (an unknown method or penalty).
pub fn run_case(case: &Case, clock: &dyn Fn() -> f64, s: &Sampling) -> Result<CaseResult, String> {
    let mut lab = case_lab(case)?;
    let t = time_units(clock, s, |k| lab.step(k));
    Ok(CaseResult::new(case, &lab, t))
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

/// The yardsticks' work at one size n, on a typical iterate W (the Adam/ratio case after 100
/// steps); each method does k units of its work.
pub struct Yardsticks {
    w: DMatrix<f64>,
    b: DMatrix<f64>,
    c: DMatrix<f64>,
    svd: Svd,
    ws: linalg::SvdWorkspace,
}

/// The work of one yardstick: k units of it.
pub type YardstickWork = fn(&mut Yardsticks, u64);

/// The yardsticks by name (`kind/whose`), in the order of [`UnitResult::from_secs`].
pub const YARDSTICKS: [(&str, YardstickWork); 4] = [
    ("product/nalgebra", Yardsticks::product_nalgebra),
    ("product/ours", Yardsticks::product_ours),
    ("svd/nalgebra", Yardsticks::svd_nalgebra),
    ("svd/ours", Yardsticks::svd_ours),
];

impl Yardsticks {
    pub fn new(n: usize) -> Yardsticks {
        let case = Case { method: "adam".into(), penalty: "ratio".into(), size: n };
        let mut lab = case_lab(&case).expect("the benchmark config is valid");
        lab.step(100);
        let w = lab.runs()[0].matrix().clone();
        let b = DMatrix::from_fn(n, n, |i, j| w[(j, i)] + 1.0);
        Yardsticks { w, b, c: DMatrix::zeros(n, n), svd: Svd::empty(), ws: linalg::SvdWorkspace::new() }
    }

    /// k of nalgebra's n × n products W·B (`gemm` into a preallocated matrix): the roofline unit.
    pub fn product_nalgebra(&mut self, k: u64) {
        for _ in 0..k {
            self.c.gemm(1.0, &self.w, &self.b, 0.0);
        }
    }

    /// k of this crate's fixed-order products W·B ([`linalg::gemm`]).
    pub fn product_ours(&mut self, k: u64) {
        let n = self.w.nrows();
        for _ in 0..k {
            linalg::gemm(self.c.as_mut_slice(), n, self.w.as_slice(), n, self.b.as_slice(), n, n, n, n);
        }
    }

    /// k of nalgebra's SVD of W ([`Svd::of`], the reference).
    pub fn svd_nalgebra(&mut self, k: u64) {
        for _ in 0..k {
            std::hint::black_box(Svd::of(&self.w));
        }
    }

    /// k of this crate's SVD of W ([`Svd::fast_into`]), workspace reused.
    pub fn svd_ours(&mut self, k: u64) {
        for _ in 0..k {
            self.svd.fast_into(&self.w, &mut self.ws);
        }
    }

    /// QR sweeps of the last [`Yardsticks::svd_ours`] (0 before one).
    pub fn svd_sweeps(&self) -> usize {
        self.ws.sweeps
    }
}

impl UnitResult {
    /// The figures at size n: seconds per unit of each of [`YARDSTICKS`], in order.
    pub fn from_secs(size: usize, secs: [f64; 4], svd_sweeps: usize) -> UnitResult {
        let [matmul_secs, kernel_matmul_secs, svd_reference_secs, svd_fast_secs] = secs;
        UnitResult { size, matmul_secs, kernel_matmul_secs, svd_reference_secs, svd_fast_secs, svd_sweeps }
    }
}

/// Times the yardsticks at size n.
pub fn run_unit(n: usize, clock: &dyn Fn() -> f64, s: &Sampling) -> UnitResult {
    let mut y = Yardsticks::new(n);
    let secs = YARDSTICKS.map(|(_, work)| time_units(clock, s, |k| work(&mut y, k)).best);
    UnitResult::from_secs(n, secs, y.svd_sweeps())
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
    let mut lab = case_lab(&case).expect("the benchmark config is valid");
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

    #[test]
    fn a_timing_is_the_fastest_and_the_median_call_with_every_call_in_order() {
        let t = Timing::from_samples(7, vec![3.0, 1.0, 5.0, 2.0, 4.0]);
        assert_eq!((t.best, t.median, t.per_call), (1.0, 3.0, 7));
        assert_eq!(t.samples, [3.0, 1.0, 5.0, 2.0, 4.0]);
    }

    #[test]
    fn one_slow_warm_up_call_does_not_set_the_size_of_the_calls() {
        // A fake clock: every unit costs 1 µs, and the first call stalls for 0.1 s (longer
        // than the warm-up's 50 ms) — a descheduled call, or a first call's one-off costs.
        let now = std::cell::Cell::new(0.0);
        let mut first = true;
        let timing = time_units(&|| now.get(), &Sampling::default(), |k| {
            let stall = if std::mem::take(&mut first) { 0.1 } else { 0.0 };
            now.set(now.get() + stall + k as f64 * 1e-6);
        });
        // Calls of 5 ms: 5000 units (not 50, as the stalled call alone would set).
        assert!((5000..=5001).contains(&timing.per_call), "{} units per call", timing.per_call);
        assert!(timing.samples.iter().all(|&x| (x - 1e-6).abs() < 1e-12), "{:?}", timing.samples);
    }

    #[test]
    fn the_yardsticks_compute_what_they_are_named_for() {
        let mut y = Yardsticks::new(10);
        let product = &y.w * &y.b;
        y.product_nalgebra(1);
        assert!((&y.c - &product).amax() <= 1e-12 * product.amax());
        y.c.fill(0.0);
        y.product_ours(2);
        assert!((&y.c - &product).amax() <= 1e-12 * product.amax());
        y.svd_ours(1);
        assert!(y.svd_sweeps() > 0);
        let reference = Svd::of(&y.w).expect("nalgebra's SVD converges");
        let (ours, theirs) = (&y.svd.singular_values, &reference.singular_values);
        assert!((ours - theirs).amax() <= 1e-10 * theirs.amax(), "{ours} against {theirs}");
    }
}
