//! One stage of the fast Walsh–Hadamard transform ([`crate::quant::rotation::fwht_in_place`]):
//! `(a, b) ← (a + b, a − b)` over two halves of a block.

/// `lo[i], hi[i] ← lo[i] + hi[i], lo[i] − hi[i]` for every `i` (to the shorter length).
#[inline(always)]
pub fn butterflies(lo: &mut [f32], hi: &mut [f32]) {
    for (a, b) in lo.iter_mut().zip(hi.iter_mut()) {
        let (x, y) = (*a, *b);
        *a = x + y;
        *b = x - y;
    }
}
