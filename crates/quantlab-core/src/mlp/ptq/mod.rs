//! Post-training quantization with calibration data: how real int4 models are made.
//!
//! Plain round-to-nearest ([`super::quant`]) rounds every weight on its own. The methods
//! here look at what the layer is fed — calibration inputs taken from the training set —
//! and choose the codes (GPTQ) or the grid (AWQ) to keep the layer's *output* close:
//!
//! - [`gptq()`]: error feedback through the inverse Hessian, column by column, optionally in
//!   act-order;
//! - [`awq_search`]: a per-input-channel scale search on the activations' magnitudes.
//!
//! Layers are quantized in order, each on the inputs the already quantized layers before it
//! produce (what the model will really see). The result is a [`QuantizedMlp`] stored like
//! the round-to-nearest model of the same configuration (AWQ adds one `f32` per input), so
//! accuracy, size and per-layer error compare directly.

mod awq;
mod gptq;
mod linalg;

pub use awq::{ALPHAS, AwqSearch, search as awq_search};
pub use gptq::{gptq, hessian};

use serde::{Deserialize, Serialize};

use super::net::{Mlp, linear_forward, relu_in_place};
use super::quant::{Activations, IntFit, QuantConfig, QuantLayer, QuantizedMlp, WeightFormat};
use crate::error::{QuantError, Result};

/// How the codes are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Round to nearest, every weight on its own.
    #[default]
    Nearest,
    /// GPTQ, columns in input order.
    Gptq,
    /// GPTQ, columns by decreasing Hessian diagonal.
    GptqActOrder,
    /// AWQ-style per-input scales.
    Awq,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 4] = [
        Method::Nearest,
        Method::Gptq,
        Method::GptqActOrder,
        Method::Awq,
    ];

    /// `rtn`, `gptq`, `gptq-act-order`, `awq` (URLs and test ids).
    pub fn id(self) -> &'static str {
        match self {
            Method::Nearest => "rtn",
            Method::Gptq => "gptq",
            Method::GptqActOrder => "gptq-act-order",
            Method::Awq => "awq",
        }
    }

    /// The method an id names.
    pub fn from_id(id: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.id() == id)
    }
}

/// What calibration did in one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerCalibration {
    /// The layer, counting from 0.
    pub layer: usize,
    /// Codes that differ from round-to-nearest on the same grid (GPTQ) or `0` (AWQ, whose
    /// grid differs).
    pub codes_changed: usize,
    /// AWQ's chosen `α` (`None` for the other methods).
    pub alpha: Option<f32>,
}

/// Most calibration samples used (the Hessian costs `m·in²`).
pub const MAX_CALIBRATION: usize = 1024;

impl QuantizedMlp {
    /// Quantizes `mlp` as `config` says, choosing the codes with `method` on `m` calibration
    /// inputs `x` `(m, in)` (at most [`MAX_CALIBRATION`] are used). `Method::Nearest` is
    /// [`QuantizedMlp::new`]. GPTQ needs int8 or int4 weights; AWQ needs them with fp32
    /// activations (its input scales would have to be applied before the int8 activation
    /// quantization).
    pub fn calibrated(
        mlp: &Mlp,
        config: QuantConfig,
        method: Method,
        x: &[f32],
        m: usize,
    ) -> Result<(QuantizedMlp, Vec<LayerCalibration>)> {
        if method == Method::Nearest {
            return Ok((QuantizedMlp::new(mlp, config)?, Vec::new()));
        }
        config.validate()?;
        mlp.validate()?;
        if !matches!(config.weights, WeightFormat::Int8 | WeightFormat::Int4) {
            return Err(QuantError::InvalidParameter(format!(
                "{} chooses integer codes; {} has no integer grid",
                method.id(),
                config.id()
            )));
        }
        if method == Method::Awq && config.activations != Activations::Fp32 {
            return Err(QuantError::InvalidParameter(
                "AWQ scales the layer inputs, which int8 activations quantize first; use a \
                 weight-only configuration"
                    .into(),
            ));
        }
        let d = mlp.in_dim();
        if m == 0 || x.len() != m * d {
            return Err(QuantError::ShapeMismatch {
                shape: vec![m, d],
                expected: m * d,
                actual: x.len(),
            });
        }
        let m = m.min(MAX_CALIBRATION);
        let mut a = x[..m * d].to_vec();
        let mut layers = Vec::with_capacity(mlp.layers.len());
        let mut report = Vec::with_capacity(mlp.layers.len());
        for (l, layer) in mlp.layers.iter().enumerate() {
            let (out_dim, in_dim) = (layer.out_dim, layer.in_dim);
            let shape = [out_dim, in_dim];
            let (q, cal) = if method == Method::Awq {
                let found = awq_search(&layer.weight, out_dim, in_dim, &a, m, &config)?;
                (
                    QuantLayer::from_int_codes(layer, found.fit, found.input_scales)?,
                    LayerCalibration {
                        layer: l,
                        codes_changed: 0,
                        alpha: Some(found.alpha),
                    },
                )
            } else {
                let rtn = IntFit::new(&layer.weight, &shape, &config)?;
                let h = hessian(&a, m, in_dim)?;
                let act_order = method == Method::GptqActOrder;
                let codes = gptq(&layer.weight, out_dim, in_dim, &h, &rtn, act_order)?;
                let changed = codes.iter().zip(&rtn.codes).filter(|(a, b)| a != b).count();
                let fit = IntFit { codes, ..rtn };
                (
                    QuantLayer::from_int_codes(layer, fit, Vec::new())?,
                    LayerCalibration {
                        layer: l,
                        codes_changed: changed,
                        alpha: None,
                    },
                )
            };
            // The next layer's calibration inputs: this quantized layer's outputs.
            let mut z = linear_forward(&a, m, in_dim, &q.dequantized, &q.bias);
            relu_in_place(&mut z);
            a = z;
            layers.push(q);
            report.push(cal);
        }
        Ok((QuantizedMlp { config, layers }, report))
    }
}

/// One row of the comparison the MLP lab shows: a configuration quantized with a method,
/// measured on a test set against the fp32 model.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodResult {
    /// The configuration.
    pub config: QuantConfig,
    /// The method.
    pub method: Method,
    /// Test accuracy in `[0, 1]`.
    pub accuracy: f32,
    /// Bytes stored.
    pub size: usize,
    /// Each layer's output error on the test set against fp32 (both models run end to end).
    pub layers: Vec<super::quant::LayerError>,
    /// What calibration did per layer (empty for round-to-nearest).
    pub calibration: Vec<LayerCalibration>,
}

/// Quantizes `mlp` as `config` with `method` (calibrated on `m` inputs `calib`) and measures
/// it on `test`.
pub fn compare_method(
    mlp: &Mlp,
    config: QuantConfig,
    method: Method,
    calib: &[f32],
    m: usize,
    test: &crate::dataset::Dataset,
) -> Result<MethodResult> {
    let (q, calibration) = QuantizedMlp::calibrated(mlp, config, method, calib, m)?;
    let predictions = q.predict(&test.features, test.n)?;
    Ok(MethodResult {
        config,
        method,
        accuracy: super::net::accuracy_of(&predictions, &test.labels),
        size: q.size().total(),
        layers: super::quant::layer_errors(mlp, &q, &test.features, test.n)?,
        calibration,
    })
}
