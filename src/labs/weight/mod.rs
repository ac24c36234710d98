//! The Weight lab: what quantization does to a real weight tensor. A synthetic, drawn or
//! uploaded tensor; its histogram with the levels; `r = S·(q − Z)` worked for one weight;
//! scales and errors per channel or group; metrics with the storage of scales included;
//! the packing of the first weights; a sortable comparison of the standard schemes, per
//! tensor and per file for uploads.

pub mod state;
pub mod upload;

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use quantlab_core::quantizer::Scheme;
use quantlab_core::weights::compare::{
    CompareRow, FileSizeRow, SortKey, compare_row, file_sizes, sort_rows, standard_schemes,
};
use quantlab_core::weights::file::FileIndex;
use quantlab_core::weights::storage::{FileTensor, ScaleDtype, storage};
use quantlab_core::weights::study::{Study, StudyOptions, WeightMetrics, study};
use quantlab_core::weights::synth::{DRAWN_BARS, WeightDist, decode_bars, encode_bars};

use crate::charts::weight as wc;
use crate::format::{fixed, num};
use crate::url::{parse_id, read_state, write_state};
use crate::widgets::perf::{draw_on, mark as perf_mark, measure as perf_measure};
use crate::widgets::scheme_controls::SchemeControls;
use state::{
    WeightLabState, WeightSource, WeightTensor, compute_packing, compute_study, generated,
    group_words, weight_histogram,
};

/// Files up to this size are measured tensor by tensor as soon as they load (and again on
/// every scheme change); larger ones on request.
pub const AUTO_MEASURE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// Whether a memo of an `Arc` result changed: by pointer, so a million weights are never
/// compared value by value.
fn arc_changed<T>(a: Option<&Result<Arc<T>, String>>, b: Option<&Result<Arc<T>, String>>) -> bool {
    match (a, b) {
        (Some(Ok(x)), Some(Ok(y))) => !Arc::ptr_eq(x, y),
        (Some(Err(x)), Some(Err(y))) => x != y,
        _ => true,
    }
}

/// Measures from its start mark when dropped.
struct Measure(&'static str, &'static str);

impl Drop for Measure {
    fn drop(&mut self) {
        perf_measure(self.0, self.1);
    }
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", fixed(bytes as f64 / 1048576.0, 2))
}

/// One tensor of an uploaded file, measured under the current scheme.
#[derive(Debug, Clone, PartialEq)]
struct TensorMeasure {
    name: String,
    result: Result<WeightMetrics, String>,
}

/// The Weight lab page.
#[component]
pub fn WeightLab() -> impl IntoView {
    let (initial, warnings) = read_state::<WeightLabState>();
    let state = RwSignal::new(initial);
    Effect::new(move |_| state.with(|s| write_state(crate::labs::Lab::Weight, s)));

    // The uploaded file stays in the page: its handle, header and the tensor read from it.
    let file = StoredValue::new_local(None::<web_sys::File>);
    let index = RwSignal::new(None::<Arc<FileIndex>>);
    let file_name = RwSignal::new(String::new());
    let loaded = RwSignal::new(None::<Arc<WeightTensor>>);
    let upload_error = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<String>);
    // Uploads and tensor reads finished (loaded or refused): a readout tests wait on.
    let attempts = RwSignal::new(0u32);

    // Only the fields that shape the tensor: other controls do not regenerate it.
    let source_key = Memo::new(move |_| {
        state.with(|s| WeightLabState {
            source: s.source,
            dist: s.dist,
            rows: s.rows,
            cols: s.cols,
            seed: s.seed,
            sigma: s.sigma,
            nu: s.nu,
            sep: s.sep,
            spread: s.spread,
            bars: s.bars.clone(),
            hist_range: s.hist_range,
            dataset: s.dataset.clone(),
            layer: s.layer,
            ..WeightLabState::default()
        })
    });
    let tensor = Memo::new_with_compare(
        move |_| {
            let key = source_key.get();
            match key.source {
                WeightSource::File => loaded.get().ok_or_else(|| {
                    "no file loaded: choose a .safetensors or .npy file (an uploaded file never travels in a link)".to_string()
                }),
                WeightSource::Mlp => crate::handoff::load(&key.dataset, key.layer).map(|l| {
                    Arc::new(WeightTensor {
                        name: l.name,
                        shape: l.shape,
                        data: l.data,
                    })
                }),
                _ => generated(&key).map(Arc::new),
            }
        },
        arc_changed::<WeightTensor>,
    );
    let bins = Memo::new(move |_| state.with(|s| s.bins));
    let hist = Memo::new(move |_| {
        tensor
            .get()
            .and_then(|t| weight_histogram(&t, bins.get()).map(Arc::new))
    });
    let study_key = Memo::new(move |_| state.with(|s| (s.scheme, s.scale_dtype, s.group)));
    let result = Memo::new_with_compare(
        move |_| {
            let t = tensor.get()?;
            let (scheme, scale_dtype, group) = study_key.get();
            let s = WeightLabState {
                scheme,
                scale_dtype,
                group,
                ..WeightLabState::default()
            };
            perf_mark("wl-study-start");
            let r = compute_study(&t, &s);
            perf_measure("wl-study", "wl-study-start");
            r
        },
        arc_changed::<Study>,
    );
    let pack_key = Memo::new(move |_| state.with(|s| (s.scheme, s.pack_bits, s.pack_n)));
    let packing = Memo::new(move |_| {
        let t = tensor.get()?;
        let (scheme, pack_bits, pack_n) = pack_key.get();
        perf_mark("wl-pack-start");
        let _measure = Measure("wl-pack", "wl-pack-start");
        compute_packing(
            &t,
            &WeightLabState {
                scheme,
                pack_bits,
                pack_n,
                ..WeightLabState::default()
            },
        )
    });

    // Charts.
    let hist_canvas = NodeRef::<Canvas>::new();
    let scales_canvas = NodeRef::<Canvas>::new();
    let heat_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let log = state.with(|s| s.log);
        let r = result.get();
        let h = hist.get();
        perf_mark("wl-draw-start");
        if let (Some(c), Ok(h)) = (hist_canvas.get(), &h) {
            let levels = r.as_ref().map(|r| r.levels.clone()).unwrap_or_default();
            draw_on(&c, |root| wc::draw_weight_histogram(root, h, &levels, log));
        }
        if let Ok(r) = &r {
            if let Some(c) = scales_canvas.get() {
                let sel = r.scales.get(r.group).copied();
                draw_on(&c, |root| wc::draw_scales(root, &r.scales, sel));
            }
            if let Some(c) = heat_canvas.get() {
                draw_on(&c, |root| wc::draw_heat(root, &r.heat));
            }
        }
        perf_measure("wl-draw", "wl-draw-start");
        perf_measure("wl-update", "wl-update-start");
    });

    // The comparison table, one scheme per tick.
    let compare = RwSignal::new(Vec::<CompareRow>::new());
    let compare_done = RwSignal::new(0usize);
    let compare_gen = StoredValue::new(0u64);
    let dtype_key = Memo::new(move |_| state.with(|s| s.scale_dtype));
    Effect::new(move |_| {
        let t = tensor.get();
        let dtype = dtype_key.get();
        let generation = compare_gen.get_value() + 1;
        compare_gen.set_value(generation);
        compare.set(Vec::new());
        compare_done.set(0);
        let Ok(t) = t else { return };
        wasm_bindgen_futures::spawn_local(async move {
            for named in standard_schemes() {
                upload::tick().await;
                if compare_gen.get_value() != generation {
                    return;
                }
                if let Ok(row) = compare_row(&t.data, &t.shape, &named, dtype) {
                    compare.update(|rows| rows.push(row));
                }
                compare_done.update(|d| *d += 1);
            }
        });
    });
    let total_schemes = standard_schemes().len();

    // Per-tensor measurements of an uploaded file.
    let measures = RwSignal::new(Vec::<TensorMeasure>::new());
    let measure_gen = StoredValue::new(0u64);
    let measuring = RwSignal::new(None::<(usize, usize)>);
    let measure_all = move || {
        let Some(idx) = index.get_untracked() else {
            return;
        };
        let Some(f) = file.get_value() else { return };
        let (scheme, dtype) = state.with_untracked(|s| (s.scheme, s.scale_dtype));
        let generation = measure_gen.get_value() + 1;
        measure_gen.set_value(generation);
        measures.set(Vec::new());
        wasm_bindgen_futures::spawn_local(async move {
            let total = idx.tensors.len();
            for (i, entry) in idx.tensors.iter().enumerate() {
                if measure_gen.get_value() != generation {
                    return;
                }
                measuring.set(Some((i, total)));
                upload::tick().await;
                let result = if entry.supported() {
                    match upload::read_tensor(&f, entry).await {
                        Ok(t) => study(
                            &t.data,
                            &t.shape,
                            &scheme,
                            &StudyOptions {
                                scale_dtype: dtype,
                                heat_rows: 1,
                                heat_cols: 1,
                                ..StudyOptions::default()
                            },
                        )
                        .map(|s| s.metrics)
                        .map_err(|e| e.to_string()),
                        Err(e) => Err(e),
                    }
                } else {
                    Err(format!("{} is not read", entry.dtype))
                };
                if measure_gen.get_value() != generation {
                    return;
                }
                measures.update(|m| {
                    m.push(TensorMeasure {
                        name: entry.name.clone(),
                        result,
                    })
                });
            }
            measuring.set(None);
        });
    };
    let scheme_key = Memo::new(move |_| state.with(|s| (s.scheme, s.scale_dtype)));
    Effect::new(move |_| {
        let _ = scheme_key.get();
        let idx = index.get();
        if let Some(idx) = idx
            && (idx.file_len as f64) <= AUTO_MEASURE_BYTES
        {
            measure_all();
        } else {
            measure_gen.update_value(|g| *g += 1);
            measures.set(Vec::new());
            measuring.set(None);
        }
    });

    // Loading a tensor of the file.
    let load_tensor = move |name: String| {
        let Some(f) = file.get_value() else { return };
        let Some(entry) = index
            .get_untracked()
            .and_then(|i| i.tensors.iter().find(|t| t.name == name).cloned())
        else {
            return;
        };
        progress.set(Some(format!(
            "reading tensor {} ({})…",
            entry.name,
            mib(entry.bytes())
        )));
        wasm_bindgen_futures::spawn_local(async move {
            match upload::read_tensor(&f, &entry).await {
                Ok(t) => {
                    progress.set(Some(format!(
                        "quantizing {} weights of {}…",
                        t.data.len(),
                        t.name
                    )));
                    upload::tick().await;
                    upload_error.set(None);
                    loaded.set(Some(Arc::new(t)));
                    state.update(|s| {
                        s.source = WeightSource::File;
                        s.tensor = name;
                        s.group = 0;
                        s.pick = 0;
                    });
                }
                Err(e) => upload_error.set(Some(format!("{e}; the previous tensor stays"))),
            }
            upload::tick().await;
            progress.set(None);
            attempts.update(|a| *a += 1);
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(f) = input.files().and_then(|l| l.get(0)) else {
            return;
        };
        let name = f.name();
        upload_error.set(None);
        progress.set(Some(format!("reading the header of {name}…")));
        wasm_bindgen_futures::spawn_local(async move {
            match upload::read_index(&f).await {
                Ok(idx) => {
                    let wanted = state.with_untracked(|s| s.tensor.clone());
                    let pick = idx
                        .tensors
                        .iter()
                        .find(|t| t.name == wanted && t.supported())
                        .or_else(|| idx.tensors.iter().find(|t| t.supported()))
                        .map(|t| t.name.clone());
                    file.set_value(Some(f));
                    file_name.set(name.clone());
                    index.set(Some(Arc::new(idx)));
                    match pick {
                        Some(p) => load_tensor(p),
                        None => {
                            upload_error.set(Some(format!(
                                "{name} holds no F32, F16, BF16 or F64 tensor; the previous tensor stays"
                            )));
                            progress.set(None);
                            attempts.update(|a| *a += 1);
                        }
                    }
                }
                Err(e) => {
                    upload_error.set(Some(format!("{e}; the previous tensor stays")));
                    progress.set(None);
                    attempts.update(|a| *a += 1);
                }
            }
        });
    };

    let file_rows = Memo::new(move |_| {
        let idx = index.get()?;
        let dtype = dtype_key.get();
        let tensors: Vec<FileTensor> = idx
            .tensors
            .iter()
            .map(|t| FileTensor {
                shape: t.shape.clone(),
                stored_bytes: t.bytes(),
                quantized: t.supported() && t.shape.len() >= 2,
            })
            .collect();
        Some(file_sizes(&tensors, idx.header_bytes, idx.file_len, dtype))
    });

    // Drawn histogram editor.
    let heights = RwSignal::new(state.with_untracked(|s| decode_bars(&s.bars).unwrap_or_default()));
    let bars_canvas = NodeRef::<Canvas>::new();
    let drawing = StoredValue::new(false);
    Effect::new(move |_| {
        let h = heights.get();
        let range = state.with(|s| s.hist_range);
        if let Some(c) = bars_canvas.get() {
            draw_on(&c, |root| wc::draw_bars(root, &h, range));
        }
    });
    let paint = move |ev: &web_sys::PointerEvent| {
        let Some(c) = bars_canvas.get() else { return };
        let r = c.get_bounding_client_rect();
        let x = (f64::from(ev.client_x()) - r.left()) / r.width().max(1.0);
        let y = 1.0 - (f64::from(ev.client_y()) - r.top()) / r.height().max(1.0);
        let i =
            ((x * DRAWN_BARS as f64).floor() as isize).clamp(0, DRAWN_BARS as isize - 1) as usize;
        heights.update(|h| {
            if h.len() != DRAWN_BARS {
                *h = vec![0.0; DRAWN_BARS];
            }
            h[i] = y.clamp(0.0, 1.0) as f32;
        });
    };

    let set = move |f: &dyn Fn(&mut WeightLabState)| {
        perf_mark("wl-update-start");
        state.update(|s| f(s));
    };
    let readout = move |f: fn(&Study) -> String| {
        move || result.with(|r| r.as_ref().map(|r| f(r)).unwrap_or_else(|_| "—".into()))
    };
    // A new grouping (granularity, axis or group size) starts again at its first group.
    let edit_scheme = move |f: &dyn Fn(&mut Scheme)| {
        set(&|s| {
            let grouping = |s: &Scheme| (s.granularity, s.axis, s.group_size);
            let before = grouping(&s.scheme);
            f(&mut s.scheme);
            if grouping(&s.scheme) != before {
                s.group = 0;
            }
        })
    };
    let source = Memo::new(move |_| state.with(|s| s.source));

    // Worked example of the selected weight.
    let worked = Memo::new(move |_| {
        let pick = state.with(|s| s.pick);
        let t = tensor.get().ok()?;
        result.with(|r| {
            let r = r.as_ref().ok()?;
            let len = r.geometry.group_len(r.group);
            let k = pick.min(len.saturating_sub(1));
            let i = r.geometry.flat_index(r.group, k)?;
            let w = r.worked(&t.data, k).map(|(_, w)| w);
            Some((k, i, f64::from(t.data[i]), f64::from(r.recon[i]), w))
        })
    });
    let wk = move |f: fn(&quantlab_core::weights::study::WorkedExample) -> String| {
        move || {
            worked.with(|w| match w {
                Some((_, _, _, _, Some(w))) => f(w),
                _ => "—".into(),
            })
        }
    };

    let hist_levels_note = move || {
        result.with(|r| match r {
            Ok(r) if r.levels.len() > wc::MAX_LEVEL_LINES => {
                format!("{} levels: too dense to draw as lines.", r.levels.len())
            }
            Ok(r) => format!(
                "{} levels of {} (orange).",
                r.levels.len(),
                group_words(r, r.group)
            ),
            Err(_) => String::new(),
        })
    };

    let sort_key = Memo::new(move |_| state.with(|s| (s.sort, s.desc)));
    let sorted_compare = Memo::new(move |_| {
        let (key, desc) = sort_key.get();
        let mut rows = compare.get();
        sort_rows(&mut rows, key, desc);
        rows
    });
    let sort_by = move |key: SortKey| {
        set(&|s| {
            if s.sort == key {
                s.desc = !s.desc;
            } else {
                s.sort = key;
                s.desc = false;
            }
        })
    };
    let sort_mark = move |key: SortKey| {
        move || {
            state.with(|s| {
                if s.sort == key {
                    if s.desc { " ▼" } else { " ▲" }
                } else {
                    ""
                }
            })
        }
    };
    let aria_sort = move |key: SortKey| {
        move || {
            state.with(|s| {
                if s.sort == key {
                    if s.desc { "descending" } else { "ascending" }
                } else {
                    "none"
                }
            })
        }
    };

    let num_input = move |id: &'static str,
                          get: fn(&WeightLabState) -> String,
                          put: fn(&mut WeightLabState, &str)| {
        view! {
            <input type="number" data-testid=id step="any"
                prop:value=move || state.with(get)
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    perf_mark("wl-update-start");
                    state.update(|s| put(s, v.trim()));
                }/>
        }
    };

    view! {
        <section class="lab weight-lab" aria-labelledby="weight-lab-title">
            <h2 id="weight-lab-title">"Weight lab"</h2>
            {(!warnings.is_empty()).then(|| view! {
                <p class="notice" role="status" data-testid="wl-link-notice">{format!("Some link parameters were ignored: {}", warnings.join("; "))}</p>
            })}
            {move || (source.get() == WeightSource::Mlp).then(|| view! {
                <p class="notice" role="status" data-testid="wl-source-notice">{move || tensor.with(|t| match t {
                    Ok(t) => format!("{}, from the model trained in the MLP lab, handed over through this browser's storage (the link holds only the dataset and the layer). Rows are the layer's output channels.", t.name),
                    Err(e) => e.clone(),
                })}</p>
            })}
            <div class="lab-body">
                <form class="controls" on:submit=|ev| ev.prevent_default()>
                    <fieldset>
                        <legend>"Tensor"</legend>
                        <label>"Source "
                            <select data-testid="wl-source" on:change=move |ev| {
                                if let Some(k) = parse_id::<WeightSource>(&event_target_value(&ev)) {
                                    set(&|s| s.source = k);
                                }
                            }>
                                <option value="synthetic" selected=move || source.get() == WeightSource::Synthetic>"Synthetic"</option>
                                <option value="drawn" selected=move || source.get() == WeightSource::Drawn>"Drawn histogram"</option>
                                <option value="file" selected=move || source.get() == WeightSource::File>"Upload a file"</option>
                                <option value="mlp" selected=move || source.get() == WeightSource::Mlp disabled=true>"MLP lab (from its layer links)"</option>
                            </select>
                        </label>
                        <div class:hidden=move || source.get() != WeightSource::File>
                            <label>"File "
                                <input type="file" data-testid="wl-upload" accept=".safetensors,.npy" on:change=on_file/>
                            </label>
                            <p class="hint">"Read in slices: header first, then only the tensor studied. Tensors over 4 M values are studied on their first rows. Nothing leaves this machine."</p>
                            {move || index.get().map(|idx| view! {
                                <label>"Tensor "
                                    <select data-testid="wl-tensor" on:change=move |ev| load_tensor(event_target_value(&ev))>
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
                        <span class="hidden" data-testid="wl-upload-attempts">{move || attempts.get()}</span>
                        {move || upload_error.get().map(|e| view! {
                            <p class="error" role="alert" data-testid="wl-upload-error">{e}</p>
                        })}
                        {move || progress.get().map(|p| view! {
                            <p class="notice" role="status" data-testid="wl-progress"><progress></progress>" "{p}</p>
                        })}
                        <div class:hidden=move || source.get() != WeightSource::Synthetic>
                            <label>"Distribution "
                                <select data-testid="wl-dist" on:change=move |ev| {
                                    if let Some(d) = parse_id::<WeightDist>(&event_target_value(&ev)) {
                                        set(&|s| s.dist = d);
                                    }
                                }>
                                    {WeightDist::ALL.iter().map(|&d| view! {
                                        <option value=d.id() selected=move || state.with(|s| s.dist == d)>{d.label()}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                            <label>"σ " {num_input("wl-sigma", |s| s.sigma.to_string(), |s, v| if let Ok(v) = v.parse() { s.sigma = v })}</label>
                            <label class:hidden=move || state.with(|s| s.dist != WeightDist::StudentT)>"ν " {num_input("wl-nu", |s| s.nu.to_string(), |s, v| if let Ok(v) = v.parse() { s.nu = v })}</label>
                            <label class:hidden=move || state.with(|s| s.dist != WeightDist::Bimodal)>"Mode distance (σ) " {num_input("wl-sep", |s| s.sep.to_string(), |s, v| if let Ok(v) = v.parse() { s.sep = v })}</label>
                            <label>"Row spread " {num_input("wl-spread", |s| s.spread.to_string(), |s, v| if let Ok(v) = v.parse() { s.spread = v })}</label>
                        </div>
                        <div class:hidden=move || source.get() != WeightSource::Drawn>
                            <canvas node_ref=bars_canvas data-testid="wl-drawn-canvas" width="480" height="140"
                                role="img" aria-label="Drawn histogram: press and drag over the bars to set their heights"
                                on:pointerdown=move |ev: web_sys::PointerEvent| {
                                    if let Some(c) = bars_canvas.get() { let _ = c.set_pointer_capture(ev.pointer_id()); }
                                    drawing.set_value(true);
                                    paint(&ev);
                                }
                                on:pointermove=move |ev: web_sys::PointerEvent| { if drawing.get_value() { paint(&ev) } }
                                on:pointerup=move |_| {
                                    if drawing.get_value() {
                                        drawing.set_value(false);
                                        let text = encode_bars(&heights.get_untracked());
                                        set(&|s| s.bars = text.clone());
                                    }
                                }></canvas>
                            <label>"Range ± " {num_input("wl-hist-range", |s| s.hist_range.to_string(), |s, v| if let Ok(v) = v.parse() { s.hist_range = v })}</label>
                        </div>
                        <div class:hidden=move || source.get() == WeightSource::File>
                            <label>"Rows " {num_input("wl-rows", |s| s.rows.to_string(), |s, v| if let Ok(v) = v.parse() { s.rows = v })}</label>
                            <label>"Columns " {num_input("wl-cols", |s| s.cols.to_string(), |s, v| if let Ok(v) = v.parse() { s.cols = v })}</label>
                            <label>"Seed " {num_input("wl-seed", |s| s.seed.to_string(), |s, v| if let Ok(v) = v.parse() { s.seed = v })}</label>
                        </div>
                    </fieldset>
                    <fieldset>
                        <legend>"Quantizer"</legend>
                        <SchemeControls prefix="wl-" granularity=true
                            scheme=Signal::derive(move || state.with(|s| s.scheme)) edit=edit_scheme/>
                        <label>"Scales stored as "
                            <select data-testid="wl-scale-dtype" on:change=move |ev| { if let Some(d) = parse_id::<ScaleDtype>(&event_target_value(&ev)) { set(&|s| s.scale_dtype = d) } }>
                                {ScaleDtype::ALL.iter().map(|&d| view! {
                                    <option value=d.id() selected=move || state.with(|s| s.scale_dtype == d)>{d.id()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </fieldset>
                    <fieldset>
                        <legend>"Views"</legend>
                        <label><input type="checkbox" data-testid="wl-log" prop:checked=move || state.with(|s| s.log)
                            on:change=move |ev| { let on = event_target_checked(&ev); set(&|s| s.log = on) }/>" log count"</label>
                        <label>"Bins " {num_input("wl-bins", |s| s.bins.to_string(), |s, v| if let Ok(v) = v.parse() { s.bins = v })}</label>
                        <label>"Channel / group " {num_input("wl-group", |s| s.group.to_string(), |s, v| if let Ok(v) = v.parse() { s.group = v })}
                            <output data-testid="wl-group-count">{readout(|r| format!("of {}", r.geometry.num_groups()))}</output></label>
                        <label>"Weight in it " {num_input("wl-pick", |s| s.pick.to_string(), |s, v| if let Ok(v) = v.parse() { s.pick = v })}</label>
                        <div class="buttons">
                            <button type="button" data-testid="wl-go-worst" on:click=move |_| {
                                if let Ok(r) = result.get_untracked() { let g = r.worst_group().0; set(&|s| s.group = g) }
                            }>"Go to the worst group"</button>
                        </div>
                        <label>"Packing width "
                            <select data-testid="wl-pack-bits" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { set(&|s| s.pack_bits = v) } }>
                                {[1u32, 2, 3, 4, 8].into_iter().map(|b| view! {
                                    <option value=b.to_string() selected=move || state.with(|s| s.pack_bits == b)>{format!("{b} bits")}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"First weights " {num_input("wl-pack-n", |s| s.pack_n.to_string(), |s, v| if let Ok(v) = v.parse() { s.pack_n = v })}</label>
                    </fieldset>
                    <fieldset>
                        <legend>"Share"</legend>
                        <p class="hint">"The address bar holds every setting: copy it to share this exact view."
                            {move || (source.get() == WeightSource::File).then(|| view! {
                                <strong data-testid="wl-share-file-note">" An uploaded file never travels in a link: whoever opens it is asked for the file (the tensor name is kept)."</strong>
                            })}
                        </p>
                    </fieldset>
                </form>
                <div class="views">
                    {move || result.with(|r| r.as_ref().err().map(|e| view! {
                        <p class="error" role="alert" data-testid="wl-error">{e.clone()}</p>
                    }))}
                    <p class="notice" data-testid="wl-tensor-info">{move || tensor.with(|t| match t {
                        Ok(t) => format!("{}: shape {:?}, {} weights", t.name, t.shape, t.data.len()),
                        Err(_) => String::new(),
                    })}</p>
                    <dl class="readouts">
                        <div><dt>"MSE"</dt><dd><span data-testid="wl-mse">{readout(|r| num(r.metrics.mse))}</span></dd></div>
                        <div><dt>"SNR"</dt><dd><span data-testid="wl-snr-db">{readout(|r| fixed(r.metrics.snr_db, 2))}</span>" dB"</dd></div>
                        <div><dt>"max |e|"</dt><dd><span data-testid="wl-max-error">{readout(|r| num(r.metrics.max_error))}</span></dd></div>
                        <div><dt>"‖W − Ŵ‖/‖W‖"</dt><dd><span data-testid="wl-rel-frobenius">{readout(|r| num(r.metrics.rel_frobenius))}</span></dd></div>
                        <div><dt>"Bits per weight (with scales)"</dt><dd><span data-testid="wl-bits-per-weight">{readout(|r| num(r.storage.bits_per_weight))}</span></dd></div>
                        <div><dt>"Packed bytes"</dt><dd><span data-testid="wl-packed-bytes">{readout(|r| r.storage.total_bytes().to_string())}</span></dd></div>
                        <div><dt>"fp32 bytes"</dt><dd><span data-testid="wl-fp32-bytes">{readout(|r| r.storage.fp32_bytes().to_string())}</span></dd></div>
                        <div><dt>"fp16 bytes"</dt><dd><span data-testid="wl-fp16-bytes">{readout(|r| r.storage.fp16_bytes().to_string())}</span></dd></div>
                        <div><dt>"× smaller than fp32"</dt><dd><span data-testid="wl-ratio-fp32">{readout(|r| fixed(r.storage.fp32_bytes() as f64 / r.storage.total_bytes().max(1) as f64, 3))}</span></dd></div>
                        <div><dt>"× smaller than fp16"</dt><dd><span data-testid="wl-ratio-fp16">{readout(|r| fixed(r.storage.fp16_bytes() as f64 / r.storage.total_bytes().max(1) as f64, 3))}</span></dd></div>
                        <div><dt>"Scale groups"</dt><dd><span data-testid="wl-groups">{readout(|r| r.storage.groups.to_string())}</span></dd></div>
                        <div><dt>"Code bits"</dt><dd><span data-testid="wl-code-bits">{readout(|r| r.storage.code_bits.to_string())}</span></dd></div>
                    </dl>
                    <p class="formula" data-testid="wl-storage-formula">{readout(|r| {
                        let s = &r.storage;
                        format!("bits/weight = 8·(codes {} B + scales/zeros {} B) / {} weights = {}  ({} groups)",
                            s.code_bytes, s.meta_bytes, s.count, num(s.bits_per_weight), s.groups)
                    })}</p>
                    {move || result.with(|r| match r {
                        Ok(r) if r.underflow_groups > 0 => Some(view! {
                            <p class="notice" data-testid="wl-underflow">{format!("{} group scales are too small for {} and round to 0: those groups reconstruct as 0.", r.underflow_groups, state.with_untracked(|s| s.scale_dtype.id()))}</p>
                        }),
                        _ => None,
                    })}

                    <h3>"Histogram and levels"</h3>
                    <figure>
                        <canvas node_ref=hist_canvas data-testid="wl-hist-canvas" width="960" height="300"
                            role="img" aria-label="Histogram of the weights with the quantization levels as vertical lines"></canvas>
                        <figcaption data-testid="wl-hist-caption">"Weights (blue). " {hist_levels_note}</figcaption>
                    </figure>

                    <h3>"r = S·(q − Z), one weight at a time"</h3>
                    <div class="worked" data-testid="wl-worked">
                        {move || result.with(|r| r.as_ref().ok().map(|r| {
                            let linear = !r.params.is_empty();
                            let p = r.params.get(r.group).copied();
                            let words = group_words(r, r.group);
                            view! {
                                <p data-testid="wl-worked-group">{format!("Selected: {words}.")}</p>
                                {p.map(|p| view! {
                                    <dl class="readouts">
                                        <div><dt>"S (as stored)"</dt><dd><span data-testid="wl-scale">{num(p.scale)}</span></dd></div>
                                        <div><dt>"Z"</dt><dd><span data-testid="wl-zero-point">{num(p.zero_point)}</span></dd></div>
                                        <div><dt>"q_min"</dt><dd><span data-testid="wl-qmin">{p.qmin}</span></dd></div>
                                        <div><dt>"q_max"</dt><dd><span data-testid="wl-qmax">{p.qmax}</span></dd></div>
                                    </dl>
                                })}
                                {(!linear).then(|| view! {
                                    <p class="hint" data-testid="wl-worked-nonlinear">"This scheme is not r = S·(q − Z): it maps each weight to the nearest of its levels (a codebook, a float format or an absmax-scaled table). The selected weight and its reconstruction:"</p>
                                })}
                            }
                        }))}
                        {move || worked.with(|w| w.as_ref().map(|&(k, i, x, r, ex)| view! {
                            <ol class="steps">
                                <li>{format!("weight {k} of the group (flat index {i}): x = ")}<span data-testid="wl-work-x">{num(x)}</span></li>
                                {ex.map(|w| view! {
                                    <li>"divide by S: x/S = "<span data-testid="wl-work-x-over-s">{num(w.x_over_s)}</span></li>
                                    <li>"add Z: x/S + Z = "<span data-testid="wl-work-plus-z">{num(w.plus_z)}</span></li>
                                    <li>"round half to even: "<span data-testid="wl-work-rounded">{num(w.rounded)}</span></li>
                                    <li>{format!("clamp to [{}, {}]: q = ", w.qmin, w.qmax)}<span data-testid="wl-work-q">{w.q}</span>
                                        {w.clamped.then_some(" (clipped: the weight lies outside the range)")}</li>
                                    <li>"back: q − Z = "<span data-testid="wl-work-q-minus-z">{num(w.q_minus_z)}</span></li>
                                })}
                                <li>"r = "{ex.map(|_| "S·(q − Z) = ")}<span data-testid="wl-work-r">{num(r)}</span></li>
                                <li>"error x − r = "<span data-testid="wl-work-error">{num(x - r)}</span></li>
                            </ol>
                        }))}
                    </div>
                    <p class="formula">{wk(|w| format!("q = clamp(round({} / {} + {}), {}, {}) = {};  r = {}·({} − {}) = {}",
                        num(w.x), num(w.scale), num(w.zero_point), w.qmin, w.qmax, w.q, num(w.scale), w.q, num(w.zero_point), num(w.r)))}</p>

                    <h3>"Granularity: scales and errors per channel / group"</h3>
                    <p class="readouts-inline">"Worst group: "<span data-testid="wl-worst-group">{readout(|r| r.worst_group().0.to_string())}</span>
                        " with MSE "<span data-testid="wl-worst-mse">{readout(|r| num(r.worst_group().1))}</span></p>
                    <figure>
                        <canvas node_ref=scales_canvas data-testid="wl-scales-canvas" width="960" height="220"
                            role="img" aria-label="Distribution of the scales across channels or groups"></canvas>
                        <figcaption>{move || result.with(|r| match r {
                            Ok(r) if r.scales.is_empty() => "This scheme has no per-group scale.".to_string(),
                            Ok(r) => format!("Distribution of the {} scales (green); the selected group's in orange.", r.scales.len()),
                            Err(_) => String::new(),
                        })}</figcaption>
                    </figure>
                    <figure>
                        <canvas node_ref=heat_canvas data-testid="wl-heat-canvas" width="960" height="360"
                            role="img" aria-label="Heat map of the mean squared error per block of rows and columns"></canvas>
                        <figcaption data-testid="wl-heat-caption">{readout(|r| format!(
                            "MSE per cell of {} row(s) × {} column(s), log colour scale (dark: least, yellow: most).",
                            r.heat.row_step, r.heat.col_step))}</figcaption>
                    </figure>

                    <h3>"Packing"</h3>
                    {move || packing.with(|p| match p {
                        Err(e) => view! { <p class="error" data-testid="wl-pack-error">{e.clone()}</p> }.into_any(),
                        Ok(p) => view! {
                            <p class="hint">{format!(
                                "The first {} weights, linear {} at {} bits (scales of the whole tensor); codes stored unsigned as u = q − q_min = q − ({}), packed LSB-first: code 0 in the low bits of byte 0{}.",
                                p.weights.len(), p.mode.id(), p.bits, p.qmin,
                                if p.bits == 3 { ", codes may straddle bytes" } else { "" })}</p>
                            <table class="pack-table">
                                <tbody>
                                    <tr><th scope="row">"weights"</th><td data-testid="wl-pack-weights">{p.weights.iter().map(|&w| num(f64::from(w))).collect::<Vec<_>>().join(" ")}</td></tr>
                                    <tr><th scope="row">"codes q"</th><td data-testid="wl-pack-codes">{p.codes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")}</td></tr>
                                    <tr><th scope="row">"u = q − q_min"</th><td data-testid="wl-pack-unsigned">{p.unsigned.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")}</td></tr>
                                    <tr><th scope="row">"bits of u"</th><td data-testid="wl-pack-bits-view" class="mono">{p.code_bits().join(" ")}</td></tr>
                                    <tr><th scope="row">{format!("{} bytes (hex)", p.bytes.len())}</th><td data-testid="wl-pack-hex" class="mono">{p.hex().join(" ")}</td></tr>
                                    <tr><th scope="row">"bytes (binary)"</th><td data-testid="wl-pack-binary" class="mono">{p.binary().join(" ")}</td></tr>
                                    <tr><th scope="row">"unpacked u"</th><td data-testid="wl-pack-unpacked">{p.unpacked.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")}</td></tr>
                                    <tr><th scope="row">"r = S·(q − Z)"</th><td data-testid="wl-pack-recon">{p.recon.iter().map(|&w| num(f64::from(w))).collect::<Vec<_>>().join(" ")}</td></tr>
                                </tbody>
                            </table>
                            <p>"Round trip (unpacked = packed): "<strong data-testid="wl-pack-roundtrip">{p.round_trip.to_string()}</strong>
                                " — "<span data-testid="wl-pack-byte-count">{p.bytes.len()}</span>" bytes for "{p.weights.len()}" codes"</p>
                        }.into_any(),
                    })}

                    <h3>"Comparison of schemes on this tensor"</h3>
                    <p class="hint" data-testid="wl-compare-status">{move || {
                        let done = compare_done.get();
                        if done < total_schemes { format!("computing {done} of {total_schemes}…") } else { format!("{total_schemes} schemes; click a column to sort.") }
                    }}</p>
                    <table class="mem-table compare-table" data-testid="wl-compare-table">
                        <thead><tr>
                            {[(SortKey::Name, "scheme"), (SortKey::Bits, "bits/weight"), (SortKey::Bytes, "bytes"), (SortKey::Mse, "MSE"), (SortKey::Snr, "SNR dB"), (SortKey::MaxError, "max |e|"), (SortKey::RelFrobenius, "rel. Frobenius")]
                                .into_iter().map(|(k, label)| view! {
                                    <th scope="col" aria-sort=aria_sort(k)><button type="button" data-testid=format!("wl-sort-{}", k.id()) on:click=move |_| sort_by(k)>{label}{sort_mark(k)}</button></th>
                                }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {move || sorted_compare.get().into_iter().map(|r| view! {
                                <tr data-testid="wl-compare-row" data-scheme=r.id.clone()>
                                    <th scope="row">{r.label.clone()}</th>
                                    <td data-col="bits">{num(r.bits_per_weight)}</td>
                                    <td data-col="bytes">{r.bytes}</td>
                                    <td data-col="mse">{num(r.metrics.mse)}</td>
                                    <td data-col="snr">{fixed(r.metrics.snr_db, 2)}</td>
                                    <td data-col="max-error">{num(r.metrics.max_error)}</td>
                                    <td data-col="rel-frobenius">{num(r.metrics.rel_frobenius)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>

                    {move || index.get().map(|idx| {
                        let scheme_label = move || state.with(|s| format!("{} {}-bit", s.scheme.scheme.id(), s.scheme.code_bits()));
                        let idx2 = idx.clone();
                        view! {
                            <h3>"Tensors of " {file_name.get()}</h3>
                            <p class="hint">{format!("{} tensors, {} on disk ({} header bytes). Sizes under the current scheme come from the shapes; errors are measured on each tensor (its first 4 M values at most){}.",
                                idx.tensors.len(), mib(idx.file_len), idx.header_bytes,
                                if (idx.file_len as f64) > AUTO_MEASURE_BYTES { "; this file is large, so measure on request" } else { "" })}</p>
                            <div class="buttons">
                                <button type="button" data-testid="wl-measure-all" on:click=move |_| measure_all()>"Measure every tensor with this scheme"</button>
                                {move || measuring.get().map(|(i, n)| view! { <span data-testid="wl-measure-progress"><progress max=n value=i></progress>{format!(" tensor {} of {n}", i + 1)}</span> })}
                            </div>
                            <table class="mem-table tensor-table" data-testid="wl-tensor-table">
                                <thead><tr><th scope="col">"tensor"</th><th scope="col">"dtype"</th><th scope="col">"shape"</th><th scope="col">"values"</th><th scope="col">"bytes"</th>
                                    <th scope="col">{move || format!("bits/weight ({})", scheme_label())}</th><th scope="col">"quantized bytes"</th><th scope="col">"SNR dB"</th><th scope="col">"MSE"</th><th scope="col">"rel. Frobenius"</th></tr></thead>
                                <tbody>
                                    {idx2.tensors.iter().map(|t| {
                                        let name = t.name.clone();
                                        let shape = t.shape.clone();
                                        let count = t.count;
                                        let supported = t.supported();
                                        let st = move || state.with(|s| if supported {
                                            storage(&s.scheme, &shape, count, s.scale_dtype).ok()
                                        } else { None });
                                        let st2 = st.clone();
                                        let n2 = name.clone();
                                        let m = move |f: fn(&WeightMetrics) -> String| {
                                            let n = n2.clone();
                                            move || measures.with(|ms| match ms.iter().find(|m| m.name == n) {
                                                Some(TensorMeasure { result: Ok(m), .. }) => f(m),
                                                Some(TensorMeasure { result: Err(e), .. }) => e.clone(),
                                                None => "—".into(),
                                            })
                                        };
                                        view! {
                                            <tr data-testid="wl-tensor-row" data-name=name.clone()>
                                                <th scope="row">{name.clone()}</th>
                                                <td data-col="dtype">{t.dtype.clone()}</td>
                                                <td data-col="shape">{format!("{:?}", t.shape)}</td>
                                                <td data-col="count">{t.count}</td>
                                                <td data-col="bytes">{t.bytes()}</td>
                                                <td data-col="bits">{move || st().map(|s| num(s.bits_per_weight)).unwrap_or_else(|| "—".into())}</td>
                                                <td data-col="qbytes">{move || st2().map(|s| s.total_bytes().to_string()).unwrap_or_else(|| "—".into())}</td>
                                                <td data-col="snr">{m(|m| fixed(m.snr_db, 2))}</td>
                                                <td data-col="mse">{m(|m| num(m.mse))}</td>
                                                <td data-col="rel-frobenius">{m(|m| num(m.rel_frobenius))}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h3>"The whole file per scheme"</h3>
                            <p class="hint">"Matrices (float tensors of 2 or more dimensions) quantized, vectors and other tensors kept as stored, header included."</p>
                            <table class="mem-table file-size-table" data-testid="wl-file-size-table">
                                <thead><tr><th scope="col">"scheme"</th><th scope="col">"bytes"</th><th scope="col">"MiB"</th><th scope="col">"of the original"</th><th scope="col">"tensors quantized"</th></tr></thead>
                                <tbody>
                                    <tr data-testid="wl-file-size-row" data-scheme="original"><th scope="row">"as stored"</th><td data-col="bytes">{idx.file_len}</td><td>{fixed(idx.file_len as f64 / 1048576.0, 2)}</td><td>"1"</td><td>"0"</td></tr>
                                    {move || file_rows.get().unwrap_or_default().into_iter().map(|r: FileSizeRow| view! {
                                        <tr data-testid="wl-file-size-row" data-scheme=r.id.clone()>
                                            <th scope="row">{r.label.clone()}</th>
                                            <td data-col="bytes">{r.bytes}</td>
                                            <td>{fixed(r.bytes as f64 / 1048576.0, 2)}</td>
                                            <td data-col="ratio">{fixed(r.ratio, 4)}</td>
                                            <td>{r.quantized}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }
                    })}
                </div>
            </div>
        </section>
    }
}
