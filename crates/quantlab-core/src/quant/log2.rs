//! Logarithmic (power-of-two) quantization: every nonzero level is `±2^k·s`.
//!
//! A `b`-bit code is a sign and a `(b − 1)`-bit magnitude code `m ∈ 0..=M`, `M = 2^(b−1) − 1`,
//! stored together as the signed integer `c = sign·m ∈ [−M, M]`:
//!
//! ```text
//! Q(c) = 0                          for c = 0
//! Q(c) = sign(c) · 2^(|c| − M) · s  for c ≠ 0,   s = max|x| of the scale group (an f32)
//! ```
//!
//! So the top code reproduces the absmax and each step down halves the magnitude: the
//! levels `0, ±s/2^(M−1), …, ±s/4, ±s/2, ±s`, `2^b − 1` of them (like symmetric integer
//! codes, one code pattern — the negative zero — is unused). With 4 bits: `0` and
//! `±s·2^−6 … ±s`. Multiplying by such a weight is a shift, which is why hardware papers
//! like it; the price is a relative error of up to ⅓ near the top of each octave.
//!
//! **Rounding** is to the nearest level in value (not in the log domain): the threshold
//! between `2^k` and `2^(k+1)` is `1.5·2^k`, between 0 and the smallest level `2^(1−M)`
//! it is `2^(−M)`. A value exactly on a threshold goes to the even magnitude code `m`
//! (half to even on the code, as everywhere in this crate). Magnitudes beyond the fitted
//! absmax saturate at `±s`. Bits run from 2 to 8.

use crate::error::{Result, check_bits, check_finite};
use crate::pack::packed_len;
use crate::quant::granularity::GroupLayout;
use crate::quant::inspect::{
    BlockDecode, Head, ScaleFormat, StepKind, check_block, check_data, check_values, elements_of,
    level_steps, window,
};
use crate::quant::kernel::code_in_range;
use crate::quant::kernel::{check_len, group_absmax, nearest_index};
use crate::quant::quantizer::Quantizer;
use crate::quant::types::{Granularity, Tie};

/// Fewest bits: one sign bit and one magnitude bit (levels `0, ±s`).
pub const MIN_BITS: u32 = 2;
/// Most bits: sign plus 7 magnitude bits (smallest level `s·2^−126`).
pub const MAX_BITS: u32 = 8;

/// `M = 2^(b−1) − 1`, the largest magnitude code for `bits` bits.
pub fn max_magnitude_code(bits: u32) -> i32 {
    (1i32 << (bits.clamp(MIN_BITS, MAX_BITS) - 1)) - 1
}

/// The level of code `c` relative to the scale: `sign(c)·2^(|c| − M)`, 0 for `c = 0`.
/// Codes beyond `±M` are clamped to it.
pub fn relative_level(c: i32, bits: u32) -> f64 {
    let m_max = max_magnitude_code(bits);
    let m = c.unsigned_abs().min(m_max as u32) as i32;
    if m == 0 {
        0.0
    } else {
        2f64.powi(m - m_max).copysign(f64::from(c))
    }
}

/// A fitted power-of-two quantizer: one absmax per scale group.
#[derive(Debug, Clone, PartialEq)]
pub struct Log2Quantizer {
    /// Bits per code, sign included.
    pub bits: u32,
    /// Which values share a scale.
    pub layout: GroupLayout,
    /// The scale `s = max|x|` of each group.
    pub scales: Vec<f64>,
    /// `|Q|/s` of every magnitude code, ascending: `[0, 2^(1−M), …, 1/2, 1]`.
    magnitudes: Vec<f64>,
}

impl Log2Quantizer {
    /// Fits the scale of every group of `data` (row-major, `shape`).
    pub fn fit(bits: u32, data: &[f32], shape: &[usize], granularity: Granularity) -> Result<Self> {
        check_bits(bits, MIN_BITS, MAX_BITS)?;
        check_finite(data)?;
        let layout = GroupLayout::new(granularity, shape, data.len())?;
        let scales = group_absmax(&layout, data);
        let magnitudes = (0..=max_magnitude_code(bits))
            .map(|m| relative_level(m, bits))
            .collect();
        Ok(Log2Quantizer {
            bits,
            layout,
            scales,
            magnitudes,
        })
    }

    /// The code of `x` in a group of scale `s`.
    pub fn quantize_one(&self, x: f32, s: f64) -> i32 {
        if s <= 0.0 {
            return 0;
        }
        let r = (f64::from(x).abs() / s).min(1.0);
        let m = nearest_index(&self.magnitudes, r, Tie::Even) as i32;
        if x < 0.0 { -m } else { m }
    }

    /// The value of code `c` in a group of scale `s`.
    pub fn dequantize_one(&self, c: i32, s: f64) -> f32 {
        (relative_level(c, self.bits) * s) as f32
    }
}

impl Quantizer for Log2Quantizer {
    fn inspect_blocks(&self) -> usize {
        self.scales.len()
    }

    /// The group's `f32` scale `s = max|x|`, then the codes as sign and magnitude
    /// (`b − 1` magnitude bits under a sign bit).
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode> {
        check_data(data.len(), self.layout.len())?;
        check_block(block, self.scales.len())?;
        let s = self.scales[block];
        let members = self.layout.members(block);
        check_values(data, members[window(members.len(), first)].iter().copied())?;
        let sign = 1u32 << (self.bits - 1);
        let elements = elements_of(
            data,
            &members,
            first,
            (s, 0.0),
            |x| {
                let c = self.quantize_one(x, s);
                let raw = c.unsigned_abs() | if c < 0 { sign } else { 0 };
                (c, raw, relative_level(c, self.bits))
            },
            |c| self.dequantize_one(c, s),
        );
        let mut steps = vec![ScaleFormat::F32.step(StepKind::Absmax, "s = max|x|", s)];
        steps.extend(level_steps(&elements, "±2^(|c| − M)"));
        let head = Head {
            block,
            blocks: self.scales.len(),
            len: members.len(),
            code_bits: self.bits,
            bytes: ScaleFormat::F32.bytes(s),
            steps,
        };
        Ok(head.with_codes(first, elements))
    }

    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        check_len(self.layout.len(), data.len())?;
        check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| self.quantize_one(x, self.scales[self.layout.group_of(i)]))
            .collect())
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        check_len(self.layout.len(), codes.len())?;
        let m_max = max_magnitude_code(self.bits);
        codes
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                // Codes run over −M..=M: shift to 0..=2M for the range check.
                code_in_range(c.saturating_add(m_max), 2 * m_max as u32 + 1, i)?;
                Ok(self.dequantize_one(c, self.scales[self.layout.group_of(i)]))
            })
            .collect()
    }

    fn levels(&self) -> Vec<f32> {
        let s = self.scales.first().copied().unwrap_or(0.0);
        let m_max = max_magnitude_code(self.bits);
        let mut v: Vec<f32> = (-m_max..=m_max)
            .map(|c| self.dequantize_one(c, s))
            .collect();
        v.dedup();
        v
    }

    /// Packed `b`-bit codes plus one 32-bit scale per group.
    fn bits_per_value(&self) -> f64 {
        let n = self.layout.len();
        (8.0 * packed_len(n, self.bits) as f64 + 32.0 * self.scales.len() as f64) / n as f64
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::error::QuantError;

    fn fit(bits: u32, x: &[f32]) -> Log2Quantizer {
        Log2Quantizer::fit(bits, x, &[], Granularity::PerTensor).unwrap()
    }

    #[test]
    fn three_bit_levels_are_zero_and_plus_minus_powers_of_two() {
        // M = 3: 0, ±1/4, ±1/2, ±1 times the absmax 8.
        let q = fit(3, &[8.0, -1.0]);
        assert_eq!(q.levels(), vec![-8.0, -4.0, -2.0, 0.0, 2.0, 4.0, 8.0]);
    }

    #[test]
    fn values_round_to_the_nearest_level_in_value() {
        let x = [8.0f32, 6.1, 5.9, 3.0, 2.9, 1.1, 0.9, -5.0, -0.5];
        let q = fit(3, &x);
        assert_eq!(q.quantize(&x).unwrap(), vec![3, 3, 2, 2, 1, 1, 0, -2, 0]);
    }

    #[test]
    fn ties_go_to_the_even_magnitude_code() {
        // 6 is halfway between 4 (m = 2) and 8 (m = 3); 1 is halfway between 0 and 2.
        let x = [8.0f32, 6.0, 3.0, 1.0, -6.0];
        let q = fit(3, &x);
        assert_eq!(q.quantize(&x).unwrap(), vec![3, 2, 2, 0, -2]);
        // 3 is halfway between 2 (m = 1) and 4 (m = 2): even → 2.
    }

    #[test]
    fn the_top_code_reproduces_the_absmax_and_the_rest_halve() {
        for bits in MIN_BITS..=MAX_BITS {
            let m = max_magnitude_code(bits);
            assert_eq!(relative_level(m, bits), 1.0);
            assert_eq!(relative_level(-m, bits), -1.0);
            if bits > 2 {
                assert_eq!(relative_level(m - 1, bits), 0.5);
            }
            assert_eq!(relative_level(0, bits), 0.0);
            assert_eq!(fit(bits, &[1.0, 0.0]).levels().len(), (1usize << bits) - 1);
        }
        assert_eq!(relative_level(1, 8), 2f64.powi(-126));
    }

    #[test]
    fn relative_error_is_at_most_one_third_inside_the_range() {
        let x: Vec<f32> = (1..=1000).map(|i| i as f32 / 1000.0).collect();
        let q = fit(6, &x);
        let y = q.quantize_dequantize(&x).unwrap();
        // Smallest level at 6 bits: 2^(1−31); all inputs are far above it.
        for (a, b) in x.iter().zip(&y) {
            assert!((a - b).abs() <= a / 3.0 + 1e-7, "{a} → {b}");
        }
    }

    #[test]
    fn quantization_is_idempotent() {
        let x: Vec<f32> = (0..200).map(|i| ((i as f32) * 0.37).sin() * 2.5).collect();
        let q = fit(5, &x);
        let y = q.quantize_dequantize(&x).unwrap();
        assert_eq!(q.quantize_dequantize(&y).unwrap(), y);
    }

    #[test]
    fn zero_signals_bad_bits_and_bad_codes() {
        let q = fit(4, &[0.0; 5]);
        assert_eq!(q.quantize_dequantize(&[0.0; 5]).unwrap(), vec![0.0; 5]);
        for bits in [0, 1, 9, 32] {
            assert!(matches!(
                Log2Quantizer::fit(bits, &[1.0], &[], Granularity::PerTensor),
                Err(QuantError::BitsOutOfRange { .. })
            ));
        }
        let q = fit(3, &[1.0, 2.0]);
        assert!(q.dequantize(&[3, -3]).is_ok());
        assert!(q.dequantize(&[4, 0]).is_err());
        assert!(q.dequantize(&[i32::MIN, 0]).is_err());
        // ⌈2·3/8⌉ = 1 byte of codes and one 32-bit scale, over 2 values.
        assert_eq!(q.bits_per_value(), (8.0 + 32.0) / 2.0);
    }
}
