//! The Signal lab's charts drawn into SVG strings: what each draws, in which colour, and
//! that edge data draws empty axes instead of failing.

#![allow(clippy::unwrap_used)]

use plotters::coord::Shift;
use plotters::prelude::*;
use quantlab_core::analysis::{self, LevelPoint};
use quantlab_core::quantizer::{Mode, Scheme, SchemeKind};

use super::views::*;
use super::{SignalChart, draw_error, draw_signal, envelope, staircase};
use crate::charts::frame::{ChartResult, assert_texts};
use crate::charts::to_svg;
use crate::lang::Locale;

const EN: Locale = Locale::en;

const BLUE: &str = "#0072B2";
const VERMILLION: &str = "#D55E00";
const GREEN: &str = "#009E73";
const PURPLE: &str = "#CC79A7";
const ORANGE: &str = "#E69F00";

/// Renders `draw` into an SVG string of 640 × 360 pixels.
fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> ChartResult) -> String {
    to_svg((640, 360), draw).unwrap()
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

/// The default scheme at `bits` in `mode`.
fn scheme(bits: u32, mode: Mode) -> Scheme {
    Scheme {
        bits,
        mode,
        ..Scheme::default()
    }
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
    (svg(|root| draw_transfer(root, &chart, EN)), histogram)
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
    assert_texts(&s, &["Q(x)", "\nx\n</text>", "count", "Q(x) = x"]);
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
            EN,
        )
    });
    assert!(s.contains("count"));
}

#[test]
fn the_error_histogram_marks_both_half_step_bounds() {
    let x = sine(2000);
    let scheme = scheme(4, Mode::AsymFloat);
    let q = scheme.fit(&x, &[]).unwrap();
    let y = q.quantize_dequantize(&x).unwrap();
    let e: Vec<f32> = x.iter().zip(&y).map(|(a, b)| a - b).collect();
    let (lo, hi) = x
        .iter()
        .fold((f32::MAX, f32::MIN), |m, &v| (m.0.min(v), m.1.max(v)));
    let step = f64::from(hi - lo) / 15.0;
    let h = analysis::error_histogram(&e, step, 30).unwrap();
    let s = svg(|root| draw_error_histogram(root, &h, step, EN));
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
    let s = svg(|root| draw_error_histogram(root, &h, 0.0, EN));
    assert_eq!(filled_rects(&s, GREEN), 1);
    assert!(!s.contains("Δ/2"));
    let one = analysis::error_histogram(&[0.01], f64::NAN, 10).unwrap();
    let s = svg(|root| draw_error_histogram(root, &one, f64::NAN, EN));
    assert_eq!(filled_rects(&s, GREEN), 1);
}

#[test]
fn snr_vs_bits_draws_the_measured_curve_its_dots_the_theory_and_the_current_bits() {
    let x = sine(4000);
    let scheme = scheme(6, Mode::MidRise);
    let measured = analysis::snr_vs_bits(&x, &scheme).unwrap();
    let theory = analysis::sqnr_theory_line(1, 16);
    let chart = SnrBitsChart {
        measured: &measured,
        theory: &theory,
        current_bits: Some(6),
    };
    let s = svg(|root| draw_snr_vs_bits(root, &chart, EN));
    assert_eq!(thick_lines(&s, VERMILLION), 2);
    // 16 dots, plus the ring on the current point.
    assert_eq!(s.matches(&format!("fill=\"{VERMILLION}\"")).count(), 16);
    assert!(s.matches("<circle").count() >= 17);
    assert_texts(
        &s,
        &[
            "SNR (dB)",
            "bits",
            "6.02·b + 1.76 dB",
            "current: 6 bits",
            "measured",
        ],
    );
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
        let s = svg(|root| draw_snr_vs_bits(root, &chart, EN));
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
    let s = svg(|root| draw_snr_vs_level(root, &chart, EN));
    assert_eq!(thick_lines(&s, BLUE), 2);
    assert_eq!(thick_lines(&s, PURPLE), 2);
    // Two orange rings with a dot inside each.
    assert_eq!(s.matches("<circle").count(), 4);
    assert_eq!(s.matches(&format!("fill=\"{PURPLE}\"")).count(), 1);
    assert_texts(
        &s,
        &[
            "input level (dB below full scale)",
            "SNR (dB)",
            "linear (uniform)",
            "μ-law",
            "this signal: -20.0 dBFS",
        ],
    );
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
                EN,
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
        clip: quantlab_core::clipping::ClipKind::Mse,
        ..scheme(4, Mode::Sym)
    };
    let t = analysis::clip_tradeoff(&x, &scheme, 60).unwrap();
    let s = svg(|root| draw_clip_tradeoff(root, &t, EN));
    assert_eq!(thick_lines(&s, BLUE), 2, "rounding");
    assert_eq!(thick_lines(&s, VERMILLION), 2, "clipping");
    assert_eq!(thick_lines(&s, "#000000"), 2, "total");
    assert_eq!(s.matches("<circle").count(), 1);
    assert_texts(
        &s,
        &[
            "clip threshold α",
            "MSE",
            "rounding",
            "clipping",
            "total",
            "current: α = ",
        ],
    );
}

#[test]
fn the_clip_view_of_constant_or_single_sample_data_does_not_fail() {
    for x in [vec![0.25f32; 8], vec![-1.0f32], vec![0.0f32; 4]] {
        let t = analysis::clip_tradeoff(&x, &Scheme::default(), 10).unwrap();
        let s = svg(|root| draw_clip_tradeoff(root, &t, EN));
        assert!(s.contains("MSE"), "{x:?}");
    }
}

#[test]
fn envelope_keeps_short_series_and_peaks_of_long_ones() {
    let short = [1.0f32, 2.0, 3.0];
    assert_eq!(envelope(&short, 10).len(), 3);
    let mut long = vec![0.0f32; 10_000];
    long[5_000] = 9.0;
    long[7_000] = -9.0;
    let e = envelope(&long, 100);
    assert!(e.len() <= 200);
    assert!(e.iter().any(|&(x, y)| x == 5_000.0 && y == 9.0));
    assert!(e.iter().any(|&(x, y)| x == 7_000.0 && y == -9.0));
}

#[test]
fn staircase_holds_each_value_until_the_next_sample() {
    let s = staircase(&[(0.0, 1.0), (1.0, 2.0)]);
    assert_eq!(s, vec![(0.0, 1.0), (1.0, 1.0), (1.0, 2.0)]);
}

#[test]
fn the_signal_and_error_charts_draw_their_axis_labels_series_and_bounds() {
    let x = sine(500);
    let q: Vec<f32> = x.iter().map(|v| (v * 4.0).round() / 4.0).collect();
    let levels: Vec<f32> = (-4..=4).map(|k| k as f32 / 4.0).collect();
    let chart = SignalChart {
        input: &x,
        quantized: &q,
        levels: &levels,
        start: 100,
    };
    let s = svg(|root| draw_signal(root, &chart, EN));
    assert_texts(&s, &["amplitude", "x[n]", "Q(x[n])", "\n200\n</text>"]);
    assert_eq!(thick_lines(&s, BLUE), 2);
    assert_eq!(thick_lines(&s, VERMILLION), 2);
    let e: Vec<f32> = x.iter().zip(&q).map(|(a, b)| a - b).collect();
    let s = svg(|root| draw_error(root, &e, 0.25, 100, Locale::en));
    assert!(s.contains("e(n)") && s.contains("\n200\n</text>"));
    assert_eq!(
        s.matches(&format!("stroke=\"{GREEN}\" stroke-width=\"1\""))
            .count(),
        1
    );
    // Nothing at all still draws the axes.
    let empty = SignalChart {
        input: &[],
        quantized: &[],
        levels: &[],
        start: 0,
    };
    assert!(svg(|root| draw_signal(root, &empty, EN)).contains("amplitude"));
    assert!(svg(|root| draw_error(root, &[], f64::NAN, 0, Locale::en)).contains("e(n)"));
}

/// The tick labels of `svg` (the text of every `<text>` that parses as a number once a
/// decimal comma is read as a point).
fn tick_labels(svg: &str) -> Vec<String> {
    svg.split("</text>")
        .filter_map(|part| part.rsplit('>').next())
        .map(|t| t.trim().to_string())
        .filter(|t| t.replace(',', ".").parse::<f64>().is_ok())
        .collect()
}

#[test]
fn tick_labels_take_a_decimal_comma_in_portuguese() {
    let e: Vec<f32> = (0..64).map(|i| 0.12 * ((i as f32) * 0.3).sin()).collect();
    let en = tick_labels(&svg(|root| draw_error(root, &e, 0.25, 0, Locale::en)));
    let pt = tick_labels(&svg(|root| draw_error(root, &e, 0.25, 0, Locale::pt_BR)));
    assert!(en.iter().any(|t| t.contains('.')), "{en:?}");
    assert!(pt.iter().any(|t| t.contains(',')), "{pt:?}");
    assert!(pt.iter().all(|t| !t.contains('.')), "{pt:?}");
    assert_eq!(en.len(), pt.len());
}

/// Grid lines on the signal chart: polylines stroked in the grid grey at width 1.
fn grid_lines(svg: &str) -> usize {
    svg.matches("opacity=\"0.45\" stroke=\"#999999\" stroke-width=\"1\" points=")
        .count()
}

#[test]
fn a_grid_denser_than_three_pixels_is_thinned_and_a_sparse_one_drawn_whole() {
    let x = sine(500);
    let draw = |levels: &[f32]| {
        let chart = SignalChart {
            input: &x,
            quantized: &x,
            levels,
            start: 0,
        };
        grid_lines(&svg(|root| draw_signal(root, &chart, EN)))
    };
    // 9 levels over a 360-pixel chart: every one is drawn.
    let sparse: Vec<f32> = (-4..=4).map(|k| k as f32 / 4.0).collect();
    assert_eq!(draw(&sparse), 9);
    // 128 levels over the same span are under 3 pixels apart: thinned, but still lines.
    let dense: Vec<f32> = (0..128).map(|k| -1.0 + 2.0 * k as f32 / 127.0).collect();
    let n = draw(&dense);
    assert!((10..128).contains(&n), "{n} of 128 lines drawn");
    // Unsorted input and non-finite levels change nothing.
    let mut reversed = dense.clone();
    reversed.reverse();
    assert_eq!(draw(&reversed), n);
    let mut with_nan = sparse.clone();
    with_nan.push(f32::NAN);
    assert_eq!(draw(&with_nan), 9);
}

#[test]
fn the_charts_speak_the_page_language() {
    let h = analysis::error_histogram(&[0.1, -0.1, 0.05], 0.25, 11).unwrap();
    let pt = svg(|root| draw_error_histogram(root, &h, 0.25, Locale::pt_BR));
    assert!(pt.contains("contagem") && !pt.contains("count"), "{pt}");
    assert!(pt.contains("±Δ/2 = ±0,125"), "{pt}");
    let en = svg(|root| draw_error_histogram(root, &h, 0.25, EN));
    assert!(en.contains("count") && en.contains("±Δ/2 = ±0.125"), "{en}");
}
