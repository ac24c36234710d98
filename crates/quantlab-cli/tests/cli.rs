//! Runs the `quantlab` binary on small files written to a temporary directory.

#![cfg(not(target_arch = "wasm32"))] // runs the native binary
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

use quantlab_core::{Mode, Scheme, SchemeKind};
use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn quantlab(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_quantlab"))
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout).expect("valid JSON")
}

/// Asserts a failure: the exit code, nothing on stdout, one `quantlab: error:` line.
fn assert_one_line_error(run: &Run, code: i32, needle: &str) {
    assert_eq!(
        run.code, code,
        "stdout: {} stderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert_eq!(run.stderr.lines().count(), 1, "stderr: {}", run.stderr);
    assert!(
        run.stderr.starts_with("quantlab: error: "),
        "stderr: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(needle),
        "{needle:?} not in {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// A seeded, smooth test signal.
fn signal(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let t = i as f32;
            (t * 0.071).sin() * 1.3 + (t * 0.31).cos() * 0.4 - 0.1
        })
        .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write a test file");
    p
}

fn npy_file(dir: &Path, name: &str, shape: &[usize], data: &[f32]) -> PathBuf {
    let bytes = quantlab_core::io::npy::write(shape, data).expect("npy bytes");
    write(dir, name, &bytes)
}

/// A 16-bit PCM WAVE file with `channels` interleaved channels.
fn wav_bytes(channels: u16, samples: &[i16]) -> Vec<u8> {
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let rate = 8000u32;
    let block = channels * 2;
    let mut out = Vec::new();
    out.extend(b"RIFF");
    out.extend((36 + data.len() as u32).to_le_bytes());
    out.extend(b"WAVEfmt ");
    out.extend(16u32.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(channels.to_le_bytes());
    out.extend(rate.to_le_bytes());
    out.extend((rate * u32::from(block)).to_le_bytes());
    out.extend(block.to_le_bytes());
    out.extend(16u16.to_le_bytes());
    out.extend(b"data");
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(data);
    out
}

/// A safetensors file holding `w` (F32 [4, 8]) and `b` (BF16 [8]).
fn safetensors_bytes() -> Vec<u8> {
    let w = signal(32);
    let mut data: Vec<u8> = w.iter().flat_map(|x| x.to_le_bytes()).collect();
    for i in 0..8 {
        data.extend(half::bf16::from_f32(i as f32 * 0.25 - 1.0).to_le_bytes());
    }
    let header = r#"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[4,8],"data_offsets":[0,128]},"b":{"dtype":"BF16","shape":[8],"data_offsets":[128,144]}}"#;
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

#[test]
fn quantizing_an_npy_file_prints_every_metric_as_aligned_text() {
    let dir = tempfile::tempdir().unwrap();
    let p = npy_file(dir.path(), "x.npy", &[16, 32], &signal(512));
    let run = quantlab(&[
        "quantize",
        "--scheme",
        "linear",
        "--bits",
        "4",
        "--mode",
        "sym",
        "--input",
        path_str(&p),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty());
    for key in [
        "mse",
        "snr_db",
        "max_abs_error",
        "bits_per_weight",
        "levels",
        "scale_min",
        "zero_point_max",
    ] {
        assert!(
            run.stdout.lines().any(|l| l.starts_with(key)),
            "{key} missing:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout.contains("[16, 32], 512 values"),
        "{}",
        run.stdout
    );
    // Values are aligned in one column.
    let columns: Vec<usize> = run
        .stdout
        .lines()
        .map(|l| {
            l.find("  ")
                .map(|i| i + l[i..].len() - l[i..].trim_start().len())
        })
        .map(Option::unwrap)
        .collect();
    assert!(columns.windows(2).all(|w| w[0] == w[1]), "{}", run.stdout);
}

#[test]
fn json_output_parses_and_matches_the_core_library() {
    let dir = tempfile::tempdir().unwrap();
    let x = signal(1000);
    let p = npy_file(dir.path(), "x.npy", &[10, 100], &x);
    let doc = json(&quantlab(&[
        "quantize",
        "-s",
        "linear",
        "-b",
        "8",
        "--mode",
        "sym",
        "--granularity",
        "channel",
        "-i",
        path_str(&p),
        "--json",
    ]));
    let scheme = Scheme {
        scheme: SchemeKind::Linear,
        bits: 8,
        mode: Mode::Sym,
        granularity: quantlab_core::quantizer::GranularityKind::Channel,
        ..Scheme::default()
    };
    let q = scheme.fit(&x, &[10, 100]).unwrap();
    let y = q.quantize_dequantize(&x).unwrap();
    let m = &doc["metrics"];
    assert_eq!(
        m["mse"].as_f64().unwrap(),
        quantlab_core::metrics::mse(&x, &y)
    );
    assert_eq!(
        m["snr_db"].as_f64().unwrap(),
        quantlab_core::metrics::snr_db(&x, &y)
    );
    assert_eq!(
        m["max_abs_error"].as_f64().unwrap(),
        quantlab_core::metrics::max_abs_error(&x, &y)
    );
    // 8 bits plus one f32 scale per row of 100 values.
    assert!((m["bits_per_weight"].as_f64().unwrap() - (8.0 + 32.0 / 100.0)).abs() < 1e-12);
    assert_eq!(m["levels"].as_u64(), Some(256));
    assert_eq!(m["code_bits"].as_u64(), Some(8));
    assert_eq!(doc["parameters"]["groups"].as_u64(), Some(10));
    assert_eq!(doc["parameters"]["zero_point_max"].as_f64(), Some(0.0));
    assert_eq!(doc["input"]["shape"], serde_json::json!([10, 100]));
    assert_eq!(doc["input"]["format"], "npy");
    // The scheme is the same JSON the web app puts in its URL.
    let back: Scheme = serde_json::from_value(doc["scheme"].clone()).unwrap();
    assert_eq!(back, scheme);
    assert_eq!(doc["output"], Value::Null);
}

#[test]
fn an_exact_reconstruction_reports_zero_error_and_a_null_snr() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "levels.csv", b"0, 1, 2, 3\n");
    let doc = json(&quantlab(&[
        "quantize",
        "-s",
        "linear",
        "-b",
        "2",
        "--mode",
        "asym-float",
        "-i",
        path_str(&p),
        "--json",
    ]));
    assert_eq!(doc["metrics"]["mse"].as_f64(), Some(0.0));
    assert_eq!(doc["metrics"]["snr_db"], Value::Null);
    let text = quantlab(&[
        "quantize",
        "-s",
        "linear",
        "-b",
        "2",
        "--mode",
        "asym-float",
        "-i",
        path_str(&p),
    ]);
    assert!(
        text.stdout
            .lines()
            .any(|l| l.starts_with("snr_db") && l.ends_with("inf")),
        "{}",
        text.stdout
    );
}

#[test]
fn output_writes_the_dequantized_tensor_as_npy_with_the_input_shape() {
    let dir = tempfile::tempdir().unwrap();
    let x = signal(96);
    let p = npy_file(dir.path(), "x.npy", &[3, 32], &x);
    let out = dir.path().join("y.npy");
    let doc = json(&quantlab(&[
        "quantize",
        "-s",
        "nf4",
        "--block-size",
        "32",
        "-i",
        path_str(&p),
        "-o",
        path_str(&out),
        "--json",
    ]));
    assert_eq!(doc["output"], path_str(&out));
    let y = quantlab_core::io::npy::read(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(y.shape, vec![3, 32]);
    let expected = Scheme {
        scheme: SchemeKind::Nf4,
        block_size: 32,
        ..Scheme::default()
    }
    .fit(&x, &[3, 32])
    .unwrap()
    .quantize_dequantize(&x)
    .unwrap();
    assert_eq!(y.data, expected);
}

#[test]
fn a_csv_with_one_row_per_line_is_a_matrix_for_per_channel_scales() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "m.csv",
        b"a,b,c,d\n1,2,3,4\n-1,0.5,0.25,2\n10,20,-30,40\n",
    );
    let doc = json(&quantlab(&[
        "quantize",
        "-s",
        "linear",
        "-b",
        "4",
        "--granularity",
        "channel",
        "--axis",
        "0",
        "-i",
        path_str(&p),
        "--json",
    ]));
    assert_eq!(doc["input"]["shape"], serde_json::json!([3, 4]));
    assert_eq!(doc["input"]["format"], "csv");
    assert_eq!(doc["parameters"]["groups"].as_u64(), Some(3));
    // A text file with one number per line and a .txt name is 1-D.
    let t = write(dir.path(), "v.txt", b"1\n2\n3\n4\n5\n");
    let doc = json(&quantlab(&[
        "quantize",
        "-s",
        "mu-law",
        "-b",
        "3",
        "-i",
        path_str(&t),
        "--json",
    ]));
    assert_eq!(doc["input"]["shape"], serde_json::json!([5]));
}

#[test]
fn a_stereo_wav_is_mixed_to_mono_and_normalised() {
    let dir = tempfile::tempdir().unwrap();
    // Frames (L, R): (16384, 16384), (−32768, 0), (0, 16384) → 0.5, −0.5, 0.25.
    let p = write(
        dir.path(),
        "s.wav",
        &wav_bytes(2, &[16384, 16384, -32768, 0, 0, 16384]),
    );
    let out = dir.path().join("s.npy");
    let doc = json(&quantlab(&[
        "quantize",
        "-s",
        "fp16",
        "-i",
        path_str(&p),
        "-o",
        path_str(&out),
        "--json",
    ]));
    assert_eq!(doc["input"]["shape"], serde_json::json!([3]));
    assert_eq!(doc["input"]["format"], "wav");
    // fp16 holds these exactly.
    assert_eq!(doc["metrics"]["mse"].as_f64(), Some(0.0));
    let y = quantlab_core::io::npy::read(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(y.data, vec![0.5, -0.5, 0.25]);
}

#[test]
fn a_safetensors_tensor_is_picked_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "m.safetensors", &safetensors_bytes());
    let doc = json(&quantlab(&[
        "quantize",
        "-s",
        "q8-0",
        "-i",
        path_str(&p),
        "--tensor",
        "w",
        "--json",
    ]));
    assert_eq!(doc["input"]["tensor"], "w");
    assert_eq!(doc["input"]["shape"], serde_json::json!([4, 8]));
    assert_eq!(doc["metrics"]["bits_per_weight"].as_f64(), Some(8.5));
    let doc = json(&quantlab(&[
        "quantize",
        "-s",
        "linear",
        "-i",
        path_str(&p),
        "--tensor",
        "b",
        "--json",
    ]));
    assert_eq!(doc["input"]["shape"], serde_json::json!([8]));
}

#[test]
fn several_safetensors_tensors_without_a_name_is_an_error_listing_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "m.safetensors", &safetensors_bytes());
    let run = quantlab(&["quantize", "-s", "linear", "-i", path_str(&p)]);
    assert_one_line_error(&run, 1, "b [8] BF16, w [4, 8] F32");
    let run = quantlab(&[
        "quantize",
        "-s",
        "linear",
        "-i",
        path_str(&p),
        "--tensor",
        "x",
    ]);
    assert_one_line_error(&run, 1, "no tensor named \"x\"");
}

#[test]
fn damaged_files_give_one_error_line_and_exit_code_one() {
    let dir = tempfile::tempdir().unwrap();
    let good_npy = quantlab_core::io::npy::write(&[8], &signal(8)).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "cut.npy",
            good_npy[..good_npy.len() - 5].to_vec(),
            "truncated",
        ),
        ("magic.npy", b"not numpy at all".to_vec(), "magic"),
        ("text.csv", b"1,2\n3,four\n".to_vec(), "line 2, field 2"),
        ("nan.csv", b"1,nan,3\n".to_vec(), "not a finite"),
        ("empty.csv", Vec::new(), "empty"),
        (
            "noise.wav",
            b"RIFF\x04\x00\x00\x00WAVEjunkjunk".to_vec(),
            ".wav",
        ),
        (
            "cut.wav",
            wav_bytes(1, &[1, 2, 3, 4])[..48].to_vec(),
            "truncated",
        ),
        (
            "json.safetensors",
            {
                let h = b"{\"w\": oops}";
                let mut v = (h.len() as u64).to_le_bytes().to_vec();
                v.extend(h);
                v
            },
            "bad header JSON",
        ),
        (
            "offsets.safetensors",
            {
                let h = br#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
                let mut v = (h.len() as u64).to_le_bytes().to_vec();
                v.extend(h.as_slice());
                v.extend([0u8; 4]);
                v
            },
            "truncated",
        ),
        (
            "dtype.safetensors",
            {
                let h = br#"{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#;
                let mut v = (h.len() as u64).to_le_bytes().to_vec();
                v.extend(h.as_slice());
                v.extend([0u8; 8]);
                v
            },
            "unsupported data type",
        ),
    ];
    for (name, bytes, needle) in cases {
        let p = write(dir.path(), name, &bytes);
        let run = quantlab(&["quantize", "-s", "linear", "-i", path_str(&p)]);
        assert_one_line_error(&run, 1, needle);
        assert!(run.stderr.contains(name), "{name}: {}", run.stderr);
    }
    let run = quantlab(&["quantize", "-s", "linear", "-i", "/nonexistent/x.npy"]);
    assert_one_line_error(&run, 1, "cannot read /nonexistent/x.npy");
}

#[test]
fn bad_options_give_one_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = npy_file(dir.path(), "x.npy", &[4, 4], &signal(16));
    let x = path_str(&p);
    // Usage errors exit with 2.
    assert_one_line_error(
        &quantlab(&["quantize", "-s", "banana", "-i", x]),
        2,
        "possible values",
    );
    assert_one_line_error(
        &quantlab(&[
            "quantize",
            "-s",
            "linear",
            "-i",
            x,
            "--clip",
            "percentile:20",
        ]),
        2,
        "between 50 and 100",
    );
    assert_one_line_error(&quantlab(&["quantize", "-i", x]), 2, "--scheme");
    // Parameter errors exit with 1.
    assert_one_line_error(
        &quantlab(&["quantize", "-s", "nf4", "-b", "3", "-i", x]),
        1,
        "fixed 4-bit",
    );
    assert_one_line_error(
        &quantlab(&["quantize", "-s", "linear", "-b", "17", "-i", x]),
        1,
        "17 bits",
    );
    assert_one_line_error(
        &quantlab(&["quantize", "-s", "mu-law", "--mu", "-1", "-i", x]),
        1,
        "μ",
    );
    assert_one_line_error(
        &quantlab(&[
            "quantize",
            "-s",
            "linear",
            "--granularity",
            "channel",
            "--axis",
            "3",
            "-i",
            x,
        ]),
        1,
        "axis 3",
    );
    assert_one_line_error(
        &quantlab(&["quantize", "-s", "linear", "-i", x, "--tensor", "w"]),
        1,
        "--tensor",
    );
}

#[test]
fn every_listed_scheme_quantizes_a_small_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = npy_file(dir.path(), "x.npy", &[8, 64], &signal(512));
    let list = json(&quantlab(&["schemes", "--json"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), SchemeKind::ALL.len());
    for entry in list {
        let id = entry["id"].as_str().unwrap();
        let lo = entry["bits"][0].as_u64().unwrap();
        let hi = entry["bits"][1].as_u64().unwrap();
        assert!(lo <= hi, "{id}");
        let bits = (lo.max(3)).min(hi).to_string();
        let doc = json(&quantlab(&[
            "quantize",
            "-s",
            id,
            "-b",
            &bits,
            "-i",
            path_str(&p),
            "--json",
        ]));
        assert_eq!(doc["scheme"]["scheme"], id);
        let mse = doc["metrics"]["mse"].as_f64().unwrap();
        assert!(mse.is_finite() && mse >= 0.0, "{id}");
        assert!(doc["metrics"]["levels"].as_u64().unwrap() >= 1, "{id}");
    }
    let kmeans = list.iter().find(|e| e["id"] == "kmeans").unwrap();
    assert!(kmeans["parameters"].get("kmeans_seed").is_some());
}

#[test]
fn ggml_types_report_their_bits_per_weight_and_k_quants_gain_with_bits() {
    let dir = tempfile::tempdir().unwrap();
    let p = npy_file(dir.path(), "x.npy", &[4, 256], &signal(1024));
    let mut last_mse = f64::INFINITY;
    for (id, bpw) in [
        ("q2-k", 2.625),
        ("q3-k", 3.4375),
        ("q4-k", 4.5),
        ("q5-k", 5.5),
        ("q6-k", 6.5625),
        ("q8-k", 9.125),
        ("q5-0", 5.5),
        ("q5-1", 6.0),
        ("iq4-nl", 4.5),
    ] {
        let doc = json(&quantlab(&[
            "quantize",
            "-s",
            id,
            "-i",
            path_str(&p),
            "--json",
        ]));
        assert_eq!(
            doc["metrics"]["bits_per_weight"].as_f64(),
            Some(bpw),
            "{id}"
        );
        let mse = doc["metrics"]["mse"].as_f64().unwrap();
        if id.ends_with("-k") {
            assert!(mse < last_mse, "{id}: {mse} vs {last_mse}");
            last_mse = mse;
        }
    }
}

#[test]
fn the_kmeans_seed_reproduces_and_the_exact_solver_is_no_worse() {
    let dir = tempfile::tempdir().unwrap();
    let p = npy_file(dir.path(), "x.npy", &[2000], &signal(2000));
    let mse = |scheme: &str, seed: &str| {
        json(&quantlab(&[
            "quantize",
            "-s",
            scheme,
            "-b",
            "3",
            "--seed",
            seed,
            "-i",
            path_str(&p),
            "--json",
        ]))["metrics"]["mse"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(mse("kmeans", "7"), mse("kmeans", "7"));
    let exact = mse("kmeans-optimal", "0");
    for seed in ["0", "1", "2"] {
        assert!(exact <= mse("kmeans", seed) * (1.0 + 1e-9));
    }
}

#[test]
fn clipping_options_reach_the_linear_scheme() {
    let dir = tempfile::tempdir().unwrap();
    let mut x = signal(4000);
    x[17] = 60.0; // one outlier
    let p = npy_file(dir.path(), "x.npy", &[4000], &x);
    let mse = |clip: &str| {
        let doc = json(&quantlab(&[
            "quantize",
            "-s",
            "linear",
            "-b",
            "4",
            "--mode",
            "sym",
            "--clip",
            clip,
            "-i",
            path_str(&p),
            "--json",
        ]));
        (
            doc["metrics"]["mse"].as_f64().unwrap(),
            doc["scheme"]["clip"].as_str().unwrap().to_string(),
        )
    };
    let (minmax, c) = mse("minmax");
    assert_eq!(c, "minmax");
    let (pct, c) = mse("percentile:99");
    assert_eq!(c, "percentile");
    let (best, _) = mse("mse");
    assert!(pct < minmax && best < minmax, "{minmax} {pct} {best}");
}

#[test]
fn the_schemes_list_names_every_scheme_with_its_bit_range() {
    let run = quantlab(&["schemes"]);
    assert_eq!(run.code, 0);
    for kind in SchemeKind::ALL {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(&format!("{} ", kind.id()))),
            "{}",
            kind.id()
        );
    }
    assert!(run.stdout.contains("1-16"));
    assert!(run.stdout.contains("--block-size --double-quant"));
}

#[test]
fn help_describes_every_command_and_option() {
    let run = quantlab(&["--help"]);
    assert_eq!(run.code, 0);
    for word in ["quantize", "schemes", "bench", "Examples"] {
        assert!(run.stdout.contains(word), "{word}");
    }
    let run = quantlab(&["quantize", "--help"]);
    assert_eq!(run.code, 0);
    for flag in [
        "--scheme",
        "--bits",
        "--mode",
        "--granularity",
        "--group-size",
        "--axis",
        "--mu",
        "--clip",
        "--block-size",
        "--double-quant",
        "--seed",
        "--input",
        "--tensor",
        "--output",
        "--json",
        "percentile:P",
        "asym-float",
        "kmeans-optimal",
        ".safetensors",
    ] {
        assert!(
            run.stdout.contains(flag),
            "{flag} missing from quantize --help"
        );
    }
    let run = quantlab(&["--version"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("quantlab "));
}

#[test]
fn bench_reports_seconds_per_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = npy_file(dir.path(), "x.npy", &[4096], &signal(4096));
    let doc = json(&quantlab(&[
        "bench",
        "-s",
        "linear",
        "-b",
        "8",
        "-i",
        path_str(&p),
        "--repeat",
        "3",
        "--json",
    ]));
    assert_eq!(doc["repeat"].as_u64(), Some(3));
    assert_eq!(doc["seconds"].as_array().map(Vec::len), Some(3));
    assert!(doc["median_s"].as_f64().unwrap() >= 0.0);
    assert!(doc["min_s"].as_f64().unwrap() <= doc["median_s"].as_f64().unwrap());
    let text = quantlab(&["bench", "-s", "nf4", "-i", path_str(&p), "--repeat", "1"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("median_s"));
}

#[test]
fn the_mx_formats_and_nvfp4_quantize_from_the_command_line_with_exact_bits() {
    let dir = tempfile::tempdir().unwrap();
    let x = signal(64 * 32);
    let p = npy_file(dir.path(), "w.npy", &[64, 32], &x);
    for (id, bits) in [
        ("mxfp8-e4m3", 8.25),
        ("mxfp8-e5m2", 8.25),
        ("mxfp6-e3m2", 6.25),
        ("mxfp6-e2m3", 6.25),
        ("mxfp4", 4.25),
        ("mxint8", 8.25),
        ("nvfp4", 4.5 + 32.0 / 2048.0),
    ] {
        let doc = json(&quantlab(&[
            "quantize",
            "-s",
            id,
            "-i",
            path_str(&p),
            "--json",
        ]));
        assert_eq!(
            doc["metrics"]["bits_per_weight"].as_f64(),
            Some(bits),
            "{id}"
        );
        assert!(doc["metrics"]["snr_db"].as_f64().unwrap() > 15.0, "{id}");
    }
    let list = quantlab(&["schemes"]).stdout;
    assert!(list.contains("mxfp4") && list.contains("nvfp4"), "{list}");
    let bad = write(dir.path(), "bad.csv", b"1.0\nnan\n");
    let run = quantlab(&["quantize", "-s", "mxfp4", "-i", path_str(&bad)]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("quantlab: error: "),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn rotate_quantizes_the_rotated_tensor_and_measures_on_the_original() {
    let dir = tempfile::tempdir().unwrap();
    // 16 rows of 128 with an outlier column every 32: rotation spreads it over its group.
    let x: Vec<f32> = (0..16 * 128)
        .map(|i| {
            let v = ((i as f32) * 0.37).sin() * 0.02;
            if i % 32 == 7 { v * 50.0 } else { v }
        })
        .collect();
    let p = npy_file(dir.path(), "w.npy", &[16, 128], &x);
    let args = |rotate: &[&'static str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "quantize",
            "-s",
            "linear",
            "-b",
            "4",
            "--mode",
            "sym",
            "--granularity",
            "group",
            "--group-size",
            "32",
            "-i",
            path_str(&p),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(rotate.iter().map(|s| s.to_string()));
        a
    };
    let run = |rotate: &[&'static str]| {
        let mut a = args(rotate);
        a.push("--json".into());
        json(&quantlab(&a.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    let plain = run(&[]);
    let rotated = run(&["--rotate", "--rotate-seed", "5"]);
    let scheme = Scheme {
        bits: 4,
        mode: Mode::Sym,
        granularity: quantlab_core::quantizer::GranularityKind::Group,
        group_size: 32,
        rotate: true,
        rotate_seed: 5,
        ..Scheme::default()
    };
    let back: Scheme = serde_json::from_value(rotated["scheme"].clone()).unwrap();
    assert_eq!(back, scheme);
    let y = scheme
        .fit(&x, &[16, 128])
        .unwrap()
        .quantize_dequantize(&x)
        .unwrap();
    let mse = |d: &Value| d["metrics"]["mse"].as_f64().unwrap();
    assert_eq!(mse(&rotated), quantlab_core::metrics::mse(&x, &y));
    assert!(
        mse(&rotated) * 2.0 < mse(&plain),
        "{} {}",
        mse(&rotated),
        mse(&plain)
    );
    // The seed's 64 bits over 2048 weights.
    let bits = |d: &Value| d["metrics"]["bits_per_weight"].as_f64().unwrap();
    assert!((bits(&rotated) - bits(&plain) - 64.0 / 2048.0).abs() < 1e-12);
    // In the text summary, and refused in words where it cannot apply.
    let a = args(&["--rotate"]);
    let text = quantlab(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains("rotate (Hadamard, seed 0)"),
        "{}",
        text.stdout
    );
    let x = path_str(&p);
    assert_one_line_error(
        &quantlab(&["quantize", "-s", "linear", "--rotate", "-i", x]),
        1,
        "--granularity group",
    );
    assert_one_line_error(
        &quantlab(&[
            "quantize",
            "-s",
            "linear",
            "--granularity",
            "group",
            "--group-size",
            "48",
            "--rotate",
            "-i",
            x,
        ]),
        1,
        "power-of-two",
    );
    assert_one_line_error(
        &quantlab(&[
            "quantize",
            "-s",
            "linear",
            "--granularity",
            "group",
            "--group-size",
            "256",
            "--rotate",
            "-i",
            x,
        ]),
        1,
        "256 does not divide a row of 128",
    );
}
