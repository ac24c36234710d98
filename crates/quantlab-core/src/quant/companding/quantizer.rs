//! The continuous companding quantizer: absmax normalisation, a curve, a uniform grid.

use crate::error::{Result, check_bits, check_finite};
use crate::pack::packed_len;
use crate::quant::companding::compander::{
    Compander, MAX_BITS, MIN_BITS, compressed_index, compressed_level,
};
use crate::quant::granularity::GroupLayout;
use crate::quant::kernel::{check_len, code_in_range, group_absmax};
use crate::quant::quantizer::Quantizer;
use crate::quant::types::Granularity;

/// A companding quantizer fitted to data: one absmax per scale group, a curve, a width.
#[derive(Debug, Clone, PartialEq)]
pub struct CompandingQuantizer<C: Compander> {
    /// The curve (μ-law or A-law).
    pub compander: C,
    /// Bits per code (`1..=16`).
    pub bits: u32,
    /// Which values share an absmax.
    pub layout: GroupLayout,
    /// `max|x|` of each group (an `f32` value, held in `f64`).
    pub absmax: Vec<f64>,
}

impl<C: Compander> CompandingQuantizer<C> {
    /// Fits the absmax of every group of `data` (row-major, `shape`).
    pub fn fit(
        compander: C,
        bits: u32,
        data: &[f32],
        shape: &[usize],
        granularity: Granularity,
    ) -> Result<Self> {
        check_bits(bits, MIN_BITS, MAX_BITS)?;
        check_finite(data)?;
        let layout = GroupLayout::new(granularity, shape, data.len())?;
        let absmax = group_absmax(&layout, data);
        Ok(CompandingQuantizer {
            compander,
            bits,
            layout,
            absmax,
        })
    }

    /// Number of codes, `L = 2^b`.
    pub fn num_codes(&self) -> u32 {
        1u32 << self.bits
    }

    /// The code of `x` in a group of absmax `absmax`: normalise, compress, quantize.
    pub fn quantize_one(&self, x: f32, absmax: f64) -> i32 {
        let xn = if absmax > 0.0 {
            (f64::from(x) / absmax).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        compressed_index(self.compander.compress(xn), self.bits) as i32
    }

    /// The value of code `k` in a group of absmax `absmax`: `max|x|·F⁻¹(Q_c)`.
    pub fn dequantize_one(&self, k: u32, absmax: f64) -> f32 {
        (self.compander.expand(compressed_level(k, self.bits)) * absmax) as f32
    }
}

impl<C: Compander> Quantizer for CompandingQuantizer<C> {
    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        check_len(self.layout.len(), data.len())?;
        check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| self.quantize_one(x, self.absmax[self.layout.group_of(i)]))
            .collect())
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        check_len(self.layout.len(), codes.len())?;
        let n = self.num_codes();
        codes
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                let k = code_in_range(k, n, i)?;
                Ok(self.dequantize_one(k, self.absmax[self.layout.group_of(i)]))
            })
            .collect()
    }

    fn levels(&self) -> Vec<f32> {
        let absmax = self.absmax.first().copied().unwrap_or(0.0);
        let mut v: Vec<f32> = (0..self.num_codes())
            .map(|k| self.dequantize_one(k, absmax))
            .collect();
        v.dedup();
        v
    }

    /// Packed `b`-bit codes plus one 32-bit absmax per group:
    /// `(8·⌈n·b/8⌉ + 32·groups)/n`.
    fn bits_per_value(&self) -> f64 {
        let n = self.layout.len();
        (8.0 * packed_len(n, self.bits) as f64 + 32.0 * self.absmax.len() as f64) / n as f64
    }
}
