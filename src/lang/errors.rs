//! The core's errors in the page's language. The core keeps a stable code per kind of error
//! ([`QuantError::code`]) and the words for a program; the page words each kind here. The
//! free-text details of [`QuantError::InvalidParameter`] and of a file's
//! [`QuantError::BadFile`] reason stay in English (with their numbers in the page's style):
//! they name one of over a hundred specific checks.

use leptos_i18n::td_string;
use quantlab_core::QuantError;

use super::Locale;
use super::fill::localize_numbers;
use super::numbers::localize;

/// `e` in `l`.
pub fn quant_error(e: &QuantError, l: Locale) -> String {
    match e {
        QuantError::Empty => td_string!(l, widgets.err_empty).to_string(),
        QuantError::NonFinite { index, value } => crate::tdf!(
            l,
            widgets.err_non_finite,
            value = value,
            index = localize(&index.to_string(), l)
        ),
        QuantError::BitsOutOfRange { bits, min, max } => {
            crate::tdf!(l, widgets.err_bits_range, bits = bits, min = min, max = max)
        }
        QuantError::SymmetricNeedsTwoBits => td_string!(l, widgets.err_sym_two_bits).to_string(),
        QuantError::ShapeMismatch {
            shape,
            expected,
            actual,
        } => crate::tdf!(
            l,
            widgets.err_shape,
            shape = format!("{shape:?}"),
            expected = localize(&expected.to_string(), l),
            actual = localize(&actual.to_string(), l)
        ),
        QuantError::AxisOutOfRange { axis, ndim } => {
            crate::tdf!(l, widgets.err_axis, axis = axis, ndim = ndim)
        }
        QuantError::GroupSizeZero => td_string!(l, widgets.err_group_zero).to_string(),
        QuantError::InvalidParameter(text) => localize_numbers(text, l),
        QuantError::RotationNotPowerOfTwo { group } => crate::tdf!(
            l,
            widgets.err_rotation_pow2,
            group = localize(&group.to_string(), l)
        ),
        QuantError::RotationDoesNotDivide { group, row } => crate::tdf!(
            l,
            widgets.err_rotation_divide,
            group = localize(&group.to_string(), l),
            row = localize(&row.to_string(), l)
        ),
        QuantError::RotationOverflow => td_string!(l, widgets.err_rotation_overflow).to_string(),
        QuantError::RotationNeedsGroups => td_string!(l, widgets.err_rotation_groups).to_string(),
        QuantError::BadFile { format, reason } => crate::tdf!(
            l,
            widgets.err_bad_file,
            format = format,
            reason = localize_numbers(reason, l)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_structured_error_reads_the_same_as_the_core_in_english() {
        let all = [
            QuantError::Empty,
            QuantError::NonFinite {
                index: 3,
                value: f32::NAN,
            },
            QuantError::BitsOutOfRange {
                bits: 20,
                min: 1,
                max: 16,
            },
            QuantError::SymmetricNeedsTwoBits,
            QuantError::ShapeMismatch {
                shape: vec![2, 3],
                expected: 6,
                actual: 5,
            },
            QuantError::AxisOutOfRange { axis: 2, ndim: 2 },
            QuantError::GroupSizeZero,
            QuantError::RotationNotPowerOfTwo { group: 96 },
            QuantError::RotationDoesNotDivide {
                group: 128,
                row: 500,
            },
            QuantError::RotationOverflow,
            QuantError::RotationNeedsGroups,
            QuantError::BadFile {
                format: ".npy",
                reason: "truncated".into(),
            },
        ];
        for e in &all {
            assert_eq!(quant_error(e, Locale::en), e.to_string());
            assert_ne!(quant_error(e, Locale::pt_BR), e.to_string(), "{e:?}");
        }
    }
}
