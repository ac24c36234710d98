//! The MLP lab's training curve: loss on the left, accuracy on the right, over epochs.

use plotters::coord::Shift;
use plotters::prelude::*;

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

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Draws the curve on `root` (two panels side by side).
pub fn draw_training<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &TrainingCurve,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
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
    let mut ch = ChartBuilder::on(&left)
        .caption("loss (cross-entropy)", ("sans-serif", 15))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)
        .map_err(err)?;
    ch.configure_mesh()
        .x_desc("epoch")
        .light_line_style(WHITE)
        .draw()
        .map_err(err)?;
    ch.draw_series(LineSeries::new(
        c.loss.iter().filter(finite).copied(),
        palette::INPUT.stroke_width(2),
    ))
    .map_err(err)?
    .label("train (batches)")
    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], palette::INPUT));
    ch.draw_series(LineSeries::new(
        c.test_loss.iter().filter(finite).copied(),
        palette::QUANTIZED.stroke_width(2),
    ))
    .map_err(err)?
    .label("test (epoch end)")
    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], palette::QUANTIZED));
    ch.configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(palette::GRID)
        .draw()
        .map_err(err)?;

    let mut ch = ChartBuilder::on(&right)
        .caption("accuracy (%)", ("sans-serif", 15))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..x_max, 0.0..100.0)
        .map_err(err)?;
    ch.configure_mesh()
        .x_desc("epoch")
        .light_line_style(WHITE)
        .draw()
        .map_err(err)?;
    let pct = |v: &Vec<(f64, f64)>| -> Vec<(f64, f64)> {
        v.iter().map(|&(x, y)| (x, 100.0 * y)).collect()
    };
    for (series, colour, label) in [
        (pct(&c.train_acc), palette::INPUT, "train"),
        (pct(&c.test_acc), palette::QUANTIZED, "test"),
    ] {
        ch.draw_series(LineSeries::new(series.clone(), colour.stroke_width(2)))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour));
        ch.draw_series(series.iter().map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(err)?;
    }
    ch.configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(palette::GRID)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curve_draws_into_svg_with_and_without_points() {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (640, 240)).into_drawing_area();
            draw_training(&root, &TrainingCurve::default()).unwrap();
        }
        assert!(svg.contains("<svg"));
        let c = TrainingCurve {
            loss: vec![(0.1, 1.2), (0.5, 0.8), (1.0, f64::NAN)],
            train_acc: vec![(1.0, 0.8)],
            test_acc: vec![(1.0, 0.75)],
            test_loss: vec![(1.0, 0.9)],
            epochs: 3,
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (640, 240)).into_drawing_area();
            draw_training(&root, &c).unwrap();
        }
        assert!(
            svg.contains("polyline") || svg.contains("path"),
            "no lines drawn"
        );
    }
}
