//! Gradient flow dy/dt = −∇f(y) over the model's parameters y (W itself, or every factor of a
//! deep network), integrated by the Dormand–Prince 5(4) pair with the step size chosen by the
//! embedded error estimate: Dormand & Prince 1980; Hairer, Nørsett & Wanner, *Solving ODEs I*,
//! §II.4–5 (coefficients from Table II.5.2; the flow is autonomous, so the nodes c_i are not needed).

use serde::{Deserialize, Serialize};

use crate::checks::{check_pos, FieldError};
use crate::method::{Family, Hyper, HyperParam, Iterate, Kind, Landscape, MethodMeta, MethodState, Rule, Solver};

/// Gradient flow dW/dt = −∇f(W), integrated by Dormand–Prince 5(4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GradientFlow {
    /// Relative tolerance of the local error, > 0 (default 1e-4).
    pub rtol: f64,
    /// Absolute tolerance of the local error, in the units of W's entries (RMS 1 for a
    /// synthetic problem), > 0 (default 1e-4). It is what limits the step where entries are
    /// near 0 (the unobserved entries of the `observed` start): 1e-9 there would keep
    /// the step near 0.01 and the flow would reach t ≈ 30 in 3000 steps instead of ≈ 1e5.
    pub atol: f64,
}

impl Default for GradientFlow {
    fn default() -> Self {
        GradientFlow { rtol: 1e-4, atol: 1e-4 }
    }
}

const META: MethodMeta = MethodMeta {
    name: "gradient_flow",
    label: "Gradient flow",
    family: Family::Solver,
    about: "Gradient flow: the continuous path dW/dt = −∇f(W), followed by an adaptive ODE solver; no learning rate; shows its time t",
    rule: Rule { lines: &["frac{dW}{dt} = − ∇f(W)"], source: "Dormand & Prince 1980 (Dormand–Prince 5(4))" },
    equivariant: true,
    colour_slot: None,
    direct_only: false,
    tracks_time: true,
    hyper: &[HyperParam { name: "rtol", label: "rtol", range: "> 0" }, HyperParam { name: "atol", label: "atol", range: "> 0" }],
};

impl Hyper for GradientFlow {
    const META: &'static MethodMeta = &META;
    crate::hyper_fields!(rtol, atol);
    fn validate(&self) -> Result<(), FieldError> {
        check_pos("rtol", self.rtol)?;
        check_pos("atol", self.atol)
    }
    fn kind(&self) -> Kind<'_> {
        Kind::Solver(self)
    }
}

/// Gradient flow's state: the next trial step and the time reached.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowState {
    pub dt: f64,
    pub time: f64,
}

const DP_A: [[f64; 6]; 7] = [
    [0.0; 6],
    [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
    [19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0, 0.0, 0.0],
    [9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0, 0.0],
    [35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0],
];
/// 5th-order weights (= the last row of A: FSAL).
const DP_B: [f64; 7] = [35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0, 0.0];
/// 4th-order (embedded) weights.
const DP_B4: [f64; 7] =
    [5179.0 / 57600.0, 0.0, 7571.0 / 16695.0, 393.0 / 640.0, -92097.0 / 339200.0, 187.0 / 2100.0, 1.0 / 40.0];

impl Solver for GradientFlow {
    /// Initial trial step (Hairer et al. §II.4, a simplified starting-step heuristic):
    /// 0.01·‖y₀‖/‖y′₀‖, or 1e-6 when either is 0.
    fn init(&self, cx: &dyn Landscape, start: Iterate<'_>) -> Box<dyn MethodState> {
        let mut grad = vec![0.0; start.params.len()];
        if let Some(svd) = start.svd {
            let gw = cx.gradient(start.w, svd);
            cx.backprop(start.params, &gw, &mut grad);
        }
        let y = start.params.iter().map(|v| v * v).sum::<f64>().sqrt();
        let d = grad.iter().map(|v| v * v).sum::<f64>().sqrt();
        let dt = if y > 0.0 && d > 0.0 { 0.01 * y / d } else { 1e-6 };
        Box::new(FlowState { dt, time: 0.0 })
    }

    /// One accepted step of dy/dt = −∇(y) from `at.params`.
    ///
    /// # Errors
    /// A non-finite gradient, or a step size that underflows.
    fn step(&self, cx: &dyn Landscape, at: Iterate<'_>, state: &mut dyn MethodState, next: &mut [f64]) -> Result<(), String> {
        let FlowState { dt, time } = state.as_any_mut().downcast_mut::<FlowState>().ok_or("solver state mismatch")?;
        let y = at.params;
        let k1: Vec<f64> = cx.param_gradient(y)?.iter().map(|v| -v).collect();
        let n = y.len();
        let mut k: Vec<Vec<f64>> = vec![k1];
        let mut stage = vec![0.0; n];
        for _ in 0..60 {
            let h = *dt;
            k.truncate(1);
            for a in &DP_A[1..] {
                for i in 0..n {
                    let mut acc = 0.0;
                    for (j, kj) in k.iter().enumerate() {
                        acc += a[j] * kj[i];
                    }
                    stage[i] = y[i] + h * acc;
                }
                let g = cx.param_gradient(&stage)?;
                k.push(g.into_iter().map(|v| -v).collect());
            }
            // y5 is stage 7's point (FSAL); the error is h·Σ (b − b̂)·k.
            let mut err_sq = 0.0;
            for i in 0..n {
                let mut e = 0.0;
                for s in 0..7 {
                    e += (DP_B[s] - DP_B4[s]) * k[s][i];
                }
                let sc = self.atol + self.rtol * y[i].abs().max(stage[i].abs());
                let ratio = h * e / sc;
                err_sq += ratio * ratio;
            }
            let err = (err_sq / n.max(1) as f64).sqrt();
            if !err.is_finite() {
                *dt = h * 0.2;
            } else {
                // Step-size control with safety 0.9 and factors in [0.2, 5].
                let factor = if err == 0.0 { 5.0 } else { (0.9 * libm::pow(err, -0.2)).clamp(0.2, 5.0) };
                if err <= 1.0 {
                    *time += h;
                    *dt = h * factor;
                    next.copy_from_slice(&stage);
                    return Ok(());
                }
                *dt = h * factor.min(1.0);
            }
            if dt.is_nan() || *dt <= 1e-300 {
                return Err(format!("the step size underflowed at t = {time:e}"));
            }
        }
        Err(format!("no step was accepted after 60 tries at t = {time:e}"))
    }

    fn time(&self, state: &dyn MethodState) -> Option<f64> {
        state.as_any().downcast_ref::<FlowState>().map(|s| s.time)
    }
}
