//! The int8 matrix product (and the per-token activation quantization before it) with
//! WebAssembly SIMD (`simd128`), bit-exact with the scalar references
//! [`int8::matmul_i8_i32`] and [`int8::quantize_per_token`].
//!
//! **What it computes.** The same `C = A·Wᵀ` in int32 as [`int8::matmul_i8_i32`]: activations
//! `A` `(m, k)` and weights `W` `(n, k)`, both row-major int8. Each dot product is cut into
//! blocks of 16 values; a block is loaded as one `i8x16` vector, both halves are sign-extended
//! to `i16x8`, and `i32x4.dot_i16x8_s` multiplies lane by lane and adds neighbouring pairs
//! into four int32 lanes:
//!
//! ```text
//! lane_l += a[2l]·w[2l] + a[2l+1]·w[2l+1]       (low half, l = 0..4)
//!         + a[8+2l]·w[8+2l] + a[9+2l]·w[9+2l]   (high half)
//! C = (lane_0 + lane_1) + (lane_2 + lane_3) + Σ tail a_t·w_t     (the k mod 16 tail in order)
//! ```
//!
//! The product runs four weight rows at a time, so each load of 16 activations serves four
//! dot products.
//!
//! **Why it is bit-exact.** Every product and every partial sum is an integer no larger in
//! magnitude than the whole sum, which int32 holds exactly for `k ≤` [`int8::MAX_K_I32`]
//! (the same bound the scalar path checks). Integer addition is associative when nothing
//! overflows, so the order of the additions cannot change the result — unlike an fp32 SIMD
//! path, whose reordered sums round differently.
//!
//! **Where it runs.** The vector code is compiled only for
//! `#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]` (the web app's
//! `.cargo/config.toml` turns `simd128` on). Everywhere else [`matmul_i8_i32_simd`] falls back
//! to the scalar reference, so native tests check the shared checks and shapes, and the
//! browser test checks the vector code itself against the scalar path (a mismatch count of 0).
//!
//! **Relaxed SIMD** (`i32x4.relaxed_dot_i8x16_i7x16_add_s`) is not used: its second operand
//! must fit 7 bits (`[−64, 63]`), or the result is implementation-defined, and int8 weights use
//! `[−127, 127]`; and a module compiled with `relaxed-simd` fails to load at all in a browser
//! without it.

use super::int8;
use crate::error::{QuantError, Result};

/// Which int8 matrix product a W8A8 model uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Int8Kernel {
    /// [`int8::matmul_i8_i32`], the scalar reference.
    #[default]
    Scalar,
    /// [`matmul_i8_i32_simd`] (the scalar reference where SIMD is not compiled in).
    Simd,
}

impl Int8Kernel {
    /// Per-token int8 quantization of `m` rows of `k` values with this kernel
    /// ([`int8::quantize_per_token`]; the SIMD one divides, rounds and clamps four values at
    /// a time with the same IEEE operations, so the codes and scales are identical).
    pub fn quantize_per_token(self, x: &[f32], m: usize, k: usize) -> Result<(Vec<i8>, Vec<f32>)> {
        match self {
            Int8Kernel::Scalar => int8::quantize_per_token(x, m, k),
            Int8Kernel::Simd => quantize_per_token_simd(x, m, k),
        }
    }

    /// `C = A·Wᵀ` in int32 with this kernel.
    pub fn matmul(self, a: &[i8], w: &[i8], m: usize, k: usize, n: usize) -> Result<Vec<i32>> {
        match self {
            Int8Kernel::Scalar => int8::matmul_i8_i32(a, w, m, k, n),
            Int8Kernel::Simd => matmul_i8_i32_simd(a, w, m, k, n),
        }
    }
}

/// Whether this build has the WebAssembly SIMD kernel (`wasm32` with `simd128`); when not,
/// [`matmul_i8_i32_simd`] runs the scalar reference.
pub const fn simd_compiled() -> bool {
    cfg!(all(target_arch = "wasm32", target_feature = "simd128"))
}

/// [`int8::quantize_per_token`] with `simd128` vectors: the same codes and scales.
pub fn quantize_per_token_simd(x: &[f32], m: usize, k: usize) -> Result<(Vec<i8>, Vec<f32>)> {
    if m.checked_mul(k) != Some(x.len()) || k == 0 {
        // The scalar path words the error and handles empty rows.
        return int8::quantize_per_token(x, m, k);
    }
    let mut q = vec![0i8; x.len()];
    let scales = x
        .chunks_exact(k)
        .zip(q.chunks_exact_mut(k))
        .map(|(xr, qr)| quantize_row_i8_simd(xr, qr))
        .collect();
    Ok((q, scales))
}

/// [`int8::quantize_row_i8`] with `simd128` vectors: `amax` by a lane-wise `pmax` of `|x|`
/// (NaN skipped as `f32::max` skips it), then `q = trunc_sat(pmin(pmax(nearest(x/s), −127),
/// 127))` four at a time — `f32x4.div` is correctly rounded and `f32x4.nearest` rounds half
/// to even, and a NaN quotient passes both `pmin`/`pmax` and truncates to 0, as in
/// [`int8::quantize_i8`]. The `k mod 4` tail uses [`int8::quantize_i8`] itself.
pub fn quantize_row_i8_simd(x: &[f32], out: &mut [i8]) -> f32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{
            f32x4, f32x4_abs, f32x4_div, f32x4_extract_lane, f32x4_nearest, f32x4_pmax, f32x4_pmin,
            f32x4_splat, i32x4_extract_lane, i32x4_trunc_sat_f32x4,
        };
        let (cx, rx) = x.as_chunks::<4>();
        let mut acc = f32x4_splat(0.0);
        for c in cx {
            acc = f32x4_pmax(acc, f32x4_abs(f32x4(c[0], c[1], c[2], c[3])));
        }
        let amax = [
            f32x4_extract_lane::<0>(acc),
            f32x4_extract_lane::<1>(acc),
            f32x4_extract_lane::<2>(acc),
            f32x4_extract_lane::<3>(acc),
        ]
        .iter()
        .chain(rx)
        .fold(0.0f32, |m, v| m.max(v.abs()));
        let s = int8::scale_for_absmax(amax);
        if s == 0.0 {
            out.fill(0);
            return s;
        }
        let (sv, lo, hi) = (f32x4_splat(s), f32x4_splat(-127.0), f32x4_splat(127.0));
        let split = cx.len() * 4;
        let (head, tail) = out.split_at_mut(split.min(out.len()));
        for (c, o) in cx.iter().zip(head.chunks_exact_mut(4)) {
            let q = f32x4_nearest(f32x4_div(f32x4(c[0], c[1], c[2], c[3]), sv));
            let q = i32x4_trunc_sat_f32x4(f32x4_pmin(f32x4_pmax(q, lo), hi));
            o[0] = i32x4_extract_lane::<0>(q) as i8;
            o[1] = i32x4_extract_lane::<1>(q) as i8;
            o[2] = i32x4_extract_lane::<2>(q) as i8;
            o[3] = i32x4_extract_lane::<3>(q) as i8;
        }
        for (o, &v) in tail.iter_mut().zip(rx) {
            *o = int8::quantize_i8(v, s);
        }
        s
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        int8::quantize_row_i8(x, out)
    }
}

/// [`int8::matmul_i8_i32`] with `simd128` vectors (see the module docs): the same result,
/// bit for bit, and the same errors.
pub fn matmul_i8_i32_simd(a: &[i8], w: &[i8], m: usize, k: usize, n: usize) -> Result<Vec<i32>> {
    if m.checked_mul(k) != Some(a.len()) || n.checked_mul(k) != Some(w.len()) {
        // The scalar path words the error.
        return int8::matmul_i8_i32(a, w, m, k, n);
    }
    if k > int8::MAX_K_I32 {
        return Err(QuantError::InvalidParameter(format!(
            "rows of {k} values can overflow an int32 accumulator (at most {})",
            int8::MAX_K_I32
        )));
    }
    let mut c = vec![0i32; m * n];
    if k == 0 {
        return Ok(c);
    }
    for (ar, cr) in a.chunks_exact(k).zip(c.chunks_exact_mut(n.max(1))) {
        // Four weight rows at a time share each load of the activations.
        let (c4, c_rest) = cr.as_chunks_mut::<4>();
        for (j, cv) in c4.iter_mut().enumerate() {
            let r = |t: usize| &w[(4 * j + t) * k..(4 * j + t + 1) * k];
            *cv = dot_i8_x4(ar, [r(0), r(1), r(2), r(3)]);
        }
        let done = c4.len() * 4;
        for (cv, wr) in c_rest.iter_mut().zip(w[done * k..].chunks_exact(k)) {
            *cv = dot_i8(ar, wr);
        }
    }
    Ok(c)
}

/// `Σ_t a_t·w_r,t` for four rows `w_r` at once (each of `a`'s length).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn dot_i8_x4(a: &[i8], w: [&[i8]; 4]) -> [i32; 4] {
    use core::arch::wasm32::{
        i16x8_extend_high_i8x16, i16x8_extend_low_i8x16, i32x4_add, i32x4_dot_i16x8,
        i32x4_extract_lane, i32x4_splat,
    };
    let (ca, ra) = a.as_chunks::<16>();
    let [(c0, t0), (c1, t1), (c2, t2), (c3, t3)] = w.map(|r| r.as_chunks::<16>());
    // Four named accumulators (not an array), so they stay in registers; zipped iterators,
    // so there are no bounds checks inside the loop.
    let (mut s0, mut s1, mut s2, mut s3) = (
        i32x4_splat(0),
        i32x4_splat(0),
        i32x4_splat(0),
        i32x4_splat(0),
    );
    for ((((x, y0), y1), y2), y3) in ca.iter().zip(c0).zip(c1).zip(c2).zip(c3) {
        let xv = load16(x);
        let (xl, xh) = (i16x8_extend_low_i8x16(xv), i16x8_extend_high_i8x16(xv));
        let step = |y: &[i8; 16]| {
            let yv = load16(y);
            i32x4_add(
                i32x4_dot_i16x8(xl, i16x8_extend_low_i8x16(yv)),
                i32x4_dot_i16x8(xh, i16x8_extend_high_i8x16(yv)),
            )
        };
        s0 = i32x4_add(s0, step(y0));
        s1 = i32x4_add(s1, step(y1));
        s2 = i32x4_add(s2, step(y2));
        s3 = i32x4_add(s3, step(y3));
    }
    let acc = [s0, s1, s2, s3];
    let mut out = [0i32; 4];
    for ((o, v), rw) in out.iter_mut().zip(&acc).zip([t0, t1, t2, t3]) {
        let mut s = (i32x4_extract_lane::<0>(*v) + i32x4_extract_lane::<1>(*v))
            + (i32x4_extract_lane::<2>(*v) + i32x4_extract_lane::<3>(*v));
        for (&x, &y) in ra.iter().zip(rw) {
            s += i32::from(x) * i32::from(y);
        }
        *o = s;
    }
    out
}

/// Four scalar dot products, where SIMD is not compiled in.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn dot_i8_x4(a: &[i8], w: [&[i8]; 4]) -> [i32; 4] {
    w.map(|r| dot_i8(a, r))
}

/// `Σ_t a_t·w_t` in int32 (`a`, `w` of equal length ≤ [`int8::MAX_K_I32`]).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn dot_i8(a: &[i8], w: &[i8]) -> i32 {
    use core::arch::wasm32::{
        i16x8_extend_high_i8x16, i16x8_extend_low_i8x16, i32x4_add, i32x4_dot_i16x8,
        i32x4_extract_lane, i32x4_splat,
    };
    let (ca, ra) = a.as_chunks::<16>();
    let (cw, rw) = w.as_chunks::<16>();
    let mut acc = i32x4_splat(0);
    for (x, y) in ca.iter().zip(cw) {
        let (xv, yv) = (load16(x), load16(y));
        let lo = i32x4_dot_i16x8(i16x8_extend_low_i8x16(xv), i16x8_extend_low_i8x16(yv));
        let hi = i32x4_dot_i16x8(i16x8_extend_high_i8x16(xv), i16x8_extend_high_i8x16(yv));
        acc = i32x4_add(acc, i32x4_add(lo, hi));
    }
    let mut s = (i32x4_extract_lane::<0>(acc) + i32x4_extract_lane::<1>(acc))
        + (i32x4_extract_lane::<2>(acc) + i32x4_extract_lane::<3>(acc));
    for (&x, &y) in ra.iter().zip(rw) {
        s += i32::from(x) * i32::from(y);
    }
    s
}

/// Sixteen int8 values as one vector (the compiler turns this into a single `v128.load`).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn load16(x: &[i8; 16]) -> core::arch::wasm32::v128 {
    core::arch::wasm32::i8x16(
        x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], x[11], x[12], x[13],
        x[14], x[15],
    )
}

/// The scalar dot product, where SIMD is not compiled in.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn dot_i8(a: &[i8], w: &[i8]) -> i32 {
    a.iter()
        .zip(w)
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn the_simd_product_equals_the_scalar_reference_on_random_and_extreme_inputs() {
        let mut rng = ChaCha8Rng::seed_from_u64(128);
        for &(m, k, n) in &[
            (1, 1, 1),
            (2, 15, 3),
            (3, 16, 2),
            (4, 17, 5),
            (5, 64, 7),
            (2, 784, 9),
            (3, 1000, 4),
            (2, 0, 3),
        ] {
            let mut a: Vec<i8> = (0..m * k).map(|_| rng.random()).collect();
            let mut w: Vec<i8> = (0..n * k).map(|_| rng.random()).collect();
            if k > 0 {
                a[..k].fill(-128);
                w[..k].fill(-128);
            }
            let want = int8::matmul_i8_i32(&a, &w, m, k, n).unwrap();
            assert_eq!(
                matmul_i8_i32_simd(&a, &w, m, k, n).unwrap(),
                want,
                "{m}×{k}×{n}"
            );
            assert_eq!(Int8Kernel::Simd.matmul(&a, &w, m, k, n).unwrap(), want);
        }
    }

    #[test]
    fn simd_per_token_quantization_equals_the_scalar_reference() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for k in [1usize, 3, 4, 5, 16, 63, 784] {
            let mut x: Vec<f32> = (0..3 * k).map(|_| rng.random_range(-5.0f32..5.0)).collect();
            x[0] = f32::NAN;
            let last = x.len() - 1;
            x[k.min(last)] = 2.5;
            let want = int8::quantize_per_token(&x, 3, k).unwrap();
            assert_eq!(quantize_per_token_simd(&x, 3, k).unwrap(), want, "k = {k}");
            assert_eq!(Int8Kernel::Simd.quantize_per_token(&x, 3, k).unwrap(), want);
        }
        let zeros = quantize_per_token_simd(&[0.0; 8], 2, 4).unwrap();
        assert_eq!(zeros, (vec![0; 8], vec![0.0, 0.0]));
        assert!(quantize_per_token_simd(&[0.0; 7], 2, 4).is_err());
    }

    #[test]
    fn the_simd_product_refuses_what_the_scalar_path_refuses() {
        assert!(matmul_i8_i32_simd(&[1, 2, 3], &[1, 2], 1, 3, 1).is_err());
        assert!(matmul_i8_i32_simd(&[], &[], usize::MAX, 2, 1).is_err());
        let longer = vec![0i8; int8::MAX_K_I32 + 1];
        assert!(matmul_i8_i32_simd(&longer, &longer, 1, int8::MAX_K_I32 + 1, 1).is_err());
        assert_eq!(simd_compiled(), cfg!(target_feature = "simd128"));
    }
}
