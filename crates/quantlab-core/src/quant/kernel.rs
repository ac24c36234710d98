//! The shared arithmetic of the quantizers: rounding, nearest-entry search, code and
//! length checks, per-group absmax and the parameter checks of the companding curves.

use crate::error::{QuantError, Result};
use crate::quant::granularity::GroupLayout;
use crate::quant::types::Tie;

/// Round half to even: `0.5 → 0`, `1.5 → 2`, `2.5 → 2`, `−1.5 → −2`.
///
/// The IEEE 754 default rounding, used by `numpy.round` and PyTorch's quantizers; it has
/// no bias on values that sit exactly between two levels.
#[inline]
pub fn round_half_even(x: f64) -> f64 {
    // WebAssembly has `f64.nearest`, one instruction; baseline x86-64 (no SSE4.1) would
    // call into libm, so there the classic trick: adding and subtracting 2^52 leaves
    // |x| < 2^52 rounded half to even by the FPU itself (above 2^52 every f64 is whole).
    #[cfg(target_arch = "wasm32")]
    {
        x.round_ties_even()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        const TWO_52: f64 = 4_503_599_627_370_496.0;
        let a = x.abs();
        if a < TWO_52 {
            ((a + TWO_52) - TWO_52).copysign(x)
        } else {
            x
        }
    }
}

/// [`round_half_even`] for `f32`: the rounding of the `f32` arithmetic of the linear
/// quantizers (`numpy.rint` on a `float32` array).
///
/// `f32.nearest` on WebAssembly; natively the same add-and-subtract trick with `2^23`
/// (every `f32` of magnitude `≥ 2^23` is whole), which also vectorizes on baseline x86-64.
#[inline(always)]
pub fn round_half_even_f32(x: f32) -> f32 {
    #[cfg(target_arch = "wasm32")]
    {
        x.round_ties_even()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        const TWO_23: f32 = 8_388_608.0;
        let a = x.abs();
        if a < TWO_23 {
            ((a + TWO_23) - TWO_23).copysign(x)
        } else {
            x
        }
    }
}

/// Index of the entry of the ascending `table` nearest to `x`; `x` outside the table gives
/// the first or last index. An empty table gives 0.
///
/// Binary search: `O(log n)`. A tie (equal distance to two neighbours, computed in `f64`)
/// is resolved by `tie`.
pub fn nearest_index(table: &[f64], x: f64, tie: Tie) -> usize {
    let i = table.partition_point(|&t| t < x);
    if i == 0 {
        return 0;
    }
    if i >= table.len() {
        return table.len() - 1;
    }
    let below = x - table[i - 1];
    let above = table[i] - x;
    if below < above {
        i - 1
    } else if above < below {
        i
    } else {
        match tie {
            Tie::Lower => i - 1,
            Tie::Even => {
                if (i - 1) % 2 == 0 {
                    i - 1
                } else {
                    i
                }
            }
        }
    }
}

/// The error for a `quantize`/`dequantize` call on a length other than the fitted one.
pub(crate) fn check_len(expected: usize, actual: usize) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(QuantError::ShapeMismatch {
            shape: vec![expected],
            expected,
            actual,
        })
    }
}

/// `max |x|` of every scale group of `layout`, in `f64` (0 for an all-zero group).
pub(crate) fn group_absmax(layout: &GroupLayout, data: &[f32]) -> Vec<f64> {
    layout
        .min_max(data)
        .into_iter()
        .map(|(lo, hi)| lo.abs().max(hi.abs()))
        .collect()
}

/// Checks that code `k` (at `index`) lies in `0..n` and returns it unsigned.
pub(crate) fn code_in_range(k: i32, n: u32, index: usize) -> Result<u32> {
    u32::try_from(k).ok().filter(|&k| k < n).ok_or_else(|| {
        QuantError::InvalidParameter(format!(
            "code {k} at index {index} is not a valid code (codes run from 0 to {})",
            n.saturating_sub(1)
        ))
    })
}

/// Checks the μ of μ-law companding: finite and `> 0`.
pub fn check_mu(mu: f64) -> Result<()> {
    if mu.is_finite() && mu > 0.0 {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "μ-law needs μ > 0 (255 is the telephone standard); got μ = {mu}"
        )))
    }
}

/// Checks the A of A-law companding: finite and `≥ 1`.
pub fn check_a_law(a: f64) -> Result<()> {
    if a.is_finite() && a >= 1.0 {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "A-law needs A ≥ 1 (87.6 is the telephone standard, A = 1 is linear); got A = {a}"
        )))
    }
}

/// `v` rounded to `f32` **to odd**: the `f32` toward zero, with its last bit set when `v`
/// is not exact. Rounding that once more to a format at least two bits narrower (fp16,
/// bf16) gives `v` correctly rounded to that format, with no double rounding.
fn f32_round_to_odd(v: f64) -> f32 {
    let near = v as f32;
    if f64::from(near) == v || v.is_nan() {
        return near;
    }
    // Toward zero: one step back in magnitude when the nearest went past `v`.
    let bits = near.to_bits();
    let toward_zero = if f64::from(near).abs() > v.abs() {
        bits - 1
    } else {
        bits
    };
    f32::from_bits(toward_zero | 1)
}

/// `v` rounded to the nearest fp16, ties to even, as NumPy's `float16(v)` does.
///
/// `half::f16::from_f64` is not correctly rounded: its portable path drops the low 32 bits
/// of the `f64` fraction before rounding, and its F16C path (x86-64) rounds to `f32` first,
/// so a value just past a midpoint can land on the tie and round to even, and the native
/// and WebAssembly builds disagreed on such values.
pub fn f16_from_f64(v: f64) -> half::f16 {
    half::f16::from_f32(f32_round_to_odd(v))
}

/// `v` rounded to the nearest bf16, ties to even (see [`f16_from_f64`]).
pub fn bf16_from_f64(v: f64) -> half::bf16 {
    half::bf16::from_f32(f32_round_to_odd(v))
}

#[cfg(test)]
mod tests {
    #[test]
    fn f16_and_bf16_of_an_f64_are_rounded_once() {
        use super::{bf16_from_f64, f16_from_f64};
        let p = |e: i32| 2f64.powi(e);
        // Just past the midpoint, exactly on it, just below it.
        assert_eq!(f16_from_f64(1.0 + p(-11) + p(-40)).to_f64(), 1.0 + p(-10));
        assert_eq!(f16_from_f64(1.0 + p(-11)).to_f64(), 1.0);
        assert_eq!(f16_from_f64(1.0 + 3.0 * p(-11)).to_f64(), 1.0 + p(-9));
        assert_eq!(f16_from_f64(1.0 + p(-11) - p(-40)).to_f64(), 1.0);
        assert_eq!(
            f16_from_f64(-(1.0 + p(-11) + p(-40))).to_f64(),
            -(1.0 + p(-10))
        );
        assert_eq!(bf16_from_f64(1.0 + p(-8) + p(-40)).to_f64(), 1.0 + p(-7));
        assert_eq!(bf16_from_f64(1.0 + p(-8)).to_f64(), 1.0);
        // Exact values, the largest, overflow, subnormals and zeros.
        assert_eq!(f16_from_f64(0.5).to_f64(), 0.5);
        assert_eq!(f16_from_f64(65504.0).to_f64(), 65504.0);
        assert!(f16_from_f64(1e300).is_infinite());
        assert_eq!(f16_from_f64(p(-24)).to_f64(), p(-24));
        assert_eq!(f16_from_f64(p(-25) + p(-60)).to_f64(), p(-24));
        assert_eq!(f16_from_f64(p(-25)).to_f64(), 0.0);
        assert_eq!(f16_from_f64(-0.0).to_bits(), 0x8000);
        assert!(f16_from_f64(f64::NAN).is_nan());
    }
    use super::*;

    #[test]
    fn nearest_index_resolves_ties_as_asked() {
        let t = [0.0, 1.0, 2.0, 3.0];
        assert_eq!(nearest_index(&t, -5.0, Tie::Even), 0);
        assert_eq!(nearest_index(&t, 9.0, Tie::Even), 3);
        assert_eq!(nearest_index(&t, 1.2, Tie::Even), 1);
        assert_eq!(nearest_index(&t, 1.8, Tie::Lower), 2);
        assert_eq!(nearest_index(&t, 0.5, Tie::Lower), 0);
        assert_eq!(nearest_index(&t, 0.5, Tie::Even), 0);
        assert_eq!(nearest_index(&t, 1.5, Tie::Even), 2);
        assert_eq!(nearest_index(&t, 1.5, Tie::Lower), 1);
        assert_eq!(nearest_index(&t, 2.0, Tie::Lower), 2);
        assert_eq!(nearest_index(&[], 1.0, Tie::Lower), 0);
    }
}
