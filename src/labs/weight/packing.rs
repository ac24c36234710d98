//! The Weight lab's packing view: the first weights → codes → bits → bytes and back, each
//! weight a button that opens its block in the block inspector.

use leptos::prelude::*;

use super::inspector::Inspector;
use super::pipeline::WeightPipeline;
use crate::format::num;
use crate::lang::fill::{fill, td_string};
use crate::lang::numbers::localize;
use crate::lang::{Locale, t_string, use_i18n};

/// The packing of the first weights, byte by byte.
#[component]
pub fn PackingTable() -> impl IntoView {
    let packing = WeightPipeline::use_().packing;
    let i18n = use_i18n();
    view! {
        <h3>{move || t_string!(i18n, weight.pack_title)}</h3>
        {move || { let l = i18n.get_locale(); packing.with(|p| match p {
            Err(e) => view! { <p class="error" data-testid="wl-pack-error">{e.message(l)}</p> }.into_any(),
            Ok(p) => view! {
                <p class="hint">{fill(td_string!(l, weight.pack_hint), &[
                    ("n", &p.weights.len().to_string()),
                    ("mode", p.mode.id()),
                    ("bits", &p.bits.to_string()),
                    ("qmin", &p.qmin.to_string()),
                    ("straddle", if p.bits == 3 { td_string!(l, weight.pack_straddle) } else { "" }),
                ])}</p>
                {p.rotated.then(|| view! { <p class="hint" data-testid="wl-pack-rotated">{td_string!(l, weight.rot_packing)}</p> })}
                <table class="pack-table">
                    <tbody>
                        <tr><th scope="row">{td_string!(l, weight.pack_weights)}</th><td data-testid="wl-pack-weights">{pack_weight_buttons(&p.weights, l)}</td></tr>
                        <tr><th scope="row">{td_string!(l, weight.pack_codes)}</th><td data-testid="wl-pack-codes">{p.codes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")}</td></tr>
                        <tr><th scope="row">"u = q − q_min"</th><td data-testid="wl-pack-unsigned">{p.unsigned.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")}</td></tr>
                        <tr><th scope="row">{td_string!(l, weight.pack_bits_of_u)}</th><td data-testid="wl-pack-bits-view" class="mono" translate="no">{p.code_bits().join(" ")}</td></tr>
                        <tr><th scope="row">{fill(td_string!(l, weight.pack_hex), &[("n", &p.bytes.len().to_string())])}</th><td data-testid="wl-pack-hex" class="mono" translate="no">{p.hex().join(" ")}</td></tr>
                        <tr><th scope="row">{td_string!(l, weight.pack_binary)}</th><td data-testid="wl-pack-binary" class="mono" translate="no">{p.binary().join(" ")}</td></tr>
                        <tr><th scope="row">{td_string!(l, weight.pack_unpacked)}</th><td data-testid="wl-pack-unpacked">{p.unpacked.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")}</td></tr>
                        <tr><th scope="row">"r = S·(q − Z)"</th><td data-testid="wl-pack-recon">{p.recon.iter().map(|&w| localize(&num(f64::from(w)), l)).collect::<Vec<_>>().join(" ")}</td></tr>
                    </tbody>
                </table>
                <p>{td_string!(l, weight.round_trip)}<strong data-testid="wl-pack-roundtrip" data-value=p.round_trip.to_string()>{
                    if p.round_trip { td_string!(l, weight.rt_true) } else { td_string!(l, weight.rt_false) }
                }</strong>
                    " — "<span data-testid="wl-pack-byte-count">{p.bytes.len()}</span>{td_string!(l, weight.bytes_for)}{p.weights.len()}{td_string!(l, weight.codes)}</p>
            }.into_any(),
        })}}

    }
}

/// The packed weights as buttons separated by spaces (so the cell reads as the list of
/// numbers): a click, or Tab and Enter, opens the weight's block in the inspector. Where the
/// view is hosted without an inspector (the lesson's packing figure), plain numbers.
fn pack_weight_buttons(weights: &[f32], l: Locale) -> AnyView {
    let shown: Vec<String> = weights
        .iter()
        .map(|&w| localize(&num(f64::from(w)), l))
        .collect();
    let Some(ins) = use_context::<Inspector>() else {
        return shown.join(" ").into_any();
    };
    shown
        .into_iter()
        .enumerate()
        .map(|(i, shown)| {
            // The name starts with the number shown (WCAG 2.5.3, label in name).
            let label = fill(
                td_string!(l, weight.pack_weight_button),
                &[("w", &shown), ("i", &i.to_string())],
            );
            view! {
                {(i > 0).then_some(" ")}
                <button type="button" class="pack-weight" data-testid="wl-pack-weight" data-index=i.to_string()
                    aria-label=label on:click=move |_| ins.choose_weight(i)>{shown}</button>
            }
        })
        .collect_view()
        .into_any()
}
