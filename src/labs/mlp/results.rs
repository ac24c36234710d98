//! What the MLP lab shows after training: every configuration's accuracy, size, confusion
//! matrix and per-layer error against fp32, and the int16 accumulator demo — computed here,
//! purely, from the trained model and the test set.

use std::sync::Arc;

use quantlab_core::metrics;
use quantlab_core::mlp::{
    AccumulatorReport, LayerError, Mlp, ModelSize, QuantConfig, QuantizedMlp, accuracy_of,
    argmax_rows, confusion_matrix,
};

use super::data::LoadedData;
use super::state::DataChoice;

/// A trained model with its data and every quantized configuration, shared with the views
/// (and through `MlpContext` with any other panel, such as a GPU one).
#[derive(Debug, Clone)]
pub struct TrainedModel {
    /// The data it was trained on.
    pub choice: DataChoice,
    /// The standardised data (the test set is `data.split.test`).
    pub data: Arc<LoadedData>,
    /// The fp32 model.
    pub mlp: Mlp,
    /// The model in every configuration of [`QuantConfig::ALL`], in that order.
    pub quantized: Vec<QuantizedMlp>,
    /// Epochs trained.
    pub epochs_done: usize,
    /// Whether training was stopped before the last epoch.
    pub stopped: bool,
}

impl TrainedModel {
    /// Quantizes `mlp` in every configuration.
    pub fn new(
        choice: DataChoice,
        data: Arc<LoadedData>,
        mlp: Mlp,
        epochs_done: usize,
        stopped: bool,
    ) -> Result<TrainedModel, String> {
        let quantized = QuantConfig::ALL
            .iter()
            .map(|&c| QuantizedMlp::new(&mlp, c).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrainedModel {
            choice,
            data,
            mlp,
            quantized,
            epochs_done,
            stopped,
        })
    }

    /// The model in `config`, if it is one of [`QuantConfig::ALL`].
    pub fn get(&self, config: QuantConfig) -> Option<&QuantizedMlp> {
        self.quantized.iter().find(|q| q.config == config)
    }

    /// The W8A8 (per-channel weights, per-token activations) model.
    pub fn w8a8(&self) -> Option<&QuantizedMlp> {
        self.get(QuantConfig::W8A8)
    }
}

/// The course's table across datasets: `(dataset, [(config id, accuracy)])` per dataset.
pub type SessionRows = Vec<(String, Vec<(String, f32)>)>;

/// One configuration measured on the test set.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigResult {
    /// The configuration.
    pub config: QuantConfig,
    /// Test accuracy in `[0, 1]`.
    pub accuracy: f32,
    /// Storage in bytes.
    pub size: ModelSize,
    /// Confusion matrix, rows = true class.
    pub confusion: Vec<u32>,
    /// Each layer's output error against fp32.
    pub layers: Vec<LayerError>,
}

/// The data-testid of a configuration's accuracy cell: the course's four have the short ids
/// the issue names (`acc-fp32`, `acc-w8`, `acc-w4` for W4 g128, `acc-w8a8`), the others
/// `acc-<config id>`.
pub fn acc_testid(config: QuantConfig) -> String {
    if config == QuantConfig::W4_G128 {
        "acc-w4".into()
    } else {
        format!("acc-{}", config.id())
    }
}

/// The fp32 model's layer outputs on the test set (the reference for every configuration).
pub fn reference(model: &TrainedModel) -> Result<Vec<Vec<f32>>, String> {
    let t = &model.data.split.test;
    model
        .mlp
        .forward_layers(&t.features, t.n)
        .map_err(|e| e.to_string())
}

/// Measures configuration number `i` (of [`QuantConfig::ALL`]) on the test set.
pub fn evaluate_one(
    model: &TrainedModel,
    i: usize,
    reference: &[Vec<f32>],
) -> Result<ConfigResult, String> {
    let q = model
        .quantized
        .get(i)
        .ok_or_else(|| format!("no configuration {i}"))?;
    let t = &model.data.split.test;
    let outs = q
        .forward_layers(&t.features, t.n)
        .map_err(|e| e.to_string())?;
    let logits = outs.last().ok_or("the model has no layers")?;
    let predictions = argmax_rows(logits, t.classes);
    let layers = reference
        .iter()
        .zip(&outs)
        .enumerate()
        .map(|(layer, (r, g))| LayerError {
            layer,
            snr_db: metrics::snr_db(r, g),
            mse: metrics::mse(r, g),
            max_abs_error: metrics::max_abs_error(r, g),
        })
        .collect();
    Ok(ConfigResult {
        config: q.config,
        accuracy: accuracy_of(&predictions, &t.labels),
        size: q.size(),
        confusion: confusion_matrix(&predictions, &t.labels, t.classes),
        layers,
    })
}

/// Every configuration measured (the page computes them one at a time between frames).
pub fn evaluate_all(model: &TrainedModel) -> Result<Vec<ConfigResult>, String> {
    let r = reference(model)?;
    (0..model.quantized.len())
        .map(|i| evaluate_one(model, i, &r))
        .collect()
}

/// The int16 accumulator demo of the W8A8 model on the test set.
pub fn int16_demo(model: &TrainedModel) -> Result<Vec<AccumulatorReport>, String> {
    let q = model.w8a8().ok_or("no W8A8 model")?;
    let t = &model.data.split.test;
    q.int16_accumulators(&t.features, t.n)
        .map_err(|e| e.to_string())
}

/// Softmax probabilities of one row of logits.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let m = logits.iter().fold(f32::NEG_INFINITY, |a, &v| a.max(v));
    let e: Vec<f32> = logits.iter().map(|&v| (v - m).exp()).collect();
    let s: f32 = e.iter().sum();
    e.iter().map(|v| v / s.max(f32::MIN_POSITIVE)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(not(target_arch = "wasm32"))]
    use quantlab_core::dataset::{DatasetId, Scaling, Split};
    #[cfg(not(target_arch = "wasm32"))]
    use quantlab_core::mlp::Trainer;

    #[cfg(not(target_arch = "wasm32"))]
    fn iris_model() -> TrainedModel {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/datasets");
        let split: Split = DatasetId::Iris.load_from_dir(&dir, 42).unwrap();
        let data = Arc::new(LoadedData::new(
            "Iris".into(),
            split,
            Scaling::PerFeature,
            vec![],
        ));
        let state = super::super::state::MlpLabState::default();
        let cfg = state.train_config(4, 3).unwrap();
        let mut t = Trainer::new(cfg, data.split.train.clone(), None).unwrap();
        t.run().unwrap();
        TrainedModel::new(DataChoice::Iris, data, t.into_model(), 30, false).unwrap()
    }

    // Reads the dataset from disk: native only.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_iris_defaults_give_the_course_table_with_w8_and_w8a8_near_fp32() {
        let m = iris_model();
        let rows = evaluate_all(&m).unwrap();
        assert_eq!(rows.len(), QuantConfig::ALL.len());
        let acc = |c: QuantConfig| rows.iter().find(|r| r.config == c).unwrap().accuracy;
        assert!(acc(QuantConfig::FP32) >= 0.93, "{}", acc(QuantConfig::FP32));
        assert!((acc(QuantConfig::W8) - acc(QuantConfig::FP32)).abs() <= 0.01 + 1e-6);
        assert!((acc(QuantConfig::W8A8) - acc(QuantConfig::FP32)).abs() <= 0.01 + 1e-6);
        let fp32 = &rows[0];
        assert!(fp32.layers.iter().all(|l| l.snr_db == f64::INFINITY));
        assert_eq!(fp32.confusion.iter().sum::<u32>(), 45);
        assert!(rows[1].size.total() < fp32.size.total());
        assert_eq!(int16_demo(&m).unwrap().len(), 2);
        assert_eq!(acc_testid(QuantConfig::W4_G128), "acc-w4");
        assert_eq!(acc_testid(QuantConfig::W8A8), "acc-w8a8");
    }

    #[test]
    fn softmax_sums_to_one() {
        let p = softmax(&[1.0, 2.0, 3.0]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(p[2] > p[1]);
    }
}
