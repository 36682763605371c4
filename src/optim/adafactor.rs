//! `adafactor`: factored second moments (Shazeer & Stern 2018), as `torch.optim.Adafactor`.
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient, t = 1, 2, … the step count.
//! The state keeps a row factor r (m entries) and a column factor c (n entries), both 0 at
//! first. One step:
//!
//! 1. β̂ ← t^`beta2_decay` (the weight of the new statistics; 1 at t = 1), ρ ← min(lr, 1/√t),
//!    α ← max(eps2, ‖W‖_F/√(mn))·ρ (from W before the decay);
//! 2. W ← W·(1 − lr·weight_decay);
//! 3. r ← lerp(r, mean_j G²_ij, β̂), c ← lerp(c, mean_i G²_ij, β̂) (torch's lerp);
//! 4. V ← r cᵀ / max(mean(r), eps1), U ← G / √max(V, eps1²) (entry-wise);
//! 5. W ← W − α·U / max(1, RMS(U)/d), RMS(U) = ‖U‖_F/√(mn).
//!
//! `eps1` null (the default) is the machine epsilon of f64, as torch's `None`.

use nalgebra::{DMatrixView, DMatrixViewMut, DVector};
use serde::{Deserialize, Serialize};

use crate::checks::{check_nonneg, Shown};
use crate::method::{Family, HyperParam, MethodMeta, Rule};

/// `torch.optim.Adafactor` hyper-parameters (torch's defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Adafactor {
    /// lr, ≥ 0 (default 0.01): the largest relative step size ρ and the weight decay's factor.
    pub learning_rate: f64,
    /// The exponent of 1 − β₂ₜ = t^beta2_decay, ≤ 0 (default −0.8).
    pub beta2_decay: f64,
    /// Floor of the second-moment estimate (squared) and of the row factor's mean, ≥ 0; null
    /// (default) is f64's machine epsilon.
    pub eps1: Option<f64>,
    /// Floor of the parameters' RMS in the step size, ≥ 0 (default 1e-3).
    pub eps2: f64,
    /// Clipping threshold of the update's RMS, ≥ 1 (default 1).
    pub d: f64,
    /// Decoupled weight decay: W ← W·(1 − lr·weight_decay), ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Adafactor {
    fn default() -> Self {
        Adafactor { learning_rate: 1e-2, beta2_decay: -0.8, eps1: None, eps2: 1e-3, d: 1.0, weight_decay: 0.0 }
    }
}

/// Adafactor's state: the step count and the row and column factors.
#[derive(Debug, Clone, PartialEq)]
pub struct AdafactorState {
    /// Steps taken so far.
    pub t: u64,
    /// r: the moving average of each row's mean squared gradient (m entries).
    pub row_var: DVector<f64>,
    /// c: the moving average of each column's mean squared gradient (n entries).
    pub col_var: DVector<f64>,
}

/// torch's `lerp`: a + w·(b − a) for |w| < 0.5, else b − (b − a)·(1 − w).
#[inline]
fn lerp(a: f64, b: f64, w: f64) -> f64 {
    if w.abs() < 0.5 { a + w * (b - a) } else { b - (b - a) * (1.0 - w) }
}

impl Adafactor {
    /// Checks the hyper-parameters as `torch.optim.Adafactor` does (and that they are finite).
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        check_nonneg("learning_rate", self.learning_rate)?;
        if !self.beta2_decay.is_finite() || self.beta2_decay > 0.0 {
            return Err(("beta2_decay", format!("must be a finite number <= 0, got {}", Shown(self.beta2_decay))));
        }
        if let Some(eps1) = self.eps1 {
            check_nonneg("eps1", eps1)?;
        }
        check_nonneg("eps2", self.eps2)?;
        if !self.d.is_finite() || self.d < 1.0 {
            return Err(("d", format!("must be a finite number >= 1, got {}", Shown(self.d))));
        }
        check_nonneg("weight_decay", self.weight_decay)
    }

    /// A fresh state for an m × n matrix: t = 0, r = 0, c = 0.
    pub fn init(&self, shape: (usize, usize)) -> AdafactorState {
        AdafactorState { t: 0, row_var: DVector::zeros(shape.0), col_var: DVector::zeros(shape.1) }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` or the state's factors do not match the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut AdafactorState) {
        let (m, n) = w.shape();
        assert_eq!(g.shape(), (m, n), "gradient and parameters differ in shape");
        assert!(state.row_var.len() == m && state.col_var.len() == n, "state does not match the parameters");
        if m == 0 || n == 0 {
            state.t += 1;
            return;
        }
        state.t += 1;
        let t = state.t as f64;
        let lr = self.learning_rate;
        let eps1 = self.eps1.unwrap_or(f64::EPSILON);
        // t^beta2_decay and t^0.5 through libm: the same bits natively and in wasm.
        let new_weight = libm::pow(t, self.beta2_decay);
        let rho = lr.min(1.0 / t.sqrt());
        let size = (m * n) as f64;
        let w_norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
        let alpha = self.eps2.max(w_norm / size.sqrt()) * rho;
        if self.weight_decay != 0.0 {
            let keep = 1.0 - lr * self.weight_decay;
            w.apply(|v| *v *= keep);
        }
        for i in 0..m {
            let mean = g.row(i).iter().map(|v| v * v).sum::<f64>() / n as f64;
            state.row_var[i] = lerp(state.row_var[i], mean, new_weight);
        }
        for j in 0..n {
            let mean = g.column(j).iter().map(|v| v * v).sum::<f64>() / m as f64;
            state.col_var[j] = lerp(state.col_var[j], mean, new_weight);
        }
        let row_mean = (state.row_var.sum() / m as f64).max(eps1);
        let floor = eps1 * eps1;
        let mut u = g.clone_owned();
        for j in 0..n {
            for i in 0..m {
                let v = (state.row_var[i] * state.col_var[j] / row_mean).max(floor);
                u[(i, j)] *= 1.0 / v.sqrt();
            }
        }
        let rms = u.iter().map(|v| v * v).sum::<f64>().sqrt() / (size.sqrt() * self.d);
        let step = -alpha / rms.max(1.0);
        w.zip_apply(&u, |w, u| *w += step * u);
    }
}

const META: MethodMeta = MethodMeta {
    name: "adafactor",
    label: "Adafactor",
    family: Family::Adaptive,
    about: "Adafactor: Adam-like steps with the second moment kept as a row and a column factor, step relative to W's size",
    rule: Rule { lines: &["r ← lerp(r, mean_{j} g^{2}, t^{β})", "c ← lerp(c, mean_{i} g^{2}, t^{β})", "u ← frac{g}{sqrt{r c / mean(r)}}", "w ← w − max(ε_{2}, RMS(w)) min(η, frac{1}{sqrt{t}}) frac{u}{max(1, RMS(u) / d)}"], source: "torch.optim.Adafactor; Shazeer & Stern 2018" },
    equivariant: false,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "beta2_decay", label: "β₂ decay", range: "≤ 0" }, HyperParam { name: "eps1", label: "eps₁", range: "≥ 0 or null (machine epsilon)" }, HyperParam { name: "eps2", label: "eps₂", range: "≥ 0" }, HyperParam { name: "d", label: "clipping d", range: "≥ 1" }, HyperParam::WEIGHT_DECAY],
};

crate::per_matrix_method!(Adafactor, AdafactorState, META, [learning_rate, beta2_decay, eps1, eps2, d, weight_decay], NUMPY);

/// `adafactor`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class adafactor:
    """Factored second moment of g (rows × cols): r ← lerp(r, mean_j g², t^β), c ← lerp(c, mean_i g², t^β);
    u = g/√max(r cᵀ/max(mean(r), eps1), eps1²); w ← w − max(eps2, RMS(w))·min(lr, 1/√t)·u/max(1, RMS(u)/d)
    (decoupled weight decay w ← w(1 − lr·wd) first). torch.optim.Adafactor; Shazeer & Stern 2018."""

    def __init__(self, hp, shape):
        self.hp, self.t, self.row, self.col = hp, 0, np.zeros(shape[0]), np.zeros(shape[1])

    def update(self, w, g):
        hp = self.hp
        m, n = w.shape
        self.t += 1
        if m == 0 or n == 0:
            return w
        t, lr = float(self.t), hp["learning_rate"]
        eps1 = hp["eps1"] if hp["eps1"] is not None else np.finfo(float).eps
        new_weight = t ** hp["beta2_decay"]
        rho = min(lr, 1 / math.sqrt(t))
        size = float(m * n)
        alpha = max(hp["eps2"], math.sqrt(np.sum(w * w)) / math.sqrt(size)) * rho
        if hp["weight_decay"] != 0:
            w = w * (1 - lr * hp["weight_decay"])
        self.row = lerp(self.row, np.sum(g * g, axis=1) / n, new_weight)
        self.col = lerp(self.col, np.sum(g * g, axis=0) / m, new_weight)
        row_mean = max(np.sum(self.row) / m, eps1)
        v = np.maximum(np.outer(self.row, self.col) / row_mean, eps1 * eps1)
        u = g * (1 / np.sqrt(v))
        rms = math.sqrt(np.sum(u * u)) / (math.sqrt(size) * hp["d"])
        return w + (-alpha / max(rms, 1.0)) * u
"#;
