//! The Signal lab's pipeline: source → scheme → quantize → metrics, as pure functions
//! ([`input_signal`], [`quantize_signal`]) and as memos ([`Pipeline`]), so each figure
//! recomputes only when what it depends on changes.
//!
//! [`quantize_signal`] fits, quantizes and measures through the core's one study
//! ([`quantlab_core::study::study_signal`]), the same one the command line uses.

use std::fmt;
use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::QuantError;
use quantlab_core::analysis::{self, ClipTradeoff, Histogram, LevelPoint};
use quantlab_core::linear::AffineParams;
use quantlab_core::metrics::Metrics;
use quantlab_core::quantizer::Scheme;
use quantlab_core::signal::generate;
use quantlab_core::study::study_signal;

use super::figures::{self, SnrBits, Transfer};
use super::state::{SignalLabState, SignalState, SourceKind, Upload, upload_window};
use crate::widgets::perf::{mark as perf_mark, timed};

/// Why the lab has no result: kept typed until the view shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum SignalError {
    /// The core refused the signal or the scheme.
    Quant(QuantError),
    /// A drawn signal asked for a number of samples out of range.
    SamplesOutOfRange {
        /// The number asked for.
        n: usize,
    },
    /// The source is a file and none is loaded.
    NoFile,
}

impl From<QuantError> for SignalError {
    fn from(e: QuantError) -> Self {
        SignalError::Quant(e)
    }
}

impl fmt::Display for SignalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignalError::Quant(e) => write!(f, "{e}"),
            SignalError::SamplesOutOfRange { n } => write!(
                f,
                "N = {n} is out of range: 1 to {}",
                quantlab_core::signal::MAX_SAMPLES
            ),
            SignalError::NoFile => {
                f.write_str("no file loaded yet: choose a WAV, CSV or .npy file")
            }
        }
    }
}

impl std::error::Error for SignalError {}

impl SignalError {
    /// The message in `locale`.
    pub fn text(&self, locale: crate::lang::Locale) -> String {
        use leptos_i18n::td_string;
        match self {
            SignalError::Quant(e) => crate::lang::errors::quant_error(e, locale),
            SignalError::SamplesOutOfRange { n } => crate::tdf!(
                locale,
                signal.err_samples_range,
                n = n,
                max = crate::lang::numbers::localize(
                    &quantlab_core::signal::MAX_SAMPLES.to_string(),
                    locale
                )
            ),
            SignalError::NoFile => td_string!(locale, signal.err_no_file).to_string(),
        }
    }
}

/// A result of the pipeline, or why there is none.
pub type SignalOutcome<T> = Result<Arc<T>, SignalError>;

/// One computed quantization of the lab's signal.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalResult {
    /// `x[n]`.
    pub input: Vec<f32>,
    /// `Q(x[n])`.
    pub quantized: Vec<f32>,
    /// `e(n) = x[n] − Q(x[n])`.
    pub error: Vec<f32>,
    /// The figures.
    pub metrics: Metrics,
    /// Scale, zero-point and code range (linear schemes only).
    pub params: Option<AffineParams>,
    /// Distinct reconstruction levels.
    pub levels: Vec<f32>,
    /// The scheme (for the formula text).
    pub scheme: Scheme,
    /// Code width in bits.
    pub bits: u32,
    /// Storage cost including scales, in bits per value.
    pub bits_per_value: f64,
    /// Range of the data.
    pub x_min: f64,
    /// Range of the data.
    pub x_max: f64,
}

/// The input signal of `state`: generated, drawn, or a window of the upload.
pub fn input_signal(
    state: &SignalLabState,
    upload: Option<&Upload>,
) -> Result<Vec<f32>, SignalError> {
    match state.source {
        SourceKind::Preset => Ok(generate(&state.spec())?),
        SourceKind::Drawn => {
            let points = if state.drawn.is_empty() {
                vec![0.0; quantlab_core::drawn::DRAWN_POINTS]
            } else {
                quantlab_core::drawn::decode(&state.drawn)?
            };
            if state.n == 0 || state.n > quantlab_core::signal::MAX_SAMPLES {
                return Err(SignalError::SamplesOutOfRange { n: state.n });
            }
            let x = quantlab_core::drawn::resample(&points, state.n)?;
            Ok(x.into_iter()
                .map(|v| (f64::from(v) * state.amp + state.offset) as f32)
                .collect())
        }
        SourceKind::File => match upload {
            Some(up) if !up.samples.is_empty() => {
                Ok(upload_window(up, state.start, state.n).0.to_vec())
            }
            _ => Err(SignalError::NoFile),
        },
    }
}

/// Generates the signal and quantizes it: the whole pipeline behind the page, pure.
pub fn compute(state: &SignalLabState) -> Result<SignalResult, SignalError> {
    compute_with(state, None)
}

/// [`compute`] with an uploaded file available.
pub fn compute_with(
    state: &SignalLabState,
    upload: Option<&Upload>,
) -> Result<SignalResult, SignalError> {
    Ok(quantize_signal(input_signal(state, upload)?, state.scheme)?)
}

/// Fits `scheme` to `input`, quantizes it and measures the result: the second half of
/// [`compute_with`], also used for the second scheme of compare mode. The work is the
/// core's one study ([`study_signal`]); this keeps the figures the page shows.
pub fn quantize_signal(input: Vec<f32>, scheme: Scheme) -> Result<SignalResult, QuantError> {
    let study = study_signal(&input, &[], &scheme)?;
    Ok(SignalResult {
        bits_per_value: study.bits_per_value,
        levels: study.levels,
        quantized: study.reconstruction,
        error: study.error,
        metrics: study.metrics,
        params: study.params,
        scheme: study.scheme,
        bits: study.code_bits,
        x_min: study.x_min,
        x_max: study.x_max,
        input,
    })
}

/// A future that resolves on a later task (a short timer): lets the page paint and handle
/// input between pieces of background work.
async fn idle_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The pipeline as memos, shared by the canvases and the views as a context
/// ([`Pipeline::use_`]).
#[derive(Debug, Clone, Copy)]
pub struct Pipeline {
    /// The input signal.
    pub input: Memo<SignalOutcome<Vec<f32>>>,
    /// The main scheme.
    pub scheme: Memo<Scheme>,
    /// The main scheme's result.
    pub result: Memo<SignalOutcome<SignalResult>>,
    /// Compare mode on.
    pub compare: Memo<bool>,
    /// Compare mode's scheme.
    pub cmp_scheme: Memo<Scheme>,
    /// Compare mode's result.
    pub result_b: Memo<SignalOutcome<SignalResult>>,
    /// The transfer staircase.
    pub transfer: Memo<SignalOutcome<Transfer>>,
    /// The error histogram.
    pub error_hist: Memo<SignalOutcome<Histogram>>,
    /// SNR against bits.
    pub snr_bits: Memo<SignalOutcome<SnrBits>>,
    /// The companding figure's (bits, μ).
    pub level_key: Memo<(u32, f64)>,
    /// The companding curve.
    pub level_curve: Memo<SignalOutcome<Vec<LevelPoint>>>,
    /// This signal's point on the companding figure.
    pub level_point: Memo<Option<LevelPoint>>,
    /// The rounding/clipping sweep.
    pub clip: Memo<SignalOutcome<ClipTradeoff>>,
}

/// Runs a figure's computation, timed as `ql-step-<name>`.
fn step<T>(name: &str, f: impl FnOnce() -> Result<T, QuantError>) -> SignalOutcome<T> {
    Ok(Arc::new(timed(name, f)?))
}

impl Pipeline {
    /// The memos of the page's state.
    pub fn new(st: SignalState) -> Pipeline {
        let state = st.state;
        let upload = st.upload;
        // Only the source's own settings regenerate the input.
        let source_key = Memo::new(move |_| {
            perf_mark("ql-update-start");
            state.with(SignalLabState::source_key)
        });
        let input = Memo::new(move |_| {
            let up = upload.get();
            source_key
                .with(|s| timed("input", || input_signal(s, up.as_deref())))
                .map(Arc::new)
        });
        let scheme = Memo::new(move |_| state.with(|s| s.scheme));
        let result = Memo::new(move |_| {
            let x = input.get()?;
            step("quantize", || quantize_signal(x.to_vec(), scheme.get()))
        });
        let compare = Memo::new(move |_| state.with(|s| s.compare));
        let cmp_scheme = Memo::new(move |_| state.with(|s| s.cmp));
        let result_b = Memo::new(move |_| {
            let x = input.get()?;
            step("quantize-b", || {
                quantize_signal(x.to_vec(), cmp_scheme.get())
            })
        });
        let transfer = Memo::new(move |_| {
            let x = input.get()?;
            step("transfer", || figures::transfer(&x, &scheme.get()))
        });
        let error_hist = Memo::new(move |_| {
            let r = result.get()?;
            step("error-hist", || figures::error_histogram(&r))
        });
        // SNR against bits sweeps every width: keyed on the scheme without its bits.
        let scheme_any_bits = Memo::new(move |_| Scheme {
            bits: 0,
            ..scheme.get()
        });
        let snr_bits = Memo::new(move |_| {
            let x = input.get()?;
            step("snr-bits", || figures::snr_bits(&x, &scheme_any_bits.get()))
        });
        let level_key = Memo::new(move |_| figures::companding_params(&scheme.get()));
        let level_curve = companding_curves(level_key);
        let level_point = Memo::new(move |_| {
            let x = input.get().ok()?;
            let (bits, mu) = level_key.get();
            timed("level-point", || analysis::level_point(&x, bits, mu)).ok()
        });
        let clip = Memo::new(move |_| {
            let x = input.get()?;
            step("clip", || figures::clip(&x, &scheme.get()))
        });
        Pipeline {
            input,
            scheme,
            result,
            compare,
            cmp_scheme,
            result_b,
            transfer,
            error_hist,
            snr_bits,
            level_key,
            level_curve,
            level_point,
            clip,
        }
    }

    /// The pipeline provided by the page.
    pub fn use_() -> Pipeline {
        expect_context()
    }
}

/// The companding curve of `level_key`. It depends only on (bits, μ): computed once per
/// pair and kept; while the page is idle, the curves of every other bit width at this μ
/// are filled in, one width per task, so moving the bits slider never waits for it.
fn companding_curves(level_key: Memo<(u32, f64)>) -> Memo<SignalOutcome<Vec<LevelPoint>>> {
    type Cache = Vec<((u32, u64), Arc<Vec<LevelPoint>>)>;
    let level_cache = StoredValue::new(Cache::new());
    let cached_curve = move |bits: u32, mu: f64| -> SignalOutcome<Vec<LevelPoint>> {
        let key = (bits, mu.to_bits());
        if let Some(hit) =
            level_cache.with_value(|c| c.iter().find(|e| e.0 == key).map(|e| e.1.clone()))
        {
            return Ok(hit);
        }
        let curve = step("snr-level", || figures::companding_curve(bits, mu))?;
        level_cache.update_value(|c| {
            if c.len() >= 64 {
                c.remove(0);
            }
            c.push((key, curve.clone()));
        });
        Ok(curve)
    };
    Effect::new(move |_| {
        let (_, mu) = level_key.get();
        wasm_bindgen_futures::spawn_local(async move {
            for bits in 1..=16 {
                idle_tick().await;
                if level_key
                    .try_get_untracked()
                    .is_none_or(|k| k.1.to_bits() != mu.to_bits())
                {
                    return;
                }
                let _ = cached_curve(bits, mu);
            }
        });
    });
    Memo::new(move |_| {
        let (bits, mu) = level_key.get();
        cached_curve(bits, mu)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quantlab_core::quantizer::{Mode, SchemeKind};
    use quantlab_core::study::smallest_step;

    #[test]
    fn the_default_state_computes_and_round_trips_through_the_url() {
        let s = SignalLabState::default();
        let r = compute(&s).unwrap();
        assert_eq!(r.metrics.levels, 8);
        let q = quantlab_core::url_state::to_query(&s);
        let (back, w) = quantlab_core::url_state::from_query::<SignalLabState>(&q);
        assert_eq!(back, s);
        assert!(w.is_empty());
    }

    #[test]
    fn one_sample_limit_for_links_and_uploads() {
        use crate::labs::signal::state::read_upload;
        use quantlab_core::signal::MAX_SAMPLES;
        // A link asking for more than the limit is ignored in words; the limit itself is taken.
        let (s, w) = quantlab_core::url_state::from_query::<SignalLabState>(&format!(
            "n={}",
            MAX_SAMPLES + 1
        ));
        assert_eq!(s.n, SignalLabState::default().n);
        assert_eq!(
            w,
            vec![format!("ignored n={}: not a valid value", MAX_SAMPLES + 1)]
        );
        let (s, w) =
            quantlab_core::url_state::from_query::<SignalLabState>(&format!("n={MAX_SAMPLES}"));
        assert_eq!((s.n, w.len()), (MAX_SAMPLES, 0));
        // A file longer than the limit is cut to it, and the upload says from how many.
        let csv = "0.25\n".repeat(MAX_SAMPLES + 3);
        let up = read_upload("long.csv", csv.as_bytes()).unwrap();
        assert_eq!(up.samples.len(), MAX_SAMPLES);
        assert_eq!(up.cut_from, Some(MAX_SAMPLES + 3));
        let up = read_upload("short.csv", b"0.25\n0.5\n").unwrap();
        assert_eq!((up.samples.len(), up.cut_from), (2, None));
        // The window follows N up to the same limit.
        let state = SignalLabState {
            source: SourceKind::File,
            n: MAX_SAMPLES,
            ..SignalLabState::default()
        };
        let long = read_upload("long.csv", csv.as_bytes()).unwrap();
        assert_eq!(
            input_signal(&state, Some(&long)).unwrap().len(),
            MAX_SAMPLES
        );
    }

    #[test]
    fn a_bad_setting_is_an_error_message_not_a_panic() {
        let mut s = SignalLabState::default();
        s.scheme.bits = 1;
        s.scheme.mode = Mode::Sym;
        assert!(
            compute(&s)
                .unwrap_err()
                .to_string()
                .contains("at least 2 bits")
        );
        s.n = 0;
        assert!(compute(&s).is_err());
        let drawn = SignalLabState {
            source: SourceKind::Drawn,
            n: 0,
            ..SignalLabState::default()
        };
        assert_eq!(
            compute(&drawn).unwrap_err(),
            SignalError::SamplesOutOfRange { n: 0 }
        );
        let file = SignalLabState {
            source: SourceKind::File,
            ..SignalLabState::default()
        };
        assert!(
            compute(&file)
                .unwrap_err()
                .to_string()
                .starts_with("no file loaded yet")
        );
    }

    #[test]
    fn every_scheme_computes_on_the_default_signal_with_its_levels() {
        for kind in SchemeKind::ALL {
            let mut s = SignalLabState::default();
            s.scheme.scheme = kind;
            let (lo, hi) = kind.bits_range();
            s.scheme.bits = s.scheme.bits.clamp(lo, hi);
            let r = compute(&s).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert!(!r.levels.is_empty(), "{kind:?}");
            assert!(r.metrics.snr_db > 0.0, "{kind:?}");
            for l in [crate::lang::Locale::en, crate::lang::Locale::pt_BR] {
                assert!(!super::super::formulas::scale_formula(&r, l).is_empty());
            }
        }
    }

    #[test]
    fn smallest_step_of_non_uniform_levels() {
        assert_eq!(smallest_step(&[-1.0, -0.25, 0.0, 1.0]), 0.25);
        assert_eq!(smallest_step(&[0.5]), 0.0);
    }

    #[test]
    fn a_zero_signal_has_infinite_snr_and_zero_error() {
        let s = SignalLabState {
            amp: 0.0,
            ..SignalLabState::default()
        };
        let r = compute(&s).unwrap();
        assert_eq!(r.metrics.snr_db, f64::INFINITY);
        assert_eq!(r.metrics.mse, 0.0);
    }
}
