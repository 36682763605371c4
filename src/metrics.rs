//! Metrics of an iterate W (m × n), recorded after every step, and the bounded history.
//!
//! | metric | definition |
//! | --- | --- |
//! | `objective` | f(W), see [`crate::objective`] |
//! | `train_error` | ‖P_Ω(W − Y)‖_F / ‖P_Ω(Y)‖_F: relative distance from the constraint set {W : P_Ω(W) = P_Ω(Y)} |
//! | `test_error` | ‖P_Ωᶜ(W − W*)‖_F / ‖P_Ωᶜ(W*)‖_F: error on the unobserved entries only (those whose truth is known) |
//! | `effective_rank` | exp(−Σᵢ pᵢ ln pᵢ), pᵢ = σᵢ / Σⱼ σⱼ (Roy & Vetterli 2007); 0 for W = 0 |
//! | `ratio` | ‖W‖_* / ‖W‖_F (0 for W = 0) |
//! | `singular_values` | σ₁ ≥ … ≥ σ_k, k = min(m, n) |
//! | `nuclear_norm`, `frobenius_norm` | ‖W‖_* = Σσᵢ, ‖W‖_F = √(Σσᵢ²) |
//! | `subspace_angle_truth` | sin of the largest principal angle between the top-r left singular subspaces of W and of W* (r = rank of W*): ‖(I − U U ᵀ)U*‖₂ (Golub & Van Loan, §6.4.3) |
//! | `subspace_angle_start` | the same between W and the start W₀: how far the run has left its starting span |
//! | `time` | gradient flow: the time t reached; GD: Σ of its learning rates (the time GD's steps approximate); otherwise `NaN` (`null`) |
//! | `gradient_evaluations` | gradients of f computed so far: 1 a step for a gradient method; Newton's 1 a step and 2 a Hessian–vector product (central differences of the gradient); gradient flow's 1 a stage, rejected tries included; `NaN` (`null`) for a solver that computes none (ALS, SoftImpute) |
//! | `step_norm` | ‖ΔW‖_F, ΔW = W_t − W_{t−1}, the last step of the end-to-end matrix; `NaN` (`null`) at step 0 |
//! | `step_stable_rank` | ‖ΔW‖_F² / ‖ΔW‖₂² (stable rank; Rudelson & Vershynin 2007): 1 for a rank-one step, min(m, n) for a step whose singular values are all equal (Muon's, spectral descent's); `NaN` at step 0 and for ΔW = 0 |
//!
//! A ratio whose denominator is 0 (every entry observed, for the test error; Y = 0 on Ω for
//! the train error) is `NaN`, written `null` in JSON.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::linalg::Svd;
use crate::objective::Objective;
use crate::problem::Problem;

/// ‖P_Ω(W − Y)‖_F / ‖P_Ω(Y)‖_F.
pub fn train_error(problem: &Problem, w: &DMatrix<f64>) -> f64 {
    ratio_or_nan(Objective::observed_squared_error(problem, w).sqrt(), problem.observed_norm)
}

/// ‖P_Ωᶜ(W − W*)‖_F / ‖P_Ωᶜ(W*)‖_F.
pub fn test_error(problem: &Problem, w: &DMatrix<f64>) -> f64 {
    let num: f64 = w
        .iter()
        .zip(problem.truth.iter())
        .zip(problem.mask.iter().zip(problem.known.iter()))
        .filter(|(_, (&observed, &known))| !observed && known)
        .map(|((a, b), _)| (a - b) * (a - b))
        .sum();
    ratio_or_nan(num.sqrt(), problem.unobserved_truth_norm)
}

/// sin θ_max between the column spans of `a` and `b` (both m × r with orthonormal columns):
/// the largest singular value of b − a(aᵀb).
pub fn subspace_sine(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    let residual = b - a * (a.transpose() * b);
    let s = crate::linalg::Svd::values_of(&residual);
    s.iter().cloned().fold(0.0, f64::max).min(1.0)
}

/// (‖ΔW‖_F, ‖ΔW‖_F² / ‖ΔW‖₂²) of a step ΔW (m × n): its length and stable rank. The stable rank
/// is `NaN` for ΔW = 0 or when the SVD of ΔW does not converge.
pub fn step_metrics(step: &DMatrix<f64>) -> (f64, f64) {
    let frobenius_squared = step.norm_squared();
    let top = Svd::values_of(step).iter().cloned().fold(0.0, f64::max);
    (frobenius_squared.sqrt(), ratio_or_nan(frobenius_squared, top * top))
}

fn ratio_or_nan(num: f64, den: f64) -> f64 {
    if den > 0.0 { num / den } else { f64::NAN }
}

/// exp(−Σ pᵢ ln pᵢ) with pᵢ = σᵢ/Σσⱼ (Roy & Vetterli 2007). Between 1 and the number of
/// nonzero σᵢ; 0 when every σᵢ is 0.
pub fn effective_rank(singular_values: &[f64]) -> f64 {
    let total: f64 = singular_values.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let entropy: f64 = singular_values
        .iter()
        .map(|&s| s / total)
        .filter(|&p| p > 0.0)
        .map(|p| -p * libm::log(p))
        .sum();
    libm::exp(entropy)
}

/// ‖W‖_*/‖W‖_F from the singular values (‖W‖_F² = Σσᵢ²); 0 when W = 0.
pub fn nuclear_frobenius_ratio(singular_values: &[f64]) -> f64 {
    let nuc: f64 = singular_values.iter().sum();
    let fro = singular_values.iter().map(|s| s * s).sum::<f64>().sqrt();
    if fro > 0.0 { nuc / fro } else { 0.0 }
}

/// The metrics of one iterate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub objective: f64,
    pub train_error: f64,
    pub test_error: f64,
    pub effective_rank: f64,
    pub ratio: f64,
    pub nuclear_norm: f64,
    pub frobenius_norm: f64,
    pub subspace_angle_truth: f64,
    pub subspace_angle_start: f64,
    pub time: f64,
    pub gradient_evaluations: f64,
    pub step_norm: f64,
    pub step_stable_rank: f64,
    /// Descending.
    pub singular_values: Vec<f64>,
}

/// How far a run has gone besides its steps: the time t (gradient flow's, GD's Σ learning rates;
/// `NaN` otherwise) and the gradients of f computed (`NaN` for a solver that computes none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    pub time: f64,
    pub gradient_evaluations: f64,
}

impl Clock {
    /// Neither clock: at the start, or for a metric of a matrix that is no run's.
    pub const NONE: Clock = Clock { time: f64::NAN, gradient_evaluations: f64::NAN };
}

/// The fixed subspaces the angles are measured against: top-r left singular vectors of W*
/// and of the start W₀ (m × r each).
#[derive(Debug, Clone)]
pub struct References {
    pub truth: DMatrix<f64>,
    pub start: DMatrix<f64>,
}

impl References {
    /// r = `rank` leading left singular vectors of each.
    pub fn new(truth: &Svd, start: &Svd, rank: usize) -> References {
        let r = rank.min(truth.u.ncols()).max(1);
        References { truth: truth.u.columns(0, r).into_owned(), start: start.u.columns(0, r).into_owned() }
    }
}

/// The metric names, in order: the scalar series a [`History`] keeps (this order), the names
/// the command line and the wasm `Lab.history_ptr` take, and what `Lab.metric_names()` gives
/// the page. The one declaration of them in Rust.
pub const METRIC_NAMES: [&str; 14] = [
    "step",
    "objective",
    "train_error",
    "test_error",
    "effective_rank",
    "ratio",
    "nuclear_norm",
    "frobenius_norm",
    "subspace_angle_truth",
    "subspace_angle_start",
    "time",
    "gradient_evaluations",
    "step_norm",
    "step_stable_rank",
];

/// A bounded record of (step, scalar metrics). Holds at most `capacity` points on an even
/// stride, plus the newest point: when full, every other point is dropped and the stride
/// doubles, so a run of any length keeps an evenly thinned history from step 0 to now, in
/// O(capacity) memory. The last point is always the newest step recorded.
#[derive(Debug, Clone)]
pub struct History {
    capacity: usize,
    stride: u64,
    /// True when the last point is off the stride (kept only because it is the newest).
    provisional: bool,
    series: [Vec<f64>; METRIC_NAMES.len()],
}

impl History {
    /// Default number of points kept.
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// # Panics
    /// If `capacity` < 2.
    pub fn new(capacity: usize) -> History {
        assert!(capacity >= 2, "a history keeps at least 2 points");
        History { capacity, stride: 1, provisional: false, series: Default::default() }
    }

    /// Records the metrics at `step` (steps must increase from call to call).
    pub fn record(&mut self, step: u64, m: &Metrics) {
        if self.provisional {
            for s in self.series.iter_mut() {
                s.pop();
            }
            self.provisional = false;
        }
        let on_stride = step % self.stride == 0;
        if on_stride && self.len() == self.capacity {
            // Every other point, in place: no allocation, so a long run's memory stays flat.
            for s in self.series.iter_mut() {
                let kept = s.len().div_ceil(2);
                for k in 0..kept {
                    s[k] = s[2 * k];
                }
                s.truncate(kept);
            }
            self.stride *= 2;
        }
        self.provisional = step % self.stride != 0;
        let values = [
            step as f64,
            m.objective,
            m.train_error,
            m.test_error,
            m.effective_rank,
            m.ratio,
            m.nuclear_norm,
            m.frobenius_norm,
            m.subspace_angle_truth,
            m.subspace_angle_start,
            m.time,
            m.gradient_evaluations,
            m.step_norm,
            m.step_stable_rank,
        ];
        for (s, v) in self.series.iter_mut().zip(values) {
            s.push(v);
        }
    }

    /// Points kept.
    pub fn len(&self) -> usize {
        self.series[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Steps between kept points (1 until the first thinning).
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// One series by name (see [`METRIC_NAMES`]), or `None` for an unknown name.
    pub fn series(&self, name: &str) -> Option<&[f64]> {
        METRIC_NAMES.iter().position(|&n| n == name).map(|k| self.series[k].as_slice())
    }

    pub fn clear(&mut self) {
        self.stride = 1;
        self.provisional = false;
        for s in self.series.iter_mut() {
            s.clear();
        }
    }
}

impl Metrics {
    /// Every metric of `w`, given its SVD, the reference subspaces, the clock (`NaN` where it
    /// does not apply) and the iterate before the last step (`None` at the start: the step's
    /// metrics are then `NaN`).
    pub fn compute(
        problem: &Problem,
        objective: &Objective,
        w: &DMatrix<f64>,
        svd: &Svd,
        refs: &References,
        clock: Clock,
        previous: Option<&DMatrix<f64>>,
    ) -> Metrics {
        let (step_norm, step_stable_rank) = previous.map_or((f64::NAN, f64::NAN), |p| step_metrics(&(w - p)));
        let singular_values: Vec<f64> = svd.singular_values.iter().copied().collect();
        let r = refs.truth.ncols().min(svd.u.ncols());
        let top = svd.u.columns(0, r).into_owned();
        Metrics {
            objective: objective.value(problem, w, svd),
            train_error: train_error(problem, w),
            test_error: test_error(problem, w),
            effective_rank: effective_rank(&singular_values),
            ratio: nuclear_frobenius_ratio(&singular_values),
            nuclear_norm: singular_values.iter().sum(),
            frobenius_norm: singular_values.iter().map(|s| s * s).sum::<f64>().sqrt(),
            subspace_angle_truth: subspace_sine(&top, &refs.truth),
            subspace_angle_start: subspace_sine(&top, &refs.start),
            time: clock.time,
            gradient_evaluations: clock.gradient_evaluations,
            step_norm,
            step_stable_rank,
            singular_values,
        }
    }
}

/// A bounded, evenly thinned record of a run's iterates W (for the joint PCA of the
/// trajectories): like [`History`], at most `capacity` snapshots, the stride doubling when full.
#[derive(Debug, Clone)]
pub struct Snapshots {
    capacity: usize,
    stride: u64,
    len_each: usize,
    steps: Vec<u64>,
    data: Vec<f64>,
}

impl Snapshots {
    /// # Panics
    /// If `capacity` < 2.
    pub fn new(capacity: usize, len_each: usize) -> Snapshots {
        assert!(capacity >= 2, "at least 2 snapshots");
        Snapshots { capacity, stride: 1, len_each, steps: Vec::new(), data: Vec::new() }
    }

    /// Keeps `w` (its entries in storage order) if `step` falls on the stride.
    pub fn record(&mut self, step: u64, w: &[f64]) {
        if step % self.stride != 0 || w.len() != self.len_each {
            return;
        }
        if self.steps.len() == self.capacity {
            // Every other snapshot, in place (no allocation: a long run's memory stays flat).
            let (kept, len) = (self.steps.len().div_ceil(2), self.len_each);
            for k in 0..kept {
                self.steps[k] = self.steps[2 * k];
                self.data.copy_within(2 * k * len..(2 * k + 1) * len, k * len);
            }
            self.steps.truncate(kept);
            self.data.truncate(kept * len);
            self.stride *= 2;
            if step % self.stride != 0 {
                return;
            }
        }
        self.steps.push(step);
        self.data.extend_from_slice(w);
    }

    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Steps of the snapshots kept.
    pub fn steps(&self) -> &[u64] {
        &self.steps
    }

    /// Snapshot k's entries.
    pub fn get(&self, k: usize) -> &[f64] {
        &self.data[k * self.len_each..(k + 1) * self.len_each]
    }
}
