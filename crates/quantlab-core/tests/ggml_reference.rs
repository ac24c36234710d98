//! quantlab's ggml blocks against `gguf`, llama.cpp's Python package, without Python: the
//! vectors in `tests/data/ggml_ref.json` were written by `scripts/ref-vectors-ggml.sh`
//! (`scripts/ref_ggml.py`), which also records which types the installed `gguf` can
//! quantize and which it can only dequantize.
//!
//! - Where `gguf` quantizes, quantlab's bytes equal its bytes.
//! - Every block `gguf` dequantizes — random bytes independent of quantlab, and the bytes
//!   quantlab wrote for the same inputs — quantlab decodes to the same `f32` bits.
//!
//! `gguf` cannot quantize IQ4_NL, the K-quants or Q8_K, so `tests/data/ggml_c_ref.json`
//! holds the bytes ggml's own C reference quantizers write for the same inputs
//! (`scripts/ref-vectors-ggml-c.sh`, built without fused multiply-add), and quantlab's bytes
//! must equal those too.
//!
//! To regenerate after a deliberate change: `scripts/ref-vectors-ggml.sh`, then
//! `scripts/ref-vectors-ggml-c.sh GGML_DIR`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use quantlab_core::ggml::{BlockIq4Nl, GgmlBlock, GgmlType, dequantize_row, quantize_row};
use serde_json::Value;

const VECTORS: &str = include_str!("data/ggml_ref.json");
const C_VECTORS: &str = include_str!("data/ggml_c_ref.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap())
        .unwrap()
}

fn f32s(v: &Value) -> Vec<f32> {
    unb64(v)
        .chunks(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn ty(v: &Value) -> GgmlType {
    let name = v.as_str().unwrap();
    *GgmlType::ALL
        .iter()
        .find(|t| t.name() == name)
        .unwrap_or_else(|| panic!("unknown type {name}"))
}

fn input(all: &Value, case: &str) -> Vec<f32> {
    f32s(&all["inputs"][case])
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The first differing block, for the failure message.
fn first_diff(ty: GgmlType, ours: &[u8], theirs: &[u8]) -> String {
    let size = ty.block_bytes();
    let k = ours
        .chunks(size)
        .zip(theirs.chunks(size))
        .position(|(a, b)| a != b)
        .unwrap_or(0);
    format!(
        "block {k}:\n quantlab {:02x?}\n gguf     {:02x?}",
        ours.chunks(size).nth(k),
        theirs.chunks(size).nth(k)
    )
}

#[test]
fn the_vectors_cover_every_type_and_say_what_gguf_can_do() {
    let v = vectors();
    let mut all: Vec<String> = names(&v["quantizes"]);
    all.extend(names(&v["dequantizes_only"]));
    all.extend(names(&v["neither"]));
    all.sort();
    let mut ours: Vec<String> = GgmlType::ALL.iter().map(|t| t.name().to_string()).collect();
    ours.sort();
    assert_eq!(all, ours);
    // gguf 0.19 quantizes the 32-value legacy blocks only and has no Q8_K at all.
    assert_eq!(
        names(&v["quantizes"]),
        ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"]
    );
    assert_eq!(names(&v["neither"]), ["Q8_K"]);
}

#[test]
fn quantlab_writes_gguf_s_bytes_for_every_type_gguf_quantizes() {
    let v = vectors();
    let cases = v["quantize"].as_array().unwrap();
    assert!(cases.len() >= 50, "{}", cases.len());
    for e in cases {
        let (t, case) = (ty(&e["type"]), e["input"].as_str().unwrap());
        let ours = quantize_row(t, &input(&v, case)).unwrap();
        let theirs = unb64(&e["bytes"]);
        assert!(
            ours == theirs,
            "{} on {case}: {}",
            t.name(),
            first_diff(t, &ours, &theirs)
        );
    }
}

#[test]
fn quantlab_decodes_every_block_to_gguf_s_values_bit_for_bit() {
    let v = vectors();
    let cases = v["dequantize"].as_array().unwrap();
    let mut random = 0;
    let mut from_quantlab = 0;
    for e in cases {
        let t = ty(&e["type"]);
        let source = e["source"].as_str().unwrap();
        let bytes = unb64(&e["bytes"]);
        let want = f32s(&e["values"]);
        let got = dequantize_row(t, &bytes, want.len()).unwrap();
        assert_eq!(got.len(), want.len());
        for (i, (a, b)) in got.iter().zip(&want).enumerate() {
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{} {source} value {i}: quantlab {a:e}, gguf {b:e}",
                t.name()
            );
        }
        if source == "random" {
            random += 1;
        } else {
            from_quantlab += 1;
        }
    }
    // Every type gguf reads has random blocks and quantlab's own bytes for every input.
    let readable = names(&v["quantizes"]).len() + names(&v["dequantizes_only"]).len();
    assert_eq!(random, readable);
    let inputs = v["inputs"].as_object().unwrap().len();
    assert_eq!(from_quantlab, readable * inputs);
}

#[test]
fn the_recorded_quantlab_bytes_are_what_quantlab_writes_today() {
    let v = vectors();
    for e in v["dequantize"].as_array().unwrap() {
        let Some(case) = e["source"].as_str().unwrap().strip_prefix("quantlab:") else {
            continue;
        };
        let t = ty(&e["type"]);
        let ours = quantize_row(t, &input(&v, case)).unwrap();
        let recorded = unb64(&e["bytes"]);
        assert!(
            ours == recorded,
            "{} on {case}: {}",
            t.name(),
            first_diff(t, &ours, &recorded)
        );
    }
}

#[test]
fn quantlab_writes_ggml_s_own_c_reference_bytes_for_every_type() {
    let v = vectors();
    let c: Value = serde_json::from_str(C_VECTORS).unwrap();
    let rows = c["quantize"].as_array().unwrap();
    let mut types = std::collections::BTreeSet::new();
    for e in rows {
        let name = e["type"].as_str().unwrap();
        let case = e["input"].as_str().unwrap();
        let x = input(&v, case);
        let theirs = unb64(&e["bytes"]);
        if name == "IQ4_NL_REF" {
            // ggml's quantize_row_iq4_nl_ref leaves the indices of an all-zero block
            // uninitialised (its scale is 0, so they decode to 0 whatever they are);
            // quantlab writes index 8 there. Every other block must match.
            for (k, block) in x.chunks(32).enumerate() {
                let ours = BlockIq4Nl::quantize_ref(block).unwrap().to_bytes();
                let want = &theirs[18 * k..18 * k + 18];
                let zero = block.iter().all(|&v| v == 0.0);
                let same = if zero {
                    ours[..2] == want[..2]
                } else {
                    ours == want
                };
                assert!(
                    same,
                    "IQ4_NL_REF on {case}, block {k}: {ours:02x?} vs {want:02x?}"
                );
            }
        } else {
            let t = ty(&e["type"]);
            let ours = quantize_row(t, &x).unwrap();
            assert!(
                ours == theirs,
                "{name} on {case}: {}",
                first_diff(t, &ours, &theirs)
            );
        }
        types.insert(name.to_string());
    }
    // Every type (and IQ4_NL's reference-only mode) on every input.
    assert_eq!(types.len(), GgmlType::ALL.len() + 1);
    assert_eq!(
        rows.len(),
        types.len() * v["inputs"].as_object().unwrap().len()
    );
}

/// Writes quantlab's bytes for every type and input to `$QUANTLAB_GGML_BYTES` (run by
/// `scripts/ref-vectors-ggml.sh`, which then has `gguf` decode them).
#[test]
#[ignore]
fn write_quantlab_bytes() {
    let path = std::env::var("QUANTLAB_GGML_BYTES").expect("set QUANTLAB_GGML_BYTES");
    let inputs_path = std::env::var("QUANTLAB_GGML_INPUTS").expect("set QUANTLAB_GGML_INPUTS");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(inputs_path).unwrap()).unwrap();
    let mut rows = Vec::new();
    for t in GgmlType::ALL {
        for (case, x) in v["inputs"].as_object().unwrap() {
            let bytes = quantize_row(t, &f32s(x)).unwrap();
            rows.push(serde_json::json!({
                "type": t.name(),
                "input": case,
                "bytes": base64::engine::general_purpose::STANDARD.encode(bytes),
            }));
        }
    }
    // IQ4_NL without the scale search (ggml's `quantize_row_iq4_nl_ref`), for cross-checks
    // against ggml itself; gguf cannot quantize it, so the Python step skips these rows.
    for (case, x) in v["inputs"].as_object().unwrap() {
        let x = f32s(x);
        let mut bytes = Vec::new();
        for block in x.chunks(32) {
            bytes.extend(BlockIq4Nl::quantize_ref(block).unwrap().to_bytes());
        }
        rows.push(serde_json::json!({
            "type": "IQ4_NL_REF",
            "input": case,
            "bytes": base64::engine::general_purpose::STANDARD.encode(bytes),
        }));
    }
    let out = serde_json::json!({ "rows": rows });
    std::fs::write(path, serde_json::to_string(&out).unwrap()).unwrap();
}
