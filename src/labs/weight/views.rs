//! The Weight lab's views: the readouts and storage formula, the histogram with its
//! levels, `r = S·(q − Z)` worked for one weight, the scales and errors per group, the
//! packing, the comparison of schemes, and an uploaded file's tensors.

use crate::widgets::svg::FigureExports;
use leptos::prelude::*;
use quantlab_core::weights::compare::{FileSizeRow, SortKey, file_sizes, sort_rows};
use quantlab_core::weights::storage::{FileTensor, storage};
use quantlab_core::weights::study::{Study, WeightMetrics, WorkedExample};

use super::canvases::Canvases;
use super::pipeline::{WeightOutcome, WeightPipeline};
use super::state::{WeightSource, WeightState};
use super::upload::{AUTO_MEASURE_BYTES, Files, TensorMeasure, mib};
use crate::charts::weight as wc;
use crate::format::{fixed, num};

/// Words for group `g` of the study's granularity: `row 3`, `group 5 (row 0, columns 640–767)`.
pub fn group_words(s: &Study, g: usize) -> String {
    use quantlab_core::quantizer::Granularity;
    let len = s.geometry.group_len(g);
    match s.geometry.granularity() {
        Granularity::PerTensor => format!("the whole tensor ({len} weights)"),
        Granularity::PerChannel { axis } => {
            format!("channel {g} along axis {axis} ({len} weights)")
        }
        Granularity::PerGroup { .. } => {
            let first = s.geometry.flat_index(g, 0).unwrap_or(0);
            let (_, cols) = s.geometry.matrix();
            format!(
                "group {g}: row {}, columns {}–{} ({len} weights)",
                first / cols,
                first % cols,
                first % cols + len.saturating_sub(1)
            )
        }
    }
}

/// `f` of the study as a live readout, `—` while there is none.
fn readout(
    result: Memo<WeightOutcome<Study>>,
    f: fn(&Study) -> String,
) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || result.with(|r| r.as_ref().map(|r| f(r)).unwrap_or_else(|_| "—".into()))
}

/// The notices above the page: parameters of the link that were ignored, and where a
/// tensor from the MLP lab comes from.
#[component]
pub fn Notices(
    /// The link parameters that were ignored.
    warnings: Vec<String>,
) -> impl IntoView {
    let st = WeightState::use_();
    let tensor = WeightPipeline::use_().tensor;
    view! {
        {(!warnings.is_empty()).then(|| view! {
            <p class="notice" role="status" data-testid="wl-link-notice">{format!("Some link parameters were ignored: {}", warnings.join("; "))}</p>
        })}
        {move || (st.source.get() == WeightSource::Mlp).then(|| view! {
            <p class="notice" role="status" data-testid="wl-source-notice">{move || tensor.with(|t| match t {
                Ok(t) => format!("{}, from the model trained in the MLP lab, handed over through this browser's storage (the link holds only the dataset and the layer). Rows are the layer's output channels.", t.name),
                Err(e) => e.to_string(),
            })}</p>
        })}
    }
}

/// The error, the tensor, the metrics and the storage with its formula.
#[component]
pub fn Readouts() -> impl IntoView {
    let st = WeightState::use_();
    let WeightPipeline { tensor, result, .. } = WeightPipeline::use_();
    let readout = move |f| readout(result, f);
    view! {
        {move || result.with(|r| r.as_ref().err().map(|e| view! {
            <p class="error" role="alert" data-testid="wl-error">{e.to_string()}</p>
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
                <p class="notice" data-testid="wl-underflow">{format!("{} group scales are too small for {} and round to 0: those groups reconstruct as 0.", r.underflow_groups, st.state.with_untracked(|s| s.scale_dtype.id()))}</p>
            }),
            _ => None,
        })}

    }
}

/// The histogram of the weights with the levels of the selected group.
#[component]
pub fn HistogramView() -> impl IntoView {
    let result = WeightPipeline::use_().result;
    let hist_canvas = Canvases::use_().hist;
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
    view! {
        <h3>"Histogram and levels"</h3>
        <figure>
            <canvas node_ref=hist_canvas data-testid="wl-hist-canvas" width="960" height="300"
                role="img" aria-label="Histogram of the weights with the quantization levels as vertical lines"></canvas>
            <figcaption data-testid="wl-hist-caption">"Weights (blue). " {hist_levels_note}</figcaption>
            <FigureExports canvas="wl-hist-canvas" name="wl-hist"/>
        </figure>

    }
}

/// `r = S·(q − Z)` worked through for the selected weight.
#[component]
pub fn WorkedView() -> impl IntoView {
    let WeightPipeline { result, worked, .. } = WeightPipeline::use_();
    let wk = move |f: fn(&WorkedExample) -> String| {
        move || {
            worked.with(|w| match w {
                Some((_, _, _, _, Some(w))) => f(w),
                _ => "—".into(),
            })
        }
    };
    view! {
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

    }
}

/// The scales and the errors per channel or group.
#[component]
pub fn GranularityView() -> impl IntoView {
    let result = WeightPipeline::use_().result;
    let canvases = Canvases::use_();
    let (scales_canvas, heat_canvas) = (canvases.scales, canvases.heat);
    let readout = move |f| readout(result, f);
    view! {
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
            <FigureExports canvas="wl-scales-canvas" name="wl-scales"/>
        </figure>
        <figure>
            <canvas node_ref=heat_canvas data-testid="wl-heat-canvas" width="960" height="360"
                role="img" aria-label="Heat map of the mean squared error per block of rows and columns"></canvas>
            <figcaption data-testid="wl-heat-caption">{readout(|r| format!(
                "MSE per cell of {} row(s) × {} column(s), log colour scale (dark: least, yellow: most).",
                r.heat.row_step, r.heat.col_step))}</figcaption>
            <FigureExports canvas="wl-heat-canvas" name="wl-heat"/>
        </figure>

    }
}

/// The packing of the first weights, byte by byte.
#[component]
pub fn PackingTable() -> impl IntoView {
    let packing = WeightPipeline::use_().packing;
    view! {
        <h3>"Packing"</h3>
        {move || packing.with(|p| match p {
            Err(e) => view! { <p class="error" data-testid="wl-pack-error">{e.to_string()}</p> }.into_any(),
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

    }
}

/// The sortable comparison of the standard schemes on this tensor.
#[component]
pub fn CompareTable() -> impl IntoView {
    let st = WeightState::use_();
    let state = st.state;
    let compare = WeightPipeline::use_().compare;
    let total_schemes = compare.total;
    let sort_key = Memo::new(move |_| state.with(|s| (s.sort, s.desc)));
    let sorted_compare = Memo::new(move |_| {
        let (key, desc) = sort_key.get();
        let mut rows = compare.rows.get();
        sort_rows(&mut rows, key, desc);
        rows
    });
    let sort_by = move |key: SortKey| {
        st.set(|s| {
            if s.sort == key {
                s.desc = !s.desc;
            } else {
                s.sort = key;
                s.desc = false;
            }
        })
    };
    // The sort mark and `aria-sort` of a column: (this column ascending, descending, other).
    let sorted = move |key: SortKey, words: [&'static str; 3]| {
        move || {
            state.with(|s| match (s.sort == key, s.desc) {
                (true, false) => words[0],
                (true, true) => words[1],
                _ => words[2],
            })
        }
    };
    let sort_mark = move |key| sorted(key, [" ▲", " ▼", ""]);
    let aria_sort = move |key| sorted(key, ["ascending", "descending", "none"]);
    view! {
        <h3>"Comparison of schemes on this tensor"</h3>
        <p class="hint" data-testid="wl-compare-status">{move || {
            let done = compare.done.get();
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

    }
}

/// An uploaded file's tensors (sizes under the current scheme, errors measured) and the
/// whole file's size per scheme.
#[component]
pub fn FileTables() -> impl IntoView {
    let st = WeightState::use_();
    let state = st.state;
    let Files {
        measures,
        measuring,
        ..
    } = Files::use_();
    let files = Files::use_();
    let measure_all = move || files.measure_all();
    let index = st.index;
    let file_name = st.file_name;
    let dtype_key = Memo::new(move |_| state.with(|s| s.scale_dtype));
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
    view! {
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
                                    Some(TensorMeasure { result: Err(e), .. }) => e.to_string(),
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
    }
}
