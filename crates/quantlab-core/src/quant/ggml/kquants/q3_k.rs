//! Q3_K: super-blocks of 256 values in 16 sub-blocks of 16, each with a signed 6-bit scale
//! under one fp16 super-scale `d`; 3-bit codes (no minimum: symmetric).
//!
//! Value of code `q ∈ 0..=7` in sub-block `j`: `d·(sc_j − 32)·(q − 4)`. 110 bytes per 256
//! values: 3.4375 bits per value.
//!
//! **Quantization** (ggml's `quantize_row_q3_K_ref`): each sub-block's scale comes from
//! [`make_q3_quants`] (`nmax = 4`, codes refined one at a time under weights `x²`); the
//! scale of largest magnitude `s_max` (sign kept) sets `d = 1/(−32/s_max)` and each scale
//! is rounded to `clamp(round(−32·s_j/s_max), −32, 31)`; the codes are then chosen again
//! as `clamp(round(x/(d·sc_j)), −4, 3) + 4` (a sub-block whose stored scale is 0 keeps the
//! search's codes).
//!
//! **Layout** (`block_q3_K`): `hmask[32]` (bit 2 of code `i` in bit `i/32` of byte
//! `i mod 32`), `qs[64]` (the low 2 bits, see [`pack_2bit`]), `scales[12]` (16 6-bit
//! values: the low nibbles of 0–7 and 8–15 in bytes 0–7, the top 2 bits in bytes 8–11),
//! then `d` (fp16, little-endian).

use half::f16;

use crate::quant::ggml::common::{GgmlBlock, SubParams, nearest_int, read_array, read_f16, to_f16};
use crate::quant::ggml::common::{fp16_step, sub_steps};
use crate::quant::ggml::kquants::search::{make_q3_quants, pack_2bit, unpack_2bit};
use crate::quant::inspect::{DecodeStep, StepKind};
use crate::quant::types::{GgmlType, Q3_K_BYTES, QK_K};

/// One Q3_K super-block.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockQ3K {
    /// Bit 2 of every code.
    pub hmask: [u8; QK_K / 8],
    /// Bits 0–1 of every code ([`pack_2bit`]).
    pub qs: [u8; QK_K / 4],
    /// 16 6-bit scales, biased by 32.
    pub scales: [u8; 12],
    /// Super-scale.
    pub d: f16,
}

const _: () = assert!(std::mem::size_of::<BlockQ3K>() == 110);
const _: () = assert!(std::mem::size_of::<BlockQ3K>() == Q3_K_BYTES);

/// The signed scale `sc_j − 32` of sub-block `j` (0–15).
pub fn q3_scale(j: usize, s: &[u8; 12]) -> i32 {
    let low = if j < 8 { s[j] & 0xF } else { s[j - 8] >> 4 };
    let high = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
    i32::from(low | high << 4) - 32
}

impl GgmlBlock for BlockQ3K {
    const TYPE: GgmlType = GgmlType::Q3_K;

    fn quantize_values(x: &[f32]) -> Self {
        let mut l = [0i8; QK_K];
        let mut scales = [0.0f32; 16];
        let (mut max_scale, mut amax) = (0.0f32, 0.0f32);
        for j in 0..16 {
            scales[j] = make_q3_quants(&x[16 * j..16 * j + 16], 4, &mut l[16 * j..16 * j + 16]);
            if scales[j].abs() > amax {
                amax = scales[j].abs();
                max_scale = scales[j];
            }
        }
        let mut packed = [0u8; 12];
        let mut d = f16::ZERO;
        if max_scale != 0.0 {
            let iscale = -32.0 / max_scale;
            for (j, &s) in scales.iter().enumerate() {
                let mut lj = (nearest_int(iscale * s) as i8).clamp(-32, 31) + 32;
                if j < 8 {
                    packed[j] = lj as u8 & 0xF;
                } else {
                    packed[j - 8] |= (lj as u8 & 0xF) << 4;
                }
                lj >>= 4;
                packed[j % 4 + 8] |= (lj as u8) << (2 * (j / 4));
            }
            d = to_f16(1.0 / iscale);
        }
        for j in 0..16 {
            let dj = d.to_f32() * q3_scale(j, &packed) as f32;
            if dj == 0.0 {
                continue;
            }
            for i in 16 * j..16 * j + 16 {
                l[i] = (nearest_int(x[i] / dj).clamp(-4, 3) + 4) as i8;
            }
        }
        let mut hmask = [0u8; QK_K / 8];
        let mut low = [0u8; QK_K];
        for (i, &c) in l.iter().enumerate() {
            let c = c as u8;
            if c > 3 {
                hmask[i % 32] |= 1 << (i / 32);
            }
            low[i] = c & 3;
        }
        BlockQ3K {
            hmask,
            qs: pack_2bit(&low),
            scales: packed,
            d,
        }
    }

    fn dequantize(&self) -> Vec<f32> {
        let p = self.sub_params();
        self.codes()
            .iter()
            .enumerate()
            .map(|(i, &q)| p[i / 16].mul * (q - 4) as f32)
            .collect()
    }

    fn codes(&self) -> Vec<i32> {
        unpack_2bit(&self.qs)
            .into_iter()
            .enumerate()
            .map(|(i, q)| i32::from(q) | i32::from((self.hmask[i % 32] >> (i / 32)) & 1) << 2)
            .collect()
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.hmask.to_vec();
        b.extend_from_slice(&self.qs);
        b.extend_from_slice(&self.scales);
        b.extend_from_slice(&self.d.to_le_bytes());
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockQ3K {
            hmask: read_array(bytes, 0),
            qs: read_array(bytes, 32),
            scales: read_array(bytes, 96),
            d: read_f16(bytes, 108),
        }
    }

    /// `mul = d·(sc_j − 32)`.
    fn steps(&self) -> Vec<DecodeStep> {
        let raw: Vec<_> = (0..16)
            .map(|j| ((q3_scale(j, &self.scales) + 32) as u32, None))
            .collect();
        let mut v = vec![fp16_step(StepKind::SuperScale, "d", self.d)];
        v.extend(sub_steps(&self.sub_params(), &raw, 6, "d·(sc_j − 32)"));
        v
    }

    fn sub_params(&self) -> Vec<SubParams> {
        let d = self.d.to_f32();
        (0..16)
            .map(|j| SubParams {
                mul: d * q3_scale(j, &self.scales) as f32,
                ..SubParams::default()
            })
            .collect()
    }
}
