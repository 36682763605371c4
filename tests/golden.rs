//! Every optimizer of the catalog against trajectories from independent implementations (optax,
//! `torch.optim`, NumPy): every file in `../shared/golden/optimizers/` and
//! `../shared/golden/optimizers-next/` and, when the environment variable `MCP_GOLDEN_DIR` names
//! a folder, every `.json` file there too. Each case's `optimizer` object is read by the config's
//! parser (the catalog) and stepped through the `Method` interface with the case's `shape`; the
//! parameters after every step must match to 1e-10 relative. Cases of methods the catalog does
//! not hold (`schedule_free_adamw`, `lbfgs`, see `src/optim/mod.rs`) are left to the direct
//! tests of `tests/golden_next.rs`.

mod common;

use std::path::{Path, PathBuf};

use mc_playground::catalog::{self, CATALOG};
use mc_playground::method::Method;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Case {
    optimizer: Box<dyn Method>,
    /// [m, n] for a matrix case (x0, grads and expected row-major); absent: one column.
    shape: Option<[usize; 2]>,
    x0: Vec<f64>,
    grads: Vec<Vec<f64>>,
    expected: Vec<Vec<f64>>,
}

const RELATIVE: f64 = 1e-10;

fn case_files() -> Vec<PathBuf> {
    common::golden_case_files(&["optimizers", "optimizers-next"])
}

/// The methods whose cases are not read through the catalog (checked by tests/golden_next.rs).
const OUTSIDE_THE_CATALOG: [&str; 2] = ["schedule_free_adamw", "lbfgs"];

/// Gradient methods of the catalog with no golden case yet (tests/methods.rs checks them).
const WITHOUT_CASES: [&str; 3] = ["amsgrad", "nadam", "group_rmsprop"];

/// The case's optimizer name, and whether the catalog holds it.
fn case_method(path: &Path) -> Result<(String, bool), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("bad case: {e}"))?;
    let name = value["optimizer"]["name"].as_str().ok_or("bad case: no optimizer name")?.to_string();
    let known = catalog::find(&name).is_some();
    Ok((name, known))
}

fn run_case(path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: Case = serde_json::from_str(&text).map_err(|e| format!("bad case: {e}"))?;
    case.optimizer.validate().map_err(|(f, m)| format!("optimizer.{f}: {m}"))?;
    if case.grads.len() != case.expected.len() || case.grads.is_empty() {
        return Err("grads and expected differ in length".into());
    }
    let [m, n] = case.shape.unwrap_or([case.x0.len(), 1]);
    if m * n != case.x0.len() {
        return Err(format!("shape {m} × {n} does not fit {} numbers", case.x0.len()));
    }
    // The core's parameters are column-major; a case's numbers row-major.
    let to_columns = |row_major: &[f64]| -> Vec<f64> { (0..m * n).map(|k| row_major[(k % m) * n + k / m]).collect() };
    let to_rows = |col_major: &[f64]| -> Vec<f64> { (0..m * n).map(|k| col_major[(k % n) * m + k / n]).collect() };
    let mut x = to_columns(&case.x0);
    let mut state = case.optimizer.init_state(&[(m, n)]);
    for (t, (g, want)) in case.grads.iter().zip(&case.expected).enumerate() {
        case.optimizer.update(&mut x, &to_columns(g), &[(m, n)], state.as_mut());
        for (k, (&got, &want)) in to_rows(&x).iter().zip(want).enumerate() {
            let err = (got - want).abs();
            if err > RELATIVE * want.abs().max(1e-300) {
                return Err(format!(
                    "step {}, entry {k}: got {got:e}, expected {want:e} (relative error {:e})",
                    t + 1,
                    err / want.abs()
                ));
            }
        }
    }
    Ok(case.grads.len())
}

#[test]
fn every_golden_case_matches() {
    let files = case_files();
    let mut failures = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    let mut outside = std::collections::BTreeSet::new();
    for path in &files {
        let result = case_method(path).and_then(|(name, known)| {
            if !known {
                outside.insert(name);
                return Ok(());
            }
            run_case(path).map(|_| {
                names.insert(name);
            })
        });
        if let Err(e) = result {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{} of {} golden cases failed:\n{}", failures.len(), files.len(), failures.join("\n"));
    // Only the methods left out of the catalog on purpose are skipped here.
    for name in &outside {
        assert!(OUTSIDE_THE_CATALOG.contains(&name.as_str()), "golden cases for {name}, which the catalog does not hold");
    }
    // Every gradient method of the catalog has cases (the solvers need the objective).
    for entry in CATALOG {
        let method = (entry.default)();
        if !method.is_solver() && !WITHOUT_CASES.contains(&entry.meta.name) {
            assert!(names.contains(entry.meta.name), "no golden case for {}", entry.meta.name);
        }
    }
}

#[test]
fn a_wrong_update_is_caught() {
    // The comparison can fail: perturb one golden trajectory and it must be rejected.
    let path = case_files().into_iter().find(|p| p.to_string_lossy().contains("adam-")).expect("an adam case");
    let mut case: Case = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    case.expected[3][2] *= 1.0 + 1e-8;
    let dir = std::env::temp_dir().join(format!("mcp-golden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("perturbed.json");
    let json = serde_json::json!({"optimizer": case.optimizer, "x0": case.x0, "grads": case.grads, "expected": case.expected});
    std::fs::write(&file, json.to_string()).unwrap();
    let result = run_case(&file);
    std::fs::remove_dir_all(&dir).ok();
    assert!(result.unwrap_err().contains("step 4"));
}
