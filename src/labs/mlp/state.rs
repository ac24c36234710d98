//! The MLP lab's URL state and the pure checks between it and the core's training settings.

use quantlab_core::dataset::DatasetId;
use quantlab_core::mlp::{OptimizerKind, TrainConfig};
use serde::{Deserialize, Serialize};

/// Which data the lab trains on: a shipped set, or files the user loaded (never in the URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DataChoice {
    /// Fisher's Iris.
    #[default]
    Iris,
    /// Wine recognition.
    Wine,
    /// Breast Cancer Wisconsin.
    BreastCancer,
    /// Digits 8×8.
    Digits,
    /// The MNIST subset.
    Mnist,
    /// The Fashion-MNIST subset.
    FashionMnist,
    /// IDX or CIFAR-10 files uploaded by the user.
    Upload,
}

impl DataChoice {
    /// Every choice, in menu order.
    pub const ALL: [DataChoice; 7] = [
        DataChoice::Iris,
        DataChoice::Wine,
        DataChoice::BreastCancer,
        DataChoice::Digits,
        DataChoice::Mnist,
        DataChoice::FashionMnist,
        DataChoice::Upload,
    ];

    /// The shipped dataset, if it is one.
    pub fn builtin(self) -> Option<DatasetId> {
        match self {
            DataChoice::Iris => Some(DatasetId::Iris),
            DataChoice::Wine => Some(DatasetId::Wine),
            DataChoice::BreastCancer => Some(DatasetId::BreastCancer),
            DataChoice::Digits => Some(DatasetId::Digits),
            DataChoice::Mnist => Some(DatasetId::Mnist),
            DataChoice::FashionMnist => Some(DatasetId::FashionMnist),
            DataChoice::Upload => None,
        }
    }

    /// The URL id.
    pub fn id(self) -> &'static str {
        match self.builtin() {
            Some(d) => d.id(),
            None => "upload",
        }
    }

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self.builtin() {
            Some(d) => d.label(),
            None => "Your own files (IDX / CIFAR-10)",
        }
    }

    /// The training settings a fresh choice starts from: the core's per-dataset defaults;
    /// for uploads those of the MNIST subset without augmentation.
    pub fn defaults(self) -> TrainConfig {
        match self.builtin() {
            Some(d) => TrainConfig::for_dataset(d),
            None => TrainConfig {
                augment_shift: 0,
                ..TrainConfig::for_dataset(DatasetId::Mnist)
            },
        }
    }
}

/// Largest model the page trains: 4 million weights and biases.
pub const MAX_PARAMS: usize = 4_000_000;
/// Most epochs a run may ask for.
pub const MAX_EPOCHS: usize = 1000;
/// Largest mini-batch.
pub const MAX_BATCH: usize = 4096;

/// What is wrong with the training settings (its `Display` is the English sentence; the page
/// shows it in its language with `words::problem`).
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A hidden layer of 0 units.
    ZeroUnits,
    /// A hidden layer wider than 4,096.
    TooWide(usize),
    /// A hidden size that is not a whole number (quoted).
    NotASize(String),
    /// More than 8 hidden layers.
    TooManyLayers,
    /// Epochs out of 1 to [`MAX_EPOCHS`].
    Epochs(usize),
    /// Batch out of 1 to [`MAX_BATCH`].
    Batch(usize),
    /// A learning rate that is not above 0 and at most 10.
    LearningRate(f64),
    /// A shift above 4 pixels.
    Shift(u32),
    /// More than [`MAX_PARAMS`] weights and biases (`dims` like `784→128→10`).
    TooBig {
        /// The layer widths.
        dims: String,
        /// Weights and biases.
        params: usize,
    },
    /// The core's check (its words).
    Core(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::ZeroUnits => write!(f, "a hidden layer needs at least 1 unit, not 0"),
            Problem::TooWide(v) => write!(
                f,
                "a hidden layer of {v} units is more than the 4,096 this lab allows"
            ),
            Problem::NotASize(p) => write!(
                f,
                "hidden layer sizes are whole numbers separated by commas (like 128,64); \
                 {p} is not one"
            ),
            Problem::TooManyLayers => write!(f, "at most 8 hidden layers"),
            Problem::Epochs(v) => write!(f, "epochs must be 1 to {MAX_EPOCHS}, not {v}"),
            Problem::Batch(v) => write!(f, "the batch size must be 1 to {MAX_BATCH}, not {v}"),
            Problem::LearningRate(v) => write!(
                f,
                "the learning rate must be a number above 0 and at most 10, not {v}"
            ),
            Problem::Shift(v) => write!(f, "the augmentation shift is 0 to 4 pixels, not {v}"),
            Problem::TooBig { dims, params } => write!(
                f,
                "{dims} has {params} weights and biases; the page trains at most {MAX_PARAMS} \
                 (make the hidden layers smaller)"
            ),
            Problem::Core(e) => write!(f, "{e}"),
        }
    }
}

/// Everything the MLP lab's controls hold, as it appears in the URL (see `docs/url.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MlpLabState {
    /// The data.
    pub dataset: DataChoice,
    /// Hidden layer widths, comma-separated (`"128,64"`; empty = no hidden layer).
    pub hidden: String,
    /// `sgd` (with momentum) or `adam`.
    pub optimizer: OptimizerKind,
    /// Learning rate.
    pub lr: f64,
    /// SGD momentum.
    pub momentum: f64,
    /// Epochs.
    pub epochs: usize,
    /// Mini-batch size.
    pub batch: usize,
    /// Seed of the initial weights and the shuffles.
    pub seed: u64,
    /// Image sets: random shift of each training image by up to this many pixels.
    pub shift: u32,
    /// The configuration whose confusion matrix is shown (a core config id).
    pub cm: String,
}

impl Default for MlpLabState {
    fn default() -> Self {
        MlpLabState::for_choice(DataChoice::Iris)
    }
}

/// The URL parameters that [`MlpLabState::for_choice`] fills from the dataset's defaults.
pub const TRAINING_PARAMS: [&str; 7] = [
    "hidden",
    "optimizer",
    "lr",
    "momentum",
    "epochs",
    "batch",
    "shift",
];

impl MlpLabState {
    /// The state for a freshly chosen dataset: its default training settings, seed 0.
    pub fn for_choice(choice: DataChoice) -> MlpLabState {
        let d = choice.defaults();
        MlpLabState {
            dataset: choice,
            hidden: d
                .hidden
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()
                .join(","),
            optimizer: d.optimizer,
            lr: short(d.learning_rate),
            momentum: short(d.momentum),
            epochs: d.epochs,
            batch: d.batch_size,
            seed: d.seed,
            shift: d.augment_shift,
            cm: "w8a8".into(),
        }
    }

    /// Reads the state from a query string. Training settings the link does not name take
    /// the chosen dataset's defaults (so `?lab=mlp&dataset=mnist` trains MNIST with MNIST's
    /// settings, not Iris's).
    pub fn from_query(query: &str) -> (MlpLabState, Vec<String>) {
        let (parsed, warnings) = quantlab_core::url_state::from_query::<MlpLabState>(query);
        let present: Vec<String> = form_urlencoded_keys(query);
        let mut state = MlpLabState::for_choice(parsed.dataset);
        // A parameter counts when the link names it and its value was read.
        let has = |k: &str| {
            present.iter().any(|p| p == k)
                && !warnings
                    .iter()
                    .any(|w| w.starts_with(&format!("ignored {k}=")))
        };
        if has("hidden") {
            state.hidden = parsed.hidden;
        }
        if has("optimizer") {
            state.optimizer = parsed.optimizer;
        }
        if has("lr") {
            state.lr = parsed.lr;
        }
        if has("momentum") {
            state.momentum = parsed.momentum;
        }
        if has("epochs") {
            state.epochs = parsed.epochs;
        }
        if has("batch") {
            state.batch = parsed.batch;
        }
        if has("shift") {
            state.shift = parsed.shift;
        }
        state.seed = parsed.seed;
        state.cm = parsed.cm;
        (state, warnings)
    }

    /// The hidden widths, or a message naming what is wrong.
    pub fn hidden_sizes(&self) -> Result<Vec<usize>, Problem> {
        let text = self.hidden.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        text.split(',')
            .map(|p| {
                let p = p.trim();
                match p.parse::<usize>() {
                    Ok(0) => Err(Problem::ZeroUnits),
                    Ok(v) if v > 4096 => Err(Problem::TooWide(v)),
                    Ok(v) => Ok(v),
                    Err(_) => Err(Problem::NotASize(format!("{p:?}"))),
                }
            })
            .collect()
    }

    /// The core's training settings for data of `d` features and `classes` classes, checked
    /// (sizes, learning rate, epochs, batch, model size) — every problem as a sentence.
    pub fn train_config(&self, d: usize, classes: usize) -> Result<TrainConfig, Problem> {
        let hidden = self.hidden_sizes()?;
        if self.hidden.split(',').count() > 8 && !self.hidden.trim().is_empty() {
            return Err(Problem::TooManyLayers);
        }
        if self.epochs == 0 || self.epochs > MAX_EPOCHS {
            return Err(Problem::Epochs(self.epochs));
        }
        if self.batch == 0 || self.batch > MAX_BATCH {
            return Err(Problem::Batch(self.batch));
        }
        if !(self.lr.is_finite() && self.lr > 0.0 && self.lr <= 10.0) {
            return Err(Problem::LearningRate(self.lr));
        }
        if self.shift > 4 {
            return Err(Problem::Shift(self.shift));
        }
        let mut dims = vec![d];
        dims.extend(&hidden);
        dims.push(classes);
        let params: usize = dims.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
        if params > MAX_PARAMS {
            return Err(Problem::TooBig {
                dims: dims
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join("→"),
                params,
            });
        }
        let cfg = TrainConfig {
            hidden,
            optimizer: self.optimizer,
            learning_rate: self.lr as f32,
            momentum: self.momentum as f32,
            batch_size: self.batch,
            epochs: self.epochs,
            seed: self.seed,
            augment_shift: self.shift,
            ..self.dataset.defaults()
        };
        cfg.validate().map_err(|e| Problem::Core(e.to_string()))?;
        Ok(cfg)
    }
}

/// An `f32` setting as the shortest decimal that reads back as it (`0.01`, not
/// `0.009999999776482582`), for the URL and the inputs.
fn short(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(f64::from(v))
}

/// The parameter names of a query string.
fn form_urlencoded_keys(query: &str) -> Vec<String> {
    let q = query.strip_prefix('?').unwrap_or(query);
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| kv.split('=').next().unwrap_or_default().to_string())
        .collect()
}

/// The Weight lab link of layer `layer` of the model trained on `choice`.
pub fn weight_lab_link(choice: DataChoice, layer: usize) -> String {
    format!(
        "{}&source=mlp&dataset={}&layer={layer}",
        crate::labs::Lab::Weight.href(),
        choice.id()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_state_round_trips_through_the_url() {
        for choice in DataChoice::ALL {
            let s = MlpLabState::for_choice(choice);
            let q = quantlab_core::url_state::to_query(&s);
            let (back, w) = MlpLabState::from_query(&q);
            assert_eq!(back, s, "{q}");
            assert!(w.is_empty());
        }
    }

    #[test]
    fn a_link_naming_only_the_dataset_takes_that_datasets_settings() {
        let (s, _) = MlpLabState::from_query("?lab=mlp&dataset=mnist&seed=3");
        assert_eq!(s.dataset, DataChoice::Mnist);
        assert_eq!(s.hidden, "128");
        assert_eq!(s.optimizer, OptimizerKind::Sgd);
        assert_eq!(s.seed, 3);
        let (s, _) = MlpLabState::from_query("?lab=mlp&dataset=mnist&hidden=32,16&lr=0.1");
        assert_eq!((s.hidden.as_str(), s.lr), ("32,16", 0.1));
        assert_eq!(s.train_config(784, 10).unwrap().hidden, vec![32, 16]);
    }

    #[test]
    fn bad_settings_are_sentences_not_panics() {
        let base = MlpLabState::default();
        let check = |f: &dyn Fn(&mut MlpLabState), needle: &str| {
            let mut s = base.clone();
            f(&mut s);
            let e = s.train_config(4, 3).unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        };
        check(&|s| s.hidden = "100000".into(), "4,096");
        check(&|s| s.hidden = "16,abc".into(), "\"abc\"");
        check(&|s| s.hidden = "0".into(), "at least 1");
        check(&|s| s.lr = f64::NAN, "learning rate");
        check(&|s| s.lr = -1.0, "learning rate");
        check(&|s| s.epochs = 0, "epochs");
        check(&|s| s.batch = 0, "batch");
        check(&|s| s.momentum = 1.5, "momentum");
        let mut big = base.clone();
        big.hidden = "4096,4096".into();
        assert!(
            big.train_config(784, 10)
                .unwrap_err()
                .to_string()
                .contains("at most")
        );
        let mut none = base;
        none.hidden = " ".into();
        assert!(none.train_config(4, 3).unwrap().hidden.is_empty());
        let (s, w) = MlpLabState::from_query("?lab=mlp&lr=abc&epochs=-3");
        assert_eq!(s.lr, MlpLabState::default().lr);
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn weight_lab_links_name_source_dataset_and_layer() {
        assert_eq!(
            weight_lab_link(DataChoice::Digits, 1),
            "?lab=weight&source=mlp&dataset=digits&layer=1"
        );
    }
}
