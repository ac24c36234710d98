//! The whole W8A8 MLP forward on the GPU against the CPU int8 reference
//! (`QuantizedMlp::trace_int8`): every accumulator of every layer and every logit bit, on a
//! model trained on the Digits dataset and on a seeded random MNIST-sized model, with both
//! kernels.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use pollster::block_on;
use quantlab_core::dataset::{DatasetId, SPLIT_SEED};
use quantlab_core::mlp::{Mlp, QuantConfig, QuantizedMlp, TrainConfig, Trainer};
use quantlab_gpu::{GpuContext, GpuError, Kernel, compare_with_cpu};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn check_model(ctx: &GpuContext, q: &QuantizedMlp, x: &[f32], m: usize) -> usize {
    let gpu_model = block_on(ctx.upload_w8a8(q)).unwrap();
    let cpu = q.trace_int8(x, m).unwrap();
    let mut mismatches = 0;
    for kernel in ctx.available_kernels() {
        let gpu = block_on(ctx.forward_w8a8_with(kernel, &gpu_model, x, m)).unwrap();
        assert_eq!(gpu.kernel, kernel);
        assert_eq!(gpu.layers.len(), cpu.len());
        for (l, (g, c)) in gpu.layers.iter().zip(&cpu).enumerate() {
            assert_eq!(g.codes, c.codes, "{kernel:?} layer {l}: activation codes");
            assert_eq!(g.act_scales, c.act_scales, "{kernel:?} layer {l}: scales");
            assert_eq!(g.acc, c.acc, "{kernel:?} layer {l}: int32 accumulators");
            let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&g.output), bits(&c.output), "{kernel:?} layer {l}");
        }
        // The logits are the CPU model's W8A8 logits, bit for bit.
        let logits = q.forward(x, m).unwrap();
        assert_eq!(gpu.logits(), logits.as_slice());
        let mm = compare_with_cpu(&cpu, &gpu);
        assert_eq!(mm.logits_compared, m * q.out_dim());
        assert_eq!(
            mm.accumulators_compared,
            q.layers.iter().map(|l| m * l.out_dim).sum::<usize>()
        );
        mismatches += mm.total();
    }
    mismatches
}

#[test]
fn a_model_trained_on_digits_runs_on_the_gpu_bit_for_bit() {
    let Some(ctx) = common::context() else {
        return;
    };
    let assets = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/datasets");
    let id = DatasetId::Digits;
    let mut split = id.load_from_dir(&assets, SPLIT_SEED).unwrap();
    split.standardize(id.scaling());
    let config = TrainConfig {
        epochs: 8,
        ..TrainConfig::for_dataset(id)
    };
    let mut trainer = Trainer::new(config, split.train.clone(), None).unwrap();
    trainer.run().unwrap();
    let model = trainer.into_model();
    let q = QuantizedMlp::new(&model, QuantConfig::W8A8).unwrap();
    let test = &split.test;
    assert_eq!(check_model(&ctx, &q, &test.features, test.n), 0);

    // The checked run the page uses: 0 mismatches and the CPU's W8A8 predictions/accuracy.
    let gpu_model = block_on(ctx.upload_w8a8(&q)).unwrap();
    let run = block_on(ctx.run_w8a8_checked(&q, &gpu_model, &test.features, test.n)).unwrap();
    assert_eq!(run.mismatches.total(), 0);
    assert_eq!(run.predictions, q.predict(&test.features, test.n).unwrap());
    let correct = run
        .predictions
        .iter()
        .zip(&test.labels)
        .filter(|(p, y)| p == y)
        .count();
    let acc = correct as f32 / test.n as f32;
    assert!(acc > 0.85, "W8A8 Digits accuracy on the GPU: {acc}");
    eprintln!(
        "Digits W8A8 on the GPU: {} test samples, accuracy {:.2} %, {} accumulators and {} logits compared, {} mismatches",
        test.n,
        100.0 * acc,
        run.mismatches.accumulators_compared,
        run.mismatches.logits_compared,
        run.mismatches.total()
    );
}

#[test]
fn a_seeded_random_mnist_sized_model_and_the_per_tensor_variant_match() {
    let Some(ctx) = common::context() else {
        return;
    };
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mlp = Mlp::new(&[784, 200, 97, 10], &mut rng).unwrap();
    let m = 131; // not a multiple of the workgroup side
    let mut x: Vec<f32> = (0..m * 784)
        .map(|_| rng.random_range(-1.0f32..3.0))
        .collect();
    // An all-zero sample (scale 0, codes 0) and one with a single large value.
    x[..784].fill(0.0);
    x[784..2 * 784].fill(0.0);
    x[784 + 300] = 1e4;
    for config in [QuantConfig::W8A8, QuantConfig::W8A8_PER_TENSOR] {
        let q = QuantizedMlp::new(&mlp, config).unwrap();
        assert_eq!(check_model(&ctx, &q, &x, m), 0, "{}", config.id());
    }
}

#[test]
fn the_mismatch_count_sees_a_single_wrong_accumulator() {
    let Some(ctx) = common::context() else {
        return;
    };
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mlp = Mlp::new(&[12, 9, 4], &mut rng).unwrap();
    let q = QuantizedMlp::new(&mlp, QuantConfig::W8A8).unwrap();
    let x: Vec<f32> = (0..5 * 12)
        .map(|_| rng.random_range(-2.0f32..2.0))
        .collect();
    let gpu_model = block_on(ctx.upload_w8a8(&q)).unwrap();
    let gpu = block_on(ctx.forward_w8a8(&gpu_model, &x, 5)).unwrap();
    let cpu = q.trace_int8(&x, 5).unwrap();
    assert_eq!(compare_with_cpu(&cpu, &gpu).total(), 0);
    let mut wrong = gpu.clone();
    wrong.layers[0].acc[7] += 1;
    let mm = compare_with_cpu(&cpu, &wrong);
    assert_eq!((mm.accumulators, mm.logits), (1, 0));
    let mut wrong = gpu.clone();
    let last = wrong.layers.len() - 1;
    wrong.layers[last].output[3] = f32::from_bits(wrong.layers[last].output[3].to_bits() ^ 1);
    assert_eq!(compare_with_cpu(&cpu, &wrong).logits, 1);
    let mut short = gpu;
    short.layers.pop();
    assert!(compare_with_cpu(&cpu, &short).total() >= 4 * 5);
}

#[test]
fn models_the_gpu_path_cannot_run_are_refused_in_words() {
    let Some(ctx) = common::context() else {
        return;
    };
    let mlp = Mlp::new(&[6, 5, 3], &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
    for config in [QuantConfig::FP32, QuantConfig::W8, QuantConfig::W4_G32] {
        let q = QuantizedMlp::new(&mlp, config).unwrap();
        let e = block_on(ctx.upload_w8a8(&q)).unwrap_err();
        assert!(matches!(e, GpuError::InvalidInput(_)), "{e}");
        assert!(e.to_string().contains("W8A8"), "{e}");
    }
    let q = QuantizedMlp::new(&mlp, QuantConfig::W8A8).unwrap();
    let g = block_on(ctx.upload_w8a8(&q)).unwrap();
    assert_eq!((g.in_dim(), g.out_dim(), g.num_layers()), (6, 3, 2));
    for (x, m) in [(vec![0.0; 11], 2), (vec![], 0), (vec![0.0; 12], 1)] {
        let e = block_on(ctx.forward_w8a8_with(Kernel::Portable, &g, &x, m)).unwrap_err();
        assert!(matches!(e, GpuError::InvalidInput(_)), "{e}");
    }
}
