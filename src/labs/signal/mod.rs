//! The Signal lab: generate a signal, quantize it, and see `x[n]`, `Q(x[n])`, e(n) and the
//! figures, live.
//!
//! [`state`] holds the URL state and the shared signals, [`pipeline`] the memos from the
//! source to the metrics, [`canvases`] the drawing, [`controls`] the form and [`views`] the
//! readouts, formulas and figures; [`figures`] computes the analysis views' data.

pub mod audio;
pub mod canvases;
pub mod controls;
pub mod draw;
pub mod figures;
pub mod formulas;
pub mod pipeline;
pub mod state;
pub mod views;

use leptos::prelude::*;

use crate::lang::{t, use_i18n};

pub use self::formulas::scale_formula;
pub use self::pipeline::{
    SignalError, SignalResult, compute, compute_with, input_signal, quantize_signal,
};
pub use self::state::{
    DEFAULT_UPLOAD_WINDOW, MAX_UPLOAD_BYTES, SignalLabState, SourceKind, Upload, UploadError,
    read_upload, upload_window, visible_window,
};

use self::canvases::{Canvases, draw_effect};
use self::controls::{
    ListenControls, QuantizerControls, ShareControls, SourceControls, TimeAxisControls,
};
use self::pipeline::Pipeline;
use self::state::SignalState;
use self::views::{AnalysisFigures, DrawnSignal, Readouts, SignalFigures};

/// The Signal lab page.
#[component]
pub fn SignalLab() -> impl IntoView {
    let (st, warnings) = SignalState::from_url();
    let pipeline = Pipeline::new(st);
    let canvases = Canvases::new();
    provide_context(st);
    provide_context(pipeline);
    provide_context(canvases);
    draw_effect(st, pipeline, canvases);
    let embed = crate::widgets::embed::params().embed;
    let i18n = use_i18n();
    view! {
        <section class="lab signal-lab" class:embed=embed aria-labelledby="signal-lab-title">
            <h2 id="signal-lab-title">{t!(i18n, app.lab_signal)}</h2>
            {(!warnings.is_empty()).then(|| {
                let list = warnings.join("; ");
                view! {
                    <p class="notice" role="status" data-testid="link-notice">{move || crate::tdf!(i18n.get_locale(), signal.link_ignored, list = list)}</p>
                }
            })}
            <div class="lab-body">
                <form class="controls" on:submit=|ev| ev.prevent_default()>
                    <SourceControls/>
                    <QuantizerControls/>
                    <ListenControls/>
                    <TimeAxisControls/>
                    <ShareControls/>
                </form>
                <div class="views">
                    <DrawnSignal/>
                    <Readouts/>
                    <SignalFigures/>
                    <AnalysisFigures/>
                </div>
            </div>
        </section>
    }
}
