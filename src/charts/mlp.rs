//! The MLP lab's training curve: loss on the left, accuracy on the right, over epochs.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{
    ChartResult, Frame, Grid, Legend, clear, draw_legend, draw_lines, fail, present,
};
use super::palette;

/// What the training chart shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrainingCurve {
    /// `(epoch as a fraction, mean training loss of the batches since the last point)`.
    pub loss: Vec<(f64, f64)>,
    /// `(epoch, training accuracy)` of finished epochs.
    pub train_acc: Vec<(f64, f64)>,
    /// `(epoch, test accuracy)` of finished epochs.
    pub test_acc: Vec<(f64, f64)>,
    /// `(epoch, test loss)` of finished epochs.
    pub test_loss: Vec<(f64, f64)>,
    /// Epochs planned (the x range).
    pub epochs: usize,
}

/// The words of the training chart (titles, axis, legends), in the page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrainingLabels {
    /// The left panel's title.
    pub loss: &'static str,
    /// The right panel's title.
    pub accuracy: &'static str,
    /// The x axis.
    pub epoch: &'static str,
    /// The training batches' loss.
    pub train_batches: &'static str,
    /// The test loss at each epoch's end.
    pub test_epoch_end: &'static str,
    /// Training accuracy.
    pub train: &'static str,
    /// Test accuracy.
    pub test: &'static str,
    /// The language of the tick labels.
    pub locale: crate::lang::Locale,
}

impl Default for TrainingLabels {
    /// The English words.
    fn default() -> Self {
        TrainingLabels {
            loss: "loss (cross-entropy)",
            accuracy: "accuracy (%)",
            epoch: "epoch",
            train_batches: "train (batches)",
            test_epoch_end: "test (epoch end)",
            train: "train",
            test: "test",
            locale: crate::lang::Locale::en,
        }
    }
}

/// Draws the curve on `root` (two panels side by side).
pub fn draw_training<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &TrainingCurve,
    words: &TrainingLabels,
) -> ChartResult {
    let panel = Frame::new()
        .locale(words.locale)
        .label_areas(28, 44)
        .x_desc(words.epoch)
        .grid(Grid::Bold);
    clear(root)?;
    let (left, right) = root.split_horizontally(root.dim_in_pixel().0 / 2);
    let x_max = c.epochs.max(1) as f64;
    let finite = |v: &&(f64, f64)| v.1.is_finite();
    let y_max = c
        .loss
        .iter()
        .chain(&c.test_loss)
        .filter(finite)
        .map(|p| p.1)
        .fold(0.0f64, f64::max)
        .max(1e-3)
        * 1.05;
    let mut ch = panel
        .caption(words.loss)
        .build(&left, 0.0..x_max, 0.0..y_max)?;
    let points =
        |v: &Vec<(f64, f64)>| -> Vec<(f64, f64)> { v.iter().filter(finite).copied().collect() };
    let lines = [
        (points(&c.loss), palette::INPUT, words.train_batches),
        (
            points(&c.test_loss),
            palette::QUANTIZED,
            words.test_epoch_end,
        ),
    ];
    let mut legend = Legend::default();
    draw_lines(&mut ch, &mut legend, lines, 1)?;
    draw_legend(&ch, &legend, SeriesLabelPosition::MiddleRight, 0.8)?;

    let mut ch = panel
        .caption(words.accuracy)
        .build(&right, 0.0..x_max, 0.0..100.0)?;
    let mut legend = Legend::default();
    let pct = |v: &Vec<(f64, f64)>| -> Vec<(f64, f64)> {
        v.iter().map(|&(x, y)| (x, 100.0 * y)).collect()
    };
    for (series, colour, label) in [
        (pct(&c.train_acc), palette::INPUT, words.train),
        (pct(&c.test_acc), palette::QUANTIZED, words.test),
    ] {
        ch.draw_series(LineSeries::new(series.clone(), colour.stroke_width(2)))
            .map_err(fail)?;
        legend.line(label, colour, 1);
        ch.draw_series(series.iter().map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(fail)?;
    }
    draw_legend(&ch, &legend, SeriesLabelPosition::LowerRight, 0.8)?;
    present(root)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::charts::frame::assert_texts;
    use crate::charts::to_svg;

    #[test]
    fn the_curve_draws_into_svg_with_and_without_points() {
        let svg = to_svg((640, 240), |root| {
            draw_training(root, &TrainingCurve::default(), &TrainingLabels::default())
        });
        let svg = svg.unwrap();
        assert_texts(
            &svg,
            &[
                "loss (cross-entropy)",
                "accuracy (%)",
                "epoch",
                "train (batches)",
            ],
        );
        let c = TrainingCurve {
            loss: vec![(0.1, 1.2), (0.5, 0.8), (1.0, f64::NAN)],
            train_acc: vec![(1.0, 0.8)],
            test_acc: vec![(1.0, 0.75)],
            test_loss: vec![(1.0, 0.9)],
            epochs: 3,
        };
        let svg = to_svg((640, 240), |root| {
            draw_training(root, &c, &TrainingLabels::default())
        })
        .unwrap();
        assert!(
            svg.contains("polyline") || svg.contains("path"),
            "no lines drawn"
        );
        assert_texts(&svg, &["test (epoch end)", "test\n", "\n100"]);
    }
}
