//! Sections 6 to 10: granularity, packing, memory, registers, and the int8 MLP.

use leptos::prelude::*;
use leptos_i18n::td_string;
use quantlab_core::lesson::Answer;
use quantlab_core::lesson::answers::{
    best_granularity, granularity_mse, packed_bytes, quantizes_activations, weight_gb,
};
use quantlab_core::memory::WeightFormat;
use quantlab_core::mlp::quant::{Activations, QuantConfig};
use quantlab_core::quantizer::{GranularityKind, Mode, Scheme};
use quantlab_core::weights::synth::WeightDist;

use super::content::{exact, keys};
use super::live::{host_weight, weight_href};
use super::question::{Kind, Question};
use super::section::{lab_href, open_in_lab, prose};
use crate::format::num;
use crate::labs::Lab;
use crate::labs::weight::packing::PackingTable;
use crate::labs::weight::state::WeightLabState;
use crate::labs::weight::views::GranularityView;
use crate::lang::numbers::{localize, number_span};
use crate::lang::{Locale, use_i18n};

const GROUP: u32 = 32;

/// A 4-bit symmetric tensor of 32 × 256 weights whose rows differ widely in size.
fn outlier_tensor(granularity: GranularityKind) -> WeightLabState {
    WeightLabState {
        dist: WeightDist::Normal,
        rows: 32,
        cols: 256,
        spread: 1.5,
        scheme: Scheme {
            bits: 4,
            mode: Mode::Sym,
            granularity,
            axis: 0,
            group_size: GROUP,
            ..Scheme::default()
        },
        ..WeightLabState::default()
    }
}

fn granularity_label(g: GranularityKind, l: Locale) -> &'static str {
    match g {
        GranularityKind::Tensor => td_string!(l, lesson.s6_tensor),
        GranularityKind::Channel => td_string!(l, lesson.s6_channel),
        GranularityKind::Group => td_string!(l, lesson.s6_group),
    }
}

fn granularity_id(g: GranularityKind) -> &'static str {
    match g {
        GranularityKind::Tensor => "tensor",
        GranularityKind::Channel => "channel",
        GranularityKind::Group => "group",
    }
}

/// Section 6: the error map of one tensor per tensor, per channel and per group.
pub fn granularity() -> impl IntoView {
    let (st, pipeline) = host_weight(outlier_tensor(GranularityKind::Tensor));
    let i18n = use_i18n();
    let (tensor, result) = (pipeline.tensor, pipeline.result);
    let mse = Memo::new(move |_| {
        tensor.with(|t| {
            let t = t.as_ref().ok()?;
            let scheme = st.state.with_untracked(|s| s.scheme);
            granularity_mse(&t.data, [t.shape[0], t.shape[1]], &scheme, GROUP).ok()
        })
    });
    let answer = Signal::derive(move || {
        mse.get()
            .map(|m| Answer::Choice(granularity_id(best_granularity(&m)).into()))
    });
    let why = Signal::derive(move || {
        let l = i18n.get_locale();
        mse.get().map_or_else(String::new, |m| {
            let f = |v: f64| localize(&num(v), l);
            crate::tdf!(
                l,
                lesson.s6_why,
                tensor = f(m[0].1),
                channel = f(m[1].1),
                group = f(m[2].1)
            )
        })
    });
    let kinds = [
        GranularityKind::Tensor,
        GranularityKind::Channel,
        GranularityKind::Group,
    ];
    let options = kinds.map(|g| {
        view! { <option value=granularity_id(g) selected=move || st.state.with(|s| s.scheme.granularity == g)>{move || granularity_label(g, i18n.get_locale())}</option> }
    });
    let change = move |ev| {
        let id = event_target_value(&ev);
        if let Some(g) = kinds.into_iter().find(|g| granularity_id(*g) == id) {
            st.set(|s| s.scheme.granularity = g);
        }
    };
    let choices = kinds
        .map(|g| {
            (
                granularity_id(g),
                match g {
                    GranularityKind::Tensor => {
                        (|l| td_string!(l, lesson.s6_tensor)) as fn(Locale) -> &'static str
                    }
                    GranularityKind::Channel => |l: Locale| td_string!(l, lesson.s6_channel),
                    GranularityKind::Group => |l: Locale| td_string!(l, lesson.s6_group),
                },
            )
        })
        .to_vec();
    let readout =
        move || result.with(|r| r.as_ref().map(|r| num(r.metrics.mse)).unwrap_or_default());
    view! {
        {prose(&keys![lesson.s6_p1, lesson.s6_p2, lesson.s6_p3])}
        <div class="lesson-figure">
            <label class="lesson-control">{move || td_string!(i18n.get_locale(), lesson.s6_granularity)}" "
                <select data-testid="s6-granularity" on:change=change>{options}</select>
            </label>
            <p class="readouts-inline">"MSE = "{number_span("s6-mse", readout)}</p>
            <GranularityView/>
        </div>
        {open_in_lab("s6-open", weight_href(st))}
        <Question id="s6" prompt=|l| td_string!(l, lesson.s6_q) kind=Kind::Choice(choices) answer=answer why=why/>
    }
}

/// Section 7: the first weights packed byte by byte, at 2, 3, 4 or 8 bits.
pub fn packing() -> impl IntoView {
    let initial = WeightLabState {
        pack_bits: 4,
        pack_n: 8,
        ..WeightLabState::default()
    };
    let (st, _) = host_weight(initial);
    let i18n = use_i18n();
    let options = [2u32, 3, 4, 8].map(|b| {
        view! { <option value=b.to_string() selected=move || st.state.with(|s| s.pack_bits == b)>{b}</option> }
    });
    let change = move |ev| {
        if let Ok(b) = event_target_value(&ev).parse::<u32>() {
            st.set(|s| s.pack_bits = b);
        }
    };
    view! {
        {prose(&keys![lesson.s7_p1, lesson.s7_p2])}
        <div class="lesson-figure">
            <label class="lesson-control">{move || td_string!(i18n.get_locale(), lesson.s7_bits)}" "
                <select data-testid="s7-bits" on:change=change>{options}</select>
            </label>
            <PackingTable/>
        </div>
        {open_in_lab("s7-open", weight_href(st))}
        <Question id="s7" prompt=|l| td_string!(l, lesson.s7_q) kind=Kind::Number
            answer=Signal::derive(|| packed_bytes(1000, 4).ok().and_then(|b| exact(b as f64)))
            why=Signal::derive(move || td_string!(i18n.get_locale(), lesson.s7_why).to_string())/>
    }
}

/// Section 8: the course's memory table.
pub fn memory() -> impl IntoView {
    use crate::labs::memory::state::MemoryLabState;
    let state = RwSignal::new(MemoryLabState::default());
    let i18n = use_i18n();
    let answer = Signal::derive(|| {
        weight_gb(70, WeightFormat::Int4)
            .ok()
            .map(|v| Answer::Number {
                value: v,
                tolerance: 0.5,
            })
    });
    let href = move || {
        let q = state.with(quantlab_core::url_state::to_query);
        lab_href(Lab::Memory, &q)
    };
    view! {
        {prose(&keys![lesson.s8_p1, lesson.s8_p2])}
        <div class="lesson-figure">
            <crate::labs::memory::course::CourseTable state=state/>
        </div>
        {open_in_lab("s8-open", href)}
        <Question id="s8" prompt=|l| td_string!(l, lesson.s8_q) kind=Kind::Number answer=answer
            why=Signal::derive(move || td_string!(i18n.get_locale(), lesson.s8_why).to_string())/>
    }
}

/// Section 9: SIMD lanes and the int16 overflow beside the int32 accumulator.
pub fn registers() -> impl IntoView {
    let i18n = use_i18n();
    let answer = Signal::derive(|| exact(f64::from(quantlab_core::lesson::lanes(512, 8))));
    view! {
        {prose(&keys![lesson.s9_p1, lesson.s9_p2])}
        <super::registers::RegisterFigure/>
        {open_in_lab("s9-open", || lab_href(Lab::Mlp, ""))}
        <Question id="s9" prompt=|l| td_string!(l, lesson.s9_q) kind=Kind::Number answer=answer
            why=Signal::derive(move || td_string!(i18n.get_locale(), lesson.s9_why).to_string())/>
    }
}

/// torchao's name for a configuration of the course.
fn torchao_name(c: &QuantConfig) -> &'static str {
    match (c.weights, c.activations) {
        (_, Activations::Int8PerToken) => "Int8DynamicActivationInt8WeightConfig",
        (quantlab_core::mlp::quant::WeightFormat::Int8, _) => "Int8WeightOnlyConfig",
        (quantlab_core::mlp::quant::WeightFormat::Int4, _) => "Int4WeightOnlyConfig",
        _ => "—",
    }
}

/// The configuration's short name, as the MLP lab's tables write it (`W4-g128`).
fn short_name(c: &QuantConfig) -> String {
    c.id().replacen('w', "W", 1).replace("a8", "A8")
}

/// What the weights become: `int8, per channel`, `int4, g128`.
fn weights_text(c: &QuantConfig, l: Locale) -> String {
    use quantlab_core::mlp::quant::WeightFormat as W;
    let format = match c.weights {
        W::Fp32 => "fp32",
        W::Int8 => "int8",
        W::Int4 => "int4",
        W::Nf4 => "nf4",
        w @ (W::Mxfp4 | W::Mxfp8E4m3 | W::Nvfp4) => w.name(),
    };
    let gran = match c.granularity {
        GranularityKind::Group => format!("g{}", c.group_size),
        g => granularity_label(g, l).to_string(),
    };
    format!("{format}, {gran}")
}

/// Section 10: the three configurations, and the MLP lab itself, embedded.
pub fn mlp() -> impl IntoView {
    let i18n = use_i18n();
    let configs: Vec<QuantConfig> = QuantConfig::COURSE
        .into_iter()
        .filter(|c| *c != QuantConfig::FP32)
        .collect();
    let rows = configs
        .iter()
        .map(|c| {
            let id = c.id();
            let c = *c;
            let int_acts = c.activations != Activations::Fp32;
            view! {
                <tr data-testid=format!("s10-row-{id}")>
                    <th scope="row" translate="no">{short_name(&c)}</th>
                    <td translate="no">{torchao_name(&c)}</td>
                    <td>{move || weights_text(&c, i18n.get_locale())}</td>
                    <td>{move || if int_acts { "int8".to_string() } else { td_string!(i18n.get_locale(), lesson.s10_float).to_string() }}</td>
                    <td>{move || if int_acts { "int32".to_string() } else { td_string!(i18n.get_locale(), lesson.s10_float).to_string() }}</td>
                </tr>
            }
        })
        .collect_view();
    let choices: Vec<super::question::Choice> = vec![
        ("w8", |_: Locale| "W8"),
        ("w4-g128", |_: Locale| "W4-g128"),
        ("w8a8", |_: Locale| "W8A8"),
    ];
    let answer = Signal::derive(|| {
        quantizes_activations()
            .first()
            .map(|c| Answer::Choice(c.id()))
    });
    let lang = crate::lang::query_pair(&crate::url::current_query());
    let frame = format!(
        "?lab=mlp&dataset=iris&embed=1&views=session,training,accuracy&controls=train{}",
        if lang.is_empty() {
            String::new()
        } else {
            format!("&{lang}")
        }
    );
    view! {
        {prose(&keys![lesson.s10_p1, lesson.s10_p2])}
        <div class="lesson-figure">
            <table class="lesson-table" data-testid="s10-configs">
                <thead><tr>
                    <th scope="col">{move || td_string!(i18n.get_locale(), lesson.s10_config)}</th>
                    <th scope="col">{move || td_string!(i18n.get_locale(), lesson.s10_torchao)}</th>
                    <th scope="col">{move || td_string!(i18n.get_locale(), lesson.s10_weights)}</th>
                    <th scope="col">{move || td_string!(i18n.get_locale(), lesson.s10_acts)}</th>
                    <th scope="col">{move || td_string!(i18n.get_locale(), lesson.s10_sums)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <iframe class="lesson-embed" data-quantlab-embed="" data-testid="s10-embed" src=frame
                title=move || td_string!(i18n.get_locale(), lesson.s10_title)></iframe>
        </div>
        {open_in_lab("s10-open", || lab_href(Lab::Mlp, "dataset=iris"))}
        <Question id="s10" prompt=|l| td_string!(l, lesson.s10_q) kind=Kind::Choice(choices) answer=answer
            why=Signal::derive(move || td_string!(i18n.get_locale(), lesson.s10_why).to_string())/>
    }
}
