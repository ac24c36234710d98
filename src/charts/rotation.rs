//! The Weight lab's rotation charts, generic over plotters' [`DrawingBackend`]: what a
//! randomized Hadamard rotation before quantization does to the weights
//! ([`quantlab_core::weights::rotation::RotationStudy`]).
//!
//! - [`draw_rotation_histogram`]: the weights' histogram before and after the rotation, as
//!   two outlines on the same bins (linear or log count);
//! - [`draw_channel_absmax`]: the absmax of every input channel before and after, as two
//!   lines over the channel index.
//!
//! Empty inputs draw empty axes.

use plotters::coord::Shift;
use plotters::prelude::*;
use quantlab_core::analysis::Histogram;

use super::frame::{
    ChartResult, Frame, Legend, bounds, clear, draw_legend, draw_lines, pad, present, whole,
};
use super::palette;
use super::weight::{Axes, bar_height};
use crate::lang::Locale;
use crate::lang::fill::td_string;

/// The words of a rotation chart in one language: the axes and the two series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationWords {
    /// The axis descriptions and the language of the tick labels.
    pub axes: Axes,
    /// The series before the rotation.
    pub before: &'static str,
    /// The series after it.
    pub after: &'static str,
}

impl RotationWords {
    /// The words of a chart with `axes`: the series before and after the rotation.
    fn with(axes: Axes) -> Self {
        let l = axes.locale;
        RotationWords {
            axes,
            before: td_string!(l, weight.rot_before),
            after: td_string!(l, weight.rot_after),
        }
    }

    /// The histogram's: the weight histogram's axes ([`Axes::histogram`]).
    pub fn histogram(log: bool, l: Locale) -> Self {
        Self::with(Axes::histogram(log, l))
    }

    /// The channel chart's: `input channel (column)`, `absmax`.
    pub fn channels(l: Locale) -> Self {
        Self::with(Axes {
            x: td_string!(l, weight.rot_axis_channel),
            y: td_string!(l, weight.rot_axis_absmax),
            locale: l,
        })
    }
}

/// The outline of `hist`'s bars: `(edge, height)` steps from the first edge to the last.
fn outline(hist: &Histogram, log: bool) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(2 * hist.counts.len() + 2);
    for (a, b, n) in hist.bars() {
        let h = bar_height(n, log);
        if out.is_empty() {
            out.push((a, 0.0));
        }
        out.push((a, h));
        out.push((b, h));
    }
    if let Some(&(x, _)) = out.last() {
        out.push((x, 0.0));
    }
    out
}

/// The histogram of the weights before (blue) and after (vermillion) the rotation, on the
/// same bins.
pub fn draw_rotation_histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    before: &Histogram,
    after: &Histogram,
    log: bool,
    words: RotationWords,
) -> ChartResult {
    clear(root)?;
    let (a0, a1) = before.range();
    let (b0, b1) = after.range();
    let (lo, hi) = bounds([a0, a1, b0, b1]);
    let (x0, x1) = pad(lo, hi, 0.02, 1e-12, (-1.0, 1.0));
    let top = bar_height(before.max_count().max(after.max_count()), log).max(1.0) * 1.1;
    let mut c = Frame::new()
        .locale(words.axes.locale)
        .x_desc(words.axes.x)
        .y_desc(words.axes.y)
        .label_counts(Some(7), Some(5))
        .x_format(|v| crate::format::num(*v))
        .build(root, x0..x1, 0.0..top)?;
    let mut legend = Legend::default();
    draw_lines(
        &mut c,
        &mut legend,
        [
            (outline(before, log), palette::INPUT, words.before),
            (outline(after, log), palette::QUANTIZED, words.after),
        ],
        2,
    )?;
    draw_legend(&c, &legend, SeriesLabelPosition::UpperRight, 0.85)?;
    present(root)
}

/// The absmax of every input channel before (blue) and after (vermillion) the rotation;
/// point `k` stands for columns `k·step … (k + 1)·step − 1`.
pub fn draw_channel_absmax<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    before: &[f64],
    after: &[f64],
    step: usize,
    words: RotationWords,
) -> ChartResult {
    clear(root)?;
    let step = step.max(1) as f64;
    let n = before.len().max(after.len()).max(1) as f64;
    let (_, hi) = bounds(
        before
            .iter()
            .chain(after)
            .copied()
            .filter(|v| v.is_finite()),
    );
    let top = if hi.is_finite() && hi > 0.0 {
        hi * 1.1
    } else {
        1.0
    };
    let mut c = Frame::new()
        .locale(words.axes.locale)
        .x_desc(words.axes.x)
        .y_desc(words.axes.y)
        .label_counts(Some(8), Some(5))
        .x_format(whole)
        .y_format(|v| crate::format::num(*v))
        .build(root, 0.0..n * step, 0.0..top)?;
    let points = |v: &[f64]| -> Vec<(f64, f64)> {
        v.iter()
            .enumerate()
            .filter(|(_, y)| y.is_finite())
            .map(|(k, &y)| (k as f64 * step, y))
            .collect()
    };
    let mut legend = Legend::default();
    draw_lines(
        &mut c,
        &mut legend,
        [
            (points(before), palette::INPUT, words.before),
            (points(after), palette::QUANTIZED, words.after),
        ],
        2,
    )?;
    draw_legend(&c, &legend, SeriesLabelPosition::UpperRight, 0.85)?;
    present(root)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::charts::frame::assert_texts;
    use quantlab_core::quantizer::{GranularityKind, Mode, Scheme};
    use quantlab_core::weights::rotation::rotation_study;
    use quantlab_core::weights::study::StudyOptions;
    use quantlab_core::weights::synth::{SynthSpec, generate};

    fn study() -> quantlab_core::weights::rotation::RotationStudy {
        let spec = SynthSpec {
            outliers: 8,
            ..SynthSpec::default()
        };
        let x = generate(&spec).unwrap();
        let s = Scheme {
            bits: 4,
            mode: Mode::Sym,
            granularity: GranularityKind::Group,
            group_size: 128,
            ..Scheme::default()
        };
        rotation_study(&x, &[256, 512], &s, &StudyOptions::default(), 64).unwrap()
    }

    #[test]
    fn the_histogram_draws_both_outlines_with_their_legend() {
        let r = study();
        for log in [false, true] {
            let s = crate::charts::to_svg((640, 300), |root| {
                draw_rotation_histogram(
                    root,
                    &r.spread.before,
                    &r.spread.after,
                    log,
                    RotationWords::histogram(log, Locale::en),
                )
            })
            .unwrap();
            assert_texts(&s, &["weight", "before rotation", "after rotation"]);
            // One polyline per series plus the two legend samples.
            assert_eq!(s.matches("stroke=\"#0072B2\"").count(), 2, "{log}");
            assert_eq!(s.matches("stroke=\"#D55E00\"").count(), 2, "{log}");
        }
        let pt = crate::charts::to_svg((640, 300), |root| {
            draw_rotation_histogram(
                root,
                &r.spread.before,
                &r.spread.after,
                false,
                RotationWords::histogram(false, Locale::pt_BR),
            )
        })
        .unwrap();
        assert_texts(&pt, &["antes da rotação", "depois da rotação"]);
    }

    #[test]
    fn the_channel_chart_draws_a_point_per_channel_and_survives_empty_input() {
        let r = study();
        let s = crate::charts::to_svg((640, 240), |root| {
            draw_channel_absmax(
                root,
                &r.spread.absmax_before,
                &r.spread.absmax_after,
                r.spread.channel_step,
                RotationWords::channels(Locale::en),
            )
        })
        .unwrap();
        assert_texts(&s, &["input channel", "absmax", "before rotation"]);
        let line = s
            .split("<polyline")
            .find(|p| p.contains("#0072B2"))
            .unwrap();
        let points = line
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(points.split_whitespace().count(), 512);
        let empty = crate::charts::to_svg((640, 240), |root| {
            draw_channel_absmax(root, &[], &[], 1, RotationWords::channels(Locale::en))
        })
        .unwrap();
        assert!(empty.contains("<svg"));
    }
}
