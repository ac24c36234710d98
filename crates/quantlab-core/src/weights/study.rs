//! One scheme on one tensor: reconstruction, metrics, per-group scales and errors, an error
//! heat map, and one weight worked through `r = S·(q − Z)`.
//!
//! **Metrics**, with `e = x − x̂` over all `N` weights:
//!
//! ```text
//! MSE = Σe²/N      SNR = 10·log10(Σx²/Σe²) dB      max error = max|e|
//! relative Frobenius error = ‖W − Ŵ‖_F / ‖W‖_F = √(Σe²/Σx²)
//! ```
//!
//! (`0` when nothing is lost; `+∞` when `W = 0` but `Ŵ ≠ 0`.)
//!
//! **Stored scales.** A linear scheme reconstructs with its scales (and real offsets)
//! rounded to the storage format ([`ScaleDtype`]): what a deployed model computes. A scale
//! too small for the format rounds to 0 and its group reconstructs as a constant; such
//! groups are counted in [`Study::underflow_groups`].
//!
//! **Groups** are the scheme's own scale groups: the granularity of linear, FP4/FP8 and
//! companding schemes; NF4 blocks and ggml blocks along the flat data (the sub-blocks of 16
//! or 32 that share a scale, for the K-quants); one group for codebooks and casts.

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result};
use crate::quant::fast::affine::{AffineF32, AffineKind};
use crate::quant::kernel::round_half_even_f32;
use crate::quant::linear::{AffineParams, LinearQuantizer};
use crate::quant::quantizer::Quantizer;
use crate::quant::registry;
use crate::quant::rotation::HadamardRotation;
use crate::quant::scheme::{ScaleLayout, Scheme};
use crate::quant::types::Granularity;

use super::geometry::Geometry;
use super::storage::{ScaleDtype, Storage, storage};

/// Error figures of a reconstruction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeightMetrics {
    /// `Σe²/N`.
    pub mse: f64,
    /// `10·log10(Σx²/Σe²)` dB (`+∞` without error).
    pub snr_db: f64,
    /// `max|e|`.
    pub max_error: f64,
    /// `√(Σe²/Σx²)`.
    pub rel_frobenius: f64,
}

impl WeightMetrics {
    /// The figures from the sums `Σx²`, `Σe²`, the largest `|e|` and `N`.
    pub fn from_sums(sum_x2: f64, sum_e2: f64, max_error: f64, n: usize) -> Self {
        let rel_frobenius = if sum_e2 == 0.0 {
            0.0
        } else if sum_x2 == 0.0 {
            f64::INFINITY
        } else {
            (sum_e2 / sum_x2).sqrt()
        };
        WeightMetrics {
            mse: if n == 0 { 0.0 } else { sum_e2 / n as f64 },
            snr_db: crate::metrics::snr_db_from_powers(sum_x2, sum_e2),
            max_error,
            rel_frobenius,
        }
    }

    /// The figures of reconstruction `y` of `x` (equal lengths), summed in `f64` by
    /// [`crate::quant::fast::reduce::error_sums`].
    pub fn compute(x: &[f32], y: &[f32]) -> Self {
        let level = crate::quant::fast::level();
        let (sx, se, mx) = crate::quant::fast::dispatch::error_sums(level, x, y);
        Self::from_sums(sx, se, mx, x.len())
    }

    /// Whether every figure equals `other`'s to a relative `1e-12` (sums of the same terms
    /// taken in another order).
    pub fn agrees_with(&self, other: &WeightMetrics) -> bool {
        let near = |a: f64, b: f64| a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
        near(self.mse, other.mse)
            && near(self.snr_db, other.snr_db)
            && near(self.max_error, other.max_error)
            && near(self.rel_frobenius, other.rel_frobenius)
    }
}

/// Mean squared error over cells of the matrix view: `rows × cols` cells, each
/// `row_step` matrix rows by `col_step` columns, row-major.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorMap {
    /// Cell rows.
    pub rows: usize,
    /// Cell columns.
    pub cols: usize,
    /// Matrix rows per cell.
    pub row_step: usize,
    /// Matrix columns per cell (the group size when the scheme groups along rows).
    pub col_step: usize,
    /// MSE of each cell, row-major.
    pub values: Vec<f64>,
}

impl ErrorMap {
    /// `(min, max)` of the cells.
    pub fn range(&self) -> (f64, f64) {
        self.values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            })
    }
}

/// One weight worked through `q = clamp(round(x/S + Z), q_min, q_max)`, `r = S·(q − Z)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WorkedExample {
    /// The weight `x`.
    pub x: f64,
    /// `S` as stored.
    pub scale: f64,
    /// `Z`.
    pub zero_point: f64,
    /// Smallest code.
    pub qmin: i32,
    /// Largest code.
    pub qmax: i32,
    /// `x/S`.
    pub x_over_s: f64,
    /// `x/S + Z`.
    pub plus_z: f64,
    /// `round(x/S + Z)`, half to even, before the clamp.
    pub rounded: f64,
    /// The code `q` after the clamp.
    pub q: i32,
    /// Whether the clamp changed it (the weight was clipped).
    pub clamped: bool,
    /// `q − Z`.
    pub q_minus_z: f64,
    /// `r = S·(q − Z)`, as the quantizer returns it (`f32`).
    pub r: f64,
    /// `x − r`.
    pub error: f64,
}

/// Works `x` through the group whose parameters are `p`.
///
/// The course path (`asym-float`, a real offset) computes `q_min + round((x − x_min)/S)`;
/// the steps show it as `x/S + Z` with `Z = q_min − x_min/S`, and `q` is always exactly the
/// quantizer's code.
pub fn worked_example(p: &AffineParams, x: f32) -> WorkedExample {
    // The quantizer's own `f32` steps (crate::quant::fast::affine).
    let xf = f64::from(x);
    let g = p.grid();
    let (s, z, qmin) = (g.s, g.z, g.qmin);
    let live = !matches!(g.kind, AffineKind::Constant(_));
    let x_over_s = if live { x / s } else { 0.0 };
    let (plus_z, rounded) = match g.kind {
        AffineKind::Offset => {
            let t = (x - g.lo) / s;
            (t + qmin, qmin + round_half_even_f32(t))
        }
        AffineKind::Int => (x_over_s + z, round_half_even_f32(x_over_s) + z),
        AffineKind::Half => {
            let t = x_over_s + z;
            (t, round_half_even_f32(t))
        }
        AffineKind::Constant(q) => (z, q),
    };
    let (x_over_s, plus_z, rounded) = (f64::from(x_over_s), f64::from(plus_z), f64::from(rounded));
    let q = p.quantize_one(x);
    let r = f64::from(p.dequantize_one(q));
    WorkedExample {
        x: xf,
        scale: p.scale,
        zero_point: p.zero_point,
        qmin: p.qmin,
        qmax: p.qmax,
        x_over_s,
        plus_z,
        rounded,
        q,
        clamped: f64::from(q) != rounded,
        q_minus_z: f64::from(q) - p.zero_point,
        r,
        error: xf - r,
    }
}

/// The `S`, `Z` of every group of a linear `scheme` on `data` laid out as `geometry`
/// (which must be the scheme's). Min-max ranges take one division-free pass; the clipping
/// strategies go through [`LinearQuantizer::fit`].
pub fn linear_params(
    data: &[f32],
    shape: &[usize],
    geometry: &Geometry,
    scheme: &Scheme,
) -> Result<Vec<AffineParams>> {
    if scheme.clip != crate::quant::linear::clipping::ClipKind::MinMax {
        return Ok(LinearQuantizer::fit(data, shape, scheme)?.params);
    }
    crate::error::check_bits(
        scheme.bits,
        crate::quant::linear::MIN_BITS,
        crate::quant::linear::MAX_BITS,
    )?;
    // The quantizer's own vectorized fit (the same extremes as a left-to-right pass).
    let (extremes, _) = crate::quant::fast::groups::group_min_max(geometry.layout(), data);
    extremes
        .into_iter()
        .map(|(lo, hi)| {
            AffineParams::choose(
                f64::from(lo),
                f64::from(hi),
                scheme.bits,
                scheme.mode,
                scheme.range,
            )
        })
        .collect()
}

/// Rounds the scales (and real offsets) of `params` to their storage format `dtype`, as a
/// deployed model holds them; returns how many scales rounded to 0.
pub fn store_params(params: &mut [AffineParams], dtype: ScaleDtype) -> usize {
    let mut underflow = 0;
    for p in params {
        let stored = dtype.round(p.scale);
        if p.scale > 0.0 && stored == 0.0 {
            underflow += 1;
        }
        p.scale = stored;
        if let Some(lo) = p.offset {
            let lo = dtype.round(lo);
            p.offset = Some(lo);
            if p.scale > 0.0 {
                p.zero_point = f64::from(p.qmin) - lo / p.scale;
            }
        }
    }
    underflow
}

/// What to compute besides the reconstruction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StudyOptions {
    /// Storage of scales.
    pub scale_dtype: ScaleDtype,
    /// The selected group (clamped to the last).
    pub group: usize,
    /// Most cell rows of the heat map.
    pub heat_rows: usize,
    /// Most cell columns of the heat map.
    pub heat_cols: usize,
}

impl Default for StudyOptions {
    fn default() -> Self {
        StudyOptions {
            scale_dtype: ScaleDtype::Fp16,
            group: 0,
            heat_rows: 96,
            heat_cols: 64,
        }
    }
}

/// One scheme on one tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// `x̂`, row-major, when it is kept; `None` for a linear scheme without a rotation,
    /// whose reconstruction is recomputed from [`Study::params`] on demand
    /// ([`Study::recon_at`], [`Study::reconstruction`]): its study is one pass over the
    /// tensor and holds nothing of the tensor's size.
    recon: Option<Vec<f32>>,
    /// Error figures.
    pub metrics: WeightMetrics,
    /// Storage cost.
    pub storage: Storage,
    /// The scheme's groups.
    pub geometry: Geometry,
    /// The scale of every group (linear: `S` as stored; NF4: the block absmax; FP4/FP8 and
    /// ggml: the block or sub-block step); empty for codebooks and casts.
    pub scales: Vec<f64>,
    /// Linear only: `S`, `Z` and the code range of every group.
    pub params: Vec<AffineParams>,
    /// MSE of every group.
    pub group_mse: Vec<f64>,
    /// The selected group (clamped).
    pub group: usize,
    /// The reconstruction levels of the selected group (linear, NF4, FP4/FP8), else of the
    /// first group; ascending.
    pub levels: Vec<f32>,
    /// The error heat map.
    pub heat: ErrorMap,
    /// Linear only: groups whose scale rounded to 0 in the storage format.
    pub underflow_groups: usize,
    /// The rotation applied before the scheme ([`Scheme::rotates`]); then `scales`,
    /// `params` and `levels` are those of the rotated weights, while `recon`, the metrics,
    /// `group_mse` and the heat map are measured in the original domain.
    pub rotation: Option<HadamardRotation>,
}

impl Study {
    /// `x̂_i`, the reconstruction of `data[i]` (`data` is the studied tensor).
    pub fn recon_at(&self, data: &[f32], i: usize) -> Option<f32> {
        match &self.recon {
            Some(r) => r.get(i).copied(),
            None => {
                let x = *data.get(i)?;
                let p = self.params.get(self.geometry.layout().group_of(i))?;
                let mut y = [0.0f32];
                p.grid().quantize_dequantize(&[x], &mut y);
                Some(y[0])
            }
        }
    }

    /// The whole reconstruction `x̂` of `data` (the studied tensor), row-major.
    pub fn reconstruction(&self, data: &[f32]) -> Vec<f32> {
        match &self.recon {
            Some(r) => r.clone(),
            None => {
                let grids: Vec<_> = self.params.iter().map(AffineParams::grid).collect();
                affine_recon(&self.geometry, &grids, data)
            }
        }
    }

    /// The group with the largest MSE and that MSE.
    pub fn worst_group(&self) -> (usize, f64) {
        self.group_mse
            .iter()
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |(bi, bv), (i, &v)| {
                if v > bv { (i, v) } else { (bi, bv) }
            })
    }

    /// The `k`-th weight of the selected group worked through `r = S·(q − Z)` (linear
    /// schemes), with its flat index; `None` for other schemes or past the group's end.
    /// With a rotation, the weight worked through is the rotated one, `(R·x)_i`: the value
    /// the scheme quantizes.
    pub fn worked(&self, data: &[f32], k: usize) -> Option<(usize, WorkedExample)> {
        let p = self.params.get(self.group)?;
        let i = self.geometry.flat_index(self.group, k)?;
        let x = match &self.rotation {
            None => *data.get(i)?,
            Some(r) => {
                let first = self.geometry.flat_index(self.group, 0)?;
                let len = self.geometry.group_len(self.group);
                let (_, cols) = self.geometry.matrix();
                let group = data.get(first..first + len)?;
                *r.forward_group(group, first % cols).ok()?.get(k)?
            }
        };
        Some((i, worked_example(p, x)))
    }
}

/// Quantizes `data` (row-major, `shape`) with `scheme` and measures everything the lab
/// shows. Linear time in `N`.
pub fn study(data: &[f32], shape: &[usize], scheme: &Scheme, opts: &StudyOptions) -> Result<Study> {
    scheme.validate()?;
    crate::quant::fast::dispatch::check_finite(data)?;
    let n = data.len();
    let geometry = Geometry::of_scheme(scheme, shape, n)?;
    let st = storage(scheme, shape, n, opts.scale_dtype)?;
    // Rotation: the same per-group path below runs on `R·x` (`domain`), with the scheme
    // itself (`plain`); the reconstruction is rotated back before anything is measured.
    let rotation = registry::rotation(scheme, shape, n)?;
    let rotated = match &rotation {
        Some(r) => Some(r.forward(data)?),
        None => None,
    };
    let domain: &[f32] = rotated.as_deref().unwrap_or(data);
    let plain = Scheme {
        rotate: false,
        ..*scheme
    };
    let scheme = &plain;
    let group = opts.group.min(geometry.num_groups().saturating_sub(1));
    let mut params = Vec::new();
    let mut underflow_groups = 0;
    let layout = (scheme.scheme.scales(), registry::float_format(scheme));
    let (recon, scales, levels): (Recon, Vec<f64>, Vec<f32>) = match layout {
        (ScaleLayout::Affine, _) => {
            let mut lparams = linear_params(domain, shape, &geometry, scheme)?;
            underflow_groups = store_params(&mut lparams, opts.scale_dtype);
            // Run by run, the quantizer's vectorized `dequantize_one(quantize_one(x))`.
            let grids: Vec<_> = lparams.iter().map(AffineParams::grid).collect();
            // Without a rotation the reconstruction is measured as it is made, piece by
            // piece, and not kept; a rotation needs it whole to rotate it back.
            let recon = match rotation {
                Some(_) => Recon::Stored(affine_recon(&geometry, &grids, domain)),
                None => Recon::Affine(grids),
            };
            let scales = lparams.iter().map(|p| p.scale).collect();
            let levels = lparams.get(group).map(|p| p.levels()).unwrap_or_default();
            params = lparams;
            (recon, scales, levels)
        }
        (ScaleLayout::Nf4Block, _) => {
            let q = crate::quant::nf4::Nf4Quantizer::fit(
                domain,
                shape,
                scheme.block_size as usize,
                scheme.double_quant,
            )?;
            let recon = Recon::Stored(q.quantize_dequantize(domain)?);
            let a = q.decode_absmax.get(group).copied().unwrap_or(0.0);
            let mut levels: Vec<f32> = crate::quant::nf4::NF4_CODE.iter().map(|&c| c * a).collect();
            levels.dedup();
            let scales = q.decode_absmax.iter().map(|&v| f64::from(v)).collect();
            (recon, scales, levels)
        }
        (ScaleLayout::MiniFloat, Some(format)) => {
            use crate::quant::minifloat::MiniFloatQuantizer;
            let q = MiniFloatQuantizer::fit(format, domain, shape, scheme.granularity())?;
            let recon = Recon::Stored(q.quantize_dequantize(domain)?);
            let first = q.levels();
            let (s0, sg) = (
                q.scales.first().copied().unwrap_or(0.0),
                q.scales.get(group).copied().unwrap_or(0.0),
            );
            let levels = if s0 > 0.0 {
                first.iter().map(|&l| l / s0 * sg).collect()
            } else {
                first
            };
            let scales = q.scales.iter().map(|&v| f64::from(v)).collect();
            (recon, scales, levels)
        }
        (ScaleLayout::MxBlock(element), _) => {
            use crate::quant::mx::MxQuantizer;
            let q = MxQuantizer::fit(element, domain, shape)?;
            let recon = Recon::Stored(q.quantize_dequantize(domain)?);
            let scales = q.scale_values();
            let levels = q.block_levels(group);
            (recon, scales, levels)
        }
        (ScaleLayout::Nvfp4Block, _) => {
            use crate::quant::mx::Nvfp4Quantizer;
            use crate::quant::mx::nvfp4::dequantize_one;
            let q = Nvfp4Quantizer::fit(domain, shape)?;
            let recon = Recon::Stored(q.quantize_dequantize(domain)?);
            let d = q.effective_scales();
            let scales = d.iter().map(|&v| f64::from(v)).collect();
            let dg = d.get(group).copied().unwrap_or(0.0);
            let mut levels: Vec<f32> = (0..16u8).map(|c| dequantize_one(c, dg)).collect();
            levels.sort_by(f32::total_cmp);
            levels.dedup();
            (recon, scales, levels)
        }
        (ScaleLayout::GgmlBlock(ty), _) => {
            use crate::quant::ggml::GgmlQuantizer;
            let q = GgmlQuantizer::fit(ty, domain, shape)?;
            let recon = Recon::Stored(q.quantize_dequantize(domain)?);
            let scales = q.scales().iter().map(|&v| f64::from(v)).collect();
            (recon, scales, q.levels())
        }
        (
            ScaleLayout::MiniFloat
            | ScaleLayout::GroupAbsmax
            | ScaleLayout::None
            | ScaleLayout::Codebook,
            _,
        ) => {
            let q = scheme.fit(domain, shape)?;
            (
                Recon::Stored(q.quantize_dequantize(domain)?),
                Vec::new(),
                q.levels(),
            )
        }
    };
    let recon = match (&rotation, recon) {
        (Some(r), Recon::Stored(y)) => Recon::Stored(r.inverse(&y)?),
        (_, recon) => recon,
    };
    let m = measure(data, &recon, shape, &geometry, opts)?;
    Ok(Study {
        metrics: m.metrics,
        storage: st,
        scales,
        params,
        group_mse: m.group_mse,
        group,
        levels,
        heat: m.heat,
        underflow_groups,
        recon: match recon {
            Recon::Stored(y) => Some(y),
            Recon::Affine(_) => None,
        },
        geometry,
        rotation,
    })
}

/// A reconstruction to measure: kept whole, or made piece by piece from each group's grid.
enum Recon {
    Stored(Vec<f32>),
    Affine(Vec<AffineF32>),
}

/// Every group's grid applied to its runs of `data`: the quantizer's vectorized
/// `dequantize_one(quantize_one(x))`.
fn affine_recon(geometry: &Geometry, grids: &[AffineF32], data: &[f32]) -> Vec<f32> {
    let level = crate::quant::fast::level();
    let mut recon = vec![0.0f32; data.len()];
    geometry.layout().for_each_run(|g, r| {
        if let Some(grid) = grids.get(g) {
            let (xs, ys) = (&data[r.clone()], &mut recon[r]);
            let _ = crate::quant::fast::dispatch::affine(level, grid, xs, ys);
        }
    });
    recon
}

/// What one pass over `(x, x̂)` measures.
struct Measured {
    metrics: WeightMetrics,
    group_mse: Vec<f64>,
    heat: ErrorMap,
}

/// The totals, the MSE of every group of `geometry` and the heat-map cells, in one pass in
/// row-major order (every sum in `f64`; see [`crate::quant::fast::reduce::error_sums`]).
fn measure(
    data: &[f32],
    recon: &Recon,
    shape: &[usize],
    geometry: &Geometry,
    opts: &StudyOptions,
) -> Result<Measured> {
    let n = data.len();
    if let Recon::Stored(y) = recon
        && y.len() != n
    {
        return Err(QuantError::ShapeMismatch {
            shape: shape.to_vec(),
            expected: n,
            actual: y.len(),
        });
    }
    // A made reconstruction goes through this buffer, a piece at a time.
    const PIECE: usize = 2048;
    let mut piece = [0.0f32; PIECE];
    // The cells are of the tensor's matrix view, whatever the scheme's groups are laid on.
    let view = Geometry::new(shape, n, Granularity::PerTensor)?;
    let (rows, cols) = view.matrix();
    let row_step = rows.div_ceil(opts.heat_rows.max(1)).max(1);
    let col_step = match geometry.granularity() {
        // Groups along the real rows: one cell per group (or per run of groups).
        Granularity::PerGroup { size } if geometry.shape() == view.shape() => {
            let gpr = cols.div_ceil(size);
            size * gpr.div_ceil(opts.heat_cols.max(1))
        }
        _ => cols.div_ceil(opts.heat_cols.max(1)),
    }
    .max(1);
    let (hr, hc) = (rows.div_ceil(row_step), cols.div_ceil(col_step));
    let mut cell_sum = vec![0.0f64; hr * hc];
    let mut cell_n = vec![0u32; hr * hc];
    let ng = geometry.num_groups();
    let (mut gsum, mut gn) = (vec![0.0f64; ng], vec![0u32; ng]);
    let (mut sx, mut se, mut mx) = (0.0f64, 0.0f64, 0.0f64);
    // The heat-map cursor: matrix row, column, column within the cell, cell.
    let (mut row, mut col, mut k, mut cell) = (0usize, 0usize, 0usize, 0usize);
    // The runs of the layout tile `0..n` in order; a run is cut where a cell or a row ends,
    // and each piece is summed by the vectorized kernel, then added to its totals, its
    // group and its cell.
    let level = crate::quant::fast::level();
    geometry.layout().for_each_run(|g, r| {
        let mut acc = gsum[g];
        let mut i = r.start;
        while i < r.end {
            let len = (r.end - i).min(col_step - k).min(cols - col).min(PIECE);
            let xs = &data[i..i + len];
            let ys: &[f32] = match recon {
                Recon::Stored(y) => &y[i..i + len],
                Recon::Affine(grids) => {
                    let ys = &mut piece[..len];
                    if let Some(grid) = grids.get(g) {
                        let _ = crate::quant::fast::dispatch::affine(level, grid, xs, ys);
                    }
                    ys
                }
            };
            let (px, pe, pm) = crate::quant::fast::dispatch::error_sums(level, xs, ys);
            sx += px;
            se += pe;
            mx = mx.max(pm);
            acc += pe;
            cell_sum[cell] += pe;
            cell_n[cell] += len as u32;
            i += len;
            col += len;
            k += len;
            if col == cols {
                (row, col, k) = (row + 1, 0, 0);
                cell = (row / row_step) * hc;
            } else if k == col_step {
                k = 0;
                cell += 1;
            }
        }
        gsum[g] = acc;
        gn[g] += r.len() as u32;
    });
    let mean = |s: f64, c: u32| if c == 0 { 0.0 } else { s / f64::from(c) };
    Ok(Measured {
        metrics: WeightMetrics::from_sums(sx, se, mx, n),
        group_mse: gsum.iter().zip(&gn).map(|(&s, &c)| mean(s, c)).collect(),
        heat: ErrorMap {
            rows: hr,
            cols: hc,
            row_step,
            col_step,
            values: cell_sum
                .iter()
                .zip(&cell_n)
                .map(|(&s, &c)| mean(s, c))
                .collect(),
        },
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::quant::scheme::SchemeKind;
    use crate::quant::types::{GranularityKind, Mode};
    use crate::weights::synth::{SynthSpec, generate};

    fn int(bits: u32, mode: Mode, granularity: GranularityKind, group_size: u32) -> Scheme {
        Scheme {
            bits,
            mode,
            granularity,
            group_size,
            ..Scheme::default()
        }
    }

    fn tensor() -> (Vec<f32>, Vec<usize>) {
        let s = SynthSpec {
            rows: 64,
            cols: 256,
            spread: 1.0,
            ..SynthSpec::default()
        };
        (generate(&s).unwrap(), vec![64, 256])
    }

    #[test]
    fn metrics_of_a_known_pair() {
        let m = WeightMetrics::compute(&[3.0, 4.0], &[3.0, 3.0]);
        assert_eq!(m.mse, 0.5);
        assert_eq!(m.max_error, 1.0);
        assert!((m.rel_frobenius - 0.2).abs() < 1e-12);
        assert!((m.snr_db - 10.0 * 25f64.log10()).abs() < 1e-12);
        let z = WeightMetrics::compute(&[0.0], &[0.0]);
        assert_eq!((z.rel_frobenius, z.snr_db), (0.0, f64::INFINITY));
        assert_eq!(
            WeightMetrics::compute(&[0.0], &[1.0]).rel_frobenius,
            f64::INFINITY
        );
    }

    #[test]
    fn geometry_maps_group_members_to_flat_indices() {
        let g = Geometry::new(&[3, 10], 30, Granularity::PerGroup { size: 4 }).unwrap();
        assert_eq!(g.num_groups(), 9);
        assert_eq!(g.group_len(2), 2);
        assert_eq!(g.flat_index(4, 1), Some(15));
        assert_eq!(g.flat_index(2, 2), None);
        let c = Geometry::new(&[3, 4], 12, Granularity::PerChannel { axis: 1 }).unwrap();
        assert_eq!(c.group_len(1), 3);
        assert_eq!(
            (0..3)
                .map(|k| c.flat_index(1, k).unwrap())
                .collect::<Vec<_>>(),
            vec![1, 5, 9]
        );
        let r = Geometry::new(&[3, 4], 12, Granularity::PerChannel { axis: 0 }).unwrap();
        assert_eq!(r.flat_index(2, 3), Some(11));
        // Every flat index belongs to the group that lists it, and the fast pass agrees.
        let c3 = Geometry::new(&[2, 3, 4], 24, Granularity::PerChannel { axis: 1 }).unwrap();
        for geo in [&g, &c, &r, &c3] {
            let mut seen = Vec::new();
            geo.for_each_group(|i, grp| seen.push((i, grp)));
            let want: Vec<(usize, usize)> = (0..geo.layout().len())
                .map(|i| (i, geo.layout().group_of(i)))
                .collect();
            assert_eq!(seen, want);
            let x: Vec<f32> = (0..geo.layout().len())
                .map(|i| ((i * 7) % 11) as f32)
                .collect();
            assert_eq!(geo.min_max(&x), geo.layout().min_max(&x));
        }
        for geo in [g, c, r] {
            for grp in 0..geo.num_groups() {
                for k in 0..geo.group_len(grp) {
                    let i = geo.flat_index(grp, k).unwrap();
                    assert_eq!(geo.layout().group_of(i), grp);
                }
            }
        }
    }

    #[test]
    fn the_worked_example_matches_the_quantizer() {
        let x: Vec<f32> = (0..200)
            .map(|i| ((i as f32) * 0.37).sin() * 1.3 + 0.2)
            .collect();
        for mode in Mode::ALL {
            for bits in [2, 4, 8] {
                let q = LinearQuantizer::fit(&x, &[], &int(bits, mode, GranularityKind::Tensor, 0))
                    .unwrap();
                let p = q.params[0];
                for &v in &x {
                    let w = worked_example(&p, v);
                    assert_eq!(w.q, p.quantize_one(v), "{mode:?} {bits}");
                    assert_eq!(w.r as f32, p.dequantize_one(w.q));
                    assert!((w.error - (f64::from(v) - w.r)).abs() < 1e-12);
                    assert!(w.q >= w.qmin && w.q <= w.qmax);
                }
            }
        }
        // A value beyond the range is clamped, and says so.
        let p = AffineParams::choose(
            -1.0,
            1.0,
            4,
            Mode::Sym,
            crate::quant::types::IntRange::Signed,
        )
        .unwrap();
        let w = worked_example(&p, 3.0);
        assert_eq!((w.q, w.clamped), (7, true));
        assert_eq!(w.rounded, 21.0);
        // S = 1/7, x = 0.3: x/S = 2.1, round 2, r = 2/7.
        let w = worked_example(&p, 0.3);
        assert!((w.x_over_s - 2.1).abs() < 1e-6);
        assert_eq!((w.q, w.clamped), (2, false));
        assert!((w.r - 2.0 / 7.0).abs() < 1e-6);
    }

    #[test]
    fn finer_groups_cost_more_bits_and_err_less() {
        let (x, shape) = tensor();
        let opts = StudyOptions::default();
        let tensor = study(
            &x,
            &shape,
            &int(4, Mode::Sym, GranularityKind::Tensor, 0),
            &opts,
        )
        .unwrap();
        let channel = study(
            &x,
            &shape,
            &int(4, Mode::Sym, GranularityKind::Channel, 0),
            &opts,
        )
        .unwrap();
        let g128 = study(
            &x,
            &shape,
            &int(4, Mode::Sym, GranularityKind::Group, 128),
            &opts,
        )
        .unwrap();
        let g32 = study(
            &x,
            &shape,
            &int(4, Mode::Sym, GranularityKind::Group, 32),
            &opts,
        )
        .unwrap();
        assert!(tensor.metrics.mse > channel.metrics.mse);
        assert!(channel.metrics.mse > g128.metrics.mse);
        assert!(g128.metrics.mse > g32.metrics.mse);
        assert_eq!(g128.storage.bits_per_weight, 4.125);
        assert_eq!(g32.storage.bits_per_weight, 4.5);
        assert_eq!(g128.scales.len(), 128);
        assert_eq!(channel.scales.len(), 64);
        // The per-group MSEs average to the total (equal group sizes).
        let mean = g128.group_mse.iter().sum::<f64>() / 128.0;
        assert!((mean - g128.metrics.mse).abs() < 1e-12 * mean.max(1e-30) + 1e-18);
        // Heat map: one cell per group, rows × 2.
        assert_eq!(
            (g128.heat.rows, g128.heat.cols, g128.heat.col_step),
            (64, 2, 128)
        );
        let cell_mean = g128.heat.values.iter().sum::<f64>() / g128.heat.values.len() as f64;
        assert!((cell_mean - g128.metrics.mse).abs() <= 1e-9 * g128.metrics.mse);
    }

    #[test]
    fn a_linear_study_measures_without_keeping_the_reconstruction_and_the_same_figures() {
        // Wide rows and one heat column: pieces longer than the measuring buffer.
        let x = generate(&SynthSpec {
            rows: 3,
            cols: 5000,
            spread: 1.0,
            ..SynthSpec::default()
        })
        .unwrap();
        let shape = [3, 5000];
        for s in [
            int(8, Mode::Sym, GranularityKind::Tensor, 0),
            int(5, Mode::Asym, GranularityKind::Channel, 0),
            int(4, Mode::Asym, GranularityKind::Group, 128),
        ] {
            for heat_cols in [1, 64] {
                let opts = StudyOptions {
                    heat_cols,
                    ..StudyOptions::default()
                };
                let st = study(&x, &shape, &s, &opts).unwrap();
                assert!(st.recon.is_none(), "{s:?}");
                let y = st.reconstruction(&x);
                let geo = Geometry::of_scheme(&s, &shape, x.len()).unwrap();
                let m = measure(&x, &Recon::Stored(y.clone()), &shape, &geo, &opts).unwrap();
                assert_eq!(st.metrics, m.metrics, "{s:?}");
                assert_eq!(st.group_mse, m.group_mse, "{s:?}");
                assert_eq!(st.heat.values, m.heat.values, "{s:?}");
                for (i, &v) in y.iter().enumerate() {
                    assert_eq!(st.recon_at(&x, i), Some(v), "{s:?} at {i}");
                }
                assert_eq!(st.recon_at(&x, x.len()), None);
                // The quantizer itself gives the same reconstruction.
                let q = crate::weights::inspect::fitted(&x, &shape, &s, opts.scale_dtype).unwrap();
                assert_eq!(q.quantize_dequantize(&x).unwrap(), y, "{s:?}");
            }
        }
    }

    #[test]
    fn linear_reconstruction_uses_the_stored_scale() {
        let (x, shape) = tensor();
        let s = int(8, Mode::Sym, GranularityKind::Channel, 0);
        let f16 = study(&x, &shape, &s, &StudyOptions::default()).unwrap();
        for p in &f16.params {
            assert_eq!(ScaleDtype::Fp16.round(p.scale), p.scale);
        }
        let f32s = study(
            &x,
            &shape,
            &s,
            &StudyOptions {
                scale_dtype: ScaleDtype::Fp32,
                ..StudyOptions::default()
            },
        )
        .unwrap();
        assert_ne!(f16.reconstruction(&x), f32s.reconstruction(&x));
        assert_eq!(f16.underflow_groups, 0);
        // Tiny weights underflow fp16 scales and are reported.
        let tiny: Vec<f32> = x.iter().map(|v| v * 1e-7).collect();
        let t = study(&tiny, &shape, &s, &StudyOptions::default()).unwrap();
        assert!(t.underflow_groups > 0);
    }

    #[test]
    fn every_scheme_studies_a_tensor_and_the_selected_group_clamps() {
        let (x, shape) = tensor();
        for kind in crate::quant::scheme::SchemeKind::ALL {
            let (lo, hi) = kind.bits_range();
            let s = Scheme {
                scheme: kind,
                bits: 4u32.clamp(lo, hi),
                granularity: GranularityKind::Group,
                group_size: 64,
                ..Scheme::default()
            };
            let st = study(
                &x,
                &shape,
                &s,
                &StudyOptions {
                    group: 1_000_000,
                    ..StudyOptions::default()
                },
            )
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert_eq!(st.reconstruction(&x).len(), x.len());
            assert_eq!(st.group, st.geometry.num_groups() - 1, "{kind:?}");
            assert!(st.metrics.snr_db > 5.0, "{kind:?} {}", st.metrics.snr_db);
            assert!(!st.levels.is_empty(), "{kind:?}");
            assert_eq!(st.group_mse.len(), st.geometry.num_groups());
        }
    }

    #[test]
    fn the_worked_weight_of_a_group_is_that_groups() {
        let (x, shape) = tensor();
        let st = study(
            &x,
            &shape,
            &int(4, Mode::Asym, GranularityKind::Group, 32),
            &StudyOptions {
                group: 9,
                ..StudyOptions::default()
            },
        )
        .unwrap();
        let (i, w) = st.worked(&x, 5).unwrap();
        assert_eq!(i, 256 + 32 + 5);
        assert_eq!(Some(w.r as f32), st.recon_at(&x, i));
        assert!(st.worked(&x, 32).is_none());
        let nf4 = study(
            &x,
            &shape,
            &Scheme {
                scheme: SchemeKind::Nf4,
                ..Scheme::default()
            },
            &StudyOptions::default(),
        )
        .unwrap();
        assert!(nf4.worked(&x, 0).is_none());
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(study(&[], &[], &Scheme::default(), &StudyOptions::default()).is_err());
        assert!(
            study(
                &[1.0, f32::NAN],
                &[],
                &Scheme::default(),
                &StudyOptions::default()
            )
            .is_err()
        );
        assert!(
            study(
                &[1.0; 6],
                &[4],
                &Scheme::default(),
                &StudyOptions::default()
            )
            .is_err()
        );
        let axis = Scheme {
            granularity: GranularityKind::Channel,
            axis: 3,
            ..Scheme::default()
        };
        assert!(study(&[1.0; 6], &[2, 3], &axis, &StudyOptions::default()).is_err());
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[allow(clippy::unwrap_used)]
mod timing {
    use super::*;
    use crate::quant::types::{GranularityKind, Mode};
    use crate::weights::synth::{SynthSpec, generate};

    /// `cargo test --release -p quantlab-core study_timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn study_timing() {
        for side in [1024, 4096] {
            let shape = [side, side];
            let x = generate(&SynthSpec {
                rows: side,
                cols: side,
                ..SynthSpec::default()
            })
            .unwrap();
            let s = Scheme {
                bits: 4,
                mode: Mode::Sym,
                granularity: GranularityKind::Group,
                group_size: 128,
                ..Scheme::default()
            };
            let geo = Geometry::of_scheme(&s, &shape, x.len()).unwrap();
            for _ in 0..5 {
                let t = std::time::Instant::now();
                let p = linear_params(&x, &shape, &geo, &s).unwrap();
                let t1 = t.elapsed();
                let st = study(&x, &shape, &s, &StudyOptions::default()).unwrap();
                let t2 = t.elapsed();
                println!(
                    "{side} x {side}: params {t1:?}, study {:?} ({} groups, mse {})",
                    t2 - t1,
                    p.len(),
                    st.metrics.mse
                );
            }
        }
    }
}
