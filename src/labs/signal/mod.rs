//! The Signal lab: generate a signal, quantize it, and see `x[n]`, `Q(x[n])`, e(n) and the
//! figures, live.

pub mod audio;
pub mod draw;
pub mod figures;

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use quantlab_core::analysis::{self, LevelPoint};
use quantlab_core::linear::{AffineParams, LinearQuantizer};
use quantlab_core::metrics::Metrics;
use quantlab_core::quantizer::{Fp8Format, Mode, Quantizer, Scheme, SchemeKind};
use quantlab_core::signal::{SignalKind, SignalSpec, generate};
use serde::{Deserialize, Serialize};

use crate::charts::{self, SignalChart};
use crate::format::{fixed, num};
use crate::url::{parse_id, read_state, write_state};
use crate::widgets::perf::{draw_on, mark as perf_mark, measure as perf_measure, timed};
use crate::widgets::scheme_controls::SchemeControls;

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
/// Longest uploaded signal kept (longer ones are trimmed to a window).
pub const MAX_UPLOAD_SAMPLES: usize = 1 << 18;

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
    /// Number of samples.
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
    /// Embed mode: only the chosen views and a link back.
    pub embed: bool,
    /// Views shown in embed mode, comma-separated ids of [`figures::VIEWS`].
    pub views: String,
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
            embed: false,
            views: "signal,error".into(),
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
    fn spec(&self) -> SignalSpec {
        SignalSpec {
            kind: self.signal,
            n: self.n,
            amp: self.amp,
            freq: self.freq,
            seed: self.seed,
            offset: self.offset,
        }
    }
}

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

/// An uploaded signal, kept in the page only.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// File name.
    pub name: String,
    /// All samples (mono).
    pub samples: Vec<f32>,
    /// Sample rate, for WAV files.
    pub rate: Option<u32>,
}

/// Reads an uploaded file (WAV, CSV/text, `.npy`) into a mono signal.
pub fn read_upload(name: &str, bytes: &[u8]) -> Result<Upload, String> {
    use quantlab_core::io;
    if bytes.is_empty() {
        return Err(format!("{name} is empty"));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(format!(
            "{name} is {} MB: the Signal lab takes files up to {} MB",
            bytes.len() >> 20,
            MAX_UPLOAD_BYTES >> 20
        ));
    }
    let format = io::Format::detect(name, bytes).map_err(|e| e.to_string())?;
    let (tensor, rate) = match format {
        io::Format::Wav => {
            let (t, r) = io::wav::read_with_rate(bytes).map_err(|e| format!("{name}: {e}"))?;
            (t, Some(r))
        }
        io::Format::Safetensors => {
            return Err("a .safetensors file holds weights: open it in the Weight lab".into());
        }
        f => (
            io::read(bytes, f, None).map_err(|e| format!("{name}: {e}"))?,
            None,
        ),
    };
    Ok(Upload {
        name: name.to_string(),
        samples: tensor.data,
        rate,
    })
}

/// The window of an upload the lab works on: `n` samples from `start` (both clamped), and
/// whether it was trimmed.
pub fn upload_window(up: &Upload, start: usize, n: usize) -> (&[f32], bool) {
    let total = up.samples.len();
    let n = n.clamp(1, MAX_UPLOAD_SAMPLES).min(total);
    let start = start.min(total - n);
    (&up.samples[start..start + n], n < total)
}

/// The input signal of `state`: generated, drawn, or a window of the upload.
pub fn input_signal(state: &SignalLabState, upload: Option<&Upload>) -> Result<Vec<f32>, String> {
    match state.source {
        SourceKind::Preset => generate(&state.spec()).map_err(|e| e.to_string()),
        SourceKind::Drawn => {
            let points = if state.drawn.is_empty() {
                vec![0.0; quantlab_core::drawn::DRAWN_POINTS]
            } else {
                quantlab_core::drawn::decode(&state.drawn).map_err(|e| e.to_string())?
            };
            if state.n == 0 || state.n > quantlab_core::signal::MAX_SAMPLES {
                return Err(format!(
                    "N = {} is out of range: 1 to {}",
                    state.n,
                    quantlab_core::signal::MAX_SAMPLES
                ));
            }
            let x = quantlab_core::drawn::resample(&points, state.n).map_err(|e| e.to_string())?;
            Ok(x.into_iter()
                .map(|v| (f64::from(v) * state.amp + state.offset) as f32)
                .collect())
        }
        SourceKind::File => match upload {
            Some(up) if !up.samples.is_empty() => {
                Ok(upload_window(up, state.start, state.n).0.to_vec())
            }
            _ => Err("no file loaded yet: choose a WAV, CSV or .npy file".into()),
        },
    }
}

/// Generates the signal and quantizes it: the whole pipeline behind the page, pure.
pub fn compute(state: &SignalLabState) -> Result<SignalResult, String> {
    compute_with(state, None)
}

/// [`compute`] with an uploaded file available.
pub fn compute_with(
    state: &SignalLabState,
    upload: Option<&Upload>,
) -> Result<SignalResult, String> {
    quantize_signal(input_signal(state, upload)?, state.scheme)
}

/// Quantizes `input` with `scheme`: the second half of [`compute_with`], also used for the
/// second scheme of compare mode.
pub fn quantize_signal(input: Vec<f32>, scheme: Scheme) -> Result<SignalResult, String> {
    // The linear scheme is fitted directly so its scale and zero-point can be shown.
    let (q, params): (Box<dyn Quantizer>, Option<AffineParams>) = match scheme.scheme {
        SchemeKind::Linear => {
            let lq = LinearQuantizer::fit(&input, &[], &scheme).map_err(|e| e.to_string())?;
            let p = lq.params.first().copied();
            (Box::new(lq), p)
        }
        _ => (scheme.fit(&input, &[]).map_err(|e| e.to_string())?, None),
    };
    let quantized = q.quantize_dequantize(&input).map_err(|e| e.to_string())?;
    let error: Vec<f32> = input.iter().zip(&quantized).map(|(a, b)| a - b).collect();
    let levels = q.levels();
    let bits = scheme.code_bits();
    let (step, count) = match params {
        Some(p) => (p.scale, p.num_codes()),
        None => (smallest_step(&levels), levels.len()),
    };
    let metrics =
        Metrics::compute(&input, &quantized, bits, step, count).map_err(|e| e.to_string())?;
    let (x_min, x_max) = input
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |m, &v| {
            (m.0.min(f64::from(v)), m.1.max(f64::from(v)))
        });
    Ok(SignalResult {
        bits_per_value: q.bits_per_value(),
        levels,
        input,
        quantized,
        error,
        metrics,
        params,
        scheme,
        bits,
        x_min,
        x_max,
    })
}

/// The smallest gap between adjacent levels: the finest step of a non-uniform quantizer
/// (0 when there is a single level).
pub fn smallest_step(levels: &[f32]) -> f64 {
    let smallest = levels
        .windows(2)
        .map(|w| f64::from(w[1]) - f64::from(w[0]))
        .filter(|d| *d > 0.0)
        .fold(f64::INFINITY, f64::min);
    if smallest.is_finite() { smallest } else { 0.0 }
}

/// The quantizer's formula with its live numbers substituted.
pub fn scale_formula(r: &SignalResult) -> String {
    let l = 1u64 << r.bits;
    let absmax = r.x_max.abs().max(r.x_min.abs());
    let sc = &r.scheme;
    let Some(p) = r.params else {
        return match sc.scheme {
            SchemeKind::MuLaw => format!(
                "x_c = sign(x)·ln(1 + μ|x|)/ln(1 + μ), μ = {};  Δc = 2/(L − 1) = 2/{} = {};  Q = sign(Q_c)·((1 + μ)^|Q_c| − 1)/μ  (x normalised by max|x| = {})",
                num(sc.mu),
                l - 1,
                num(2.0 / (l - 1).max(1) as f64),
                num(absmax)
            ),
            SchemeKind::ALaw => format!(
                "A-law, A = {}: x_c = A|x|/(1 + ln A) for |x| < 1/A, else (1 + ln(A|x|))/(1 + ln A);  Δc = 2/(L − 1) = {};  (x normalised by max|x| = {})",
                num(sc.a_law),
                num(2.0 / (l - 1).max(1) as f64),
                num(absmax)
            ),
            SchemeKind::MuLawG711 | SchemeKind::ALawG711 => format!(
                "G.711 8-bit codec: x scaled so max|x| = {} ↦ 32767, then 8 segments × 16 steps, step doubling per segment; {} levels",
                num(absmax),
                r.levels.len()
            ),
            SchemeKind::Log2 => format!(
                "levels ±2^k · max|x| (k ≤ 0), max|x| = {};  {} bits = sign + exponent;  {} levels",
                num(absmax),
                r.bits,
                r.levels.len()
            ),
            SchemeKind::Nf4 => format!(
                "NF4: 16 NormalFloat levels × absmax of each block of {};  bits/value = 4 + 32/{}{} = {}",
                sc.block_size,
                sc.block_size,
                if sc.double_quant {
                    " (scales double-quantized to 8 bits)"
                } else {
                    ""
                },
                num(r.bits_per_value)
            ),
            SchemeKind::Fp4 | SchemeKind::Fp8 => format!(
                "scale = max|x| / max_format = {} / {};  x̂ = scale · round_to_format(x / scale), saturating",
                num(absmax),
                if sc.scheme == SchemeKind::Fp4 {
                    "6"
                } else if sc.fp8 == Fp8Format::E4m3 {
                    "448"
                } else {
                    "57344"
                }
            ),
            SchemeKind::Fp16 | SchemeKind::Bf16 => format!(
                "x̂ = {}(x): round to nearest even, saturating;  smallest step here {}",
                if sc.scheme == SchemeKind::Fp16 {
                    "fp16"
                } else {
                    "bf16"
                },
                num(r.metrics.step)
            ),
            SchemeKind::Q8_0 | SchemeKind::Q4_0 | SchemeKind::Q4_1 => format!(
                "ggml {}: blocks of 32 values with an fp16 scale{};  bits/value = {}",
                sc.scheme.id(),
                if sc.scheme == SchemeKind::Q4_1 {
                    " and fp16 minimum"
                } else {
                    ""
                },
                num(r.bits_per_value)
            ),
            _ => format!(
                "{} levels; smallest step {}",
                r.levels.len(),
                num(r.metrics.step)
            ),
        };
    };
    let s = num(p.scale);
    match sc.mode {
        Mode::AsymFloat => format!(
            "L = 2^{b} = {l};  Δ = (x_max − x_min)/(L − 1) = ({} − {})/{} = {s};  Q(x) = Δ·round((x − x_min)/Δ) + x_min",
            num(r.x_max),
            num(r.x_min),
            l - 1,
            b = r.bits
        ),
        Mode::Sym => format!(
            "S = max|x|/(2^(b−1) − 1) = {}/{} = {s};  Z = {};  q = clamp(round(x/S) + Z, {}, {});  x̂ = S·(q − Z)",
            num(absmax),
            (l / 2).saturating_sub(1),
            num(p.zero_point),
            p.qmin,
            p.qmax
        ),
        Mode::Asym => format!(
            "S = (max − min)/(q_max − q_min) = ({} − {})/{} = {s};  Z = q_min − round(min/S) = {};  q = clamp(round(x/S) + Z, {}, {});  x̂ = S·(q − Z)",
            num(r.x_max.max(0.0)),
            num(r.x_min.min(0.0)),
            p.qmax - p.qmin,
            num(p.zero_point),
            p.qmin,
            p.qmax
        ),
        Mode::MidRise => format!(
            "Δ = 2·max|x|/2^b = 2·{}/{l} = {s};  levels at (k + ½)·Δ;  q = clamp(round(x/Δ − ½), {}, {})",
            num(absmax),
            p.qmin,
            p.qmax
        ),
    }
}

/// Samples shown when a file is loaded (a window; N and start move it).
pub const DEFAULT_UPLOAD_WINDOW: usize = 16_384;

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

/// `views` with `id` switched on or off (comma-separated, in [`figures::VIEWS`] order).
pub fn toggle_view(views: &str, id: &str, on: bool) -> String {
    figures::VIEWS
        .iter()
        .map(|v| v.0)
        .filter(|&v| {
            if v == id {
                on
            } else {
                views.split(',').any(|w| w.trim() == v)
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One analysis figure of the page: its view id, canvas height, texts and CSV export.
struct FigureSpec {
    id: &'static str,
    height: u32,
    caption: &'static str,
    aria: &'static str,
    formula: Box<dyn Fn() -> String + Send + Sync>,
    csv: Box<dyn Fn() -> Option<String> + Send + Sync>,
    visible: Box<dyn Fn() -> bool + Send + Sync>,
    drawable: Box<dyn Fn() -> bool + Send + Sync>,
}

/// Compare mode's figure: the visible window of both results side by side, each titled with
/// its scheme and SNR.
fn draw_compare<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    a: &SignalResult,
    b: &SignalResult,
    lo: usize,
    hi: usize,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| format!("{e:?}"))?;
    let (w, _) = root.dim_in_pixel();
    let (left, right) = root.split_horizontally(w / 2);
    for (area, r, name) in [(left, a, "A"), (right, b, "B")] {
        let (title, body) = area.split_vertically(24);
        title
            .draw_text(
                &format!(
                    "{name}: {} — SNR {} dB",
                    figures::scheme_name(&r.scheme),
                    fixed(r.metrics.snr_db, 2)
                ),
                &("sans-serif", 13).into_font().color(&BLACK),
                (10, 5),
            )
            .map_err(|e| format!("{e:?}"))?;
        let hi = hi.min(r.input.len());
        let lo = lo.min(hi);
        charts::draw_signal(
            &body,
            &SignalChart {
                input: &r.input[lo..hi],
                quantized: &r.quantized[lo..hi],
                levels: &r.levels,
                start: lo,
            },
        )?;
    }
    Ok(())
}

/// The Signal lab page.
#[component]
pub fn SignalLab() -> impl IntoView {
    let (initial, warnings) = read_state::<SignalLabState>();
    let state = RwSignal::new(initial);
    let upload = RwSignal::new(None::<Arc<Upload>>);
    let upload_error = RwSignal::new(None::<String>);
    // The pipeline, as memos: each figure recomputes only when what it depends on changes.
    // Only the source's own settings regenerate the input.
    let source_key = Memo::new(move |_| {
        perf_mark("ql-update-start");
        state.with(|s| SignalLabState {
            source: s.source,
            drawn: s.drawn.clone(),
            start: s.start,
            signal: s.signal,
            n: s.n,
            amp: s.amp,
            freq: s.freq,
            seed: s.seed,
            offset: s.offset,
            ..SignalLabState::default()
        })
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
        timed("quantize", || quantize_signal(x.to_vec(), scheme.get())).map(Arc::new)
    });
    let compare = Memo::new(move |_| state.with(|s| s.compare));
    let cmp_scheme = Memo::new(move |_| state.with(|s| s.cmp));
    let result_b = Memo::new(move |_| {
        let x = input.get()?;
        timed("quantize-b", || {
            quantize_signal(x.to_vec(), cmp_scheme.get())
        })
        .map(Arc::new)
    });
    let transfer = Memo::new(move |_| {
        let x = input.get()?;
        timed("transfer", || figures::transfer(&x, &scheme.get())).map(Arc::new)
    });
    let error_hist = Memo::new(move |_| {
        let r = result.get()?;
        timed("error-hist", || figures::error_histogram(&r)).map(Arc::new)
    });
    // SNR against bits sweeps every width: keyed on the scheme without its bits.
    let scheme_any_bits = Memo::new(move |_| Scheme {
        bits: 0,
        ..scheme.get()
    });
    let snr_bits = Memo::new(move |_| {
        let x = input.get()?;
        timed("snr-bits", || figures::snr_bits(&x, &scheme_any_bits.get())).map(Arc::new)
    });
    // The companding curve depends only on (bits, μ): computed once per pair and kept.
    let level_key = Memo::new(move |_| figures::companding_params(&scheme.get()));
    let level_cache = StoredValue::new(Vec::<((u32, u64), Arc<Vec<LevelPoint>>)>::new());
    let cached_curve = move |bits: u32, mu: f64| -> Result<Arc<Vec<LevelPoint>>, String> {
        let key = (bits, mu.to_bits());
        if let Some(hit) =
            level_cache.with_value(|c| c.iter().find(|e| e.0 == key).map(|e| e.1.clone()))
        {
            return Ok(hit);
        }
        let curve = Arc::new(timed("snr-level", || figures::companding_curve(bits, mu))?);
        level_cache.update_value(|c| {
            if c.len() >= 64 {
                c.remove(0);
            }
            c.push((key, curve.clone()));
        });
        Ok(curve)
    };
    let level_curve = Memo::new(move |_| {
        let (bits, mu) = level_key.get();
        cached_curve(bits, mu)
    });
    // While the page is idle, fill the cache for every other bit width at this μ, one width
    // per task, so moving the bits slider never waits for the figure.
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
    let level_point = Memo::new(move |_| {
        let x = input.get().ok()?;
        let (bits, mu) = level_key.get();
        timed("level-point", || analysis::level_point(&x, bits, mu)).ok()
    });
    let clip = Memo::new(move |_| {
        let x = input.get()?;
        timed("clip", || figures::clip(&x, &scheme.get())).map(Arc::new)
    });

    Effect::new(move |_| state.with(|s| write_state(crate::labs::Lab::Signal, s)));

    let canvases: [(&'static str, NodeRef<Canvas>); 8] =
        figures::VIEWS.map(|(id, _)| (id, NodeRef::new()));
    let canvas = move |id: &str| {
        canvases
            .iter()
            .find(|c| c.0 == id)
            .map(|c| c.1)
            .unwrap_or_default()
    };
    let shown =
        move |id: &str| state.with(|s| !s.embed || s.views.split(',').any(|v| v.trim() == id));
    // One effect draws every visible figure, in order, and closes the `ql-update` measure;
    // a figure whose data did not change is not redrawn.
    // Each entry holds the data last drawn (so its address cannot be reused) and a key of
    // the other inputs (window, bits, marker).
    type Drawn = (Arc<dyn std::any::Any + Send + Sync>, u64);
    let drawn = StoredValue::new(std::collections::HashMap::<&'static str, Drawn>::new());
    let fresh = move |id: &'static str, data: Arc<dyn std::any::Any + Send + Sync>, key: u64| {
        drawn
            .try_update_value(|d| {
                let same = d
                    .get(id)
                    .is_some_and(|(old, k)| Arc::ptr_eq(old, &data) && *k == key);
                d.insert(id, (data, key));
                !same
            })
            .unwrap_or(true)
    };
    Effect::new(move |_| {
        let (zoom, pan) = state.with(|s| (s.zoom, s.pan));
        if let Ok(r) = result.get() {
            let (a, b) = visible_window(r.input.len(), zoom, pan);
            let key = ((a as u64) << 32) ^ b as u64;
            if shown("signal")
                && fresh("signal", r.clone(), key)
                && let Some(c) = canvas("signal").get()
            {
                draw_on(&c, |root| {
                    charts::draw_signal(
                        root,
                        &SignalChart {
                            input: &r.input[a..b],
                            quantized: &r.quantized[a..b],
                            levels: &r.levels,
                            start: a,
                        },
                    )
                });
            }
            if shown("error")
                && fresh("error", r.clone(), key)
                && let Some(c) = canvas("error").get()
            {
                draw_on(&c, |root| {
                    charts::draw_error(root, &r.error[a..b], r.metrics.step, a)
                });
            }
            if shown("compare")
                && compare.get()
                && let Ok(rb) = result_b.get()
                && let Some(c) = canvas("compare").get()
            {
                let both: Arc<dyn std::any::Any + Send + Sync> = Arc::new((r.clone(), rb.clone()));
                let same = drawn.with_value(|d| {
                    d.get("compare")
                        .and_then(|(old, k)| {
                            old.downcast_ref::<(Arc<SignalResult>, Arc<SignalResult>)>()
                                .map(|(oa, ob)| {
                                    Arc::ptr_eq(oa, &r) && Arc::ptr_eq(ob, &rb) && *k == key
                                })
                        })
                        .unwrap_or(false)
                });
                if !same && fresh("compare", both, key) {
                    draw_on(&c, |root| draw_compare(root, &r, &rb, a, b));
                }
            }
        }
        if shown("transfer")
            && let Ok(t) = transfer.get()
            && fresh("transfer", t.clone(), 0)
            && let Some(c) = canvas("transfer").get()
        {
            draw_on(&c, |root| {
                charts::views::draw_transfer(
                    root,
                    &charts::views::TransferChart {
                        curve: &t.curve,
                        histogram: &t.histogram,
                    },
                )
            });
        }
        if shown("error-hist")
            && let Ok(h) = error_hist.get()
            && let Ok(r) = result.get()
            && fresh("error-hist", h.clone(), 0)
            && let Some(c) = canvas("error-hist").get()
        {
            draw_on(&c, |root| {
                charts::views::draw_error_histogram(root, &h, r.metrics.step)
            });
        }
        if shown("snr-bits")
            && let Ok(sb) = snr_bits.get()
        {
            let bits = scheme.get().code_bits();
            if fresh("snr-bits", sb.clone(), u64::from(bits))
                && let Some(c) = canvas("snr-bits").get()
            {
                draw_on(&c, |root| {
                    charts::views::draw_snr_vs_bits(
                        root,
                        &charts::views::SnrBitsChart {
                            measured: &sb.measured,
                            theory: &sb.theory,
                            current_bits: Some(bits),
                        },
                    )
                });
            }
        }
        if shown("snr-level")
            && let Ok(curve) = level_curve.get()
        {
            let current = level_point.get();
            let key = current.map_or(0, |p| {
                p.level_db.to_bits()
                    ^ p.snr_mulaw.to_bits().rotate_left(17)
                    ^ p.snr_linear.to_bits().rotate_left(41)
            });
            if fresh("snr-level", curve.clone(), key)
                && let Some(c) = canvas("snr-level").get()
            {
                draw_on(&c, |root| {
                    charts::views::draw_snr_vs_level(
                        root,
                        &charts::views::LevelChart {
                            curve: &curve,
                            current,
                        },
                    )
                });
            }
        }
        if shown("clip")
            && let Ok(t) = clip.get()
            && fresh("clip", t.clone(), 0)
            && let Some(c) = canvas("clip").get()
        {
            draw_on(&c, |root| charts::views::draw_clip_tradeoff(root, &t));
        }
        perf_measure("ql-update", "ql-update-start");
    });

    let set = move |f: &dyn Fn(&mut SignalLabState)| state.update(|s| f(s));
    let readout = move |f: fn(&SignalResult) -> String| {
        move || result.with(|r| r.as_ref().map(|r| f(r)).unwrap_or_else(|_| "—".into()))
    };
    let is_noise = move || state.with(|s| s.signal.is_random());
    let uses_freq = move || state.with(|s| s.signal.uses_freq());
    // A memo, so views keyed on the source (the drawing pad) are not rebuilt on every change.
    let source_memo = Memo::new(move |_| state.with(|s| s.source));
    let source = move || source_memo.get();
    let embed = state.with_untracked(|s| s.embed);

    // Listening.
    let playing = StoredValue::new_local(None::<audio::Playing>);
    let audio_status = RwSignal::new(String::from("stopped"));
    let stop = move || {
        if let Some(p) = playing.try_update_value(|p| p.take()).flatten() {
            p.stop();
        }
        audio_status.set("stopped".into());
    };
    let play = move |what: &'static str| {
        stop();
        let Ok(r) = result.get_untracked() else {
            return;
        };
        let samples = match what {
            "x" => audio::normalised(&r.input, &r.input),
            "q" => audio::normalised(&r.quantized, &r.input),
            _ => audio::normalised(&r.error, &r.error),
        };
        let rate = state.with_untracked(|s| s.rate) as f32;
        match audio::play(&samples, rate) {
            Ok(p) => {
                audio_status.set(format!("playing {what} ({})", p.state()));
                playing.set_value(Some(p));
            }
            Err(e) => audio_status.set(format!("cannot play: {e}")),
        }
    };

    // Upload.
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let name = file.name();
        if file.size() > MAX_UPLOAD_BYTES as f64 {
            upload_error.set(Some(format!(
                "{name} is {:.0} MB: the Signal lab takes files up to {} MB; the previous signal stays",
                file.size() / 1048576.0,
                MAX_UPLOAD_BYTES >> 20
            )));
            return;
        }
        wasm_bindgen_futures::spawn_local(async move {
            let bytes = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
                Err(_) => {
                    upload_error.set(Some(format!("{name} could not be read")));
                    return;
                }
            };
            match read_upload(&name, &bytes) {
                Ok(up) => {
                    let total = up.samples.len();
                    let rate = up.rate;
                    upload.set(Some(Arc::new(up)));
                    upload_error.set(None);
                    state.update(|s| {
                        s.source = SourceKind::File;
                        s.start = 0;
                        s.n = total.min(DEFAULT_UPLOAD_WINDOW);
                        if let Some(r) = rate {
                            s.rate = f64::from(r);
                        }
                    });
                }
                Err(e) => upload_error.set(Some(format!("{e}; the previous signal stays"))),
            }
        });
    };

    // Share and embed.
    let embed_snippet = move || {
        let query = state.with(|s| {
            let mut e = s.clone();
            e.embed = true;
            quantlab_core::url_state::to_query(&e)
        });
        let base = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .map(|h| h.split('?').next().unwrap_or_default().to_string())
            .unwrap_or_default();
        format!(
            "<iframe src=\"{base}?lab=signal&amp;{}\" width=\"960\" height=\"640\" style=\"border:0\" title=\"quantlab: signal lab\" loading=\"lazy\"></iframe>",
            query.replace('&', "&amp;")
        )
    };
    let copied = RwSignal::new(String::new());
    let copy_snippet = move |_| {
        let text = embed_snippet();
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
        }
        copied.set("Copied.".into());
    };
    let export_csv = move |_| {
        if let Ok(r) = result.get_untracked() {
            let text =
                crate::widgets::export::csv(&["x", "q", "e"], &[&r.input, &r.quantized, &r.error]);
            let _ = crate::widgets::export::text_file(&text, "text/csv", "quantlab-signal.csv");
        }
    };

    let figure = move |f: FigureSpec| {
        let FigureSpec {
            id,
            height,
            caption,
            aria,
            formula,
            csv,
            visible,
            drawable,
        } = f;
        let visible = Arc::new(visible);
        let shown_now = {
            let v = visible.clone();
            move || shown(id) && v()
        };
        let png = move |_| {
            let _ = crate::widgets::export::canvas_png(
                &format!("{id}-canvas"),
                &format!("quantlab-{id}.png"),
            );
        };
        let save_csv = move |_| {
            if let Some(text) = csv() {
                let _ = crate::widgets::export::text_file(
                    &text,
                    "text/csv",
                    &format!("quantlab-{id}.csv"),
                );
            }
        };
        view! {
            <figure class="view" class:hidden=move || !shown_now() data-view=id>
                <canvas node_ref=canvas(id) data-testid=format!("{id}-canvas") width="960" height=height class:hidden=move || !drawable()
                    role="img" aria-label=aria></canvas>
                <figcaption>{caption}
                    <span class="formula" data-testid=format!("formula-{id}")>{formula}</span>
                </figcaption>
                <div class="buttons figure-exports" class:hidden=embed>
                    <button type="button" data-testid=format!("export-{id}-png") on:click=png>"PNG"</button>
                    <button type="button" data-testid=format!("export-{id}-csv") on:click=save_csv>"CSV"</button>
                </div>
            </figure>
        }
    };

    view! {
        <section class="lab signal-lab" class:embed=embed aria-labelledby="signal-lab-title">
            <h2 id="signal-lab-title" class:hidden=embed>"Signal lab"</h2>
            {embed.then(|| view! {
                <p class="embed-link"><a data-testid="open-in-quantlab" target="_blank" rel="noopener"
                    href=move || state.with(|s| {
                        let mut full = s.clone();
                        full.embed = false;
                        format!("?lab=signal&{}", quantlab_core::url_state::to_query(&full))
                    })>"open in quantlab ↗"</a></p>
            })}
            {(!warnings.is_empty()).then(|| view! {
                <p class="notice" role="status">{format!("Some link parameters were ignored: {}", warnings.join("; "))}</p>
            })}
            <div class="lab-body">
                <form class="controls" class:hidden=embed on:submit=|ev| ev.prevent_default()>
                    <fieldset>
                        <legend>"Signal"</legend>
                        <label>"Source "
                            <select data-testid="source" on:change=move |ev| {
                                if let Some(k) = parse_id::<SourceKind>(&event_target_value(&ev)) {
                                    set(&|s| s.source = k);
                                }
                            }>
                                <option value="preset" selected=move || source() == SourceKind::Preset>"Preset"</option>
                                <option value="drawn" selected=move || source() == SourceKind::Drawn>"Draw by hand"</option>
                                <option value="file" selected=move || source() == SourceKind::File>"Upload a file"</option>
                            </select>
                        </label>
                        <label class:hidden=move || source() != SourceKind::File>"File "
                            <input type="file" data-testid="upload" accept=".wav,.csv,.txt,.npy,audio/wav,text/csv,text/plain"
                                on:change=on_file/>
                        </label>
                        {move || upload_error.get().map(|e| view! {
                            <p class="error" role="alert" data-testid="upload-error">{e}</p>
                        })}
                        {move || (source() == SourceKind::File).then(|| upload.with(|u| match u {
                            Some(up) => {
                                let (w, trimmed) = state.with(|s| {
                                    let (w, t) = upload_window(up, s.start, s.n);
                                    (w.len(), t)
                                });
                                view! {
                                    <p class="notice" data-testid="upload-info">
                                        {format!("{}: {} samples{}{}", up.name, up.samples.len(),
                                            up.rate.map(|r| format!(" at {r} Hz")).unwrap_or_default(),
                                            if trimmed { format!("; showing a window of {w} (set N and the start to move it)") } else { String::new() })}
                                    </p>
                                }.into_any()
                            }
                            None => view! { <p class="notice">"No file loaded. Nothing you load leaves this machine."</p> }.into_any(),
                        }))}
                        <label class:hidden=move || source() != SourceKind::File>"Window start "
                            <input type="number" data-testid="start" min="0" step="1"
                                prop:value=move || state.with(|s| s.start.to_string())
                                on:change=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).trim().parse::<usize>() {
                                        set(&|s| s.start = v);
                                    }
                                }/>
                        </label>
                        <div class:hidden=move || source() != SourceKind::Preset>
                        <label>"Preset "
                            <select data-testid="signal" on:change=move |ev| {
                                if let Some(k) = parse_id::<SignalKind>(&event_target_value(&ev)) {
                                    set(&|s| s.signal = k);
                                }
                            }>
                                {SignalKind::ALL.iter().map(|&k| view! {
                                    <option value=k.id() selected=move || state.with(|s| s.signal == k)>{k.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        </div>
                        <label>"Samples N "
                            <input type="number" data-testid="n" min="1" max="1048576" step="1"
                                prop:value=move || state.with(|s| s.n.to_string())
                                on:change=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).trim().parse::<usize>() {
                                        set(&|s| s.n = v);
                                    }
                                }/>
                        </label>
                        <label class:hidden=move || source() == SourceKind::File>"Amplitude "
                            <input type="range" data-testid="amp" min="0" max="2" step="0.01"
                                prop:value=move || state.with(|s| s.amp.to_string())
                                on:input=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                        set(&|s| s.amp = v);
                                    }
                                }/>
                            <output>{move || state.with(|s| fixed(s.amp, 2))}</output>
                        </label>
                        <label class:hidden=move || source() == SourceKind::File>"Offset "
                            <input type="range" data-testid="offset" min="-1" max="1" step="0.01"
                                prop:value=move || state.with(|s| s.offset.to_string())
                                on:input=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                        set(&|s| s.offset = v);
                                    }
                                }/>
                            <output>{move || state.with(|s| fixed(s.offset, 2))}</output>
                        </label>
                        <label class:hidden=move || !uses_freq() || source() != SourceKind::Preset>{move || if state.with(|s| s.signal == SignalKind::SpeechBursts) { "Bursts " } else { "Cycles per window " }}
                            <input type="number" data-testid="freq" min="0" max="100000" step="0.1"
                                prop:value=move || state.with(|s| s.freq.to_string())
                                on:change=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                                        set(&|s| s.freq = v);
                                    }
                                }/>
                        </label>
                        <label class:hidden=move || !is_noise() || source() != SourceKind::Preset>"Seed "
                            <input type="number" data-testid="seed" min="0" step="1"
                                prop:value=move || state.with(|s| s.seed.to_string())
                                on:change=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() {
                                        set(&|s| s.seed = v);
                                    }
                                }/>
                        </label>
                    </fieldset>
                    <fieldset>
                        <legend>"Quantizer"</legend>
                        <SchemeControls prefix="" scheme=Signal::derive(move || state.with(|s| s.scheme))
                            edit=move |f: &dyn Fn(&mut Scheme)| state.update(|s| f(&mut s.scheme))/>
                    </fieldset>
                    <fieldset>
                        <legend>"Compare"</legend>
                        <label>
                            <input type="checkbox" data-testid="compare"
                                prop:checked=move || compare.get()
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    state.update(|s| {
                                        // The first time, B starts at A's bits (linear vs μ-law at the same width).
                                        if on && s.cmp == SignalLabState::default().cmp {
                                            let (lo, hi) = s.cmp.scheme.bits_range();
                                            s.cmp.bits = s.scheme.code_bits().clamp(lo, hi);
                                        }
                                        s.compare = on;
                                    });
                                }/>
                            " compare with a second scheme (B) on the same signal"
                        </label>
                        <div class:hidden=move || !compare.get()>
                            <SchemeControls prefix="cmp-" scheme=Signal::derive(move || cmp_scheme.get())
                                edit=move |f: &dyn Fn(&mut Scheme)| state.update(|s| f(&mut s.cmp))/>
                        </div>
                    </fieldset>
                    <fieldset>
                        <legend>"Listen"</legend>
                        <label>"Rate "
                            <select data-testid="rate" on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                    set(&|s| s.rate = v);
                                }
                            }>
                                {[8000.0, 16000.0, 22050.0, 44100.0, 48000.0].into_iter().map(|r| view! {
                                    <option value=r.to_string() selected=move || state.with(|s| s.rate == r)>{format!("{r} Hz")}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <div class="buttons">
                            <button type="button" data-testid="play-x" on:click=move |_| play("x")>"▶ x"</button>
                            <button type="button" data-testid="play-q" on:click=move |_| play("q")>"▶ Q(x)"</button>
                            <button type="button" data-testid="play-e" on:click=move |_| play("e")>"▶ error"</button>
                            <button type="button" data-testid="stop" on:click=move |_| stop()>"■ Stop"</button>
                        </div>
                        <p class="hint" data-testid="audio-status" aria-live="polite">{move || audio_status.get()}</p>
                    </fieldset>
                    <fieldset>
                        <legend>"Time axis"</legend>
                        <label>"Zoom "
                            <input type="range" data-testid="zoom" min="1" max="64" step="any"
                                prop:value=move || state.with(|s| s.zoom.to_string())
                                on:input=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                        set(&|s| s.zoom = v);
                                    }
                                }/>
                            <output>{move || state.with(|s| format!("×{}", fixed(s.zoom, 1)))}</output>
                        </label>
                        <label>"Position "
                            <input type="range" data-testid="pan" min="0" max="1" step="0.001"
                                prop:value=move || state.with(|s| s.pan.to_string())
                                on:input=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                        set(&|s| s.pan = v);
                                    }
                                }/>
                        </label>
                    </fieldset>
                    <fieldset>
                        <legend>"Share"</legend>
                        <p class="hint">"The address bar holds every setting: copy it to share this exact view."
                            {move || (source() == SourceKind::File).then(|| view! {
                                <strong data-testid="share-file-note">" An uploaded file cannot travel in a link: whoever opens it sees the link's preset instead."</strong>
                            })}
                        </p>
                        <div class="buttons">
                            <button type="button" data-testid="copy-embed" on:click=copy_snippet>"Copy embed snippet"</button>
                            <span class="hint">{move || copied.get()}</span>
                        </div>
                        <p class="hint">"Views in the embed:"</p>
                        <div class="view-picks">
                            {figures::VIEWS.iter().map(|&(id, label)| view! {
                                <label>
                                    <input type="checkbox" data-testid=format!("embed-view-{id}")
                                        prop:checked=move || state.with(|s| s.views.split(',').any(|v| v.trim() == id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            state.update(|s| s.views = toggle_view(&s.views, id, on));
                                        }/>
                                    {format!(" {label}")}
                                </label>
                            }).collect_view()}
                        </div>
                        <textarea readonly rows="3" data-testid="embed-snippet" aria-label="Embed snippet">{embed_snippet}</textarea>
                        <div class="buttons">
                            <button type="button" data-testid="export-csv" on:click=export_csv>"Data as CSV"</button>
                            <button type="button" data-testid="export-signal-png" on:click=move |_| { let _ = crate::widgets::export::canvas_png("signal-canvas", "quantlab-signal.png"); }>"Signal chart as PNG"</button>
                            <button type="button" data-testid="export-error-png" on:click=move |_| { let _ = crate::widgets::export::canvas_png("error-canvas", "quantlab-error.png"); }>"Error chart as PNG"</button>
                        </div>
                    </fieldset>
                </form>
                <div class="views">
                    {move || (source() == SourceKind::Drawn).then(|| {
                        let initial = state.with_untracked(|s| quantlab_core::drawn::decode(&s.drawn).unwrap_or_default());
                        view! {
                            <draw::DrawPad initial=initial on_commit=Callback::new(move |pts: Vec<f32>| {
                                let text = quantlab_core::drawn::encode(&pts);
                                state.update(|s| s.drawn = text);
                            })/>
                        }
                    })}
                    {move || result.with(|r| r.as_ref().err().map(|e| view! {
                        <p class="error" role="alert" data-testid="error">{e.clone()}</p>
                    }))}
                    <dl class="readouts">
                        <div><dt>"SNR"</dt><dd><span data-testid="snr-db">{readout(|r| fixed(r.metrics.snr_db, 2))}</span>" dB"</dd></div>
                        <div><dt>"Theory 6.02·b + 1.76"</dt><dd><span data-testid="sqnr-theory-db">{readout(|r| fixed(r.metrics.sqnr_theory_db, 2))}</span>" dB"</dd></div>
                        <div><dt>"MSE"</dt><dd><span data-testid="mse">{readout(|r| num(r.metrics.mse))}</span></dd></div>
                        <div><dt>"max |e|"</dt><dd><span data-testid="max-abs-error">{readout(|r| num(r.metrics.max_abs_error))}</span></dd></div>
                        <div><dt>"Step Δ"</dt><dd><span data-testid="step">{readout(|r| num(r.metrics.step))}</span></dd></div>
                        <div><dt>"Scale S"</dt><dd><span data-testid="scale">{readout(|r| r.params.map(|p| num(p.scale)).unwrap_or_else(|| "—".into()))}</span></dd></div>
                        <div><dt>"Zero-point Z"</dt><dd><span data-testid="zero-point">{readout(|r| r.params.map(|p| num(p.zero_point)).unwrap_or_else(|| "—".into()))}</span></dd></div>
                        <div><dt>"Levels L"</dt><dd><span data-testid="levels">{readout(|r| r.metrics.levels.to_string())}</span></dd></div>
                        <div><dt>"Bits per value (with scales)"</dt><dd><span data-testid="bits-per-value">{readout(|r| num(r.bits_per_value))}</span></dd></div>
                    </dl>
                    <dl class="readouts compare-readouts" class:hidden=move || !compare.get()>
                        <div><dt>"B: SNR"</dt><dd><span data-testid="cmp-snr-db">{move || result_b.with(|r| r.as_ref().map(|r| fixed(r.metrics.snr_db, 2)).unwrap_or_else(|_| "—".into()))}</span>" dB"</dd></div>
                        <div><dt>"B: MSE"</dt><dd><span data-testid="cmp-mse">{move || result_b.with(|r| r.as_ref().map(|r| num(r.metrics.mse)).unwrap_or_else(|_| "—".into()))}</span></dd></div>
                        <div><dt>"B: max |e|"</dt><dd><span data-testid="cmp-max-abs-error">{move || result_b.with(|r| r.as_ref().map(|r| num(r.metrics.max_abs_error)).unwrap_or_else(|_| "—".into()))}</span></dd></div>
                        <div><dt>"B: levels"</dt><dd><span data-testid="cmp-levels">{move || result_b.with(|r| r.as_ref().map(|r| r.metrics.levels.to_string()).unwrap_or_else(|_| "—".into()))}</span></dd></div>
                        <div><dt>"B: bits per value"</dt><dd><span data-testid="cmp-bits-per-value">{move || result_b.with(|r| r.as_ref().map(|r| num(r.bits_per_value)).unwrap_or_else(|_| "—".into()))}</span></dd></div>
                        <div><dt>"SNR B − A"</dt><dd><span data-testid="cmp-snr-gain-db">{move || match (result.get(), result_b.get()) { (Ok(a), Ok(b)) => fixed(b.metrics.snr_db - a.metrics.snr_db, 2), _ => "—".into() }}</span>" dB"</dd></div>
                    </dl>
                    {move || (compare.get()).then(|| result_b.with(|r| r.as_ref().err().map(|e| view! {
                        <p class="error" role="alert" data-testid="cmp-error">{format!("Scheme B: {e}")}</p>
                    })))}
                    <p class="formula" data-testid="formula">{readout(scale_formula)}</p>
                    <figure class="view" class:hidden=move || !shown("signal")>
                        <canvas node_ref=canvas("signal") data-testid="signal-canvas" width="960" height="320"
                            role="img" aria-label="x[n] and Q(x[n]) over n, with the quantization levels as horizontal lines"></canvas>
                        <figcaption>
                            "x[n] (blue) and Q(x[n]) (orange) over the level grid. "
                            {move || result.with(|r| match r {
                                Ok(r) if r.levels.len() > charts::MAX_GRID_LINES =>
                                    format!("{} levels: too dense to draw as lines.", r.levels.len()),
                                _ => String::new(),
                            })}
                        </figcaption>
                    </figure>
                    <figure class="view" class:hidden=move || !shown("error")>
                        <canvas node_ref=canvas("error") data-testid="error-canvas" width="960" height="200"
                            role="img" aria-label="quantization error e(n) over n, with the ±Δ/2 bounds dashed"></canvas>
                        <figcaption>"e(n) = x[n] − Q(x[n]), with ±Δ/2 dashed. "
                            <span class="formula" data-testid="formula-error">{move || result.with(|r| match r {
                                Ok(r) => format!("Δ = {}, ±Δ/2 = ±{}; max |e| = {}; MSE = {}", num(r.metrics.step), num(r.metrics.step / 2.0), num(r.metrics.max_abs_error), num(r.metrics.mse)),
                                Err(e) => e.clone(),
                            })}</span>
                        </figcaption>
                    </figure>
                    {figure(FigureSpec {
                        id: "compare", height: 280,
                        caption: "Compare: the same signal through scheme A (left) and scheme B (right).",
                        aria: "two charts side by side: x[n] and Q(x[n]) for scheme A and for scheme B",
                        formula: Box::new(move || match (result.get(), result_b.get()) {
                            (Ok(a), Ok(b)) => figures::compare_formula(&a, &b),
                            (Err(e), _) | (_, Err(e)) => e,
                        }),
                        csv: Box::new(move || match (result.get_untracked(), result_b.get_untracked()) {
                            (Ok(a), Ok(b)) => Some(figures::compare_csv(&a, &b)),
                            _ => None,
                        }),
                        visible: Box::new(move || compare.get()),
                        drawable: Box::new(|| true),
                    })}
                    {figure(FigureSpec {
                        id: "transfer", height: 360,
                        caption: "Transfer staircase Q(x) against x (vermillion; identity dashed), with the input's histogram beneath it.",
                        aria: "the transfer function Q(x) as a staircase over x, above a histogram of the input",
                        formula: Box::new(move || result.with(|r| r.as_ref().map(|r| figures::transfer_formula(r)).unwrap_or_else(|e| e.clone()))),
                        csv: Box::new(move || transfer.get_untracked().ok().map(|t| figures::transfer_csv(&t))),
                        visible: Box::new(|| true),
                        drawable: Box::new(|| true),
                    })}
                    {figure(FigureSpec {
                        id: "error-hist", height: 240,
                        caption: "Histogram of e(n), with ±Δ/2 dashed: flat between the bounds when the uniform-noise model holds.",
                        aria: "histogram of the quantization error with the bounds plus and minus half a step",
                        formula: Box::new(move || match (result.get(), error_hist.get()) {
                            (Ok(r), Ok(h)) => figures::error_histogram_formula(&r, &h),
                            (Err(e), _) | (_, Err(e)) => e,
                        }),
                        csv: Box::new(move || error_hist.get_untracked().ok().map(|h| figures::histogram_csv(&h))),
                        visible: Box::new(|| true),
                        drawable: Box::new(|| true),
                    })}
                    {figure(FigureSpec {
                        id: "snr-bits", height: 280,
                        caption: "SNR against bits for this signal (vermillion) and the 6.02·b + 1.76 dB line (black, dashed); the current bits in orange.",
                        aria: "signal-to-noise ratio in decibels against the number of bits, measured and theoretical",
                        formula: Box::new(move || result.with(|r| r.as_ref().map(|r| figures::snr_bits_formula(r)).unwrap_or_else(|e| e.clone()))),
                        csv: Box::new(move || snr_bits.get_untracked().ok().map(|s| figures::snr_bits_csv(&s))),
                        visible: Box::new(|| true),
                        drawable: Box::new(|| true),
                    })}
                    {figure(FigureSpec {
                        id: "snr-level", height: 280,
                        caption: "SNR against input level, −60 … 0 dB below full scale, for linear (blue) and μ-law (purple) at the same bits: the companding figure. This signal's point in orange.",
                        aria: "signal-to-noise ratio against input level for a uniform and a mu-law quantizer",
                        formula: Box::new(move || {
                            let (bits, mu) = level_key.get();
                            figures::level_formula(bits, mu, level_point.get().as_ref())
                        }),
                        csv: Box::new(move || level_curve.get_untracked().ok().map(|c| figures::level_csv(&c))),
                        visible: Box::new(|| true),
                        drawable: Box::new(|| true),
                    })}
                    {figure(FigureSpec {
                        id: "clip", height: 280,
                        caption: "Rounding (blue), clipping (vermillion) and total (black) MSE against the clip threshold α; the current clip range in orange.",
                        aria: "rounding error, clipping error and their total against the clipping threshold",
                        formula: Box::new(move || match clip.get() {
                            Ok(t) => figures::clip_formula(&t, &scheme.get()),
                            Err(e) => e,
                        }),
                        csv: Box::new(move || clip.get_untracked().ok().map(|t| figures::clip_csv(&t))),
                        visible: Box::new(|| true),
                        drawable: Box::new(move || clip.with(|c| c.is_ok())),
                    })}
                </div>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_bad_setting_is_an_error_message_not_a_panic() {
        let mut s = SignalLabState::default();
        s.scheme.bits = 1;
        s.scheme.mode = Mode::Sym;
        assert!(compute(&s).unwrap_err().contains("at least 2 bits"));
        s.n = 0;
        assert!(compute(&s).is_err());
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
            assert!(!scale_formula(&r).is_empty());
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
