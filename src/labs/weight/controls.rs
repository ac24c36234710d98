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
use crate::lang::fill::{fill, per_locale, td_string};
use crate::lang::{Locale, t_string, use_i18n};
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
    let i18n = use_i18n();
    view! {
        <div class:hidden=move || st.source.get() != WeightSource::File>
            <label>{move || t_string!(i18n, weight.file)}
                <input type="file" data-testid="wl-upload" accept=".safetensors,.npy,.gguf" on:change=move |ev| files.open(ev)/>
            </label>
            <p class="hint">{move || t_string!(i18n, weight.file_read_hint)}</p>
            {move || st.index.get().map(|idx| view! {
                <label>{move || t_string!(i18n, weight.tensor_label)}
                    <select data-testid="wl-tensor" on:change=move |ev| files.load_tensor(event_target_value(&ev))>
                        {idx.tensors.iter().map(|t| {
                            let name = t.name.clone();
                            let n2 = name.clone();
                            // FP8 / int8 codes read with their scale tensor: "× its name".
                            let scale = quantlab_core::weights::scaled::scale_of(&idx, t).map(|s| {
                                crate::lang::fill::fill(t_string!(i18n, weight.times_scale), &[("scale", &s.name)])
                            });
                            view! {
                                <option value=name.clone() disabled=!t.supported()
                                    selected=move || state.with(|s| s.tensor == n2)>
                                    {format!("{} {:?} {}{}", name, t.shape, t.dtype, scale.map(|s| format!(" {s}")).unwrap_or_default())}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </label>
            })}
        </div>
        <span class="hidden" data-testid="wl-upload-attempts">{move || st.attempts.get()}</span>
        {move || st.upload_error.with(|e| e.as_ref().map(|e| view! {
            <p class="error" role="alert" data-testid="wl-upload-error">{fill(t_string!(i18n, weight.upload_error), &[("error", &e.message(i18n.get_locale()))])}</p>
        }))}
        {move || st.progress.get().map(|p| view! {
            <p class="notice" role="status" data-testid="wl-progress"><progress></progress>" "{p.message(i18n.get_locale())}</p>
        })}
    }
}

/// Where the tensor comes from and its settings.
#[component]
pub fn TensorControls() -> impl IntoView {
    let st = WeightState::use_();
    let state = st.state;
    let source = st.source;
    let i18n = use_i18n();
    view! {
        <fieldset>
            <legend>{move || t_string!(i18n, weight.tensor)}</legend>
            <label>{move || t_string!(i18n, weight.source)}
                <select data-testid="wl-source" on:change=move |ev| {
                    if let Some(k) = parse_id::<WeightSource>(&event_target_value(&ev)) {
                        st.set(|s| s.source = k);
                    }
                }>
                    <option value="synthetic" selected=move || source.get() == WeightSource::Synthetic>{move || t_string!(i18n, weight.src_synthetic)}</option>
                    <option value="drawn" selected=move || source.get() == WeightSource::Drawn>{move || t_string!(i18n, weight.src_drawn)}</option>
                    <option value="file" selected=move || source.get() == WeightSource::File>{move || t_string!(i18n, weight.src_file)}</option>
                    <option value="mlp" selected=move || source.get() == WeightSource::Mlp disabled=true>{move || t_string!(i18n, weight.src_mlp)}</option>
                </select>
            </label>
            {file_controls(st)}
            <div class:hidden=move || source.get() != WeightSource::Synthetic>
                <label>{move || t_string!(i18n, weight.distribution)}
                    {move || {
                        let l = i18n.get_locale();
                        id_select("wl-dist".into(),
                            WeightDist::ALL.iter().map(|&d| (d, d.id(), dist_label(d, l).to_string())).collect(),
                            move || state.with(|s| s.dist),
                            move |d| st.set(|s| s.dist = d))
                    }}
                </label>
                <label>"σ " {number("wl-sigma", |s| s.sigma, |s, v| s.sigma = v)}</label>
                <label class:hidden=move || state.with(|s| s.dist != WeightDist::StudentT)>"ν " {number("wl-nu", |s| s.nu, |s, v| s.nu = v)}</label>
                <label class:hidden=move || state.with(|s| s.dist != WeightDist::Bimodal)>{move || t_string!(i18n, weight.mode_distance)} {number("wl-sep", |s| s.sep, |s, v| s.sep = v)}</label>
                <label>{move || t_string!(i18n, weight.row_spread)} {number("wl-spread", |s| s.spread, |s, v| s.spread = v)}</label>
                <label>{move || t_string!(i18n, weight.outliers)} {number("wl-outliers", |s| s.outliers, |s, v| s.outliers = v)}</label>
                <label class:hidden=move || state.with(|s| s.outliers == 0)>{move || t_string!(i18n, weight.outlier_gain)} {number("wl-outlier-gain", |s| s.outlier_gain, |s, v| s.outlier_gain = v)}</label>
            </div>
            <div class:hidden=move || source.get() != WeightSource::Drawn>
                <DrawnBars/>
                <label>{move || t_string!(i18n, weight.range)} {number("wl-hist-range", |s| s.hist_range, |s, v| s.hist_range = v)}</label>
            </div>
            <div class:hidden=move || source.get() == WeightSource::File>
                <label>{move || t_string!(i18n, weight.rows)} {number("wl-rows", |s| s.rows, |s, v| s.rows = v)}</label>
                <label>{move || t_string!(i18n, weight.columns)} {number("wl-cols", |s| s.cols, |s, v| s.cols = v)}</label>
                <label>{move || t_string!(i18n, weight.seed)} {number("wl-seed", |s| s.seed, |s, v| s.seed = v)}</label>
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
    let i18n = use_i18n();
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
            <legend>{move || t_string!(i18n, weight.quantizer)}</legend>
            // The shared controls' words are translated in `src/widgets/` (a wrapper that
            // does not change the layout, so tests can tell whose words are whose).
            <div class="scheme-controls" style="display: contents">
                <SchemeControls prefix="wl-" granularity=true
                    scheme=Signal::derive(move || state.with(|s| s.scheme)) edit=edit_scheme/>
            </div>
            // Offered only where the scheme stores its scales in the chosen dtype (the
            // core's descriptor says which); elsewhere the page says why not.
            {move || match state.with(|s| s.scheme.scheme.scales().fixed_scale_storage()) {
                None => view! {
                    <label>{move || t_string!(i18n, weight.scales_stored)}
                        {id_select("wl-scale-dtype".into(),
                            ScaleDtype::ALL.iter().map(|&d| (d, d.id(), d.id().to_string())).collect(),
                            move || state.with(|s| s.scale_dtype),
                            move |d| st.set(|s| s.scale_dtype = d))}
                    </label>
                }.into_any(),
                Some(why) => view! {
                    <p class="hint" data-testid="wl-scale-dtype-fixed">
                        {move || fill(t_string!(i18n, weight.scales_fixed), &[("why", why)])}
                    </p>
                }.into_any(),
            }}
        </fieldset>
    }
}

/// A distribution's menu label in `l`.
fn dist_label(d: WeightDist, l: Locale) -> &'static str {
    match d {
        WeightDist::Normal => td_string!(l, weight.dist_normal),
        WeightDist::Laplace => td_string!(l, weight.dist_laplace),
        WeightDist::StudentT => td_string!(l, weight.dist_student),
        WeightDist::Bimodal => td_string!(l, weight.dist_bimodal),
        WeightDist::Uniform => td_string!(l, weight.dist_uniform),
    }
}

/// The figures of the Weight lab an embed can show (`views=`), in `locale`.
pub fn embed_views(locale: Locale) -> &'static [Choice] {
    static CELLS: [std::sync::OnceLock<Vec<Choice>>; 2] = [const { std::sync::OnceLock::new() }; 2];
    per_locale(&CELLS, locale, |l| {
        vec![
            ("histogram", td_string!(l, weight.e_histogram)),
            ("worked", td_string!(l, weight.e_worked)),
            ("heatmap", td_string!(l, weight.e_heatmap)),
            ("inspector", td_string!(l, weight.e_inspector)),
            ("card", td_string!(l, weight.card_heading)),
            ("packing", td_string!(l, weight.e_packing)),
            ("rotation", td_string!(l, weight.e_rotation)),
            ("comparison", td_string!(l, weight.e_comparison)),
        ]
    })
    .as_slice()
}

/// The controls of the Weight lab an embed can show (`controls=`, by their test ids), in
/// `locale`.
pub fn embed_controls(locale: Locale) -> &'static [Choice] {
    static CELLS: [std::sync::OnceLock<Vec<Choice>>; 2] = [const { std::sync::OnceLock::new() }; 2];
    per_locale(&CELLS, locale, |l| {
        vec![
            ("wl-scheme", td_string!(l, weight.e_scheme)),
            ("wl-bits", td_string!(l, weight.e_bits)),
            ("wl-mode", td_string!(l, weight.e_mode)),
            ("wl-granularity", td_string!(l, weight.e_granularity)),
            ("wl-group-size", td_string!(l, weight.e_group_size)),
            ("wl-rotate", td_string!(l, weight.e_rotate)),
            ("wl-scale-dtype", td_string!(l, weight.e_scale_dtype)),
            ("wl-dist", td_string!(l, weight.e_dist)),
            ("wl-seed", td_string!(l, weight.e_seed)),
            ("wl-spread", td_string!(l, weight.e_spread)),
            ("wl-group", td_string!(l, weight.e_group)),
            ("wl-pick", td_string!(l, weight.e_pick)),
            ("wl-pack-bits", td_string!(l, weight.e_pack_bits)),
            ("wl-log", td_string!(l, weight.e_log)),
        ]
    })
    .as_slice()
}

/// What the views show: histogram scale and bins, the group and weight worked through, the
/// packing.
#[component]
pub fn ViewControls() -> impl IntoView {
    let st = WeightState::use_();
    let state = st.state;
    let result = WeightPipeline::use_().result;
    let i18n = use_i18n();
    view! {
        <fieldset>
            <legend>{move || t_string!(i18n, weight.views)}</legend>
            <label><input type="checkbox" data-testid="wl-log" prop:checked=move || state.with(|s| s.log)
                on:change=move |ev| { let on = event_target_checked(&ev); st.set(|s| s.log = on) }/>{move || t_string!(i18n, weight.log_count)}</label>
            <label>{move || t_string!(i18n, weight.bins)} {number("wl-bins", |s| s.bins, |s, v| s.bins = v)}</label>
            <label>{move || t_string!(i18n, weight.channel_group)} {number("wl-group", |s| s.group, |s, v| s.group = v)}
                <output data-testid="wl-group-count">{move || result.with(|r| r.as_ref().map(|r| fill(t_string!(i18n, weight.of_n), &[("n", &r.geometry.num_groups().to_string())])).unwrap_or_else(|_| "—".into()))}</output></label>
            <label>{move || t_string!(i18n, weight.weight_in_it)} {number("wl-pick", |s| s.pick, |s, v| s.pick = v)}</label>
            <div class="buttons">
                <button type="button" data-testid="wl-go-worst" on:click=move |_| {
                    if let Ok(r) = result.get_untracked() { let g = r.worst_group().0; st.set(|s| s.group = g) }
                }>{move || t_string!(i18n, weight.go_worst)}</button>
            </div>
            <label>{move || t_string!(i18n, weight.packing_width)}
                <select data-testid="wl-pack-bits" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { st.set(|s| s.pack_bits = v) } }>
                    {[1u32, 2, 3, 4, 8].into_iter().map(|b| view! {
                        <option value=b.to_string() selected=move || state.with(|s| s.pack_bits == b)>{move || fill(t_string!(i18n, weight.n_bits), &[("b", &b.to_string())])}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{move || t_string!(i18n, weight.first_weights)} {number("wl-pack-n", |s| s.pack_n, |s, v| s.pack_n = v)}</label>
        </fieldset>
        <fieldset class="share">
            <legend>{move || t_string!(i18n, weight.share)}</legend>
            <p class="hint">{move || t_string!(i18n, weight.share_hint)}
                {move || (st.source.get() == WeightSource::File).then(|| view! {
                    <strong data-testid="wl-share-file-note">{move || t_string!(i18n, weight.share_file_note)}</strong>
                })}
                {move || matches!(st.source.get(), WeightSource::File | WeightSource::Mlp).then(|| view! {
                    <strong data-testid="wl-embed-source-note">{move || t_string!(i18n, weight.embed_source_note)}</strong>
                })}
            </p>
            {move || {
                let l = i18n.get_locale();
                view! {
                    <EmbedBuilder lab="weight" title=td_string!(l, weight.title) views=embed_views(l)
                        default_views=&["histogram"] controls=embed_controls(l)
                        state_query=Signal::derive(move || state.with(|s| quantlab_core::url_state::to_query(&s.for_embed())))/>
                }
            }}
        </fieldset>
    }
}
