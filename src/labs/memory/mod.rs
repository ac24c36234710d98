//! The Memory lab: how much memory a model needs to run or to train, item by item, each
//! number with its formula; the course's table; which GPUs fit; the largest context.
//!
//! All the math is `quantlab_core::memory`; this module is the page: [`state`] holds the
//! URL state, [`pipeline`] the pure computation, [`course`] the course's table, [`controls`] the
//! form, [`answers`] the tables and readouts, and `crate::charts::memory` the chart.

pub mod answers;
pub mod controls;
pub mod course;
pub mod pipeline;
pub mod state;

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;

use self::answers::{GpuFitTable, ItemsTable, ModelSummary, gib2, max_context_sentence};
use self::controls::{MemoryControls, UploadInfo};
use self::course::CourseTable;
use self::pipeline::{MemoryAnswer, compute};
use self::state::{MemoryLabState, ModelSource};
use crate::charts::memory::{MemoryChart, Segment, draw_memory};
use crate::format::fixed;
use crate::url::{read_state, write_state};
use crate::widgets::embed_builder::{Choice, EmbedBuilder};
use crate::widgets::svg::FigureExports;

/// The chart's data for an answer: one segment per item, the chosen GPU(s) as capacity.
pub fn chart_data(a: &MemoryAnswer) -> MemoryChart {
    MemoryChart {
        segments: a
            .breakdown
            .items
            .iter()
            .map(|it| Segment {
                kind: it.kind,
                label: it.label.clone(),
                gib: it.gib(),
            })
            .collect(),
        capacity: Some((
            format!(
                "{} × {}: {} GiB",
                a.gpu_count,
                a.gpu.name,
                gib2(a.available_bytes)
            ),
            quantlab_core::memory::to_gib(a.available_bytes),
        )),
    }
}

/// The figures of the Memory lab an embed can show (`views=`).
pub const EMBED_VIEWS: &[Choice] = &[
    ("course", "The course's table"),
    ("breakdown", "The breakdown: totals, chart and items"),
    ("gpu-fit", "Which GPUs fit"),
];

/// The controls of the Memory lab an embed can show (`controls=`, by their test ids).
pub const EMBED_CONTROLS: &[Choice] = &[
    ("preset", "Model preset"),
    ("billions", "Parameters (billions)"),
    ("mode-inference", "Inference"),
    ("mode-training", "Training"),
    ("weights", "Weight format"),
    ("int-bits", "Integer bits"),
    ("group-size", "Group size"),
    ("kv", "KV cache format"),
    ("context", "Context"),
    ("batch", "Batch"),
    ("method", "Training method"),
    ("optimizer", "Optimizer"),
    ("rank", "LoRA rank"),
    ("checkpointing", "Gradient checkpointing"),
    ("overhead", "Overhead"),
    ("gpu", "Target GPU"),
    ("gpus", "Number of GPUs"),
];
/// The Memory lab page.
#[component]
pub fn MemoryLab() -> impl IntoView {
    let (initial, warnings) = read_state::<MemoryLabState>();
    let state = RwSignal::new(initial);
    let uploaded = RwSignal::new(None::<UploadInfo>);
    let upload_error = RwSignal::new(None::<String>);
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
        let chart = answer.with(|a| a.as_ref().ok().map(|a| chart_data(a)));
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
    let has_error = move || upload_error.with(Option::is_some) || compute_error().is_some();

    view! {
        <section class="lab memory-lab" aria-labelledby="memory-lab-title">
            <h2 id="memory-lab-title">"Memory calculator"</h2>
            {(!warnings.is_empty()).then(|| view! {
                <p class="notice" role="status">{format!("Some link parameters were ignored: {}", warnings.join("; "))}</p>
            })}
            <div data-view="course"><CourseTable state=state/></div>
            <h3 class="calc-title">"Beyond the table: run or train a real model"</h3>
            <div class="lab-body">
                <MemoryControls state=state uploaded=uploaded upload_error=upload_error/>
                <div class="views">
                    <Show when=has_error>
                        <div class="error" role="alert" data-testid="memory-error">
                            {move || upload_error.get().map(|e| view! { <p>{e}</p> })}
                            {move || compute_error().map(|e| view! { <p>{e}</p> })}
                        </div>
                    </Show>
                    {move || uploaded.get().map(|u| view! {
                        <div class="notice upload-note" role="status" data-testid="upload-note">
                            <p>
                                {format!("Loaded {} ({}): its values are now in the full-config fields. ", u.file_name, u.model_name)}
                                "The file itself is not part of the link; the link keeps those field values, so it reopens the same shapes."
                            </p>
                            {(!u.assumptions.is_empty()).then(|| view! {
                                <ul>{u.assumptions.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}</ul>
                            })}
                        </div>
                    })}
                    <div data-view="breakdown">
                    <ModelSummary answer=answer/>
                    <dl class="readouts">
                        <div><dt>"Weights"</dt><dd><span data-testid="mem-weights-gib">{readout(|a| gib2(a.weights_bytes()))}</span>" GiB"</dd></div>
                        <div><dt>"KV cache"</dt><dd><span data-testid="mem-kv-gib">{readout(|a| a.kv_bytes().map(gib2).unwrap_or_else(|| "—".into()))}</span>" GiB"</dd></div>
                        <div><dt>"Activations"</dt><dd><span data-testid="mem-activations-gib">{readout(|a| a.activation_bytes().map(gib2).unwrap_or_else(|| "—".into()))}</span>" GiB"</dd></div>
                        <div class="total"><dt>"Total"</dt><dd><span data-testid="mem-total-gib">{readout(|a| gib2(a.breakdown.total_bytes))}</span>" GiB"</dd></div>
                        <div class="total"><dt>"Total (decimal)"</dt><dd><span data-testid="mem-total-gb">{readout(|a| fixed(a.breakdown.total_gb(), 2))}</span>" GB"</dd></div>
                        <div><dt>"Max context on the target GPU"</dt><dd><span data-testid="max-context">{readout(|a| a.max_context.as_ref().map(|m| m.tokens.to_string()).unwrap_or_else(|_| "—".into()))}</span>" tokens"</dd></div>
                    </dl>
                    <p class="hint" data-testid="max-context-explanation" class:hidden=move || answer.with(|a| a.is_err())>{readout(max_context_sentence)}</p>
                    <figure class:hidden=move || answer.with(|a| a.is_err())>
                        <canvas node_ref=canvas data-testid="memory-canvas" width="960" height="280"
                            role="img" aria-label="The memory items as one stacked bar in GiB, with the target GPU's memory as a dashed line"></canvas>
                        <figcaption>"Each item as a segment of one bar (GiB); the dashed line is the target GPU's usable memory."</figcaption>
                        <FigureExports canvas="memory-canvas" name="memory"/>
                    </figure>
                    <ItemsTable answer=answer/>
                    </div>
                    <div data-view="gpu-fit"><GpuFitTable answer=answer/></div>
                    <section class="share" aria-labelledby="memory-share-title">
                        <h3 id="memory-share-title">"Share and embed"</h3>
                        <p class="hint">"The address of this page holds every setting: copy it to share this state. To put the calculator in your course notes, choose what the embed shows:"</p>
                        <EmbedBuilder lab="memory" title="Memory calculator" views=EMBED_VIEWS
                            default_views=&["course"] controls=EMBED_CONTROLS
                            state_query=Signal::derive(move || state.with(quantlab_core::url_state::to_query))/>
                    </section>
                </div>
            </div>
        </section>
    }
}
