//! The Signal lab's live formulas: the quantizer's ([`scale_formula`]) and each figure's,
//! with the current numbers substituted, in the page's language (numbers with its decimal
//! separator, [`crate::lang::numbers::localize`]).

use leptos_i18n::td_string;
use quantlab_core::analysis::{ClipTradeoff, Histogram, LevelPoint};
use quantlab_core::quant::types::GgmlType;
use quantlab_core::quantizer::{Fp8Format, Mode, ScaleLayout, Scheme, SchemeKind};

use super::pipeline::SignalResult;
use crate::format::{fixed, num};
use crate::lang::Locale;
use crate::lang::numbers::localize;
use crate::widgets::scheme_names::clip_label;

/// `v` as [`num`] writes it, in `l`'s separators.
pub fn n(v: f64, l: Locale) -> String {
    localize(&num(v), l)
}

/// `v` with `d` decimals, in `l`'s separators.
pub fn fx(v: f64, d: usize, l: Locale) -> String {
    localize(&fixed(v, d), l)
}

/// The formula of a scheme known by its levels alone (a codebook): their count and the
/// smallest step.
fn levels_formula(r: &SignalResult, l: Locale) -> String {
    crate::tdf!(
        l,
        signal.f_levels,
        count = r.levels.len(),
        step = n(r.metrics.step, l)
    )
}

/// How a ggml type lays out its blocks, in words.
fn ggml_layout(ty: GgmlType, l: Locale) -> &'static str {
    match ty {
        GgmlType::Q8_0 | GgmlType::Q4_0 | GgmlType::Q5_0 => td_string!(l, signal.ggml_scale),
        GgmlType::Q4_1 | GgmlType::Q5_1 => td_string!(l, signal.ggml_scale_min),
        GgmlType::IQ4_NL => td_string!(l, signal.ggml_iq4_nl),
        GgmlType::Q2_K => td_string!(l, signal.ggml_q2_k),
        GgmlType::Q3_K => td_string!(l, signal.ggml_q3_k),
        GgmlType::Q4_K | GgmlType::Q5_K => td_string!(l, signal.ggml_q4_k),
        GgmlType::Q6_K => td_string!(l, signal.ggml_q6_k),
        GgmlType::Q8_K => td_string!(l, signal.ggml_q8_k),
    }
}

/// The formula of a scheme without affine parameters: one decision per scale layout of the
/// core's descriptor, exhaustive (a new layout, or a new group-absmax kind, must be given its
/// formula here).
fn layout_formula(r: &SignalResult, l: Locale) -> String {
    let levels = 1u64 << r.bits;
    let absmax = n(r.x_max.abs().max(r.x_min.abs()), l);
    let sc = &r.scheme;
    let dc = n(2.0 / (levels - 1).max(1) as f64, l);
    let bpv = n(r.bits_per_value, l);
    match sc.scheme.scales() {
        ScaleLayout::GroupAbsmax => match sc.scheme {
            SchemeKind::MuLaw => crate::tdf!(
                l,
                signal.f_mu_law,
                mu = n(sc.mu, l),
                l1 = levels - 1,
                dc = dc,
                absmax = absmax
            ),
            SchemeKind::ALaw => crate::tdf!(
                l,
                signal.f_a_law,
                a = n(sc.a_law, l),
                dc = dc,
                absmax = absmax
            ),
            SchemeKind::MuLawG711 | SchemeKind::ALawG711 => {
                crate::tdf!(l, signal.f_g711, absmax = absmax, count = r.levels.len())
            }
            SchemeKind::Log2 => crate::tdf!(
                l,
                signal.f_log2,
                absmax = absmax,
                bits = r.bits,
                count = r.levels.len()
            ),
            SchemeKind::Linear
            | SchemeKind::Nf4
            | SchemeKind::Fp4
            | SchemeKind::Fp8
            | SchemeKind::Fp16
            | SchemeKind::Bf16
            | SchemeKind::Q8_0
            | SchemeKind::Q4_0
            | SchemeKind::Q4_1
            | SchemeKind::Q5_0
            | SchemeKind::Q5_1
            | SchemeKind::Iq4Nl
            | SchemeKind::Q2K
            | SchemeKind::Q3K
            | SchemeKind::Q4K
            | SchemeKind::Q5K
            | SchemeKind::Q6K
            | SchemeKind::Q8K
            | SchemeKind::KMeans
            | SchemeKind::KMeansOptimal
            | SchemeKind::LloydMax
            | SchemeKind::Mxfp8E4m3
            | SchemeKind::Mxfp8E5m2
            | SchemeKind::Mxfp6E3m2
            | SchemeKind::Mxfp6E2m3
            | SchemeKind::Mxfp4
            | SchemeKind::Mxint8
            | SchemeKind::Nvfp4 => levels_formula(r, l),
        },
        ScaleLayout::Nf4Block => crate::tdf!(
            l,
            signal.f_nf4,
            block = sc.block_size,
            dq = if sc.double_quant {
                td_string!(l, signal.f_nf4_double)
            } else {
                ""
            },
            bpv = bpv
        ),
        ScaleLayout::MiniFloat => crate::tdf!(
            l,
            signal.f_minifloat,
            absmax = absmax,
            max = if sc.scheme == SchemeKind::Fp4 {
                "6".to_string()
            } else if sc.fp8 == Fp8Format::E4m3 {
                "448".to_string()
            } else {
                localize("57344", l)
            }
        ),
        ScaleLayout::None => crate::tdf!(
            l,
            signal.f_half,
            format = if sc.scheme == SchemeKind::Fp16 {
                "fp16"
            } else {
                "bf16"
            },
            step = n(r.metrics.step, l)
        ),
        ScaleLayout::GgmlBlock(ty) => crate::tdf!(
            l,
            signal.f_ggml,
            id = sc.scheme.id(),
            layout = ggml_layout(ty, l),
            bpv = bpv
        ),
        ScaleLayout::MxBlock(element) => crate::tdf!(
            l,
            signal.f_mx,
            name = element.name(),
            emax = element.emax(),
            bpv = bpv
        ),
        ScaleLayout::Nvfp4Block => crate::tdf!(
            l,
            signal.f_nvfp4,
            s2 = n(r.x_max.abs().max(r.x_min.abs()) / 2688.0, l),
            bpv = bpv
        ),
        // A codebook has no formula but its levels; a linear result always has its
        // parameters (so never reaches here).
        ScaleLayout::Codebook | ScaleLayout::Affine => levels_formula(r, l),
    }
}

/// The quantizer's formula with its live numbers substituted, in `l`.
pub fn scale_formula(r: &SignalResult, l: Locale) -> String {
    let Some(p) = r.params else {
        return layout_formula(r, l);
    };
    let levels = 1u64 << r.bits;
    let absmax = n(r.x_max.abs().max(r.x_min.abs()), l);
    let s = n(p.scale, l);
    match r.scheme.mode {
        Mode::AsymFloat => format!(
            "L = 2^{b} = {levels};  Δ = (x_max − x_min)/(L − 1) = ({} − {})/{} = {s};  Q(x) = Δ·round((x − x_min)/Δ) + x_min",
            n(r.x_max, l),
            n(r.x_min, l),
            levels - 1,
            b = r.bits
        ),
        Mode::Sym => format!(
            "S = max|x|/(2^(b−1) − 1) = {absmax}/{} = {s};  Z = {};  q = clamp(round(x/S) + Z, {}, {});  x̂ = S·(q − Z)",
            (levels / 2).saturating_sub(1),
            n(p.zero_point, l),
            p.qmin,
            p.qmax
        ),
        Mode::Asym => format!(
            "S = (max − min)/(q_max − q_min) = ({} − {})/{} = {s};  Z = q_min − round(min/S) = {};  q = clamp(round(x/S) + Z, {}, {});  x̂ = S·(q − Z)",
            n(r.x_max.max(0.0), l),
            n(r.x_min.min(0.0), l),
            p.qmax - p.qmin,
            n(p.zero_point, l),
            p.qmin,
            p.qmax
        ),
        Mode::MidRise => crate::tdf!(
            l,
            signal.f_mid_rise,
            absmax = absmax,
            levels = levels,
            s = s,
            qmin = p.qmin,
            qmax = p.qmax
        ),
    }
}

/// The error figure's formula: the step, its half, the largest error and the MSE.
pub fn error_formula(r: &SignalResult, l: Locale) -> String {
    format!(
        "Δ = {}, ±Δ/2 = ±{}; max |e| = {}; MSE = {}",
        n(r.metrics.step, l),
        n(r.metrics.step / 2.0, l),
        n(r.metrics.max_abs_error, l),
        n(r.metrics.mse, l)
    )
}

/// The transfer view's formula.
pub fn transfer_formula(r: &SignalResult, l: Locale) -> String {
    let count = r.levels.len();
    let (lo, hi) = (n(r.x_min, l), n(r.x_max, l));
    if r.scheme.scheme == SchemeKind::Linear && r.scheme.mode == Mode::AsymFloat {
        return crate::tdf!(
            l,
            signal.f_transfer_course,
            step = n(r.metrics.step, l),
            lo = lo,
            hi = hi,
            count = count
        );
    }
    match r.params {
        Some(p) => crate::tdf!(
            l,
            signal.f_transfer_affine,
            qmin = p.qmin,
            qmax = p.qmax,
            s = n(p.scale, l),
            z = n(p.zero_point, l),
            count = count,
            lo = lo,
            hi = hi
        ),
        None => crate::tdf!(
            l,
            signal.f_transfer_levels,
            count = count,
            step = n(r.metrics.step, l),
            lo = lo,
            hi = hi
        ),
    }
}

/// The error histogram's formula: the uniform-noise model against the measurement.
pub fn error_histogram_formula(r: &SignalResult, h: &Histogram, l: Locale) -> String {
    let step = r.metrics.step;
    let half = step / 2.0;
    let outside = r
        .error
        .iter()
        .filter(|e| f64::from(e.abs()) > half * (1.0 + 1e-6))
        .count();
    crate::tdf!(
        l,
        signal.f_error_hist,
        half = n(half, l),
        step = n(step, l),
        model = n(step * step / 12.0, l),
        mse = n(r.metrics.mse, l),
        outside = outside,
        total = localize(&h.total().to_string(), l),
        note = if outside > 0 {
            td_string!(l, signal.f_error_hist_note)
        } else {
            ""
        }
    )
}

/// The SNR-against-bits formula at the current bits.
pub fn snr_bits_formula(r: &SignalResult, l: Locale) -> String {
    crate::tdf!(
        l,
        signal.f_snr_bits,
        snr = fx(r.metrics.snr_db, 2, l),
        b = r.bits,
        theory = fx(r.metrics.sqnr_theory_db, 2, l),
        diff = fx(r.metrics.snr_db - r.metrics.sqnr_theory_db, 2, l)
    )
}

/// The companding figure's formula, with the current signal's point.
pub fn level_formula(bits: u32, mu: f64, current: Option<&LevelPoint>, l: Locale) -> String {
    let point = match current {
        Some(p) => crate::tdf!(
            l,
            signal.f_level_point,
            level = fx(p.level_db, 1, l),
            linear = fx(p.snr_linear, 1, l),
            mulaw = fx(p.snr_mulaw, 1, l)
        ),
        None => td_string!(l, signal.f_level_none).to_string(),
    };
    crate::tdf!(
        l,
        signal.f_level,
        bits = bits,
        step = n(2.0 / f64::from(1u32 << bits.min(16)), l),
        mu = n(mu, l),
        point = point
    )
}

/// The rounding/clipping formula at the current clip range.
pub fn clip_formula(t: &ClipTradeoff, scheme: &Scheme, l: Locale) -> String {
    let c = &t.current;
    crate::tdf!(
        l,
        signal.f_clip,
        strategy = clip_label(scheme.clip_strategy().clip, l),
        lo = n(c.lo, l),
        hi = n(c.hi, l),
        alpha = n(c.alpha, l),
        rounding = n(c.split.rounding_mse, l),
        clipping = n(c.split.clipping_mse, l),
        total = n(c.split.total_mse, l),
        clipped = c.split.clipped,
        step = n(c.split.step, l)
    )
}

/// A short name of a scheme with its bits, e.g. `μ-law μ = 255, 8 bits` (technical names
/// and symbols: only the numbers follow the language).
pub fn scheme_name(s: &Scheme, l: Locale) -> String {
    let name = match s.scheme {
        SchemeKind::Linear => format!("linear {}", s.mode.id()),
        SchemeKind::MuLaw => format!("μ-law μ = {}", n(s.mu, l)),
        SchemeKind::ALaw => format!("A-law A = {}", n(s.a_law, l)),
        SchemeKind::Fp8 => format!("FP8 {}", s.fp8.id()),
        // Every other kind is named by its id alone; listed, so a new kind is decided here.
        SchemeKind::MuLawG711
        | SchemeKind::ALawG711
        | SchemeKind::Log2
        | SchemeKind::Nf4
        | SchemeKind::Fp4
        | SchemeKind::Fp16
        | SchemeKind::Bf16
        | SchemeKind::Q8_0
        | SchemeKind::Q4_0
        | SchemeKind::Q4_1
        | SchemeKind::Q5_0
        | SchemeKind::Q5_1
        | SchemeKind::Iq4Nl
        | SchemeKind::Q2K
        | SchemeKind::Q3K
        | SchemeKind::Q4K
        | SchemeKind::Q5K
        | SchemeKind::Q6K
        | SchemeKind::Q8K
        | SchemeKind::KMeans
        | SchemeKind::KMeansOptimal
        | SchemeKind::LloydMax
        | SchemeKind::Mxfp8E4m3
        | SchemeKind::Mxfp8E5m2
        | SchemeKind::Mxfp6E3m2
        | SchemeKind::Mxfp6E2m3
        | SchemeKind::Mxfp4
        | SchemeKind::Mxint8
        | SchemeKind::Nvfp4 => s.scheme.id().to_string(),
    };
    format!("{name}, {} bits", s.code_bits())
}

/// The comparison in one line: both SNRs, their difference and both storage costs.
pub fn compare_formula(a: &SignalResult, b: &SignalResult, l: Locale) -> String {
    crate::tdf!(
        l,
        signal.f_compare,
        a = scheme_name(&a.scheme, l),
        snr_a = fx(a.metrics.snr_db, 2, l),
        mse_a = n(a.metrics.mse, l),
        bpv_a = n(a.bits_per_value, l),
        b = scheme_name(&b.scheme, l),
        snr_b = fx(b.metrics.snr_db, 2, l),
        mse_b = n(b.metrics.mse, l),
        bpv_b = n(b.bits_per_value, l),
        diff = fx(b.metrics.snr_db - a.metrics.snr_db, 2, l)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::signal::figures::{clip, error_histogram};
    use crate::labs::signal::{SignalLabState, compute};

    const EN: Locale = Locale::en;
    const PT: Locale = Locale::pt_BR;

    fn state(bits: u32) -> SignalLabState {
        let mut s = SignalLabState::default();
        s.scheme.bits = bits;
        s.scheme.mode = Mode::Sym;
        s
    }

    #[test]
    fn formulas_carry_the_live_numbers() {
        let s = state(4);
        let r = compute(&s).unwrap();
        let p = r.params.unwrap();
        assert!(transfer_formula(&r, EN).contains(&num(p.scale)));
        let h = error_histogram(&r).unwrap();
        let f = error_histogram_formula(&r, &h, EN);
        assert!(
            f.contains(&num(r.metrics.step * r.metrics.step / 12.0)),
            "{f}"
        );
        assert!(f.contains(" 0 of 1024 samples"), "{f}");
        assert!(snr_bits_formula(&r, EN).contains("6.02·4 + 1.76 = 25.84"));
        let c = clip(&r.input, &s.scheme).unwrap();
        assert!(clip_formula(&c, &s.scheme, EN).contains("Min-max"));
        let lf = level_formula(8, 255.0, None, EN);
        assert!(lf.contains("μ = 255") && lf.contains("0.0078125"), "{lf}");
    }

    #[test]
    fn portuguese_formulas_have_decimal_commas_and_portuguese_words() {
        let s = state(4);
        let r = compute(&s).unwrap();
        let f = snr_bits_formula(&r, PT);
        assert!(f.contains("6,02·4 + 1,76 = 25,84"), "{f}");
        assert!(f.contains("teoria"), "{f}");
        let lf = level_formula(8, 255.0, None, PT);
        assert!(
            lf.contains("0,0078125") && lf.contains("fundo de escala"),
            "{lf}"
        );
        let c = clip(&r.input, &s.scheme).unwrap();
        assert!(clip_formula(&c, &s.scheme, PT).contains("Mín-máx"));
        assert!(transfer_formula(&r, PT).contains("degraus"));
    }

    #[test]
    fn every_scheme_has_a_formula_in_both_languages() {
        for &kind in SchemeKind::ALL.iter() {
            let mut s = state(8);
            s.scheme.scheme = kind;
            let (lo, hi) = kind.bits_range();
            s.scheme.bits = s.scheme.bits.clamp(lo, hi);
            let Ok(r) = compute(&s) else { continue };
            let (en, pt) = (scale_formula(&r, EN), scale_formula(&r, PT));
            assert!(!en.is_empty() && !pt.is_empty(), "{}", kind.id());
        }
    }
}
