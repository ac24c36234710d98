//! The course's table (weights only, 1/7/13/70 B × FP32/FP16/BF16/INT8/INT4) with its
//! GiB/GB toggle and the difference between the two units explained.

use leptos::prelude::*;
use quantlab_core::memory::{course_cell, course_table};

use super::state::{MemoryLabState, Unit};
use crate::format::fixed;
use crate::lang::fill::{fill, grouped};
use crate::lang::numbers::localize;
use crate::lang::{t_string, use_i18n};

/// The table, its unit toggle and the explanation.
#[component]
pub fn CourseTable(
    /// The lab's state (for the unit).
    state: RwSignal<MemoryLabState>,
) -> impl IntoView {
    let i18n = use_i18n();
    let table = course_table();
    let is_gb = move || state.with(|s| s.unit == Unit::Gb);
    let unit_name = move || if is_gb() { "GB" } else { "GiB" };
    let example = course_cell(70, quantlab_core::memory::WeightFormat::Fp32)
        .map(|c| c.formula)
        .unwrap_or_default();
    let header = table
        .formats
        .iter()
        .map(|f| {
            let bytes = quantlab_core::memory::units::format_decimal(f.bytes_per_weight());
            view! { <th scope="col">{f.label()}<br/><span class="bpp">{move || format!("{} B", localize(&bytes, i18n.get_locale()))}</span></th> }
        })
        .collect_view();
    let rows = table
        .rows
        .into_iter()
        .map(|row| {
            let cells = row
                .cells
                .into_iter()
                .map(|cell| {
                    let id = format!("seed-{}B-{}", row.billions, cell.format.label());
                    let (gib, gb) = (cell.gib, cell.gb);
                    let formula = cell.formula;
                    let plain = move || fixed(if is_gb() { gb } else { gib }, 2);
                    view! {
                        <td class="num" data-testid=id data-value=plain
                            title=move || super::core_text::text(&formula, i18n.get_locale())>
                            {move || localize(&plain(), i18n.get_locale())}
                        </td>
                    }
                })
                .collect_view();
            let billions = row.billions;
            view! { <tr><th scope="row">{move || fill(t_string!(i18n, memory.course_row), &[("n", &billions.to_string())])}</th>{cells}</tr> }
        })
        .collect_view();

    view! {
        <section class="course" aria-labelledby="course-title">
            <div class="course-head">
                <h3 id="course-title">{move || t_string!(i18n, memory.course_title)}</h3>
                <fieldset class="unit-toggle">
                    <legend>{move || t_string!(i18n, memory.unit)}</legend>
                    <label>
                        <input type="radio" name="mem-unit" value="gib" data-testid="unit-gib"
                            prop:checked=move || !is_gb()
                            on:change=move |_| state.update(|s| s.unit = Unit::Gib)/>
                        {move || t_string!(i18n, memory.unit_gib)}
                    </label>
                    <label>
                        <input type="radio" name="mem-unit" value="gb" data-testid="unit-gb"
                            prop:checked=is_gb
                            on:change=move |_| state.update(|s| s.unit = Unit::Gb)/>
                        {move || t_string!(i18n, memory.unit_gb)}
                    </label>
                </fieldset>
            </div>
            <div class="course-body">
                <table class="course-table" data-testid="course-table">
                    <caption>{move || t_string!(i18n, memory.course_caption)}<span data-testid="course-unit">{unit_name}</span></caption>
                    <thead><tr><th scope="col">{move || t_string!(i18n, memory.parameters)}</th>{header}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <div class="course-text">
                    <p>{move || t_string!(i18n, memory.course_text)}</p>
                    <p class="formula">{move || super::core_text::text(&example, i18n.get_locale())}</p>
                    <p class="units-note">
                        <strong>{move || t_string!(i18n, memory.units_q)}</strong>
                        {move || {
                            let l = i18n.get_locale();
                            fill(t_string!(i18n, memory.units_note), &[
                                ("gib_bytes", &grouped(1_073_741_824, l)),
                                ("ratio", &localize("1.074", l)),
                                ("gib", &localize("260.77", l)),
                                ("gb", &localize("280.00", l)),
                            ])
                        }}
                    </p>
                </div>
            </div>
        </section>
    }
}
