//! The leaf data types of the quantizers: plain `Copy + serde` values that schemes,
//! families and the registry all share. Nothing here knows any quantizer.

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result};
use crate::pack::packed_len;

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

/// Which values share one scale (and zero-point), as stored in a [`Scheme`](crate::quant::scheme::Scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum GranularityKind {
    /// One scale for the whole tensor.
    #[default]
    Tensor,
    /// One scale per index along [`Scheme::axis`](crate::quant::scheme::Scheme::axis).
    Channel,
    /// One scale per [`Scheme::group_size`](crate::quant::scheme::Scheme::group_size) consecutive values along the last axis.
    Group,
}

/// Granularity with its parameter, resolved from a [`Scheme`](crate::quant::scheme::Scheme).
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

/// The two FP8 layouts ([`crate::quant::minifloat`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Fp8Format {
    /// 4 exponent bits, 3 mantissa bits, OCP "fn" variant: max 448, no infinities.
    #[default]
    E4m3,
    /// 5 exponent bits, 2 mantissa bits, IEEE-like: max 57344, with infinities.
    E5m2,
}

impl Fp8Format {
    /// Both layouts, in menu order.
    pub const ALL: [Fp8Format; 2] = [Fp8Format::E4m3, Fp8Format::E5m2];

    /// The name used in URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Fp8Format::E4m3 => "e4m3",
            Fp8Format::E5m2 => "e5m2",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Fp8Format::E4m3 => "E4M3 (max 448)",
            Fp8Format::E5m2 => "E5M2 (max 57344)",
        }
    }
}

/// How a value exactly halfway between two table entries is resolved by [`nearest_index`](crate::quant::kernel::nearest_index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tie {
    /// To the lower entry (smaller index).
    Lower,
    /// To the entry with the even index (round half to even on the index).
    Even,
}

/// The default percentile of the `percentile` strategy.
pub const DEFAULT_PERCENTILE: f32 = 99.9;

/// How the clip range is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ClipKind {
    /// The full data range: no clipping.
    #[default]
    #[serde(rename = "minmax")]
    MinMax,
    /// Cut the tails beyond a percentile ([`ClipStrategy::percentile`]).
    Percentile,
    /// The threshold with the least total MSE.
    Mse,
}

impl ClipKind {
    /// Every strategy, in menu order.
    pub const ALL: [ClipKind; 3] = [ClipKind::MinMax, ClipKind::Percentile, ClipKind::Mse];

    /// The name used in URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            ClipKind::MinMax => "minmax",
            ClipKind::Percentile => "percentile",
            ClipKind::Mse => "mse",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            ClipKind::MinMax => "Min-max (no clipping)",
            ClipKind::Percentile => "Percentile",
            ClipKind::Mse => "MSE-optimal",
        }
    }
}

/// A clipping strategy: a flat `Copy + serde` value.
///
/// The fields are named `clip` and `percentile` (rather than `kind`) so that the struct can
/// be flattened into a [`crate::quant::scheme::Scheme`] or a URL without a clash:
/// `clip=percentile&percentile=99.9`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClipStrategy {
    /// Which strategy.
    pub clip: ClipKind,
    /// The `p` of the `percentile` strategy, 50 to 100 (ignored by the others).
    pub percentile: f32,
}

impl Default for ClipStrategy {
    fn default() -> Self {
        ClipStrategy {
            clip: ClipKind::MinMax,
            percentile: DEFAULT_PERCENTILE,
        }
    }
}

impl ClipStrategy {
    /// `minmax`.
    pub fn min_max() -> Self {
        ClipStrategy::default()
    }

    /// `percentile` with `p`.
    pub fn percentile(p: f32) -> Self {
        ClipStrategy {
            clip: ClipKind::Percentile,
            percentile: p,
        }
    }

    /// `mse`.
    pub fn mse() -> Self {
        ClipStrategy {
            clip: ClipKind::Mse,
            ..ClipStrategy::default()
        }
    }

    /// Checks the percentile when the strategy uses it.
    pub fn validate(&self) -> Result<()> {
        if self.clip == ClipKind::Percentile {
            check_percentile(f64::from(self.percentile))?;
        }
        Ok(())
    }
}

fn check_percentile(p: f64) -> Result<()> {
    if p.is_finite() && (50.0..=100.0).contains(&p) {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "the clipping percentile must be between 50 and 100, not {p}"
        )))
    }
}

/// Values per block of the 32-value ggml types (`QK8_0 = QK4_0 = QK4_1 = QK5_0 = QK5_1 =
/// QK4_NL = 32` in ggml).
pub const QK: usize = 32;
/// Values per super-block of the K-quants (`QK_K = 256` in ggml).
pub const QK_K: usize = 256;

/// Bytes of a ggml Q8_0 block ([`crate::quant::ggml::BlockQ8_0`]): 2 + 32 = 34.
pub const Q8_0_BYTES: usize = 2 + packed_len(QK, 8);
/// Bytes of a ggml Q4_0 block ([`crate::quant::ggml::BlockQ4_0`]): 2 + 16 = 18.
pub const Q4_0_BYTES: usize = 2 + packed_len(QK, 4);
/// Bytes of a ggml Q4_1 block ([`crate::quant::ggml::BlockQ4_1`]): 2 + 2 + 16 = 20.
pub const Q4_1_BYTES: usize = 4 + packed_len(QK, 4);
/// Bytes of a ggml Q5_0 block ([`crate::quant::ggml::BlockQ5_0`]): 2 + 4 + 16 = 22.
pub const Q5_0_BYTES: usize = 2 + packed_len(QK, 5);
/// Bytes of a ggml Q5_1 block ([`crate::quant::ggml::BlockQ5_1`]): 2 + 2 + 4 + 16 = 24.
pub const Q5_1_BYTES: usize = 4 + packed_len(QK, 5);
/// Bytes of a ggml IQ4_NL block ([`crate::quant::ggml::BlockIq4Nl`]): 2 + 16 = 18.
pub const IQ4_NL_BYTES: usize = 2 + packed_len(QK, 4);
/// Bytes of a ggml Q2_K super-block ([`crate::quant::ggml::BlockQ2K`]): 16 + 64 + 2 + 2 = 84.
pub const Q2_K_BYTES: usize = QK_K / 16 + packed_len(QK_K, 2) + 4;
/// Bytes of a ggml Q3_K super-block ([`crate::quant::ggml::BlockQ3K`]): 32 + 64 + 12 + 2 = 110.
pub const Q3_K_BYTES: usize = packed_len(QK_K, 3) + 12 + 2;
/// Bytes of a ggml Q4_K super-block ([`crate::quant::ggml::BlockQ4K`]): 2 + 2 + 12 + 128 = 144.
pub const Q4_K_BYTES: usize = 4 + 12 + packed_len(QK_K, 4);
/// Bytes of a ggml Q5_K super-block ([`crate::quant::ggml::BlockQ5K`]): 2 + 2 + 12 + 32 + 128 = 176.
pub const Q5_K_BYTES: usize = 4 + 12 + packed_len(QK_K, 5);
/// Bytes of a ggml Q6_K super-block ([`crate::quant::ggml::BlockQ6K`]): 128 + 64 + 16 + 2 = 210.
pub const Q6_K_BYTES: usize = packed_len(QK_K, 6) + QK_K / 16 + 2;
/// Bytes of a ggml Q8_K super-block ([`crate::quant::ggml::BlockQ8K`]): 4 + 256 + 32 = 292.
pub const Q8_K_BYTES: usize = 4 + packed_len(QK_K, 8) + 2 * (QK_K / 16);

/// Which ggml block type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GgmlType {
    /// 8-bit codes, fp16 scale.
    Q8_0,
    /// 4-bit codes, fp16 scale, offset 8.
    Q4_0,
    /// 4-bit codes, fp16 scale and minimum.
    Q4_1,
    /// 5-bit codes, fp16 scale, offset 16.
    Q5_0,
    /// 5-bit codes, fp16 scale and minimum.
    Q5_1,
    /// 4-bit indices into the fixed non-linear table of 16 levels, fp16 scale.
    #[allow(non_camel_case_types)]
    IQ4_NL,
    /// K-quant: 2-bit codes, 16 sub-blocks of 16 with 4-bit scales and mins.
    #[allow(non_camel_case_types)]
    Q2_K,
    /// K-quant: 3-bit codes, 16 sub-blocks of 16 with signed 6-bit scales.
    #[allow(non_camel_case_types)]
    Q3_K,
    /// K-quant: 4-bit codes, 8 sub-blocks of 32 with 6-bit scales and mins.
    #[allow(non_camel_case_types)]
    Q4_K,
    /// K-quant: 5-bit codes, 8 sub-blocks of 32 with 6-bit scales and mins.
    #[allow(non_camel_case_types)]
    Q5_K,
    /// K-quant: 6-bit codes, 16 sub-blocks of 16 with signed 8-bit scales.
    #[allow(non_camel_case_types)]
    Q6_K,
    /// K-quant for dot products: 8-bit codes, an `f32` scale and 16 sums of 16 codes.
    #[allow(non_camel_case_types)]
    Q8_K,
}

impl GgmlType {
    /// Every type, legacy blocks first.
    pub const ALL: [GgmlType; 12] = [
        GgmlType::Q8_0,
        GgmlType::Q4_0,
        GgmlType::Q4_1,
        GgmlType::Q5_0,
        GgmlType::Q5_1,
        GgmlType::IQ4_NL,
        GgmlType::Q2_K,
        GgmlType::Q3_K,
        GgmlType::Q4_K,
        GgmlType::Q5_K,
        GgmlType::Q6_K,
        GgmlType::Q8_K,
    ];

    /// ggml's name: `Q4_K`, `IQ4_NL`, …
    pub fn name(self) -> &'static str {
        match self {
            GgmlType::Q8_0 => "Q8_0",
            GgmlType::Q4_0 => "Q4_0",
            GgmlType::Q4_1 => "Q4_1",
            GgmlType::Q5_0 => "Q5_0",
            GgmlType::Q5_1 => "Q5_1",
            GgmlType::IQ4_NL => "IQ4_NL",
            GgmlType::Q2_K => "Q2_K",
            GgmlType::Q3_K => "Q3_K",
            GgmlType::Q4_K => "Q4_K",
            GgmlType::Q5_K => "Q5_K",
            GgmlType::Q6_K => "Q6_K",
            GgmlType::Q8_K => "Q8_K",
        }
    }

    /// Bytes per block: 34, 18, 20, 22, 24, 18 for the 32-value blocks; 84, 110, 144, 176,
    /// 210, 292 for the 256-value super-blocks.
    pub fn block_bytes(self) -> usize {
        match self {
            GgmlType::Q8_0 => Q8_0_BYTES,
            GgmlType::Q4_0 => Q4_0_BYTES,
            GgmlType::Q4_1 => Q4_1_BYTES,
            GgmlType::Q5_0 => Q5_0_BYTES,
            GgmlType::Q5_1 => Q5_1_BYTES,
            GgmlType::IQ4_NL => IQ4_NL_BYTES,
            GgmlType::Q2_K => Q2_K_BYTES,
            GgmlType::Q3_K => Q3_K_BYTES,
            GgmlType::Q4_K => Q4_K_BYTES,
            GgmlType::Q5_K => Q5_K_BYTES,
            GgmlType::Q6_K => Q6_K_BYTES,
            GgmlType::Q8_K => Q8_K_BYTES,
        }
    }

    /// What one block holds, in words (for formulas and reports), e.g. "blocks of 32 values
    /// with an fp16 scale".
    pub fn layout_words(self) -> &'static str {
        match self {
            GgmlType::Q8_0 | GgmlType::Q4_0 | GgmlType::Q5_0 => {
                "blocks of 32 values with an fp16 scale"
            }
            GgmlType::Q4_1 | GgmlType::Q5_1 => {
                "blocks of 32 values with an fp16 scale and fp16 minimum"
            }
            GgmlType::IQ4_NL => {
                "blocks of 32 values with an fp16 scale times a 16-level non-linear table"
            }
            GgmlType::Q2_K => {
                "super-blocks of 256 values: 16 sub-blocks of 16 with 4-bit scales and mins under fp16 d and dmin"
            }
            GgmlType::Q3_K => {
                "super-blocks of 256 values: 16 sub-blocks of 16 with signed 6-bit scales under an fp16 d"
            }
            GgmlType::Q4_K | GgmlType::Q5_K => {
                "super-blocks of 256 values: 8 sub-blocks of 32 with 6-bit scales and mins under fp16 d and dmin"
            }
            GgmlType::Q6_K => {
                "super-blocks of 256 values: 16 sub-blocks of 16 with signed 8-bit scales under an fp16 d"
            }
            GgmlType::Q8_K => "blocks of 256 values with an f32 scale and 16 sums of 16 codes",
        }
    }

    /// Values per block: [`QK`] = 32, or [`QK_K`] = 256 for the K-quants.
    pub fn block_values(self) -> usize {
        match self {
            GgmlType::Q8_0
            | GgmlType::Q4_0
            | GgmlType::Q4_1
            | GgmlType::Q5_0
            | GgmlType::Q5_1
            | GgmlType::IQ4_NL => QK,
            GgmlType::Q2_K
            | GgmlType::Q3_K
            | GgmlType::Q4_K
            | GgmlType::Q5_K
            | GgmlType::Q6_K
            | GgmlType::Q8_K => QK_K,
        }
    }

    /// Values sharing one (sub-)scale: the block for the 32-value types and Q8_K, 16 for
    /// Q2_K, Q3_K and Q6_K, 32 for Q4_K and Q5_K.
    pub fn sub_block_values(self) -> usize {
        match self {
            GgmlType::Q2_K | GgmlType::Q3_K | GgmlType::Q6_K => 16,
            GgmlType::Q4_K | GgmlType::Q5_K => 32,
            GgmlType::Q8_0
            | GgmlType::Q4_0
            | GgmlType::Q4_1
            | GgmlType::Q5_0
            | GgmlType::Q5_1
            | GgmlType::IQ4_NL
            | GgmlType::Q8_K => self.block_values(),
        }
    }

    /// Bits per code: 8, 4, 4, 5, 5, 4, 2, 3, 4, 5, 6, 8.
    pub fn code_bits(self) -> u32 {
        match self {
            GgmlType::Q2_K => 2,
            GgmlType::Q3_K => 3,
            GgmlType::Q4_0 | GgmlType::Q4_1 | GgmlType::IQ4_NL | GgmlType::Q4_K => 4,
            GgmlType::Q5_0 | GgmlType::Q5_1 | GgmlType::Q5_K => 5,
            GgmlType::Q6_K => 6,
            GgmlType::Q8_0 | GgmlType::Q8_K => 8,
        }
    }

    /// The codes a quantizer of this type hands out, `(lowest, highest)`: Q8_0 `−127..=127`,
    /// Q8_K `−128..=127`, every other type `0..=2^b − 1`.
    pub fn code_range(self) -> (i32, i32) {
        match self {
            GgmlType::Q8_0 => (-127, 127),
            GgmlType::Q8_K => (-128, 127),
            GgmlType::Q4_0
            | GgmlType::Q4_1
            | GgmlType::Q5_0
            | GgmlType::Q5_1
            | GgmlType::IQ4_NL
            | GgmlType::Q2_K
            | GgmlType::Q3_K
            | GgmlType::Q4_K
            | GgmlType::Q5_K
            | GgmlType::Q6_K => (0, (1 << self.code_bits()) - 1),
        }
    }

    /// Bits per value of whole blocks, `8·bytes/values`: 8.5, 4.5, 5.0, 5.5, 6.0, 4.5 and
    /// 2.625, 3.4375, 4.5, 5.5, 6.5625, 9.125.
    pub fn bits_per_value(self) -> f64 {
        8.0 * self.block_bytes() as f64 / self.block_values() as f64
    }
}

/// Values per block of the OCP MX formats (the spec's `k = 32`).
pub const MX_BLOCK: usize = 32;
/// Values per block of NVFP4.
pub const NVFP4_BLOCK: usize = 16;
/// Bytes of one NVFP4 block ([`crate::quant::mx::Nvfp4Block`]): an E4M3 scale byte and 16
/// E2M1 codes in 8 bytes, 1 + 8 = 9 (4.5 bits per value before the fp32 tensor scale).
pub const NVFP4_BLOCK_BYTES: usize = 1 + packed_len(NVFP4_BLOCK, 4);

/// The element type of an OCP Microscaling (MX v1.0) format: each block of
/// [`MX_BLOCK`] elements shares one E8M0 scale ([`crate::quant::mx`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MxElement {
    /// MXFP8 with FP8 E4M3 elements (max 448).
    Fp8E4m3,
    /// MXFP8 with FP8 E5M2 elements (max 57344).
    Fp8E5m2,
    /// MXFP6 with FP6 E3M2 elements (max 28).
    Fp6E3m2,
    /// MXFP6 with FP6 E2M3 elements (max 7.5).
    Fp6E2m3,
    /// MXFP4 with FP4 E2M1 elements (max 6).
    Fp4E2m1,
    /// MXINT8: 8-bit two's complement elements with an implicit scale of 2^−6.
    Int8,
}

impl MxElement {
    /// Every element type, widest first.
    pub const ALL: [MxElement; 6] = [
        MxElement::Fp8E4m3,
        MxElement::Fp8E5m2,
        MxElement::Fp6E3m2,
        MxElement::Fp6E2m3,
        MxElement::Fp4E2m1,
        MxElement::Int8,
    ];

    /// Bits per element: 8, 8, 6, 6, 4, 8.
    pub const fn bits(self) -> u32 {
        match self {
            MxElement::Fp8E4m3 | MxElement::Fp8E5m2 | MxElement::Int8 => 8,
            MxElement::Fp6E3m2 | MxElement::Fp6E2m3 => 6,
            MxElement::Fp4E2m1 => 4,
        }
    }

    /// `emax_elem`, the exponent of the element type's largest power of two (the MX spec's
    /// table of element types): 8, 15, 4, 2, 2 and 0 for INT8.
    pub const fn emax(self) -> i32 {
        match self {
            MxElement::Fp8E4m3 => 8,
            MxElement::Fp8E5m2 => 15,
            MxElement::Fp6E3m2 => 4,
            MxElement::Fp6E2m3 | MxElement::Fp4E2m1 => 2,
            MxElement::Int8 => 0,
        }
    }

    /// Bytes of one block: the E8M0 scale byte and 32 packed elements, `1 + 32·bits/8`:
    /// 33, 33, 25, 25, 17, 33.
    pub const fn block_bytes(self) -> usize {
        1 + packed_len(MX_BLOCK, self.bits())
    }

    /// Bits per value of whole blocks, `8·bytes/32`: 8.25, 6.25, 4.25 and 8.25 (MXINT8).
    pub fn bits_per_value(self) -> f64 {
        8.0 * self.block_bytes() as f64 / MX_BLOCK as f64
    }

    /// The format's name: `MXFP8 E4M3`, …, `MXINT8`.
    pub const fn name(self) -> &'static str {
        match self {
            MxElement::Fp8E4m3 => "MXFP8 E4M3",
            MxElement::Fp8E5m2 => "MXFP8 E5M2",
            MxElement::Fp6E3m2 => "MXFP6 E3M2",
            MxElement::Fp6E2m3 => "MXFP6 E2M3",
            MxElement::Fp4E2m1 => "MXFP4 E2M1",
            MxElement::Int8 => "MXINT8",
        }
    }
}

// The block sizes of the MX formats and NVFP4, checked at compile time.
const _: () = assert!(MxElement::Fp8E4m3.block_bytes() == 33);
const _: () = assert!(MxElement::Fp6E3m2.block_bytes() == 25);
const _: () = assert!(MxElement::Fp4E2m1.block_bytes() == 17);
const _: () = assert!(MxElement::Int8.block_bytes() == 33);
const _: () = assert!(NVFP4_BLOCK_BYTES == 9);
