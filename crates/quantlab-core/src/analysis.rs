//! The figures behind the Signal lab's views, as pure functions of the data and the scheme.
//!
//! - [`histogram`]: counts of values in equal-width bins (the input's histogram under the
//!   transfer staircase, the error histogram with [`error_histogram`]).
//! - [`transfer_curve`]: the staircase `Q(x)` against `x` of the per-tensor quantizer fitted
//!   on the data, over the data range widened by 10 % of its span at each end.
//! - [`snr_vs_bits`]: the measured SNR at every bit width the scheme accepts, next to
//!   [`sqnr_theory_line`], `6.02·b + 1.76 dB`.
//! - [`snr_vs_input_level`]: the classic companding figure. The full scale is **fixed** at
//!   `[−1, 1]` and a test sine is scaled to each level; a uniform quantizer's SNR falls by
//!   1 dB for every dB of level, μ-law's stays nearly flat. [`level_point`] places the
//!   current signal on that figure.
//! - [`clip_tradeoff`]: rounding against clipping error as the clip threshold moves, from
//!   [`crate::quant::linear::clipping::clip_sweep`], with the current settings' own split.
//!
//! Every function checks its input and returns a [`QuantError`] instead of panicking:
//! empty data, NaN or infinity (with the index), bad bin or point counts, bad parameters.
//! SNRs follow [`crate::metrics`]: `+∞` for an exact reconstruction, never NaN.

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result, check_bits, check_finite};
use crate::metrics::{snr_db, snr_db_from_powers, sqnr_theory_db};
use crate::quant::companding::{CompandingQuantizer, MuLaw};
use crate::quant::linear::AffineParams;
use crate::quant::linear::clipping::{ClipPoint, clip_range, clip_sweep, error_split};
use crate::quant::quantizer::Quantizer;
use crate::quant::scheme::{ScaleLayout, Scheme};
use crate::quant::types::{Granularity, GranularityKind, IntRange, Mode};
use crate::quant::types::{MX_BLOCK, NVFP4_BLOCK};

/// Most bins [`histogram`] takes.
pub const MAX_BINS: usize = 4096;

/// Most points [`transfer_curve`] evaluates.
pub const MAX_TRANSFER_POINTS: usize = 1 << 16;

/// How far [`transfer_range`] reaches beyond the data, as a fraction of its span.
pub const TRANSFER_MARGIN: f64 = 0.1;

/// Samples of the test sine of [`snr_vs_input_level`].
pub const LEVEL_TEST_SAMPLES: usize = 2048;

/// The fixed full scale of the companding figure: the quantizers cover `[−1, 1]`.
pub const FULL_SCALE: f64 = 1.0;

/// Counts of values in equal-width bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// The `bins + 1` bin edges, ascending; bin `i` is `[edges[i], edges[i + 1])`, the last
    /// bin also holds its right edge.
    pub edges: Vec<f64>,
    /// The count of each bin.
    pub counts: Vec<usize>,
    /// Values outside the range (only with an explicit range; they are in no bin).
    pub outside: usize,
}

impl Histogram {
    /// Number of values counted in a bin (`N − outside`).
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The largest count (0 when every bin is empty).
    pub fn max_count(&self) -> usize {
        self.counts.iter().copied().max().unwrap_or(0)
    }

    /// `(lo, hi)`: the first and last edge.
    pub fn range(&self) -> (f64, f64) {
        match (self.edges.first(), self.edges.last()) {
            (Some(&lo), Some(&hi)) => (lo, hi),
            _ => (0.0, 0.0),
        }
    }

    /// `(left edge, right edge, count)` of every bin, in order: the bars of a chart or the
    /// rows of a CSV export.
    pub fn bars(&self) -> impl Iterator<Item = (f64, f64, usize)> + '_ {
        self.edges
            .windows(2)
            .zip(&self.counts)
            .map(|(e, &c)| (e[0], e[1], c))
    }
}

/// `(min, max)` of finite, non-empty data, in `f64`.
fn min_max(data: &[f32]) -> (f64, f64) {
    data.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            let v = f64::from(v);
            (lo.min(v), hi.max(v))
        })
}

/// Half the width given to a constant signal `c` so that it has a range to draw:
/// `max(0.1·|c|, 0.5)`.
fn constant_half_width(c: f64) -> f64 {
    (c.abs() * TRANSFER_MARGIN).max(0.5)
}

fn check_range(lo: f64, hi: f64) -> Result<()> {
    if lo.is_finite() && hi.is_finite() && lo < hi && (hi - lo).is_finite() {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "a range needs two finite numbers with lo < hi, not [{lo}, {hi}]"
        )))
    }
}

/// Counts `data` in `bins` equal-width bins over `range`.
///
/// - `bins`: 1 to [`MAX_BINS`].
/// - `range`: `Some((lo, hi))` with finite `lo < hi`: values outside are left out and
///   counted in [`Histogram::outside`]. `None`: the data's `[min, max]`, so every value is
///   counted (`counts` sum to `N`); constant data `c` gets `[c − h, c + h]` with
///   `h = max(0.1·|c|, 0.5)`.
///
/// Errors: empty data, NaN or infinity (with the index), `bins` out of range, a bad range.
pub fn histogram(data: &[f32], bins: usize, range: Option<(f64, f64)>) -> Result<Histogram> {
    check_finite(data)?;
    if bins == 0 || bins > MAX_BINS {
        return Err(QuantError::InvalidParameter(format!(
            "a histogram takes 1 to {MAX_BINS} bins, not {bins}"
        )));
    }
    let (lo, hi) = match range {
        Some(r) => r,
        None => {
            let (lo, hi) = min_max(data);
            if lo < hi {
                (lo, hi)
            } else {
                let h = constant_half_width(lo);
                (lo - h, lo + h)
            }
        }
    };
    check_range(lo, hi)?;
    let width = hi - lo;
    let nb = bins as f64;
    let mut edges: Vec<f64> = (0..bins).map(|i| lo + width * (i as f64 / nb)).collect();
    edges.push(hi);
    let mut counts = vec![0usize; bins];
    let mut outside = 0;
    for &v in data {
        let v = f64::from(v);
        if v < lo || v > hi {
            outside += 1;
            continue;
        }
        // 0 ≤ (v − lo)/width ≤ 1, so the index is in 0..=bins; `hi` itself joins the last bin.
        let i = (((v - lo) / width * nb).floor() as usize).min(bins - 1);
        counts[i] += 1;
    }
    Ok(Histogram {
        edges,
        counts,
        outside,
    })
}

/// The histogram of the error `e(n)` on a range symmetric about 0 that shows the `±Δ/2`
/// bounds: `[−h, h]` with `h = max(max|e|, Δ/2)` (so every value is counted).
///
/// `step` is the quantizer's `Δ` (for a non-uniform scheme, e.g. its smallest step); a
/// `step` that is not finite or not positive is ignored. An all-zero error with no step gets
/// `[−0.5, 0.5]`. Errors as [`histogram`].
pub fn error_histogram(error: &[f32], step: f64, bins: usize) -> Result<Histogram> {
    check_finite(error)?;
    let (lo, hi) = min_max(error);
    let half_step = if step.is_finite() && step > 0.0 {
        step / 2.0
    } else {
        0.0
    };
    let h = lo.abs().max(hi.abs()).max(half_step);
    let h = if h > 0.0 { h } else { 0.5 };
    histogram(error, bins, Some((-h, h)))
}

/// The range the transfer curve of `data` covers: `[x_min − 0.1·s, x_max + 0.1·s]` with
/// `s = x_max − x_min` (constant data `c`: `[c − h, c + h]`, `h = max(0.1·|c|, 0.5)`).
///
/// Pass it to [`histogram`] as the range of the input's histogram under the staircase, so
/// that the two panels share their x axis. Errors: empty data, NaN or infinity.
pub fn transfer_range(data: &[f32]) -> Result<(f64, f64)> {
    check_finite(data)?;
    let (lo, hi) = min_max(data);
    let pad = if hi > lo {
        (hi - lo) * TRANSFER_MARGIN
    } else {
        constant_half_width(lo)
    };
    Ok((lo - pad, hi + pad))
}

/// Fits the per-tensor version of `scheme` on `data` (1-D) for [`transfer_curve_of`]:
/// returns the quantizer and the length of the buffers it takes.
///
/// - Schemes with a granularity are fitted per tensor (one scale for all of `data`).
/// - NF4 is fitted with a single block spanning `data`.
/// - ggml blocks always hold 32 (K-quants: 256) values: the quantizer is one block fitted
///   on `[x_min, x_max, …, x_max]` repeated every 16 values, which gets the scale (and
///   minimum) of a block holding the data's extremes, the same in every sub-block. The
///   buffer length is then the block's.
/// - MX blocks (32 values) and NVFP4 blocks (16) likewise: one block fitted on
///   `[x_min, x_max, x_max, …]`, whose scales come from the absmax alone.
/// - Codebook schemes (k-means, Lloyd-Max) are per tensor already.
///
/// Errors: those of [`Scheme::fit`] (bad parameters, empty or non-finite data).
pub fn per_tensor_quantizer(scheme: &Scheme, data: &[f32]) -> Result<(Box<dyn Quantizer>, usize)> {
    check_finite(data)?;
    let mut s = Scheme {
        granularity: GranularityKind::Tensor,
        ..*scheme
    };
    match s.scheme.scales() {
        ScaleLayout::GgmlBlock(ty) => {
            let (lo, hi) = min_max(data);
            // Every 16 values (so every sub-block of a K-quant, each the same) hold one
            // `lo` and the rest `hi`.
            let n = ty.block_values();
            let block: Vec<f32> = (0..n)
                .map(|i| if i % 16 == 0 { lo as f32 } else { hi as f32 })
                .collect();
            Ok((s.fit(&block, &[])?, n))
        }
        ScaleLayout::Nf4Block => {
            s.block_size = u32::try_from(data.len()).unwrap_or(u32::MAX);
            Ok((s.fit(data, &[])?, data.len()))
        }
        ScaleLayout::MxBlock(_) => {
            // One block: its scale depends on the absmax only.
            let (lo, hi) = min_max(data);
            let mut block = vec![hi as f32; MX_BLOCK];
            block[0] = lo as f32;
            Ok((s.fit(&block, &[])?, MX_BLOCK))
        }
        ScaleLayout::Nvfp4Block => {
            // One block holding the extremes: tensor and block scale both from the absmax.
            let (lo, hi) = min_max(data);
            let mut block = vec![hi as f32; NVFP4_BLOCK];
            block[0] = lo as f32;
            Ok((s.fit(&block, &[])?, NVFP4_BLOCK))
        }
        ScaleLayout::None
        | ScaleLayout::GroupAbsmax
        | ScaleLayout::MiniFloat
        | ScaleLayout::Affine
        | ScaleLayout::Codebook => Ok((s.fit(data, &[])?, data.len())),
    }
}

/// `Q(x)` at `points` evenly spaced `x` from `lo` to `hi` (both included), for a fitted
/// per-tensor quantizer that takes buffers of `buffer_len` values.
///
/// Many quantizers only accept data of the length they were fitted on (their scales are
/// looked up by position), so the ramp of `x` is cut into chunks of `buffer_len`, each
/// chunk padded with its last value, and quantized a chunk at a time. With a per-tensor
/// quantizer every position has the same scale, so this is `Q(x)` exactly. Each `x` is
/// rounded to `f32` (the quantizer's input type) before it is returned.
///
/// Errors: `points` outside 2 to [`MAX_TRANSFER_POINTS`], a bad range (see [`histogram`]),
/// `buffer_len = 0`, and whatever the quantizer reports.
pub fn transfer_curve_of(
    quantizer: &dyn Quantizer,
    buffer_len: usize,
    lo: f64,
    hi: f64,
    points: usize,
) -> Result<Vec<(f64, f64)>> {
    if !(2..=MAX_TRANSFER_POINTS).contains(&points) {
        return Err(QuantError::InvalidParameter(format!(
            "a transfer curve takes 2 to {MAX_TRANSFER_POINTS} points, not {points}"
        )));
    }
    check_range(lo, hi)?;
    if buffer_len == 0 {
        return Err(QuantError::Empty);
    }
    let last = (points - 1) as f64;
    let xs: Vec<f32> = (0..points)
        .map(|i| (lo + (hi - lo) * (i as f64 / last)) as f32)
        .collect();
    let mut out = Vec::with_capacity(points);
    for chunk in xs.chunks(buffer_len) {
        let pad = chunk.last().copied().unwrap_or(0.0);
        let mut buffer = vec![pad; buffer_len];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let y = quantizer.quantize_dequantize(&buffer)?;
        out.extend(
            chunk
                .iter()
                .zip(&y)
                .map(|(&x, &q)| (f64::from(x), f64::from(q))),
        );
    }
    Ok(out)
}

/// The transfer staircase `Q(x)` against `x`: `points` evenly spaced `x` over
/// [`transfer_range`]`(data)` (the data range widened by 10 % of its span at each end),
/// quantized by the per-tensor version of `scheme` fitted on `data`
/// ([`per_tensor_quantizer`]; evaluated by [`transfer_curve_of`]).
///
/// Returns `(x, Q(x))` pairs with ascending `x`. Per-channel or per-group settings are
/// replaced by one scale for the whole signal, because a transfer curve is one function.
///
/// Errors: empty data, NaN or infinity, bad scheme parameters, `points` outside 2 to
/// [`MAX_TRANSFER_POINTS`].
pub fn transfer_curve(scheme: &Scheme, data: &[f32], points: usize) -> Result<Vec<(f64, f64)>> {
    let (lo, hi) = transfer_range(data)?;
    let (q, len) = per_tensor_quantizer(scheme, data)?;
    transfer_curve_of(q.as_ref(), len, lo, hi, points)
}

/// The measured SNR (dB) of `scheme` on `data` at every bit width it accepts
/// ([`SchemeKind::bits_range`](crate::quant::scheme::SchemeKind::bits_range)), fitted as the page fits it (1-D, shape `[]`, the scheme's
/// own granularity and clipping).
///
/// Returns `(bits, SNR dB)` ascending in bits; a format with a fixed width gives one point.
/// Bit widths the scheme rejects (1-bit symmetric linear) are left out. An SNR may be `+∞`
/// (exact reconstruction: constant data, or a k-means codebook with at least as many
/// centroids as distinct values, which is reported without fitting). The theory line is
/// [`sqnr_theory_line`].
///
/// Cost: one fit and one quantization per bit width; cheap for linear, companding and the
/// fixed formats, but the codebook schemes (k-means, Lloyd-Max) refit up to 16 times.
///
/// Errors: empty data, NaN or infinity; bad scheme parameters (when no bit width fits, the
/// last error).
pub fn snr_vs_bits(data: &[f32], scheme: &Scheme) -> Result<Vec<(u32, f64)>> {
    check_finite(data)?;
    let (min, max) = scheme.scheme.bits_range();
    let distinct = if scheme.scheme.descriptor().exact_on_few_values {
        let mut v: Vec<f32> = data.to_vec();
        v.sort_by(f32::total_cmp);
        v.dedup();
        v.len()
    } else {
        usize::MAX
    };
    let mut out = Vec::new();
    let mut last_error = None;
    for bits in min..=max {
        if (1usize << bits) >= distinct {
            out.push((bits, f64::INFINITY));
            continue;
        }
        let s = Scheme { bits, ..*scheme };
        match s.fit(data, &[]).and_then(|q| q.quantize_dequantize(data)) {
            Ok(y) => out.push((bits, snr_db(data, &y))),
            Err(e) => last_error = Some(e),
        }
    }
    match (out.is_empty(), last_error) {
        (true, Some(e)) => Err(e),
        _ => Ok(out),
    }
}

/// The textbook line `6.02·b + 1.76 dB` ([`sqnr_theory_db`]) for `b` from `min_bits` to
/// `max_bits` (empty when `min_bits > max_bits`).
pub fn sqnr_theory_line(min_bits: u32, max_bits: u32) -> Vec<(u32, f64)> {
    (min_bits..=max_bits)
        .map(|b| (b, sqnr_theory_db(b)))
        .collect()
}

/// One point of the companding figure: the SNR of both quantizers at one input level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LevelPoint {
    /// The input's peak level in dB relative to the full scale 1 (0 dB: peak 1; −20 dB:
    /// peak 0.1).
    pub level_db: f64,
    /// SNR (dB) of the uniform mid-rise quantizer on `[−1, 1]`.
    pub snr_linear: f64,
    /// SNR (dB) of the μ-law quantizer with the fixed normalisation 1.
    pub snr_mulaw: f64,
}

/// The two quantizers of the companding figure, with the full scale fixed at `[−1, 1]`.
#[derive(Debug)]
struct FixedScale {
    linear: AffineParams,
    mulaw: CompandingQuantizer<MuLaw>,
}

impl FixedScale {
    fn new(bits: u32, mu: f64) -> Result<Self> {
        check_bits(
            bits,
            crate::quant::companding::MIN_BITS,
            crate::quant::companding::MAX_BITS,
        )?;
        let law = MuLaw::new(mu)?;
        let linear = AffineParams::choose(
            -FULL_SCALE,
            FULL_SCALE,
            bits,
            Mode::MidRise,
            IntRange::Signed,
        )?;
        // Fitted on the single value 1: the stored absmax (the normalisation) is exactly 1.
        let mulaw =
            CompandingQuantizer::fit(law, bits, &[FULL_SCALE as f32], &[], Granularity::PerTensor)?;
        Ok(FixedScale { linear, mulaw })
    }

    /// SNRs (linear, μ-law) of the values `x`.
    fn snr(&self, x: impl Iterator<Item = f32>) -> (f64, f64) {
        let (mut signal, mut noise_lin, mut noise_mu) = (0.0f64, 0.0f64, 0.0f64);
        for v in x {
            let xv = f64::from(v);
            let lin = f64::from(self.linear.dequantize_one(self.linear.quantize_one(v)));
            let code = self.mulaw.quantize_one(v, FULL_SCALE);
            let mu = f64::from(
                self.mulaw
                    .dequantize_one(u32::try_from(code).unwrap_or(0), FULL_SCALE),
            );
            signal += xv * xv;
            noise_lin += (xv - lin) * (xv - lin);
            noise_mu += (xv - mu) * (xv - mu);
        }
        (
            snr_db_from_powers(signal, noise_lin),
            snr_db_from_powers(signal, noise_mu),
        )
    }
}

/// `n` samples of a full-scale sine (peak 1) whose phase steps by the golden ratio of a
/// cycle, `x[n] = sin(2π·n·φ)` with `φ = (√5 − 1)/2`: the phases fill the cycle evenly for
/// any `n`, so a short test signal has the statistics of a long one.
pub fn full_scale_sine(n: usize) -> Vec<f32> {
    let phi = (5.0f64.sqrt() - 1.0) / 2.0;
    (0..n)
        .map(|i| {
            let phase = (i as f64 * phi).fract();
            (FULL_SCALE * (std::f64::consts::TAU * phase).sin()) as f32
        })
        .collect()
}

/// The levels of the classic figure: −60 dB to 0 dB in steps of 1 dB (61 levels).
pub fn default_levels_db() -> Vec<f64> {
    (0..=60).map(|i| f64::from(i) - 60.0).collect()
}

/// The classic companding figure: SNR against input level for a uniform and a μ-law
/// quantizer of the same `bits`, both with the full scale **fixed** at `[−1, 1]`.
///
/// The test signal is [`full_scale_sine`] with [`LEVEL_TEST_SAMPLES`] samples, scaled by
/// `10^(L/20)` for each level `L` of `levels_db` (dB relative to full scale: 0 is a sine of
/// peak 1, −60 one of peak 0.001; positive levels overload and clip). The quantizers are
/// not refitted to the scaled sine:
///
/// - linear: mid-rise on `[−1, 1]`, `Δ = 2/2^b`, levels `(k + ½)·Δ` for
///   `k = −2^(b−1) … 2^(b−1) − 1`; a full-scale sine gives about `6.02·b + 1.76 dB` and the
///   SNR falls 1 dB per dB of level;
/// - μ-law: [`crate::quant::companding`]'s course quantizer with the normalisation fixed at 1
///   (compress, `b`-bit uniform on `[−1, 1]`, expand); at 8 bits and μ = 255 the SNR stays
///   near 38 dB from −40 dB to 0 dB.
///
/// Returns one [`LevelPoint`] per level, in the order given. Errors: bits outside 1 to 16,
/// μ not finite or ≤ 0, a level that is not finite.
pub fn snr_vs_input_level(bits: u32, mu: f64, levels_db: &[f64]) -> Result<Vec<LevelPoint>> {
    snr_vs_input_level_of(&full_scale_sine(LEVEL_TEST_SAMPLES), bits, mu, levels_db)
}

/// [`snr_vs_input_level`] with another test signal: `signal` is first normalised to peak 1
/// (e.g. the current signal, to see its own curve), then scaled to each level.
///
/// Errors: those of [`snr_vs_input_level`], empty or non-finite `signal`, an all-zero
/// `signal` (it has no level).
pub fn snr_vs_input_level_of(
    signal: &[f32],
    bits: u32,
    mu: f64,
    levels_db: &[f64],
) -> Result<Vec<LevelPoint>> {
    check_finite(signal)?;
    let q = FixedScale::new(bits, mu)?;
    let peak = peak_of(signal)?;
    levels_db
        .iter()
        .map(|&level_db| {
            if !level_db.is_finite() {
                return Err(QuantError::InvalidParameter(format!(
                    "an input level must be a finite number of dB, not {level_db}"
                )));
            }
            let gain = FULL_SCALE * 10f64.powf(level_db / 20.0) / peak;
            let (snr_linear, snr_mulaw) =
                q.snr(signal.iter().map(|&v| (f64::from(v) * gain) as f32));
            Ok(LevelPoint {
                level_db,
                snr_linear,
                snr_mulaw,
            })
        })
        .collect()
}

/// `max|x|`, an error when it is 0.
fn peak_of(data: &[f32]) -> Result<f64> {
    let peak = data.iter().fold(0.0f64, |m, &v| m.max(f64::from(v).abs()));
    if peak > 0.0 {
        Ok(peak)
    } else {
        Err(QuantError::InvalidParameter(
            "an all-zero signal has no level (−∞ dB): there is nothing to place on the figure"
                .into(),
        ))
    }
}

/// The current signal's point on the companding figure: its peak level
/// `20·log10(max|x| / 1)` dB relative to the fixed full scale, and the SNR of `data` itself
/// (not a sine) through both fixed-scale quantizers of [`snr_vs_input_level`] with `bits`
/// and `mu`. A signal that exceeds the full scale (level above 0 dB) is clipped by them.
///
/// Errors: empty data, NaN or infinity, an all-zero signal (no level), bits outside 1 to
/// 16, μ not finite or ≤ 0.
pub fn level_point(data: &[f32], bits: u32, mu: f64) -> Result<LevelPoint> {
    check_finite(data)?;
    let q = FixedScale::new(bits, mu)?;
    let peak = peak_of(data)?;
    let (snr_linear, snr_mulaw) = q.snr(data.iter().copied());
    Ok(LevelPoint {
        level_db: 20.0 * (peak / FULL_SCALE).log10(),
        snr_linear,
        snr_mulaw,
    })
}

/// Rounding against clipping error for the linear scheme: the sweep over the clip
/// threshold and the current settings' own split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipTradeoff {
    /// The split at evenly spaced thresholds `α` ([`crate::quant::linear::clipping::clip_sweep`]):
    /// `split.rounding_mse`, `split.clipping_mse` and `split.total_mse` against `alpha`.
    pub sweep: Vec<ClipPoint>,
    /// The current settings: the clip range of the scheme's strategy
    /// ([`crate::quant::linear::clipping::clip_range`]) with its split
    /// ([`crate::quant::linear::clipping::error_split`]), placed at `α = max(|lo|, |hi|)`.
    pub current: ClipPoint,
}

/// The data of the "rounding vs clipping error" view for the **linear** `scheme` on
/// `data`, per tensor, with `points` thresholds (1 to
/// [`crate::quant::linear::clipping::MAX_SWEEP_POINTS`]).
///
/// The sweep runs `α` from the smallest useful threshold up to `max|x|` (symmetric modes
/// clip to `[−α, α]`, asymmetric ones to `[max(x_min, −α), min(x_max, α)]`, see
/// [`crate::quant::linear::clipping`]); at `α = max|x|` nothing is clipped. The current point is the range
/// the scheme's own strategy (`minmax`, `percentile` or `mse`) chooses; an asymmetric
/// percentile range need not lie on the sweep, so it is placed at `max(|lo|, |hi|)`.
///
/// Errors: a scheme other than linear (only a uniform grid has a clip range), empty data,
/// NaN or infinity, bad bits or percentile, `points` out of range.
pub fn clip_tradeoff(data: &[f32], scheme: &Scheme, points: usize) -> Result<ClipTradeoff> {
    if scheme.scheme.scales() != ScaleLayout::Affine {
        return Err(QuantError::InvalidParameter(format!(
            "the rounding/clipping split needs the linear scheme (a uniform grid with a clip range), not {}",
            scheme.scheme.label()
        )));
    }
    let sweep = clip_sweep(data, scheme.bits, scheme.mode, points)?;
    let (lo, hi) = clip_range(data, scheme.bits, scheme.mode, scheme.clip_strategy())?;
    let split = error_split(data, lo, hi, scheme.bits, scheme.mode)?;
    Ok(ClipTradeoff {
        sweep,
        current: ClipPoint {
            alpha: lo.abs().max(hi.abs()),
            lo,
            hi,
            split,
        },
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::quant::linear::clipping::ClipKind;
    use crate::quant::scheme::SchemeKind;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal};

    fn gaussian(seed: u64, n: usize) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                z as f32
            })
            .collect()
    }

    fn sine(n: usize, amplitude: f32) -> Vec<f32> {
        (0..n)
            .map(|i| amplitude * (i as f32 * 0.0731).sin())
            .collect()
    }

    fn linear(bits: u32, mode: Mode) -> Scheme {
        Scheme {
            bits,
            mode,
            ..Scheme::default()
        }
    }

    #[test]
    fn histogram_counts_sum_to_the_number_of_values() {
        let x = gaussian(7, 5000);
        for bins in [1, 2, 17, 64, MAX_BINS] {
            let h = histogram(&x, bins, None).unwrap();
            assert_eq!(h.counts.len(), bins);
            assert_eq!(h.edges.len(), bins + 1);
            assert_eq!(h.total(), x.len(), "{bins} bins");
            assert_eq!(h.outside, 0);
            assert!(h.edges.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn histogram_puts_known_values_in_known_bins() {
        // Range [0, 4], 4 bins of width 1; 4 itself joins the last bin.
        let h = histogram(
            &[0.0, 0.5, 1.0, 2.5, 3.999, 4.0, -1.0, 5.0],
            4,
            Some((0.0, 4.0)),
        )
        .unwrap();
        assert_eq!(h.edges, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(h.counts, vec![2, 1, 1, 2]);
        assert_eq!(h.outside, 2);
        assert_eq!(h.max_count(), 2);
        assert_eq!(h.range(), (0.0, 4.0));
        let bars: Vec<_> = h.bars().collect();
        assert_eq!(bars[3], (3.0, 4.0, 2));
    }

    #[test]
    fn histogram_of_constant_data_has_a_range_around_the_value() {
        let h = histogram(&[3.0; 10], 5, None).unwrap();
        assert_eq!(h.range(), (2.5, 3.5));
        assert_eq!(h.total(), 10);
        assert_eq!(h.counts[2], 10);
        let h = histogram(&[1e30; 3], 4, None).unwrap();
        assert_eq!(h.total(), 3);
        let one = histogram(&[-2.0], 3, None).unwrap();
        assert_eq!(one.total(), 1);
    }

    #[test]
    fn histogram_rejects_empty_nan_and_bad_bins_or_ranges() {
        assert_eq!(histogram(&[], 10, None), Err(QuantError::Empty));
        assert!(matches!(
            histogram(&[1.0, f32::NAN], 10, None),
            Err(QuantError::NonFinite { index: 1, .. })
        ));
        assert!(histogram(&[1.0], 0, None).is_err());
        assert!(histogram(&[1.0], MAX_BINS + 1, None).is_err());
        assert!(histogram(&[1.0], 4, Some((1.0, 1.0))).is_err());
        assert!(histogram(&[1.0], 4, Some((2.0, 1.0))).is_err());
        assert!(histogram(&[1.0], 4, Some((f64::NAN, 1.0))).is_err());
        assert!(histogram(&[1.0], 4, Some((-f64::MAX, f64::MAX))).is_err());
    }

    #[test]
    fn the_error_histogram_is_symmetric_and_shows_half_a_step() {
        let e = [0.01f32, -0.02, 0.0];
        let h = error_histogram(&e, 0.1, 10).unwrap();
        assert_eq!(h.range(), (-0.05, 0.05));
        assert_eq!(h.total(), 3);
        // The error reaches beyond Δ/2 (clipping): the range follows the error.
        let h = error_histogram(&[0.3, -0.1], 0.1, 10).unwrap();
        assert!((h.range().1 - 0.3).abs() < 1e-7 && h.range().0 == -h.range().1);
        assert_eq!(h.total(), 2);
        // Exact reconstruction with no step.
        let h = error_histogram(&[0.0; 4], 0.0, 8).unwrap();
        assert_eq!(h.range(), (-0.5, 0.5));
        assert_eq!(h.total(), 4);
        assert!(error_histogram(&[f32::INFINITY], 0.1, 8).is_err());
    }

    #[test]
    fn the_transfer_curve_of_the_course_formula_is_a_staircase_of_2_to_the_b_levels() {
        let x = sine(500, 1.0);
        let s = linear(3, Mode::AsymFloat);
        let c = transfer_curve(&s, &x, 1001).unwrap();
        assert_eq!(c.len(), 1001);
        let (lo, hi) = transfer_range(&x).unwrap();
        assert!((c[0].0 - lo).abs() < 1e-6 && (c[1000].0 - hi).abs() < 1e-6);
        // Ascending x, non-decreasing Q(x).
        assert!(c.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
        let mut levels: Vec<f64> = c.iter().map(|p| p.1).collect();
        levels.dedup();
        assert_eq!(levels.len(), 8);
        // The ends saturate at the data range; inside it |x − Q(x)| ≤ Δ/2.
        let (xmin, xmax) = min_max(&x);
        let delta = (xmax - xmin) / 7.0;
        assert!((c[0].1 - xmin).abs() < 1e-6 && (c[1000].1 - xmax).abs() < 1e-6);
        for &(xv, q) in &c {
            if xv >= xmin && xv <= xmax {
                assert!((xv - q).abs() <= delta / 2.0 + 1e-6, "{xv} → {q}");
            }
        }
    }

    #[test]
    fn the_transfer_curve_matches_quantizing_the_data_itself() {
        // Q of a value from the curve's x grid equals Q of that value in the data.
        let x = gaussian(11, 300);
        for kind in SchemeKind::ALL {
            let s = Scheme {
                scheme: kind,
                bits: 3,
                ..Scheme::default()
            };
            let c = transfer_curve(&s, &x, 257).unwrap();
            assert_eq!(c.len(), 257, "{kind:?}");
            assert!(c.iter().all(|p| p.1.is_finite()), "{kind:?}");
            assert!(
                c.windows(2).all(|w| w[0].1 <= w[1].1),
                "{kind:?} is monotone"
            );
            if matches!(kind.scales(), ScaleLayout::GgmlBlock(_)) {
                continue;
            }
            // Block formats fit one block of the extremes, not the data's own blocks.
            if matches!(
                kind.scales(),
                ScaleLayout::MxBlock(_) | ScaleLayout::Nvfp4Block
            ) {
                continue;
            }
            let (q, len) = per_tensor_quantizer(&s, &x).unwrap();
            assert_eq!(len, x.len());
            let y = q.quantize_dequantize(&x).unwrap();
            // Probing one sample of the data alone gives what the whole data gave it.
            let probe =
                transfer_curve_of(q.as_ref(), len, f64::from(x[5]), f64::from(x[5]) + 1.0, 2)
                    .unwrap();
            assert_eq!(probe[0].1, f64::from(y[5]), "{kind:?}");
        }
    }

    #[test]
    fn per_group_settings_give_one_per_tensor_transfer_curve() {
        let mut x = sine(256, 0.1);
        x[200] = 4.0;
        let s = Scheme {
            bits: 4,
            mode: Mode::Sym,
            granularity: GranularityKind::Group,
            group_size: 32,
            ..Scheme::default()
        };
        let c = transfer_curve(&s, &x, 600).unwrap();
        let mut levels: Vec<f64> = c.iter().map(|p| p.1).collect();
        levels.dedup();
        // One grid spanning ±4 (15 levels of the symmetric 4-bit grid at most).
        assert!(levels.len() <= 15, "{}", levels.len());
        assert!((c[599].1 - 4.0).abs() < 1e-6);
    }

    #[test]
    fn a_ggml_transfer_curve_uses_one_block_spanning_the_data() {
        let x = sine(100, 2.0);
        let s = Scheme {
            scheme: SchemeKind::Q8_0,
            ..Scheme::default()
        };
        let c = transfer_curve(&s, &x, 2000).unwrap();
        let mut levels: Vec<f64> = c.iter().map(|p| p.1).collect();
        levels.dedup();
        // absmax ≈ 2 → 255 codes, of which the range ±2.2 reaches all.
        assert!(levels.len() > 200, "{}", levels.len());
        let top = c.last().unwrap().1;
        assert!((top - 2.0).abs() < 0.02, "{top}");
    }

    #[test]
    fn transfer_curves_of_one_sample_or_constant_data_do_not_fail() {
        for x in [vec![0.7f32], vec![0.0f32; 20], vec![-3.0f32; 5]] {
            for kind in SchemeKind::ALL {
                let s = Scheme {
                    scheme: kind,
                    bits: 2,
                    ..Scheme::default()
                };
                let c = transfer_curve(&s, &x, 50).unwrap();
                assert_eq!(c.len(), 50, "{kind:?} {x:?}");
                assert!(c.iter().all(|p| p.0.is_finite() && p.1.is_finite()));
            }
        }
    }

    #[test]
    fn transfer_curves_reject_bad_input() {
        let s = Scheme::default();
        assert_eq!(transfer_curve(&s, &[], 10), Err(QuantError::Empty));
        assert!(transfer_curve(&s, &[0.0, f32::NAN], 10).is_err());
        assert!(transfer_curve(&s, &[0.0, 1.0], 1).is_err());
        assert!(transfer_curve(&s, &[0.0, 1.0], MAX_TRANSFER_POINTS + 1).is_err());
        let bad_mu = Scheme {
            scheme: SchemeKind::MuLaw,
            mu: -1.0,
            ..s
        };
        assert!(transfer_curve(&bad_mu, &[0.0, 1.0], 10).is_err());
        let (q, _) = per_tensor_quantizer(&s, &[0.0, 1.0]).unwrap();
        assert!(transfer_curve_of(q.as_ref(), 0, 0.0, 1.0, 4).is_err());
        assert!(transfer_curve_of(q.as_ref(), 2, 1.0, 0.0, 4).is_err());
    }

    #[test]
    fn snr_of_a_sine_rises_about_6_db_per_bit_near_the_theory() {
        let x = full_scale_sine(8192);
        let s = linear(8, Mode::MidRise);
        let curve = snr_vs_bits(&x, &s).unwrap();
        assert_eq!(curve.len(), 16);
        assert_eq!(curve.first().unwrap().0, 1);
        assert_eq!(curve.last().unwrap().0, 16);
        for &(b, snr) in &curve {
            if b >= 4 {
                assert!((snr - sqnr_theory_db(b)).abs() < 1.0, "{b} bits: {snr}");
            }
        }
        for w in curve.windows(2) {
            assert!(w[1].1 > w[0].1, "{w:?}");
        }
        let theory = sqnr_theory_line(1, 16);
        assert_eq!(theory.len(), 16);
        assert!((theory[7].1 - 49.92).abs() < 1e-9);
        assert!(sqnr_theory_line(3, 2).is_empty());
    }

    #[test]
    fn snr_vs_bits_skips_widths_the_scheme_rejects_and_fixed_formats_give_one_point() {
        let x = gaussian(3, 512);
        let sym = snr_vs_bits(&x, &linear(8, Mode::Sym)).unwrap();
        assert_eq!(sym.len(), 15);
        assert_eq!(sym[0].0, 2);
        let nf4 = Scheme {
            scheme: SchemeKind::Nf4,
            ..Scheme::default()
        };
        let p = snr_vs_bits(&x, &nf4).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, 4);
        assert!(p[0].1.is_finite() && p[0].1 > 5.0);
    }

    #[test]
    fn snr_vs_bits_of_kmeans_is_infinite_once_every_value_has_a_centroid() {
        let x: Vec<f32> = (0..40).map(|i| (i % 10) as f32).collect(); // 10 distinct values
        let s = Scheme {
            scheme: SchemeKind::KMeansOptimal,
            ..Scheme::default()
        };
        let c = snr_vs_bits(&x, &s).unwrap();
        assert_eq!(c.len(), 16);
        assert!(c[..3].iter().all(|p| p.1.is_finite()));
        assert!(c[3..].iter().all(|p| p.1 == f64::INFINITY));
    }

    #[test]
    fn snr_vs_bits_of_constant_data_is_infinite_and_bad_input_is_an_error() {
        let c = snr_vs_bits(&[2.0; 8], &Scheme::default()).unwrap();
        assert!(c.iter().all(|p| p.1 == f64::INFINITY));
        assert_eq!(snr_vs_bits(&[], &Scheme::default()), Err(QuantError::Empty));
        assert!(snr_vs_bits(&[f32::NAN], &Scheme::default()).is_err());
        let bad = Scheme {
            scheme: SchemeKind::MuLaw,
            mu: 0.0,
            ..Scheme::default()
        };
        assert!(
            snr_vs_bits(&[1.0, 2.0], &bad)
                .unwrap_err()
                .to_string()
                .contains("μ")
        );
    }

    /// Granular-noise theory of a μ-law compander on a sine of peak `10^(L/20)`:
    /// `D = (Δc²/12)·E[1/F'(x)²]` with `F'(x) = μ/((1 + μ|x|)·ln(1 + μ))` and
    /// `Δc = 2/(2^b − 1)` gives
    /// `SNR = 3(2^b − 1)²/ln²(1 + μ) / (1 + 2·E|x|/(μσ²) + 1/(μσ)²)`, with `σ² = A²/2` and
    /// `E|x| = 2A/π` for a sine.
    fn mulaw_sine_theory_db(bits: u32, mu: f64, level_db: f64) -> f64 {
        let a = 10f64.powf(level_db / 20.0);
        let (var, mean_abs) = (a * a / 2.0, 2.0 * a / std::f64::consts::PI);
        let top = f64::from((1u32 << bits) - 1);
        let peak_snr = 3.0 * top * top / mu.ln_1p().powi(2);
        let loss = 1.0 + 2.0 * mean_abs / (mu * var) + 1.0 / (mu * mu * var);
        10.0 * (peak_snr / loss).log10()
    }

    #[test]
    fn the_companding_figure_has_its_classic_shape_at_8_bits() {
        let levels = default_levels_db();
        assert_eq!(levels.len(), 61);
        assert_eq!((levels[0], levels[60]), (-60.0, 0.0));
        let f = snr_vs_input_level(8, 255.0, &levels).unwrap();
        assert_eq!(f.len(), 61);
        let at = |db: f64| *f.iter().find(|p| p.level_db == db).unwrap();
        // Linear: the full-scale sine meets the theory, then 1 dB lost per dB of level.
        assert!((at(0.0).snr_linear - 49.92).abs() < 0.5, "{:?}", at(0.0));
        for (a, b) in [(-10.0, -30.0), (-20.0, -40.0), (-5.0, -25.0)] {
            let drop = at(a).snr_linear - at(b).snr_linear;
            assert!((drop - 20.0).abs() < 1.5, "{a} → {b}: {drop}");
        }
        // μ-law: nearly flat, 38 ± 3 dB from −35 dB to 0 dB, still above 33 dB at −40 dB
        // (the companding theory below gives 34.4 dB there).
        for p in f.iter().filter(|p| p.level_db >= -35.0) {
            assert!(
                (p.snr_mulaw - 38.0).abs() <= 3.0,
                "{} dB: {}",
                p.level_db,
                p.snr_mulaw
            );
        }
        assert!(at(-40.0).snr_mulaw > 33.0, "{:?}", at(-40.0));
        // Both follow their textbook formulas within 1 dB (linear while the sine spans
        // enough steps for the Δ²/12 noise model, from −30 dB: 8 steps peak to peak).
        for p in &f {
            let t = mulaw_sine_theory_db(8, 255.0, p.level_db);
            assert!((p.snr_mulaw - t).abs() < 1.0, "{p:?} vs {t}");
            if p.level_db >= -30.0 {
                let t = sqnr_theory_db(8) + p.level_db;
                assert!((p.snr_linear - t).abs() < 1.0, "{p:?} vs {t}");
            }
        }
        // The curves cross: linear wins at full scale, μ-law far below it.
        assert!(at(0.0).snr_linear > at(0.0).snr_mulaw + 5.0);
        assert!(at(-50.0).snr_mulaw > at(-50.0).snr_linear + 10.0);
    }

    #[test]
    fn more_bits_lift_both_companding_curves_by_about_6_db_a_bit() {
        let levels = [-30.0, -10.0];
        let a = snr_vs_input_level(8, 255.0, &levels).unwrap();
        let b = snr_vs_input_level(10, 255.0, &levels).unwrap();
        for (p, q) in a.iter().zip(&b) {
            assert!(
                (q.snr_linear - p.snr_linear - 12.04).abs() < 1.5,
                "{p:?} {q:?}"
            );
            assert!(
                (q.snr_mulaw - p.snr_mulaw - 12.04).abs() < 1.5,
                "{p:?} {q:?}"
            );
        }
    }

    #[test]
    fn the_companding_figure_rejects_bad_bits_mu_and_levels() {
        assert!(snr_vs_input_level(0, 255.0, &[0.0]).is_err());
        assert!(snr_vs_input_level(17, 255.0, &[0.0]).is_err());
        assert!(snr_vs_input_level(8, 0.0, &[0.0]).is_err());
        assert!(snr_vs_input_level(8, f64::NAN, &[0.0]).is_err());
        assert!(snr_vs_input_level(8, 255.0, &[f64::NEG_INFINITY]).is_err());
        assert!(snr_vs_input_level(8, 255.0, &[]).unwrap().is_empty());
        assert!(snr_vs_input_level_of(&[0.0; 4], 8, 255.0, &[0.0]).is_err());
        assert!(snr_vs_input_level_of(&[], 8, 255.0, &[0.0]).is_err());
        // One bit works (levels ±½ and ±1).
        let one = snr_vs_input_level(1, 255.0, &[0.0]).unwrap();
        assert!(one[0].snr_linear.is_finite());
    }

    #[test]
    fn a_normalised_signal_scaled_to_a_level_lands_on_its_own_point() {
        let x = gaussian(5, 1000);
        let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let scaled: Vec<f32> = x.iter().map(|v| v / peak * 0.1).collect();
        let p = level_point(&scaled, 8, 255.0).unwrap();
        assert!((p.level_db + 20.0).abs() < 1e-5, "{p:?}");
        let curve = snr_vs_input_level_of(&x, 8, 255.0, &[-20.0]).unwrap();
        // Equal up to the f32 rounding of the scaled samples.
        assert!((curve[0].snr_linear - p.snr_linear).abs() < 1e-4);
        assert!((curve[0].snr_mulaw - p.snr_mulaw).abs() < 1e-4);
    }

    #[test]
    fn a_full_scale_sine_sits_at_zero_db_on_the_theory() {
        let p = level_point(&full_scale_sine(4096), 8, 255.0).unwrap();
        assert!(p.level_db.abs() < 1e-6);
        assert!((p.snr_linear - 49.92).abs() < 0.5, "{p:?}");
        // A signal above full scale is clipped, so its SNR drops.
        let loud: Vec<f32> = full_scale_sine(4096).iter().map(|v| v * 2.0).collect();
        let q = level_point(&loud, 8, 255.0).unwrap();
        assert!((q.level_db - 6.0206).abs() < 1e-3);
        assert!(q.snr_linear < 15.0, "{q:?}");
    }

    #[test]
    fn the_level_point_of_empty_silent_or_nan_data_is_an_error() {
        assert_eq!(level_point(&[], 8, 255.0), Err(QuantError::Empty));
        assert!(level_point(&[0.0; 3], 8, 255.0).is_err());
        assert!(level_point(&[0.5, f32::NAN], 8, 255.0).is_err());
        // One constant sample is fine.
        let p = level_point(&[0.25], 8, 255.0).unwrap();
        assert!((p.level_db + 12.0412).abs() < 1e-3);
    }

    #[test]
    fn the_clip_tradeoff_sweeps_rounding_against_clipping_and_marks_the_current_clip() {
        let x = gaussian(9, 4000);
        let s = linear(4, Mode::Sym);
        let t = clip_tradeoff(&x, &s, 50).unwrap();
        assert_eq!(t.sweep.len(), 50);
        let first = t.sweep[0].split;
        let last = t.sweep[49].split;
        // Small α: clipping dominates; α = max|x|: no clipping at all.
        assert!(first.clipping_mse > first.rounding_mse);
        assert_eq!(last.clipped, 0);
        assert_eq!(last.clipping_mse, 0.0);
        for p in &t.sweep {
            let sum = p.split.rounding_mse + p.split.clipping_mse;
            assert!((sum - p.split.total_mse).abs() <= 1e-6 * p.split.total_mse);
        }
        // Min-max (the default) is the end of the sweep (the sweep prices it from prefix
        // sums, the current point value by value).
        assert_eq!(t.current.split.clipped, 0);
        assert!((t.current.split.total_mse - last.total_mse).abs() <= 1e-9 * last.total_mse);
        assert!((t.current.alpha - t.sweep[49].alpha).abs() < 1e-12);
        // The mse strategy's point is no worse than any swept one.
        let best = clip_tradeoff(
            &x,
            &Scheme {
                clip: ClipKind::Mse,
                ..s
            },
            50,
        )
        .unwrap();
        let least = t
            .sweep
            .iter()
            .map(|p| p.split.total_mse)
            .fold(f64::INFINITY, f64::min);
        assert!(best.current.split.total_mse <= least * (1.0 + 1e-9));
        assert!(best.current.alpha < t.current.alpha);
    }

    #[test]
    fn the_clip_tradeoff_needs_the_linear_scheme_and_good_data() {
        let mu = Scheme {
            scheme: SchemeKind::MuLaw,
            ..Scheme::default()
        };
        assert!(
            clip_tradeoff(&[1.0, 2.0], &mu, 10)
                .unwrap_err()
                .to_string()
                .contains("linear")
        );
        assert_eq!(
            clip_tradeoff(&[], &Scheme::default(), 10),
            Err(QuantError::Empty)
        );
        assert!(clip_tradeoff(&[f32::NAN], &Scheme::default(), 10).is_err());
        assert!(clip_tradeoff(&[1.0], &Scheme::default(), 0).is_err());
        // Constant data and one sample: defined, nothing clipped at the end.
        for x in [vec![0.5f32; 6], vec![-1.0f32]] {
            let t = clip_tradeoff(&x, &Scheme::default(), 8).unwrap();
            assert!(t.sweep.iter().all(|p| p.split.total_mse.is_finite()));
            assert!(t.current.split.total_mse.is_finite());
        }
    }
}
