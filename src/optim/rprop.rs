//! `rprop`: resilient backpropagation (Riedmiller & Braun 1993), as `torch.optim.Rprop` (not
//! optax's `rprop`, whose first update is zero: it lags torch's by one step).
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient. The state keeps a step size
//! S per entry (S₀ = lr) and the previous (masked) gradient P (P₀ = 0). One step, entry-wise:
//!
//! 1. s ← sign(G·P) (of the product, as torch: s = 0 when either is 0);
//! 2. S ← clamp(S·η₊, min, max) where s > 0, clamp(S·η₋, min, max) where s < 0,
//!    clamp(S, min, max) where s = 0;
//! 3. G ← 0 where s < 0 (after a sign change the entry rests one step);
//! 4. W ← W − sign(G)·S; P ← G.
//!
//! An entry whose gradient is always exactly zero keeps S = lr and does not move.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::checks::Shown;
use crate::method::{Family, HyperParam, MethodMeta, Rule};
use super::sign;

/// `torch.optim.Rprop` hyper-parameters (torch's defaults; torch's `etas` and `step_sizes`
/// pairs are spelled out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rprop {
    /// The first step size of every entry, ≥ 0 (default 0.01).
    pub learning_rate: f64,
    /// Factor η₋ of the step size after a sign change, 0 < η₋ < 1 (default 0.5).
    pub eta_minus: f64,
    /// Factor η₊ of the step size while the sign holds, η₊ > 1, finite (default 1.2).
    pub eta_plus: f64,
    /// Smallest step size, ≥ 0 (default 1e-6).
    pub step_size_min: f64,
    /// Largest step size, ≥ `step_size_min`, finite (default 50).
    pub step_size_max: f64,
}

impl Default for Rprop {
    fn default() -> Self {
        Rprop { learning_rate: 1e-2, eta_minus: 0.5, eta_plus: 1.2, step_size_min: 1e-6, step_size_max: 50.0 }
    }
}

/// Rprop's state: the step count, the step sizes S and the previous gradient P (m × n each).
#[derive(Debug, Clone, PartialEq)]
pub struct RpropState {
    /// Steps taken so far.
    pub t: u64,
    /// P, the previous gradient with the entries that changed sign set to 0.
    pub prev: DMatrix<f64>,
    /// S, the step size of each entry.
    pub step_size: DMatrix<f64>,
}


impl Rprop {
    /// Checks the hyper-parameters as `torch.optim.Rprop` does (`learning_rate` ≥ 0,
    /// 0 < `eta_minus` < 1 < `eta_plus`) and, beyond torch, that every field is finite and
    /// 0 ≤ `step_size_min` ≤ `step_size_max`.
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_nonneg("learning_rate", self.learning_rate)?;
        if !(self.eta_minus > 0.0 && self.eta_minus < 1.0) {
            return Err(("eta_minus", format!("must be in (0, 1), got {}", Shown(self.eta_minus))));
        }
        if !(self.eta_plus > 1.0 && self.eta_plus.is_finite()) {
            return Err(("eta_plus", format!("must be a finite number > 1, got {}", Shown(self.eta_plus))));
        }
        crate::checks::check_nonneg("step_size_min", self.step_size_min)?;
        if !(self.step_size_max.is_finite() && self.step_size_max >= self.step_size_min) {
            return Err((
                "step_size_max",
                format!("must be a finite number >= step_size_min ({}), got {}", Shown(self.step_size_min), Shown(self.step_size_max)),
            ));
        }
        Ok(())
    }

    /// A fresh state for an m × n matrix: t = 0, P = 0, S = lr.
    pub fn init(&self, shape: (usize, usize)) -> RpropState {
        RpropState {
            t: 0,
            prev: DMatrix::zeros(shape.0, shape.1),
            step_size: DMatrix::from_element(shape.0, shape.1, self.learning_rate),
        }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` or the state's buffers are not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut RpropState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        assert!(state.prev.shape() == w.shape() && state.step_size.shape() == w.shape(), "state does not match the parameters");
        state.t += 1;
        let (lo, hi) = (self.step_size_min, self.step_size_max);
        for (((w, &g), p), s) in w.iter_mut().zip(g.iter()).zip(state.prev.iter_mut()).zip(state.step_size.iter_mut()) {
            let product = g * *p;
            // torch: sign[>0] = η₊, sign[<0] = η₋, sign[=0] = 1; a NaN stays NaN.
            let factor = if product > 0.0 {
                self.eta_plus
            } else if product < 0.0 {
                self.eta_minus
            } else if product == 0.0 {
                1.0
            } else {
                f64::NAN
            };
            // clamp propagates NaN, as torch's clamp_.
            *s = (*s * factor).clamp(lo, hi);
            let g = if product < 0.0 { 0.0 } else { g };
            *w -= sign(g) * *s;
            *p = g;
        }
    }
}

const META: MethodMeta = MethodMeta {
    name: "rprop",
    label: "Rprop",
    family: Family::Sign,
    about: "Rprop: each entry moves by its own step size in the direction of its gradient's sign, the step growing while the sign holds and shrinking when it flips",
    rule: Rule { lines: &["s ← clamp(s η_{±}, s_{min}, s_{max})  (sign of g g_{prev})", "w ← w − s sign(g)"], source: "torch.optim.Rprop; Riedmiller & Braun 1993" },
    equivariant: false,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "eta_minus", label: "η₋", range: "(0, 1)" }, HyperParam { name: "eta_plus", label: "η₊", range: "> 1" }, HyperParam { name: "step_size_min", label: "smallest step", range: "≥ 0" }, HyperParam { name: "step_size_max", label: "largest step", range: "≥ smallest step" }],
};

crate::per_matrix_method!(Rprop, RpropState, META, [learning_rate, eta_minus, eta_plus, step_size_min, step_size_max], NUMPY);

/// `rprop`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class rprop:
    """s ← clip(s·η₊ where g·g_prev > 0, s·η₋ where < 0, s where = 0; s_min, s_max); g ← 0 where g·g_prev < 0;
    w ← w − s·sign(g); g_prev ← g (s₀ = lr). torch.optim.Rprop; Riedmiller & Braun 1993."""

    def __init__(self, hp, shape):
        self.hp, self.prev, self.s = hp, np.zeros(shape), np.full(shape, hp["learning_rate"])

    def update(self, w, g):
        hp = self.hp
        product = g * self.prev
        factor = np.where(product > 0, hp["eta_plus"], np.where(product < 0, hp["eta_minus"], 1.0))
        self.s = np.clip(self.s * factor, hp["step_size_min"], hp["step_size_max"])
        g = np.where(product < 0, 0.0, g)
        self.prev = g
        return w - np.sign(g) * self.s
"#;
