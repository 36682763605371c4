//! `signum`: the sign of momentum (Bernstein et al. 2018, "signSGD with majority vote"), as
//! optax's `signum`.
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient, M the momentum (M₀ = 0),
//! β = `momentum`. One step, entry-wise: M ← β·M + (1 − β)·G (an exponential moving average);
//! W ← W − lr·sign(M), with sign(0) = 0 (an entry whose gradient has always been exactly zero
//! does not move).

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::checks::Shown;
use crate::method::{Family, HyperParam, MethodMeta, Rule};
use super::sign;

/// Signum hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Signum {
    /// Step size lr per entry, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// Decay β of the moving average, 0 ≤ β < 1 (default 0.9).
    pub momentum: f64,
}

impl Default for Signum {
    fn default() -> Self {
        Signum { learning_rate: 1e-3, momentum: 0.9 }
    }
}

/// Signum's state: the step count and the moving average M (m × n).
#[derive(Debug, Clone, PartialEq)]
pub struct SignumState {
    /// Steps taken so far.
    pub t: u64,
    /// M, m × n.
    pub momentum: DMatrix<f64>,
}


impl Signum {
    /// Checks the hyper-parameters.
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_lr(self.learning_rate)?;
        if !(0.0..1.0).contains(&self.momentum) {
            return Err(("momentum", format!("must be in [0, 1), got {}", Shown(self.momentum))));
        }
        Ok(())
    }

    /// A fresh state for an m × n matrix: t = 0, M = 0.
    pub fn init(&self, shape: (usize, usize)) -> SignumState {
        SignumState { t: 0, momentum: DMatrix::zeros(shape.0, shape.1) }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` or the state's buffer is not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut SignumState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        assert_eq!(state.momentum.shape(), w.shape(), "state does not match the parameters");
        state.t += 1;
        let (beta, lr) = (self.momentum, self.learning_rate);
        state.momentum.zip_apply(g, |m, g| *m = beta * *m + (1.0 - beta) * g);
        w.zip_apply(&state.momentum, |w, m| *w -= lr * sign(m));
    }
}

const META: MethodMeta = MethodMeta {
    name: "signum",
    label: "Signum",
    family: Family::Sign,
    about: "Signum: signSGD on a moving average of the gradient",
    rule: Rule { lines: &["m ← β m + (1 − β) g", "w ← w − η sign(m)"], source: "optax.signum; Bernstein et al. 2018" },
    equivariant: false,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "momentum", label: "momentum β", range: "[0, 1)" }],
};

crate::per_matrix_method!(Signum, SignumState, META, [learning_rate, momentum], NUMPY);

/// `signum`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class signum:
    """m ← βm + (1−β)g; w ← w − lr·sign(m). optax.signum; Bernstein et al. 2018."""

    def __init__(self, hp, shape):
        self.hp, self.m = hp, np.zeros(shape)

    def update(self, w, g):
        beta = self.hp["momentum"]
        self.m = beta * self.m + (1 - beta) * g
        return w - self.hp["learning_rate"] * np.sign(self.m)
"#;
