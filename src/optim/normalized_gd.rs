//! `normalized_gd`: gradient descent with a step of fixed Frobenius length.
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient. One step:
//! W ← W − lr·G/‖G‖_F, and no step when G = 0. Every step moves W by exactly lr (Frobenius);
//! the direction is GD's. (Normalised gradient descent, e.g. Nesterov 1984, Hazan, Levy &
//! Shalev-Shwartz 2015; steepest descent under the Frobenius norm.)

use nalgebra::{DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::method::{Family, HyperParam, MethodMeta, Rule};

/// Normalised gradient descent hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizedGd {
    /// Step length lr (Frobenius), ≥ 0 (default 0.001).
    pub learning_rate: f64,
}

impl Default for NormalizedGd {
    fn default() -> Self {
        NormalizedGd { learning_rate: 1e-3 }
    }
}

/// Normalised GD's state: the step count only.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedGdState {
    /// Steps taken so far.
    pub t: u64,
}

/// ‖G‖_F: √(Σ g²) in column-major order (a fixed order: the same bits natively and in wasm),
/// rescaled by the largest |g| when the plain sum overflows or underflows.
pub(crate) fn frobenius(g: &DMatrixView<f64>) -> f64 {
    let plain = g.iter().map(|v| v * v).sum::<f64>().sqrt();
    if plain.is_finite() && plain > 1e-150 {
        return plain;
    }
    let top = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    if top == 0.0 || !top.is_finite() {
        return if g.iter().any(|v| v.is_nan()) { f64::NAN } else { top };
    }
    top * g.iter().map(|v| (v / top) * (v / top)).sum::<f64>().sqrt()
}

impl NormalizedGd {
    /// Checks the hyper-parameters.
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_lr(self.learning_rate)?;
        Ok(())
    }

    /// A fresh state (the shape is not needed).
    pub fn init(&self, _shape: (usize, usize)) -> NormalizedGdState {
        NormalizedGdState { t: 0 }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` is not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut NormalizedGdState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        state.t += 1;
        let norm = frobenius(g);
        if norm == 0.0 {
            return;
        }
        let scale = self.learning_rate / norm;
        w.zip_apply(g, |w, g| *w -= scale * g);
    }
}

const META: MethodMeta = MethodMeta {
    name: "normalized_gd",
    label: "normalised GD",
    family: Family::Spectral,
    about: "Normalised GD: GD's direction with a step of fixed Frobenius length η",
    rule: Rule { lines: &["W ← W − η frac{G}{‖G‖_{F}}"], source: "normalised gradient descent; Hazan, Levy & Shalev-Shwartz 2015" },
    equivariant: true,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE],
};

crate::per_matrix_method!(NormalizedGd, NormalizedGdState, META, [learning_rate], NUMPY);

/// `normalized_gd`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class normalized_gd:
    """W ← W − lr·G/‖G‖_F (no step when G = 0). Hazan, Levy & Shalev-Shwartz 2015."""

    def __init__(self, hp, shape):
        self.hp = hp

    def update(self, w, g):
        norm = np.linalg.norm(g)
        if norm == 0:
            return w
        return w - (self.hp["learning_rate"] / norm) * g
"#;
