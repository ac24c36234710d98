//! ggml-style quantization blocks: Q8_0, Q4_0 and Q4_1 (llama.cpp's GGUF formats).
//!
//! The tensor is read flat (row-major) in blocks of [`QK`] = 32 values. Each block stores an
//! fp16 scale `d` (and for Q4_1 an fp16 offset `m`) next to its codes. The rules below are
//! those of the reference quantizers in ggml (`ggml/src/ggml-quants.c`,
//! `quantize_row_q8_0_ref`, `quantize_row_q4_0_ref`, `quantize_row_q4_1_ref`, and the
//! `block_q8_0` / `block_q4_0` / `block_q4_1` layouts in `ggml-common.h`), restated; all
//! arithmetic is `f32` as there, with `id = 1/d` computed from the unrounded `d`:
//!
//! | type | scale | code of `x` | value of code `q` | bytes / 32 values | bits per value |
//! |---|---|---|---|---|---|
//! | Q8_0 | `d = amax/127` | `q = roundf(x·id)` (half away from zero) | `q·d` | 2 + 32 = 34 | 8.5 |
//! | Q4_0 | `d = max/−8`, `max` = the value of largest magnitude, sign kept | `q = min(15, trunc(x·id + 8.5))` | `(q − 8)·d` | 2 + 16 = 18 | 4.5 |
//! | Q4_1 | `d = (max − min)/15`, `m = min` | `q = min(15, trunc((x − min)·id + 0.5))` | `q·d + m` | 2 + 2 + 16 = 20 | 5.0 |
//!
//! (`amax = max|x|`; `id = 0` when `d = 0`; in Q4_0 the first value reaching the largest
//! magnitude decides the sign, so the grid `−8d … 7d` puts its extra level on that side.)
//!
//! **Rounding** here is *not* the crate's half-to-even: Q8_0 rounds half away from zero
//! (C `roundf`), Q4_0 and Q4_1 add 0.5 (8.5) and truncate, i.e. round half up. This is
//! deliberate, to match the files llama.cpp writes. Products and sums are evaluated without
//! fused multiply-add, as on a baseline x86-64 build.
//!
//! **Nibble layout** (Q4_0, Q4_1): byte `j` of `qs` holds code `j` in its low nibble and
//! code `j + 16` in its high nibble.
//!
//! **Edges.** A length that is not a multiple of 32 is padded with zeros to whole blocks
//! (a partial block costs a whole block of storage). A scale or minimum beyond the fp16
//! range is saturated to ±65504 (the reference would store ±∞). Values beyond the range a
//! block was fitted on saturate at the end codes.

use half::f16;

use crate::error::{QuantError, Result, check_finite};
use crate::quant::granularity::GroupLayout;
use crate::quant::kernel::check_len;
use crate::quant::kernel::code_in_range;
use crate::quant::quantizer::Quantizer;
use crate::quant::types::Granularity;

pub use crate::quant::types::{GgmlType, Q4_0_BYTES, Q4_1_BYTES, Q8_0_BYTES, QK};

/// One Q8_0 block: fp16 scale, then 32 signed 8-bit codes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockQ8_0 {
    /// Scale `d = amax/127`.
    pub d: f16,
    /// Codes, one per value.
    pub qs: [i8; QK],
}

/// One Q4_0 block: fp16 scale, then 32 4-bit codes in 16 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockQ4_0 {
    /// Scale `d = max/−8`.
    pub d: f16,
    /// Codes: byte `j` = code `j` (low nibble) | code `j + 16` (high nibble).
    pub qs: [u8; QK / 2],
}

/// One Q4_1 block: fp16 scale and minimum, then 32 4-bit codes in 16 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockQ4_1 {
    /// Scale `d = (max − min)/15`.
    pub d: f16,
    /// Offset `m = min`.
    pub m: f16,
    /// Codes: byte `j` = code `j` (low nibble) | code `j + 16` (high nibble).
    pub qs: [u8; QK / 2],
}

// The in-memory layout is exactly ggml's: checked at compile time.
const _: () = assert!(std::mem::size_of::<BlockQ8_0>() == 34);
const _: () = assert!(std::mem::size_of::<BlockQ4_0>() == 18);
const _: () = assert!(std::mem::size_of::<BlockQ4_1>() == 20);
const _: () = assert!(std::mem::size_of::<BlockQ8_0>() == Q8_0_BYTES);
const _: () = assert!(std::mem::size_of::<BlockQ4_0>() == Q4_0_BYTES);
const _: () = assert!(std::mem::size_of::<BlockQ4_1>() == Q4_1_BYTES);
const _: () = assert!(std::mem::align_of::<BlockQ4_1>() == 2);

/// `f32 → fp16`, round to nearest even, saturating at ±65504.
fn to_f16(v: f32) -> f16 {
    f16::from_f32(v.clamp(-f16::MAX.to_f32(), f16::MAX.to_f32()))
}

/// `1/d`, or 0 when `d = 0`.
fn inverse(d: f32) -> f32 {
    if d != 0.0 { 1.0 / d } else { 0.0 }
}

/// The per-block parameters, as the reference computes them (`f32`) and stores them (fp16).
#[derive(Debug, Clone, Copy, PartialEq)]
struct BlockParams {
    /// `d` in `f32`, before rounding to fp16.
    d: f32,
    /// `1/d` (0 when `d = 0`), used to code.
    id: f32,
    /// `min` (Q4_1), 0 otherwise.
    min: f32,
    /// The stored scale, as `f32`.
    d16: f32,
    /// The stored minimum (Q4_1), as `f32`.
    m16: f32,
}

impl BlockParams {
    fn fit(ty: GgmlType, x: &[f32]) -> Self {
        let (d, min) = match ty {
            GgmlType::Q8_0 => {
                let amax = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                (amax / 127.0, 0.0)
            }
            GgmlType::Q4_0 => {
                let (mut amax, mut max) = (0.0f32, 0.0f32);
                for &v in x {
                    if amax < v.abs() {
                        amax = v.abs();
                        max = v;
                    }
                }
                (max / -8.0, 0.0)
            }
            GgmlType::Q4_1 => {
                let (mut min, mut max) = (f32::MAX, -f32::MAX);
                for &v in x {
                    min = min.min(v);
                    max = max.max(v);
                }
                ((max - min) / 15.0, min)
            }
        };
        BlockParams {
            d,
            id: inverse(d),
            min,
            d16: to_f16(d).to_f32(),
            m16: to_f16(min).to_f32(),
        }
    }

    /// The code of `x` (Q8_0: −127..=127 as `i32`; Q4: 0..=15).
    fn code(&self, ty: GgmlType, x: f32) -> i32 {
        match ty {
            GgmlType::Q8_0 => (x * self.id).round().clamp(-127.0, 127.0) as i32,
            GgmlType::Q4_0 => ((x * self.id + 8.5).trunc() as i32).clamp(0, 15),
            GgmlType::Q4_1 => (((x - self.min) * self.id + 0.5).trunc() as i32).clamp(0, 15),
        }
    }

    /// The value of code `q`.
    fn value(&self, ty: GgmlType, q: i32) -> f32 {
        match ty {
            GgmlType::Q8_0 => q as f32 * self.d16,
            GgmlType::Q4_0 => (q - 8) as f32 * self.d16,
            GgmlType::Q4_1 => q as f32 * self.d16 + self.m16,
        }
    }
}

/// Splits `x` into zero-padded blocks of 32 after checking it is non-empty and finite.
fn padded_blocks(x: &[f32]) -> Result<Vec<[f32; QK]>> {
    check_finite(x)?;
    Ok(x.chunks(QK)
        .map(|c| {
            let mut b = [0.0f32; QK];
            b[..c.len()].copy_from_slice(c);
            b
        })
        .collect())
}

/// Codes of a 4-bit block packed as ggml does: byte `j` = `q[j] | q[j + 16] << 4`.
fn pack_nibbles(q: &[i32; QK]) -> [u8; QK / 2] {
    let mut qs = [0u8; QK / 2];
    for (j, byte) in qs.iter_mut().enumerate() {
        *byte = (q[j] as u8 & 0xF) | (q[j + QK / 2] as u8 & 0xF) << 4;
    }
    qs
}

/// The 32 codes of a 4-bit block, in value order.
fn unpack_nibbles(qs: &[u8; QK / 2]) -> [i32; QK] {
    let mut q = [0i32; QK];
    for (j, &byte) in qs.iter().enumerate() {
        q[j] = i32::from(byte & 0xF);
        q[j + QK / 2] = i32::from(byte >> 4);
    }
    q
}

fn codes_of(ty: GgmlType, p: &BlockParams, x: &[f32; QK]) -> [i32; QK] {
    x.map(|v| p.code(ty, v))
}

impl BlockQ8_0 {
    /// Quantizes 32 values (must be finite).
    pub fn quantize(x: &[f32; QK]) -> Result<Self> {
        check_finite(x)?;
        let p = BlockParams::fit(GgmlType::Q8_0, x);
        Ok(BlockQ8_0 {
            d: to_f16(p.d),
            qs: codes_of(GgmlType::Q8_0, &p, x).map(|q| q as i8),
        })
    }

    /// The 32 values: `q·d`.
    pub fn dequantize(&self) -> [f32; QK] {
        let d = self.d.to_f32();
        self.qs.map(|q| f32::from(q) * d)
    }

    /// The 34 bytes as stored: `d` (little-endian fp16), then the codes.
    pub fn to_bytes(&self) -> [u8; Q8_0_BYTES] {
        let mut b = [0u8; Q8_0_BYTES];
        b[..2].copy_from_slice(&self.d.to_le_bytes());
        for (dst, &q) in b[2..].iter_mut().zip(&self.qs) {
            *dst = q as u8;
        }
        b
    }
}

impl BlockQ4_0 {
    /// Quantizes 32 values (must be finite).
    pub fn quantize(x: &[f32; QK]) -> Result<Self> {
        check_finite(x)?;
        let p = BlockParams::fit(GgmlType::Q4_0, x);
        Ok(BlockQ4_0 {
            d: to_f16(p.d),
            qs: pack_nibbles(&codes_of(GgmlType::Q4_0, &p, x)),
        })
    }

    /// The 32 codes (0..=15), in value order.
    pub fn codes(&self) -> [i32; QK] {
        unpack_nibbles(&self.qs)
    }

    /// The 32 values: `(q − 8)·d`.
    pub fn dequantize(&self) -> [f32; QK] {
        let d = self.d.to_f32();
        self.codes().map(|q| (q - 8) as f32 * d)
    }

    /// The 18 bytes as stored: `d` (little-endian fp16), then `qs`.
    pub fn to_bytes(&self) -> [u8; Q4_0_BYTES] {
        let mut b = [0u8; Q4_0_BYTES];
        b[..2].copy_from_slice(&self.d.to_le_bytes());
        b[2..].copy_from_slice(&self.qs);
        b
    }
}

impl BlockQ4_1 {
    /// Quantizes 32 values (must be finite).
    pub fn quantize(x: &[f32; QK]) -> Result<Self> {
        check_finite(x)?;
        let p = BlockParams::fit(GgmlType::Q4_1, x);
        Ok(BlockQ4_1 {
            d: to_f16(p.d),
            m: to_f16(p.min),
            qs: pack_nibbles(&codes_of(GgmlType::Q4_1, &p, x)),
        })
    }

    /// The 32 codes (0..=15), in value order.
    pub fn codes(&self) -> [i32; QK] {
        unpack_nibbles(&self.qs)
    }

    /// The 32 values: `q·d + m`.
    pub fn dequantize(&self) -> [f32; QK] {
        let (d, m) = (self.d.to_f32(), self.m.to_f32());
        self.codes().map(|q| q as f32 * d + m)
    }

    /// The 20 bytes as stored: `d`, `m` (little-endian fp16), then `qs`.
    pub fn to_bytes(&self) -> [u8; Q4_1_BYTES] {
        let mut b = [0u8; Q4_1_BYTES];
        b[..2].copy_from_slice(&self.d.to_le_bytes());
        b[2..4].copy_from_slice(&self.m.to_le_bytes());
        b[4..].copy_from_slice(&self.qs);
        b
    }
}

/// Quantizes a row to Q8_0 blocks (zero-padded to a multiple of 32).
pub fn quantize_row_q8_0(x: &[f32]) -> Result<Vec<BlockQ8_0>> {
    padded_blocks(x)?.iter().map(BlockQ8_0::quantize).collect()
}

/// Quantizes a row to Q4_0 blocks (zero-padded to a multiple of 32).
pub fn quantize_row_q4_0(x: &[f32]) -> Result<Vec<BlockQ4_0>> {
    padded_blocks(x)?.iter().map(BlockQ4_0::quantize).collect()
}

/// Quantizes a row to Q4_1 blocks (zero-padded to a multiple of 32).
pub fn quantize_row_q4_1(x: &[f32]) -> Result<Vec<BlockQ4_1>> {
    padded_blocks(x)?.iter().map(BlockQ4_1::quantize).collect()
}

fn check_blocks(blocks: usize, n: usize) -> Result<()> {
    if n <= blocks * QK {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "{n} values need {} blocks of {QK} but only {blocks} were given",
            n.div_ceil(QK)
        )))
    }
}

/// The first `n` values of Q8_0 `blocks`.
pub fn dequantize_row_q8_0(blocks: &[BlockQ8_0], n: usize) -> Result<Vec<f32>> {
    check_blocks(blocks.len(), n)?;
    Ok(blocks.iter().flat_map(|b| b.dequantize()).take(n).collect())
}

/// The first `n` values of Q4_0 `blocks`.
pub fn dequantize_row_q4_0(blocks: &[BlockQ4_0], n: usize) -> Result<Vec<f32>> {
    check_blocks(blocks.len(), n)?;
    Ok(blocks.iter().flat_map(|b| b.dequantize()).take(n).collect())
}

/// The first `n` values of Q4_1 `blocks`.
pub fn dequantize_row_q4_1(blocks: &[BlockQ4_1], n: usize) -> Result<Vec<f32>> {
    check_blocks(blocks.len(), n)?;
    Ok(blocks.iter().flat_map(|b| b.dequantize()).take(n).collect())
}

/// A fitted ggml block quantizer over flat data (see the module docs).
///
/// Codes: Q8_0 `−127..=127`, Q4_0 and Q4_1 `0..=15`, one per value in value order.
#[derive(Debug, Clone, PartialEq)]
pub struct GgmlQuantizer {
    /// The block type.
    pub ty: GgmlType,
    /// Number of values fitted.
    pub len: usize,
    params: Vec<BlockParams>,
}

impl GgmlQuantizer {
    /// Fits one block of parameters per 32 values of `data` (row-major; `shape` is checked
    /// against the length, blocks run over the flat data).
    pub fn fit(ty: GgmlType, data: &[f32], shape: &[usize]) -> Result<Self> {
        GroupLayout::new(Granularity::PerTensor, shape, data.len())?;
        let params = padded_blocks(data)?
            .iter()
            .map(|b| BlockParams::fit(ty, b))
            .collect();
        Ok(GgmlQuantizer {
            ty,
            len: data.len(),
            params,
        })
    }

    /// The stored scale `d` of each block (fp16, as `f32`).
    pub fn scales(&self) -> Vec<f32> {
        self.params.iter().map(|p| p.d16).collect()
    }

    /// The stored minimum `m` of each block (Q4_1; zeros for the other types).
    pub fn mins(&self) -> Vec<f32> {
        self.params.iter().map(|p| p.m16).collect()
    }
}

impl Quantizer for GgmlQuantizer {
    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        check_len(self.len, data.len())?;
        check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| self.params[i / QK].code(self.ty, x))
            .collect())
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        check_len(self.len, codes.len())?;
        codes
            .iter()
            .enumerate()
            .map(|(i, &q)| {
                match self.ty {
                    GgmlType::Q8_0 => {
                        code_in_range(q.saturating_add(127), 255, i)?;
                    }
                    GgmlType::Q4_0 | GgmlType::Q4_1 => {
                        code_in_range(q, 16, i)?;
                    }
                }
                Ok(self.params[i / QK].value(self.ty, q))
            })
            .collect()
    }

    fn levels(&self) -> Vec<f32> {
        let Some(p) = self.params.first() else {
            return Vec::new();
        };
        let codes = match self.ty {
            GgmlType::Q8_0 => -127..=127,
            GgmlType::Q4_0 | GgmlType::Q4_1 => 0..=15,
        };
        let mut v: Vec<f32> = codes.map(|q| p.value(self.ty, q)).collect();
        v.sort_by(f32::total_cmp);
        v.dedup();
        v
    }

    /// Whole blocks: `8·bytes·⌈n/32⌉/n` (8.5, 4.5, 5.0 when `n` is a multiple of 32).
    fn bits_per_value(&self) -> f64 {
        8.0 * (self.ty.block_bytes() * self.params.len()) as f64 / self.len as f64
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn block(head: &[f32], fill: f32) -> [f32; QK] {
        let mut b = [fill; QK];
        b[..head.len()].copy_from_slice(head);
        b
    }

    #[test]
    fn block_sizes_and_bits_per_value_match_ggml() {
        assert_eq!(GgmlType::Q8_0.block_bytes(), 34);
        assert_eq!(GgmlType::Q4_0.block_bytes(), 18);
        assert_eq!(GgmlType::Q4_1.block_bytes(), 20);
        assert_eq!(GgmlType::Q8_0.bits_per_value(), 8.5);
        assert_eq!(GgmlType::Q4_0.bits_per_value(), 4.5);
        assert_eq!(GgmlType::Q4_1.bits_per_value(), 5.0);
    }

    #[test]
    fn q8_0_rounds_half_away_from_zero_with_d_equal_to_amax_over_127() {
        // amax = 127 → d = 1, id = 1: the codes are roundf(x).
        let x = block(&[127.0, -127.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.49], 0.0);
        let b = BlockQ8_0::quantize(&x).unwrap();
        assert_eq!(b.d.to_bits(), 0x3C00);
        assert_eq!(&b.qs[..8], &[127, -127, 1, -1, 2, 3, -3, 3]);
        assert!(b.qs[8..].iter().all(|&q| q == 0));
        let bytes = b.to_bytes();
        assert_eq!(
            &bytes[..10],
            &[0x00, 0x3C, 0x7F, 0x81, 0x01, 0xFF, 0x02, 0x03, 0xFD, 0x03]
        );
        assert_eq!(
            &b.dequantize()[..8],
            &[127.0, -127.0, 1.0, -1.0, 2.0, 3.0, -3.0, 3.0]
        );
    }

    #[test]
    fn q8_0_stores_the_scale_rounded_to_fp16() {
        // amax = 1 → d = 1/127 in f32, stored as the nearest fp16 (0x2008 = 0.0078740...).
        let x = block(&[1.0, -0.5], 0.25);
        let b = BlockQ8_0::quantize(&x).unwrap();
        assert_eq!(b.d, f16::from_f32(1.0 / 127.0));
        assert_eq!(b.d.to_bits(), 0x2008);
        // id = 127 exactly in f32: 0.5·127 = 63.5 → 64, 0.25·127 = 31.75 → 32.
        assert_eq!(&b.qs[..3], &[127, -64, 32]);
    }

    #[test]
    fn q4_0_uses_the_signed_max_over_minus_8_and_adds_8_5_before_truncating() {
        let mut head = [0.0f32; 19];
        head[..8].copy_from_slice(&[0.0, 7.0, 7.6, 0.5, -0.5, -8.0, -0.51, 0.49]);
        head[16..19].copy_from_slice(&[3.0, -3.0, -7.9]);
        let mut x = block(&head, 1.0);
        x[8..16].fill(0.0);
        let b = BlockQ4_0::quantize(&x).unwrap();
        // max = −8 → d = 1.
        assert_eq!(b.d.to_bits(), 0x3C00);
        let codes = b.codes();
        assert_eq!(&codes[..8], &[8, 15, 15, 9, 8, 0, 7, 8]);
        assert_eq!(&codes[16..19], &[11, 5, 0]);
        // Low nibble = code j, high nibble = code j + 16.
        assert_eq!(
            &b.qs[..8],
            &[0xB8, 0x5F, 0x0F, 0x99, 0x98, 0x90, 0x97, 0x98]
        );
        assert!(b.qs[8..].iter().all(|&q| q == 0x98));
        assert_eq!(&b.to_bytes()[..4], &[0x00, 0x3C, 0xB8, 0x5F]);
        let y = b.dequantize();
        assert_eq!(&y[..8], &[0.0, 7.0, 7.0, 1.0, 0.0, -8.0, -1.0, 0.0]);
        assert_eq!(&y[16..19], &[3.0, -3.0, -8.0]);
    }

    #[test]
    fn q4_0_keeps_the_sign_of_the_first_largest_magnitude() {
        // |8| = |−8|: the first one (8) wins, d = −1, so 8 → code 0 and −8 clips to 15 (−7).
        let x = block(&[8.0, -8.0], 0.0);
        let b = BlockQ4_0::quantize(&x).unwrap();
        assert_eq!(b.d.to_bits(), 0xBC00);
        assert_eq!(&b.codes()[..3], &[0, 15, 8]);
        assert_eq!(&b.dequantize()[..3], &[8.0, -7.0, 0.0]);
    }

    #[test]
    fn q4_1_uses_min_and_range_over_15_and_rounds_half_up() {
        let x = block(&[-1.0, 14.0, 0.0, 0.5, 3.49], 2.0);
        let b = BlockQ4_1::quantize(&x).unwrap();
        assert_eq!(b.d.to_bits(), 0x3C00);
        assert_eq!(b.m.to_bits(), 0xBC00);
        assert_eq!(&b.codes()[..6], &[0, 15, 1, 2, 4, 3]);
        assert_eq!(&b.qs[..6], &[0x30, 0x3F, 0x31, 0x32, 0x34, 0x33]);
        assert_eq!(&b.to_bytes()[..6], &[0x00, 0x3C, 0x00, 0xBC, 0x30, 0x3F]);
        assert_eq!(&b.dequantize()[..6], &[-1.0, 14.0, 0.0, 1.0, 3.0, 2.0]);
    }

    #[test]
    fn an_all_zero_block_has_scale_zero_and_decodes_to_zero() {
        let z = [0.0f32; QK];
        assert_eq!(BlockQ8_0::quantize(&z).unwrap().dequantize(), z);
        let b = BlockQ4_0::quantize(&z).unwrap();
        assert_eq!(b.codes(), [8; QK]);
        assert_eq!(b.dequantize(), z);
        let b = BlockQ4_1::quantize(&z).unwrap();
        assert_eq!(b.codes(), [0; QK]);
        assert_eq!(b.dequantize(), z);
    }

    #[test]
    fn the_quantizer_agrees_with_the_block_functions() {
        let x: Vec<f32> = (0..100)
            .map(|i| ((i as f32) * 0.61).sin() * 3.0 + 0.4)
            .collect();
        for ty in [GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1] {
            let q = GgmlQuantizer::fit(ty, &x, &[]).unwrap();
            let y = q.quantize_dequantize(&x).unwrap();
            let want = match ty {
                GgmlType::Q8_0 => dequantize_row_q8_0(&quantize_row_q8_0(&x).unwrap(), 100),
                GgmlType::Q4_0 => dequantize_row_q4_0(&quantize_row_q4_0(&x).unwrap(), 100),
                GgmlType::Q4_1 => dequantize_row_q4_1(&quantize_row_q4_1(&x).unwrap(), 100),
            }
            .unwrap();
            assert_eq!(y, want, "{ty:?}");
            // 100 values = 4 blocks (the last one padded).
            assert_eq!(
                q.bits_per_value(),
                8.0 * (4 * ty.block_bytes()) as f64 / 100.0
            );
        }
    }

    #[test]
    fn round_trip_errors_stay_within_the_step() {
        let x: Vec<f32> = (0..320)
            .map(|i| ((i as f32) * 0.37).cos() * (1.0 + i as f32 / 50.0))
            .collect();
        for ty in [GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1] {
            let q = GgmlQuantizer::fit(ty, &x, &[]).unwrap();
            let y = q.quantize_dequantize(&x).unwrap();
            let scales = q.scales();
            for (i, (a, b)) in x.iter().zip(&y).enumerate() {
                let d = scales[i / QK].abs();
                // Q4_0's far side reaches only 7·|d| against 8·|d|: up to one step.
                let bound = match ty {
                    GgmlType::Q4_0 => 1.01 * d,
                    _ => 0.52 * d + 1e-3 * a.abs(),
                };
                assert!((a - b).abs() <= bound, "{ty:?} {i}: {a} → {b} (d = {d})");
            }
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(quantize_row_q4_0(&[]).is_err());
        assert!(quantize_row_q8_0(&[1.0, f32::NAN]).is_err());
        assert!(BlockQ4_1::quantize(&block(&[f32::INFINITY], 0.0)).is_err());
        let q = GgmlQuantizer::fit(GgmlType::Q4_0, &[1.0, 2.0], &[]).unwrap();
        assert!(q.dequantize(&[16, 0]).is_err());
        assert!(q.dequantize(&[-1, 0]).is_err());
        let q8 = GgmlQuantizer::fit(GgmlType::Q8_0, &[1.0, 2.0], &[]).unwrap();
        assert!(q8.dequantize(&[-127, 127]).is_ok());
        assert!(q8.dequantize(&[-128, 0]).is_err());
        assert!(GgmlQuantizer::fit(GgmlType::Q8_0, &[1.0, 2.0], &[3]).is_err());
        assert!(dequantize_row_q4_1(&[], 1).is_err());
    }

    #[test]
    fn huge_values_saturate_the_fp16_scale_instead_of_becoming_infinite() {
        let x = block(&[1e30, -3e30], 0.0);
        for ty in [GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_1] {
            let q = GgmlQuantizer::fit(ty, &x, &[]).unwrap();
            let y = q.quantize_dequantize(&x).unwrap();
            assert!(y.iter().all(|v| v.is_finite()), "{ty:?}");
        }
    }
}
