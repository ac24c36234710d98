//! One pass over a slice: its minimum, maximum or largest magnitude, and whether every
//! value is finite.
//!
//! Sixteen independent lanes (one AVX-512 register, four SSE/`simd128` ones) are folded at
//! the end. `min`/`max` of finite values do not depend on the order they are taken in, so
//! the result equals a left-to-right fold. With a NaN or an infinity in the slice the
//! extremes are meaningless and the flag says so: the caller then reports the first bad
//! index with [`crate::error::check_finite`].

const LANES: usize = 16;

/// Whether `v` is NaN or infinite (exponent bits all ones), as a 0/1 mask.
#[inline(always)]
fn non_finite(v: f32) -> u32 {
    u32::from(v.to_bits() & 0x7f80_0000 == 0x7f80_0000)
}

/// `(min, max, all finite)` of `xs`; `(+∞, −∞, true)` for an empty slice.
#[inline(always)]
pub fn min_max_finite(xs: &[f32]) -> (f32, f32, bool) {
    let mut lo = [f32::INFINITY; LANES];
    let mut hi = [f32::NEG_INFINITY; LANES];
    let mut bad = [0u32; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            let v = c[i];
            lo[i] = if v < lo[i] { v } else { lo[i] };
            hi[i] = if v > hi[i] { v } else { hi[i] };
            bad[i] |= non_finite(v);
        }
    }
    for (i, &v) in rest.iter().enumerate() {
        lo[i] = if v < lo[i] { v } else { lo[i] };
        hi[i] = if v > hi[i] { v } else { hi[i] };
        bad[i] |= non_finite(v);
    }
    let mut m = (f32::INFINITY, f32::NEG_INFINITY, 0u32);
    for i in 0..LANES {
        m.0 = if lo[i] < m.0 { lo[i] } else { m.0 };
        m.1 = if hi[i] > m.1 { hi[i] } else { m.1 };
        m.2 |= bad[i];
    }
    (m.0, m.1, m.2 == 0)
}

/// `(max |x|, all finite)` of `xs`; `(0, true)` for an empty slice.
#[inline(always)]
pub fn absmax_finite(xs: &[f32]) -> (f32, bool) {
    let mut hi = [0f32; LANES];
    let mut bad = [0u32; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            let v = c[i].abs();
            hi[i] = if v > hi[i] { v } else { hi[i] };
            bad[i] |= non_finite(v);
        }
    }
    for (i, &v) in rest.iter().enumerate() {
        let v = v.abs();
        hi[i] = if v > hi[i] { v } else { hi[i] };
        bad[i] |= non_finite(v);
    }
    let mut m = (0f32, 0u32);
    for i in 0..LANES {
        m.0 = if hi[i] > m.0 { hi[i] } else { m.0 };
        m.1 |= bad[i];
    }
    (m.0, m.1 == 0)
}

/// Whether every value of `xs` is finite.
#[inline(always)]
pub fn all_finite(xs: &[f32]) -> bool {
    let mut bad = [0u32; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            bad[i] |= non_finite(c[i]);
        }
    }
    rest.iter().all(|v| v.is_finite()) && bad.iter().all(|&b| b == 0)
}

/// `(Σx², Σe², max|e|)` with `e = x − y`, every term and sum in `f64`, over the pairs of
/// `xs` and `ys` (to the shorter length): what an error measure needs, in one pass.
///
/// Eight partial sums (lane `i` takes every eighth pair) are added at the end, so the
/// rounding differs from a left-to-right sum in the last bits (and is usually smaller); for
/// finite `f32` inputs every term is exact in `f64` up to that rounding.
#[inline(always)]
pub fn error_sums(xs: &[f32], ys: &[f32]) -> (f64, f64, f64) {
    const W: usize = 8;
    let n = xs.len().min(ys.len());
    let (xs, ys) = (&xs[..n], &ys[..n]);
    let (mut sx, mut se, mut mx) = ([0f64; W], [0f64; W], [0f64; W]);
    let (cx, cy) = (xs.chunks_exact(W), ys.chunks_exact(W));
    let (rx, ry) = (cx.remainder(), cy.remainder());
    for (a, b) in cx.zip(cy) {
        for i in 0..W {
            let x = f64::from(a[i]);
            let e = x - f64::from(b[i]);
            sx[i] += x * x;
            se[i] += e * e;
            let m = e.abs();
            mx[i] = if m > mx[i] { m } else { mx[i] };
        }
    }
    finish_error_sums([sx, se, mx], rx, ry)
}

/// The end of [`error_sums`] (and of its `simd128` twin): the pairs left over after the
/// last whole chunk of eight go to lanes `0, 1, …`, then the lanes are folded in order.
#[inline(always)]
pub fn finish_error_sums(lanes: [[f64; 8]; 3], rx: &[f32], ry: &[f32]) -> (f64, f64, f64) {
    let [mut sx, mut se, mut mx] = lanes;
    for (i, (&a, &b)) in rx.iter().zip(ry).enumerate() {
        let x = f64::from(a);
        let e = x - f64::from(b);
        sx[i] += x * x;
        se[i] += e * e;
        let m = e.abs();
        mx[i] = if m > mx[i] { m } else { mx[i] };
    }
    let (mut tx, mut te, mut tm) = (0f64, 0f64, 0f64);
    for i in 0..8 {
        tx += sx[i];
        te += se[i];
        tm = if mx[i] > tm { mx[i] } else { tm };
    }
    (tx, te, tm)
}

// proptest is a native-only dev-dependency (see Cargo.toml).
#[cfg(all(test, not(target_arch = "wasm32")))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(xs: &[f32]) -> (f32, f32, f32, bool) {
        let lo = xs.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let a = xs.iter().fold(0f32, |m, v| m.max(v.abs()));
        (lo, hi, a, xs.iter().all(|v| v.is_finite()))
    }

    proptest! {
        #[test]
        fn equals_a_left_to_right_fold(xs in proptest::collection::vec(-1e30f32..1e30, 0..100)) {
            let (lo, hi, a, ok) = reference(&xs);
            let (l, h, f) = min_max_finite(&xs);
            prop_assert_eq!((l, h, f), (lo, hi, ok));
            prop_assert_eq!(absmax_finite(&xs), (a, ok));
            prop_assert!(all_finite(&xs));
        }

        #[test]
        fn any_nan_or_infinity_is_flagged(
            xs in proptest::collection::vec(-10f32..10.0, 1..70),
            at in 0usize..70,
            which in 0usize..3,
        ) {
            let mut xs = xs;
            let i = at % xs.len();
            xs[i] = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][which];
            prop_assert!(!min_max_finite(&xs).2);
            prop_assert!(!absmax_finite(&xs).1);
            // (The dispatched builds of these loops are checked through every fast path's
            // NaN / ∞ error in tests/fast_paths.rs.)
            prop_assert!(!all_finite(&xs));
        }
    }

    proptest! {
        #[test]
        fn error_sums_equal_a_left_to_right_sum_to_rounding(
            xs in proptest::collection::vec(-1e6f32..1e6, 0..200),
            noise in proptest::collection::vec(-1e3f32..1e3, 200),
        ) {
            let ys: Vec<f32> = xs.iter().zip(&noise).map(|(x, d)| x + d).collect();
            let (mut rx, mut re, mut rm) = (0f64, 0f64, 0f64);
            for (&x, &y) in xs.iter().zip(&ys) {
                let e = f64::from(x) - f64::from(y);
                rx += f64::from(x) * f64::from(x);
                re += e * e;
                rm = rm.max(e.abs());
            }
            let (sx, se, sm) = error_sums(&xs, &ys);
            prop_assert_eq!(sm, rm);
            prop_assert!((sx - rx).abs() <= 1e-13 * rx, "{} {}", sx, rx);
            prop_assert!((se - re).abs() <= 1e-13 * re, "{} {}", se, re);
        }
    }

    #[test]
    fn error_sums_of_small_cases() {
        assert_eq!(error_sums(&[], &[]), (0.0, 0.0, 0.0));
        assert_eq!(error_sums(&[3.0], &[1.0]), (9.0, 4.0, 2.0));
        // Lengths differ: the pairs of the shorter.
        assert_eq!(error_sums(&[1.0, -2.0, 5.0], &[1.0, 0.0]), (5.0, 4.0, 2.0));
        let xs: Vec<f32> = (0..21).map(|i| i as f32).collect();
        let ys = vec![0f32; 21];
        let s: f64 = (0..21).map(|i| f64::from(i * i)).sum();
        assert_eq!(error_sums(&xs, &ys), (s, s, 20.0));
    }

    #[test]
    fn extremes_and_signed_zeros() {
        let xs = [f32::MAX, -f32::MAX, 0.0, -0.0, f32::MIN_POSITIVE, 1e-45];
        assert_eq!(min_max_finite(&xs), (-f32::MAX, f32::MAX, true));
        assert_eq!(absmax_finite(&xs), (f32::MAX, true));
        assert_eq!(absmax_finite(&[]), (0.0, true));
        assert_eq!(absmax_finite(&[-0.0, 1e-45]), (1e-45, true));
    }
}
