//! The course's table (weights only, 1/7/13/70 B × FP32/FP16/BF16/INT8/INT4) with its
//! GiB/GB toggle and the difference between the two units explained.

use leptos::prelude::*;
use quantlab_core::memory::{course_cell, course_table};

use super::state::{MemoryLabState, Unit};
use crate::format::fixed;

/// The table, its unit toggle and the explanation.
#[component]
pub fn CourseTable(
    /// The lab's state (for the unit).
    state: RwSignal<MemoryLabState>,
) -> impl IntoView {
    let table = course_table();
    let is_gb = move || state.with(|s| s.unit == Unit::Gb);
    let unit_name = move || if is_gb() { "GB" } else { "GiB" };
    let example = course_cell(70, quantlab_core::memory::WeightFormat::Fp32)
        .map(|c| c.formula)
        .unwrap_or_default();
    let header = table
        .formats
        .iter()
        .map(|f| view! { <th scope="col">{f.label()}<br/><span class="bpp">{format!("{} B", quantlab_core::memory::units::format_decimal(f.bytes_per_weight()))}</span></th> })
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
                    view! {
                        <td class="num" data-testid=id title=cell.formula>
                            {move || fixed(if is_gb() { gb } else { gib }, 2)}
                        </td>
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{format!("{} B", row.billions)}</th>{cells}</tr> }
        })
        .collect_view();

    view! {
        <section class="course" aria-labelledby="course-title">
            <div class="course-head">
                <h3 id="course-title">"The course's table: memory for the weights alone"</h3>
                <fieldset class="unit-toggle">
                    <legend>"Unit"</legend>
                    <label>
                        <input type="radio" name="mem-unit" value="gib" data-testid="unit-gib"
                            prop:checked=move || !is_gb()
                            on:change=move |_| state.update(|s| s.unit = Unit::Gib)/>
                        "GiB (1024³ B)"
                    </label>
                    <label>
                        <input type="radio" name="mem-unit" value="gb" data-testid="unit-gb"
                            prop:checked=is_gb
                            on:change=move |_| state.update(|s| s.unit = Unit::Gb)/>
                        "GB (10⁹ B)"
                    </label>
                </fieldset>
            </div>
            <div class="course-body">
                <table class="course-table" data-testid="course-table">
                    <caption>"Weights only, in " <span data-testid="course-unit">{unit_name}</span></caption>
                    <thead><tr><th scope="col">"Parameters"</th>{header}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <div class="course-text">
                    <p>
                        "Total memory = number of parameters × bytes per parameter, two decimals: the theoretical minimum for the weights, without KV cache, activations, optimizer state or overhead (the calculator below adds those)."
                    </p>
                    <p class="formula">{example}</p>
                    <p class="units-note">
                        <strong>"GiB or GB? "</strong>
                        "1 GiB (gibibyte) = 1024³ B = 1,073,741,824 B; 1 GB (gigabyte) = 10⁹ B. So 1 GiB ≈ 1.074 GB, and the same bytes read about 7 % larger in GB: 70 B parameters in FP32 are 260.77 GiB = 280.00 GB. "
                        "The course, nvidia-smi and the formulas below count in GiB; disks and many spec sheets count in GB."
                    </p>
                </div>
            </div>
        </section>
    }
}
