//! Sweeps: the grid, shards that add up to the whole, resuming, CSV, plots and tables.

use std::collections::BTreeMap;
use mc_playground::sweep::{Shard, SweepSpec};

mod common;

use common::{run_with_stdin as bin, scratch};

const SPEC: &str = r#"{"base": {"problem": {"rows": 8, "cols": 7, "rank": 2, "observed": 30}, "steps": 5,
                               "optimizers": [{"name": "adam", "learning_rate": 0.01}, {"name": "gd"}]},
                      "axes": {"problem.observed": [20, 30, 40], "optimizers.1.learning_rate": [0.1, 1.0], "problem.seed": [0, 1]}}"#;

fn lines_by_cell(stdout: &[u8]) -> BTreeMap<u64, serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["cell"].as_u64().unwrap(), v)
        })
        .collect()
}

#[test]
fn cells_are_the_cartesian_product_first_axis_slowest() {
    let spec = SweepSpec::from_json(SPEC).unwrap();
    let cells = spec.cells().unwrap();
    assert_eq!(cells.len(), 12);
    let key = |k: usize| {
        let c = &cells[k].config;
        (c.problem.shape(), c.problem.seed, c.optimizers[1].learning_rate())
    };
    assert_eq!(key(0), ((8, 7), 0, Some(0.1)));
    assert_eq!(key(1), ((8, 7), 1, Some(0.1)));
    assert_eq!(key(2), ((8, 7), 0, Some(1.0)));
    let observed = |k: usize| match cells[k].config.problem.source {
        mc_playground::config::ProblemSource::Synthetic { observed, .. } => observed,
        _ => unreachable!(),
    };
    assert_eq!((observed(0), observed(4), observed(11)), (20, 30, 40));
    assert_eq!(cells[0].config.optimizers[0].learning_rate(), Some(0.01), "the base is kept elsewhere");
}

#[test]
fn bad_sweeps_name_the_axis_or_cell() {
    for (spec, needle) in [
        (r#"{"axes": {"problem.rnak": [1]}}"#, "axes.problem.rnak"),
        (r#"{"axes": {"optimizers.9.learning_rate": [1]}}"#, "index 9"),
        (r#"{"axes": {"problem.rank": []}}"#, "non-empty"),
        (r#"{"axes": {"problem.rank": [2, 99]}}"#, "cell 1: problem.rank"),
        (r#"{"base": {"problem": {"rank": 0}}}"#, "base.problem.rank"),
        (r#"{"axis": {}}"#, "axis"),
    ] {
        let err = SweepSpec::from_json(spec).and_then(|s| s.cells().map(|_| ())).unwrap_err().to_string();
        assert!(err.contains(needle), "{spec}: {err}");
    }
    let out = bin(&["sweep", "-"], r#"{"axes": {"problem.rank": [2, 99]}}"#);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing runs when a cell is bad");
}

#[test]
fn shards_together_equal_the_whole() {
    let whole = lines_by_cell(&bin(&["sweep", "-"], SPEC).stdout);
    assert_eq!(whole.len(), 12);
    let mut joined = BTreeMap::new();
    for i in 0..5 {
        let part = lines_by_cell(&bin(&["sweep", "-", "--shard", &format!("{i}/5")], SPEC).stdout);
        assert!(part.keys().all(|c| c % 5 == i));
        for (k, v) in part {
            assert!(joined.insert(k, v).is_none(), "cell {k} in two shards");
        }
    }
    assert_eq!(joined, whole, "the same cells with the same numbers");
    assert!("3/3".parse::<Shard>().is_err() && "a/2".parse::<Shard>().is_err() && "1/0".parse::<Shard>().is_err());
}

#[test]
fn an_interrupted_sweep_resumes_without_redoing_cells() {
    let dir = scratch("sweep");
    let out = dir.join("out.jsonl");
    let spec = dir.join("spec.json");
    std::fs::write(&spec, SPEC).unwrap();
    let (spec_s, out_s) = (spec.to_str().unwrap(), out.to_str().unwrap());
    assert!(bin(&["sweep", spec_s, "--out", out_s, "--shard", "0/3"], "").status.success());
    let first = std::fs::read_to_string(&out).unwrap();
    assert_eq!(first.lines().count(), 4);
    // An interrupted write leaves half a line: it is cut off and its cell redone.
    std::fs::write(&out, format!("{first}{{\"cell\": 1, \"axes\"")).unwrap();
    assert!(bin(&["sweep", spec_s, "--out", out_s], "").status.success());
    let all = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(all.starts_with(&first), "finished cells are kept as they were");
    let cells: Vec<u64> = all.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["cell"].as_u64().unwrap()).collect();
    let mut sorted = cells.clone();
    sorted.sort();
    assert_eq!(sorted, (0..12).collect::<Vec<u64>>(), "every cell exactly once");
}

#[test]
fn a_finished_sweep_run_again_says_so() {
    let dir = scratch("sweep-done");
    let out = dir.join("out.jsonl");
    let out_s = out.to_str().unwrap();
    assert!(bin(&["sweep", "-", "--out", out_s], SPEC).status.success());
    let before = std::fs::read_to_string(&out).unwrap();
    let again = bin(&["sweep", "-", "--out", out_s], SPEC);
    std::fs::remove_dir_all(&dir).ok();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("every cell is already in"), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(before.lines().count(), 12);
}

#[test]
fn csv_has_a_header_and_a_row_per_run() {
    let out = bin(&["sweep", "-", "--format", "csv"], SPEC);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = text.lines();
    let header = rows.next().unwrap();
    assert!(header.starts_with("cell,problem.observed,optimizers.1.learning_rate,problem.seed,run,optimizer,learning_rate"));
    let body: Vec<&str> = rows.collect();
    assert_eq!(body.len(), 24);
    let cols = header.split(',').count();
    assert!(body.iter().all(|r| r.split(',').count() == cols));
}

#[test]
fn plots_and_tables_from_sweep_output() {
    let dir = scratch("plot");
    let data = dir.join("data.jsonl");
    std::fs::write(&data, bin(&["sweep", "-"], SPEC).stdout).unwrap();
    let d = data.to_str().unwrap();
    for (args, svg) in [
        (vec!["plot", "lines", d, "--x", "problem.observed"], "lines.svg"),
        (vec!["plot", "map", d, "--x", "problem.observed", "--y", "optimizers.1.learning_rate"], "map.svg"),
        (vec!["plot", "spectra", d], "spectra.svg"),
    ] {
        let path = dir.join(svg);
        let mut args = args.clone();
        let p = path.to_str().unwrap().to_string();
        args.extend(["--out", &p]);
        let out = bin(&args, "");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("<svg") && text.contains("Adam"), "{svg}");
        // A write that fails (a full disk) says so, even for a figure small enough to go out in one write.
        let full = bin(&[&args[..args.len() - 2], &["--out", "/dev/full"]].concat(), "");
        let err = String::from_utf8_lossy(&full.stderr);
        assert_eq!(full.status.code(), Some(1), "{args:?}: {err}");
        assert!(full.stdout.is_empty(), "{args:?}: nothing was written");
        assert!(err.starts_with("mc-playground: /dev/full: ") && err.lines().count() == 1, "{args:?}: {err}");
    }
    let table = bin(&["table", d, "--rows", "problem.observed"], "");
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.starts_with("| problem.observed | method |"), "{text}");
    let rows: Vec<&str> = text.lines().take_while(|l| l.starts_with('|')).collect();
    assert_eq!(rows.len(), 2 + 3 * 2, "3 observed counts × 2 methods");
    // It says what each row pools (the spec's other axes: two learning rates, two seeds).
    assert!(text.contains("pooled over optimizers.1.learning_rate (2 values), problem.seed (2 values)"), "{text}");
    // An axis the sweep does not have is an error, not an empty column.
    let typo = bin(&["table", d, "--rows", "penalty"], "");
    assert_eq!(typo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("--rows: `penalty` is not an axis of this sweep (its axes: "), "{}", String::from_utf8_lossy(&typo.stderr));
    let bad = bin(&["plot", "lines", d, "--x", "problem.nothing", "--out", dir.join("x.svg").to_str().unwrap()], "");
    assert_eq!(bad.status.code(), Some(2));
    // So is a metric the runs do not have: the valid ones are named, and no figure is written.
    let nope = dir.join("nope.svg");
    let bad = bin(&["plot", "lines", d, "--x", "problem.observed", "--metric", "nope", "--out", nope.to_str().unwrap()], "");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{err}");
    assert!(err.contains("--metric: `nope` is not a metric of these runs (their metrics: objective, train_error, test_error,"), "{err}");
    assert!(!nope.exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_file_of_another_sweep_is_refused_not_mixed() {
    let dir = scratch("sweep-other");
    let spec = |observed: &str, steps: u32| {
        format!(
            r#"{{"base": {{"problem": {{"rows": 8, "cols": 7, "rank": 2, "observed": 30}}, "steps": {steps}, "optimizers": [{{"name": "adam"}}]}},
                "axes": {{"problem.observed": [{observed}]}}}}"#
        )
    };
    for (format, file) in [("jsonl", "out.jsonl"), ("csv", "out.csv")] {
        let out = dir.join(file);
        let o = out.to_str().unwrap();
        assert!(bin(&["sweep", "-", "--format", format, "--out", o], &spec("20, 30", 5)).status.success());
        let before = std::fs::read_to_string(&out).unwrap();
        // An axis value added (cell 1 is now 25, not 30), and the base changed (CSV does not record the steps).
        let mut edits = vec![(spec("20, 25, 30", 5), "cell 1")];
        if format == "jsonl" {
            // Either cell may come first in the file (cells finish in parallel).
            edits.push((spec("20, 30", 6), "has config.steps = 5, this sweep's 6"));
        }
        for (edited, why) in edits {
            let again = bin(&["sweep", "-", "--format", format, "--out", o], &edited);
            let err = String::from_utf8_lossy(&again.stderr);
            assert_eq!(again.status.code(), Some(2), "{format}: {err}");
            assert!(err.contains(&format!("{o} holds a different sweep: its ")) && err.contains(why), "{format}: {err}");
            assert!(err.contains("a new --out") && err.contains(&format!("delete {o}")), "{err}");
            assert_eq!(std::fs::read_to_string(&out).unwrap(), before, "{format}: nothing is added to it");
        }
        // The same sweep still finds its cells.
        let same = bin(&["sweep", "-", "--format", format, "--out", o], &spec("20, 30", 5));
        assert!(String::from_utf8_lossy(&same.stderr).contains("every cell is already in"), "{}", String::from_utf8_lossy(&same.stderr));
    }
    let axes = bin(&["sweep", "-", "--out", dir.join("out.jsonl").to_str().unwrap()], &spec("20, 25, 30", 5));
    assert!(String::from_utf8_lossy(&axes.stderr).contains("its cell 1 has axes.problem.observed = 30, this sweep's 25"), "{}", String::from_utf8_lossy(&axes.stderr));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_interrupted_csv_sweep_runs_its_last_cell_again_whole() {
    let dir = scratch("sweep-csv");
    let out = dir.join("out.csv");
    let o = out.to_str().unwrap();
    let whole = String::from_utf8(bin(&["sweep", "-", "--format", "csv"], SPEC).stdout).unwrap();
    assert!(bin(&["sweep", "-", "--format", "csv", "--out", o, "--shard", "0/3"], SPEC).status.success());
    // Cut short in cell 1, two runs: its first row written, its second half written.
    let cell_1: Vec<&str> = whole.lines().filter(|l| l.starts_with("1,")).collect();
    let first = std::fs::read_to_string(&out).unwrap();
    std::fs::write(&out, format!("{first}{}\n{}", cell_1[0], &cell_1[1][..20])).unwrap();
    assert!(bin(&["sweep", "-", "--format", "csv", "--out", o], SPEC).status.success());
    let all = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(all.starts_with(&first));
    let sorted = |text: &str| {
        let mut rows: Vec<String> = text.lines().map(String::from).collect();
        rows.sort();
        rows
    };
    assert_eq!(sorted(&all), sorted(&whole), "every run's row exactly once");
}

#[test]
fn a_table_without_test_errors_says_so() {
    // Every entry observed: no test error (null) for any run.
    let spec = r#"{"base": {"problem": {"truth": [[1, 2], [2, 4]], "observed_entries": [[0, 0], [0, 1], [1, 0], [1, 1]]},
                            "steps": 5, "optimizers": [{"name": "adam"}]},
                   "axes": {"objective.lambda": [0, 0.1]}}"#;
    let lines = String::from_utf8(bin(&["sweep", "-"], spec).stdout).unwrap();
    let table = bin(&["table", "-"], &lines);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(table.status.success());
    assert!(text.contains("\n| Adam | – | ") && !text.contains("NaN"), "{text}");
}

#[test]
fn a_table_counts_runs_that_blow_up_with_the_diverged_and_says_so() {
    // Rprop at 0.01 on the default experiment, seed 1: blowing up from step 48, not diverged
    // in 200 steps (tests/outcomes_next.rs); Adam never.
    let spec = r#"{"base": {"problem": {"seed": 1}, "steps": 200,
                            "optimizers": [{"name": "rprop", "learning_rate": 0.01}, {"name": "adam", "learning_rate": 0.01}]},
                   "axes": {"objective.lambda": [0.01]}}"#;
    let lines = String::from_utf8(bin(&["sweep", "-"], spec).stdout).unwrap();
    let line: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert!(line["runs"][0]["blowing_up_at"].as_u64().is_some_and(|s| s > 0 && s <= 200), "{line}");
    assert!(line["runs"][0]["diverged_at"].is_null() && line["runs"][1]["blowing_up_at"].is_null());
    let text = String::from_utf8(bin(&["table", "-"], &lines).stdout).unwrap();
    assert!(text.contains("\n| Rprop | – | – | 1 | 1 |") && text.contains("1 run was blowing up"), "{text}");
    assert!(text.contains("\n| Adam | 0.") && text.contains(" | 1 | 0 |"), "{text}");
}
