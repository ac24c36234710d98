//! ggml's MXFP4 and NVFP4 blocks as GGUF stores them, decoded as ggml decodes them.

/// ggml's E2M1 table with every value doubled (ggml's `kvalues_mxfp4`).
const E2M1_DOUBLED: [f32; 16] = [
    0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 0.0, -1.0, -2.0, -3.0, -4.0, -6.0, -8.0, -12.0,
];

/// Half of 2^(e − 127), as ggml's `ggml_e8m0_to_fp32_half` builds it from bits.
fn e8m0_half(e: u8) -> f32 {
    let bits = if e < 2 {
        0x0020_0000u32 << e
    } else {
        u32::from(e - 1) << 23
    };
    f32::from_bits(bits)
}

/// Half of an unsigned E4M3 scale (bias 7; 0 and 0x7F decode to 0, the top bit is ignored).
fn ue4m3_half(x: u8) -> f32 {
    if x == 0 || x == 0x7F {
        return 0.0;
    }
    let exp = i32::from((x >> 3) & 0xF);
    let man = f32::from(x & 7);
    let raw = if exp == 0 {
        man * (1.0 / 512.0)
    } else {
        (1.0 + man / 8.0) * 2f32.powi(exp - 7)
    };
    raw * 0.5
}

/// Decodes ggml MXFP4 blocks (17 bytes: exponent, then 16 bytes of codes; value `j` in the
/// low nibble of byte `j`, value `j + 16` in its high nibble).
pub fn decode_mxfp4(bytes: &[u8]) -> Vec<f32> {
    let mut out = Vec::with_capacity(bytes.len() / 17 * 32);
    for b in bytes.chunks_exact(17) {
        let d = e8m0_half(b[0]);
        let qs = &b[1..];
        out.extend(qs.iter().map(|q| d * E2M1_DOUBLED[usize::from(q & 0xF)]));
        out.extend(qs.iter().map(|q| d * E2M1_DOUBLED[usize::from(q >> 4)]));
    }
    out
}

/// Decodes ggml NVFP4 blocks (36 bytes: four UE4M3 scales, then four sub-blocks of 8 bytes;
/// in sub-block `s`, value `j` in the low nibble of its byte `j`, value `j + 8` in the high).
pub fn decode_nvfp4(bytes: &[u8]) -> Vec<f32> {
    let mut out = Vec::with_capacity(bytes.len() / 36 * 64);
    for b in bytes.chunks_exact(36) {
        for s in 0..4 {
            let d = ue4m3_half(b[s]);
            let qs = &b[4 + 8 * s..12 + 8 * s];
            out.extend(qs.iter().map(|q| d * E2M1_DOUBLED[usize::from(q & 0xF)]));
            out.extend(qs.iter().map(|q| d * E2M1_DOUBLED[usize::from(q >> 4)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mxfp4_and_nvfp4_scales_decode_as_ggml_defines_them() {
        assert_eq!(e8m0_half(127), 0.5);
        assert_eq!(e8m0_half(128), 1.0);
        assert_eq!(e8m0_half(0), f32::from_bits(0x0020_0000));
        assert_eq!(e8m0_half(1), f32::from_bits(0x0040_0000));
        assert_eq!(ue4m3_half(0x38), 0.5); // exponent 7, mantissa 0: 1.0
        assert_eq!(ue4m3_half(0x7F), 0.0);
        assert_eq!(ue4m3_half(0x01), 1.0 / 1024.0);
        let mut block = vec![128u8];
        block.extend([0x71u8; 16]); // low nibble 1 (0.5 doubled → 1), high nibble 7 (6 doubled → 12)
        let v = decode_mxfp4(&block);
        assert_eq!(&v[..2], &[1.0, 1.0]);
        assert_eq!(&v[16..18], &[12.0, 12.0]);
    }
}
