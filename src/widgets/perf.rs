//! Performance marks and measures, read back by the browser tests that report p50/p95
//! timings (`performance.getEntriesByName`). Without a `performance` object they do nothing.

fn performance() -> Option<web_sys::Performance> {
    web_sys::window().and_then(|w| w.performance())
}

/// Sets the mark `name`.
pub fn mark(name: &str) {
    if let Some(p) = performance() {
        let _ = p.mark(name);
    }
}

/// Records the measure `name` from the mark `start` to now, then clears that mark (so a
/// second measure without a new start mark records nothing).
pub fn measure(name: &str, start: &str) {
    if let Some(p) = performance()
        && p.measure_with_start_mark(name, start).is_ok()
    {
        p.clear_marks_with_mark_name(start);
    }
}

/// Runs `f` and records its duration as the measure `ql-step-<name>`, so a test can report
/// where an update's time goes.
pub fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let start = format!("ql-step-{name}-start");
    mark(&start);
    let out = f();
    measure(&format!("ql-step-{name}"), &start);
    out
}

/// Draws on a `<canvas>` through plotters, timed as `ql-step-draw-<data-testid>`; a drawing
/// error is logged, never raised.
pub fn draw_on(
    canvas: &web_sys::HtmlCanvasElement,
    f: impl FnOnce(
        &plotters::prelude::DrawingArea<crate::charts::canvas::PageCanvas, plotters::coord::Shift>,
    ) -> Result<(), String>,
) {
    use plotters::prelude::IntoDrawingArea;
    let name = canvas.get_attribute("data-testid").unwrap_or_default();
    timed(&format!("draw-{name}"), || {
        if let Some(backend) = crate::charts::canvas::PageCanvas::new(canvas) {
            let root = backend.into_drawing_area();
            if let Err(e) = f(&root) {
                leptos::logging::warn!("{e}");
            }
        }
    })
}
