//! The Weight lab's views: the readouts and storage formula, the histogram with its
//! levels, `r = S·(q − Z)` worked for one weight, the scales and errors per group, the
//! comparison of schemes, and an uploaded file's tensors (the packing is in
//! [`super::packing`]).

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
use crate::lang::fill::{fill, td_string};
use crate::lang::numbers::{localize, number_span};
use crate::lang::{Locale, t_string, use_i18n};

/// The name of a row of the comparison or file-size table in `l`: a scheme kind's own row
/// by [`scheme_label`](crate::widgets::scheme_names::scheme_label), a named configuration
/// (`int4 sym, group 128`, `NF4, block 64, double quant`) with its English words swapped.
pub fn row_label(id: &str, label: &str, l: Locale) -> String {
    if let Some(k) = quantlab_core::SchemeKind::ALL
        .into_iter()
        .find(|k| k.id() == id && k.label() == label)
    {
        return crate::widgets::scheme_names::scheme_label(k, l).to_string();
    }
    // Longest phrase first ("double quant" before the words it does not contain anyway).
    [
        ("double quant", td_string!(l, weight.row_double_quant)),
        ("per tensor", td_string!(l, weight.row_per_tensor)),
        ("per channel", td_string!(l, weight.row_per_channel)),
        ("group", td_string!(l, weight.row_group)),
        ("block", td_string!(l, weight.row_block)),
        ("levels", td_string!(l, weight.row_levels)),
    ]
    .iter()
    .fold(label.to_string(), |s, (en, word)| s.replace(en, word))
}

/// Words for group `g` of the study's granularity in `l`: `channel 3 along axis 0 (64
/// weights)`, `group 5: row 0, columns 640–767 (128 weights)`.
pub fn group_words(s: &Study, g: usize, l: Locale) -> String {
    use quantlab_core::quantizer::Granularity;
    let len = s.geometry.group_len(g).to_string();
    match s.geometry.granularity() {
        Granularity::PerTensor => fill(td_string!(l, weight.whole_tensor), &[("n", &len)]),
        Granularity::PerChannel { axis } => fill(
            td_string!(l, weight.channel_words),
            &[
                ("g", &g.to_string()),
                ("axis", &axis.to_string()),
                ("n", &len),
            ],
        ),
        Granularity::PerGroup { .. } => {
            let first = s.geometry.flat_index(g, 0).unwrap_or(0);
            let (_, cols) = s.geometry.matrix();
            let n = s.geometry.group_len(g);
            fill(
                td_string!(l, weight.group_words),
                &[
                    ("g", &g.to_string()),
                    ("row", &(first / cols).to_string()),
                    ("c0", &(first % cols).to_string()),
                    ("c1", &(first % cols + n.saturating_sub(1)).to_string()),
                    ("n", &len),
                ],
            )
        }
    }
}

/// A plain number in `l`'s separators (table cells; `—` and `Infinity` stay).
fn loc(plain: String, l: Locale) -> String {
    localize(&plain, l)
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
    let i18n = use_i18n();
    view! {
        {(!warnings.is_empty()).then(|| view! {
            <p class="notice" role="status" data-testid="wl-link-notice">{move || fill(t_string!(i18n, weight.link_ignored), &[("list", &warnings.join("; "))])}</p>
        })}
        {move || (st.source.get() == WeightSource::Mlp).then(|| view! {
            <p class="notice" role="status" data-testid="wl-source-notice">{move || tensor.with(|t| match t {
                Ok(t) => fill(t_string!(i18n, weight.mlp_source), &[("name", &t.name)]),
                Err(e) => e.message(i18n.get_locale()),
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
    let i18n = use_i18n();
    view! {
        {move || result.with(|r| r.as_ref().err().map(|e| view! {
            <p class="error" role="alert" data-testid="wl-error">{e.message(i18n.get_locale())}</p>
        }))}
        <p class="notice" data-testid="wl-tensor-info">{move || tensor.with(|t| match t {
            Ok(t) => {
                let l = i18n.get_locale();
                fill(td_string!(l, weight.tensor_info), &[
                    ("name", &super::pipeline::tensor_name(&t.name, l)),
                    ("shape", &format!("{:?}", t.shape)),
                    ("n", &t.data.len().to_string()),
                ])
            }
            Err(_) => String::new(),
        })}</p>
        <dl class="readouts">
            <div><dt>"MSE"</dt><dd>{number_span("wl-mse", readout(|r| num(r.metrics.mse)))}</dd></div>
            <div><dt>"SNR"</dt><dd>{number_span("wl-snr-db", readout(|r| fixed(r.metrics.snr_db, 2)))}" dB"</dd></div>
            <div><dt>"max |e|"</dt><dd>{number_span("wl-max-error", readout(|r| num(r.metrics.max_error)))}</dd></div>
            <div><dt>"‖W − Ŵ‖/‖W‖"</dt><dd>{number_span("wl-rel-frobenius", readout(|r| num(r.metrics.rel_frobenius)))}</dd></div>
            <div><dt>{move || t_string!(i18n, weight.r_bits)}</dt><dd>{number_span("wl-bits-per-weight", readout(|r| num(r.storage.bits_per_weight)))}</dd></div>
            <div><dt>{move || t_string!(i18n, weight.r_packed)}</dt><dd>{number_span("wl-packed-bytes", readout(|r| r.storage.total_bytes().to_string()))}</dd></div>
            <div><dt>{move || t_string!(i18n, weight.r_fp32)}</dt><dd>{number_span("wl-fp32-bytes", readout(|r| r.storage.fp32_bytes().to_string()))}</dd></div>
            <div><dt>{move || t_string!(i18n, weight.r_fp16)}</dt><dd>{number_span("wl-fp16-bytes", readout(|r| r.storage.fp16_bytes().to_string()))}</dd></div>
            <div><dt>{move || t_string!(i18n, weight.r_ratio32)}</dt><dd>{number_span("wl-ratio-fp32", readout(|r| fixed(r.storage.fp32_bytes() as f64 / r.storage.total_bytes().max(1) as f64, 3)))}</dd></div>
            <div><dt>{move || t_string!(i18n, weight.r_ratio16)}</dt><dd>{number_span("wl-ratio-fp16", readout(|r| fixed(r.storage.fp16_bytes() as f64 / r.storage.total_bytes().max(1) as f64, 3)))}</dd></div>
            <div><dt>{move || t_string!(i18n, weight.r_groups)}</dt><dd>{number_span("wl-groups", readout(|r| r.storage.groups.to_string()))}</dd></div>
            <div><dt>{move || t_string!(i18n, weight.r_code_bits)}</dt><dd>{number_span("wl-code-bits", readout(|r| r.storage.code_bits.to_string()))}</dd></div>
        </dl>
        <p class="formula" data-testid="wl-storage-formula">{move || {
            let l = i18n.get_locale();
            result.with(|r| r.as_ref().map(|r| {
                let s = &r.storage;
                fill(td_string!(l, weight.storage_formula), &[
                    ("codes", &loc(s.code_bytes.to_string(), l)),
                    ("meta", &loc(s.meta_bytes.to_string(), l)),
                    ("n", &loc(s.count.to_string(), l)),
                    ("bits", &loc(num(s.bits_per_weight), l)),
                    ("groups", &loc(s.groups.to_string(), l)),
                ])
            }).unwrap_or_else(|_| "—".into()))
        }}</p>
        {move || result.with(|r| match r {
            Ok(r) if r.underflow_groups > 0 => Some(view! {
                <p class="notice" data-testid="wl-underflow">{fill(t_string!(i18n, weight.underflow), &[
                    ("n", &r.underflow_groups.to_string()),
                    ("dtype", st.state.with_untracked(|s| s.scale_dtype.id())),
                ])}</p>
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
    let i18n = use_i18n();
    let hist_levels_note = move || {
        let l = i18n.get_locale();
        result.with(|r| match r {
            Ok(r) if r.levels.len() > wc::MAX_LEVEL_LINES => fill(
                td_string!(l, weight.levels_dense),
                &[("n", &r.levels.len().to_string())],
            ),
            Ok(r) => fill(
                td_string!(l, weight.levels_of),
                &[
                    ("n", &r.levels.len().to_string()),
                    ("group", &group_words(r, r.group, l)),
                ],
            ),
            Err(_) => String::new(),
        })
    };
    view! {
        <h3>{move || t_string!(i18n, weight.hist_title)}</h3>
        <figure>
            <canvas node_ref=hist_canvas data-testid="wl-hist-canvas" width="960" height="300"
                data-x-label=move || t_string!(i18n, weight.axis_weight)
                role="img" aria-label=move || t_string!(i18n, weight.hist_aria)></canvas>
            <figcaption data-testid="wl-hist-caption">{move || t_string!(i18n, weight.hist_caption)} {hist_levels_note}</figcaption>
            <FigureExports canvas="wl-hist-canvas" name="wl-hist"/>
        </figure>

    }
}

/// `r = S·(q − Z)` worked through for the selected weight.
#[component]
pub fn WorkedView() -> impl IntoView {
    let WeightPipeline { result, worked, .. } = WeightPipeline::use_();
    let i18n = use_i18n();
    let wk = move |f: fn(&WorkedExample) -> String| {
        move || {
            worked.with(|w| match w {
                Some((_, _, _, _, Some(w))) => f(w),
                _ => "—".into(),
            })
        }
    };
    view! {
        <h3>{move || t_string!(i18n, weight.worked_title)}</h3>
        <div class="worked" data-testid="wl-worked">
            {move || { let l = i18n.get_locale(); result.with(|r| r.as_ref().ok().map(|r| {
                let linear = !r.params.is_empty();
                let p = r.params.get(r.group).copied();
                let words = group_words(r, r.group, l);
                view! {
                    <p data-testid="wl-worked-group">{fill(td_string!(l, weight.selected), &[("words", &words)])}</p>
                    {p.map(|p| view! {
                        <dl class="readouts">
                            <div><dt>{td_string!(l, weight.s_stored)}</dt><dd>{number_span("wl-scale", move || num(p.scale))}</dd></div>
                            <div><dt>"Z"</dt><dd>{number_span("wl-zero-point", move || num(p.zero_point))}</dd></div>
                            <div><dt>"q_min"</dt><dd><span data-testid="wl-qmin">{p.qmin}</span></dd></div>
                            <div><dt>"q_max"</dt><dd><span data-testid="wl-qmax">{p.qmax}</span></dd></div>
                        </dl>
                    })}
                    {(!linear).then(|| view! {
                        <p class="hint" data-testid="wl-worked-nonlinear">{td_string!(l, weight.nonlinear)}</p>
                    })}
                    {r.rotation.is_some().then(|| view! {
                        <p class="hint" data-testid="wl-worked-rotated">{td_string!(l, weight.rot_worked)}</p>
                    })}
                }
            }))}}
            {move || { let l = i18n.get_locale(); worked.with(|w| w.as_ref().map(|&(k, i, x, r, ex)| view! {
                <ol class="steps">
                    <li>{fill(td_string!(l, weight.step_weight), &[("k", &k.to_string()), ("i", &i.to_string())])}{number_span("wl-work-x", move || num(x))}</li>
                    {ex.map(|w| view! {
                        <li>{td_string!(l, weight.step_divide)}{number_span("wl-work-x-over-s", move || num(w.x_over_s))}</li>
                        <li>{td_string!(l, weight.step_add_z)}{number_span("wl-work-plus-z", move || num(w.plus_z))}</li>
                        <li>{td_string!(l, weight.step_round)}{number_span("wl-work-rounded", move || num(w.rounded))}</li>
                        <li>{fill(td_string!(l, weight.step_clamp), &[("lo", &w.qmin.to_string()), ("hi", &w.qmax.to_string())])}<span data-testid="wl-work-q">{w.q}</span>
                            {w.clamped.then_some(td_string!(l, weight.step_clipped))}</li>
                        <li>{td_string!(l, weight.step_back)}{number_span("wl-work-q-minus-z", move || num(w.q_minus_z))}</li>
                    })}
                    <li>"r = "{ex.map(|_| "S·(q − Z) = ")}{number_span("wl-work-r", move || num(r))}</li>
                    <li>{td_string!(l, weight.step_error)}{number_span("wl-work-error", move || num(x - r))}</li>
                </ol>
            }))}}
        </div>
        // Math notation with plain numbers (its commas separate arguments).
        <p class="formula" translate="no">{wk(|w| format!("q = clamp(round({} / {} + {}), {}, {}) = {};  r = {}·({} − {}) = {}",
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
    let i18n = use_i18n();
    // The Weight lab has a block inspector; the lesson's hosted figure has none.
    let ins = use_context::<super::inspector::Inspector>();
    let tensor = WeightPipeline::use_().tensor;
    let cols = move || {
        tensor.with_untracked(|t| {
            t.as_ref()
                .ok()
                .and_then(|t| t.shape.last().copied())
                .unwrap_or(1)
        })
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(c) = heat_canvas.get_untracked() else {
            return;
        };
        let (cw, ch) = (
            f64::from(c.client_width().max(1)),
            f64::from(c.client_height().max(1)),
        );
        let px = f64::from(ev.offset_x()) * f64::from(c.width()) / cw;
        let py = f64::from(ev.offset_y()) * f64::from(c.height()) / ch;
        result.with_untracked(|r| {
            if let Ok(r) = r
                && let Some(ins) = ins
                && let Some(cell) = wc::heat_cell_at(&r.heat, c.width(), c.height(), px, py)
            {
                ins.choose_cell(&r.heat, cols(), cell);
            }
        });
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        result.with_untracked(|r| {
            let (Ok(r), Some(ins)) = (r, ins) else {
                return;
            };
            if let Some(cell) = super::inspector::move_cursor(
                &ev.key(),
                ev.shift_key(),
                ins.cursor.get_untracked(),
                &r.heat,
            ) {
                ev.prevent_default();
                ins.choose_cell(&r.heat, cols(), cell);
            }
        });
    };
    view! {
        <h3>{move || t_string!(i18n, weight.gran_title)}</h3>
        <p class="readouts-inline">{move || t_string!(i18n, weight.worst_group)}<span data-testid="wl-worst-group">{readout(|r| r.worst_group().0.to_string())}</span>
            {move || t_string!(i18n, weight.with_mse)}{number_span("wl-worst-mse", readout(|r| num(r.worst_group().1)))}</p>
        <figure>
            <canvas node_ref=scales_canvas data-testid="wl-scales-canvas" width="960" height="220"
                role="img" aria-label=move || t_string!(i18n, weight.scales_aria)></canvas>
            <figcaption>{move || result.with(|r| match r {
                Ok(r) if r.scales.is_empty() => t_string!(i18n, weight.no_scales).to_string(),
                Ok(r) => fill(t_string!(i18n, weight.scales_caption), &[("n", &r.scales.len().to_string())]),
                Err(_) => String::new(),
            })}</figcaption>
            <FigureExports canvas="wl-scales-canvas" name="wl-scales"/>
        </figure>
        <figure>
            <canvas node_ref=heat_canvas data-testid="wl-heat-canvas" width="960" height="360" tabindex="0"
                on:click=on_click on:keydown=on_key
                role="img" aria-label=move || t_string!(i18n, weight.heat_aria)></canvas>
            <figcaption data-testid="wl-heat-caption">{move || result.with(|r| r.as_ref().map(|r| fill(
                t_string!(i18n, weight.heat_caption),
                &[("rows", &r.heat.row_step.to_string()), ("cols", &r.heat.col_step.to_string())],
            )).unwrap_or_else(|_| "—".into()))}</figcaption>
            <FigureExports canvas="wl-heat-canvas" name="wl-heat"/>
        </figure>

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
    let i18n = use_i18n();
    type Col = fn(Locale) -> &'static str;
    let columns: [(SortKey, Col); 7] = [
        (SortKey::Name, |l| td_string!(l, weight.col_scheme)),
        (SortKey::Bits, |l| td_string!(l, weight.col_bits)),
        (SortKey::Bytes, |l| td_string!(l, weight.col_bytes)),
        (SortKey::Mse, |_| "MSE"),
        (SortKey::Snr, |l| td_string!(l, weight.col_snr)),
        (SortKey::MaxError, |_| "max |e|"),
        (SortKey::RelFrobenius, |l| td_string!(l, weight.col_rel)),
    ];
    view! {
        <h3>{move || t_string!(i18n, weight.cmp_title)}</h3>
        <p class="hint compare-status" data-testid="wl-compare-status" data-engine=move || compare.engine.get().id()>{move || {
            let done = compare.done.get();
            let (total, counts) = (total_schemes.to_string(), done.to_string());
            let words = if compare.stopped.get() {
                t_string!(i18n, weight.cmp_stopped)
            } else if done < total_schemes {
                t_string!(i18n, weight.computing)
            } else {
                t_string!(i18n, weight.cmp_done)
            };
            fill(words, &[("done", &counts), ("total", &total)])
        }}</p>
        <p class="compare-progress">
            <Show when=move || compare.running()>
                <progress data-testid="wl-compare-progress" aria-label=move || t_string!(i18n, weight.cmp_title) max=total_schemes value=move || compare.done.get()></progress>
                " "
                <button type="button" data-testid="wl-compare-cancel" on:click=move |_| compare.cancel()>{move || t_string!(i18n, weight.cmp_cancel)}</button>
            </Show>
            <Show when=move || compare.stopped.get()>
                <button type="button" data-testid="wl-compare-run" on:click=move |_| compare.run_again()>{move || t_string!(i18n, weight.cmp_run_again)}</button>
            </Show>
        </p>
        <table class="mem-table compare-table" data-testid="wl-compare-table">
            <thead><tr>
                {columns.into_iter().map(|(k, label)| view! {
                        <th scope="col" aria-sort=aria_sort(k)><button type="button" data-testid=format!("wl-sort-{}", k.id()) on:click=move |_| sort_by(k)>{move || label(i18n.get_locale())}{sort_mark(k)}</button></th>
                    }).collect_view()}
            </tr></thead>
            <tbody>
                {move || { let l = i18n.get_locale(); sorted_compare.get().into_iter().map(|r| view! {
                    <tr data-testid="wl-compare-row" data-scheme=r.id.clone()>
                        <th scope="row">{row_label(&r.id, &r.label, l)}</th>
                        <td data-col="bits" data-value=num(r.bits_per_weight)>{loc(num(r.bits_per_weight), l)}</td>
                        <td data-col="bytes" data-value=r.bytes.to_string()>{loc(r.bytes.to_string(), l)}</td>
                        <td data-col="mse" data-value=num(r.metrics.mse)>{loc(num(r.metrics.mse), l)}</td>
                        <td data-col="snr" data-value=fixed(r.metrics.snr_db, 2)>{loc(fixed(r.metrics.snr_db, 2), l)}</td>
                        <td data-col="max-error" data-value=num(r.metrics.max_error)>{loc(num(r.metrics.max_error), l)}</td>
                        <td data-col="rel-frobenius" data-value=num(r.metrics.rel_frobenius)>{loc(num(r.metrics.rel_frobenius), l)}</td>
                    </tr>
                }).collect_view() }}
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
    let i18n = use_i18n();
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
        {move || { let l = i18n.get_locale(); index.get().map(|idx| {
            let scheme_label = move || state.with(|s| fill(td_string!(l, weight.col_bits_scheme), &[
                ("scheme", s.scheme.scheme.id()),
                ("bits", &s.scheme.code_bits().to_string()),
            ]));
            let idx2 = idx.clone();
            view! {
                <h3>{td_string!(l, weight.tensors_of)} {file_name.get()}</h3>
                <p class="hint">{fill(td_string!(l, weight.file_hint), &[
                    ("n", &idx.tensors.len().to_string()),
                    ("size", &crate::lang::fill::localize_numbers(&mib(idx.file_len), l)),
                    ("header", &idx.header_bytes.to_string()),
                    ("large", if (idx.file_len as f64) > AUTO_MEASURE_BYTES { td_string!(l, weight.file_large) } else { "" }),
                ])}</p>
                // The file's own description (GGUF metadata, safetensors __metadata__): file
                // data, not words of the page.
                {(!idx.metadata.is_empty()).then(|| view! {
                    <details data-testid="wl-metadata">
                        <summary>{fill(td_string!(l, weight.metadata_title), &[("n", &idx.metadata.len().to_string())])}</summary>
                        <dl class="file-metadata" translate="no">
                            {idx.metadata.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{v.clone()}</dd> }).collect_view()}
                        </dl>
                    </details>
                })}
                <div class="buttons">
                    <button type="button" data-testid="wl-measure-all" on:click=move |_| measure_all()>{td_string!(l, weight.measure_all)}</button>
                    {move || measuring.get().map(|(i, n)| view! { <span data-testid="wl-measure-progress"><progress max=n value=i></progress>{fill(td_string!(l, weight.tensor_n_of), &[("i", &(i + 1).to_string()), ("n", &n.to_string())])}</span> })}
                </div>
                <table class="mem-table tensor-table" data-testid="wl-tensor-table">
                    <thead><tr><th scope="col">{td_string!(l, weight.col_tensor)}</th><th scope="col">"dtype"</th><th scope="col">{td_string!(l, weight.col_shape)}</th><th scope="col">{td_string!(l, weight.col_values)}</th><th scope="col">{td_string!(l, weight.col_bytes)}</th><th scope="col">{td_string!(l, weight.col_stored_bits)}</th>
                        <th scope="col">{scheme_label}</th><th scope="col">{td_string!(l, weight.col_qbytes)}</th><th scope="col">{td_string!(l, weight.col_snr)}</th><th scope="col">"MSE"</th><th scope="col">{td_string!(l, weight.col_rel)}</th></tr></thead>
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
                                    Some(TensorMeasure { result: Ok(m), .. }) => loc(f(m), l),
                                    Some(TensorMeasure { result: Err(e), .. }) => e.message(l),
                                    None => "—".into(),
                                })
                            };
                            view! {
                                <tr data-testid="wl-tensor-row" data-name=name.clone()>
                                    <th scope="row">{name.clone()}</th>
                                    <td data-col="dtype">{t.dtype.clone()}</td>
                                    <td data-col="shape">{format!("{:?}", t.shape)}</td>
                                    <td data-col="count">{loc(t.count.to_string(), l)}</td>
                                    <td data-col="bytes">{loc(t.bytes().to_string(), l)}</td>
                                    <td data-col="stored-bits" data-value=num(t.bytes() as f64 * 8.0 / t.count.max(1) as f64)>{loc(num(t.bytes() as f64 * 8.0 / t.count.max(1) as f64), l)}</td>
                                    <td data-col="bits">{move || st().map(|s| loc(num(s.bits_per_weight), l)).unwrap_or_else(|| "—".into())}</td>
                                    <td data-col="qbytes">{move || st2().map(|s| loc(s.total_bytes().to_string(), l)).unwrap_or_else(|| "—".into())}</td>
                                    <td data-col="snr">{m(|m| fixed(m.snr_db, 2))}</td>
                                    <td data-col="mse">{m(|m| num(m.mse))}</td>
                                    <td data-col="rel-frobenius">{m(|m| num(m.rel_frobenius))}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <h3>{td_string!(l, weight.file_title)}</h3>
                <p class="hint">{td_string!(l, weight.file_size_hint)}</p>
                <table class="mem-table file-size-table" data-testid="wl-file-size-table">
                    <thead><tr><th scope="col">{td_string!(l, weight.col_scheme)}</th><th scope="col">{td_string!(l, weight.col_bytes)}</th><th scope="col">"MiB"</th><th scope="col">{td_string!(l, weight.col_of_original)}</th><th scope="col">{td_string!(l, weight.col_quantized)}</th></tr></thead>
                    <tbody>
                        <tr data-testid="wl-file-size-row" data-scheme="original"><th scope="row">{td_string!(l, weight.as_stored)}</th><td data-col="bytes" data-value=idx.file_len.to_string()>{loc(idx.file_len.to_string(), l)}</td><td>{loc(fixed(idx.file_len as f64 / 1048576.0, 2), l)}</td><td>"1"</td><td>"0"</td></tr>
                        {move || file_rows.get().unwrap_or_default().into_iter().map(|r: FileSizeRow| view! {
                            <tr data-testid="wl-file-size-row" data-scheme=r.id.clone()>
                                <th scope="row">{row_label(&r.id, &r.label, l)}</th>
                                <td data-col="bytes" data-value=r.bytes.to_string()>{loc(r.bytes.to_string(), l)}</td>
                                <td>{loc(fixed(r.bytes as f64 / 1048576.0, 2), l)}</td>
                                <td data-col="ratio" data-value=fixed(r.ratio, 4)>{loc(fixed(r.ratio, 4), l)}</td>
                                <td>{r.quantized}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
        })}}
    }
}
