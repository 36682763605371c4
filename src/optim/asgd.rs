//! `asgd`: averaged stochastic gradient descent (Polyak & Juditsky 1992, "Acceleration of
//! stochastic approximation by averaging"), as `torch.optim.ASGD`'s single-tensor path
//! (`foreach=False`; its multi-tensor path computes η differently).
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient, t = 1, 2, … the step count.
//! The state keeps the step size η (η₀ = lr), the averaging weight μ (μ₀ = 1) and the average
//! A̅ of the iterates (0 at first). One step:
//!
//! 1. G ← G + weight_decay·W (PyTorch's coupled L2 term, when weight_decay ≠ 0);
//! 2. W ← W·(1 − λ·η), then W ← W − η·G;
//! 3. A̅ ← A̅ + μ·(W − A̅) (A̅ ← W while μ = 1);
//! 4. η ← lr / (1 + λ·lr·t)^α, μ ← 1 / max(1, t − t0).
//!
//! `update` leaves the iterate W in `w` (the point where the gradient is taken, and the golden
//! trajectories' parameters); the average A̅ is [`AsgdState::average`].

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::checks::Shown;
use crate::method::{Family, HyperParam, MethodMeta, Rule};

/// `torch.optim.ASGD` hyper-parameters (torch's defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Asgd {
    /// lr: the first step size η₀ and the scale of the later ones, ≥ 0 (default 0.01).
    pub learning_rate: f64,
    /// Decay term λ (W shrinks by 1 − λη each step; η decays with λ), ≥ 0 (default 1e-4).
    pub lambd: f64,
    /// Power α of η's decay, ≥ 0 (default 0.75).
    pub alpha: f64,
    /// The step after which averaging starts (μ = 1/(t − t0) past it), finite (default 1e6).
    pub t0: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Asgd {
    fn default() -> Self {
        Asgd { learning_rate: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weight_decay: 0.0 }
    }
}

/// ASGD's state: the step count, η, μ and the average A̅ (m × n).
#[derive(Debug, Clone, PartialEq)]
pub struct AsgdState {
    /// Steps taken so far.
    pub t: u64,
    /// η, the step size of the next step.
    pub eta: f64,
    /// μ, the averaging weight of the next step.
    pub mu: f64,
    /// A̅, the average of the iterates (torch's `ax`), m × n.
    pub ax: DMatrix<f64>,
}

impl AsgdState {
    /// The averaged iterate A̅ (torch's `state["ax"]`).
    pub fn average(&self) -> &DMatrix<f64> {
        &self.ax
    }
}

impl Asgd {
    /// Checks the hyper-parameters: `learning_rate` and `weight_decay` ≥ 0 as `torch.optim.ASGD`
    /// does; beyond torch, every field finite, `lambd` and `alpha` ≥ 0 (a negative one makes
    /// the step size grow without bound).
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_nonneg("learning_rate", self.learning_rate)?;
        crate::checks::check_nonneg("lambd", self.lambd)?;
        crate::checks::check_nonneg("alpha", self.alpha)?;
        if !self.t0.is_finite() {
            return Err(("t0", format!("must be a finite number, got {}", Shown(self.t0))));
        }
        crate::checks::check_nonneg("weight_decay", self.weight_decay)
    }

    /// A fresh state for an m × n matrix: t = 0, η = lr, μ = 1, A̅ = 0.
    pub fn init(&self, shape: (usize, usize)) -> AsgdState {
        AsgdState { t: 0, eta: self.learning_rate, mu: 1.0, ax: DMatrix::zeros(shape.0, shape.1) }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` or the state's average is not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut AsgdState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        assert_eq!(state.ax.shape(), w.shape(), "state does not match the parameters");
        state.t += 1;
        let t = state.t as f64;
        let (lr, lambd, wd, eta, mu) = (self.learning_rate, self.lambd, self.weight_decay, state.eta, state.mu);
        let keep = 1.0 - lambd * eta;
        for ((w, &g), a) in w.iter_mut().zip(g.iter()).zip(state.ax.iter_mut()) {
            let g = if wd != 0.0 { g + wd * *w } else { g };
            *w *= keep;
            *w -= eta * g;
            if mu != 1.0 {
                *a += (*w - *a) * mu;
            } else {
                *a = *w;
            }
        }
        // (1 + λ·lr·t)^α through libm's pow (Python's float power): the same bits natively and in wasm.
        state.eta = lr / libm::pow(1.0 + lambd * lr * t, self.alpha);
        state.mu = 1.0 / (t - self.t0).max(1.0);
    }
}

const META: MethodMeta = MethodMeta {
    name: "asgd",
    label: "ASGD",
    family: Family::Classical,
    about: "ASGD: gradient descent with a decaying step that also keeps an average of its iterates (the metrics are of the iterate)",
    rule: Rule { lines: &["w ← w (1 − λ η_{t}) − η_{t} g", "a ← a + μ_{t} (w − a)", "η_{t} = frac{η}{(1 + λ η t)^{α}}"], source: "torch.optim.ASGD; Polyak & Juditsky 1992" },
    // Scalar decay and step, a linear average: a rotated run is the rotation of the run.
    equivariant: true,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "lambd", label: "λ (decay)", range: "≥ 0" }, HyperParam { name: "alpha", label: "α (power)", range: "≥ 0" }, HyperParam { name: "t0", label: "t₀ (averaging starts)", range: "finite" }, HyperParam::WEIGHT_DECAY],
};

crate::per_matrix_method!(Asgd, AsgdState, META, [learning_rate, lambd, alpha, t0, weight_decay], NUMPY);

/// `asgd`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class asgd:
    """w ← w·(1 − λη_t) − η_t·g; a ← a + μ_t(w − a); η_{t+1} = lr/(1 + λ·lr·t)^α, μ_{t+1} = 1/max(1, t − t₀).
    The metrics are of the iterate w, not of the average a. torch.optim.ASGD; Polyak & Juditsky 1992."""

    def __init__(self, hp, shape):
        self.hp, self.t, self.eta, self.mu, self.ax = hp, 0, hp["learning_rate"], 1.0, np.zeros(shape)

    def update(self, w, g):
        hp = self.hp
        lr, lambd, alpha, t0, wd = hp["learning_rate"], hp["lambd"], hp["alpha"], hp["t0"], hp["weight_decay"]
        self.t += 1
        t = float(self.t)
        if wd != 0:
            g = g + wd * w
        w = w * (1 - lambd * self.eta)
        w = w - self.eta * g
        self.ax = self.ax + (w - self.ax) * self.mu if self.mu != 1 else w.copy()
        self.eta = lr / (1 + lambd * lr * t) ** alpha
        self.mu = 1 / max(t - t0, 1.0)
        return w
"#;
