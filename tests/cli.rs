//! The native command line: output shape, stdin, explicit problems, and one-line errors.

mod common;

use std::fs::File;
use std::process::Stdio;

use common::{finish, run_with_stdin, scratch, start};

#[test]
fn run_prints_one_json_object_with_every_field() {
    let config = r#"{"steps": 20, "optimizers": [{"name": "adam", "learning_rate": 0.01}, {"name": "gd", "learning_rate": 0.01}]}"#;
    let out = run_with_stdin(&["run", "-"], config);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    let adam = &runs[0];
    assert_eq!(adam["optimizer"]["name"], "adam");
    assert_eq!(adam["optimizer"]["beta1"], 0.9, "defaults filled");
    assert_eq!(adam["optimizer"]["bias_correction"], true);
    assert_eq!(adam["steps"], 20);
    assert!(adam["diverged_at"].is_null());
    for key in ["objective", "train_error", "test_error", "effective_rank", "ratio"] {
        assert!(adam["final"][key].as_f64().unwrap().is_finite(), "{key}");
    }
    assert_eq!(adam["final"]["singular_values"].as_array().unwrap().len(), 30);
    let matrix = adam["matrix"].as_array().unwrap();
    assert_eq!(matrix.len(), 30);
    assert!(matrix.iter().all(|row| row.as_array().unwrap().len() == 30));
    assert_ne!(runs[0]["matrix"], runs[1]["matrix"]);
}

#[test]
fn run_reads_a_file_and_an_explicit_problem() {
    let dir = scratch("cli");
    let path = dir.join("explicit.json");
    std::fs::write(
        &path,
        r#"{"problem": {"truth": [[1, 2, 3], [2, 4, 6]], "observed_entries": [[0, 0], [1, 2], [0, 1]]},
            "steps": 5, "optimizers": [{"name": "rmsprop"}]}"#,
    )
    .unwrap();
    let out = run_with_stdin(&["run", path.to_str().unwrap()], "");
    std::fs::remove_dir_all(&dir).ok();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &v["runs"][0];
    assert_eq!(run["optimizer"]["learning_rate"], 0.01, "PyTorch's RMSprop default");
    let m = run["matrix"].as_array().unwrap();
    assert_eq!((m.len(), m[0].as_array().unwrap().len()), (2, 3), "row-major, m rows of n");
}

#[test]
fn a_bad_config_exits_non_zero_with_one_line_naming_the_field() {
    for (config, field) in [
        (r#"{"problem": {"rank": 40}}"#, "problem.rank"),
        (r#"{"optimizers": [{"name": "adam", "beta1": 1.5}]}"#, "optimizers[0].beta1"),
        (r#"{"problem": {"truth": [[1]], "observed_entries": [[0, 0], [0, 0]]}}"#, "problem.observed_entries[1]"),
        (r#"{"objective": {"lambda": "much"}}"#, "objective.lambda"),
        ("not json", "config"),
    ] {
        let out = run_with_stdin(&["run", "-"], config);
        assert_eq!(out.status.code(), Some(2), "{config}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{err:?}");
        assert!(err.contains(field), "{config}: {err}");
    }
    let out = run_with_stdin(&["run", "/nonexistent/config.json"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/config.json"));
}

#[test]
fn sensitivity_prints_cells_best_and_the_tuned_config() {
    let config = r#"{"problem": {"rows": 10, "cols": 10, "rank": 1, "observed": 50}, "steps": 50,
                     "optimizers": [{"name": "gd", "learning_rate": 0.01}, {"name": "adam"}, {"name": "soft_impute"}]}"#;
    let out = run_with_stdin(&["sensitivity", "-", "--grid", "0.01,1", "--threads", "2"], config);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["protocol"]["grid"], serde_json::json!([0.01, 1.0]));
    assert_eq!(v["protocol"]["steps"], 50);
    assert_eq!(v["cells"].as_array().unwrap().len(), 4);
    assert_eq!(v["best"].as_array().unwrap().len(), 2);
    assert_eq!(v["tuned_config"]["optimizers"][2]["name"], "soft_impute");
    let out = run_with_stdin(&["sensitivity", "-", "--from", "3", "--to", "1"], config);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("grid"));
}

#[test]
fn run_reads_the_pages_export_as_its_config() {
    // The shape of the page's "JSON" export (www/main.js exportJson): the config under `config`.
    let config = r#"{"steps": 15, "problem": {"rows": 8, "cols": 7, "rank": 2, "observed": 30, "seed": 3},
                     "optimizers": [{"name": "adam", "learning_rate": 0.02}, {"name": "gd", "learning_rate": 0.01}]}"#;
    let export = format!(
        r#"{{"about": "mc-playground export: matrices are m × n, row by row", "url": "http://127.0.0.1:8000/#steps=15",
            "config": {config}, "rows": 8, "cols": 7, "truth": [], "observed": [], "runs": []}}"#
    );
    let direct = run_with_stdin(&["run", "-"], config);
    let exported = run_with_stdin(&["run", "-"], &export);
    assert!(direct.status.success() && exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    assert_eq!(direct.stdout, exported.stdout, "the same run, to the last digit");
    assert!(String::from_utf8_lossy(&exported.stderr).contains("the page's export"));
    // Exported while stopped elsewhere: the command says how far it runs.
    let early = export.replace(r#""runs": []"#, r#""runs": [{"metrics": {"step": 7}}]"#);
    let out = run_with_stdin(&["run", "-"], &early);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the page was at step 7 when it exported; this runs to the config's 15"), "{}", String::from_utf8_lossy(&out.stderr));
    // Anything else with extra keys is still refused as a config.
    let other = run_with_stdin(&["run", "-"], &format!(r#"{{"about": "something else", "config": {config}}}"#));
    assert!(!other.status.success());
    assert!(String::from_utf8_lossy(&other.stderr).contains("unknown field `about`"), "{}", String::from_utf8_lossy(&other.stderr));
}

#[test]
fn output_errors_end_in_one_line_or_quietly_never_in_a_panic() {
    let dir = scratch("cli-output");
    let csv = dir.join("data.csv");
    std::fs::write(&csv, "1,2,\n2,,6\n,6,9\n").unwrap();
    let config = r#"{"problem": {"rows": 6, "cols": 5, "rank": 1, "observed": 15}, "steps": 5, "optimizers": [{"name": "gd"}]}"#;
    let spec = format!(r#"{{"base": {config}, "axes": {{"problem.seed": [0, 1]}}}}"#);
    let lines = String::from_utf8(run_with_stdin(&["sweep", "-"], &spec).stdout).unwrap();
    let (csv, svg) = (csv.to_str().unwrap(), dir.join("fig.svg"));
    // Each command reads its standard input first, so its reader is gone before it writes.
    for (args, stdin) in [
        (vec!["run", "-"], config),
        (vec!["sensitivity", "-", "--grid", "0.01,1"], config),
        (vec!["complete", csv, "--config", "-"], r#"{"steps": 5}"#),
        (vec!["sweep", "-"], &spec),
        (vec!["sweep", "-", "--format", "csv"], &spec),
        (vec!["table", "-"], &lines),
        (vec!["plot", "spectra", "-", "--out", svg.to_str().unwrap()], &lines),
    ] {
        // A full disk: one line naming standard output, status 1.
        let full = finish(start(&args, File::create("/dev/full").unwrap().into(), Stdio::piped()), stdin);
        let err = String::from_utf8_lossy(&full.stderr);
        assert_eq!(full.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("mc-playground: standard output: "), "{args:?}: {err}");
        // A closed pipe (`| head`): the output ends quietly, as the reader wanted.
        let mut child = start(&args, Stdio::piped(), Stdio::piped());
        drop(child.stdout.take());
        let gone = finish(child, stdin);
        assert_eq!(gone.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&gone.stderr));
        assert!(gone.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&gone.stderr));
    }
    std::fs::remove_dir_all(&dir).ok();
    // Standard error unwritable too: the status still says what happened.
    let out = finish(start(&["run", "/nonexistent/config.json"], Stdio::piped(), File::create("/dev/full").unwrap().into()), "");
    assert_eq!(out.status.code(), Some(2));
}

/// `methods` lists every method of the catalog once, as a table and (`--json`) as the JSON the
/// page's `Lab.methods()` gives.
#[test]
fn methods_lists_the_catalog_as_a_table_and_as_json() {
    let out = run_with_stdin(&["methods", "--json"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|m| m["name"].as_str().unwrap()).collect();
    let catalog: Vec<&str> = mc_playground::catalog::CATALOG.iter().map(|e| e.meta.name).collect();
    assert_eq!(names, catalog);
    assert_eq!(String::from_utf8(out.stdout.clone()).unwrap().trim_end(), mc_playground::catalog::catalog_json());
    let adam = &list[0];
    assert_eq!(adam["label"], "Adam");
    assert_eq!(adam["family"], "adaptive");
    assert_eq!(adam["equivariant"], false);
    assert_eq!(adam["hyper"][1]["name"], "beta1");
    assert_eq!(adam["hyper"][1]["default"], 0.9);
    assert_eq!(adam["hyper"][1]["range"], "[0, 1)");
    assert!(adam["rule"]["source"].as_str().unwrap().contains("torch.optim.Adam"));

    let out = run_with_stdin(&["methods"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("name") && lines[0].contains("equivariant") && lines[0].contains("source"), "{}", lines[0]);
    assert_eq!(lines.len(), 1 + catalog.len());
    for (line, name) in lines[1..].iter().zip(&catalog) {
        assert!(line.starts_with(&format!("{name} ")), "{line}");
    }
    assert!(lines.iter().any(|l| l.starts_with("newton ") && l.contains("damping=0.0001 (> 0)") && l.contains("Nocedal & Wright")));
    assert!(lines.iter().any(|l| l.starts_with("gd ") && l.contains(" yes ")));
}
