//! Words of the MLP lab that are built from parts: configuration labels in the page's
//! language and number cells of the tables.

use leptos::prelude::*;
use quantlab_core::mlp::QuantConfig;

use super::state::{MAX_BATCH, MAX_EPOCHS, MAX_PARAMS, Problem};
use crate::lang::numbers::localize;
use crate::lang::{I18nContext, t_string};

/// A configuration's label (`W8 per-channel`, `W4 g128`) with its granularity words in the
/// page's language; the configuration ids stay as they are.
pub fn config_label(config: QuantConfig, i18n: I18nContext) -> String {
    config
        .label()
        .replace("per-channel", t_string!(i18n, mlp.per_channel))
        .replace("per-tensor", t_string!(i18n, mlp.per_tensor))
}

/// A table cell holding a number: the text in the page's language, the plain number in
/// `data-value`, and `testid` (if any) as its `data-testid`.
pub fn num_td(testid: Option<String>, plain: String, i18n: I18nContext) -> impl IntoView {
    let text = {
        let plain = plain.clone();
        move || localize(&plain, i18n.get_locale())
    };
    view! { <td class="num" data-testid=testid data-value=plain>{text}</td> }
}

/// A dataset's name (`MNIST (10k/2k subset)`) with the words around the name in the page's
/// language; the name itself stays.
pub fn dataset_name(name: &str, i18n: I18nContext) -> String {
    name.replace("(10k/2k subset)", t_string!(i18n, mlp.subset))
}

/// What is wrong with the training settings, in the page's language (the core's own check
/// stays in its English words).
pub fn problem(p: &Problem, i18n: I18nContext) -> String {
    let n = |v: String| localize(&v, i18n.get_locale());
    match p {
        Problem::ZeroUnits => t_string!(i18n, mlp.p_zero_units).to_string(),
        Problem::TooWide(v) => fill(
            t_string!(i18n, mlp.p_too_wide),
            &[("v", &(n(v.to_string())))],
        ),
        Problem::NotASize(p) => fill(t_string!(i18n, mlp.p_not_a_size), &[("p", &p)]),
        Problem::TooManyLayers => t_string!(i18n, mlp.p_too_many_layers).to_string(),
        Problem::Epochs(v) => fill(
            t_string!(i18n, mlp.p_epochs),
            &[("max", &MAX_EPOCHS), ("v", &v)],
        ),
        Problem::Batch(v) => fill(
            t_string!(i18n, mlp.p_batch),
            &[("max", &MAX_BATCH), ("v", &v)],
        ),
        Problem::LearningRate(v) => fill(t_string!(i18n, mlp.p_lr), &[("v", &(n(v.to_string())))]),
        Problem::Shift(v) => fill(t_string!(i18n, mlp.p_shift), &[("v", &v)]),
        Problem::TooBig { dims, params } => fill(
            t_string!(i18n, mlp.p_too_big),
            &[
                ("dims", &dims),
                ("params", &(n(params.to_string()))),
                ("max", &(n(MAX_PARAMS.to_string()))),
            ],
        )
        .to_string(),
        Problem::Core(e) => e.clone(),
    }
}

/// `template` (a sentence from the locale files) with each `{name}` replaced by its value
/// ([`crate::lang::fill::fill_display`]).
pub fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    crate::lang::fill::fill_display(template, args)
}
