//! What the preset "It's the step, not the entries" (www/presets.js) says, asserted on the
//! default experiment (30 × 30, rank 2, 300 seen, ratio penalty λ = 0.01, 3000 steps) on three
//! seeds: GD's step ‖ΔW‖_F stays below 10⁻⁴ and it does not find W*; normalised GD (rate 0.1),
//! Adam, sign SGD, spectral descent and Muon (weight decay 0), all at 0.01 but normalised GD,
//! step at least 10⁻² at every step and find W* (test error below 0.05). Two of them keep GD's
//! rotation-equivariant structure (the catalog says which).

use mc_playground::catalog;
use mc_playground::lab::Lab;

const RUNS: &str = r#"[{"name":"gd","learning_rate":0.01},{"name":"normalized_gd","learning_rate":0.1},
  {"name":"adam","learning_rate":0.01},{"name":"sign_sgd","learning_rate":0.01},
  {"name":"spectral_descent","learning_rate":0.01},{"name":"muon","learning_rate":0.01,"weight_decay":0}]"#;

#[test]
fn it_is_the_step_length_not_the_entries() {
    for seed in 0..3 {
        let config = format!(
            r#"{{"problem":{{"rows":30,"cols":30,"rank":2,"observed":300,"seed":{seed}}},
            "objective":{{"penalty":"ratio","lambda":0.01}},"steps":3000,"optimizers":{RUNS}}}"#
        );
        let mut lab = Lab::from_json(&config).unwrap();
        lab.step(3000);
        for run in lab.runs() {
            let name = run.optimizer().meta().name;
            assert!(run.diverged().is_none(), "seed {seed}: {name} diverged");
            let norms = &run.history().series("step_norm").unwrap()[1..];
            let (low, high) = norms.iter().fold((f64::INFINITY, 0.0f64), |(l, h), &v| (l.min(v), h.max(v)));
            let test_error = run.metrics().test_error;
            if name == "gd" {
                assert!(high < 1e-4 && test_error > 0.5, "seed {seed}: gd steps up to {high:e}, test error {test_error}");
            } else {
                assert!(low > 1e-2 && test_error < 0.05, "seed {seed}: {name} steps from {low:e}, test error {test_error}");
            }
        }
    }
    let equivariant: Vec<&str> =
        ["normalized_gd", "adam", "sign_sgd", "spectral_descent", "muon"].into_iter().filter(|n| catalog::find(n).unwrap().meta.equivariant).collect();
    assert_eq!(equivariant, ["normalized_gd", "spectral_descent", "muon"]);
}
