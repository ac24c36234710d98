//! Words with numbers in them, where a `String` is needed (attributes, canvas text, a
//! sentence built in a function): `{name}` placeholders in a translated template, filled
//! by [`fill`], so each language keeps its own word order; integers grouped per language
//! ([`grouped`]); and the numbers inside an English text written by the core localized
//! ([`localize_numbers`]).
//!
//! leptos_i18n's own `{{ name }}` interpolation builds views (`t!`); its string form needs
//! the `interpolate_display` option, which the locales are not loaded with. Single braces
//! are plain text to it, so `t_string!` / [`td_string`] return the template and [`fill`]
//! puts the values in.

pub use super::generated::i18n::td_string;
use super::{Locale, numbers::localize};

/// `template` with every `{name}` replaced by its value from `args`.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
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
