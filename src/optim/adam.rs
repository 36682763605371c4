//! `torch.optim.Adam` (Kingma & Ba 2015, Algorithm 1) and `torch.optim.AdamW` (Loshchilov &
//! Hutter 2019). Entry-wise on each parameter matrix (m × n, column-major), t = 1, 2, …:
//!
//! | name | rule |
//! | --- | --- |
//! | `adam` | m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + eps) |
//! | `adam`, `bias_correction: false` | w ← w − lr·m / (√v + eps) (Kingma & Ba without the correction of §3) |
//! | `adamw` | w ← w·(1 − lr·weight_decay), then Adam's step |
//!
//! Adam's `weight_decay` is PyTorch's coupled L2 term (g ← g + weight_decay·w first).

use nalgebra::{DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::checks::{check_nonneg, check_unit, FieldError};
use crate::method::{Family, Hyper, HyperParam, Kind, MethodMeta, PerMatrix, Rule};

/// `torch.optim.Adam`, with the bias correction optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Adam {
    /// Step size, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// Decay of the first moment, 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// Decay of the second moment, 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// Added to the root of the second moment, outside it, ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
    /// Divide the moments by 1 − βᵗ (default true).
    pub bias_correction: bool,
}

impl Default for Adam {
    fn default() -> Self {
        Adam { learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, bias_correction: true }
    }
}

const ADAM: MethodMeta = MethodMeta {
    name: "adam",
    label: "Adam",
    family: Family::Adaptive,
    about: "Adam: each entry's step is set by running averages of its gradient and squared gradient, so its length is about the learning rate",
    rule: Rule {
        lines: &[
            "m ← β_{1} m + (1 − β_{1}) g",
            "v ← β_{2} v + (1 − β_{2}) g^{2}",
            "w ← w − frac{η}{1 − β_{1}^{t}} · frac{m}{sqrt{v} / sqrt{1 − β_{2}^{t}} + ε}",
        ],
        source: "torch.optim.Adam; Kingma & Ba 2015, Algorithm 1",
    },
    equivariant: false,
    colour_slot: Some(0),
    direct_only: false,
    tracks_time: false,
    hyper: &[
        HyperParam::LEARNING_RATE,
        HyperParam::BETA1,
        HyperParam::BETA2,
        HyperParam::EPS,
        HyperParam::WEIGHT_DECAY,
        HyperParam { name: "bias_correction", label: "bias correction", range: "true or false" },
    ],
};

/// beta1, beta2 in [0, 1), eps and weight_decay ≥ 0 (Adam and its variants), in that order.
pub(crate) fn check_adam_family(beta1: f64, beta2: f64, eps: f64, weight_decay: f64) -> Result<(), FieldError> {
    check_unit("beta1", beta1)?;
    check_unit("beta2", beta2)?;
    check_nonneg("eps", eps)?;
    check_nonneg("weight_decay", weight_decay)
}

impl Hyper for Adam {
    const META: &'static MethodMeta = &ADAM;
    const NUMPY: Option<&'static str> = Some(ADAM_NUMPY);
    crate::hyper_fields!(learning_rate, beta1, beta2, eps, weight_decay, bias_correction);
    fn validate(&self) -> Result<(), FieldError> {
        check_adam_family(self.beta1, self.beta2, self.eps, self.weight_decay)
    }
    crate::learning_rate_field!();
    fn label(&self) -> String {
        if self.bias_correction { "Adam".into() } else { "Adam (no bias correction)".into() }
    }
    fn kind(&self) -> Kind<'_> {
        Kind::Gradient(self)
    }
}

/// Adam's state for one matrix: the step count and both moments (column-major).
#[derive(Debug, Clone, PartialEq)]
pub struct AdamState {
    /// Steps taken (t of the next step is `t + 1`).
    pub t: u64,
    /// First moment m.
    pub m: Vec<f64>,
    /// Second moment v.
    pub v: Vec<f64>,
}

impl AdamState {
    pub(crate) fn new((rows, cols): (usize, usize)) -> AdamState {
        AdamState { t: 0, m: vec![0.0; rows * cols], v: vec![0.0; rows * cols] }
    }
}

impl PerMatrix for Adam {
    type State = AdamState;
    fn init(&self, shape: (usize, usize)) -> AdamState {
        AdamState::new(shape)
    }
    fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut AdamState) {
        let step = AdamStep {
            learning_rate: self.learning_rate,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            l2: self.weight_decay,
            bias_correction: self.bias_correction,
        };
        adam_step(w, g, state, step);
    }
}

/// `torch.optim.AdamW`: Adam with decoupled weight decay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdamW {
    /// Step size, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Decoupled decay: w ← w·(1 − lr·weight_decay) each step, ≥ 0 (default 0.01).
    pub weight_decay: f64,
}

impl Default for AdamW {
    fn default() -> Self {
        AdamW { learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1e-2 }
    }
}

const ADAMW: MethodMeta = MethodMeta {
    name: "adamw",
    label: "AdamW",
    family: Family::Adaptive,
    about: "AdamW: Adam with decoupled weight decay (0.01)",
    rule: Rule { lines: &["w ← w (1 − η λ)", "then Adam's step"], source: "torch.optim.AdamW; Loshchilov & Hutter 2019" },
    equivariant: false,
    colour_slot: Some(6),
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam::BETA1, HyperParam::BETA2, HyperParam::EPS, HyperParam::WEIGHT_DECAY],
};

impl Hyper for AdamW {
    const META: &'static MethodMeta = &ADAMW;
    const NUMPY: Option<&'static str> = Some(ADAMW_NUMPY);
    crate::hyper_fields!(learning_rate, beta1, beta2, eps, weight_decay);
    fn validate(&self) -> Result<(), FieldError> {
        check_adam_family(self.beta1, self.beta2, self.eps, self.weight_decay)
    }
    crate::learning_rate_field!();
    fn kind(&self) -> Kind<'_> {
        Kind::Gradient(self)
    }
}

impl PerMatrix for AdamW {
    type State = AdamState;
    fn init(&self, shape: (usize, usize)) -> AdamState {
        AdamState::new(shape)
    }
    fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut AdamState) {
        // Decoupled decay first, on the parameters before the step (torch.optim.AdamW).
        let keep = 1.0 - self.learning_rate * self.weight_decay;
        for w in w.iter_mut() {
            *w *= keep;
        }
        let step = AdamStep {
            learning_rate: self.learning_rate,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            l2: 0.0,
            bias_correction: true,
        };
        adam_step(w, g, state, step);
    }
}

struct AdamStep {
    learning_rate: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    l2: f64,
    bias_correction: bool,
}

fn adam_step(w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut AdamState, s: AdamStep) {
    assert!(state.m.len() == w.len() && state.v.len() == w.len(), "state does not match the parameters");
    state.t += 1;
    // β^t by repeated squaring (compiler-rt's __powidf2): the same bits natively and in wasm.
    let t = state.t.min(i32::MAX as u64) as i32;
    let (step_size, root_bc2) = if s.bias_correction {
        (s.learning_rate / (1.0 - s.beta1.powi(t)), (1.0 - s.beta2.powi(t)).sqrt())
    } else {
        (s.learning_rate, 1.0)
    };
    for (((w, &g), m), v) in w.iter_mut().zip(g.iter()).zip(state.m.iter_mut()).zip(state.v.iter_mut()) {
        let g = if s.l2 != 0.0 { g + s.l2 * *w } else { g };
        *m = s.beta1 * *m + (1.0 - s.beta1) * g;
        *v = s.beta2 * *v + (1.0 - s.beta2) * g * g;
        *w -= step_size * (*m / (v.sqrt() / root_bc2 + s.eps));
    }
}

/// `adam`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const ADAM_NUMPY: &str = r#"class adam:
    """m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + eps)
    (without bias correction: w ← w − lr·m/(√v + eps)). torch.optim.Adam; Kingma & Ba 2015, Algorithm 1."""

    def __init__(self, hp, shape):
        self.hp, self.t, self.m, self.v = hp, 0, np.zeros(shape), np.zeros(shape)

    def update(self, w, g):
        hp = self.hp
        b1, b2, eps, wd = hp["beta1"], hp["beta2"], hp["eps"], hp["weight_decay"]
        self.t += 1
        if hp["bias_correction"]:
            step_size, root_bc2 = hp["learning_rate"] / (1 - b1**self.t), math.sqrt(1 - b2**self.t)
        else:
            step_size, root_bc2 = hp["learning_rate"], 1.0
        if wd != 0:
            g = g + wd * w
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        return w - step_size * (self.m / (np.sqrt(self.v) / root_bc2 + eps))
"#;

/// `adamw`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const ADAMW_NUMPY: &str = r#"class adamw:
    """w ← w·(1 − lr·weight_decay), then Adam's step (bias-corrected, no coupled decay).
    torch.optim.AdamW; Loshchilov & Hutter 2019."""

    def __init__(self, hp, shape):
        self.hp, self.t, self.m, self.v = hp, 0, np.zeros(shape), np.zeros(shape)

    def update(self, w, g):
        hp = self.hp
        lr, b1, b2, eps = hp["learning_rate"], hp["beta1"], hp["beta2"], hp["eps"]
        w = w * (1 - lr * hp["weight_decay"])
        self.t += 1
        step_size, root_bc2 = lr / (1 - b1**self.t), math.sqrt(1 - b2**self.t)
        self.m = b1 * self.m + (1 - b1) * g
        self.v = b2 * self.v + (1 - b2) * g * g
        return w - step_size * (self.m / (np.sqrt(self.v) / root_bc2 + eps))
"#;
