//! Sections 1 to 5: bits, linear quantization, the SNR rule, μ-law, and `r = S·(q − Z)`.

use leptos::prelude::*;
use leptos_i18n::td_string;
use quantlab_core::lesson::answers::{
    exponent_bits, first_bits_reaching, level_snr, linear_step, zero_point,
};
use quantlab_core::lesson::{Answer, NumberFormat};
use quantlab_core::quantizer::{Mode, Scheme, SchemeKind};

use super::live::{BitsSlider, host_signal, signal_href};
use super::question::{Kind, Question};
use super::section::{open_in_lab, prose};
use crate::labs::signal::state::SignalLabState;
use crate::labs::signal::views::{AnalysisFigures, SignalFigures};
use crate::lang::{Locale, use_i18n};

/// `[fn(Locale) -> &str; N]` of lesson keys, for [`prose`].
macro_rules! keys {
    ($($ns:ident . $key:ident),+ $(,)?) => {
        [$((|l: Locale| td_string!(l, $ns.$key)) as fn(Locale) -> &'static str),+]
    };
}
pub(crate) use keys;

/// An exact integer answer.
pub(crate) fn exact(v: f64) -> Option<Answer> {
    Some(Answer::Number {
        value: v,
        tolerance: 0.0,
    })
}

/// A sine of `n` samples at full scale, quantized by `scheme`.
fn sine(scheme: Scheme, n: usize) -> SignalLabState {
    SignalLabState {
        n,
        amp: 1.0,
        freq: 2.0,
        scheme,
        ..SignalLabState::default()
    }
}

/// Section 1: a value typed, drawn in fp32, fp16, bf16 and int8.
pub fn bits() -> impl IntoView {
    let i18n = use_i18n();
    let why = Signal::derive(move || td_string!(i18n.get_locale(), lesson.s1_why).to_string());
    view! {
        {prose(&keys![lesson.s1_p1, lesson.s1_p2, lesson.s1_p3])}
        <super::bits::BitsFigure/>
        <Question id="s1" prompt=|l| td_string!(l, lesson.s1_q) kind=Kind::Number
            answer=Signal::derive(|| exact(f64::from(exponent_bits(NumberFormat::Bf16)))) why=why/>
    }
}

/// Section 2: the course formula's staircase and its error, with a bits slider.
pub fn linear() -> impl IntoView {
    let course = Scheme {
        bits: 3,
        mode: Mode::AsymFloat,
        ..Scheme::default()
    };
    let (st, _) = host_signal(sine(course, 128), &["signal", "error", "transfer"]);
    let i18n = use_i18n();
    let answer = Signal::derive(|| {
        linear_step(3, -1.0, 1.0).ok().map(|d| Answer::Number {
            value: d,
            tolerance: 5e-4,
        })
    });
    view! {
        {prose(&keys![lesson.s2_p1, lesson.s2_p2, lesson.s2_p3])}
        <div class="lesson-figure">
            <BitsSlider id="s2" range=(1, 8) st=st/>
            <SignalFigures/>
            <AnalysisFigures/>
        </div>
        {open_in_lab("s2-open", signal_href(st))}
        <Question id="s2" prompt=|l| td_string!(l, lesson.s2_q) kind=Kind::Number answer=answer
            why=Signal::derive(move || td_string!(i18n.get_locale(), lesson.s2_why).to_string())/>
    }
}

/// Section 3: the SNR measured at every bit width against 6.02·b + 1.76 dB.
pub fn snr() -> impl IntoView {
    let scheme = Scheme {
        bits: 8,
        mode: Mode::AsymFloat,
        ..Scheme::default()
    };
    let (st, pipeline) = host_signal(sine(scheme, 1024), &["snr-bits"]);
    let i18n = use_i18n();
    let snr_bits = pipeline.snr_bits;
    let answer = Signal::derive(move || {
        snr_bits.with(|r| {
            r.as_ref()
                .ok()
                .and_then(|s| first_bits_reaching(&s.measured, 40.0))
                .and_then(|b| exact(f64::from(b)))
        })
    });
    view! {
        {prose(&keys![lesson.s3_p1, lesson.s3_p2])}
        <div class="lesson-figure">
            <BitsSlider id="s3" range=(1, 16) st=st/>
            <AnalysisFigures/>
        </div>
        {open_in_lab("s3-open", signal_href(st))}
        <Question id="s3" prompt=|l| td_string!(l, lesson.s3_q) kind=Kind::Number answer=answer
            why=Signal::derive(move || td_string!(i18n.get_locale(), lesson.s3_why).to_string())/>
    }
}

/// Section 4: μ-law's transfer curve and the SNR against the input level.
pub fn mu_law() -> impl IntoView {
    let scheme = Scheme {
        scheme: SchemeKind::MuLaw,
        bits: 8,
        ..Scheme::default()
    };
    let (st, _) = host_signal(sine(scheme, 1024), &["transfer", "snr-level"]);
    let i18n = use_i18n();
    let point = level_snr(-40.0, 8, 255.0).ok();
    let answer = Signal::derive(move || {
        point.map(|p| {
            Answer::Choice(
                if p.snr_mulaw > p.snr_linear {
                    "mulaw"
                } else {
                    "linear"
                }
                .into(),
            )
        })
    });
    let why = Signal::derive(move || {
        let l = i18n.get_locale();
        point.map_or_else(String::new, |p| {
            let f = |v: f64| crate::lang::numbers::localize(&crate::format::fixed(v, 1), l);
            crate::tdf!(
                l,
                lesson.s4_why,
                linear = f(p.snr_linear),
                mulaw = f(p.snr_mulaw)
            )
        })
    });
    let choices = vec![
        (
            "linear",
            (|l| td_string!(l, lesson.s4_linear)) as fn(Locale) -> &'static str,
        ),
        ("mulaw", |l| td_string!(l, lesson.s4_mulaw)),
    ];
    view! {
        {prose(&keys![lesson.s4_p1, lesson.s4_p2, lesson.s4_p3])}
        <div class="lesson-figure">
            <BitsSlider id="s4" range=(2, 12) st=st/>
            <AnalysisFigures/>
        </div>
        {open_in_lab("s4-open", signal_href(st))}
        <Question id="s4" prompt=|l| td_string!(l, lesson.s4_q) kind=Kind::Choice(choices) answer=answer why=why/>
    }
}

/// Section 5: `r = S·(q − Z)` worked on one weight.
pub fn affine() -> impl IntoView {
    let i18n = use_i18n();
    let answer = Signal::derive(|| zero_point(-1.0, 3.0, 8).ok().and_then(exact));
    let href = || {
        let state = crate::labs::weight::state::WeightLabState {
            scheme: Scheme {
                bits: 8,
                mode: Mode::Asym,
                range: quantlab_core::quantizer::IntRange::Unsigned,
                ..Scheme::default()
            },
            ..Default::default()
        };
        let q = quantlab_core::url_state::to_query(&state);
        super::section::lab_href(crate::labs::Lab::Weight, &q)
    };
    view! {
        {prose(&keys![lesson.s5_p1, lesson.s5_p2, lesson.s5_p3])}
        <super::worked::WorkedFigure/>
        {open_in_lab("s5-open", href)}
        <Question id="s5" prompt=|l| td_string!(l, lesson.s5_q) kind=Kind::Number answer=answer
            why=Signal::derive(move || td_string!(i18n.get_locale(), lesson.s5_why).to_string())/>
    }
}
