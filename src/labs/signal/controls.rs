//! The Signal lab's form: the signal's source, the quantizer (and compare mode's second
//! one), listening, the time axis, and sharing.

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::quantizer::Scheme;
use quantlab_core::signal::SignalKind;

use super::audio;
use super::figures;
use super::pipeline::Pipeline;
use super::state::{
    DEFAULT_UPLOAD_WINDOW, MAX_UPLOAD_BYTES, SignalLabState, SignalState, SourceKind, UploadError,
    read_upload, upload_window,
};
use crate::format::fixed;
use crate::widgets::embed_builder::{Choice, EmbedBuilder};
use crate::widgets::scheme_controls::SchemeControls;
use crate::widgets::select::id_select;

/// A number `<input>` of the state, committed on change.
fn state_number<T: std::str::FromStr + ToString + 'static>(
    testid: &'static str,
    min: &'static str,
    max: Option<String>,
    step: &'static str,
    get: fn(&SignalLabState) -> T,
    put: fn(&mut SignalLabState, T),
) -> impl IntoView {
    let st = SignalState::use_();
    view! {
        <input type="number" data-testid=testid min=min max=max step=step
            prop:value=move || st.state.with(|s| get(s).to_string())
            on:change=move |ev| {
                if let Ok(v) = event_target_value(&ev).trim().parse::<T>() {
                    st.set(|s| put(s, v));
                }
            }/>
    }
}

/// A range `<input>` of the state, applied as it moves.
fn state_slider(
    testid: &'static str,
    (min, max, step): (&'static str, &'static str, &'static str),
    get: fn(&SignalLabState) -> f64,
    put: fn(&mut SignalLabState, f64),
) -> impl IntoView {
    let st = SignalState::use_();
    view! {
        <input type="range" data-testid=testid min=min max=max step=step
            prop:value=move || st.state.with(|s| get(s).to_string())
            on:input=move |ev| {
                if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                    st.set(|s| put(s, v));
                }
            }/>
    }
}

/// Reads the file chosen in an `<input type="file">` into the lab; a refused file leaves
/// the previous signal.
fn on_file(st: SignalState, ev: leptos::ev::Event) {
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
        st.upload_error.set(Some(UploadError::TooLarge {
            name,
            mb: (file.size() / 1048576.0).round() as u64,
        }));
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let bytes = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
            Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
            Err(_) => {
                st.upload_error.set(Some(UploadError::Unreadable { name }));
                return;
            }
        };
        match read_upload(&name, &bytes) {
            Ok(up) => {
                let total = up.samples.len();
                let rate = up.rate;
                st.upload.set(Some(Arc::new(up)));
                st.upload_error.set(None);
                st.set(|s| {
                    s.source = SourceKind::File;
                    s.start = 0;
                    s.n = total.min(DEFAULT_UPLOAD_WINDOW);
                    if let Some(r) = rate {
                        s.rate = f64::from(r);
                    }
                });
            }
            Err(e) => st.upload_error.set(Some(e)),
        }
    });
}

/// An upload refusal in words.
fn upload_error_text(e: &UploadError) -> String {
    match e {
        UploadError::Unreadable { .. } => e.to_string(),
        _ => format!("{e}; the previous signal stays"),
    }
}

/// The uploaded file: its name, length, rate and the window shown.
fn upload_info(st: SignalState) -> impl IntoView {
    move || {
        (st.source.get() == SourceKind::File).then(|| {
            st.upload.with(|u| match u {
                Some(up) => {
                    let (w, trimmed) = st.state.with(|s| {
                        let (w, t) = upload_window(up, s.start, s.n);
                        (w.len(), t)
                    });
                    view! {
                        <p class="notice" data-testid="upload-info">
                            {format!("{}: {} samples{}{}{}", up.name, up.samples.len(),
                                up.rate.map(|r| format!(" at {r} Hz")).unwrap_or_default(),
                                up.decimal.map(|d| format!(", read with a {}", d.describe())).unwrap_or_default(),
                                if trimmed { format!("; showing a window of {w} (set N and the start to move it)") } else { String::new() })}
                        </p>
                        {up.cut_from.map(|total| view! {
                            <p class="notice" role="status" data-testid="upload-cut">
                                {format!("{} holds {total} samples: the lab keeps the first {} (its limit, as for N).",
                                    up.name, quantlab_core::signal::MAX_SAMPLES)}
                            </p>
                        })}
                    }
                    .into_any()
                }
                None => view! { <p class="notice">"No file loaded. Nothing you load leaves this machine."</p> }.into_any(),
            })
        })
    }
}

/// Where the signal comes from and its settings.
#[component]
pub fn SourceControls() -> impl IntoView {
    let st = SignalState::use_();
    let state = st.state;
    let source = move || st.source.get();
    let is_noise = move || state.with(|s| s.signal.is_random());
    let uses_freq = move || state.with(|s| s.signal.uses_freq());
    view! {
        <fieldset>
            <legend>"Signal"</legend>
            <label>"Source "
                {id_select("source".into(),
                    vec![
                        (SourceKind::Preset, "preset", "Preset".into()),
                        (SourceKind::Drawn, "drawn", "Draw by hand".into()),
                        (SourceKind::File, "file", "Upload a file".into()),
                    ],
                    source,
                    move |k| st.set(|s| s.source = k))}
            </label>
            <label class:hidden=move || source() != SourceKind::File>"File "
                <input type="file" data-testid="upload" accept=".wav,.csv,.txt,.npy,audio/wav,text/csv,text/plain"
                    on:change=move |ev| on_file(st, ev)/>
            </label>
            {move || st.upload_error.with(|e| e.as_ref().map(|e| view! {
                <p class="error" role="alert" data-testid="upload-error">{upload_error_text(e)}</p>
            }))}
            {upload_info(st)}
            <label class:hidden=move || source() != SourceKind::File>"Window start "
                {state_number("start", "0", None, "1", |s| s.start, |s, v| s.start = v)}
            </label>
            <div class:hidden=move || source() != SourceKind::Preset>
            <label>"Preset "
                {id_select("signal".into(),
                    SignalKind::ALL.iter().map(|&k| (k, k.id(), k.label().to_string())).collect(),
                    move || state.with(|s| s.signal),
                    move |k| st.set(|s| s.signal = k))}
            </label>
            </div>
            <label>"Samples N "
                {state_number("n", "1", Some(quantlab_core::signal::MAX_SAMPLES.to_string()), "1", |s| s.n, |s, v| s.n = v)}
            </label>
            <label class:hidden=move || source() == SourceKind::File>"Amplitude "
                {state_slider("amp", ("0", "2", "0.01"), |s| s.amp, |s, v| s.amp = v)}
                <output>{move || state.with(|s| fixed(s.amp, 2))}</output>
            </label>
            <label class:hidden=move || source() == SourceKind::File>"Offset "
                {state_slider("offset", ("-1", "1", "0.01"), |s| s.offset, |s, v| s.offset = v)}
                <output>{move || state.with(|s| fixed(s.offset, 2))}</output>
            </label>
            <label class:hidden=move || !uses_freq() || source() != SourceKind::Preset>{move || if state.with(|s| s.signal == SignalKind::SpeechBursts) { "Bursts " } else { "Cycles per window " }}
                {state_number("freq", "0", Some("100000".into()), "0.1", |s| s.freq, |s, v| s.freq = v)}
            </label>
            <label class:hidden=move || !is_noise() || source() != SourceKind::Preset>"Seed "
                {state_number("seed", "0", None, "1", |s| s.seed, |s, v| s.seed = v)}
            </label>
        </fieldset>
    }
}

/// The quantizer, and compare mode with its second scheme (B).
#[component]
pub fn QuantizerControls() -> impl IntoView {
    let st = SignalState::use_();
    let state = st.state;
    let p = Pipeline::use_();
    let (compare, scheme, cmp_scheme) = (p.compare, p.scheme, p.cmp_scheme);
    view! {
        <fieldset>
            <legend>"Quantizer"</legend>
            <SchemeControls prefix="" scheme=Signal::from(scheme)
                edit=move |f: &dyn Fn(&mut Scheme)| state.update(|s| f(&mut s.scheme))/>
        </fieldset>
        <fieldset>
            <legend>"Compare"</legend>
            <label>
                <input type="checkbox" data-testid="compare"
                    prop:checked=move || compare.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        st.set(|s| {
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
                <SchemeControls prefix="cmp-" scheme=Signal::from(cmp_scheme)
                    edit=move |f: &dyn Fn(&mut Scheme)| state.update(|s| f(&mut s.cmp))/>
            </div>
        </fieldset>
    }
}

/// Listening to `x`, `Q(x)` or the error at a chosen rate.
#[component]
pub fn ListenControls() -> impl IntoView {
    let st = SignalState::use_();
    let state = st.state;
    let result = Pipeline::use_().result;
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
    view! {
        <fieldset>
            <legend>"Listen"</legend>
            <label>"Rate "
                <select data-testid="rate" on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        st.set(|s| s.rate = v);
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
    }
}

/// Zoom and position of the time axis.
#[component]
pub fn TimeAxisControls() -> impl IntoView {
    let state = SignalState::use_().state;
    view! {
        <fieldset>
            <legend>"Time axis"</legend>
            <label>"Zoom "
                {state_slider("zoom", ("1", "64", "any"), |s| s.zoom, |s, v| s.zoom = v)}
                <output>{move || state.with(|s| format!("×{}", fixed(s.zoom, 1)))}</output>
            </label>
            <label>"Position "
                {state_slider("pan", ("0", "1", "0.001"), |s| s.pan, |s, v| s.pan = v)}
            </label>
        </fieldset>
    }
}

/// The controls of the Signal lab an embed can show (`controls=`, by their test ids).
pub const EMBED_CONTROLS: &[Choice] = &[
    ("bits", "Bits"),
    ("scheme", "Scheme"),
    ("mode", "Range mapping"),
    ("clip", "Clipping"),
    ("mu", "μ"),
    ("signal", "Signal"),
    ("n", "Samples N"),
    ("amp", "Amplitude"),
    ("compare", "Compare mode"),
    ("cmp-scheme", "Scheme B"),
    ("cmp-bits", "Bits of B"),
    ("play-x", "Listen"),
];

/// Sharing: the link, the embed builder, and the exports.
#[component]
pub fn ShareControls() -> impl IntoView {
    let st = SignalState::use_();
    let state = st.state;
    let result = Pipeline::use_().result;
    let export_csv = move |_| {
        if let Ok(r) = result.get_untracked() {
            let text =
                crate::widgets::export::csv(&["x", "q", "e"], &[&r.input, &r.quantized, &r.error]);
            let _ = crate::widgets::export::text_file(&text, "text/csv", "quantlab-signal.csv");
        }
    };
    let png = |canvas: &'static str, file: &'static str| {
        move |_| {
            let _ = crate::widgets::export::canvas_png(canvas, file);
        }
    };
    let svg = |canvas: &'static str, file: &'static str| {
        move |_| {
            let _ = crate::widgets::svg::download(canvas, file);
        }
    };
    view! {
        <fieldset class="share">
            <legend>"Share"</legend>
            <p class="hint">"The address bar holds every setting: copy it to share this exact view."
                {move || (st.source.get() == SourceKind::File).then(|| view! {
                    <strong data-testid="share-file-note">" An uploaded file cannot travel in a link: the address and the embed below open on the preset signal instead."</strong>
                })}
            </p>
            <EmbedBuilder lab="signal" title="Signal lab" views=&figures::VIEWS
                default_views=&["signal", "error"] controls=EMBED_CONTROLS
                state_query=Signal::derive(move || state.with(|s| quantlab_core::url_state::to_query(&s.for_link())))/>
            <div class="buttons">
                <button type="button" data-testid="export-csv" on:click=export_csv>"Data as CSV"</button>
                <button type="button" data-testid="export-signal-png" on:click=png("signal-canvas", "quantlab-signal.png")>"Signal chart as PNG"</button>
                <button type="button" data-testid="export-error-png" on:click=png("error-canvas", "quantlab-error.png")>"Error chart as PNG"</button>
                <button type="button" data-testid="export-signal-svg" on:click=svg("signal-canvas", "quantlab-signal.svg")>"Signal chart as SVG"</button>
                <button type="button" data-testid="export-error-svg" on:click=svg("error-canvas", "quantlab-error.svg")>"Error chart as SVG"</button>
            </div>
        </fieldset>
    }
}
