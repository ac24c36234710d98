//! Training: full fine-tuning with Adam in mixed precision, LoRA and QLoRA, with or without
//! gradient checkpointing.
//!
//! ## State per trainable parameter ([`AdamRecipe`])
//!
//! The default, [`AdamRecipe::MIXED_PRECISION`], is the classic mixed-precision Adam setup
//! (Micikevicius et al. 2018; the ZeRO paper's "2 + 2 + 12" accounting):
//! bf16/fp16 working weights **2 B** + fp32 master weights **4 B** + 16-bit gradients
//! **2 B** + Adam's first moment `m` in fp32 **4 B** + second moment `v` in fp32 **4 B**
//! = **16 B per parameter**. Frameworks that keep fp32 gradients (PyTorch AMP with fp32
//! parameters) use 18 B; pure fp32 training uses 4 + 4 + 4 + 4 = 16 B; 8-bit Adam stores
//! `m` and `v` in one byte each (10 B).
//!
//! ## Activations stored for the backward pass
//!
//! Per token and per decoder layer, the tensors autograd keeps (Llama-style layer, no
//! dropout, FlashAttention so no `context × context` matrix is stored):
//!
//! - attention block: the layer input `h` and its normalised copy `h` (RMSNorm and q/k/v
//!   inputs), q `heads·head_dim`, k and v `kv_heads·head_dim` each, the attention output
//!   `heads·head_dim` (input of o);
//! - MLP block: its input `h` and normalised copy `h`, gate `i`, up `i`, SiLU(gate) `i`
//!   and the product fed to down `i`.
//!
//! `E = 4·h + 2·heads·head_dim + 2·kv_heads·head_dim + 4·i` elements, each of `act_bytes`
//! (2 in mixed precision, 4 in pure fp32 training). Without checkpointing:
//! `layers · batch · seq · E · act_bytes`. With gradient checkpointing (one checkpoint per
//! layer, as Hugging Face does), only each layer's input is kept,
//! `layers · batch · seq · h · act_bytes`, plus one layer's full set `batch · seq · E ·
//! act_bytes` alive while it is recomputed during backward.
//!
//! The **logits** for the loss are kept for every position in fp32: `batch · seq · vocab ·
//! 4 B` (the largest single tensor for big vocabularies).
//!
//! LoRA and QLoRA still store these activations (the gradient must flow back through the
//! frozen layers to reach every adapter); the adapters' own rank-sized activations are
//! negligible and not counted.

use serde::{Deserialize, Serialize};

use super::breakdown::{ItemKind, MemoryBreakdown, MemoryItem, Overhead};
use super::format::WeightFormat;
use super::inference::push_overhead;
use super::model::{LinearModule, ModelSpec, TransformerConfig};
use super::units::{format_count, format_decimal};
use crate::error::{QuantError, Result};

/// Bytes of training state per **trainable** parameter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdamRecipe {
    /// Working copy used in forward and backward (2 for bf16/fp16, 4 for fp32).
    pub weights: f64,
    /// fp32 master copy the optimizer updates (4, or 0 when the working copy is fp32).
    pub master_weights: f64,
    /// Gradients (2 for 16-bit, 4 for fp32).
    pub gradients: f64,
    /// Adam's first moment `m` (4 for fp32, 1 for 8-bit Adam).
    pub adam_m: f64,
    /// Adam's second moment `v` (4 for fp32, 1 for 8-bit Adam).
    pub adam_v: f64,
}

impl AdamRecipe {
    /// Mixed precision: 2 + 4 + 2 + 4 + 4 = 16 B per parameter (the default).
    pub const MIXED_PRECISION: AdamRecipe = AdamRecipe {
        weights: 2.0,
        master_weights: 4.0,
        gradients: 2.0,
        adam_m: 4.0,
        adam_v: 4.0,
    };
    /// Mixed precision with fp32 gradients: 2 + 4 + 4 + 4 + 4 = 18 B per parameter.
    pub const MIXED_PRECISION_FP32_GRADS: AdamRecipe = AdamRecipe {
        gradients: 4.0,
        ..AdamRecipe::MIXED_PRECISION
    };
    /// Pure fp32: 4 + 0 + 4 + 4 + 4 = 16 B per parameter.
    pub const FP32: AdamRecipe = AdamRecipe {
        weights: 4.0,
        master_weights: 0.0,
        gradients: 4.0,
        adam_m: 4.0,
        adam_v: 4.0,
    };
    /// Mixed precision with 8-bit Adam states: 2 + 4 + 2 + 1 + 1 = 10 B per parameter.
    pub const ADAM_8BIT: AdamRecipe = AdamRecipe {
        adam_m: 1.0,
        adam_v: 1.0,
        ..AdamRecipe::MIXED_PRECISION
    };

    /// Total bytes per trainable parameter (16 for [`AdamRecipe::MIXED_PRECISION`]).
    pub fn bytes_per_parameter(self) -> f64 {
        self.weights + self.master_weights + self.gradients + self.adam_m + self.adam_v
    }

    /// `"2 + 4 + 2 + 4 + 4 = 16 B"`.
    pub fn formula(self) -> String {
        let parts = [
            self.weights,
            self.master_weights,
            self.gradients,
            self.adam_m,
            self.adam_v,
        ]
        .map(format_decimal);
        format!(
            "{} = {} B",
            parts.join(" + "),
            format_decimal(self.bytes_per_parameter())
        )
    }

    /// Each figure must be finite, between 0 and 16 bytes, and the working weights > 0.
    pub fn validate(self) -> Result<()> {
        let fields = [
            ("weights", self.weights),
            ("master weights", self.master_weights),
            ("gradients", self.gradients),
            ("Adam m", self.adam_m),
            ("Adam v", self.adam_v),
        ];
        for (name, v) in fields {
            if !v.is_finite() || !(0.0..=16.0).contains(&v) {
                return Err(QuantError::InvalidParameter(format!(
                    "bytes per parameter for {name} must be between 0 and 16, got {v}"
                )));
            }
        }
        if self.weights <= 0.0 {
            return Err(QuantError::InvalidParameter(
                "the working weights need more than 0 bytes per parameter".into(),
            ));
        }
        Ok(())
    }
}

impl Default for AdamRecipe {
    fn default() -> Self {
        AdamRecipe::MIXED_PRECISION
    }
}

/// Which of a layer's seven linear projections get a LoRA adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LoraTargets {
    /// Query projection.
    pub q: bool,
    /// Key projection.
    pub k: bool,
    /// Value projection.
    pub v: bool,
    /// Attention output projection.
    pub o: bool,
    /// MLP gate projection.
    pub gate: bool,
    /// MLP up projection.
    pub up: bool,
    /// MLP down projection.
    pub down: bool,
}

impl LoraTargets {
    /// q and v only (the original LoRA paper's choice; PEFT's default for Llama).
    pub const QV: LoraTargets = LoraTargets {
        q: true,
        k: false,
        v: true,
        o: false,
        gate: false,
        up: false,
        down: false,
    };
    /// q, k, v and o.
    pub const ATTENTION: LoraTargets = LoraTargets {
        q: true,
        k: true,
        v: true,
        o: true,
        gate: false,
        up: false,
        down: false,
    };
    /// All seven linear projections (the QLoRA paper's choice).
    pub const ALL_LINEAR: LoraTargets = LoraTargets {
        q: true,
        k: true,
        v: true,
        o: true,
        gate: true,
        up: true,
        down: true,
    };

    /// The adapted projections, in layer order.
    pub fn modules(self) -> Vec<LinearModule> {
        LinearModule::ALL
            .into_iter()
            .filter(|&m| self.contains(m))
            .collect()
    }

    /// Exactly the given projections.
    pub fn from_modules(modules: &[LinearModule]) -> Self {
        let has = |m| modules.contains(&m);
        LoraTargets {
            q: has(LinearModule::Q),
            k: has(LinearModule::K),
            v: has(LinearModule::V),
            o: has(LinearModule::O),
            gate: has(LinearModule::Gate),
            up: has(LinearModule::Up),
            down: has(LinearModule::Down),
        }
    }

    /// Whether `module` is adapted.
    pub fn contains(self, module: LinearModule) -> bool {
        match module {
            LinearModule::Q => self.q,
            LinearModule::K => self.k,
            LinearModule::V => self.v,
            LinearModule::O => self.o,
            LinearModule::Gate => self.gate,
            LinearModule::Up => self.up,
            LinearModule::Down => self.down,
        }
    }
}

impl Default for LoraTargets {
    fn default() -> Self {
        LoraTargets::ALL_LINEAR
    }
}

/// LoRA's trainable parameters for a config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoraCount {
    /// Per decoder layer.
    pub per_layer: u64,
    /// Over all layers.
    pub total: u64,
    /// `"32 layers · 8 rank · ((4096 + 4096) q + (4096 + 4096) v) = 4,194,304"`.
    pub formula: String,
}

/// Trainable parameters of LoRA with rank `rank` on `targets`: an adapted `d_in → d_out`
/// matrix gets `A` (`r × d_in`) and `B` (`d_out × r`), so `r · (d_in + d_out)` per matrix
/// per layer.
pub fn lora_trainable_parameters(
    config: &TransformerConfig,
    rank: u64,
    targets: LoraTargets,
) -> Result<LoraCount> {
    config.validate()?;
    if rank == 0 {
        return Err(QuantError::InvalidParameter(
            "the LoRA rank must be at least 1".into(),
        ));
    }
    let overflow =
        || QuantError::InvalidParameter("the LoRA parameter count does not fit in 64 bits".into());
    let mut sum_dims = 0u64;
    let mut terms = Vec::new();
    for (module, d_in, d_out) in config.linear_shapes() {
        if targets.contains(module) {
            sum_dims = d_in
                .checked_add(d_out)
                .and_then(|d| sum_dims.checked_add(d))
                .ok_or_else(overflow)?;
            terms.push(format!("({d_in} + {d_out}) {}", module.short()));
        }
    }
    if terms.is_empty() {
        return Err(QuantError::InvalidParameter(
            "choose at least one LoRA target module (q, k, v, o, gate, up or down)".into(),
        ));
    }
    let per_layer = rank.checked_mul(sum_dims).ok_or_else(overflow)?;
    let total = per_layer
        .checked_mul(config.num_layers)
        .ok_or_else(overflow)?;
    Ok(LoraCount {
        per_layer,
        total,
        formula: format!(
            "{} layers · {rank} rank · ({}) = {}",
            config.num_layers,
            terms.join(" + "),
            format_count(total)
        ),
    })
}

/// How the model is trained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TrainingMethod {
    /// Every parameter is trainable.
    Full,
    /// Frozen base weights in `base_format`, rank-`rank` adapters on `targets`.
    Lora {
        /// Adapter rank `r`.
        rank: u64,
        /// Adapted projections.
        targets: LoraTargets,
        /// Storage of the frozen base (usually BF16).
        base_format: WeightFormat,
    },
    /// QLoRA: the decoder's linear weights frozen in NF4 (with or without double
    /// quantization), embeddings, lm_head and norms frozen in bf16, as bitsandbytes does;
    /// adapters trained as in LoRA.
    Qlora {
        /// Adapter rank `r`.
        rank: u64,
        /// Adapted projections.
        targets: LoraTargets,
        /// NF4 with double quantization (≈ 4.127 bits) instead of plain NF4 (4.5 bits).
        double_quant: bool,
    },
}

/// What the user chose for a training estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSettings {
    /// Full fine-tuning, LoRA or QLoRA.
    pub method: TrainingMethod,
    /// State per trainable parameter.
    pub optimizer: AdamRecipe,
    /// Tokens per training sequence.
    pub sequence_length: u64,
    /// Sequences per step (micro-batch on one GPU).
    pub batch_size: u64,
    /// Recompute activations in backward, keeping only each layer's input.
    pub gradient_checkpointing: bool,
    /// Allowance for the framework and the CUDA context.
    pub overhead: Overhead,
}

impl Default for TrainingSettings {
    /// Full fine-tuning, mixed-precision Adam, 2,048 tokens, batch 1, no checkpointing,
    /// 1 GiB overhead.
    fn default() -> Self {
        TrainingSettings {
            method: TrainingMethod::Full,
            optimizer: AdamRecipe::MIXED_PRECISION,
            sequence_length: 2048,
            batch_size: 1,
            gradient_checkpointing: false,
            overhead: Overhead::default(),
        }
    }
}

/// Activation elements stored per token per layer:
/// `E = 4·h + 2·heads·head_dim + 2·kv_heads·head_dim + 4·i` (see the module docs).
pub fn activation_elements_per_token_per_layer(c: &TransformerConfig) -> f64 {
    4.0 * c.hidden_size as f64
        + 2.0 * c.num_attention_heads as f64 * c.head_dim as f64
        + 2.0 * c.num_kv_heads as f64 * c.head_dim as f64
        + 4.0 * c.intermediate_size as f64
}

/// Memory to train `model`, itemised.
pub fn training_memory(model: &ModelSpec, settings: &TrainingSettings) -> Result<MemoryBreakdown> {
    let recipe = settings.optimizer;
    recipe.validate()?;
    settings.overhead.validate()?;
    if settings.batch_size == 0 || settings.sequence_length == 0 {
        return Err(QuantError::InvalidParameter(
            "the batch size and the sequence length must be at least 1".into(),
        ));
    }
    let counts = model.parameter_breakdown()?;
    let params = counts.total;
    let mut items = Vec::new();
    let mut notes = Vec::new();

    let (trainable, trainable_formula) = match settings.method {
        TrainingMethod::Full => {
            items.push(MemoryItem::new(
                ItemKind::Weights,
                format!(
                    "weights (working copy, {} B each)",
                    format_decimal(recipe.weights)
                ),
                params as f64 * recipe.weights,
                &format!(
                    "{} params · {} B",
                    format_count(params),
                    format_decimal(recipe.weights)
                ),
            )?);
            (params, format!("{} params", format_count(params)))
        }
        TrainingMethod::Lora {
            rank,
            targets,
            base_format,
        } => {
            base_format.validate()?;
            let c = needs_shapes(model, "LoRA")?;
            let lora = lora_trainable_parameters(c, rank, targets)?;
            items.push(MemoryItem::new(
                ItemKind::Weights,
                format!("base weights (frozen, {})", base_format.label()),
                params as f64 * base_format.bytes_per_weight(),
                &format!(
                    "{} params · {} bits / 8",
                    format_count(params),
                    format_decimal(base_format.bits_per_weight())
                ),
            )?);
            notes.push(format!("LoRA trainable parameters: {}", lora.formula));
            (
                lora.total,
                format!("{} adapter params", format_count(lora.total)),
            )
        }
        TrainingMethod::Qlora {
            rank,
            targets,
            double_quant,
        } => {
            let c = needs_shapes(model, "QLoRA")?;
            let lora = lora_trainable_parameters(c, rank, targets)?;
            let nf4 = if double_quant {
                WeightFormat::Nf4Dq
            } else {
                WeightFormat::Nf4
            };
            let linear = counts.linear_in_layers;
            let rest = params.saturating_sub(linear);
            items.push(MemoryItem::new(
                ItemKind::Weights,
                format!("base linear weights (frozen, {})", nf4.label()),
                linear as f64 * nf4.bytes_per_weight(),
                &format!(
                    "{} params · {} bits / 8",
                    format_count(linear),
                    format_decimal(nf4.bits_per_weight())
                ),
            )?);
            items.push(MemoryItem::new(
                ItemKind::UnquantizedWeights,
                "embeddings, lm_head, norms (frozen, BF16)",
                rest as f64 * 2.0,
                &format!("{} params · 2 B", format_count(rest)),
            )?);
            notes.push(format!("LoRA trainable parameters: {}", lora.formula));
            (
                lora.total,
                format!("{} adapter params", format_count(lora.total)),
            )
        }
    };

    let adapter = !matches!(settings.method, TrainingMethod::Full);
    let state = [
        (
            ItemKind::AdapterWeights,
            "LoRA adapter weights",
            recipe.weights,
        ),
        (
            ItemKind::MasterWeights,
            "fp32 master weights",
            recipe.master_weights,
        ),
        (ItemKind::Gradients, "gradients", recipe.gradients),
        (
            ItemKind::OptimizerMomentum,
            "Adam first moment m",
            recipe.adam_m,
        ),
        (
            ItemKind::OptimizerVariance,
            "Adam second moment v",
            recipe.adam_v,
        ),
    ];
    for (kind, label, per_param) in state {
        if kind == ItemKind::AdapterWeights && !adapter {
            continue; // full fine-tuning: the working weights are already listed
        }
        if per_param == 0.0 {
            continue;
        }
        items.push(MemoryItem::new(
            kind,
            label,
            trainable as f64 * per_param,
            &format!("{trainable_formula} · {} B", format_decimal(per_param)),
        )?);
    }

    match model.transformer() {
        Some(c) => {
            let (b, s) = (settings.batch_size, settings.sequence_length);
            let ab = if matches!(settings.method, TrainingMethod::Full) && recipe.weights >= 4.0 {
                4.0
            } else {
                2.0
            };
            let e = activation_elements_per_token_per_layer(c);
            let e_text = format!(
                "(4·{h} + 2·{nh}·{d} + 2·{nkv}·{d} + 4·{i})",
                h = c.hidden_size,
                nh = c.num_attention_heads,
                nkv = c.num_kv_heads,
                d = c.head_dim,
                i = c.intermediate_size
            );
            let l = c.num_layers;
            let abt = format_decimal(ab);
            let (label, bytes, formula) = if settings.gradient_checkpointing {
                (
                    "activations (checkpointed layer inputs + one layer recomputed)",
                    (l as f64 * c.hidden_size as f64 + e) * b as f64 * s as f64 * ab,
                    format!(
                        "{b} batch · {s} tokens · ({l} layers · {} hidden + {e_text}) · {abt} B",
                        c.hidden_size
                    ),
                )
            } else {
                (
                    "activations (stored for backward)",
                    l as f64 * e * b as f64 * s as f64 * ab,
                    format!("{l} layers · {b} batch · {s} tokens · {e_text} · {abt} B"),
                )
            };
            items.push(MemoryItem::new(ItemKind::Activations, label, bytes, &formula)?);
            items.push(MemoryItem::new(
                ItemKind::Logits,
                "logits (every position, fp32, for the loss)",
                b as f64 * s as f64 * c.vocab_size as f64 * 4.0,
                &format!("{b} batch · {s} tokens · {} vocab · 4 B", c.vocab_size),
            )?);
        }
        None => notes.push(
            "activations not included: they need the model's shapes (enter the full config or upload config.json)"
                .to_string(),
        ),
    }
    push_overhead(&mut items, settings.overhead)?;
    MemoryBreakdown::from_items(items, notes)
}

fn needs_shapes<'a>(model: &'a ModelSpec, method: &str) -> Result<&'a TransformerConfig> {
    model.transformer().ok_or_else(|| {
        QuantError::InvalidParameter(format!(
            "{method} needs the model's layer shapes to size the adapters; {} is given by parameter count only",
            model.name
        ))
    })
}
