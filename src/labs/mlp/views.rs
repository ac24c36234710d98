//! The MLP lab's controls and tables.

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::mlp::{OptimizerKind, QuantConfig};

use super::data::{self, LoadedData};
use super::results::{ConfigResult, SessionRows, TrainedModel, acc_testid};
use super::state::{DataChoice, MlpLabState, weight_lab_link};
use super::words::{config_label, dataset_name, num_td};
use crate::format::{fixed, num};
use crate::lang::numbers::localize;
use crate::lang::{I18nContext, t, t_string, use_i18n};
use crate::url::parse_id;

/// Reads the files chosen in a file input, in order, as `(name, bytes)`.
async fn read_files(
    input: web_sys::HtmlInputElement,
    i18n: I18nContext,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let Some(list) = input.files() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for i in 0..list.length() {
        let Some(f) = list.get(i) else { continue };
        let name = f.name();
        if f.size() > data::MAX_FILE_BYTES as f64 {
            let mb = format!("{:.0}", f.size() / 1048576.0);
            let max = data::MAX_FILE_BYTES >> 20;
            return Err(super::words::fill(
                t_string!(i18n, mlp.file_too_big),
                &[("name", &name), ("mb", &mb), ("max", &max)],
            ));
        }
        let buf = wasm_bindgen_futures::JsFuture::from(f.array_buffer())
            .await
            .map_err(|_| {
                super::words::fill(
                    t_string!(i18n, mlp.file_unreadable),
                    &[("name", &(name.clone()))],
                )
            })?;
        out.push((name, js_sys::Uint8Array::new(&buf).to_vec()));
    }
    Ok(out)
}

fn file_input(ev: &leptos::ev::Event) -> Option<web_sys::HtmlInputElement> {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
}

/// The form: data, architecture, optimizer, run buttons, uploads.
#[component]
pub fn Controls(
    /// The URL state.
    state: RwSignal<MlpLabState>,
    /// Starts training.
    lab_start: Callback<()>,
    /// Stops training.
    lab_stop: Callback<()>,
    /// Receives parsed uploads.
    on_upload: Callback<Result<LoadedData, String>>,
    /// Whether a run is in progress.
    running: Signal<bool>,
    /// What is wrong with the settings, if anything.
    settings_error: Signal<Option<String>>,
    /// The loaded data.
    data: Signal<Option<Arc<LoadedData>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let set = move |f: &dyn Fn(&mut MlpLabState)| state.update(|s| f(s));
    let upload_busy = RwSignal::new(String::new());
    let on_files = move |ev: leptos::ev::Event, cifar: bool| {
        let Some(input) = file_input(&ev) else { return };
        upload_busy.set(t_string!(i18n, mlp.reading_files).into());
        set(&|s| s.dataset = DataChoice::Upload);
        leptos::task::spawn_local(async move {
            let parsed = match read_files(input, i18n).await {
                Ok(files) if files.is_empty() => Err(t_string!(i18n, mlp.no_file).to_string()),
                Ok(files) => {
                    if cifar {
                        data::load_cifar(&files)
                    } else {
                        data::load_idx(&files)
                    }
                }
                Err(e) => Err(e),
            };
            upload_busy.set(String::new());
            on_upload.run(parsed.map_err(|e| {
                super::words::fill(t_string!(i18n, mlp.nothing_loaded), &[("error", &e)])
            }));
        });
    };
    let is_upload = move || state.with(|s| s.dataset == DataChoice::Upload);
    let number = |ev: &leptos::ev::Event| event_target_value(ev).trim().to_string();
    view! {
        <form class="controls" on:submit=|ev| ev.prevent_default()>
            <fieldset>
                <legend>{t!(i18n, mlp.legend_data)}</legend>
                <label>{t!(i18n, mlp.dataset)}
                    <select data-testid="dataset" on:change=move |ev| {
                        if let Some(c) = parse_id::<DataChoice>(&event_target_value(&ev)) {
                            state.update(|s| {
                                let mut fresh = MlpLabState::for_choice(c);
                                fresh.seed = s.seed;
                                fresh.cm = s.cm.clone();
                                *s = fresh;
                            });
                        }
                    }>
                        {DataChoice::ALL.iter().map(|&c| view! {
                            <option value=c.id() selected=move || state.with(|s| s.dataset == c)>
                                {move || if c == DataChoice::Upload { t_string!(i18n, mlp.upload_label).to_string() } else { dataset_name(c.label(), i18n) }}</option>
                        }).collect_view()}
                    </select>
                </label>
                <div class:hidden=move || !is_upload()>
                    <label>{t!(i18n, mlp.upload_idx)}
                        <input type="file" multiple data-testid="upload-idx" accept=".gz,.idx,.ubyte,application/octet-stream,*"
                            on:change=move |ev| on_files(ev, false)/>
                    </label>
                    <label>{t!(i18n, mlp.upload_cifar)}
                        <input type="file" multiple data-testid="upload-cifar" accept=".bin,.gz"
                            on:change=move |ev| on_files(ev, true)/>
                    </label>
                    <p class="hint">{move || upload_busy.get()}{t!(i18n, mlp.upload_hint)}</p>
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, mlp.legend_model)}</legend>
                <label>{t!(i18n, mlp.hidden)}
                    <input type="text" data-testid="hidden" size="10" placeholder=move || t_string!(i18n, mlp.hidden_placeholder)
                        prop:value=move || state.with(|s| s.hidden.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); set(&|s| s.hidden = v.clone()); }/>
                </label>
                <label>{t!(i18n, mlp.optimizer)}
                    <select data-testid="optimizer" on:change=move |ev| {
                        if let Some(o) = parse_id::<OptimizerKind>(&event_target_value(&ev)) {
                            set(&|s| s.optimizer = o);
                        }
                    }>
                        <option value="sgd" selected=move || state.with(|s| s.optimizer == OptimizerKind::Sgd)>{t!(i18n, mlp.sgd_momentum)}</option>
                        <option value="adam" selected=move || state.with(|s| s.optimizer == OptimizerKind::Adam)>"Adam"</option>
                    </select>
                </label>
                <label>{t!(i18n, mlp.lr)}
                    <input type="text" inputmode="decimal" data-testid="lr" size="8"
                        prop:value=move || state.with(|s| s.lr.to_string())
                        on:change=move |ev| {
                            let v = number(&ev).parse::<f64>().unwrap_or(f64::NAN);
                            set(&|s| s.lr = v);
                        }/>
                </label>
                <label class:hidden=move || state.with(|s| s.optimizer != OptimizerKind::Sgd)>{t!(i18n, mlp.momentum)}
                    <input type="text" inputmode="decimal" data-testid="momentum" size="6"
                        prop:value=move || state.with(|s| s.momentum.to_string())
                        on:change=move |ev| {
                            let v = number(&ev).parse::<f64>().unwrap_or(f64::NAN);
                            set(&|s| s.momentum = v);
                        }/>
                </label>
                <label>{t!(i18n, mlp.epochs)}
                    <input type="number" data-testid="epochs" min="1" max="1000" step="1"
                        prop:value=move || state.with(|s| s.epochs.to_string())
                        on:change=move |ev| {
                            let v = number(&ev).parse::<usize>().unwrap_or(0);
                            set(&|s| s.epochs = v);
                        }/>
                </label>
                <label>{t!(i18n, mlp.batch)}
                    <input type="number" data-testid="batch" min="1" max="4096" step="1"
                        prop:value=move || state.with(|s| s.batch.to_string())
                        on:change=move |ev| {
                            let v = number(&ev).parse::<usize>().unwrap_or(0);
                            set(&|s| s.batch = v);
                        }/>
                </label>
                <label>{t!(i18n, mlp.seed)}
                    <input type="number" data-testid="seed" min="0" step="1"
                        prop:value=move || state.with(|s| s.seed.to_string())
                        on:change=move |ev| {
                            if let Ok(v) = number(&ev).parse::<u64>() {
                                set(&|s| s.seed = v);
                            }
                        }/>
                </label>
                <label class:hidden=move || data.with(|d| d.as_ref().is_none_or(|d| d.image.is_none()))>{t!(i18n, mlp.shift)}
                    <input type="number" data-testid="shift" min="0" max="4" step="1"
                        prop:value=move || state.with(|s| s.shift.to_string())
                        on:change=move |ev| {
                            let v = number(&ev).parse::<u32>().unwrap_or(u32::MAX);
                            set(&|s| s.shift = v);
                        }/>
                </label>
                {move || settings_error.get().map(|e| view! { <p class="error" role="alert" data-testid="settings-error">{e}</p> })}
                <div class="buttons">
                    <button type="button" data-testid="train" on:click=move |_| lab_start.run(())
                        disabled=move || data.with(Option::is_none)>
                        {move || if running.get() { t_string!(i18n, mlp.restart) } else { t_string!(i18n, mlp.train) }}</button>
                    <button type="button" data-testid="stop" on:click=move |_| lab_stop.run(())
                        disabled=move || !running.get()>{t!(i18n, mlp.stop)}</button>
                </div>
                <p class="hint">{t!(i18n, mlp.train_hint)}</p>
            </fieldset>
        </form>
    }
}

/// A line about the loaded data.
#[component]
pub fn DataSummary(
    /// The loaded data.
    data: Signal<Option<Arc<LoadedData>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        data.get().map(|d| {
            let t = &d.split.train;
            let l = i18n.get_locale();
            let n = |v: usize| localize(&v.to_string(), l);
            let images = d
                .image
                .map(|(r, c)| super::words::fill(t_string!(i18n, mlp.summary_images), &[("r", &r), ("c", &c)]))
                .unwrap_or_default();
            view! {
                <p class="hint" data-testid="data-summary">
                    {super::words::fill(t_string!(i18n, mlp.summary), &[("name", &(dataset_name(&d.name, i18n))), ("train", &(n(t.n))), ("test", &(n(d.split.test.n))), ("d", &t.d), ("classes", &t.classes), ("images", &images)])}
                    {d.notes.iter().map(|n| view! { <span class="notice" data-testid="data-note">{format!(" {n}.")}</span> }).collect_view()}
                </p>
            }
        })
    }
}

/// The accuracy table of the current model: every configuration, its test accuracy, its
/// distance from fp32 and its size.
#[component]
pub fn AccuracyTable(
    /// Measured configurations (filled one by one).
    results: Signal<Vec<ConfigResult>>,
    /// The model.
    model: Signal<Option<Arc<TrainedModel>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let m = model.get()?;
        let rows = results.get();
        let fp32 = rows.first().map(|r| (r.accuracy, r.size.total()));
        let l = i18n.get_locale();
        let stopped = if m.stopped {
            super::words::fill(t_string!(i18n, mlp.acc_stopped), &[("n", &m.epochs_done)])
        } else {
            String::new()
        };
        Some(view! {
            <table class="mem-table" data-testid="accuracy-table">
                <caption>{super::words::fill(t_string!(i18n, mlp.acc_caption), &[("name", &(dataset_name(&m.data.name, i18n))), ("n", &(localize(&m.data.split.test.n.to_string(), l))), ("stopped", &stopped)])}</caption>
                <thead><tr><th>{t!(i18n, mlp.col_configuration)}</th><th>{t!(i18n, mlp.col_weights)}</th><th>{t!(i18n, mlp.col_activations)}</th>
                    <th>{t!(i18n, mlp.col_accuracy)}</th><th>{t!(i18n, mlp.col_delta)}</th><th>{t!(i18n, mlp.col_size)}</th>
                    <th>{t!(i18n, mlp.col_parts)}</th><th>{t!(i18n, mlp.col_smaller)}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let c = r.config;
                        let (base_acc, base_size) = fp32.unwrap_or((r.accuracy, r.size.total()));
                        let acts = if c.activations == quantlab_core::mlp::Activations::Int8PerToken { t_string!(i18n, mlp.acts_int8) } else { "fp32" };
                        view! {
                            <tr data-config=c.id()>
                                <th>{config_label(c, i18n)}</th>
                                <td>{c.weights.name()}</td>
                                <td>{acts}</td>
                                {num_td(Some(acc_testid(c)), fixed(100.0 * f64::from(r.accuracy), 2), i18n)}
                                {num_td(Some(format!("delta-{}", c.id())), fixed(100.0 * f64::from(r.accuracy - base_acc), 2), i18n)}
                                {num_td(Some(format!("size-{}", c.id())), r.size.total().to_string(), i18n)}
                                <td class="num">{format!("{} + {} + {}", localize(&r.size.weights.to_string(), l),
                                    localize(&r.size.scales.to_string(), l), localize(&r.size.biases.to_string(), l))}</td>
                                {num_td(None, fixed(base_size as f64 / r.size.total().max(1) as f64, 2), i18n)}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="hint" data-testid="block-float-hint">{t!(i18n, mlp.block_float_hint)}</p>
        })
    }
}

/// The course's experiment across the datasets trained in this session.
#[component]
pub fn SessionTable(
    /// `(dataset, [(config id, accuracy)])` per dataset trained.
    session: Signal<SessionRows>,
) -> impl IntoView {
    let cols = [
        QuantConfig::FP32,
        QuantConfig::W8,
        QuantConfig::W4_G128,
        QuantConfig::W8A8,
        QuantConfig::W8_PER_TENSOR,
        QuantConfig::W4_G32,
        QuantConfig::NF4,
        QuantConfig::MXFP4,
        QuantConfig::MXFP8_E4M3,
        QuantConfig::NVFP4,
    ];
    let i18n = use_i18n();
    move || {
        let s = session.get();
        (!s.is_empty()).then(|| view! {
            <table class="mem-table" data-testid="session-table">
                <caption>{t!(i18n, mlp.session_caption)}</caption>
                <thead><tr><th>{t!(i18n, mlp.col_dataset)}</th>{cols.iter().map(|&c| view! { <th>{move || config_label(c, i18n)}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {s.into_iter().map(|(name, row)| view! {
                        <tr>
                            <th>{dataset_name(&name, i18n)}</th>
                            {cols.iter().map(|c| {
                                let id = c.id();
                                let v = row.iter().find(|(k, _)| *k == id).map(|(_, a)| fixed(100.0 * f64::from(*a), 2)).unwrap_or_else(|| "—".into());
                                num_td(None, v, i18n)
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })
    }
}

/// The confusion matrix of one configuration (chosen in the URL's `cm`).
#[component]
pub fn Confusion(
    /// The URL state (`cm`).
    state: RwSignal<MlpLabState>,
    /// Measured configurations.
    results: Signal<Vec<ConfigResult>>,
    /// The model.
    model: Signal<Option<Arc<TrainedModel>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let m = model.get()?;
        let rows = results.get();
        if rows.is_empty() {
            return None;
        }
        let cm = state.with(|s| s.cm.clone());
        let r = rows
            .iter()
            .find(|r| r.config.id() == cm)
            .or(rows.first())?
            .clone();
        let names = m.data.class_names().to_vec();
        let k = names.len();
        let many = k > 12;
        let by_number = if many {
            t_string!(i18n, mlp.cm_by_number)
        } else {
            ""
        };
        Some(view! {
            <div class="confusion">
                <label>{t!(i18n, mlp.cm_of)}
                    <select data-testid="cm-config" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        state.update(|s| s.cm = v.clone());
                    }>
                        {rows.iter().map(|x| {
                            let id = x.config.id();
                            view! { <option value=id.clone() selected=id == r.config.id()>{config_label(x.config, i18n)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <table class="mem-table confusion-table" data-testid="confusion">
                    <caption>{super::words::fill(t_string!(i18n, mlp.cm_caption), &[("config", &(config_label(r.config, i18n))), ("many", &by_number)])}</caption>
                    <thead><tr><th>{t!(i18n, mlp.cm_corner)}</th>
                        {(0..k).map(|p| view! { <th>{if many { p.to_string() } else { names[p].clone() }}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {(0..k).map(|t| view! {
                            <tr><th>{if many { t.to_string() } else { names[t].clone() }}</th>
                                {(0..k).map(|p| {
                                    let v = r.confusion.get(t * k + p).copied().unwrap_or(0);
                                    view! { <td class="num" class:diag=t == p class:muted=v == 0>{localize(&v.to_string(), i18n.get_locale())}</td> }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })
    }
}

/// Each layer's output SNR against fp32, per configuration, with a link per layer to the
/// Weight lab.
#[component]
pub fn LayerErrors(
    /// Measured configurations.
    results: Signal<Vec<ConfigResult>>,
    /// The model.
    model: Signal<Option<Arc<TrainedModel>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let m = model.get()?;
        let rows = results.get();
        if rows.is_empty() {
            return None;
        }
        let l10n = i18n.get_locale();
        let dims = m.mlp.dims();
        let layers = m.mlp.layers.len();
        let choice = m.choice;
        Some(view! {
            <table class="mem-table" data-testid="layer-errors">
                <caption>{t!(i18n, mlp.layers_caption)}</caption>
                <thead>
                    <tr><th>{t!(i18n, mlp.col_configuration)}</th>
                        {(0..layers).map(|l| view! {
                            <th>{super::words::fill(t_string!(i18n, mlp.layer_head), &[("n", &(l + 1)), ("a", &(dims[l])), ("b", &(dims[l + 1]))])}
                                {(choice != DataChoice::Upload).then(|| view! {
                                    <a data-testid=format!("weight-link-{l}") href=weight_lab_link(choice, l)
                                        title=t_string!(i18n, mlp.weights_link_title)
                                        on:click={
                                            let m = m.clone();
                                            move |_| {
                                                // Before the browser follows the link.
                                                if let Some(layer) = m.mlp.layers.get(l)
                                                    && let Err(e) = crate::handoff::store(choice.id(), l as u32, layer.out_dim, layer.in_dim, &layer.weight)
                                                {
                                                    leptos::logging::warn!("{e}");
                                                }
                                            }
                                        }>{t!(i18n, mlp.weights_link)}</a>
                                })}
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <th>{config_label(r.config, i18n)}</th>
                            {r.layers.iter().map(|e| {
                                let plain = fixed(e.snr_db, 2);
                                view! {
                                    <td class="num" data-testid=format!("snr-{}-{}", r.config.id(), e.layer) data-value=plain.clone()
                                        title=super::words::fill(t_string!(i18n, mlp.snr_title), &[("mse", &(localize(&num(e.mse), l10n))), ("max", &(localize(&num(e.max_abs_error), l10n)))])>
                                        {localize(&plain, l10n)}</td>
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })
    }
}
