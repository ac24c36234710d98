//! Clipping: choosing the range `[lo, hi]` a uniform quantizer covers, and splitting its
//! error into rounding and clipping parts.
//!
//! A uniform quantizer built on a narrower range than the data has a smaller step `Δ`, so a
//! smaller **rounding** error on the values inside, at the price of a **clipping** error on
//! the values outside (they saturate at the outermost level). With `e = x − Q(x)`:
//!
//! ```text
//! rounding MSE = (1/N)·Σ_{x inside} e²      clipping MSE = (1/N)·Σ_{x outside} e²
//! total MSE    = (1/N)·Σ_all e² = rounding MSE + clipping MSE
//! ```
//!
//! Both parts are divided by the **total** count `N`, so they add up to the total.
//!
//! **Strategies** ([`ClipStrategy`]):
//!
//! - `minmax`: `[x_min, x_max]`, no clipping.
//! - `percentile` with `p` (50 to 100, default 99.9): asymmetric modes take
//!   `[P_{100−p}(x), P_p(x)]`, one tail cut at each end; symmetric modes take `±P_p(|x|)`, the
//!   `p`-th percentile of the magnitudes. Percentiles interpolate linearly between order
//!   statistics at rank `(p/100)·(N − 1)` (NumPy's default, Hyndman & Fan type 7), so
//!   `p = 100` is exactly `minmax`.
//! - `mse`: the threshold `α` that minimises the total MSE of quantize-dequantize with `b`
//!   bits. Symmetric modes clip to `[−α, α]`; asymmetric modes to
//!   `[max(x_min, −α), min(x_max, α)]`, i.e. the same symmetric threshold, intersected with
//!   the data range (so one-sided data is clipped at its far end only). `α` is searched over
//!   [`MSE_GRID_POINTS`] evenly spaced candidates up to `max|x|` (the smallest `α` that keeps
//!   the range non-empty is `max(0, x_min, −x_max)`), then refined by
//!   [`GOLDEN_ITERATIONS`] rounds of golden-section search between the neighbours of the
//!   best candidate; the better of the two wins.
//!
//! The quantizer itself is [`AffineParams::choose`] on the clipped range (signed codes; the
//! levels of unsigned codes are the same), so every mode behaves exactly as in
//! [`crate::quant::linear`].
//!
//! **Cost.** The search and [`clip_sweep`] sort the data once and then price each candidate
//! range in `O(C·log N)` (`C` occupied codes) from prefix sums over the runs of values that
//! share a code; [`error_split`] goes value by value in `O(N)` and is the reference the
//! fast path is tested against.
//!
//! **Inside or outside.** A value counts as inside when it lies in the range the mode
//! actually covers: `[lo, hi]` for `asym-float`, `[min(lo, 0), max(hi, 0)]` for `asym` (its
//! range is widened to contain 0), `[−a, a]` with `a = max(|lo|, |hi|)` for `sym` and
//! `mid-rise`. That range is reported in [`ErrorSplit::range`].
//!
//! **Reference values** (tested): the optimum *uniform* quantizer of the unit Gaussian
//! (Max 1960, *Quantizing for minimum distortion*, Table II) has step `0.9957` and MSE
//! `0.1188` with 4 levels, step `0.3352` and MSE `0.01154` with 16; a `mid-rise` quantizer
//! with `α = 2^(b−1)·Δ` is exactly that quantizer. For a Laplace with scale `β`, ACIQ (Banner,
//! Nahshan & Soudry 2019, *Post training 4-bit quantization of convolutional networks for
//! rapid-deployment*, NeurIPS) gives `α* ≈ 5.03·β` at 4 bits.

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result, check_finite};
use crate::quant::linear::affine::AffineParams;
use crate::quant::types::{IntRange, Mode};

pub use crate::quant::types::{ClipKind, ClipStrategy, DEFAULT_PERCENTILE};

/// Candidates on the coarse grid of the `mse` search.
pub const MSE_GRID_POINTS: usize = 100;

/// Rounds of golden-section refinement after the grid.
pub const GOLDEN_ITERATIONS: usize = 40;

/// Most points [`clip_sweep`] evaluates.
pub const MAX_SWEEP_POINTS: usize = 1000;

/// Rounding and clipping parts of the MSE of one quantize-dequantize (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorSplit {
    /// `(1/N)·Σ e²` over the values inside the range.
    pub rounding_mse: f64,
    /// `(1/N)·Σ e²` over the values outside the range.
    pub clipping_mse: f64,
    /// `(1/N)·Σ e²` over all values (equal to the sum of the two, up to rounding).
    pub total_mse: f64,
    /// How many values lie outside the range.
    pub clipped: usize,
    /// The range the mode covers, `(lo, hi)`, that decides inside from outside.
    pub range: (f64, f64),
    /// The quantizer's step `Δ = S`.
    pub step: f64,
}

/// One point of a [`clip_sweep`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClipPoint {
    /// The threshold `α`.
    pub alpha: f64,
    /// The clip range it gives, `(lo, hi)`.
    pub lo: f64,
    /// Upper end of the clip range.
    pub hi: f64,
    /// The error split at that range.
    pub split: ErrorSplit,
}

/// The `p`-th percentile of `data` (`p` in `0..=100`), interpolating linearly at rank
/// `(p/100)·(N − 1)` of the sorted values.
pub fn percentile(data: &[f32], p: f64) -> Result<f64> {
    check_finite(data)?;
    if !(p.is_finite() && (0.0..=100.0).contains(&p)) {
        return Err(QuantError::InvalidParameter(format!(
            "a percentile must be between 0 and 100, not {p}"
        )));
    }
    let mut sorted: Vec<f64> = data.iter().map(|&v| f64::from(v)).collect();
    sorted.sort_by(f64::total_cmp);
    Ok(percentile_sorted(&sorted, p))
}

/// Percentile of non-empty ascending `sorted` (see [`percentile`]).
fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let rank = (p / 100.0) * (n - 1) as f64;
    let below = (rank.floor() as usize).min(n - 1);
    let above = (below + 1).min(n - 1);
    let frac = rank - below as f64;
    let (a, b) = (sorted[below], sorted[above]);
    if frac == 0.0 { a } else { a + frac * (b - a) }
}

fn is_symmetric(mode: Mode) -> bool {
    matches!(mode, Mode::Sym | Mode::MidRise)
}

/// The range the mode covers for a clip range `[lo, hi]` (module docs, "inside or outside").
fn covered_range(lo: f64, hi: f64, mode: Mode) -> (f64, f64) {
    match mode {
        Mode::Sym | Mode::MidRise => {
            let a = lo.abs().max(hi.abs());
            (-a, a)
        }
        Mode::Asym => (lo.min(0.0), hi.max(0.0)),
        Mode::AsymFloat => (lo, hi),
    }
}

fn min_max(data: &[f32]) -> (f64, f64) {
    data.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            let v = f64::from(v);
            (lo.min(v), hi.max(v))
        })
}

/// Splits the MSE of quantize-dequantize with `bits` bits in `mode` on the range
/// `[lo, hi]` into its rounding and clipping parts.
///
/// Errors: empty or non-finite data; `lo`, `hi` not finite or `lo > hi`; bits outside
/// `1..=16` (`2..=16` for `sym`).
pub fn error_split(data: &[f32], lo: f64, hi: f64, bits: u32, mode: Mode) -> Result<ErrorSplit> {
    check_finite(data)?;
    if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
        return Err(QuantError::InvalidParameter(format!(
            "the clip range must be two finite numbers with lo ≤ hi, not [{lo}, {hi}]"
        )));
    }
    let params = AffineParams::choose(lo, hi, bits, mode, IntRange::Signed)?;
    Ok(split_with(data, &params, covered_range(lo, hi, mode)))
}

fn split_with(data: &[f32], params: &AffineParams, range: (f64, f64)) -> ErrorSplit {
    let (mut inside, mut outside, mut total) = (0.0f64, 0.0f64, 0.0f64);
    let mut clipped = 0;
    for &x in data {
        let r = params.dequantize_one(params.quantize_one(x));
        let v = f64::from(x);
        let e = v - f64::from(r);
        let e2 = e * e;
        total += e2;
        if v < range.0 || v > range.1 {
            outside += e2;
            clipped += 1;
        } else {
            inside += e2;
        }
    }
    let n = data.len().max(1) as f64;
    ErrorSplit {
        rounding_mse: inside / n,
        clipping_mse: outside / n,
        total_mse: total / n,
        clipped,
        range,
        step: params.scale,
    }
}

/// Total squared error of quantize-dequantize on `[lo, hi]`, value by value: the slow
/// reference for [`Sorted::split`].
#[cfg(test)]
fn total_sse(data: &[f32], lo: f64, hi: f64, bits: u32, mode: Mode) -> f64 {
    match AffineParams::choose(lo, hi, bits, mode, IntRange::Signed) {
        Ok(p) => data
            .iter()
            .map(|&x| {
                let e = f64::from(x) - f64::from(p.dequantize_one(p.quantize_one(x)));
                e * e
            })
            .sum(),
        Err(_) => f64::INFINITY,
    }
}

/// The data sorted once, with prefix sums, so that the error of a whole quantizer costs
/// `O(C·log N)` for `C` occupied codes instead of `O(N)`.
///
/// `quantize_one` never decreases as `x` grows, so the values that share a code form a run
/// of the sorted data, found by binary search with the quantizer itself (ties and clamping
/// exactly as in [`AffineParams`]). A run with reconstruction `r` contributes
/// `Σ(x − r)² = S2 − 2·r'·S1 + n·r'²`, where `S1`, `S2` are the sums of `x − c` and
/// `(x − c)²` over the run, `r' = r − c`, and `c` is the data mean (the shift limits
/// cancellation).
#[derive(Debug)]
struct Sorted {
    x: Vec<f32>,
    shift: f64,
    /// `p1[i] = Σ_{t<i} (x_t − c)`, `p2[i] = Σ_{t<i} (x_t − c)²`.
    p1: Vec<f64>,
    p2: Vec<f64>,
}

impl Sorted {
    fn new(data: &[f32]) -> Self {
        let mut x = data.to_vec();
        x.sort_by(f32::total_cmp);
        let n = x.len().max(1) as f64;
        let shift = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let mut p1 = Vec::with_capacity(x.len() + 1);
        let mut p2 = Vec::with_capacity(x.len() + 1);
        let (mut s1, mut s2) = (0.0f64, 0.0f64);
        p1.push(0.0);
        p2.push(0.0);
        for &v in &x {
            let d = f64::from(v) - shift;
            s1 += d;
            s2 += d * d;
            p1.push(s1);
            p2.push(s2);
        }
        Sorted { x, shift, p1, p2 }
    }

    /// `Σ (x − Q(x))²` over the sorted values with indices `i..j`.
    fn sse_between(&self, params: &AffineParams, i: usize, j: usize) -> f64 {
        if j <= i {
            return 0.0;
        }
        // Walking the levels costs a binary search per level; when the values are spread
        // over more levels than that saves (fine grids, few values), sum them one by one.
        let len = j - i;
        let span = (f64::from(self.x[j - 1]) - f64::from(self.x[i])) / params.scale.max(1e-300);
        let log_len = f64::from(usize::BITS - len.leading_zeros());
        if (span + 1.0) * log_len >= len as f64 {
            // The quantizer's vectorized `dequantize_one(quantize_one(x))` and the error
            // sums, a piece at a time.
            const PIECE: usize = 1024;
            let level = crate::quant::fast::level();
            let grid = params.grid();
            let mut buf = [0.0f32; PIECE];
            return self.x[i..j]
                .chunks(PIECE)
                .map(|xs| {
                    let ys = &mut buf[..xs.len()];
                    let _ = crate::quant::fast::dispatch::affine(level, &grid, xs, ys);
                    crate::quant::fast::dispatch::error_sums(level, xs, ys).1
                })
                .sum();
        }
        let mut total = 0.0;
        let mut start = i;
        while start < j {
            let q = params.quantize_one(self.x[start]);
            let end = start + self.x[start..j].partition_point(|&v| params.quantize_one(v) <= q);
            let r = f64::from(params.dequantize_one(q)) - self.shift;
            let count = (end - start) as f64;
            let s1 = self.p1[end] - self.p1[start];
            let s2 = self.p2[end] - self.p2[start];
            total += (s2 - 2.0 * r * s1 + count * r * r).max(0.0);
            start = end;
        }
        total
    }

    /// The [`ErrorSplit`] of `params`, with `range` deciding inside from outside.
    fn split(&self, params: &AffineParams, range: (f64, f64)) -> ErrorSplit {
        let n = self.x.len();
        let lo = self.x.partition_point(|&v| f64::from(v) < range.0);
        let hi = self.x.partition_point(|&v| f64::from(v) <= range.1).max(lo);
        let inside = self.sse_between(params, lo, hi);
        let outside = self.sse_between(params, 0, lo) + self.sse_between(params, hi, n);
        let count = n.max(1) as f64;
        ErrorSplit {
            rounding_mse: inside / count,
            clipping_mse: outside / count,
            total_mse: (inside + outside) / count,
            clipped: n - (hi - lo),
            range,
            step: params.scale,
        }
    }

    /// Total squared error on the clip range `[lo, hi]` (∞ if no quantizer fits it).
    fn total_sse(&self, lo: f64, hi: f64, bits: u32, mode: Mode) -> f64 {
        match AffineParams::choose(lo, hi, bits, mode, IntRange::Signed) {
            Ok(p) => self.sse_between(&p, 0, self.x.len()),
            Err(_) => f64::INFINITY,
        }
    }
}

/// The threshold search space of the `mse` strategy for data spanning `[min, max]`.
#[derive(Debug, Clone, Copy)]
struct AlphaSpace {
    min: f64,
    max: f64,
    symmetric: bool,
    /// Smallest `α` that keeps the range non-empty.
    lo: f64,
    /// `max|x|`.
    hi: f64,
}

impl AlphaSpace {
    fn new(min: f64, max: f64, mode: Mode) -> Self {
        let symmetric = is_symmetric(mode);
        let hi = min.abs().max(max.abs());
        let lo = if symmetric {
            0.0
        } else {
            0.0f64.max(min).max(-max).min(hi)
        };
        AlphaSpace {
            min,
            max,
            symmetric,
            lo,
            hi,
        }
    }

    /// The clip range for threshold `α`.
    fn range(&self, alpha: f64) -> (f64, f64) {
        if self.symmetric {
            (-alpha, alpha)
        } else {
            let lo = self.min.max(-alpha);
            let hi = self.max.min(alpha).max(lo);
            (lo, hi)
        }
    }

    /// The `i`-th of `points` evenly spaced thresholds, `i = 1..=points` (the last is `max|x|`).
    fn grid(&self, i: usize, points: usize) -> f64 {
        if i >= points {
            self.hi
        } else {
            self.lo + (self.hi - self.lo) * i as f64 / points as f64
        }
    }
}

/// The clip range `(lo, hi)` the `strategy` chooses for quantizing `data` with `bits` bits
/// in `mode` (see the module docs). Symmetric modes always get a symmetric range.
///
/// Errors: empty or non-finite data, a percentile outside 50..=100, bits out of range.
pub fn clip_range(
    data: &[f32],
    bits: u32,
    mode: Mode,
    strategy: ClipStrategy,
) -> Result<(f64, f64)> {
    check_finite(data)?;
    strategy.validate()?;
    // Rejects bad bit widths (and 1-bit symmetric) up front.
    AffineParams::choose(0.0, 1.0, bits, mode, IntRange::Signed)?;
    let (min, max) = min_max(data);
    let symmetric = is_symmetric(mode);
    let full = if symmetric {
        let a = min.abs().max(max.abs());
        (-a, a)
    } else {
        (min, max)
    };
    match strategy.clip {
        ClipKind::MinMax => Ok(full),
        ClipKind::Percentile => {
            let p = f64::from(strategy.percentile);
            if symmetric {
                let mut mags: Vec<f64> = data.iter().map(|&v| f64::from(v).abs()).collect();
                mags.sort_by(f64::total_cmp);
                let a = percentile_sorted(&mags, p);
                Ok((-a, a))
            } else {
                let mut sorted: Vec<f64> = data.iter().map(|&v| f64::from(v)).collect();
                sorted.sort_by(f64::total_cmp);
                Ok((
                    percentile_sorted(&sorted, 100.0 - p),
                    percentile_sorted(&sorted, p),
                ))
            }
        }
        ClipKind::Mse => Ok(mse_optimal_range(data, bits, mode, min, max).unwrap_or(full)),
    }
}

/// Grid plus golden-section search for the `α` with the least total MSE; `None` when the
/// data leaves nothing to search (constant or all zero).
fn mse_optimal_range(
    data: &[f32],
    bits: u32,
    mode: Mode,
    min: f64,
    max: f64,
) -> Option<(f64, f64)> {
    let space = AlphaSpace::new(min, max, mode);
    if space.hi <= space.lo || space.hi == 0.0 {
        return None;
    }
    let sorted = Sorted::new(data);
    let cost = |alpha: f64| {
        let (lo, hi) = space.range(alpha);
        sorted.total_sse(lo, hi, bits, mode)
    };
    // Coarse grid; on ties the larger α (less clipping) wins.
    let mut best_i = MSE_GRID_POINTS;
    let mut best = cost(space.hi);
    for i in (1..MSE_GRID_POINTS).rev() {
        let c = cost(space.grid(i, MSE_GRID_POINTS));
        if c < best {
            best = c;
            best_i = i;
        }
    }
    let mut best_alpha = space.grid(best_i, MSE_GRID_POINTS);
    // Golden-section refinement between the neighbours of the best grid point.
    let mut a = if best_i == 1 {
        space.lo
    } else {
        space.grid(best_i - 1, MSE_GRID_POINTS)
    };
    let mut b = space.grid((best_i + 1).min(MSE_GRID_POINTS), MSE_GRID_POINTS);
    let inv_phi = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - inv_phi * (b - a);
    let mut d = a + inv_phi * (b - a);
    let (mut fc, mut fd) = (cost(c), cost(d));
    for _ in 0..GOLDEN_ITERATIONS {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - inv_phi * (b - a);
            fc = cost(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + inv_phi * (b - a);
            fd = cost(d);
        }
    }
    for (alpha, f) in [(c, fc), (d, fd)] {
        if f < best {
            best = f;
            best_alpha = alpha;
        }
    }
    Some(space.range(best_alpha))
}

/// The error split at `points` evenly spaced thresholds `α` from the smallest useful one up
/// to `max|x|` (the ranges the `mse` strategy searches): the data behind a "rounding vs
/// clipping error" chart. `points` runs from 1 to [`MAX_SWEEP_POINTS`].
pub fn clip_sweep(data: &[f32], bits: u32, mode: Mode, points: usize) -> Result<Vec<ClipPoint>> {
    check_finite(data)?;
    if points == 0 || points > MAX_SWEEP_POINTS {
        return Err(QuantError::InvalidParameter(format!(
            "a clipping sweep takes 1 to {MAX_SWEEP_POINTS} points, not {points}"
        )));
    }
    AffineParams::choose(0.0, 1.0, bits, mode, IntRange::Signed)?;
    let (min, max) = min_max(data);
    let space = AlphaSpace::new(min, max, mode);
    let sorted = Sorted::new(data);
    (1..=points)
        .map(|i| {
            let alpha = space.grid(i, points);
            let (lo, hi) = space.range(alpha);
            let params = AffineParams::choose(lo, hi, bits, mode, IntRange::Signed)?;
            Ok(ClipPoint {
                alpha,
                lo,
                hi,
                split: sorted.split(&params, covered_range(lo, hi, mode)),
            })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal, StudentT};

    /// Laplace samples with scale `b` by the inverse CDF.
    fn laplace(seed: u64, n: usize, b: f64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let u: f64 = rng.random::<f64>() - 0.5;
                (-b * u.signum() * (1.0 - 2.0 * u.abs()).max(f64::MIN_POSITIVE).ln()) as f32
            })
            .collect()
    }

    fn student_t(seed: u64, n: usize, dof: f64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let t = StudentT::new(dof).unwrap();
        (0..n).map(|_| t.sample(&mut rng) as f32).collect()
    }

    fn gaussian(seed: u64, n: usize) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                z as f32
            })
            .collect()
    }

    fn split_for(data: &[f32], bits: u32, mode: Mode, s: ClipStrategy) -> ErrorSplit {
        let (lo, hi) = clip_range(data, bits, mode, s).unwrap();
        error_split(data, lo, hi, bits, mode).unwrap()
    }

    #[test]
    fn mse_optimal_clipping_beats_min_max_on_heavy_tailed_data_at_4_bits() {
        let sets = [
            ("laplace", laplace(1, 20_000, 1.0)),
            ("student-t(3)", student_t(2, 20_000, 3.0)),
        ];
        for (name, x) in &sets {
            for mode in Mode::ALL {
                let minmax = split_for(x, 4, mode, ClipStrategy::min_max());
                let best = split_for(x, 4, mode, ClipStrategy::mse());
                assert!(
                    best.total_mse < 0.8 * minmax.total_mse,
                    "{name} {mode:?}: {} vs {}",
                    best.total_mse,
                    minmax.total_mse
                );
                // It trades rounding error for some clipping error.
                assert!(
                    best.clipped > 0 && best.clipping_mse > 0.0,
                    "{name} {mode:?}"
                );
                assert!(best.rounding_mse < minmax.rounding_mse, "{name} {mode:?}");
                // And never loses to any percentile either.
                for p in [99.0, 99.9, 99.99] {
                    let pct = split_for(x, 4, mode, ClipStrategy::percentile(p));
                    assert!(
                        best.total_mse <= pct.total_mse * (1.0 + 1e-9),
                        "{name} {mode:?} {p}"
                    );
                }
            }
        }
    }

    #[test]
    fn rounding_plus_clipping_is_the_total() {
        let x = student_t(3, 5000, 2.5);
        for mode in Mode::ALL {
            for bits in [2, 4, 8] {
                for s in [
                    ClipStrategy::min_max(),
                    ClipStrategy::percentile(99.0),
                    ClipStrategy::mse(),
                ] {
                    let e = split_for(&x, bits, mode, s);
                    let sum = e.rounding_mse + e.clipping_mse;
                    assert!(
                        (sum - e.total_mse).abs() <= 1e-12 * e.total_mse.max(1e-300),
                        "{mode:?} {bits} {s:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_total_is_the_mse_of_the_linear_quantizer_on_the_same_range() {
        let x = laplace(4, 3000, 0.5);
        for mode in Mode::ALL {
            let (lo, hi) = (-1.0, 1.5);
            let e = error_split(&x, lo, hi, 4, mode).unwrap();
            let p = AffineParams::choose(lo, hi, 4, mode, IntRange::Signed).unwrap();
            let y: Vec<f32> = x
                .iter()
                .map(|&v| p.dequantize_one(p.quantize_one(v)))
                .collect();
            assert!(
                (e.total_mse - crate::metrics::mse(&x, &y)).abs() < 1e-15,
                "{mode:?}"
            );
            assert_eq!(e.step, p.scale);
        }
    }

    #[test]
    fn the_sorted_fast_path_matches_the_value_by_value_reference() {
        let sets = [
            laplace(12, 3000, 1.0),
            student_t(13, 3000, 2.0),
            gaussian(14, 3000).iter().map(|v| v + 1000.0).collect(),
            vec![0.0f32, 0.0, 1.0, 1.0, 1.0, -2.0],
        ];
        for x in &sets {
            let sorted = Sorted::new(x);
            let (min, max) = min_max(x);
            for mode in Mode::ALL {
                for bits in [2, 4, 8, 12] {
                    for f in [0.05, 0.3, 0.7, 1.0] {
                        let (lo, hi) = (min * f, max * f);
                        let slow = total_sse(x, lo, hi, bits, mode);
                        let fast = sorted.total_sse(lo, hi, bits, mode);
                        assert!(
                            (fast - slow).abs() <= 1e-9 * slow + 1e-9,
                            "{mode:?} {bits} {f}: {fast} vs {slow}"
                        );
                        let p = AffineParams::choose(lo, hi, bits, mode, IntRange::Signed).unwrap();
                        let a = sorted.split(&p, covered_range(lo, hi, mode));
                        let b = error_split(x, lo, hi, bits, mode).unwrap();
                        assert_eq!(a.clipped, b.clipped, "{mode:?} {bits} {f}");
                        for (u, v) in [
                            (a.rounding_mse, b.rounding_mse),
                            (a.clipping_mse, b.clipping_mse),
                            (a.total_mse, b.total_mse),
                        ] {
                            assert!((u - v).abs() <= 1e-9 * v + 1e-12, "{mode:?} {bits} {f}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn rounding_error_inside_the_range_is_at_most_half_a_step() {
        let x = gaussian(5, 4000);
        for mode in [Mode::Sym, Mode::AsymFloat, Mode::MidRise] {
            let e = error_split(&x, -1.5, 1.5, 5, mode).unwrap();
            let inside = (x.len() - e.clipped) as f64 / x.len() as f64;
            assert!(e.rounding_mse <= inside * e.step * e.step / 4.0 * (1.0 + 1e-9));
        }
    }

    #[test]
    fn min_max_has_no_clipping_error() {
        let x = student_t(6, 2000, 3.0);
        for mode in Mode::ALL {
            let e = split_for(&x, 4, mode, ClipStrategy::min_max());
            assert_eq!(e.clipped, 0, "{mode:?}");
            assert_eq!(e.clipping_mse, 0.0, "{mode:?}");
            assert_eq!(e.rounding_mse, e.total_mse, "{mode:?}");
        }
    }

    #[test]
    fn percentile_100_is_min_max() {
        let x = laplace(7, 1000, 2.0);
        for mode in Mode::ALL {
            assert_eq!(
                clip_range(&x, 8, mode, ClipStrategy::percentile(100.0)).unwrap(),
                clip_range(&x, 8, mode, ClipStrategy::min_max()).unwrap(),
                "{mode:?}"
            );
        }
        let (lo, hi) = clip_range(&x, 8, Mode::Asym, ClipStrategy::min_max()).unwrap();
        let (min, max) = min_max(&x);
        assert_eq!((lo, hi), (min, max));
    }

    #[test]
    fn percentiles_interpolate_between_order_statistics() {
        let x = [3.0f32, 1.0, 2.0, 4.0, 5.0];
        assert_eq!(percentile(&x, 0.0).unwrap(), 1.0);
        assert_eq!(percentile(&x, 50.0).unwrap(), 3.0);
        assert_eq!(percentile(&x, 100.0).unwrap(), 5.0);
        // Rank 0.9·4 = 3.6: 4 + 0.6·(5 − 4).
        assert!((percentile(&x, 90.0).unwrap() - 4.6).abs() < 1e-12);
        // Asymmetric: both tails; symmetric: the magnitudes.
        let y = [-10.0f32, -1.0, 0.0, 1.0, 2.0];
        let s = ClipStrategy::percentile(75.0);
        assert_eq!(clip_range(&y, 4, Mode::AsymFloat, s).unwrap(), (-1.0, 1.0));
        assert_eq!(clip_range(&y, 4, Mode::Sym, s).unwrap(), (-2.0, 2.0));
    }

    #[test]
    fn mid_rise_search_finds_max_optimum_uniform_gaussian_quantizer() {
        // Max (1960), Table II: 4 levels Δ = 0.9957, MSE 0.1188; 16 levels Δ = 0.3352,
        // MSE 0.01154. Mid-rise with α = 2^(b−1)·Δ is that quantizer.
        let x = gaussian(8, 200_000);
        for (bits, step, mse) in [(2u32, 0.9957, 0.1188), (4, 0.3352, 0.01154)] {
            let (lo, hi) = clip_range(&x, bits, Mode::MidRise, ClipStrategy::mse()).unwrap();
            assert_eq!(lo, -hi);
            let alpha = f64::from(1u32 << (bits - 1)) * step;
            assert!(
                (hi / alpha - 1.0).abs() < 0.03,
                "{bits} bits: α = {hi} vs {alpha}"
            );
            let e = error_split(&x, lo, hi, bits, Mode::MidRise).unwrap();
            assert!(
                (e.total_mse / mse - 1.0).abs() < 0.03,
                "{bits} bits: {}",
                e.total_mse
            );
        }
    }

    #[test]
    fn mid_rise_search_on_laplace_data_lands_near_aciq() {
        // Banner et al. (2019): α* ≈ 5.03·β at 4 bits for a Laplace of scale β (an analytic
        // approximation, so allow 10 %).
        let beta = 0.7;
        let x = laplace(9, 200_000, beta);
        let (_, hi) = clip_range(&x, 4, Mode::MidRise, ClipStrategy::mse()).unwrap();
        assert!((hi / (5.03 * beta) - 1.0).abs() < 0.1, "α = {hi}");
    }

    #[test]
    fn one_sided_data_is_clipped_only_at_the_far_end() {
        // Exponential-like positive data: the low end stays at the minimum.
        let x: Vec<f32> = laplace(10, 20_000, 1.0)
            .iter()
            .map(|v| v.abs() + 0.5)
            .collect();
        let (min, _) = min_max(&x);
        for mode in [Mode::Asym, Mode::AsymFloat] {
            let (lo, hi) = clip_range(&x, 3, mode, ClipStrategy::mse()).unwrap();
            assert_eq!(lo, min, "{mode:?}");
            assert!(hi > lo, "{mode:?}");
        }
    }

    #[test]
    fn constant_and_zero_data_give_zero_error() {
        for x in [[0.0f32; 16], [2.5f32; 16], [-3.0f32; 16]] {
            for mode in [Mode::Sym, Mode::Asym, Mode::AsymFloat] {
                for s in [
                    ClipStrategy::min_max(),
                    ClipStrategy::percentile(99.9),
                    ClipStrategy::mse(),
                ] {
                    let e = split_for(&x, 4, mode, s);
                    assert!(e.total_mse < 1e-12, "{x:?} {mode:?} {s:?}: {}", e.total_mse);
                }
            }
        }
    }

    #[test]
    fn nan_infinite_and_empty_inputs_are_errors() {
        let s = ClipStrategy::mse();
        assert_eq!(
            clip_range(&[], 4, Mode::Sym, s).unwrap_err(),
            QuantError::Empty
        );
        let e = clip_range(&[1.0, f32::NAN], 4, Mode::Sym, s).unwrap_err();
        assert!(matches!(e, QuantError::NonFinite { index: 1, .. }));
        assert!(e.to_string().contains("index 1"));
        assert!(clip_range(&[f32::INFINITY], 4, Mode::Asym, s).is_err());
        assert_eq!(
            error_split(&[], 0.0, 1.0, 4, Mode::Asym).unwrap_err(),
            QuantError::Empty
        );
        assert!(error_split(&[f32::NAN], 0.0, 1.0, 4, Mode::Asym).is_err());
        assert!(percentile(&[], 50.0).is_err());
        assert!(clip_sweep(&[f32::NEG_INFINITY], 4, Mode::Sym, 10).is_err());
    }

    #[test]
    fn bad_parameters_are_errors_that_explain() {
        let x = [1.0f32, -2.0, 3.0];
        for p in [49.9, 100.1, f32::NAN] {
            let e = clip_range(&x, 4, Mode::Asym, ClipStrategy::percentile(p)).unwrap_err();
            assert!(e.to_string().contains("between 50 and 100"), "{e}");
        }
        assert!(matches!(
            clip_range(&x, 0, Mode::Asym, ClipStrategy::min_max()),
            Err(QuantError::BitsOutOfRange { .. })
        ));
        assert_eq!(
            clip_range(&x, 1, Mode::Sym, ClipStrategy::mse()).unwrap_err(),
            QuantError::SymmetricNeedsTwoBits
        );
        for (lo, hi) in [(1.0, 0.0), (f64::NAN, 1.0), (0.0, f64::INFINITY)] {
            let e = error_split(&x, lo, hi, 4, Mode::Asym).unwrap_err();
            assert!(e.to_string().contains("clip range"), "{e}");
        }
        assert!(percentile(&x, 101.0).is_err());
        assert!(clip_sweep(&x, 4, Mode::Sym, 0).is_err());
        assert!(clip_sweep(&x, 4, Mode::Sym, MAX_SWEEP_POINTS + 1).is_err());
    }

    #[test]
    fn the_sweep_ends_at_min_max_and_contains_a_point_no_better_than_the_search() {
        let x = laplace(11, 5000, 1.0);
        for mode in Mode::ALL {
            let sweep = clip_sweep(&x, 4, mode, 50).unwrap();
            assert_eq!(sweep.len(), 50);
            let last = sweep[49];
            let full = split_for(&x, 4, mode, ClipStrategy::min_max());
            // The sweep uses the sorted fast path, the split the value-by-value one.
            assert!(
                (last.split.total_mse / full.total_mse - 1.0).abs() < 1e-12,
                "{mode:?}"
            );
            assert_eq!(last.split.clipped, 0, "{mode:?}");
            let best = split_for(&x, 4, mode, ClipStrategy::mse());
            let sweep_best = sweep
                .iter()
                .map(|p| p.split.total_mse)
                .fold(f64::INFINITY, f64::min);
            assert!(best.total_mse <= sweep_best * (1.0 + 1e-9), "{mode:?}");
            // Clipping error falls and rounding error grows as α grows.
            assert!(sweep[0].split.clipping_mse > last.split.clipping_mse);
            assert!(sweep[0].split.rounding_mse < last.split.rounding_mse);
        }
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let x = [f32::MAX, -f32::MAX, 0.0, 1.0];
        for mode in Mode::ALL {
            for s in [ClipStrategy::min_max(), ClipStrategy::mse()] {
                let (lo, hi) = clip_range(&x, 8, mode, s).unwrap();
                assert!(lo.is_finite() && hi.is_finite(), "{mode:?}");
                let e = error_split(&x, lo, hi, 8, mode).unwrap();
                assert!(!e.total_mse.is_nan(), "{mode:?}");
            }
        }
    }

    #[test]
    fn strategies_serialise_flat_and_kebab_case() {
        let s = ClipStrategy::percentile(99.5);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"clip":"percentile","percentile":99.5}"#);
        assert_eq!(serde_json::from_str::<ClipStrategy>(&json).unwrap(), s);
        for k in ClipKind::ALL {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.id())
            );
        }
        // Missing fields take the defaults.
        assert_eq!(
            serde_json::from_str::<ClipStrategy>(r#"{"clip":"mse"}"#).unwrap(),
            ClipStrategy::mse()
        );
    }
}
