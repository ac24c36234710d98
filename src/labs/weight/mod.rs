//! The Weight lab: what quantization does to a real weight tensor. A synthetic, drawn or
//! uploaded tensor; its histogram with the levels; `r = S·(q − Z)` worked for one weight;
//! scales and errors per channel or group; metrics with the storage of scales included;
//! the packing of the first weights; a sortable comparison of the standard schemes, per
//! tensor and per file for uploads; a per-group scheme with and without a rotation before
//! it.
//!
//! [`state`] holds the URL state and the shared signals, [`pipeline`] the memos from the
//! tensor to the study, [`compare`] the comparison table (in the page's worker), [`canvases`] the drawing, [`controls`] the form, [`views`] the
//! readouts and tables, [`rotation`] the rotation figure ([`rotation_job`] studies a large tensor's in the page's worker), and [`upload`] reads files in
//! slices.

pub mod canvases;
pub mod card;
pub mod compare;
pub mod controls;
pub mod inspector;
pub mod packing;
pub mod pipeline;
pub mod rotation;
pub mod rotation_job;
pub mod state;
pub mod upload;
pub mod views;

use leptos::prelude::*;

use self::canvases::{Canvases, draw_effect};
use self::card::FormatCard;
use self::controls::{QuantizerControls, TensorControls, ViewControls};
use self::inspector::{BlockInspector, Inspector};
use self::packing::PackingTable;
use self::pipeline::WeightPipeline;
use self::rotation::RotationView;
use self::state::WeightState;
use self::upload::Files;
use self::views::{
    CompareTable, FileTables, GranularityView, HistogramView, Notices, Readouts, WorkedView,
};

/// The Weight lab page.
#[component]
pub fn WeightLab() -> impl IntoView {
    let (st, warnings) = WeightState::from_url();
    let pipeline = WeightPipeline::new(st);
    let canvases = Canvases::default();
    provide_context(st);
    provide_context(pipeline);
    provide_context(Inspector::new(st, pipeline));
    provide_context(canvases);
    provide_context(Files::new(st));
    draw_effect(st, pipeline, canvases);
    let i18n = crate::lang::use_i18n();
    view! {
        <section class="lab weight-lab" aria-labelledby="weight-lab-title">
            <h2 id="weight-lab-title">{move || crate::lang::t_string!(i18n, weight.title)}</h2>
            <Notices warnings=warnings/>
            <div class="lab-body">
                <form class="controls" on:submit=|ev| ev.prevent_default()>
                    <TensorControls/>
                    <QuantizerControls/>
                    <ViewControls/>
                </form>
                <div class="views">
                    <Readouts/>
                    <div data-view="card"><FormatCard/></div>
                    <div data-view="histogram"><HistogramView/></div>
                    <div data-view="worked"><WorkedView/></div>
                    <div data-view="heatmap"><GranularityView/></div>
                    <div data-view="inspector"><BlockInspector/></div>
                    <div data-view="packing"><PackingTable/></div>
                    <div data-view="rotation"><RotationView/></div>
                    <div data-view="comparison"><CompareTable/></div>
                    <div data-view="file"><FileTables/></div>
                </div>
            </div>
        </section>
    }
}
