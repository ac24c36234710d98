//! What a rotation before quantization ([`crate::quant::rotation`]) does to one tensor under
//! one per-group scheme: the weights' histogram and the absmax of every input channel
//! (column) before and after the randomized Hadamard transform, and the error of the scheme
//! with and without it, both measured in the original domain by [`study`] (the same path the
//! Weight lab's readouts take).
//!
//! **Channel absmax.** `max_r |W[r, c]|` for each column `c` of the matrix view (rows =
//! every axis but the last). A tensor with more than [`MAX_CHANNEL_POINTS`] columns is
//! shown by runs of `channel_step` consecutive columns, each point the largest absmax of
//! its run. **Peak ratio**: the largest channel absmax over the mean one: large with
//! outlier channels, near 1 when the magnitudes are flat.
//!
//! **Kurtosis** `m₄/m₂²` of all the values (about the mean): 3 for a Gaussian, far more
//! with outliers; a rotation brings it towards 3.

use serde::{Deserialize, Serialize};

use super::study::{Study, StudyOptions, WeightMetrics, study};
use crate::analysis::{Histogram, histogram};
use crate::error::{QuantError, Result, check_finite};
use crate::quant::registry;
use crate::quant::scheme::Scheme;

/// Most points of the channel absmax series.
pub const MAX_CHANNEL_POINTS: usize = 1024;

/// Before and after the rotation, for one tensor and one per-group scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RotationStudy {
    /// The weights before and after the rotation.
    pub spread: RotationSpread,
    /// The scheme's error without and with it.
    pub errors: RotationErrors,
    /// Largest over mean channel absmax, before.
    pub peak_before: f64,
    /// Largest over mean channel absmax, after.
    pub peak_after: f64,
}

impl RotationStudy {
    /// How much the rotation lowers the MSE: `MSE_plain / MSE_rotated` (`+∞` when the
    /// rotated error is 0 and the plain one is not, 1 when both are 0).
    pub fn mse_ratio(&self) -> f64 {
        match (self.errors.plain.mse, self.errors.rotated.mse) {
            (a, b) if a == 0.0 && b == 0.0 => 1.0,
            (a, b) => a / b,
        }
    }

    /// The SNR gained by the rotation, in dB.
    pub fn snr_gain_db(&self) -> f64 {
        self.errors.rotated.snr_db - self.errors.plain.snr_db
    }
}

/// `max |v|` of every column of `data` viewed as rows of `cols`, then of runs of `step`
/// columns.
fn channel_absmax(data: &[f32], cols: usize, step: usize) -> Vec<f64> {
    let mut per_col = vec![0.0f32; cols];
    for row in data.chunks_exact(cols) {
        for (m, &v) in per_col.iter_mut().zip(row) {
            *m = m.max(v.abs());
        }
    }
    per_col
        .chunks(step.max(1))
        .map(|run| f64::from(run.iter().fold(0.0f32, |m, &v| m.max(v))))
        .collect()
}

/// Largest over mean; 1 for an all-zero series.
fn peak_ratio(v: &[f64]) -> f64 {
    let max = v.iter().fold(0.0f64, |m, &x| m.max(x));
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    if mean > 0.0 { max / mean } else { 1.0 }
}

/// `m₄/m₂²` about the mean; 0 for constant data.
fn kurtosis(data: &[f32]) -> f64 {
    let n = data.len().max(1) as f64;
    let mean = data.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let (mut m2, mut m4) = (0.0f64, 0.0f64);
    for &v in data {
        let d = f64::from(v) - mean;
        let d2 = d * d;
        m2 += d2;
        m4 += d2 * d2;
    }
    let (m2, m4) = (m2 / n, m4 / n);
    if m2 > 0.0 { m4 / (m2 * m2) } else { 0.0 }
}

/// The half of a [`RotationStudy`] that depends on the tensor, the group size, the seed and
/// the bins only (not on the bits, mode or scale storage): the histograms, the channel
/// absmax series and the kurtosis before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RotationSpread {
    /// Values per rotated group (the scheme's group size).
    pub group: usize,
    /// The seed of the signs.
    pub seed: u64,
    /// The weights' histogram before the rotation, over `[−a, a]` with `a` the largest
    /// `|value|` before or after (the same bins as `after`).
    pub before: Histogram,
    /// The rotated weights' histogram, on `before`'s bins.
    pub after: Histogram,
    /// Columns per point of the channel series (1 up to [`MAX_CHANNEL_POINTS`] columns).
    pub channel_step: usize,
    /// The absmax of every input channel (or run of `channel_step`) before the rotation.
    pub absmax_before: Vec<f64>,
    /// The same after the rotation.
    pub absmax_after: Vec<f64>,
    /// Kurtosis of the values, before.
    pub kurtosis_before: f64,
    /// Kurtosis of the values, after.
    pub kurtosis_after: f64,
}

/// The other half: the scheme's error and bits per weight without and with the rotation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RotationErrors {
    /// The scheme's error without the rotation.
    pub plain: WeightMetrics,
    /// The scheme's error with the rotation (reconstruction rotated back).
    pub rotated: WeightMetrics,
    /// Bits per weight without the rotation.
    pub bits_plain: f64,
    /// Bits per weight with the rotation (the seed's 64 bits added).
    pub bits_rotated: f64,
}

impl RotationStudy {
    /// The study made of its two halves.
    pub fn join(spread: &RotationSpread, errors: &RotationErrors) -> RotationStudy {
        RotationStudy {
            peak_before: peak_ratio(&spread.absmax_before),
            peak_after: peak_ratio(&spread.absmax_after),
            spread: spread.clone(),
            errors: *errors,
        }
    }
}

/// The scheme with its rotation on, after the checks every half makes.
fn rotated_scheme(data: &[f32], scheme: &Scheme) -> Result<Scheme> {
    if !scheme.rotation_applies() {
        return Err(QuantError::RotationNeedsGroups);
    }
    let on = Scheme {
        rotate: true,
        ..*scheme
    };
    on.validate()?;
    check_finite(data)?;
    Ok(on)
}

/// The distribution half of [`rotation_study`] (it reads the scheme's group size and seed,
/// and whether a rotation applies to it). Errors as there.
pub fn rotation_spread(
    data: &[f32],
    shape: &[usize],
    scheme: &Scheme,
    bins: usize,
) -> Result<RotationSpread> {
    let on = rotated_scheme(data, scheme)?;
    let rotation =
        registry::rotation(&on, shape, data.len())?.ok_or(QuantError::RotationNeedsGroups)?;
    let rotated = rotation.forward(data)?;
    let absmax = |x: &[f32]| x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let a = f64::from(absmax(data).max(absmax(&rotated)));
    let range = if a > 0.0 { (-a, a) } else { (-0.5, 0.5) };
    let cols = rotation.row();
    let channel_step = cols.div_ceil(MAX_CHANNEL_POINTS).max(1);
    Ok(RotationSpread {
        group: rotation.group(),
        seed: rotation.seed(),
        before: histogram(data, bins, Some(range))?,
        after: histogram(&rotated, bins, Some(range))?,
        channel_step,
        absmax_before: channel_absmax(data, cols, channel_step),
        absmax_after: channel_absmax(&rotated, cols, channel_step),
        kurtosis_before: kurtosis(data),
        kurtosis_after: kurtosis(&rotated),
    })
}

/// The error half of [`rotation_study`]: [`study`] of the scheme without and with the
/// rotation. `known`, when given, must be the study of this very `data`, `shape`, scheme
/// (either side of its rotate flag) and `opts`' scale storage; that side is taken from it
/// instead of being studied again (the Weight lab passes its main study). Errors as there.
pub fn rotation_errors(
    data: &[f32],
    shape: &[usize],
    scheme: &Scheme,
    opts: &StudyOptions,
    known: Option<&Study>,
) -> Result<RotationErrors> {
    let on = rotated_scheme(data, scheme)?;
    let off = Scheme {
        rotate: false,
        ..*scheme
    };
    let side = |rotated: bool, s: &Scheme| -> Result<(WeightMetrics, f64)> {
        match known {
            Some(k) if k.rotation.is_some() == rotated => {
                Ok((k.metrics, k.storage.bits_per_weight))
            }
            _ => study(data, shape, s, opts).map(|st| (st.metrics, st.storage.bits_per_weight)),
        }
    };
    let (plain, bits_plain) = side(false, &off)?;
    let (rotated, bits_rotated) = side(true, &on)?;
    Ok(RotationErrors {
        plain,
        rotated,
        bits_plain,
        bits_rotated,
    })
}

/// The rotation study of per-group `scheme` (its [`Scheme::rotate`] flag is ignored: both
/// sides are computed) on `data` (row-major, `shape`), with `bins` histogram bins: its two
/// halves, [`rotation_spread`] and [`rotation_errors`].
///
/// Errors: a scheme without per-group scales ([`QuantError::RotationNeedsGroups`]), a group
/// size that is not a power of two or does not divide the rows, bad data, shape or bins, and
/// those of [`study`].
pub fn rotation_study(
    data: &[f32],
    shape: &[usize],
    scheme: &Scheme,
    opts: &StudyOptions,
    bins: usize,
) -> Result<RotationStudy> {
    let spread = rotation_spread(data, shape, scheme, bins)?;
    let errors = rotation_errors(data, shape, scheme, opts, None)?;
    Ok(RotationStudy::join(&spread, &errors))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::quant::scheme::SchemeKind;
    use crate::quant::types::{GranularityKind, Mode};
    use crate::weights::synth::{SynthSpec, generate};

    fn int(bits: u32, group_size: u32) -> Scheme {
        Scheme {
            bits,
            mode: Mode::Sym,
            granularity: GranularityKind::Group,
            group_size,
            ..Scheme::default()
        }
    }

    fn outlier_tensor() -> (Vec<f32>, Vec<usize>) {
        let spec = SynthSpec {
            outliers: 8,
            ..SynthSpec::default()
        };
        (generate(&spec).unwrap(), vec![spec.rows, spec.cols])
    }

    #[test]
    fn the_rotation_flattens_outlier_channels_and_lowers_the_error_at_3_and_4_bits() {
        let (x, shape) = outlier_tensor();
        for mode in [Mode::Sym, Mode::Asym] {
            for bits in [2, 3, 4] {
                let s = Scheme {
                    mode,
                    ..int(bits, 128)
                };
                let r = rotation_study(&x, &shape, &s, &StudyOptions::default(), 64).unwrap();
                assert_eq!(
                    (
                        r.spread.group,
                        r.spread.absmax_before.len(),
                        r.spread.channel_step
                    ),
                    (128, 512, 1)
                );
                assert!(r.peak_before > 15.0 && r.peak_after < 2.5, "{r:?}");
                assert!(
                    r.spread.kurtosis_before > 100.0 && r.spread.kurtosis_after < 6.0,
                    "{r:?}"
                );
                assert_eq!(r.spread.before.total(), x.len());
                assert_eq!(r.spread.after.total(), x.len());
                assert_eq!(r.spread.before.edges, r.spread.after.edges);
                assert_eq!(
                    r.errors.bits_rotated - r.errors.bits_plain,
                    64.0 / x.len() as f64
                );
                let ratio = r.mse_ratio();
                match (bits, mode) {
                    // 8 or 16 levels: the spread-out group is quantized far better.
                    (3 | 4, _) => assert!(ratio > 3.0, "{mode:?} int{bits}: {ratio}"),
                    // 3 levels (−S, 0, S): without the rotation the ordinary weights of an
                    // outlier group round to 0 (an error of σ² each); with it every weight
                    // of the group carries a share of the outlier (variance ≈ 7σ²) and 3
                    // levels cannot follow it: the rotation loses.
                    (2, Mode::Sym) => assert!(ratio < 0.6, "int2 sym: {ratio}"),
                    _ => assert!((0.9..1.5).contains(&ratio), "{mode:?} int{bits}: {ratio}"),
                }
            }
        }
        // Without outliers a Gaussian stays a Gaussian: the error hardly moves.
        let plain = generate(&SynthSpec::default()).unwrap();
        let r = rotation_study(&plain, &shape, &int(4, 128), &StudyOptions::default(), 64).unwrap();
        assert!((r.mse_ratio() - 1.0).abs() < 0.02, "{}", r.mse_ratio());
    }

    #[test]
    fn a_known_study_stands_for_its_side_and_the_halves_join_to_the_study() {
        let (x, shape) = outlier_tensor();
        let opts = StudyOptions::default();
        let s = int(4, 64);
        let whole = rotation_study(&x, &shape, &s, &opts, 32).unwrap();
        let fresh = rotation_errors(&x, &shape, &s, &opts, None).unwrap();
        for rotate in [false, true] {
            let side = Scheme { rotate, ..s };
            let known = study(&x, &shape, &side, &opts).unwrap();
            let reused = rotation_errors(&x, &shape, &s, &opts, Some(&known)).unwrap();
            assert_eq!(reused, fresh, "rotate = {rotate}");
        }
        let spread = rotation_spread(&x, &shape, &s, 32).unwrap();
        assert_eq!(RotationStudy::join(&spread, &fresh), whole);
        assert_eq!(
            rotation_spread(&x, &shape, &Scheme::default(), 32).map(|_| ()),
            Err(QuantError::RotationNeedsGroups)
        );
    }

    #[test]
    fn the_study_with_rotation_is_the_registry_quantizer_rotated_back() {
        let (x, shape) = outlier_tensor();
        let s = Scheme {
            rotate: true,
            rotate_seed: 4,
            ..int(4, 64)
        };
        let opts = StudyOptions {
            scale_dtype: crate::weights::storage::ScaleDtype::Fp32,
            ..StudyOptions::default()
        };
        let st = study(&x, &shape, &s, &opts).unwrap();
        let q = s.fit(&x, &shape).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        assert_eq!(st.reconstruction(&x), y);
        let m = WeightMetrics::compute(&x, &y);
        assert!(st.metrics.agrees_with(&m), "{:?} vs {m:?}", st.metrics);
        assert_eq!(st.storage.rotation_bits, 64);
        // The worked weight is the rotated one, quantized with the rotated group's scale.
        let (i, w) = st.worked(&x, 3).unwrap();
        let rotated = st.rotation.as_ref().unwrap().forward(&x).unwrap();
        assert_eq!(w.x, f64::from(rotated[i]));
        // Non-linear per-group schemes take the same path.
        for kind in [SchemeKind::MuLaw, SchemeKind::Fp4, SchemeKind::Log2] {
            let s = Scheme { scheme: kind, ..s };
            let st = study(&x, &shape, &s, &opts).unwrap();
            let y = s.fit(&x, &shape).unwrap().quantize_dequantize(&x).unwrap();
            assert_eq!(st.reconstruction(&x), y, "{kind:?}");
        }
    }

    #[test]
    fn schemes_without_groups_and_bad_groups_are_refused_in_words() {
        let (x, shape) = outlier_tensor();
        let tensor = Scheme {
            granularity: GranularityKind::Tensor,
            ..int(4, 128)
        };
        let e = rotation_study(&x, &shape, &tensor, &StudyOptions::default(), 64).unwrap_err();
        assert_eq!(e, QuantError::RotationNeedsGroups);
        let nf4 = Scheme {
            scheme: SchemeKind::Nf4,
            ..int(4, 128)
        };
        assert!(rotation_study(&x, &shape, &nf4, &StudyOptions::default(), 64).is_err());
        let e = rotation_study(
            &x[..500],
            &[5, 100],
            &int(4, 64),
            &StudyOptions::default(),
            64,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("64 does not divide a row of 100"),
            "{e}"
        );
        let mut bad = x.clone();
        bad[7] = f32::INFINITY;
        assert!(rotation_study(&bad, &shape, &int(4, 128), &StudyOptions::default(), 64).is_err());
        assert!(rotation_study(&[], &[], &int(4, 128), &StudyOptions::default(), 64).is_err());
        // All zeros: nothing to flatten, nothing lost.
        let z = vec![0.0f32; 256];
        let r = rotation_study(&z, &[2, 128], &int(4, 128), &StudyOptions::default(), 16).unwrap();
        assert_eq!(
            (r.errors.plain.mse, r.errors.rotated.mse, r.mse_ratio()),
            (0.0, 0.0, 1.0)
        );
        // One huge outlier: finite results.
        let mut one = vec![0.001f32; 256];
        one[3] = 1.0e30;
        let r =
            rotation_study(&one, &[2, 128], &int(4, 128), &StudyOptions::default(), 16).unwrap();
        assert!(r.errors.rotated.mse.is_finite() && r.errors.plain.mse.is_finite());
    }
}
