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

use nalgebra::{DMatrix, DVector};

use crate::config::{ObjectiveConfig, Penalty};
use crate::linalg::{self, SvdWorkspace};
use crate::problem::Problem;

/// A thin SVD W = U·diag(σ)·Vᵀ with σ sorted descending.
#[derive(Debug, Clone)]
pub struct Svd {
    /// m × k, k = min(m, n).
    pub u: DMatrix<f64>,
    /// k singular values, descending, ≥ 0.
    pub singular_values: DVector<f64>,
    /// k × n.
    pub v_t: DMatrix<f64>,
}

impl Svd {
    /// The SVD of `w` by nalgebra (one-sided bidiagonalisation + implicit-shift QR), or `None`
    /// when `w` has a non-finite entry or the iteration does not converge.
    pub fn of(w: &DMatrix<f64>) -> Option<Svd> {
        if !w.iter().all(|v| v.is_finite()) {
            return None;
        }
        let k = w.nrows().min(w.ncols());
        let svd = w.clone().try_svd(true, true, 5.0 * f64::EPSILON, 200 * (k + 10))?;
        Some(Svd { u: svd.u?, singular_values: svd.singular_values, v_t: svd.v_t? })
    }

    /// The same SVD by this crate's own Golub–Kahan algorithm ([`crate::linalg::svd_into`]):
    /// faster, with the same bits natively and in WebAssembly, and what the runs use; `of`
    /// stays the reference it is tested against. The zero matrix (and an empty one) gets
    /// σ = 0 with the first columns of the identity as U and V. Natively, a QR iteration that
    /// does not converge falls back to [`Svd::of`]; in WebAssembly it gives `None` (nalgebra's
    /// SVD is left out of the module: 12 kB gzipped).
    pub fn fast(w: &DMatrix<f64>) -> Option<Svd> {
        let mut svd = Svd::empty();
        svd.fast_into(w, &mut SvdWorkspace::new()).then_some(svd)
    }

    /// [`Svd::fast`] into `self`, reusing its storage and the workspace's (no allocation once
    /// both have the size). Returns false, leaving `self` unspecified, when `w` is not finite
    /// or neither algorithm converges.
    pub fn fast_into(&mut self, w: &DMatrix<f64>, ws: &mut SvdWorkspace) -> bool {
        if linalg::svd_into(w, ws, &mut self.u, &mut self.singular_values, &mut self.v_t) {
            return true;
        }
        if w.iter().all(|&x| x == 0.0) {
            let (m, n) = w.shape();
            let k = m.min(n);
            self.u = DMatrix::identity(m, k);
            self.singular_values = DVector::zeros(k);
            self.v_t = DMatrix::identity(k, n);
            return true;
        }
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(svd) = Svd::of(w) {
            *self = svd;
            return true;
        }
        false
    }

    /// The singular values of `w`, descending, by [`Svd::fast`]; empty when `w` has a
    /// non-finite entry or the SVD does not converge. (Not nalgebra's `singular_values`, so
    /// that nalgebra's SVD stays out of the WebAssembly module.)
    pub fn values_of(w: &DMatrix<f64>) -> DVector<f64> {
        Svd::fast(w).map(|s| s.singular_values).unwrap_or_else(|| DVector::zeros(0))
    }

    /// An SVD with no entries, to be filled by [`Svd::fast_into`].
    pub fn empty() -> Svd {
        Svd { u: DMatrix::zeros(0, 0), singular_values: DVector::zeros(0), v_t: DMatrix::zeros(0, 0) }
    }

    /// ‖W‖_* = Σ σᵢ.
    pub fn nuclear_norm(&self) -> f64 {
        self.singular_values.sum()
    }

    /// Singular values above σ₁·max(m, n)·ε.
    pub fn numerical_rank(&self) -> usize {
        let top = self.singular_values.iter().cloned().fold(0.0, f64::max);
        let tol = top * (self.u.nrows().max(self.v_t.ncols()) as f64) * f64::EPSILON;
        self.singular_values.iter().filter(|&&s| s > tol).count()
    }

    /// U₊V₊ᵀ over the numerically nonzero singular values (m × n).
    pub fn polar_factor(&self) -> DMatrix<f64> {
        let mut out = DMatrix::zeros(self.u.nrows(), self.v_t.ncols());
        self.polar_factor_into(&mut out);
        out
    }

    /// U₊V₊ᵀ into `out` (m × n, overwritten), by a matrix product with a fixed order of
    /// summation (the same bits natively and in WebAssembly).
    ///
    /// # Panics
    /// If `out` is not m × n.
    pub fn polar_factor_into(&self, out: &mut DMatrix<f64>) {
        let (m, k) = self.u.shape();
        let n = self.v_t.ncols();
        assert_eq!(out.shape(), (m, n), "the polar factor is m × n");
        let r = self.numerical_rank();
        linalg::gemm(out.as_mut_slice(), m, self.u.as_slice(), m, self.v_t.as_slice(), k, m, n, r);
    }
}

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
