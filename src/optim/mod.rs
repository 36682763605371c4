//! Optimizers: hyper-parameters, separate state, pure update (optax's
//! `GradientTransformation`, with `torch.optim`'s update rules, names and defaults).
//!
//! Every optimizer works on a flat slice of parameters (any storage order; the update is
//! entry-wise or uses only whole-vector norms) and keeps its state in an [`OptimizerState`]
//! made by [`OptimizerConfig::init`]. Because the state is separate from the hyper-parameters,
//! changing the learning rate mid-run keeps the moments (optax `inject_hyperparams`).
//!
//! Notation: w parameters, g the gradient at w, t = 1, 2, … the step count, and every
//! operation entry-wise. `weight_decay` (where present, except AdamW) is PyTorch's coupled L2
//! term: g ← g + weight_decay·w before the rule.
//!
//! | name | rule | source |
//! | --- | --- | --- |
//! | `gd` | w ← w − lr·g | `torch.optim.SGD` |
//! | `momentum` | b ← μ·b + g (b₀ = 0); w ← w − lr·b | `torch.optim.SGD(momentum=μ, dampening=0)` (heavy ball) |
//! | `nesterov` | b ← μ·b + g; w ← w − lr·(g + μ·b) | `torch.optim.SGD(momentum=μ, nesterov=True)` |
//! | `adagrad` | s ← s + g²; w ← w − lr·g / (√s + eps) | `torch.optim.Adagrad` (initial accumulator 0, lr_decay 0); Duchi et al. 2011 |
//! | `rmsprop` | v ← α·v + (1−α)·g²; w ← w − lr·g / (√v + eps) | `torch.optim.RMSprop` (not centered, no momentum); Tieleman & Hinton 2012 |
//! | `adam` | m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + eps) | `torch.optim.Adam`; Kingma & Ba 2015, Algorithm 1 |
//! | `adam`, `bias_correction: false` | w ← w − lr·m / (√v + eps) | Kingma & Ba 2015 without the correction of §3 |
//! | `adamw` | w ← w·(1 − lr·weight_decay), then Adam's step | `torch.optim.AdamW`; Loshchilov & Hutter 2019 |
//! | `amsgrad` | Adam with v̄ ← max(v̄, v) in place of v: w ← w − (lr/(1−β₁ᵗ))·m / (√v̄/√(1−β₂ᵗ) + eps) | `torch.optim.Adam(amsgrad=True)`; Reddi, Kale & Kumar 2018 |
//! | `nadam` | μ_t = β₁(1 − ½·0.96^(t·ψ)), Π_t = Π_{t−1}μ_t; m, v as Adam; w ← w − lr(1−μ_t)/(1−Π_t)·g/d − lr·μ_{t+1}/(1−Π_tμ_{t+1})·m/d, d = √(v/(1−β₂ᵗ)) + eps | `torch.optim.NAdam` (ψ = `momentum_decay`); Dozat 2016 |
//! | `group_rmsprop` | one scalar for all parameters: v ← α·v + (1−α)·‖g‖² (the whole gradient's squared norm); v̂ = v/(1−αᵗ); w ← w − lr·g/(√v̂ + eps) | control experiment: GD's direction with an adaptive step length (≈ lr in total) |
//!
//! The other methods (`newton`, `gradient_flow`, `als`, `soft_impute`) are solvers that need
//! the objective itself, not just a gradient; they live in [`crate::solvers`] and are listed
//! here so that one config names every method.

pub mod adadelta;
pub mod adafactor;
pub mod adamax;
pub mod asgd;
pub mod lbfgs;
pub mod lion;
pub mod muon;
pub mod normalized_gd;
pub mod prodigy;
pub mod radam;
pub mod rprop;
pub mod schedule_free_adamw;
pub mod shampoo;
pub mod sign_sgd;
pub mod signum;
pub mod spectral_descent;

use serde::{Deserialize, Serialize};

use crate::config::Shown;

pub use crate::solvers::{Als, GradientFlow, Newton, SoftImpute};

/// `torch.optim.SGD` without momentum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Gd {
    /// Step size, ≥ 0 (default 0.001, PyTorch's SGD default).
    pub learning_rate: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Gd {
    fn default() -> Self {
        Gd { learning_rate: 1e-3, weight_decay: 0.0 }
    }
}

/// `torch.optim.SGD` with momentum (dampening 0), heavy-ball or Nesterov.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Momentum {
    /// Step size, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// Momentum μ, 0 ≤ μ < 1 (default 0.9; Nesterov needs μ > 0).
    pub momentum: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Momentum {
    fn default() -> Self {
        Momentum { learning_rate: 1e-3, momentum: 0.9, weight_decay: 0.0 }
    }
}

/// `torch.optim.Adagrad` (initial accumulator 0, no learning-rate decay).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Adagrad {
    /// Step size, ≥ 0 (default 0.01).
    pub learning_rate: f64,
    /// Added to √s, outside the square root, ≥ 0 (default 1e-10).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Adagrad {
    fn default() -> Self {
        Adagrad { learning_rate: 1e-2, eps: 1e-10, weight_decay: 0.0 }
    }
}

/// `torch.optim.RMSprop` (not centered, no momentum).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rmsprop {
    /// Step size, ≥ 0 (default 0.01).
    pub learning_rate: f64,
    /// Decay α of the squared-gradient average, 0 ≤ α ≤ 1 (default 0.99).
    pub alpha: f64,
    /// Added to √v, outside the square root, ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Rmsprop {
    fn default() -> Self {
        Rmsprop { learning_rate: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0.0 }
    }
}

/// `torch.optim.Adam`, with the bias correction optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Adam {
    /// Step size, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// Decay of the first moment, 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// Decay of the second moment, 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// Added to the root of the second moment, outside it, ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
    /// Divide the moments by 1 − βᵗ (default true).
    pub bias_correction: bool,
}

impl Default for Adam {
    fn default() -> Self {
        Adam { learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, bias_correction: true }
    }
}

/// `torch.optim.AdamW`: Adam with decoupled weight decay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdamW {
    /// Step size, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Decoupled decay: w ← w·(1 − lr·weight_decay) each step, ≥ 0 (default 0.01).
    pub weight_decay: f64,
}

impl Default for AdamW {
    fn default() -> Self {
        AdamW { learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1e-2 }
    }
}

/// `torch.optim.Adam(amsgrad=True)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Amsgrad {
    /// Step size, ≥ 0 (default 0.001).
    pub learning_rate: f64,
    /// 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
}

impl Default for Amsgrad {
    fn default() -> Self {
        Amsgrad { learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0 }
    }
}

/// `torch.optim.NAdam` (Nesterov-accelerated Adam with PyTorch's momentum schedule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Nadam {
    /// Step size, ≥ 0 (default 0.002, PyTorch's NAdam default).
    pub learning_rate: f64,
    /// 0 ≤ β₁ < 1 (default 0.9).
    pub beta1: f64,
    /// 0 ≤ β₂ < 1 (default 0.999).
    pub beta2: f64,
    /// ≥ 0 (default 1e-8).
    pub eps: f64,
    /// Coupled L2 weight decay, ≥ 0 (default 0).
    pub weight_decay: f64,
    /// ψ in μ_t = β₁(1 − ½·0.96^(t·ψ)), ≥ 0 (default 0.004).
    pub momentum_decay: f64,
}

impl Default for Nadam {
    fn default() -> Self {
        Nadam { learning_rate: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, momentum_decay: 4e-3 }
    }
}

/// RMSProp with one second moment for all parameters (the squared norm of the whole gradient,
/// an exponential average with bias correction): the update direction is exactly GD's, only
/// the step length adapts (to about `learning_rate` in total, i.e. lr/√P per entry for P
/// parameters, where RMSProp's is about lr per entry). Isolates what per-entry normalisation does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroupRmsprop {
    /// Step size, ≥ 0 (default 0.01).
    pub learning_rate: f64,
    /// Decay α of the average, 0 ≤ α < 1 (default 0.99).
    pub alpha: f64,
    /// ≥ 0 (default 1e-8).
    pub eps: f64,
}

impl Default for GroupRmsprop {
    fn default() -> Self {
        GroupRmsprop { learning_rate: 1e-2, alpha: 0.99, eps: 1e-8 }
    }
}

/// One optimizer with its hyper-parameters; in JSON, `{"name": "adam", "learning_rate": …}`.
///
/// Deserialized by hand (below), serialized by the derive.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum OptimizerConfig {
    Gd(Gd),
    Momentum(Momentum),
    Nesterov(Momentum),
    Adagrad(Adagrad),
    Rmsprop(Rmsprop),
    Adam(Adam),
    Adamw(AdamW),
    Amsgrad(Amsgrad),
    Nadam(Nadam),
    GroupRmsprop(GroupRmsprop),
    Newton(Newton),
    GradientFlow(GradientFlow),
    Als(Als),
    SoftImpute(SoftImpute),
}

/// The methods' names in JSON, in the order of [`OptimizerConfig`]'s variants.
const NAMES: &[&str] = &[
    "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "amsgrad", "nadam", "group_rmsprop", "newton",
    "gradient_flow", "als", "soft_impute",
];

/// `{"name": …, <the method's fields>}`, with serde's messages for a missing or unknown name.
///
/// By hand rather than `#[serde(tag = "name")]`: the derive buffers the object in serde's
/// private `Content` and reads each method's fields from that, a second copy of every method's
/// deserializer in the WebAssembly module next to the one reading a `serde_json::Value`
/// (about 40 KB). Here the object is read as a `Value`, and the method's fields from it. An
/// error in a field names it: the message is `"\0<field>\0<message>"`, which
/// [`crate::config::Config::from_json`] turns into `optimizers[i].<field>: <message>`.
impl<'de> Deserialize<'de> for OptimizerConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        OptimizerConfig::from_value(value).map_err(serde::de::Error::custom)
    }
}

impl OptimizerConfig {
    fn from_value(value: serde_json::Value) -> Result<OptimizerConfig, String> {
        use serde::de::{Error, Unexpected};
        use serde_json::Value;
        fn unexpected(v: &Value) -> Unexpected<'_> {
            match v {
                Value::Null => Unexpected::Unit,
                Value::Bool(b) => Unexpected::Bool(*b),
                Value::Number(x) => match (x.as_u64(), x.as_i64(), x.as_f64()) {
                    (Some(u), _, _) => Unexpected::Unsigned(u),
                    (None, Some(i), _) => Unexpected::Signed(i),
                    (_, _, f) => Unexpected::Float(f.unwrap_or(f64::NAN)),
                },
                Value::String(s) => Unexpected::Str(s),
                Value::Array(_) => Unexpected::Seq,
                Value::Object(_) => Unexpected::Map,
            }
        }
        let mut fields = match value {
            Value::Object(fields) => fields,
            other => return Err(serde_json::Error::invalid_type(unexpected(&other), &"an optimizer object with a name").to_string()),
        };
        let name = match fields.shift_remove("name") {
            Some(Value::String(name)) => name,
            Some(other) => {
                return Err(format!("\u{0}name\u{0}{}", serde_json::Error::invalid_type(unexpected(&other), &"variant identifier")))
            }
            None => return Err(serde_json::Error::missing_field("name").to_string()),
        };
        let fields = Value::Object(fields);
        fn read<T: serde::de::DeserializeOwned>(fields: &Value) -> Result<T, String> {
            serde_path_to_error::deserialize(fields).map_err(|e| {
                let path = e.path().to_string().replace('\0', "\\u{0}");
                let message = e.into_inner().to_string();
                if path == "." { message } else { format!("\u{0}{path}\u{0}{message}") }
            })
        }
        Ok(match name.as_str() {
            "gd" => OptimizerConfig::Gd(read(&fields)?),
            "momentum" => OptimizerConfig::Momentum(read(&fields)?),
            "nesterov" => OptimizerConfig::Nesterov(read(&fields)?),
            "adagrad" => OptimizerConfig::Adagrad(read(&fields)?),
            "rmsprop" => OptimizerConfig::Rmsprop(read(&fields)?),
            "adam" => OptimizerConfig::Adam(read(&fields)?),
            "adamw" => OptimizerConfig::Adamw(read(&fields)?),
            "amsgrad" => OptimizerConfig::Amsgrad(read(&fields)?),
            "nadam" => OptimizerConfig::Nadam(read(&fields)?),
            "group_rmsprop" => OptimizerConfig::GroupRmsprop(read(&fields)?),
            "newton" => OptimizerConfig::Newton(read(&fields)?),
            "gradient_flow" => OptimizerConfig::GradientFlow(read(&fields)?),
            "als" => OptimizerConfig::Als(read(&fields)?),
            "soft_impute" => OptimizerConfig::SoftImpute(read(&fields)?),
            _ => return Err(format!("\u{0}name\u{0}{}", serde_json::Error::unknown_variant(&name, NAMES))),
        })
    }
}

/// An optimizer's state: the step count and up to two per-parameter buffers.
#[derive(Debug, Clone, PartialEq)]
pub struct OptimizerState {
    /// Steps taken so far (t of the next step is `t + 1`).
    pub t: u64,
    /// Momentum buffer b, or Adam's first moment m (empty when unused).
    pub first: Vec<f64>,
    /// Adagrad's sum s, RMSProp's or Adam's second moment v (empty when unused).
    pub second: Vec<f64>,
    /// AMSGrad's running maximum v̄ (empty when unused).
    pub third: Vec<f64>,
    /// GroupRMSProp's shared second moment; NAdam's product Π_t of the μ's.
    pub scalar: f64,
}

fn check_lr(lr: f64) -> Result<(), (&'static str, String)> {
    if !lr.is_finite() || lr < 0.0 {
        return Err(("learning_rate", format!("must be a finite number >= 0, got {}", Shown(lr))));
    }
    Ok(())
}

/// `v` finite and ≥ 0 (also the solvers' check, `crate::solvers`).
pub(crate) fn check_nonneg(field: &'static str, v: f64) -> Result<(), (&'static str, String)> {
    if !v.is_finite() || v < 0.0 {
        return Err((field, format!("must be a finite number >= 0, got {}", Shown(v))));
    }
    Ok(())
}

/// beta1, beta2 in [0, 1), eps and weight_decay ≥ 0 (Adam and its variants), in that order.
fn check_adam_family(beta1: f64, beta2: f64, eps: f64, weight_decay: f64) -> Result<(), (&'static str, String)> {
    check_unit("beta1", beta1)?;
    check_unit("beta2", beta2)?;
    check_nonneg("eps", eps)?;
    check_nonneg("weight_decay", weight_decay)
}

fn check_unit(field: &'static str, v: f64) -> Result<(), (&'static str, String)> {
    if !(0.0..1.0).contains(&v) {
        return Err((field, format!("must be in [0, 1), got {}", Shown(v))));
    }
    Ok(())
}

impl OptimizerConfig {
    /// The optimizer's `name` in configs.
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerConfig::Gd(_) => "gd",
            OptimizerConfig::Momentum(_) => "momentum",
            OptimizerConfig::Nesterov(_) => "nesterov",
            OptimizerConfig::Adagrad(_) => "adagrad",
            OptimizerConfig::Rmsprop(_) => "rmsprop",
            OptimizerConfig::Adam(_) => "adam",
            OptimizerConfig::Adamw(_) => "adamw",
            OptimizerConfig::Amsgrad(_) => "amsgrad",
            OptimizerConfig::Nadam(_) => "nadam",
            OptimizerConfig::GroupRmsprop(_) => "group_rmsprop",
            OptimizerConfig::Newton(_) => "newton",
            OptimizerConfig::GradientFlow(_) => "gradient_flow",
            OptimizerConfig::Als(_) => "als",
            OptimizerConfig::SoftImpute(_) => "soft_impute",
        }
    }

    /// Every method with its default hyper-parameters, in a sensible display order.
    pub fn all_defaults() -> Vec<OptimizerConfig> {
        vec![
            OptimizerConfig::Adam(Adam::default()),
            OptimizerConfig::Rmsprop(Rmsprop::default()),
            OptimizerConfig::Adagrad(Adagrad::default()),
            OptimizerConfig::Gd(Gd::default()),
            OptimizerConfig::Momentum(Momentum::default()),
            OptimizerConfig::Nesterov(Momentum::default()),
            OptimizerConfig::Adamw(AdamW::default()),
            OptimizerConfig::Amsgrad(Amsgrad::default()),
            OptimizerConfig::Nadam(Nadam::default()),
            OptimizerConfig::GroupRmsprop(GroupRmsprop::default()),
            OptimizerConfig::Newton(Newton::default()),
            OptimizerConfig::GradientFlow(GradientFlow::default()),
            OptimizerConfig::Als(Als::default()),
            OptimizerConfig::SoftImpute(SoftImpute::default()),
        ]
    }

    /// True for the methods that are not a gradient transformation (they step W themselves).
    pub fn is_solver(&self) -> bool {
        matches!(
            self,
            OptimizerConfig::Newton(_) | OptimizerConfig::GradientFlow(_) | OptimizerConfig::Als(_) | OptimizerConfig::SoftImpute(_)
        )
    }

    /// True for the methods whose `time` metric is tracked: gradient flow (its ODE time) and
    /// GD (the sum of its learning rates, the time its steps approximate).
    pub fn tracks_time(&self) -> bool {
        matches!(self, OptimizerConfig::Gd(_) | OptimizerConfig::GradientFlow(_))
    }

    /// True for the methods defined on the direct parameterization only (depth 1).
    pub fn direct_only(&self) -> bool {
        matches!(self, OptimizerConfig::Newton(_) | OptimizerConfig::Als(_) | OptimizerConfig::SoftImpute(_))
    }

    /// A label for people, e.g. `Adam (no bias correction)`.
    pub fn label(&self) -> String {
        match self {
            OptimizerConfig::Gd(_) => "GD".into(),
            OptimizerConfig::Momentum(_) => "Momentum".into(),
            OptimizerConfig::Nesterov(_) => "Nesterov".into(),
            OptimizerConfig::Adagrad(_) => "AdaGrad".into(),
            OptimizerConfig::Rmsprop(_) => "RMSProp".into(),
            OptimizerConfig::Adam(a) if !a.bias_correction => "Adam (no bias correction)".into(),
            OptimizerConfig::Adam(_) => "Adam".into(),
            OptimizerConfig::Adamw(_) => "AdamW".into(),
            OptimizerConfig::Amsgrad(_) => "AMSGrad".into(),
            OptimizerConfig::Nadam(_) => "NAdam".into(),
            OptimizerConfig::GroupRmsprop(_) => "Group RMSProp".into(),
            OptimizerConfig::Newton(_) => "Newton".into(),
            OptimizerConfig::GradientFlow(_) => "Gradient flow".into(),
            OptimizerConfig::Als(a) => format!("ALS (rank {})", a.rank),
            OptimizerConfig::SoftImpute(_) => "SoftImpute".into(),
        }
    }

    /// The learning rate, for the methods that have one (not `newton`, `gradient_flow`, `als`,
    /// `soft_impute`).
    pub fn learning_rate(&self) -> Option<f64> {
        self.learning_rate_slot_ref().copied()
    }

    fn learning_rate_slot_ref(&self) -> Option<&f64> {
        Some(match self {
            OptimizerConfig::Gd(o) => &o.learning_rate,
            OptimizerConfig::Momentum(o) | OptimizerConfig::Nesterov(o) => &o.learning_rate,
            OptimizerConfig::Adagrad(o) => &o.learning_rate,
            OptimizerConfig::Rmsprop(o) => &o.learning_rate,
            OptimizerConfig::Adam(o) => &o.learning_rate,
            OptimizerConfig::Adamw(o) => &o.learning_rate,
            OptimizerConfig::Amsgrad(o) => &o.learning_rate,
            OptimizerConfig::Nadam(o) => &o.learning_rate,
            OptimizerConfig::GroupRmsprop(o) => &o.learning_rate,
            _ => return None,
        })
    }

    fn learning_rate_slot(&mut self) -> Option<&mut f64> {
        Some(match self {
            OptimizerConfig::Gd(o) => &mut o.learning_rate,
            OptimizerConfig::Momentum(o) | OptimizerConfig::Nesterov(o) => &mut o.learning_rate,
            OptimizerConfig::Adagrad(o) => &mut o.learning_rate,
            OptimizerConfig::Rmsprop(o) => &mut o.learning_rate,
            OptimizerConfig::Adam(o) => &mut o.learning_rate,
            OptimizerConfig::Adamw(o) => &mut o.learning_rate,
            OptimizerConfig::Amsgrad(o) => &mut o.learning_rate,
            OptimizerConfig::Nadam(o) => &mut o.learning_rate,
            OptimizerConfig::GroupRmsprop(o) => &mut o.learning_rate,
            _ => return None,
        })
    }

    /// Sets the learning rate (a hot change: the state is untouched).
    ///
    /// # Errors
    /// `learning_rate` negative or not finite, or a method without a learning rate.
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), (&'static str, String)> {
        check_lr(lr)?;
        let name = self.name();
        let slot = self.learning_rate_slot().ok_or_else(|| ("learning_rate", format!("{name} has no learning rate")))?;
        *slot = lr;
        Ok(())
    }

    /// Checks every hyper-parameter's range, as `torch.optim` does.
    ///
    /// # Errors
    /// The field's name and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if let Some(lr) = self.learning_rate() {
            check_lr(lr)?;
        }
        match self {
            OptimizerConfig::Gd(o) => check_nonneg("weight_decay", o.weight_decay),
            OptimizerConfig::Momentum(o) | OptimizerConfig::Nesterov(o) => {
                check_unit("momentum", o.momentum)?;
                if matches!(self, OptimizerConfig::Nesterov(_)) && o.momentum == 0.0 {
                    return Err(("momentum", "Nesterov momentum needs momentum > 0".into()));
                }
                check_nonneg("weight_decay", o.weight_decay)
            }
            OptimizerConfig::Adagrad(o) => {
                check_nonneg("eps", o.eps)?;
                check_nonneg("weight_decay", o.weight_decay)
            }
            OptimizerConfig::Rmsprop(o) => {
                if !(0.0..=1.0).contains(&o.alpha) {
                    return Err(("alpha", format!("must be in [0, 1], got {}", Shown(o.alpha))));
                }
                check_nonneg("eps", o.eps)?;
                check_nonneg("weight_decay", o.weight_decay)
            }
            OptimizerConfig::Adam(o) => check_adam_family(o.beta1, o.beta2, o.eps, o.weight_decay),
            OptimizerConfig::Adamw(o) => check_adam_family(o.beta1, o.beta2, o.eps, o.weight_decay),
            OptimizerConfig::Amsgrad(o) => check_adam_family(o.beta1, o.beta2, o.eps, o.weight_decay),
            OptimizerConfig::Nadam(o) => {
                check_adam_family(o.beta1, o.beta2, o.eps, o.weight_decay)?;
                check_nonneg("momentum_decay", o.momentum_decay)
            }
            OptimizerConfig::GroupRmsprop(o) => {
                check_unit("alpha", o.alpha)?;
                check_nonneg("eps", o.eps)
            }
            OptimizerConfig::Newton(o) => o.validate(),
            OptimizerConfig::GradientFlow(o) => o.validate(),
            OptimizerConfig::Als(o) => o.validate(),
            OptimizerConfig::SoftImpute(o) => o.validate(),
        }
    }

    /// A fresh state for `len` parameters.
    pub fn init(&self, len: usize) -> OptimizerState {
        let (first, second) = match self {
            OptimizerConfig::Gd(_) => (0, 0),
            OptimizerConfig::Momentum(_) | OptimizerConfig::Nesterov(_) => (len, 0),
            OptimizerConfig::Adagrad(_) | OptimizerConfig::Rmsprop(_) => (0, len),
            OptimizerConfig::Adam(_) | OptimizerConfig::Adamw(_) | OptimizerConfig::Nadam(_) => (len, len),
            OptimizerConfig::Amsgrad(_) => (len, len),
            OptimizerConfig::GroupRmsprop(_) => (0, 0),
            _ => (0, 0),
        };
        let third = if matches!(self, OptimizerConfig::Amsgrad(_)) { len } else { 0 };
        let scalar = if matches!(self, OptimizerConfig::Nadam(_)) { 1.0 } else { 0.0 };
        OptimizerState { t: 0, first: vec![0.0; first], second: vec![0.0; second], third: vec![0.0; third], scalar }
    }

    /// One step of a gradient method: updates `params` in place from `grads` (same length),
    /// advancing `state`. The solvers ([`OptimizerConfig::is_solver`]) are stepped by
    /// [`crate::solvers`]; here they leave `params` unchanged.
    ///
    /// # Panics
    /// If `grads` or the state's buffers do not match `params` in length (a programming
    /// error: the state must come from [`OptimizerConfig::init`] with `params.len()`).
    pub fn update(&self, params: &mut [f64], grads: &[f64], state: &mut OptimizerState) {
        assert_eq!(params.len(), grads.len(), "gradient and parameters differ in length");
        state.t += 1;
        let t = state.t;
        // Coupled L2 weight decay, as torch.optim: g ← g + wd·w.
        let l2 = |wd: f64, w: f64, g: f64| if wd != 0.0 { g + wd * w } else { g };
        match self {
            OptimizerConfig::Gd(o) => {
                for (w, &g) in params.iter_mut().zip(grads) {
                    *w -= o.learning_rate * l2(o.weight_decay, *w, g);
                }
            }
            OptimizerConfig::Momentum(o) | OptimizerConfig::Nesterov(o) => {
                let nesterov = matches!(self, OptimizerConfig::Nesterov(_));
                assert_eq!(state.first.len(), params.len(), "state does not match the parameters");
                for ((w, &g), b) in params.iter_mut().zip(grads).zip(state.first.iter_mut()) {
                    let g = l2(o.weight_decay, *w, g);
                    *b = o.momentum * *b + g;
                    let d = if nesterov { g + o.momentum * *b } else { *b };
                    *w -= o.learning_rate * d;
                }
            }
            OptimizerConfig::Adagrad(o) => {
                assert_eq!(state.second.len(), params.len(), "state does not match the parameters");
                for ((w, &g), s) in params.iter_mut().zip(grads).zip(state.second.iter_mut()) {
                    let g = l2(o.weight_decay, *w, g);
                    *s += g * g;
                    *w -= o.learning_rate * (g / (s.sqrt() + o.eps));
                }
            }
            OptimizerConfig::Rmsprop(o) => {
                assert_eq!(state.second.len(), params.len(), "state does not match the parameters");
                for ((w, &g), v) in params.iter_mut().zip(grads).zip(state.second.iter_mut()) {
                    let g = l2(o.weight_decay, *w, g);
                    *v = o.alpha * *v + (1.0 - o.alpha) * g * g;
                    *w -= o.learning_rate * (g / (v.sqrt() + o.eps));
                }
            }
            OptimizerConfig::Adam(o) => adam_step(
                params,
                grads,
                state,
                AdamStep {
                    learning_rate: o.learning_rate,
                    beta1: o.beta1,
                    beta2: o.beta2,
                    eps: o.eps,
                    l2: o.weight_decay,
                    bias_correction: o.bias_correction,
                    t,
                },
            ),
            OptimizerConfig::Adamw(o) => {
                // Decoupled decay first, on the parameters before the step (torch.optim.AdamW).
                let keep = 1.0 - o.learning_rate * o.weight_decay;
                for w in params.iter_mut() {
                    *w *= keep;
                }
                adam_step(
                    params,
                    grads,
                    state,
                    AdamStep {
                        learning_rate: o.learning_rate,
                        beta1: o.beta1,
                        beta2: o.beta2,
                        eps: o.eps,
                        l2: 0.0,
                        bias_correction: true,
                        t,
                    },
                )
            }
            OptimizerConfig::Amsgrad(o) => {
                assert!(
                    state.first.len() == params.len() && state.second.len() == params.len() && state.third.len() == params.len(),
                    "state does not match the parameters"
                );
                let ti = t.min(i32::MAX as u64) as i32;
                let step_size = o.learning_rate / (1.0 - o.beta1.powi(ti));
                let root_bc2 = (1.0 - o.beta2.powi(ti)).sqrt();
                for (((w, &g), m), (v, vmax)) in params
                    .iter_mut()
                    .zip(grads)
                    .zip(state.first.iter_mut())
                    .zip(state.second.iter_mut().zip(state.third.iter_mut()))
                {
                    let g = l2(o.weight_decay, *w, g);
                    *m = o.beta1 * *m + (1.0 - o.beta1) * g;
                    *v = o.beta2 * *v + (1.0 - o.beta2) * g * g;
                    *vmax = vmax.max(*v);
                    *w -= step_size * (*m / (vmax.sqrt() / root_bc2 + o.eps));
                }
            }
            OptimizerConfig::Nadam(o) => {
                assert!(
                    state.first.len() == params.len() && state.second.len() == params.len(),
                    "state does not match the parameters"
                );
                let tf = t as f64;
                let bc2 = 1.0 - o.beta2.powi(t.min(i32::MAX as u64) as i32);
                // 0.96^(tψ) through libm's pow: the same bits natively and in wasm.
                let mu = o.beta1 * (1.0 - 0.5 * libm::pow(0.96, tf * o.momentum_decay));
                let mu_next = o.beta1 * (1.0 - 0.5 * libm::pow(0.96, (tf + 1.0) * o.momentum_decay));
                state.scalar *= mu;
                let mu_product = state.scalar;
                let mu_product_next = mu_product * mu_next;
                let c_grad = o.learning_rate * (1.0 - mu) / (1.0 - mu_product);
                let c_mom = o.learning_rate * mu_next / (1.0 - mu_product_next);
                for (((w, &g), m), v) in params.iter_mut().zip(grads).zip(state.first.iter_mut()).zip(state.second.iter_mut()) {
                    let g = l2(o.weight_decay, *w, g);
                    *m = o.beta1 * *m + (1.0 - o.beta1) * g;
                    *v = o.beta2 * *v + (1.0 - o.beta2) * g * g;
                    let denom = (*v / bc2).sqrt() + o.eps;
                    *w -= c_grad * (g / denom);
                    *w -= c_mom * (*m / denom);
                }
            }
            OptimizerConfig::GroupRmsprop(o) => {
                let norm_sq = grads.iter().map(|g| g * g).sum::<f64>();
                state.scalar = o.alpha * state.scalar + (1.0 - o.alpha) * norm_sq;
                let v_hat = state.scalar / (1.0 - o.alpha.powi(t.min(i32::MAX as u64) as i32));
                let scale = o.learning_rate / (v_hat.sqrt() + o.eps);
                for (w, &g) in params.iter_mut().zip(grads) {
                    *w -= scale * g;
                }
            }
            OptimizerConfig::Newton(_) | OptimizerConfig::GradientFlow(_) | OptimizerConfig::Als(_) | OptimizerConfig::SoftImpute(_) => {}
        }
    }
}

struct AdamStep {
    learning_rate: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    l2: f64,
    bias_correction: bool,
    t: u64,
}

fn adam_step(params: &mut [f64], grads: &[f64], state: &mut OptimizerState, s: AdamStep) {
    assert!(
        state.first.len() == params.len() && state.second.len() == params.len(),
        "state does not match the parameters"
    );
    // β^t by repeated squaring (compiler-rt's __powidf2): the same bits natively and in wasm.
    let t = s.t.min(i32::MAX as u64) as i32;
    let (step_size, root_bc2) = if s.bias_correction {
        (s.learning_rate / (1.0 - s.beta1.powi(t)), (1.0 - s.beta2.powi(t)).sqrt())
    } else {
        (s.learning_rate, 1.0)
    };
    for (((w, &g), m), v) in params.iter_mut().zip(grads).zip(state.first.iter_mut()).zip(state.second.iter_mut()) {
        let g = if s.l2 != 0.0 { g + s.l2 * *w } else { g };
        *m = s.beta1 * *m + (1.0 - s.beta1) * g;
        *v = s.beta2 * *v + (1.0 - s.beta2) * g * g;
        *w -= step_size * (*m / (v.sqrt() / root_bc2 + s.eps));
    }
}
