//! `torch.optim.SGD`: gradient descent, heavy-ball momentum and Nesterov momentum.
//!
//! Notation (here and in every optimizer): w a parameter matrix (m × n, column-major: W itself
//! or one factor of a deep network), g the gradient at w, every operation entry-wise, lr the
//! learning rate. `weight_decay` is PyTorch's coupled L2 term: g ← g + weight_decay·w first.
//!
//! | name | rule | source |
//! | --- | --- | --- |
//! | `gd` | w ← w − lr·g | `torch.optim.SGD` |
//! | `momentum` | b ← μ·b + g (b₀ = 0); w ← w − lr·b | `torch.optim.SGD(momentum=μ, dampening=0)` (heavy ball) |
//! | `nesterov` | b ← μ·b + g; w ← w − lr·(g + μ·b) | `torch.optim.SGD(momentum=μ, nesterov=True)` |

use std::fmt;
use std::marker::PhantomData;

use nalgebra::{DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use super::l2;
use crate::checks::{check_nonneg, check_unit, FieldError};
use crate::method::{Family, Hyper, HyperParam, Kind, MethodMeta, PerMatrix, Rule};

/// `torch.optim.SGD` without momentum: w ← w − lr·g.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Gd {
    /// Step size, ≥ 0 (default 0.001, PyTorch's SGD default).
    pub learning_rate: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Gd {
    fn default() -> Self {
        Gd { learning_rate: 1e-3, weight_decay: 0.0 }
    }
}

const GD: MethodMeta = MethodMeta {
    name: "gd",
    label: "GD",
    family: Family::Classical,
    about: "Gradient descent: step = learning rate × gradient",
    rule: Rule { lines: &["w ← w − η g"], source: "torch.optim.SGD" },
    equivariant: true,
    colour_slot: Some(3),
    direct_only: false,
    tracks_time: true,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam::WEIGHT_DECAY],
};

impl Hyper for Gd {
    const META: &'static MethodMeta = &GD;
    const NUMPY: Option<&'static str> = Some(GD_NUMPY);
    crate::hyper_fields!(learning_rate, weight_decay);
    fn validate(&self) -> Result<(), FieldError> {
        check_nonneg("weight_decay", self.weight_decay)
    }
    crate::learning_rate_field!();
    fn kind(&self) -> Kind<'_> {
        Kind::Gradient(self)
    }
}

impl PerMatrix for Gd {
    type State = ();
    fn init(&self, _shape: (usize, usize)) {}
    fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, _state: &mut ()) {
        for (w, &g) in w.iter_mut().zip(g.iter()) {
            *w -= self.learning_rate * l2(self.weight_decay, *w, g);
        }
    }
}

/// `torch.optim.SGD` with momentum μ (dampening 0): heavy ball ([`Momentum`],
/// b ← μ·b + g; w ← w − lr·b) or Nesterov ([`Nesterov`], w ← w − lr·(g + μ·b)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default, bound = "")]
pub struct Sgd<K: Lookahead> {
    /// Step size, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// Momentum μ, 0 ≤ μ < 1 (Nesterov: 0 < μ < 1; default 0.9).
    pub momentum: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
    /// Heavy ball or Nesterov (not in the JSON: the name says which).
    #[serde(skip)]
    pub kind: PhantomData<K>,
}

/// Which momentum [`Sgd`] takes: [`HeavyBall`] or [`Look`] (Nesterov's look-ahead).
pub trait Lookahead: fmt::Debug + Clone + PartialEq + Send + Sync + 'static {
    const NESTEROV: bool;
    const META: &'static MethodMeta;
    /// Its update in NumPy.
    const NUMPY: &'static str;
}

/// Heavy-ball momentum's marker.
#[derive(Debug, Clone, PartialEq)]
pub struct HeavyBall;
/// Nesterov momentum's marker.
#[derive(Debug, Clone, PartialEq)]
pub struct Look;

impl Lookahead for HeavyBall {
    const NESTEROV: bool = false;
    const META: &'static MethodMeta = &MOMENTUM;
    const NUMPY: &'static str = SGD_NUMPY;
}
impl Lookahead for Look {
    const NESTEROV: bool = true;
    const META: &'static MethodMeta = &NESTEROV;
    const NUMPY: &'static str = SGD_NUMPY;
}

/// `torch.optim.SGD(momentum=μ, dampening=0)`, heavy ball: b ← μ·b + g; w ← w − lr·b.
pub type Momentum = Sgd<HeavyBall>;
/// `torch.optim.SGD(momentum=μ, nesterov=True)`: b ← μ·b + g; w ← w − lr·(g + μ·b).
pub type Nesterov = Sgd<Look>;

impl<K: Lookahead> Default for Sgd<K> {
    fn default() -> Self {
        Sgd { learning_rate: 1e-3, momentum: 0.9, weight_decay: 0.0, kind: PhantomData }
    }
}

const MOMENTUM: MethodMeta = MethodMeta {
    name: "momentum",
    label: "Momentum",
    family: Family::Classical,
    about: "Heavy-ball momentum: gradient descent plus a running sum of past steps",
    rule: Rule { lines: &["b ← μ b + g", "w ← w − η b"], source: "torch.optim.SGD(momentum=μ, dampening=0), heavy ball" },
    equivariant: true,
    colour_slot: Some(4),
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "momentum", label: "momentum", range: "[0, 1)" }, HyperParam::WEIGHT_DECAY],
};

const NESTEROV: MethodMeta = MethodMeta {
    name: "nesterov",
    label: "Nesterov",
    family: Family::Classical,
    about: "Nesterov momentum: momentum with a look-ahead gradient",
    rule: Rule { lines: &["b ← μ b + g", "w ← w − η (g + μ b)"], source: "torch.optim.SGD(momentum=μ, nesterov=True)" },
    equivariant: true,
    colour_slot: Some(5),
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "momentum", label: "momentum", range: "(0, 1)" }, HyperParam::WEIGHT_DECAY],
};

impl<K: Lookahead> Hyper for Sgd<K> {
    const META: &'static MethodMeta = K::META;
    const NUMPY: Option<&'static str> = Some(K::NUMPY);
    crate::hyper_fields!(learning_rate, momentum, weight_decay);
    fn validate(&self) -> Result<(), FieldError> {
        check_unit("momentum", self.momentum)?;
        if K::NESTEROV && self.momentum == 0.0 {
            return Err(("momentum", "Nesterov momentum needs momentum > 0".into()));
        }
        check_nonneg("weight_decay", self.weight_decay)
    }
    crate::learning_rate_field!();
    fn kind(&self) -> Kind<'_> {
        Kind::Gradient(self)
    }
}

impl<K: Lookahead> PerMatrix for Sgd<K> {
    /// The momentum buffer b, column-major.
    type State = Vec<f64>;
    fn init(&self, (rows, cols): (usize, usize)) -> Vec<f64> {
        vec![0.0; rows * cols]
    }
    fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, b: &mut Vec<f64>) {
        momentum_step(self.learning_rate, self.momentum, self.weight_decay, K::NESTEROV, w, g, b);
    }
}

fn momentum_step(lr: f64, mu: f64, wd: f64, nesterov: bool, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, b: &mut [f64]) {
    assert_eq!(b.len(), w.len(), "state does not match the parameters");
    for ((w, &g), b) in w.iter_mut().zip(g.iter()).zip(b.iter_mut()) {
        let g = l2(wd, *w, g);
        *b = mu * *b + g;
        let d = if nesterov { g + mu * *b } else { *b };
        *w -= lr * d;
    }
}

/// `gd`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const GD_NUMPY: &str = r#"class gd:
    """w ← w − lr·(g + weight_decay·w). w, g: one parameter matrix (rows × cols). torch.optim.SGD."""

    def __init__(self, hp, shape):
        self.hp = hp

    def update(self, w, g):
        lr, wd = self.hp["learning_rate"], self.hp["weight_decay"]
        if wd != 0:
            g = g + wd * w
        return w - lr * g
"#;

/// `momentum`'s and `nesterov`'s update in NumPy, for `mc-playground export-python`
/// ([`crate::method::Hyper::NUMPY`]).
const SGD_NUMPY: &str = r#"class momentum:
    """b ← μ·b + g (b₀ = 0); w ← w − lr·b (g with coupled weight decay).
    torch.optim.SGD(momentum=μ, dampening=0), heavy ball."""

    lookahead = False

    def __init__(self, hp, shape):
        self.hp, self.b = hp, np.zeros(shape)

    def update(self, w, g):
        lr, mu, wd = self.hp["learning_rate"], self.hp["momentum"], self.hp["weight_decay"]
        if wd != 0:
            g = g + wd * w
        self.b = mu * self.b + g
        return w - lr * ((g + mu * self.b) if self.lookahead else self.b)


class nesterov(momentum):
    """b ← μ·b + g (b₀ = 0); w ← w − lr·(g + μ·b). torch.optim.SGD(momentum=μ, nesterov=True)."""

    lookahead = True
"#;
