//! IQ4_NL: blocks of 32 values, one fp16 scale, and 4-bit indices into a fixed
//! **non-linear** table of 16 levels ([`IQ4_NL_LEVELS`]), denser near zero than a uniform
//! grid, as weights are (ggml's `kvalues_iq4nl`, `block_iq4_nl`).
//!
//! Value of index `q`: `d·T[q]` with `T = [−127, −104, −83, −65, −49, −35, −22, −10, 1, 13,
//! 25, 38, 53, 69, 89, 113]`. 18 bytes per 32 values: 4.5 bits per value.
//!
//! **The scale search** (ggml's `quantize_row_iq4_nl_impl` for one block of 32, without an
//! importance matrix, so each value is weighted by `w = x²`), restated:
//!
//! 1. `max` = the value of largest magnitude (its sign kept, the first on ties). If
//!    `max|x| < 10⁻¹⁵` the block is all zero: `d = 0`, every index 8 (level 1·0).
//! 2. Start from `d = max/T[0]·s` (`s = −1` when searching, `+1` in the reference-only mode)
//!    and pick each index as the table entry nearest to `x/d` (ties to the upper entry),
//!    then refit `d = Σw·T·x / Σw·T²` (least squares), scored by `d·Σw·T·x`.
//! 3. Searching (`ntry = 7`): for `k = −7 … 7` try the inverse scale `(k + T[0])/max`,
//!    assign indices, refit, and keep the `d` with the best score.
//! 4. Store `d` in fp16 and, when searching, assign the final indices with `1/d` (the
//!    unrounded `d`).
//!
//! [`BlockIq4Nl`]'s [`GgmlBlock`] implementation searches (`ntry = 7`: what
//! `llama-quantize` writes, ggml's `quantize_iq4_nl`); [`BlockIq4Nl::quantize_ref`] is
//! ggml's `quantize_row_iq4_nl_ref` (`ntry = −1`: one least-squares refit of the starting
//! indices, no search). All arithmetic is `f32` in the reference's order, without fused
//! multiply-add.

use half::f16;

use crate::quant::ggml::common::fp16_step;
use crate::quant::ggml::common::{
    GROUP_MAX_EPS, GgmlBlock, SubParams, inverse, read_array, read_f16, to_f16,
};
use crate::quant::inspect::{DecodeStep, StepKind};
use crate::quant::types::{GgmlType, IQ4_NL_BYTES, QK};

/// The 16 levels of IQ4_NL, ascending (ggml's `kvalues_iq4nl`).
pub const IQ4_NL_LEVELS: [i8; 16] = [
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113,
];

/// Tries on each side of the starting scale in the search `llama-quantize` uses.
pub const IQ4_NL_NTRY: i32 = 7;

/// One IQ4_NL block: fp16 scale, then 32 4-bit indices in 16 bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockIq4Nl {
    /// Scale `d`: value = `d·T[q]`.
    pub d: f16,
    /// Indices: byte `j` = index `j` (low nibble) | index `j + 16` (high nibble).
    pub qs: [u8; QK / 2],
}

const _: () = assert!(std::mem::size_of::<BlockIq4Nl>() == 18);
const _: () = assert!(std::mem::size_of::<BlockIq4Nl>() == IQ4_NL_BYTES);

/// The index of the level nearest to `x` (ggml's `best_index_int8`: a binary search; on a
/// tie between two neighbours the upper one).
pub fn best_index(x: f32) -> usize {
    let v = |i: usize| f32::from(IQ4_NL_LEVELS[i]);
    let last = IQ4_NL_LEVELS.len() - 1;
    if x <= v(0) {
        return 0;
    }
    if x >= v(last) {
        return last;
    }
    let (mut lo, mut hi) = (0usize, last);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if x < v(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    if x - v(hi - 1) < v(hi) - x {
        hi - 1
    } else {
        hi
    }
}

/// `(Σ w·T·x, Σ w·T²)` of the indices chosen with inverse scale `id`, writing them to `l`.
fn weighted_sums(x: &[f32], w: &[f32], id: f32, mut l: Option<&mut [u8]>) -> (f32, f32) {
    let (mut sumqx, mut sumq2) = (0.0f32, 0.0f32);
    for (j, (&xj, &wj)) in x.iter().zip(w).enumerate() {
        let k = best_index(id * xj);
        if let Some(l) = l.as_deref_mut() {
            l[j] = k as u8;
        }
        let q = f32::from(IQ4_NL_LEVELS[k]);
        sumqx += wj * q * xj;
        sumq2 += wj * q * q;
    }
    (sumqx, sumq2)
}

/// The search of the module docs on one block: `(d, the inverse scale the indices were
/// chosen with, the indices)`.
fn search(x: &[f32], ntry: i32) -> (f32, f32, [u8; QK]) {
    let w: Vec<f32> = x.iter().map(|&v| v * v).collect();
    let (mut amax, mut max) = (0.0f32, 0.0f32);
    for &v in x {
        if v.abs() > amax {
            amax = v.abs();
            max = v;
        }
    }
    let mut l = [8u8; QK];
    if amax < GROUP_MAX_EPS {
        return (0.0, 0.0, l);
    }
    let t0 = f32::from(IQ4_NL_LEVELS[0]);
    let d0 = if ntry > 0 { -max / t0 } else { max / t0 };
    let mut id = 1.0 / d0;
    let (sumqx, sumq2) = weighted_sums(x, &w, id, Some(&mut l));
    let mut d = if sumq2 > 0.0 { sumqx / sumq2 } else { 0.0 };
    let mut best = d * sumqx;
    for itry in -ntry..=ntry {
        let trial = (itry + i32::from(IQ4_NL_LEVELS[0])) as f32 / max;
        let (sumqx, sumq2) = weighted_sums(x, &w, trial, None);
        if sumq2 > 0.0 && sumqx * sumqx > best * sumq2 {
            d = sumqx / sumq2;
            best = d * sumqx;
        }
    }
    if ntry > 0 {
        id = inverse(d);
        for (lj, &xj) in l.iter_mut().zip(x) {
            *lj = best_index(id * xj) as u8;
        }
    }
    (d, id, l)
}

impl BlockIq4Nl {
    /// Quantizes 32 finite values with ggml's `quantize_row_iq4_nl_ref` (no scale search);
    /// see the module docs.
    pub fn quantize_ref(x: &[f32]) -> crate::error::Result<Self> {
        Self::quantize(x)?;
        Ok(Self::fit(x, -1).0)
    }

    fn fit(x: &[f32], ntry: i32) -> (Self, SubParams) {
        let (d, id, l) = search(x, ntry);
        let b = BlockIq4Nl {
            d: to_f16(d),
            qs: std::array::from_fn(|j| l[j] | l[j + QK / 2] << 4),
        };
        let p = SubParams {
            mul: b.d.to_f32(),
            inv: id,
            ..SubParams::default()
        };
        (b, p)
    }
}

impl GgmlBlock for BlockIq4Nl {
    const TYPE: GgmlType = GgmlType::IQ4_NL;

    fn quantize_values(x: &[f32]) -> Self {
        Self::fit(x, IQ4_NL_NTRY).0
    }

    fn quantize_fitted(x: &[f32]) -> (Self, Vec<SubParams>) {
        let (b, p) = Self::fit(x, IQ4_NL_NTRY);
        (b, vec![p])
    }

    fn dequantize(&self) -> Vec<f32> {
        let d = self.d.to_f32();
        self.codes()
            .iter()
            .map(|&q| d * f32::from(IQ4_NL_LEVELS[q as usize & 0xF]))
            .collect()
    }

    fn codes(&self) -> Vec<i32> {
        let mut q = vec![0i32; QK];
        for (j, &byte) in self.qs.iter().enumerate() {
            q[j] = i32::from(byte & 0xF);
            q[j + QK / 2] = i32::from(byte >> 4);
        }
        q
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.d.to_le_bytes().to_vec();
        b.extend_from_slice(&self.qs);
        b
    }

    fn from_bytes_unchecked(bytes: &[u8]) -> Self {
        BlockIq4Nl {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn best_index_picks_the_nearest_level_and_the_upper_one_on_ties() {
        assert_eq!(best_index(-1000.0), 0);
        assert_eq!(best_index(1000.0), 15);
        assert_eq!(best_index(0.0), 8);
        assert_eq!(best_index(-4.5), 8); // midway between −10 and 1
        assert_eq!(best_index(-4.6), 7);
        assert_eq!(best_index(101.0), 15); // midway between 89 and 113
        for (k, &v) in IQ4_NL_LEVELS.iter().enumerate() {
            assert_eq!(best_index(f32::from(v)), k);
        }
    }

    #[test]
    fn a_block_holding_table_levels_is_exact() {
        let x: Vec<f32> = (0..QK)
            .map(|i| f32::from(IQ4_NL_LEVELS[i % 16]) / 64.0)
            .collect();
        for b in [
            BlockIq4Nl::quantize(&x).unwrap(),
            BlockIq4Nl::quantize_ref(&x).unwrap(),
        ] {
            assert_eq!(b.d.to_f32(), 1.0 / 64.0);
            assert_eq!(b.dequantize(), x);
            assert_eq!(
                b.codes(),
                (0..QK as i32).map(|i| i % 16).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn zeros_and_bad_lengths() {
        let b = BlockIq4Nl::quantize(&[0.0; QK]).unwrap();
        assert_eq!(b.d.to_f32(), 0.0);
        assert_eq!(b.codes(), vec![8; QK]);
        assert_eq!(b.dequantize(), vec![0.0; QK]);
        assert!(BlockIq4Nl::quantize(&[1.0; 31]).is_err());
        assert!(BlockIq4Nl::quantize_ref(&[f32::NAN; QK]).is_err());
    }
}
