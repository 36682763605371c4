//! The `#[wasm_bindgen]` boundary: a thin adapter over [`crate::lab::Lab`] (compiled for
//! wasm32 only). The contract, with shapes and storage order, is `docs/wasm-api.md`.
//!
//! Matrices cross as pointers into wasm memory to m·n `f64`, **row-major**; JS wraps them in
//! `Float64Array` views after its last call of the frame. Nothing here panics on any input:
//! a bad index gives 0 / an empty array / `null`, a bad value a JS `Error`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::config::Config;
use crate::lab;
use crate::sensitivity;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// Row-major copies of the matrices the page draws, refreshed after every call that moves runs.
struct Buffers {
    truth: Vec<f64>,
    observations: Vec<f64>,
    mask: Vec<u8>,
    known: Vec<u8>,
    runs: Vec<Vec<f64>>,
}

fn row_major(w: &nalgebra::DMatrix<f64>, out: &mut Vec<f64>) {
    let (m, n) = w.shape();
    out.clear();
    out.reserve(m * n);
    for i in 0..m {
        for j in 0..n {
            out.push(w[(i, j)]);
        }
    }
}

/// One problem and its runs (see `docs/wasm-api.md`).
#[wasm_bindgen]
pub struct Lab {
    inner: lab::Lab,
    buffers: Buffers,
}

#[derive(Serialize)]
struct RunMetrics<'a> {
    step: u64,
    objective: f64,
    train_error: f64,
    test_error: f64,
    effective_rank: f64,
    ratio: f64,
    nuclear_norm: f64,
    frobenius_norm: f64,
    subspace_angle_truth: f64,
    subspace_angle_start: f64,
    /// Gradient flow's time, GD's Σ learning rates; `null` otherwise.
    time: Option<f64>,
    /// Gradients of f computed so far; `null` for a solver that computes none.
    gradient_evaluations: Option<f64>,
    /// ‖ΔW‖_F and ‖ΔW‖_F²/‖ΔW‖₂² of the last step; `null` at step 0.
    step_norm: Option<f64>,
    step_stable_rank: Option<f64>,
    diverged_at: Option<u64>,
    diverged_reason: Option<&'a str>,
    /// The first step at which ‖W‖_F passed 10× the problem's scale (`null` if none).
    blowing_up_at: Option<u64>,
}

/// What [`SensitivityRunner::report`] returns: [`sensitivity::Report`] with the tuned config as
/// JSON text (serialized by the same code as [`Config::to_json`], not a second time for JS).
#[derive(Serialize)]
struct ReportForJs<'a> {
    protocol: &'a sensitivity::Protocol,
    cells: &'a [sensitivity::Cell],
    best: Vec<sensitivity::Best>,
    tuned_config: String,
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
    value.serialize(&serializer).unwrap_or(JsValue::NULL)
}

/// A JS value that must be a whole number in `0..=max`.
fn whole(v: &JsValue, max: f64) -> Option<usize> {
    let x = v.as_f64()?;
    (x.is_finite() && x.fract() == 0.0 && (0.0..=max).contains(&x)).then_some(x as usize)
}

fn text(v: &JsValue, what: &str) -> Result<String, JsError> {
    v.as_string().ok_or_else(|| JsError::new(&format!("{what}: must be a string (JSON text)")))
}

/// Most steps one `step(k)` call may take (the page asks for a few per frame).
const MAX_STEPS_PER_CALL: f64 = 1_000_000.0;

impl Lab {
    /// Run index from JS: a whole number below run_count, anything else None.
    fn idx(&self, i: &JsValue) -> Option<usize> {
        whole(i, self.inner.runs().len() as f64 - 1.0)
    }

    fn refresh(&mut self) {
        let runs = self.inner.runs();
        self.buffers.runs.resize_with(runs.len(), Vec::new);
        for (run, buf) in runs.iter().zip(self.buffers.runs.iter_mut()) {
            row_major(run.matrix(), buf);
        }
    }

    fn run(&self, i: &JsValue) -> Option<&lab::Run> {
        self.idx(i).and_then(|i| self.inner.runs().get(i))
    }
}

#[wasm_bindgen]
impl Lab {
    /// Builds a lab from a JSON config. Throws an `Error` whose message names the field.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: JsValue) -> Result<Lab, JsError> {
        let config_json = text(&config_json, "config")?;
        let inner = lab::Lab::from_json(&config_json).map_err(|e| JsError::new(&e.to_string()))?;
        let problem = inner.problem();
        let mut truth = Vec::new();
        row_major(&problem.truth, &mut truth);
        let mut observations = Vec::new();
        row_major(&problem.observations, &mut observations);
        let (m, n) = problem.shape();
        let mask = (0..m * n).map(|k| problem.mask[(k / n, k % n)] as u8).collect();
        let known = (0..m * n).map(|k| problem.known[(k / n, k % n)] as u8).collect();
        let mut lab = Lab { inner, buffers: Buffers { truth, observations, mask, known, runs: Vec::new() } };
        lab.refresh();
        Ok(lab)
    }

    /// The default experiment's config (JSON, every default filled).
    pub fn default_config() -> String {
        Config::default().to_json()
    }

    /// A config completing a CSV (blank, NA, NaN: unobserved) with everything else from
    /// `base_config_json`: its known cells are the truth and Ω, its blanks unknown. Throws with
    /// a message naming the CSV row and column.
    pub fn csv_to_config(csv: JsValue, base_config_json: JsValue) -> Result<String, JsError> {
        let csv = text(&csv, "CSV")?;
        let base = text(&base_config_json, "config")?;
        crate::csv::csv_to_config(&csv, &base).map(|c| c.to_json()).map_err(|e| JsError::new(&crate::csv::csv_error_text(&e)))
    }

    /// Every method the core has, in the page's order: a JSON array of the catalog's entries
    /// (`{name, label, family, about, rule: {lines, source}, equivariant, colour_slot,
    /// has_learning_rate, direct_only, solver, hyper: [{name, label, default, range}], config}`;
    /// see [`crate::catalog::method_info`]).
    pub fn methods() -> String {
        crate::catalog::catalog_json()
    }

    /// The names of the metrics kept in each run's history, in order (a JSON array of strings,
    /// [`crate::metrics::METRIC_NAMES`]): the names `history_ptr` takes.
    pub fn metric_names() -> String {
        serde_json::to_string(&crate::metrics::METRIC_NAMES).unwrap_or_else(|_| "[]".into())
    }

    /// The config this lab runs (JSON, every default filled, current learning rates).
    pub fn config_json(&self) -> String {
        self.inner.config().to_json()
    }

    pub fn rows(&self) -> usize {
        self.inner.problem().shape().0
    }
    pub fn cols(&self) -> usize {
        self.inner.problem().shape().1
    }
    /// Rank of W* (configured, or numerical for an explicit truth).
    pub fn rank(&self) -> usize {
        self.inner.problem().rank
    }
    /// |Ω|.
    pub fn observed_count(&self) -> usize {
        self.inner.problem().omega.len()
    }
    /// N, the model's depth (1: W itself).
    pub fn depth(&self) -> usize {
        self.inner.network().depth()
    }
    pub fn run_count(&self) -> usize {
        self.inner.runs().len()
    }
    /// The optimizer's config name (`"adam"`), or `""` for a bad index.
    pub fn run_name(&self, i: JsValue) -> String {
        self.run(&i).map(|r| r.optimizer().name().to_string()).unwrap_or_default()
    }
    /// A label for people (`"Adam (no bias correction)"`), or `""`.
    pub fn run_label(&self, i: JsValue) -> String {
        self.run(&i).map(|r| r.optimizer().label()).unwrap_or_default()
    }
    /// The run's optimizer config as JSON, or `"null"`.
    pub fn run_optimizer_json(&self, i: JsValue) -> String {
        self.run(&i).map(|r| r.optimizer().to_json()).unwrap_or_else(|| "null".into())
    }

    /// Run i's learning rate, or `undefined` for a method without one (or a bad index).
    pub fn run_learning_rate(&self, i: JsValue) -> Option<f64> {
        self.run(&i).and_then(|r| r.optimizer().learning_rate())
    }

    /// Advances every live, enabled run `k` steps (a whole number from 0 to 1 000 000;
    /// anything else throws).
    pub fn step(&mut self, k: JsValue) -> Result<(), JsError> {
        let k = whole(&k, MAX_STEPS_PER_CALL)
            .ok_or_else(|| JsError::new(&format!("step: k must be a whole number from 0 to {MAX_STEPS_PER_CALL}")))?;
        self.inner.step(k as u64);
        self.refresh();
        Ok(())
    }

    /// Every run back to step 0 at the shared start.
    pub fn reset(&mut self) {
        self.inner.reset();
        self.refresh();
    }

    /// Hot learning-rate change (state kept). Throws on a bad index or value.
    pub fn set_learning_rate(&mut self, i: JsValue, learning_rate: JsValue) -> Result<(), JsError> {
        let i = self.idx(&i).ok_or_else(|| JsError::new("set_learning_rate: no such run"))?;
        let lr = learning_rate
            .as_f64()
            .ok_or_else(|| JsError::new(&format!("optimizers[{i}].learning_rate: must be a number")))?;
        self.inner.set_learning_rate(i, lr).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Turns run i on or off; throws unless `on` is a boolean and i a run.
    pub fn set_enabled(&mut self, i: JsValue, on: JsValue) -> Result<(), JsError> {
        let i = self.idx(&i).ok_or_else(|| JsError::new("set_enabled: no such run"))?;
        let on = on.as_bool().ok_or_else(|| JsError::new("set_enabled: on must be true or false"))?;
        self.inner.set_enabled(i, on);
        Ok(())
    }

    /// Run i's current W as CSV (m lines of n numbers), or `""` for a bad index.
    pub fn matrix_csv(&self, i: JsValue) -> String {
        self.run(&i).map(|r| crate::csv::matrix_to_csv(r.matrix())).unwrap_or_default()
    }

    /// m·n `u8`, row-major, 1 where W*'s entry is known (0 only for the blanks of a CSV).
    pub fn known_mask_ptr(&self) -> *const u8 {
        self.buffers.known.as_ptr()
    }

    /// W*, m·n `f64`, row-major.
    pub fn truth_ptr(&self) -> *const f64 {
        self.buffers.truth.as_ptr()
    }
    /// Y: the observations on Ω (with noise), 0 elsewhere; m·n `f64`, row-major.
    pub fn observations_ptr(&self) -> *const f64 {
        self.buffers.observations.as_ptr()
    }
    /// m·n `u8`, row-major, 1 where observed.
    pub fn observed_mask_ptr(&self) -> *const u8 {
        self.buffers.mask.as_ptr()
    }
    /// Run i's W, m·n `f64`, row-major (null pointer for a bad index).
    pub fn matrix_ptr(&self, i: JsValue) -> *const f64 {
        self.idx(&i).and_then(|i| self.buffers.runs.get(i)).map_or(std::ptr::null(), |b| b.as_ptr())
    }

    /// `{step, objective, train_error, test_error, effective_rank, ratio, nuclear_norm,
    /// frobenius_norm, subspace_angle_truth, subspace_angle_start, time, gradient_evaluations, step_norm,
    /// step_stable_rank, diverged_at, diverged_reason, blowing_up_at}`
    /// or `null`.
    pub fn metrics(&self, i: JsValue) -> JsValue {
        let Some(run) = self.run(&i) else { return JsValue::NULL };
        let m = run.metrics();
        to_js(&RunMetrics {
            step: run.step_count(),
            objective: m.objective,
            train_error: m.train_error,
            test_error: m.test_error,
            effective_rank: m.effective_rank,
            ratio: m.ratio,
            nuclear_norm: m.nuclear_norm,
            frobenius_norm: m.frobenius_norm,
            subspace_angle_truth: m.subspace_angle_truth,
            subspace_angle_start: m.subspace_angle_start,
            time: Some(m.time).filter(|t| !t.is_nan()),
            gradient_evaluations: Some(m.gradient_evaluations).filter(|t| !t.is_nan()),
            step_norm: Some(m.step_norm).filter(|t| !t.is_nan()),
            step_stable_rank: Some(m.step_stable_rank).filter(|t| !t.is_nan()),
            diverged_at: run.diverged().map(|d| d.step),
            diverged_reason: run.diverged().map(|d| d.reason.as_str()),
            blowing_up_at: run.blowing_up_at(),
        })
    }

    /// Run i's singular values, descending (empty for a bad index).
    pub fn singular_values(&self, i: JsValue) -> Vec<f64> {
        self.run(&i).map(|r| r.metrics().singular_values.clone()).unwrap_or_default()
    }

    /// W*'s singular values, descending.
    pub fn truth_singular_values(&self) -> Vec<f64> {
        crate::linalg::Svd::values_of(&self.inner.problem().truth).iter().copied().collect()
    }

    /// W*'s effective rank (Roy & Vetterli 2007).
    pub fn truth_effective_rank(&self) -> f64 {
        crate::metrics::effective_rank(&self.truth_singular_values())
    }

    /// The joint PCA of every run's thinned iterates:
    /// `{steps: [[…] per run], coords: [[[pc1, pc2], …] per run], explained: [f1, f2]}`.
    /// The directions come from at most 128 snapshots in all (cost ≈ 128²·m·n + 128³), every
    /// snapshot is projected: tens of milliseconds at 30×30. Call it a few times a second at most.
    pub fn trajectory_pca(&self) -> JsValue {
        to_js(&self.inner.trajectory_pca())
    }

    /// Snapshots kept of run i's iterates for the PCA (0 for a bad index).
    pub fn snapshot_count(&self, i: JsValue) -> usize {
        self.run(&i).map_or(0, |r| r.snapshots().len())
    }

    /// The steps of run i's snapshots, `snapshot_count(i)` numbers (empty for a bad index).
    pub fn snapshot_steps(&self, i: JsValue) -> Vec<f64> {
        self.run(&i).map(|r| r.snapshots().steps().iter().map(|&s| s as f64).collect()).unwrap_or_default()
    }

    /// Run i's snapshots, `snapshot_count(i)` · m·n `f64`s one after the other, each in the
    /// core's storage order (not row-major): only for [`Lab::joint_trajectory_pca`]. Empty for
    /// a bad index.
    pub fn snapshot_data(&self, i: JsValue) -> Vec<f64> {
        let Some(run) = self.run(&i) else { return Vec::new() };
        let s = run.snapshots();
        let mut out = Vec::with_capacity(s.len() * s.get(0).len());
        for k in 0..s.len() {
            out.extend_from_slice(s.get(k));
        }
        out
    }

    /// The joint PCA of snapshots gathered from several labs (e.g. one per Web Worker, each
    /// stepping some runs of the same config): `counts[r]` snapshots for run r, their
    /// `steps` (Σ counts numbers) and their `data` (Σ counts · m·n numbers, each run's
    /// `snapshot_data` in turn). Returns what `trajectory_pca()` does, bit for bit the same
    /// for the same snapshots. Throws when the lengths do not fit.
    pub fn joint_trajectory_pca(counts: Vec<f64>, steps: Vec<f64>, data: Vec<f64>) -> Result<JsValue, JsError> {
        crate::pca::joint_pca_gathered(&counts, &steps, &data)
            .map(|pca| to_js(&pca))
            .map_err(|why| JsError::new(&format!("joint_trajectory_pca: {why}")))
    }

    /// Points in run i's history (0 for a bad index).
    pub fn history_len(&self, i: JsValue) -> usize {
        self.run(&i).map_or(0, |r| r.history().len())
    }

    /// Run i's history of `metric` (`step`, `objective`, `train_error`, `test_error`,
    /// `effective_rank`, `ratio`, `nuclear_norm`, `frobenius_norm`, `subspace_angle_truth`,
    /// `subspace_angle_start`, `time`, `gradient_evaluations`, `step_norm`, `step_stable_rank`):
    /// `history_len(i)` `f64`s;
    /// null for a bad index or name.
    /// The last point is always the newest step.
    pub fn history_ptr(&self, i: JsValue, metric: JsValue) -> *const f64 {
        let Some(metric) = metric.as_string() else { return std::ptr::null() };
        self.run(&i).and_then(|r| r.history().series(&metric)).map_or(std::ptr::null(), |s| s.as_ptr())
    }
}

/// A learning-rate sensitivity sweep, one cell per call (for a Web Worker: progress and
/// cancel between cells): a thin adapter over [`sensitivity::Runner`].
#[wasm_bindgen]
pub struct SensitivityRunner {
    inner: sensitivity::Runner,
}

/// A JS number, or NaN for anything else (which every check refuses).
fn number(v: &JsValue) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[wasm_bindgen]
impl SensitivityRunner {
    /// A sweep of `config_json`'s methods over 10^from … 10^to, `per_decade` points per decade,
    /// `steps` steps per run. Throws on a bad config or grid.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: JsValue, from: JsValue, to: JsValue, per_decade: JsValue, steps: JsValue) -> Result<SensitivityRunner, JsError> {
        let config_json = text(&config_json, "config")?;
        sensitivity::Runner::from_grid(&config_json, number(&from), number(&to), number(&per_decade), number(&steps))
            .map(|inner| SensitivityRunner { inner })
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Number of cells in all.
    pub fn total(&self) -> usize {
        self.inner.total()
    }

    /// Cells done so far.
    pub fn done(&self) -> usize {
        self.inner.done()
    }

    /// Runs the next cell and returns it (`{optimizer, name, label, learning_rate, test_error,
    /// effective_rank, diverged_at}`), or `null` when every cell is done. (JavaScript's name for
    /// it; not an `Iterator`, whose `next` could not return a `Result`.)
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<JsValue, JsError> {
        match self.inner.next() {
            Ok(Some(cell)) => Ok(to_js(cell)),
            Ok(None) => Ok(JsValue::NULL),
            Err(e) => Err(JsError::new(&e.to_string())),
        }
    }

    /// `{protocol, cells, best, tuned_config}` for the cells done so far; `tuned_config` is
    /// JSON text.
    pub fn report(&self) -> JsValue {
        let report = self.inner.report();
        let tuned_config = report.tuned_config.to_json();
        to_js(&ReportForJs { protocol: &report.protocol, cells: &report.cells, best: report.best, tuned_config })
    }
}
