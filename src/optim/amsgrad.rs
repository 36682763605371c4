//! `torch.optim.Adam(amsgrad=True)`; Reddi, Kale & Kumar 2018. Entry-wise on each parameter
//! matrix (m × n, column-major), t = 1, 2, …: Adam's moments with v̄ ← max(v̄, v) in place of v,
//!
//! w ← w − (lr/(1−β₁ᵗ))·m / (√v̄/√(1−β₂ᵗ) + eps), after the coupled L2 term g ← g + weight_decay·w.

use nalgebra::{DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use super::adam::check_adam_family;
use super::l2;
use crate::checks::FieldError;
use crate::method::{Family, Hyper, HyperParam, Kind, MethodMeta, PerMatrix, Rule};

/// `torch.optim.Adam(amsgrad=True)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Amsgrad {
    /// Step size, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Amsgrad {
    fn default() -> Self {
        Amsgrad { learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0 }
    }
}

const META: MethodMeta = MethodMeta {
    name: "amsgrad",
    label: "AMSGrad",
    family: Family::Adaptive,
    about: "AMSGrad: Adam whose second-moment estimate never decreases",
    rule: Rule {
        lines: &["v̄ ← max(v̄, v)", "w ← w − frac{η}{1 − β_{1}^{t}} · frac{m}{sqrt{v̄} / sqrt{1 − β_{2}^{t}} + ε}"],
        source: "torch.optim.Adam(amsgrad=True); Reddi, Kale & Kumar 2018",
    },
    equivariant: false,
    colour_slot: Some(7),
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam::BETA1, HyperParam::BETA2, HyperParam::EPS, HyperParam::WEIGHT_DECAY],
};

impl Hyper for Amsgrad {
    const META: &'static MethodMeta = &META;
    const NUMPY: Option<&'static str> = Some(NUMPY);
    crate::hyper_fields!(learning_rate, beta1, beta2, eps, weight_decay);
    fn validate(&self) -> Result<(), FieldError> {
        check_adam_family(self.beta1, self.beta2, self.eps, self.weight_decay)
    }
    crate::learning_rate_field!();
    fn kind(&self) -> Kind<'_> {
        Kind::Gradient(self)
    }
}

/// AMSGrad's state for one matrix (column-major).
#[derive(Debug, Clone, PartialEq)]
pub struct AmsgradState {
    /// Steps taken.
    pub t: u64,
    /// First moment m.
    pub m: Vec<f64>,
    /// Second moment v.
    pub v: Vec<f64>,
    /// Running maximum v̄ of v.
    pub v_max: Vec<f64>,
}

impl PerMatrix for Amsgrad {
    type State = AmsgradState;
    fn init(&self, (rows, cols): (usize, usize)) -> AmsgradState {
        let zeros = vec![0.0; rows * cols];
        AmsgradState { t: 0, m: zeros.clone(), v: zeros.clone(), v_max: zeros }
    }
    fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut AmsgradState) {
        assert!(
            state.m.len() == w.len() && state.v.len() == w.len() && state.v_max.len() == w.len(),
            "state does not match the parameters"
        );
        state.t += 1;
        let ti = state.t.min(i32::MAX as u64) as i32;
        let step_size = self.learning_rate / (1.0 - self.beta1.powi(ti));
        let root_bc2 = (1.0 - self.beta2.powi(ti)).sqrt();
        for (((w, &g), m), (v, vmax)) in
            w.iter_mut().zip(g.iter()).zip(state.m.iter_mut()).zip(state.v.iter_mut().zip(state.v_max.iter_mut()))
        {
            let g = l2(self.weight_decay, *w, g);
            *m = self.beta1 * *m + (1.0 - self.beta1) * g;
            *v = self.beta2 * *v + (1.0 - self.beta2) * g * g;
            *vmax = vmax.max(*v);
            *w -= step_size * (*m / (vmax.sqrt() / root_bc2 + self.eps));
        }
    }
}

/// `amsgrad`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class amsgrad:
    """Adam with v̄ ← max(v̄, v) in place of v. torch.optim.Adam(amsgrad=True); Reddi, Kale & Kumar 2018."""

    def __init__(self, hp, shape):
        self.hp, self.t = hp, 0
        self.m, self.v, self.v_max = np.zeros(shape), np.zeros(shape), np.zeros(shape)

    def update(self, w, g):
        hp = self.hp
        b1, b2, eps, wd = hp["beta1"], hp["beta2"], hp["eps"], hp["weight_decay"]
        self.t += 1
        step_size, root_bc2 = hp["learning_rate"] / (1 - b1**self.t), math.sqrt(1 - b2**self.t)
        if wd != 0:
            g = g + wd * w
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        self.v_max = np.maximum(self.v_max, self.v)
        return w - step_size * (self.m / (np.sqrt(self.v_max) / root_bc2 + eps))
"#;
