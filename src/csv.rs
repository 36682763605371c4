//! Bring your own matrix: a CSV with blanks becomes a matrix-completion problem, and a
//! completed matrix becomes CSV again.
//!
//! Reading ([`parse_csv`]): a byte-order mark is skipped; lines end in `\n`, `\r\n` or `\r`;
//! the separator is `,`, `;` or a tab, whichever the first line uses most outside double quotes
//! (a quoted cell may hold it; with `;`, a decimal comma such as `1,5` is read as 1.5); blank
//! cells and `NA`, `NaN`, `null`, `?` (any case) are unobserved; a first line with no number in
//! it is a header and skipped; blank lines before and after the data are ignored, and a blank
//! line inside it is a row of one unobserved cell when the matrix has one column (an error
//! otherwise: write the row's separators). Every row must have the same number of cells, and a
//! line with an odd number of double quotes is an error.
//!
//! Writing ([`matrix_to_csv`]): shortest round-trip numbers, exponent form below 1e-6 and from
//! 1e21 in magnitude.

use std::fmt;

use serde_json::{Map, Number, Value};

use crate::config::{Config, ConfigError, MAX_DIM, MAX_MAGNITUDE};

/// Largest CSV text accepted (bytes).
pub const MAX_CSV_BYTES: usize = 16 << 20;

/// What is wrong with a CSV, and where (1-based row and column as a spreadsheet shows them).
#[derive(Debug, Clone, PartialEq)]
pub struct CsvError {
    pub row: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, self.column) {
            (Some(r), Some(c)) => write!(f, "CSV row {r}, column {c}: {}", self.message),
            (Some(r), None) => write!(f, "CSV row {r}: {}", self.message),
            _ => write!(f, "CSV: {}", self.message),
        }
    }
}

impl std::error::Error for CsvError {}

fn err(row: Option<usize>, column: Option<usize>, message: impl Into<String>) -> CsvError {
    CsvError { row, column, message: message.into() }
}

fn is_missing(cell: &str) -> bool {
    cell.is_empty() || ["na", "nan", "null", "?", "n/a"].contains(&cell.to_ascii_lowercase().as_str())
}

fn parse_number(cell: &str, decimal_comma: bool) -> Option<f64> {
    let owned;
    let text = if decimal_comma && cell.contains(',') && !cell.contains('.') {
        owned = cell.replace(',', ".");
        owned.as_str()
    } else {
        cell
    };
    text.parse::<f64>().ok()
}

/// A line's cells: split at `sep` outside double quotes (`"1,5"` is one cell).
fn split_cells(line: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (k, c) in line.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            out.push(&line[start..k]);
            start = k + c.len_utf8();
        }
    }
    out.push(&line[start..]);
    out
}

/// The matrix in a CSV text: rows of cells, `None` where unobserved.
///
/// # Errors
/// Empty input, too large, ragged rows, a cell that is neither a number nor a missing marker,
/// a non-finite or huge number, too many rows or columns.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<Option<f64>>>, CsvError> {
    if text.len() > MAX_CSV_BYTES {
        return Err(err(None, None, format!("larger than {} MB", MAX_CSV_BYTES >> 20)));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    // (1-based line number, line) for every line up to the last with content: blank lines
    // before the data and after it are not rows; blank lines inside it are (see below).
    let mut rows_text: Vec<(usize, &str)> = normalized.split('\n').enumerate().map(|(k, l)| (k + 1, l)).collect();
    while rows_text.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        rows_text.pop();
    }
    let leading = rows_text.iter().take_while(|(_, l)| l.trim().is_empty()).count();
    rows_text.drain(..leading);
    let Some(&(_, first)) = rows_text.first() else { return Err(err(None, None, "no rows")) };
    let sep = [',', ';', '\t'].into_iter().max_by_key(|&c| split_cells(first, c).len()).filter(|&c| split_cells(first, c).len() > 1).unwrap_or(',');
    let decimal_comma = sep == ';';
    let mut out: Vec<Vec<Option<f64>>> = Vec::new();
    let mut width = None;
    for (idx, &(line, row)) in rows_text.iter().enumerate() {
        if row.matches('"').count() % 2 == 1 {
            return Err(err(Some(line), None, "has an unmatched quote (\")"));
        }
        if row.trim().is_empty() {
            // A blank line inside the data: a row of one unobserved cell in a one-column file
            // (where a blank cell is a blank line); otherwise ambiguous, so an error rather than
            // a dropped row that would shift the ones below it.
            match width {
                Some(1) => {
                    out.push(vec![None]);
                    if out.len() > MAX_DIM {
                        return Err(err(None, None, format!("more than {MAX_DIM} rows")));
                    }
                    continue;
                }
                Some(w) => {
                    return Err(err(Some(line), None, format!("is empty: a row of {w} blanks needs its {} separators, or delete the line", w - 1)));
                }
                None => continue, // between a header and the first row of numbers
            }
        }
        let cells: Vec<&str> = split_cells(row, sep).into_iter().map(|c| c.trim().trim_matches('"').trim()).collect();
        if idx == 0 && cells.iter().all(|c| !is_missing(c) && parse_number(c, decimal_comma).is_none()) {
            continue; // a header
        }
        match width {
            None => width = Some(cells.len()),
            Some(w) if w != cells.len() => {
                return Err(err(Some(line), None, format!("has {} values, the first row has {w}", cells.len())));
            }
            _ => {}
        }
        let mut parsed = Vec::with_capacity(cells.len());
        for (j, cell) in cells.iter().enumerate() {
            if is_missing(cell) {
                parsed.push(None);
                continue;
            }
            match parse_number(cell, decimal_comma) {
                Some(v) if v.is_finite() && v.abs() <= MAX_MAGNITUDE => parsed.push(Some(v)),
                Some(_) => return Err(err(Some(line), Some(j + 1), format!("`{cell}` is not a finite number of size at most 1e100"))),
                None => {
                    let shown: String = cell.chars().take(40).collect();
                    return Err(err(Some(line), Some(j + 1), format!("`{shown}` is not a number (blank, NA or NaN mean unobserved)")));
                }
            }
        }
        out.push(parsed);
        if out.len() > MAX_DIM {
            return Err(err(None, None, format!("more than {MAX_DIM} rows")));
        }
    }
    let n = width.unwrap_or(0);
    if out.is_empty() || n == 0 {
        return Err(err(None, None, "no rows of numbers"));
    }
    if n > MAX_DIM {
        return Err(err(None, None, format!("more than {MAX_DIM} columns")));
    }
    if !out.iter().flatten().any(|v| v.is_some()) {
        return Err(err(None, None, "no observed value: every cell is blank or NA"));
    }
    Ok(out)
}

/// A config completing the CSV's matrix: its known cells are the truth and the observed set,
/// its blanks unknown. Everything else (model, objective, methods, steps, seed, noise) comes
/// from `base` (a config JSON text; `{}` for the defaults).
///
/// # Errors
/// A bad CSV (as [`CsvError`], in the message) or a bad base config. Show it with
/// [`csv_error_text`].
pub fn csv_to_config(text: &str, base: &str) -> Result<Config, ConfigError> {
    let rows = parse_csv(text).map_err(|e| ConfigError::new("", e.to_string()))?;
    let mut base = crate::config::parse(base).map_err(|e| ConfigError::new(e.field, format!("base config: {}", e.message)))?;
    let mut entries = Vec::new();
    let mut truth = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let mut cells = Vec::with_capacity(row.len());
        for (j, v) in row.iter().enumerate() {
            // parse_csv's numbers are finite: from_f64 gives Some.
            match v.and_then(Number::from_f64) {
                Some(x) => {
                    cells.push(Value::Number(x));
                    entries.push(Value::Array(vec![i.into(), j.into()]));
                }
                None => cells.push(Value::Null),
            }
        }
        truth.push(Value::Array(cells));
    }
    let base_problem = |key: &str| base.get("problem").and_then(|p| p.get(key)).cloned();
    let noise = base_problem("noise").unwrap_or(Value::from(0.0));
    let seed = base_problem("seed").unwrap_or(Value::from(0));
    let Some(obj) = base.as_object_mut() else { return Err(ConfigError::new("", "base config: must be a JSON object")) };
    let mut problem = Map::new();
    problem.insert("truth".into(), Value::Array(truth));
    problem.insert("observed_entries".into(), Value::Array(entries));
    problem.insert("noise".into(), noise);
    problem.insert("seed".into(), seed);
    obj.insert("problem".into(), Value::Object(problem));
    Config::from_value(base)
}

/// The text of an error of [`csv_to_config`]: the field's path when it names one (a bad field of
/// the base config), else the message alone (`CSV row 2, column 3: …`, `base config: …`).
pub fn csv_error_text(e: &ConfigError) -> String {
    if e.field.is_empty() {
        e.message.clone()
    } else {
        e.to_string()
    }
}

/// A matrix as CSV: m lines of n comma-separated numbers, each printed so that it reads back
/// exactly (shortest round-trip form), in exponent form below 1e-6 and from 1e21 in magnitude
/// as JavaScript prints numbers (`1e100`, `5e-324`, not 101 or 326 digits).
pub fn matrix_to_csv(w: &nalgebra::DMatrix<f64>) -> String {
    let number = |x: f64| if x != 0.0 && !(1e-6..1e21).contains(&x.abs()) { format!("{x:e}") } else { format!("{x}") };
    let mut out = String::with_capacity(w.len() * 20);
    for i in 0..w.nrows() {
        let line: Vec<String> = (0..w.ncols()).map(|j| number(w[(i, j)])).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}
