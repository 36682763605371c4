//! # mc-playground
//!
//! Small matrix-completion problems with every common optimizer, side by side: a Rust core
//! that runs natively (the `mc-playground` command line) and in the browser (WebAssembly,
//! see `docs/wasm-api.md`).
//!
//! Recover a low-rank ground truth W* (m × n) from the entries in an observed set Ω by
//! minimising f(W) = 1/(2|Ω|)·Σ_Ω (W_ij − Y_ij)² + λ·p(W), with p the nuclear norm ‖W‖_* or the
//! nuclear-to-Frobenius ratio ‖W‖_*/‖W‖_F, starting from the matrix that fits the
//! observations exactly. The pieces, by layer, in the order data flows (each module uses only
//! the layers above it in this list; `tests/layers.rs` checks it):
//!
//! - [`linalg`], [`checks`], [`method`], [`config`]: the step's SVD and kernels (plain Rust,
//!   the same bits natively and in wasm); range checks; what a method is (the interface, no
//!   method named); the experiment config (serde, one schema for the CLI, the page and the URL);
//! - [`problem`]: W*, Ω and the observations Y;
//! - [`model`], [`objective`]: the parameterization and its start W₀; data fit + λ·penalty;
//! - [`optim`], [`solvers`], [`catalog`]: the methods, one file each (`torch.optim` update
//!   rules and names, optax-style separate state), and the one list of them;
//! - [`metrics`]: train/test error, effective rank, ratio, singular values, bounded history;
//! - [`pca`]: the joint PCA of the runs' trajectories;
//! - [`lab`]: the problem plus one run per method; `step(k)`, `reset`;
//! - [`sensitivity`], [`sweep`], [`csv`], [`bench`], [`export_python`]: final test error against
//!   learning rate and the tuned race; grids of experiments; CSV in and out; the benchmark cases
//!   (`BENCHMARKS.md`); the experiment as a standalone NumPy script (native only);
//! - `wasm` (the page's boundary, wasm32 only) and the command line (`src/bin/`).
//!
//! Matrices are `nalgebra::DMatrix<f64>` (column-major in memory); the wasm boundary and the CLI
//! hand out row-major data.

pub mod bench;
pub mod catalog;
pub mod checks;
pub mod config;
pub mod csv;
#[cfg(not(target_arch = "wasm32"))]
pub mod export_python;
pub mod lab;
pub mod linalg;
pub mod method;
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
