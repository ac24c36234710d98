//! GPTQ (Frantar et al., 2022): round a layer's weights one input column at a time and push
//! each column's rounding error onto the columns not yet rounded, weighted by the inverse
//! Hessian of the layer's squared output error on calibration inputs.
//!
//! For a layer `z = W·x` and calibration inputs `X` `(m, in)`, the output error of a weight
//! change `ΔW` is `‖ΔW·Xᵀ‖²`, whose Hessian in each row of `W` is `H = 2/m · XᵀX` `(in, in)`.
//! With `U` the upper Cholesky factor of `H⁻¹` (`H⁻¹ = Uᵀ·U`), column `k` is rounded to
//! `q_k` on the grid and every row's remaining columns move by
//!
//! ```text
//! e_j = (w_jk − q_jk·s_jk) / U_kk,      w_jc −= e_j · U_kc     (c > k)
//! ```
//!
//! which is the optimal update of the not-yet-rounded weights for that error (the OBS
//! step), so later columns absorb what earlier ones lost.
//!
//! **The grid is fixed first** (the "static groups" variant): the scales are those of plain
//! round-to-nearest on the original weights, so a GPTQ layer is stored exactly like its
//! round-to-nearest twin (same codes range, same scales, same bytes) and only the codes
//! differ. `H` is damped by 1 % of its mean diagonal (more if it is not positive definite);
//! an input that is zero on every calibration sample gets a unit diagonal and no update.
//! With **act-order**, columns are rounded by decreasing `H_kk` (the inputs with the most
//! energy first), which helps when a few inputs dominate.

use super::linalg::{cholesky_upper, spd_inverse};
use crate::error::{QuantError, Result};
use crate::mlp::quant::IntFit;
use crate::quant::kernel::round_half_even;

/// `H = 2/m · XᵀX` for `m` inputs `x` `(m, in)`, in `f64`.
pub fn hessian(x: &[f32], m: usize, in_dim: usize) -> Result<Vec<f64>> {
    if m == 0 || x.len() != m * in_dim {
        return Err(QuantError::ShapeMismatch {
            shape: vec![m, in_dim],
            expected: m * in_dim,
            actual: x.len(),
        });
    }
    let mut h = vec![0.0f64; in_dim * in_dim];
    for row in x.chunks_exact(in_dim) {
        for (a, &xa) in row.iter().enumerate() {
            if xa == 0.0 {
                continue;
            }
            let xa = f64::from(xa);
            let hrow = &mut h[a * in_dim..(a + 1) * in_dim];
            for (hb, &xb) in hrow[..=a].iter_mut().zip(row) {
                *hb += xa * f64::from(xb);
            }
        }
    }
    let f = 2.0 / m as f64;
    for a in 0..in_dim {
        for b in 0..=a {
            let v = h[a * in_dim + b] * f;
            h[a * in_dim + b] = v;
            h[b * in_dim + a] = v;
        }
    }
    Ok(h)
}

/// The damped inverse-Hessian factor `U` (upper, `H⁻¹ = Uᵀ·U`) of `h` in the column order
/// `perm`, and which inputs are dead (zero on every calibration sample).
fn factor(h: &[f64], n: usize, perm: &[usize]) -> Result<(Vec<f64>, Vec<bool>)> {
    let mut hp = vec![0.0f64; n * n];
    for (i, &pi) in perm.iter().enumerate() {
        for (j, &pj) in perm.iter().enumerate() {
            hp[i * n + j] = h[pi * n + pj];
        }
    }
    let dead: Vec<bool> = (0..n).map(|i| hp[i * n + i] == 0.0).collect();
    for i in 0..n {
        if dead[i] {
            hp[i * n + i] = 1.0;
        }
    }
    let mean_diag = (0..n).map(|i| hp[i * n + i]).sum::<f64>() / n.max(1) as f64;
    let mut damp = 0.01 * mean_diag;
    for _ in 0..6 {
        let mut d = hp.clone();
        for i in 0..n {
            d[i * n + i] += damp;
        }
        if let Ok(inv) = spd_inverse(&d, n)
            && let Ok(u) = cholesky_upper(&inv, n)
        {
            return Ok((u, dead));
        }
        damp *= 10.0;
    }
    Err(QuantError::InvalidParameter(
        "the calibration Hessian stays singular after damping".into(),
    ))
}

/// GPTQ codes for `w` `(out, in)` on the grid of `rtn` (its scales and layout; its codes are
/// replaced), with the Hessian `h` `(in, in)` of [`hessian`]. `act_order` rounds the columns
/// by decreasing `H_kk`.
pub fn gptq(
    w: &[f32],
    out_dim: usize,
    in_dim: usize,
    h: &[f64],
    rtn: &IntFit,
    act_order: bool,
) -> Result<Vec<i32>> {
    let n = in_dim;
    if w.len() != out_dim * n || h.len() != n * n || rtn.codes.len() != w.len() {
        return Err(QuantError::ShapeMismatch {
            shape: vec![out_dim, n],
            expected: out_dim * n,
            actual: w.len(),
        });
    }
    let mut perm: Vec<usize> = (0..n).collect();
    if act_order {
        // Decreasing diagonal; ties keep the input order.
        perm.sort_unstable_by(|&a, &b| h[b * n + b].total_cmp(&h[a * n + a]).then(a.cmp(&b)));
    }
    let (u, dead) = factor(h, n, &perm)?;
    let (qmin, qmax) = rtn.range();
    // The weights in the column order `perm`, as f64, updated as columns are rounded.
    let mut wp: Vec<f64> = Vec::with_capacity(w.len());
    for row in w.chunks_exact(n) {
        wp.extend(perm.iter().map(|&c| f64::from(row[c])));
    }
    let mut codes = vec![0i32; w.len()];
    let mut err = vec![0.0f64; out_dim];
    for k in 0..n {
        let col = perm[k];
        let ukk = u[k * n + k];
        for (j, e) in err.iter_mut().enumerate() {
            let s = f64::from(rtn.scales[rtn.layout.group_of(j * n + col)]);
            let v = wp[j * n + k];
            let q = if s > 0.0 {
                (round_half_even(v / s) as i64).clamp(i64::from(qmin), i64::from(qmax)) as i32
            } else {
                0
            };
            codes[j * n + col] = q;
            *e = if dead[k] {
                0.0
            } else {
                (v - f64::from(q) * s) / ukk
            };
        }
        let urow = &u[k * n + k + 1..(k + 1) * n];
        for (j, &e) in err.iter().enumerate() {
            if e == 0.0 {
                continue;
            }
            let rest = &mut wp[j * n + k + 1..(j + 1) * n];
            for (wv, &uv) in rest.iter_mut().zip(urow) {
                *wv -= e * uv;
            }
        }
    }
    Ok(codes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::mlp::quant::QuantConfig;

    fn weights(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (((i * 7919) % 1000) as f32 / 1000.0 - 0.5) * 0.3)
            .collect()
    }

    #[test]
    fn with_uncorrelated_inputs_gptq_is_round_to_nearest() {
        // H = I: no column's error can be compensated by another, so the codes are RTN's.
        let (out, inp) = (6, 40);
        let w = weights(out * inp);
        let rtn = IntFit::new(&w, &[out, inp], &QuantConfig::W4_PER_CHANNEL).unwrap();
        let mut h = vec![0.0; inp * inp];
        for i in 0..inp {
            h[i * inp + i] = 1.0;
        }
        for act_order in [false, true] {
            assert_eq!(gptq(&w, out, inp, &h, &rtn, act_order).unwrap(), rtn.codes);
        }
    }

    #[test]
    fn with_correlated_inputs_the_output_error_falls() {
        // Two inputs that are always equal: rounding one weight down can be repaid by
        // rounding its twin up, which GPTQ finds and RTN cannot.
        let (out, inp, m) = (8, 32, 64);
        let w = weights(out * inp);
        let x: Vec<f32> = (0..m * inp)
            .map(|i| {
                let (r, c) = (i / inp, (i % inp) / 2 * 2);
                (((r * 31 + c * 17) % 23) as f32 / 11.0) - 1.0
            })
            .collect();
        let h = hessian(&x, m, inp).unwrap();
        let rtn = IntFit::new(&w, &[out, inp], &QuantConfig::w4_group(16)).unwrap();
        let codes = gptq(&w, out, inp, &h, &rtn, false).unwrap();
        let err = |codes: &[i32]| -> f64 {
            let mut e = 0.0;
            for row in x.chunks_exact(inp) {
                for j in 0..out {
                    let mut d = 0.0f64;
                    for c in 0..inp {
                        let s = f64::from(rtn.scales[rtn.layout.group_of(j * inp + c)]);
                        let dq = f64::from(codes[j * inp + c]) * s;
                        d += (f64::from(w[j * inp + c]) - dq) * f64::from(row[c]);
                    }
                    e += d * d;
                }
            }
            e
        };
        let (e_gptq, e_rtn) = (err(&codes), err(&rtn.codes));
        assert!(e_gptq < 0.5 * e_rtn, "GPTQ {e_gptq} vs RTN {e_rtn}");
        assert!(codes.iter().all(|&q| (-8..=7).contains(&q)));
    }
}
