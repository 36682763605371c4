//! The model: how the parameters make the m × n matrix W the objective sees.
//!
//! This version has the direct parameterization only (W itself is the parameter, depth 1);
//! the deep linear network W = W_N···W_1 is a later model of the same shape.

use nalgebra::DMatrix;
use rand_distr::StandardNormal;
use rand::RngExt;

use crate::config::{Init, ModelConfig};
use crate::problem::{rng_for, Problem};

/// The starting matrix W₀ (m × n) for every run of a lab.
///
/// `observed`: Y on Ω, 0 elsewhere (it fits the observations exactly).
/// `gaussian`: i.i.d. N(0, init_scale²) entries, drawn row by row from stream 1 of `seed`.
pub fn start_matrix(problem: &Problem, model: &ModelConfig, seed: u64) -> DMatrix<f64> {
    let (m, n) = problem.shape();
    match model.init {
        Init::Observed => problem.observations.clone(),
        Init::Gaussian => {
            let mut rng = rng_for(seed, 1);
            DMatrix::from_row_iterator(m, n, (0..m * n).map(|_| model.init_scale * rng.sample::<f64, _>(StandardNormal)))
        }
    }
}
