//! Reading Hugging Face `config.json` files: real ones parse to the presets, broken ones
//! give errors that name the field.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use quantlab_core::QuantError;
use quantlab_core::memory::*;

const LLAMA31_8B: &str = r#"{
  "architectures": ["LlamaForCausalLM"],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "bos_token_id": 128000,
  "eos_token_id": 128001,
  "hidden_act": "silu",
  "hidden_size": 4096,
  "initializer_range": 0.02,
  "intermediate_size": 14336,
  "max_position_embeddings": 131072,
  "mlp_bias": false,
  "model_type": "llama",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "pretraining_tp": 1,
  "rms_norm_eps": 1e-05,
  "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "rope_theta": 500000.0,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.43.0.dev0",
  "use_cache": true,
  "vocab_size": 128256
}"#;

const QWEN25_7B: &str = r#"{
  "architectures": ["Qwen2ForCausalLM"],
  "hidden_act": "silu",
  "hidden_size": 3584,
  "intermediate_size": 18944,
  "max_position_embeddings": 131072,
  "model_type": "qwen2",
  "num_attention_heads": 28,
  "num_hidden_layers": 28,
  "num_key_value_heads": 4,
  "rms_norm_eps": 1e-06,
  "rope_theta": 1000000.0,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "vocab_size": 152064
}"#;

fn message(err: QuantError) -> String {
    err.to_string()
}

fn parse_err(json: &str) -> String {
    message(parse_hf_config(json).unwrap_err())
}

#[test]
fn llama31_8b_config_json_gives_the_preset_shapes_and_count() {
    let parsed = parse_hf_config(LLAMA31_8B).unwrap();
    assert_eq!(
        parsed.model.architecture,
        ModelPreset::Llama31_8b.spec().architecture
    );
    assert_eq!(parsed.model.parameter_count().unwrap(), 8_030_261_248);
    assert_eq!(parsed.model.max_context, Some(131072));
    assert!(parsed.assumptions.iter().any(|a| a.contains("head_dim")));
}

#[test]
fn qwen2_config_json_gets_its_qkv_biases_from_the_model_type() {
    let parsed = parse_hf_config(QWEN25_7B).unwrap();
    assert_eq!(parsed.model.parameter_count().unwrap(), 7_615_616_512);
    assert_eq!(
        parsed.model.architecture,
        ModelPreset::Qwen25_7b.spec().architecture
    );
}

#[test]
fn missing_kv_heads_default_to_the_attention_heads() {
    let json = r#"{"num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32,
                   "intermediate_size": 11008, "vocab_size": 32000}"#;
    let parsed = parse_hf_config(json).unwrap();
    assert_eq!(parsed.model.parameter_count().unwrap(), 6_738_415_616);
    let c = parsed.model.transformer().unwrap();
    assert_eq!(c.num_kv_heads, 32);
    assert_eq!(c.head_dim, 128);
    assert_eq!(parsed.assumptions.len(), 3); // kv heads, head_dim, tie_word_embeddings
}

#[test]
fn text_config_nesting_is_read() {
    let json = r#"{"model_type": "llava", "text_config": {"num_hidden_layers": 32,
        "hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8,
        "intermediate_size": 14336, "vocab_size": 128256, "tie_word_embeddings": false}}"#;
    let parsed = parse_hf_config(json).unwrap();
    assert_eq!(parsed.model.parameter_count().unwrap(), 8_030_261_248);
}

#[test]
fn explicit_head_dim_is_respected() {
    // Gemma-style: head_dim × heads ≠ hidden_size.
    let json = r#"{"num_hidden_layers": 2, "hidden_size": 2048, "num_attention_heads": 8,
        "num_key_value_heads": 1, "head_dim": 256, "intermediate_size": 16384,
        "vocab_size": 256000, "tie_word_embeddings": true}"#;
    let c = parse_hf_config(json)
        .unwrap()
        .model
        .transformer()
        .cloned()
        .unwrap();
    assert_eq!(c.head_dim, 256);
    assert!(c.tie_word_embeddings);
}

#[test]
fn malformed_json_is_an_error_not_a_panic() {
    assert!(parse_err("{\"hidden_size\": 4096,").contains("not valid JSON"));
    assert!(parse_err("").contains("not valid JSON"));
    assert!(parse_err("[1, 2, 3]").contains("must be a JSON object"));
    assert!(parse_err("42").contains("must be a JSON object"));
}

#[test]
fn a_missing_field_is_named() {
    let json = r#"{"num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32,
                   "vocab_size": 32000}"#;
    let msg = parse_err(json);
    assert!(msg.contains("\"intermediate_size\" is missing"), "{msg}");
    assert!(parse_err("{}").contains("\"num_hidden_layers\" is missing"));
}

#[test]
fn wrong_types_and_values_are_named() {
    let base = |field: &str, value: &str| {
        let mut v: serde_json::Value = serde_json::from_str(LLAMA31_8B).unwrap();
        v[field] = serde_json::from_str(value).unwrap();
        parse_err(&v.to_string())
    };
    let msg = base("hidden_size", "\"4096\"");
    assert!(
        msg.contains("\"hidden_size\" must be a positive whole number"),
        "{msg}"
    );
    assert!(base("num_hidden_layers", "-32").contains("\"num_hidden_layers\""));
    assert!(base("vocab_size", "0").contains("\"vocab_size\" must be at least 1"));
    assert!(base("intermediate_size", "1.5").contains("\"intermediate_size\""));
    assert!(
        base("tie_word_embeddings", "\"no\"")
            .contains("\"tie_word_embeddings\" must be true or false")
    );
    assert!(base("num_key_value_heads", "7").contains("num_key_value_heads (7) must divide"));
    assert!(base("num_key_value_heads", "[8]").contains("a list"));
    // A whole number written as a float is fine.
    let mut v: serde_json::Value = serde_json::from_str(LLAMA31_8B).unwrap();
    v["hidden_size"] = serde_json::json!(4096.0);
    assert!(parse_hf_config(&v.to_string()).is_ok());
}

#[test]
fn head_dim_that_cannot_be_derived_is_an_error() {
    let json = r#"{"num_hidden_layers": 2, "hidden_size": 100, "num_attention_heads": 3,
        "intermediate_size": 10, "vocab_size": 10}"#;
    assert!(parse_err(json).contains("head_dim"));
}

#[test]
fn absurd_sizes_are_errors_not_panics() {
    let json = r#"{"num_hidden_layers": 18446744073709551615, "hidden_size": 18446744073709551615,
        "num_attention_heads": 1, "intermediate_size": 18446744073709551615,
        "vocab_size": 18446744073709551615}"#;
    assert!(parse_err(json).contains("64 bits"));
    let json = r#"{"num_hidden_layers": 1e300, "hidden_size": 4096, "num_attention_heads": 32,
        "intermediate_size": 1, "vocab_size": 1}"#;
    assert!(parse_err(json).contains("num_hidden_layers"));
}

#[test]
fn model_specs_survive_a_json_round_trip() {
    for p in ModelPreset::ALL {
        let spec = p.spec();
        let json = serde_json::to_string(&spec).unwrap();
        let back: ModelSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(back, spec);
    }
    let s = InferenceSettings::default();
    let back: InferenceSettings =
        serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    let t = TrainingSettings {
        method: TrainingMethod::Qlora {
            rank: 16,
            targets: LoraTargets::ALL_LINEAR,
            double_quant: true,
        },
        ..TrainingSettings::default()
    };
    let json = serde_json::to_string(&t).unwrap();
    assert!(json.contains("\"kind\":\"qlora\""), "{json}");
    let back: TrainingSettings = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
}
