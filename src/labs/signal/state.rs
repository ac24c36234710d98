//! The Signal lab's state: everything in the URL ([`SignalLabState`]), the uploaded file
//! that stays in the page, and [`SignalState`], the signals every part of the page shares
//! (a context, with the URL kept in step).

use std::fmt;
use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::QuantError;
use quantlab_core::quantizer::{Mode, Scheme, SchemeKind};
use quantlab_core::signal::{MAX_SAMPLES, SignalKind, SignalSpec, keep_samples};
use serde::{Deserialize, Serialize};

use crate::labs::Lab;
use crate::url::{read_state, write_state};

/// Where the signal comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A generator ([`SignalKind`]).
    #[default]
    Preset,
    /// Drawn by hand; the control points travel in the URL (`drawn`).
    Drawn,
    /// An uploaded file (stays on the machine; not in the URL).
    File,
}

/// Largest file accepted for upload.
pub const MAX_UPLOAD_BYTES: usize = 64 << 20;
/// Samples shown when a file is loaded (a window; N and start move it).
pub const DEFAULT_UPLOAD_WINDOW: usize = 16_384;

/// Everything the Signal lab shows, as it appears in the URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignalLabState {
    /// Where the signal comes from.
    pub source: SourceKind,
    /// The drawing, encoded ([`quantlab_core::drawn`]); empty when nothing was drawn.
    pub drawn: String,
    /// First sample of the window taken from an uploaded file.
    pub start: usize,
    /// Which generator.
    pub signal: SignalKind,
    /// Number of samples (1 to [`MAX_SAMPLES`]; a link asking for more is ignored with a
    /// warning).
    #[serde(deserialize_with = "quantlab_core::signal::deserialize_sample_count")]
    pub n: usize,
    /// Amplitude.
    pub amp: f64,
    /// Cycles per window (periodic signals).
    pub freq: f64,
    /// Noise seed.
    pub seed: u64,
    /// DC offset.
    pub offset: f64,
    /// Playback rate for listening, samples per second.
    pub rate: f64,
    /// Time-axis zoom factor (1 = the whole signal).
    pub zoom: f64,
    /// Time-axis position of the zoomed window, 0 (start) to 1 (end).
    pub pan: f64,
    /// The quantizer.
    pub scheme: Scheme,
    /// Compare mode: a second scheme on the same signal, side by side.
    pub compare: bool,
    /// The second scheme of compare mode (`cmp.`-prefixed in the URL).
    #[serde(rename = "cmp.")]
    pub cmp: Scheme,
}

impl Default for SignalLabState {
    fn default() -> Self {
        let spec = SignalSpec::default();
        SignalLabState {
            signal: spec.kind,
            n: spec.n,
            amp: spec.amp,
            freq: spec.freq,
            seed: spec.seed,
            offset: spec.offset,
            source: SourceKind::Preset,
            drawn: String::new(),
            start: 0,
            rate: 8000.0,
            zoom: 1.0,
            pan: 0.0,
            // The course formula is the page's starting point.
            scheme: Scheme {
                bits: 3,
                mode: Mode::AsymFloat,
                ..Scheme::default()
            },
            compare: false,
            // Linear against μ-law, the classic pairing; bits follow the main scheme when
            // compare mode is switched on.
            cmp: Scheme {
                scheme: SchemeKind::MuLaw,
                bits: 3,
                ..Scheme::default()
            },
        }
    }
}

impl SignalLabState {
    /// The generator's settings.
    pub fn spec(&self) -> SignalSpec {
        SignalSpec {
            kind: self.signal,
            n: self.n,
            amp: self.amp,
            freq: self.freq,
            seed: self.seed,
            offset: self.offset,
        }
    }

    /// Only the fields that shape the input signal (the rest at their defaults), so other
    /// controls do not regenerate it.
    pub fn source_key(&self) -> SignalLabState {
        SignalLabState {
            source: self.source,
            drawn: self.drawn.clone(),
            start: self.start,
            signal: self.signal,
            n: self.n,
            amp: self.amp,
            freq: self.freq,
            seed: self.seed,
            offset: self.offset,
            ..SignalLabState::default()
        }
    }

    /// The state a link carries: an uploaded file cannot travel, so a link made while a file
    /// is the source opens on the preset (the page says so next to the Share box).
    pub fn for_link(&self) -> SignalLabState {
        let mut s = self.clone();
        if s.source == SourceKind::File {
            s.source = SourceKind::Preset;
            s.start = 0;
        }
        s
    }
}

/// An uploaded signal, kept in the page only.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// File name.
    pub name: String,
    /// All samples (mono).
    pub samples: Vec<f32>,
    /// Sample rate, for WAV files.
    pub rate: Option<u32>,
    /// The file's sample count when it held more than [`MAX_SAMPLES`] and only the first
    /// `MAX_SAMPLES` were kept.
    pub cut_from: Option<usize>,
    /// The decimal separator a CSV/text file was read with.
    pub decimal: Option<quantlab_core::io::csv::Decimal>,
}

/// Why an uploaded file was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadError {
    /// The file has no bytes.
    Empty {
        /// File name.
        name: String,
    },
    /// The file is over [`MAX_UPLOAD_BYTES`].
    TooLarge {
        /// File name.
        name: String,
        /// Its size in MB, as shown.
        mb: u64,
    },
    /// The browser could not read the file.
    Unreadable {
        /// File name.
        name: String,
    },
    /// The format is not one the lab reads.
    Format(QuantError),
    /// A file of weights, not a signal.
    Weights,
    /// The file is not a valid file of its format.
    Read {
        /// File name.
        name: String,
        /// What the reader found.
        error: QuantError,
    },
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadError::Empty { name } => write!(f, "{name} is empty"),
            UploadError::TooLarge { name, mb } => write!(
                f,
                "{name} is {mb} MB: the Signal lab takes files up to {} MB",
                MAX_UPLOAD_BYTES >> 20
            ),
            UploadError::Unreadable { name } => write!(f, "{name} could not be read"),
            UploadError::Format(e) => write!(f, "{e}"),
            UploadError::Weights => {
                f.write_str("a .safetensors file holds weights: open it in the Weight lab")
            }
            UploadError::Read { name, error } => write!(f, "{name}: {error}"),
        }
    }
}

impl std::error::Error for UploadError {}

/// Reads an uploaded file (WAV, CSV/text, `.npy`) into a mono signal.
pub fn read_upload(name: &str, bytes: &[u8]) -> Result<Upload, UploadError> {
    use quantlab_core::io;
    if bytes.is_empty() {
        return Err(UploadError::Empty { name: name.into() });
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(UploadError::TooLarge {
            name: name.into(),
            mb: (bytes.len() >> 20) as u64,
        });
    }
    let read = |error| UploadError::Read {
        name: name.into(),
        error,
    };
    let mut decimal = None;
    let (tensor, rate) = match io::Format::detect(name, bytes).map_err(UploadError::Format)? {
        io::Format::Wav => {
            let (t, r) = io::wav::read_with_rate(bytes).map_err(read)?;
            (t, Some(r))
        }
        io::Format::Safetensors => return Err(UploadError::Weights),
        io::Format::Csv => {
            let (t, d) = io::csv::read_with_decimal(bytes).map_err(read)?;
            decimal = Some(d);
            (t, None)
        }
        f => (io::read(bytes, f, None).map_err(read)?, None),
    };
    let (samples, cut_from) = keep_samples(tensor.data);
    Ok(Upload {
        name: name.to_string(),
        samples,
        rate,
        cut_from,
        decimal,
    })
}

/// The window of an upload the lab works on: `n` samples from `start` (both clamped), and
/// whether it was trimmed.
pub fn upload_window(up: &Upload, start: usize, n: usize) -> (&[f32], bool) {
    let total = up.samples.len();
    let n = n.clamp(1, MAX_SAMPLES).min(total);
    let start = start.min(total - n);
    (&up.samples[start..start + n], n < total)
}

/// The `[a, b)` index range shown for a zoom factor (≥ 1) and a position in `[0, 1]`.
pub fn visible_window(n: usize, zoom: f64, pan: f64) -> (usize, usize) {
    if n == 0 {
        return (0, 0);
    }
    let zoom = if zoom.is_finite() { zoom.max(1.0) } else { 1.0 };
    let len = ((n as f64 / zoom).round() as usize).clamp(2.min(n), n);
    let pan = if pan.is_finite() {
        pan.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let a = ((n - len) as f64 * pan).round() as usize;
    (a, a + len)
}

/// The lab's signals, shared by every part of the page as a context ([`SignalState::use_`]).
#[derive(Debug, Clone, Copy)]
pub struct SignalState {
    /// Everything in the URL.
    pub state: RwSignal<SignalLabState>,
    /// The uploaded file (never in the URL).
    pub upload: RwSignal<Option<Arc<Upload>>>,
    /// The last upload refused (the previous signal stays).
    pub upload_error: RwSignal<Option<UploadError>>,
    /// Where the signal comes from, as a memo: views keyed on it are not rebuilt on every
    /// change.
    pub source: Memo<SourceKind>,
    /// The views a host shows (the lesson's figures); `None`: the lab's own page.
    pub only: Option<&'static [&'static str]>,
}

impl SignalState {
    /// The state of the current URL, with the parameters it ignored; the URL follows every
    /// later change.
    pub fn from_url() -> (SignalState, Vec<String>) {
        let (initial, warnings) = read_state::<SignalLabState>();
        let state = RwSignal::new(initial);
        Effect::new(move |_| state.with(|s| write_state(Lab::Signal, &s.for_link())));
        let signals = SignalState {
            state,
            upload: RwSignal::new(None),
            upload_error: RwSignal::new(None),
            source: Memo::new(move |_| state.with(|s| s.source)),
            only: None,
        };
        (signals, warnings)
    }

    /// A state of its own for a figure hosted in another page (the lesson): it starts at
    /// `initial`, never touches the URL, and shows only the views `only`.
    pub fn local(initial: SignalLabState, only: &'static [&'static str]) -> SignalState {
        let state = RwSignal::new(initial);
        SignalState {
            state,
            upload: RwSignal::new(None),
            upload_error: RwSignal::new(None),
            source: Memo::new(move |_| state.with(|s| s.source)),
            only: Some(only),
        }
    }

    /// Whether the view `id` is part of this page at all (a hosted figure leaves the others
    /// out instead of hiding them).
    pub fn hosts(self, id: &str) -> bool {
        self.only.is_none_or(|o| o.contains(&id))
    }

    /// The signals provided by the page.
    pub fn use_() -> SignalState {
        expect_context()
    }

    /// Applies an edit to the URL state.
    pub fn set(self, f: impl FnOnce(&mut SignalLabState)) {
        self.state.update(f);
    }

    /// Whether the view `id` is shown (an embed shows only the views its link names).
    pub fn shown(self, id: &str) -> bool {
        self.hosts(id) && (self.only.is_some() || crate::widgets::embed::params().shows_view(id))
    }
}
