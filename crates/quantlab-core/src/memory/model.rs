//! Model descriptions: a decoder-only transformer's shapes, or just a parameter count;
//! the presets; and the parameter count computed from the shapes.

use serde::{Deserialize, Serialize};

use super::units::format_count;
use crate::error::{QuantError, Result};

/// The shapes of a decoder-only transformer (Llama family: RMSNorm, rotary positions, gated
/// MLP with three matrices), named after the Hugging Face `config.json` fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransformerConfig {
    /// Decoder layers (`num_hidden_layers`).
    pub num_layers: u64,
    /// Width of the residual stream (`hidden_size`).
    pub hidden_size: u64,
    /// Query heads (`num_attention_heads`).
    pub num_attention_heads: u64,
    /// Key/value heads (`num_key_value_heads`); fewer than the query heads is grouped-query
    /// attention (GQA), equal is multi-head attention.
    pub num_kv_heads: u64,
    /// Width of one head (`head_dim`, usually `hidden_size / num_attention_heads`).
    pub head_dim: u64,
    /// Width of the gated MLP (`intermediate_size`).
    pub intermediate_size: u64,
    /// Tokens in the vocabulary (`vocab_size`).
    pub vocab_size: u64,
    /// Whether the output projection (`lm_head`) shares the embedding matrix.
    pub tie_word_embeddings: bool,
    /// Biases on the q, k and v projections (Qwen2 has them).
    #[serde(default)]
    pub qkv_bias: bool,
    /// A bias on the attention output projection.
    #[serde(default)]
    pub o_bias: bool,
    /// Biases on the three MLP projections.
    #[serde(default)]
    pub mlp_bias: bool,
}

impl TransformerConfig {
    /// A config without biases, with `head_dim = hidden_size / num_attention_heads`.
    /// Call [`TransformerConfig::validate`] (or any estimate, which does) before trusting it.
    pub fn new(
        num_layers: u64,
        hidden_size: u64,
        num_attention_heads: u64,
        num_kv_heads: u64,
        intermediate_size: u64,
        vocab_size: u64,
        tie_word_embeddings: bool,
    ) -> Self {
        TransformerConfig {
            num_layers,
            hidden_size,
            num_attention_heads,
            num_kv_heads,
            head_dim: hidden_size.checked_div(num_attention_heads).unwrap_or(0),
            intermediate_size,
            vocab_size,
            tie_word_embeddings,
            qkv_bias: false,
            o_bias: false,
            mlp_bias: false,
        }
    }

    /// Checks that every dimension is at least 1, that the KV heads divide the query heads
    /// (GQA shares each KV head among `heads / kv_heads` query heads) and that the parameter
    /// count fits in 64 bits. The message names the offending field.
    pub fn validate(&self) -> Result<()> {
        let fields = [
            ("num_hidden_layers", self.num_layers),
            ("hidden_size", self.hidden_size),
            ("num_attention_heads", self.num_attention_heads),
            ("num_key_value_heads", self.num_kv_heads),
            ("head_dim", self.head_dim),
            ("intermediate_size", self.intermediate_size),
            ("vocab_size", self.vocab_size),
        ];
        for (name, value) in fields {
            if value == 0 {
                return Err(QuantError::InvalidParameter(format!(
                    "{name} must be at least 1, got 0"
                )));
            }
        }
        if self.num_kv_heads > self.num_attention_heads
            || !self.num_attention_heads.is_multiple_of(self.num_kv_heads)
        {
            return Err(QuantError::InvalidParameter(format!(
                "num_key_value_heads ({}) must divide num_attention_heads ({})",
                self.num_kv_heads, self.num_attention_heads
            )));
        }
        self.counts().map(|_| ())
    }

    /// The seven linear projections of one decoder layer as `(module, d_in, d_out)`
    /// (what LoRA can adapt).
    pub fn linear_shapes(&self) -> [(LinearModule, u64, u64); 7] {
        let h = self.hidden_size;
        let q = self.num_attention_heads.saturating_mul(self.head_dim);
        let kv = self.num_kv_heads.saturating_mul(self.head_dim);
        let i = self.intermediate_size;
        [
            (LinearModule::Q, h, q),
            (LinearModule::K, h, kv),
            (LinearModule::V, h, kv),
            (LinearModule::O, q, h),
            (LinearModule::Gate, h, i),
            (LinearModule::Up, h, i),
            (LinearModule::Down, i, h),
        ]
    }

    /// The parameter count, itemised, with checked integer arithmetic.
    pub fn parameter_breakdown(&self) -> Result<ParameterBreakdown> {
        self.validate()?;
        self.counts()
    }

    fn counts(&self) -> Result<ParameterBreakdown> {
        let overflow = || {
            QuantError::InvalidParameter(
                "the parameter count does not fit in 64 bits: check the config's sizes".into(),
            )
        };
        let mul = |a: u64, b: u64| a.checked_mul(b).ok_or_else(overflow);
        let add = |a: u64, b: u64| a.checked_add(b).ok_or_else(overflow);
        let (l, h, v) = (self.num_layers, self.hidden_size, self.vocab_size);
        let (nh, nkv, d, i) = (
            self.num_attention_heads,
            self.num_kv_heads,
            self.head_dim,
            self.intermediate_size,
        );
        let q = mul(nh, d)?;
        let kv = mul(nkv, d)?;

        let embed = mul(v, h)?;
        // Attention matrices of one layer.
        let attn_w = add(add(mul(h, q)?, mul(mul(h, kv)?, 2)?)?, mul(q, h)?)?;
        let mut attn_b = 0u64;
        let mut bias_text = String::new();
        if self.qkv_bias {
            attn_b = add(q, mul(kv, 2)?)?;
            bias_text.push_str(&format!(" + q,k,v biases {q} + {kv} + {kv}"));
        }
        if self.o_bias {
            attn_b = add(attn_b, h)?;
            bias_text.push_str(&format!(" + o bias {h}"));
        }
        let attn = mul(l, add(attn_w, attn_b)?)?;
        let mlp_w = mul(mul(h, i)?, 3)?;
        let mlp_b = if self.mlp_bias {
            add(mul(i, 2)?, h)?
        } else {
            0
        };
        let mlp = mul(l, add(mlp_w, mlp_b)?)?;
        let norms = add(mul(l, mul(h, 2)?)?, h)?;
        let lm_head = if self.tie_word_embeddings { 0 } else { embed };

        let mut items = vec![
            ParameterItem {
                label: "token embeddings".into(),
                count: embed,
                formula: format!("{v} vocab · {h} hidden = {}", format_count(embed)),
            },
            ParameterItem {
                label: "attention (q, k, v, o)".into(),
                count: attn,
                formula: format!(
                    "{l} layers · (q {h}·{q} + k {h}·{kv} + v {h}·{kv} + o {q}·{h}{bias_text}) = {}",
                    format_count(attn)
                ),
            },
            ParameterItem {
                label: "MLP (gate, up, down)".into(),
                count: mlp,
                formula: if self.mlp_bias {
                    format!(
                        "{l} layers · (3 · {h}·{i} + biases 2·{i} + {h}) = {}",
                        format_count(mlp)
                    )
                } else {
                    format!("{l} layers · 3 · {h}·{i} = {}", format_count(mlp))
                },
            },
            ParameterItem {
                label: "norms (RMSNorm weights)".into(),
                count: norms,
                formula: format!("{l} layers · 2 · {h} + final {h} = {}", format_count(norms)),
            },
        ];
        items.push(ParameterItem {
            label: "output projection (lm_head)".into(),
            count: lm_head,
            formula: if self.tie_word_embeddings {
                "tied to the token embeddings: 0 extra".into()
            } else {
                format!("{v} vocab · {h} hidden = {}", format_count(lm_head))
            },
        });
        let total = items.iter().try_fold(0u64, |acc, it| add(acc, it.count))?;
        let linear_in_layers = mul(l, add(attn_w, mlp_w)?)?;
        Ok(ParameterBreakdown {
            items,
            total,
            linear_in_layers,
        })
    }

    /// Elements the KV cache holds per token of one sequence:
    /// `2 · layers · kv_heads · head_dim` (the 2 is one key and one value per head).
    pub fn kv_elements_per_token(&self) -> f64 {
        2.0 * self.num_layers as f64 * self.num_kv_heads as f64 * self.head_dim as f64
    }
}

/// One of the seven linear projections in a decoder layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinearModule {
    /// Query projection, `hidden → heads·head_dim`.
    Q,
    /// Key projection, `hidden → kv_heads·head_dim`.
    K,
    /// Value projection, `hidden → kv_heads·head_dim`.
    V,
    /// Attention output projection, `heads·head_dim → hidden`.
    O,
    /// MLP gate projection, `hidden → intermediate`.
    Gate,
    /// MLP up projection, `hidden → intermediate`.
    Up,
    /// MLP down projection, `intermediate → hidden`.
    Down,
}

impl LinearModule {
    /// The seven projections in layer order.
    pub const ALL: [LinearModule; 7] = [
        LinearModule::Q,
        LinearModule::K,
        LinearModule::V,
        LinearModule::O,
        LinearModule::Gate,
        LinearModule::Up,
        LinearModule::Down,
    ];

    /// Short name as in PEFT's `target_modules` (`q_proj` → `"q"`).
    pub fn short(self) -> &'static str {
        match self {
            LinearModule::Q => "q",
            LinearModule::K => "k",
            LinearModule::V => "v",
            LinearModule::O => "o",
            LinearModule::Gate => "gate",
            LinearModule::Up => "up",
            LinearModule::Down => "down",
        }
    }
}

/// One line of a parameter count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterItem {
    /// What is counted.
    pub label: String,
    /// How many parameters.
    pub count: u64,
    /// The formula with the config's values substituted.
    pub formula: String,
}

/// A parameter count, itemised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterBreakdown {
    /// Embeddings, attention, MLP, norms, lm_head (or the given count).
    pub items: Vec<ParameterItem>,
    /// Sum of the items.
    pub total: u64,
    /// Weights of the seven linear projections of all layers (what QLoRA stores in NF4);
    /// 0 for a model given by parameter count.
    pub linear_in_layers: u64,
}

/// What the model is, as far as memory is concerned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Architecture {
    /// A decoder-only transformer with known shapes: everything can be estimated.
    Transformer(TransformerConfig),
    /// Only a parameter count: weights and optimizer state can be estimated, the KV cache
    /// and activations cannot.
    ParameterCount {
        /// Number of parameters.
        parameters: u64,
        /// Whether the model would have a KV cache (a language model given by count: true,
        /// the cache is then reported as unknown); a vision model such as ResNet-50: false.
        has_kv_cache: bool,
    },
}

/// A model: a name, its architecture, and what is published about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Kebab-case id: a preset's id, `"custom"` or `"config-json"`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Shapes or count.
    pub architecture: Architecture,
    /// The parameter count its authors publish (e.g. 6.74 B for Llama-2-7B), when known.
    pub published_parameters: Option<u64>,
    /// Longest context the model was configured for (`max_position_embeddings`), if known.
    pub max_context: Option<u64>,
    /// Where the numbers come from.
    pub source: String,
}

impl ModelSpec {
    /// A custom model known only by its parameter count (a language model: the KV cache is
    /// reported as unknown). Errors on 0.
    pub fn from_parameter_count(parameters: u64) -> Result<Self> {
        if parameters == 0 {
            return Err(QuantError::InvalidParameter(
                "the parameter count must be at least 1".into(),
            ));
        }
        Ok(ModelSpec {
            id: "custom".into(),
            name: format!("Custom ({} parameters)", format_count(parameters)),
            architecture: Architecture::ParameterCount {
                parameters,
                has_kv_cache: true,
            },
            published_parameters: None,
            max_context: None,
            source: "entered by hand".into(),
        })
    }

    /// A custom model from a count in billions (`7.0` → 7,000,000,000 parameters).
    /// Errors on NaN, infinities, zero, negatives and anything above 10⁹ billion.
    pub fn from_billions(billions: f64) -> Result<Self> {
        if !billions.is_finite() || billions <= 0.0 || billions > 1e9 {
            return Err(QuantError::InvalidParameter(format!(
                "the model size must be a number of billions between 0 and 1,000,000,000, got {billions}"
            )));
        }
        Self::from_parameter_count((billions * 1e9).round().max(1.0) as u64)
    }

    /// A custom model from full shapes; validates them.
    pub fn from_config(name: impl Into<String>, config: TransformerConfig) -> Result<Self> {
        config.validate()?;
        Ok(ModelSpec {
            id: "custom".into(),
            name: name.into(),
            architecture: Architecture::Transformer(config),
            published_parameters: None,
            max_context: None,
            source: "entered by hand".into(),
        })
    }

    /// The transformer shapes, if known.
    pub fn transformer(&self) -> Option<&TransformerConfig> {
        match &self.architecture {
            Architecture::Transformer(c) => Some(c),
            Architecture::ParameterCount { .. } => None,
        }
    }

    /// Whether inference keeps a KV cache (transformers and language models given by count).
    pub fn has_kv_cache(&self) -> bool {
        match &self.architecture {
            Architecture::Transformer(_) => true,
            Architecture::ParameterCount { has_kv_cache, .. } => *has_kv_cache,
        }
    }

    /// The parameter count, itemised (computed from the shapes, or the given count).
    pub fn parameter_breakdown(&self) -> Result<ParameterBreakdown> {
        match &self.architecture {
            Architecture::Transformer(c) => c.parameter_breakdown(),
            Architecture::ParameterCount { parameters, .. } => {
                if *parameters == 0 {
                    return Err(QuantError::InvalidParameter(
                        "the parameter count must be at least 1".into(),
                    ));
                }
                Ok(ParameterBreakdown {
                    items: vec![ParameterItem {
                        label: "parameters (given)".into(),
                        count: *parameters,
                        formula: format!("{} parameters", format_count(*parameters)),
                    }],
                    total: *parameters,
                    linear_in_layers: 0,
                })
            }
        }
    }

    /// The total parameter count.
    pub fn parameter_count(&self) -> Result<u64> {
        self.parameter_breakdown().map(|b| b.total)
    }
}

/// The models the calculator ships with, from their published `config.json` files.
/// Serialized as its [`id`](ModelPreset::id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelPreset {
    /// `meta-llama/Llama-2-7b-hf`.
    Llama2_7b,
    /// `meta-llama/Llama-2-13b-hf`.
    Llama2_13b,
    /// `meta-llama/Llama-2-70b-hf`.
    Llama2_70b,
    /// `meta-llama/Llama-3.1-8B`.
    Llama31_8b,
    /// `meta-llama/Llama-3.1-70B`.
    Llama31_70b,
    /// `mistralai/Mistral-7B-v0.1`.
    #[serde(rename = "mistral-7b")]
    Mistral7b,
    /// `Qwen/Qwen2.5-7B`.
    Qwen25_7b,
    /// `microsoft/Phi-3-mini-4k-instruct`.
    Phi3Mini,
    /// torchvision `resnet50` (ImageNet), a vision model without a KV cache.
    Resnet50,
}

impl ModelPreset {
    /// Every preset, in menu order.
    pub const ALL: [ModelPreset; 9] = [
        ModelPreset::Llama2_7b,
        ModelPreset::Llama2_13b,
        ModelPreset::Llama2_70b,
        ModelPreset::Llama31_8b,
        ModelPreset::Llama31_70b,
        ModelPreset::Mistral7b,
        ModelPreset::Qwen25_7b,
        ModelPreset::Phi3Mini,
        ModelPreset::Resnet50,
    ];

    /// The kebab-case id used in URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            ModelPreset::Llama2_7b => "llama2-7b",
            ModelPreset::Llama2_13b => "llama2-13b",
            ModelPreset::Llama2_70b => "llama2-70b",
            ModelPreset::Llama31_8b => "llama31-8b",
            ModelPreset::Llama31_70b => "llama31-70b",
            ModelPreset::Mistral7b => "mistral-7b",
            ModelPreset::Qwen25_7b => "qwen25-7b",
            ModelPreset::Phi3Mini => "phi3-mini",
            ModelPreset::Resnet50 => "resnet50",
        }
    }

    /// The preset with this id, if any.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The full description.
    ///
    /// Shapes are those of the published `config.json` (Hugging Face model pages); the
    /// published counts are the model cards' and papers' headline figures. Notes:
    /// - Mistral-7B-v0.1 declares `max_position_embeddings` 32768 and a sliding window of
    ///   4096; a rolling-buffer cache would stop growing at 4096 tokens, the estimate here
    ///   keeps the full cache (what most runtimes allocate).
    /// - Phi-3-mini fuses q/k/v into one `qkv_proj` and gate/up into `gate_up_proj`; the
    ///   counts are the same as separate matrices.
    /// - ResNet-50: torchvision's 25,557,032 parameters (25.6 M).
    pub fn spec(self) -> ModelSpec {
        let t = |layers, hidden, heads, kv, inter, vocab| TransformerConfig {
            num_layers: layers,
            hidden_size: hidden,
            num_attention_heads: heads,
            num_kv_heads: kv,
            head_dim: hidden / heads,
            intermediate_size: inter,
            vocab_size: vocab,
            tie_word_embeddings: false,
            qkv_bias: false,
            o_bias: false,
            mlp_bias: false,
        };
        let (name, arch, published, max_ctx, source): (&str, Architecture, u64, Option<u64>, &str) =
            match self {
                ModelPreset::Llama2_7b => (
                    "Llama-2 7B",
                    Architecture::Transformer(t(32, 4096, 32, 32, 11008, 32000)),
                    6_740_000_000,
                    Some(4096),
                    "meta-llama/Llama-2-7b-hf config.json",
                ),
                ModelPreset::Llama2_13b => (
                    "Llama-2 13B",
                    Architecture::Transformer(t(40, 5120, 40, 40, 13824, 32000)),
                    13_000_000_000,
                    Some(4096),
                    "meta-llama/Llama-2-13b-hf config.json",
                ),
                ModelPreset::Llama2_70b => (
                    "Llama-2 70B",
                    Architecture::Transformer(t(80, 8192, 64, 8, 28672, 32000)),
                    69_000_000_000,
                    Some(4096),
                    "meta-llama/Llama-2-70b-hf config.json",
                ),
                ModelPreset::Llama31_8b => (
                    "Llama-3.1 8B",
                    Architecture::Transformer(t(32, 4096, 32, 8, 14336, 128256)),
                    8_030_000_000,
                    Some(131072),
                    "meta-llama/Llama-3.1-8B config.json",
                ),
                ModelPreset::Llama31_70b => (
                    "Llama-3.1 70B",
                    Architecture::Transformer(t(80, 8192, 64, 8, 28672, 128256)),
                    70_600_000_000,
                    Some(131072),
                    "meta-llama/Llama-3.1-70B config.json",
                ),
                ModelPreset::Mistral7b => (
                    "Mistral 7B (v0.1)",
                    Architecture::Transformer(t(32, 4096, 32, 8, 14336, 32000)),
                    7_240_000_000,
                    Some(32768),
                    "mistralai/Mistral-7B-v0.1 config.json",
                ),
                ModelPreset::Qwen25_7b => (
                    "Qwen2.5 7B",
                    Architecture::Transformer(TransformerConfig {
                        qkv_bias: true,
                        ..t(28, 3584, 28, 4, 18944, 152064)
                    }),
                    7_620_000_000,
                    Some(131072),
                    "Qwen/Qwen2.5-7B config.json (q, k, v projections have biases)",
                ),
                ModelPreset::Phi3Mini => (
                    "Phi-3-mini (3.8B)",
                    Architecture::Transformer(t(32, 3072, 32, 32, 8192, 32064)),
                    3_820_000_000,
                    Some(4096),
                    "microsoft/Phi-3-mini-4k-instruct config.json",
                ),
                ModelPreset::Resnet50 => (
                    "ResNet-50",
                    Architecture::ParameterCount {
                        parameters: 25_557_032,
                        has_kv_cache: false,
                    },
                    25_600_000,
                    None,
                    "torchvision resnet50 (vision model: no KV cache)",
                ),
            };
        ModelSpec {
            id: self.id().into(),
            name: name.into(),
            architecture: arch,
            published_parameters: Some(published),
            max_context: max_ctx,
            source: source.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_serde_names_are_the_ids() {
        for p in ModelPreset::ALL {
            let json = serde_json::to_value(p).ok();
            assert_eq!(json, Some(serde_json::Value::from(p.id())), "{p:?}");
            assert_eq!(
                serde_json::from_value::<ModelPreset>(p.id().into()).ok(),
                Some(p)
            );
        }
    }
}
