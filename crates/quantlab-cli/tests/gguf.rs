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

#[test]
fn bench_decode_times_a_gguf_tensor_and_writes_what_the_core_decodes() {
    let path = reference();
    let dir = std::env::temp_dir().join(format!("quantlab-gguf-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_npy = dir.join("decoded.npy");
    let (code, out, err) = quantlab(&[
        "bench",
        "--decode",
        "-s",
        "linear",
        "--input",
        path.to_str().unwrap(),
        "--tensor",
        "t.q4_k",
        "--repeat",
        "2",
        "--output",
        out_npy.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["path"], "decode");
    assert_eq!(doc["dtype"], "Q4_K");
    assert_eq!(doc["values"], 768);
    assert_eq!(doc["seconds"].as_array().unwrap().len(), 2);
    assert!(doc["median_s"].as_f64().unwrap() >= 0.0);
    // The .npy holds exactly the core's decoding of the tensor's bytes.
    let bytes = std::fs::read(&path).unwrap();
    let idx = quantlab_core::weights::file::index_in_memory("ref.gguf", &bytes).unwrap();
    let entry = idx.tensors.iter().find(|t| t.name == "t.q4_k").unwrap();
    let want = quantlab_core::weights::file::decode_whole(entry, &bytes).unwrap();
    let npy = std::fs::read(&out_npy).unwrap();
    let got = quantlab_core::io::read(&npy, quantlab_core::io::Format::Npy, None).unwrap();
    assert_eq!(got.shape, vec![3, 256]);
    assert!(
        got.data
            .iter()
            .zip(&want)
            .all(|(a, b)| a.to_bits() == b.to_bits())
            && got.data.len() == want.len()
    );
    // Not a GGUF file, or --decode with --reference: errors in words.
    let (code, _, err) = quantlab(&[
        "bench",
        "--decode",
        "-s",
        "linear",
        "--input",
        out_npy.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("not a GGUF file"), "{err}");
    let (code, _, _) = quantlab(&[
        "bench",
        "--decode",
        "--reference",
        "-s",
        "linear",
        "--input",
        path.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    std::fs::remove_dir_all(&dir).ok();
}
