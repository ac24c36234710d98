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
//! The code is the index `k`. Because `L` is even, `Q_c = (2k − (L − 1))/(L − 1)` is never
//! 0: like a mid-rise quantizer, zero is a decision threshold, and an input of exactly 0
//! rounds (half to even) to the smallest positive or negative level. Values beyond the
//! fitted absmax saturate at `±max|x|`. An all-zero group has absmax 0 and reconstructs as 0.
//!
//! The compander is a trait ([`Compander`]) so that [`crate::alaw`] reuses the same
//! quantizer ([`CompandingQuantizer`]) with the A-law curve.
//!
//! ## G.711 μ-law codec
//!
//! [`encode_mulaw`] / [`decode_mulaw`] implement the 8-bit μ-law (μ = 255) PCM codec of
//! ITU-T Rec. G.711 (11/1988), Table 2a, on 16-bit linear PCM, in its usual 16-bit
//! formulation (the one in Sun Microsystems' public-domain `g711.c` and its descendants):
//!
//! ```text
//! m = min(|x|, 32635) + 132                       (bias 0x84, clip 32635)
//! segment s = ⌊log2 m⌋ − 7 ∈ 0..=7,   mantissa = (m >> (s + 3)) & 0xF
//! byte = NOT(sign << 7 | s << 4 | mantissa)       (sign = 1 for negative x)
//! decode: y = ((mantissa << 3) + 132) << s − 132, negated when the sign bit is set
//! ```
//!
//! Segment `s` has 16 steps of `2^(s+3)` (step doubling per segment); the decoder returns
//! the middle of the step. Negative samples are coded by magnitude (`|x|`); the ITU-T
//! G.191 STL encoder uses the ones' complement instead, so a negative input lying exactly
//! on a step boundary can differ by one step between the two; every decoded value agrees.

use crate::error::{QuantError, Result, check_bits, check_finite};
use crate::granularity::GroupLayout;
use crate::linear::round_half_even;
use crate::pack::packed_len;
use crate::quantizer::{Granularity, Quantizer, check_len, group_absmax};

/// Fewest bits a companding quantizer takes.
pub const MIN_BITS: u32 = 1;
/// Most bits a companding quantizer takes.
pub const MAX_BITS: u32 = 16;

/// The μ of G.711 (and of the North American / Japanese telephone networks).
/// Source: ITU-T Rec. G.711 (11/1988), §3.
pub const G711_MU: f64 = 255.0;

/// Bias added to the magnitude before segmenting, 132 = 0x84 (16-bit formulation of
/// G.711 μ-law; it is 33 in the 14-bit units of the Recommendation).
pub const MULAW_BIAS: i32 = 0x84;

/// Largest magnitude the μ-law encoder codes; larger ones are clipped (32635 + 132 = 32767).
pub const MULAW_CLIP: i32 = 32635;

/// A companding curve on `[−1, 1]`: odd, increasing, with `F(±1) = ±1`.
pub trait Compander: Copy + std::fmt::Debug {
    /// The compressor `F(x)`, for `x ∈ [−1, 1]`.
    fn compress(&self, x: f64) -> f64;
    /// The expander `F⁻¹(y)`, for `y ∈ [−1, 1]`.
    fn expand(&self, y: f64) -> f64;
}

/// The μ-law curve with a validated `μ > 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MuLaw {
    mu: f64,
}

impl MuLaw {
    /// μ-law with parameter `mu`; errors unless `mu` is finite and `> 0`.
    pub fn new(mu: f64) -> Result<Self> {
        if mu.is_finite() && mu > 0.0 {
            Ok(MuLaw { mu })
        } else {
            Err(QuantError::InvalidParameter(format!(
                "μ-law needs μ > 0 (255 is the telephone standard); got μ = {mu}"
            )))
        }
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

/// The course's uniform quantizer on the compressed range `[−1, 1]`: the code
/// `k = round((x_c + 1)/Δc)` with `Δc = 2/(L − 1)`, `L = 2^b`, clamped to `[0, L − 1]`.
///
/// Rounding is half to even. `bits` is clamped to `1..=16`.
pub fn compressed_index(xc: f64, bits: u32) -> u32 {
    let top = f64::from((1u32 << bits.clamp(MIN_BITS, MAX_BITS)) - 1);
    // (x_c + 1)/Δc = (x_c + 1)·(L − 1)/2.
    round_half_even((xc + 1.0) * top / 2.0).clamp(0.0, top) as u32
}

/// The compressed level of code `k`: `Q_c = Δc·k − 1`, computed as `(2k − (L − 1))/(L − 1)`
/// so that the end codes give exactly `±1`.
pub fn compressed_level(k: u32, bits: u32) -> f64 {
    let top = f64::from((1u32 << bits.clamp(MIN_BITS, MAX_BITS)) - 1);
    (2.0 * f64::from(k) - top) / top
}

/// The course's μ-law quantizer applied to a whole signal, normalised by its absmax:
/// returns `Q(x)`. A standalone reference for [`CompandingQuantizer`] with [`MuLaw`].
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

/// A companding quantizer fitted to data: one absmax per scale group, a curve, a width.
#[derive(Debug, Clone, PartialEq)]
pub struct CompandingQuantizer<C: Compander> {
    /// The curve (μ-law or A-law).
    pub compander: C,
    /// Bits per code (`1..=16`).
    pub bits: u32,
    /// Which values share an absmax.
    pub layout: GroupLayout,
    /// `max|x|` of each group (an `f32` value, held in `f64`).
    pub absmax: Vec<f64>,
}

impl<C: Compander> CompandingQuantizer<C> {
    /// Fits the absmax of every group of `data` (row-major, `shape`).
    pub fn fit(
        compander: C,
        bits: u32,
        data: &[f32],
        shape: &[usize],
        granularity: Granularity,
    ) -> Result<Self> {
        check_bits(bits, MIN_BITS, MAX_BITS)?;
        check_finite(data)?;
        let layout = GroupLayout::new(granularity, shape, data.len())?;
        let absmax = group_absmax(&layout, data);
        Ok(CompandingQuantizer {
            compander,
            bits,
            layout,
            absmax,
        })
    }

    /// Number of codes, `L = 2^b`.
    pub fn num_codes(&self) -> u32 {
        1u32 << self.bits
    }

    /// The code of `x` in a group of absmax `absmax`: normalise, compress, quantize.
    pub fn quantize_one(&self, x: f32, absmax: f64) -> i32 {
        let xn = if absmax > 0.0 {
            (f64::from(x) / absmax).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        compressed_index(self.compander.compress(xn), self.bits) as i32
    }

    /// The value of code `k` in a group of absmax `absmax`: `max|x|·F⁻¹(Q_c)`.
    pub fn dequantize_one(&self, k: u32, absmax: f64) -> f32 {
        (self.compander.expand(compressed_level(k, self.bits)) * absmax) as f32
    }
}

impl<C: Compander> Quantizer for CompandingQuantizer<C> {
    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        check_len(self.layout.len(), data.len())?;
        check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| self.quantize_one(x, self.absmax[self.layout.group_of(i)]))
            .collect())
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        check_len(self.layout.len(), codes.len())?;
        let n = self.num_codes();
        codes
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                let k = code_in_range(k, n, i)?;
                Ok(self.dequantize_one(k, self.absmax[self.layout.group_of(i)]))
            })
            .collect()
    }

    fn levels(&self) -> Vec<f32> {
        let absmax = self.absmax.first().copied().unwrap_or(0.0);
        let mut v: Vec<f32> = (0..self.num_codes())
            .map(|k| self.dequantize_one(k, absmax))
            .collect();
        v.dedup();
        v
    }

    /// Packed `b`-bit codes plus one 32-bit absmax per group:
    /// `(8·⌈n·b/8⌉ + 32·groups)/n`.
    fn bits_per_value(&self) -> f64 {
        let n = self.layout.len();
        (8.0 * packed_len(n, self.bits) as f64 + 32.0 * self.absmax.len() as f64) / n as f64
    }
}

/// Checks that code `k` (at `index`) lies in `0..n` and returns it unsigned.
pub(crate) fn code_in_range(k: i32, n: u32, index: usize) -> Result<u32> {
    u32::try_from(k).ok().filter(|&k| k < n).ok_or_else(|| {
        QuantError::InvalidParameter(format!(
            "code {k} at index {index} is not a valid code (codes run from 0 to {})",
            n.saturating_sub(1)
        ))
    })
}

/// G.711 μ-law encoder: 16-bit linear PCM → 8-bit code (see the module docs).
///
/// `encode_mulaw(0) = 0xFF`, `encode_mulaw(−1) = 0x7F`, `encode_mulaw(32767) = 0x80`,
/// `encode_mulaw(−32768) = 0x00`.
pub fn encode_mulaw(x: i16) -> u8 {
    let x = i32::from(x);
    let sign: u8 = if x < 0 { 0x80 } else { 0 };
    let m = x.abs().min(MULAW_CLIP) + MULAW_BIAS; // 132..=32767
    // m ≥ 132 > 2^7, so its top bit is bit 7..=14: segment 0..=7.
    let segment = (31 - m.leading_zeros()) as i32 - 7;
    let mantissa = ((m >> (segment + 3)) & 0xF) as u8;
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

/// Which G.711 companding law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum G711Law {
    /// μ-law (μ = 255): [`encode_mulaw`] / [`decode_mulaw`].
    MuLaw,
    /// A-law (A = 87.6): [`crate::alaw::encode_alaw`] / [`crate::alaw::decode_alaw`].
    ALaw,
}

impl G711Law {
    /// Encodes one 16-bit PCM sample.
    pub fn encode(self, x: i16) -> u8 {
        match self {
            G711Law::MuLaw => encode_mulaw(x),
            G711Law::ALaw => crate::alaw::encode_alaw(x),
        }
    }

    /// Decodes one 8-bit code.
    pub fn decode(self, code: u8) -> i16 {
        match self {
            G711Law::MuLaw => decode_mulaw(code),
            G711Law::ALaw => crate::alaw::decode_alaw(code),
        }
    }
}

/// Full scale of the PCM mapping: a group's absmax becomes the sample value 32767.
pub const PCM_FULL_SCALE: f64 = 32767.0;

/// A G.711 codec as a quantizer: values are scaled to 16-bit PCM by their group's absmax
/// (`pcm = round(x/max|x| · 32767)`), then coded to one byte. Codes are the bytes, 0..=255.
#[derive(Debug, Clone, PartialEq)]
pub struct G711Quantizer {
    /// μ-law or A-law.
    pub law: G711Law,
    /// Which values share an absmax.
    pub layout: GroupLayout,
    /// `max|x|` of each group.
    pub absmax: Vec<f64>,
}

impl G711Quantizer {
    /// Fits the absmax of every group of `data`.
    pub fn fit(
        law: G711Law,
        data: &[f32],
        shape: &[usize],
        granularity: Granularity,
    ) -> Result<Self> {
        check_finite(data)?;
        let layout = GroupLayout::new(granularity, shape, data.len())?;
        let absmax = group_absmax(&layout, data);
        Ok(G711Quantizer {
            law,
            layout,
            absmax,
        })
    }

    /// `x` as a 16-bit PCM sample of a group with absmax `absmax` (saturating).
    pub fn to_pcm(x: f32, absmax: f64) -> i16 {
        if absmax > 0.0 {
            round_half_even(f64::from(x) / absmax * PCM_FULL_SCALE).clamp(-32768.0, 32767.0) as i16
        } else {
            0
        }
    }

    fn value(&self, code: u8, absmax: f64) -> f32 {
        (f64::from(self.law.decode(code)) / PCM_FULL_SCALE * absmax) as f32
    }
}

impl Quantizer for G711Quantizer {
    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        check_len(self.layout.len(), data.len())?;
        check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let pcm = Self::to_pcm(x, self.absmax[self.layout.group_of(i)]);
                i32::from(self.law.encode(pcm))
            })
            .collect())
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        check_len(self.layout.len(), codes.len())?;
        codes
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let c = code_in_range(c, 256, i)? as u8;
                Ok(self.value(c, self.absmax[self.layout.group_of(i)]))
            })
            .collect()
    }

    fn levels(&self) -> Vec<f32> {
        let absmax = self.absmax.first().copied().unwrap_or(0.0);
        let mut v: Vec<f32> = (0..=255u8).map(|c| self.value(c, absmax)).collect();
        v.sort_by(f32::total_cmp);
        v.dedup();
        v
    }

    /// 8 bits per code plus one 32-bit absmax per group.
    fn bits_per_value(&self) -> f64 {
        let n = self.layout.len();
        (8.0 * packed_len(n, 8) as f64 + 32.0 * self.absmax.len() as f64) / n as f64
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::metrics::snr_db;

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
        let lin = crate::linear::LinearQuantizer::fit(
            &full,
            &[],
            &crate::quantizer::Scheme {
                mode: crate::quantizer::Mode::MidRise,
                ..crate::quantizer::Scheme::default()
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
            (-1, 0x7F),
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
            if i32::from(x).abs() <= MULAW_CLIP {
                assert!(2 * err <= step, "x = {x}: {y}");
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
        assert!((y[4] - 32124.0 / 32767.0).abs() < 1e-7);
        assert_eq!(y[2], 0.0);
        assert_eq!(q.levels().len(), 255); // two zero codes share one level
        assert_eq!(q.bits_per_value(), 8.0 + 32.0 / 5.0);
        assert!(q.dequantize(&[0, 0, 0, 0, 256]).is_err());
        let zero =
            G711Quantizer::fit(G711Law::MuLaw, &[0.0; 4], &[], Granularity::PerTensor).unwrap();
        assert_eq!(zero.quantize_dequantize(&[0.0; 4]).unwrap(), vec![0.0; 4]);
    }
}
