//! The MLP lab's controls and tables.

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::mlp::{AccumulatorReport, OptimizerKind, QuantConfig};

use super::bench::{Agreement, Throughput};
use super::data::{self, LoadedData};
use super::draw::{DigitPad, Framing, SIDE};
use super::results::{ConfigResult, SessionRows, TrainedModel, acc_testid, softmax};
use super::state::{DataChoice, MlpLabState, weight_lab_link};
use crate::format::{fixed, num};
use crate::url::parse_id;

/// Reads the files chosen in a file input, in order, as `(name, bytes)`.
async fn read_files(input: web_sys::HtmlInputElement) -> Result<Vec<(String, Vec<u8>)>, String> {
    let Some(list) = input.files() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for i in 0..list.length() {
        let Some(f) = list.get(i) else { continue };
        let name = f.name();
        if f.size() > data::MAX_FILE_BYTES as f64 {
            return Err(format!(
                "{name} is {:.0} MB; the page takes files up to {} MB",
                f.size() / 1048576.0,
                data::MAX_FILE_BYTES >> 20
            ));
        }
        let buf = wasm_bindgen_futures::JsFuture::from(f.array_buffer())
            .await
            .map_err(|_| format!("{name} could not be read"))?;
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
    let set = move |f: &dyn Fn(&mut MlpLabState)| state.update(|s| f(s));
    let upload_busy = RwSignal::new(String::new());
    let on_files = move |ev: leptos::ev::Event, cifar: bool| {
        let Some(input) = file_input(&ev) else { return };
        upload_busy.set("reading files…".into());
        set(&|s| s.dataset = DataChoice::Upload);
        leptos::task::spawn_local(async move {
            let parsed = match read_files(input).await {
                Ok(files) if files.is_empty() => Err("no file chosen".to_string()),
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
            on_upload.run(parsed.map_err(|e| format!("{e}. Nothing was loaded.")));
        });
    };
    let is_upload = move || state.with(|s| s.dataset == DataChoice::Upload);
    let number = |ev: &leptos::ev::Event| event_target_value(ev).trim().to_string();
    view! {
        <form class="controls" on:submit=|ev| ev.prevent_default()>
            <fieldset>
                <legend>"Data"</legend>
                <label>"Dataset "
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
                            <option value=c.id() selected=move || state.with(|s| s.dataset == c)>{c.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <div class:hidden=move || !is_upload()>
                    <label>"IDX files (2 or 4: images + labels, e.g. EMNIST or full MNIST) "
                        <input type="file" multiple data-testid="upload-idx" accept=".gz,.idx,.ubyte,application/octet-stream,*"
                            on:change=move |ev| on_files(ev, false)/>
                    </label>
                    <label>"CIFAR-10 binary batches (data_batch_N.bin, test_batch.bin) "
                        <input type="file" multiple data-testid="upload-cifar" accept=".bin,.gz"
                            on:change=move |ev| on_files(ev, true)/>
                    </label>
                    <p class="hint">{move || upload_busy.get()}" Files never leave this machine and are not part of the link."</p>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Model and training"</legend>
                <label>"Hidden layers "
                    <input type="text" data-testid="hidden" size="10" placeholder="e.g. 128,64"
                        prop:value=move || state.with(|s| s.hidden.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); set(&|s| s.hidden = v.clone()); }/>
                </label>
                <label>"Optimizer "
                    <select data-testid="optimizer" on:change=move |ev| {
                        if let Some(o) = parse_id::<OptimizerKind>(&event_target_value(&ev)) {
                            set(&|s| s.optimizer = o);
                        }
                    }>
                        <option value="sgd" selected=move || state.with(|s| s.optimizer == OptimizerKind::Sgd)>"SGD with momentum"</option>
                        <option value="adam" selected=move || state.with(|s| s.optimizer == OptimizerKind::Adam)>"Adam"</option>
                    </select>
                </label>
                <label>"Learning rate "
                    <input type="text" inputmode="decimal" data-testid="lr" size="8"
                        prop:value=move || state.with(|s| s.lr.to_string())
                        on:change=move |ev| {
                            let v = number(&ev).parse::<f64>().unwrap_or(f64::NAN);
                            set(&|s| s.lr = v);
                        }/>
                </label>
                <label class:hidden=move || state.with(|s| s.optimizer != OptimizerKind::Sgd)>"Momentum "
                    <input type="text" inputmode="decimal" data-testid="momentum" size="6"
                        prop:value=move || state.with(|s| s.momentum.to_string())
                        on:change=move |ev| {
                            let v = number(&ev).parse::<f64>().unwrap_or(f64::NAN);
                            set(&|s| s.momentum = v);
                        }/>
                </label>
                <label>"Epochs "
                    <input type="number" data-testid="epochs" min="1" max="1000" step="1"
                        prop:value=move || state.with(|s| s.epochs.to_string())
                        on:change=move |ev| {
                            let v = number(&ev).parse::<usize>().unwrap_or(0);
                            set(&|s| s.epochs = v);
                        }/>
                </label>
                <label>"Batch size "
                    <input type="number" data-testid="batch" min="1" max="4096" step="1"
                        prop:value=move || state.with(|s| s.batch.to_string())
                        on:change=move |ev| {
                            let v = number(&ev).parse::<usize>().unwrap_or(0);
                            set(&|s| s.batch = v);
                        }/>
                </label>
                <label>"Seed "
                    <input type="number" data-testid="seed" min="0" step="1"
                        prop:value=move || state.with(|s| s.seed.to_string())
                        on:change=move |ev| {
                            if let Ok(v) = number(&ev).parse::<u64>() {
                                set(&|s| s.seed = v);
                            }
                        }/>
                </label>
                <label class:hidden=move || data.with(|d| d.as_ref().is_none_or(|d| d.image.is_none()))>"Shift augmentation (px) "
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
                        {move || if running.get() { "Restart" } else { "Train" }}</button>
                    <button type="button" data-testid="stop" on:click=move |_| lab_stop.run(())
                        disabled=move || !running.get()>"■ Stop"</button>
                </div>
                <p class="hint">"Training runs in short slices between frames, so the page stays responsive. Every setting is in the link."</p>
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
    move || {
        data.get().map(|d| {
            let t = &d.split.train;
            view! {
                <p class="hint" data-testid="data-summary">
                    {format!("{}: {} training and {} test samples, {} features, {} classes{}.",
                        d.name, t.n, d.split.test.n, t.d, t.classes,
                        d.image.map(|(r, c)| format!(" ({r}×{c} images)")).unwrap_or_default())}
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
    move || {
        let m = model.get()?;
        let rows = results.get();
        let fp32 = rows.first().map(|r| (r.accuracy, r.size.total()));
        Some(view! {
            <table class="mem-table" data-testid="accuracy-table">
                <caption>{format!("Test accuracy on {} ({} test samples{}) per configuration",
                    m.data.name, m.data.split.test.n,
                    if m.stopped { format!(", stopped after {} epochs", m.epochs_done) } else { String::new() })}</caption>
                <thead><tr><th>"configuration"</th><th>"weights"</th><th>"activations"</th><th>"accuracy (%)"</th><th>"Δ vs fp32 (points)"</th><th>"size (bytes)"</th><th>"codes + scales + biases"</th><th>"× smaller"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let c = r.config;
                        let (base_acc, base_size) = fp32.unwrap_or((r.accuracy, r.size.total()));
                        let acts = if c.activations == quantlab_core::mlp::Activations::Int8PerToken { "int8 per token (dynamic), int32 sums" } else { "fp32" };
                        view! {
                            <tr data-config=c.id()>
                                <th>{c.label()}</th>
                                <td>{format!("{:?}", c.weights).to_lowercase()}</td>
                                <td>{acts}</td>
                                <td class="num" data-testid=acc_testid(c)>{fixed(100.0 * f64::from(r.accuracy), 2)}</td>
                                <td class="num" data-testid=format!("delta-{}", c.id())>{fixed(100.0 * f64::from(r.accuracy - base_acc), 2)}</td>
                                <td class="num" data-testid=format!("size-{}", c.id())>{r.size.total().to_string()}</td>
                                <td class="num">{format!("{} + {} + {}", r.size.weights, r.size.scales, r.size.biases)}</td>
                                <td class="num">{fixed(base_size as f64 / r.size.total().max(1) as f64, 2)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
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
    ];
    move || {
        let s = session.get();
        (!s.is_empty()).then(|| view! {
            <table class="mem-table" data-testid="session-table">
                <caption>"The course's experiment: dataset × configuration, test accuracy (%), for every dataset trained in this session"</caption>
                <thead><tr><th>"dataset"</th>{cols.iter().map(|c| view! { <th>{c.label()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {s.into_iter().map(|(name, row)| view! {
                        <tr>
                            <th>{name}</th>
                            {cols.iter().map(|c| {
                                let id = c.id();
                                let v = row.iter().find(|(k, _)| *k == id).map(|(_, a)| fixed(100.0 * f64::from(*a), 2)).unwrap_or_else(|| "—".into());
                                view! { <td class="num">{v}</td> }
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
        Some(view! {
            <div class="confusion">
                <label>"Confusion matrix of "
                    <select data-testid="cm-config" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        state.update(|s| s.cm = v.clone());
                    }>
                        {rows.iter().map(|x| {
                            let id = x.config.id();
                            view! { <option value=id.clone() selected=id == r.config.id()>{x.config.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <table class="mem-table confusion-table" data-testid="confusion">
                    <caption>{format!("{}: rows are the true class, columns the predicted one{}", r.config.label(),
                        if many { " (classes by number)" } else { "" })}</caption>
                    <thead><tr><th>"true \\ predicted"</th>
                        {(0..k).map(|p| view! { <th>{if many { p.to_string() } else { names[p].clone() }}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {(0..k).map(|t| view! {
                            <tr><th>{if many { t.to_string() } else { names[t].clone() }}</th>
                                {(0..k).map(|p| {
                                    let v = r.confusion.get(t * k + p).copied().unwrap_or(0);
                                    view! { <td class="num" class:diag=t == p class:muted=v == 0>{v.to_string()}</td> }
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
    move || {
        let m = model.get()?;
        let rows = results.get();
        if rows.is_empty() {
            return None;
        }
        let dims = m.mlp.dims();
        let layers = m.mlp.layers.len();
        let choice = m.choice;
        Some(view! {
            <table class="mem-table" data-testid="layer-errors">
                <caption>"Each layer's output z = W·a + b (before the ReLU) against fp32 on the test set: SNR in dB (higher is better; errors of earlier layers carry through). Hover a cell for MSE and max |error|."</caption>
                <thead>
                    <tr><th>"configuration"</th>
                        {(0..layers).map(|l| view! {
                            <th>{format!("layer {} ({}→{}) ", l + 1, dims[l], dims[l + 1])}
                                {(choice != DataChoice::Upload).then(|| view! {
                                    <a data-testid=format!("weight-link-{l}") href=weight_lab_link(choice, l)
                                        title="open this layer's weights in the Weight lab (handed over in this browser's storage)"
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
                                        }>"weights ↗"</a>
                                })}
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <th>{r.config.label()}</th>
                            {r.layers.iter().map(|e| view! {
                                <td class="num" data-testid=format!("snr-{}-{}", r.config.id(), e.layer)
                                    title=format!("MSE {}, max |error| {}", num(e.mse), num(e.max_abs_error))>{fixed(e.snr_db, 2)}</td>
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })
    }
}

/// Why int8 sums need int32: the W8A8 model's sums with an int16 accumulator.
#[component]
pub fn Int16Demo(
    /// The demo's result.
    acc16: Signal<Option<Result<Vec<AccumulatorReport>, String>>>,
    /// The model.
    model: Signal<Option<Arc<TrainedModel>>>,
) -> impl IntoView {
    move || {
        let m = model.get()?;
        let reports = acc16.get()?;
        Some(match reports {
            Err(e) => view! { <p class="error" data-testid="i16-error">{e}</p> }.into_any(),
            Ok(reports) => view! {
                <div class="int16-demo">
                    <h3>"Why the accumulator is int32"</h3>
                    <p class="hint">"A W8A8 layer sums k products q_a·q_w of int8 codes; each is at most 127·127 = 16,129 in size, so an int16 accumulator (±32,767) overflows after just "<strong>"3"</strong>" large products. Here the W8A8 model's real sums on the test set are recomputed with an int16 accumulator that wraps around:"</p>
                    <table class="mem-table" data-testid="int16-table">
                        <thead><tr><th>"layer"</th><th>"k (products per sum)"</th><th>"sums"</th><th>"largest |sum| (int32)"</th><th>"wrong with int16"</th><th>"left the int16 range on the way"</th></tr></thead>
                        <tbody>
                            {reports.iter().map(|r| {
                                let k = m.mlp.layers.get(r.layer).map_or(0, |l| l.in_dim);
                                view! {
                                    <tr>
                                        <th>{format!("layer {}", r.layer + 1)}</th>
                                        <td class="num">{k.to_string()}</td>
                                        <td class="num">{r.outputs.to_string()}</td>
                                        <td class="num" data-testid=format!("max-acc-{}", r.layer)>{r.max_abs_acc.to_string()}</td>
                                        <td class="num" data-testid=format!("i16-overflow-{}", r.layer)>{r.overflowed.to_string()}</td>
                                        <td class="num">{r.wrapped_on_the_way.to_string()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="hint">"int32 holds every such sum exactly up to k = 131,071 products (2³¹ / 2¹⁴)."</p>
                </div>
            }.into_any(),
        })
    }
}

/// The CPU paths' speed and the SIMD ⇄ scalar agreement.
#[component]
pub fn ThroughputTable(
    /// Samples per second of each path.
    throughput: Signal<Option<Result<Throughput, String>>>,
    /// SIMD vs scalar.
    agreement: Signal<Option<Result<Agreement, String>>>,
    /// Whether the wasm was built with simd128.
    simd_compiled: bool,
    /// Whether the browser validates simd128.
    simd_in_browser: bool,
    /// Whether the browser validates relaxed SIMD.
    relaxed: bool,
    /// Measures again.
    remeasure: Callback<()>,
) -> impl IntoView {
    let yes = |b: bool| if b { "yes" } else { "no" };
    view! {
        <div class="throughput">
            <h3>"CPU paths: throughput over the test set"</h3>
            <dl class="readouts">
                <div><dt>"SIMD kernel compiled in (simd128)"</dt><dd data-testid="simd-compiled">{yes(simd_compiled)}</dd></div>
                <div><dt>"Browser has simd128"</dt><dd data-testid="simd-browser">{yes(simd_in_browser)}</dd></div>
                <div><dt>"Browser has relaxed SIMD"</dt><dd data-testid="relaxed-simd">{yes(relaxed)}</dd></div>
                <div><dt>"SIMD ≠ scalar (values)"</dt><dd><span data-testid="simd-mismatches">{move || agreement.with(|a| match a { Some(Ok(a)) => a.mismatches.to_string(), Some(Err(_)) => "—".into(), None => "—".into() })}</span>
                    " of "<span data-testid="simd-compared">{move || agreement.with(|a| match a { Some(Ok(a)) => a.compared.to_string(), _ => "—".into() })}</span></dd></div>
            </dl>
            {move || throughput.get().map(|t| match t {
                Err(e) => view! { <p class="error">{e}</p> }.into_any(),
                Ok(t) => view! {
                    <table class="mem-table" data-testid="throughput-table">
                        <thead><tr><th>"path"</th><th>"samples/s"</th><th>"× fp32"</th></tr></thead>
                        <tbody>
                            <tr><th>"fp32 (CPU)"</th><td class="num" data-testid="tp-fp32">{fixed(t.fp32, 0)}</td><td class="num">"1"</td></tr>
                            <tr><th>"W8A8, int8 scalar reference"</th><td class="num" data-testid="tp-int8-scalar">{fixed(t.int8_scalar, 0)}</td><td class="num">{fixed(t.int8_scalar / t.fp32, 2)}</td></tr>
                            <tr><th>"W8A8, int8 WASM SIMD (simd128)"</th><td class="num" data-testid="tp-int8-simd">{fixed(t.int8_simd, 0)}</td><td class="num" data-testid="tp-ratio-simd-fp32">{fixed(t.int8_simd / t.fp32, 2)}</td></tr>
                        </tbody>
                        <caption>{format!("Whole forward passes over the {} test samples (performance.now): each path is warmed up for 100 ms (so the browser's optimising compiler has taken over), then timed for at least 200 ms; three interleaved rounds, the best of each path shown. The int8 paths include quantizing each layer's input and rescaling its int32 sums.", t.samples)}</caption>
                    </table>
                }.into_any(),
            })}
            <p class="hint">"Relaxed SIMD is detected but not used: its int8 dot product takes its second operand as 7-bit ([−64, 63]) or gives implementation-defined results, while int8 weights use [−127, 127]; and a module built with it would not load at all in browsers without it. The simd128 path gives the scalar reference's integers exactly (the mismatch count above)."</p>
            <button type="button" data-testid="remeasure" on:click=move |_| remeasure.run(())>"Measure again"</button>
        </div>
    }
}

/// Draw a digit or garment and see every configuration classify it (28×28 image sets).
#[component]
pub fn DrawPanel(
    /// The model.
    model: Signal<Option<Arc<TrainedModel>>>,
) -> impl IntoView {
    let drawn = RwSignal::new(None::<Vec<f32>>);
    move || {
        let m = model.get()?;
        if m.data.image != Some((SIDE, SIDE)) {
            return None;
        }
        let framing = if m.choice == DataChoice::FashionMnist {
            Framing::Fill
        } else {
            Framing::Digit
        };
        let names = m.data.class_names().to_vec();
        let m2 = m.clone();
        let predictions = move || {
            let x = drawn.get()?;
            if x.iter().all(|&v| v == 0.0) {
                return None;
            }
            let mut x = x;
            m2.data.standardizer.apply_row(&mut x);
            let rows: Vec<(String, String, String, usize)> = m2
                .quantized
                .iter()
                .filter_map(|q| {
                    let logits = q.forward(&x, 1).ok()?;
                    let p = softmax(&logits);
                    let best = p
                        .iter()
                        .enumerate()
                        .fold(0, |b, (i, &v)| if v > p[b] { i } else { b });
                    Some((
                        q.config.id(),
                        q.config.label(),
                        fixed(100.0 * f64::from(p[best]), 1),
                        best,
                    ))
                })
                .collect();
            Some(rows)
        };
        Some(view! {
            <div class="draw-panel">
                <h3>"Draw and classify"</h3>
                <p class="hint">"Draw a digit (or a garment) with the mouse, a finger or a pen. It is framed like the training images, standardised like them, and every configuration classifies it."</p>
                <div class="draw-row">
                    <DigitPad framing=framing on_change=Callback::new(move |x: Vec<f32>| drawn.set(Some(x)))/>
                    <table class="mem-table" data-testid="draw-predictions">
                        <thead><tr><th>"configuration"</th><th>"class"</th><th>"probability (%)"</th></tr></thead>
                        <tbody>
                            {move || predictions().map(|rows| rows.into_iter().map(|(id, label, p, best)| view! {
                                <tr><th>{label}</th>
                                    <td data-testid=format!("draw-pred-{id}") data-class=best.to_string()>{names.get(best).cloned().unwrap_or_default()}</td>
                                    <td class="num">{p}</td></tr>
                            }).collect_view())}
                        </tbody>
                    </table>
                </div>
            </div>
        })
    }
}
