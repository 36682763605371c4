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

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// Row-major copies of the matrices the page draws, refreshed after every call that moves runs.
struct Buffers {
    truth: Vec<f64>,
    mask: Vec<u8>,
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
    diverged_at: Option<u64>,
    diverged_reason: Option<&'a str>,
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
    value.serialize(&serializer).unwrap_or(JsValue::NULL)
}

impl Lab {
    fn refresh(&mut self) {
        let runs = self.inner.runs();
        self.buffers.runs.resize_with(runs.len(), Vec::new);
        for (run, buf) in runs.iter().zip(self.buffers.runs.iter_mut()) {
            row_major(run.matrix(), buf);
        }
    }

    fn run(&self, i: usize) -> Option<&lab::Run> {
        self.inner.runs().get(i)
    }
}

#[wasm_bindgen]
impl Lab {
    /// Builds a lab from a JSON config. Throws an `Error` whose message names the field.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<Lab, JsError> {
        let inner = lab::Lab::from_json(config_json).map_err(|e| JsError::new(&e.to_string()))?;
        let problem = inner.problem();
        let mut truth = Vec::new();
        row_major(&problem.truth, &mut truth);
        let (m, n) = problem.shape();
        let mask = (0..m * n).map(|k| problem.mask[(k / n, k % n)] as u8).collect();
        let mut lab = Lab { inner, buffers: Buffers { truth, mask, runs: Vec::new() } };
        lab.refresh();
        Ok(lab)
    }

    /// The default experiment's config (JSON, every default filled).
    pub fn default_config() -> String {
        Config::default().to_json()
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
    pub fn run_count(&self) -> usize {
        self.inner.runs().len()
    }
    /// The optimizer's config name (`"adam"`), or `""` for a bad index.
    pub fn run_name(&self, i: usize) -> String {
        self.run(i).map(|r| r.optimizer().name().to_string()).unwrap_or_default()
    }
    /// A label for people (`"Adam (no bias correction)"`), or `""`.
    pub fn run_label(&self, i: usize) -> String {
        self.run(i).map(|r| r.optimizer().label()).unwrap_or_default()
    }
    /// The run's optimizer config as JSON, or `"null"`.
    pub fn run_optimizer_json(&self, i: usize) -> String {
        self.run(i).and_then(|r| serde_json::to_string(r.optimizer()).ok()).unwrap_or_else(|| "null".into())
    }

    /// Advances every live, enabled run `k` steps.
    pub fn step(&mut self, k: u32) {
        self.inner.step(k as u64);
        self.refresh();
    }

    /// Every run back to step 0 at the shared start.
    pub fn reset(&mut self) {
        self.inner.reset();
        self.refresh();
    }

    /// Hot learning-rate change (state kept). Throws on a bad index or value.
    pub fn set_learning_rate(&mut self, i: usize, learning_rate: f64) -> Result<(), JsError> {
        self.inner.set_learning_rate(i, learning_rate).map_err(|e| JsError::new(&e.to_string()))
    }

    pub fn set_enabled(&mut self, i: usize, on: bool) {
        self.inner.set_enabled(i, on);
    }

    /// W*, m·n `f64`, row-major.
    pub fn truth_ptr(&self) -> *const f64 {
        self.buffers.truth.as_ptr()
    }
    /// m·n `u8`, row-major, 1 where observed.
    pub fn observed_mask_ptr(&self) -> *const u8 {
        self.buffers.mask.as_ptr()
    }
    /// Run i's W, m·n `f64`, row-major (null pointer for a bad index).
    pub fn matrix_ptr(&self, i: usize) -> *const f64 {
        self.buffers.runs.get(i).map_or(std::ptr::null(), |b| b.as_ptr())
    }

    /// `{step, objective, train_error, test_error, effective_rank, ratio, diverged_at, diverged_reason}`
    /// or `null`.
    pub fn metrics(&self, i: usize) -> JsValue {
        let Some(run) = self.run(i) else { return JsValue::NULL };
        let m = run.metrics();
        to_js(&RunMetrics {
            step: run.step_count(),
            objective: m.objective,
            train_error: m.train_error,
            test_error: m.test_error,
            effective_rank: m.effective_rank,
            ratio: m.ratio,
            diverged_at: run.diverged().map(|d| d.step),
            diverged_reason: run.diverged().map(|d| d.reason.as_str()),
        })
    }

    /// Run i's singular values, descending (empty for a bad index).
    pub fn singular_values(&self, i: usize) -> Vec<f64> {
        self.run(i).map(|r| r.metrics().singular_values.clone()).unwrap_or_default()
    }

    /// W*'s singular values, descending.
    pub fn truth_singular_values(&self) -> Vec<f64> {
        self.inner.problem().truth.singular_values().iter().copied().collect()
    }

    /// Points in run i's history (0 for a bad index).
    pub fn history_len(&self, i: usize) -> usize {
        self.run(i).map_or(0, |r| r.history().len())
    }

    /// Run i's history of `metric` (`step`, `objective`, `train_error`, `test_error`,
    /// `effective_rank`, `ratio`): `history_len(i)` `f64`s; null for a bad index or name.
    pub fn history_ptr(&self, i: usize, metric: &str) -> *const f64 {
        self.run(i).and_then(|r| r.history().series(metric)).map_or(std::ptr::null(), |s| s.as_ptr())
    }
}
