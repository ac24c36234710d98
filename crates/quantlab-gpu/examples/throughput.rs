//! Times the int8 paths on this machine: the GPU kernels (both, where the adapter has the
//! packed one) against the CPU int8 reference, for one matrix product and for the whole
//! W8A8 forward of an MNIST-sized MLP. Every GPU result is checked against the CPU first.
//!
//! ```text
//! cargo run -p quantlab-gpu --example throughput            # dev profile (optimised deps)
//! cargo run -p quantlab-gpu --example throughput -- 4000    # batch of 4,000 samples
//! ```
//!
//! On a machine without a GPU the adapter is Mesa's lavapipe, a software rasterizer on the
//! CPU: its numbers say nothing about real GPUs.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    if let Err(e) = native::run() {
        eprintln!("throughput: {e}");
        std::process::exit(1);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::Instant;

    use pollster::block_on;
    use quantlab_core::mlp::int8::{matmul_i8_i32, pack_i8x4_rows};
    use quantlab_core::mlp::{Mlp, QuantConfig, QuantizedMlp};
    use quantlab_gpu::{GpuContext, GpuError, compare_with_cpu};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The median of `reps` timed runs of `f` (after one warm-up), in seconds.
    fn median_secs<T>(
        reps: usize,
        mut f: impl FnMut() -> Result<T, GpuError>,
    ) -> Result<f64, GpuError> {
        f()?;
        let mut t: Vec<f64> = (0..reps)
            .map(|_| {
                let s = Instant::now();
                f().map(|_| s.elapsed().as_secs_f64())
            })
            .collect::<Result<_, _>>()?;
        t.sort_by(f64::total_cmp);
        Ok(t[t.len() / 2])
    }

    pub fn run() -> Result<(), GpuError> {
        let m: usize = std::env::args()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(2000);
        let reps = 7;
        let ctx = block_on(GpuContext::new())?;
        let a = ctx.adapter();
        println!("adapter: {}", a.describe());
        println!("driver:  {}", a.driver);
        if a.is_software {
            println!(
                "NOTE: a software rasterizer (runs on the CPU) — correctness only, the GPU \
                 numbers below are not representative of real GPUs"
            );
        }
        println!("batch m = {m}, median of {reps} runs after a warm-up\n");

        // One product: the first layer of an MNIST MLP, (m, 784) × (128, 784)ᵀ.
        let (k, n) = (784, 128);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let x: Vec<i8> = (0..m * k).map(|_| rng.random()).collect();
        let w: Vec<i8> = (0..n * k).map(|_| rng.random()).collect();
        let px = pack_i8x4_rows(&x, m, k)?;
        let pw = pack_i8x4_rows(&w, n, k)?;
        let want = matmul_i8_i32(&x, &w, m, k, n)?;
        let ops = 2.0 * (m * k * n) as f64;
        println!("int8 matmul ({m}, {k}) × ({n}, {k})ᵀ → int32:");
        let cpu = median_secs(reps, || Ok(matmul_i8_i32(&x, &w, m, k, n)?))?;
        println!(
            "  {:<52} {:>9.2} ms {:>8.2} GOP/s",
            "CPU int8 reference (scalar)",
            cpu * 1e3,
            ops / cpu / 1e9
        );
        let gw = block_on(ctx.upload_weights(&pw, n, k))?;
        for kernel in ctx.available_kernels() {
            let got = block_on(ctx.matmul(kernel, &px, m, &gw))?;
            let bad = got.iter().zip(&want).filter(|(g, w)| g != w).count();
            let t = median_secs(reps, || block_on(ctx.matmul(kernel, &px, m, &gw)))?;
            println!(
                "  {:<52} {:>9.2} ms {:>8.2} GOP/s  ({bad} mismatches; upload + readback included)",
                format!("GPU {}", kernel.label()),
                t * 1e3,
                ops / t / 1e9
            );
        }

        // The whole W8A8 forward of a 784-128-10 MLP (seeded weights, inputs in [0, 1)).
        let mlp = Mlp::new(&[784, 128, 10], &mut ChaCha8Rng::seed_from_u64(2))?;
        let q = QuantizedMlp::new(&mlp, QuantConfig::W8A8)?;
        let input: Vec<f32> = (0..m * 784)
            .map(|_| rng.random_range(0.0f32..1.0))
            .collect();
        println!("\nW8A8 forward of a 784-128-10 MLP, {m} samples:");
        let fp32 = median_secs(reps, || Ok(mlp.forward(&input, m)?))?;
        let cpu = median_secs(reps, || Ok(q.forward(&input, m)?))?;
        println!(
            "  {:<52} {:>9.2} ms {:>10.0} samples/s",
            "CPU fp32 reference",
            fp32 * 1e3,
            m as f64 / fp32
        );
        println!(
            "  {:<52} {:>9.2} ms {:>10.0} samples/s",
            "CPU int8 reference (W8A8)",
            cpu * 1e3,
            m as f64 / cpu
        );
        let gm = block_on(ctx.upload_w8a8(&q))?;
        let cpu_trace = q.trace_int8(&input, m)?;
        for kernel in ctx.available_kernels() {
            let g = block_on(ctx.forward_w8a8_with(kernel, &gm, &input, m))?;
            let mism = compare_with_cpu(&cpu_trace, &g).total();
            let t = median_secs(reps, || {
                block_on(ctx.forward_w8a8_with(kernel, &gm, &input, m))
            })?;
            println!(
                "  {:<52} {:>9.2} ms {:>10.0} samples/s  ({mism} GPU-CPU mismatches)",
                format!("GPU {} (+ CPU quantize/rescale)", kernel.label()),
                t * 1e3,
                m as f64 / t
            );
        }
        Ok(())
    }
}
