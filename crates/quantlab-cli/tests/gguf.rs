//! `quantlab inspect` and `quantlab quantize` on a GGUF file (the reference file that
//! `gguf`, llama.cpp's Python package, wrote: `scripts/ref-vectors-gguf.sh`).

#![cfg(not(target_arch = "wasm32"))] // runs the native binary
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../quantlab-core/tests/data/ref.gguf")
}

fn quantlab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_quantlab"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn inspect_lists_every_tensor_with_its_type_size_and_bits_per_weight() {
    let path = reference();
    let (code, out, err) = quantlab(&["inspect", path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["format"], "gguf");
    let tensors = doc["tensors"].as_array().unwrap();
    assert_eq!(tensors.len(), 20);
    let by_name = |n: &str| tensors.iter().find(|t| t["name"] == n).unwrap().clone();
    let q4k = by_name("t.q4_k");
    assert_eq!(q4k["dtype"], "Q4_K");
    assert_eq!(q4k["shape"], serde_json::json!([3, 256]));
    assert_eq!(q4k["bytes"], 3 * 144);
    assert_eq!(q4k["bits_per_weight"], 4.5);
    assert_eq!(by_name("t.iq2_xxs")["decoded"], false);
    assert_eq!(doc["metadata"]["general.architecture"], "\"llama\"");
    // The text form names the same tensors.
    let (code, text, _) = quantlab(&["inspect", path.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(text.contains("t.q6_k") && text.contains("6.5625"), "{text}");
}

#[test]
fn a_gguf_tensor_is_requantized_with_another_scheme() {
    let path = reference();
    let (code, out, err) = quantlab(&[
        "quantize",
        "--scheme",
        "linear",
        "--bits",
        "8",
        "--input",
        path.to_str().unwrap(),
        "--tensor",
        "t.q4_k",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["input"]["format"], "gguf");
    assert_eq!(doc["input"]["shape"], serde_json::json!([3, 256]));
    assert!(doc["metrics"]["snr_db"].as_f64().unwrap() > 30.0, "{out}");
}

#[test]
fn without_a_tensor_name_the_error_lists_them_and_bad_files_are_one_line() {
    let path = reference();
    let (code, out, err) = quantlab(&[
        "quantize",
        "--scheme",
        "nf4",
        "--input",
        path.to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.contains("--tensor") && err.contains("t.q8_0 [3, 256] Q8_0"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    let (code, _, err) = quantlab(&[
        "quantize",
        "--scheme",
        "nf4",
        "--input",
        path.to_str().unwrap(),
        "--tensor",
        "t.iq2_xxs",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("IQ2_XXS"), "{err}");
    // A truncated copy.
    let dir = std::env::temp_dir().join(format!("quantlab-gguf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cut = dir.join("cut.gguf");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (code, _, err) = quantlab(&["inspect", cut.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("quantlab: error:") && err.contains("truncated"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
