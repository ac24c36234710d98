//! `.safetensors`, `.npy` and `.gguf` files read header first, so that a file of any size is listed
//! without loading it and only the chosen tensor's bytes (or its first rows) are read.
//!
//! The page reads a file in three steps, each on a slice of the file:
//!
//! 1. [`header_span`] on the first [`PROBE_BYTES`] bytes: the format and how many bytes
//!    the header takes (for GGUF, whose header length is only known once it is parsed, how
//!    many bytes to read first);
//! 2. [`index_or_more`] on that many bytes: every tensor with its name, dtype, shape, size
//!    and byte range; the whole header is checked against the file length (offsets, sizes,
//!    dtypes). For GGUF it may instead ask for a longer read ([`Indexed::NeedBytes`]);
//! 3. [`decode`] on the byte range [`TensorEntry::window`] names: the values as `f32`,
//!    row-major (Fortran-ordered `.npy` arrays are transposed).
//!
//! **safetensors.** `n` (u64 LE) | `n` bytes of JSON | data. The header's rules (every dtype
//! known, each size matching its shape and dtype, the offsets tiling the data in order) are
//! checked here in `u64`, naming the tensor at fault: the `safetensors` crate checks them in
//! `usize`, which on wasm32 overflows for a tensor of 512 MiB or more and cannot describe a
//! file past 4 GiB. (Whole small files read in memory still go through the crate,
//! [`crate::io::safetensors`].)
//! Floats F32, F16, BF16 and F64 are read, and the codes of quantized checkpoints (I8, U8,
//! F8_E4M3, F8_E5M2), which [`super::scaled`] pairs with their scale tensors; other dtypes
//! are listed and marked unsupported.
//!
//! **npy.** `\x93NUMPY`, version, header length, a Python dict literal
//! (`descr`, `fortran_order`, `shape`), then the data. Floats `f2`, `f4`, `f8` in either
//! byte order.
//!
//! **GGUF.** llama.cpp's format ([`super::gguf`]): metadata, tensor infos, aligned data.
//! Plain floats and every ggml block type quantlab implements (Q4_0 … Q8_0, K-quants,
//! IQ4_NL, MXFP4, NVFP4) are decoded; the rest are listed with their size.

mod safetensors;

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result};
use crate::io::{bad, fortran_to_c};

use super::MAX_STUDY_VALUES;
use super::gguf::{self, Decoder, GgufType, HeaderRead};
use crate::quant::mx::element::ElementFormat;

/// Bytes to read first: enough for the magic number and the header length of both formats.
pub const PROBE_BYTES: usize = 16;

/// Largest safetensors header accepted (the crate's own limit).
pub const MAX_SAFETENSORS_HEADER: u64 = 100_000_000;

/// Largest `.npy` header accepted.
pub const MAX_NPY_HEADER: u64 = 1 << 20;

/// Bytes of a GGUF file read first (most headers fit; a longer one takes more reads).
pub const GGUF_FIRST_READ: u64 = 1 << 20;

const ST: &str = ".safetensors";
const NPY: &str = ".npy";
const GGUF: &str = ".gguf";

/// The formats the Weight lab reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WeightFormat {
    /// Hugging Face safetensors.
    Safetensors,
    /// NumPy `.npy`.
    Npy,
    /// llama.cpp's GGUF.
    Gguf,
}

/// The element types the lab decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ElementType {
    /// IEEE single.
    F32,
    /// IEEE half.
    F16,
    /// bfloat16.
    Bf16,
    /// IEEE double.
    F64,
    /// A block type of a GGUF file (Q4_K, MXFP4, …) that quantlab decodes.
    Block(GgufType),
    /// Signed 8-bit integer codes (an int8 export; its scale, when the file has one, is a
    /// separate tensor: see [`super::scaled`]).
    I8,
    /// Unsigned 8-bit integer codes.
    U8,
    /// FP8 E4M3 (the `fn` variant: no infinities), as FP8 checkpoints store weights.
    F8E4m3,
    /// FP8 E5M2.
    F8E5m2,
}

impl ElementType {
    /// Bytes that `n` values take; `None` when `n` is not a whole number of blocks.
    pub fn bytes_for(self, n: usize) -> Option<u64> {
        let n = n as u64;
        match self {
            ElementType::F16 | ElementType::Bf16 => n.checked_mul(2),
            ElementType::F32 => n.checked_mul(4),
            ElementType::F64 => n.checked_mul(8),
            ElementType::Block(t) => t.bytes_for(n),
            ElementType::I8 | ElementType::U8 | ElementType::F8E4m3 | ElementType::F8E5m2 => {
                Some(n)
            }
        }
    }

    /// Whether the values are codes that a separate scale tensor turns into weights.
    pub fn is_quantized_code(self) -> bool {
        matches!(
            self,
            ElementType::I8 | ElementType::U8 | ElementType::F8E4m3 | ElementType::F8E5m2
        )
    }
}

/// One tensor of a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorEntry {
    /// Its name (`array` for a `.npy` file).
    pub name: String,
    /// The dtype as the file names it (`F32`, `BF16`, `<f4`, `Q4_K`, …).
    pub dtype: String,
    /// The shape.
    pub shape: Vec<usize>,
    /// Number of values.
    pub count: usize,
    /// First byte of its data in the file.
    pub begin: u64,
    /// One past its last byte.
    pub end: u64,
    /// The element type, `None` when the lab cannot read it.
    pub element: Option<ElementType>,
    /// Big-endian data (`.npy` only).
    pub big_endian: bool,
    /// Column-major data (`.npy` only).
    pub fortran: bool,
    /// The file's format.
    pub format: WeightFormat,
}

impl WeightFormat {
    /// The format as users name it, for messages: `.safetensors`, `.npy`, `.gguf`.
    pub fn extension(self) -> &'static str {
        match self {
            WeightFormat::Safetensors => ST,
            WeightFormat::Npy => NPY,
            WeightFormat::Gguf => GGUF,
        }
    }
}

impl TensorEntry {
    /// Bytes of data.
    pub fn bytes(&self) -> u64 {
        self.end - self.begin
    }

    /// Whether the lab reads it.
    pub fn supported(&self) -> bool {
        self.element.is_some()
    }

    /// What the lab studies of this tensor: `(byte range, shape)` of its first rows, at
    /// most [`MAX_STUDY_VALUES`] values (at least one row); the whole tensor when it fits.
    ///
    /// Errors: an unsupported dtype; a Fortran-ordered array over the limit (its rows are
    /// not contiguous); one row over the limit.
    pub fn window(&self) -> Result<((u64, u64), Vec<usize>)> {
        let Some(el) = self.element else {
            return Err(bad(
                self.format.extension(),
                format!(
                    "tensor {:?} has the data type {}, which the Weight lab does not read \
                     (it reads F32, F16, BF16, F64, I8, U8, F8_E4M3 and F8_E5M2, and the \
                     ggml blocks Q4_0 … Q8_0, Q2_K … Q6_K, IQ4_NL, MXFP4 and NVFP4)",
                    self.name, self.dtype
                ),
            ));
        };
        if self.count <= MAX_STUDY_VALUES {
            return Ok(((self.begin, self.end), self.shape.clone()));
        }
        if self.fortran {
            return Err(bad(
                self.format.extension(),
                format!(
                    "this Fortran-ordered array has {} values; the lab studies up to {} and \
                     can only take the first rows of a C-ordered array (save it with \
                     numpy.ascontiguousarray)",
                    self.count, MAX_STUDY_VALUES
                ),
            ));
        }
        let row: usize = self.shape.iter().skip(1).product::<usize>().max(1);
        let rows = MAX_STUDY_VALUES / row;
        if rows == 0 {
            return Err(bad(
                self.format.extension(),
                format!(
                    "one row of tensor {:?} has {row} values, more than the {} the lab studies",
                    self.name, MAX_STUDY_VALUES
                ),
            ));
        }
        let mut shape = self.shape.clone();
        if let Some(first) = shape.first_mut() {
            *first = rows;
        }
        let len = el.bytes_for(rows * row).ok_or_else(|| {
            bad(
                self.format.extension(),
                format!("a row of tensor {:?} is not whole blocks", self.name),
            )
        })?;
        Ok(((self.begin, self.begin + len), shape))
    }
}

/// A file's tensors, from its header alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileIndex {
    /// The format.
    pub format: WeightFormat,
    /// Bytes before the data (length field and header).
    pub header_bytes: u64,
    /// The file's length.
    pub file_len: u64,
    /// Its tensors, in the order of their data.
    pub tensors: Vec<TensorEntry>,
    /// The file's own description: GGUF metadata, safetensors `__metadata__` (key and the
    /// value as text, long values shortened); empty for `.npy`.
    pub metadata: Vec<(String, String)>,
}

/// What [`index_or_more`] made of the bytes it was given.
#[derive(Debug, Clone, PartialEq)]
pub enum Indexed {
    /// The file's index.
    Done(FileIndex),
    /// The header is longer: read this many bytes from the start and call again.
    NeedBytes(u64),
}

/// The format of a file named `name` and the bytes its header takes, from its first
/// [`PROBE_BYTES`] bytes (fewer if the file is shorter) and its length.
///
/// Errors: a wrong magic number, a file too short for its header, a header length beyond
/// the file or over the limits.
pub fn header_span(name: &str, probe: &[u8], file_len: u64) -> Result<(WeightFormat, u64)> {
    let lower = name.to_ascii_lowercase();
    let format = if lower.ends_with(".npy") {
        WeightFormat::Npy
    } else if lower.ends_with(".safetensors") {
        WeightFormat::Safetensors
    } else if lower.ends_with(".gguf") {
        WeightFormat::Gguf
    } else if probe.starts_with(crate::io::npy::MAGIC) {
        WeightFormat::Npy
    } else if probe.starts_with(gguf::MAGIC) {
        WeightFormat::Gguf
    } else if probe.len() > 8 && probe[8] == b'{' {
        WeightFormat::Safetensors
    } else {
        return Err(QuantError::InvalidParameter(format!(
            "{name} is not a .safetensors, .npy or .gguf file (the Weight lab reads those three)"
        )));
    };
    match format {
        WeightFormat::Gguf => {
            if !probe.starts_with(gguf::MAGIC) {
                return Err(bad(
                    GGUF,
                    "wrong magic number: a GGUF file starts with the bytes GGUF",
                ));
            }
            Ok((format, file_len.min(GGUF_FIRST_READ)))
        }
        WeightFormat::Safetensors => {
            let Some(len) = probe.get(..8) else {
                return Err(bad(
                    ST,
                    format!(
                        "truncated: the file is {file_len} bytes, shorter than the 8-byte header length"
                    ),
                ));
            };
            let mut b = [0u8; 8];
            b.copy_from_slice(len);
            let n = u64::from_le_bytes(b);
            if n > MAX_SAFETENSORS_HEADER {
                return Err(bad(
                    ST,
                    format!(
                        "the first 8 bytes give a header of {n} bytes, over the 100 MB limit \
                         (wrong magic: is this a safetensors file?)"
                    ),
                ));
            }
            if 8 + n > file_len {
                return Err(bad(
                    ST,
                    format!(
                        "header length beyond the file: the header is {n} bytes but only {} \
                         follow the length field (truncated, or not a safetensors file)",
                        file_len.saturating_sub(8)
                    ),
                ));
            }
            Ok((format, 8 + n))
        }
        WeightFormat::Npy => {
            if !probe.starts_with(crate::io::npy::MAGIC) {
                return Err(bad(
                    NPY,
                    "wrong magic number: a .npy file starts with the bytes \\x93NUMPY",
                ));
            }
            let (len, start) = match (probe.get(6), probe.get(8..12)) {
                (Some(1), Some(b)) => (u64::from(u16::from_le_bytes([b[0], b[1]])), 10),
                (Some(2 | 3), Some(b)) => {
                    (u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])), 12)
                }
                (Some(v), Some(_)) => {
                    return Err(bad(
                        NPY,
                        format!("format version {v} is not supported (1, 2 and 3 are)"),
                    ));
                }
                _ => return Err(bad(NPY, "truncated: the file ends inside its preamble")),
            };
            if len > MAX_NPY_HEADER {
                return Err(bad(
                    NPY,
                    format!("the header claims {len} bytes, over the 1 MB limit"),
                ));
            }
            if start + len > file_len {
                return Err(bad(
                    NPY,
                    format!(
                        "truncated: the header is {len} bytes long but the file ends after {}",
                        file_len.saturating_sub(start)
                    ),
                ));
            }
            Ok((format, start + len))
        }
    }
}

/// Reads the header: `head` is the file's first [`header_span`] bytes (or as many as an
/// earlier call asked for), `file_len` its length.
pub fn index_or_more(format: WeightFormat, head: &[u8], file_len: u64) -> Result<Indexed> {
    Ok(Indexed::Done(match format {
        WeightFormat::Safetensors => safetensors::safetensors_index(head, file_len)?,
        WeightFormat::Npy => npy_index(head, file_len)?,
        WeightFormat::Gguf => match gguf::read_header(head, file_len)? {
            HeaderRead::Done(h) => gguf_index(&h, file_len),
            HeaderRead::NeedBytes(n) => return Ok(Indexed::NeedBytes(n)),
        },
    }))
}

/// [`index_or_more`] for a caller that holds the whole header: a header longer than `head`
/// is an error.
pub fn index(format: WeightFormat, head: &[u8], file_len: u64) -> Result<FileIndex> {
    match index_or_more(format, head, file_len)? {
        Indexed::Done(i) => Ok(i),
        Indexed::NeedBytes(n) => Err(bad(
            GGUF,
            format!(
                "the header is longer than the {} bytes read (it needs at least {n})",
                head.len()
            ),
        )),
    }
}

fn gguf_index(h: &gguf::GgufHeader, file_len: u64) -> FileIndex {
    // `read_header` checked that the tensors come in the order of their data.
    let tensors: Vec<TensorEntry> = h
        .tensors
        .iter()
        .map(|t| {
            let count = t.count().unwrap_or(0) as usize;
            let begin = h.data_start + t.offset;
            let element = t.ty.decoder().map(|d| match d {
                Decoder::F32 => ElementType::F32,
                Decoder::F16 => ElementType::F16,
                Decoder::Bf16 => ElementType::Bf16,
                Decoder::F64 => ElementType::F64,
                Decoder::Block(_) | Decoder::Mxfp4 | Decoder::Nvfp4 => ElementType::Block(t.ty),
            });
            TensorEntry {
                name: t.name.clone(),
                dtype: t.ty.name(),
                shape: t.shape().into_iter().map(|d| d as usize).collect(),
                count,
                begin,
                end: begin + t.ty.bytes_for(count as u64).unwrap_or(0),
                element,
                big_endian: false,
                fortran: false,
                format: WeightFormat::Gguf,
            }
        })
        .collect();
    FileIndex {
        format: WeightFormat::Gguf,
        header_bytes: h.data_start,
        file_len,
        tensors,
        metadata: h
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
    }
}

fn npy_index(head: &[u8], file_len: u64) -> Result<FileIndex> {
    let start = if head.get(6) == Some(&1) { 10 } else { 12 };
    let text = std::str::from_utf8(head.get(start..).unwrap_or_default())
        .map_err(|_| bad(NPY, "bad header: it is not UTF-8 text"))?;
    crate::io::npy::check_header_nesting(text)?;
    let value: py_literal::Value = text
        .trim_end()
        .parse()
        .map_err(|e| bad(NPY, format!("bad header: not a Python dict literal ({e})")))?;
    let py_literal::Value::Dict(entries) = value else {
        return Err(bad(NPY, "bad header: it is not a Python dict literal"));
    };
    let get = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| k.as_string().is_some_and(|k| k == key))
            .map(|(_, v)| v)
    };
    let descr = get("descr")
        .and_then(|v| v.as_string())
        .ok_or_else(|| {
            bad(
                NPY,
                "bad header: it has no 'descr' string (a structured dtype?)",
            )
        })?
        .to_string();
    let fortran = match get("fortran_order") {
        Some(py_literal::Value::Boolean(b)) => *b,
        _ => return Err(bad(NPY, "bad header: 'fortran_order' is not True or False")),
    };
    let dims = match get("shape") {
        Some(py_literal::Value::Tuple(d) | py_literal::Value::List(d)) => d,
        _ => return Err(bad(NPY, "bad header: it has no 'shape' tuple")),
    };
    let mut shape = Vec::with_capacity(dims.len());
    for d in dims {
        let n = match d {
            py_literal::Value::Integer(n) => n.to_string().parse::<usize>().ok(),
            _ => None,
        }
        .ok_or_else(|| bad(NPY, "bad header: a dimension is not a non-negative integer"))?;
        shape.push(n);
    }
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| bad(NPY, format!("the shape {shape:?} is too large to hold")))?;
    // The byte-order character, then the kind: split after the first *character*, since a
    // damaged header can start its descr with a multi-byte one (fuzzing found `'Ĕ4'`).
    let cut = descr.chars().next().map_or(0, char::len_utf8);
    let (order, kind) = descr.split_at(cut);
    let big_endian = order == ">";
    let element = match (order, kind) {
        ("<" | ">" | "=" | "|", "f2") => Some(ElementType::F16),
        ("<" | ">" | "=" | "|", "f4") => Some(ElementType::F32),
        ("<" | ">" | "=" | "|", "f8") => Some(ElementType::F64),
        _ => None,
    };
    let Some(el) = element else {
        return Err(bad(
            NPY,
            format!("unsupported dtype {descr}: the Weight lab reads float arrays (f2, f4, f8)"),
        ));
    };
    let header_bytes = head.len() as u64;
    let data_len = file_len.saturating_sub(header_bytes);
    let need = el.bytes_for(count).unwrap_or(u64::MAX);
    if need != data_len {
        return Err(bad(
            NPY,
            if need > data_len {
                format!(
                    "truncated (shape/data mismatch): the shape {shape:?} needs {need} bytes of \
                     data but only {data_len} follow the header"
                )
            } else {
                format!(
                    "shape/data mismatch: the shape {shape:?} holds {need} bytes of data but \
                     {data_len} follow the header"
                )
            },
        ));
    }
    Ok(FileIndex {
        format: WeightFormat::Npy,
        header_bytes,
        file_len,
        tensors: vec![TensorEntry {
            name: "array".into(),
            dtype: descr,
            shape,
            count,
            begin: header_bytes,
            end: file_len,
            element,
            big_endian,
            fortran,
            format: WeightFormat::Npy,
        }],
        metadata: Vec::new(),
    })
}

/// Decodes the bytes of `entry`'s window (see [`TensorEntry::window`]) of shape `shape`
/// into a row-major `f32` tensor. Errors: a length that does not match, NaN or infinity
/// (with the index), an unsupported dtype.
pub fn decode(entry: &TensorEntry, shape: &[usize], bytes: &[u8]) -> Result<Vec<f32>> {
    let fmt = entry.format.extension();
    let el = entry.element.ok_or_else(|| {
        bad(
            fmt,
            format!(
                "tensor {:?} has an unsupported data type {}",
                entry.name, entry.dtype
            ),
        )
    })?;
    let count: usize = shape.iter().product();
    let need = el.bytes_for(count);
    if need != Some(bytes.len() as u64) {
        return Err(bad(
            fmt,
            format!(
                "tensor {:?}: expected {} bytes of data, read {}",
                entry.name,
                need.map(|n| n.to_string())
                    .unwrap_or_else(|| "whole blocks".into()),
                bytes.len()
            ),
        ));
    }
    let be = entry.big_endian;
    let out: Vec<f32> = match el {
        ElementType::F32 => bytes
            .chunks_exact(4)
            .map(|b| {
                let a = [b[0], b[1], b[2], b[3]];
                if be {
                    f32::from_be_bytes(a)
                } else {
                    f32::from_le_bytes(a)
                }
            })
            .collect(),
        ElementType::F16 => bytes
            .chunks_exact(2)
            .map(|b| {
                let a = [b[0], b[1]];
                if be {
                    half::f16::from_be_bytes(a)
                } else {
                    half::f16::from_le_bytes(a)
                }
                .to_f32()
            })
            .collect(),
        ElementType::Bf16 => bytes
            .chunks_exact(2)
            .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        ElementType::F64 => bytes
            .chunks_exact(8)
            .map(|b| {
                let a = [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]];
                (if be {
                    f64::from_be_bytes(a)
                } else {
                    f64::from_le_bytes(a)
                }) as f32
            })
            .collect(),
        ElementType::I8 => bytes.iter().map(|&b| f32::from(b as i8)).collect(),
        ElementType::U8 => bytes.iter().map(|&b| f32::from(b)).collect(),
        ElementType::F8E4m3 => bytes
            .iter()
            .map(|&b| ElementFormat::E4m3.value(b) as f32)
            .collect(),
        ElementType::F8E5m2 => bytes
            .iter()
            .map(|&b| ElementFormat::E5m2.value(b) as f32)
            .collect(),
        ElementType::Block(t) => match t.decoder() {
            Some(Decoder::Block(g)) => crate::quant::ggml::dequantize_row(g, bytes, count)?,
            Some(Decoder::Mxfp4) => gguf::decode_mxfp4(bytes),
            Some(Decoder::Nvfp4) => gguf::decode_nvfp4(bytes),
            _ => {
                return Err(bad(
                    fmt,
                    format!(
                        "tensor {:?}: quantlab does not decode {}",
                        entry.name,
                        t.name()
                    ),
                ));
            }
        },
    };
    if let Some(i) = out.iter().position(|v| !v.is_finite()) {
        return Err(bad(
            fmt,
            format!(
                "value {} at index {i} of tensor {:?} is not a finite number",
                out[i], entry.name
            ),
        ));
    }
    if out.is_empty() {
        return Err(QuantError::Empty);
    }
    Ok(if entry.fortran {
        fortran_to_c(&out, shape)
    } else {
        out
    })
}

/// The index of a whole file held in memory (the command line and the tests use it; the
/// page reads slices instead).
pub fn index_in_memory(file_name: &str, bytes: &[u8]) -> Result<FileIndex> {
    let len = bytes.len() as u64;
    let probe = &bytes[..bytes.len().min(PROBE_BYTES)];
    let (format, mut span) = header_span(file_name, probe, len)?;
    loop {
        match index_or_more(format, &bytes[..span.min(len) as usize], len)? {
            Indexed::Done(i) => return Ok(i),
            Indexed::NeedBytes(n) => span = n.min(len),
        }
    }
}

/// Every value of `entry`, a tensor of the file `bytes` (held in memory), row-major.
pub fn decode_whole(entry: &TensorEntry, bytes: &[u8]) -> Result<Vec<f32>> {
    let data = usize::try_from(entry.begin)
        .ok()
        .zip(usize::try_from(entry.end).ok())
        .and_then(|(a, b)| bytes.get(a..b))
        .ok_or_else(|| {
            bad(
                entry.format.extension(),
                format!(
                    "truncated: the data of tensor {:?} is past the end",
                    entry.name
                ),
            )
        })?;
    decode(entry, &entry.shape, data)
}

/// Lists and reads a whole file held in memory: the index and the `name`d tensor's window
/// (the first tensor the lab reads when `None`).
pub fn read_in_memory(
    file_name: &str,
    bytes: &[u8],
    name: Option<&str>,
) -> Result<(FileIndex, TensorEntry, Vec<usize>, Vec<f32>)> {
    let idx = index_in_memory(file_name, bytes)?;
    let entry = match name {
        Some(n) => idx.tensors.iter().find(|t| t.name == n),
        None => idx.tensors.iter().find(|t| t.supported()),
    }
    .cloned()
    .ok_or_else(|| {
        bad(
            idx.format.extension(),
            "it holds no tensor the Weight lab can read",
        )
    })?;
    let ((a, b), shape) = entry.window()?;
    let data = decode(&entry, &shape, &bytes[a as usize..b as usize])?;
    Ok((idx, entry, shape, data))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn st_file(header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn a_header_past_4_gib_is_indexed_in_u64_and_bad_tiling_is_refused() {
        // 5 GiB of data: a 1 KiB tensor, five 1 GiB U8 fillers, then one more tensor whose
        // offset lies past 2^32 (only the header is needed to index it).
        let gib = 1u64 << 30;
        let mut header =
            String::from(r#"{"near":{"dtype":"F32","shape":[4,64],"data_offsets":[0,1024]}"#);
        let mut at = 1024u64;
        for i in 0..5 {
            header.push_str(&format!(
                r#","filler.{i}":{{"dtype":"U8","shape":[{gib}],"data_offsets":[{at},{}]}}"#,
                at + gib
            ));
            at += gib;
        }
        header.push_str(&format!(
            r#","far":{{"dtype":"F32","shape":[4,64],"data_offsets":[{at},{}]}}}}"#,
            at + 1024
        ));
        let head = st_file(&header, &[]);
        let file_len = head.len() as u64 + at + 1024;
        let idx = index(WeightFormat::Safetensors, &head, file_len).unwrap();
        let far = idx.tensors.iter().find(|t| t.name == "far").unwrap();
        assert!(far.begin > 1 << 32, "{}", far.begin);
        assert_eq!(far.end - far.begin, 1024);
        assert_eq!(idx.tensors.last().unwrap().name, "far");
        // A gap between tensors, bytes after the last, an unknown dtype, a wrong size.
        let refuse = |header: &str, data_len: u64| {
            let head = st_file(header, &[]);
            index(
                WeightFormat::Safetensors,
                &head,
                head.len() as u64 + data_len,
            )
            .unwrap_err()
            .to_string()
        };
        let e = refuse(
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[2],"data_offsets":[12,20]}}"#,
            20,
        );
        assert!(e.contains("must tile"), "{e}");
        let e = refuse(
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
            12,
        );
        assert!(e.contains("4 bytes after the last tensor"), "{e}");
        let e = refuse(
            r#"{"a":{"dtype":"F99","shape":[2],"data_offsets":[0,8]}}"#,
            8,
        );
        assert!(e.contains("unsupported or unknown dtype"), "{e}");
        let e = refuse(
            r#"{"a":{"dtype":"I32","shape":[3],"data_offsets":[0,8]}}"#,
            8,
        );
        assert!(e.contains("shape/data mismatch"), "{e}");
        let f4 = st_file(
            r#"{"a":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}"#,
            &[],
        );
        assert!(index(WeightFormat::Safetensors, &f4, f4.len() as u64 + 2).is_ok());
    }

    fn f32s(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn three_tensors() -> Vec<u8> {
        let mut data = f32s(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        data.extend(
            [0.5f32, -2.0]
                .iter()
                .flat_map(|&x| half::bf16::from_f32(x).to_le_bytes()),
        );
        data.extend(
            [1.5f32, -0.25]
                .iter()
                .flat_map(|&x| half::f16::from_f32(x).to_le_bytes()),
        );
        data.extend([3.0f64].iter().flat_map(|x| x.to_le_bytes()));
        data.extend([7u8, 8, 9, 10]);
        st_file(
            r#"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]},"h":{"dtype":"F16","shape":[2],"data_offsets":[28,32]},"d":{"dtype":"F64","shape":[1,1],"data_offsets":[32,40]},"i":{"dtype":"I32","shape":[1],"data_offsets":[40,44]},"__metadata__":{"format":"pt"}}"#,
            &data,
        )
    }

    fn message<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.unwrap_err().to_string()
    }

    fn npy(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut header = dict.to_string();
        while !(10 + header.len() + 1).is_multiple_of(64) {
            header.push(' ');
        }
        header.push('\n');
        let mut out = crate::io::npy::MAGIC.to_vec();
        out.extend([1, 0]);
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn every_tensor_is_listed_with_its_dtype_shape_and_size() {
        let bytes = three_tensors();
        let (idx, _, _, _) = read_in_memory("m.safetensors", &bytes, None).unwrap();
        let names: Vec<&str> = idx.tensors.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, vec!["w", "b", "h", "d", "i"]);
        assert_eq!(idx.metadata, vec![("format".to_string(), "pt".to_string())]);
        let w = &idx.tensors[0];
        assert_eq!(
            (w.dtype.as_str(), w.shape.clone(), w.count, w.bytes()),
            ("F32", vec![2, 3], 6, 24)
        );
        assert!(!idx.tensors[4].supported());
        for (name, want) in [
            ("w", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            ("b", vec![0.5, -2.0]),
            ("h", vec![1.5, -0.25]),
            ("d", vec![3.0]),
        ] {
            let (_, e, _, data) = read_in_memory("m.safetensors", &bytes, Some(name)).unwrap();
            assert_eq!(data, want, "{name}");
            assert_eq!(e.name, name);
        }
        assert!(
            message(read_in_memory("m.safetensors", &bytes, Some("i"))).contains("does not read")
        );
    }

    #[test]
    fn every_malformed_safetensors_case_has_its_message() {
        let good = three_tensors();
        // Truncated before the length, header length beyond the file, truncated data.
        assert!(message(read_in_memory("m.safetensors", &good[..5], None)).contains("truncated"));
        assert!(
            message(read_in_memory("m.safetensors", &good[..40], None))
                .contains("header length beyond the file")
        );
        assert!(
            message(read_in_memory(
                "m.safetensors",
                &good[..good.len() - 3],
                None
            ))
            .contains("offsets out of range")
        );
        // Invalid JSON.
        assert!(
            message(read_in_memory(
                "m.safetensors",
                &st_file("{not json", &[]),
                None
            ))
            .contains("invalid header JSON")
        );
        // Offsets out of range.
        let e = message(read_in_memory(
            "m.safetensors",
            &st_file(
                r#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,80]}}"#,
                &[0; 8],
            ),
            None,
        ));
        assert!(
            e.contains("offsets out of range") && e.contains("\"x\""),
            "{e}"
        );
        // Shape/data mismatch.
        let e = message(read_in_memory(
            "m.safetensors",
            &st_file(
                r#"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
                &[0; 8],
            ),
            None,
        ));
        assert!(e.contains("shape/data mismatch"), "{e}");
        // Overlapping or gapped offsets are caught by the crate.
        let e = message(read_in_memory(
            "m.safetensors",
            &st_file(
                r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                &[0; 8],
            ),
            None,
        ));
        assert!(e.contains("bad header"), "{e}");
        // Unsupported dtype: unknown to safetensors, or known but not a float.
        let e = message(read_in_memory(
            "m.safetensors",
            &st_file(
                r#"{"x":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}}"#,
                &[0; 4],
            ),
            None,
        ));
        assert!(e.contains("unsupported or unknown dtype"), "{e}");
        let e = message(read_in_memory(
            "m.safetensors",
            &st_file(
                r#"{"x":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#,
                &[0; 4],
            ),
            None,
        ));
        assert!(e.contains("no tensor the Weight lab can read"), "{e}");
        // Wrong magic: a zip file named .safetensors.
        let e = message(read_in_memory(
            "m.safetensors",
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00zzzzzzzzzz",
            None,
        ));
        assert!(
            e.contains("over the 100 MB limit") || e.contains("beyond the file"),
            "{e}"
        );
        // Bytes left over after the last tensor.
        let mut extra = st_file(
            r#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
            &[0; 4],
        );
        extra.extend([0; 4]);
        assert!(
            message(read_in_memory("m.safetensors", &extra, None))
                .contains("after the last tensor")
        );
        // NaN is named with its index.
        let nan = st_file(
            r#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
            &f32s(&[1.0, f32::NAN]),
        );
        assert!(message(read_in_memory("m.safetensors", &nan, None)).contains("index 1"));
        assert!(
            message(read_in_memory("m.txt", b"hello there, world", None))
                .contains("not a .safetensors, .npy or .gguf file")
        );
    }

    #[test]
    fn npy_files_in_c_and_fortran_order_and_every_float_width() {
        let c = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
            &f32s(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]),
        );
        let (idx, _, shape, data) = read_in_memory("a.npy", &c, None).unwrap();
        assert_eq!(idx.tensors[0].dtype, "<f4");
        assert_eq!(shape, vec![2, 3]);
        assert_eq!(data, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let f: Vec<u8> = [0.0f64, 3.0, 1.0, 4.0, 2.0, 5.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let fo = npy(
            "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
            &f,
        );
        assert_eq!(
            read_in_memory("a.npy", &fo, None).unwrap().3,
            vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        );
        let h: Vec<u8> = [1.5f32, -2.0]
            .iter()
            .flat_map(|&x| half::f16::from_f32(x).to_be_bytes())
            .collect();
        let hb = npy(
            "{'descr': '>f2', 'fortran_order': False, 'shape': (2,), }",
            &h,
        );
        assert_eq!(
            read_in_memory("a.npy", &hb, None).unwrap().3,
            vec![1.5, -2.0]
        );
    }

    #[test]
    fn every_malformed_npy_case_has_its_message() {
        let good = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
            &f32s(&[1.0, 2.0, 3.0, 4.0]),
        );
        assert!(
            message(read_in_memory("a.npy", b"PK\x03\x04 a zip file", None))
                .contains("wrong magic")
        );
        assert!(message(read_in_memory("a.npy", &good[..7], None)).contains("truncated"));
        assert!(message(read_in_memory("a.npy", &good[..30], None)).contains("truncated"));
        assert!(
            message(read_in_memory("a.npy", &good[..good.len() - 3], None))
                .contains("shape/data mismatch")
        );
        let mut extra = good.clone();
        extra.extend([0; 4]);
        assert!(message(read_in_memory("a.npy", &extra, None)).contains("holds 16 bytes"));
        assert!(
            message(read_in_memory(
                "a.npy",
                &npy(
                    "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }",
                    &[0; 4]
                ),
                None
            ))
            .contains("unsupported dtype <i4")
        );
        assert!(
            message(read_in_memory(
                "a.npy",
                &npy("{'descr': '<f4', 'shape': (2,", &[0; 8]),
                None
            ))
            .contains("bad header")
        );
        let huge = npy(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
            &[0; 8],
        );
        assert!(message(read_in_memory("a.npy", &huge, None)).contains("too large"));
        // A descr that starts with a multi-byte character (found by fuzzing: it panicked by
        // splitting the string inside 'Ĕ').
        let odd = npy(
            "{'descr': '\u{114}4', 'fortran_order': False, 'shape': (1,), }",
            &[0; 4],
        );
        assert!(message(read_in_memory("a.npy", &odd, None)).contains("unsupported dtype"));
    }

    #[test]
    fn a_tensor_over_the_limit_is_studied_on_its_first_rows() {
        let e = TensorEntry {
            name: "big".into(),
            dtype: "F16".into(),
            shape: vec![11008, 4096],
            count: 11008 * 4096,
            begin: 100,
            end: 100 + 2 * 11008 * 4096,
            element: Some(ElementType::F16),
            big_endian: false,
            fortran: false,
            format: WeightFormat::Safetensors,
        };
        // A Llama-2-7B MLP matrix (45 M weights) is studied whole.
        let ((a, b), shape) = e.window().unwrap();
        assert_eq!(shape, vec![11008, 4096]);
        assert_eq!((a, b), (100, 100 + 2 * 11008 * 4096));
        // Its embedding (131 M) on its first 16,384 rows: 64 M weights.
        let embed = TensorEntry {
            shape: vec![32000, 4096],
            count: 32000 * 4096,
            end: 100 + 2 * 32000 * 4096,
            ..e.clone()
        };
        let ((a, b), shape) = embed.window().unwrap();
        assert_eq!(shape, vec![16384, 4096]);
        assert_eq!(16384 * 4096, MAX_STUDY_VALUES);
        assert_eq!((a, b), (100, 100 + 2 * 16384 * 4096));
        let f = TensorEntry {
            fortran: true,
            ..embed.clone()
        };
        assert!(message(f.window()).contains("Fortran"));
        // A Fortran-ordered array within the limit is read whole.
        let f = TensorEntry { fortran: true, ..e };
        assert_eq!(f.window().unwrap().0, (100, 100 + 2 * 11008 * 4096));
        let row = TensorEntry {
            shape: vec![1, 1 << 27],
            count: 1 << 27,
            ..embed
        };
        assert!(message(row.window()).contains("one row"));
    }

    #[test]
    fn damaged_files_never_panic() {
        use rand::{Rng, SeedableRng};
        let good = three_tensors();
        let npy_good = npy(
            "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
            &f32s(&[1.0, 2.0, 3.0, 4.0]),
        );
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for (name, file) in [("m.safetensors", &good), ("a.npy", &npy_good)] {
            for _ in 0..2000 {
                let mut b = file.clone();
                for _ in 0..rng.random_range(1..4) {
                    let i = rng.random_range(0..b.len());
                    b[i] = rng.random();
                }
                let cut = rng.random_range(0..=b.len());
                let _ = read_in_memory(name, &b[..cut], None);
                let _ = read_in_memory(name, &b, Some("w"));
            }
        }
    }
}
