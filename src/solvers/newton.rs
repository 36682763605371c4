//! Newton's method with Levenberg–Marquardt damping, by conjugate gradients (Newton–CG):
//! Nocedal & Wright 2006, §7.1 and §10.3. On W (m × n, the direct parameterization) only.
//!
//! One step: solve (∇²f(W) + μI)·d = −∇f(W) by CG, Hessian–vector products by central
//! differences of the analytic gradient; accept W + d only if f decreases, else raise μ and retry.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::checks::{check_pos, FieldError};
use crate::linalg::Svd;
use crate::method::{Family, Hyper, HyperParam, Iterate, Kind, Landscape, MethodMeta, MethodState, Rule, Solver};

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

const META: MethodMeta = MethodMeta {
    name: "newton",
    label: "Newton",
    family: Family::Solver,
    about: "Damped Newton (Levenberg–Marquardt, conjugate gradients): no learning rate; depth 1 only",
    rule: Rule {
        lines: &["(∇^{2}f(W) + μ I) d = − ∇f(W)", "W ← W + d if f decreases"],
        source: "Nocedal & Wright 2006, §7.1 (Newton–CG), §10.3 (Levenberg–Marquardt)",
    },
    equivariant: true,
    colour_slot: None,
    direct_only: true,
    tracks_time: false,
    hyper: &[
        HyperParam { name: "damping", label: "damping", range: "> 0" },
        HyperParam { name: "max_cg", label: "CG steps ≤", range: "1 to 1000" },
    ],
};

impl Hyper for Newton {
    const META: &'static MethodMeta = &META;
    crate::hyper_fields!(damping, max_cg);
    fn validate(&self) -> Result<(), FieldError> {
        check_pos("damping", self.damping)?;
        if self.max_cg == 0 || self.max_cg > 1000 {
            return Err(("max_cg", format!("must be between 1 and 1000, got {}", self.max_cg)));
        }
        Ok(())
    }
    fn kind(&self) -> Kind<'_> {
        Kind::Solver(self)
    }
}

/// Newton's state: the current damping μ.
#[derive(Debug, Clone, PartialEq)]
pub struct NewtonState {
    pub mu: f64,
}

fn dot(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    a.iter().zip(b.iter()).map(|(x, y)| x * y).sum()
}

impl Solver for Newton {
    fn needs_svd(&self) -> bool {
        true
    }

    fn init(&self, landscape: &dyn Landscape, _start: Iterate<'_>) -> Box<dyn MethodState> {
        Box::new(NewtonState { mu: self.damping * landscape.scale() })
    }

    /// One damped Newton step from `at.w`.
    ///
    /// # Errors
    /// A non-finite gradient or Hessian–vector product.
    fn step(&self, cx: &dyn Landscape, at: Iterate<'_>, state: &mut dyn MethodState, next: &mut [f64]) -> Result<(), String> {
        let NewtonState { mu } = state.as_any_mut().downcast_mut::<NewtonState>().ok_or("solver state mismatch")?;
        let w = at.w;
        let svd = at.svd.ok_or("Newton's step needs the SVD of W")?;
        let f = cx.value(w, svd);
        let g = cx.gradient(w, svd);
        if !g.iter().all(|v| v.is_finite()) {
            return Err("the gradient became non-finite".into());
        }
        let result = self.search(cx, w, f, &g, mu)?;
        next.copy_from_slice(result.as_slice());
        Ok(())
    }
}

impl Newton {
    fn search(&self, cx: &dyn Landscape, w: &DMatrix<f64>, f: f64, g: &DMatrix<f64>, mu: &mut f64) -> Result<DMatrix<f64>, String> {
        let gnorm = g.norm();
        if gnorm == 0.0 {
            return Ok(w.clone());
        }
        let grad_at = |x: &DMatrix<f64>| -> Result<DMatrix<f64>, String> {
            let svd = Svd::fast(x).ok_or("the SVD did not converge inside a Hessian–vector product")?;
            Ok(cx.gradient(x, &svd))
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
            let f_new = cx.value(&candidate, &svd);
            if f_new.is_finite() && f_new < f {
                let rho = (f - f_new) / predicted.max(f64::MIN_POSITIVE);
                if rho > 0.75 {
                    *mu /= 3.0;
                } else if rho < 0.25 {
                    *mu *= 2.0;
                }
                *mu = mu.max(1e-15 * cx.scale());
                return Ok(candidate);
            }
            *mu *= 4.0;
        }
        // No decrease found: stay (a stationary point within the damping's reach).
        Ok(w.clone())
    }
}
