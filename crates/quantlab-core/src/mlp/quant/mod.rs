//! Quantized inference of a trained [`Mlp`](crate::mlp::Mlp) in the course's torchao-style configurations,
//! on the CPU: the reference every faster path is checked against.
//!
//! | id | weights | activations | matmul |
//! |---|---|---|---|
//! | `fp32` | fp32 | fp32 | fp32 |
//! | `w8` | int8 symmetric per output channel, `s_j = amax_j/127` | fp32 | fp32 on dequantized weights |
//! | `w8-tensor` | int8 symmetric, one scale | fp32 | fp32 |
//! | `w4-g32`, `w4-g64`, `w4-g128` | int4 symmetric (`[−8, 7]`, `s = amax/7`) per group of 32/64/128 inputs of a row, two codes a byte | fp32 | fp32 |
//! | `w4-channel`, `w4-tensor` | int4 per output channel / one scale | fp32 | fp32 |
//! | `w8a8` | int8 per channel | int8 per token (dynamic) | int8 × int8 → int32, then rescale |
//! | `w8a8-tensor` | int8, one scale | int8 per token | int32, rescale |
//! | `nf4-b64` | NF4, absmax per block of 64 ([`crate::quant::nf4`]) | fp32 | fp32 |
//! | `mxfp4`, `mxfp8-e4m3` | MX FP4 E2M1 / FP8 E4M3, an E8M0 scale per block of 32 inputs of a row ([`crate::quant::mx`]) | fp32 | fp32 |
//! | `nvfp4` | NVFP4: E2M1, an E4M3 scale per block of 16 inputs of a row, an `f32` scale per layer | fp32 | fp32 |
//!
//! **Weight-only** configurations quantize each layer's `W` `(out, in)` once with
//! [`crate::quant::linear`] (symmetric mode, signed codes, round half to even), store the codes and
//! `f32` scales, and compute with the dequantized weights `Ŵ = q·s` in fp32 — the error is in
//! the weights alone.
//!
//! **W8A8 dynamic**, per layer and per sample `i` (a token):
//!
//! ```text
//! (q_a[i], s_a[i]) = quantize_per_token(x[i])           (int8::quantize_row_i8)
//! acc[i, j] = Σ_t q_a[i, t] · q_w[j, t]                   (int8::matmul_i8_i32, exact int32)
//! y[i, j]   = f32(acc[i, j]) · (s_a[i] · s_w[j]) + b[j]    (int8::rescale)
//! ```
//!
//! then ReLU before the next layer. With a per-tensor weight scale, `s_w[j] = s_w` for all `j`.
//! Activations are always per token: a per-tensor activation scale over a batch would make a
//! sample's prediction depend on the other samples in its batch. Per-group weights cannot be
//! combined with int8 activations (a group scale would have to be applied inside the integer
//! sum), so `w4`, `nf4` and the block-scaled float formats run with fp32 activations only.
//!
//! **Block-scaled floats** (MXFP4, MXFP8 E4M3, NVFP4) are fitted with the core's own
//! [`MxQuantizer`](crate::quant::mx::MxQuantizer) and
//! [`Nvfp4Quantizer`](crate::quant::mx::Nvfp4Quantizer), each row zero-padded to whole blocks
//! so that the blocks run along a row's inputs (`block_float.rs`); the model computes with
//! their dequantized weights, bit for bit the quantizers' `dequantize`.
//!
//! **Size** ([`ModelSize`]): codes (`n` bytes for int8, `⌈n/2⌉` for int4 and NF4, `4n` for
//! fp32; for the block-scaled floats the element codes of whole blocks, `out·⌈in/B⌉·B` of
//! them), plus scales (`f32` per scale group / NF4 block; one byte per MX / NVFP4 block, and
//! NVFP4's `f32` tensor scale), plus `f32` biases: 4.25, 8.25 and 4.5 bits per weight for
//! MXFP4, MXFP8 and NVFP4 when `in` is a multiple of the block. W8A8 stores the same as W8;
//! its activation scales are computed on the fly.
//!
//! **Per-layer error** ([`layer_errors`]): the fp32 and the quantized model run end to end on
//! the same inputs, and each layer's output `z_l` (before the ReLU) is compared — so the error
//! of a layer includes what earlier layers passed on. SNR, MSE and max error are
//! [`crate::metrics`]'.
//!
//! **Files.** `config`: the configurations, their ids and labels; `layer`: one layer's
//! stored weights and how they are fitted; `model`: the quantized model, its size and its
//! W8A8 computation; `eval`: accuracy and per-layer error against fp32.

mod block_float;
mod config;
mod eval;
mod layer;
mod model;
#[cfg(test)]
mod tests;
mod weights;

pub use config::{Activations, QuantConfig, WeightFormat};
pub use eval::{Evaluation, LayerError, evaluate, layer_errors};
pub use layer::{IntFit, QuantLayer, nibble_bytes};
pub use model::{AccumulatorReport, Int8LayerTrace, ModelSize, QuantizedMlp};
pub use weights::QuantWeights;
