//! Adding a method takes its file, one catalog line and its golden cases: a method that exists
//! only in this test, built through the catalog's interface ([`Entry::of`]), is read from JSON,
//! validated, described, and run in a lab beside the built-in ones (direct and deep).

use mc_playground::catalog::{self, Entry};
use mc_playground::checks::{check_nonneg, FieldError};
use mc_playground::method::{Family, Hyper, HyperParam, Kind, Method, MethodMeta, PerMatrix, Rule};
use mc_playground::{Config, Lab};
use nalgebra::{DMatrixView, DMatrixViewMut};
use serde::{Deserialize, Serialize};

/// Sign descent: w ← w − lr·sign(g) (what `src/optim/sign_descent.rs` would hold).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct SignDescent {
    learning_rate: f64,
}

impl Default for SignDescent {
    fn default() -> Self {
        SignDescent { learning_rate: 1e-3 }
    }
}

const META: MethodMeta = MethodMeta {
    name: "sign_descent",
    label: "Sign descent",
    family: Family::Adaptive,
    about: "Each entry moves by the learning rate against the sign of its gradient",
    rule: Rule { lines: &["w ← w − η sign(g)"], source: "Bernstein et al. 2018 (signSGD)" },
    equivariant: false,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE],
};

impl Hyper for SignDescent {
    const META: &'static MethodMeta = &META;
    mc_playground::hyper_fields!(learning_rate);
    fn validate(&self) -> Result<(), FieldError> {
        check_nonneg("learning_rate", self.learning_rate)
    }
    mc_playground::learning_rate_field!();
    fn kind(&self) -> Kind<'_> {
        Kind::Gradient(self)
    }
}

/// The state is the step count alone (as a per-matrix method written elsewhere keeps its own t).
#[derive(Debug, Clone)]
struct Steps(u64);

impl PerMatrix for SignDescent {
    type State = Steps;
    fn init(&self, _shape: (usize, usize)) -> Steps {
        Steps(0)
    }
    fn update(&self, w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>, state: &mut Steps) {
        state.0 += 1;
        for (w, &g) in w.iter_mut().zip(g.iter()) {
            if g != 0.0 {
                *w -= self.learning_rate * g.signum();
            }
        }
    }
}

/// The one line a catalog needs for it.
const ENTRY: Entry = Entry::of::<SignDescent>();

fn parse(json: serde_json::Value) -> Result<Box<dyn Method>, String> {
    // The built-in catalog plus the new line: the same parser the config uses.
    let entries: Vec<Entry> = catalog::CATALOG.iter().copied().chain([ENTRY]).collect();
    catalog::parse_in(&entries, json)
}

#[test]
fn a_new_method_is_read_described_and_run_in_a_lab() {
    let method = parse(serde_json::json!({"name": "sign_descent", "learning_rate": 0.01})).unwrap();
    assert_eq!(method.name(), "sign_descent");
    assert_eq!(method.to_json(), r#"{"name":"sign_descent","learning_rate":0.01}"#);
    // Errors name the field, as for every method.
    let err = parse(serde_json::json!({"name": "sign_descent", "learning_rat": 1})).unwrap_err();
    assert!(err.starts_with("\u{0}learning_rat\u{0}unknown field"), "{err:?}");
    let err = parse(serde_json::json!({"name": "sign_decent"})).unwrap_err();
    assert!(err.contains("`sign_descent`") && err.contains("`adam`"), "{err:?}");
    // The catalog describes it like the others.
    let info = catalog::info(method.as_ref());
    assert_eq!((info.label.as_str(), info.has_learning_rate, info.solver), ("Sign descent", true, false));
    assert_eq!(info.hyper[0].default, 0.01);

    // In a lab, beside a built-in method, from a Gaussian start (so the gradient has no zeros).
    let mut config = Config::from_json(r#"{"problem": {"rows": 9, "cols": 7, "rank": 2, "observed": 30, "seed": 4},
        "model": {"init": "gaussian", "init_scale": 1.0}, "objective": {"penalty": "none"}, "steps": 1,
        "optimizers": [{"name": "gd", "learning_rate": 0.1}]}"#)
    .unwrap();
    config.optimizers.push(method);
    config.validate().unwrap();
    let mut lab = Lab::new(config.clone()).unwrap();
    let start = lab.start().clone();
    lab.step(1);
    let moved = lab.runs()[1].matrix() - &start;
    let y = &lab.problem().observations;
    for &(i, j) in &lab.problem().omega {
        // One step of size lr against the fit's gradient sign(W − Y) on Ω; nothing elsewhere.
        let want = -0.01 * (start[(i, j)] - y[(i, j)]).signum();
        assert!((moved[(i, j)] - want).abs() < 1e-15, "({i}, {j}): {} vs {want}", moved[(i, j)]);
    }
    let off_omega = (0..9 * 7).filter(|k| !lab.problem().omega.contains(&(k % 9, k / 9))).map(|k| moved[(k % 9, k / 9)].abs()).fold(0.0, f64::max);
    assert_eq!(off_omega, 0.0);
    lab.step(50);
    assert!(lab.runs()[1].diverged().is_none());
    let train = lab.runs()[1].history().series("train_error").unwrap();
    assert!(train[train.len() - 1] < 0.9 * train[0], "sign descent fits the observed entries: {train:?}");

    // A hot learning-rate change and the config's JSON go through the same interface.
    lab.set_learning_rate(1, 0.002).unwrap();
    assert!(lab.config().to_json().contains(r#"{"name":"sign_descent","learning_rate":0.002}"#));

    // A deep network: each factor is stepped as its own matrix.
    config.model.depth = 3;
    let mut lab = Lab::new(config).unwrap();
    lab.step(20);
    assert_eq!(lab.network().shapes().len(), 3);
    assert!(lab.runs()[1].diverged().is_none() && lab.runs()[1].step_count() == 20);
}
