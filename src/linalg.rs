//! The step's dense linear algebra in plain Rust: a thin SVD (Golub–Kahan bidiagonalisation
//! and implicit-shift QR) and the kernels it is made of (dot product, axpy, matrix product,
//! sequences of plane rotations).
//!
//! Why not nalgebra's SVD (still [`crate::objective::Svd::of`], the reference the tests compare
//! with): the step needs the SVD of the iterate every time, and nalgebra's accumulates both
//! sets of singular vectors by rotating rows of Vᵀ one pair at a time (strided, allocating).
//! Here only the *smaller* side's vectors are accumulated, the rotations of a QR sweep are
//! applied to them in one pass (a wavefront over blocks of rows), and the other side comes
//! from one matrix product, U = A·V·Σ⁻¹. About 14·n³ flops for an n × n matrix instead of
//! about 20·n³, with no allocation once the [`SvdWorkspace`] has grown to the size.
//!
//! **Same bits everywhere.** Every sum here has a fixed order that does not depend on the
//! target: dot products keep eight partial sums combined in a fixed tree, matrix products add
//! the terms of each entry in order of the inner index, and Rust never fuses a multiply and
//! an add by itself. The compiler vectorises across the independent lanes (SSE2/AVX natively,
//! `simd128` in WebAssembly) without reordering any sum, so the native command line and the
//! page compute the same numbers. No `libm`/platform maths is used (only `sqrt`, which IEEE 754
//! rounds exactly).
//!
//! Why not a warm-started Jacobi SVD: measured on the default experiment, reusing the previous
//! step's right singular vectors saves few Jacobi rotations (8 to 11 sweeps instead of 10 to 16
//! at 30×30 and 100×100): after a few steps all but the top r singular values are 1e-2 to 1e-4
//! while an Adam step moves W by 0.03 to 1 in Frobenius norm, so the small singular vectors
//! are new at every step, and a Jacobi sweep (≈ 7·n³ flops) costs half a bidiagonal SVD.

use nalgebra::DMatrix;

/// Two f64 lanes: SSE2 on x86-64 (always present), `simd128` in WebAssembly when the module
/// is built with it, plain arrays elsewhere. Only lane-wise IEEE operations (add, sub, mul),
/// so every implementation gives the same bits.
mod f2 {
    // SAFETY (every `unsafe` below): SSE2 is part of the x86-64 baseline, so these intrinsics
    // are always available; loads and stores go through slices of at least two f64.
    #[cfg(target_arch = "x86_64")]
    #[allow(clippy::undocumented_unsafe_blocks)]
    mod imp {
        use core::arch::x86_64::*;
        #[derive(Clone, Copy)]
        pub struct F2(__m128d);
        impl F2 {
            #[inline(always)]
            pub fn zero() -> F2 {
                F2(unsafe { _mm_setzero_pd() })
            }
            #[inline(always)]
            pub fn splat(x: f64) -> F2 {
                F2(unsafe { _mm_set1_pd(x) })
            }
            /// The first two entries of `s`.
            #[inline(always)]
            pub fn load(s: &[f64]) -> F2 {
                let s = &s[..2];
                // SAFETY: `s` has two readable f64; unaligned load.
                F2(unsafe { _mm_loadu_pd(s.as_ptr()) })
            }
            /// Into the first two entries of `s`.
            #[inline(always)]
            pub fn store(self, s: &mut [f64]) {
                let s = &mut s[..2];
                // SAFETY: `s` has two writable f64; unaligned store.
                unsafe { _mm_storeu_pd(s.as_mut_ptr(), self.0) }
            }
            #[inline(always)]
            pub fn add(self, o: F2) -> F2 {
                F2(unsafe { _mm_add_pd(self.0, o.0) })
            }
            #[inline(always)]
            pub fn sub(self, o: F2) -> F2 {
                F2(unsafe { _mm_sub_pd(self.0, o.0) })
            }
            #[inline(always)]
            pub fn mul(self, o: F2) -> F2 {
                F2(unsafe { _mm_mul_pd(self.0, o.0) })
            }
            #[inline(always)]
            pub fn lanes(self) -> [f64; 2] {
                let mut out = [0.0; 2];
                self.store(&mut out);
                out
            }
        }
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    mod imp {
        use core::arch::wasm32::*;
        #[derive(Clone, Copy)]
        pub struct F2(v128);
        impl F2 {
            #[inline(always)]
            pub fn zero() -> F2 {
                F2(f64x2_splat(0.0))
            }
            #[inline(always)]
            pub fn splat(x: f64) -> F2 {
                F2(f64x2_splat(x))
            }
            #[inline(always)]
            pub fn load(s: &[f64]) -> F2 {
                let s = &s[..2];
                // SAFETY: `s` has two readable f64 (16 bytes); v128 loads need no alignment.
                F2(unsafe { v128_load(s.as_ptr() as *const v128) })
            }
            #[inline(always)]
            pub fn store(self, s: &mut [f64]) {
                let s = &mut s[..2];
                // SAFETY: `s` has two writable f64 (16 bytes); v128 stores need no alignment.
                unsafe { v128_store(s.as_mut_ptr() as *mut v128, self.0) }
            }
            #[inline(always)]
            pub fn add(self, o: F2) -> F2 {
                F2(f64x2_add(self.0, o.0))
            }
            #[inline(always)]
            pub fn sub(self, o: F2) -> F2 {
                F2(f64x2_sub(self.0, o.0))
            }
            #[inline(always)]
            pub fn mul(self, o: F2) -> F2 {
                F2(f64x2_mul(self.0, o.0))
            }
            #[inline(always)]
            pub fn lanes(self) -> [f64; 2] {
                [f64x2_extract_lane::<0>(self.0), f64x2_extract_lane::<1>(self.0)]
            }
        }
    }

    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
    mod imp {
        #[derive(Clone, Copy)]
        pub struct F2([f64; 2]);
        impl F2 {
            #[inline(always)]
            pub fn zero() -> F2 {
                F2([0.0; 2])
            }
            #[inline(always)]
            pub fn splat(x: f64) -> F2 {
                F2([x; 2])
            }
            #[inline(always)]
            pub fn load(s: &[f64]) -> F2 {
                F2([s[0], s[1]])
            }
            #[inline(always)]
            pub fn store(self, s: &mut [f64]) {
                s[..2].copy_from_slice(&self.0);
            }
            #[inline(always)]
            pub fn add(self, o: F2) -> F2 {
                F2([self.0[0] + o.0[0], self.0[1] + o.0[1]])
            }
            #[inline(always)]
            pub fn sub(self, o: F2) -> F2 {
                F2([self.0[0] - o.0[0], self.0[1] - o.0[1]])
            }
            #[inline(always)]
            pub fn mul(self, o: F2) -> F2 {
                F2([self.0[0] * o.0[0], self.0[1] * o.0[1]])
            }
            #[inline(always)]
            pub fn lanes(self) -> [f64; 2] {
                self.0
            }
        }
    }

    pub use imp::F2;
}

use f2::F2;

/// x·y over the common length: eight partial sums (four two-lane accumulators) over blocks
/// of eight, combined in a fixed tree, then the remainder in order (the same bits on every
/// target).
#[inline]
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let (mut a0, mut a1, mut a2, mut a3) = (F2::zero(), F2::zero(), F2::zero(), F2::zero());
    let mut xc = x.chunks_exact(8);
    let mut yc = y.chunks_exact(8);
    for (xs, ys) in (&mut xc).zip(&mut yc) {
        a0 = a0.add(F2::load(&xs[0..]).mul(F2::load(&ys[0..])));
        a1 = a1.add(F2::load(&xs[2..]).mul(F2::load(&ys[2..])));
        a2 = a2.add(F2::load(&xs[4..]).mul(F2::load(&ys[4..])));
        a3 = a3.add(F2::load(&xs[6..]).mul(F2::load(&ys[6..])));
    }
    let t = a0.add(a2).add(a1.add(a3)).lanes();
    let mut s = t[0] + t[1];
    for (a, b) in xc.remainder().iter().zip(yc.remainder()) {
        s += a * b;
    }
    s
}

/// y ← y + a·x over the common length.
#[inline]
pub fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &mut y[..n]);
    let av = F2::splat(a);
    let mut yc = y.chunks_exact_mut(4);
    let mut xc = x.chunks_exact(4);
    for (ys, xs) in (&mut yc).zip(&mut xc) {
        F2::load(&ys[0..]).add(av.mul(F2::load(&xs[0..]))).store(&mut ys[0..]);
        F2::load(&ys[2..]).add(av.mul(F2::load(&xs[2..]))).store(&mut ys[2..]);
    }
    for (yi, xi) in yc.into_remainder().iter_mut().zip(xc.remainder()) {
        *yi += a * xi;
    }
}

/// Rows per block of the matrix product (two lanes × two registers).
const MR: usize = 4;
/// Columns per block of the matrix product.
const NR: usize = 4;

/// C ← A·B, all column-major: A is m × k (leading dimension `lda`), B is k × n (`ldb`),
/// C is m × n (`ldc`). Each entry is Σ_l A[i,l]·B[l,j] summed in order of l, whatever the
/// blocking, so the result does not depend on the target.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn gemm(c: &mut [f64], ldc: usize, a: &[f64], lda: usize, b: &[f64], ldb: usize, m: usize, n: usize, k: usize) {
    let mut j0 = 0;
    while j0 < n {
        let nj = NR.min(n - j0);
        let mut i0 = 0;
        while i0 < m {
            let mi = MR.min(m - i0);
            if mi == MR && nj == NR {
                let mut acc = [[F2::zero(); 2]; NR];
                let (b0, b1, b2, b3) = (&b[j0 * ldb..], &b[(j0 + 1) * ldb..], &b[(j0 + 2) * ldb..], &b[(j0 + 3) * ldb..]);
                for l in 0..k {
                    let a_col = &a[l * lda + i0..l * lda + i0 + MR];
                    let (x0, x1) = (F2::load(&a_col[0..]), F2::load(&a_col[2..]));
                    let bs = [F2::splat(b0[l]), F2::splat(b1[l]), F2::splat(b2[l]), F2::splat(b3[l])];
                    for jj in 0..NR {
                        acc[jj][0] = acc[jj][0].add(x0.mul(bs[jj]));
                        acc[jj][1] = acc[jj][1].add(x1.mul(bs[jj]));
                    }
                }
                for (jj, acc) in acc.iter().enumerate() {
                    let out = &mut c[(j0 + jj) * ldc + i0..(j0 + jj) * ldc + i0 + MR];
                    acc[0].store(&mut out[0..]);
                    acc[1].store(&mut out[2..]);
                }
            } else {
                for jj in 0..nj {
                    let bj = &b[(j0 + jj) * ldb..];
                    for r in 0..mi {
                        let mut s = 0.0;
                        for l in 0..k {
                            s += a[l * lda + i0 + r] * bj[l];
                        }
                        c[(j0 + jj) * ldc + i0 + r] = s;
                    }
                }
            }
            i0 += mi;
        }
        j0 += nj;
    }
}

/// Rows per block of the rotation wavefront (two lanes × four registers).
const WR: usize = 8;

/// Applies the plane rotations of one QR sweep to columns `lo..=lo + cs.len()/2` of the
/// column-major `rows × _` matrix `v`: for t = 0, 1, …, with (c, s) = (cs[2t], cs[2t+1]) and
/// k = lo + t, (v_k, v_{k+1}) ← (c·v_k + s·v_{k+1}, −s·v_k + c·v_{k+1}), in that order.
/// Rows are processed in blocks of eight, each block walking the whole sequence with the
/// running column held in registers (one load and one store per entry and rotation).
#[inline(never)]
pub fn rotate_columns(v: &mut [f64], ld: usize, rows: usize, lo: usize, cs: &[f64]) {
    let count = cs.len() / 2;
    if count == 0 {
        return;
    }
    let cs = &cs[..2 * count];
    let cols = &mut v[lo * ld..(lo + count + 1) * ld];
    let mut i0 = 0;
    while i0 + WR <= rows {
        let first = &cols[i0..i0 + WR];
        let mut x = [F2::load(&first[0..]), F2::load(&first[2..]), F2::load(&first[4..]), F2::load(&first[6..])];
        for (t, pair) in cs.chunks_exact(2).enumerate() {
            let (c, s) = (F2::splat(pair[0]), F2::splat(pair[1]));
            let (left, right) = cols.split_at_mut((t + 1) * ld);
            let out = &mut left[t * ld + i0..t * ld + i0 + WR];
            let y = &right[i0..i0 + WR];
            for r in 0..WR / 2 {
                let yr = F2::load(&y[2 * r..]);
                c.mul(x[r]).add(s.mul(yr)).store(&mut out[2 * r..]);
                x[r] = c.mul(yr).sub(s.mul(x[r]));
            }
        }
        let last = &mut cols[count * ld + i0..count * ld + i0 + WR];
        for (r, xr) in x.iter().enumerate() {
            xr.store(&mut last[2 * r..]);
        }
        i0 += WR;
    }
    for i in i0..rows {
        let mut x = cols[i];
        for (t, pair) in cs.chunks_exact(2).enumerate() {
            let (c, s) = (pair[0], pair[1]);
            let y = cols[(t + 1) * ld + i];
            cols[t * ld + i] = c * x + s * y;
            x = c * y - s * x;
        }
        cols[count * ld + i] = x;
    }
}

/// (c, s, r) with c·f + s·g = r, −s·f + c·g = 0, r = √(f² + g²) (or r = f when g = 0).
#[inline]
fn givens(f: f64, g: f64) -> (f64, f64, f64) {
    if g == 0.0 {
        (1.0, 0.0, f)
    } else if f == 0.0 {
        (0.0, 1.0, g)
    } else {
        let r = (f * f + g * g).sqrt();
        let inv = 1.0 / r;
        (f * inv, g * inv, r)
    }
}

/// The Householder reflector H = I − τ·v·vᵀ (v₀ = 1) with H·x = (β, 0, …, 0), as LAPACK's
/// `dlarfg`: on return x = (β, v₁, v₂, …); returns τ (0 when x is already of that form).
fn householder(x: &mut [f64]) -> f64 {
    let alpha = x[0];
    let tail = dot(&x[1..], &x[1..]);
    if tail == 0.0 {
        return 0.0;
    }
    let norm = (alpha * alpha + tail).sqrt();
    let beta = if alpha >= 0.0 { -norm } else { norm };
    let tau = (beta - alpha) / beta;
    let scale = 1.0 / (alpha - beta);
    for xi in x[1..].iter_mut() {
        *xi *= scale;
    }
    x[0] = beta;
    tau
}

/// The eigenvalue of the symmetric [[a, b], [b, c]] nearer to c (Wilkinson's shift).
#[inline]
fn wilkinson_shift(a: f64, c: f64, b: f64) -> f64 {
    let b2 = b * b;
    if b2 == 0.0 {
        return c;
    }
    let delta = 0.5 * (a - c);
    let sign = if delta >= 0.0 { 1.0 } else { -1.0 };
    c - b2 / (delta + sign * (delta * delta + b2).sqrt())
}

/// Buffers of [`svd_into`], grown on first use and reused (no allocation afterwards at a
/// fixed size).
#[derive(Debug, Clone, Default)]
pub struct SvdWorkspace {
    /// The scaled input A (p × q, p ≥ q: W or Wᵀ), kept for U = A·V·Σ⁻¹.
    a: Vec<f64>,
    /// Working copy, bidiagonalised in place (right reflectors stored in its rows).
    b: Vec<f64>,
    /// Right singular vectors of A (q × q).
    v: Vec<f64>,
    /// V with its columns in descending order of σ (q × q).
    v_sorted: Vec<f64>,
    /// Left singular vectors of A (p × q).
    u: Vec<f64>,
    d: Vec<f64>,
    e: Vec<f64>,
    tau: Vec<f64>,
    tmp: Vec<f64>,
    tmp2: Vec<f64>,
    rot: Vec<f64>,
    rot2: Vec<f64>,
    order: Vec<usize>,
    /// QR sweeps of the last decomposition (for tests and benchmarks).
    pub sweeps: usize,
}

impl SvdWorkspace {
    pub fn new() -> SvdWorkspace {
        SvdWorkspace::default()
    }
}

fn resize(buf: &mut Vec<f64>, len: usize) {
    buf.clear();
    buf.resize(len, 0.0);
}

/// Thin SVD W = U·diag(σ)·Vᵀ of the m × n `w` into `u` (m × k), `sigma` (k, descending,
/// ≥ 0) and `v_t` (k × n), k = min(m, n), reusing their storage when the shapes already fit.
/// Returns false (outputs unspecified) when `w` is empty or has a non-finite entry, or the QR
/// iteration does not converge; callers then fall back to [`crate::objective::Svd::of`].
///
/// Accuracy: backward stable like nalgebra's (σ to about ε·σ₁ absolute); U is orthonormal to
/// about ε·σ₁/σ_k (its columns come from A·v/σ; columns whose σ is below 1e-6·σ₁ are
/// re-orthogonalised, and those at or below the numerical-rank threshold σ₁·max(m, n)·ε are
/// replaced by an orthonormal completion).
pub fn svd_into(
    w: &DMatrix<f64>,
    ws: &mut SvdWorkspace,
    u_out: &mut DMatrix<f64>,
    sigma: &mut nalgebra::DVector<f64>,
    v_t: &mut DMatrix<f64>,
) -> bool {
    let (m, n) = w.shape();
    if m == 0 || n == 0 {
        return false;
    }
    let trans = m < n;
    let (p, q) = if trans { (n, m) } else { (m, n) };
    let mut maxabs = 0.0f64;
    for &x in w.iter() {
        if !x.is_finite() {
            return false;
        }
        maxabs = maxabs.max(x.abs());
    }
    if maxabs == 0.0 {
        return false;
    }
    // Scale by a power of two (exact) so the largest entry is in [1, 2).
    let (_, exp) = libm::frexp(maxabs);
    let scale = libm::ldexp(1.0, 1 - exp);

    resize(&mut ws.a, p * q);
    let src = w.as_slice();
    if trans {
        // A = Wᵀ (n × m): A[i, j] = W[j, i].
        for j in 0..q {
            for i in 0..p {
                ws.a[j * p + i] = src[i * m + j] * scale;
            }
        }
    } else {
        for (a, &x) in ws.a.iter_mut().zip(src) {
            *a = x * scale;
        }
    }
    ws.b.clear();
    ws.b.extend_from_slice(&ws.a);
    resize(&mut ws.d, q);
    resize(&mut ws.e, q.saturating_sub(1));
    resize(&mut ws.tau, q);
    resize(&mut ws.tmp, p.max(q));
    resize(&mut ws.tmp2, p);

    bidiagonalize(&mut ws.b, p, q, &mut ws.d, &mut ws.e, &mut ws.tau, &mut ws.tmp, &mut ws.tmp2);
    form_right_vectors(&ws.b, p, q, &ws.tau, &mut ws.v, &mut ws.tmp);
    match bidiagonal_qr(&mut ws.d, &mut ws.e, &mut ws.v, q, &mut ws.rot, &mut ws.rot2) {
        Some(sweeps) => ws.sweeps = sweeps,
        None => return false,
    }

    // Non-negative singular values, then descending order.
    for (i, di) in ws.d.iter_mut().enumerate() {
        if *di < 0.0 {
            *di = -*di;
            for x in ws.v[i * q..(i + 1) * q].iter_mut() {
                *x = -*x;
            }
        }
    }
    ws.order.clear();
    ws.order.extend(0..q);
    let d = &ws.d;
    ws.order.sort_by(|&i, &j| d[j].partial_cmp(&d[i]).unwrap_or(std::cmp::Ordering::Equal).then(i.cmp(&j)));
    resize(&mut ws.v_sorted, q * q);
    for (l, &src_col) in ws.order.iter().enumerate() {
        ws.v_sorted[l * q..(l + 1) * q].copy_from_slice(&ws.v[src_col * q..(src_col + 1) * q]);
    }
    for (l, &src_col) in ws.order.iter().enumerate() {
        ws.tmp[l] = ws.d[src_col];
    }
    ws.d[..q].copy_from_slice(&ws.tmp[..q]);

    // U = A·V·Σ⁻¹ (p × q).
    resize(&mut ws.u, p * q);
    gemm(&mut ws.u, p, &ws.a, p, &ws.v_sorted, q, p, q, q);
    let top = ws.d[0];
    let rank_tol = top * (p as f64) * f64::EPSILON;
    let reortho_tol = top * 1e-6;
    for l in 0..q {
        let s = ws.d[l];
        let (done, rest) = ws.u.split_at_mut(l * p);
        let col = &mut rest[..p];
        if s > rank_tol {
            let inv = 1.0 / s;
            for x in col.iter_mut() {
                *x *= inv;
            }
            if s < reortho_tol {
                orthonormalize_against(col, done, p);
            }
        } else {
            complete_column(col, done, p);
        }
    }

    // Outputs, in W's orientation; σ back to W's scale.
    let k = q;
    if sigma.len() != k {
        *sigma = nalgebra::DVector::zeros(k);
    }
    for (s, &x) in sigma.iter_mut().zip(&ws.d) {
        *s = x / scale;
    }
    if u_out.shape() != (m, k) {
        *u_out = DMatrix::zeros(m, k);
    }
    if v_t.shape() != (k, n) {
        *v_t = DMatrix::zeros(k, n);
    }
    if trans {
        // W = Aᵀ = V_A·Σ·U_Aᵀ: u = V_A (m × m), v_t = U_Aᵀ (m × n).
        u_out.as_mut_slice().copy_from_slice(&ws.v_sorted);
        let vt = v_t.as_mut_slice();
        for l in 0..k {
            for j in 0..n {
                vt[j * k + l] = ws.u[l * p + j];
            }
        }
    } else {
        u_out.as_mut_slice().copy_from_slice(&ws.u);
        let vt = v_t.as_mut_slice();
        for l in 0..k {
            for j in 0..n {
                vt[j * k + l] = ws.v_sorted[l * q + j];
            }
        }
    }
    true
}

/// Makes `col` orthogonal to the `done.len() / p` columns before it (two Gram–Schmidt passes)
/// and of unit norm; completes the basis instead if little is left.
fn orthonormalize_against(col: &mut [f64], done: &[f64], p: usize) {
    for _ in 0..2 {
        for prev in done.chunks_exact(p) {
            let c = dot(prev, col);
            axpy(col, -c, prev);
        }
    }
    let norm = dot(col, col).sqrt();
    if norm > 0.5 {
        let inv = 1.0 / norm;
        for x in col.iter_mut() {
            *x *= inv;
        }
    } else {
        complete_column(col, done, p);
    }
}

/// A unit vector orthogonal to the columns in `done`: the first unit vector e_i whose
/// component outside their span is largest than 1/2 (there is one when fewer than p are done).
fn complete_column(col: &mut [f64], done: &[f64], p: usize) {
    for i in 0..p {
        col.fill(0.0);
        col[i] = 1.0;
        for _ in 0..2 {
            for prev in done.chunks_exact(p) {
                let c = dot(prev, col);
                axpy(col, -c, prev);
            }
        }
        let norm = dot(col, col).sqrt();
        if norm > 0.5 {
            let inv = 1.0 / norm;
            for x in col.iter_mut() {
                *x *= inv;
            }
            return;
        }
    }
}

/// Householder reduction of the column-major p × q `b` (p ≥ q) to upper bidiagonal form
/// B = Lᵀ·A·G: diagonal `d` (q), superdiagonal `e` (q − 1). The right reflectors' vectors
/// stay in the rows of `b` (row k, columns k+2.., with a unit at k+1) and their τ in `tau`;
/// the left reflectors are not kept (U is recovered from A·V).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn bidiagonalize(b: &mut [f64], p: usize, q: usize, d: &mut [f64], e: &mut [f64], tau: &mut [f64], tmp: &mut [f64], w: &mut [f64]) {
    for k in 0..q {
        // Left reflector: zero b[k+1.., k].
        let (left, right) = b.split_at_mut((k + 1) * p);
        let col = &mut left[k * p + k..k * p + p];
        let t = householder(col);
        d[k] = col[0];
        if t != 0.0 {
            let v = &col[1..];
            for cj in right.chunks_exact_mut(p) {
                let cj = &mut cj[k..];
                let s = t * (cj[0] + dot(v, &cj[1..]));
                cj[0] -= s;
                axpy(&mut cj[1..], -s, v);
            }
        }
        if k + 1 >= q {
            tau[k] = 0.0;
            continue;
        }
        // Right reflector: zero b[k, k+2..].
        let len = q - k - 1;
        let row = &mut tmp[..len];
        for (t, j) in row.iter_mut().zip(k + 1..q) {
            *t = b[j * p + k];
        }
        let t = householder(row);
        e[k] = row[0];
        tau[k] = t;
        for (t, j) in row.iter().zip(k + 1..q) {
            b[j * p + k] = *t;
        }
        if t != 0.0 && k + 1 < p {
            // b[k+1.., k+1..] ← b[k+1.., k+1..]·(I − τ u uᵀ), u = (1, row[1..]).
            let w = &mut w[..p - k - 1];
            w.fill(0.0);
            for (idx, j) in (k + 1..q).enumerate() {
                let uj = if idx == 0 { 1.0 } else { row[idx] };
                axpy(w, uj, &b[j * p + k + 1..j * p + p]);
            }
            for (idx, j) in (k + 1..q).enumerate() {
                let uj = if idx == 0 { 1.0 } else { row[idx] };
                axpy(&mut b[j * p + k + 1..j * p + p], -t * uj, w);
            }
        }
    }
}

/// G = H₀·H₁···H_{q−2} (q × q) from the right reflectors that [`bidiagonalize`] left in `b`.
#[inline(never)]
fn form_right_vectors(b: &[f64], p: usize, q: usize, tau: &[f64], v: &mut Vec<f64>, tmp: &mut [f64]) {
    resize(v, q * q);
    for i in 0..q {
        v[i * q + i] = 1.0;
    }
    for k in (0..q.saturating_sub(1)).rev() {
        let t = tau[k];
        if t == 0.0 {
            continue;
        }
        let len = q - k - 1;
        let u = &mut tmp[..len];
        u[0] = 1.0;
        for (idx, j) in (k + 2..q).enumerate() {
            u[idx + 1] = b[j * p + k];
        }
        for j in k + 1..q {
            let col = &mut v[j * q + k + 1..(j + 1) * q];
            let s = t * dot(u, col);
            axpy(col, -s, u);
        }
    }
}

/// Implicit-shift QR (Golub–Kahan steps with Wilkinson's shift) on the upper bidiagonal
/// (d, e) until e = 0, applying the right rotations to the columns of the q × q `v`.
/// Returns the number of QR sweeps, or `None` if it does not converge.
#[inline(never)]
fn bidiagonal_qr(d: &mut [f64], e: &mut [f64], v: &mut [f64], q: usize, rot: &mut Vec<f64>, rot2: &mut Vec<f64>) -> Option<usize> {
    if q <= 1 {
        return Some(0);
    }
    rot2.clear();
    let mut pending = Pending { lo: 0, cs: rot2, next: 0 };
    let bnorm = d.iter().chain(e.iter()).fold(0.0f64, |a, &x| a.max(x.abs()));
    let rel = 4.0 * f64::EPSILON;
    let abs_tol = f64::EPSILON * bnorm;
    let negligible = |ei: f64, da: f64, db: f64| ei.abs() <= rel * (da.abs() + db.abs()) || ei.abs() <= abs_tol;
    let max_sweeps = 60 * q;
    let mut sweeps = 0;
    let mut hi = q - 1;
    while hi > 0 {
        if negligible(e[hi - 1], d[hi - 1], d[hi]) {
            e[hi - 1] = 0.0;
            hi -= 1;
            continue;
        }
        let mut lo = hi - 1;
        while lo > 0 {
            if negligible(e[lo - 1], d[lo - 1], d[lo]) {
                e[lo - 1] = 0.0;
                break;
            }
            lo -= 1;
        }
        // A zero on the diagonal splits the block: chase its row's superdiagonal out.
        if d[hi].abs() <= abs_tol {
            pending.flush(v, q);
            d[hi] = 0.0;
            // Right rotations on columns (j, hi), j = hi−1 … lo.
            let mut f = e[hi - 1];
            e[hi - 1] = 0.0;
            for j in (lo..hi).rev() {
                let (c, s, r) = givens(d[j], f);
                d[j] = r;
                if j > lo {
                    f = -s * e[j - 1];
                    e[j - 1] *= c;
                }
                rotate_pair(v, q, j, hi, c, s);
            }
            continue;
        }
        if let Some(i) = (lo..hi).find(|&i| d[i].abs() <= abs_tol) {
            d[i] = 0.0;
            // Left rotations on rows (i, j), j = i+1 … hi (U is not accumulated).
            let mut f = e[i];
            e[i] = 0.0;
            for j in i + 1..=hi {
                let (c, s, r) = givens(d[j], f);
                d[j] = r;
                if j < hi {
                    f = -s * e[j];
                    e[j] *= c;
                }
            }
            continue;
        }
        // One Golub–Kahan step on the block lo..=hi, with Wilkinson's shift (the eigenvalue
        // of the trailing 2 × 2 of BᵀB on the block nearer its last diagonal entry). The
        // chase is a chain of dependent square roots and divisions; the previous sweep's
        // rotations, which only touch V, are applied to V meanwhile, one per position, so
        // that the processor overlaps the two (each row of V sees the sweeps in order).
        sweeps += 1;
        let (a, b, c) = (d[hi - 1], e[hi - 1], d[hi]);
        let ep = if hi - 1 > lo { e[hi - 2] } else { 0.0 };
        let mu = wilkinson_shift(a * a + ep * ep, c * c + b * b, a * b);
        let (mut y, mut z) = (d[lo] * d[lo] - mu, d[lo] * e[lo]);
        rot.clear();
        for k in lo..hi {
            (y, z) = chase_at(d, e, k, lo, hi, y, z, rot);
            pending.apply_next(v, q);
        }
        pending.flush(v, q);
        pending.set(lo, rot);
        if sweeps > max_sweeps {
            return None;
        }
    }
    pending.flush(v, q);
    Some(sweeps)
}

/// The rotations of the last QR sweep, not yet applied to V.
struct Pending<'a> {
    lo: usize,
    cs: &'a mut Vec<f64>,
    next: usize,
}

impl Pending<'_> {
    /// Applies the next pending rotation (if any) to its pair of columns.
    #[inline(always)]
    fn apply_next(&mut self, v: &mut [f64], q: usize) {
        if 2 * self.next < self.cs.len() {
            let (c, s) = (self.cs[2 * self.next], self.cs[2 * self.next + 1]);
            let k = self.lo + self.next;
            rotate_pair(v, q, k, k + 1, c, s);
            self.next += 1;
        }
    }

    /// Applies every pending rotation.
    fn flush(&mut self, v: &mut [f64], q: usize) {
        let rest = &self.cs[2 * self.next..];
        if !rest.is_empty() {
            rotate_columns(v, q, q, self.lo + self.next, rest);
        }
        self.cs.clear();
        self.next = 0;
    }

    /// Makes `rot` (this sweep's rotations, from column `lo`) the pending ones; `rot` is left
    /// empty (the buffers swap).
    fn set(&mut self, lo: usize, rot: &mut Vec<f64>) {
        debug_assert!(self.cs.is_empty());
        std::mem::swap(self.cs, rot);
        self.lo = lo;
        self.next = 0;
    }
}

/// Position k of a Golub–Kahan step on the block lo..=hi: the right rotation that zeroes z
/// against y (the first column of BᵀB − μI at k = lo, else the bulge at (k−1, k+1)), recorded
/// in `rot` for V, then the left rotation that zeroes the bulge it makes at (k+1, k). Returns
/// the next (y, z).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn chase_at(d: &mut [f64], e: &mut [f64], k: usize, lo: usize, hi: usize, y: f64, z: f64, rot: &mut Vec<f64>) -> (f64, f64) {
    let (c, s, r) = givens(y, z);
    if k > lo {
        e[k - 1] = r;
    }
    let (dk, ek) = (d[k], e[k]);
    d[k] = c * dk + s * ek;
    e[k] = c * ek - s * dk;
    let bulge = s * d[k + 1];
    d[k + 1] *= c;
    rot.push(c);
    rot.push(s);
    let (c, s, r) = givens(d[k], bulge);
    d[k] = r;
    let (ek, dk1) = (e[k], d[k + 1]);
    e[k] = c * ek + s * dk1;
    d[k + 1] = c * dk1 - s * ek;
    if k + 1 < hi {
        let z = s * e[k + 1];
        e[k + 1] *= c;
        (e[k], z)
    } else {
        (0.0, 0.0)
    }
}

/// (v_i, v_j) ← (c·v_i + s·v_j, −s·v_i + c·v_j) on columns i ≠ j of the column-major `v`.
#[inline]
fn rotate_pair(v: &mut [f64], ld: usize, i: usize, j: usize, c: f64, s: f64) {
    let (lo, hi) = if i < j { (i, j) } else { (j, i) };
    let (first, second) = v.split_at_mut(hi * ld);
    let (x_lo, x_hi) = (&mut first[lo * ld..lo * ld + ld], &mut second[..ld]);
    let (xi, xj) = if i < j { (x_lo, x_hi) } else { (x_hi, x_lo) };
    for (a, b) in xi.iter_mut().zip(xj.iter_mut()) {
        let (x, y) = (*a, *b);
        *a = c * x + s * y;
        *b = c * y - s * x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg_matrix(m: usize, n: usize, seed: u64) -> DMatrix<f64> {
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        DMatrix::from_fn(m, n, |_, _| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        })
    }

    #[test]
    fn gemm_matches_nalgebra() {
        for (m, n, k) in [(1, 1, 1), (9, 5, 7), (16, 8, 3), (30, 30, 30), (13, 17, 1)] {
            let a = lcg_matrix(m, k, 1);
            let b = lcg_matrix(k, n, 2);
            let mut c = DMatrix::zeros(m, n);
            gemm(c.as_mut_slice(), m, a.as_slice(), m, b.as_slice(), k, m, n, k);
            assert!((&c - &a * &b).norm() < 1e-13 * (1.0 + c.norm()));
        }
    }

    #[test]
    fn dot_is_exact_on_integers() {
        let x: Vec<f64> = (0..37).map(|i| i as f64).collect();
        let y: Vec<f64> = (0..37).map(|i| (i % 5) as f64).collect();
        let want: f64 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
        assert_eq!(dot(&x, &y), want);
    }
}
