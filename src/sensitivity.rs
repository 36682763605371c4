//! Learning-rate sensitivity: the final test error of every method that has a learning rate,
//! at every learning rate of a log grid, on the config's problem; and the *tuned* race, each
//! method at its best rate.
//!
//! Protocol: for each method i and each rate η of the grid, a lab with that method alone at
//! rate η (everything else as in the config: problem, start, objective, other
//! hyper-parameters) runs `steps` steps; the criterion is its final test error (a diverged
//! run counts as +∞). A method's best rate is the grid point with the lowest criterion (the
//! smaller rate on a tie). Equal learning rates are not a fair race (Adam's step length is set
//! by its rate alone, GD's by the rate times the gradient), so the page shows both races.

use serde::Serialize;

use crate::config::{Config, ConfigError};
use crate::lab::Lab;

/// The grid and run length of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Protocol {
    /// Learning rates, ascending.
    pub grid: Vec<f64>,
    /// Steps per run.
    pub steps: u64,
    /// What is minimised over the grid.
    pub criterion: &'static str,
}

impl Protocol {
    /// 10^from, …, 10^to with `per_decade` points per decade (inclusive), `steps` per run.
    ///
    /// # Errors
    /// `from` > `to`, `per_decade` 0 or above 20, or more than 200 points.
    pub fn log_grid(from: i32, to: i32, per_decade: u32, steps: u64) -> Result<Protocol, ConfigError> {
        if from > to {
            return Err(ConfigError::new("grid", format!("from (1e{from}) is above to (1e{to})")));
        }
        if per_decade == 0 || per_decade > 20 {
            return Err(ConfigError::new("grid", format!("points per decade must be 1 to 20, got {per_decade}")));
        }
        let count = (to - from) as u32 * per_decade + 1;
        if count > 200 {
            return Err(ConfigError::new("grid", format!("at most 200 points, got {count}")));
        }
        let grid = (0..count).map(|k| libm::pow(10.0, from as f64 + k as f64 / per_decade as f64)).collect();
        Ok(Protocol { grid, steps, criterion: "final test error (diverged = +inf)" })
    }

    /// An explicit grid (sorted ascending, duplicates removed).
    ///
    /// # Errors
    /// An empty grid or a rate that is not finite and > 0.
    pub fn explicit(mut grid: Vec<f64>, steps: u64) -> Result<Protocol, ConfigError> {
        if grid.is_empty() {
            return Err(ConfigError::new("grid", "must have at least one learning rate"));
        }
        if let Some(bad) = grid.iter().find(|v| !v.is_finite() || **v <= 0.0) {
            return Err(ConfigError::new("grid", format!("learning rates must be finite and > 0, got {bad}")));
        }
        grid.sort_by(f64::total_cmp);
        grid.dedup();
        Ok(Protocol { grid, steps, criterion: "final test error (diverged = +inf)" })
    }
}

/// One cell of the sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// Index of the method in the config's `optimizers`.
    pub optimizer: usize,
    pub name: &'static str,
    pub label: String,
    pub learning_rate: f64,
    /// Final test error (of the last finite iterate when the run diverged).
    pub test_error: f64,
    pub effective_rank: f64,
    pub diverged_at: Option<u64>,
}

impl Cell {
    /// The criterion: the final test error, +∞ when diverged or undefined.
    pub fn score(&self) -> f64 {
        if self.diverged_at.is_some() || self.test_error.is_nan() { f64::INFINITY } else { self.test_error }
    }
}

/// Every (method, rate) pair of a sweep, in order: methods in config order, rates ascending.
pub fn cells(config: &Config, protocol: &Protocol) -> Vec<(usize, f64)> {
    config
        .optimizers
        .iter()
        .enumerate()
        .filter(|(_, o)| o.learning_rate().is_some())
        .flat_map(|(i, _)| protocol.grid.iter().map(move |&lr| (i, lr)))
        .collect()
}

/// Runs one cell: method `i` of `config` alone at rate `learning_rate` for `steps` steps.
///
/// # Errors
/// A bad index or a config that does not validate.
pub fn run_cell(config: &Config, i: usize, learning_rate: f64, steps: u64) -> Result<Cell, ConfigError> {
    let mut method = config.optimizers.get(i).cloned().ok_or_else(|| ConfigError::new("optimizers", format!("no method {i}")))?;
    method.set_learning_rate(learning_rate).map_err(|(f, m)| ConfigError::new(format!("optimizers[{i}].{f}"), m))?;
    let mut single = config.clone();
    single.optimizers = vec![method];
    single.steps = steps;
    let mut lab = Lab::new(single)?;
    lab.set_recording(false);
    lab.step(steps);
    let run = &lab.runs()[0];
    Ok(Cell {
        optimizer: i,
        name: run.optimizer().name(),
        label: run.optimizer().label(),
        learning_rate,
        test_error: run.metrics().test_error,
        effective_rank: run.metrics().effective_rank,
        diverged_at: run.diverged().map(|d| d.step),
    })
}

/// A method's best rate on the grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Best {
    pub optimizer: usize,
    pub name: &'static str,
    pub label: String,
    pub learning_rate: f64,
    pub test_error: f64,
}

/// The best rate of every method among `cells` (lowest score, smaller rate on a tie).
pub fn best(cells: &[Cell]) -> Vec<Best> {
    let mut out: Vec<Best> = Vec::new();
    for c in cells {
        match out.iter_mut().find(|b| b.optimizer == c.optimizer) {
            Some(b) => {
                let b_score = if b.test_error.is_nan() { f64::INFINITY } else { b.test_error };
                if c.score() < b_score || (c.score() == b_score && c.learning_rate < b.learning_rate) {
                    b.learning_rate = c.learning_rate;
                    b.test_error = c.score();
                }
            }
            None => out.push(Best {
                optimizer: c.optimizer,
                name: c.name,
                label: c.label.clone(),
                learning_rate: c.learning_rate,
                test_error: c.score(),
            }),
        }
    }
    out
}

/// The config with each method's learning rate set to its best (methods without a rate, or
/// absent from `best`, unchanged).
pub fn tuned_config(config: &Config, best: &[Best]) -> Config {
    let mut tuned = config.clone();
    for b in best {
        if let Some(o) = tuned.optimizers.get_mut(b.optimizer) {
            let _ = o.set_learning_rate(b.learning_rate);
        }
    }
    tuned
}

/// The whole sweep's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub protocol: Protocol,
    pub cells: Vec<Cell>,
    pub best: Vec<Best>,
    pub tuned_config: Config,
}

/// Runs every cell, on `threads` threads (natively; 1 runs them in order), and reports.
///
/// # Errors
/// A config that does not validate.
pub fn sweep(config: &Config, protocol: &Protocol, threads: usize) -> Result<Report, ConfigError> {
    config.validate()?;
    let todo = cells(config, protocol);
    let results: Vec<Result<Cell, ConfigError>> = if threads <= 1 || todo.len() <= 1 {
        todo.iter().map(|&(i, lr)| run_cell(config, i, lr, protocol.steps)).collect()
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut slots: Vec<Option<Result<Cell, ConfigError>>> = vec![None; todo.len()];
        let chunks: Vec<Vec<(usize, Result<Cell, ConfigError>)>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads.min(todo.len()))
                .map(|_| {
                    s.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(&(i, lr)) = todo.get(k) else { break };
                            done.push((k, run_cell(config, i, lr, protocol.steps)));
                        }
                        done
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("a sweep thread panicked")).collect()
        });
        for (k, r) in chunks.into_iter().flatten() {
            slots[k] = Some(r);
        }
        slots.into_iter().map(|r| r.expect("every cell ran")).collect()
    };
    let cells = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    let best = best(&cells);
    let tuned_config = tuned_config(config, &best);
    Ok(Report { protocol: protocol.clone(), cells, best, tuned_config })
}

/// A sweep run one cell at a time (the page's Web Worker: progress and cancel between cells).
/// `Runner::new(…)`, then [`Runner::next`] until it gives `None`; [`Runner::report`] at any time.
#[derive(Debug, Clone)]
pub struct Runner {
    config: Config,
    protocol: Protocol,
    todo: Vec<(usize, f64)>,
    cells: Vec<Cell>,
}

impl Runner {
    /// A sweep of `config`'s methods over `protocol`'s grid.
    pub fn new(config: Config, protocol: Protocol) -> Runner {
        let todo = cells(&config, &protocol);
        Runner { config, protocol, todo, cells: Vec::new() }
    }

    /// A sweep of a JSON config's methods over 10^from … 10^to, `per_decade` points per decade,
    /// `steps` steps per run, from numbers as JavaScript has them (any `f64`; NaN for a value
    /// that is not a number).
    ///
    /// # Errors
    /// A bad config; `from` or `to` not a whole number from −30 to 30; `per_decade` not a whole
    /// number from 1 to 20; `steps` not a whole number up to [`crate::config::MAX_STEPS`]; a grid
    /// [`Protocol::log_grid`] refuses. Checked in that order.
    pub fn from_grid(config_json: &str, from: f64, to: f64, per_decade: f64, steps: f64) -> Result<Runner, ConfigError> {
        let config = Config::from_json(config_json)?;
        let exponent = |x: f64, what: &str| {
            Some(x)
                .filter(|x| x.fract() == 0.0 && (-30.0..=30.0).contains(x))
                .map(|x| x as i32)
                .ok_or_else(|| ConfigError::new("grid", format!("{what} must be a whole number from -30 to 30")))
        };
        let whole = |x: f64, max: f64| (x.is_finite() && x.fract() == 0.0 && (0.0..=max).contains(&x)).then_some(x);
        let (from, to) = (exponent(from, "from")?, exponent(to, "to")?);
        let per_decade =
            whole(per_decade, 20.0).ok_or_else(|| ConfigError::new("grid", "points per decade must be a whole number from 1 to 20"))?;
        let steps = whole(steps, crate::config::MAX_STEPS as f64).ok_or_else(|| ConfigError::new("steps", "must be a whole number"))?;
        let protocol = Protocol::log_grid(from, to, per_decade as u32, steps as u64)?;
        Ok(Runner::new(config, protocol))
    }

    /// Number of cells in all.
    pub fn total(&self) -> usize {
        self.todo.len()
    }

    /// Cells done so far.
    pub fn done(&self) -> usize {
        self.cells.len()
    }

    /// The grid and run length.
    pub fn protocol(&self) -> &Protocol {
        &self.protocol
    }

    /// The cells done so far, in order.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// Runs the next cell and returns it, or `None` when every cell is done.
    ///
    /// # Errors
    /// See [`run_cell`].
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<&Cell>, ConfigError> {
        let Some(&(i, lr)) = self.todo.get(self.cells.len()) else { return Ok(None) };
        let cell = run_cell(&self.config, i, lr, self.protocol.steps)?;
        self.cells.push(cell);
        Ok(self.cells.last())
    }

    /// The report of the cells done so far: each method's best rate and the tuned config.
    pub fn report(&self) -> Report {
        let best = best(&self.cells);
        let tuned_config = tuned_config(&self.config, &best);
        Report { protocol: self.protocol.clone(), cells: self.cells.clone(), best, tuned_config }
    }
}
