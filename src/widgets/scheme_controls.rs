//! The quantizer's controls (scheme, bits and each scheme's own parameters): one widget for
//! the Signal lab's scheme, its compare mode's second scheme and the Weight lab's scheme.
//!
//! Which rows show follows the core's [`SchemeKind::parameters`]: a row appears when the
//! chosen scheme reads its parameter. The granularity rows (per tensor / channel / group)
//! are only offered where the page has a tensor to group (`granularity`), and so is the
//! rotation before quantization, shown only where it applies (per-group granularity).

use leptos::prelude::*;
use quantlab_core::clipping::ClipKind;
use quantlab_core::quantizer::{Fp8Format, GranularityKind, IntRange, Mode, Scheme, SchemeKind};

use crate::lang::{t, use_i18n};
use crate::widgets::scheme_names::{clip_label, mode_label, scheme_label};
use crate::widgets::select::{id_select, id_select_in};

/// Group sizes offered for per-group granularity.
pub const GROUP_SIZES: [u32; 7] = [16, 32, 64, 128, 256, 512, 1024];

/// Whether `kind` reads the [`Scheme`] field `param` (a name of [`SchemeKind::parameters`]).
pub fn uses(kind: SchemeKind, param: &str) -> bool {
    kind.parameters().contains(&param)
}

/// A number `<input>` committed on change; text that does not parse is ignored.
fn number_input<T, S>(
    testid: String,
    min: &'static str,
    step: &'static str,
    current: impl Fn() -> String + Send + Sync + 'static,
    set: S,
) -> impl IntoView
where
    T: std::str::FromStr,
    S: Fn(T) + Send + Sync + 'static,
{
    view! {
        <input type="number" data-testid=testid min=min step=step
            prop:value=current
            on:change=move |ev| {
                if let Ok(v) = event_target_value(&ev).trim().parse::<T>() {
                    set(v);
                }
            }/>
    }
}

/// The controls of one [`Scheme`]. Every `data-testid` starts with `prefix` (`""` for the
/// Signal lab's scheme, `"cmp-"` for its compared one, `"wl-"` for the Weight lab's).
#[component]
pub fn SchemeControls<F>(
    /// Test-id prefix.
    prefix: &'static str,
    /// The scheme shown.
    scheme: Signal<Scheme>,
    /// Applies an edit to the scheme.
    edit: F,
    /// Offer the granularity rows (per tensor, channel or group) where the scheme has them.
    #[prop(optional)]
    granularity: bool,
) -> impl IntoView
where
    F: Fn(&dyn Fn(&mut Scheme)) + Copy + Send + Sync + 'static,
{
    // Only this line is built once per caller's closure; the view below is built once.
    let edit: EditFn = Box::new(edit);
    scheme_controls(prefix, scheme, StoredValue::new(edit), granularity)
}

/// How a caller applies an edit to its scheme, stored once so the controls' view is not
/// generic over the caller's closure.
type EditFn = Box<dyn Fn(&dyn Fn(&mut Scheme)) + Send + Sync>;

fn scheme_controls(
    prefix: &'static str,
    scheme: Signal<Scheme>,
    edit: StoredValue<EditFn>,
    granularity: bool,
) -> impl IntoView {
    let edit = move |f: &dyn Fn(&mut Scheme)| edit.with_value(|e| e(f));
    let id = move |name: &str| format!("{prefix}{name}");
    let kind = move || scheme.with(|s| s.scheme);
    let hide = move |param: &'static str| move || !uses(kind(), param);
    let grouped = move || granularity && uses(kind(), "granularity");
    let gran = move || scheme.with(|s| s.granularity);
    let i18n = use_i18n();
    view! {
        <label>{t!(i18n, widgets.scheme)}" "
            {id_select_in(id("scheme"),
                SchemeKind::ALL.iter().map(|&k| (k, k.id())).collect(),
                |k, l| scheme_label(k, l).to_string(),
                kind,
                move |k: SchemeKind| edit(&|s| {
                    s.scheme = k;
                    let (lo, hi) = k.bits_range();
                    s.bits = s.bits.clamp(lo, hi);
                }))}
        </label>
        <label class:hidden=move || kind().fixed_bits().is_some()>{t!(i18n, widgets.bits)}" "
            <input type="range" data-testid=id("bits") step="1"
                min=move || kind().bits_range().0
                max=move || kind().bits_range().1
                prop:value=move || scheme.with(|s| s.bits.to_string())
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                        edit(&|s| s.bits = v);
                    }
                }/>
            <output data-testid=id("bits-value")>{move || scheme.with(|s| s.bits)}</output>
        </label>
        <p class:hidden=move || kind().fixed_bits().is_none() class="fixed-bits" data-testid=id("fixed-bits")>
            {move || kind().fixed_bits().map(|b| crate::tdf!(i18n.get_locale(), widgets.fixed_bits, b = b)).unwrap_or_default()}
        </p>
        <label class:hidden=hide("mode")>{t!(i18n, widgets.mode)}" "
            {id_select_in(id("mode"),
                Mode::ALL.iter().map(|&m| (m, m.id())).collect(),
                |m, l| mode_label(m, l).to_string(),
                move || scheme.with(|s| s.mode),
                move |m: Mode| edit(&|s| s.mode = m))}
        </label>
        <label class:hidden=hide("range")>{t!(i18n, widgets.codes)}" "
            {id_select_in(id("range"),
                vec![(IntRange::Signed, "signed"), (IntRange::Unsigned, "unsigned")],
                |r, l| match r {
                    IntRange::Signed => leptos_i18n::td_string!(l, widgets.signed),
                    IntRange::Unsigned => leptos_i18n::td_string!(l, widgets.unsigned),
                }.to_string(),
                move || scheme.with(|s| s.range),
                move |r: IntRange| edit(&|s| s.range = r))}
        </label>
        <label class:hidden=move || !grouped()>{t!(i18n, widgets.granularity)}" "
            {id_select_in(id("granularity"),
                vec![
                    (GranularityKind::Tensor, "tensor"),
                    (GranularityKind::Channel, "channel"),
                    (GranularityKind::Group, "group"),
                ],
                |g, l| match g {
                    GranularityKind::Tensor => leptos_i18n::td_string!(l, widgets.per_tensor),
                    GranularityKind::Channel => leptos_i18n::td_string!(l, widgets.per_channel),
                    GranularityKind::Group => leptos_i18n::td_string!(l, widgets.per_group),
                }.to_string(),
                gran,
                move |g: GranularityKind| edit(&|s| s.granularity = g))}
        </label>
        <label class:hidden=move || !grouped() || gran() != GranularityKind::Channel>{t!(i18n, widgets.channel_axis)}" "
            {number_input(id("axis"), "0", "1", move || scheme.with(|s| s.axis.to_string()),
                move |v: u32| edit(&|s| s.axis = v))}
        </label>
        <label class:hidden=move || !grouped() || gran() != GranularityKind::Group>{t!(i18n, widgets.group_size)}" "
            <select data-testid=id("group-size") on:change=move |ev| {
                if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                    edit(&|s| s.group_size = v);
                }
            }>
                {GROUP_SIZES.into_iter().map(|g| view! {
                    <option value=g.to_string() selected=move || scheme.with(|s| s.group_size == g)>{g}</option>
                }).collect_view()}
            </select>
        </label>
        // The rotation: wherever the granularity is per group (the core's `rotation_applies`).
        <label class:hidden=move || !granularity || !scheme.with(|s| s.rotation_applies())>
            <input type="checkbox" data-testid=id("rotate")
                prop:checked=move || scheme.with(|s| s.rotate)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    edit(&|s| s.rotate = on);
                }/>
            " "{t!(i18n, widgets.rotate)}
            <small class="hint" data-testid=id("rotate-hint")>" "{t!(i18n, widgets.rotate_hint)}</small>
        </label>
        <label class:hidden=move || !granularity || !scheme.with(|s| s.rotates())>{t!(i18n, widgets.rotate_seed)}" "
            {number_input(id("rotate-seed"), "0", "1", move || scheme.with(|s| s.rotate_seed.to_string()),
                move |v: u64| edit(&|s| s.rotate_seed = v))}
        </label>
        <label class:hidden=hide("clip")>{t!(i18n, widgets.clip_range)}" "
            {id_select_in(id("clip"),
                ClipKind::ALL.iter().map(|&c| (c, c.id())).collect(),
                |c, l| clip_label(c, l).to_string(),
                move || scheme.with(|s| s.clip),
                move |c: ClipKind| edit(&|s| s.clip = c))}
        </label>
        <label class:hidden=move || !uses(kind(), "percentile") || scheme.with(|s| s.clip != ClipKind::Percentile)>{t!(i18n, widgets.percentile)}" "
            {number_input(id("percentile"), "50", "any", move || scheme.with(|s| s.percentile.to_string()),
                move |v: f64| edit(&|s| s.percentile = v))}
        </label>
        <label class:hidden=hide("mu")>"μ "
            {number_input(id("mu"), "0.001", "any", move || scheme.with(|s| s.mu.to_string()),
                move |v: f64| edit(&|s| s.mu = v))}
        </label>
        <label class:hidden=hide("a_law")>"A "
            {number_input(id("a-law"), "1", "any", move || scheme.with(|s| s.a_law.to_string()),
                move |v: f64| edit(&|s| s.a_law = v))}
        </label>
        <label class:hidden=hide("block_size")>{t!(i18n, widgets.block_size)}" "
            {number_input(id("block-size"), "1", "1", move || scheme.with(|s| s.block_size.to_string()),
                move |v: u32| edit(&|s| s.block_size = v))}
        </label>
        <label class:hidden=hide("double_quant")>
            <input type="checkbox" data-testid=id("double-quant")
                prop:checked=move || scheme.with(|s| s.double_quant)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    edit(&|s| s.double_quant = on);
                }/>
            " "{t!(i18n, widgets.double_quant)}
        </label>
        <label class:hidden=hide("fp8")>{t!(i18n, widgets.fp8_format)}" "
            {id_select(id("fp8"),
                Fp8Format::ALL.iter().map(|&f| (f, f.id(), f.label().to_string())).collect(),
                move || scheme.with(|s| s.fp8),
                move |f: Fp8Format| edit(&|s| s.fp8 = f))}
        </label>
    }
}
