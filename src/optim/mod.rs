//! The optimizers: gradient transformations with `torch.optim`'s update rules, names and
//! defaults, and optax's separate state (`init`, then a pure step), one file per method or
//! small family. Each method's type carries its hyper-parameters (their table for configs,
//! [`crate::method::Hyper::fields`], defaults, validation naming the field), its metadata ([`crate::method::MethodMeta`]: label, family, rule, source,
//! equivariance) and its step; [`crate::catalog`] lists them.
//!
//! Because the state is separate from the hyper-parameters, changing the learning rate mid-run
//! keeps the moments (optax `inject_hyperparams`). Most rules are entry-wise and run on each
//! parameter matrix in turn ([`crate::method::PerMatrix`]: W, or each factor of a deep
//! network); group RMSProp uses the whole gradient's norm.
//!
//! | name | rule (entry-wise; g ← g + weight_decay·w first where there is a coupled decay) | source | file |
//! | --- | --- | --- | --- |
//! | `gd` | w ← w − lr·g | `torch.optim.SGD` | [`sgd`] |
//! | `momentum` | b ← μ·b + g (b₀ = 0); w ← w − lr·b | `torch.optim.SGD(momentum=μ, dampening=0)` | [`sgd`] |
//! | `nesterov` | b ← μ·b + g; w ← w − lr·(g + μ·b) | `torch.optim.SGD(momentum=μ, nesterov=True)` | [`sgd`] |
//! | `adagrad` | s ← s + g²; w ← w − lr·g / (√s + eps) | `torch.optim.Adagrad`; Duchi et al. 2011 | [`adagrad`] |
//! | `rmsprop` | v ← α·v + (1−α)·g²; w ← w − lr·g / (√v + eps) | `torch.optim.RMSprop`; Tieleman & Hinton 2012 | [`rmsprop`] |
//! | `adam` | m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + eps) | `torch.optim.Adam`; Kingma & Ba 2015 | [`adam`] |
//! | `adamw` | w ← w·(1 − lr·weight_decay), then Adam's step | `torch.optim.AdamW`; Loshchilov & Hutter 2019 | [`adam`] |
//! | `amsgrad` | Adam with v̄ ← max(v̄, v) in place of v | `torch.optim.Adam(amsgrad=True)`; Reddi et al. 2018 | [`amsgrad`] |
//! | `nadam` | Adam with PyTorch's Nesterov momentum schedule | `torch.optim.NAdam`; Dozat 2016 | [`nadam`] |
//! | `group_rmsprop` | v ← α·v + (1−α)·‖g‖²; w ← w − lr·g/(√(v/(1−αᵗ)) + eps) | control experiment | [`group_rmsprop`] |
//!
//!
//! The methods of issues 16 and 17 (`muon`, `spectral_descent`, `normalized_gd`, `sign_sgd`,
//! `signum`, `lion`, `adafactor`, `shampoo`, `adadelta`, `adamax`, `asgd`, `radam`, `rprop`,
//! `prodigy`) each document their rule in their file. Two files are not in the catalog yet:
//! [`schedule_free_adamw`] (its metrics must be those of its evaluation point x, not of the
//! iterate the lab steps, which the lab does not support yet) and [`lbfgs`] (a solver: it needs
//! its line search on the objective wired into the lab). Both are checked against their golden
//! cases directly (tests/golden_next.rs).
//!
//! The solvers (`newton`, `gradient_flow`, `als`, `soft_impute`) need the objective itself;
//! they are in [`crate::solvers`].
//!
//! Each method's file also holds its update written out in NumPy (`NUMPY`, its
//! [`crate::method::Hyper::NUMPY`]), the text `mc-playground export-python` puts in the script.

pub mod adadelta;
pub mod adafactor;
pub mod adagrad;
pub mod adam;
pub mod adamax;
pub mod amsgrad;
pub mod asgd;
pub mod group_rmsprop;
pub mod lbfgs;
pub mod lion;
pub mod muon;
pub mod nadam;
pub mod normalized_gd;
pub mod prodigy;
pub mod radam;
pub mod rmsprop;
pub mod rprop;
pub mod schedule_free_adamw;
pub mod sgd;
pub mod shampoo;
pub mod sign_sgd;
pub mod signum;
pub mod spectral_descent;

pub use adadelta::Adadelta;
pub use adafactor::Adafactor;
pub use adagrad::Adagrad;
pub use adam::{Adam, AdamW};
pub use adamax::Adamax;
pub use amsgrad::Amsgrad;
pub use asgd::Asgd;
pub use group_rmsprop::GroupRmsprop;
pub use lion::Lion;
pub use muon::Muon;
pub use nadam::Nadam;
pub use normalized_gd::NormalizedGd;
pub use prodigy::Prodigy;
pub use radam::Radam;
pub use rmsprop::Rmsprop;
pub use rprop::Rprop;
pub use sgd::{Gd, HeavyBall, Look, Lookahead, Momentum, Nesterov, Sgd};
pub use shampoo::Shampoo;
pub use sign_sgd::SignSgd;
pub use signum::Signum;
pub use spectral_descent::SpectralDescent;

/// sign(x) ∈ {−1, 0, 1}, and NaN for NaN (`torch.sign`, `jnp.sign`; not `f64::signum`, which
/// gives ±1 at ±0): the sign methods' rule.
#[inline]
pub(crate) fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x * 0.0 // ±0 stays ±0, NaN stays NaN
    }
}

/// PyTorch's coupled L2 weight decay: g ← g + wd·w (g untouched when wd is 0).
#[inline]
pub(crate) fn l2(wd: f64, w: f64, g: f64) -> f64 {
    if wd != 0.0 { g + wd * w } else { g }
}
