//! Smoke test of the wasm boundary in headless Chromium (`wasm-bindgen-test`, run by
//! `scripts/test.sh` as `cargo test --target wasm32-unknown-unknown --test wasm`).
#![cfg(target_arch = "wasm32")]

use mc_playground::wasm::Lab;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn default_lab_steps_in_the_browser() {
    let mut lab = Lab::new(&Lab::default_config()).expect("the default config is valid");
    assert_eq!((lab.rows(), lab.cols(), lab.rank(), lab.observed_count()), (30, 30, 2, 300));
    assert_eq!(lab.run_count(), 6);
    assert_eq!(lab.run_name(0), "adam");
    lab.step(20);
    let sv = lab.singular_values(0);
    assert_eq!(sv.len(), 30);
    assert!(sv.windows(2).all(|p| p[0] >= p[1]));
    assert_eq!(lab.history_len(0), 21);
    assert!(!lab.matrix_ptr(0).is_null());
    assert!(lab.matrix_ptr(99).is_null());
    assert_eq!(lab.run_name(99), "");
    lab.reset();
    assert_eq!(lab.history_len(0), 1);
}

#[wasm_bindgen_test]
fn a_synthetic_problem_is_built_in_the_browser() {
    // (The page and the CLI are compared number by number in tests/e2e/native_vs_wasm.test.mjs.)
    let lab = Lab::new(r#"{"problem": {"rows": 4, "cols": 3, "rank": 1, "observed": 6, "seed": 3}}"#).unwrap();
    assert_eq!(lab.observed_count(), 6);
    let sv = lab.truth_singular_values();
    assert!((sv[0] - 12f64.sqrt()).abs() < 1e-12, "rank 1 with ‖W*‖_F = √12: {sv:?}");
    assert!(sv[1] < 1e-12);
}

#[wasm_bindgen_test]
fn a_bad_config_is_an_error_not_a_panic() {
    assert!(Lab::new(r#"{"problem": {"rank": 99}}"#).is_err());
    assert!(Lab::new("][").is_err());
    let mut lab = Lab::new(&Lab::default_config()).unwrap();
    assert!(lab.set_learning_rate(0, -1.0).is_err());
    assert!(lab.set_learning_rate(42, 0.1).is_err());
}

#[wasm_bindgen_test]
fn every_method_runs_in_the_browser() {
    use mc_playground::wasm::SensitivityRunner;
    let methods: Vec<serde_json::Value> = serde_json::from_str(&Lab::methods()).unwrap();
    assert_eq!(methods.len(), 14);
    let config = serde_json::json!({"problem": {"rows": 12, "cols": 10, "rank": 2, "observed": 60}, "optimizers": methods});
    let mut lab = Lab::new(&config.to_string()).unwrap();
    lab.step(5);
    for i in 0..lab.run_count() {
        assert_eq!(lab.history_len(i), 6, "{}", lab.run_name(i));
    }
    assert_eq!(lab.run_learning_rate(0), Some(0.001));
    assert_eq!(lab.run_learning_rate(10), None, "newton has none");
    assert!(lab.set_learning_rate(10, 0.1).is_err());
    let mut runner = SensitivityRunner::new(&config.to_string(), -2, -1, 1, 5).unwrap();
    assert_eq!(runner.total(), 2 * 10, "ten methods have a learning rate");
    runner.next().unwrap();
    assert_eq!(runner.done(), 1);
}

/// FNV-1a over the bits of some numbers (as in tests/svd.rs).
fn bits_hash(values: impl IntoIterator<Item = f64>) -> u64 {
    values.into_iter().fold(0xcbf29ce484222325u64, |h, x| (h ^ x.to_bits()).wrapping_mul(0x100000001b3))
}

#[wasm_bindgen_test]
fn the_step_has_the_same_bits_as_natively() {
    // The values tests/svd.rs pins natively: the step's SVD and kernels (src/linalg.rs) have a
    // fixed order of operations, so the browser computes the same bits as the command line.
    use mc_playground::linalg::{svd_into, SvdWorkspace};
    use nalgebra::{DMatrix, DVector};
    let w = DMatrix::from_fn(9, 7, |i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0 + 0.25 * (i as f64) / (j as f64 + 1.0));
    let (mut u, mut s, mut vt) = (DMatrix::zeros(0, 0), DVector::zeros(0), DMatrix::zeros(0, 0));
    assert!(svd_into(&w, &mut SvdWorkspace::new(), &mut u, &mut s, &mut vt));
    assert_eq!(bits_hash(s.iter().chain(u.iter()).chain(vt.iter()).copied()), 0x8abe37e58c87c05a);
    let mut lab = mc_playground::Lab::new(mc_playground::Config::default()).unwrap();
    lab.step(30);
    assert_eq!(bits_hash(lab.runs().iter().flat_map(|r| r.matrix().iter().copied())), 0xfb4aef7d1e6d2000);
}
