//! `shampoo`: Kronecker-factored preconditioning (Gupta, Koren & Singer 2018, Algorithm 1),
//! without momentum or grafting.
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient; the state keeps
//! L (m × m) and R (n × n), both 0 at first. One step:
//!
//! 1. with `beta2` = 1 (default): L ← L + G Gᵀ, R ← R + Gᵀ G (the paper's sums);
//!    with `beta2` < 1: L ← β₂·L + (1 − β₂)·G Gᵀ, R ← β₂·R + (1 − β₂)·Gᵀ G (as
//!    `distributed_shampoo`);
//! 2. W ← W − lr·(L + εI)^(−1/4) G (R + εI)^(−1/4), each root from a symmetric
//!    eigendecomposition Q Λ Qᵀ as Q·diag((max(λ, 0) + ε)^(−1/4))·Qᵀ (eigenvalues clamped at 0,
//!    which rounding can push below, before ε is added).
//!
//! Equivariant: a gradient U G Vᵀ with U, V orthogonal gets the step U·(step of G)·Vᵀ.
//! The eigendecompositions are nalgebra's `SymmetricEigen`; the products have a fixed order of
//! summation ([`crate::linalg::gemm`]). A gradient with a non-finite entry makes W NaN.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, SymmetricEigen};
use serde::{Deserialize, Serialize};

use crate::checks::Shown;
use crate::method::{Family, HyperParam, MethodMeta, Rule};
use crate::linalg::product;

/// Shampoo hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Shampoo {
    /// Step size lr, ≥ 0 (default 0.01).
    pub learning_rate: f64,
    /// Decay of the statistics L and R, 0 < β₂ ≤ 1; 1 (default) sums them.
    pub beta2: f64,
    /// ε added to the (clamped) eigenvalues before the −1/4 power, > 0 (default 1e-12).
    pub eps: f64,
}

impl Default for Shampoo {
    fn default() -> Self {
        Shampoo { learning_rate: 1e-2, beta2: 1.0, eps: 1e-12 }
    }
}

/// Shampoo's state: the step count and the statistics L (m × m) and R (n × n).
#[derive(Debug, Clone, PartialEq)]
pub struct ShampooState {
    /// Steps taken so far.
    pub t: u64,
    /// L, m × m, symmetric positive semi-definite.
    pub left: DMatrix<f64>,
    /// R, n × n, symmetric positive semi-definite.
    pub right: DMatrix<f64>,
}

/// (S + εI)^(−1/4) of the symmetric S, its eigenvalues clamped at 0 first; `None` when the
/// eigendecomposition does not converge.
fn inverse_fourth_root(s: &DMatrix<f64>, eps: f64) -> Option<DMatrix<f64>> {
    let k = s.nrows();
    // Symmetrise exactly: the products leave S symmetric only to rounding.
    let sym = DMatrix::from_fn(k, k, |i, j| if i >= j { s[(i, j)] } else { s[(j, i)] });
    let eig = SymmetricEigen::try_new(sym, f64::EPSILON, 1000 * (k + 1))?;
    let q = eig.eigenvectors;
    let scaled = DMatrix::from_fn(k, k, |i, j| {
        let root = (eig.eigenvalues[j].max(0.0) + eps).sqrt().sqrt();
        q[(i, j)] / root
    });
    Some(product(&scaled, &q.transpose()))
}

impl Shampoo {
    /// Checks the hyper-parameters (the ranges `distributed_shampoo` accepts).
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_lr(self.learning_rate)?;
        if !(self.beta2 > 0.0 && self.beta2 <= 1.0) {
            return Err(("beta2", format!("must be in (0, 1], got {}", Shown(self.beta2))));
        }
        if !self.eps.is_finite() || self.eps <= 0.0 {
            return Err(("eps", format!("must be a finite number > 0, got {}", Shown(self.eps))));
        }
        Ok(())
    }

    /// A fresh state for an m × n matrix: t = 0, L = 0 (m × m), R = 0 (n × n).
    pub fn init(&self, shape: (usize, usize)) -> ShampooState {
        ShampooState { t: 0, left: DMatrix::zeros(shape.0, shape.0), right: DMatrix::zeros(shape.1, shape.1) }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` or the state's statistics do not match the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut ShampooState) {
        let (m, n) = w.shape();
        assert_eq!(g.shape(), (m, n), "gradient and parameters differ in shape");
        assert!(state.left.shape() == (m, m) && state.right.shape() == (n, n), "state does not match the parameters");
        state.t += 1;
        if m == 0 || n == 0 {
            return;
        }
        if !g.iter().all(|v| v.is_finite()) {
            w.fill(f64::NAN);
            return;
        }
        let g = g.clone_owned();
        let gt = g.transpose();
        let ggt = product(&g, &gt);
        let gtg = product(&gt, &g);
        let beta2 = self.beta2;
        if beta2 == 1.0 {
            state.left += &ggt;
            state.right += &gtg;
        } else {
            state.left.zip_apply(&ggt, |l, x| *l = beta2 * *l + (1.0 - beta2) * x);
            state.right.zip_apply(&gtg, |r, x| *r = beta2 * *r + (1.0 - beta2) * x);
        }
        let (Some(pl), Some(pr)) = (inverse_fourth_root(&state.left, self.eps), inverse_fourth_root(&state.right, self.eps)) else {
            w.fill(f64::NAN);
            return;
        };
        let step = product(&product(&pl, &g), &pr);
        let lr = self.learning_rate;
        w.zip_apply(&step, |w, s| *w -= lr * s);
    }
}

const META: MethodMeta = MethodMeta {
    name: "shampoo",
    label: "Shampoo",
    family: Family::Spectral,
    about: "Shampoo: the gradient preconditioned on both sides by fourth roots of its accumulated Gram matrices",
    rule: Rule { lines: &["L ← L + G G^{T}", "R ← R + G^{T} G", "W ← W − η (L + ε I)^{−1/4} G (R + ε I)^{−1/4}"], source: "Gupta, Koren & Singer 2018, Algorithm 1" },
    equivariant: true,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "beta2", label: "β₂", range: "(0, 1]" }, HyperParam { name: "eps", label: "eps", range: "> 0" }],
};

crate::per_matrix_method!(Shampoo, ShampooState, META, [learning_rate, beta2, eps], NUMPY);

/// `shampoo`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"def inverse_fourth_root(s, eps):
    """(S + eps·I)^(−1/4) of a symmetric S (its lower triangle), by its eigendecomposition."""
    lam, q = np.linalg.eigh(np.tril(s) + np.tril(s, -1).T)
    return product(q / np.sqrt(np.sqrt(np.maximum(lam, 0) + eps)), q.T)


class shampoo:
    """L ← L + G Gᵀ (rows × rows), R ← R + Gᵀ G (cols × cols) (β₂ < 1: exponential averages);
    W ← W − lr·(L + eps·I)^(−1/4) G (R + eps·I)^(−1/4). Gupta, Koren & Singer 2018, Algorithm 1."""

    def __init__(self, hp, shape):
        self.hp, self.left, self.right = hp, np.zeros((shape[0], shape[0])), np.zeros((shape[1], shape[1]))

    def update(self, w, g):
        hp = self.hp
        if w.size == 0:
            return w
        if not np.all(np.isfinite(g)):
            return np.full(w.shape, np.nan)
        beta2 = hp["beta2"]
        ggt, gtg = product(g, g.T), product(g.T, g)
        if beta2 == 1:
            self.left, self.right = self.left + ggt, self.right + gtg
        else:
            self.left = beta2 * self.left + (1 - beta2) * ggt
            self.right = beta2 * self.right + (1 - beta2) * gtg
        step = product(product(inverse_fourth_root(self.left, hp["eps"]), g), inverse_fourth_root(self.right, hp["eps"]))
        return w - hp["learning_rate"] * step
"#;
