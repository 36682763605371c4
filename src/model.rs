//! The model: how the parameters make the m × n end-to-end matrix W the objective sees.
//!
//! - Depth 1 (the *direct* parameterization): W itself is the parameter.
//! - Depth N ≥ 2 (a *deep linear network*, Arora et al., NeurIPS 2019): W = W_N ··· W_1 with
//!   W_1 of shape h × n, W_2 … W_{N−1} of shape h × h and W_N of shape m × h (h the hidden
//!   `width`, default max(m, n)). The penalty applies to the end-to-end matrix W.
//!
//! Gradients by back-propagation through the product: with G = ∇f(W),
//! ∂f/∂W_k = (W_N ··· W_{k+1})ᵀ · G · (W_{k−1} ··· W_1)ᵀ (empty products are identities).

use nalgebra::DMatrix;
use rand::RngExt;
use rand_distr::StandardNormal;

use crate::config::{Init, ModelConfig};
use crate::problem::{rng_for, Problem};

/// Shapes of a depth-`depth` network for an m × n problem with hidden width `width`,
/// in the order W_1, …, W_N.
pub fn factor_shapes(m: usize, n: usize, depth: usize, width: usize) -> Vec<(usize, usize)> {
    if depth == 1 {
        return vec![(m, n)];
    }
    (0..depth)
        .map(|k| match k {
            0 => (width, n),
            k if k == depth - 1 => (m, width),
            _ => (width, width),
        })
        .collect()
}

/// The starting factors W_1, …, W_N (the start every run of a lab shares).
///
/// - `observed` (depth 1 only): Y on Ω, 0 elsewhere, which fits the observations exactly.
/// - `gaussian`: at depth 1, i.i.d. N(0, init_scale²) entries; at depth N ≥ 2, each factor's
///   entries i.i.d. N(0, (init_scale^(1/N)/√h)²), so that ‖W‖_F ≈ init_scale·√n at the start
///   (as in the code of Arora et al. 2019).
/// - `identity`: each factor init_scale^(1/N)·I (ones on the main diagonal of a rectangle).
/// - `orthogonal`: each factor init_scale^(1/N)·Q, Q with orthonormal rows or columns (the Q of
///   a QR factorisation of a Gaussian matrix, signs fixed so R has a positive diagonal).
///
/// Random draws come from stream 1 of `seed`, factor by factor, row by row.
pub fn start_factors(problem: &Problem, model: &ModelConfig, seed: u64) -> Vec<DMatrix<f64>> {
    let (m, n) = problem.shape();
    let depth = model.depth;
    let width = model.width_for(m, n);
    let shapes = factor_shapes(m, n, depth, width);
    let scale = libm::pow(model.init_scale, 1.0 / depth as f64);
    let mut rng = rng_for(seed, 1);
    let mut gaussian = |rows: usize, cols: usize, sd: f64| {
        DMatrix::from_row_iterator(rows, cols, (0..rows * cols).map(|_| sd * rng.sample::<f64, _>(StandardNormal)))
    };
    match model.init {
        Init::Observed => vec![problem.observations.clone()],
        Init::Gaussian if depth == 1 => vec![gaussian(m, n, model.init_scale)],
        Init::Gaussian => shapes.iter().map(|&(r, c)| gaussian(r, c, scale / (width as f64).sqrt())).collect(),
        Init::Identity => shapes.iter().map(|&(r, c)| DMatrix::identity(r, c) * scale).collect(),
        Init::Orthogonal => shapes
            .iter()
            .map(|&(r, c)| {
                // QR of the taller orientation, then transpose back when the factor is wide.
                let (tall_r, tall_c) = (r.max(c), r.min(c));
                let a = gaussian(tall_r, tall_c, 1.0);
                let qr = a.qr();
                let mut q = qr.q();
                let rmat = qr.r();
                for j in 0..tall_c {
                    if rmat[(j, j)] < 0.0 {
                        q.column_mut(j).neg_mut();
                    }
                }
                let q = if r >= c { q } else { q.transpose() };
                q * scale
            })
            .collect(),
    }
}

/// The layout of a model's parameters in one flat vector: the factors W_1, …, W_N one after
/// the other, each column-major (nalgebra's order). Optimizers see the flat vector, so their
/// per-entry state is kept per factor entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    shapes: Vec<(usize, usize)>,
    offsets: Vec<usize>,
    len: usize,
}

impl Network {
    pub fn new(shapes: Vec<(usize, usize)>) -> Network {
        let mut offsets = Vec::with_capacity(shapes.len());
        let mut len = 0;
        for &(r, c) in &shapes {
            offsets.push(len);
            len += r * c;
        }
        Network { shapes, offsets, len }
    }

    /// Number of factors N.
    pub fn depth(&self) -> usize {
        self.shapes.len()
    }

    /// Total number of parameters.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Shapes of W_1, …, W_N.
    pub fn shapes(&self) -> &[(usize, usize)] {
        &self.shapes
    }

    /// Concatenates factors into the flat vector.
    pub fn flatten(&self, factors: &[DMatrix<f64>]) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len);
        for f in factors {
            out.extend_from_slice(f.as_slice());
        }
        out
    }

    /// Factor k (0-based: W_{k+1}) as a view into `params`.
    pub fn factor<'a>(&self, params: &'a [f64], k: usize) -> nalgebra::DMatrixView<'a, f64> {
        let (r, c) = self.shapes[k];
        nalgebra::DMatrixView::from_slice(&params[self.offsets[k]..self.offsets[k] + r * c], r, c)
    }

    /// W = W_N ··· W_1 (m × n) into `w`.
    pub fn end_to_end_into(&self, params: &[f64], w: &mut DMatrix<f64>) {
        if self.depth() == 1 {
            w.as_mut_slice().copy_from_slice(&params[..self.len]);
            return;
        }
        let mut acc = self.factor(params, 0).into_owned();
        for k in 1..self.depth() {
            acc = self.factor(params, k) * acc;
        }
        *w = acc;
    }

    /// W = W_N ··· W_1 as a new matrix.
    pub fn end_to_end(&self, params: &[f64]) -> DMatrix<f64> {
        let (m, _) = self.shapes[self.depth() - 1];
        let (_, n) = self.shapes[0];
        let mut w = DMatrix::zeros(m, n);
        self.end_to_end_into(params, &mut w);
        w
    }

    /// ∂f/∂W_k for every factor from G = ∇f(W) (m × n), into the flat `grads`:
    /// ∂f/∂W_k = (W_N ··· W_{k+1})ᵀ · G · (W_{k−1} ··· W_1)ᵀ.
    pub fn backprop(&self, params: &[f64], g: &DMatrix<f64>, grads: &mut [f64]) {
        let depth = self.depth();
        if depth == 1 {
            grads[..self.len].copy_from_slice(g.as_slice());
            return;
        }
        // prefix[k] = W_{k+1} ··· W_1 for k = 0 … N−2.
        let mut prefix: Vec<DMatrix<f64>> = Vec::with_capacity(depth - 1);
        prefix.push(self.factor(params, 0).into_owned());
        for k in 1..depth - 1 {
            let next = self.factor(params, k) * &prefix[k - 1];
            prefix.push(next);
        }
        // Walk down from the top carrying A = (W_N ··· W_{k+2})ᵀ G.
        let mut a = g.clone();
        for k in (0..depth).rev() {
            let (r, c) = self.shapes[k];
            let out = &mut grads[self.offsets[k]..self.offsets[k] + r * c];
            if k == 0 {
                out.copy_from_slice(a.as_slice());
            } else {
                let gk = &a * prefix[k - 1].transpose();
                out.copy_from_slice(gk.as_slice());
                a = self.factor(params, k).transpose() * a;
            }
        }
    }
}
