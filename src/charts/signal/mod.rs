//! The Signal lab's charts, generic over plotters' [`DrawingBackend`]: the time-domain
//! charts here ([`draw_signal`], [`draw_error`]) and the analysis [`views`].

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{
    ChartResult, Frame, Legend, bounds, clear, draw_legend, draw_lines, fail, pad, present, whole,
};
use super::palette;
use crate::lang::Locale;
use leptos_i18n::td_string;

pub mod views;

#[cfg(test)]
mod tests;

/// Most levels drawn as a grid; denser grids are left out (and the page says so). Below that,
/// lines closer than [`MIN_GRID_GAP`] pixels to the previous one are skipped.
pub const MAX_GRID_LINES: usize = 128;

/// The smallest gap, in pixels, between two level lines drawn on the signal chart.
pub const MIN_GRID_GAP: i32 = 3;

/// The finite levels as `f64`, in increasing order.
fn sorted_levels(levels: &[f32]) -> Vec<f64> {
    let mut v: Vec<f64> = levels
        .iter()
        .filter(|l| l.is_finite())
        .map(|&l| f64::from(l))
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

/// What the signal chart shows.
#[derive(Debug, Clone, Copy)]
pub struct SignalChart<'a> {
    /// The input `x[n]`.
    pub input: &'a [f32],
    /// The reconstruction `Q(x[n])`.
    pub quantized: &'a [f32],
    /// Quantization levels, drawn as horizontal lines when there are few enough.
    pub levels: &'a [f32],
    /// Index of the first sample shown (the time axis starts here when zoomed).
    pub start: usize,
}

fn shift(points: Vec<(f64, f64)>, start: usize) -> Vec<(f64, f64)> {
    let s = start as f64;
    points.into_iter().map(|(x, y)| (x + s, y)).collect()
}

/// Reduces a long series to at most `2·buckets` points (min and max of each bucket, in
/// time order), so a million samples draw as fast as a thousand and peaks stay visible.
pub fn envelope(data: &[f32], buckets: usize) -> Vec<(f64, f64)> {
    let n = data.len();
    if n <= 2 * buckets.max(1) {
        return data
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64, f64::from(v)))
            .collect();
    }
    let mut out = Vec::with_capacity(2 * buckets);
    for b in 0..buckets {
        let start = b * n / buckets;
        let end = ((b + 1) * n / buckets).max(start + 1);
        let (mut lo, mut hi) = ((start, data[start]), (start, data[start]));
        for (i, &v) in data[start..end].iter().enumerate() {
            if v < lo.1 {
                lo = (start + i, v);
            }
            if v > hi.1 {
                hi = (start + i, v);
            }
        }
        let (a, b) = if lo.0 <= hi.0 { (lo, hi) } else { (hi, lo) };
        out.push((a.0 as f64, f64::from(a.1)));
        out.push((b.0 as f64, f64::from(b.1)));
    }
    out
}

/// The padded range of all the series' values; `(−1, 1)` when there is none or a value is
/// infinite.
fn value_range<'a>(series: impl IntoIterator<Item = &'a [f32]>) -> (f64, f64) {
    let (lo, hi) = bounds(series.into_iter().flatten().map(|&v| f64::from(v)));
    pad(lo, hi, 0.06, 1e-9, (-1.0, 1.0))
}

/// The time axis of `len` samples from `start`: `(first, last)` index, at least two apart.
fn time_axis(len: usize, start: usize) -> (f64, f64) {
    let x0 = start as f64;
    (x0, x0 + (len.max(2) - 1) as f64)
}

/// Points of the envelope of `data` for a chart `root` wide, shifted to start at `start`.
fn trace<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &[f32],
    start: usize,
) -> Vec<(f64, f64)> {
    let (w, _) = root.dim_in_pixel();
    shift(envelope(data, (w as usize).max(100)), start)
}

/// `x[n]` and `Q(x[n])` overlaid on the level grid, its words in `locale`.
pub fn draw_signal<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &SignalChart<'_>,
    locale: Locale,
) -> ChartResult {
    clear(root)?;
    let (x0, x1) = time_axis(chart.input.len(), chart.start);
    let (lo, hi) = value_range([chart.input, chart.quantized]);
    let mut c = Frame::new()
        .locale(locale)
        .x_format(whole)
        .y_desc(td_string!(locale, signal.chart_amplitude))
        .build(root, x0..x1, lo..hi)?;
    if chart.levels.len() <= MAX_GRID_LINES {
        // Lines closer than MIN_GRID_GAP pixels to the last one drawn are skipped, so a dense
        // grid (64 levels in a short plot, μ-law's levels near 0) stays a set of lines rather
        // than one grey band.
        let mut last_px: Option<i32> = None;
        for y in sorted_levels(chart.levels) {
            let (_, py) = c.backend_coord(&(x0, y));
            if last_px.is_some_and(|p| (py - p).abs() < MIN_GRID_GAP) {
                continue;
            }
            last_px = Some(py);
            let grid = palette::GRID.mix(0.45).stroke_width(1);
            c.draw_series(LineSeries::new([(x0, y), (x1, y)], grid))
                .map_err(fail)?;
        }
    }
    let input = trace(root, chart.input, chart.start);
    let steps = staircase(&trace(root, chart.quantized, chart.start));
    let lines = [
        (input, palette::INPUT, "x[n]"),
        (steps, palette::QUANTIZED, "Q(x[n])"),
    ];
    let mut legend = Legend::default();
    draw_lines(&mut c, &mut legend, lines, 2)?;
    draw_legend(&c, &legend, SeriesLabelPosition::UpperRight, 0.85)?;
    present(root)
}

/// Sample-and-hold drawing: each `y` holds until the next `x` (the signal's Q(x[n]) and the
/// transfer staircase).
pub(crate) fn staircase(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for w in points.windows(2) {
        out.push(w[0]);
        out.push((w[1].0, w[0].1));
    }
    if let Some(&last) = points.last() {
        out.push(last);
    }
    out
}

/// The error e(n) with the ±Δ/2 bounds; `start` is the index of `error[0]`. (Its only
/// words, `e(n)`, are the same in every language.)
pub fn draw_error<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    error: &[f32],
    step: f64,
    start: usize,
    locale: Locale,
) -> ChartResult {
    clear(root)?;
    let (x0, x1) = time_axis(error.len(), start);
    let half = step / 2.0;
    let bound = [half as f32, -(half as f32)];
    let (lo, hi) = value_range([error, &bound[..]]);
    let mut c = Frame::new()
        .locale(locale)
        .x_format(whole)
        .y_desc("e(n)")
        .build(root, x0..x1, lo..hi)?;
    if half > 0.0 {
        for y in [half, -half] {
            let bound =
                DashedLineSeries::new([(x0, y), (x1, y)], 6, 4, palette::GRID.stroke_width(1));
            c.draw_series(bound).map_err(fail)?;
        }
    }
    let trace = trace(root, error, start);
    c.draw_series(LineSeries::new(trace, palette::ERROR.stroke_width(1)))
        .map_err(fail)?;
    present(root)
}
