//! Charts as functions of data, generic over plotters' [`DrawingBackend`]: the same code
//! draws on a `<canvas>` in the page and into an SVG string in native tests.

use plotters::coord::Shift;
use plotters::prelude::*;

pub mod memory;
pub mod mlp;
pub mod views;
pub mod weight;

/// Okabe–Ito colours, distinguishable with every common colour-vision deficiency.
pub mod palette {
    use plotters::style::RGBColor;
    /// Blue: the input `x[n]`.
    pub const INPUT: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Vermillion: the quantized `Q(x[n])`.
    pub const QUANTIZED: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Bluish green: the error e(n).
    pub const ERROR: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Grey: level grid lines and bounds.
    pub const GRID: RGBColor = RGBColor(0x99, 0x99, 0x99);
}

/// Most level lines drawn; denser grids are left out (and the page says so).
pub const MAX_GRID_LINES: usize = 128;

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

fn value_range<'a>(series: impl IntoIterator<Item = &'a [f32]>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for s in series {
        for &v in s {
            lo = lo.min(f64::from(v));
            hi = hi.max(f64::from(v));
        }
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (-1.0, 1.0);
    }
    let pad = ((hi - lo) * 0.06)
        .max(hi.abs().max(lo.abs()) * 1e-3)
        .max(1e-9);
    (lo - pad, hi + pad)
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("chart could not be drawn: {e:?}")
}

/// `x[n]` and `Q(x[n])` overlaid on the level grid.
pub fn draw_signal<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &SignalChart<'_>,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let n = chart.input.len().max(2);
    let x0 = chart.start as f64;
    let x1 = x0 + (n - 1) as f64;
    let (lo, hi) = value_range([chart.input, chart.quantized]);
    let (w, _) = root.dim_in_pixel();
    let buckets = (w as usize).max(100);
    let mut c = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, lo..hi)
        .map_err(err)?;
    c.configure_mesh()
        .disable_mesh()
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("amplitude")
        .draw()
        .map_err(err)?;
    if chart.levels.len() <= MAX_GRID_LINES {
        for &l in chart.levels {
            let y = f64::from(l);
            c.draw_series(LineSeries::new(
                [(x0, y), (x1, y)],
                palette::GRID.mix(0.45).stroke_width(1),
            ))
            .map_err(err)?;
        }
    }
    c.draw_series(LineSeries::new(
        shift(envelope(chart.input, buckets), chart.start),
        palette::INPUT.stroke_width(2),
    ))
    .map_err(err)?
    .label("x[n]")
    .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], palette::INPUT.stroke_width(2)));
    let steps = staircase(&shift(envelope(chart.quantized, buckets), chart.start));
    c.draw_series(LineSeries::new(steps, palette::QUANTIZED.stroke_width(2)))
        .map_err(err)?
        .label("Q(x[n])")
        .legend(|(x, y)| {
            PathElement::new([(x, y), (x + 16, y)], palette::QUANTIZED.stroke_width(2))
        });
    c.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(palette::GRID)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)
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

/// The error e(n) with the ±Δ/2 bounds; `start` is the index of `error[0]`.
pub fn draw_error<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    error: &[f32],
    step: f64,
    start: usize,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let n = error.len().max(2);
    let x0 = start as f64;
    let x1 = x0 + (n - 1) as f64;
    let half = step / 2.0;
    let bound = [half as f32, -(half as f32)];
    let (lo, hi) = value_range([error, &bound[..]]);
    let (w, _) = root.dim_in_pixel();
    let mut c = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, lo..hi)
        .map_err(err)?;
    c.configure_mesh()
        .disable_mesh()
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("e(n)")
        .draw()
        .map_err(err)?;
    if half > 0.0 {
        for y in [half, -half] {
            c.draw_series(DashedLineSeries::new(
                [(x0, y), (x1, y)],
                6,
                4,
                palette::GRID.stroke_width(1),
            ))
            .map_err(err)?;
        }
    }
    c.draw_series(LineSeries::new(
        shift(envelope(error, (w as usize).max(100)), start),
        palette::ERROR.stroke_width(1),
    ))
    .map_err(err)?;
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_keeps_short_series_and_peaks_of_long_ones() {
        let short = [1.0f32, 2.0, 3.0];
        assert_eq!(envelope(&short, 10).len(), 3);
        let mut long = vec![0.0f32; 10_000];
        long[5_000] = 9.0;
        long[7_000] = -9.0;
        let e = envelope(&long, 100);
        assert!(e.len() <= 200);
        assert!(e.iter().any(|&(x, y)| x == 5_000.0 && y == 9.0));
        assert!(e.iter().any(|&(x, y)| x == 7_000.0 && y == -9.0));
    }

    #[test]
    fn staircase_holds_each_value_until_the_next_sample() {
        let s = staircase(&[(0.0, 1.0), (1.0, 2.0)]);
        assert_eq!(s, vec![(0.0, 1.0), (1.0, 1.0), (1.0, 2.0)]);
    }
}
