//! The labs' own views hosted in a lesson section: a state of their own (never the URL),
//! the lab's pipeline and canvases as contexts for the views, and a control or two.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::labs::signal::pipeline::Pipeline;
use crate::labs::signal::state::{SignalLabState, SignalState};
use crate::labs::weight::pipeline::WeightPipeline;
use crate::labs::weight::state::{WeightLabState, WeightState};

/// Hosts the Signal lab's views `only` at `initial`, for the views of this section.
pub fn host_signal(
    initial: SignalLabState,
    only: &'static [&'static str],
) -> (SignalState, Pipeline) {
    let st = SignalState::local(initial, only);
    let pipeline = Pipeline::new(st);
    let canvases = crate::labs::signal::canvases::Canvases::new();
    provide_context(st);
    provide_context(pipeline);
    provide_context(canvases);
    crate::labs::signal::canvases::draw_effect(st, pipeline, canvases);
    (st, pipeline)
}

/// Hosts the Weight lab's views at `initial`, for the views of this section.
pub fn host_weight(initial: WeightLabState) -> (WeightState, WeightPipeline) {
    let st = WeightState::local(initial);
    let pipeline = WeightPipeline::new(st);
    let canvases = crate::labs::weight::canvases::Canvases::default();
    provide_context(st);
    provide_context(pipeline);
    provide_context(canvases);
    provide_context(crate::labs::weight::upload::Files::new(st));
    crate::labs::weight::canvases::draw_effect(st, pipeline, canvases);
    (st, pipeline)
}

/// The link to the Signal lab at this figure's state.
pub fn signal_href(st: SignalState) -> impl Fn() -> String + Send + Sync + 'static {
    move || {
        let q = st.state.with(quantlab_core::url_state::to_query);
        super::section::lab_href(crate::labs::Lab::Signal, &q)
    }
}

/// The link to the Weight lab at this figure's state.
pub fn weight_href(st: WeightState) -> impl Fn() -> String + Send + Sync + 'static {
    move || {
        let q = st.state.with(quantlab_core::url_state::to_query);
        super::section::lab_href(crate::labs::Lab::Weight, &q)
    }
}

/// A bit-width slider over `range` for the hosted Signal lab's scheme.
#[component]
pub fn BitsSlider(
    /// The section's short id (`s2`): the test id is `<id>-bits`.
    id: &'static str,
    /// Smallest and largest width.
    range: (u32, u32),
    /// The hosted lab's state.
    st: SignalState,
) -> impl IntoView {
    let i18n = crate::lang::use_i18n();
    let value = move || st.state.with(|s| s.scheme.bits);
    view! {
        <label class="lesson-control">{move || td_string!(i18n.get_locale(), lesson.bits_control)}" "
            <input type="range" min=range.0 max=range.1 step="1" data-testid=format!("{id}-bits")
                prop:value=move || value().to_string()
                on:input=move |ev| {
                    if let Ok(b) = event_target_value(&ev).parse::<u32>() {
                        st.set(|s| s.scheme.bits = b.clamp(range.0, range.1));
                    }
                }/>
            " "<output data-testid=format!("{id}-bits-value") data-value=move || value().to_string()>{value}</output>
        </label>
    }
}
