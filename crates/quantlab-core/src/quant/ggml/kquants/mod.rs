//! The K-quants: super-blocks of [`QK_K`](crate::quant::types::QK_K) = 256 values split
//! into sub-blocks of 16 or 32, whose scales (and minimums) are themselves quantized to
//! 4, 6 or 8 bits under fp16 super-scales.
//!
//! | type | sub-blocks | code | sub-scale (and min) | super-scales | bytes | bits per value |
//! |---|---|---|---|---|---|---|
//! | [Q2_K](q2_k) | 16 × 16 | 2-bit, affine | 4-bit scale, 4-bit min | `d`, `dmin` | 84 | 2.625 |
//! | [Q3_K](q3_k) | 16 × 16 | 3-bit, symmetric | signed 6-bit scale | `d` | 110 | 3.4375 |
//! | [Q4_K](q4_k) | 8 × 32 | 4-bit, affine | 6-bit scale, 6-bit min | `d`, `dmin` | 144 | 4.5 |
//! | [Q5_K](q5_k) | 8 × 32 | 5-bit, affine | 6-bit scale, 6-bit min | `d`, `dmin` | 176 | 5.5 |
//! | [Q6_K](q6_k) | 16 × 16 | 6-bit, symmetric | signed 8-bit scale | `d` | 210 | 6.5625 |
//! | [Q8_K](q8_k) | 1 × 256 | 8-bit, symmetric | — | `d` (`f32`) + 16 sums | 292 | 9.125 |
//!
//! The scale searches are in [`search`]; each type's file holds its block, its
//! quantization and its exact byte layout (with a compile-time size check).

pub mod q2_k;
pub mod q3_k;
pub mod q4_k;
pub mod q5_k;
pub mod q6_k;
pub mod q8_k;
pub mod search;

pub use q2_k::BlockQ2K;
pub use q3_k::BlockQ3K;
pub use q4_k::BlockQ4K;
pub use q5_k::BlockQ5K;
pub use q6_k::BlockQ6K;
pub use q8_k::BlockQ8K;
