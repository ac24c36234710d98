//! The float network: layers, the forward pass, the loss and the accuracy figures that
//! training ([`super::train`]) and quantized inference ([`super::quant`]) share.

use rand::Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{QuantError, Result};

/// One fully connected layer `z = W·x + b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    /// Inputs per sample.
    pub in_dim: usize,
    /// Outputs per sample.
    pub out_dim: usize,
    /// `W`, `(out_dim, in_dim)` row-major.
    pub weight: Vec<f32>,
    /// `b`, one per output.
    pub bias: Vec<f32>,
}

impl Linear {
    /// A layer with He-normal weights `W ~ N(0, 2/in_dim)` drawn row by row from `rng`, and
    /// zero biases.
    pub fn he<R: Rng>(in_dim: usize, out_dim: usize, rng: &mut R) -> Result<Linear> {
        let std = (2.0 / in_dim.max(1) as f64).sqrt();
        let normal = Normal::new(0.0, std)
            .map_err(|e| QuantError::InvalidParameter(format!("cannot initialise a layer: {e}")))?;
        let weight = (0..in_dim * out_dim)
            .map(|_| normal.sample(rng) as f32)
            .collect();
        Ok(Linear {
            in_dim,
            out_dim,
            weight,
            bias: vec![0.0; out_dim],
        })
    }

    /// The weights of output channel `j` (row `j`).
    pub fn row(&self, j: usize) -> &[f32] {
        &self.weight[j * self.in_dim..(j + 1) * self.in_dim]
    }

    /// `z = x·Wᵀ + b` for `m` samples `x` `(m, in)`; returns `(m, out)`.
    pub fn forward(&self, x: &[f32], m: usize) -> Vec<f32> {
        linear_forward(x, m, self.in_dim, &self.weight, &self.bias)
    }
}

/// `z = x·Wᵀ + b` with `W` `(out, in)` row-major, `x` `(m, in)`; returns `(m, out)`. The
/// caller guarantees the lengths (`x.len() = m·in`, `w.len() = out·in`, `out = b.len()`).
pub(crate) fn linear_forward(x: &[f32], m: usize, in_dim: usize, w: &[f32], b: &[f32]) -> Vec<f32> {
    let out_dim = b.len();
    let mut z = vec![0.0f32; m * out_dim];
    if in_dim == 0 {
        return z;
    }
    for (xi, zi) in x
        .chunks_exact(in_dim)
        .zip(z.chunks_exact_mut(out_dim.max(1)))
    {
        for ((zj, wj), bj) in zi.iter_mut().zip(w.chunks_exact(in_dim)).zip(b) {
            *zj = dot(xi, wj) + bj;
        }
    }
    z
}

/// `Σ_k a_k·b_k` in the fixed order of the module docs (eight partial sums).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, ra) = a.as_chunks::<8>();
    let (cb, rb) = b.as_chunks::<8>();
    for (x, y) in ca.iter().zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// `max(0, z)` in place.
pub(crate) fn relu_in_place(z: &mut [f32]) {
    for v in z {
        *v = v.max(0.0);
    }
}

/// The index of the largest logit in each row of `(m, c)` logits (the first on ties).
pub fn argmax_rows(logits: &[f32], c: usize) -> Vec<u8> {
    logits
        .chunks_exact(c.max(1))
        .map(|row| {
            let mut best = 0usize;
            for (k, &v) in row.iter().enumerate() {
                if v > row[best] {
                    best = k;
                }
            }
            best as u8
        })
        .collect()
}

/// The share of `predictions` equal to `labels`, in `[0, 1]` (0 for no samples).
pub fn accuracy_of(predictions: &[u8], labels: &[u8]) -> f32 {
    if labels.is_empty() {
        return 0.0;
    }
    let right = predictions
        .iter()
        .zip(labels)
        .filter(|(p, y)| p == y)
        .count();
    right as f32 / labels.len() as f32
}

/// The confusion matrix, `(classes, classes)` row-major: entry `(t, p)` counts samples of
/// true class `t` predicted as `p`. Labels or predictions `≥ classes` are skipped.
pub fn confusion_matrix(predictions: &[u8], labels: &[u8], classes: usize) -> Vec<u32> {
    let mut m = vec![0u32; classes * classes];
    for (&p, &y) in predictions.iter().zip(labels) {
        let (p, y) = (usize::from(p), usize::from(y));
        if p < classes && y < classes {
            m[y * classes + p] += 1;
        }
    }
    m
}

/// The mean softmax cross-entropy `(1/m)·Σ_i (log Σ_k exp z_ik − z_{i,y_i})` of `(m, c)`
/// logits, computed stably (the row maximum subtracted first), in `f64`.
pub fn cross_entropy(logits: &[f32], labels: &[u8], c: usize) -> f32 {
    if labels.is_empty() || c == 0 {
        return 0.0;
    }
    let mut total = 0.0f64;
    for (row, &y) in logits.chunks_exact(c).zip(labels) {
        let m = row.iter().fold(f32::NEG_INFINITY, |a, &v| a.max(v));
        let lse = f64::from(m)
            + row
                .iter()
                .map(|&v| f64::from(v - m).exp())
                .sum::<f64>()
                .ln();
        total += lse - f64::from(row.get(usize::from(y)).copied().unwrap_or(m));
    }
    (total / labels.len() as f64) as f32
}

/// An fp32 multilayer perceptron: [`Linear`] layers with ReLU between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mlp {
    /// The layers, input first.
    pub layers: Vec<Linear>,
}

impl Mlp {
    /// A network with layer widths `dims = [inputs, hidden…, classes]` (at least two
    /// entries, none zero), He-initialised from `rng` layer by layer.
    pub fn new<R: Rng>(dims: &[usize], rng: &mut R) -> Result<Mlp> {
        if dims.len() < 2 {
            return Err(QuantError::InvalidParameter(
                "an MLP needs at least an input and an output width".into(),
            ));
        }
        if let Some(k) = dims.iter().position(|&d| d == 0) {
            return Err(QuantError::InvalidParameter(format!(
                "layer width {k} is 0: every layer needs at least one unit ({dims:?})"
            )));
        }
        if let Some(&d) = dims[1..].iter().find(|&&d| d > 4096) {
            return Err(QuantError::InvalidParameter(format!(
                "a layer of {d} units is more than the 4,096 this lab allows"
            )));
        }
        let layers = dims
            .windows(2)
            .map(|w| Linear::he(w[0], w[1], rng))
            .collect::<Result<Vec<_>>>()?;
        Ok(Mlp { layers })
    }

    /// Inputs per sample.
    pub fn in_dim(&self) -> usize {
        self.layers.first().map_or(0, |l| l.in_dim)
    }

    /// Outputs (classes) per sample.
    pub fn out_dim(&self) -> usize {
        self.layers.last().map_or(0, |l| l.out_dim)
    }

    /// The widths `[inputs, hidden…, outputs]`.
    pub fn dims(&self) -> Vec<usize> {
        let mut d = vec![self.in_dim()];
        d.extend(self.layers.iter().map(|l| l.out_dim));
        d
    }

    /// Number of weights and biases.
    pub fn num_params(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.weight.len() + l.bias.len())
            .sum()
    }

    /// fp32 storage in bytes: `4 · (weights + biases)`.
    pub fn size_bytes(&self) -> usize {
        4 * self.num_params()
    }

    /// Checks the shapes (the fields are public, so a model built by hand may break them):
    /// at least one layer, `weight.len() = out·in` and `bias.len() = out` in every layer,
    /// and each layer's `in` equal to the previous layer's `out`.
    pub fn validate(&self) -> Result<()> {
        if self.layers.is_empty() {
            return Err(QuantError::InvalidParameter(
                "the model has no layers".into(),
            ));
        }
        for (l, layer) in self.layers.iter().enumerate() {
            if layer.in_dim.checked_mul(layer.out_dim) != Some(layer.weight.len())
                || layer.bias.len() != layer.out_dim
                || layer.in_dim == 0
                || layer.out_dim == 0
            {
                return Err(QuantError::InvalidParameter(format!(
                    "layer {l} is {}×{} but holds {} weights and {} biases",
                    layer.out_dim,
                    layer.in_dim,
                    layer.weight.len(),
                    layer.bias.len()
                )));
            }
            if l > 0 && self.layers[l - 1].out_dim != layer.in_dim {
                return Err(QuantError::InvalidParameter(format!(
                    "layer {l} takes {} inputs but layer {} gives {} outputs",
                    layer.in_dim,
                    l - 1,
                    self.layers[l - 1].out_dim
                )));
            }
        }
        Ok(())
    }

    /// Checks the model ([`Mlp::validate`]) and that `x` holds `m` samples of
    /// [`Mlp::in_dim`] values.
    pub(crate) fn check_input(&self, x: &[f32], m: usize) -> Result<()> {
        self.validate()?;
        let d = self.in_dim();
        if m.checked_mul(d) != Some(x.len()) || m == 0 {
            return Err(QuantError::ShapeMismatch {
                shape: vec![m, d],
                expected: m.saturating_mul(d),
                actual: x.len(),
            });
        }
        Ok(())
    }

    /// The output of every layer for `m` samples: `z_1 … z_L`, each `(m, out_l)` and taken
    /// **before** the ReLU (the last one is the logits).
    pub fn forward_layers(&self, x: &[f32], m: usize) -> Result<Vec<Vec<f32>>> {
        self.check_input(x, m)?;
        let mut outs: Vec<Vec<f32>> = Vec::with_capacity(self.layers.len());
        let mut a = x.to_vec();
        for (l, layer) in self.layers.iter().enumerate() {
            let z = layer.forward(&a, m);
            if l + 1 < self.layers.len() {
                a = z.clone();
                relu_in_place(&mut a);
            }
            outs.push(z);
        }
        Ok(outs)
    }

    /// The logits `(m, classes)` of `m` samples `x` `(m, in)`.
    pub fn forward(&self, x: &[f32], m: usize) -> Result<Vec<f32>> {
        Ok(self.forward_layers(x, m)?.pop().unwrap_or_default())
    }

    /// The predicted class of each of `m` samples.
    pub fn predict(&self, x: &[f32], m: usize) -> Result<Vec<u8>> {
        Ok(argmax_rows(&self.forward(x, m)?, self.out_dim()))
    }

    /// Accuracy in `[0, 1]` on a dataset whose features match the model.
    pub fn accuracy(&self, data: &Dataset) -> Result<f32> {
        data.validate()?;
        Ok(accuracy_of(
            &self.predict(&data.features, data.n)?,
            &data.labels,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn dot_matches_a_plain_sum_on_exact_values() {
        let a: Vec<f32> = (0..21).map(|v| v as f32).collect();
        let b: Vec<f32> = (0..21).map(|v| (v % 3) as f32).collect();
        let want: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert_eq!(dot(&a, &b), want);
        assert_eq!(dot(&[], &[]), 0.0);
    }

    #[test]
    fn a_layer_computes_w_times_x_plus_b_with_rows_as_outputs() {
        let l = Linear {
            in_dim: 2,
            out_dim: 3,
            weight: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            bias: vec![0.5, 0.0, -1.0],
        };
        // Two samples: [1, 1] and [0, 2].
        let z = l.forward(&[1.0, 1.0, 0.0, 2.0], 2);
        assert_eq!(z, vec![3.5, 7.0, 10.0, 4.5, 8.0, 11.0]);
        assert_eq!(l.row(1), &[3.0, 4.0]);
    }

    #[test]
    fn he_init_is_seeded_and_scaled_by_fan_in() {
        let a = Mlp::new(&[400, 300, 10], &mut ChaCha8Rng::seed_from_u64(3)).unwrap();
        let b = Mlp::new(&[400, 300, 10], &mut ChaCha8Rng::seed_from_u64(3)).unwrap();
        assert_eq!(a, b);
        let w = &a.layers[0].weight;
        let var = w.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / w.len() as f64;
        assert!((var - 2.0 / 400.0).abs() < 0.0002, "{var}");
        assert_eq!(a.dims(), vec![400, 300, 10]);
        assert_eq!(a.num_params(), 400 * 300 + 300 + 300 * 10 + 10);
    }

    #[test]
    fn bad_widths_and_inputs_are_errors() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert!(Mlp::new(&[4], &mut rng).is_err());
        assert!(Mlp::new(&[4, 0, 3], &mut rng).is_err());
        let m = Mlp::new(&[4, 3], &mut rng).unwrap();
        assert!(m.forward(&[1.0; 7], 2).is_err());
        assert!(m.forward(&[], 0).is_err());
        let mut broken = Mlp::new(&[4, 5, 3], &mut rng).unwrap();
        broken.layers[1].bias.pop();
        assert!(broken.forward(&[1.0; 4], 1).is_err());
        assert!(
            crate::mlp::quant::QuantizedMlp::new(&broken, crate::mlp::quant::QuantConfig::W8A8)
                .is_err()
        );
        broken.layers[1].bias.push(0.0);
        broken.layers[1].in_dim = 4;
        broken.layers[1].weight.truncate(12);
        assert!(broken.validate().is_err());
    }

    #[test]
    fn cross_entropy_of_uniform_logits_is_log_c() {
        let ce = cross_entropy(&[0.0; 8], &[0, 3], 4);
        assert!((ce - 4f32.ln()).abs() < 1e-6);
        assert!(cross_entropy(&[1000.0, 0.0], &[0], 2) < 1e-6);
    }

    #[test]
    fn confusion_matrix_counts_true_rows_and_predicted_columns() {
        let m = confusion_matrix(&[0, 1, 1, 2], &[0, 1, 2, 2], 3);
        assert_eq!(m, vec![1, 0, 0, 0, 1, 0, 0, 1, 1]);
        assert_eq!(accuracy_of(&[0, 1, 1, 2], &[0, 1, 2, 2]), 0.75);
        assert_eq!(
            argmax_rows(&[1.0, 3.0, 3.0, 0.0, -1.0, -2.0], 3),
            vec![1, 0]
        );
    }
}
