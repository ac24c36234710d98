//! Throughput of the CPU paths (fp32, int8 scalar, int8 SIMD) over the test set, and the
//! check that the SIMD path gives the scalar reference's integers and outputs bit for bit.

use quantlab_core::mlp::{Int8Kernel, Mlp, QuantizedMlp};

/// Samples per second of each CPU path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throughput {
    /// fp32 forward pass.
    pub fp32: f64,
    /// W8A8 with the scalar int8 product.
    pub int8_scalar: f64,
    /// W8A8 with the `simd128` int8 product.
    pub int8_simd: f64,
    /// Test samples per pass.
    pub samples: usize,
}

/// How the SIMD path compares with the scalar reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreement {
    /// int32 accumulators and output values compared.
    pub compared: usize,
    /// Of those, how many differ (bit for bit).
    pub mismatches: usize,
}

/// Compares every layer's int32 accumulators and rescaled outputs of the two kernels.
pub fn compare_kernels(q: &QuantizedMlp, x: &[f32], m: usize) -> Result<Agreement, String> {
    let a = q
        .trace_int8_with(x, m, Int8Kernel::Scalar)
        .map_err(|e| e.to_string())?;
    let b = q
        .trace_int8_with(x, m, Int8Kernel::Simd)
        .map_err(|e| e.to_string())?;
    let mut out = Agreement {
        compared: 0,
        mismatches: 0,
    };
    for (ta, tb) in a.iter().zip(&b) {
        out.compared += ta.acc.len() + ta.output.len();
        out.mismatches += ta.acc.iter().zip(&tb.acc).filter(|(x, y)| x != y).count();
        out.mismatches += ta
            .output
            .iter()
            .zip(&tb.output)
            .filter(|(x, y)| x.to_bits() != y.to_bits())
            .count();
        out.mismatches += ta.acc.len().abs_diff(tb.acc.len());
    }
    out.mismatches += a.len().abs_diff(b.len());
    Ok(out)
}

/// Runs `pass` for a warm-up of at least `min_ms / 2` milliseconds of `now()` (a browser
/// first runs WebAssembly through a baseline compiler and swaps in optimised code after a
/// function has run a while), then repeatedly for at least `min_ms` (and at least twice),
/// and returns passes per second of the second phase.
pub fn rate(
    now: &dyn Fn() -> f64,
    min_ms: f64,
    pass: &mut dyn FnMut() -> Result<(), String>,
) -> Result<f64, String> {
    let warm = now();
    let mut warm_reps = 0u32;
    while now() - warm < min_ms / 2.0 || warm_reps < 1 {
        pass()?;
        warm_reps += 1;
        if warm_reps >= 100_000 {
            break;
        }
    }
    let start = now();
    let mut reps = 0u32;
    loop {
        pass()?;
        reps += 1;
        let elapsed = now() - start;
        if (elapsed >= min_ms && reps >= 2) || reps >= 100_000 {
            return Ok(f64::from(reps) * 1000.0 / elapsed.max(1e-3));
        }
    }
}

/// Measures one path: `which` 0 = fp32, 1 = int8 scalar, 2 = int8 SIMD; samples per second.
pub fn measure_path(
    which: usize,
    mlp: &Mlp,
    w8a8: &QuantizedMlp,
    x: &[f32],
    m: usize,
    now: &dyn Fn() -> f64,
    min_ms: f64,
) -> Result<f64, String> {
    let mut pass = || -> Result<(), String> {
        let r = match which {
            0 => mlp.forward(x, m).map(|v| v.len()),
            1 => w8a8
                .forward_layers_with(x, m, Int8Kernel::Scalar)
                .map(|v| v.len()),
            _ => w8a8
                .forward_layers_with(x, m, Int8Kernel::Simd)
                .map(|v| v.len()),
        };
        r.map(|_| ()).map_err(|e| e.to_string())
    };
    Ok(rate(now, min_ms, &mut pass)? * m as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quantlab_core::mlp::{Linear, QuantConfig};

    fn layer(in_dim: usize, out_dim: usize, salt: f32) -> Linear {
        Linear {
            in_dim,
            out_dim,
            weight: (0..in_dim * out_dim)
                .map(|i| (i as f32 * 0.71 + salt).sin() * 0.3)
                .collect(),
            bias: (0..out_dim).map(|j| j as f32 * 0.01).collect(),
        }
    }

    #[test]
    fn the_kernels_agree_and_the_rate_counts_passes() {
        let mlp = Mlp {
            layers: vec![layer(40, 20, 0.0), layer(20, 5, 1.0)],
        };
        let q = QuantizedMlp::new(&mlp, QuantConfig::W8A8).unwrap();
        let x: Vec<f32> = (0..3 * 40).map(|i| (i as f32 * 0.37).sin()).collect();
        let a = compare_kernels(&q, &x, 3).unwrap();
        assert_eq!(a.mismatches, 0);
        assert_eq!(a.compared, 2 * (3 * 20 + 3 * 5));
        let clock = std::cell::Cell::new(0.0);
        let now = || {
            clock.set(clock.get() + 10.0);
            clock.get()
        };
        let r = measure_path(0, &mlp, &q, &x, 3, &now, 100.0).unwrap();
        assert!(r > 0.0 && r.is_finite());
        assert!(
            compare_kernels(&QuantizedMlp::new(&mlp, QuantConfig::W8).unwrap(), &x, 3).is_err()
        );
    }
}
