//! The Weight lab's state: everything in the URL ([`WeightLabState`]), the uploaded file
//! that stays in the page, why a tensor could not be had ([`WeightError`]), and
//! [`WeightState`], the signals every part of the page shares (a context, with the URL kept
//! in step).

use std::fmt;
use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::QuantError;
use quantlab_core::quantizer::{GranularityKind, Mode, Scheme};
use quantlab_core::weights::compare::SortKey;
use quantlab_core::weights::file::FileIndex;
use quantlab_core::weights::storage::ScaleDtype;
use quantlab_core::weights::synth::{SynthSpec, WeightDist};
use serde::{Deserialize, Serialize};

use crate::labs::Lab;
use crate::lang::Locale;
use crate::lang::fill::{fill, localize_numbers, td_string};
use crate::url::{read_state, write_state};
use crate::widgets::perf::mark as perf_mark;

/// Where the tensor comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum WeightSource {
    /// A seeded synthetic tensor.
    #[default]
    Synthetic,
    /// Sampled from a histogram drawn by hand (`bars`).
    Drawn,
    /// An uploaded `.safetensors` / `.npy` file (never in the URL; `tensor` names the pick).
    File,
    /// A layer of the model trained in the MLP lab (`dataset`, `layer`), handed over through
    /// the browser's storage ([`crate::handoff`]).
    Mlp,
}

/// Everything the Weight lab shows, as it appears in the URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeightLabState {
    /// Where the tensor comes from.
    pub source: WeightSource,
    /// Synthetic: the distribution.
    pub dist: WeightDist,
    /// Synthetic and drawn: rows.
    pub rows: usize,
    /// Synthetic and drawn: columns.
    pub cols: usize,
    /// Synthetic and drawn: seed.
    pub seed: u64,
    /// Synthetic: scale σ.
    pub sigma: f64,
    /// Synthetic: Student-t ν.
    pub nu: f64,
    /// Synthetic: bimodal mode distance (in σ).
    pub sep: f64,
    /// Synthetic: spread of the per-row log gains.
    pub spread: f64,
    /// Synthetic: how many input channels (columns) are outliers.
    pub outliers: usize,
    /// Synthetic: the gain of the outlier columns.
    pub outlier_gain: f64,
    /// Drawn: the bar heights, encoded (empty: a bell).
    pub bars: String,
    /// Drawn: the histogram covers `[−hist_range, hist_range]`.
    pub hist_range: f64,
    /// File: the name of the tensor studied.
    pub tensor: String,
    /// MLP lab link: the dataset.
    pub dataset: String,
    /// MLP lab link: the layer.
    pub layer: u32,
    /// The quantizer.
    pub scheme: Scheme,
    /// How scales are stored.
    pub scale_dtype: ScaleDtype,
    /// The channel or group worked through.
    pub group: usize,
    /// The weight of that group worked through.
    pub pick: usize,
    /// Histogram counts on a log scale.
    pub log: bool,
    /// Histogram bins.
    pub bins: usize,
    /// Packing view: bits per code (1, 2, 3, 4, 8).
    pub pack_bits: u32,
    /// Packing view: how many of the first weights.
    pub pack_n: usize,
    /// Comparison table: sort column.
    pub sort: SortKey,
    /// Comparison table: descending.
    pub desc: bool,
}

impl Default for WeightLabState {
    fn default() -> Self {
        let s = SynthSpec::default();
        WeightLabState {
            source: WeightSource::Synthetic,
            dist: s.dist,
            rows: s.rows,
            cols: s.cols,
            seed: s.seed,
            sigma: s.sigma,
            nu: s.nu,
            sep: s.sep,
            spread: s.spread,
            outliers: s.outliers,
            outlier_gain: s.outlier_gain,
            bars: String::new(),
            hist_range: 0.1,
            tensor: String::new(),
            dataset: String::new(),
            layer: 0,
            // int4, symmetric, groups of 128 (torchao's default group size).
            scheme: Scheme {
                bits: 4,
                mode: Mode::Sym,
                granularity: GranularityKind::Group,
                group_size: 128,
                ..Scheme::default()
            },
            scale_dtype: ScaleDtype::Fp16,
            group: 0,
            pick: 0,
            log: false,
            bins: 128,
            pack_bits: 4,
            pack_n: 16,
            sort: SortKey::Default,
            desc: false,
        }
    }
}

impl WeightLabState {
    /// The state an embed carries: a tensor that lives only in this browser (an uploaded file,
    /// the MLP lab's layer) cannot reach another page, so the embed shows the synthetic one.
    pub fn for_embed(&self) -> WeightLabState {
        let mut s = self.clone();
        if matches!(s.source, WeightSource::File | WeightSource::Mlp) {
            s.source = WeightSource::Synthetic;
        }
        s
    }

    /// The synthetic spec.
    pub fn spec(&self) -> SynthSpec {
        SynthSpec {
            dist: self.dist,
            rows: self.rows,
            cols: self.cols,
            seed: self.seed,
            sigma: self.sigma,
            nu: self.nu,
            sep: self.sep,
            spread: self.spread,
            outliers: self.outliers,
            outlier_gain: self.outlier_gain,
        }
    }

    /// The showcase of the rotation: this state with 8 outlier input channels (20× gain)
    /// in a synthetic normal tensor, quantized int4 symmetric in groups of 128.
    pub fn outlier_showcase(&self) -> WeightLabState {
        let d = WeightLabState::default();
        WeightLabState {
            source: WeightSource::Synthetic,
            dist: quantlab_core::weights::synth::WeightDist::Normal,
            rows: d.rows,
            cols: d.cols,
            outliers: 8,
            outlier_gain: quantlab_core::weights::synth::DEFAULT_OUTLIER_GAIN,
            scheme: Scheme {
                rotate: self.scheme.rotate,
                rotate_seed: self.scheme.rotate_seed,
                ..d.scheme
            },
            group: 0,
            ..self.clone()
        }
    }

    /// Only the fields that shape the tensor (the rest at their defaults), so other controls
    /// do not regenerate it.
    pub fn source_key(&self) -> WeightLabState {
        WeightLabState {
            source: self.source,
            dist: self.dist,
            rows: self.rows,
            cols: self.cols,
            seed: self.seed,
            sigma: self.sigma,
            nu: self.nu,
            sep: self.sep,
            spread: self.spread,
            outliers: self.outliers,
            outlier_gain: self.outlier_gain,
            bars: self.bars.clone(),
            hist_range: self.hist_range,
            dataset: self.dataset.clone(),
            layer: self.layer,
            ..WeightLabState::default()
        }
    }
}

/// A tensor the lab studies.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightTensor {
    /// Its name.
    pub name: String,
    /// Its shape (what is studied: the first rows of a large tensor).
    pub shape: Vec<usize>,
    /// The values, row-major.
    pub data: Vec<f32>,
}

/// Why the lab has no tensor or no result: kept typed until the view shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum WeightError {
    /// The core refused the tensor or the scheme.
    Quant(QuantError),
    /// The source is a file and none is loaded.
    NoFile,
    /// The MLP lab's layer is not in this browser's storage ([`crate::handoff`], in words).
    Handoff(String),
    /// A file's bytes are not a valid file of its format.
    File {
        /// File name.
        name: String,
        /// What the reader found.
        error: QuantError,
    },
    /// The browser could not cut a slice of the file.
    Unsliceable {
        /// File name.
        name: String,
    },
    /// The browser could not read the file.
    Unreadable {
        /// File name.
        name: String,
    },
    /// The file holds no tensor the lab reads.
    NoFloatTensor {
        /// File name.
        name: String,
    },
    /// A tensor of a dtype the lab does not read.
    Unsupported {
        /// Its dtype.
        dtype: String,
    },
    /// A figure is being studied in the page's worker.
    Pending,
    /// The page's worker refused the work (its words).
    Worker(String),
}

impl From<QuantError> for WeightError {
    fn from(e: QuantError) -> Self {
        WeightError::Quant(e)
    }
}

impl fmt::Display for WeightError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightError::Quant(e) => write!(f, "{e}"),
            WeightError::NoFile => f.write_str(
                "no file loaded: choose a .safetensors, .npy or .gguf file (an uploaded file never travels in a link)",
            ),
            WeightError::Handoff(e) => f.write_str(e),
            WeightError::File { name, error } => write!(f, "{name}: {error}"),
            WeightError::Unsliceable { name } => write!(f, "{name} could not be sliced"),
            WeightError::Unreadable { name } => write!(f, "{name} could not be read"),
            WeightError::NoFloatTensor { name } => {
                write!(f, "{name} holds no F32, F16, BF16 or F64 tensor")
            }
            WeightError::Unsupported { dtype } => write!(f, "{dtype} is not read"),
            WeightError::Pending => f.write_str("studying in the background…"),
            WeightError::Worker(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for WeightError {}

impl WeightError {
    /// The message in `locale` (the MLP hand-over's words stay in English).
    pub fn message(&self, locale: Locale) -> String {
        let l = locale;
        match self {
            WeightError::NoFile => td_string!(l, weight.err_no_file).to_string(),
            WeightError::Unsliceable { name } => {
                fill(td_string!(l, weight.err_unsliceable), &[("name", name)])
            }
            WeightError::Unreadable { name } => {
                fill(td_string!(l, weight.err_unreadable), &[("name", name)])
            }
            WeightError::NoFloatTensor { name } => {
                fill(td_string!(l, weight.err_no_float), &[("name", name)])
            }
            WeightError::Unsupported { dtype } => {
                fill(td_string!(l, weight.err_unsupported), &[("dtype", dtype)])
            }
            WeightError::Quant(e) => crate::lang::errors::quant_error(e, l),
            WeightError::File { name, error } => {
                format!("{name}: {}", crate::lang::errors::quant_error(error, l))
            }
            WeightError::Handoff(e) | WeightError::Worker(e) => e.clone(),
            WeightError::Pending => td_string!(l, weight.err_pending).to_string(),
        }
    }
}

/// What the progress line says while a file opens.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Reading the header of the named file.
    Header(String),
    /// Reading a tensor: its name and size (`1.00 MiB`).
    Reading(String, String),
    /// Quantizing `n` weights of the named tensor.
    Quantizing(usize, String),
}

impl Progress {
    /// The line in `locale`.
    pub fn message(&self, l: Locale) -> String {
        match self {
            Progress::Header(name) => fill(td_string!(l, weight.p_header), &[("name", name)]),
            Progress::Reading(name, size) => fill(
                td_string!(l, weight.p_reading),
                &[("name", name), ("size", &localize_numbers(size, l))],
            ),
            Progress::Quantizing(n, name) => fill(
                td_string!(l, weight.p_quantizing),
                &[("n", &n.to_string()), ("name", name)],
            ),
        }
    }
}

/// The lab's signals, shared by every part of the page as a context ([`WeightState::use_`]).
#[derive(Debug, Clone, Copy)]
pub struct WeightState {
    /// Everything in the URL.
    pub state: RwSignal<WeightLabState>,
    /// Where the tensor comes from.
    pub source: Memo<WeightSource>,
    /// The uploaded file's handle (it stays in the page).
    pub file: StoredValue<Option<web_sys::File>, LocalStorage>,
    /// The uploaded file's header.
    pub index: RwSignal<Option<Arc<FileIndex>>>,
    /// The uploaded file's name.
    pub file_name: RwSignal<String>,
    /// The tensor read from the file.
    pub loaded: RwSignal<Option<Arc<WeightTensor>>>,
    /// The last upload or read refused (the previous tensor stays).
    pub upload_error: RwSignal<Option<WeightError>>,
    /// What is being read, while it is.
    pub progress: RwSignal<Option<Progress>>,
    /// Uploads and tensor reads finished (loaded or refused): a readout tests wait on.
    pub attempts: RwSignal<u32>,
}

impl WeightState {
    /// The state of the current URL, with the parameters it ignored; the URL follows every
    /// later change.
    pub fn from_url() -> (WeightState, Vec<String>) {
        let (initial, warnings) = read_state::<WeightLabState>();
        let signals = WeightState::local(initial);
        let state = signals.state;
        Effect::new(move |_| state.with(|s| write_state(Lab::Weight, s)));
        (signals, warnings)
    }

    /// A state of its own for views hosted in another page (the lesson): it starts at
    /// `initial` and never touches the URL.
    pub fn local(initial: WeightLabState) -> WeightState {
        let state = RwSignal::new(initial);
        WeightState {
            state,
            source: Memo::new(move |_| state.with(|s| s.source)),
            file: StoredValue::new_local(None),
            index: RwSignal::new(None),
            file_name: RwSignal::new(String::new()),
            loaded: RwSignal::new(None),
            upload_error: RwSignal::new(None),
            progress: RwSignal::new(None),
            attempts: RwSignal::new(0),
        }
    }

    /// The signals provided by the page.
    pub fn use_() -> WeightState {
        expect_context()
    }

    /// Applies an edit of the user's to the URL state (timed from `wl-update-start`).
    pub fn set(self, f: impl FnOnce(&mut WeightLabState)) {
        perf_mark("wl-update-start");
        self.state.update(f);
    }

    /// An upload or read is over (loaded or refused).
    pub fn attempt_done(self) {
        self.progress.set(None);
        self.attempts.update(|a| *a += 1);
    }
}
