//! The config schema: defaults, round trips, and one clear error per bad field.

use mc_playground::config::{Config, Init, Penalty, ProblemSource};
use mc_playground::optim::Adam;

fn error_of(json: &str) -> String {
    match Config::from_json(json) {
        Ok(c) => panic!("accepted a bad config {json}: {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn empty_config_is_the_default_experiment() {
    let c = Config::from_json("{}").unwrap();
    assert_eq!(c, Config::default());
    assert_eq!(c.problem.source, ProblemSource::Synthetic { rows: 30, cols: 30, rank: 2, observed: 300 });
    assert_eq!((c.problem.noise, c.problem.seed, c.steps), (0.0, 0, 3000));
    assert_eq!(c.model.init, Init::Observed);
    assert_eq!((c.objective.penalty, c.objective.lambda), (Penalty::Ratio, 0.01));
    let names: Vec<&str> = c.optimizers.iter().map(|o| o.name()).collect();
    assert_eq!(names, ["adam", "rmsprop", "adagrad", "gd", "momentum", "nesterov"]);
    assert!(c.optimizers.iter().all(|o| o.learning_rate() == Some(0.01)));
}

#[test]
fn issue_example_parses_and_fills_pytorch_defaults() {
    let c = Config::from_json(
        r#"{"problem": {"rows": 30, "cols": 30, "rank": 2, "observed": 300, "noise": 0.0, "seed": 0},
            "model": {"init": "observed", "init_scale": 0.001},
            "objective": {"penalty": "ratio", "lambda": 0.01},
            "steps": 3000,
            "optimizers": [{"name": "adam", "learning_rate": 0.01}, {"name": "gd", "learning_rate": 0.01}]}"#,
    )
    .unwrap();
    let a = c.optimizers[0].downcast_ref::<Adam>().expect("adam");
    assert_eq!((a.beta1, a.beta2, a.eps, a.weight_decay, a.bias_correction), (0.9, 0.999, 1e-8, 0.0, true));
    let json: serde_json::Value = serde_json::from_str(&c.to_json()).unwrap();
    assert_eq!(json["optimizers"][0]["name"], "adam");
    assert_eq!(json["optimizers"][0]["beta2"], 0.999);
    assert_eq!(json["problem"]["rows"], 30);
}

#[test]
fn json_round_trip_is_exact() {
    for text in [
        "{}",
        r#"{"problem": {"truth": [[1, 2.5], [3, -4]], "observed_entries": [[0, 1], [1, 0]], "noise": 0.5, "seed": 9}}"#,
        r#"{"optimizers": [{"name": "adam", "bias_correction": false, "beta1": 0.5}, {"name": "adamw"}, {"name": "nesterov", "momentum": 0.5}]}"#,
        r#"{"model": {"init": "gaussian", "init_scale": 0.1}, "objective": {"penalty": "nuclear", "lambda": 0}}"#,
        r#"{"problem": {"truth": [[1, null], [null, 4]], "observed": 2, "seed": 3}}"#,
        r#"{"problem": {"truth": [[1, null], [2, 4]], "observed_entries": [[1, 0]]}}"#,
    ] {
        let c = Config::from_json(text).unwrap();
        assert_eq!(Config::from_json(&c.to_json()).unwrap(), c, "{text}");
    }
}

#[test]
fn bad_configs_name_the_field() {
    let cases = [
        (r#"{"problem": {"rank": 31}}"#, "problem.rank"),
        (r#"{"problem": {"rank": 0}}"#, "problem.rank"),
        (r#"{"problem": {"rows": 5, "cols": 5, "observed": 26}}"#, "problem.observed"),
        (r#"{"problem": {"rows": 0}}"#, "problem.rows"),
        (r#"{"problem": {"cols": 100000}}"#, "problem.cols"),
        (r#"{"problem": {"noise": -1}}"#, "problem.noise"),
        (r#"{"problem": {"rows": 3.5}}"#, "problem.rows"),
        (r#"{"problem": {"rows": "ten"}}"#, "problem.rows"),
        (r#"{"problem": {"colour": 1}}"#, "colour"),
        (r#"{"problem": {"truth": [[1, 2], [3]], "observed_entries": [[0, 0]]}}"#, "problem.truth[1]"),
        (r#"{"problem": {"truth": [[1, 2]], "observed_entries": [[0, 2]]}}"#, "problem.observed_entries[0]"),
        (r#"{"problem": {"truth": [[1, 2]], "observed_entries": [[0, 1], [0, 1]]}}"#, "problem.observed_entries[1]"),
        (r#"{"problem": {"truth": [[1, 2]], "observed_entries": [[0, 1]], "rank": 1}}"#, "problem.rank"),
        (r#"{"problem": {"truth": [[1, null]], "observed_entries": [[0, 1]]}}"#, "problem.observed_entries[0]"),
        (r#"{"problem": {"truth": [[1, null]], "observed": 2}}"#, "problem.observed"),
        (r#"{"problem": {"truth": [[1, 2]], "observed": 1, "observed_entries": [[0, 0]]}}"#, "problem.observed"),
        (r#"{"problem": {"truth": [[1, 2]]}}"#, "problem.observed_entries"),
        (r#"{"problem": {"truth": [], "observed_entries": []}}"#, "problem.truth"),
        (r#"{"problem": {"truth": [[1, 1e999]], "observed_entries": [[0, 0]]}}"#, "problem.truth"),
        (r#"{"model": {"init": "zeros"}}"#, "model.init"),
        (r#"{"model": {"init_scale": 0}}"#, "model.init_scale"),
        (r#"{"objective": {"penalty": "l1"}}"#, "objective.penalty"),
        (r#"{"objective": {"lambda": -0.1}}"#, "objective.lambda"),
        (r#"{"steps": -1}"#, "steps"),
        (r#"{"optimizers": []}"#, "optimizers"),
        (r#"{"optimizers": [{"name": "sgd"}]}"#, "optimizers[0]"),
        (r#"{"optimizers": [{"learning_rate": 0.1}]}"#, "optimizers[0]"),
        (r#"{"optimizers": [{"name": "gd", "beta1": 0.9}]}"#, "beta1"),
        (r#"{"optimizers": [{"name": "gd"}, {"name": "adam", "beta2": 1.0}]}"#, "optimizers[1].beta2"),
        (r#"{"optimizers": [{"name": "adam", "learning_rate": -1}]}"#, "optimizers[0].learning_rate"),
        (r#"{"optimizers": [{"name": "nesterov", "momentum": 0}]}"#, "optimizers[0].momentum"),
        (r#"{"optimizers": [{"name": "rmsprop", "alpha": 1.5}]}"#, "optimizers[0].alpha"),
        (r#"{"optimizers": [{"name": "adagrad", "eps": -1e-10}]}"#, "optimizers[0].eps"),
        (r#"{"problm": {}}"#, "problm"),
        ("[1, 2]", "config"),
        ("{", "config"),
    ];
    for (json, field) in cases {
        let message = error_of(json);
        assert!(message.contains(field), "{json}: message {message:?} does not name {field}");
        assert!(!message.contains('\n') && !message.contains('\0'), "{json}: not one clean line: {message:?}");
    }
}

#[test]
fn messages_stay_one_line_whatever_the_input_quotes() {
    // Found by fuzzing (fuzz target `config`): a key with a newline in it came back inside the
    // message, which broke "one line naming the field".
    for json in [
        "{\"\\u00ff!\\\\\\n\": 1}",
        r#"{"problem": {"a\nb": 1}}"#,
        r#"{"problem": {"a\u0000b": 1}}"#,
        r#"{"optimizers": [{"name": "x\ny"}]}"#,
        r#"{"model": {"init": "\u0000"}}"#,
    ] {
        let m = error_of(json);
        assert!(!m.contains('\n') && !m.contains('\0'), "{json}: {m:?}");
    }
    // The NUL inside a quoted problem key does not split the message in the wrong place.
    let m = error_of(r#"{"problem": {"a\u0000b": 1}}"#);
    assert!(m.starts_with("problem.a\\u{0}b: unknown field"), "{m}");
}

#[test]
fn hostile_configs_found_by_trying_to_break_it() {
    for (json, field) in [
        ("{} xyz", "invalid JSON"),
        (r#"{"steps": 10} {"steps": 99}"#, "invalid JSON"),
        (r#"{"problem": [10, 10, 1, 50, null, null, 0, 0]}"#, "problem"),
        (r#"{"model": ["gaussian", 1]}"#, "model"),
        (r#"{"objective": ["none", 0]}"#, "objective"),
        (r#"{"optimizers": [["adam", 0.1]]}"#, "optimizers[0]"),
        (r#"{"optimizers": [{"name": "adam", "learning_rate": "0.1"}]}"#, "optimizers[0].learning_rate"),
        (r#"{"optimizers": [{"name": "adam", "bias_correction": "no"}]}"#, "optimizers[0].bias_correction"),
        (r#"{"optimizers": [{"name": "gd"}, {"name": "newton", "max_cg": -1}]}"#, "optimizers[1].max_cg"),
        (r#"{"problem": {"noise": 1e308}}"#, "problem.noise"),
        (r#"{"model": {"init": "gaussian", "init_scale": 1e300}}"#, "model.init_scale"),
        (r#"{"objective": {"lambda": 1e300}}"#, "objective.lambda"),
        (r#"{"objective": {"scale": 1e-300}}"#, "objective.scale"),
        (r#"{"problem": {"truth": [[1e300, 1]], "observed_entries": [[0, 0]]}}"#, "problem.truth[0][0]"),
        (r#"{"problem": {"rows": 1e21}}"#, "problem.rows"),
    ] {
        let m = error_of(json);
        assert!(m.contains(field), "{json}: {m}");
    }
    // Words, not Rust type names.
    assert!(error_of(r#"{"problem": {"rows": -5}}"#).contains("whole number"));
    assert!(error_of(r#"{"optimizers": [{"name": "adam", "learning_rate": true}]}"#).contains("expected a number"));
    // Input quoted in a message is cut short.
    let huge = format!(r#"{{"optimizers": [{{"name": "{}"}}]}}"#, "x".repeat(100_000));
    assert!(error_of(&huge).chars().count() < 400);
    // A byte-order mark is not an error; the largest double below 1 is a valid beta2, kept exactly.
    let c = Config::from_json("\u{feff}{\"optimizers\": [{\"name\": \"adam\", \"beta2\": 0.9999999999999999, \"beta1\": 0.36995516654807925}]}").unwrap();
    let a = c.optimizers[0].downcast_ref::<Adam>().expect("adam");
    assert_eq!(a.beta2, 0.9999999999999999);
    assert_eq!(a.beta1, 0.36995516654807925, "numbers are parsed exactly (float_roundtrip)");
}

#[test]
fn numbers_in_messages_stay_short() {
    // 1e308 printed as written would be 309 digits long.
    assert_eq!(error_of(r#"{"problem": {"noise": 1e308}}"#), "problem.noise: must be between 0 and 1e100, got 1e308");
    assert_eq!(error_of(r#"{"objective": {"lambda": -2.5e-9}}"#), "objective.lambda: must be between 0 and 1e100, got -2.5e-9");
    // Plain numbers stay plain.
    assert_eq!(error_of(r#"{"optimizers": [{"name": "adam", "beta1": 1.5}]}"#), "optimizers[0].beta1: must be in [0, 1), got 1.5");
    // An unknown name lists the catalog's names (28 since issues 16 and 17), nothing more.
    assert!(error_of(r#"{"optimizers": [{"name": "sgd_typo"}]}"#).len() < 500);
}

#[test]
fn numbers_are_read_to_the_nearest_double() {
    // Cases a fast float parser gets wrong (long significands, powers of ten beyond 10^22,
    // halfway cases, subnormals): each must be the nearest double, as the compiler reads the
    // same literal (written out in full on purpose, hence the allow).
    #[allow(clippy::excessive_precision)]
    let cases: [(&str, f64); 9] = [
        ("0.01", 0.01),
        ("1e-30", 1e-30),
        ("2.2250738585072011e-308", 2.2250738585072011e-308),
        ("4.9e-324", 4.9e-324),
        ("123456789012345678901234567890e-25", 123456789012345678901234567890e-25),
        ("9007199254740993", 9007199254740993.0),
        ("0.1000000000000000055511151231257827021181583404541015625", 0.1),
        ("7.3177701707893310e+15", 7.3177701707893310e+15),
        ("-2.5e-9", -2.5e-9),
    ];
    for (text, want) in cases {
        let c = Config::from_json(&format!(r#"{{"problem": {{"truth": [[{text}, 1]], "observed": 1}}}}"#)).unwrap();
        let ProblemSource::Explicit { truth, .. } = &c.problem.source else { panic!() };
        assert_eq!(truth[0][0].unwrap().to_bits(), want.to_bits(), "{text}");
    }
    // Whole numbers stay whole (a u64 seed above 2^53 keeps every bit); -0 and 1e3 are not.
    let c = Config::from_json(r#"{"problem": {"seed": 18446744073709551615}}"#).unwrap();
    assert_eq!(c.problem.seed, u64::MAX);
    assert!(error_of(r#"{"problem": {"seed": -0}}"#).starts_with("problem.seed: invalid type: number `-0.0`"));
    assert!(error_of(r#"{"problem": {"rows": 1e3}}"#).starts_with("problem.rows: invalid type: number `1000.0`"));
    assert!(error_of(r#"{"problem": {"seed": 18446744073709551616}}"#).starts_with("problem.seed: invalid type"));
}

#[test]
fn deep_or_broken_json_is_an_error_not_a_crash() {
    let deep = format!(r#"{{"problem": {{"truth": {}1{}}}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    assert!(error_of(&deep).starts_with("problem.truth"), "{}", error_of(&deep));
    assert_eq!(error_of(r#"{"problem": {"truth": [[1, 1e999]], "observed": 1}}"#), "problem.truth[0][1]: number out of range");
    assert_eq!(error_of(r#"{"problem": {"rows": tru}}"#), "config: invalid JSON: expected ident at line 1 column 25");
    assert_eq!(error_of(r#"{"steps": 10,}"#), "config: invalid JSON: key must be a string at line 1 column 14");
    // Duplicate keys: the last one counts, as in serde_json.
    assert_eq!(Config::from_json(r#"{"steps": 10, "steps": 20}"#).unwrap().steps, 20);
}

#[test]
fn big_and_deep_json_is_rejected_within_a_few_levels() {
    // Each level of arrays and objects is read again from the text below it, so the text is
    // read once per level: 25 million `[` then `]` (50 MB) took 8.5 s natively at serde_json's
    // limit of 128 levels. No field of a config is deeper than 4 levels (problem.truth[i][j]).
    let deep = format!(r#"{{"problem": {{"truth": {}{}}}}}"#, "[".repeat(1000), "]".repeat(1000));
    let m = error_of(&deep);
    assert!(m.contains("nested deeper than 16 arrays and objects"), "{m}");
    assert!(m.starts_with(&format!("problem.truth{}:", "[0]".repeat(14))), "{m}");
    // A deep value in a place the schema allows stays a type error at that place.
    let m = error_of(r#"{"problem": {"truth": [[[[[[1]]]]]], "observed": 1}}"#);
    assert!(m.starts_with("problem.truth[0][0]: invalid type: sequence"), "{m}");
}
#[test]
fn the_path_is_the_deepest_field_at_fault() {
    for (json, start) in [
        (r#"{"problem": {"truth": [[1, 2], [3, "x"]], "observed_entries": [[0, 0]]}}"#, "problem.truth[1][1]: invalid type: string"),
        (r#"{"problem": {"truth": [[1, 2]], "observed_entries": [[0, 1], [0, "a"]]}}"#, "problem.observed_entries[1][1]: invalid type"),
        (r#"{"problem": {"noise": -1}}"#, "problem.noise: must be between 0"),
        (r#"{"model": {"depth": -1}}"#, "model.depth: invalid value: integer `-1`"),
        (r#"{"steps": "many", "model": {"init": "zeros"}}"#, "steps: invalid type: string \"many\""),
        (r#"{"model": {"init": "zeros"}, "steps": "many"}"#, "model.init: unknown variant `zeros`"),
        (r#"{"optimizers": [{"name": "gd"}, {"name": "adam", "beta2": "x"}]}"#, "optimizers[1].beta2: invalid type: string"),
        (r#"{"optimizers": [{"learning_rate": 0.1}]}"#, "optimizers[0]: missing field `name`"),
        (r#"{"optimizers": [{"name": "sgd"}]}"#, "optimizers[0].name: unknown variant `sgd`"),
        (r#"{"optimizers": [{"name": "adam", "beta9": 1}]}"#, "optimizers[0].beta9: unknown field `beta9`"),
    ] {
        let m = error_of(json);
        assert!(m.starts_with(start), "{json}: {m}");
    }
}
