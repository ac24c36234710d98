//! The Memory lab: how much memory a model needs to run or to train, item by item, each
//! number with its formula; the course's table; which GPUs fit; the largest context.
//!
//! All the math is `quantlab_core::memory`; this module is the page: [`state`] holds the
//! URL state, [`pipeline`] the pure computation, [`course`] the course's table, [`controls`] the
//! form, [`answers`] the tables and readouts, and `crate::charts::memory` the chart.

pub mod answers;
pub mod controls;
pub mod core_text;
pub mod course;
pub mod pipeline;
pub mod state;

use std::sync::{Arc, OnceLock};

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;

use self::answers::{GpuFitTable, ItemsTable, ModelSummary, gib2, max_context_sentence};
use self::controls::{MemoryControls, UploadError, UploadInfo};
use self::course::CourseTable;
use self::pipeline::{MemoryAnswer, compute};
use self::state::{MemoryLabState, ModelSource};
use crate::charts::memory::{MemoryChart, Segment, draw_memory};
use crate::format::fixed;
use crate::lang::fill::{fill, per_locale, td_string};
use crate::lang::numbers::{localize, number_span};
use crate::lang::{Locale, t_string, use_i18n};
use crate::url::{read_state, write_state};
use crate::widgets::embed_builder::{Choice, EmbedBuilder};
use crate::widgets::svg::FigureExports;

/// The chart's data for an answer in `locale`: one segment per item, the chosen GPU(s) as
/// capacity.
pub fn chart_data(a: &MemoryAnswer, locale: Locale) -> MemoryChart {
    let capacity = fill(
        td_string!(locale, memory.chart_capacity),
        &[
            ("n", &a.gpu_count.to_string()),
            ("gpu", &core_text::words(&a.gpu.name, locale)),
            ("gib", &localize(&gib2(a.available_bytes), locale)),
        ],
    );
    MemoryChart {
        segments: a
            .breakdown
            .items
            .iter()
            .map(|it| Segment {
                kind: it.kind,
                label: core_text::text(&it.label, locale),
                gib: it.gib(),
            })
            .collect(),
        capacity: Some((capacity, quantlab_core::memory::to_gib(a.available_bytes))),
        x_desc: td_string!(locale, memory.chart_x).to_string(),
        locale,
    }
}

/// The figures of the Memory lab an embed can show (`views=`), in `locale`.
pub fn embed_views(locale: Locale) -> &'static [Choice] {
    static CELLS: [OnceLock<Vec<Choice>>; 2] = [const { OnceLock::new() }; 2];
    per_locale(&CELLS, locale, |l| {
        vec![
            ("course", td_string!(l, memory.embed_course)),
            ("breakdown", td_string!(l, memory.embed_breakdown)),
            ("gpu-fit", td_string!(l, memory.embed_gpu_fit)),
        ]
    })
    .as_slice()
}

/// The controls of the Memory lab an embed can show (`controls=`, by their test ids), in
/// `locale`.
pub fn embed_controls(locale: Locale) -> &'static [Choice] {
    static CELLS: [OnceLock<Vec<Choice>>; 2] = [const { OnceLock::new() }; 2];
    per_locale(&CELLS, locale, |l| {
        vec![
            ("preset", td_string!(l, memory.c_preset)),
            ("billions", td_string!(l, memory.c_billions)),
            ("mode-inference", td_string!(l, memory.c_inference)),
            ("mode-training", td_string!(l, memory.c_training)),
            ("weights", td_string!(l, memory.c_weights)),
            ("int-bits", td_string!(l, memory.c_int_bits)),
            ("group-size", td_string!(l, memory.c_group_size)),
            ("kv", td_string!(l, memory.c_kv)),
            ("context", td_string!(l, memory.c_context)),
            ("batch", td_string!(l, memory.c_batch)),
            ("method", td_string!(l, memory.c_method)),
            ("optimizer", td_string!(l, memory.c_optimizer)),
            ("rank", td_string!(l, memory.c_rank)),
            ("checkpointing", td_string!(l, memory.c_checkpointing)),
            ("overhead", td_string!(l, memory.c_overhead)),
            ("gpu", td_string!(l, memory.c_gpu)),
            ("gpus", td_string!(l, memory.c_gpus)),
        ]
    })
    .as_slice()
}

/// The Memory lab page.
#[component]
pub fn MemoryLab() -> impl IntoView {
    let (initial, warnings) = read_state::<MemoryLabState>();
    let state = RwSignal::new(initial);
    let uploaded = RwSignal::new(None::<UploadInfo>);
    let upload_error = RwSignal::new(None::<UploadError>);
    let i18n = use_i18n();
    let answer = Memo::new(move |_| state.with(compute).map(Arc::new));

    Effect::new(move |_| state.with(|s| write_state(crate::labs::Lab::Memory, s)));
    // The upload note belongs to the config fields it filled.
    Effect::new(move |_| {
        if state.with(|s| s.source != ModelSource::Config) {
            uploaded.set(None);
        }
    });

    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let locale = i18n.get_locale();
        let chart = answer.with(|a| a.as_ref().ok().map(|a| chart_data(a, locale)));
        let Some(c) = canvas.get() else { return };
        match chart {
            Some(chart) => crate::draw_figure!(c, |root| draw_memory(root, &chart)),
            None => crate::widgets::perf::draw_on(&c, |root| {
                root.fill(&WHITE)
                    .and_then(|_| root.present())
                    .map_err(|e| format!("{e:?}"))
            }),
        }
    });

    let readout = move |f: fn(&MemoryAnswer) -> String| {
        move || answer.with(|r| r.as_ref().map(|a| f(a)).unwrap_or_else(|_| "—".into()))
    };
    let compute_error = move || answer.with(|a| a.as_ref().err().cloned());
    let tokens = move || t_string!(i18n, memory.tokens);
    let has_error = move || upload_error.with(Option::is_some) || compute_error().is_some();

    view! {
        <section class="lab memory-lab" aria-labelledby="memory-lab-title">
            <h2 id="memory-lab-title">{move || t_string!(i18n, memory.title)}</h2>
            {(!warnings.is_empty()).then(|| view! {
                <p class="notice" role="status">{move || fill(t_string!(i18n, memory.link_ignored), &[("list", &warnings.join("; "))])}</p>
            })}
            <div data-view="course"><CourseTable state=state/></div>
            <h3 class="calc-title">{move || t_string!(i18n, memory.calc_title)}</h3>
            <div class="lab-body">
                <MemoryControls state=state uploaded=uploaded upload_error=upload_error/>
                <div class="views">
                    <Show when=has_error>
                        <div class="error" role="alert" data-testid="memory-error">
                            {move || upload_error.get().map(|e| view! { <p>{e.message(i18n.get_locale())}</p> })}
                            {move || compute_error().map(|e| view! { <p>{e}</p> })}
                        </div>
                    </Show>
                    {move || uploaded.get().map(|u| view! {
                        <div class="notice upload-note" role="status" data-testid="upload-note">
                            <p>{
                                let l = i18n.get_locale();
                                fill(td_string!(l, memory.upload_loaded), &[
                                    ("file", &u.file_name),
                                    ("model", &core_text::words(&u.model_name, l)),
                                ])
                            }</p>
                            {(!u.assumptions.is_empty()).then(|| view! {
                                <ul>{u.assumptions.iter().map(|a| {
                                    let a = a.clone();
                                    view! { <li>{move || core_text::text(&a, i18n.get_locale())}</li> }
                                }).collect_view()}</ul>
                            })}
                        </div>
                    })}
                    <div data-view="breakdown">
                    <ModelSummary answer=answer/>
                    <dl class="readouts">
                        <div><dt>{move || t_string!(i18n, memory.r_weights)}</dt><dd>{number_span("mem-weights-gib", readout(|a| gib2(a.weights_bytes())))}" GiB"</dd></div>
                        <div><dt>{move || t_string!(i18n, memory.r_kv)}</dt><dd>{number_span("mem-kv-gib", readout(|a| a.kv_bytes().map(gib2).unwrap_or_else(|| "—".into())))}" GiB"</dd></div>
                        <div><dt>{move || t_string!(i18n, memory.r_activations)}</dt><dd>{number_span("mem-activations-gib", readout(|a| a.activation_bytes().map(gib2).unwrap_or_else(|| "—".into())))}" GiB"</dd></div>
                        <div class="total"><dt>{move || t_string!(i18n, memory.r_total)}</dt><dd>{number_span("mem-total-gib", readout(|a| gib2(a.breakdown.total_bytes)))}" GiB"</dd></div>
                        <div class="total"><dt>{move || t_string!(i18n, memory.r_total_decimal)}</dt><dd>{number_span("mem-total-gb", readout(|a| fixed(a.breakdown.total_gb(), 2)))}" GB"</dd></div>
                        <div><dt>{move || t_string!(i18n, memory.r_max_context)}</dt><dd>{number_span("max-context", readout(|a| a.max_context.as_ref().map(|m| m.tokens.to_string()).unwrap_or_else(|_| "—".into())))}" "{tokens}</dd></div>
                    </dl>
                    <p class="hint" data-testid="max-context-explanation" class:hidden=move || answer.with(|a| a.is_err())>{move || answer.with(|r| r.as_ref().map(|a| max_context_sentence(a, i18n.get_locale())).unwrap_or_else(|_| "—".into()))}</p>
                    <figure class:hidden=move || answer.with(|a| a.is_err())>
                        <canvas node_ref=canvas data-testid="memory-canvas" width="960" height="280"
                            role="img" aria-label=move || t_string!(i18n, memory.canvas_aria)></canvas>
                        <figcaption>{move || t_string!(i18n, memory.canvas_caption)}</figcaption>
                        <FigureExports canvas="memory-canvas" name="memory"/>
                    </figure>
                    <ItemsTable answer=answer/>
                    </div>
                    <div data-view="gpu-fit"><GpuFitTable answer=answer/></div>
                    <section class="share" aria-labelledby="memory-share-title">
                        <h3 id="memory-share-title">{move || t_string!(i18n, memory.share_title)}</h3>
                        <p class="hint">{move || t_string!(i18n, memory.share_hint)}</p>
                        {move || {
                            let l = i18n.get_locale();
                            view! {
                                <EmbedBuilder lab="memory" title=td_string!(l, memory.title) views=embed_views(l)
                                    default_views=&["course"] controls=embed_controls(l)
                                    state_query=Signal::derive(move || state.with(quantlab_core::url_state::to_query))/>
                            }
                        }}
                    </section>
                </div>
            </div>
        </section>
    }
}
