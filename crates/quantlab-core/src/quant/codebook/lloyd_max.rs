//! Lloyd-Max quantization: the minimum-MSE quantizer with `L` levels, for data and for a
//! known density (Lloyd 1957/1982, Max 1960).
//!
//! An `L`-level quantizer has levels `y_0 < … < y_{L−1}` and thresholds
//! `t_0 < … < t_{L−2}`; a value in the cell `(t_{i−1}, t_i]` (with `t_{−1} = −∞`,
//! `t_{L−1} = +∞`) becomes `y_i`. The two necessary conditions for minimum MSE are
//!
//! ```text
//! t_i = (y_i + y_{i+1}) / 2                      (nearest neighbour)
//! y_i = E[X | t_{i−1} < X ≤ t_i]                 (centroid)
//! ```
//!
//! and the Lloyd-Max iteration alternates them until the levels stop moving.
//!
//! **For data** ([`LloydMaxQuantizer`]) the centroid is the mean of the values in the cell.
//! The iteration starts from the uniform grid `y_i = x_min + (i + ½)·(x_max − x_min)/L`
//! and stops when the cells no longer change, when no level moves by more than
//! [`crate::quant::codebook::kmeans::LLOYD_TOLERANCE`]`·(x_max − x_min)`, or after [`DATA_MAX_ITERATIONS`].
//! An empty cell keeps its level (this is what distinguishes it from
//! [`crate::quant::codebook::kmeans::lloyd_1d`], which re-seeds empty clusters and starts from k-means++).
//! Constant data gives a single level and zero error.
//!
//! **For a density** ([`design_for_density`]), the standard Gaussian and the unit-variance
//! Laplace `f(x) = e^{−|x|/β}/(2β)`, `β = 1/√2`, the cell probability, mean and second
//! moment have closed forms. With the upper-tail integrals for `a ≥ 0`,
//!
//! ```text
//! Gaussian:  T0(a) = Q(a) = ½·erfc(a/√2),  T1(a) = φ(a),  T2(a) = Q(a) + a·φ(a)
//! Laplace:   T0(a) = ½e^{−a/β},  T1(a) = T0(a)·(a + β),  T2(a) = T0(a)·(a² + 2aβ + 2β²)
//! ```
//!
//! (`Tk(a) = ∫_a^∞ x^k f(x) dx`), a cell `(a, b]` has `P = T0(a) − T0(b)`,
//! `M1 = T1(a) − T1(b)` and `M2 = T2(a) − T2(b)` on the positive side (mirrored on the
//! negative side, and `1 − …` across 0), its centroid is `M1/P` and its squared error about
//! a level `y` is `M2 − 2y·M1 + y²·P`. `erfc` comes from the `libm` crate (a port of the
//! FreeBSD/Sun `s_erf.c`, accurate to about one ulp). Both densities are log-concave, so the
//! optimum is unique and the iteration converges to it (Fleischer 1964); it starts from the
//! Panter–Dite companding grid (level density ∝ `f^{1/3}`), which is already close. The
//! plain iteration converges only linearly, slower as `L` grows (about 10⁵ rounds at
//! `L = 256`), so each round also tries a Newton step on the fixed-point equations
//! `c(y) = y` (a tridiagonal solve) and keeps it when it lowers the residual
//! `max|c(y) − y|`; the answer is the same fixed point, reached in a few rounds.
//!
//! **Reference values** (tested to three decimals): Max (1960), *Quantizing for minimum
//! distortion*, IRE Trans. Inf. Theory 6(1), Table I, unit Gaussian: 1 bit `±0.7979`
//! (`= √(2/π)`), MSE `0.3634` (`= 1 − 2/π`); 2 bits `±0.4528, ±1.510`, MSE `0.1175`;
//! 3 bits `±0.2451, ±0.7560, ±1.344, ±2.152`, MSE `0.03454`; 4 bits
//! `±0.1284, ±0.3881, ±0.6568, ±0.9424, ±1.256, ±1.618, ±2.069, ±2.733`, MSE `0.009497`.
//! Unit-variance Laplace (Paez & Glisson 1972, *Minimum mean-squared-error quantization in
//! speech PCM and DPCM systems*, IEEE Trans. Commun. 20(2); Adams & Giesler 1978): 1 bit
//! `±1/√2`, MSE `0.5`; 2 bits levels `±0.4198, ±1.8340`, threshold `±1.1269`, MSE `0.1762`;
//! 3 bits levels `±0.2334, ±0.8330, ±1.6725, ±3.0867`.

use serde::{Deserialize, Serialize};

use crate::error::{QuantError, Result, check_bits};
use crate::quant::codebook::lloyd::{
    Weighted, codebook_bits_per_value, inspect_codebook, lloyd_iterate, lookup_levels, midpoint,
    nearest_codes,
};
use crate::quant::quantizer::Quantizer;

/// Most levels a data Lloyd-Max quantizer takes: `2^16` (16-bit codes).
pub const MAX_LEVELS: usize = 1 << 16;

/// Most rounds of the Lloyd-Max iteration on data.
pub const DATA_MAX_ITERATIONS: usize = 1000;

/// Most levels [`design_for_density`] designs (8 bits).
pub const MAX_DENSITY_LEVELS: usize = 256;

/// Most rounds of the Lloyd-Max iteration on a density.
pub const DENSITY_MAX_ITERATIONS: usize = 10_000;

/// The density iteration stops when a Lloyd step would move no level by more than this
/// (in units of σ): `max_i |c_i(y) − y_i| ≤ DENSITY_TOLERANCE`.
pub const DENSITY_TOLERANCE: f64 = 1e-12;

/// `1/√(2π)`.
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Laplace scale `β = 1/√2` for unit variance (`Var = 2β²`).
const LAPLACE_BETA: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// A zero-mean, unit-variance density with closed-form cell moments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Density {
    /// The standard normal `φ(x) = e^{−x²/2}/√(2π)`.
    #[default]
    Gaussian,
    /// The Laplace (two-sided exponential) `e^{−|x|/β}/(2β)` with `β = 1/√2`.
    Laplace,
}

impl Density {
    /// Both densities, in menu order.
    pub const ALL: [Density; 2] = [Density::Gaussian, Density::Laplace];

    /// The name used in URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Density::Gaussian => "gaussian",
            Density::Laplace => "laplace",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Density::Gaussian => "Gaussian (unit variance)",
            Density::Laplace => "Laplace (unit variance)",
        }
    }

    /// The density `f(x)`.
    pub fn pdf(self, x: f64) -> f64 {
        match self {
            Density::Gaussian => INV_SQRT_2PI * (-0.5 * x * x).exp(),
            Density::Laplace => (-x.abs() / LAPLACE_BETA).exp() / (2.0 * LAPLACE_BETA),
        }
    }

    /// The distribution function `F(x) = P(X ≤ x)`.
    pub fn cdf(self, x: f64) -> f64 {
        match self {
            Density::Gaussian => 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2),
            Density::Laplace => {
                if x < 0.0 {
                    0.5 * (x / LAPLACE_BETA).exp()
                } else {
                    1.0 - 0.5 * (-x / LAPLACE_BETA).exp()
                }
            }
        }
    }

    /// `[∫_a^∞ f, ∫_a^∞ x·f, ∫_a^∞ x²·f]` for `a ≥ 0` (zeros at `a = +∞`).
    fn tail(self, a: f64) -> [f64; 3] {
        if a == f64::INFINITY {
            return [0.0; 3];
        }
        match self {
            Density::Gaussian => {
                let q = 0.5 * libm::erfc(a / std::f64::consts::SQRT_2);
                let phi = self.pdf(a);
                [q, phi, q + a * phi]
            }
            Density::Laplace => {
                let b = LAPLACE_BETA;
                let t0 = 0.5 * (-a / b).exp();
                [t0, t0 * (a + b), t0 * (a * a + 2.0 * a * b + 2.0 * b * b)]
            }
        }
    }

    /// `[P, M1, M2]`: `∫_a^b x^k f(x) dx` for `k = 0, 1, 2` and `a < b` (either may be
    /// infinite). Differences are taken of tails on one side of 0, so far-out cells keep
    /// their relative accuracy.
    fn cell(self, a: f64, b: f64) -> [f64; 3] {
        if a >= 0.0 {
            let (ta, tb) = (self.tail(a), self.tail(b));
            [ta[0] - tb[0], ta[1] - tb[1], ta[2] - tb[2]]
        } else if b <= 0.0 {
            // Mirror (−b, −a] onto the positive side; the odd moment changes sign.
            let (ta, tb) = (self.tail(-b), self.tail(-a));
            [ta[0] - tb[0], -(ta[1] - tb[1]), ta[2] - tb[2]]
        } else {
            // Across 0: everything minus both tails (zero mean, unit variance).
            let (tl, tr) = (self.tail(-a), self.tail(b));
            [1.0 - tl[0] - tr[0], tl[1] - tr[1], 1.0 - tl[2] - tr[2]]
        }
    }

    /// The inverse of the distribution function of the companding density ∝ `f^{1/3}`
    /// (Gaussian: `N(0, 3)`; Laplace: scale `3β`), used for the starting grid.
    fn companding_quantile(self, p: f64) -> f64 {
        match self {
            Density::Gaussian => 3f64.sqrt() * normal_quantile(p),
            Density::Laplace => {
                let s = 3.0 * LAPLACE_BETA;
                if p < 0.5 {
                    s * (2.0 * p).ln()
                } else {
                    -s * (2.0 * (1.0 - p)).ln()
                }
            }
        }
    }
}

/// `Φ⁻¹(p)` by bisection on `Φ` (enough for a starting grid; `p` in `(0, 1)`).
fn normal_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-40.0f64, 40.0f64);
    for _ in 0..200 {
        let mid = midpoint(lo, hi);
        if Density::Gaussian.cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-15 {
            break;
        }
    }
    midpoint(lo, hi)
}

/// A Lloyd-Max quantizer designed for a [`Density`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DensityDesign {
    /// The density it was designed for.
    pub density: Density,
    /// Levels `y_i`, ascending (in units of σ).
    pub levels: Vec<f64>,
    /// Thresholds `t_i = (y_i + y_{i+1})/2`, ascending; one fewer than the levels.
    pub thresholds: Vec<f64>,
    /// Mean squared error `Σ_i ∫_cell (x − y_i)² f(x) dx` (in units of σ²).
    pub mse: f64,
    /// Rounds of the iteration.
    pub iterations: usize,
    /// Whether the levels settled within [`DENSITY_TOLERANCE`] before the cap.
    pub converged: bool,
}

impl DensityDesign {
    /// Signal-to-quantization-noise ratio `10·log10(σ² / MSE)` dB (`+∞` when the MSE is 0).
    pub fn sqnr_db(&self) -> f64 {
        crate::metrics::snr_db_from_powers(1.0, self.mse)
    }
}

/// Designs the `levels`-level Lloyd-Max quantizer for `density` (see the module docs).
///
/// `levels` runs from 1 to [`MAX_DENSITY_LEVELS`].
pub fn design_for_density(density: Density, levels: usize) -> Result<DensityDesign> {
    if levels == 0 || levels > MAX_DENSITY_LEVELS {
        return Err(QuantError::InvalidParameter(format!(
            "a Lloyd-Max design for a density takes 1 to {MAX_DENSITY_LEVELS} levels, not {levels}"
        )));
    }
    let l = levels as f64;
    let mut y: Vec<f64> = (0..levels)
        .map(|i| density.companding_quantile((i as f64 + 0.5) / l))
        .collect();
    symmetrize(&mut y);
    let mut map = LloydMap::eval(density, &y);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < DENSITY_MAX_ITERATIONS {
        if map.residual <= DENSITY_TOLERANCE {
            converged = true;
            break;
        }
        iterations += 1;
        // Try a Newton step; keep it only if it leaves the levels ordered and lowers the
        // residual, otherwise take the plain Lloyd step y ← c(y).
        let newton = map.newton_step(&y).and_then(|mut cand| {
            symmetrize(&mut cand);
            let m = LloydMap::eval(density, &cand);
            (m.residual < map.residual).then_some((cand, m))
        });
        match newton {
            Some((cand, m)) => {
                y = cand;
                map = m;
            }
            None => {
                y = map.centroids.clone();
                symmetrize(&mut y);
                map = LloydMap::eval(density, &y);
            }
        }
    }
    let t = cell_edges(&y);
    let mse = y
        .iter()
        .enumerate()
        .map(|(i, &level)| {
            let [p, m1, m2] = density.cell(t[i], t[i + 1]);
            (m2 - 2.0 * level * m1 + level * level * p).max(0.0)
        })
        .sum();
    Ok(DensityDesign {
        density,
        thresholds: t[1..levels].to_vec(),
        levels: y,
        mse,
        iterations,
        converged,
    })
}

/// `y_i ← (y_i − y_{L−1−i})/2`: makes the levels exactly odd-symmetric about 0.
///
/// Both densities are symmetric and log-concave, so the optimum is symmetric. Keeping the
/// iterate symmetric matters for the Laplace: its density is exponential on each side, so
/// `∂c/∂a + ∂c/∂b = 1` for every cell off 0 and the fixed-point equations are nearly
/// singular in the direction that slides all levels sideways; rounding would otherwise
/// drift along it (by about 1e-6 at a residual of 1e-12).
fn symmetrize(y: &mut [f64]) {
    let n = y.len();
    for i in 0..n / 2 {
        let j = n - 1 - i;
        let half = (y[j] - y[i]) / 2.0;
        y[i] = -half;
        y[j] = half;
    }
    if n % 2 == 1 {
        y[n / 2] = 0.0;
    }
}

/// One evaluation of the Lloyd-Max map `y ↦ c(y)` (the centroids of the cells whose edges
/// are the midpoints of `y`), with the derivatives a Newton step needs.
///
/// For a cell `(a, b]` with centroid `c = M1/P`:
///
/// ```text
/// ∂c/∂a = f(a)·(c − a)/P,    ∂c/∂b = f(b)·(b − c)/P
/// ```
///
/// (0 at an infinite edge), and `a`, `b` move by half of each neighbouring level, so the
/// Jacobian of `c(y) − y` is tridiagonal. For log-concave densities `∂c/∂a + ∂c/∂b < 1`
/// (Fleischer 1964), which makes it diagonally dominant.
#[derive(Debug)]
struct LloydMap {
    centroids: Vec<f64>,
    /// `∂c_i/∂a_i` and `∂c_i/∂b_i`.
    dca: Vec<f64>,
    dcb: Vec<f64>,
    /// `max_i |c_i − y_i|`.
    residual: f64,
}

impl LloydMap {
    fn eval(density: Density, y: &[f64]) -> Self {
        let t = cell_edges(y);
        let n = y.len();
        let (mut centroids, mut dca, mut dcb) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let mut residual = 0.0f64;
        for (i, &level) in y.iter().enumerate() {
            let (a, b) = (t[i], t[i + 1]);
            let [p, m1, _] = density.cell(a, b);
            let c = m1 / p;
            if p > 0.0 && c.is_finite() {
                let edge = |x: f64, d: f64| {
                    if x.is_finite() {
                        density.pdf(x) * d / p
                    } else {
                        0.0
                    }
                };
                centroids.push(c);
                dca.push(edge(a, c - a));
                dcb.push(edge(b, b - c));
                residual = residual.max((c - level).abs());
            } else {
                // A cell too far out to carry probability: leave its level alone.
                centroids.push(level);
                dca.push(0.0);
                dcb.push(0.0);
            }
        }
        LloydMap {
            centroids,
            dca,
            dcb,
            residual,
        }
    }

    /// Solves `J·δ = −(c − y)` (Thomas algorithm) and returns `y + δ` if it is finite and
    /// strictly ascending.
    fn newton_step(&self, y: &[f64]) -> Option<Vec<f64>> {
        let n = y.len();
        // Row i: sub·δ_{i−1} + diag·δ_i + sup·δ_{i+1} = rhs.
        let mut sup = vec![0.0f64; n];
        let mut rhs = vec![0.0f64; n];
        let mut prev_sup = 0.0;
        let mut prev_rhs = 0.0;
        for i in 0..n {
            let sub = if i > 0 { 0.5 * self.dca[i] } else { 0.0 };
            let diag = 0.5 * (self.dca[i] + self.dcb[i]) - 1.0;
            let up = if i + 1 < n { 0.5 * self.dcb[i] } else { 0.0 };
            let r = y[i] - self.centroids[i];
            let denom = diag - sub * prev_sup;
            if denom == 0.0 || !denom.is_finite() {
                return None;
            }
            sup[i] = up / denom;
            rhs[i] = (r - sub * prev_rhs) / denom;
            prev_sup = sup[i];
            prev_rhs = rhs[i];
        }
        let mut out = y.to_vec();
        let mut next = 0.0;
        for i in (0..n).rev() {
            let d = rhs[i] - sup[i] * next;
            out[i] += d;
            next = d;
        }
        let ordered = out.windows(2).all(|p| p[0] < p[1]);
        (ordered && out.iter().all(|v| v.is_finite())).then_some(out)
    }
}

/// `[−∞, t_0, …, t_{L−2}, +∞]` with `t_i` the midpoints of adjacent levels.
fn cell_edges(levels: &[f64]) -> Vec<f64> {
    let mut t = Vec::with_capacity(levels.len() + 1);
    t.push(f64::NEG_INFINITY);
    t.extend(levels.windows(2).map(|p| midpoint(p[0], p[1])));
    t.push(f64::INFINITY);
    t
}

/// A Lloyd-Max quantizer fitted to data: ascending levels, nearest-level codes.
#[derive(Debug, Clone, PartialEq)]
pub struct LloydMaxQuantizer {
    levels: Vec<f32>,
    requested_levels: usize,
    len: usize,
    mse: f64,
    iterations: usize,
    converged: bool,
}

impl LloydMaxQuantizer {
    /// Fits `levels` levels (1 to [`MAX_LEVELS`]) to `data` by the Lloyd-Max iteration from
    /// a uniform grid (see the module docs).
    pub fn fit(data: &[f32], levels: usize) -> Result<Self> {
        if levels == 0 || levels > MAX_LEVELS {
            return Err(QuantError::InvalidParameter(format!(
                "a Lloyd-Max quantizer takes 1 to {MAX_LEVELS} levels, not {levels}"
            )));
        }
        let w = Weighted::new(data)?;
        let (lo, hi) = match (w.values.first(), w.values.last()) {
            (Some(&lo), Some(&hi)) => (lo, hi),
            _ => return Err(QuantError::Empty),
        };
        let mut y: Vec<f64> = if hi > lo {
            let step = (hi - lo) / levels as f64;
            (0..levels).map(|i| lo + (i as f64 + 0.5) * step).collect()
        } else {
            // Constant data: one level, exact.
            vec![lo]
        };
        let (iterations, converged) = if y.len() > 1 {
            lloyd_iterate(&w, &mut y, false, DATA_MAX_ITERATIONS)
        } else {
            (0, true)
        };
        let (sse, _) = w.sse_and_sizes(&y);
        Ok(LloydMaxQuantizer {
            levels: y.iter().map(|&v| v as f32).collect(),
            requested_levels: levels,
            len: w.total,
            mse: sse / w.total as f64,
            iterations,
            converged,
        })
    }

    /// Fits `2^bits` levels (`bits` from 1 to 16).
    pub fn fit_bits(data: &[f32], bits: u32) -> Result<Self> {
        check_bits(bits, 1, 16)?;
        Self::fit(data, 1usize << bits)
    }

    /// The number of levels asked for (constant data gets a single level).
    pub fn requested_levels(&self) -> usize {
        self.requested_levels
    }

    /// Number of values the quantizer was fitted on.
    pub fn fitted_len(&self) -> usize {
        self.len
    }

    /// MSE of the fitted data against the (`f64`) levels.
    pub fn mse(&self) -> f64 {
        self.mse
    }

    /// Rounds of the iteration.
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// Whether the iteration met its stopping rule before [`DATA_MAX_ITERATIONS`].
    pub fn converged(&self) -> bool {
        self.converged
    }
}

impl Quantizer for LloydMaxQuantizer {
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
            &self.levels,
            self.requested_levels,
            self.len,
            data,
            block,
            first,
        )
    }

    /// `q = #{i : t_i < x}` with `t_i` the midpoints of the levels (ties to the lower code).
    /// Works on data of any length.
    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        nearest_codes(&self.levels, data)
    }

    /// `x̂ = y_q`; a code outside `0..L` is an error.
    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        lookup_levels(&self.levels, codes)
    }

    fn levels(&self) -> Vec<f32> {
        self.levels.clone()
    }

    /// `⌈log2 L⌉ + L·32 / N`: code bits plus the `f32` levels spread over the `N` fitted
    /// values.
    fn bits_per_value(&self) -> f64 {
        codebook_bits_per_value(self.levels.len(), self.len)
    }

    /// `levels_requested`, `levels` (used), `fitted_mse` (against the `f64` levels),
    /// `iterations` and `converged` (1 or 0).
    fn describe(&self) -> Vec<(String, f64)> {
        vec![
            ("levels_requested".to_string(), self.requested_levels as f64),
            ("levels".to_string(), self.levels.len() as f64),
            ("fitted_mse".to_string(), self.mse),
            ("iterations".to_string(), self.iterations as f64),
            ("converged".to_string(), f64::from(u8::from(self.converged))),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal};

    fn gaussian(seed: u64, n: usize) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                z as f32
            })
            .collect()
    }

    /// Checks the positive half of a symmetric design against a table, to `tol`.
    fn assert_levels(d: &DensityDesign, positive: &[f64], tol: f64) {
        let got: Vec<f64> = d.levels.iter().copied().filter(|&v| v > 0.0).collect();
        assert_eq!(got.len(), positive.len(), "{:?}", d.levels);
        for (g, want) in got.iter().zip(positive) {
            assert!((g - want).abs() < tol, "{got:?} vs {positive:?}");
        }
        // Symmetric about 0.
        for (a, b) in d.levels.iter().zip(d.levels.iter().rev()) {
            assert!((a + b).abs() < 1e-9, "{:?}", d.levels);
        }
    }

    /// `∫_a^b g(x) dx` by composite Simpson on `2·steps` panels.
    fn simpson(g: impl Fn(f64) -> f64, a: f64, b: f64, steps: usize) -> f64 {
        let n = 2 * steps;
        let h = (b - a) / n as f64;
        let mut s = g(a) + g(b);
        for i in 1..n {
            let w = if i % 2 == 1 { 4.0 } else { 2.0 };
            s += w * g(a + i as f64 * h);
        }
        s * h / 3.0
    }

    #[test]
    fn gaussian_levels_match_max_1960_to_three_decimals() {
        let d1 = design_for_density(Density::Gaussian, 2).unwrap();
        assert_levels(&d1, &[0.7979], 5e-4);
        assert!((d1.levels[1] - (2.0 / std::f64::consts::PI).sqrt()).abs() < 1e-12);
        assert!((d1.mse - (1.0 - 2.0 / std::f64::consts::PI)).abs() < 1e-12);

        let d2 = design_for_density(Density::Gaussian, 4).unwrap();
        assert_levels(&d2, &[0.4528, 1.510], 5e-4);
        assert!((d2.thresholds[2] - 0.9816).abs() < 5e-4);

        let d3 = design_for_density(Density::Gaussian, 8).unwrap();
        assert_levels(&d3, &[0.2451, 0.7560, 1.344, 2.152], 5e-4);

        let d4 = design_for_density(Density::Gaussian, 16).unwrap();
        assert_levels(
            &d4,
            &[0.1284, 0.3881, 0.6568, 0.9424, 1.256, 1.618, 2.069, 2.733],
            5e-4,
        );
        for d in [&d1, &d2, &d3, &d4] {
            assert!(d.converged);
        }
    }

    #[test]
    fn gaussian_mse_matches_max_1960_to_three_decimals() {
        for (levels, mse) in [
            (2, 0.3634),
            (3, 0.1902),
            (4, 0.1175),
            (8, 0.03454),
            (16, 0.009497),
        ] {
            let d = design_for_density(Density::Gaussian, levels).unwrap();
            assert!((d.mse - mse).abs() < 5e-4, "L = {levels}: {}", d.mse);
            // Relative agreement too, so the small MSEs are really checked.
            assert!((d.mse / mse - 1.0).abs() < 2e-3, "L = {levels}: {}", d.mse);
        }
        // Three levels: 0 and ±1.224 (Max 1960).
        let d = design_for_density(Density::Gaussian, 3).unwrap();
        assert!(d.levels[1].abs() < 1e-12);
        assert!((d.levels[2] - 1.224).abs() < 5e-4);
    }

    #[test]
    fn laplace_levels_match_paez_glisson_to_three_decimals() {
        let d1 = design_for_density(Density::Laplace, 2).unwrap();
        // One bit: the level is E|X| = β = 1/√2 and the MSE 1 − β² = ½.
        assert!((d1.levels[1] - LAPLACE_BETA).abs() < 1e-12);
        assert!((d1.mse - 0.5).abs() < 1e-12);

        let d2 = design_for_density(Density::Laplace, 4).unwrap();
        assert_levels(&d2, &[0.4198, 1.8340], 5e-4);
        assert!((d2.thresholds[2] - 1.1269).abs() < 5e-4);
        assert!((d2.mse - 0.1762).abs() < 5e-4, "{}", d2.mse);

        let d3 = design_for_density(Density::Laplace, 8).unwrap();
        assert_levels(&d3, &[0.2334, 0.8330, 1.6725, 3.0867], 5e-4);
        assert!(d1.converged && d2.converged && d3.converged);
    }

    #[test]
    fn designs_satisfy_both_optimality_conditions_by_numerical_integration() {
        // The closed forms are checked against Simpson quadrature of the pdf, on cells
        // truncated at ±40σ (the mass beyond is below 1e-24 for either density).
        for density in Density::ALL {
            for levels in [2, 3, 5, 8] {
                let d = design_for_density(density, levels).unwrap();
                for (i, t) in d.thresholds.iter().enumerate() {
                    assert!((t - (d.levels[i] + d.levels[i + 1]) / 2.0).abs() < 1e-12);
                }
                let edges: Vec<f64> = std::iter::once(-40.0)
                    .chain(d.thresholds.iter().copied())
                    .chain(std::iter::once(40.0))
                    .collect();
                for (i, &y) in d.levels.iter().enumerate() {
                    let (a, b) = (edges[i], edges[i + 1]);
                    // The Laplace pdf has a kink at 0: integrate each side separately.
                    let split = |g: &dyn Fn(f64) -> f64| {
                        if a < 0.0 && b > 0.0 {
                            simpson(g, a, 0.0, 20_000) + simpson(g, 0.0, b, 20_000)
                        } else {
                            simpson(g, a, b, 20_000)
                        }
                    };
                    let p = split(&|x| density.pdf(x));
                    let m1 = split(&|x| x * density.pdf(x));
                    assert!(
                        (m1 / p - y).abs() < 1e-6,
                        "{density:?} L = {levels} level {i}: {} vs {y}",
                        m1 / p
                    );
                }
            }
        }
    }

    #[test]
    fn cdf_is_the_integral_of_the_pdf() {
        for density in Density::ALL {
            for x in [-3.0, -1.0, -0.2, 0.0, 0.5, 2.0] {
                let integral = simpson(|t| density.pdf(t), -30.0, 0.0, 50_000)
                    + simpson(|t| density.pdf(t), 0.0, x, 50_000);
                assert!(
                    (integral - density.cdf(x)).abs() < 1e-9,
                    "{density:?} at {x}: {integral} vs {}",
                    density.cdf(x)
                );
            }
        }
    }

    #[test]
    fn one_level_is_the_mean_with_unit_error() {
        for density in Density::ALL {
            let d = design_for_density(density, 1).unwrap();
            assert_eq!(d.levels, vec![0.0]);
            assert!(d.thresholds.is_empty());
            assert!((d.mse - 1.0).abs() < 1e-12);
            assert!(d.sqnr_db().abs() < 1e-9);
        }
    }

    #[test]
    fn eight_bit_designs_converge_and_approach_the_panter_dite_bound() {
        // For large L, MSE ≈ (1/12)·(∫ f^{1/3})³ / L²: √3·π/2 / L² for the Gaussian
        // (Panter & Dite 1951) and 4.5 / L² for the unit Laplace.
        for (density, c) in [
            (Density::Gaussian, 3f64.sqrt() * std::f64::consts::PI / 2.0),
            (Density::Laplace, 4.5),
        ] {
            let d = design_for_density(density, 256).unwrap();
            assert!(d.converged, "{density:?}: {} iterations", d.iterations);
            assert!(
                d.iterations < 20,
                "{density:?}: {} iterations",
                d.iterations
            );
            let bound = c / (256.0 * 256.0);
            assert!(
                (d.mse / bound - 1.0).abs() < 0.05,
                "{density:?}: {} vs {bound}",
                d.mse
            );
        }
    }

    #[test]
    fn newton_steps_reach_the_same_fixed_point_as_plain_lloyd_iterations() {
        for density in Density::ALL {
            for levels in [4, 7, 16] {
                let d = design_for_density(density, levels).unwrap();
                // Plain Lloyd-Max from a uniform grid on ±3σ.
                let mut y: Vec<f64> = (0..levels)
                    .map(|i| -3.0 + 6.0 * (i as f64 + 0.5) / levels as f64)
                    .collect();
                for _ in 0..20_000 {
                    y = LloydMap::eval(density, &y).centroids;
                    symmetrize(&mut y);
                }
                for (a, b) in y.iter().zip(&d.levels) {
                    assert!((a - b).abs() < 1e-9, "{density:?} L = {levels}: {a} vs {b}");
                }
                assert!(
                    d.iterations < 50,
                    "{density:?} L = {levels}: {}",
                    d.iterations
                );
            }
        }
    }

    #[test]
    fn density_level_counts_outside_one_to_256_are_errors() {
        for levels in [0, 257] {
            let e = design_for_density(Density::Gaussian, levels).unwrap_err();
            assert!(e.to_string().contains("1 to 256"), "{e}");
        }
    }

    #[test]
    fn data_quantizer_on_many_gaussian_samples_approaches_max_levels() {
        let x = gaussian(7, 200_000);
        let q = LloydMaxQuantizer::fit_bits(&x, 2).unwrap();
        assert!(q.converged());
        let want = [-1.510, -0.4528, 0.4528, 1.510];
        for (got, want) in q.levels().iter().zip(want) {
            assert!((f64::from(*got) - want).abs() < 0.03, "{:?}", q.levels());
        }
        assert!((q.mse() - 0.1175).abs() < 0.005, "{}", q.mse());
    }

    #[test]
    fn data_levels_are_the_means_of_their_cells_at_convergence() {
        let x = gaussian(11, 5000);
        let q = LloydMaxQuantizer::fit(&x, 6).unwrap();
        assert!(q.converged());
        let codes = q.quantize(&x).unwrap();
        let levels = q.levels();
        for (j, &level) in levels.iter().enumerate() {
            let cell: Vec<f64> = x
                .iter()
                .zip(&codes)
                .filter(|&(_, &c)| c as usize == j)
                .map(|(&v, _)| f64::from(v))
                .collect();
            let mean = cell.iter().sum::<f64>() / cell.len() as f64;
            assert!((mean - f64::from(level)).abs() < 1e-5, "level {j}");
        }
    }

    #[test]
    fn data_quantizer_is_never_better_than_the_exact_k_means() {
        for seed in 0..20 {
            let x = gaussian(100 + seed, 400);
            let levels = 2 + (seed as usize) % 7;
            let lm = LloydMaxQuantizer::fit(&x, levels).unwrap();
            let exact = crate::quant::codebook::kmeans::optimal_1d(&x, levels).unwrap();
            assert!(lm.mse() >= exact.mse() - 1e-12, "seed {seed}");
        }
    }

    #[test]
    fn an_empty_cell_keeps_its_level() {
        // Values only at the ends: the middle cells of the uniform grid stay empty and
        // keep their grid levels.
        let x = [0.0f32, 0.0, 10.0, 10.0];
        let q = LloydMaxQuantizer::fit(&x, 4).unwrap();
        assert_eq!(q.levels(), vec![0.0, 3.75, 6.25, 10.0]);
        assert_eq!(q.quantize_dequantize(&x).unwrap(), x.to_vec());
    }

    #[test]
    fn constant_data_gives_one_level_and_zero_error() {
        let x = [-1.25f32; 30];
        let q = LloydMaxQuantizer::fit_bits(&x, 3).unwrap();
        assert_eq!(q.levels(), vec![-1.25]);
        assert_eq!(q.requested_levels(), 8);
        assert_eq!(q.mse(), 0.0);
        assert_eq!(q.quantize_dequantize(&x).unwrap(), x.to_vec());
        assert_eq!(q.bits_per_value(), 32.0 / 30.0);
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        assert_eq!(
            LloydMaxQuantizer::fit(&[], 4).unwrap_err(),
            QuantError::Empty
        );
        let e = LloydMaxQuantizer::fit(&[1.0, 2.0, f32::NAN], 4).unwrap_err();
        assert!(matches!(e, QuantError::NonFinite { index: 2, .. }));
        assert!(LloydMaxQuantizer::fit(&[f32::NEG_INFINITY], 4).is_err());
        assert!(LloydMaxQuantizer::fit(&[1.0], 0).is_err());
        assert!(LloydMaxQuantizer::fit(&[1.0], MAX_LEVELS + 1).is_err());
        for bits in [0, 17] {
            assert!(matches!(
                LloydMaxQuantizer::fit_bits(&[1.0], bits),
                Err(QuantError::BitsOutOfRange { .. })
            ));
        }
        let q = LloydMaxQuantizer::fit(&[0.0, 1.0], 2).unwrap();
        assert!(q.quantize(&[f32::INFINITY]).is_err());
        assert!(q.dequantize(&[2]).is_err());
        let huge = [f32::MAX, -f32::MAX, 0.0];
        let q = LloydMaxQuantizer::fit(&huge, 4).unwrap();
        assert!(q.levels().iter().all(|v| v.is_finite()));
    }

    #[test]
    fn bits_per_value_is_code_bits_plus_the_levels() {
        let x = gaussian(3, 2048);
        let q = LloydMaxQuantizer::fit_bits(&x, 3).unwrap();
        assert_eq!(q.bits_per_value(), 3.0 + 8.0 * 32.0 / 2048.0);
        assert_eq!(q.fitted_len(), 2048);
    }

    #[test]
    fn density_ids_round_trip_through_serde() {
        for d in Density::ALL {
            let s = serde_json::to_string(&d).unwrap();
            assert_eq!(s, format!("\"{}\"", d.id()));
            assert_eq!(serde_json::from_str::<Density>(&s).unwrap(), d);
        }
    }
}
