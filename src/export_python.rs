//! The experiment as a NumPy script: `mc-playground export-python CONFIG.json > experiment.py`
//! writes a standalone Python program that needs nothing but NumPy and does what
//! `mc-playground run CONFIG.json` does, printing one JSON object of the same shape
//! (`{"runs": [{"optimizer", "steps", "diverged_at", "diverged_reason", "blowing_up_at", "final", "matrix"}]}`).
//!
//! What the script holds, written out (no random generator has to match):
//!
//! | name | shape | what |
//! | --- | --- | --- |
//! | `W_STAR` | m × n | the ground truth W* (0 where an explicit truth gave `null`) |
//! | `KNOWN` | m × n, bool | false where an explicit truth gave `null` (left out of the test error) |
//! | `OMEGA` | \|Ω\| × 2, int | the observed entries (row, col), 0-based, row-major order |
//! | `Y_OMEGA` | \|Ω\| | the observations Y on Ω, in the order of `OMEGA` |
//! | `START` | list of N matrices | the shared start W_1 (h × n), …, W_N (m × h); one m × n matrix at depth 1 |
//! | `RANK` | int | r, the rank the subspace angles use |
//!
//! Then the objective f(W) = c·(1/(2|Ω|)·Σ_Ω (W_ij − Y_ij)² + λ·p(W)) and its gradient
//! ∇f(W) = c·((1/|Ω|)·P_Ω(W − Y) + λ·∇p(W)), with ∇‖W‖_* = U₊V₊ᵀ and
//! ∇(‖W‖_*/‖W‖_F) = U₊V₊ᵀ/‖W‖_F − ‖W‖_*·W/‖W‖_F³ ([`crate::objective`]); the deep linear
//! network W = W_N ··· W_1 and its back-propagation ∂f/∂W_k = (W_N ··· W_{k+1})ᵀ·∇f(W)·(W_{k−1}
//! ··· W_1)ᵀ ([`crate::model`], Arora et al. 2019); each method's update, the text its own file
//! gives as [`crate::method::Hyper::NUMPY`]; the lab's divergence checks ([`crate::lab`]); and
//! the metrics ([`crate::metrics`]).
//!
//! Methods without a NumPy form (the solvers: Newton, gradient flow, ALS, SoftImpute) are named
//! in a comment at the top of the script and skipped; the script's output lists them under
//! `"skipped"` (index in the config's `optimizers`, name, why), and its `runs` are the others,
//! in the config's order. Floats are written with Rust's shortest round-trip form, so the script
//! starts from the same bits as the lab; its matrices then agree with `run`'s to rounding
//! (tests/export_python.rs: 1e-10 relative after 30 steps, every method of the catalog that has
//! a NumPy form, at depth 1 and on a deep network).

use std::fmt::Write as _;

use nalgebra::DMatrix;
use serde_json::Value;

use crate::config::{Config, ConfigError, Penalty};
use crate::lab::{Lab, BLOW_UP_FACTOR, DIVERGENCE_FACTOR};
use crate::model::start_factors;

/// The script for `config` (`source` names the config in the script's header, e.g. its path).
///
/// # Errors
/// An invalid config (as [`Lab::new`]), or a config none of whose methods has a NumPy form
/// (field `optimizers`).
pub fn export_python(config: &Config, source: &str) -> Result<String, ConfigError> {
    let lab = Lab::new(config.clone())?;
    let exported: Vec<usize> = (0..config.optimizers.len()).filter(|&i| config.optimizers[i].numpy().is_some()).collect();
    if exported.is_empty() {
        return Err(ConfigError::new(
            "optimizers",
            "no method of the config has a NumPy form (the solvers have none: newton, gradient_flow, als, soft_impute)",
        ));
    }
    let problem = lab.problem();
    let (m, n) = problem.shape();
    let factors = start_factors(problem, &config.model, config.problem.seed);
    let mut s = String::new();
    header(&mut s, config, source, m, n, &exported);
    let _ = writeln!(s, "STEPS = {}", config.steps);
    let _ = writeln!(s, "# W*: m × n = {m} × {n}, row-major.");
    let _ = writeln!(s, "W_STAR = {}", matrix(&problem.truth));
    if problem.known.iter().all(|&k| k) {
        let _ = writeln!(s, "KNOWN = np.ones(W_STAR.shape, dtype=bool)  # every entry of W* is known");
    } else {
        let rows: Vec<String> =
            problem.known.row_iter().map(|r| format!("[{}]", r.iter().map(|&k| if k { "True" } else { "False" }).collect::<Vec<_>>().join(", "))).collect();
        let _ = writeln!(s, "KNOWN = np.array([\n    {},\n])", rows.join(",\n    "));
    }
    let pairs: Vec<String> = problem.omega.iter().map(|&(i, j)| format!("[{i}, {j}]")).collect();
    let _ = writeln!(s, "# Ω: |Ω| = {} (row, col) pairs, 0-based, row-major order.", pairs.len());
    let _ = writeln!(s, "OMEGA = np.array([{}], dtype=int).reshape(-1, 2)", pairs.join(", "));
    let ys: Vec<String> = problem.omega.iter().map(|&(i, j)| float(problem.observations[(i, j)])).collect();
    let _ = writeln!(s, "# Y on Ω (W* plus noise), in the order of OMEGA.");
    let _ = writeln!(s, "Y_OMEGA = np.array([{}])", ys.join(", "));
    let shapes: Vec<String> = lab.network().shapes().iter().map(|(r, c)| format!("{r} × {c}")).collect();
    let _ = writeln!(s, "# The shared start: W_1, …, W_N ({}).", shapes.join(", "));
    let _ = writeln!(s, "START = [\n{}]", factors.iter().map(|f| format!("    {},\n", matrix(f))).collect::<String>());
    let _ = writeln!(s, "RANK = {}  # r: the rank of W* (the subspace angles use its top-r singular vectors)", problem.rank);
    let penalty = match config.objective.penalty {
        Penalty::None => "none",
        Penalty::Nuclear => "nuclear",
        Penalty::Ratio => "ratio",
    };
    let _ = writeln!(s, "PENALTY, LAMBDA, SCALE = {}, {}, {}", string(penalty), float(config.objective.lambda), float(config.objective.scale));
    let _ = writeln!(s, "DIVERGENCE_FACTOR = {}", float(DIVERGENCE_FACTOR));
    let _ = writeln!(s, "BLOW_UP_FACTOR = {}", float(BLOW_UP_FACTOR));
    s.push_str(COMMON);
    s.push_str("\n\n# --- the methods' updates (each from its file in src/optim/) ---\n");
    // Each text once (a text may define more than one method's class: momentum and nesterov).
    let mut written: Vec<&str> = Vec::new();
    for text in exported.iter().filter_map(|&i| config.optimizers[i].numpy()) {
        if !written.contains(&text) {
            written.push(text);
            let _ = writeln!(s, "\n\n{}", text.trim_end());
        }
    }
    s.push_str("\n\n# --- the runs: (index in the config's optimizers, method as configured, its class, tracks time) ---\nRUNS = [\n");
    for &i in &exported {
        let method = &config.optimizers[i];
        let hp: Value = serde_json::from_str(&method.to_json()).unwrap_or(Value::Null);
        let tracks_time = if method.meta().tracks_time { "True" } else { "False" };
        let _ = writeln!(s, "    ({i}, {}, {}, {tracks_time}),", python(&hp), method.name());
    }
    s.push_str("]\nSKIPPED = [\n");
    for (i, method) in config.optimizers.iter().enumerate().filter(|(_, o)| o.numpy().is_none()) {
        let why = if method.is_solver() { "a solver: it needs the objective itself and has no short NumPy form" } else { "no NumPy form" };
        let _ = writeln!(s, "    {{\"index\": {i}, \"name\": {}, \"reason\": {}}},", string(method.name()), string(why));
    }
    s.push_str("]\n");
    s.push_str(MAIN);
    Ok(s)
}

fn header(s: &mut String, config: &Config, source: &str, m: usize, n: usize, exported: &[usize]) {
    let _ = writeln!(s, "#!/usr/bin/env python3");
    let _ = writeln!(s, "\"\"\"mc-playground's experiment {} as a NumPy script (mc-playground export-python).", string(source));
    let _ = writeln!(s);
    let _ = writeln!(s, "Runs {} steps of each method from the same start on the same problem ({m} × {n}, |Ω| written out",
        config.steps);
    let _ = writeln!(s, "below, no random draws) and prints one JSON object shaped like `mc-playground run`'s output.");
    let _ = writeln!(s, "Needs only NumPy. Model depth {}; objective: {:?} penalty.", config.model.depth, config.objective.penalty);
    let _ = writeln!(s, "\"\"\"");
    let skipped: Vec<String> = config
        .optimizers
        .iter()
        .enumerate()
        .filter(|(i, _)| !exported.contains(i))
        .map(|(i, o)| format!("#   optimizers[{i}]: {} ({})", o.name(), o.label()))
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(s, "# Skipped: methods with no short NumPy form (solvers need the objective itself):");
        let _ = writeln!(s, "{}", skipped.join("\n"));
    }
    s.push_str("import json\nimport math\n\nimport numpy as np\n\n");
}

/// `x` as a Python float literal (Rust's shortest round-trip form: the same bits when read).
fn float(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else if x.is_nan() {
        "math.nan".into()
    } else if x > 0.0 {
        "math.inf".into()
    } else {
        "-math.inf".into()
    }
}

/// `np.array([[…], …])`, row-major, with a trailing `.reshape` so that empty shapes survive.
fn matrix(w: &DMatrix<f64>) -> String {
    let rows: Vec<String> = w.row_iter().map(|r| format!("[{}]", r.iter().map(|&x| float(x)).collect::<Vec<_>>().join(", "))).collect();
    format!("np.array([\n        {},\n    ]).reshape({}, {})", rows.join(",\n        "), w.nrows(), w.ncols())
}

/// A JSON value as a Python literal (dicts, lists, True/False/None, floats as written).
fn python(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => (if *b { "True" } else { "False" }).into(),
        Value::Number(x) => match (x.as_i64(), x.as_f64()) {
            (Some(i), _) if !x.is_f64() => i.to_string(),
            (_, Some(f)) => float(f),
            _ => x.to_string(),
        },
        Value::String(t) => string(t),
        Value::Array(a) => format!("[{}]", a.iter().map(python).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!("{{{}}}", o.iter().map(|(k, v)| format!("{}: {}", string(k), python(v))).collect::<Vec<_>>().join(", ")),
    }
}

/// `t` as a Python string literal (JSON's escapes, which Python reads the same).
fn string(t: &str) -> String {
    serde_json::to_string(t).unwrap_or_default()
}

/// The objective, the model, the metrics (after the data, before the methods).
const COMMON: &str = r#"

# --- the objective (src/objective.rs) ---
I, J = OMEGA[:, 0], OMEGA[:, 1]
MASK = np.zeros(W_STAR.shape, dtype=bool)
MASK[I, J] = True


def lerp(a, b, w):
    """a + w·(b − a), computed as torch.lerp does (from b's side when |w| ≥ 0.5)."""
    return a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (1 - w)


def product(a, b):
    """A·B with each entry Σ_l A[i, l]·B[l, j] summed in order of l, every product and sum rounded
    on its own (no fused multiply-add): the core's linalg::product, bit for bit (for the methods whose
    steps amplify rounding)."""
    c = np.zeros((a.shape[0], b.shape[1]))
    for l in range(a.shape[1]):
        c = c + np.outer(a[:, l], b[l, :])
    return c


def in_order_sum(x):
    """Σ of x's entries one after the other in column-major order (the core's order of a sum over a matrix)."""
    return float(np.cumsum(np.ravel(x, order="F"))[-1]) if x.size else 0.0


def polar(w):
    """U₊V₊ᵀ over the singular values above σ₁·max(m, n)·ε (the numerical rank), and σ."""
    u, s, vt = np.linalg.svd(w, full_matrices=False)
    top = s[0] if s.size else 0.0
    r = int(np.sum(s > top * max(w.shape) * np.finfo(float).eps))
    return u[:, :r] @ vt[:r, :], s


def objective(w, s):
    """f(W) = c·(1/(2|Ω|)·Σ_Ω (W_ij − Y_ij)² + λ·p(W)), s the singular values of W."""
    fit = np.sum((w[I, J] - Y_OMEGA) ** 2) / (2 * len(Y_OMEGA))
    pen = 0.0
    if LAMBDA != 0 and PENALTY == "nuclear":
        pen = LAMBDA * np.sum(s)
    elif LAMBDA != 0 and PENALTY == "ratio":
        fro = np.linalg.norm(w)
        pen = LAMBDA * (np.sum(s) / fro if fro > 0 else 0.0)
    return SCALE * (fit + pen)


def gradient(w):
    """∇f(W) = c·((1/|Ω|)·P_Ω(W − Y) + λ·∇p(W)) (m × n): ∇‖W‖_* = U₊V₊ᵀ (the minimum-norm
    subgradient), ∇(‖W‖_*/‖W‖_F) = U₊V₊ᵀ/‖W‖_F − ‖W‖_*·W/‖W‖_F³ (0 at W = 0)."""
    g = np.zeros(w.shape)
    if LAMBDA != 0 and PENALTY == "nuclear":
        g = polar(w)[0] * LAMBDA
    elif LAMBDA != 0 and PENALTY == "ratio":
        fro = np.linalg.norm(w)
        if fro > 0:
            p, s = polar(w)
            g = p * (LAMBDA / fro) - (LAMBDA * np.sum(s) / (fro * fro * fro)) * w
    g[I, J] += (w[I, J] - Y_OMEGA) / len(Y_OMEGA)
    return g * SCALE if SCALE != 1 else g


# --- the model (src/model.rs): W = W_N ··· W_1 ---
def end_to_end(factors):
    w = factors[0]
    for f in factors[1:]:
        w = f @ w
    return w


def backprop(factors, g):
    """∂f/∂W_k = (W_N ··· W_{k+1})ᵀ · G · (W_{k−1} ··· W_1)ᵀ from G = ∇f(W)."""
    if len(factors) == 1:
        return [g]
    prefix = [factors[0]]
    for f in factors[1:-1]:
        prefix.append(f @ prefix[-1])
    grads, a = [None] * len(factors), g
    for k in reversed(range(len(factors))):
        if k == 0:
            grads[0] = a
        else:
            grads[k] = a @ prefix[k - 1].T
            a = factors[k].T @ a
    return grads


# --- the metrics (src/metrics.rs) ---
def top_left(w, r):
    return np.linalg.svd(w, full_matrices=False)[0][:, :r]


REF_RANK = max(min(RANK, min(W_STAR.shape)), 1)
REF_TRUTH = top_left(W_STAR, REF_RANK)
REF_START = top_left(end_to_end(START), REF_RANK)
OBSERVED_NORM = float(np.linalg.norm(Y_OMEGA))
UNOBSERVED = ~MASK & KNOWN
UNOBSERVED_TRUTH_NORM = float(np.linalg.norm(W_STAR[UNOBSERVED]))


def ratio_or_nan(num, den):
    return num / den if den > 0 else math.nan


def subspace_sine(a, b):
    """sin of the largest principal angle between the spans of a and b: ‖b − a(aᵀb)‖₂, at most 1."""
    return min(float(np.max(np.linalg.svd(b - a @ (a.T @ b), compute_uv=False), initial=0.0)), 1.0)


def step_metrics(step):
    """(‖ΔW‖_F, ‖ΔW‖_F² / ‖ΔW‖₂²) of the last step ΔW (NaN, NaN before the first)."""
    if step is None:
        return math.nan, math.nan
    squared = float(np.sum(step * step))
    top = float(np.max(np.linalg.svd(step, compute_uv=False), initial=0.0))
    return math.sqrt(squared), ratio_or_nan(squared, top * top)


def metrics(w, time, evaluations, step):
    u, s, _ = np.linalg.svd(w, full_matrices=False)
    step_norm, step_stable_rank = step_metrics(step)
    total = float(np.sum(s))
    p = s[s > 0] / total if total > 0 else s[:0]
    fro = math.sqrt(float(np.sum(s * s)))
    top = u[:, : min(REF_RANK, u.shape[1])]
    return {
        "objective": float(objective(w, s)),
        "train_error": ratio_or_nan(float(np.linalg.norm(w[I, J] - Y_OMEGA)), OBSERVED_NORM),
        "test_error": ratio_or_nan(float(np.linalg.norm((w - W_STAR)[UNOBSERVED])), UNOBSERVED_TRUTH_NORM),
        "effective_rank": math.exp(float(-np.sum(p * np.log(p)))) if total > 0 else 0.0,
        "ratio": total / fro if fro > 0 else 0.0,
        "nuclear_norm": total,
        "frobenius_norm": fro,
        "subspace_angle_truth": subspace_sine(top, REF_TRUTH),
        "subspace_angle_start": subspace_sine(top, REF_START),
        "time": time,
        "gradient_evaluations": evaluations,
        "step_norm": step_norm,
        "step_stable_rank": step_stable_rank,
        "singular_values": [float(x) for x in s],
    }
"#;

/// The loop of `Lab::step` with its divergence checks, and the output.
const MAIN: &str = r#"

class PerMatrix:
    """A per-matrix rule on every factor in turn, each with its own state."""

    def __init__(self, cls, hp, shapes):
        self.parts = [cls(hp, shape) for shape in shapes]

    def update(self, ws, gs):
        return [part.update(w, g) for part, w, g in zip(self.parts, ws, gs)]


def rust_e(x):
    """x in Rust's {:.3e} form (1.234e5), as the lab writes its reasons."""
    mantissa, exponent = f"{x:.3e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def run(hp, cls, tracks_time):
    factors = [f.copy() for f in START]
    shapes = [f.shape for f in factors]
    method = cls(hp, shapes) if getattr(cls, "whole", False) else PerMatrix(cls, hp, shapes)
    w = end_to_end(factors)
    scale = max(OBSERVED_NORM, float(np.linalg.norm(w)), 2.2250738585072014e-308)
    bound, blow_up = DIVERGENCE_FACTOR * scale, BLOW_UP_FACTOR * scale
    previous, blowing_up_at = None, None
    time = 0.0 if tracks_time else math.nan
    steps, diverged = 0, None
    for _ in range(STEPS):
        grads = backprop(factors, gradient(w))
        if not all(np.all(np.isfinite(g)) for g in grads):
            diverged = "the gradient became non-finite"
            break
        nxt = method.update(factors, grads)
        if not all(np.all(np.isfinite(f)) for f in nxt):
            diverged = "the iterate became non-finite"
            break
        w_next = end_to_end(nxt)
        norm = float(np.linalg.norm(w_next))
        if not math.isfinite(norm):
            diverged = "the end-to-end matrix became non-finite"
            break
        if norm > bound:
            diverged = f"‖W‖_F = {rust_e(norm)} exceeded the bound {rust_e(bound)}"
            break
        factors, previous, w, steps = nxt, w, w_next, steps + 1
        if norm > blow_up and blowing_up_at is None:
            blowing_up_at = steps
        if tracks_time:
            time += hp["learning_rate"]
    final = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in metrics(w, time, float(steps), None if previous is None else w - previous).items()}
    return {
        "optimizer": hp,
        "steps": steps,
        "diverged_at": steps + 1 if diverged else None,
        "diverged_reason": diverged,
        "blowing_up_at": blowing_up_at,
        "final": final,
        "matrix": w.tolist(),
    }


if __name__ == "__main__":
    out = {"runs": [run(hp, cls, tracks_time) for _, hp, cls, tracks_time in RUNS]}
    if SKIPPED:
        out["skipped"] = SKIPPED
    print(json.dumps(out))
"#;
