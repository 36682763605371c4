//! Sweeps: a grid of experiments, each a variation of one base config.
//!
//! A sweep file is `{"base": CONFIG, "axes": {PATH: [VALUE, …], …}}`. Each axis is a dotted
//! path into the base config *with every default filled* (so `problem.rows`, `model.depth`,
//! `objective.penalty`, `optimizers` (a whole list), `optimizers.0.learning_rate`, `problem.seed`
//! … all exist) and the values it takes. The cells are the cartesian product of the axes, the
//! first axis varying slowest; cell k's config is the base with every axis set to its value in
//! cell k. Cells are numbered 0 … K−1 in that order, so `--shard i/N` (the cells with
//! k mod N = i) is a deterministic part, and N shards' outputs, concatenated, are the whole.
//!
//! Every cell's config is validated before anything runs: a bad value names the cell and the
//! field.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::{Config, ConfigError};
use crate::lab::Lab;

/// The sweep file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// The base config (JSON object; defaults fill what it leaves out).
    #[serde(default = "empty_object")]
    pub base: Value,
    /// Dotted path → the values it takes, in order.
    #[serde(default)]
    pub axes: Map<String, Value>,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

/// The most cells a sweep may have.
pub const MAX_CELLS: usize = 1_000_000;

/// One cell: its index, the axis values that make it, and its full config.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub index: usize,
    /// (path, value) per axis, in axis order.
    pub values: Vec<(String, Value)>,
    pub config: Config,
}

/// Sets `path` (dot-separated keys; array elements by index) in `root` to `value`.
fn set_path(root: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let mut node = root;
    let parts: Vec<&str> = path.split('.').collect();
    for (depth, part) in parts.iter().enumerate() {
        let last = depth + 1 == parts.len();
        let here = parts[..=depth].join(".");
        node = match node {
            Value::Object(map) => {
                if !map.contains_key(*part) {
                    return Err(format!("`{here}` is not a field of the config"));
                }
                let slot = map.get_mut(*part).expect("checked");
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            Value::Array(items) => {
                let k: usize = part.parse().map_err(|_| format!("`{here}`: `{part}` is not an index into a list"))?;
                let len = items.len();
                let slot = items.get_mut(k).ok_or_else(|| format!("`{here}`: index {k} is past the list's {len} entries"))?;
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            _ => return Err(format!("`{here}` is inside a value that has no fields")),
        };
    }
    Err("an empty axis path".into())
}

impl SweepSpec {
    /// Parses a sweep file.
    ///
    /// # Errors
    /// Invalid JSON or unknown top-level fields.
    pub fn from_json(text: &str) -> Result<SweepSpec, ConfigError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            ConfigError::new(if path == "." || path == "?" { String::new() } else { path }, e.into_inner().to_string())
        })
    }

    /// Number of cells (the product of the axes' lengths).
    pub fn len(&self) -> usize {
        self.axes.values().map(|v| v.as_array().map_or(0, |a| a.len())).product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every cell, validated.
    ///
    /// # Errors
    /// A base that is not a valid config, an axis that is not a non-empty list or names no
    /// field, too many cells, or a cell whose config does not validate (the message names the
    /// cell and the field).
    pub fn cells(&self) -> Result<Vec<Cell>, ConfigError> {
        let base = Config::from_json(&self.base.to_string()).map_err(|e| ConfigError::new(format!("base.{}", e.field), e.message))?;
        let base_value = serde_json::to_value(&base).expect("a Config serializes");
        let mut lengths = Vec::new();
        for (path, values) in &self.axes {
            match values.as_array() {
                Some(a) if !a.is_empty() => lengths.push(a.len()),
                _ => return Err(ConfigError::new(format!("axes.{path}"), "must be a non-empty list of values")),
            }
        }
        let total = lengths.iter().try_fold(1usize, |acc, &l| acc.checked_mul(l)).filter(|&t| t <= MAX_CELLS);
        let Some(total) = total else {
            return Err(ConfigError::new("axes", format!("at most {MAX_CELLS} cells")));
        };
        let mut cells = Vec::with_capacity(total);
        for index in 0..total {
            // Mixed radix, first axis slowest.
            let mut rest = index;
            let mut digits = vec![0; lengths.len()];
            for (d, &len) in lengths.iter().enumerate().rev() {
                digits[d] = rest % len;
                rest /= len;
            }
            let mut value = base_value.clone();
            let mut values = Vec::with_capacity(lengths.len());
            for ((path, options), &d) in self.axes.iter().zip(&digits) {
                let v = options.as_array().expect("checked")[d].clone();
                set_path(&mut value, path, v.clone()).map_err(|m| ConfigError::new(format!("axes.{path}"), m))?;
                values.push((path.clone(), v));
            }
            let config = Config::from_json(&value.to_string())
                .map_err(|e| ConfigError::new(format!("cell {index}: {}", e.field), e.message))?;
            cells.push(Cell { index, values, config });
        }
        Ok(cells)
    }
}

/// `i/N`: the shard with the cells whose index mod N is i.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let (i, n) = s.split_once('/').ok_or_else(|| format!("`{s}`: a shard is i/N, e.g. 0/4"))?;
        let index: usize = i.trim().parse().map_err(|_| format!("`{s}`: i must be a whole number"))?;
        let count: usize = n.trim().parse().map_err(|_| format!("`{s}`: N must be a whole number"))?;
        if count == 0 || index >= count {
            return Err(format!("`{s}`: need 0 <= i < N"));
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    pub fn contains(&self, cell: usize) -> bool {
        cell % self.count == self.index
    }
}

/// A run's outcome in a sweep line: as from `run`, without the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOutcome {
    pub optimizer: Value,
    pub steps: u64,
    pub diverged_at: Option<u64>,
    pub diverged_reason: Option<String>,
    /// The first step at which ‖W‖_F passed 10 × the problem's scale ([`Run::blowing_up_at`];
    /// absent in files written before it existed).
    ///
    /// [`Run::blowing_up_at`]: crate::lab::Run::blowing_up_at
    #[serde(default)]
    pub blowing_up_at: Option<u64>,
    #[serde(rename = "final")]
    pub final_metrics: Value,
}

/// One line of sweep output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub cell: usize,
    /// The axis values of the cell, by path.
    pub axes: Map<String, Value>,
    pub config: Value,
    pub runs: Vec<RunOutcome>,
}

/// Runs one cell to its config's `steps` (recording off) and makes its output line.
pub fn run_cell(cell: &Cell) -> Line {
    let mut lab = Lab::new(cell.config.clone()).expect("cells are validated");
    lab.set_recording(false);
    lab.step(cell.config.steps);
    let runs = lab
        .runs()
        .iter()
        .map(|r| RunOutcome {
            optimizer: serde_json::to_value(r.optimizer()).expect("serializes"),
            steps: r.step_count(),
            diverged_at: r.diverged().map(|d| d.step),
            diverged_reason: r.diverged().map(|d| d.reason.clone()),
            blowing_up_at: r.blowing_up_at(),
            final_metrics: serde_json::to_value(r.metrics()).expect("serializes"),
        })
        .collect();
    Line {
        cell: cell.index,
        axes: cell.values.iter().cloned().collect(),
        config: serde_json::to_value(&cell.config).expect("serializes"),
        runs,
    }
}

/// The CSV header: cell, one column per axis, then per-run columns.
pub fn csv_header(axes: &[String]) -> String {
    let mut cols: Vec<String> = vec!["cell".into()];
    cols.extend(axes.iter().cloned());
    cols.extend(
        [
            "run",
            "optimizer",
            "learning_rate",
            "steps",
            "diverged_at",
            "objective",
            "train_error",
            "test_error",
            "effective_rank",
            "ratio",
            "subspace_angle_truth",
            "subspace_angle_start",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    cols.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_value(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => csv_field(s),
        other => csv_field(&other.to_string()),
    }
}

/// The columns of a run's CSV row that say which run it is: cell, the axis values, run,
/// optimizer, learning rate.
fn csv_key<'a>(cell: usize, axes: impl Iterator<Item = &'a Value>, run: usize, optimizer: &Value) -> Vec<String> {
    let mut cols = vec![cell.to_string()];
    cols.extend(axes.map(csv_value));
    cols.push(run.to_string());
    cols.push(csv_value(&optimizer["name"]));
    cols.push(csv_value(optimizer.get("learning_rate").unwrap_or(&Value::Null)));
    cols
}

/// How each of a cell's CSV rows (one per run) begins, up to its learning rate: what a CSV file
/// records of the cell, to tell whether a row in it is this cell's.
pub fn csv_run_keys(cell: &Cell) -> Vec<String> {
    cell.config
        .optimizers
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let optimizer = serde_json::to_value(o).expect("serializes");
            csv_key(cell.index, cell.values.iter().map(|(_, v)| v), k, &optimizer).join(",")
        })
        .collect()
}

/// The CSV rows of a line (one per run).
pub fn csv_rows(line: &Line) -> Vec<String> {
    line.runs
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let mut cols = csv_key(line.cell, line.axes.values(), k, &r.optimizer);
            cols.push(r.steps.to_string());
            cols.push(r.diverged_at.map(|d| d.to_string()).unwrap_or_default());
            for key in ["objective", "train_error", "test_error", "effective_rank", "ratio", "subspace_angle_truth", "subspace_angle_start"] {
                cols.push(csv_value(&r.final_metrics[key]));
            }
            cols.join(",")
        })
        .collect()
}
