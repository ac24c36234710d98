//! Q2_K: super-blocks of 256 values in 16 sub-blocks of 16, each with a 4-bit scale and a
//! 4-bit minimum, both under fp16 super-scales `d` and `dmin`; 2-bit codes.
//!
//! Value of code `q ∈ 0..=3` in sub-block `j`: `d·sc_j·q − dmin·m_j`. 84 bytes per 256
//! values: 2.625 bits per value.
//!
//! **Quantization** (ggml's `quantize_row_q2_K_ref`): each sub-block gets a scale and a
//! minimum from [`make_qkx2_quants`] (`nmax = 3`, weights `|x|`, absolute error, 16 tries
//! from `rmin = −0.5` in steps of 0.1); the largest scale and the largest minimum set
//! `d = max_scale/15` and `dmin = max_min/15`, each sub-block's pair is rounded to 4 bits
//! (`sc_j = round(15·scale_j/max_scale)`), and the codes are chosen again against the
//! stored values: `q = clamp(round((x + dmin·m_j)/(d·sc_j)), 0, 3)` (a sub-block whose
//! stored scale is 0 keeps the search's codes).
//!
//! **Layout** (`block_q2_K`): `scales[16]` (low nibble `sc_j`, high nibble `m_j`), `qs[64]`
//! (2-bit codes, see [`pack_2bit`]), then `d` and `dmin` (fp16, little-endian).

use half::f16;

use crate::quant::ggml::common::{GgmlBlock, SubParams, nearest_int, read_array, read_f16, to_f16};
use crate::quant::ggml::common::{fp16_step, sub_steps};
use crate::quant::ggml::kquants::search::{Qkx2, make_qkx2_quants, pack_2bit, unpack_2bit};
use crate::quant::inspect::{DecodeStep, StepKind};
use crate::quant::types::{GgmlType, Q2_K_BYTES, QK_K};

/// One Q2_K super-block.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockQ2K {
    /// Sub-block `j`: scale in the low nibble, minimum in the high nibble.
    pub scales: [u8; QK_K / 16],
    /// 2-bit codes, four per byte ([`pack_2bit`]).
    pub qs: [u8; QK_K / 4],
    /// Super-scale of the sub-block scales.
    pub d: f16,
    /// Super-scale of the sub-block minimums.
    pub dmin: f16,
}

const _: () = assert!(std::mem::size_of::<BlockQ2K>() == 84);
const _: () = assert!(std::mem::size_of::<BlockQ2K>() == Q2_K_BYTES);

const SEARCH: Qkx2 = Qkx2 {
    nmax: 3,
    rmin: -0.5,
    rdelta: 0.1,
    nstep: 15,
    use_mad: true,
};

impl GgmlBlock for BlockQ2K {
    const TYPE: GgmlType = GgmlType::Q2_K;

    fn quantize_values(x: &[f32]) -> Self {
        let mut l = [0u8; QK_K];
        let mut scales = [0.0f32; 16];
        let mut mins = [0.0f32; 16];
        let (mut max_scale, mut max_min) = (0.0f32, 0.0f32);
        for j in 0..16 {
            let xs = &x[16 * j..16 * j + 16];
            let w: Vec<f32> = xs.iter().map(|v| v.abs()).collect();
            let (s, m) = make_qkx2_quants(xs, &w, SEARCH, &mut l[16 * j..16 * j + 16]);
            scales[j] = s;
            mins[j] = m;
            if s > max_scale {
                max_scale = s;
            }
            if m > max_min {
                max_min = m;
            }
        }
        let mut sc = [0u8; 16];
        let mut d = f16::ZERO;
        if max_scale > 0.0 {
            let iscale = 15.0 / max_scale;
            for j in 0..16 {
                sc[j] = nearest_int(iscale * scales[j]) as u8;
            }
            d = to_f16(max_scale / 15.0);
        }
        let mut dmin = f16::ZERO;
        if max_min > 0.0 {
            let iscale = 15.0 / max_min;
            for j in 0..16 {
                sc[j] |= (nearest_int(iscale * mins[j]) << 4) as u8;
            }
            dmin = to_f16(max_min / 15.0);
        }
        for (j, &s) in sc.iter().enumerate() {
            let dj = d.to_f32() * f32::from(s & 0xF);
            if dj == 0.0 {
                continue;
            }
            let dm = dmin.to_f32() * f32::from(s >> 4);
            for i in 16 * j..16 * j + 16 {
                l[i] = nearest_int((x[i] + dm) / dj).clamp(0, 3) as u8;
            }
        }
        BlockQ2K {
            scales: sc,
            qs: pack_2bit(&l),
            d,
            dmin,
        }
    }

    fn dequantize(&self) -> Vec<f32> {
        let p = self.sub_params();
        self.codes()
            .iter()
            .enumerate()
            .map(|(i, &q)| {
                let s = p[i / 16];
                s.mul * q as f32 + s.add
            })
            .collect()
    }

    fn codes(&self) -> Vec<i32> {
        unpack_2bit(&self.qs).into_iter().map(i32::from).collect()
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.scales.to_vec();
        b.extend_from_slice(&self.qs);
        b.extend_from_slice(&self.d.to_le_bytes());
        b.extend_from_slice(&self.dmin.to_le_bytes());
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockQ2K {
            scales: read_array(bytes, 0),
            qs: read_array(bytes, 16),
            d: read_f16(bytes, 80),
            dmin: read_f16(bytes, 82),
        }
    }

    /// `mul = d·sc_j`, `add = −dmin·m_j`.
    fn steps(&self) -> Vec<DecodeStep> {
        let raw: Vec<_> = self
            .scales
            .iter()
            .map(|&s| (u32::from(s & 0xF), Some(u32::from(s >> 4))))
            .collect();
        let mut v = vec![
            fp16_step(StepKind::SuperScale, "d", self.d),
            fp16_step(StepKind::SuperMin, "dmin", self.dmin),
        ];
        v.extend(sub_steps(&self.sub_params(), &raw, 4, "d·sc_j"));
        v
    }

    fn sub_params(&self) -> Vec<SubParams> {
        let (d, dmin) = (self.d.to_f32(), self.dmin.to_f32());
        self.scales
            .iter()
            .map(|&s| SubParams {
                mul: d * f32::from(s & 0xF),
                add: -(dmin * f32::from(s >> 4)),
                ..SubParams::default()
            })
            .collect()
    }
}
