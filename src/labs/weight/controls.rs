//! The Weight lab's form: the tensor (synthetic, drawn, uploaded or from the MLP lab), the
//! quantizer, what the views show, and sharing.

use leptos::prelude::*;
use quantlab_core::quantizer::Scheme;
use quantlab_core::weights::storage::ScaleDtype;
use quantlab_core::weights::synth::WeightDist;

use super::canvases::DrawnBars;
use super::pipeline::WeightPipeline;
use super::state::{WeightLabState, WeightSource, WeightState};
use super::upload::Files;
use crate::url::parse_id;
use crate::widgets::embed_builder::{Choice, EmbedBuilder};
use crate::widgets::scheme_controls::SchemeControls;
use crate::widgets::select::id_select;

/// A number `<input>` of the state, committed on change; text that does not parse is
/// ignored.
fn number<T: std::str::FromStr + ToString + 'static>(
    testid: &'static str,
    get: fn(&WeightLabState) -> T,
    put: fn(&mut WeightLabState, T),
) -> impl IntoView {
    let st = WeightState::use_();
    view! {
        <input type="number" data-testid=testid step="any"
            prop:value=move || st.state.with(|s| get(s).to_string())
            on:change=move |ev| {
                let v = event_target_value(&ev);
                st.set(|s| {
                    if let Ok(v) = v.trim().parse::<T>() {
                        put(s, v);
                    }
                });
            }/>
    }
}

/// The uploaded file's controls: the file, its tensors, and how reading it goes.
fn file_controls(st: WeightState) -> impl IntoView {
    let files = Files::use_();
    let state = st.state;
    view! {
        <div class:hidden=move || st.source.get() != WeightSource::File>
            <label>"File "
                <input type="file" data-testid="wl-upload" accept=".safetensors,.npy" on:change=move |ev| files.open(ev)/>
            </label>
            <p class="hint">"Read in slices: header first, then only the tensor studied. Tensors over 4 M values are studied on their first rows. Nothing leaves this machine."</p>
            {move || st.index.get().map(|idx| view! {
                <label>"Tensor "
                    <select data-testid="wl-tensor" on:change=move |ev| files.load_tensor(event_target_value(&ev))>
                        {idx.tensors.iter().map(|t| {
                            let name = t.name.clone();
                            let n2 = name.clone();
                            view! {
                                <option value=name.clone() disabled=!t.supported()
                                    selected=move || state.with(|s| s.tensor == n2)>
                                    {format!("{} {:?} {}", name, t.shape, t.dtype)}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </label>
            })}
        </div>
        <span class="hidden" data-testid="wl-upload-attempts">{move || st.attempts.get()}</span>
        {move || st.upload_error.with(|e| e.as_ref().map(|e| view! {
            <p class="error" role="alert" data-testid="wl-upload-error">{format!("{e}; the previous tensor stays")}</p>
        }))}
        {move || st.progress.get().map(|p| view! {
            <p class="notice" role="status" data-testid="wl-progress"><progress></progress>" "{p}</p>
        })}
    }
}

/// Where the tensor comes from and its settings.
#[component]
pub fn TensorControls() -> impl IntoView {
    let st = WeightState::use_();
    let state = st.state;
    let source = st.source;
    view! {
        <fieldset>
            <legend>"Tensor"</legend>
            <label>"Source "
                <select data-testid="wl-source" on:change=move |ev| {
                    if let Some(k) = parse_id::<WeightSource>(&event_target_value(&ev)) {
                        st.set(|s| s.source = k);
                    }
                }>
                    <option value="synthetic" selected=move || source.get() == WeightSource::Synthetic>"Synthetic"</option>
                    <option value="drawn" selected=move || source.get() == WeightSource::Drawn>"Drawn histogram"</option>
                    <option value="file" selected=move || source.get() == WeightSource::File>"Upload a file"</option>
                    <option value="mlp" selected=move || source.get() == WeightSource::Mlp disabled=true>"MLP lab (from its layer links)"</option>
                </select>
            </label>
            {file_controls(st)}
            <div class:hidden=move || source.get() != WeightSource::Synthetic>
                <label>"Distribution "
                    {id_select("wl-dist".into(),
                        WeightDist::ALL.iter().map(|&d| (d, d.id(), d.label().to_string())).collect(),
                        move || state.with(|s| s.dist),
                        move |d| st.set(|s| s.dist = d))}
                </label>
                <label>"σ " {number("wl-sigma", |s| s.sigma, |s, v| s.sigma = v)}</label>
                <label class:hidden=move || state.with(|s| s.dist != WeightDist::StudentT)>"ν " {number("wl-nu", |s| s.nu, |s, v| s.nu = v)}</label>
                <label class:hidden=move || state.with(|s| s.dist != WeightDist::Bimodal)>"Mode distance (σ) " {number("wl-sep", |s| s.sep, |s, v| s.sep = v)}</label>
                <label>"Row spread " {number("wl-spread", |s| s.spread, |s, v| s.spread = v)}</label>
            </div>
            <div class:hidden=move || source.get() != WeightSource::Drawn>
                <DrawnBars/>
                <label>"Range ± " {number("wl-hist-range", |s| s.hist_range, |s, v| s.hist_range = v)}</label>
            </div>
            <div class:hidden=move || source.get() == WeightSource::File>
                <label>"Rows " {number("wl-rows", |s| s.rows, |s, v| s.rows = v)}</label>
                <label>"Columns " {number("wl-cols", |s| s.cols, |s, v| s.cols = v)}</label>
                <label>"Seed " {number("wl-seed", |s| s.seed, |s, v| s.seed = v)}</label>
            </div>
        </fieldset>
    }
}

/// The quantizer (the shared scheme controls with the granularity rows) and how scales are
/// stored.
#[component]
pub fn QuantizerControls() -> impl IntoView {
    let st = WeightState::use_();
    let state = st.state;
    // A new grouping (granularity, axis or group size) starts again at its first group.
    let edit_scheme = move |f: &dyn Fn(&mut Scheme)| {
        st.set(|s| {
            let grouping = |s: &Scheme| (s.granularity, s.axis, s.group_size);
            let before = grouping(&s.scheme);
            f(&mut s.scheme);
            if grouping(&s.scheme) != before {
                s.group = 0;
            }
        })
    };
    view! {
        <fieldset>
            <legend>"Quantizer"</legend>
            <SchemeControls prefix="wl-" granularity=true
                scheme=Signal::derive(move || state.with(|s| s.scheme)) edit=edit_scheme/>
            // Offered only where the scheme stores its scales in the chosen dtype (the
            // core's descriptor says which); elsewhere the page says why not.
            {move || match state.with(|s| s.scheme.scheme.scales().fixed_scale_storage()) {
                None => view! {
                    <label>"Scales stored as "
                        {id_select("wl-scale-dtype".into(),
                            ScaleDtype::ALL.iter().map(|&d| (d, d.id(), d.id().to_string())).collect(),
                            move || state.with(|s| s.scale_dtype),
                            move |d| st.set(|s| s.scale_dtype = d))}
                    </label>
                }.into_any(),
                Some(why) => view! {
                    <p class="hint" data-testid="wl-scale-dtype-fixed">
                        {format!("Scales stored as: fixed ({why}).")}
                    </p>
                }.into_any(),
            }}
        </fieldset>
    }
}

/// The figures of the Weight lab an embed can show (`views=`).
pub const EMBED_VIEWS: &[Choice] = &[
    ("histogram", "Histogram with the levels"),
    ("worked", "r = S·(q − Z) on one weight"),
    ("heatmap", "Scales and error heat map"),
    ("packing", "Packing into bytes"),
    ("comparison", "Every format side by side"),
];

/// The controls of the Weight lab an embed can show (`controls=`, by their test ids).
pub const EMBED_CONTROLS: &[Choice] = &[
    ("wl-scheme", "Scheme"),
    ("wl-bits", "Bits"),
    ("wl-mode", "Range mapping"),
    ("wl-granularity", "Granularity"),
    ("wl-group-size", "Group size"),
    ("wl-scale-dtype", "Scales stored as"),
    ("wl-dist", "Distribution"),
    ("wl-seed", "Seed"),
    ("wl-spread", "Per-row gains"),
    ("wl-group", "Channel / group"),
    ("wl-pick", "Weight in it"),
    ("wl-pack-bits", "Packing width"),
    ("wl-log", "Log count"),
];

/// What the views show: histogram scale and bins, the group and weight worked through, the
/// packing.
#[component]
pub fn ViewControls() -> impl IntoView {
    let st = WeightState::use_();
    let state = st.state;
    let result = WeightPipeline::use_().result;
    view! {
        <fieldset>
            <legend>"Views"</legend>
            <label><input type="checkbox" data-testid="wl-log" prop:checked=move || state.with(|s| s.log)
                on:change=move |ev| { let on = event_target_checked(&ev); st.set(|s| s.log = on) }/>" log count"</label>
            <label>"Bins " {number("wl-bins", |s| s.bins, |s, v| s.bins = v)}</label>
            <label>"Channel / group " {number("wl-group", |s| s.group, |s, v| s.group = v)}
                <output data-testid="wl-group-count">{move || result.with(|r| r.as_ref().map(|r| format!("of {}", r.geometry.num_groups())).unwrap_or_else(|_| "—".into()))}</output></label>
            <label>"Weight in it " {number("wl-pick", |s| s.pick, |s, v| s.pick = v)}</label>
            <div class="buttons">
                <button type="button" data-testid="wl-go-worst" on:click=move |_| {
                    if let Ok(r) = result.get_untracked() { let g = r.worst_group().0; st.set(|s| s.group = g) }
                }>"Go to the worst group"</button>
            </div>
            <label>"Packing width "
                <select data-testid="wl-pack-bits" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { st.set(|s| s.pack_bits = v) } }>
                    {[1u32, 2, 3, 4, 8].into_iter().map(|b| view! {
                        <option value=b.to_string() selected=move || state.with(|s| s.pack_bits == b)>{format!("{b} bits")}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"First weights " {number("wl-pack-n", |s| s.pack_n, |s, v| s.pack_n = v)}</label>
        </fieldset>
        <fieldset class="share">
            <legend>"Share"</legend>
            <p class="hint">"The address bar holds every setting: copy it to share this exact view."
                {move || (st.source.get() == WeightSource::File).then(|| view! {
                    <strong data-testid="wl-share-file-note">" An uploaded file never travels in a link: whoever opens it is asked for the file (the tensor name is kept)."</strong>
                })}
                {move || matches!(st.source.get(), WeightSource::File | WeightSource::Mlp).then(|| view! {
                    <strong data-testid="wl-embed-source-note">" An embed cannot reach this tensor (it lives in this browser only): the embed below shows the synthetic tensor instead."</strong>
                })}
            </p>
            <EmbedBuilder lab="weight" title="Weight lab" views=EMBED_VIEWS
                default_views=&["histogram"] controls=EMBED_CONTROLS
                state_query=Signal::derive(move || state.with(|s| quantlab_core::url_state::to_query(&s.for_embed())))/>
        </fieldset>
    }
}
