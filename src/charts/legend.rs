//! A chart's legend, laid out here rather than by plotters' series labels: see [`Legend`].

use plotters::coord::CoordTranslate;
use plotters::prelude::*;

use super::frame::{ChartResult, fail};
use super::palette;

/// A chart's legend: one entry per labelled series, each a short line sample in the
/// series' colour and its name, drawn in a box by [`draw_legend`].
///
/// The legend is laid out here rather than by plotters' series labels, which measure each
/// name by laying out the whole page (a `<span>` in the document); the names are measured by
/// the backend instead ([`DrawingArea::estimate_text_size`], the canvas's `measureText` in
/// the page). The box looks as plotters draws it.
#[derive(Debug, Clone, Default)]
pub struct Legend {
    entries: Vec<(String, RGBColor, u32)>,
}

impl Legend {
    /// Adds an entry: a 16 px sample line in `colour`, `width` px wide, and `name`.
    pub fn line(&mut self, name: impl Into<String>, colour: RGBColor, width: u32) -> &mut Self {
        self.entries.push((name.into(), colour, width));
        self
    }

    /// The entries' names, in order.
    #[cfg(test)]
    fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.0.as_str())
    }
}

/// Space between the legend box's border and its contents, in pixels.
const LEGEND_MARGIN: i32 = 10;
/// Width of the legend's sample column, in pixels.
const LEGEND_SAMPLE_AREA: i32 = 30;
/// Line pitch of the legend's names, as a multiple of the font size.
const LEGEND_LINE_HEIGHT: f64 = 1.25;
/// The legend's font size in pixels.
const LEGEND_FONT_SIZE: f64 = 12.0;

/// Where a legend box of `dim` pixels goes in an area of `area` pixels (5 px from the
/// edges it is placed against).
fn legend_origin(at: &SeriesLabelPosition, dim: (i32, i32), area: (u32, u32)) -> (i32, i32) {
    use SeriesLabelPosition::*;
    let (aw, ah) = (area.0 as i32, area.1 as i32);
    let x = match at {
        UpperLeft | MiddleLeft | LowerLeft => 5,
        UpperMiddle | MiddleMiddle | LowerMiddle => (aw - dim.0) / 2,
        UpperRight | MiddleRight | LowerRight => aw - dim.0 - 5,
        Coordinate(x, _) => *x,
    };
    let y = match at {
        UpperLeft | UpperMiddle | UpperRight => 5,
        MiddleLeft | MiddleMiddle | MiddleRight => (ah - dim.1) / 2,
        LowerLeft | LowerMiddle | LowerRight => ah - dim.1 - 5,
        Coordinate(_, y) => *y,
    };
    (x, y)
}

/// Draws each `(points, colour, name)` as a 2 px line in `colour`, and adds its entry to
/// `legend` (a sample `legend_width` px wide).
pub fn draw_lines<'n, DB, CT>(
    chart: &mut ChartContext<'_, DB, CT>,
    legend: &mut Legend,
    lines: impl IntoIterator<Item = (Vec<(f64, f64)>, RGBColor, &'n str)>,
    legend_width: u32,
) -> ChartResult
where
    DB: DrawingBackend,
    CT: CoordTranslate<From = (f64, f64)>,
{
    for (points, colour, name) in lines {
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))
            .map_err(fail)?;
        legend.line(name, colour, legend_width);
    }
    Ok(())
}

/// Draws `legend` in the plotting area of `chart` at `at`, on white at `opacity`, bordered
/// grey; nothing when it has no entry.
pub fn draw_legend<DB: DrawingBackend, CT: CoordTranslate>(
    chart: &ChartContext<'_, DB, CT>,
    legend: &Legend,
    at: SeriesLabelPosition,
    opacity: f64,
) -> ChartResult {
    if legend.entries.is_empty() {
        return Ok(());
    }
    let area = chart.plotting_area().strip_coord_spec();
    let font: TextStyle = ("sans-serif", LEGEND_FONT_SIZE).into_font().into();
    // Each name's top, relative to the first, and its measured size.
    let mut rows = Vec::with_capacity(legend.entries.len());
    let (mut w, mut h) = (0, 0);
    for (i, (name, _, _)) in legend.entries.iter().enumerate() {
        let top = (i as f64 * LEGEND_FONT_SIZE * LEGEND_LINE_HEIGHT).round() as i32;
        let (tw, th) = area.estimate_text_size(name, &font).map_err(fail)?;
        let (tw, th) = (tw as i32, th as i32);
        w = w.max(tw);
        h = h.max(top + th);
        rows.push((top, th));
    }
    let dim = (
        w + LEGEND_SAMPLE_AREA + 2 * LEGEND_MARGIN,
        h + 2 * LEGEND_MARGIN,
    );
    let (x, y) = legend_origin(&at, dim, area.dim_in_pixel());
    let corners = [(x, y), (x + dim.0, y + dim.1)];
    area.draw(&Rectangle::new(corners, WHITE.mix(opacity).filled()))
        .map_err(fail)?;
    area.draw(&Rectangle::new(corners, palette::GRID))
        .map_err(fail)?;
    for ((name, colour, width), (top, th)) in legend.entries.iter().zip(rows) {
        let ty = y + LEGEND_MARGIN + top;
        let tx = x + LEGEND_MARGIN + LEGEND_SAMPLE_AREA;
        area.draw(&Text::new(name.as_str(), (tx, ty), font.clone()))
            .map_err(fail)?;
        let (sx, sy) = (x + LEGEND_MARGIN, ty + th / 2);
        let sample = PathElement::new([(sx, sy), (sx + 16, sy)], colour.stroke_width(*width));
        area.draw(&sample).map_err(fail)?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::charts::frame::{Frame, assert_texts, clear, present};

    #[test]
    fn the_legend_box_fits_its_longest_name_and_sits_5_px_inside_the_plot() {
        let (short, long) = ((30, 15), (90, 15));
        let dim = |w: i32, rows: i32| {
            let h = ((rows - 1) as f64 * LEGEND_FONT_SIZE * LEGEND_LINE_HEIGHT).round() as i32 + 15;
            (
                w + LEGEND_SAMPLE_AREA + 2 * LEGEND_MARGIN,
                h + 2 * LEGEND_MARGIN,
            )
        };
        assert_eq!(dim(long.0, 2), (140, 50));
        let area = (400, 300);
        let at = |p: SeriesLabelPosition| legend_origin(&p, dim(short.0.max(long.0), 2), area);
        assert_eq!(at(SeriesLabelPosition::UpperRight), (400 - 140 - 5, 5));
        assert_eq!(at(SeriesLabelPosition::UpperLeft), (5, 5));
        assert_eq!(
            at(SeriesLabelPosition::LowerMiddle),
            ((400 - 140) / 2, 300 - 50 - 5)
        );
        assert_eq!(at(SeriesLabelPosition::MiddleRight), (255, 125));
        assert_eq!(at(SeriesLabelPosition::Coordinate(7, 9)), (7, 9));
    }

    #[test]
    fn the_legend_shows_every_name_with_a_sample_in_its_colour_in_order() {
        let svg = super::super::to_svg((320, 200), |root| {
            clear(root)?;
            let mut c = Frame::new().build(root, 0.0..1.0, 0.0..1.0)?;
            let mut legend = Legend::default();
            legend.line("first name", palette::INPUT, 2);
            let lines = [(vec![(0.0, 0.0), (1.0, 1.0)], palette::QUANTIZED, "second")];
            draw_lines(&mut c, &mut legend, lines, 1)?;
            assert_eq!(legend.names().collect::<Vec<_>>(), ["first name", "second"]);
            draw_legend(&c, &legend, SeriesLabelPosition::UpperRight, 0.85)?;
            present(root)
        })
        .unwrap_or_default();
        assert_texts(&svg, &["first name", "second"]);
        assert!(svg.find("first name") < svg.find("\nsecond\n"), "{svg}");
        let hex = |c: RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
        // The data line and the legend sample of the second entry; the first entry's sample.
        assert!(svg.matches(&hex(palette::QUANTIZED)).count() >= 2, "{svg}");
        assert!(svg.contains(&hex(palette::INPUT)), "{svg}");
        // An empty legend draws nothing: the chart is the same as without it.
        let frame_only = |legend: Option<&Legend>| {
            super::super::to_svg((320, 200), |root| {
                clear(root)?;
                let c = Frame::new().build(root, 0.0..1.0, 0.0..1.0)?;
                if let Some(l) = legend {
                    draw_legend(&c, l, SeriesLabelPosition::UpperRight, 0.85)?;
                }
                present(root)
            })
            .unwrap_or_default()
        };
        assert_eq!(frame_only(Some(&Legend::default())), frame_only(None));
    }
}
