//! Small floating-point formats: FP4 E2M1, FP8 E4M3 and E5M2, and fp16 / bf16.
//!
//! A code is `sign | exponent | mantissa` with `E` exponent bits, `M` mantissa bits and
//! bias `B`:
//!
//! ```text
//! exponent field e = 0 (subnormal):  v = (−1)^s · m/2^M · 2^(1 − B)
//! e > 0 (normal):                    v = (−1)^s · (1 + m/2^M) · 2^(e − B)
//! ```
//!
//! | format | E | M | B | max | smallest subnormal | specials |
//! |---|---|---|---|---|---|---|
//! | FP4 E2M1 | 2 | 1 | 1 | 6 | 0.5 | none (magnitudes 0, 0.5, 1, 1.5, 2, 3, 4, 6) |
//! | FP8 E4M3 ("fn") | 4 | 3 | 7 | 448 | 2^−9 | NaN = S.1111.111 only; no infinities |
//! | FP8 E5M2 | 5 | 2 | 15 | 57344 | 2^−16 | IEEE-like: e = 31 is ±∞ (m = 0) or NaN |
//! | fp16 (IEEE binary16) | 5 | 10 | 15 | 65504 | 2^−24 | IEEE |
//! | bf16 | 8 | 7 | 127 | ≈ 3.39·10^38 | 2^−133 | IEEE |
//!
//! Sources: OCP "OCP 8-bit Floating Point Specification (OFP8)" rev. 1.0 (2023), Table 1
//! (E4M3 and E5M2) and the OCP "Microscaling Formats (MX) v1.0" specification, §5.3.3
//! (FP4 E2M1); Micikevicius et al., "FP8 Formats for Deep Learning", arXiv:2209.05433
//! (NVIDIA's E4M3 without infinities). fp16 and bf16 go through the `half` crate.
//!
//! **Encoding** rounds to the nearest representable value, ties to even (the code with
//! an even mantissa), and **saturates**: magnitudes beyond the format's max (±∞ included)
//! become ±max, never ∞ or NaN. NaN input is an error. The sign of zero is kept.
//!
//! **Scaling.** FP4 and FP8 have a tiny range, so [`MiniFloatQuantizer`] divides each scale
//! group (per tensor, per channel or per group) by `s = max|x| / max_format` (one `f32` per
//! group, an `f32` quotient) and stores codes of the `f32` quotient `x/s`: the absmax lands
//! on the format's max; the value is the `f32` product `decode(code)·s`. fp16 and bf16
//! are plain casts (`s = 1`, no metadata), saturating at their max.

use half::{bf16, f16};

use crate::error::{QuantError, Result, check_finite};
use crate::pack::packed_len;
use crate::quant::fast;
use crate::quant::fast::minifloat::MiniF32;
use crate::quant::granularity::GroupLayout;
use crate::quant::inspect::{
    BlockDecode, DecodeStep, Head, ScaleFormat, StepKind, check_block, check_data, check_values,
    elements_of, window,
};
use crate::quant::kernel::check_len;
use crate::quant::kernel::code_in_range;
use crate::quant::kernel::round_half_even;
use crate::quant::quantizer::Quantizer;
use crate::quant::types::{Fp8Format, Granularity};

/// A floating-point storage format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FloatFormat {
    /// FP4 E2M1 (OCP MX): max 6.
    E2m1,
    /// FP8 E4M3, the "fn" variant (OCP OFP8, NVIDIA): max 448, no infinities.
    E4m3,
    /// FP8 E5M2 (OCP OFP8): max 57344, with infinities.
    E5m2,
    /// IEEE 754 binary16: max 65504.
    F16,
    /// bfloat16: the top half of an `f32`.
    Bf16,
}

impl From<Fp8Format> for FloatFormat {
    fn from(f: Fp8Format) -> Self {
        match f {
            Fp8Format::E4m3 => FloatFormat::E4m3,
            Fp8Format::E5m2 => FloatFormat::E5m2,
        }
    }
}

impl FloatFormat {
    /// Every format, narrowest first.
    pub const ALL: [FloatFormat; 5] = [
        FloatFormat::E2m1,
        FloatFormat::E4m3,
        FloatFormat::E5m2,
        FloatFormat::F16,
        FloatFormat::Bf16,
    ];

    /// Bits per code, sign included.
    pub fn bits(self) -> u32 {
        1 + self.exponent_bits() + self.mantissa_bits()
    }

    /// Exponent bits `E`.
    pub fn exponent_bits(self) -> u32 {
        match self {
            FloatFormat::E2m1 => 2,
            FloatFormat::E4m3 => 4,
            FloatFormat::E5m2 | FloatFormat::F16 => 5,
            FloatFormat::Bf16 => 8,
        }
    }

    /// Mantissa (fraction) bits `M`.
    pub fn mantissa_bits(self) -> u32 {
        match self {
            FloatFormat::E2m1 => 1,
            FloatFormat::E4m3 => 3,
            FloatFormat::E5m2 => 2,
            FloatFormat::F16 => 10,
            FloatFormat::Bf16 => 7,
        }
    }

    /// Exponent bias `B = 2^(E−1) − 1`.
    pub fn bias(self) -> i32 {
        (1 << (self.exponent_bits() - 1)) - 1
    }

    /// The largest finite value: 6, 448, 57344, 65504, `(2 − 2^−7)·2^127`.
    pub fn max(self) -> f64 {
        self.decode_raw(self.max_finite_code())
    }

    /// The smallest positive (subnormal) value, `2^(1 − B − M)`.
    pub fn min_subnormal(self) -> f64 {
        2f64.powi(1 - self.bias() - self.mantissa_bits() as i32)
    }

    /// The code of `+max`: the largest non-negative finite code (codes of negative values
    /// add the sign bit `1 << (bits − 1)`).
    pub fn max_finite_code(self) -> u16 {
        match self {
            FloatFormat::E2m1 => 0x7,
            FloatFormat::E4m3 => 0x7E,
            FloatFormat::E5m2 => 0x7B,
            FloatFormat::F16 => 0x7BFF,
            FloatFormat::Bf16 => 0x7F7F,
        }
    }

    fn sign_bit(self) -> u16 {
        1 << (self.bits() - 1)
    }

    /// The value of `code` (any bit pattern of the format's width, NaN and ±∞ included).
    fn decode_raw(self, code: u16) -> f64 {
        match self {
            FloatFormat::F16 => return f64::from(f16::from_bits(code).to_f32()),
            FloatFormat::Bf16 => return f64::from(bf16::from_bits(code).to_f32()),
            _ => {}
        }
        let (eb, mb) = (self.exponent_bits(), self.mantissa_bits());
        let negative = code & self.sign_bit() != 0;
        let e = i32::from((code >> mb) & ((1 << eb) - 1));
        let m = i32::from(code & ((1 << mb) - 1));
        let e_all_ones = e == (1 << eb) - 1;
        let special = match self {
            FloatFormat::E4m3 if e_all_ones && m == (1 << mb) - 1 => Some(f64::NAN),
            FloatFormat::E5m2 if e_all_ones && m == 0 => Some(f64::INFINITY),
            FloatFormat::E5m2 if e_all_ones => Some(f64::NAN),
            _ => None,
        };
        let magnitude = special.unwrap_or_else(|| {
            let m_scale = f64::from(1u32 << mb);
            if e == 0 {
                f64::from(m) / m_scale * pow2(1 - self.bias())
            } else {
                (1.0 + f64::from(m) / m_scale) * pow2(e - self.bias())
            }
        });
        if negative { -magnitude } else { magnitude }
    }

    /// Decodes `code` to its value: NaN codes give NaN, infinity codes ±∞.
    ///
    /// Errors if `code` does not fit in [`FloatFormat::bits`] bits.
    pub fn decode(self, code: u16) -> Result<f32> {
        if u32::from(code) >= 1u32 << self.bits() {
            return Err(QuantError::InvalidParameter(format!(
                "{code:#x} is not a {}-bit code",
                self.bits()
            )));
        }
        Ok(self.decode_raw(code) as f32)
    }

    /// Encodes `x`: round to nearest, ties to even, saturating at `±max` (see the module
    /// docs). Errors on NaN.
    pub fn encode(self, x: f32) -> Result<u16> {
        if x.is_nan() {
            return Err(QuantError::NonFinite { index: 0, value: x });
        }
        Ok(match self {
            FloatFormat::F16 => {
                f16::from_f32(x.clamp(-f16::MAX.to_f32(), f16::MAX.to_f32())).to_bits()
            }
            FloatFormat::Bf16 => {
                bf16::from_f32(x.clamp(-bf16::MAX.to_f32(), bf16::MAX.to_f32())).to_bits()
            }
            _ => self.encode_f64(f64::from(x)),
        })
    }

    /// Encodes a non-NaN `f64` by exponent and mantissa arithmetic (exact for every format
    /// narrower than `f64`); see [`FloatFormat::encode`].
    fn encode_f64(self, x: f64) -> u16 {
        let sign = if x.is_sign_negative() {
            self.sign_bit()
        } else {
            0
        };
        let max_code = self.max_finite_code();
        let v = x.abs().min(self.max());
        let mb = self.mantissa_bits() as i32;
        let emin = 1 - self.bias(); // exponent of the smallest normal
        let code = if v < pow2(emin) {
            // Subnormal: multiples of 2^(emin − M); rounding up to 2^M lands on the smallest
            // normal, whose code is exactly 2^M.
            round_half_even(v / pow2(emin - mb))
        } else {
            // v is a normal f64 here: read its binary exponent from the bits.
            let e = ((v.to_bits() >> 52) & 0x7FF) as i32 - 1023;
            let r = round_half_even(v / pow2(e - mb)); // in [2^M, 2^(M+1)]
            f64::from((e - emin + 1) << mb) + r - f64::from(1 << mb)
        };
        (code as u16).min(max_code) | sign
    }
}

impl FloatFormat {
    /// The format as [`MiniF32`] bit-arithmetic rounding (FP4 and FP8 only; fp16 and bf16
    /// give their own mantissa width, which [`MiniF32`] also handles).
    pub fn rounding(self) -> MiniF32 {
        MiniF32 {
            mantissa_bits: self.mantissa_bits(),
            emin: 1 - self.bias(),
            max: self.max() as f32,
        }
    }
}

/// `2^k` exactly, built from its bits (`k` within the normal `f64` exponents, which covers
/// every format here).
#[inline]
fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// A fitted minifloat quantizer: one scale per group (FP4/FP8) or none (fp16/bf16).
#[derive(Debug, Clone, PartialEq)]
pub struct MiniFloatQuantizer {
    /// The storage format.
    pub format: FloatFormat,
    /// Which values share a scale.
    pub layout: GroupLayout,
    /// `s = max|x| / max_format` per group (FP4/FP8), or a single 1 (fp16/bf16, unscaled).
    pub scales: Vec<f32>,
}

impl MiniFloatQuantizer {
    /// Whether the format is stored with a scale (FP4 and FP8) or cast directly.
    pub fn is_scaled(format: FloatFormat) -> bool {
        !matches!(format, FloatFormat::F16 | FloatFormat::Bf16)
    }

    /// Fits the per-group scales of `data` (ignored granularity for fp16/bf16).
    pub fn fit(
        format: FloatFormat,
        data: &[f32],
        shape: &[usize],
        granularity: Granularity,
    ) -> Result<Self> {
        if data.is_empty() {
            check_finite(data)?;
        }
        let granularity = if Self::is_scaled(format) {
            granularity
        } else {
            Granularity::PerTensor
        };
        let layout = GroupLayout::new(granularity, shape, data.len())?;
        let (absmax, finite) = fast::groups::group_absmax(&layout, data);
        if !finite {
            check_finite(data)?;
        }
        let scales = if Self::is_scaled(format) {
            // The `f32` quotient: the group's absmax lands on the format's max.
            let max = format.max() as f32;
            absmax.into_iter().map(|a| a / max).collect()
        } else {
            vec![1.0]
        };
        Ok(MiniFloatQuantizer {
            format,
            layout,
            scales,
        })
    }

    /// The code of `x` with scale `s`.
    fn code(&self, x: f32, s: f32) -> u16 {
        if !Self::is_scaled(self.format) {
            // x is finite (checked), so encode cannot fail; 0 is +0 for every format.
            return self.format.encode(x).unwrap_or(0);
        }
        // The `f32` quotient, as NumPy divides a `float32` array.
        let v = if s > 0.0 { x / s } else { 0.0 };
        self.format.encode_f64(f64::from(v))
    }

    /// `decode(code)·s`.
    fn value(&self, code: u16, s: f32) -> f64 {
        self.format.decode_raw(code) * f64::from(s)
    }
}

impl Quantizer for MiniFloatQuantizer {
    fn inspect_blocks(&self) -> usize {
        self.scales.len()
    }

    /// FP4/FP8: the group's `f32` scale `s = max|x| / max`, then the element codes; fp16 and
    /// bf16: the whole tensor, codes only.
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode> {
        check_data(data.len(), self.layout.len())?;
        check_block(block, self.scales.len())?;
        let s = self.scales[block];
        let members = self.layout.members(block);
        check_values(data, members[window(members.len(), first)].iter().copied())?;
        let elements = elements_of(
            data,
            &members,
            first,
            (f64::from(s), 0.0),
            |x| {
                let c = self.code(x, s);
                (i32::from(c), u32::from(c), self.format.decode_raw(c))
            },
            |c| self.value(c as u16, s) as f32,
        );
        let scaled = Self::is_scaled(self.format);
        let (steps, bytes) = if scaled {
            let amax = self.format.max() * f64::from(s);
            (
                vec![
                    DecodeStep::derived(StepKind::Absmax, None, "max|x|", amax),
                    ScaleFormat::F32.step(StepKind::GridScale, "s = max|x| / max", f64::from(s)),
                ],
                ScaleFormat::F32.bytes(f64::from(s)),
            )
        } else {
            (
                vec![DecodeStep::derived(
                    StepKind::Cast,
                    None,
                    "x̂ = cast(x)",
                    self.format.max(),
                )],
                Vec::new(),
            )
        };
        let head = Head {
            block,
            blocks: self.scales.len(),
            len: members.len(),
            code_bits: self.format.bits(),
            bytes,
            steps,
        };
        Ok(head.with_codes(first, elements))
    }

    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        check_len(self.layout.len(), data.len())?;
        check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| i32::from(self.code(x, self.scales[self.layout.group_of(i)])))
            .collect())
    }

    /// One vectorized pass rounding by bit arithmetic ([`MiniF32`]): equal to
    /// `dequantize(quantize(data))` value for value.
    fn quantize_dequantize(&self, data: &[f32]) -> Result<Vec<f32>> {
        if !Self::is_scaled(self.format) {
            return self.dequantize(&self.quantize(data)?);
        }
        check_len(self.layout.len(), data.len())?;
        let f = self.format.rounding();
        let mut out = fast::buffer::zeroed(data.len());
        let level = fast::level();
        let mut clean = true;
        self.layout.for_each_run(|g, r| {
            let (xs, o) = (&data[r.clone()], &mut out[r]);
            clean &= fast::dispatch::minifloat(level, &f, self.scales[g], xs, o);
        });
        if clean {
            Ok(out)
        } else {
            // A NaN or ±∞ in or out: the two-pass path names the first one.
            self.dequantize(&self.quantize(data)?)
        }
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        check_len(self.layout.len(), codes.len())?;
        let n = 1u32 << self.format.bits();
        codes
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let c = code_in_range(c, n, i)? as u16;
                let v = self.value(c, self.scales[self.layout.group_of(i)]);
                if v.is_finite() {
                    Ok(v as f32)
                } else {
                    Err(QuantError::InvalidParameter(format!(
                        "code {c:#x} at index {i} is NaN or infinity in {:?}, not a number",
                        self.format
                    )))
                }
            })
            .collect()
    }

    fn levels(&self) -> Vec<f32> {
        let s = self.scales.first().copied().unwrap_or(0.0);
        let top = self.format.max_finite_code();
        let sign = self.format.sign_bit();
        let mut v: Vec<f32> = (0..=top)
            .flat_map(|c| [c, c | sign])
            .map(|c| self.value(c, s) as f32)
            .collect();
        v.sort_by(f32::total_cmp);
        v.dedup();
        v
    }

    /// Packed codes plus one 32-bit scale per group for FP4/FP8; exactly 16 for fp16/bf16.
    fn bits_per_value(&self) -> f64 {
        let n = self.layout.len();
        let meta = if Self::is_scaled(self.format) {
            32.0 * self.scales.len() as f64
        } else {
            0.0
        };
        (8.0 * packed_len(n, self.format.bits()) as f64 + meta) / n as f64
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::quant::kernel::nearest_index;
    use crate::quant::types::Tie;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn dec(f: FloatFormat, c: u16) -> f32 {
        f.decode(c).unwrap()
    }

    #[test]
    fn every_e2m1_code_decodes_to_the_ocp_table() {
        let magnitudes = [0.0f32, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0];
        for (c, &m) in magnitudes.iter().enumerate() {
            assert_eq!(dec(FloatFormat::E2m1, c as u16), m);
            assert_eq!(dec(FloatFormat::E2m1, c as u16 | 8), -m);
            assert_eq!(FloatFormat::E2m1.encode(m).unwrap(), c as u16);
            assert_eq!(FloatFormat::E2m1.encode(-m).unwrap(), c as u16 | 8);
        }
        assert_eq!(FloatFormat::E2m1.max(), 6.0);
        assert!(FloatFormat::E2m1.decode(16).is_err());
    }

    #[test]
    fn every_e4m3_code_decodes_by_the_ocp_formula() {
        let f = FloatFormat::E4m3;
        for c in 0..=255u16 {
            let (s, e, m) = ((c >> 7) & 1, i32::from((c >> 3) & 0xF), f64::from(c & 7));
            let v = dec(f, c);
            if e == 15 && m == 7.0 {
                assert!(v.is_nan(), "{c:#x}");
                continue;
            }
            let mag = if e == 0 {
                m / 8.0 * 2f64.powi(-6)
            } else {
                (1.0 + m / 8.0) * 2f64.powi(e - 7)
            };
            let want = if s == 1 { -mag } else { mag };
            assert_eq!(f64::from(v), want, "{c:#x}");
            assert_eq!(f.encode(v).unwrap(), c, "{c:#x}");
        }
        assert_eq!(dec(f, 0x7E), 448.0);
        assert_eq!(dec(f, 0xFE), -448.0);
        assert_eq!(dec(f, 0x38), 1.0);
        assert_eq!(dec(f, 0x08), 2f32.powi(-6));
        assert_eq!(dec(f, 0x01), 2f32.powi(-9));
        assert_eq!(dec(f, 0x7D), 416.0);
        assert!(dec(f, 0x7F).is_nan() && dec(f, 0xFF).is_nan());
        assert_eq!(f.max(), 448.0);
        assert_eq!(f.min_subnormal(), 2f64.powi(-9));
    }

    #[test]
    fn every_e5m2_code_is_the_top_byte_of_an_fp16() {
        // E5M2 has fp16's exponent: its code c is the fp16 bit pattern c << 8.
        let f = FloatFormat::E5m2;
        for c in 0..=255u16 {
            let v = dec(f, c);
            let h = f16::from_bits(c << 8).to_f32();
            assert!(v == h || (v.is_nan() && h.is_nan()), "{c:#x}: {v} vs {h}");
            if v.is_finite() {
                assert_eq!(f.encode(v).unwrap(), c, "{c:#x}");
            }
        }
        assert_eq!(dec(f, 0x7B), 57344.0);
        assert_eq!(dec(f, 0x7C), f32::INFINITY);
        assert_eq!(dec(f, 0xFC), f32::NEG_INFINITY);
        assert!(dec(f, 0x7D).is_nan());
        assert_eq!(dec(f, 0x3C), 1.0);
        assert_eq!(dec(f, 0x01), 2f32.powi(-16));
        assert_eq!(f.max(), 57344.0);
    }

    #[test]
    fn encoding_saturates_instead_of_overflowing() {
        for f in FloatFormat::ALL {
            let top = f.max_finite_code();
            let neg = top | f.sign_bit();
            assert_eq!(f.encode(f32::INFINITY).unwrap(), top, "{f:?}");
            assert_eq!(f.encode(f32::NEG_INFINITY).unwrap(), neg, "{f:?}");
            assert_eq!(f.encode(f32::MAX).unwrap(), top, "{f:?}");
            assert_eq!(f.encode(-f32::MAX).unwrap(), neg, "{f:?}");
            assert!(f.encode(f32::NAN).is_err(), "{f:?}");
        }
        assert_eq!(FloatFormat::E4m3.encode(460.0).unwrap(), 0x7E);
        assert_eq!(FloatFormat::E4m3.encode(1000.0).unwrap(), 0x7E);
        assert_eq!(FloatFormat::F16.encode(65520.0).unwrap(), 0x7BFF);
        assert_eq!(FloatFormat::F16.max(), 65504.0);
    }

    #[test]
    fn ties_round_to_the_even_code_including_subnormals() {
        let f = FloatFormat::E2m1;
        let cases = [
            (0.25, 0),
            (0.75, 2),
            (1.25, 2),
            (1.75, 4),
            (2.5, 4),
            (3.5, 6),
            (5.0, 6),
            (5.1, 7),
        ];
        for (x, c) in cases {
            assert_eq!(f.encode(x).unwrap(), c, "{x}");
        }
        let e4 = FloatFormat::E4m3;
        // Halfway between 0 and 2^−9 → 0; between 2^−9 and 2^−8 (m = 1, 2) → m = 2.
        assert_eq!(e4.encode(2f32.powi(-10)).unwrap(), 0x00);
        assert_eq!(e4.encode(3.0 * 2f32.powi(-10)).unwrap(), 0x02);
        assert_eq!(e4.encode(-3.0 * 2f32.powi(-10)).unwrap(), 0x82);
        // Below half the smallest subnormal: zero, keeping the sign.
        assert_eq!(e4.encode(1e-10).unwrap(), 0x00);
        assert_eq!(e4.encode(-1e-10).unwrap(), 0x80);
        // Largest subnormal 7·2^−9 and smallest normal 2^−6 = 8·2^−9: 7.5·2^−9 → even (0x08).
        assert_eq!(e4.encode(7.5 * 2f32.powi(-9)).unwrap(), 0x08);
        assert_eq!(FloatFormat::E5m2.encode(2f32.powi(-17)).unwrap(), 0x00);
        assert_eq!(FloatFormat::E5m2.encode(2f32.powi(-16)).unwrap(), 0x01);
    }

    #[test]
    fn encode_agrees_with_a_brute_force_nearest_search() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        for f in [FloatFormat::E2m1, FloatFormat::E4m3, FloatFormat::E5m2] {
            let table: Vec<f64> = (0..=f.max_finite_code()).map(|c| f.decode_raw(c)).collect();
            for _ in 0..20_000 {
                let x: f64 =
                    rng.random_range(0.0..f.max() * 1.1) * 2f64.powi(rng.random_range(-20..1));
                let x = x as f32;
                let want = nearest_index(&table, f64::from(x), Tie::Even) as u16;
                assert_eq!(f.encode(x).unwrap(), want, "{f:?} {x}");
            }
        }
    }

    #[test]
    fn the_generic_encoder_matches_half_for_fp16_and_bf16() {
        let mut rng = ChaCha8Rng::seed_from_u64(16);
        for _ in 0..50_000 {
            let x = f32::from_bits(rng.random::<u32>());
            if x.is_nan() {
                continue;
            }
            for f in [FloatFormat::F16, FloatFormat::Bf16] {
                assert_eq!(
                    f.encode_f64(f64::from(x)),
                    f.encode(x).unwrap(),
                    "{f:?} {x}"
                );
            }
        }
    }

    #[test]
    fn fp16_and_bf16_are_plain_saturating_casts() {
        let x = [1.0f32, -2.5, 1e-8, 70000.0, std::f32::consts::PI];
        let q = MiniFloatQuantizer::fit(FloatFormat::F16, &x, &[], Granularity::PerTensor).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        assert_eq!(y[0], 1.0);
        assert_eq!(y[1], -2.5);
        assert_eq!(y[3], 65504.0);
        assert_eq!(y[4], f16::from_f32(std::f32::consts::PI).to_f32());
        assert_eq!(q.bits_per_value(), 16.0);
        let q =
            MiniFloatQuantizer::fit(FloatFormat::Bf16, &x, &[], Granularity::PerTensor).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        assert_eq!(y[4], 3.140625);
        assert_eq!(y[3], 70144.0);
    }

    #[test]
    fn scaled_formats_map_the_absmax_onto_the_format_max() {
        let x = [-3.0f32, 0.1, 1.0, 2.0];
        let q =
            MiniFloatQuantizer::fit(FloatFormat::E2m1, &x, &[], Granularity::PerTensor).unwrap();
        assert_eq!(q.scales, vec![0.5]);
        // x/s = −6, 0.2, 2, 4 → codes 0xF, 0, 4, 6.
        assert_eq!(q.quantize(&x).unwrap(), vec![0xF, 0, 4, 6]);
        assert_eq!(
            q.quantize_dequantize(&x).unwrap(),
            vec![-3.0, 0.0, 1.0, 2.0]
        );
        assert_eq!(
            q.levels(),
            vec![
                -3.0, -2.0, -1.5, -1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0,
                3.0
            ]
        );
        // ⌈4·4/8⌉ = 2 bytes + one 32-bit scale, over 4 values.
        assert_eq!(q.bits_per_value(), (16.0 + 32.0) / 4.0);
        // Per-group scales follow each group.
        let g = MiniFloatQuantizer::fit(
            FloatFormat::E4m3,
            &[448.0, 1.0, 4.48, 0.01],
            &[4],
            Granularity::PerGroup { size: 2 },
        )
        .unwrap();
        assert_eq!(g.scales.len(), 2);
        assert_eq!(g.quantize(&[448.0, 1.0, 4.48, 0.01]).unwrap()[0], 0x7E);
    }

    #[test]
    fn values_beyond_the_fitted_absmax_saturate_and_bad_codes_are_errors() {
        let q =
            MiniFloatQuantizer::fit(FloatFormat::E4m3, &[-1.0, 1.0], &[], Granularity::PerTensor)
                .unwrap();
        assert_eq!(
            q.quantize_dequantize(&[50.0, -50.0]).unwrap(),
            vec![1.0, -1.0]
        );
        assert!(q.dequantize(&[0x7F, 0]).is_err()); // NaN code
        assert!(q.dequantize(&[256, 0]).is_err());
        assert!(q.dequantize(&[-1, 0]).is_err());
        let e5 = MiniFloatQuantizer::fit(FloatFormat::E5m2, &[1.0], &[], Granularity::PerTensor)
            .unwrap();
        assert!(e5.dequantize(&[0x7C]).is_err()); // infinity code
    }

    #[test]
    fn zero_data_is_exact_and_empty_or_nan_data_is_an_error() {
        for f in FloatFormat::ALL {
            let q = MiniFloatQuantizer::fit(f, &[0.0; 3], &[], Granularity::PerTensor).unwrap();
            assert_eq!(
                q.quantize_dequantize(&[0.0; 3]).unwrap(),
                vec![0.0; 3],
                "{f:?}"
            );
            assert!(MiniFloatQuantizer::fit(f, &[], &[], Granularity::PerTensor).is_err());
            assert!(MiniFloatQuantizer::fit(f, &[f32::NAN], &[], Granularity::PerTensor).is_err());
        }
    }

    #[test]
    fn level_counts_match_the_formats() {
        let count = |f| {
            MiniFloatQuantizer::fit(f, &[1.0], &[], Granularity::PerTensor)
                .unwrap()
                .levels()
                .len()
        };
        assert_eq!(count(FloatFormat::E2m1), 15); // ±0 share a level
        assert_eq!(count(FloatFormat::E4m3), 253); // 256 − 2 NaN − 1 duplicate zero
        assert_eq!(count(FloatFormat::E5m2), 247); // 256 − 2·4 (∞, NaN) − 1
    }

    #[test]
    fn the_table_path_equals_quantize_then_dequantize() {
        let mut rng = ChaCha8Rng::seed_from_u64(41);
        let mut data: Vec<f32> = (0..8 * 48)
            .map(|_| rng.random_range(-3.0f32..3.0) * 10f32.powi(rng.random_range(-6..3)))
            .collect();
        data[5] = 0.0;
        data[6] = -0.0;
        for format in [FloatFormat::E2m1, FloatFormat::E4m3, FloatFormat::E5m2] {
            for granularity in [
                Granularity::PerTensor,
                Granularity::PerChannel { axis: 0 },
                Granularity::PerGroup { size: 32 },
            ] {
                for d in [&data, &vec![0.0f32; 8 * 48]] {
                    let q = MiniFloatQuantizer::fit(format, d, &[8, 48], granularity).unwrap();
                    let two = q.dequantize(&q.quantize(d).unwrap()).unwrap();
                    let one = q.quantize_dequantize(d).unwrap();
                    assert!(
                        two.iter()
                            .zip(&one)
                            .all(|(a, b)| a.to_bits() == b.to_bits()),
                        "{format:?} {granularity:?}"
                    );
                }
            }
        }
    }
}
