//! `muon`: momentum orthogonalised by a Newton–Schulz iteration, `torch.optim.Muon`
//! (Jordan et al. 2024), with its Newton–Schulz loop in float64 (torch runs it in bfloat16).
//!
//! W is one m × n matrix (nalgebra, column-major), G its gradient, B the momentum buffer
//! (B₀ = 0), μ = `momentum`, (a, b, c) = `ns_coefficients`. One step:
//!
//! 1. B ← lerp(B, G, 1 − μ) = μ·B + (1 − μ)·G;
//! 2. M ← lerp(G, B, μ) = (1 − μ)·G + μ·B with `nesterov`, else M ← B;
//! 3. X ← M (Mᵀ when m > n, so that X is wide: r × s with r = min(m, n)), X ← X / max(‖X‖_F, eps),
//!    then `ns_steps` times: A ← X Xᵀ (r × r), X ← a·X + (b·A + c·A²)·X; O ← X (transposed back
//!    when m > n), about U Vᵀ for M = U Σ Vᵀ;
//! 4. W ← W·(1 − lr·weight_decay) − lr′·O, with lr′ = lr·√max(1, m/n) (`adjust_lr_fn: "original"`)
//!    or lr′ = 0.2·lr·√max(m, n) (`"match_rms_adamw"`); the decay uses lr itself.
//!
//! The lerps are torch's (`a + w·(b − a)` for |w| < 0.5, else `b − (b − a)·(1 − w)`), so the
//! buffers round as torch's do. The matrix products have a fixed order of summation
//! ([`crate::linalg::gemm`]): the same bits natively and in WebAssembly.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::checks::Shown;
use crate::method::{Family, HyperParam, MethodMeta, Rule};
use crate::linalg::product;

/// How the learning rate is scaled by the matrix's shape (`torch.optim.Muon`'s `adjust_lr_fn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustLr {
    /// lr·√max(1, m/n) (Keller Jordan's original; torch's default).
    Original,
    /// lr·0.2·√max(m, n): an update of about AdamW's RMS (Liu et al. 2025, "Muon is scalable").
    MatchRmsAdamw,
}

crate::serde_hyper_value!(AdjustLr);

/// `torch.optim.Muon` hyper-parameters (torch's defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Muon {
    /// Step size lr, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// Momentum μ, 0 ≤ μ < 1 (default 0.95).
    pub momentum: f64,
    /// Nesterov momentum: orthogonalise (1 − μ)·G + μ·B rather than B (default true).
    pub nesterov: bool,
    /// Decoupled weight decay: W ← W·(1 − lr·weight_decay) each step, ≥ 0 (default 0.1).
    pub weight_decay: f64,
    /// (a, b, c) of the quintic Newton–Schulz step X ← a·X + (b·A + c·A²)·X, three finite
    /// numbers (default [3.4445, −4.775, 2.0315]).
    pub ns_coefficients: Vec<f64>,
    /// Newton–Schulz iterations, < 100 (default 5).
    pub ns_steps: u32,
    /// Floor of the Frobenius norm the input is divided by, ≥ 0 (default 1e-7).
    pub eps: f64,
    /// Shape scaling of the learning rate (default `"original"`).
    pub adjust_lr_fn: AdjustLr,
}

impl Default for Muon {
    fn default() -> Self {
        Muon {
            learning_rate: 1e-3,
            momentum: 0.95,
            nesterov: true,
            weight_decay: 0.1,
            ns_coefficients: vec![3.4445, -4.775, 2.0315],
            ns_steps: 5,
            eps: 1e-7,
            adjust_lr_fn: AdjustLr::Original,
        }
    }
}

/// Muon's state: the step count and the momentum buffer B (m × n).
#[derive(Debug, Clone, PartialEq)]
pub struct MuonState {
    /// Steps taken so far.
    pub t: u64,
    /// B, m × n.
    pub momentum_buffer: DMatrix<f64>,
}

/// torch's `lerp`: a + w·(b − a) for |w| < 0.5, else b − (b − a)·(1 − w).
#[inline]
fn lerp(a: f64, b: f64, w: f64) -> f64 {
    if w.abs() < 0.5 { a + w * (b - a) } else { b - (b - a) * (1.0 - w) }
}

/// The Newton–Schulz approximation of U Vᵀ for M = U Σ Vᵀ (torch's
/// `_zeropower_via_newtonschulz`, in float64).
pub fn newton_schulz(m: &DMatrix<f64>, coefficients: [f64; 3], steps: u32, eps: f64) -> DMatrix<f64> {
    let [a, b, c] = coefficients;
    let tall = m.nrows() > m.ncols();
    let mut x = if tall { m.transpose() } else { m.clone() };
    let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
    x /= norm.max(eps);
    for _ in 0..steps {
        let gram = product(&x, &x.transpose());
        let mut poly = product(&gram, &gram);
        poly.zip_apply(&gram, |p, g| *p = b * g + c * *p);
        let mut next = product(&poly, &x);
        next.zip_apply(&x, |n, x| *n += a * x);
        x = next;
    }
    if tall { x.transpose() } else { x }
}

impl Muon {
    /// Checks the hyper-parameters as `torch.optim.Muon` does (momentum also below 1).
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_lr(self.learning_rate)?;
        if !(0.0..1.0).contains(&self.momentum) {
            return Err(("momentum", format!("must be in [0, 1), got {}", Shown(self.momentum))));
        }
        if !self.weight_decay.is_finite() || self.weight_decay < 0.0 {
            return Err(("weight_decay", format!("must be a finite number >= 0, got {}", Shown(self.weight_decay))));
        }
        if self.ns_coefficients.len() != 3 {
            return Err(("ns_coefficients", format!("must be exactly 3 numbers (a, b, c), got {}", self.ns_coefficients.len())));
        }
        if let Some(&c) = self.ns_coefficients.iter().find(|c| !c.is_finite()) {
            return Err(("ns_coefficients", format!("must be finite numbers, got {}", Shown(c))));
        }
        if self.ns_steps >= 100 {
            return Err(("ns_steps", format!("must be less than 100, got {}", self.ns_steps)));
        }
        if !self.eps.is_finite() || self.eps < 0.0 {
            return Err(("eps", format!("must be a finite number >= 0, got {}", Shown(self.eps))));
        }
        Ok(())
    }

    /// A fresh state for an m × n matrix: t = 0, B = 0.
    pub fn init(&self, shape: (usize, usize)) -> MuonState {
        MuonState { t: 0, momentum_buffer: DMatrix::zeros(shape.0, shape.1) }
    }

    /// The learning rate lr′ of the orthogonalised step for an m × n matrix.
    pub fn adjusted_lr(&self, shape: (usize, usize)) -> f64 {
        let (m, n) = (shape.0 as f64, shape.1 as f64);
        match self.adjust_lr_fn {
            AdjustLr::Original => self.learning_rate * (m / n).max(1.0).sqrt(),
            AdjustLr::MatchRmsAdamw => self.learning_rate * (0.2 * m.max(n).sqrt()),
        }
    }

    /// One step on `w` (m × n) from the gradient `g` (m × n).
    ///
    /// # Panics
    /// If `g` or the state's buffer is not the shape of `w`, or `ns_coefficients` is not three
    /// numbers (`validate` first).
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut MuonState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        assert_eq!(state.momentum_buffer.shape(), w.shape(), "state does not match the parameters");
        state.t += 1;
        let mu = self.momentum;
        let one_minus_mu = 1.0 - mu;
        let buf = &mut state.momentum_buffer;
        buf.zip_apply(g, |b, g| *b = lerp(*b, g, one_minus_mu));
        let m = if self.nesterov { g.zip_map(&*buf, |g, b| lerp(g, b, mu)) } else { buf.clone() };
        let coefficients: [f64; 3] = self.ns_coefficients.as_slice().try_into().expect("ns_coefficients has three numbers");
        let o = newton_schulz(&m, coefficients, self.ns_steps, self.eps);
        let lr = self.adjusted_lr(w.shape());
        let keep = 1.0 - self.learning_rate * self.weight_decay;
        w.zip_apply(&o, |w, o| {
            *w *= keep;
            *w += -lr * o;
        });
    }
}

const META: MethodMeta = MethodMeta {
    name: "muon",
    label: "Muon",
    family: Family::Spectral,
    about: "Muon: momentum orthogonalised by Newton–Schulz, so every step has all singular values about equal; on this problem it does not recover at its default weight_decay 0.1 (the decoupled decay pulls W toward 0 and nothing in the scale-free penalty pushes back), weight_decay 0 recovers",
    rule: Rule { lines: &["B ← μ B + (1 − μ) G", "O ← NS_{5}((1 − μ) G + μ B) ≈ U V^{T}", "W ← W (1 − η λ) − η sqrt{max(1, m / n)} O"], source: "torch.optim.Muon; Jordan et al. 2024" },
    equivariant: true,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "momentum", label: "momentum", range: "[0, 1)" }, HyperParam { name: "nesterov", label: "Nesterov", range: "true or false" }, HyperParam::WEIGHT_DECAY, HyperParam { name: "ns_coefficients", label: "Newton–Schulz (a, b, c)", range: "3 finite numbers" }, HyperParam { name: "ns_steps", label: "Newton–Schulz steps", range: "0 to 99" }, HyperParam::EPS, HyperParam { name: "adjust_lr_fn", label: "learning-rate scaling", range: "original or match_rms_adamw" }],
};

crate::per_matrix_method!(Muon, MuonState, META, [learning_rate, momentum, nesterov, weight_decay, ns_coefficients, ns_steps, eps, adjust_lr_fn], NUMPY);

/// `muon`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"def newton_schulz(m, coefficients, steps, eps):
    """The quintic Newton–Schulz iteration toward U Vᵀ (Jordan et al. 2024), on the wide orientation.
    It amplifies rounding (about 3.4445⁵ ≈ 480 per call on small singular values), so its sums are
    taken in the core's order (`product`, `in_order_sum`)."""
    a, b, c = coefficients
    tall = m.shape[0] > m.shape[1]
    x = m.T.copy() if tall else m.copy()
    x = x / max(math.sqrt(in_order_sum(x * x)), eps)
    for _ in range(steps):
        gram = product(x, x.T)
        poly = b * gram + c * product(gram, gram)
        x = product(poly, x) + a * x
    return x.T if tall else x


class muon:
    """B ← μB + (1−μ)G; O ← NS((1−μ)G + μB) (Nesterov; else NS(B)) ≈ U Vᵀ;
    W ← W(1 − lr·wd) − lr'·O, lr' = lr·√max(1, rows/cols) ("original") or lr·0.2·√max(rows, cols).
    torch.optim.Muon; Jordan et al. 2024."""

    def __init__(self, hp, shape):
        self.hp, self.b = hp, np.zeros(shape)

    def update(self, w, g):
        hp = self.hp
        mu, lr = hp["momentum"], hp["learning_rate"]
        self.b = lerp(self.b, g, 1 - mu)
        m = lerp(g, self.b, mu) if hp["nesterov"] else self.b.copy()
        o = newton_schulz(m, hp["ns_coefficients"], hp["ns_steps"], hp["eps"])
        rows, cols = float(w.shape[0]), float(w.shape[1])
        if hp["adjust_lr_fn"] == "original":
            adjusted = lr * math.sqrt(max(rows / cols, 1.0))
        else:
            adjusted = lr * (0.2 * math.sqrt(max(rows, cols)))
        w = w * (1 - lr * hp["weight_decay"])
        return w + (-adjusted) * o
"#;
