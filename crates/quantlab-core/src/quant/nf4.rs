//! NF4 (4-bit NormalFloat, QLoRA) with blockwise absmax scaling and double quantization.
//!
//! **Code table.** The 16 levels of [`NF4_CODE`], from bitsandbytes
//! (`bitsandbytes/functional.py`, `get_4bit_type("nf4")`, the values `create_normal_map`
//! produces; Dettmers et al., "QLoRA", arXiv:2305.14314, Appendix E): quantiles of a
//! standard normal, normalised to `[−1, 1]`, with an exact 0 and 8 positive / 7 negative
//! nonzero levels.
//!
//! **Blockwise absmax.** The tensor is read flat (row-major) and cut into blocks of
//! `block_size` consecutive values (64 by default, as in QLoRA; the last block may be
//! shorter). Each block stores its absmax `a = max|x|` as an `f32`, and each value the index
//! of the nearest table entry to `x/a`:
//!
//! ```text
//! k = argmin_j |x/a − NF4[j]|,     x̂ = NF4[k] · a
//! ```
//!
//! The quotient `x/a` is the `f32` division (as NumPy divides a `float32` array); the
//! nearest entry is then decided exactly. The fast path ([`nf4_table`]) finds it among
//! precomputed `f32` thresholds instead of comparing distances, with the same result.
//!
//! **Ties.** A value exactly halfway between two table entries goes to the **lower** entry:
//! bitsandbytes' `dQuantizeNF4` decides with strict `x > midpoint` comparisons. An all-zero
//! block (`a = 0`) codes every value as index 7 (the exact zero).
//!
//! **Double quantization** (QLoRA §3): the per-block absmax values are themselves
//! compressed. Their mean `μ_a` is subtracted (stored as one `f32`), and the centred values
//! are quantized to 8 bits in blocks of [`DQ_BLOCK`] = 256 with one `f32` scale per block:
//!
//! ```text
//! c_i = a_i − μ_a,   s_j = max_{i ∈ block j} |c_i| / 127,   q_i = round(c_i / s_j) ∈ [−127, 127]
//! â_i = q_i · s_j + μ_a          (values are coded with a_i, decoded with â_i)
//! ```
//!
//! The 8-bit grid here is uniform (symmetric int8, round half to even); bitsandbytes uses
//! its 8-bit "dynamic" (non-uniform) map for this step. The storage cost is identical.
//!
//! **Bits per weight** (with [`packed_len`]): `(8·⌈n/2⌉ + 32·B)/n` without double
//! quantization (4.5 for block 64); `(8·⌈n/2⌉ + 8·B + 32·⌈B/256⌉ + 32)/n` with it, ≈
//! `4 + 8/64 + 32/(64·256) = 4.127` for block 64 and a large tensor (`B` = number of blocks).

use crate::error::{QuantError, Result, check_finite};
use crate::pack::packed_len;
use std::sync::OnceLock;

use crate::quant::fast;
use crate::quant::fast::table::MonotoneTable;
use crate::quant::granularity::GroupLayout;
use crate::quant::inspect::{
    BlockDecode, DecodeStep, Head, ScaleFormat, StepKind, check_block, check_data, check_values,
    elements_of, level_steps, window,
};
use crate::quant::kernel::code_in_range;
use crate::quant::kernel::round_half_even;
use crate::quant::kernel::{check_len, nearest_index};
use crate::quant::quantizer::Quantizer;
use crate::quant::types::{Granularity, Tie};

/// The NF4 code values, ascending, index = 4-bit code.
///
/// Source: bitsandbytes `functional.py`, `get_4bit_type("nf4")` (the same table is
/// hard-coded in bitsandbytes' `csrc/kernels.cu` as `nf4_data`). The literals are kept
/// digit for digit as published; each is the shortest decimal of its `f32`.
#[allow(clippy::excessive_precision)]
pub const NF4_CODE: [f32; 16] = [
    -1.0,
    -0.6961928009986877,
    -0.5250730514526367,
    -0.39491748809814453,
    -0.28444138169288635,
    -0.18477343022823334,
    -0.09105003625154495,
    0.0,
    0.07958029955625534,
    0.16093020141124725,
    0.24611230194568634,
    0.33791524171829224,
    0.44070982933044434,
    0.5626170039176941,
    0.7229568362236023,
    1.0,
];

/// The index of the exact zero in [`NF4_CODE`].
pub const NF4_ZERO: u8 = 7;

/// Values per block by default (QLoRA, bitsandbytes `quantize_4bit(blocksize=64)`).
pub const DEFAULT_BLOCK: usize = 64;

/// Absmax values per block of the double quantization (QLoRA §3: "blocksize of 256").
pub const DQ_BLOCK: usize = 256;

/// The nearest NF4 index of a normalised value `xn` (ideally in `[−1, 1]`; outside it
/// saturates), ties to the lower index.
pub fn nf4_index(xn: f64) -> u8 {
    // NF4_CODE is ascending, so nearest_index applies directly.
    let table = NF4_CODE.map(f64::from);
    nearest_index(&table, xn, Tie::Lower) as u8
}

/// [`nf4_index`] on `f32` inputs as thresholds and a table ([`MonotoneTable`]), built once.
pub fn nf4_table() -> &'static MonotoneTable {
    static TABLE: OnceLock<MonotoneTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        // NF4 has 16 codes and its thresholds are far apart, so the build cannot fail.
        MonotoneTable::build(|x| usize::from(nf4_index(f64::from(x))), &NF4_CODE)
            .unwrap_or_else(|| unreachable!("the NF4 table always builds"))
    })
}

/// Double-quantized block scales: see the module docs.
#[derive(Debug, Clone, PartialEq)]
pub struct DoubleQuant {
    /// `μ_a`, the mean of the absmax values.
    pub mean: f32,
    /// One scale per block of [`DQ_BLOCK`] absmax values.
    pub scales: Vec<f32>,
    /// One signed 8-bit code per absmax value.
    pub codes: Vec<i8>,
}

impl DoubleQuant {
    /// Compresses absmax values `a` (one per NF4 block).
    pub fn compress(a: &[f32]) -> Self {
        let mean = if a.is_empty() {
            0.0
        } else {
            (a.iter().map(|&v| f64::from(v)).sum::<f64>() / a.len() as f64) as f32
        };
        let centred: Vec<f64> = a.iter().map(|&v| f64::from(v) - f64::from(mean)).collect();
        let mut scales = Vec::with_capacity(centred.len().div_ceil(DQ_BLOCK));
        let mut codes = Vec::with_capacity(centred.len());
        for block in centred.chunks(DQ_BLOCK) {
            let m = block.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let s = (m / 127.0) as f32;
            scales.push(s);
            for &c in block {
                let q = if s > 0.0 {
                    round_half_even(c / f64::from(s)).clamp(-127.0, 127.0)
                } else {
                    0.0
                };
                codes.push(q as i8);
            }
        }
        DoubleQuant {
            mean,
            scales,
            codes,
        }
    }

    /// The reconstructed absmax values `â_i = q_i·s_j + μ_a`.
    pub fn absmax(&self) -> Vec<f32> {
        self.codes
            .iter()
            .enumerate()
            .map(|(i, &q)| {
                let s = self.scales.get(i / DQ_BLOCK).copied().unwrap_or(0.0);
                (f64::from(q) * f64::from(s) + f64::from(self.mean)) as f32
            })
            .collect()
    }
}

/// Bits per value of NF4 on `n` values with blocks of `block_size`, with or without double
/// quantization (see the module docs). `n = 0` or `block_size = 0` give 0.
pub fn nf4_bits_per_value(n: usize, block_size: usize, double_quant: bool) -> f64 {
    if n == 0 || block_size == 0 {
        return 0.0;
    }
    let blocks = n.div_ceil(block_size);
    let codes = 8.0 * packed_len(n, 4) as f64;
    let scales = if double_quant {
        8.0 * packed_len(blocks, 8) as f64 + 32.0 * blocks.div_ceil(DQ_BLOCK) as f64 + 32.0
    } else {
        32.0 * blocks as f64
    };
    (codes + scales) / n as f64
}

/// A fitted NF4 quantizer.
#[derive(Debug, Clone, PartialEq)]
pub struct Nf4Quantizer {
    /// Values per block.
    pub block_size: usize,
    /// Number of values fitted.
    pub len: usize,
    /// The exact absmax of each block (used to code).
    pub absmax: Vec<f32>,
    /// The compressed absmax values, when double quantization is on.
    pub double_quant: Option<DoubleQuant>,
    /// The absmax of each block used to decode: `absmax`, or its double-quantized version.
    pub decode_absmax: Vec<f32>,
}

impl Nf4Quantizer {
    /// Fits the block absmax values of `data` (row-major; `shape` is checked against the
    /// length, blocks run over the flat data).
    ///
    /// Errors: empty or non-finite data, a shape that does not match, `block_size = 0`.
    pub fn fit(
        data: &[f32],
        shape: &[usize],
        block_size: usize,
        double_quant: bool,
    ) -> Result<Self> {
        if block_size == 0 {
            return Err(QuantError::InvalidParameter(
                "the NF4 block size must be at least 1 (QLoRA uses 64)".into(),
            ));
        }
        if data.is_empty() {
            return Err(QuantError::Empty);
        }
        let level = fast::level();
        let mut finite = true;
        let absmax: Vec<f32> = data
            .chunks(block_size)
            .map(|b| {
                let (m, f) = fast::dispatch::absmax_finite(level, b);
                finite &= f;
                m
            })
            .collect();
        if !finite {
            check_finite(data)?;
        }
        GroupLayout::new(Granularity::PerTensor, shape, data.len())?;
        let (double_quant, decode_absmax) = if double_quant {
            let dq = DoubleQuant::compress(&absmax);
            let decoded = dq.absmax();
            (Some(dq), decoded)
        } else {
            (None, absmax.clone())
        };
        Ok(Nf4Quantizer {
            block_size,
            len: data.len(),
            absmax,
            double_quant,
            decode_absmax,
        })
    }

    /// The NF4 index of `x` in a block of absmax `a`: the entry nearest to the `f32`
    /// quotient `x / a` (ties to the lower entry).
    pub fn quantize_one(x: f32, a: f32) -> u8 {
        if a > 0.0 {
            nf4_index(f64::from(x / a))
        } else {
            NF4_ZERO
        }
    }
}

impl Quantizer for Nf4Quantizer {
    fn inspect_blocks(&self) -> usize {
        self.absmax.len()
    }

    /// The block's `f32` absmax (with double quantization: its signed 8-bit code, decoded
    /// with the `f32` scale of its 256 and the `f32` mean), then the 4-bit codes.
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode> {
        check_data(data.len(), self.len)?;
        check_block(block, self.absmax.len())?;
        let (a, d) = (self.absmax[block], self.decode_absmax[block]);
        let start = block * self.block_size;
        let members: Vec<usize> = (start..(start + self.block_size).min(self.len)).collect();
        check_values(data, members[window(members.len(), first)].iter().copied())?;
        let elements = elements_of(
            data,
            &members,
            first,
            (f64::from(d), 0.0),
            |x| {
                let k = Self::quantize_one(x, a);
                (
                    i32::from(k),
                    u32::from(k),
                    f64::from(NF4_CODE[usize::from(k)]),
                )
            },
            |k| NF4_CODE[(k & 15) as usize] * d,
        );
        let (mut steps, bytes) = match &self.double_quant {
            None => (
                vec![ScaleFormat::F32.step(StepKind::Absmax, "absmax", f64::from(d))],
                ScaleFormat::F32.bytes(f64::from(d)),
            ),
            Some(dq) => {
                let q = dq.codes.get(block).copied().unwrap_or(0);
                let s = dq.scales.get(block / DQ_BLOCK).copied().unwrap_or(0.0);
                (
                    vec![
                        DecodeStep::stored(
                            StepKind::AbsmaxCode,
                            None,
                            u64::from(q as u8),
                            8,
                            "q_a = int8",
                            f64::from(q),
                        ),
                        ScaleFormat::F32.step(StepKind::SecondScale, "s₂ = fp32", f64::from(s)),
                        ScaleFormat::F32.step(StepKind::AbsmaxMean, "μ = fp32", f64::from(dq.mean)),
                        DecodeStep::derived(
                            StepKind::Absmax,
                            None,
                            "absmax = q_a·s₂ + μ",
                            f64::from(d),
                        ),
                    ],
                    vec![q as u8],
                )
            }
        };
        steps.extend(level_steps(&elements, "NF4[k]"));
        let head = Head {
            block,
            blocks: self.absmax.len(),
            len: members.len(),
            code_bits: 4,
            bytes,
            steps,
        };
        Ok(head.with_codes(first, elements))
    }

    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        check_len(self.len, data.len())?;
        check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| i32::from(Self::quantize_one(x, self.absmax[i / self.block_size])))
            .collect())
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        check_len(self.len, codes.len())?;
        codes
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                let k = code_in_range(k, 16, i)? as usize;
                Ok(NF4_CODE[k] * self.decode_absmax[i / self.block_size])
            })
            .collect()
    }

    /// One vectorized pass ([`nf4_table`]): equal to `dequantize(quantize(data))`.
    fn quantize_dequantize(&self, data: &[f32]) -> Result<Vec<f32>> {
        check_len(self.len, data.len())?;
        let table = nf4_table();
        let mut out = fast::buffer::zeroed(data.len());
        let level = fast::level();
        let mut finite = true;
        let blocks = data
            .chunks(self.block_size)
            .zip(out.chunks_mut(self.block_size));
        for ((xs, o), (&a, &b)) in blocks.zip(self.absmax.iter().zip(&self.decode_absmax)) {
            if a > 0.0 {
                finite &= fast::dispatch::table(level, table, a, b, xs, o);
            } else {
                o.fill(NF4_CODE[usize::from(NF4_ZERO)] * b);
                finite &= fast::dispatch::all_finite(level, xs);
            }
        }
        if !finite {
            check_finite(data)?;
        }
        Ok(out)
    }

    fn levels(&self) -> Vec<f32> {
        let a = self.decode_absmax.first().copied().unwrap_or(0.0);
        let mut v: Vec<f32> = NF4_CODE.iter().map(|&c| c * a).collect();
        v.sort_by(f32::total_cmp);
        v.dedup();
        v
    }

    fn bits_per_value(&self) -> f64 {
        nf4_bits_per_value(self.len, self.block_size, self.double_quant.is_some())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal};

    fn normal(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| StandardNormal.sample(&mut rng)).collect()
    }

    #[test]
    #[allow(clippy::excessive_precision)]
    fn the_table_holds_the_bitsandbytes_values_exactly() {
        // Written as in bitsandbytes' get_4bit_type("nf4") (the f32 nearest to each literal).
        let reference: [f32; 16] = [
            -1.0,
            -0.6961928009986877,
            -0.5250730514526367,
            -0.39491748809814453,
            -0.28444138169288635,
            -0.18477343022823334,
            -0.09105003625154495,
            0.0,
            0.07958029955625534,
            0.16093020141124725,
            0.24611230194568634,
            0.33791524171829224,
            0.44070982933044434,
            0.5626170039176941,
            0.7229568362236023,
            1.0,
        ];
        for (a, b) in NF4_CODE.iter().zip(&reference) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
        assert!(NF4_CODE.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(NF4_CODE[NF4_ZERO as usize], 0.0);
    }

    #[test]
    fn nearest_lookup_goes_to_the_lower_code_on_a_tie() {
        assert_eq!(nf4_index(0.0), 7);
        assert_eq!(nf4_index(1.0), 15);
        assert_eq!(nf4_index(-1.0), 0);
        assert_eq!(nf4_index(0.03), 7);
        assert_eq!(nf4_index(0.05), 8);
        assert_eq!(nf4_index(0.9), 15);
        assert_eq!(nf4_index(-0.9), 0);
        assert_eq!(nf4_index(7.0), 15);
        let mid = (f64::from(NF4_CODE[14]) + f64::from(NF4_CODE[15])) / 2.0;
        assert_eq!(nf4_index(mid), 14);
        assert_eq!(nf4_index(mid + 1e-12), 15);
        let mid0 = f64::from(NF4_CODE[8]) / 2.0;
        assert_eq!(nf4_index(mid0), 7);
    }

    #[test]
    fn every_code_value_times_the_absmax_is_reproduced_exactly() {
        // One block whose absmax is 2: each value 2·NF4[k] codes to k.
        let x: Vec<f32> = NF4_CODE.iter().map(|&c| 2.0 * c).collect();
        let q = Nf4Quantizer::fit(&x, &[], 64, false).unwrap();
        let codes = q.quantize(&x).unwrap();
        assert_eq!(codes, (0..16).collect::<Vec<i32>>());
        assert_eq!(q.dequantize(&codes).unwrap(), x);
        assert_eq!(q.levels(), x);
    }

    #[test]
    fn bits_per_weight_is_4_5_without_and_about_4_127_with_double_quantization() {
        assert_eq!(nf4_bits_per_value(64 * 1024, 64, false), 4.5);
        let n = 64 * 256 * 64;
        let dq = nf4_bits_per_value(n, 64, true);
        assert!((dq - 4.127).abs() < 0.0005, "{dq}");
        // Exactly: 4 + 8/64 + 32/(64·256) + 32/n.
        assert_eq!(
            dq,
            4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0) + 32.0 / n as f64
        );
        let x = normal(64 * 300, 1);
        let q = Nf4Quantizer::fit(&x, &[], 64, true).unwrap();
        assert_eq!(q.bits_per_value(), nf4_bits_per_value(x.len(), 64, true));
        // A partial last block costs a whole scale: 70 values = 2 blocks.
        assert_eq!(
            nf4_bits_per_value(70, 64, false),
            (8.0 * 35.0 + 64.0) / 70.0
        );
    }

    #[test]
    fn round_trip_error_is_within_half_the_widest_gap_times_the_block_absmax() {
        // Widest gap: between −1 and −0.6961928, half of it ≈ 0.1519.
        let half_gap = (f64::from(NF4_CODE[1]) + 1.0) / 2.0;
        let x = normal(64 * 50 + 17, 7);
        let q = Nf4Quantizer::fit(&x, &[], 64, false).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        for (i, (a, b)) in x.iter().zip(&y).enumerate() {
            let bound = half_gap * f64::from(q.absmax[i / 64]) + 1e-6;
            assert!(f64::from((a - b).abs()) <= bound, "{i}: {a} → {b}");
        }
        // On Gaussian data NF4 keeps most of the signal.
        assert!(crate::metrics::snr_db(&x, &y) > 18.0);
    }

    #[test]
    fn double_quantization_reconstructs_each_absmax_within_half_a_step() {
        let x = normal(64 * 600, 11);
        let q = Nf4Quantizer::fit(&x, &[], 64, true).unwrap();
        let dq = q.double_quant.as_ref().unwrap();
        assert_eq!(dq.scales.len(), 600usize.div_ceil(256));
        assert_eq!(dq.codes.len(), 600);
        for (i, (a, b)) in q.absmax.iter().zip(&q.decode_absmax).enumerate() {
            let s = dq.scales[i / DQ_BLOCK];
            assert!((a - b).abs() <= s / 2.0 + 1e-6, "{i}: {a} vs {b}");
        }
        let y = q.quantize_dequantize(&x).unwrap();
        let y0 = Nf4Quantizer::fit(&x, &[], 64, false)
            .unwrap()
            .quantize_dequantize(&x)
            .unwrap();
        // The compressed scales cost very little accuracy.
        let (s_dq, s_plain) = (
            crate::metrics::snr_db(&x, &y),
            crate::metrics::snr_db(&x, &y0),
        );
        assert!(s_dq > s_plain - 0.5, "{s_dq} vs {s_plain}");
    }

    #[test]
    fn zero_blocks_and_constant_absmax_are_exact() {
        let q = Nf4Quantizer::fit(&[0.0; 10], &[], 4, true).unwrap();
        assert_eq!(q.quantize(&[0.0; 10]).unwrap(), vec![7; 10]);
        assert_eq!(q.quantize_dequantize(&[0.0; 10]).unwrap(), vec![0.0; 10]);
        // All blocks share the absmax 3: the centred values are 0 and decode exactly.
        let x = [3.0f32, -3.0, 3.0, -3.0];
        let q = Nf4Quantizer::fit(&x, &[], 2, true).unwrap();
        assert_eq!(q.quantize_dequantize(&x).unwrap(), x.to_vec());
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(Nf4Quantizer::fit(&[1.0], &[], 0, false).is_err());
        assert_eq!(
            Nf4Quantizer::fit(&[], &[], 64, false).unwrap_err(),
            QuantError::Empty
        );
        assert!(Nf4Quantizer::fit(&[1.0, f32::INFINITY], &[], 64, false).is_err());
        assert!(Nf4Quantizer::fit(&[1.0, 2.0], &[3], 64, false).is_err());
        let q = Nf4Quantizer::fit(&[1.0, 2.0], &[2], 64, false).unwrap();
        assert!(q.dequantize(&[16, 0]).is_err());
        assert!(q.dequantize(&[0]).is_err());
        assert_eq!(nf4_bits_per_value(0, 64, true), 0.0);
    }
}
