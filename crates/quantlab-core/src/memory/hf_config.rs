//! Reading an uploaded Hugging Face `config.json`.
//!
//! Fields read (at the top level, or inside `text_config` for multimodal checkpoints that
//! nest their language model there):
//!
//! | field | required | default |
//! |---|---|---|
//! | `num_hidden_layers` | yes | |
//! | `hidden_size` | yes | |
//! | `num_attention_heads` | yes | |
//! | `num_key_value_heads` | no | `num_attention_heads` (multi-head attention) |
//! | `head_dim` | no | `hidden_size / num_attention_heads` |
//! | `intermediate_size` | yes | |
//! | `vocab_size` | yes | |
//! | `tie_word_embeddings` | no | `false` (the Llama, Mistral, Qwen2 and Phi-3 default) |
//! | `attention_bias` | no | `true` for `model_type` `qwen2`, else `false` |
//! | `mlp_bias` | no | `false` |
//! | `max_position_embeddings` | no | unknown |
//!
//! Every default that was applied is reported in [`ParsedConfig::assumptions`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::model::{Architecture, ModelSpec, TransformerConfig};
use crate::error::{QuantError, Result};

/// A model read from `config.json`, with the defaults that had to be assumed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedConfig {
    /// The model, validated.
    pub model: ModelSpec,
    /// One sentence per default applied (e.g. "num_key_value_heads absent: assumed 32").
    pub assumptions: Vec<String>,
}

fn invalid(msg: String) -> QuantError {
    QuantError::InvalidParameter(msg)
}

/// Reads a positive integer field; `Ok(None)` when absent or `null`.
fn positive(obj: &Map<String, Value>, key: &str) -> Result<Option<u64>> {
    let v = match obj.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let n = match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                u
            } else if n.as_i64().is_some() {
                return Err(invalid(format!(
                    "config.json: \"{key}\" must be a positive whole number, found {n}"
                )));
            } else {
                // A float: accept it only when it is a whole number that fits.
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.is_finite() && f >= 1.0 && f.fract() == 0.0 && f < 1.8e19 {
                    f as u64
                } else {
                    return Err(invalid(format!(
                        "config.json: \"{key}\" must be a positive whole number, found {n}"
                    )));
                }
            }
        }
        other => {
            return Err(invalid(format!(
                "config.json: \"{key}\" must be a positive whole number, found {}",
                describe(other)
            )));
        }
    };
    if n == 0 {
        return Err(invalid(format!(
            "config.json: \"{key}\" must be at least 1, found 0"
        )));
    }
    Ok(Some(n))
}

fn required(obj: &Map<String, Value>, key: &str) -> Result<u64> {
    positive(obj, key)?.ok_or_else(|| {
        invalid(format!(
            "config.json: the field \"{key}\" is missing (it is needed to compute the model's size)"
        ))
    })
}

fn boolean(obj: &Map<String, Value>, key: &str) -> Result<Option<bool>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(invalid(format!(
            "config.json: \"{key}\" must be true or false, found {}",
            describe(other)
        ))),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let short: String = s.chars().take(40).collect();
            format!("the text \"{short}\"")
        }
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Parses a Hugging Face `config.json` into a validated [`ModelSpec`].
///
/// Malformed JSON, a missing required field, a wrong type, a zero, a negative or a
/// fraction is an [`QuantError::InvalidParameter`] whose message names the field.
pub fn parse_hf_config(json: &str) -> Result<ParsedConfig> {
    let root: Value = serde_json::from_str(json).map_err(|e| {
        invalid(format!(
            "config.json is not valid JSON: {e} (expected an object like {{\"hidden_size\": 4096, ...}})"
        ))
    })?;
    let top = root.as_object().ok_or_else(|| {
        invalid(format!(
            "config.json must be a JSON object, found {}",
            describe(&root)
        ))
    })?;
    let mut assumptions = Vec::new();
    // Multimodal checkpoints (Llava, Gemma 3, Mllama…) nest the language model.
    let obj = if top.contains_key("num_hidden_layers") {
        top
    } else if let Some(Value::Object(text)) = top.get("text_config") {
        assumptions.push("read the language model from \"text_config\"".to_string());
        text
    } else {
        top
    };

    let num_layers = required(obj, "num_hidden_layers")?;
    let hidden_size = required(obj, "hidden_size")?;
    let heads = required(obj, "num_attention_heads")?;
    let kv_heads = match positive(obj, "num_key_value_heads")? {
        Some(k) => k,
        None => {
            assumptions.push(format!(
                "num_key_value_heads absent: assumed {heads} (= num_attention_heads, multi-head attention)"
            ));
            heads
        }
    };
    let head_dim = match positive(obj, "head_dim")? {
        Some(d) => d,
        None => {
            if !hidden_size.is_multiple_of(heads) {
                return Err(invalid(format!(
                    "config.json: \"head_dim\" is missing and hidden_size ({hidden_size}) is not divisible by num_attention_heads ({heads})"
                )));
            }
            let d = hidden_size / heads;
            assumptions.push(format!(
                "head_dim absent: assumed {d} (= hidden_size / num_attention_heads)"
            ));
            d
        }
    };
    let intermediate_size = required(obj, "intermediate_size")?;
    let vocab_size = required(obj, "vocab_size")?;
    let tie = match boolean(obj, "tie_word_embeddings")?.or(boolean(top, "tie_word_embeddings")?) {
        Some(b) => b,
        None => {
            assumptions.push(
                "tie_word_embeddings absent: assumed false (separate lm_head, the Llama/Mistral/Qwen2/Phi-3 default)"
                    .to_string(),
            );
            false
        }
    };
    let model_type = obj
        .get("model_type")
        .or_else(|| top.get("model_type"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let attention_bias = boolean(obj, "attention_bias")?;
    let (qkv_bias, o_bias) = match attention_bias {
        Some(b) => (b, b),
        None if model_type == "qwen2" => {
            assumptions.push("model_type qwen2: q, k and v projections have biases".to_string());
            (true, false)
        }
        None => (false, false),
    };
    let mlp_bias = boolean(obj, "mlp_bias")?.unwrap_or(false);
    let max_context = positive(obj, "max_position_embeddings")?;

    let config = TransformerConfig {
        num_layers,
        hidden_size,
        num_attention_heads: heads,
        num_kv_heads: kv_heads,
        head_dim,
        intermediate_size,
        vocab_size,
        tie_word_embeddings: tie,
        qkv_bias,
        o_bias,
        mlp_bias,
    };
    config.validate()?;
    let name = top
        .get("_name_or_path")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            if model_type.is_empty() {
                "Uploaded config.json".to_string()
            } else {
                format!("Uploaded config.json ({model_type})")
            }
        });
    Ok(ParsedConfig {
        model: ModelSpec {
            id: "config-json".into(),
            name,
            architecture: Architecture::Transformer(config),
            published_parameters: None,
            max_context,
            source: "uploaded config.json".into(),
        },
        assumptions,
    })
}
