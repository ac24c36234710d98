//! Schemes as data, and the [`Quantizer`] trait every scheme implements.
//!
//! A [`Scheme`] is a plain `Copy + serde` value: the UI, the URL and (later) the command
//! line all read and write the same struct, so there is one source of truth for what a
//! quantizer is. It is deliberately flat (every field a scalar or a unit enum) so that it
//! maps one-to-one onto query parameters.

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Which family of quantizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SchemeKind {
    /// Uniform (linear) quantization: [`crate::linear`].
    #[default]
    Linear,
}

impl SchemeKind {
    /// Every scheme, in the order menus list them.
    pub const ALL: [SchemeKind; 1] = [SchemeKind::Linear];

    /// The name used in URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            SchemeKind::Linear => "linear",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            SchemeKind::Linear => "Linear (uniform)",
        }
    }
}

/// How the range of the data is mapped onto the integer grid (linear schemes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Symmetric, mid-tread: `Z = 0`, `S = max|x| / (2^(b−1) − 1)`; zero is a level and the
    /// most negative code is unused (int8 uses −127..=127).
    Sym,
    /// Asymmetric with an **integer** zero-point: `S = (max − min)/(q_max − q_min)`,
    /// `Z = q_min − round(min/S)`; the range is widened to include 0 so that 0 is exact.
    #[default]
    Asym,
    /// Asymmetric with a **real** zero-point: exactly the course formula
    /// `Q(x) = Δ·round((x − x_min)/Δ) + x_min`, `Δ = (x_max − x_min)/(L − 1)`.
    AsymFloat,
    /// Symmetric mid-rise: `Δ = 2·max|x| / 2^b`, levels at `(k + ½)·Δ`; zero is a decision
    /// threshold, not a level. The textbook quantizer behind `SQNR = 6.02·b + 1.76 dB`.
    MidRise,
}

impl Mode {
    /// Every mode, in menu order.
    pub const ALL: [Mode; 4] = [Mode::Sym, Mode::Asym, Mode::AsymFloat, Mode::MidRise];

    /// The name used in URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Mode::Sym => "sym",
            Mode::Asym => "asym",
            Mode::AsymFloat => "asym-float",
            Mode::MidRise => "mid-rise",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Sym => "Symmetric (Z = 0)",
            Mode::Asym => "Asymmetric (integer Z)",
            Mode::AsymFloat => "Asymmetric, course formula (real Z)",
            Mode::MidRise => "Symmetric mid-rise",
        }
    }
}

/// Signed or unsigned integer codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum IntRange {
    /// `[−2^(b−1), 2^(b−1) − 1]`, e.g. int8 `[−128, 127]`.
    #[default]
    Signed,
    /// `[0, 2^b − 1]`, e.g. uint8 `[0, 255]`.
    Unsigned,
}

impl IntRange {
    /// `(q_min, q_max)` for `bits` bits (`1..=16`).
    pub fn bounds(self, bits: u32) -> (i32, i32) {
        let bits = bits.clamp(1, 16);
        match self {
            IntRange::Signed => (-(1 << (bits - 1)), (1 << (bits - 1)) - 1),
            IntRange::Unsigned => (0, (1 << bits) - 1),
        }
    }
}

/// Which values share one scale (and zero-point), as stored in a [`Scheme`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum GranularityKind {
    /// One scale for the whole tensor.
    #[default]
    Tensor,
    /// One scale per index along [`Scheme::axis`].
    Channel,
    /// One scale per [`Scheme::group_size`] consecutive values along the last axis.
    Group,
}

/// Granularity with its parameter, resolved from a [`Scheme`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    /// One scale for the whole tensor.
    PerTensor,
    /// One scale per index along `axis`.
    PerChannel {
        /// The channel axis.
        axis: usize,
    },
    /// One scale per `size` consecutive values along the last axis.
    PerGroup {
        /// Values per group.
        size: usize,
    },
}

/// A quantization scheme and all its parameters: one flat, serialisable value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scheme {
    /// The family.
    pub scheme: SchemeKind,
    /// Bit width of a code (1..=16 for linear).
    pub bits: u32,
    /// How the range maps to the grid.
    pub mode: Mode,
    /// Signed or unsigned codes.
    pub range: IntRange,
    /// Which values share a scale.
    pub granularity: GranularityKind,
    /// Channel axis for per-channel granularity.
    pub axis: u32,
    /// Group size for per-group granularity.
    pub group_size: u32,
}

impl Default for Scheme {
    fn default() -> Self {
        Scheme {
            scheme: SchemeKind::Linear,
            bits: 8,
            mode: Mode::Asym,
            range: IntRange::Signed,
            granularity: GranularityKind::Tensor,
            axis: 0,
            group_size: 64,
        }
    }
}

impl Scheme {
    /// The granularity with its parameter.
    pub fn granularity(&self) -> Granularity {
        match self.granularity {
            GranularityKind::Tensor => Granularity::PerTensor,
            GranularityKind::Channel => Granularity::PerChannel {
                axis: self.axis as usize,
            },
            GranularityKind::Group => Granularity::PerGroup {
                size: self.group_size as usize,
            },
        }
    }

    /// Fits this scheme to `data` of the given `shape` (row-major).
    pub fn fit(&self, data: &[f32], shape: &[usize]) -> Result<Box<dyn Quantizer>> {
        match self.scheme {
            SchemeKind::Linear => Ok(Box::new(crate::linear::LinearQuantizer::fit(
                data, shape, self,
            )?)),
        }
    }
}

/// A quantizer fitted to some data: codes out, values back, and a description of its grid.
///
/// `quantize` and `dequantize` work on the same layout (length and shape) the quantizer was
/// fitted on; per-channel and per-group scales are looked up by position.
pub trait Quantizer: std::fmt::Debug {
    /// Maps values to integer codes.
    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>>;
    /// Maps codes back to values.
    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>>;
    /// The reconstruction levels of the first scale group (the whole tensor when per-tensor),
    /// ascending.
    fn levels(&self) -> Vec<f32>;
    /// Storage cost in bits per value, including scales and zero-points.
    fn bits_per_value(&self) -> f64;
    /// `dequantize(quantize(data))`.
    fn quantize_dequantize(&self, data: &[f32]) -> Result<Vec<f32>> {
        self.dequantize(&self.quantize(data)?)
    }
}
