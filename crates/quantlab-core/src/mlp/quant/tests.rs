//! The quantized model against its definition.

use super::*;
use crate::mlp::Mlp;
use crate::quant::nf4::NF4_CODE;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn model() -> Mlp {
    Mlp::new(&[70, 20, 5], &mut ChaCha8Rng::seed_from_u64(4)).unwrap()
}

fn inputs(m: usize, d: usize) -> Vec<f32> {
    (0..m * d)
        .map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0)
        .collect()
}

#[test]
fn ids_round_trip_for_every_named_configuration() {
    for c in QuantConfig::ALL {
        assert_eq!(QuantConfig::from_id(&c.id()), Some(c), "{}", c.id());
        assert!(c.validate().is_ok());
    }
    assert_eq!(QuantConfig::W4_G128.id(), "w4-g128");
    assert_eq!(QuantConfig::W8A8.id(), "w8a8");
    assert_eq!(QuantConfig::from_id("w4"), Some(QuantConfig::W4_G128));
    assert_eq!(QuantConfig::from_id("w4a8"), None);
    assert_eq!(QuantConfig::from_id("w8a8-g32"), None);
    assert_eq!(QuantConfig::from_id("nope"), None);
}

#[test]
fn fp32_configuration_reproduces_the_model_exactly() {
    let m = model();
    let x = inputs(6, 70);
    let q = QuantizedMlp::new(&m, QuantConfig::FP32).unwrap();
    assert_eq!(q.forward(&x, 6).unwrap(), m.forward(&x, 6).unwrap());
    assert_eq!(q.size().total(), m.size_bytes());
    let errs = layer_errors(&m, &q, &x, 6).unwrap();
    assert!(errs.iter().all(|e| e.snr_db == f64::INFINITY));
}

#[test]
fn w8_codes_are_symmetric_per_channel_with_scale_absmax_over_127() {
    let m = model();
    let q = QuantizedMlp::new(&m, QuantConfig::W8).unwrap();
    let l = &q.layers[0];
    let QuantWeights::Int8 { codes, scales, .. } = &l.weights else {
        panic!("not int8")
    };
    assert_eq!(scales.len(), 20);
    for j in 0..20 {
        let row = m.layers[0].row(j);
        let amax = row.iter().fold(0.0f32, |a, v| a.max(v.abs()));
        assert!((scales[j] - amax / 127.0).abs() <= 1e-6 * amax);
        assert_eq!(l.channel_scales[j], scales[j]);
        let crow = &codes[j * 70..(j + 1) * 70];
        assert_eq!(crow.iter().map(|&c| i32::from(c).abs()).max(), Some(127));
        for (&w, &c) in row.iter().zip(crow) {
            assert!((w - f32::from(c) * scales[j]).abs() <= scales[j] * 0.5001);
        }
    }
    // 70·20 + 20·5 codes, one scale per output channel, biases.
    assert_eq!(
        q.size(),
        ModelSize {
            weights: 1500,
            scales: 4 * 25,
            biases: 4 * 25
        }
    );
}

#[test]
fn w4_groups_run_along_the_input_dimension_and_pack_two_codes_a_byte() {
    let m = model();
    let q = QuantizedMlp::new(&m, QuantConfig::W4_G32).unwrap();
    let l = &q.layers[0];
    let QuantWeights::Int4 { packed, scales, .. } = &l.weights else {
        panic!("not int4")
    };
    // 70 inputs → groups of 32, 32, 6 per row.
    assert_eq!(scales.len(), 20 * 3);
    assert_eq!(packed.len(), nibble_bytes(20, 70));
    let codes = l.unpacked_nibbles().unwrap();
    assert!(codes.iter().all(|&c| (-8..=7).contains(&c)));
    for (i, &c) in codes.iter().enumerate() {
        let (row, col) = (i / 70, i % 70);
        let g = row * 3 + col / 32;
        assert_eq!(l.dequantized[i], c as f32 * scales[g]);
    }
    let s = q.size();
    assert_eq!(s.weights, 700 + 50);
    assert_eq!(s.scales, 4 * (60 + 5));
}

#[test]
fn nf4_weights_come_from_the_nf4_table() {
    let m = model();
    let q = QuantizedMlp::new(&m, QuantConfig::NF4).unwrap();
    let l = &q.layers[0];
    let idx = l.unpacked_nibbles().unwrap();
    let QuantWeights::Nf4 { absmax, .. } = &l.weights else {
        panic!("not nf4")
    };
    for (i, &k) in idx.iter().enumerate() {
        assert_eq!(l.dequantized[i], NF4_CODE[k as usize] * absmax[i / 64]);
    }
}

#[test]
fn w8a8_output_is_the_rescaled_int32_accumulator() {
    let m = model();
    let x = inputs(3, 70);
    let q = QuantizedMlp::new(&m, QuantConfig::W8A8).unwrap();
    let traces = q.trace_int8(&x, 3).unwrap();
    assert_eq!(traces.len(), 2);
    let t = &traces[0];
    let QuantWeights::Int8 { codes: wq, .. } = &q.layers[0].weights else {
        panic!()
    };
    for i in 0..3 {
        for j in 0..20 {
            let acc: i32 = (0..70)
                .map(|k| i32::from(t.codes[i * 70 + k]) * i32::from(wq[j * 70 + k]))
                .sum();
            assert_eq!(t.acc[i * 20 + j], acc);
            let y = acc as f32 * (t.act_scales[i] * q.layers[0].channel_scales[j])
                + q.layers[0].bias[j];
            assert_eq!(t.output[i * 20 + j].to_bits(), y.to_bits());
        }
    }
    assert_eq!(q.forward(&x, 3).unwrap(), traces[1].output);
    // Close to fp32.
    let errs = layer_errors(&m, &q, &x, 3).unwrap();
    assert!(errs.iter().all(|e| e.snr_db > 25.0), "{errs:?}");
    let reports = q.int16_accumulators(&x, 3).unwrap();
    assert_eq!(reports[0].outputs, 60);
    assert!(reports[0].max_abs_acc > 0);
}

#[test]
fn invalid_combinations_and_inputs_are_errors() {
    let m = model();
    let w4a8 = QuantConfig {
        activations: Activations::Int8PerToken,
        ..QuantConfig::W4_G32
    };
    assert!(QuantizedMlp::new(&m, w4a8).is_err());
    assert!(QuantizedMlp::new(&m, QuantConfig::w4_group(0)).is_err());
    let q = QuantizedMlp::new(&m, QuantConfig::W8).unwrap();
    assert!(q.forward(&[0.0; 69], 1).is_err());
    assert!(q.trace_int8(&inputs(1, 70), 1).is_err());
    let other = Mlp::new(&[70, 5], &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
    assert!(layer_errors(&other, &q, &inputs(1, 70), 1).is_err());
}
