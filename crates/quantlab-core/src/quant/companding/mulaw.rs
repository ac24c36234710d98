//! μ-law: continuous companding around a uniform quantizer, and the 8-bit G.711 codec.
//!
//! ## Continuous μ-law (the course's three steps)
//!
//! The data is first **normalised** by the absolute maximum of its scale group,
//! `x̃ = x / max|x|` (so `x̃ ∈ [−1, 1]`; the absmax is stored as one `f32` per group, per
//! tensor by default). Then, for `μ > 0` and `b` bits:
//!
//! ```text
//! compress:   x_c = sign(x̃)·ln(1 + μ|x̃|) / ln(1 + μ)
//! quantize:   L = 2^b,  Δc = 2/(L − 1),  k = round((x_c + 1)/Δc) ∈ [0, L − 1],  Q_c = Δc·k − 1
//! expand:     Q(x̃) = sign(Q_c)·((1 + μ)^|Q_c| − 1)/μ,    Q(x) = max|x| · Q(x̃)
//! ```
//!
//! Precision: `x̃ = x / max|x|` is the `f32` quotient, the curve and the rounding run in
//! `f64`, and each level `F⁻¹(Q_c)` is rounded to `f32` before the `f32` product with
//! `max|x|`. The fast path turns this into thresholds on `x̃` and a table of levels
//! ([`crate::quant::fast::table`]), with the same codes for every `f32`.
//!
//! The code is the index `k`. Because `L` is even, `Q_c = (2k − (L − 1))/(L − 1)` is never
//! 0: like a mid-rise quantizer, zero is a decision threshold, and an input of exactly 0
//! rounds (half to even) to the smallest positive or negative level. Values beyond the
//! fitted absmax saturate at `±max|x|`. An all-zero group has absmax 0 and reconstructs as 0.
//!
//! The compander is a trait ([`Compander`]) so that [`crate::quant::companding::alaw`] reuses the same
//! quantizer ([`CompandingQuantizer`](crate::quant::companding::CompandingQuantizer)) with the A-law curve.
//!
//! ## G.711 μ-law codec
//!
//! [`encode_mulaw`] / [`decode_mulaw`] implement the 8-bit μ-law (μ = 255) PCM codec of
//! ITU-T Rec. G.711 (11/1988), Table 2a. The Recommendation codes a **14-bit** two's
//! complement sample; a 16-bit sample is first cut to its top 14 bits by an arithmetic
//! shift (`v = x >> 2`, so `−1` is the 14-bit `−1`, not `0`), then coded by sign and
//! magnitude:
//!
//! ```text
//! v = x >> 2                                      (−8192..=8191, 14-bit)
//! m = min(|v|, 8158) + 33                         (bias 33, clip 8158: m ≤ 2^13 − 1)
//! segment s = ⌊log2 m⌋ − 5 ∈ 0..=7,   mantissa = (m >> (s + 1)) & 0xF
//! byte = NOT(sign << 7 | s << 4 | mantissa)       (sign = 1 for negative v)
//! decode: y = ((mantissa << 3) + 132) << s − 132, negated when the sign bit is set
//! ```
//!
//! The decoder's values are those of Table 2a in 16-bit units (×4). Segment `s` has 16
//! steps of `2^(s+3)` (16-bit units, step doubling per segment); the decoder returns the
//! middle of the step. This is bit-exact with Python's `audioop.lin2ulaw` /
//! `ulaw2lin` on all 65,536 samples (`tests/g711_reference.rs`).

use crate::error::{Result, check_bits, check_finite};
use crate::quant::companding::compander::{Compander, MAX_BITS, MIN_BITS};
use crate::quant::kernel::{check_mu, round_half_even};

/// The μ of G.711 (and of the North American / Japanese telephone networks).
/// Source: ITU-T Rec. G.711 (11/1988), §3.
pub const G711_MU: f64 = 255.0;

/// Bias added to the magnitude before segmenting, 132 = 0x84 (16-bit formulation of
/// G.711 μ-law; it is 33 in the 14-bit units of the Recommendation).
pub const MULAW_BIAS: i32 = 0x84;

/// Largest magnitude the μ-law encoder codes; larger ones are clipped (32635 + 132 = 32767).
pub const MULAW_CLIP: i32 = 32635;

/// The μ-law curve with a validated `μ > 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MuLaw {
    mu: f64,
}

impl MuLaw {
    /// μ-law with parameter `mu`; errors unless `mu` is finite and `> 0`.
    pub fn new(mu: f64) -> Result<Self> {
        check_mu(mu)?;
        Ok(MuLaw { mu })
    }

    /// The parameter μ.
    pub fn mu(&self) -> f64 {
        self.mu
    }
}

impl Compander for MuLaw {
    /// `F(x) = sign(x)·ln(1 + μ|x|)/ln(1 + μ)`.
    fn compress(&self, x: f64) -> f64 {
        let y = (self.mu * x.abs()).ln_1p() / self.mu.ln_1p();
        y.min(1.0).copysign(x)
    }

    /// `F⁻¹(y) = sign(y)·((1 + μ)^|y| − 1)/μ`, evaluated as `expm1(|y|·ln(1 + μ))/μ`.
    fn expand(&self, y: f64) -> f64 {
        let x = (y.abs() * self.mu.ln_1p()).exp_m1() / self.mu;
        x.min(1.0).copysign(y)
    }
}

/// The course's μ-law quantizer applied to a whole signal, normalised by its absmax:
/// returns `Q(x)`. A standalone reference for [`CompandingQuantizer`](crate::quant::companding::CompandingQuantizer) with [`MuLaw`].
pub fn mu_law_course(x: &[f32], bits: u32, mu: f64) -> Result<Vec<f32>> {
    check_bits(bits, MIN_BITS, MAX_BITS)?;
    let law = MuLaw::new(mu)?;
    check_finite(x)?;
    let absmax = x.iter().fold(0.0f64, |m, &v| m.max(f64::from(v).abs()));
    if absmax == 0.0 {
        return Ok(x.to_vec());
    }
    let levels = f64::from(1u32 << bits);
    let dc = 2.0 / (levels - 1.0);
    Ok(x.iter()
        .map(|&v| {
            let xn = f64::from(v) / absmax;
            let xc = xn.signum() * (mu * xn.abs()).ln_1p() / mu.ln_1p();
            let qc = dc * round_half_even((xc + 1.0) / dc) - 1.0;
            (law.expand(qc) * absmax) as f32
        })
        .collect())
}

/// G.711 μ-law encoder: 16-bit linear PCM → 8-bit code (see the module docs).
///
/// `encode_mulaw(0) = 0xFF`, `encode_mulaw(−1) = 0x7E`, `encode_mulaw(32767) = 0x80`,
/// `encode_mulaw(−32768) = 0x00`.
pub fn encode_mulaw(x: i16) -> u8 {
    // The 14-bit sample of the Recommendation: the 16-bit one without its two lowest bits.
    let v = i32::from(x) >> 2; // −8192..=8191
    let sign: u8 = if v < 0 { 0x80 } else { 0 };
    let m = v.abs().min(MULAW_CLIP >> 2) + (MULAW_BIAS >> 2); // 33..=8191
    // m ≥ 33 > 2^5, so its top bit is bit 5..=12: segment 0..=7.
    let segment = (31 - m.leading_zeros()) as i32 - 5;
    let mantissa = ((m >> (segment + 1)) & 0xF) as u8;
    !(sign | (segment as u8) << 4 | mantissa)
}

/// G.711 μ-law decoder: 8-bit code → 16-bit linear PCM, the middle of the code's step.
///
/// `decode_mulaw(0x00) = −32124`, `0x7F → 0`, `0x80 → 32124`, `0xFF → 0`.
pub fn decode_mulaw(code: u8) -> i16 {
    let c = !code;
    let segment = i32::from((c >> 4) & 0x7);
    let mantissa = i32::from(c & 0xF);
    let magnitude = (((mantissa << 3) + MULAW_BIAS) << segment) - MULAW_BIAS; // ≤ 32124
    let v = if c & 0x80 != 0 { -magnitude } else { magnitude };
    v as i16
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::error::QuantError;
    use crate::metrics::snr_db;
    use crate::quant::companding::{
        CompandingQuantizer, G711Law, G711Quantizer, compressed_index, compressed_level,
    };
    use crate::quant::quantizer::Quantizer;
    use crate::quant::types::Granularity;

    fn mu(bits: u32, mu: f64, x: &[f32]) -> CompandingQuantizer<MuLaw> {
        CompandingQuantizer::fit(
            MuLaw::new(mu).unwrap(),
            bits,
            x,
            &[],
            Granularity::PerTensor,
        )
        .unwrap()
    }

    #[test]
    fn compress_and_expand_are_inverse_and_fix_the_ends() {
        let law = MuLaw::new(255.0).unwrap();
        for i in -100..=100 {
            let x = f64::from(i) / 100.0;
            assert!((law.expand(law.compress(x)) - x).abs() < 1e-12, "{x}");
        }
        assert_eq!(law.compress(1.0), 1.0);
        assert_eq!(law.compress(-1.0), -1.0);
        assert_eq!(law.compress(0.0), 0.0);
        // F(x) = ln(1 + 255x)/ln 256: F(0.1) = ln(26.5)/ln(256) ≈ 0.5912.
        assert!((law.compress(0.1) - 26.5f64.ln() / 256f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn course_step_two_bits_has_four_compressed_levels() {
        // L = 4, Δc = 2/3: Q_c ∈ {−1, −1/3, 1/3, 1}.
        let levels: Vec<f64> = (0..4).map(|k| compressed_level(k, 2)).collect();
        assert_eq!(levels, vec![-1.0, -1.0 / 3.0, 1.0 / 3.0, 1.0]);
        assert_eq!(compressed_index(-1.0, 2), 0);
        assert_eq!(compressed_index(0.1, 2), 2);
        assert_eq!(compressed_index(1.0, 2), 3);
        // (x_c + 1)/Δc = 0.5 exactly: half to even → 0.
        assert_eq!(compressed_index(-2.0 / 3.0, 2), 0);
    }

    #[test]
    fn quantizer_matches_the_course_reference() {
        let x: Vec<f32> = (0..301)
            .map(|i| ((i as f32) * 0.13).sin() * (0.02 + (i as f32) / 300.0))
            .collect();
        for bits in [1, 2, 3, 4, 8, 12] {
            for m in [1.0, 100.0, 255.0] {
                let q = mu(bits, m, &x);
                let got = q.quantize_dequantize(&x).unwrap();
                let want = mu_law_course(&x, bits, m).unwrap();
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - w).abs() <= 1e-6 * w.abs().max(1e-3), "b{bits} μ{m}");
                }
            }
        }
    }

    #[test]
    fn mu_law_beats_linear_on_a_quiet_signal_at_eight_bits() {
        // Fit on a full-scale ramp, then quantize a signal at 1% of full scale.
        let n = 1000;
        let full: Vec<f32> = (0..n)
            .map(|i| i as f32 / (n - 1) as f32 * 2.0 - 1.0)
            .collect();
        let quiet: Vec<f32> = (0..n).map(|i| 0.01 * ((i as f32) * 0.05).sin()).collect();
        let q = mu(8, 255.0, &full);
        let y = q.quantize_dequantize(&quiet).unwrap();
        let lin = crate::quant::linear::LinearQuantizer::fit(
            &full,
            &[],
            &crate::quant::scheme::Scheme {
                mode: crate::quant::types::Mode::MidRise,
                ..crate::quant::scheme::Scheme::default()
            },
        )
        .unwrap();
        let y_lin = lin.quantize_dequantize(&quiet).unwrap();
        assert!(snr_db(&quiet, &y) > snr_db(&quiet, &y_lin) + 10.0);
    }

    #[test]
    fn levels_are_ascending_odd_symmetric_and_reach_the_absmax() {
        let q = mu(3, 255.0, &[-2.0, 0.5, 2.0]);
        let l = q.levels();
        assert_eq!(l.len(), 8);
        assert!(l.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(l[0], -2.0);
        assert_eq!(l[7], 2.0);
        for i in 0..4 {
            assert!((l[i] + l[7 - i]).abs() < 1e-6);
        }
    }

    #[test]
    fn zero_and_constant_signals_are_exact_and_never_nan() {
        let q = mu(4, 255.0, &[0.0; 6]);
        assert_eq!(q.quantize_dequantize(&[0.0; 6]).unwrap(), vec![0.0; 6]);
        let q = mu(4, 255.0, &[-0.7; 3]);
        for v in q.quantize_dequantize(&[-0.7; 3]).unwrap() {
            assert!((v + 0.7).abs() < 1e-6, "{v}");
        }
    }

    #[test]
    fn values_beyond_the_fitted_range_saturate() {
        let q = mu(8, 255.0, &[-1.0, 1.0]);
        let y = q.quantize_dequantize(&[5.0, -9.0]).unwrap();
        assert_eq!(y, vec![1.0, -1.0]);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let m = MuLaw::new(255.0).unwrap();
        let g = Granularity::PerTensor;
        assert!(CompandingQuantizer::fit(m, 0, &[1.0], &[], g).is_err());
        assert!(CompandingQuantizer::fit(m, 17, &[1.0], &[], g).is_err());
        assert_eq!(
            CompandingQuantizer::fit(m, 8, &[], &[], g).unwrap_err(),
            QuantError::Empty
        );
        assert!(CompandingQuantizer::fit(m, 8, &[f32::NAN], &[], g).is_err());
        assert!(MuLaw::new(0.0).is_err());
        assert!(MuLaw::new(f64::INFINITY).is_err());
        let q = mu(2, 255.0, &[1.0, 2.0]);
        assert!(q.dequantize(&[0, 4]).is_err());
        assert!(q.dequantize(&[-1, 0]).is_err());
        assert!(q.quantize(&[1.0]).is_err());
        assert!(mu_law_course(&[1.0], 2, -1.0).is_err());
    }

    #[test]
    fn bits_per_value_counts_packed_codes_and_the_absmax() {
        let x = vec![0.5f32; 100];
        let q = mu(3, 255.0, &x);
        // ⌈300/8⌉ = 38 bytes = 304 bits, + 32 for the absmax.
        assert_eq!(q.bits_per_value(), (304.0 + 32.0) / 100.0);
    }

    #[test]
    fn huge_mu_stays_finite() {
        let q = mu(8, 1e300, &[-1.0, 0.25, 1.0]);
        let y = q.quantize_dequantize(&[-1.0, 0.25, 1.0]).unwrap();
        assert!(y.iter().all(|v| v.is_finite()));
        let q = mu(8, 1e-300, &[-1.0, 0.25, 1.0]);
        let y = q.quantize_dequantize(&[-1.0, 0.25, 1.0]).unwrap();
        // A tiny μ is linear: 0.25 is within half a step (1/255) of a level.
        assert!((y[1] - 0.25).abs() <= 1.0 / 255.0 + 1e-6, "{y:?}");
    }

    // ---- G.711 ----

    /// The μ-law expander as ITU-T G.191 (STL) writes it, in 16-bit units:
    /// `sign·((0x80 << e) + step·m + step/2 − 4·33)` with `step = 8 << e`.
    fn itu_expand(code: u8) -> i32 {
        let c = !code;
        let e = i32::from((c >> 4) & 7);
        let m = i32::from(c & 0xF);
        let step = 8 << e;
        let v = (0x80 << e) + step * m + step / 2 - 132;
        if code < 0x80 { -v } else { v }
    }

    #[test]
    fn mulaw_decodes_the_reference_table_values() {
        // ITU-T G.711 Table 2a, in the 16-bit scaling of Sun's g711.c `ulaw2linear`.
        let table = [
            (0x00, -32124),
            (0x01, -31100),
            (0x0F, -16764),
            (0x10, -15996),
            (0x70, -120),
            (0x7E, -8),
            (0x7F, 0),
            (0x80, 32124),
            (0x8F, 16764),
            (0xF0, 120),
            (0xFE, 8),
            (0xFF, 0),
        ];
        for (code, value) in table {
            assert_eq!(decode_mulaw(code), value, "code {code:#04x}");
        }
        for code in 0..=255u8 {
            assert_eq!(
                i32::from(decode_mulaw(code)),
                itu_expand(code),
                "{code:#04x}"
            );
        }
    }

    #[test]
    fn mulaw_encodes_reference_samples() {
        let cases = [
            (0i16, 0xFFu8),
            (1, 0xFF),
            // −1 is the 14-bit −1 (magnitude 1, past the first decision value).
            (-1, 0x7E),
            (-4, 0x7E),
            (3, 0xFF),
            (4, 0xFE),
            (8, 0xFE),
            (-8, 0x7E),
            (1000, 0xCE),
            (-1000, 0x4E),
            (32635, 0x80),
            (32767, 0x80),
            (-32768, 0x00),
        ];
        for (x, code) in cases {
            assert_eq!(encode_mulaw(x), code, "x = {x}");
        }
    }

    #[test]
    fn mulaw_round_trip_errs_by_at_most_half_a_step_and_one_step_when_clipped() {
        for x in i16::MIN..=i16::MAX {
            let c = encode_mulaw(x);
            let y = decode_mulaw(c);
            let segment = u32::from(((!c) >> 4) & 7);
            let step = 1i32 << (segment + 3);
            let err = (i32::from(x) - i32::from(y)).abs();
            assert!(err <= step, "x = {x}: {y}");
            // Half a step, plus the two low bits the 14-bit sample drops (negative samples
            // round towards −∞).
            if i32::from(x).abs() <= MULAW_CLIP {
                assert!(2 * err <= step + 6, "x = {x}: {y}");
            }
        }
    }

    #[test]
    fn mulaw_reencodes_every_decoded_code_except_negative_zero() {
        for c in 0..=255u8 {
            let back = encode_mulaw(decode_mulaw(c));
            if c == 0x7F {
                assert_eq!(back, 0xFF);
            } else {
                assert_eq!(back, c, "{c:#04x}");
            }
        }
    }

    #[test]
    fn mulaw_codec_is_monotone() {
        let mut last = i16::MIN;
        for x in i16::MIN..=i16::MAX {
            let y = decode_mulaw(encode_mulaw(x));
            assert!(y >= last, "x = {x}");
            last = y;
        }
    }

    #[test]
    fn g711_quantizer_maps_absmax_to_full_scale() {
        let x = [-1.0f32, -0.5, 0.0, 0.001, 1.0];
        let q = G711Quantizer::fit(G711Law::MuLaw, &x, &[], Granularity::PerTensor).unwrap();
        let codes = q.quantize(&x).unwrap();
        assert_eq!(codes[0], 0x00);
        assert_eq!(codes[2], 0xFF);
        assert_eq!(codes[4], 0x80);
        let y = q.dequantize(&codes).unwrap();
        assert_eq!(y[4], 32124.0 / 32768.0);
        assert_eq!(y[2], 0.0);
        assert_eq!(q.levels().len(), 255); // two zero codes share one level
        assert_eq!(q.bits_per_value(), 8.0 + 32.0 / 5.0);
        assert!(q.dequantize(&[0, 0, 0, 0, 256]).is_err());
        let zero =
            G711Quantizer::fit(G711Law::MuLaw, &[0.0; 4], &[], Granularity::PerTensor).unwrap();
        assert_eq!(zero.quantize_dequantize(&[0.0; 4]).unwrap(), vec![0.0; 4]);
    }
}
