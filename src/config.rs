//! The experiment config: one schema for the command line, the page (wasm) and, later, the URL.
//!
//! A config is JSON. Every field may be left out and then takes the default written next to it;
//! the defaults together are the *default experiment* (30×30, rank 2, 300 observed entries,
//! seed 0, start at the observations, ratio penalty with λ = 0.01, six optimizers at
//! learning rate 0.01).
//!
//! ```json
//! {"problem": {"rows": 30, "cols": 30, "rank": 2, "observed": 300, "noise": 0.0, "seed": 0},
//!  "model": {"init": "observed", "init_scale": 0.001},
//!  "objective": {"penalty": "ratio", "lambda": 0.01},
//!  "steps": 3000,
//!  "optimizers": [{"name": "adam", "learning_rate": 0.01}, {"name": "gd", "learning_rate": 0.01}]}
//! ```
//!
//! `problem` may instead give the truth explicitly:
//! `{"truth": [[1, 2], [3, null]], "observed_entries": [[0, 0], [1, 0]], "noise": 0.0, "seed": 0}`
//! (rows of numbers, `null` where the value is unknown; Ω as 0-based `[row, col]` pairs of known
//! entries), or with `"observed": K` instead of `observed_entries` to draw Ω: K known entries
//! uniformly without replacement.
//!
//! # Errors
//! [`Config::from_json`] returns a [`ConfigError`] whose message is one line naming the field
//! (a path such as `optimizers[1].beta2`) and the problem: unknown fields and names,
//! values out of range, rank > min(m, n), more observed entries than m·n, duplicate or
//! out-of-range observed entries, ragged truth rows, non-finite numbers.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;

use crate::checks::Shown;
use crate::method::Method;

/// Largest number of rows or columns accepted (the page and the CLI alike).
pub const MAX_DIM: usize = 1000;
/// Largest size of an entry of the truth, the noise σ, init_scale and λ: squares of sums of
/// such numbers stay far from overflow.
pub const MAX_MAGNITUDE: f64 = 1e100;

/// Range of the objective's scale c.
pub const SCALE_RANGE: (f64, f64) = (1e-100, 1e100);
/// Largest number of steps a config may ask for.
pub const MAX_STEPS: u64 = 100_000_000;

/// An invalid config: the dotted path of the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    /// Path of the offending field, e.g. `problem.rank` or `optimizers[1].beta2`; empty for the whole document.
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
}

impl ConfigError {
    /// An error about `field`; control characters in either (a key or value quoted from the
    /// input may hold a newline) are escaped, so the message is always one line.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError { field: one_line(field.into()), message: one_line(message.into()) }
    }
}

/// Longest message or field path kept (input quoted in a message can be huge).
const MAX_MESSAGE: usize = 300;

fn one_line(s: String) -> String {
    let mut out: String = if s.chars().any(char::is_control) {
        s.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
    } else {
        s
    };
    if out.chars().count() > MAX_MESSAGE {
        out = out.chars().take(MAX_MESSAGE).collect::<String>() + "…";
    }
    out
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "config: {}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// The whole experiment: one problem, one model and objective, one run per optimizer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a config object with problem, model, objective, steps, optimizers")]
pub struct Config {
    #[serde(default)]
    pub problem: ProblemConfig,
    #[serde(default)]
    pub model: ModelConfig,
    #[serde(default)]
    pub objective: ObjectiveConfig,
    /// Number of steps a run is meant to take (the CLI runs exactly this many; the page plays
    /// until every run reaches it). Default 3000.
    #[serde(default = "default_steps")]
    pub steps: u64,
    /// One run per entry, in this order. Default: the six optimizers of the default experiment.
    /// Each is a method with its hyper-parameters, read from `{"name": …, …}` through the
    /// catalog ([`crate::catalog`] implements `Deserialize` for `Box<dyn Method>`): the schema
    /// names no method.
    #[serde(default = "default_optimizers")]
    pub optimizers: Vec<Box<dyn Method>>,
}

fn default_steps() -> u64 {
    3000
}

/// The names of the default experiment's six optimizers, in order (all at learning rate 0.01).
pub const DEFAULT_OPTIMIZERS: [&str; 6] = ["adam", "rmsprop", "adagrad", "gd", "momentum", "nesterov"];

/// The six optimizers of the default experiment, all at learning rate 0.01, each read from
/// `{"name": …, "learning_rate": 0.01}` like any config's.
///
/// # Panics
/// If a name of [`DEFAULT_OPTIMIZERS`] is not in the catalog (a programming error, tested).
pub fn default_optimizers() -> Vec<Box<dyn Method>> {
    DEFAULT_OPTIMIZERS
        .iter()
        .map(|name| {
            // The object built by hand and read through the catalog's `TryFrom<Value>` (not
            // `json!` and serde's `Deserialize`: two fewer copies of `Value`'s code in the
            // WebAssembly module).
            let mut entry = serde_json::Map::new();
            entry.insert("name".into(), Value::String((*name).into()));
            entry.insert("learning_rate".into(), Value::Number(serde_json::Number::from_f64(0.01).expect("finite")));
            Box::<dyn Method>::try_from(Value::Object(entry)).expect("the default experiment's methods are in the catalog")
        })
        .collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            problem: ProblemConfig::default(),
            model: ModelConfig::default(),
            objective: ObjectiveConfig::default(),
            steps: default_steps(),
            optimizers: default_optimizers(),
        }
    }
}

/// Where the ground truth W* and the observed set Ω come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemSource {
    /// W* = U Vᵀ with U (m×r), V (n×r) i.i.d. N(0, 1), rescaled to ‖W*‖_F = √(m·n);
    /// Ω: `observed` entries drawn uniformly without replacement.
    Synthetic { rows: usize, cols: usize, rank: usize, observed: usize },
    /// The truth given as rows (m rows of n), `None` where unknown (a completed CSV's blanks):
    /// unknown entries are never observed and left out of the test error.
    Explicit { truth: Vec<Vec<Option<f64>>>, observed: ExplicitOmega },
}

/// Ω of an explicit truth: listed, or drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum ExplicitOmega {
    /// 0-based `[row, col]` pairs of known entries, no duplicates.
    Entries(Vec<[usize; 2]>),
    /// K known entries drawn uniformly without replacement (seeded).
    Count(usize),
}

/// The problem: its source plus the observation noise σ and the seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawProblem", into = "RawProblem")]
pub struct ProblemConfig {
    pub source: ProblemSource,
    /// Standard deviation σ of the Gaussian noise added to the observations (default 0).
    pub noise: f64,
    /// Seed of every random draw: truth, Ω, noise, Gaussian start (default 0).
    pub seed: u64,
}

impl Default for ProblemConfig {
    fn default() -> Self {
        ProblemConfig {
            source: ProblemSource::Synthetic { rows: 30, cols: 30, rank: 2, observed: 300 },
            noise: 0.0,
            seed: 0,
        }
    }
}

/// The JSON form of `problem` (flat, all optional), checked into a [`ProblemConfig`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object with rows, cols, rank, observed, noise, seed (or truth with observed_entries or observed, noise, seed)")]
struct RawProblem {
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cols: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rank: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    observed: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    truth: Option<Vec<Vec<Option<f64>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    observed_entries: Option<Vec<[usize; 2]>>,
    #[serde(default)]
    noise: f64,
    #[serde(default)]
    seed: u64,
}

/// Errors inside `problem` are reported as `"<sub-field>: <message>"` so that the path
/// tracker prefixes `problem.`.
fn sub(field: &str, message: impl fmt::Display) -> String {
    // A leading NUL marks ours: serde's own messages never start with one, and a NUL that
    // user input puts inside a message (in a quoted key) is not at the start.
    format!("\u{0}{field}\u{0}{message}")
}

impl TryFrom<RawProblem> for ProblemConfig {
    type Error = String;
    fn try_from(raw: RawProblem) -> Result<Self, String> {
        if !raw.noise.is_finite() || !(0.0..=MAX_MAGNITUDE).contains(&raw.noise) {
            return Err(sub("noise", format!("must be between 0 and {MAX_MAGNITUDE:e}, got {}", Shown(raw.noise))));
        }
        let source = if raw.truth.is_some() || raw.observed_entries.is_some() {
            for (name, present) in [("rows", raw.rows.is_some()), ("cols", raw.cols.is_some()), ("rank", raw.rank.is_some())] {
                if present {
                    return Err(sub(
                        name,
                        "not allowed with an explicit truth (give either truth with observed_entries or observed, or rows/cols/rank/observed)",
                    ));
                }
            }
            let truth = raw.truth.ok_or_else(|| sub("truth", "missing: observed_entries needs a truth matrix"))?;
            check_truth(&truth)?;
            let observed = match (raw.observed_entries, raw.observed) {
                (Some(_), Some(_)) => return Err(sub("observed", "give observed_entries or observed (a count), not both")),
                (Some(entries), None) => {
                    check_entries(&truth, &entries)?;
                    ExplicitOmega::Entries(entries)
                }
                (None, Some(k)) => {
                    let known = truth.iter().flatten().filter(|v| v.is_some()).count();
                    if k == 0 || k > known {
                        return Err(sub("observed", format!("must be between 1 and the {known} known entries of the truth, got {k}")));
                    }
                    ExplicitOmega::Count(k)
                }
                (None, None) => {
                    return Err(sub("observed_entries", "missing: a truth matrix needs observed_entries or an observed count"))
                }
            };
            ProblemSource::Explicit { truth, observed }
        } else {
            let rows = raw.rows.unwrap_or(30);
            let cols = raw.cols.unwrap_or(30);
            let rank = raw.rank.unwrap_or(2.min(rows.min(cols)));
            let observed = raw.observed.unwrap_or(300.min(rows * cols));
            for (name, v) in [("rows", rows), ("cols", cols)] {
                if v == 0 || v > MAX_DIM {
                    return Err(sub(name, format!("must be between 1 and {MAX_DIM}, got {v}")));
                }
            }
            if rank == 0 || rank > rows.min(cols) {
                return Err(sub(
                    "rank",
                    format!("must be between 1 and min(rows, cols) = {}, got {rank}", rows.min(cols)),
                ));
            }
            if observed == 0 || observed > rows * cols {
                return Err(sub(
                    "observed",
                    format!("must be between 1 and rows·cols = {}, got {observed}", rows * cols),
                ));
            }
            ProblemSource::Synthetic { rows, cols, rank, observed }
        };
        Ok(ProblemConfig { source, noise: raw.noise, seed: raw.seed })
    }
}

fn check_truth(truth: &[Vec<Option<f64>>]) -> Result<(), String> {
    let m = truth.len();
    if m == 0 || m > MAX_DIM {
        return Err(sub("truth", format!("must have between 1 and {MAX_DIM} rows, got {m}")));
    }
    let n = truth[0].len();
    if n == 0 || n > MAX_DIM {
        return Err(sub("truth", format!("rows must have between 1 and {MAX_DIM} numbers, row 0 has {n}")));
    }
    for (i, row) in truth.iter().enumerate() {
        if row.len() != n {
            return Err(sub(&format!("truth[{i}]"), format!("has {} numbers, row 0 has {n} (rows must be equally long)", row.len())));
        }
        if let Some(j) = row.iter().position(|v| v.is_some_and(|v| !v.is_finite() || v.abs() > MAX_MAGNITUDE)) {
            return Err(sub(&format!("truth[{i}][{j}]"), format!("must be a finite number of size at most {MAX_MAGNITUDE:e} (or null: unknown)")));
        }
    }
    Ok(())
}

fn check_entries(truth: &[Vec<Option<f64>>], entries: &[[usize; 2]]) -> Result<(), String> {
    let (m, n) = (truth.len(), truth[0].len());
    if entries.is_empty() {
        return Err(sub("observed_entries", "must name at least one entry"));
    }
    let mut seen = vec![false; m * n];
    for (k, &[i, j]) in entries.iter().enumerate() {
        if i >= m || j >= n {
            return Err(sub(
                &format!("observed_entries[{k}]"),
                format!("[{i}, {j}] is outside the {m}×{n} truth (0-based [row, col])"),
            ));
        }
        if truth[i][j].is_none() {
            return Err(sub(&format!("observed_entries[{k}]"), format!("[{i}, {j}] is unknown (null) in the truth")));
        }
        if std::mem::replace(&mut seen[i * n + j], true) {
            return Err(sub(&format!("observed_entries[{k}]"), format!("[{i}, {j}] is listed twice")));
        }
    }
    Ok(())
}

impl From<ProblemConfig> for RawProblem {
    fn from(p: ProblemConfig) -> Self {
        let mut raw = RawProblem { noise: p.noise, seed: p.seed, ..RawProblem::default() };
        match p.source {
            ProblemSource::Synthetic { rows, cols, rank, observed } => {
                raw.rows = Some(rows);
                raw.cols = Some(cols);
                raw.rank = Some(rank);
                raw.observed = Some(observed);
            }
            ProblemSource::Explicit { truth, observed } => {
                raw.truth = Some(truth);
                match observed {
                    ExplicitOmega::Entries(e) => raw.observed_entries = Some(e),
                    ExplicitOmega::Count(k) => raw.observed = Some(k),
                }
            }
        }
        raw
    }
}

impl ProblemConfig {
    /// (m, n) of the problem.
    pub fn shape(&self) -> (usize, usize) {
        match &self.source {
            ProblemSource::Synthetic { rows, cols, .. } => (*rows, *cols),
            ProblemSource::Explicit { truth, .. } => (truth.len(), truth[0].len()),
        }
    }
}

/// How the start is drawn (see [`crate::model::start_factors`] for the exact distributions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// Y on Ω, 0 elsewhere: the start that fits the observations exactly (default; depth 1 only).
    #[default]
    Observed,
    /// Gaussian entries: N(0, init_scale²) at depth 1; N(0, (init_scale^(1/N)/√width)²) per factor at depth N ≥ 2.
    Gaussian,
    /// Each factor init_scale^(1/N) times a (rectangular) identity.
    Identity,
    /// Each factor init_scale^(1/N) times a random matrix with orthonormal rows or columns.
    Orthogonal,
}

/// Largest depth of a deep linear network.
pub const MAX_DEPTH: usize = 6;

/// The model (parameterization) and its start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object with depth, width, init, init_scale")]
pub struct ModelConfig {
    /// N: 1 is the direct parameterization (W itself); N ≥ 2 a deep linear network
    /// W = W_N ··· W_1 (default 1, at most 6).
    #[serde(default = "default_depth")]
    pub depth: usize,
    /// Hidden width h of a deep network (default max(m, n); ignored at depth 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<usize>,
    /// Start: `observed` (default), `gaussian`, `identity` or `orthogonal`.
    #[serde(default)]
    pub init: Init,
    /// Scale of the `gaussian`, `identity` and `orthogonal` starts (default 0.001; must be > 0).
    #[serde(default = "default_init_scale")]
    pub init_scale: f64,
}

fn default_depth() -> usize {
    1
}

fn default_init_scale() -> f64 {
    1e-3
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig { depth: 1, width: None, init: Init::Observed, init_scale: default_init_scale() }
    }
}

impl ModelConfig {
    /// The hidden width for an m × n problem: `width`, or max(m, n).
    pub fn width_for(&self, m: usize, n: usize) -> usize {
        self.width.unwrap_or(m.max(n))
    }
}

/// The penalty p(W) added to the data fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Penalty {
    /// No penalty: f is the data fit alone.
    None,
    /// The nuclear norm ‖W‖_* = Σᵢ σᵢ.
    Nuclear,
    /// The nuclear-to-Frobenius ratio ‖W‖_* / ‖W‖_F (scale-invariant; default).
    #[default]
    Ratio,
}

/// f(W) = c·(1/(2|Ω|)·Σ_Ω (W_ij − Y_ij)² + λ·p(W)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object with penalty, lambda, scale")]
pub struct ObjectiveConfig {
    /// `none`, `nuclear` or `ratio` (default).
    #[serde(default)]
    pub penalty: Penalty,
    /// λ ≥ 0, the penalty's weight (default 0.01).
    #[serde(default = "default_lambda")]
    pub lambda: f64,
    /// c > 0, multiplies the whole objective (default 1). Adam's iterates do not depend on c
    /// (when eps is far below the gradients); GD's do.
    #[serde(default = "default_scale")]
    pub scale: f64,
}

fn default_lambda() -> f64 {
    0.01
}

fn default_scale() -> f64 {
    1.0
}

impl Default for ObjectiveConfig {
    fn default() -> Self {
        ObjectiveConfig { penalty: Penalty::Ratio, lambda: default_lambda(), scale: default_scale() }
    }
}

impl Config {
    /// Parses and validates a config. See the module docs for the schema and the errors.
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        // A byte-order mark (files saved by some editors) is not part of the JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if !text.trim_start().starts_with('{') {
            return Err(ConfigError::new("", "must be a JSON object ({...})"));
        }
        // The text is parsed once into a `Value`, and the config is read from that `Value`: the
        // WebAssembly module then carries one copy of the config's deserialization code (for
        // `&Value`), not a second one for the text.
        Config::from_value(parse(text)?)
    }

    /// [`Config::from_json`] of a JSON text already parsed (by [`parse`]).
    pub(crate) fn from_value(value: Value) -> Result<Config, ConfigError> {
        let config: Config = serde_path_to_error::deserialize(&value).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." || path == "?" { String::new() } else { path };
            let message = e.into_inner().to_string();
            // Errors raised inside `problem` and inside an optimizer carry their sub-field between
            // NULs (see `sub`, and `crate::catalog::parse_in`).
            match message.strip_prefix('\u{0}').and_then(|m| m.split_once('\u{0}')) {
                Some((field, msg)) => ConfigError::new(join(&path, field), friendly(&strip_position(msg))),
                None => ConfigError::new(path, friendly(&strip_position(&message))),
            }
        })?;
        check_shapes(&value)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every value's range (done by [`Config::from_json`]; call it on configs built in code).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let m = &self.model;
        if !m.init_scale.is_finite() || m.init_scale <= 0.0 || m.init_scale > MAX_MAGNITUDE {
            return Err(ConfigError::new("model.init_scale", format!("must be > 0 and at most {MAX_MAGNITUDE:e}, got {}", Shown(m.init_scale))));
        }
        if m.depth == 0 || m.depth > MAX_DEPTH {
            return Err(ConfigError::new("model.depth", format!("must be between 1 and {MAX_DEPTH}, got {}", m.depth)));
        }
        if let Some(w) = m.width {
            if w == 0 || w > MAX_DIM {
                return Err(ConfigError::new("model.width", format!("must be between 1 and {MAX_DIM}, got {w}")));
            }
        }
        if m.depth > 1 && m.init == Init::Observed {
            return Err(ConfigError::new(
                "model.init",
                "`observed` is only available at depth 1; use gaussian, identity or orthogonal for a deep network",
            ));
        }
        let o = &self.objective;
        if !o.lambda.is_finite() || !(0.0..=MAX_MAGNITUDE).contains(&o.lambda) {
            return Err(ConfigError::new("objective.lambda", format!("must be between 0 and {MAX_MAGNITUDE:e}, got {}", Shown(o.lambda))));
        }
        if !o.scale.is_finite() || o.scale < SCALE_RANGE.0 || o.scale > SCALE_RANGE.1 {
            return Err(ConfigError::new(
                "objective.scale",
                format!("must be between {:e} and {:e}, got {}", SCALE_RANGE.0, SCALE_RANGE.1, Shown(o.scale)),
            ));
        }
        if self.steps > MAX_STEPS {
            return Err(ConfigError::new("steps", format!("must be at most {MAX_STEPS}, got {}", self.steps)));
        }
        if self.optimizers.is_empty() {
            return Err(ConfigError::new("optimizers", "must list at least one optimizer"));
        }
        if self.optimizers.len() > 16 {
            return Err(ConfigError::new("optimizers", format!("at most 16 optimizers, got {}", self.optimizers.len())));
        }
        let (rows, cols) = self.problem.shape();
        for (i, opt) in self.optimizers.iter().enumerate() {
            opt.validate().map_err(|(field, message)| ConfigError::new(format!("optimizers[{i}].{field}"), message))?;
            if m.depth > 1 && opt.meta().direct_only {
                return Err(ConfigError::new(
                    format!("optimizers[{i}].name"),
                    format!("{} runs on the direct parameterization only (model.depth 1), got depth {}", opt.name(), m.depth),
                ));
            }
            opt.check_shape(rows, cols).map_err(|(field, message)| ConfigError::new(format!("optimizers[{i}].{field}"), message))?;
        }
        Ok(())
    }

    /// The config as JSON with every default filled in.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a Config always serializes")
    }
}

/// Deepest nesting of arrays and objects read: no field is deeper than 4 (`problem.truth[i][j]`).
/// [`read_tree`] reads each level's text again, so the text is read once per level: 50 MB of
/// nested brackets took 8.5 s natively at serde_json's limit of 128.
const MAX_NESTING: usize = 16;

/// The JSON text as a `Value`. A number out of range names its field (`problem.truth[0][1]:
/// number out of range`); other errors say where the JSON breaks.
///
/// serde_json checks the text and splits it into raw values ([`RawValue`]); numbers are read
/// by core's `str::parse` (`f64`: correctly rounded, the nearest double) instead of serde_json's
/// `float_roundtrip` parser, which would be about 12 KB (gzipped) more in the WebAssembly
/// module. Integers stay integers (`u64`, negative `i64`), as serde_json reads them.
pub(crate) fn parse(text: &str) -> Result<Value, ConfigError> {
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| ConfigError::new("", format!("invalid JSON: {e}")))?;
    read_tree(raw, &mut String::new(), 0)
}

fn read_tree(raw: &RawValue, path: &mut String, depth: usize) -> Result<Value, ConfigError> {
    // The text is valid JSON (checked as a whole by `parse`): these reads do not fail.
    let invalid = |e: serde_json::Error| ConfigError::new("", format!("invalid JSON: {e}"));
    let text = raw.get();
    let first = text.as_bytes().first().copied().unwrap_or(b' ');
    if (first == b'{' || first == b'[') && depth >= MAX_NESTING {
        return Err(ConfigError::new(path.as_str(), format!("nested deeper than {MAX_NESTING} arrays and objects")));
    }
    let len = path.len();
    Ok(match first {
        b'{' => {
            let entries: Entries = serde_json::from_str(text).map_err(invalid)?;
            let mut map = serde_json::Map::new();
            for (key, value) in entries.0 {
                if len > 0 {
                    path.push('.');
                }
                path.push_str(&key);
                let value = read_tree(value, path, depth + 1)?;
                path.truncate(len);
                map.insert(key, value);
            }
            Value::Object(map)
        }
        b'[' => {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(invalid)?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                use fmt::Write;
                let _ = write!(path, "[{i}]");
                out.push(read_tree(item, path, depth + 1)?);
                path.truncate(len);
            }
            Value::Array(out)
        }
        b'"' => Value::String(serde_json::from_str(text).map_err(invalid)?),
        b't' => Value::Bool(true),
        b'f' => Value::Bool(false),
        b'n' => Value::Null,
        _ => Value::Number(number(text).ok_or_else(|| ConfigError::new(path.as_str(), "number out of range"))?),
    })
}

/// A JSON number's text (valid JSON) as serde_json would read it: a whole number that fits as
/// `u64` (or, negative, as `i64`), else the nearest `f64`; `None` when that is infinite.
fn number(text: &str) -> Option<serde_json::Number> {
    if !text.contains(['.', 'e', 'E']) {
        if text.starts_with('-') {
            // `-0` and integers below i64::MIN are floats, as in serde_json.
            if let Some(i) = text.parse::<i64>().ok().filter(|&i| i < 0) {
                return Some(i.into());
            }
        } else if let Ok(u) = text.parse::<u64>() {
            return Some(u.into());
        }
    }
    serde_json::Number::from_f64(text.parse().ok()?)
}

/// A JSON object's entries in order, their values unread (duplicate keys are kept: the last
/// one wins when they go into a map, as in serde_json's `Value`).
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// serde accepts a list in place of a struct (its fields in order); a config must use objects.
fn check_shapes(v: &Value) -> Result<(), ConfigError> {
    for key in ["problem", "model", "objective"] {
        if let Some(x) = v.get(key) {
            if !x.is_object() {
                return Err(ConfigError::new(key, "must be an object ({...})"));
            }
        }
    }
    if let Some(list) = v.get("optimizers").and_then(|x| x.as_array()) {
        for (i, o) in list.iter().enumerate() {
            if !o.is_object() {
                return Err(ConfigError::new(format!("optimizers[{i}]"), "must be an object with a name, e.g. {\"name\": \"adam\"}"));
            }
        }
    }
    Ok(())
}

/// serde's type names in words a reader knows.
fn friendly(message: &str) -> String {
    message
        .replace("expected usize", "expected a whole number >= 0")
        .replace("expected u64", "expected a whole number >= 0")
        .replace("expected u32", "expected a whole number >= 0")
        .replace("expected f64", "expected a number")
        .replace("floating point `", "number `")
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// serde_json appends " at line L column C"; the field path says more, keep the text short.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(k) if message[k..].contains(" column ") => message[..k].to_string(),
        _ => message.to_string(),
    }
}
