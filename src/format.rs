//! Number formatting for readouts: the text is always a plain number a program can parse
//! (`parseFloat` in JavaScript, `str::parse` in Rust), including `Infinity` and `-Infinity`.

/// A number with about six significant digits, in plain or exponent notation.
pub fn num(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if (1e-3..1e6).contains(&a) {
        let digits = (5 - a.log10().floor() as i32).clamp(0, 9) as usize;
        trim(format!("{v:.digits$}"))
    } else {
        let s = format!("{v:.5e}");
        match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", trim(m.to_string())),
            None => s,
        }
    }
}

/// A number with a fixed count of decimals (non-finite values as in [`num`]).
pub fn fixed(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        num(v)
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_and_parseable() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(2.0 / 255.0), "0.00784314");
        assert_eq!(num(49.9234), "49.9234");
        assert_eq!(num(-43.0), "-43");
        assert_eq!(num(1.5e-7), "1.5e-7");
        assert_eq!(num(f64::INFINITY), "Infinity");
        assert_eq!(num(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(fixed(49.876, 2), "49.88");
        assert_eq!(fixed(f64::INFINITY, 2), "Infinity");
        for v in [1e-12, 3.3e9, -0.125, 123456.7] {
            let back: f64 = num(v).parse().unwrap();
            assert!((back - v).abs() <= v.abs() * 1e-5, "{v}");
        }
    }
}
