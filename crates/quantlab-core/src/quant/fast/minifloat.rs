//! Rounding an `f32` to a small float format (FP4 E2M1, FP8 E4M3/E5M2) by bit
//! arithmetic: round to nearest, ties to even, saturating at the format's max, sign kept.
//!
//! For `a = min(|v|, max)`: at or above the smallest normal `2^e_min` the `f32` mantissa is
//! rounded to `M` bits by adding `2^(22−M) − 1` plus the lowest kept bit and clearing the
//! `23 − M` dropped bits (a carry moves to the next binade, as it should); below it, the
//! format's subnormals are the multiples of `2^(e_min − M)`, and `(a + c) − c` with
//! `c = 2^(e_min − M + 23)` rounds to them half to even. Both are exact `f32` steps, and
//! the max of each format lies on its grid, so clamping first and rounding after equals
//! rounding and then saturating.

/// A small float format for [`MiniF32::round`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MiniF32 {
    /// Mantissa bits `M` (1 to 10).
    pub mantissa_bits: u32,
    /// Exponent of the smallest normal, `1 − bias`.
    pub emin: i32,
    /// The largest finite value.
    pub max: f32,
}

impl MiniF32 {
    /// `v` rounded to the format (see the module docs); NaN stays NaN.
    #[inline(always)]
    pub fn round(&self, v: f32) -> f32 {
        let a = v.abs().min(self.max);
        let drop = 23 - self.mantissa_bits;
        let bits = a.to_bits();
        let up = ((1u32 << (drop - 1)) - 1) + ((bits >> drop) & 1);
        let normal = f32::from_bits((bits + up) & !((1u32 << drop) - 1));
        let c = f32::from_bits(((self.emin - self.mantissa_bits as i32 + 23 + 127) as u32) << 23);
        let sub = (a + c) - c;
        let smallest_normal = f32::from_bits(((self.emin + 127) as u32) << 23);
        let r = if a < smallest_normal { sub } else { normal };
        r.copysign(v)
    }

    /// `round(x / s)·s` for every value of `xs` into `out`, or `+0` everywhere when
    /// `s ≤ 0`. Returns false if an input or an output is NaN or ±∞.
    #[inline(always)]
    pub fn quantize_dequantize(&self, s: f32, xs: &[f32], out: &mut [f32]) -> bool {
        let n = xs.len().min(out.len());
        let (xs, out) = (&xs[..n], &mut out[..n]);
        if s.is_nan() || s <= 0.0 {
            out.fill(self.round(0.0) * s.max(0.0));
            return super::reduce::all_finite(xs) && out.iter().all(|v| v.is_finite());
        }
        let mut bad = 0u32;
        for (o, &x) in out.iter_mut().zip(xs) {
            let y = self.round(x / s) * s;
            bad |= u32::from(x.to_bits() & 0x7f80_0000 == 0x7f80_0000);
            bad |= u32::from(y.to_bits() & 0x7f80_0000 == 0x7f80_0000);
            *o = y;
        }
        bad == 0
    }
}
