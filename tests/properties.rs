//! Property tests (proptest): the config parser on arbitrary input, and the core invariants
//! on random problems and matrices.

use mc_playground::config::{Config, Penalty, ProblemConfig, ProblemSource};
use mc_playground::metrics::{effective_rank, nuclear_frobenius_ratio};
use mc_playground::linalg::Svd;
use mc_playground::objective::Objective;
use mc_playground::catalog;
use mc_playground::solvers::Als;
use mc_playground::Lab;
use nalgebra::DMatrix;
use proptest::prelude::*;
use serde_json::{json, Value};

mod common;

/// JSON built from the config's own vocabulary, nested at random: most of it is wrong in
/// some way, some of it is valid.
fn json_value() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "problem", "model", "objective", "steps", "optimizers", "rows", "cols", "rank", "observed", "noise", "seed",
        "truth", "observed_entries", "init", "init_scale", "depth", "width", "penalty", "lambda", "scale", "name",
        "learning_rate", "beta1", "beta2", "eps", "momentum", "alpha", "bias_correction", "weight_decay", "rtol",
        "atol", "threshold", "ridge", "max_cg", "damping", "momentum_decay", "zzz",
    ]);
    let names = prop::sample::select(vec![
        "adam", "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adamw", "amsgrad", "nadam", "group_rmsprop", "newton",
        "gradient_flow", "als", "soft_impute", "observed", "gaussian", "identity", "orthogonal", "none", "nuclear", "ratio",
        "sgd", "",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..40).prop_map(|v| json!(v)),
        prop::num::f64::ANY.prop_filter_map("JSON numbers are finite", |v| serde_json::Number::from_f64(v).map(Value::Number)),
        names.prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

fn check_message(text: &str) {
    match Config::from_json(text) {
        Ok(c) => {
            // Anything accepted is valid, round-trips, and builds a lab (small problems only,
            // to keep the test quick).
            assert!(c.validate().is_ok());
            assert_eq!(Config::from_json(&c.to_json()).unwrap(), c);
        }
        Err(e) => {
            let m = e.to_string();
            assert!(!m.is_empty() && !m.contains('\n') && !m.contains('\0'), "{m:?}");
        }
    }
}

proptest! {
    #![proptest_config(common::fixed_seed(400))]

    #[test]
    fn config_parser_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        check_message(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn config_parser_never_panics_on_config_shaped_json(v in json_value()) {
        check_message(&v.to_string());
    }

    #[test]
    fn svd_values_are_sorted_non_negative_and_reconstruct(
        m in 1usize..7, n in 1usize..7, seed in any::<u64>(), kind in 0u8..4
    ) {
        let mut state = seed | 1;
        let mut next = || { state ^= state << 13; state ^= state >> 7; state ^= state << 17; (state % 2001) as f64 / 1000.0 - 1.0 };
        let w = match kind {
            0 => DMatrix::from_fn(m, n, |_, _| next()),
            1 => DMatrix::zeros(m, n),
            2 => { let u = DMatrix::from_fn(m, 1, |_, _| next()); let v = DMatrix::from_fn(1, n, |_, _| next()); u * v }
            _ => DMatrix::from_fn(m, n, |i, j| if i == j { 2.0 } else { 0.0 }),
        };
        // The SVD the lab uses (src/linalg.rs). nalgebra's (`Svd::of`, the tests' reference)
        // fails this on some matrices: dimforge/nalgebra#1172.
        let svd = Svd::fast(&w).unwrap();
        let s = svd.singular_values.as_slice();
        prop_assert!(s.iter().all(|&x| x >= 0.0 && x.is_finite()));
        prop_assert!(s.windows(2).all(|p| p[0] >= p[1]));
        let back = &svd.u * DMatrix::from_diagonal(&svd.singular_values) * &svd.v_t;
        prop_assert!((back - &w).norm() <= 1e-12 * (1.0 + w.norm()));
        let er = effective_rank(s);
        prop_assert!(er.is_finite() && er >= 0.0 && er <= s.len() as f64 + 1e-9);
        let r = nuclear_frobenius_ratio(s);
        prop_assert!(r.is_finite() && (r == 0.0 || (r >= 1.0 - 1e-12 && r <= (s.len() as f64).sqrt() + 1e-12)));
    }

    #[test]
    fn gd_on_the_fit_alone_never_increases_the_objective(
        m in 1usize..8, n in 1usize..8, seed in 0u64..1000, frac in 0.05f64..1.0, lr_frac in 0.01f64..1.0
    ) {
        // f = 1/(2|Ω|)·Σ_Ω (W − Y)²: its Hessian is P_Ω/|Ω|, so GD with lr ≤ |Ω| never goes up.
        let observed = ((m * n) as f64 * frac).ceil().max(1.0) as usize;
        let lr = lr_frac * observed as f64;
        let config = json!({
            "problem": {"rows": m, "cols": n, "rank": 1, "observed": observed.min(m * n), "seed": seed, "noise": 0.3},
            "model": {"init": "gaussian", "init_scale": 1.0},
            "objective": {"penalty": "none", "lambda": 0}, "steps": 20,
            "optimizers": [{"name": "gd", "learning_rate": lr}]
        });
        let mut lab = Lab::from_json(&config.to_string()).unwrap();
        lab.step(20);
        let h = lab.runs()[0].history().series("objective").unwrap();
        prop_assert!(h.windows(2).all(|p| p[1] <= p[0] * (1.0 + 1e-12) + 1e-300), "{:?}", h);
    }

    #[test]
    fn every_method_keeps_metrics_finite_or_says_it_diverged(
        m in 1usize..7, n in 1usize..7, seed in 0u64..1000, method in 0usize..14,
        lr_exp in -6i32..7, penalty in 0u8..3, lambda in prop_oneof![Just(0.0), 0.0f64..2.0]
    ) {
        let rank = 1 + (seed as usize % m.min(n));
        let observed = 1 + (seed as usize % (m * n));
        let mut opt = catalog::all_defaults()[method].clone();
        let _ = opt.set_learning_rate(10f64.powi(lr_exp));
        if let Some(a) = opt.downcast_mut::<Als>() { a.rank = a.rank.min(m.min(n)); }
        let config = Config {
            problem: ProblemConfig { source: ProblemSource::Synthetic { rows: m, cols: n, rank, observed }, noise: 0.0, seed },
            objective: mc_playground::config::ObjectiveConfig {
                penalty: [Penalty::None, Penalty::Nuclear, Penalty::Ratio][penalty as usize], lambda, scale: 1.0,
            },
            steps: 15,
            optimizers: vec![opt],
            ..Config::default()
        };
        let mut lab = Lab::new(config).unwrap();
        lab.step(15);
        let run = &lab.runs()[0];
        prop_assert!(run.matrix().iter().all(|v| v.is_finite()));
        let mt = run.metrics();
        prop_assert!(mt.objective.is_finite() && mt.train_error.is_finite() && mt.effective_rank.is_finite());
        prop_assert!(mt.test_error.is_finite() || (observed == m * n && mt.test_error.is_nan()));
        prop_assert!(mt.singular_values.windows(2).all(|p| p[0] >= p[1]));
        match run.diverged() {
            Some(d) => prop_assert!(d.step == run.step_count() + 1 && !d.reason.is_empty()),
            None => prop_assert_eq!(run.step_count(), 15),
        }
        // The penalty's value never comes out negative.
        let obj = Objective::from(&lab.config().objective);
        prop_assert!(obj.penalty_value(run.matrix(), &Svd::of(run.matrix()).unwrap()) >= 0.0);
    }
}

#[test]
fn the_case_random_proptest_found_against_nalgebras_svd() {
    // Generated by the property above with seed 17912605500704112364, m = 5, n = 3: nalgebra's
    // SVD did not reconstruct it to 1e-12; the lab's SVD must.
    let (m, n, seed) = (5usize, 3usize, 17912605500704112364u64);
    let mut state = seed | 1;
    let mut next = || { state ^= state << 13; state ^= state >> 7; state ^= state << 17; (state % 2001) as f64 / 1000.0 - 1.0 };
    let w = DMatrix::from_fn(m, n, |_, _| next());
    let svd = Svd::fast(&w).unwrap();
    let back = &svd.u * DMatrix::from_diagonal(&svd.singular_values) * &svd.v_t;
    assert!((back - &w).norm() <= 1e-12 * (1.0 + w.norm()));
}
