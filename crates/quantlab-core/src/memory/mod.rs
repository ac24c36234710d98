//! The memory (VRAM) calculator: how many bytes a model needs to run or to train, item by
//! item, each figure with its formula.
//!
//! Pure functions over a model description ([`ModelSpec`]), all inputs and answers serde
//! values the UI and the URL can share.
//!
//! ## Conventions
//!
//! - **Bytes are whole** (`u64`); a fractional figure (4.127 bits per weight, 0.5-byte KV
//!   elements) is rounded **up** per item. Totals are exact sums of the items.
//! - **GiB = 1024³ bytes** (binary) and **GB = 10⁹ bytes** (decimal) are never mixed:
//!   the course's table and every formula string use GiB; GB is offered beside it
//!   ([`units`]). GPU "GB" is taken as GiB (see [`gpu`]).
//! - **Every item carries its formula** with the values substituted and the result at the
//!   end: `"2 · 32 layers · 8 KV heads · 128 head dim · 2 B · 8192 tokens · 1 batch =
//!   1.00 GiB"`. Products are written with `·`, config values as in `config.json`,
//!   computed counts with thousands separators.
//! - **Errors, not panics**: absurd inputs (zeros, sizes whose bytes overflow 2⁶⁴, NaN
//!   settings, malformed `config.json`) give a [`QuantError::InvalidParameter`]
//!   naming the field.
//!
//! ## Map
//!
//! - [`table`]: the course's table (1/7/13/70 B × FP32/FP16/BF16/INT8/INT4).
//! - [`format`](mod@format): [`WeightFormat`] (bits per weight with scale overhead) and [`KvCacheDtype`].
//! - [`model`]: [`TransformerConfig`], [`ModelSpec`], [`ModelPreset`], parameter counts.
//! - [`hf_config`]: [`parse_hf_config`] for an uploaded `config.json`.
//! - [`inference`]: weights + KV cache + activations + overhead; [`max_context`].
//! - [`training`]: full fine-tuning with Adam, LoRA, QLoRA, gradient checkpointing.
//! - [`gpu`]: accelerators in bytes, [`gpu_fits`], [`devices_needed`].
//!
//! [`QuantError::InvalidParameter`]: crate::QuantError::InvalidParameter

pub mod breakdown;
pub mod format;
pub mod gpu;
pub mod hf_config;
pub mod inference;
pub mod model;
pub mod table;
pub mod training;
pub mod units;

pub use breakdown::{ItemKind, MemoryBreakdown, MemoryItem, Overhead};
pub use format::{KvCacheDtype, WeightFormat};
pub use gpu::{GpuFit, GpuPreset, GpuSpec, devices_needed, gpu_fits, gpu_presets};
pub use hf_config::{ParsedConfig, parse_hf_config};
pub use inference::{
    CONTEXT_SEARCH_CAP, ContextLimit, InferenceSettings, MaxContext, activation_bytes,
    inference_memory, max_context,
};
pub use model::{
    Architecture, LinearModule, ModelPreset, ModelSpec, ParameterBreakdown, ParameterItem,
    TransformerConfig,
};
pub use table::{
    CourseTable, CourseTableCell, CourseTableRow, course_cell, course_table, weight_bytes,
};
pub use training::{
    AdamRecipe, LoraCount, LoraTargets, TrainingMethod, TrainingSettings,
    activation_elements_per_token_per_layer, lora_trainable_parameters, training_memory,
};
pub use units::{GB, GIB, format_bytes, format_gb, format_gib, to_gb, to_gib};
