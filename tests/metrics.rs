//! Every metric on cases computed by hand, and the bounded history.

use mc_playground::config::{ExplicitOmega, Penalty, ProblemConfig, ProblemSource};
use mc_playground::metrics::{
    effective_rank, nuclear_frobenius_ratio, Clock, step_metrics, subspace_sine, test_error, train_error, History, Metrics,
    References,
};
use mc_playground::linalg::Svd;
use mc_playground::objective::Objective;
use mc_playground::problem::Problem;
use nalgebra::DMatrix;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

/// W* = [[1, 2], [3, 4]], Ω = {(0,0), (1,1)}, no noise.
fn two_by_two() -> Problem {
    Problem::new(&ProblemConfig {
        source: ProblemSource::Explicit {
            truth: vec![vec![Some(1.0), Some(2.0)], vec![Some(3.0), Some(4.0)]],
            observed: ExplicitOmega::Entries(vec![[1, 1], [0, 0]]),
        },
        noise: 0.0,
        seed: 0,
    })
}

#[test]
fn errors_on_a_two_by_two_case() {
    let p = two_by_two();
    assert_eq!(p.omega, vec![(0, 0), (1, 1)]);
    assert_eq!(p.rank, 2);
    let w = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 2.0]);
    // P_Ω(W − Y) = (0, −2); ‖P_Ω(Y)‖ = √(1 + 16).
    assert!(close(train_error(&p, &w), 2.0 / 17f64.sqrt(), 1e-15));
    // Unobserved: W − W* = (−2, −3); ‖P_Ωᶜ(W*)‖ = √(4 + 9).
    assert!(close(test_error(&p, &w), 1.0, 1e-15));
    // At W = W* both are 0.
    assert_eq!(train_error(&p, &p.truth), 0.0);
    assert_eq!(test_error(&p, &p.truth), 0.0);
}

#[test]
fn objective_on_a_two_by_two_case() {
    let p = two_by_two();
    let w = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 2.0]);
    let svd = Svd::of(&w).unwrap();
    // fit = 1/(2·2)·(0² + 2²) = 1; σ = (2, 1): ‖W‖_* = 3, ‖W‖_F = √5.
    let none = Objective { penalty: Penalty::None, lambda: 0.1, scale: 1.0 };
    assert!(close(none.value(&p, &w, &svd), 1.0, 1e-15));
    let nuclear = Objective { penalty: Penalty::Nuclear, lambda: 0.1, scale: 1.0 };
    assert!(close(nuclear.value(&p, &w, &svd), 1.3, 1e-15));
    let ratio = Objective { penalty: Penalty::Ratio, lambda: 0.1, scale: 1.0 };
    assert!(close(ratio.value(&p, &w, &svd), 1.0 + 0.1 * 3.0 / 5f64.sqrt(), 1e-15));
    let refs = References::new(&Svd::of(&p.truth).unwrap(), &svd, 1);
    let m = Metrics::compute(&p, &ratio, &w, &svd, &refs, Clock::NONE, None);
    assert!(close(m.singular_values[0], 2.0, 1e-14) && close(m.singular_values[1], 1.0, 1e-14));
    assert!(close(m.ratio, 3.0 / 5f64.sqrt(), 1e-14));
    assert!(close(m.nuclear_norm, 3.0, 1e-14) && close(m.frobenius_norm, 5f64.sqrt(), 1e-14));
    // Top left singular vector of W is e₂; W*'s is (0.4046, 0.9145) (σ₁ of [[1,2],[3,4]]):
    // sin of the angle between them = |first component| = 0.40455358483375703.
    assert!(close(m.subspace_angle_truth, 0.40455358483375703, 1e-12), "{}", m.subspace_angle_truth);
    assert!(m.subspace_angle_start < 1e-15, "W is its own start here");
    assert!(m.time.is_nan());
}

#[test]
fn the_gradient_clock_counts_every_gradient_a_method_computes() {
    // GD: one a step. Newton: one, then two per Hessian–vector product (central differences):
    // an odd number of at least 3. Gradient flow (Dormand–Prince, first-same-as-last): one,
    // then six per try: 1 mod 6, at least 7. ALS computes none: null.
    let config = r#"{"problem":{"rows":8,"cols":6,"rank":2,"observed":30,"seed":1},"steps":3,
        "optimizers":[{"name":"gd","learning_rate":0.5},{"name":"newton"},{"name":"gradient_flow"},{"name":"als"}]}"#;
    for recording in [true, false] {
        let mut lab = mc_playground::lab::Lab::from_json(config).unwrap();
        lab.set_recording(recording);
        for r in lab.runs() {
            assert_eq!(r.metrics().gradient_evaluations, 0.0, "step 0");
        }
        lab.step(1);
        let e: Vec<f64> = lab.runs().iter().map(|r| r.metrics().gradient_evaluations).collect();
        assert_eq!(e[0], 1.0);
        assert!(e[1] >= 3.0 && e[1] % 2.0 == 1.0, "newton {}", e[1]);
        assert!(e[2] >= 7.0 && (e[2] - 1.0) % 6.0 == 0.0, "gradient flow {}", e[2]);
        assert!(e[3].is_nan(), "als {}", e[3]);
        lab.step(2);
        let later: Vec<f64> = lab.runs().iter().map(|r| r.metrics().gradient_evaluations).collect();
        assert_eq!(later[0], 3.0);
        assert!(later[1] >= e[1] + 6.0 && later[2] >= e[2] + 14.0, "{later:?}");
        if recording {
            let h = lab.runs()[1].history().series("gradient_evaluations").unwrap();
            assert_eq!((h[0], h[1], h[3]), (0.0, e[1], later[1]));
        }
    }
}

#[test]
fn step_metrics_by_hand() {
    // ΔW = diag(3, 4): ‖ΔW‖_F = 5, ‖ΔW‖₂ = 4, stable rank 25/16.
    let (norm, stable) = step_metrics(&DMatrix::from_row_slice(2, 2, &[3.0, 0.0, 0.0, 4.0]));
    assert!(close(norm, 5.0, 1e-15) && close(stable, 25.0 / 16.0, 1e-14), "{norm} {stable}");
    // A rank-one step u vᵀ (u = (1, 2), v = (2, 2, 1)): stable rank 1, ‖ΔW‖_F = ‖u‖‖v‖ = 3√5.
    let (norm, stable) = step_metrics(&DMatrix::from_row_slice(2, 3, &[2.0, 2.0, 1.0, 4.0, 4.0, 2.0]));
    assert!(close(norm, 3.0 * 5f64.sqrt(), 1e-14) && close(stable, 1.0, 1e-13), "{norm} {stable}");
    // An orthogonal step (all singular values 1, as Muon's and spectral descent's): stable rank n.
    let (c, s) = (0.6, 0.8);
    let (norm, stable) = step_metrics(&DMatrix::from_row_slice(2, 2, &[c, -s, s, c]));
    assert!(close(norm, 2f64.sqrt(), 1e-15) && close(stable, 2.0, 1e-13), "{norm} {stable}");
    // No step: length 0, stable rank undefined.
    let (norm, stable) = step_metrics(&DMatrix::zeros(3, 2));
    assert_eq!(norm, 0.0);
    assert!(stable.is_nan());
}

#[test]
fn the_step_metrics_are_those_of_the_last_step_recording_or_not() {
    // GD on the default problem: W₁ − W₀ = −lr·∇f(W₀); the history's step 1 and the final
    // metrics with recording off both measure it; step 0 has none.
    let config = r#"{"problem":{"rows":8,"cols":6,"rank":2,"observed":30,"seed":1},
        "objective":{"penalty":"ratio","lambda":0.01},"steps":3,"optimizers":[{"name":"gd","learning_rate":0.5}]}"#;
    let mut lab = mc_playground::lab::Lab::from_json(config).unwrap();
    let w0 = lab.runs()[0].matrix().clone();
    lab.step(1);
    let dw = lab.runs()[0].matrix() - &w0;
    let (norm, stable) = step_metrics(&dw);
    let h = lab.runs()[0].history();
    assert!(h.series("step_norm").unwrap()[0].is_nan() && h.series("step_stable_rank").unwrap()[0].is_nan());
    assert_eq!(h.series("step_norm").unwrap()[1], norm);
    assert_eq!(h.series("step_stable_rank").unwrap()[1], stable);
    assert!(norm > 0.0 && (1.0..=6.0).contains(&stable), "{norm} {stable}");
    let mut quiet = mc_playground::lab::Lab::from_json(config).unwrap();
    quiet.set_recording(false);
    quiet.step(1);
    assert_eq!(quiet.runs()[0].metrics().step_norm, norm);
    assert_eq!(quiet.runs()[0].metrics().step_stable_rank, stable);
    // Two more steps in one call: the last one's.
    let w1 = quiet.runs()[0].matrix().clone();
    quiet.step(2);
    lab.step(2);
    let last = lab.runs()[0].metrics();
    assert_eq!(quiet.runs()[0].metrics().step_norm, last.step_norm);
    assert_ne!(last.step_norm, (lab.runs()[0].matrix() - &w1).norm());
}

#[test]
fn effective_rank_by_hand() {
    // p = (1/2, 1/2): entropy ln 2, effective rank 2.
    assert!(close(effective_rank(&[1.0, 1.0]), 2.0, 1e-15));
    // p = (3/4, 1/4): exp(−(¾ ln ¾ + ¼ ln ¼)) = 1.7547653506033232.
    assert!(close(effective_rank(&[3.0, 1.0]), 1.7547653506033232, 1e-14));
    // One nonzero value: rank 1, zeros ignored; the zero matrix: 0.
    assert!(close(effective_rank(&[5.0, 0.0, 0.0]), 1.0, 1e-15));
    assert_eq!(effective_rank(&[0.0, 0.0]), 0.0);
    // k equal values: k.
    assert!(close(effective_rank(&[0.3; 7]), 7.0, 1e-13));
}

#[test]
fn ratio_by_hand() {
    // diag(3, 4): nuclear 7, Frobenius 5.
    assert!(close(nuclear_frobenius_ratio(&[4.0, 3.0]), 1.4, 1e-15));
    assert_eq!(nuclear_frobenius_ratio(&[0.0, 0.0]), 0.0);
    // Between 1 and √k.
    assert!(close(nuclear_frobenius_ratio(&[1.0; 4]), 2.0, 1e-15));
}

#[test]
fn svd_is_sorted_and_reconstructs() {
    let w = DMatrix::from_row_slice(3, 4, &[1.0, -2.0, 0.5, 3.0, 0.0, 1.0, 4.0, -1.0, 2.0, 2.0, -3.0, 0.25]);
    let svd = Svd::of(&w).unwrap();
    let s = &svd.singular_values;
    assert!(s.iter().all(|&x| x >= 0.0));
    assert!(s.as_slice().windows(2).all(|p| p[0] >= p[1]));
    let back = &svd.u * DMatrix::from_diagonal(s) * &svd.v_t;
    assert!((back - &w).norm() < 1e-13 * w.norm());
    assert!(Svd::of(&DMatrix::from_element(2, 2, f64::NAN)).is_none());
}

#[test]
fn every_entry_observed_makes_test_error_undefined() {
    let p = Problem::new(&ProblemConfig {
        source: ProblemSource::Explicit {
            truth: vec![vec![Some(1.0), Some(2.0)]],
            observed: ExplicitOmega::Entries(vec![[0, 0], [0, 1]]),
        },
        noise: 0.0,
        seed: 0,
    });
    assert!(test_error(&p, &p.truth).is_nan());
    assert_eq!(train_error(&p, &p.truth), 0.0);
}

fn metrics_with(objective: f64) -> Metrics {
    Metrics {
        objective,
        train_error: 0.0,
        test_error: 0.0,
        effective_rank: 0.0,
        ratio: 0.0,
        nuclear_norm: 0.0,
        frobenius_norm: 0.0,
        subspace_angle_truth: 0.0,
        subspace_angle_start: 0.0,
        time: 0.0,
        gradient_evaluations: 0.0,
        step_norm: 0.0,
        step_stable_rank: 0.0,
        singular_values: vec![],
    }
}

#[test]
fn subspace_sine_by_hand() {
    // span(e₁) against span((cos θ, sin θ)): sin θ.
    let a = DMatrix::from_column_slice(2, 1, &[1.0, 0.0]);
    for theta in [0.0f64, 1e-9, 0.3, 1.2, std::f64::consts::FRAC_PI_2] {
        let b = DMatrix::from_column_slice(2, 1, &[theta.cos(), theta.sin()]);
        assert!((subspace_sine(&a, &b) - theta.sin()).abs() < 1e-15, "θ = {theta}");
    }
    // Two planes in R³ sharing e₁, tilted by θ about it: the largest angle is θ.
    let theta = 0.25f64;
    let a = DMatrix::from_column_slice(3, 2, &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    let b = DMatrix::from_column_slice(3, 2, &[1.0, 0.0, 0.0, 0.0, theta.cos(), theta.sin()]);
    assert!((subspace_sine(&a, &b) - theta.sin()).abs() < 1e-15);
}

#[test]
fn history_is_bounded_and_evenly_thinned() {
    let mut h = History::new(8);
    for step in 0..=1001u64 {
        h.record(step, &metrics_with(step as f64));
        assert!(h.len() <= 9, "capacity plus the newest point");
        assert_eq!(*h.series("step").unwrap().last().unwrap(), step as f64, "the last point is now");
    }
    let steps = h.series("step").unwrap();
    assert_eq!(steps[0], 0.0);
    let stride = h.stride() as f64;
    assert_eq!(stride, 128.0);
    let (even, newest) = steps.split_at(steps.len() - 1);
    assert!(even.windows(2).all(|p| p[1] - p[0] == stride), "{steps:?}");
    assert_eq!(newest, [1001.0]);
    assert_eq!(h.series("objective").unwrap(), steps);
    assert!(h.series("nonsense").is_none());
    h.clear();
    assert!(h.is_empty() && h.stride() == 1);
}

#[test]
fn unknown_truth_entries_are_left_out_of_the_test_error() {
    // W* = [[1, 2], [3, ?]], Ω = {(0, 0)}: the test error covers (0, 1) and (1, 0) only.
    let p = Problem::new(&ProblemConfig {
        source: ProblemSource::Explicit {
            truth: vec![vec![Some(1.0), Some(2.0)], vec![Some(3.0), None]],
            observed: ExplicitOmega::Entries(vec![[0, 0]]),
        },
        noise: 0.0,
        seed: 0,
    });
    assert!(!p.known[(1, 1)] && p.known[(0, 1)]);
    let w = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 0.0, 1e6]);
    // Unobserved known: (0,1) error 0, (1,0) error 3; ‖P(W*)‖ = √(4 + 9). The 1e6 is ignored.
    assert!(close(test_error(&p, &w), 3.0 / 13f64.sqrt(), 1e-15));
}

#[test]
fn an_observed_count_draws_known_entries_only() {
    let truth: Vec<Vec<Option<f64>>> =
        (0..6).map(|i| (0..5).map(|j| if (i + j) % 3 == 0 { None } else { Some((i * j) as f64) }).collect()).collect();
    let config = ProblemConfig { source: ProblemSource::Explicit { truth: truth.clone(), observed: ExplicitOmega::Count(12) }, noise: 0.0, seed: 4 };
    let p = Problem::new(&config);
    assert_eq!(p.omega.len(), 12);
    assert!(p.omega.iter().all(|&(i, j)| truth[i][j].is_some()));
    assert!(p.omega.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(Problem::new(&config).omega, p.omega, "seeded");
}
