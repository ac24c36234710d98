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

use super::palette;

/// Most level lines drawn; denser grids are left out (the page says so).
pub const MAX_LEVEL_LINES: usize = 256;

fn fail<E: std::fmt::Debug>(e: E) -> String {
    format!("chart could not be drawn: {e:?}")
}

fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (-1.0, 1.0);
    }
    let pad = ((hi - lo) * 0.04)
        .max(hi.abs().max(lo.abs()) * 1e-3)
        .max(1e-12);
    (lo - pad, hi + pad)
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
) -> Result<(), String> {
    root.fill(&WHITE).map_err(fail)?;
    let (lo, hi) = hist.range();
    let in_range: Vec<f64> = levels
        .iter()
        .map(|&l| f64::from(l))
        .filter(|l| l.is_finite())
        .collect();
    let lmin = in_range.iter().copied().fold(lo, f64::min);
    let lmax = in_range.iter().copied().fold(hi, f64::max);
    let (x0, x1) = padded(lmin, lmax);
    let top = bar_height(hist.max_count(), log).max(1.0) * 1.08;
    let mut c = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, 0.0..top)
        .map_err(fail)?;
    c.configure_mesh()
        .disable_mesh()
        .x_desc("weight")
        .y_desc(if log { "log10(1 + count)" } else { "count" })
        .draw()
        .map_err(fail)?;
    c.draw_series(hist.bars().filter(|&(_, _, n)| n > 0).map(|(a, b, n)| {
        Rectangle::new(
            [(a, 0.0), (b, bar_height(n, log))],
            palette::INPUT.mix(0.75).filled(),
        )
    }))
    .map_err(fail)?;
    if in_range.len() <= MAX_LEVEL_LINES {
        c.draw_series(in_range.iter().map(|&l| {
            PathElement::new(
                [(l, 0.0), (l, top)],
                palette::QUANTIZED.mix(0.8).stroke_width(1),
            )
        }))
        .map_err(fail)?;
    }
    root.present().map_err(fail)
}

/// The distribution of `scales` (one per channel or group) as a histogram, with `selected`
/// (the worked group's scale) as a vertical line.
pub fn draw_scales<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scales: &[f64],
    selected: Option<f64>,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(fail)?;
    let finite: Vec<f32> = scales
        .iter()
        .filter(|v| v.is_finite())
        .map(|&v| v as f32)
        .collect();
    let bins = (finite.len() / 4).clamp(1, 60);
    let hist = quantlab_core::analysis::histogram(&finite, bins, None).ok();
    let (lo, hi) = hist.as_ref().map(|h| h.range()).unwrap_or((0.0, 1.0));
    let (x0, x1) = padded(lo, hi);
    let top = hist.as_ref().map(|h| h.max_count()).unwrap_or(0).max(1) as f64 * 1.1;
    let mut c = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(x0..x1, 0.0..top)
        .map_err(fail)?;
    c.configure_mesh()
        .disable_mesh()
        .x_desc("scale S")
        .y_desc("groups")
        .x_labels(5)
        .x_label_formatter(&|v| crate::format::num(*v))
        .draw()
        .map_err(fail)?;
    if let Some(h) = &hist {
        c.draw_series(h.bars().filter(|&(_, _, n)| n > 0).map(|(a, b, n)| {
            Rectangle::new([(a, 0.0), (b, n as f64)], palette::ERROR.mix(0.75).filled())
        }))
        .map_err(fail)?;
    }
    if let Some(s) = selected.filter(|s| s.is_finite()) {
        c.draw_series(std::iter::once(PathElement::new(
            [(s, 0.0), (s, top)],
            palette::QUANTIZED.stroke_width(2),
        )))
        .map_err(fail)?;
    }
    root.present().map_err(fail)
}

/// Viridis at `t ∈ [0, 1]` (five stops, linear between them): perceptually ordered and
/// readable with colour-vision deficiencies.
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 5] = [
        (0x44, 0x01, 0x54),
        (0x3B, 0x52, 0x8B),
        (0x21, 0x91, 0x8C),
        (0x5E, 0xC9, 0x62),
        (0xFD, 0xE7, 0x25),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Position of `v` on the heat map's log colour scale between `lo` and `hi` (both > 0).
pub fn heat_level(v: f64, lo: f64, hi: f64) -> f64 {
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !positive(v) || !positive(lo) || hi <= lo {
        return if positive(v) && hi > 0.0 { 1.0 } else { 0.0 };
    }
    ((v.ln() - lo.ln()) / (hi.ln() - lo.ln())).clamp(0.0, 1.0)
}

/// The error heat map: one cell per `row_step × col_step` block of the weight matrix,
/// coloured by its MSE on a log scale from the smallest non-zero cell (dark) to the largest
/// (yellow); a colour bar on the right.
pub fn draw_heat<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    map: &ErrorMap,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(fail)?;
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
    let mut c = ChartBuilder::on(&main)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(
            0.0..cols * map.col_step as f64,
            rows * map.row_step as f64..0.0,
        )
        .map_err(fail)?;
    c.configure_mesh()
        .disable_mesh()
        .x_desc("column")
        .y_desc("row")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(fail)?;
    let (rs, cs) = (map.row_step as f64, map.col_step as f64);
    c.draw_series(map.values.iter().enumerate().map(|(i, &v)| {
        let (r, k) = ((i / map.cols.max(1)) as f64, (i % map.cols.max(1)) as f64);
        Rectangle::new(
            [(k * cs, r * rs), ((k + 1.0) * cs, (r + 1.0) * rs)],
            viridis(heat_level(v, lo, hi)).filled(),
        )
    }))
    .map_err(fail)?;
    // Colour bar: log10 MSE from lo to hi.
    let (l0, l1) = if lo.is_finite() && hi > lo {
        (lo.log10(), hi.log10())
    } else {
        (0.0, 1.0)
    };
    let mut b = ChartBuilder::on(&bar)
        .margin(8)
        .margin_left(4)
        .x_label_area_size(28)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..1.0, l0..l1)
        .map_err(fail)?;
    b.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(4)
        .y_label_formatter(&|v| format!("1e{v:.1}"))
        .draw()
        .map_err(fail)?;
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
    root.present().map_err(fail)
}

/// The drawn histogram: `heights` in `[0, 1]` as bars over `[−range, range]`.
pub fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    heights: &[f32],
    range: f64,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(fail)?;
    let r = if range.is_finite() && range > 0.0 {
        range
    } else {
        1.0
    };
    let mut c = ChartBuilder::on(root)
        .margin(4)
        .x_label_area_size(22)
        .build_cartesian_2d(-r..r, 0.0..1.0)
        .map_err(fail)?;
    c.configure_mesh()
        .disable_mesh()
        .disable_y_axis()
        .x_labels(5)
        .x_label_formatter(&|v| crate::format::num(*v))
        .draw()
        .map_err(fail)?;
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
    root.present().map_err(fail)
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
        draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
    ) -> String {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
            draw(&root).unwrap();
        }
        out
    }

    #[test]
    fn the_histogram_draws_one_bar_per_filled_bin_and_one_line_per_level() {
        let x = generate(&SynthSpec::default()).unwrap();
        let h = quantlab_core::analysis::histogram(&x, 64, None).unwrap();
        let levels: Vec<f32> = (-7..=7).map(|k| k as f32 * 0.01).collect();
        let s = svg((640, 300), |r| draw_weight_histogram(r, &h, &levels, false));
        let filled = h.counts.iter().filter(|&&c| c > 0).count();
        assert_eq!(s.matches("fill=\"#0072B2\"").count(), filled);
        assert_eq!(s.matches("stroke=\"#D55E00\"").count(), 15);
        // Too many levels are left out, and log mode still draws.
        let dense: Vec<f32> = (0..300).map(|k| k as f32).collect();
        let s = svg((640, 300), |r| draw_weight_histogram(r, &h, &dense, true));
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
        let out = svg((640, 360), |r| draw_heat(r, &st.heat));
        // Cells plus 48 colour-bar steps, all filled rectangles (opacity 1).
        let rects = out.matches("<rect").count();
        assert!(rects >= st.heat.values.len() + 48, "{rects}");
        let out = svg((640, 240), |r| {
            draw_scales(r, &st.scales, st.scales.first().copied())
        });
        assert_eq!(out.matches("stroke=\"#D55E00\"").count(), 1);
        let empty = svg((640, 240), |r| draw_scales(r, &[], None));
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
