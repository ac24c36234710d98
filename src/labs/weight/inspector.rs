//! The block inspector: choose a block on the error heat map (a click, a tap, or the arrow
//! keys and Enter on the focused map) and see its decode in numbers — the stored bytes, the
//! scales decoded step by step, and every element's code, reconstruction and error. The
//! numbers are the core's ([`quantlab_core::weights::inspect`]); this file lays them out.

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::quant::inspect::{BlockDecode, DecodeStep, MAX_ELEMENTS, StepKind};
use quantlab_core::weights::inspect::{inspect, locate};
use quantlab_core::weights::study::ErrorMap;

use super::pipeline::WeightPipeline;
use super::state::WeightState;
use crate::format::num;
use crate::lang::fill::{fill, td_string};
use crate::lang::numbers::localize;
use crate::lang::{Locale, t_string, use_i18n};
use crate::widgets::pad_keys::{PadKey, pad_key, step_cursor};

/// The heat-map cursor and the chosen weight (a context, [`Inspector::use_`]).
#[derive(Debug, Clone, Copy)]
pub struct Inspector {
    /// The keyboard cursor on the heat map: `(cell row, cell column)`.
    pub cursor: RwSignal<(usize, usize)>,
    /// The flat index of the chosen weight (the first of the chosen cell), if any.
    pub chosen: RwSignal<Option<usize>>,
    /// Whether the weight was chosen on the heat map (else in the packing view).
    pub from_map: RwSignal<bool>,
    /// The chosen block decoded, or why not.
    pub decode: Memo<Option<Result<Arc<BlockDecode>, String>>>,
}

impl Inspector {
    /// The inspector of the page's state and pipeline.
    pub fn new(st: WeightState, p: WeightPipeline) -> Inspector {
        let cursor = RwSignal::new((0, 0));
        let chosen = RwSignal::new(None::<usize>);
        let key = Memo::new(move |_| st.state.with(|s| (s.scheme, s.scale_dtype)));
        let decode = Memo::new(move |_| {
            let i = chosen.get()?;
            let t = p.tensor.get().ok()?;
            let (scheme, dtype) = key.get();
            let n = t.data.len();
            let run = || {
                let (block, pos) = locate(&scheme, &t.shape, n, i.min(n.saturating_sub(1)))?;
                inspect(
                    &t.data,
                    &t.shape,
                    &scheme,
                    dtype,
                    block,
                    pos / MAX_ELEMENTS * MAX_ELEMENTS,
                )
            };
            Some(run().map(Arc::new).map_err(|e| e.to_string()))
        });
        Inspector {
            cursor,
            chosen,
            from_map: RwSignal::new(true),
            decode,
        }
    }

    /// The inspector provided by the page.
    pub fn use_() -> Inspector {
        expect_context()
    }

    /// Chooses heat-map cell `(r, c)`: its first weight.
    pub fn choose_cell(&self, map: &ErrorMap, cols: usize, (r, c): (usize, usize)) {
        self.cursor.set((r, c));
        self.from_map.set(true);
        self.chosen
            .set(Some(r * map.row_step * cols + c * map.col_step));
    }

    /// Chooses the weight at flat index `i` (a weight of the packing view).
    pub fn choose_weight(&self, i: usize) {
        self.from_map.set(false);
        self.chosen.set(Some(i));
    }
}

/// Moves the heat-map cursor by a key, as on the project's pads ([`pad_key`]: arrows,
/// Shift for 8 cells, Home and End to the row's ends, Enter or Space to choose the cell
/// again); `None` for any other key.
pub fn move_cursor(
    key: &str,
    shift: bool,
    (r, c): (usize, usize),
    map: &ErrorMap,
) -> Option<(usize, usize)> {
    let (rows, cols) = (map.rows.max(1), map.cols.max(1));
    let (r, c) = (r.min(rows - 1), c.min(cols - 1));
    Some(match pad_key(key, shift, true)? {
        PadKey::Move(dx, dy) => (step_cursor(r, dy, rows), step_cursor(c, dx, cols)),
        PadKey::End(last) => (r, if last { cols - 1 } else { 0 }),
        PadKey::Change(_) | PadKey::Paint => (r, c),
    })
}

/// The words of a step's label in `l`.
pub fn step_label(k: StepKind, l: Locale) -> &'static str {
    match k {
        StepKind::TensorScale => td_string!(l, weight.step_tensor_scale),
        StepKind::BlockScale => td_string!(l, weight.step_block_scale),
        StepKind::EffectiveScale => td_string!(l, weight.step_effective_scale),
        StepKind::SuperScale => td_string!(l, weight.step_super_scale),
        StepKind::SuperMin => td_string!(l, weight.step_super_min),
        StepKind::SubScale => td_string!(l, weight.step_sub_scale),
        StepKind::SubMin => td_string!(l, weight.step_sub_min),
        StepKind::Min => td_string!(l, weight.step_min),
        StepKind::Step => td_string!(l, weight.step_step),
        StepKind::ZeroPoint => td_string!(l, weight.step_zero_point),
        StepKind::Offset => td_string!(l, weight.step_offset),
        StepKind::Absmax => td_string!(l, weight.step_absmax),
        StepKind::AbsmaxCode => td_string!(l, weight.step_absmax_code),
        StepKind::SecondScale => td_string!(l, weight.step_second_scale),
        StepKind::AbsmaxMean => td_string!(l, weight.step_absmax_mean),
        StepKind::GridScale => td_string!(l, weight.step_grid_scale),
        StepKind::Level => td_string!(l, weight.step_level),
        StepKind::Cast => td_string!(l, weight.step_cast),
    }
}

/// `0x2E66 (16 bits)` style: the raw field in hex, zero-padded to its width.
fn raw_hex((raw, width): (u64, u32)) -> String {
    let digits = width.div_ceil(4).max(1) as usize;
    format!("0x{raw:0digits$X}")
}

/// One step as a list item.
fn step_item(s: &DecodeStep, l: Locale) -> impl IntoView + use<> {
    let label = match s.index {
        Some(j) => format!("{} {j}", step_label(s.kind, l)),
        None => step_label(s.kind, l).to_string(),
    };
    let raw = s.raw.map(|r| {
        let bits = fill(td_string!(l, weight.insp_bits), &[("n", &r.1.to_string())]);
        format!("{} ({bits}, {})", raw_hex(r), r.0)
    });
    let value = num(s.value);
    view! {
        <li data-testid="inspector-step" data-kind=format!("{:?}", s.kind) data-value=value.clone()>
            <span>{label}": "</span>
            {raw.map(|r| view! { <code class="mono" data-testid="inspector-raw">{r}</code>" → " })}
            <code translate="no">{s.formula.clone()}</code>
            " = "<strong>{localize(&value, l)}</strong>
        </li>
    }
}

/// The table of elements.
fn element_table(d: &BlockDecode, l: Locale) -> impl IntoView + use<> {
    let width = d.code_bits as usize;
    let rows = d
        .elements
        .iter()
        .map(|e| {
            let cell = |v: f64| {
                let p = num(v);
                view! { <td data-value=p.clone()>{localize(&p, l)}</td> }
            };
            view! {
                <tr data-testid="inspector-element" data-index=e.index.to_string()>
                    <td>{e.index}</td>
                    <td data-value=e.code.to_string()>{e.code}</td>
                    <td class="mono" translate="no">{format!("{:0width$b}", e.raw)}</td>
                    {cell(e.unit)}
                    {cell(e.scale)}
                    {cell(e.offset)}
                    {cell(f64::from(e.value))}
                    {cell(f64::from(e.original))}
                    {cell(e.error)}
                </tr>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <table class="mem-table" data-testid="inspector-elements">
            <thead><tr>
                <th scope="col">{td_string!(l, weight.insp_col_index)}</th>
                <th scope="col">{td_string!(l, weight.insp_col_code)}</th>
                <th scope="col">{td_string!(l, weight.insp_col_bits)}</th>
                <th scope="col">{td_string!(l, weight.insp_col_unit)}</th>
                <th scope="col">{td_string!(l, weight.insp_col_scale)}</th>
                <th scope="col">{td_string!(l, weight.insp_col_offset)}</th>
                <th scope="col">{td_string!(l, weight.insp_col_value)}</th>
                <th scope="col">{td_string!(l, weight.insp_col_original)}</th>
                <th scope="col">{td_string!(l, weight.insp_col_error)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The inspector panel.
#[component]
pub fn BlockInspector() -> impl IntoView {
    let ins = Inspector::use_();
    let i18n = use_i18n();
    let body = move || {
        let l = i18n.get_locale();
        match ins.decode.get() {
            None => view! { <p class="hint" data-testid="inspector-empty">{td_string!(l, weight.insp_empty)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" data-testid="inspector-error">{e}</p> }.into_any(),
            Some(Ok(d)) => {
                let hex: Vec<String> = d.bytes.iter().map(|b| format!("{b:02X}")).collect();
                let (r, c) = ins.cursor.get();
                let shown = d.elements.len();
                let title = if ins.from_map.get() {
                    td_string!(l, weight.insp_title)
                } else {
                    td_string!(l, weight.insp_title_weight)
                };
                let weight = ins.chosen.get().unwrap_or_default();
                view! {
                    <p data-testid="inspector-title">{fill(title, &[
                        ("b", &d.block.to_string()),
                        ("n", &d.blocks.to_string()),
                        ("len", &d.len.to_string()),
                        ("r", &r.to_string()),
                        ("c", &c.to_string()),
                        ("i", &weight.to_string()),
                    ])}
                    <span hidden data-testid="inspector-block" data-value=d.block.to_string()></span>
                    <span hidden data-testid="inspector-len" data-value=d.len.to_string()></span>
                    <span hidden data-testid="inspector-code-bits" data-value=d.code_bits.to_string()></span></p>
                    {(shown < d.len).then(|| view! { <p class="hint" data-testid="inspector-window">{fill(td_string!(l, weight.insp_window), &[
                        ("a", &d.first.to_string()),
                        ("b", &(d.first + shown).to_string()),
                        ("len", &d.len.to_string()),
                    ])}</p> })}
                    <p>{fill(td_string!(l, weight.insp_bytes), &[("n", &d.bytes.len().to_string()), ("s", &d.scale_bytes.to_string())])}</p>
                    <p class="mono" translate="no" data-testid="inspector-hex" data-count=d.bytes.len().to_string()>{hex.join(" ")}</p>
                    <h4>{td_string!(l, weight.insp_steps)}</h4>
                    <ol data-testid="inspector-steps">{d.steps.iter().map(|s| step_item(s, l)).collect::<Vec<_>>()}</ol>
                    <h4>{td_string!(l, weight.insp_elements)}</h4>
                    {element_table(&d, l)}
                }
                .into_any()
            }
        }
    };
    view! {
        <section class="inspector" data-testid="block-inspector" aria-live="polite">
            <h3>{move || t_string!(i18n, weight.insp_heading)}</h3>
            <p class="hint">{move || t_string!(i18n, weight.insp_hint)}</p>
            {body}
        </section>
    }
}
