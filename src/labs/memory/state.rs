//! The Memory lab's state: one serde struct, every field a URL parameter, and what it says
//! about the model, the settings and the target GPU. The computation is [`super::pipeline`].

use quantlab_core::memory::{
    AdamRecipe, GpuPreset, GpuSpec, KvCacheDtype, LinearModule, LoraTargets, ModelPreset,
    ModelSpec, Overhead, ParsedConfig, TrainingMethod, TrainingSettings, TransformerConfig,
    WeightFormat, inference::InferenceSettings,
};
use serde::{Deserialize, Serialize};

use crate::lang::Locale;
use crate::lang::fill::td_string;

/// Which unit the course's table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// Binary gibibytes, 1024³ bytes (the course's unit).
    #[default]
    Gib,
    /// Decimal gigabytes, 10⁹ bytes.
    Gb,
}

/// Where the model comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelSource {
    /// One of the core's presets.
    #[default]
    Preset,
    /// A parameter count only (weights and optimizer state; no KV cache or activations).
    Params,
    /// Full transformer shapes (typed in, or read from an uploaded `config.json`).
    Config,
}

/// Running or training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabMode {
    /// Weights + KV cache + activations + overhead.
    #[default]
    Inference,
    /// Weights + optimizer state + stored activations + overhead.
    Training,
}

/// How the overhead allowance is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OverheadKind {
    /// No allowance: the theoretical minimum.
    None,
    /// A fixed amount in GiB.
    #[default]
    Fixed,
    /// A percentage of the other items.
    Percent,
}

/// How the model is trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Full fine-tuning: every parameter trainable.
    #[default]
    Full,
    /// LoRA adapters on a frozen base.
    Lora,
    /// QLoRA: NF4 base + LoRA adapters.
    Qlora,
}

impl Method {
    /// Every method, in menu order.
    pub const ALL: [Method; 3] = [Method::Full, Method::Lora, Method::Qlora];

    /// The URL id.
    pub fn id(self) -> &'static str {
        match self {
            Method::Full => "full",
            Method::Lora => "lora",
            Method::Qlora => "qlora",
        }
    }

    /// The menu label in `locale`.
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Method::Full => td_string!(locale, memory.method_full),
            Method::Lora => td_string!(locale, memory.method_lora),
            Method::Qlora => td_string!(locale, memory.method_qlora),
        }
    }
}

/// Bytes of training state per trainable parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Optimizer {
    /// Mixed precision Adam: 2 + 4 + 2 + 4 + 4 = 16 B.
    #[default]
    Mixed,
    /// Mixed precision with fp32 gradients: 18 B.
    MixedFp32Grads,
    /// Pure fp32 Adam: 16 B.
    Fp32,
    /// Mixed precision with 8-bit Adam states: 10 B.
    Adam8bit,
}

impl Optimizer {
    /// Every recipe, in menu order.
    pub const ALL: [Optimizer; 4] = [
        Optimizer::Mixed,
        Optimizer::MixedFp32Grads,
        Optimizer::Fp32,
        Optimizer::Adam8bit,
    ];

    /// The URL id.
    pub fn id(self) -> &'static str {
        match self {
            Optimizer::Mixed => "mixed",
            Optimizer::MixedFp32Grads => "mixed-fp32-grads",
            Optimizer::Fp32 => "fp32",
            Optimizer::Adam8bit => "adam8bit",
        }
    }

    /// The menu label in `locale`.
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Optimizer::Mixed => td_string!(locale, memory.opt_mixed),
            Optimizer::MixedFp32Grads => td_string!(locale, memory.opt_mixed_fp32_grads),
            Optimizer::Fp32 => td_string!(locale, memory.opt_fp32),
            Optimizer::Adam8bit => td_string!(locale, memory.opt_adam8bit),
        }
    }

    /// The core's recipe.
    pub fn recipe(self) -> AdamRecipe {
        match self {
            Optimizer::Mixed => AdamRecipe::MIXED_PRECISION,
            Optimizer::MixedFp32Grads => AdamRecipe::MIXED_PRECISION_FP32_GRADS,
            Optimizer::Fp32 => AdamRecipe::FP32,
            Optimizer::Adam8bit => AdamRecipe::ADAM_8BIT,
        }
    }
}

/// Everything the Memory lab shows, as it appears in the URL (see `docs/url.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemoryLabState {
    /// Unit of the course's table.
    pub unit: Unit,
    /// Preset, parameter count or full config.
    pub source: ModelSource,
    /// The preset (when `source` is `preset`).
    pub preset: ModelPreset,
    /// Parameters in billions (when `source` is `params`).
    pub billions: f64,
    /// `num_hidden_layers`.
    pub layers: u64,
    /// `hidden_size`.
    pub hidden: u64,
    /// `num_attention_heads`.
    pub heads: u64,
    /// `num_key_value_heads`.
    pub kv_heads: u64,
    /// `head_dim`.
    pub head_dim: u64,
    /// `intermediate_size`.
    pub intermediate: u64,
    /// `vocab_size`.
    pub vocab: u64,
    /// `tie_word_embeddings`.
    pub tied: bool,
    /// Biases on q, k, v.
    pub qkv_bias: bool,
    /// Bias on o.
    pub o_bias: bool,
    /// Biases on the MLP.
    pub mlp_bias: bool,
    /// `max_position_embeddings` (0: unknown).
    pub max_pos: u64,
    /// Inference or training.
    pub mode: LabMode,
    /// Weight format (inference).
    pub weights: WeightFormat,
    /// KV cache dtype (inference).
    pub kv: KvCacheDtype,
    /// Context tokens per sequence (inference).
    pub context: u64,
    /// Sequences (inference).
    pub batch: u64,
    /// Overhead allowance kind.
    pub overhead: OverheadKind,
    /// Fixed overhead in GiB.
    pub overhead_gib: f64,
    /// Overhead as a percentage of the other items.
    pub overhead_pct: f64,
    /// Training method.
    pub method: Method,
    /// LoRA rank.
    pub rank: u64,
    /// LoRA target modules, comma-separated short names (`q,k,v,o,gate,up,down`).
    pub targets: String,
    /// Storage of LoRA's frozen base.
    pub lora_base: WeightFormat,
    /// QLoRA with double quantization.
    pub double_quant: bool,
    /// Optimizer state recipe.
    pub optimizer: Optimizer,
    /// Training sequence length.
    pub seq: u64,
    /// Training micro-batch.
    pub train_batch: u64,
    /// Gradient checkpointing.
    pub checkpointing: bool,
    /// GPU for the max-context answer.
    pub gpu: GpuPreset,
    /// How many of that GPU.
    pub gpus: u64,
}

impl Default for MemoryLabState {
    fn default() -> Self {
        let mut s = MemoryLabState {
            unit: Unit::Gib,
            source: ModelSource::Preset,
            preset: ModelPreset::Llama2_7b,
            billions: 7.0,
            layers: 0,
            hidden: 0,
            heads: 0,
            kv_heads: 0,
            head_dim: 0,
            intermediate: 0,
            vocab: 0,
            tied: false,
            qkv_bias: false,
            o_bias: false,
            mlp_bias: false,
            max_pos: 0,
            mode: LabMode::Inference,
            weights: WeightFormat::Fp16,
            kv: KvCacheDtype::Fp16,
            context: 4096,
            batch: 1,
            overhead: OverheadKind::Fixed,
            overhead_gib: 1.0,
            overhead_pct: 10.0,
            method: Method::Full,
            rank: 16,
            targets: targets_to_string(LoraTargets::ALL_LINEAR),
            lora_base: WeightFormat::Bf16,
            double_quant: true,
            optimizer: Optimizer::Mixed,
            seq: 2048,
            train_batch: 1,
            checkpointing: false,
            gpu: GpuPreset::Rtx4090,
            gpus: 1,
        };
        let llama = ModelPreset::Llama2_7b.spec();
        if let Some(c) = llama.transformer() {
            s.set_config(c, llama.max_context);
        }
        s
    }
}

/// `q,k,v` for q, k and v (layer order).
pub fn targets_to_string(t: LoraTargets) -> String {
    t.modules()
        .iter()
        .map(|m| m.short())
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses `q,k,v`; an unknown name is an error that lists the valid ones.
pub fn parse_targets(s: &str) -> Result<LoraTargets, String> {
    let mut modules = Vec::new();
    for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let m = LinearModule::ALL
            .into_iter()
            .find(|m| m.short().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!("unknown LoRA target module \"{name}\": use q, k, v, o, gate, up or down")
            })?;
        modules.push(m);
    }
    Ok(LoraTargets::from_modules(&modules))
}

impl MemoryLabState {
    /// Copies a config's shapes into the full-config fields.
    pub fn set_config(&mut self, c: &TransformerConfig, max_context: Option<u64>) {
        self.layers = c.num_layers;
        self.hidden = c.hidden_size;
        self.heads = c.num_attention_heads;
        self.kv_heads = c.num_kv_heads;
        self.head_dim = c.head_dim;
        self.intermediate = c.intermediate_size;
        self.vocab = c.vocab_size;
        self.tied = c.tie_word_embeddings;
        self.qkv_bias = c.qkv_bias;
        self.o_bias = c.o_bias;
        self.mlp_bias = c.mlp_bias;
        self.max_pos = max_context.unwrap_or(0);
    }

    /// Switches to the full-config source with the shapes of an uploaded `config.json`
    /// (so the link, which cannot hold the file, still reopens the same model).
    pub fn apply_upload(&mut self, parsed: &ParsedConfig) {
        if let Some(c) = parsed.model.transformer() {
            self.set_config(c, parsed.model.max_context);
            self.source = ModelSource::Config;
        }
    }

    /// Changes the model source; entering the full config from a preset starts from that
    /// preset's shapes.
    pub fn set_source(&mut self, source: ModelSource) {
        if source == ModelSource::Config && self.source == ModelSource::Preset {
            let spec = self.preset.spec();
            if let Some(c) = spec.transformer() {
                self.set_config(c, spec.max_context);
            }
        }
        self.source = source;
    }

    /// The full-config fields as a core config.
    pub fn transformer_config(&self) -> TransformerConfig {
        TransformerConfig {
            num_layers: self.layers,
            hidden_size: self.hidden,
            num_attention_heads: self.heads,
            num_kv_heads: self.kv_heads,
            head_dim: self.head_dim,
            intermediate_size: self.intermediate,
            vocab_size: self.vocab,
            tie_word_embeddings: self.tied,
            qkv_bias: self.qkv_bias,
            o_bias: self.o_bias,
            mlp_bias: self.mlp_bias,
        }
    }

    /// The model the state describes.
    pub fn model(&self) -> Result<ModelSpec, String> {
        match self.source {
            ModelSource::Preset => Ok(self.preset.spec()),
            ModelSource::Params => {
                ModelSpec::from_billions(self.billions).map_err(|e| e.to_string())
            }
            ModelSource::Config => {
                let mut m = ModelSpec::from_config("Custom config", self.transformer_config())
                    .map_err(|e| e.to_string())?;
                m.max_context = (self.max_pos > 0).then_some(self.max_pos);
                Ok(m)
            }
        }
    }

    /// The overhead allowance.
    pub fn overhead(&self) -> Overhead {
        match self.overhead {
            OverheadKind::None => Overhead::None,
            OverheadKind::Fixed => Overhead::Fixed {
                gib: self.overhead_gib,
            },
            OverheadKind::Percent => Overhead::Percent {
                percent: self.overhead_pct,
            },
        }
    }

    /// The core's inference settings.
    pub fn inference_settings(&self) -> InferenceSettings {
        InferenceSettings {
            weight_format: self.weights,
            kv_cache_dtype: self.kv,
            context_tokens: self.context,
            batch_size: self.batch,
            overhead: self.overhead(),
        }
    }

    /// The core's training settings.
    pub fn training_settings(&self) -> Result<TrainingSettings, String> {
        let targets = parse_targets(&self.targets)?;
        let method = match self.method {
            Method::Full => TrainingMethod::Full,
            Method::Lora => TrainingMethod::Lora {
                rank: self.rank,
                targets,
                base_format: self.lora_base,
            },
            Method::Qlora => TrainingMethod::Qlora {
                rank: self.rank,
                targets,
                double_quant: self.double_quant,
            },
        };
        Ok(TrainingSettings {
            method,
            optimizer: self.optimizer.recipe(),
            sequence_length: self.seq,
            batch_size: self.train_batch,
            gradient_checkpointing: self.checkpointing,
            overhead: self.overhead(),
        })
    }

    /// The chosen GPU and the memory `gpus` of them offer (Macs are never combined).
    pub fn target_gpu(&self) -> (GpuSpec, u64, u64) {
        let gpu = self.gpu.spec();
        let count = if gpu.combinable { self.gpus.max(1) } else { 1 };
        let available = gpu.usable_bytes.saturating_mul(count);
        (gpu, count, available)
    }
}
