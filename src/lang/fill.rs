//! Words with numbers and names in them, as plain strings (formulas, chart labels,
//! attributes, messages).
//!
//! leptos_i18n's `t_string!` / `td_string!` interpolate only with its `interpolate_display`
//! option, which `load_locales!` cannot turn on; so a text meant for a string writes its
//! variables as `{name}` (single braces, which leptos_i18n leaves alone) and [`fill`] puts the
//! values in. [`tdf!`](crate::tdf) looks the key up (checked when the app compiles, like every
//! key) and fills it. A placeholder with no value stays as it is; the tests of each
//! namespace check that both languages use the same placeholders.

use std::fmt::Display;

/// `template` with each `{name}` of `args` replaced by its value.
pub fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16 * args.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (v.to_string(), close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(&v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders (`{name}`) of a template, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

/// `tdf!(locale, namespace.key, name = value, …)`: the key's text in `locale` with its
/// `{name}` placeholders filled, as a `String`.
#[macro_export]
macro_rules! tdf {
    ($locale:expr, $ns:ident . $key:ident $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::lang::fill::fill(
            leptos_i18n::td_string!($locale, $ns.$key),
            &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),*],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        assert_eq!(
            fill(
                "{name}: {count} samples",
                &[("name", &"a.wav"), ("count", &40)]
            ),
            "a.wav: 40 samples"
        );
        assert_eq!(fill("{x} and {y}", &[("x", &1)]), "1 and {y}");
        assert_eq!(fill("no braces", &[]), "no braces");
        assert_eq!(fill("a { b", &[]), "a { b");
        assert_eq!(placeholders("{a} x {b}"), vec!["a", "b"]);
    }

    /// Both languages of each namespace that uses [`fill`] name the same placeholders in
    /// each text.
    #[test]
    fn both_languages_use_the_same_placeholders() {
        let pairs = [
            (
                include_str!("../../locales/en/signal.json"),
                include_str!("../../locales/pt-BR/signal.json"),
            ),
            (
                include_str!("../../locales/en/widgets.json"),
                include_str!("../../locales/pt-BR/widgets.json"),
            ),
        ];
        for (en, pt) in pairs {
            let en: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(en).unwrap_or_default();
            let pt: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(pt).unwrap_or_default();
            assert!(!en.is_empty() && en.len() == pt.len());
            for (key, text) in &en {
                let mut a = placeholders(text.as_str().unwrap_or_default());
                let mut b = placeholders(pt[key].as_str().unwrap_or_default());
                a.sort_unstable();
                a.dedup();
                b.sort_unstable();
                b.dedup();
                assert_eq!(a, b, "{key}");
            }
        }
    }
}
