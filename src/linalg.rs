//! The step's dense linear algebra in plain Rust: a thin SVD (Golub–Kahan bidiagonalisation
//! and implicit-shift QR) and the kernels it is made of (dot product, axpy, matrix product,
//! sequences of plane rotations).
//!
//! Why not nalgebra's SVD (still [`Svd::of`], the reference the tests compare
//! with): the step needs the SVD of the iterate every time, and nalgebra's accumulates both
//! sets of singular vectors by rotating rows of Vᵀ one pair at a time (strided, allocating).
//! Here only the *smaller* side's vectors are accumulated, the rotations of a QR sweep are
//! applied to them in one pass (a wavefront over blocks of rows), and the other side comes
//! from one matrix product, U = A·V·Σ⁻¹. About 10.5·n³ flops for an n × n matrix (and 2·n³
//! more for the gradient's U₊V₊ᵀ) instead of about 20·n³, with no allocation once the
//! [`SvdWorkspace`] has grown to the size. The QR chase, a chain of dependent square roots and
//! divisions, is overlapped with the previous sweep's rotations of V.
//!
//! **Same bits everywhere.** Every sum here has a fixed order that does not depend on the
//! target: dot products keep eight partial sums combined in a fixed tree, matrix products add
//! the terms of each entry in order of the inner index, and nothing fuses a multiply and an
//! add. The kernels use explicit vectors of two f64 lanes (SSE2, `simd128` in WebAssembly) or,
//! natively when the processor has AVX, four, with lane-wise operations only, so the command
//! line and the page compute the same numbers (compared in `tests/e2e/native_vs_wasm.test.mjs`).
//! No `libm`/platform maths is used (only `sqrt`, which IEEE 754 rounds exactly).
//!
//! Why not a warm-started Jacobi SVD: measured on the default experiment, reusing the previous
//! step's right singular vectors saves few Jacobi rotations (6 to 11 sweeps instead of 10 to 16
//! at 30×30 and 100×100, even at a tolerance of 1e-8): after a few steps all but the top r
//! singular values are 1e-2 to 1e-4 while an Adam step moves W by 0.03 to 1 in Frobenius
//! norm, so the small singular vectors are new at every step, and a Jacobi sweep (≈ 7·n³
//! flops) costs two thirds of this whole SVD.
//!
//! Tried and measured slower here: fusing the bidiagonalisation's passes per column, "fast"
//! (scaled) Givens rotations (their extra divisions compete with the chase's), forming V
//! during the chase, two QR sweeps chased together with both shifts of the trailing 2 × 2
//! (more sweeps), AVX-512 (0–9 % at n ≤ 100: not worth raising the MSRV to 1.89), forming V
//! blocked as I − Y·T·Yᵀ (LAPACK's `dlarft`/`dlarfb`; 2–14 % slower at n ≤ 100, where V fits
//! in the caches and a reflector applied column by column is as fast as a product).

use nalgebra::{DMatrix, DVector};

/// Vectors of f64 lanes for the kernels below. Only lane-wise IEEE operations (add, sub,
/// mul; never a fused multiply-add), so every width gives the same bits; sums across lanes
/// are written out in a fixed order by the kernels.
///
/// - [`F2`], two lanes: SSE2 on x86-64 (always there), `simd128` in WebAssembly when the
///   module is built with it (it is: `.cargo/config.toml`), plain arrays elsewhere;
/// - `F4`, four lanes (AVX), x86-64 only, used when the processor has it (detected at run
///   time; see [`svd_into`] and [`gemm`]). (Eight lanes, AVX-512F, measured 0–9 % faster at
///   n ≤ 100 on this machine's Zen 5: not worth raising the crate's MSRV to 1.89.)
mod simd {
    pub trait Lanes: Copy {
        const N: usize;
        fn zero() -> Self;
        fn splat(x: f64) -> Self;
        /// The first N entries of `s`.
        fn load(s: &[f64]) -> Self;
        /// Into the first N entries of `s`.
        fn store(self, s: &mut [f64]);
        fn add(self, o: Self) -> Self;
        fn sub(self, o: Self) -> Self;
        fn mul(self, o: Self) -> Self;
    }

    // SAFETY (every `unsafe` in this module): the intrinsics used are those of SSE2 (part of
    // the x86-64 baseline), of AVX, whose type is only used inside functions compiled with
    // those features and called after run-time detection (see `svd_into`), or of `simd128`
    // (the module is built with it); loads and stores go through slices of at least N f64
    // (checked by slicing), and none of them needs alignment.

    /// `impl Lanes` for a wrapper `$name` around the vector type `$ty` of `$n` lanes, from the
    /// platform's intrinsics: `$zero` and `$splat(x)` make a vector, `$load(p)`/`$store(p, v)`
    /// read and write `$n` f64 at `p` (unaligned), `$add`, `$sub`, `$mul` work lane-wise.
    macro_rules! lanes {
        ($name:ident($ty:ty), $n:expr, zero: $zero:expr, splat: $splat:path,
         load: |$p:ident| $load:expr, store: |$q:ident, $v:ident| $store:expr, $add:path, $sub:path, $mul:path) => {
            #[derive(Clone, Copy)]
            pub struct $name($ty);
            #[allow(unused_unsafe, clippy::undocumented_unsafe_blocks)]
            impl Lanes for $name {
                const N: usize = $n;
                #[inline(always)]
                fn zero() -> $name {
                    $name(unsafe { $zero })
                }
                #[inline(always)]
                fn splat(x: f64) -> $name {
                    $name(unsafe { $splat(x) })
                }
                #[inline(always)]
                fn load(s: &[f64]) -> $name {
                    let $p = s[..$n].as_ptr();
                    $name(unsafe { $load })
                }
                #[inline(always)]
                fn store(self, s: &mut [f64]) {
                    let ($q, $v) = (s[..$n].as_mut_ptr(), self.0);
                    unsafe { $store }
                }
                #[inline(always)]
                fn add(self, o: $name) -> $name {
                    $name(unsafe { $add(self.0, o.0) })
                }
                #[inline(always)]
                fn sub(self, o: $name) -> $name {
                    $name(unsafe { $sub(self.0, o.0) })
                }
                #[inline(always)]
                fn mul(self, o: $name) -> $name {
                    $name(unsafe { $mul(self.0, o.0) })
                }
            }
        };
    }

    #[cfg(target_arch = "x86_64")]
    mod imp {
        use super::Lanes;
        use core::arch::x86_64::*;

        lanes!(F2(__m128d), 2, zero: _mm_setzero_pd(), splat: _mm_set1_pd,
            load: |p| _mm_loadu_pd(p), store: |p, v| _mm_storeu_pd(p, v), _mm_add_pd, _mm_sub_pd, _mm_mul_pd);
        lanes!(F4(__m256d), 4, zero: _mm256_setzero_pd(), splat: _mm256_set1_pd,
            load: |p| _mm256_loadu_pd(p), store: |p, v| _mm256_storeu_pd(p, v), _mm256_add_pd, _mm256_sub_pd, _mm256_mul_pd);
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    mod imp {
        use super::Lanes;
        use core::arch::wasm32::*;

        // v128 loads and stores need no alignment.
        lanes!(F2(v128), 2, zero: f64x2_splat(0.0), splat: f64x2_splat,
            load: |p| v128_load(p as *const v128), store: |p, v| v128_store(p as *mut v128, v), f64x2_add, f64x2_sub, f64x2_mul);
    }

    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
    mod imp {
        use super::Lanes;

        #[derive(Clone, Copy)]
        pub struct F2([f64; 2]);
        impl Lanes for F2 {
            const N: usize = 2;
            #[inline(always)]
            fn zero() -> F2 {
                F2([0.0; 2])
            }
            #[inline(always)]
            fn splat(x: f64) -> F2 {
                F2([x; 2])
            }
            #[inline(always)]
            fn load(s: &[f64]) -> F2 {
                F2([s[0], s[1]])
            }
            #[inline(always)]
            fn store(self, s: &mut [f64]) {
                s[..2].copy_from_slice(&self.0);
            }
            #[inline(always)]
            fn add(self, o: F2) -> F2 {
                F2([self.0[0] + o.0[0], self.0[1] + o.0[1]])
            }
            #[inline(always)]
            fn sub(self, o: F2) -> F2 {
                F2([self.0[0] - o.0[0], self.0[1] - o.0[1]])
            }
            #[inline(always)]
            fn mul(self, o: F2) -> F2 {
                F2([self.0[0] * o.0[0], self.0[1] * o.0[1]])
            }
        }
    }

    pub use imp::*;
}

use simd::{Lanes, F2};
#[cfg(target_arch = "x86_64")]
use simd::F4;

/// The widest vectors this processor has (x86-64: decided once, at run time).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Width {
    Two,
    #[cfg(target_arch = "x86_64")]
    Four,
}

/// The widest available, capped by the environment variable `MCP_SIMD_WIDTH` (2 or 4; for
/// measuring the two-lane path natively, as in WebAssembly). The results do not depend on it,
/// only the speed.
#[inline]
fn width() -> Width {
    #[cfg(target_arch = "x86_64")]
    {
        static WIDTH: std::sync::OnceLock<Width> = std::sync::OnceLock::new();
        *WIDTH.get_or_init(|| {
            let cap: u32 = std::env::var("MCP_SIMD_WIDTH").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
            if cap >= 4 && std::is_x86_feature_detected!("avx") {
                Width::Four
            } else {
                Width::Two
            }
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    Width::Two
}

/// The vector width the kernels use here, in f64 lanes (2 or 4).
pub fn vector_width() -> usize {
    match width() {
        Width::Two => 2,
        #[cfg(target_arch = "x86_64")]
        Width::Four => 4,
    }
}

/// Runs `$body` (a generic expression in `$V: Lanes`) with the widest vectors available,
/// compiled for them (`#[target_feature]`) on x86-64.
macro_rules! dispatch {
    (fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty, $V:ident => $body:expr) => {{
        #[cfg(target_arch = "x86_64")]
        {
            /// # Safety
            /// The processor must have AVX.
            #[target_feature(enable = "avx")]
            unsafe fn four($($arg: $ty),*) -> $ret {
                type $V = F4;
                $body
            }
            if width() == Width::Four {
                // SAFETY: the processor has AVX (detected by `width`).
                return unsafe { four($($arg),*) };
            }
        }
        {
            type $V = F2;
            $body
        }
    }};
}

/// x·y over the common length: eight partial sums (element i into sum i mod 8) combined in a
/// fixed tree, then the remainder in order: the same bits with any vector width.
#[inline(always)]
fn dot_v<V: Lanes>(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let m = 8 / V::N;
    let mut acc = [V::zero(); 4];
    let mut xc = x.chunks_exact(8);
    let mut yc = y.chunks_exact(8);
    for (xs, ys) in (&mut xc).zip(&mut yc) {
        for r in 0..m {
            acc[r] = acc[r].add(V::load(&xs[r * V::N..]).mul(V::load(&ys[r * V::N..])));
        }
    }
    let mut p = [0.0f64; 8];
    for r in 0..m {
        acc[r].store(&mut p[r * V::N..]);
    }
    let mut s = ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
    for (a, b) in xc.remainder().iter().zip(yc.remainder()) {
        s += a * b;
    }
    s
}

/// y ← y + a·x over the common length.
#[inline(always)]
fn axpy_v<V: Lanes>(y: &mut [f64], a: f64, x: &[f64]) {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &mut y[..n]);
    let av = V::splat(a);
    let mut yc = y.chunks_exact_mut(V::N);
    let mut xc = x.chunks_exact(V::N);
    for (ys, xs) in (&mut yc).zip(&mut xc) {
        V::load(ys).add(av.mul(V::load(xs))).store(ys);
    }
    for (yi, xi) in yc.into_remainder().iter_mut().zip(xc.remainder()) {
        *yi += a * xi;
    }
}

/// x·y (see [`dot_v`]; two lanes).
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    dot_v::<F2>(x, y)
}

/// Columns per block of the matrix product.
const NR: usize = 4;

/// Rows i0..i0+R·N of C's columns j0..j0+nj (nj ≤ 4), R vectors of V at a time:
/// C[i, j] = Σ_l A[i, l]·B[l, j] in order of l.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn gemm_block<V: Lanes, const R: usize>(c: &mut [f64], ldc: usize, a: &[f64], lda: usize, b: &[f64], ldb: usize, i0: usize, j0: usize, nj: usize, k: usize) {
    if nj == NR {
        let (b0, b1, b2, b3) = (&b[j0 * ldb..], &b[(j0 + 1) * ldb..], &b[(j0 + 2) * ldb..], &b[(j0 + 3) * ldb..]);
        let (b0, b1, b2, b3) = (&b0[..k], &b1[..k], &b2[..k], &b3[..k]);
        let mut acc = [[V::zero(); R]; NR];
        for l in 0..k {
            let col = &a[l * lda + i0..l * lda + i0 + R * V::N];
            let x: [V; R] = std::array::from_fn(|r| V::load(&col[r * V::N..]));
            let bs = [V::splat(b0[l]), V::splat(b1[l]), V::splat(b2[l]), V::splat(b3[l])];
            for jj in 0..NR {
                for r in 0..R {
                    acc[jj][r] = acc[jj][r].add(x[r].mul(bs[jj]));
                }
            }
        }
        for (jj, acc) in acc.iter().enumerate() {
            let out = &mut c[(j0 + jj) * ldc + i0..];
            for r in 0..R {
                acc[r].store(&mut out[r * V::N..]);
            }
        }
    } else {
        for jj in 0..nj {
            let bj = &b[(j0 + jj) * ldb..(j0 + jj) * ldb + k];
            let mut acc = [V::zero(); R];
            for (l, &bl) in bj.iter().enumerate() {
                let col = &a[l * lda + i0..];
                let bl = V::splat(bl);
                for r in 0..R {
                    acc[r] = acc[r].add(V::load(&col[r * V::N..]).mul(bl));
                }
            }
            let out = &mut c[(j0 + jj) * ldc + i0..];
            for r in 0..R {
                acc[r].store(&mut out[r * V::N..]);
            }
        }
    }
}

/// Rows per block of the matrix product's main loop, in vectors.
const GEMM_R: usize = 2;

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn gemm_v<V: Lanes>(c: &mut [f64], ldc: usize, a: &[f64], lda: usize, b: &[f64], ldb: usize, m: usize, n: usize, k: usize) {
    let mut j0 = 0;
    while j0 < n {
        let nj = NR.min(n - j0);
        let mut i0 = 0;
        while i0 + GEMM_R * V::N <= m {
            gemm_block::<V, GEMM_R>(c, ldc, a, lda, b, ldb, i0, j0, nj, k);
            i0 += GEMM_R * V::N;
        }
        while i0 + V::N <= m {
            gemm_block::<V, 1>(c, ldc, a, lda, b, ldb, i0, j0, nj, k);
            i0 += V::N;
        }
        while V::N > 2 && i0 + 2 <= m {
            gemm_block::<F2, 1>(c, ldc, a, lda, b, ldb, i0, j0, nj, k);
            i0 += 2;
        }
        if i0 < m {
            for jj in 0..nj {
                let bj = &b[(j0 + jj) * ldb..];
                let mut s = 0.0;
                for l in 0..k {
                    s += a[l * lda + i0] * bj[l];
                }
                c[(j0 + jj) * ldc + i0] = s;
            }
        }
        j0 += nj;
    }
}

/// C ← A·B, all column-major: A is m × k (leading dimension `lda`), B is k × n (`ldb`),
/// C is m × n (`ldc`). Each entry is Σ_l A[i,l]·B[l,j] summed in order of l, whatever the
/// blocking and the vector width, so the result does not depend on the target.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn gemm(c: &mut [f64], ldc: usize, a: &[f64], lda: usize, b: &[f64], ldb: usize, m: usize, n: usize, k: usize) {
    dispatch!(fn run(c: &mut [f64], ldc: usize, a: &[f64], lda: usize, b: &[f64], ldb: usize, m: usize, n: usize, k: usize) -> (),
        V => if V::N == 2 { stages2::gemm(c, ldc, a, lda, b, ldb, m, n, k) } else { gemm_v::<V>(c, ldc, a, lda, b, ldb, m, n, k) })
}

/// Rows i0..i0+R·N of the rotation sequence (see [`rotate_columns_v`]), the running column
/// held in registers: one load and one store per entry and rotation.
#[inline(always)]
fn rotate_rows<V: Lanes, const R: usize>(cols: &mut [f64], ld: usize, i0: usize, cs: &[f64]) {
    let count = cs.len() / 2;
    let mut x: [V; R] = std::array::from_fn(|r| V::load(&cols[i0 + r * V::N..]));
    for (t, pair) in cs.chunks_exact(2).enumerate() {
        let (c, s) = (V::splat(pair[0]), V::splat(pair[1]));
        let (left, right) = cols.split_at_mut((t + 1) * ld);
        let out = &mut left[t * ld + i0..];
        let y = &right[i0..];
        for r in 0..R {
            let yr = V::load(&y[r * V::N..]);
            c.mul(x[r]).add(s.mul(yr)).store(&mut out[r * V::N..]);
            x[r] = c.mul(yr).sub(s.mul(x[r]));
        }
    }
    let last = &mut cols[count * ld + i0..];
    for r in 0..R {
        x[r].store(&mut last[r * V::N..]);
    }
}

/// Applies the plane rotations of one QR sweep to columns `lo..=lo + cs.len()/2` of the
/// column-major `rows × _` matrix `v`: for t = 0, 1, …, with (c, s) = (cs[2t], cs[2t+1]) and
/// k = lo + t, (v_k, v_{k+1}) ← (c·v_k + s·v_{k+1}, −s·v_k + c·v_{k+1}), in that order.
/// Rows are independent: each block of rows walks the whole sequence (a wavefront).
#[inline(always)]
fn rotate_columns_v<V: Lanes>(v: &mut [f64], ld: usize, rows: usize, lo: usize, cs: &[f64]) {
    let count = cs.len() / 2;
    if count == 0 {
        return;
    }
    let cs = &cs[..2 * count];
    let cols = &mut v[lo * ld..(lo + count + 1) * ld];
    let mut i0 = 0;
    while i0 + 4 * V::N <= rows {
        rotate_rows::<V, 4>(cols, ld, i0, cs);
        i0 += 4 * V::N;
    }
    while i0 + V::N <= rows {
        rotate_rows::<V, 1>(cols, ld, i0, cs);
        i0 += V::N;
    }
    while V::N > 2 && i0 + 2 <= rows {
        rotate_rows::<F2, 1>(cols, ld, i0, cs);
        i0 += 2;
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

/// The stages of the SVD on two lanes, each its own function (see `svd_impl`).
mod stages2 {
    use super::F2;

    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    pub fn bidiagonalize(b: &mut [f64], p: usize, q: usize, d: &mut [f64], e: &mut [f64], tau: &mut [f64], tmp: &mut [f64], w: &mut [f64]) {
        super::bidiagonalize::<F2>(b, p, q, d, e, tau, tmp, w)
    }

    #[inline(never)]
    pub fn form_right_vectors(b: &[f64], p: usize, q: usize, tau: &[f64], v: &mut Vec<f64>, tmp: &mut [f64]) {
        super::form_right_vectors::<F2>(b, p, q, tau, v, tmp)
    }

    #[inline(never)]
    pub fn bidiagonal_qr(d: &mut [f64], e: &mut [f64], v: &mut [f64], q: usize, rot: &mut Vec<f64>, rot2: &mut Vec<f64>) -> Option<usize> {
        super::bidiagonal_qr::<F2>(d, e, v, q, rot, rot2)
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    pub fn gemm(c: &mut [f64], ldc: usize, a: &[f64], lda: usize, b: &[f64], ldb: usize, m: usize, n: usize, k: usize) {
        super::gemm_v::<F2>(c, ldc, a, lda, b, ldb, m, n, k)
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
        // 1/r as √x·(1/x): the square root and the division both start from x and run
        // side by side (the chase is a chain of these; this shortens it by a division).
        let x = f * f + g * g;
        let r = x.sqrt();
        let inv = r * (1.0 / x);
        (f * inv, g * inv, r)
    }
}

/// The Householder reflector H = I − τ·v·vᵀ (v₀ = 1) with H·x = (β, 0, …, 0), as LAPACK's
/// `dlarfg`: on return x = (β, v₁, v₂, …); returns τ (0 when x is already of that form).
#[inline(always)]
fn householder<V: Lanes>(x: &mut [f64]) -> f64 {
    let alpha = x[0];
    let tail = dot_v::<V>(&x[1..], &x[1..]);
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

/// `buf` with exactly `len` entries, their values unspecified (callers overwrite them).
fn fit(buf: &mut Vec<f64>, len: usize) {
    buf.resize(len, 0.0);
}

fn resize(buf: &mut Vec<f64>, len: usize) {
    buf.clear();
    buf.resize(len, 0.0);
}

/// A·B (A p × k, B k × q, column-major) through [`gemm`]: a fixed order of summation, the same
/// bits natively and in wasm.
///
/// # Panics
/// If B does not have k rows.
pub fn product(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
    let (p, k) = a.shape();
    let q = b.ncols();
    assert_eq!(b.nrows(), k, "inner dimensions differ");
    let mut c = DMatrix::zeros(p, q);
    if p > 0 && q > 0 {
        gemm(c.as_mut_slice(), p, a.as_slice(), p, b.as_slice(), k, p, q, k);
    }
    c
}

/// Thin SVD W = U·diag(σ)·Vᵀ of the m × n `w` into `u` (m × k), `sigma` (k, descending,
/// ≥ 0) and `v_t` (k × n), k = min(m, n), reusing their storage when the shapes already fit.
/// Returns false (outputs unspecified) when `w` is empty or has a non-finite entry, or the QR
/// iteration does not converge; callers then fall back to [`Svd::of`].
///
/// Accuracy: backward stable like nalgebra's (σ to about ε·σ₁ absolute); U is orthonormal to
/// about ε·σ₁/σ_k (its columns come from A·v/σ; columns whose σ is below 1e-6·σ₁ are
/// re-orthogonalised, and those at or below the numerical-rank threshold σ₁·max(m, n)·ε are
/// replaced by an orthonormal completion).
///
/// On x86-64 it runs with the widest vectors the processor has (AVX or SSE2),
/// with the same bits whichever (the kernels only use lane-wise operations and fixed orders).
pub fn svd_into(
    w: &DMatrix<f64>,
    ws: &mut SvdWorkspace,
    u_out: &mut DMatrix<f64>,
    sigma: &mut nalgebra::DVector<f64>,
    v_t: &mut DMatrix<f64>,
) -> bool {
    dispatch!(fn run(w: &DMatrix<f64>, ws: &mut SvdWorkspace, u_out: &mut DMatrix<f64>, sigma: &mut nalgebra::DVector<f64>, v_t: &mut DMatrix<f64>) -> bool,
        V => svd_impl::<V>(w, ws, u_out, sigma, v_t))
}

#[inline(always)]
fn svd_impl<V: Lanes>(
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
    // Scale by a power of two (exact) so the largest entry is in [1, 2). Below 2^-1022 that
    // power is not a double (2^1074 for the least subnormal): scale twice, by 2^1022 first.
    let (_, exp) = libm::frexp(maxabs);
    let (pre, exp) = if 1 - exp > 1023 { (libm::ldexp(1.0, 1022), exp + 1022) } else { (1.0, exp) };
    let scale = libm::ldexp(1.0, 1 - exp);

    fit(&mut ws.a, p * q);
    let src = w.as_slice();
    if trans {
        // A = Wᵀ (n × m): A[i, j] = W[j, i].
        for j in 0..q {
            for i in 0..p {
                ws.a[j * p + i] = src[i * m + j] * pre * scale;
            }
        }
    } else {
        for (a, &x) in ws.a.iter_mut().zip(src) {
            *a = x * pre * scale;
        }
    }
    ws.b.clear();
    ws.b.extend_from_slice(&ws.a);
    resize(&mut ws.d, q);
    resize(&mut ws.e, q.saturating_sub(1));
    fit(&mut ws.tau, q);
    fit(&mut ws.tmp, p.max(q));
    fit(&mut ws.tmp2, p);

    // On two lanes (WebAssembly, plain x86-64) each stage is a function of its own (in the
    // browser `wasm-opt -O3` inlines two of them again; keeping them apart measured the same:
    // BENCHMARKS.md). The wider paths must be inlined into their
    // `#[target_feature]` function to be compiled for it.
    if V::N == 2 {
        stages2::bidiagonalize(&mut ws.b, p, q, &mut ws.d, &mut ws.e, &mut ws.tau, &mut ws.tmp, &mut ws.tmp2);
        stages2::form_right_vectors(&ws.b, p, q, &ws.tau, &mut ws.v, &mut ws.tmp);
    } else {
        bidiagonalize::<V>(&mut ws.b, p, q, &mut ws.d, &mut ws.e, &mut ws.tau, &mut ws.tmp, &mut ws.tmp2);
        form_right_vectors::<V>(&ws.b, p, q, &ws.tau, &mut ws.v, &mut ws.tmp);
    }
    let qr = if V::N == 2 {
        stages2::bidiagonal_qr(&mut ws.d, &mut ws.e, &mut ws.v, q, &mut ws.rot, &mut ws.rot2)
    } else {
        bidiagonal_qr::<V>(&mut ws.d, &mut ws.e, &mut ws.v, q, &mut ws.rot, &mut ws.rot2)
    };
    match qr {
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
    // Descending σ, ties by index. By insertion: q is small, and the values arrive nearly in
    // order; the standard library's stable sort would add ~8 KB to the WebAssembly module.
    for k in 1..q {
        let i = ws.order[k];
        let mut l = k;
        while l > 0 && d[i] > d[ws.order[l - 1]] {
            ws.order[l] = ws.order[l - 1];
            l -= 1;
        }
        ws.order[l] = i;
    }
    fit(&mut ws.v_sorted, q * q);
    for (l, &src_col) in ws.order.iter().enumerate() {
        ws.v_sorted[l * q..(l + 1) * q].copy_from_slice(&ws.v[src_col * q..(src_col + 1) * q]);
    }
    for (l, &src_col) in ws.order.iter().enumerate() {
        ws.tmp[l] = ws.d[src_col];
    }
    ws.d[..q].copy_from_slice(&ws.tmp[..q]);

    // U = A·V·Σ⁻¹ (p × q).
    fit(&mut ws.u, p * q);
    if V::N == 2 {
        stages2::gemm(&mut ws.u, p, &ws.a, p, &ws.v_sorted, q, p, q, q);
    } else {
        gemm_v::<V>(&mut ws.u, p, &ws.a, p, &ws.v_sorted, q, p, q, q);
    }
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
                orthonormalize_against::<V>(col, done, p);
            }
        } else {
            complete_column::<V>(col, done, p);
        }
    }

    // Outputs, in W's orientation; σ back to W's scale.
    let k = q;
    if sigma.len() != k {
        *sigma = nalgebra::DVector::zeros(k);
    }
    for (s, &x) in sigma.iter_mut().zip(&ws.d) {
        *s = x / scale / pre;
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
#[inline(always)]
fn orthonormalize_against<V: Lanes>(col: &mut [f64], done: &[f64], p: usize) {
    if !project_out::<V>(col, done, p) {
        complete_column::<V>(col, done, p);
    }
}

/// Removes from `col` its components along the columns in `done` (two Gram–Schmidt passes);
/// if more than 1/2 of its length is left, scales it to unit length and returns true.
#[inline(always)]
fn project_out<V: Lanes>(col: &mut [f64], done: &[f64], p: usize) -> bool {
    for _ in 0..2 {
        for prev in done.chunks_exact(p) {
            let c = dot_v::<V>(prev, col);
            axpy_v::<V>(col, -c, prev);
        }
    }
    let norm = dot_v::<V>(col, col).sqrt();
    if norm > 0.5 {
        let inv = 1.0 / norm;
        for x in col.iter_mut() {
            *x *= inv;
        }
        return true;
    }
    false
}

/// A unit vector orthogonal to the l = `done.len() / p` orthonormal columns in `done` (l < p):
/// the unit vector e_i with the longest part outside their span (its squared length,
/// 1 − Σ_j done[i, j]², is at least (p − l)/p, the average over i), projected twice and
/// normalised. One pass over `done` finds i: trying e_0, e_1, … in turn cost up to l
/// projections per column, O(p⁴) for a matrix of rank ≪ p (0.4 s for a 200 × 200 W* of rank 2).
#[inline(always)]
fn complete_column<V: Lanes>(col: &mut [f64], done: &[f64], p: usize) {
    col.fill(0.0);
    for prev in done.chunks_exact(p) {
        for (c, &u) in col.iter_mut().zip(prev) {
            *c += u * u;
        }
    }
    let mut best = 0;
    for i in 1..p {
        if col[i] < col[best] {
            best = i;
        }
    }
    col.fill(0.0);
    col[best] = 1.0;
    if !project_out::<V>(col, done, p) {
        // Less than half of e_i is outside the span (possible once l > 3p/4): two projections
        // still leave it orthogonal to the span to about ε·√(p/(p − l)); normalise it.
        let inv = 1.0 / dot_v::<V>(col, col).sqrt();
        for x in col.iter_mut() {
            *x *= inv;
        }
    }
}

/// Householder reduction of the column-major p × q `b` (p ≥ q) to upper bidiagonal form
/// B = Lᵀ·A·G: diagonal `d` (q), superdiagonal `e` (q − 1). The right reflectors' vectors
/// stay in the rows of `b` (row k, columns k+2.., with a unit at k+1) and their τ in `tau`;
/// the left reflectors are not kept (U is recovered from A·V).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn bidiagonalize<V: Lanes>(b: &mut [f64], p: usize, q: usize, d: &mut [f64], e: &mut [f64], tau: &mut [f64], tmp: &mut [f64], w: &mut [f64]) {
    for k in 0..q {
        // Left reflector: zero b[k+1.., k].
        let (left, right) = b.split_at_mut((k + 1) * p);
        let col = &mut left[k * p + k..k * p + p];
        let t = householder::<V>(col);
        d[k] = col[0];
        if t != 0.0 {
            let v = &col[1..];
            for cj in right.chunks_exact_mut(p) {
                let cj = &mut cj[k..];
                let s = t * (cj[0] + dot_v::<V>(v, &cj[1..]));
                cj[0] -= s;
                axpy_v::<V>(&mut cj[1..], -s, v);
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
        let t = householder::<V>(row);
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
                axpy_v::<V>(w, uj, &b[j * p + k + 1..j * p + p]);
            }
            for (idx, j) in (k + 1..q).enumerate() {
                let uj = if idx == 0 { 1.0 } else { row[idx] };
                axpy_v::<V>(&mut b[j * p + k + 1..j * p + p], -t * uj, w);
            }
        }
    }
}

/// G = H₀·H₁···H_{q−2} (q × q) from the right reflectors that [`bidiagonalize`] left in `b`.
#[inline(always)]
fn form_right_vectors<V: Lanes>(b: &[f64], p: usize, q: usize, tau: &[f64], v: &mut Vec<f64>, tmp: &mut [f64]) {
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
            let s = t * dot_v::<V>(u, col);
            axpy_v::<V>(col, -s, u);
        }
    }
}

/// Implicit-shift QR (Golub–Kahan steps with Wilkinson's shift) on the upper bidiagonal
/// (d, e) until e = 0, applying the right rotations to the columns of the q × q `v`.
/// Returns the number of QR sweeps, or `None` if it does not converge.
#[inline(always)]
fn bidiagonal_qr<V: Lanes>(d: &mut [f64], e: &mut [f64], v: &mut [f64], q: usize, rot: &mut Vec<f64>, rot2: &mut Vec<f64>) -> Option<usize> {
    if q <= 1 {
        return Some(0);
    }
    rot2.clear();
    let mut pending = Pending { lo: 0, cs: rot2, next: 0 };
    let bnorm = d.iter().chain(e.iter()).fold(0.0f64, |a, &x| a.max(x.abs()));
    let rel = REL_TOL * f64::EPSILON;
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
            pending.flush::<V>(v, q);
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
                rotate_pair_v::<V>(v, q, j, hi, c, s);
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
            pending.apply_next::<V>(v, q);
        }
        pending.flush::<V>(v, q);
        pending.set(lo, rot);
        if sweeps > max_sweeps {
            return None;
        }
    }
    pending.flush::<V>(v, q);
    Some(sweeps)
}

/// Relative deflation tolerance of the QR iteration, in units of ε.
const REL_TOL: f64 = 4.0;

/// The rotations of the last QR sweep, not yet applied to V.
struct Pending<'a> {
    lo: usize,
    cs: &'a mut Vec<f64>,
    next: usize,
}

impl Pending<'_> {
    /// Applies the next pending rotation (if any) to its pair of columns.
    #[inline(always)]
    fn apply_next<V: Lanes>(&mut self, v: &mut [f64], q: usize) {
        if 2 * self.next < self.cs.len() {
            let (c, s) = (self.cs[2 * self.next], self.cs[2 * self.next + 1]);
            let k = self.lo + self.next;
            rotate_pair_v::<V>(v, q, k, k + 1, c, s);
            self.next += 1;
        }
    }

    /// Applies every pending rotation.
    #[inline(always)]
    fn flush<V: Lanes>(&mut self, v: &mut [f64], q: usize) {
        let rest = &self.cs[2 * self.next..];
        if !rest.is_empty() {
            rotate_columns_v::<V>(v, q, q, self.lo + self.next, rest);
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
#[inline(always)]
fn rotate_pair_v<V: Lanes>(v: &mut [f64], ld: usize, i: usize, j: usize, c: f64, s: f64) {
    let (lo, hi) = if i < j { (i, j) } else { (j, i) };
    let (first, second) = v.split_at_mut(hi * ld);
    let (x_lo, x_hi) = (&mut first[lo * ld..lo * ld + ld], &mut second[..ld]);
    let (xi, xj) = if i < j { (x_lo, x_hi) } else { (x_hi, x_lo) };
    let (cv, sv) = (V::splat(c), V::splat(s));
    let mut ic = xi.chunks_exact_mut(V::N);
    let mut jc = xj.chunks_exact_mut(V::N);
    for (a, b) in (&mut ic).zip(&mut jc) {
        let (x, y) = (V::load(a), V::load(b));
        cv.mul(x).add(sv.mul(y)).store(a);
        cv.mul(y).sub(sv.mul(x)).store(b);
    }
    for (a, b) in ic.into_remainder().iter_mut().zip(jc.into_remainder().iter_mut()) {
        let (x, y) = (*a, *b);
        *a = c * x + s * y;
        *b = c * y - s * x;
    }
}

/// A thin SVD W = U·diag(σ)·Vᵀ with σ sorted descending.
#[derive(Debug, Clone)]
pub struct Svd {
    /// m × k, k = min(m, n).
    pub u: DMatrix<f64>,
    /// k singular values, descending, ≥ 0.
    pub singular_values: DVector<f64>,
    /// k × n.
    pub v_t: DMatrix<f64>,
}

impl Svd {
    /// The SVD of `w` by nalgebra (one-sided bidiagonalisation + implicit-shift QR), or `None`
    /// when `w` has a non-finite entry or the iteration does not converge.
    pub fn of(w: &DMatrix<f64>) -> Option<Svd> {
        if !w.iter().all(|v| v.is_finite()) {
            return None;
        }
        let k = w.nrows().min(w.ncols());
        let svd = w.clone().try_svd(true, true, 5.0 * f64::EPSILON, 200 * (k + 10))?;
        Some(Svd { u: svd.u?, singular_values: svd.singular_values, v_t: svd.v_t? })
    }

    /// The same SVD by this crate's own Golub–Kahan algorithm ([`crate::svd_into`]):
    /// faster, with the same bits natively and in WebAssembly, and what the runs use; `of`
    /// stays the reference it is tested against. The zero matrix (and an empty one) gets
    /// σ = 0 with the first columns of the identity as U and V. Natively, a QR iteration that
    /// does not converge falls back to [`Svd::of`]; in WebAssembly it gives `None` (nalgebra's
    /// SVD is left out of the module: 12 kB gzipped).
    pub fn fast(w: &DMatrix<f64>) -> Option<Svd> {
        let mut svd = Svd::empty();
        svd.fast_into(w, &mut SvdWorkspace::new()).then_some(svd)
    }

    /// [`Svd::fast`] into `self`, reusing its storage and the workspace's (no allocation once
    /// both have the size). Returns false, leaving `self` unspecified, when `w` is not finite
    /// or neither algorithm converges.
    pub fn fast_into(&mut self, w: &DMatrix<f64>, ws: &mut SvdWorkspace) -> bool {
        if svd_into(w, ws, &mut self.u, &mut self.singular_values, &mut self.v_t) {
            return true;
        }
        if w.iter().all(|&x| x == 0.0) {
            let (m, n) = w.shape();
            let k = m.min(n);
            self.u = DMatrix::identity(m, k);
            self.singular_values = DVector::zeros(k);
            self.v_t = DMatrix::identity(k, n);
            return true;
        }
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(svd) = Svd::of(w) {
            *self = svd;
            return true;
        }
        false
    }

    /// The singular values of `w`, descending, by [`Svd::fast`]; empty when `w` has a
    /// non-finite entry or the SVD does not converge. (Not nalgebra's `singular_values`, so
    /// that nalgebra's SVD stays out of the WebAssembly module.)
    pub fn values_of(w: &DMatrix<f64>) -> DVector<f64> {
        Svd::fast(w).map(|s| s.singular_values).unwrap_or_else(|| DVector::zeros(0))
    }

    /// An SVD with no entries, to be filled by [`Svd::fast_into`].
    pub fn empty() -> Svd {
        Svd { u: DMatrix::zeros(0, 0), singular_values: DVector::zeros(0), v_t: DMatrix::zeros(0, 0) }
    }

    /// ‖W‖_* = Σ σᵢ.
    pub fn nuclear_norm(&self) -> f64 {
        self.singular_values.sum()
    }

    /// Singular values above σ₁·max(m, n)·ε.
    pub fn numerical_rank(&self) -> usize {
        let top = self.singular_values.iter().cloned().fold(0.0, f64::max);
        let tol = top * (self.u.nrows().max(self.v_t.ncols()) as f64) * f64::EPSILON;
        self.singular_values.iter().filter(|&&s| s > tol).count()
    }

    /// U₊V₊ᵀ over the numerically nonzero singular values (m × n).
    pub fn polar_factor(&self) -> DMatrix<f64> {
        let mut out = DMatrix::zeros(self.u.nrows(), self.v_t.ncols());
        self.polar_factor_into(&mut out);
        out
    }

    /// U₊V₊ᵀ into `out` (m × n, overwritten), by a matrix product with a fixed order of
    /// summation (the same bits natively and in WebAssembly).
    ///
    /// # Panics
    /// If `out` is not m × n.
    pub fn polar_factor_into(&self, out: &mut DMatrix<f64>) {
        let (m, k) = self.u.shape();
        let n = self.v_t.ncols();
        assert_eq!(out.shape(), (m, n), "the polar factor is m × n");
        let r = self.numerical_rank();
        gemm(out.as_mut_slice(), m, self.u.as_slice(), m, self.v_t.as_slice(), k, m, n, r);
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

    /// Every vector width this processor has gives the same bits (SSE2, AVX).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_vector_width_gives_the_same_bits() {
        type Out = (DMatrix<f64>, nalgebra::DVector<f64>, DMatrix<f64>, DMatrix<f64>);
        fn run<V: Lanes>(w: &DMatrix<f64>) -> Out {
            let (mut u, mut s, mut vt) = (DMatrix::zeros(0, 0), nalgebra::DVector::zeros(0), DMatrix::zeros(0, 0));
            assert!(svd_impl::<V>(w, &mut SvdWorkspace::new(), &mut u, &mut s, &mut vt));
            // And a product with every edge case of the blocking: W·Wᵀ.
            let (m, n) = w.shape();
            let wt = w.transpose();
            let mut c = DMatrix::zeros(m, m);
            gemm_v::<V>(c.as_mut_slice(), m, w.as_slice(), m, wt.as_slice(), n, m, m, n);
            (u, s, vt, c)
        }
        /// # Safety
        /// The processor must have AVX.
        #[target_feature(enable = "avx")]
        unsafe fn four(w: &DMatrix<f64>) -> Out {
            run::<F4>(w)
        }
        for (m, n, seed) in [(37, 37, 1), (5, 23, 2), (64, 41, 3), (100, 100, 4), (9, 9, 5)] {
            let w = lcg_matrix(m, n, seed);
            let two = run::<F2>(&w);
            if std::is_x86_feature_detected!("avx") {
                // SAFETY: AVX is there.
                assert!(unsafe { four(&w) } == two, "{m}×{n}: AVX differs from SSE2");
            }
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
