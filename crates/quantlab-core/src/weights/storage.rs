//! What a quantized tensor costs to store: codes **plus** scales and zero-points.
//!
//! For `N` weights in `G` scale groups with `b`-bit codes and `s`-bit scales
//! ([`ScaleDtype`]):
//!
//! | scheme | metadata per group | bits per weight |
//! |---|---|---|
//! | linear `sym`, `mid-rise` | scale | `b + G·s/N` |
//! | linear `asym` (integer `Z`) | scale + `b`-bit zero-point | `b + G·(s + b)/N` |
//! | linear `asym-float` (real offset) | scale + offset | `b + 2·G·s/N` |
//! | FP4, FP8, μ-law, A-law, G.711, log2 | absmax scale | `b + G·s/N` |
//! | k-means, Lloyd-Max | a codebook of `2^b` entries per tensor | `b + 2^b·s/N` |
//! | NF4 | fp32 absmax per block (double quantization: see [`crate::quant::nf4`]) | [`crate::quant::nf4::nf4_bits_per_value`] |
//! | ggml Q8_0 / Q4_0 / Q4_1 / Q5_0 / Q5_1 / IQ4_NL | fixed blocks of 32 (fp16 scale, Q4_1 and Q5_1 also an fp16 min) | 8.5 / 4.5 / 5.0 / 5.5 / 6.0 / 4.5 |
//! | ggml Q2_K / Q3_K / Q4_K / Q5_K / Q6_K / Q8_K | super-blocks of 256 (quantized sub-block scales under fp16 super-scales) | 2.625 / 3.4375 / 4.5 / 5.5 / 6.5625 / 9.125 |
//! | MXFP8 / MXFP6 / MXFP4 / MXINT8 | fixed blocks of 32 (an E8M0 byte) | 8.25 / 6.25 / 4.25 / 8.25 |
//! | NVFP4 | fixed blocks of 16 (an E4M3 byte), one fp32 tensor scale | `4.5 + 32/N` |
//! | fp16, bf16 | none | 16 |
//!
//! A rotated scheme ([`Scheme::rotates`], [`crate::quant::rotation`]) stores nothing more
//! than its own codes and scales, except the rotation's seed: 64 bits per tensor
//! ([`Storage::rotation_bits`]), so int4 g128 with rotation costs `4.125 + 64/N`.
//!
//! So int4 with groups of 128 and fp16 scales costs `4 + 16/128 = 4.125` bits per weight,
//! and `4.15625` asymmetric (a 4-bit zero-point per group too).
//!
//! Packed bytes: codes take `⌈N·b/8⌉` bytes ([`crate::pack::packed_len`]), the metadata
//! `⌈G·bits/8⌉`. Everything here depends on shapes only, so a whole file is sized without
//! reading its data ([`file_size`]).

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::pack::packed_len;
use crate::quant::granularity::GroupLayout;
use crate::quant::nf4::nf4_bits_per_value;
use crate::quant::rotation::ROTATION_SEED_BITS;
use crate::quant::scheme::{ScaleLayout, Scheme};
use crate::quant::types::{Granularity, Mode};
use crate::quant::types::{MX_BLOCK, NVFP4_BLOCK, NVFP4_BLOCK_BYTES};

/// How scales (and real zero-points, codebooks) are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ScaleDtype {
    /// 32-bit float.
    Fp32,
    /// IEEE half (the common choice: GPTQ, AWQ, ggml).
    #[default]
    Fp16,
    /// bfloat16.
    Bf16,
}

impl ScaleDtype {
    /// Every choice, in menu order.
    pub const ALL: [ScaleDtype; 3] = [ScaleDtype::Fp32, ScaleDtype::Fp16, ScaleDtype::Bf16];

    /// The name in URLs.
    pub fn id(self) -> &'static str {
        match self {
            ScaleDtype::Fp32 => "fp32",
            ScaleDtype::Fp16 => "fp16",
            ScaleDtype::Bf16 => "bf16",
        }
    }

    /// Bits of one stored scale.
    pub fn bits(self) -> u32 {
        match self {
            ScaleDtype::Fp32 => 32,
            ScaleDtype::Fp16 | ScaleDtype::Bf16 => 16,
        }
    }

    /// `v` as stored (rounded to nearest even in the format; fp16 saturates at ±65504).
    pub fn round(self, v: f64) -> f64 {
        match self {
            ScaleDtype::Fp32 => f64::from(v as f32),
            ScaleDtype::Fp16 => {
                let h = crate::quant::kernel::f16_from_f64(v);
                if h.is_infinite() {
                    f64::from(half::f16::MAX) * v.signum()
                } else {
                    h.to_f64()
                }
            }
            ScaleDtype::Bf16 => crate::quant::kernel::bf16_from_f64(v).to_f64(),
        }
    }
}

/// The storage cost of one tensor under one scheme.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Storage {
    /// Number of weights `N`.
    pub count: usize,
    /// Bits of one code `b`.
    pub code_bits: u32,
    /// Scale groups `G` (blocks for NF4 and ggml, 1 for a per-tensor codebook, 0 for a cast).
    pub groups: usize,
    /// Bytes of the packed codes.
    pub code_bytes: u64,
    /// Bytes of the scales, zero-points, codebooks.
    pub meta_bytes: u64,
    /// Bits per weight including the metadata: `8·(code + meta bytes)/N`, exact for ggml
    /// and NF4, and `b + G·meta bits/N` for the others.
    pub bits_per_weight: f64,
    /// Of the metadata, the bits of the rotation's seed (64 when the scheme rotates, else
    /// 0): the only storage a rotation adds.
    #[serde(default)]
    pub rotation_bits: u32,
}

impl Storage {
    /// All the bytes.
    pub fn total_bytes(&self) -> u64 {
        self.code_bytes + self.meta_bytes
    }

    /// `4·N`: the same tensor in fp32.
    pub fn fp32_bytes(&self) -> u64 {
        4 * self.count as u64
    }

    /// `2·N`: the same tensor in fp16.
    pub fn fp16_bytes(&self) -> u64 {
        2 * self.count as u64
    }
}

/// The scale groups `scheme` uses on `shape` (`N` values; an empty shape is 1-D).
///
/// Errors: the shape does not hold `N` values, an axis out of range, a group size of 0.
pub fn groups(scheme: &Scheme, shape: &[usize], n: usize) -> Result<usize> {
    let g = match scheme.scheme.scales() {
        ScaleLayout::Nf4Block => n.div_ceil((scheme.block_size as usize).max(1)),
        ScaleLayout::GgmlBlock(ty) => n.div_ceil(ty.block_values()),
        ScaleLayout::MxBlock(_) => n.div_ceil(MX_BLOCK),
        ScaleLayout::Nvfp4Block => n.div_ceil(NVFP4_BLOCK),
        ScaleLayout::Codebook => 1,
        ScaleLayout::None => 0,
        ScaleLayout::GroupAbsmax | ScaleLayout::MiniFloat | ScaleLayout::Affine => {
            GroupLayout::new(scheme.granularity(), shape, n)?.num_groups()
        }
    };
    // Check the shape for every scheme.
    GroupLayout::new(Granularity::PerTensor, shape, n)?;
    Ok(g)
}

/// Bits of metadata per scale group of a linear scheme: the scale, plus the zero-point.
pub fn linear_meta_bits(mode: Mode, bits: u32, scale: ScaleDtype) -> u32 {
    scale.bits()
        + match mode {
            Mode::Sym | Mode::MidRise => 0,
            Mode::Asym => bits,
            Mode::AsymFloat => scale.bits(),
        }
}

/// The storage of `N` values of `shape` under `scheme`, scales stored as `scale`.
pub fn storage(scheme: &Scheme, shape: &[usize], n: usize, scale: ScaleDtype) -> Result<Storage> {
    let groups = groups(scheme, shape, n)?;
    let b = scheme.code_bits();
    let code_bytes = packed_len(n, b) as u64;
    let meta_bits: u64 = match scheme.scheme.scales() {
        ScaleLayout::Affine => groups as u64 * u64::from(linear_meta_bits(scheme.mode, b, scale)),
        ScaleLayout::Nf4Block => {
            let bpw = nf4_bits_per_value(n, scheme.block_size as usize, scheme.double_quant);
            // The module's exact count, less the codes.
            ((bpw * n as f64).round() as u64).saturating_sub(8 * code_bytes)
        }
        ScaleLayout::GgmlBlock(block) => {
            // Whole blocks: the last one is padded to 32 (K-quants: 256) values.
            let total = 8 * (groups * block.block_bytes()) as u64;
            total.saturating_sub(8 * code_bytes)
        }
        ScaleLayout::Codebook => (1u64 << b) * u64::from(scale.bits()),
        ScaleLayout::MxBlock(element) => {
            // Whole blocks of 32 with their E8M0 byte.
            let total = 8 * (groups * element.block_bytes()) as u64;
            total.saturating_sub(8 * code_bytes)
        }
        ScaleLayout::Nvfp4Block => {
            // Whole blocks of 16 with their E4M3 byte, and the f32 tensor scale.
            let total = 8 * (groups * NVFP4_BLOCK_BYTES) as u64 + 32;
            total.saturating_sub(8 * code_bytes)
        }
        ScaleLayout::None => 0,
        ScaleLayout::GroupAbsmax | ScaleLayout::MiniFloat => {
            groups as u64 * u64::from(scale.bits())
        }
    };
    let rotation_bits = if scheme.rotates() {
        ROTATION_SEED_BITS
    } else {
        0
    };
    let meta_bits = meta_bits + u64::from(rotation_bits);
    let meta_bytes = meta_bits.div_ceil(8);
    let bits_per_weight = if n == 0 {
        0.0
    } else {
        (8 * code_bytes + meta_bits) as f64 / n as f64
    };
    Ok(Storage {
        count: n,
        code_bits: b,
        groups,
        code_bytes,
        meta_bytes,
        bits_per_weight,
        rotation_bits,
    })
}

/// Bits per weight of a [`Storage`] broken down by what the bits hold; the four parts sum
/// to [`Storage::bits_per_weight`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BitsBreakdown {
    /// The codes (ggml: the codes' bits, high bits included).
    pub codes: f64,
    /// The scales (and zero-points, mins) of each block or group: linear `S` and `Z`, the
    /// absmax of a group, NF4's absmax (its 8-bit code under double quantization), ggml's
    /// `d` (and `m`) or a K-quant's sub-block scales and mins, MX's E8M0 and NVFP4's E4M3
    /// bytes.
    pub block_scales: f64,
    /// Scales of the scales: a K-quant's fp16 super-block `d` (and `dmin`), NF4's `f32`
    /// scale of every 256 absmax codes.
    pub nested_scales: f64,
    /// One scale for the whole tensor: NVFP4's `f32` `s₂`, NF4's double-quantization mean,
    /// a codebook's levels.
    pub tensor_scale: f64,
}

/// The breakdown of [`storage`] (same arguments, same errors).
pub fn breakdown(
    scheme: &Scheme,
    shape: &[usize],
    n: usize,
    scale: ScaleDtype,
) -> Result<BitsBreakdown> {
    let st = storage(scheme, shape, n, scale)?;
    let per = |bits: f64| if n == 0 { 0.0 } else { bits / n as f64 };
    let codes = per(8.0 * st.code_bytes as f64);
    let meta = st.bits_per_weight - codes;
    let blocks = st.groups as f64;
    let (nested, tensor) = match scheme.scheme.scales() {
        ScaleLayout::GgmlBlock(ty) => {
            use crate::quant::types::GgmlType;
            let super_bits = match ty {
                GgmlType::Q2_K | GgmlType::Q4_K | GgmlType::Q5_K => 32.0,
                GgmlType::Q3_K | GgmlType::Q6_K => 16.0,
                GgmlType::Q8_0
                | GgmlType::Q4_0
                | GgmlType::Q4_1
                | GgmlType::Q5_0
                | GgmlType::Q5_1
                | GgmlType::IQ4_NL
                | GgmlType::Q8_K => 0.0,
            };
            (per(super_bits * blocks), 0.0)
        }
        ScaleLayout::Nf4Block if scheme.double_quant => (
            per(32.0 * st.groups.div_ceil(crate::quant::nf4::DQ_BLOCK) as f64),
            per(32.0),
        ),
        ScaleLayout::Nvfp4Block => (0.0, per(32.0)),
        ScaleLayout::Codebook => (0.0, meta),
        ScaleLayout::Nf4Block
        | ScaleLayout::None
        | ScaleLayout::GroupAbsmax
        | ScaleLayout::MiniFloat
        | ScaleLayout::Affine
        | ScaleLayout::MxBlock(_) => (0.0, 0.0),
    };
    Ok(BitsBreakdown {
        codes,
        block_scales: (meta - nested - tensor).max(0.0),
        nested_scales: nested,
        tensor_scale: tensor,
    })
}

/// One tensor of a file, for [`file_size`].
#[derive(Debug, Clone, PartialEq)]
pub struct FileTensor {
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its bytes as stored.
    pub stored_bytes: u64,
    /// Whether the scheme applies: a float tensor of two or more dimensions. Others (biases,
    /// norms, integer tensors) are kept as stored, as quantization tools do.
    pub quantized: bool,
}

/// The size of a whole file under `scheme`: quantized tensors at their [`storage`], the
/// others as stored, plus `header_bytes`. Returns `(bytes, quantized tensor count)`.
pub fn file_size(
    scheme: &Scheme,
    tensors: &[FileTensor],
    header_bytes: u64,
    scale: ScaleDtype,
) -> Result<(u64, usize)> {
    let mut total = header_bytes;
    let mut quantized = 0;
    for t in tensors {
        let n = t
            .shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .unwrap_or(0);
        if t.quantized && n > 0 {
            total += storage(scheme, &t.shape, n, scale)?.total_bytes();
            quantized += 1;
        } else {
            total += t.stored_bytes;
        }
    }
    Ok((total, quantized))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::quant::scheme::SchemeKind;
    use crate::quant::types::GranularityKind;

    fn int(bits: u32, mode: Mode, granularity: GranularityKind, group_size: u32) -> Scheme {
        Scheme {
            bits,
            mode,
            granularity,
            group_size,
            ..Scheme::default()
        }
    }

    /// The descriptor's "scales stored as applies" is exactly where the dtype changes
    /// the storage.
    #[test]
    fn the_scale_dtype_applies_exactly_where_it_changes_the_storage() {
        for kind in SchemeKind::ALL {
            let s = Scheme {
                scheme: kind,
                bits: kind.fixed_bits().unwrap_or(4),
                granularity: GranularityKind::Group,
                group_size: 64,
                ..Scheme::default()
            };
            let shape = [16, 256];
            let size = |d| storage(&s, &shape, 16 * 256, d).unwrap().total_bytes();
            let changes = size(ScaleDtype::Fp32) != size(ScaleDtype::Fp16);
            assert_eq!(
                kind.scales().fixed_scale_storage().is_none(),
                changes,
                "{}: {:?}",
                kind.id(),
                kind.scales().fixed_scale_storage()
            );
        }
    }

    #[test]
    fn int4_groups_of_128_with_fp16_scales_cost_4_125_bits() {
        let s = int(4, Mode::Sym, GranularityKind::Group, 128);
        let st = storage(&s, &[256, 1024], 256 * 1024, ScaleDtype::Fp16).unwrap();
        assert_eq!(st.groups, 2048);
        assert_eq!(st.bits_per_weight, 4.125);
        assert_eq!(st.code_bytes, 128 * 1024);
        assert_eq!(st.meta_bytes, 2048 * 2);
        // Asymmetric adds a 4-bit zero-point per group; fp32 scales double the scale cost.
        let a = int(4, Mode::Asym, GranularityKind::Group, 128);
        assert_eq!(
            storage(&a, &[256, 1024], 256 * 1024, ScaleDtype::Fp16)
                .unwrap()
                .bits_per_weight,
            4.15625
        );
        assert_eq!(
            storage(&s, &[256, 1024], 256 * 1024, ScaleDtype::Fp32)
                .unwrap()
                .bits_per_weight,
            4.25
        );
        for (g, bpw) in [(32, 4.5), (64, 4.25)] {
            let s = int(4, Mode::Sym, GranularityKind::Group, g);
            assert_eq!(
                storage(&s, &[8, 256], 2048, ScaleDtype::Fp16)
                    .unwrap()
                    .bits_per_weight,
                bpw
            );
        }
    }

    #[test]
    fn per_channel_and_per_tensor_int8_overheads() {
        let ch = int(8, Mode::Sym, GranularityKind::Channel, 0);
        let st = storage(&ch, &[4096, 4096], 4096 * 4096, ScaleDtype::Fp32).unwrap();
        assert_eq!(st.groups, 4096);
        assert_eq!(st.bits_per_weight, 8.0 + 32.0 / 4096.0);
        let t = int(8, Mode::AsymFloat, GranularityKind::Tensor, 0);
        let st = storage(&t, &[10], 10, ScaleDtype::Fp16).unwrap();
        assert_eq!(st.bits_per_weight, 8.0 + 32.0 / 10.0);
        assert_eq!(st.total_bytes(), 14);
        assert_eq!(st.fp32_bytes(), 40);
        assert_eq!(st.fp16_bytes(), 20);
    }

    #[test]
    fn fixed_formats_match_their_published_sizes() {
        let k = |scheme| Scheme {
            scheme,
            ..Scheme::default()
        };
        let n = 4096 * 256;
        let bpw = |s: Scheme| {
            storage(&s, &[4096, 256], n, ScaleDtype::Fp16)
                .unwrap()
                .bits_per_weight
        };
        assert_eq!(bpw(k(SchemeKind::Q8_0)), 8.5);
        assert_eq!(bpw(k(SchemeKind::Q4_0)), 4.5);
        assert_eq!(bpw(k(SchemeKind::Q4_1)), 5.0);
        assert_eq!(bpw(k(SchemeKind::Nf4)), 4.5);
        let dq = bpw(Scheme {
            double_quant: true,
            ..k(SchemeKind::Nf4)
        });
        assert!((dq - 4.127).abs() < 0.001, "{dq}");
        assert_eq!(bpw(k(SchemeKind::Bf16)), 16.0);
        let km = Scheme {
            scheme: SchemeKind::KMeans,
            bits: 4,
            ..Scheme::default()
        };
        assert_eq!(bpw(km), 4.0 + 16.0 * 16.0 / n as f64);
        let fp4 = Scheme {
            granularity: GranularityKind::Group,
            group_size: 32,
            ..k(SchemeKind::Fp4)
        };
        assert_eq!(bpw(fp4), 4.5);
    }

    #[test]
    fn the_breakdown_sums_to_the_bits_per_weight_for_every_scheme() {
        for kind in SchemeKind::ALL {
            for dq in [false, true] {
                let s = Scheme {
                    scheme: kind,
                    bits: kind.fixed_bits().unwrap_or(4),
                    granularity: GranularityKind::Group,
                    group_size: 128,
                    double_quant: dq,
                    ..Scheme::default()
                };
                let (shape, n) = ([48, 512], 48 * 512);
                let st = storage(&s, &shape, n, ScaleDtype::Fp16).unwrap();
                let b = breakdown(&s, &shape, n, ScaleDtype::Fp16).unwrap();
                let sum = b.codes + b.block_scales + b.nested_scales + b.tensor_scale;
                assert!(
                    (sum - st.bits_per_weight).abs() < 1e-12,
                    "{kind:?}: {b:?} vs {}",
                    st.bits_per_weight
                );
                assert!(b.block_scales >= 0.0, "{kind:?}");
            }
        }
        let k = |scheme| {
            breakdown(
                &Scheme {
                    scheme,
                    ..Scheme::default()
                },
                &[16, 256],
                4096,
                ScaleDtype::Fp16,
            )
            .unwrap()
        };
        // Q4_K: 4 code bits, 12 bytes of 6-bit sub-scales and mins, fp16 d and dmin per 256.
        assert_eq!(
            k(SchemeKind::Q4K),
            BitsBreakdown {
                codes: 4.0,
                block_scales: 0.375,
                nested_scales: 0.125,
                tensor_scale: 0.0
            }
        );
        // NVFP4: an E4M3 byte per 16, an f32 per tensor.
        assert_eq!(
            k(SchemeKind::Nvfp4),
            BitsBreakdown {
                codes: 4.0,
                block_scales: 0.5,
                nested_scales: 0.0,
                tensor_scale: 32.0 / 4096.0
            }
        );
        assert_eq!(k(SchemeKind::Mxfp4).block_scales, 0.25);
    }

    #[test]
    fn scales_round_to_their_format() {
        assert_eq!(
            ScaleDtype::Fp16.round(1.0 / 3.0),
            crate::quant::kernel::f16_from_f64(1.0 / 3.0).to_f64()
        );
        assert_eq!(ScaleDtype::Fp16.round(1e6), 65504.0);
        assert_eq!(ScaleDtype::Bf16.round(1.0 + 1.0 / 512.0), 1.0);
        assert_eq!(ScaleDtype::Fp32.round(0.1), f64::from(0.1f32));
    }

    #[test]
    fn a_scale_rounds_once_to_fp16_and_bf16_on_every_machine() {
        // Just above the midpoint of 1 and the next fp16 (1 + 2⁻¹⁰): the nearest fp16 is
        // 1 + 2⁻¹⁰. Going through f32 first (what the F16C instructions need, and what the
        // hardware path of `half::f16::from_f64` does) loses the 2⁻⁴⁰, lands on the tie and
        // rounds to even, 1. The web build never took that path, so the page and the CLI
        // disagreed on such scales.
        let v = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
        assert_eq!(ScaleDtype::Fp16.round(v), 1.0 + 2f64.powi(-10));
        assert_eq!(f64::from(v as f32), 1.0 + 2f64.powi(-11));
        // bf16 (7 fraction bits): the same case one format down.
        let b = 1.0 + 2f64.powi(-8) + 2f64.powi(-40);
        assert_eq!(ScaleDtype::Bf16.round(b), 1.0 + 2f64.powi(-7));
    }

    #[test]
    fn a_file_keeps_its_vectors_and_quantizes_its_matrices() {
        let s = int(4, Mode::Sym, GranularityKind::Group, 128);
        let tensors = [
            FileTensor {
                shape: vec![256, 1024],
                stored_bytes: 4 * 256 * 1024,
                quantized: true,
            },
            FileTensor {
                shape: vec![256],
                stored_bytes: 1024,
                quantized: false,
            },
        ];
        let (bytes, q) = file_size(&s, &tensors, 100, ScaleDtype::Fp16).unwrap();
        assert_eq!(q, 1);
        assert_eq!(bytes, 100 + 1024 + 128 * 1024 + 4096);
        assert!(
            storage(
                &int(8, Mode::Sym, GranularityKind::Channel, 0),
                &[3],
                4,
                ScaleDtype::Fp16
            )
            .is_err()
        );
    }
}
