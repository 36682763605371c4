//! Does a one-sided Jacobi SVD warm-started from the previous step's right singular vectors
//! converge "in a sweep or two" along an optimizer's path? (Issue 5 suggested it as the way to
//! a step cheaper than a cold SVD.) This measures it on real iterates.
//!
//! ```text
//! cargo run --release --example warm_jacobi                 # 30×30 default and 100×100 rank 5
//! cargo run --release --example warm_jacobi -- 100 5 2000   # rows = cols = 100, rank 5, |Ω| = 2000
//! ```
//!
//! For each problem it runs Adam (learning_rate 0.01) on the ratio penalty (λ = 0.01) from the
//! observations and, at a few steps t, takes the SVD of W_t by Hestenes' one-sided Jacobi
//! method (Hestenes 1958; the stopping rule of Demmel & Veselić 1992: rotate columns i, j while
//! |aᵢ·aⱼ| > tol·‖aᵢ‖‖aⱼ‖):
//! - **cold**: from V = I;
//! - **warm**: from V = V_{t−1}, the converged right singular vectors of W_{t−1}
//!   (A = W_t·V_{t−1} first, which costs one product).
//!
//! It prints sweeps and rotations for both, the flops of the rotations alone, in n × n products
//! (6·(m + n) flops per rotation, one product = 2·n³; the warm start adds its one product; the
//! dot products that decide each rotation are not counted, so these are lower bounds), and how
//! far the singular vectors moved in one step: the sine of the largest principal angle between
//! the top-r right singular subspaces of W_{t−1} and W_t, and, for the other (small) singular
//! values, the median over i > r of the largest |cos| between v_i of W_{t−1} and any small right
//! singular vector of W_t ("small kept": 1 when the vectors stayed, about 0.3 when they are new).

use mc_playground::config::Config;
use mc_playground::lab::Lab;
use nalgebra::DMatrix;

/// One-sided Jacobi on the columns of `a` (m × n), rotating `v` (n × n) alongside.
/// Returns (sweeps, rotations); after it `a = W·v` has orthogonal columns.
fn one_sided_jacobi(a: &mut DMatrix<f64>, v: &mut DMatrix<f64>, tol: f64) -> (usize, usize) {
    let n = a.ncols();
    let mut rotations = 0;
    for sweep in 1..=60 {
        let mut rotated = false;
        for i in 0..n {
            for j in i + 1..n {
                let (alpha, beta, gamma) = {
                    let (ci, cj) = (a.column(i), a.column(j));
                    (ci.norm_squared(), cj.norm_squared(), ci.dot(&cj))
                };
                if gamma.abs() <= tol * (alpha * beta).sqrt() || gamma == 0.0 {
                    continue;
                }
                rotated = true;
                rotations += 1;
                // The rotation that diagonalises [[α, γ], [γ, β]] (Rutishauser's formulas).
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let t = if zeta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                for mat in [&mut *a, &mut *v] {
                    for r in 0..mat.nrows() {
                        let (x, y) = (mat[(r, i)], mat[(r, j)]);
                        mat[(r, i)] = c * x - s * y;
                        mat[(r, j)] = s * x + c * y;
                    }
                }
            }
        }
        if !rotated {
            return (sweep, rotations);
        }
    }
    (usize::MAX, rotations)
}

/// Right singular vectors of `w` (columns, by descending singular value) from a converged
/// Jacobi `a = w·v`.
fn sorted_v(a: &DMatrix<f64>, v: &DMatrix<f64>) -> (Vec<f64>, DMatrix<f64>) {
    let norms: Vec<f64> = (0..a.ncols()).map(|j| a.column(j).norm()).collect();
    let mut order: Vec<usize> = (0..norms.len()).collect();
    order.sort_by(|&i, &j| norms[j].total_cmp(&norms[i]));
    let sigma = order.iter().map(|&j| norms[j]).collect();
    let v = DMatrix::from_fn(v.nrows(), v.ncols(), |r, c| v[(r, order[c])]);
    (sigma, v)
}

/// Sine of the largest principal angle between the column spans of `a` and `b` (orthonormal).
fn largest_angle_sine(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    let cosines = (a.transpose() * b).singular_values();
    let smallest = cosines.iter().copied().fold(f64::INFINITY, f64::min).min(1.0);
    (1.0 - smallest * smallest).max(0.0).sqrt()
}

fn rest_of(m: &DMatrix<f64>, r: usize) -> DMatrix<f64> {
    m.columns(r, m.ncols() - r).into_owned()
}

fn experiment(rows: usize, rank: usize, observed: usize) {
    let config = format!(
        r#"{{"problem": {{"rows": {rows}, "cols": {rows}, "rank": {rank}, "observed": {observed}, "noise": 0.0, "seed": 0}},
            "objective": {{"penalty": "ratio", "lambda": 0.01}},
            "optimizers": [{{"name": "adam", "learning_rate": 0.01}}], "steps": 3000}}"#
    );
    let config = Config::from_json(&config).expect("a valid config");
    let mut lab = Lab::new(config).expect("a lab");
    lab.set_recording(false);
    let n = rows;
    let product_flops = 2.0 * (n as f64).powi(3);
    let tol = 1e-10;
    println!("\n{n}×{n}, rank {rank}, |Ω| = {observed}: Adam (lr 0.01), ratio penalty (λ 0.01); Jacobi tol {tol:e}");
    println!(
        "{:>6} {:>10} {:>10} {:>11} {:>10} {:>11} {:>9} {:>9} {:>10} {:>10}",
        "step",
        "σ_r+1/σ_1",
        "cold swp",
        "cold rots",
        "warm swp",
        "warm rots",
        "cold prd",
        "warm prd",
        "sin top-r",
        "small kept"
    );
    let mut t = 0u64;
    for target in [1u64, 10, 100, 1000, 3000] {
        lab.step(target - 1 - t);
        let w_prev = lab.runs()[0].matrix().clone();
        lab.step(1);
        t = target;
        let w = lab.runs()[0].matrix().clone();
        // The previous iterate's converged right singular vectors.
        let (mut a_prev, mut v_prev) = (w_prev.clone(), DMatrix::identity(n, n));
        one_sided_jacobi(&mut a_prev, &mut v_prev, tol);
        let (_, v_prev) = sorted_v(&a_prev, &v_prev);
        // Cold.
        let (mut a, mut v) = (w.clone(), DMatrix::identity(n, n));
        let (cold_sweeps, cold_rots) = one_sided_jacobi(&mut a, &mut v, tol);
        let (sigma, v_now) = sorted_v(&a, &v);
        // Warm.
        let (mut a, mut v) = (&w * &v_prev, v_prev.clone());
        let (warm_sweeps, warm_rots) = one_sided_jacobi(&mut a, &mut v, tol);
        let rot_flops = 6.0 * (2 * n) as f64;
        let cold_products = cold_rots as f64 * rot_flops / product_flops;
        let warm_products = 1.0 + warm_rots as f64 * rot_flops / product_flops;
        let top = |m: &DMatrix<f64>| m.columns(0, rank).into_owned();
        let small_kept = {
            let overlaps = rest_of(&v_prev, rank).transpose() * rest_of(&v_now, rank);
            let mut best: Vec<f64> = overlaps
                .row_iter()
                .map(|r| r.iter().fold(0.0f64, |b, x| b.max(x.abs())))
                .collect();
            best.sort_by(f64::total_cmp);
            best[best.len() / 2]
        };
        println!(
            "{:>6} {:>10.1e} {:>10} {:>11} {:>10} {:>11} {:>9.1} {:>9.1} {:>10.1e} {:>10.2}",
            target,
            sigma[rank] / sigma[0],
            cold_sweeps,
            cold_rots,
            warm_sweeps,
            warm_rots,
            cold_products,
            warm_products,
            largest_angle_sine(&top(&v_prev), &top(&v_now)),
            small_kept,
        );
    }
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    match args.as_slice() {
        [rows, rank, observed] => experiment(*rows, *rank, *observed),
        _ => {
            experiment(30, 2, 300);
            experiment(100, 5, 2000);
        }
    }
}
