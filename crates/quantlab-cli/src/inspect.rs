//! `quantlab inspect FILE`: a checkpoint's tensors and metadata from its header alone, and
//! reading one tensor of a `.gguf` file for `quantlab quantize`.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use quantlab_core::io::Tensor;
use quantlab_core::weights::file::{
    FileIndex, Indexed, PROBE_BYTES, TensorEntry, decode_whole, header_span, index_in_memory,
    index_or_more,
};
use quantlab_core::weights::gguf::MAGIC;
use serde_json::json;

use crate::text::num;

/// Whether `path` names a GGUF file or `bytes` start like one.
pub fn is_gguf(path: &str, bytes: &[u8]) -> bool {
    path.to_ascii_lowercase().ends_with(".gguf") || bytes.starts_with(MAGIC)
}

/// The tensor `name` of a GGUF file held in memory, decoded whole; without a name, the only
/// tensor quantlab decodes, else an error listing them.
pub fn gguf_tensor(path: &str, bytes: &[u8], name: Option<&str>) -> Result<Tensor, String> {
    let entry = gguf_entry(path, bytes, name)?;
    let data = decode_whole(&entry, bytes).map_err(|e| format!("{path}: {e}"))?;
    Tensor::new(entry.name.clone(), entry.shape.clone(), data).map_err(|e| e.to_string())
}

/// The entry of tensor `name` of a GGUF file held in memory (see [`gguf_tensor`]), for
/// [`decode_whole`].
pub fn gguf_entry(path: &str, bytes: &[u8], name: Option<&str>) -> Result<TensorEntry, String> {
    let idx = index_in_memory(path, bytes).map_err(|e| format!("{path}: {e}"))?;
    let entry = match name {
        Some(n) => idx.tensors.iter().find(|t| t.name == n).ok_or_else(|| {
            format!(
                "{path}: there is no tensor named {n:?}; it holds {}",
                listing(&idx)
            )
        })?,
        None => {
            let readable: Vec<_> = idx.tensors.iter().filter(|t| t.supported()).collect();
            match readable.as_slice() {
                [only] => *only,
                [] => return Err(format!("{path}: it holds no tensor quantlab decodes")),
                _ => {
                    return Err(format!(
                        "{path}: it holds {} tensors, name the one to read with --tensor: {}",
                        idx.tensors.len(),
                        listing(&idx)
                    ));
                }
            }
        }
    };
    Ok(entry.clone())
}

/// `a [2, 3] Q4_K, b [4] F32, …` (the first twelve, then how many more).
fn listing(idx: &FileIndex) -> String {
    let mut parts: Vec<String> = idx
        .tensors
        .iter()
        .take(12)
        .map(|t| format!("{} {:?} {}", t.name, t.shape, t.dtype))
        .collect();
    if idx.tensors.len() > 12 {
        parts.push(format!("… and {} more", idx.tensors.len() - 12));
    }
    parts.join(", ")
}

/// Reads the index of the file at `path` from its first bytes only (longer reads only when
/// the header asks for them).
fn read_index(path: &Path) -> Result<FileIndex, String> {
    let shown = path.display();
    let mut f = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let len = f
        .metadata()
        .map_err(|e| format!("cannot read {shown}: {e}"))?
        .len();
    let read = |f: &mut std::fs::File, n: u64| -> Result<Vec<u8>, String> {
        let mut buf = Vec::new();
        f.seek(SeekFrom::Start(0))
            .and_then(|_| f.take(n).read_to_end(&mut buf))
            .map_err(|e| format!("cannot read {shown}: {e}"))?;
        Ok(buf)
    };
    let name = path.to_string_lossy();
    let probe = read(&mut f, PROBE_BYTES as u64)?;
    let (format, mut span) =
        header_span(&name, &probe, len).map_err(|e| format!("{shown}: {e}"))?;
    loop {
        let head = read(&mut f, span)?;
        match index_or_more(format, &head, len).map_err(|e| format!("{shown}: {e}"))? {
            Indexed::Done(i) => return Ok(i),
            Indexed::NeedBytes(n) => span = n,
        }
    }
}

/// `quantlab inspect`.
pub fn inspect(path: &Path, as_json: bool) -> Result<String, String> {
    let idx = read_index(path)?;
    let bpw = |bytes: u64, count: usize| {
        if count == 0 {
            0.0
        } else {
            bytes as f64 * 8.0 / count as f64
        }
    };
    let weights: usize = idx.tensors.iter().map(|t| t.count).sum();
    let data: u64 = idx.tensors.iter().map(|t| t.bytes()).sum();
    if as_json {
        let tensors: Vec<_> = idx
            .tensors
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "dtype": t.dtype,
                    "shape": t.shape,
                    "values": t.count,
                    "bytes": t.bytes(),
                    "offset": t.begin,
                    "bits_per_weight": bpw(t.bytes(), t.count),
                    "decoded": t.supported(),
                })
            })
            .collect();
        let metadata: serde_json::Map<String, serde_json::Value> = idx
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        let doc = json!({
            "path": path.display().to_string(),
            "format": idx.format.extension().trim_start_matches('.'),
            "file_bytes": idx.file_len,
            "header_bytes": idx.header_bytes,
            "values": weights,
            "bits_per_weight": bpw(data, weights),
            "metadata": metadata,
            "tensors": tensors,
        });
        let mut s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        s.push('\n');
        return Ok(s);
    }
    let mut out = format!(
        "{}: {} file, {} bytes ({} of header), {} tensors, {} values, {} bits per weight\n",
        path.display(),
        idx.format.extension(),
        idx.file_len,
        idx.header_bytes,
        idx.tensors.len(),
        weights,
        num(bpw(data, weights)),
    );
    if !idx.metadata.is_empty() {
        out.push_str("\nmetadata\n");
        for (k, v) in &idx.metadata {
            out.push_str(&format!("  {k} = {v}\n"));
        }
    }
    out.push_str("\ntensors (name, type, shape, bytes, bits per weight; * = not decoded)\n");
    let width = idx
        .tensors
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(0);
    for t in &idx.tensors {
        out.push_str(&format!(
            "  {:width$}  {:8} {:20} {:>12}  {}{}\n",
            t.name,
            t.dtype,
            format!("{:?}", t.shape),
            t.bytes(),
            num(bpw(t.bytes(), t.count)),
            if t.supported() { "" } else { " *" },
        ));
    }
    Ok(out)
}
