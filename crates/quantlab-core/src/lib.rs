//! # quantlab-core
//!
//! The math behind quantlab, in plain Rust: quantizers, metrics and seeded signal
//! generators. Nothing here knows about the browser, so everything builds, tests and
//! benchmarks natively.
//!
//! ## Conventions
//!
//! - **Data** is `f32`, stored row-major. A tensor of shape `[rows, cols]` holds element
//!   `(r, c)` at index `r * cols + c`. Internally, sums and scales are computed in `f64`.
//! - **Channels.** Per-channel quantization takes an `axis`; channel `k` is every element
//!   whose index along that axis is `k` (axis 0 of a `[out, in]` weight matrix = one scale
//!   per output row, the usual choice for linear layers).
//! - **Groups** are runs of `group_size` consecutive elements along the **last** axis,
//!   restarting at every row; the last group of a row may be shorter (a partial group is
//!   legal and gets its own scale).
//! - **Rounding** is round-half-to-even ([`f64::round_ties_even`]), the IEEE 754 default
//!   and what `numpy.round` and PyTorch's `quantize_per_tensor` do: `0.5 → 0`, `1.5 → 2`,
//!   `2.5 → 2`, `−0.5 → −0`. See [`quant::kernel::round_half_even`].
//! - **Integer ranges.** `b` bits signed: `[−2^(b−1), 2^(b−1) − 1]` (int8: `[−128, 127]`);
//!   unsigned: `[0, 2^b − 1]` (uint8: `[0, 255]`). Bits run from 1 to 16.
//! - **Errors, not panics.** Every function that sees user data returns
//!   `Result` with a [`QuantError`] whose message a user can read:
//!   empty input, NaN/Inf (with the index), bits out of range, bad shapes.
//! - **Error sign.** `e(n) = x(n) − Q(x(n))`.

#![warn(missing_docs)]

pub mod analysis;
pub mod dataset;
pub mod drawn;
pub mod error;
pub mod io;
pub mod lesson;
pub mod memory;
pub mod metrics;
pub mod mlp;
pub mod pack;
pub mod quant;
pub mod signal;
pub mod study;
pub mod url_state;
pub mod weights;

// Compatibility paths: the quantizer modules before they moved under `quant/`. The app,
// the command line and the GPU crate still name them; new code names `quant::…`.
pub use quant::codebook::{kmeans, lloyd_max};
pub use quant::granularity;
pub use quant::linear;
pub use quant::linear::clipping;
pub use quant::{ggml, log2, minifloat, nf4};

/// Compatibility path: μ-law, the companding quantizer and the G.711 codecs, now in
/// [`quant::companding`].
pub mod mulaw {
    pub use crate::quant::companding::compander::*;
    pub use crate::quant::companding::g711::*;
    pub use crate::quant::companding::mulaw::*;
    pub use crate::quant::companding::quantizer::*;
}

/// Compatibility path: A-law, now in [`quant::companding::alaw`].
pub mod alaw {
    pub use crate::quant::companding::alaw::*;
}

/// Compatibility path: schemes, the [`Quantizer`](quantizer::Quantizer) trait and the
/// shared types, now in [`quant::scheme`], [`quant::quantizer`], [`quant::types`] and
/// [`quant::kernel`].
pub mod quantizer {
    pub use crate::quant::kernel::nearest_index;
    pub use crate::quant::quantizer::Quantizer;
    pub use crate::quant::scheme::*;
    pub use crate::quant::types::{Fp8Format, Granularity, GranularityKind, IntRange, Mode, Tie};
}

pub use error::QuantError;
pub use quantizer::{Granularity, Mode, Scheme, SchemeKind};
