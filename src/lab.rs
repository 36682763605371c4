//! The lab: one problem, one run per optimizer, every run from the same start.
//!
//! ```
//! use mc_playground::{Config, Lab};
//! let mut lab = Lab::new(Config::default()).unwrap();
//! lab.step(10);
//! for run in lab.runs() {
//!     println!("{}: test error {:.3}", run.optimizer().label(), run.metrics().test_error);
//! }
//! ```
//!
//! A run *diverges* when, after a step, its gradient or iterate has a non-finite entry, its
//! iterate's Frobenius norm exceeds [`DIVERGENCE_FACTOR`] times the problem's scale
//! (max(‖P_Ω(Y)‖_F, ‖W₀‖_F)), the SVD does not converge, or the objective is not finite.
//! It then stops for good, keeps its last finite iterate and metrics, and reports the step at
//! which it diverged and why; the other runs go on.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::config::{Config, ConfigError};
use crate::metrics::{History, Metrics};
use crate::model::start_matrix;
use crate::objective::{Objective, Svd};
use crate::optim::{OptimizerConfig, OptimizerState};
use crate::problem::Problem;

/// A run whose ‖W‖_F grows past this many times the problem's scale is marked diverged.
pub const DIVERGENCE_FACTOR: f64 = 1e8;

/// Why and when a run stopped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Divergence {
    /// The step that produced the bad value (the run's last good iterate is from step − 1).
    pub step: u64,
    pub reason: String,
}

/// One optimizer's run: its state, iterate, metrics and history.
#[derive(Debug, Clone)]
pub struct Run {
    optimizer: OptimizerConfig,
    state: OptimizerState,
    w: DMatrix<f64>,
    svd: Svd,
    grad: DMatrix<f64>,
    next: DMatrix<f64>,
    step: u64,
    metrics: Metrics,
    history: History,
    diverged: Option<Divergence>,
    enabled: bool,
}

impl Run {
    fn new(optimizer: OptimizerConfig, start: &DMatrix<f64>, start_svd: &Svd, start_metrics: &Metrics) -> Run {
        let (m, n) = start.shape();
        let mut history = History::new(History::DEFAULT_CAPACITY);
        history.record(0, start_metrics);
        Run {
            state: optimizer.init(m * n),
            optimizer,
            w: start.clone(),
            svd: start_svd.clone(),
            grad: DMatrix::zeros(m, n),
            next: DMatrix::zeros(m, n),
            step: 0,
            metrics: start_metrics.clone(),
            history,
            diverged: None,
            enabled: true,
        }
    }

    /// The optimizer and its (current) hyper-parameters.
    pub fn optimizer(&self) -> &OptimizerConfig {
        &self.optimizer
    }
    /// Steps taken.
    pub fn step_count(&self) -> u64 {
        self.step
    }
    /// The current iterate W (m × n); the last finite one once diverged.
    pub fn matrix(&self) -> &DMatrix<f64> {
        &self.w
    }
    /// Metrics of the current iterate.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
    pub fn history(&self) -> &History {
        &self.history
    }
    pub fn diverged(&self) -> Option<&Divergence> {
        self.diverged.as_ref()
    }
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    fn diverge(&mut self, reason: impl Into<String>) {
        self.diverged = Some(Divergence { step: self.step + 1, reason: reason.into() });
    }

    fn step_once(&mut self, problem: &Problem, objective: &Objective, bound: f64) {
        objective.gradient_into(problem, &self.w, &self.svd, &mut self.grad);
        if !self.grad.iter().all(|g| g.is_finite()) {
            return self.diverge("the gradient became non-finite");
        }
        self.next.copy_from(&self.w);
        self.optimizer.update(self.next.as_mut_slice(), self.grad.as_slice(), &mut self.state);
        if !self.next.iter().all(|v| v.is_finite()) {
            return self.diverge("the iterate became non-finite");
        }
        let norm = self.next.norm();
        if norm > bound {
            return self.diverge(format!("‖W‖_F = {norm:.3e} exceeded the bound {bound:.3e}"));
        }
        let Some(svd) = Svd::of(&self.next) else {
            return self.diverge("the SVD of the iterate did not converge");
        };
        let metrics = Metrics::compute(problem, objective, &self.next, &svd);
        if !metrics.objective.is_finite() {
            return self.diverge("the objective became non-finite");
        }
        std::mem::swap(&mut self.w, &mut self.next);
        self.svd = svd;
        self.metrics = metrics;
        self.step += 1;
        self.history.record(self.step, &self.metrics);
    }
}

/// One problem and its runs: the handle the page and the CLI hold.
#[derive(Debug, Clone)]
pub struct Lab {
    config: Config,
    problem: Problem,
    objective: Objective,
    start: DMatrix<f64>,
    start_svd: Svd,
    start_metrics: Metrics,
    bound: f64,
    runs: Vec<Run>,
}

impl Lab {
    /// Builds the problem, the shared start and one run per optimizer.
    ///
    /// # Errors
    /// An invalid config (see [`Config::validate`]).
    pub fn new(config: Config) -> Result<Lab, ConfigError> {
        config.validate()?;
        let problem = Problem::new(&config.problem);
        let objective = Objective::from(&config.objective);
        let start = start_matrix(&problem, &config.model, config.problem.seed);
        let start_svd = Svd::of(&start)
            .ok_or_else(|| ConfigError::new("model.init", "the SVD of the start matrix did not converge"))?;
        let start_metrics = Metrics::compute(&problem, &objective, &start, &start_svd);
        let bound = DIVERGENCE_FACTOR * problem.observed_norm.max(start.norm()).max(f64::MIN_POSITIVE);
        let runs = config.optimizers.iter().map(|o| Run::new(o.clone(), &start, &start_svd, &start_metrics)).collect();
        Ok(Lab { config, problem, objective, start, start_svd, start_metrics, bound, runs })
    }

    /// Parses a JSON config and builds its lab.
    ///
    /// # Errors
    /// See [`Config::from_json`].
    pub fn from_json(text: &str) -> Result<Lab, ConfigError> {
        Lab::new(Config::from_json(text)?)
    }

    /// Advances every enabled, live run `k` steps.
    pub fn step(&mut self, k: u64) {
        let (problem, objective, bound) = (&self.problem, &self.objective, self.bound);
        for run in self.runs.iter_mut().filter(|r| r.enabled) {
            for _ in 0..k {
                if run.diverged.is_some() {
                    break;
                }
                run.step_once(problem, objective, bound);
            }
        }
    }

    /// Every run back to step 0 at the shared start, with fresh optimizer state and history
    /// (current hyper-parameters and on/off kept).
    pub fn reset(&mut self) {
        for run in self.runs.iter_mut() {
            let enabled = run.enabled;
            *run = Run::new(run.optimizer.clone(), &self.start, &self.start_svd, &self.start_metrics);
            run.enabled = enabled;
        }
    }

    /// Sets run `i`'s learning rate, keeping its state (moments, step count).
    ///
    /// # Errors
    /// `i` out of range, or a learning rate that is negative or not finite.
    pub fn set_learning_rate(&mut self, i: usize, learning_rate: f64) -> Result<(), ConfigError> {
        let run = self.runs.get_mut(i).ok_or_else(|| ConfigError::new("optimizers", format!("no run {i}")))?;
        run.optimizer
            .set_learning_rate(learning_rate)
            .map_err(|(f, m)| ConfigError::new(format!("optimizers[{i}].{f}"), m))?;
        self.config.optimizers[i] = run.optimizer.clone();
        Ok(())
    }

    /// Turns run `i` on or off (an off run is not stepped; its state is kept). Ignores a bad index.
    pub fn set_enabled(&mut self, i: usize, enabled: bool) {
        if let Some(run) = self.runs.get_mut(i) {
            run.enabled = enabled;
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
    pub fn objective(&self) -> &Objective {
        &self.objective
    }
    /// The shared start W₀ (m × n).
    pub fn start(&self) -> &DMatrix<f64> {
        &self.start
    }
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }
}
