//! `torch.optim.NAdam` (Nesterov-accelerated Adam with PyTorch's momentum schedule); Dozat
//! 2016. Entry-wise on each parameter matrix (m × n, column-major), t = 1, 2, …, ψ =
//! `momentum_decay`:
//!
//! μ_t = β₁(1 − ½·0.96^(t·ψ)), Π_t = Π_{t−1}μ_t; m, v as Adam;
//! w ← w − lr(1−μ_t)/(1−Π_t)·g/d − lr·μ_{t+1}/(1−Π_tμ_{t+1})·m/d, d = √(v/(1−β₂ᵗ)) + eps,
//! after the coupled L2 term g ← g + weight_decay·w.

use nalgebra::{DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use super::adam::check_adam_family;
use super::l2;
use crate::checks::{check_nonneg, FieldError};
use crate::method::{Family, Hyper, HyperParam, Kind, MethodMeta, PerMatrix, Rule};

/// `torch.optim.NAdam`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Nadam {
    /// Step size, ≥ 0 (default 0.002, PyTorch's NAdam default).
    pub learning_rate: f64,
    /// 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
    /// ψ in μ_t = β₁(1 − ½·0.96^(t·ψ)), ≥ 0 (default 0.004).
    pub momentum_decay: f64,
}

impl Default for Nadam {
    fn default() -> Self {
        Nadam { learning_rate: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, momentum_decay: 4e-3 }
    }
}

const META: MethodMeta = MethodMeta {
    name: "nadam",
    label: "NAdam",
    family: Family::Adaptive,
    about: "NAdam: Adam with Nesterov momentum",
    rule: Rule {
        lines: &[
            "μ_{t} = β_{1} (1 − 0.5 · 0.96^{t ψ})",
            "w ← w − frac{η (1 − μ_{t})}{1 − Π_{t}} frac{g}{d} − frac{η μ_{t+1}}{1 − Π_{t} μ_{t+1}} frac{m}{d}",
        ],
        source: "torch.optim.NAdam; Dozat 2016",
    },
    equivariant: false,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[
        HyperParam::LEARNING_RATE,
        HyperParam::BETA1,
        HyperParam::BETA2,
        HyperParam::EPS,
        HyperParam::WEIGHT_DECAY,
        HyperParam { name: "momentum_decay", label: "momentum decay", range: "≥ 0" },
    ],
};

impl Hyper for Nadam {
    const META: &'static MethodMeta = &META;
    const NUMPY: Option<&'static str> = Some(NUMPY);
    crate::hyper_fields!(learning_rate, beta1, beta2, eps, weight_decay, momentum_decay);
    fn validate(&self) -> Result<(), FieldError> {
        check_adam_family(self.beta1, self.beta2, self.eps, self.weight_decay)?;
        check_nonneg("momentum_decay", self.momentum_decay)
    }
    crate::learning_rate_field!();
    fn kind(&self) -> Kind<'_> {
        Kind::Gradient(self)
    }
}

/// NAdam's state for one matrix (column-major).
#[derive(Debug, Clone, PartialEq)]
pub struct NadamState {
    /// Steps taken.
    pub t: u64,
    /// First moment m.
    pub m: Vec<f64>,
    /// Second moment v.
    pub v: Vec<f64>,
    /// Π_t, the product of the μ's so far (1 at the start).
    pub mu_product: f64,
}

impl PerMatrix for Nadam {
    type State = NadamState;
    fn init(&self, (rows, cols): (usize, usize)) -> NadamState {
        NadamState { t: 0, m: vec![0.0; rows * cols], v: vec![0.0; rows * cols], mu_product: 1.0 }
    }
    fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut NadamState) {
        assert!(state.m.len() == w.len() && state.v.len() == w.len(), "state does not match the parameters");
        state.t += 1;
        let tf = state.t as f64;
        let bc2 = 1.0 - self.beta2.powi(state.t.min(i32::MAX as u64) as i32);
        // 0.96^(tψ) through libm's pow: the same bits natively and in wasm.
        let mu = self.beta1 * (1.0 - 0.5 * libm::pow(0.96, tf * self.momentum_decay));
        let mu_next = self.beta1 * (1.0 - 0.5 * libm::pow(0.96, (tf + 1.0) * self.momentum_decay));
        state.mu_product *= mu;
        let mu_product = state.mu_product;
        let mu_product_next = mu_product * mu_next;
        let c_grad = self.learning_rate * (1.0 - mu) / (1.0 - mu_product);
        let c_mom = self.learning_rate * mu_next / (1.0 - mu_product_next);
        for (((w, &g), m), v) in w.iter_mut().zip(g.iter()).zip(state.m.iter_mut()).zip(state.v.iter_mut()) {
            let g = l2(self.weight_decay, *w, g);
            *m = self.beta1 * *m + (1.0 - self.beta1) * g;
            *v = self.beta2 * *v + (1.0 - self.beta2) * g * g;
            let denom = (*v / bc2).sqrt() + self.eps;
            *w -= c_grad * (g / denom);
            *w -= c_mom * (*m / denom);
        }
    }
}

/// `nadam`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class nadam:
    """μ_t = β₁(1 − 0.5·0.96^(tψ)); w ← w − lr(1−μ_t)/(1−Π_t)·g/d − lr·μ_{t+1}/(1−Π_t·μ_{t+1})·m/d,
    d = √(v/(1−β₂ᵗ)) + eps, Π_t = μ_1···μ_t. torch.optim.NAdam; Dozat 2016."""

    def __init__(self, hp, shape):
        self.hp, self.t, self.m, self.v, self.mu_product = hp, 0, np.zeros(shape), np.zeros(shape), 1.0

    def update(self, w, g):
        hp = self.hp
        lr, b1, b2, eps, wd, psi = hp["learning_rate"], hp["beta1"], hp["beta2"], hp["eps"], hp["weight_decay"], hp["momentum_decay"]
        self.t += 1
        t = float(self.t)
        bc2 = 1 - b2**self.t
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        self.mu_product *= mu
        c_grad = lr * (1 - mu) / (1 - self.mu_product)
        c_mom = lr * mu_next / (1 - self.mu_product * mu_next)
        if wd != 0:
            g = g + wd * w
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        denom = np.sqrt(self.v / bc2) + eps
        w = w - c_grad * (g / denom)
        return w - c_mom * (self.m / denom)
"#;
