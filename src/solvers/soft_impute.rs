//! SoftImpute: W ← S_τ(P_Ω(Y) + P_Ωᶜ(W)), S_τ soft-thresholding the singular values by τ.
//! Mazumder, Hastie & Tibshirani 2010, Algorithm 1. On W (m × n, direct parameterization) only.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::checks::{check_nonneg, FieldError};
use crate::linalg::Svd;
use crate::method::{Family, Hyper, HyperParam, Iterate, Kind, Landscape, MethodMeta, MethodState, Rule, Solver};

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

const META: MethodMeta = MethodMeta {
    name: "soft_impute",
    label: "SoftImpute",
    family: Family::Solver,
    about: "SoftImpute: fill the unseen entries with the current guess, then shrink every singular value by τ; no learning rate; depth 1 only",
    rule: Rule { lines: &["W ← S_{τ}(P_{Ω}(Y) + P_{Ω^{c}}(W))"], source: "Mazumder, Hastie & Tibshirani 2010, Algorithm 1" },
    equivariant: false,
    colour_slot: None,
    direct_only: true,
    tracks_time: false,
    hyper: &[HyperParam { name: "threshold", label: "threshold τ", range: "≥ 0" }],
};

impl Hyper for SoftImpute {
    const META: &'static MethodMeta = &META;
    crate::hyper_fields!(threshold);
    fn validate(&self) -> Result<(), FieldError> {
        check_nonneg("threshold", self.threshold)
    }
    fn kind(&self) -> Kind<'_> {
        Kind::Solver(self)
    }
}

impl Solver for SoftImpute {
    fn init(&self, _cx: &dyn Landscape, _start: Iterate<'_>) -> Box<dyn MethodState> {
        Box::new(())
    }

    /// W ← S_τ(P_Ω(Y) + P_Ωᶜ(W)).
    ///
    /// # Errors
    /// The SVD of the filled-in matrix does not converge.
    fn step(&self, cx: &dyn Landscape, at: Iterate<'_>, _state: &mut dyn MethodState, next: &mut [f64]) -> Result<(), String> {
        let mut z = at.w.clone();
        for &(i, j) in cx.omega() {
            z[(i, j)] = cx.observations()[(i, j)];
        }
        let svd = Svd::fast(&z).ok_or("the SVD of the filled-in matrix did not converge")?;
        let shrunk = svd.singular_values.map(|s| (s - self.threshold).max(0.0));
        let r = shrunk.iter().filter(|&&s| s > 0.0).count();
        if r == 0 {
            next.copy_from_slice(DMatrix::<f64>::zeros(z.nrows(), z.ncols()).as_slice());
            return Ok(());
        }
        let mut u = svd.u.columns(0, r).into_owned();
        for j in 0..r {
            u.column_mut(j).scale_mut(shrunk[j]);
        }
        next.copy_from_slice((u * svd.v_t.rows(0, r)).as_slice());
        Ok(())
    }
}
