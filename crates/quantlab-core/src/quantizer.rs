//! Schemes as data, and the [`Quantizer`] trait every scheme implements.
//!
//! A [`Scheme`] is a plain `Copy + serde` value: the UI, the URL and (later) the command
//! line all read and write the same struct, so there is one source of truth for what a
//! quantizer is. It is deliberately flat (every field a scalar or a unit enum) so that it
//! maps one-to-one onto query parameters.

use serde::{Deserialize, Serialize};

use crate::clipping::{ClipKind, ClipStrategy};
use crate::error::{QuantError, Result, check_bits};
use crate::granularity::GroupLayout;

/// Which family of quantizer.
///
/// The id ([`SchemeKind::id`]) is the name in URLs and JSON. Formats with a fixed code
/// width ([`SchemeKind::fixed_bits`]) ignore [`Scheme::bits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SchemeKind {
    /// Uniform (linear) quantization: [`crate::linear`].
    #[default]
    Linear,
    /// Continuous μ-law companding around a uniform quantizer: [`crate::mulaw`].
    MuLaw,
    /// Continuous A-law companding around a uniform quantizer: [`crate::alaw`].
    ALaw,
    /// The 8-bit G.711 μ-law codec on 16-bit PCM: [`crate::mulaw::G711Quantizer`].
    MuLawG711,
    /// The 8-bit G.711 A-law codec on 16-bit PCM: [`crate::mulaw::G711Quantizer`].
    ALawG711,
    /// Power-of-two levels `±2^k·s` (sign + exponent codes): [`crate::log2`].
    Log2,
    /// 4-bit NormalFloat with blockwise absmax and optional double quantization:
    /// [`crate::nf4`].
    Nf4,
    /// FP4 E2M1 with an absmax scale per group: [`crate::minifloat`].
    Fp4,
    /// FP8 (E4M3 or E5M2, see [`Scheme::fp8`]) with an absmax scale per group:
    /// [`crate::minifloat`].
    Fp8,
    /// IEEE half precision, a plain (saturating) cast: [`crate::minifloat`].
    Fp16,
    /// bfloat16, a plain (saturating) cast: [`crate::minifloat`].
    Bf16,
    /// ggml Q8_0 blocks (32 values, fp16 scale, 8.5 bits per value): [`crate::ggml`].
    #[serde(rename = "q8-0", alias = "q8_0")]
    Q8_0,
    /// ggml Q4_0 blocks (32 values, fp16 scale, 4.5 bits per value): [`crate::ggml`].
    #[serde(rename = "q4-0", alias = "q4_0")]
    Q4_0,
    /// ggml Q4_1 blocks (32 values, fp16 scale and min, 5.0 bits per value): [`crate::ggml`].
    #[serde(rename = "q4-1", alias = "q4_1")]
    Q4_1,
    /// k-means codebook with `k = 2^b` centroids placed by Lloyd's algorithm from a seeded
    /// k-means++ start ([`Scheme::kmeans_seed`]): `q = argmin_j |x − c_j|`, `x̂ = c_q`;
    /// [`crate::kmeans`].
    #[serde(rename = "kmeans", alias = "k-means")]
    KMeans,
    /// The exact optimal 1-D k-means codebook (`k = 2^b`, least `Σ (x − c_q)²`) by dynamic
    /// programming; [`crate::kmeans::optimal_1d`].
    #[serde(rename = "kmeans-optimal", alias = "k-means-optimal")]
    KMeansOptimal,
    /// Lloyd-Max levels fitted to the data (`L = 2^b`; thresholds at midpoints, levels at
    /// cell means, from a uniform start); [`crate::lloyd_max`].
    LloydMax,
}

impl SchemeKind {
    /// Every scheme, in the order menus list them.
    pub const ALL: [SchemeKind; 17] = [
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
        SchemeKind::KMeans,
        SchemeKind::KMeansOptimal,
        SchemeKind::LloydMax,
    ];

    /// The name used in URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            SchemeKind::Linear => "linear",
            SchemeKind::MuLaw => "mu-law",
            SchemeKind::ALaw => "a-law",
            SchemeKind::MuLawG711 => "mu-law-g711",
            SchemeKind::ALawG711 => "a-law-g711",
            SchemeKind::Log2 => "log2",
            SchemeKind::Nf4 => "nf4",
            SchemeKind::Fp4 => "fp4",
            SchemeKind::Fp8 => "fp8",
            SchemeKind::Fp16 => "fp16",
            SchemeKind::Bf16 => "bf16",
            SchemeKind::Q8_0 => "q8-0",
            SchemeKind::Q4_0 => "q4-0",
            SchemeKind::Q4_1 => "q4-1",
            SchemeKind::KMeans => "kmeans",
            SchemeKind::KMeansOptimal => "kmeans-optimal",
            SchemeKind::LloydMax => "lloyd-max",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            SchemeKind::Linear => "Linear (uniform)",
            SchemeKind::MuLaw => "μ-law (companding)",
            SchemeKind::ALaw => "A-law (companding)",
            SchemeKind::MuLawG711 => "G.711 μ-law (8-bit codec)",
            SchemeKind::ALawG711 => "G.711 A-law (8-bit codec)",
            SchemeKind::Log2 => "Power of two (log2)",
            SchemeKind::Nf4 => "NF4 (QLoRA NormalFloat)",
            SchemeKind::Fp4 => "FP4 E2M1",
            SchemeKind::Fp8 => "FP8 (E4M3 / E5M2)",
            SchemeKind::Fp16 => "FP16 (IEEE half)",
            SchemeKind::Bf16 => "BF16 (bfloat16)",
            SchemeKind::Q8_0 => "ggml Q8_0",
            SchemeKind::Q4_0 => "ggml Q4_0",
            SchemeKind::Q4_1 => "ggml Q4_1",
            SchemeKind::KMeans => "k-means (Lloyd, k-means++)",
            SchemeKind::KMeansOptimal => "k-means, exact optimum (DP)",
            SchemeKind::LloydMax => "Lloyd-Max (fitted to the data)",
        }
    }

    /// The code width of formats that fix it (G.711, FP8 and Q8_0: 8; NF4, FP4, Q4_0 and
    /// Q4_1: 4; fp16 and bf16: 16), `None` where [`Scheme::bits`] chooses it.
    pub fn fixed_bits(self) -> Option<u32> {
        match self {
            SchemeKind::Linear
            | SchemeKind::MuLaw
            | SchemeKind::ALaw
            | SchemeKind::Log2
            | SchemeKind::KMeans
            | SchemeKind::KMeansOptimal
            | SchemeKind::LloydMax => None,
            SchemeKind::MuLawG711 | SchemeKind::ALawG711 => Some(8),
            SchemeKind::Nf4 | SchemeKind::Fp4 | SchemeKind::Q4_0 | SchemeKind::Q4_1 => Some(4),
            SchemeKind::Fp8 | SchemeKind::Q8_0 => Some(8),
            SchemeKind::Fp16 | SchemeKind::Bf16 => Some(16),
        }
    }

    /// The bit widths this scheme accepts, `(min, max)`; a fixed-width format gives its
    /// width twice.
    pub fn bits_range(self) -> (u32, u32) {
        match self {
            SchemeKind::Linear => (crate::linear::MIN_BITS, crate::linear::MAX_BITS),
            SchemeKind::MuLaw | SchemeKind::ALaw => {
                (crate::mulaw::MIN_BITS, crate::mulaw::MAX_BITS)
            }
            SchemeKind::MuLawG711 | SchemeKind::ALawG711 => (8, 8),
            SchemeKind::Log2 => (crate::log2::MIN_BITS, crate::log2::MAX_BITS),
            SchemeKind::Nf4 | SchemeKind::Fp4 | SchemeKind::Q4_0 | SchemeKind::Q4_1 => (4, 4),
            SchemeKind::Fp8 | SchemeKind::Q8_0 => (8, 8),
            SchemeKind::Fp16 | SchemeKind::Bf16 => (16, 16),
            // k = 2^b centroids, up to `kmeans::MAX_K` = 2^16.
            SchemeKind::KMeans | SchemeKind::KMeansOptimal | SchemeKind::LloydMax => {
                (KMEANS_MIN_BITS, KMEANS_MAX_BITS)
            }
        }
    }

    /// The [`Scheme`] fields this scheme reads besides `scheme` and `bits` (the names of
    /// the URL parameters, JSON keys and command-line options).
    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            SchemeKind::Linear => &[
                "mode",
                "range",
                "granularity",
                "axis",
                "group_size",
                "clip",
                "percentile",
            ],
            SchemeKind::MuLaw => &["mu", "granularity", "axis", "group_size"],
            SchemeKind::ALaw => &["a_law", "granularity", "axis", "group_size"],
            SchemeKind::MuLawG711 | SchemeKind::ALawG711 | SchemeKind::Log2 | SchemeKind::Fp4 => {
                &["granularity", "axis", "group_size"]
            }
            SchemeKind::Fp8 => &["fp8", "granularity", "axis", "group_size"],
            SchemeKind::Nf4 => &["block_size", "double_quant"],
            SchemeKind::Fp16
            | SchemeKind::Bf16
            | SchemeKind::Q8_0
            | SchemeKind::Q4_0
            | SchemeKind::Q4_1
            | SchemeKind::KMeansOptimal
            | SchemeKind::LloydMax => &[],
            SchemeKind::KMeans => &["kmeans_seed"],
        }
    }
}

/// Fewest bits of the codebook schemes (k-means, Lloyd-Max): `k = 2^1 = 2` levels.
pub const KMEANS_MIN_BITS: u32 = 1;
/// Most bits of the codebook schemes: `k = 2^16` levels ([`crate::kmeans::MAX_K`]).
pub const KMEANS_MAX_BITS: u32 = 16;

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
    /// How the linear scheme chooses the range it covers ([`crate::clipping`]): `minmax`
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

    /// The width of one code in bits: [`Scheme::bits`], or the width the format fixes.
    pub fn code_bits(&self) -> u32 {
        self.scheme.fixed_bits().unwrap_or(self.bits)
    }

    /// Checks the parameters this scheme uses, without looking at any data.
    ///
    /// Errors: bits outside [`SchemeKind::bits_range`], symmetric linear with 1 bit, a group
    /// size of 0 with per-group granularity, μ ≤ 0 or not finite, A < 1 or not finite, a block
    /// size of 0, a clipping percentile outside 50..=100 (linear with `clip = percentile`).
    /// Parameters a scheme does not use are not checked.
    pub fn validate(&self) -> Result<()> {
        if self.scheme.fixed_bits().is_none() {
            let (min, max) = self.scheme.bits_range();
            check_bits(self.bits, min, max)?;
        }
        let uses_granularity = matches!(
            self.scheme,
            SchemeKind::Linear
                | SchemeKind::MuLaw
                | SchemeKind::ALaw
                | SchemeKind::MuLawG711
                | SchemeKind::ALawG711
                | SchemeKind::Log2
                | SchemeKind::Fp4
                | SchemeKind::Fp8
        );
        if uses_granularity && self.granularity == GranularityKind::Group && self.group_size == 0 {
            return Err(QuantError::GroupSizeZero);
        }
        match self.scheme {
            SchemeKind::Linear => {
                if self.mode == Mode::Sym && self.bits < 2 {
                    return Err(QuantError::SymmetricNeedsTwoBits);
                }
                self.clip_strategy().validate()?;
            }
            SchemeKind::MuLaw => {
                crate::mulaw::MuLaw::new(self.mu)?;
            }
            SchemeKind::ALaw => {
                crate::alaw::ALaw::new(self.a_law)?;
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
            | SchemeKind::KMeans
            | SchemeKind::KMeansOptimal
            | SchemeKind::LloydMax => {}
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

    /// Fits this scheme to `data` of the given `shape` (row-major; an empty shape means 1-D).
    ///
    /// Validates the parameters first ([`Scheme::validate`]), then the data (non-empty,
    /// finite, matching the shape).
    pub fn fit(&self, data: &[f32], shape: &[usize]) -> Result<Box<dyn Quantizer>> {
        self.validate()?;
        let g = self.granularity();
        Ok(match self.scheme {
            SchemeKind::Linear => Box::new(crate::linear::LinearQuantizer::fit(data, shape, self)?),
            SchemeKind::MuLaw => Box::new(crate::mulaw::CompandingQuantizer::fit(
                crate::mulaw::MuLaw::new(self.mu)?,
                self.bits,
                data,
                shape,
                g,
            )?),
            SchemeKind::ALaw => Box::new(crate::mulaw::CompandingQuantizer::fit(
                crate::alaw::ALaw::new(self.a_law)?,
                self.bits,
                data,
                shape,
                g,
            )?),
            SchemeKind::MuLawG711 => Box::new(crate::mulaw::G711Quantizer::fit(
                crate::mulaw::G711Law::MuLaw,
                data,
                shape,
                g,
            )?),
            SchemeKind::ALawG711 => Box::new(crate::mulaw::G711Quantizer::fit(
                crate::mulaw::G711Law::ALaw,
                data,
                shape,
                g,
            )?),
            SchemeKind::Log2 => {
                Box::new(crate::log2::Log2Quantizer::fit(self.bits, data, shape, g)?)
            }
            SchemeKind::Nf4 => Box::new(crate::nf4::Nf4Quantizer::fit(
                data,
                shape,
                self.block_size as usize,
                self.double_quant,
            )?),
            SchemeKind::Fp4 | SchemeKind::Fp8 | SchemeKind::Fp16 | SchemeKind::Bf16 => {
                use crate::minifloat::{FloatFormat, MiniFloatQuantizer};
                let format = match self.scheme {
                    SchemeKind::Fp4 => FloatFormat::E2m1,
                    SchemeKind::Fp8 => FloatFormat::from(self.fp8),
                    SchemeKind::Fp16 => FloatFormat::F16,
                    _ => FloatFormat::Bf16,
                };
                Box::new(MiniFloatQuantizer::fit(format, data, shape, g)?)
            }
            SchemeKind::Q8_0 | SchemeKind::Q4_0 | SchemeKind::Q4_1 => {
                use crate::ggml::{GgmlQuantizer, GgmlType};
                let ty = match self.scheme {
                    SchemeKind::Q8_0 => GgmlType::Q8_0,
                    SchemeKind::Q4_0 => GgmlType::Q4_0,
                    _ => GgmlType::Q4_1,
                };
                Box::new(GgmlQuantizer::fit(ty, data, shape)?)
            }
            SchemeKind::KMeans | SchemeKind::KMeansOptimal | SchemeKind::LloydMax => {
                // The codebook is per tensor; the shape is checked all the same.
                GroupLayout::new(Granularity::PerTensor, shape, data.len())?;
                let k = 1usize << self.bits;
                match self.scheme {
                    SchemeKind::KMeans => Box::new(crate::kmeans::KMeansQuantizer::fit(
                        data,
                        k,
                        self.kmeans_seed,
                    )?),
                    SchemeKind::KMeansOptimal => {
                        Box::new(crate::kmeans::KMeansQuantizer::fit_optimal(data, k)?)
                    }
                    _ => Box::new(crate::lloyd_max::LloydMaxQuantizer::fit(data, k)?),
                }
            }
        })
    }
}

/// The two FP8 layouts ([`crate::minifloat`]).
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
    /// Named figures of the fitted parameters for reports (the command line's summary):
    /// e.g. the linear scheme's smallest and largest scale `S` and zero-point `Z`, or a
    /// codebook's iterations. Names are `snake_case`; the default is no figures.
    fn describe(&self) -> Vec<(String, f64)> {
        Vec::new()
    }
}

/// How a value exactly halfway between two table entries is resolved by [`nearest_index`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tie {
    /// To the lower entry (smaller index).
    Lower,
    /// To the entry with the even index (round half to even on the index).
    Even,
}

/// Index of the entry of the ascending `table` nearest to `x`; `x` outside the table gives
/// the first or last index. An empty table gives 0.
///
/// Binary search: `O(log n)`. A tie (equal distance to two neighbours, computed in `f64`)
/// is resolved by `tie`.
pub fn nearest_index(table: &[f64], x: f64, tie: Tie) -> usize {
    let i = table.partition_point(|&t| t < x);
    if i == 0 {
        return 0;
    }
    if i >= table.len() {
        return table.len() - 1;
    }
    let below = x - table[i - 1];
    let above = table[i] - x;
    if below < above {
        i - 1
    } else if above < below {
        i
    } else {
        match tie {
            Tie::Lower => i - 1,
            Tie::Even => {
                if (i - 1) % 2 == 0 {
                    i - 1
                } else {
                    i
                }
            }
        }
    }
}

/// The error for a `quantize`/`dequantize` call on a length other than the fitted one.
pub(crate) fn check_len(expected: usize, actual: usize) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(QuantError::ShapeMismatch {
            shape: vec![expected],
            expected,
            actual,
        })
    }
}

/// `max |x|` of every scale group of `layout`, in `f64` (0 for an all-zero group).
pub(crate) fn group_absmax(layout: &GroupLayout, data: &[f32]) -> Vec<f64> {
    layout
        .min_max(data)
        .into_iter()
        .map(|(lo, hi)| lo.abs().max(hi.abs()))
        .collect()
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
            let q = crate::linear::LinearQuantizer::fit(&x, &[], &s).unwrap();
            let (lo, hi) = x
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(f64::from(v)), b.max(f64::from(v)))
                });
            let p = crate::linear::AffineParams::choose(lo, hi, 4, mode, IntRange::Signed).unwrap();
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
        let q = crate::linear::LinearQuantizer::fit(&x, &[8, 128], &s).unwrap();
        assert_eq!(q.params.len(), 8);
        for (g, p) in q.params.iter().enumerate() {
            let a = crate::clipping::percentile(
                &x[g * 128..(g + 1) * 128]
                    .iter()
                    .map(|v| v.abs())
                    .collect::<Vec<_>>(),
                90.0,
            )
            .unwrap();
            assert!((p.scale - a / 7.0).abs() <= 1e-12 * a.max(1.0), "group {g}");
        }
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
        assert_eq!(old.percentile as f32, crate::clipping::DEFAULT_PERCENTILE);
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
        assert!((d["scale_max"] - 5.875 / 127.0).abs() < 1e-12);
        assert_eq!(d["zero_point_min"], 0.0);
    }

    #[test]
    fn nearest_index_resolves_ties_as_asked() {
        let t = [0.0, 1.0, 2.0, 3.0];
        assert_eq!(nearest_index(&t, -5.0, Tie::Even), 0);
        assert_eq!(nearest_index(&t, 9.0, Tie::Even), 3);
        assert_eq!(nearest_index(&t, 1.2, Tie::Even), 1);
        assert_eq!(nearest_index(&t, 1.8, Tie::Lower), 2);
        assert_eq!(nearest_index(&t, 0.5, Tie::Lower), 0);
        assert_eq!(nearest_index(&t, 0.5, Tie::Even), 0);
        assert_eq!(nearest_index(&t, 1.5, Tie::Even), 2);
        assert_eq!(nearest_index(&t, 1.5, Tie::Lower), 1);
        assert_eq!(nearest_index(&t, 2.0, Tie::Lower), 2);
        assert_eq!(nearest_index(&[], 1.0, Tie::Lower), 0);
    }
}
