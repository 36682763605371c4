//! `torch.optim.RMSprop` (not centered, no momentum); Tieleman & Hinton 2012. Entry-wise on
//! each parameter matrix (m × n, column-major):
//!
//! v ← α·v + (1−α)·g²; w ← w − lr·g / (√v + eps), after the coupled L2 term g ← g + weight_decay·w.

use nalgebra::{DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use super::l2;
use crate::checks::{check_nonneg, FieldError, Shown};
use crate::method::{Family, Hyper, HyperParam, Kind, MethodMeta, PerMatrix, Rule};

/// `torch.optim.RMSprop`: v ← α·v + (1−α)·g²; w ← w − lr·g / (√v + eps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rmsprop {
    /// Step size, ≥ 0 (default 0.01).
    pub learning_rate: f64,
    /// Decay α of the squared-gradient average, 0 ≤ α ≤ 1 (default 0.99).
    pub alpha: f64,
    /// Added to √v, outside the square root, ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Rmsprop {
    fn default() -> Self {
        Rmsprop { learning_rate: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0.0 }
    }
}

const META: MethodMeta = MethodMeta {
    name: "rmsprop",
    label: "RMSProp",
    family: Family::Adaptive,
    about: "RMSProp: each entry's gradient divided by a running root-mean-square of it",
    rule: Rule { lines: &["v ← α v + (1 − α) g^{2}", "w ← w − frac{η g}{sqrt{v} + ε}"], source: "torch.optim.RMSprop; Tieleman & Hinton 2012" },
    equivariant: false,
    colour_slot: Some(1),
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "alpha", label: "α", range: "[0, 1]" }, HyperParam::EPS, HyperParam::WEIGHT_DECAY],
};

impl Hyper for Rmsprop {
    const META: &'static MethodMeta = &META;
    const NUMPY: Option<&'static str> = Some(NUMPY);
    crate::hyper_fields!(learning_rate, alpha, eps, weight_decay);
    fn validate(&self) -> Result<(), FieldError> {
        if !(0.0..=1.0).contains(&self.alpha) {
            return Err(("alpha", format!("must be in [0, 1], got {}", Shown(self.alpha))));
        }
        check_nonneg("eps", self.eps)?;
        check_nonneg("weight_decay", self.weight_decay)
    }
    crate::learning_rate_field!();
    fn kind(&self) -> Kind<'_> {
        Kind::Gradient(self)
    }
}

impl PerMatrix for Rmsprop {
    /// The running average v, column-major.
    type State = Vec<f64>;
    fn init(&self, (rows, cols): (usize, usize)) -> Vec<f64> {
        vec![0.0; rows * cols]
    }
    fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, v: &mut Vec<f64>) {
        assert_eq!(v.len(), w.len(), "state does not match the parameters");
        for ((w, &g), v) in w.iter_mut().zip(g.iter()).zip(v.iter_mut()) {
            let g = l2(self.weight_decay, *w, g);
            *v = self.alpha * *v + (1.0 - self.alpha) * g * g;
            *w -= self.learning_rate * (g / (v.sqrt() + self.eps));
        }
    }
}

/// `rmsprop`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class rmsprop:
    """v ← αv + (1−α)g²; w ← w − lr·g/(√v + eps) (g with coupled weight decay).
    torch.optim.RMSprop; Tieleman & Hinton 2012."""

    def __init__(self, hp, shape):
        self.hp, self.v = hp, np.zeros(shape)

    def update(self, w, g):
        alpha, wd = self.hp["alpha"], self.hp["weight_decay"]
        if wd != 0:
            g = g + wd * w
        self.v = alpha * self.v + (1 - alpha) * g * g
        return w - self.hp["learning_rate"] * (g / (np.sqrt(self.v) + self.hp["eps"]))
"#;
