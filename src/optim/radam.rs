//! `radam`: rectified Adam (Liu et al. 2020, "On the variance of the adaptive learning rate and
//! beyond"), as `torch.optim.RAdam`.
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient, t = 1, 2, … the step count.
//! The state keeps Adam's moments M and V (both 0 at first). One step:
//!
//! 1. weight decay: W ← W·(1 − lr·weight_decay) if `decoupled_weight_decay` (AdamW's), else
//!    G ← G + weight_decay·W (PyTorch's coupled L2 term); nothing when weight_decay = 0;
//! 2. M ← lerp(M, G, 1 − β₁), V ← β₂·V + (1 − β₂)·G²;
//! 3. M̂ ← M/(1 − β₁ᵗ); ρ∞ ← 2/(1 − β₂) − 1, ρₜ ← ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ);
//! 4. if ρₜ > 5: r ← √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)) and
//!    W ← W − M̂·lr·(√(1 − β₂ᵗ)/(√V + eps))·r (entry-wise);
//!    else (the first steps: the variance of the adaptive rate is not defined yet)
//!    W ← W − M̂·lr (SGD with momentum).

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use super::adamax::lerp;
use crate::method::{Family, HyperParam, MethodMeta, Rule};

/// `torch.optim.RAdam` hyper-parameters (torch's defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Radam {
    /// Step size lr, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// Decay β₁ of the first moment, 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// Decay β₂ of the second moment, 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// Added to √V, outside the root, ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Weight decay, ≥ 0 (default 0): coupled (L2) or decoupled, by `decoupled_weight_decay`.
    pub weight_decay: f64,
    /// AdamW's decay W ← W·(1 − lr·weight_decay) in place of the L2 term (default false).
    pub decoupled_weight_decay: bool,
}

impl Default for Radam {
    fn default() -> Self {
        Radam { learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, decoupled_weight_decay: false }
    }
}

/// RAdam's state: the step count and the moments M and V (m × n each).
#[derive(Debug, Clone, PartialEq)]
pub struct RadamState {
    /// Steps taken so far.
    pub t: u64,
    /// M, m × n.
    pub exp_avg: DMatrix<f64>,
    /// V, m × n.
    pub exp_avg_sq: DMatrix<f64>,
}

impl Radam {
    /// Checks the hyper-parameters as `torch.optim.RAdam` does (and that they are finite).
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_lr(self.learning_rate)?;
        super::adam::check_adam_family(self.beta1, self.beta2, self.eps, self.weight_decay)
    }

    /// A fresh state for an m × n matrix: t = 0, M = V = 0.
    pub fn init(&self, shape: (usize, usize)) -> RadamState {
        RadamState { t: 0, exp_avg: DMatrix::zeros(shape.0, shape.1), exp_avg_sq: DMatrix::zeros(shape.0, shape.1) }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` or the state's buffers are not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut RadamState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        assert!(
            state.exp_avg.shape() == w.shape() && state.exp_avg_sq.shape() == w.shape(),
            "state does not match the parameters"
        );
        state.t += 1;
        let t = state.t as f64;
        let (lr, b1, b2, eps, wd) = (self.learning_rate, self.beta1, self.beta2, self.eps, self.weight_decay);
        let (decoupled, l2) = match (wd != 0.0, self.decoupled_weight_decay) {
            (false, _) => (1.0, 0.0),
            (true, true) => (1.0 - lr * wd, 0.0),
            (true, false) => (1.0, wd),
        };
        // βᵗ through libm's pow (Python's float power): the same bits natively and in wasm.
        let b2t = libm::pow(b2, t);
        let bc1 = 1.0 - libm::pow(b1, t);
        let bc2 = 1.0 - b2t;
        let rho_inf = 2.0 / (1.0 - b2) - 1.0;
        let rho_t = rho_inf - 2.0 * t * b2t / bc2;
        let rect = (rho_t > 5.0).then(|| ((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)).sqrt());
        let root_bc2 = bc2.sqrt();
        for (((w, &g), m), v) in w.iter_mut().zip(g.iter()).zip(state.exp_avg.iter_mut()).zip(state.exp_avg_sq.iter_mut()) {
            if decoupled != 1.0 {
                *w *= decoupled;
            }
            let g = if l2 != 0.0 { g + l2 * *w } else { g };
            *m = lerp(*m, g, 1.0 - b1);
            *v = b2 * *v + (1.0 - b2) * g * g;
            let corrected = *m / bc1;
            *w -= match rect {
                Some(r) => corrected * lr * (root_bc2 / (v.sqrt() + eps)) * r,
                None => corrected * lr,
            };
        }
    }
}

const META: MethodMeta = MethodMeta {
    name: "radam",
    label: "RAdam",
    family: Family::Adaptive,
    about: "RAdam: Adam whose adaptive step is switched on, and rectified, once the variance of its second moment is defined",
    rule: Rule { lines: &["m ← β_{1} m + (1 − β_{1}) g", "v ← β_{2} v + (1 − β_{2}) g^{2}", "w ← w − frac{η}{1 − β_{1}^{t}} m r_{t} frac{sqrt{1 − β_{2}^{t}}}{sqrt{v} + ε}  (ρ_{t} > 5)", "w ← w − frac{η}{1 − β_{1}^{t}} m  (else)"], source: "torch.optim.RAdam; Liu et al. 2020" },
    equivariant: false,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam::BETA1, HyperParam::BETA2, HyperParam::EPS, HyperParam::WEIGHT_DECAY, HyperParam { name: "decoupled_weight_decay", label: "decoupled weight decay", range: "true or false" }],
};

crate::per_matrix_method!(Radam, RadamState, META, [learning_rate, beta1, beta2, eps, weight_decay, decoupled_weight_decay], NUMPY);

/// `radam`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class radam:
    """m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; ρ_t = ρ_∞ − 2tβ₂ᵗ/(1−β₂ᵗ), ρ_∞ = 2/(1−β₂) − 1;
    w ← w − lr·m/(1−β₁ᵗ)·r_t·√(1−β₂ᵗ)/(√v + eps) when ρ_t > 5, else w ← w − lr·m/(1−β₁ᵗ),
    r_t = √((ρ_t−4)(ρ_t−2)ρ_∞/((ρ_∞−4)(ρ_∞−2)ρ_t)). torch.optim.RAdam; Liu et al. 2020."""

    def __init__(self, hp, shape):
        self.hp, self.t, self.m, self.v = hp, 0, np.zeros(shape), np.zeros(shape)

    def update(self, w, g):
        hp = self.hp
        lr, b1, b2, eps, wd = hp["learning_rate"], hp["beta1"], hp["beta2"], hp["eps"], hp["weight_decay"]
        self.t += 1
        t = float(self.t)
        if wd != 0 and hp["decoupled_weight_decay"]:
            w = w * (1 - lr * wd)
        elif wd != 0:
            g = g + wd * w
        b2t = b2**t
        bc1, bc2 = 1 - b1**t, 1 - b2t
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2t / bc2
        self.m = lerp(self.m, g, 1 - b1)
        self.v = b2 * self.v + (1 - b2) * g * g
        corrected = self.m / bc1
        if rho_t > 5:
            r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            return w - corrected * lr * (math.sqrt(bc2) / (np.sqrt(self.v) + eps)) * r
        return w - corrected * lr
"#;
