//! `spectral_descent`: steepest descent under the spectral norm (Bernstein & Newhouse 2024,
//! "Old optimizer, new norm").
//!
//! W is one m × n matrix (nalgebra, column-major) and G = U Σ Vᵀ the thin SVD of its gradient.
//! One step: W ← W − lr·s·U₊V₊ᵀ, where U₊, V₊ keep the singular values above
//! max(m, n)·ε·σ₁ (the numerical rank; G = 0 gives no step) and s = 1 (`scale: "none"`) or
//! s = ‖G‖_* = Σ σᵢ (`scale: "nuclear"`: the exact steepest-descent step under the spectral
//! norm, −‖G‖_*·U Vᵀ being the minimiser of ⟨G, D⟩ + ½‖D‖₂²).
//!
//! The SVD is the crate's own ([`crate::linalg::Svd::fast`]): the same bits natively and in
//! WebAssembly. A gradient with a non-finite entry (no SVD) makes W NaN.

use nalgebra::{DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::linalg::Svd;
use crate::method::{Family, HyperParam, MethodMeta, Rule};

/// What the orthogonalised step U Vᵀ is multiplied by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpectralScale {
    /// 1: every step has spectral norm lr.
    None,
    /// The nuclear norm ‖G‖_*.
    Nuclear,
}

crate::serde_hyper_value!(SpectralScale);

/// Spectral descent hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpectralDescent {
    /// Step size lr, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// `"none"` (default) or `"nuclear"`.
    pub scale: SpectralScale,
}

impl Default for SpectralDescent {
    fn default() -> Self {
        SpectralDescent { learning_rate: 1e-3, scale: SpectralScale::None }
    }
}

/// Spectral descent's state: the step count only.
#[derive(Debug, Clone, PartialEq)]
pub struct SpectralDescentState {
    /// Steps taken so far.
    pub t: u64,
}

impl SpectralDescent {
    /// Checks the hyper-parameters.
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_lr(self.learning_rate)?;
        Ok(())
    }

    /// A fresh state (the shape is not needed).
    pub fn init(&self, _shape: (usize, usize)) -> SpectralDescentState {
        SpectralDescentState { t: 0 }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` is not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut SpectralDescentState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        state.t += 1;
        if w.is_empty() {
            return;
        }
        let Some(svd) = Svd::fast(&g.clone_owned()) else {
            w.fill(f64::NAN);
            return;
        };
        let step = match self.scale {
            SpectralScale::None => self.learning_rate,
            SpectralScale::Nuclear => self.learning_rate * svd.nuclear_norm(),
        };
        let polar = svd.polar_factor();
        w.zip_apply(&polar, |w, p| *w -= step * p);
    }
}

const META: MethodMeta = MethodMeta {
    name: "spectral_descent",
    label: "spectral descent",
    family: Family::Spectral,
    about: "Spectral descent: steepest descent under the spectral norm, a step η U Vᵀ from the gradient's SVD (all singular values equal)",
    rule: Rule { lines: &["G = U Σ V^{T}", "W ← W − η s U V^{T}  (s = 1, or ‖G‖_{*} with scale nuclear)"], source: "Bernstein & Newhouse 2024, \"Old optimizer, new norm\"" },
    equivariant: true,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "scale", label: "scale", range: "none or nuclear" }],
};

crate::per_matrix_method!(SpectralDescent, SpectralDescentState, META, [learning_rate, scale], NUMPY);

/// `spectral_descent`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class spectral_descent:
    """G = U Σ Vᵀ; W ← W − lr·s·U₊V₊ᵀ (s = 1, or ‖G‖_* with scale "nuclear"; U₊, V₊ the singular vectors
    of the numerically nonzero σ). Bernstein & Newhouse 2024, "Old optimizer, new norm"."""

    def __init__(self, hp, shape):
        self.hp = hp

    def update(self, w, g):
        if w.size == 0:
            return w
        p, s = polar(g)
        step = self.hp["learning_rate"] * (np.sum(s) if self.hp["scale"] == "nuclear" else 1.0)
        return w - step * p
"#;
