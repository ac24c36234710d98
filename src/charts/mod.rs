//! Charts as functions of data, generic over plotters' [`DrawingBackend`]: the same code
//! draws on a `<canvas>` in the page ([`crate::widgets::perf::draw_on`]) and into an SVG
//! string (`to_svg`) in native tests.
//!
//! [`frame`] holds what every chart shares (the cartesian frame, legend, ranges, the chart
//! error) and [`palette`] the colours; the charts are grouped by lab: [`signal`] (with its
//! analysis [`views`]), [`weight`] (with its [`rotation`] figure), [`memory`] and [`mlp`].

use plotters::coord::Shift;
use plotters::prelude::*;

pub mod canvas;
pub mod frame;
pub mod legend;
pub mod memory;
pub mod mlp;
pub mod palette;
pub mod rotation;
pub mod signal;
pub mod weight;

// The Signal lab's charts under the paths they had before the charts were grouped by lab.
pub use signal::views;
pub use signal::{MAX_GRID_LINES, SignalChart, draw_error, draw_signal, envelope};

pub use frame::ChartResult;

/// Draws a chart on a `<canvas>` of the page, as large as the canvas: `draw` is any chart
/// function. Fails when the canvas has no 2D context.
pub fn to_canvas(
    canvas: &web_sys::HtmlCanvasElement,
    draw: impl FnOnce(&DrawingArea<canvas::PageCanvas, Shift>) -> ChartResult,
) -> ChartResult {
    let backend = canvas::PageCanvas::new(canvas)
        .ok_or_else(|| frame::fail("the canvas has no 2D context"))?;
    draw(&backend.into_drawing_area())
}

/// Renders a chart of `size` pixels into an SVG document: `draw` is any chart function, e.g.
/// `to_svg((640, 360), |root| draw_signal(root, &chart))`.
pub fn to_svg(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> ChartResult,
) -> ChartResult<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root)?;
    }
    Ok(out)
}
