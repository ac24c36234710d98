//! The Weight lab's canvases: the histogram with its levels, the scales, the error heat
//! map ([`draw_effect`]), and the drawn-histogram editor ([`DrawnBars`]).

use leptos::html::Canvas;
use leptos::prelude::*;
use quantlab_core::weights::synth::{DRAWN_BARS, decode_bars, encode_bars};

use super::pipeline::WeightPipeline;
use super::state::WeightState;
use crate::charts::weight as wc;
use crate::lang::fill::{fill, td_string};
use crate::lang::numbers::localize;
use crate::lang::{t_string, use_i18n};
use crate::widgets::pad_keys::key_1d;
use crate::widgets::perf::{mark as perf_mark, measure as perf_measure};

/// One keyboard step of a bar's height (heights run from 0 to 1).
const KEY_STEP: f32 = 0.05;

/// The canvases of the views (a context, [`Canvases::use_`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Canvases {
    /// The weight histogram with the levels.
    pub hist: NodeRef<Canvas>,
    /// The distribution of the scales.
    pub scales: NodeRef<Canvas>,
    /// The error heat map.
    pub heat: NodeRef<Canvas>,
}

impl Canvases {
    /// The canvases provided by the page.
    pub fn use_() -> Canvases {
        expect_context()
    }
}

/// One effect draws the three views and closes the `wl-update` measure.
pub fn draw_effect(st: WeightState, p: WeightPipeline, c: Canvases) {
    let i18n = use_i18n();
    Effect::new(move |_| {
        let l = i18n.get_locale();
        let log = st.state.with(|s| s.log);
        let r = p.result.get();
        let h = p.hist.get();
        perf_mark("wl-draw-start");
        if let (Some(c), Ok(h)) = (c.hist.get(), h) {
            let levels = r.as_ref().map(|r| r.levels.clone()).unwrap_or_default();
            crate::draw_figure!(c, |root| wc::draw_weight_histogram(
                root,
                &h,
                &levels,
                log,
                wc::Axes::histogram(log, l)
            ));
        }
        if let Ok(r) = &r {
            if let Some(c) = c.scales.get() {
                let sel = r.scales.get(r.group).copied();
                let scales = r.scales.clone();
                crate::draw_figure!(c, |root| wc::draw_scales(
                    root,
                    &scales,
                    sel,
                    wc::Axes::scales(l)
                ));
            }
            if let Some(c) = c.heat.get() {
                let heat = r.heat.clone();
                crate::draw_figure!(c, |root| wc::draw_heat(root, &heat, wc::Axes::heat(l)));
            }
        }
        perf_measure("wl-draw", "wl-draw-start");
        perf_measure("wl-update", "wl-update-start");
    });
}

/// The drawn-histogram editor: press and drag over the bars to set their heights; the
/// heights go to the URL when the pointer is released.
#[component]
pub fn DrawnBars() -> impl IntoView {
    let st = WeightState::use_();
    let state = st.state;
    let heights = RwSignal::new(state.with_untracked(|s| decode_bars(&s.bars).unwrap_or_default()));
    let bars_canvas = NodeRef::<Canvas>::new();
    let drawing = StoredValue::new(false);
    Effect::new(move |_| {
        let h = heights.get();
        let range = state.with(|s| s.hist_range);
        if let Some(c) = bars_canvas.get() {
            crate::draw_figure!(c, |root| wc::draw_bars(root, &h, range));
        }
    });
    let paint = move |ev: &web_sys::PointerEvent| {
        let Some(c) = bars_canvas.get() else { return };
        let r = c.get_bounding_client_rect();
        let x = (f64::from(ev.client_x()) - r.left()) / r.width().max(1.0);
        let y = 1.0 - (f64::from(ev.client_y()) - r.top()) / r.height().max(1.0);
        let i =
            ((x * DRAWN_BARS as f64).floor() as isize).clamp(0, DRAWN_BARS as isize - 1) as usize;
        heights.update(|h| {
            if h.len() != DRAWN_BARS {
                *h = vec![0.0; DRAWN_BARS];
            }
            h[i] = y.clamp(0.0, 1.0) as f32;
        });
    };
    // The keyboard: a cursor over the bars, up/down change the bar under it.
    let cursor = RwSignal::new(None::<usize>);
    let at = StoredValue::new(DRAWN_BARS / 2);
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some((i, change)) = key_1d(&ev.key(), ev.shift_key(), at.get_value(), DRAWN_BARS)
        else {
            return;
        };
        ev.prevent_default();
        at.set_value(i);
        if let Some(steps) = change {
            heights.update(|h| {
                if h.len() != DRAWN_BARS {
                    *h = vec![0.0; DRAWN_BARS];
                }
                h[i] = (h[i] + steps as f32 * KEY_STEP).clamp(0.0, 1.0);
            });
            let text = encode_bars(&heights.get_untracked());
            st.set(|s| s.bars = text.clone());
        }
        cursor.set(Some(i));
    };
    let i18n = use_i18n();
    let status = move || {
        let l = i18n.get_locale();
        match cursor.get() {
            Some(i) => {
                let v = heights.with(|h| h.get(i).copied().unwrap_or(0.0));
                fill(
                    td_string!(l, weight.pad_bar),
                    &[
                        ("i", &(i + 1).to_string()),
                        ("n", &DRAWN_BARS.to_string()),
                        ("v", &localize(&format!("{v:.2}"), l)),
                    ],
                )
            }
            None => td_string!(l, weight.pad_keyboard).to_string(),
        }
    };
    view! {
        <div class="draw-pad">
        <canvas node_ref=bars_canvas data-testid="wl-drawn-canvas" width="480" height="140" tabindex="0"
            role="application" aria-roledescription=move || t_string!(i18n, weight.pad_roledesc)
            aria-label=move || t_string!(i18n, weight.pad_aria)
            on:keydown=on_key on:focus=move |_| cursor.set(Some(at.get_value()))
            on:blur=move |_| cursor.set(None)
            on:pointerdown=move |ev: web_sys::PointerEvent| {
                if let Some(c) = bars_canvas.get() { let _ = c.set_pointer_capture(ev.pointer_id()); }
                drawing.set_value(true);
                paint(&ev);
            }
            on:pointermove=move |ev: web_sys::PointerEvent| { if drawing.get_value() { paint(&ev) } }
            on:pointerup=move |_| {
                if drawing.get_value() {
                    drawing.set_value(false);
                    let text = encode_bars(&heights.get_untracked());
                    st.set(|s| s.bars = text.clone());
                }
            }></canvas>
        <p class="hint pad-status" aria-live="polite" data-testid="wl-drawn-status">{status}</p>
        </div>
    }
}
