//! quantlab's int8 inference on the GPU through [wgpu]: WebGPU in the browser, Vulkan
//! natively (Mesa's lavapipe software driver on a machine without a GPU, so the tests run in
//! plain `cargo test`).
//!
//! **Kernels** (WGSL, in `src/shaders/`): `C = A·Wᵀ` in int32 on int8 values packed four
//! to a `u32` word in the layout of [`quantlab_core::mlp::int8::pack_i8x4_rows`]; one
//! invocation per output, 8×8 workgroups.
//! - [`Kernel::PackedDot`] calls WGSL's `dot4I8Packed` on each word pair; it is compiled
//!   only when the adapter reports the WGSL language feature
//!   `packed_4x8_integer_dot_product`.
//! - [`Kernel::Portable`] sign-extends each byte with `extractBits` and multiplies; it runs
//!   everywhere.
//!
//! Both give the exact integer sums of
//! [`quantlab_core::mlp::int8::matmul_i8_i32`], and both can be selected on one adapter
//! ([`GpuContext::set_kernel`], [`GpuContext::matmul_i8x4_with`]).
//!
//! **The model** ([`GpuContext::upload_w8a8`], [`GpuContext::forward_w8a8`]): each layer's
//! int32 product runs on the GPU; the per-token activation quantization, rescale and ReLU
//! run on the CPU with the reference's own functions in the reference's order, so the logits
//! equal [`quantlab_core::mlp::QuantizedMlp::trace_int8`]'s bit for bit whenever the
//! accumulators do. [`GpuContext::run_w8a8_checked`] runs both and counts the differences
//! ([`Mismatches::total`], the page's `gpu-cpu-mismatches`).
//!
//! **Async, no panics.** [`GpuContext::new`] and every GPU call are `async`: in the
//! browser they await WebGPU's promises (nothing blocks); natively the readback waits on
//! `Device::poll`, so `pollster::block_on` (or any executor) drives them. Every wgpu error
//! — no adapter, shader compilation, validation, out of memory, lost device, failed map —
//! comes back as a [`GpuError`] in plain words; the device's uncaptured-error handler
//! records errors instead of panicking.
//!
//! ```no_run
//! # async fn demo() -> Result<(), quantlab_gpu::GpuError> {
//! use quantlab_core::mlp::int8::{matmul_i8_i32, pack_i8x4_rows};
//! let ctx = quantlab_gpu::GpuContext::new().await?;
//! println!("{}", ctx.adapter().describe());
//! let (m, k, n) = (2, 5, 3);
//! let a: Vec<i8> = (0..m * k).map(|i| i as i8 - 4).collect();
//! let w: Vec<i8> = (0..n * k).map(|i| 7 - i as i8).collect();
//! let c = ctx
//!     .matmul_i8x4(&pack_i8x4_rows(&a, m, k)?, &pack_i8x4_rows(&w, n, k)?, m, k, n)
//!     .await?;
//! assert_eq!(c, matmul_i8_i32(&a, &w, m, k, n)?);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod browser;
mod context;
mod error;
mod forward;

pub use context::{AdapterSummary, GpuContext, GpuMatrix, Kernel, WORKGROUP_SIDE};
pub use error::{GpuError, Result};
pub use forward::{CheckedRun, GpuForward, GpuMlp, Mismatches, compare_with_cpu};

/// Set to `1` to let the native GPU tests pass on a machine without any Vulkan adapter
/// (they fail otherwise, so a missing driver is never mistaken for a pass).
pub const SKIP_ENV: &str = "QUANTLAB_SKIP_GPU_TESTS";
