//! Words with numbers and names in them, as plain strings (formulas, chart labels,
//! attributes, canvas text, messages).
//!
//! leptos_i18n's `t_string!` / `td_string!` interpolate only with its `interpolate_display`
//! option, which `load_locales!` cannot turn on; so a text meant for a string writes its
//! variables as `{name}` (single braces, which leptos_i18n leaves alone) and [`fill`] puts the
//! values in, so each language keeps its own word order. [`tdf!`](crate::tdf) looks the key
//! up (checked when the app compiles, like every key) and fills it. A placeholder with no
//! value stays as it is; a test checks that both languages use the same placeholders.
//! Integers are grouped per language ([`grouped`]), and the numbers inside an English text
//! written by the core are localized ([`localize_numbers`]).

use std::fmt::Display;

pub use super::generated::i18n::td_string;
use super::{Locale, numbers::localize};

/// `template` with each `{name}` of `args` replaced by its text.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    fill_display(template, args)
}

/// [`fill`] with values of any displayable type ([`tdf!`](crate::tdf) uses it).
pub fn fill_display<V: Display>(template: &str, args: &[(&str, V)]) -> String {
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
        $crate::lang::fill::fill_display(
            leptos_i18n::td_string!($locale, $ns.$key),
            &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),*],
        )
    };
}

/// A whole number with its thousands grouped once it has five digits: `4096`,
/// `6,738,415,616` in English, `6.738.415.616` in Portuguese (as the core's
/// `format_count` writes it in English).
pub fn grouped(n: u64, locale: Locale) -> String {
    let plain = n.to_string();
    match locale {
        Locale::en => quantlab_core::memory::units::format_count(n),
        _ => localize(&plain, locale),
    }
}

/// `text` (English, as the core writes it: `6,738,415,616 params · 16 bits / 8 = 12.55 GiB`)
/// with its numbers in `locale`'s separators; English is returned as it is. A number is a
/// run of digits with `,` thousands groups and an optional `.fraction`; a comma or dot not
/// followed by a digit is punctuation.
pub fn localize_numbers(text: &str, locale: Locale) -> String {
    if locale == Locale::en {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // A number starts at a digit that does not follow a letter, digit or `_`
        // (`Q4_K`, `fp16`, `1e-7` stay whole).
        let starts = c.is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if !starts {
            out.push(c);
            i += 1;
            continue;
        }
        let mut j = i;
        let mut plain = String::new();
        let mut seen_dot = false;
        while j < chars.len() {
            let d = chars[j];
            let next_digit = chars.get(j + 1).is_some_and(|n| n.is_ascii_digit());
            if d.is_ascii_digit() {
                plain.push(d);
            } else if d == ',' && !seen_dot && next_digit && thousands_group(&chars, j) {
                // grouping comma: dropped
            } else if d == '.' && !seen_dot && next_digit {
                seen_dot = true;
                plain.push('.');
            } else {
                break;
            }
            j += 1;
        }
        // An exponent: `1.5e-7`.
        if chars.get(j) == Some(&'e') {
            let mut k = j + 1;
            if chars.get(k).is_some_and(|c| *c == '-' || *c == '+') {
                k += 1;
            }
            if chars.get(k).is_some_and(char::is_ascii_digit) {
                plain.push('e');
                plain.extend(&chars[j + 1..k]);
                j = k;
                while chars.get(j).is_some_and(char::is_ascii_digit) {
                    plain.push(chars[j]);
                    j += 1;
                }
            }
        }
        // A number glued to letters (`4096B`, `2x`) is left alone.
        if chars.get(j).is_some_and(|n| n.is_alphabetic()) {
            out.extend(&chars[i..j]);
        } else {
            out.push_str(&localize(&plain, locale));
        }
        i = j;
    }
    out
}

/// A value built once per language and kept for the page's life (lists of `&'static str`
/// that a component takes, such as an embed builder's choices).
pub fn per_locale<T>(
    cells: &'static [std::sync::OnceLock<T>; 2],
    locale: Locale,
    init: impl FnOnce(Locale) -> T,
) -> &'static T {
    let i = usize::from(locale != Locale::en);
    cells[i].get_or_init(|| init(locale))
}

/// Whether the `,` at `at` starts a group of exactly three digits.
fn thousands_group(chars: &[char], at: usize) -> bool {
    let digits = chars[at + 1..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    digits == 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        assert_eq!(
            fill_display(
                "{name}: {count} samples",
                &[("name", &"a.wav" as &dyn Display), ("count", &40)]
            ),
            "a.wav: 40 samples"
        );
        assert_eq!(fill_display("{x} and {y}", &[("x", 1)]), "1 and {y}");
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
            (
                include_str!("../../locales/en/memory.json"),
                include_str!("../../locales/pt-BR/memory.json"),
            ),
            (
                include_str!("../../locales/en/weight.json"),
                include_str!("../../locales/pt-BR/weight.json"),
            ),
            (
                include_str!("../../locales/en/mlp.json"),
                include_str!("../../locales/pt-BR/mlp.json"),
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

    #[test]
    fn templates_are_filled_by_name() {
        assert_eq!(
            fill("{n} níveis de {g}", &[("n", "16"), ("g", "grupo 3")]),
            "16 níveis de grupo 3"
        );
    }

    #[test]
    fn counts_are_grouped_per_language() {
        assert_eq!(grouped(6738415616, Locale::en), "6,738,415,616");
        assert_eq!(grouped(6738415616, Locale::pt_BR), "6.738.415.616");
        assert_eq!(grouped(4096, Locale::en), "4096");
        assert_eq!(grouped(4096, Locale::pt_BR), "4096");
    }

    #[test]
    fn numbers_in_a_core_text_follow_the_language() {
        let pt = Locale::pt_BR;
        assert_eq!(
            localize_numbers("6,738,415,616 params · 16 bits / 8 = 12.55 GiB", pt),
            "6.738.415.616 params · 16 bits / 8 = 12,55 GiB"
        );
        assert_eq!(
            localize_numbers("q, k, v, o (Q4_K, fp16): 1.5e-7, 2, 3.", pt),
            "q, k, v, o (Q4_K, fp16): 1,5e-7, 2, 3."
        );
        assert_eq!(
            localize_numbers("ceil(15.80 GiB / 24.00 GiB) = 1", pt),
            "ceil(15,80 GiB / 24,00 GiB) = 1"
        );
        assert_eq!(localize_numbers("anything 1.5", Locale::en), "anything 1.5");
    }
}
