//! The catalog's `equivariant` flags, checked: for every gradient method of the catalog (at its
//! defaults), on random orthogonal U, V, a random W₀ and random gradients G₁, …, G₈, stepping
//! U W₀ Vᵀ with U Gₖ Vᵀ gives U·(the plain run)·Vᵀ to 1e-10 relative when the method says it is
//! equivariant, and differs by more than 1e-6 in some case when it says it is not.
//!
//! Spectral descent and Shampoo get well-conditioned gradients sharing their singular vectors
//! (as tests/methods_next.rs explains: their rounding grows with the conditioning of G, and
//! Shampoo's sums of G Gᵀ square it).

use mc_playground::catalog::CATALOG;
use mc_playground::method::Method;
use nalgebra::DMatrix;

/// Steps per run: enough for RAdam to leave its first, momentum-only steps (ρₜ ≤ 5 up to t = 5).
const STEPS: usize = 8;

/// A small deterministic generator (SplitMix64) of numbers in [−1, 1).
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
    fn matrix(&mut self, m: usize, n: usize) -> DMatrix<f64> {
        DMatrix::from_fn(m, n, |_, _| self.next())
    }
    /// Q of the QR factorisation of a random k × k matrix plus 2·I (safely invertible).
    fn orthogonal(&mut self, k: usize) -> DMatrix<f64> {
        (self.matrix(k, k) + DMatrix::identity(k, k) * 2.0).qr().q()
    }
    /// `STEPS` m × n matrices P·diag(s)·Qᵀ sharing random orthonormal P, Q, s in [½, 1].
    fn conditioned(&mut self, m: usize, n: usize) -> Vec<DMatrix<f64>> {
        let r = m.min(n);
        let (p, q) = (self.orthogonal(m), self.orthogonal(n));
        (0..STEPS)
            .map(|_| {
                let s = DMatrix::from_diagonal(&nalgebra::DVector::from_fn(r, |_, _| 0.75 + 0.25 * self.next()));
                p.columns(0, r) * s * q.columns(0, r).transpose()
            })
            .collect()
    }
}

/// W after each step of `method` from `w0` with `grads` (m × n, through the `Method` interface).
fn run(method: &dyn Method, w0: &DMatrix<f64>, grads: &[DMatrix<f64>]) -> Vec<DMatrix<f64>> {
    let shapes = [w0.shape()];
    let mut state = method.init_state(&shapes);
    let mut w = w0.clone();
    grads
        .iter()
        .map(|g| {
            method.update(w.as_mut_slice(), g.as_slice(), &shapes, state.as_mut());
            w.clone()
        })
        .collect()
}

/// The largest gap, over the steps, between the rotated run and the rotation of the plain run,
/// relative to the larger of 1 and the largest |entry|.
fn rotation_gap(method: &dyn Method, w0: &DMatrix<f64>, grads: &[DMatrix<f64>], u: &DMatrix<f64>, v: &DMatrix<f64>) -> f64 {
    let rotate = |a: &DMatrix<f64>| u * a * v.transpose();
    let plain = run(method, w0, grads);
    let rotated = run(method, &rotate(w0), &grads.iter().map(rotate).collect::<Vec<_>>());
    plain.iter().zip(&rotated).map(|(p, r)| (r - rotate(p)).amax() / r.amax().max(1.0)).fold(0.0, f64::max)
}

#[test]
fn the_catalog_says_which_methods_commute_with_rotations() {
    let mut numbers = Numbers(16);
    let mut checked = 0;
    for entry in CATALOG {
        let method = (entry.default)();
        if method.is_solver() {
            continue;
        }
        let name = entry.meta.name;
        let conditioned_only = ["spectral_descent", "shampoo"].contains(&name);
        let mut largest = 0.0f64;
        for case in 0..24 {
            let (m, n) = (2 + case % 5, 2 + (case / 5) % 5);
            let (u, v) = (numbers.orthogonal(m), numbers.orthogonal(n));
            let w0 = numbers.matrix(m, n);
            let grads = if conditioned_only || case % 2 == 0 {
                numbers.conditioned(m, n)
            } else {
                (0..STEPS).map(|_| numbers.matrix(m, n)).collect()
            };
            let gap = rotation_gap(method.as_ref(), &w0, &grads, &u, &v);
            if entry.meta.equivariant {
                assert!(gap <= 1e-10, "{name} is marked equivariant, but a rotated {m}×{n} run is off by {gap:e}");
            }
            largest = largest.max(gap);
        }
        if !entry.meta.equivariant {
            assert!(largest > 1e-6, "{name} is marked not equivariant, but every rotated run agrees (to {largest:e})");
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} gradient methods in the catalog");
}
