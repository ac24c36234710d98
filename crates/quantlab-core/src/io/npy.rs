//! NumPy `.npy` arrays, read and written with the `npyz` crate.
//!
//! The format (NumPy's `numpy.lib.format`, versions 1.0, 2.0 and 3.0):
//!
//! ```text
//! \x93NUMPY  major minor  header_len (u16 LE for 1.0, u32 LE for 2.0/3.0)
//! {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }   (a Python dict literal)
//! data: Π shape items of the dtype, in C or Fortran order
//! ```
//!
//! **Read:** `f2`/`f4`/`f8` floats, `i1`–`i8` and `u1`–`u8` integers, either byte order, C or
//! Fortran order (returned row-major). Booleans, complex numbers, strings, structured and
//! pickled arrays are refused with the dtype named. The data must be exactly
//! `Π shape · itemsize` bytes: fewer is a truncated file, more is a shape that does not
//! match the data. **Write:** little-endian `f4`, C order, version 1.0.

use npyz::{DType, NpyFile, NpyHeader, Order, TypeChar, WriterBuilder};

use super::{Tensor, bad, checked_count, fortran_to_c};
use crate::error::Result;

/// The six bytes every `.npy` file starts with.
pub const MAGIC: &[u8] = b"\x93NUMPY";

const FORMAT: &str = ".npy";

/// Reads a `.npy` array (see the module docs). The tensor is named `array`.
pub fn read(bytes: &[u8]) -> Result<Tensor> {
    let (header_start, header_end) = check_preamble(bytes)?;
    check_shape_size(&bytes[header_start..header_end])?;
    let mut rest = bytes;
    let header = NpyHeader::from_reader(&mut rest).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => bad(FORMAT, "the header is cut short (truncated)"),
        _ => bad(FORMAT, format!("bad header: {e}")),
    })?;
    // `from_reader` consumed exactly the preamble and the header text.
    let data = bytes.get(header_end..).unwrap_or_default();
    debug_assert_eq!(data.len(), rest.len());
    let shape: Vec<usize> = header
        .shape()
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad(FORMAT, "a dimension of the shape is too large"))?;
    let count = checked_count(FORMAT, &shape)?;
    let (kind, size) = element_type(&header.dtype())?;
    let need = count
        .checked_mul(size)
        .ok_or_else(|| bad(FORMAT, format!("the shape {shape:?} is too large to hold")))?;
    if data.len() < need {
        return Err(bad(
            FORMAT,
            format!(
                "truncated: the shape {shape:?} needs {need} bytes of data but only {} follow \
                 the header",
                data.len()
            ),
        ));
    }
    if data.len() > need {
        return Err(bad(
            FORMAT,
            format!(
                "the shape {shape:?} holds {need} bytes of data but {} follow the header",
                data.len()
            ),
        ));
    }
    let order = header.order();
    let file = NpyFile::with_header(header, data);
    let values = match (kind, size) {
        (TypeChar::Float, 2) => convert(file, |v: half::f16| v.to_f32()),
        (TypeChar::Float, 4) => convert(file, |v: f32| v),
        (TypeChar::Float, 8) => convert(file, |v: f64| v as f32),
        (TypeChar::Int, 1) => convert(file, |v: i8| f32::from(v)),
        (TypeChar::Int, 2) => convert(file, |v: i16| f32::from(v)),
        (TypeChar::Int, 4) => convert(file, |v: i32| v as f32),
        (TypeChar::Int, 8) => convert(file, |v: i64| v as f32),
        (TypeChar::Uint, 1) => convert(file, |v: u8| f32::from(v)),
        (TypeChar::Uint, 2) => convert(file, |v: u16| f32::from(v)),
        (TypeChar::Uint, 4) => convert(file, |v: u32| v as f32),
        (TypeChar::Uint, 8) => convert(file, |v: u64| v as f32),
        _ => Err(unsupported(&format!("{kind:?}{size}"))),
    }?;
    let values = if order == Order::Fortran {
        fortran_to_c(&values, &shape)
    } else {
        values
    };
    Tensor::new("array", shape, values)
}

/// Checks the magic number, the version and that the header fits in the file; returns the
/// byte range of the header text (the data starts where it ends).
fn check_preamble(bytes: &[u8]) -> Result<(usize, usize)> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(bad(
            FORMAT,
            "wrong magic number: a .npy file starts with the bytes \\x93NUMPY",
        ));
    }
    let (major, minor) = match (bytes.get(6), bytes.get(7)) {
        (Some(&a), Some(&b)) => (a, b),
        _ => return Err(bad(FORMAT, "truncated: the file ends inside its preamble")),
    };
    let (len, start): (usize, usize) = match major {
        1 => match bytes.get(8..10) {
            Some(b) => (usize::from(u16::from_le_bytes([b[0], b[1]])), 10),
            None => return Err(bad(FORMAT, "truncated: the file ends inside its preamble")),
        },
        2 | 3 => match bytes.get(8..12) {
            Some(b) => (
                usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).unwrap_or(usize::MAX),
                12,
            ),
            None => return Err(bad(FORMAT, "truncated: the file ends inside its preamble")),
        },
        _ => {
            return Err(bad(
                FORMAT,
                format!("format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)"),
            ));
        }
    };
    let end = start.saturating_add(len);
    if end > bytes.len() {
        return Err(bad(
            FORMAT,
            format!(
                "truncated: the header is {len} bytes long but the file ends after {}",
                bytes.len().saturating_sub(start)
            ),
        ));
    }
    Ok((start, end))
}

/// Deepest bracket nesting a header may have. A real header is one flat dict (depth 2 with
/// its shape tuple; a structured dtype adds a level or two), while the Python-literal parser
/// backtracks exponentially on deep nesting: a 261-byte header of 130 `{` took it over ten
/// seconds (found by fuzzing).
pub(crate) const MAX_HEADER_NESTING: usize = 8;

/// Refuses a header whose brackets (outside quoted strings) nest deeper than
/// [`MAX_HEADER_NESTING`], before the Python-literal parser sees it.
pub(crate) fn check_header_nesting(text: &str) -> Result<()> {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_HEADER_NESTING {
        return Err(bad(
            FORMAT,
            format!(
                "bad header: brackets nested {deepest} deep (a .npy header is one flat dict; at \
                 most {MAX_HEADER_NESTING} levels are read)"
            ),
        ));
    }
    Ok(())
}

/// Parses the header dict and checks that its `shape` is a tuple or list of non-negative
/// integers whose non-zero dimensions multiply to at most `u64::MAX`, so that no product
/// of dimensions overflows later. Other keys are left to `npyz`.
fn check_shape_size(header: &[u8]) -> Result<()> {
    let text =
        std::str::from_utf8(header).map_err(|_| bad(FORMAT, "bad header: it is not UTF-8 text"))?;
    check_header_nesting(text)?;
    let value: py_literal::Value = text.trim_end().parse().map_err(|e| {
        bad(
            FORMAT,
            format!("bad header: not a Python dict literal ({e})"),
        )
    })?;
    let py_literal::Value::Dict(entries) = value else {
        return Err(bad(FORMAT, "bad header: it is not a Python dict literal"));
    };
    let Some((_, shape)) = entries
        .iter()
        .find(|(k, _)| k.as_string().is_some_and(|k| k == "shape"))
    else {
        return Err(bad(FORMAT, "bad header: it has no 'shape'"));
    };
    let dims = match shape {
        py_literal::Value::Tuple(d) | py_literal::Value::List(d) => d,
        _ => return Err(bad(FORMAT, "bad header: the shape is not a tuple")),
    };
    let mut product: u64 = 1;
    for d in dims {
        let n = match d {
            py_literal::Value::Integer(n) => n.to_string().parse::<u64>().map_err(|_| {
                bad(
                    FORMAT,
                    format!("bad header: the dimension {n} is negative or too large"),
                )
            })?,
            _ => return Err(bad(FORMAT, "bad header: a dimension is not an integer")),
        };
        if n != 0 {
            product = product
                .checked_mul(n)
                .ok_or_else(|| bad(FORMAT, format!("the shape {shape} is too large to hold")))?;
        }
    }
    Ok(())
}

/// `(kind, itemsize)` of a plain dtype, or an error naming what is not supported.
fn element_type(dtype: &DType) -> Result<(TypeChar, usize)> {
    match dtype {
        DType::Plain(ts) => {
            let kind = ts.type_char();
            let size = usize::try_from(ts.size_field()).unwrap_or(usize::MAX);
            let ok = match kind {
                TypeChar::Float => matches!(size, 2 | 4 | 8),
                TypeChar::Int | TypeChar::Uint => matches!(size, 1 | 2 | 4 | 8),
                _ => false,
            };
            if ok {
                Ok((kind, size))
            } else {
                Err(unsupported(&ts.to_string()))
            }
        }
        DType::Array(..) => Err(unsupported("a sub-array dtype")),
        DType::Record(_) => Err(unsupported("a structured (record) dtype")),
    }
}

fn unsupported(what: &str) -> crate::error::QuantError {
    bad(
        FORMAT,
        format!(
            "unsupported data type {what}: quantlab reads float (f2, f4, f8) and integer \
             (i1–i8, u1–u8) arrays"
        ),
    )
}

/// Reads every element as `T` and converts it to `f32`.
fn convert<T: npyz::Deserialize>(
    file: NpyFile<&[u8]>,
    to_f32: impl Fn(T) -> f32,
) -> Result<Vec<f32>> {
    let reader = file
        .data::<T>()
        .map_err(|e| bad(FORMAT, format!("cannot read the data: {e}")))?;
    let mut out = Vec::with_capacity(usize::try_from(reader.len()).unwrap_or(0));
    for v in reader {
        let v = v.map_err(|e| bad(FORMAT, format!("cannot read the data: {e}")))?;
        out.push(to_f32(v));
    }
    Ok(out)
}

/// Writes `data` of `shape` (row-major) as a version-1.0 `.npy` file of little-endian `f4`.
///
/// Errors when `Π shape ≠ data.len()`.
pub fn write(shape: &[usize], data: &[f32]) -> Result<Vec<u8>> {
    let count = checked_count(FORMAT, shape)?;
    if count != data.len() {
        return Err(crate::error::QuantError::ShapeMismatch {
            shape: shape.to_vec(),
            expected: count,
            actual: data.len(),
        });
    }
    let shape64: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
    let mut buf: Vec<u8> = Vec::with_capacity(128 + 4 * data.len());
    let io_err = |e: std::io::Error| bad(FORMAT, format!("cannot write: {e}"));
    let mut writer = npyz::WriteOptions::<f32>::new()
        .dtype(DType::Plain(
            "<f4"
                .parse()
                .map_err(|e| bad(FORMAT, format!("cannot write: {e}")))?,
        ))
        .shape(&shape64)
        .writer(&mut buf)
        .begin_nd()
        .map_err(io_err)?;
    writer.extend(data.iter().copied()).map_err(io_err)?;
    writer.finish().map_err(io_err)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::QuantError;

    /// A version-1.0 file with the given header dict and data bytes, padded like NumPy.
    fn npy(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut header = dict.to_string();
        while !(10 + header.len() + 1).is_multiple_of(64) {
            header.push(' ');
        }
        header.push('\n');
        let mut out = MAGIC.to_vec();
        out.extend([1, 0]);
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    fn f32_bytes(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn message(e: QuantError) -> String {
        e.to_string()
    }

    #[test]
    fn a_c_order_float32_array_reads_back_with_its_shape() {
        let bytes = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
            &f32_bytes(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]),
        );
        let t = read(&bytes).unwrap();
        assert_eq!(t.shape, vec![2, 3]);
        assert_eq!(t.data, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    }

    #[test]
    fn a_fortran_order_array_comes_out_row_major() {
        // [[0, 1, 2], [3, 4, 5]] stored column by column.
        let bytes = npy(
            "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
            &[0.0f64, 3.0, 1.0, 4.0, 2.0, 5.0]
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect::<Vec<_>>(),
        );
        let t = read(&bytes).unwrap();
        assert_eq!(t.data, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    }

    #[test]
    fn half_big_endian_and_integer_arrays_are_converted() {
        let h: Vec<u8> = [1.5f32, -2.0]
            .iter()
            .flat_map(|&x| half::f16::from_f32(x).to_le_bytes())
            .collect();
        let t = read(&npy(
            "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }",
            &h,
        ))
        .unwrap();
        assert_eq!(t.data, vec![1.5, -2.0]);
        let be: Vec<u8> = [0.25f32, 8.0]
            .iter()
            .flat_map(|x| x.to_be_bytes())
            .collect();
        let t = read(&npy(
            "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }",
            &be,
        ))
        .unwrap();
        assert_eq!(t.data, vec![0.25, 8.0]);
        let t = read(&npy(
            "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }",
            &[0xff, 0x00, 0x7f],
        ))
        .unwrap();
        assert_eq!(t.data, vec![-1.0, 0.0, 127.0]);
    }

    #[test]
    fn written_arrays_read_back_exactly() {
        let data: Vec<f32> = (0..12).map(|i| i as f32 * 0.5 - 3.0).collect();
        let bytes = write(&[3, 4], &data).unwrap();
        let t = read(&bytes).unwrap();
        assert_eq!(t.shape, vec![3, 4]);
        assert_eq!(t.data, data);
        assert!(write(&[5], &data).is_err());
    }

    #[test]
    fn a_wrong_magic_number_is_named() {
        assert!(message(read(b"PK\x03\x04 a zip file").unwrap_err()).contains("magic"));
        assert!(message(read(b"").unwrap_err()).contains("magic"));
    }

    #[test]
    fn a_truncated_header_or_data_says_truncated() {
        let full = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
            &f32_bytes(&[1.0, 2.0, 3.0, 4.0]),
        );
        for cut in [7, 9, 30, full.len() - 3] {
            let e = message(read(&full[..cut]).unwrap_err());
            assert!(e.contains("truncated"), "cut {cut}: {e}");
        }
    }

    #[test]
    fn extra_data_after_the_array_is_a_shape_mismatch() {
        let bytes = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
            &f32_bytes(&[1.0, 2.0, 3.0]),
        );
        let e = message(read(&bytes).unwrap_err());
        assert!(
            e.contains("holds 8 bytes") && e.contains("12 follow"),
            "{e}"
        );
    }

    #[test]
    fn a_deeply_nested_header_is_refused_at_once() {
        // Found by fuzzing: 130 nested braces kept the literal parser busy for over 10 s.
        let dict = format!(
            "{{'descr': {}'<f4'{}, 'fortran_order': False, 'shape': (1,), }}",
            "{".repeat(130),
            "}".repeat(130)
        );
        let t = std::time::Instant::now();
        let e = message(read(&npy(&dict, &[0; 4])).unwrap_err());
        assert!(e.contains("nested 131 deep"), "{e}");
        assert!(t.elapsed().as_secs() < 1);
        // Quoted brackets do not count, and a structured dtype's few levels pass the check.
        assert!(check_header_nesting("{'descr': '((((((((((', 'shape': (2,)}").is_ok());
        assert!(
            check_header_nesting("{'descr': [('a', '<f4'), ('b', [('c', '<i4')])], 'shape': (2,)}")
                .is_ok()
        );
    }

    #[test]
    fn a_header_that_is_not_a_dict_is_a_bad_header() {
        let e = message(read(&npy("{'descr': '<f4', 'shape': (2,", &[0; 8])).unwrap_err());
        assert!(e.contains("bad header"), "{e}");
    }

    #[test]
    fn unsupported_dtypes_are_named() {
        for (descr, data) in [("|b1", vec![1u8]), ("<c8", vec![0; 8]), ("|S4", vec![0; 4])] {
            let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}");
            let e = message(read(&npy(&dict, &data)).unwrap_err());
            assert!(e.contains("unsupported data type"), "{descr}: {e}");
        }
    }

    #[test]
    fn a_huge_declared_shape_is_refused_before_allocating() {
        let bytes = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000,), }",
            &[0; 8],
        );
        assert!(message(read(&bytes).unwrap_err()).contains("truncated"));
        let bytes = npy(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
            &[0; 8],
        );
        assert!(message(read(&bytes).unwrap_err()).contains("too large"));
        // A version-2 header length far beyond the file.
        let mut v2 = MAGIC.to_vec();
        v2.extend([2, 0, 0xff, 0xff, 0xff, 0xff, b'{']);
        assert!(message(read(&v2).unwrap_err()).contains("truncated"));
    }

    #[test]
    fn empty_arrays_and_nan_are_errors() {
        let empty = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }",
            &[],
        );
        assert_eq!(read(&empty), Err(QuantError::Empty));
        let nan = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
            &f32_bytes(&[1.0, f32::NAN]),
        );
        assert!(matches!(
            read(&nan),
            Err(QuantError::NonFinite { index: 1, .. })
        ));
    }

    #[test]
    fn a_scalar_array_is_one_value_with_an_empty_shape() {
        let t = read(&npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
            &f32_bytes(&[2.5]),
        ))
        .unwrap();
        assert!(t.shape.is_empty());
        assert_eq!(t.data, vec![2.5]);
    }

    #[test]
    fn damaged_files_never_panic() {
        use rand::{Rng, SeedableRng};
        let good = npy(
            "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
            &f32_bytes(&[1.0, 2.0, 3.0, 4.0]),
        );
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..3000 {
            let mut b = good.clone();
            for _ in 0..rng.random_range(1..4) {
                let i = rng.random_range(0..b.len());
                b[i] = rng.random();
            }
            let cut = rng.random_range(0..=b.len());
            let _ = read(&b[..cut]);
            let _ = read(&b);
        }
    }
}
