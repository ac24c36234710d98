//! A question the lesson checks: the right answer, and a reader's typed answer read
//! leniently (either decimal separator, thousands separators, a fraction, a unit after it).

use serde::{Deserialize, Serialize};

/// The right answer to a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// A number, right within `tolerance` (absolute).
    Number {
        /// The exact value.
        value: f64,
        /// How far a typed answer may be from it.
        tolerance: f64,
    },
    /// One of a list of choices, by id.
    Choice(String),
}

/// The outcome of checking a typed answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Right.
    Right,
    /// Wrong.
    Wrong,
    /// Not a number (for a number question) or no choice made.
    Unreadable,
}

/// Reads a typed number: `0.2857`, `0,2857`, `6.738.415.616`, `6,738,415,616`, `1 000`,
/// `2/7`, `35 GB`, `−3`. With both separators the last one is the decimal point; a separator
/// that appears more than once groups thousands. `None` when it is not a number.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim().replace(['\u{2212}', '\u{2013}'], "-");
    let text = text.trim_end_matches(|c: char| c.is_alphabetic() || c.is_whitespace() || c == '%');
    if let Some((a, b)) = text.split_once('/') {
        let (a, b) = (parse_number(a)?, parse_number(b)?);
        return (b != 0.0).then(|| a / b).filter(|v| v.is_finite());
    }
    // Spaces may only group thousands: `1 000`, not `7 8`.
    let groups: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}')
        .filter(|g| !g.is_empty())
        .collect();
    if groups.iter().skip(1).any(|g| g.len() != 3) {
        return None;
    }
    let digits: String = groups.concat();
    if digits.is_empty()
        || !digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    let dots = digits.matches('.').count();
    let commas = digits.matches(',').count();
    let normal = match (dots, commas) {
        (_, 0) if dots > 1 => digits.replace('.', ""),
        (0, _) if commas > 1 => digits.replace(',', ""),
        (0, 1) => digits.replace(',', "."),
        (d, c) if d > 0 && c > 0 => {
            let (last_dot, last_comma) = (digits.rfind('.'), digits.rfind(','));
            if last_comma > last_dot {
                digits.replace('.', "").replace(',', ".")
            } else {
                digits.replace(',', "")
            }
        }
        _ => digits,
    };
    normal.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Checks a typed answer (a number, or a choice's id) against the right one.
pub fn check(answer: &Answer, typed: &str) -> Verdict {
    match answer {
        Answer::Number { value, tolerance } => match parse_number(typed) {
            None => Verdict::Unreadable,
            Some(v) if (v - value).abs() <= *tolerance => Verdict::Right,
            Some(_) => Verdict::Wrong,
        },
        Answer::Choice(id) => match typed.trim() {
            "" => Verdict::Unreadable,
            t if t == id => Verdict::Right,
            _ => Verdict::Wrong,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_in_either_locale_with_units_and_fractions() {
        assert_eq!(parse_number("0.2857"), Some(0.2857));
        assert_eq!(parse_number(" 0,2857 "), Some(0.2857));
        assert_eq!(parse_number("6.738.415.616"), Some(6_738_415_616.0));
        assert_eq!(parse_number("6,738,415,616"), Some(6_738_415_616.0));
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_number("1,234.5"), Some(1234.5));
        assert_eq!(parse_number("35 GB"), Some(35.0));
        assert_eq!(parse_number("2/7"), Some(2.0 / 7.0));
        assert_eq!(parse_number("\u{2212}3"), Some(-3.0));
        assert_eq!(parse_number("7 bits"), Some(7.0));
        assert_eq!(parse_number("1 000"), Some(1000.0));
    }

    #[test]
    fn what_is_not_a_number_is_none() {
        for t in [
            "", "   ", "abc", "1/0", "--", "1e999", "NaN", "7 8x", "0x10",
        ] {
            assert_eq!(parse_number(t), None, "{t:?}");
        }
    }

    #[test]
    fn check_accepts_within_tolerance_and_says_unreadable() {
        let a = Answer::Number {
            value: 2.0 / 7.0,
            tolerance: 0.001,
        };
        assert_eq!(check(&a, "0,2857"), Verdict::Right);
        assert_eq!(check(&a, "2/7"), Verdict::Right);
        assert_eq!(check(&a, "0.25"), Verdict::Wrong);
        assert_eq!(check(&a, "a quarter"), Verdict::Unreadable);
        let c = Answer::Choice("mulaw".into());
        assert_eq!(check(&c, "mulaw"), Verdict::Right);
        assert_eq!(check(&c, "linear"), Verdict::Wrong);
        assert_eq!(check(&c, ""), Verdict::Unreadable);
    }
}
