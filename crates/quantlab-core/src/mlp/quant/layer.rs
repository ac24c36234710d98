//! One layer of a quantized model: its weights as stored (codes and scales) and the
//! dequantized matrix its fp32 arithmetic uses.

use super::config::{QuantConfig, WeightFormat};
use super::weights::QuantWeights;
use crate::error::{QuantError, Result};
use crate::mlp::net::Linear;
use crate::pack::{pack, packed_len, unpack};
use crate::quant::granularity::GroupLayout;
use crate::quant::linear::LinearQuantizer;
use crate::quant::nf4::{NF4_CODE, Nf4Quantizer};
use crate::quant::quantizer::Quantizer;

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
