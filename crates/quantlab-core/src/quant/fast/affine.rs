//! The linear (affine) quantizer in `f32`: one group's codes and levels, and the one-pass
//! quantize → dequantize over a slice.
//!
//! The arithmetic, for scale `S`, zero-point `Z` and codes `q_min..=q_max`, every operation
//! an `f32` one (as NumPy computes on `float32` arrays):
//!
//! ```text
//! integer Z (sym, asym):   q = clamp(rint(x / S) + Z)       x̂ = (q − Z) · S
//! half-integer Z (mid-rise): q = clamp(rint(x / S + Z))     x̂ = (q − Z) · S
//! real offset (asym-float):  q = clamp(q_min + rint((x − lo) / S))   x̂ = lo + S · (q − q_min)
//! ```
//!
//! `rint` rounds half to even; `x / S` is a true division (not `x · (1/S)`). A code of
//! `−0` becomes `+0` (codes are integers); a level beyond the `f32` range saturates at
//! `±f32::MAX`.

use crate::quant::kernel::round_half_even_f32 as rint;

/// Which of the three formulas of the module docs a group uses, or a constant group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AffineKind {
    /// `S = 0` (a constant group): every value gets this code.
    Constant(f32),
    /// Integer zero-point.
    Int,
    /// Half-integer zero-point (mid-rise).
    Half,
    /// Real offset `lo` (asym-float, the course formula).
    Offset,
}

/// One group's grid in `f32`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AffineF32 {
    /// The scale `S`.
    pub s: f32,
    /// The zero-point `Z`.
    pub z: f32,
    /// Smallest code.
    pub qmin: f32,
    /// Largest code.
    pub qmax: f32,
    /// The offset of the course formula (0 otherwise).
    pub lo: f32,
    /// Whether levels are `lo + S·(q − q_min)` (the course formula) rather than `(q − Z)·S`.
    pub offset: bool,
    /// The formula.
    pub kind: AffineKind,
}

impl AffineF32 {
    /// The code of `x` (an integer held in an `f32`).
    #[inline(always)]
    pub fn code(&self, x: f32) -> f32 {
        match self.kind {
            AffineKind::Constant(q) => q,
            AffineKind::Int => self.code_int(x),
            AffineKind::Half => self.code_half(x),
            AffineKind::Offset => self.code_offset(x),
        }
    }

    /// The level of code `q`.
    #[inline(always)]
    pub fn value(&self, q: f32) -> f32 {
        if self.offset {
            self.value_offset(q)
        } else {
            self.value_zero(q)
        }
    }

    #[inline(always)]
    fn code_int(&self, x: f32) -> f32 {
        (rint(x / self.s) + self.z).clamp(self.qmin, self.qmax) + 0.0
    }

    #[inline(always)]
    fn code_half(&self, x: f32) -> f32 {
        rint(x / self.s + self.z).clamp(self.qmin, self.qmax) + 0.0
    }

    #[inline(always)]
    fn code_offset(&self, x: f32) -> f32 {
        (self.qmin + rint((x - self.lo) / self.s)).clamp(self.qmin, self.qmax) + 0.0
    }

    #[inline(always)]
    fn value_zero(&self, q: f32) -> f32 {
        ((q - self.z) * self.s).clamp(-f32::MAX, f32::MAX)
    }

    #[inline(always)]
    fn value_offset(&self, q: f32) -> f32 {
        (self.lo + self.s * (q - self.qmin)).clamp(-f32::MAX, f32::MAX)
    }

    /// `value(code(x))` for every value of `xs` into `out` (same length), the formula chosen
    /// once per slice. Returns false (with `out` unspecified) if `xs` holds a NaN or ±∞.
    #[inline(always)]
    pub fn quantize_dequantize(&self, xs: &[f32], out: &mut [f32]) -> bool {
        let mut bad = 0u32;
        let n = xs.len().min(out.len());
        let (xs, out) = (&xs[..n], &mut out[..n]);
        match self.kind {
            AffineKind::Constant(q) => {
                out.fill(self.value(q));
                return super::reduce::all_finite(xs);
            }
            AffineKind::Int => {
                for (o, &x) in out.iter_mut().zip(xs) {
                    bad |= u32::from(x.to_bits() & 0x7f80_0000 == 0x7f80_0000);
                    *o = self.value_zero(self.code_int(x));
                }
            }
            AffineKind::Half => {
                for (o, &x) in out.iter_mut().zip(xs) {
                    bad |= u32::from(x.to_bits() & 0x7f80_0000 == 0x7f80_0000);
                    *o = self.value_zero(self.code_half(x));
                }
            }
            AffineKind::Offset => {
                for (o, &x) in out.iter_mut().zip(xs) {
                    bad |= u32::from(x.to_bits() & 0x7f80_0000 == 0x7f80_0000);
                    *o = self.value_offset(self.code_offset(x));
                }
            }
        }
        bad == 0
    }
}
