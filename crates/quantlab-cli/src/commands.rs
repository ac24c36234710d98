//! The subcommands: each returns what to print on stdout, or a one-line error message.

use std::time::Instant;

use quantlab_core::clipping::ClipKind;
use quantlab_core::io::{self, Format, Tensor};
use quantlab_core::quantizer::GranularityKind;
use quantlab_core::study::study_signal;
use quantlab_core::{Scheme, SchemeKind};
use serde_json::{Map, Value, json};

use crate::cli::{BenchArgs, InputArgs, QuantizeArgs};
use crate::text::{num, table};

/// A tensor read from a file, with where it came from.
struct Loaded {
    tensor: Tensor,
    /// `npy`, `csv`, `wav`, `safetensors` or `gguf`.
    format: &'static str,
    path: String,
}

/// Reads and parses `--input` (and `--tensor`, `--format`).
fn load(args: &InputArgs) -> Result<Loaded, String> {
    let path = args.input.display().to_string();
    let bytes = std::fs::read(&args.input).map_err(|e| format!("cannot read {path}: {e}"))?;
    if args.format.is_none() && crate::inspect::is_gguf(&path, &bytes) {
        let tensor = crate::inspect::gguf_tensor(&path, &bytes, args.tensor.as_deref())?;
        return Ok(Loaded {
            tensor,
            format: "gguf",
            path,
        });
    }
    let format = match args.format {
        Some(f) => f,
        None => Format::detect(&path, &bytes).map_err(|e| e.to_string())?,
    };
    if args.tensor.is_some() && format != Format::Safetensors {
        return Err(format!(
            "--tensor picks a tensor from a .safetensors or .gguf file, but {path} is {}",
            format.id()
        ));
    }
    let tensor =
        io::read(&bytes, format, args.tensor.as_deref()).map_err(|e| format!("{path}: {e}"))?;
    Ok(Loaded {
        tensor,
        format: format.id(),
        path,
    })
}

/// `scheme linear · 8 bits · mode asym · …`: the scheme and the parameters it uses.
fn scheme_summary(s: &Scheme) -> String {
    let mut parts = vec![s.scheme.id().to_string(), format!("{} bits", s.code_bits())];
    let json = serde_json::to_value(s).unwrap_or(Value::Null);
    for p in s.scheme.parameters() {
        let unused = match *p {
            "percentile" => s.clip != ClipKind::Percentile,
            "axis" => s.granularity != GranularityKind::Channel,
            "group_size" => s.granularity != GranularityKind::Group,
            _ => false,
        };
        if unused {
            continue;
        }
        if let Some(v) = json.get(*p) {
            let v = match v {
                Value::String(t) => t.clone(),
                Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), num),
                other => other.to_string(),
            };
            parts.push(format!("{p} {v}"));
        }
    }
    if s.rotates() {
        parts.push(format!("rotate (Hadamard, seed {})", s.rotate_seed));
    }
    parts.join(" · ")
}

/// `quantlab quantize`.
pub fn quantize(args: &QuantizeArgs) -> Result<String, String> {
    let scheme = args.scheme.to_scheme()?;
    let input = load(&args.input)?;
    let x = &input.tensor.data;
    let study = study_signal(x, &input.tensor.shape, &scheme)
        .map_err(|e| format!("{}: {e}", scheme.scheme.id()))?;
    let y = &study.reconstruction;
    let bits = study.code_bits;
    let figures = [
        ("mse", study.metrics.mse),
        ("snr_db", study.metrics.snr_db),
        ("sqnr_theory_db", study.metrics.sqnr_theory_db),
        ("max_abs_error", study.metrics.max_abs_error),
        ("bits_per_weight", study.bits_per_value),
        ("levels", study.levels.len() as f64),
    ];
    let parameters = study.parameters;
    let output = match &args.output {
        Some(path) => {
            let bytes = io::npy::write(&input.tensor.shape, y).map_err(|e| e.to_string())?;
            std::fs::write(path, bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Some(path.display().to_string())
        }
        None => None,
    };
    if args.json {
        let mut m = Map::new();
        for (k, v) in figures {
            let v = if k == "levels" {
                json_number(v)
            } else {
                json_float(v)
            };
            m.insert(k.into(), v);
        }
        m.insert("code_bits".into(), json!(bits));
        let mut p = Map::new();
        for (k, v) in &parameters {
            p.insert(k.clone(), json_number(*v));
        }
        let doc = json!({
            "input": {
                "path": input.path,
                "format": input.format,
                "tensor": input.tensor.name,
                "shape": input.tensor.shape,
                "values": input.tensor.len(),
            },
            "scheme": scheme,
            "metrics": m,
            "parameters": p,
            "output": output,
        });
        let mut s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        s.push('\n');
        return Ok(s);
    }
    let mut rows: Vec<(String, String)> = vec![
        ("input".into(), format!("{} ({})", input.path, input.format)),
        (
            "tensor".into(),
            format!(
                "{} {:?}, {} values",
                input.tensor.name,
                input.tensor.shape,
                input.tensor.len()
            ),
        ),
        ("scheme".into(), scheme_summary(&scheme)),
    ];
    for (k, v) in figures {
        rows.push((k.into(), num(v)));
    }
    for (k, v) in parameters {
        rows.push((k, num(v)));
    }
    if let Some(o) = output {
        rows.push(("output".into(), o));
    }
    Ok(table(&rows))
}

/// A figure as a JSON number, `null` when it is not finite (JSON has no infinity).
fn json_float(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// Like [`json_float`], but whole numbers (levels, groups, iterations) become integers.
fn json_number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        return json!(v as i64);
    }
    json_float(v)
}

/// The command-line flag of a [`Scheme`] field, `None` for `percentile` (part of `--clip`).
fn flag(field: &str) -> Option<String> {
    match field {
        "percentile" => None,
        "kmeans_seed" => Some("--seed".into()),
        "clip" => Some("--clip".into()),
        f => Some(format!("--{}", f.replace('_', "-"))),
    }
}

/// `quantlab schemes`.
pub fn schemes(as_json: bool) -> String {
    let defaults = serde_json::to_value(Scheme::default()).unwrap_or(Value::Null);
    if as_json {
        let list: Vec<Value> = SchemeKind::ALL
            .iter()
            .map(|&k| {
                let (lo, hi) = k.bits_range();
                let mut params = Map::new();
                for p in k.parameters() {
                    params.insert(
                        (*p).to_string(),
                        defaults.get(*p).cloned().unwrap_or(Value::Null),
                    );
                }
                json!({
                    "id": k.id(),
                    "label": k.label(),
                    "bits": [lo, hi],
                    "fixed_bits": k.fixed_bits(),
                    "parameters": params,
                })
            })
            .collect();
        let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
        s.push('\n');
        return s;
    }
    let mut rows: Vec<[String; 4]> = vec![[
        "SCHEME".into(),
        "BITS".into(),
        "DESCRIPTION".into(),
        "OPTIONS".into(),
    ]];
    for k in SchemeKind::ALL {
        let (lo, hi) = k.bits_range();
        let bits = if lo == hi {
            format!("{lo}")
        } else {
            format!("{lo}-{hi}")
        };
        let opts: Vec<String> = k.parameters().iter().filter_map(|p| flag(p)).collect();
        rows.push([
            k.id().into(),
            bits,
            k.label().into(),
            if opts.is_empty() {
                "-".into()
            } else {
                opts.join(" ")
            },
        ]);
    }
    let widths: Vec<usize> = (0..3)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        for (c, w) in widths.iter().enumerate() {
            out.push_str(&r[c]);
            out.push_str(&" ".repeat(w - r[c].chars().count() + 2));
        }
        out.push_str(&r[3]);
        out.push('\n');
    }
    out.push_str(
        "\nEvery scheme takes --bits B within its range (k = 2^B levels); the fixed-width \
         formats need no --bits.\nSee `quantlab quantize --help` for what each option means.\n",
    );
    out
}

/// `quantlab bench`: median and fastest seconds of fit → quantize → dequantize.
pub fn bench(args: &BenchArgs) -> Result<String, String> {
    if args.decode {
        return bench_decode(args);
    }
    let scheme = args.scheme.to_scheme()?;
    let input = load(&args.input)?;
    let x = &input.tensor.data;
    let shape = &input.tensor.shape;
    let run = || -> Result<f64, String> {
        let start = Instant::now();
        let q = scheme
            .fit(x, shape)
            .map_err(|e| format!("{}: {e}", scheme.scheme.id()))?;
        let y = if args.reference {
            q.quantize(x).and_then(|c| q.dequantize(&c))
        } else {
            q.quantize_dequantize(x)
        }
        .map_err(|e| format!("{}: {e}", scheme.scheme.id()))?;
        std::hint::black_box(&y);
        Ok(start.elapsed().as_secs_f64())
    };
    run()?; // warm-up
    let mut times = Vec::with_capacity(args.repeat as usize);
    for _ in 0..args.repeat {
        times.push(run()?);
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = median(&sorted);
    let min = sorted.first().copied().unwrap_or(0.0);
    if args.json {
        let doc = json!({
            "input": input.path,
            "values": x.len(),
            "scheme": scheme,
            "repeat": args.repeat,
            "path": if args.reference { "reference" } else { "fast" },
            "simd": quantlab_core::quant::fast::simd_level(),
            "seconds": times,
            "median_s": median,
            "min_s": min,
        });
        let mut s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        s.push('\n');
        return Ok(s);
    }
    Ok(table(&[
        (
            "input".into(),
            format!("{} ({} values)", input.path, x.len()),
        ),
        ("scheme".into(), scheme_summary(&scheme)),
        ("runs".into(), format!("{} (after 1 warm-up)", args.repeat)),
        ("median_s".into(), num(median)),
        ("min_s".into(), num(min)),
    ]))
}

/// `quantlab bench --decode`: times decoding a .gguf tensor's stored bytes to `f32`.
fn bench_decode(args: &BenchArgs) -> Result<String, String> {
    let path = args.input.input.display().to_string();
    let bytes = std::fs::read(&args.input.input).map_err(|e| format!("cannot read {path}: {e}"))?;
    if !crate::inspect::is_gguf(&path, &bytes) {
        return Err(format!(
            "--decode reads a .gguf tensor; {path} is not a GGUF file"
        ));
    }
    let entry = crate::inspect::gguf_entry(&path, &bytes, args.input.tensor.as_deref())?;
    let run = || -> Result<(f64, Vec<f32>), String> {
        let start = Instant::now();
        let y = quantlab_core::weights::file::decode_whole(&entry, &bytes)
            .map_err(|e| format!("{path}: {e}"))?;
        let t = start.elapsed().as_secs_f64();
        Ok((t, std::hint::black_box(y)))
    };
    let (_, y) = run()?; // warm-up
    if let Some(out) = &args.output {
        let npy = io::npy::write(&entry.shape, &y).map_err(|e| e.to_string())?;
        std::fs::write(out, npy).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    let mut times = Vec::with_capacity(args.repeat as usize);
    for _ in 0..args.repeat {
        times.push(run()?.0);
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = median(&sorted);
    let min = sorted.first().copied().unwrap_or(0.0);
    if args.json {
        let doc = json!({
            "input": path,
            "tensor": entry.name,
            "dtype": entry.dtype,
            "values": y.len(),
            "repeat": args.repeat,
            "path": "decode",
            "seconds": times,
            "median_s": median,
            "min_s": min,
        });
        let mut s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        s.push('\n');
        return Ok(s);
    }
    Ok(table(&[
        ("input".into(), format!("{path} ({} values)", y.len())),
        ("tensor".into(), format!("{} {}", entry.name, entry.dtype)),
        ("runs".into(), format!("{} (after 1 warm-up)", args.repeat)),
        ("median_s".into(), num(median)),
        ("min_s".into(), num(min)),
    ]))
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}
