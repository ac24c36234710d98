//! NVFP4 (NVIDIA Blackwell): FP4 E2M1 elements in blocks of [`NVFP4_BLOCK`] = 16, each
//! block with an FP8 E4M3 scale, and one `f32` scale for the whole tensor.
//!
//! The recipe is the one of NVIDIA's TensorRT Model Optimizer for weights
//! (`modelopt/torch/quantization/qtensor/nvfp4_tensor.py`, `NVFP4QTensor`:
//! `get_weights_scaling_factor_2`, `get_weights_scaling_factor`, `quantize`, `_cast_fp4`,
//! `dequantize`), restated; every step is `f32` arithmetic, in this order:
//!
//! ```text
//! s₂   = amax / 2688                        2688 = 6·448: E2M1 max × E4M3 max; amax = max|x|
//! s_b  = amax_b / (6·s₂)                    amax_b = max|x| over the block (16 values)
//!        s_b = 0 → 1;  s_b = max(s_b, 2^−9) (E4M3's smallest subnormal)
//! c_b  = E4M3(s_b)                          round to nearest even (saturating; s_b ≤ 448)
//! d_b  = value(c_b) · s₂                    the block's effective scale
//! q    = E2M1(x / d_b)                      round to nearest even, saturating at ±6
//! x̂    = value(q) · d_b
//! ```
//!
//! So the block with the tensor's absmax gets `s_b = 448` and its absmax lands on 6. The
//! E2M1 rounding is ties-to-even and keeps the sign of zero (`ml_dtypes`' cast; modelopt's
//! table lookup gives the same magnitudes but writes `−0` as `+0`). Where modelopt is
//! undefined this module decides: when `s₂ = 0` (a tensor of zeros, or `amax < 2688·2^−149`
//! so that `s₂` underflows) or a product `d_b` underflows to 0, every code of the block is
//! 0 and its scale byte is E4M3(1) = `0x38`; nothing divides by zero.
//!
//! **Bytes** ([`Nvfp4Block::to_bytes`]): the E4M3 scale byte, then 8 bytes of codes (element
//! `2j` in the low nibble of byte `j`, as modelopt packs them): 9 bytes per 16 values, 4.5
//! bits per value, plus the 32-bit tensor scale once: `(72·⌈n/16⌉ + 32)/n` bits per value
//! ([`nvfp4_bits_per_value`]). Hardware layouts swizzle the scales; that is not modelled.

use crate::error::{QuantError, Result, check_finite};
use crate::quant::granularity::GroupLayout;
use crate::quant::inspect::{
    BlockDecode, DecodeStep, ScaleFormat, StepKind, check_block, check_data, check_values, element,
    level_steps,
};
use crate::quant::kernel::{check_len, code_in_range};
use crate::quant::mx::block::{pack_codes, unpack_codes};
use crate::quant::mx::element::ElementFormat;
use crate::quant::quantizer::Quantizer;
use crate::quant::types::{Granularity, NVFP4_BLOCK, NVFP4_BLOCK_BYTES};

/// `6·448`: the tensor scale's divisor.
pub const NVFP4_AMAX_DIVISOR: f32 = 2688.0;
/// The E4M3 code of 1.0, the scale of a block with nothing to scale.
const ONE_E4M3: u8 = 0x38;

/// Bits per value of `n` values in NVFP4: whole blocks of 9 bytes plus the 32-bit tensor
/// scale, `(72·⌈n/16⌉ + 32)/n` (4.5 + 32/n when `n` is a multiple of 16); 0 for `n = 0`.
pub fn nvfp4_bits_per_value(n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    (8.0 * (NVFP4_BLOCK_BYTES * n.div_ceil(NVFP4_BLOCK)) as f64 + 32.0) / n as f64
}

/// The tensor scale `s₂ = amax/2688` (`f32`).
pub fn tensor_scale(amax: f32) -> f32 {
    amax / NVFP4_AMAX_DIVISOR
}

/// The E4M3 scale byte of a block with absmax `amax_b` under the tensor scale `s2`.
pub fn block_scale_code(amax_b: f32, s2: f32) -> u8 {
    if s2 == 0.0 {
        return ONE_E4M3;
    }
    let mut sb = amax_b / (6.0 * s2);
    if sb == 0.0 {
        sb = 1.0;
    }
    ElementFormat::E4m3.cast_saturating(sb.max(2f32.powi(-9)))
}

/// The block's effective scale `d_b = value(c_b)·s₂` (`f32`).
pub fn effective_scale(scale_code: u8, s2: f32) -> f32 {
    ElementFormat::E4m3.value(scale_code) as f32 * s2
}

/// The E2M1 code of `x` under the effective scale `d` (0 when `d = 0`).
pub fn element_code(x: f32, d: f32) -> u8 {
    if d == 0.0 {
        0
    } else {
        ElementFormat::E2m1.cast_saturating(x / d)
    }
}

/// `value(q)·d` in `f32`.
pub fn dequantize_one(code: u8, d: f32) -> f32 {
    ElementFormat::E2m1.value(code) as f32 * d
}

/// One NVFP4 block: its E4M3 scale byte and 16 E2M1 codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nvfp4Block {
    /// The E4M3 scale byte `c_b`.
    pub scale: u8,
    /// The E2M1 codes, in value order.
    pub codes: [u8; NVFP4_BLOCK],
}

impl Nvfp4Block {
    /// The 16 values under the tensor scale `s2`.
    pub fn dequantize(&self, s2: f32) -> [f32; NVFP4_BLOCK] {
        let d = effective_scale(self.scale, s2);
        self.codes.map(|c| dequantize_one(c, d))
    }

    /// The 9 bytes: the scale, then the codes two to a byte (low nibble first).
    pub fn to_bytes(&self) -> [u8; NVFP4_BLOCK_BYTES] {
        let mut out = [0u8; NVFP4_BLOCK_BYTES];
        out[0] = self.scale;
        out[1..].copy_from_slice(&pack_codes(&self.codes, 4));
        out
    }

    /// Reads a block from its 9 bytes.
    pub fn from_bytes(bytes: &[u8; NVFP4_BLOCK_BYTES]) -> Self {
        let mut codes = [0u8; NVFP4_BLOCK];
        codes.copy_from_slice(&unpack_codes(&bytes[1..], NVFP4_BLOCK, 4));
        Nvfp4Block {
            scale: bytes[0],
            codes,
        }
    }
}

/// A fitted NVFP4 quantizer over flat data (see the module docs). Codes are the E2M1 bit
/// patterns `0..=15`.
#[derive(Debug, Clone, PartialEq)]
pub struct Nvfp4Quantizer {
    /// Number of values fitted.
    pub len: usize,
    /// The tensor scale `s₂`.
    pub tensor_scale: f32,
    /// The E4M3 scale byte of each block.
    pub scales: Vec<u8>,
    /// The effective scale `d_b` of each block.
    effective: Vec<f32>,
}

impl Nvfp4Quantizer {
    /// Fits the tensor scale and one E4M3 scale per 16 values of `data` (row-major; blocks
    /// run over the flat data, `shape` is checked). Errors: empty data, NaN or ±∞, a shape
    /// that does not hold the data.
    pub fn fit(data: &[f32], shape: &[usize]) -> Result<Self> {
        GroupLayout::new(Granularity::PerTensor, shape, data.len())?;
        check_finite(data)?;
        let amax = |c: &[f32]| c.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let s2 = tensor_scale(amax(data));
        let scales: Vec<u8> = data
            .chunks(NVFP4_BLOCK)
            .map(|c| block_scale_code(amax(c), s2))
            .collect();
        let effective = scales.iter().map(|&c| effective_scale(c, s2)).collect();
        Ok(Nvfp4Quantizer {
            len: data.len(),
            tensor_scale: s2,
            scales,
            effective,
        })
    }

    /// The effective scale `d_b` of each block.
    pub fn effective_scales(&self) -> &[f32] {
        &self.effective
    }

    /// The blocks of `data` under the fitted scales (the last one zero-padded).
    pub fn blocks(&self, data: &[f32]) -> Result<Vec<Nvfp4Block>> {
        check_len(self.len, data.len())?;
        check_finite(data)?;
        Ok(data
            .chunks(NVFP4_BLOCK)
            .zip(self.scales.iter().zip(&self.effective))
            .map(|(c, (&scale, &d))| {
                let mut codes = [0u8; NVFP4_BLOCK];
                for (q, &x) in codes.iter_mut().zip(c) {
                    *q = element_code(x, d);
                }
                Nvfp4Block { scale, codes }
            })
            .collect())
    }
}

impl Quantizer for Nvfp4Quantizer {
    fn inspect_blocks(&self) -> usize {
        self.scales.len()
    }

    /// The block's 9 bytes ([`Nvfp4Block::to_bytes`]), the tensor scale `s₂`, the E4M3
    /// block scale, their product `d`, and each element `E2M1·d`.
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode> {
        check_data(data.len(), self.len)?;
        check_block(block, self.scales.len())?;
        let (scale, d) = (self.scales[block], self.effective[block]);
        let start = block * NVFP4_BLOCK;
        let end = (start + NVFP4_BLOCK).min(self.len);
        check_values(data, start..end)?;
        let mut codes = [0u8; NVFP4_BLOCK];
        let elements: Vec<_> = (start..end)
            .map(|i| {
                let c = element_code(data[i], d);
                codes[i - start] = c;
                let unit = ElementFormat::E2m1.value(c);
                element(
                    i,
                    i32::from(c),
                    u32::from(c),
                    unit,
                    (f64::from(d), 0.0),
                    dequantize_one(c, d),
                    data[i],
                )
            })
            .collect();
        let bytes = Nvfp4Block { scale, codes }.to_bytes().to_vec();
        let mut steps = vec![
            ScaleFormat::F32.step(
                StepKind::TensorScale,
                "s₂ = amax/2688",
                f64::from(self.tensor_scale),
            ),
            DecodeStep::stored(
                StepKind::BlockScale,
                None,
                u64::from(scale),
                8,
                "s_b = E4M3",
                ElementFormat::E4m3.value(scale),
            ),
            DecodeStep::derived(StepKind::EffectiveScale, None, "d = s_b·s₂", f64::from(d)),
        ];
        steps.extend(level_steps(&elements, "E2M1[c]"));
        let first = first.min(elements.len().saturating_sub(1));
        Ok(BlockDecode {
            block,
            blocks: self.scales.len(),
            len: end - start,
            first,
            code_bits: 4,
            bytes,
            scale_bytes: 1,
            steps,
            elements: elements.into_iter().skip(first).collect(),
        })
    }

    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        check_len(self.len, data.len())?;
        check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| i32::from(element_code(x, self.effective[i / NVFP4_BLOCK])))
            .collect())
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        check_len(self.len, codes.len())?;
        codes
            .iter()
            .enumerate()
            .map(|(i, &q)| {
                let c = code_in_range(q, 16, i)? as u8;
                Ok(dequantize_one(c, self.effective[i / NVFP4_BLOCK]))
            })
            .collect()
    }

    fn quantize_dequantize(&self, data: &[f32]) -> Result<Vec<f32>> {
        check_len(self.len, data.len())?;
        check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let d = self.effective[i / NVFP4_BLOCK];
                dequantize_one(element_code(x, d), d)
            })
            .collect())
    }

    /// The first block's grid: the 15 E2M1 values times `d_b`, ascending.
    fn levels(&self) -> Vec<f32> {
        let Some(&d) = self.effective.first() else {
            return Vec::new();
        };
        let mut v: Vec<f32> = (0..16u8).map(|c| dequantize_one(c, d)).collect();
        v.sort_by(f32::total_cmp);
        v.dedup();
        v
    }

    fn bits_per_value(&self) -> f64 {
        nvfp4_bits_per_value(self.len)
    }

    fn describe(&self) -> Vec<(String, f64)> {
        vec![
            ("blocks".into(), self.scales.len() as f64),
            ("tensor_scale".into(), f64::from(self.tensor_scale)),
        ]
    }
}

/// An error for a block count that does not hold `n` values.
pub fn check_blocks(blocks: usize, n: usize) -> Result<()> {
    if n <= blocks * NVFP4_BLOCK {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "{n} values need {} NVFP4 blocks but only {blocks} were given",
            n.div_ceil(NVFP4_BLOCK)
        )))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_tensor_absmax_lands_on_six_with_a_block_scale_of_448() {
        let mut x: Vec<f32> = (0..32).map(|i| (i as f32 - 16.0) / 4.0).collect();
        x[5] = 12.0;
        let q = Nvfp4Quantizer::fit(&x, &[]).unwrap();
        assert_eq!(q.tensor_scale, 12.0 / 2688.0);
        assert_eq!(q.scales[0], 0x7E); // 448
        let y = q.quantize_dequantize(&x).unwrap();
        let d = q.effective_scales()[0];
        assert_eq!(d, 448.0 * q.tensor_scale);
        assert_eq!(y[5], 6.0 * d);
        assert!((y[5] - 12.0).abs() < 1e-5);
        assert_eq!(q.bits_per_value(), (72.0 * 2.0 + 32.0) / 32.0);
        assert_eq!(nvfp4_bits_per_value(4096), 4.5 + 32.0 / 4096.0);
        let blocks = q.blocks(&x).unwrap();
        for (b, chunk) in blocks.iter().zip(y.chunks(16)) {
            assert_eq!(&b.dequantize(q.tensor_scale)[..], chunk);
            assert_eq!(Nvfp4Block::from_bytes(&b.to_bytes()), *b);
        }
        let two = q.dequantize(&q.quantize(&x).unwrap()).unwrap();
        assert_eq!(two, y);
    }

    #[test]
    fn zeros_tiny_tensors_and_outliers_never_divide_by_zero() {
        let z = Nvfp4Quantizer::fit(&[0.0; 20], &[]).unwrap();
        assert_eq!(z.scales, vec![ONE_E4M3, ONE_E4M3]);
        assert_eq!(z.quantize_dequantize(&[0.0; 20]).unwrap(), vec![0.0; 20]);
        let tiny = [f32::from_bits(1); 16];
        let t = Nvfp4Quantizer::fit(&tiny, &[]).unwrap();
        assert_eq!(t.tensor_scale, 0.0);
        assert!(
            t.quantize_dequantize(&tiny)
                .unwrap()
                .iter()
                .all(|v| *v == 0.0)
        );
        let mut x = vec![0.01f32; 48];
        x[20] = 3e38;
        let q = Nvfp4Quantizer::fit(&x, &[]).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        assert!(y.iter().all(|v| v.is_finite()));
        assert!((y[20] / 3e38 - 1.0).abs() < 1e-5, "{}", y[20]);
        assert_eq!(y[0], 0.0); // 0.01 is far below the smallest step of its block
        assert!(Nvfp4Quantizer::fit(&[], &[]).is_err());
        assert!(Nvfp4Quantizer::fit(&[f32::NAN], &[]).is_err());
        assert!(Nvfp4Quantizer::fit(&[1.0; 5], &[2, 2]).is_err());
        assert!(q.dequantize(&[16; 48]).is_err());
        assert!(check_blocks(3, 49).is_err());
        assert_eq!(q.levels().len(), 15);
    }
}
