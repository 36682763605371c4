//! The lab: the default experiment tells the story on several seeds; runs share one start;
//! divergence stops one run and not the others; reset and hot changes behave.

use mc_playground::config::{Config, ProblemSource};
use mc_playground::problem::Problem;
use mc_playground::Lab;

fn default_with_seed(seed: u64) -> Config {
    let mut c = Config::default();
    c.problem.seed = seed;
    c
}

/// Final (test error, effective rank) per optimizer name after the config's steps.
fn outcomes(config: Config) -> Vec<(String, f64, f64)> {
    let mut lab = Lab::new(config).unwrap();
    lab.step(lab.config().steps);
    lab.runs()
        .iter()
        .map(|r| {
            assert!(r.diverged().is_none(), "{} diverged: {:?}", r.optimizer().name(), r.diverged());
            assert_eq!(r.step_count(), 3000);
            (r.optimizer().name().to_string(), r.metrics().test_error, r.metrics().effective_rank)
        })
        .collect()
}

#[test]
fn default_experiment_tells_the_story_on_several_seeds() {
    let seeds = [0u64, 1, 2, 3, 4, 5];
    let results: Vec<Vec<(String, f64, f64)>> = std::thread::scope(|s| {
        let handles: Vec<_> = seeds.iter().map(|&seed| s.spawn(move || outcomes(default_with_seed(seed)))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (seed, runs) in seeds.iter().zip(&results) {
        let get = |name: &str| runs.iter().find(|r| r.0 == name).unwrap();
        let report = format!("seed {seed}: {runs:?}");
        for name in ["adam", "rmsprop"] {
            let (_, test, rank) = get(name);
            assert!(*test < 0.05, "{name} should recover: {report}");
            assert!((*rank - 2.0).abs() < 0.5, "{name}'s effective rank should be near 2: {report}");
        }
        for name in ["gd", "momentum", "nesterov"] {
            assert!(get(name).1 > 0.9, "{name} should stay near its start: {report}");
        }
        let adagrad = get("adagrad").1;
        assert!(adagrad > get("rmsprop").1.max(get("adam").1) && adagrad < 0.9, "AdaGrad in between: {report}");
    }
}

#[test]
fn every_run_starts_from_the_observations() {
    let lab = Lab::new(Config::default()).unwrap();
    let p = lab.problem();
    for run in lab.runs() {
        assert_eq!(run.matrix(), &p.observations);
        assert_eq!(run.step_count(), 0);
        assert_eq!(run.metrics().train_error, 0.0, "the start fits Ω exactly");
        assert_eq!(run.history().len(), 1);
    }
}

#[test]
fn synthetic_problem_is_as_specified_and_seeded() {
    let c = Config::default();
    let p = Problem::new(&c.problem);
    assert_eq!(p.shape(), (30, 30));
    assert!((p.truth.norm() - 30.0).abs() < 1e-12, "‖W*‖_F = √(m·n)");
    let sv = p.truth.singular_values();
    let mut sv: Vec<f64> = sv.iter().copied().collect();
    sv.sort_by(|a, b| b.partial_cmp(a).unwrap());
    assert!(sv[1] > 1.0 && sv[2] < 1e-12 * sv[0], "rank 2: {:?}", &sv[..4]);
    assert_eq!(p.omega.len(), 300);
    assert!(p.omega.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
    assert_eq!(p.mask.iter().filter(|&&o| o).count(), 300);
    for &(i, j) in &p.omega {
        assert_eq!(p.observations[(i, j)], p.truth[(i, j)]);
    }
    assert_eq!(p.observations.iter().filter(|&&v| v != 0.0).count(), 300);
    // Same seed, same problem; another seed, another problem.
    let again = Problem::new(&c.problem);
    assert_eq!((again.truth, again.omega), (p.truth.clone(), p.omega.clone()));
    let other = Problem::new(&default_with_seed(1).problem);
    assert_ne!(other.omega, p.omega);
}

#[test]
fn noise_changes_observations_only_on_omega() {
    let mut c = Config::default();
    c.problem.noise = 0.5;
    let noisy = Problem::new(&c.problem);
    let clean = Problem::new(&Config::default().problem);
    assert_eq!(noisy.truth, clean.truth);
    assert_eq!(noisy.omega, clean.omega);
    let diffs: Vec<f64> = noisy.omega.iter().map(|&(i, j)| noisy.observations[(i, j)] - noisy.truth[(i, j)]).collect();
    let sd = (diffs.iter().map(|d| d * d).sum::<f64>() / diffs.len() as f64).sqrt();
    assert!((sd - 0.5).abs() < 0.1, "noise σ ≈ 0.5, got {sd}");
    let off: f64 = noisy.observations.iter().zip(noisy.mask.iter()).filter(|(_, &o)| !o).map(|(v, _)| v.abs()).sum();
    assert_eq!(off, 0.0);
}

#[test]
fn explicit_problem_runs() {
    let text = r#"{"problem": {"truth": [[1, 2, 3], [2, 4, 6], [3, 6, 9]],
                   "observed_entries": [[0, 0], [0, 1], [0, 2], [1, 0], [2, 0], [1, 1], [2, 2]]},
                   "steps": 200, "optimizers": [{"name": "adam", "learning_rate": 0.01}]}"#;
    let mut lab = Lab::from_json(text).unwrap();
    assert_eq!(lab.problem().rank, 1);
    assert!(matches!(lab.config().problem.source, ProblemSource::Explicit { .. }));
    lab.step(200);
    let m = lab.runs()[0].metrics();
    assert!(m.test_error.is_finite() && m.test_error < 1.0, "{m:?}");
}

#[test]
fn a_diverging_run_stops_and_the_others_go_on() {
    let text = r#"{"steps": 50, "optimizers": [{"name": "gd", "learning_rate": 1e9}, {"name": "adam", "learning_rate": 0.01}]}"#;
    let mut lab = Lab::from_json(text).unwrap();
    lab.step(50);
    let (bad, good) = (&lab.runs()[0], &lab.runs()[1]);
    let d = bad.diverged().expect("GD at learning rate 1e9 diverges");
    assert!(d.step >= 1 && d.step <= 50 && !d.reason.is_empty(), "{d:?}");
    assert_eq!(bad.step_count(), d.step - 1, "the last finite iterate is kept");
    assert!(bad.matrix().iter().all(|v| v.is_finite()));
    assert!(bad.metrics().objective.is_finite());
    assert!(good.diverged().is_none());
    assert_eq!(good.step_count(), 50);
}

#[test]
fn a_diverged_run_reports_the_metrics_of_its_last_good_step_with_recording_off() {
    // The command line steps with recording off; its "final" metrics of a run that diverged
    // were those of step 0 (an adversarial tester: GD at learning rate 1000 diverges at step 15).
    let text = r#"{"steps": 200, "optimizers": [{"name": "gd", "learning_rate": 1000}]}"#;
    let mut recorded = Lab::from_json(text).unwrap();
    recorded.step(200);
    let mut quiet = Lab::from_json(text).unwrap();
    quiet.set_recording(false);
    quiet.step(200);
    let (a, b) = (&recorded.runs()[0], &quiet.runs()[0]);
    let d = b.diverged().expect("GD at learning rate 1000 diverges");
    assert!(d.step > 1, "{d:?}");
    assert_eq!(a.diverged().map(|d| d.step), Some(d.step));
    assert_eq!(b.step_count(), d.step - 1);
    assert_eq!(b.metrics(), a.metrics(), "the metrics of the last good step, as when recording");
    assert!(b.metrics().test_error < 1.0 && b.metrics().frobenius_norm > 100.0, "{:?}", b.metrics());
}

#[test]
fn reset_replays_bit_for_bit() {
    let mut lab = Lab::new(Config::default()).unwrap();
    lab.step(40);
    let first: Vec<_> = lab.runs().iter().map(|r| r.matrix().clone()).collect();
    lab.reset();
    assert!(lab.runs().iter().all(|r| r.step_count() == 0 && r.history().len() == 1));
    assert!(lab.runs().iter().all(|r| r.matrix() == lab.start()));
    lab.step(40);
    let again: Vec<_> = lab.runs().iter().map(|r| r.matrix().clone()).collect();
    assert_eq!(first, again);
}

#[test]
fn a_hot_learning_rate_change_keeps_the_state() {
    // Adam's step is lr·m̂/(√v̂ + eps): with the moments kept, the step after a change from
    // 0.01 to 0.001 is exactly a tenth of the step at 0.01 from the same point (the gradient,
    // hence the moments, do not depend on the new rate). A reset state would give a step of
    // length ≈ lr in every entry instead.
    let mut reference = Lab::new(Config::default()).unwrap();
    reference.step(10);
    let mut hot = reference.clone();
    let w10 = reference.runs()[0].matrix().clone();
    reference.step(1);
    hot.set_learning_rate(0, 0.001).unwrap();
    assert_eq!(hot.runs()[0].optimizer().learning_rate(), Some(0.001));
    assert_eq!(hot.config().optimizers[0].learning_rate(), Some(0.001));
    hot.step(1);
    assert_eq!(hot.runs()[0].step_count(), 11);
    let full = reference.runs()[0].matrix() - &w10;
    let tenth = hot.runs()[0].matrix() - &w10;
    assert!((&full * 0.1 - &tenth).norm() < 1e-9 * tenth.norm(), "the step scales with the rate");
    assert!(hot.set_learning_rate(0, -1.0).unwrap_err().to_string().contains("optimizers[0].learning_rate"));
    assert!(hot.set_learning_rate(0, f64::NAN).is_err());
    assert!(hot.set_learning_rate(99, 0.1).is_err());
    assert_eq!(hot.runs()[0].optimizer().learning_rate(), Some(0.001), "a rejected value changes nothing");
}

#[test]
fn a_disabled_run_is_not_stepped() {
    let mut lab = Lab::new(Config::default()).unwrap();
    lab.set_enabled(3, false);
    lab.step(5);
    assert_eq!(lab.runs()[3].step_count(), 0);
    assert_eq!(lab.runs()[0].step_count(), 5);
    lab.set_enabled(3, true);
    lab.set_enabled(99, true);
    lab.step(1);
    assert_eq!(lab.runs()[3].step_count(), 1);
}

#[test]
fn gaussian_start_is_seeded_and_scaled() {
    let c = Config::from_json(r#"{"model": {"init": "gaussian", "init_scale": 0.01}, "optimizers": [{"name": "gd"}]}"#).unwrap();
    let a = Lab::new(c.clone()).unwrap();
    let b = Lab::new(c).unwrap();
    assert_eq!(a.start(), b.start());
    let rms = (a.start().norm_squared() / 900.0).sqrt();
    assert!((rms - 0.01).abs() < 0.002, "RMS entry {rms}");
}
