//! Error metrics: MSE, max |e|, SNR, and the theoretical SQNR of a uniform quantizer.
//!
//! With `e(n) = x(n) − Q(x(n))`:
//!
//! ```text
//! MSE = (1/N)·Σ e(n)²        SNR = 10·log10( Σ x(n)² / Σ e(n)² ) dB
//! SQNR_theory(b) = 6.02·b + 1.76 dB   (full-scale sine, uniform b-bit quantizer)
//! ```
//!
//! SNR edge cases are defined, never NaN: no error at all gives `+∞` (perfect
//! reconstruction, whatever the signal); a zero signal with some error gives `−∞`.

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result};

/// Mean squared error `(1/N)·Σ (x − y)²`.
pub fn mse(x: &[f32], y: &[f32]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    sum_sq_diff(x, y) / x.len() as f64
}

/// Largest absolute error `max |x − y|`.
pub fn max_abs_error(x: &[f32], y: &[f32]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(&a, &b)| (f64::from(a) - f64::from(b)).abs())
        .fold(0.0, f64::max)
}

fn sum_sq_diff(x: &[f32], y: &[f32]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(&a, &b)| {
            let d = f64::from(a) - f64::from(b);
            d * d
        })
        .sum()
}

fn sum_sq(x: &[f32]) -> f64 {
    x.iter().map(|&a| f64::from(a) * f64::from(a)).sum()
}

/// `10·log10(signal power / noise power)` in dB, with the edge cases defined.
pub fn snr_db_from_powers(signal: f64, noise: f64) -> f64 {
    if noise == 0.0 {
        f64::INFINITY
    } else if signal == 0.0 {
        f64::NEG_INFINITY
    } else {
        10.0 * (signal / noise).log10()
    }
}

/// SNR of the reconstruction `y` of `x`, in dB.
pub fn snr_db(x: &[f32], y: &[f32]) -> f64 {
    snr_db_from_powers(sum_sq(x), sum_sq_diff(x, y))
}

/// The textbook SQNR of a `bits`-bit uniform quantizer on a full-scale sine:
/// `6.02·b + 1.76` dB.
pub fn sqnr_theory_db(bits: u32) -> f64 {
    6.02 * f64::from(bits) + 1.76
}

/// Every figure the labs display for one quantization.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Mean squared error.
    pub mse: f64,
    /// Largest absolute error.
    pub max_abs_error: f64,
    /// Measured SNR in dB (may be ±∞, see the module docs).
    pub snr_db: f64,
    /// `6.02·b + 1.76` dB.
    pub sqnr_theory_db: f64,
    /// Step Δ between adjacent levels (0 for a constant signal).
    pub step: f64,
    /// Number of quantization levels `L`.
    pub levels: usize,
}

impl Metrics {
    /// Computes the metrics of reconstruction `y` of `x`.
    pub fn compute(x: &[f32], y: &[f32], bits: u32, step: f64, levels: usize) -> Result<Self> {
        if x.len() != y.len() {
            return Err(QuantError::ShapeMismatch {
                shape: vec![x.len()],
                expected: x.len(),
                actual: y.len(),
            });
        }
        Ok(Metrics {
            mse: mse(x, y),
            max_abs_error: max_abs_error(x, y),
            snr_db: snr_db(x, y),
            sqnr_theory_db: sqnr_theory_db(bits),
            step,
            levels,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mse_and_max_error_of_a_known_pair() {
        let x = [1.0f32, 2.0, 3.0, 4.0];
        let y = [1.0f32, 2.5, 2.0, 4.0];
        assert_eq!(mse(&x, &y), (0.25 + 1.0) / 4.0);
        assert_eq!(max_abs_error(&x, &y), 1.0);
    }

    #[test]
    fn snr_of_ten_to_one_power_ratio_is_ten_db() {
        assert!((snr_db_from_powers(10.0, 1.0) - 10.0).abs() < 1e-12);
        let x = [3.0f32, 4.0];
        let y = [
            3.0f32,
            4.0 - 5.0_f32.sqrt() / 10.0_f32.sqrt() * 5.0_f32.sqrt(),
        ];
        // Σx² = 25, Σe² = 2.5 → 10 dB.
        assert!((snr_db(&x, &y) - 10.0).abs() < 1e-5);
    }

    #[test]
    fn perfect_reconstruction_is_infinite_snr_and_zero_signal_is_defined() {
        assert_eq!(snr_db(&[1.0, 2.0], &[1.0, 2.0]), f64::INFINITY);
        assert_eq!(snr_db(&[0.0, 0.0], &[0.0, 0.0]), f64::INFINITY);
        assert_eq!(snr_db(&[0.0, 0.0], &[0.1, 0.0]), f64::NEG_INFINITY);
        assert_eq!(mse(&[], &[]), 0.0);
    }

    #[test]
    fn theory_at_eight_bits_is_about_49_9_db() {
        assert!((sqnr_theory_db(8) - 49.92).abs() < 1e-9);
    }

    #[test]
    fn metrics_refuse_mismatched_lengths() {
        assert!(Metrics::compute(&[1.0], &[1.0, 2.0], 8, 0.1, 256).is_err());
    }
}
