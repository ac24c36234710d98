//! The Weight lab's charts as functions of data, generic over plotters' [`DrawingBackend`]:
//!
//! - [`draw_weight_histogram`]: the weights' histogram (linear or log count) with the
//!   quantization levels of the selected group as vertical lines;
//! - [`draw_scales`]: the distribution of the scales across channels or groups, with the
//!   selected group's scale marked;
//! - [`draw_heat`]: the error heat map (MSE per row block × column block, log colour scale);
//! - [`draw_bars`]: the hand-drawn histogram that synthetic weights are sampled from.
//!
//! Inputs come from [`quantlab_core::weights`] and [`quantlab_core::analysis`]; empty inputs
//! draw empty axes.

use plotters::coord::Shift;
use plotters::prelude::*;
use quantlab_core::analysis::Histogram;
use quantlab_core::weights::study::ErrorMap;

use super::frame::{
    ChartResult, Frame, Margins, bounds, clear, count_top, fail, histogram_bars, pad, present,
    whole,
};
use super::palette;
pub use super::palette::viridis;
use crate::lang::Locale;
use crate::lang::fill::td_string;

/// The axis descriptions of a chart, in a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axes {
    /// Under the x axis.
    pub x: &'static str,
    /// Beside the y axis.
    pub y: &'static str,
    /// The language of the tick labels.
    pub locale: Locale,
}

impl Axes {
    /// The weight histogram's: `weight` and `count` (or `log10(1 + count)`).
    pub fn histogram(log: bool, l: Locale) -> Axes {
        Axes {
            x: td_string!(l, weight.axis_weight),
            y: if log {
                td_string!(l, weight.axis_log_count)
            } else {
                td_string!(l, weight.axis_count)
            },
            locale: l,
        }
    }

    /// The scales' histogram: `scale S` and `groups`.
    pub fn scales(l: Locale) -> Axes {
        Axes {
            x: td_string!(l, weight.axis_scale),
            y: td_string!(l, weight.axis_groups),
            locale: l,
        }
    }

    /// The heat map's: `column` and `row`.
    pub fn heat(l: Locale) -> Axes {
        Axes {
            x: td_string!(l, weight.axis_column),
            y: td_string!(l, weight.axis_row),
            locale: l,
        }
    }
}

/// Most level lines drawn; denser grids are left out (the page says so).
pub const MAX_LEVEL_LINES: usize = 256;

/// `[lo, hi]` padded by 4 %; `(−1, 1)` when either end is not finite.
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    pad(lo, hi, 0.04, 1e-12, (-1.0, 1.0))
}

/// The value a bar of `count` is drawn at: the count, or `log10(1 + count)`.
pub fn bar_height(count: usize, log: bool) -> f64 {
    if log {
        (1.0 + count as f64).log10()
    } else {
        count as f64
    }
}

/// The histogram of the weights with the levels overlaid.
pub fn draw_weight_histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    hist: &Histogram,
    levels: &[f32],
    log: bool,
    axes: Axes,
) -> ChartResult {
    clear(root)?;
    let (lo, hi) = hist.range();
    let in_range: Vec<f64> = levels
        .iter()
        .map(|&l| f64::from(l))
        .filter(|l| l.is_finite())
        .collect();
    let (lmin, lmax) = bounds([lo, hi].into_iter().chain(in_range.iter().copied()));
    let (x0, x1) = padded(lmin, lmax);
    let top = bar_height(hist.max_count(), log).max(1.0) * 1.08;
    let mut c = Frame::new()
        .locale(axes.locale)
        .x_desc(axes.x)
        .y_desc(axes.y)
        .build(root, x0..x1, 0.0..top)?;
    let style = palette::INPUT.mix(0.75).filled();
    histogram_bars(&mut c, hist, style, |n| bar_height(n, log))?;
    if in_range.len() <= MAX_LEVEL_LINES {
        let style = palette::QUANTIZED.mix(0.8).stroke_width(1);
        let line = |&l: &f64| PathElement::new([(l, 0.0), (l, top)], style);
        c.draw_series(in_range.iter().map(line)).map_err(fail)?;
    }
    present(root)
}

/// The distribution of `scales` (one per channel or group) as a histogram, with `selected`
/// (the worked group's scale) as a vertical line.
pub fn draw_scales<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scales: &[f64],
    selected: Option<f64>,
    axes: Axes,
) -> ChartResult {
    clear(root)?;
    let finite: Vec<f32> = scales
        .iter()
        .filter(|v| v.is_finite())
        .map(|&v| v as f32)
        .collect();
    let bins = (finite.len() / 4).clamp(1, 60);
    let hist = quantlab_core::analysis::histogram(&finite, bins, None).ok();
    let (lo, hi) = hist.as_ref().map(|h| h.range()).unwrap_or((0.0, 1.0));
    let (x0, x1) = padded(lo, hi);
    let top = count_top(hist.as_ref().map(|h| h.max_count()).unwrap_or(0), 1.1);
    let mut c = Frame::new()
        .locale(axes.locale)
        .label_areas(28, 48)
        .x_desc(axes.x)
        .y_desc(axes.y)
        .label_counts(Some(5), None)
        .x_format(|v| crate::format::num(*v))
        .build(root, x0..x1, 0.0..top)?;
    if let Some(h) = &hist {
        let style = palette::ERROR.mix(0.75).filled();
        histogram_bars(&mut c, h, style, |n| n as f64)?;
    }
    if let Some(s) = selected.filter(|s| s.is_finite()) {
        let line = PathElement::new([(s, 0.0), (s, top)], palette::QUANTIZED.stroke_width(2));
        c.draw_series(std::iter::once(line)).map_err(fail)?;
    }
    present(root)
}

/// Position of `v` on the heat map's log colour scale between `lo` and `hi` (both > 0).
pub fn heat_level(v: f64, lo: f64, hi: f64) -> f64 {
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !positive(v) || !positive(lo) || hi <= lo {
        return if positive(v) && hi > 0.0 { 1.0 } else { 0.0 };
    }
    ((v.ln() - lo.ln()) / (hi.ln() - lo.ln())).clamp(0.0, 1.0)
}

/// Canvas pixels of the heat map's plot area on a `w × h` canvas: `(left, top, right,
/// bottom)` ([`draw_heat`]: the colour bar takes 110 px on the right, the frame 8 px margins,
/// 56 px of labels on the left and 28 under the plot).
pub fn heat_plot_area(w: u32, h: u32) -> (f64, f64, f64, f64) {
    let main = f64::from(w.saturating_sub(110));
    (8.0 + 56.0, 8.0, main - 8.0, f64::from(h) - 8.0 - 28.0)
}

/// The cell `(row, column)` of `map` under canvas pixel `(px, py)` of a `w × h` canvas, or
/// `None` outside the plot.
pub fn heat_cell_at(map: &ErrorMap, w: u32, h: u32, px: f64, py: f64) -> Option<(usize, usize)> {
    let (x0, y0, x1, y1) = heat_plot_area(w, h);
    if !(x0..x1).contains(&px) || !(y0..y1).contains(&py) || map.rows == 0 || map.cols == 0 {
        return None;
    }
    let c = ((px - x0) / (x1 - x0) * map.cols as f64) as usize;
    let r = ((py - y0) / (y1 - y0) * map.rows as f64) as usize;
    Some((r.min(map.rows - 1), c.min(map.cols - 1)))
}

/// The error heat map: one cell per `row_step × col_step` block of the weight matrix,
/// coloured by its MSE on a log scale from the smallest non-zero cell (dark) to the largest
/// (yellow); a colour bar on the right.
pub fn draw_heat<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    map: &ErrorMap,
    axes: Axes,
) -> ChartResult {
    clear(root)?;
    let (w, _) = root.dim_in_pixel();
    let (main, bar) = root.split_horizontally(w.saturating_sub(110));
    let rows = map.rows.max(1) as f64;
    let cols = map.cols.max(1) as f64;
    let lo = map
        .values
        .iter()
        .copied()
        .filter(|&v| v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let hi = map.values.iter().copied().fold(0.0, f64::max);
    let (rs, cs) = (map.row_step as f64, map.col_step as f64);
    let mut c = Frame::new()
        .locale(axes.locale)
        .x_desc(axes.x)
        .y_desc(axes.y)
        .x_format(whole)
        .y_format(whole)
        .build(&main, 0.0..cols * cs, rows * rs..0.0)?;
    // 256 colours, the cells drawn colour by colour: a canvas sets each colour once.
    let shade = |v: f64| (heat_level(v, lo, hi) * 255.0).round() as u8;
    let mut order: Vec<usize> = (0..map.values.len()).collect();
    order.sort_by_key(|&i| shade(map.values[i]));
    c.draw_series(order.into_iter().map(|i| {
        let (r, k) = ((i / map.cols.max(1)) as f64, (i % map.cols.max(1)) as f64);
        Rectangle::new(
            [(k * cs, r * rs), ((k + 1.0) * cs, (r + 1.0) * rs)],
            viridis(f64::from(shade(map.values[i])) / 255.0).filled(),
        )
    }))
    .map_err(fail)?;
    // Colour bar: log10 MSE from lo to hi.
    let (l0, l1) = if lo.is_finite() && hi > lo {
        (lo.log10(), hi.log10())
    } else {
        (0.0, 1.0)
    };
    let mut b = Frame::new()
        .locale(axes.locale)
        .margins(Margins::all(8).left(4))
        .label_areas(28, 64)
        .without_x_axis()
        .label_counts(None, Some(4))
        .y_format(|v| format!("1e{v:.1}"))
        .build(&bar, 0.0..1.0, l0..l1)?;
    let steps = 48;
    b.draw_series((0..steps).map(|i| {
        let a = l0 + (l1 - l0) * i as f64 / steps as f64;
        let z = l0 + (l1 - l0) * (i + 1) as f64 / steps as f64;
        Rectangle::new(
            [(0.0, a), (1.0, z)],
            viridis(i as f64 / (steps - 1) as f64).filled(),
        )
    }))
    .map_err(fail)?;
    present(root)
}

/// The drawn histogram: `heights` in `[0, 1]` as bars over `[−range, range]`.
pub fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    heights: &[f32],
    range: f64,
) -> ChartResult {
    clear(root)?;
    let r = if range.is_finite() && range > 0.0 {
        range
    } else {
        1.0
    };
    let mut c = Frame::new()
        .margins(Margins::all(4))
        .label_areas(22, 0)
        .without_y_axis()
        .label_counts(Some(5), None)
        .x_format(|v| crate::format::num(*v))
        .build(root, -r..r, 0.0..1.0)?;
    let n = heights.len().max(1) as f64;
    let w = 2.0 * r / n;
    c.draw_series(heights.iter().enumerate().map(|(i, &h)| {
        let a = -r + i as f64 * w;
        Rectangle::new(
            [(a, 0.0), (a + w * 0.92, f64::from(h.clamp(0.0, 1.0)))],
            palette::INPUT.mix(0.8).filled(),
        )
    }))
    .map_err(fail)?;
    present(root)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use quantlab_core::quantizer::{GranularityKind, Mode, Scheme};
    use quantlab_core::weights::study::{StudyOptions, study};
    use quantlab_core::weights::synth::{SynthSpec, generate};

    fn svg(
        size: (u32, u32),
        draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> ChartResult,
    ) -> String {
        crate::charts::to_svg(size, draw).unwrap()
    }

    #[test]
    fn every_weight_chart_draws_its_axis_labels() {
        let x = generate(&SynthSpec::default()).unwrap();
        let h = quantlab_core::analysis::histogram(&x, 64, None).unwrap();
        let s = svg((640, 300), |r| {
            draw_weight_histogram(r, &h, &[0.0], false, Axes::histogram(false, Locale::en))
        });
        assert!(s.contains("weight") && s.contains("count"), "{s}");
        let s = svg((640, 300), |r| {
            draw_weight_histogram(r, &h, &[0.0], true, Axes::histogram(true, Locale::en))
        });
        assert!(s.contains("log10(1 + count)"));
        let s = svg((640, 240), |r| {
            draw_scales(r, &[0.01, 0.02, 0.04], Some(0.02), Axes::scales(Locale::en))
        });
        assert!(s.contains("scale S") && s.contains("groups"));
        let st = study(
            &x,
            &[256, 512],
            &Scheme::default(),
            &StudyOptions::default(),
        )
        .unwrap();
        let s = svg((640, 360), |r| {
            draw_heat(r, &st.heat, Axes::heat(Locale::en))
        });
        assert!(s.contains("column") && s.contains("row") && s.contains("1e-"));
        let s = svg((400, 120), |r| draw_bars(r, &[0.5; 8], 0.1));
        assert!(s.contains("<text"), "the x axis has labels");
    }

    #[test]
    fn the_histogram_draws_one_bar_per_filled_bin_and_one_line_per_level() {
        let x = generate(&SynthSpec::default()).unwrap();
        let h = quantlab_core::analysis::histogram(&x, 64, None).unwrap();
        let levels: Vec<f32> = (-7..=7).map(|k| k as f32 * 0.01).collect();
        let s = svg((640, 300), |r| {
            draw_weight_histogram(r, &h, &levels, false, Axes::histogram(false, Locale::en))
        });
        let filled = h.counts.iter().filter(|&&c| c > 0).count();
        assert_eq!(s.matches("fill=\"#0072B2\"").count(), filled);
        assert_eq!(s.matches("stroke=\"#D55E00\"").count(), 15);
        // Too many levels are left out, and log mode still draws.
        let dense: Vec<f32> = (0..300).map(|k| k as f32).collect();
        let s = svg((640, 300), |r| {
            draw_weight_histogram(r, &h, &dense, true, Axes::histogram(true, Locale::en))
        });
        assert_eq!(s.matches("stroke=\"#D55E00\"").count(), 0);
        assert_eq!(bar_height(9, true), 1.0);
    }

    #[test]
    fn the_heat_map_has_a_cell_per_block_and_scales_mark_the_selection() {
        let x = generate(&SynthSpec::default()).unwrap();
        let s = Scheme {
            bits: 4,
            mode: Mode::Sym,
            granularity: GranularityKind::Group,
            group_size: 128,
            ..Scheme::default()
        };
        let st = study(&x, &[256, 512], &s, &StudyOptions::default()).unwrap();
        assert_eq!(st.heat.values.len(), st.heat.rows * st.heat.cols);
        let out = svg((640, 360), |r| {
            draw_heat(r, &st.heat, Axes::heat(Locale::en))
        });
        // Cells plus 48 colour-bar steps, all filled rectangles (opacity 1).
        let rects = out.matches("<rect").count();
        assert!(rects >= st.heat.values.len() + 48, "{rects}");
        let out = svg((640, 240), |r| {
            draw_scales(
                r,
                &st.scales,
                st.scales.first().copied(),
                Axes::scales(Locale::en),
            )
        });
        assert_eq!(out.matches("stroke=\"#D55E00\"").count(), 1);
        let empty = svg((640, 240), |r| {
            draw_scales(r, &[], None, Axes::scales(Locale::en))
        });
        assert!(empty.contains("<svg"));
        let bars = svg((400, 120), |r| draw_bars(r, &[0.5; 32], 0.1));
        assert_eq!(bars.matches("fill=\"#0072B2\"").count(), 32);
    }

    #[test]
    fn viridis_runs_from_purple_to_yellow_and_the_log_scale_is_clamped() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xFD, 0xE7, 0x25));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
        assert_eq!(heat_level(1e-4, 1e-6, 1e-2), 0.5);
        assert_eq!(heat_level(0.0, 1e-6, 1e-2), 0.0);
        assert_eq!(heat_level(5.0, 5.0, 5.0), 1.0);
    }
}
