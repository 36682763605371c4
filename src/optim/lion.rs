//! `lion`: EvoLved Sign Momentum (Chen et al. 2023, "Symbolic discovery of optimization
//! algorithms"), as optax's `lion`.
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient, M the momentum (M₀ = 0).
//! One step, entry-wise:
//!
//! 1. D ← sign(β₁·M + (1 − β₁)·G), with sign(0) = 0;
//! 2. M ← β₂·M + (1 − β₂)·G;
//! 3. W ← W − lr·(D + weight_decay·W) (decoupled weight decay, as optax's
//!    `add_decayed_weights` before the learning rate).

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::checks::Shown;
use crate::method::{Family, HyperParam, MethodMeta, Rule};
use super::sign;

/// Lion hyper-parameters (the paper's and optax's, but weight decay 0 by default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Lion {
    /// Step size lr per entry, ≥ 0 (default 1e-4).
    pub learning_rate: f64,
    /// Weight β₁ of the momentum in the direction's sign, 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// Decay β₂ of the momentum, 0 ≤ β₂ < 1 (default 0.99).
    pub beta2: f64,
    /// Decoupled weight decay λ: W ← W − lr·(D + λ·W), ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Lion {
    fn default() -> Self {
        Lion { learning_rate: 1e-4, beta1: 0.9, beta2: 0.99, weight_decay: 0.0 }
    }
}

/// Lion's state: the step count and the momentum M (m × n).
#[derive(Debug, Clone, PartialEq)]
pub struct LionState {
    /// Steps taken so far.
    pub t: u64,
    /// M, m × n.
    pub momentum: DMatrix<f64>,
}


impl Lion {
    /// Checks the hyper-parameters.
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_lr(self.learning_rate)?;
        for (field, v) in [("beta1", self.beta1), ("beta2", self.beta2)] {
            if !(0.0..1.0).contains(&v) {
                return Err((field, format!("must be in [0, 1), got {}", Shown(v))));
            }
        }
        if !self.weight_decay.is_finite() || self.weight_decay < 0.0 {
            return Err(("weight_decay", format!("must be a finite number >= 0, got {}", Shown(self.weight_decay))));
        }
        Ok(())
    }

    /// A fresh state for an m × n matrix: t = 0, M = 0.
    pub fn init(&self, shape: (usize, usize)) -> LionState {
        LionState { t: 0, momentum: DMatrix::zeros(shape.0, shape.1) }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` or the state's buffer is not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut LionState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        assert_eq!(state.momentum.shape(), w.shape(), "state does not match the parameters");
        state.t += 1;
        let (b1, b2, lr, wd) = (self.beta1, self.beta2, self.learning_rate, self.weight_decay);
        for ((w, &g), m) in w.iter_mut().zip(g.iter()).zip(state.momentum.iter_mut()) {
            let d = sign(b1 * *m + (1.0 - b1) * g);
            *m = b2 * *m + (1.0 - b2) * g;
            *w -= lr * (d + wd * *w);
        }
    }
}

const META: MethodMeta = MethodMeta {
    name: "lion",
    label: "Lion",
    family: Family::Sign,
    about: "Lion: the sign of an interpolation of momentum and gradient, with decoupled weight decay",
    rule: Rule { lines: &["d ← sign(β_{1} m + (1 − β_{1}) g)", "m ← β_{2} m + (1 − β_{2}) g", "w ← w − η (d + λ w)"], source: "optax.lion; Chen et al. 2023" },
    equivariant: false,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam::BETA1, HyperParam::BETA2, HyperParam::WEIGHT_DECAY],
};

crate::per_matrix_method!(Lion, LionState, META, [learning_rate, beta1, beta2, weight_decay], NUMPY);

/// `lion`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class lion:
    """d ← sign(β₁m + (1−β₁)g); m ← β₂m + (1−β₂)g; w ← w − lr·(d + wd·w). optax.lion; Chen et al. 2023."""

    def __init__(self, hp, shape):
        self.hp, self.m = hp, np.zeros(shape)

    def update(self, w, g):
        b1, b2 = self.hp["beta1"], self.hp["beta2"]
        d = np.sign(b1 * self.m + (1 - b1) * g)
        self.m = b2 * self.m + (1 - b2) * g
        return w - self.hp["learning_rate"] * (d + self.hp["weight_decay"] * w)
"#;
