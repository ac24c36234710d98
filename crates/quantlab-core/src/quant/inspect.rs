//! The block inspector's data: one block of a fitted quantizer decoded in numbers — its
//! stored bytes, the decode of its (nested) scales step by step, and every element's code,
//! reconstruction and error ([`BlockDecode`]).
//!
//! A leaf: every family fills a [`BlockDecode`] from its own fields
//! ([`Quantizer::inspect`](crate::quant::quantizer::Quantizer::inspect)), with the helpers
//! here. A *block* is the unit that owns a scale: a ggml block (32 values) or super-block
//! (256), an MX block (32), an NVFP4 block (16), an NF4 block, a scale group of the
//! granularity (linear, companding, log2, FP4/FP8), and the whole tensor for a codebook or
//! a plain cast.
//!
//! Formulas are symbolic and language-neutral (`d·sc_3`, `X·P`): the page words the label
//! of each [`StepKind`] and prints the numbers in its own locale.

use serde::Serialize;

use crate::error::{QuantError, Result};
use crate::pack::packed_len;

/// Most elements one [`BlockDecode`] lists (a larger block is shown as a window of it).
pub const MAX_ELEMENTS: usize = 256;

/// What one decode step computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// The one scale of the whole tensor (NVFP4's `f32` `s₂`).
    TensorScale,
    /// The stored scale of the block (ggml's `d`, MX's E8M0 `X`, NVFP4's E4M3 `s_b`).
    BlockScale,
    /// The scale the elements are multiplied by, when it is a product of stored scales.
    EffectiveScale,
    /// A K-quant's super-block scale `d` (fp16).
    SuperScale,
    /// A K-quant's super-block scale of the mins `dmin` (fp16).
    SuperMin,
    /// A sub-block's quantized scale and its value.
    SubScale,
    /// A sub-block's quantized min and its value.
    SubMin,
    /// A stored minimum (ggml Q4_1, Q5_1).
    Min,
    /// The linear step `S`, as stored.
    Step,
    /// The linear zero-point `Z`.
    ZeroPoint,
    /// The linear real offset (the group's stored minimum, `asym-float`).
    Offset,
    /// The absmax that normalises the group (companding, log2, G.711, FP4/FP8, NF4).
    Absmax,
    /// NF4 double quantization: the 8-bit code of the block's absmax.
    AbsmaxCode,
    /// NF4 double quantization: the `f32` scale of the 256 absmax codes.
    SecondScale,
    /// NF4 double quantization: the mean of all absmax values.
    AbsmaxMean,
    /// The scale that maps the format's grid onto the data (`absmax / max of the format`).
    GridScale,
    /// One level of a codebook (k-means, Lloyd-Max) or a table (NF4, IQ4_NL).
    Level,
    /// The element format of a cast (fp16, bf16): no scale.
    Cast,
}

/// One step of a block's decode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecodeStep {
    /// What it computes.
    pub kind: StepKind,
    /// Which one, where there are several (sub-block `j`, level `k`).
    pub index: Option<usize>,
    /// The stored field's raw bits and their width, `None` for a derived number.
    pub raw: Option<(u64, u32)>,
    /// The formula, symbolic (`d·sc_3`), no decimal numbers in it.
    pub formula: String,
    /// The decoded number.
    pub value: f64,
}

impl DecodeStep {
    /// A step from a stored field.
    pub fn stored(
        kind: StepKind,
        index: Option<usize>,
        raw: u64,
        width: u32,
        formula: &str,
        value: f64,
    ) -> Self {
        DecodeStep {
            kind,
            index,
            raw: Some((raw, width)),
            formula: formula.to_string(),
            value,
        }
    }

    /// A derived step (no stored bits of its own).
    pub fn derived(kind: StepKind, index: Option<usize>, formula: &str, value: f64) -> Self {
        DecodeStep {
            kind,
            index,
            raw: None,
            formula: formula.to_string(),
            value,
        }
    }
}

/// One element of a block.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ElementDecode {
    /// Its flat (row-major) index in the tensor.
    pub index: usize,
    /// The code as the quantizer returns it.
    pub code: i32,
    /// The code's stored bits (two's complement in `code_bits` for signed codes).
    pub raw: u32,
    /// The code decoded before the block's scale: the element format's value, `q − Z`,
    /// the table entry; for a codebook or a cast, the value itself.
    pub unit: f64,
    /// The multiplier of `unit` for this element (the block's or sub-block's scale; 1 for a
    /// codebook or a cast).
    pub scale: f64,
    /// What is added after it (a min or an offset; 0 for symmetric formats): `x̂ ≈
    /// unit·scale + offset`, exactly as the format rounds it.
    pub offset: f64,
    /// The reconstruction `x̂`, computed from the decoded fields as the format does.
    pub value: f32,
    /// The original `x`.
    pub original: f32,
    /// `x − x̂`.
    pub error: f64,
}

/// One block decoded: see the module docs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockDecode {
    /// The block's index.
    pub block: usize,
    /// How many blocks the tensor has.
    pub blocks: usize,
    /// How many values the block holds.
    pub len: usize,
    /// The position in the block of the first listed element.
    pub first: usize,
    /// Bits of one code.
    pub code_bits: u32,
    /// The block's bytes as stored: the format's own layout for ggml, MX and NVFP4; for
    /// the others the scale fields (in their storage type, little-endian) then the codes
    /// packed LSB-first (see [`pack_bits`]).
    pub bytes: Vec<u8>,
    /// How many of [`BlockDecode::bytes`] are scale fields (before the codes; ggml blocks
    /// interleave theirs: 0).
    pub scale_bytes: usize,
    /// The decode of the scales, in order.
    pub steps: Vec<DecodeStep>,
    /// Up to [`MAX_ELEMENTS`] elements from [`BlockDecode::first`].
    pub elements: Vec<ElementDecode>,
}

/// How a scale field is stored (the Weight lab's "scales stored as").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ScaleFormat {
    /// IEEE single.
    F32,
    /// IEEE half.
    F16,
    /// bfloat16.
    Bf16,
}

impl ScaleFormat {
    /// Bits of one field.
    pub fn bits(self) -> u32 {
        match self {
            ScaleFormat::F32 => 32,
            ScaleFormat::F16 | ScaleFormat::Bf16 => 16,
        }
    }

    /// The name in formulas.
    pub fn name(self) -> &'static str {
        match self {
            ScaleFormat::F32 => "fp32",
            ScaleFormat::F16 => "fp16",
            ScaleFormat::Bf16 => "bf16",
        }
    }

    /// The bit pattern of `v` in this format (round to nearest even).
    pub fn raw(self, v: f64) -> u64 {
        match self {
            ScaleFormat::F32 => u64::from((v as f32).to_bits()),
            ScaleFormat::F16 => u64::from(crate::quant::kernel::f16_from_f64(v).to_bits()),
            ScaleFormat::Bf16 => u64::from(crate::quant::kernel::bf16_from_f64(v).to_bits()),
        }
    }

    /// The little-endian bytes of `v` in this format.
    pub fn bytes(self, v: f64) -> Vec<u8> {
        let raw = self.raw(v);
        (0..self.bits() / 8)
            .map(|k| (raw >> (8 * k)) as u8)
            .collect()
    }

    /// The step that reads a stored field `v` of this format.
    pub fn step(self, kind: StepKind, symbol: &str, v: f64) -> DecodeStep {
        DecodeStep::stored(
            kind,
            None,
            self.raw(v),
            self.bits(),
            &format!("{symbol} = {}", self.name()),
            v,
        )
    }
}

/// Checks a block index against the count.
pub fn check_block(block: usize, blocks: usize) -> Result<()> {
    if block < blocks {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "block {block} does not exist: the tensor has {blocks} block{} (0 to {})",
            if blocks == 1 { "" } else { "s" },
            blocks.saturating_sub(1)
        )))
    }
}

/// Checks that the data has the length the quantizer was fitted on.
pub fn check_data(len: usize, fitted: usize) -> Result<()> {
    if len == fitted {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "the inspector got {len} values but the quantizer was fitted on {fitted}"
        )))
    }
}

/// The listed positions of a block of `len` values from `first` (clamped to the block).
pub fn window(len: usize, first: usize) -> std::ops::Range<usize> {
    let start = first.min(len.saturating_sub(1));
    start..(start + MAX_ELEMENTS).min(len)
}

/// Checks that the listed values are finite (the error names the flat index).
pub fn check_values(data: &[f32], indices: impl IntoIterator<Item = usize>) -> Result<()> {
    for i in indices {
        let v = data.get(i).copied().unwrap_or(f32::NAN);
        if !v.is_finite() {
            return Err(QuantError::NonFinite { index: i, value: v });
        }
    }
    Ok(())
}

/// An element: its code, `unit·scale + offset` as `value` (the format's own rounding), `x`,
/// and `x − x̂` in `f64`.
#[allow(clippy::too_many_arguments)]
pub fn element(
    index: usize,
    code: i32,
    raw: u32,
    unit: f64,
    (scale, offset): (f64, f64),
    value: f32,
    original: f32,
) -> ElementDecode {
    ElementDecode {
        index,
        code,
        raw,
        unit,
        scale,
        offset,
        value,
        original,
        error: f64::from(original) - f64::from(value),
    }
}

/// Packs codes of `bits` bits (1 to 16; their low bits) into one LSB-first bit stream,
/// `⌈n·bits/8⌉` bytes: code `i` starts at bit `i·bits` (the convention of
/// [`crate::pack`], for every width).
pub fn pack_bits(codes: &[u32], bits: u32) -> Vec<u8> {
    let bits = bits.clamp(1, 16);
    let mut out = vec![0u8; packed_len(codes.len(), bits)];
    let mask = (1u32 << bits) - 1;
    for (i, &c) in codes.iter().enumerate() {
        let v = c & mask;
        for b in 0..bits as usize {
            if v >> b & 1 == 1 {
                let k = i * bits as usize + b;
                out[k / 8] |= 1 << (k % 8);
            }
        }
    }
    out
}

/// The raw bits of a signed code in `bits` bits (two's complement).
pub fn raw_signed(code: i32, bits: u32) -> u32 {
    (code as u32) & ((1u64 << bits.clamp(1, 32)) - 1) as u32
}

/// `f32` little-endian bytes.
pub fn f32_bytes(v: f32) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

/// The values of a block as positions `members` of `data`, with codes and values of a
/// per-element rule: the common body of the group-scaled families. `code` maps
/// `(x) → (code, raw, unit)`, `value` maps the code to `x̂`.
pub fn elements_of(
    data: &[f32],
    members: &[usize],
    first: usize,
    scale: (f64, f64),
    mut code: impl FnMut(f32) -> (i32, u32, f64),
    mut value: impl FnMut(i32) -> f32,
) -> Vec<ElementDecode> {
    members[window(members.len(), first)]
        .iter()
        .map(|&i| {
            let x = data[i];
            let (q, raw, unit) = code(x);
            element(i, q, raw, unit, scale, value(q), x)
        })
        .collect()
}

/// One [`StepKind::Level`] step per distinct code of `elements` (ascending codes): the
/// code's unit value by `formula`.
pub fn level_steps(elements: &[ElementDecode], formula: &str) -> Vec<DecodeStep> {
    let mut seen: Vec<(i32, f64)> = elements.iter().map(|e| (e.code, e.unit)).collect();
    seen.sort_by_key(|&(c, _)| c);
    seen.dedup_by_key(|&mut (c, _)| c);
    seen.into_iter()
        .map(|(c, u)| DecodeStep::derived(StepKind::Level, Some(c as usize), formula, u))
        .collect()
}

/// The parts of a block that are not its elements.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// The block's index.
    pub block: usize,
    /// How many blocks there are.
    pub blocks: usize,
    /// Values in the block.
    pub len: usize,
    /// Bits of one code.
    pub code_bits: u32,
    /// The stored scale fields.
    pub bytes: Vec<u8>,
    /// The decode steps.
    pub steps: Vec<DecodeStep>,
}

impl Head {
    /// The decode of a block whose bytes are the scale fields then the listed codes packed
    /// LSB-first.
    pub fn with_codes(self, first: usize, elements: Vec<ElementDecode>) -> BlockDecode {
        let raw: Vec<u32> = elements.iter().map(|e| e.raw).collect();
        let scale_bytes = self.bytes.len();
        let mut bytes = self.bytes;
        bytes.extend(pack_bits(&raw, self.code_bits));
        BlockDecode {
            block: self.block,
            blocks: self.blocks,
            len: self.len,
            first: window(self.len, first).start,
            code_bits: self.code_bits,
            bytes,
            scale_bytes,
            steps: self.steps,
            elements,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn packing_matches_the_crate_convention_for_every_packable_width() {
        let codes: Vec<u32> = (0..37).map(|i| (i * 7 + 3) % 16).collect();
        for bits in [1, 2, 3, 4, 8] {
            let c: Vec<u32> = codes.iter().map(|&v| v & ((1 << bits) - 1)).collect();
            assert_eq!(
                pack_bits(&c, bits),
                crate::pack::pack(&c, bits).unwrap(),
                "{bits}"
            );
        }
        // 5 bits: code 1 at bit 5, code 2 at bit 10.
        assert_eq!(pack_bits(&[0, 1, 2], 5), vec![0b0010_0000, 0b0000_1000]);
        assert_eq!(raw_signed(-1, 4), 0xF);
        assert_eq!(raw_signed(-8, 4), 0x8);
    }

    #[test]
    fn bad_blocks_and_windows_are_words_not_panics() {
        assert!(
            check_block(3, 3)
                .unwrap_err()
                .to_string()
                .contains("block 3 does not exist")
        );
        assert!(check_block(0, 0).is_err());
        assert_eq!(window(0, 5), 0..0);
        assert_eq!(window(10, 50), 9..10);
        assert_eq!(window(1000, 10), 10..266);
        assert!(check_values(&[1.0, f32::NAN], [0, 1]).is_err());
        assert!(check_values(&[1.0], [3]).is_err());
    }
}
