//! Metrics of an iterate W (m × n), recorded after every step, and the bounded history.
//!
//! | metric | definition |
//! | --- | --- |
//! | `objective` | f(W), see [`crate::objective`] |
//! | `train_error` | ‖P_Ω(W − Y)‖_F / ‖P_Ω(Y)‖_F: relative distance from the constraint set {W : P_Ω(W) = P_Ω(Y)} |
//! | `test_error` | ‖P_Ωᶜ(W − W*)‖_F / ‖P_Ωᶜ(W*)‖_F: error on the unobserved entries only |
//! | `effective_rank` | exp(−Σᵢ pᵢ ln pᵢ), pᵢ = σᵢ / Σⱼ σⱼ (Roy & Vetterli 2007); 0 for W = 0 |
//! | `ratio` | ‖W‖_* / ‖W‖_F (0 for W = 0) |
//! | `singular_values` | σ₁ ≥ … ≥ σ_k, k = min(m, n) |
//!
//! A ratio whose denominator is 0 (every entry observed, for the test error; Y = 0 on Ω for
//! the train error) is `NaN`, written `null` in JSON.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::problem::Problem;

/// ‖P_Ω(W − Y)‖_F / ‖P_Ω(Y)‖_F.
pub fn train_error(problem: &Problem, w: &DMatrix<f64>) -> f64 {
    let num: f64 = problem
        .omega
        .iter()
        .map(|&(i, j)| {
            let d = w[(i, j)] - problem.observations[(i, j)];
            d * d
        })
        .sum();
    ratio_or_nan(num.sqrt(), problem.observed_norm)
}

/// ‖P_Ωᶜ(W − W*)‖_F / ‖P_Ωᶜ(W*)‖_F.
pub fn test_error(problem: &Problem, w: &DMatrix<f64>) -> f64 {
    let num: f64 = w
        .iter()
        .zip(problem.truth.iter())
        .zip(problem.mask.iter())
        .filter(|(_, &observed)| !observed)
        .map(|((a, b), _)| (a - b) * (a - b))
        .sum();
    ratio_or_nan(num.sqrt(), problem.unobserved_truth_norm)
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
        .map(|p| -p * p.ln())
        .sum();
    entropy.exp()
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
    /// Descending.
    pub singular_values: Vec<f64>,
}

/// Names of the scalar series kept in a [`History`], in storage order.
pub const HISTORY_SERIES: [&str; 6] = ["step", "objective", "train_error", "test_error", "effective_rank", "ratio"];

/// A bounded record of (step, scalar metrics). Holds at most `capacity` points: when full,
/// every other point is dropped and the recording stride doubles, so a run of any length
/// keeps an evenly thinned history from step 0 to (about) now, in O(capacity) memory.
#[derive(Debug, Clone)]
pub struct History {
    capacity: usize,
    stride: u64,
    series: [Vec<f64>; 6],
}

impl History {
    /// Default number of points kept.
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// # Panics
    /// If `capacity` < 2.
    pub fn new(capacity: usize) -> History {
        assert!(capacity >= 2, "a history keeps at least 2 points");
        History { capacity, stride: 1, series: Default::default() }
    }

    /// Records the metrics at `step` if it falls on the current stride.
    pub fn record(&mut self, step: u64, m: &Metrics) {
        if step % self.stride != 0 {
            return;
        }
        if self.len() == self.capacity {
            for s in self.series.iter_mut() {
                let kept: Vec<f64> = s.iter().step_by(2).copied().collect();
                *s = kept;
            }
            self.stride *= 2;
            if step % self.stride != 0 {
                return;
            }
        }
        let values = [step as f64, m.objective, m.train_error, m.test_error, m.effective_rank, m.ratio];
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

    /// One series by name (see [`HISTORY_SERIES`]), or `None` for an unknown name.
    pub fn series(&self, name: &str) -> Option<&[f64]> {
        HISTORY_SERIES.iter().position(|&n| n == name).map(|k| self.series[k].as_slice())
    }

    pub fn clear(&mut self) {
        self.stride = 1;
        for s in self.series.iter_mut() {
            s.clear();
        }
    }
}

impl Metrics {
    /// Every metric of `w`, given its SVD.
    pub fn compute(problem: &Problem, objective: &crate::objective::Objective, w: &DMatrix<f64>, svd: &crate::objective::Svd) -> Metrics {
        let singular_values: Vec<f64> = svd.singular_values.iter().copied().collect();
        Metrics {
            objective: objective.value(problem, w, svd),
            train_error: train_error(problem, w),
            test_error: test_error(problem, w),
            effective_rank: effective_rank(&singular_values),
            ratio: nuclear_frobenius_ratio(&singular_values),
            singular_values,
        }
    }
}
