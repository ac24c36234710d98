//! The `.safetensors` header: `n` (u64 LE) | `n` bytes of JSON | data. Every rule of the
//! format (known dtypes, sizes matching shapes, offsets tiling the data in order) is checked
//! in `u64`, naming the tensor at fault.

use serde_json::Value;

use super::{ElementType, FileIndex, ST, TensorEntry, WeightFormat};
use crate::error::Result;
use crate::io::bad;

fn st_element(dtype: &str) -> Option<ElementType> {
    match dtype {
        "F32" => Some(ElementType::F32),
        "F16" => Some(ElementType::F16),
        "BF16" => Some(ElementType::Bf16),
        "F64" => Some(ElementType::F64),
        "I8" => Some(ElementType::I8),
        "U8" => Some(ElementType::U8),
        "F8_E4M3" => Some(ElementType::F8E4m3),
        "F8_E5M2" => Some(ElementType::F8E5m2),
        _ => None,
    }
}

/// Bits per element of every dtype the safetensors format names; `None` for a name it does
/// not know.
fn st_bits(dtype: &str) -> Option<u64> {
    Some(match dtype {
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "F8_E8M0" => 8,
        "I16" | "U16" | "F16" | "BF16" => 16,
        "I32" | "U32" | "F32" => 32,
        "I64" | "U64" | "F64" | "C64" => 64,
        _ => return None,
    })
}

pub(super) fn safetensors_index(head: &[u8], file_len: u64) -> Result<FileIndex> {
    let header_bytes = head.len() as u64;
    let text = std::str::from_utf8(head.get(8..).unwrap_or_default())
        .map_err(|_| bad(ST, "bad header: it is not UTF-8 text"))?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| bad(ST, format!("invalid header JSON: {e}")))?;
    let Value::Object(map) = &value else {
        return Err(bad(
            ST,
            "invalid header JSON: the header is not a JSON object",
        ));
    };
    // Our own checks first, so the message names the tensor.
    let mut entries = Vec::new();
    for (name, v) in map {
        if name == "__metadata__" {
            continue;
        }
        let dtype = v
            .get("dtype")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(ST, format!("bad header: tensor {name:?} has no dtype")))?;
        let shape: Vec<usize> = v
            .get("shape")
            .and_then(Value::as_array)
            .and_then(|a| {
                a.iter()
                    .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
                    .collect()
            })
            .ok_or_else(|| {
                bad(
                    ST,
                    format!("bad header: the shape of tensor {name:?} is not a list of sizes"),
                )
            })?;
        let offsets: Vec<u64> = v
            .get("data_offsets")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().map(Value::as_u64).collect())
            .filter(|o: &Vec<u64>| o.len() == 2)
            .ok_or_else(|| {
                bad(
                    ST,
                    format!("bad header: tensor {name:?} has no [begin, end] data_offsets"),
                )
            })?;
        let (begin, end) = (offsets[0], offsets[1]);
        let data_len = file_len.saturating_sub(header_bytes);
        if begin > end || end > data_len {
            return Err(bad(
                ST,
                format!(
                    "offsets out of range: tensor {name:?} claims bytes {begin}..{end} of a data \
                     section of {data_len} bytes"
                ),
            ));
        }
        let count = shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .ok_or_else(|| {
                bad(
                    ST,
                    format!("the shape {shape:?} of tensor {name:?} is too large"),
                )
            })?;
        let element = st_element(dtype);
        if let Some(el) = element {
            let need = el.bytes_for(count);
            if need != Some(end - begin) {
                return Err(bad(
                    ST,
                    format!(
                        "shape/data mismatch: tensor {name:?} of shape {shape:?} and dtype {dtype} \
                         needs {} bytes but its offsets span {}",
                        need.map(|n| n.to_string())
                            .unwrap_or_else(|| "too many".into()),
                        end - begin
                    ),
                ));
            }
        }
        entries.push(TensorEntry {
            name: name.clone(),
            dtype: dtype.to_string(),
            shape,
            count,
            begin: header_bytes + begin,
            end: header_bytes + end,
            element,
            big_endian: false,
            fortran: false,
            format: WeightFormat::Safetensors,
        });
    }
    // `__metadata__` from the JSON map, whose keys come sorted.
    let metadata = map
        .get("__metadata__")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), String::from),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // Then the format's own rules, in u64 (the `safetensors` crate checks them in `usize`
    // and in bits, which overflows on wasm32 for any tensor of 512 MiB or more, and cannot
    // describe a file past 4 GiB there): every dtype known, every size right, and the
    // offsets tiling the data exactly, in order.
    for (name, v) in map {
        if name == "__metadata__" {
            continue;
        }
        let dtype = v.get("dtype").and_then(Value::as_str).unwrap_or_default();
        let Some(bits) = st_bits(dtype) else {
            return Err(bad(
                ST,
                format!("unsupported or unknown dtype in the header: {dtype:?} of tensor {name:?}"),
            ));
        };
        let entry = entries.iter().find(|e| &e.name == name);
        if let Some(e) = entry.filter(|e| e.element.is_none()) {
            let need = (e.count as u128) * u128::from(bits);
            let span = u128::from(e.end - e.begin) * 8;
            if need != span {
                return Err(bad(
                    ST,
                    format!(
                        "shape/data mismatch: tensor {name:?} of shape {:?} and dtype {dtype} \
                         needs {} bits but its offsets span {span}",
                        e.shape, need
                    ),
                ));
            }
        }
    }
    entries.sort_unstable_by_key(|e| e.begin);
    let data_len = file_len.saturating_sub(header_bytes);
    let mut at = 0u64;
    for e in &entries {
        let (begin, end) = (e.begin - header_bytes, e.end - header_bytes);
        if begin != at {
            return Err(bad(
                ST,
                format!(
                    "bad header: tensor {:?} starts at byte {begin} of the data, not at {at} \
                     (offsets must tile the data, in order)",
                    e.name
                ),
            ));
        }
        at = end;
    }
    if at < data_len {
        return Err(bad(
            ST,
            format!(
                "{} bytes after the last tensor: the offsets cover {at} of {data_len} data bytes",
                data_len - at
            ),
        ));
    }
    entries.sort_unstable_by_key(|e| e.begin);
    Ok(FileIndex {
        format: WeightFormat::Safetensors,
        header_bytes,
        file_len,
        tensors: entries,
        metadata,
    })
}
