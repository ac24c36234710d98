//! quantlab's MX and NVFP4 arithmetic against committed reference vectors, bit for bit.
//!
//! `tests/data/mx_casts.bin` holds `ml_dtypes`' casts of a few thousand `f32` (every
//! representable value of each format, every tie between neighbours and the `f32` on either
//! side, the overflow edges, ±0, ±∞, NaNs, subnormals, random values) to FP8 E4M3 and E5M2,
//! FP6 E3M2 and E2M3, FP4 E2M1 and E8M0, plain and saturating, and every code decoded.
//! `tests/data/mx_blocks.bin` holds MX blocks (the OCP spec's rule) and NVFP4 tensors (the
//! TensorRT Model Optimizer recipe) quantized and dequantized by a NumPy transcription. Both
//! are written by `scripts/ref_mx.py` (run `scripts/ref-vectors.sh`); the layouts are in its
//! docstring.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use quantlab_core::quant::mx::block::{dequantize_row, quantize_row};
use quantlab_core::quant::mx::element::{ElementFormat, e8m0_cast, e8m0_value};
use quantlab_core::quant::mx::{MxQuantizer, Nvfp4Quantizer};
use quantlab_core::quant::quantizer::Quantizer;
use quantlab_core::quant::types::{MX_BLOCK, MxElement, NVFP4_BLOCK};

const CASTS: &[u8] = include_bytes!("data/mx_casts.bin");
const BLOCKS: &[u8] = include_bytes!("data/mx_blocks.bin");

/// A little-endian reader over the vector files.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], magic: &[u8]) -> Self {
        assert_eq!(&bytes[..magic.len()], magic, "bad magic");
        Reader {
            bytes,
            at: magic.len(),
        }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        s
    }

    fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take(4).try_into().unwrap())
    }

    fn f32s(&mut self, n: usize) -> Vec<f32> {
        self.take(4 * n)
            .chunks(4)
            .map(|c| f32::from_bits(u32::from_le_bytes(c.try_into().unwrap())))
            .collect()
    }

    fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

/// Equal bits, or both NaN.
fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn every_cast_equals_ml_dtypes() {
    let mut r = Reader::new(CASTS, b"QLMXCST1");
    let n = r.u32() as usize;
    let x = r.f32s(n);
    assert!(n > 4000, "{n} inputs");
    assert!(x.iter().any(|v| v.is_nan()) && x.iter().any(|v| v.is_infinite()));
    let mut checked = 0;
    for f in ElementFormat::ALL {
        let plain = r.take(n);
        let saturating = r.take(n);
        for ((&v, &p), &s) in x.iter().zip(plain).zip(saturating) {
            let b = v.to_bits();
            assert_eq!(f.cast(v), p, "{f:?} cast of {v} ({b:#010x})");
            assert_eq!(
                f.cast_saturating(v),
                s,
                "{f:?} saturating cast of {v} ({b:#010x})"
            );
            checked += 2;
        }
    }
    let e8m0 = r.take(n);
    for (&v, &c) in x.iter().zip(e8m0) {
        assert_eq!(e8m0_cast(v), c, "E8M0 cast of {v} ({:#010x})", v.to_bits());
        checked += 1;
    }
    // Every code decoded.
    for f in ElementFormat::ALL {
        let table = r.f32s(1 << f.bits());
        for (c, &want) in table.iter().enumerate() {
            assert!(same(f.value(c as u8) as f32, want), "{f:?} code {c:#x}");
        }
    }
    let table = r.f32s(256);
    for (c, &want) in table.iter().enumerate() {
        assert!(same(e8m0_value(c as u8) as f32, want), "E8M0 code {c:#x}");
    }
    assert!(r.done());
    assert_eq!(checked, 11 * n);
}

#[test]
fn mx_and_nvfp4_blocks_equal_the_numpy_transcriptions() {
    let mut r = Reader::new(BLOCKS, b"QLMXBLK1");
    let cases = r.u32();
    let (mut mx_values, mut nv_values, mut nan_blocks) = (0, 0, 0);
    for case in 0..cases {
        let kind = r.u8() as usize;
        let n = r.u32() as usize;
        let x = r.f32s(n);
        if kind < MxElement::ALL.len() {
            let element = MxElement::ALL[kind];
            let scales = r.take(n.div_ceil(MX_BLOCK)).to_vec();
            let codes = r.take(n).to_vec();
            let deq = r.f32s(n);
            // The block API, NaN and ∞ included.
            let blocks = quantize_row(element, &x);
            let got_scales: Vec<u8> = blocks.iter().map(|b| b.scale).collect();
            assert_eq!(got_scales, scales, "case {case} {element:?} scales");
            let got_codes: Vec<u8> = blocks.iter().flat_map(|b| b.codes).take(n).collect();
            assert_eq!((got_codes.len(), codes.len(), deq.len()), (n, n, n));
            for (i, (g, c)) in got_codes.iter().zip(&codes).enumerate() {
                assert_eq!(g, c, "case {case} {element:?} code {i} of {}", x[i]);
            }
            let y = dequantize_row(&blocks, n).unwrap();
            for (i, (a, b)) in y.iter().zip(&deq).enumerate() {
                assert!(
                    same(*a, *b),
                    "case {case} {element:?} value {i}: {a} vs {b}"
                );
            }
            nan_blocks += scales.iter().filter(|&&s| s == 0xFF).count();
            // The fitted quantizer on finite data, and the bytes.
            if x.iter().all(|v| v.is_finite()) {
                let q = MxQuantizer::fit(element, &x, &[]).unwrap();
                assert_eq!(q.scales, scales, "case {case}");
                let y = q.quantize_dequantize(&x).unwrap();
                assert!(y.iter().zip(&deq).all(|(a, b)| same(*a, *b)), "case {case}");
                for b in q.blocks(&x).unwrap() {
                    let bytes = b.to_bytes();
                    assert_eq!(bytes.len(), element.block_bytes());
                    let back =
                        quantlab_core::quant::mx::MxBlock::from_bytes(element, &bytes).unwrap();
                    assert_eq!(back, b);
                }
            }
            mx_values += n;
        } else {
            assert_eq!(kind, 6, "case {case}");
            let s2 = r.f32s(1)[0];
            let scales = r.take(n.div_ceil(NVFP4_BLOCK)).to_vec();
            let codes: Vec<i32> = r.take(n).iter().map(|&c| i32::from(c)).collect();
            let deq = r.f32s(n);
            let q = Nvfp4Quantizer::fit(&x, &[]).unwrap();
            assert!(
                same(q.tensor_scale, s2),
                "case {case}: {} vs {s2}",
                q.tensor_scale
            );
            assert_eq!(q.scales, scales, "case {case} scales");
            assert_eq!(q.quantize(&x).unwrap(), codes, "case {case} codes");
            let y = q.quantize_dequantize(&x).unwrap();
            for (i, (a, b)) in y.iter().zip(&deq).enumerate() {
                assert!(same(*a, *b), "case {case} value {i}: {a} vs {b}");
            }
            nv_values += n;
        }
    }
    assert!(r.done());
    assert!(
        mx_values > 10_000 && nv_values > 1000,
        "{mx_values} {nv_values}"
    );
    assert!(nan_blocks >= 3 * 6, "{nan_blocks}");
}
