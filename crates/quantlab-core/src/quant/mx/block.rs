//! One OCP MX block: [`MX_BLOCK`] = 32 elements sharing an E8M0 scale `X = 2^shared_exp`,
//! the spec's conversion rule (OCP MX v1.0 §6.3) and the block's bytes.
//!
//! ```text
//! shared_exp = ⌊log2(max_i |V_i|)⌋ − emax_elem      (exact, from the f32's bits)
//!              clamped to the E8M0 range −127..=127   (an all-zero block: −127)
//! X          = 2^shared_exp,  stored as the E8M0 byte shared_exp + 127
//! P_i        = cast_saturating(V_i / X)               (one rounding, ties to even)
//! V̂_i        = P_i · X                                 (exact, rounded once to f32)
//! ```
//!
//! `emax_elem` is 8 (E4M3), 15 (E5M2), 4 (E3M2), 2 (E2M3, E2M1), 0 (INT8). So the block's
//! absmax lands in `[2^emax, 2^(emax+1))` after scaling, and values above the element's
//! max there (E2M1: 6 … 8, E4M3: 448 … 512) saturate: the spec's rule, which trades that
//! clipping for a scale that is a pure power of two.
//!
//! **NaN and ∞** (§6.3 and §6.2): a block holding a NaN or ±∞ gets the NaN scale `0xFF`, and
//! every one of its values then decodes to NaN, whatever its element code (stored as 0).
//! [`MxBlock::quantize`] implements this; the fitted [`MxQuantizer`](super::MxQuantizer)
//! refuses non-finite data instead, like every quantizer of this crate.
//!
//! **Bytes** ([`MxBlock::to_bytes`]): the spec leaves the physical layout open; here a
//! block is the scale byte followed by the 32 element codes as one LSB-first bit stream, the
//! convention of [`crate::pack`]: FP8 and INT8 one byte each (INT8 in two's complement),
//! FP6 four codes in three bytes, FP4 element `2j` in the low and `2j + 1` in the high nibble
//! of byte `j`. 33, 25 and 17 bytes: 8.25, 6.25 and 4.25 bits per value.

use crate::error::{QuantError, Result};
use crate::pack::packed_len;
use crate::quant::mx::element::{ElementFormat, e8m0_value, int8_cast, int8_value, pow2};
use crate::quant::types::{MX_BLOCK, MxElement};

/// The float format of an MX element type, `None` for INT8.
pub fn element_format(e: MxElement) -> Option<ElementFormat> {
    match e {
        MxElement::Fp8E4m3 => Some(ElementFormat::E4m3),
        MxElement::Fp8E5m2 => Some(ElementFormat::E5m2),
        MxElement::Fp6E3m2 => Some(ElementFormat::E3m2),
        MxElement::Fp6E2m3 => Some(ElementFormat::E2m3),
        MxElement::Fp4E2m1 => Some(ElementFormat::E2m1),
        MxElement::Int8 => None,
    }
}

/// The shared exponent of a block whose largest magnitude is `amax` (see the module docs),
/// or `None` (the NaN scale) when `amax` is NaN or ±∞.
pub fn shared_exponent(amax: f32, element: MxElement) -> Option<i32> {
    if !amax.is_finite() {
        return None;
    }
    let a = f64::from(amax.abs());
    if a == 0.0 {
        return Some(-127);
    }
    // f32 → f64 is exact and normal, so the f64 exponent field is ⌊log2 a⌋ exactly.
    let floor_log2 = ((a.to_bits() >> 52) & 0x7FF) as i32 - 1023;
    Some((floor_log2 - element.emax()).clamp(-127, 127))
}

/// The element code of `x` under the scale `2^shift`: the float code (`0..2^bits`), or the
/// INT8 code as its two's complement byte.
pub fn element_code(element: MxElement, x: f32, shift: i32) -> u8 {
    match element_format(element) {
        Some(f) => f.cast_scaled(x, shift),
        None => int8_cast(f64::from(x) * pow2(-shift)) as u8,
    }
}

/// The value of an element code (NaN or ±∞ for the FP8 specials).
pub fn element_value(element: MxElement, code: u8) -> f64 {
    match element_format(element) {
        Some(f) => f.value(code),
        None => int8_value(code as i8),
    }
}

/// `P · X` rounded once to `f32`: the element value times the block scale.
pub fn dequantize_one(element: MxElement, scale: u8, code: u8) -> f32 {
    (element_value(element, code) * e8m0_value(scale)) as f32
}

/// One MX block: its E8M0 scale byte and 32 element codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MxBlock {
    /// The element type.
    pub element: MxElement,
    /// The E8M0 scale: `X = 2^(scale − 127)`, `0xFF` = NaN.
    pub scale: u8,
    /// The element codes (INT8: two's complement bytes), in value order.
    pub codes: [u8; MX_BLOCK],
}

impl MxBlock {
    /// Converts up to 32 values (fewer are padded with zeros) by the spec's rule, NaN and ∞
    /// included (see the module docs). Errors if `x` holds more than 32 values.
    pub fn quantize(element: MxElement, x: &[f32]) -> Result<Self> {
        if x.len() > MX_BLOCK {
            return Err(QuantError::InvalidParameter(format!(
                "an MX block holds {MX_BLOCK} values, not {}",
                x.len()
            )));
        }
        let amax = x.iter().fold(0.0f32, |m, &v| {
            if v.is_nan() || m.is_nan() {
                f32::NAN
            } else {
                m.max(v.abs())
            }
        });
        let mut codes = [0u8; MX_BLOCK];
        let Some(e) = shared_exponent(amax, element) else {
            return Ok(MxBlock {
                element,
                scale: 0xFF,
                codes,
            });
        };
        for (c, &v) in codes.iter_mut().zip(x) {
            *c = element_code(element, v, e);
        }
        Ok(MxBlock {
            element,
            scale: (e + 127) as u8,
            codes,
        })
    }

    /// The scale `X` (NaN for `0xFF`).
    pub fn scale_value(&self) -> f64 {
        e8m0_value(self.scale)
    }

    /// The 32 values `P_i · X` (all NaN under the NaN scale).
    pub fn dequantize(&self) -> [f32; MX_BLOCK] {
        self.codes
            .map(|c| dequantize_one(self.element, self.scale, c))
    }

    /// The block's bytes: the scale, then the packed codes (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.element.block_bytes());
        out.push(self.scale);
        out.extend(pack_codes(&self.codes, self.element.bits()));
        out
    }

    /// Reads a block from its [`MxElement::block_bytes`] bytes. Errors on any other length.
    pub fn from_bytes(element: MxElement, bytes: &[u8]) -> Result<Self> {
        if bytes.len() != element.block_bytes() {
            return Err(QuantError::InvalidParameter(format!(
                "an {} block is {} bytes, not {}",
                element.name(),
                element.block_bytes(),
                bytes.len()
            )));
        }
        let mut codes = [0u8; MX_BLOCK];
        codes.copy_from_slice(&unpack_codes(&bytes[1..], MX_BLOCK, element.bits()));
        Ok(MxBlock {
            element,
            scale: bytes[0],
            codes,
        })
    }
}

/// Converts a row to MX blocks (the last one zero-padded), by [`MxBlock::quantize`].
pub fn quantize_row(element: MxElement, x: &[f32]) -> Vec<MxBlock> {
    x.chunks(MX_BLOCK)
        .filter_map(|c| MxBlock::quantize(element, c).ok())
        .collect()
}

/// The first `n` values of `blocks`. Errors if they hold fewer than `n`.
pub fn dequantize_row(blocks: &[MxBlock], n: usize) -> Result<Vec<f32>> {
    if n > blocks.len() * MX_BLOCK {
        return Err(QuantError::InvalidParameter(format!(
            "{n} values need {} MX blocks but only {} were given",
            n.div_ceil(MX_BLOCK),
            blocks.len()
        )));
    }
    Ok(blocks.iter().flat_map(|b| b.dequantize()).take(n).collect())
}

/// Packs codes of `bits` bits (their low bits) into one LSB-first bit stream (the
/// convention of [`crate::pack`]), `⌈n·bits/8⌉` bytes.
pub fn pack_codes(codes: &[u8], bits: u32) -> Vec<u8> {
    let mut out = vec![0u8; packed_len(codes.len(), bits)];
    let mask = ((1u16 << bits) - 1) as u8;
    for (i, &c) in codes.iter().enumerate() {
        let v = u16::from(c & mask);
        let k = i * bits as usize;
        let (byte, shift) = (k / 8, k % 8);
        let wide = v << shift;
        out[byte] |= wide as u8;
        if shift + bits as usize > 8 {
            out[byte + 1] |= (wide >> 8) as u8;
        }
    }
    out
}

/// The first `n` codes of `bits` bits from an LSB-first bit stream; missing bits read as 0.
pub fn unpack_codes(bytes: &[u8], n: usize, bits: u32) -> Vec<u8> {
    let mask = (1u16 << bits) - 1;
    (0..n)
        .map(|i| {
            let k = i * bits as usize;
            let (byte, shift) = (k / 8, k % 8);
            let lo = u16::from(bytes.get(byte).copied().unwrap_or(0));
            let hi = u16::from(bytes.get(byte + 1).copied().unwrap_or(0));
            (((lo | hi << 8) >> shift) & mask) as u8
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_exponent_follows_the_spec_rule() {
        use MxElement::*;
        // amax 6 → ⌊log2 6⌋ = 2, minus emax 2 → X = 1: 6 is exact in E2M1.
        assert_eq!(shared_exponent(6.0, Fp4E2m1), Some(0));
        // amax 7.99 → still 2 → 7.99 saturates to 6.
        assert_eq!(shared_exponent(7.99, Fp4E2m1), Some(0));
        assert_eq!(shared_exponent(8.0, Fp4E2m1), Some(1));
        assert_eq!(shared_exponent(1.0, Fp8E4m3), Some(-8));
        assert_eq!(shared_exponent(1.0, Fp8E5m2), Some(-15));
        assert_eq!(shared_exponent(1.0, Int8), Some(0));
        // Just below a power of two: exact, no log2 rounding.
        assert_eq!(shared_exponent(f32::from_bits(0x3F7F_FFFF), Int8), Some(-1));
        assert_eq!(shared_exponent(0.0, Fp6E3m2), Some(-127));
        assert_eq!(shared_exponent(f32::from_bits(1), Fp4E2m1), Some(-127));
        assert_eq!(shared_exponent(f32::MAX, Int8), Some(127));
        assert_eq!(shared_exponent(f32::NAN, Int8), None);
        assert_eq!(shared_exponent(f32::INFINITY, Fp8E4m3), None);
    }

    #[test]
    fn a_block_saturates_above_the_element_max_and_rounds_ties_to_even() {
        let mut x = [0.0f32; 32];
        x[..6].copy_from_slice(&[7.5, -6.5, 1.25, 2.5, 0.2, -0.25]);
        let b = MxBlock::quantize(MxElement::Fp4E2m1, &x).unwrap();
        assert_eq!(b.scale, 127); // X = 1
        assert_eq!(&b.codes[..6], &[0x7, 0xF, 0x2, 0x4, 0x0, 0x8]);
        let y = b.dequantize();
        assert_eq!(&y[..6], &[6.0, -6.0, 1.0, 2.0, 0.0, -0.0]);
        assert_eq!(b.to_bytes().len(), 17);
        assert_eq!(b.to_bytes()[1], 0xF7);
        assert_eq!(
            MxBlock::from_bytes(MxElement::Fp4E2m1, &b.to_bytes()).unwrap(),
            b
        );
    }

    #[test]
    fn nan_or_infinity_makes_the_whole_block_nan() {
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for e in MxElement::ALL {
                let b = MxBlock::quantize(e, &[1.0, bad, 2.0]).unwrap();
                assert_eq!(b.scale, 0xFF, "{e:?}");
                assert!(b.dequantize().iter().all(|v| v.is_nan()), "{e:?}");
            }
        }
        assert!(MxBlock::quantize(MxElement::Int8, &[0.0; 33]).is_err());
    }

    #[test]
    fn every_width_packs_and_unpacks_and_agrees_with_the_crate_packer() {
        for bits in [4u32, 6, 8] {
            let codes: Vec<u8> = (0..32u32)
                .map(|i| ((i * 37 + 5) % (1 << bits)) as u8)
                .collect();
            let bytes = pack_codes(&codes, bits);
            assert_eq!(bytes.len(), 32 * bits as usize / 8);
            assert_eq!(unpack_codes(&bytes, 32, bits), codes);
            if bits != 6 {
                let wide: Vec<u32> = codes.iter().map(|&c| u32::from(c)).collect();
                assert_eq!(crate::pack::pack(&wide, bits).unwrap(), bytes);
            }
        }
        // FP6: four codes in three bytes, LSB first.
        assert_eq!(pack_codes(&[0x3F, 0, 0, 0x3F], 6), vec![0x3F, 0x00, 0xFC]);
    }

    #[test]
    fn rows_pad_the_last_block_and_dequantize_the_first_n() {
        let x: Vec<f32> = (0..40).map(|i| i as f32 - 20.0).collect();
        let blocks = quantize_row(MxElement::Int8, &x);
        assert_eq!(blocks.len(), 2);
        let y = dequantize_row(&blocks, 40).unwrap();
        assert_eq!(y, x); // X = 16: every integer up to 20 is a multiple of X/64
        assert!(dequantize_row(&blocks, 65).is_err());
        assert!(quantize_row(MxElement::Int8, &[]).is_empty());
    }
}
