//! `sign_sgd`: signSGD (Bernstein et al. 2018), as optax's `sign_sgd`.
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient. One step, entry-wise:
//! W ← W − lr·sign(G), with sign(0) = 0 (as `jnp.sign`: an entry whose gradient is exactly
//! zero does not move) and sign(NaN) = NaN.

use nalgebra::{DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::method::{Family, HyperParam, MethodMeta, Rule};
use super::sign;

/// signSGD hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SignSgd {
    /// Step size lr per entry, ≥ 0 (default 0.001).
    pub learning_rate: f64,
}

impl Default for SignSgd {
    fn default() -> Self {
        SignSgd { learning_rate: 1e-3 }
    }
}

/// signSGD's state: the step count only.
#[derive(Debug, Clone, PartialEq)]
pub struct SignSgdState {
    /// Steps taken so far.
    pub t: u64,
}


impl SignSgd {
    /// Checks the hyper-parameters.
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_lr(self.learning_rate)?;
        Ok(())
    }

    /// A fresh state (the shape is not needed).
    pub fn init(&self, _shape: (usize, usize)) -> SignSgdState {
        SignSgdState { t: 0 }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` is not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut SignSgdState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        state.t += 1;
        let lr = self.learning_rate;
        w.zip_apply(g, |w, g| *w -= lr * sign(g));
    }
}

const META: MethodMeta = MethodMeta {
    name: "sign_sgd",
    label: "signSGD",
    family: Family::Sign,
    about: "signSGD: every entry moves by η in the direction of its gradient's sign",
    rule: Rule { lines: &["w ← w − η sign(g)"], source: "optax.sign_sgd; Bernstein et al. 2018" },
    equivariant: false,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE],
};

crate::per_matrix_method!(SignSgd, SignSgdState, META, [learning_rate], NUMPY);

/// `sign_sgd`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class sign_sgd:
    """w ← w − lr·sign(g). optax.sign_sgd; Bernstein et al. 2018."""

    def __init__(self, hp, shape):
        self.hp = hp

    def update(self, w, g):
        return w - self.hp["learning_rate"] * np.sign(g)
"#;
