//! The Signal lab's analysis views as data: what each figure plots, its formula with the live
//! numbers substituted, and its CSV export. Pure functions of the computed result, so they are
//! tested natively; the page only draws them ([`crate::charts::views`]).

use quantlab_core::QuantError;
use quantlab_core::analysis::{self, ClipTradeoff, Histogram, LevelPoint};
use quantlab_core::quantizer::{Scheme, SchemeKind};

use super::SignalResult;
use crate::lang::Locale;
use leptos_i18n::td_string;

/// Every view of the page: its id (used in `views=` of an embed link) and its title.
pub const VIEWS: [(&str, &str); 8] = [
    ("signal", "x[n] and Q(x[n])"),
    ("error", "Error e(n)"),
    ("transfer", "Transfer staircase"),
    ("error-hist", "Error histogram"),
    ("snr-bits", "SNR vs bits"),
    ("snr-level", "SNR vs input level"),
    ("clip", "Rounding vs clipping"),
    ("compare", "Compare two schemes"),
];

/// The title of view `id` of [`VIEWS`] in `locale` (the embed builder's checkboxes).
pub fn view_title(id: &str, locale: Locale) -> String {
    let l = locale;
    match id {
        "signal" => td_string!(l, signal.view_signal),
        "error" => td_string!(l, signal.view_error),
        "transfer" => td_string!(l, signal.view_transfer),
        "error-hist" => td_string!(l, signal.view_error_hist),
        "snr-bits" => td_string!(l, signal.view_snr_bits),
        "snr-level" => td_string!(l, signal.view_snr_level),
        "clip" => td_string!(l, signal.view_clip),
        "compare" => td_string!(l, signal.view_compare),
        other => other,
    }
    .to_string()
}

/// Bins of the input histogram under the transfer curve.
pub const INPUT_BINS: usize = 64;
/// Bins of the error histogram.
pub const ERROR_BINS: usize = 41;
/// Points of the transfer curve: enough to show every step of an 8-bit staircase.
pub const TRANSFER_POINTS: usize = 1024;
/// Thresholds of the rounding/clipping sweep.
pub const CLIP_POINTS: usize = 48;

/// The transfer view: the staircase and the input's histogram on the same x range.
#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    /// `(x, Q(x))`, ascending `x`.
    pub curve: Vec<(f64, f64)>,
    /// The input's histogram over the curve's range.
    pub histogram: Histogram,
}

/// Computes the transfer view of `scheme` on `input`.
pub fn transfer(input: &[f32], scheme: &Scheme) -> Result<Transfer, QuantError> {
    let range = analysis::transfer_range(input)?;
    let curve = analysis::transfer_curve(scheme, input, TRANSFER_POINTS)?;
    let histogram = analysis::histogram(input, INPUT_BINS, Some(range))?;
    Ok(Transfer { curve, histogram })
}

/// The histogram of the error, over `±Δ/2` widened to show what lies outside.
pub fn error_histogram(r: &SignalResult) -> Result<Histogram, QuantError> {
    analysis::error_histogram(&r.error, r.metrics.step, ERROR_BINS)
}

/// The SNR-against-bits view: measured on the signal, and the textbook line.
#[derive(Debug, Clone, PartialEq)]
pub struct SnrBits {
    /// `(bits, SNR dB)` measured.
    pub measured: Vec<(u32, f64)>,
    /// `(bits, 6.02·b + 1.76)`.
    pub theory: Vec<(u32, f64)>,
}

/// Computes the SNR-against-bits view. It does not depend on `scheme.bits` (every width is
/// swept), so the page keys it on the scheme with the bits left out.
pub fn snr_bits(input: &[f32], scheme: &Scheme) -> Result<SnrBits, QuantError> {
    let measured = analysis::snr_vs_bits(input, scheme)?;
    Ok(SnrBits {
        measured,
        theory: analysis::sqnr_theory_line(1, 16),
    })
}

/// The bits and μ the companding figure uses for a scheme: the scheme's own for μ-law and
/// linear, 8 bits for the fixed formats, and μ = 255 unless the scheme is μ-law.
pub fn companding_params(scheme: &Scheme) -> (u32, f64) {
    let bits = scheme.code_bits().clamp(1, 16);
    let mu = if scheme.scheme == SchemeKind::MuLaw && scheme.mu.is_finite() && scheme.mu > 0.0 {
        scheme.mu
    } else {
        255.0
    };
    (bits, mu)
}

/// The companding curve (a fixed full-scale sine at −60 … 0 dB) for `bits` and `mu`.
pub fn companding_curve(bits: u32, mu: f64) -> Result<Vec<LevelPoint>, QuantError> {
    analysis::snr_vs_input_level(bits, mu, &analysis::default_levels_db())
}

/// The rounding/clipping sweep for the current settings (linear schemes only).
pub fn clip(input: &[f32], scheme: &Scheme) -> Result<ClipTradeoff, QuantError> {
    analysis::clip_tradeoff(input, scheme, CLIP_POINTS)
}

/// CSV of rows of numbers under a header.
pub fn rows_csv<const N: usize>(header: [&str; N], rows: impl Iterator<Item = [f64; N]>) -> String {
    let mut out = header.join(",");
    out.push('\n');
    for row in rows {
        let cells: Vec<String> = row.iter().map(|v| num_cell(*v)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn num_cell(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else if v.is_nan() {
        "NaN".into()
    } else if v > 0.0 {
        "Infinity".into()
    } else {
        "-Infinity".into()
    }
}

/// CSV of the transfer curve.
pub fn transfer_csv(t: &Transfer) -> String {
    rows_csv(["x", "q"], t.curve.iter().map(|&(x, q)| [x, q]))
}

/// CSV of a histogram's bars.
pub fn histogram_csv(h: &Histogram) -> String {
    rows_csv(
        ["bin_lo", "bin_hi", "count"],
        h.bars().map(|(a, b, n)| [a, b, n as f64]),
    )
}

/// CSV of the SNR-against-bits view.
pub fn snr_bits_csv(s: &SnrBits) -> String {
    rows_csv(
        ["bits", "snr_db", "theory_db"],
        s.measured.iter().map(|&(b, snr)| {
            [
                f64::from(b),
                snr,
                analysis::sqnr_theory_line(b, b)
                    .first()
                    .map_or(f64::NAN, |p| p.1),
            ]
        }),
    )
}

/// CSV of the companding curve.
pub fn level_csv(curve: &[LevelPoint]) -> String {
    rows_csv(
        ["level_db", "snr_linear_db", "snr_mulaw_db"],
        curve
            .iter()
            .map(|p| [p.level_db, p.snr_linear, p.snr_mulaw]),
    )
}

/// CSV of the rounding/clipping sweep.
pub fn clip_csv(t: &ClipTradeoff) -> String {
    rows_csv(
        ["alpha", "rounding_mse", "clipping_mse", "total_mse"],
        t.sweep.iter().map(|p| {
            [
                p.alpha,
                p.split.rounding_mse,
                p.split.clipping_mse,
                p.split.total_mse,
            ]
        }),
    )
}

/// CSV of the comparison: the signal and both reconstructions.
pub fn compare_csv(a: &SignalResult, b: &SignalResult) -> String {
    let n = a.input.len().min(b.input.len());
    rows_csv(
        ["n", "x", "q_a", "q_b", "e_a", "e_b"],
        (0..n).map(|i| {
            [
                i as f64,
                f64::from(a.input[i]),
                f64::from(a.quantized[i]),
                f64::from(b.quantized[i]),
                f64::from(a.error[i]),
                f64::from(b.error[i]),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::signal::{SignalLabState, compute};
    use quantlab_core::quantizer::Mode;

    fn state(bits: u32) -> SignalLabState {
        let mut s = SignalLabState::default();
        s.scheme.bits = bits;
        s.scheme.mode = Mode::Sym;
        s
    }

    #[test]
    fn every_view_computes_on_the_default_signal() {
        let s = state(4);
        let r = compute(&s).unwrap();
        let t = transfer(&r.input, &s.scheme).unwrap();
        assert_eq!(t.curve.len(), TRANSFER_POINTS);
        assert_eq!(t.histogram.total(), r.input.len());
        // The staircase takes exactly the scheme's levels.
        let mut ys: Vec<f64> = t.curve.iter().map(|p| p.1).collect();
        ys.dedup();
        assert_eq!(ys.len(), r.levels.len());
        let h = error_histogram(&r).unwrap();
        assert_eq!(h.total() + h.outside, r.input.len());
        let sb = snr_bits(&r.input, &s.scheme).unwrap();
        assert_eq!(sb.theory.len(), 16);
        let at4 = sb.measured.iter().find(|p| p.0 == 4).unwrap().1;
        assert!(
            (at4 - r.metrics.snr_db).abs() < 1e-9,
            "{at4} vs {}",
            r.metrics.snr_db
        );
        let c = clip(&r.input, &s.scheme).unwrap();
        assert_eq!(c.sweep.len(), CLIP_POINTS);
        let (bits, mu) = companding_params(&s.scheme);
        assert_eq!((bits, mu), (4, 255.0));
        assert_eq!(companding_curve(bits, mu).unwrap().len(), 61);
    }

    #[test]
    fn clip_is_for_the_linear_scheme_only() {
        let mut s = state(8);
        s.scheme.scheme = SchemeKind::MuLaw;
        let r = compute(&s).unwrap();
        assert!(
            clip(&r.input, &s.scheme)
                .unwrap_err()
                .to_string()
                .contains("linear")
        );
        assert_eq!(companding_params(&s.scheme), (8, s.scheme.mu));
    }

    #[test]
    fn csv_exports_have_headers_and_rows() {
        let s = state(3);
        let r = compute(&s).unwrap();
        let t = transfer(&r.input, &s.scheme).unwrap();
        let csv = transfer_csv(&t);
        assert!(csv.starts_with("x,q\n"));
        assert_eq!(csv.lines().count(), TRANSFER_POINTS + 1);
        let sb = snr_bits(&r.input, &s.scheme).unwrap();
        let csv = snr_bits_csv(&sb);
        assert!(csv.contains("\n3,"), "{csv}");
        assert_eq!(
            rows_csv(["a"], [[f64::INFINITY]].into_iter()),
            "a\nInfinity\n"
        );
        let b = compute(&state(8)).unwrap();
        let csv = compare_csv(&r, &b);
        assert_eq!(csv.lines().count(), r.input.len() + 1);
        assert!(csv.starts_with("n,x,q_a,q_b,e_a,e_b\n0,"));
    }
}
