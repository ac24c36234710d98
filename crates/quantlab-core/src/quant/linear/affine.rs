//! Affine (scale and zero-point) parameters of the linear scheme, and the course formula.

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result, check_bits, check_finite};
use crate::quant::kernel::round_half_even;
use crate::quant::types::{IntRange, Mode};

/// Fewest bits a linear quantizer takes.
pub const MIN_BITS: u32 = 1;
/// Most bits a linear quantizer takes.
pub const MAX_BITS: u32 = 16;

/// The course formula `Q(x) = Δ·round((x − x_min)/Δ) + x_min` applied to a whole signal.
///
/// Returns the reconstructed values. Equivalent to fitting a [`LinearQuantizer`](crate::quant::linear::LinearQuantizer) with
/// [`Mode::AsymFloat`] per tensor; kept as a standalone reference implementation.
pub fn course_formula(x: &[f32], bits: u32) -> Result<Vec<f32>> {
    check_bits(bits, MIN_BITS, MAX_BITS)?;
    check_finite(x)?;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in x {
        lo = lo.min(f64::from(v));
        hi = hi.max(f64::from(v));
    }
    let levels = f64::from(1u32 << bits);
    let delta = (hi - lo) / (levels - 1.0);
    if delta == 0.0 {
        return Ok(x.to_vec());
    }
    Ok(x.iter()
        .map(|&v| (delta * round_half_even((f64::from(v) - lo) / delta) + lo) as f32)
        .collect())
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
    /// `min ≤ max` must be finite (the fitting code guarantees it).
    pub fn choose(min: f64, max: f64, bits: u32, mode: Mode, range: IntRange) -> Result<Self> {
        check_bits(bits, MIN_BITS, MAX_BITS)?;
        let (qmin, qmax) = range.bounds(bits);
        let half = f64::from(1u32 << (bits - 1));
        let unsigned_shift = match range {
            IntRange::Signed => 0.0,
            IntRange::Unsigned => half,
        };
        let absmax = min.abs().max(max.abs());
        let p = match mode {
            Mode::Sym => {
                if bits < 2 {
                    return Err(QuantError::SymmetricNeedsTwoBits);
                }
                AffineParams {
                    scale: absmax / (half - 1.0),
                    zero_point: unsigned_shift,
                    qmin,
                    qmax,
                    offset: None,
                }
            }
            Mode::MidRise => AffineParams {
                scale: 2.0 * absmax / (2.0 * half),
                zero_point: unsigned_shift - 0.5,
                qmin,
                qmax,
                offset: None,
            },
            Mode::Asym => {
                let lo = min.min(0.0);
                let hi = max.max(0.0);
                let scale = (hi - lo) / f64::from(qmax - qmin);
                let zero_point = if scale > 0.0 {
                    (f64::from(qmin) - round_half_even(lo / scale))
                        .clamp(f64::from(qmin), f64::from(qmax))
                } else {
                    f64::from(qmin.max(0).min(qmax))
                };
                AffineParams {
                    scale,
                    zero_point,
                    qmin,
                    qmax,
                    offset: None,
                }
            }
            Mode::AsymFloat => {
                let scale = (max - min) / f64::from(qmax - qmin);
                let zero_point = if scale > 0.0 {
                    f64::from(qmin) - min / scale
                } else {
                    f64::from(qmin)
                };
                AffineParams {
                    scale,
                    zero_point,
                    qmin,
                    qmax,
                    offset: Some(min),
                }
            }
        };
        Ok(p)
    }

    /// `q = clamp(round(x/S) + Z, q_min, q_max)` (course path: `q_min + round((x − x_min)/Δ)`).
    #[inline]
    pub fn quantize_one(&self, x: f32) -> i32 {
        let x = f64::from(x);
        let q = if self.scale == 0.0 || !self.scale.is_finite() {
            // Constant group: the single level.
            match self.offset {
                Some(_) => f64::from(self.qmin),
                None => self.zero_point.round(),
            }
        } else {
            match self.offset {
                Some(lo) => f64::from(self.qmin) + round_half_even((x - lo) / self.scale),
                None => round_half_even(x / self.scale + self.zero_point),
            }
        };
        // NaN (never produced for finite input) would become qmin through the clamp order.
        q.clamp(f64::from(self.qmin), f64::from(self.qmax)) as i32
    }

    /// `r̂ = S·(q − Z)` (course path: `x_min + Δ·(q − q_min)`).
    ///
    /// A level beyond the `f32` range (possible only for data near `±f32::MAX`, where the
    /// integer zero-point nudges the grid outward) saturates to `±f32::MAX`.
    #[inline]
    pub fn dequantize_one(&self, q: i32) -> f32 {
        let r = match self.offset {
            Some(lo) => lo + self.scale * f64::from(q - self.qmin),
            None => self.scale * (f64::from(q) - self.zero_point),
        };
        r.clamp(-f64::from(f32::MAX), f64::from(f32::MAX)) as f32
    }

    /// `dequantize_one(quantize_one(x))` for every value of `xs`, into `out` (same length):
    /// the same arithmetic, with the branches on the kind of grid taken once per slice.
    pub fn quantize_dequantize_into(&self, xs: &[f32], out: &mut [f32]) {
        let (qmin, qmax) = (f64::from(self.qmin), f64::from(self.qmax));
        let s = self.scale;
        let big = f64::from(f32::MAX);
        if s == 0.0 || !s.is_finite() {
            for (o, &x) in out.iter_mut().zip(xs) {
                *o = self.dequantize_one(self.quantize_one(x));
            }
            return;
        }
        match self.offset {
            Some(lo) => {
                for (o, &x) in out.iter_mut().zip(xs) {
                    // `+ 0.0` turns a code of −0 into +0, as the integer codes of the
                    // two-pass path do.
                    let q =
                        (qmin + round_half_even((f64::from(x) - lo) / s)).clamp(qmin, qmax) + 0.0;
                    *o = (lo + s * (q - qmin)).clamp(-big, big) as f32;
                }
            }
            None => {
                let z = self.zero_point;
                for (o, &x) in out.iter_mut().zip(xs) {
                    let q = round_half_even(f64::from(x) / s + z).clamp(qmin, qmax) + 0.0;
                    *o = (s * (q - z)).clamp(-big, big) as f32;
                }
            }
        }
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
