//! Byte units and the number formatting used in formula strings.
//!
//! Two families of units, never mixed silently:
//!
//! - **binary**: KiB = 1024 B, MiB = 1024² B, **GiB = 1024³ B** (what the course's table and
//!   `nvidia-smi` use, and what the formula strings print);
//! - **decimal**: **GB = 10⁹ B** (what disk vendors and most spec sheets print).
//!
//! 1 GiB = 1.073741824 GB, so a figure in GiB is about 7 % smaller than the same bytes in GB.

use crate::error::{QuantError, Result};

/// One kibibyte, 1024 bytes.
pub const KIB: u64 = 1 << 10;
/// One mebibyte, 1024² bytes.
pub const MIB: u64 = 1 << 20;
/// One gibibyte, 1024³ = 1,073,741,824 bytes (the course's "GB").
pub const GIB: u64 = 1 << 30;
/// One gigabyte, 10⁹ bytes.
pub const GB: u64 = 1_000_000_000;

/// Bytes → GiB (1024³ bytes), as a float.
pub fn to_gib(bytes: u64) -> f64 {
    bytes as f64 / GIB as f64
}

/// Bytes → GB (10⁹ bytes), as a float.
pub fn to_gb(bytes: u64) -> f64 {
    bytes as f64 / GB as f64
}

/// `bytes` in GiB with two decimals and the unit: `"13.04 GiB"`.
pub fn format_gib(bytes: u64) -> String {
    format!("{:.2} GiB", to_gib(bytes))
}

/// `bytes` in GB with two decimals and the unit: `"14.00 GB"`.
pub fn format_gb(bytes: u64) -> String {
    format!("{:.2} GB", to_gb(bytes))
}

/// `bytes` in the largest binary unit that keeps the figure at least 1, two decimals:
/// `"2.00 GiB"`, `"16.00 MiB"`, `"1.50 KiB"`, `"12 B"`. Formula strings use this.
pub fn format_bytes(bytes: u64) -> String {
    if bytes >= GIB {
        format_gib(bytes)
    } else if bytes >= MIB {
        format!("{:.2} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB {
        format!("{:.2} KiB", bytes as f64 / KIB as f64)
    } else {
        format!("{bytes} B")
    }
}

/// An integer with commas between thousands once it reaches five digits: `4096`,
/// `14,336`, `6,738,415,616`. Used for computed results; config values are printed as
/// they appear in `config.json`.
pub fn format_count(n: u64) -> String {
    let digits = n.to_string();
    if digits.len() < 5 {
        return digits;
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A short decimal with at most three decimals and no trailing zeros: `4`, `0.5`, `4.127`,
/// `2.625`.
pub fn format_decimal(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Rounds a non-negative byte figure up to whole bytes.
///
/// Errors (instead of saturating or panicking) when the figure is NaN, negative or does not
/// fit in a `u64` (about 16 EiB): such a figure only comes from nonsense inputs, and the
/// message says so.
pub(crate) fn whole_bytes(bytes: f64, what: &str) -> Result<u64> {
    if bytes.is_nan() || bytes < 0.0 {
        return Err(QuantError::InvalidParameter(format!(
            "the {what} came out as {bytes} bytes: check the inputs"
        )));
    }
    let up = bytes.ceil();
    // 2^64 as f64; anything at or above it does not fit.
    if up >= 18_446_744_073_709_551_616.0 {
        return Err(QuantError::InvalidParameter(format!(
            "the {what} is more than 16 EiB (2^64 bytes): check the inputs (a model this big does not exist)"
        )));
    }
    Ok(up as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_commas_from_five_digits() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(8192), "8192");
        assert_eq!(format_count(14336), "14,336");
        assert_eq!(format_count(131072), "131,072");
        assert_eq!(format_count(6_738_415_616), "6,738,415,616");
    }

    #[test]
    fn decimals_drop_trailing_zeros() {
        assert_eq!(format_decimal(4.0), "4");
        assert_eq!(format_decimal(0.5), "0.5");
        assert_eq!(format_decimal(4.126953125), "4.127");
        assert_eq!(format_decimal(2.625), "2.625");
    }

    #[test]
    fn bytes_pick_a_readable_binary_unit() {
        assert_eq!(format_bytes(2 * GIB), "2.00 GiB");
        assert_eq!(format_bytes(16 * MIB), "16.00 MiB");
        assert_eq!(format_bytes(1536), "1.50 KiB");
        assert_eq!(format_bytes(12), "12 B");
    }

    #[test]
    fn whole_bytes_rejects_nonsense_instead_of_saturating() {
        assert_eq!(whole_bytes(0.5, "x").ok(), Some(1));
        assert!(whole_bytes(f64::NAN, "x").is_err());
        assert!(whole_bytes(-1.0, "x").is_err());
        assert!(whole_bytes(1e30, "x").is_err());
        assert!(whole_bytes(f64::INFINITY, "x").is_err());
    }
}
