//! Inference: weights + KV cache + activations + overhead, and the longest context that fits.
//!
//! ## The model of each item
//!
//! - **Weights**: `parameters · bits_per_weight / 8`, every tensor in the chosen format. Real
//!   quantized files keep a few small tensors (norms, sometimes embeddings and the output)
//!   at higher precision, so for quantized formats this is a slight underestimate.
//! - **KV cache** (GQA-correct): `2 · layers · kv_heads · head_dim · bytes · context · batch`;
//!   the 2 counts one key and one value per head. Scales of int8/int4 caches are ignored.
//! - **Activations**: the peak working set of one forward pass over `batch · context`
//!   tokens (the prefill, the worst moment), with a memory-efficient attention kernel
//!   (FlashAttention/SDPA: no `context × context` score matrix). Layers run one after the
//!   other, so only one layer's temporaries are alive; the largest set is in the MLP: the
//!   residual stream and its normalised copy (`2 · hidden`) plus the gate and up outputs
//!   (`2 · intermediate`), per token:
//!   `batch · context · (2 · hidden + 2 · intermediate) · act_bytes`,
//!   with `act_bytes` = 4 for FP32 weights and 2 otherwise (quantized weights are
//!   dequantized to 16-bit for the matmuls).
//! - **Logits**: one fp32 row of `vocab` scores per sequence (only the last position is
//!   needed to pick the next token): `batch · vocab · 4 B`.
//! - **Overhead**: see [`Overhead`]; default a fixed 1 GiB.
//!
//! For a model given only by its parameter count, the KV cache and activations cannot be
//! computed; the breakdown's notes say so.

use serde::{Deserialize, Serialize};

use super::breakdown::{ItemKind, MemoryBreakdown, MemoryItem, Overhead};
use super::format::{KvCacheDtype, WeightFormat};
use super::model::{Architecture, ModelSpec};
use super::units::{format_bytes, format_count, format_decimal};
use crate::error::{QuantError, Result};

/// What the user chose for an inference estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InferenceSettings {
    /// Storage of the weights.
    pub weight_format: WeightFormat,
    /// Storage of the KV cache.
    pub kv_cache_dtype: KvCacheDtype,
    /// Tokens per sequence (prompt + generated) held in the KV cache.
    pub context_tokens: u64,
    /// Sequences processed together (at least 1).
    pub batch_size: u64,
    /// Allowance for the framework and the CUDA context.
    pub overhead: Overhead,
}

impl Default for InferenceSettings {
    /// FP16 weights and cache, 4,096 tokens, batch 1, 1 GiB overhead.
    fn default() -> Self {
        InferenceSettings {
            weight_format: WeightFormat::Fp16,
            kv_cache_dtype: KvCacheDtype::Fp16,
            context_tokens: 4096,
            batch_size: 1,
            overhead: Overhead::default(),
        }
    }
}

/// Bytes per activation element for a weight format: 4 for FP32, 2 otherwise.
pub fn activation_bytes(format: WeightFormat) -> f64 {
    if format == WeightFormat::Fp32 {
        4.0
    } else {
        2.0
    }
}

/// Memory to run `model` for inference, itemised.
pub fn inference_memory(
    model: &ModelSpec,
    settings: &InferenceSettings,
) -> Result<MemoryBreakdown> {
    settings.weight_format.validate()?;
    settings.overhead.validate()?;
    if settings.batch_size == 0 {
        return Err(QuantError::InvalidParameter(
            "the batch size must be at least 1".into(),
        ));
    }
    let params = model.parameter_count()?;
    let fmt = settings.weight_format;
    let (ctx, batch) = (settings.context_tokens, settings.batch_size);
    let mut items = vec![MemoryItem::new(
        ItemKind::Weights,
        format!("weights ({})", fmt.label()),
        params as f64 * fmt.bytes_per_weight(),
        &format!(
            "{} params · {} bits / 8",
            format_count(params),
            format_decimal(fmt.bits_per_weight())
        ),
    )?];
    let mut notes = Vec::new();
    match &model.architecture {
        Architecture::Transformer(c) => {
            let kv = settings.kv_cache_dtype;
            items.push(MemoryItem::new(
                ItemKind::KvCache,
                format!("KV cache ({})", kv.label()),
                c.kv_elements_per_token() * kv.bytes() * ctx as f64 * batch as f64,
                &format!(
                    "2 · {} layers · {} KV heads · {} head dim · {} B · {ctx} tokens · {batch} batch",
                    c.num_layers,
                    c.num_kv_heads,
                    c.head_dim,
                    format_decimal(kv.bytes())
                ),
            )?);
            let ab = activation_bytes(fmt);
            items.push(MemoryItem::new(
                ItemKind::Activations,
                "activations (peak of one layer, prefill)",
                batch as f64
                    * ctx as f64
                    * (2.0 * c.hidden_size as f64 + 2.0 * c.intermediate_size as f64)
                    * ab,
                &format!(
                    "{batch} batch · {ctx} tokens · (2·{} hidden + 2·{} intermediate) · {} B",
                    c.hidden_size,
                    c.intermediate_size,
                    format_decimal(ab)
                ),
            )?);
            items.push(MemoryItem::new(
                ItemKind::Logits,
                "logits (last position, fp32)",
                batch as f64 * c.vocab_size as f64 * 4.0,
                &format!("{batch} batch · {} vocab · 4 B", c.vocab_size),
            )?);
        }
        Architecture::ParameterCount { has_kv_cache, .. } => {
            if *has_kv_cache {
                notes.push(
                    "KV cache and activations not included: they need the layers, KV heads, head dim and hidden size (enter the full config or upload config.json)"
                        .to_string(),
                );
            } else {
                notes.push(format!("{} has no KV cache; activations are not estimated for a model given by parameter count", model.name));
            }
        }
    }
    push_overhead(&mut items, settings.overhead)?;
    MemoryBreakdown::from_items(items, notes)
}

pub(crate) fn push_overhead(items: &mut Vec<MemoryItem>, overhead: Overhead) -> Result<()> {
    let subtotal = items
        .iter()
        .fold(0u64, |acc, it| acc.saturating_add(it.bytes));
    if let Some(item) = overhead.item(subtotal)? {
        items.push(item);
    }
    Ok(())
}

/// Highest context [`max_context`] tries when the model declares no maximum: 2²⁴ =
/// 16,777,216 tokens.
pub const CONTEXT_SEARCH_CAP: u64 = 1 << 24;

/// What stopped the context from growing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContextLimit {
    /// Not even one token fits (the weights alone may already be too big).
    NothingFits,
    /// Memory: one more token would not fit.
    Memory,
    /// The model's own maximum (`max_position_embeddings`) fits.
    ModelMaximum,
    /// [`CONTEXT_SEARCH_CAP`] fits (the model declares no maximum).
    SearchCap,
}

/// The longest context that fits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaxContext {
    /// Tokens per sequence (0 when nothing fits).
    pub tokens: u64,
    /// Why it stops there.
    pub limit: ContextLimit,
    /// The memory it had to fit in.
    pub available_bytes: u64,
    /// The total at `tokens` (at 0 tokens when nothing fits).
    pub total_bytes: u64,
    /// A sentence for the UI.
    pub explanation: String,
}

/// The longest context (tokens per sequence, with `settings.batch_size` sequences) whose
/// [`inference_memory`] total is at most `available_bytes`; `settings.context_tokens` is
/// ignored. Capped at the model's `max_context`, or [`CONTEXT_SEARCH_CAP`].
///
/// Solved by bisection on the real total, so at the answer the estimate fits and at one
/// token more it does not (unless a cap stops it). Errors for models without a KV cache.
pub fn max_context(
    model: &ModelSpec,
    settings: &InferenceSettings,
    available_bytes: u64,
) -> Result<MaxContext> {
    if model.transformer().is_none() {
        return Err(QuantError::InvalidParameter(if model.has_kv_cache() {
            format!(
                "{} is given by parameter count only: the context needs the full config (layers, KV heads, head dim)",
                model.name
            )
        } else {
            format!("{} has no context or KV cache", model.name)
        }));
    }
    let total = |tokens: u64| -> Result<u64> {
        let s = InferenceSettings {
            context_tokens: tokens,
            ..settings.clone()
        };
        inference_memory(model, &s).map(|b| b.total_bytes)
    };
    // Errors in the settings or the model surface here.
    let at_zero = total(0)?;
    let at_one = total(1)?;
    let avail = format_bytes(available_bytes);
    if at_one > available_bytes {
        let explanation = if at_zero > available_bytes {
            format!(
                "nothing fits: without any context the model already needs {} of {avail}",
                format_bytes(at_zero)
            )
        } else {
            format!("not even one token fits in {avail}")
        };
        return Ok(MaxContext {
            tokens: 0,
            limit: ContextLimit::NothingFits,
            available_bytes,
            total_bytes: at_zero,
            explanation,
        });
    }
    let (cap, cap_limit) = match model.max_context {
        Some(m) if m >= 1 => (m, ContextLimit::ModelMaximum),
        _ => (CONTEXT_SEARCH_CAP, ContextLimit::SearchCap),
    };
    let fits = |tokens: u64| matches!(total(tokens), Ok(t) if t <= available_bytes);
    if let Ok(t) = total(cap)
        && t <= available_bytes
    {
        return Ok(MaxContext {
            tokens: cap,
            limit: cap_limit,
            available_bytes,
            total_bytes: t,
            explanation: format!(
                "{} tokens (the {}) fit: {} of {avail}",
                format_count(cap),
                if cap_limit == ContextLimit::ModelMaximum {
                    "model's maximum"
                } else {
                    "search limit"
                },
                format_bytes(t)
            ),
        });
    }
    // Invariant: fits(lo), !fits(hi).
    let (mut lo, mut hi) = (1u64, cap);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t = total(lo)?;
    Ok(MaxContext {
        tokens: lo,
        limit: ContextLimit::Memory,
        available_bytes,
        total_bytes: t,
        explanation: format!(
            "{} tokens per sequence fit: {} of {avail}; one more token would not",
            format_count(lo),
            format_bytes(t)
        ),
    })
}
