//! The Signal lab: generate a signal, quantize it, and see `x[n]`, `Q(x[n])`, e(n) and the
//! figures, live.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use quantlab_core::linear::{AffineParams, LinearQuantizer};
use quantlab_core::metrics::Metrics;
use quantlab_core::quantizer::{Fp8Format, IntRange, Mode, Quantizer, Scheme, SchemeKind};
use quantlab_core::signal::{SignalKind, SignalSpec, generate};
use serde::{Deserialize, Serialize};

use crate::charts::{self, SignalChart};
use crate::format::{fixed, num};
use crate::url::{parse_id, read_state, write_state};

/// Everything the Signal lab shows, as it appears in the URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignalLabState {
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
    /// The quantizer.
    pub scheme: Scheme,
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
            // The course formula is the page's starting point.
            scheme: Scheme {
                bits: 3,
                mode: Mode::AsymFloat,
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

/// Generates the signal and quantizes it: the whole pipeline behind the page, pure.
pub fn compute(state: &SignalLabState) -> Result<SignalResult, String> {
    let input = generate(&state.spec()).map_err(|e| e.to_string())?;
    let scheme = state.scheme;
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

fn draw_on(
    canvas: &web_sys::HtmlCanvasElement,
    f: impl FnOnce(&DrawingArea<CanvasBackend, plotters::coord::Shift>) -> Result<(), String>,
) {
    if let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) {
        let root = backend.into_drawing_area();
        if let Err(e) = f(&root) {
            leptos::logging::warn!("{e}");
        }
    }
}

/// The Signal lab page.
#[component]
pub fn SignalLab() -> impl IntoView {
    let (initial, warnings) = read_state::<SignalLabState>();
    let state = RwSignal::new(initial);
    let result = Memo::new(move |_| state.with(compute).map(Arc::new));

    Effect::new(move |_| state.with(|s| write_state("signal", s)));

    let signal_canvas = NodeRef::<Canvas>::new();
    let error_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Ok(r) = result.get() else { return };
        if let Some(c) = signal_canvas.get() {
            draw_on(&c, |root| {
                charts::draw_signal(
                    root,
                    &SignalChart {
                        input: &r.input,
                        quantized: &r.quantized,
                        levels: &r.levels,
                    },
                )
            });
        }
        if let Some(c) = error_canvas.get() {
            draw_on(&c, |root| {
                charts::draw_error(root, &r.error, r.metrics.step)
            });
        }
    });

    let set = move |f: &dyn Fn(&mut SignalLabState)| state.update(|s| f(s));
    let readout = move |f: fn(&SignalResult) -> String| {
        move || result.with(|r| r.as_ref().map(|r| f(r)).unwrap_or_else(|_| "—".into()))
    };
    let kind = move || state.with(|s| s.scheme.scheme);
    let is_noise =
        move || state.with(|s| matches!(s.signal, SignalKind::Gaussian | SignalKind::Laplacian));

    view! {
        <section class="lab signal-lab" aria-labelledby="signal-lab-title">
            <h2 id="signal-lab-title">"Signal lab"</h2>
            {(!warnings.is_empty()).then(|| view! {
                <p class="notice" role="status">{format!("Some link parameters were ignored: {}", warnings.join("; "))}</p>
            })}
            <div class="lab-body">
                <form class="controls" on:submit=|ev| ev.prevent_default()>
                    <fieldset>
                        <legend>"Signal"</legend>
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
                        <label>"Samples N "
                            <input type="number" data-testid="n" min="1" max="1048576" step="1"
                                prop:value=move || state.with(|s| s.n.to_string())
                                on:change=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).trim().parse::<usize>() {
                                        set(&|s| s.n = v);
                                    }
                                }/>
                        </label>
                        <label>"Amplitude "
                            <input type="range" data-testid="amp" min="0" max="2" step="0.01"
                                prop:value=move || state.with(|s| s.amp.to_string())
                                on:input=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                        set(&|s| s.amp = v);
                                    }
                                }/>
                            <output>{move || state.with(|s| fixed(s.amp, 2))}</output>
                        </label>
                        <label class:hidden=is_noise>"Cycles per window "
                            <input type="number" data-testid="freq" min="0" max="100000" step="0.1"
                                prop:value=move || state.with(|s| s.freq.to_string())
                                on:change=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                                        set(&|s| s.freq = v);
                                    }
                                }/>
                        </label>
                        <label class:hidden=move || !is_noise()>"Seed "
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
                        <label>"Scheme "
                            <select data-testid="scheme" on:change=move |ev| {
                                if let Some(k) = parse_id::<SchemeKind>(&event_target_value(&ev)) {
                                    set(&|s| {
                                        s.scheme.scheme = k;
                                        let (lo, hi) = k.bits_range();
                                        s.scheme.bits = s.scheme.bits.clamp(lo, hi);
                                    });
                                }
                            }>
                                {SchemeKind::ALL.iter().map(|&k| view! {
                                    <option value=k.id() selected=move || state.with(|s| s.scheme.scheme == k)>{k.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label class:hidden=move || kind().fixed_bits().is_some()>"Bits "
                            <input type="range" data-testid="bits" step="1"
                                min=move || kind().bits_range().0
                                max=move || kind().bits_range().1
                                prop:value=move || state.with(|s| s.scheme.bits.to_string())
                                on:input=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                                        set(&|s| s.scheme.bits = v);
                                    }
                                }/>
                            <output data-testid="bits-value">{move || state.with(|s| s.scheme.bits)}</output>
                        </label>
                        <p class:hidden=move || kind().fixed_bits().is_none() class="fixed-bits">
                            {move || kind().fixed_bits().map(|b| format!("{b} bits per code, fixed by the format")).unwrap_or_default()}
                        </p>
                        <label class:hidden=move || kind() != SchemeKind::Linear>"Mode "
                            <select data-testid="mode" on:change=move |ev| {
                                if let Some(m) = parse_id::<Mode>(&event_target_value(&ev)) {
                                    set(&|s| s.scheme.mode = m);
                                }
                            }>
                                {Mode::ALL.iter().map(|&m| view! {
                                    <option value=m.id() selected=move || state.with(|s| s.scheme.mode == m)>{m.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label class:hidden=move || kind() != SchemeKind::Linear>"Codes "
                            <select data-testid="range" on:change=move |ev| {
                                if let Some(r) = parse_id::<IntRange>(&event_target_value(&ev)) {
                                    set(&|s| s.scheme.range = r);
                                }
                            }>
                                <option value="signed" selected=move || state.with(|s| s.scheme.range == IntRange::Signed)>"signed"</option>
                                <option value="unsigned" selected=move || state.with(|s| s.scheme.range == IntRange::Unsigned)>"unsigned"</option>
                            </select>
                        </label>
                        <label class:hidden=move || kind() != SchemeKind::MuLaw>"μ "
                            <input type="number" data-testid="mu" min="0.001" step="any"
                                prop:value=move || state.with(|s| s.scheme.mu.to_string())
                                on:change=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                                        set(&|s| s.scheme.mu = v);
                                    }
                                }/>
                        </label>
                        <label class:hidden=move || kind() != SchemeKind::ALaw>"A "
                            <input type="number" data-testid="a-law" min="1" step="any"
                                prop:value=move || state.with(|s| s.scheme.a_law.to_string())
                                on:change=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                                        set(&|s| s.scheme.a_law = v);
                                    }
                                }/>
                        </label>
                        <label class:hidden=move || kind() != SchemeKind::Nf4>"Block size "
                            <input type="number" data-testid="block-size" min="1" step="1"
                                prop:value=move || state.with(|s| s.scheme.block_size.to_string())
                                on:change=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).trim().parse::<u32>() {
                                        set(&|s| s.scheme.block_size = v);
                                    }
                                }/>
                        </label>
                        <label class:hidden=move || kind() != SchemeKind::Nf4>
                            <input type="checkbox" data-testid="double-quant"
                                prop:checked=move || state.with(|s| s.scheme.double_quant)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    set(&|s| s.scheme.double_quant = on);
                                }/>
                            " double quantization of the block scales"
                        </label>
                        <label class:hidden=move || kind() != SchemeKind::Fp8>"FP8 format "
                            <select data-testid="fp8" on:change=move |ev| {
                                if let Some(f) = parse_id::<Fp8Format>(&event_target_value(&ev)) {
                                    set(&|s| s.scheme.fp8 = f);
                                }
                            }>
                                {Fp8Format::ALL.iter().map(|&f| view! {
                                    <option value=f.id() selected=move || state.with(|s| s.scheme.fp8 == f)>{f.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </fieldset>
                </form>
                <div class="views">
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
                    <p class="formula" data-testid="formula">{readout(scale_formula)}</p>
                    <figure>
                        <canvas node_ref=signal_canvas data-testid="signal-canvas" width="960" height="320"
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
                    <figure>
                        <canvas node_ref=error_canvas data-testid="error-canvas" width="960" height="200"
                            role="img" aria-label="quantization error e(n) over n, with the ±Δ/2 bounds dashed"></canvas>
                        <figcaption>"e(n) = x[n] − Q(x[n]), with ±Δ/2 dashed."</figcaption>
                    </figure>
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
