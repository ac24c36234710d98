//! Byte parsers for tensors: `.npy`, CSV/text, `.wav` and `.safetensors`.
//!
//! Bytes in, a [`Tensor`] or a [`QuantError::BadFile`] out. Nothing here touches the file
//! system, so the same parsers serve the command line (which reads the file) and the web
//! app (which gets the bytes from a file picker).
//!
//! **Conventions.**
//!
//! - Every tensor comes out as `f32`, **row-major** (C order), whatever the file stored:
//!   Fortran-ordered `.npy` arrays are transposed into C order, `f16`/`bf16`/`f64` and
//!   integers are converted (`f64 → f32` rounds to nearest; integers beyond `2^24` lose
//!   their low bits).
//! - The data is checked like any quantizer input: an empty tensor is
//!   [`QuantError::Empty`], a NaN or ±∞ is [`QuantError::NonFinite`] with its (row-major)
//!   index.
//! - Sizes are checked against the byte count **before** anything is allocated, so a
//!   header that claims gigabytes of data in a small file is an error, not an out-of-memory
//!   abort.
//!
//! | format | module | shape |
//! |---|---|---|
//! | `.npy` (NumPy, versions 1–3) | [`npy`] | as stored |
//! | `.csv`, `.txt` (numbers) | [`csv`] | `[rows, cols]` or `[n]` |
//! | `.wav` (PCM 8/16/24/32-bit, float 32) | [`wav`] | `[frames]`, mixed to mono |
//! | `.safetensors` | [`safetensors`] | as stored |

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result, check_finite};

pub mod cifar;
pub mod csv;
pub mod idx;
pub mod npy;
pub mod safetensors;
pub mod wav;

/// A named, row-major `f32` tensor read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Its name: the safetensors key, else a name for the kind of data (`array`,
    /// `table`, `audio`).
    pub name: String,
    /// The dimensions, slowest first; the product is `data.len()` (an empty shape is a
    /// scalar, one value).
    pub shape: Vec<usize>,
    /// The values, row-major: element `(i_0, …, i_{d−1})` sits at
    /// `Σ_k i_k·Π_{j>k} shape[j]`.
    pub data: Vec<f32>,
}

impl Tensor {
    /// A tensor, checked: `Π shape = data.len()`, not empty, every value finite.
    pub fn new(name: impl Into<String>, shape: Vec<usize>, data: Vec<f32>) -> Result<Self> {
        let expected = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
        if expected != Some(data.len()) {
            return Err(QuantError::ShapeMismatch {
                expected: expected.unwrap_or(usize::MAX),
                shape,
                actual: data.len(),
            });
        }
        check_finite(&data)?;
        Ok(Tensor {
            name: name.into(),
            shape,
            data,
        })
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether it holds no values (never true for a tensor from [`Tensor::new`]).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// The file formats [`read`] understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// NumPy `.npy`.
    Npy,
    /// Comma-, semicolon-, tab- or space-separated numbers.
    Csv,
    /// RIFF WAVE audio.
    Wav,
    /// Hugging Face `.safetensors`.
    Safetensors,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [Format::Npy, Format::Csv, Format::Wav, Format::Safetensors];

    /// The name used in messages, URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Format::Npy => "npy",
            Format::Csv => "csv",
            Format::Wav => "wav",
            Format::Safetensors => "safetensors",
        }
    }

    /// The format a file name's extension names (case-insensitive): `npy`; `csv`, `txt`,
    /// `tsv`, `dat`; `wav`, `wave`; `safetensors`. `None` for anything else.
    pub fn from_extension(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "npy" => Some(Format::Npy),
            "csv" | "txt" | "tsv" | "dat" => Some(Format::Csv),
            "wav" | "wave" => Some(Format::Wav),
            "safetensors" => Some(Format::Safetensors),
            _ => None,
        }
    }

    /// The format the first bytes announce: `\x93NUMPY` is `.npy`, `RIFF…WAVE` is `.wav`,
    /// an 8-byte little-endian length followed by `{` is `.safetensors`, and valid UTF-8
    /// text is CSV. `None` when nothing matches.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(npy::MAGIC) {
            Some(Format::Npy)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
            Some(Format::Wav)
        } else if bytes.len() > 8 && bytes[8] == b'{' {
            Some(Format::Safetensors)
        } else if !bytes.is_empty() && std::str::from_utf8(bytes).is_ok() {
            Some(Format::Csv)
        } else {
            None
        }
    }

    /// The format of a file called `name` holding `bytes`: by extension, else by its first
    /// bytes ([`Format::sniff`]). An error when neither tells.
    pub fn detect(name: &str, bytes: &[u8]) -> Result<Format> {
        Format::from_extension(name)
            .or_else(|| Format::sniff(bytes))
            .ok_or_else(|| {
                QuantError::InvalidParameter(format!(
                    "cannot tell the format of {name:?}: name it .npy, .csv, .txt, .wav or \
                     .safetensors"
                ))
            })
    }
}

/// Reads `bytes` as `format`. `tensor` picks a tensor by name from a `.safetensors` file
/// (see [`safetensors::read`]); the other formats hold one tensor and ignore it.
pub fn read(bytes: &[u8], format: Format, tensor: Option<&str>) -> Result<Tensor> {
    match format {
        Format::Npy => npy::read(bytes),
        Format::Csv => csv::read(bytes),
        Format::Wav => wav::read(bytes),
        Format::Safetensors => safetensors::read(bytes, tensor),
    }
}

/// The error for a malformed file of `format`.
pub(crate) fn bad(format: &'static str, reason: impl Into<String>) -> QuantError {
    QuantError::BadFile {
        format,
        reason: reason.into(),
    }
}

/// `Π shape` or an error naming the format when it overflows `usize`.
pub(crate) fn checked_count(format: &'static str, shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad(format, format!("the shape {shape:?} is too large to hold")))
}

/// Reorders a column-major (Fortran) buffer of `shape` into row-major order.
///
/// Element `(i_0, …, i_{d−1})` sits at `Σ_k i_k·Π_{j<k} shape[j]` in `data` and at
/// `Σ_k i_k·Π_{j>k} shape[j]` in the result. `data.len()` must be `Π shape`.
pub(crate) fn fortran_to_c(data: &[f32], shape: &[usize]) -> Vec<f32> {
    if shape.len() < 2 {
        return data.to_vec();
    }
    // Column-major strides.
    let mut strides = vec![1usize; shape.len()];
    for k in 1..shape.len() {
        strides[k] = strides[k - 1] * shape[k - 1];
    }
    let mut out = Vec::with_capacity(data.len());
    let mut index = vec![0usize; shape.len()];
    let mut src = 0usize;
    for _ in 0..data.len() {
        out.push(data.get(src).copied().unwrap_or(0.0));
        // Advance the row-major multi-index (last axis fastest), tracking the source offset.
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            src += strides[k];
            if index[k] < shape[k] {
                break;
            }
            src -= strides[k] * shape[k];
            index[k] = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fortran_order_is_transposed_into_row_major() {
        // [[0, 1, 2], [3, 4, 5]] stored column by column.
        let f = [0.0, 3.0, 1.0, 4.0, 2.0, 5.0];
        assert_eq!(
            fortran_to_c(&f, &[2, 3]),
            vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        );
        // 3-D: element (i, j, k) of shape [2, 3, 4] is i·12 + j·4 + k in C order.
        let shape = [2, 3, 4];
        let mut col = vec![0.0f32; 24];
        for i in 0..2 {
            for j in 0..3 {
                for k in 0..4 {
                    col[i + 2 * j + 6 * k] = (i * 12 + j * 4 + k) as f32;
                }
            }
        }
        let c = fortran_to_c(&col, &shape);
        assert_eq!(c, (0..24).map(|v| v as f32).collect::<Vec<_>>());
    }

    #[test]
    fn formats_are_told_by_extension_then_by_magic() {
        assert_eq!(Format::from_extension("w.NPY"), Some(Format::Npy));
        assert_eq!(Format::from_extension("a/b.txt"), Some(Format::Csv));
        assert_eq!(Format::from_extension("x.wave"), Some(Format::Wav));
        assert_eq!(
            Format::from_extension("model.safetensors"),
            Some(Format::Safetensors)
        );
        assert_eq!(Format::from_extension("noext"), None);
        assert_eq!(Format::sniff(b"\x93NUMPY\x01\x00"), Some(Format::Npy));
        assert_eq!(
            Format::sniff(b"RIFF\x00\x00\x00\x00WAVEfmt "),
            Some(Format::Wav)
        );
        assert_eq!(
            Format::sniff(b"\x02\x00\x00\x00\x00\x00\x00\x00{}"),
            Some(Format::Safetensors)
        );
        assert_eq!(Format::sniff(b"1,2,3\n"), Some(Format::Csv));
        assert_eq!(Format::sniff(b"\xff\xfe\x00"), None);
        assert!(Format::detect("blob", b"\xff\xfe").is_err());
        assert_eq!(Format::detect("blob", b"1 2"), Ok(Format::Csv));
    }

    #[test]
    fn a_tensor_checks_its_shape_and_values() {
        assert!(Tensor::new("t", vec![2, 2], vec![1.0; 4]).is_ok());
        assert!(matches!(
            Tensor::new("t", vec![2, 3], vec![1.0; 4]),
            Err(QuantError::ShapeMismatch { .. })
        ));
        assert_eq!(Tensor::new("t", vec![0], vec![]), Err(QuantError::Empty));
        assert!(matches!(
            Tensor::new("t", vec![2], vec![1.0, f32::NAN]),
            Err(QuantError::NonFinite { index: 1, .. })
        ));
        assert_eq!(Tensor::new("s", vec![], vec![3.0]).map(|t| t.len()), Ok(1));
    }
}
