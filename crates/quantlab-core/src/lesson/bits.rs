//! A number's bits in the formats a model is stored in: fp32, fp16, bf16 and int8.

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result};

/// A storage format of the lesson's first figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NumberFormat {
    /// IEEE 754 binary32: 1 sign, 8 exponent, 23 mantissa bits.
    Fp32,
    /// IEEE 754 binary16: 1 sign, 5 exponent, 10 mantissa bits.
    Fp16,
    /// bfloat16: 1 sign, 8 exponent, 7 mantissa bits (fp32's range, fewer digits).
    Bf16,
    /// A two's-complement 8-bit integer (the value rounded half to even and saturated).
    Int8,
}

impl NumberFormat {
    /// The four formats, widest first.
    pub const ALL: [NumberFormat; 4] = [
        NumberFormat::Fp32,
        NumberFormat::Fp16,
        NumberFormat::Bf16,
        NumberFormat::Int8,
    ];

    /// The short id (`fp32`, `fp16`, `bf16`, `int8`).
    pub fn id(self) -> &'static str {
        match self {
            NumberFormat::Fp32 => "fp32",
            NumberFormat::Fp16 => "fp16",
            NumberFormat::Bf16 => "bf16",
            NumberFormat::Int8 => "int8",
        }
    }

    /// `(sign, exponent, mantissa)` widths; an integer has no exponent and its 7 magnitude
    /// bits are reported as the mantissa.
    pub fn widths(self) -> (u32, u32, u32) {
        match self {
            NumberFormat::Fp32 => (1, 8, 23),
            NumberFormat::Fp16 => (1, 5, 10),
            NumberFormat::Bf16 => (1, 8, 7),
            NumberFormat::Int8 => (1, 0, 7),
        }
    }

    /// Total bits.
    pub fn total_bits(self) -> u32 {
        let (s, e, m) = self.widths();
        s + e + m
    }
}

/// What a run of bits means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    /// The sign bit.
    Sign,
    /// The biased exponent.
    Exponent,
    /// The mantissa (fraction) bits; an integer's magnitude bits.
    Mantissa,
}

/// One field of a layout: its kind and its bits, most significant first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BitField {
    /// What the bits mean.
    pub kind: FieldKind,
    /// The bits, most significant first.
    pub bits: Vec<bool>,
}

impl BitField {
    /// The field's bits read as an unsigned number.
    pub fn value(&self) -> u32 {
        self.bits
            .iter()
            .fold(0, |acc, &b| (acc << 1) | u32::from(b))
    }
}

/// A value as one format stores it.
///
/// [`BitLayout::bits_text`] writes its bits field by field: `0 01111011 1001…`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BitLayout {
    /// The format.
    pub format: NumberFormat,
    /// The raw bits as an unsigned number (`0x3DCCCCCD` for 0.1 in fp32).
    pub raw: u32,
    /// Sign, exponent and mantissa (int8: sign and magnitude bits of the two's complement).
    pub fields: Vec<BitField>,
    /// The value the bits hold.
    pub stored: f64,
    /// `stored − value` (0 when the value is exact; NaN when either is not finite).
    pub error: f64,
    /// The value did not fit: an int8 saturated, or a float overflowed to ±∞.
    pub saturated: bool,
}

impl BitLayout {
    /// The bits as `0`/`1`, fields apart: `0 01111011 10011001100110011001101` (0.1 in fp32).
    pub fn bits_text(&self) -> String {
        self.fields
            .iter()
            .map(|f| {
                f.bits
                    .iter()
                    .map(|&b| if b { '1' } else { '0' })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn split(raw: u32, format: NumberFormat) -> Vec<BitField> {
    let (s, e, m) = format.widths();
    let total = s + e + m;
    let bit = |i: u32| (raw >> (total - 1 - i)) & 1 == 1;
    let mut fields = Vec::new();
    let mut at = 0;
    for (kind, width) in [
        (FieldKind::Sign, s),
        (FieldKind::Exponent, e),
        (FieldKind::Mantissa, m),
    ] {
        if width > 0 {
            fields.push(BitField {
                kind,
                bits: (at..at + width).map(bit).collect(),
            });
        }
        at += width;
    }
    fields
}

/// `value` stored in `format`: floats rounded to nearest even (as a cast from `f64` does),
/// int8 rounded half to even and saturated to `[−128, 127]`.
///
/// Errors: an int8 of a value that is not finite (no integer holds NaN or ∞).
pub fn layout(value: f64, format: NumberFormat) -> Result<BitLayout> {
    let (raw, stored) = match format {
        NumberFormat::Fp32 => {
            let v = value as f32;
            (v.to_bits(), f64::from(v))
        }
        NumberFormat::Fp16 => {
            let v = crate::quant::kernel::f16_from_f64(value);
            (u32::from(v.to_bits()), v.to_f64())
        }
        NumberFormat::Bf16 => {
            let v = crate::quant::kernel::bf16_from_f64(value);
            (u32::from(v.to_bits()), v.to_f64())
        }
        NumberFormat::Int8 => {
            if !value.is_finite() {
                return Err(QuantError::InvalidParameter(format!(
                    "an int8 holds integers from −128 to 127, not {value}"
                )));
            }
            let q = value.round_ties_even().clamp(-128.0, 127.0) as i8;
            (u32::from(q as u8), f64::from(q))
        }
    };
    let saturated = match format {
        NumberFormat::Int8 => value.round_ties_even() != stored,
        _ => value.is_finite() && stored.is_infinite(),
    };
    let error = if value.is_finite() && stored.is_finite() {
        stored - value
    } else {
        f64::NAN
    };
    Ok(BitLayout {
        format,
        raw,
        fields: split(raw, format),
        stored,
        error,
        saturated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tenth_in_each_format_matches_the_ieee_encodings() {
        let fp32 = layout(0.1, NumberFormat::Fp32).unwrap();
        assert_eq!(fp32.raw, 0x3DCC_CCCD);
        assert_eq!(fp32.bits_text(), "0 01111011 10011001100110011001101");
        let fp16 = layout(0.1, NumberFormat::Fp16).unwrap();
        assert_eq!(fp16.raw, 0x2E66);
        assert_eq!(fp16.stored, 0.0999755859375);
        let bf16 = layout(0.1, NumberFormat::Bf16).unwrap();
        assert_eq!(bf16.raw, 0x3DCD);
        assert_eq!(bf16.stored, 0.10009765625);
        let int8 = layout(0.1, NumberFormat::Int8).unwrap();
        assert_eq!((int8.raw, int8.stored, int8.saturated), (0, 0.0, false));
    }

    #[test]
    fn field_widths_sum_to_the_format_and_bf16_keeps_fp32s_exponent() {
        for f in NumberFormat::ALL {
            let l = layout(-3.5, f).unwrap();
            let n: usize = l.fields.iter().map(|x| x.bits.len()).sum();
            assert_eq!(n as u32, f.total_bits());
            assert!(l.fields[0].bits[0], "{f:?}: −3.5 has its sign bit set");
        }
        let exp = |f| layout(1.0, f).unwrap().fields[1].value();
        assert_eq!(exp(NumberFormat::Fp32), 127);
        assert_eq!(exp(NumberFormat::Bf16), 127);
        assert_eq!(exp(NumberFormat::Fp16), 15);
    }

    #[test]
    fn int8_rounds_half_to_even_saturates_and_refuses_what_is_not_finite() {
        assert_eq!(layout(2.5, NumberFormat::Int8).unwrap().stored, 2.0);
        assert_eq!(layout(-1.0, NumberFormat::Int8).unwrap().raw, 0xFF);
        let big = layout(300.0, NumberFormat::Int8).unwrap();
        assert_eq!((big.stored, big.saturated), (127.0, true));
        assert!(layout(f64::NAN, NumberFormat::Int8).is_err());
        assert!(layout(f64::INFINITY, NumberFormat::Int8).is_err());
    }

    #[test]
    fn fp16_overflows_to_infinity_past_65504_and_says_so() {
        let l = layout(70_000.0, NumberFormat::Fp16).unwrap();
        assert!(l.stored.is_infinite() && l.saturated);
        assert!(l.error.is_nan());
        let ok = layout(65_504.0, NumberFormat::Fp16).unwrap();
        assert_eq!((ok.stored, ok.saturated), (65_504.0, false));
        assert!(!layout(1e39, NumberFormat::Bf16).unwrap().stored.is_finite());
        assert!(
            layout(f64::NAN, NumberFormat::Fp32)
                .unwrap()
                .stored
                .is_nan()
        );
    }
}
