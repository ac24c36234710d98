//! The error type every fallible function in the core returns.

use thiserror::Error;

/// What went wrong, in words a user of the app can act on.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum QuantError {
    /// The input has no values at all.
    #[error("the input is empty: there is nothing to quantize")]
    Empty,
    /// A value is NaN or ±infinity.
    #[error(
        "value {value} at index {index} is not a finite number (NaN or infinity cannot be quantized)"
    )]
    NonFinite {
        /// Position of the first offending value.
        index: usize,
        /// The value itself.
        value: f32,
    },
    /// The bit width is outside what the scheme supports.
    #[error("{bits} bits is out of range: this scheme takes {min} to {max} bits")]
    BitsOutOfRange {
        /// Requested bit width.
        bits: u32,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
    },
    /// Symmetric quantization with one bit has no positive level.
    #[error(
        "symmetric quantization needs at least 2 bits (1 bit gives only the levels −1 and 0); use asymmetric mode for 1 bit"
    )]
    SymmetricNeedsTwoBits,
    /// The shape does not describe the data.
    #[error("shape {shape:?} holds {expected} values but the data has {actual}")]
    ShapeMismatch {
        /// The shape given.
        shape: Vec<usize>,
        /// Product of the shape.
        expected: usize,
        /// Length of the data.
        actual: usize,
    },
    /// The channel axis does not exist.
    #[error("axis {axis} does not exist: the tensor has {ndim} dimension(s)")]
    AxisOutOfRange {
        /// Requested axis.
        axis: usize,
        /// Number of dimensions.
        ndim: usize,
    },
    /// A group or block size of zero.
    #[error("the group size must be at least 1")]
    GroupSizeZero,
    /// A parameter outside its domain, with an explanation.
    #[error("{0}")]
    InvalidParameter(String),
    /// A Hadamard rotation over groups whose size is not a power of two.
    #[error(
        "the Hadamard rotation needs a power-of-two group size (16, 32, 64, 128, …), not {group}"
    )]
    RotationNotPowerOfTwo {
        /// The group size asked for.
        group: usize,
    },
    /// A Hadamard rotation over groups that do not tile the rows.
    #[error(
        "the Hadamard rotation needs groups that divide every row: {group} does not divide a row of {row}"
    )]
    RotationDoesNotDivide {
        /// The group size.
        group: usize,
        /// The length of a row (the last axis).
        row: usize,
    },
    /// The rotated values do not fit in `f32`.
    #[error(
        "the Hadamard rotation overflows float32: values near ±3.4e38 summed over a group exceed the largest float"
    )]
    RotationOverflow,
    /// A rotation study of a scheme without per-group scales.
    #[error(
        "the rotation applies to per-group schemes only: choose per-group granularity (linear, μ-law, A-law, G.711, log2, FP4, FP8)"
    )]
    RotationNeedsGroups,
    /// A file that cannot be read as the format it is in ([`crate::io`]): truncated, wrong
    /// magic number, bad header, offsets out of range, an unsupported data type, a shape
    /// that does not match the data.
    #[error("cannot read this {format} file: {reason}")]
    BadFile {
        /// The format, as users name it (`.npy`, `.wav`, …).
        format: &'static str,
        /// What is wrong, in words.
        reason: String,
    },
}

impl QuantError {
    /// A stable code per kind of error (`empty`, `non-finite`, `bits-range`, …), for a
    /// program or a page that words the message itself (the app does, in two languages).
    pub fn code(&self) -> &'static str {
        match self {
            QuantError::Empty => "empty",
            QuantError::NonFinite { .. } => "non-finite",
            QuantError::BitsOutOfRange { .. } => "bits-range",
            QuantError::SymmetricNeedsTwoBits => "sym-two-bits",
            QuantError::ShapeMismatch { .. } => "shape-mismatch",
            QuantError::AxisOutOfRange { .. } => "axis-range",
            QuantError::GroupSizeZero => "group-zero",
            QuantError::InvalidParameter(_) => "invalid-parameter",
            QuantError::RotationNotPowerOfTwo { .. } => "rotation-power-of-two",
            QuantError::RotationDoesNotDivide { .. } => "rotation-divide",
            QuantError::RotationOverflow => "rotation-overflow",
            QuantError::RotationNeedsGroups => "rotation-needs-groups",
            QuantError::BadFile { .. } => "bad-file",
        }
    }
}

/// Shorthand for results in this crate.
pub type Result<T> = std::result::Result<T, QuantError>;

/// Checks that `data` is non-empty and finite; the error names the first bad index.
pub fn check_finite(data: &[f32]) -> Result<()> {
    if data.is_empty() {
        return Err(QuantError::Empty);
    }
    match data.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(QuantError::NonFinite {
            index,
            value: data[index],
        }),
        None => Ok(()),
    }
}

/// Checks that `bits` lies in `min..=max`.
pub fn check_bits(bits: u32, min: u32, max: u32) -> Result<()> {
    if (min..=max).contains(&bits) {
        Ok(())
    } else {
        Err(QuantError::BitsOutOfRange { bits, min, max })
    }
}

#[cfg(test)]
mod tests {
    use super::QuantError;

    #[test]
    fn codes_are_distinct() {
        let all = [
            QuantError::Empty,
            QuantError::NonFinite {
                index: 0,
                value: 0.0,
            },
            QuantError::BitsOutOfRange {
                bits: 0,
                min: 1,
                max: 2,
            },
            QuantError::SymmetricNeedsTwoBits,
            QuantError::ShapeMismatch {
                shape: vec![],
                expected: 0,
                actual: 1,
            },
            QuantError::AxisOutOfRange { axis: 0, ndim: 0 },
            QuantError::GroupSizeZero,
            QuantError::InvalidParameter(String::new()),
            QuantError::RotationNotPowerOfTwo { group: 3 },
            QuantError::RotationDoesNotDivide { group: 4, row: 6 },
            QuantError::RotationOverflow,
            QuantError::RotationNeedsGroups,
            QuantError::BadFile {
                format: ".npy",
                reason: String::new(),
            },
        ];
        let mut codes: Vec<_> = all.iter().map(QuantError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}
