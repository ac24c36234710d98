//! The Weight lab's rotation figure: what a randomized Hadamard rotation before the
//! per-group scheme does, from the core's [`RotationStudy`](quantlab_core::weights::rotation::RotationStudy):
//! the error with and without it side by side, the histogram and the channel absmax before
//! and after (drawn by [`draw_rotation_effect`] with the charts of
//! [`crate::charts::rotation`]), and the outlier showcase.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::pipeline::WeightPipeline;
use super::state::WeightState;
use crate::charts::rotation::{RotationWords, draw_channel_absmax, draw_rotation_histogram};
use crate::format::{fixed, num};
use crate::lang::fill::{fill, td_string};
use crate::lang::numbers::{localize, number_span};
use crate::lang::{t_string, use_i18n};
use crate::widgets::svg::FigureExports;

/// The rotation figure's canvases.
#[derive(Debug, Clone, Copy, Default)]
pub struct RotationCanvases {
    /// The histogram before and after.
    pub hist: NodeRef<Canvas>,
    /// The channel absmax before and after.
    pub channels: NodeRef<Canvas>,
}

/// Draws the rotation figure's two charts whenever its study, the log scale or the language
/// changes.
pub fn draw_rotation_effect(st: WeightState, p: WeightPipeline, c: RotationCanvases) {
    let i18n = use_i18n();
    Effect::new(move |_| {
        let l = i18n.get_locale();
        let log = st.state.with(|s| s.log);
        let Ok(r) = p.rotation.get() else { return };
        if let Some(canvas) = c.hist.get() {
            let h = r.clone();
            crate::draw_figure!(canvas, |root| draw_rotation_histogram(
                root,
                &h.spread.before,
                &h.spread.after,
                log,
                RotationWords::histogram(log, l)
            ));
        }
        if let Some(canvas) = c.channels.get() {
            crate::draw_figure!(canvas, |root| draw_channel_absmax(
                root,
                &r.spread.absmax_before,
                &r.spread.absmax_after,
                r.spread.channel_step,
                RotationWords::channels(l)
            ));
        }
    });
}

/// The rotation figure (`data-view="rotation"`).
#[component]
pub fn RotationView() -> impl IntoView {
    let st = WeightState::use_();
    let p = WeightPipeline::use_();
    let rotation = p.rotation;
    let canvases = RotationCanvases::default();
    draw_rotation_effect(st, p, canvases);
    let i18n = use_i18n();
    // A figure of the study as a live readout, `—` while there is none.
    let cell =
        move |testid: &'static str,
              f: fn(&quantlab_core::weights::rotation::RotationStudy) -> String| {
            number_span(testid, move || {
                rotation.with(|r| r.as_ref().map(|r| f(r)).unwrap_or_else(|_| "—".into()))
            })
        };
    let showcase = move |_| st.set(|s| *s = s.outlier_showcase());
    view! {
        <h3>{move || t_string!(i18n, weight.rot_title)}</h3>
        <p class="hint">{move || t_string!(i18n, weight.rot_intro)}
            " "<button type="button" data-testid="wl-rot-showcase" on:click=showcase>{move || t_string!(i18n, weight.rot_showcase)}</button></p>
        {move || rotation.with(|r| r.as_ref().err().map(|e| view! {
            <p class="notice" role="status" data-testid="wl-rot-unavailable">{e.message(i18n.get_locale())}</p>
        }))}
        <div class:hidden=move || rotation.with(|r| r.is_err())>
            <p data-testid="wl-rot-summary">{move || { let l = i18n.get_locale(); rotation.with(|r| r.as_ref().map(|r| fill(
                td_string!(l, weight.rot_summary),
                &[
                    ("g", &r.spread.group.to_string()),
                    ("seed", &r.spread.seed.to_string()),
                    ("ratio", &localize(&fixed(r.mse_ratio(), 2), l)),
                    ("gain", &localize(&fixed(r.snr_gain_db(), 2), l)),
                ],
            )).unwrap_or_default()) }}</p>
            <table class="mem-table rotation-table" data-testid="wl-rot-table">
                <thead><tr>
                    <th scope="col"><span class="visually-hidden">{move || t_string!(i18n, weight.rot_measure)}</span></th>
                    <th scope="col">{move || t_string!(i18n, weight.rot_without)}</th>
                    <th scope="col">{move || t_string!(i18n, weight.rot_with)}</th>
                </tr></thead>
                <tbody>
                    <tr><th scope="row">"MSE"</th>
                        <td>{cell("wl-rot-mse-plain", |r| num(r.errors.plain.mse))}</td>
                        <td>{cell("wl-rot-mse-rotated", |r| num(r.errors.rotated.mse))}</td></tr>
                    <tr><th scope="row">"SNR (dB)"</th>
                        <td>{cell("wl-rot-snr-plain", |r| fixed(r.errors.plain.snr_db, 2))}</td>
                        <td>{cell("wl-rot-snr-rotated", |r| fixed(r.errors.rotated.snr_db, 2))}</td></tr>
                    <tr><th scope="row">"max |e|"</th>
                        <td>{cell("wl-rot-max-plain", |r| num(r.errors.plain.max_error))}</td>
                        <td>{cell("wl-rot-max-rotated", |r| num(r.errors.rotated.max_error))}</td></tr>
                    <tr><th scope="row">{move || t_string!(i18n, weight.r_bits)}</th>
                        <td>{cell("wl-rot-bits-plain", |r| num(r.errors.bits_plain))}</td>
                        <td>{cell("wl-rot-bits-rotated", |r| num(r.errors.bits_rotated))}</td></tr>
                    <tr><th scope="row">{move || t_string!(i18n, weight.rot_peak)}</th>
                        <td>{cell("wl-rot-peak-before", |r| fixed(r.peak_before, 2))}</td>
                        <td>{cell("wl-rot-peak-after", |r| fixed(r.peak_after, 2))}</td></tr>
                    <tr><th scope="row">{move || t_string!(i18n, weight.rot_kurtosis)}</th>
                        <td>{cell("wl-rot-kurtosis-before", |r| fixed(r.spread.kurtosis_before, 2))}</td>
                        <td>{cell("wl-rot-kurtosis-after", |r| fixed(r.spread.kurtosis_after, 2))}</td></tr>
                </tbody>
            </table>
            <p class="hint" data-testid="wl-rot-storage">{move || t_string!(i18n, weight.rot_storage)}</p>
            <figure>
                <canvas node_ref=canvases.hist data-testid="wl-rot-hist-canvas" width="960" height="280"
                    role="img" aria-label=move || t_string!(i18n, weight.rot_hist_aria)></canvas>
                <figcaption>{move || t_string!(i18n, weight.rot_hist_caption)}</figcaption>
                <FigureExports canvas="wl-rot-hist-canvas" name="wl-rotation-histogram"/>
            </figure>
            <figure>
                <canvas node_ref=canvases.channels data-testid="wl-rot-channels-canvas" width="960" height="240"
                    role="img" aria-label=move || t_string!(i18n, weight.rot_channels_aria)></canvas>
                <figcaption data-testid="wl-rot-channels-caption">{move || { let l = i18n.get_locale(); rotation.with(|r| r.as_ref().map(|r| fill(
                    td_string!(l, weight.rot_channels_caption),
                    &[("n", &r.spread.absmax_before.len().to_string()), ("step", &r.spread.channel_step.to_string())],
                )).unwrap_or_default()) }}</figcaption>
                <FigureExports canvas="wl-rot-channels-canvas" name="wl-rotation-channels"/>
            </figure>
        </div>
    }
}
