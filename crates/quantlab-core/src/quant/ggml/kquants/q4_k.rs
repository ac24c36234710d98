//! Q4_K: super-blocks of 256 values in 8 sub-blocks of 32, each with a 6-bit scale and a
//! 6-bit minimum under fp16 super-scales `d` and `dmin`; 4-bit codes.
//!
//! Value of code `q ∈ 0..=15` in sub-block `j`: `d·sc_j·q − dmin·m_j`. 144 bytes per 256
//! values: 4.5 bits per value.
//!
//! **Quantization** (ggml's `quantize_row_q4_K_ref`, shared with Q5_K through
//! [`fit_affine`]): each sub-block is weighted by `w = √(Σx²/32) + |x|` and fitted by
//! [`make_qkx2_quants`] (`nmax = 15`, squared error, 21 tries from `rmin = −1` in steps of
//! 0.1); the largest scale and minimum set `d = max_scale/63`, `dmin = max_min/63`, each
//! pair is rounded to 6 bits (`min(63, round(63·scale_j/max_scale))`), and the codes are
//! chosen again against the stored values, `clamp(round((x + dmin·m_j)/(d·sc_j)), 0, 15)`
//! (a sub-block whose stored scale is 0 keeps the search's codes).
//!
//! **Layout** (`block_q4_K`): `d`, `dmin` (fp16, little-endian), `scales[12]` (see
//! [`pack_scale_min_k4`]), then `qs[128]`: in each run of 64 values, byte `l` holds code
//! `l` in its low nibble and code `l + 32` in its high nibble.

use half::f16;

use crate::quant::ggml::common::{GgmlBlock, SubParams, nearest_int, read_array, read_f16, to_f16};
use crate::quant::ggml::common::{fp16_step, sub_steps};
use crate::quant::ggml::kquants::search::{
    Qkx2, make_qkx2_quants, pack_scale_min_k4, scale_min_k4,
};
use crate::quant::inspect::{DecodeStep, StepKind};
use crate::quant::types::{GgmlType, Q4_K_BYTES, QK_K};

/// One Q4_K super-block.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockQ4K {
    /// Super-scale of the sub-block scales.
    pub d: f16,
    /// Super-scale of the sub-block minimums.
    pub dmin: f16,
    /// Eight 6-bit scales and eight 6-bit minimums ([`pack_scale_min_k4`]).
    pub scales: [u8; 12],
    /// 4-bit codes.
    pub qs: [u8; QK_K / 2],
}

const _: () = assert!(std::mem::size_of::<BlockQ4K>() == 144);
const _: () = assert!(std::mem::size_of::<BlockQ4K>() == Q4_K_BYTES);

/// A fitted Q4_K/Q5_K super-block before its codes are packed.
#[derive(Debug, Clone, Copy)]
pub struct AffineFit {
    /// The 256 codes (`0..=nmax`).
    pub codes: [u8; QK_K],
    /// The packed 6-bit scales and minimums.
    pub scales: [u8; 12],
    /// Super-scale of the scales.
    pub d: f16,
    /// Super-scale of the minimums.
    pub dmin: f16,
}

/// The fit shared by Q4_K (`nmax = 15`, `rmin = −1`, 20 steps) and Q5_K (`nmax = 31`,
/// `rmin = −0.5`, 15 steps); see the module docs.
pub fn fit_affine(x: &[f32], search: Qkx2) -> AffineFit {
    let mut l = [0u8; QK_K];
    let mut scales = [0.0f32; 8];
    let mut mins = [0.0f32; 8];
    let (mut max_scale, mut max_min) = (0.0f32, 0.0f32);
    for j in 0..8 {
        let xs = &x[32 * j..32 * j + 32];
        let mut sum_x2 = 0.0f32;
        for &v in xs {
            sum_x2 += v * v;
        }
        let av_x = (sum_x2 / 32.0).sqrt();
        let w: Vec<f32> = xs.iter().map(|v| av_x + v.abs()).collect();
        let (s, m) = make_qkx2_quants(xs, &w, search, &mut l[32 * j..32 * j + 32]);
        scales[j] = s;
        mins[j] = m;
        if s > max_scale {
            max_scale = s;
        }
        if m > max_min {
            max_min = m;
        }
    }
    let inv_scale = if max_scale > 0.0 {
        63.0 / max_scale
    } else {
        0.0
    };
    let inv_min = if max_min > 0.0 { 63.0 / max_min } else { 0.0 };
    let ls: [u8; 8] = std::array::from_fn(|j| (nearest_int(inv_scale * scales[j]) as u8).min(63));
    let lm: [u8; 8] = std::array::from_fn(|j| (nearest_int(inv_min * mins[j]) as u8).min(63));
    let packed = pack_scale_min_k4(&ls, &lm);
    let d = to_f16(max_scale / 63.0);
    let dmin = to_f16(max_min / 63.0);
    for j in 0..8 {
        let (sc, m) = scale_min_k4(j, &packed);
        let dj = d.to_f32() * f32::from(sc);
        if dj == 0.0 {
            continue;
        }
        let dm = dmin.to_f32() * f32::from(m);
        for i in 32 * j..32 * j + 32 {
            l[i] = nearest_int((x[i] + dm) / dj).clamp(0, search.nmax) as u8;
        }
    }
    AffineFit {
        codes: l,
        scales: packed,
        d,
        dmin,
    }
}

/// `mul = d·sc_j`, `add = −dmin·m_j` for the eight sub-blocks of a Q4_K/Q5_K scale array.
pub fn affine_params(d: f16, dmin: f16, scales: &[u8; 12]) -> Vec<SubParams> {
    let (d, dmin) = (d.to_f32(), dmin.to_f32());
    (0..8)
        .map(|j| {
            let (sc, m) = scale_min_k4(j, scales);
            SubParams {
                mul: d * f32::from(sc),
                add: -(dmin * f32::from(m)),
                ..SubParams::default()
            }
        })
        .collect()
}

/// The values of codes under [`affine_params`]: `d·sc_j·q − dmin·m_j`.
pub fn affine_values(codes: &[i32], params: &[SubParams]) -> Vec<f32> {
    codes
        .iter()
        .enumerate()
        .map(|(i, &q)| {
            let s = params[i / 32];
            s.mul * q as f32 + s.add
        })
        .collect()
}

const SEARCH: Qkx2 = Qkx2 {
    nmax: 15,
    rmin: -1.0,
    rdelta: 0.1,
    nstep: 20,
    use_mad: false,
};

impl GgmlBlock for BlockQ4K {
    const TYPE: GgmlType = GgmlType::Q4_K;

    fn quantize_values(x: &[f32]) -> Self {
        let f = fit_affine(x, SEARCH);
        let mut qs = [0u8; QK_K / 2];
        for run in 0..4 {
            for l in 0..32 {
                qs[32 * run + l] = f.codes[64 * run + l] | f.codes[64 * run + l + 32] << 4;
            }
        }
        BlockQ4K {
            d: f.d,
            dmin: f.dmin,
            scales: f.scales,
            qs,
        }
    }

    fn dequantize(&self) -> Vec<f32> {
        affine_values(&self.codes(), &self.sub_params())
    }

    fn codes(&self) -> Vec<i32> {
        (0..QK_K)
            .map(|i| {
                let (run, r) = (i / 64, i % 64);
                i32::from((self.qs[32 * run + r % 32] >> (4 * (r / 32))) & 0xF)
            })
            .collect()
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.d.to_le_bytes().to_vec();
        b.extend_from_slice(&self.dmin.to_le_bytes());
        b.extend_from_slice(&self.scales);
        b.extend_from_slice(&self.qs);
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockQ4K {
            d: read_f16(bytes, 0),
            dmin: read_f16(bytes, 2),
            scales: read_array(bytes, 4),
            qs: read_array(bytes, 16),
        }
    }

    fn steps(&self) -> Vec<DecodeStep> {
        let raw: Vec<_> = (0..8)
            .map(|j| {
                let (sc, m) = crate::quant::ggml::kquants::search::scale_min_k4(j, &self.scales);
                (u32::from(sc), Some(u32::from(m)))
            })
            .collect();
        let mut v = vec![
            fp16_step(StepKind::SuperScale, "d", self.d),
            fp16_step(StepKind::SuperMin, "dmin", self.dmin),
        ];
        v.extend(sub_steps(&self.sub_params(), &raw, 6, "d·sc_j"));
        v
    }

    fn sub_params(&self) -> Vec<SubParams> {
        affine_params(self.d, self.dmin, &self.scales)
    }
}
