//! Known values of the memory calculator: the course's table, KV caches, parameter counts,
//! Adam's bytes per parameter, LoRA counts, GPUs and the longest context.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use quantlab_core::memory::*;

fn preset(p: ModelPreset) -> ModelSpec {
    p.spec()
}

fn config(p: ModelPreset) -> TransformerConfig {
    match p.spec().architecture {
        Architecture::Transformer(c) => c,
        Architecture::ParameterCount { .. } => panic!("{p:?} has no shapes"),
    }
}

fn fp16_inference(context: u64, batch: u64) -> InferenceSettings {
    InferenceSettings {
        weight_format: WeightFormat::Fp16,
        kv_cache_dtype: KvCacheDtype::Fp16,
        context_tokens: context,
        batch_size: batch,
        overhead: Overhead::None,
    }
}

// ---------------------------------------------------------------- the course's table

#[test]
fn course_table_matches_the_course_cell_by_cell_in_gib() {
    let expected: [(u64, [&str; 5]); 4] = [
        (1, ["3.73", "1.86", "1.86", "0.93", "0.47"]),
        (7, ["26.08", "13.04", "13.04", "6.52", "3.26"]),
        (13, ["48.43", "24.21", "24.21", "12.11", "6.05"]),
        (70, ["260.77", "130.39", "130.39", "65.19", "32.60"]),
    ];
    let table = course_table();
    assert_eq!(
        table.formats,
        vec![
            WeightFormat::Fp32,
            WeightFormat::Fp16,
            WeightFormat::Bf16,
            WeightFormat::Int8,
            WeightFormat::Int4
        ]
    );
    assert_eq!(table.rows.len(), 4);
    for (row, (billions, cells)) in table.rows.iter().zip(expected) {
        assert_eq!(row.billions, billions);
        assert_eq!(row.cells.len(), 5);
        for (cell, want) in row.cells.iter().zip(cells) {
            assert_eq!(
                cell.gib_text,
                format!("{want} GiB"),
                "{billions}B {:?}",
                cell.format
            );
            assert_eq!(format!("{:.2}", cell.gib), want);
        }
    }
}

#[test]
fn course_table_gives_gb_too() {
    let expected: [(u64, [&str; 5]); 4] = [
        (1, ["4.00", "2.00", "2.00", "1.00", "0.50"]),
        (7, ["28.00", "14.00", "14.00", "7.00", "3.50"]),
        (13, ["52.00", "26.00", "26.00", "13.00", "6.50"]),
        (70, ["280.00", "140.00", "140.00", "70.00", "35.00"]),
    ];
    for (row, (_, cells)) in course_table().rows.iter().zip(expected) {
        for (cell, want) in row.cells.iter().zip(cells) {
            assert_eq!(cell.gb_text, format!("{want} GB"));
        }
    }
}

#[test]
fn seventy_billion_in_fp32_is_260_77_gib_and_280_gb() {
    let cell = course_cell(70, WeightFormat::Fp32).unwrap();
    assert_eq!(cell.bytes, 280_000_000_000);
    assert_eq!(cell.gib_text, "260.77 GiB");
    assert_eq!(cell.gb_text, "280.00 GB");
    assert_eq!(
        cell.formula,
        "70,000,000,000 params · 4 B = 280,000,000,000 B = 260.77 GiB"
    );
}

#[test]
fn seven_billion_fp16_is_13_04_gib_and_one_billion_int4_is_0_47_gib() {
    assert_eq!(
        course_cell(7, WeightFormat::Fp16).unwrap().gib_text,
        "13.04 GiB"
    );
    assert_eq!(
        course_cell(1, WeightFormat::Int4).unwrap().gib_text,
        "0.47 GiB"
    );
}

// ---------------------------------------------------------------- formats

#[test]
fn formats_carry_their_real_metadata_overhead() {
    let cases = [
        (WeightFormat::Fp32, 32.0),
        (WeightFormat::Fp16, 16.0),
        (WeightFormat::Bf16, 16.0),
        (WeightFormat::Fp8, 8.0),
        (WeightFormat::Int8, 8.0),
        (WeightFormat::Int4, 4.0),
        (WeightFormat::Nf4, 4.5),
        (WeightFormat::Q8_0, 8.5),
        (WeightFormat::Q4_0, 4.5),
        (WeightFormat::Q4_1, 5.0),
        (WeightFormat::Q4_K, 4.5),
        (WeightFormat::Q2_K, 2.625),
        (WeightFormat::int_grouped(2, 64).unwrap(), 2.25),
        (WeightFormat::int_grouped(2, 32).unwrap(), 2.5),
        (WeightFormat::int_grouped(4, 128).unwrap(), 4.125),
    ];
    for (f, bits) in cases {
        assert_eq!(f.bits_per_weight(), bits, "{f:?}");
    }
}

#[test]
fn nf4_with_double_quantization_is_about_4_127_bits() {
    let bits = WeightFormat::Nf4Dq.bits_per_weight();
    assert_eq!(bits, 4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0));
    assert_eq!(format!("{bits:.3}"), "4.127");
    assert_eq!(
        WeightFormat::Nf4Dq.bits_formula(),
        "4 + 8/64 + 32/(64·256) (8-bit absmax per 64, fp32 per 256 blocks) = 4.127 bits"
    );
}

#[test]
fn weight_formats_serialize_as_url_ids() {
    let json = serde_json::to_string(&WeightFormat::PRESETS).unwrap();
    assert_eq!(
        json,
        r#"["fp32","fp16","bf16","fp8","int8","int4","nf4","nf4-dq","q8-0","q4-0","q4-1","q4-k","q2-k","int2-g64"]"#
    );
    let back: Vec<WeightFormat> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, WeightFormat::PRESETS.to_vec());
    assert!(serde_json::from_str::<WeightFormat>("\"int2-g0\"").is_err());
    assert_eq!(WeightFormat::Q4_K.label(), "Q4_K");
}

#[test]
fn kv_cache_dtypes_have_their_byte_sizes() {
    assert_eq!(KvCacheDtype::Fp16.bytes(), 2.0);
    assert_eq!(KvCacheDtype::Fp8.bytes(), 1.0);
    assert_eq!(KvCacheDtype::Int8.bytes(), 1.0);
    assert_eq!(KvCacheDtype::Int4.bytes(), 0.5);
    assert_eq!(
        serde_json::to_string(&KvCacheDtype::Int4).unwrap(),
        "\"int4\""
    );
}

// ---------------------------------------------------------------- parameter counts

#[test]
fn every_preset_parameter_count_is_within_one_percent_of_the_published_count() {
    for p in ModelPreset::ALL {
        let spec = preset(p);
        let computed = spec.parameter_count().unwrap() as f64;
        let published = spec.published_parameters.unwrap() as f64;
        let rel = (computed - published).abs() / published;
        assert!(
            rel < 0.01,
            "{}: computed {computed}, published {published} ({:.2} %)",
            spec.name,
            rel * 100.0
        );
    }
}

#[test]
fn published_counts_are_the_model_cards_figures() {
    let cases = [
        (ModelPreset::Llama2_7b, 6.74e9),
        (ModelPreset::Llama2_13b, 13.0e9),
        (ModelPreset::Llama2_70b, 69.0e9),
        (ModelPreset::Llama31_8b, 8.03e9),
        (ModelPreset::Llama31_70b, 70.6e9),
        (ModelPreset::Mistral7b, 7.24e9),
        (ModelPreset::Qwen25_7b, 7.62e9),
        (ModelPreset::Phi3Mini, 3.82e9),
        (ModelPreset::Resnet50, 25.6e6),
    ];
    for (p, published) in cases {
        assert_eq!(
            preset(p).published_parameters,
            Some(published as u64),
            "{p:?}"
        );
    }
}

#[test]
fn parameter_counts_from_configs_match_the_checkpoints_exactly() {
    // The sums of the tensors in the published safetensors checkpoints.
    let cases = [
        (ModelPreset::Llama2_7b, 6_738_415_616u64),
        (ModelPreset::Llama2_13b, 13_015_864_320),
        (ModelPreset::Llama2_70b, 68_976_648_192),
        (ModelPreset::Llama31_8b, 8_030_261_248),
        (ModelPreset::Llama31_70b, 70_553_706_496),
        (ModelPreset::Mistral7b, 7_241_732_096),
        (ModelPreset::Qwen25_7b, 7_615_616_512),
        (ModelPreset::Phi3Mini, 3_821_079_552),
        (ModelPreset::Resnet50, 25_557_032),
    ];
    for (p, exact) in cases {
        assert_eq!(preset(p).parameter_count().unwrap(), exact, "{p:?}");
    }
}

#[test]
fn parameter_breakdown_shows_its_formulas() {
    let b = preset(ModelPreset::Llama31_8b)
        .parameter_breakdown()
        .unwrap();
    assert_eq!(
        b.items[0].formula,
        "128256 vocab · 4096 hidden = 525,336,576"
    );
    assert_eq!(
        b.items[1].formula,
        "32 layers · (q 4096·4096 + k 4096·1024 + v 4096·1024 + o 4096·4096) = 1,342,177,280"
    );
    assert_eq!(
        b.items[2].formula,
        "32 layers · 3 · 4096·14336 = 5,637,144,576"
    );
    assert_eq!(b.items.iter().map(|i| i.count).sum::<u64>(), b.total);
}

#[test]
fn tied_embeddings_have_no_separate_lm_head() {
    let mut c = config(ModelPreset::Llama2_7b);
    let untied = c.parameter_breakdown().unwrap().total;
    c.tie_word_embeddings = true;
    assert_eq!(
        c.parameter_breakdown().unwrap().total,
        untied - 32000 * 4096
    );
}

#[test]
fn resnet50_is_a_vision_model_without_kv_cache() {
    let spec = preset(ModelPreset::Resnet50);
    assert!(!spec.has_kv_cache());
    let b = inference_memory(&spec, &fp16_inference(4096, 1)).unwrap();
    assert!(b.item(ItemKind::KvCache).is_none());
    assert_eq!(b.total_bytes, 25_557_032 * 2);
    assert!(max_context(&spec, &fp16_inference(0, 1), 24 * GIB).is_err());
}

// ---------------------------------------------------------------- KV cache

#[test]
fn llama2_7b_kv_cache_at_4096_tokens_fp16_batch_1_is_exactly_2_gib() {
    let b = inference_memory(&preset(ModelPreset::Llama2_7b), &fp16_inference(4096, 1)).unwrap();
    let kv = b.item(ItemKind::KvCache).unwrap();
    assert_eq!(kv.bytes, 2 * GIB);
    assert_eq!(
        kv.formula,
        "2 · 32 layers · 32 KV heads · 128 head dim · 2 B · 4096 tokens · 1 batch = 2.00 GiB"
    );
}

#[test]
fn llama31_8b_with_8_kv_heads_at_8192_tokens_fp16_is_exactly_1_gib() {
    let b = inference_memory(&preset(ModelPreset::Llama31_8b), &fp16_inference(8192, 1)).unwrap();
    let kv = b.item(ItemKind::KvCache).unwrap();
    assert_eq!(kv.bytes, GIB);
    assert_eq!(
        kv.formula,
        "2 · 32 layers · 8 KV heads · 128 head dim · 2 B · 8192 tokens · 1 batch = 1.00 GiB"
    );
}

#[test]
fn kv_cache_scales_with_dtype_and_batch() {
    let spec = preset(ModelPreset::Llama31_8b);
    let mut s = fp16_inference(8192, 4);
    s.kv_cache_dtype = KvCacheDtype::Int4;
    let b = inference_memory(&spec, &s).unwrap();
    // 4× the batch, a quarter of the bytes per element.
    assert_eq!(b.bytes_of(ItemKind::KvCache), GIB);
}

// ---------------------------------------------------------------- inference

#[test]
fn inference_total_is_the_sum_of_its_items_with_formulas() {
    let b = inference_memory(
        &preset(ModelPreset::Llama31_8b),
        &InferenceSettings {
            context_tokens: 8192,
            ..InferenceSettings::default()
        },
    )
    .unwrap();
    let kinds: Vec<ItemKind> = b.items.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            ItemKind::Weights,
            ItemKind::KvCache,
            ItemKind::Activations,
            ItemKind::Logits,
            ItemKind::Overhead
        ]
    );
    assert_eq!(b.total_bytes, b.items.iter().map(|i| i.bytes).sum::<u64>());
    assert_eq!(b.bytes_of(ItemKind::Weights), 8_030_261_248 * 2);
    assert_eq!(
        b.item(ItemKind::Weights).unwrap().formula,
        "8,030,261,248 params · 16 bits / 8 = 14.96 GiB"
    );
    // batch · tokens · (2·h + 2·i) · 2 B
    assert_eq!(
        b.bytes_of(ItemKind::Activations),
        8192 * (2 * 4096 + 2 * 14336) * 2
    );
    assert_eq!(b.bytes_of(ItemKind::Logits), 128256 * 4);
    assert_eq!(b.bytes_of(ItemKind::Overhead), GIB);
    for item in &b.items {
        assert!(item.formula.contains(" = "), "{}", item.formula);
    }
    assert!(b.total_formula.ends_with(&format_bytes(b.total_bytes)));
}

#[test]
fn percent_overhead_is_a_share_of_the_other_items() {
    let spec = preset(ModelPreset::Llama2_7b);
    let mut s = fp16_inference(4096, 1);
    let base = inference_memory(&spec, &s).unwrap().total_bytes;
    s.overhead = Overhead::Percent { percent: 10.0 };
    let b = inference_memory(&spec, &s).unwrap();
    assert_eq!(
        b.bytes_of(ItemKind::Overhead),
        (base as f64 * 0.1).ceil() as u64
    );
}

#[test]
fn quantized_weights_shrink_with_their_bits_per_weight() {
    let spec = preset(ModelPreset::Llama2_70b);
    let mut s = fp16_inference(4096, 1);
    s.weight_format = WeightFormat::Q4_K;
    let b = inference_memory(&spec, &s).unwrap();
    assert_eq!(
        b.bytes_of(ItemKind::Weights),
        (68_976_648_192f64 * 4.5 / 8.0).ceil() as u64
    );
}

#[test]
fn a_model_given_by_count_reports_what_it_cannot_estimate() {
    let spec = ModelSpec::from_billions(7.0).unwrap();
    assert_eq!(spec.parameter_count().unwrap(), 7_000_000_000);
    let b = inference_memory(&spec, &fp16_inference(4096, 1)).unwrap();
    assert_eq!(b.total_bytes, 14_000_000_000);
    assert!(!b.notes.is_empty());
}

// ---------------------------------------------------------------- training

#[test]
fn mixed_precision_adam_needs_16_bytes_per_parameter() {
    assert_eq!(AdamRecipe::MIXED_PRECISION.bytes_per_parameter(), 16.0);
    assert_eq!(
        AdamRecipe::MIXED_PRECISION.formula(),
        "2 + 4 + 2 + 4 + 4 = 16 B"
    );
    assert_eq!(
        AdamRecipe::MIXED_PRECISION_FP32_GRADS.bytes_per_parameter(),
        18.0
    );
    assert_eq!(AdamRecipe::FP32.bytes_per_parameter(), 16.0);
    assert_eq!(AdamRecipe::ADAM_8BIT.bytes_per_parameter(), 10.0);
}

#[test]
fn full_fine_tuning_state_is_16_bytes_per_parameter_itemised() {
    let spec = preset(ModelPreset::Llama2_7b);
    let b = training_memory(
        &spec,
        &TrainingSettings {
            overhead: Overhead::None,
            ..TrainingSettings::default()
        },
    )
    .unwrap();
    let p = 6_738_415_616u64;
    assert_eq!(b.bytes_of(ItemKind::Weights), 2 * p);
    assert_eq!(b.bytes_of(ItemKind::MasterWeights), 4 * p);
    assert_eq!(b.bytes_of(ItemKind::Gradients), 2 * p);
    assert_eq!(b.bytes_of(ItemKind::OptimizerMomentum), 4 * p);
    assert_eq!(b.bytes_of(ItemKind::OptimizerVariance), 4 * p);
    let state: u64 = [
        ItemKind::Weights,
        ItemKind::MasterWeights,
        ItemKind::Gradients,
        ItemKind::OptimizerMomentum,
        ItemKind::OptimizerVariance,
    ]
    .iter()
    .map(|&k| b.bytes_of(k))
    .sum();
    assert_eq!(state, 16 * p);
    assert_eq!(
        b.item(ItemKind::OptimizerVariance).unwrap().formula,
        "6,738,415,616 params · 4 B = 25.10 GiB"
    );
}

#[test]
fn llama2_7b_lora_rank_8_on_q_and_v_trains_4_194_304_parameters() {
    let c = config(ModelPreset::Llama2_7b);
    let n = lora_trainable_parameters(&c, 8, LoraTargets::QV).unwrap();
    assert_eq!(n.total, 4_194_304);
    assert_eq!(n.per_layer, 131_072);
    assert_eq!(
        n.formula,
        "32 layers · 8 rank · ((4096 + 4096) q + (4096 + 4096) v) = 4,194,304"
    );
}

#[test]
fn llama31_8b_lora_rank_16_on_all_linear_trains_41_943_040_parameters() {
    let c = config(ModelPreset::Llama31_8b);
    let n = lora_trainable_parameters(&c, 16, LoraTargets::ALL_LINEAR).unwrap();
    assert_eq!(n.total, 41_943_040);
}

#[test]
fn lora_targets_convert_to_and_from_module_lists() {
    assert_eq!(
        LoraTargets::QV.modules(),
        vec![LinearModule::Q, LinearModule::V]
    );
    assert_eq!(
        LoraTargets::from_modules(&LinearModule::ALL),
        LoraTargets::ALL_LINEAR
    );
    assert_eq!(
        LoraTargets::from_modules(&[
            LinearModule::Q,
            LinearModule::K,
            LinearModule::V,
            LinearModule::O
        ]),
        LoraTargets::ATTENTION
    );
}

#[test]
fn pure_fp32_training_stores_activations_in_four_bytes() {
    let spec = preset(ModelPreset::Llama2_7b);
    let mixed = TrainingSettings::default();
    let fp32 = TrainingSettings {
        optimizer: AdamRecipe::FP32,
        ..TrainingSettings::default()
    };
    let a = training_memory(&spec, &mixed).unwrap();
    let b = training_memory(&spec, &fp32).unwrap();
    assert_eq!(
        b.bytes_of(ItemKind::Activations),
        2 * a.bytes_of(ItemKind::Activations)
    );
    assert!(b.item(ItemKind::MasterWeights).is_none());
    assert_eq!(b.bytes_of(ItemKind::Weights), 6_738_415_616 * 4);
}

#[test]
fn lora_keeps_the_base_frozen_and_trains_only_adapters() {
    let spec = preset(ModelPreset::Llama2_7b);
    let s = TrainingSettings {
        method: TrainingMethod::Lora {
            rank: 8,
            targets: LoraTargets::QV,
            base_format: WeightFormat::Bf16,
        },
        overhead: Overhead::None,
        ..TrainingSettings::default()
    };
    let b = training_memory(&spec, &s).unwrap();
    assert_eq!(b.bytes_of(ItemKind::Weights), 6_738_415_616 * 2);
    assert_eq!(b.bytes_of(ItemKind::AdapterWeights), 4_194_304 * 2);
    assert_eq!(b.bytes_of(ItemKind::OptimizerMomentum), 4_194_304 * 4);
    assert_eq!(b.bytes_of(ItemKind::Gradients), 4_194_304 * 2);
}

#[test]
fn qlora_stores_linear_layers_in_nf4_and_the_rest_in_bf16() {
    let spec = preset(ModelPreset::Llama2_7b);
    let s = TrainingSettings {
        method: TrainingMethod::Qlora {
            rank: 64,
            targets: LoraTargets::ALL_LINEAR,
            double_quant: true,
        },
        overhead: Overhead::None,
        ..TrainingSettings::default()
    };
    let b = training_memory(&spec, &s).unwrap();
    // 32 layers · (4·4096² + 3·4096·11008) linear weights.
    let linear = 32u64 * (4 * 4096 * 4096 + 3 * 4096 * 11008);
    let rest = 6_738_415_616 - linear;
    assert_eq!(
        b.bytes_of(ItemKind::Weights),
        (linear as f64 * WeightFormat::Nf4Dq.bytes_per_weight()).ceil() as u64
    );
    assert_eq!(b.bytes_of(ItemKind::UnquantizedWeights), rest * 2);
    // The 7B base drops from 12.55 GiB to under 4 GiB.
    assert!(b.bytes_of(ItemKind::Weights) + b.bytes_of(ItemKind::UnquantizedWeights) < 4 * GIB);
    // r = 64 on all linear layers of Llama-2-7B: 159,907,840 adapter parameters.
    let lora =
        lora_trainable_parameters(&config(ModelPreset::Llama2_7b), 64, LoraTargets::ALL_LINEAR)
            .unwrap();
    assert_eq!(lora.total, 159_907_840);
    assert_eq!(b.bytes_of(ItemKind::AdapterWeights), lora.total * 2);
}

#[test]
fn gradient_checkpointing_keeps_one_hidden_vector_per_layer_plus_one_layer() {
    let spec = preset(ModelPreset::Llama2_7b);
    let mut s = TrainingSettings {
        sequence_length: 4096,
        overhead: Overhead::None,
        ..TrainingSettings::default()
    };
    let c = config(ModelPreset::Llama2_7b);
    let e = activation_elements_per_token_per_layer(&c);
    // 4·4096 + 2·32·128 + 2·32·128 + 4·11008
    assert_eq!(e, 76_800.0);
    let full = training_memory(&spec, &s)
        .unwrap()
        .bytes_of(ItemKind::Activations);
    assert_eq!(full, 32 * 4096 * 76_800 * 2);
    s.gradient_checkpointing = true;
    let ckpt = training_memory(&spec, &s)
        .unwrap()
        .bytes_of(ItemKind::Activations);
    assert_eq!(ckpt, 4096 * (32 * 4096 + 76_800) * 2);
    assert!(ckpt * 10 < full);
}

#[test]
fn training_logits_are_every_position_in_fp32() {
    let b = training_memory(
        &preset(ModelPreset::Llama31_8b),
        &TrainingSettings {
            sequence_length: 1024,
            batch_size: 2,
            ..TrainingSettings::default()
        },
    )
    .unwrap();
    assert_eq!(b.bytes_of(ItemKind::Logits), 2 * 1024 * 128256 * 4);
}

// ---------------------------------------------------------------- GPUs

#[test]
fn gpu_presets_state_their_bytes() {
    let bytes = |p: GpuPreset| p.spec().memory_bytes;
    assert_eq!(bytes(GpuPreset::Rtx3060), 12 * GIB);
    assert_eq!(bytes(GpuPreset::Rtx4090), 24 * GIB);
    assert_eq!(bytes(GpuPreset::A100_40gb), 40 * GIB);
    assert_eq!(bytes(GpuPreset::A100_80gb), 80 * GIB);
    assert_eq!(bytes(GpuPreset::H100_80gb), 85_899_345_920);
    assert_eq!(bytes(GpuPreset::H200), 141 * GIB);
    assert_eq!(bytes(GpuPreset::Mi300x), 192 * GIB);
    assert_eq!(bytes(GpuPreset::Mac192), 192 * GIB);
    assert_eq!(GpuPreset::Mac16.spec().usable_bytes, 16 * GIB / 3 * 2);
    assert_eq!(GpuPreset::Mac64.spec().usable_bytes, 48 * GIB);
    assert_eq!(gpu_presets().len(), 13);
    for p in GpuPreset::ALL {
        assert_eq!(GpuPreset::from_id(p.id()), Some(p));
    }
}

#[test]
fn seventy_b_in_fp16_needs_two_h100s_and_does_not_fit_one_mac() {
    let total = 140_000_000_000u64; // 70 B × 2 B
    let fits = gpu_fits(
        total,
        &[
            GpuPreset::H100_80gb.spec(),
            GpuPreset::Rtx4090.spec(),
            GpuPreset::Mac128.spec(),
            GpuPreset::Mac192.spec(),
        ],
    )
    .unwrap();
    assert_eq!(fits[0].devices_needed, Some(2));
    assert!(!fits[0].fits_on_one);
    assert_eq!(fits[0].formula, "ceil(130.39 GiB / 80.00 GiB) = 2");
    assert_eq!(fits[1].devices_needed, Some(6));
    assert_eq!(fits[2].devices_needed, None); // 96 GiB usable, Macs are not combined
    assert!(fits[3].fits_on_one); // 144 GiB usable
    assert_eq!(fits[3].devices_needed, Some(1));
}

#[test]
fn seventy_b_in_int4_fits_one_4090_only_without_context() {
    // The product question: 70B int4 on a 24 GB card. 70e9 · 0.5 B = 32.6 GiB: no.
    let spec = preset(ModelPreset::Llama31_70b);
    let s = InferenceSettings {
        weight_format: WeightFormat::Int4,
        context_tokens: 8192,
        ..InferenceSettings::default()
    };
    let b = inference_memory(&spec, &s).unwrap();
    let fit = &gpu_fits(b.total_bytes, &[GpuPreset::Rtx4090.spec()]).unwrap()[0];
    assert!(!fit.fits_on_one);
    assert_eq!(fit.devices_needed, Some(2));
    let mc = max_context(&spec, &s, GpuPreset::Rtx4090.spec().usable_bytes).unwrap();
    assert_eq!(mc.tokens, 0);
    assert_eq!(mc.limit, ContextLimit::NothingFits);
}

// ---------------------------------------------------------------- max context

#[test]
fn max_context_round_trips_it_fits_and_one_more_token_does_not() {
    for (p, fmt, gpu) in [
        (
            ModelPreset::Llama31_8b,
            WeightFormat::Fp16,
            GpuPreset::Rtx4090,
        ),
        (
            ModelPreset::Llama31_8b,
            WeightFormat::Q4_K,
            GpuPreset::Rtx3060,
        ),
        (
            ModelPreset::Llama31_70b,
            WeightFormat::Nf4,
            GpuPreset::A100_80gb,
        ),
        (
            ModelPreset::Qwen25_7b,
            WeightFormat::Int8,
            GpuPreset::Rtx3060,
        ),
    ] {
        let spec = preset(p);
        let s = InferenceSettings {
            weight_format: fmt,
            ..InferenceSettings::default()
        };
        let avail = gpu.spec().usable_bytes;
        let mc = max_context(&spec, &s, avail).unwrap();
        assert_eq!(mc.limit, ContextLimit::Memory, "{p:?} {fmt:?}");
        let at = |tokens| {
            inference_memory(
                &spec,
                &InferenceSettings {
                    context_tokens: tokens,
                    ..s.clone()
                },
            )
            .unwrap()
            .total_bytes
        };
        assert!(mc.tokens > 0);
        assert!(at(mc.tokens) <= avail, "{p:?}");
        assert!(at(mc.tokens + 1) > avail, "{p:?}");
        assert_eq!(mc.total_bytes, at(mc.tokens));
    }
}

#[test]
fn max_context_stops_at_the_model_maximum_when_memory_is_plenty() {
    let spec = preset(ModelPreset::Llama2_7b);
    let mc = max_context(&spec, &InferenceSettings::default(), 80 * GIB).unwrap();
    assert_eq!(mc.tokens, 4096);
    assert_eq!(mc.limit, ContextLimit::ModelMaximum);
}

#[test]
fn max_context_is_zero_when_the_weights_do_not_fit() {
    let spec = preset(ModelPreset::Llama2_70b);
    let mc = max_context(&spec, &InferenceSettings::default(), 24 * GIB).unwrap();
    assert_eq!(mc.tokens, 0);
    assert_eq!(mc.limit, ContextLimit::NothingFits);
    assert!(mc.explanation.starts_with("nothing fits"));
}

#[test]
fn llama31_8b_fp16_on_a_24_gib_card_holds_tens_of_thousands_of_tokens() {
    // 14.96 GiB weights + 1 GiB overhead leave ~8 GiB; each token costs
    // 128 KiB of KV cache + 72 KiB of activations = 200 KiB → ≈ 42,000 tokens.
    let mc = max_context(
        &preset(ModelPreset::Llama31_8b),
        &InferenceSettings::default(),
        24 * GIB,
    )
    .unwrap();
    assert!((40_000..45_000).contains(&mc.tokens), "{}", mc.tokens);
}
