//! Rotation before quantization: a randomized Hadamard transform over each scale group.
//!
//! A weight matrix with a few outlier input channels (columns) wastes most of a per-group
//! scale on them: the absmax of every group that holds an outlier is set by it, and its
//! other values fall into a handful of levels. An orthogonal rotation `R` spreads each
//! outlier over the whole group first; the scheme quantizes `R·x`, and the reconstruction
//! is `Rᵀ·Q(R·x)`, so the error is measured (and small) in the original domain. Since
//! `W·x = (W·R)(Rᵀ·x)`, a deployed model folds `Rᵀ` into the activations; here only the
//! weights are studied.
//!
//! **The transform.** For each group of `g` consecutive values along the last axis (the
//! groups of per-group granularity, `g` a power of two that divides the row):
//!
//! ```text
//! forward:  y = (1/√g) · H_g · D · x        inverse:  x = D · (1/√g) · H_g · y
//! ```
//!
//! `H_g` is the Sylvester–Hadamard matrix (`H_1 = [1]`, `H_2k = [[H_k, H_k], [H_k, −H_k]]`,
//! entries ±1, `H_g·H_g = g·I`) and `D = diag(±1)` holds one seeded random sign per column
//! of the row, the same in every row (one rotation of the input dimension). Both maps are
//! orthonormal up to `f32` rounding: they keep norms and invert each other.
//!
//! **`f32` arithmetic, in order.** Forward: (1) each value is multiplied by its column's
//! sign (exact); (2) the fast Walsh–Hadamard butterflies run in place with strides
//! `h = 1, 2, 4, …, g/2`, and for each stride, blocks of `2h` from the left, pairs
//! `(a, b) = (v[j], v[j + h])` become `(a + b, a − b)`, each one `f32` addition rounded to
//! nearest even; (3) every value is multiplied by `r = f32(1/√g)` (the `f64` quotient
//! rounded once to `f32`; exact for `g = 4^k`). Inverse: (2), then (3), then (1). A
//! result that overflows `f32` (inputs near `±3.4e38` summed over a group) is an error
//! ([`QuantError::RotationOverflow`]), never an infinity passed on.
//!
//! **Signs.** Column `j`'s sign is `−1` when bit `j mod 64` of the `⌊j/64⌋`-th `u64` drawn
//! from `ChaCha8Rng::seed_from_u64(seed)` is set, else `+1`: the same seed gives the same
//! rotation on every platform, and the seed (64 bits per tensor) is all that is stored
//! besides the scheme's own codes and scales ([`ROTATION_SEED_BITS`]).

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{QuantError, Result, check_finite};
use crate::quant::inspect::BlockDecode;
use crate::quant::quantizer::Quantizer;

/// Bits a rotated tensor stores beyond its scheme's codes and scales: the seed.
pub const ROTATION_SEED_BITS: u32 = 64;

/// The unnormalized fast Walsh–Hadamard transform of `v` in place (`v ← H·v`), with the
/// butterfly order of the module docs.
///
/// Errors: a length that is not a power of two (an empty slice is left as it is).
pub fn fwht_in_place(v: &mut [f32]) -> Result<()> {
    let n = v.len();
    if n == 0 {
        return Ok(());
    }
    if !n.is_power_of_two() {
        return Err(QuantError::RotationNotPowerOfTwo { group: n });
    }
    let mut h = 1;
    if n >= 8 {
        // The first three stages (h = 1, 2, 4) on eight values held in registers: the same
        // additions in the same order as the loop below, without its one-pair inner loops.
        for c in v.chunks_exact_mut(8) {
            let mut a = [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]];
            for h in [1, 2, 4] {
                for base in (0..8).step_by(2 * h) {
                    for i in base..base + h {
                        let (x, y) = (a[i], a[i + h]);
                        a[i] = x + y;
                        a[i + h] = x - y;
                    }
                }
            }
            c.copy_from_slice(&a);
        }
        h = 8;
    }
    let level = crate::quant::fast::level();
    while h < n {
        for block in v.chunks_exact_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            crate::quant::fast::dispatch::butterflies(level, lo, hi);
        }
        h *= 2;
    }
    Ok(())
}

/// The seeded signs of `columns` columns (`+1.0` or `−1.0`), as the module docs draw them.
pub fn random_signs(seed: u64, columns: usize) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(columns);
    while out.len() < columns {
        let bits = rng.next_u64();
        let take = (columns - out.len()).min(64);
        out.extend((0..take).map(|k| if (bits >> k) & 1 == 1 { -1.0 } else { 1.0 }));
    }
    out
}

/// A randomized Hadamard rotation of the groups of `group` values along rows of `row`
/// values (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct HadamardRotation {
    group: usize,
    row: usize,
    seed: u64,
    /// One sign per column of a row.
    signs: Vec<f32>,
    /// `f32(1/√g)`.
    scale: f32,
}

impl HadamardRotation {
    /// The rotation of groups of `group` values along rows of `row` values.
    ///
    /// Errors: a group of 0, a group that is not a power of two or does not divide the row,
    /// an empty row.
    pub fn new(group: usize, row: usize, seed: u64) -> Result<Self> {
        if group == 0 {
            return Err(QuantError::GroupSizeZero);
        }
        if !group.is_power_of_two() {
            return Err(QuantError::RotationNotPowerOfTwo { group });
        }
        if row == 0 {
            return Err(QuantError::Empty);
        }
        if !row.is_multiple_of(group) {
            return Err(QuantError::RotationDoesNotDivide { group, row });
        }
        Ok(HadamardRotation {
            group,
            row,
            seed,
            signs: random_signs(seed, row),
            scale: (1.0 / (group as f64).sqrt()) as f32,
        })
    }

    /// The rotation for `len` values of `shape` (row-major; an empty shape is 1-D): rows
    /// are the last axis.
    ///
    /// Errors: a shape that does not hold `len` values, no values, and those of [`Self::new`].
    pub fn for_shape(group: usize, shape: &[usize], len: usize, seed: u64) -> Result<Self> {
        let expected = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        if !shape.is_empty() && expected != Some(len) {
            return Err(QuantError::ShapeMismatch {
                shape: shape.to_vec(),
                expected: expected.unwrap_or(usize::MAX),
                actual: len,
            });
        }
        if len == 0 {
            return Err(QuantError::Empty);
        }
        let row = shape.last().copied().unwrap_or(len);
        Self::new(group, row, seed)
    }

    /// Values per group `g`.
    pub fn group(&self) -> usize {
        self.group
    }

    /// Values per row.
    pub fn row(&self) -> usize {
        self.row
    }

    /// The seed of the signs.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The sign of every column of a row.
    pub fn signs(&self) -> &[f32] {
        &self.signs
    }

    /// Checks `len` values: whole rows, at least one.
    fn check_len(&self, len: usize) -> Result<()> {
        if len == 0 {
            return Err(QuantError::Empty);
        }
        if !len.is_multiple_of(self.row) {
            let rows = len.div_ceil(self.row);
            return Err(QuantError::ShapeMismatch {
                shape: vec![rows, self.row],
                expected: rows.saturating_mul(self.row),
                actual: len,
            });
        }
        Ok(())
    }

    /// One group in place; `first` is the column of its first value.
    fn group_in_place(&self, v: &mut [f32], first: usize, inverse: bool) -> Result<()> {
        let signs = self.signs.get(first..first + v.len()).unwrap_or(&[]);
        if !inverse {
            v.iter_mut().zip(signs).for_each(|(x, s)| *x *= s);
        }
        fwht_in_place(v)?;
        v.iter_mut().for_each(|x| *x *= self.scale);
        if inverse {
            v.iter_mut().zip(signs).for_each(|(x, s)| *x *= s);
        }
        Ok(())
    }

    fn apply_in_place(&self, data: &mut [f32], inverse: bool) -> Result<()> {
        check_finite(data)?;
        self.check_len(data.len())?;
        for row in data.chunks_exact_mut(self.row) {
            for (k, group) in row.chunks_exact_mut(self.group).enumerate() {
                self.group_in_place(group, k * self.group, inverse)?;
            }
        }
        if data.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(QuantError::RotationOverflow)
        }
    }

    /// `y = (1/√g)·H·D·x` over every group of `data` in place (whole rows).
    ///
    /// Errors: no values, NaN or infinity, a length that is not whole rows, an overflow.
    /// On an error the data may be partly transformed.
    pub fn forward_in_place(&self, data: &mut [f32]) -> Result<()> {
        self.apply_in_place(data, false)
    }

    /// `x = D·(1/√g)·H·y` over every group of `data` in place: undoes
    /// [`Self::forward_in_place`] up to `f32` rounding. Errors as there.
    pub fn inverse_in_place(&self, data: &mut [f32]) -> Result<()> {
        self.apply_in_place(data, true)
    }

    /// The rotated copy of `data` ([`Self::forward_in_place`]).
    pub fn forward(&self, data: &[f32]) -> Result<Vec<f32>> {
        let mut out = data.to_vec();
        self.forward_in_place(&mut out)?;
        Ok(out)
    }

    /// The unrotated copy of `data` ([`Self::inverse_in_place`]).
    pub fn inverse(&self, data: &[f32]) -> Result<Vec<f32>> {
        let mut out = data.to_vec();
        self.inverse_in_place(&mut out)?;
        Ok(out)
    }

    /// The rotated values of one group: `values` (a whole group) starting at column
    /// `first` of its row (a multiple of the group size).
    ///
    /// Errors: not a whole group, a column outside the row, NaN or infinity, an overflow.
    pub fn forward_group(&self, values: &[f32], first: usize) -> Result<Vec<f32>> {
        check_finite(values)?;
        if values.len() != self.group
            || !first.is_multiple_of(self.group)
            || first
                .checked_add(self.group)
                .is_none_or(|end| end > self.row)
        {
            return Err(QuantError::ShapeMismatch {
                shape: vec![self.group],
                expected: self.group,
                actual: values.len(),
            });
        }
        let mut v = values.to_vec();
        self.group_in_place(&mut v, first, false)?;
        if v.iter().all(|x| x.is_finite()) {
            Ok(v)
        } else {
            Err(QuantError::RotationOverflow)
        }
    }
}

/// A scheme's quantizer behind a rotation: fitted on `R·x`, it quantizes `R·x` and
/// reconstructs `Rᵀ·Q(R·x)`. Its levels and parameters are those of the rotated domain.
#[derive(Debug)]
pub struct RotatedQuantizer {
    rotation: HadamardRotation,
    inner: Box<dyn Quantizer>,
    /// Values fitted on (for the seed's share of the bits per value).
    len: usize,
}

impl RotatedQuantizer {
    /// Rotates `data` and fits `fit` (the scheme's own quantizer) on the rotated values.
    pub fn fit(
        rotation: HadamardRotation,
        data: &[f32],
        fit: impl FnOnce(&[f32]) -> Result<Box<dyn Quantizer>>,
    ) -> Result<Self> {
        let rotated = rotation.forward(data)?;
        let inner = fit(&rotated)?;
        Ok(RotatedQuantizer {
            rotation,
            inner,
            len: data.len(),
        })
    }

    /// The rotation.
    pub fn rotation(&self) -> &HadamardRotation {
        &self.rotation
    }
}

impl Quantizer for RotatedQuantizer {
    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        self.inner.quantize(&self.rotation.forward(data)?)
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        self.rotation.inverse(&self.inner.dequantize(codes)?)
    }

    fn levels(&self) -> Vec<f32> {
        self.inner.levels()
    }

    /// The scheme's bits per value plus the seed's share, `64/N`.
    fn bits_per_value(&self) -> f64 {
        self.inner.bits_per_value() + f64::from(ROTATION_SEED_BITS) / self.len.max(1) as f64
    }

    fn quantize_dequantize(&self, data: &[f32]) -> Result<Vec<f32>> {
        let y = self
            .inner
            .quantize_dequantize(&self.rotation.forward(data)?)?;
        self.rotation.inverse(&y)
    }

    fn describe(&self) -> Vec<(String, f64)> {
        let mut out = self.inner.describe();
        out.push(("rotation_group".into(), self.rotation.group as f64));
        out
    }

    fn inspect_blocks(&self) -> usize {
        self.inner.inspect_blocks()
    }

    /// The block as stored: the inner scheme's decode of the *rotated* values (its "original"
    /// column holds `R·x`, its reconstructions are before the inverse rotation).
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode> {
        self.inner
            .inspect(&self.rotation.forward(data)?, block, first)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn plain(group: usize, row: usize) -> HadamardRotation {
        HadamardRotation {
            signs: vec![1.0; row],
            ..HadamardRotation::new(group, row, 0).unwrap()
        }
    }

    fn norm2(x: &[f32]) -> f64 {
        x.iter().map(|&v| f64::from(v) * f64::from(v)).sum()
    }

    /// The butterflies stage by stage, one pair at a time: the order the module docs define.
    fn fwht_stage_by_stage(v: &mut [f32]) {
        let mut h = 1;
        while h < v.len() {
            for base in (0..v.len()).step_by(2 * h) {
                for i in base..base + h {
                    let (x, y) = (v[i], v[i + h]);
                    v[i] = x + y;
                    v[i + h] = x - y;
                }
            }
            h *= 2;
        }
    }

    #[test]
    fn the_fused_first_stages_give_the_stage_by_stage_bits() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for log in 0..=10 {
            let n = 1usize << log;
            for _ in 0..20 {
                // Mixed magnitudes, so the order of the additions shows in the rounding.
                let v: Vec<f32> = (0..n)
                    .map(|_| {
                        let m = (rng.next_u32() % 2000) as f32 / 7.0 - 140.0;
                        m * 10f32.powi((rng.next_u32() % 9) as i32 - 4)
                    })
                    .collect();
                let (mut a, mut b) = (v.clone(), v);
                fwht_in_place(&mut a).unwrap();
                fwht_stage_by_stage(&mut b);
                let (a, b): (Vec<u32>, Vec<u32>) = (
                    a.iter().map(|x| x.to_bits()).collect(),
                    b.iter().map(|x| x.to_bits()).collect(),
                );
                assert_eq!(a, b, "n = {n}");
            }
        }
    }

    #[test]
    fn the_2x2_and_4x4_hadamard_values() {
        let mut v = [3.0f32, 1.0];
        fwht_in_place(&mut v).unwrap();
        assert_eq!(v, [4.0, 2.0]);
        // The columns of H_4: [1 1 1 1], [1 −1 1 −1], [1 1 −1 −1], [1 −1 −1 1].
        let h4 = [
            [1.0f32, 1.0, 1.0, 1.0],
            [1.0, -1.0, 1.0, -1.0],
            [1.0, 1.0, -1.0, -1.0],
            [1.0, -1.0, -1.0, 1.0],
        ];
        for (k, col) in h4.iter().enumerate() {
            let mut e = [0.0f32; 4];
            e[k] = 1.0;
            fwht_in_place(&mut e).unwrap();
            assert_eq!(&e, col);
        }
        // Orthonormal: (1/√2)·H_2 and (1/2)·H_4 with unit signs.
        let r = plain(2, 2);
        let y = r.forward(&[1.0, 0.0]).unwrap();
        assert_eq!(y, vec![std::f32::consts::FRAC_1_SQRT_2; 2]);
        let r = plain(4, 4);
        assert_eq!(
            r.forward(&[1.0, 2.0, 3.0, 4.0]).unwrap(),
            vec![5.0, -1.0, -2.0, 0.0]
        );
        assert_eq!(
            r.inverse(&[5.0, -1.0, -2.0, 0.0]).unwrap(),
            vec![1.0, 2.0, 3.0, 4.0]
        );
    }

    #[test]
    fn the_inverse_undoes_the_forward_and_norms_are_kept() {
        for group in [1, 2, 8, 64, 128, 1024] {
            let row = group * 2;
            let x: Vec<f32> = (0..3 * row)
                .map(|i| ((i as f32) * 0.37).sin() * (1.0 + (i % 7) as f32))
                .collect();
            let r = HadamardRotation::new(group, row, 11).unwrap();
            let y = r.forward(&x).unwrap();
            if group > 1 {
                assert_ne!(y, x, "{group}");
            }
            let back = r.inverse(&y).unwrap();
            let scale = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            // Each value passes log2(g) additions twice and two scalings: a few ulps of the
            // group's absmax.
            let tol = scale * f32::EPSILON * 4.0 * ((group as f32).log2() + 2.0);
            for (a, b) in x.iter().zip(&back) {
                assert!((a - b).abs() <= tol, "{group}: {a} vs {b}");
            }
            let (nx, ny) = (norm2(&x), norm2(&y));
            assert!((nx - ny).abs() <= nx * 1e-5, "{group}: {nx} vs {ny}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_rotation_and_another_differs() {
        let x: Vec<f32> = (0..256).map(|i| (i as f32).cos()).collect();
        let a = HadamardRotation::new(64, 128, 5).unwrap();
        let b = HadamardRotation::new(64, 128, 5).unwrap();
        let c = HadamardRotation::new(64, 128, 6).unwrap();
        assert_eq!(a.forward(&x).unwrap(), b.forward(&x).unwrap());
        assert_ne!(a.forward(&x).unwrap(), c.forward(&x).unwrap());
        // The signs are ±1, about half each, and the first 64 come from one u64.
        let s = random_signs(5, 4096);
        assert!(s.iter().all(|&v| v == 1.0 || v == -1.0));
        let neg = s.iter().filter(|&&v| v < 0.0).count();
        assert!((1800..2300).contains(&neg), "{neg}");
        let first = ChaCha8Rng::seed_from_u64(5).next_u64();
        assert_eq!(s[0] < 0.0, first & 1 == 1);
        assert_eq!(s[63] < 0.0, first >> 63 == 1);
    }

    #[test]
    fn one_outlier_is_spread_over_its_group() {
        let mut x = vec![0.01f32; 128];
        x[37] = 10.0;
        let r = HadamardRotation::new(128, 128, 3).unwrap();
        let y = r.forward(&x).unwrap();
        let peak = |v: &[f32]| v.iter().fold(0.0f32, |m, a| m.max(a.abs()));
        // The outlier's energy goes to every output: each holds about 10/√128 ≈ 0.88.
        assert!(peak(&y) < 1.0, "{}", peak(&y));
        assert!(y.iter().all(|v| v.abs() > 0.8), "{y:?}");
        assert!(peak(&x) / peak(&y) > 10.0);
    }

    #[test]
    fn bad_groups_and_data_are_errors_in_words() {
        let e = HadamardRotation::new(96, 192, 0).unwrap_err();
        assert_eq!(e, QuantError::RotationNotPowerOfTwo { group: 96 });
        assert!(e.to_string().contains("power-of-two"));
        let e = HadamardRotation::new(128, 500, 0).unwrap_err();
        assert!(
            e.to_string().contains("128 does not divide a row of 500"),
            "{e}"
        );
        assert_eq!(
            HadamardRotation::new(0, 8, 0).unwrap_err(),
            QuantError::GroupSizeZero
        );
        assert_eq!(
            HadamardRotation::new(8, 0, 0).unwrap_err(),
            QuantError::Empty
        );
        assert!(fwht_in_place(&mut [1.0, 2.0, 3.0]).is_err());
        let r = HadamardRotation::new(4, 8, 0).unwrap();
        assert_eq!(r.forward(&[]).unwrap_err(), QuantError::Empty);
        let mut bad = vec![1.0f32; 8];
        bad[3] = f32::NAN;
        assert!(matches!(
            r.forward(&bad),
            Err(QuantError::NonFinite { index: 3, .. })
        ));
        bad[3] = f32::INFINITY;
        assert!(r.inverse(&bad).is_err());
        assert!(matches!(
            r.forward(&[1.0; 12]),
            Err(QuantError::ShapeMismatch { .. })
        ));
        assert!(r.forward_group(&[1.0; 4], 2).is_err());
        assert!(r.forward_group(&[1.0; 4], 8).is_err());
        assert!(r.forward_group(&[1.0; 3], 0).is_err());
        // Every value near the largest float: the sums overflow, and say so.
        assert_eq!(
            r.forward(&[f32::MAX; 8]).unwrap_err(),
            QuantError::RotationOverflow
        );
        assert!(
            HadamardRotation::for_shape(4, &[3, 3], 8, 0).is_err()
                && HadamardRotation::for_shape(4, &[], 0, 0).is_err()
        );
        assert_eq!(
            HadamardRotation::for_shape(4, &[2, 8], 16, 0)
                .unwrap()
                .row(),
            8
        );
        assert_eq!(
            HadamardRotation::for_shape(4, &[], 12, 0).unwrap().row(),
            12
        );
    }

    #[test]
    fn one_group_rotates_like_the_whole_row() {
        let x: Vec<f32> = (0..32).map(|i| (i as f32 * 0.7).sin()).collect();
        let r = HadamardRotation::new(8, 32, 9).unwrap();
        let all = r.forward(&x).unwrap();
        assert_eq!(
            r.forward_group(&x[16..24], 16).unwrap(),
            all[16..24].to_vec()
        );
    }
}
