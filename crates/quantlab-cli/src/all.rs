//! `quantlab quantize --all`: one scheme over every tensor of a checkpoint, the tensors
//! spread over a pool of threads (rayon).
//!
//! Each tensor is decoded, fitted and quantized on its own by one thread, with the same
//! [`study_signal`] as a single-tensor run, and the results are collected in the file's
//! order, so the output is the same for any `--threads`. At most one decoded tensor (and its
//! reconstruction and error) per thread is alive at a time, beside the file's bytes.

use quantlab_core::Scheme;
use quantlab_core::study::study_signal;
use quantlab_core::weights::file::{TensorEntry, decode_whole, index_in_memory};
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::cli::QuantizeArgs;
use crate::text::num;

/// One tensor's outcome.
struct Row {
    name: String,
    dtype: String,
    shape: Vec<usize>,
    values: usize,
    result: Result<Sums, String>,
}

/// What the whole-file figures are summed from.
#[derive(Clone, Copy, Default)]
struct Sums {
    /// Σ x² over the tensor, in f64.
    signal: f64,
    /// Σ (x − x̂)², in f64.
    noise: f64,
    /// Stored bits: bits per weight (codes and scales) × values.
    bits: f64,
    /// max |x − x̂|.
    max_abs: f64,
    values: usize,
}

impl Sums {
    fn add(self, o: Sums) -> Sums {
        Sums {
            signal: self.signal + o.signal,
            noise: self.noise + o.noise,
            bits: self.bits + o.bits,
            max_abs: self.max_abs.max(o.max_abs),
            values: self.values + o.values,
        }
    }
    fn mse(&self) -> f64 {
        if self.values == 0 {
            0.0
        } else {
            self.noise / self.values as f64
        }
    }
    /// 10·log10(Σx² / Σe²); infinite for an exact reconstruction.
    fn snr_db(&self) -> f64 {
        if self.noise == 0.0 {
            f64::INFINITY
        } else {
            10.0 * (self.signal / self.noise).log10()
        }
    }
    fn bits_per_weight(&self) -> f64 {
        if self.values == 0 {
            0.0
        } else {
            self.bits / self.values as f64
        }
    }
}

/// Decodes and studies one tensor.
fn study(entry: &TensorEntry, bytes: &[u8], scheme: &Scheme) -> Result<Sums, String> {
    let x = decode_whole(entry, bytes).map_err(|e| e.to_string())?;
    let s = study_signal(&x, &entry.shape, scheme).map_err(|e| e.to_string())?;
    let (mut signal, mut noise) = (0.0f64, 0.0f64);
    for (&a, &e) in x.iter().zip(&s.error) {
        signal += f64::from(a) * f64::from(a);
        noise += f64::from(e) * f64::from(e);
    }
    Ok(Sums {
        signal,
        noise,
        bits: s.bits_per_value * x.len() as f64,
        max_abs: s.metrics.max_abs_error,
        values: x.len(),
    })
}

/// `quantlab quantize --all`.
pub fn quantize_all(args: &QuantizeArgs) -> Result<String, String> {
    let scheme = args.scheme.to_scheme()?;
    let path = args.input.input.display().to_string();
    let bytes = std::fs::read(&args.input.input).map_err(|e| format!("cannot read {path}: {e}"))?;
    let idx = index_in_memory(&path, &bytes).map_err(|e| format!("{path}: {e}"))?;
    let threads = match args.threads {
        Some(n) => usize::try_from(n).unwrap_or(1),
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("cannot start {threads} threads: {e}"))?;
    let rows: Vec<Row> = pool.install(|| {
        idx.tensors
            .par_iter()
            .map(|t| Row {
                name: t.name.clone(),
                dtype: t.dtype.clone(),
                shape: t.shape.clone(),
                values: t.count,
                result: if t.supported() {
                    study(t, &bytes, &scheme)
                } else {
                    Err(format!("{} tensors are not decoded", t.dtype))
                },
            })
            .collect()
    });
    let total = rows
        .iter()
        .filter_map(|r| r.result.as_ref().ok())
        .fold(Sums::default(), |a, &b| a.add(b));
    let studied = rows.iter().filter(|r| r.result.is_ok()).count();
    if studied == 0 {
        return Err(format!(
            "{path}: no tensor could be quantized ({})",
            rows.first()
                .and_then(|r| r.result.as_ref().err().cloned())
                .unwrap_or_else(|| "the file holds no tensor".into())
        ));
    }
    if args.json {
        return json_report(&path, &scheme, threads, &rows, &total);
    }
    Ok(text_report(&path, threads, &rows, &total, studied))
}

fn figures(s: &Sums) -> Value {
    let finite = |v: f64| if v.is_finite() { json!(v) } else { Value::Null };
    json!({
        "values": s.values,
        "mse": finite(s.mse()),
        "snr_db": finite(s.snr_db()),
        "max_abs_error": finite(s.max_abs),
        "bits_per_weight": finite(s.bits_per_weight()),
        "bytes": finite((s.bits / 8.0).ceil()),
    })
}

fn json_report(
    path: &str,
    scheme: &Scheme,
    threads: usize,
    rows: &[Row],
    total: &Sums,
) -> Result<String, String> {
    let tensors: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = json!({ "name": r.name, "dtype": r.dtype, "shape": r.shape });
            match &r.result {
                Ok(s) => v["metrics"] = figures(s),
                Err(e) => {
                    v["values"] = json!(r.values);
                    v["skipped"] = json!(e);
                }
            }
            v
        })
        .collect();
    let doc = json!({
        "input": { "path": path },
        "scheme": scheme,
        "threads": threads,
        "total": figures(total),
        "tensors": tensors,
    });
    let mut s = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    s.push('\n');
    Ok(s)
}

fn text_report(path: &str, threads: usize, rows: &[Row], total: &Sums, studied: usize) -> String {
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let mut out = format!(
        "{path}: {studied} of {} tensors quantized on {threads} thread{}\n\n",
        rows.len(),
        if threads == 1 { "" } else { "s" }
    );
    out.push_str(&format!(
        "{:width$}  {:8} {:>12} {:>8} {:>12} {:>9}\n",
        "name", "stored", "values", "bits/w", "mse", "snr_db"
    ));
    let line = |name: &str, dtype: &str, s: &Sums| {
        format!(
            "{name:width$}  {dtype:8} {:>12} {:>8} {:>12} {:>9}\n",
            s.values,
            num(s.bits_per_weight()),
            num(s.mse()),
            num(s.snr_db()),
        )
    };
    for r in rows {
        match &r.result {
            Ok(s) => out.push_str(&line(&r.name, &r.dtype, s)),
            Err(e) => out.push_str(&format!(
                "{:width$}  {:8} {:>12}  skipped: {e}\n",
                r.name, r.dtype, r.values
            )),
        }
    }
    out.push_str(&line("total", "", total));
    out
}
