//! A small multilayer perceptron in fp32, its training, and its quantized inference on the
//! CPU: the slow, obviously-correct reference ("oracle") that faster paths (WASM SIMD,
//! WebGPU) are checked against bit for bit.
//!
//! **Model.** `L` fully connected layers with ReLU between them and none after the last:
//!
//! ```text
//! z_1 = W_1·x + b_1,   a_l = max(0, z_l),   z_{l+1} = W_{l+1}·a_l + b_{l+1},   logits = z_L
//! p = softmax(logits),  p_c = exp(z_c − m) / Σ_k exp(z_k − m),  m = max_k z_k
//! loss = −log p_y  (cross-entropy, averaged over a mini-batch)
//! ```
//!
//! **Layouts.** Every weight matrix is `(out, in)` row-major, as PyTorch's `nn.Linear`
//! stores it: `W[j·in + k]` connects input `k` to output `j`, so output channel `j` is row
//! `j` (axis 0, the axis per-channel scales run along). A batch of `m` samples is `(m, in)`
//! row-major; outputs are `(m, out)`.
//!
//! **Summation order.** An fp32 dot product `Σ_k x_k·w_k` is summed in eight interleaved
//! partial sums (`k mod 8`), then combined pairwise ((0+4)+(2+6))+((1+5)+(3+7)), then the
//! `in mod 8` tail in order; the same order everywhere, so every result is reproducible.
//!
//! **Modules.**
//! - [`train`]: seeded He initialisation, mini-batch SGD with momentum or Adam, a
//!   [`Trainer`] that runs in chunks (`step_batches`, `step_epoch`) so a page stays responsive.
//! - [`int8`]: the integer kernels — per-token activation quantization, `int8 × int8 → int32`
//!   matrix product, its int16 overflow demo, `i8x4` packing.
//! - [`simd`]: the same int8 product with WebAssembly `simd128` vectors, bit-exact with
//!   [`int8`]'s scalar reference.
//! - [`quant`]: the quantized model in the course's configurations (W8, W4-g, W8A8, per-tensor
//!   variants, NF4), its accuracy, size and per-layer error against fp32.

pub mod int8;
mod net;
pub mod ptq;
pub mod quant;
pub mod simd;
pub mod train;

pub use net::{Linear, Mlp, accuracy_of, argmax_rows, confusion_matrix, cross_entropy, dot};
pub use quant::{
    AccumulatorReport, Activations, Evaluation, Int8LayerTrace, LayerError, ModelSize, QuantConfig,
    QuantLayer, QuantWeights, QuantizedMlp, WeightFormat, evaluate, layer_errors,
};
pub use simd::Int8Kernel;
pub use train::{EpochStats, OptimizerKind, Schedule, StepReport, TrainConfig, Trainer};
