//! `adadelta`: Zeiler 2012, "ADADELTA: an adaptive learning rate method", as
//! `torch.optim.Adadelta`.
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient. The state keeps the running
//! averages V of the squared gradients and U of the squared updates (both 0 at first). One
//! step, entry-wise:
//!
//! 1. G ← G + weight_decay·W (PyTorch's coupled L2 term, when weight_decay ≠ 0);
//! 2. V ← ρ·V + (1 − ρ)·G²;
//! 3. Δ ← √(U + eps) / √(V + eps) · G;
//! 4. U ← ρ·U + (1 − ρ)·Δ²;
//! 5. W ← W − lr·Δ.
//!
//! An entry whose gradient is always exactly zero does not move (Δ = 0).

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::checks::Shown;
use crate::method::{Family, HyperParam, MethodMeta, Rule};

/// `torch.optim.Adadelta` hyper-parameters (torch's defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Adadelta {
    /// lr, the factor of Δ, ≥ 0 (default 1).
    pub learning_rate: f64,
    /// Decay ρ of both running averages, 0 ≤ ρ ≤ 1 (default 0.9).
    pub rho: f64,
    /// Added inside both square roots, ≥ 0 (default 1e-6).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Adadelta {
    fn default() -> Self {
        Adadelta { learning_rate: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0.0 }
    }
}

/// Adadelta's state: the step count and the two running averages (m × n each).
#[derive(Debug, Clone, PartialEq)]
pub struct AdadeltaState {
    /// Steps taken so far.
    pub t: u64,
    /// V: the running average of G².
    pub square_avg: DMatrix<f64>,
    /// U: the running average of Δ².
    pub acc_delta: DMatrix<f64>,
}

impl Adadelta {
    /// Checks the hyper-parameters as `torch.optim.Adadelta` does (and that they are finite).
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_nonneg("learning_rate", self.learning_rate)?;
        if !(0.0..=1.0).contains(&self.rho) {
            return Err(("rho", format!("must be in [0, 1], got {}", Shown(self.rho))));
        }
        crate::checks::check_nonneg("eps", self.eps)?;
        crate::checks::check_nonneg("weight_decay", self.weight_decay)
    }

    /// A fresh state for an m × n matrix: t = 0, V = U = 0.
    pub fn init(&self, shape: (usize, usize)) -> AdadeltaState {
        AdadeltaState { t: 0, square_avg: DMatrix::zeros(shape.0, shape.1), acc_delta: DMatrix::zeros(shape.0, shape.1) }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` or the state's buffers are not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut AdadeltaState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        assert!(
            state.square_avg.shape() == w.shape() && state.acc_delta.shape() == w.shape(),
            "state does not match the parameters"
        );
        state.t += 1;
        let (rho, eps, lr, wd) = (self.rho, self.eps, self.learning_rate, self.weight_decay);
        for (((w, &g), v), u) in w.iter_mut().zip(g.iter()).zip(state.square_avg.iter_mut()).zip(state.acc_delta.iter_mut()) {
            let g = if wd != 0.0 { g + wd * *w } else { g };
            *v = rho * *v + (1.0 - rho) * g * g;
            let delta = (*u + eps).sqrt() / (*v + eps).sqrt() * g;
            *u = rho * *u + (1.0 - rho) * delta * delta;
            *w -= lr * delta;
        }
    }
}

const META: MethodMeta = MethodMeta {
    name: "adadelta",
    label: "Adadelta",
    family: Family::Adaptive,
    about: "Adadelta: each entry's step is the ratio of running averages of its squared updates and squared gradients",
    rule: Rule { lines: &["v ← ρ v + (1 − ρ) g^{2}", "Δ ← frac{sqrt{u + ε}}{sqrt{v + ε}} g", "u ← ρ u + (1 − ρ) Δ^{2}", "w ← w − η Δ"], source: "torch.optim.Adadelta; Zeiler 2012" },
    equivariant: false,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "rho", label: "ρ", range: "[0, 1]" }, HyperParam::EPS, HyperParam::WEIGHT_DECAY],
};

crate::per_matrix_method!(Adadelta, AdadeltaState, META, [learning_rate, rho, eps, weight_decay], NUMPY);

/// `adadelta`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class adadelta:
    """v ← ρv + (1−ρ)g²; Δ ← √(u + eps)/√(v + eps)·g; u ← ρu + (1−ρ)Δ²; w ← w − lr·Δ.
    torch.optim.Adadelta; Zeiler 2012."""

    def __init__(self, hp, shape):
        self.hp, self.v, self.u = hp, np.zeros(shape), np.zeros(shape)

    def update(self, w, g):
        hp = self.hp
        rho, eps, wd = hp["rho"], hp["eps"], hp["weight_decay"]
        if wd != 0:
            g = g + wd * w
        self.v = rho * self.v + (1 - rho) * g * g
        delta = np.sqrt(self.u + eps) / np.sqrt(self.v + eps) * g
        self.u = rho * self.u + (1 - rho) * delta * delta
        return w - hp["learning_rate"] * delta
"#;
