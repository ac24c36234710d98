//! The registry: the only module that names every scheme's quantizer type. It turns a
//! [`Scheme`] value into a fitted `Box<dyn Quantizer>` ([`fit`], also [`Scheme::fit`]).

use crate::error::Result;
use crate::quant::codebook::{kmeans::KMeansQuantizer, lloyd_max::LloydMaxQuantizer};
use crate::quant::companding::{ALaw, CompandingQuantizer, G711Law, G711Quantizer, MuLaw};
use crate::quant::ggml::GgmlQuantizer;
use crate::quant::granularity::GroupLayout;
use crate::quant::linear::LinearQuantizer;
use crate::quant::log2::Log2Quantizer;
use crate::quant::minifloat::{FloatFormat, MiniFloatQuantizer};
use crate::quant::mx::{MxQuantizer, Nvfp4Quantizer};
use crate::quant::nf4::Nf4Quantizer;
use crate::quant::quantizer::Quantizer;
use crate::quant::rotation::{HadamardRotation, RotatedQuantizer};
use crate::quant::scheme::{Scheme, SchemeKind};
use crate::quant::types::MxElement;
use crate::quant::types::{GgmlType, Granularity};

/// Fits `scheme` to `data` of the given `shape` (row-major; an empty shape means 1-D):
/// the one place that turns a [`SchemeKind`] into its quantizer type.
///
/// Validates the parameters first ([`Scheme::validate`]), then the data (non-empty,
/// finite, matching the shape). When the scheme rotates ([`Scheme::rotates`]) the quantizer
/// is a [`RotatedQuantizer`]: fitted on the rotated data, reconstructing in the original
/// domain.
pub fn fit(scheme: &Scheme, data: &[f32], shape: &[usize]) -> Result<Box<dyn Quantizer>> {
    scheme.validate()?;
    match rotation(scheme, shape, data.len())? {
        Some(r) => Ok(Box::new(RotatedQuantizer::fit(r, data, |x| {
            fit_plain(scheme, x, shape)
        })?)),
        None => fit_plain(scheme, data, shape),
    }
}

/// The rotation of `scheme` for `len` values of `shape`, `None` when it does not rotate
/// ([`Scheme::rotates`]): groups of [`Scheme::group_size`] along the last axis, signs from
/// [`Scheme::rotate_seed`].
///
/// Errors: a group size that is not a power of two or does not divide the rows, a shape
/// that does not hold `len` values, no values.
pub fn rotation(scheme: &Scheme, shape: &[usize], len: usize) -> Result<Option<HadamardRotation>> {
    if !scheme.rotates() {
        return Ok(None);
    }
    HadamardRotation::for_shape(scheme.group_size as usize, shape, len, scheme.rotate_seed)
        .map(Some)
}

/// [`fit`] without the rotation.
fn fit_plain(scheme: &Scheme, data: &[f32], shape: &[usize]) -> Result<Box<dyn Quantizer>> {
    let g = scheme.granularity();
    let bits = scheme.bits;
    Ok(match scheme.scheme {
        SchemeKind::Linear => Box::new(LinearQuantizer::fit(data, shape, scheme)?),
        SchemeKind::MuLaw => Box::new(CompandingQuantizer::fit(
            MuLaw::new(scheme.mu)?,
            bits,
            data,
            shape,
            g,
        )?),
        SchemeKind::ALaw => Box::new(CompandingQuantizer::fit(
            ALaw::new(scheme.a_law)?,
            bits,
            data,
            shape,
            g,
        )?),
        SchemeKind::MuLawG711 => Box::new(G711Quantizer::fit(G711Law::MuLaw, data, shape, g)?),
        SchemeKind::ALawG711 => Box::new(G711Quantizer::fit(G711Law::ALaw, data, shape, g)?),
        SchemeKind::Log2 => Box::new(Log2Quantizer::fit(bits, data, shape, g)?),
        SchemeKind::Nf4 => Box::new(Nf4Quantizer::fit(
            data,
            shape,
            scheme.block_size as usize,
            scheme.double_quant,
        )?),
        SchemeKind::Fp4 => Box::new(MiniFloatQuantizer::fit(FloatFormat::E2m1, data, shape, g)?),
        SchemeKind::Fp8 => Box::new(MiniFloatQuantizer::fit(
            FloatFormat::from(scheme.fp8),
            data,
            shape,
            g,
        )?),
        SchemeKind::Fp16 => Box::new(MiniFloatQuantizer::fit(FloatFormat::F16, data, shape, g)?),
        SchemeKind::Bf16 => Box::new(MiniFloatQuantizer::fit(FloatFormat::Bf16, data, shape, g)?),
        SchemeKind::Q8_0 => Box::new(GgmlQuantizer::fit(GgmlType::Q8_0, data, shape)?),
        SchemeKind::Q4_0 => Box::new(GgmlQuantizer::fit(GgmlType::Q4_0, data, shape)?),
        SchemeKind::Q4_1 => Box::new(GgmlQuantizer::fit(GgmlType::Q4_1, data, shape)?),
        SchemeKind::Q5_0 => Box::new(GgmlQuantizer::fit(GgmlType::Q5_0, data, shape)?),
        SchemeKind::Q5_1 => Box::new(GgmlQuantizer::fit(GgmlType::Q5_1, data, shape)?),
        SchemeKind::Iq4Nl => Box::new(GgmlQuantizer::fit(GgmlType::IQ4_NL, data, shape)?),
        SchemeKind::Q2K => Box::new(GgmlQuantizer::fit(GgmlType::Q2_K, data, shape)?),
        SchemeKind::Q3K => Box::new(GgmlQuantizer::fit(GgmlType::Q3_K, data, shape)?),
        SchemeKind::Q4K => Box::new(GgmlQuantizer::fit(GgmlType::Q4_K, data, shape)?),
        SchemeKind::Q5K => Box::new(GgmlQuantizer::fit(GgmlType::Q5_K, data, shape)?),
        SchemeKind::Q6K => Box::new(GgmlQuantizer::fit(GgmlType::Q6_K, data, shape)?),
        SchemeKind::Q8K => Box::new(GgmlQuantizer::fit(GgmlType::Q8_K, data, shape)?),
        SchemeKind::KMeans => {
            per_tensor_codebook(data, shape)?;
            Box::new(KMeansQuantizer::fit(data, 1 << bits, scheme.kmeans_seed)?)
        }
        SchemeKind::KMeansOptimal => {
            per_tensor_codebook(data, shape)?;
            Box::new(KMeansQuantizer::fit_optimal(data, 1 << bits)?)
        }
        SchemeKind::LloydMax => {
            per_tensor_codebook(data, shape)?;
            Box::new(LloydMaxQuantizer::fit(data, 1 << bits)?)
        }
        SchemeKind::Mxfp8E4m3 => Box::new(MxQuantizer::fit(MxElement::Fp8E4m3, data, shape)?),
        SchemeKind::Mxfp8E5m2 => Box::new(MxQuantizer::fit(MxElement::Fp8E5m2, data, shape)?),
        SchemeKind::Mxfp6E3m2 => Box::new(MxQuantizer::fit(MxElement::Fp6E3m2, data, shape)?),
        SchemeKind::Mxfp6E2m3 => Box::new(MxQuantizer::fit(MxElement::Fp6E2m3, data, shape)?),
        SchemeKind::Mxfp4 => Box::new(MxQuantizer::fit(MxElement::Fp4E2m1, data, shape)?),
        SchemeKind::Mxint8 => Box::new(MxQuantizer::fit(MxElement::Int8, data, shape)?),
        SchemeKind::Nvfp4 => Box::new(Nvfp4Quantizer::fit(data, shape)?),
    })
}

/// The codebook is per tensor; the shape is checked all the same.
fn per_tensor_codebook(data: &[f32], shape: &[usize]) -> Result<()> {
    GroupLayout::new(Granularity::PerTensor, shape, data.len()).map(|_| ())
}

/// The float format of the minifloat schemes (FP4, FP8 in its [`Scheme::fp8`] layout,
/// fp16, bf16); `None` for every other scheme.
pub fn float_format(scheme: &Scheme) -> Option<FloatFormat> {
    match scheme.scheme {
        SchemeKind::Fp4 => Some(FloatFormat::E2m1),
        SchemeKind::Fp8 => Some(FloatFormat::from(scheme.fp8)),
        SchemeKind::Fp16 => Some(FloatFormat::F16),
        SchemeKind::Bf16 => Some(FloatFormat::Bf16),
        SchemeKind::Linear
        | SchemeKind::MuLaw
        | SchemeKind::ALaw
        | SchemeKind::MuLawG711
        | SchemeKind::ALawG711
        | SchemeKind::Log2
        | SchemeKind::Nf4
        | SchemeKind::Q8_0
        | SchemeKind::Q4_0
        | SchemeKind::Q4_1
        | SchemeKind::Q5_0
        | SchemeKind::Q5_1
        | SchemeKind::Iq4Nl
        | SchemeKind::Q2K
        | SchemeKind::Q3K
        | SchemeKind::Q4K
        | SchemeKind::Q5K
        | SchemeKind::Q6K
        | SchemeKind::Q8K
        | SchemeKind::KMeans
        | SchemeKind::KMeansOptimal
        | SchemeKind::LloydMax
        | SchemeKind::Mxfp8E4m3
        | SchemeKind::Mxfp8E5m2
        | SchemeKind::Mxfp6E3m2
        | SchemeKind::Mxfp6E2m3
        | SchemeKind::Mxfp4
        | SchemeKind::Mxint8
        | SchemeKind::Nvfp4 => None,
    }
}

impl Scheme {
    /// Fits this scheme to `data` of the given `shape` (row-major; an empty shape means 1-D):
    /// [`fit`].
    ///
    /// Validates the parameters first ([`Scheme::validate`]), then the data (non-empty,
    /// finite, matching the shape).
    pub fn fit(&self, data: &[f32], shape: &[usize]) -> Result<Box<dyn Quantizer>> {
        fit(self, data, shape)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::error::QuantError;
    use crate::quant::types::{ClipKind, GranularityKind, IntRange, Mode};
    #[test]
    fn every_default_kind_fits_a_small_signal() {
        let x: Vec<f32> = (0..100).map(|i| ((i as f32) * 0.3).sin()).collect();
        for kind in SchemeKind::ALL {
            let s = Scheme {
                scheme: kind,
                bits: 4,
                ..Scheme::default()
            };
            let q = s.fit(&x, &[]).unwrap();
            let y = q.quantize_dequantize(&x).unwrap();
            assert_eq!(y.len(), x.len(), "{kind:?}");
            assert!(y.iter().all(|v| v.is_finite()), "{kind:?}");
            assert!(q.bits_per_value() >= f64::from(s.code_bits()), "{kind:?}");
            assert!(!q.levels().is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn bad_parameters_are_clear_errors() {
        let bad = |s: Scheme| s.validate().unwrap_err().to_string();
        let mu = Scheme {
            scheme: SchemeKind::MuLaw,
            ..Scheme::default()
        };
        assert!(bad(Scheme { mu: 0.0, ..mu }).contains("μ"));
        assert!(bad(Scheme { mu: -3.0, ..mu }).contains("μ"));
        assert!(bad(Scheme { mu: f64::NAN, ..mu }).contains("μ"));
        assert!(bad(Scheme { bits: 0, ..mu }).contains("0 bits"));
        assert!(bad(Scheme { bits: 17, ..mu }).contains("17 bits"));
        let a = Scheme {
            scheme: SchemeKind::ALaw,
            ..Scheme::default()
        };
        assert!(bad(Scheme { a_law: 0.5, ..a }).contains("A"));
        assert!(
            bad(Scheme {
                granularity: GranularityKind::Group,
                group_size: 0,
                ..a
            })
            .contains("group size")
        );
        let lin = Scheme {
            bits: 1,
            mode: Mode::Sym,
            ..Scheme::default()
        };
        assert_eq!(lin.validate(), Err(QuantError::SymmetricNeedsTwoBits));
        // Fixed-width formats ignore `bits`.
        let g711 = Scheme {
            scheme: SchemeKind::MuLawG711,
            bits: 0,
            ..Scheme::default()
        };
        assert_eq!(g711.validate(), Ok(()));
        assert_eq!(g711.code_bits(), 8);
        let nf4 = Scheme {
            scheme: SchemeKind::Nf4,
            block_size: 0,
            ..Scheme::default()
        };
        assert!(bad(nf4).contains("block size"));
        let log2 = Scheme {
            scheme: SchemeKind::Log2,
            bits: 1,
            ..Scheme::default()
        };
        assert!(bad(log2).contains("2 to 8 bits"));
        // `fit` validates before it looks at the data.
        assert!(
            Scheme { mu: 0.0, ..mu }
                .fit(&[], &[])
                .unwrap_err()
                .to_string()
                .contains("μ")
        );
    }

    /// A seeded Laplace-like signal with a few large outliers.
    fn heavy_tailed(n: usize) -> Vec<f32> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        (0..n)
            .map(|i| {
                let u: f64 = rng.random_range(-0.5..0.5);
                let v = -u.signum() * (1.0 - 2.0 * u.abs()).max(1e-12).ln();
                if i % 997 == 0 {
                    v as f32 * 20.0
                } else {
                    v as f32
                }
            })
            .collect()
    }

    #[test]
    fn codebook_schemes_take_one_to_sixteen_bits_and_k_is_two_to_the_bits() {
        let x: Vec<f32> = (0..400).map(|i| ((i as f32) * 0.37).sin()).collect();
        for kind in [
            SchemeKind::KMeans,
            SchemeKind::KMeansOptimal,
            SchemeKind::LloydMax,
        ] {
            assert_eq!(kind.bits_range(), (1, 16));
            assert_eq!(kind.fixed_bits(), None);
            for bits in 1..=4 {
                let q = Scheme {
                    scheme: kind,
                    bits,
                    ..Scheme::default()
                }
                .fit(&x, &[20, 20])
                .unwrap();
                assert_eq!(q.levels().len(), 1 << bits, "{kind:?} {bits}");
                assert!(!q.describe().is_empty(), "{kind:?}");
            }
            let bad = Scheme {
                scheme: kind,
                bits: 17,
                ..Scheme::default()
            };
            assert!(bad.validate().unwrap_err().to_string().contains("17 bits"));
            // The shape is checked even though the codebook is per tensor.
            let wrong_shape = Scheme {
                scheme: kind,
                bits: 2,
                ..Scheme::default()
            }
            .fit(&x, &[3, 3]);
            assert!(matches!(wrong_shape, Err(QuantError::ShapeMismatch { .. })));
        }
    }

    #[test]
    fn the_exact_kmeans_scheme_is_never_worse_than_lloyd_and_the_seed_reproduces() {
        let x = heavy_tailed(3000);
        let fit = |scheme, kmeans_seed| {
            let q = Scheme {
                scheme,
                bits: 3,
                kmeans_seed,
                ..Scheme::default()
            }
            .fit(&x, &[])
            .unwrap();
            crate::metrics::mse(&x, &q.quantize_dequantize(&x).unwrap())
        };
        let optimal = fit(SchemeKind::KMeansOptimal, 0);
        for seed in 0..5 {
            let lloyd = fit(SchemeKind::KMeans, seed);
            assert!(optimal <= lloyd * (1.0 + 1e-9), "seed {seed}");
            assert_eq!(lloyd, fit(SchemeKind::KMeans, seed));
        }
        assert!(optimal <= fit(SchemeKind::LloydMax, 0) * (1.0 + 1e-9));
    }

    #[test]
    fn the_default_clip_leaves_linear_quantization_unchanged() {
        let x = heavy_tailed(1000);
        for mode in Mode::ALL {
            let s = Scheme {
                bits: 4,
                mode,
                ..Scheme::default()
            };
            let q = crate::quant::linear::LinearQuantizer::fit(&x, &[], &s).unwrap();
            let (lo, hi) = x
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(f64::from(v)), b.max(f64::from(v)))
                });
            let p = crate::quant::linear::AffineParams::choose(lo, hi, 4, mode, IntRange::Signed)
                .unwrap();
            assert_eq!(q.params, vec![p], "{mode:?}");
            // Percentile 100 is min-max.
            let p100 = Scheme {
                clip: ClipKind::Percentile,
                percentile: 100.0,
                ..s
            };
            assert_eq!(
                s.fit(&x, &[]).unwrap().quantize_dequantize(&x).unwrap(),
                p100.fit(&x, &[]).unwrap().quantize_dequantize(&x).unwrap(),
                "{mode:?}"
            );
        }
    }

    #[test]
    fn clipping_the_outliers_lowers_the_linear_mse_at_four_bits() {
        let x = heavy_tailed(4000);
        let mse_of = |clip, percentile| {
            let q = Scheme {
                bits: 4,
                mode: Mode::Sym,
                clip,
                percentile,
                ..Scheme::default()
            }
            .fit(&x, &[40, 100])
            .unwrap();
            crate::metrics::mse(&x, &q.quantize_dequantize(&x).unwrap())
        };
        let minmax = mse_of(ClipKind::MinMax, 99.9);
        let mse = mse_of(ClipKind::Mse, 99.9);
        let pct = mse_of(ClipKind::Percentile, 99.0);
        assert!(mse < minmax, "mse {mse} vs minmax {minmax}");
        assert!(pct < minmax, "percentile {pct} vs minmax {minmax}");
    }

    #[test]
    fn clipping_applies_to_every_scale_group() {
        let x = heavy_tailed(1024);
        let s = Scheme {
            bits: 4,
            mode: Mode::Sym,
            granularity: GranularityKind::Group,
            group_size: 128,
            clip: ClipKind::Percentile,
            percentile: 90.0,
            ..Scheme::default()
        };
        let q = crate::quant::linear::LinearQuantizer::fit(&x, &[8, 128], &s).unwrap();
        assert_eq!(q.params.len(), 8);
        for (g, p) in q.params.iter().enumerate() {
            let a = crate::quant::linear::clipping::percentile(
                &x[g * 128..(g + 1) * 128]
                    .iter()
                    .map(|v| v.abs())
                    .collect::<Vec<_>>(),
                90.0,
            )
            .unwrap();
            // The f32 quotient of the (f32-rounded) percentile, as NumPy computes it.
            assert_eq!(p.scale, f64::from(a as f32 / 7.0), "group {g}");
        }
    }

    #[test]
    fn the_linear_description_reports_scale_and_zero_point() {
        let x: Vec<f32> = (0..64).map(|i| i as f32 / 8.0 - 2.0).collect();
        let q = Scheme {
            bits: 8,
            mode: Mode::Sym,
            ..Scheme::default()
        }
        .fit(&x, &[])
        .unwrap();
        let d: std::collections::HashMap<String, f64> = q.describe().into_iter().collect();
        assert_eq!(d["groups"], 1.0);
        // max|x| = 63/8 − 2 = 5.875, S = 5.875/127.
        assert_eq!(d["scale_max"], f64::from(5.875f32 / 127.0));
        assert_eq!(d["zero_point_min"], 0.0);
    }

    #[test]
    fn the_descriptor_rows_agree_with_the_families() {
        use crate::quant::scheme::ScaleLayout;
        assert_eq!(
            SchemeKind::Linear.bits_range(),
            (
                crate::quant::linear::MIN_BITS,
                crate::quant::linear::MAX_BITS
            )
        );
        for kind in [SchemeKind::MuLaw, SchemeKind::ALaw] {
            assert_eq!(
                kind.bits_range(),
                (
                    crate::quant::companding::MIN_BITS,
                    crate::quant::companding::MAX_BITS
                )
            );
        }
        assert_eq!(
            SchemeKind::Log2.bits_range(),
            (crate::quant::log2::MIN_BITS, crate::quant::log2::MAX_BITS)
        );
        assert_eq!(
            1usize << SchemeKind::KMeans.bits_range().1,
            crate::quant::codebook::kmeans::MAX_K
        );
        // 96 values: three MX blocks, six NVFP4 blocks.
        let x: Vec<f32> = (0..96).map(|i| ((i as f32) * 0.21).cos()).collect();
        let mut ids = std::collections::HashSet::new();
        for kind in SchemeKind::ALL {
            assert!(ids.insert(kind.id()), "{kind:?}: duplicate id");
            let s = Scheme {
                scheme: kind,
                bits: 4,
                ..Scheme::default()
            };
            // Fixed-width formats fit as wide codes as they say; the float casts and the
            // ggml blocks match their layouts.
            match kind.scales() {
                ScaleLayout::GgmlBlock(ty) => {
                    assert_eq!(kind.fixed_bits(), Some(ty.code_bits()), "{kind:?}");
                    // Whole blocks (32 or 256 values).
                    let blocks: Vec<f32> = (0..3 * ty.block_values())
                        .map(|i| ((i as f32) * 0.21).cos())
                        .collect();
                    let q = s.fit(&blocks, &[]).unwrap();
                    assert_eq!(q.bits_per_value(), ty.bits_per_value(), "{kind:?}");
                }
                ScaleLayout::None | ScaleLayout::MiniFloat => {
                    assert!(float_format(&s).is_some(), "{kind:?}");
                }
                ScaleLayout::GroupAbsmax
                | ScaleLayout::Affine
                | ScaleLayout::Nf4Block
                | ScaleLayout::Codebook => assert!(float_format(&s).is_none(), "{kind:?}"),
                ScaleLayout::MxBlock(element) => {
                    assert_eq!(kind.fixed_bits(), Some(element.bits()), "{kind:?}");
                    assert!(float_format(&s).is_none(), "{kind:?}");
                    let q = s.fit(&x, &[]).unwrap();
                    assert_eq!(q.bits_per_value(), element.bits_per_value(), "{kind:?}");
                }
                ScaleLayout::Nvfp4Block => {
                    assert_eq!(kind.fixed_bits(), Some(4), "{kind:?}");
                    let q = s.fit(&x, &[]).unwrap();
                    assert_eq!(q.bits_per_value(), 4.5 + 32.0 / 96.0, "{kind:?}");
                }
            }
            assert_eq!(
                kind.uses_granularity(),
                kind.parameters().contains(&"granularity"),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn every_per_group_kind_rotates_and_reconstructs_in_the_original_domain() {
        // Rows of 256 with one outlier column every 64.
        let x: Vec<f32> = (0..8 * 256)
            .map(|i| {
                let v = ((i as f32) * 0.71).sin() * 0.02;
                if i % 64 == 5 { v * 40.0 } else { v }
            })
            .collect();
        for kind in SchemeKind::ALL {
            let s = Scheme {
                scheme: kind,
                bits: 4,
                granularity: GranularityKind::Group,
                group_size: 64,
                rotate: true,
                rotate_seed: 3,
                ..Scheme::default()
            };
            let q = s.fit(&x, &[8, 256]).unwrap();
            let y = q.quantize_dequantize(&x).unwrap();
            assert_eq!(y.len(), x.len(), "{kind:?}");
            assert!(y.iter().all(|v| v.is_finite()), "{kind:?}");
            let plain = Scheme { rotate: false, ..s };
            let p = plain.fit(&x, &[8, 256]).unwrap();
            if s.rotates() {
                // The codes are those of the rotated data, and the seed costs 64/N bits.
                assert_ne!(q.quantize(&x).unwrap(), p.quantize(&x).unwrap(), "{kind:?}");
                let extra = q.bits_per_value() - p.bits_per_value();
                assert!((extra - 64.0 / x.len() as f64).abs() < 1e-12, "{kind:?}");
                assert_eq!(q.dequantize(&q.quantize(&x).unwrap()).unwrap(), y);
            } else {
                assert_eq!(y, p.quantize_dequantize(&x).unwrap(), "{kind:?}");
            }
        }
        // A group that does not divide the row is refused in words.
        let s = Scheme {
            granularity: GranularityKind::Group,
            group_size: 128,
            rotate: true,
            ..Scheme::default()
        };
        let e = s.fit(&x[..8 * 200], &[8, 200]).unwrap_err();
        assert!(
            e.to_string().contains("does not divide a row of 200"),
            "{e}"
        );
    }
}
