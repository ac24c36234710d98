//! One layer of a quantized model: its weights as stored (codes and scales) and the
//! dequantized matrix its fp32 arithmetic uses.

use super::config::{QuantConfig, WeightFormat};
use crate::error::{QuantError, Result};
use crate::mlp::Linear;
use crate::pack::{pack, packed_len, unpack};
use crate::quant::granularity::GroupLayout;
use crate::quant::linear::LinearQuantizer;
use crate::quant::mx::{MxBlock, Nvfp4Block};
use crate::quant::nf4::{NF4_CODE, Nf4Quantizer};
use crate::quant::quantizer::Quantizer;
use crate::quant::types::{MxElement, NVFP4_BLOCK_BYTES};

/// Round-to-nearest int8 / int4 codes of a weight matrix with the scales of a
/// configuration's granularity (symmetric, signed, round half to even): what the plain
/// configurations store, and the grid GPTQ and AWQ pick their codes on.
#[derive(Debug, Clone, PartialEq)]
pub struct IntFit {
    /// 8 or 4.
    pub bits: u32,
    /// One code per weight.
    pub codes: Vec<i32>,
    /// One scale per group of `layout`.
    pub scales: Vec<f32>,
    /// Which scale each weight uses.
    pub layout: GroupLayout,
}

impl IntFit {
    /// Fits `w` of `shape` `(out, in)` as `config` (int8 or int4 weights) says.
    pub fn new(w: &[f32], shape: &[usize], config: &QuantConfig) -> Result<IntFit> {
        let bits = match config.weights {
            WeightFormat::Int8 => 8,
            WeightFormat::Int4 => 4,
            other => {
                return Err(QuantError::InvalidParameter(format!(
                    "{other:?} weights have no integer grid"
                )));
            }
        };
        let q = LinearQuantizer::fit(w, shape, &config.linear_scheme(bits))?;
        Ok(IntFit {
            bits,
            codes: q.quantize(w)?,
            scales: q.params.iter().map(|p| p.scale as f32).collect(),
            layout: q.layout.clone(),
        })
    }

    /// The code range: `[−127, 127]` for int8, `[−8, 7]` for int4.
    pub fn range(&self) -> (i32, i32) {
        if self.bits == 8 { (-127, 127) } else { (-8, 7) }
    }
}

/// A layer's weights as stored in a configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum QuantWeights {
    /// Unquantized, `(out, in)` row-major.
    Fp32 {
        /// The weights.
        weight: Vec<f32>,
    },
    /// int8 codes `(out, in)` row-major and one `f32` scale per group of `layout`.
    Int8 {
        /// `q`, in `[−127, 127]`.
        codes: Vec<i8>,
        /// `s` of each scale group; `ŵ_i = q_i · s_{group(i)}`.
        scales: Vec<f32>,
        /// Which scale each weight uses.
        layout: GroupLayout,
    },
    /// int4 codes, two per byte: nibble `= q + 8` (offset binary, `0..=15`), packed over the
    /// flat `(out, in)` matrix with [`crate::pack::pack`] (code `i` in the low nibble of byte
    /// `i/2` when `i` is even, the high nibble when odd).
    Int4 {
        /// The packed nibbles, `⌈n/2⌉` bytes.
        packed: Vec<u8>,
        /// `s` of each scale group; `ŵ_i = (nibble_i − 8) · s_{group(i)}`.
        scales: Vec<f32>,
        /// Which scale each weight uses.
        layout: GroupLayout,
    },
    /// NF4 indices (into [`NF4_CODE`]), two per byte as for int4, with one absmax per block
    /// of `block_size` consecutive weights of the flat matrix.
    Nf4 {
        /// The packed indices, `⌈n/2⌉` bytes.
        packed: Vec<u8>,
        /// The absmax `a` of each block; `ŵ_i = NF4[k_i] · a_{⌊i/B⌋}`.
        absmax: Vec<f32>,
        /// Values per block `B`.
        block_size: usize,
    },
    /// MX blocks ([`crate::quant::mx`]): each row of `W` in blocks of 32 inputs (the last
    /// one zero-padded), row after row, each with its E8M0 scale byte and 32 element codes
    /// (`block_float.rs`).
    Mx {
        /// FP4 E2M1 or FP8 E4M3.
        element: MxElement,
        /// `out · blocks_per_row` blocks; `ŵ = P·2^(scale − 127)`.
        blocks: Vec<MxBlock>,
        /// `⌈in/32⌉`.
        blocks_per_row: usize,
    },
    /// NVFP4 blocks ([`crate::quant::mx::nvfp4`]): each row of `W` in blocks of 16 inputs,
    /// each with its E4M3 scale byte and 16 E2M1 codes, and one `f32` tensor scale.
    Nvfp4 {
        /// The tensor scale `s₂`; `ŵ = E2M1(q)·(E4M3(c_b)·s₂)`.
        tensor_scale: f32,
        /// `out · blocks_per_row` blocks.
        blocks: Vec<Nvfp4Block>,
        /// `⌈in/16⌉`.
        blocks_per_row: usize,
    },
}

impl QuantWeights {
    /// Bytes of codes and of scales.
    pub(super) fn sizes(&self) -> (usize, usize) {
        match self {
            QuantWeights::Fp32 { weight } => (4 * weight.len(), 0),
            QuantWeights::Int8 { codes, scales, .. } => (codes.len(), 4 * scales.len()),
            QuantWeights::Int4 { packed, scales, .. } => (packed.len(), 4 * scales.len()),
            QuantWeights::Nf4 { packed, absmax, .. } => (packed.len(), 4 * absmax.len()),
            // One scale byte per block, the rest codes; NVFP4's tensor scale is an f32.
            QuantWeights::Mx {
                element, blocks, ..
            } => (blocks.len() * (element.block_bytes() - 1), blocks.len()),
            QuantWeights::Nvfp4 { blocks, .. } => {
                (blocks.len() * (NVFP4_BLOCK_BYTES - 1), blocks.len() + 4)
            }
        }
    }
}

/// One layer of a [`QuantizedMlp`](super::QuantizedMlp).
#[derive(Debug, Clone, PartialEq)]
pub struct QuantLayer {
    /// Inputs per sample.
    pub in_dim: usize,
    /// Outputs per sample.
    pub out_dim: usize,
    /// The stored weights.
    pub weights: QuantWeights,
    /// The fp32 bias `b`.
    pub bias: Vec<f32>,
    /// The dequantized weights `Ŵ` `(out, in)` the fp32 arithmetic uses (and the Weight lab
    /// can show).
    pub dequantized: Vec<f32>,
    /// For int8 weights, the scale of each output channel `s_w[j]` (the per-tensor scale
    /// repeated when there is one); empty otherwise.
    pub channel_scales: Vec<f32>,
    /// AWQ's per-input scales `s_c` ([`crate::mlp::ptq`]): the codes quantize `W·diag(s)`, so
    /// `Ŵ = q·S / s_c`. Empty (all ones) for the other methods.
    pub input_scales: Vec<f32>,
}

impl QuantLayer {
    pub(super) fn new(layer: &Linear, config: &QuantConfig) -> Result<QuantLayer> {
        let (out_dim, in_dim) = (layer.out_dim, layer.in_dim);
        let shape = [out_dim, in_dim];
        let w = &layer.weight;
        let (weights, dequantized, channel_scales) = match config.weights {
            WeightFormat::Fp32 => (
                QuantWeights::Fp32 { weight: w.clone() },
                w.clone(),
                Vec::new(),
            ),
            WeightFormat::Int8 | WeightFormat::Int4 => {
                let fit = IntFit::new(w, &shape, config)?;
                return QuantLayer::from_int_codes(layer, fit, Vec::new());
            }
            WeightFormat::Nf4 => {
                let block = config.group_size as usize;
                let q = Nf4Quantizer::fit(w, &shape, block, false)?;
                let idx: Vec<u32> = q
                    .quantize(w)?
                    .iter()
                    .map(|&k| k.clamp(0, 15) as u32)
                    .collect();
                let deq = idx
                    .iter()
                    .enumerate()
                    .map(|(i, &k)| NF4_CODE[k as usize] * q.decode_absmax[i / block])
                    .collect();
                (
                    QuantWeights::Nf4 {
                        packed: pack(&idx, 4)?,
                        absmax: q.decode_absmax.clone(),
                        block_size: block,
                    },
                    deq,
                    Vec::new(),
                )
            }
            WeightFormat::Mxfp4 | WeightFormat::Mxfp8E4m3 | WeightFormat::Nvfp4 => {
                let (weights, deq) = super::block_float::fit(w, out_dim, in_dim, config.weights)?;
                (weights, deq, Vec::new())
            }
        };
        Ok(QuantLayer {
            in_dim,
            out_dim,
            weights,
            bias: layer.bias.clone(),
            dequantized,
            channel_scales,
            input_scales: Vec::new(),
        })
    }

    /// An int8 or int4 layer from its codes (`q`, one per weight of `W` `(out, in)`), their
    /// scale groups, and AWQ's per-input scales (empty for none).
    pub fn from_int_codes(
        layer: &Linear,
        fit: IntFit,
        input_scales: Vec<f32>,
    ) -> Result<QuantLayer> {
        let (out_dim, in_dim) = (layer.out_dim, layer.in_dim);
        let IntFit {
            bits,
            codes,
            scales,
            layout,
        } = fit;
        let deq: Vec<f32> = codes
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let v = c as f32 * scales[layout.group_of(i)];
                match input_scales.get(i % in_dim.max(1)) {
                    Some(s) => v / s,
                    None => v,
                }
            })
            .collect();
        let (weights, channel_scales) = if bits == 8 {
            let codes: Vec<i8> = codes.iter().map(|&c| c.clamp(-127, 127) as i8).collect();
            let channel: Vec<f32> = (0..out_dim)
                .map(|j| scales[layout.group_of(j * in_dim)])
                .collect();
            (
                QuantWeights::Int8 {
                    codes,
                    scales,
                    layout,
                },
                channel,
            )
        } else {
            let nibbles: Vec<u32> = codes.iter().map(|&c| (c.clamp(-8, 7) + 8) as u32).collect();
            (
                QuantWeights::Int4 {
                    packed: pack(&nibbles, 4)?,
                    scales,
                    layout,
                },
                Vec::new(),
            )
        };
        Ok(QuantLayer {
            in_dim,
            out_dim,
            weights,
            bias: layer.bias.clone(),
            dequantized: deq,
            channel_scales,
            input_scales,
        })
    }

    /// The int4 or NF4 codes unpacked (int4 as `q ∈ [−8, 7]`, NF4 as indices `0..=15`);
    /// `None` for other formats.
    pub fn unpacked_nibbles(&self) -> Option<Vec<i32>> {
        let n = self.in_dim * self.out_dim;
        match &self.weights {
            QuantWeights::Int4 { packed, .. } => unpack(packed, n, 4)
                .ok()
                .map(|v| v.iter().map(|&c| c as i32 - 8).collect()),
            QuantWeights::Nf4 { packed, .. } => unpack(packed, n, 4)
                .ok()
                .map(|v| v.iter().map(|&c| c as i32).collect()),
            _ => None,
        }
    }
}

/// Bytes the int4/NF4 codes of an `(out, in)` matrix take: `⌈out·in/2⌉`.
pub fn nibble_bytes(out_dim: usize, in_dim: usize) -> usize {
    packed_len(out_dim * in_dim, 4)
}
