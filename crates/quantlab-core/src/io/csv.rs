//! Numbers as text: CSV, TSV, or numbers separated by any mix of commas, semicolons,
//! tabs, spaces and newlines.
//!
//! **Rules.**
//!
//! - The text must be UTF-8 (a leading byte-order mark is skipped).
//! - Blank lines and lines starting with `#` (NumPy's `savetxt` header) are skipped.
//! - A first line none of whose fields is a number (`x,y,z`) is a header and is skipped.
//! - Every other field must be a number as Rust's `f32` parser reads it (`1`, `-2.5`,
//!   `3e-4`, `.5`); anything else is an error naming its line and column. NaN, ±∞ and
//!   values beyond the `f32` range are errors too. The Unicode minus sign `−` (U+2212,
//!   what text copied from a PDF or a web page holds) is read as `-`.
//! - **Decimal separator.** A point, unless the text separates its fields with semicolons
//!   or tabs, holds no point at all and has a field like `0,25`: then the comma is the
//!   decimal separator (`0,25;−1,5`, as spreadsheets in many locales write CSV).
//!   [`read_with_decimal`] says which one was understood.
//! - **Shape.** When every line holds the same number of values `c > 1` and there are
//!   `r > 1` lines, the tensor is `[r, c]` (one row per line). Otherwise (one line, one
//!   value per line, or lines of different lengths, as in wrapped text) it is 1-D `[n]`.

use super::{Tensor, bad};
use crate::error::Result;

const FORMAT: &str = "CSV/text";

/// The decimal separator a text was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimal {
    /// `0.25`; commas separate fields.
    Point,
    /// `0,25`; semicolons, tabs or spaces separate fields.
    Comma,
}

impl Decimal {
    /// The separator in words, for the page.
    pub fn describe(self) -> &'static str {
        match self {
            Decimal::Point => "decimal point (0.25)",
            Decimal::Comma => "decimal comma (0,25)",
        }
    }
}

/// Reads numbers from text (see the module docs). The tensor is named `table`.
pub fn read(bytes: &[u8]) -> Result<Tensor> {
    read_with_decimal(bytes).map(|(t, _)| t)
}

/// The decimal separator of `text` (see the module docs).
fn detect_decimal(text: &str) -> Decimal {
    let content = || {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
    };
    let other_separators = content().any(|l| l.contains(';') || l.contains('\t'));
    let decimal_comma_field = |f: &str| {
        let f = f.trim_matches('"');
        let f = f.strip_prefix(['-', '+', '\u{2212}']).unwrap_or(f);
        match f.split_once(',') {
            Some((a, b)) => {
                !a.is_empty()
                    && !b.is_empty()
                    && a.bytes().all(|c| c.is_ascii_digit())
                    && b.bytes()
                        .all(|c| c.is_ascii_digit() || c == b'e' || c == b'E' || c == b'-')
            }
            None => false,
        }
    };
    if other_separators
        && !content().any(|l| l.contains('.'))
        && content().any(|l| {
            l.split(|c: char| c == ';' || c.is_whitespace())
                .any(decimal_comma_field)
        })
    {
        Decimal::Comma
    } else {
        Decimal::Point
    }
}

/// [`read`], and the decimal separator the text was read with.
pub fn read_with_decimal(bytes: &[u8]) -> Result<(Tensor, Decimal)> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        bad(
            FORMAT,
            format!(
                "it is not UTF-8 text (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let decimal = detect_decimal(text);
    let is_separator = |c: char| match decimal {
        Decimal::Point => c == ',' || c == ';' || c.is_whitespace(),
        Decimal::Comma => c == ';' || c.is_whitespace(),
    };
    let parse_field = |f: &str| parse_field(f, decimal);
    let mut rows: Vec<usize> = Vec::new();
    let mut data: Vec<f32> = Vec::new();
    let mut first_content_line = true;
    let mut header = None;
    for (line_no, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = trimmed
            .split(is_separator)
            .filter(|f| !f.is_empty())
            .collect();
        if first_content_line {
            first_content_line = false;
            let is_header = !fields.is_empty() && fields.iter().all(|f| parse_field(f).is_none());
            if is_header {
                header = Some(trimmed);
                continue;
            }
        }
        let before = data.len();
        for (col, field) in fields.iter().enumerate() {
            let v = parse_field(field).ok_or_else(|| {
                bad(
                    FORMAT,
                    format!(
                        "line {}, field {}: {field:?} is not a number",
                        line_no + 1,
                        col + 1
                    ),
                )
            })?;
            if !v.is_finite() {
                return Err(bad(
                    FORMAT,
                    format!(
                        "line {}, field {}: {field:?} is not a finite f32 (NaN, infinity or \
                         beyond ±3.4e38)",
                        line_no + 1,
                        col + 1
                    ),
                ));
            }
            data.push(v);
        }
        if data.len() > before {
            rows.push(data.len() - before);
        }
    }
    if data.is_empty() {
        return Err(match header {
            Some(line) => bad(
                FORMAT,
                format!(
                    "no numbers in it: its only line of text, {:?}, holds none (a first line \
                     without numbers is read as a column header)",
                    line.chars().take(60).collect::<String>()
                ),
            ),
            None => crate::error::QuantError::Empty,
        });
    }
    let shape = match rows.first() {
        Some(&c) if rows.len() > 1 && c > 1 && rows.iter().all(|&r| r == c) => {
            vec![rows.len(), c]
        }
        _ => vec![data.len()],
    };
    Ok((Tensor::new("table", shape, data)?, decimal))
}

/// A field as a number, accepting surrounding double quotes (`"1.5"`), the Unicode minus
/// sign and, with [`Decimal::Comma`], a decimal comma.
fn parse_field(field: &str, decimal: Decimal) -> Option<f32> {
    let f = field
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(field)
        .trim();
    if f.contains(['\u{2212}', ',']) {
        let mut owned = f.replace('\u{2212}', "-");
        if decimal == Decimal::Comma {
            owned = owned.replace(',', ".");
        }
        owned.parse::<f32>().ok()
    } else {
        f.parse::<f32>().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::QuantError;

    #[test]
    fn one_row_per_line_gives_a_two_dimensional_shape() {
        let t = read(b"1,2,3\n4,5,6\n").unwrap();
        assert_eq!(t.shape, vec![2, 3]);
        assert_eq!(t.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn whitespace_semicolons_and_one_value_per_line_are_one_dimensional() {
        let t = read(b"0.5 -1e-3\t2;3\n").unwrap();
        assert_eq!(t.shape, vec![4]);
        assert_eq!(t.data, vec![0.5, -1e-3, 2.0, 3.0]);
        let t = read(b"1\n2\n3\n").unwrap();
        assert_eq!(t.shape, vec![3]);
        // Ragged lines (wrapped text) flatten.
        let t = read(b"1 2 3\n4 5\n").unwrap();
        assert_eq!(t.shape, vec![5]);
    }

    #[test]
    fn a_header_line_comments_blank_lines_quotes_and_a_bom_are_skipped() {
        let t = read("\u{feff}# written by numpy\nx,y\n\n\"1.5\",2\n3,4\r\n".as_bytes()).unwrap();
        assert_eq!(t.shape, vec![2, 2]);
        assert_eq!(t.data, vec![1.5, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn a_bad_field_names_its_line_and_column() {
        let e = read(b"1,2\n3,abc\n").unwrap_err().to_string();
        assert!(e.contains("line 2, field 2") && e.contains("abc"), "{e}");
    }

    #[test]
    fn nan_infinity_and_out_of_range_values_are_refused() {
        for text in ["1,nan", "inf", "1e39", "-Infinity"] {
            let e = read(text.as_bytes()).unwrap_err().to_string();
            assert!(e.contains("not a finite"), "{text}: {e}");
        }
    }

    #[test]
    fn empty_text_and_binary_data_are_errors() {
        assert_eq!(read(b""), Err(QuantError::Empty));
        assert_eq!(read(b"# only a comment\n\n"), Err(QuantError::Empty));
        // A header alone holds no number, and the message says so.
        let e = read(b"a,b,c\n").unwrap_err().to_string();
        assert!(e.contains("no numbers in it"), "{e}");
        let e = read(b"1,2\xff\xfe").unwrap_err().to_string();
        assert!(e.contains("not UTF-8"), "{e}");
    }

    #[test]
    fn the_unicode_minus_sign_is_a_minus() {
        let (t, d) =
            read_with_decimal("\u{2212}0.25, 1.5\n\u{2212}3e\u{2212}2, 2\n".as_bytes()).unwrap();
        assert_eq!(t.data, vec![-0.25, 1.5, -0.03, 2.0]);
        assert_eq!(t.shape, vec![2, 2]);
        assert_eq!(d, Decimal::Point);
        assert_eq!(read("\u{2212}1\n".as_bytes()).unwrap().data, vec![-1.0]);
        // A lone minus sign is still not a number.
        let e = read("1\n\u{2212}\n".as_bytes()).unwrap_err().to_string();
        assert!(e.contains("line 2, field 1"), "{e}");
    }

    #[test]
    fn a_decimal_comma_is_understood_when_fields_are_split_by_semicolons_or_tabs() {
        let (t, d) = read_with_decimal("x;y\n0,25;\u{2212}1,5\n2;3,125\n".as_bytes()).unwrap();
        assert_eq!(d, Decimal::Comma);
        assert_eq!(t.data, vec![0.25, -1.5, 2.0, 3.125]);
        let (t, d) = read_with_decimal(b"0,5\t1,5\n").unwrap();
        assert_eq!((d, t.data), (Decimal::Comma, vec![0.5, 1.5]));
        // Commas between fields stay separators: the point is the decimal separator.
        let (t, d) = read_with_decimal(b"0,25\n1,5\n").unwrap();
        assert_eq!((d, t.shape), (Decimal::Point, vec![2, 2]));
        let (_, d) = read_with_decimal(b"0.5;1.5\n").unwrap();
        assert_eq!(d, Decimal::Point);
        assert_eq!(Decimal::Comma.describe(), "decimal comma (0,25)");
    }

    #[test]
    fn text_without_numbers_says_so() {
        let e = read(b"hello world").unwrap_err().to_string();
        assert_eq!(
            e,
            "cannot read this CSV/text file: no numbers in it: its only line of text, \
             \"hello world\", holds none (a first line without numbers is read as a column \
             header)"
        );
        assert!(matches!(
            read(b"# only a comment\n"),
            Err(QuantError::Empty)
        ));
    }
}
