//! `quantlab quantize --all`: every tensor of a checkpoint on a pool of threads.

#![cfg(not(target_arch = "wasm32"))] // runs the native binary
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

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

fn json(args: &[&str]) -> Value {
    let (code, out, err) = quantlab(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("valid JSON")
}

/// A safetensors file of five F32 tensors of different shapes and one BOOL tensor, with
/// seeded values and an outlier in one of them.
fn checkpoint(dir: &std::path::Path) -> PathBuf {
    let shapes: [(&str, Vec<usize>); 5] = [
        ("a.weight", vec![64, 256]),
        ("a.bias", vec![64]),
        ("b.weight", vec![128, 128]),
        ("c.weight", vec![32, 512]),
        ("d.weight", vec![256]),
    ];
    let mut header = serde_json::Map::new();
    let mut data: Vec<u8> = Vec::new();
    let mut state = 0x2545_f491_u32;
    for (k, (name, shape)) in shapes.iter().enumerate() {
        let n: usize = shape.iter().product();
        let begin = data.len();
        for i in 0..n {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let u = (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
            let v = if k == 2 && i == 77 {
                40.0
            } else {
                u * (k + 1) as f32
            };
            data.extend(v.to_le_bytes());
        }
        header.insert(
            (*name).into(),
            serde_json::json!({"dtype": "F32", "shape": shape, "data_offsets": [begin, data.len()]}),
        );
    }
    let begin = data.len();
    data.extend([1u8, 0, 1, 1]);
    header.insert(
        "ids".into(),
        serde_json::json!({"dtype": "BOOL", "shape": [4], "data_offsets": [begin, data.len()]}),
    );
    let header = serde_json::to_string(&header).unwrap();
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend(header.as_bytes());
    out.extend(data);
    let p = dir.join("model.safetensors");
    std::fs::write(&p, out).unwrap();
    p
}

#[test]
fn every_tensor_is_quantized_and_the_results_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let p = checkpoint(dir.path());
    let p = p.to_str().unwrap();
    let scheme = [
        "-s",
        "linear",
        "-b",
        "4",
        "--granularity",
        "group",
        "--group-size",
        "64",
    ];
    let run = |threads: &str| {
        let mut args = vec!["quantize", "-i", p, "--all", "--json", "--threads", threads];
        args.extend(scheme);
        json(&args)
    };
    let (mut one, mut two) = (run("1"), run("2"));
    assert_eq!(one["threads"], 1);
    assert_eq!(two["threads"], 2);
    one["threads"] = Value::Null;
    two["threads"] = Value::Null;
    assert_eq!(one, two, "the output differs between 1 and 2 threads");

    let tensors = one["tensors"].as_array().unwrap();
    assert_eq!(tensors.len(), 6);
    // Each tensor's figures are those of a single-tensor run.
    let mut values = 0;
    for t in tensors.iter().filter(|t| t.get("metrics").is_some()) {
        let name = t["name"].as_str().unwrap();
        let mut args = vec!["quantize", "-i", p, "--tensor", name, "--json"];
        args.extend(scheme);
        let single = json(&args);
        assert_eq!(t["metrics"]["mse"], single["metrics"]["mse"], "{name}");
        assert_eq!(
            t["metrics"]["snr_db"], single["metrics"]["snr_db"],
            "{name}"
        );
        assert_eq!(
            t["metrics"]["bits_per_weight"], single["metrics"]["bits_per_weight"],
            "{name}"
        );
        values += t["metrics"]["values"].as_u64().unwrap();
    }
    // A boolean mask holds no weights: skipped, with the reason.
    let ids = tensors.iter().find(|t| t["name"] == "ids").unwrap();
    assert!(ids["metrics"].is_null());
    assert!(ids["skipped"].as_str().unwrap().contains("BOOL"), "{ids}");

    // The totals are the tensors' sums: values, and the SNR of Σx² over Σe².
    let total = &one["total"];
    assert_eq!(total["values"].as_u64().unwrap(), values);
    assert_eq!(values, 64 * 256 + 64 + 128 * 128 + 32 * 512 + 256);
    let (mut signal, mut noise) = (0.0f64, 0.0f64);
    for t in tensors.iter().filter(|t| t.get("metrics").is_some()) {
        let m = &t["metrics"];
        let n = m["values"].as_f64().unwrap();
        let mse = m["mse"].as_f64().unwrap();
        let snr = m["snr_db"].as_f64().unwrap();
        noise += mse * n;
        signal += mse * n * 10f64.powf(snr / 10.0);
    }
    let snr = total["snr_db"].as_f64().unwrap();
    assert!(
        (snr - 10.0 * (signal / noise).log10()).abs() < 1e-6,
        "{snr}"
    );
    let bpw = total["bits_per_weight"].as_f64().unwrap();
    assert!(bpw > 4.0 && bpw < 5.0, "int4 g64 with its scales: {bpw}");
}

#[test]
fn the_text_report_lists_each_tensor_and_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let p = checkpoint(dir.path());
    let (code, out, err) = quantlab(&[
        "quantize",
        "-i",
        p.to_str().unwrap(),
        "--all",
        "--threads",
        "2",
        "-s",
        "nf4",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("5 of 6 tensors quantized on 2 threads"),
        "{out}"
    );
    for name in [
        "a.weight", "a.bias", "b.weight", "c.weight", "d.weight", "total",
    ] {
        assert!(out.lines().any(|l| l.starts_with(name)), "{name} in {out}");
    }
    assert!(out.contains("skipped: BOOL"), "{out}");
}

#[test]
fn a_gguf_checkpoint_is_quantized_whole() {
    let gguf =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../quantlab-core/tests/data/ref.gguf");
    let doc = json(&[
        "quantize",
        "-i",
        gguf.to_str().unwrap(),
        "--all",
        "--json",
        "-s",
        "linear",
        "-b",
        "8",
    ]);
    let tensors = doc["tensors"].as_array().unwrap();
    assert_eq!(tensors.len(), 20);
    let studied = tensors
        .iter()
        .filter(|t| t.get("metrics").is_some())
        .count();
    assert!(studied >= 18, "{doc}");
    assert!(doc["total"]["snr_db"].as_f64().unwrap() > 30.0, "{doc}");
}

#[test]
fn all_refuses_a_tensor_name_an_output_and_zero_threads() {
    let dir = tempfile::tempdir().unwrap();
    let p = checkpoint(dir.path());
    let p = p.to_str().unwrap();
    for extra in [
        vec!["--all", "--tensor", "a.weight"],
        vec!["--all", "--output", "x.npy"],
        vec!["--all", "--threads", "0"],
        vec!["--threads", "2"],
    ] {
        let mut args = vec!["quantize", "-i", p, "-s", "nf4"];
        args.extend(extra.iter().copied());
        let (code, out, err) = quantlab(&args);
        assert_eq!(code, 2, "{extra:?}: {out} {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!err.contains("panicked"));
    }
}
