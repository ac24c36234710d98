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
//! sum), so `w4` and `nf4` run with fp32 activations only.
//!
//! **Size** ([`ModelSize`]): codes (`n` bytes for int8, `⌈n/2⌉` for int4 and NF4, `4n` for
//! fp32) + `f32` scales (one per scale group / NF4 block) + `f32` biases. W8A8 stores the same
//! as W8; its activation scales are computed on the fly.
//!
//! **Per-layer error** ([`layer_errors`]): the fp32 and the quantized model run end to end on
//! the same inputs, and each layer's output `z_l` (before the ReLU) is compared — so the error
//! of a layer includes what earlier layers passed on. SNR, MSE and max error are
//! [`crate::metrics`]'.
//!
//! **Files.** `config`: the configurations, their ids and labels; `layer`: one layer's
//! stored weights and how they are fitted; `model`: the quantized model, its size and its
//! W8A8 computation; `eval`: accuracy and per-layer error against fp32.

mod config;
mod eval;
mod layer;
mod model;
#[cfg(test)]
mod tests;

pub use config::{Activations, QuantConfig, WeightFormat};
pub use eval::{Evaluation, LayerError, evaluate, layer_errors};
pub use layer::{IntFit, QuantLayer, QuantWeights, nibble_bytes};
pub use model::{AccumulatorReport, Int8LayerTrace, ModelSize, QuantizedMlp};
