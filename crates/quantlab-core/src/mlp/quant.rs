//! Quantized inference of a trained [`Mlp`] in the course's torchao-style configurations,
//! on the CPU: the reference every faster path is checked against.
//!
//! | id | weights | activations | matmul |
//! |---|---|---|---|
//! | `fp32` | fp32 | fp32 | fp32 |
//! | `w8` | int8 symmetric per output channel, `s_j = amax_j/127` | fp32 | fp32 on dequantized weights |
//! | `w8-tensor` | int8 symmetric, one scale | fp32 | fp32 |
//! | `w4-g32`, `w4-g64`, `w4-g128` | int4 symmetric (`[−8, 7]`, `s = amax/7`) per group of 32/64/128 inputs of a row, two codes a byte | fp32 | fp32 |
//! | `w4-channel`, `w4-tensor` | int4 per output channel / one scale | fp32 | fp32 |
//! | `w8a8` | int8 per channel | int8 per token (dynamic) | int8 × int8 → int32, then rescale |
//! | `w8a8-tensor` | int8, one scale | int8 per token | int32, rescale |
//! | `nf4-b64` | NF4, absmax per block of 64 ([`crate::quant::nf4`]) | fp32 | fp32 |
//!
//! **Weight-only** configurations quantize each layer's `W` `(out, in)` once with
//! [`crate::quant::linear`] (symmetric mode, signed codes, round half to even), store the codes and
//! `f32` scales, and compute with the dequantized weights `Ŵ = q·s` in fp32 — the error is in
//! the weights alone.
//!
//! **W8A8 dynamic**, per layer and per sample `i` (a token):
//!
//! ```text
//! (q_a[i], s_a[i]) = quantize_per_token(x[i])           (int8::quantize_row_i8)
//! acc[i, j] = Σ_t q_a[i, t] · q_w[j, t]                   (int8::matmul_i8_i32, exact int32)
//! y[i, j]   = f32(acc[i, j]) · (s_a[i] · s_w[j]) + b[j]    (int8::rescale)
//! ```
//!
//! then ReLU before the next layer. With a per-tensor weight scale, `s_w[j] = s_w` for all `j`.
//! Activations are always per token: a per-tensor activation scale over a batch would make a
//! sample's prediction depend on the other samples in its batch. Per-group weights cannot be
//! combined with int8 activations (a group scale would have to be applied inside the integer
//! sum), so `w4` and `nf4` run with fp32 activations only.
//!
//! **Size** ([`ModelSize`]): codes (`n` bytes for int8, `⌈n/2⌉` for int4 and NF4, `4n` for
//! fp32) + `f32` scales (one per scale group / NF4 block) + `f32` biases. W8A8 stores the same
//! as W8; its activation scales are computed on the fly.
//!
//! **Per-layer error** ([`layer_errors`]): the fp32 and the quantized model run end to end on
//! the same inputs, and each layer's output `z_l` (before the ReLU) is compared — so the error
//! of a layer includes what earlier layers passed on. SNR, MSE and max error are
//! [`crate::metrics`]'.

use serde::{Deserialize, Serialize};

use super::int8::{self, I16Accumulation};
use super::net::{
    Linear, Mlp, accuracy_of, argmax_rows, confusion_matrix, linear_forward, relu_in_place,
};
use super::simd::Int8Kernel;
use crate::dataset::Dataset;
use crate::error::{QuantError, Result};
use crate::metrics;
use crate::pack::{pack, packed_len, unpack};
use crate::quant::granularity::GroupLayout;
use crate::quant::linear::LinearQuantizer;
use crate::quant::nf4::{NF4_CODE, Nf4Quantizer};
use crate::quant::quantizer::Quantizer;
use crate::quant::scheme::{Scheme, SchemeKind};
use crate::quant::types::{GranularityKind, IntRange, Mode};

/// How the weights are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum WeightFormat {
    /// Unquantized `f32`.
    #[default]
    Fp32,
    /// Symmetric int8 codes `[−127, 127]`, `s = amax/127`.
    Int8,
    /// Symmetric int4 codes `[−8, 7]`, `s = amax/7`, two per byte.
    Int4,
    /// 4-bit NormalFloat with a blockwise absmax ([`crate::quant::nf4`]).
    Nf4,
}

/// How the activations (layer inputs) are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Activations {
    /// Kept in `f32`.
    #[default]
    Fp32,
    /// Quantized to int8 per token at run time ([`int8::quantize_row_i8`]).
    Int8PerToken,
}

/// One quantization configuration: flat, `Copy` and serialisable, like [`Scheme`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct QuantConfig {
    /// The weight format.
    pub weights: WeightFormat,
    /// Which weights share a scale (int8, int4): a tensor, an output channel (row), or a
    /// group of [`QuantConfig::group_size`] inputs of a row. Ignored by fp32 and NF4.
    pub granularity: GranularityKind,
    /// Inputs per scale group (int8/int4 with `group`), or values per NF4 block.
    pub group_size: u32,
    /// The activation treatment.
    pub activations: Activations,
}

impl Default for QuantConfig {
    fn default() -> Self {
        QuantConfig::FP32
    }
}

impl QuantConfig {
    /// No quantization.
    pub const FP32: QuantConfig = QuantConfig {
        weights: WeightFormat::Fp32,
        granularity: GranularityKind::Tensor,
        group_size: 0,
        activations: Activations::Fp32,
    };
    /// W8 weight-only: int8 per output channel.
    pub const W8: QuantConfig = QuantConfig {
        weights: WeightFormat::Int8,
        granularity: GranularityKind::Channel,
        group_size: 0,
        activations: Activations::Fp32,
    };
    /// W8 weight-only with one scale per tensor.
    pub const W8_PER_TENSOR: QuantConfig = QuantConfig {
        granularity: GranularityKind::Tensor,
        ..QuantConfig::W8
    };
    /// W4 weight-only, groups of 32 inputs.
    pub const W4_G32: QuantConfig = QuantConfig::w4_group(32);
    /// W4 weight-only, groups of 64 inputs.
    pub const W4_G64: QuantConfig = QuantConfig::w4_group(64);
    /// W4 weight-only, groups of 128 inputs (torchao's default `int4_weight_only`).
    pub const W4_G128: QuantConfig = QuantConfig::w4_group(128);
    /// W4 weight-only, one scale per output channel.
    pub const W4_PER_CHANNEL: QuantConfig = QuantConfig {
        weights: WeightFormat::Int4,
        granularity: GranularityKind::Channel,
        group_size: 0,
        activations: Activations::Fp32,
    };
    /// W4 weight-only, one scale per tensor.
    pub const W4_PER_TENSOR: QuantConfig = QuantConfig {
        granularity: GranularityKind::Tensor,
        ..QuantConfig::W4_PER_CHANNEL
    };
    /// W8A8 dynamic: int8 per-channel weights × int8 per-token activations, int32 sums.
    pub const W8A8: QuantConfig = QuantConfig {
        activations: Activations::Int8PerToken,
        ..QuantConfig::W8
    };
    /// W8A8 dynamic with a per-tensor weight scale.
    pub const W8A8_PER_TENSOR: QuantConfig = QuantConfig {
        activations: Activations::Int8PerToken,
        ..QuantConfig::W8_PER_TENSOR
    };
    /// NF4 weight-only with blocks of 64 (QLoRA's default).
    pub const NF4: QuantConfig = QuantConfig {
        weights: WeightFormat::Nf4,
        granularity: GranularityKind::Tensor,
        group_size: crate::quant::nf4::DEFAULT_BLOCK as u32,
        activations: Activations::Fp32,
    };

    /// The course's experiment: fp32, W8, W4-g128, W8A8.
    pub const COURSE: [QuantConfig; 4] = [
        QuantConfig::FP32,
        QuantConfig::W8,
        QuantConfig::W4_G128,
        QuantConfig::W8A8,
    ];

    /// Every named configuration, in the order the accuracy table lists them.
    pub const ALL: [QuantConfig; 11] = [
        QuantConfig::FP32,
        QuantConfig::W8,
        QuantConfig::W8_PER_TENSOR,
        QuantConfig::W4_G32,
        QuantConfig::W4_G64,
        QuantConfig::W4_G128,
        QuantConfig::W4_PER_CHANNEL,
        QuantConfig::W4_PER_TENSOR,
        QuantConfig::W8A8,
        QuantConfig::W8A8_PER_TENSOR,
        QuantConfig::NF4,
    ];

    /// W4 weight-only with groups of `size` inputs.
    pub const fn w4_group(size: u32) -> QuantConfig {
        QuantConfig {
            weights: WeightFormat::Int4,
            granularity: GranularityKind::Group,
            group_size: size,
            activations: Activations::Fp32,
        }
    }

    /// The short id (`fp32`, `w8`, `w8-tensor`, `w4-g128`, `w4-channel`, `w8a8`,
    /// `w8a8-tensor`, `nf4-b64`, …), as in URLs and the `acc-*` test ids.
    pub fn id(&self) -> String {
        let gran = |g: GranularityKind| match g {
            GranularityKind::Channel => String::new(),
            GranularityKind::Tensor => "-tensor".into(),
            GranularityKind::Group => format!("-g{}", self.group_size),
        };
        match (self.weights, self.activations) {
            (WeightFormat::Fp32, Activations::Fp32) => "fp32".into(),
            (WeightFormat::Fp32, Activations::Int8PerToken) => "a8".into(),
            (WeightFormat::Int8, Activations::Fp32) => format!("w8{}", gran(self.granularity)),
            (WeightFormat::Int8, Activations::Int8PerToken) => {
                format!("w8a8{}", gran(self.granularity))
            }
            (WeightFormat::Int4, Activations::Fp32) => match self.granularity {
                GranularityKind::Channel => "w4-channel".into(),
                g => format!("w4{}", gran(g)),
            },
            (WeightFormat::Int4, Activations::Int8PerToken) => {
                format!("w4a8{}", gran(self.granularity))
            }
            (WeightFormat::Nf4, Activations::Fp32) => format!("nf4-b{}", self.group_size),
            (WeightFormat::Nf4, Activations::Int8PerToken) => {
                format!("nf4a8-b{}", self.group_size)
            }
        }
    }

    /// The configuration an id names (the inverse of [`QuantConfig::id`] on valid
    /// configurations; `w4` alone means `w4-g128`).
    pub fn from_id(id: &str) -> Option<QuantConfig> {
        let parse_gran = |rest: &str| -> Option<(GranularityKind, u32)> {
            match rest {
                "" | "-channel" => Some((GranularityKind::Channel, 0)),
                "-tensor" => Some((GranularityKind::Tensor, 0)),
                g => {
                    let size: u32 = g.strip_prefix("-g")?.parse().ok()?;
                    Some((GranularityKind::Group, size))
                }
            }
        };
        let cfg = if id == "fp32" {
            QuantConfig::FP32
        } else if id == "w4" {
            QuantConfig::W4_G128
        } else if let Some(rest) = id.strip_prefix("w8a8") {
            let (granularity, group_size) = parse_gran(rest)?;
            QuantConfig {
                granularity,
                group_size,
                ..QuantConfig::W8A8
            }
        } else if let Some(rest) = id.strip_prefix("w8") {
            let (granularity, group_size) = parse_gran(rest)?;
            QuantConfig {
                granularity,
                group_size,
                ..QuantConfig::W8
            }
        } else if let Some(rest) = id.strip_prefix("w4") {
            let (granularity, group_size) = parse_gran(rest)?;
            QuantConfig {
                granularity,
                group_size,
                ..QuantConfig::W4_PER_CHANNEL
            }
        } else if let Some(rest) = id.strip_prefix("nf4-b") {
            QuantConfig {
                group_size: rest.parse().ok()?,
                ..QuantConfig::NF4
            }
        } else {
            return None;
        };
        cfg.validate().ok().map(|_| cfg)
    }

    /// A label for tables: `fp32`, `W8 per-channel`, `W4 g128`, `W8A8 per-tensor`, `NF4 b64`…
    pub fn label(&self) -> String {
        let gran = match self.granularity {
            GranularityKind::Channel => "per-channel".to_string(),
            GranularityKind::Tensor => "per-tensor".to_string(),
            GranularityKind::Group => format!("g{}", self.group_size),
        };
        match (self.weights, self.activations) {
            (WeightFormat::Fp32, _) => "fp32".into(),
            (WeightFormat::Int8, Activations::Fp32) => format!("W8 {gran}"),
            (WeightFormat::Int8, Activations::Int8PerToken) => format!("W8A8 {gran}"),
            (WeightFormat::Int4, _) => format!("W4 {gran}"),
            (WeightFormat::Nf4, _) => format!("NF4 b{}", self.group_size),
        }
    }

    /// Checks the combination: int8 activations need int8 weights with a per-tensor or
    /// per-channel scale; a group or block size must be 1 to 4,096 where it is used.
    pub fn validate(&self) -> Result<()> {
        let uses_size = self.weights == WeightFormat::Nf4
            || (matches!(self.weights, WeightFormat::Int8 | WeightFormat::Int4)
                && self.granularity == GranularityKind::Group);
        if uses_size && !(1..=4096).contains(&self.group_size) {
            return Err(QuantError::InvalidParameter(format!(
                "the group size must be 1 to 4,096, not {}",
                self.group_size
            )));
        }
        if self.activations == Activations::Int8PerToken
            && !(self.weights == WeightFormat::Int8 && self.granularity != GranularityKind::Group)
        {
            return Err(QuantError::InvalidParameter(format!(
                "int8 activations need int8 weights with one scale per tensor or per output \
                 channel (the integer sum cannot apply a per-group scale); {} has {:?} weights",
                self.id(),
                self.weights
            )));
        }
        Ok(())
    }

    fn linear_scheme(&self, bits: u32) -> Scheme {
        Scheme {
            scheme: SchemeKind::Linear,
            bits,
            mode: Mode::Sym,
            range: IntRange::Signed,
            granularity: self.granularity,
            axis: 0,
            group_size: self.group_size,
            ..Scheme::default()
        }
    }
}

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
}

impl QuantWeights {
    /// Bytes of codes and of scales.
    fn sizes(&self) -> (usize, usize) {
        match self {
            QuantWeights::Fp32 { weight } => (4 * weight.len(), 0),
            QuantWeights::Int8 { codes, scales, .. } => (codes.len(), 4 * scales.len()),
            QuantWeights::Int4 { packed, scales, .. } => (packed.len(), 4 * scales.len()),
            QuantWeights::Nf4 { packed, absmax, .. } => (packed.len(), 4 * absmax.len()),
        }
    }
}

/// One layer of a [`QuantizedMlp`].
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
    /// AWQ's per-input scales `s_c` ([`super::ptq`]): the codes quantize `W·diag(s)`, so
    /// `Ŵ = q·S / s_c`. Empty (all ones) for the other methods.
    pub input_scales: Vec<f32>,
}

impl QuantLayer {
    fn new(layer: &Linear, config: &QuantConfig) -> Result<QuantLayer> {
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

/// Storage of a model in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelSize {
    /// Weight codes (or fp32 weights).
    pub weights: usize,
    /// Scales (`f32`, one per scale group or NF4 block).
    pub scales: usize,
    /// Biases (`f32`).
    pub biases: usize,
}

impl ModelSize {
    /// `weights + scales + biases`.
    pub fn total(&self) -> usize {
        self.weights + self.scales + self.biases
    }
}

/// What the W8A8 path computed in one layer, for checking another implementation against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Int8LayerTrace {
    /// The layer's quantized input, `(m, in)` row-major.
    pub codes: Vec<i8>,
    /// The per-token input scales `s_a`, one per sample.
    pub act_scales: Vec<f32>,
    /// The int32 accumulators `(m, out)`.
    pub acc: Vec<i32>,
    /// The rescaled output `z = f32(acc)·(s_a·s_w) + b` `(m, out)`, before the ReLU.
    pub output: Vec<f32>,
}

/// How an int16 accumulator would have fared in one layer of a W8A8 model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccumulatorReport {
    /// The layer, counting from 0.
    pub layer: usize,
    /// Number of sums computed (`m · out`).
    pub outputs: usize,
    /// Sums whose exact value does not fit int16 (wrong with an int16 accumulator).
    pub overflowed: usize,
    /// Sums whose running value left the int16 range at some point.
    pub wrapped_on_the_way: usize,
    /// The largest `|acc|` of the exact int32 sums.
    pub max_abs_acc: i64,
}

/// An [`Mlp`] quantized in one [`QuantConfig`].
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizedMlp {
    /// The configuration.
    pub config: QuantConfig,
    /// The layers, input first.
    pub layers: Vec<QuantLayer>,
}

impl QuantizedMlp {
    /// Quantizes every layer of `mlp` as `config` says.
    pub fn new(mlp: &Mlp, config: QuantConfig) -> Result<QuantizedMlp> {
        config.validate()?;
        mlp.validate()?;
        let layers = mlp
            .layers
            .iter()
            .map(|l| QuantLayer::new(l, &config))
            .collect::<Result<Vec<_>>>()?;
        Ok(QuantizedMlp { config, layers })
    }

    /// Inputs per sample.
    pub fn in_dim(&self) -> usize {
        self.layers.first().map_or(0, |l| l.in_dim)
    }

    /// Outputs (classes) per sample.
    pub fn out_dim(&self) -> usize {
        self.layers.last().map_or(0, |l| l.out_dim)
    }

    /// Bytes of weights, scales and biases.
    pub fn size(&self) -> ModelSize {
        let mut s = ModelSize {
            weights: 0,
            scales: 0,
            biases: 0,
        };
        for l in &self.layers {
            let (w, sc) = l.weights.sizes();
            s.weights += w;
            s.scales += sc + 4 * l.input_scales.len();
            s.biases += 4 * l.bias.len();
        }
        s
    }

    fn check_input(&self, x: &[f32], m: usize) -> Result<()> {
        let d = self.in_dim();
        if m == 0 || m.checked_mul(d) != Some(x.len()) {
            return Err(QuantError::ShapeMismatch {
                shape: vec![m, d],
                expected: m.saturating_mul(d),
                actual: x.len(),
            });
        }
        Ok(())
    }

    /// One layer's W8A8 computation on `m` inputs `a` `(m, in)`.
    fn int8_layer(
        layer: &QuantLayer,
        a: &[f32],
        m: usize,
        kernel: Int8Kernel,
    ) -> Result<Int8LayerTrace> {
        let QuantWeights::Int8 { codes: wq, .. } = &layer.weights else {
            return Err(QuantError::InvalidParameter(
                "int8 activations need int8 weights".into(),
            ));
        };
        let (k, n) = (layer.in_dim, layer.out_dim);
        let (codes, act_scales) = kernel.quantize_per_token(a, m, k)?;
        let acc = kernel.matmul(&codes, wq, m, k, n)?;
        let mut output = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                output[i * n + j] = int8::rescale(
                    acc[i * n + j],
                    act_scales[i],
                    layer.channel_scales[j],
                    layer.bias[j],
                );
            }
        }
        Ok(Int8LayerTrace {
            codes,
            act_scales,
            acc,
            output,
        })
    }

    /// Every layer's output `z_l` (before the ReLU; the last is the logits) for `m` samples.
    pub fn forward_layers(&self, x: &[f32], m: usize) -> Result<Vec<Vec<f32>>> {
        self.forward_layers_with(x, m, Int8Kernel::Scalar)
    }

    /// [`QuantizedMlp::forward_layers`] with the int8 matrix product of `kernel` (used by
    /// W8A8 configurations only; every kernel gives the same result bit for bit).
    pub fn forward_layers_with(
        &self,
        x: &[f32],
        m: usize,
        kernel: Int8Kernel,
    ) -> Result<Vec<Vec<f32>>> {
        self.check_input(x, m)?;
        let mut outs = Vec::with_capacity(self.layers.len());
        let mut a = x.to_vec();
        for (l, layer) in self.layers.iter().enumerate() {
            let z = match self.config.activations {
                Activations::Fp32 => {
                    linear_forward(&a, m, layer.in_dim, &layer.dequantized, &layer.bias)
                }
                Activations::Int8PerToken => Self::int8_layer(layer, &a, m, kernel)?.output,
            };
            if l + 1 < self.layers.len() {
                a = z.clone();
                relu_in_place(&mut a);
            }
            outs.push(z);
        }
        Ok(outs)
    }

    /// The logits `(m, classes)`.
    pub fn forward(&self, x: &[f32], m: usize) -> Result<Vec<f32>> {
        Ok(self.forward_layers(x, m)?.pop().unwrap_or_default())
    }

    /// The W8A8 computation layer by layer, with every intermediate (codes, scales, int32
    /// accumulators, outputs) — what a GPU or SIMD path must reproduce bit for bit. Errors for
    /// configurations without int8 activations.
    pub fn trace_int8(&self, x: &[f32], m: usize) -> Result<Vec<Int8LayerTrace>> {
        self.trace_int8_with(x, m, Int8Kernel::Scalar)
    }

    /// [`QuantizedMlp::trace_int8`] with the int8 matrix product of `kernel`.
    pub fn trace_int8_with(
        &self,
        x: &[f32],
        m: usize,
        kernel: Int8Kernel,
    ) -> Result<Vec<Int8LayerTrace>> {
        self.check_input(x, m)?;
        if self.config.activations != Activations::Int8PerToken {
            return Err(QuantError::InvalidParameter(format!(
                "{} has fp32 activations: there is no integer computation to trace",
                self.config.id()
            )));
        }
        let mut traces: Vec<Int8LayerTrace> = Vec::with_capacity(self.layers.len());
        let mut a = x.to_vec();
        for (l, layer) in self.layers.iter().enumerate() {
            let t = Self::int8_layer(layer, &a, m, kernel)?;
            if l + 1 < self.layers.len() {
                a = t.output.clone();
                relu_in_place(&mut a);
            }
            traces.push(t);
        }
        Ok(traces)
    }

    /// For a W8A8 model: how an int16 accumulator would have done in each layer on these
    /// inputs ([`int8::matmul_i8_i16_wrapping`]) — the "why int32" demo on real data.
    pub fn int16_accumulators(&self, x: &[f32], m: usize) -> Result<Vec<AccumulatorReport>> {
        let traces = self.trace_int8(x, m)?;
        traces
            .iter()
            .zip(&self.layers)
            .enumerate()
            .map(|(l, (t, layer))| {
                let QuantWeights::Int8 { codes: wq, .. } = &layer.weights else {
                    return Err(QuantError::InvalidParameter("not int8 weights".into()));
                };
                let I16Accumulation {
                    overflowed,
                    wrapped_on_the_way,
                    ..
                } = int8::matmul_i8_i16_wrapping(&t.codes, wq, m, layer.in_dim, layer.out_dim)?;
                Ok(AccumulatorReport {
                    layer: l,
                    outputs: t.acc.len(),
                    overflowed,
                    wrapped_on_the_way,
                    max_abs_acc: t.acc.iter().map(|&v| i64::from(v).abs()).max().unwrap_or(0),
                })
            })
            .collect()
    }

    /// The predicted class of each of `m` samples.
    pub fn predict(&self, x: &[f32], m: usize) -> Result<Vec<u8>> {
        Ok(argmax_rows(&self.forward(x, m)?, self.out_dim()))
    }

    /// Accuracy in `[0, 1]` on a dataset.
    pub fn accuracy(&self, data: &Dataset) -> Result<f32> {
        data.validate()?;
        Ok(accuracy_of(
            &self.predict(&data.features, data.n)?,
            &data.labels,
        ))
    }
}

/// One row of the accuracy table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The configuration.
    pub config: QuantConfig,
    /// Test accuracy in `[0, 1]`.
    pub accuracy: f32,
    /// Storage of the quantized model.
    pub size: ModelSize,
    /// The predicted class of each test sample.
    pub predictions: Vec<u8>,
    /// The confusion matrix `(classes, classes)`, rows = true class ([`super::confusion_matrix`]).
    pub confusion: Vec<u32>,
}

/// Quantizes `mlp` as `config` says and measures it on `test`.
pub fn evaluate(mlp: &Mlp, config: QuantConfig, test: &Dataset) -> Result<Evaluation> {
    test.validate()?;
    let q = QuantizedMlp::new(mlp, config)?;
    let predictions = q.predict(&test.features, test.n)?;
    Ok(Evaluation {
        config,
        accuracy: accuracy_of(&predictions, &test.labels),
        size: q.size(),
        confusion: confusion_matrix(&predictions, &test.labels, test.classes),
        predictions,
    })
}

/// The error of one layer's output against fp32.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LayerError {
    /// The layer, counting from 0.
    pub layer: usize,
    /// `10·log10(Σ z² / Σ (z − ẑ)²)` in dB (`+∞` when identical).
    pub snr_db: f64,
    /// Mean squared error.
    pub mse: f64,
    /// Largest absolute error.
    pub max_abs_error: f64,
}

/// The per-layer output error of `quantized` against `mlp` on `m` samples `x` (see the module
/// docs: both run end to end, outputs are compared before the ReLU).
pub fn layer_errors(
    mlp: &Mlp,
    quantized: &QuantizedMlp,
    x: &[f32],
    m: usize,
) -> Result<Vec<LayerError>> {
    if mlp.dims() != {
        let mut d = vec![quantized.in_dim()];
        d.extend(quantized.layers.iter().map(|l| l.out_dim));
        d
    } {
        return Err(QuantError::InvalidParameter(
            "the quantized model does not have the fp32 model's layer sizes".into(),
        ));
    }
    let reference = mlp.forward_layers(x, m)?;
    let got = quantized.forward_layers(x, m)?;
    Ok(reference
        .iter()
        .zip(&got)
        .enumerate()
        .map(|(layer, (r, g))| LayerError {
            layer,
            snr_db: metrics::snr_db(r, g),
            mse: metrics::mse(r, g),
            max_abs_error: metrics::max_abs_error(r, g),
        })
        .collect())
}

/// Bytes the int4/NF4 codes of an `(out, in)` matrix take: `⌈out·in/2⌉`.
pub fn nibble_bytes(out_dim: usize, in_dim: usize) -> usize {
    packed_len(out_dim * in_dim, 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn model() -> Mlp {
        Mlp::new(&[70, 20, 5], &mut ChaCha8Rng::seed_from_u64(4)).unwrap()
    }

    fn inputs(m: usize, d: usize) -> Vec<f32> {
        (0..m * d)
            .map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0)
            .collect()
    }

    #[test]
    fn ids_round_trip_for_every_named_configuration() {
        for c in QuantConfig::ALL {
            assert_eq!(QuantConfig::from_id(&c.id()), Some(c), "{}", c.id());
            assert!(c.validate().is_ok());
        }
        assert_eq!(QuantConfig::W4_G128.id(), "w4-g128");
        assert_eq!(QuantConfig::W8A8.id(), "w8a8");
        assert_eq!(QuantConfig::from_id("w4"), Some(QuantConfig::W4_G128));
        assert_eq!(QuantConfig::from_id("w4a8"), None);
        assert_eq!(QuantConfig::from_id("w8a8-g32"), None);
        assert_eq!(QuantConfig::from_id("nope"), None);
    }

    #[test]
    fn fp32_configuration_reproduces_the_model_exactly() {
        let m = model();
        let x = inputs(6, 70);
        let q = QuantizedMlp::new(&m, QuantConfig::FP32).unwrap();
        assert_eq!(q.forward(&x, 6).unwrap(), m.forward(&x, 6).unwrap());
        assert_eq!(q.size().total(), m.size_bytes());
        let errs = layer_errors(&m, &q, &x, 6).unwrap();
        assert!(errs.iter().all(|e| e.snr_db == f64::INFINITY));
    }

    #[test]
    fn w8_codes_are_symmetric_per_channel_with_scale_absmax_over_127() {
        let m = model();
        let q = QuantizedMlp::new(&m, QuantConfig::W8).unwrap();
        let l = &q.layers[0];
        let QuantWeights::Int8 { codes, scales, .. } = &l.weights else {
            panic!("not int8")
        };
        assert_eq!(scales.len(), 20);
        for j in 0..20 {
            let row = m.layers[0].row(j);
            let amax = row.iter().fold(0.0f32, |a, v| a.max(v.abs()));
            assert!((scales[j] - amax / 127.0).abs() <= 1e-6 * amax);
            assert_eq!(l.channel_scales[j], scales[j]);
            let crow = &codes[j * 70..(j + 1) * 70];
            assert_eq!(crow.iter().map(|&c| i32::from(c).abs()).max(), Some(127));
            for (&w, &c) in row.iter().zip(crow) {
                assert!((w - f32::from(c) * scales[j]).abs() <= scales[j] * 0.5001);
            }
        }
        // 70·20 + 20·5 codes, one scale per output channel, biases.
        assert_eq!(
            q.size(),
            ModelSize {
                weights: 1500,
                scales: 4 * 25,
                biases: 4 * 25
            }
        );
    }

    #[test]
    fn w4_groups_run_along_the_input_dimension_and_pack_two_codes_a_byte() {
        let m = model();
        let q = QuantizedMlp::new(&m, QuantConfig::W4_G32).unwrap();
        let l = &q.layers[0];
        let QuantWeights::Int4 { packed, scales, .. } = &l.weights else {
            panic!("not int4")
        };
        // 70 inputs → groups of 32, 32, 6 per row.
        assert_eq!(scales.len(), 20 * 3);
        assert_eq!(packed.len(), nibble_bytes(20, 70));
        let codes = l.unpacked_nibbles().unwrap();
        assert!(codes.iter().all(|&c| (-8..=7).contains(&c)));
        for (i, &c) in codes.iter().enumerate() {
            let (row, col) = (i / 70, i % 70);
            let g = row * 3 + col / 32;
            assert_eq!(l.dequantized[i], c as f32 * scales[g]);
        }
        let s = q.size();
        assert_eq!(s.weights, 700 + 50);
        assert_eq!(s.scales, 4 * (60 + 5));
    }

    #[test]
    fn nf4_weights_come_from_the_nf4_table() {
        let m = model();
        let q = QuantizedMlp::new(&m, QuantConfig::NF4).unwrap();
        let l = &q.layers[0];
        let idx = l.unpacked_nibbles().unwrap();
        let QuantWeights::Nf4 { absmax, .. } = &l.weights else {
            panic!("not nf4")
        };
        for (i, &k) in idx.iter().enumerate() {
            assert_eq!(l.dequantized[i], NF4_CODE[k as usize] * absmax[i / 64]);
        }
    }

    #[test]
    fn w8a8_output_is_the_rescaled_int32_accumulator() {
        let m = model();
        let x = inputs(3, 70);
        let q = QuantizedMlp::new(&m, QuantConfig::W8A8).unwrap();
        let traces = q.trace_int8(&x, 3).unwrap();
        assert_eq!(traces.len(), 2);
        let t = &traces[0];
        let QuantWeights::Int8 { codes: wq, .. } = &q.layers[0].weights else {
            panic!()
        };
        for i in 0..3 {
            for j in 0..20 {
                let acc: i32 = (0..70)
                    .map(|k| i32::from(t.codes[i * 70 + k]) * i32::from(wq[j * 70 + k]))
                    .sum();
                assert_eq!(t.acc[i * 20 + j], acc);
                let y = acc as f32 * (t.act_scales[i] * q.layers[0].channel_scales[j])
                    + q.layers[0].bias[j];
                assert_eq!(t.output[i * 20 + j].to_bits(), y.to_bits());
            }
        }
        assert_eq!(q.forward(&x, 3).unwrap(), traces[1].output);
        // Close to fp32.
        let errs = layer_errors(&m, &q, &x, 3).unwrap();
        assert!(errs.iter().all(|e| e.snr_db > 25.0), "{errs:?}");
        let reports = q.int16_accumulators(&x, 3).unwrap();
        assert_eq!(reports[0].outputs, 60);
        assert!(reports[0].max_abs_acc > 0);
    }

    #[test]
    fn invalid_combinations_and_inputs_are_errors() {
        let m = model();
        let w4a8 = QuantConfig {
            activations: Activations::Int8PerToken,
            ..QuantConfig::W4_G32
        };
        assert!(QuantizedMlp::new(&m, w4a8).is_err());
        assert!(QuantizedMlp::new(&m, QuantConfig::w4_group(0)).is_err());
        let q = QuantizedMlp::new(&m, QuantConfig::W8).unwrap();
        assert!(q.forward(&[0.0; 69], 1).is_err());
        assert!(q.trace_int8(&inputs(1, 70), 1).is_err());
        let other = Mlp::new(&[70, 5], &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
        assert!(layer_errors(&other, &q, &inputs(1, 70), 1).is_err());
    }
}
