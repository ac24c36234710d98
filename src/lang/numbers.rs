//! Numbers in text, per language: `19.25` reads `19,25` in Portuguese, `6738415616` reads
//! `6.738.415.616`. The input is the plain number that [`crate::format`] writes (which
//! readouts also keep in `data-value`); only its separators change.

use leptos::prelude::*;

use super::{Locale, use_i18n};

/// A readout's number: the text in the page's language (`19,25` in Portuguese), the plain
/// number (`19.25`, as [`crate::format`] writes it) in `data-value` for tests, embeds and
/// scripts. `plain` is re-run when the signals it reads change.
pub fn number_span(
    testid: &'static str,
    plain: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let plain = Memo::new(move |_| plain());
    view! {
        <span data-testid=testid data-value=move || plain.get()>
            {move || localize(&plain.get(), i18n.get_locale())}
        </span>
    }
}

/// `plain` (a number as [`crate::format`] writes it: optional sign, digits, optional
/// `.fraction`, optional exponent) in `locale`'s separators. English keeps the plain text;
/// Portuguese writes a decimal comma and groups the integer digits by three with dots when
/// there are more than four. Text that is not such a number (`Infinity`, `NaN`) is returned
/// as it is.
pub fn localize(plain: &str, locale: Locale) -> String {
    if locale == Locale::en {
        return plain.to_string();
    }
    let (sign, rest) = match plain.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", plain),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return plain.to_string();
    }
    let mut out = String::with_capacity(plain.len() + int.len() / 3);
    out.push_str(sign);
    if int.len() > 4 {
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push('.');
            }
            out.push(c);
        }
    } else {
        out.push_str(int);
    }
    if let Some(f) = frac {
        out.push(',');
        out.push_str(f);
    }
    out.push_str(exponent);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portuguese_writes_decimal_commas_and_groups_thousands_with_dots() {
        let pt = Locale::pt_BR;
        assert_eq!(localize("19.25", pt), "19,25");
        assert_eq!(localize("6738415616", pt), "6.738.415.616");
        assert_eq!(localize("-1234567.5", pt), "-1.234.567,5");
        assert_eq!(localize("1024", pt), "1024");
        assert_eq!(localize("12345", pt), "12.345");
        assert_eq!(localize("1.5e-7", pt), "1,5e-7");
        assert_eq!(localize("0", pt), "0");
        assert_eq!(localize("Infinity", pt), "Infinity");
        assert_eq!(localize("-Infinity", pt), "-Infinity");
        assert_eq!(localize("NaN", pt), "NaN");
    }

    #[test]
    fn english_keeps_the_plain_number() {
        for s in ["19.25", "6738415616", "-1.5e-7", "Infinity"] {
            assert_eq!(localize(s, Locale::en), s);
        }
    }
}
