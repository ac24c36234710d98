//! Storage formats for weights and for the KV cache, with their real cost in bits.
//!
//! A quantized format stores more than its nominal bits: every block or group also carries
//! a scale (and sometimes a minimum). [`WeightFormat::bits_per_weight`] includes that
//! metadata, averaged over the weights it serves.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result};

/// How weights are stored.
///
/// Serialized as its [`id`](WeightFormat::id), a kebab-case string usable in a URL:
/// `"fp16"`, `"nf4-dq"`, `"q4-k"`, `"int2-g64"`. Parsing also accepts the labels' spelling
/// with underscores and any case (`"Q4_K"`, `"NF4"`).
///
/// Sources of the block layouts: bitsandbytes (NF4: blockwise absmax in fp32 over blocks of
/// 64; double quantization stores those absmax values in 8 bits with one fp32 constant per
/// 256 blocks) and ggml's `ggml-common.h` (`block_q8_0`: 32 × i8 + fp16 d = 34 B;
/// `block_q4_0`: 32 × 4 bit + fp16 d = 18 B; `block_q4_1`: + fp16 m = 20 B; `block_q4_K`:
/// 256 weights in 144 B; `block_q2_K`: 256 weights in 84 B).
#[allow(non_camel_case_types)] // Q8_0, Q4_K … are the names ggml users know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum WeightFormat {
    /// IEEE 754 single precision: 32 bits.
    Fp32,
    /// IEEE 754 half precision: 16 bits.
    Fp16,
    /// bfloat16 (8-bit exponent, 7-bit mantissa): 16 bits.
    Bf16,
    /// 8-bit float (E4M3/E5M2); a per-tensor scale is negligible: 8 bits.
    Fp8,
    /// 8-bit integer, the course's INT8; per-channel scales are negligible: 8 bits.
    Int8,
    /// 4-bit integer, the course's INT4, counted without scales: 4 bits.
    Int4,
    /// NormalFloat 4 with one fp32 absmax per block of 64: `4 + 32/64 = 4.5` bits.
    Nf4,
    /// NF4 with double quantization: `4 + 8/64 + 32/(64·256) ≈ 4.127` bits.
    Nf4Dq,
    /// ggml Q8_0: 32 int8 + one fp16 scale = 34 B per 32 weights = 8.5 bits.
    Q8_0,
    /// ggml Q4_0: 32 × 4 bits + one fp16 scale = 18 B per 32 weights = 4.5 bits.
    Q4_0,
    /// ggml Q4_1: 32 × 4 bits + fp16 scale + fp16 min = 20 B per 32 weights = 5.0 bits.
    Q4_1,
    /// ggml Q4_K: super-blocks of 256 weights in 144 B = 4.5 bits.
    Q4_K,
    /// ggml Q2_K: super-blocks of 256 weights in 84 B = 2.625 bits.
    Q2_K,
    /// Symmetric `bits`-bit integers with one fp16 scale per group of `group_size` weights:
    /// `bits + 16/group_size` bits (int2, g = 64 → 2.25). Id `int{bits}-g{group_size}`.
    IntGrouped {
        /// Bits per code, 1 to 8.
        bits: u8,
        /// Weights sharing one fp16 scale.
        group_size: NonZeroU32,
    },
}

impl WeightFormat {
    /// The formats a menu lists, in order (int2 with groups of 64 stands for the grouped
    /// family; build others with [`WeightFormat::int_grouped`]).
    pub const PRESETS: [WeightFormat; 14] = [
        WeightFormat::Fp32,
        WeightFormat::Fp16,
        WeightFormat::Bf16,
        WeightFormat::Fp8,
        WeightFormat::Int8,
        WeightFormat::Int4,
        WeightFormat::Nf4,
        WeightFormat::Nf4Dq,
        WeightFormat::Q8_0,
        WeightFormat::Q4_0,
        WeightFormat::Q4_1,
        WeightFormat::Q4_K,
        WeightFormat::Q2_K,
        WeightFormat::IntGrouped {
            bits: 2,
            group_size: NonZeroU32::MIN.saturating_add(63),
        },
    ];

    /// The five formats of the course's table, in its column order.
    pub const COURSE: [WeightFormat; 5] = [
        WeightFormat::Fp32,
        WeightFormat::Fp16,
        WeightFormat::Bf16,
        WeightFormat::Int8,
        WeightFormat::Int4,
    ];

    /// A grouped integer format: `bits` in 1..=8, `group_size` ≥ 1.
    pub fn int_grouped(bits: u8, group_size: u32) -> Result<Self> {
        if !(1..=8).contains(&bits) {
            return Err(QuantError::BitsOutOfRange {
                bits: u32::from(bits),
                min: 1,
                max: 8,
            });
        }
        let group_size = NonZeroU32::new(group_size).ok_or(QuantError::GroupSizeZero)?;
        Ok(WeightFormat::IntGrouped { bits, group_size })
    }

    /// The kebab-case id used in URLs and JSON.
    pub fn id(self) -> String {
        match self {
            WeightFormat::Fp32 => "fp32".into(),
            WeightFormat::Fp16 => "fp16".into(),
            WeightFormat::Bf16 => "bf16".into(),
            WeightFormat::Fp8 => "fp8".into(),
            WeightFormat::Int8 => "int8".into(),
            WeightFormat::Int4 => "int4".into(),
            WeightFormat::Nf4 => "nf4".into(),
            WeightFormat::Nf4Dq => "nf4-dq".into(),
            WeightFormat::Q8_0 => "q8-0".into(),
            WeightFormat::Q4_0 => "q4-0".into(),
            WeightFormat::Q4_1 => "q4-1".into(),
            WeightFormat::Q4_K => "q4-k".into(),
            WeightFormat::Q2_K => "q2-k".into(),
            WeightFormat::IntGrouped { bits, group_size } => format!("int{bits}-g{group_size}"),
        }
    }

    /// A human label: `"FP16"`, `"NF4 + double quant"`, `"Q4_K"`, `"INT2 (g = 64)"`.
    pub fn label(self) -> String {
        match self {
            WeightFormat::Fp32 => "FP32".into(),
            WeightFormat::Fp16 => "FP16".into(),
            WeightFormat::Bf16 => "BF16".into(),
            WeightFormat::Fp8 => "FP8".into(),
            WeightFormat::Int8 => "INT8".into(),
            WeightFormat::Int4 => "INT4".into(),
            WeightFormat::Nf4 => "NF4".into(),
            WeightFormat::Nf4Dq => "NF4 + double quant".into(),
            WeightFormat::Q8_0 => "Q8_0".into(),
            WeightFormat::Q4_0 => "Q4_0".into(),
            WeightFormat::Q4_1 => "Q4_1".into(),
            WeightFormat::Q4_K => "Q4_K".into(),
            WeightFormat::Q2_K => "Q2_K".into(),
            WeightFormat::IntGrouped { bits, group_size } => {
                format!("INT{bits} (g = {group_size})")
            }
        }
    }

    /// Average storage per weight in bits, metadata (scales, minimums) included.
    pub fn bits_per_weight(self) -> f64 {
        match self {
            WeightFormat::Fp32 => 32.0,
            WeightFormat::Fp16 | WeightFormat::Bf16 => 16.0,
            WeightFormat::Fp8 | WeightFormat::Int8 => 8.0,
            WeightFormat::Int4 => 4.0,
            WeightFormat::Nf4 => 4.0 + 32.0 / 64.0,
            WeightFormat::Nf4Dq => 4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0),
            WeightFormat::Q8_0 => 34.0 * 8.0 / 32.0,
            WeightFormat::Q4_0 => 18.0 * 8.0 / 32.0,
            WeightFormat::Q4_1 => 20.0 * 8.0 / 32.0,
            WeightFormat::Q4_K => 144.0 * 8.0 / 256.0,
            WeightFormat::Q2_K => 84.0 * 8.0 / 256.0,
            WeightFormat::IntGrouped { bits, group_size } => {
                f64::from(bits) + 16.0 / f64::from(group_size.get())
            }
        }
    }

    /// Average storage per weight in bytes: `bits_per_weight / 8`.
    pub fn bytes_per_weight(self) -> f64 {
        self.bits_per_weight() / 8.0
    }

    /// How the bits per weight come about, values substituted:
    /// `"4 + 8/64 + 32/(64·256) = 4.127 bits"`.
    pub fn bits_formula(self) -> String {
        let how = match self {
            WeightFormat::Nf4 => "4 + 32/64 (fp32 absmax per block of 64)".to_string(),
            WeightFormat::Nf4Dq => {
                "4 + 8/64 + 32/(64·256) (8-bit absmax per 64, fp32 per 256 blocks)".to_string()
            }
            WeightFormat::Q8_0 => "34 B · 8 / 32 weights".to_string(),
            WeightFormat::Q4_0 => "18 B · 8 / 32 weights".to_string(),
            WeightFormat::Q4_1 => "20 B · 8 / 32 weights".to_string(),
            WeightFormat::Q4_K => "144 B · 8 / 256 weights".to_string(),
            WeightFormat::Q2_K => "84 B · 8 / 256 weights".to_string(),
            WeightFormat::IntGrouped { bits, group_size } => {
                format!("{bits} + 16/{group_size} (fp16 scale per group of {group_size})")
            }
            _ => return format!("{} bits", format_bits(self.bits_per_weight())),
        };
        format!("{how} = {} bits", format_bits(self.bits_per_weight()))
    }

    /// Checks the fields of a hand-built value (the grouped variant's bit width).
    pub fn validate(self) -> Result<()> {
        if let WeightFormat::IntGrouped { bits, .. } = self {
            crate::error::check_bits(u32::from(bits), 1, 8)?;
        }
        Ok(())
    }
}

fn format_bits(bits: f64) -> String {
    super::units::format_decimal(bits)
}

impl fmt::Display for WeightFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

impl FromStr for WeightFormat {
    type Err = QuantError;

    fn from_str(s: &str) -> Result<Self> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        let fixed = match norm.as_str() {
            "fp32" | "f32" => Some(WeightFormat::Fp32),
            "fp16" | "f16" => Some(WeightFormat::Fp16),
            "bf16" => Some(WeightFormat::Bf16),
            "fp8" | "f8" => Some(WeightFormat::Fp8),
            "int8" => Some(WeightFormat::Int8),
            "int4" => Some(WeightFormat::Int4),
            "nf4" => Some(WeightFormat::Nf4),
            "nf4-dq" => Some(WeightFormat::Nf4Dq),
            "q8-0" => Some(WeightFormat::Q8_0),
            "q4-0" => Some(WeightFormat::Q4_0),
            "q4-1" => Some(WeightFormat::Q4_1),
            "q4-k" => Some(WeightFormat::Q4_K),
            "q2-k" => Some(WeightFormat::Q2_K),
            _ => None,
        };
        if let Some(f) = fixed {
            return Ok(f);
        }
        // int{bits}-g{group}
        let grouped = norm
            .strip_prefix("int")
            .and_then(|rest| rest.split_once("-g"))
            .and_then(|(b, g)| Some((b.parse::<u8>().ok()?, g.parse::<u32>().ok()?)));
        match grouped {
            Some((bits, group)) => WeightFormat::int_grouped(bits, group),
            None => Err(QuantError::InvalidParameter(format!(
                "unknown weight format \"{s}\": use one of fp32, fp16, bf16, fp8, int8, int4, nf4, nf4-dq, q8-0, q4-0, q4-1, q4-k, q2-k or int<bits>-g<group> (e.g. int2-g64)"
            ))),
        }
    }
}

impl TryFrom<String> for WeightFormat {
    type Error = QuantError;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<WeightFormat> for String {
    fn from(f: WeightFormat) -> String {
        f.id()
    }
}

/// How the KV cache stores keys and values (scale overhead of int8/int4 caches ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum KvCacheDtype {
    /// 4 bytes per element.
    Fp32,
    /// 2 bytes per element: the usual default.
    #[default]
    Fp16,
    /// 2 bytes per element.
    Bf16,
    /// 1 byte per element.
    Fp8,
    /// 1 byte per element.
    Int8,
    /// Half a byte per element.
    Int4,
}

impl KvCacheDtype {
    /// Every KV dtype, in menu order.
    pub const ALL: [KvCacheDtype; 6] = [
        KvCacheDtype::Fp32,
        KvCacheDtype::Fp16,
        KvCacheDtype::Bf16,
        KvCacheDtype::Fp8,
        KvCacheDtype::Int8,
        KvCacheDtype::Int4,
    ];

    /// The kebab-case id used in URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            KvCacheDtype::Fp32 => "fp32",
            KvCacheDtype::Fp16 => "fp16",
            KvCacheDtype::Bf16 => "bf16",
            KvCacheDtype::Fp8 => "fp8",
            KvCacheDtype::Int8 => "int8",
            KvCacheDtype::Int4 => "int4",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            KvCacheDtype::Fp32 => "FP32",
            KvCacheDtype::Fp16 => "FP16",
            KvCacheDtype::Bf16 => "BF16",
            KvCacheDtype::Fp8 => "FP8",
            KvCacheDtype::Int8 => "INT8",
            KvCacheDtype::Int4 => "INT4",
        }
    }

    /// Bytes per cached element: 4, 2, 2, 1, 1 or 0.5.
    pub fn bytes(self) -> f64 {
        match self {
            KvCacheDtype::Fp32 => 4.0,
            KvCacheDtype::Fp16 | KvCacheDtype::Bf16 => 2.0,
            KvCacheDtype::Fp8 | KvCacheDtype::Int8 => 1.0,
            KvCacheDtype::Int4 => 0.5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_from_str() {
        for f in WeightFormat::PRESETS {
            assert_eq!(f.id().parse::<WeightFormat>().ok(), Some(f), "{f:?}");
        }
    }

    #[test]
    fn ggml_labels_parse_too() {
        assert_eq!(
            "Q4_K".parse::<WeightFormat>().ok(),
            Some(WeightFormat::Q4_K)
        );
        assert_eq!("NF4".parse::<WeightFormat>().ok(), Some(WeightFormat::Nf4));
    }

    #[test]
    fn bad_ids_are_errors() {
        assert!("int2-g0".parse::<WeightFormat>().is_err());
        assert!("int9-g64".parse::<WeightFormat>().is_err());
        assert!("fp7".parse::<WeightFormat>().is_err());
        assert!("int-g".parse::<WeightFormat>().is_err());
    }
}
