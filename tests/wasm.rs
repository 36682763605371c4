//! Smoke and hostile-input tests of the wasm boundary in headless Chromium (`wasm-bindgen-test`,
//! run by `scripts/test.sh` as `cargo test --target wasm32-unknown-unknown --test wasm`).
#![cfg(target_arch = "wasm32")]

use mc_playground::wasm::{Lab, SensitivityRunner};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn n(x: f64) -> JsValue {
    JsValue::from_f64(x)
}

fn s(x: &str) -> JsValue {
    JsValue::from_str(x)
}

fn default_lab() -> Lab {
    Lab::new(s(&Lab::default_config())).expect("the default config is valid")
}

#[wasm_bindgen_test]
fn default_lab_steps_in_the_browser() {
    let mut lab = default_lab();
    assert_eq!((lab.rows(), lab.cols(), lab.rank(), lab.observed_count()), (30, 30, 2, 300));
    assert_eq!(lab.run_count(), 6);
    assert_eq!(lab.run_name(n(0.0)), "adam");
    lab.step(n(20.0)).unwrap();
    let sv = lab.singular_values(n(0.0));
    assert_eq!(sv.len(), 30);
    assert!(sv.windows(2).all(|p| p[0] >= p[1]));
    assert_eq!(lab.history_len(n(0.0)), 21);
    assert!(!lab.matrix_ptr(n(0.0)).is_null());
    assert!(!lab.history_ptr(n(0.0), s("test_error")).is_null());
    lab.reset();
    assert_eq!(lab.history_len(n(0.0)), 1);
}

#[wasm_bindgen_test]
fn a_synthetic_problem_is_built_in_the_browser() {
    // (The page and the CLI are compared number by number in tests/e2e/native_vs_wasm.test.mjs.)
    let lab = Lab::new(s(r#"{"problem": {"rows": 4, "cols": 3, "rank": 1, "observed": 6, "seed": 3}}"#)).unwrap();
    assert_eq!(lab.observed_count(), 6);
    let sv = lab.truth_singular_values();
    assert!((sv[0] - 12f64.sqrt()).abs() < 1e-12, "rank 1 with ‖W*‖_F = √12: {sv:?}");
    assert!(sv[1] < 1e-12);
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_or_nothing_never_a_trap() {
    // Configs that are not strings, or not valid.
    for bad in [n(42.0), JsValue::NULL, JsValue::UNDEFINED, JsValue::TRUE, s("][ "), s(r#"{"problem": {"rank": 99}}"#), s("{} {}")] {
        assert!(Lab::new(bad).is_err());
    }
    let mut lab = default_lab();
    // Indices that are not whole numbers below run_count address nothing.
    for bad in [n(-1.0), n(f64::NAN), n(1.5), n(6.0), n(1e300), n(f64::INFINITY), s("1"), JsValue::NULL, JsValue::TRUE] {
        assert_eq!(lab.run_name(bad.clone()), "");
        assert!(lab.metrics(bad.clone()).is_null());
        assert!(lab.matrix_ptr(bad.clone()).is_null());
        assert_eq!(lab.history_len(bad.clone()), 0);
        assert!(lab.singular_values(bad.clone()).is_empty());
        assert!(lab.set_learning_rate(bad.clone(), n(0.1)).is_err());
        assert!(lab.set_enabled(bad, JsValue::FALSE).is_err());
    }
    // Bad values throw and change nothing.
    for bad in [n(-1.0), n(f64::NAN), n(f64::INFINITY), s("0.1"), JsValue::NULL, JsValue::TRUE] {
        assert!(lab.set_learning_rate(n(0.0), bad).is_err());
    }
    assert_eq!(lab.run_learning_rate(n(0.0)), Some(0.01));
    assert!(lab.set_enabled(n(0.0), s("yes")).is_err());
    for bad in [n(-1.0), n(0.5), n(1e7), n(f64::NAN), s("3"), JsValue::NULL] {
        assert!(lab.step(bad).is_err());
    }
    assert!(lab.history_ptr(n(0.0), n(5.0)).is_null());
    assert!(lab.history_ptr(n(0.0), s("nonsense")).is_null());
    assert!(SensitivityRunner::new(n(1.0), n(-2.0), n(-1.0), n(1.0), n(5.0)).is_err());
    assert!(SensitivityRunner::new(s(&Lab::default_config()), n(0.5), n(-1.0), n(1.0), n(5.0)).is_err());
    lab.step(n(1.0)).unwrap();
    assert_eq!(lab.history_len(n(0.0)), 2);
}

#[wasm_bindgen_test]
fn every_method_runs_in_the_browser() {
    let info: Vec<serde_json::Value> = serde_json::from_str(&Lab::methods()).unwrap();
    assert_eq!(info.len(), mc_playground::catalog::CATALOG.len());
    let newton = info.iter().find(|m| m["name"] == "newton").unwrap();
    assert_eq!((&newton["label"], &newton["has_learning_rate"], &newton["direct_only"]), (&"Newton".into(), &false.into(), &true.into()));
    assert_eq!(info[0]["label"], "Adam");
    let all: Vec<serde_json::Value> = info.iter().map(|m| m["config"].clone()).collect();
    assert!(info.iter().zip(&all).all(|(m, c)| c["name"] == m["name"]));
    // Every method of the catalog, in labs of at most 14 runs (a lab takes 16).
    for chunk in all.chunks(14) {
        let config = serde_json::json!({"problem": {"rows": 12, "cols": 10, "rank": 2, "observed": 60}, "optimizers": chunk});
        let mut lab = Lab::new(s(&config.to_string())).unwrap();
        lab.step(n(5.0)).unwrap();
        for i in 0..lab.run_count() {
            assert_eq!(lab.history_len(n(i as f64)), 6, "{}", lab.run_name(n(i as f64)));
        }
    }
    // The first fourteen methods, in this order, for what follows.
    let first = [
        "adam", "rmsprop", "adagrad", "gd", "momentum", "nesterov", "adamw", "amsgrad", "nadam", "group_rmsprop", "newton",
        "gradient_flow", "als", "soft_impute",
    ];
    let methods: Vec<serde_json::Value> =
        first.iter().map(|name| info.iter().find(|m| m["name"] == *name).expect(name)["config"].clone()).collect();
    let config = serde_json::json!({"problem": {"rows": 12, "cols": 10, "rank": 2, "observed": 60}, "optimizers": methods});
    let mut lab = Lab::new(s(&config.to_string())).unwrap();
    lab.step(n(5.0)).unwrap();
    assert_eq!(lab.run_learning_rate(n(0.0)), Some(0.001));
    assert_eq!(lab.run_learning_rate(n(10.0)), None, "newton has none");
    assert!(lab.set_learning_rate(n(10.0), n(0.1)).is_err());
    let mut runner = SensitivityRunner::new(s(&config.to_string()), n(-2.0), n(-1.0), n(1.0), n(5.0)).unwrap();
    assert_eq!(runner.total(), 2 * 10, "ten methods have a learning rate");
    let cell = runner.next().unwrap();
    let lr = js_sys::Reflect::get(&cell, &"learning_rate".into()).unwrap().as_f64().unwrap();
    assert_eq!(runner.done(), 1);
    let report = runner.report();
    let tuned = js_sys::Reflect::get(&report, &"tuned_config".into()).unwrap().as_string().expect("tuned_config is JSON text");
    let tuned = mc_playground::config::Config::from_json(&tuned).unwrap();
    assert_eq!(tuned.optimizers.len(), 14);
    assert_eq!(tuned.optimizers[0].learning_rate(), Some(lr), "the only cell run is method 0's best");
}

/// The page's workers: each steps some runs of the whole config (the others switched off); the
/// joint PCA of their gathered snapshots is the one lab's own, and every run's figures match.
#[wasm_bindgen_test]
fn snapshots_gathered_from_several_labs_give_the_joint_pca() {
    let mut joint = default_lab();
    joint.step(n(150.0)).unwrap();
    let parts: Vec<Lab> = (0..2)
        .map(|w| {
            let mut lab = default_lab();
            for i in 0..6 {
                lab.set_enabled(n(i as f64), JsValue::from_bool(i % 2 == w)).unwrap();
            }
            lab.step(n(150.0)).unwrap();
            lab
        })
        .collect();
    let (mut counts, mut steps, mut data) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..6 {
        let owner = &parts[i % 2];
        let run_steps = owner.snapshot_steps(n(i as f64));
        assert_eq!(run_steps.len(), owner.snapshot_count(n(i as f64)));
        assert_eq!(run_steps.len(), joint.snapshot_count(n(i as f64)));
        assert_eq!(*run_steps.last().unwrap(), 150.0);
        counts.push(run_steps.len() as f64);
        steps.extend(run_steps);
        let run_data = owner.snapshot_data(n(i as f64));
        assert_eq!(run_data.len(), owner.snapshot_count(n(i as f64)) * 900);
        data.extend(run_data);
        assert_eq!(owner.singular_values(n(i as f64)), joint.singular_values(n(i as f64)));
    }
    let text = |v: &JsValue| js_sys::JSON::stringify(v).unwrap().as_string().unwrap();
    let gathered = Lab::joint_trajectory_pca(counts.clone(), steps.clone(), data.clone()).unwrap();
    assert_eq!(text(&gathered), text(&joint.trajectory_pca()));
    assert!(text(&gathered).contains("\"explained\""));
    // Lengths that do not fit are an error, not a trap.
    assert!(Lab::joint_trajectory_pca(counts.clone(), steps[1..].to_vec(), data.clone()).is_err());
    assert!(Lab::joint_trajectory_pca(counts.clone(), steps.clone(), data[1..].to_vec()).is_err());
    assert!(Lab::joint_trajectory_pca(vec![-1.0], vec![], vec![]).is_err());
    assert!(Lab::joint_trajectory_pca(vec![0.5], vec![0.0], vec![1.0]).is_err());
    assert!(Lab::joint_trajectory_pca(vec![], vec![], vec![]).is_ok());
    assert!(default_lab().snapshot_data(n(99.0)).is_empty());
    assert!(default_lab().snapshot_steps(s("0")).is_empty());
}
