//! Words of the MLP lab that are built from parts: configuration labels in the page's
//! language and number cells of the tables.

use leptos::prelude::*;
use quantlab_core::mlp::QuantConfig;

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
