//! The block-scaled float formats: the OCP Microscaling formats (MX v1.0) and NVIDIA's
//! NVFP4.
//!
//! | format | elements | block | scale | bits per value |
//! |---|---|---|---|---|
//! | MXFP8 | FP8 E4M3 or E5M2 | 32 | E8M0 (a power of two) | 8.25 |
//! | MXFP6 | FP6 E3M2 or E2M3 | 32 | E8M0 | 6.25 |
//! | MXFP4 | FP4 E2M1 | 32 | E8M0 | 4.25 |
//! | MXINT8 | int8, implicit 2^−6 | 32 | E8M0 | 8.25 |
//! | NVFP4 | FP4 E2M1 | 16 | FP8 E4M3, times an `f32` tensor scale | 4.5 (+ 32 bits per tensor) |
//!
//! - [`element`]: the element and scale casts, bit for bit as `ml_dtypes`;
//! - [`block`]: one MX block, the spec's scale rule (OCP MX v1.0 §6.3) and its bytes;
//! - [`quantizer`]: [`MxQuantizer`], the MX formats behind the
//!   [`Quantizer`](crate::quant::quantizer::Quantizer) trait;
//! - [`nvfp4`]: NVFP4 (the TensorRT Model Optimizer recipe) and [`Nvfp4Quantizer`].
//!
//! Sources: OCP "Microscaling Formats (MX) Specification" v1.0 (2023), §5 (formats and
//! E8M0), §6.3 (conversion); OCP "8-bit Floating Point Specification (OFP8)" rev. 1.0;
//! Microsoft's reference emulation `microxcaling` (`mx/mx_ops.py`, `mx/formats.py`) for
//! `emax_elem` and the MXINT8 range; NVIDIA TensorRT Model Optimizer
//! (`modelopt/torch/quantization/qtensor/nvfp4_tensor.py`) for NVFP4. `scripts/ref_mx.py`
//! regenerates the reference vectors of `tests/mx_reference.rs` with `ml_dtypes` and NumPy.

pub mod block;
pub mod element;
pub mod nvfp4;
pub mod quantizer;

pub use block::MxBlock;
pub use element::ElementFormat;
pub use nvfp4::{Nvfp4Block, Nvfp4Quantizer};
pub use quantizer::MxQuantizer;
