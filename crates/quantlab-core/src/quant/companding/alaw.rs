//! A-law: continuous companding around a uniform quantizer, and the 8-bit G.711 codec.
//!
//! ## Continuous A-law
//!
//! Same three steps and the same absmax normalisation `x̃ = x / max|x|` as μ-law
//! ([`crate::quant::companding`], whose [`CompandingQuantizer`](crate::quant::companding::CompandingQuantizer)
//! does the work), with the A-law curve for `A ≥ 1`:
//!
//! ```text
//! F(x̃) = sign(x̃) · A|x̃| / (1 + ln A)               for |x̃| < 1/A
//! F(x̃) = sign(x̃) · (1 + ln(A|x̃|)) / (1 + ln A)      for 1/A ≤ |x̃| ≤ 1
//! F⁻¹(y) = sign(y) · |y|(1 + ln A) / A               for |y| < 1/(1 + ln A)
//! F⁻¹(y) = sign(y) · exp(|y|(1 + ln A) − 1) / A      otherwise
//! ```
//!
//! Linear near zero, logarithmic above `1/A`; `A = 1` is the identity. G.711 uses
//! `A = 87.6` (ITU-T Rec. G.711 (11/1988), §2 and Table 1a).
//!
//! ## G.711 A-law codec
//!
//! [`encode_alaw`] / [`decode_alaw`] implement the 8-bit A-law code of ITU-T Rec. G.711,
//! Table 1a, on 16-bit linear PCM whose 13 most significant bits are used (the 12-bit
//! magnitude `|x| >> 4`), as the ITU-T G.191 Software Tools Library does:
//!
//! ```text
//! magnitude m = x >> 4 for x ≥ 0, (−x − 1) >> 4 (ones' complement) for x < 0;   m ∈ 0..=2047
//! segment 0:       m < 16,  mantissa = m                   (step 16 in 16-bit units)
//! segment s ≥ 1:   s = ⌊log2 m⌋ − 3, mantissa = (m >> (s − 1)) & 0xF   (step 2^(s+3))
//! byte = (sign << 7 | s << 4 | mantissa) XOR 0x55     (sign = 1 for x ≥ 0; even bits inverted)
//! decode: t = 16·mantissa + 8 (segment 0), (16·(mantissa + 16) + 8) << (s − 1) (s ≥ 1)
//! ```
//!
//! The decoder returns the middle of the step; there is no code for zero (`±8` are the
//! smallest levels) and every one of the 256 codes is a distinct level.

use crate::error::Result;
use crate::quant::companding::compander::Compander;
use crate::quant::kernel::check_a_law;

/// The A of G.711 (European telephone networks). Source: ITU-T Rec. G.711 (11/1988), §2.
pub const G711_A: f64 = 87.6;

/// The even-bit inversion mask of G.711 A-law bytes (`0x55` = bits 0, 2, 4, 6).
/// Source: ITU-T Rec. G.711, Table 1a, note on character signal inversion.
pub const ALAW_EVEN_BITS: u8 = 0x55;

/// The A-law curve with a validated `A ≥ 1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ALaw {
    a: f64,
    /// `1 + ln A`.
    k: f64,
}

impl ALaw {
    /// A-law with parameter `a`; errors unless `a` is finite and `≥ 1`.
    pub fn new(a: f64) -> Result<Self> {
        check_a_law(a)?;
        Ok(ALaw { a, k: 1.0 + a.ln() })
    }

    /// The parameter A.
    pub fn a(&self) -> f64 {
        self.a
    }
}

impl Compander for ALaw {
    /// `F(x) = sign(x)·A|x|/(1 + ln A)` below `1/A`, `sign(x)·(1 + ln(A|x|))/(1 + ln A)` above.
    fn compress(&self, x: f64) -> f64 {
        let ax = self.a * x.abs();
        let y = if ax < 1.0 {
            ax / self.k
        } else {
            (1.0 + ax.ln()) / self.k
        };
        y.min(1.0).copysign(x)
    }

    /// `F⁻¹(y) = sign(y)·|y|(1 + ln A)/A` below `1/(1 + ln A)`,
    /// `sign(y)·exp(|y|(1 + ln A) − 1)/A` above.
    fn expand(&self, y: f64) -> f64 {
        let t = y.abs() * self.k;
        let x = if t < 1.0 {
            t / self.a
        } else {
            (t - 1.0).exp() / self.a
        };
        x.min(1.0).copysign(y)
    }
}

/// G.711 A-law encoder: 16-bit linear PCM → 8-bit code (see the module docs).
///
/// `encode_alaw(0) = 0xD5`, `encode_alaw(−1) = 0x55`, `encode_alaw(32767) = 0xAA`,
/// `encode_alaw(−32768) = 0x2A`.
pub fn encode_alaw(x: i16) -> u8 {
    let (sign, m): (u8, u16) = if x >= 0 {
        (0x80, (x >> 4) as u16)
    } else {
        (0x00, ((!x) >> 4) as u16) // !x = −x − 1 ≥ 0
    };
    // m ∈ 0..=2047.
    let (segment, mantissa) = if m < 16 {
        (0u8, m as u8)
    } else {
        let s = (15 - m.leading_zeros()) as u8 - 3; // ⌊log2 m⌋ − 3 ∈ 1..=7
        (s, ((m >> (s - 1)) & 0xF) as u8)
    };
    (sign | segment << 4 | mantissa) ^ ALAW_EVEN_BITS
}

/// G.711 A-law decoder: 8-bit code → 16-bit linear PCM, the middle of the code's step.
///
/// `decode_alaw(0xD5) = 8`, `0x55 → −8`, `0xAA → 32256`, `0x2A → −32256`.
pub fn decode_alaw(code: u8) -> i16 {
    let c = code ^ ALAW_EVEN_BITS;
    let segment = u32::from((c >> 4) & 0x7);
    let mantissa = i32::from(c & 0xF);
    let magnitude = if segment == 0 {
        (mantissa << 4) + 8
    } else {
        (((mantissa + 16) << 4) + 8) << (segment - 1) // ≤ 32256
    };
    let v = if c & 0x80 != 0 { magnitude } else { -magnitude };
    v as i16
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::error::QuantError;
    use crate::quant::companding::{CompandingQuantizer, G711Law, G711Quantizer};
    use crate::quant::quantizer::Quantizer;
    use crate::quant::types::Granularity;

    #[test]
    fn a_law_curve_is_continuous_at_one_over_a_and_inverts() {
        let law = ALaw::new(G711_A).unwrap();
        let knee = 1.0 / G711_A;
        let below = law.compress(knee * (1.0 - 1e-12));
        let above = law.compress(knee);
        assert!((below - above).abs() < 1e-10);
        // F(1/A) = 1/(1 + ln A) ≈ 0.1827 for A = 87.6.
        assert!((above - 1.0 / (1.0 + G711_A.ln())).abs() < 1e-15);
        assert_eq!(law.compress(1.0), 1.0);
        for i in -200..=200 {
            let x = f64::from(i) / 200.0;
            assert!((law.expand(law.compress(x)) - x).abs() < 1e-12, "{x}");
        }
    }

    #[test]
    fn a_equal_one_is_linear() {
        let law = ALaw::new(1.0).unwrap();
        for x in [-1.0, -0.3, 0.0, 0.42, 1.0] {
            assert!((law.compress(x) - x).abs() < 1e-15);
        }
    }

    #[test]
    fn a_below_one_or_not_finite_is_an_error() {
        assert!(matches!(
            ALaw::new(0.99),
            Err(QuantError::InvalidParameter(_))
        ));
        assert!(ALaw::new(f64::NAN).is_err());
        assert!(ALaw::new(f64::INFINITY).is_err());
    }

    #[test]
    fn a_law_quantizer_has_two_to_the_b_ascending_levels() {
        let x: Vec<f32> = (0..64).map(|i| ((i as f32) * 0.7).cos() * 3.0).collect();
        let q = CompandingQuantizer::fit(
            ALaw::new(G711_A).unwrap(),
            4,
            &x,
            &[],
            Granularity::PerTensor,
        )
        .unwrap();
        let l = q.levels();
        assert_eq!(l.len(), 16);
        assert!(l.windows(2).all(|w| w[0] < w[1]));
        let y = q.quantize_dequantize(&x).unwrap();
        // Every value lands on a level.
        assert!(y.iter().all(|v| l.contains(v)));
    }

    /// The A-law expander as ITU-T G.191 (STL) `alaw_expand` arranges it:
    /// odd multiples of 8 with an implicit leading 1 above segment 0.
    fn itu_expand(code: u8) -> i32 {
        let ix = i32::from((code ^ 0x55) & 0x7F);
        let e = ix >> 4;
        let mut m = ix & 0xF;
        if e > 0 {
            m += 16;
        }
        let mut v = (m << 4) + 8;
        if e > 1 {
            v <<= e - 1;
        }
        if code > 127 { v } else { -v }
    }

    #[test]
    fn alaw_decodes_the_reference_table_values() {
        // ITU-T G.711 Table 1a, in the 16-bit scaling of Sun's g711.c `alaw2linear`.
        let table = [
            (0xD5, 8),
            (0x55, -8),
            (0xAA, 32256),
            (0x2A, -32256),
            (0x00, -5504),
            (0x01, -5248),
            (0x02, -6016),
            (0x03, -5760),
            (0x04, -4480),
            (0x80, 5504),
            (0xD4, 24),
            (0xFA, 1008),
        ];
        for (code, value) in table {
            assert_eq!(decode_alaw(code), value, "code {code:#04x}");
        }
        for code in 0..=255u8 {
            assert_eq!(
                i32::from(decode_alaw(code)),
                itu_expand(code),
                "{code:#04x}"
            );
        }
    }

    #[test]
    fn alaw_encodes_reference_samples() {
        let cases = [
            (0i16, 0xD5u8),
            (7, 0xD5),
            (15, 0xD5),
            (16, 0xD4),
            (-1, 0x55),
            (-16, 0x55),
            (-17, 0x54),
            (1000, 0xFA),
            (32767, 0xAA),
            (-32768, 0x2A),
        ];
        for (x, code) in cases {
            assert_eq!(encode_alaw(x), code, "x = {x}");
        }
    }

    #[test]
    fn alaw_round_trip_errs_by_at_most_half_a_step() {
        for x in i16::MIN..=i16::MAX {
            let c = encode_alaw(x);
            let y = decode_alaw(c);
            let segment = u32::from(((c ^ 0x55) >> 4) & 7);
            let step = if segment == 0 {
                16
            } else {
                1i32 << (segment + 3)
            };
            let err = (i32::from(x) - i32::from(y)).abs();
            assert!(2 * err <= step, "x = {x}: {y}");
        }
    }

    #[test]
    fn alaw_reencodes_every_decoded_code() {
        for c in 0..=255u8 {
            assert_eq!(encode_alaw(decode_alaw(c)), c, "{c:#04x}");
        }
    }

    #[test]
    fn alaw_codec_is_monotone_with_256_distinct_levels() {
        let mut last = i16::MIN;
        for x in i16::MIN..=i16::MAX {
            let y = decode_alaw(encode_alaw(x));
            assert!(y >= last, "x = {x}");
            last = y;
        }
        let mut all: Vec<i16> = (0..=255u8).map(decode_alaw).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 256);
    }

    #[test]
    fn g711_a_law_quantizer_uses_all_256_levels() {
        let x = [-1.0f32, 0.0, 0.25, 1.0];
        let q = G711Quantizer::fit(G711Law::ALaw, &x, &[], Granularity::PerTensor).unwrap();
        assert_eq!(q.levels().len(), 256);
        assert_eq!(q.quantize(&x).unwrap()[3], 0xAA);
        assert_eq!(q.quantize(&x).unwrap()[1], 0xD5);
    }
}
