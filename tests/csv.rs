//! Bring your own matrix: the CSV reader (separators, blanks, BOM, headers, errors), the config
//! it makes, and `mc-playground complete`.

use mc_playground::csv::{csv_error_text, csv_to_config, matrix_to_csv, parse_csv};
use mc_playground::Lab;
use proptest::prelude::*;

mod common;

use common::run_with_stdin;

#[test]
fn reads_separators_blanks_bom_and_headers() {
    let want = vec![vec![Some(1.0), None, Some(3.5)], vec![None, Some(-2.0), Some(1e-3)]];
    for text in [
        "1,,3.5\nNA,-2,0.001\n",
        "\u{feff}1,,3.5\r\nNaN,-2,1e-3\r\n\r\n",
        "a,b,c\n1, ,3.5\nnull,-2,0.001",
        "1;;3,5\n?;-2;0,001\n",
        "1\t\t3.5\nna\t-2\t0.001\n",
        "\"1\",\"\",\"3.5\"\n\"NA\",\"-2\",\"0.001\"\n",
        "\"1\";\"\";\"3,5\"\n\"NA\";\"-2\";\"0,001\"\n",
    ] {
        assert_eq!(parse_csv(text).unwrap(), want, "{text:?}");
    }
}

#[test]
fn blank_lines_in_one_column_are_unobserved_cells() {
    // A one-column file writes a blank cell as a blank line: 4 × 1 with one unknown, not 3 × 1.
    assert_eq!(parse_csv("1\n\n3\n4\n").unwrap(), vec![vec![Some(1.0)], vec![None], vec![Some(3.0)], vec![Some(4.0)]]);
    // Blank lines before the data, between a header and the data, and at the end are not rows.
    assert_eq!(parse_csv("\n\nx\n\n1\n\n2\n\n\n").unwrap(), vec![vec![Some(1.0)], vec![None], vec![Some(2.0)]]);
    let every_other: String = (0..250).map(|i| format!("{i}\n\n")).collect();
    assert_eq!(parse_csv(&every_other).unwrap().len(), 499);
}

#[test]
fn written_numbers_are_short_and_exact() {
    // Shortest round-trip digits, in exponent form where the plain one is long (1e100 was
    // written with 101 digits, 5e-324 with 326 characters).
    let w = nalgebra::DMatrix::from_row_slice(1, 6, &[1e100, 5e-324, 0.5, -2.5e-7, 1234.5, -0.0]);
    let text = matrix_to_csv(&w);
    assert_eq!(text, "1e100,5e-324,0.5,-2.5e-7,1234.5,-0\n");
    let back: Vec<f64> = parse_csv(&text).unwrap()[0].iter().map(|v| v.unwrap()).collect();
    assert!(back.iter().zip(w.iter()).all(|(a, b)| a.to_bits() == b.to_bits()), "{back:?}");
}

#[test]
fn bad_csv_says_where() {
    for (text, needle) in [
        ("", "no rows"),
        ("1,2\n3\n", "CSV row 2: has 1 values, the first row has 2"),
        ("1,2\n3,abc\n", "CSV row 2, column 2: `abc` is not a number"),
        ("1,inf\n", "column 2"),
        ("1,1e999\n", "column 2"),
        (",\nNA,NA\n", "no observed value"),
        ("x,y\n", "no rows of numbers"),
        // A quoted cell is one cell, separator and all: "1,5" is not read as 1 and 5.
        ("\"1,5\",2\n\"3,5\",4\n", "CSV row 1, column 1: `1,5` is not a number"),
        // A blank line inside data of two or more columns is ambiguous: an error, not a dropped
        // row that shifts the rows below it (an adversarial tester).
        ("1,2\n\n3,4\n", "CSV row 2: is empty: a row of 2 blanks needs its 1 separators"),
        ("1;2;3\n4;5;6\n\n\n7;8;9\n", "CSV row 3: is empty"),
        // An unmatched quote made the first row a "header", dropped without a word.
        ("\"1,2\n3,\n", "CSV row 1: has an unmatched quote"),
        ("1,2\n3,\"4\n", "CSV row 2: has an unmatched quote"),
    ] {
        let e = parse_csv(text).unwrap_err().to_string();
        assert!(e.contains(needle), "{text:?}: {e}");
    }
    let e = csv_to_config("1,2\n3\n", "{}").unwrap_err().to_string();
    assert!(e.contains("CSV row 2"), "{e}");
    // A number out of range in the base config names its field (it was "base config: number out
    // of range", with neither the field nor a position).
    for (base, field) in [(r#"{"steps": 1e999}"#, "steps"), (r#"{"problem": {"noise": -1e-400, "seed": 1e400}}"#, "problem.seed")] {
        let e = csv_error_text(&csv_to_config("1,2\n", base).unwrap_err());
        assert!(e.starts_with(&format!("{field}: base config: number out of range")), "{base}: {e}");
    }
}

#[test]
fn a_csv_becomes_a_problem_with_unknown_blanks() {
    // A rank-1 matrix with two blanks; Adam at a high rate fills them in.
    let text = "1,2,3,4\n2,4,,8\n3,6,9,12\n4,,12,16\n";
    let config = csv_to_config(text, r#"{"steps": 2000, "objective": {"penalty": "ratio", "lambda": 0.01},
                                        "optimizers": [{"name": "adam", "learning_rate": 0.01}]}"#).unwrap();
    let mut lab = Lab::new(config).unwrap();
    let p = lab.problem();
    assert_eq!(p.omega.len(), 14);
    assert!(!p.known[(1, 2)] && !p.known[(3, 1)]);
    assert!(lab.runs()[0].metrics().test_error.is_nan(), "no known unobserved entry: nothing to score");
    lab.step(2000);
    let w = lab.runs()[0].matrix();
    assert!((w[(1, 2)] - 6.0).abs() < 0.5 && (w[(3, 1)] - 8.0).abs() < 0.5, "filled in: {} and {}", w[(1, 2)], w[(3, 1)]);
    // Exact round trip of the printed numbers.
    let csv = matrix_to_csv(w);
    let back = parse_csv(&csv).unwrap();
    assert!(back.iter().flatten().zip(w.transpose().iter()).all(|(a, b)| a.unwrap() == *b));
}

#[test]
fn complete_command_prints_the_completed_csv() {
    let out = run_with_stdin(&["complete", "-"], "1,2\n2,\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let m = parse_csv(&String::from_utf8(out.stdout).unwrap()).unwrap();
    assert_eq!((m.len(), m[0].len()), (2, 2));
    assert!(m.iter().flatten().all(|v| v.is_some()));
    let out = run_with_stdin(&["complete", "-"], "1,2\nx,3\n");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mc-playground: CSV row 2, column 1"), "{err}");
}

proptest! {
    #![proptest_config(common::fixed_seed(ProptestConfig::default().cases))]

    #[test]
    fn the_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        match parse_csv(&text) {
            Ok(rows) => {
                prop_assert!(!rows.is_empty());
                let n = rows[0].len();
                prop_assert!(rows.iter().all(|r| r.len() == n));
                prop_assert!(rows.iter().flatten().flatten().all(|v| v.is_finite()));
            }
            Err(e) => prop_assert!(!e.to_string().contains('\n')),
        }
    }

    #[test]
    fn written_matrices_read_back_exactly(m in 1usize..6, n in 1usize..6, seed in any::<u64>()) {
        let mut state = seed | 1;
        let w = nalgebra::DMatrix::from_fn(m, n, |_, _| { state ^= state << 13; state ^= state >> 7; state ^= state << 17; (state as f64 / u64::MAX as f64 - 0.5) * 1e3 });
        let back = parse_csv(&matrix_to_csv(&w)).unwrap();
        for i in 0..m { for j in 0..n { prop_assert_eq!(back[i][j], Some(w[(i, j)])); } }
    }
}
