//! The names of the core's quantization schemes (and of their modes, clip strategies and
//! signal presets) in the page's language.
//!
//! The core's descriptors carry English labels ([`SchemeKind::label`]); the app shows
//! [`scheme_label`] instead, which looks the kind up by its stable id in the `schemes`
//! namespace (`locales/<lang>/schemes.json`, the id with `-` written `_`). Purely technical
//! names (NF4, Q4_K, MXFP4 E2M1, …) are the core's label in both languages.

use leptos_i18n::td_string;
use quantlab_core::clipping::ClipKind;
use quantlab_core::quantizer::{Mode, SchemeKind};
use quantlab_core::signal::SignalKind;

use crate::lang::Locale;

/// The name of a scheme kind in `locale`, for menus and tables: e.g. `Linear (uniform)` /
/// `Linear (uniforme)`; technical names such as `ggml Q4_K` are the same in both.
///
/// In a component: `scheme_label(kind, use_i18n().get_locale())` (inside a closure, so the
/// text follows the language switch).
pub fn scheme_label(kind: SchemeKind, locale: Locale) -> &'static str {
    let l = locale;
    match kind {
        SchemeKind::Linear => td_string!(l, schemes.linear),
        SchemeKind::MuLaw => td_string!(l, schemes.mu_law),
        SchemeKind::ALaw => td_string!(l, schemes.a_law),
        SchemeKind::MuLawG711 => td_string!(l, schemes.mu_law_g711),
        SchemeKind::ALawG711 => td_string!(l, schemes.a_law_g711),
        SchemeKind::Log2 => td_string!(l, schemes.log2),
        SchemeKind::Fp16 => td_string!(l, schemes.fp16),
        SchemeKind::KMeansOptimal => td_string!(l, schemes.kmeans_optimal),
        SchemeKind::LloydMax => td_string!(l, schemes.lloyd_max),
        SchemeKind::Nvfp4 => td_string!(l, schemes.nvfp4),
        // Technical names: the same in every language.
        SchemeKind::Nf4
        | SchemeKind::Fp4
        | SchemeKind::Fp8
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
        | SchemeKind::Mxfp8E4m3
        | SchemeKind::Mxfp8E5m2
        | SchemeKind::Mxfp6E3m2
        | SchemeKind::Mxfp6E2m3
        | SchemeKind::Mxfp4
        | SchemeKind::Mxint8 => kind.label(),
    }
}

/// The name of a linear scheme's range mapping in `locale` (the core's [`Mode::label`]).
pub fn mode_label(mode: Mode, locale: Locale) -> &'static str {
    let l = locale;
    match mode {
        Mode::Sym => td_string!(l, schemes.mode_sym),
        Mode::Asym => td_string!(l, schemes.mode_asym),
        Mode::AsymFloat => td_string!(l, schemes.mode_asym_float),
        Mode::MidRise => td_string!(l, schemes.mode_mid_rise),
    }
}

/// The name of a clip strategy in `locale` (the core's [`ClipKind::label`]).
pub fn clip_label(clip: ClipKind, locale: Locale) -> &'static str {
    let l = locale;
    match clip {
        ClipKind::MinMax => td_string!(l, schemes.clip_minmax),
        ClipKind::Percentile => td_string!(l, schemes.clip_percentile),
        ClipKind::Mse => td_string!(l, schemes.clip_mse),
    }
}

/// The name of a generated signal in `locale` (the core's [`SignalKind::label`]).
pub fn signal_label(kind: SignalKind, locale: Locale) -> &'static str {
    let l = locale;
    match kind {
        SignalKind::Sine => td_string!(l, schemes.signal_sine),
        SignalKind::SumOfSines => td_string!(l, schemes.signal_sum_of_sines),
        SignalKind::Chirp => td_string!(l, schemes.signal_chirp),
        SignalKind::Gaussian => td_string!(l, schemes.signal_gaussian),
        SignalKind::Laplacian => td_string!(l, schemes.signal_laplacian),
        SignalKind::SpeechBursts => td_string!(l, schemes.signal_speech),
        SignalKind::Step => td_string!(l, schemes.signal_step),
        SignalKind::Ramp => td_string!(l, schemes.signal_ramp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_names_are_the_core_labels_and_portuguese_ones_differ_where_words_do() {
        for &k in SchemeKind::ALL.iter() {
            assert_eq!(scheme_label(k, Locale::en), k.label(), "{}", k.id());
        }
        for m in Mode::ALL {
            assert_eq!(mode_label(m, Locale::en), m.label());
        }
        for c in ClipKind::ALL {
            assert_eq!(clip_label(c, Locale::en), c.label());
        }
        for &s in SignalKind::ALL.iter() {
            assert_eq!(signal_label(s, Locale::en), s.label());
        }
        assert_eq!(
            scheme_label(SchemeKind::Linear, Locale::pt_BR),
            "Linear (uniforme)"
        );
        assert_eq!(scheme_label(SchemeKind::Q4K, Locale::pt_BR), "ggml Q4_K");
        assert_eq!(
            scheme_label(SchemeKind::Mxfp4, Locale::pt_BR),
            "MXFP4 E2M1 (OCP MX)"
        );
    }
}
