//! The MLP lab's int16 demo, CPU throughput table and drawing panel.

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::mlp::{AccumulatorReport, QuantConfig};

use super::bench::{Agreement, Throughput};
use super::draw::{DigitPad, Framing, SIDE};
use super::results::{TrainedModel, softmax};
use super::state::DataChoice;
use super::words::{config_label, num_td};
use crate::format::fixed;
use crate::lang::numbers::{localize, number_span};
use crate::lang::{t, t_string, use_i18n};

/// Why int8 sums need int32: the W8A8 model's sums with an int16 accumulator.
#[component]
pub fn Int16Demo(
    /// The demo's result.
    acc16: Signal<Option<Result<Vec<AccumulatorReport>, String>>>,
    /// The model.
    model: Signal<Option<Arc<TrainedModel>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let m = model.get()?;
        let reports = acc16.get()?;
        Some(match reports {
            Err(e) => view! { <p class="error" data-testid="i16-error">{e}</p> }.into_any(),
            Ok(reports) => view! {
                <div class="int16-demo">
                    <h3>{t!(i18n, mlp.i16_title)}</h3>
                    <p class="hint">{t!(i18n, mlp.i16_hint_a)}<strong>"3"</strong>{t!(i18n, mlp.i16_hint_b)}</p>
                    <table class="mem-table" data-testid="int16-table">
                        <thead><tr><th>{t!(i18n, mlp.i16_layer)}</th><th>{t!(i18n, mlp.i16_k)}</th><th>{t!(i18n, mlp.i16_sums)}</th>
                            <th>{t!(i18n, mlp.i16_largest)}</th><th>{t!(i18n, mlp.i16_wrong)}</th><th>{t!(i18n, mlp.i16_left)}</th></tr></thead>
                        <tbody>
                            {reports.iter().map(|r| {
                                let k = m.mlp.layers.get(r.layer).map_or(0, |l| l.in_dim);
                                view! {
                                    <tr>
                                        <th>{super::words::fill(t_string!(i18n, mlp.layer_n), &[("n", &(r.layer + 1))])}</th>
                                        {num_td(None, k.to_string(), i18n)}
                                        {num_td(None, r.outputs.to_string(), i18n)}
                                        {num_td(Some(format!("max-acc-{}", r.layer)), r.max_abs_acc.to_string(), i18n)}
                                        {num_td(Some(format!("i16-overflow-{}", r.layer)), r.overflowed.to_string(), i18n)}
                                        {num_td(None, r.wrapped_on_the_way.to_string(), i18n)}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="hint">{t!(i18n, mlp.i16_foot)}</p>
                </div>
            }.into_any(),
        })
    }
}

/// The CPU paths' speed and the SIMD ⇄ scalar agreement.
#[component]
pub fn ThroughputTable(
    /// Samples per second of each path.
    throughput: Signal<Option<Result<Throughput, String>>>,
    /// SIMD vs scalar.
    agreement: Signal<Option<Result<Agreement, String>>>,
    /// Whether the wasm was built with simd128.
    simd_compiled: bool,
    /// Whether the browser validates simd128.
    simd_in_browser: bool,
    /// Whether the browser validates relaxed SIMD.
    relaxed: bool,
    /// Measures again.
    remeasure: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let yes = move |b: bool| {
        move || {
            if b {
                t_string!(i18n, mlp.yes)
            } else {
                t_string!(i18n, mlp.no)
            }
        }
    };
    view! {
        <div class="throughput">
            <h3>{t!(i18n, mlp.tp_title)}</h3>
            <dl class="readouts">
                <div><dt>{t!(i18n, mlp.simd_compiled)}</dt><dd data-testid="simd-compiled" data-value=simd_compiled.to_string()>{yes(simd_compiled)}</dd></div>
                <div><dt>{t!(i18n, mlp.simd_browser)}</dt><dd data-testid="simd-browser" data-value=simd_in_browser.to_string()>{yes(simd_in_browser)}</dd></div>
                <div><dt>{t!(i18n, mlp.relaxed_browser)}</dt><dd data-testid="relaxed-simd" data-value=relaxed.to_string()>{yes(relaxed)}</dd></div>
                <div><dt>{t!(i18n, mlp.simd_mismatch)}</dt><dd>{number_span("simd-mismatches", move || agreement.with(|a| match a { Some(Ok(a)) => a.mismatches.to_string(), Some(Err(_)) => "—".into(), None => "—".into() }))}
                    {t!(i18n, mlp.of)}{number_span("simd-compared", move || agreement.with(|a| match a { Some(Ok(a)) => a.compared.to_string(), _ => "—".into() }))}</dd></div>
            </dl>
            {move || throughput.get().map(|t| match t {
                Err(e) => view! { <p class="error">{e}</p> }.into_any(),
                Ok(t) => view! {
                    <table class="mem-table" data-testid="throughput-table">
                        <thead><tr><th>{t!(i18n, mlp.col_path)}</th><th>{t!(i18n, mlp.col_samples_s)}</th><th>{t!(i18n, mlp.col_x_fp32)}</th></tr></thead>
                        <tbody>
                            <tr><th>{t!(i18n, mlp.path_fp32)}</th>{num_td(Some("tp-fp32".into()), fixed(t.fp32, 0), i18n)}<td class="num">"1"</td></tr>
                            <tr><th>{t!(i18n, mlp.path_scalar)}</th>{num_td(Some("tp-int8-scalar".into()), fixed(t.int8_scalar, 0), i18n)}{num_td(None, fixed(t.int8_scalar / t.fp32, 2), i18n)}</tr>
                            <tr><th>{t!(i18n, mlp.path_simd)}</th>{num_td(Some("tp-int8-simd".into()), fixed(t.int8_simd, 0), i18n)}{num_td(Some("tp-ratio-simd-fp32".into()), fixed(t.int8_simd / t.fp32, 2), i18n)}</tr>
                        </tbody>
                        <caption>{move || super::words::fill(t_string!(i18n, mlp.tp_caption), &[("n", &(localize(&t.samples.to_string(), i18n.get_locale())))])}</caption>
                    </table>
                }.into_any(),
            })}
            <p class="hint">{t!(i18n, mlp.relaxed_hint)}</p>
            <button type="button" data-testid="remeasure" on:click=move |_| remeasure.run(())>{t!(i18n, mlp.measure_again)}</button>
        </div>
    }
}

/// Draw a digit or garment and see every configuration classify it (28×28 image sets).
#[component]
pub fn DrawPanel(
    /// The model.
    model: Signal<Option<Arc<TrainedModel>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let drawn = RwSignal::new(None::<Vec<f32>>);
    move || {
        let m = model.get()?;
        if m.data.image != Some((SIDE, SIDE)) {
            return None;
        }
        let framing = if m.choice == DataChoice::FashionMnist {
            Framing::Fill
        } else {
            Framing::Digit
        };
        let names = m.data.class_names().to_vec();
        let m2 = m.clone();
        let predictions = move || {
            let x = drawn.get()?;
            if x.iter().all(|&v| v == 0.0) {
                return None;
            }
            let mut x = x;
            m2.data.standardizer.apply_row(&mut x);
            let rows: Vec<(String, QuantConfig, String, usize)> = m2
                .quantized
                .iter()
                .filter_map(|q| {
                    let logits = q.forward(&x, 1).ok()?;
                    let p = softmax(&logits);
                    let best = p
                        .iter()
                        .enumerate()
                        .fold(0, |b, (i, &v)| if v > p[b] { i } else { b });
                    Some((
                        q.config.id(),
                        q.config,
                        fixed(100.0 * f64::from(p[best]), 1),
                        best,
                    ))
                })
                .collect();
            Some(rows)
        };
        Some(view! {
            <div class="draw-panel">
                <h3>{t!(i18n, mlp.draw_title)}</h3>
                <p class="hint">{t!(i18n, mlp.draw_hint)}</p>
                <div class="draw-row">
                    <DigitPad framing=framing on_change=Callback::new(move |x: Vec<f32>| drawn.set(Some(x)))/>
                    <table class="mem-table" data-testid="draw-predictions">
                        <thead><tr><th>{t!(i18n, mlp.col_configuration)}</th><th>{t!(i18n, mlp.col_class)}</th><th>{t!(i18n, mlp.col_probability)}</th></tr></thead>
                        <tbody>
                            {move || predictions().map(|rows| rows.into_iter().map(|(id, label, p, best)| view! {
                                <tr><th>{config_label(label, i18n)}</th>
                                    <td data-testid=format!("draw-pred-{id}") data-class=best.to_string()>{names.get(best).cloned().unwrap_or_default()}</td>
                                    {num_td(None, p, i18n)}</tr>
                            }).collect_view())}
                        </tbody>
                    </table>
                </div>
            </div>
        })
    }
}
