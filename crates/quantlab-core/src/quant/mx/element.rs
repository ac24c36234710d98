//! The element and scale casts of the block-scaled formats, bit for bit as `ml_dtypes`
//! (the NumPy types of JAX and XLA) casts `f32`: FP8 E4M3 and E5M2, FP6 E3M2 and E2M3,
//! FP4 E2M1, the E8M0 scale, and the MXINT8 element.
//!
//! A float element is `sign | exponent | mantissa` with `E` exponent and `M` mantissa bits
//! and bias `B` (OCP MX v1.0 §5.3, OCP OFP8 rev. 1.0 Table 1):
//!
//! | format | `ml_dtypes` name | E | M | B | max | `emax_elem` | specials |
//! |---|---|---|---|---|---|---|---|
//! | FP8 E4M3 | `float8_e4m3fn` | 4 | 3 | 7 | 448 | 8 | NaN = `S.1111.111` |
//! | FP8 E5M2 | `float8_e5m2` | 5 | 2 | 15 | 57344 | 15 | ±∞ = `S.11111.00`, NaN = `S.11111.{01,10,11}` |
//! | FP6 E3M2 | `float6_e3m2fn` | 3 | 2 | 3 | 28 | 4 | none |
//! | FP6 E2M3 | `float6_e2m3fn` | 2 | 3 | 1 | 7.5 | 2 | none |
//! | FP4 E2M1 | `float4_e2m1fn` | 2 | 1 | 1 | 6 | 2 | none |
//!
//! ```text
//! exponent field e = 0 (subnormal):  v = (−1)^s · m/2^M · 2^(1 − B)
//! e > 0 (normal):                    v = (−1)^s · (1 + m/2^M) · 2^(e − B)
//! ```
//!
//! **Two casts.** [`ElementFormat::cast`] is the plain conversion, equal to `ml_dtypes`'
//! `astype` for every `f32` (checked against committed vectors in
//! `tests/mx_reference.rs`): round to nearest, ties to even; a magnitude that rounds past
//! the largest finite value becomes NaN in E4M3 (it has no infinity), ±∞ in E5M2 and ±max
//! in FP6/FP4 (no specials: they saturate); ±∞ likewise. NaN becomes E4M3 `0x7F`/`0xFF` and
//! E5M2 `0x7E`/`0xFE` (sign kept); FP6 and FP4 have no NaN and `ml_dtypes` writes a zero
//! whose sign bit is the *opposite* of the NaN's — reproduced so the cast is total and equal
//! to the reference, but nothing in quantlab relies on it. [`ElementFormat::cast_saturating`]
//! is the conversion the MX spec asks for inside a block (§6.3: "normal numbers ... clamped
//! to the maximum"): the same rounding, but any finite value or ±∞ beyond ±max becomes ±max;
//! NaN as [`ElementFormat::cast`].
//!
//! **E8M0** (the MX scale, `float8_e8m0fnu`): an unsigned biased exponent, `2^(c − 127)` for
//! `c = 0..=254` (2^−127 … 2^127), `0xFF` = NaN, no zero. [`e8m0_cast`] is `ml_dtypes`' cast:
//! round to the nearest power of two with ties (`1.5·2^k`) **up**, everything below 2^−127
//! (f32 subnormals included) to `0x00`, and zero, negatives, NaN, ±∞ and values from
//! `1.5·2^127` up to `0xFF`. The MX scale rule does not round: it takes the exponent of
//! the block's absmax ([`crate::quant::mx::block::shared_exponent`]).
//!
//! **MXINT8** elements are two's complement bytes with an implicit scale of 2^−6
//! ([`int8_cast`]): `q = round_half_even(64·v)` clamped to ±127 (values ±127/64 = ±1.984375);
//! `−128` (−2) decodes but is never produced, as in Microsoft's reference (`microxcaling`,
//! `max_norm = 127/64` for `int8`).

use crate::quant::kernel::round_half_even;

/// A float element format of the MX family (and NVFP4's E2M1 elements and E4M3 scales).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElementFormat {
    /// FP8 E4M3 (`float8_e4m3fn`): max 448, NaN, no infinities.
    E4m3,
    /// FP8 E5M2 (`float8_e5m2`): max 57344, infinities and NaN.
    E5m2,
    /// FP6 E3M2 (`float6_e3m2fn`): max 28, no specials.
    E3m2,
    /// FP6 E2M3 (`float6_e2m3fn`): max 7.5, no specials.
    E2m3,
    /// FP4 E2M1 (`float4_e2m1fn`): max 6, no specials.
    E2m1,
}

/// `2^k` exactly (`k` within the normal `f64` exponents, −1022..=1023).
#[inline]
pub(crate) fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// The unbiased binary exponent `⌊log2 a⌋` of a positive normal `f64`.
#[inline]
fn exponent_of(a: f64) -> i32 {
    ((a.to_bits() >> 52) & 0x7FF) as i32 - 1023
}

impl ElementFormat {
    /// Every format, widest first.
    pub const ALL: [ElementFormat; 5] = [
        ElementFormat::E4m3,
        ElementFormat::E5m2,
        ElementFormat::E3m2,
        ElementFormat::E2m3,
        ElementFormat::E2m1,
    ];

    /// Bits per code, sign included: 8, 8, 6, 6, 4.
    pub const fn bits(self) -> u32 {
        1 + self.exponent_bits() + self.mantissa_bits()
    }

    /// Exponent bits `E`.
    pub const fn exponent_bits(self) -> u32 {
        match self {
            ElementFormat::E4m3 => 4,
            ElementFormat::E5m2 => 5,
            ElementFormat::E3m2 => 3,
            ElementFormat::E2m3 | ElementFormat::E2m1 => 2,
        }
    }

    /// Mantissa bits `M`.
    pub const fn mantissa_bits(self) -> u32 {
        match self {
            ElementFormat::E4m3 | ElementFormat::E2m3 => 3,
            ElementFormat::E5m2 | ElementFormat::E3m2 => 2,
            ElementFormat::E2m1 => 1,
        }
    }

    /// Exponent bias `B = 2^(E−1) − 1`: 7, 15, 3, 1, 1.
    pub const fn bias(self) -> i32 {
        (1 << (self.exponent_bits() - 1)) - 1
    }

    /// The code of `+max`, the largest finite value: `0x7E`, `0x7B`, `0x1F`, `0x1F`, `0x7`.
    pub const fn max_code(self) -> u8 {
        match self {
            ElementFormat::E4m3 => 0x7E,
            ElementFormat::E5m2 => 0x7B,
            ElementFormat::E3m2 | ElementFormat::E2m3 => 0x1F,
            ElementFormat::E2m1 => 0x7,
        }
    }

    /// The sign bit, `1 << (bits − 1)`.
    pub const fn sign_bit(self) -> u8 {
        1 << (self.bits() - 1)
    }

    /// `emax_elem`: the exponent of the largest normal binade (8, 15, 4, 2, 2).
    pub const fn emax(self) -> i32 {
        let top = (1 << self.exponent_bits()) - 1;
        match self {
            // E5M2 keeps its top exponent for ∞/NaN (IEEE-like).
            ElementFormat::E5m2 => top - 1 - self.bias(),
            _ => top - self.bias(),
        }
    }

    /// The largest finite value: 448, 57344, 28, 7.5, 6.
    pub fn max(self) -> f64 {
        self.value(self.max_code())
    }

    /// The value of `code` (its bits above [`ElementFormat::bits`] are ignored): NaN for
    /// E4M3 `S.1111.111` and E5M2 `S.11111.mm` (`mm ≠ 0`), ±∞ for E5M2 `S.11111.00`.
    pub fn value(self, code: u8) -> f64 {
        let (eb, mb) = (self.exponent_bits(), self.mantissa_bits());
        let code = code & (((1u16 << self.bits()) - 1) as u8);
        let negative = code & self.sign_bit() != 0;
        let e = i32::from((code >> mb) & ((1 << eb) - 1));
        let m = i32::from(code & ((1 << mb) - 1));
        let top = (1 << eb) - 1;
        let magnitude = match self {
            ElementFormat::E4m3 if e == top && m == (1 << mb) - 1 => f64::NAN,
            ElementFormat::E5m2 if e == top && m == 0 => f64::INFINITY,
            ElementFormat::E5m2 if e == top => f64::NAN,
            _ if e == 0 => f64::from(m) * pow2(1 - self.bias() - mb as i32),
            _ => f64::from(m + (1 << mb)) * pow2(e - self.bias() - mb as i32),
        };
        if negative { -magnitude } else { magnitude }
    }

    /// Whether `code` is NaN or infinite.
    pub fn is_special(self, code: u8) -> bool {
        !self.value(code).is_finite()
    }

    /// The NaN code `ml_dtypes` writes for a NaN of the given sign (see the module docs).
    fn nan_code(self, negative: bool) -> u8 {
        match self {
            ElementFormat::E4m3 => 0x7F | if negative { 0x80 } else { 0 },
            ElementFormat::E5m2 => 0x7E | if negative { 0x80 } else { 0 },
            ElementFormat::E3m2 | ElementFormat::E2m3 | ElementFormat::E2m1 => {
                if negative {
                    0
                } else {
                    self.sign_bit()
                }
            }
        }
    }

    /// The code of a magnitude past the largest finite one in the plain cast.
    fn overflow_code(self) -> u8 {
        match self {
            ElementFormat::E4m3 => 0x7F,
            ElementFormat::E5m2 => 0x7C,
            ElementFormat::E3m2 | ElementFormat::E2m3 | ElementFormat::E2m1 => self.max_code(),
        }
    }

    /// The magnitude code of `a ≥ 0` (finite or +∞) rounded to nearest, ties to even, or
    /// `None` when it rounds past the largest finite value.
    fn round_magnitude(self, a: f64) -> Option<u8> {
        if a.is_infinite() {
            return None;
        }
        let mb = self.mantissa_bits() as i32;
        let emin = 1 - self.bias(); // exponent of the smallest normal
        let code = if a < pow2(emin) {
            // Subnormal: multiples of 2^(emin − M). Rounding up to 2^M lands on the
            // smallest normal, whose code is exactly 2^M.
            round_half_even(a / pow2(emin - mb)) as i64
        } else {
            let e = exponent_of(a);
            let r = round_half_even(a / pow2(e - mb)) as i64; // in [2^M, 2^(M+1)]
            (i64::from(e - emin + 1) << mb) + r - (1 << mb)
        };
        (code <= i64::from(self.max_code())).then_some(code as u8)
    }

    /// Encodes `v` (any `f64`, exactly; a scaled `f32` in the MX block rule).
    fn encode_f64(self, v: f64, saturate: bool) -> u8 {
        let negative = v.is_sign_negative();
        if v.is_nan() {
            return self.nan_code(negative);
        }
        let magnitude = match self.round_magnitude(v.abs()) {
            Some(c) => c,
            None if saturate => self.max_code(),
            None => self.overflow_code(),
        };
        if negative {
            magnitude | self.sign_bit()
        } else {
            magnitude
        }
    }

    /// `ml_dtypes`' cast of `x` (see the module docs): round to nearest even; past the max,
    /// E4M3 gives NaN, E5M2 ±∞, FP6 and FP4 ±max.
    pub fn cast(self, x: f32) -> u8 {
        self.encode_f64(f64::from(x), false)
    }

    /// The MX conversion of `x`: round to nearest even, saturating at ±max (±∞ included);
    /// NaN as [`ElementFormat::cast`].
    pub fn cast_saturating(self, x: f32) -> u8 {
        self.encode_f64(f64::from(x), true)
    }

    /// The saturating conversion of `x·2^(−shift)`, rounded once (the division by the
    /// power-of-two scale is exact in `f64` for every `f32` and `|shift| ≤ 127`).
    pub fn cast_scaled(self, x: f32, shift: i32) -> u8 {
        self.encode_f64(f64::from(x) * pow2(-shift), true)
    }

    /// The `2^bits` values of the format, by code.
    pub fn table(self) -> Vec<f64> {
        (0..1u16 << self.bits())
            .map(|c| self.value(c as u8))
            .collect()
    }
}

/// The value of an E8M0 code: `2^(c − 127)`, NaN for `0xFF`.
pub fn e8m0_value(code: u8) -> f64 {
    if code == 0xFF {
        f64::NAN
    } else {
        pow2(i32::from(code) - 127)
    }
}

/// `ml_dtypes`' cast of `x` to E8M0 (`float8_e8m0fnu`; see the module docs): the nearest
/// power of two with ties up, `0x00` below 2^−127, `0xFF` for NaN, ±∞, zero, negatives and
/// `x ≥ 1.5·2^127`.
pub fn e8m0_cast(x: f32) -> u8 {
    if x.is_nan() || x.is_infinite() || x <= 0.0 || x.is_sign_negative() {
        return 0xFF;
    }
    let a = f64::from(x); // exact, and normal in f64 even for f32 subnormals
    let bits = a.to_bits();
    let mut e = exponent_of(a);
    if bits & (1 << 51) != 0 {
        // The mantissa is at least 1.5: round up (ties up).
        e += 1;
    }
    if e > 127 {
        0xFF
    } else {
        (e.max(-127) + 127) as u8
    }
}

/// The MXINT8 code of `v` (the element before the implicit 2^−6): `round_half_even(64·v)`
/// clamped to `−127..=127`; NaN gives 0.
pub fn int8_cast(v: f64) -> i8 {
    if v.is_nan() {
        return 0;
    }
    round_half_even((v * 64.0).clamp(-127.0, 127.0)) as i8
}

/// The value of an MXINT8 code: `q/64`.
pub fn int8_value(q: i8) -> f64 {
    f64::from(q) / 64.0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_format_constants_match_the_spec_table() {
        let rows = [
            (ElementFormat::E4m3, 8, 7, 448.0, 8),
            (ElementFormat::E5m2, 8, 15, 57344.0, 15),
            (ElementFormat::E3m2, 6, 3, 28.0, 4),
            (ElementFormat::E2m3, 6, 1, 7.5, 2),
            (ElementFormat::E2m1, 4, 1, 6.0, 2),
        ];
        for (f, bits, bias, max, emax) in rows {
            assert_eq!(f.bits(), bits, "{f:?}");
            assert_eq!(f.bias(), bias, "{f:?}");
            assert_eq!(f.max(), max, "{f:?}");
            assert_eq!(f.emax(), emax, "{f:?}");
        }
        let e2m1: Vec<f64> = (0..8).map(|c| ElementFormat::E2m1.value(c)).collect();
        assert_eq!(e2m1, vec![0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]);
        assert_eq!(ElementFormat::E2m3.value(1), 0.125);
        assert_eq!(ElementFormat::E3m2.value(1), 0.0625);
        assert!(ElementFormat::E4m3.value(0xFF).is_nan());
        assert_eq!(ElementFormat::E5m2.value(0xFC), f64::NEG_INFINITY);
    }

    #[test]
    fn ties_go_to_even_and_the_two_casts_differ_only_past_the_max() {
        let f = ElementFormat::E2m1;
        for (x, c) in [
            (0.25, 0),
            (0.75, 2),
            (1.25, 2),
            (2.5, 4),
            (3.5, 6),
            (5.0, 6),
        ] {
            assert_eq!(f.cast(x), c, "{x}");
            assert_eq!(f.cast(-x), c | 8, "{x}");
        }
        assert_eq!(f.cast(1e9), 0x7);
        assert_eq!(ElementFormat::E4m3.cast(464.0), 0x7E);
        assert_eq!(ElementFormat::E4m3.cast(464.1), 0x7F);
        assert_eq!(ElementFormat::E4m3.cast_saturating(464.1), 0x7E);
        assert_eq!(ElementFormat::E4m3.cast_saturating(f32::NEG_INFINITY), 0xFE);
        assert_eq!(ElementFormat::E5m2.cast(61440.0), 0x7C);
        assert_eq!(ElementFormat::E5m2.cast_saturating(61440.0), 0x7B);
        assert_eq!(ElementFormat::E5m2.cast(f32::NAN), 0x7E);
        // One rounding of x·2^−shift: 1.25 + 2^−30 is above the tie.
        let x = 1.25f32 + 2f32.powi(-20);
        assert_eq!(f.cast_scaled(x * 4.0, 2), 3);
        assert_eq!(f.cast_scaled(1.25 * 4.0, 2), 2);
    }

    #[test]
    fn e8m0_rounds_ties_up_and_has_no_zero() {
        assert_eq!(e8m0_cast(1.0), 127);
        assert_eq!(e8m0_cast(1.5), 128);
        assert_eq!(e8m0_cast(1.4999999), 127);
        assert_eq!(e8m0_cast(48.0), 133);
        assert_eq!(e8m0_cast(0.0), 0xFF);
        assert_eq!(e8m0_cast(-1.0), 0xFF);
        assert_eq!(e8m0_cast(f32::from_bits(1)), 0);
        assert_eq!(e8m0_cast(f32::MAX), 0xFF);
        assert_eq!(e8m0_value(0), 2f64.powi(-127));
        assert_eq!(e8m0_value(254), 2f64.powi(127));
        assert!(e8m0_value(255).is_nan());
    }

    #[test]
    fn int8_elements_are_symmetric() {
        assert_eq!(int8_cast(1.0), 64);
        assert_eq!(int8_cast(2.0), 127);
        assert_eq!(int8_cast(-2.0), -127);
        assert_eq!(int8_cast(0.5 / 64.0), 0);
        assert_eq!(int8_cast(1.5 / 64.0), 2);
        assert_eq!(int8_value(-128), -2.0);
    }
}
