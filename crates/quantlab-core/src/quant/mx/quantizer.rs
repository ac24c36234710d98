//! [`MxQuantizer`]: the MX formats behind the [`Quantizer`] trait.
//!
//! The data is read flat (row-major) in blocks of 32; each block's E8M0 scale is fitted by
//! the spec's rule ([`super::block`]) and kept, so `quantize` codes any data of the fitted
//! length under those scales (on the fitted data it is exactly the spec's conversion).
//! Codes: the float element's bit pattern (`0..2^bits`), or the signed INT8 value
//! (`−127..=127`; `−128` is accepted by `dequantize`). A last partial block costs a whole
//! block of storage, as in ggml.

use crate::error::{QuantError, Result, check_finite};
use crate::quant::granularity::GroupLayout;
use crate::quant::inspect::{
    BlockDecode, DecodeStep, StepKind, check_block, check_data, check_values, element, level_steps,
};
use crate::quant::kernel::{check_len, code_in_range};
use crate::quant::mx::block::{
    MxBlock, dequantize_one, element_code, element_format, element_value, shared_exponent,
};
use crate::quant::mx::element::e8m0_value;
use crate::quant::quantizer::Quantizer;
use crate::quant::types::{Granularity, MX_BLOCK, MxElement};

/// A fitted MX quantizer over flat data (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct MxQuantizer {
    /// The element type.
    pub element: MxElement,
    /// Number of values fitted.
    pub len: usize,
    /// The E8M0 scale byte of each block (`X = 2^(s − 127)`).
    pub scales: Vec<u8>,
}

impl MxQuantizer {
    /// Fits one E8M0 scale per 32 values of `data` (row-major; `shape` is checked against
    /// the length, blocks run over the flat data). Errors: empty data, NaN or ±∞ (the
    /// spec's NaN blocks are [`MxBlock::quantize`]'s), a shape that does not hold the data.
    pub fn fit(element: MxElement, data: &[f32], shape: &[usize]) -> Result<Self> {
        GroupLayout::new(Granularity::PerTensor, shape, data.len())?;
        check_finite(data)?;
        let scales = data
            .chunks(MX_BLOCK)
            .map(|c| {
                let amax = c.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                // Finite data always has a shared exponent; −127 is never reached otherwise.
                (shared_exponent(amax, element).unwrap_or(-127) + 127) as u8
            })
            .collect();
        Ok(MxQuantizer {
            element,
            len: data.len(),
            scales,
        })
    }

    /// The scale `X` of each block.
    pub fn scale_values(&self) -> Vec<f64> {
        self.scales.iter().map(|&s| e8m0_value(s)).collect()
    }

    /// The shared exponent of each block (`scale − 127`).
    pub fn shared_exponents(&self) -> Vec<i32> {
        self.scales.iter().map(|&s| i32::from(s) - 127).collect()
    }

    /// The blocks of `data` under the fitted scales (the last one zero-padded), ready for
    /// [`MxBlock::to_bytes`].
    pub fn blocks(&self, data: &[f32]) -> Result<Vec<MxBlock>> {
        check_len(self.len, data.len())?;
        check_finite(data)?;
        Ok(data
            .chunks(MX_BLOCK)
            .zip(&self.scales)
            .map(|(c, &scale)| {
                let mut codes = [0u8; MX_BLOCK];
                for (q, &x) in codes.iter_mut().zip(c) {
                    *q = element_code(self.element, x, i32::from(scale) - 127);
                }
                MxBlock {
                    element: self.element,
                    scale,
                    codes,
                }
            })
            .collect())
    }

    /// The finite values of block `b`'s grid, `P · X`, ascending (empty past the end).
    pub fn block_levels(&self, b: usize) -> Vec<f32> {
        let Some(&scale) = self.scales.get(b) else {
            return Vec::new();
        };
        let x = e8m0_value(scale);
        let mut v: Vec<f32> = (0..=255u8)
            .filter(|&c| match element_format(self.element) {
                Some(f) => u32::from(c) < 1 << f.bits(),
                None => c != 0x80, // −128 is never produced
            })
            .map(|c| element_value(self.element, c) * x)
            .filter(|v| v.is_finite())
            .map(|v| v as f32)
            .collect();
        v.sort_by(f32::total_cmp);
        v.dedup();
        v
    }

    fn code_at(&self, i: usize, x: f32) -> u8 {
        element_code(self.element, x, i32::from(self.scales[i / MX_BLOCK]) - 127)
    }
}

impl Quantizer for MxQuantizer {
    fn inspect_blocks(&self) -> usize {
        self.scales.len()
    }

    /// The block's bytes ([`MxBlock::to_bytes`]: the E8M0 byte, then the packed element
    /// codes; a last partial block padded with zeros), the scale `X = 2^(s − 127)`, and each
    /// element `P·X`.
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode> {
        check_data(data.len(), self.len)?;
        check_block(block, self.scales.len())?;
        let scale = self.scales[block];
        let start = block * MX_BLOCK;
        let end = (start + MX_BLOCK).min(self.len);
        check_values(data, start..end)?;
        let x = e8m0_value(scale);
        let mut codes = [0u8; MX_BLOCK];
        let elements: Vec<_> = (start..end)
            .map(|i| {
                let c = self.code_at(i, data[i]);
                codes[i - start] = c;
                let q = match self.element {
                    MxElement::Int8 => i32::from(c as i8),
                    _ => i32::from(c),
                };
                let v = dequantize_one(self.element, scale, c);
                element(
                    i,
                    q,
                    u32::from(c),
                    element_value(self.element, c),
                    (x, 0.0),
                    v,
                    data[i],
                )
            })
            .collect();
        let bytes = MxBlock {
            element: self.element,
            scale,
            codes,
        }
        .to_bytes();
        let mut steps = vec![DecodeStep::stored(
            StepKind::BlockScale,
            None,
            u64::from(scale),
            8,
            "X = 2^(e − 127)",
            x,
        )];
        let formula = match self.element {
            MxElement::Int8 => "P = q·2^−6",
            _ => "P = E·M (element format)",
        };
        steps.extend(level_steps(&elements, formula));
        let first = first.min(elements.len().saturating_sub(1));
        Ok(BlockDecode {
            block,
            blocks: self.scales.len(),
            len: end - start,
            first,
            code_bits: self.element.bits(),
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
            .map(|(i, &x)| {
                let c = self.code_at(i, x);
                match self.element {
                    MxElement::Int8 => i32::from(c as i8),
                    _ => i32::from(c),
                }
            })
            .collect())
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        check_len(self.len, codes.len())?;
        codes
            .iter()
            .enumerate()
            .map(|(i, &q)| {
                let c = match element_format(self.element) {
                    Some(f) => code_in_range(q, 1 << f.bits(), i)? as u8,
                    None => (code_in_range(q.saturating_add(128), 256, i)? as i32 - 128) as u8,
                };
                let v = dequantize_one(self.element, self.scales[i / MX_BLOCK], c);
                if v.is_finite() {
                    Ok(v)
                } else {
                    Err(QuantError::InvalidParameter(format!(
                        "code {c:#x} at index {i} is NaN or infinity in {}, not a number",
                        self.element.name()
                    )))
                }
            })
            .collect()
    }

    /// One pass, equal to `dequantize(quantize(data))` value for value.
    fn quantize_dequantize(&self, data: &[f32]) -> Result<Vec<f32>> {
        check_len(self.len, data.len())?;
        check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                dequantize_one(self.element, self.scales[i / MX_BLOCK], self.code_at(i, x))
            })
            .collect())
    }

    /// The finite values of the first block's grid, `P · X`, ascending.
    fn levels(&self) -> Vec<f32> {
        self.block_levels(0)
    }

    /// Whole blocks: `8·bytes·⌈n/32⌉/n` (8.25, 6.25, 4.25 when `n` is a multiple of 32).
    fn bits_per_value(&self) -> f64 {
        8.0 * (self.element.block_bytes() * self.scales.len()) as f64 / self.len as f64
    }

    fn describe(&self) -> Vec<(String, f64)> {
        let e = self.shared_exponents();
        vec![
            ("blocks".into(), self.scales.len() as f64),
            (
                "shared_exp_min".into(),
                f64::from(e.iter().copied().min().unwrap_or(0)),
            ),
            (
                "shared_exp_max".into(),
                f64::from(e.iter().copied().max().unwrap_or(0)),
            ),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn wave(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| ((i as f32) * 0.37).sin() * (1.0 + (i % 7) as f32))
            .collect()
    }

    #[test]
    fn bits_per_value_is_exact_for_every_element_type() {
        let x = wave(4096);
        let want = [8.25, 8.25, 6.25, 6.25, 4.25, 8.25];
        for (e, w) in MxElement::ALL.into_iter().zip(want) {
            let q = MxQuantizer::fit(e, &x, &[64, 64]).unwrap();
            assert_eq!(q.bits_per_value(), w, "{e:?}");
            assert_eq!(e.bits_per_value(), w, "{e:?}");
        }
        // A partial block costs a whole one: 40 values = 2 blocks of 17 bytes.
        let q = MxQuantizer::fit(MxElement::Fp4E2m1, &x[..40], &[]).unwrap();
        assert_eq!(q.bits_per_value(), 8.0 * 34.0 / 40.0);
    }

    #[test]
    fn the_one_pass_path_equals_quantize_then_dequantize_and_the_blocks() {
        let mut x = wave(1000);
        x[3] = 0.0;
        x[4] = -0.0;
        x[100] = 1e30;
        x[200] = 1e-40;
        for e in MxElement::ALL {
            let q = MxQuantizer::fit(e, &x, &[]).unwrap();
            let one = q.quantize_dequantize(&x).unwrap();
            let two = q.dequantize(&q.quantize(&x).unwrap()).unwrap();
            assert!(
                one.iter()
                    .zip(&two)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{e:?}"
            );
            let blocks = q.blocks(&x).unwrap();
            for (i, b) in blocks.iter().enumerate() {
                let lo = i * MX_BLOCK;
                let hi = (lo + MX_BLOCK).min(x.len());
                assert_eq!(
                    *b,
                    MxBlock::quantize(e, &x[lo..hi]).unwrap(),
                    "{e:?} block {i}"
                );
                let y = b.dequantize();
                assert!(
                    one[lo..hi]
                        .iter()
                        .zip(&y)
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "{e:?} block {i}"
                );
            }
        }
    }

    #[test]
    fn edge_inputs_are_errors_or_exact_never_panics() {
        for e in MxElement::ALL {
            assert!(MxQuantizer::fit(e, &[], &[]).is_err());
            assert!(MxQuantizer::fit(e, &[1.0, f32::NAN], &[]).is_err());
            assert!(MxQuantizer::fit(e, &[f32::INFINITY], &[]).is_err());
            assert!(MxQuantizer::fit(e, &[1.0; 6], &[4]).is_err());
            let zeros = MxQuantizer::fit(e, &[0.0; 70], &[7, 10]).unwrap();
            assert_eq!(
                zeros.quantize_dequantize(&[0.0; 70]).unwrap(),
                vec![0.0; 70]
            );
            assert_eq!(zeros.scales, vec![0, 0, 0]);
            // One huge outlier: the rest of its block underflows, other blocks keep theirs.
            let mut x = vec![0.5f32; 64];
            x[7] = 3e38;
            let q = MxQuantizer::fit(e, &x, &[]).unwrap();
            let y = q.quantize_dequantize(&x).unwrap();
            assert!(y.iter().all(|v| v.is_finite()), "{e:?}");
            assert_eq!(y[40], 0.5, "{e:?}");
            assert!((y[7] - 3e38).abs() <= 3e38 * 0.25, "{e:?} {}", y[7]);
            // Data beyond the fitted scale saturates; bad codes are errors.
            assert!(q.quantize_dequantize(&x[..63]).is_err());
            assert!(q.dequantize(&[300; 64]).is_err());
            assert!(!q.levels().is_empty());
        }
        let e4 = MxQuantizer::fit(MxElement::Fp8E4m3, &[1.0], &[]).unwrap();
        assert!(e4.dequantize(&[0x7F]).is_err()); // NaN code
        let i8q = MxQuantizer::fit(MxElement::Int8, &[1.0], &[]).unwrap();
        assert_eq!(i8q.dequantize(&[-128]).unwrap(), vec![-2.0]);
        assert_eq!(i8q.quantize(&[-5.0]).unwrap(), vec![-127]);
        assert!(i8q.dequantize(&[128]).is_err());
    }

    #[test]
    fn levels_are_the_element_grid_times_the_scale() {
        let q = MxQuantizer::fit(MxElement::Fp4E2m1, &[6.0, -1.0], &[]).unwrap();
        assert_eq!(
            q.levels(),
            vec![
                -6.0, -4.0, -3.0, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0
            ]
        );
        let q = MxQuantizer::fit(MxElement::Int8, &[1.0], &[]).unwrap();
        assert_eq!(q.levels().len(), 255);
        let q = MxQuantizer::fit(MxElement::Fp8E4m3, &[1.0], &[]).unwrap();
        assert_eq!(q.levels().len(), 253);
    }
}
