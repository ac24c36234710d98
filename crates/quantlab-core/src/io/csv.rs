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
//!   values beyond the `f32` range are errors too.
//! - **Shape.** When every line holds the same number of values `c > 1` and there are
//!   `r > 1` lines, the tensor is `[r, c]` (one row per line). Otherwise (one line, one
//!   value per line, or lines of different lengths, as in wrapped text) it is 1-D `[n]`.

use super::{Tensor, bad};
use crate::error::Result;

const FORMAT: &str = "CSV/text";

/// Reads numbers from text (see the module docs). The tensor is named `table`.
pub fn read(bytes: &[u8]) -> Result<Tensor> {
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
    let mut rows: Vec<usize> = Vec::new();
    let mut data: Vec<f32> = Vec::new();
    let mut first_content_line = true;
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
        return Err(crate::error::QuantError::Empty);
    }
    let shape = match rows.first() {
        Some(&c) if rows.len() > 1 && c > 1 && rows.iter().all(|&r| r == c) => {
            vec![rows.len(), c]
        }
        _ => vec![data.len()],
    };
    Tensor::new("table", shape, data)
}

fn is_separator(c: char) -> bool {
    c == ',' || c == ';' || c.is_whitespace()
}

/// A field as a number, accepting surrounding double quotes (`"1.5"`).
fn parse_field(field: &str) -> Option<f32> {
    let f = field
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(field)
        .trim();
    f.parse::<f32>().ok()
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
        assert_eq!(read(b"a,b,c\n"), Err(QuantError::Empty));
        let e = read(b"1,2\xff\xfe").unwrap_err().to_string();
        assert!(e.contains("not UTF-8"), "{e}");
    }
}
