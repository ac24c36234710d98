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
//!   `2.5 → 2`, `−0.5 → −0`. See [`linear::round_half_even`].
//! - **Integer ranges.** `b` bits signed: `[−2^(b−1), 2^(b−1) − 1]` (int8: `[−128, 127]`);
//!   unsigned: `[0, 2^b − 1]` (uint8: `[0, 255]`). Bits run from 1 to 16.
//! - **Errors, not panics.** Every function that sees user data returns
//!   `Result` with a [`QuantError`] whose message a user can read:
//!   empty input, NaN/Inf (with the index), bits out of range, bad shapes.
//! - **Error sign.** `e(n) = x(n) − Q(x(n))`.

#![warn(missing_docs)]

pub mod alaw;
pub mod analysis;
pub mod clipping;
pub mod dataset;
pub mod drawn;
pub mod error;
pub mod ggml;
pub mod granularity;
pub mod io;
pub mod kmeans;
pub mod linear;
pub mod lloyd_max;
pub mod log2;
pub mod memory;
pub mod metrics;
pub mod minifloat;
pub mod mlp;
pub mod mulaw;
pub mod nf4;
pub mod pack;
pub mod quantizer;
pub mod signal;
pub mod url_state;
pub mod weights;

pub use error::QuantError;
pub use quantizer::{Granularity, Mode, Scheme, SchemeKind};
