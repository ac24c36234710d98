//! The fast (vectorized, table-driven) quantize → dequantize paths equal the scalar
//! reference `dequantize(quantize(x))` bit for bit: on random data with edge values mixed
//! in (±0, subnormals, ±f32::MAX, exact ties, values beyond the fitted range), on ragged
//! last groups, and on NaN/∞ (the same error). The threshold tables are probed at every
//! `f32` next to every threshold.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use quantlab_core::alaw::ALaw;
use quantlab_core::minifloat::FloatFormat;
use quantlab_core::mulaw::{CompandingQuantizer, MuLaw};
use quantlab_core::nf4::{nf4_index, nf4_table};
use quantlab_core::quant::fast::table::{from_key, key};
use quantlab_core::quant::scheme::SchemeKind;
use quantlab_core::quant::types::{Fp8Format, Granularity};
use quantlab_core::quantizer::{GranularityKind, IntRange, Mode, Scheme};

fn bits_of(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Fits `scheme` on `data` (shape `[rows, data.len()/rows]`) and compares both paths.
fn check(scheme: &Scheme, data: &[f32], shape: &[usize]) -> Result<(), TestCaseError> {
    let Ok(q) = scheme.fit(data, shape) else {
        return Ok(());
    };
    let fast = q.quantize_dequantize(data);
    let slow = q.quantize(data).and_then(|c| q.dequantize(&c));
    match (fast, slow) {
        (Ok(a), Ok(b)) => prop_assert_eq!(bits_of(&a), bits_of(&b), "{:?}", scheme),
        (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
        (a, b) => prop_assert!(false, "{scheme:?}: {a:?} vs {b:?}"),
    }
    Ok(())
}

const EDGES: [f32; 12] = [
    0.0,
    -0.0,
    1e-45,
    -1e-45,
    1.1754942e-38,
    -1.1754942e-38,
    f32::MAX,
    -f32::MAX,
    f32::MIN_POSITIVE,
    0.5,
    -0.5,
    1.0,
];

/// Random data, some of it replaced by edge values, scaled by a random power of two.
fn data() -> impl Strategy<Value = (Vec<f32>, usize)> {
    (
        prop::collection::vec(-4.0f32..4.0, 1..300),
        prop::collection::vec((0usize..300, 0usize..EDGES.len()), 0..6),
        -20i32..20,
        1usize..5,
    )
        .prop_map(|(mut v, edges, e, rows)| {
            let s = 2f32.powi(e);
            for x in &mut v {
                *x *= s;
            }
            // Copies of one value: exact ties between levels are likely among them.
            let n = v.len();
            for (i, k) in edges {
                if k < 2 || n < 40 {
                    v[i % n] = EDGES[k];
                } else {
                    v[i % n] = v[(i * 7) % n];
                }
            }
            let rows = if n % rows == 0 { rows } else { 1 };
            (v, rows)
        })
}

fn linear_schemes() -> Vec<Scheme> {
    let mut out = Vec::new();
    for mode in Mode::ALL {
        for bits in [1, 2, 3, 4, 8, 16] {
            for range in [IntRange::Signed, IntRange::Unsigned] {
                for (granularity, group_size, axis) in [
                    (GranularityKind::Tensor, 1, 0),
                    (GranularityKind::Channel, 1, 0),
                    (GranularityKind::Channel, 1, 1),
                    (GranularityKind::Group, 7, 0),
                    (GranularityKind::Group, 128, 0),
                ] {
                    out.push(Scheme {
                        bits,
                        mode,
                        range,
                        granularity,
                        group_size,
                        axis,
                        ..Scheme::default()
                    });
                }
            }
        }
    }
    out
}

fn other_schemes() -> Vec<Scheme> {
    let mut out = Vec::new();
    for (block_size, double_quant) in [(64, false), (64, true), (7, false), (1, false)] {
        out.push(Scheme {
            scheme: SchemeKind::Nf4,
            bits: 4,
            block_size,
            double_quant,
            ..Scheme::default()
        });
    }
    for (granularity, group_size) in [
        (GranularityKind::Tensor, 1),
        (GranularityKind::Channel, 1),
        (GranularityKind::Group, 5),
    ] {
        for fp8 in Fp8Format::ALL {
            out.push(Scheme {
                scheme: SchemeKind::Fp8,
                bits: 8,
                fp8,
                granularity,
                group_size,
                ..Scheme::default()
            });
        }
        out.push(Scheme {
            scheme: SchemeKind::Fp4,
            bits: 4,
            granularity,
            group_size,
            ..Scheme::default()
        });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn linear_fast_path_equals_the_scalar_reference((v, rows) in data()) {
        for s in linear_schemes() {
            check(&s, &v, &[rows, v.len() / rows])?;
        }
    }

    #[test]
    fn nf4_and_minifloat_fast_paths_equal_the_scalar_reference((v, rows) in data()) {
        for s in other_schemes() {
            check(&s, &v, &[rows, v.len() / rows])?;
        }
    }

    #[test]
    fn companding_tables_equal_the_scalar_reference(
        (v, rows) in data(),
        bits in 1u32..=10,
        mu in prop_oneof![Just(255.0), Just(1.0), Just(100.0)],
        a in prop_oneof![Just(87.6), Just(1.0)],
    ) {
        // Long enough that the table path runs (it needs TABLE_MIN_LEN values).
        let long: Vec<f32> = v.iter().cycle().take(v.len() * (4096 / v.len() + 1)).copied().collect();
        let shape = [long.len()];
        for g in [Granularity::PerTensor, Granularity::PerGroup { size: 100 }] {
            let q = CompandingQuantizer::fit(MuLaw::new(mu).unwrap(), bits, &long, &shape, g).unwrap();
            use quantlab_core::quantizer::Quantizer;
            let slow = q.dequantize(&q.quantize(&long).unwrap()).unwrap();
            prop_assert_eq!(bits_of(&q.quantize_dequantize(&long).unwrap()), bits_of(&slow));
            let q = CompandingQuantizer::fit(ALaw::new(a).unwrap(), bits, &long, &shape, g).unwrap();
            let slow = q.dequantize(&q.quantize(&long).unwrap()).unwrap();
            prop_assert_eq!(bits_of(&q.quantize_dequantize(&long).unwrap()), bits_of(&slow));
        }
        let _ = rows;
    }
}

/// Every f32 within `radius` steps (in the f32 order) of `t`, clamped to [−1, 1].
fn around(t: f32, radius: u32) -> impl Iterator<Item = f32> {
    let k = key(t);
    let lo = k.saturating_sub(radius).max(key(-1.0));
    let hi = k.saturating_add(radius).min(key(1.0));
    (lo..=hi).map(from_key)
}

#[test]
fn nf4_table_equals_nearest_entry_at_every_float_near_each_threshold() {
    let t = nf4_table();
    let th = t.thresholds();
    assert_eq!(th.len(), 15);
    let mut probes: Vec<f32> = vec![-1.0, 1.0, 0.0, -0.0, 1e-45, -1e-45];
    for &x in &th {
        probes.extend(around(x, 4096));
    }
    for x in probes {
        assert_eq!(t.code(x), usize::from(nf4_index(f64::from(x))), "{x:e}");
    }
}

#[test]
fn companding_tables_equal_the_curves_at_every_float_near_each_threshold() {
    use quantlab_core::quantizer::Quantizer;
    let x = [1.0f32, -1.0];
    for bits in [1, 2, 4, 8, 10] {
        for mu in [255.0, 1.0, 1e6] {
            let q = CompandingQuantizer::fit(
                MuLaw::new(mu).unwrap(),
                bits,
                &x,
                &[],
                Granularity::PerTensor,
            )
            .unwrap();
            let Some(t) = q.table() else {
                assert!(bits > 8, "μ {mu} bits {bits}: no table");
                continue;
            };
            let mut n = 0;
            for th in t.thresholds() {
                for v in around(th, 64).chain([0.0, -0.0, 1e-45, -1e-45, 1.0, -1.0]) {
                    assert_eq!(
                        t.code(v) as i32,
                        q.quantize_one(v, 1.0),
                        "μ {mu} bits {bits} {v:e}"
                    );
                    n += 1;
                }
            }
            assert!(n > 0 || bits == 0);
        }
        let q = CompandingQuantizer::fit(
            ALaw::new(87.6).unwrap(),
            bits,
            &x,
            &[],
            Granularity::PerTensor,
        )
        .unwrap();
        let t = q.table().unwrap();
        for th in t.thresholds() {
            for v in around(th, 64) {
                assert_eq!(
                    t.code(v) as i32,
                    q.quantize_one(v, 1.0),
                    "A-law bits {bits} {v:e}"
                );
            }
        }
        assert_eq!(q.levels().len(), 1 << bits);
    }
}

#[test]
fn minifloat_bit_rounding_equals_encode_then_decode_near_every_value_and_midpoint() {
    for f in [FloatFormat::E2m1, FloatFormat::E4m3, FloatFormat::E5m2] {
        let r = f.rounding();
        let top = f.max_finite_code();
        let mut points = vec![0.0f32, f32::MAX, f32::MIN_POSITIVE, 1e-45];
        for c in 0..=top {
            let v = f.decode(c).unwrap();
            let w = f
                .decode(c + 1)
                .map(|w| if w.is_finite() { w } else { v * 2.0 })
                .unwrap_or(v * 2.0);
            points.extend([v, (v + w) / 2.0]);
        }
        for p in points {
            for s in [p, -p] {
                for x in around(s / 1e4, 0).chain(
                    (0..=512).map(|i| from_key(key(s).saturating_sub(256).saturating_add(i))),
                ) {
                    if !x.is_finite() {
                        continue;
                    }
                    let want = f.decode(f.encode(x).unwrap()).unwrap();
                    let got = r.round(x);
                    assert_eq!(
                        got.to_bits(),
                        want.to_bits(),
                        "{f:?} {x:e}: {got:e} vs {want:e}"
                    );
                }
            }
        }
    }
}

#[test]
fn linear_ties_round_half_to_even_on_both_paths() {
    // max|x| = 127 gives S = 1 exactly (sym int8): every k + 0.5 is a tie.
    let mut v: Vec<f32> = vec![127.0, -127.0, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, -0.0, 0.0];
    v.extend((-126..126).map(|k| k as f32 + 0.5));
    let s = Scheme {
        bits: 8,
        mode: Mode::Sym,
        ..Scheme::default()
    };
    let q = s.fit(&v, &[]).unwrap();
    let y = q.quantize_dequantize(&v).unwrap();
    let want = [127.0f32, -127.0, 0.0, 2.0, 2.0, 0.0, -2.0, -2.0, 0.0, 0.0];
    // Codes are integers: −0.5 → code 0 → +0, and −0 → +0.
    assert_eq!(bits_of(&y[..10]), bits_of(&want));
    check(&s, &v, &[v.len()]).unwrap();
}

#[test]
fn empty_ragged_and_non_finite_inputs_agree() {
    let mut schemes = linear_schemes();
    schemes.extend(other_schemes());
    for s in &schemes {
        assert!(s.fit(&[], &[]).is_err());
        let v: Vec<f32> = (0..131).map(|i| (i as f32 * 0.37).sin()).collect();
        check(s, &v, &[131]).unwrap();
        let Ok(q) = s.fit(&v, &[131]) else {
            continue;
        };
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let mut w = v.clone();
            w[77] = bad;
            assert!(s.fit(&w, &[131]).is_err());
            let fast = q.quantize_dequantize(&w).unwrap_err();
            assert_eq!(
                fast.to_string(),
                q.quantize(&w).unwrap_err().to_string(),
                "{s:?}"
            );
        }
    }
}
