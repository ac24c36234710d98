//! The quantizers, arranged as a DAG (a module imports only modules listed above it here,
//! never one below; `tests/module_dag.rs` checks it):
//!
//! 1. leaves: [`types`] (plain data: modes, ranges, granularity, formats), [`kernel`]
//!    (rounding, nearest-entry search, code and length checks), [`granularity`] (the scale
//!    groups of a tensor), [`quantizer`] (the [`Quantizer`](quantizer::Quantizer) trait), [`inspect`] (the block
//!    inspector's data)
//!    and [`scheme`] (the [`Scheme`](scheme::Scheme) value and one descriptor row per kind),
//!    then [`fast`] (the vectorized `f32` kernels the families' fast paths run, over
//!    [`kernel`] and [`granularity`]);
//! 2. families, each importing only the leaves: [`linear`] (with its clipping and affine
//!    parameters), [`companding`] (μ-law, A-law, G.711), [`codebook`] (k-means,
//!    Lloyd-Max), [`nf4`], [`minifloat`], [`log2`], [`ggml`], [`mx`] (OCP MX and NVFP4),
//!    and [`rotation`] (the randomized Hadamard transform applied before any per-group
//!    scheme, and the quantizer wrapper that undoes it);
//! 3. [`registry`]: the only module that names every family's quantizer type; it turns a
//!    [`Scheme`](scheme::Scheme) into a fitted `Box<dyn Quantizer>` (behind the rotation
//!    when [`Scheme::rotate`](scheme::Scheme::rotate) applies).

pub mod fast;
pub mod granularity;
pub mod inspect;
pub mod kernel;
pub mod quantizer;
pub mod scheme;
pub mod types;

pub mod codebook;
pub mod companding;
pub mod ggml;
pub mod linear;
pub mod log2;
pub mod minifloat;
pub mod mx;
pub mod nf4;
pub mod rotation;

pub mod registry;
