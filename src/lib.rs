//! # mc-playground
//!
//! Small matrix-completion problems with every common optimizer, side by side: a Rust core
//! that runs natively (the `mc-playground` command line) and in the browser (WebAssembly,
//! see `docs/wasm-api.md`).
//!
//! Recover a low-rank ground truth W* (m × n) from the entries in an observed set Ω by
//! minimising f(W) = 1/(2|Ω|)·Σ_Ω (W_ij − Y_ij)² + λ·p(W), with p the nuclear norm ‖W‖_* or the
//! nuclear-to-Frobenius ratio ‖W‖_*/‖W‖_F, starting from the matrix that fits the
//! observations exactly. The pieces, in the order data flows:
//!
//! - [`config`]: the experiment (serde, one schema for the CLI and the page);
//! - [`problem`]: W*, Ω and the observations Y;
//! - [`model`]: the parameterization and its start W₀;
//! - [`objective`]: data fit + λ·penalty, values and analytic gradients;
//! - [`catalog`]: every method once, with its label, family, rule, source and hyper-parameters;
//! - [`optim`]: the optimizers (`torch.optim` update rules and names, optax-style separate state);
//! - [`solvers`]: Newton's method, gradient flow, ALS and SoftImpute;
//! - [`metrics`]: train/test error, effective rank, ratio, singular values, bounded history;
//! - [`lab`]: the problem plus one run per optimizer; `step(k)`, `reset`;
//! - [`pca`]: the joint PCA of the runs' trajectories;
//! - [`sensitivity`]: final test error against learning rate, and the tuned race;
//! - [`linalg`]: the step's SVD and kernels (plain Rust, the same bits natively and in wasm);
//! - [`bench`]: the benchmark cases and timing (`BENCHMARKS.md`).
//!
//! Matrices are `nalgebra::DMatrix<f64>` (column-major in memory); the wasm boundary and the CLI
//! hand out row-major data.

pub mod bench;
pub mod catalog;
pub mod config;
pub mod csv;
pub mod lab;
pub mod linalg;
pub mod metrics;
pub mod model;
pub mod objective;
pub mod optim;
pub mod pca;
pub mod problem;
pub mod sensitivity;
#[cfg(not(target_arch = "wasm32"))]
pub mod sweep;
pub mod solvers;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
pub mod wasm_bench;

pub use config::{Config, ConfigError};
pub use lab::Lab;
