//! The Memory lab's answers: the model's parameter count, the readouts, the itemised table,
//! the GPUs that fit and the largest context.

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::memory::inference::ContextLimit;
use quantlab_core::memory::units::format_bytes;
use quantlab_core::memory::{GIB, MemoryItem, to_gb, to_gib};

use super::core_text;
use super::pipeline::MemoryAnswer;
use super::state::LabMode;
use crate::charts::memory::item_css;
use crate::format::fixed;
use crate::lang::fill::{fill, grouped, td_string};
use crate::lang::numbers::localize;
use crate::lang::{Locale, use_i18n};

/// The computed answer, or the message of what went wrong.
pub type Answer = Memo<Result<Arc<MemoryAnswer>, String>>;

/// Bytes in GiB with two decimals.
pub fn gib2(bytes: u64) -> String {
    fixed(to_gib(bytes), 2)
}

/// `"6.74 B"`, `"25.6 M"` in English, `"6,74 bi"`, `"25,6 mi"` in Portuguese.
pub fn short_count(n: u64, locale: Locale) -> String {
    let v = n as f64;
    if v >= 1e9 {
        let n = localize(&format!("{:.2}", v / 1e9), locale);
        fill(td_string!(locale, memory.short_billions), &[("n", &n)])
    } else if v >= 1e6 {
        let n = localize(&format!("{:.1}", v / 1e6), locale);
        fill(td_string!(locale, memory.short_millions), &[("n", &n)])
    } else {
        grouped(n, locale)
    }
}

/// A readout of a whole count: the text grouped per language (`6,738,415,616` in English,
/// `6.738.415.616` in Portuguese), the plain number in `data-value`.
fn count_span(testid: &'static str, n: u64, locale: Locale) -> impl IntoView {
    view! { <strong data-testid=testid data-value=n.to_string()>{grouped(n, locale)}</strong> }
}

/// The model: name, source, parameter count (computed next to the published one), and the
/// count item by item.
#[component]
pub fn ModelSummary(
    /// The computed answer.
    answer: Answer,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let l = i18n.get_locale();
        answer.with(|a| {
            let a = a.as_ref().ok()?;
            let m = &a.model;
            let computed = a.params.total;
            let published = m.published_parameters;
            let diff = published.map(|p| {
                let pct = (computed as f64 - p as f64) / p as f64 * 100.0;
                let pct = localize(&format!("{pct:+.2}"), l);
                fill(td_string!(l, memory.from_published), &[("pct", &pct)])
            });
            let name = if m.name == "Custom config" {
                td_string!(l, memory.custom_config).to_string()
            } else {
                core_text::words(&m.name, l)
            };
            let items = a
                .params
                .items
                .iter()
                .map(|it| {
                    view! {
                        <tr>
                            <td>{core_text::text(&it.label, l)}</td>
                            <td class="num">{grouped(it.count, l)}</td>
                            <td class="formula-cell">{core_text::text(&it.formula, l)}</td>
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <div class="model-summary">
                    <p>
                        <strong data-testid="model-name">{name}</strong>
                        <span class="muted">{format!(" — {}", core_text::words(&m.source, l))}</span>
                    </p>
                    <p>
                        {if m.transformer().is_some() {
                            td_string!(l, memory.computed_from_config)
                        } else {
                            td_string!(l, memory.computed_from_count)
                        }}
                        {count_span("params-computed", computed, l)}
                        {format!(" ≈ {}", short_count(computed, l))}
                        {td_string!(l, memory.published)}
                        <strong data-testid="params-published" data-value=published.map(|p| p.to_string())>
                            {published.map(|p| short_count(p, l)).unwrap_or_else(|| "—".into())}
                        </strong>
                        {diff}
                    </p>
                    <details>
                        <summary>{td_string!(l, memory.params_by_item)}</summary>
                        <table class="mem-table">
                            <thead><tr><th scope="col">{td_string!(l, memory.item)}</th><th scope="col">{td_string!(l, memory.parameters)}</th><th scope="col">{td_string!(l, memory.formula)}</th></tr></thead>
                            <tbody>{items}</tbody>
                        </table>
                    </details>
                </div>
            })
        })
    }
}

fn item_row(it: &MemoryItem, l: Locale) -> impl IntoView + use<> {
    let swatch = format!("background: {}", item_css(it.kind));
    view! {
        <tr data-testid=format!("item-{}", it.kind.id())>
            <td><span class="swatch" style=swatch aria-hidden="true"></span>{core_text::text(&it.label, l)}</td>
            <td class="num">{localize(&gib2(it.bytes), l)}</td>
            <td class="num">{localize(&fixed(to_gb(it.bytes), 2), l)}</td>
            <td class="formula-cell">{core_text::text(&it.formula, l)}</td>
        </tr>
    }
}

/// The itemised table with its total.
#[component]
pub fn ItemsTable(
    /// The computed answer.
    answer: Answer,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let l = i18n.get_locale();
        answer.with(|a| {
            let a = a.as_ref().ok()?;
            let b = &a.breakdown;
            let rows = b.items.iter().map(|it| item_row(it, l)).collect_view();
            let notes = b
                .notes
                .iter()
                .map(|n| view! { <li>{core_text::text(n, l)}</li> })
                .collect_view();
            Some(view! {
                <table class="mem-table items" data-testid="items-table">
                    <caption>{match a.mode {
                        LabMode::Inference => td_string!(l, memory.inference_items),
                        LabMode::Training => td_string!(l, memory.training_items),
                    }}</caption>
                    <thead><tr>
                        <th scope="col">{td_string!(l, memory.item)}</th><th scope="col">"GiB"</th><th scope="col">"GB"</th>
                        <th scope="col">{td_string!(l, memory.formula_substituted)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                    <tfoot><tr>
                        <th scope="row">{td_string!(l, memory.r_total)}</th>
                        <td class="num">{localize(&gib2(b.total_bytes), l)}</td>
                        <td class="num">{localize(&fixed(b.total_gb(), 2), l)}</td>
                        <td class="formula-cell" data-testid="total-formula">{core_text::text(&b.total_formula, l)}</td>
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
    let i18n = use_i18n();
    move || {
        let l = i18n.get_locale();
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
                        td_string!(l, memory.fits_on_one).to_string()
                    } else if f.gpu.combinable {
                        fill(td_string!(l, memory.needs_n), &[("n", &need)])
                    } else {
                        td_string!(l, memory.never_combined).to_string()
                    };
                    view! {
                        <tr class:chosen=chosen class:fits=f.fits_on_one data-testid=format!("fit-{}", f.gpu.id)>
                            <td title=core_text::text(&f.gpu.note, l)>{core_text::words(&f.gpu.name, l)}</td>
                            <td class="num">{localize(&gib2(f.gpu.usable_bytes), l)}</td>
                            <td class="num" data-testid=format!("need-{}", f.gpu.id)>{need}</td>
                            <td>{verdict}</td>
                            <td class="formula-cell">{core_text::text(&f.formula, l)}</td>
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <table class="mem-table fits" data-testid="gpu-fit-table">
                    <caption>{td_string!(l, memory.fit_caption)}</caption>
                    <thead><tr>
                        <th scope="col">"GPU"</th><th scope="col">{td_string!(l, memory.usable_gib)}</th><th scope="col">{td_string!(l, memory.how_many)}</th>
                        <th scope="col">{td_string!(l, memory.verdict)}</th><th scope="col">{td_string!(l, memory.formula)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            })
        })
    }
}

/// The largest context on the chosen GPU(s), in `locale`: the sentence under the readout.
pub fn max_context_sentence(a: &MemoryAnswer, locale: Locale) -> String {
    let l = locale;
    let bytes = |b: u64| localize_bytes(b, l);
    let target = fill(
        td_string!(l, memory.ctx_target),
        &[
            ("n", &a.gpu_count.to_string()),
            ("gpu", &core_text::words(&a.gpu.name, l)),
            (
                "gib",
                &localize(&fixed(a.available_bytes as f64 / GIB as f64, 2), l),
            ),
        ],
    );
    let what = match (&a.max_context, a.mode) {
        (_, LabMode::Training) => td_string!(l, memory.ctx_training).to_string(),
        (Ok(m), _) => {
            let key = match m.limit {
                ContextLimit::NothingFits if m.total_bytes > m.available_bytes => {
                    td_string!(l, memory.ctx_nothing_fits)
                }
                ContextLimit::NothingFits => td_string!(l, memory.ctx_no_token),
                ContextLimit::ModelMaximum => td_string!(l, memory.ctx_model_max),
                ContextLimit::SearchCap => td_string!(l, memory.ctx_search_cap),
                ContextLimit::Memory => td_string!(l, memory.ctx_memory),
            };
            fill(
                key,
                &[
                    ("n", &grouped(m.tokens, l)),
                    ("need", &bytes(m.total_bytes)),
                    ("avail", &bytes(m.available_bytes)),
                ],
            )
        }
        // The core's message (in English).
        (Err(e), _) => e.clone(),
    };
    let mut s = fill(
        td_string!(l, memory.ctx_on),
        &[("target", &target), ("what", &what)],
    );
    if !a.gpu.combinable {
        s.push_str(td_string!(l, memory.ctx_unified));
    }
    s
}

/// Bytes in the largest binary unit (`2.00 GiB`), in `locale`'s separators.
fn localize_bytes(bytes: u64, locale: Locale) -> String {
    crate::lang::fill::localize_numbers(&format_bytes(bytes), locale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::memory::pipeline::compute;
    use crate::labs::memory::state::{LabMode, MemoryLabState, Method};
    use quantlab_core::memory::GpuPreset;

    /// Words the core writes that must not be left in a Portuguese page.
    const ENGLISH: [&str; 12] = [
        " layers",
        " heads",
        "weights",
        " batch",
        " params",
        "tokens per",
        "activations",
        "gradients",
        "frozen",
        " vocab",
        "allowance",
        "moment",
    ];

    fn portuguese_texts(s: &MemoryLabState) -> Vec<String> {
        let a = compute(s).unwrap();
        let l = Locale::pt_BR;
        let mut out = vec![max_context_sentence(&a, l)];
        for it in &a.breakdown.items {
            out.push(core_text::text(&it.label, l));
            out.push(core_text::text(&it.formula, l));
        }
        for n in &a.breakdown.notes {
            out.push(core_text::text(n, l));
        }
        for it in &a.params.items {
            out.push(core_text::text(&it.label, l));
            out.push(core_text::text(&it.formula, l));
        }
        for f in &a.fits {
            out.push(core_text::text(&f.gpu.note, l));
            out.push(core_text::words(&f.gpu.name, l));
        }
        out.push(core_text::words(&a.model.source, l));
        out
    }

    #[test]
    fn the_core_texts_read_in_portuguese() {
        let states = [
            MemoryLabState::default(),
            MemoryLabState {
                mode: LabMode::Training,
                ..MemoryLabState::default()
            },
            MemoryLabState {
                mode: LabMode::Training,
                method: Method::Qlora,
                checkpointing: true,
                gpu: GpuPreset::Mac64,
                ..MemoryLabState::default()
            },
            MemoryLabState {
                mode: LabMode::Training,
                method: Method::Lora,
                ..MemoryLabState::default()
            },
        ];
        for s in &states {
            for t in portuguese_texts(s) {
                for w in ENGLISH {
                    // A whole word: "vocab" is English, "vocabulário" is not.
                    let whole = t
                        .match_indices(w)
                        .any(|(i, _)| !t[i + w.len()..].starts_with(|c: char| c.is_alphabetic()));
                    assert!(!whole, "{w:?} in {t:?}");
                }
            }
        }
        let a = compute(&MemoryLabState::default()).unwrap();
        let kv = a
            .breakdown
            .items
            .iter()
            .find(|i| i.label.starts_with("KV"))
            .unwrap();
        assert_eq!(
            core_text::text(&kv.formula, Locale::pt_BR),
            "2 · 32 camadas · 32 cabeças KV · 128 dim. da cabeça · 2 B · 4096 tokens · 1 lote = 2,00 GiB"
        );
        assert_eq!(core_text::text(&kv.formula, Locale::en), kv.formula);
        assert_eq!(short_count(6_738_415_616, Locale::pt_BR), "6,74 bi");
        assert_eq!(short_count(6_738_415_616, Locale::en), "6.74 B");
    }
}
