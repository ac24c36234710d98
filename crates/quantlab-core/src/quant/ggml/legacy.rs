//! The 32-value ggml blocks: Q8_0, Q4_0, Q4_1, Q5_0 and Q5_1.
//!
//! Each block stores an fp16 scale `d` (Q4_1 and Q5_1 also an fp16 offset `m`) next to its
//! codes. The rules are those of ggml's reference quantizers (`quantize_row_q*_ref` in
//! `ggml-quants.c`, layouts `block_q*` in `ggml-common.h`), restated; all arithmetic is
//! `f32`, with `id = 1/d` from the unrounded `d`:
//!
//! | type | scale | code of `x` | value of code `q` | bytes | bits per value |
//! |---|---|---|---|---|---|
//! | Q8_0 | `d = amax/127` | `roundf(x·id)` (half away from zero) | `q·d` | 2 + 32 = 34 | 8.5 |
//! | Q4_0 | `d = max/−8` | `min(15, trunc(x·id + 8.5))` | `(q − 8)·d` | 2 + 16 = 18 | 4.5 |
//! | Q4_1 | `d = (max − min)/15`, `m = min` | `min(15, trunc((x − min)·id + 0.5))` | `q·d + m` | 2 + 2 + 16 = 20 | 5.0 |
//! | Q5_0 | `d = max/−16` | `min(31, trunc(x·id + 16.5))` | `(q − 16)·d` | 2 + 4 + 16 = 22 | 5.5 |
//! | Q5_1 | `d = (max − min)/31`, `m = min` | `min(31, trunc((x − min)·id + 0.5))` | `q·d + m` | 2 + 2 + 4 + 16 = 24 | 6.0 |
//!
//! (`amax = max|x|`; in Q4_0 and Q5_0 `max` is the value of largest magnitude with its sign,
//! the first one when several tie, so the grid's extra level lies on that side; `id = 0`
//! when `d = 0`.)
//!
//! **Rounding** is not the crate's half-to-even: Q8_0 rounds half away from zero (C
//! `roundf`), the others add 0.5 (8.5, 16.5) and truncate, i.e. round half up, to match
//! the files llama.cpp writes. Products and sums are evaluated without fused multiply-add.
//!
//! **Layout.** Codes `j` and `j + 16` share byte `j` of `qs` (low and high nibble). The
//! 5-bit types keep the fifth bit of code `j` in bit `j` of the little-endian `u32` `qh`.
//!
//! **Edges.** A scale or minimum beyond the fp16 range is saturated to ±65504 (the
//! reference would store ±∞).

use half::f16;

use crate::quant::ggml::common::fp16_step;
use crate::quant::ggml::common::{GgmlBlock, SubParams, inverse, read_array, read_f16, to_f16};
use crate::quant::inspect::{DecodeStep, StepKind};
use crate::quant::types::{
    GgmlType, Q4_0_BYTES, Q4_1_BYTES, Q5_0_BYTES, Q5_1_BYTES, Q8_0_BYTES, QK,
};

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

/// One Q5_0 block: fp16 scale, the 32 fifth bits, then the low 4 bits of 32 codes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockQ5_0 {
    /// Scale `d = max/−16`.
    pub d: f16,
    /// Bit `j` of this little-endian `u32` is bit 4 of code `j`.
    pub qh: [u8; 4],
    /// Low 4 bits: byte `j` = code `j` (low nibble) | code `j + 16` (high nibble).
    pub qs: [u8; QK / 2],
}

/// One Q5_1 block: fp16 scale and minimum, the 32 fifth bits, then the low 4 bits.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockQ5_1 {
    /// Scale `d = (max − min)/31`.
    pub d: f16,
    /// Offset `m = min`.
    pub m: f16,
    /// Bit `j` of this little-endian `u32` is bit 4 of code `j`.
    pub qh: [u8; 4],
    /// Low 4 bits: byte `j` = code `j` (low nibble) | code `j + 16` (high nibble).
    pub qs: [u8; QK / 2],
}

// The in-memory layout is exactly ggml's: checked at compile time.
const _: () = assert!(std::mem::size_of::<BlockQ8_0>() == 34);
const _: () = assert!(std::mem::size_of::<BlockQ4_0>() == 18);
const _: () = assert!(std::mem::size_of::<BlockQ4_1>() == 20);
const _: () = assert!(std::mem::size_of::<BlockQ5_0>() == 22);
const _: () = assert!(std::mem::size_of::<BlockQ5_1>() == 24);
const _: () = assert!(std::mem::size_of::<BlockQ8_0>() == Q8_0_BYTES);
const _: () = assert!(std::mem::size_of::<BlockQ4_0>() == Q4_0_BYTES);
const _: () = assert!(std::mem::size_of::<BlockQ4_1>() == Q4_1_BYTES);
const _: () = assert!(std::mem::size_of::<BlockQ5_0>() == Q5_0_BYTES);
const _: () = assert!(std::mem::size_of::<BlockQ5_1>() == Q5_1_BYTES);
const _: () = assert!(std::mem::align_of::<BlockQ4_1>() == 2);

/// The value of largest magnitude with its sign (the first one on ties), 0 for none.
fn signed_absmax(x: &[f32]) -> f32 {
    let (mut amax, mut max) = (0.0f32, 0.0f32);
    for &v in x {
        if amax < v.abs() {
            amax = v.abs();
            max = v;
        }
    }
    max
}

/// `(min, max)` of `x` as the reference finds them.
fn min_max(x: &[f32]) -> (f32, f32) {
    let (mut min, mut max) = (f32::MAX, -f32::MAX);
    for &v in x {
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
        }
    }
    (min, max)
}

/// Codes of a block packed as ggml does: byte `j` = low nibble of `q[j]` | `q[j + 16] << 4`.
fn pack_nibbles(q: &[i32]) -> [u8; QK / 2] {
    std::array::from_fn(|j| (q[j] as u8 & 0xF) | (q[j + QK / 2] as u8 & 0xF) << 4)
}

/// The 32 nibbles of `qs`, in value order.
fn unpack_nibbles(qs: &[u8; QK / 2]) -> Vec<i32> {
    let mut q = vec![0i32; QK];
    for (j, &byte) in qs.iter().enumerate() {
        q[j] = i32::from(byte & 0xF);
        q[j + QK / 2] = i32::from(byte >> 4);
    }
    q
}

/// The fifth bits of 5-bit codes, bit `j` for code `j`, as little-endian bytes.
fn pack_high_bits(q: &[i32]) -> [u8; 4] {
    let bits = q
        .iter()
        .enumerate()
        .fold(0u32, |h, (j, &c)| h | (((c as u32 >> 4) & 1) << j));
    bits.to_le_bytes()
}

/// 5-bit codes from their low nibbles and fifth bits.
fn unpack_5bit(qh: &[u8; 4], qs: &[u8; QK / 2]) -> Vec<i32> {
    let h = u32::from_le_bytes(*qh);
    let mut q = unpack_nibbles(qs);
    for (j, c) in q.iter_mut().enumerate() {
        *c |= (((h >> j) & 1) as i32) << 4;
    }
    q
}

/// `min(top, trunc(v))` through a C integer conversion (`v` is never below 0 here; a
/// negative one, possible only for values outside the fitted block, gives 0).
fn trunc_code(v: f32, top: i32) -> i32 {
    (v.trunc() as i32).clamp(0, top)
}

/// `params` (one sub-block) with the coding parameters `inv` and `off`.
fn with_coding(params: Vec<SubParams>, inv: f32, off: f32) -> Vec<SubParams> {
    params
        .into_iter()
        .map(|p| SubParams { inv, off, ..p })
        .collect()
}

/// The Q8_0 code of `x` under inverse scale `id`.
pub(crate) fn code_q8_0(x: f32, id: f32) -> i32 {
    (x * id).round().clamp(-127.0, 127.0) as i32
}

/// The Q4_0 (`half = 8`) or Q5_0 (`half = 16`) code of `x`.
pub(crate) fn code_sym(x: f32, id: f32, half: i32) -> i32 {
    trunc_code(x * id + (half as f32 + 0.5), 2 * half - 1)
}

/// The Q4_1 (`top = 15`) or Q5_1 (`top = 31`) code of `x` above `min`.
pub(crate) fn code_affine(x: f32, min: f32, id: f32, top: i32) -> i32 {
    trunc_code((x - min) * id + 0.5, top)
}

impl GgmlBlock for BlockQ8_0 {
    const TYPE: GgmlType = GgmlType::Q8_0;

    fn quantize_values(x: &[f32]) -> Self {
        Self::quantize_fitted(x).0
    }

    fn quantize_fitted(x: &[f32]) -> (Self, Vec<SubParams>) {
        let amax = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        let id = inverse(d);
        let b = BlockQ8_0 {
            d: to_f16(d),
            qs: std::array::from_fn(|j| code_q8_0(x[j], id) as i8),
        };
        (b, with_coding(b.sub_params(), id, 0.0))
    }

    fn dequantize(&self) -> Vec<f32> {
        let d = self.d.to_f32();
        self.qs.iter().map(|&q| f32::from(q) * d).collect()
    }

    fn codes(&self) -> Vec<i32> {
        self.qs.iter().map(|&q| i32::from(q)).collect()
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.d.to_le_bytes().to_vec();
        b.extend(self.qs.iter().map(|&q| q as u8));
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockQ8_0 {
            d: read_f16(bytes, 0),
            qs: read_array::<QK>(bytes, 2).map(|b| b as i8),
        }
    }

    fn steps(&self) -> Vec<DecodeStep> {
        vec![fp16_step(StepKind::BlockScale, "d", self.d)]
    }

    fn sub_params(&self) -> Vec<SubParams> {
        let mul = self.d.to_f32();
        vec![SubParams {
            mul,
            ..SubParams::default()
        }]
    }
}

impl GgmlBlock for BlockQ4_0 {
    const TYPE: GgmlType = GgmlType::Q4_0;

    fn quantize_values(x: &[f32]) -> Self {
        Self::quantize_fitted(x).0
    }

    fn quantize_fitted(x: &[f32]) -> (Self, Vec<SubParams>) {
        let d = signed_absmax(x) / -8.0;
        let id = inverse(d);
        let q: Vec<i32> = x.iter().map(|&v| code_sym(v, id, 8)).collect();
        let b = BlockQ4_0 {
            d: to_f16(d),
            qs: pack_nibbles(&q),
        };
        (b, with_coding(b.sub_params(), id, 0.0))
    }

    fn dequantize(&self) -> Vec<f32> {
        let d = self.d.to_f32();
        self.codes().iter().map(|&q| (q - 8) as f32 * d).collect()
    }

    fn codes(&self) -> Vec<i32> {
        unpack_nibbles(&self.qs)
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.d.to_le_bytes().to_vec();
        b.extend_from_slice(&self.qs);
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockQ4_0 {
            d: read_f16(bytes, 0),
            qs: read_array(bytes, 2),
        }
    }

    fn steps(&self) -> Vec<DecodeStep> {
        vec![fp16_step(StepKind::BlockScale, "d", self.d)]
    }

    fn sub_params(&self) -> Vec<SubParams> {
        vec![SubParams {
            mul: self.d.to_f32(),
            ..SubParams::default()
        }]
    }
}

impl GgmlBlock for BlockQ4_1 {
    const TYPE: GgmlType = GgmlType::Q4_1;

    fn quantize_values(x: &[f32]) -> Self {
        Self::quantize_fitted(x).0
    }

    fn quantize_fitted(x: &[f32]) -> (Self, Vec<SubParams>) {
        let (min, max) = min_max(x);
        let d = (max - min) / 15.0;
        let id = inverse(d);
        let q: Vec<i32> = x.iter().map(|&v| code_affine(v, min, id, 15)).collect();
        let b = BlockQ4_1 {
            d: to_f16(d),
            m: to_f16(min),
            qs: pack_nibbles(&q),
        };
        (b, with_coding(b.sub_params(), id, min))
    }

    fn dequantize(&self) -> Vec<f32> {
        let (d, m) = (self.d.to_f32(), self.m.to_f32());
        self.codes().iter().map(|&q| q as f32 * d + m).collect()
    }

    fn codes(&self) -> Vec<i32> {
        unpack_nibbles(&self.qs)
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.d.to_le_bytes().to_vec();
        b.extend_from_slice(&self.m.to_le_bytes());
        b.extend_from_slice(&self.qs);
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockQ4_1 {
            d: read_f16(bytes, 0),
            m: read_f16(bytes, 2),
            qs: read_array(bytes, 4),
        }
    }

    fn steps(&self) -> Vec<DecodeStep> {
        vec![
            fp16_step(StepKind::BlockScale, "d", self.d),
            fp16_step(StepKind::Min, "m", self.m),
        ]
    }

    fn sub_params(&self) -> Vec<SubParams> {
        vec![SubParams {
            mul: self.d.to_f32(),
            add: self.m.to_f32(),
            ..SubParams::default()
        }]
    }
}

impl GgmlBlock for BlockQ5_0 {
    const TYPE: GgmlType = GgmlType::Q5_0;

    fn quantize_values(x: &[f32]) -> Self {
        Self::quantize_fitted(x).0
    }

    fn quantize_fitted(x: &[f32]) -> (Self, Vec<SubParams>) {
        let d = signed_absmax(x) / -16.0;
        let id = inverse(d);
        let q: Vec<i32> = x.iter().map(|&v| code_sym(v, id, 16)).collect();
        let b = BlockQ5_0 {
            d: to_f16(d),
            qh: pack_high_bits(&q),
            qs: pack_nibbles(&q),
        };
        (b, with_coding(b.sub_params(), id, 0.0))
    }

    fn dequantize(&self) -> Vec<f32> {
        let d = self.d.to_f32();
        self.codes().iter().map(|&q| (q - 16) as f32 * d).collect()
    }

    fn codes(&self) -> Vec<i32> {
        unpack_5bit(&self.qh, &self.qs)
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.d.to_le_bytes().to_vec();
        b.extend_from_slice(&self.qh);
        b.extend_from_slice(&self.qs);
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockQ5_0 {
            d: read_f16(bytes, 0),
            qh: read_array(bytes, 2),
            qs: read_array(bytes, 6),
        }
    }

    fn steps(&self) -> Vec<DecodeStep> {
        vec![fp16_step(StepKind::BlockScale, "d", self.d)]
    }

    fn sub_params(&self) -> Vec<SubParams> {
        vec![SubParams {
            mul: self.d.to_f32(),
            ..SubParams::default()
        }]
    }
}

impl GgmlBlock for BlockQ5_1 {
    const TYPE: GgmlType = GgmlType::Q5_1;

    fn quantize_values(x: &[f32]) -> Self {
        Self::quantize_fitted(x).0
    }

    fn quantize_fitted(x: &[f32]) -> (Self, Vec<SubParams>) {
        let (min, max) = min_max(x);
        let d = (max - min) / 31.0;
        let id = inverse(d);
        let q: Vec<i32> = x.iter().map(|&v| code_affine(v, min, id, 31)).collect();
        let b = BlockQ5_1 {
            d: to_f16(d),
            m: to_f16(min),
            qh: pack_high_bits(&q),
            qs: pack_nibbles(&q),
        };
        (b, with_coding(b.sub_params(), id, min))
    }

    fn dequantize(&self) -> Vec<f32> {
        let (d, m) = (self.d.to_f32(), self.m.to_f32());
        self.codes().iter().map(|&q| q as f32 * d + m).collect()
    }

    fn codes(&self) -> Vec<i32> {
        unpack_5bit(&self.qh, &self.qs)
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.d.to_le_bytes().to_vec();
        b.extend_from_slice(&self.m.to_le_bytes());
        b.extend_from_slice(&self.qh);
        b.extend_from_slice(&self.qs);
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockQ5_1 {
            d: read_f16(bytes, 0),
            m: read_f16(bytes, 2),
            qh: read_array(bytes, 4),
            qs: read_array(bytes, 8),
        }
    }

    fn steps(&self) -> Vec<DecodeStep> {
        vec![
            fp16_step(StepKind::BlockScale, "d", self.d),
            fp16_step(StepKind::Min, "m", self.m),
        ]
    }

    fn sub_params(&self) -> Vec<SubParams> {
        vec![SubParams {
            mul: self.d.to_f32(),
            add: self.m.to_f32(),
            ..SubParams::default()
        }]
    }
}
