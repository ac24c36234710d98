//! The right answers of the lesson's questions, computed with the functions the labs use.

use crate::analysis::{LevelPoint, snr_vs_input_level};
use crate::error::{QuantError, Result};
use crate::memory::{WeightFormat, course_cell};
use crate::mlp::quant::{Activations, QuantConfig};
use crate::quant::linear::AffineParams;
use crate::quant::scheme::Scheme;
use crate::quant::types::{GranularityKind, IntRange, Mode};
use crate::weights::study::{StudyOptions, study};

use super::bits::{FieldKind, NumberFormat, layout};

/// How many exponent bits `format` keeps (0 for an integer).
pub fn exponent_bits(format: NumberFormat) -> u32 {
    layout(1.0, format)
        .ok()
        .and_then(|l| {
            l.fields
                .iter()
                .find(|f| f.kind == FieldKind::Exponent)
                .map(|f| f.bits.len() as u32)
        })
        .unwrap_or(0)
}

/// The step Δ = (x_max − x_min)/(2^b − 1) of the course formula on `[x_min, x_max]`, as the
/// linear quantizer chooses it.
pub fn linear_step(bits: u32, x_min: f64, x_max: f64) -> Result<f64> {
    Ok(AffineParams::choose(x_min, x_max, bits, Mode::AsymFloat, IntRange::Unsigned)?.scale)
}

/// The first bit width whose SNR reaches `target_db` on an SNR-against-bits curve.
pub fn first_bits_reaching(curve: &[(u32, f64)], target_db: f64) -> Option<u32> {
    curve
        .iter()
        .filter(|(_, snr)| *snr >= target_db)
        .map(|(b, _)| *b)
        .min()
}

/// The SNR of the linear and the μ-law quantizer (full scale `[−1, 1]`) for a sine whose
/// peak sits `level_db` below full scale.
pub fn level_snr(level_db: f64, bits: u32, mu: f64) -> Result<LevelPoint> {
    snr_vs_input_level(bits, mu, &[level_db])?
        .into_iter()
        .next()
        .ok_or_else(|| QuantError::InvalidParameter("no level".into()))
}

/// The integer zero-point `Z` of asymmetric unsigned quantization on `[min, max]`.
pub fn zero_point(min: f64, max: f64, bits: u32) -> Result<f64> {
    Ok(AffineParams::choose(min, max, bits, Mode::Asym, IntRange::Unsigned)?.zero_point)
}

/// The MSE of `scheme` at each granularity (per tensor, per channel of axis 0, per group of
/// `group_size`) on a `[rows, cols]` tensor, in that order.
pub fn granularity_mse(
    data: &[f32],
    shape: [usize; 2],
    scheme: &Scheme,
    group_size: u32,
) -> Result<[(GranularityKind, f64); 3]> {
    let mut out = [
        (GranularityKind::Tensor, 0.0),
        (GranularityKind::Channel, 0.0),
        (GranularityKind::Group, 0.0),
    ];
    for (kind, mse) in &mut out {
        let s = Scheme {
            granularity: *kind,
            axis: 0,
            group_size,
            ..*scheme
        };
        *mse = study(data, &shape, &s, &StudyOptions::default())?
            .metrics
            .mse;
    }
    Ok(out)
}

/// The granularity with the lowest MSE of [`granularity_mse`].
pub fn best_granularity(mse: &[(GranularityKind, f64); 3]) -> GranularityKind {
    mse.iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(GranularityKind::Tensor, |m| m.0)
}

/// Bytes that `n` codes of `bits` bits take once packed.
pub fn packed_bytes(n: usize, bits: u32) -> Result<usize> {
    Ok(crate::pack::pack(&vec![0; n], bits)?.len())
}

/// Gigabytes (10⁹ bytes) that the weights of a model of `billions` parameters take.
pub fn weight_gb(billions: u64, format: WeightFormat) -> Result<f64> {
    Ok(course_cell(billions, format)?.gb)
}

/// The course's configurations that quantize the activations as well as the weights.
pub fn quantizes_activations() -> Vec<QuantConfig> {
    QuantConfig::COURSE
        .into_iter()
        .filter(|c| c.activations != Activations::Fp32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{full_scale_sine, snr_vs_bits};
    use crate::weights::synth::{SynthSpec, WeightDist, generate};

    #[test]
    fn bf16_keeps_eight_exponent_bits_and_fp16_five() {
        assert_eq!(exponent_bits(NumberFormat::Bf16), 8);
        assert_eq!(exponent_bits(NumberFormat::Fp16), 5);
        assert_eq!(exponent_bits(NumberFormat::Int8), 0);
    }

    #[test]
    fn three_bits_on_minus_one_to_one_step_by_two_sevenths() {
        assert!((linear_step(3, -1.0, 1.0).unwrap() - 2.0 / 7.0).abs() < 1e-7);
        assert!(linear_step(0, -1.0, 1.0).is_err());
    }

    #[test]
    fn a_full_scale_sine_first_reaches_40_db_at_7_bits() {
        let sine = full_scale_sine(4096);
        let scheme = Scheme {
            mode: Mode::MidRise,
            ..Scheme::default()
        };
        let curve = snr_vs_bits(&sine, &scheme).unwrap();
        assert_eq!(first_bits_reaching(&curve, 40.0), Some(7));
        assert_eq!(first_bits_reaching(&curve, 1e9), None);
    }

    #[test]
    fn a_quiet_sine_keeps_more_snr_under_mu_law() {
        let p = level_snr(-40.0, 8, 255.0).unwrap();
        assert!(p.snr_mulaw > p.snr_linear + 10.0, "{p:?}");
    }

    #[test]
    fn minus_one_to_three_in_uint8_has_zero_point_64() {
        assert_eq!(zero_point(-1.0, 3.0, 8).unwrap(), 64.0);
    }

    #[test]
    fn an_outlier_row_favours_finer_granularity() {
        let spec = SynthSpec {
            dist: WeightDist::Normal,
            rows: 32,
            cols: 256,
            spread: 1.5,
            ..SynthSpec::default()
        };
        let data = generate(&spec).unwrap();
        let scheme = Scheme {
            bits: 4,
            mode: Mode::Sym,
            ..Scheme::default()
        };
        let mse = granularity_mse(&data, [32, 256], &scheme, 32).unwrap();
        assert!(mse[0].1 > mse[1].1, "{mse:?}");
        assert_ne!(best_granularity(&mse), GranularityKind::Tensor);
    }

    #[test]
    fn packing_and_memory_answers() {
        assert_eq!(packed_bytes(1000, 4).unwrap(), 500);
        assert_eq!(packed_bytes(1000, 3).unwrap(), 375);
        assert!((weight_gb(70, WeightFormat::Int4).unwrap() - 35.0).abs() < 1e-9);
        let act = quantizes_activations();
        assert_eq!(act, vec![QuantConfig::W8A8]);
    }
}
