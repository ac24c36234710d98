//! The page's language: English or Brazilian Portuguese.
//!
//! The words live in `locales/<lang>/<namespace>.json` and are looked up with leptos_i18n's
//! `t!` / `t_string!`, whose keys are checked when the app compiles (a key missing from either
//! language does not build). Which language a page shows:
//!
//! 1. `lang=pt-BR` or `lang=en` in the link (kept when a lab rewrites its link, in the nav and
//!    in embeds), else
//! 2. the first of the browser's languages that quantlab speaks, else
//! 3. English.
//!
//! The header's switch sets the `lang` parameter; `<html lang>` follows the language.
//! Numbers in text follow the language too ([`numbers`]), while readouts keep the plain number
//! in a `data-value` attribute for programs.

use leptos::prelude::*;

pub mod errors;
pub mod fill;
pub mod numbers;

// The macro reads Cargo.toml's `[package.metadata.leptos-i18n]` and the JSON files when the
// crate compiles. leptos_i18n 0.6 marks it deprecated in favour of generating the same module
// from a build script (the `leptos_i18n_build` crate); moving there is a follow-up.
#[allow(deprecated, missing_docs)]
mod generated {
    leptos_i18n::load_locales!();
}

pub use generated::i18n::{Locale, t, t_string, use_i18n};
use leptos_i18n::Locale as _;

/// The page's language context.
pub type I18nContext = leptos_i18n::I18nContext<Locale>;

/// The link parameter that names the language.
pub const PARAM: &str = "lang";

/// The language a `lang` value names: `en`, `pt-BR` (any case), or a bare `pt`; `None` for
/// anything else.
pub fn from_id(id: &str) -> Option<Locale> {
    let id = id.trim();
    if let Some(l) = Locale::get_all()
        .iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(id))
    {
        return Some(*l);
    }
    match id
        .split(['-', '_'])
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pt") => Some(Locale::pt_BR),
        Some("en") => Some(Locale::en),
        _ => None,
    }
}

/// The language named by the `lang` parameter of a query string (with or without its `?`).
pub fn from_query(query: &str) -> Option<Locale> {
    let query = query.strip_prefix('?').unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == PARAM)
        .and_then(|(_, v)| from_id(&v))
}

/// The `lang=…` pair of a query string, to carry into links the page builds (empty when the
/// link names no language).
pub fn query_pair(query: &str) -> String {
    from_query(query)
        .map(|l| format!("{PARAM}={}", l.as_str()))
        .unwrap_or_default()
}

/// The first of `accepted` (the browser's languages, most wanted first) that quantlab speaks.
pub fn from_accepted<S: AsRef<str>>(accepted: &[S]) -> Option<Locale> {
    accepted.iter().find_map(|a| from_id(a.as_ref()))
}

/// The browser's languages, most wanted first.
fn browser_languages() -> Vec<String> {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let mut out: Vec<String> = nav
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if out.is_empty()
        && let Some(l) = nav.language()
    {
        out.push(l);
    }
    out
}

/// The language this page starts in: the link's, else the browser's, else English.
pub fn initial(query: &str) -> Locale {
    from_query(query)
        .or_else(|| from_accepted(&browser_languages()))
        .unwrap_or(Locale::en)
}

/// Creates the page's language context in `locale`, provides it to every component below, and
/// keeps `<html lang>` equal to it.
pub fn provide(locale: Locale) -> I18nContext {
    // A context whose starting locale is given (leptos_i18n's main context would start from
    // the browser's languages and override a locale set afterwards); no cookie.
    let ctx = leptos_i18n::context::init_i18n_subcontext_with_options::<Locale>(
        Some(Signal::stored(locale)),
        None,
        None,
        None,
    );
    provide_context(ctx);
    Effect::new(move |_| {
        let lang = ctx.get_locale().as_str();
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", lang);
        }
    });
    ctx
}

/// The header's language switch: picks the language and writes it into the link.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let choose = move |ev| {
        if let Some(l) = from_id(&event_target_value(&ev)) {
            i18n.set_locale(l);
            crate::url::set_page_param(PARAM, l.as_str());
        }
    };
    view! {
        <label class="lang-switch">
            <span class="visually-hidden">{move || t_string!(i18n, app.language)}</span>
            <select data-testid="lang" on:change=choose>
                <option value="en" lang="en" selected=move || i18n.get_locale() == Locale::en>"English"</option>
                <option value="pt-BR" lang="pt-BR" selected=move || i18n.get_locale() == Locale::pt_BR>"Português (Brasil)"</option>
            </select>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lang_value_names_a_language_in_any_case_and_others_are_none() {
        assert_eq!(from_id("pt-BR"), Some(Locale::pt_BR));
        assert_eq!(from_id("pt-br"), Some(Locale::pt_BR));
        assert_eq!(from_id("pt"), Some(Locale::pt_BR));
        assert_eq!(from_id("pt-PT"), Some(Locale::pt_BR));
        assert_eq!(from_id("en"), Some(Locale::en));
        assert_eq!(from_id("en-GB"), Some(Locale::en));
        assert_eq!(from_id("de"), None);
        assert_eq!(from_id(""), None);
    }

    #[test]
    fn the_link_names_the_language_and_the_browser_is_the_fallback() {
        assert_eq!(from_query("?lab=memory&lang=pt-BR"), Some(Locale::pt_BR));
        assert_eq!(from_query("lang=en&lab=signal"), Some(Locale::en));
        assert_eq!(from_query("?lab=memory"), None);
        assert_eq!(from_query("?lang=klingon"), None);
        assert_eq!(query_pair("?lab=x&lang=pt-br"), "lang=pt-BR");
        assert_eq!(query_pair("?lab=x"), "");
        assert_eq!(
            from_accepted(&["de-DE", "pt-BR", "en"]),
            Some(Locale::pt_BR)
        );
        assert_eq!(from_accepted(&["fr"]), None);
    }
}
