//! Criterion benchmarks: every scheme's quantize → dequantize at 1 M and 16 M values, and
//! every scheme's fit at 1 M values.
//!
//! The data is seeded standard-normal `f32` noise shaped `[rows, 1024]` (row-major), the
//! same for every scheme. Bit widths: linear, μ-law and A-law 8 bits; log2, k-means and
//! Lloyd-Max 4 bits; the fixed-width formats their own. The quantizers are fitted outside
//! the timed loop of the `roundtrip` groups; the exact k-means solver is fitted on the first
//! 1 M values at 16 M (its split table would exceed `kmeans::MAX_DP_CELLS`), which does not
//! change what a quantize → dequantize costs.
//!
//! The release profile of this workspace optimises for size (`opt-level = "z"`, for the
//! wasm bundle), and `cargo bench` inherits it; to measure speed run
//!
//! ```text
//! CARGO_PROFILE_BENCH_OPT_LEVEL=3 CARGO_PROFILE_BENCH_LTO=false \
//!     cargo bench -p quantlab-core --bench schemes [-- roundtrip/1M]
//! ```
//!
//! With 10 samples per benchmark the whole run takes a few minutes on 2 cores.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use criterion::{BenchmarkId, Criterion, Throughput};
    use quantlab_core::quantizer::Quantizer;
    use quantlab_core::{Scheme, SchemeKind};
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};

    const COLS: usize = 1024;
    const SEED: u64 = 20240607;

    /// `n` seeded standard-normal values.
    fn data(n: usize) -> Vec<f32> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
        (0..n)
            .map(|_| {
                let z: f32 = StandardNormal.sample(&mut rng);
                z
            })
            .collect()
    }

    fn scheme(kind: SchemeKind) -> Scheme {
        let bits = match kind {
            SchemeKind::Linear | SchemeKind::MuLaw | SchemeKind::ALaw => 8,
            SchemeKind::MuLawG711
            | SchemeKind::ALawG711
            | SchemeKind::Log2
            | SchemeKind::Nf4
            | SchemeKind::Fp4
            | SchemeKind::Fp8
            | SchemeKind::Fp16
            | SchemeKind::Bf16
            | SchemeKind::Q8_0
            | SchemeKind::Q4_0
            | SchemeKind::Q4_1
            | SchemeKind::Q5_0
            | SchemeKind::Q5_1
            | SchemeKind::Iq4Nl
            | SchemeKind::Q2K
            | SchemeKind::Q3K
            | SchemeKind::Q4K
            | SchemeKind::Q5K
            | SchemeKind::Q6K
            | SchemeKind::Q8K
            | SchemeKind::KMeans
            | SchemeKind::KMeansOptimal
            | SchemeKind::LloydMax
            | SchemeKind::Mxfp8E4m3
            | SchemeKind::Mxfp8E5m2
            | SchemeKind::Mxfp6E3m2
            | SchemeKind::Mxfp6E2m3
            | SchemeKind::Mxfp4
            | SchemeKind::Mxint8
            | SchemeKind::Nvfp4 => kind.fixed_bits().unwrap_or(4),
        };
        Scheme {
            scheme: kind,
            bits,
            ..Scheme::default()
        }
    }

    /// Fits `kind` to `x` (the exact k-means solver to at most 1 M values).
    fn fitted(kind: SchemeKind, x: &[f32]) -> Option<Box<dyn Quantizer>> {
        let s = scheme(kind);
        let (fit_on, shape) = if kind == SchemeKind::KMeansOptimal && x.len() > 1 << 20 {
            (&x[..1 << 20], vec![1 << 10, COLS])
        } else {
            (x, vec![x.len() / COLS, COLS])
        };
        match s.fit(fit_on, &shape) {
            Ok(q) => Some(q),
            Err(e) => {
                eprintln!("skipping {}: {e}", kind.id());
                None
            }
        }
    }

    fn roundtrip(c: &mut Criterion, label: &str, n: usize, measure: Duration) {
        let x = data(n);
        let mut g = c.benchmark_group(format!("roundtrip/{label}"));
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(measure)
            .throughput(Throughput::Elements(n as u64));
        for kind in SchemeKind::ALL {
            let Some(q) = fitted(kind, &x) else { continue };
            g.bench_with_input(BenchmarkId::from_parameter(kind.id()), &x, |b, x| {
                b.iter(|| black_box(q.quantize_dequantize(black_box(x))))
            });
        }
        g.finish();
    }

    fn fit(c: &mut Criterion) {
        let n = 1 << 20;
        let x = data(n);
        let shape = [n / COLS, COLS];
        let mut g = c.benchmark_group("fit/1M");
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .throughput(Throughput::Elements(n as u64));
        for kind in SchemeKind::ALL {
            let s = scheme(kind);
            g.bench_with_input(BenchmarkId::from_parameter(kind.id()), &x, |b, x| {
                b.iter(|| black_box(s.fit(black_box(x), &shape).map(|q| q.levels().len())))
            });
        }
        g.finish();
    }

    /// Every benchmark of this file.
    pub fn all(c: &mut Criterion) {
        roundtrip(c, "1M", 1 << 20, Duration::from_secs(1));
        roundtrip(c, "16M", 1 << 24, Duration::from_secs(2));
        fit(c);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let mut c = criterion::Criterion::default().configure_from_args();
    native::all(&mut c);
    c.final_summary();
}

/// Benchmarks run natively only.
#[cfg(target_arch = "wasm32")]
fn main() {}
