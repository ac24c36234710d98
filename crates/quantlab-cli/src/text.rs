//! Plain-text formatting: numbers and aligned `key  value` tables.

/// A number for people: up to 6 significant decimals, exponent form outside
/// `[1e-4, 1e9)`, `inf`/`-inf` for the infinite SNRs.
pub fn num(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if (1e-4..1e9).contains(&a) {
        if v.fract() == 0.0 {
            return format!("{v:.0}");
        }
        // 6 significant digits, trailing zeros dropped.
        let decimals = (5 - a.log10().floor() as i32).clamp(0, 12) as usize;
        let s = format!("{v:.decimals$}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        format!("{v:.5e}")
    }
}

/// Rows of `key  value`, keys padded to the longest.
pub fn table(rows: &[(String, String)]) -> String {
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (k, v) in rows {
        let pad = width - k.chars().count();
        out.push_str(k);
        out.push_str(&" ".repeat(pad + 2));
        out.push_str(v);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_six_significant_digits_and_switch_to_exponents_at_the_ends() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(8.0), "8");
        assert_eq!(num(49.92), "49.92");
        assert_eq!(num(1.0 / 3.0), "0.333333");
        assert_eq!(num(1234.56789), "1234.57");
        assert_eq!(num(1.5e-6), "1.50000e-6");
        assert_eq!(num(f64::INFINITY), "inf");
        assert_eq!(num(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn tables_align_their_values() {
        let t = table(&[("a".into(), "1".into()), ("long".into(), "2".into())]);
        assert_eq!(t, "a     1\nlong  2\n");
    }
}
