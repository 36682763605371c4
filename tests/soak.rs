//! Long runs stay bounded in memory: histories are thinned, snapshots capped.
//!
//! `soak_default_experiment_a_million_steps` steps all six runs of the default experiment a
//! million times with recording on (about 10 minutes on one core; `scripts/soak.sh` runs it).
//! The quick test below runs in the ordinary suite.

use mc_playground::metrics::History;
use mc_playground::{Config, Lab};

/// Resident set size of this process in bytes (Linux), if it can be read.
fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn soak(config: Config, steps: u64, chunk: u64) -> (Lab, Vec<u64>) {
    let mut lab = Lab::new(config).unwrap();
    let mut samples = Vec::new();
    let mut done = 0;
    while done < steps {
        lab.step(chunk);
        done += chunk;
        for run in lab.runs() {
            assert!(run.history().len() <= History::DEFAULT_CAPACITY + 1);
            assert!(run.snapshots().len() <= 128);
        }
        if let Some(r) = rss() {
            samples.push(r);
        }
    }
    (lab, samples)
}

#[test]
fn a_long_run_keeps_its_history_bounded() {
    let config = Config::from_json(r#"{"problem": {"rows": 10, "cols": 10, "rank": 2, "observed": 50},
                                        "optimizers": [{"name": "adam", "learning_rate": 0.01}]}"#).unwrap();
    let (lab, samples) = soak(config, 100_000, 10_000);
    let run = &lab.runs()[0];
    assert_eq!(run.step_count(), 100_000);
    let steps = run.history().series("step").unwrap();
    assert_eq!(steps[0], 0.0);
    assert_eq!(*steps.last().unwrap(), 100_000.0, "the newest step is kept");
    // Memory after the first tenth does not keep growing (allow 8 MB of allocator noise).
    let (first, last) = (samples[0], *samples.last().unwrap());
    assert!(last < first + (8 << 20), "RSS grew from {first} to {last}");
}

#[test]
#[ignore = "about 10 minutes: scripts/soak.sh"]
fn soak_default_experiment_a_million_steps() {
    let (lab, samples) = soak(Config::default(), 1_000_000, 50_000);
    for run in lab.runs() {
        assert_eq!(run.step_count(), 1_000_000, "{}", run.optimizer().label());
        assert!(run.metrics().objective.is_finite());
    }
    let (first, last) = (samples[0], *samples.last().unwrap());
    eprintln!("RSS after 50 000 steps: {first} bytes; after 1 000 000: {last} bytes");
    assert!(last < first + (8 << 20), "RSS grew from {first} to {last}");
}
