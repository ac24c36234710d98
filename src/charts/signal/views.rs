//! The Signal lab's analysis views as functions of data, generic over plotters'
//! [`DrawingBackend`] (the page draws them on a `<canvas>`, the tests into SVG strings):
//!
//! - [`draw_transfer`]: the staircase `Q(x)` against `x` above the input's histogram;
//! - [`draw_error_histogram`]: the histogram of `e(n)` with the `±Δ/2` bounds;
//! - [`draw_snr_vs_bits`]: measured SNR against bits with the `6.02·b + 1.76 dB` line;
//! - [`draw_snr_vs_level`]: the companding figure, linear against μ-law, with the current
//!   signal's point;
//! - [`draw_clip_tradeoff`]: rounding, clipping and total MSE against the clip threshold.
//!
//! Every input comes from [`quantlab_core::analysis`]; each function documents which one.
//! Values that cannot be drawn (an SNR of `±∞`, an MSE of 0 on the log axis, NaN) are left
//! out, and empty inputs draw empty axes: nothing here fails on edge data, only on a
//! backend error.

use plotters::coord::Shift;
use plotters::prelude::*;
use quantlab_core::analysis::{self, ClipTradeoff, LevelPoint};
use quantlab_core::clipping::ErrorSplit;

use super::staircase;
use crate::charts::frame::{
    ChartResult, Frame, Legend, bounds, clear, count_top, draw_legend, draw_lines, fail,
    histogram_bars, present, span, whole,
};
use crate::charts::palette::{self, BLACK, ORANGE, PURPLE};
use crate::lang::Locale;
use crate::lang::numbers::localize;
use leptos_i18n::td_string;

/// The colours that had their own module here are in the one palette now.
pub use crate::charts::palette as extra;

/// A vertical dashed line at `x` from `y0` to `y1`: `dash` px on, 4 off.
fn vertical(
    x: f64,
    (y0, y1): (f64, f64),
    dash: u32,
    style: ShapeStyle,
) -> DashedLineSeries<std::array::IntoIter<(f64, f64), 2>, u32> {
    DashedLineSeries::new([(x, y0), (x, y1)], dash, 4, style)
}

/// What the transfer view shows.
#[derive(Debug, Clone, Copy)]
pub struct TransferChart<'a> {
    /// `(x, Q(x))` with ascending `x`: [`analysis::transfer_curve`].
    pub curve: &'a [(f64, f64)],
    /// The input's histogram, best over the same range as the curve:
    /// [`analysis::histogram`]`(x, bins, Some(`[`analysis::transfer_range`]`(x)?))`.
    pub histogram: &'a analysis::Histogram,
}

/// (a) The transfer staircase `Q(x)` against `x` (vermillion, with the identity `Q(x) = x`
/// dashed) in the upper 65 % of `root`, and the input's histogram (blue bars) beneath it on
/// the same x axis (the curve's range, or the histogram's when the curve is empty).
pub fn draw_transfer<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &TransferChart<'_>,
    locale: Locale,
) -> ChartResult {
    clear(root)?;
    let (x0, x1) = match (chart.curve.first(), chart.curve.last()) {
        (Some(a), Some(b)) if b.0 > a.0 => (a.0, b.0),
        _ => {
            let (lo, hi) = chart.histogram.range();
            if hi > lo { (lo, hi) } else { (-1.0, 1.0) }
        }
    };
    let (ylo, yhi) = span(chart.curve.iter().map(|p| p.1).chain([x0, x1]), (-1.0, 1.0));
    let (_, h) = root.dim_in_pixel();
    let (top, bottom) = root.split_vertically(h * 65 / 100);
    let mut c = Frame::new()
        .locale(locale)
        .label_areas(20, 56)
        .y_desc("Q(x)")
        .build(&top, x0..x1, ylo..yhi)?;
    let identity = [(x0, x0), (x1, x1)];
    c.draw_series(DashedLineSeries::new(
        identity,
        6,
        4,
        palette::GRID.stroke_width(1),
    ))
    .map_err(fail)?;
    let mut legend = Legend::default();
    legend.line("Q(x) = x", palette::GRID, 2);
    let steps = staircase(chart.curve);
    draw_lines(
        &mut c,
        &mut legend,
        [(steps, palette::QUANTIZED, "Q(x)")],
        2,
    )?;
    draw_legend(&c, &legend, SeriesLabelPosition::UpperLeft, 0.85)?;
    let mut b = Frame::new()
        .locale(locale)
        .x_desc("x")
        .y_desc(td_string!(locale, signal.chart_count))
        .label_counts(None, Some(3))
        .y_format(whole)
        .build(
            &bottom,
            x0..x1,
            0.0..count_top(chart.histogram.max_count(), 1.08),
        )?;
    let style = palette::INPUT.mix(0.7).filled();
    histogram_bars(&mut b, chart.histogram, style, |n| n as f64)?;
    present(root)
}

/// (b) The histogram of the error `e(n)` (green bars) with the bounds `±Δ/2` dashed.
///
/// `histogram`: [`analysis::error_histogram`]`(e, Δ, bins)`, whose symmetric range already
/// shows the bounds. `step` is `Δ` (for a non-uniform scheme e.g. its smallest step); the
/// bounds are left out when it is not finite and positive.
pub fn draw_error_histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    histogram: &analysis::Histogram,
    step: f64,
    locale: Locale,
) -> ChartResult {
    clear(root)?;
    let half = if step.is_finite() && step > 0.0 {
        Some(step / 2.0)
    } else {
        None
    };
    let (lo, hi) = histogram.range();
    let ends = [lo, hi].into_iter();
    let (x0, x1) = span(
        ends.chain(half.into_iter().flat_map(|h| [-h, h])),
        (-1.0, 1.0),
    );
    let top_count = count_top(histogram.max_count(), 1.1);
    let mut c = Frame::new()
        .locale(locale)
        .x_desc("e(n)")
        .y_desc(td_string!(locale, signal.chart_count))
        .y_format(whole)
        .build(root, x0..x1, 0.0..top_count)?;
    let style = palette::ERROR.mix(0.7).filled();
    histogram_bars(&mut c, histogram, style, |n| n as f64)?;
    if let Some(h) = half {
        for x in [-h, h] {
            let bound = vertical(x, (0.0, top_count), 6, BLACK.stroke_width(1));
            c.draw_series(bound).map_err(fail)?;
        }
        let mut legend = Legend::default();
        legend.line(format!("±Δ/2 = ±{}", localize(&short(h), locale)), BLACK, 2);
        draw_legend(&c, &legend, SeriesLabelPosition::UpperRight, 0.85)?;
    }
    present(root)
}

/// Picks one part of an error split.
type Part = fn(&ErrorSplit) -> f64;

/// A number for legends: three decimals, or scientific notation when very small or large.
fn short(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e4) {
        format!("{v:.2e}")
    } else {
        format!("{}", (v * 1e3).round() / 1e3)
    }
}

/// What the SNR-against-bits view shows.
#[derive(Debug, Clone, Copy)]
pub struct SnrBitsChart<'a> {
    /// `(bits, SNR dB)` measured on the signal: [`analysis::snr_vs_bits`]. Infinite SNRs
    /// (exact reconstruction) are left out of the drawing.
    pub measured: &'a [(u32, f64)],
    /// `(bits, 6.02·b + 1.76)`: [`analysis::sqnr_theory_line`], e.g. over `1..=16`.
    pub theory: &'a [(u32, f64)],
    /// The bit width of the current settings, marked by a vertical line (and a ring on its
    /// measured point); `None` for no mark.
    pub current_bits: Option<u32>,
}

/// (c) SNR against bits: the measured curve (vermillion, with dots), the theory line
/// `6.02·b + 1.76 dB` (black, dashed) and the current bits (orange).
pub fn draw_snr_vs_bits<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &SnrBitsChart<'_>,
    locale: Locale,
) -> ChartResult {
    clear(root)?;
    let finite = |s: &[(u32, f64)]| -> Vec<(f64, f64)> {
        s.iter()
            .filter(|p| p.1.is_finite())
            .map(|&(b, v)| (f64::from(b), v))
            .collect()
    };
    let measured = finite(chart.measured);
    let theory = finite(chart.theory);
    let bits = chart
        .measured
        .iter()
        .chain(chart.theory)
        .map(|p| f64::from(p.0));
    let (b0, b1) = bounds(bits.chain(chart.current_bits.map(f64::from)));
    let (b0, b1) = if b0.is_finite() {
        (b0 - 0.5, b1 + 0.5)
    } else {
        (0.5, 16.5)
    };
    let values = measured.iter().chain(&theory).map(|p| p.1);
    let (ylo, yhi) = span(values.chain([0.0]), (0.0, 100.0));
    let mut c = Frame::new()
        .locale(locale)
        .x_desc("bits")
        .y_desc("SNR (dB)")
        .x_format(whole)
        .build(root, b0..b1, ylo..yhi)?;
    let mut legend = Legend::default();
    if let Some(b) = chart.current_bits {
        let mark = vertical(f64::from(b), (ylo, yhi), 4, ORANGE.stroke_width(2));
        c.draw_series(mark).map_err(fail)?;
        legend.line(
            crate::tdf!(locale, signal.chart_current_bits, b = b),
            ORANGE,
            2,
        );
    }
    let theory_line = DashedLineSeries::new(theory.iter().copied(), 6, 4, BLACK.stroke_width(1));
    c.draw_series(theory_line).map_err(fail)?;
    legend.line(td_string!(locale, signal.chart_theory), BLACK, 2);
    draw_lines(
        &mut c,
        &mut legend,
        [(
            measured.clone(),
            palette::QUANTIZED,
            td_string!(locale, signal.chart_measured),
        )],
        2,
    )?;
    let dot = |&p: &(f64, f64)| Circle::new(p, 3, palette::QUANTIZED.filled());
    c.draw_series(measured.iter().map(dot)).map_err(fail)?;
    if let Some(b) = chart.current_bits {
        let current = measured.iter().filter(|p| p.0 == f64::from(b));
        let ring = |&p: &(f64, f64)| Circle::new(p, 6, ORANGE.stroke_width(2));
        c.draw_series(current.map(ring)).map_err(fail)?;
    }
    draw_legend(&c, &legend, SeriesLabelPosition::UpperLeft, 0.85)?;
    present(root)
}

/// What the companding view shows.
#[derive(Debug, Clone, Copy)]
pub struct LevelChart<'a> {
    /// The current signal's point: [`analysis::level_point`]`(x, bits, μ).ok()`; `None`
    /// (e.g. an all-zero signal) draws no mark.
    pub current: Option<LevelPoint>,
    /// SNR of both quantizers at each level, ascending levels:
    /// [`analysis::snr_vs_input_level`]`(bits, μ, &`[`analysis::default_levels_db`]`())`.
    pub curve: &'a [LevelPoint],
}

/// (d) SNR against input level, the classic companding figure: linear (blue) and μ-law
/// (purple) at the same bits, with the current signal's level as an orange vertical line
/// and its two points as orange-ringed dots. The x axis covers the curve's levels and the
/// current level; infinite SNRs are left out.
pub fn draw_snr_vs_level<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LevelChart<'_>,
    locale: Locale,
) -> ChartResult {
    clear(root)?;
    let points = chart.curve.iter().chain(chart.current.as_ref());
    let (x0, x1) = span(points.clone().map(|p| p.level_db), (-60.0, 0.0));
    let snrs = points.flat_map(|p| [p.snr_linear, p.snr_mulaw]);
    let (ylo, yhi) = span(snrs, (0.0, 60.0));
    let mut c = Frame::new()
        .locale(locale)
        .x_desc(td_string!(locale, signal.chart_input_level))
        .y_desc("SNR (dB)")
        .x_format(whole)
        .build(root, x0..x1, ylo..yhi)?;
    let series = |f: fn(&LevelPoint) -> f64| -> Vec<(f64, f64)> {
        chart
            .curve
            .iter()
            .map(|p| (p.level_db, f(p)))
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect()
    };
    let lines = [
        (
            series(|p| p.snr_linear),
            palette::INPUT,
            td_string!(locale, signal.chart_linear),
        ),
        (series(|p| p.snr_mulaw), PURPLE, "μ-law"),
    ];
    let mut legend = Legend::default();
    draw_lines(&mut c, &mut legend, lines, 2)?;
    if let Some(p) = chart.current.filter(|p| p.level_db.is_finite()) {
        let mark = vertical(p.level_db, (ylo, yhi), 4, ORANGE.stroke_width(1));
        c.draw_series(mark).map_err(fail)?;
        let this = crate::tdf!(
            locale,
            signal.chart_this_signal,
            level = localize(&format!("{:.1}", p.level_db), locale)
        );
        legend.line(this, ORANGE, 2);
        for (v, colour) in [(p.snr_linear, palette::INPUT), (p.snr_mulaw, PURPLE)] {
            if v.is_finite() {
                c.draw_series([
                    Circle::new((p.level_db, v), 6, ORANGE.stroke_width(2)),
                    Circle::new((p.level_db, v), 3, colour.filled()),
                ])
                .map_err(fail)?;
            }
        }
    }
    draw_legend(&c, &legend, SeriesLabelPosition::LowerRight, 0.85)?;
    present(root)
}

/// (e) Rounding (blue), clipping (vermillion) and total (black) MSE against the clip
/// threshold `α`, on a log axis, with the current clip as an orange vertical line and a
/// ring on its total; the legend sits at the bottom middle, between the rising rounding
/// and the falling clipping curve.
///
/// `tradeoff`: [`analysis::clip_tradeoff`]`(x, &scheme, points)` (linear schemes only;
/// the page hides this view for the others). Zero MSEs (no clipping at large `α`, exact
/// reconstruction) cannot sit on a log axis and are left out.
pub fn draw_clip_tradeoff<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    tradeoff: &ClipTradeoff,
    locale: Locale,
) -> ChartResult {
    clear(root)?;
    let all = tradeoff.sweep.iter().chain([&tradeoff.current]);
    let (x0, x1) = span(all.clone().map(|p| p.alpha), (0.0, 1.0));
    let mses = all.flat_map(|p| {
        let s = &p.split;
        [s.rounding_mse, s.clipping_mse, s.total_mse]
    });
    let (ylo, yhi) = bounds(mses.filter(|v| v.is_finite() && *v > 0.0));
    let (ylo, yhi) = if ylo.is_finite() {
        (ylo / 2.0, yhi * 2.0)
    } else {
        (1e-12, 1.0)
    };
    let mut c = Frame::new()
        .locale(locale)
        .label_areas(28, 64)
        .x_desc(td_string!(locale, signal.chart_clip_threshold))
        .y_desc("MSE")
        .y_format(|v| format!("{v:.0e}"))
        .build(root, x0..x1, (ylo..yhi).log_scale())?;
    let curve = |f: Part| -> Vec<(f64, f64)> {
        tradeoff
            .sweep
            .iter()
            .map(|p| (p.alpha, f(&p.split)))
            .filter(|p| p.0.is_finite() && p.1.is_finite() && p.1 > 0.0)
            .collect()
    };
    let cur = tradeoff.current;
    let mut legend = Legend::default();
    if cur.alpha.is_finite() {
        let mark = vertical(cur.alpha, (ylo, yhi), 4, ORANGE.stroke_width(1));
        c.draw_series(mark).map_err(fail)?;
        let alpha = crate::tdf!(
            locale,
            signal.chart_current_alpha,
            alpha = localize(&short(cur.alpha), locale)
        );
        legend.line(alpha, ORANGE, 2);
    }
    let lines = [
        (
            curve(|s| s.rounding_mse),
            palette::INPUT,
            td_string!(locale, signal.chart_rounding),
        ),
        (
            curve(|s| s.clipping_mse),
            palette::QUANTIZED,
            td_string!(locale, signal.chart_clipping),
        ),
        (
            curve(|s| s.total_mse),
            BLACK,
            td_string!(locale, signal.chart_total),
        ),
    ];
    draw_lines(&mut c, &mut legend, lines, 2)?;
    let total = cur.split.total_mse;
    if cur.alpha.is_finite() && total.is_finite() && total > 0.0 {
        let ring = Circle::new((cur.alpha, total), 6, ORANGE.stroke_width(2));
        c.draw_series([ring]).map_err(fail)?;
    }
    draw_legend(&c, &legend, SeriesLabelPosition::LowerMiddle, 0.85)?;
    present(root)
}
