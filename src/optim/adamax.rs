//! `adamax`: Adam with the infinity norm (Kingma & Ba 2015, §7.1), as `torch.optim.Adamax`.
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient, t = 1, 2, … the step count.
//! The state keeps the first moment M and the exponentially weighted infinity norm U (both 0
//! at first). One step, entry-wise:
//!
//! 1. G ← G + weight_decay·W (PyTorch's coupled L2 term, when weight_decay ≠ 0);
//! 2. M ← lerp(M, G, 1 − β₁) (= β₁·M + (1 − β₁)·G, torch's `lerp_`);
//! 3. U ← max(β₂·U, |G| + eps) (eps inside the maximum, as torch: an entry whose gradient is
//!    always zero keeps U = eps, and M = 0 over it is no step);
//! 4. W ← W − (lr/(1 − β₁ᵗ))·M / U.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::method::{Family, HyperParam, MethodMeta, Rule};

/// `torch.optim.Adamax` hyper-parameters (torch's defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Adamax {
    /// Step size lr, ≥ 0 (default 0.002).
    pub learning_rate: f64,
    /// Decay β₁ of the first moment, 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// Decay β₂ of the infinity norm, 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// Added to |G| inside the maximum, ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Adamax {
    fn default() -> Self {
        Adamax { learning_rate: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0 }
    }
}

/// Adamax's state: the step count, the first moment M and the infinity norm U (m × n each).
#[derive(Debug, Clone, PartialEq)]
pub struct AdamaxState {
    /// Steps taken so far.
    pub t: u64,
    /// M, m × n.
    pub exp_avg: DMatrix<f64>,
    /// U, m × n.
    pub exp_inf: DMatrix<f64>,
}

/// torch's `lerp`: a + w·(b − a) for |w| < 0.5, else b − (b − a)·(1 − w).
#[inline]
pub(crate) fn lerp(a: f64, b: f64, w: f64) -> f64 {
    if w.abs() < 0.5 { a + w * (b - a) } else { b - (b - a) * (1.0 - w) }
}

impl Adamax {
    /// Checks the hyper-parameters as `torch.optim.Adamax` does (and that they are finite).
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_lr(self.learning_rate)?;
        super::adam::check_adam_family(self.beta1, self.beta2, self.eps, self.weight_decay)
    }

    /// A fresh state for an m × n matrix: t = 0, M = U = 0.
    pub fn init(&self, shape: (usize, usize)) -> AdamaxState {
        AdamaxState { t: 0, exp_avg: DMatrix::zeros(shape.0, shape.1), exp_inf: DMatrix::zeros(shape.0, shape.1) }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` or the state's buffers are not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut AdamaxState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        assert!(
            state.exp_avg.shape() == w.shape() && state.exp_inf.shape() == w.shape(),
            "state does not match the parameters"
        );
        state.t += 1;
        let (b1, b2, eps, wd) = (self.beta1, self.beta2, self.eps, self.weight_decay);
        // β₁^t through libm's pow (Python's float power): the same bits natively and in wasm.
        let clr = self.learning_rate / (1.0 - libm::pow(b1, state.t as f64));
        for (((w, &g), m), u) in w.iter_mut().zip(g.iter()).zip(state.exp_avg.iter_mut()).zip(state.exp_inf.iter_mut()) {
            let g = if wd != 0.0 { g + wd * *w } else { g };
            *m = lerp(*m, g, 1.0 - b1);
            // torch.maximum: NaN if either side is NaN.
            let (decayed, fresh) = (b2 * *u, g.abs() + eps);
            *u = if decayed.is_nan() || fresh.is_nan() { f64::NAN } else { decayed.max(fresh) };
            *w -= clr * (*m / *u);
        }
    }
}

const META: MethodMeta = MethodMeta {
    name: "adamax",
    label: "Adamax",
    family: Family::Adaptive,
    about: "Adamax: Adam with a running maximum of the gradient's size in place of its root mean square",
    rule: Rule { lines: &["m ← β_{1} m + (1 − β_{1}) g", "u ← max(β_{2} u, |g| + ε)", "w ← w − frac{η}{1 − β_{1}^{t}} frac{m}{u}"], source: "torch.optim.Adamax; Kingma & Ba 2015, §7.1" },
    equivariant: false,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam::BETA1, HyperParam::BETA2, HyperParam::EPS, HyperParam::WEIGHT_DECAY],
};

crate::per_matrix_method!(Adamax, AdamaxState, META, [learning_rate, beta1, beta2, eps, weight_decay], NUMPY);

/// `adamax`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class adamax:
    """m ← β₁m + (1−β₁)g; u ← max(β₂u, |g| + eps); w ← w − lr/(1−β₁ᵗ)·m/u.
    torch.optim.Adamax; Kingma & Ba 2015, §7.1."""

    def __init__(self, hp, shape):
        self.hp, self.t, self.m, self.u = hp, 0, np.zeros(shape), np.zeros(shape)

    def update(self, w, g):
        hp = self.hp
        b1, b2, eps, wd = hp["beta1"], hp["beta2"], hp["eps"], hp["weight_decay"]
        self.t += 1
        clr = hp["learning_rate"] / (1 - b1 ** float(self.t))
        if wd != 0:
            g = g + wd * w
        self.m = lerp(self.m, g, 1 - b1)
        self.u = np.maximum(b2 * self.u, np.abs(g) + eps)
        return w - clr * (self.m / self.u)
"#;
