//! The step's SVD ([`Svd::fast`], this crate's Golub–Kahan in `src/linalg.rs`) against the
//! reference, nalgebra's ([`Svd::of`]).
//!
//! Singular vectors are defined only up to sign (and rotation within repeated singular
//! values), so what is compared is what the step uses: the singular values and the polar
//! factor U₊V₊ᵀ (the gradient of the nuclear norm), plus the properties of a decomposition
//! (W = UΣVᵀ, orthonormal U and V).
//!
//! Tolerances. Both algorithms are backward stable: each computes the exact SVD of W + δW with
//! ‖δW‖ ≤ c·max(m, n)·ε·‖W‖₂. Hence |σᵢ − σ̂ᵢ| ≤ ‖δW‖₂ (Weyl), and the polar factor moves by at
//! most about 2‖δW‖_F/(σ_r + σ_{r−1}) (its condition number; Higham, *Functions of Matrices*,
//! §8.1), r the numerical rank. The tests use c = 100 and, for the polar factor,
//! tol = 2·100·max(m, n)·ε·σ₁·√r / σ_r. Along real runs the gradient differs only through
//! that factor and Σσ, scaled by λ/‖W‖_F.
//!
//! Whole runs cannot be compared digit by digit (Adam's paths are chaotic: a difference of
//! 1e-15 grows to 1e-3 within a few hundred steps), so they are compared by outcome, and their
//! first 30 steps to 1e-9 (as the page is compared with the command line).

use mc_playground::config::{Config, Penalty};
use mc_playground::linalg::SvdWorkspace;
use mc_playground::metrics::{effective_rank, test_error};
use mc_playground::linalg::Svd;
use mc_playground::objective::Objective;
use mc_playground::problem::{rng_for, Problem};
use mc_playground::Lab;
use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use rand_distr::StandardNormal;

const EPS: f64 = f64::EPSILON;

fn gaussian(m: usize, n: usize, seed: u64) -> DMatrix<f64> {
    let mut rng = rng_for(seed, 11);
    DMatrix::from_fn(m, n, |_, _| rng.sample::<f64, _>(StandardNormal))
}

/// Q·diag(σ)·Rᵀ with Q, R orthonormal (from QR of Gaussian matrices) and the given σ.
fn with_singular_values(m: usize, n: usize, sigma: &[f64], seed: u64) -> DMatrix<f64> {
    let k = m.min(n);
    let q = gaussian(m, k, seed).qr().q();
    let r = gaussian(n, k, seed + 1).qr().q();
    &q * DMatrix::from_diagonal(&DVector::from_column_slice(&sigma[..k])) * r.transpose()
}

/// A table of matrices: (name, W).
fn table() -> Vec<(String, DMatrix<f64>)> {
    let mut out = Vec::new();
    let shapes = [(1, 1), (1, 7), (7, 1), (2, 2), (3, 5), (5, 3), (10, 10), (12, 20), (20, 12), (30, 30), (31, 65), (64, 64), (100, 100)];
    for (s, &(m, n)) in shapes.iter().enumerate() {
        let k = m.min(n);
        out.push((format!("gaussian {m}×{n}"), gaussian(m, n, s as u64)));
        if k >= 4 {
            // Exactly low rank (rank 2): the last singular values are rounding noise.
            let low = gaussian(m, 2, 50 + s as u64) * gaussian(2, n, 60 + s as u64);
            out.push((format!("rank 2 {m}×{n}"), low));
            // Graded: σ from 1 down to 1e-9.
            let graded: Vec<f64> = (0..k).map(|i| 10f64.powf(-9.0 * i as f64 / (k - 1) as f64)).collect();
            out.push((format!("graded {m}×{n}"), with_singular_values(m, n, &graded, 70 + s as u64)));
            // Clustered: pairs that differ by 1e-10 relative, and an exactly repeated value.
            let clustered: Vec<f64> = (0..k).map(|i| if i < 3 { 2.0 } else { 1.0 + (i / 2) as f64 * 0.1 + (i % 2) as f64 * 1e-10 }).collect();
            out.push((format!("clustered {m}×{n}"), with_singular_values(m, n, &clustered, 80 + s as u64)));
        }
    }
    out.push(("identity 8×8".into(), DMatrix::identity(8, 8)));
    out
}

fn orthonormality_error(q: &DMatrix<f64>) -> f64 {
    (q.transpose() * q - DMatrix::identity(q.ncols(), q.ncols())).amax()
}

/// The backward error of a decomposition: ‖W − UΣVᵀ‖_F plus the departures of U and V from
/// orthonormality, entry (i, j) of UᵀU − I weighted by min(σᵢ, σⱼ): about how far from W is a
/// matrix of which it is an exact SVD (orthonormalising the columns in order moves the one
/// with the smaller σ, and W by that σ times the move).
fn backward_error(w: &DMatrix<f64>, svd: &Svd) -> f64 {
    let s = &svd.singular_values;
    let k = s.len();
    let recon = (&svd.u * DMatrix::from_diagonal(s) * &svd.v_t - w).norm();
    let weighted = |g: DMatrix<f64>| DMatrix::from_fn(k, k, |i, j| (g[(i, j)] - if i == j { 1.0 } else { 0.0 }) * s[i].min(s[j])).norm();
    recon + weighted(svd.u.transpose() * &svd.u) + weighted(&svd.v_t * svd.v_t.transpose())
}

/// The polar factor of a square nonsingular W by Newton's iteration X ← (μX + (μX)⁻ᵀ)/2 with
/// Frobenius-norm scaling (Higham 1986): an independent check, accurate for moderate κ.
fn newton_polar(w: &DMatrix<f64>) -> DMatrix<f64> {
    let mut x = w.clone();
    for _ in 0..100 {
        let inv_t = x.clone().try_inverse().expect("nonsingular").transpose();
        let mu = (inv_t.norm() / x.norm()).sqrt();
        let next = (&x * mu + inv_t / mu) * 0.5;
        let change = (&next - &x).norm();
        x = next;
        if change <= 1e-15 * x.norm() {
            break;
        }
    }
    x
}

#[test]
fn the_fast_svd_matches_the_reference_on_a_table_of_matrices() {
    let mut worst = Vec::new();
    for (name, w) in table() {
        let (m, n) = w.shape();
        let k = m.min(n);
        let fast = Svd::fast(&w).unwrap_or_else(|| panic!("{name}: no SVD"));
        let reference = Svd::of(&w).unwrap();
        assert_eq!(fast.u.shape(), (m, k), "{name}");
        assert_eq!(fast.v_t.shape(), (k, n), "{name}");
        let s = &fast.singular_values;
        assert!(s.iter().all(|&x| x >= 0.0) && s.as_slice().windows(2).all(|p| p[0] >= p[1]), "{name}: σ not sorted: {s}");
        let s1 = s[0];
        let c = 100.0 * m.max(n) as f64 * EPS;
        let (be_fast, be_ref) = (backward_error(&w, &fast), backward_error(&w, &reference));
        // Ours is backward stable; nalgebra's is not always (dimforge/nalgebra#1172: with
        // vectors, exactly rank-deficient inputs can come back wrong), which is reported.
        assert!(be_fast <= c * w.norm(), "{name}: backward error {be_fast:e}");
        if be_ref > c * w.norm() {
            eprintln!("{name}: the reference's backward error is {:.1e}·‖W‖ (ours {:.1e})", be_ref / w.norm(), be_fast / w.norm());
        }
        // Weyl: the two σ differ by at most the sum of the backward errors; Σσ² = ‖W‖_F² checks ours alone.
        let ds = (s - &reference.singular_values).amax();
        assert!(ds <= 2.0 * (be_fast + be_ref) + c * s1, "{name}: σ differ by {ds:e} (σ₁ = {s1:e})");
        let sum_sq: f64 = s.iter().map(|x| x * x).sum();
        assert!((sum_sq - w.norm_squared()).abs() <= c * w.norm_squared(), "{name}: Σσ² = {sum_sq:e}, ‖W‖² = {:e}", w.norm_squared());
        let recon = (&fast.u * DMatrix::from_diagonal(s) * &fast.v_t - &w).norm();
        assert!(recon <= c * w.norm(), "{name}: ‖W − UΣVᵀ‖ = {recon:e}");
        // The smaller side's vectors are accumulated orthogonal transformations (orthonormal to
        // about ε); the other side's come from W·v/σ (U) or Wᵀ·u/σ (V, for a wide W):
        // orthonormal to about ε·σ₁/σ (and re-orthogonalised below 1e-6·σ₁).
        let (ou, ov) = (orthonormality_error(&fast.u), orthonormality_error(&fast.v_t.transpose()));
        let sk = s.iter().copied().filter(|&x| x > 1e-6 * s1).fold(f64::INFINITY, f64::min);
        assert!(ou.min(ov) <= c, "{name}: UᵀU − I = {ou:e}, VᵀV − I = {ov:e}");
        assert!(ou.max(ov) <= c * (s1 / sk).max(1.0), "{name}: UᵀU − I = {ou:e}, VᵀV − I = {ov:e}");
        // The polar factor over the numerical rank r moves by at most about 2‖δW‖_F/(σ_r + σ_{r+1})
        // ... for backward errors δW: those measured for each decomposition.
        let r = fast.numerical_rank();
        if be_ref <= c * w.norm() {
            assert_eq!(reference.numerical_rank(), r, "{name}: numerical ranks differ");
        }
        if r > 0 {
            let sr = s[r - 1];
            let tol = 10.0 * 2.0 * (be_fast + be_ref) / sr;
            let dq = (fast.polar_factor() - reference.polar_factor()).norm();
            assert!(dq <= tol, "{name}: polar factors differ by {dq:e} > {tol:e}");
            worst.push((if tol > 0.0 { dq / tol } else { 0.0 }, name.clone()));
            // An independent reference where one is cheap and accurate: Newton's iteration.
            if m == n && r == k && s1 / sr < 1e3 {
                let dn = (fast.polar_factor() - newton_polar(&w)).norm();
                assert!(dn <= 2.0 * c * s1 * (k as f64).sqrt() / sr, "{name}: polar factor differs from Newton's by {dn:e}");
            }
        }
    }
    worst.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap());
    eprintln!("largest polar-factor differences, as a fraction of the tolerance: {:?}", &worst[..3]);
}

/// This crate's SVD alone (`Svd::fast` falls back to nalgebra's natively when it fails).
fn ours(w: &DMatrix<f64>, out: &mut Svd, ws: &mut SvdWorkspace) -> bool {
    mc_playground::linalg::svd_into(w, ws, &mut out.u, &mut out.singular_values, &mut out.v_t)
}

#[test]
fn the_fast_svd_handles_the_edge_cases() {
    // The zero matrix: every σ is 0 and the vectors still orthonormal (the identity's columns).
    let z = Svd::fast(&DMatrix::zeros(4, 3)).unwrap();
    assert!(z.singular_values.iter().all(|&s| s == 0.0));
    assert!(orthonormality_error(&z.u) < 1e-14 && orthonormality_error(&z.v_t.transpose()) < 1e-14);
    assert_eq!(z.numerical_rank(), 0);
    // Non-finite entries: no SVD (the run then stops, as with the reference).
    let mut bad = gaussian(5, 5, 1);
    bad[(2, 3)] = f64::NAN;
    assert!(Svd::fast(&bad).is_none() && Svd::of(&bad).is_none());
    bad[(2, 3)] = f64::INFINITY;
    assert!(Svd::fast(&bad).is_none());
    // Scaling is exact (by powers of two): σ(2³·W) = 2³·σ(W) to the last bit.
    let w = gaussian(7, 5, 2);
    let a = Svd::fast(&w).unwrap();
    let b = Svd::fast(&(&w * 8.0)).unwrap();
    assert_eq!(b.singular_values, &a.singular_values * 8.0);
    // Extreme scales (where squares under- or overflow): the same decomposition, scaled.
    for (scale, w) in [(1e-200, gaussian(9, 6, 90)), (1e200, gaussian(6, 9, 91))] {
        let plain = Svd::fast(&w).unwrap();
        let scaled = Svd::fast(&(&w * scale)).unwrap();
        let ds = (&scaled.singular_values / scale - &plain.singular_values).amax();
        assert!(ds <= 1e-14 * plain.singular_values[0], "scale {scale:e}: σ differ by {ds:e}");
        assert!((scaled.polar_factor() - plain.polar_factor()).amax() <= 1e-13, "scale {scale:e}");
    }
    // Subnormal entries (a CSV of 5e-324, 1e-310): the power of two that scales them up is not
    // a double; this SVD must not fail (in WebAssembly nothing falls back to nalgebra's).
    let mut tiny_ws = SvdWorkspace::new();
    for (scale, w) in [(1e-310, gaussian(6, 4, 92)), (1e-320, gaussian(4, 6, 93))] {
        let plain = Svd::fast(&w).unwrap();
        let mut scaled = Svd::empty();
        assert!(ours(&(&w * scale), &mut scaled, &mut tiny_ws), "scale {scale:e}");
        let ds = (&scaled.singular_values / scale - &plain.singular_values).amax();
        assert!(ds <= 1e-3 * plain.singular_values[0], "scale {scale:e}: σ differ by {ds:e}");
    }
    let mut least = Svd::empty();
    assert!(ours(&DMatrix::from_row_slice(2, 2, &[5e-324, 0.0, 0.0, 0.0]), &mut least, &mut tiny_ws));
    assert_eq!(least.singular_values.as_slice(), &[5e-324, 0.0]);
    // A rank-deficient matrix gets an orthonormal completion of U.
    let low = gaussian(12, 1, 3) * gaussian(1, 9, 4);
    let f = Svd::fast(&low).unwrap();
    assert_eq!(f.numerical_rank(), 1);
    assert!(orthonormality_error(&f.u) < 1e-13, "{}", orthonormality_error(&f.u));
    // Also when almost every column is a completion (the truth of a big low-rank problem):
    // past three quarters of them no unit vector is half outside the span of the others.
    for (m, n, r) in [(40, 40, 1), (60, 45, 2), (45, 60, 2)] {
        let low = gaussian(m, r, 7) * gaussian(r, n, 8);
        let f = Svd::fast(&low).unwrap();
        assert_eq!(f.numerical_rank(), r);
        let (ou, ov) = (orthonormality_error(&f.u), orthonormality_error(&f.v_t.transpose()));
        assert!(ou < 1e-13 && ov < 1e-13, "{m}×{n} rank {r}: U {ou:e}, V {ov:e}");
        assert!((&f.u * DMatrix::from_diagonal(&f.singular_values) * &f.v_t - &low).amax() < 1e-12 * low.amax());
    }
    // Reusing the storage gives the same result as a fresh decomposition, whatever was there.
    let mut reused = Svd::fast(&gaussian(30, 30, 5)).unwrap();
    let mut ws = SvdWorkspace::new();
    assert!(reused.fast_into(&gaussian(30, 30, 6), &mut ws));
    assert!(reused.fast_into(&w, &mut ws));
    assert_eq!((reused.u, reused.singular_values, reused.v_t), (a.u, a.singular_values, a.v_t));
}

/// ‖∇f_fast − ∇f_ref‖_F and its tolerance at W (see the module's doc).
fn gradient_difference(obj: &Objective, p: &Problem, w: &DMatrix<f64>) -> (f64, f64) {
    let fast = Svd::fast(w).unwrap();
    let reference = Svd::of(w).unwrap();
    let g_fast = obj.gradient(p, w, &fast);
    let g_ref = obj.gradient(p, w, &reference);
    let (m, n) = w.shape();
    let k = m.min(n);
    let s1 = reference.singular_values[0];
    let r = reference.numerical_rank();
    let sr = reference.singular_values[r - 1];
    let c = 100.0 * m.max(n) as f64 * EPS;
    let fro = w.norm();
    let polar_tol = 2.0 * c * s1 * (r as f64).sqrt() / sr;
    let nuclear_tol = k as f64 * c * s1;
    let penalty_scale = match obj.penalty {
        Penalty::Ratio => 1.0 / fro,
        _ => 1.0,
    };
    let tol = obj.scale * obj.lambda * penalty_scale * (polar_tol + nuclear_tol * penalty_scale);
    ((g_fast - g_ref).norm(), tol)
}

#[test]
fn gradients_agree_with_the_reference_at_every_step_of_runs() {
    let configs = [
        // The default experiment's problem, Adam and GD (GD stays near its start, Adam leaves it).
        r#"{"optimizers": [{"name": "adam", "learning_rate": 0.01}, {"name": "gd", "learning_rate": 0.01}]}"#,
        // Wide (m < n), nuclear norm, a Gaussian start.
        r#"{"problem": {"rows": 12, "cols": 20, "rank": 3, "observed": 100, "noise": 0.1, "seed": 7},
            "model": {"init": "gaussian", "init_scale": 0.1}, "objective": {"penalty": "nuclear", "lambda": 0.05},
            "optimizers": [{"name": "adam", "learning_rate": 0.01}]}"#,
        // Tall (m > n), bigger, RMSProp.
        r#"{"problem": {"rows": 64, "cols": 40, "rank": 3, "observed": 900, "seed": 2},
            "optimizers": [{"name": "rmsprop", "learning_rate": 0.01}]}"#,
    ];
    for text in configs {
        let mut lab = Lab::from_json(text).unwrap();
        lab.set_recording(false);
        let p = lab.problem().clone();
        let obj = *lab.objective();
        let mut worst: f64 = 0.0;
        for step in 0..300 {
            for run in lab.runs() {
                let (diff, tol) = gradient_difference(&obj, &p, run.matrix());
                assert!(diff <= tol, "step {step}, {}: gradients differ by {diff:e} > {tol:e}", run.optimizer().name());
                worst = worst.max(diff / tol);
                let (f_fast, f_ref) = (obj.value(&p, run.matrix(), &Svd::fast(run.matrix()).unwrap()), obj.value(&p, run.matrix(), &Svd::of(run.matrix()).unwrap()));
                assert!((f_fast - f_ref).abs() <= 1e-12 * f_ref.abs(), "step {step}: f {f_fast} vs {f_ref}");
            }
            lab.step(1);
        }
        eprintln!("largest gradient difference over 300 steps, as a fraction of the tolerance: {worst:.1e}");
    }
}

/// The straightforward step, written out: nalgebra's SVD, the gradient, the optimizer's update.
fn reference_run(config: &Config, run: usize, steps: u64, check_at: u64) -> (DMatrix<f64>, DMatrix<f64>) {
    let p = Problem::new(&config.problem);
    let obj = Objective::from(&config.objective);
    let opt = &config.optimizers[run];
    let mut w = p.observations.clone();
    let mut state = opt.init_state(&[w.shape()]);
    let mut early = w.clone();
    for t in 0..steps {
        if t == check_at {
            early = w.clone();
        }
        let svd = Svd::of(&w).unwrap();
        let g = obj.gradient(&p, &w, &svd);
        opt.update(w.as_mut_slice(), g.as_slice(), &[(p.shape())], state.as_mut());
    }
    (early, w)
}

#[test]
fn whole_runs_reach_the_reference_outcomes() {
    // The default experiment's recovering methods, on several seeds: the first 30 steps agree
    // to 1e-9, and after 3000 steps both paths have recovered W* alike.
    for seed in [0u64, 1, 2] {
        let mut config = Config::default();
        config.problem.seed = seed;
        config.optimizers.retain(|o| matches!(o.name(), "adam" | "rmsprop"));
        let mut lab = Lab::new(config.clone()).unwrap();
        lab.set_recording(false);
        lab.step(30);
        let early_fast: Vec<_> = lab.runs().iter().map(|r| r.matrix().clone()).collect();
        lab.step(config.steps - 30);
        for (i, run) in lab.runs().iter().enumerate() {
            let (early_ref, last_ref) = reference_run(&config, i, config.steps, 30);
            let name = run.optimizer().name();
            let rel = (&early_fast[i] - &early_ref).norm() / early_ref.norm();
            assert!(rel <= 1e-9, "seed {seed}, {name}: after 30 steps the paths differ by {rel:e}");
            let p = lab.problem();
            let te_ref = test_error(p, &last_ref);
            let er_ref = effective_rank(Svd::of(&last_ref).unwrap().singular_values.as_slice());
            let (te, er) = (run.metrics().test_error, run.metrics().effective_rank);
            assert!(te < 0.05 && te_ref < 0.05, "seed {seed}, {name}: test error {te} (reference {te_ref})");
            assert!((te - te_ref).abs() <= 0.2 * te_ref, "seed {seed}, {name}: test error {te} vs reference {te_ref}");
            assert!((er - er_ref).abs() <= 0.1, "seed {seed}, {name}: effective rank {er} vs reference {er_ref}");
        }
    }
}

#[test]
fn the_angle_to_the_truth_uses_a_correct_svd_of_the_truth() {
    // W* has rank 2 exactly; nalgebra's SVD with vectors is wrong for seeds 1 and 7 of the
    // default experiment (reconstruction errors of 5% and 11%), which made Adam's final
    // `subspace_angle_truth` 0.098 and 0.131 where the truth is 0.014 and 0.007.
    for seed in [1u64, 7] {
        let mut config = Config::default();
        config.problem.seed = seed;
        config.optimizers.retain(|o| o.name() == "adam");
        let mut lab = Lab::new(config).unwrap();
        lab.set_recording(false);
        lab.step(3000);
        let angle = lab.runs()[0].metrics().subspace_angle_truth;
        assert!(angle < 0.03, "seed {seed}: Adam recovers W* (test error {}) but its angle to W*'s span is {angle}", lab.runs()[0].metrics().test_error);
    }
}
