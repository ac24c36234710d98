//! quantlab's GGUF reader against `gguf`, llama.cpp's Python package, without Python:
//! `tests/data/ref.gguf` was written by `gguf.GGUFWriter` and `tests/data/gguf_ref.json`
//! records what `gguf.GGUFReader` reads from it (`scripts/ref-vectors-gguf.sh`).
//!
//! - The header, read in growing slices from a 64-byte first read, lists every tensor with
//!   gguf's type, shape, element count, byte count and data offset, and every metadata key.
//! - Every tensor of a type quantlab decodes gives gguf's dequantized `f32` values, bit for
//!   bit; the other types are listed and refused in words.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use quantlab_core::weights::file::{
    FileIndex, Indexed, WeightFormat, decode, header_span, index_or_more,
};
use serde_json::Value;

const FILE: &[u8] = include_bytes!("data/ref.gguf");
const REFERENCE: &str = include_str!("data/gguf_ref.json");

fn reference() -> Value {
    serde_json::from_str(REFERENCE).unwrap()
}

/// Reads the index the way the page does: a first read, then longer ones when asked.
fn read_index(first: u64) -> (FileIndex, usize) {
    let len = FILE.len() as u64;
    let (format, _) = header_span("ref.gguf", &FILE[..16], len).unwrap();
    assert_eq!(format, WeightFormat::Gguf);
    let mut span = first.min(len);
    let mut reads = 0;
    loop {
        reads += 1;
        match index_or_more(format, &FILE[..span as usize], len).unwrap() {
            Indexed::Done(i) => return (i, reads),
            Indexed::NeedBytes(n) => {
                assert!(n > span && n <= len, "asked for {n} after {span}");
                span = n;
            }
        }
    }
}

#[test]
fn the_reference_file_is_the_one_the_vectors_describe() {
    let r = reference();
    assert_eq!(r["file_bytes"].as_u64().unwrap(), FILE.len() as u64);
}

#[test]
fn every_tensor_is_listed_as_gguf_lists_it() {
    let r = reference();
    let (idx, reads) = read_index(64);
    assert!(reads > 1 && reads < 12, "{reads} reads");
    assert_eq!(idx.header_bytes, r["data_offset"].as_u64().unwrap());
    let want = r["tensors"].as_array().unwrap();
    assert_eq!(idx.tensors.len(), want.len());
    for (t, w) in idx.tensors.iter().zip(want) {
        let ne: Vec<usize> = w["ne"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let shape: Vec<usize> = ne.iter().rev().copied().collect();
        assert_eq!(t.name, w["name"].as_str().unwrap());
        assert_eq!(t.dtype, w["type"].as_str().unwrap(), "{}", t.name);
        assert_eq!(t.shape, shape, "{}", t.name);
        assert_eq!(
            t.count as u64,
            w["n_elements"].as_u64().unwrap(),
            "{}",
            t.name
        );
        assert_eq!(t.bytes(), w["n_bytes"].as_u64().unwrap(), "{}", t.name);
        assert_eq!(t.begin, w["data_offset"].as_u64().unwrap(), "{}", t.name);
        assert_eq!(t.supported(), w.get("values_f32").is_some(), "{}", t.name);
    }
    // The same index from one read of the whole header.
    assert_eq!(read_index(FILE.len() as u64).0, idx);
}

#[test]
fn every_metadata_key_is_read_with_its_value() {
    let r = reference();
    let (idx, _) = read_index(1 << 20);
    let want = r["metadata"].as_array().unwrap();
    let keys: Vec<&str> = idx.metadata.iter().map(|(k, _)| k.as_str()).collect();
    let want_keys: Vec<&str> = want.iter().map(|w| w["key"].as_str().unwrap()).collect();
    assert_eq!(keys, want_keys);
    for ((k, shown), w) in idx.metadata.iter().zip(want) {
        let types: Vec<&str> = w["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        match types.as_slice() {
            ["STRING"] => {
                let v = w["value"].as_str().unwrap();
                let kept: String = v.chars().take(200).collect();
                assert!(
                    shown.starts_with(&format!("{kept:?}")[..kept.len()]),
                    "{k}: {shown}"
                );
                if v.len() > 200 {
                    assert!(
                        shown.ends_with(&format!("… ({} bytes)", v.len())),
                        "{k}: {shown}"
                    );
                }
            }
            ["ARRAY", _] => {
                let len = w["len"].as_u64().unwrap();
                assert!(shown.starts_with(&format!("[{len} × ")), "{k}: {shown}");
                for v in w["head"].as_array().unwrap() {
                    let item = match v {
                        Value::String(s) => format!("{s:?}"),
                        other => other.to_string(),
                    };
                    assert!(shown.contains(&item), "{k}: {shown} lacks {item}");
                }
            }
            ["FLOAT32" | "FLOAT64"] => {
                let v = w["value"].as_f64().unwrap();
                assert_eq!(shown.parse::<f64>().unwrap(), v, "{k}");
            }
            _ => assert_eq!(shown, &w["value"].to_string(), "{k}"),
        }
    }
}

#[test]
fn every_decoded_tensor_equals_ggufs_values_bit_for_bit() {
    let r = reference();
    let (idx, _) = read_index(1 << 20);
    let mut decoded = 0;
    for (t, w) in idx.tensors.iter().zip(r["tensors"].as_array().unwrap()) {
        let ((a, b), shape) = t.window().unwrap_or_else(|e| {
            assert!(w.get("values_f32").is_none(), "{}: {e}", t.name);
            assert!(e.to_string().contains("does not read"), "{}: {e}", t.name);
            ((0, 0), vec![])
        });
        let Some(values) = w.get("values_f32") else {
            continue;
        };
        let got = decode(t, &shape, &FILE[a as usize..b as usize]).unwrap();
        let want: Vec<u32> = base64::engine::general_purpose::STANDARD
            .decode(values.as_str().unwrap())
            .unwrap()
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let got: Vec<u32> = got.iter().map(|v| v.to_bits()).collect();
        assert_eq!(got.len(), want.len(), "{}", t.name);
        let diff = got.iter().zip(&want).position(|(g, w)| g != w);
        assert_eq!(diff, None, "{}: first differing value", t.name);
        decoded += 1;
    }
    assert_eq!(decoded, 18);
}

#[test]
fn a_corrupted_tensor_table_is_refused_in_words() {
    // The type of the first tensor (after its name, n_dims and three dimensions) set to an
    // id ggml does not define.
    let (idx, _) = read_index(1 << 20);
    let first = &idx.tensors[0];
    let needle = first.name.as_bytes();
    let at = FILE
        .windows(needle.len())
        .rposition(|w| w == needle)
        .unwrap();
    let ty_at = at + needle.len() + 4 + 8 * first.shape.len();
    let mut bad = FILE.to_vec();
    bad[ty_at..ty_at + 4].copy_from_slice(&99u32.to_le_bytes());
    let msg = index_or_more(WeightFormat::Gguf, &bad, bad.len() as u64)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("unknown ggml type 99"), "{msg}");
}
