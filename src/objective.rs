//! The objective f(W) = c·(1/(2|Ω|)·Σ_{(i,j)∈Ω} (W_ij − Y_ij)² + λ·p(W)) and its gradient
//! (c = `scale`, default 1).
//!
//! W is m × n (`DMatrix`, column-major in memory). The penalties and their gradients,
//! from the SVD W = U Σ Vᵀ (thin, singular values σ₁ ≥ σ₂ ≥ … ≥ 0):
//!
//! | penalty | p(W) | ∇p(W) |
//! | --- | --- | --- |
//! | `none` | 0 | 0 |
//! | `nuclear` | ‖W‖_* = Σᵢ σᵢ | U₊ V₊ᵀ (the minimum-norm subgradient: only σᵢ above the numerical-rank threshold) |
//! | `ratio` | ‖W‖_* / ‖W‖_F | U₊V₊ᵀ/‖W‖_F − ‖W‖_*·W/‖W‖_F³ (quotient rule; ∇‖W‖_F = W/‖W‖_F) |
//!
//! The ratio is scale-invariant (p(cW) = p(W) for c > 0), which is why its gradient is
//! orthogonal to W. At W = 0 the ratio is defined as 0 with gradient 0.
//! The data-fit gradient is (1/|Ω|)·P_Ω(W − Y).

use nalgebra::DMatrix;

use crate::config::{ObjectiveConfig, Penalty};
use crate::linalg::Svd;
use crate::problem::Problem;

/// The objective of a run: c times (data fit plus λ times a penalty).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objective {
    pub penalty: Penalty,
    /// λ ≥ 0.
    pub lambda: f64,
    /// c > 0.
    pub scale: f64,
}

impl From<&ObjectiveConfig> for Objective {
    fn from(c: &ObjectiveConfig) -> Self {
        Objective { penalty: c.penalty, lambda: c.lambda, scale: c.scale }
    }
}

impl Objective {
    /// 1/(2|Ω|)·Σ_Ω (W_ij − Y_ij)².
    pub fn fit(problem: &Problem, w: &DMatrix<f64>) -> f64 {
        Self::observed_squared_error(problem, w) / (2.0 * problem.omega.len() as f64)
    }

    /// Σ_Ω (W_ij − Y_ij)², in the order of Ω.
    pub fn observed_squared_error(problem: &Problem, w: &DMatrix<f64>) -> f64 {
        problem
            .omega
            .iter()
            .map(|&(i, j)| {
                let d = w[(i, j)] - problem.observations[(i, j)];
                d * d
            })
            .sum()
    }

    /// p(W), from the SVD of W.
    pub fn penalty_value(&self, w: &DMatrix<f64>, svd: &Svd) -> f64 {
        match self.penalty {
            Penalty::None => 0.0,
            Penalty::Nuclear => svd.nuclear_norm(),
            Penalty::Ratio => {
                let fro = w.norm();
                if fro > 0.0 { svd.nuclear_norm() / fro } else { 0.0 }
            }
        }
    }

    /// f(W) = c·(fit + λ·p(W)).
    pub fn value(&self, problem: &Problem, w: &DMatrix<f64>, svd: &Svd) -> f64 {
        let pen = if self.lambda != 0.0 { self.lambda * self.penalty_value(w, svd) } else { 0.0 };
        self.scale * (Self::fit(problem, w) + pen)
    }

    /// True when the gradient needs the singular vectors of W (a penalty with λ > 0).
    pub fn needs_svd(&self) -> bool {
        self.lambda != 0.0 && self.penalty != Penalty::None
    }

    /// f(W), ∇f(W) and the SVD of W, or `None` when W is not finite or its SVD fails.
    pub fn evaluate(&self, problem: &Problem, w: &DMatrix<f64>) -> Option<(f64, DMatrix<f64>, Svd)> {
        let svd = Svd::fast(w)?;
        let value = self.value(problem, w, &svd);
        let grad = self.gradient(problem, w, &svd);
        Some((value, grad, svd))
    }

    /// ∇f(W) into `grad` (m × n, overwritten), from the SVD of W.
    pub fn gradient_into(&self, problem: &Problem, w: &DMatrix<f64>, svd: &Svd, grad: &mut DMatrix<f64>) {
        let fro = if self.lambda != 0.0 && self.penalty == Penalty::Ratio { w.norm() } else { 0.0 };
        match self.penalty {
            Penalty::Nuclear if self.lambda != 0.0 => {
                svd.polar_factor_into(grad);
                *grad *= self.lambda;
            }
            Penalty::Ratio if self.lambda != 0.0 && fro > 0.0 => {
                let nuc = svd.nuclear_norm();
                svd.polar_factor_into(grad);
                *grad *= self.lambda / fro;
                let c = self.lambda * nuc / (fro * fro * fro);
                grad.zip_apply(w, |g, x| *g -= c * x);
            }
            _ => grad.fill(0.0),
        }
        self.add_fit_gradient(problem, w, grad);
    }

    /// The data-fit gradient alone (the penalty's part is zero or not wanted) into `grad`.
    pub fn fit_gradient_into(&self, problem: &Problem, w: &DMatrix<f64>, grad: &mut DMatrix<f64>) {
        grad.fill(0.0);
        self.add_fit_gradient(problem, w, grad);
    }

    /// grad ← c·(grad + (1/|Ω|)·P_Ω(W − Y)).
    fn add_fit_gradient(&self, problem: &Problem, w: &DMatrix<f64>, grad: &mut DMatrix<f64>) {
        let k = problem.omega.len() as f64;
        for &(i, j) in &problem.omega {
            grad[(i, j)] += (w[(i, j)] - problem.observations[(i, j)]) / k;
        }
        if self.scale != 1.0 {
            *grad *= self.scale;
        }
    }

    /// ∇f(W), with the SVD of W when the caller has it; without it, an SVD is computed only
    /// if the penalty needs one (and a failed SVD then leaves the penalty's part out, which
    /// cannot happen for a finite W in practice; callers check finiteness first).
    pub fn gradient_opt(&self, problem: &Problem, w: &DMatrix<f64>, svd: Option<&Svd>) -> DMatrix<f64> {
        match svd {
            Some(svd) => self.gradient(problem, w, svd),
            None if self.needs_svd() => match Svd::fast(w) {
                Some(svd) => self.gradient(problem, w, &svd),
                None => DMatrix::from_element(w.nrows(), w.ncols(), f64::NAN),
            },
            None => {
                let mut g = DMatrix::zeros(w.nrows(), w.ncols());
                let k = problem.omega.len() as f64;
                for &(i, j) in &problem.omega {
                    g[(i, j)] = self.scale * (w[(i, j)] - problem.observations[(i, j)]) / k;
                }
                g
            }
        }
    }

    /// ∇f(W) as a new matrix.
    pub fn gradient(&self, problem: &Problem, w: &DMatrix<f64>, svd: &Svd) -> DMatrix<f64> {
        let mut g = DMatrix::zeros(w.nrows(), w.ncols());
        self.gradient_into(problem, w, svd, &mut g);
        g
    }
}
