//! AWQ-style activation-aware scaling (Lin et al., 2023): before rounding, multiply each
//! input column `c` of `W` by `s_c = mean|x_c|^α` (normalised so that `√(max s · min s) = 1`)
//! and divide the layer's input by the same `s_c`, so that the weights of the inputs with
//! the most energy get a finer grid. `α` is searched on a grid of eleven values in `[0, 1]`
//! for the smallest output error `‖X·Ŵᵀ − X·Wᵀ‖²` on the calibration inputs; `α = 0` is
//! plain round-to-nearest, so the search is never worse than it on those inputs.
//!
//! The stored layer holds the codes of `W·diag(s)` with their scales and the `in` scales
//! `s_c` (4 bytes each; a deployment folds `1/s_c` into the previous layer or the input).
//! AWQ's second step, a search of per-group clipping ranges, is not done here.

use crate::error::{QuantError, Result};
use crate::mlp::net::linear_forward;
use crate::mlp::quant::{IntFit, QuantConfig};

/// The outcome of the search.
#[derive(Debug, Clone, PartialEq)]
pub struct AwqSearch {
    /// The chosen exponent.
    pub alpha: f32,
    /// `s_c`, one per input.
    pub input_scales: Vec<f32>,
    /// Round-to-nearest codes and scales of `W·diag(s)`.
    pub fit: IntFit,
    /// The output error `‖X·Ŵᵀ − X·Wᵀ‖² / (m·out)` at the chosen `α`, and at `α = 0`.
    pub mse: f64,
    /// The same error for plain round-to-nearest (`α = 0`).
    pub mse_nearest: f64,
}

/// The exponents tried.
pub const ALPHAS: [f32; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

fn output_mse(y: &[f32], yq: &[f32]) -> f64 {
    let s: f64 = y
        .iter()
        .zip(yq)
        .map(|(&a, &b)| {
            let d = f64::from(a) - f64::from(b);
            d * d
        })
        .sum();
    s / y.len().max(1) as f64
}

/// Searches `α` for the layer `w` `(out, in)` on `m` calibration inputs `x` `(m, in)`.
pub fn search(
    w: &[f32],
    out_dim: usize,
    in_dim: usize,
    x: &[f32],
    m: usize,
    config: &QuantConfig,
) -> Result<AwqSearch> {
    if m == 0 || x.len() != m * in_dim || w.len() != out_dim * in_dim {
        return Err(QuantError::ShapeMismatch {
            shape: vec![m, in_dim],
            expected: m * in_dim,
            actual: x.len(),
        });
    }
    let mut mean_abs = vec![0.0f64; in_dim];
    for row in x.chunks_exact(in_dim) {
        for (a, &v) in mean_abs.iter_mut().zip(row) {
            *a += f64::from(v.abs());
        }
    }
    let floor = 1e-4 * mean_abs.iter().cloned().fold(0.0, f64::max).max(1e-12);
    for a in &mut mean_abs {
        *a = (*a / m as f64).max(floor);
    }
    let zero = vec![0.0f32; out_dim];
    let y = linear_forward(x, m, in_dim, w, &zero);
    let shape = [out_dim, in_dim];
    let mut best: Option<AwqSearch> = None;
    let mut mse_nearest = f64::INFINITY;
    for &alpha in &ALPHAS {
        let raw: Vec<f64> = mean_abs.iter().map(|a| a.powf(f64::from(alpha))).collect();
        let (lo, hi) = raw.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
        let norm = (lo * hi).sqrt();
        let s: Vec<f32> = raw.iter().map(|v| (v / norm) as f32).collect();
        let scaled: Vec<f32> = w
            .iter()
            .enumerate()
            .map(|(i, &v)| v * s[i % in_dim])
            .collect();
        let fit = IntFit::new(&scaled, &shape, config)?;
        let eff: Vec<f32> = fit
            .codes
            .iter()
            .enumerate()
            .map(|(i, &c)| c as f32 * fit.scales[fit.layout.group_of(i)] / s[i % in_dim])
            .collect();
        let mse = output_mse(&y, &linear_forward(x, m, in_dim, &eff, &zero));
        if alpha == 0.0 {
            mse_nearest = mse;
        }
        if best.as_ref().is_none_or(|b| mse < b.mse) {
            best = Some(AwqSearch {
                alpha,
                input_scales: s,
                fit,
                mse,
                mse_nearest,
            });
        }
    }
    let mut best = best.ok_or_else(|| QuantError::InvalidParameter("no α was tried".into()))?;
    best.mse_nearest = mse_nearest;
    Ok(best)
}
