//! `lbfgs`: limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989), as `torch.optim.LBFGS` with
//! `max_iter=1`: one [`Lbfgs::step`] is one L-BFGS iteration, the history kept between steps.
//!
//! A solver rather than a gradient transformation: it evaluates the objective itself (its line
//! search, and the gradient at the start of every step), through a function returning f(x) and
//! ∇f(x). x is the flattened parameters (any fixed order: the method sees only vectors), g the
//! gradient at x, k = 1, 2, … the iteration. One step:
//!
//! 1. (f, g) ← f_and_grad(x); if max|gᵢ| ≤ `tolerance_grad`, stop here (x is optimal);
//! 2. direction d: −g at k = 1 (history cleared, H₀ = 1); later, with y = g − g_prev and
//!    s = t_prev·d_prev, the pair (s, y) joins the history if yᵀs > 1e-10 (the oldest dropped
//!    past `history_size`; H₀ ← yᵀs/yᵀy), and d = −H g by the two-loop recursion over the
//!    history with H₀·I in the middle;
//! 3. t ← min(1, 1/‖g‖₁)·lr at k = 1, lr later; if gᵀd > −`tolerance_change`, stop here (not a
//!    descent direction);
//! 4. `line_search` `"none"`: x ← x + t·d; `"strong_wolfe"`: t from torch's `_strong_wolfe`
//!    (c₁ = 1e-4, c₂ = 0.9, at most 25 evaluations, bracket tolerance 1e-9: cubic interpolation,
//!    bracketing, then zoom), x ← x + t·d.

use serde::{Deserialize, Serialize};

/// The objective: f(x) and ∇f(x) (as long as x) at x.
pub type Objective<'a> = dyn FnMut(&[f64]) -> (f64, Vec<f64>) + 'a;

/// The line search of [`Lbfgs`] (torch's `line_search_fn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LineSearch {
    /// A fixed step t = lr (the first scaled by min(1, 1/‖g‖₁)); torch's `None`.
    #[default]
    None,
    /// torch's `"strong_wolfe"`.
    StrongWolfe,
}

/// `torch.optim.LBFGS` hyper-parameters (torch's defaults; `max_iter` is 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Lbfgs {
    /// lr: the step t, or the line search's first trial, ≥ 0 (default 1).
    pub learning_rate: f64,
    /// Pairs (s, y) kept, ≥ 1 (default 100).
    pub history_size: usize,
    /// `"none"` (default) or `"strong_wolfe"`.
    pub line_search: LineSearch,
    /// A step stops before moving when max|gᵢ| ≤ this, ≥ 0 (default 1e-7).
    pub tolerance_grad: f64,
    /// A step stops before moving when gᵀd > −this, ≥ 0 (default 1e-9).
    pub tolerance_change: f64,
}

impl Default for Lbfgs {
    fn default() -> Self {
        Lbfgs { learning_rate: 1.0, history_size: 100, line_search: LineSearch::None, tolerance_grad: 1e-7, tolerance_change: 1e-9 }
    }
}

/// L-BFGS's state (torch's `state`).
#[derive(Debug, Clone, PartialEq)]
pub struct LbfgsState {
    /// Iterations taken so far (torch's `n_iter`; a step that stops at step 1 does not count).
    pub t: u64,
    /// Evaluations of the objective so far (torch's `func_evals`).
    pub func_evals: u64,
    /// The last direction d.
    pub d: Vec<f64>,
    /// The last step length t.
    pub step: f64,
    /// The history's y's, oldest first.
    pub old_dirs: Vec<Vec<f64>>,
    /// The history's s's, oldest first.
    pub old_stps: Vec<Vec<f64>>,
    /// 1/(yᵀs) of each pair.
    pub ro: Vec<f64>,
    /// H₀'s scale yᵀs/yᵀy.
    pub h_diag: f64,
    /// The gradient at the start of the last iteration.
    pub prev_flat_grad: Vec<f64>,
    /// The objective at the start of the last iteration.
    pub prev_loss: f64,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn amax(a: &[f64]) -> f64 {
    // torch's abs().max(): NaN if any entry is NaN.
    a.iter().fold(0.0f64, |m, &x| if x.is_nan() || m.is_nan() { f64::NAN } else { m.max(x.abs()) })
}

/// Python's `max(a, b)`: b only if b > a.
fn py_max(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// Python's `min(a, b)`: b only if b < a.
fn py_min(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// torch's `_cubic_interpolate`: the minimiser of the cubic through (x₁, f₁, g₁), (x₂, f₂, g₂),
/// clamped to `bounds` (default the interval between x₁ and x₂); its midpoint when the cubic
/// has no minimum.
fn cubic_interpolate(x1: f64, f1: f64, g1: f64, x2: f64, f2: f64, g2: f64, bounds: Option<(f64, f64)>) -> f64 {
    let (lo, hi) = bounds.unwrap_or(if x1 <= x2 { (x1, x2) } else { (x2, x1) });
    let d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
    let d2_square = d1 * d1 - g1 * g2;
    if d2_square >= 0.0 {
        let d2 = d2_square.sqrt();
        let min_pos = if x1 <= x2 {
            x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
        } else {
            x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2))
        };
        py_min(py_max(min_pos, lo), hi)
    } else {
        (lo + hi) / 2.0
    }
}

/// x + t·d.
fn along(x: &[f64], t: f64, d: &[f64]) -> Vec<f64> {
    x.iter().zip(d).map(|(x, d)| x + t * d).collect()
}

/// torch's `_strong_wolfe` with its defaults (c₁ = 1e-4, c₂ = 0.9, tolerance 1e-9, 25
/// evaluations): (f, g, t, evaluations) at the accepted step.
#[allow(clippy::too_many_arguments)]
fn strong_wolfe(
    obj: &mut Objective,
    x: &[f64],
    mut t: f64,
    d: &[f64],
    f: f64,
    g: &[f64],
    gtd: f64,
) -> (f64, Vec<f64>, f64, u64) {
    const C1: f64 = 1e-4;
    const C2: f64 = 0.9;
    const TOLERANCE_CHANGE: f64 = 1e-9;
    const MAX_LS: u64 = 25;
    let d_norm = amax(d);
    let (mut f_new, mut g_new) = obj(&along(x, t, d));
    let mut evals = 1;
    let mut gtd_new = dot(&g_new, d);
    let (mut t_prev, mut f_prev, mut g_prev, mut gtd_prev) = (0.0, f, g.to_vec(), gtd);
    let mut done = false;
    let mut ls_iter = 0;
    let mut bracket: Vec<f64> = Vec::new();
    let mut bracket_f: Vec<f64> = Vec::new();
    let mut bracket_g: Vec<Vec<f64>> = Vec::new();
    let mut bracket_gtd: Vec<f64> = Vec::new();
    while ls_iter < MAX_LS {
        if f_new > f + C1 * t * gtd || (ls_iter > 1 && f_new >= f_prev) {
            bracket = vec![t_prev, t];
            bracket_f = vec![f_prev, f_new];
            bracket_g = vec![g_prev.clone(), g_new.clone()];
            bracket_gtd = vec![gtd_prev, gtd_new];
            break;
        }
        if gtd_new.abs() <= -C2 * gtd {
            bracket = vec![t];
            bracket_f = vec![f_new];
            bracket_g = vec![g_new.clone()];
            done = true;
            break;
        }
        if gtd_new >= 0.0 {
            bracket = vec![t_prev, t];
            bracket_f = vec![f_prev, f_new];
            bracket_g = vec![g_prev.clone(), g_new.clone()];
            bracket_gtd = vec![gtd_prev, gtd_new];
            break;
        }
        let min_step = t + 0.01 * (t - t_prev);
        let max_step = t * 10.0;
        let tmp = t;
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, Some((min_step, max_step)));
        t_prev = tmp;
        f_prev = f_new;
        g_prev = g_new.clone();
        gtd_prev = gtd_new;
        (f_new, g_new) = obj(&along(x, t, d));
        evals += 1;
        gtd_new = dot(&g_new, d);
        ls_iter += 1;
    }
    if ls_iter == MAX_LS {
        bracket = vec![0.0, t];
        bracket_f = vec![f, f_new];
        bracket_g = vec![g.to_vec(), g_new.clone()];
    }
    let mut insuf_progress = false;
    let (mut low, mut high) = if bracket_f[0] <= bracket_f[bracket_f.len() - 1] { (0, 1) } else { (1, 0) };
    while !done && ls_iter < MAX_LS {
        if (bracket[1] - bracket[0]).abs() * d_norm < TOLERANCE_CHANGE {
            break;
        }
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1], None);
        let (b_max, b_min) = (py_max(bracket[0], bracket[1]), py_min(bracket[0], bracket[1]));
        let eps = 0.1 * (b_max - b_min);
        if py_min(b_max - t, t - b_min) < eps {
            if insuf_progress || t >= b_max || t <= b_min {
                t = if (t - b_max).abs() < (t - b_min).abs() { b_max - eps } else { b_min + eps };
                insuf_progress = false;
            } else {
                insuf_progress = true;
            }
        } else {
            insuf_progress = false;
        }
        (f_new, g_new) = obj(&along(x, t, d));
        evals += 1;
        gtd_new = dot(&g_new, d);
        ls_iter += 1;
        if f_new > f + C1 * t * gtd || f_new >= bracket_f[low] {
            bracket[high] = t;
            bracket_f[high] = f_new;
            bracket_g[high] = g_new.clone();
            bracket_gtd[high] = gtd_new;
            (low, high) = if bracket_f[0] <= bracket_f[1] { (0, 1) } else { (1, 0) };
        } else {
            if gtd_new.abs() <= -C2 * gtd {
                done = true;
            } else if gtd_new * (bracket[high] - bracket[low]) >= 0.0 {
                bracket[high] = bracket[low];
                bracket_f[high] = bracket_f[low];
                bracket_g[high] = bracket_g[low].clone();
                bracket_gtd[high] = bracket_gtd[low];
            }
            bracket[low] = t;
            bracket_f[low] = f_new;
            bracket_g[low] = g_new.clone();
            bracket_gtd[low] = gtd_new;
        }
    }
    (bracket_f[low], std::mem::take(&mut bracket_g[low]), bracket[low], evals)
}

impl Lbfgs {
    /// Checks the hyper-parameters: `learning_rate` ≥ 0 as `torch.optim.LBFGS` does; beyond
    /// torch, `history_size` ≥ 1 (torch fails on 0 at its second iteration) and finite
    /// tolerances ≥ 0.
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_nonneg("learning_rate", self.learning_rate)?;
        if self.history_size == 0 {
            return Err(("history_size", "must be at least 1, got 0".into()));
        }
        crate::checks::check_nonneg("tolerance_grad", self.tolerance_grad)?;
        crate::checks::check_nonneg("tolerance_change", self.tolerance_change)
    }

    /// A fresh state for `len` parameters: no iteration, no history.
    pub fn init(&self, len: usize) -> LbfgsState {
        LbfgsState {
            t: 0,
            func_evals: 0,
            d: vec![0.0; len],
            step: 0.0,
            old_dirs: Vec::new(),
            old_stps: Vec::new(),
            ro: Vec::new(),
            h_diag: 1.0,
            prev_flat_grad: vec![0.0; len],
            prev_loss: f64::NAN,
        }
    }

    /// One L-BFGS iteration on `x` (torch's `step` with `max_iter=1`), calling `f_and_grad`
    /// for f and ∇f (same length as `x`); returns f at `x` as it was on entry.
    ///
    /// # Panics
    /// If the state or a gradient does not match `x` in length.
    pub fn step(&self, x: &mut [f64], state: &mut LbfgsState, f_and_grad: &mut Objective) -> f64 {
        let n = x.len();
        assert!(state.d.len() == n && state.prev_flat_grad.len() == n, "state does not match the parameters");
        let (loss, g) = f_and_grad(x);
        assert_eq!(g.len(), n, "gradient and parameters differ in length");
        state.func_evals += 1;
        if amax(&g) <= self.tolerance_grad {
            return loss;
        }
        state.t += 1;
        if state.t == 1 {
            state.d = g.iter().map(|g| -g).collect();
            state.old_dirs.clear();
            state.old_stps.clear();
            state.ro.clear();
            state.h_diag = 1.0;
        } else {
            let y: Vec<f64> = g.iter().zip(&state.prev_flat_grad).map(|(g, p)| g - p).collect();
            let s: Vec<f64> = state.d.iter().map(|d| d * state.step).collect();
            let ys = dot(&y, &s);
            if ys > 1e-10 {
                if state.old_dirs.len() == self.history_size {
                    state.old_dirs.remove(0);
                    state.old_stps.remove(0);
                    state.ro.remove(0);
                }
                state.h_diag = ys / dot(&y, &y);
                state.old_dirs.push(y);
                state.old_stps.push(s);
                state.ro.push(1.0 / ys);
            }
            let k = state.old_dirs.len();
            let mut al = vec![0.0; k];
            let mut q: Vec<f64> = g.iter().map(|g| -g).collect();
            for i in (0..k).rev() {
                al[i] = dot(&state.old_stps[i], &q) * state.ro[i];
                for (q, y) in q.iter_mut().zip(&state.old_dirs[i]) {
                    *q += -al[i] * y;
                }
            }
            let mut r: Vec<f64> = q.iter().map(|q| q * state.h_diag).collect();
            for (((y, s), ro), al) in state.old_dirs.iter().zip(&state.old_stps).zip(&state.ro).zip(&al) {
                let be_i = dot(y, &r) * ro;
                for (r, s) in r.iter_mut().zip(s) {
                    *r += (al - be_i) * s;
                }
            }
            state.d = r;
        }
        state.prev_flat_grad.copy_from_slice(&g);
        state.prev_loss = loss;
        let mut t = if state.t == 1 {
            let l1: f64 = g.iter().map(|g| g.abs()).sum();
            py_min(1.0, 1.0 / l1) * self.learning_rate
        } else {
            self.learning_rate
        };
        let gtd = dot(&g, &state.d);
        if gtd > -self.tolerance_change {
            state.step = t;
            return loss;
        }
        if self.line_search == LineSearch::StrongWolfe {
            let (_, _, t_found, evals) = strong_wolfe(f_and_grad, x, t, &state.d, loss, &g, gtd);
            t = t_found;
            state.func_evals += evals;
        }
        for (x, d) in x.iter_mut().zip(&state.d) {
            *x += t * d;
        }
        state.step = t;
        loss
    }
}
