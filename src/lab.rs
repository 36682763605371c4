//! The lab: one problem, one run per method, every run from the same start.
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
//! end-to-end matrix's Frobenius norm exceeds [`DIVERGENCE_FACTOR`] times the problem's scale
//! (max(‖P_Ω(Y)‖_F, ‖W₀‖_F)), an SVD does not converge, the objective is not finite, or a
//! solver fails. It then stops for good, keeps its last finite iterate and metrics, and
//! reports the step at which it diverged and why; the other runs go on.
//!
//! A run is *blowing up* from the first step at which ‖W‖_F exceeds [`BLOW_UP_FACTOR`] times
//! that scale ([`Run::blowing_up_at`]): it goes on, but its figures are no completion of the
//! data (Rprop at 0.01 on the default experiment, whose step sizes climb to their maximum of 50
//! where a gradient's sign holds, grows so on every seed, and crosses the divergence bound on
//! some).
//!
//! By default every step's metrics are computed and recorded (what the page draws). A lab
//! used only for its final state (the command line, sweeps) calls
//! [`Lab::set_recording`]`(false)`: metrics are then computed at the end of each
//! [`Lab::step`] call only, and an SVD per step is paid only when the gradient needs it.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::config::{Config, ConfigError};
use crate::linalg::{Svd, SvdWorkspace};
use crate::method::{Iterate, Kind, Landscape, Method, MethodState};
use crate::metrics::{Clock, History, Metrics, References, Snapshots};
use crate::model::{factor_shapes, start_factors, Network};
use crate::objective::Objective;
use crate::problem::Problem;

/// A run whose ‖W‖_F grows past this many times the problem's scale is marked diverged
/// (a matrix ten thousand times the size of the data is no completion of it).
pub const DIVERGENCE_FACTOR: f64 = 1e4;

/// A run whose ‖W‖_F passes this many times the problem's scale is flagged as blowing up
/// (W* itself is about √(mn/|Ω|) times the observed part's size: 1.7× on the default experiment).
pub const BLOW_UP_FACTOR: f64 = 10.0;

/// Memory for the PCA snapshots of all runs together (bytes); each run keeps between 16 and
/// 128 snapshots within it.
pub const SNAPSHOT_BUDGET: usize = 24 << 20;

/// Why and when a run stopped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Divergence {
    /// The step that produced the bad value (the run's last good iterate is from step − 1).
    pub step: u64,
    pub reason: String,
}

/// What every run shares: the problem, the objective, the model's layout and the references.
#[derive(Debug, Clone)]
struct Shared {
    problem: Problem,
    objective: Objective,
    network: Network,
    refs: References,
    /// ‖W‖_F beyond which a run diverges ([`DIVERGENCE_FACTOR`] × the scale).
    bound: f64,
    /// ‖W‖_F beyond which a run is blowing up ([`BLOW_UP_FACTOR`] × the scale).
    blow_up: f64,
}

/// One method's run: its parameters and state, the end-to-end matrix, metrics and history.
#[derive(Debug, Clone)]
pub struct Run {
    optimizer: Box<dyn Method>,
    /// The method's state (made by its `init`: moments, step counts, a solver's own).
    state: Box<dyn MethodState>,
    params: Vec<f64>,
    grads: Vec<f64>,
    w: DMatrix<f64>,
    /// The SVD of `w` when it has been computed for the current iterate.
    svd: Option<Svd>,
    /// Buffers a step computes the next iterate into; swapped in when the step succeeds, so
    /// a step allocates nothing (first-order methods, depth 1, recording off).
    scratch: Scratch,
    step: u64,
    time: f64,
    /// Gradients of f computed so far (see [`Run::clock`]).
    evaluations: u64,
    metrics: Metrics,
    metrics_step: u64,
    history: History,
    snapshots: Snapshots,
    diverged: Option<Divergence>,
    blowing_up_at: Option<u64>,
    enabled: bool,
}

/// A run's reusable buffers (their contents mean nothing between steps).
#[derive(Debug, Clone)]
struct Scratch {
    /// Next parameters.
    params: Vec<f64>,
    /// ∇f at the current end-to-end W (m × n).
    grad_w: DMatrix<f64>,
    /// Next end-to-end W.
    w: DMatrix<f64>,
    /// The end-to-end W before the last good step (for the step's metrics; meaningful once the
    /// run has taken a step).
    previous_w: DMatrix<f64>,
    /// Storage for the next SVD (a previous iterate's, recycled).
    svd: Option<Svd>,
    ws: SvdWorkspace,
}

impl Scratch {
    fn new(params: usize, (m, n): (usize, usize)) -> Scratch {
        Scratch {
            params: vec![0.0; params],
            grad_w: DMatrix::zeros(m, n),
            w: DMatrix::zeros(m, n),
            previous_w: DMatrix::zeros(m, n),
            svd: None,
            ws: SvdWorkspace::new(),
        }
    }
}

impl Run {
    fn new(optimizer: Box<dyn Method>, shared: &Shared, start: &Start, snapshot_capacity: usize) -> Run {
        let mut history = History::new(History::DEFAULT_CAPACITY);
        let time = if optimizer.meta().tracks_time { 0.0 } else { f64::NAN };
        let mut metrics = start.metrics.clone();
        metrics.time = time;
        history.record(0, &metrics);
        let mut snapshots = Snapshots::new(snapshot_capacity, start.w.len());
        snapshots.record(0, start.w.as_slice());
        let state = match optimizer.kind() {
            Kind::Gradient(g) => g.init(shared.network.shapes()),
            Kind::Solver(s) => s.init(shared, Iterate { params: &start.params, w: &start.w, svd: Some(&start.svd) }),
        };
        Run {
            state,
            optimizer,
            params: start.params.clone(),
            grads: vec![0.0; start.params.len()],
            w: start.w.clone(),
            svd: Some(start.svd.clone()),
            scratch: Scratch::new(start.params.len(), start.w.shape()),
            step: 0,
            time,
            evaluations: 0,
            metrics,
            metrics_step: 0,
            history,
            snapshots,
            diverged: None,
            blowing_up_at: None,
            enabled: true,
        }
    }

    /// The method and its (current) hyper-parameters.
    pub fn optimizer(&self) -> &dyn Method {
        self.optimizer.as_ref()
    }
    /// Steps taken.
    pub fn step_count(&self) -> u64 {
        self.step
    }
    /// The current end-to-end matrix W (m × n); the last finite one once diverged.
    pub fn matrix(&self) -> &DMatrix<f64> {
        &self.w
    }
    /// The model's parameters (the factors W_1, …, W_N, each column-major, one after the other).
    pub fn params(&self) -> &[f64] {
        &self.params
    }
    /// Metrics of the current iterate (with recording off: as of the end of the last `step` call).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
    pub fn history(&self) -> &History {
        &self.history
    }
    /// Thinned snapshots of W for the trajectories' PCA.
    pub fn snapshots(&self) -> &Snapshots {
        &self.snapshots
    }
    /// The first step after which ‖W‖_F exceeded [`BLOW_UP_FACTOR`] times the problem's scale
    /// (`None` while it has not).
    pub fn blowing_up_at(&self) -> Option<u64> {
        self.blowing_up_at
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

    /// The SVD of the current W, computing it if needed.
    fn ensure_svd(&mut self) -> Result<(), String> {
        ensure_svd(&mut self.svd, &self.w, &mut self.scratch)
    }

    /// The clock at `time` after `evaluations` gradients: `NaN` evaluations for a solver that
    /// computes no gradient (ALS, SoftImpute) once it has stepped.
    fn clock(&self, time: f64, evaluations: u64) -> Clock {
        let none = evaluations == 0 && matches!(self.optimizer.kind(), Kind::Solver(_));
        Clock { time, gradient_evaluations: if none { f64::NAN } else { evaluations as f64 } }
    }

    fn refresh_metrics(&mut self, sh: &Shared) -> Result<(), String> {
        if self.metrics_step == self.step && self.step > 0 {
            return Ok(());
        }
        self.ensure_svd()?;
        let svd = self.svd.as_ref().expect("ensured");
        let previous = (self.step > 0).then_some(&self.scratch.previous_w);
        let metrics = Metrics::compute(&sh.problem, &sh.objective, &self.w, svd, &sh.refs, self.clock(self.time, self.evaluations), previous);
        if !metrics.objective.is_finite() {
            return Err("the objective became non-finite".into());
        }
        self.metrics = metrics;
        self.metrics_step = self.step;
        Ok(())
    }

    /// One step; on failure returns the reason and leaves the run at its last iterate
    /// (it is then marked diverged). Optimizer state may have advanced on failure; a
    /// diverged run is never stepped again.
    ///
    /// The next iterate is computed into the scratch buffers and swapped in only when every
    /// check has passed; with a first-order method on the direct parameterization and
    /// recording off, a step allocates nothing.
    fn try_step(&mut self, sh: &Shared, record: bool) -> Result<(), String> {
        let mut time = self.time;
        let mut evaluations = self.evaluations;
        let Run { optimizer, state, params, grads, w, svd, scratch, .. } = self;
        match optimizer.kind() {
            Kind::Solver(solver) => {
                if solver.needs_svd() {
                    ensure_svd(svd, w, scratch)?;
                }
                let at = Iterate { params, w, svd: svd.as_ref() };
                let counted = Counted { inner: sh, gradients: std::cell::Cell::new(0) };
                solver.step(&counted, at, state.as_mut(), &mut scratch.params)?;
                evaluations += counted.gradients.get();
                if let Some(t) = solver.time(state.as_ref()) {
                    time = t;
                }
            }
            Kind::Gradient(method) => {
                if sh.objective.needs_svd() {
                    ensure_svd(svd, w, scratch)?;
                    let svd = svd.as_ref().expect("ensured");
                    sh.objective.gradient_into(&sh.problem, w, svd, &mut scratch.grad_w);
                } else {
                    sh.objective.fit_gradient_into(&sh.problem, w, &mut scratch.grad_w);
                }
                sh.network.backprop(params, &scratch.grad_w, grads);
                evaluations += 1;
                if !grads.iter().all(|g| g.is_finite()) {
                    return Err("the gradient became non-finite".into());
                }
                scratch.params.copy_from_slice(params);
                method.step(&mut scratch.params, grads, sh.network.shapes(), state.as_mut());
                if let Some(lr) = optimizer.learning_rate().filter(|_| optimizer.meta().tracks_time) {
                    time += lr;
                }
            }
        }
        if !self.scratch.params.iter().all(|v| v.is_finite()) {
            return Err("the iterate became non-finite".into());
        }
        sh.network.end_to_end_into(&self.scratch.params, &mut self.scratch.w);
        let norm = self.scratch.w.norm();
        if !norm.is_finite() {
            return Err("the end-to-end matrix became non-finite".into());
        }
        if norm > sh.bound {
            return Err(format!("‖W‖_F = {norm:.3e} exceeded the bound {:.3e}", sh.bound));
        }
        // Everything about the new iterate is computed before anything is committed.
        let svd = if record || sh.objective.needs_svd() {
            let mut svd = self.scratch.svd.take().unwrap_or_else(Svd::empty);
            if !svd.fast_into(&self.scratch.w, &mut self.scratch.ws) {
                self.scratch.svd = Some(svd);
                return Err("the SVD of the iterate did not converge".into());
            }
            Some(svd)
        } else {
            None
        };
        let metrics = match (&svd, record) {
            (Some(svd), true) => {
                let clock = self.clock(time, evaluations);
                let m = Metrics::compute(&sh.problem, &sh.objective, &self.scratch.w, svd, &sh.refs, clock, Some(&self.w));
                if !m.objective.is_finite() {
                    return Err("the objective became non-finite".into());
                }
                Some(m)
            }
            _ => None,
        };
        std::mem::swap(&mut self.params, &mut self.scratch.params);
        std::mem::swap(&mut self.w, &mut self.scratch.w);
        // The iterate before this step, kept for the step's metrics (pointer swaps, no copy).
        std::mem::swap(&mut self.scratch.w, &mut self.scratch.previous_w);
        if let Some(old) = std::mem::replace(&mut self.svd, svd) {
            self.scratch.svd = Some(old);
        }
        self.time = time;
        self.evaluations = evaluations;
        self.step += 1;
        if norm > sh.blow_up && self.blowing_up_at.is_none() {
            self.blowing_up_at = Some(self.step);
        }
        if let Some(m) = metrics {
            self.metrics = m;
            self.metrics_step = self.step;
            self.history.record(self.step, &self.metrics);
            self.snapshots.record(self.step, self.w.as_slice());
        }
        Ok(())
    }

    fn step_once(&mut self, sh: &Shared, record: bool) {
        if let Err(reason) = self.try_step(sh, record) {
            self.diverge(reason);
        }
    }
}

/// Makes `svd` the SVD of `w` if it is not yet, in storage recycled from `scratch`.
fn ensure_svd(svd: &mut Option<Svd>, w: &DMatrix<f64>, scratch: &mut Scratch) -> Result<(), String> {
    if svd.is_none() {
        let mut fresh = scratch.svd.take().unwrap_or_else(Svd::empty);
        if !fresh.fast_into(w, &mut scratch.ws) {
            return Err("the SVD of the iterate did not converge".into());
        }
        *svd = Some(fresh);
    }
    Ok(())
}

/// The shared start: parameters, end-to-end matrix, its SVD and metrics.
#[derive(Debug, Clone)]
struct Start {
    params: Vec<f64>,
    w: DMatrix<f64>,
    svd: Svd,
    metrics: Metrics,
}

/// The shared landscape, counting the gradients of f a solver asks of it (each `gradient` and
/// `param_gradient` call: Newton's Hessian–vector products are two each, gradient flow's stages
/// one each).
struct Counted<'a> {
    inner: &'a Shared,
    gradients: std::cell::Cell<u64>,
}

impl Landscape for Counted<'_> {
    fn shape(&self) -> (usize, usize) {
        self.inner.shape()
    }
    fn omega(&self) -> &[(usize, usize)] {
        self.inner.omega()
    }
    fn observations(&self) -> &DMatrix<f64> {
        self.inner.observations()
    }
    fn scale(&self) -> f64 {
        self.inner.scale()
    }
    fn value(&self, w: &DMatrix<f64>, svd: &Svd) -> f64 {
        self.inner.value(w, svd)
    }
    fn gradient(&self, w: &DMatrix<f64>, svd: &Svd) -> DMatrix<f64> {
        self.gradients.set(self.gradients.get() + 1);
        self.inner.gradient(w, svd)
    }
    fn backprop(&self, params: &[f64], grad_w: &DMatrix<f64>, grads: &mut [f64]) {
        self.inner.backprop(params, grad_w, grads)
    }
    fn param_gradient(&self, params: &[f64]) -> Result<Vec<f64>, String> {
        self.gradients.set(self.gradients.get() + 1);
        self.inner.param_gradient(params)
    }
}

/// What the solvers see of the objective on the problem.
impl Landscape for Shared {
    fn shape(&self) -> (usize, usize) {
        self.problem.shape()
    }
    fn omega(&self) -> &[(usize, usize)] {
        &self.problem.omega
    }
    fn observations(&self) -> &DMatrix<f64> {
        &self.problem.observations
    }
    fn scale(&self) -> f64 {
        self.objective.scale
    }
    fn value(&self, w: &DMatrix<f64>, svd: &Svd) -> f64 {
        self.objective.value(&self.problem, w, svd)
    }
    fn gradient(&self, w: &DMatrix<f64>, svd: &Svd) -> DMatrix<f64> {
        self.objective.gradient(&self.problem, w, svd)
    }
    fn backprop(&self, params: &[f64], grad_w: &DMatrix<f64>, grads: &mut [f64]) {
        self.network.backprop(params, grad_w, grads)
    }
    /// ∇ with respect to the parameters at `params` (end-to-end W computed on the way).
    fn param_gradient(&self, params: &[f64]) -> Result<Vec<f64>, String> {
        let w = self.network.end_to_end(params);
        let svd = if self.objective.needs_svd() { Some(Svd::fast(&w).ok_or("the SVD did not converge")?) } else { None };
        let gw = self.objective.gradient_opt(&self.problem, &w, svd.as_ref());
        let mut g = vec![0.0; params.len()];
        self.network.backprop(params, &gw, &mut g);
        if g.iter().all(|v| v.is_finite()) { Ok(g) } else { Err("the gradient became non-finite".into()) }
    }
}

/// One problem and its runs: the handle the page and the CLI hold.
#[derive(Debug, Clone)]
pub struct Lab {
    config: Config,
    shared: Shared,
    start: Start,
    snapshot_capacity: usize,
    recording: bool,
    runs: Vec<Run>,
}

impl Lab {
    /// Builds the problem, the shared start and one run per method.
    ///
    /// # Errors
    /// An invalid config (see [`Config::validate`]).
    pub fn new(config: Config) -> Result<Lab, ConfigError> {
        config.validate()?;
        let problem = Problem::new(&config.problem);
        let objective = Objective::from(&config.objective);
        let (m, n) = problem.shape();
        let network = Network::new(factor_shapes(m, n, config.model.depth, config.model.width_for(m, n)));
        let factors = start_factors(&problem, &config.model, config.problem.seed);
        let params = network.flatten(&factors);
        let w = network.end_to_end(&params);
        let svd = Svd::fast(&w).ok_or_else(|| ConfigError::new("model.init", "the SVD of the start matrix did not converge"))?;
        // Not nalgebra's (`Svd::of`): with vectors it can be wrong on exactly low-rank matrices
        // such as W* (dimforge/nalgebra#1172), which skewed `subspace_angle_truth`.
        let truth_svd = Svd::fast(&problem.truth).ok_or_else(|| ConfigError::new("problem", "the SVD of the truth did not converge"))?;
        let refs = References::new(&truth_svd, &svd, problem.rank);
        let scale = problem.observed_norm.max(w.norm()).max(f64::MIN_POSITIVE);
        let (bound, blow_up) = (DIVERGENCE_FACTOR * scale, BLOW_UP_FACTOR * scale);
        let shared = Shared { problem, objective, network, refs, bound, blow_up };
        let clock = Clock { time: f64::NAN, gradient_evaluations: 0.0 };
        let metrics = Metrics::compute(&shared.problem, &shared.objective, &w, &svd, &shared.refs, clock, None);
        let start = Start { params, w, svd, metrics };
        let per_run = SNAPSHOT_BUDGET / (8 * m * n * config.optimizers.len().max(1));
        let snapshot_capacity = per_run.clamp(16, 128);
        let runs = config.optimizers.iter().map(|o| Run::new(o.clone(), &shared, &start, snapshot_capacity)).collect();
        Ok(Lab { config, shared, start, snapshot_capacity, recording: true, runs })
    }

    /// Parses a JSON config and builds its lab.
    ///
    /// # Errors
    /// See [`Config::from_json`].
    pub fn from_json(text: &str) -> Result<Lab, ConfigError> {
        Lab::new(Config::from_json(text)?)
    }

    /// Whether every step's metrics are computed and recorded (default true).
    pub fn set_recording(&mut self, on: bool) {
        self.recording = on;
    }

    /// Advances every enabled, live run `k` steps.
    pub fn step(&mut self, k: u64) {
        let (shared, record) = (&self.shared, self.recording);
        for run in self.runs.iter_mut().filter(|r| r.enabled) {
            for _ in 0..k {
                if run.diverged.is_some() {
                    break;
                }
                run.step_once(shared, record);
            }
            // Recording off: the metrics of the last good iterate, also when the run diverged
            // in this call (its W is the last good one; the metrics were those of an earlier
            // call, step 0 for a run that diverged in its first).
            if !record {
                if let Err(reason) = run.refresh_metrics(shared) {
                    if run.diverged.is_none() {
                        run.diverge(reason);
                    }
                }
            }
        }
    }

    /// Every run back to step 0 at the shared start, with fresh state and history (current
    /// hyper-parameters and on/off kept).
    pub fn reset(&mut self) {
        for run in self.runs.iter_mut() {
            let enabled = run.enabled;
            *run = Run::new(run.optimizer.clone(), &self.shared, &self.start, self.snapshot_capacity);
            run.enabled = enabled;
        }
    }

    /// Sets run `i`'s learning rate, keeping its state (moments, step count).
    ///
    /// # Errors
    /// `i` out of range, a method without a learning rate, or a value that is negative or not finite.
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
        &self.shared.problem
    }
    pub fn objective(&self) -> &Objective {
        &self.shared.objective
    }
    /// The model's layout (factor shapes).
    pub fn network(&self) -> &Network {
        &self.shared.network
    }
    /// The shared start W₀ (m × n, end-to-end).
    pub fn start(&self) -> &DMatrix<f64> {
        &self.start.w
    }
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The joint PCA of every run's snapshots (see [`crate::pca`]).
    pub fn trajectory_pca(&self) -> crate::pca::Pca {
        crate::pca::joint_pca(self.runs.iter().map(|r| r.snapshots()).collect::<Vec<_>>().as_slice())
    }
}
