//! The 28×28 drawing pad of the image sets (pointer events: mouse, finger or pen), and the
//! preprocessing that makes a drawing look like the training images.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Side of the pad in pixels of the model's input; how a drawing is framed. The math
/// (inking, MNIST-style framing) is [`quantlab_core::drawn::pad`].
pub use quantlab_core::drawn::pad::{Framing, PAD_SIDE as SIDE};
use quantlab_core::drawn::pad::{frame_digit as frame, stroke};

use crate::lang::{t, t_string, use_i18n};
use crate::widgets::pad_keys::{PadKey, pad_key, step_cursor};

fn paint(canvas: &web_sys::HtmlCanvasElement, img: &[f32], cursor: Option<(usize, usize)>) {
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
    let cell = (w / SIDE as f64, h / SIDE as f64);
    ctx.set_fill_style_str("#000000");
    ctx.fill_rect(0.0, 0.0, w, h);
    for (i, &v) in img.iter().enumerate() {
        if v > 0.0 {
            let g = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            ctx.set_fill_style_str(&format!("rgb({g},{g},{g})"));
            ctx.fill_rect(
                (i % SIDE) as f64 * cell.0,
                (i / SIDE) as f64 * cell.1,
                cell.0 + 0.5,
                cell.1 + 0.5,
            );
        }
    }
    if let Some((row, col)) = cursor {
        ctx.set_stroke_style_str("#e69f00");
        ctx.set_line_width(2.0);
        ctx.stroke_rect(col as f64 * cell.0, row as f64 * cell.1, cell.0, cell.1);
    }
}

/// Pointer position in grid pixels `(row, col)`.
fn position(ev: &web_sys::PointerEvent, canvas: &web_sys::HtmlCanvasElement) -> (f64, f64) {
    let r = canvas.get_bounding_client_rect();
    let x = (f64::from(ev.client_x()) - r.left()) / r.width().max(1.0) * SIDE as f64;
    let y = (f64::from(ev.client_y()) - r.top()) / r.height().max(1.0) * SIDE as f64;
    (y, x)
}

/// The pad and a preview of what the model sees. `on_change` receives the framed image
/// (`SIDE·SIDE` values in `[0, 1]`) after every stroke and on clear.
#[component]
pub fn DigitPad(
    /// How drawings are framed.
    framing: Framing,
    /// Receives the framed drawing.
    on_change: Callback<Vec<f32>>,
) -> impl IntoView {
    let img = RwSignal::new(vec![0.0f32; SIDE * SIDE]);
    let last = StoredValue::new(None::<(f64, f64)>);
    let canvas = NodeRef::<Canvas>::new();
    let preview = NodeRef::<Canvas>::new();
    // The keyboard: a cursor cell, the arrows move it, Space or Enter lifts or lowers the pen
    // (a lowered pen inks every cell the cursor passes, as a pointer stroke does).
    let cursor = RwSignal::new(None::<(usize, usize)>);
    let at = StoredValue::new((SIDE / 2, SIDE / 2));
    let pen = RwSignal::new(false);
    Effect::new(move |_| {
        let k = cursor.get();
        img.with(|im| {
            if let Some(c) = canvas.get() {
                paint(&c, im, k);
            }
            if let Some(c) = preview.get() {
                paint(&c, &frame(im, framing), None);
            }
        });
    });
    let commit = move || on_change.run(img.with_untracked(|im| frame(im, framing)));
    let centre = |(r, c): (usize, usize)| (r as f64 + 0.5, c as f64 + 0.5);
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(action) = pad_key(&ev.key(), ev.shift_key(), true) else {
            return;
        };
        ev.prevent_default();
        let (r, c) = at.get_value();
        let next = match action {
            PadKey::Move(dx, dy) => (step_cursor(r, dy, SIDE), step_cursor(c, dx, SIDE)),
            PadKey::End(last) => (r, if last { SIDE - 1 } else { 0 }),
            PadKey::Change(_) => (r, c),
            PadKey::Paint => {
                pen.update(|p| *p = !*p);
                (r, c)
            }
        };
        at.set_value(next);
        let inks = pen.get_untracked() && (action == PadKey::Paint || next != (r, c));
        if inks {
            img.update(|im| stroke(im, centre((r, c)), centre(next)));
            commit();
        }
        cursor.set(Some(next));
    };
    let i18n = use_i18n();
    let status = move || match cursor.get() {
        Some((r, c)) if pen.get() => super::words::fill(
            t_string!(i18n, mlp.pad_status_down),
            &[("r", &(r + 1)), ("c", &(c + 1)), ("side", &SIDE)],
        ),
        Some((r, c)) => super::words::fill(
            t_string!(i18n, mlp.pad_status_up),
            &[("r", &(r + 1)), ("c", &(c + 1)), ("side", &SIDE)],
        ),
        None => t_string!(i18n, mlp.pad_keyboard).to_string(),
    };
    let on_down = move |ev: web_sys::PointerEvent| {
        let Some(c) = canvas.get() else { return };
        ev.prevent_default();
        let _ = c.set_pointer_capture(ev.pointer_id());
        let p = position(&ev, &c);
        img.update(|im| stroke(im, p, p));
        last.set_value(Some(p));
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        let Some(prev) = last.get_value() else { return };
        let Some(c) = canvas.get() else { return };
        let p = position(&ev, &c);
        img.update(|im| stroke(im, prev, p));
        last.set_value(Some(p));
    };
    let on_up = move |_ev: web_sys::PointerEvent| {
        if last.get_value().is_some() {
            last.set_value(None);
            commit();
        }
    };
    let clear = move |_| {
        pen.set(false);
        img.set(vec![0.0; SIDE * SIDE]);
        commit();
    };
    view! {
        <div class="digit-pad">
            <div>
            <canvas node_ref=canvas data-testid="digit-pad" width="280" height="280" tabindex="0"
                style="touch-action: none; width: 280px; max-width: 100%; height: auto; cursor: crosshair"
                role="application" aria-roledescription=move || t_string!(i18n, mlp.pad_roledesc)
                aria-label=move || t_string!(i18n, mlp.pad_aria)
                on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up
                on:keydown=on_key on:focus=move |_| cursor.set(Some(at.get_value()))
                on:blur=move |_| cursor.set(None)></canvas>
            <p class="hint pad-status" aria-live="polite" data-testid="digit-pad-status">{status}</p>
            </div>
            <div>
                <canvas node_ref=preview data-testid="digit-preview" width="84" height="84"
                    style="width: 84px; height: 84px" role="img"
                    aria-label=move || t_string!(i18n, mlp.pad_preview_aria)></canvas>
                <p class="hint">{t!(i18n, mlp.pad_sees)}</p>
                <button type="button" data-testid="digit-clear" on:click=clear>{t!(i18n, mlp.pad_clear)}</button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_off_centre_stroke_is_scaled_and_centred_like_mnist() {
        let mut img = vec![0.0f32; SIDE * SIDE];
        stroke(&mut img, (2.0, 3.0), (8.0, 3.0));
        let out = frame(&img, Framing::Digit);
        let total: f32 = out.iter().sum();
        assert!(total > 10.0);
        let my: f32 = out
            .iter()
            .enumerate()
            .map(|(i, v)| v * (i / SIDE) as f32)
            .sum::<f32>()
            / total;
        let mx: f32 = out
            .iter()
            .enumerate()
            .map(|(i, v)| v * (i % SIDE) as f32)
            .sum::<f32>()
            / total;
        assert!(
            (my - 13.5).abs() < 1.0 && (mx - 13.5).abs() < 1.0,
            "{my} {mx}"
        );
        // The stroke now spans about 20 rows.
        let rows = (0..SIDE)
            .filter(|r| (0..SIDE).any(|c| out[r * SIDE + c] > 0.3))
            .count();
        assert!((17..=23).contains(&rows), "{rows}");
        assert!(out.iter().all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    fn a_blank_drawing_stays_blank() {
        assert!(
            frame(&[0.0; SIDE * SIDE], Framing::Fill)
                .iter()
                .all(|&v| v == 0.0)
        );
        assert_eq!(frame(&[1.0; 3], Framing::Digit).len(), SIDE * SIDE);
    }
}
