//! What every ggml block type shares: the [`GgmlBlock`] trait, the per-sub-block
//! parameters a fitted quantizer keeps ([`SubParams`]), and the small numeric helpers whose
//! exact behaviour the reference quantizers depend on (fp16 storage, `nearest_int`,
//! zero padding, little-endian fields).

use half::f16;

use crate::error::{QuantError, Result, check_finite};
use crate::quant::inspect::{DecodeStep, StepKind};
use crate::quant::types::GgmlType;

/// Below this largest magnitude a (sub-)block counts as all zero in the K-quant searches
/// (ggml's `GROUP_MAX_EPS`).
pub const GROUP_MAX_EPS: f32 = 1e-15;

/// One block of a ggml type: quantize, dequantize, and the exact bytes.
///
/// Every implementation is checked at compile time to have ggml's size
/// ([`GgmlType::block_bytes`]) as a `#[repr(C)]` struct.
pub trait GgmlBlock: Sized + Copy + std::fmt::Debug + PartialEq {
    /// The type this block is.
    const TYPE: GgmlType;

    /// Quantizes one block of exactly [`GgmlType::block_values`] finite values, as the
    /// reference quantizer does (no error: the caller has checked the values).
    fn quantize_values(x: &[f32]) -> Self;

    /// The block's values (`block_values` of them).
    fn dequantize(&self) -> Vec<f32>;

    /// The stored codes in value order (`0..2^b`, Q8_0 and Q8_K signed).
    fn codes(&self) -> Vec<i32>;

    /// The bytes exactly as ggml stores the block (little-endian fields).
    fn to_bytes(&self) -> Vec<u8>;

    /// Reads a block from exactly [`GgmlType::block_bytes`] bytes (length checked by the
    /// caller; a shorter slice reads as zeros past its end).
    fn from_bytes_unchecked(bytes: &[u8]) -> Self;

    /// The value rule of every sub-block (see [`SubParams`]), from the stored fields alone
    /// (`inv` and `off` are 0).
    fn sub_params(&self) -> Vec<SubParams>;

    /// The decode of the block's scale fields, step by step (see [`crate::quant::inspect`]).
    fn steps(&self) -> Vec<DecodeStep>;

    /// [`GgmlBlock::quantize_values`] together with the parameters of every sub-block,
    /// including those used to code (`inv`, `off`) that the bytes do not keep.
    fn quantize_fitted(x: &[f32]) -> (Self, Vec<SubParams>) {
        let b = Self::quantize_values(x);
        let p = b.sub_params();
        (b, p)
    }

    /// Quantizes one block after checking its length and that every value is finite.
    fn quantize(x: &[f32]) -> Result<Self> {
        check_block_len(Self::TYPE, x.len())?;
        check_finite(x)?;
        Ok(Self::quantize_values(x))
    }

    /// Reads a block from exactly [`GgmlType::block_bytes`] bytes.
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != Self::TYPE.block_bytes() {
            return Err(QuantError::InvalidParameter(format!(
                "a {} block is {} bytes, not {}",
                Self::TYPE.name(),
                Self::TYPE.block_bytes(),
                bytes.len()
            )));
        }
        Ok(Self::from_bytes_unchecked(bytes))
    }
}

/// How the values of one sub-block (a whole block for the 32-value types) are coded and
/// decoded, as `f32` exactly as the reference computes them:
///
/// - `mul`: the step that multiplies a code's level (`d`, or `d·sc` for the K-quants);
/// - `add`: added after the product (Q4_1, Q5_1: the stored minimum `m`; Q2_K, Q4_K, Q5_K:
///   `−dmin·m`), unused (and 0) for the symmetric types;
/// - `inv`: the inverse scale used to code (legacy types and IQ4_NL: `1/d` from the
///   unrounded `d`; Q8_K: `−127/max`), unused by the K-quants, which divide by `mul`;
/// - `off`: subtracted before coding (Q4_1, Q5_1: the unrounded minimum), else 0.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SubParams {
    /// Step of one level.
    pub mul: f32,
    /// Offset added after the product.
    pub add: f32,
    /// Inverse scale used to code.
    pub inv: f32,
    /// Offset subtracted before coding.
    pub off: f32,
}

/// `f32 → fp16` as ggml stores scales (round to nearest even), except that a value beyond
/// the fp16 range saturates at ±65504 (ggml would store ±∞) and NaN, which only extreme
/// inputs can produce in the searches, is stored as 0.
pub fn to_f16(v: f32) -> f16 {
    if v.is_nan() {
        return f16::ZERO;
    }
    f16::from_f32(v.clamp(-f16::MAX.to_f32(), f16::MAX.to_f32()))
}

/// `v` as stored in fp16, back as `f32`.
pub fn round_f16(v: f32) -> f32 {
    to_f16(v).to_f32()
}

/// The step reading an fp16 field.
pub fn fp16_step(kind: StepKind, symbol: &str, h: f16) -> DecodeStep {
    DecodeStep::stored(
        kind,
        None,
        u64::from(h.to_bits()),
        16,
        &format!("{symbol} = fp16"),
        h.to_f64(),
    )
}

/// The steps of a K-quant's sub-blocks: for sub-block `j`, its quantized scale `raw.0`
/// (`width` bits) giving `mul = d·sc_j`, and where it has one its quantized min `raw.1`
/// giving `dmin·m_j` (`−add`).
pub fn sub_steps(
    params: &[SubParams],
    raw: &[(u32, Option<u32>)],
    width: u32,
    scale_formula: &str,
) -> Vec<DecodeStep> {
    let mut out = Vec::new();
    for (j, (p, &(sc, m))) in params.iter().zip(raw).enumerate() {
        out.push(DecodeStep::stored(
            StepKind::SubScale,
            Some(j),
            u64::from(sc),
            width,
            scale_formula,
            f64::from(p.mul),
        ));
        if let Some(m) = m {
            out.push(DecodeStep::stored(
                StepKind::SubMin,
                Some(j),
                u64::from(m),
                width,
                "dmin·m_j",
                -f64::from(p.add),
            ));
        }
    }
    out
}

/// `1/d`, or 0 when `d = 0`.
pub fn inverse(d: f32) -> f32 {
    if d != 0.0 { 1.0 / d } else { 0.0 }
}

/// ggml's `nearest_int`: round half to even (its magic-number trick does exactly this for
/// `|v| < 2^22`, the only range it is used on); beyond `i32`, saturating; NaN → 0.
pub fn nearest_int(v: f32) -> i32 {
    v.round_ties_even() as i32
}

/// The fp16 at `bytes[at..at + 2]`, little-endian (0 past the end).
pub fn read_f16(bytes: &[u8], at: usize) -> f16 {
    f16::from_le_bytes([byte(bytes, at), byte(bytes, at + 1)])
}

/// `bytes[at]`, or 0 past the end.
pub fn byte(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).copied().unwrap_or(0)
}

/// Copies `bytes[at..at + N]` (zeros past the end).
pub fn read_array<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    std::array::from_fn(|i| byte(bytes, at + i))
}

/// `x` (checked non-empty and finite) padded with zeros to whole blocks of `ty`.
pub fn padded(ty: GgmlType, x: &[f32]) -> Result<Vec<f32>> {
    check_finite(x)?;
    let mut v = x.to_vec();
    v.resize(x.len().div_ceil(ty.block_values()) * ty.block_values(), 0.0);
    Ok(v)
}

fn check_block_len(ty: GgmlType, n: usize) -> Result<()> {
    if n == ty.block_values() {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "a {} block holds {} values, not {n}",
            ty.name(),
            ty.block_values()
        )))
    }
}

/// Quantizes a row into blocks of `B`, padding the last one with zeros. Errors: empty
/// input, NaN or infinity.
pub fn quantize_blocks<B: GgmlBlock>(x: &[f32]) -> Result<Vec<B>> {
    Ok(padded(B::TYPE, x)?
        .chunks(B::TYPE.block_values())
        .map(B::quantize_values)
        .collect())
}

/// The first `n` values of `blocks`. Errors: the blocks hold fewer than `n` values.
pub fn dequantize_blocks<B: GgmlBlock>(blocks: &[B], n: usize) -> Result<Vec<f32>> {
    let per = B::TYPE.block_values();
    if n > blocks.len() * per {
        return Err(QuantError::InvalidParameter(format!(
            "{n} values need {} blocks of {per} but only {} were given",
            n.div_ceil(per),
            blocks.len()
        )));
    }
    Ok(blocks.iter().flat_map(|b| b.dequantize()).take(n).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_int_rounds_half_to_even_and_never_panics() {
        assert_eq!(nearest_int(0.5), 0);
        assert_eq!(nearest_int(1.5), 2);
        assert_eq!(nearest_int(2.5), 2);
        assert_eq!(nearest_int(-0.5), 0);
        assert_eq!(nearest_int(-1.5), -2);
        assert_eq!(nearest_int(-2.51), -3);
        assert_eq!(nearest_int(f32::NAN), 0);
        assert_eq!(nearest_int(1e30), i32::MAX);
    }

    #[test]
    fn fp16_storage_saturates_and_maps_nan_to_zero() {
        assert_eq!(to_f16(1e9).to_f32(), 65504.0);
        assert_eq!(to_f16(-1e9).to_f32(), -65504.0);
        assert_eq!(to_f16(f32::NAN).to_f32(), 0.0);
        assert_eq!(to_f16(1.0 / 3.0), f16::from_f32(1.0 / 3.0));
    }
}
