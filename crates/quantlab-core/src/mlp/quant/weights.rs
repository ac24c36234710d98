//! How a quantized layer's weights are stored in each configuration: codes, scales and
//! blocks. A leaf of `mlp::quant`: the layer fit (`layer.rs`) and the block-float fit
//! (`block_float.rs`) both build these values.

use crate::quant::granularity::GroupLayout;
use crate::quant::mx::{MxBlock, Nvfp4Block};
use crate::quant::types::{MxElement, NVFP4_BLOCK_BYTES};

/// A layer's weights as stored in a configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum QuantWeights {
    /// Unquantized, `(out, in)` row-major.
    Fp32 {
        /// The weights.
        weight: Vec<f32>,
    },
    /// int8 codes `(out, in)` row-major and one `f32` scale per group of `layout`.
    Int8 {
        /// `q`, in `[−127, 127]`.
        codes: Vec<i8>,
        /// `s` of each scale group; `ŵ_i = q_i · s_{group(i)}`.
        scales: Vec<f32>,
        /// Which scale each weight uses.
        layout: GroupLayout,
    },
    /// int4 codes, two per byte: nibble `= q + 8` (offset binary, `0..=15`), packed over the
    /// flat `(out, in)` matrix with [`crate::pack::pack`] (code `i` in the low nibble of byte
    /// `i/2` when `i` is even, the high nibble when odd).
    Int4 {
        /// The packed nibbles, `⌈n/2⌉` bytes.
        packed: Vec<u8>,
        /// `s` of each scale group; `ŵ_i = (nibble_i − 8) · s_{group(i)}`.
        scales: Vec<f32>,
        /// Which scale each weight uses.
        layout: GroupLayout,
    },
    /// NF4 indices (into [`NF4_CODE`](crate::quant::nf4::NF4_CODE)), two per byte as for int4, with one absmax per block
    /// of `block_size` consecutive weights of the flat matrix.
    Nf4 {
        /// The packed indices, `⌈n/2⌉` bytes.
        packed: Vec<u8>,
        /// The absmax `a` of each block; `ŵ_i = NF4[k_i] · a_{⌊i/B⌋}`.
        absmax: Vec<f32>,
        /// Values per block `B`.
        block_size: usize,
    },
    /// MX blocks ([`crate::quant::mx`]): each row of `W` in blocks of 32 inputs (the last
    /// one zero-padded), row after row, each with its E8M0 scale byte and 32 element codes
    /// (`block_float.rs`).
    Mx {
        /// FP4 E2M1 or FP8 E4M3.
        element: MxElement,
        /// `out · blocks_per_row` blocks; `ŵ = P·2^(scale − 127)`.
        blocks: Vec<MxBlock>,
        /// `⌈in/32⌉`.
        blocks_per_row: usize,
    },
    /// NVFP4 blocks ([`crate::quant::mx::nvfp4`]): each row of `W` in blocks of 16 inputs,
    /// each with its E4M3 scale byte and 16 E2M1 codes, and one `f32` tensor scale.
    Nvfp4 {
        /// The tensor scale `s₂`; `ŵ = E2M1(q)·(E4M3(c_b)·s₂)`.
        tensor_scale: f32,
        /// `out · blocks_per_row` blocks.
        blocks: Vec<Nvfp4Block>,
        /// `⌈in/16⌉`.
        blocks_per_row: usize,
    },
}

impl QuantWeights {
    /// Bytes of codes and of scales.
    pub(super) fn sizes(&self) -> (usize, usize) {
        match self {
            QuantWeights::Fp32 { weight } => (4 * weight.len(), 0),
            QuantWeights::Int8 { codes, scales, .. } => (codes.len(), 4 * scales.len()),
            QuantWeights::Int4 { packed, scales, .. } => (packed.len(), 4 * scales.len()),
            QuantWeights::Nf4 { packed, absmax, .. } => (packed.len(), 4 * absmax.len()),
            // One scale byte per block, the rest codes; NVFP4's tensor scale is an f32.
            QuantWeights::Mx {
                element, blocks, ..
            } => (blocks.len() * (element.block_bytes() - 1), blocks.len()),
            QuantWeights::Nvfp4 { blocks, .. } => {
                (blocks.len() * (NVFP4_BLOCK_BYTES - 1), blocks.len() + 4)
            }
        }
    }
}
