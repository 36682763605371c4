//! The per-matrix methods of issue 16 (`src/optim/{muon,spectral_descent,normalized_gd,sign_sgd,
//! signum,lion,adafactor,shampoo}.rs`) beyond their golden trajectories (`tests/golden_next.rs`):
//!
//! - every refused hyper-parameter names its field (as `torch.optim` refuses them), the defaults
//!   are the documented ones and pass, unknown fields are refused;
//! - orthogonal equivariance (proptest): for orthogonal U (m × m), V (n × n), the methods built
//!   on the matrix's geometry (normalized_gd, spectral_descent, muon, shampoo) step U W Vᵀ with
//!   gradients U G Vᵀ to U·(their step of W with G)·Vᵀ, to 1e-12, from a fresh state and over
//!   several steps; the entry-wise and factored methods (sign_sgd, signum, lion, adafactor) do not
//!   (they differ by more than 1e-6);
//! - edge cases: G = 0, a non-finite G, Muon's cubic Newton–Schulz landing on spectral descent.
//!
//! And the methods of issue 17 (`src/optim/{adadelta,adamax,asgd,radam,rprop,prodigy,
//! schedule_free_adamw,lbfgs}.rs`): refused hyper-parameters name their field, the defaults are
//! the documented ones, an always-zero gradient entry stays put, a NaN gradient shows, Prodigy
//! goes on from a zero gradient, L-BFGS solves a quadratic and keeps `history_size` pairs.

use mc_playground::linalg::Svd;
use mc_playground::optim::adadelta::Adadelta;
use mc_playground::optim::adafactor::Adafactor;
use mc_playground::optim::adamax::Adamax;
use mc_playground::optim::asgd::Asgd;
use mc_playground::optim::lbfgs::{Lbfgs, LineSearch};
use mc_playground::optim::lion::Lion;
use mc_playground::optim::muon::{newton_schulz, AdjustLr, Muon};
use mc_playground::optim::normalized_gd::NormalizedGd;
use mc_playground::optim::prodigy::Prodigy;
use mc_playground::optim::radam::Radam;
use mc_playground::optim::rprop::Rprop;
use mc_playground::optim::schedule_free_adamw::ScheduleFreeAdamw;
use mc_playground::optim::shampoo::Shampoo;
use mc_playground::optim::sign_sgd::SignSgd;
use mc_playground::optim::signum::Signum;
use mc_playground::optim::spectral_descent::{SpectralDescent, SpectralScale};
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use proptest::prelude::*;
use serde_json::{json, Value};

mod common;

/// Reads `fields` as a `$ty` (field errors named by `serde_path_to_error`) and validates it: the
/// offending field's name, or `None` when accepted.
macro_rules! refused_field {
    ($ty:ty, $fields:expr) => {{
        let fields: Value = $fields;
        match serde_path_to_error::deserialize::<_, $ty>(&fields) {
            Err(e) => Some(e.path().to_string()),
            Ok(config) => config.validate().err().map(|(field, message)| {
                assert!(!message.is_empty());
                field.to_string()
            }),
        }
    }};
}

/// Each `(fields, field)`: `fields` is refused, naming `field`.
macro_rules! assert_refusals {
    ($ty:ty, [$(($fields:expr, $field:expr)),* $(,)?]) => {{
        $(
            let fields: Value = $fields;
            assert_eq!(refused_field!($ty, fields.clone()).as_deref(), Some($field), "{} {fields}", stringify!($ty));
        )*
    }};
}

#[test]
fn defaults_are_the_documented_ones_and_valid() {
    let muon = Muon::default();
    assert_eq!(
        (muon.learning_rate, muon.momentum, muon.nesterov, muon.weight_decay, muon.ns_steps, muon.eps),
        (1e-3, 0.95, true, 0.1, 5, 1e-7)
    );
    assert_eq!(muon.ns_coefficients, vec![3.4445, -4.775, 2.0315]);
    assert_eq!(muon.adjust_lr_fn, AdjustLr::Original);
    assert_eq!(SpectralDescent::default(), SpectralDescent { learning_rate: 1e-3, scale: SpectralScale::None });
    assert_eq!(NormalizedGd::default().learning_rate, 1e-3);
    assert_eq!(SignSgd::default().learning_rate, 1e-3);
    assert_eq!(Signum::default(), Signum { learning_rate: 1e-3, momentum: 0.9 });
    assert_eq!(Lion::default(), Lion { learning_rate: 1e-4, beta1: 0.9, beta2: 0.99, weight_decay: 0.0 });
    assert_eq!(
        Adafactor::default(),
        Adafactor { learning_rate: 1e-2, beta2_decay: -0.8, eps1: None, eps2: 1e-3, d: 1.0, weight_decay: 0.0 }
    );
    assert_eq!(Shampoo::default(), Shampoo { learning_rate: 1e-2, beta2: 1.0, eps: 1e-12 });

    // An empty object is the defaults, and they pass.
    assert_eq!(refused_field!(Muon, json!({})), None);
    assert_eq!(refused_field!(SpectralDescent, json!({})), None);
    assert_eq!(refused_field!(NormalizedGd, json!({})), None);
    assert_eq!(refused_field!(SignSgd, json!({})), None);
    assert_eq!(refused_field!(Signum, json!({})), None);
    assert_eq!(refused_field!(Lion, json!({})), None);
    assert_eq!(refused_field!(Adafactor, json!({})), None);
    assert_eq!(refused_field!(Shampoo, json!({})), None);
    let parsed: Muon = serde_json::from_value(json!({})).unwrap();
    assert_eq!(parsed, muon);

    // Serialized with their config names, and read back the same.
    let value = serde_json::to_value(&muon).unwrap();
    assert_eq!(value["learning_rate"], json!(1e-3));
    assert_eq!(value["adjust_lr_fn"], json!("original"));
    assert_eq!(serde_json::from_value::<Muon>(value).unwrap(), muon);
    let value = serde_json::to_value(Adafactor::default()).unwrap();
    assert_eq!(value["eps1"], Value::Null);
    assert_eq!(serde_json::from_value::<Adafactor>(value).unwrap(), Adafactor::default());
    let value = serde_json::to_value(SpectralDescent { learning_rate: 0.5, scale: SpectralScale::Nuclear }).unwrap();
    assert_eq!(value, json!({"learning_rate": 0.5, "scale": "nuclear"}));
    let value = serde_json::to_value(Muon { adjust_lr_fn: AdjustLr::MatchRmsAdamw, ..Muon::default() }).unwrap();
    assert_eq!(value["adjust_lr_fn"], json!("match_rms_adamw"));
}

#[test]
#[allow(clippy::needless_update)] // the macro also fills structs whose only field is the learning rate
fn the_learning_rate_is_refused_when_negative_or_not_finite_by_every_method() {
    // JSON has no NaN or infinity: those are checked on the structs.
    macro_rules! lr_checks {
        ($($ty:ident),*) => {$(
            assert_refusals!($ty, [(json!({"learning_rate": -1e-3}), "learning_rate")]);
            for lr in [f64::NAN, f64::INFINITY, -f64::INFINITY, -0.5] {
                let config = $ty { learning_rate: lr, ..$ty::default() };
                assert_eq!(config.validate().unwrap_err().0, "learning_rate", "{} {lr}", stringify!($ty));
            }
            let zero = $ty { learning_rate: 0.0, ..$ty::default() };
            assert!(zero.validate().is_ok());
            assert_refusals!($ty, [(json!({"learning_rate": 1e-3, "lr": 1e-3}), "lr")]);
        )*};
    }
    lr_checks!(Muon, SpectralDescent, NormalizedGd, SignSgd, Signum, Lion, Adafactor, Shampoo);
    lr_checks!(Adadelta, Adamax, Asgd, Radam, Rprop, Prodigy, ScheduleFreeAdamw, Lbfgs);
}

#[test]
fn muon_refuses_bad_hyper_parameters_naming_the_field() {
    assert_refusals!(Muon, [
        (json!({"momentum": -0.1}), "momentum"),
        (json!({"momentum": 1.0}), "momentum"),
        (json!({"weight_decay": -0.1}), "weight_decay"),
        (json!({"ns_coefficients": [3.4445, -4.775]}), "ns_coefficients"),
        (json!({"ns_coefficients": [3.4445, -4.775, 2.0315, 1.0]}), "ns_coefficients"),
        (json!({"ns_coefficients": []}), "ns_coefficients"),
        (json!({"ns_coefficients": "quintic"}), "ns_coefficients"),
        (json!({"ns_steps": 100}), "ns_steps"),
        (json!({"ns_steps": 1000}), "ns_steps"),
        (json!({"ns_steps": -1}), "ns_steps"),
        (json!({"eps": -1e-7}), "eps"),
        (json!({"adjust_lr_fn": "spectral"}), "adjust_lr_fn"),
        (json!({"adjust_lr_fn": null}), "adjust_lr_fn"),
        (json!({"nesterov": 1}), "nesterov"),
    ]);
    assert_eq!(Muon { ns_coefficients: vec![1.0, f64::NAN, 0.0], ..Muon::default() }.validate().unwrap_err().0, "ns_coefficients");
    assert_eq!(Muon { eps: f64::INFINITY, ..Muon::default() }.validate().unwrap_err().0, "eps");
    assert_eq!(Muon { momentum: f64::NAN, ..Muon::default() }.validate().unwrap_err().0, "momentum");
    // The edges that are accepted.
    assert_eq!(refused_field!(Muon, json!({"ns_steps": 99, "ns_coefficients": [1.5, -0.5, 0], "momentum": 0, "eps": 0})), None);
    assert_eq!(refused_field!(Muon, json!({"adjust_lr_fn": "match_rms_adamw", "nesterov": false, "weight_decay": 0})), None);
    let (field, message) = Muon { ns_steps: 100, ..Muon::default() }.validate().unwrap_err();
    assert_eq!((field, message.as_str()), ("ns_steps", "must be less than 100, got 100"));
    let (_, message) = Muon { ns_coefficients: vec![1.0, 2.0], ..Muon::default() }.validate().unwrap_err();
    assert_eq!(message, "must be exactly 3 numbers (a, b, c), got 2");
}

#[test]
fn spectral_descent_and_the_sign_methods_refuse_bad_hyper_parameters_naming_the_field() {
    assert_refusals!(SpectralDescent, [
        (json!({"scale": "frobenius"}), "scale"),
        (json!({"scale": 2.0}), "scale"),
        (json!({"learning_rate": -0.1}), "learning_rate"),
    ]);
    assert_eq!(refused_field!(SpectralDescent, json!({"scale": "nuclear"})), None);
    assert_refusals!(NormalizedGd, [(json!({"learning_rate": "fast"}), "learning_rate"), (json!({"momentum": 0.9}), "momentum")]);
    assert_refusals!(SignSgd, [(json!({"learning_rate": -1}), "learning_rate"), (json!({"momentum": 0.9}), "momentum")]);
    assert_refusals!(Signum, [
        (json!({"momentum": -0.5}), "momentum"),
        (json!({"momentum": 1.0}), "momentum"),
        (json!({"momentum": 2}), "momentum"),
    ]);
    assert_eq!(refused_field!(Signum, json!({"momentum": 0})), None);
    assert_refusals!(Lion, [
        (json!({"beta1": -0.1}), "beta1"),
        (json!({"beta1": 1.0}), "beta1"),
        (json!({"beta2": 1.5}), "beta2"),
        (json!({"beta2": -1e-9}), "beta2"),
        (json!({"weight_decay": -0.1}), "weight_decay"),
    ]);
    assert_eq!(Lion { weight_decay: f64::NAN, ..Lion::default() }.validate().unwrap_err().0, "weight_decay");
    let (field, message) = Lion { beta2: 1.0, ..Lion::default() }.validate().unwrap_err();
    assert_eq!((field, message.as_str()), ("beta2", "must be in [0, 1), got 1"));
}

#[test]
fn adafactor_refuses_bad_hyper_parameters_naming_the_field() {
    assert_refusals!(Adafactor, [
        (json!({"beta2_decay": 0.1}), "beta2_decay"),
        (json!({"eps1": -1e-30}), "eps1"),
        (json!({"eps1": "machine"}), "eps1"),
        (json!({"eps2": -1e-3}), "eps2"),
        (json!({"d": 0.5}), "d"),
        (json!({"d": -1}), "d"),
        (json!({"weight_decay": -0.01}), "weight_decay"),
        (json!({"eps": [null, 1e-3]}), "eps"),
    ]);
    assert_eq!(Adafactor { beta2_decay: f64::NEG_INFINITY, ..Adafactor::default() }.validate().unwrap_err().0, "beta2_decay");
    assert_eq!(Adafactor { d: f64::INFINITY, ..Adafactor::default() }.validate().unwrap_err().0, "d");
    assert_eq!(Adafactor { eps1: Some(f64::NAN), ..Adafactor::default() }.validate().unwrap_err().0, "eps1");
    // The edges that are accepted: beta2_decay 0 (a plain average), eps1 0 or null, d 1.
    assert_eq!(refused_field!(Adafactor, json!({"beta2_decay": 0, "eps1": 0, "eps2": 0, "d": 1})), None);
    assert_eq!(refused_field!(Adafactor, json!({"eps1": null})), None);
    let (field, message) = Adafactor { beta2_decay: 0.5, ..Adafactor::default() }.validate().unwrap_err();
    assert_eq!((field, message.as_str()), ("beta2_decay", "must be a finite number <= 0, got 0.5"));
}

#[test]
fn shampoo_refuses_bad_hyper_parameters_naming_the_field() {
    assert_refusals!(Shampoo, [
        (json!({"beta2": 0}), "beta2"),
        (json!({"beta2": -0.5}), "beta2"),
        (json!({"beta2": 1.01}), "beta2"),
        (json!({"eps": -1e-12}), "eps"),
        (json!({"eps": 0}), "eps"),
        (json!({"momentum": 0.9}), "momentum"),
    ]);
    assert_eq!(Shampoo { eps: f64::INFINITY, ..Shampoo::default() }.validate().unwrap_err().0, "eps");
    assert_eq!(Shampoo { beta2: f64::NAN, ..Shampoo::default() }.validate().unwrap_err().0, "beta2");
    assert_eq!(refused_field!(Shampoo, json!({"beta2": 0.5, "eps": 1e-30})), None);
}

// ---- orthogonal equivariance ----

/// A stepper with a fresh state for an m × n matrix.
type Stepper = Box<dyn FnMut(&mut DMatrixViewMut<f64>, &DMatrixView<f64>)>;

macro_rules! stepper {
    ($config:expr, $shape:expr) => {{
        let config = $config;
        config.validate().unwrap();
        let mut state = config.init($shape);
        Box::new(move |w: &mut DMatrixViewMut<f64>, g: &DMatrixView<f64>| config.update(w, g, &mut state)) as Stepper
    }};
}

/// The methods by name, with step sizes large enough for their steps to show.
fn make(name: &str, shape: (usize, usize)) -> Stepper {
    match name {
        "normalized_gd" => stepper!(NormalizedGd { learning_rate: 0.3 }, shape),
        "spectral_descent" => stepper!(SpectralDescent { learning_rate: 0.1, scale: SpectralScale::None }, shape),
        "spectral_descent_nuclear" => stepper!(SpectralDescent { learning_rate: 0.1, scale: SpectralScale::Nuclear }, shape),
        "muon" => stepper!(Muon { learning_rate: 0.1, ..Muon::default() }, shape),
        "muon_plain" => stepper!(
            Muon { learning_rate: 0.1, nesterov: false, weight_decay: 0.0, adjust_lr_fn: AdjustLr::MatchRmsAdamw, ..Muon::default() },
            shape
        ),
        "shampoo" => stepper!(Shampoo { learning_rate: 0.1, ..Shampoo::default() }, shape),
        "shampoo_ema" => stepper!(Shampoo { learning_rate: 0.1, beta2: 0.9, eps: 1e-6 }, shape),
        "sign_sgd" => stepper!(SignSgd { learning_rate: 0.1 }, shape),
        "signum" => stepper!(Signum { learning_rate: 0.1, ..Signum::default() }, shape),
        "lion" => stepper!(Lion { learning_rate: 0.1, weight_decay: 0.1, ..Lion::default() }, shape),
        "adafactor" => stepper!(Adafactor { learning_rate: 0.1, ..Adafactor::default() }, shape),
        _ => unreachable!("{name}"),
    }
}

/// Equivariant for any gradient, to 1e-12: the step is a polynomial in G (Muon's Newton–Schulz
/// loop) or G over its norm.
const EQUIVARIANT: [&str; 3] = ["normalized_gd", "muon", "muon_plain"];
/// Equivariant too, to 1e-12 on well-conditioned gradients (σ_max/σ_min ≤ 2). On others the
/// rounding of the step itself grows with the conditioning (of the method, not of the
/// rotation): spectral descent's U₊V₊ᵀ moves by about ε·σ₁/σ_min; Shampoo forms L = Σ G Gᵀ and
/// R = Σ Gᵀ G, which squares the condition number, and its first step is about U f(Σ) Vᵀ with
/// f(σ) = σ/√(σ² + ε), whose sensitivity grows to 1/√ε for σ ≪ √ε (a random 6 × 6 gradient
/// with σ_min/σ₁ ≈ 1e-2 moves it by about 1e-12, as it does the NumPy reference: see
/// `tests/golden_next.rs`).
const EQUIVARIANT_CONDITIONED: [&str; 4] = ["spectral_descent", "spectral_descent_nuclear", "shampoo", "shampoo_ema"];
const NOT_EQUIVARIANT: [&str; 4] = ["sign_sgd", "signum", "lion", "adafactor"];

/// An orthogonal k × k matrix: Q of the QR factorisation of a random one (entries from `pool`).
fn orthogonal(k: usize, pool: &[f64]) -> DMatrix<f64> {
    // Plus 2·I: a random matrix that is safely invertible, so Q is well defined.
    let a = DMatrix::from_fn(k, k, |i, j| pool[i * k + j] + if i == j { 2.0 } else { 0.0 });
    a.qr().q()
}

/// An m × n matrix P·diag(s)·Qᵀ with random orthonormal P, Q and singular values s in [½, 1]
/// (from `pool`: 2·36 + 6 numbers).
fn conditioned(m: usize, n: usize, pool: &[f64]) -> DMatrix<f64> {
    let r = m.min(n);
    let (p, q) = (orthogonal(m, pool), orthogonal(n, &pool[36..]));
    let s = DMatrix::from_fn(r, r, |i, j| if i == j { 0.75 + 0.25 * pool[72 + i] } else { 0.0 });
    p.columns(0, r) * s * q.columns(0, r).transpose()
}

/// Three m × n matrices P·diag(s_k)·Qᵀ sharing random orthonormal P, Q, with singular values
/// s_k in [½, 1] (from `pool`: 2·36 + 18 numbers): their sums G Gᵀ and Gᵀ G stay as well
/// conditioned as each of them.
fn shared(m: usize, n: usize, pool: &[f64]) -> Vec<DMatrix<f64>> {
    let r = m.min(n);
    let (p, q) = (orthogonal(m, pool), orthogonal(n, &pool[36..]));
    (0..3)
        .map(|k| {
            let s = DMatrix::from_fn(r, r, |i, j| if i == j { 0.75 + 0.25 * pool[72 + 6 * k + i] } else { 0.0 });
            p.columns(0, r) * s * q.columns(0, r).transpose()
        })
        .collect()
}

/// The largest |entry| of the difference, over 1 and the largest |entry| of `b`.
fn difference(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    (a - b).amax() / b.amax().max(1.0)
}

/// Runs `name` on (W, G₁…G_k) and on (U W Vᵀ, U G₁ Vᵀ …); the largest difference, over the steps,
/// between the rotated run and the rotation of the plain run.
fn rotation_gap(name: &str, w0: &DMatrix<f64>, grads: &[DMatrix<f64>], u: &DMatrix<f64>, v: &DMatrix<f64>) -> f64 {
    let shape = w0.shape();
    let (mut plain, mut rotated) = (make(name, shape), make(name, shape));
    let mut w = w0.clone();
    let mut wr = u * w0 * v.transpose();
    let mut gap = 0.0f64;
    for g in grads {
        let gr = u * g * v.transpose();
        plain(&mut w.as_view_mut(), &g.as_view());
        rotated(&mut wr.as_view_mut(), &gr.as_view());
        gap = gap.max(difference(&wr, &(u * &w * v.transpose())));
    }
    gap
}

/// One case: W₀, three random gradients, three well-conditioned ones, three well-conditioned
/// ones with the same singular vectors, U, V.
struct Case {
    w0: DMatrix<f64>,
    grads: Vec<DMatrix<f64>>,
    conditioned: Vec<DMatrix<f64>>,
    shared: Vec<DMatrix<f64>>,
    u: DMatrix<f64>,
    v: DMatrix<f64>,
}

const POOL: usize = 36 * 14 + 3 * 6;

/// A case of m × n matrices from `pool` (`POOL` numbers in [−1, 1]), gradients scaled by `scale`.
fn case(m: usize, n: usize, pool: &[f64], scale: f64) -> Case {
    let mat = |k: usize| DMatrix::from_fn(m, n, |i, j| pool[k * 36 + i * n + j]);
    Case {
        w0: mat(0),
        grads: (1..4).map(|k| mat(k) * scale).collect(),
        conditioned: (0..3).map(|k| conditioned(m, n, &pool[(6 + 2 * k) * 36..]) * scale).collect(),
        shared: shared(m, n, &pool[12 * 36..]).into_iter().map(|g| g * scale).collect(),
        u: orthogonal(m, &pool[4 * 36..]),
        v: orthogonal(n, &pool[5 * 36..]),
    }
}

fn problem() -> impl Strategy<Value = (usize, usize, Vec<f64>, i32)> {
    (1usize..=6, 1usize..=6, prop::collection::vec(-1.0f64..1.0, POOL), -1i32..=1)
}

proptest! {
    #![proptest_config(common::fixed_seed(200))]

    #[test]
    fn the_geometric_methods_commute_with_rotations((m, n, pool, exponent) in problem()) {
        let c = case(m, n, &pool, 10f64.powi(exponent));
        // From a fresh state (the first step) and over three steps with the same rotation.
        for name in EQUIVARIANT {
            for grads in [&c.grads, &c.conditioned, &c.shared] {
                let first = rotation_gap(name, &c.w0, &grads[..1], &c.u, &c.v);
                prop_assert!(first <= 1e-12, "{name}, {m}×{n}: first step off by {first:e}");
                let all = rotation_gap(name, &c.w0, grads, &c.u, &c.v);
                prop_assert!(all <= 1e-12, "{name}, {m}×{n}: three steps off by {all:e}");
            }
        }
        for name in EQUIVARIANT_CONDITIONED {
            let first = rotation_gap(name, &c.w0, &c.conditioned[..1], &c.u, &c.v);
            prop_assert!(first <= 1e-12, "{name}, {m}×{n}: first step off by {first:e}");
            // Shampoo's statistics sum the steps' G Gᵀ: independent well-conditioned gradients
            // can sum to an ill-conditioned L (two nearly aligned ranges), so its steps share
            // their singular vectors (the rotation U, V is still a random one).
            let grads = if name.starts_with("shampoo") { &c.shared } else { &c.conditioned };
            let all = rotation_gap(name, &c.w0, grads, &c.u, &c.v);
            prop_assert!(all <= 1e-12, "{name}, {m}×{n}: three steps off by {all:e}");
        }
        // Spectral descent on any gradient: within 1e-12 times the condition number σ₁/σ_min.
        let sigma = Svd::fast(&c.grads[0]).unwrap().singular_values;
        let kappa = sigma.max() / sigma.min();
        for name in ["spectral_descent", "spectral_descent_nuclear"] {
            let first = rotation_gap(name, &c.w0, &c.grads[..1], &c.u, &c.v);
            prop_assert!(first <= 1e-12 * kappa.max(1.0), "{name}, {m}×{n}, condition {kappa:e}: first step off by {first:e}");
        }
    }
}

#[test]
fn the_entry_wise_and_factored_methods_do_not_commute_with_rotations() {
    // Cases like the property's above (3 × 4, 4 × 3, 5 × 5), deterministic: each of the four
    // methods is off by more than 1e-6 on some case, where the geometric methods are within 1e-12.
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
    let mut gaps = std::collections::BTreeMap::new();
    for (m, n) in [(3, 4), (4, 3), (5, 5)] {
        for _ in 0..3 {
            let pool: Vec<f64> = (0..POOL).map(|_| rng.random_range(-1.0..1.0)).collect();
            let c = case(m, n, &pool, 1.0);
            for name in NOT_EQUIVARIANT.iter().chain(&EQUIVARIANT).chain(&EQUIVARIANT_CONDITIONED) {
                for grads in [&c.grads, &c.conditioned, &c.shared] {
                    let skip = match *name {
                        "shampoo" | "shampoo_ema" => grads != &c.shared,
                        "spectral_descent" | "spectral_descent_nuclear" => grads == &c.grads,
                        _ => false,
                    };
                    if skip {
                        continue;
                    }
                    let gap = rotation_gap(name, &c.w0, grads, &c.u, &c.v);
                    let worst = gaps.entry(*name).or_insert(0.0f64);
                    *worst = worst.max(gap);
                }
            }
        }
    }
    for name in NOT_EQUIVARIANT {
        assert!(gaps[name] > 1e-6, "{name} commutes with rotations ({:e})?", gaps[name]);
    }
    for name in EQUIVARIANT.iter().chain(&EQUIVARIANT_CONDITIONED) {
        assert!(gaps[name] <= 1e-12, "{name}: {:e}", gaps[name]);
    }
}

// ---- edge cases ----

#[test]
fn a_zero_gradient_moves_only_what_decays() {
    let w0 = DMatrix::from_fn(3, 5, |i, j| (i as f64 + 1.0) * 0.3 - j as f64 * 0.2);
    let zero = DMatrix::zeros(3, 5);
    for name in ["normalized_gd", "spectral_descent", "spectral_descent_nuclear", "muon_plain", "shampoo", "sign_sgd", "signum", "adafactor"] {
        let mut step = make(name, (3, 5));
        let mut w = w0.clone();
        for _ in 0..3 {
            step(&mut w.as_view_mut(), &zero.as_view());
        }
        assert_eq!(w, w0, "{name} moved on a zero gradient");
    }
    // Lion and Muon with weight decay only decay.
    let mut w = w0.clone();
    let mut step = make("lion", (3, 5));
    step(&mut w.as_view_mut(), &zero.as_view());
    assert_eq!(w, w0.map(|x| x - 0.1 * (0.1 * x)));
    let mut w = w0.clone();
    let mut step = make("muon", (3, 5));
    step(&mut w.as_view_mut(), &zero.as_view());
    assert_eq!(w, w0.map(|x| x * (1.0 - 0.1 * 0.1)));
}

#[test]
fn a_non_finite_gradient_shows_in_the_parameters() {
    let w0 = DMatrix::from_fn(4, 3, |i, j| 0.1 * (i * 3 + j) as f64 - 0.5);
    let mut g = DMatrix::from_fn(4, 3, |i, j| 0.3 * i as f64 - 0.2 * j as f64 + 0.05);
    g[(1, 2)] = f64::NAN;
    for name in EQUIVARIANT.iter().chain(&EQUIVARIANT_CONDITIONED).chain(&NOT_EQUIVARIANT) {
        let mut step = make(name, (4, 3));
        let mut w = w0.clone();
        step(&mut w.as_view_mut(), &g.as_view());
        assert!(w.iter().any(|x| x.is_nan()), "{name} hid a NaN gradient");
    }
}

#[test]
fn muon_with_the_cubic_iteration_lands_on_spectral_descent() {
    // The README's cross-check: Newton–Schulz with (1.5, −0.5, 0) and 60 steps is U Vᵀ.
    for (m, n) in [(4, 6), (6, 4), (5, 5)] {
        let g = DMatrix::from_fn(m, n, |i, j| ((i * 7 + j * 3) % 5) as f64 - 2.0 + 0.1 * (i + j) as f64 + if i == j { 3.0 } else { 0.0 });
        let polar = Svd::fast(&g).unwrap().polar_factor();
        let ns = newton_schulz(&g, [1.5, -0.5, 0.0], 60, 1e-7);
        assert!((&ns - &polar).amax() < 1e-13, "{m}×{n}: {:e}", (&ns - &polar).amax());
        // And one spectral-descent step is W − lr·U Vᵀ.
        let sd = SpectralDescent { learning_rate: 0.25, scale: SpectralScale::None };
        let mut w = DMatrix::zeros(m, n);
        sd.update(&mut w.as_view_mut(), &g.as_view(), &mut sd.init((m, n)));
        assert!((&w + &polar * 0.25).amax() < 1e-15);
    }
}

#[test]
fn muon_scales_its_learning_rate_by_the_shape() {
    let original = Muon { learning_rate: 0.1, ..Muon::default() };
    assert_eq!(original.adjusted_lr((6, 4)), 0.1 * 1.5f64.sqrt());
    assert_eq!(original.adjusted_lr((4, 6)), 0.1);
    let rms = Muon { learning_rate: 0.1, adjust_lr_fn: AdjustLr::MatchRmsAdamw, ..Muon::default() };
    assert_eq!(rms.adjusted_lr((4, 6)), 0.1 * (0.2 * 6f64.sqrt()));
    assert_eq!(rms.adjusted_lr((6, 4)), 0.1 * (0.2 * 6f64.sqrt()));
}

// ---- the methods of issue 17 ----

#[test]
fn the_issue_17_defaults_are_the_documented_ones_and_valid() {
    assert_eq!(Adadelta::default(), Adadelta { learning_rate: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0.0 });
    assert_eq!(Adamax::default(), Adamax { learning_rate: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0 });
    assert_eq!(Asgd::default(), Asgd { learning_rate: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weight_decay: 0.0 });
    assert_eq!(
        Radam::default(),
        Radam { learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, decoupled_weight_decay: false }
    );
    assert_eq!(
        Rprop::default(),
        Rprop { learning_rate: 1e-2, eta_minus: 0.5, eta_plus: 1.2, step_size_min: 1e-6, step_size_max: 50.0 }
    );
    assert_eq!(
        Prodigy::default(),
        Prodigy { learning_rate: 1.0, beta1: 0.9, beta2: 0.999, beta3: None, eps: 1e-8, d0: 1e-6, d_coef: 1.0, weight_decay: 0.0 }
    );
    assert_eq!(Prodigy::default().beta3(), 0.999f64.sqrt());
    assert_eq!(Prodigy { beta3: Some(0.5), ..Prodigy::default() }.beta3(), 0.5);
    assert_eq!(
        ScheduleFreeAdamw::default(),
        ScheduleFreeAdamw { learning_rate: 2.5e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, weight_lr_power: 2.0 }
    );
    assert_eq!(
        Lbfgs::default(),
        Lbfgs { learning_rate: 1.0, history_size: 100, line_search: LineSearch::None, tolerance_grad: 1e-7, tolerance_change: 1e-9 }
    );
    assert_eq!(refused_field!(Adadelta, json!({})), None);
    assert_eq!(refused_field!(Adamax, json!({})), None);
    assert_eq!(refused_field!(Asgd, json!({})), None);
    assert_eq!(refused_field!(Radam, json!({})), None);
    assert_eq!(refused_field!(Rprop, json!({})), None);
    assert_eq!(refused_field!(Prodigy, json!({})), None);
    assert_eq!(refused_field!(ScheduleFreeAdamw, json!({})), None);
    assert_eq!(refused_field!(Lbfgs, json!({})), None);
    // Read back as written.
    let value = serde_json::to_value(Prodigy::default()).unwrap();
    assert_eq!(value["beta3"], Value::Null);
    assert_eq!(serde_json::from_value::<Prodigy>(value).unwrap(), Prodigy::default());
    let wolfe = Lbfgs { line_search: LineSearch::StrongWolfe, ..Lbfgs::default() };
    let value = serde_json::to_value(&wolfe).unwrap();
    assert_eq!(value["line_search"], json!("strong_wolfe"));
    assert_eq!(serde_json::from_value::<Lbfgs>(value).unwrap(), wolfe);
    assert_eq!(serde_json::to_value(Lbfgs::default()).unwrap()["line_search"], json!("none"));
}

#[test]
fn the_issue_17_methods_refuse_bad_hyper_parameters_naming_the_field() {
    assert_refusals!(Adadelta, [
        (json!({"rho": -0.1}), "rho"),
        (json!({"rho": 1.5}), "rho"),
        (json!({"eps": -1e-6}), "eps"),
        (json!({"weight_decay": -1}), "weight_decay"),
        (json!({"lr": 1.0}), "lr"),
    ]);
    assert_eq!(refused_field!(Adadelta, json!({"rho": 1.0, "eps": 0})), None);
    assert_eq!(refused_field!(Adadelta, json!({"rho": 0.0})), None);
    assert_eq!(Adadelta { rho: f64::NAN, ..Adadelta::default() }.validate().unwrap_err().0, "rho");
    let (field, message) = Adadelta { rho: 2.0, ..Adadelta::default() }.validate().unwrap_err();
    assert_eq!((field, message.as_str()), ("rho", "must be in [0, 1], got 2"));

    assert_refusals!(Adamax, [
        (json!({"beta1": 1.0}), "beta1"),
        (json!({"beta1": -0.5}), "beta1"),
        (json!({"beta2": 1.0}), "beta2"),
        (json!({"eps": -1e-8}), "eps"),
        (json!({"weight_decay": -0.1}), "weight_decay"),
        (json!({"betas": [0.9, 0.999]}), "betas"),
    ]);
    assert_eq!(Adamax { eps: f64::INFINITY, ..Adamax::default() }.validate().unwrap_err().0, "eps");

    assert_refusals!(Asgd, [
        (json!({"lambd": -1e-4}), "lambd"),
        (json!({"alpha": -0.75}), "alpha"),
        (json!({"weight_decay": -0.01}), "weight_decay"),
        (json!({"t0": "never"}), "t0"),
        (json!({"lambda": 1e-4}), "lambda"),
    ]);
    assert_eq!(Asgd { t0: f64::INFINITY, ..Asgd::default() }.validate().unwrap_err().0, "t0");
    assert_eq!(Asgd { alpha: f64::NAN, ..Asgd::default() }.validate().unwrap_err().0, "alpha");
    assert_eq!(refused_field!(Asgd, json!({"t0": -5, "lambd": 0, "alpha": 0})), None);

    assert_refusals!(Radam, [
        (json!({"beta1": 1.0}), "beta1"),
        (json!({"beta2": 1.0}), "beta2"),
        (json!({"beta2": -0.1}), "beta2"),
        (json!({"eps": -1.0}), "eps"),
        (json!({"weight_decay": -0.01}), "weight_decay"),
        (json!({"decoupled_weight_decay": 1}), "decoupled_weight_decay"),
    ]);
    assert_eq!(refused_field!(Radam, json!({"beta1": 0, "beta2": 0, "decoupled_weight_decay": true, "weight_decay": 0.1})), None);

    assert_refusals!(Rprop, [
        (json!({"eta_minus": 0}), "eta_minus"),
        (json!({"eta_minus": 1.0}), "eta_minus"),
        (json!({"eta_plus": 1.0}), "eta_plus"),
        (json!({"eta_plus": 0.5}), "eta_plus"),
        (json!({"step_size_min": -1e-6}), "step_size_min"),
        (json!({"step_size_min": 1.0, "step_size_max": 0.5}), "step_size_max"),
        (json!({"etas": [0.5, 1.2]}), "etas"),
    ]);
    assert_eq!(Rprop { eta_plus: f64::INFINITY, ..Rprop::default() }.validate().unwrap_err().0, "eta_plus");
    assert_eq!(Rprop { step_size_max: f64::INFINITY, ..Rprop::default() }.validate().unwrap_err().0, "step_size_max");
    assert_eq!(Rprop { eta_minus: f64::NAN, ..Rprop::default() }.validate().unwrap_err().0, "eta_minus");
    assert_eq!(refused_field!(Rprop, json!({"step_size_min": 0, "step_size_max": 0})), None);

    assert_refusals!(Prodigy, [
        (json!({"beta1": 1.0}), "beta1"),
        (json!({"beta2": -0.1}), "beta2"),
        (json!({"beta3": 1.0}), "beta3"),
        (json!({"beta3": "sqrt"}), "beta3"),
        (json!({"eps": -1e-8}), "eps"),
        (json!({"d0": 0}), "d0"),
        (json!({"d0": -1e-6}), "d0"),
        (json!({"d_coef": 0}), "d_coef"),
        (json!({"weight_decay": -0.1}), "weight_decay"),
        (json!({"estim_lr0": 1e-6}), "estim_lr0"),
    ]);
    assert_eq!(Prodigy { d0: f64::INFINITY, ..Prodigy::default() }.validate().unwrap_err().0, "d0");
    assert_eq!(refused_field!(Prodigy, json!({"beta3": null, "beta1": 0, "eps": 0})), None);
    let (field, message) = Prodigy { d_coef: -2.0, ..Prodigy::default() }.validate().unwrap_err();
    assert_eq!((field, message.as_str()), ("d_coef", "must be a finite number > 0, got -2"));

    assert_refusals!(ScheduleFreeAdamw, [
        (json!({"beta1": 0}), "beta1"),
        (json!({"beta1": 1.0}), "beta1"),
        (json!({"beta2": 1.0}), "beta2"),
        (json!({"eps": -1e-8}), "eps"),
        (json!({"weight_decay": -1e-4}), "weight_decay"),
        (json!({"weight_lr_power": -2}), "weight_lr_power"),
        (json!({"warmup_steps": 10}), "warmup_steps"),
    ]);
    assert_eq!(ScheduleFreeAdamw { weight_lr_power: f64::NAN, ..ScheduleFreeAdamw::default() }.validate().unwrap_err().0, "weight_lr_power");
    let (field, message) = ScheduleFreeAdamw { beta1: 0.0, ..ScheduleFreeAdamw::default() }.validate().unwrap_err();
    assert_eq!((field, message.as_str()), ("beta1", "must be in (0, 1), got 0"));

    assert_refusals!(Lbfgs, [
        (json!({"history_size": 0}), "history_size"),
        (json!({"history_size": -1}), "history_size"),
        (json!({"history_size": 2.5}), "history_size"),
        (json!({"line_search": "backtracking"}), "line_search"),
        (json!({"line_search": null}), "line_search"),
        (json!({"tolerance_grad": -1e-7}), "tolerance_grad"),
        (json!({"tolerance_change": -1e-9}), "tolerance_change"),
        (json!({"max_iter": 20}), "max_iter"),
    ]);
    assert_eq!(Lbfgs { tolerance_change: f64::NAN, ..Lbfgs::default() }.validate().unwrap_err().0, "tolerance_change");
    assert_eq!(refused_field!(Lbfgs, json!({"history_size": 1, "line_search": "strong_wolfe", "tolerance_grad": 0})), None);
}

/// A stepper of an issue-17 method with a fresh state for an m × n matrix.
fn make17(name: &str, shape: (usize, usize)) -> Stepper {
    match name {
        "adadelta" => stepper!(Adadelta::default(), shape),
        "adamax" => stepper!(Adamax { learning_rate: 0.1, ..Adamax::default() }, shape),
        "asgd" => stepper!(Asgd { learning_rate: 0.1, lambd: 0.1, t0: 5.0, ..Asgd::default() }, shape),
        "radam" => stepper!(Radam { learning_rate: 0.1, ..Radam::default() }, shape),
        "rprop" => stepper!(Rprop { learning_rate: 0.1, ..Rprop::default() }, shape),
        "prodigy" => stepper!(Prodigy::default(), shape),
        "schedule_free_adamw" => stepper!(ScheduleFreeAdamw { learning_rate: 0.1, ..ScheduleFreeAdamw::default() }, shape),
        _ => unreachable!("{name}"),
    }
}

const ISSUE_17: [&str; 7] = ["adadelta", "adamax", "asgd", "radam", "rprop", "prodigy", "schedule_free_adamw"];

#[test]
fn an_always_zero_gradient_entry_stays_put() {
    // Gradients from 1e-4 to 1e4 with entry (1, 2) always exactly 0, as the golden cases.
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let w0 = DMatrix::from_fn(3, 4, |i, j| 0.3 * i as f64 - 0.2 * j as f64 + 0.1);
    let grads: Vec<DMatrix<f64>> = (0..25)
        .map(|_| {
            DMatrix::from_fn(3, 4, |i, j| {
                let magnitude = 10f64.powf(rng.random_range(-4.0..4.0));
                if (i, j) == (1, 2) { 0.0 } else if rng.random_range(0.0..1.0) < 0.5 { -magnitude } else { magnitude }
            })
        })
        .collect();
    for name in ISSUE_17 {
        let mut step = make17(name, (3, 4));
        let mut w = w0.clone();
        for g in &grads {
            step(&mut w.as_view_mut(), &g.as_view());
        }
        assert!(w.iter().all(|x| x.is_finite()), "{name}");
        assert!((&w - &w0).amax() > 0.0, "{name} did not move");
        match name {
            // ASGD shrinks every entry by 1 − λη each step (λ = 0.1 here).
            "asgd" => assert!(w[(1, 2)].abs() < w0[(1, 2)].abs() && w[(1, 2)] * w0[(1, 2)] > 0.0, "asgd"),
            // y = β₁x + (1 − β₁)z recomputed: the entry moves by rounding only.
            "schedule_free_adamw" => assert!((w[(1, 2)] - w0[(1, 2)]).abs() <= 1e-15, "{name}: {:e}", w[(1, 2)] - w0[(1, 2)]),
            _ => assert_eq!(w[(1, 2)], w0[(1, 2)], "{name} moved an entry whose gradient is always 0"),
        }
    }
}

#[test]
fn a_nan_gradient_shows_in_the_issue_17_methods() {
    let w0 = DMatrix::from_fn(4, 3, |i, j| 0.1 * (i * 3 + j) as f64 - 0.5);
    let mut g = DMatrix::from_fn(4, 3, |i, j| 0.3 * i as f64 - 0.2 * j as f64 + 0.05);
    g[(1, 2)] = f64::NAN;
    for name in ISSUE_17 {
        let mut step = make17(name, (4, 3));
        let mut w = w0.clone();
        step(&mut w.as_view_mut(), &g.as_view());
        step(&mut w.as_view_mut(), &g.as_view());
        assert!(w.iter().any(|x| x.is_nan()), "{name} hid a NaN gradient");
    }
}

#[test]
fn prodigy_goes_on_from_a_zero_gradient() {
    // optax divides 0 by 0 there (d becomes NaN); here d stays d0 and W stays put.
    let config = Prodigy::default();
    let mut state = config.init((2, 3));
    let w0 = DMatrix::from_fn(2, 3, |i, j| (i + j) as f64 * 0.5 - 1.0);
    let mut w = w0.clone();
    config.update(&mut w.as_view_mut(), &DMatrix::zeros(2, 3).as_view(), &mut state);
    assert_eq!((w.clone(), state.d), (w0.clone(), 1e-6));
    let g = DMatrix::from_fn(2, 3, |i, j| i as f64 - j as f64 + 0.5);
    for _ in 0..50 {
        let grad = &g + (&w - &w0) * 2.0;
        config.update(&mut w.as_view_mut(), &grad.as_view(), &mut state);
    }
    assert!(state.d.is_finite() && state.d > 1e-6, "d = {}", state.d);
    assert!(w.iter().all(|x| x.is_finite()));
}

#[test]
fn schedule_free_adamw_keeps_y_between_x_and_z() {
    let config = ScheduleFreeAdamw { learning_rate: 0.1, ..ScheduleFreeAdamw::default() };
    let mut state = config.init((2, 2));
    let mut w = DMatrix::from_row_slice(2, 2, &[1.0, -2.0, 0.5, 3.0]);
    for k in 0..10 {
        let g = w.map(|y| 2.0 * y) + DMatrix::from_element(2, 2, 0.1 * k as f64);
        config.update(&mut w.as_view_mut(), &g.as_view(), &mut state);
        let y = state.x() * 0.9 + state.z() * 0.1;
        assert!((&w - &y).amax() < 1e-14, "step {k}");
    }
    assert_eq!(state.t, 10);
}

#[test]
fn lbfgs_solves_a_quadratic_and_keeps_its_history_size() {
    // f(x) = ½ xᵀA x − bᵀx with A symmetric positive definite (condition about 30).
    let n = 5;
    let a = DMatrix::from_fn(n, n, |i, j| if i == j { 1.0 + 7.0 * i as f64 } else { 0.3 / (1.0 + (i as f64 - j as f64).abs()) });
    let b = nalgebra::DVector::from_fn(n, |i, _| i as f64 - 2.0);
    let solution = a.clone().cholesky().unwrap().solve(&b);
    let mut objective = |x: &[f64]| {
        let x = nalgebra::DVector::from_column_slice(x);
        let ax = &a * &x;
        (0.5 * x.dot(&ax) - b.dot(&x), (ax - &b).as_slice().to_vec())
    };
    for line_search in [LineSearch::None, LineSearch::StrongWolfe] {
        for history_size in [2, 100] {
            let config = Lbfgs { learning_rate: 1.0, history_size, line_search, tolerance_grad: 1e-12, tolerance_change: 1e-15 };
            config.validate().unwrap();
            let mut state = config.init(n);
            let mut x = vec![1.0; n];
            for _ in 0..300 {
                config.step(&mut x, &mut state, &mut objective);
                assert!(state.old_dirs.len() <= history_size && state.old_stps.len() == state.old_dirs.len());
            }
            // Within about 1e-7: torch keeps a pair only when yᵀs > 1e-10 (an absolute bound), so
            // once the steps are about 1e-6 long the history stops changing.
            let error = (nalgebra::DVector::from_column_slice(&x) - &solution).amax();
            assert!(error < 1e-6, "{line_search:?}, history {history_size}: off by {error:e}");
            // At the optimum a step evaluates once and stops.
            let (evals, t) = (state.func_evals, state.t);
            let before = x.clone();
            let config = Lbfgs { tolerance_grad: 1e-6, ..config };
            config.step(&mut x, &mut state, &mut objective);
            assert_eq!((x, state.func_evals, state.t), (before, evals + 1, t));
        }
    }
}
