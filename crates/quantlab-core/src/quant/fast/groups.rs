//! Per-group statistics of a tensor in one vectorized pass: the fits of the fast paths.

use super::{dispatch, level};
use crate::quant::granularity::GroupLayout;

/// `max |x|` of every group of `layout`, and whether every value of `data` is finite.
pub fn group_absmax(layout: &GroupLayout, data: &[f32]) -> (Vec<f32>, bool) {
    let level = level();
    let mut out = vec![0f32; layout.num_groups()];
    let mut ok = true;
    layout.for_each_run(|g, r| {
        let (a, f) = dispatch::absmax_finite(level, &data[r]);
        out[g] = if a > out[g] { a } else { out[g] };
        ok &= f;
    });
    (out, ok)
}

/// `(min, max)` of every group of `layout`, and whether every value of `data` is finite.
pub fn group_min_max(layout: &GroupLayout, data: &[f32]) -> (Vec<(f32, f32)>, bool) {
    let level = level();
    let mut out = vec![(f32::INFINITY, f32::NEG_INFINITY); layout.num_groups()];
    let mut ok = true;
    layout.for_each_run(|g, r| {
        let (lo, hi, f) = dispatch::min_max_finite(level, &data[r]);
        let e = &mut out[g];
        e.0 = if lo < e.0 { lo } else { e.0 };
        e.1 = if hi > e.1 { hi } else { e.1 };
        ok &= f;
    });
    (out, ok)
}
