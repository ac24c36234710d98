//! The scale searches of the K-quants (ggml's `make_qx_quants`, `make_q3_quants` and
//! `make_qkx2_quants`), and the packing of their sub-block scales.
//!
//! Each search fits one sub-block (16 or 32 values) and returns its scale (and minimum)
//! with the codes it chose. They are restated from ggml's reference: `f32` arithmetic,
//! sums in index order, products grouped as there, no fused multiply-add, so that the
//! chosen codes and scales are the reference's to the bit.

use crate::quant::ggml::common::{GROUP_MAX_EPS, nearest_int};

/// The value of largest magnitude with its sign (the first on ties), and that magnitude.
fn signed_absmax(x: &[f32]) -> (f32, f32) {
    let (mut amax, mut max) = (0.0f32, 0.0f32);
    for &v in x {
        if v.abs() > amax {
            amax = v.abs();
            max = v;
        }
    }
    (max, amax)
}

/// Symmetric codes `l ∈ −nmax..nmax−1` for `x` under inverse scale `iscale`, weighted by
/// `x²` (ggml's `make_qx_quants` with `rmse_type = 1`, no importance weights): start at
/// `iscale = −nmax/max`, refit the scale by least squares, then try 18 nearby inverse
/// scales `−(nmax + 0.1·k)/max` (`k = ±1 … ±9`) and keep the best-scoring one.
///
/// Writes `l + nmax` to `codes` and returns the scale (0 and all codes 0 for an all-zero
/// sub-block).
pub fn make_qx_quants(x: &[f32], nmax: i32, codes: &mut [i8]) -> f32 {
    let (max, amax) = signed_absmax(x);
    if amax < GROUP_MAX_EPS {
        codes.iter_mut().for_each(|c| *c = 0);
        return 0.0;
    }
    let fnmax = nmax as f32;
    let code = |iscale: f32, v: f32| nearest_int(iscale * v).clamp(-nmax, nmax - 1);
    let sums = |iscale: f32| {
        let (mut sumlx, mut suml2) = (0.0f32, 0.0f32);
        for &v in x {
            let l = code(iscale, v) as f32;
            let w = v * v;
            sumlx += w * v * l;
            suml2 += w * l * l;
        }
        (sumlx, suml2)
    };
    let iscale = -fnmax / max;
    for (c, &v) in codes.iter_mut().zip(x) {
        *c = (code(iscale, v) + nmax) as i8;
    }
    let (sumlx, suml2) = sums(iscale);
    let mut scale = if suml2 != 0.0 { sumlx / suml2 } else { 0.0 };
    let mut best = scale * sumlx;
    for is in -9..=9 {
        if is == 0 {
            continue;
        }
        let iscale = -(fnmax + 0.1 * is as f32) / max;
        let (sumlx, suml2) = sums(iscale);
        if suml2 > 0.0 && sumlx * sumlx > best * suml2 {
            for (c, &v) in codes.iter_mut().zip(x) {
                *c = (code(iscale, v) + nmax) as i8;
            }
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    scale
}

/// Symmetric codes `l ∈ −nmax..nmax−1` refined one at a time (ggml's `make_q3_quants` with
/// `do_rmse`): start at `iscale = −nmax/max`, then up to 5 passes in which each code moves
/// to `round(x·Σw·l² / Σw·x·l)` (computed without itself) when that raises
/// `(Σw·x·l)²/Σw·l²`, `w = x²`.
///
/// Writes `l + nmax` to `codes` and returns the scale `Σw·x·l / Σw·l²` (0 and all codes 0
/// for an all-zero sub-block).
pub fn make_q3_quants(x: &[f32], nmax: i32, codes: &mut [i8]) -> f32 {
    let (max, amax) = signed_absmax(x);
    if amax < GROUP_MAX_EPS {
        codes.iter_mut().for_each(|c| *c = 0);
        return 0.0;
    }
    let iscale = -(nmax as f32) / max;
    let (mut sumlx, mut suml2) = (0.0f32, 0.0f32);
    let mut l: Vec<i32> = Vec::with_capacity(x.len());
    for &v in x {
        let li = nearest_int(iscale * v).clamp(-nmax, nmax - 1);
        l.push(li);
        let w = v * v;
        sumlx += w * v * li as f32;
        suml2 += w * li as f32 * li as f32;
    }
    for _ in 0..5 {
        let mut changed = 0;
        for (i, &v) in x.iter().enumerate() {
            let w = v * v;
            let li = l[i] as f32;
            let mut slx = sumlx - w * v * li;
            if slx > 0.0 {
                let mut sl2 = suml2 - w * li * li;
                let new_l = nearest_int(v * sl2 / slx).clamp(-nmax, nmax - 1);
                if new_l != l[i] {
                    let nl = new_l as f32;
                    slx += w * v * nl;
                    sl2 += w * nl * nl;
                    if sl2 > 0.0 && slx * slx * suml2 > sumlx * sumlx * sl2 {
                        l[i] = new_l;
                        sumlx = slx;
                        suml2 = sl2;
                        changed += 1;
                    }
                }
            }
        }
        if changed == 0 {
            break;
        }
    }
    for (c, &li) in codes.iter_mut().zip(&l) {
        *c = (li + nmax) as i8;
    }
    if suml2 > 0.0 { sumlx / suml2 } else { 0.0 }
}

/// The settings of one [`make_qkx2_quants`] search.
#[derive(Debug, Clone, Copy)]
pub struct Qkx2 {
    /// Largest code.
    pub nmax: i32,
    /// First extra inverse-scale offset tried (`rmin`).
    pub rmin: f32,
    /// Step between the tries (`rdelta`).
    pub rdelta: f32,
    /// Tries after the first (`nstep`).
    pub nstep: i32,
    /// Score by weighted absolute error instead of weighted squared error.
    pub use_mad: bool,
}

/// Affine codes `l ∈ 0..=nmax` with a scale and a minimum (ggml's `make_qkx2_quants`):
/// start from the range `[min(x, 0), max(x)]`, then for each `k = 0 … nstep` try the
/// inverse scale `(rmin + rdelta·k + nmax)/(max − min)`, fit scale and minimum to those
/// codes by weighted least squares (the minimum kept `≤ 0`), and keep the try with the
/// least weighted error.
///
/// Writes the codes and returns `(scale, −min)` (`−min ≥ 0` is what the block stores).
pub fn make_qkx2_quants(x: &[f32], weights: &[f32], s: Qkx2, codes: &mut [u8]) -> (f32, f32) {
    let n = x.len().min(weights.len());
    if n == 0 {
        return (0.0, 0.0);
    }
    let (mut min, mut max) = (x[0], x[0]);
    let mut sum_w = weights[0];
    let mut sum_x = sum_w * x[0];
    for i in 1..n {
        if x[i] < min {
            min = x[i];
        }
        if x[i] > max {
            max = x[i];
        }
        let w = weights[i];
        sum_w += w;
        sum_x += w * x[i];
    }
    if min > 0.0 {
        min = 0.0;
    }
    if max == min {
        codes.iter_mut().for_each(|c| *c = 0);
        return (0.0, -min);
    }
    let nmax = s.nmax;
    let code = |iscale: f32, v: f32, min: f32| nearest_int(iscale * (v - min)).clamp(0, nmax);
    let error = |scale: f32, min: f32, l: &[u8]| {
        let mut e = 0.0f32;
        for i in 0..n {
            let diff = scale * f32::from(l[i]) + min - x[i];
            let diff = if s.use_mad { diff.abs() } else { diff * diff };
            e += weights[i] * diff;
        }
        e
    };
    let mut iscale = nmax as f32 / (max - min);
    let mut scale = 1.0 / iscale;
    for i in 0..n {
        codes[i] = code(iscale, x[i], min) as u8;
    }
    let mut best_error = error(scale, min, codes);
    if s.nstep < 1 {
        return (scale, -min);
    }
    let mut aux = vec![0u8; n];
    for is in 0..=s.nstep {
        iscale = (s.rmin + s.rdelta * is as f32 + nmax as f32) / (max - min);
        let (mut sum_l, mut sum_l2, mut sum_xl) = (0.0f32, 0.0f32, 0.0f32);
        for i in 0..n {
            let l = code(iscale, x[i], min);
            aux[i] = l as u8;
            let (w, l) = (weights[i], l as f32);
            sum_l += w * l;
            sum_l2 += w * l * l;
            sum_xl += w * l * x[i];
        }
        let det = sum_w * sum_l2 - sum_l * sum_l;
        if det > 0.0 {
            let mut this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
            let mut this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
            if this_min > 0.0 {
                this_min = 0.0;
                this_scale = sum_xl / sum_l2;
            }
            let cur_error = error(this_scale, this_min, &aux);
            if cur_error < best_error {
                codes[..n].copy_from_slice(&aux);
                best_error = cur_error;
                scale = this_scale;
                min = this_min;
            }
        }
    }
    (scale, -min)
}

/// Packs eight 6-bit scales and eight 6-bit minimums into 12 bytes as Q4_K and Q5_K do:
/// bytes 0–3 hold scales 0–3 (low 6 bits) and the top 2 bits of scales 4–7; bytes 4–7
/// the same for the minimums; bytes 8–11 the low nibbles of scale and minimum 4–7.
pub fn pack_scale_min_k4(ls: &[u8; 8], lm: &[u8; 8]) -> [u8; 12] {
    let mut s = [0u8; 12];
    for j in 0..8 {
        if j < 4 {
            s[j] = ls[j];
            s[j + 4] = lm[j];
        } else {
            s[j + 4] = (ls[j] & 0xF) | ((lm[j] & 0xF) << 4);
            s[j - 4] |= (ls[j] >> 4) << 6;
            s[j] |= (lm[j] >> 4) << 6;
        }
    }
    s
}

/// Scale and minimum `j` (0–7) of a Q4_K/Q5_K scale array (ggml's `get_scale_min_k4`).
pub fn scale_min_k4(j: usize, q: &[u8; 12]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        (
            (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4),
            (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
        )
    }
}

/// Packs 256 2-bit codes as Q2_K and Q3_K do: in each half of 128 values, byte `l` (0–31)
/// holds codes `l`, `l + 32`, `l + 64`, `l + 96` in bits 0–1, 2–3, 4–5, 6–7.
pub fn pack_2bit(l: &[u8]) -> [u8; 64] {
    let mut qs = [0u8; 64];
    for half in 0..2 {
        let j = 128 * half;
        for i in 0..32 {
            qs[32 * half + i] = (l[j + i] & 3)
                | (l[j + i + 32] & 3) << 2
                | (l[j + i + 64] & 3) << 4
                | (l[j + i + 96] & 3) << 6;
        }
    }
    qs
}

/// The 256 2-bit codes of [`pack_2bit`], in value order.
pub fn unpack_2bit(qs: &[u8; 64]) -> Vec<u8> {
    let mut l = vec![0u8; 256];
    for (k, v) in l.iter_mut().enumerate() {
        let (half, r) = (k / 128, k % 128);
        *v = (qs[32 * half + r % 32] >> (2 * (r / 32))) & 3;
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2bit_packing_round_trips_in_ggml_order() {
        let l: Vec<u8> = (0..256).map(|i| ((i * 7 + i / 5) % 4) as u8).collect();
        let qs = pack_2bit(&l);
        assert_eq!(unpack_2bit(&qs), l);
        // Byte 0 holds values 0, 32, 64, 96.
        assert_eq!(qs[0], l[0] | l[32] << 2 | l[64] << 4 | l[96] << 6);
        assert_eq!(qs[33], l[129] | l[161] << 2 | l[193] << 4 | l[225] << 6);
    }

    #[test]
    fn the_6bit_scale_packing_round_trips() {
        let ls = [0, 1, 17, 63, 32, 45, 9, 63];
        let lm = [63, 5, 0, 20, 33, 1, 62, 16];
        let q = pack_scale_min_k4(&ls, &lm);
        for j in 0..8 {
            assert_eq!(scale_min_k4(j, &q), (ls[j], lm[j]), "{j}");
        }
    }

    #[test]
    fn searches_of_zeros_give_zero_scales() {
        let x = [0.0f32; 16];
        let mut c = [5i8; 16];
        assert_eq!(make_qx_quants(&x, 32, &mut c), 0.0);
        assert_eq!(c, [0; 16]);
        assert_eq!(make_q3_quants(&x, 4, &mut c), 0.0);
        let mut u = [5u8; 16];
        let s = Qkx2 {
            nmax: 3,
            rmin: -0.5,
            rdelta: 0.1,
            nstep: 15,
            use_mad: true,
        };
        let (scale, m) = make_qkx2_quants(&x, &x, s, &mut u);
        assert_eq!((scale, m), (0.0, 0.0));
        assert_eq!(u, [0; 16]);
    }

    #[test]
    fn a_uniform_ramp_is_fitted_exactly_by_the_affine_search() {
        // x = 0.5·l − 1 for l = 0..=3: scale 0.5, min −1, codes l.
        let x: Vec<f32> = (0..16).map(|i| 0.5 * (i % 4) as f32 - 1.0).collect();
        let w: Vec<f32> = x.iter().map(|v| v.abs()).collect();
        let mut l = [0u8; 16];
        let s = Qkx2 {
            nmax: 3,
            rmin: -0.5,
            rdelta: 0.1,
            nstep: 15,
            use_mad: true,
        };
        let (scale, m) = make_qkx2_quants(&x, &w, s, &mut l);
        assert!((scale - 0.5).abs() < 1e-6, "{scale}");
        assert!((m - 1.0).abs() < 1e-6, "{m}");
        assert!(l.iter().enumerate().all(|(i, &c)| c as usize == i % 4));
    }
}
