//! The quantized model: its layers, its size, its forward pass (fp32 on dequantized weights,
//! or the W8A8 integer path) and the int16 accumulator demo.

use serde::{Deserialize, Serialize};

use super::config::{Activations, QuantConfig};
use super::layer::QuantLayer;
use super::weights::QuantWeights;
use crate::dataset::Dataset;
use crate::error::{QuantError, Result};
use crate::mlp::int8::{self, I16Accumulation};
use crate::mlp::net::{Mlp, accuracy_of, argmax_rows, linear_forward, relu_in_place};
use crate::mlp::simd::Int8Kernel;

/// Storage of a model in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelSize {
    /// Weight codes (or fp32 weights).
    pub weights: usize,
    /// Scales (`f32`, one per scale group or NF4 block).
    pub scales: usize,
    /// Biases (`f32`).
    pub biases: usize,
}

impl ModelSize {
    /// `weights + scales + biases`.
    pub fn total(&self) -> usize {
        self.weights + self.scales + self.biases
    }
}

/// What the W8A8 path computed in one layer, for checking another implementation against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Int8LayerTrace {
    /// The layer's quantized input, `(m, in)` row-major.
    pub codes: Vec<i8>,
    /// The per-token input scales `s_a`, one per sample.
    pub act_scales: Vec<f32>,
    /// The int32 accumulators `(m, out)`.
    pub acc: Vec<i32>,
    /// The rescaled output `z = f32(acc)·(s_a·s_w) + b` `(m, out)`, before the ReLU.
    pub output: Vec<f32>,
}

/// How an int16 accumulator would have fared in one layer of a W8A8 model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccumulatorReport {
    /// The layer, counting from 0.
    pub layer: usize,
    /// Number of sums computed (`m · out`).
    pub outputs: usize,
    /// Sums whose exact value does not fit int16 (wrong with an int16 accumulator).
    pub overflowed: usize,
    /// Sums whose running value left the int16 range at some point.
    pub wrapped_on_the_way: usize,
    /// The largest `|acc|` of the exact int32 sums.
    pub max_abs_acc: i64,
}

/// An [`Mlp`] quantized in one [`QuantConfig`].
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizedMlp {
    /// The configuration.
    pub config: QuantConfig,
    /// The layers, input first.
    pub layers: Vec<QuantLayer>,
}

impl QuantizedMlp {
    /// Quantizes every layer of `mlp` as `config` says.
    pub fn new(mlp: &Mlp, config: QuantConfig) -> Result<QuantizedMlp> {
        config.validate()?;
        mlp.validate()?;
        let layers = mlp
            .layers
            .iter()
            .map(|l| QuantLayer::new(l, &config))
            .collect::<Result<Vec<_>>>()?;
        Ok(QuantizedMlp { config, layers })
    }

    /// Inputs per sample.
    pub fn in_dim(&self) -> usize {
        self.layers.first().map_or(0, |l| l.in_dim)
    }

    /// Outputs (classes) per sample.
    pub fn out_dim(&self) -> usize {
        self.layers.last().map_or(0, |l| l.out_dim)
    }

    /// Bytes of weights, scales and biases.
    pub fn size(&self) -> ModelSize {
        let mut s = ModelSize {
            weights: 0,
            scales: 0,
            biases: 0,
        };
        for l in &self.layers {
            let (w, sc) = l.weights.sizes();
            s.weights += w;
            s.scales += sc + 4 * l.input_scales.len();
            s.biases += 4 * l.bias.len();
        }
        s
    }

    fn check_input(&self, x: &[f32], m: usize) -> Result<()> {
        let d = self.in_dim();
        if m == 0 || m.checked_mul(d) != Some(x.len()) {
            return Err(QuantError::ShapeMismatch {
                shape: vec![m, d],
                expected: m.saturating_mul(d),
                actual: x.len(),
            });
        }
        Ok(())
    }

    /// One layer's W8A8 computation on `m` inputs `a` `(m, in)`.
    fn int8_layer(
        layer: &QuantLayer,
        a: &[f32],
        m: usize,
        kernel: Int8Kernel,
    ) -> Result<Int8LayerTrace> {
        let QuantWeights::Int8 { codes: wq, .. } = &layer.weights else {
            return Err(QuantError::InvalidParameter(
                "int8 activations need int8 weights".into(),
            ));
        };
        let (k, n) = (layer.in_dim, layer.out_dim);
        let (codes, act_scales) = kernel.quantize_per_token(a, m, k)?;
        let acc = kernel.matmul(&codes, wq, m, k, n)?;
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
        Ok(Int8LayerTrace {
            codes,
            act_scales,
            acc,
            output,
        })
    }

    /// Every layer's output `z_l` (before the ReLU; the last is the logits) for `m` samples.
    pub fn forward_layers(&self, x: &[f32], m: usize) -> Result<Vec<Vec<f32>>> {
        self.forward_layers_with(x, m, Int8Kernel::Scalar)
    }

    /// [`QuantizedMlp::forward_layers`] with the int8 matrix product of `kernel` (used by
    /// W8A8 configurations only; every kernel gives the same result bit for bit).
    pub fn forward_layers_with(
        &self,
        x: &[f32],
        m: usize,
        kernel: Int8Kernel,
    ) -> Result<Vec<Vec<f32>>> {
        self.check_input(x, m)?;
        let mut outs = Vec::with_capacity(self.layers.len());
        let mut a = x.to_vec();
        for (l, layer) in self.layers.iter().enumerate() {
            let z = match self.config.activations {
                Activations::Fp32 => {
                    linear_forward(&a, m, layer.in_dim, &layer.dequantized, &layer.bias)
                }
                Activations::Int8PerToken => Self::int8_layer(layer, &a, m, kernel)?.output,
            };
            if l + 1 < self.layers.len() {
                a = z.clone();
                relu_in_place(&mut a);
            }
            outs.push(z);
        }
        Ok(outs)
    }

    /// The logits `(m, classes)`.
    pub fn forward(&self, x: &[f32], m: usize) -> Result<Vec<f32>> {
        Ok(self.forward_layers(x, m)?.pop().unwrap_or_default())
    }

    /// The W8A8 computation layer by layer, with every intermediate (codes, scales, int32
    /// accumulators, outputs) — what a GPU or SIMD path must reproduce bit for bit. Errors for
    /// configurations without int8 activations.
    pub fn trace_int8(&self, x: &[f32], m: usize) -> Result<Vec<Int8LayerTrace>> {
        self.trace_int8_with(x, m, Int8Kernel::Scalar)
    }

    /// [`QuantizedMlp::trace_int8`] with the int8 matrix product of `kernel`.
    pub fn trace_int8_with(
        &self,
        x: &[f32],
        m: usize,
        kernel: Int8Kernel,
    ) -> Result<Vec<Int8LayerTrace>> {
        self.check_input(x, m)?;
        if self.config.activations != Activations::Int8PerToken {
            return Err(QuantError::InvalidParameter(format!(
                "{} has fp32 activations: there is no integer computation to trace",
                self.config.id()
            )));
        }
        let mut traces: Vec<Int8LayerTrace> = Vec::with_capacity(self.layers.len());
        let mut a = x.to_vec();
        for (l, layer) in self.layers.iter().enumerate() {
            let t = Self::int8_layer(layer, &a, m, kernel)?;
            if l + 1 < self.layers.len() {
                a = t.output.clone();
                relu_in_place(&mut a);
            }
            traces.push(t);
        }
        Ok(traces)
    }

    /// For a W8A8 model: how an int16 accumulator would have done in each layer on these
    /// inputs ([`int8::matmul_i8_i16_wrapping`]) — the "why int32" demo on real data.
    pub fn int16_accumulators(&self, x: &[f32], m: usize) -> Result<Vec<AccumulatorReport>> {
        let traces = self.trace_int8(x, m)?;
        traces
            .iter()
            .zip(&self.layers)
            .enumerate()
            .map(|(l, (t, layer))| {
                let QuantWeights::Int8 { codes: wq, .. } = &layer.weights else {
                    return Err(QuantError::InvalidParameter("not int8 weights".into()));
                };
                let I16Accumulation {
                    overflowed,
                    wrapped_on_the_way,
                    ..
                } = int8::matmul_i8_i16_wrapping(&t.codes, wq, m, layer.in_dim, layer.out_dim)?;
                Ok(AccumulatorReport {
                    layer: l,
                    outputs: t.acc.len(),
                    overflowed,
                    wrapped_on_the_way,
                    max_abs_acc: t.acc.iter().map(|&v| i64::from(v).abs()).max().unwrap_or(0),
                })
            })
            .collect()
    }

    /// The predicted class of each of `m` samples.
    pub fn predict(&self, x: &[f32], m: usize) -> Result<Vec<u8>> {
        Ok(argmax_rows(&self.forward(x, m)?, self.out_dim()))
    }

    /// Accuracy in `[0, 1]` on a dataset.
    pub fn accuracy(&self, data: &Dataset) -> Result<f32> {
        data.validate()?;
        Ok(accuracy_of(
            &self.predict(&data.features, data.n)?,
            &data.labels,
        ))
    }
}
