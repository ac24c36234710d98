//! The quantizer's controls (scheme, bits and each scheme's own parameters), shared by the
//! main scheme and the second scheme of compare mode.

use leptos::prelude::*;
use quantlab_core::clipping::ClipKind;
use quantlab_core::quantizer::{Fp8Format, IntRange, Mode, Scheme, SchemeKind};

use crate::url::parse_id;

/// The controls of one [`Scheme`]. Every `data-testid` starts with `prefix` (`""` for the
/// main scheme, `"cmp-"` for the compared one).
#[component]
pub fn SchemeControls<F>(
    /// Test-id prefix.
    prefix: &'static str,
    /// The scheme shown.
    scheme: Signal<Scheme>,
    /// Applies an edit to the scheme.
    edit: F,
) -> impl IntoView
where
    F: Fn(&dyn Fn(&mut Scheme)) + Copy + Send + Sync + 'static,
{
    let kind = move || scheme.with(|s| s.scheme);
    view! {
        <label>"Scheme "
            <select data-testid=format!("{prefix}scheme") on:change=move |ev| {
                if let Some(k) = parse_id::<SchemeKind>(&event_target_value(&ev)) {
                    edit(&|s| {
                        s.scheme = k;
                        let (lo, hi) = k.bits_range();
                        s.bits = s.bits.clamp(lo, hi);
                    });
                }
            }>
                {SchemeKind::ALL.iter().map(|&k| view! {
                    <option value=k.id() selected=move || scheme.with(|s| s.scheme == k)>{k.label()}</option>
                }).collect_view()}
            </select>
        </label>
        <label class:hidden=move || kind().fixed_bits().is_some()>"Bits "
            <input type="range" data-testid=format!("{prefix}bits") step="1"
                min=move || kind().bits_range().0
                max=move || kind().bits_range().1
                prop:value=move || scheme.with(|s| s.bits.to_string())
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                        edit(&|s| s.bits = v);
                    }
                }/>
            <output data-testid=format!("{prefix}bits-value")>{move || scheme.with(|s| s.bits)}</output>
        </label>
        <p class:hidden=move || kind().fixed_bits().is_none() class="fixed-bits" data-testid=format!("{prefix}fixed-bits")>
            {move || kind().fixed_bits().map(|b| format!("{b} bits per code, fixed by the format")).unwrap_or_default()}
        </p>
        <label class:hidden=move || kind() != SchemeKind::Linear>"Mode "
            <select data-testid=format!("{prefix}mode") on:change=move |ev| {
                if let Some(m) = parse_id::<Mode>(&event_target_value(&ev)) {
                    edit(&|s| s.mode = m);
                }
            }>
                {Mode::ALL.iter().map(|&m| view! {
                    <option value=m.id() selected=move || scheme.with(|s| s.mode == m)>{m.label()}</option>
                }).collect_view()}
            </select>
        </label>
        <label class:hidden=move || kind() != SchemeKind::Linear>"Codes "
            <select data-testid=format!("{prefix}range") on:change=move |ev| {
                if let Some(r) = parse_id::<IntRange>(&event_target_value(&ev)) {
                    edit(&|s| s.range = r);
                }
            }>
                <option value="signed" selected=move || scheme.with(|s| s.range == IntRange::Signed)>"signed"</option>
                <option value="unsigned" selected=move || scheme.with(|s| s.range == IntRange::Unsigned)>"unsigned"</option>
            </select>
        </label>
        <label class:hidden=move || kind() != SchemeKind::MuLaw>"μ "
            <input type="number" data-testid=format!("{prefix}mu") min="0.001" step="any"
                prop:value=move || scheme.with(|s| s.mu.to_string())
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                        edit(&|s| s.mu = v);
                    }
                }/>
        </label>
        <label class:hidden=move || kind() != SchemeKind::ALaw>"A "
            <input type="number" data-testid=format!("{prefix}a-law") min="1" step="any"
                prop:value=move || scheme.with(|s| s.a_law.to_string())
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                        edit(&|s| s.a_law = v);
                    }
                }/>
        </label>
        <label class:hidden=move || kind() != SchemeKind::Nf4>"Block size "
            <input type="number" data-testid=format!("{prefix}block-size") min="1" step="1"
                prop:value=move || scheme.with(|s| s.block_size.to_string())
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<u32>() {
                        edit(&|s| s.block_size = v);
                    }
                }/>
        </label>
        <label class:hidden=move || kind() != SchemeKind::Nf4>
            <input type="checkbox" data-testid=format!("{prefix}double-quant")
                prop:checked=move || scheme.with(|s| s.double_quant)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    edit(&|s| s.double_quant = on);
                }/>
            " double quantization of the block scales"
        </label>
        <label class:hidden=move || kind() != SchemeKind::Fp8>"FP8 format "
            <select data-testid=format!("{prefix}fp8") on:change=move |ev| {
                if let Some(f) = parse_id::<Fp8Format>(&event_target_value(&ev)) {
                    edit(&|s| s.fp8 = f);
                }
            }>
                {Fp8Format::ALL.iter().map(|&f| view! {
                    <option value=f.id() selected=move || scheme.with(|s| s.fp8 == f)>{f.label()}</option>
                }).collect_view()}
            </select>
        </label>
        <label class:hidden=move || kind() != SchemeKind::Linear>"Clip range "
            <select data-testid=format!("{prefix}clip") on:change=move |ev| {
                if let Some(c) = parse_id::<ClipKind>(&event_target_value(&ev)) {
                    edit(&|s| s.clip = c);
                }
            }>
                {ClipKind::ALL.iter().map(|&c| view! {
                    <option value=c.id() selected=move || scheme.with(|s| s.clip == c)>{c.label()}</option>
                }).collect_view()}
            </select>
        </label>
        <label class:hidden=move || kind() != SchemeKind::Linear || scheme.with(|s| s.clip != ClipKind::Percentile)>"Percentile "
            <input type="number" data-testid=format!("{prefix}percentile") min="50" max="100" step="any"
                prop:value=move || scheme.with(|s| s.percentile.to_string())
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                        edit(&|s| s.percentile = v);
                    }
                }/>
        </label>
    }
}
