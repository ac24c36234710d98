//! Seeded synthetic weight tensors, and tensors sampled from a hand-drawn histogram.
//!
//! **Synthetic.** `rows × cols` values, row-major. Each value is `σ·g_r·z`, where `z` is
//! drawn from the chosen [`WeightDist`] (unit scale) and `g_r = exp(spread·u_r)` is a
//! per-row gain with `u_r ~ N(0, 1)` (log-normal channel magnitudes, as in trained layers;
//! `spread = 0` gives every row the same scale). ChaCha8, seeded: the same spec gives the
//! same tensor on every platform.
//!
//! | dist | `z` |
//! |---|---|
//! | `normal` | `N(0, 1)` |
//! | `laplace` | Laplace with scale `1/√2` (variance 1) |
//! | `student-t` | Student's t with `ν` degrees of freedom (heavy tails; outliers for small ν) |
//! | `bimodal` | `±sep + N(0, 1)` with equal probability |
//! | `uniform` | `U(−√3, √3)` (variance 1) |
//!
//! **Outlier channels.** `outliers` input channels (columns), chosen by the seed, are
//! multiplied by `outlier_gain` after the values are drawn (so the other columns are the
//! same as without them): the channels that a few large activations make large in trained
//! transformers, and what a rotation before quantization ([`crate::quant::rotation`])
//! spreads out. The columns are a partial Fisher–Yates shuffle of `0..cols` by a ChaCha8
//! generator seeded with `seed ^ OUTLIER_STREAM` ([`outlier_columns`]).
//!
//! **Drawn.** A histogram of [`DRAWN_BARS`] bars over `[−range, range]`, heights in `[0, 1]`,
//! travels in the link through [`crate::drawn`]'s encoding (height `h` stored as `2h − 1`).
//! [`sample_drawn`] draws values with probability proportional to the bar heights (a bar is
//! chosen by binary search on the cumulative heights, the value is uniform inside it).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal, StudentT};
use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result};

/// Most values a synthetic tensor holds (`rows·cols`).
pub const MAX_SYNTH_VALUES: usize = 1 << 26;

/// Bars of a hand-drawn histogram.
pub const DRAWN_BARS: usize = 32;

/// Which distribution the synthetic weights follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum WeightDist {
    /// Gaussian.
    #[default]
    Normal,
    /// Laplace (double exponential): a sharper peak and heavier tails.
    Laplace,
    /// Student's t with ν degrees of freedom: outliers.
    StudentT,
    /// Two Gaussian modes at `±sep`.
    Bimodal,
    /// Uniform.
    Uniform,
}

impl WeightDist {
    /// Every distribution, in menu order.
    pub const ALL: [WeightDist; 5] = [
        WeightDist::Normal,
        WeightDist::Laplace,
        WeightDist::StudentT,
        WeightDist::Bimodal,
        WeightDist::Uniform,
    ];

    /// The name in URLs.
    pub fn id(self) -> &'static str {
        match self {
            WeightDist::Normal => "normal",
            WeightDist::Laplace => "laplace",
            WeightDist::StudentT => "student-t",
            WeightDist::Bimodal => "bimodal",
            WeightDist::Uniform => "uniform",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            WeightDist::Normal => "Normal",
            WeightDist::Laplace => "Laplace",
            WeightDist::StudentT => "Student-t (heavy tails, ν)",
            WeightDist::Bimodal => "Bimodal",
            WeightDist::Uniform => "Uniform",
        }
    }
}

/// A synthetic tensor: distribution, shape, seed and scales.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SynthSpec {
    /// The distribution of `z`.
    pub dist: WeightDist,
    /// Rows (output channels).
    pub rows: usize,
    /// Columns (inputs).
    pub cols: usize,
    /// Seed.
    pub seed: u64,
    /// Scale σ.
    pub sigma: f64,
    /// Degrees of freedom ν of the Student-t (> 0; heavier tails as ν falls).
    pub nu: f64,
    /// Distance of the bimodal modes from 0, in units of σ.
    pub sep: f64,
    /// Spread of the per-row log gains (0: every row alike).
    pub spread: f64,
    /// Outlier input channels: how many columns are scaled by `outlier_gain` (0: none).
    #[serde(default)]
    pub outliers: usize,
    /// The gain of the outlier columns (> 0).
    #[serde(default = "default_outlier_gain")]
    pub outlier_gain: f64,
}

/// The default gain of outlier columns: 20×.
pub const DEFAULT_OUTLIER_GAIN: f64 = 20.0;

fn default_outlier_gain() -> f64 {
    DEFAULT_OUTLIER_GAIN
}

/// Mixed into the seed for the choice of the outlier columns, so that the values drawn do
/// not depend on it.
pub const OUTLIER_STREAM: u64 = 0x6f75_746c_6965_7273;

/// The outlier columns of `spec`, ascending (`min(outliers, cols)` distinct columns).
pub fn outlier_columns(spec: &SynthSpec) -> Vec<usize> {
    let k = spec.outliers.min(spec.cols);
    if k == 0 {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ OUTLIER_STREAM);
    let mut cols: Vec<usize> = (0..spec.cols).collect();
    for i in 0..k {
        let j = rng.random_range(i..spec.cols);
        cols.swap(i, j);
    }
    let mut out = cols[..k].to_vec();
    out.sort_unstable();
    out
}

impl Default for SynthSpec {
    fn default() -> Self {
        SynthSpec {
            dist: WeightDist::Normal,
            rows: 256,
            cols: 512,
            seed: 1,
            sigma: 0.02,
            nu: 3.0,
            sep: 2.5,
            spread: 0.3,
            outliers: 0,
            outlier_gain: DEFAULT_OUTLIER_GAIN,
        }
    }
}

fn check_shape(rows: usize, cols: usize) -> Result<usize> {
    let n = rows.saturating_mul(cols);
    if rows == 0 || cols == 0 {
        return Err(QuantError::InvalidParameter(
            "a tensor needs at least 1 row and 1 column".into(),
        ));
    }
    if n > MAX_SYNTH_VALUES {
        return Err(QuantError::InvalidParameter(format!(
            "{rows} × {cols} is too many weights: at most {MAX_SYNTH_VALUES} (64 M)"
        )));
    }
    Ok(n)
}

fn check_positive(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "{name} must be a positive number, not {v}"
        )))
    }
}

/// Generates the tensor of `spec`, row-major `[rows, cols]`.
///
/// Errors: an empty or too large shape, σ ≤ 0, ν ≤ 0, a negative or non-finite `sep` or
/// `spread`, more outlier columns than columns, an outlier gain that is not positive.
pub fn generate(spec: &SynthSpec) -> Result<Vec<f32>> {
    let n = check_shape(spec.rows, spec.cols)?;
    check_positive("σ", spec.sigma)?;
    check_positive("ν", spec.nu)?;
    for (name, v) in [
        ("the mode distance", spec.sep),
        ("the row spread", spec.spread),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(QuantError::InvalidParameter(format!(
                "{name} must be 0 or more, not {v}"
            )));
        }
    }
    if spec.outliers > spec.cols {
        return Err(QuantError::InvalidParameter(format!(
            "{} outlier columns is more than the {} columns",
            spec.outliers, spec.cols
        )));
    }
    check_positive("the outlier gain", spec.outlier_gain)?;
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let student = StudentT::new(spec.nu)
        .map_err(|e| QuantError::InvalidParameter(format!("ν = {}: {e}", spec.nu)))?;
    let laplace_b = 1.0 / std::f64::consts::SQRT_2;
    let uni = 3f64.sqrt();
    let mut out = Vec::with_capacity(n);
    for _ in 0..spec.rows {
        let u: f64 = StandardNormal.sample(&mut rng);
        let gain = spec.sigma * (spec.spread * u).exp();
        for _ in 0..spec.cols {
            let z: f64 = match spec.dist {
                WeightDist::Normal => StandardNormal.sample(&mut rng),
                WeightDist::Laplace => {
                    let v: f64 = rng.random_range(-0.5..0.5);
                    -laplace_b * v.signum() * (1.0 - 2.0 * v.abs()).max(1e-300).ln()
                }
                WeightDist::StudentT => student.sample(&mut rng),
                WeightDist::Bimodal => {
                    let g: f64 = StandardNormal.sample(&mut rng);
                    if rng.random::<bool>() {
                        spec.sep + g
                    } else {
                        -spec.sep + g
                    }
                }
                WeightDist::Uniform => rng.random_range(-uni..uni),
            };
            // Clamp to the f32 range (a Student-t with tiny ν can exceed it).
            let v = (gain * z).clamp(-f64::from(f32::MAX), f64::from(f32::MAX));
            out.push(v as f32);
        }
    }
    let outliers = outlier_columns(spec);
    if !outliers.is_empty() {
        let max = f64::from(f32::MAX);
        for row in out.chunks_exact_mut(spec.cols) {
            for &c in &outliers {
                row[c] = (f64::from(row[c]) * spec.outlier_gain).clamp(-max, max) as f32;
            }
        }
    }
    Ok(out)
}

/// The default drawn histogram: a bell.
pub fn default_bars() -> Vec<f32> {
    (0..DRAWN_BARS)
        .map(|i| {
            let x = (i as f32 + 0.5) / DRAWN_BARS as f32 * 2.0 - 1.0;
            (-(x * x) / (2.0 * 0.3 * 0.3)).exp()
        })
        .collect()
}

/// Encodes bar heights in `[0, 1]` for a link.
pub fn encode_bars(heights: &[f32]) -> String {
    let v: Vec<f32> = heights
        .iter()
        .map(|&h| h.clamp(0.0, 1.0) * 2.0 - 1.0)
        .collect();
    crate::drawn::encode(&v)
}

/// Decodes bar heights written by [`encode_bars`]; an empty text gives [`default_bars`].
pub fn decode_bars(text: &str) -> Result<Vec<f32>> {
    if text.trim().is_empty() {
        return Ok(default_bars());
    }
    let v = crate::drawn::decode(text)?;
    Ok(v.into_iter()
        .map(|x| ((x + 1.0) / 2.0).clamp(0.0, 1.0))
        .collect())
}

/// Samples `rows × cols` values from the histogram `heights` over `[−range, range]`.
///
/// Errors: an empty or too large shape, a range that is not positive, no bars or all bars
/// at zero height.
pub fn sample_drawn(
    heights: &[f32],
    range: f64,
    rows: usize,
    cols: usize,
    seed: u64,
) -> Result<Vec<f32>> {
    let n = check_shape(rows, cols)?;
    check_positive("the histogram range", range)?;
    let mut cum = Vec::with_capacity(heights.len());
    let mut total = 0.0f64;
    for &h in heights {
        total += f64::from(h.max(0.0));
        cum.push(total);
    }
    if heights.is_empty() || total <= 0.0 {
        return Err(QuantError::InvalidParameter(
            "the drawn histogram is empty: raise at least one bar".into(),
        ));
    }
    let bars = heights.len() as f64;
    let width = 2.0 * range / bars;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Ok((0..n)
        .map(|_| {
            let t = rng.random_range(0.0..total);
            // The first bar whose cumulative height exceeds t (empty bars are never chosen).
            let b = cum.partition_point(|&c| c <= t).min(heights.len() - 1);
            let u: f64 = rng.random_range(0.0..1.0);
            (-range + (b as f64 + u) * width) as f32
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn stats(x: &[f32]) -> (f64, f64, f64) {
        let n = x.len() as f64;
        let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = x
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        let kurt = x
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(4))
            .sum::<f64>()
            / n
            / (var * var);
        (mean, var.sqrt(), kurt)
    }

    fn spec(dist: WeightDist) -> SynthSpec {
        SynthSpec {
            dist,
            rows: 200,
            cols: 500,
            sigma: 1.0,
            spread: 0.0,
            ..SynthSpec::default()
        }
    }

    #[test]
    fn every_distribution_has_unit_scale_and_its_own_tails() {
        let (_, sd, k) = stats(&generate(&spec(WeightDist::Normal)).unwrap());
        assert!(
            (sd - 1.0).abs() < 0.02 && (k - 3.0).abs() < 0.15,
            "{sd} {k}"
        );
        let (_, sd, k) = stats(&generate(&spec(WeightDist::Laplace)).unwrap());
        assert!((sd - 1.0).abs() < 0.03 && (k - 6.0).abs() < 0.6, "{sd} {k}");
        let (_, sd, k) = stats(&generate(&spec(WeightDist::Uniform)).unwrap());
        assert!(
            (sd - 1.0).abs() < 0.02 && (k - 1.8).abs() < 0.05,
            "{sd} {k}"
        );
        // ν = 5: variance ν/(ν − 2) = 5/3, excess kurtosis 6/(ν − 4) = 6.
        let t5 = SynthSpec {
            nu: 5.0,
            ..spec(WeightDist::StudentT)
        };
        let (_, sd, k) = stats(&generate(&t5).unwrap());
        assert!(
            (sd - (5.0f64 / 3.0).sqrt()).abs() < 0.05 && k > 5.0,
            "{sd} {k}"
        );
        // Bimodal: half the mass near each mode, little near 0.
        let b = generate(&spec(WeightDist::Bimodal)).unwrap();
        let near_zero = b.iter().filter(|v| v.abs() < 0.25).count() as f64 / b.len() as f64;
        let near_mode =
            b.iter().filter(|v| (v.abs() - 2.5).abs() < 0.25).count() as f64 / b.len() as f64;
        assert!(near_mode > 3.0 * near_zero, "{near_mode} {near_zero}");
    }

    #[test]
    fn a_smaller_nu_gives_larger_outliers() {
        let max = |nu| {
            generate(&SynthSpec {
                nu,
                ..spec(WeightDist::StudentT)
            })
            .unwrap()
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()))
        };
        assert!(max(1.5) > 3.0 * max(30.0));
    }

    #[test]
    fn the_seed_reproduces_and_the_row_spread_varies_rows() {
        let s = SynthSpec::default();
        assert_eq!(generate(&s).unwrap(), generate(&s).unwrap());
        assert_ne!(
            generate(&s).unwrap(),
            generate(&SynthSpec { seed: 2, ..s }).unwrap()
        );
        let x = generate(&SynthSpec {
            spread: 1.0,
            sigma: 1.0,
            ..s
        })
        .unwrap();
        let row_sd: Vec<f64> = x.chunks(s.cols).map(|r| stats(r).1).collect();
        let (lo, hi) = row_sd
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
        assert!(hi / lo > 5.0, "{lo} {hi}");
    }

    #[test]
    fn bad_specs_are_errors() {
        let bad = |s: SynthSpec| generate(&s).unwrap_err().to_string();
        let s = SynthSpec::default();
        assert!(bad(SynthSpec { rows: 0, ..s }).contains("at least 1 row"));
        assert!(
            bad(SynthSpec {
                rows: (1 << 13) + 1,
                cols: 1 << 13,
                ..s
            })
            .contains("too many")
        );
        assert!(bad(SynthSpec { sigma: 0.0, ..s }).contains("σ"));
        assert!(bad(SynthSpec { nu: -1.0, ..s }).contains("ν"));
        assert!(
            bad(SynthSpec {
                spread: f64::NAN,
                ..s
            })
            .contains("spread")
        );
    }

    #[test]
    fn drawn_bars_round_trip_and_sampling_follows_the_heights() {
        let mut bars = vec![0.0f32; DRAWN_BARS];
        bars[8] = 1.0;
        bars[24] = 0.5;
        let back = decode_bars(&encode_bars(&bars)).unwrap();
        for (a, b) in bars.iter().zip(&back) {
            assert!((a - b).abs() <= 1.0 / 255.0);
        }
        let x = sample_drawn(&back, 1.0, 100, 300, 7).unwrap();
        let w = 2.0 / DRAWN_BARS as f32;
        let in_bar = |b: usize| {
            let lo = -1.0 + b as f32 * w;
            x.iter().filter(|&&v| v >= lo && v < lo + w).count() as f64
        };
        assert_eq!(in_bar(8) + in_bar(24), x.len() as f64);
        let ratio = in_bar(8) / in_bar(24);
        assert!((ratio - 2.0).abs() < 0.1, "{ratio}");
        assert_eq!(decode_bars("").unwrap(), default_bars());
        assert!(sample_drawn(&[0.0; 4], 1.0, 2, 2, 1).is_err());
        assert!(sample_drawn(&bars, 0.0, 2, 2, 1).is_err());
        assert!(decode_bars("!!").is_err());
    }

    #[test]
    fn outlier_columns_are_seeded_scaled_and_leave_the_rest_alone() {
        let base = SynthSpec {
            rows: 64,
            cols: 256,
            ..SynthSpec::default()
        };
        let spec = SynthSpec {
            outliers: 6,
            outlier_gain: 25.0,
            ..base
        };
        let cols = outlier_columns(&spec);
        assert_eq!(cols.len(), 6);
        assert!(cols.windows(2).all(|w| w[0] < w[1]) && cols[5] < 256);
        assert_eq!(cols, outlier_columns(&spec));
        assert_ne!(cols, outlier_columns(&SynthSpec { seed: 2, ..spec }));
        let (x, y) = (generate(&base).unwrap(), generate(&spec).unwrap());
        for (i, (a, b)) in x.iter().zip(&y).enumerate() {
            if cols.contains(&(i % 256)) {
                assert_eq!(*b, ((f64::from(*a)) * 25.0) as f32);
            } else {
                assert_eq!(a, b);
            }
        }
        assert!(outlier_columns(&base).is_empty());
        assert!(
            generate(&SynthSpec {
                outliers: 300,
                ..spec
            })
            .unwrap_err()
            .to_string()
            .contains("outlier")
        );
        assert!(
            generate(&SynthSpec {
                outlier_gain: f64::NAN,
                ..spec
            })
            .is_err()
        );
    }
}
