//! K-means (codebook) quantization in one dimension: Lloyd's algorithm with k-means++
//! seeding, and the exact optimum by dynamic programming.
//!
//! A k-means quantizer replaces every value by the nearest of `k` centroids `c_0 < … < c_{k−1}`
//! and stores the code `q = argmin_j |x − c_j|` (ties go to the lower code). The centroids
//! minimise the sum of squared errors
//!
//! ```text
//! SSE = Σ_n (x(n) − c_{q(n)})²,        MSE = SSE / N.
//! ```
//!
//! **Two solvers.**
//!
//! - [`lloyd_1d`]: Lloyd's algorithm (assign each value to its nearest centroid, move every
//!   centroid to the mean of its cell, repeat) from a seeded k-means++ start (Arthur &
//!   Vassilvitskii 2007: the first centroid is drawn with probability ∝ 1, each next one with
//!   probability ∝ D(x)², the squared distance to the nearest centroid so far). It stops when
//!   the cells no longer change, when no centroid moves by more than
//!   [`LLOYD_TOLERANCE`]`·(x_max − x_min)`, or after [`LLOYD_MAX_ITERATIONS`] rounds. It finds
//!   a local optimum only.
//! - [`optimal_1d`]: the exact global optimum (the Ckmeans.1d.dp result, Wang & Song 2011,
//!   *The R Journal* 3(2)). In one dimension an optimal clustering splits the sorted values
//!   into `k` contiguous runs, so with `D[c][i]` the least SSE of the first `i + 1` sorted
//!   values in `c + 1` clusters,
//!
//!   ```text
//!   D[0][i] = cost(0, i),    D[c][i] = min_{c ≤ j ≤ i} D[c−1][j−1] + cost(j, i),
//!   cost(j, i) = Σ_{t=j..i} w_t·x_t² − (Σ w_t·x_t)² / Σ w_t      (O(1) from prefix sums)
//!   ```
//!
//!   The best split `j*(c, i)` never decreases as `i` grows (the cost is a Monge array;
//!   Grønlund et al. 2017, *Fast exact k-means, k-medians and Bregman divergence clustering
//!   in 1D*), so each row is filled by divide and conquer in `O(n log n)` (the last row, whose
//!   final entry alone is needed, by one scan): the whole table in `O(k·n·log n)` after the
//!   `O(n log n)` sort. [`optimal_1d_reference`] fills the same table
//!   naively in `O(k·n²)` and is the test oracle.
//!
//! **Conventions.**
//!
//! - Both solvers work on the sorted *distinct* values with their multiplicities as weights
//!   (an optimal clustering never splits equal values), so `n` above is the number of
//!   distinct values and the result does not depend on the order of the data.
//! - `k = 0` is an error; `k` larger than the number of distinct values is **clamped** to
//!   that number (every distinct value becomes its own centroid, error 0). The clustering
//!   reports the `k` it used.
//! - `k` is at most [`MAX_K`] (`2^16`, the codes of a 16-bit quantizer).
//! - Empty input, NaN and ±∞ are errors that name the first bad index.
//! - Empty clusters in Lloyd's algorithm are re-seeded deterministically at the value
//!   farthest from its centroid (the smallest such value on ties).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result};
use crate::quant::codebook::lloyd::{
    Weighted, codebook_bits_per_value, inspect_codebook, lloyd_iterate, lookup_levels,
    nearest_codes,
};
use crate::quant::quantizer::Quantizer;

pub use crate::quant::codebook::lloyd::{
    CODEBOOK_ENTRY_BITS, LLOYD_MAX_ITERATIONS, LLOYD_TOLERANCE,
};

/// Most centroids a k-means quantizer takes: `2^16`, the codes of a 16-bit quantizer.
pub const MAX_K: usize = 1 << 16;

/// Largest split table the exact solver fills: `(k − 1)·(n − k + 1)` entries of 4 bytes
/// (`n` distinct values), 64 MiB. Beyond it [`optimal_1d`] returns an error that suggests
/// Lloyd's algorithm.
pub const MAX_DP_CELLS: usize = 1 << 24;

/// Largest `k·n²` the naive reference solver accepts.
pub const MAX_REFERENCE_WORK: usize = 1 << 30;

/// Which algorithm places the centroids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum KMeansMethod {
    /// Lloyd's algorithm from a seeded k-means++ start: fast, locally optimal.
    #[default]
    Lloyd,
    /// The exact optimum by dynamic programming (Ckmeans.1d.dp).
    Optimal,
}

impl KMeansMethod {
    /// Both methods, in menu order.
    pub const ALL: [KMeansMethod; 2] = [KMeansMethod::Lloyd, KMeansMethod::Optimal];

    /// The name used in URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            KMeansMethod::Lloyd => "lloyd",
            KMeansMethod::Optimal => "optimal",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            KMeansMethod::Lloyd => "Lloyd (k-means++)",
            KMeansMethod::Optimal => "Optimal (dynamic programming)",
        }
    }
}

/// The result of clustering one signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// The centroids, strictly ascending; `centroids.len()` is the `k` actually used.
    pub centroids: Vec<f64>,
    /// How many values each centroid is nearest to (same order as `centroids`).
    pub sizes: Vec<usize>,
    /// `Σ (x − nearest centroid)²` over all values.
    pub sse: f64,
    /// Rounds of Lloyd's algorithm (0 for the exact solvers).
    pub iterations: usize,
    /// Whether Lloyd's algorithm met its stopping rule before the cap (always true for the
    /// exact solvers).
    pub converged: bool,
}

impl Clustering {
    /// Mean squared error `SSE / N`.
    pub fn mse(&self) -> f64 {
        let n: usize = self.sizes.iter().sum();
        if n == 0 { 0.0 } else { self.sse / n as f64 }
    }
}

fn check_k(k: usize) -> Result<()> {
    if k == 0 {
        return Err(QuantError::InvalidParameter(
            "k must be at least 1: a k-means quantizer needs at least one centroid".into(),
        ));
    }
    if k > MAX_K {
        return Err(QuantError::InvalidParameter(format!(
            "k = {k} is too many centroids: the most is {MAX_K} (16-bit codes)"
        )));
    }
    Ok(())
}

/// Lloyd's algorithm with seeded k-means++ initialisation (see the module docs).
///
/// The same `data` (in any order), `k` and `seed` always give the same result.
pub fn lloyd_1d(data: &[f32], k: usize, seed: u64) -> Result<Clustering> {
    check_k(k)?;
    let w = Weighted::new(data)?;
    let k = k.min(w.distinct());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut centroids = kmeans_pp(&w, k, &mut rng);
    let (iterations, converged) = lloyd_iterate(&w, &mut centroids, true, LLOYD_MAX_ITERATIONS);
    let (sse, sizes) = w.sse_and_sizes(&centroids);
    Ok(Clustering {
        centroids,
        sizes,
        sse,
        iterations,
        converged,
    })
}

/// k-means++ seeding on distinct values: the first centroid with probability ∝ its
/// multiplicity, each next with probability ∝ multiplicity · D², where D is the distance to
/// the nearest centroid chosen so far. Returns `k` distinct values, ascending.
fn kmeans_pp(w: &Weighted, k: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let m = w.distinct();
    if k == 0 || m == 0 {
        return Vec::new();
    }
    if k >= m {
        return w.values.clone();
    }
    let first = {
        let u = rng.random::<f64>() * w.total as f64;
        let mut acc = 0.0;
        let mut pick = m - 1;
        for (t, &c) in w.counts.iter().enumerate() {
            acc += c as f64;
            if u < acc {
                pick = t;
                break;
            }
        }
        pick
    };
    let mut chosen = vec![first];
    let mut d2: Vec<f64> = w
        .values
        .iter()
        .map(|&x| {
            let d = x - w.values[first];
            d * d
        })
        .collect();
    let mut tree = Fenwick::new(
        &d2.iter()
            .zip(&w.counts)
            .map(|(&d, &c)| d * c as f64)
            .collect::<Vec<_>>(),
    );
    while chosen.len() < k {
        let total = tree.total();
        let mut pick = if total > 0.0 {
            tree.find(rng.random::<f64>() * total)
        } else {
            m
        };
        if pick >= m || d2[pick] <= 0.0 {
            // Rounding in the tree landed on a chosen value (or past the end): draw by a
            // direct scan instead, or fall back to the first value not yet chosen.
            pick = weighted_scan(&d2, &w.counts, rng.random::<f64>())
                .or_else(|| d2.iter().position(|&d| d > 0.0))
                .unwrap_or(0);
        }
        chosen.push(pick);
        let s = w.values[pick];
        // Only a contiguous run around the new centroid gets closer to it.
        let mut update = |t: usize, d2: &mut [f64]| -> bool {
            let d = w.values[t] - s;
            let nd = d * d;
            if nd < d2[t] {
                tree.add(t, (nd - d2[t]) * w.counts[t] as f64);
                d2[t] = nd;
                true
            } else {
                false
            }
        };
        update(pick, &mut d2);
        for t in (0..pick).rev() {
            if !update(t, &mut d2) {
                break;
            }
        }
        for t in pick + 1..m {
            if !update(t, &mut d2) {
                break;
            }
        }
    }
    let mut out: Vec<f64> = chosen.into_iter().map(|t| w.values[t]).collect();
    out.sort_by(f64::total_cmp);
    out.dedup();
    out
}

/// Draws an index with probability ∝ `counts[t]·d2[t]` by a linear scan; `u` in `[0, 1)`.
fn weighted_scan(d2: &[f64], counts: &[usize], u: f64) -> Option<usize> {
    let total: f64 = d2.iter().zip(counts).map(|(&d, &c)| d * c as f64).sum();
    if total <= 0.0 || !total.is_finite() {
        return None;
    }
    let target = u * total;
    let mut acc = 0.0;
    let mut last = None;
    for (t, (&d, &c)) in d2.iter().zip(counts).enumerate() {
        if d > 0.0 {
            acc += d * c as f64;
            last = Some(t);
            if target < acc {
                return Some(t);
            }
        }
    }
    last
}

/// A Fenwick (binary indexed) tree of non-negative weights: point update, prefix search.
#[derive(Debug)]
struct Fenwick {
    tree: Vec<f64>,
}

impl Fenwick {
    fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        let mut tree = vec![0.0; n + 1];
        tree[1..].copy_from_slice(weights);
        for i in 1..=n {
            let parent = i + (i & i.wrapping_neg());
            if parent <= n {
                tree[parent] += tree[i];
            }
        }
        Fenwick { tree }
    }

    fn add(&mut self, index: usize, delta: f64) {
        let mut i = index + 1;
        while i < self.tree.len() {
            self.tree[i] += delta;
            i += i & i.wrapping_neg();
        }
    }

    fn total(&self) -> f64 {
        let mut i = self.tree.len() - 1;
        let mut s = 0.0;
        while i > 0 {
            s += self.tree[i];
            i &= i - 1;
        }
        s
    }

    /// The smallest index whose prefix sum (inclusive) exceeds `target`; `len` if none.
    fn find(&self, mut target: f64) -> usize {
        let n = self.tree.len() - 1;
        let mut pos = 0;
        let mut step = if n == 0 { 0 } else { 1 << n.ilog2() };
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] <= target {
                pos = next;
                target -= self.tree[next];
            }
            step >>= 1;
        }
        pos
    }
}

/// The exact optimal 1-D k-means (see the module docs): `O(k·n·log n)` after sorting.
///
/// Errors when the split table, `(k − 1)·(n − k + 1)` entries for `n` distinct values,
/// would exceed [`MAX_DP_CELLS`].
pub fn optimal_1d(data: &[f32], k: usize) -> Result<Clustering> {
    check_k(k)?;
    let w = Weighted::new(data)?;
    let k = k.min(w.distinct());
    let b = optimal_boundaries(&w, k)?;
    Ok(finish_exact(&w, &b))
}

/// The same optimum as [`optimal_1d`] by the naive `O(k·n²)` dynamic program: the slow,
/// obviously correct oracle. Errors when `k·n²` exceeds [`MAX_REFERENCE_WORK`].
pub fn optimal_1d_reference(data: &[f32], k: usize) -> Result<Clustering> {
    check_k(k)?;
    let w = Weighted::new(data)?;
    let m = w.distinct();
    let k = k.min(m);
    let work = k.checked_mul(m).and_then(|x| x.checked_mul(m));
    if work.is_none_or(|x| x > MAX_REFERENCE_WORK) {
        return Err(QuantError::InvalidParameter(format!(
            "the reference k-means solver is O(k·n²) and {m} distinct values with k = {k} \
             is too much work; use the fast exact solver"
        )));
    }
    // d[c][i]: least SSE of values 0..=i in c + 1 clusters; s[c][i]: start of the last one.
    let mut d = vec![vec![f64::INFINITY; m]; k];
    let mut s = vec![vec![0usize; m]; k];
    d[0] = (0..m).map(|i| w.cost(0, i + 1)).collect();
    for c in 1..k {
        for i in c..m {
            for j in c..=i {
                let v = d[c - 1][j - 1] + w.cost(j, i + 1);
                if v < d[c][i] {
                    d[c][i] = v;
                    s[c][i] = j;
                }
            }
        }
    }
    let mut b = vec![m; k + 1];
    b[0] = 0;
    let mut end = m;
    for c in (1..k).rev() {
        let start = s[c][end - 1];
        b[c] = start;
        end = start;
    }
    Ok(finish_exact(&w, &b))
}

/// Centroids (cell means), exact SSE and sizes from the boundaries of an optimal partition.
fn finish_exact(w: &Weighted, b: &[usize]) -> Clustering {
    let centroids: Vec<f64> = b.windows(2).map(|p| w.mean(p[0], p[1])).collect();
    let (sse, sizes) = w.sse_and_sizes(&centroids);
    Clustering {
        centroids,
        sizes,
        sse,
        iterations: 0,
        converged: true,
    }
}

/// Boundaries `b[0] = 0 < b[1] < … < b[k] = n` of an optimal partition into `k ≤ n` runs.
fn optimal_boundaries(w: &Weighted, k: usize) -> Result<Vec<usize>> {
    let m = w.distinct();
    if k == 0 || m == 0 {
        return Ok(vec![0, m]);
    }
    // Layer c only needs last indices e in c..=c + width − 1, stored at e − c.
    let width = m - k + 1;
    let cells = (k - 1).checked_mul(width);
    if cells.is_none_or(|c| c > MAX_DP_CELLS) || m > u32::MAX as usize {
        return Err(QuantError::InvalidParameter(format!(
            "the exact k-means with k = {k} on {m} distinct values needs a table larger than \
             {MAX_DP_CELLS} entries; use Lloyd's algorithm or fewer values"
        )));
    }
    let mut prev: Vec<f64> = (0..width).map(|e| w.cost(0, e + 1)).collect();
    let mut cur = vec![0.0f64; width];
    // split[c − 1][ei]: j − c for the start j of cluster c when it ends at ei + c.
    let mut split: Vec<Vec<u32>> = Vec::with_capacity(k.saturating_sub(1));
    let mut stack: Vec<(usize, usize, usize, usize)> = Vec::new();
    for c in 1..k {
        let mut arg = vec![0u32; width];
        // The last cluster ends at the last value: that one entry of its row is enough.
        let first = if c + 1 == k { width - 1 } else { 0 };
        // Solve ei in lo..=hi knowing the best ji lies in opt_lo..=opt_hi.
        stack.push((first, width - 1, 0, width - 1));
        while let Some((lo, hi, opt_lo, opt_hi)) = stack.pop() {
            let mid = lo + (hi - lo) / 2;
            // Cluster c runs over values ji + c ..= mid + c.
            let (best, best_j) = w.best_start(&prev, c, opt_lo, opt_hi.min(mid), mid + c + 1);
            cur[mid] = best;
            arg[mid] = best_j as u32;
            if mid > lo {
                stack.push((lo, mid - 1, opt_lo, best_j));
            }
            if mid < hi {
                stack.push((mid + 1, hi, best_j, opt_hi));
            }
        }
        std::mem::swap(&mut prev, &mut cur);
        split.push(arg);
    }
    let mut b = vec![m; k + 1];
    b[0] = 0;
    let mut ei = width - 1;
    for c in (1..k).rev() {
        let ji = split[c - 1][ei] as usize;
        b[c] = ji + c;
        ei = ji;
    }
    Ok(b)
}

/// A fitted k-means quantizer: a codebook of ascending centroids and nearest-centroid codes.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeansQuantizer {
    centroids: Vec<f32>,
    method: KMeansMethod,
    requested_k: usize,
    len: usize,
    sse: f64,
    iterations: usize,
    converged: bool,
}

impl KMeansQuantizer {
    /// Fits `k` centroids to `data` with Lloyd's algorithm from a k-means++ start drawn
    /// with `seed`.
    pub fn fit(data: &[f32], k: usize, seed: u64) -> Result<Self> {
        Self::fit_with(data, k, KMeansMethod::Lloyd, seed)
    }

    /// Fits the exact optimal `k` centroids to `data` (dynamic programming).
    pub fn fit_optimal(data: &[f32], k: usize) -> Result<Self> {
        Self::fit_with(data, k, KMeansMethod::Optimal, 0)
    }

    /// Fits with the chosen `method`; `seed` is used by Lloyd's algorithm only.
    pub fn fit_with(data: &[f32], k: usize, method: KMeansMethod, seed: u64) -> Result<Self> {
        let c = match method {
            KMeansMethod::Lloyd => lloyd_1d(data, k, seed)?,
            KMeansMethod::Optimal => optimal_1d(data, k)?,
        };
        Ok(KMeansQuantizer {
            centroids: c.centroids.iter().map(|&v| v as f32).collect(),
            method,
            requested_k: k,
            len: data.len(),
            sse: c.sse,
            iterations: c.iterations,
            converged: c.converged,
        })
    }

    /// The codebook, ascending (stored as `f32`). Its length is the `k` actually used.
    pub fn centroids(&self) -> &[f32] {
        &self.centroids
    }

    /// The algorithm that placed the centroids.
    pub fn method(&self) -> KMeansMethod {
        self.method
    }

    /// The `k` asked for (the codebook may be smaller: see the module docs).
    pub fn requested_k(&self) -> usize {
        self.requested_k
    }

    /// Number of values the quantizer was fitted on.
    pub fn fitted_len(&self) -> usize {
        self.len
    }

    /// SSE of the fitted data against the (`f64`) centroids.
    pub fn sse(&self) -> f64 {
        self.sse
    }

    /// MSE of the fitted data against the (`f64`) centroids, `SSE / N`.
    pub fn mse(&self) -> f64 {
        if self.len == 0 {
            0.0
        } else {
            self.sse / self.len as f64
        }
    }

    /// Rounds of Lloyd's algorithm (0 for the exact solver).
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// Whether the solver met its stopping rule before the iteration cap.
    pub fn converged(&self) -> bool {
        self.converged
    }
}

impl Quantizer for KMeansQuantizer {
    fn inspect_blocks(&self) -> usize {
        1
    }

    fn inspect(
        &self,
        data: &[f32],
        block: usize,
        first: usize,
    ) -> Result<crate::quant::inspect::BlockDecode> {
        inspect_codebook(
            &self.centroids,
            self.requested_k,
            self.len,
            data,
            block,
            first,
        )
    }

    /// `q = argmin_j |x − c_j|` (ties to the lower code). Works on data of any length.
    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        nearest_codes(&self.centroids, data)
    }

    /// `x̂ = c_q`; a code outside `0..k` is an error.
    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        lookup_levels(&self.centroids, codes)
    }

    fn levels(&self) -> Vec<f32> {
        self.centroids.clone()
    }

    /// `⌈log2 k⌉ + k·32 / N`: code bits plus the `f32` codebook spread over the `N` fitted
    /// values.
    fn bits_per_value(&self) -> f64 {
        codebook_bits_per_value(self.centroids.len(), self.len)
    }

    /// `k_requested`, `k` (the codebook size used), `fitted_mse` (`SSE / N` against the
    /// `f64` centroids), `iterations` and `converged` (1 or 0).
    fn describe(&self) -> Vec<(String, f64)> {
        vec![
            ("k_requested".to_string(), self.requested_k as f64),
            ("k".to_string(), self.centroids.len() as f64),
            ("fitted_mse".to_string(), self.mse()),
            ("iterations".to_string(), self.iterations as f64),
            ("converged".to_string(), f64::from(u8::from(self.converged))),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, StandardNormal};

    fn random_data(seed: u64, n: usize, distinct_hint: u32) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                if distinct_hint > 0 {
                    // Few distinct values, with repeats.
                    rng.random_range(0..distinct_hint) as f32 * 0.5 - 1.0
                } else {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    z as f32
                }
            })
            .collect()
    }

    /// SSE of the best partition of sorted `data` into exactly `k` contiguous non-empty runs,
    /// by trying every set of cut points.
    fn brute_force_contiguous(data: &[f32], k: usize) -> f64 {
        let mut x: Vec<f64> = data.iter().map(|&v| f64::from(v)).collect();
        x.sort_by(f64::total_cmp);
        let n = x.len();
        let run_sse = |r: &[f64]| {
            let mean = r.iter().sum::<f64>() / r.len() as f64;
            r.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>()
        };
        let mut best = f64::INFINITY;
        // Bitmask over the n − 1 gaps: a set bit is a cut.
        for mask in 0u32..(1 << (n - 1)) {
            if mask.count_ones() as usize != k - 1 {
                continue;
            }
            let mut start = 0;
            let mut total = 0.0;
            for g in 0..n - 1 {
                if mask & (1 << g) != 0 {
                    total += run_sse(&x[start..=g]);
                    start = g + 1;
                }
            }
            total += run_sse(&x[start..]);
            best = best.min(total);
        }
        best
    }

    /// SSE of the best assignment of every value to one of `k` labels (any partition at
    /// all, contiguous or not), by enumerating all `k^n` labellings.
    fn brute_force_all_labellings(data: &[f32], k: usize) -> f64 {
        let n = data.len();
        let mut best = f64::INFINITY;
        let mut labels = vec![0usize; n];
        loop {
            let mut sum = vec![0.0f64; k];
            let mut cnt = vec![0.0f64; k];
            for (&x, &l) in data.iter().zip(&labels) {
                sum[l] += f64::from(x);
                cnt[l] += 1.0;
            }
            let sse: f64 = data
                .iter()
                .zip(&labels)
                .map(|(&x, &l)| {
                    let d = f64::from(x) - sum[l] / cnt[l];
                    d * d
                })
                .sum();
            best = best.min(sse);
            // Next labelling (odometer).
            let mut i = 0;
            while i < n {
                labels[i] += 1;
                if labels[i] < k {
                    break;
                }
                labels[i] = 0;
                i += 1;
            }
            if i == n {
                return best;
            }
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn exact_solution_is_never_worse_than_lloyd_on_many_seeded_inputs() {
        for seed in 0..200u64 {
            let n = 5 + (seed as usize * 7) % 300;
            let k = 1 + (seed as usize) % 9;
            let hint = if seed.is_multiple_of(3) { 7 } else { 0 };
            let x = random_data(seed, n, hint);
            let exact = optimal_1d(&x, k).unwrap();
            let lloyd = lloyd_1d(&x, k, seed).unwrap();
            assert!(
                exact.sse <= lloyd.sse + 1e-9 * (1.0 + lloyd.sse),
                "seed {seed}: exact {} > lloyd {}",
                exact.sse,
                lloyd.sse
            );
        }
    }

    #[test]
    fn exact_solution_equals_brute_force_over_all_contiguous_partitions() {
        for seed in 0..300u64 {
            let n = 1 + (seed as usize) % 10;
            let k = 1 + (seed as usize / 10) % 4;
            let x = random_data(1000 + seed, n, 0);
            let exact = optimal_1d(&x, k).unwrap();
            let used = exact.centroids.len();
            assert_eq!(used, k.min(n), "seed {seed}");
            let brute = brute_force_contiguous(&x, used);
            assert!(
                close(exact.sse, brute),
                "seed {seed}: {} vs {brute}",
                exact.sse
            );
        }
    }

    #[test]
    fn exact_solution_equals_brute_force_over_every_labelling_on_tiny_inputs() {
        for seed in 0..40u64 {
            let n = 2 + (seed as usize) % 7;
            let k = 1 + (seed as usize) % 3;
            let hint = if seed.is_multiple_of(2) { 4 } else { 0 };
            let x = random_data(5000 + seed, n, hint);
            let exact = optimal_1d(&x, k).unwrap();
            let brute = brute_force_all_labellings(&x, k);
            assert!(
                close(exact.sse, brute),
                "seed {seed}: {} vs {brute}",
                exact.sse
            );
        }
    }

    #[test]
    fn divide_and_conquer_matches_the_quadratic_reference() {
        for seed in 0..60u64 {
            let n = 50 + (seed as usize * 13) % 250;
            let k = 1 + (seed as usize) % 17;
            let hint = if seed.is_multiple_of(4) { 40 } else { 0 };
            let x = random_data(9000 + seed, n, hint);
            let fast = optimal_1d(&x, k).unwrap();
            let slow = optimal_1d_reference(&x, k).unwrap();
            assert!(close(fast.sse, slow.sse), "seed {seed}");
            assert_eq!(fast.centroids.len(), slow.centroids.len());
        }
    }

    #[test]
    fn the_exact_solver_matches_the_reference_on_thousands_of_values() {
        for (seed, n, k, hint) in [(1u64, 4000, 16, 0), (2, 3000, 7, 60), (3, 2500, 16, 5)] {
            let x = random_data(77_000 + seed, n, hint);
            let fast = optimal_1d(&x, k).unwrap();
            let slow = optimal_1d_reference(&x, k).unwrap();
            assert!(
                close(fast.sse, slow.sse),
                "seed {seed}: {} vs {}",
                fast.sse,
                slow.sse
            );
            assert_eq!(fast.sizes, slow.sizes, "seed {seed}");
        }
    }

    #[test]
    fn known_clusters_are_found_exactly() {
        let x = [0.0f32, 0.1, 0.2, 5.0, 5.1, 9.9, 10.0, 10.1];
        let c = optimal_1d(&x, 3).unwrap();
        assert_eq!(c.sizes, vec![3, 2, 3]);
        assert!((c.centroids[0] - 0.1).abs() < 1e-7);
        assert!((c.centroids[1] - 5.05).abs() < 1e-6);
        assert!((c.centroids[2] - 10.0).abs() < 1e-6);
        let q = KMeansQuantizer::fit_optimal(&x, 3).unwrap();
        assert_eq!(
            q.quantize(&x).unwrap(),
            vec![0, 0, 0, 1, 1, 2, 2, 2],
            "codes follow ascending centroids"
        );
    }

    #[test]
    fn k_larger_than_the_distinct_values_is_clamped_and_exact() {
        let x = [1.0f32, 2.0, 2.0, 3.0, 1.0];
        for method in KMeansMethod::ALL {
            let q = KMeansQuantizer::fit_with(&x, 8, method, 7).unwrap();
            assert_eq!(q.centroids(), &[1.0, 2.0, 3.0], "{method:?}");
            assert_eq!(q.requested_k(), 8);
            assert_eq!(q.sse(), 0.0);
            assert_eq!(q.quantize_dequantize(&x).unwrap(), x.to_vec());
        }
    }

    #[test]
    fn k_zero_and_k_beyond_sixteen_bits_are_errors() {
        for method in KMeansMethod::ALL {
            let e = KMeansQuantizer::fit_with(&[1.0, 2.0], 0, method, 1).unwrap_err();
            assert!(e.to_string().contains("at least 1"), "{e}");
            assert!(KMeansQuantizer::fit_with(&[1.0], MAX_K + 1, method, 1).is_err());
        }
        assert!(optimal_1d_reference(&[1.0], 0).is_err());
    }

    #[test]
    fn empty_nan_and_infinite_inputs_are_errors_naming_the_problem() {
        for method in KMeansMethod::ALL {
            assert_eq!(
                KMeansQuantizer::fit_with(&[], 2, method, 1).unwrap_err(),
                QuantError::Empty
            );
            let e = KMeansQuantizer::fit_with(&[0.0, f32::NAN], 2, method, 1).unwrap_err();
            assert!(matches!(e, QuantError::NonFinite { index: 1, .. }));
            assert!(e.to_string().contains("index 1"));
            let e = KMeansQuantizer::fit_with(&[f32::INFINITY], 2, method, 1).unwrap_err();
            assert!(matches!(e, QuantError::NonFinite { index: 0, .. }));
        }
        let q = KMeansQuantizer::fit(&[0.0, 1.0], 2, 1).unwrap();
        assert!(q.quantize(&[f32::NAN]).is_err());
    }

    #[test]
    fn constant_input_has_zero_error() {
        let x = [0.75f32; 50];
        for method in KMeansMethod::ALL {
            let q = KMeansQuantizer::fit_with(&x, 4, method, 3).unwrap();
            assert_eq!(q.centroids(), &[0.75]);
            assert_eq!(q.sse(), 0.0);
            assert_eq!(q.quantize_dequantize(&x).unwrap(), x.to_vec());
            // One level needs no code bits, only the codebook.
            assert_eq!(q.bits_per_value(), 32.0 / 50.0);
        }
    }

    #[test]
    fn lloyd_is_reproducible_and_ignores_the_order_of_the_data() {
        let x = random_data(42, 500, 0);
        let a = lloyd_1d(&x, 6, 11).unwrap();
        assert_eq!(a, lloyd_1d(&x, 6, 11).unwrap());
        let mut reversed = x.clone();
        reversed.reverse();
        assert_eq!(a, lloyd_1d(&reversed, 6, 11).unwrap());
        assert!(a.converged);
        assert!(a.centroids.windows(2).all(|p| p[0] < p[1]));
    }

    #[test]
    fn lloyd_centroids_are_the_means_of_their_cells() {
        let x = random_data(3, 2000, 0);
        let c = lloyd_1d(&x, 8, 5).unwrap();
        let w = Weighted::new(&x).unwrap();
        let b = w.boundaries(&c.centroids);
        for (j, &cent) in c.centroids.iter().enumerate() {
            assert!((w.mean(b[j], b[j + 1]) - cent).abs() < 1e-9);
        }
        assert_eq!(c.sizes.iter().sum::<usize>(), 2000);
    }

    #[test]
    fn empty_clusters_are_reseeded_so_every_centroid_is_used() {
        // Two tight groups far apart and a lone outlier: whatever the start, every cell
        // ends non-empty.
        let mut x = vec![0.0f32; 20];
        x.extend([0.01f32; 20]);
        x.extend([100.0f32, 100.01, 100.02, 1000.0]);
        for seed in 0..30 {
            let c = lloyd_1d(&x, 5, seed).unwrap();
            assert_eq!(c.centroids.len(), 5, "seed {seed}");
            assert!(c.sizes.iter().all(|&s| s > 0), "seed {seed}: {:?}", c.sizes);
        }
    }

    #[test]
    fn an_empty_cell_moves_to_the_value_farthest_from_its_centroid() {
        // Start with a level at 50 that no value is nearest to: it is re-seeded at 1000,
        // the value farthest from its own level (51).
        let x = [0.0f32, 0.01, 100.0, 1000.0];
        let w = Weighted::new(&x).unwrap();
        let mut levels = vec![0.0, 50.0, 51.0];
        let (_, converged) = lloyd_iterate(&w, &mut levels, true, LLOYD_MAX_ITERATIONS);
        assert!(converged);
        assert!((levels[0] - 0.005).abs() < 1e-8);
        assert_eq!(&levels[1..], &[100.0, 1000.0]);
        // Without re-seeding (Lloyd-Max on data) an empty level stays put.
        let w = Weighted::new(&[0.0, 0.01, 1000.0]).unwrap();
        let mut levels = vec![0.0, 50.0, 51.0];
        lloyd_iterate(&w, &mut levels, false, LLOYD_MAX_ITERATIONS);
        assert_eq!(&levels[1..], &[50.0, 1000.0]);
    }

    #[test]
    fn quantize_picks_the_nearest_centroid_with_ties_to_the_lower_code() {
        let q = KMeansQuantizer::fit_optimal(&[0.0, 1.0, 4.0], 3).unwrap();
        assert_eq!(q.levels(), vec![0.0, 1.0, 4.0]);
        assert_eq!(
            q.quantize(&[-3.0, 0.5, 0.51, 2.5, 2.6, 99.0]).unwrap(),
            vec![0, 0, 1, 1, 2, 2]
        );
        assert_eq!(q.dequantize(&[2, 0, 1]).unwrap(), vec![4.0, 0.0, 1.0]);
        let e = q.dequantize(&[0, 3]).unwrap_err();
        assert!(e.to_string().contains("code 3 at index 1"), "{e}");
        assert!(q.dequantize(&[-1]).is_err());
    }

    #[test]
    fn bits_per_value_is_code_bits_plus_the_codebook() {
        let x = random_data(8, 1024, 0);
        let q = KMeansQuantizer::fit_optimal(&x, 16).unwrap();
        assert_eq!(q.bits_per_value(), 4.0 + 16.0 * 32.0 / 1024.0);
        let q = KMeansQuantizer::fit(&x, 5, 1).unwrap();
        assert_eq!(q.bits_per_value(), 3.0 + 5.0 * 32.0 / 1024.0);
    }

    #[test]
    fn quantizer_sse_matches_the_reconstruction_error() {
        let x = random_data(21, 3000, 0);
        let q = KMeansQuantizer::fit_optimal(&x, 8).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        let mse = crate::metrics::mse(&x, &y);
        // The codebook is stored as f32, so allow a tiny difference.
        assert!(
            (mse - q.mse()).abs() < 1e-6 * q.mse().max(1e-12),
            "{mse} {}",
            q.mse()
        );
    }

    #[test]
    fn huge_and_tiny_values_do_not_break_the_solvers() {
        let x = [f32::MAX, -f32::MAX, 0.0, 1e-30, -1e-30, 3.0e38];
        for method in KMeansMethod::ALL {
            let q = KMeansQuantizer::fit_with(&x, 3, method, 2).unwrap();
            assert!(q.centroids().iter().all(|c| c.is_finite()), "{method:?}");
            assert!(q.quantize_dequantize(&x).is_ok());
        }
    }

    #[test]
    fn a_hundred_thousand_values_into_sixteen_clusters_runs_fast() {
        // Not timed; in release this takes a few milliseconds.
        let x = random_data(2024, 100_000, 0);
        let exact = optimal_1d(&x, 16).unwrap();
        let lloyd = lloyd_1d(&x, 16, 2024).unwrap();
        assert_eq!(exact.centroids.len(), 16);
        assert!(exact.sse <= lloyd.sse + 1e-9 * lloyd.sse);
        // Sixteen optimal levels on a unit Gaussian leave an MSE near Max's 0.009497.
        assert!((exact.mse() - 0.0095).abs() < 0.001, "{}", exact.mse());
    }

    #[test]
    fn the_exact_solver_refuses_tables_beyond_its_budget() {
        let x: Vec<f32> = (0..20_000).map(|i| i as f32).collect();
        let e = optimal_1d(&x, 2000).unwrap_err();
        assert!(e.to_string().contains("Lloyd"), "{e}");
        let e = optimal_1d_reference(&x, 16).unwrap_err();
        assert!(e.to_string().contains("reference"), "{e}");
    }

    #[test]
    fn method_ids_round_trip_through_serde() {
        for m in KMeansMethod::ALL {
            let s = serde_json::to_string(&m).unwrap();
            assert_eq!(s, format!("\"{}\"", m.id()));
            assert_eq!(serde_json::from_str::<KMeansMethod>(&s).unwrap(), m);
        }
    }
}
