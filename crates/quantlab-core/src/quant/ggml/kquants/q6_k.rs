//! Q6_K: super-blocks of 256 values in 16 sub-blocks of 16, each with a signed 8-bit scale
//! under one fp16 super-scale `d`; 6-bit codes (symmetric).
//!
//! Value of code `q ∈ 0..=63` in sub-block `j`: `d·sc_j·(q − 32)`. 210 bytes per 256
//! values: 6.5625 bits per value.
//!
//! **Quantization** (ggml's `quantize_row_q6_K_ref`): each sub-block's scale comes from
//! [`make_qx_quants`] (`nmax = 32`, weights `x²`, 19 inverse scales tried); if every scale
//! is below 10⁻¹⁵ in magnitude the whole super-block is zeros. Otherwise the scale of
//! largest magnitude `s_max` (sign kept) sets `d = 1/(−128/s_max)`, each scale is rounded
//! to `min(127, round(−128·s_j/s_max))` (an `i8`), and the codes are chosen again as
//! `clamp(round(x/(d·sc_j)), −32, 31) + 32` (a sub-block whose stored scale is 0 keeps the
//! search's codes).
//!
//! **Layout** (`block_q6_K`): `ql[128]`, `qh[64]`, `scales[16]` (`i8`), `d` (fp16,
//! little-endian). In half `h` of 128 values, for `l = 0…31`: `ql[64h + l]` holds the low
//! nibbles of codes `l` and `l + 64`, `ql[64h + l + 32]` those of `l + 32` and `l + 96`,
//! and `qh[32h + l]` the top 2 bits of codes `l`, `l + 32`, `l + 64`, `l + 96` in bits
//! 0–1, 2–3, 4–5, 6–7 (positions relative to the half).

use half::f16;

use crate::quant::ggml::common::{
    GROUP_MAX_EPS, GgmlBlock, SubParams, nearest_int, read_array, read_f16, to_f16,
};
use crate::quant::ggml::common::{fp16_step, sub_steps};
use crate::quant::ggml::kquants::search::make_qx_quants;
use crate::quant::inspect::{DecodeStep, StepKind};
use crate::quant::types::{GgmlType, Q6_K_BYTES, QK_K};

/// One Q6_K super-block.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockQ6K {
    /// Low 4 bits of the codes.
    pub ql: [u8; QK_K / 2],
    /// Top 2 bits of the codes.
    pub qh: [u8; QK_K / 4],
    /// Signed 8-bit sub-block scales.
    pub scales: [i8; QK_K / 16],
    /// Super-scale.
    pub d: f16,
}

const _: () = assert!(std::mem::size_of::<BlockQ6K>() == 210);
const _: () = assert!(std::mem::size_of::<BlockQ6K>() == Q6_K_BYTES);

impl GgmlBlock for BlockQ6K {
    const TYPE: GgmlType = GgmlType::Q6_K;

    fn quantize_values(x: &[f32]) -> Self {
        let mut l = [0i8; QK_K];
        let mut scales = [0.0f32; 16];
        let (mut max_scale, mut max_abs) = (0.0f32, 0.0f32);
        for j in 0..16 {
            let s = make_qx_quants(&x[16 * j..16 * j + 16], 32, &mut l[16 * j..16 * j + 16]);
            scales[j] = s;
            if s.abs() > max_abs {
                max_abs = s.abs();
                max_scale = s;
            }
        }
        if max_abs < GROUP_MAX_EPS {
            return BlockQ6K {
                ql: [0; QK_K / 2],
                qh: [0; QK_K / 4],
                scales: [0; QK_K / 16],
                d: f16::ZERO,
            };
        }
        let iscale = -128.0 / max_scale;
        let d = to_f16(1.0 / iscale);
        let sc: [i8; 16] = std::array::from_fn(|j| nearest_int(iscale * scales[j]).min(127) as i8);
        for (j, &s) in sc.iter().enumerate() {
            let dj = d.to_f32() * f32::from(s);
            if dj == 0.0 {
                continue;
            }
            for i in 16 * j..16 * j + 16 {
                l[i] = (nearest_int(x[i] / dj).clamp(-32, 31) + 32) as i8;
            }
        }
        let l = l.map(|c| c as u8);
        let mut ql = [0u8; QK_K / 2];
        let mut qh = [0u8; QK_K / 4];
        for h in 0..2 {
            let j = 128 * h;
            for i in 0..32 {
                let [a, b, c, e] = [l[j + i], l[j + i + 32], l[j + i + 64], l[j + i + 96]];
                ql[64 * h + i] = (a & 0xF) | (c & 0xF) << 4;
                ql[64 * h + i + 32] = (b & 0xF) | (e & 0xF) << 4;
                qh[32 * h + i] = (a >> 4) | (b >> 4) << 2 | (c >> 4) << 4 | (e >> 4) << 6;
            }
        }
        BlockQ6K {
            ql,
            qh,
            scales: sc,
            d,
        }
    }

    fn dequantize(&self) -> Vec<f32> {
        let p = self.sub_params();
        self.codes()
            .iter()
            .enumerate()
            .map(|(i, &q)| p[i / 16].mul * (q - 32) as f32)
            .collect()
    }

    fn codes(&self) -> Vec<i32> {
        (0..QK_K)
            .map(|k| {
                let (h, r) = (k / 128, k % 128);
                let (quarter, i) = (r / 32, r % 32);
                let byte = self.ql[64 * h + i + 32 * (quarter % 2)];
                let low = (byte >> (4 * (quarter / 2))) & 0xF;
                let top = (self.qh[32 * h + i] >> (2 * quarter)) & 3;
                i32::from(low | top << 4)
            })
            .collect()
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.ql.to_vec();
        b.extend_from_slice(&self.qh);
        b.extend(self.scales.iter().map(|&s| s as u8));
        b.extend_from_slice(&self.d.to_le_bytes());
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockQ6K {
            ql: read_array(bytes, 0),
            qh: read_array(bytes, 128),
            scales: read_array::<16>(bytes, 192).map(|b| b as i8),
            d: read_f16(bytes, 208),
        }
    }

    /// `mul = d·sc_j`.
    fn steps(&self) -> Vec<DecodeStep> {
        let raw: Vec<_> = self
            .scales
            .iter()
            .map(|&s| (u32::from(s as u8), None))
            .collect();
        let mut v = vec![fp16_step(StepKind::SuperScale, "d", self.d)];
        v.extend(sub_steps(&self.sub_params(), &raw, 8, "d·sc_j"));
        v
    }

    fn sub_params(&self) -> Vec<SubParams> {
        let d = self.d.to_f32();
        self.scales
            .iter()
            .map(|&s| SubParams {
                mul: d * f32::from(s),
                ..SubParams::default()
            })
            .collect()
    }
}
