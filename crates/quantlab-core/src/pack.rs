//! Packing low-bit codes into bytes, and unpacking them again.
//!
//! **Bit order (LSB-first).** The codes form one little-endian bit stream: code `i` of width
//! `b` occupies stream bits `[i·b, i·b + b)`, and stream bit `k` is bit `k mod 8` (bit 0 =
//! least significant) of byte `⌊k/8⌋`. The low bits of a code come first. So with 4-bit
//! codes, code 0 is the low nibble and code 1 the high nibble of byte 0; with 2-bit codes,
//! byte 0 holds codes 0..4 at bits 0–1, 2–3, 4–5, 6–7; 3-bit codes cross byte boundaries
//! (code 2 takes bits 6–7 of byte 0 and bit 0 of byte 1). Unused high bits of the last
//! byte are zero.
//!
//! **Size.** `n` codes of `b` bits take [`packed_len`]`(n, b) = ⌈n·b/8⌉` bytes; every
//! bits-per-value figure in this crate counts code storage with it.
//!
//! Supported widths are [`SUPPORTED_BITS`] = 1, 2, 3, 4 and 8; codes are unsigned
//! (`0 ≤ code < 2^b`). Signed codes must be offset (e.g. `q + 2^(b−1)`) by the caller.

use crate::error::{QuantError, Result};

/// The code widths [`pack`] and [`unpack`] accept.
pub const SUPPORTED_BITS: [u32; 5] = [1, 2, 3, 4, 8];

/// Bytes needed for `n` codes of `bits` bits each: `⌈n·bits/8⌉`.
///
/// Computed without overflowing for any `n` as `(n/8)·bits + ⌈(n mod 8)·bits/8⌉`
/// (saturating at `usize::MAX` for absurd widths). Valid for any width, not only the ones
/// [`pack`] supports (16-bit codes take `2n` bytes).
pub const fn packed_len(n: usize, bits: u32) -> usize {
    let bits = bits as usize;
    let whole = (n / 8).saturating_mul(bits);
    let rest = ((n % 8) * bits).div_ceil(8);
    whole.saturating_add(rest)
}

// Layout checks, evaluated at compile time.
const _: () = assert!(packed_len(8, 3) == 3);
const _: () = assert!(packed_len(3, 3) == 2);
const _: () = assert!(packed_len(32, 4) == 16);
const _: () = assert!(packed_len(1, 1) == 1);
const _: () = assert!(packed_len(64, 1) == 8);
const _: () = assert!(packed_len(5, 8) == 5);
const _: () = assert!(packed_len(0, 4) == 0);
const _: () = assert!(packed_len(7, 16) == 14);

fn check_width(bits: u32) -> Result<()> {
    if SUPPORTED_BITS.contains(&bits) {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "codes of {bits} bits cannot be packed: packing takes 1, 2, 3, 4 or 8 bits per code"
        )))
    }
}

/// Packs unsigned `codes` of `bits` bits each into `⌈n·bits/8⌉` bytes, LSB-first (see the
/// module docs for the exact bit order).
///
/// Errors: `bits` not in {1, 2, 3, 4, 8}, or a code `≥ 2^bits` (the error names its index).
/// An empty slice packs to no bytes.
pub fn pack(codes: &[u32], bits: u32) -> Result<Vec<u8>> {
    check_width(bits)?;
    let limit = 1u32 << bits;
    if let Some(i) = codes.iter().position(|&c| c >= limit) {
        return Err(QuantError::InvalidParameter(format!(
            "code {} at index {i} does not fit in {bits} bits (the largest {bits}-bit code is {})",
            codes[i],
            limit - 1
        )));
    }
    let mut out = vec![0u8; packed_len(codes.len(), bits)];
    let b = bits as usize;
    for (i, &c) in codes.iter().enumerate() {
        // The code starts at stream bit i·b; with b ≤ 8 it spans at most two bytes.
        let start = i * b;
        let (byte, shift) = (start / 8, start % 8);
        let wide = u16::from(c as u8) << shift;
        out[byte] |= wide as u8;
        let high = (wide >> 8) as u8;
        if high != 0 {
            out[byte + 1] |= high;
        }
    }
    Ok(out)
}

/// Unpacks `n` codes of `bits` bits from `bytes` (the inverse of [`pack`]).
///
/// Errors: `bits` not in {1, 2, 3, 4, 8}, or fewer than `⌈n·bits/8⌉` bytes. Extra bytes
/// and the unused bits of the last byte are ignored.
pub fn unpack(bytes: &[u8], n: usize, bits: u32) -> Result<Vec<u32>> {
    check_width(bits)?;
    let need = packed_len(n, bits);
    if bytes.len() < need {
        return Err(QuantError::InvalidParameter(format!(
            "{n} codes of {bits} bits need {need} bytes but only {} were given",
            bytes.len()
        )));
    }
    let b = bits as usize;
    let mask = (1u16 << bits) - 1;
    Ok((0..n)
        .map(|i| {
            let start = i * b;
            let (byte, shift) = (start / 8, start % 8);
            let lo = u16::from(bytes[byte]);
            let hi = if shift + b > 8 {
                u16::from(bytes[byte + 1])
            } else {
                0
            };
            u32::from(((lo | (hi << 8)) >> shift) & mask)
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    #[cfg(not(target_arch = "wasm32"))]
    use proptest::prelude::*;

    #[test]
    fn packed_len_is_the_ceiling_of_n_times_bits_over_eight() {
        for n in 0..100usize {
            for bits in 1..=16u32 {
                assert_eq!(packed_len(n, bits), (n * bits as usize).div_ceil(8));
            }
        }
        assert_eq!(packed_len(usize::MAX, 8), usize::MAX);
        assert_eq!(packed_len(usize::MAX, 16), usize::MAX);
    }

    #[test]
    fn four_bit_codes_put_the_first_code_in_the_low_nibble() {
        assert_eq!(pack(&[0x1, 0xA, 0xF], 4).unwrap(), vec![0xA1, 0x0F]);
    }

    #[test]
    fn two_bit_codes_fill_a_byte_from_bit_zero_up() {
        assert_eq!(pack(&[1, 2, 3, 0], 2).unwrap(), vec![0b0011_1001]);
        assert_eq!(
            pack(&[1, 0, 1, 1, 0, 0, 0, 1, 1], 1).unwrap(),
            vec![0x8D, 0x01]
        );
    }

    #[test]
    fn three_bit_codes_cross_byte_boundaries() {
        // Stream: 101 011 111 000 001 110 010 100 (code 0 first, LSB first per code).
        let codes = [5, 3, 7, 0, 1, 6, 2, 4];
        let bytes = pack(&codes, 3).unwrap();
        assert_eq!(bytes.len(), 3);
        // Byte 0 = bits 0..8: code0 (101) | code1 (011) << 3 | low two bits of code2 (11) << 6.
        assert_eq!(bytes[0], 0b1101_1101);
        // Byte 1: high bit of code2 (1), code3 (000) << 1, code4 (001) << 4, low bit of code5 (0) << 7.
        assert_eq!(bytes[1], 0b0001_0001);
        // Byte 2: high two bits of code5 (11), code6 (010) << 2, code7 (100) << 5.
        assert_eq!(bytes[2], 0b1000_1011);
        assert_eq!(unpack(&bytes, 8, 3).unwrap(), codes.to_vec());
    }

    #[test]
    fn eight_bit_codes_are_the_bytes_themselves() {
        assert_eq!(pack(&[0, 255, 17], 8).unwrap(), vec![0, 255, 17]);
    }

    #[test]
    fn unsupported_widths_and_oversized_codes_are_errors() {
        for bits in [0, 5, 6, 7, 9, 16, 32] {
            assert!(pack(&[0], bits).is_err(), "{bits}");
            assert!(unpack(&[0], 1, bits).is_err(), "{bits}");
        }
        let e = pack(&[1, 8, 2], 3).unwrap_err();
        assert!(e.to_string().contains("index 1"), "{e}");
        assert!(pack(&[256], 8).is_err());
        assert!(pack(&[u32::MAX], 4).is_err());
    }

    #[test]
    fn unpacking_from_too_few_bytes_is_an_error_not_a_panic() {
        assert!(unpack(&[0xFF], 3, 3).is_err());
        assert!(unpack(&[], 1, 1).is_err());
        assert_eq!(unpack(&[], 0, 3).unwrap(), Vec::<u32>::new());
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest! {
        #![proptest_config(ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(711), ..ProptestConfig::default() })]

        #[test]
        fn unpack_inverts_pack_for_every_width(
            bits in proptest::sample::select(SUPPORTED_BITS.to_vec()),
            raw in proptest::collection::vec(any::<u32>(), 0..200),
        ) {
            let codes: Vec<u32> = raw.iter().map(|c| c & ((1u32 << bits) - 1)).collect();
            let bytes = pack(&codes, bits).unwrap();
            prop_assert_eq!(bytes.len(), packed_len(codes.len(), bits));
            prop_assert_eq!(unpack(&bytes, codes.len(), bits).unwrap(), codes);
        }

        #[test]
        fn pack_inverts_unpack_on_canonical_bytes(
            bits in proptest::sample::select(SUPPORTED_BITS.to_vec()),
            n in 0usize..100,
            seed in any::<u64>(),
        ) {
            // Any bytes whose unused tail bits are zero are the packing of their unpacking.
            let len = packed_len(n, bits);
            let mut bytes: Vec<u8> = (0..len).map(|i| (seed.rotate_left(i as u32 * 7) ^ i as u64) as u8).collect();
            let used = n * bits as usize;
            let tail = used % 8;
            if let (true, Some(last)) = (tail != 0, bytes.last_mut()) {
                *last &= (1u8 << tail) - 1;
            }
            let codes = unpack(&bytes, n, bits).unwrap();
            prop_assert_eq!(pack(&codes, bits).unwrap(), bytes);
        }
    }
}
