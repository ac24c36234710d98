//! Itemised answers: every figure with its formula, and the user's overhead allowance.

use serde::{Deserialize, Serialize};

use super::units::{GIB, format_bytes, format_decimal, to_gb, to_gib, whole_bytes};
use crate::error::{QuantError, Result};

/// What a line of a breakdown stands for (stable ids for colours, legends and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// Model weights as used in the forward pass (frozen base weights for LoRA/QLoRA).
    Weights,
    /// Base weights kept in 16-bit next to NF4 ones in QLoRA (embeddings, lm_head, norms).
    UnquantizedWeights,
    /// Keys and values of past tokens.
    KvCache,
    /// Activations (inference working set, or what training stores for backward).
    Activations,
    /// Output logits (training: every position; inference: the last one).
    Logits,
    /// LoRA adapter weights (the trainable copy).
    AdapterWeights,
    /// fp32 master copy of the trainable weights (mixed precision).
    MasterWeights,
    /// Gradients of the trainable weights.
    Gradients,
    /// Adam's first moment `m`.
    OptimizerMomentum,
    /// Adam's second moment `v`.
    OptimizerVariance,
    /// Framework/CUDA context allowance.
    Overhead,
}

impl ItemKind {
    /// The kebab-case id.
    pub fn id(self) -> &'static str {
        match self {
            ItemKind::Weights => "weights",
            ItemKind::UnquantizedWeights => "unquantized-weights",
            ItemKind::KvCache => "kv-cache",
            ItemKind::Activations => "activations",
            ItemKind::Logits => "logits",
            ItemKind::AdapterWeights => "adapter-weights",
            ItemKind::MasterWeights => "master-weights",
            ItemKind::Gradients => "gradients",
            ItemKind::OptimizerMomentum => "optimizer-momentum",
            ItemKind::OptimizerVariance => "optimizer-variance",
            ItemKind::Overhead => "overhead",
        }
    }
}

/// One line of a memory answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryItem {
    /// What this line stands for.
    pub kind: ItemKind,
    /// A human label, e.g. `"KV cache (FP16)"`.
    pub label: String,
    /// Whole bytes (fractions rounded up).
    pub bytes: u64,
    /// The formula with values substituted, ending in `= <size>`:
    /// `"2 · 32 layers · 8 KV heads · 128 head dim · 2 B · 8192 tokens · 1 batch = 1.00 GiB"`.
    pub formula: String,
}

impl MemoryItem {
    /// Builds an item from a byte figure, rounding up and appending `= <size>` to the formula.
    pub(crate) fn new(
        kind: ItemKind,
        label: impl Into<String>,
        bytes: f64,
        formula: &str,
    ) -> Result<Self> {
        let label = label.into();
        let bytes = whole_bytes(bytes, &label)?;
        Ok(MemoryItem {
            kind,
            label,
            bytes,
            formula: format!("{formula} = {}", format_bytes(bytes)),
        })
    }

    /// This item in GiB (1024³ bytes).
    pub fn gib(&self) -> f64 {
        to_gib(self.bytes)
    }

    /// This item in GB (10⁹ bytes).
    pub fn gb(&self) -> f64 {
        to_gb(self.bytes)
    }
}

/// An itemised memory answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryBreakdown {
    /// The lines, in display order; the overhead (if any) comes last.
    pub items: Vec<MemoryItem>,
    /// Sum of the items, in bytes.
    pub total_bytes: u64,
    /// The sum written out: `"12.55 GiB + 2.00 GiB + … = 15.80 GiB"`.
    pub total_formula: String,
    /// What the estimate leaves out or assumes for this model (e.g. "KV cache unknown: the
    /// model is given by parameter count only").
    pub notes: Vec<String>,
}

impl MemoryBreakdown {
    /// Totals the items (checked: a sum past 2⁶⁴ bytes is an error).
    pub(crate) fn from_items(items: Vec<MemoryItem>, notes: Vec<String>) -> Result<Self> {
        let total_bytes = items
            .iter()
            .try_fold(0u64, |acc, it| acc.checked_add(it.bytes))
            .ok_or_else(|| {
                QuantError::InvalidParameter(
                    "the total is more than 16 EiB (2^64 bytes): check the inputs".into(),
                )
            })?;
        let parts: Vec<String> = items.iter().map(|it| format_bytes(it.bytes)).collect();
        let total_formula = format!("{} = {}", parts.join(" + "), format_bytes(total_bytes));
        Ok(MemoryBreakdown {
            items,
            total_bytes,
            total_formula,
            notes,
        })
    }

    /// The total in GiB (1024³ bytes).
    pub fn total_gib(&self) -> f64 {
        to_gib(self.total_bytes)
    }

    /// The total in GB (10⁹ bytes).
    pub fn total_gb(&self) -> f64 {
        to_gb(self.total_bytes)
    }

    /// The first item of this kind, if present.
    pub fn item(&self, kind: ItemKind) -> Option<&MemoryItem> {
        self.items.iter().find(|it| it.kind == kind)
    }

    /// Bytes of all items of this kind (0 if none).
    pub fn bytes_of(&self, kind: ItemKind) -> u64 {
        self.items
            .iter()
            .filter(|it| it.kind == kind)
            .fold(0u64, |acc, it| acc.saturating_add(it.bytes))
    }
}

/// An allowance for what no formula covers: the CUDA context, cuBLAS/cuDNN workspaces,
/// the caching allocator's fragmentation, the runtime's own buffers.
///
/// **Default: a fixed 1 GiB.** A CUDA context with PyTorch loaded takes roughly 0.3–0.8 GiB
/// depending on the GPU and library versions, and the allocator keeps some slack on top; 1
/// GiB is a round, slightly conservative figure for one GPU. Choose [`Overhead::None`] for
/// the theoretical minimum (the course's table), or a percentage to scale with the job.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Overhead {
    /// No allowance: the theoretical minimum.
    None,
    /// A fixed amount in GiB (0 to 1,048,576).
    Fixed {
        /// Size in GiB (1024³ bytes).
        gib: f64,
    },
    /// A percentage of the sum of the other items (0 to 1000).
    Percent {
        /// Percent, e.g. 20 for 20 %.
        percent: f64,
    },
}

impl Default for Overhead {
    fn default() -> Self {
        Overhead::Fixed { gib: 1.0 }
    }
}

impl Overhead {
    /// Checks that the figure is finite and in range.
    pub fn validate(self) -> Result<()> {
        match self {
            Overhead::None => Ok(()),
            Overhead::Fixed { gib } if gib.is_finite() && (0.0..=1_048_576.0).contains(&gib) => {
                Ok(())
            }
            Overhead::Percent { percent }
                if percent.is_finite() && (0.0..=1000.0).contains(&percent) =>
            {
                Ok(())
            }
            Overhead::Fixed { gib } => Err(QuantError::InvalidParameter(format!(
                "the overhead must be between 0 and 1,048,576 GiB, got {gib}"
            ))),
            Overhead::Percent { percent } => Err(QuantError::InvalidParameter(format!(
                "the overhead must be between 0 and 1000 %, got {percent}"
            ))),
        }
    }

    /// The overhead item for a job whose other items sum to `subtotal` bytes; `None` for
    /// [`Overhead::None`].
    pub(crate) fn item(self, subtotal: u64) -> Result<Option<MemoryItem>> {
        self.validate()?;
        let label = "overhead (CUDA context, framework, fragmentation)";
        match self {
            Overhead::None => Ok(None),
            Overhead::Fixed { gib } => MemoryItem::new(
                ItemKind::Overhead,
                label,
                gib * GIB as f64,
                &format!("fixed allowance {} GiB", format_decimal(gib)),
            )
            .map(Some),
            Overhead::Percent { percent } => MemoryItem::new(
                ItemKind::Overhead,
                label,
                subtotal as f64 * percent / 100.0,
                &format!("{} % · {}", format_decimal(percent), format_bytes(subtotal)),
            )
            .map(Some),
        }
    }
}
