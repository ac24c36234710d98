//! Uniform (linear) quantization.
//!
//! Two views of the same idea.
//!
//! **The course formula** (asymmetric, real-valued offset), for `b` bits:
//!
//! ```text
//! L = 2^b,   Δ = (x_max − x_min) / (L − 1),   Q(x) = Δ·round((x − x_min)/Δ) + x_min
//! ```
//!
//! **The integer (affine) view** used by ML frameworks, `r = S·(q − Z)`:
//!
//! ```text
//! q = clamp(round(r/S) + Z, q_min, q_max),   r̂ = S·(q − Z)
//! ```
//!
//! with, per scale group and for each [`Mode`](crate::quant::types::Mode):
//!
//! | mode | scale `S` | zero-point `Z` (signed range) |
//! |---|---|---|
//! | `sym` | `max|x| / (2^(b−1) − 1)` | `0` |
//! | `asym` | `(max − min)/(q_max − q_min)`, range widened to contain 0 | `q_min − round(min/S)` (integer) |
//! | `asym-float` | `(x_max − x_min)/(2^b − 1)` = Δ | `q_min − x_min/S` (real; the course formula) |
//! | `mid-rise` | `2·max|x| / 2^b` | `−½` (levels at `(k + ½)·S`) |
//!
//! For an unsigned range the symmetric zero-points move up by `2^(b−1)`.
//!
//! **Degenerate ranges.** When all values in a group are equal (`Δ = 0`), the scale is 0,
//! every value gets the same code and is reconstructed exactly: error 0, never NaN.
//!
//! Rounding is half-to-even, see [`round_half_even`].

pub mod affine;
pub mod clipping;
pub mod quantizer;

pub use crate::quant::kernel::round_half_even;
pub use affine::{AffineParams, MAX_BITS, MIN_BITS, course_formula};
pub use quantizer::LinearQuantizer;
