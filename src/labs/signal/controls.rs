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
use crate::lang::numbers::localize;
use crate::lang::{Locale, t, t_string, use_i18n};
use crate::widgets::embed_builder::{Choice, EmbedBuilder};
use crate::widgets::scheme_controls::SchemeControls;
use crate::widgets::scheme_names::signal_label;
use crate::widgets::select::id_select_in;
use leptos_i18n::td_string;

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

/// An upload refusal in words, in `l` (the core's reading errors stay in English).
fn upload_error_text(e: &UploadError, l: Locale) -> String {
    let what = match e {
        UploadError::Empty { name } => crate::tdf!(l, signal.up_empty, name = name),
        UploadError::TooLarge { name, mb } => crate::tdf!(
            l,
            signal.up_too_large,
            name = name,
            mb = localize(&mb.to_string(), l),
            max = MAX_UPLOAD_BYTES >> 20
        ),
        UploadError::Unreadable { name } => {
            return crate::tdf!(l, signal.up_unreadable, name = name);
        }
        UploadError::Format(e) => crate::lang::errors::quant_error(e, l),
        UploadError::Weights => td_string!(l, signal.up_weights).to_string(),
        UploadError::Read { name, error } => {
            format!("{name}: {}", crate::lang::errors::quant_error(error, l))
        }
    };
    crate::tdf!(l, signal.up_refused, error = what)
}

/// The upload's description: name, samples, rate, decimal separator and the window shown.
fn upload_text(up: &super::state::Upload, shown: usize, trimmed: bool, l: Locale) -> String {
    use quantlab_core::io::csv::Decimal;
    let count = |v: usize| localize(&v.to_string(), l);
    let mut text = crate::tdf!(
        l,
        signal.up_info,
        name = &up.name,
        count = count(up.samples.len())
    );
    if let Some(r) = up.rate {
        text.push_str(&crate::tdf!(l, signal.up_rate, rate = count(r as usize)));
    }
    match up.decimal {
        Some(Decimal::Point) => text.push_str(td_string!(l, signal.up_decimal_point)),
        Some(Decimal::Comma) => text.push_str(td_string!(l, signal.up_decimal_comma)),
        None => {}
    }
    if trimmed {
        text.push_str(&crate::tdf!(l, signal.up_window, count = count(shown)));
    }
    text
}

/// The uploaded file: its name, length, rate and the window shown.
fn upload_info(st: SignalState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let l = i18n.get_locale();
        (st.source.get() == SourceKind::File).then(|| {
            st.upload.with(|u| match u {
                Some(up) => {
                    let (w, trimmed) = st.state.with(|s| {
                        let (w, t) = upload_window(up, s.start, s.n);
                        (w.len(), t)
                    });
                    view! {
                        <p class="notice" data-testid="upload-info">{upload_text(up, w, trimmed, l)}</p>
                        {up.cut_from.map(|total| view! {
                            <p class="notice" role="status" data-testid="upload-cut">
                                {crate::tdf!(l, signal.up_cut, name = &up.name,
                                    total = localize(&total.to_string(), l),
                                    max = localize(&quantlab_core::signal::MAX_SAMPLES.to_string(), l))}
                            </p>
                        })}
                    }
                    .into_any()
                }
                None => view! { <p class="notice">{td_string!(l, signal.up_none)}</p> }.into_any(),
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
    let i18n = use_i18n();
    view! {
        <fieldset>
            <legend>{t!(i18n, signal.legend_signal)}</legend>
            <label>{t!(i18n, signal.source)}" "
                {id_select_in("source".into(),
                    vec![
                        (SourceKind::Preset, "preset"),
                        (SourceKind::Drawn, "drawn"),
                        (SourceKind::File, "file"),
                    ],
                    |k, l| match k {
                        SourceKind::Preset => td_string!(l, signal.source_preset),
                        SourceKind::Drawn => td_string!(l, signal.source_drawn),
                        SourceKind::File => td_string!(l, signal.source_file),
                    }.to_string(),
                    source,
                    move |k| st.set(|s| s.source = k))}
            </label>
            <label class:hidden=move || source() != SourceKind::File>{t!(i18n, signal.file)}" "
                <input type="file" data-testid="upload" accept=".wav,.csv,.txt,.npy,audio/wav,text/csv,text/plain"
                    on:change=move |ev| on_file(st, ev)/>
            </label>
            {move || st.upload_error.with(|e| e.as_ref().map(|e| view! {
                <p class="error" role="alert" data-testid="upload-error">{upload_error_text(e, i18n.get_locale())}</p>
            }))}
            {upload_info(st)}
            <label class:hidden=move || source() != SourceKind::File>{t!(i18n, signal.window_start)}" "
                {state_number("start", "0", None, "1", |s| s.start, |s, v| s.start = v)}
            </label>
            <div class:hidden=move || source() != SourceKind::Preset>
            <label>{t!(i18n, signal.preset)}" "
                {id_select_in("signal".into(),
                    SignalKind::ALL.iter().map(|&k| (k, k.id())).collect(),
                    |k, l| signal_label(k, l).to_string(),
                    move || state.with(|s| s.signal),
                    move |k| st.set(|s| s.signal = k))}
            </label>
            </div>
            <label>{t!(i18n, signal.samples_n)}" "
                {state_number("n", "1", Some(quantlab_core::signal::MAX_SAMPLES.to_string()), "1", |s| s.n, |s, v| s.n = v)}
            </label>
            <label class:hidden=move || source() == SourceKind::File>{t!(i18n, signal.amplitude)}" "
                {state_slider("amp", ("0", "2", "0.01"), |s| s.amp, |s, v| s.amp = v)}
                <output>{move || localize(&state.with(|s| fixed(s.amp, 2)), i18n.get_locale())}</output>
            </label>
            <label class:hidden=move || source() == SourceKind::File>{t!(i18n, signal.offset)}" "
                {state_slider("offset", ("-1", "1", "0.01"), |s| s.offset, |s, v| s.offset = v)}
                <output>{move || localize(&state.with(|s| fixed(s.offset, 2)), i18n.get_locale())}</output>
            </label>
            <label class:hidden=move || !uses_freq() || source() != SourceKind::Preset>{move || if state.with(|s| s.signal == SignalKind::SpeechBursts) { t_string!(i18n, signal.bursts) } else { t_string!(i18n, signal.cycles) }}" "
                {state_number("freq", "0", Some("100000".into()), "0.1", |s| s.freq, |s, v| s.freq = v)}
            </label>
            <label class:hidden=move || !is_noise() || source() != SourceKind::Preset>{t!(i18n, signal.seed)}" "
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
    let i18n = use_i18n();
    view! {
        <fieldset>
            <legend>{t!(i18n, signal.quantizer)}</legend>
            <SchemeControls prefix="" scheme=Signal::from(scheme)
                edit=move |f: &dyn Fn(&mut Scheme)| state.update(|s| f(&mut s.scheme))/>
        </fieldset>
        <fieldset>
            <legend>{t!(i18n, signal.compare)}</legend>
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
                " "{t!(i18n, signal.compare_check)}
            </label>
            <div class:hidden=move || !compare.get()>
                <SchemeControls prefix="cmp-" scheme=Signal::from(cmp_scheme)
                    edit=move |f: &dyn Fn(&mut Scheme)| state.update(|s| f(&mut s.cmp))/>
            </div>
        </fieldset>
    }
}

/// What the player is doing, shown under its buttons.
#[derive(Debug, Clone, PartialEq)]
enum AudioStatus {
    Stopped,
    /// Playing `x`, `q` or `e`; the audio context's state.
    Playing(&'static str, String),
    Failed(audio::AudioError),
}

/// The player's status in `l` (English: `stopped`, `playing x (running)`, …).
fn audio_status_text(s: &AudioStatus, l: Locale) -> String {
    use audio::AudioError as E;
    match s {
        AudioStatus::Stopped => td_string!(l, signal.audio_stopped).to_string(),
        AudioStatus::Playing(what, state) => {
            let state = match state.as_str() {
                "running" => td_string!(l, signal.audio_running),
                "suspended" => td_string!(l, signal.audio_suspended),
                "closed" => td_string!(l, signal.audio_closed),
                other => other,
            };
            crate::tdf!(l, signal.audio_playing, what = what, state = state)
        }
        AudioStatus::Failed(e) => {
            let why = match e {
                E::Nothing => td_string!(l, signal.audio_nothing),
                E::NoWebAudio => td_string!(l, signal.audio_no_web_audio),
                E::Prepare => td_string!(l, signal.audio_prepare),
                E::Connect => td_string!(l, signal.audio_connect),
                E::Start => td_string!(l, signal.audio_start),
            };
            crate::tdf!(l, signal.audio_failed, error = why)
        }
    }
}

/// Listening to `x`, `Q(x)` or the error at a chosen rate.
#[component]
pub fn ListenControls() -> impl IntoView {
    let st = SignalState::use_();
    let state = st.state;
    let result = Pipeline::use_().result;
    let i18n = use_i18n();
    let playing = StoredValue::new_local(None::<audio::Playing>);
    let audio_status = RwSignal::new(AudioStatus::Stopped);
    let stop = move || {
        if let Some(p) = playing.try_update_value(|p| p.take()).flatten() {
            p.stop();
        }
        audio_status.set(AudioStatus::Stopped);
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
                audio_status.set(AudioStatus::Playing(what, p.state()));
                playing.set_value(Some(p));
            }
            Err(e) => audio_status.set(AudioStatus::Failed(e)),
        }
    };
    view! {
        <fieldset>
            <legend>{t!(i18n, signal.listen)}</legend>
            <label>{t!(i18n, signal.rate)}" "
                <select data-testid="rate" on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        st.set(|s| s.rate = v);
                    }
                }>
                    {[8000.0, 16000.0, 22050.0, 44100.0, 48000.0].into_iter().map(|r| view! {
                        <option value=r.to_string() selected=move || state.with(|s| s.rate == r)>{move || format!("{} Hz", localize(&r.to_string(), i18n.get_locale()))}</option>
                    }).collect_view()}
                </select>
            </label>
            <div class="buttons">
                <button type="button" data-testid="play-x" on:click=move |_| play("x")>"▶ x"</button>
                <button type="button" data-testid="play-q" on:click=move |_| play("q")>"▶ Q(x)"</button>
                <button type="button" data-testid="play-e" on:click=move |_| play("e")>"▶ "{t!(i18n, signal.play_error)}</button>
                <button type="button" data-testid="stop" on:click=move |_| stop()>"■ "{t!(i18n, signal.stop)}</button>
            </div>
            <p class="hint" data-testid="audio-status" aria-live="polite">{move || audio_status.with(|s| audio_status_text(s, i18n.get_locale()))}</p>
        </fieldset>
    }
}

/// Zoom and position of the time axis.
#[component]
pub fn TimeAxisControls() -> impl IntoView {
    let state = SignalState::use_().state;
    let i18n = use_i18n();
    view! {
        <fieldset>
            <legend>{t!(i18n, signal.time_axis)}</legend>
            <label>{t!(i18n, signal.zoom)}" "
                {state_slider("zoom", ("1", "64", "any"), |s| s.zoom, |s, v| s.zoom = v)}
                <output>{move || format!("×{}", localize(&state.with(|s| fixed(s.zoom, 1)), i18n.get_locale()))}</output>
            </label>
            <label>{t!(i18n, signal.position)}" "
                {state_slider("pan", ("0", "1", "0.001"), |s| s.pan, |s, v| s.pan = v)}
            </label>
        </fieldset>
    }
}

/// The controls of the Signal lab an embed can show (`controls=`, by their test ids), with
/// their English labels (`control_label` names them in the page's language).
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

/// The label of an embeddable control of [`EMBED_CONTROLS`] in `l`.
fn control_label(id: &str, l: Locale) -> String {
    match id {
        "bits" => td_string!(l, signal.ctl_bits),
        "scheme" => td_string!(l, signal.ctl_scheme),
        "mode" => td_string!(l, signal.ctl_mode),
        "clip" => td_string!(l, signal.ctl_clip),
        "signal" => td_string!(l, signal.ctl_signal),
        "n" => td_string!(l, signal.ctl_n),
        "amp" => td_string!(l, signal.ctl_amp),
        "compare" => td_string!(l, signal.ctl_compare),
        "cmp-scheme" => td_string!(l, signal.ctl_cmp_scheme),
        "cmp-bits" => td_string!(l, signal.ctl_cmp_bits),
        "play-x" => td_string!(l, signal.ctl_listen),
        "mu" => "μ",
        other => other,
    }
    .to_string()
}

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
    let i18n = use_i18n();
    view! {
        <fieldset class="share">
            <legend>{t!(i18n, signal.share)}</legend>
            <p class="hint">{t!(i18n, signal.share_hint)}
                {move || (st.source.get() == SourceKind::File).then(|| view! {
                    <strong data-testid="share-file-note">" "{t!(i18n, signal.share_file_note)}</strong>
                })}
            </p>
            <EmbedBuilder lab="signal" title="Signal lab" views=&figures::VIEWS
                default_views=&["signal", "error"] controls=EMBED_CONTROLS
                view_label=move |id: &'static str| figures::view_title(id, i18n.get_locale())
                control_label=move |id: &'static str| control_label(id, i18n.get_locale())
                state_query=Signal::derive(move || state.with(|s| quantlab_core::url_state::to_query(&s.for_link())))/>
            <div class="buttons">
                <button type="button" data-testid="export-csv" on:click=export_csv>{t!(i18n, signal.export_csv)}</button>
                <button type="button" data-testid="export-signal-png" on:click=png("signal-canvas", "quantlab-signal.png")>{t!(i18n, signal.export_signal_png)}</button>
                <button type="button" data-testid="export-error-png" on:click=png("error-canvas", "quantlab-error.png")>{t!(i18n, signal.export_error_png)}</button>
                <button type="button" data-testid="export-signal-svg" on:click=svg("signal-canvas", "quantlab-signal.svg")>{t!(i18n, signal.export_signal_svg)}</button>
                <button type="button" data-testid="export-error-svg" on:click=svg("error-canvas", "quantlab-error.svg")>{t!(i18n, signal.export_error_svg)}</button>
            </div>
        </fieldset>
    }
}
