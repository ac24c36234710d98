//! The Memory lab's chart: the itemised answer as one stacked horizontal bar in GiB, the
//! chosen GPU's memory as a dashed line, and a legend below.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use quantlab_core::memory::ItemKind;

use super::frame::{ChartResult, Frame, Grid, Margins, clear, fail, present, whole};
use super::palette::{self, css};
use crate::lang::Locale;
use crate::lang::numbers::localize;

/// The colour of each kind of item: Okabe–Ito first, greys for the optimizer states and
/// the overhead (the table repeats every colour next to its label).
pub fn item_colour(kind: ItemKind) -> RGBColor {
    match kind {
        ItemKind::Weights => palette::BLUE,
        ItemKind::UnquantizedWeights => palette::SKY_BLUE,
        ItemKind::KvCache => palette::VERMILLION,
        ItemKind::Activations => palette::GREEN,
        ItemKind::Logits => palette::YELLOW,
        ItemKind::AdapterWeights => palette::PURPLE,
        ItemKind::MasterWeights => palette::ORANGE,
        ItemKind::Gradients => palette::BLACK,
        ItemKind::OptimizerMomentum => palette::DARK_GREY,
        ItemKind::OptimizerVariance => palette::MID_GREY,
        ItemKind::Overhead => palette::LIGHT_GREY,
    }
}

/// `#rrggbb` of an item's colour, for the page's swatches.
pub fn item_css(kind: ItemKind) -> String {
    css(item_colour(kind))
}

/// One segment of the bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// What it is (sets the colour).
    pub kind: ItemKind,
    /// Legend text.
    pub label: String,
    /// Size in GiB.
    pub gib: f64,
}

/// What the memory chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryChart {
    /// The items, left to right.
    pub segments: Vec<Segment>,
    /// The chosen GPU memory: a label and a size in GiB.
    pub capacity: Option<(String, f64)>,
    /// The axis description (`GiB (1024³ bytes)` in English).
    pub x_desc: String,
    /// The language of the legend's numbers (`12,00 GiB` in Portuguese).
    pub locale: Locale,
}

/// Height in pixels of the legend for `n` entries in two columns.
fn legend_height(n: usize) -> u32 {
    (n.div_ceil(2) as u32) * 22 + 8
}

/// The stacked bar, the capacity line and the legend.
pub fn draw_memory<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &MemoryChart,
) -> ChartResult {
    clear(root)?;
    let (w, h) = root.dim_in_pixel();
    let legend_h = legend_height(chart.segments.len()).min(h / 2);
    let (top, bottom) = root.split_vertically(h - legend_h);

    let total: f64 = chart.segments.iter().map(|s| s.gib.max(0.0)).sum();
    let cap = chart.capacity.as_ref().map(|c| c.1).unwrap_or(0.0);
    let x_max = (total.max(cap) * 1.08).max(1e-3);
    let mut c = Frame::new()
        .locale(chart.locale)
        .margins(Margins::all(10).right(24))
        .grid(Grid::Vertical(palette::GRID.mix(0.3).into()))
        .x_desc(&chart.x_desc)
        .label_areas(34, 0)
        .without_y_axis()
        .label_counts(Some(12), None)
        .x_format(whole)
        .build(&top, 0.0..x_max, 0.0..1.0)?;

    let (y0, y1) = (0.18, 0.72);
    let mut x = 0.0;
    let mut bars = Vec::with_capacity(chart.segments.len());
    for s in &chart.segments {
        let next = x + s.gib.max(0.0);
        bars.push(Rectangle::new(
            [(x, y0), (next, y1)],
            item_colour(s.kind).filled(),
        ));
        x = next;
    }
    c.draw_series(bars).map_err(fail)?;
    // Thin white separators so neighbouring segments stay apart.
    let mut x = 0.0;
    let mut seps = Vec::new();
    for s in &chart.segments {
        x += s.gib.max(0.0);
        seps.push(PathElement::new([(x, y0), (x, y1)], WHITE.stroke_width(1)));
    }
    c.draw_series(seps).map_err(fail)?;

    if let Some((label, gib)) = &chart.capacity {
        c.draw_series(DashedLineSeries::new(
            [(*gib, 0.04), (*gib, 0.96)],
            6,
            4,
            palette::QUANTIZED.stroke_width(2),
        ))
        .map_err(fail)?;
        let anchor = if *gib > x_max * 0.6 {
            Pos::new(HPos::Right, VPos::Top)
        } else {
            Pos::new(HPos::Left, VPos::Top)
        };
        let dx = if *gib > x_max * 0.6 {
            -x_max * 0.006
        } else {
            x_max * 0.006
        };
        let style = TextStyle::from(("sans-serif", 14).into_font())
            .color(&palette::QUANTIZED)
            .pos(anchor);
        c.draw_series(std::iter::once(Text::new(
            label.clone(),
            (*gib + dx, 0.99),
            style,
        )))
        .map_err(fail)?;
    }

    let col_w = (w as i32 - 20) / 2;
    let font = TextStyle::from(("sans-serif", 14).into_font()).color(&BLACK);
    for (i, s) in chart.segments.iter().enumerate() {
        let (col, row) = ((i % 2) as i32, (i / 2) as i32);
        let x = 14 + col * col_w;
        let y = 4 + row * 22;
        bottom
            .draw(&Rectangle::new(
                [(x, y + 2), (x + 14, y + 16)],
                item_colour(s.kind).filled(),
            ))
            .map_err(fail)?;
        bottom
            .draw(&Rectangle::new(
                [(x, y + 2), (x + 14, y + 16)],
                palette::GRID.stroke_width(1),
            ))
            .map_err(fail)?;
        bottom
            .draw(&Text::new(
                format!(
                    "{} — {} GiB",
                    s.label,
                    localize(&format!("{:.2}", s.gib), chart.locale)
                ),
                (x + 22, y + 2),
                font.clone(),
            ))
            .map_err(fail)?;
    }
    present(root)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::charts::frame::assert_texts;
    use plotters_backend::{
        BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
    };

    /// What the recorder saw: filled rectangles and texts.
    #[derive(Debug, Default)]
    struct Log {
        rects: Vec<(BackendCoord, BackendCoord, (u8, u8, u8))>,
        texts: Vec<String>,
    }

    /// Records instead of drawing pixels.
    #[derive(Debug, Default)]
    struct Recorder(std::rc::Rc<std::cell::RefCell<Log>>);

    impl DrawingBackend for Recorder {
        type ErrorType = std::fmt::Error;
        fn get_size(&self) -> (u32, u32) {
            (960, 260)
        }
        fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            Ok(())
        }
        fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            Ok(())
        }
        fn draw_pixel(
            &mut self,
            _: BackendCoord,
            _: BackendColor,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            Ok(())
        }
        fn draw_rect<S: BackendStyle>(
            &mut self,
            a: BackendCoord,
            b: BackendCoord,
            style: &S,
            fill: bool,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            if fill {
                self.0.borrow_mut().rects.push((a, b, style.color().rgb));
            }
            Ok(())
        }
        fn draw_text<T: BackendTextStyle>(
            &mut self,
            text: &str,
            _: &T,
            _: BackendCoord,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.0.borrow_mut().texts.push(text.to_string());
            Ok(())
        }
    }

    #[test]
    fn segments_are_drawn_in_proportion_with_a_legend() {
        let chart = MemoryChart {
            segments: vec![
                Segment {
                    kind: ItemKind::Weights,
                    label: "weights".into(),
                    gib: 12.0,
                },
                Segment {
                    kind: ItemKind::KvCache,
                    label: "KV cache".into(),
                    gib: 4.0,
                },
            ],
            capacity: Some(("RTX 4090 × 1".into(), 24.0)),
            x_desc: "GiB (1024³ bytes)".into(),
            locale: Locale::en,
        };
        let rec = Recorder::default();
        let log = rec.0.clone();
        draw_memory(&rec.into_drawing_area(), &chart).unwrap();
        let rec = log.borrow();
        let RGBColor(r, g, b) = item_colour(ItemKind::Weights);
        let widths = |rgb: (u8, u8, u8)| -> Vec<i32> {
            rec.rects
                .iter()
                .filter(|r| r.2 == rgb)
                .map(|(a, b, _)| b.0 - a.0)
                .collect()
        };
        let blue = widths((r, g, b));
        let RGBColor(r, g, b) = item_colour(ItemKind::KvCache);
        let orange = widths((r, g, b));
        // The bar segment (widest) plus the legend swatch for each.
        let (wb, wo) = (blue.iter().max().unwrap(), orange.iter().max().unwrap());
        assert!(
            (f64::from(*wb) / f64::from(*wo) - 3.0).abs() < 0.1,
            "{wb} / {wo}"
        );
        assert!(rec.texts.iter().any(|t| t == "weights — 12.00 GiB"));
        assert!(rec.texts.iter().any(|t| t.starts_with("RTX 4090")));
    }

    #[test]
    fn the_svg_has_the_axis_label_the_capacity_and_the_legend() {
        let chart = MemoryChart {
            segments: vec![Segment {
                kind: ItemKind::Weights,
                label: "weights".into(),
                gib: 20.0,
            }],
            capacity: Some(("H100 80 GB".into(), 74.5)),
            x_desc: "GiB (1024³ bytes)".into(),
            locale: Locale::en,
        };
        let svg = crate::charts::to_svg((960, 260), |root| draw_memory(root, &chart)).unwrap();
        assert_texts(
            &svg,
            &[
                "GiB (1024³ bytes)",
                "H100 80 GB",
                "weights — 20.00 GiB",
                "\n40\n</text>",
            ],
        );
        assert!(svg.contains("fill=\"#0072B2\""));
        let pt = MemoryChart {
            segments: vec![Segment {
                label: "pesos".into(),
                ..chart.segments[0].clone()
            }],
            x_desc: "GiB (1024³ bytes)".into(),
            locale: Locale::pt_BR,
            ..chart
        };
        let svg = crate::charts::to_svg((960, 260), |root| draw_memory(root, &pt)).unwrap();
        assert_texts(&svg, &["pesos — 20,00 GiB"]);
    }

    #[test]
    fn every_kind_has_a_distinct_colour() {
        use ItemKind::*;
        let kinds = [
            Weights,
            UnquantizedWeights,
            KvCache,
            Activations,
            Logits,
            AdapterWeights,
            MasterWeights,
            Gradients,
            OptimizerMomentum,
            OptimizerVariance,
            Overhead,
        ];
        let mut css: Vec<String> = kinds.iter().map(|&k| item_css(k)).collect();
        css.sort();
        css.dedup();
        assert_eq!(css.len(), kinds.len());
        assert_eq!(item_css(Weights), "#0072b2");
    }
}
