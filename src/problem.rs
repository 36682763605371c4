//! The matrix-completion problem: ground truth W*, observed set Ω and observations Y.
//!
//! Matrices are `nalgebra::DMatrix<f64>` (m × n, column-major in memory); the boundary
//! (wasm, CLI) converts to row-major where it says so.
//!
//! Random draws use ChaCha20 ([`rand_chacha`]) seeded with `seed` and, for the normal
//! distribution, `rand_distr`'s ziggurat on the `libm` maths, so one seed gives the same
//! problem natively and in the browser. The order of draws is part of the contract:
//! stream 0 gives U (m×r, row by row), then V (n×r, row by row), then Ω (`rand::seq::index::sample`
//! over the m·n row-major positions, then sorted), then the noise ε on Ω in row-major order;
//! stream 1 gives the Gaussian start (see [`crate::lab`]).

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::RngExt;
use rand_chacha::ChaCha20Rng;
use rand_distr::StandardNormal;

use crate::config::{ExplicitOmega, ProblemConfig, ProblemSource};

/// One problem, shared by every run of a lab.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Ground truth W*, m × n.
    pub truth: DMatrix<f64>,
    /// Observations Y = W* + σ·ε on Ω, 0 elsewhere, m × n.
    pub observations: DMatrix<f64>,
    /// Ω as (row, col) pairs, sorted row-major, no duplicates.
    pub omega: Vec<(usize, usize)>,
    /// `mask[(i, j)]` is true iff (i, j) ∈ Ω.
    pub mask: DMatrix<bool>,
    /// `known[(i, j)]` is false where an explicit truth gave `null` (W* is 0 there and the
    /// entry is left out of the test error); true everywhere for a synthetic problem.
    pub known: DMatrix<bool>,
    /// Rank of W*: the configured r for a synthetic problem, the numerical rank of an explicit one.
    pub rank: usize,
    /// ‖P_Ω(Y)‖_F, the denominator of the train error.
    pub observed_norm: f64,
    /// ‖P_Ωᶜ(W*)‖_F over known entries, the denominator of the test error (0 when every known
    /// entry is observed).
    pub unobserved_truth_norm: f64,
}

/// A ChaCha20 generator on `stream` of `seed` (stream 0: the problem; 1: the Gaussian start).
pub fn rng_for(seed: u64, stream: u64) -> ChaCha20Rng {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

impl Problem {
    /// Builds the problem a (validated) config describes.
    pub fn new(config: &ProblemConfig) -> Problem {
        let mut rng = rng_for(config.seed, 0);
        let (truth, known, omega, rank) = match &config.source {
            ProblemSource::Synthetic { rows, cols, rank, observed } => {
                let (m, n, r) = (*rows, *cols, *rank);
                let u = DMatrix::from_row_iterator(m, r, (0..m * r).map(|_| rng.sample::<f64, _>(StandardNormal)));
                let v = DMatrix::from_row_iterator(n, r, (0..n * r).map(|_| rng.sample::<f64, _>(StandardNormal)));
                // W* = U Vᵀ by a plain loop: matrix-product kernels differ between CPUs (FMA),
                // a fixed summation order gives the same bits natively and in wasm.
                let mut w = DMatrix::from_fn(m, n, |i, j| (0..r).fold(0.0, |acc, k| acc + u[(i, k)] * v[(j, k)]));
                let norm = w.norm();
                if norm > 0.0 {
                    w *= ((m * n) as f64).sqrt() / norm;
                }
                let mut picks = rand::seq::index::sample(&mut rng, m * n, *observed).into_vec();
                picks.sort_unstable();
                let omega = picks.into_iter().map(|k| (k / n, k % n)).collect();
                (w, DMatrix::from_element(m, n, true), omega, r)
            }
            ProblemSource::Explicit { truth, observed } => {
                let (m, n) = (truth.len(), truth[0].len());
                let w = DMatrix::from_row_iterator(m, n, truth.iter().flatten().map(|v| v.unwrap_or(0.0)));
                let known = DMatrix::from_row_iterator(m, n, truth.iter().flatten().map(|v| v.is_some()));
                let mut omega: Vec<(usize, usize)> = match observed {
                    ExplicitOmega::Entries(e) => e.iter().map(|&[i, j]| (i, j)).collect(),
                    ExplicitOmega::Count(k) => {
                        // k of the known entries (row-major order), drawn like a synthetic Ω.
                        let positions: Vec<(usize, usize)> =
                            (0..m * n).map(|p| (p / n, p % n)).filter(|&(i, j)| truth[i][j].is_some()).collect();
                        rand::seq::index::sample(&mut rng, positions.len(), *k).into_iter().map(|p| positions[p]).collect()
                    }
                };
                // Row-major order, by sorting the positions i·n + j: the same sort (of `usize`)
                // as the synthetic Ω's, one copy of it in the WebAssembly module.
                let mut positions: Vec<usize> = omega.iter().map(|&(i, j)| i * n + j).collect();
                positions.sort_unstable();
                omega = positions.into_iter().map(|p| (p / n, p % n)).collect();
                let rank = numerical_rank(&w);
                (w, known, omega, rank)
            }
        };
        let (m, n) = truth.shape();
        let mut observations = DMatrix::zeros(m, n);
        let mut mask = DMatrix::from_element(m, n, false);
        for &(i, j) in &omega {
            let noise = if config.noise > 0.0 { config.noise * rng.sample::<f64, _>(StandardNormal) } else { 0.0 };
            observations[(i, j)] = truth[(i, j)] + noise;
            mask[(i, j)] = true;
        }
        let observed_norm = observations.norm();
        let unobserved_truth_norm = truth
            .iter()
            .zip(mask.iter().zip(known.iter()))
            .filter(|(_, (&o, &k))| !o && k)
            .map(|(v, _)| v * v)
            .sum::<f64>()
            .sqrt();
        Problem { truth, observations, omega, mask, known, rank, observed_norm, unobserved_truth_norm }
    }

    /// (m, n).
    pub fn shape(&self) -> (usize, usize) {
        self.truth.shape()
    }
}

/// Number of singular values above σ₁·max(m, n)·ε (the usual numerical-rank threshold).
pub fn numerical_rank(w: &DMatrix<f64>) -> usize {
    let sv = crate::linalg::Svd::values_of(w);
    let top = sv.iter().cloned().fold(0.0, f64::max);
    let tol = top * (w.nrows().max(w.ncols()) as f64) * f64::EPSILON;
    sv.iter().filter(|&&s| s > tol).count()
}
