//! SIMD registers and accumulators: how many lanes a register holds, and why int8 products
//! are summed in int32 (an int16 accumulator wraps after a few products).

use serde::{Deserialize, Serialize};

/// How many `lane_bits`-wide values fit in a `register_bits`-wide register (0 for a lane of
/// 0 bits).
pub fn lanes(register_bits: u32, lane_bits: u32) -> u32 {
    register_bits.checked_div(lane_bits).unwrap_or(0)
}

/// One step of a dot product `Σ a·b` of int8 values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccumulateRow {
    /// Products summed so far.
    pub terms: u32,
    /// The product added at this step (an int8 × int8 product always fits in int16).
    pub product: i32,
    /// The sum in an int32 accumulator (exact here).
    pub int32: i32,
    /// The sum in an int16 accumulator, wrapping as two's-complement hardware does.
    pub int16: i16,
}

impl AccumulateRow {
    /// The int16 sum has wrapped away from the exact one.
    pub fn overflowed(&self) -> bool {
        i32::from(self.int16) != self.int32
    }
}

/// The running sums of `terms` products `a[i]·b[i]` (the slices repeat when shorter), in int32
/// and in a wrapping int16 accumulator.
pub fn accumulate(a: &[i8], b: &[i8], terms: u32) -> Vec<AccumulateRow> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut int32 = 0i32;
    let mut int16 = 0i16;
    (0..terms as usize)
        .map(|i| {
            let product = i32::from(a[i % a.len()]) * i32::from(b[i % b.len()]);
            int32 = int32.saturating_add(product);
            int16 = int16.wrapping_add(product as i16);
            AccumulateRow {
                terms: i as u32 + 1,
                product,
                int32,
                int16,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_256_bit_register_holds_8_fp32_or_32_int8_lanes() {
        assert_eq!(lanes(256, 32), 8);
        assert_eq!(lanes(256, 8), 32);
        assert_eq!(lanes(512, 8), 64);
        assert_eq!(lanes(512, 0), 0);
    }

    #[test]
    fn the_third_product_of_127_by_127_wraps_an_int16_but_not_an_int32() {
        let rows = accumulate(&[127], &[127], 4);
        assert_eq!(rows[0].product, 16_129);
        assert_eq!(rows[1].int16, 32_258);
        assert!(!rows[1].overflowed());
        assert_eq!(rows[2].int32, 48_387);
        assert_eq!(rows[2].int16, 48_387_i32 as i16);
        assert!(rows[2].overflowed());
        assert!(accumulate(&[], &[1], 3).is_empty());
    }
}
