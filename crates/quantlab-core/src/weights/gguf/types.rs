//! The ggml tensor types a GGUF file names: id, name, block geometry, and how quantlab
//! decodes each.

use serde::{Deserialize, Serialize};

use crate::quant::types::GgmlType;

/// A ggml tensor type of a GGUF file: its id, name and block geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GgufType {
    /// ggml's type id (`GGML_TYPE_Q4_K` = 12, …).
    pub id: u32,
}

/// `(id, name, values per block, bytes per block)` of every type ggml defines today.
const TYPES: &[(u32, &str, u32, u32)] = &[
    (0, "F32", 1, 4),
    (1, "F16", 1, 2),
    (2, "Q4_0", 32, 18),
    (3, "Q4_1", 32, 20),
    (6, "Q5_0", 32, 22),
    (7, "Q5_1", 32, 24),
    (8, "Q8_0", 32, 34),
    (9, "Q8_1", 32, 40),
    (10, "Q2_K", 256, 84),
    (11, "Q3_K", 256, 110),
    (12, "Q4_K", 256, 144),
    (13, "Q5_K", 256, 176),
    (14, "Q6_K", 256, 210),
    (15, "Q8_K", 256, 292),
    (16, "IQ2_XXS", 256, 66),
    (17, "IQ2_XS", 256, 74),
    (18, "IQ3_XXS", 256, 98),
    (19, "IQ1_S", 256, 50),
    (20, "IQ4_NL", 32, 18),
    (21, "IQ3_S", 256, 110),
    (22, "IQ2_S", 256, 82),
    (23, "IQ4_XS", 256, 136),
    (24, "I8", 1, 1),
    (25, "I16", 1, 2),
    (26, "I32", 1, 4),
    (27, "I64", 1, 8),
    (28, "F64", 1, 8),
    (29, "IQ1_M", 256, 56),
    (30, "BF16", 1, 2),
    (34, "TQ1_0", 256, 54),
    (35, "TQ2_0", 256, 66),
    (39, "MXFP4", 32, 17),
    (40, "NVFP4", 64, 36),
    (41, "Q1_0", 128, 18),
];

/// How a type's bytes become `f32` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoder {
    /// IEEE single.
    F32,
    /// IEEE half.
    F16,
    /// bfloat16.
    Bf16,
    /// IEEE double.
    F64,
    /// A ggml block type quantlab implements.
    Block(GgmlType),
    /// ggml's MXFP4: an E8M0 exponent and 32 E2M1 codes.
    Mxfp4,
    /// ggml's NVFP4: four UE4M3 scales and 64 E2M1 codes.
    Nvfp4,
}

impl GgufType {
    fn row(self) -> Option<&'static (u32, &'static str, u32, u32)> {
        TYPES.iter().find(|t| t.0 == self.id)
    }

    /// Whether ggml defines this id.
    pub fn known(self) -> bool {
        self.row().is_some()
    }

    /// ggml's name (`Q4_K`), or `type 99` for an id ggml does not define.
    pub fn name(self) -> String {
        self.row()
            .map(|t| t.1.to_string())
            .unwrap_or_else(|| format!("type {}", self.id))
    }

    /// Values per block (1 for plain numbers); `None` for an unknown id.
    pub fn block_values(self) -> Option<u64> {
        self.row().map(|t| u64::from(t.2))
    }

    /// Bytes per block; `None` for an unknown id.
    pub fn block_bytes(self) -> Option<u64> {
        self.row().map(|t| u64::from(t.3))
    }

    /// Bytes that `n` values take, `None` when `n` is not a whole number of blocks (or the
    /// id is unknown, or the size overflows).
    pub fn bytes_for(self, n: u64) -> Option<u64> {
        let (bv, bb) = (self.block_values()?, self.block_bytes()?);
        n.is_multiple_of(bv).then(|| (n / bv).checked_mul(bb))?
    }

    /// How quantlab decodes it, `None` when it does not.
    pub fn decoder(self) -> Option<Decoder> {
        let ggml = |t| Some(Decoder::Block(t));
        match self.id {
            0 => Some(Decoder::F32),
            1 => Some(Decoder::F16),
            28 => Some(Decoder::F64),
            30 => Some(Decoder::Bf16),
            2 => ggml(GgmlType::Q4_0),
            3 => ggml(GgmlType::Q4_1),
            6 => ggml(GgmlType::Q5_0),
            7 => ggml(GgmlType::Q5_1),
            8 => ggml(GgmlType::Q8_0),
            10 => ggml(GgmlType::Q2_K),
            11 => ggml(GgmlType::Q3_K),
            12 => ggml(GgmlType::Q4_K),
            13 => ggml(GgmlType::Q5_K),
            14 => ggml(GgmlType::Q6_K),
            15 => ggml(GgmlType::Q8_K),
            20 => ggml(GgmlType::IQ4_NL),
            39 => Some(Decoder::Mxfp4),
            40 => Some(Decoder::Nvfp4),
            _ => None,
        }
    }
}
