//! SVG export of the figures, for slides and print: each canvas remembers how to draw its
//! current chart again into an SVG document ([`crate::charts::to_svg`]), and an "SVG" button
//! downloads it. Drawing goes through [`draw_figure!`](crate::draw_figure), which does both.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;

type MakeSvg = Box<dyn Fn() -> Option<String>>;

thread_local! {
    /// The latest SVG maker of each canvas, by its `data-testid`.
    static MAKERS: RefCell<HashMap<String, MakeSvg>> = RefCell::new(HashMap::new());
}

/// Remembers how to render the chart now on `canvas` into SVG.
pub fn remember(canvas: &web_sys::HtmlCanvasElement, make: impl Fn() -> Option<String> + 'static) {
    let id = canvas.get_attribute("data-testid").unwrap_or_default();
    MAKERS.with(|m| m.borrow_mut().insert(id, Box::new(make)));
}

/// The SVG document of the chart on the canvas `testid`, if it has been drawn.
pub fn svg_of(testid: &str) -> Option<String> {
    MAKERS.with(|m| m.borrow().get(testid).and_then(|make| make()))
}

/// Downloads the chart on the canvas `testid` as an SVG file.
pub fn download(testid: &str, filename: &str) -> Result<(), String> {
    let svg = svg_of(testid).ok_or("this chart has not been drawn yet")?;
    super::export::text_file(&svg, "image/svg+xml", filename)
}

/// Draws a chart on a canvas and remembers it for the SVG export: `draw_figure!(canvas,
/// |root| chart(root, &data))`. The body is used twice (the canvas now, the SVG on demand),
/// so it may only capture owned values (`Arc`s, copies), which the SVG maker keeps.
#[macro_export]
macro_rules! draw_figure {
    ($canvas:expr, |$root:ident| $body:expr) => {{
        let canvas: web_sys::HtmlCanvasElement = $canvas;
        $crate::widgets::perf::draw_on(&canvas, |$root| $body);
        let size = (canvas.width(), canvas.height());
        $crate::widgets::svg::remember(&canvas, move || {
            $crate::charts::to_svg(size, |$root| $body).ok()
        });
    }};
}

/// The PNG and SVG buttons of one figure (`export-<name>-png`, `export-<name>-svg`).
#[component]
pub fn FigureExports(
    /// The canvas's `data-testid`.
    canvas: &'static str,
    /// The file name and test-id stem (`quantlab-<name>.png`).
    name: &'static str,
) -> impl IntoView {
    let png = move |_| {
        let _ = super::export::canvas_png(canvas, &format!("quantlab-{name}.png"));
    };
    let svg = move |_| {
        let _ = download(canvas, &format!("quantlab-{name}.svg"));
    };
    view! {
        <div class="buttons figure-exports">
            <button type="button" data-testid=format!("export-{name}-png") on:click=png>"PNG"</button>
            <button type="button" data-testid=format!("export-{name}-svg") on:click=svg>"SVG"</button>
        </div>
    }
}
