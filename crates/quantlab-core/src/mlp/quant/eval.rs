//! A configuration measured: accuracy, size and confusion matrix, and each layer's output
//! error against fp32.

use serde::{Deserialize, Serialize};

use super::config::QuantConfig;
use super::model::{ModelSize, QuantizedMlp};
use crate::dataset::Dataset;
use crate::error::{QuantError, Result};
use crate::metrics;
use crate::mlp::net::{Mlp, accuracy_of, confusion_matrix};

/// One row of the accuracy table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The configuration.
    pub config: QuantConfig,
    /// Test accuracy in `[0, 1]`.
    pub accuracy: f32,
    /// Storage of the quantized model.
    pub size: ModelSize,
    /// The predicted class of each test sample.
    pub predictions: Vec<u8>,
    /// The confusion matrix `(classes, classes)`, rows = true class ([`crate::mlp::confusion_matrix`]).
    pub confusion: Vec<u32>,
}

/// Quantizes `mlp` as `config` says and measures it on `test`.
pub fn evaluate(mlp: &Mlp, config: QuantConfig, test: &Dataset) -> Result<Evaluation> {
    test.validate()?;
    let q = QuantizedMlp::new(mlp, config)?;
    let predictions = q.predict(&test.features, test.n)?;
    Ok(Evaluation {
        config,
        accuracy: accuracy_of(&predictions, &test.labels),
        size: q.size(),
        confusion: confusion_matrix(&predictions, &test.labels, test.classes),
        predictions,
    })
}

/// The error of one layer's output against fp32.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LayerError {
    /// The layer, counting from 0.
    pub layer: usize,
    /// `10·log10(Σ z² / Σ (z − ẑ)²)` in dB (`+∞` when identical).
    pub snr_db: f64,
    /// Mean squared error.
    pub mse: f64,
    /// Largest absolute error.
    pub max_abs_error: f64,
}

/// The per-layer output error of `quantized` against `mlp` on `m` samples `x` (see the module
/// docs: both run end to end, outputs are compared before the ReLU).
pub fn layer_errors(
    mlp: &Mlp,
    quantized: &QuantizedMlp,
    x: &[f32],
    m: usize,
) -> Result<Vec<LayerError>> {
    if mlp.dims() != {
        let mut d = vec![quantized.in_dim()];
        d.extend(quantized.layers.iter().map(|l| l.out_dim));
        d
    } {
        return Err(QuantError::InvalidParameter(
            "the quantized model does not have the fp32 model's layer sizes".into(),
        ));
    }
    let reference = mlp.forward_layers(x, m)?;
    let got = quantized.forward_layers(x, m)?;
    Ok(reference
        .iter()
        .zip(&got)
        .enumerate()
        .map(|(layer, (r, g))| LayerError {
            layer,
            snr_db: metrics::snr_db(r, g),
            mse: metrics::mse(r, g),
            max_abs_error: metrics::max_abs_error(r, g),
        })
        .collect())
}
