//! The Signal lab: generate a signal, quantize it, and see `x[n]`, `Q(x[n])`, e(n) and the
//! figures, live.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use quantlab_core::linear::{AffineParams, LinearQuantizer};
use quantlab_core::metrics::Metrics;
use quantlab_core::quantizer::{IntRange, Mode, Quantizer, Scheme};
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
    /// Scale, zero-point and code range.
    pub params: AffineParams,
    /// Distinct reconstruction levels.
    pub levels: Vec<f32>,
    /// The quantizer's mode (for the formula text).
    pub mode: Mode,
    /// Bits.
    pub bits: u32,
    /// Range of the data.
    pub x_min: f64,
    /// Range of the data.
    pub x_max: f64,
}

/// Generates the signal and quantizes it: the whole pipeline behind the page, pure.
pub fn compute(state: &SignalLabState) -> Result<SignalResult, String> {
    let input = generate(&state.spec()).map_err(|e| e.to_string())?;
    let q = LinearQuantizer::fit(&input, &[], &state.scheme).map_err(|e| e.to_string())?;
    let quantized = q.quantize_dequantize(&input).map_err(|e| e.to_string())?;
    let error: Vec<f32> = input.iter().zip(&quantized).map(|(a, b)| a - b).collect();
    let params = q.params[0];
    let metrics = Metrics::compute(
        &input,
        &quantized,
        state.scheme.bits,
        params.scale,
        params.num_codes(),
    )
    .map_err(|e| e.to_string())?;
    let (x_min, x_max) = input
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |m, &v| {
            (m.0.min(f64::from(v)), m.1.max(f64::from(v)))
        });
    Ok(SignalResult {
        levels: q.levels(),
        input,
        quantized,
        error,
        metrics,
        params,
        mode: state.scheme.mode,
        bits: state.scheme.bits,
        x_min,
        x_max,
    })
}

/// The scale formula of the result's mode with its live numbers substituted.
pub fn scale_formula(r: &SignalResult) -> String {
    let l = 1u64 << r.bits;
    let s = num(r.params.scale);
    match r.mode {
        Mode::AsymFloat => format!(
            "L = 2^{b} = {l};  Δ = (x_max − x_min)/(L − 1) = ({} − {})/{} = {s};  Q(x) = Δ·round((x − x_min)/Δ) + x_min",
            num(r.x_max),
            num(r.x_min),
            l - 1,
            b = r.bits
        ),
        Mode::Sym => format!(
            "S = max|x|/(2^(b−1) − 1) = {}/{} = {s};  Z = {};  q = clamp(round(x/S) + Z, {}, {});  x̂ = S·(q − Z)",
            num(r.x_max.abs().max(r.x_min.abs())),
            (l / 2).saturating_sub(1),
            num(r.params.zero_point),
            r.params.qmin,
            r.params.qmax
        ),
        Mode::Asym => format!(
            "S = (max − min)/(q_max − q_min) = ({} − {})/{} = {s};  Z = q_min − round(min/S) = {};  q = clamp(round(x/S) + Z, {}, {});  x̂ = S·(q − Z)",
            num(r.x_max.max(0.0)),
            num(r.x_min.min(0.0)),
            r.params.qmax - r.params.qmin,
            num(r.params.zero_point),
            r.params.qmin,
            r.params.qmax
        ),
        Mode::MidRise => format!(
            "Δ = 2·max|x|/2^b = 2·{}/{l} = {s};  levels at (k + ½)·Δ;  q = clamp(round(x/Δ − ½), {}, {})",
            num(r.x_max.abs().max(r.x_min.abs())),
            r.params.qmin,
            r.params.qmax
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
                        <legend>"Quantizer: linear"</legend>
                        <label>"Bits "
                            <input type="range" data-testid="bits" min="1" max="16" step="1"
                                prop:value=move || state.with(|s| s.scheme.bits.to_string())
                                on:input=move |ev| {
                                    if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                                        set(&|s| s.scheme.bits = v);
                                    }
                                }/>
                            <output data-testid="bits-value">{move || state.with(|s| s.scheme.bits)}</output>
                        </label>
                        <label>"Mode "
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
                        <label>"Codes "
                            <select data-testid="range" on:change=move |ev| {
                                if let Some(r) = parse_id::<IntRange>(&event_target_value(&ev)) {
                                    set(&|s| s.scheme.range = r);
                                }
                            }>
                                <option value="signed" selected=move || state.with(|s| s.scheme.range == IntRange::Signed)>"signed"</option>
                                <option value="unsigned" selected=move || state.with(|s| s.scheme.range == IntRange::Unsigned)>"unsigned"</option>
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
                        <div><dt>"Scale S"</dt><dd><span data-testid="scale">{readout(|r| num(r.params.scale))}</span></dd></div>
                        <div><dt>"Zero-point Z"</dt><dd><span data-testid="zero-point">{readout(|r| num(r.params.zero_point))}</span></dd></div>
                        <div><dt>"Levels L"</dt><dd><span data-testid="levels">{readout(|r| r.metrics.levels.to_string())}</span></dd></div>
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
