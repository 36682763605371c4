//! What the page's wasm boundary calls, reached natively: the gathered-snapshot PCA's input
//! checks (`Lab.joint_trajectory_pca`), the sensitivity runner's scheduling
//! (`SensitivityRunner`), the method catalog (`Lab.methods()`) and the metric names
//! (`Lab.metric_names()`). `src/wasm.rs` only converts JavaScript values to and from these.

use mc_playground::metrics::METRIC_NAMES;
use mc_playground::pca::joint_pca_gathered;
use mc_playground::sensitivity::{self, Protocol, Runner};
use mc_playground::{catalog, Config, Lab};

#[test]
fn gathered_pca_checks_its_input() {
    let err = |counts: &[f64], steps: &[f64], data: &[f64]| joint_pca_gathered(counts, steps, data).unwrap_err();
    assert_eq!(err(&[1.5], &[0.0], &[1.0]), "counts must be whole numbers");
    assert_eq!(err(&[-1.0], &[], &[]), "counts must be whole numbers");
    assert_eq!(err(&[2e9], &[], &[]), "counts must be whole numbers");
    assert_eq!(err(&[f64::NAN], &[], &[]), "counts must be whole numbers");
    assert_eq!(err(&[2.0], &[0.0], &[1.0, 2.0]), "2 snapshots need 2 steps, got 1");
    assert_eq!(err(&[2.0], &[0.0, 0.5], &[1.0, 2.0]), "steps must be whole numbers");
    assert_eq!(err(&[2.0], &[0.0, 1.0], &[1.0, 2.0, 3.0]), "2 snapshots need a multiple of 2 numbers, got 3");
    assert_eq!(err(&[2.0], &[0.0, 1.0], &[]), "2 snapshots need a multiple of 2 numbers, got 0");
    let empty = joint_pca_gathered(&[0.0, 0.0], &[], &[]).unwrap();
    assert_eq!((empty.steps.len(), empty.explained), (0, [0.0, 0.0]), "no snapshots: an empty PCA, as before");
}

#[test]
fn gathered_pca_is_the_labs_own_bit_for_bit() {
    let mut lab = Lab::from_json(r#"{"problem": {"rows": 10, "cols": 8, "rank": 2, "observed": 40}}"#).unwrap();
    lab.step(60);
    let (mut counts, mut steps, mut data) = (Vec::new(), Vec::new(), Vec::new());
    for run in lab.runs() {
        let s = run.snapshots();
        counts.push(s.len() as f64);
        steps.extend(s.steps().iter().map(|&t| t as f64));
        for k in 0..s.len() {
            data.extend_from_slice(s.get(k));
        }
    }
    let ours = joint_pca_gathered(&counts, &steps, &data).unwrap();
    let theirs = lab.trajectory_pca();
    assert!(theirs.explained[0] > 0.0);
    assert_eq!(ours.steps, theirs.steps);
    assert_eq!(ours.explained.map(f64::to_bits), theirs.explained.map(f64::to_bits));
    assert_eq!(format!("{:?}", ours.coords), format!("{:?}", theirs.coords));
}

const CONFIG: &str = r#"{"problem": {"rows": 10, "cols": 10, "rank": 2, "observed": 50}, "steps": 40,
    "optimizers": [{"name": "adam"}, {"name": "newton"}, {"name": "gd"}]}"#;

#[test]
fn the_sensitivity_runner_checks_its_grid_in_order() {
    let err = |json: &str, from: f64, to: f64, per: f64, steps: f64| Runner::from_grid(json, from, to, per, steps).unwrap_err().to_string();
    let bad_config = err("{\"steps\": -1}", f64::NAN, 0.0, 1.0, 1.0);
    assert!(bad_config.starts_with("steps: "), "the config is checked first: {bad_config}");
    assert_eq!(err(CONFIG, 0.5, 1.0, 1.0, 10.0), "grid: from must be a whole number from -30 to 30");
    assert_eq!(err(CONFIG, f64::NAN, 1.0, 1.0, 10.0), "grid: from must be a whole number from -30 to 30");
    assert_eq!(err(CONFIG, 0.0, 31.0, 1.0, 10.0), "grid: to must be a whole number from -30 to 30");
    assert_eq!(err(CONFIG, 0.0, 1.0, 21.0, 10.0), "grid: points per decade must be a whole number from 1 to 20");
    assert_eq!(err(CONFIG, 0.0, 1.0, 0.0, 10.0), "grid: points per decade must be 1 to 20, got 0");
    assert_eq!(err(CONFIG, 0.0, 1.0, 1.0, -1.0), "steps: must be a whole number");
    assert_eq!(err(CONFIG, 0.0, 1.0, 1.0, 1e9), "steps: must be a whole number");
    assert_eq!(err(CONFIG, 2.0, 1.0, 1.0, 10.0), "grid: from (1e2) is above to (1e1)");
}

#[test]
fn the_sensitivity_runner_runs_cell_by_cell_as_the_sweep_does() {
    let mut runner = Runner::from_grid(CONFIG, -2.0, 0.0, 1.0, 30.0).unwrap_or_else(|e| panic!("{e}"));
    // Newton has no learning rate: 2 methods × 3 rates.
    assert_eq!((runner.total(), runner.done()), (6, 0));
    let mut seen = Vec::new();
    while let Some(cell) = runner.next().unwrap() {
        seen.push((cell.name, cell.learning_rate));
    }
    assert_eq!(runner.done(), 6);
    assert!(runner.next().unwrap().is_none(), "done stays done");
    assert_eq!(seen, [("adam", 0.01), ("adam", 0.1), ("adam", 1.0), ("gd", 0.01), ("gd", 0.1), ("gd", 1.0)]);
    let config = Config::from_json(CONFIG).unwrap();
    let protocol = Protocol::log_grid(-2, 0, 1, 30).unwrap();
    let whole = sensitivity::sweep(&config, &protocol, 1).unwrap();
    let report = runner.report();
    assert_eq!(report, whole, "the same report as the sweep of the command line");
    // A partial report: the best of the cells done so far.
    let mut partial = Runner::new(config, protocol);
    partial.next().unwrap();
    let report = partial.report();
    assert_eq!((report.cells.len(), report.best.len(), report.best[0].learning_rate), (1, 1, 0.01));
}

#[test]
fn the_catalog_json_is_the_pages_snapshot() {
    // The JSON the page reads (`Lab.methods()`), as the catalog first gave it (branch
    // catalog-meta); a change to a method's metadata shows here.
    let want = include_str!("snapshots/methods.json").trim_end();
    assert_eq!(catalog::catalog_json(), want);
}

#[test]
fn metric_names_are_the_historys_series_in_order() {
    assert_eq!(METRIC_NAMES[0], "step");
    let mut lab = Lab::new(Config::default()).unwrap();
    lab.step(3);
    let history = lab.runs()[0].history();
    for name in METRIC_NAMES {
        assert_eq!(history.series(name).map(<[f64]>::len), Some(4), "{name}");
    }
    assert!(history.series("steps").is_none());
}
