//! The Weight lab's block inspector: one block of the lab's scheme on its tensor decoded in
//! numbers ([`inspect`]), and which block holds a weight ([`locate`]).
//!
//! The decode itself is each family's ([`Quantizer::inspect`]); here the linear scheme's
//! scales are first rounded to the lab's storage format ([`store_params`]), so the
//! inspector shows exactly the reconstruction the lab measures
//! ([`super::study::Study::reconstruction`]).

use crate::error::{Result, check_finite};
use crate::quant::granularity::GroupLayout;
use crate::quant::inspect::{BlockDecode, ScaleFormat};
use crate::quant::linear::LinearQuantizer;
use crate::quant::quantizer::Quantizer;
use crate::quant::scheme::{ScaleLayout, Scheme};
use crate::quant::types::{Granularity, MX_BLOCK, NVFP4_BLOCK};

use super::storage::ScaleDtype;
use super::study::store_params;

/// The storage format of a [`ScaleDtype`].
pub fn scale_format(dtype: ScaleDtype) -> ScaleFormat {
    match dtype {
        ScaleDtype::Fp32 => ScaleFormat::F32,
        ScaleDtype::Fp16 => ScaleFormat::F16,
        ScaleDtype::Bf16 => ScaleFormat::Bf16,
    }
}

/// `scheme` fitted to `data` as the lab reconstructs with it: a linear scheme with its
/// scales rounded to `dtype`.
pub fn fitted(
    data: &[f32],
    shape: &[usize],
    scheme: &Scheme,
    dtype: ScaleDtype,
) -> Result<Box<dyn Quantizer>> {
    scheme.validate()?;
    check_finite(data)?;
    Ok(match scheme.scheme.scales() {
        ScaleLayout::Affine => {
            let mut q = LinearQuantizer::fit(data, shape, scheme)?;
            store_params(&mut q.params, dtype);
            Box::new(Stored(q, scale_format(dtype)))
        }
        ScaleLayout::None
        | ScaleLayout::GroupAbsmax
        | ScaleLayout::MiniFloat
        | ScaleLayout::GgmlBlock(_)
        | ScaleLayout::Nf4Block
        | ScaleLayout::Codebook
        | ScaleLayout::MxBlock(_)
        | ScaleLayout::Nvfp4Block => scheme.fit(data, shape)?,
    })
}

/// A linear quantizer whose scales are stored in a given format: its inspector shows the
/// fields in that format.
#[derive(Debug)]
struct Stored(LinearQuantizer, ScaleFormat);

impl Quantizer for Stored {
    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        self.0.quantize(data)
    }
    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        self.0.dequantize(codes)
    }
    fn quantize_dequantize(&self, data: &[f32]) -> Result<Vec<f32>> {
        self.0.quantize_dequantize(data)
    }
    fn levels(&self) -> Vec<f32> {
        self.0.levels()
    }
    fn bits_per_value(&self) -> f64 {
        self.0.bits_per_value()
    }
    fn inspect_blocks(&self) -> usize {
        self.0.inspect_blocks()
    }
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode> {
        self.0.inspect_stored(data, block, first, self.1)
    }
}

/// Block `block` of `scheme` on `data` (row-major, `shape`), scales stored as `dtype`,
/// listing elements from position `first` of the block. Fits the scheme: the page keeps
/// the fitted quantizer ([`fitted`]) and calls [`Quantizer::inspect`] per selection.
pub fn inspect(
    data: &[f32],
    shape: &[usize],
    scheme: &Scheme,
    dtype: ScaleDtype,
    block: usize,
    first: usize,
) -> Result<BlockDecode> {
    fitted(data, shape, scheme, dtype)?.inspect(data, block, first)
}

/// The block that holds flat index `i` of `n` values of `shape` under `scheme`, and the
/// position of `i` in it. Errors: a shape that does not hold `n` values, `i ≥ n`.
pub fn locate(scheme: &Scheme, shape: &[usize], n: usize, i: usize) -> Result<(usize, usize)> {
    GroupLayout::new(Granularity::PerTensor, shape, n)?;
    crate::quant::inspect::check_block(i, n).map_err(|_| {
        crate::error::QuantError::InvalidParameter(format!(
            "weight {i} does not exist: the tensor has {n}"
        ))
    })?;
    let fixed = |size: usize| (i / size, i % size);
    Ok(match scheme.scheme.scales() {
        ScaleLayout::Nf4Block => fixed((scheme.block_size as usize).max(1)),
        ScaleLayout::GgmlBlock(ty) => fixed(ty.block_values()),
        ScaleLayout::MxBlock(_) => fixed(MX_BLOCK),
        ScaleLayout::Nvfp4Block => fixed(NVFP4_BLOCK),
        ScaleLayout::Codebook | ScaleLayout::None => (0, i),
        ScaleLayout::GroupAbsmax | ScaleLayout::MiniFloat | ScaleLayout::Affine => {
            let layout = GroupLayout::new(scheme.granularity(), shape, n)?;
            let g = layout.group_of(i);
            let pos = layout.members(g).partition_point(|&m| m < i);
            (g, pos)
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::quant::inspect::MAX_ELEMENTS;
    use crate::quant::scheme::SchemeKind;
    use crate::quant::types::{GranularityKind, Mode};
    use crate::weights::study::{StudyOptions, study};

    /// 3 × 300: partial last blocks for every block size (16, 32, 64, 256).
    fn tensor() -> (Vec<f32>, Vec<usize>) {
        let x = (0..900)
            .map(|i| {
                let t = i as f32;
                (t * 0.37).sin() * (1.0 + (i % 13) as f32 * 0.2)
                    + if i % 97 == 0 { 4.0 } else { 0.0 }
            })
            .collect();
        (x, vec![3, 300])
    }

    fn schemes(kind: SchemeKind) -> Vec<Scheme> {
        let base = Scheme {
            scheme: kind,
            bits: kind.fixed_bits().unwrap_or(4),
            granularity: GranularityKind::Group,
            group_size: 128,
            ..Scheme::default()
        };
        let mut v = vec![base];
        if kind == SchemeKind::Linear {
            for mode in Mode::ALL {
                v.push(Scheme { mode, ..base });
            }
            v.push(Scheme {
                granularity: GranularityKind::Channel,
                axis: 1,
                ..base
            });
            v.push(Scheme {
                granularity: GranularityKind::Tensor,
                bits: 8,
                ..base
            });
        }
        if kind == SchemeKind::Nf4 {
            v.push(Scheme {
                double_quant: true,
                block_size: 4,
                ..base
            });
        }
        if kind.uses_granularity() && kind != SchemeKind::Linear {
            v.push(Scheme {
                granularity: GranularityKind::Channel,
                axis: 0,
                ..base
            });
        }
        v
    }

    #[test]
    fn every_scheme_decodes_every_block_to_the_labs_own_reconstruction_bit_for_bit() {
        let (x, shape) = tensor();
        for kind in SchemeKind::ALL {
            for s in schemes(kind) {
                for dtype in [ScaleDtype::Fp16, ScaleDtype::Fp32] {
                    let opts = StudyOptions {
                        scale_dtype: dtype,
                        ..StudyOptions::default()
                    };
                    let lab = study(&x, &shape, &s, &opts).unwrap().reconstruction(&x);
                    let q = fitted(&x, &shape, &s, dtype).unwrap();
                    let codes = q.quantize(&x).unwrap();
                    if s.scheme.scales() != ScaleLayout::Affine {
                        let own = s.fit(&x, &shape).unwrap().quantize_dequantize(&x).unwrap();
                        assert_eq!(own, lab, "{s:?}");
                    }
                    let mut seen = vec![false; x.len()];
                    for b in 0..q.inspect_blocks() {
                        let mut first = 0;
                        loop {
                            let d = q.inspect(&x, b, first).unwrap();
                            assert_eq!((d.block, d.blocks), (b, q.inspect_blocks()));
                            assert!(!d.steps.is_empty(), "{s:?} block {b}");
                            assert!(!d.bytes.is_empty(), "{s:?} block {b}");
                            assert_eq!(d.first, first);
                            if d.len <= MAX_ELEMENTS {
                                assert_eq!(d.elements.len(), d.len, "{s:?} block {b}");
                            }
                            for e in &d.elements {
                                let i = e.index;
                                assert_eq!(
                                    e.value.to_bits(),
                                    lab[i].to_bits(),
                                    "{s:?} at {i}: {e:?}"
                                );
                                assert_eq!(e.code, codes[i], "{s:?} at {i}");
                                assert_eq!(e.original, x[i]);
                                assert_eq!(
                                    locate(&s, &shape, x.len(), i).unwrap().0,
                                    b,
                                    "{s:?} at {i}"
                                );
                                let back = e.unit * e.scale + e.offset;
                                let tol =
                                    1e-5 * (e.value.abs() as f64).max(e.scale.abs()).max(1e-30);
                                assert!(
                                    (back - f64::from(e.value)).abs() <= tol,
                                    "{s:?} at {i}: {e:?}"
                                );
                                assert!(!seen[i], "{s:?}: {i} twice");
                                seen[i] = true;
                            }
                            first += MAX_ELEMENTS;
                            if first >= d.len {
                                break;
                            }
                        }
                    }
                    assert!(
                        seen.iter().all(|&v| v),
                        "{s:?}: not every weight is in a block"
                    );
                }
            }
        }
    }

    #[test]
    fn ggml_mx_and_nvfp4_blocks_are_the_formats_own_bytes() {
        use crate::quant::ggml::GgmlQuantizer;
        use crate::quant::mx::{MxQuantizer, Nvfp4Quantizer};
        let (x, shape) = tensor();
        for kind in SchemeKind::ALL {
            let s = Scheme {
                scheme: kind,
                ..Scheme::default()
            };
            let q = s.fit(&x, &shape).unwrap();
            match kind.scales() {
                ScaleLayout::GgmlBlock(ty) => {
                    let g = GgmlQuantizer::fit(ty, &x, &shape).unwrap();
                    let size = ty.block_bytes();
                    assert_eq!(q.inspect_blocks(), x.len().div_ceil(ty.block_values()));
                    for b in 0..q.inspect_blocks() {
                        let d = q.inspect(&x, b, 0).unwrap();
                        assert_eq!(d.bytes, g.bytes()[b * size..(b + 1) * size], "{kind:?} {b}");
                    }
                    if ty == crate::quant::types::GgmlType::Q4_K {
                        let d = q.inspect(&x, 0, 0).unwrap();
                        assert_eq!(d.bytes.len(), 144);
                        // d, dmin, then 8 sub-scales and 8 sub-mins.
                        assert_eq!(d.steps.len(), 2 + 16);
                        assert_eq!(
                            d.steps[0].raw.unwrap().0,
                            u64::from(u16::from_le_bytes([d.bytes[0], d.bytes[1]]))
                        );
                    }
                }
                ScaleLayout::MxBlock(element) => {
                    let blocks = MxQuantizer::fit(element, &x, &shape)
                        .unwrap()
                        .blocks(&x)
                        .unwrap();
                    for (b, blk) in blocks.iter().enumerate() {
                        assert_eq!(
                            q.inspect(&x, b, 0).unwrap().bytes,
                            blk.to_bytes(),
                            "{kind:?} {b}"
                        );
                    }
                    assert_eq!(
                        q.inspect(&x, 0, 0).unwrap().bytes.len(),
                        element.block_bytes()
                    );
                }
                ScaleLayout::Nvfp4Block => {
                    let blocks = Nvfp4Quantizer::fit(&x, &shape).unwrap().blocks(&x).unwrap();
                    for (b, blk) in blocks.iter().enumerate() {
                        assert_eq!(q.inspect(&x, b, 0).unwrap().bytes, blk.to_bytes().to_vec());
                    }
                }
                ScaleLayout::None
                | ScaleLayout::GroupAbsmax
                | ScaleLayout::MiniFloat
                | ScaleLayout::Affine
                | ScaleLayout::Nf4Block
                | ScaleLayout::Codebook => {}
            }
        }
    }

    #[test]
    fn int4_groups_of_128_store_an_fp16_scale_a_zero_point_and_64_code_bytes() {
        let (x, shape) = tensor();
        let s = Scheme {
            bits: 4,
            granularity: GranularityKind::Group,
            group_size: 128,
            ..Scheme::default()
        };
        let d = inspect(&x, &shape, &s, ScaleDtype::Fp16, 0, 0).unwrap();
        assert_eq!(d.len, 128);
        assert_eq!(d.scale_bytes, 2 + 1);
        assert_eq!(d.bytes.len(), 3 + 64);
        let scale = d.steps[0].value;
        assert_eq!(
            d.steps[0].raw,
            Some((
                u64::from(crate::quant::kernel::f16_from_f64(scale).to_bits()),
                16
            ))
        );
        assert_eq!(
            u16::from_le_bytes([d.bytes[0], d.bytes[1]]),
            crate::quant::kernel::f16_from_f64(scale).to_bits()
        );
        // Row 0 is groups 0, 1, 2 (128 + 128 + 44); row 1 starts at group 3.
        assert_eq!(locate(&s, &shape, 900, 300).unwrap(), (3, 0));
        assert_eq!(locate(&s, &shape, 900, 299).unwrap(), (2, 43));
    }

    #[test]
    fn bad_input_is_an_error_in_words_never_a_panic() {
        let (x, shape) = tensor();
        for kind in SchemeKind::ALL {
            let s = Scheme {
                scheme: kind,
                bits: kind.fixed_bits().unwrap_or(4),
                ..Scheme::default()
            };
            let q = s.fit(&x, &shape).unwrap();
            let past = q
                .inspect(&x, q.inspect_blocks(), 0)
                .unwrap_err()
                .to_string();
            assert!(past.contains("does not exist"), "{kind:?}: {past}");
            assert!(q.inspect(&x[..10], 0, 0).is_err(), "{kind:?}");
            let mut bad = x.clone();
            bad[0] = f32::NAN;
            assert!(q.inspect(&bad, 0, 0).is_err(), "{kind:?}");
            assert!(
                inspect(&bad, &shape, &s, ScaleDtype::Fp16, 0, 0).is_err(),
                "{kind:?}"
            );
            assert!(
                inspect(&[], &[0], &s, ScaleDtype::Fp16, 0, 0).is_err(),
                "{kind:?}"
            );
            // One value, and a first position past the end: clamped.
            let d = inspect(&[0.5], &[1], &s, ScaleDtype::Fp16, 0, 99).unwrap();
            assert_eq!(d.elements.len(), 1, "{kind:?}");
            assert!(locate(&s, &shape, 900, 900).is_err());
        }
    }
}
