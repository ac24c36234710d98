//! The companding curve trait and the uniform quantizer on the compressed range.

use crate::quant::kernel::round_half_even;

/// Fewest bits a companding quantizer takes.
pub const MIN_BITS: u32 = 1;
/// Most bits a companding quantizer takes.
pub const MAX_BITS: u32 = 16;

/// A companding curve on `[−1, 1]`: odd, increasing, with `F(±1) = ±1`.
pub trait Compander: Copy + std::fmt::Debug {
    /// The compressor `F(x)`, for `x ∈ [−1, 1]`.
    fn compress(&self, x: f64) -> f64;
    /// The expander `F⁻¹(y)`, for `y ∈ [−1, 1]`.
    fn expand(&self, y: f64) -> f64;
}

/// The course's uniform quantizer on the compressed range `[−1, 1]`: the code
/// `k = round((x_c + 1)/Δc)` with `Δc = 2/(L − 1)`, `L = 2^b`, clamped to `[0, L − 1]`.
///
/// Rounding is half to even. `bits` is clamped to `1..=16`.
pub fn compressed_index(xc: f64, bits: u32) -> u32 {
    let top = f64::from((1u32 << bits.clamp(MIN_BITS, MAX_BITS)) - 1);
    // (x_c + 1)/Δc = (x_c + 1)·(L − 1)/2.
    round_half_even((xc + 1.0) * top / 2.0).clamp(0.0, top) as u32
}

/// The compressed level of code `k`: `Q_c = Δc·k − 1`, computed as `(2k − (L − 1))/(L − 1)`
/// so that the end codes give exactly `±1`.
pub fn compressed_level(k: u32, bits: u32) -> f64 {
    let top = f64::from((1u32 << bits.clamp(MIN_BITS, MAX_BITS)) - 1);
    (2.0 * f64::from(k) - top) / top
}
