//! The 28×28 drawing pad of the image sets (pointer events: mouse, finger or pen), and the
//! preprocessing that makes a drawing look like the training images.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Side of the pad in pixels of the model's input.
pub const SIDE: usize = 28;

/// How a drawing is framed before classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// MNIST's: the strokes scaled to fit a 20×20 box, then moved so their centre of mass
    /// sits at the centre of the 28×28 image.
    Digit,
    /// Fashion-MNIST's: the object scaled to fill the 28×28 frame, centred.
    Fill,
}

/// The value of a bilinear sample of `img` (`SIDE`×`SIDE`) at `(y, x)`; 0 outside.
fn bilinear(img: &[f32], y: f64, x: f64) -> f32 {
    let at = |r: i64, c: i64| -> f64 {
        if (0..SIDE as i64).contains(&r) && (0..SIDE as i64).contains(&c) {
            f64::from(img[r as usize * SIDE + c as usize])
        } else {
            0.0
        }
    };
    let (y0, x0) = (y.floor(), x.floor());
    let (fy, fx) = (y - y0, x - x0);
    let (r, c) = (y0 as i64, x0 as i64);
    let v = at(r, c) * (1.0 - fy) * (1.0 - fx)
        + at(r, c + 1) * (1.0 - fy) * fx
        + at(r + 1, c) * fy * (1.0 - fx)
        + at(r + 1, c + 1) * fy * fx;
    v as f32
}

/// Frames a drawing (`SIDE·SIDE` intensities in `[0, 1]`, 1 = ink) like the training images
/// ([`Framing`]); a blank drawing stays blank.
pub fn frame(img: &[f32], framing: Framing) -> Vec<f32> {
    let n = SIDE * SIDE;
    if img.len() != n {
        return vec![0.0; n];
    }
    let ink: Vec<(usize, usize)> = (0..n)
        .filter(|&i| img[i] > 0.05)
        .map(|i| (i / SIDE, i % SIDE))
        .collect();
    if ink.is_empty() {
        return vec![0.0; n];
    }
    let (r0, r1) = ink
        .iter()
        .fold((SIDE, 0), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (c0, c1) = ink
        .iter()
        .fold((SIDE, 0), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (h, w) = ((r1 - r0 + 1) as f64, (c1 - c0 + 1) as f64);
    let target = match framing {
        Framing::Digit => 20.0,
        Framing::Fill => 26.0,
    };
    let s = target / h.max(w);
    let (oy, ox) = ((SIDE as f64 - h * s) / 2.0, (SIDE as f64 - w * s) / 2.0);
    let mut out = vec![0.0f32; n];
    for (i, v) in out.iter_mut().enumerate() {
        let (y, x) = ((i / SIDE) as f64 + 0.5, (i % SIDE) as f64 + 0.5);
        let sy = (y - oy) / s + r0 as f64 - 0.5;
        let sx = (x - ox) / s + c0 as f64 - 0.5;
        *v = bilinear(img, sy, sx).clamp(0.0, 1.0);
    }
    if framing == Framing::Digit {
        let total: f64 = out.iter().map(|&v| f64::from(v)).sum();
        if total > 0.0 {
            let (my, mx) = out.iter().enumerate().fold((0.0, 0.0), |(a, b), (i, &v)| {
                (
                    a + f64::from(v) * (i / SIDE) as f64,
                    b + f64::from(v) * (i % SIDE) as f64,
                )
            });
            let centre = (SIDE as f64 - 1.0) / 2.0;
            let dy = (centre - my / total).round() as i64;
            let dx = (centre - mx / total).round() as i64;
            let mut moved = vec![0.0f32; n];
            for (i, v) in moved.iter_mut().enumerate() {
                let (r, c) = ((i / SIDE) as i64 - dy, (i % SIDE) as i64 - dx);
                if (0..SIDE as i64).contains(&r) && (0..SIDE as i64).contains(&c) {
                    *v = out[r as usize * SIDE + c as usize];
                }
            }
            out = moved;
        }
    }
    out
}

/// Inks a stroke from `a` to `b` (pad coordinates in pixels of the 28×28 grid).
pub fn stroke(img: &mut [f32], a: (f64, f64), b: (f64, f64)) {
    let steps = ((b.0 - a.0).hypot(b.1 - a.1) / 0.25).ceil().max(1.0) as usize;
    for k in 0..=steps {
        let t = k as f64 / steps as f64;
        let (y, x) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        for r in (y - 2.0).floor() as i64..=(y + 2.0).ceil() as i64 {
            for c in (x - 2.0).floor() as i64..=(x + 2.0).ceil() as i64 {
                if !(0..SIDE as i64).contains(&r) || !(0..SIDE as i64).contains(&c) {
                    continue;
                }
                let d = (r as f64 + 0.5 - y).hypot(c as f64 + 0.5 - x);
                let v = (1.9 - d).clamp(0.0, 1.0) as f32;
                let p = &mut img[r as usize * SIDE + c as usize];
                *p = p.max(v);
            }
        }
    }
}

fn paint(canvas: &web_sys::HtmlCanvasElement, img: &[f32]) {
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
    Effect::new(move |_| {
        img.with(|im| {
            if let Some(c) = canvas.get() {
                paint(&c, im);
            }
            if let Some(c) = preview.get() {
                paint(&c, &frame(im, framing));
            }
        });
    });
    let commit = move || on_change.run(img.with_untracked(|im| frame(im, framing)));
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
        img.set(vec![0.0; SIDE * SIDE]);
        commit();
    };
    view! {
        <div class="digit-pad">
            <canvas node_ref=canvas data-testid="digit-pad" width="280" height="280"
                style="touch-action: none; width: 280px; height: 280px; cursor: crosshair"
                role="img" aria-label="Drawing pad, 28 by 28 pixels: press and drag to draw"
                on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up></canvas>
            <div>
                <canvas node_ref=preview data-testid="digit-preview" width="84" height="84"
                    style="width: 84px; height: 84px" role="img"
                    aria-label="The drawing as the model sees it, framed like the training images"></canvas>
                <p class="hint">"What the model sees"</p>
                <button type="button" data-testid="digit-clear" on:click=clear>"Clear"</button>
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
