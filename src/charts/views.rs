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
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use quantlab_core::analysis::{self, ClipTradeoff, LevelPoint};
use quantlab_core::clipping::ErrorSplit;

use super::palette;

/// More Okabe–Ito colours for the series the shared palette has no name for.
pub mod extra {
    use plotters::style::RGBColor;
    /// Black: totals and theory lines.
    pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
    /// Orange: the current setting's marker.
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Reddish purple: the second scheme of a comparison (μ-law).
    pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
}

fn fail<E: std::fmt::Debug>(e: E) -> String {
    format!("chart could not be drawn: {e:?}")
}

/// `[lo, hi]` of the finite values, padded by 6 % (at least a little, so a single value or
/// constant data still gets a range); `fallback` when there is none.
fn span(values: impl IntoIterator<Item = f64>, fallback: (f64, f64)) -> (f64, f64) {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !(lo.is_finite() && hi.is_finite()) {
        return fallback;
    }
    let pad = ((hi - lo) * 0.06)
        .max(hi.abs().max(lo.abs()) * 1e-3)
        .max(1e-9);
    (lo - pad, hi + pad)
}

fn legend_line(color: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2))
}

/// Draws histogram bars on a chart whose x axis is the value and y axis the count.
fn bars<DB: DrawingBackend>(
    c: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    hist: &analysis::Histogram,
    color: RGBColor,
) -> Result<(), String> {
    c.draw_series(
        hist.bars()
            .filter(|&(_, _, n)| n > 0)
            .map(|(a, b, n)| Rectangle::new([(a, 0.0), (b, n as f64)], color.mix(0.7).filled())),
    )
    .map_err(fail)?;
    Ok(())
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
) -> Result<(), String> {
    root.fill(&WHITE).map_err(fail)?;
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
    let mut c = ChartBuilder::on(&top)
        .margin(8)
        .x_label_area_size(20)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, ylo..yhi)
        .map_err(fail)?;
    c.configure_mesh()
        .disable_mesh()
        .y_desc("Q(x)")
        .draw()
        .map_err(fail)?;
    c.draw_series(DashedLineSeries::new(
        [(x0, x0), (x1, x1)],
        6,
        4,
        palette::GRID.stroke_width(1),
    ))
    .map_err(fail)?
    .label("Q(x) = x")
    .legend(legend_line(palette::GRID));
    c.draw_series(LineSeries::new(
        super::staircase(chart.curve),
        palette::QUANTIZED.stroke_width(2),
    ))
    .map_err(fail)?
    .label("Q(x)")
    .legend(legend_line(palette::QUANTIZED));
    c.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(palette::GRID)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(fail)?;
    let top_count = chart.histogram.max_count().max(1) as f64 * 1.08;
    let mut b = ChartBuilder::on(&bottom)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, 0.0..top_count)
        .map_err(fail)?;
    b.configure_mesh()
        .disable_mesh()
        .x_desc("x")
        .y_desc("count")
        .y_labels(3)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(fail)?;
    bars(&mut b, chart.histogram, palette::INPUT)?;
    root.present().map_err(fail)
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
) -> Result<(), String> {
    root.fill(&WHITE).map_err(fail)?;
    let half = if step.is_finite() && step > 0.0 {
        Some(step / 2.0)
    } else {
        None
    };
    let (lo, hi) = histogram.range();
    let (x0, x1) = span(
        [lo, hi]
            .into_iter()
            .chain(half.into_iter().flat_map(|h| [-h, h])),
        (-1.0, 1.0),
    );
    let top_count = histogram.max_count().max(1) as f64 * 1.1;
    let mut c = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, 0.0..top_count)
        .map_err(fail)?;
    c.configure_mesh()
        .disable_mesh()
        .x_desc("e(n)")
        .y_desc("count")
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(fail)?;
    bars(&mut c, histogram, palette::ERROR)?;
    if let Some(h) = half {
        for (i, x) in [-h, h].into_iter().enumerate() {
            let s = c
                .draw_series(DashedLineSeries::new(
                    [(x, 0.0), (x, top_count)],
                    6,
                    4,
                    extra::BLACK.stroke_width(1),
                ))
                .map_err(fail)?;
            if i == 0 {
                s.label(format!("±Δ/2 = ±{}", short(h)))
                    .legend(legend_line(extra::BLACK));
            }
        }
        c.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(palette::GRID)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(fail)?;
    }
    root.present().map_err(fail)
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
) -> Result<(), String> {
    root.fill(&WHITE).map_err(fail)?;
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
        .map(|p| f64::from(p.0))
        .chain(chart.current_bits.map(f64::from));
    let (b0, b1) = bits.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (b0, b1) = if b0.is_finite() {
        (b0 - 0.5, b1 + 0.5)
    } else {
        (0.5, 16.5)
    };
    let (ylo, yhi) = span(
        measured.iter().chain(&theory).map(|p| p.1).chain([0.0]),
        (0.0, 100.0),
    );
    let mut c = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(b0..b1, ylo..yhi)
        .map_err(fail)?;
    c.configure_mesh()
        .disable_mesh()
        .x_desc("bits")
        .y_desc("SNR (dB)")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(fail)?;
    if let Some(b) = chart.current_bits {
        let x = f64::from(b);
        c.draw_series(DashedLineSeries::new(
            [(x, ylo), (x, yhi)],
            4,
            4,
            extra::ORANGE.stroke_width(2),
        ))
        .map_err(fail)?
        .label(format!("current: {b} bits"))
        .legend(legend_line(extra::ORANGE));
    }
    c.draw_series(DashedLineSeries::new(
        theory.iter().copied(),
        6,
        4,
        extra::BLACK.stroke_width(1),
    ))
    .map_err(fail)?
    .label("6.02·b + 1.76 dB")
    .legend(legend_line(extra::BLACK));
    c.draw_series(LineSeries::new(
        measured.iter().copied(),
        palette::QUANTIZED.stroke_width(2),
    ))
    .map_err(fail)?
    .label("measured")
    .legend(legend_line(palette::QUANTIZED));
    c.draw_series(
        measured
            .iter()
            .map(|&p| Circle::new(p, 3, palette::QUANTIZED.filled())),
    )
    .map_err(fail)?;
    if let Some(b) = chart.current_bits {
        c.draw_series(
            measured
                .iter()
                .filter(|p| p.0 == f64::from(b))
                .map(|&p| Circle::new(p, 6, extra::ORANGE.stroke_width(2))),
        )
        .map_err(fail)?;
    }
    c.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(palette::GRID)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(fail)?;
    root.present().map_err(fail)
}

/// What the companding view shows.
#[derive(Debug, Clone, Copy)]
pub struct LevelChart<'a> {
    /// SNR of both quantizers at each level, ascending levels:
    /// [`analysis::snr_vs_input_level`]`(bits, μ, &`[`analysis::default_levels_db`]`())`.
    pub curve: &'a [LevelPoint],
    /// The current signal's point: [`analysis::level_point`]`(x, bits, μ).ok()`; `None`
    /// (e.g. an all-zero signal) draws no mark.
    pub current: Option<LevelPoint>,
}

/// (d) SNR against input level, the classic companding figure: linear (blue) and μ-law
/// (purple) at the same bits, with the current signal's level as an orange vertical line
/// and its two points as orange-ringed dots. The x axis covers the curve's levels and the
/// current level; infinite SNRs are left out.
pub fn draw_snr_vs_level<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LevelChart<'_>,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(fail)?;
    let points = chart.curve.iter().chain(chart.current.as_ref());
    let (x0, x1) = span(points.clone().map(|p| p.level_db), (-60.0, 0.0));
    let (ylo, yhi) = span(
        points.flat_map(|p| [p.snr_linear, p.snr_mulaw]),
        (0.0, 60.0),
    );
    let mut c = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, ylo..yhi)
        .map_err(fail)?;
    c.configure_mesh()
        .disable_mesh()
        .x_desc("input level (dB below full scale)")
        .y_desc("SNR (dB)")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(fail)?;
    let series = |f: fn(&LevelPoint) -> f64| -> Vec<(f64, f64)> {
        chart
            .curve
            .iter()
            .map(|p| (p.level_db, f(p)))
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect()
    };
    c.draw_series(LineSeries::new(
        series(|p| p.snr_linear),
        palette::INPUT.stroke_width(2),
    ))
    .map_err(fail)?
    .label("linear (uniform)")
    .legend(legend_line(palette::INPUT));
    c.draw_series(LineSeries::new(
        series(|p| p.snr_mulaw),
        extra::PURPLE.stroke_width(2),
    ))
    .map_err(fail)?
    .label("μ-law")
    .legend(legend_line(extra::PURPLE));
    if let Some(p) = chart.current.filter(|p| p.level_db.is_finite()) {
        c.draw_series(DashedLineSeries::new(
            [(p.level_db, ylo), (p.level_db, yhi)],
            4,
            4,
            extra::ORANGE.stroke_width(1),
        ))
        .map_err(fail)?
        .label(format!("this signal: {:.1} dBFS", p.level_db))
        .legend(legend_line(extra::ORANGE));
        for (v, color) in [(p.snr_linear, palette::INPUT), (p.snr_mulaw, extra::PURPLE)] {
            if v.is_finite() {
                c.draw_series([
                    Circle::new((p.level_db, v), 6, extra::ORANGE.stroke_width(2)),
                    Circle::new((p.level_db, v), 3, color.filled()),
                ])
                .map_err(fail)?;
            }
        }
    }
    c.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(palette::GRID)
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(fail)?;
    root.present().map_err(fail)
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
) -> Result<(), String> {
    root.fill(&WHITE).map_err(fail)?;
    let all = tradeoff.sweep.iter().chain([&tradeoff.current]);
    let (x0, x1) = span(all.clone().map(|p| p.alpha), (0.0, 1.0));
    let (ylo, yhi) = all
        .flat_map(|p| {
            [
                p.split.rounding_mse,
                p.split.clipping_mse,
                p.split.total_mse,
            ]
        })
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (ylo, yhi) = if ylo.is_finite() {
        (ylo / 2.0, yhi * 2.0)
    } else {
        (1e-12, 1.0)
    };
    let mut c = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, (ylo..yhi).log_scale())
        .map_err(fail)?;
    c.configure_mesh()
        .disable_mesh()
        .x_desc("clip threshold α")
        .y_desc("MSE")
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()
        .map_err(fail)?;
    let curve = |f: Part| -> Vec<(f64, f64)> {
        tradeoff
            .sweep
            .iter()
            .map(|p| (p.alpha, f(&p.split)))
            .filter(|p| p.0.is_finite() && p.1.is_finite() && p.1 > 0.0)
            .collect()
    };
    let cur = tradeoff.current;
    if cur.alpha.is_finite() {
        c.draw_series(DashedLineSeries::new(
            [(cur.alpha, ylo), (cur.alpha, yhi)],
            4,
            4,
            extra::ORANGE.stroke_width(1),
        ))
        .map_err(fail)?
        .label(format!("current: α = {}", short(cur.alpha)))
        .legend(legend_line(extra::ORANGE));
    }
    let lines: [(Part, RGBColor, &str); 3] = [
        (|s| s.rounding_mse, palette::INPUT, "rounding"),
        (|s| s.clipping_mse, palette::QUANTIZED, "clipping"),
        (|s| s.total_mse, extra::BLACK, "total"),
    ];
    for (f, color, name) in lines {
        c.draw_series(LineSeries::new(curve(f), color.stroke_width(2)))
            .map_err(fail)?
            .label(name)
            .legend(legend_line(color));
    }
    let total = cur.split.total_mse;
    if cur.alpha.is_finite() && total.is_finite() && total > 0.0 {
        c.draw_series([Circle::new(
            (cur.alpha, total),
            6,
            extra::ORANGE.stroke_width(2),
        )])
        .map_err(fail)?;
    }
    c.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(palette::GRID)
        .position(SeriesLabelPosition::LowerMiddle)
        .draw()
        .map_err(fail)?;
    root.present().map_err(fail)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use quantlab_core::quantizer::{Mode, Scheme, SchemeKind};

    const BLUE: &str = "#0072B2";
    const VERMILLION: &str = "#D55E00";
    const GREEN: &str = "#009E73";
    const PURPLE: &str = "#CC79A7";
    const ORANGE: &str = "#E69F00";

    /// Renders `draw` into an SVG string of 640 × 360 pixels.
    fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>) -> String {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (640, 360)).into_drawing_area();
            draw(&root).unwrap();
        }
        out
    }

    /// Number of polylines (series and legend samples) stroked in `color` at width 2.
    fn thick_lines(svg: &str, color: &str) -> usize {
        svg.matches(&format!("stroke=\"{color}\" stroke-width=\"2\" points="))
            .count()
    }

    /// Number of filled rectangles (histogram bars) in `color`.
    fn filled_rects(svg: &str, color: &str) -> usize {
        svg.matches(&format!("fill=\"{color}\" stroke=\"none\""))
            .count()
    }

    fn sine(n: usize) -> Vec<f32> {
        (0..n).map(|i| (i as f32 * 0.05).sin()).collect()
    }

    fn transfer_svg(x: &[f32], scheme: &Scheme, bins: usize) -> (String, analysis::Histogram) {
        let curve = analysis::transfer_curve(scheme, x, 512).unwrap();
        let range = analysis::transfer_range(x).unwrap();
        let histogram = analysis::histogram(x, bins, Some(range)).unwrap();
        let chart = TransferChart {
            curve: &curve,
            histogram: &histogram,
        };
        (svg(|root| draw_transfer(root, &chart)), histogram)
    }

    #[test]
    fn the_transfer_view_draws_the_staircase_over_one_bar_per_filled_bin() {
        let x = sine(1000);
        let scheme = Scheme {
            bits: 3,
            ..Scheme::default()
        };
        let (s, h) = transfer_svg(&x, &scheme, 40);
        // The staircase and its legend sample; the identity line is dashed and thin.
        assert_eq!(thick_lines(&s, VERMILLION), 2, "{s}");
        let filled = h.counts.iter().filter(|&&c| c > 0).count();
        assert!(filled > 20);
        assert_eq!(filled_rects(&s, BLUE), filled);
        for label in ["Q(x)", "\nx\n</text>", "count", "Q(x) = x"] {
            assert!(s.contains(label), "{label}");
        }
        // One staircase polyline with two points per step of the curve.
        let steps = s
            .split("<polyline")
            .find(|p| p.contains(&format!("stroke=\"{VERMILLION}\" stroke-width=\"2\"")))
            .map(|p| {
                p.split("points=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
            })
            .unwrap();
        assert_eq!(steps.split_whitespace().count(), 2 * 512 - 1);
    }

    #[test]
    fn the_transfer_view_copes_with_one_sample_constant_data_and_every_scheme() {
        for x in [vec![0.3f32], vec![2.0; 50], vec![0.0; 3]] {
            for kind in SchemeKind::ALL {
                let scheme = Scheme {
                    scheme: kind,
                    bits: 2,
                    ..Scheme::default()
                };
                let (s, _) = transfer_svg(&x, &scheme, 16);
                assert_eq!(filled_rects(&s, BLUE), 1, "{kind:?} {x:?}");
                assert_eq!(thick_lines(&s, VERMILLION), 2, "{kind:?} {x:?}");
            }
        }
        // Nothing at all: empty axes, no error.
        let h = analysis::histogram(&[1.0], 4, None).unwrap();
        let s = svg(|root| {
            draw_transfer(
                root,
                &TransferChart {
                    curve: &[],
                    histogram: &h,
                },
            )
        });
        assert!(s.contains("count"));
    }

    #[test]
    fn the_error_histogram_marks_both_half_step_bounds() {
        let x = sine(2000);
        let scheme = Scheme {
            bits: 4,
            mode: Mode::AsymFloat,
            ..Scheme::default()
        };
        let q = scheme.fit(&x, &[]).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        let e: Vec<f32> = x.iter().zip(&y).map(|(a, b)| a - b).collect();
        let (lo, hi) = x
            .iter()
            .fold((f32::MAX, f32::MIN), |m, &v| (m.0.min(v), m.1.max(v)));
        let step = f64::from(hi - lo) / 15.0;
        let h = analysis::error_histogram(&e, step, 30).unwrap();
        let s = svg(|root| draw_error_histogram(root, &h, step));
        let filled = h.counts.iter().filter(|&&c| c > 0).count();
        assert!(filled > 20, "{filled}");
        assert_eq!(filled_rects(&s, GREEN), filled);
        assert!(s.contains("±Δ/2 = ±"), "{s}");
        assert!(s.contains("e(n)") && s.contains("count"));
        // Two dashed bounds (many short black segments) plus the legend sample.
        let black = s
            .matches("stroke=\"#000000\" stroke-width=\"1\" points=")
            .count();
        assert!(black >= 3, "{black}");
    }

    #[test]
    fn the_error_histogram_of_an_exact_reconstruction_has_no_bounds_and_no_error() {
        let h = analysis::error_histogram(&[0.0; 5], 0.0, 10).unwrap();
        let s = svg(|root| draw_error_histogram(root, &h, 0.0));
        assert_eq!(filled_rects(&s, GREEN), 1);
        assert!(!s.contains("Δ/2"));
        let one = analysis::error_histogram(&[0.01], f64::NAN, 10).unwrap();
        let s = svg(|root| draw_error_histogram(root, &one, f64::NAN));
        assert_eq!(filled_rects(&s, GREEN), 1);
    }

    #[test]
    fn snr_vs_bits_draws_the_measured_curve_its_dots_the_theory_and_the_current_bits() {
        let x = sine(4000);
        let scheme = Scheme {
            bits: 6,
            mode: Mode::MidRise,
            ..Scheme::default()
        };
        let measured = analysis::snr_vs_bits(&x, &scheme).unwrap();
        let theory = analysis::sqnr_theory_line(1, 16);
        let chart = SnrBitsChart {
            measured: &measured,
            theory: &theory,
            current_bits: Some(6),
        };
        let s = svg(|root| draw_snr_vs_bits(root, &chart));
        assert_eq!(thick_lines(&s, VERMILLION), 2);
        // 16 dots, plus the ring on the current point.
        assert_eq!(s.matches(&format!("fill=\"{VERMILLION}\"")).count(), 16);
        assert!(s.matches("<circle").count() >= 17);
        for label in [
            "SNR (dB)",
            "bits",
            "6.02·b + 1.76 dB",
            "current: 6 bits",
            "measured",
        ] {
            assert!(s.contains(label), "{label}");
        }
        assert!(s.contains(&format!("stroke=\"{ORANGE}\"")));
    }

    #[test]
    fn snr_vs_bits_leaves_out_infinite_points_and_draws_empty_input() {
        let measured = analysis::snr_vs_bits(&[1.5; 10], &Scheme::default()).unwrap();
        assert!(measured.iter().all(|p| p.1.is_infinite()));
        let theory = analysis::sqnr_theory_line(1, 16);
        for (m, t, b) in [
            (&measured[..], &theory[..], Some(8)),
            (&[][..], &[][..], None),
            (&[(8, 40.0)][..], &[][..], Some(8)),
        ] {
            let chart = SnrBitsChart {
                measured: m,
                theory: t,
                current_bits: b,
            };
            let s = svg(|root| draw_snr_vs_bits(root, &chart));
            assert!(s.contains("SNR (dB)"));
            assert!(!s.contains("inf") && !s.contains("NaN"));
        }
    }

    #[test]
    fn the_companding_view_draws_linear_and_mu_law_and_the_current_point() {
        let curve = analysis::snr_vs_input_level(8, 255.0, &analysis::default_levels_db()).unwrap();
        let current: Vec<f32> = sine(1000).iter().map(|v| v * 0.1).collect();
        let chart = LevelChart {
            curve: &curve,
            current: Some(analysis::level_point(&current, 8, 255.0).unwrap()),
        };
        let s = svg(|root| draw_snr_vs_level(root, &chart));
        assert_eq!(thick_lines(&s, BLUE), 2);
        assert_eq!(thick_lines(&s, PURPLE), 2);
        // Two orange rings with a dot inside each.
        assert_eq!(s.matches("<circle").count(), 4);
        assert_eq!(s.matches(&format!("fill=\"{PURPLE}\"")).count(), 1);
        for label in [
            "input level (dB below full scale)",
            "SNR (dB)",
            "linear (uniform)",
            "μ-law",
            "this signal: -20.0 dBFS",
        ] {
            assert!(s.contains(label), "{label}: {s}");
        }
    }

    #[test]
    fn the_companding_view_without_a_current_point_or_curve_still_draws() {
        let curve = analysis::snr_vs_input_level(4, 100.0, &[-30.0, 0.0]).unwrap();
        for (c, p) in [
            (&curve[..], None),
            (&[][..], None),
            (
                &[][..],
                Some(LevelPoint {
                    level_db: 3.0,
                    snr_linear: f64::INFINITY,
                    snr_mulaw: 10.0,
                }),
            ),
        ] {
            let s = svg(|root| {
                draw_snr_vs_level(
                    root,
                    &LevelChart {
                        curve: c,
                        current: p,
                    },
                )
            });
            assert!(s.contains("SNR (dB)"));
        }
    }

    #[test]
    fn the_clip_view_draws_rounding_clipping_and_total_with_the_current_clip() {
        let x: Vec<f32> = (0..3000)
            .map(|i| {
                let u = ((i as f64 * 0.618_034).fract() - 0.5).clamp(-0.4999, 0.4999);
                (-u.signum() * (1.0 - 2.0 * u.abs()).ln()) as f32
            })
            .collect();
        let scheme = Scheme {
            bits: 4,
            mode: Mode::Sym,
            clip: quantlab_core::clipping::ClipKind::Mse,
            ..Scheme::default()
        };
        let t = analysis::clip_tradeoff(&x, &scheme, 60).unwrap();
        let s = svg(|root| draw_clip_tradeoff(root, &t));
        assert_eq!(thick_lines(&s, BLUE), 2, "rounding");
        assert_eq!(thick_lines(&s, VERMILLION), 2, "clipping");
        assert_eq!(thick_lines(&s, "#000000"), 2, "total");
        assert_eq!(s.matches("<circle").count(), 1);
        for label in [
            "clip threshold α",
            "MSE",
            "rounding",
            "clipping",
            "total",
            "current: α = ",
        ] {
            assert!(s.contains(label), "{label}");
        }
    }

    #[test]
    fn the_clip_view_of_constant_or_single_sample_data_does_not_fail() {
        for x in [vec![0.25f32; 8], vec![-1.0f32], vec![0.0f32; 4]] {
            let t = analysis::clip_tradeoff(&x, &Scheme::default(), 10).unwrap();
            let s = svg(|root| draw_clip_tradeoff(root, &t));
            assert!(s.contains("MSE"), "{x:?}");
        }
    }
}
