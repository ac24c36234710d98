//! The drawing pad: draw a signal freehand with a mouse, finger or pen (pointer events), or
//! with the keyboard (arrows move along the points, up/down change the value under the cursor).

use leptos::html::Canvas;
use leptos::prelude::*;
use quantlab_core::drawn::{DRAWN_POINTS, stroke};
use wasm_bindgen::JsCast;

use crate::lang::numbers::localize;
use crate::lang::{t, t_string, use_i18n};
use crate::widgets::pad_keys::key_1d;

/// One keyboard step of the value, in the pad's units ([−1, 1]).
const KEY_STEP: f32 = 0.05;

/// Pointer position as `(x in [0, 1], y in [−1, 1])` on the canvas.
fn position(ev: &web_sys::PointerEvent, canvas: &web_sys::HtmlCanvasElement) -> (f64, f64) {
    let r = canvas.get_bounding_client_rect();
    let x = (f64::from(ev.client_x()) - r.left()) / r.width().max(1.0);
    let y = 1.0 - 2.0 * (f64::from(ev.client_y()) - r.top()) / r.height().max(1.0);
    (x, y)
}

fn paint(canvas: &web_sys::HtmlCanvasElement, points: &[f32], cursor: Option<usize>) {
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, w, h);
    ctx.set_stroke_style_str("#cccccc");
    ctx.set_line_width(1.0);
    ctx.begin_path();
    ctx.move_to(0.0, h / 2.0);
    ctx.line_to(w, h / 2.0);
    ctx.stroke();
    ctx.set_stroke_style_str("#0072b2");
    ctx.set_line_width(3.0);
    ctx.begin_path();
    let last = (points.len().max(2) - 1) as f64;
    for (i, &v) in points.iter().enumerate() {
        let x = i as f64 / last * w;
        let y = (1.0 - f64::from(v)) / 2.0 * h;
        if i == 0 {
            ctx.move_to(x, y);
        } else {
            ctx.line_to(x, y);
        }
    }
    ctx.stroke();
    if let Some(i) = cursor.filter(|&i| i < points.len()) {
        let x = i as f64 / last * w;
        let y = (1.0 - f64::from(points[i])) / 2.0 * h;
        ctx.set_stroke_style_str("#d55e00");
        ctx.set_line_width(2.0);
        ctx.begin_path();
        ctx.move_to(x, 0.0);
        ctx.line_to(x, h);
        ctx.stroke();
        ctx.set_fill_style_str("#d55e00");
        ctx.fill_rect(x - 6.0, y - 6.0, 12.0, 12.0);
    }
}

/// The pad. `initial` are the control points to start from; `on_commit` receives the
/// points after each stroke, undo or clear.
#[component]
pub fn DrawPad(
    /// Control points to start from (a blank pad when the count is not `DRAWN_POINTS`).
    initial: Vec<f32>,
    /// Receives the points after each stroke, undo or clear.
    on_commit: Callback<Vec<f32>>,
) -> impl IntoView {
    let start = if initial.len() == DRAWN_POINTS {
        initial
    } else {
        vec![0.0; DRAWN_POINTS]
    };
    let points = RwSignal::new(start);
    let history = RwSignal::new(Vec::<Vec<f32>>::new());
    let last = StoredValue::new(None::<(f64, f64)>);
    let canvas = NodeRef::<Canvas>::new();
    // The keyboard cursor: shown while the pad has the focus.
    let cursor = RwSignal::new(None::<usize>);
    let at = StoredValue::new(DRAWN_POINTS / 2);

    Effect::new(move |_| {
        let p = points.get();
        let k = cursor.get();
        if let Some(c) = canvas.get() {
            paint(&c, &p, k);
        }
    });

    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some((i, change)) = key_1d(&ev.key(), ev.shift_key(), at.get_value(), DRAWN_POINTS)
        else {
            return;
        };
        ev.prevent_default();
        at.set_value(i);
        if let Some(steps) = change {
            history.update(|h| {
                h.push(points.get_untracked());
                if h.len() > 50 {
                    h.remove(0);
                }
            });
            points.update(|pts| {
                if let Some(v) = pts.get_mut(i) {
                    *v = (*v + steps as f32 * KEY_STEP).clamp(-1.0, 1.0);
                }
            });
            on_commit.run(points.get_untracked());
        }
        cursor.set(Some(i));
    };
    let i18n = use_i18n();
    // Always one line of text, so that nothing moves when the pad gains or loses the focus.
    let status = move || match cursor.get() {
        Some(i) => {
            let v = points.with(|p| p.get(i).copied().unwrap_or(0.0));
            let value = localize(&format!("{v:.2}"), i18n.get_locale());
            crate::tdf!(
                i18n.get_locale(),
                signal.pad_point,
                i = i + 1,
                n = DRAWN_POINTS,
                value = value
            )
        }
        None => t_string!(i18n, signal.pad_keyboard).to_string(),
    };

    let on_down = move |ev: web_sys::PointerEvent| {
        let Some(c) = canvas.get() else { return };
        ev.prevent_default();
        let _ = c.set_pointer_capture(ev.pointer_id());
        history.update(|h| {
            h.push(points.get_untracked());
            if h.len() > 50 {
                h.remove(0);
            }
        });
        let p = position(&ev, &c);
        points.update(|pts| stroke(pts, p, p));
        last.set_value(Some(p));
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        let Some(prev) = last.get_value() else { return };
        let Some(c) = canvas.get() else { return };
        let p = position(&ev, &c);
        points.update(|pts| stroke(pts, prev, p));
        last.set_value(Some(p));
    };
    let on_up = move |_ev: web_sys::PointerEvent| {
        if last.get_value().is_some() {
            last.set_value(None);
            on_commit.run(points.get_untracked());
        }
    };
    let undo = move |_| {
        if let Some(prev) = history.try_update(|h| h.pop()).flatten() {
            points.set(prev.clone());
            on_commit.run(prev);
        }
    };
    let clear = move |_| {
        history.update(|h| h.push(points.get_untracked()));
        let zero = vec![0.0; DRAWN_POINTS];
        points.set(zero.clone());
        on_commit.run(zero);
    };

    view! {
        <div class="draw-pad">
            <canvas node_ref=canvas data-testid="draw-pad" width="960" height="200" tabindex="0"
                role="application" aria-roledescription=move || t_string!(i18n, signal.pad_role)
                aria-label=move || t_string!(i18n, signal.pad_aria)
                on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up
                on:keydown=on_key on:focus=move |_| cursor.set(Some(at.get_value()))
                on:blur=move |_| cursor.set(None)></canvas>
            <p class="hint pad-status" aria-live="polite" data-testid="draw-pad-status">{status}</p>
            <div class="buttons">
                <button type="button" data-testid="draw-undo" on:click=undo
                    disabled=move || history.with(|h| h.is_empty())>{t!(i18n, signal.undo)}</button>
                <button type="button" data-testid="draw-clear" on:click=clear>{t!(i18n, signal.clear)}</button>
                <span class="hint">{t!(i18n, signal.pad_hint)}</span>
            </div>
        </div>
    }
}
