//! `torch.optim.Adagrad` (initial accumulator 0, no learning-rate decay); Duchi, Hazan &
//! Singer 2011. Entry-wise on each parameter matrix (m × n, column-major):
//!
//! s ← s + g²; w ← w − lr·g / (√s + eps), after the coupled L2 term g ← g + weight_decay·w.

use nalgebra::{DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use super::l2;
use crate::checks::{check_nonneg, FieldError};
use crate::method::{Family, Hyper, HyperParam, Kind, MethodMeta, PerMatrix, Rule};

/// `torch.optim.Adagrad`: s ← s + g²; w ← w − lr·g / (√s + eps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Adagrad {
    /// Step size, ≥ 0 (default 0.01).
    pub learning_rate: f64,
    /// Added to √s, outside the square root, ≥ 0 (default 1e-10).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Adagrad {
    fn default() -> Self {
        Adagrad { learning_rate: 1e-2, eps: 1e-10, weight_decay: 0.0 }
    }
}

const META: MethodMeta = MethodMeta {
    name: "adagrad",
    label: "AdaGrad",
    family: Family::Adaptive,
    about: "AdaGrad: each entry's gradient divided by the root of the sum of all its past squares, so steps keep shrinking",
    rule: Rule { lines: &["s ← s + g^{2}", "w ← w − frac{η g}{sqrt{s} + ε}"], source: "torch.optim.Adagrad; Duchi, Hazan & Singer 2011" },
    equivariant: false,
    colour_slot: Some(2),
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam::EPS, HyperParam::WEIGHT_DECAY],
};

impl Hyper for Adagrad {
    const META: &'static MethodMeta = &META;
    const NUMPY: Option<&'static str> = Some(NUMPY);
    crate::hyper_fields!(learning_rate, eps, weight_decay);
    fn validate(&self) -> Result<(), FieldError> {
        check_nonneg("eps", self.eps)?;
        check_nonneg("weight_decay", self.weight_decay)
    }
    crate::learning_rate_field!();
    fn kind(&self) -> Kind<'_> {
        Kind::Gradient(self)
    }
}

impl PerMatrix for Adagrad {
    /// The sum of squares s, column-major.
    type State = Vec<f64>;
    fn init(&self, (rows, cols): (usize, usize)) -> Vec<f64> {
        vec![0.0; rows * cols]
    }
    fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, s: &mut Vec<f64>) {
        assert_eq!(s.len(), w.len(), "state does not match the parameters");
        for ((w, &g), s) in w.iter_mut().zip(g.iter()).zip(s.iter_mut()) {
            let g = l2(self.weight_decay, *w, g);
            *s += g * g;
            *w -= self.learning_rate * (g / (s.sqrt() + self.eps));
        }
    }
}

/// `adagrad`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class adagrad:
    """s ← s + g²; w ← w − lr·g/(√s + eps) (g with coupled weight decay).
    torch.optim.Adagrad; Duchi, Hazan & Singer 2011."""

    def __init__(self, hp, shape):
        self.hp, self.s = hp, np.zeros(shape)

    def update(self, w, g):
        wd = self.hp["weight_decay"]
        if wd != 0:
            g = g + wd * w
        self.s = self.s + g * g
        return w - self.hp["learning_rate"] * (g / (np.sqrt(self.s) + self.hp["eps"]))
"#;
