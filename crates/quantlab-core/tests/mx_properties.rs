//! Properties of the MX and NVFP4 formats on seeded random inputs of every kind: any `f32`
//! bit pattern (NaN, ±∞, subnormals), any length, all-zero and one-outlier blocks. Nothing
//! panics; errors are errors; finite blocks round-trip.

#![allow(clippy::unwrap_used)]

use quantlab_core::quant::mx::block::{MxBlock, dequantize_row, quantize_row};
use quantlab_core::quant::mx::element::{ElementFormat, e8m0_cast};
use quantlab_core::quant::mx::{MxQuantizer, Nvfp4Quantizer};
use quantlab_core::quant::quantizer::Quantizer;
use quantlab_core::quant::types::MxElement;
use quantlab_core::{Scheme, SchemeKind};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random `f32`: any bit pattern a quarter of the time, else a normal-ish value of a
/// random magnitude.
fn any_f32(rng: &mut ChaCha8Rng) -> f32 {
    if rng.random_bool(0.25) {
        f32::from_bits(rng.random())
    } else {
        let m: f32 = rng.random_range(-1.0..1.0);
        m * 2f32.powi(rng.random_range(-140..120))
    }
}

#[test]
fn casts_are_total_and_saturating_casts_stay_finite() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let tables: Vec<Vec<f64>> = ElementFormat::ALL
        .iter()
        .map(|f| f.table().into_iter().filter(|t| t.is_finite()).collect())
        .collect();
    for _ in 0..20_000 {
        let x = any_f32(&mut rng);
        for (f, table) in ElementFormat::ALL.into_iter().zip(&tables) {
            let c = f.cast(x);
            assert!(u32::from(c) < 1 << f.bits(), "{f:?} {x}");
            let s = f.cast_saturating(x);
            if !x.is_nan() {
                let v = f.value(s);
                assert!(v.is_finite() && v.abs() <= f.max(), "{f:?} {x}");
                // Monotone and nearest: no finite value of the format is closer to x.
                if x.is_finite() {
                    let xc = f64::from(x).clamp(-f.max(), f.max());
                    let err = (xc - v).abs();
                    assert!(table.iter().all(|t| (xc - t).abs() >= err), "{f:?} {x}");
                }
            }
        }
        let _ = e8m0_cast(x);
    }
}

#[test]
fn blocks_of_any_input_never_panic_and_finite_blocks_are_fixed_points() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for round in 0..4000 {
        let len = rng.random_range(0..=32);
        let mut x: Vec<f32> = (0..len).map(|_| any_f32(&mut rng)).collect();
        match round % 4 {
            0 => x.iter_mut().for_each(|v| *v = 0.0),
            1 if len > 0 => {
                x.iter_mut().for_each(|v| *v = v.clamp(-1.0, 1.0));
                x[0] = 3.4e38;
            }
            _ => {}
        }
        for e in MxElement::ALL {
            let b = MxBlock::quantize(e, &x).unwrap();
            let y = b.dequantize();
            if x.iter().all(|v| v.is_finite()) {
                assert_ne!(b.scale, 0xFF, "{e:?}");
                assert!(y.iter().all(|v| v.is_finite()), "{e:?} {x:?}");
                // Quantizing the reconstruction gives the same values back.
                let again = MxBlock::quantize(e, &y[..len]).unwrap();
                assert_eq!(again.scale, b.scale, "{e:?} {x:?}");
                let z = again.dequantize();
                assert!(y.iter().zip(&z).all(|(a, b)| a == b), "{e:?} {x:?}");
            } else {
                assert_eq!(b.scale, 0xFF, "{e:?}");
                assert!(y.iter().all(|v| v.is_nan()), "{e:?}");
            }
            let back = MxBlock::from_bytes(e, &b.to_bytes()).unwrap();
            assert_eq!(back, b);
            assert!(MxBlock::from_bytes(e, &b.to_bytes()[1..]).is_err());
        }
    }
}

#[test]
fn fitted_quantizers_take_any_length_and_refuse_non_finite_data_in_words() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for _ in 0..300 {
        let len = rng.random_range(1..200);
        let x: Vec<f32> = (0..len)
            .map(|_| any_f32(&mut rng))
            .map(|v| if v.is_finite() { v } else { 0.5 })
            .collect();
        for e in MxElement::ALL {
            let q = MxQuantizer::fit(e, &x, &[]).unwrap();
            let y = q.quantize_dequantize(&x).unwrap();
            assert!(y.iter().all(|v| v.is_finite()), "{e:?}");
            let rows = dequantize_row(&quantize_row(e, &x), len).unwrap();
            assert!(
                rows.iter().zip(&y).all(|(a, b)| a.to_bits() == b.to_bits()),
                "{e:?}"
            );
        }
        let q = Nvfp4Quantizer::fit(&x, &[]).unwrap();
        let y = q.quantize_dequantize(&x).unwrap();
        assert!(y.iter().all(|v| v.is_finite()));
        let blocks = q.blocks(&x).unwrap();
        let z: Vec<f32> = blocks
            .iter()
            .flat_map(|b| b.dequantize(q.tensor_scale))
            .take(len)
            .collect();
        assert!(z.iter().zip(&y).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
    let kinds = [
        SchemeKind::Mxfp8E4m3,
        SchemeKind::Mxfp8E5m2,
        SchemeKind::Mxfp6E3m2,
        SchemeKind::Mxfp6E2m3,
        SchemeKind::Mxfp4,
        SchemeKind::Mxint8,
        SchemeKind::Nvfp4,
    ];
    for kind in kinds {
        let s = Scheme {
            scheme: kind,
            ..Scheme::default()
        };
        for bad in [&[][..], &[1.0, f32::NAN][..], &[f32::NEG_INFINITY][..]] {
            let e = s.fit(bad, &[]).unwrap_err().to_string();
            assert!(!e.is_empty(), "{kind:?}");
        }
        assert!(s.fit(&[1.0; 10], &[3, 3]).is_err(), "{kind:?}");
        let q = s.fit(&[0.0; 33], &[]).unwrap();
        assert_eq!(q.quantize_dequantize(&[0.0; 33]).unwrap(), vec![0.0; 33]);
    }
}

#[test]
fn the_saturating_casts_agree_with_the_minifloat_module_on_its_formats() {
    use quantlab_core::minifloat::FloatFormat;
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let pairs = [
        (ElementFormat::E2m1, FloatFormat::E2m1),
        (ElementFormat::E4m3, FloatFormat::E4m3),
        (ElementFormat::E5m2, FloatFormat::E5m2),
    ];
    for _ in 0..20_000 {
        let x = any_f32(&mut rng);
        if x.is_nan() {
            continue;
        }
        for (e, m) in pairs {
            assert_eq!(
                u16::from(e.cast_saturating(x)),
                m.encode(x).unwrap(),
                "{e:?} {x}"
            );
        }
    }
}
