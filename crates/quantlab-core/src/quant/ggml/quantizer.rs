//! [`GgmlQuantizer`]: any ggml block type behind the crate's [`Quantizer`] trait, and the
//! row functions that turn values into ggml's bytes and back for a type chosen at run time.

use crate::error::{QuantError, Result};
use crate::quant::ggml::common::{GgmlBlock, SubParams, dequantize_blocks, nearest_int, padded};
use crate::quant::ggml::iq4_nl::{BlockIq4Nl, IQ4_NL_LEVELS, best_index};
use crate::quant::ggml::kquants::q8_k::code_q8_k;
use crate::quant::ggml::kquants::{BlockQ2K, BlockQ3K, BlockQ4K, BlockQ5K, BlockQ6K, BlockQ8K};
use crate::quant::ggml::legacy::{
    BlockQ4_0, BlockQ4_1, BlockQ5_0, BlockQ5_1, BlockQ8_0, code_affine, code_q8_0, code_sym,
};
use crate::quant::granularity::GroupLayout;
use crate::quant::inspect::{
    BlockDecode, DecodeStep, check_block, check_data, check_values, element, window,
};
use crate::quant::kernel::check_len;
use crate::quant::quantizer::Quantizer;
use crate::quant::types::{GgmlType, Granularity};

/// Runs `$body` with `$B` the block type of `$ty`.
macro_rules! with_block {
    ($ty:expr, $B:ident => $body:expr) => {
        match $ty {
            GgmlType::Q8_0 => {
                type $B = BlockQ8_0;
                $body
            }
            GgmlType::Q4_0 => {
                type $B = BlockQ4_0;
                $body
            }
            GgmlType::Q4_1 => {
                type $B = BlockQ4_1;
                $body
            }
            GgmlType::Q5_0 => {
                type $B = BlockQ5_0;
                $body
            }
            GgmlType::Q5_1 => {
                type $B = BlockQ5_1;
                $body
            }
            GgmlType::IQ4_NL => {
                type $B = BlockIq4Nl;
                $body
            }
            GgmlType::Q2_K => {
                type $B = BlockQ2K;
                $body
            }
            GgmlType::Q3_K => {
                type $B = BlockQ3K;
                $body
            }
            GgmlType::Q4_K => {
                type $B = BlockQ4K;
                $body
            }
            GgmlType::Q5_K => {
                type $B = BlockQ5K;
                $body
            }
            GgmlType::Q6_K => {
                type $B = BlockQ6K;
                $body
            }
            GgmlType::Q8_K => {
                type $B = BlockQ8K;
                $body
            }
        }
    };
}

/// A row quantized to `B`: the bytes, the parameters of every sub-block and the codes.
fn encode<B: GgmlBlock>(x: &[f32]) -> (Vec<u8>, Vec<SubParams>, Vec<i32>) {
    let per = B::TYPE.block_values();
    let blocks = x.len() / per;
    let mut bytes = Vec::with_capacity(blocks * B::TYPE.block_bytes());
    let mut params = Vec::with_capacity(x.len() / B::TYPE.sub_block_values());
    let mut codes = Vec::with_capacity(x.len());
    for chunk in x.chunks(per) {
        let (b, p) = B::quantize_fitted(chunk);
        bytes.extend(b.to_bytes());
        params.extend(p);
        codes.extend(b.codes());
    }
    (bytes, params, codes)
}

/// Quantizes a row to ggml's bytes for `ty`, padding the last block with zeros.
///
/// Errors: empty input, NaN or infinity.
pub fn quantize_row(ty: GgmlType, x: &[f32]) -> Result<Vec<u8>> {
    let x = padded(ty, x)?;
    Ok(with_block!(ty, B => encode::<B>(&x).0))
}

/// The first `n` values of the ggml `bytes` of type `ty`.
///
/// Errors: a length that is not a whole number of blocks, or blocks holding fewer than `n`
/// values.
pub fn dequantize_row(ty: GgmlType, bytes: &[u8], n: usize) -> Result<Vec<f32>> {
    let size = ty.block_bytes();
    if !bytes.len().is_multiple_of(size) {
        return Err(QuantError::InvalidParameter(format!(
            "{} bytes are not whole {} blocks of {size} bytes",
            bytes.len(),
            ty.name()
        )));
    }
    with_block!(ty, B => {
        let blocks: Vec<B> = bytes.chunks(size).map(B::from_bytes_unchecked).collect();
        dequantize_blocks(&blocks, n)
    })
}

/// A fitted ggml block quantizer over flat data: the row is cut into blocks of
/// [`GgmlType::block_values`] (the last one padded with zeros) and each is quantized as the
/// reference does.
///
/// Codes (one per value, in value order) are the stored codes: `0..2^b` (Q8_0 `−127..=127`,
/// Q8_K `−128..=127`; for IQ4_NL the index into its table). [`Quantizer::quantize`] codes
/// new values with the fitted sub-block parameters by the type's final rounding rule; in a
/// K-quant sub-block whose stored scale is 0 (where every code decodes to the same value)
/// it returns the fitted code.
#[derive(Debug, Clone, PartialEq)]
pub struct GgmlQuantizer {
    /// The block type.
    pub ty: GgmlType,
    /// Number of values fitted.
    pub len: usize,
    bytes: Vec<u8>,
    params: Vec<SubParams>,
    codes: Vec<i32>,
}

impl GgmlQuantizer {
    /// Fits the blocks of `data` (row-major; `shape` is checked against the length, blocks
    /// run over the flat data).
    ///
    /// Errors: empty data, NaN or infinity, a shape that does not hold the data.
    pub fn fit(ty: GgmlType, data: &[f32], shape: &[usize]) -> Result<Self> {
        GroupLayout::new(Granularity::PerTensor, shape, data.len())?;
        let x = padded(ty, data)?;
        let (bytes, params, codes) = with_block!(ty, B => encode::<B>(&x));
        // Near ±f32::MAX a block's scale times its largest code can round past the largest
        // float (Q8_K: 128 · max/128 reads back as −∞), as it does in ggml itself: refuse in
        // words rather than hand on an infinity. Only such data pays for the check.
        let (absmax, _) = crate::quant::fast::reduce::absmax_finite(data);
        if absmax > 1e37
            && dequantize_row(ty, &bytes, data.len())?
                .iter()
                .any(|v| !v.is_finite())
        {
            return Err(QuantError::InvalidParameter(format!(
                "{} cannot hold values this close to ±3.4e38: a block's scale times its codes overflows float32 (scale the tensor down)",
                ty.name()
            )));
        }
        Ok(GgmlQuantizer {
            ty,
            len: data.len(),
            bytes,
            params,
            codes,
        })
    }

    /// The row as ggml stores it (whole blocks).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The stored codes of the fitted values.
    pub fn codes(&self) -> &[i32] {
        &self.codes[..self.len.min(self.codes.len())]
    }

    /// The step of every sub-block holding fitted values (the block for the 32-value types
    /// and Q8_K): `d` as stored, or `d·sc_j` for the K-quants.
    pub fn scales(&self) -> Vec<f32> {
        self.fitted_params().map(|p| p.mul).collect()
    }

    /// The offset of every sub-block: the stored minimum `m` of Q4_1 and Q5_1, `−dmin·m_j`
    /// of Q2_K, Q4_K and Q5_K; zeros for the symmetric types.
    pub fn mins(&self) -> Vec<f32> {
        self.fitted_params().map(|p| p.add).collect()
    }

    /// The sub-blocks that hold fitted values (not only padding).
    fn fitted_params(&self) -> impl Iterator<Item = &SubParams> {
        self.params
            .iter()
            .take(self.len.div_ceil(self.ty.sub_block_values()))
    }

    fn sub(&self, i: usize) -> SubParams {
        self.params
            .get(i / self.ty.sub_block_values())
            .copied()
            .unwrap_or_default()
    }

    /// The code of `x` at position `i` (`None` where the sub-block's stored step is 0 in a
    /// K-quant: any code decodes to the same value there).
    fn code(&self, i: usize, x: f32) -> Option<i32> {
        let p = self.sub(i);
        let divide =
            |v: f32, lo: i32, hi: i32| (p.mul != 0.0).then(|| nearest_int(v / p.mul).clamp(lo, hi));
        match self.ty {
            GgmlType::Q8_0 => Some(code_q8_0(x, p.inv)),
            GgmlType::Q4_0 => Some(code_sym(x, p.inv, 8)),
            GgmlType::Q5_0 => Some(code_sym(x, p.inv, 16)),
            GgmlType::Q4_1 => Some(code_affine(x, p.off, p.inv, 15)),
            GgmlType::Q5_1 => Some(code_affine(x, p.off, p.inv, 31)),
            GgmlType::IQ4_NL => Some(best_index(p.inv * x) as i32),
            GgmlType::Q8_K => Some(code_q8_k(x, p.inv)),
            GgmlType::Q2_K => divide(x - p.add, 0, 3),
            GgmlType::Q4_K => divide(x - p.add, 0, 15),
            GgmlType::Q5_K => divide(x - p.add, 0, 31),
            GgmlType::Q3_K => divide(x, -4, 3).map(|q| q + 4),
            GgmlType::Q6_K => divide(x, -32, 31).map(|q| q + 32),
        }
    }

    /// The value of code `q` at position `i`, computed exactly as ggml dequantizes.
    fn value(&self, i: usize, q: i32) -> f32 {
        value_of(self.ty, self.sub(i), q)
    }
}

/// The value of code `q` in a sub-block of parameters `p`, exactly as ggml dequantizes.
fn value_of(ty: GgmlType, p: SubParams, q: i32) -> f32 {
    match ty {
        GgmlType::Q8_0 | GgmlType::Q8_K => q as f32 * p.mul,
        GgmlType::Q4_0 => (q - 8) as f32 * p.mul,
        GgmlType::Q5_0 => (q - 16) as f32 * p.mul,
        GgmlType::Q4_1 | GgmlType::Q5_1 => q as f32 * p.mul + p.add,
        GgmlType::IQ4_NL => p.mul * f32::from(IQ4_NL_LEVELS[(q & 0xF) as usize]),
        GgmlType::Q2_K | GgmlType::Q4_K | GgmlType::Q5_K => p.mul * q as f32 + p.add,
        GgmlType::Q3_K => p.mul * (q - 4) as f32,
        GgmlType::Q6_K => p.mul * (q - 32) as f32,
    }
}

/// The level of code `q` before the sub-block's step: `q − 8` for Q4_0, the table entry
/// for IQ4_NL, `q − 32` for Q6_K, …
fn unit_of(ty: GgmlType, q: i32) -> f64 {
    f64::from(match ty {
        GgmlType::Q8_0 | GgmlType::Q8_K | GgmlType::Q4_1 | GgmlType::Q5_1 => q,
        GgmlType::Q2_K | GgmlType::Q4_K | GgmlType::Q5_K => q,
        GgmlType::Q4_0 => q - 8,
        GgmlType::Q5_0 => q - 16,
        GgmlType::IQ4_NL => i32::from(IQ4_NL_LEVELS[(q & 0xF) as usize]),
        GgmlType::Q3_K => q - 4,
        GgmlType::Q6_K => q - 32,
    })
}

/// Block `block` of a row of `B` blocks decoded from its bytes alone: the steps of its
/// fields, and for every listed element its sub-block's step and offset.
fn decode_block<B: GgmlBlock>(bytes: &[u8]) -> (Vec<DecodeStep>, Vec<SubParams>) {
    let b = B::from_bytes_unchecked(bytes);
    (b.steps(), b.sub_params())
}

impl GgmlQuantizer {
    /// The number of blocks (the last one padded with zeros).
    fn block_count(&self) -> usize {
        self.bytes.len() / self.ty.block_bytes()
    }
}

impl Quantizer for GgmlQuantizer {
    fn inspect_blocks(&self) -> usize {
        self.block_count()
    }

    /// The block's bytes exactly as ggml stores it (the `#[repr(C)]` struct), the decode of
    /// its scale fields read back from those bytes, and each element decoded with its
    /// sub-block's step (and min).
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode> {
        check_data(data.len(), self.len)?;
        check_block(block, self.block_count())?;
        let (per, size) = (self.ty.block_values(), self.ty.block_bytes());
        let bytes = self.bytes[block * size..(block + 1) * size].to_vec();
        let (steps, params) = with_block!(self.ty, B => decode_block::<B>(&bytes));
        let start = block * per;
        let len = (start + per).min(self.len) - start;
        let win = window(len, first);
        check_values(data, win.clone().map(|k| start + k))?;
        let sub = self.ty.sub_block_values();
        let elements = win
            .clone()
            .map(|k| {
                let i = start + k;
                let q = self.codes.get(i).copied().unwrap_or(0);
                let p = params.get(k / sub).copied().unwrap_or_default();
                let raw = q as u32 & ((1u32 << self.ty.code_bits()) - 1);
                let v = value_of(self.ty, p, q);
                element(
                    i,
                    q,
                    raw,
                    unit_of(self.ty, q),
                    (f64::from(p.mul), f64::from(p.add)),
                    v,
                    data[i],
                )
            })
            .collect();
        Ok(BlockDecode {
            block,
            blocks: self.block_count(),
            len,
            first: win.start,
            code_bits: self.ty.code_bits(),
            bytes,
            scale_bytes: 0,
            steps,
            elements,
        })
    }

    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        check_len(self.len, data.len())?;
        crate::error::check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                self.code(i, x)
                    .unwrap_or_else(|| self.codes.get(i).copied().unwrap_or(0))
            })
            .collect())
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        check_len(self.len, codes.len())?;
        let (lo, hi) = self.ty.code_range();
        codes
            .iter()
            .enumerate()
            .map(|(i, &q)| {
                if q < lo || q > hi {
                    return Err(QuantError::InvalidParameter(format!(
                        "code {q} at index {i} is not a valid {} code ({lo} to {hi})",
                        self.ty.name()
                    )));
                }
                Ok(self.value(i, q))
            })
            .collect()
    }

    fn levels(&self) -> Vec<f32> {
        if self.params.is_empty() {
            return Vec::new();
        }
        let (lo, hi) = self.ty.code_range();
        let mut v: Vec<f32> = (lo..=hi).map(|q| self.value(0, q)).collect();
        v.sort_by(f32::total_cmp);
        v.dedup();
        v
    }

    /// Whole blocks: `8·bytes·⌈n/values⌉/n` ([`GgmlType::bits_per_value`] when `n` is a
    /// multiple of the block).
    fn bits_per_value(&self) -> f64 {
        8.0 * self.bytes.len() as f64 / self.len as f64
    }

    fn describe(&self) -> Vec<(String, f64)> {
        let s = self.scales();
        let fold = |f: fn(f32, f32) -> f32, init| f64::from(s.iter().copied().fold(init, f));
        vec![
            (
                "blocks".into(),
                (self.bytes.len() / self.ty.block_bytes()) as f64,
            ),
            ("step_min".into(), fold(f32::min, f32::INFINITY)),
            ("step_max".into(), fold(f32::max, f32::NEG_INFINITY)),
        ]
    }
}
