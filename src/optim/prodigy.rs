//! `prodigy`: D-Adapt Adam that learns its step size (Mishchenko & Defazio 2024, "Prodigy: an
//! expeditiously adaptive parameter-free learner", its Adam form with bias correction), as
//! `optax.contrib.prodigy` (`prodigyopt` with `use_bias_correction=True` agrees).
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient, t = 1, 2, … the step count,
//! W₀ the parameters before the first step. The state keeps the estimate d (d₁ = d0), the
//! moments M and V, the weighted gradient sum S (all 0 at first) and the scalar r (0 at
//! first). One step:
//!
//! 1. dlr ← d·lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ);
//! 2. M ← β₁·M + (1 − β₁)·d·G, V ← β₂·V + (1 − β₂)·(d·G)²;
//! 3. S ← β₃·S + dlr·d·G/d0, r ← β₃·r + (d/d0)·dlr·⟨G, W₀ − W⟩;
//! 4. d ← max(d, d_coef·r/‖S‖₁) (entry-wise ℓ₁ norm of S; kept while ‖S‖₁ = 0, where optax
//!    divides 0 by 0 and stops with NaN: a run that starts at a zero gradient, as the
//!    factored models do at W = 0, goes on);
//! 5. W ← W − weight_decay·dlr·W − dlr·M/(√V + d·eps) (the new d).
//!
//! `learning_rate` multiplies the learned step (1 by default, as the paper's schedules).

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::checks::{check_pos, check_unit};
use crate::method::{Family, HyperParam, MethodMeta, Rule};

/// `optax.contrib.prodigy` hyper-parameters (optax's defaults; optax's `betas` pair,
/// `estim_lr0` and `estim_lr_coef` are `beta1`, `beta2`, `d0` and `d_coef`, the paper's names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Prodigy {
    /// Factor lr of the learned step, ≥ 0 (default 1).
    pub learning_rate: f64,
    /// Decay β₁ of the first moment, 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// Decay β₂ of the second moment, 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// Decay β₃ of S and r, 0 ≤ β₃ < 1; null (default) is √β₂.
    pub beta3: Option<f64>,
    /// Added to √V (times d), ≥ 0 (default 1e-8).
    pub eps: f64,
    /// The first estimate d of the distance to the solution, > 0 (default 1e-6).
    pub d0: f64,
    /// Factor of the estimate, > 0 (default 1).
    pub d_coef: f64,
    /// Decoupled weight decay (AdamW's, times dlr), ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Prodigy {
    fn default() -> Self {
        Prodigy { learning_rate: 1.0, beta1: 0.9, beta2: 0.999, beta3: None, eps: 1e-8, d0: 1e-6, d_coef: 1.0, weight_decay: 0.0 }
    }
}

/// Prodigy's state.
#[derive(Debug, Clone, PartialEq)]
pub struct ProdigyState {
    /// Steps taken so far.
    pub t: u64,
    /// d, the current estimate of the distance to the solution (d0 at first).
    pub d: f64,
    /// r, the weighted sum of ⟨G, W₀ − W⟩.
    pub numerator: f64,
    /// M, m × n.
    pub exp_avg: DMatrix<f64>,
    /// V, m × n.
    pub exp_avg_sq: DMatrix<f64>,
    /// S, m × n.
    pub grad_sum: DMatrix<f64>,
    /// W₀, the parameters before the first step (taken by the first `update`).
    pub w0: DMatrix<f64>,
}

impl Prodigy {
    /// β₃: `beta3`, or √β₂ when null.
    pub fn beta3(&self) -> f64 {
        self.beta3.unwrap_or_else(|| self.beta2.sqrt())
    }

    /// Checks the hyper-parameters (as `prodigyopt` does, and that they are finite).
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_nonneg("learning_rate", self.learning_rate)?;
        check_unit("beta1", self.beta1)?;
        check_unit("beta2", self.beta2)?;
        if let Some(beta3) = self.beta3 {
            check_unit("beta3", beta3)?;
        }
        crate::checks::check_nonneg("eps", self.eps)?;
        check_pos("d0", self.d0)?;
        check_pos("d_coef", self.d_coef)?;
        crate::checks::check_nonneg("weight_decay", self.weight_decay)
    }

    /// A fresh state for an m × n matrix: t = 0, d = d0, r = 0, M = V = S = 0 (W₀ is taken by
    /// the first `update`).
    pub fn init(&self, shape: (usize, usize)) -> ProdigyState {
        let zeros = || DMatrix::zeros(shape.0, shape.1);
        ProdigyState { t: 0, d: self.d0, numerator: 0.0, exp_avg: zeros(), exp_avg_sq: zeros(), grad_sum: zeros(), w0: zeros() }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` or the state's buffers are not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut ProdigyState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        assert!(
            [&state.exp_avg, &state.exp_avg_sq, &state.grad_sum, &state.w0].iter().all(|b| b.shape() == w.shape()),
            "state does not match the parameters"
        );
        if state.t == 0 {
            state.w0.copy_from(&*w);
        }
        state.t += 1;
        let t = state.t as f64;
        let (b1, b2, b3, d0) = (self.beta1, self.beta2, self.beta3(), self.d0);
        let d = state.d;
        // βᵗ through libm's pow: the same bits natively and in wasm.
        let bc = (1.0 - libm::pow(b2, t)).sqrt() / (1.0 - libm::pow(b1, t));
        let dlr = d * self.learning_rate * bc;
        let mut inner = 0.0;
        let mut l1 = 0.0;
        for ((((&w, &g), m), v), (s, &w0)) in w
            .iter()
            .zip(g.iter())
            .zip(state.exp_avg.iter_mut())
            .zip(state.exp_avg_sq.iter_mut())
            .zip(state.grad_sum.iter_mut().zip(state.w0.iter()))
        {
            inner += g * (w0 - w);
            let dg = d * g;
            *m = b1 * *m + (1.0 - b1) * dg;
            *v = b2 * *v + (1.0 - b2) * dg * dg;
            *s = b3 * *s + dlr * dg / d0;
            l1 += s.abs();
        }
        state.numerator = b3 * state.numerator + (d / d0) * dlr * inner;
        let estimate = self.d_coef * state.numerator / l1;
        // jnp.maximum propagates NaN; 0/0 (no gradient yet) keeps d.
        state.d = if l1 == 0.0 && state.numerator == 0.0 {
            d
        } else if estimate.is_nan() {
            f64::NAN
        } else {
            d.max(estimate)
        };
        let (decay, floor) = (self.weight_decay * dlr, state.d * self.eps);
        for ((w, m), v) in w.iter_mut().zip(state.exp_avg.iter()).zip(state.exp_avg_sq.iter()) {
            let step = -decay * *w - dlr * m / (v.sqrt() + floor);
            *w += step;
        }
    }
}

const META: MethodMeta = MethodMeta {
    name: "prodigy",
    label: "Prodigy",
    family: Family::Adaptive,
    about: "Prodigy: Adam whose step size d is learned from how far W has moved along the gradients (learning rate 1 by default)",
    rule: Rule { lines: &["m ← β_{1} m + (1 − β_{1}) d g", "v ← β_{2} v + (1 − β_{2}) d^{2} g^{2}", "d ← max(d, frac{r}{‖s‖_{1}})", "w ← w − η_{d} frac{m}{sqrt{v} + d ε}"], source: "optax.contrib.prodigy; Mishchenko & Defazio 2024" },
    equivariant: false,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam::BETA1, HyperParam::BETA2, HyperParam { name: "beta3", label: "β₃", range: "[0, 1) or null (√β₂)" }, HyperParam::EPS, HyperParam { name: "d0", label: "d₀", range: "> 0" }, HyperParam { name: "d_coef", label: "d coefficient", range: "> 0" }, HyperParam::WEIGHT_DECAY],
};

crate::per_matrix_method!(Prodigy, ProdigyState, META, [learning_rate, beta1, beta2, beta3, eps, d0, d_coef, weight_decay], NUMPY);

/// `prodigy`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class prodigy:
    """Adam on d·g with the distance estimate d ← max(d, d_coef·r/‖s‖₁), r ← β₃r + (d/d₀)·η_d·⟨g, w₀ − w⟩,
    s ← β₃s + η_d·d·g/d₀, η_d = d·lr·√(1−β₂ᵗ)/(1−β₁ᵗ); w ← w − wd·η_d·w − η_d·m/(√v + d·eps).
    optax.contrib.prodigy; Mishchenko & Defazio 2024."""

    def __init__(self, hp, shape):
        self.hp, self.t, self.d, self.numerator = hp, 0, hp["d0"], 0.0
        self.m, self.v, self.s = np.zeros(shape), np.zeros(shape), np.zeros(shape)

    def update(self, w, g):
        hp = self.hp
        b1, b2, d0 = hp["beta1"], hp["beta2"], hp["d0"]
        b3 = hp["beta3"] if hp["beta3"] is not None else math.sqrt(b2)
        if self.t == 0:
            self.w0 = w.copy()
        self.t += 1
        t, d = float(self.t), self.d
        dlr = d * hp["learning_rate"] * (math.sqrt(1 - b2**t) / (1 - b1**t))
        inner = float(np.sum(g * (self.w0 - w)))
        dg = d * g
        self.m = b1 * self.m + (1 - b1) * dg
        self.v = b2 * self.v + (1 - b2) * dg * dg
        self.s = b3 * self.s + dlr * dg / d0
        l1 = float(np.sum(np.abs(self.s)))
        self.numerator = b3 * self.numerator + (d / d0) * dlr * inner
        if not (l1 == 0 and self.numerator == 0):
            estimate = hp["d_coef"] * self.numerator / l1 if l1 != 0 else math.copysign(math.inf, self.numerator)
            self.d = math.nan if math.isnan(estimate) else max(d, estimate)
        return w + (-hp["weight_decay"] * dlr * w - dlr * self.m / (np.sqrt(self.v) + self.d * hp["eps"]))
"#;
