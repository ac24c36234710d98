//! The Lloyd iteration shared by the codebook quantizers ([`super::kmeans`] and
//! [`super::lloyd_max`]): sorted weighted values with prefix sums, the iteration itself,
//! nearest-level codes, level lookup and the codebook's storage cost.

use crate::error::{QuantError, Result, check_finite};

/// Most rounds of Lloyd's algorithm.
pub const LLOYD_MAX_ITERATIONS: usize = 1000;

/// Lloyd's algorithm stops once no centroid moves by more than this fraction of the data
/// range `x_max − x_min`.
pub const LLOYD_TOLERANCE: f64 = 1e-12;

/// Bits in one stored centroid (an `f32`).
pub const CODEBOOK_ENTRY_BITS: f64 = 32.0;

/// Sorted distinct values with their multiplicities and prefix sums, so that the SSE of any
/// run of them costs `O(1)`.
///
/// Sums are taken of `x − shift` (`shift` = the mean) to limit cancellation in
/// `Σx² − (Σx)²/W`.
#[derive(Debug, Clone)]
pub(crate) struct Weighted {
    /// Distinct values, ascending.
    pub(crate) values: Vec<f64>,
    /// Multiplicity of each value.
    pub(crate) counts: Vec<usize>,
    /// Total number of values `N`.
    pub(crate) total: usize,
    shift: f64,
    /// `prefix[i] = [Σ_{t<i} w_t, Σ_{t<i} w_t·(x_t − shift), Σ_{t<i} w_t·(x_t − shift)²]`,
    /// interleaved so that one cost reads one cache line.
    prefix: Vec<[f64; 3]>,
}

impl Weighted {
    /// Checks, sorts and deduplicates `data`.
    pub(crate) fn new(data: &[f32]) -> Result<Self> {
        check_finite(data)?;
        let mut sorted: Vec<f64> = data.iter().map(|&v| f64::from(v)).collect();
        sorted.sort_by(f64::total_cmp);
        let mut values: Vec<f64> = Vec::new();
        let mut counts: Vec<usize> = Vec::new();
        for v in sorted {
            // −0.0 and 0.0 are one value.
            match (values.last(), counts.last_mut()) {
                (Some(&last), Some(c)) if last == v => *c += 1,
                _ => {
                    values.push(v);
                    counts.push(1);
                }
            }
        }
        let total = data.len();
        let shift = values
            .iter()
            .zip(&counts)
            .map(|(&x, &c)| x * c as f64)
            .sum::<f64>()
            / total as f64;
        let mut prefix = Vec::with_capacity(values.len() + 1);
        let (mut s0, mut s1, mut s2) = (0.0f64, 0.0f64, 0.0f64);
        prefix.push([0.0; 3]);
        for (&x, &c) in values.iter().zip(&counts) {
            let w = c as f64;
            let d = x - shift;
            s0 += w;
            s1 += w * d;
            s2 += w * d * d;
            prefix.push([s0, s1, s2]);
        }
        Ok(Weighted {
            values,
            counts,
            total,
            shift,
            prefix,
        })
    }

    /// Number of distinct values.
    pub(crate) fn distinct(&self) -> usize {
        self.values.len()
    }

    /// SSE of the values with indices `i..j` about their mean (0 for an empty run).
    #[inline]
    pub(crate) fn cost(&self, i: usize, j: usize) -> f64 {
        if j <= i {
            return 0.0;
        }
        let ([w0, s0, q0], [w1, s1, q1]) = (self.prefix[i], self.prefix[j]);
        let s = s1 - s0;
        ((q1 - q0) - s * s / (w1 - w0)).max(0.0)
    }

    /// `min_{a ≤ ji ≤ b} prev[ji] + cost(ji + c, end)` and the smallest `ji` attaining it
    /// (`b + c < end`, so every run is non-empty). The inner loop of the exact solver.
    pub(crate) fn best_start(
        &self,
        prev: &[f64],
        c: usize,
        a: usize,
        b: usize,
        end: usize,
    ) -> (f64, usize) {
        let [we, se, qe] = self.prefix[end];
        let mut best = f64::INFINITY;
        let mut best_j = a;
        let starts = &self.prefix[a + c..=b + c];
        for (t, (&before, &[w0, s0, q0])) in prev[a..=b].iter().zip(starts).enumerate() {
            let s = se - s0;
            let v = before + ((qe - q0) - s * s / (we - w0)).max(0.0);
            if v < best {
                best = v;
                best_j = a + t;
            }
        }
        (best, best_j)
    }

    /// Mean of the values with indices `i..j` (`i < j`).
    #[inline]
    pub(crate) fn mean(&self, i: usize, j: usize) -> f64 {
        let ([w0, s0, _], [w1, s1, _]) = (self.prefix[i], self.prefix[j]);
        self.shift + (s1 - s0) / (w1 - w0)
    }

    /// Cell boundaries of nearest-level assignment to ascending `levels`: cell `j` holds the
    /// values with indices `b[j]..b[j+1]`; a value exactly halfway goes to the lower level.
    pub(crate) fn boundaries(&self, levels: &[f64]) -> Vec<usize> {
        let mut b = Vec::with_capacity(levels.len() + 1);
        b.push(0);
        for pair in levels.windows(2) {
            let mid = midpoint(pair[0], pair[1]);
            // Never before the previous boundary: cells stay in order (possibly empty)
            // whatever the levels hold (fuzzing found a slice that ended before it began).
            let at = self.values.partition_point(|&v| v <= mid);
            b.push(at.max(b.last().copied().unwrap_or(0)));
        }
        b.push(self.values.len());
        b
    }

    /// Exact `Σ w·(x − level)²` and cell sizes for nearest-level assignment.
    pub(crate) fn sse_and_sizes(&self, levels: &[f64]) -> (f64, Vec<usize>) {
        let b = self.boundaries(levels);
        let mut sse = 0.0;
        let mut sizes = Vec::with_capacity(levels.len());
        for (j, &level) in levels.iter().enumerate() {
            let (lo, hi) = (b[j], b[j + 1]);
            let mut size = 0;
            for t in lo..hi {
                let d = self.values[t] - level;
                sse += self.counts[t] as f64 * d * d;
                size += self.counts[t];
            }
            sizes.push(size);
        }
        (sse, sizes)
    }

    pub(crate) fn range(&self) -> f64 {
        match (self.values.first(), self.values.last()) {
            (Some(lo), Some(hi)) => hi - lo,
            _ => 0.0,
        }
    }
}

/// `(a + b)/2` without overflow for values near `±f64::MAX`.
#[inline]
pub(crate) fn midpoint(a: f64, b: f64) -> f64 {
    a + (b - a) / 2.0
}

/// Runs at most `max_iterations` Lloyd iterations on ascending `levels` in place; returns
/// `(iterations, converged)`.
///
/// With `reseed_empty`, an empty cell's level moves to the value farthest from its level
/// (k-means); without, it stays where it is (Lloyd-Max on data).
pub(crate) fn lloyd_iterate(
    w: &Weighted,
    levels: &mut Vec<f64>,
    reseed_empty: bool,
    max_iterations: usize,
) -> (usize, bool) {
    let tol = LLOYD_TOLERANCE * w.range();
    let mut previous: Option<Vec<usize>> = None;
    for it in 1..=max_iterations {
        let b = w.boundaries(levels);
        if previous.as_ref() == Some(&b) {
            // The cells did not change, so the means did not either: a fixed point.
            return (it - 1, true);
        }
        let mut next = levels.clone();
        let mut empty = Vec::new();
        for (j, level) in next.iter_mut().enumerate() {
            if b[j] < b[j + 1] {
                *level = w.mean(b[j], b[j + 1]);
            } else {
                empty.push(j);
            }
        }
        let reseeded = reseed_empty && !empty.is_empty();
        if reseeded {
            reseed(w, levels, &b, &empty, &mut next);
            next.sort_by(f64::total_cmp);
        }
        let shift = next
            .iter()
            .zip(levels.iter())
            .map(|(new, old)| (new - old).abs())
            .fold(0.0, f64::max);
        *levels = next;
        previous = Some(b);
        if !reseeded && shift <= tol {
            return (it, true);
        }
    }
    (max_iterations, false)
}

/// Moves the levels of the `empty` cells to the values farthest from their current level.
pub(crate) fn reseed(w: &Weighted, levels: &[f64], b: &[usize], empty: &[usize], next: &mut [f64]) {
    // Squared distance of each distinct value to the level of its cell.
    let mut d2 = vec![0.0f64; w.distinct()];
    for (j, &level) in levels.iter().enumerate() {
        let (lo, hi) = (b[j], b[j + 1]);
        for (slot, &x) in d2[lo..hi].iter_mut().zip(&w.values[lo..hi]) {
            let d = x - level;
            *slot = d * d;
        }
    }
    for &j in empty {
        let mut best: Option<usize> = None;
        for (t, &d) in d2.iter().enumerate() {
            if d > 0.0 && best.is_none_or(|b| d > d2[b]) {
                best = Some(t);
            }
        }
        // With k ≤ distinct values some value is always off every level; if not, the
        // level simply stays.
        if let Some(t) = best {
            next[j] = w.values[t];
            d2[t] = 0.0;
        }
    }
}

/// Nearest-level codes for ascending `levels`: `q = #{thresholds t_j < x}` with
/// `t_j = (l_j + l_{j+1})/2`, so a value exactly halfway takes the lower code.
pub(crate) fn nearest_codes(levels: &[f32], data: &[f32]) -> Result<Vec<i32>> {
    check_finite(data)?;
    let thresholds: Vec<f64> = levels
        .windows(2)
        .map(|p| midpoint(f64::from(p[0]), f64::from(p[1])))
        .collect();
    Ok(data
        .iter()
        .map(|&x| {
            let x = f64::from(x);
            thresholds.partition_point(|&t| t < x) as i32
        })
        .collect())
}

/// The whole tensor as one block of the inspector: the codebook (`f32` levels, stored when
/// it holds at most 256) then the listed codes in `⌈log2 requested⌉` bits, a step per level
/// listed.
pub(crate) fn inspect_codebook(
    levels: &[f32],
    requested: usize,
    fitted: usize,
    data: &[f32],
    block: usize,
    first: usize,
) -> Result<crate::quant::inspect::BlockDecode> {
    use crate::quant::inspect::{
        DecodeStep, Head, ScaleFormat, StepKind, check_block, check_data, element, window,
    };
    check_data(data.len(), fitted)?;
    check_block(block, 1)?;
    let win = window(data.len(), first);
    let codes = nearest_codes(levels, &data[win.clone()])?;
    let elements: Vec<_> = win
        .zip(codes)
        .map(|(i, q)| {
            let v = levels.get(q as usize).copied().unwrap_or(0.0);
            element(i, q, q as u32, f64::from(v), (1.0, 0.0), v, data[i])
        })
        .collect();
    let mut used: Vec<i32> = elements.iter().map(|e| e.code).collect();
    used.sort_unstable();
    used.dedup();
    let steps = used
        .into_iter()
        .map(|q| {
            let v = f64::from(levels.get(q as usize).copied().unwrap_or(0.0));
            let mut s = ScaleFormat::F32.step(StepKind::Level, "c_k = fp32", v);
            s.index = Some(q as usize);
            s
        })
        .collect::<Vec<DecodeStep>>();
    let bytes = if levels.len() <= 256 {
        levels.iter().flat_map(|v| v.to_le_bytes()).collect()
    } else {
        Vec::new()
    };
    let head = Head {
        block,
        blocks: 1,
        len: data.len(),
        code_bits: requested.max(2).next_power_of_two().trailing_zeros(),
        bytes,
        steps,
    };
    Ok(head.with_codes(first, elements))
}

/// Looks codes up in `levels`; a code outside `0..levels.len()` is an error naming it.
pub(crate) fn lookup_levels(levels: &[f32], codes: &[i32]) -> Result<Vec<f32>> {
    codes
        .iter()
        .enumerate()
        .map(|(i, &q)| {
            usize::try_from(q)
                .ok()
                .and_then(|j| levels.get(j).copied())
                .ok_or_else(|| {
                    QuantError::InvalidParameter(format!(
                        "code {q} at index {i} is not a level: codes run from 0 to {}",
                        levels.len().saturating_sub(1)
                    ))
                })
        })
        .collect()
}

/// `⌈log2 L⌉ + L·32 / N`: the code bits plus an `f32` codebook spread over `N` values.
pub(crate) fn codebook_bits_per_value(levels: usize, n: usize) -> f64 {
    let code_bits = if levels <= 1 {
        0.0
    } else {
        f64::from((levels - 1).ilog2() + 1)
    };
    if n == 0 {
        code_bits
    } else {
        code_bits + levels as f64 * CODEBOOK_ENTRY_BITS / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::Weighted;

    #[test]
    fn cell_boundaries_never_run_backwards_whatever_the_levels() {
        let w = Weighted::new(&[-2.0, -1.0, 0.0, 1.0, 2.0]).unwrap();
        for levels in [
            vec![-1.0, 0.5, 1.5],
            vec![1.5, -1.0, 0.5],
            vec![0.0, f64::NAN, 1.0],
            vec![f64::NEG_INFINITY, 0.0, f64::INFINITY],
        ] {
            let b = w.boundaries(&levels);
            assert!(b.windows(2).all(|p| p[0] <= p[1]), "{levels:?}: {b:?}");
            assert_eq!((b[0], *b.last().unwrap()), (0, 5));
        }
    }
}
