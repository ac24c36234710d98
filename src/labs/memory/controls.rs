//! The Memory lab's form: model, mode, inference and training settings, overhead, GPU.
//! Every control is a labelled native element (keyboard operable) bound to one field of
//! [`MemoryLabState`].

use leptos::prelude::*;
use quantlab_core::memory::units::format_decimal;
use quantlab_core::memory::{
    GpuPreset, KvCacheDtype, LinearModule, ModelPreset, WeightFormat, parse_hf_config,
};
use wasm_bindgen::JsCast;

use super::core_text;
use super::state::{
    LabMode, MemoryLabState, Method, ModelSource, Optimizer, OverheadKind, parse_targets,
    targets_to_string,
};
use crate::lang::fill::{fill, td_string};
use crate::lang::numbers::localize;
use crate::lang::{Locale, t_string, use_i18n};
use crate::url::parse_id;

/// A label in a language.
type Label = fn(Locale) -> &'static str;

/// Why an uploaded `config.json` was not loaded.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadError {
    /// The file could not be read as text.
    Unreadable(String),
    /// The parser refused it (the core's message, in English).
    Invalid {
        /// The file's name.
        file: String,
        /// The parser's message.
        error: String,
    },
}

impl UploadError {
    /// The message in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            UploadError::Unreadable(file) => fill(
                td_string!(locale, memory.upload_unreadable),
                &[("file", file)],
            ),
            UploadError::Invalid { file, error } => fill(
                td_string!(locale, memory.upload_invalid),
                &[("file", file), ("error", error)],
            ),
        }
    }
}

/// What the page remembers about an uploaded `config.json` (not part of the URL).
#[derive(Debug, Clone, PartialEq)]
pub struct UploadInfo {
    /// The file's name.
    pub file_name: String,
    /// The model's name from the file (`_name_or_path`, or its `model_type`).
    pub model_name: String,
    /// Defaults the parser had to assume.
    pub assumptions: Vec<String>,
}

/// A whole-number input bound to a field; a value that does not parse puts the field's
/// value back.
fn u64_input(
    state: RwSignal<MemoryLabState>,
    label: Label,
    testid: &'static str,
    min: &'static str,
    get: fn(&MemoryLabState) -> u64,
    set: fn(&mut MemoryLabState, u64),
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>
            <span class="label-text">{move || label(i18n.get_locale())}</span>
            <input type="number" data-testid=testid min=min step="1" inputmode="numeric"
                prop:value=move || state.with(|s| get(s).to_string())
                on:change=move |ev| {
                    match event_target_value(&ev).trim().parse::<u64>() {
                        Ok(v) => state.update(|s| set(s, v)),
                        Err(_) => state.update(|_| {}),
                    }
                }/>
        </label>
    }
}

/// A decimal input bound to a field.
#[allow(clippy::too_many_arguments)]
fn f64_input(
    state: RwSignal<MemoryLabState>,
    label: Label,
    testid: &'static str,
    min: &'static str,
    step: &'static str,
    get: fn(&MemoryLabState) -> f64,
    set: fn(&mut MemoryLabState, f64),
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>
            <span class="label-text">{move || label(i18n.get_locale())}</span>
            <input type="number" data-testid=testid min=min step=step inputmode="decimal"
                prop:value=move || state.with(|s| get(s).to_string())
                on:change=move |ev| {
                    match event_target_value(&ev).trim().parse::<f64>() {
                        Ok(v) if v.is_finite() => state.update(|s| set(s, v)),
                        _ => state.update(|_| {}),
                    }
                }/>
        </label>
    }
}

/// A checkbox bound to a field.
fn checkbox(
    state: RwSignal<MemoryLabState>,
    label: Label,
    testid: &'static str,
    get: fn(&MemoryLabState) -> bool,
    set: fn(&mut MemoryLabState, bool),
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="check">
            <input type="checkbox" data-testid=testid
                prop:checked=move || state.with(get)
                on:change=move |ev| {
                    let v = event_target_checked(&ev);
                    state.update(|s| set(s, v));
                }/>
            {move || label(i18n.get_locale())}
        </label>
    }
}

/// The select's value for a weight format (all grouped-int formats share one entry).
fn format_option(f: WeightFormat) -> String {
    match f {
        WeightFormat::IntGrouped { .. } => "int-grouped".into(),
        other => other.id(),
    }
}

/// One `<option>` per weight format, labelled with its real bits per weight.
fn format_options(
    state: RwSignal<MemoryLabState>,
    get: fn(&MemoryLabState) -> WeightFormat,
) -> impl IntoView {
    let i18n = use_i18n();
    WeightFormat::PRESETS
        .iter()
        .map(|&f| {
            let value = format_option(f);
            let text = move || {
                let l = i18n.get_locale();
                match f {
                    WeightFormat::IntGrouped { .. } => {
                        td_string!(l, memory.grouped_option).to_string()
                    }
                    _ => fill(
                        td_string!(l, memory.format_option),
                        &[
                            ("label", &core_text::words(&f.label(), l)),
                            ("bits", &localize(&format_decimal(f.bits_per_weight()), l)),
                        ],
                    ),
                }
            };
            let v = value.clone();
            view! {
                <option value=value selected=move || state.with(|s| format_option(get(s)) == v)>{text}</option>
            }
        })
        .collect_view()
}

/// Parses a weight format select value (the grouped entry keeps the current bits/group).
fn parse_format_option(value: &str, current: WeightFormat) -> Option<WeightFormat> {
    if value == "int-grouped" {
        return Some(match current {
            g @ WeightFormat::IntGrouped { .. } => g,
            _ => WeightFormat::PRESETS[WeightFormat::PRESETS.len() - 1],
        });
    }
    value.parse().ok()
}

/// Reads the chosen file, parses it, and either fills the config fields or shows the
/// parser's message (the model stays as it was).
fn read_upload(
    ev: &web_sys::Event,
    state: RwSignal<MemoryLabState>,
    uploaded: RwSignal<Option<UploadInfo>>,
    upload_error: RwSignal<Option<UploadError>>,
) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|l| l.get(0)) else {
        return;
    };
    let file_name = file.name();
    leptos::task::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .ok()
            .and_then(|v| v.as_string());
        let Some(text) = text else {
            upload_error.set(Some(UploadError::Unreadable(file_name)));
            return;
        };
        match parse_hf_config(&text) {
            Ok(parsed) => {
                state.update(|s| s.apply_upload(&parsed));
                uploaded.set(Some(UploadInfo {
                    file_name,
                    model_name: parsed.model.name.clone(),
                    assumptions: parsed.assumptions.clone(),
                }));
                upload_error.set(None);
            }
            Err(e) => upload_error.set(Some(UploadError::Invalid {
                file: file_name,
                error: e.to_string(),
            })),
        }
    });
    // Choosing the same file again must fire `change` again.
    input.set_value("");
}

/// The form.
#[component]
pub fn MemoryControls(
    /// The lab's state.
    state: RwSignal<MemoryLabState>,
    /// The last uploaded config.json, if its values are in the config fields.
    uploaded: RwSignal<Option<UploadInfo>>,
    /// The last upload that failed.
    upload_error: RwSignal<Option<UploadError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let source = move || state.with(|s| s.source);
    let mode = move || state.with(|s| s.mode);
    let set_source = move |src: ModelSource| {
        state.update(|s| s.set_source(src));
        if src != ModelSource::Config {
            uploaded.set(None);
        }
    };
    let source_radio = move |src: ModelSource, id: &'static str, text: Label| {
        view! {
            <label class="check">
                <input type="radio" name="mem-source" data-testid=id
                    prop:checked=move || source() == src
                    on:change=move |_| set_source(src)/>
                {move || text(i18n.get_locale())}
            </label>
        }
    };
    let mode_radio = move |m: LabMode, id: &'static str, text: Label| {
        view! {
            <label class="check">
                <input type="radio" name="mem-mode" data-testid=id
                    prop:checked=move || mode() == m
                    on:change=move |_| state.update(|s| s.mode = m)/>
                {move || text(i18n.get_locale())}
            </label>
        }
    };
    let grouped = move || state.with(|s| matches!(s.weights, WeightFormat::IntGrouped { .. }));
    let set_grouped = move |bits: Option<u64>, group: Option<u64>| {
        state.update(|s| {
            if let WeightFormat::IntGrouped {
                bits: b,
                group_size: g,
            } = s.weights
            {
                let bits = bits.map_or(Some(b), |v| u8::try_from(v).ok());
                let group = group.map_or(Some(g.get()), |v| u32::try_from(v).ok());
                if let (Some(bits), Some(group)) = (bits, group)
                    && let Ok(f) = WeightFormat::int_grouped(bits, group)
                {
                    s.weights = f;
                }
            }
        })
    };
    let grouped_value = move |bits: bool| {
        state.with(|s| match s.weights {
            WeightFormat::IntGrouped {
                bits: b,
                group_size,
            } => {
                if bits {
                    b.to_string()
                } else {
                    group_size.to_string()
                }
            }
            _ => String::new(),
        })
    };

    view! {
        <form class="controls" on:submit=|ev| ev.prevent_default()>
            <fieldset>
                <legend>{move || t_string!(i18n, memory.model)}</legend>
                <div class="radios" role="radiogroup" aria-label=move || t_string!(i18n, memory.model_given_by)>
                    {source_radio(ModelSource::Preset, "source-preset", |l| td_string!(l, memory.preset))}
                    {source_radio(ModelSource::Params, "source-params", |l| td_string!(l, memory.parameter_count))}
                    {source_radio(ModelSource::Config, "source-config", |l| td_string!(l, memory.full_config))}
                </div>
                <label class:hidden=move || source() != ModelSource::Preset>
                    <span class="label-text">{move || t_string!(i18n, memory.preset)}</span>
                    <select data-testid="preset" on:change=move |ev| {
                        if let Some(p) = parse_id::<ModelPreset>(&event_target_value(&ev)) {
                            state.update(|s| s.preset = p);
                        }
                    }>
                        {ModelPreset::ALL.iter().map(|&p| view! {
                            <option value=p.id() selected=move || state.with(|s| s.preset == p)>{p.spec().name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <div class:hidden=move || source() != ModelSource::Params>
                    {f64_input(state, |l| td_string!(l, memory.c_billions), "billions", "0", "any", |s| s.billions, |s, v| s.billions = v)}
                    <p class="hint">{move || t_string!(i18n, memory.billions_hint)}</p>
                </div>
                <div class="config-grid" class:hidden=move || source() != ModelSource::Config>
                    {u64_input(state, |l| td_string!(l, memory.layers), "cfg-layers", "1", |s| s.layers, |s, v| s.layers = v)}
                    {u64_input(state, |l| td_string!(l, memory.hidden), "cfg-hidden", "1", |s| s.hidden, |s, v| s.hidden = v)}
                    {u64_input(state, |l| td_string!(l, memory.heads), "cfg-heads", "1", |s| s.heads, |s, v| s.heads = v)}
                    {u64_input(state, |l| td_string!(l, memory.kv_heads), "cfg-kv-heads", "1", |s| s.kv_heads, |s, v| s.kv_heads = v)}
                    {u64_input(state, |l| td_string!(l, memory.head_dim), "cfg-head-dim", "1", |s| s.head_dim, |s, v| s.head_dim = v)}
                    {u64_input(state, |l| td_string!(l, memory.intermediate), "cfg-intermediate", "1", |s| s.intermediate, |s, v| s.intermediate = v)}
                    {u64_input(state, |l| td_string!(l, memory.vocab), "cfg-vocab", "1", |s| s.vocab, |s, v| s.vocab = v)}
                    {u64_input(state, |l| td_string!(l, memory.max_pos), "cfg-max-pos", "0", |s| s.max_pos, |s, v| s.max_pos = v)}
                    {checkbox(state, |l| td_string!(l, memory.tied), "cfg-tied", |s| s.tied, |s, v| s.tied = v)}
                    {checkbox(state, |l| td_string!(l, memory.qkv_bias), "cfg-qkv-bias", |s| s.qkv_bias, |s, v| s.qkv_bias = v)}
                    {checkbox(state, |l| td_string!(l, memory.o_bias), "cfg-o-bias", |s| s.o_bias, |s, v| s.o_bias = v)}
                    {checkbox(state, |l| td_string!(l, memory.mlp_bias), "cfg-mlp-bias", |s| s.mlp_bias, |s, v| s.mlp_bias = v)}
                </div>
                <label class="upload">
                    <span class="label-text">{move || t_string!(i18n, memory.upload)}</span>
                    <input type="file" accept=".json,application/json" data-testid="config-upload"
                        on:change=move |ev| read_upload(&ev, state, uploaded, upload_error)/>
                </label>
            </fieldset>

            <fieldset>
                <legend>{move || t_string!(i18n, memory.mode)}</legend>
                <div class="radios" role="radiogroup" aria-label=move || t_string!(i18n, memory.mode)>
                    {mode_radio(LabMode::Inference, "mode-inference", |l| td_string!(l, memory.c_inference))}
                    {mode_radio(LabMode::Training, "mode-training", |l| td_string!(l, memory.c_training))}
                </div>
            </fieldset>

            <fieldset class:hidden=move || mode() != LabMode::Inference>
                <legend>{move || t_string!(i18n, memory.c_inference)}</legend>
                <label>
                    <span class="label-text">{move || t_string!(i18n, memory.c_weights)}</span>
                    <select data-testid="weights" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        state.update(|s| if let Some(f) = parse_format_option(&v, s.weights) { s.weights = f; });
                    }>
                        {format_options(state, |s| s.weights)}
                    </select>
                </label>
                <div class="pair" class:hidden=move || !grouped()>
                    <label>
                        <span class="label-text">{move || t_string!(i18n, memory.bits)}</span>
                        <input type="number" data-testid="int-bits" min="1" max="8" step="1"
                            prop:value=move || grouped_value(true)
                            on:change=move |ev| {
                                let v = event_target_value(&ev).trim().parse::<u64>().ok();
                                if v.is_some() { set_grouped(v, None) } else { state.update(|_| {}) }
                            }/>
                    </label>
                    <label>
                        <span class="label-text">{move || t_string!(i18n, memory.c_group_size)}</span>
                        <input type="number" data-testid="group-size" min="1" step="1"
                            prop:value=move || grouped_value(false)
                            on:change=move |ev| {
                                let v = event_target_value(&ev).trim().parse::<u64>().ok();
                                if v.is_some() { set_grouped(None, v) } else { state.update(|_| {}) }
                            }/>
                    </label>
                </div>
                <p class="hint" data-testid="bits-formula">{move || {
                    let l = i18n.get_locale();
                    state.with(|s| core_text::text(&format!("{}: {}", s.weights.label(), s.weights.bits_formula()), l))
                }}</p>
                <label>
                    <span class="label-text">{move || t_string!(i18n, memory.r_kv)}</span>
                    <select data-testid="kv" on:change=move |ev| {
                        if let Some(k) = parse_id::<KvCacheDtype>(&event_target_value(&ev)) {
                            state.update(|s| s.kv = k);
                        }
                    }>
                        {KvCacheDtype::ALL.iter().map(|&k| view! {
                            <option value=k.id() selected=move || state.with(|s| s.kv == k)>
                                {move || fill(t_string!(i18n, memory.kv_option), &[
                                    ("label", k.label()),
                                    ("bytes", &localize(&format_decimal(k.bytes()), i18n.get_locale())),
                                ])}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <div class="pair">
                    {u64_input(state, |l| td_string!(l, memory.context_tokens), "context", "0", |s| s.context, |s, v| s.context = v)}
                    {u64_input(state, |l| td_string!(l, memory.c_batch), "batch", "1", |s| s.batch, |s, v| s.batch = v)}
                </div>
            </fieldset>

            <TrainingControls state=state/>

            <OverheadControls state=state/>
        </form>
    }
}

/// The training settings: method, optimizer, LoRA, sequence and batch.
#[component]
fn TrainingControls(
    /// The lab's state.
    state: RwSignal<MemoryLabState>,
) -> impl IntoView {
    let i18n = use_i18n();
    let mode = move || state.with(|s| s.mode);
    let method = move || state.with(|s| s.method);
    let target_boxes = LinearModule::ALL
        .into_iter()
        .map(|m| {
            let id = format!("target-{}", m.short());
            view! {
                <label class="check">
                    <input type="checkbox" data-testid=id
                        prop:checked=move || state.with(|s| parse_targets(&s.targets).map(|t| t.contains(m)).unwrap_or(false))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            state.update(|s| {
                                let mut modules = parse_targets(&s.targets).map(|t| t.modules()).unwrap_or_default();
                                modules.retain(|&x| x != m);
                                if on {
                                    modules.push(m);
                                }
                                s.targets = targets_to_string(quantlab_core::memory::LoraTargets::from_modules(&modules));
                            });
                        }/>
                    {m.short()}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class:hidden=move || mode() != LabMode::Training>
            <legend>{move || t_string!(i18n, memory.c_training)}</legend>
            <label>
                <span class="label-text">{move || t_string!(i18n, memory.method)}</span>
                <select data-testid="method" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(m) = Method::ALL.into_iter().find(|m| m.id() == v) {
                        state.update(|s| s.method = m);
                    }
                }>
                    {Method::ALL.iter().map(|&m| view! {
                        <option value=m.id() selected=move || method() == m>{move || m.label(i18n.get_locale())}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span class="label-text">{move || t_string!(i18n, memory.optimizer_state)}</span>
                <select data-testid="optimizer" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(o) = Optimizer::ALL.into_iter().find(|o| o.id() == v) {
                        state.update(|s| s.optimizer = o);
                    }
                }>
                    {Optimizer::ALL.iter().map(|&o| view! {
                        <option value=o.id() selected=move || state.with(|s| s.optimizer == o)>{move || o.label(i18n.get_locale())}</option>
                    }).collect_view()}
                </select>
            </label>
            <p class="hint" data-testid="adam-bytes">
                {move || t_string!(i18n, memory.adam_bytes)}
                {move || {
                    let l = i18n.get_locale();
                    state.with(|s| core_text::text(&s.optimizer.recipe().formula(), l))
                }}
            </p>
            <div class:hidden=move || method() == Method::Full>
                {u64_input(state, |l| td_string!(l, memory.lora_rank), "rank", "1", |s| s.rank, |s, v| s.rank = v)}
                <fieldset class="targets">
                    <legend>{move || t_string!(i18n, memory.lora_targets)}</legend>
                    {target_boxes}
                </fieldset>
            </div>
            <label class:hidden=move || method() != Method::Lora>
                <span class="label-text">{move || t_string!(i18n, memory.lora_base)}</span>
                <select data-testid="lora-base" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    state.update(|s| if let Some(f) = parse_format_option(&v, s.lora_base) { s.lora_base = f; });
                }>
                    {format_options(state, |s| s.lora_base)}
                </select>
            </label>
            <div class:hidden=move || method() != Method::Qlora>
                {checkbox(state, |l| td_string!(l, memory.double_quant), "double-quant", |s| s.double_quant, |s, v| s.double_quant = v)}
            </div>
            <div class="pair">
                {u64_input(state, |l| td_string!(l, memory.seq), "seq", "1", |s| s.seq, |s, v| s.seq = v)}
                {u64_input(state, |l| td_string!(l, memory.c_batch), "train-batch", "1", |s| s.train_batch, |s, v| s.train_batch = v)}
            </div>
            {checkbox(state, |l| td_string!(l, memory.checkpointing), "checkpointing", |s| s.checkpointing, |s, v| s.checkpointing = v)}
        </fieldset>
    }
}

/// The overhead allowance and the target GPU.
#[component]
fn OverheadControls(
    /// The lab's state.
    state: RwSignal<MemoryLabState>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset>
            <legend>{move || t_string!(i18n, memory.overhead)}</legend>
            <label>
                <span class="label-text">{move || t_string!(i18n, memory.allowance)}</span>
                <select data-testid="overhead" on:change=move |ev| {
                    if let Some(k) = parse_id::<OverheadKind>(&event_target_value(&ev)) {
                        state.update(|s| s.overhead = k);
                    }
                }>
                    <option value="none" selected=move || state.with(|s| s.overhead == OverheadKind::None)>{move || t_string!(i18n, memory.overhead_none)}</option>
                    <option value="fixed" selected=move || state.with(|s| s.overhead == OverheadKind::Fixed)>{move || t_string!(i18n, memory.overhead_fixed)}</option>
                    <option value="percent" selected=move || state.with(|s| s.overhead == OverheadKind::Percent)>{move || t_string!(i18n, memory.overhead_percent)}</option>
                </select>
            </label>
            <div class:hidden=move || state.with(|s| s.overhead != OverheadKind::Fixed)>
                {f64_input(state, |_| "GiB", "overhead-gib", "0", "0.1", |s| s.overhead_gib, |s, v| s.overhead_gib = v)}
            </div>
            <div class:hidden=move || state.with(|s| s.overhead != OverheadKind::Percent)>
                {f64_input(state, |l| td_string!(l, memory.percent), "overhead-pct", "0", "1", |s| s.overhead_pct, |s, v| s.overhead_pct = v)}
            </div>
            <p class="hint">{move || t_string!(i18n, memory.overhead_hint)}</p>
        </fieldset>

        <fieldset>
            <legend>{move || t_string!(i18n, memory.target_gpu)}</legend>
            <label>
                <span class="label-text">"GPU"</span>
                <select data-testid="gpu" on:change=move |ev| {
                    if let Some(g) = GpuPreset::from_id(&event_target_value(&ev)) {
                        state.update(|s| s.gpu = g);
                    }
                }>
                    {GpuPreset::ALL.iter().map(|&g| view! {
                        <option value=g.id() selected=move || state.with(|s| s.gpu == g)>{move || core_text::words(&g.spec().name, i18n.get_locale())}</option>
                    }).collect_view()}
                </select>
            </label>
            {u64_input(state, |l| td_string!(l, memory.how_many), "gpus", "1", |s| s.gpus, |s, v| s.gpus = v.max(1))}
        </fieldset>
    }
}
