//! `schedule_free_adamw`: schedule-free AdamW (Defazio et al. 2024, "The road less
//! scheduled"), as `optax.contrib.schedule_free_adamw` (no warm-up; `schedulefree`'s
//! `AdamWScheduleFree` with warm-up 0 and r = 0 agrees).
//!
//! W is one m × n matrix (nalgebra, column-major), t = 1, 2, … the step count. The method keeps
//! three points: z (the base optimizer's iterate), x (the average of the z's: the evaluation
//! point) and y = β₁·x + (1 − β₁)·z, where the gradient G is taken. At first x = y = z = W.
//! One step, from G at y:
//!
//! 1. lr_max ← max(lr_max, lr), w_t ← lr_max^`weight_lr_power`, c ← w_t / Σ_{s≤t} w_s (1/t for
//!    a constant lr; 0 while every weight is 0);
//! 2. V ← β₂·V + (1 − β₂)·G², V̂ ← V/(1 − β₂ᵗ) (V₀ = 0);
//! 3. z ← z − lr·(G/(√V̂ + eps) + weight_decay·y) (Adam without momentum, decoupled decay at y);
//! 4. x ← (1 − c)·x + c·z, with x recomputed from y and the old z as (y − (1 − β₁)·z)/β₁, as optax;
//! 5. y ← β₁·x + (1 − β₁)·z.
//!
//! `update` leaves y in `w` (the point where the next gradient is taken, the golden
//! trajectories' `expected`); the metrics and pictures of a run are those of x,
//! [`ScheduleFreeAdamwState::x`] (the golden `expected_eval`).

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

use crate::checks::check_unit;
use crate::checks::Shown;

/// `optax.contrib.schedule_free_adamw` hyper-parameters (optax's defaults, without warm-up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScheduleFreeAdamw {
    /// Step size lr of z, ≥ 0 (default 0.0025).
    pub learning_rate: f64,
    /// Interpolation β₁ between x and z in y, 0 < β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// Decay β₂ of the second moment, 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// Added to √V̂, outside the root, ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Decoupled weight decay, at y, ≥ 0 (default 0).
    pub weight_decay: f64,
    /// The power of the largest learning rate so far in the averaging weights, ≥ 0 (default 2).
    pub weight_lr_power: f64,
}

impl Default for ScheduleFreeAdamw {
    fn default() -> Self {
        ScheduleFreeAdamw { learning_rate: 2.5e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, weight_lr_power: 2.0 }
    }
}

/// Schedule-free AdamW's state (y itself is the parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleFreeAdamwState {
    /// Steps taken so far.
    pub t: u64,
    /// The largest learning rate so far.
    pub max_lr: f64,
    /// Σ w_s, the sum of the averaging weights so far.
    pub weight_sum: f64,
    /// V, the second moment, m × n.
    pub exp_avg_sq: DMatrix<f64>,
    /// z, m × n (W at first: taken by the first `update`).
    pub z: DMatrix<f64>,
    /// x, the evaluation point, m × n (W at first: taken by the first `update`).
    pub x: DMatrix<f64>,
}

impl ScheduleFreeAdamwState {
    /// x, the evaluation point (`optax.contrib.schedule_free_eval_params`): the parameters
    /// whose loss and metrics a run reports. Before the first step, zeros (x = W then).
    pub fn x(&self) -> &DMatrix<f64> {
        &self.x
    }

    /// z, the base optimizer's iterate.
    pub fn z(&self) -> &DMatrix<f64> {
        &self.z
    }
}

impl ScheduleFreeAdamw {
    /// Checks the hyper-parameters (finite; β₁ > 0, as optax needs).
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        crate::checks::check_nonneg("learning_rate", self.learning_rate)?;
        if !(self.beta1 > 0.0 && self.beta1 < 1.0) {
            return Err(("beta1", format!("must be in (0, 1), got {}", Shown(self.beta1))));
        }
        check_unit("beta2", self.beta2)?;
        crate::checks::check_nonneg("eps", self.eps)?;
        crate::checks::check_nonneg("weight_decay", self.weight_decay)?;
        crate::checks::check_nonneg("weight_lr_power", self.weight_lr_power)
    }

    /// A fresh state for an m × n matrix: t = 0, V = 0 (z and x are taken from W by the first
    /// `update`).
    pub fn init(&self, shape: (usize, usize)) -> ScheduleFreeAdamwState {
        let zeros = || DMatrix::zeros(shape.0, shape.1);
        ScheduleFreeAdamwState { t: 0, max_lr: 0.0, weight_sum: 0.0, exp_avg_sq: zeros(), z: zeros(), x: zeros() }
    }

    /// One step: `w` holds y (m × n), `g` the gradient at y; leaves the new y in `w` and the
    /// new x in the state.
    ///
    /// # Panics
    /// If `g` or the state's buffers are not the shape of `w`.
    pub fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut ScheduleFreeAdamwState) {
        assert_eq!(w.shape(), g.shape(), "gradient and parameters differ in shape");
        assert!(
            [&state.exp_avg_sq, &state.z, &state.x].iter().all(|b| b.shape() == w.shape()),
            "state does not match the parameters"
        );
        if state.t == 0 {
            state.z.copy_from(&*w);
            state.x.copy_from(&*w);
        }
        state.t += 1;
        let (lr, b1, b2, eps, wd) = (self.learning_rate, self.beta1, self.beta2, self.eps, self.weight_decay);
        state.max_lr = state.max_lr.max(lr);
        // Powers through libm's pow: the same bits natively and in wasm.
        let weight = libm::pow(state.max_lr, self.weight_lr_power);
        let total = state.weight_sum + weight;
        state.weight_sum = total;
        let ck = if weight.is_nan() || total.is_nan() {
            f64::NAN
        } else {
            // jnp.nan_to_num(…, nan=0, posinf=inf): 0/0 is 0.
            let c = weight / total;
            if c.is_nan() { 0.0 } else { c }
        };
        let bc2 = 1.0 - libm::pow(b2, state.t as f64);
        for ((((y, &g), v), z), x) in w
            .iter_mut()
            .zip(g.iter())
            .zip(state.exp_avg_sq.iter_mut())
            .zip(state.z.iter_mut())
            .zip(state.x.iter_mut())
        {
            *v = (1.0 - b2) * (g * g) + b2 * *v;
            let scaled = g * (1.0 / ((*v / bc2).sqrt() + eps));
            let u = -lr * (scaled + wd * *y);
            let prev_x = (*y - (1.0 - b1) * *z) / b1;
            *z += u;
            *x = (1.0 - ck) * prev_x + ck * *z;
            let new_y = b1 * *x + (1.0 - b1) * *z;
            // optax's apply_updates: y + (new y − y).
            *y += new_y - *y;
        }
    }
}
