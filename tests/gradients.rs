//! Every analytic gradient against central finite differences, on square and non-square
//! problems, for every penalty.

use mc_playground::config::{Config, Penalty, ProblemConfig, ProblemSource};
use mc_playground::linalg::Svd;
use mc_playground::objective::Objective;
use mc_playground::problem::{rng_for, Problem};
use nalgebra::DMatrix;
use rand::RngExt;
use rand_distr::StandardNormal;

fn problem(rows: usize, cols: usize, rank: usize, observed: usize, seed: u64) -> Problem {
    let config = ProblemConfig { source: ProblemSource::Synthetic { rows, cols, rank, observed }, noise: 0.1, seed };
    Problem::new(&config)
}

fn random_matrix(m: usize, n: usize, seed: u64) -> DMatrix<f64> {
    let mut rng = rng_for(seed, 7);
    DMatrix::from_fn(m, n, |_, _| rng.sample::<f64, _>(StandardNormal))
}

fn value(obj: &Objective, p: &Problem, w: &DMatrix<f64>) -> f64 {
    obj.value(p, w, &Svd::of(w).unwrap())
}

/// Largest |analytic − numeric| over entries, relative to the largest |numeric| entry.
fn fd_error(obj: &Objective, p: &Problem, w: &DMatrix<f64>) -> f64 {
    let analytic = obj.gradient(p, w, &Svd::of(w).unwrap());
    let h = 1e-6;
    let mut worst: f64 = 0.0;
    let mut scale: f64 = 0.0;
    for k in 0..w.len() {
        let mut plus = w.clone();
        plus[k] += h;
        let mut minus = w.clone();
        minus[k] -= h;
        let numeric = (value(obj, p, &plus) - value(obj, p, &minus)) / (2.0 * h);
        worst = worst.max((analytic[k] - numeric).abs());
        scale = scale.max(numeric.abs());
    }
    worst / scale
}

#[test]
fn gradients_match_finite_differences() {
    for (m, n, seed) in [(6, 6, 1), (5, 8, 2), (9, 4, 3)] {
        let p = problem(m, n, 2, m * n / 2, seed);
        let w = random_matrix(m, n, seed);
        for penalty in [Penalty::None, Penalty::Nuclear, Penalty::Ratio] {
            for lambda in [0.0, 0.3, 2.0] {
                let obj = Objective { penalty, lambda, scale: 1.0 };
                let err = fd_error(&obj, &p, &w);
                assert!(err < 1e-7, "{m}×{n} {penalty:?} λ={lambda}: relative error {err:e}");
            }
        }
    }
}

#[test]
fn penalty_gradients_alone_match_finite_differences() {
    // λ large so the penalty dominates the data fit: checks ∇p itself, not just the fit.
    let p = problem(7, 5, 2, 10, 4);
    let w = random_matrix(7, 5, 9);
    for penalty in [Penalty::Nuclear, Penalty::Ratio] {
        let obj = Objective { penalty, lambda: 1e3, scale: 1.0 };
        let err = fd_error(&obj, &p, &w);
        assert!(err < 1e-7, "{penalty:?}: relative error {err:e}");
    }
}

#[test]
fn gradient_at_the_default_start_matches_finite_differences() {
    // The start of the default experiment: Y on Ω, zeros elsewhere.
    let config = Config::default();
    let p = Problem::new(&config.problem);
    let w = p.observations.clone();
    let obj = Objective::from(&config.objective);
    let err = fd_error(&obj, &p, &w);
    assert!(err < 1e-6, "relative error {err:e}");
}

#[test]
fn ratio_gradient_is_orthogonal_to_w() {
    // p(cW) = p(W) ⇒ ⟨∇p(W), W⟩ = 0 (Euler): a property, not a finite difference.
    let p = problem(6, 6, 2, 1, 5);
    let w = random_matrix(6, 6, 11);
    let obj = Objective { penalty: Penalty::Ratio, lambda: 1.0, scale: 1.0 };
    let svd = Svd::of(&w).unwrap();
    let mut g = obj.gradient(&p, &w, &svd);
    // Remove the data-fit part (one observed entry).
    let (i, j) = p.omega[0];
    g[(i, j)] -= w[(i, j)] - p.observations[(i, j)];
    let inner = g.dot(&w) / (g.norm() * w.norm());
    assert!(inner.abs() < 1e-12, "cosine {inner:e}");
}
