//! Unit tests of the 32-value legacy blocks and of [`GgmlQuantizer`] (hand-checked
//! blocks; the reference vectors are in `tests/ggml_reference.rs`).
#![allow(clippy::unwrap_used)]

use half::f16;

use crate::quant::ggml::*;
use crate::quant::quantizer::Quantizer;

fn block(head: &[f32], fill: f32) -> [f32; QK] {
    let mut b = [fill; QK];
    b[..head.len()].copy_from_slice(head);
    b
}

#[test]
fn block_sizes_and_bits_per_value_match_ggml() {
    assert_eq!(GgmlType::Q8_0.block_bytes(), 34);
    assert_eq!(GgmlType::Q4_0.block_bytes(), 18);
    assert_eq!(GgmlType::Q4_1.block_bytes(), 20);
    assert_eq!(GgmlType::Q8_0.bits_per_value(), 8.5);
    assert_eq!(GgmlType::Q4_0.bits_per_value(), 4.5);
    assert_eq!(GgmlType::Q4_1.bits_per_value(), 5.0);
}

#[test]
fn q8_0_rounds_half_away_from_zero_with_d_equal_to_amax_over_127() {
    // amax = 127 → d = 1, id = 1: the codes are roundf(x).
    let x = block(&[127.0, -127.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.49], 0.0);
    let b = BlockQ8_0::quantize(&x).unwrap();
    assert_eq!(b.d.to_bits(), 0x3C00);
    assert_eq!(&b.qs[..8], &[127, -127, 1, -1, 2, 3, -3, 3]);
    assert!(b.qs[8..].iter().all(|&q| q == 0));
    let bytes = b.to_bytes();
    assert_eq!(
        &bytes[..10],
        &[0x00, 0x3C, 0x7F, 0x81, 0x01, 0xFF, 0x02, 0x03, 0xFD, 0x03]
    );
    assert_eq!(
        &b.dequantize()[..8],
        &[127.0, -127.0, 1.0, -1.0, 2.0, 3.0, -3.0, 3.0]
    );
}

#[test]
fn q8_0_stores_the_scale_rounded_to_fp16() {
    // amax = 1 → d = 1/127 in f32, stored as the nearest fp16 (0x2008 = 0.0078740...).
    let x = block(&[1.0, -0.5], 0.25);
    let b = BlockQ8_0::quantize(&x).unwrap();
    assert_eq!(b.d, f16::from_f32(1.0 / 127.0));
    assert_eq!(b.d.to_bits(), 0x2008);
    // id = 127 exactly in f32: 0.5·127 = 63.5 → 64, 0.25·127 = 31.75 → 32.
    assert_eq!(&b.qs[..3], &[127, -64, 32]);
}

#[test]
fn q4_0_uses_the_signed_max_over_minus_8_and_adds_8_5_before_truncating() {
    let mut head = [0.0f32; 19];
    head[..8].copy_from_slice(&[0.0, 7.0, 7.6, 0.5, -0.5, -8.0, -0.51, 0.49]);
    head[16..19].copy_from_slice(&[3.0, -3.0, -7.9]);
    let mut x = block(&head, 1.0);
    x[8..16].fill(0.0);
    let b = BlockQ4_0::quantize(&x).unwrap();
    // max = −8 → d = 1.
    assert_eq!(b.d.to_bits(), 0x3C00);
    let codes = b.codes();
    assert_eq!(&codes[..8], &[8, 15, 15, 9, 8, 0, 7, 8]);
    assert_eq!(&codes[16..19], &[11, 5, 0]);
    // Low nibble = code j, high nibble = code j + 16.
    assert_eq!(
        &b.qs[..8],
        &[0xB8, 0x5F, 0x0F, 0x99, 0x98, 0x90, 0x97, 0x98]
    );
    assert!(b.qs[8..].iter().all(|&q| q == 0x98));
    assert_eq!(&b.to_bytes()[..4], &[0x00, 0x3C, 0xB8, 0x5F]);
    let y = b.dequantize();
    assert_eq!(&y[..8], &[0.0, 7.0, 7.0, 1.0, 0.0, -8.0, -1.0, 0.0]);
    assert_eq!(&y[16..19], &[3.0, -3.0, -8.0]);
}

#[test]
fn q4_0_keeps_the_sign_of_the_first_largest_magnitude() {
    // |8| = |−8|: the first one (8) wins, d = −1, so 8 → code 0 and −8 clips to 15 (−7).
    let x = block(&[8.0, -8.0], 0.0);
    let b = BlockQ4_0::quantize(&x).unwrap();
    assert_eq!(b.d.to_bits(), 0xBC00);
    assert_eq!(&b.codes()[..3], &[0, 15, 8]);
    assert_eq!(&b.dequantize()[..3], &[8.0, -7.0, 0.0]);
}

#[test]
fn q4_1_uses_min_and_range_over_15_and_rounds_half_up() {
    let x = block(&[-1.0, 14.0, 0.0, 0.5, 3.49], 2.0);
    let b = BlockQ4_1::quantize(&x).unwrap();
    assert_eq!(b.d.to_bits(), 0x3C00);
    assert_eq!(b.m.to_bits(), 0xBC00);
    assert_eq!(&b.codes()[..6], &[0, 15, 1, 2, 4, 3]);
    assert_eq!(&b.qs[..6], &[0x30, 0x3F, 0x31, 0x32, 0x34, 0x33]);
    assert_eq!(&b.to_bytes()[..6], &[0x00, 0x3C, 0x00, 0xBC, 0x30, 0x3F]);
    assert_eq!(&b.dequantize()[..6], &[-1.0, 14.0, 0.0, 1.0, 3.0, 2.0]);
}

#[test]
fn an_all_zero_block_has_scale_zero_and_decodes_to_zero() {
    let z = [0.0f32; QK];
    assert_eq!(BlockQ8_0::quantize(&z).unwrap().dequantize(), z);
    let b = BlockQ4_0::quantize(&z).unwrap();
    assert_eq!(b.codes(), [8; QK]);
    assert_eq!(b.dequantize(), z);
    let b = BlockQ4_1::quantize(&z).unwrap();
    assert_eq!(b.codes(), [0; QK]);
    assert_eq!(b.dequantize(), z);
}

#[test]
fn the_quantizer_agrees_with_the_block_functions() {
    let x: Vec<f32> = (0..300)
        .map(|i| ((i as f32) * 0.61).sin() * 3.0 + 0.4)
        .collect();
    for ty in GgmlType::ALL {
        let q = GgmlQuantizer::fit(ty, &x, &[]).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        let bytes = quantize_row(ty, &x).unwrap();
        assert_eq!(q.bytes(), &bytes[..], "{ty:?}");
        let want = dequantize_row(ty, &bytes, 300).unwrap();
        // Coding the fitted values again gives the stored codes.
        assert_eq!(q.quantize(&x).unwrap(), q.codes(), "{ty:?}");
        assert_eq!(y, want, "{ty:?}");
        // 300 values = 10 blocks of 32 or 2 of 256 (the last one padded).
        let blocks = 300usize.div_ceil(ty.block_values());
        assert_eq!(
            q.bits_per_value(),
            8.0 * (blocks * ty.block_bytes()) as f64 / 300.0
        );
    }
}

#[test]
fn round_trip_errors_stay_within_the_step() {
    let x: Vec<f32> = (0..320)
        .map(|i| ((i as f32) * 0.37).cos() * (1.0 + i as f32 / 50.0))
        .collect();
    for ty in [
        GgmlType::Q8_0,
        GgmlType::Q4_0,
        GgmlType::Q4_1,
        GgmlType::Q5_0,
        GgmlType::Q5_1,
    ] {
        let q = GgmlQuantizer::fit(ty, &x, &[]).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        let scales = q.scales();
        for (i, (a, b)) in x.iter().zip(&y).enumerate() {
            let d = scales[i / QK].abs();
            // Q4_0's (Q5_0's) far side reaches only 7·|d| (15·|d|) against 8·|d|
            // (16·|d|): up to one step.
            let bound = if matches!(ty, GgmlType::Q4_0 | GgmlType::Q5_0) {
                1.01 * d
            } else {
                0.52 * d + 1e-3 * a.abs()
            };
            assert!((a - b).abs() <= bound, "{ty:?} {i}: {a} → {b} (d = {d})");
        }
    }
}

#[test]
fn bad_inputs_are_errors() {
    assert!(quantize_blocks::<BlockQ4_0>(&[]).is_err());
    assert!(quantize_blocks::<BlockQ8_0>(&[1.0, f32::NAN]).is_err());
    assert!(BlockQ4_1::quantize(&block(&[f32::INFINITY], 0.0)).is_err());
    let q = GgmlQuantizer::fit(GgmlType::Q4_0, &[1.0, 2.0], &[]).unwrap();
    assert!(q.dequantize(&[16, 0]).is_err());
    assert!(q.dequantize(&[-1, 0]).is_err());
    let q8 = GgmlQuantizer::fit(GgmlType::Q8_0, &[1.0, 2.0], &[]).unwrap();
    assert!(q8.dequantize(&[-127, 127]).is_ok());
    assert!(q8.dequantize(&[-128, 0]).is_err());
    assert!(GgmlQuantizer::fit(GgmlType::Q8_0, &[1.0, 2.0], &[3]).is_err());
    assert!(dequantize_blocks::<BlockQ4_1>(&[], 1).is_err());
}

#[test]
fn huge_values_saturate_the_fp16_scale_instead_of_becoming_infinite() {
    let mut x = vec![0.25f32; 600];
    x[0] = 1e30;
    x[1] = -3e30;
    x[300] = f32::MAX;
    x[301] = -f32::MAX;
    for ty in GgmlType::ALL {
        // Q8_K keeps an f32 scale, as ggml does: `d·127` rounds past f32::MAX, which is
        // refused in words (ggml itself would store it and read back ∞).
        if ty == GgmlType::Q8_K {
            let e = GgmlQuantizer::fit(ty, &x, &[]).map(|_| ()).unwrap_err();
            assert!(e.to_string().contains("3.4e38"), "{e}");
            continue;
        }
        let q = GgmlQuantizer::fit(ty, &x, &[]).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        assert!(y.iter().all(|v| v.is_finite()), "{ty:?}");
    }
}

#[test]
fn every_type_has_ggml_s_block_size_and_bits_per_value() {
    let table = [
        (GgmlType::Q8_0, 32, 34, 8.5),
        (GgmlType::Q4_0, 32, 18, 4.5),
        (GgmlType::Q4_1, 32, 20, 5.0),
        (GgmlType::Q5_0, 32, 22, 5.5),
        (GgmlType::Q5_1, 32, 24, 6.0),
        (GgmlType::IQ4_NL, 32, 18, 4.5),
        (GgmlType::Q2_K, 256, 84, 2.625),
        (GgmlType::Q3_K, 256, 110, 3.4375),
        (GgmlType::Q4_K, 256, 144, 4.5),
        (GgmlType::Q5_K, 256, 176, 5.5),
        (GgmlType::Q6_K, 256, 210, 6.5625),
        (GgmlType::Q8_K, 256, 292, 9.125),
    ];
    assert_eq!(table.len(), GgmlType::ALL.len());
    for (ty, values, bytes, bpw) in table {
        assert_eq!(ty.block_values(), values, "{ty:?}");
        assert_eq!(ty.block_bytes(), bytes, "{ty:?}");
        assert_eq!(ty.bits_per_value(), bpw, "{ty:?}");
        let x: Vec<f32> = (0..values).map(|i| (i as f32 * 0.7).sin()).collect();
        assert_eq!(quantize_row(ty, &x).unwrap().len(), bytes, "{ty:?}");
    }
}

#[test]
fn q5_0_adds_16_5_and_keeps_the_fifth_bit_in_qh() {
    // max = −16 → d = 1, id = 1: code = trunc(x + 16.5).
    let mut x = block(&[-16.0, 15.0, 0.0, 0.4, -0.6, 3.0], 0.0);
    x[16] = 10.0;
    x[31] = -5.2;
    let b = BlockQ5_0::quantize(&x).unwrap();
    assert_eq!(b.d.to_bits(), 0x3C00);
    let c = b.codes();
    assert_eq!(&c[..6], &[0, 31, 16, 16, 15, 19]);
    assert_eq!((c[16], c[31]), (26, 11));
    let qh = u32::from_le_bytes(b.qh);
    for (j, &q) in c.iter().enumerate() {
        assert_eq!((qh >> j) & 1, (q as u32 >> 4) & 1, "{j}");
    }
    assert_eq!(b.qs[0], 0xA0);
    let y = b.dequantize();
    assert_eq!(&y[..6], &[-16.0, 15.0, 0.0, 0.0, -1.0, 3.0]);
    assert_eq!(BlockQ5_0::from_bytes(&b.to_bytes()).unwrap(), b);
}

#[test]
fn q5_1_uses_min_and_range_over_31() {
    let x = block(&[-1.0, 30.0, 0.49, 0.5, 16.0], 2.0);
    let b = BlockQ5_1::quantize(&x).unwrap();
    assert_eq!(b.d.to_bits(), 0x3C00);
    assert_eq!(b.m.to_bits(), 0xBC00);
    assert_eq!(&b.codes()[..6], &[0, 31, 1, 2, 17, 3]);
    assert_eq!(&b.dequantize()[..6], &[-1.0, 30.0, 0.0, 1.0, 16.0, 2.0]);
    let bytes = b.to_bytes();
    assert_eq!(bytes.len(), 24);
    assert_eq!(&bytes[..4], &[0x00, 0x3C, 0x00, 0xBC]);
    assert_eq!(BlockQ5_1::from_bytes(&bytes).unwrap(), b);
}

/// Seeded data with a mild spread of magnitudes.
fn wavy(n: usize, seed: u32) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let t = (i as f32 + seed as f32 * 0.37) * 0.173;
            t.sin() * (1.0 + (t * 0.31).cos()) + 0.2 * (t * 5.3).sin()
        })
        .collect()
}

#[test]
fn bytes_round_trip_and_codes_decode_to_the_values_for_every_type() {
    let x = wavy(512, 1);
    for ty in GgmlType::ALL {
        let bytes = quantize_row(ty, &x).unwrap();
        let q = GgmlQuantizer::fit(ty, &x, &[]).unwrap();
        let from_bytes = dequantize_row(ty, &bytes, x.len()).unwrap();
        let from_codes = q.dequantize(q.codes()).unwrap();
        assert_eq!(from_bytes, from_codes, "{ty:?}");
        let (lo, hi) = ty.code_range();
        assert!(q.codes().iter().all(|c| (lo..=hi).contains(c)), "{ty:?}");
        // Wrong lengths are errors, not panics.
        assert!(dequantize_row(ty, &bytes[1..], 10).is_err(), "{ty:?}");
        assert!(dequantize_row(ty, &bytes, x.len() + 1).is_err(), "{ty:?}");
        assert!(q.dequantize(&q.codes()[1..]).is_err(), "{ty:?}");
        assert!(q.dequantize(&vec![hi + 1; x.len()]).is_err(), "{ty:?}");
    }
}

#[test]
fn more_bits_give_less_error_across_the_k_quants() {
    let x = wavy(4096, 2);
    let mse = |ty| {
        let y = dequantize_row(ty, &quantize_row(ty, &x).unwrap(), x.len()).unwrap();
        crate::metrics::mse(&x, &y)
    };
    let ladder = [
        GgmlType::Q2_K,
        GgmlType::Q3_K,
        GgmlType::Q4_K,
        GgmlType::Q5_K,
        GgmlType::Q6_K,
        GgmlType::Q8_K,
    ];
    let e: Vec<f64> = ladder.iter().map(|&t| mse(t)).collect();
    for w in e.windows(2) {
        assert!(w[1] < w[0] * 0.5, "{e:?}");
    }
    // Q4_K (4.5 bits) beats Q4_0 (4.5 bits) and IQ4_NL sits near them.
    assert!(mse(GgmlType::Q4_K) < mse(GgmlType::Q4_0), "{e:?}");
    assert!(mse(GgmlType::IQ4_NL) < mse(GgmlType::Q4_0) * 1.5);
}

#[test]
fn edge_inputs_never_panic_and_say_what_is_wrong() {
    for ty in GgmlType::ALL {
        // Empty, NaN and infinities are errors naming the problem.
        assert!(quantize_row(ty, &[]).is_err(), "{ty:?}");
        let e = quantize_row(ty, &[0.0, f32::NAN]).unwrap_err().to_string();
        assert!(e.contains("1"), "{ty:?}: {e}");
        assert!(quantize_row(ty, &[f32::NEG_INFINITY]).is_err(), "{ty:?}");
        assert!(GgmlQuantizer::fit(ty, &[1.0, f32::INFINITY], &[]).is_err());
        // Lengths that are not whole blocks are padded with zeros.
        for n in [1, 17, 33, 255, 257] {
            let x = wavy(n, 3);
            let q = GgmlQuantizer::fit(ty, &x, &[]).unwrap();
            let y = q.quantize_dequantize(&x).unwrap();
            assert_eq!(y.len(), n, "{ty:?} {n}");
            assert_eq!(
                q.bytes().len(),
                n.div_ceil(ty.block_values()) * ty.block_bytes()
            );
            assert!(y.iter().all(|v| v.is_finite()), "{ty:?} {n}");
        }
        // All zeros decode to zeros; so do values too small for fp16 scales.
        for v in [0.0f32, 1e-30, -1e-38, f32::MIN_POSITIVE / 8.0] {
            let x = vec![v; 300];
            let y = dequantize_row(ty, &quantize_row(ty, &x).unwrap(), 300).unwrap();
            assert!(
                y.iter().all(|r| r.is_finite() && r.abs() <= 1e-7),
                "{ty:?} {v}"
            );
        }
        // One huge outlier: everything finite, the outlier's sign kept.
        let mut x = wavy(512, 4);
        x[100] = 1e9;
        let y = dequantize_row(ty, &quantize_row(ty, &x).unwrap(), 512).unwrap();
        assert!(y.iter().all(|r| r.is_finite()), "{ty:?}");
        assert!(y[100] > 1000.0, "{ty:?}: {}", y[100]);
        // Levels of the first (sub-)block are ascending.
        let q = GgmlQuantizer::fit(ty, &x, &[]).unwrap();
        let l = q.levels();
        assert!(l.windows(2).all(|w| w[0] < w[1]), "{ty:?}");
    }
}

#[test]
fn transfer_codes_of_new_values_follow_the_fitted_scales() {
    // A K-quant quantizer codes values it was not fitted on with its stored steps.
    let x = wavy(256, 5);
    for ty in [
        GgmlType::Q4_K,
        GgmlType::Q6_K,
        GgmlType::Q2_K,
        GgmlType::Q3_K,
    ] {
        let q = GgmlQuantizer::fit(ty, &x, &[]).unwrap();
        let shifted: Vec<f32> = x.iter().map(|v| v * 0.5).collect();
        let y = q.quantize_dequantize(&shifted).unwrap();
        let err: f64 = shifted
            .iter()
            .zip(&y)
            .map(|(a, b)| f64::from((a - b).abs()))
            .fold(0.0, f64::max);
        let step = q.scales().iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(
            err <= f64::from(step) * 0.51 + 1e-6,
            "{ty:?}: {err} vs {step}"
        );
    }
}

#[test]
fn q8_k_rounds_half_to_even_under_minus_127_over_max_and_sums_every_16_codes() {
    let mut x = [0.0f32; QK_K];
    x[..7].copy_from_slice(&[127.0, -127.0, 63.5, -63.5, 0.5, 1.5, 2.5]);
    x[16] = 10.0;
    let b = BlockQ8K::quantize(&x).unwrap();
    // max = 127 → iscale = −1, d = −1.
    assert_eq!(b.d, -1.0);
    assert_eq!(&b.qs[..7], &[-127, 127, -64, 64, 0, -2, -2]);
    assert_eq!(b.bsums[0], -4);
    assert_eq!(b.bsums[1], -10);
    assert!(b.bsums[2..].iter().all(|&s| s == 0));
    let y = b.dequantize();
    assert_eq!(&y[..7], &[127.0, -127.0, 64.0, -64.0, 0.0, 2.0, 2.0]);
    let bytes = b.to_bytes();
    assert_eq!(bytes.len(), 292);
    assert_eq!(&bytes[..6], &[0x00, 0x00, 0x80, 0xBF, 0x81, 0x7F]);
    assert_eq!(
        &bytes[260..264],
        &(-4i16)
            .to_le_bytes()
            .into_iter()
            .chain((-10i16).to_le_bytes())
            .collect::<Vec<_>>()[..]
    );
    assert_eq!(BlockQ8K::from_bytes(&bytes).unwrap(), b);
    assert!(BlockQ8K::from_bytes(&bytes[1..]).is_err());
}

#[test]
fn k_quant_sub_block_scales_are_stored_where_ggml_puts_them() {
    // Sub-block j of 32 holds ±(j + 1): Q4_K's 6-bit scales grow with j and the largest
    // is 63; the codes of the symmetric data straddle the minimum.
    let x: Vec<f32> = (0..QK_K)
        .map(|i| {
            let j = (i / 32) as f32 + 1.0;
            if i % 2 == 0 { j } else { -j }
        })
        .collect();
    let b = BlockQ4K::quantize(&x).unwrap();
    let sc: Vec<u8> = (0..8)
        .map(|j| kquants::search::scale_min_k4(j, &b.scales).0)
        .collect();
    assert_eq!(sc[7], 63, "{sc:?}");
    assert!(sc.windows(2).all(|w| w[0] < w[1]), "{sc:?}");
    // Q6_K: the scale of largest magnitude maps to −128 (an i8), d = 1/(−128/s_max) > 0
    // (the first value of each sub-block is positive, so its fitted scale is negative).
    let b6 = BlockQ6K::quantize(&x).unwrap();
    assert!(b6.scales.contains(&-128), "{:?}", b6.scales);
    assert!(b6.d.to_f32() > 0.0);
    // The 4-, 5- and 6-bit types reproduce this ±(j + 1) data closely (Q3_K's 3-bit grid
    // −4…3 is lopsided and misses by more).
    for ty in [GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K] {
        let y = dequantize_row(ty, &quantize_row(ty, &x).unwrap(), QK_K).unwrap();
        let worst = x
            .iter()
            .zip(&y)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1.0, "{ty:?}: {worst}");
    }
}

#[test]
fn values_near_the_float32_limit_are_refused_where_a_scale_times_a_code_overflows() {
    // The fuzzer's input (corpus/scheme/regression-crash-q8k-overflow-eb2fefbb): Q8_K's
    // d = max/−128 with max = −f32::MAX gives codes whose level reads back as −∞.
    let x = [-1.7e38f32, -f32::MAX, 1e-30];
    for ty in GgmlType::ALL {
        match GgmlQuantizer::fit(ty, &x, &[3]) {
            Ok(q) => {
                let y = q.quantize_dequantize(&x).unwrap();
                assert!(y.iter().all(|v| v.is_finite()), "{ty:?}: {y:?}");
            }
            Err(e) => assert!(e.to_string().contains("3.4e38"), "{ty:?}: {e}"),
        }
    }
    assert!(GgmlQuantizer::fit(GgmlType::Q8_K, &x, &[3]).is_err());
    // Large but safe data passes.
    assert!(GgmlQuantizer::fit(GgmlType::Q8_K, &[1e36, -2e36, 0.5], &[3]).is_ok());
}
