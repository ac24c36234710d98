//! Schemes as data: [`Scheme`], [`SchemeKind`] and one descriptor row per kind.
//!
//! A [`Scheme`] is a plain `Copy + serde` value: the UI, the URL and the command line all
//! read and write the same struct, so there is one source of truth for what a quantizer
//! is. It is deliberately flat (every field a scalar or a unit enum) so that it maps
//! one-to-one onto query parameters. Fitting a scheme to data is the job of
//! [`crate::quant::registry`]; this module names no quantizer type.

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result, check_bits};
use crate::quant::kernel::{check_a_law, check_mu};
use crate::quant::types::MxElement;
use crate::quant::types::{
    ClipKind, ClipStrategy, Fp8Format, GgmlType, Granularity, GranularityKind, IntRange, Mode,
};

/// Which family of quantizer.
///
/// The id ([`SchemeKind::id`]) is the name in URLs and JSON. Formats with a fixed code
/// width ([`SchemeKind::fixed_bits`]) ignore [`Scheme::bits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SchemeKind {
    /// Uniform (linear) quantization: [`crate::quant::linear`].
    #[default]
    Linear,
    /// Continuous μ-law companding around a uniform quantizer: [`crate::quant::companding`].
    MuLaw,
    /// Continuous A-law companding around a uniform quantizer: [`crate::quant::companding::alaw`].
    ALaw,
    /// The 8-bit G.711 μ-law codec on 16-bit PCM: [`crate::quant::companding::G711Quantizer`].
    MuLawG711,
    /// The 8-bit G.711 A-law codec on 16-bit PCM: [`crate::quant::companding::G711Quantizer`].
    ALawG711,
    /// Power-of-two levels `±2^k·s` (sign + exponent codes): [`crate::quant::log2`].
    Log2,
    /// 4-bit NormalFloat with blockwise absmax and optional double quantization:
    /// [`crate::quant::nf4`].
    Nf4,
    /// FP4 E2M1 with an absmax scale per group: [`crate::quant::minifloat`].
    Fp4,
    /// FP8 (E4M3 or E5M2, see [`Scheme::fp8`]) with an absmax scale per group:
    /// [`crate::quant::minifloat`].
    Fp8,
    /// IEEE half precision, a plain (saturating) cast: [`crate::quant::minifloat`].
    Fp16,
    /// bfloat16, a plain (saturating) cast: [`crate::quant::minifloat`].
    Bf16,
    /// ggml Q8_0 blocks (32 values, fp16 scale, 8.5 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "q8-0", alias = "q8_0")]
    Q8_0,
    /// ggml Q4_0 blocks (32 values, fp16 scale, 4.5 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "q4-0", alias = "q4_0")]
    Q4_0,
    /// ggml Q4_1 blocks (32 values, fp16 scale and min, 5.0 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "q4-1", alias = "q4_1")]
    Q4_1,
    /// ggml Q5_0 blocks (32 values, fp16 scale, 5.5 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "q5-0", alias = "q5_0")]
    Q5_0,
    /// ggml Q5_1 blocks (32 values, fp16 scale and min, 6.0 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "q5-1", alias = "q5_1")]
    Q5_1,
    /// ggml IQ4_NL blocks (32 values, fp16 scale, a 16-level non-linear table, 4.5 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "iq4-nl", alias = "iq4_nl")]
    Iq4Nl,
    /// ggml Q2_K super-blocks (256 values, 4-bit sub-scales and mins, 2.625 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "q2-k", alias = "q2_k")]
    Q2K,
    /// ggml Q3_K super-blocks (256 values, 6-bit sub-scales, 3.4375 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "q3-k", alias = "q3_k")]
    Q3K,
    /// ggml Q4_K super-blocks (256 values, 6-bit sub-scales and mins, 4.5 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "q4-k", alias = "q4_k")]
    Q4K,
    /// ggml Q5_K super-blocks (256 values, 6-bit sub-scales and mins, 5.5 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "q5-k", alias = "q5_k")]
    Q5K,
    /// ggml Q6_K super-blocks (256 values, 8-bit sub-scales, 6.5625 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "q6-k", alias = "q6_k")]
    Q6K,
    /// ggml Q8_K, the dot-product intermediate (256 values, f32 scale, 9.125 bits per value): [`crate::quant::ggml`].
    #[serde(rename = "q8-k", alias = "q8_k")]
    Q8K,
    /// k-means codebook with `k = 2^b` centroids placed by Lloyd's algorithm from a seeded
    /// k-means++ start ([`Scheme::kmeans_seed`]): `q = argmin_j |x − c_j|`, `x̂ = c_q`;
    /// [`crate::quant::codebook::kmeans`].
    #[serde(rename = "kmeans", alias = "k-means")]
    KMeans,
    /// The exact optimal 1-D k-means codebook (`k = 2^b`, least `Σ (x − c_q)²`) by dynamic
    /// programming; [`crate::quant::codebook::kmeans::optimal_1d`].
    #[serde(rename = "kmeans-optimal", alias = "k-means-optimal")]
    KMeansOptimal,
    /// Lloyd-Max levels fitted to the data (`L = 2^b`; thresholds at midpoints, levels at
    /// cell means, from a uniform start); [`crate::quant::codebook::lloyd_max`].
    LloydMax,
    /// OCP MXFP8 with E4M3 elements: blocks of 32 with an E8M0 scale, 8.25 bits per value;
    /// [`crate::quant::mx`].
    Mxfp8E4m3,
    /// OCP MXFP8 with E5M2 elements (8.25 bits per value): [`crate::quant::mx`].
    Mxfp8E5m2,
    /// OCP MXFP6 with E3M2 elements (6.25 bits per value): [`crate::quant::mx`].
    Mxfp6E3m2,
    /// OCP MXFP6 with E2M3 elements (6.25 bits per value): [`crate::quant::mx`].
    Mxfp6E2m3,
    /// OCP MXFP4 (E2M1 elements, 4.25 bits per value): [`crate::quant::mx`].
    Mxfp4,
    /// OCP MXINT8 (int8 elements, implicit 2^−6, 8.25 bits per value): [`crate::quant::mx`].
    Mxint8,
    /// NVIDIA NVFP4: E2M1 in blocks of 16 with an E4M3 scale and an `f32` tensor scale
    /// (4.5 bits per value plus 32 per tensor): [`crate::quant::mx::nvfp4`].
    Nvfp4,
}

impl SchemeKind {
    /// Every scheme, in the order menus list them.
    pub const ALL: [SchemeKind; 33] = [
        SchemeKind::Linear,
        SchemeKind::MuLaw,
        SchemeKind::ALaw,
        SchemeKind::MuLawG711,
        SchemeKind::ALawG711,
        SchemeKind::Log2,
        SchemeKind::Nf4,
        SchemeKind::Fp4,
        SchemeKind::Fp8,
        SchemeKind::Fp16,
        SchemeKind::Bf16,
        SchemeKind::Q8_0,
        SchemeKind::Q4_0,
        SchemeKind::Q4_1,
        SchemeKind::Q5_0,
        SchemeKind::Q5_1,
        SchemeKind::Iq4Nl,
        SchemeKind::Q2K,
        SchemeKind::Q3K,
        SchemeKind::Q4K,
        SchemeKind::Q5K,
        SchemeKind::Q6K,
        SchemeKind::Q8K,
        SchemeKind::KMeans,
        SchemeKind::KMeansOptimal,
        SchemeKind::LloydMax,
        SchemeKind::Mxfp8E4m3,
        SchemeKind::Mxfp8E5m2,
        SchemeKind::Mxfp6E3m2,
        SchemeKind::Mxfp6E2m3,
        SchemeKind::Mxfp4,
        SchemeKind::Mxint8,
        SchemeKind::Nvfp4,
    ];

    /// The descriptor row of this kind: everything about it that is data (the spirit of
    /// ggml's per-type traits table). One row per kind, in one exhaustive match.
    pub const fn descriptor(self) -> &'static SchemeDescriptor {
        use Bits::{Fixed, Range};
        use ScaleLayout::{Affine, Codebook, GgmlBlock, GroupAbsmax, MiniFloat, Nf4Block};
        match self {
            SchemeKind::Linear => &SchemeDescriptor {
                id: "linear",
                label: "Linear (uniform)",
                bits: Range { min: 1, max: 16 },
                parameters: &[
                    "mode",
                    "range",
                    "granularity",
                    "axis",
                    "group_size",
                    "clip",
                    "percentile",
                ],
                scales: Affine,
                granularity: true,
                exact_on_few_values: false,
            },
            SchemeKind::MuLaw => &SchemeDescriptor {
                id: "mu-law",
                label: "μ-law (companding)",
                bits: Range { min: 1, max: 16 },
                parameters: &["mu", "granularity", "axis", "group_size"],
                scales: GroupAbsmax,
                granularity: true,
                exact_on_few_values: false,
            },
            SchemeKind::ALaw => &SchemeDescriptor {
                id: "a-law",
                label: "A-law (companding)",
                bits: Range { min: 1, max: 16 },
                parameters: &["a_law", "granularity", "axis", "group_size"],
                scales: GroupAbsmax,
                granularity: true,
                exact_on_few_values: false,
            },
            SchemeKind::MuLawG711 => &SchemeDescriptor {
                id: "mu-law-g711",
                label: "G.711 μ-law (8-bit codec)",
                bits: Fixed(8),
                parameters: &["granularity", "axis", "group_size"],
                scales: GroupAbsmax,
                granularity: true,
                exact_on_few_values: false,
            },
            SchemeKind::ALawG711 => &SchemeDescriptor {
                id: "a-law-g711",
                label: "G.711 A-law (8-bit codec)",
                bits: Fixed(8),
                parameters: &["granularity", "axis", "group_size"],
                scales: GroupAbsmax,
                granularity: true,
                exact_on_few_values: false,
            },
            SchemeKind::Log2 => &SchemeDescriptor {
                id: "log2",
                label: "Power of two (log2)",
                bits: Range { min: 2, max: 8 },
                parameters: &["granularity", "axis", "group_size"],
                scales: GroupAbsmax,
                granularity: true,
                exact_on_few_values: false,
            },
            SchemeKind::Nf4 => &SchemeDescriptor {
                id: "nf4",
                label: "NF4 (QLoRA NormalFloat)",
                bits: Fixed(4),
                parameters: &["block_size", "double_quant"],
                scales: Nf4Block,
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Fp4 => &SchemeDescriptor {
                id: "fp4",
                label: "FP4 E2M1",
                bits: Fixed(4),
                parameters: &["granularity", "axis", "group_size"],
                scales: MiniFloat,
                granularity: true,
                exact_on_few_values: false,
            },
            SchemeKind::Fp8 => &SchemeDescriptor {
                id: "fp8",
                label: "FP8 (E4M3 / E5M2)",
                bits: Fixed(8),
                parameters: &["fp8", "granularity", "axis", "group_size"],
                scales: MiniFloat,
                granularity: true,
                exact_on_few_values: false,
            },
            SchemeKind::Fp16 => &SchemeDescriptor {
                id: "fp16",
                label: "FP16 (IEEE half)",
                bits: Fixed(16),
                parameters: &[],
                scales: ScaleLayout::None,
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Bf16 => &SchemeDescriptor {
                id: "bf16",
                label: "BF16 (bfloat16)",
                bits: Fixed(16),
                parameters: &[],
                scales: ScaleLayout::None,
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Q8_0 => &SchemeDescriptor {
                id: "q8-0",
                label: "ggml Q8_0",
                bits: Fixed(8),
                parameters: &[],
                scales: GgmlBlock(GgmlType::Q8_0),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Q4_0 => &SchemeDescriptor {
                id: "q4-0",
                label: "ggml Q4_0",
                bits: Fixed(4),
                parameters: &[],
                scales: GgmlBlock(GgmlType::Q4_0),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Q4_1 => &SchemeDescriptor {
                id: "q4-1",
                label: "ggml Q4_1",
                bits: Fixed(4),
                parameters: &[],
                scales: GgmlBlock(GgmlType::Q4_1),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Q5_0 => &SchemeDescriptor {
                id: "q5-0",
                label: "ggml Q5_0",
                bits: Fixed(5),
                parameters: &[],
                scales: GgmlBlock(GgmlType::Q5_0),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Q5_1 => &SchemeDescriptor {
                id: "q5-1",
                label: "ggml Q5_1",
                bits: Fixed(5),
                parameters: &[],
                scales: GgmlBlock(GgmlType::Q5_1),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Iq4Nl => &SchemeDescriptor {
                id: "iq4-nl",
                label: "ggml IQ4_NL",
                bits: Fixed(4),
                parameters: &[],
                scales: GgmlBlock(GgmlType::IQ4_NL),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Q2K => &SchemeDescriptor {
                id: "q2-k",
                label: "ggml Q2_K",
                bits: Fixed(2),
                parameters: &[],
                scales: GgmlBlock(GgmlType::Q2_K),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Q3K => &SchemeDescriptor {
                id: "q3-k",
                label: "ggml Q3_K",
                bits: Fixed(3),
                parameters: &[],
                scales: GgmlBlock(GgmlType::Q3_K),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Q4K => &SchemeDescriptor {
                id: "q4-k",
                label: "ggml Q4_K",
                bits: Fixed(4),
                parameters: &[],
                scales: GgmlBlock(GgmlType::Q4_K),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Q5K => &SchemeDescriptor {
                id: "q5-k",
                label: "ggml Q5_K",
                bits: Fixed(5),
                parameters: &[],
                scales: GgmlBlock(GgmlType::Q5_K),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Q6K => &SchemeDescriptor {
                id: "q6-k",
                label: "ggml Q6_K",
                bits: Fixed(6),
                parameters: &[],
                scales: GgmlBlock(GgmlType::Q6_K),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Q8K => &SchemeDescriptor {
                id: "q8-k",
                label: "ggml Q8_K",
                bits: Fixed(8),
                parameters: &[],
                scales: GgmlBlock(GgmlType::Q8_K),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::KMeans => &SchemeDescriptor {
                id: "kmeans",
                label: "k-means (Lloyd, k-means++)",
                bits: Range {
                    min: KMEANS_MIN_BITS,
                    max: KMEANS_MAX_BITS,
                },
                parameters: &["kmeans_seed"],
                scales: Codebook,
                granularity: false,
                exact_on_few_values: true,
            },
            SchemeKind::KMeansOptimal => &SchemeDescriptor {
                id: "kmeans-optimal",
                label: "k-means, exact optimum (DP)",
                bits: Range {
                    min: KMEANS_MIN_BITS,
                    max: KMEANS_MAX_BITS,
                },
                parameters: &[],
                scales: Codebook,
                granularity: false,
                exact_on_few_values: true,
            },
            SchemeKind::LloydMax => &SchemeDescriptor {
                id: "lloyd-max",
                label: "Lloyd-Max (fitted to the data)",
                bits: Range {
                    min: KMEANS_MIN_BITS,
                    max: KMEANS_MAX_BITS,
                },
                parameters: &[],
                scales: Codebook,
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Mxfp8E4m3 => &SchemeDescriptor {
                id: "mxfp8-e4m3",
                label: "MXFP8 E4M3 (OCP MX)",
                bits: Fixed(8),
                parameters: &[],
                scales: ScaleLayout::MxBlock(MxElement::Fp8E4m3),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Mxfp8E5m2 => &SchemeDescriptor {
                id: "mxfp8-e5m2",
                label: "MXFP8 E5M2 (OCP MX)",
                bits: Fixed(8),
                parameters: &[],
                scales: ScaleLayout::MxBlock(MxElement::Fp8E5m2),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Mxfp6E3m2 => &SchemeDescriptor {
                id: "mxfp6-e3m2",
                label: "MXFP6 E3M2 (OCP MX)",
                bits: Fixed(6),
                parameters: &[],
                scales: ScaleLayout::MxBlock(MxElement::Fp6E3m2),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Mxfp6E2m3 => &SchemeDescriptor {
                id: "mxfp6-e2m3",
                label: "MXFP6 E2M3 (OCP MX)",
                bits: Fixed(6),
                parameters: &[],
                scales: ScaleLayout::MxBlock(MxElement::Fp6E2m3),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Mxfp4 => &SchemeDescriptor {
                id: "mxfp4",
                label: "MXFP4 E2M1 (OCP MX)",
                bits: Fixed(4),
                parameters: &[],
                scales: ScaleLayout::MxBlock(MxElement::Fp4E2m1),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Mxint8 => &SchemeDescriptor {
                id: "mxint8",
                label: "MXINT8 (OCP MX)",
                bits: Fixed(8),
                parameters: &[],
                scales: ScaleLayout::MxBlock(MxElement::Int8),
                granularity: false,
                exact_on_few_values: false,
            },
            SchemeKind::Nvfp4 => &SchemeDescriptor {
                id: "nvfp4",
                label: "NVFP4 (E2M1, E4M3 block scales)",
                bits: Fixed(4),
                parameters: &[],
                scales: ScaleLayout::Nvfp4Block,
                granularity: false,
                exact_on_few_values: false,
            },
        }
    }

    /// The name used in URLs and JSON.
    pub fn id(self) -> &'static str {
        self.descriptor().id
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        self.descriptor().label
    }

    /// The code width of formats that fix it (G.711, FP8 and Q8_0: 8; NF4, FP4, Q4_0 and
    /// Q4_1: 4; fp16 and bf16: 16), `None` where [`Scheme::bits`] chooses it.
    pub fn fixed_bits(self) -> Option<u32> {
        match self.descriptor().bits {
            Bits::Fixed(b) => Some(b),
            Bits::Range { .. } => None,
        }
    }

    /// The bit widths this scheme accepts, `(min, max)`; a fixed-width format gives its
    /// width twice.
    pub fn bits_range(self) -> (u32, u32) {
        let bits = self.descriptor().bits;
        (bits.min(), bits.max())
    }

    /// The [`Scheme`] fields this scheme reads besides `scheme` and `bits` (the names of
    /// the URL parameters, JSON keys and command-line options).
    pub fn parameters(self) -> &'static [&'static str] {
        self.descriptor().parameters
    }

    /// How this scheme lays out its scales ([`SchemeDescriptor::scales`]).
    pub fn scales(self) -> ScaleLayout {
        self.descriptor().scales
    }

    /// Whether [`Scheme::granularity`] (and `axis`, `group_size`) applies to this scheme.
    pub fn uses_granularity(self) -> bool {
        self.descriptor().granularity
    }
}

/// The code width of a scheme: fixed by the format, or chosen in a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bits {
    /// The format fixes the width; [`Scheme::bits`] is ignored.
    Fixed(u32),
    /// [`Scheme::bits`] chooses the width, from `min` to `max` bits.
    Range {
        /// Fewest bits.
        min: u32,
        /// Most bits.
        max: u32,
    },
}

impl Bits {
    /// The fewest bits (the width of a fixed format).
    pub const fn min(self) -> u32 {
        match self {
            Bits::Fixed(b) => b,
            Bits::Range { min, .. } => min,
        }
    }

    /// The most bits (the width of a fixed format).
    pub const fn max(self) -> u32 {
        match self {
            Bits::Fixed(b) => b,
            Bits::Range { max, .. } => max,
        }
    }
}

/// How a scheme stores the scales (and other metadata) beside its codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScaleLayout {
    /// No scale: a plain cast (fp16, bf16).
    None,
    /// One `f32` absmax per scale group of [`Scheme::granularity`], normalising the data
    /// before a fixed curve or code (μ-law, A-law, G.711, log2).
    GroupAbsmax,
    /// A minifloat format scaled by one `f32` absmax per scale group of
    /// [`Scheme::granularity`] (FP4, FP8).
    MiniFloat,
    /// An affine scale and zero-point per scale group of [`Scheme::granularity`] (linear).
    Affine,
    /// ggml blocks of [`QK`](crate::quant::types::QK) values with their fp16 scale (and
    /// minimum), over the flat data.
    GgmlBlock(GgmlType),
    /// NF4 blocks of [`Scheme::block_size`] values with an absmax each (optionally
    /// double-quantized), over the flat data.
    Nf4Block,
    /// One codebook of `2^b` `f32` levels for the whole tensor (k-means, Lloyd-Max).
    Codebook,
    /// OCP MX blocks of [`MX_BLOCK`](crate::quant::types::MX_BLOCK) = 32 values with an
    /// E8M0 power-of-two scale each, over the flat data.
    MxBlock(MxElement),
    /// NVFP4 blocks of 16 values with an E4M3 scale each, and one `f32` tensor scale, over
    /// the flat data.
    Nvfp4Block,
}

impl ScaleLayout {
    /// Why the storage dtype of the scales (the Weight lab's "scales stored as") does not
    /// apply to this layout, or `None` when it does: affine scales and zero-points, group
    /// absmax values and codebook levels are stored in the chosen dtype; a plain cast has no
    /// scale, and NF4 and the ggml blocks fix the storage of theirs.
    pub fn fixed_scale_storage(self) -> Option<&'static str> {
        match self {
            ScaleLayout::Affine
            | ScaleLayout::GroupAbsmax
            | ScaleLayout::MiniFloat
            | ScaleLayout::Codebook => None,
            ScaleLayout::None => Some("a plain cast stores no scale"),
            ScaleLayout::Nf4Block => Some(
                "NF4 stores one fp32 absmax per block (8-bit with double quantization), as \
                 the format defines",
            ),
            ScaleLayout::GgmlBlock(_) => Some(
                "ggml blocks store an fp16 scale (and minimum) in every block, as the format \
                 defines",
            ),
            ScaleLayout::MxBlock(_) => Some(
                "MX blocks store one 8-bit E8M0 power-of-two scale per 32 values, as the OCP \
                 MX specification defines",
            ),
            ScaleLayout::Nvfp4Block => Some(
                "NVFP4 stores one FP8 E4M3 scale per 16 values and one fp32 tensor scale, as \
                 the format defines",
            ),
        }
    }
}

/// One row of the scheme table: what a [`SchemeKind`] is, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SchemeDescriptor {
    /// The name in URLs and JSON ([`SchemeKind::id`]).
    pub id: &'static str,
    /// A human label ([`SchemeKind::label`]).
    pub label: &'static str,
    /// The code width: fixed, or the range [`Scheme::bits`] may take.
    pub bits: Bits,
    /// The [`Scheme`] fields the scheme reads besides `scheme` and `bits`
    /// ([`SchemeKind::parameters`]).
    pub parameters: &'static [&'static str],
    /// How the scales are laid out.
    pub scales: ScaleLayout,
    /// Whether [`Scheme::granularity`] (with `axis` and `group_size`) applies.
    pub granularity: bool,
    /// Whether a codebook with at least as many levels as the data has distinct values is
    /// exact (so its SNR is `+∞` without fitting): k-means and the exact k-means.
    pub exact_on_few_values: bool,
}

/// Fewest bits of the codebook schemes (k-means, Lloyd-Max): `k = 2^1 = 2` levels.
pub const KMEANS_MIN_BITS: u32 = 1;
/// Most bits of the codebook schemes: `k = 2^16` levels ([`crate::quant::codebook::kmeans::MAX_K`]).
pub const KMEANS_MAX_BITS: u32 = 16;

/// A quantization scheme and all its parameters: one flat, serialisable value.
///
/// Every field has a default (`#[serde(default)]`), so a link or a JSON file may name only
/// the fields it changes. Fields a scheme does not use are ignored by it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scheme {
    /// The family.
    pub scheme: SchemeKind,
    /// Bit width of a code: 1..=16 for linear, μ-law and A-law, 2..=8 for log2. Ignored by the formats that
    /// fix it ([`SchemeKind::fixed_bits`]).
    pub bits: u32,
    /// How the range maps to the grid (linear).
    pub mode: Mode,
    /// Signed or unsigned codes (linear).
    pub range: IntRange,
    /// Which values share a scale (linear; companding, G.711, log2, FP4 and FP8: the absmax
    /// that normalises).
    pub granularity: GranularityKind,
    /// Channel axis for per-channel granularity.
    pub axis: u32,
    /// Group size for per-group granularity.
    pub group_size: u32,
    /// The μ of μ-law companding, `μ > 0` (255 in G.711, 100 in older systems).
    pub mu: f64,
    /// The A of A-law companding, `A ≥ 1` (87.6 in G.711; `A = 1` is linear).
    pub a_law: f64,
    /// Values per block of NF4 (64 as in QLoRA); blocks run over the flat data.
    pub block_size: u32,
    /// Quantize the NF4 block scales again (QLoRA's double quantization).
    pub double_quant: bool,
    /// Which FP8 layout the `fp8` scheme uses.
    pub fp8: Fp8Format,
    /// How the linear scheme chooses the range it covers ([`crate::quant::linear::clipping`]): `minmax`
    /// (the data range, no clipping), `percentile` (cut the tails beyond
    /// [`Scheme::percentile`]) or `mse` (the threshold with the least total MSE).
    pub clip: ClipKind,
    /// The `p` of `clip = percentile`, 50 to 100 (default 99.9): asymmetric modes cover
    /// `[P_{100−p}(x), P_p(x)]`, symmetric ones `±P_p(|x|)`. An `f64` so that it prints as
    /// typed in URLs and JSON (`99.9`, not the `f32`'s `99.9000015…`); the clipping code
    /// takes it as `f32`.
    pub percentile: f64,
    /// Seed of the k-means++ start of the `kmeans` scheme; the same data, bits and seed
    /// always give the same codebook. (Not named `seed`: lab states that embed a scheme
    /// have their own `seed`, and the URL flattens both into one query string.)
    pub kmeans_seed: u64,
    /// Rotate before quantizing ([`crate::quant::rotation`]): a randomized Hadamard
    /// transform over each scale group, undone after, so outlier channels are spread over
    /// their groups. Applies where [`Scheme::rotation_applies`] (per-group granularity);
    /// ignored elsewhere. Needs a power-of-two group size that divides the rows.
    pub rotate: bool,
    /// Seed of the rotation's random signs (the only thing a rotation stores: 64 bits per
    /// tensor). Not named `seed`, like [`Scheme::kmeans_seed`].
    pub rotate_seed: u64,
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
            mu: 255.0,
            a_law: 87.6,
            block_size: 64,
            double_quant: false,
            fp8: Fp8Format::E4m3,
            clip: ClipKind::MinMax,
            // `clipping::DEFAULT_PERCENTILE`, written as the f64 literal.
            percentile: 99.9,
            kmeans_seed: 0,
            rotate: false,
            rotate_seed: 0,
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

    /// The clipping strategy of the linear scheme, from [`Scheme::clip`] and
    /// [`Scheme::percentile`].
    pub fn clip_strategy(&self) -> ClipStrategy {
        ClipStrategy {
            clip: self.clip,
            percentile: self.percentile as f32,
        }
    }

    /// Whether [`Scheme::rotate`] can apply: the scheme has per-group scales, i.e. it takes a
    /// granularity ([`SchemeDescriptor::granularity`], with its per-group scale layouts) and
    /// the granularity is per group. Blocks with layouts of their own (NF4, ggml, MX,
    /// NVFP4), codebooks and casts are not rotated.
    pub fn rotation_applies(&self) -> bool {
        let per_group = match self.granularity {
            GranularityKind::Group => true,
            GranularityKind::Tensor | GranularityKind::Channel => false,
        };
        let group_scales = match self.scheme.scales() {
            ScaleLayout::Affine | ScaleLayout::GroupAbsmax | ScaleLayout::MiniFloat => {
                self.scheme.uses_granularity()
            }
            ScaleLayout::None
            | ScaleLayout::GgmlBlock(_)
            | ScaleLayout::Nf4Block
            | ScaleLayout::Codebook
            | ScaleLayout::MxBlock(_)
            | ScaleLayout::Nvfp4Block => false,
        };
        per_group && group_scales
    }

    /// Whether this scheme rotates: [`Scheme::rotate`] is on and applies.
    pub fn rotates(&self) -> bool {
        self.rotate && self.rotation_applies()
    }

    /// The width of one code in bits: [`Scheme::bits`], or the width the format fixes.
    pub fn code_bits(&self) -> u32 {
        self.scheme.fixed_bits().unwrap_or(self.bits)
    }

    /// Checks the parameters this scheme uses, without looking at any data.
    ///
    /// Errors: bits outside [`SchemeKind::bits_range`], symmetric linear with 1 bit, a group
    /// size of 0 with per-group granularity, μ ≤ 0 or not finite, A < 1 or not finite, a block
    /// size of 0, a clipping percentile outside 50..=100 (linear with `clip = percentile`), a
    /// rotation over groups whose size is not a power of two.
    /// Parameters a scheme does not use are not checked.
    pub fn validate(&self) -> Result<()> {
        if self.scheme.fixed_bits().is_none() {
            let (min, max) = self.scheme.bits_range();
            check_bits(self.bits, min, max)?;
        }
        if self.scheme.uses_granularity()
            && self.granularity == GranularityKind::Group
            && self.group_size == 0
        {
            return Err(QuantError::GroupSizeZero);
        }
        if self.rotates() && !self.group_size.is_power_of_two() {
            return Err(QuantError::RotationNotPowerOfTwo {
                group: self.group_size as usize,
            });
        }
        match self.scheme {
            SchemeKind::Linear => {
                if self.mode == Mode::Sym && self.bits < 2 {
                    return Err(QuantError::SymmetricNeedsTwoBits);
                }
                self.clip_strategy().validate()?;
            }
            SchemeKind::MuLaw => {
                check_mu(self.mu)?;
            }
            SchemeKind::ALaw => {
                check_a_law(self.a_law)?;
            }
            SchemeKind::MuLawG711
            | SchemeKind::ALawG711
            | SchemeKind::Log2
            | SchemeKind::Fp4
            | SchemeKind::Fp8
            | SchemeKind::Fp16
            | SchemeKind::Bf16
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
            | SchemeKind::Nvfp4 => {}
            SchemeKind::Nf4 => {
                if self.block_size == 0 {
                    return Err(QuantError::InvalidParameter(
                        "the NF4 block size must be at least 1 (QLoRA uses 64)".into(),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_serialises_to_its_id() {
        for kind in SchemeKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.id()));
            let back: SchemeKind = serde_json::from_str(&json).unwrap();
            assert_eq!(back, kind);
            assert!(!kind.label().is_empty());
        }
        for f in Fp8Format::ALL {
            assert_eq!(
                serde_json::to_string(&f).unwrap(),
                format!("\"{}\"", f.id())
            );
        }
    }

    #[test]
    fn ggml_ids_also_accept_the_underscore_spelling() {
        let s: Scheme = serde_json::from_str(r#"{"scheme":"q4_0"}"#).unwrap();
        assert_eq!(s.scheme, SchemeKind::Q4_0);
        let s: Scheme = serde_json::from_str(r#"{"scheme":"q8-0"}"#).unwrap();
        assert_eq!(s.scheme, SchemeKind::Q8_0);
        let (s, w) = crate::url_state::from_query::<Scheme>("scheme=q4-1&fp8=e5m2&mu=100");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.scheme, SchemeKind::Q4_1);
        assert_eq!(s.fp8, Fp8Format::E5m2);
        assert_eq!(s.mu, 100.0);
    }

    #[test]
    fn fixed_width_formats_report_their_width() {
        for kind in SchemeKind::ALL {
            let (lo, hi) = kind.bits_range();
            assert!(lo <= hi, "{kind:?}");
            if let Some(b) = kind.fixed_bits() {
                assert_eq!((lo, hi), (b, b), "{kind:?}");
            }
        }
        let s = |scheme| Scheme {
            scheme,
            bits: 3,
            ..Scheme::default()
        };
        assert_eq!(s(SchemeKind::Nf4).code_bits(), 4);
        assert_eq!(s(SchemeKind::Fp8).code_bits(), 8);
        assert_eq!(s(SchemeKind::Bf16).code_bits(), 16);
        assert_eq!(s(SchemeKind::MuLaw).code_bits(), 3);
    }

    #[test]
    fn the_default_scheme_is_asymmetric_int8_per_tensor() {
        let s = Scheme::default();
        assert_eq!(s.scheme, SchemeKind::Linear);
        assert_eq!(s.bits, 8);
        assert_eq!(s.mode, Mode::Asym);
        assert_eq!(s.range, IntRange::Signed);
        assert_eq!(s.granularity, GranularityKind::Tensor);
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn a_scheme_with_missing_fields_takes_the_defaults() {
        let s: Scheme = serde_json::from_str(r#"{"scheme":"mu-law","bits":4}"#).unwrap();
        assert_eq!(s.scheme, SchemeKind::MuLaw);
        assert_eq!(s.bits, 4);
        assert_eq!(s.mu, 255.0);
        assert_eq!(s.a_law, 87.6);
        assert_eq!(s.block_size, 64);
        assert!(!s.double_quant);
        assert_eq!(s.fp8, Fp8Format::E4m3);
    }

    #[test]
    fn a_bad_clipping_percentile_is_a_clear_error_for_linear_only() {
        let s = Scheme {
            clip: ClipKind::Percentile,
            percentile: 40.0,
            ..Scheme::default()
        };
        assert!(s.validate().unwrap_err().to_string().contains("percentile"));
        // Other schemes ignore the clipping fields.
        let nf4 = Scheme {
            scheme: SchemeKind::Nf4,
            ..s
        };
        assert_eq!(nf4.validate(), Ok(()));
    }

    #[test]
    fn new_fields_round_trip_through_json_and_the_url() {
        let s = Scheme {
            scheme: SchemeKind::KMeans,
            bits: 3,
            clip: ClipKind::Mse,
            percentile: 99.0,
            kmeans_seed: 42,
            ..Scheme::default()
        };
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(r#""scheme":"kmeans""#), "{json}");
        assert!(json.contains(r#""clip":"mse""#), "{json}");
        assert_eq!(serde_json::from_str::<Scheme>(&json).unwrap(), s);
        let q = crate::url_state::to_query(&s);
        let (back, w) = crate::url_state::from_query::<Scheme>(&q);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(back, s);
        let (p, w) = crate::url_state::from_query::<Scheme>(
            "scheme=lloyd-max&clip=percentile&percentile=99.5&kmeans_seed=7",
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(p.scheme, SchemeKind::LloydMax);
        assert_eq!(p.clip_strategy(), ClipStrategy::percentile(99.5));
        assert_eq!(p.kmeans_seed, 7);
        let old: Scheme = serde_json::from_str(r#"{"scheme":"linear","bits":4}"#).unwrap();
        assert_eq!(old.clip, ClipKind::MinMax);
        assert_eq!(old.percentile, 99.9);
        assert_eq!(
            old.percentile as f32,
            crate::quant::linear::clipping::DEFAULT_PERCENTILE
        );
        assert_eq!(old.kmeans_seed, 0);
        // The percentile prints as typed in links.
        assert!(crate::url_state::to_query(&old).contains("percentile=99.9&"));
    }

    #[test]
    fn every_kind_names_only_real_fields_as_parameters() {
        let json = serde_json::to_value(Scheme::default()).unwrap();
        for kind in SchemeKind::ALL {
            for p in kind.parameters() {
                assert!(json.get(*p).is_some(), "{kind:?} names {p}");
            }
        }
    }

    #[test]
    fn an_old_link_without_rotate_does_not_rotate_and_rotate_round_trips() {
        let old: Scheme = serde_json::from_str(
            r#"{"scheme":"linear","bits":4,"granularity":"group","group_size":128}"#,
        )
        .unwrap();
        assert!(!old.rotate && !old.rotates());
        assert_eq!(old.rotate_seed, 0);
        let (q, w) = crate::url_state::from_query::<Scheme>("bits=4&granularity=group");
        assert!(w.is_empty(), "{w:?}");
        assert!(!q.rotate);
        let on = Scheme {
            rotate: true,
            rotate_seed: 9,
            ..old
        };
        let query = crate::url_state::to_query(&on);
        assert!(
            query.contains("rotate=true") && query.contains("rotate_seed=9"),
            "{query}"
        );
        let (back, w) = crate::url_state::from_query::<Scheme>(&query);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(back, on);
        assert!(back.rotates());
    }

    #[test]
    fn rotation_applies_exactly_to_per_group_scales() {
        for kind in SchemeKind::ALL {
            for granularity in [
                GranularityKind::Tensor,
                GranularityKind::Channel,
                GranularityKind::Group,
            ] {
                let s = Scheme {
                    scheme: kind,
                    granularity,
                    rotate: true,
                    ..Scheme::default()
                };
                let expected = granularity == GranularityKind::Group && kind.uses_granularity();
                assert_eq!(s.rotates(), expected, "{kind:?} {granularity:?}");
                assert!(!Scheme { rotate: false, ..s }.rotates());
            }
        }
        let bad = Scheme {
            granularity: GranularityKind::Group,
            group_size: 96,
            rotate: true,
            ..Scheme::default()
        };
        assert_eq!(
            bad.validate(),
            Err(QuantError::RotationNotPowerOfTwo { group: 96 })
        );
        // Ignored (and so not checked) where it does not apply.
        let tensor = Scheme {
            granularity: GranularityKind::Tensor,
            ..bad
        };
        assert_eq!(tensor.validate(), Ok(()));
    }
}
