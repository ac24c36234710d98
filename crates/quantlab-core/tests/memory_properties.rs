//! Property tests: the calculator never panics, whatever the numbers, and its answers
//! keep their invariants.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use proptest::prelude::*;
use quantlab_core::memory::*;

fn any_format() -> impl Strategy<Value = WeightFormat> {
    prop_oneof![
        proptest::sample::select(WeightFormat::PRESETS.to_vec()),
        (0u8..=12, 0u32..=1024)
            .prop_map(|(b, g)| { WeightFormat::int_grouped(b, g).unwrap_or(WeightFormat::Int4) }),
    ]
}

fn any_kv() -> impl Strategy<Value = KvCacheDtype> {
    proptest::sample::select(KvCacheDtype::ALL.to_vec())
}

fn any_overhead() -> impl Strategy<Value = Overhead> {
    prop_oneof![
        Just(Overhead::None),
        any::<f64>().prop_map(|gib| Overhead::Fixed { gib }),
        any::<f64>().prop_map(|percent| Overhead::Percent { percent }),
        (0.0f64..4.0).prop_map(|gib| Overhead::Fixed { gib }),
    ]
}

/// Dimensions from absurd (0, u64::MAX) to ordinary.
fn dim() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(u64::MAX),
        1u64..=64,
        1u64..=100_000,
        any::<u64>(),
    ]
}

fn any_config() -> impl Strategy<Value = TransformerConfig> {
    (
        (dim(), dim(), dim(), dim()),
        (dim(), dim(), dim()),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |((l, h, nh, nkv), (d, i, v), (tie, qkv, o, mlp))| TransformerConfig {
                num_layers: l,
                hidden_size: h,
                num_attention_heads: nh,
                num_kv_heads: nkv,
                head_dim: d,
                intermediate_size: i,
                vocab_size: v,
                tie_word_embeddings: tie,
                qkv_bias: qkv,
                o_bias: o,
                mlp_bias: mlp,
            },
        )
}

fn any_model() -> impl Strategy<Value = ModelSpec> {
    prop_oneof![
        proptest::sample::select(ModelPreset::ALL.to_vec()).prop_map(ModelPreset::spec),
        any_config().prop_map(|c| ModelSpec {
            id: "custom".into(),
            name: "fuzz".into(),
            architecture: Architecture::Transformer(c),
            published_parameters: None,
            max_context: None,
            source: String::new(),
        }),
        (any::<u64>(), any::<bool>()).prop_map(|(parameters, has_kv_cache)| ModelSpec {
            id: "custom".into(),
            name: "fuzz".into(),
            architecture: Architecture::ParameterCount {
                parameters,
                has_kv_cache,
            },
            published_parameters: None,
            max_context: None,
            source: String::new(),
        }),
    ]
}

fn any_inference() -> impl Strategy<Value = InferenceSettings> {
    (any_format(), any_kv(), dim(), dim(), any_overhead()).prop_map(
        |(weight_format, kv_cache_dtype, context_tokens, batch_size, overhead)| InferenceSettings {
            weight_format,
            kv_cache_dtype,
            context_tokens,
            batch_size,
            overhead,
        },
    )
}

fn any_training() -> impl Strategy<Value = TrainingSettings> {
    let method = prop_oneof![
        Just(TrainingMethod::Full),
        (dim(), any_format()).prop_map(|(rank, base_format)| TrainingMethod::Lora {
            rank,
            targets: LoraTargets::QV,
            base_format,
        }),
        (dim(), any::<bool>()).prop_map(|(rank, double_quant)| TrainingMethod::Qlora {
            rank,
            targets: LoraTargets::ALL_LINEAR,
            double_quant,
        }),
    ];
    let recipe = prop_oneof![
        Just(AdamRecipe::MIXED_PRECISION),
        Just(AdamRecipe::FP32),
        (any::<f64>(), any::<f64>()).prop_map(|(w, m)| AdamRecipe {
            weights: w,
            adam_m: m,
            ..AdamRecipe::MIXED_PRECISION
        }),
    ];
    (method, recipe, dim(), dim(), any::<bool>(), any_overhead()).prop_map(
        |(method, optimizer, sequence_length, batch_size, gradient_checkpointing, overhead)| {
            TrainingSettings {
                method,
                optimizer,
                sequence_length,
                batch_size,
                gradient_checkpointing,
                overhead,
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn inference_never_panics_and_totals_its_items(model in any_model(), s in any_inference()) {
        if let Ok(b) = inference_memory(&model, &s) {
            let sum = b.items.iter().try_fold(0u64, |a, i| a.checked_add(i.bytes));
            prop_assert_eq!(sum, Some(b.total_bytes));
            for item in &b.items {
                prop_assert!(item.formula.contains(" = "));
            }
        }
    }

    #[test]
    fn training_never_panics_and_totals_its_items(model in any_model(), s in any_training()) {
        if let Ok(b) = training_memory(&model, &s) {
            let sum = b.items.iter().try_fold(0u64, |a, i| a.checked_add(i.bytes));
            prop_assert_eq!(sum, Some(b.total_bytes));
        }
    }

    #[test]
    fn gpu_fits_never_panic(total in any::<u64>(), gib in any::<f64>()) {
        let mut gpus = gpu_presets();
        if let Ok(g) = GpuSpec::custom_gib(gib) {
            gpus.push(g);
        }
        let fits = gpu_fits(total, &gpus).unwrap();
        for f in fits {
            if let Some(n) = f.devices_needed {
                prop_assert!(n >= 1);
                prop_assert!(u128::from(n) * u128::from(f.gpu.usable_bytes) >= u128::from(total));
            }
        }
    }

    #[test]
    fn max_context_never_panics_and_round_trips(
        model in any_model(),
        s in any_inference(),
        avail in prop_oneof![any::<u64>(), 0u64..=(200u64 << 30)],
    ) {
        if let Ok(mc) = max_context(&model, &s, avail) {
            let at = |tokens: u64| inference_memory(
                &model,
                &InferenceSettings { context_tokens: tokens, ..s.clone() },
            ).map(|b| b.total_bytes);
            if mc.tokens > 0 {
                prop_assert!(at(mc.tokens).map(|t| t <= avail).unwrap_or(false));
                if mc.limit == ContextLimit::Memory {
                    prop_assert!(at(mc.tokens + 1).map(|t| t > avail).unwrap_or(true));
                }
            }
        }
    }

    #[test]
    fn config_json_parser_never_panics(json in ".{0,200}") {
        let _ = parse_hf_config(&json);
    }

    #[test]
    fn config_json_with_any_numbers_never_panics(
        vals in proptest::collection::vec(
            prop_oneof![
                any::<i64>().prop_map(|v| v.to_string()),
                any::<u64>().prop_map(|v| v.to_string()),
                any::<f64>().prop_map(|v| if v.is_finite() { format!("{v:e}") } else { "null".to_string() }),
                Just("true".to_string()),
                Just("\"x\"".to_string()),
            ],
            7,
        ),
    ) {
        let json = format!(
            r#"{{"num_hidden_layers": {}, "hidden_size": {}, "num_attention_heads": {},
                "num_key_value_heads": {}, "head_dim": {}, "intermediate_size": {}, "vocab_size": {}}}"#,
            vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6]
        );
        if let Ok(p) = parse_hf_config(&json) {
            prop_assert!(p.model.parameter_count().is_ok());
        }
    }

    #[test]
    fn more_context_never_needs_less_memory(
        p in proptest::sample::select(ModelPreset::ALL[..8].to_vec()),
        a in 0u64..200_000,
        b in 0u64..200_000,
    ) {
        let m = p.spec();
        let total = |c| inference_memory(&m, &InferenceSettings { context_tokens: c, ..InferenceSettings::default() })
            .map(|b| b.total_bytes)
            .unwrap_or(u64::MAX);
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(total(lo) <= total(hi));
    }
}

#[test]
fn custom_models_reject_nonsense_sizes() {
    assert!(ModelSpec::from_billions(f64::NAN).is_err());
    assert!(ModelSpec::from_billions(-7.0).is_err());
    assert!(ModelSpec::from_billions(0.0).is_err());
    assert!(ModelSpec::from_billions(f64::INFINITY).is_err());
    assert!(ModelSpec::from_parameter_count(0).is_err());
    assert!(GpuSpec::custom_gib(-1.0).is_err());
    assert!(GpuSpec::custom_gib(f64::NAN).is_err());
    let zero_layers = TransformerConfig::new(0, 4096, 32, 8, 14336, 128256, false);
    let err = ModelSpec::from_config("x", zero_layers)
        .unwrap_err()
        .to_string();
    assert!(err.contains("num_hidden_layers"), "{err}");
    let zero_heads = TransformerConfig::new(32, 4096, 0, 0, 14336, 128256, false);
    assert!(ModelSpec::from_config("x", zero_heads).is_err());
}

#[test]
fn a_trillion_trillion_parameters_is_an_error_not_a_panic() {
    let spec = ModelSpec::from_billions(1e9).unwrap(); // 10^18 parameters: counted fine
    let s = InferenceSettings {
        weight_format: WeightFormat::Fp32,
        ..InferenceSettings::default()
    };
    // 4 · 10^18 bytes still fits in u64.
    assert!(inference_memory(&spec, &s).is_ok());
    let huge = ModelSpec {
        architecture: Architecture::ParameterCount {
            parameters: u64::MAX,
            has_kv_cache: true,
        },
        ..spec
    };
    let err = inference_memory(&huge, &s).unwrap_err().to_string();
    assert!(err.contains("16 EiB"), "{err}");
}

#[test]
fn nonsense_settings_are_errors() {
    let m = ModelPreset::Llama2_7b.spec();
    let bad = |s: InferenceSettings| inference_memory(&m, &s).is_err();
    assert!(bad(InferenceSettings {
        batch_size: 0,
        ..InferenceSettings::default()
    }));
    assert!(bad(InferenceSettings {
        overhead: Overhead::Fixed { gib: f64::NAN },
        ..InferenceSettings::default()
    }));
    assert!(bad(InferenceSettings {
        overhead: Overhead::Percent { percent: -5.0 },
        ..InferenceSettings::default()
    }));
    assert!(bad(InferenceSettings {
        context_tokens: u64::MAX,
        ..InferenceSettings::default()
    }));
    let t = |s: TrainingSettings| training_memory(&m, &s).is_err();
    assert!(t(TrainingSettings {
        sequence_length: 0,
        ..TrainingSettings::default()
    }));
    assert!(t(TrainingSettings {
        optimizer: AdamRecipe {
            adam_v: f64::INFINITY,
            ..AdamRecipe::MIXED_PRECISION
        },
        ..TrainingSettings::default()
    }));
    assert!(t(TrainingSettings {
        method: TrainingMethod::Lora {
            rank: 0,
            targets: LoraTargets::QV,
            base_format: WeightFormat::Bf16
        },
        ..TrainingSettings::default()
    }));
    let no_targets = LoraTargets {
        q: false,
        v: false,
        ..LoraTargets::QV
    };
    assert!(t(TrainingSettings {
        method: TrainingMethod::Lora {
            rank: 8,
            targets: no_targets,
            base_format: WeightFormat::Bf16
        },
        ..TrainingSettings::default()
    }));
    // LoRA needs shapes.
    let by_count = ModelSpec::from_billions(7.0).unwrap();
    assert!(
        training_memory(
            &by_count,
            &TrainingSettings {
                method: TrainingMethod::Lora {
                    rank: 8,
                    targets: LoraTargets::QV,
                    base_format: WeightFormat::Bf16
                },
                ..TrainingSettings::default()
            }
        )
        .is_err()
    );
    // Full fine-tuning of a model given by count works, with a note.
    let b = training_memory(&by_count, &TrainingSettings::default()).unwrap();
    assert!(!b.notes.is_empty());
}
