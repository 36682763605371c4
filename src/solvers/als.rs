//! Alternating least squares on W = U Vᵀ of rank k (U m×k, V n×k): each row of U, then of V,
//! by ridge regression on its observed entries. Hastie, Mazumder, Lee & Zadeh 2015, *Matrix
//! completion and low-rank SVD via fast alternating least squares*. Direct parameterization only.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::checks::{check_nonneg, FieldError};
use crate::linalg::Svd;
use crate::method::{Family, Hyper, HyperParam, Iterate, Kind, Landscape, MethodMeta, MethodState, Rule, Solver};

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

const META: MethodMeta = MethodMeta {
    name: "als",
    label: "ALS",
    family: Family::Solver,
    about: "Alternating least squares on W = U Vᵀ of a fixed rank k (ignores the penalty): no learning rate; depth 1 only",
    rule: Rule {
        lines: &["W = U V^{T}", "each row of U, then V: ridge regression on its seen entries"],
        source: "Hastie et al. 2015, Matrix completion and low-rank SVD via fast ALS",
    },
    equivariant: false,
    colour_slot: None,
    direct_only: true,
    tracks_time: false,
    hyper: &[HyperParam { name: "rank", label: "rank k", range: "1 to min(m, n)" }, HyperParam { name: "ridge", label: "ridge", range: "≥ 0" }],
};

impl Hyper for Als {
    const META: &'static MethodMeta = &META;
    crate::hyper_fields!(rank, ridge);
    fn validate(&self) -> Result<(), FieldError> {
        if self.rank == 0 {
            return Err(("rank", "must be at least 1".into()));
        }
        check_nonneg("ridge", self.ridge)
    }
    fn label(&self) -> String {
        format!("ALS (rank {})", self.rank)
    }
    fn check_shape(&self, rows: usize, cols: usize) -> Result<(), FieldError> {
        if self.rank > rows.min(cols) {
            return Err(("rank", format!("must be between 1 and min(rows, cols) = {}, got {}", rows.min(cols), self.rank)));
        }
        Ok(())
    }
    fn kind(&self) -> Kind<'_> {
        Kind::Solver(self)
    }
}

/// ALS's state: the factors U (m × k) and V (n × k).
#[derive(Debug, Clone, PartialEq)]
pub struct AlsState {
    pub u: DMatrix<f64>,
    pub v: DMatrix<f64>,
}

impl Solver for Als {
    /// Factors from the top-k SVD of the start: U = U_k·√Σ_k, V = V_k·√Σ_k.
    fn init(&self, _cx: &dyn Landscape, start: Iterate<'_>) -> Box<dyn MethodState> {
        let svd = match start.svd {
            Some(svd) => svd.clone(),
            None => Svd::fast(start.w).unwrap_or_else(Svd::empty),
        };
        let k = self.rank.min(svd.singular_values.len());
        let root: DVector<f64> = svd.singular_values.rows(0, k).map(|s| s.sqrt());
        let mut u = svd.u.columns(0, k).into_owned();
        let mut v = svd.v_t.rows(0, k).transpose();
        for j in 0..k {
            u.column_mut(j).scale_mut(root[j]);
            v.column_mut(j).scale_mut(root[j]);
        }
        Box::new(AlsState { u, v })
    }

    /// One sweep: every row of U, then every row of V, by ridge regression on the observed
    /// entries of its row (column) of Y. The next W is U Vᵀ.
    fn step(&self, cx: &dyn Landscape, _at: Iterate<'_>, state: &mut dyn MethodState, next: &mut [f64]) -> Result<(), String> {
        let AlsState { u, v } = state.as_any_mut().downcast_mut::<AlsState>().ok_or("solver state mismatch")?;
        let (m, n) = cx.shape();
        let mut by_row: Vec<Vec<usize>> = vec![Vec::new(); m];
        let mut by_col: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &(i, j) in cx.omega() {
            by_row[i].push(j);
            by_col[j].push(i);
        }
        let y = cx.observations();
        solve_side(u, v, &by_row, |i, j| y[(i, j)], self.ridge);
        solve_side(v, u, &by_col, |j, i| y[(i, j)], self.ridge);
        next.copy_from_slice((&*u * v.transpose()).as_slice());
        Ok(())
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
