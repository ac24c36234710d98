//! The Memory lab's answers: the model's parameter count, the readouts, the itemised table,
//! the GPUs that fit and the largest context.

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::memory::units::format_count;
use quantlab_core::memory::{GIB, MemoryItem, to_gb, to_gib};

use super::pipeline::MemoryAnswer;
use super::state::LabMode;
use crate::charts::memory::item_css;
use crate::format::fixed;

/// The computed answer, or the message of what went wrong.
pub type Answer = Memo<Result<Arc<MemoryAnswer>, String>>;

/// Bytes in GiB with two decimals.
pub fn gib2(bytes: u64) -> String {
    fixed(to_gib(bytes), 2)
}

/// `"6.74 B"`, `"25.6 M"`.
pub fn short_count(n: u64) -> String {
    let v = n as f64;
    if v >= 1e9 {
        format!("{:.2} B", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.1} M", v / 1e6)
    } else {
        format_count(n)
    }
}

/// The model: name, source, parameter count (computed next to the published one), and the
/// count item by item.
#[component]
pub fn ModelSummary(
    /// The computed answer.
    answer: Answer,
) -> impl IntoView {
    move || {
        answer.with(|a| {
            let a = a.as_ref().ok()?;
            let m = &a.model;
            let computed = a.params.total;
            let published = m.published_parameters;
            let diff = published.map(|p| {
                let pct = (computed as f64 - p as f64) / p as f64 * 100.0;
                format!(" ({pct:+.2} % from the published count)")
            });
            let items = a
                .params
                .items
                .iter()
                .map(|it| {
                    view! {
                        <tr>
                            <td>{it.label.clone()}</td>
                            <td class="num">{format_count(it.count)}</td>
                            <td class="formula-cell">{it.formula.clone()}</td>
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <div class="model-summary">
                    <p>
                        <strong data-testid="model-name">{m.name.clone()}</strong>
                        <span class="muted">{format!(" — {}", m.source)}</span>
                    </p>
                    <p>
                        "Parameters computed from the "
                        {if m.transformer().is_some() { "config" } else { "given count" }}
                        ": "
                        <strong data-testid="params-computed">{format_count(computed)}</strong>
                        {format!(" ≈ {}", short_count(computed))}
                        " · published: "
                        <strong data-testid="params-published">{published.map(short_count).unwrap_or_else(|| "—".into())}</strong>
                        {diff}
                    </p>
                    <details>
                        <summary>"Parameter count, item by item"</summary>
                        <table class="mem-table">
                            <thead><tr><th scope="col">"Item"</th><th scope="col">"Parameters"</th><th scope="col">"Formula"</th></tr></thead>
                            <tbody>{items}</tbody>
                        </table>
                    </details>
                </div>
            })
        })
    }
}

fn item_row(it: &MemoryItem) -> impl IntoView + use<> {
    let swatch = format!("background: {}", item_css(it.kind));
    view! {
        <tr data-testid=format!("item-{}", it.kind.id())>
            <td><span class="swatch" style=swatch aria-hidden="true"></span>{it.label.clone()}</td>
            <td class="num">{gib2(it.bytes)}</td>
            <td class="num">{fixed(to_gb(it.bytes), 2)}</td>
            <td class="formula-cell">{it.formula.clone()}</td>
        </tr>
    }
}

/// The itemised table with its total.
#[component]
pub fn ItemsTable(
    /// The computed answer.
    answer: Answer,
) -> impl IntoView {
    move || {
        answer.with(|a| {
            let a = a.as_ref().ok()?;
            let b = &a.breakdown;
            let rows = b.items.iter().map(item_row).collect_view();
            let notes = b
                .notes
                .iter()
                .map(|n| view! { <li>{n.clone()}</li> })
                .collect_view();
            Some(view! {
                <table class="mem-table items" data-testid="items-table">
                    <caption>{match a.mode {
                        LabMode::Inference => "Inference memory, item by item",
                        LabMode::Training => "Training memory, item by item",
                    }}</caption>
                    <thead><tr>
                        <th scope="col">"Item"</th><th scope="col">"GiB"</th><th scope="col">"GB"</th>
                        <th scope="col">"Formula (values substituted)"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                    <tfoot><tr>
                        <th scope="row">"Total"</th>
                        <td class="num">{gib2(b.total_bytes)}</td>
                        <td class="num">{fixed(b.total_gb(), 2)}</td>
                        <td class="formula-cell" data-testid="total-formula">{b.total_formula.clone()}</td>
                    </tr></tfoot>
                </table>
                <ul class="notes">{notes}</ul>
            })
        })
    }
}

/// Which GPUs fit and how many of each; the chosen one is highlighted.
#[component]
pub fn GpuFitTable(
    /// The computed answer.
    answer: Answer,
) -> impl IntoView {
    move || {
        answer.with(|a| {
            let a = a.as_ref().ok()?;
            let rows = a
                .fits
                .iter()
                .map(|f| {
                    let chosen = f.gpu.id == a.gpu.id;
                    let need = match f.devices_needed {
                        Some(n) => n.to_string(),
                        None => "—".to_string(),
                    };
                    let verdict = if f.fits_on_one {
                        "fits on one".to_string()
                    } else if f.gpu.combinable {
                        format!("needs {need}")
                    } else {
                        "does not fit (unified memory cannot be combined)".to_string()
                    };
                    view! {
                        <tr class:chosen=chosen class:fits=f.fits_on_one data-testid=format!("fit-{}", f.gpu.id)>
                            <td title=f.gpu.note.clone()>{f.gpu.name.clone()}</td>
                            <td class="num">{gib2(f.gpu.usable_bytes)}</td>
                            <td class="num" data-testid=format!("need-{}", f.gpu.id)>{need}</td>
                            <td>{verdict}</td>
                            <td class="formula-cell">{f.formula.clone()}</td>
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <table class="mem-table fits" data-testid="gpu-fit-table">
                    <caption>"Which GPUs fit (usable memory in GiB; the job is assumed to split evenly over several)"</caption>
                    <thead><tr>
                        <th scope="col">"GPU"</th><th scope="col">"Usable GiB"</th><th scope="col">"How many"</th>
                        <th scope="col">"Verdict"</th><th scope="col">"Formula"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            })
        })
    }
}

/// The largest context on the chosen GPU(s): the sentence under the readout.
pub fn max_context_sentence(a: &MemoryAnswer) -> String {
    let target = format!(
        "{} × {} ({} GiB usable)",
        a.gpu_count,
        a.gpu.name,
        fixed(a.available_bytes as f64 / GIB as f64, 2)
    );
    let mut s = match &a.max_context {
        Ok(m) => format!("On {target}: {}.", m.explanation),
        Err(e) => format!("On {target}: {e}."),
    };
    if !a.gpu.combinable {
        s.push_str(" Unified memory: one Mac, never combined.");
    }
    s
}
