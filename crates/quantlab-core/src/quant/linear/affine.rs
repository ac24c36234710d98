//! Affine (scale and zero-point) parameters of the linear scheme, and the course formula.

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result, check_bits, check_finite};
use crate::quant::fast::affine::{AffineF32, AffineKind};
use crate::quant::kernel::round_half_even_f32;
use crate::quant::types::{IntRange, Mode};

/// Fewest bits a linear quantizer takes.
pub const MIN_BITS: u32 = 1;
/// Most bits a linear quantizer takes.
pub const MAX_BITS: u32 = 16;

/// The course formula `Q(x) = Δ·round((x − x_min)/Δ) + x_min` applied to a whole signal.
///
/// Returns the reconstructed values. Equivalent to fitting a [`LinearQuantizer`](crate::quant::linear::LinearQuantizer) with
/// [`Mode::AsymFloat`] per tensor; kept as a standalone reference implementation. The
/// arithmetic is `f32`, like the quantizer's: `Δ = (x_max − x_min)/(L − 1)`, then
/// `Δ·rint((x − x_min)/Δ) + x_min`, each operation rounded to `f32`.
pub fn course_formula(x: &[f32], bits: u32) -> Result<Vec<f32>> {
    check_bits(bits, MIN_BITS, MAX_BITS)?;
    check_finite(x)?;
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    for &v in x {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let levels = (1u32 << bits) as f32;
    let delta = span_over(lo, hi, levels - 1.0);
    if delta == 0.0 {
        return Ok(x.to_vec());
    }
    Ok(x.iter()
        .map(|&v| (delta * round_half_even_f32((v - lo) / delta) + lo).clamp(-f32::MAX, f32::MAX))
        .collect())
}

/// `(hi − lo)/n` in `f32`; when `hi − lo` overflows the `f32` range (data near
/// `±f32::MAX`), the difference is taken in `f64` and only the quotient rounded to `f32`.
fn span_over(lo: f32, hi: f32, n: f32) -> f32 {
    let d = hi - lo;
    if d.is_finite() {
        d / n
    } else {
        ((f64::from(hi) - f64::from(lo)) / f64::from(n)) as f32
    }
}

/// Scale, zero-point and code range of one scale group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AffineParams {
    /// The scale `S` (the step between adjacent levels). 0 for a constant group.
    pub scale: f64,
    /// The zero-point `Z`: an integer for `sym`/`asym`, real for `asym-float` and `mid-rise`.
    pub zero_point: f64,
    /// Smallest code.
    pub qmin: i32,
    /// Largest code.
    pub qmax: i32,
    /// For `asym-float`: the `x_min` the course formula offsets by (exact arithmetic path).
    pub offset: Option<f64>,
}

impl AffineParams {
    /// Chooses `S` and `Z` for values spanning `[min, max]`.
    ///
    /// `min ≤ max` must be finite (the fitting code guarantees it). The arithmetic is `f32`
    /// (the bounds are first rounded to `f32`; they are data values already unless a
    /// clipping strategy interpolated them), as NumPy computes on `float32` data:
    ///
    /// | mode | `S` | `Z` |
    /// |---|---|---|
    /// | `sym` | `max(|min|, |max|) / (2^(b−1) − 1)` | 0 (`2^(b−1)` unsigned) |
    /// | `asym` | `(hi − lo) / (q_max − q_min)`, `lo = min(min, 0)`, `hi = max(max, 0)` | `clamp(q_min − rint(lo / S))` |
    /// | `asym-float` | `(max − min) / (q_max − q_min)` | `q_min − min / S` (real) |
    /// | `mid-rise` | `max(|min|, |max|) / 2^(b−1)` | `−½` (`2^(b−1) − ½` unsigned) |
    ///
    /// The values are held in `f64` fields but are `f32` numbers.
    pub fn choose(min: f64, max: f64, bits: u32, mode: Mode, range: IntRange) -> Result<Self> {
        check_bits(bits, MIN_BITS, MAX_BITS)?;
        let (min, max) = (min as f32, max as f32);
        let (qmin, qmax) = range.bounds(bits);
        let half = (1u32 << (bits - 1)) as f32;
        let unsigned_shift = match range {
            IntRange::Signed => 0.0,
            IntRange::Unsigned => half,
        };
        let absmax = min.abs().max(max.abs());
        let codes = (qmax - qmin) as f32;
        let (scale, zero_point, offset) = match mode {
            Mode::Sym => {
                if bits < 2 {
                    return Err(QuantError::SymmetricNeedsTwoBits);
                }
                (absmax / (half - 1.0), unsigned_shift, None)
            }
            Mode::MidRise => (absmax / half, unsigned_shift - 0.5, None),
            Mode::Asym => {
                let lo = min.min(0.0);
                let hi = max.max(0.0);
                let scale = span_over(lo, hi, codes);
                let zero_point = if scale > 0.0 {
                    (qmin as f32 - round_half_even_f32(lo / scale)).clamp(qmin as f32, qmax as f32)
                } else {
                    qmin.max(0).min(qmax) as f32
                };
                (scale, zero_point, None)
            }
            Mode::AsymFloat => {
                let scale = span_over(min, max, codes);
                let zero_point = if scale > 0.0 {
                    qmin as f32 - min / scale
                } else {
                    qmin as f32
                };
                (scale, zero_point, Some(f64::from(min)))
            }
        };
        if !scale.is_finite() {
            // Only 1-bit codes over nearly the whole float32 range get here: the step
            // itself is wider than the largest float32.
            return Err(QuantError::InvalidParameter(format!(
                "values from {min} to {max} are too far apart for {bits} bit(s): the step \
                 between two levels would overflow float32"
            )));
        }
        Ok(AffineParams {
            scale: f64::from(scale),
            zero_point: f64::from(zero_point),
            qmin,
            qmax,
            offset,
        })
    }

    /// The `f32` grid the quantizer computes with (see [`crate::quant::fast::affine`]).
    #[inline]
    pub fn grid(&self) -> AffineF32 {
        let s = self.scale as f32;
        let z = self.zero_point as f32;
        let (qmin, qmax) = (self.qmin as f32, self.qmax as f32);
        let kind = if s == 0.0 || !s.is_finite() {
            // Constant group: the single level.
            let q = match self.offset {
                Some(_) => qmin,
                None => z.round().clamp(qmin, qmax) + 0.0,
            };
            AffineKind::Constant(q)
        } else if self.offset.is_some() {
            AffineKind::Offset
        } else if z == z.round() {
            AffineKind::Int
        } else {
            AffineKind::Half
        };
        AffineF32 {
            s,
            z,
            qmin,
            qmax,
            lo: self.offset.map_or(0.0, |lo| lo as f32),
            offset: self.offset.is_some(),
            kind,
        }
    }

    /// The code of `x` (see [`crate::quant::fast::affine`] for the `f32` formulas).
    #[inline]
    pub fn quantize_one(&self, x: f32) -> i32 {
        // NaN (never produced for finite input) would become 0 through the cast.
        self.grid().code(x) as i32
    }

    /// `r̂ = (q − Z)·S` (course path: `x_min + S·(q − q_min)`), in `f32`.
    ///
    /// A level beyond the `f32` range (possible only for data near `±f32::MAX`, where the
    /// integer zero-point nudges the grid outward) saturates to `±f32::MAX`.
    #[inline]
    pub fn dequantize_one(&self, q: i32) -> f32 {
        self.grid().value(q as f32)
    }

    /// `dequantize_one(quantize_one(x))` for every value of `xs`, into `out` (same length):
    /// the same arithmetic, with the branches on the kind of grid taken once per slice.
    pub fn quantize_dequantize_into(&self, xs: &[f32], out: &mut [f32]) {
        let g = self.grid();
        let _ = crate::quant::fast::dispatch::affine(crate::quant::fast::level(), &g, xs, out);
    }

    /// Number of distinct codes, `q_max − q_min + 1`.
    pub fn num_codes(&self) -> usize {
        (self.qmax - self.qmin + 1) as usize
    }

    /// All reconstruction levels, ascending (deduplicated for a constant group).
    pub fn levels(&self) -> Vec<f32> {
        let mut v: Vec<f32> = (self.qmin..=self.qmax)
            .map(|q| self.dequantize_one(q))
            .collect();
        v.dedup();
        v
    }
}
