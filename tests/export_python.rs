//! `mc-playground export-python`: the script, run with NumPy, gives `mc-playground run`'s
//! matrices (1e-10 relative after 30 steps) for every method of the catalog that is not a solver,
//! at depth 1 and on deep linear networks; and the exporter's errors and the script's shape.
//!
//! The NumPy comes from PyPI into `.test-venv/` (scripts/lib.sh, `ensure_test_venv`, which the
//! test stage of scripts/test.sh also calls; the first run installs it, later runs find it).

mod common;

use std::path::PathBuf;
use std::process::Command;

use mc_playground::catalog::CATALOG;
use mc_playground::export_python::export_python;
use mc_playground::Config;
use serde_json::{json, Value};

use common::{run_with_stdin, scratch};

/// Labs of at most 16 runs: the catalog's gradient methods (defaults) in chunks of 12, one
/// solver in each (skipped by the script), on a 12 × 10 problem (rank 2, 70 observed, noise).
fn catalog_configs(model: Value, penalty: Value) -> Vec<Value> {
    let methods: Vec<&str> = CATALOG.iter().filter(|e| e.meta.family != mc_playground::method::Family::Solver).map(|e| e.meta.name).collect();
    let solver = if model["depth"].as_u64().unwrap_or(1) > 1 { "gradient_flow" } else { "newton" };
    methods
        .chunks(12)
        .map(|chunk| {
            let mut optimizers: Vec<Value> = chunk.iter().map(|name| json!({"name": name})).collect();
            optimizers.insert(optimizers.len() / 2, json!({"name": solver}));
            json!({
                "problem": {"rows": 12, "cols": 10, "rank": 2, "observed": 70, "seed": 3, "noise": 0.01},
                "model": model, "objective": penalty, "steps": 30, "optimizers": optimizers,
            })
        })
        .collect()
}

/// The branches the defaults do not take, a run that diverges, and a tall problem with an
/// explicit truth (unknown entries) for the wide/tall paths of Muon and Shampoo.
fn variant_configs() -> Vec<Value> {
    let variants = json!([
        {"name": "adam", "bias_correction": false, "weight_decay": 0.01, "learning_rate": 0.01},
        {"name": "gd", "learning_rate": 1e6},
        {"name": "gd", "learning_rate": 0.5, "weight_decay": 0.01},
        {"name": "momentum", "learning_rate": 0.1, "weight_decay": 0.01},
        {"name": "nesterov", "learning_rate": 0.1, "momentum": 0.5},
        {"name": "radam", "weight_decay": 0.1, "decoupled_weight_decay": true, "learning_rate": 0.01},
        {"name": "radam", "weight_decay": 0.1, "learning_rate": 0.01},
        {"name": "adafactor", "eps1": 1e-20, "weight_decay": 0.1, "d": 2.0},
        {"name": "prodigy", "beta3": 0.9, "weight_decay": 0.01},
        {"name": "asgd", "t0": 10.0, "lambd": 0.01, "learning_rate": 0.1},
        {"name": "spectral_descent", "learning_rate": 0.01, "scale": "nuclear"},
        {"name": "muon", "learning_rate": 0.01, "nesterov": false, "adjust_lr_fn": "match_rms_adamw"},
        {"name": "shampoo", "learning_rate": 0.01, "beta2": 0.9},
        {"name": "rmsprop", "weight_decay": 0.01},
        {"name": "adagrad", "weight_decay": 0.01},
        {"name": "lion", "weight_decay": 0.1},
    ]);
    let tall: Vec<Vec<Value>> = (0..9)
        .map(|i| (0..5).map(|j| if (i + 2 * j) % 7 == 3 { Value::Null } else { json!(((i + 1) * (j + 2)) as f64 / 7.0 - 1.0) }).collect())
        .collect();
    vec![
        json!({"problem": {"rows": 12, "cols": 10, "rank": 2, "observed": 70, "seed": 8},
               "objective": {"penalty": "nuclear", "lambda": 0.001, "scale": 2.0}, "steps": 30, "optimizers": variants}),
        json!({"problem": {"truth": tall, "observed": 25, "seed": 2}, "objective": {"penalty": "none"}, "steps": 30,
               "optimizers": [{"name": "muon", "learning_rate": 0.01}, {"name": "shampoo", "learning_rate": 0.01},
                              {"name": "spectral_descent", "learning_rate": 0.01}, {"name": "adafactor"}, {"name": "soft_impute"}]}),
        // Shampoo's (L + eps·I)^(−1/4) multiplies the rounding in the null space of a rank-3 L
        // (9 × 9 here) by eps^(−1/4): 1e3 at its default eps 1e-12, 1.3e-10 apart after 30 steps.
        json!({"problem": {"truth": tall, "observed": 25, "seed": 2}, "model": {"depth": 2, "width": 3, "init": "gaussian", "init_scale": 1.0},
               "steps": 30, "optimizers": [{"name": "muon", "learning_rate": 0.01}, {"name": "shampoo", "learning_rate": 0.01, "eps": 1e-6},
                                           {"name": "group_rmsprop"}, {"name": "gd", "learning_rate": 0.1}]}),
    ]
}

/// `.test-venv/bin/python`, NumPy installed (scripts/lib.sh).
fn python() -> PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("bash")
        .args(["-c", "source scripts/lib.sh && ensure_test_venv"])
        .current_dir(root)
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "no NumPy environment: {}", String::from_utf8_lossy(&out.stderr));
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn matrix(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().flat_map(|row| row.as_array().unwrap().iter().map(|x| x.as_f64().unwrap())).collect()
}

#[test]
fn the_script_gives_the_matrices_of_run() {
    let started = std::time::Instant::now();
    let python = python();
    let dir = scratch("export-python");
    let deep = json!({"depth": 3, "width": 8, "init": "gaussian", "init_scale": 1.0});
    let configs: Vec<Value> = [
        catalog_configs(json!({}), json!({})),
        catalog_configs(deep, json!({"penalty": "ratio", "lambda": 0.01})),
        catalog_configs(json!({"depth": 2, "init": "orthogonal", "init_scale": 0.5}), json!({"penalty": "nuclear", "lambda": 0.001})),
        variant_configs(),
    ]
    .concat();
    let mut covered = std::collections::BTreeSet::new();
    let mut worst = 0.0f64;
    for (k, config) in configs.iter().enumerate() {
        let text = config.to_string();
        assert!(config["optimizers"].as_array().unwrap().len() <= 16, "a lab takes at most 16 runs");
        let ran = run_with_stdin(&["run", "-"], &text);
        assert!(ran.status.success(), "config {k}: {}", String::from_utf8_lossy(&ran.stderr));
        let exported = run_with_stdin(&["export-python", "-"], &text);
        assert!(exported.status.success(), "config {k}: {}", String::from_utf8_lossy(&exported.stderr));
        let script = dir.join(format!("experiment{k}.py"));
        std::fs::write(&script, &exported.stdout).unwrap();
        let out = Command::new(&python).arg(&script).output().unwrap();
        assert!(out.status.success(), "config {k}: the script failed: {}", String::from_utf8_lossy(&out.stderr));
        let cli: Value = serde_json::from_slice(&ran.stdout).unwrap();
        let py: Value = serde_json::from_slice(&out.stdout).unwrap();
        let skipped: Vec<usize> = py["skipped"].as_array().map_or(vec![], |s| s.iter().map(|s| s["index"].as_u64().unwrap() as usize).collect());
        let cli_runs: Vec<&Value> = cli["runs"].as_array().unwrap().iter().enumerate().filter(|(i, _)| !skipped.contains(i)).map(|(_, r)| r).collect();
        let py_runs = py["runs"].as_array().unwrap();
        assert_eq!(cli_runs.len(), py_runs.len(), "config {k}");
        for &i in &skipped {
            let name = config["optimizers"][i]["name"].as_str().unwrap();
            assert!(["newton", "gradient_flow", "als", "soft_impute"].contains(&name), "config {k}: {name} skipped");
        }
        for (a, b) in cli_runs.iter().zip(py_runs) {
            let name = a["optimizer"]["name"].as_str().unwrap();
            assert_eq!(a["optimizer"], b["optimizer"], "config {k}: the method as configured");
            for key in ["steps", "diverged_at", "diverged_reason", "blowing_up_at"] {
                assert_eq!(a[key], b[key], "config {k}, {name}: {key}");
            }
            assert_eq!(a["final"].as_object().unwrap().keys().collect::<Vec<_>>(), b["final"].as_object().unwrap().keys().collect::<Vec<_>>());
            let (x, y) = (matrix(&a["matrix"]), matrix(&b["matrix"]));
            assert_eq!(x.len(), y.len());
            let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(f64::MIN_POSITIVE);
            let diff = x.iter().zip(&y).fold(0.0f64, |m, (p, q)| m.max((p - q).abs())) / scale;
            assert!(diff <= 1e-10, "config {k}, {name}: the script's matrix is {diff:e} (relative) from run's");
            let objective = |r: &Value| r["final"]["objective"].as_f64().unwrap();
            assert!((objective(a) - objective(b)).abs() <= 1e-8 * objective(a).abs().max(1e-300), "config {k}, {name}: objective");
            // The last step's length, a difference of two iterates: to 1e-6 relative.
            let (sa, sb) = (&a["final"]["step_norm"], &b["final"]["step_norm"]);
            match (sa.as_f64(), sb.as_f64()) {
                (Some(p), Some(q)) => assert!((p - q).abs() <= 1e-6 * p.abs().max(1e-300), "config {k}, {name}: step_norm {p} against {q}"),
                _ => assert_eq!(sa, sb, "config {k}, {name}: step_norm"),
            }
            worst = worst.max(diff);
            covered.insert(name.to_string());
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    let gradient_methods: Vec<&str> = CATALOG.iter().filter(|e| e.meta.family != mc_playground::method::Family::Solver).map(|e| e.meta.name).collect();
    for name in gradient_methods {
        assert!(covered.contains(name), "{name} was not compared");
    }
    eprintln!("export-python: {} configs, largest relative difference {worst:e}, {:.1} s", configs.len(), started.elapsed().as_secs_f64());
}

fn config(text: &str) -> Config {
    Config::from_json(text).unwrap()
}

#[test]
fn every_gradient_method_has_a_numpy_class_and_no_solver_has_one() {
    for entry in CATALOG {
        let method = (entry.default)();
        match method.numpy() {
            Some(text) => {
                assert!(!method.is_solver(), "{}", entry.meta.name);
                let name = entry.meta.name;
                assert!(text.contains(&format!("class {name}:")) || text.contains(&format!("class {name}(")), "{name}: its NumPy text defines class {name}");
                assert!(text.contains("def update(self, "), "{}", entry.meta.name);
            }
            None => assert!(method.is_solver(), "{} has no NumPy form", entry.meta.name),
        }
    }
}

#[test]
fn the_script_holds_the_problem_the_methods_once_and_names_what_it_skips() {
    let c = config(
        r#"{"problem": {"truth": [[1, 2, null], [2, 4, 6]], "observed_entries": [[0, 0], [1, 2], [0, 1]]},
            "objective": {"penalty": "nuclear", "lambda": 0.5}, "steps": 7,
            "optimizers": [{"name": "adam"}, {"name": "newton"}, {"name": "adam", "learning_rate": 0.1}, {"name": "muon"}]}"#,
    );
    let script = export_python(&c, "mine.json").unwrap();
    assert!(script.starts_with("#!/usr/bin/env python3\n"));
    assert!(script.contains("import numpy as np\n"));
    assert!(!script.contains("import scipy") && !script.contains("import torch"), "NumPy only");
    assert!(script.contains("#   optimizers[1]: newton (Newton)"), "the solver is named in a comment");
    assert_eq!(script.matches("\nclass adam:").count(), 1, "one class per method");
    assert_eq!(script.matches("\nclass muon:").count(), 1);
    assert!(script.contains("\nSTEPS = 7\n"));
    assert!(script.contains("OMEGA = np.array([[0, 0], [0, 1], [1, 2]], dtype=int)"), "Ω in row-major order");
    assert!(script.contains("Y_OMEGA = np.array([1.0, 2.0, 6.0])"));
    assert!(script.contains("KNOWN = np.array([\n    [True, True, False],\n    [True, True, True],\n])"));
    assert!(script.contains("PENALTY, LAMBDA, SCALE = \"nuclear\", 0.5, 1.0"));
    assert!(script.contains("    (0, {\"name\": \"adam\", \"learning_rate\": 0.001,"), "each run's method as configured");
    assert!(script.contains("    (2, {\"name\": \"adam\", \"learning_rate\": 0.1,"));
    assert!(script.contains("{\"index\": 1, \"name\": \"newton\""));
    // The config's name goes into the docstring as a string literal Python reads (JSON's escapes).
    let odd = export_python(&c, "we\"ird\n\u{1b}.json").unwrap();
    assert!(odd.contains("experiment \"we\\\"ird\\n\\u001b.json\" as a NumPy script"), "{}", &odd[..200]);
}

#[test]
fn the_exporter_refuses_a_bad_config_and_one_with_only_solvers() {
    let only_solvers = config(r#"{"optimizers": [{"name": "newton"}, {"name": "als"}]}"#);
    let e = export_python(&only_solvers, "x").unwrap_err();
    assert_eq!(e.field, "optimizers");
    assert!(e.message.contains("no method of the config has a NumPy form"), "{}", e.message);
    // A config that parses but does not validate (Lab::new's checks).
    let mut bad = config(r#"{"optimizers": [{"name": "adam"}]}"#);
    bad.steps = 5;
    bad.model.depth = 99;
    assert_eq!(export_python(&bad, "x").unwrap_err().field, "model.depth");
    // The command line: one line naming the field, status 2.
    let out = run_with_stdin(&["export-python", "-"], r#"{"optimizers": [{"name": "adam", "beta1": 2}]}"#);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("optimizers[0].beta1") && err.lines().count() == 1, "{err}");
    assert!(out.stdout.is_empty());
}
