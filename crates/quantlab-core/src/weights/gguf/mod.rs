//! GGUF files (llama.cpp's checkpoint format) read header first.
//!
//! ```text
//! "GGUF" | version u32 (2 or 3) | tensor count u64 | metadata count u64
//! metadata: key (u64 length + UTF-8) | value type u32 | value        (repeated)
//! tensor infos: name | n_dims u32 | ne[n_dims] u64 | ggml type u32 | offset u64
//! padding to `general.alignment` (32 by default) | tensor data
//! ```
//!
//! Everything is little-endian. `ne[0]` is the innermost dimension (a row), so the
//! row-major shape is `ne` reversed; a quantized row is a whole number of blocks.
//! A tensor's offset is relative to the start of the data section and a multiple of the
//! alignment.
//!
//! The header can be megabytes long (a tokenizer's vocabulary lives in it), and its length
//! is only known once it is parsed: [`read_header`] takes a prefix of the file and either
//! parses it or says how many bytes to read first ([`HeaderRead::NeedBytes`]). Long strings
//! and arrays are kept only in part (their length is always kept), so the memory a header
//! takes stays small whatever the vocabulary.
//!
//! Tensor types decoded to `f32` here: F32, F16, BF16, F64, the ggml blocks quantlab
//! implements bit-exactly (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K … Q6_K, Q8_K; see
//! [`crate::quant::ggml`]), and ggml's MXFP4 and NVFP4 blocks. Other types (the IQ2/IQ3
//! grids, TQ, integer tensors) are listed with their size and marked unsupported.
//! `tests/gguf_reference.rs` checks the listing and every decoded value against `gguf`,
//! llama.cpp's Python package (`scripts/ref-vectors-gguf.sh`).

mod blocks;
mod types;

pub use blocks::{decode_mxfp4, decode_nvfp4};
pub use types::{Decoder, GgufType};

use crate::error::{QuantError, Result};
use crate::io::bad;

const FORMAT: &str = ".gguf";

/// The first four bytes of every GGUF file.
pub const MAGIC: &[u8; 4] = b"GGUF";

/// The data alignment when `general.alignment` is absent.
pub const DEFAULT_ALIGNMENT: u64 = 32;

/// Most dimensions a ggml tensor has.
pub const MAX_DIMS: usize = 4;

/// Array elements kept of each metadata array (the rest are read past).
pub const ARRAY_ELEMENTS_KEPT: usize = 8;

/// Characters kept of each metadata string.
pub const STRING_CHARS_KEPT: usize = 200;

/// Nesting of arrays in arrays accepted in metadata.
const MAX_ARRAY_DEPTH: usize = 4;

/// One metadata value, as kept: scalars whole, strings and arrays in part.
#[derive(Debug, Clone, PartialEq)]
pub enum MetaValue {
    /// Any integer type (u8 … i64), widened.
    Int(i128),
    /// `f32` or `f64`, widened.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A string: its first [`STRING_CHARS_KEPT`] characters and its length in bytes.
    Str {
        /// The kept characters.
        text: String,
        /// The whole string's length in bytes.
        bytes: u64,
    },
    /// An array: its element type's name, its length and its first
    /// [`ARRAY_ELEMENTS_KEPT`] elements.
    Array {
        /// `u32`, `string`, `array`, …
        element: &'static str,
        /// Number of elements.
        len: u64,
        /// The kept elements.
        head: Vec<MetaValue>,
    },
}

impl std::fmt::Display for MetaValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MetaValue::Int(v) => write!(f, "{v}"),
            // Debug writes 1e-300 as such, where Display would write 300 zeros.
            MetaValue::Float(v) => write!(f, "{v:?}"),
            MetaValue::Bool(v) => write!(f, "{v}"),
            MetaValue::Str { text, bytes } => {
                write!(f, "{text:?}")?;
                if (text.len() as u64) < *bytes {
                    write!(f, "… ({bytes} bytes)")?;
                }
                Ok(())
            }
            MetaValue::Array { element, len, head } => {
                write!(f, "[{len} × {element}")?;
                if !head.is_empty() {
                    f.write_str(": ")?;
                    for (i, v) in head.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{v}")?;
                    }
                    if (head.len() as u64) < *len {
                        f.write_str(", …")?;
                    }
                }
                f.write_str("]")
            }
        }
    }
}

impl MetaValue {
    /// The value as an unsigned integer, when it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            MetaValue::Int(v) => u64::try_from(*v).ok(),
            _ => None,
        }
    }
}

/// One tensor's entry in the header.
#[derive(Debug, Clone, PartialEq)]
pub struct GgufTensorInfo {
    /// Its name (`blk.0.ffn_down.weight`).
    pub name: String,
    /// ggml's `ne`: innermost dimension first.
    pub ne: Vec<u64>,
    /// Its type.
    pub ty: GgufType,
    /// First byte of its data, relative to the data section.
    pub offset: u64,
}

impl GgufTensorInfo {
    /// The row-major shape (`ne` reversed).
    pub fn shape(&self) -> Vec<u64> {
        self.ne.iter().rev().copied().collect()
    }

    /// Number of values.
    pub fn count(&self) -> Option<u64> {
        self.ne.iter().try_fold(1u64, |a, &d| a.checked_mul(d))
    }
}

/// A parsed GGUF header.
#[derive(Debug, Clone, PartialEq)]
pub struct GgufHeader {
    /// Format version (2 or 3).
    pub version: u32,
    /// The metadata, in file order.
    pub metadata: Vec<(String, MetaValue)>,
    /// The tensors, in header order.
    pub tensors: Vec<GgufTensorInfo>,
    /// The data alignment.
    pub alignment: u64,
    /// Where the data section starts in the file.
    pub data_start: u64,
}

impl GgufHeader {
    /// The metadata value of `key`.
    pub fn get(&self, key: &str) -> Option<&MetaValue> {
        self.metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// What [`read_header`] made of a prefix of the file.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderRead {
    /// The whole header.
    Done(GgufHeader),
    /// The header goes on past the prefix: read at least this many bytes from the start of
    /// the file and try again.
    NeedBytes(u64),
}

/// Why the cursor stopped.
enum Stop {
    /// The prefix ended; the header needs at least this many bytes.
    Short(u64),
    /// The bytes are not a valid header.
    Bad(QuantError),
}

impl From<QuantError> for Stop {
    fn from(e: QuantError) -> Self {
        Stop::Bad(e)
    }
}

type Step<T> = std::result::Result<T, Stop>;

struct Cursor<'a> {
    buf: &'a [u8],
    pos: u64,
    file_len: u64,
}

impl<'a> Cursor<'a> {
    /// The next `n` bytes, or how far the header reaches when the prefix ends first.
    fn take(&mut self, n: u64) -> Step<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.file_len);
        let Some(end) = end else {
            return Err(Stop::Bad(bad(
                FORMAT,
                format!(
                    "truncated: the header needs {n} more bytes at byte {} of a {}-byte file",
                    self.pos, self.file_len
                ),
            )));
        };
        if end > self.buf.len() as u64 {
            return Err(Stop::Short(end));
        }
        let s = &self.buf[self.pos as usize..end as usize];
        self.pos = end;
        Ok(s)
    }

    fn skip(&mut self, n: u64) -> Step<()> {
        self.take(n).map(|_| ())
    }

    fn array<const N: usize>(&mut self) -> Step<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N as u64)?);
        Ok(a)
    }

    fn u32(&mut self) -> Step<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Step<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A string: the whole of it when `keep` is `None`, else its first `keep` characters.
    fn string(&mut self, what: &str, keep: Option<usize>) -> Step<(String, u64)> {
        let len = self.u64()?;
        let bytes = match keep {
            None => self.take(len)?,
            Some(k) => {
                let kept = len.min(k as u64 * 4);
                let b = self.take(kept)?;
                self.skip(len - kept)?;
                b
            }
        };
        let text = match std::str::from_utf8(bytes) {
            Ok(s) => s,
            // A kept prefix may end inside a character: keep what is whole.
            Err(e) if keep.is_some() && e.error_len().is_none() => {
                std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default()
            }
            Err(_) => {
                return Err(Stop::Bad(bad(FORMAT, format!("{what} is not UTF-8 text"))));
            }
        };
        let text = match keep {
            Some(k) => text.chars().take(k).collect(),
            None => text.to_string(),
        };
        Ok((text, len))
    }
}

/// Name and size in bytes of a metadata value type (`None` for string and array, whose
/// size is in the data).
fn value_type(ty: u32) -> Option<(&'static str, Option<u64>)> {
    Some(match ty {
        0 => ("u8", Some(1)),
        1 => ("i8", Some(1)),
        2 => ("u16", Some(2)),
        3 => ("i16", Some(2)),
        4 => ("u32", Some(4)),
        5 => ("i32", Some(4)),
        6 => ("f32", Some(4)),
        7 => ("bool", Some(1)),
        8 => ("string", None),
        9 => ("array", None),
        10 => ("u64", Some(8)),
        11 => ("i64", Some(8)),
        12 => ("f64", Some(8)),
        _ => return None,
    })
}

fn value(c: &mut Cursor<'_>, key: &str, ty: u32, depth: usize) -> Step<MetaValue> {
    let fixed = |c: &mut Cursor<'_>, n: u64| -> Step<[u8; 8]> {
        let mut a = [0u8; 8];
        a[..n as usize].copy_from_slice(c.take(n)?);
        Ok(a)
    };
    Ok(match ty {
        0 => MetaValue::Int(i128::from(fixed(c, 1)?[0])),
        1 => MetaValue::Int(i128::from(fixed(c, 1)?[0] as i8)),
        2 => MetaValue::Int(i128::from(u16::from_le_bytes(c.array()?))),
        3 => MetaValue::Int(i128::from(i16::from_le_bytes(c.array()?))),
        4 => MetaValue::Int(i128::from(c.u32()?)),
        5 => MetaValue::Int(i128::from(i32::from_le_bytes(c.array()?))),
        6 => MetaValue::Float(f64::from(f32::from_le_bytes(c.array()?))),
        7 => match fixed(c, 1)?[0] {
            0 => MetaValue::Bool(false),
            1 => MetaValue::Bool(true),
            b => {
                return Err(Stop::Bad(bad(
                    FORMAT,
                    format!("metadata {key:?}: the boolean byte is {b}, not 0 or 1"),
                )));
            }
        },
        8 => {
            let (text, bytes) = c.string(&format!("metadata {key:?}"), Some(STRING_CHARS_KEPT))?;
            MetaValue::Str { text, bytes }
        }
        9 => {
            if depth >= MAX_ARRAY_DEPTH {
                return Err(Stop::Bad(bad(
                    FORMAT,
                    format!("metadata {key:?}: arrays nested deeper than {MAX_ARRAY_DEPTH}"),
                )));
            }
            let elem = c.u32()?;
            let len = c.u64()?;
            let Some((element, size)) = value_type(elem) else {
                return Err(Stop::Bad(unknown_value_type(key, elem)));
            };
            let mut head = Vec::new();
            match size {
                // Fixed-size elements: keep a few, step over the rest at once.
                Some(s) => {
                    let kept = len.min(ARRAY_ELEMENTS_KEPT as u64);
                    for _ in 0..kept {
                        head.push(value(c, key, elem, depth + 1)?);
                    }
                    let rest = (len - kept).checked_mul(s).ok_or_else(|| {
                        Stop::Bad(bad(
                            FORMAT,
                            format!("metadata {key:?}: the array is too long"),
                        ))
                    })?;
                    c.skip(rest)?;
                }
                None => {
                    for i in 0..len {
                        let v = value(c, key, elem, depth + 1)?;
                        if i < ARRAY_ELEMENTS_KEPT as u64 {
                            head.push(v);
                        }
                    }
                }
            }
            MetaValue::Array { element, len, head }
        }
        10 => MetaValue::Int(i128::from(c.u64()?)),
        11 => MetaValue::Int(i128::from(i64::from_le_bytes(c.array()?))),
        12 => MetaValue::Float(f64::from_le_bytes(c.array()?)),
        other => return Err(Stop::Bad(unknown_value_type(key, other))),
    })
}

fn unknown_value_type(key: &str, ty: u32) -> QuantError {
    bad(
        FORMAT,
        format!("metadata {key:?} has the unknown value type {ty} (GGUF defines 0 to 12)"),
    )
}

fn parse(c: &mut Cursor<'_>) -> Step<GgufHeader> {
    let magic = c.take(4)?;
    if magic != MAGIC {
        return Err(Stop::Bad(bad(
            FORMAT,
            "wrong magic number: a GGUF file starts with the bytes GGUF",
        )));
    }
    let version = c.u32()?;
    match version {
        2 | 3 => {}
        1 => {
            return Err(Stop::Bad(bad(
                FORMAT,
                "GGUF version 1 (2023) is not read; convert the model again with a newer llama.cpp",
            )));
        }
        v if v.swap_bytes() <= 3 => {
            return Err(Stop::Bad(bad(
                FORMAT,
                "this GGUF file is big-endian; quantlab reads little-endian files",
            )));
        }
        v => {
            return Err(Stop::Bad(bad(
                FORMAT,
                format!("GGUF version {v} is not supported (2 and 3 are)"),
            )));
        }
    }
    let n_tensors = c.u64()?;
    let n_kv = c.u64()?;
    // Every tensor info takes at least 24 bytes and every pair at least 12: counts the
    // file cannot hold are refused before anything is allocated for them.
    if n_tensors.saturating_mul(24) > c.file_len || n_kv.saturating_mul(12) > c.file_len {
        return Err(Stop::Bad(bad(
            FORMAT,
            format!(
                "the header claims {n_tensors} tensors and {n_kv} metadata entries, more \
                 than a {}-byte file can hold",
                c.file_len
            ),
        )));
    }
    let mut metadata = Vec::with_capacity(n_kv.min(1024) as usize);
    for i in 0..n_kv {
        let (key, _) = c.string(&format!("metadata key {i}"), None)?;
        let ty = c.u32()?;
        let v = value(c, &key, ty, 0)?;
        metadata.push((key, v));
    }
    let alignment = match metadata.iter().find(|(k, _)| k == "general.alignment") {
        None => DEFAULT_ALIGNMENT,
        Some((_, v)) => match v.as_u64() {
            Some(a) if a > 0 && a.is_power_of_two() => a,
            _ => {
                return Err(Stop::Bad(bad(
                    FORMAT,
                    format!("general.alignment is {v}; it must be a power of two"),
                )));
            }
        },
    };
    let mut tensors = Vec::with_capacity(n_tensors.min(4096) as usize);
    for i in 0..n_tensors {
        let (name, _) = c.string(&format!("the name of tensor {i}"), None)?;
        let n_dims = c.u32()? as usize;
        if n_dims == 0 || n_dims > MAX_DIMS {
            return Err(Stop::Bad(bad(
                FORMAT,
                format!("tensor {name:?} has {n_dims} dimensions (ggml allows 1 to {MAX_DIMS})"),
            )));
        }
        let mut ne = Vec::with_capacity(n_dims);
        for _ in 0..n_dims {
            ne.push(c.u64()?);
        }
        let ty = GgufType { id: c.u32()? };
        let offset = c.u64()?;
        tensors.push(GgufTensorInfo {
            name,
            ne,
            ty,
            offset,
        });
    }
    let data_start = c.pos.next_multiple_of(alignment);
    Ok(GgufHeader {
        version,
        metadata,
        tensors,
        alignment,
        data_start,
    })
}

/// Parses the header from `prefix`, the first bytes of a file of `file_len` bytes, and
/// checks every tensor against the file: a known type, a row that is whole blocks, an
/// aligned offset, data inside the file, in the order of the header, no two overlapping.
///
/// Returns [`HeaderRead::NeedBytes`] when the header runs past `prefix` (a larger read will
/// do; it asks for at least twice the prefix so that a long header takes few reads).
pub fn read_header(prefix: &[u8], file_len: u64) -> Result<HeaderRead> {
    let mut c = Cursor {
        buf: prefix,
        pos: 0,
        file_len,
    };
    let header = match parse(&mut c) {
        Ok(h) => h,
        Err(Stop::Bad(e)) => return Err(e),
        Err(Stop::Short(need)) => {
            let want = need.max(prefix.len() as u64 * 2).min(file_len);
            return Ok(HeaderRead::NeedBytes(want));
        }
    };
    check_tensors(&header, file_len)?;
    Ok(HeaderRead::Done(header))
}

fn check_tensors(h: &GgufHeader, file_len: u64) -> Result<()> {
    let data_len = file_len.saturating_sub(h.data_start);
    // llama.cpp requires the tensors in the order of their data; so do we (an overlap is
    // then a tensor that starts before the previous one ends).
    let mut previous: Option<(u64, &str)> = None;
    for t in &h.tensors {
        let name = &t.name;
        if !t.ty.known() {
            return Err(bad(
                FORMAT,
                format!("tensor {name:?} has the unknown ggml type {}", t.ty.id),
            ));
        }
        let count = t
            .count()
            .ok_or_else(|| bad(FORMAT, format!("the shape of tensor {name:?} is too large")))?;
        let bv = t.ty.block_values().unwrap_or(1);
        if !t.ne[0].is_multiple_of(bv) {
            return Err(bad(
                FORMAT,
                format!(
                    "tensor {name:?}: a row of {} values is not a whole number of {} blocks \
                     of {bv}",
                    t.ne[0],
                    t.ty.name()
                ),
            ));
        }
        let bytes =
            t.ty.bytes_for(count)
                .ok_or_else(|| bad(FORMAT, format!("the size of tensor {name:?} overflows")))?;
        if !t.offset.is_multiple_of(h.alignment) {
            return Err(bad(
                FORMAT,
                format!(
                    "tensor {name:?} starts at offset {}, not a multiple of the alignment {}",
                    t.offset, h.alignment
                ),
            ));
        }
        if let Some((end, before)) = previous
            && t.offset < end
        {
            return Err(bad(
                FORMAT,
                format!(
                    "tensor {name:?} starts at offset {} inside tensor {before:?} (or before \
                     it): the tensors overlap or are out of order",
                    t.offset
                ),
            ));
        }
        match t.offset.checked_add(bytes) {
            Some(end) if end <= data_len => previous = Some((end, name)),
            _ => {
                return Err(bad(
                    FORMAT,
                    format!(
                        "truncated: tensor {name:?} takes bytes {}..{} of the data section, \
                         which has {data_len}",
                        t.offset,
                        t.offset.saturating_add(bytes)
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A minimal writer for the tests: metadata pairs and tensors of given bytes.
    pub(crate) fn write(
        kv: &[(&str, u32, Vec<u8>)],
        tensors: &[(&str, &[u64], u32, Vec<u8>)],
    ) -> Vec<u8> {
        let s = |out: &mut Vec<u8>, t: &str| {
            out.extend((t.len() as u64).to_le_bytes());
            out.extend(t.as_bytes());
        };
        let mut out = MAGIC.to_vec();
        out.extend(3u32.to_le_bytes());
        out.extend((tensors.len() as u64).to_le_bytes());
        out.extend((kv.len() as u64).to_le_bytes());
        for (k, ty, v) in kv {
            s(&mut out, k);
            out.extend(ty.to_le_bytes());
            out.extend(v);
        }
        let mut data = Vec::new();
        for (name, ne, ty, bytes) in tensors {
            while !data.len().is_multiple_of(32) {
                data.push(0);
            }
            let offset = data.len() as u64;
            s(&mut out, name);
            out.extend((ne.len() as u32).to_le_bytes());
            for d in *ne {
                out.extend(d.to_le_bytes());
            }
            out.extend(ty.to_le_bytes());
            out.extend(offset.to_le_bytes());
            data.extend(bytes);
        }
        while !out.len().is_multiple_of(32) {
            out.push(0);
        }
        out.extend(data);
        out
    }

    fn str_value(t: &str) -> Vec<u8> {
        let mut v = (t.len() as u64).to_le_bytes().to_vec();
        v.extend(t.as_bytes());
        v
    }

    fn small() -> Vec<u8> {
        let f32s: Vec<u8> = [1.0f32, -2.0, 3.5, 0.25, 5.0, 6.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let mut tokens = 8u32.to_le_bytes().to_vec();
        tokens.extend(3u64.to_le_bytes());
        for t in ["<s>", "olá", "mundo"] {
            tokens.extend(str_value(t));
        }
        write(
            &[
                ("general.architecture", 8, str_value("llama")),
                ("llama.block_count", 4, 2u32.to_le_bytes().to_vec()),
                ("tokenizer.ggml.tokens", 9, tokens),
            ],
            &[("w", &[3, 2], 0, f32s)],
        )
    }

    fn done(bytes: &[u8]) -> GgufHeader {
        match read_header(bytes, bytes.len() as u64).unwrap() {
            HeaderRead::Done(h) => h,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_small_file_lists_its_metadata_and_tensor() {
        let bytes = small();
        let h = done(&bytes);
        assert_eq!(h.version, 3);
        assert_eq!(h.alignment, 32);
        assert_eq!(h.get("llama.block_count"), Some(&MetaValue::Int(2)));
        assert_eq!(
            h.get("general.architecture").unwrap().to_string(),
            "\"llama\""
        );
        assert_eq!(
            h.get("tokenizer.ggml.tokens").unwrap().to_string(),
            "[3 × string: \"<s>\", \"olá\", \"mundo\"]"
        );
        let t = &h.tensors[0];
        assert_eq!(
            (t.name.as_str(), t.shape(), t.ty.name()),
            ("w", vec![2, 3], "F32".into())
        );
        assert_eq!(h.data_start % 32, 0);
    }

    #[test]
    fn a_short_prefix_asks_for_more_and_every_prefix_of_enough_bytes_parses() {
        let bytes = small();
        let full = done(&bytes);
        let mut len = 16usize;
        let mut reads = 0;
        loop {
            reads += 1;
            match read_header(&bytes[..len], bytes.len() as u64).unwrap() {
                HeaderRead::Done(h) => {
                    assert_eq!(h, full);
                    break;
                }
                HeaderRead::NeedBytes(n) => {
                    assert!(n as usize > len && n as usize <= bytes.len());
                    len = n as usize;
                }
            }
        }
        assert!(reads <= 6, "{reads} reads");
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error_in_words_never_a_panic() {
        let bytes = small();
        // Every truncated file: an error that says truncated (or asks for bytes it lacks).
        for cut in 0..bytes.len() {
            let r = read_header(&bytes[..cut], cut as u64);
            let msg = r.unwrap_err().to_string();
            assert!(
                msg.contains("truncated") || msg.contains("magic") || msg.contains("can hold"),
                "{cut}: {msg}"
            );
        }
        // Every single-byte corruption: parsed or refused, never a panic.
        for i in 0..bytes.len() {
            for v in [0u8, 1, 0x7F, 0xFF] {
                let mut b = bytes.clone();
                b[i] = v;
                let _ = read_header(&b, b.len() as u64);
            }
        }
        let mut wrong = bytes.clone();
        wrong[0] = b'X';
        assert!(
            read_header(&wrong, wrong.len() as u64)
                .unwrap_err()
                .to_string()
                .contains("magic")
        );
        let mut v1 = bytes.clone();
        v1[4] = 1;
        assert!(
            read_header(&v1, v1.len() as u64)
                .unwrap_err()
                .to_string()
                .contains("version 1")
        );
        let mut be = bytes.clone();
        be[4..8].copy_from_slice(&3u32.to_be_bytes());
        assert!(
            read_header(&be, be.len() as u64)
                .unwrap_err()
                .to_string()
                .contains("big-endian")
        );
    }

    #[test]
    fn huge_counts_and_lengths_are_refused_before_allocating() {
        let mut b = MAGIC.to_vec();
        b.extend(3u32.to_le_bytes());
        b.extend(u64::MAX.to_le_bytes());
        b.extend(0u64.to_le_bytes());
        assert!(
            read_header(&b, b.len() as u64)
                .unwrap_err()
                .to_string()
                .contains("can hold")
        );
        // A string length past the end of the file.
        let mut b = MAGIC.to_vec();
        b.extend(3u32.to_le_bytes());
        b.extend(0u64.to_le_bytes());
        b.extend(1u64.to_le_bytes());
        b.extend((u64::MAX - 3).to_le_bytes());
        assert!(
            read_header(&b, b.len() as u64)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
    }

    #[test]
    fn tensors_that_do_not_fit_the_file_or_overlap_are_refused() {
        let q = vec![0u8; 18];
        // A Q4_0 row of 20 values is not whole blocks.
        let b = write(&[], &[("t", &[20], 2, q.clone())]);
        assert!(
            read_header(&b, b.len() as u64)
                .unwrap_err()
                .to_string()
                .contains("whole number")
        );
        // An unknown type.
        let b = write(&[], &[("t", &[32], 77, q.clone())]);
        assert!(
            read_header(&b, b.len() as u64)
                .unwrap_err()
                .to_string()
                .contains("unknown ggml type")
        );
        // Data cut short.
        let b = write(&[], &[("t", &[32], 2, q.clone())]);
        let cut = &b[..b.len() - 10];
        assert!(
            read_header(cut, cut.len() as u64)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
    }
}
