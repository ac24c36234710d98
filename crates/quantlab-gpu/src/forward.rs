//! The W8A8 MLP forward with the integer products on the GPU, and its comparison with the
//! CPU reference.
//!
//! Per layer, in exactly the order of
//! [`QuantizedMlp::trace_int8`](quantlab_core::mlp::QuantizedMlp::trace_int8):
//!
//! ```text
//! CPU: (q_a, s_a) = quantize_per_token(a)              int8::quantize_per_token
//! CPU: words      = pack_i8x4_rows(q_a)                int8::pack_i8x4_rows
//! GPU: acc        = words · W_packedᵀ  (int32)           the WGSL kernel
//! CPU: y[i, j]    = rescale(acc[i, j], s_a[i], s_w[j], b[j])   int8::rescale
//! CPU: a          = max(0, y)   (all layers but the last)
//! ```
//!
//! The floating-point steps are the reference's own functions on the same values, so once
//! the GPU's int32 sums equal the CPU's (integer arithmetic is exact on both), every float
//! that follows is identical bit for bit. [`compare_with_cpu`] counts any place where
//! that does not hold.

use quantlab_core::mlp::int8;
use quantlab_core::mlp::{Activations, Int8LayerTrace, QuantWeights, QuantizedMlp};

use crate::context::{GpuContext, GpuMatrix, Kernel};
use crate::error::{GpuError, Result};

/// One layer of a W8A8 model on the GPU.
#[derive(Debug)]
struct GpuLayer {
    weights: GpuMatrix,
    in_dim: usize,
    out_dim: usize,
    channel_scales: Vec<f32>,
    bias: Vec<f32>,
}

/// A W8A8 [`QuantizedMlp`] with its packed int8 weights uploaded
/// ([`GpuContext::upload_w8a8`]).
#[derive(Debug)]
pub struct GpuMlp {
    layers: Vec<GpuLayer>,
}

impl GpuMlp {
    /// Inputs per sample.
    pub fn in_dim(&self) -> usize {
        self.layers.first().map_or(0, |l| l.in_dim)
    }

    /// Outputs (classes) per sample.
    pub fn out_dim(&self) -> usize {
        self.layers.last().map_or(0, |l| l.out_dim)
    }

    /// Number of layers.
    pub fn num_layers(&self) -> usize {
        self.layers.len()
    }
}

/// What [`GpuContext::forward_w8a8`] computed: per layer the activation codes and scales
/// (CPU), the int32 accumulators (GPU) and the rescaled outputs (CPU), as
/// [`QuantizedMlp::trace_int8`] lays them out.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuForward {
    /// One trace per layer.
    pub layers: Vec<Int8LayerTrace>,
    /// The kernel that computed the accumulators.
    pub kernel: Kernel,
}

impl GpuForward {
    /// The last layer's outputs, `(m, classes)` row-major.
    pub fn logits(&self) -> &[f32] {
        self.layers.last().map_or(&[], |t| t.output.as_slice())
    }
}

/// Where the GPU and the CPU reference disagree ([`compare_with_cpu`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mismatches {
    /// int32 accumulators (over all layers) that differ, plus any the other side lacks.
    pub accumulators: usize,
    /// Logits whose `f32` bit patterns differ, plus any the other side lacks.
    pub logits: usize,
    /// Accumulators compared.
    pub accumulators_compared: usize,
    /// Logits compared.
    pub logits_compared: usize,
}

impl Mismatches {
    /// Accumulators and logits that differ: the page's `gpu-cpu-mismatches` (0 when the
    /// GPU reproduces the CPU exactly).
    pub fn total(&self) -> usize {
        self.accumulators + self.logits
    }
}

fn count_diff<T>(a: &[T], b: &[T], same: impl Fn(&T, &T) -> bool) -> usize {
    a.iter().zip(b).filter(|(x, y)| !same(x, y)).count() + a.len().abs_diff(b.len())
}

/// Compares a GPU forward with the CPU's [`QuantizedMlp::trace_int8`] on the same input:
/// every int32 accumulator of every layer for equality, every logit for identical bits.
pub fn compare_with_cpu(cpu: &[Int8LayerTrace], gpu: &GpuForward) -> Mismatches {
    let mut m = Mismatches::default();
    for (c, g) in cpu.iter().zip(&gpu.layers) {
        m.accumulators += count_diff(&c.acc, &g.acc, |x, y| x == y);
        m.accumulators_compared += c.acc.len().min(g.acc.len());
    }
    for extra in cpu.iter().skip(gpu.layers.len()) {
        m.accumulators += extra.acc.len();
    }
    for extra in gpu.layers.iter().skip(cpu.len()) {
        m.accumulators += extra.acc.len();
    }
    let cpu_logits: &[f32] = cpu.last().map_or(&[], |t| t.output.as_slice());
    let gpu_logits = gpu.logits();
    m.logits = count_diff(cpu_logits, gpu_logits, |x, y| x.to_bits() == y.to_bits());
    m.logits_compared = cpu_logits.len().min(gpu_logits.len());
    m
}

/// A GPU forward checked against the CPU ([`GpuContext::run_w8a8_checked`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedRun {
    /// The GPU's result.
    pub gpu: GpuForward,
    /// Where it differs from the CPU reference.
    pub mismatches: Mismatches,
    /// The predicted class of each sample (argmax of the GPU logits, first on ties).
    pub predictions: Vec<u8>,
}

impl GpuContext {
    /// Uploads the packed int8 weights of a W8A8 model (`w8a8` or `w8a8-tensor`).
    ///
    /// Errors: a model with fp32 activations or non-int8 weights, or weights larger than
    /// the device binds.
    pub async fn upload_w8a8(&self, model: &QuantizedMlp) -> Result<GpuMlp> {
        if model.config.activations != Activations::Int8PerToken {
            return Err(GpuError::InvalidInput(format!(
                "the GPU path runs W8A8 models (int8 activations); {} has fp32 activations",
                model.config.id()
            )));
        }
        let mut layers = Vec::with_capacity(model.layers.len());
        for (l, layer) in model.layers.iter().enumerate() {
            let QuantWeights::Int8 { codes, .. } = &layer.weights else {
                return Err(GpuError::InvalidInput(format!(
                    "layer {} does not have int8 weights",
                    l + 1
                )));
            };
            let (k, n) = (layer.in_dim, layer.out_dim);
            if layer.channel_scales.len() != n || layer.bias.len() != n {
                return Err(GpuError::InvalidInput(format!(
                    "layer {} has {} scales and {} biases for {n} outputs",
                    l + 1,
                    layer.channel_scales.len(),
                    layer.bias.len()
                )));
            }
            let packed = int8::pack_i8x4_rows(codes, n, k)?;
            layers.push(GpuLayer {
                weights: self.upload_weights(&packed, n, k).await?,
                in_dim: k,
                out_dim: n,
                channel_scales: layer.channel_scales.clone(),
                bias: layer.bias.clone(),
            });
        }
        Ok(GpuMlp { layers })
    }

    /// The W8A8 forward of `m` samples `x` `(m, in)` with every layer's int32 product on the
    /// GPU (the current kernel) and the per-token quantization, rescale and ReLU on the CPU
    /// (see the module docs).
    pub async fn forward_w8a8(&self, model: &GpuMlp, x: &[f32], m: usize) -> Result<GpuForward> {
        self.forward_w8a8_with(self.kernel(), model, x, m).await
    }

    /// [`GpuContext::forward_w8a8`] with a chosen kernel.
    pub async fn forward_w8a8_with(
        &self,
        kernel: Kernel,
        model: &GpuMlp,
        x: &[f32],
        m: usize,
    ) -> Result<GpuForward> {
        let d = model.in_dim();
        if m == 0 || m.checked_mul(d) != Some(x.len()) {
            return Err(GpuError::InvalidInput(format!(
                "the input should hold {m} samples of {d} features ({} values) but has {}",
                m.saturating_mul(d),
                x.len()
            )));
        }
        let mut traces: Vec<Int8LayerTrace> = Vec::with_capacity(model.layers.len());
        let mut a = x.to_vec();
        for (l, layer) in model.layers.iter().enumerate() {
            let (k, n) = (layer.in_dim, layer.out_dim);
            let (codes, act_scales) = int8::quantize_per_token(&a, m, k)?;
            let words = int8::pack_i8x4_rows(&codes, m, k)?;
            let acc = self.matmul(kernel, &words, m, &layer.weights).await?;
            let mut output = vec![0.0f32; m * n];
            for i in 0..m {
                for j in 0..n {
                    output[i * n + j] = int8::rescale(
                        acc[i * n + j],
                        act_scales[i],
                        layer.channel_scales[j],
                        layer.bias[j],
                    );
                }
            }
            if l + 1 < model.layers.len() {
                a = output.iter().map(|v| v.max(0.0)).collect();
            }
            traces.push(Int8LayerTrace {
                codes,
                act_scales,
                acc,
                output,
            });
        }
        Ok(GpuForward {
            layers: traces,
            kernel,
        })
    }

    /// Runs `model` (uploaded as `gpu_model`) on the GPU and on the CPU
    /// ([`QuantizedMlp::trace_int8`]) and counts the differences: what the page shows as
    /// `gpu-cpu-mismatches`.
    pub async fn run_w8a8_checked(
        &self,
        model: &QuantizedMlp,
        gpu_model: &GpuMlp,
        x: &[f32],
        m: usize,
    ) -> Result<CheckedRun> {
        let gpu = self.forward_w8a8(gpu_model, x, m).await?;
        let cpu = model.trace_int8(x, m)?;
        let mismatches = compare_with_cpu(&cpu, &gpu);
        let predictions = quantlab_core::mlp::argmax_rows(gpu.logits(), gpu_model.out_dim());
        Ok(CheckedRun {
            gpu,
            mismatches,
            predictions,
        })
    }
}
