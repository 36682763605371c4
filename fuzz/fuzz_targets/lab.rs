//! Configs that parse are run for a few steps: no panic, finite iterates, honest divergence.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mc_playground::Lab;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(mut config) = mc_playground::Config::from_json(&text) else { return };
    // Keep each input cheap: small problems, few steps.
    let (m, n) = config.problem.shape();
    if m * n > 400 || config.model.width.unwrap_or(m.max(n)) > 20 {
        return;
    }
    config.steps = config.steps.min(5);
    let Ok(mut lab) = Lab::new(config) else { return };
    lab.step(5);
    for run in lab.runs() {
        assert!(run.matrix().iter().all(|v| v.is_finite()));
        if run.diverged().is_none() {
            assert!(run.metrics().objective.is_finite());
        }
    }
});
