//! The configurations: weight format, granularity, group size and activation treatment, with
//! their ids (URLs, test ids), labels and the check of what combines.

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result};
use crate::quant::scheme::{Scheme, SchemeKind};
use crate::quant::types::{GranularityKind, IntRange, MX_BLOCK, Mode, MxElement, NVFP4_BLOCK};

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
    /// MXFP4: FP4 E2M1 elements, one E8M0 scale per block of 32 inputs of a row
    /// ([`crate::quant::mx`]).
    Mxfp4,
    /// MXFP8 with FP8 E4M3 elements, one E8M0 scale per block of 32 inputs of a row.
    Mxfp8E4m3,
    /// NVFP4: FP4 E2M1 elements, one FP8 E4M3 scale per block of 16 inputs of a row, one
    /// `f32` scale per layer ([`crate::quant::mx::nvfp4`]).
    Nvfp4,
}

impl WeightFormat {
    /// The block-scaled float formats, in the order the tables list them.
    pub const BLOCK_FLOAT: [WeightFormat; 3] = [
        WeightFormat::Mxfp4,
        WeightFormat::Mxfp8E4m3,
        WeightFormat::Nvfp4,
    ];

    /// The name the tables show: `fp32`, `int8`, `int4`, `nf4`, `MXFP4`, `MXFP8 E4M3`,
    /// `NVFP4`.
    pub fn name(self) -> &'static str {
        match self {
            WeightFormat::Fp32 => "fp32",
            WeightFormat::Int8 => "int8",
            WeightFormat::Int4 => "int4",
            WeightFormat::Nf4 => "nf4",
            WeightFormat::Mxfp4 => "MXFP4",
            WeightFormat::Mxfp8E4m3 => "MXFP8 E4M3",
            WeightFormat::Nvfp4 => "NVFP4",
        }
    }

    /// The MX element type of an MX format (`None` for the others, NVFP4 included).
    pub fn mx_element(self) -> Option<MxElement> {
        match self {
            WeightFormat::Mxfp4 => Some(MxElement::Fp4E2m1),
            WeightFormat::Mxfp8E4m3 => Some(MxElement::Fp8E4m3),
            _ => None,
        }
    }

    /// Values per block of a block-scaled float format (32 for MX, 16 for NVFP4), `None`
    /// for the others.
    pub fn block_size(self) -> Option<u32> {
        match self {
            WeightFormat::Mxfp4 | WeightFormat::Mxfp8E4m3 => Some(MX_BLOCK as u32),
            WeightFormat::Nvfp4 => Some(NVFP4_BLOCK as u32),
            _ => None,
        }
    }

    /// The configuration id of a block-scaled float format (the core's scheme id:
    /// `mxfp4`, `mxfp8-e4m3`, `nvfp4`), `None` for the others.
    fn block_float_id(self) -> Option<&'static str> {
        match self {
            WeightFormat::Mxfp4 => Some("mxfp4"),
            WeightFormat::Mxfp8E4m3 => Some("mxfp8-e4m3"),
            WeightFormat::Nvfp4 => Some("nvfp4"),
            _ => None,
        }
    }
}

/// How the activations (layer inputs) are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Activations {
    /// Kept in `f32`.
    #[default]
    Fp32,
    /// Quantized to int8 per token at run time ([`crate::mlp::int8::quantize_row_i8`]).
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

    /// MXFP4 weight-only: blocks of 32 inputs of a row.
    pub const MXFP4: QuantConfig = QuantConfig::block_float(WeightFormat::Mxfp4, MX_BLOCK);
    /// MXFP8 (E4M3) weight-only: blocks of 32 inputs of a row.
    pub const MXFP8_E4M3: QuantConfig = QuantConfig::block_float(WeightFormat::Mxfp8E4m3, MX_BLOCK);
    /// NVFP4 weight-only: blocks of 16 inputs of a row and a per-layer tensor scale.
    pub const NVFP4: QuantConfig = QuantConfig::block_float(WeightFormat::Nvfp4, NVFP4_BLOCK);

    /// The course's experiment: fp32, W8, W4-g128, W8A8.
    pub const COURSE: [QuantConfig; 4] = [
        QuantConfig::FP32,
        QuantConfig::W8,
        QuantConfig::W4_G128,
        QuantConfig::W8A8,
    ];

    /// Every named configuration, in the order the accuracy table lists them.
    pub const ALL: [QuantConfig; 14] = [
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
        QuantConfig::MXFP4,
        QuantConfig::MXFP8_E4M3,
        QuantConfig::NVFP4,
    ];

    const fn block_float(weights: WeightFormat, block: usize) -> QuantConfig {
        QuantConfig {
            weights,
            granularity: GranularityKind::Group,
            group_size: block as u32,
            activations: Activations::Fp32,
        }
    }

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
            (w @ (WeightFormat::Mxfp4 | WeightFormat::Mxfp8E4m3 | WeightFormat::Nvfp4), acts) => {
                let base = w.block_float_id().unwrap_or_default();
                match acts {
                    Activations::Fp32 => base.into(),
                    Activations::Int8PerToken => format!("{base}-a8"),
                }
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
            QuantConfig::ALL
                .into_iter()
                .find(|c| c.weights.block_float_id() == Some(id))?
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
            (w @ (WeightFormat::Mxfp4 | WeightFormat::Mxfp8E4m3 | WeightFormat::Nvfp4), _) => {
                w.name().into()
            }
        }
    }

    /// Checks the combination: int8 activations need int8 weights with a per-tensor or
    /// per-channel scale; a group or block size must be 1 to 4,096 where it is used; the
    /// block-scaled float formats have their format's block (32 or 16 inputs of a row).
    pub fn validate(&self) -> Result<()> {
        if let Some(block) = self.weights.block_size()
            && (self.granularity != GranularityKind::Group || self.group_size != block)
        {
            return Err(QuantError::InvalidParameter(format!(
                "{} weights come in blocks of {block} inputs of a row, not {} ({:?})",
                self.weights.name(),
                self.group_size,
                self.granularity
            )));
        }
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

    pub(super) fn linear_scheme(&self, bits: u32) -> Scheme {
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
