//! The method catalog: every method once, with what people need to know about it (label,
//! family, a one-line description, the update rule as the page renders it, the source, whether
//! the update is rotation-equivariant, its colour slot and its hyper-parameters with defaults
//! and ranges). The command line's `methods`, the core's `Lab.methods()` and the page's
//! pickers, panels and rule boxes all read it.
//!
//! The update rules are written in the page's small notation (`www/rules.js` renders it as
//! MathML): `x_{t}` subscript, `x^{2}` superscript, `sqrt{…}` a root, `frac{a}{b}` a fraction.

use serde::Serialize;
use serde_json::Value;

use crate::optim::OptimizerConfig;

/// A method's family, as the page's picker groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// GD, heavy-ball momentum, Nesterov.
    Classical,
    /// Per-entry normalisation: AdaGrad, RMSProp, Adam and relatives, Adafactor.
    Adaptive,
    /// The sign of each entry: sign SGD, Signum, Lion.
    Sign,
    /// Whole-matrix step length or spectrum: group RMSProp (and normalised GD, spectral
    /// descent, Muon, Shampoo).
    Spectral,
    /// Second-order methods and solvers that need the objective itself.
    Solver,
}

/// The update rule: lines in the page's notation, and where it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub lines: &'static [&'static str],
    pub source: &'static str,
}

/// What the catalog says of a method besides its hyper-parameters.
#[derive(Debug, Clone)]
pub struct Meta {
    pub family: Family,
    /// One line for people (the page's tooltip).
    pub about: &'static str,
    pub rule: Rule,
    /// update(U G Vᵀ) = U·update(G)·Vᵀ for orthogonal U, V.
    pub equivariant: bool,
    /// The colour slot the method keeps from one experiment to the next (`None`: the next free one).
    pub colour_slot: Option<usize>,
    /// Each hyper-parameter's label and allowed range, by field name.
    pub hyper: &'static [(&'static str, &'static str, &'static str)],
}

/// One hyper-parameter: field name, label for people, default value, allowed range (text).
#[derive(Debug, Clone, Serialize)]
pub struct Hyper {
    pub name: String,
    pub label: &'static str,
    pub default: Value,
    pub range: &'static str,
}

/// Everything the catalog says of one method (the JSON of `Lab.methods()` and `methods --json`).
#[derive(Debug, Clone, Serialize)]
pub struct MethodInfo {
    pub name: &'static str,
    pub label: String,
    pub family: Family,
    pub about: &'static str,
    pub rule: Rule,
    pub equivariant: bool,
    pub colour_slot: Option<usize>,
    pub has_learning_rate: bool,
    pub direct_only: bool,
    pub solver: bool,
    pub hyper: Vec<Hyper>,
    /// The method's config with its default hyper-parameters.
    pub config: OptimizerConfig,
}

const LR: (&str, &str, &str) = ("learning_rate", "learning rate", "≥ 0");
const WD: (&str, &str, &str) = ("weight_decay", "weight decay", "≥ 0");
const EPS: (&str, &str, &str) = ("eps", "eps", "≥ 0");
const B1: (&str, &str, &str) = ("beta1", "β₁", "[0, 1)");
const B2: (&str, &str, &str) = ("beta2", "β₂", "[0, 1)");

fn meta(name: &str) -> Meta {
    let rule = |lines, source| Rule { lines, source };
    match name {
        "gd" => Meta {
            family: Family::Classical,
            about: "Gradient descent: step = learning rate × gradient",
            rule: rule(&["w ← w − η g"], "torch.optim.SGD"),
            equivariant: true,
            colour_slot: Some(3),
            hyper: &[LR, WD],
        },
        "momentum" => Meta {
            family: Family::Classical,
            about: "Heavy-ball momentum: gradient descent plus a running sum of past steps",
            rule: rule(&["b ← μ b + g", "w ← w − η b"], "torch.optim.SGD(momentum=μ, dampening=0), heavy ball"),
            equivariant: true,
            colour_slot: Some(4),
            hyper: &[LR, ("momentum", "momentum", "[0, 1)"), WD],
        },
        "nesterov" => Meta {
            family: Family::Classical,
            about: "Nesterov momentum: momentum with a look-ahead gradient",
            rule: rule(&["b ← μ b + g", "w ← w − η (g + μ b)"], "torch.optim.SGD(momentum=μ, nesterov=True)"),
            equivariant: true,
            colour_slot: Some(5),
            hyper: &[LR, ("momentum", "momentum", "(0, 1)"), WD],
        },
        "adagrad" => Meta {
            family: Family::Adaptive,
            about: "AdaGrad: each entry's gradient divided by the root of the sum of all its past squares, so steps keep shrinking",
            rule: rule(&["s ← s + g^{2}", "w ← w − frac{η g}{sqrt{s} + ε}"], "torch.optim.Adagrad; Duchi, Hazan & Singer 2011"),
            equivariant: false,
            colour_slot: Some(2),
            hyper: &[LR, EPS, WD],
        },
        "rmsprop" => Meta {
            family: Family::Adaptive,
            about: "RMSProp: each entry's gradient divided by a running root-mean-square of it",
            rule: rule(&["v ← α v + (1 − α) g^{2}", "w ← w − frac{η g}{sqrt{v} + ε}"], "torch.optim.RMSprop; Tieleman & Hinton 2012"),
            equivariant: false,
            colour_slot: Some(1),
            hyper: &[LR, ("alpha", "α", "[0, 1]"), EPS, WD],
        },
        "adam" => Meta {
            family: Family::Adaptive,
            about: "Adam: each entry's step is set by running averages of its gradient and squared gradient, so its length is about the learning rate",
            rule: rule(
                &[
                    "m ← β_{1} m + (1 − β_{1}) g",
                    "v ← β_{2} v + (1 − β_{2}) g^{2}",
                    "w ← w − frac{η}{1 − β_{1}^{t}} · frac{m}{sqrt{v} / sqrt{1 − β_{2}^{t}} + ε}",
                ],
                "torch.optim.Adam; Kingma & Ba 2015, Algorithm 1",
            ),
            equivariant: false,
            colour_slot: Some(0),
            hyper: &[LR, B1, B2, EPS, WD, ("bias_correction", "bias correction", "true or false")],
        },
        "adamw" => Meta {
            family: Family::Adaptive,
            about: "AdamW: Adam with decoupled weight decay (0.01)",
            rule: rule(&["w ← w (1 − η λ)", "then Adam's step"], "torch.optim.AdamW; Loshchilov & Hutter 2019"),
            equivariant: false,
            colour_slot: Some(6),
            hyper: &[LR, B1, B2, EPS, WD],
        },
        "amsgrad" => Meta {
            family: Family::Adaptive,
            about: "AMSGrad: Adam whose second-moment estimate never decreases",
            rule: rule(
                &["v̄ ← max(v̄, v)", "w ← w − frac{η}{1 − β_{1}^{t}} · frac{m}{sqrt{v̄} / sqrt{1 − β_{2}^{t}} + ε}"],
                "torch.optim.Adam(amsgrad=True); Reddi, Kale & Kumar 2018",
            ),
            equivariant: false,
            colour_slot: Some(7),
            hyper: &[LR, B1, B2, EPS, WD],
        },
        "nadam" => Meta {
            family: Family::Adaptive,
            about: "NAdam: Adam with Nesterov momentum",
            rule: rule(
                &[
                    "μ_{t} = β_{1} (1 − 0.5 · 0.96^{t ψ})",
                    "w ← w − frac{η (1 − μ_{t})}{1 − Π_{t}} frac{g}{d} − frac{η μ_{t+1}}{1 − Π_{t} μ_{t+1}} frac{m}{d}",
                ],
                "torch.optim.NAdam; Dozat 2016",
            ),
            equivariant: false,
            colour_slot: None,
            hyper: &[LR, B1, B2, EPS, WD, ("momentum_decay", "momentum decay", "≥ 0")],
        },
        "group_rmsprop" => Meta {
            family: Family::Spectral,
            about: "Group RMSProp: one running size for the whole gradient, so GD's direction with an adaptive length",
            rule: rule(
                &["v ← α v + (1 − α) ‖g‖^{2}", "w ← w − frac{η g}{sqrt{v / (1 − α^{t})} + ε}"],
                "control experiment (GD's direction, adaptive length)",
            ),
            equivariant: true,
            colour_slot: None,
            hyper: &[LR, ("alpha", "α", "[0, 1)"), EPS],
        },
        "newton" => Meta {
            family: Family::Solver,
            about: "Damped Newton (Levenberg–Marquardt, conjugate gradients): no learning rate; depth 1 only",
            rule: rule(
                &["(∇^{2}f(W) + μ I) d = − ∇f(W)", "W ← W + d if f decreases"],
                "Nocedal & Wright 2006, §7.1 (Newton–CG), §10.3 (Levenberg–Marquardt)",
            ),
            equivariant: true,
            colour_slot: None,
            hyper: &[("damping", "damping", "> 0"), ("max_cg", "CG steps ≤", "1 to 1000")],
        },
        "gradient_flow" => Meta {
            family: Family::Solver,
            about: "Gradient flow: the continuous path dW/dt = −∇f(W), followed by an adaptive ODE solver; no learning rate; shows its time t",
            rule: rule(&["frac{dW}{dt} = − ∇f(W)"], "Dormand & Prince 1980 (Dormand–Prince 5(4))"),
            equivariant: true,
            colour_slot: None,
            hyper: &[("rtol", "rtol", "> 0"), ("atol", "atol", "> 0")],
        },
        "als" => Meta {
            family: Family::Solver,
            about: "Alternating least squares on W = U Vᵀ of a fixed rank k (ignores the penalty): no learning rate; depth 1 only",
            rule: rule(
                &["W = U V^{T}", "each row of U, then V: ridge regression on its seen entries"],
                "Hastie et al. 2015, Matrix completion and low-rank SVD via fast ALS",
            ),
            equivariant: false,
            colour_slot: None,
            hyper: &[("rank", "rank k", "1 to min(m, n)"), ("ridge", "ridge", "≥ 0")],
        },
        "soft_impute" => Meta {
            family: Family::Solver,
            about: "SoftImpute: fill the unseen entries with the current guess, then shrink every singular value by τ; no learning rate; depth 1 only",
            rule: rule(&["W ← S_{τ}(P_{Ω}(Y) + P_{Ω^{c}}(W))"], "Mazumder, Hastie & Tibshirani 2010, Algorithm 1"),
            equivariant: false,
            colour_slot: None,
            hyper: &[("threshold", "threshold τ", "≥ 0")],
        },
        _ => Meta {
            family: Family::Solver,
            about: "",
            rule: rule(&[], ""),
            equivariant: false,
            colour_slot: None,
            hyper: &[],
        },
    }
}

/// Every method with its default hyper-parameters, in the page's order.
pub fn catalog() -> Vec<MethodInfo> {
    OptimizerConfig::all_defaults().into_iter().map(info).collect()
}

/// What the catalog says of `config`'s method, with `config`'s hyper-parameters as defaults.
pub fn info(config: OptimizerConfig) -> MethodInfo {
    let name = config.name();
    let Meta { family, about, rule, equivariant, colour_slot, hyper } = meta(name);
    let fields = match serde_json::to_value(&config) {
        Ok(Value::Object(fields)) => fields,
        _ => Default::default(),
    };
    let hyper = hyper
        .iter()
        .map(|&(field, label, range)| Hyper { name: field.into(), label, default: fields.get(field).cloned().unwrap_or(Value::Null), range })
        .collect();
    MethodInfo {
        name,
        label: config.label(),
        family,
        about,
        rule,
        equivariant,
        colour_slot,
        has_learning_rate: config.learning_rate().is_some(),
        direct_only: config.direct_only(),
        solver: config.is_solver(),
        hyper,
        config,
    }
}

/// The catalog as a JSON array (what `Lab.methods()` and `mc-playground methods --json` give).
pub fn catalog_json() -> String {
    serde_json::to_string(&catalog()).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every hyper-parameter of every method is described, and nothing else.
    #[test]
    fn every_field_is_described() {
        for m in catalog() {
            let Value::Object(fields) = serde_json::to_value(&m.config).unwrap() else { panic!() };
            let mut named: Vec<&str> = fields.keys().map(String::as_str).filter(|k| *k != "name").collect();
            let mut described: Vec<&str> = m.hyper.iter().map(|h| h.name.as_str()).collect();
            named.sort();
            described.sort();
            assert_eq!(named, described, "{}", m.name);
            assert!(!m.about.is_empty() && !m.rule.lines.is_empty() && !m.rule.source.is_empty(), "{}", m.name);
        }
    }

    /// Colour slots are distinct.
    #[test]
    fn colour_slots_distinct() {
        let mut slots: Vec<usize> = catalog().iter().filter_map(|m| m.colour_slot).collect();
        let n = slots.len();
        slots.sort();
        slots.dedup();
        assert_eq!(slots.len(), n);
    }
}
