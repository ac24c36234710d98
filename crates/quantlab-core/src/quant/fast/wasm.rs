//! The hottest kernels written with WebAssembly SIMD (`simd128`) intrinsics.
//!
//! **Why by hand.** The web app is linked with fat LTO at `opt-level = "z"`, and LLVM
//! vectorizes loops neither in the pre-link pass of an LTO build nor in an `-Oz` link, so
//! the plain loops of [`super::reduce`] and [`super::affine`] reach the page as scalar code
//! (measured: 12 `f32x4` instructions in the page's module against 733 in the same crate
//! built without LTO; the Weight lab's study of 10⁶ weights took twice as long). Intrinsics
//! survive any optimisation level.
//!
//! **Why the results are the same.** Each function does, lane by lane, exactly what its
//! portable twin does: `f32x4_pmin(a, b)` is `if b < a { b } else { a }` and `f32x4_pmax(a, b)`
//! is `if a < b { b } else { a }` (the portable selects, signed zeros and all);
//! `f32x4_nearest` rounds half to even; `+ − × ÷` are the IEEE 754 operations; the lanes of
//! the portable loops (sixteen `f32`, eight `f64`) map onto four `v128` registers in order,
//! and are folded in the same order. `scripts/bench-numpy.sh` checks the WebAssembly build
//! against the native one bit for bit on every benchmark case.

use core::arch::wasm32::{
    f32x4, f32x4_add, f32x4_div, f32x4_extract_lane, f32x4_mul, f32x4_nearest, f32x4_pmax,
    f32x4_pmin, f32x4_splat, f32x4_sub, f64x2_abs, f64x2_add, f64x2_extract_lane, f64x2_mul,
    f64x2_pmax, f64x2_promote_low_f32x4, f64x2_splat, f64x2_sub, i32x4_eq, i32x4_shuffle,
    u32x4_splat, v128, v128_and, v128_any_true, v128_or,
};

use super::affine::{AffineF32, AffineKind};

/// Four values from `c[0..4]`.
#[inline(always)]
fn load(c: &[f32]) -> v128 {
    f32x4(c[0], c[1], c[2], c[3])
}

/// Writes the four lanes of `v` to `o[0..4]`.
#[inline(always)]
fn store(o: &mut [f32], v: v128) {
    o[0] = f32x4_extract_lane::<0>(v);
    o[1] = f32x4_extract_lane::<1>(v);
    o[2] = f32x4_extract_lane::<2>(v);
    o[3] = f32x4_extract_lane::<3>(v);
}

/// All ones in a lane whose exponent bits are all set (NaN or ±∞).
#[inline(always)]
fn non_finite(v: v128) -> v128 {
    let exp = u32x4_splat(0x7f80_0000);
    i32x4_eq(v128_and(v, exp), exp)
}

/// The four lanes of `v`, in order.
#[inline(always)]
fn lanes(v: v128) -> [f32; 4] {
    [
        f32x4_extract_lane::<0>(v),
        f32x4_extract_lane::<1>(v),
        f32x4_extract_lane::<2>(v),
        f32x4_extract_lane::<3>(v),
    ]
}

/// [`super::reduce::min_max_finite`].
#[inline(always)]
pub fn min_max_finite(xs: &[f32]) -> (f32, f32, bool) {
    let mut lo = [f32x4_splat(f32::INFINITY); 4];
    let mut hi = [f32x4_splat(f32::NEG_INFINITY); 4];
    let mut bad = u32x4_splat(0);
    let chunks = xs.chunks_exact(16);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..4 {
            let v = load(&c[4 * j..]);
            lo[j] = f32x4_pmin(lo[j], v);
            hi[j] = f32x4_pmax(hi[j], v);
            bad = v128_or(bad, non_finite(v));
        }
    }
    let (mut l, mut h) = ([0f32; 16], [0f32; 16]);
    for j in 0..4 {
        l[4 * j..4 * j + 4].copy_from_slice(&lanes(lo[j]));
        h[4 * j..4 * j + 4].copy_from_slice(&lanes(hi[j]));
    }
    let mut ok = !v128_any_true(bad);
    for (i, &v) in rest.iter().enumerate() {
        l[i] = if v < l[i] { v } else { l[i] };
        h[i] = if v > h[i] { v } else { h[i] };
        ok &= v.is_finite();
    }
    let mut m = (f32::INFINITY, f32::NEG_INFINITY);
    for i in 0..16 {
        m.0 = if l[i] < m.0 { l[i] } else { m.0 };
        m.1 = if h[i] > m.1 { h[i] } else { m.1 };
    }
    (m.0, m.1, ok)
}

/// [`super::reduce::absmax_finite`].
#[inline(always)]
pub fn absmax_finite(xs: &[f32]) -> (f32, bool) {
    let mut hi = [f32x4_splat(0.0); 4];
    let mut bad = u32x4_splat(0);
    let abs = u32x4_splat(0x7fff_ffff);
    let chunks = xs.chunks_exact(16);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..4 {
            let v = v128_and(load(&c[4 * j..]), abs);
            hi[j] = f32x4_pmax(hi[j], v);
            bad = v128_or(bad, non_finite(v));
        }
    }
    let mut h = [0f32; 16];
    for j in 0..4 {
        h[4 * j..4 * j + 4].copy_from_slice(&lanes(hi[j]));
    }
    let mut ok = !v128_any_true(bad);
    for (i, &v) in rest.iter().enumerate() {
        let v = v.abs();
        h[i] = if v > h[i] { v } else { h[i] };
        ok &= v.is_finite();
    }
    let m = h.iter().fold(0f32, |m, &v| if v > m { v } else { m });
    (m, ok)
}

/// [`super::reduce::all_finite`].
#[inline(always)]
pub fn all_finite(xs: &[f32]) -> bool {
    let mut bad = u32x4_splat(0);
    let chunks = xs.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        bad = v128_or(bad, non_finite(load(c)));
    }
    !v128_any_true(bad) && rest.iter().all(|v| v.is_finite())
}

/// [`super::reduce::error_sums`]: lanes `2k, 2k + 1` of the portable version's eight are
/// register `k`.
#[inline(always)]
pub fn error_sums(xs: &[f32], ys: &[f32]) -> (f64, f64, f64) {
    let n = xs.len().min(ys.len());
    let (xs, ys) = (&xs[..n], &ys[..n]);
    let zero = f64x2_splat(0.0);
    let (mut sx, mut se, mut mx) = ([zero; 4], [zero; 4], [zero; 4]);
    let (cx, cy) = (xs.chunks_exact(8), ys.chunks_exact(8));
    let (rx, ry) = (cx.remainder(), cy.remainder());
    for (a, b) in cx.zip(cy) {
        for h in 0..2 {
            let (x4, y4) = (load(&a[4 * h..]), load(&b[4 * h..]));
            // Lanes 0, 1 then 2, 3 of the four, promoted to `f64`.
            let halves = [
                (f64x2_promote_low_f32x4(x4), f64x2_promote_low_f32x4(y4)),
                (
                    f64x2_promote_low_f32x4(i32x4_shuffle::<2, 3, 0, 1>(x4, x4)),
                    f64x2_promote_low_f32x4(i32x4_shuffle::<2, 3, 0, 1>(y4, y4)),
                ),
            ];
            for (k, (x, y)) in halves.into_iter().enumerate() {
                let r = 2 * h + k;
                let e = f64x2_sub(x, y);
                sx[r] = f64x2_add(sx[r], f64x2_mul(x, x));
                se[r] = f64x2_add(se[r], f64x2_mul(e, e));
                mx[r] = f64x2_pmax(mx[r], f64x2_abs(e));
            }
        }
    }
    let unpack = |v: [v128; 4]| {
        let mut out = [0f64; 8];
        for (k, r) in v.into_iter().enumerate() {
            out[2 * k] = f64x2_extract_lane::<0>(r);
            out[2 * k + 1] = f64x2_extract_lane::<1>(r);
        }
        out
    };
    super::reduce::finish_error_sums([unpack(sx), unpack(se), unpack(mx)], rx, ry)
}

/// [`AffineF32::quantize_dequantize`].
#[inline(always)]
pub fn affine(g: &AffineF32, xs: &[f32], out: &mut [f32]) -> bool {
    let n = xs.len().min(out.len());
    let (xs, out) = (&xs[..n], &mut out[..n]);
    if matches!(g.kind, AffineKind::Constant(_)) {
        return g.quantize_dequantize(xs, out);
    }
    let (s, z, lo) = (f32x4_splat(g.s), f32x4_splat(g.z), f32x4_splat(g.lo));
    let (qmin, qmax) = (f32x4_splat(g.qmin), f32x4_splat(g.qmax));
    let (fmin, fmax, zero) = (
        f32x4_splat(-f32::MAX),
        f32x4_splat(f32::MAX),
        f32x4_splat(0.0),
    );
    // `clamp(v, a, b)` of the portable code, for values that are not NaN.
    let clamp = |v: v128, a: v128, b: v128| f32x4_pmin(f32x4_pmax(v, a), b);
    let mut bad = u32x4_splat(0);
    let chunks = xs.chunks_exact(4);
    let rest = chunks.remainder();
    let mut outs = out.chunks_exact_mut(4);
    for (c, o) in chunks.zip(&mut outs) {
        let x = load(c);
        bad = v128_or(bad, non_finite(x));
        let q = match g.kind {
            AffineKind::Half => clamp(f32x4_nearest(f32x4_add(f32x4_div(x, s), z)), qmin, qmax),
            AffineKind::Offset => clamp(
                f32x4_add(qmin, f32x4_nearest(f32x4_div(f32x4_sub(x, lo), s))),
                qmin,
                qmax,
            ),
            AffineKind::Int | AffineKind::Constant(_) => {
                clamp(f32x4_add(f32x4_nearest(f32x4_div(x, s)), z), qmin, qmax)
            }
        };
        let q = f32x4_add(q, zero);
        let y = if g.offset {
            f32x4_add(lo, f32x4_mul(s, f32x4_sub(q, qmin)))
        } else {
            f32x4_mul(f32x4_sub(q, z), s)
        };
        store(o, clamp(y, fmin, fmax));
    }
    let tail = outs.into_remainder();
    let ok = !v128_any_true(bad);
    g.quantize_dequantize(rest, tail) && ok
}

/// [`super::hadamard::butterflies`].
#[inline(always)]
pub fn butterflies(lo: &mut [f32], hi: &mut [f32]) {
    let n = lo.len().min(hi.len());
    let (lo, hi) = (&mut lo[..n], &mut hi[..n]);
    let mut a4 = lo.chunks_exact_mut(4);
    let mut b4 = hi.chunks_exact_mut(4);
    for (a, b) in (&mut a4).zip(&mut b4) {
        let (x, y) = (load(a), load(b));
        store(a, f32x4_add(x, y));
        store(b, f32x4_sub(x, y));
    }
    super::hadamard::butterflies(a4.into_remainder(), b4.into_remainder());
}
