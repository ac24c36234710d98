//! A monotone scalar quantizer on normalised values `x̃ ∈ [−1, 1]` (NF4, μ-law, A-law)
//! as a search among thresholds in the input domain followed by a table lookup: no
//! logarithm or exponential per value, and exactly the scalar quantizer's codes.
//!
//! **Thresholds.** A scalar quantizer `code(x̃)` that never decreases as `x̃` grows is
//! described completely, over the `f32` inputs, by `t_j` = the smallest `f32` whose code is
//! at least `j` (`j = 1..L−1`): then `code(x̃) = #{j : t_j ≤ x̃}`. [`MonotoneTable::build`]
//! finds every `t_j` by bisection over the `f32` values of `[−1, 1]` in their total order
//! (so `−0` and `+0` are distinct inputs, as they are to the scalar code), calling the
//! scalar quantizer itself; the table is therefore its exact image, as long as the scalar
//! quantizer is monotone (the tests probe every `f32` next to every threshold).
//!
//! **Lookup.** Comparisons use the order-preserving integer key of an `f32` (its bits, the
//! negatives reversed). The key range of `[−1, 1]` is cut into [`BUCKETS`] buckets; each
//! stores the code of its smallest key, and at most `span` thresholds lie inside any
//! bucket, so a value's code is its bucket's base plus `span` comparisons. Tables hold at
//! most [`MAX_CODES`] codes; beyond that the callers use their scalar path.

/// Most codes a table holds (10-bit quantizers).
pub const MAX_CODES: usize = 1024;

/// Key buckets over `[−1, 1]`.
pub const BUCKETS: usize = 1 << 14;

/// Largest number of thresholds inside one bucket the lookup handles.
pub const MAX_SPAN: usize = 8;

const SHIFT: u32 = 17;

/// The order-preserving key of `v`: `a < b ⇔ key(a) < key(b)`, with `−0 < +0`.
#[inline(always)]
pub fn key(v: f32) -> u32 {
    let b = v.to_bits();
    if b >> 31 == 1 { !b } else { b | 0x8000_0000 }
}

/// The `f32` of a key (the inverse of [`key`]).
pub fn from_key(k: u32) -> f32 {
    if k >> 31 == 1 {
        f32::from_bits(k & 0x7fff_ffff)
    } else {
        f32::from_bits(!k)
    }
}

/// Threshold keys, code levels and bucket bases of a monotone quantizer (module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct MonotoneTable {
    th: Box<[u32; MAX_CODES]>,
    levels: Box<[f32; MAX_CODES]>,
    base: Box<[u16; BUCKETS]>,
    span: usize,
}

impl MonotoneTable {
    /// The table of the quantizer `code` (monotone on `[−1, 1]`, codes `0..levels.len()`)
    /// with reconstruction `levels`; `None` when it has more than [`MAX_CODES`] codes or
    /// a bucket holds more than [`MAX_SPAN`] thresholds.
    pub fn build(code: impl Fn(f32) -> usize, levels: &[f32]) -> Option<Self> {
        let n = levels.len();
        if n == 0 || n > MAX_CODES {
            return None;
        }
        let (kmin, kmax) = (key(-1.0), key(1.0));
        let mut th = Box::new([u32::MAX; MAX_CODES]);
        let mut lo = kmin;
        for (j, t) in th.iter_mut().enumerate().take(n).skip(1) {
            // The smallest key in lo..=kmax whose code is at least j (kmax + 1 if none).
            let (mut a, mut b) = (u64::from(lo), u64::from(kmax) + 1);
            while a < b {
                let m = (a + b) / 2;
                if code(from_key(m as u32)) >= j {
                    b = m;
                } else {
                    a = m + 1;
                }
            }
            *t = if a > u64::from(kmax) {
                u32::MAX
            } else {
                a as u32
            };
            lo = (a.min(u64::from(kmax))) as u32;
        }
        // Code j − 1 ends below th[j − 1]: shift so th[c] is the threshold above code c.
        let mut above = Box::new([u32::MAX; MAX_CODES]);
        above[..n - 1].copy_from_slice(&th[1..n]);
        let mut base = Box::new([0u16; BUCKETS]);
        let mut span = 0;
        for (b, slot) in base.iter_mut().enumerate() {
            let first = kmin.saturating_add((b as u32) << SHIFT);
            let last = first.saturating_add((1 << SHIFT) - 1);
            let c0 = above[..n - 1].partition_point(|&t| t <= first);
            let c1 = above[..n - 1].partition_point(|&t| t <= last);
            *slot = c0 as u16;
            span = span.max(c1 - c0);
        }
        if span > MAX_SPAN {
            return None;
        }
        let mut lv = Box::new([0f32; MAX_CODES]);
        lv[..n].copy_from_slice(levels);
        Some(MonotoneTable {
            th: above,
            levels: lv,
            base,
            span,
        })
    }

    /// The thresholds `t_1 < … < t_{L−1}` (module docs) that lie in `[−1, 1]`.
    pub fn thresholds(&self) -> Vec<f32> {
        self.th
            .iter()
            .take_while(|&&t| t != u32::MAX)
            .map(|&t| from_key(t))
            .collect()
    }

    /// The code of a normalised value (clamped to `[−1, 1]`).
    #[inline(always)]
    pub fn code(&self, xn: f32) -> usize {
        match self.span {
            0 => self.code_n::<0>(xn),
            1 => self.code_n::<1>(xn),
            2 => self.code_n::<2>(xn),
            3 => self.code_n::<3>(xn),
            4 => self.code_n::<4>(xn),
            5 => self.code_n::<5>(xn),
            6 => self.code_n::<6>(xn),
            7 => self.code_n::<7>(xn),
            _ => self.code_n::<8>(xn),
        }
    }

    #[inline(always)]
    fn code_n<const SPAN: usize>(&self, xn: f32) -> usize {
        let k = key(xn.clamp(-1.0, 1.0));
        let b = (k.wrapping_sub(key(-1.0)) >> SHIFT) as usize & (BUCKETS - 1);
        let mut c = usize::from(self.base[b]);
        for _ in 0..SPAN {
            c += usize::from(k >= self.th[c & (MAX_CODES - 1)]);
        }
        c & (MAX_CODES - 1)
    }

    /// The level of code `c`.
    #[inline(always)]
    pub fn level(&self, c: usize) -> f32 {
        self.levels[c & (MAX_CODES - 1)]
    }

    /// `level(code(x / a))·b` for every value of `xs` into `out` (`a > 0`: the normalising
    /// absmax; `b`: the absmax the levels are scaled back with). Returns false if an input
    /// is NaN or ±∞.
    #[inline(always)]
    pub fn quantize_dequantize(&self, a: f32, b: f32, xs: &[f32], out: &mut [f32]) -> bool {
        match self.span {
            0 => self.qdq_n::<0>(a, b, xs, out),
            1 => self.qdq_n::<1>(a, b, xs, out),
            2 => self.qdq_n::<2>(a, b, xs, out),
            3 => self.qdq_n::<3>(a, b, xs, out),
            4 => self.qdq_n::<4>(a, b, xs, out),
            5 => self.qdq_n::<5>(a, b, xs, out),
            6 => self.qdq_n::<6>(a, b, xs, out),
            7 => self.qdq_n::<7>(a, b, xs, out),
            _ => self.qdq_n::<8>(a, b, xs, out),
        }
    }

    #[inline(always)]
    fn qdq_n<const SPAN: usize>(&self, a: f32, b: f32, xs: &[f32], out: &mut [f32]) -> bool {
        let mut bad = 0u32;
        for (o, &x) in out.iter_mut().zip(xs) {
            bad |= u32::from(x.to_bits() & 0x7f80_0000 == 0x7f80_0000);
            *o = self.level(self.code_n::<SPAN>(x / a)) * b;
        }
        bad == 0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_every_float_including_signed_zeros() {
        let v = [-1.0f32, -0.5, -1e-45, -0.0, 0.0, 1e-45, 0.5, 1.0];
        for w in v.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{w:?}");
            assert_eq!(from_key(key(w[0])).to_bits(), w[0].to_bits());
        }
    }

    #[test]
    fn a_step_function_is_reproduced_at_every_float_near_its_thresholds() {
        // Codes: x < −0.25 → 0, −0.25 ≤ x < −0 → 1, −0 ≤ x ≤ 0.1 → 2, x > 0.1 → 3.
        let code = |x: f32| {
            if x < -0.25 {
                0
            } else if key(x) < key(-0.0) {
                1
            } else if x <= 0.1 {
                2
            } else {
                3
            }
        };
        let t = MonotoneTable::build(code, &[-1.0, -0.5, 0.0, 1.0]).unwrap();
        for c in [-1.0f32, -0.25, -0.0, 0.0, 0.1, 1.0] {
            let mut k = key(c).saturating_sub(300);
            while k <= key(c).saturating_add(300).min(key(1.0)) {
                let x = from_key(k);
                assert_eq!(t.code(x), code(x), "{x:e}");
                k += 1;
            }
        }
        assert_eq!(t.code(7.0), 3);
        assert_eq!(t.code(-7.0), 0);
        assert!(MonotoneTable::build(|_| 0, &[0.0; 2000]).is_none());
    }
}
