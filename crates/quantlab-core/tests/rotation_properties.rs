//! Property tests for the rotation before quantization: any `f32` data (NaN, infinities,
//! subnormals, the largest floats, any length), any group size and any per-group scheme
//! give a result or an error in words, never a panic; finite data of whole groups round-trips.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use quantlab_core::quant::rotation::HadamardRotation;
use quantlab_core::quantizer::{GranularityKind, Scheme, SchemeKind};
use quantlab_core::weights::rotation::rotation_study;
use quantlab_core::weights::study::{StudyOptions, study};

/// Any bit pattern: every NaN, both infinities, subnormals and the extremes.
fn any_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        any::<u32>().prop_map(f32::from_bits),
        Just(f32::MAX),
        Just(f32::MIN),
        Just(0.0f32),
        -1.0f32..1.0,
    ]
}

fn kind() -> impl Strategy<Value = SchemeKind> {
    prop::sample::select(SchemeKind::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_data_and_any_group_never_panics(
        data in prop::collection::vec(any_f32(), 0..300),
        group in 0usize..300,
        rows in 1usize..4,
        seed in any::<u64>(),
        kind in kind(),
        bits in 1u32..9,
    ) {
        let cols = data.len() / rows;
        let shape = [rows, cols];
        let data = &data[..rows * cols];
        if let Ok(r) = HadamardRotation::for_shape(group, &shape, data.len(), seed) {
            let _ = r.forward(data).and_then(|y| r.inverse(&y));
        }
        let s = Scheme {
            scheme: kind,
            bits,
            granularity: GranularityKind::Group,
            group_size: group as u32,
            rotate: true,
            rotate_seed: seed,
            ..Scheme::default()
        };
        if let Ok(q) = s.fit(data, &shape) {
            let _ = q.quantize_dequantize(data);
        }
        let _ = study(data, &shape, &s, &StudyOptions::default());
        let _ = rotation_study(data, &shape, &s, &StudyOptions::default(), 16);
    }

    #[test]
    fn finite_whole_groups_round_trip_and_keep_their_norm(
        log_group in 0u32..8,
        groups in 1usize..4,
        seed in any::<u64>(),
        values in prop::collection::vec(-1.0e6f32..1.0e6, 512),
    ) {
        let group = 1usize << log_group;
        let row = group * groups;
        let x = &values[..row];
        let r = HadamardRotation::new(group, row, seed).unwrap();
        let y = r.forward(x).unwrap();
        let back = r.inverse(&y).unwrap();
        let absmax = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let tol = absmax * f32::EPSILON * 4.0 * (log_group as f32 + 2.0);
        for (a, b) in x.iter().zip(&back) {
            prop_assert!((a - b).abs() <= tol, "{} vs {} (tol {})", a, b, tol);
        }
        let n2 = |v: &[f32]| v.iter().map(|&a| f64::from(a).powi(2)).sum::<f64>();
        let (nx, ny) = (n2(x), n2(&y));
        prop_assert!((nx - ny).abs() <= nx * 1e-5 + 1e-30);
    }
}
