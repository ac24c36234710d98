//! The integer kernels of W8A8 inference, defined exactly so that another implementation (a
//! WGSL `dot4I8Packed` kernel, WASM SIMD) can reproduce them bit for bit.
//!
//! **Activation quantization** ([`quantize_i8`], [`quantize_row_i8`],
//! [`quantize_per_token`]), symmetric, one scale per token (row), all in IEEE `f32`:
//!
//! ```text
//! amax = max_k |x_k|                      (exact)
//! s    = amax / 127                        (one correctly rounded f32 division)
//! q_k  = clamp(round_half_even(x_k / s), −127, 127)   (f32 division, then ties to even)
//! q_k  = 0 for every k when s = 0 (an all-zero row)
//! ```
//!
//! `−128` is never produced, so the grid is symmetric and `−q` is always representable.
//! Non-finite inputs (which the datasets and the model never produce) give 0. A port must use
//! a correctly rounded division (WGSL's `/` on `f32` is only accurate to 2.5 ULP, so a kernel
//! that must agree bit for bit takes `s` from the CPU, or checks and corrects its quotient)
//! and round half to even (WGSL's `round` does).
//!
//! **Weights** use the same rule with `s_j = amax_j / 127` per output channel (row `j` of the
//! `(out, in)` matrix), fitted by [`crate::quant::linear`] (see [`super::quant`]).
//!
//! **Integer product** ([`matmul_i8_i32`]): activations `A` `(m, k)` and weights `W`
//! `(n, k)`, both row-major int8, give `C = A·Wᵀ` `(m, n)` in int32:
//!
//! ```text
//! C[i·n + j] = Σ_{t<k} A[i·k + t] · W[j·k + t]        (exact integer arithmetic)
//! ```
//!
//! `|A·W| ≤ 128·128 = 2^14` per term, so int32 is exact for `k ≤` [`MAX_K_I32`]` = 131,071`;
//! longer rows are refused. With the symmetric codes above (`|q| ≤ 127`) and `k ≤ 1,040`
//! every `|C| ≤ 1,040·127² < 2^24` is also exactly representable in `f32`.
//!
//! **Rescale** ([`rescale`]): `y = f32(C)·(s_a·s_w) + b` — two correctly rounded `f32`
//! multiplications and one addition, in that order, **not fused** (a fused multiply-add
//! rounds once and can differ in the last bit).
//!
//! **Why int32.** An int16 accumulator holds `±32,767`, the sum of just two `127·127`
//! products. [`matmul_i8_i16_wrapping`] accumulates in int16 with two's-complement
//! wrap-around and counts the outputs that came out wrong.
//!
//! **Packing** ([`pack_i8x4`]): four int8 values per `u32`, little-endian — value `4w + b`
//! is byte `b` (bits `8b..8b+8`) of word `w`, as two's complement — the layout WGSL's
//! `dot4I8Packed(a, b)` reads. [`dot4_i8_packed`] is its reference.

use crate::error::{QuantError, Result};

/// Largest code an activation or weight gets: `2^7 − 1`.
pub const QMAX: i32 = 127;
/// Longest row `k` whose int32 accumulation is exact for any int8 inputs:
/// `⌊(2^31 − 1) / 2^14⌋ = 131,071`.
pub const MAX_K_I32: usize = 131_071;

/// The symmetric int8 scale of values whose largest magnitude is `amax`: `s = amax / 127`
/// (`f32`, correctly rounded).
#[inline]
pub fn scale_for_absmax(amax: f32) -> f32 {
    amax / 127.0
}

/// `clamp(round_half_even(x / s), −127, 127)`, or 0 when `s = 0` or the quotient is not a
/// number. The one rule every int8 path uses.
#[inline]
pub fn quantize_i8(x: f32, s: f32) -> i8 {
    if s == 0.0 {
        return 0;
    }
    let q = (x / s).round_ties_even();
    if q.is_nan() {
        0
    } else {
        q.clamp(-127.0, 127.0) as i8
    }
}

/// `max_k |x_k|` (NaN values are skipped).
#[inline]
pub fn absmax(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, v| m.max(v.abs()))
}

/// Quantizes one token (row) `x` into `out` (same length) and returns its scale
/// `s = amax/127`; see the module docs.
pub fn quantize_row_i8(x: &[f32], out: &mut [i8]) -> f32 {
    let s = scale_for_absmax(absmax(x));
    for (q, &v) in out.iter_mut().zip(x) {
        *q = quantize_i8(v, s);
    }
    s
}

/// Per-token dynamic quantization of `m` rows of `k` values (`x` row-major `(m, k)`):
/// returns the codes `(m, k)` and one scale per row.
pub fn quantize_per_token(x: &[f32], m: usize, k: usize) -> Result<(Vec<i8>, Vec<f32>)> {
    check_len(x.len(), m, k, "activations")?;
    let mut q = vec![0i8; x.len()];
    let mut scales = Vec::with_capacity(m);
    if k > 0 {
        for (xr, qr) in x.chunks_exact(k).zip(q.chunks_exact_mut(k)) {
            scales.push(quantize_row_i8(xr, qr));
        }
    } else {
        scales.resize(m, 0.0);
    }
    Ok((q, scales))
}

/// `y = f32(acc)·(s_a·s_w) + b`, rounded step by step as written (no fused multiply-add).
#[inline]
pub fn rescale(acc: i32, s_a: f32, s_w: f32, bias: f32) -> f32 {
    let s = s_a * s_w;
    let y = acc as f32 * s;
    y + bias
}

fn check_len(len: usize, rows: usize, cols: usize, what: &str) -> Result<()> {
    if rows.checked_mul(cols) == Some(len) {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "{what}: the shape [{rows}, {cols}] holds {} values but {len} were given",
            rows.saturating_mul(cols)
        )))
    }
}

fn check_matmul(a: &[i8], w: &[i8], m: usize, k: usize, n: usize) -> Result<()> {
    check_len(a.len(), m, k, "activations (m, k)")?;
    check_len(w.len(), n, k, "weights (n, k)")?;
    Ok(())
}

/// `C = A·Wᵀ` in int32: `A` `(m, k)` and `W` `(n, k)` (weights as `(out, in)`) row-major,
/// `C` `(m, n)` row-major, `C[i·n + j] = Σ_t A[i·k + t]·W[j·k + t]`, exact.
///
/// Errors: lengths that do not match the shapes, or `k >` [`MAX_K_I32`].
pub fn matmul_i8_i32(a: &[i8], w: &[i8], m: usize, k: usize, n: usize) -> Result<Vec<i32>> {
    check_matmul(a, w, m, k, n)?;
    if k > MAX_K_I32 {
        return Err(QuantError::InvalidParameter(format!(
            "rows of {k} values can overflow an int32 accumulator (at most {MAX_K_I32})"
        )));
    }
    let mut c = vec![0i32; m * n];
    if k == 0 {
        return Ok(c);
    }
    for (ar, cr) in a.chunks_exact(k).zip(c.chunks_exact_mut(n.max(1))) {
        for (cv, wr) in cr.iter_mut().zip(w.chunks_exact(k)) {
            *cv = ar
                .iter()
                .zip(wr)
                .map(|(&x, &y)| i32::from(x) * i32::from(y))
                .sum();
        }
    }
    Ok(c)
}

/// The result of [`matmul_i8_i16_wrapping`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct I16Accumulation {
    /// `C` `(m, n)` as an int16 accumulator leaves it: the exact sum modulo `2^16`, read as
    /// two's complement.
    pub sums: Vec<i16>,
    /// Outputs whose exact sum lies outside `[−32,768, 32,767]`, so `sums` is wrong there.
    pub overflowed: usize,
    /// Outputs whose running sum left the int16 range at least once on the way (including
    /// those where the wrap-arounds cancelled and the final value happens to be right).
    pub wrapped_on_the_way: usize,
}

/// `C = A·Wᵀ` as [`matmul_i8_i32`] but with an **int16** accumulator that wraps around, to
/// show why int8 kernels accumulate in int32. Each product `A·W` fits int16 (`|A·W| ≤ 2^14`);
/// the sums are added in order `t = 0, 1, …` with `wrapping_add`.
///
/// Errors: lengths that do not match the shapes.
pub fn matmul_i8_i16_wrapping(
    a: &[i8],
    w: &[i8],
    m: usize,
    k: usize,
    n: usize,
) -> Result<I16Accumulation> {
    check_matmul(a, w, m, k, n)?;
    let mut out = I16Accumulation {
        sums: vec![0i16; m * n],
        overflowed: 0,
        wrapped_on_the_way: 0,
    };
    if k == 0 {
        return Ok(out);
    }
    for (ar, sr) in a.chunks_exact(k).zip(out.sums.chunks_exact_mut(n.max(1))) {
        for (sv, wr) in sr.iter_mut().zip(w.chunks_exact(k)) {
            let mut acc = 0i16;
            let mut exact = 0i64;
            let mut wrapped = false;
            for (&x, &y) in ar.iter().zip(wr) {
                let p = i16::from(x) * i16::from(y);
                let (next, over) = acc.overflowing_add(p);
                wrapped |= over;
                acc = next;
                exact += i64::from(p);
            }
            *sv = acc;
            if i16::try_from(exact).is_err() {
                out.overflowed += 1;
            }
            if wrapped {
                out.wrapped_on_the_way += 1;
            }
        }
    }
    Ok(out)
}

/// Packs int8 values four to a `u32`, little-endian two's complement (value `4w + b` in
/// bits `8b..8b+8` of word `w`); a last partial word is padded with zeros.
pub fn pack_i8x4(v: &[i8]) -> Vec<u32> {
    v.chunks(4)
        .map(|c| {
            let mut bytes = [0u8; 4];
            for (b, &x) in bytes.iter_mut().zip(c) {
                *b = x as u8;
            }
            u32::from_le_bytes(bytes)
        })
        .collect()
}

/// Packs a `(rows, cols)` row-major int8 matrix row by row: each row takes `⌈cols/4⌉` words,
/// zero-padded, so row `r` starts at word `r·⌈cols/4⌉` — the `(out, in/4)` layout a GPU
/// kernel reads weights in (and `(m, k/4)` for activations). Zero padding adds nothing to a
/// dot product.
pub fn pack_i8x4_rows(v: &[i8], rows: usize, cols: usize) -> Result<Vec<u32>> {
    check_len(v.len(), rows, cols, "matrix (rows, cols)")?;
    if cols == 0 {
        return Ok(Vec::new());
    }
    Ok(v.chunks_exact(cols).flat_map(pack_i8x4).collect())
}

/// Unpacks `n` int8 values from words packed by [`pack_i8x4`].
///
/// Errors: fewer than `⌈n/4⌉` words.
pub fn unpack_i8x4(words: &[u32], n: usize) -> Result<Vec<i8>> {
    if words.len() < n.div_ceil(4) {
        return Err(QuantError::InvalidParameter(format!(
            "{n} int8 values need {} packed words but only {} were given",
            n.div_ceil(4),
            words.len()
        )));
    }
    Ok(words
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .take(n)
        .map(|b| b as i8)
        .collect())
}

/// The dot product of the four int8 lanes of `a` and `b` in int32: the reference for WGSL's
/// `dot4I8Packed(a, b)`.
#[inline]
pub fn dot4_i8_packed(a: u32, b: u32) -> i32 {
    a.to_le_bytes()
        .iter()
        .zip(b.to_le_bytes())
        .map(|(&x, y)| i32::from(x as i8) * i32::from(y as i8))
        .sum()
}

/// [`matmul_i8_i32`] on row-packed operands ([`pack_i8x4_rows`]): `a` `(m, ⌈k/4⌉)` words,
/// `w` `(n, ⌈k/4⌉)` words, summing [`dot4_i8_packed`] over each row's words in order —
/// what a `dot4I8Packed` kernel computes, and equal to [`matmul_i8_i32`] on the unpacked
/// values.
pub fn matmul_i8x4_i32(a: &[u32], w: &[u32], m: usize, k: usize, n: usize) -> Result<Vec<i32>> {
    let kw = k.div_ceil(4);
    check_len(a.len(), m, kw, "packed activations (m, ⌈k/4⌉)")?;
    check_len(w.len(), n, kw, "packed weights (n, ⌈k/4⌉)")?;
    if k > MAX_K_I32 {
        return Err(QuantError::InvalidParameter(format!(
            "rows of {k} values can overflow an int32 accumulator (at most {MAX_K_I32})"
        )));
    }
    let mut c = vec![0i32; m * n];
    if kw == 0 {
        return Ok(c);
    }
    for (ar, cr) in a.chunks_exact(kw).zip(c.chunks_exact_mut(n.max(1))) {
        for (cv, wr) in cr.iter_mut().zip(w.chunks_exact(kw)) {
            *cv = ar.iter().zip(wr).map(|(&x, &y)| dot4_i8_packed(x, y)).sum();
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn naive_i64(a: &[i8], w: &[i8], m: usize, k: usize, n: usize) -> Vec<i64> {
        let mut c = vec![0i64; m * n];
        for i in 0..m {
            for j in 0..n {
                for t in 0..k {
                    c[i * n + j] += i64::from(a[i * k + t]) * i64::from(w[j * k + t]);
                }
            }
        }
        c
    }

    #[test]
    fn activation_quantization_rounds_half_to_even_and_clamps_to_127() {
        // s = 127/127 = 1: the codes are the rounded values.
        let x = [0.5f32, 1.5, 2.5, -0.5, -1.5, -2.5, 127.0, -127.0];
        let mut q = [0i8; 8];
        let s = quantize_row_i8(&x, &mut q);
        assert_eq!(s, 1.0);
        assert_eq!(q, [0, 2, 2, 0, -2, -2, 127, -127]);
        assert_eq!(quantize_i8(1e9, 1.0), 127);
        assert_eq!(quantize_i8(-1e9, 1.0), -127);
        assert_eq!(quantize_i8(f32::NAN, 1.0), 0);
        assert_eq!(quantize_i8(3.0, 0.0), 0);
    }

    #[test]
    fn the_largest_magnitude_of_a_row_maps_to_plus_or_minus_127() {
        let mut rng = ChaCha8Rng::seed_from_u64(17);
        for _ in 0..1000 {
            let x: Vec<f32> = (0..16).map(|_| rng.random_range(-3.0f32..3.0)).collect();
            let mut q = vec![0i8; 16];
            let s = quantize_row_i8(&x, &mut q);
            let imax = (0..16)
                .max_by(|&i, &j| x[i].abs().total_cmp(&x[j].abs()))
                .unwrap();
            assert_eq!(i32::from(q[imax]).abs(), 127);
            for (&v, &c) in x.iter().zip(&q) {
                assert!((v - f32::from(c) * s).abs() <= s / 2.0 * 1.0001);
            }
        }
    }

    #[test]
    fn an_all_zero_row_gets_scale_zero_and_zero_codes() {
        let (q, s) = quantize_per_token(&[0.0; 6], 2, 3).unwrap();
        assert_eq!(q, vec![0; 6]);
        assert_eq!(s, vec![0.0, 0.0]);
        assert_eq!(rescale(0, 0.0, 0.5, 1.25), 1.25);
        assert!(quantize_per_token(&[0.0; 5], 2, 3).is_err());
    }

    #[test]
    fn matmul_i8_i32_equals_a_naive_i64_reference_on_random_inputs() {
        let mut rng = ChaCha8Rng::seed_from_u64(2024);
        for &(m, k, n) in &[(1, 1, 1), (3, 7, 5), (4, 64, 9), (2, 785, 3), (5, 0, 2)] {
            let a: Vec<i8> = (0..m * k).map(|_| rng.random()).collect();
            let w: Vec<i8> = (0..n * k).map(|_| rng.random()).collect();
            let c = matmul_i8_i32(&a, &w, m, k, n).unwrap();
            let want = naive_i64(&a, &w, m, k, n);
            assert_eq!(c.iter().map(|&v| i64::from(v)).collect::<Vec<_>>(), want);
        }
    }

    #[test]
    fn the_extreme_products_minus128_squared_and_127_times_minus128_are_exact() {
        let k = 1000;
        let a = vec![-128i8; 2 * k];
        let mut w = vec![-128i8; k];
        w.extend(vec![127i8; k]);
        let c = matmul_i8_i32(&a, &w, 2, k, 2).unwrap();
        assert_eq!(c, vec![16_384_000, -16_256_000, 16_384_000, -16_256_000]);
        // The longest row that int32 holds exactly, and one more.
        let long_a = vec![-128i8; MAX_K_I32];
        let c = matmul_i8_i32(&long_a, &long_a, 1, MAX_K_I32, 1).unwrap();
        assert_eq!(i64::from(c[0]), 16_384 * MAX_K_I32 as i64);
        let longer = vec![0i8; MAX_K_I32 + 1];
        assert!(matmul_i8_i32(&longer, &longer, 1, MAX_K_I32 + 1, 1).is_err());
    }

    #[test]
    fn bad_shapes_are_errors_not_panics() {
        assert!(matmul_i8_i32(&[1, 2, 3], &[1, 2], 1, 3, 1).is_err());
        assert!(matmul_i8_i32(&[1, 2], &[1, 2], 2, 2, 1).is_err());
        assert!(matmul_i8_i32(&[], &[], usize::MAX, 2, 1).is_err());
        assert!(matmul_i8_i16_wrapping(&[1], &[1, 2], 1, 1, 1).is_err());
        assert!(matmul_i8x4_i32(&[0], &[0, 0], 1, 5, 1).is_err());
        assert!(unpack_i8x4(&[0], 5).is_err());
        assert!(pack_i8x4_rows(&[1, 2, 3], 2, 2).is_err());
    }

    #[test]
    fn an_int16_accumulator_overflows_where_int32_does_not() {
        // Three products of 127·127 = 16,129: 48,387 > 32,767.
        let a = vec![127i8; 3];
        let w = vec![127i8; 3];
        let exact = matmul_i8_i32(&a, &w, 1, 3, 1).unwrap();
        assert_eq!(exact, vec![48_387]);
        let r = matmul_i8_i16_wrapping(&a, &w, 1, 3, 1).unwrap();
        assert_eq!(r.overflowed, 1);
        assert_eq!(r.wrapped_on_the_way, 1);
        assert_eq!(i32::from(r.sums[0]), 48_387 - 65_536);
        assert_ne!(i32::from(r.sums[0]), exact[0]);
        // Two products fit (32,258), and a sum that wraps up and back down ends right.
        let ok = matmul_i8_i16_wrapping(&[127, 127], &[127, 127], 1, 2, 1).unwrap();
        assert_eq!((ok.sums[0], ok.overflowed), (32_258, 0));
        // Running sums 16,129 → 32,258 → 48,387 (wraps) → 32,258 → 16,129.
        let back =
            matmul_i8_i16_wrapping(&[127; 5], &[127, 127, 127, -127, -127], 1, 5, 1).unwrap();
        assert_eq!(
            (back.sums[0], back.overflowed, back.wrapped_on_the_way),
            (16_129, 0, 1)
        );
    }

    #[test]
    fn pack_i8x4_is_little_endian_and_round_trips() {
        assert_eq!(pack_i8x4(&[1, -1, 0, -128]), vec![0x80_00_FF_01]);
        assert_eq!(pack_i8x4(&[5, 6]), vec![0x0000_0605]);
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        for n in 0..40 {
            let v: Vec<i8> = (0..n).map(|_| rng.random()).collect();
            assert_eq!(unpack_i8x4(&pack_i8x4(&v), n).unwrap(), v);
        }
        let rows = pack_i8x4_rows(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2, 5).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(unpack_i8x4(&rows[2..], 5).unwrap(), vec![6, 7, 8, 9, 10]);
        assert_eq!(rows[1], 5);
    }

    #[test]
    fn packed_dot4_matmul_equals_the_unpacked_reference() {
        assert_eq!(
            dot4_i8_packed(pack_i8x4(&[-128; 4])[0], pack_i8x4(&[-128; 4])[0]),
            65_536
        );
        assert_eq!(
            dot4_i8_packed(pack_i8x4(&[127; 4])[0], pack_i8x4(&[-128; 4])[0]),
            -65_024
        );
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        for &(m, k, n) in &[(2, 9, 3), (3, 784, 4), (1, 4, 1)] {
            let mut a: Vec<i8> = (0..m * k).map(|_| rng.random()).collect();
            let w: Vec<i8> = (0..n * k).map(|_| rng.random()).collect();
            a[0] = -128;
            let want = matmul_i8_i32(&a, &w, m, k, n).unwrap();
            let pa = pack_i8x4_rows(&a, m, k).unwrap();
            let pw = pack_i8x4_rows(&w, n, k).unwrap();
            assert_eq!(matmul_i8x4_i32(&pa, &pw, m, k, n).unwrap(), want);
        }
    }
}
