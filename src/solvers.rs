//! Methods that step the m × n matrix W themselves rather than transform a gradient:
//! Newton's method, gradient flow, alternating least squares and SoftImpute. Each runs on
//! the direct parameterization (gradient flow also on a deep network's factors: see
//! [`crate::lab`]).
//!
//! | name | one step | source |
//! | --- | --- | --- |
//! | `newton` | solve (∇²f(W) + μI)·d = −∇f(W) by conjugate gradients (Hessian–vector products by central differences of the analytic gradient); accept W + d only if f decreases, else raise μ and retry (Levenberg–Marquardt) | Nocedal & Wright 2006, §7.1 (Newton–CG) and §10.3 (LM) |
//! | `gradient_flow` | one accepted step of dW/dt = −∇f(W) by the Dormand–Prince 5(4) pair, step size chosen by the embedded error estimate | Dormand & Prince 1980; Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.4–5 |
//! | `als` | W = U Vᵀ (U m×k, V n×k): each row of U, then of V, by ridge regression on its observed entries | Hastie et al. 2015, *Matrix completion and low-rank SVD via fast ALS* |
//! | `soft_impute` | W ← S_τ(P_Ω(Y) + P_Ωᶜ(W)), S_τ soft-thresholding the singular values by τ | Mazumder, Hastie & Tibshirani 2010, Algorithm 1 |
//!
//! `als` and `soft_impute` minimise their own objectives (ridge-regularised fit; fit + τ‖W‖_*);
//! they are drawn beside the others with the lab's metrics.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::config::Shown;
use crate::optim::check_nonneg;
use crate::objective::{Objective, Svd};
use crate::problem::Problem;

fn check_pos(field: &'static str, v: f64) -> Result<(), (&'static str, String)> {
    if !v.is_finite() || v <= 0.0 {
        return Err((field, format!("must be a finite number > 0, got {}", Shown(v))));
    }
    Ok(())
}


/// Newton's method with Levenberg–Marquardt damping, by conjugate gradients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Newton {
    /// Initial damping μ₀, relative to the objective's scale c (μ = damping·c), > 0 (default 1e-4).
    /// μ then adapts: ÷3 after a step that did as well as its model predicted, ×2 after a poor
    /// one, ×4 and retry after a step that would have increased f.
    pub damping: f64,
    /// Most conjugate-gradient iterations per step, 1 to 1000 (default 30).
    pub max_cg: usize,
}

impl Default for Newton {
    fn default() -> Self {
        Newton { damping: 1e-4, max_cg: 30 }
    }
}

impl Newton {
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        check_pos("damping", self.damping)?;
        if self.max_cg == 0 || self.max_cg > 1000 {
            return Err(("max_cg", format!("must be between 1 and 1000, got {}", self.max_cg)));
        }
        Ok(())
    }
}

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

impl GradientFlow {
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        check_pos("rtol", self.rtol)?;
        check_pos("atol", self.atol)
    }
}

/// Alternating least squares on W = U Vᵀ of rank k.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Als {
    /// k, the factorization's rank, 1 to min(m, n) (default 2).
    pub rank: usize,
    /// Ridge term μ ≥ 0 added to each row's normal equations (default 1e-3).
    pub ridge: f64,
}

impl Default for Als {
    fn default() -> Self {
        Als { rank: 2, ridge: 1e-3 }
    }
}

impl Als {
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.rank == 0 {
            return Err(("rank", "must be at least 1".into()));
        }
        check_nonneg("ridge", self.ridge)
    }
}

/// SoftImpute: singular-value soft-thresholding of the filled-in matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SoftImpute {
    /// τ ≥ 0, subtracted from every singular value (default 1).
    pub threshold: f64,
}

impl Default for SoftImpute {
    fn default() -> Self {
        SoftImpute { threshold: 1.0 }
    }
}

impl SoftImpute {
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        check_nonneg("threshold", self.threshold)
    }
}

/// A solver's state between steps.
#[derive(Debug, Clone, PartialEq)]
pub enum SolverState {
    None,
    /// Newton's current damping μ.
    Newton { mu: f64 },
    /// Gradient flow's next trial step and the time reached.
    Flow { dt: f64, time: f64 },
    /// ALS's factors U (m × k) and V (n × k).
    Als { u: DMatrix<f64>, v: DMatrix<f64> },
}

fn dot(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    a.iter().zip(b.iter()).map(|(x, y)| x * y).sum()
}

// ---------------------------------------------------------------------------------------------
// Newton

impl Newton {
    pub fn init(&self, objective: &Objective) -> SolverState {
        SolverState::Newton { mu: self.damping * objective.scale }
    }

    /// One damped Newton step from `w` (whose value and gradient are given).
    ///
    /// # Errors
    /// A non-finite gradient or Hessian–vector product.
    pub fn step(
        &self,
        problem: &Problem,
        objective: &Objective,
        w: &DMatrix<f64>,
        f: f64,
        g: &DMatrix<f64>,
        state: &mut SolverState,
    ) -> Result<DMatrix<f64>, String> {
        let SolverState::Newton { mu } = state else { return Err("solver state mismatch".into()) };
        let gnorm = g.norm();
        if gnorm == 0.0 {
            return Ok(w.clone());
        }
        let grad_at = |x: &DMatrix<f64>| -> Result<DMatrix<f64>, String> {
            let svd = Svd::fast(x).ok_or("the SVD did not converge inside a Hessian–vector product")?;
            Ok(objective.gradient(problem, x, &svd))
        };
        // Hv by central differences of the analytic gradient.
        let hvp = |v: &DMatrix<f64>| -> Result<DMatrix<f64>, String> {
            let vn = v.norm();
            if vn == 0.0 {
                return Ok(DMatrix::zeros(v.nrows(), v.ncols()));
            }
            let h = f64::EPSILON.sqrt() * (1.0 + w.norm()) / vn;
            let plus = grad_at(&(w + v * h))?;
            let minus = grad_at(&(w - v * h))?;
            let hv = (plus - minus) / (2.0 * h);
            if hv.iter().all(|x| x.is_finite()) { Ok(hv) } else { Err("a Hessian–vector product became non-finite".into()) }
        };
        for _attempt in 0..30 {
            // CG on (H + μI) d = −g; stop at negative curvature (keeping the iterate so far).
            let mut d = DMatrix::zeros(w.nrows(), w.ncols());
            let mut r = -g;
            let mut p = r.clone();
            let mut rr = dot(&r, &r);
            let mut curvature_hit = false;
            for _ in 0..self.max_cg {
                let ap = hvp(&p)? + &p * *mu;
                let pap = dot(&p, &ap);
                if pap <= 0.0 {
                    curvature_hit = true;
                    break;
                }
                let alpha = rr / pap;
                d += &p * alpha;
                r -= &ap * alpha;
                let rr_new = dot(&r, &r);
                if rr_new.sqrt() <= 1e-6 * gnorm {
                    break;
                }
                p = &r + &p * (rr_new / rr);
                rr = rr_new;
            }
            if d.norm() == 0.0 {
                // Negative curvature at once: more damping.
                if curvature_hit {
                    *mu *= 10.0;
                    continue;
                }
                return Ok(w.clone());
            }
            // The model's predicted decrease: −gᵀd − ½dᵀ(H)d ≈ −½gᵀd + ½μ‖d‖² … use (H+μI)d ≈ −g.
            let gd = dot(g, &d);
            let predicted = -0.5 * gd + 0.5 * *mu * dot(&d, &d);
            let candidate = w + &d;
            let Some(svd) = Svd::fast(&candidate) else {
                *mu *= 4.0;
                continue;
            };
            let f_new = objective.value(problem, &candidate, &svd);
            if f_new.is_finite() && f_new < f {
                let rho = (f - f_new) / predicted.max(f64::MIN_POSITIVE);
                if rho > 0.75 {
                    *mu /= 3.0;
                } else if rho < 0.25 {
                    *mu *= 2.0;
                }
                *mu = mu.max(1e-15 * objective.scale);
                return Ok(candidate);
            }
            *mu *= 4.0;
        }
        // No decrease found: stay (a stationary point within the damping's reach).
        Ok(w.clone())
    }
}

// ---------------------------------------------------------------------------------------------
// Gradient flow: Dormand–Prince 5(4), coefficients from Hairer, Nørsett & Wanner, Table II.5.2
// (the flow is autonomous, so the nodes c_i are not needed).

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

/// The gradient of the flow's objective at a point of parameter space.
pub type GradientFn<'a> = dyn FnMut(&[f64]) -> Result<Vec<f64>, String> + 'a;

impl GradientFlow {
    /// Initial trial step (Hairer et al. §II.4, a simplified starting-step heuristic):
    /// 0.01·‖y₀‖/‖y′₀‖, or 1e-6 when either is 0.
    pub fn init(&self, params: &[f64], grad: &[f64]) -> SolverState {
        let y = params.iter().map(|v| v * v).sum::<f64>().sqrt();
        let d = grad.iter().map(|v| v * v).sum::<f64>().sqrt();
        let dt = if y > 0.0 && d > 0.0 { 0.01 * y / d } else { 1e-6 };
        SolverState::Flow { dt, time: 0.0 }
    }

    /// One accepted step of dy/dt = −∇(y) from `y` (the parameters, any layout), with
    /// `grad(y)` evaluating the gradient; `k1` is −∇ at `y`. Returns the new parameters.
    ///
    /// # Errors
    /// A non-finite gradient, or a step size that underflows.
    pub fn step(
        &self,
        y: &[f64],
        k1: &[f64],
        state: &mut SolverState,
        grad: &mut GradientFn<'_>,
    ) -> Result<Vec<f64>, String> {
        let SolverState::Flow { dt, time } = state else { return Err("solver state mismatch".into()) };
        let n = y.len();
        let mut k: Vec<Vec<f64>> = vec![k1.to_vec()];
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
                let g = grad(&stage)?;
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
                    return Ok(stage);
                }
                *dt = h * factor.min(1.0);
            }
            if dt.is_nan() || *dt <= 1e-300 {
                return Err(format!("the step size underflowed at t = {time:e}"));
            }
        }
        Err(format!("no step was accepted after 60 tries at t = {time:e}"))
    }
}

// ---------------------------------------------------------------------------------------------
// ALS

impl Als {
    /// Factors from the top-k SVD of the start: U = U_k·√Σ_k, V = V_k·√Σ_k.
    pub fn init(&self, svd: &Svd) -> SolverState {
        let k = self.rank.min(svd.singular_values.len());
        let root: DVector<f64> = svd.singular_values.rows(0, k).map(|s| s.sqrt());
        let mut u = svd.u.columns(0, k).into_owned();
        let mut v = svd.v_t.rows(0, k).transpose();
        for j in 0..k {
            u.column_mut(j).scale_mut(root[j]);
            v.column_mut(j).scale_mut(root[j]);
        }
        SolverState::Als { u, v }
    }

    /// One sweep: every row of U, then every row of V, by ridge regression on the observed
    /// entries of its row (column) of Y. Returns W = U Vᵀ.
    pub fn step(&self, problem: &Problem, state: &mut SolverState) -> Result<DMatrix<f64>, String> {
        let SolverState::Als { u, v } = state else { return Err("solver state mismatch".into()) };
        let (m, n) = problem.shape();
        let mut by_row: Vec<Vec<usize>> = vec![Vec::new(); m];
        let mut by_col: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &(i, j) in &problem.omega {
            by_row[i].push(j);
            by_col[j].push(i);
        }
        let y = &problem.observations;
        solve_side(u, v, &by_row, |i, j| y[(i, j)], self.ridge);
        solve_side(v, u, &by_col, |j, i| y[(i, j)], self.ridge);
        Ok(&*u * v.transpose())
    }
}

/// For each row a of `target`: argmin_x Σ_{b ∈ lists[a]} (x·other_b − y(a, b))² + ridge·‖x‖².
fn solve_side(target: &mut DMatrix<f64>, other: &DMatrix<f64>, lists: &[Vec<usize>], y: impl Fn(usize, usize) -> f64, ridge: f64) {
    let k = target.ncols();
    for (a, list) in lists.iter().enumerate() {
        let mut gram = DMatrix::<f64>::identity(k, k) * ridge;
        let mut rhs = DVector::<f64>::zeros(k);
        for &b in list {
            let row = other.row(b);
            for p in 0..k {
                rhs[p] += row[p] * y(a, b);
                for q in 0..k {
                    gram[(p, q)] += row[p] * row[q];
                }
            }
        }
        let x = match gram.clone().cholesky() {
            Some(ch) => ch.solve(&rhs),
            // Singular normal equations (no ridge, too few entries): the least-norm solution,
            // x = V·Σ⁺·Uᵀ·rhs with 1/σ for σ > 1e-12 only (nalgebra's `pseudo_inverse(1e-12)`,
            // by this crate's SVD so that nalgebra's stays out of the WebAssembly module).
            None => match Svd::fast(&gram) {
                Some(svd) => {
                    let c = svd.u.tr_mul(&rhs);
                    let c = DVector::from_iterator(k, svd.singular_values.iter().zip(c.iter()).map(|(&s, &c)| if s > 1e-12 { c / s } else { 0.0 }));
                    svd.v_t.tr_mul(&c)
                }
                None => DVector::zeros(k),
            },
        };
        target.row_mut(a).copy_from(&x.transpose());
    }
}

// ---------------------------------------------------------------------------------------------
// SoftImpute

impl SoftImpute {
    /// W ← S_τ(P_Ω(Y) + P_Ωᶜ(W)).
    pub fn step(&self, problem: &Problem, w: &DMatrix<f64>) -> Result<DMatrix<f64>, String> {
        let mut z = w.clone();
        for &(i, j) in &problem.omega {
            z[(i, j)] = problem.observations[(i, j)];
        }
        let svd = Svd::fast(&z).ok_or("the SVD of the filled-in matrix did not converge")?;
        let shrunk = svd.singular_values.map(|s| (s - self.threshold).max(0.0));
        let r = shrunk.iter().filter(|&&s| s > 0.0).count();
        if r == 0 {
            return Ok(DMatrix::zeros(z.nrows(), z.ncols()));
        }
        let mut u = svd.u.columns(0, r).into_owned();
        for j in 0..r {
            u.column_mut(j).scale_mut(shrunk[j]);
        }
        Ok(u * svd.v_t.rows(0, r))
    }
}

#[cfg(test)]
mod tests {
    use super::solve_side;
    use nalgebra::DMatrix;

    #[test]
    fn singular_normal_equations_give_the_least_norm_solution() {
        // One entry y = 2 against the row (1, 1), no ridge: x·(1, 1) = 2 has many solutions;
        // the least-norm one is (1, 1). The Gram matrix [[1, 1], [1, 1]] is singular, so this
        // takes the pseudo-inverse path.
        let mut target = DMatrix::zeros(1, 2);
        let other = DMatrix::from_row_slice(1, 2, &[1.0, 1.0]);
        solve_side(&mut target, &other, &[vec![0]], |_, _| 2.0, 0.0);
        assert!((target[(0, 0)] - 1.0).abs() < 1e-14 && (target[(0, 1)] - 1.0).abs() < 1e-14, "{target}");
        // No entries at all: the Gram matrix is zero and the solution is 0.
        let mut target = DMatrix::from_element(1, 2, 5.0);
        solve_side(&mut target, &other, &[vec![]], |_, _| 2.0, 0.0);
        assert_eq!(target, DMatrix::zeros(1, 2));
    }
}
