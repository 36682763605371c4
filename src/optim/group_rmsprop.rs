//! Group RMSProp: RMSProp with one second moment for all the parameters (every factor of a
//! deep network together), a control experiment: GD's direction with an adaptive step length.
//! With t = 1, 2, … and ‖g‖² the whole gradient's squared norm (summed over the factors in
//! their order, each column-major):
//!
//! v ← α·v + (1−α)·‖g‖²; v̂ = v/(1−αᵗ); w ← w − lr·g/(√v̂ + eps).

use serde::{Deserialize, Serialize};

use crate::checks::{check_nonneg, check_unit, FieldError};
use crate::method::{Family, GradientMethod, Hyper, HyperParam, Kind, MethodMeta, MethodState, Rule};

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

const META: MethodMeta = MethodMeta {
    name: "group_rmsprop",
    label: "Group RMSProp",
    family: Family::Spectral,
    about: "Group RMSProp: one running size for the whole gradient, so GD's direction with an adaptive length",
    rule: Rule {
        lines: &["v ← α v + (1 − α) ‖g‖^{2}", "w ← w − frac{η g}{sqrt{v / (1 − α^{t})} + ε}"],
        source: "control experiment (GD's direction, adaptive length)",
    },
    equivariant: true,
    colour_slot: None,
    direct_only: false,
    tracks_time: false,
    hyper: &[HyperParam::LEARNING_RATE, HyperParam { name: "alpha", label: "α", range: "[0, 1)" }, HyperParam::EPS],
};

impl Hyper for GroupRmsprop {
    const META: &'static MethodMeta = &META;
    const NUMPY: Option<&'static str> = Some(NUMPY);
    crate::hyper_fields!(learning_rate, alpha, eps);
    fn validate(&self) -> Result<(), FieldError> {
        check_unit("alpha", self.alpha)?;
        check_nonneg("eps", self.eps)
    }
    crate::learning_rate_field!();
    fn kind(&self) -> Kind<'_> {
        Kind::Gradient(self)
    }
}

/// Group RMSProp's state: the step count and the one shared second moment.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRmspropState {
    /// Steps taken.
    pub t: u64,
    /// The average v of ‖g‖².
    pub v: f64,
}

impl GradientMethod for GroupRmsprop {
    fn init(&self, _shapes: &[(usize, usize)]) -> Box<dyn MethodState> {
        Box::new(GroupRmspropState { t: 0, v: 0.0 })
    }

    fn step(&self, params: &mut [f64], grads: &[f64], _shapes: &[(usize, usize)], state: &mut dyn MethodState) {
        assert_eq!(params.len(), grads.len(), "gradient and parameters differ in length");
        let state = state.as_any_mut().downcast_mut::<GroupRmspropState>().expect("state does not match the parameters");
        state.t += 1;
        // One sum over all the factors, in their order (the same bits as before factors were views).
        let norm_sq = grads.iter().map(|g| g * g).sum::<f64>();
        state.v = self.alpha * state.v + (1.0 - self.alpha) * norm_sq;
        let v_hat = state.v / (1.0 - self.alpha.powi(state.t.min(i32::MAX as u64) as i32));
        let scale = self.learning_rate / (v_hat.sqrt() + self.eps);
        for (w, &g) in params.iter_mut().zip(grads) {
            *w -= scale * g;
        }
    }
}

/// `group_rmsprop`'s update in NumPy, for `mc-playground export-python` ([`crate::method::Hyper::NUMPY`]).
const NUMPY: &str = r#"class group_rmsprop:
    """One scalar for all the parameters: v ← αv + (1−α)‖g‖² (‖·‖ over every factor);
    w ← w − lr·g/(√(v/(1−αᵗ)) + eps). Control experiment (GD's direction, adaptive length)."""

    whole = True

    def __init__(self, hp, shapes):
        self.hp, self.t, self.v = hp, 0, 0.0

    def update(self, ws, gs):
        alpha = self.hp["alpha"]
        self.t += 1
        self.v = alpha * self.v + (1 - alpha) * sum(float(np.sum(g * g)) for g in gs)
        scale = self.hp["learning_rate"] / (math.sqrt(self.v / (1 - alpha**self.t)) + self.hp["eps"])
        return [w - scale * g for w, g in zip(ws, gs)]
"#;
