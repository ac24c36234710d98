//! The continuous companding quantizer: absmax normalisation, a curve, a uniform grid.

use crate::error::{Result, check_bits, check_finite};
use crate::pack::packed_len;
use crate::quant::companding::compander::{
    Compander, MAX_BITS, MIN_BITS, compressed_index, compressed_level,
};
use crate::quant::fast;
use crate::quant::fast::table::{MAX_CODES, MonotoneTable};
use crate::quant::granularity::GroupLayout;
use crate::quant::inspect::{
    BlockDecode, Head, ScaleFormat, StepKind, check_block, check_data, check_values, elements_of,
    level_steps, window,
};
use crate::quant::kernel::{check_len, code_in_range};
use crate::quant::quantizer::Quantizer;
use crate::quant::types::Granularity;

/// Shortest data for which [`Quantizer::quantize_dequantize`] builds the threshold table.
pub const TABLE_MIN_LEN: usize = 4096;

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
        if data.is_empty() {
            check_finite(data)?;
        }
        let layout = GroupLayout::new(granularity, shape, data.len())?;
        let (absmax, finite) = fast::groups::group_absmax(&layout, data);
        if !finite {
            check_finite(data)?;
        }
        let absmax = absmax.into_iter().map(f64::from).collect();
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

    /// The code of `x` in a group of absmax `absmax`: normalise (the `f32` quotient
    /// `x / max|x|`, clamped to `[−1, 1]`), compress (in `f64`), quantize.
    pub fn quantize_one(&self, x: f32, absmax: f64) -> i32 {
        let a = absmax as f32;
        let xn = if a > 0.0 {
            (x / a).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        self.code_of_normalised(xn) as i32
    }

    fn code_of_normalised(&self, xn: f32) -> u32 {
        compressed_index(self.compander.compress(f64::from(xn)), self.bits)
    }

    /// The normalised level of code `k`, `F⁻¹(Q_c)` rounded to `f32`.
    pub fn level(&self, k: u32) -> f32 {
        self.compander.expand(compressed_level(k, self.bits)) as f32
    }

    /// The value of code `k` in a group of absmax `absmax`: `F⁻¹(Q_c)·max|x|`, an `f32`
    /// product of the `f32` level and the `f32` absmax.
    pub fn dequantize_one(&self, k: u32, absmax: f64) -> f32 {
        self.level(k) * absmax as f32
    }

    /// The quantizer as thresholds and levels ([`MonotoneTable`]); `None` above 10 bits.
    pub fn table(&self) -> Option<MonotoneTable> {
        if self.num_codes() as usize > MAX_CODES {
            return None;
        }
        let levels: Vec<f32> = (0..self.num_codes()).map(|k| self.level(k)).collect();
        MonotoneTable::build(|xn| self.code_of_normalised(xn) as usize, &levels)
    }
}

impl<C: Compander> Quantizer for CompandingQuantizer<C> {
    fn inspect_blocks(&self) -> usize {
        self.absmax.len()
    }

    /// The group's `f32` absmax, then `b`-bit codes; a step per level listed.
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode> {
        check_data(data.len(), self.layout.len())?;
        check_block(block, self.absmax.len())?;
        let a = self.absmax[block];
        let members = self.layout.members(block);
        check_values(data, members[window(members.len(), first)].iter().copied())?;
        let elements = elements_of(
            data,
            &members,
            first,
            (f64::from(a as f32), 0.0),
            |x| {
                let k = self.quantize_one(x, a);
                (k, k as u32, f64::from(self.level(k as u32)))
            },
            |k| self.dequantize_one(k as u32, a),
        );
        let mut steps = vec![ScaleFormat::F32.step(StepKind::Absmax, "max|x|", a)];
        steps.extend(level_steps(&elements, "F⁻¹(c_k)"));
        let head = Head {
            block,
            blocks: self.absmax.len(),
            len: members.len(),
            code_bits: self.bits,
            bytes: ScaleFormat::F32.bytes(a),
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

    /// Through [`CompandingQuantizer::table`] in one vectorized pass when the data is
    /// long enough to pay for building it (no logarithm per value); equal to
    /// `dequantize(quantize(data))`.
    fn quantize_dequantize(&self, data: &[f32]) -> Result<Vec<f32>> {
        check_len(self.layout.len(), data.len())?;
        let table = if data.len() >= TABLE_MIN_LEN {
            self.table()
        } else {
            None
        };
        let Some(table) = table else {
            return self.dequantize(&self.quantize(data)?);
        };
        let mut out = fast::buffer::zeroed(data.len());
        let level = fast::level();
        let mut finite = true;
        self.layout.for_each_run(|g, r| {
            let a = self.absmax[g] as f32;
            if a > 0.0 {
                finite &= fast::dispatch::table(level, &table, a, a, &data[r.clone()], &mut out[r]);
            } else {
                out[r.clone()].fill(self.dequantize_one(self.code_of_normalised(0.0), 0.0));
                finite &= fast::dispatch::all_finite(level, &data[r]);
            }
        });
        if !finite {
            check_finite(data)?;
        }
        Ok(out)
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
