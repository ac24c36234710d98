//! Property tests for the linear quantizer: the invariants every uniform quantizer keeps.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use quantlab_core::linear::LinearQuantizer;
use quantlab_core::quantizer::{GranularityKind, IntRange, Mode, Quantizer, Scheme};

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![
        Just(Mode::Sym),
        Just(Mode::Asym),
        Just(Mode::AsymFloat),
        Just(Mode::MidRise)
    ]
}

fn range() -> impl Strategy<Value = IntRange> {
    prop_oneof![Just(IntRange::Signed), Just(IntRange::Unsigned)]
}

fn scheme(bits: u32, mode: Mode, range: IntRange) -> Scheme {
    Scheme {
        bits,
        mode,
        range,
        ..Scheme::default()
    }
}

/// Data whose spread is not tiny compared with its magnitude, so f32 levels are distinct.
fn data() -> impl Strategy<Value = Vec<f32>> {
    prop::collection::vec(-1000.0f32..1000.0, 2..200).prop_filter("spread", |v| {
        let lo = v.iter().cloned().fold(f32::INFINITY, f32::min);
        let hi = v.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        hi - lo > 1e-2 * hi.abs().max(lo.abs()).max(1.0)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn error_is_at_most_half_a_step_inside_the_grid(x in data(), bits in 2u32..=12, m in mode(), r in range()) {
        let q = LinearQuantizer::fit(&x, &[], &scheme(bits, m, r)).unwrap();
        let p = q.params[0];
        let levels = q.levels();
        let (lo, hi) = (levels[0], levels[levels.len() - 1]);
        let y = q.quantize_dequantize(&x).unwrap();
        for (&a, &b) in x.iter().zip(&y) {
            let inside = a >= lo - (p.scale as f32) / 2.0 && a <= hi + (p.scale as f32) / 2.0;
            if inside {
                let e = (f64::from(a) - f64::from(b)).abs();
                // Half a step, plus float32 rounding: the reconstruction `min + S·(q − q_min)`
                // (asym-float) rounds at the magnitude of the grid's ends, not of `a`.
                let scale = a.abs().max(lo.abs()).max(hi.abs()).max(1.0);
                let tol = p.scale / 2.0 + 1e-6 * f64::from(scale);
                prop_assert!(e <= tol, "x={a} y={b} e={e} step={}", p.scale);
            }
        }
        // Modes whose grid spans the data leave nothing outside it.
        if m != Mode::Asym {
            for &a in &x {
                prop_assert!(a >= lo - (p.scale as f32) && a <= hi + (p.scale as f32));
            }
        }
    }

    #[test]
    fn quantizing_twice_changes_nothing(x in data(), bits in 1u32..=12, m in mode(), r in range()) {
        prop_assume!(!(m == Mode::Sym && bits == 1));
        let q = LinearQuantizer::fit(&x, &[], &scheme(bits, m, r)).unwrap();
        let once = q.quantize_dequantize(&x).unwrap();
        let twice = q.quantize_dequantize(&once).unwrap();
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn quantization_is_monotonic(mut x in data(), bits in 1u32..=12, m in mode(), r in range()) {
        prop_assume!(!(m == Mode::Sym && bits == 1));
        x.sort_by(f32::total_cmp);
        let q = LinearQuantizer::fit(&x, &[], &scheme(bits, m, r)).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        for w in y.windows(2) {
            prop_assert!(w[0] <= w[1], "{} > {}", w[0], w[1]);
        }
    }

    #[test]
    fn codes_stay_within_the_integer_range(x in data(), bits in 1u32..=16, m in mode(), r in range(),
                                            gran in 0u8..3, group in 1u32..40) {
        prop_assume!(!(m == Mode::Sym && bits == 1));
        let s = Scheme {
            granularity: [GranularityKind::Tensor, GranularityKind::Channel, GranularityKind::Group][gran as usize],
            group_size: group,
            ..scheme(bits, m, r)
        };
        let q = LinearQuantizer::fit(&x, &[x.len()], &s).unwrap();
        let (qmin, qmax) = r.bounds(bits);
        for c in q.quantize(&x).unwrap() {
            prop_assert!(c >= qmin && c <= qmax);
        }
    }

    #[test]
    fn arbitrary_f32_input_never_panics(raw in prop::collection::vec(any::<u32>(), 0..64),
                                        bits in 0u32..40, m in mode(), r in range(),
                                        gran in 0u8..3, group in 0u32..10, axis in 0u32..3) {
        let x: Vec<f32> = raw.into_iter().map(f32::from_bits).collect();
        let s = Scheme {
            granularity: [GranularityKind::Tensor, GranularityKind::Channel, GranularityKind::Group][gran as usize],
            group_size: group,
            axis,
            ..scheme(bits, m, r)
        };
        if let Ok(q) = LinearQuantizer::fit(&x, &[], &s) {
            let y = q.quantize_dequantize(&x).unwrap();
            prop_assert!(y.iter().all(|v| v.is_finite()));
        }
    }
}

/// Found by the property test above: 1-bit codes over values near ±f32::MAX need a step wider
/// than float32 holds; the fit says so in words instead of reconstructing ∞.
#[test]
fn a_step_wider_than_float32_is_refused_in_words() {
    let x = [f32::from_bits(4_278_893_016), f32::from_bits(2_129_300_559)];
    let s = scheme(1, Mode::Asym, IntRange::Signed);
    let e = LinearQuantizer::fit(&x, &[], &s)
        .err()
        .map(|e| e.to_string());
    assert!(
        e.as_deref().is_some_and(|e| e.contains("overflow float32")),
        "{e:?}"
    );
    // Two bits leave a finite step, and every value reconstructs finite.
    let q = LinearQuantizer::fit(&x, &[], &scheme(2, Mode::Asym, IntRange::Signed)).unwrap();
    assert!(
        q.quantize_dequantize(&x)
            .unwrap()
            .iter()
            .all(|v| v.is_finite())
    );
}
