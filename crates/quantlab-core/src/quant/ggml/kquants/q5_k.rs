//! Q5_K: super-blocks of 256 values in 8 sub-blocks of 32, each with a 6-bit scale and a
//! 6-bit minimum under fp16 super-scales `d` and `dmin`; 5-bit codes.
//!
//! Value of code `q ∈ 0..=31` in sub-block `j`: `d·sc_j·q − dmin·m_j`. 176 bytes per 256
//! values: 5.5 bits per value.
//!
//! **Quantization** (ggml's `quantize_row_q5_K_ref`): as Q4_K ([`fit_affine`]) with
//! `nmax = 31` and 16 tries from `rmin = −0.5` in steps of 0.1.
//!
//! **Layout** (`block_q5_K`): `d`, `dmin` (fp16, little-endian), `scales[12]` (as Q4_K),
//! `qh[32]` and `qs[128]`. In run `k` of 64 values (`k = 0…3`), byte `l` of the run's 32
//! bytes of `qs` holds the low 4 bits of codes `64k + l` (low nibble) and `64k + l + 32`
//! (high nibble); their fifth bits are bits `2k` and `2k + 1` of `qh[l]`.

use half::f16;

use crate::quant::ggml::common::{GgmlBlock, SubParams, read_array, read_f16};
use crate::quant::ggml::common::{fp16_step, sub_steps};
use crate::quant::ggml::kquants::q4_k::{affine_params, affine_values, fit_affine};
use crate::quant::ggml::kquants::search::Qkx2;
use crate::quant::inspect::{DecodeStep, StepKind};
use crate::quant::types::{GgmlType, Q5_K_BYTES, QK_K};

/// One Q5_K super-block.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockQ5K {
    /// Super-scale of the sub-block scales.
    pub d: f16,
    /// Super-scale of the sub-block minimums.
    pub dmin: f16,
    /// Eight 6-bit scales and minimums (as Q4_K).
    pub scales: [u8; 12],
    /// Fifth bits.
    pub qh: [u8; QK_K / 8],
    /// Low 4 bits.
    pub qs: [u8; QK_K / 2],
}

const _: () = assert!(std::mem::size_of::<BlockQ5K>() == 176);
const _: () = assert!(std::mem::size_of::<BlockQ5K>() == Q5_K_BYTES);

const SEARCH: Qkx2 = Qkx2 {
    nmax: 31,
    rmin: -0.5,
    rdelta: 0.1,
    nstep: 15,
    use_mad: false,
};

impl GgmlBlock for BlockQ5K {
    const TYPE: GgmlType = GgmlType::Q5_K;

    fn quantize_values(x: &[f32]) -> Self {
        let f = fit_affine(x, SEARCH);
        let mut qs = [0u8; QK_K / 2];
        let mut qh = [0u8; QK_K / 8];
        for run in 0..4 {
            for l in 0..32 {
                let (a, b) = (f.codes[64 * run + l], f.codes[64 * run + l + 32]);
                qh[l] |= (a >> 4) << (2 * run) | (b >> 4) << (2 * run + 1);
                qs[32 * run + l] = (a & 0xF) | (b & 0xF) << 4;
            }
        }
        BlockQ5K {
            d: f.d,
            dmin: f.dmin,
            scales: f.scales,
            qh,
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
                let (l, hi) = (r % 32, r / 32);
                let low = (self.qs[32 * run + l] >> (4 * hi)) & 0xF;
                let top = (self.qh[l] >> (2 * run + hi)) & 1;
                i32::from(low | top << 4)
            })
            .collect()
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.d.to_le_bytes().to_vec();
        b.extend_from_slice(&self.dmin.to_le_bytes());
        b.extend_from_slice(&self.scales);
        b.extend_from_slice(&self.qh);
        b.extend_from_slice(&self.qs);
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockQ5K {
            d: read_f16(bytes, 0),
            dmin: read_f16(bytes, 2),
            scales: read_array(bytes, 4),
            qh: read_array(bytes, 16),
            qs: read_array(bytes, 48),
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
