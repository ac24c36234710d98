//! Q8_K: the intermediate format ggml quantizes activations to for its K-quant dot
//! products: 256 values, one `f32` scale, 8-bit codes, and the sum of every 16 codes.
//!
//! Value of code `q`: `d·q`. 292 bytes per 256 values: 9.125 bits per value (it is never
//! stored in files; the sums let a dot product with a K-quant subtract its minimums once
//! per sub-block).
//!
//! **Quantization** (ggml's `quantize_row_q8_K_ref`): `max` = the value of largest
//! magnitude (sign kept, the first on ties), `iscale = −127/max`, `q = min(127,
//! round(iscale·x))` (half to even), `d = 1/iscale`, `bsums[j] = Σ q` over values
//! `16j … 16j + 15`. An all-zero block stores `d = 0` and zero codes and sums.
//!
//! **Layout** (`block_q8_K`): `d` (`f32`, little-endian), `qs[256]` (`i8`), `bsums[16]`
//! (`i16`, little-endian).

use crate::quant::ggml::common::{GgmlBlock, SubParams, byte, nearest_int, read_array};
use crate::quant::inspect::{DecodeStep, StepKind};
use crate::quant::types::{GgmlType, Q8_K_BYTES, QK_K};

/// One Q8_K block.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockQ8K {
    /// Scale.
    pub d: f32,
    /// Codes.
    pub qs: [i8; QK_K],
    /// Sums of each 16 codes.
    pub bsums: [i16; QK_K / 16],
}

const _: () = assert!(std::mem::size_of::<BlockQ8K>() == 292);
const _: () = assert!(std::mem::size_of::<BlockQ8K>() == Q8_K_BYTES);

/// The code of `x` under `iscale` (`−128..=127`; values beyond the block's range clamp).
pub(crate) fn code_q8_k(x: f32, iscale: f32) -> i32 {
    nearest_int(iscale * x).clamp(-128, 127)
}

impl BlockQ8K {
    fn fit(x: &[f32]) -> (Self, SubParams) {
        let (mut max, mut amax) = (0.0f32, 0.0f32);
        for &v in x {
            if v.abs() > amax {
                amax = v.abs();
                max = v;
            }
        }
        if amax == 0.0 {
            let b = BlockQ8K {
                d: 0.0,
                qs: [0; QK_K],
                bsums: [0; QK_K / 16],
            };
            return (b, SubParams::default());
        }
        let iscale = -127.0 / max;
        let qs: [i8; QK_K] = std::array::from_fn(|j| nearest_int(iscale * x[j]).min(127) as i8);
        let bsums = std::array::from_fn(|j| {
            qs[16 * j..16 * j + 16]
                .iter()
                .map(|&q| i32::from(q))
                .sum::<i32>() as i16
        });
        let d = 1.0 / iscale;
        let p = SubParams {
            mul: d,
            inv: iscale,
            ..SubParams::default()
        };
        (BlockQ8K { d, qs, bsums }, p)
    }
}

impl GgmlBlock for BlockQ8K {
    const TYPE: GgmlType = GgmlType::Q8_K;

    fn quantize_values(x: &[f32]) -> Self {
        Self::fit(x).0
    }

    fn quantize_fitted(x: &[f32]) -> (Self, Vec<SubParams>) {
        let (b, p) = Self::fit(x);
        (b, vec![p])
    }

    fn dequantize(&self) -> Vec<f32> {
        self.qs.iter().map(|&q| self.d * f32::from(q)).collect()
    }

    fn codes(&self) -> Vec<i32> {
        self.qs.iter().map(|&q| i32::from(q)).collect()
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.d.to_le_bytes().to_vec();
        b.extend(self.qs.iter().map(|&q| q as u8));
        for s in self.bsums {
            b.extend_from_slice(&s.to_le_bytes());
        }
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockQ8K {
            d: f32::from_le_bytes(read_array(bytes, 0)),
            qs: read_array::<QK_K>(bytes, 4).map(|b| b as i8),
            bsums: std::array::from_fn(|j| {
                i16::from_le_bytes([byte(bytes, 260 + 2 * j), byte(bytes, 261 + 2 * j)])
            }),
        }
    }

    fn steps(&self) -> Vec<DecodeStep> {
        vec![DecodeStep::stored(
            StepKind::BlockScale,
            None,
            u64::from(self.d.to_bits()),
            32,
            "d = fp32",
            f64::from(self.d),
        )]
    }

    fn sub_params(&self) -> Vec<SubParams> {
        vec![SubParams {
            mul: self.d,
            ..SubParams::default()
        }]
    }
}
