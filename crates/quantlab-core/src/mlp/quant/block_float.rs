//! The block-scaled float weights (MXFP4, MXFP8 E4M3, NVFP4) of one layer, fitted with the
//! core's own quantizers ([`MxQuantizer`], [`Nvfp4Quantizer`]).
//!
//! **Blocks run along each output row's inputs.** The quantizers read flat data in blocks of
//! 32 (MX) or 16 (NVFP4); a weight matrix `W` `(out, in)` is handed to them with each row
//! zero-padded to `in_pad = ⌈in/B⌉·B` inputs, so that no block straddles two rows. The zeros
//! change neither a block's absmax nor NVFP4's tensor absmax, and they code to 0; the
//! dequantized matrix is the quantizer's own `dequantize(quantize(·))` of the padded matrix
//! with the padding cut off again (when `in` is a multiple of `B` there is no padding, and
//! it is exactly the quantizer's output on `W`). A row's last, partial block costs a whole
//! block, as in the quantizers.
//!
//! **Bytes** (per layer): `out·⌈in/B⌉` blocks of 17 (MXFP4), 33 (MXFP8) or 9 (NVFP4) bytes,
//! of which one is the block's scale; NVFP4 adds its `f32` tensor scale. With `in` a
//! multiple of the block: 4.25, 8.25 and 4.5 bits per weight (+ 32 bits per layer for
//! NVFP4).

use super::config::WeightFormat;
use super::weights::QuantWeights;
use crate::error::{QuantError, Result};
use crate::quant::mx::{MxQuantizer, Nvfp4Quantizer};
use crate::quant::quantizer::Quantizer;
use crate::quant::types::NVFP4_BLOCK;

/// `w` `(out, in)` with each row zero-padded to a multiple of `block` inputs, and that
/// padded row length.
pub fn pad_rows(w: &[f32], in_dim: usize, block: usize) -> (Vec<f32>, usize) {
    let in_pad = in_dim.div_ceil(block.max(1)) * block.max(1);
    if in_pad == in_dim {
        return (w.to_vec(), in_dim);
    }
    let mut out = Vec::with_capacity(w.len() / in_dim.max(1) * in_pad);
    for row in w.chunks(in_dim.max(1)) {
        out.extend_from_slice(row);
        out.resize(out.len() + in_pad - in_dim, 0.0);
    }
    (out, in_pad)
}

/// Drops the padding of [`pad_rows`] again.
fn unpad_rows(padded: &[f32], in_dim: usize, in_pad: usize) -> Vec<f32> {
    if in_pad == in_dim {
        return padded.to_vec();
    }
    padded
        .chunks(in_pad.max(1))
        .flat_map(|row| row[..in_dim].iter().copied())
        .collect()
}

/// Fits `w` `(out_dim, in_dim)` in a block-scaled float `format`: its stored blocks and its
/// dequantized weights `Ŵ` `(out, in)`. Errors for other formats, and the quantizers' own
/// errors (NaN or ±∞ weights).
pub fn fit(
    w: &[f32],
    out_dim: usize,
    in_dim: usize,
    format: WeightFormat,
) -> Result<(QuantWeights, Vec<f32>)> {
    let block = format.block_size().ok_or_else(|| {
        QuantError::InvalidParameter(format!("{} weights are not block-scaled", format.name()))
    })? as usize;
    let (padded, in_pad) = pad_rows(w, in_dim, block);
    let shape = [out_dim, in_pad];
    let blocks_per_row = in_pad / block;
    if let Some(element) = format.mx_element() {
        let q = MxQuantizer::fit(element, &padded, &shape)?;
        let deq = q.quantize_dequantize(&padded)?;
        let weights = QuantWeights::Mx {
            element,
            blocks: q.blocks(&padded)?,
            blocks_per_row,
        };
        Ok((weights, unpad_rows(&deq, in_dim, in_pad)))
    } else {
        debug_assert_eq!(block, NVFP4_BLOCK);
        let q = Nvfp4Quantizer::fit(&padded, &shape)?;
        let deq = q.quantize_dequantize(&padded)?;
        let weights = QuantWeights::Nvfp4 {
            tensor_scale: q.tensor_scale,
            blocks: q.blocks(&padded)?,
            blocks_per_row,
        };
        Ok((weights, unpad_rows(&deq, in_dim, in_pad)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::mlp::Mlp;
    use crate::mlp::quant::{QuantConfig, QuantizedMlp};
    use crate::quant::types::{MX_BLOCK, MxElement, NVFP4_BLOCK_BYTES};

    const BLOCK_FLOAT: [QuantConfig; 3] = [
        QuantConfig::MXFP4,
        QuantConfig::MXFP8_E4M3,
        QuantConfig::NVFP4,
    ];

    fn model(dims: &[usize]) -> Mlp {
        Mlp::new(dims, &mut ChaCha8Rng::seed_from_u64(7)).unwrap()
    }

    fn same_bits(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    }

    #[test]
    fn ids_labels_and_checks_of_the_block_float_configurations() {
        let ids: Vec<String> = BLOCK_FLOAT.iter().map(|c| c.id()).collect();
        assert_eq!(ids, ["mxfp4", "mxfp8-e4m3", "nvfp4"]);
        for c in BLOCK_FLOAT {
            assert_eq!(QuantConfig::from_id(&c.id()), Some(c));
            assert!(QuantConfig::ALL.contains(&c));
        }
        assert_eq!(QuantConfig::MXFP8_E4M3.label(), "MXFP8 E4M3");
        assert_eq!(QuantConfig::NVFP4.group_size, 16);
        // The block is the format's; int8 activations need int8 weights.
        let m = model(&[70, 20, 5]);
        for bad in [
            QuantConfig {
                group_size: 64,
                ..QuantConfig::MXFP4
            },
            QuantConfig {
                granularity: crate::quant::types::GranularityKind::Channel,
                ..QuantConfig::NVFP4
            },
            QuantConfig {
                activations: crate::mlp::Activations::Int8PerToken,
                ..QuantConfig::MXFP8_E4M3
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
            assert!(QuantizedMlp::new(&m, bad).is_err());
        }
        assert_eq!(QuantConfig::from_id("mxfp6"), None);
        assert!(fit(&[1.0; 4], 2, 2, WeightFormat::Int8).is_err());
        assert!(fit(&[1.0, f32::NAN], 1, 2, WeightFormat::Mxfp4).is_err());
    }

    #[test]
    fn sizes_count_whole_blocks_per_row_exactly() {
        // 70 inputs: 3 MX blocks (2 full + 1 partial) or 5 NVFP4 blocks per row; 20 inputs:
        // 1 MX block or 2 NVFP4 blocks per row.
        let m = model(&[70, 20, 5]);
        let biases = 4 * (20 + 5);
        let mx_blocks = 20 * 3 + 5;
        let nv_blocks = 20 * 5 + 5 * 2;
        let want = [
            (mx_blocks * 16, mx_blocks),
            (mx_blocks * 32, mx_blocks),
            (nv_blocks * 8, nv_blocks + 2 * 4),
        ];
        for (c, (codes, scales)) in BLOCK_FLOAT.into_iter().zip(want) {
            let s = QuantizedMlp::new(&m, c).unwrap().size();
            assert_eq!(
                (s.weights, s.scales, s.biases),
                (codes, scales, biases),
                "{}",
                c.id()
            );
        }
        // Rows a multiple of the block: 4.25, 8.25 and 4.5 bits per weight (+ 32 bits per
        // layer for NVFP4's tensor scale).
        let m = model(&[64, 32, 16]);
        let n = 64 * 32 + 32 * 16;
        for (c, bits) in BLOCK_FLOAT.into_iter().zip([4.25, 8.25, 4.5]) {
            let s = QuantizedMlp::new(&m, c).unwrap().size();
            let tensor_bits = if c == QuantConfig::NVFP4 { 2 * 32 } else { 0 };
            assert_eq!(
                8 * (s.weights + s.scales),
                (bits * n as f64) as usize + tensor_bits,
                "{}",
                c.id()
            );
            assert_eq!(s.biases, 4 * (32 + 16));
        }
    }

    #[test]
    fn dequantized_weights_are_the_quantizers_own_bit_for_bit() {
        // Rows a multiple of both blocks: the quantizers see W itself.
        let m = model(&[64, 32, 16]);
        for (l, layer) in m.layers.iter().enumerate() {
            let w = &layer.weight;
            let shape = [layer.out_dim, layer.in_dim];
            for (c, e) in [
                (QuantConfig::MXFP4, MxElement::Fp4E2m1),
                (QuantConfig::MXFP8_E4M3, MxElement::Fp8E4m3),
            ] {
                let q = MxQuantizer::fit(e, w, &shape).unwrap();
                let want = q.dequantize(&q.quantize(w).unwrap()).unwrap();
                let got = &QuantizedMlp::new(&m, c).unwrap().layers[l].dequantized;
                assert!(same_bits(got, &want), "{} layer {l}", c.id());
            }
            let q = Nvfp4Quantizer::fit(w, &shape).unwrap();
            let want = q.dequantize(&q.quantize(w).unwrap()).unwrap();
            let ql = &QuantizedMlp::new(&m, QuantConfig::NVFP4).unwrap().layers[l];
            assert!(same_bits(&ql.dequantized, &want), "nvfp4 layer {l}");
            let QuantWeights::Nvfp4 { tensor_scale, .. } = &ql.weights else {
                panic!("not nvfp4")
            };
            assert_eq!(tensor_scale.to_bits(), q.tensor_scale.to_bits());
        }
        // 70 inputs: the quantizer's output on the zero-padded rows, padding cut off; the
        // stored blocks decode to the same values, and no block straddles two rows.
        let m = model(&[70, 20, 5]);
        let layer = &m.layers[0];
        for c in BLOCK_FLOAT {
            let ql = &QuantizedMlp::new(&m, c).unwrap().layers[0];
            let block = c.group_size as usize;
            let (padded, in_pad) = pad_rows(&layer.weight, 70, block);
            assert_eq!(in_pad, 70usize.div_ceil(block) * block);
            let shape = [20, in_pad];
            let (want, from_blocks): (Vec<f32>, Vec<f32>) = match &ql.weights {
                QuantWeights::Mx {
                    element,
                    blocks,
                    blocks_per_row,
                } => {
                    assert_eq!(*blocks_per_row, 3);
                    let q = MxQuantizer::fit(*element, &padded, &shape).unwrap();
                    let d = q.dequantize(&q.quantize(&padded).unwrap()).unwrap();
                    let b: Vec<f32> = blocks.iter().flat_map(|b| b.dequantize()).collect();
                    (d, b)
                }
                QuantWeights::Nvfp4 {
                    tensor_scale,
                    blocks,
                    blocks_per_row,
                } => {
                    assert_eq!(*blocks_per_row, 5);
                    let q = Nvfp4Quantizer::fit(&padded, &shape).unwrap();
                    let d = q.dequantize(&q.quantize(&padded).unwrap()).unwrap();
                    let b: Vec<f32> = blocks
                        .iter()
                        .flat_map(|b| b.dequantize(*tensor_scale))
                        .collect();
                    (d, b)
                }
                other => panic!("{other:?}"),
            };
            assert!(same_bits(&from_blocks, &want), "{}", c.id());
            let cut: Vec<f32> = want.chunks(in_pad).flat_map(|r| r[..70].to_vec()).collect();
            assert!(same_bits(&ql.dequantized, &cut), "{}", c.id());
            // The padding coded to zero.
            assert!(
                want.chunks(in_pad)
                    .all(|r| r[70..].iter().all(|&v| v == 0.0))
            );
        }
        assert_eq!(MxElement::Fp4E2m1.block_bytes(), 17);
        assert_eq!(MX_BLOCK, 32);
        assert_eq!(NVFP4_BLOCK_BYTES, 9);
    }
}
