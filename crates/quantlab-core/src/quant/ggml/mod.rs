//! ggml's quantization blocks (llama.cpp's GGUF tensor types), bit-exact with ggml's
//! reference quantizers and dequantizers:
//!
//! | family | types | block | bits per value |
//! |---|---|---|---|
//! | [legacy] | Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 | 32 values, fp16 scale (and minimum) | 8.5, 4.5, 5.0, 5.5, 6.0 |
//! | [iq4_nl] | IQ4_NL | 32 values, fp16 scale, 16-level non-linear table | 4.5 |
//! | [kquants] | Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K | 256 values, sub-block scales under fp16 super-scales | 2.625, 3.4375, 4.5, 5.5, 6.5625, 9.125 |
//!
//! Every block type implements [`GgmlBlock`] (quantize, dequantize, the exact bytes, a
//! compile-time size check against ggml's struct); [`GgmlQuantizer`] puts any of them behind
//! the crate's [`Quantizer`](crate::quant::quantizer::Quantizer) trait, and
//! [`quantize_row`] / [`dequantize_row`] convert between values and ggml's bytes for a type
//! chosen at run time.
//!
//! **Exactness.** Scales, codes and bytes are those of ggml's `quantize_row_*_ref`
//! functions (IQ4_NL: `quantize_iq4_nl`, what `llama-quantize` writes without an importance
//! matrix) evaluated in `f32` without fused multiply-add, and values are decoded exactly as
//! ggml's `dequantize_row_*`. `tests/ggml_reference.rs` checks this against vectors written
//! by `gguf`, llama.cpp's Python package (`scripts/ref-vectors-ggml.sh`).
//!
//! **Edges.** Input must be finite (NaN or ±∞ is an error naming the index) and non-empty.
//! A length that is not a multiple of the block is **padded with zeros** to whole blocks:
//! the padding is quantized with the last block (so it can change that block's scale, as a
//! zero-padded row in a file would) and a partial block costs a whole block of storage. A
//! scale beyond the fp16 range is saturated to ±65504 (ggml would store ±∞, and decode
//! every value of the block to ±∞ or NaN), so one huge outlier flattens its own block but
//! never produces a non-finite value.

pub mod common;
pub mod iq4_nl;
pub mod kquants;
pub mod legacy;
pub mod quantizer;

#[cfg(test)]
mod tests;

pub use crate::quant::types::{
    GgmlType, IQ4_NL_BYTES, Q2_K_BYTES, Q3_K_BYTES, Q4_0_BYTES, Q4_1_BYTES, Q4_K_BYTES, Q5_0_BYTES,
    Q5_1_BYTES, Q5_K_BYTES, Q6_K_BYTES, Q8_0_BYTES, Q8_K_BYTES, QK, QK_K,
};
pub use common::{GgmlBlock, SubParams, dequantize_blocks, quantize_blocks};
pub use iq4_nl::{BlockIq4Nl, IQ4_NL_LEVELS};
pub use kquants::{BlockQ2K, BlockQ3K, BlockQ4K, BlockQ5K, BlockQ6K, BlockQ8K};
pub use legacy::{BlockQ4_0, BlockQ4_1, BlockQ5_0, BlockQ5_1, BlockQ8_0};
pub use quantizer::{GgmlQuantizer, dequantize_row, quantize_row};
