//! What every chart shares, so that each chart reads as data → series:
//!
//! - [`Frame`]: the cartesian frame (caption, margins, label areas, axis descriptions and
//!   label formats, grid) built on a drawing area over an x and a y range, returned as the
//!   [`ChartContext`] ready for series;
//! - [`draw_lines`], [`Legend`] and [`draw_legend`] (in `legend.rs`, re-exported here):
//!   labelled lines, the legend entries and the legend box;
//! - [`bounds`], [`pad`] and [`span`]: ranges of data, padded so that nothing sits on the
//!   frame; [`count_top`]: the top of a count axis;
//! - [`histogram_bars`]: a histogram's filled bins as bars;
//! - [`ChartResult`] and [`fail`]: the one chart error (a message for the console);
//! - [`clear`] and [`present`]: the white page a chart starts on, and its hand-over.

use plotters::coord::Shift;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use quantlab_core::analysis::Histogram;

pub use super::legend::{Legend, draw_legend, draw_lines};

/// What drawing a chart returns; the error is a message for the console.
pub type ChartResult<T = ()> = Result<T, String>;

/// A tick label with a decimal comma: `0.25` → `0,25`, `1e-3` stays (no point in it).
pub fn decimal_comma(text: &str) -> String {
    text.replace('.', ",")
}

/// The chart error: any plotters (backend or layout) error as a message.
pub fn fail<E: std::fmt::Debug>(e: E) -> String {
    format!("chart could not be drawn: {e:?}")
}

/// Fills `root` white: every chart starts on a blank page.
pub fn clear<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>) -> ChartResult {
    root.fill(&WHITE).map_err(fail)
}

/// Hands what was drawn on `root` to the backend.
pub fn present<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>) -> ChartResult {
    root.present().map_err(fail)
}

/// An axis label format.
pub type Labels = fn(&f64) -> String;

/// Whole numbers: sample indices, bits, dB, counts.
pub fn whole(v: &f64) -> String {
    format!("{v:.0}")
}

/// The font of a frame's caption.
const CAPTION_FONT: (&str, i32) = ("sans-serif", 15);

/// Space around a frame, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Margins {
    /// Above the plot (and the caption).
    pub top: u32,
    /// Right of the plot.
    pub right: u32,
    /// Below the x labels.
    pub bottom: u32,
    /// Left of the y labels.
    pub left: u32,
}

impl Margins {
    /// The same margin on all four sides.
    pub const fn all(px: u32) -> Self {
        Self {
            top: px,
            right: px,
            bottom: px,
            left: px,
        }
    }

    /// These margins with `px` on the right.
    pub const fn right(self, px: u32) -> Self {
        Self { right: px, ..self }
    }

    /// These margins with `px` on the left.
    pub const fn left(self, px: u32) -> Self {
        Self { left: px, ..self }
    }
}

/// The grid lines of a frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Grid {
    /// None (most charts: the data and its reference lines are the grid).
    Off,
    /// plotters' bold lines on both axes, the light ones white.
    Bold,
    /// Vertical lines only: the bold ones in this style, the light ones left out.
    Vertical(ShapeStyle),
}

/// The cartesian frame of a chart: everything but the data. [`Frame::new`] is the common
/// frame (8 px margins, label areas of 28 px under and 56 px left of the plot, no grid,
/// plotters' label counts and formats); the other methods change one part each, and
/// [`Frame::build`] draws it.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'s> {
    caption: Option<&'s str>,
    x_desc: Option<&'s str>,
    y_desc: Option<&'s str>,
    margins: Margins,
    x_area: u32,
    y_area: u32,
    x_labels: Option<usize>,
    y_labels: Option<usize>,
    x_format: Option<Labels>,
    y_format: Option<Labels>,
    x_axis: bool,
    y_axis: bool,
    grid: Grid,
    comma: bool,
}

impl Default for Frame<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'s> Frame<'s> {
    /// The common frame.
    pub const fn new() -> Self {
        Self {
            caption: None,
            x_desc: None,
            y_desc: None,
            margins: Margins::all(8),
            x_area: 28,
            y_area: 56,
            x_labels: None,
            y_labels: None,
            x_format: None,
            y_format: None,
            x_axis: true,
            y_axis: true,
            grid: Grid::Off,
            comma: false,
        }
    }

    /// Tick labels written as `locale` writes numbers (a decimal comma in Portuguese).
    pub fn locale(self, locale: crate::lang::Locale) -> Self {
        Self {
            comma: locale == crate::lang::Locale::pt_BR,
            ..self
        }
    }

    /// A caption above the plot.
    pub const fn caption(self, text: &'s str) -> Self {
        Self {
            caption: Some(text),
            ..self
        }
    }

    /// What the x axis shows.
    pub const fn x_desc(self, text: &'s str) -> Self {
        Self {
            x_desc: Some(text),
            ..self
        }
    }

    /// What the y axis shows.
    pub const fn y_desc(self, text: &'s str) -> Self {
        Self {
            y_desc: Some(text),
            ..self
        }
    }

    /// The space around the frame.
    pub const fn margins(self, margins: Margins) -> Self {
        Self { margins, ..self }
    }

    /// Heights of the x labels' area (under the plot) and widths of the y labels' (left of
    /// it), in pixels; 0 for none.
    pub const fn label_areas(self, x_area: u32, y_area: u32) -> Self {
        Self {
            x_area,
            y_area,
            ..self
        }
    }

    /// About how many labels each axis gets (plotters' default where `None`).
    pub const fn label_counts(self, x_labels: Option<usize>, y_labels: Option<usize>) -> Self {
        Self {
            x_labels,
            y_labels,
            ..self
        }
    }

    /// The x labels' format.
    pub const fn x_format(self, format: Labels) -> Self {
        Self {
            x_format: Some(format),
            ..self
        }
    }

    /// The y labels' format.
    pub const fn y_format(self, format: Labels) -> Self {
        Self {
            y_format: Some(format),
            ..self
        }
    }

    /// Leaves out the x axis (line, ticks and labels).
    pub const fn without_x_axis(self) -> Self {
        Self {
            x_axis: false,
            ..self
        }
    }

    /// Leaves out the y axis (line, ticks and labels).
    pub const fn without_y_axis(self) -> Self {
        Self {
            y_axis: false,
            ..self
        }
    }

    /// The grid lines.
    pub const fn grid(self, grid: Grid) -> Self {
        Self { grid, ..self }
    }

    /// Draws the frame on `area` over `x` × `y` (plain `f64` ranges, or e.g. a
    /// `(lo..hi).log_scale()`) and returns the chart, ready for its series.
    #[allow(clippy::type_complexity)]
    pub fn build<'a, DB, X, Y>(
        &self,
        area: &'a DrawingArea<DB, Shift>,
        x: X,
        y: Y,
    ) -> ChartResult<ChartContext<'a, DB, Cartesian2d<X::CoordDescType, Y::CoordDescType>>>
    where
        DB: DrawingBackend,
        X: AsRangedCoord<Value = f64>,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let m = self.margins;
        let mut builder = ChartBuilder::on(area);
        builder
            .margin_top(m.top)
            .margin_right(m.right)
            .margin_bottom(m.bottom)
            .margin_left(m.left)
            .x_label_area_size(self.x_area)
            .y_label_area_size(self.y_area);
        if let Some(text) = self.caption {
            builder.caption(text, CAPTION_FONT);
        }
        let mut chart = builder.build_cartesian_2d(x, y).map_err(fail)?;
        let mut mesh = chart.configure_mesh();
        match self.grid {
            Grid::Off => {
                mesh.disable_mesh();
            }
            Grid::Bold => {
                mesh.light_line_style(WHITE);
            }
            Grid::Vertical(style) => {
                mesh.disable_y_mesh()
                    .light_line_style(TRANSPARENT)
                    .bold_line_style(style);
            }
        }
        if !self.x_axis {
            mesh.disable_x_axis();
        }
        if !self.y_axis {
            mesh.disable_y_axis();
        }
        if let Some(n) = self.x_labels {
            mesh.x_labels(n);
        }
        if let Some(n) = self.y_labels {
            mesh.y_labels(n);
        }
        if let Some(text) = self.x_desc {
            mesh.x_desc(text);
        }
        if let Some(text) = self.y_desc {
            mesh.y_desc(text);
        }
        let comma = self.comma;
        let (x_format, y_format) = (self.x_format, self.y_format);
        let x_label = move |v: &f64| {
            let text = x_format.map_or_else(|| X::CoordDescType::format(v), |f| f(v));
            if comma { decimal_comma(&text) } else { text }
        };
        let y_label = move |v: &f64| {
            let text = y_format.map_or_else(|| Y::CoordDescType::format(v), |f| f(v));
            if comma { decimal_comma(&text) } else { text }
        };
        if comma || x_format.is_some() {
            mesh.x_label_formatter(&x_label);
        }
        if comma || y_format.is_some() {
            mesh.y_label_formatter(&y_label);
        }
        mesh.draw().map_err(fail)?;
        Ok(chart)
    }
}

/// `(min, max)` of `values`, NaN left out; `(∞, −∞)` when there is none.
pub fn bounds(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values
        .into_iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        })
}

/// `[lo, hi]` widened on both sides by `frac` of its width (at least a thousandth of its
/// magnitude and `floor`, so a single value or constant data still gets a range);
/// `fallback` when either end is not finite.
pub fn pad(lo: f64, hi: f64, frac: f64, floor: f64, fallback: (f64, f64)) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return fallback;
    }
    let pad = ((hi - lo) * frac)
        .max(hi.abs().max(lo.abs()) * 1e-3)
        .max(floor);
    (lo - pad, hi + pad)
}

/// The range of the finite `values`, padded by 6 %; `fallback` when there is none.
pub fn span(values: impl IntoIterator<Item = f64>, fallback: (f64, f64)) -> (f64, f64) {
    let (lo, hi) = bounds(values.into_iter().filter(|v| v.is_finite()));
    pad(lo, hi, 0.06, 1e-9, fallback)
}

/// The top of a count axis: the largest count (at least 1) with `headroom` (e.g. 1.1).
pub fn count_top(max_count: usize, headroom: f64) -> f64 {
    max_count.max(1) as f64 * headroom
}

/// A chart whose axes are both plain `f64` ranges.
pub type Plane<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws the filled bins of `hist` as bars from 0 to `height(count)` on a chart whose x
/// axis is the value.
pub fn histogram_bars<DB: DrawingBackend>(
    chart: &mut Plane<'_, DB>,
    hist: &Histogram,
    style: ShapeStyle,
    height: impl Fn(usize) -> f64,
) -> ChartResult {
    chart
        .draw_series(
            hist.bars()
                .filter(|&(_, _, n)| n > 0)
                .map(|(a, b, n)| Rectangle::new([(a, 0.0), (b, height(n))], style)),
        )
        .map_err(fail)?;
    Ok(())
}

/// Asserts that `svg` contains each of `texts` (axis descriptions, legend entries, tick
/// labels as `"\n5\n</text>"`), showing the SVG when one is missing.
#[cfg(test)]
pub(crate) fn assert_texts(svg: &str, texts: &[&str]) {
    for text in texts {
        assert!(svg.contains(text), "{text:?} is missing from {svg}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_padded_and_fall_back_when_there_is_no_data() {
        assert_eq!(bounds([2.0, f64::NAN, -1.0]), (-1.0, 2.0));
        assert_eq!(span([], (0.0, 1.0)), (0.0, 1.0));
        assert_eq!(span([f64::INFINITY], (0.0, 1.0)), (0.0, 1.0));
        let (lo, hi) = span([0.0, 100.0], (0.0, 1.0));
        assert!((lo + 6.0).abs() < 1e-9 && (hi - 106.0).abs() < 1e-9);
        let (lo, hi) = span([5.0], (0.0, 1.0));
        assert!(lo < 5.0 && hi > 5.0);
        assert_eq!(
            pad(f64::NEG_INFINITY, 1.0, 0.1, 0.0, (-1.0, 1.0)),
            (-1.0, 1.0)
        );
        assert_eq!(count_top(0, 1.1), 1.1);
    }

    #[test]
    fn the_frame_draws_its_descriptions_caption_and_labels() {
        let svg = super::super::to_svg((320, 200), |root| {
            clear(root)?;
            Frame::new()
                .caption("a caption")
                .x_desc("along")
                .y_desc("up")
                .x_format(|v| format!("<{v:.0}>"))
                .grid(Grid::Bold)
                .build(root, 0.0..10.0, (1.0..100.0).log_scale())?;
            present(root)
        })
        .unwrap_or_default();
        assert_texts(&svg, &["a caption", "along", "up", "&lt;5&gt;"]);
    }
}
