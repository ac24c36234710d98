//! The one error type of the crate: every wgpu failure path ends here, in words a user of
//! the page understands.

use quantlab_core::QuantError;

/// What went wrong on the GPU path. Nothing in this crate panics on a GPU failure; each is
/// one of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    /// No adapter: a browser without WebGPU (or with it switched off), or a machine without
    /// a Vulkan driver.
    #[error("{0}")]
    NoAdapter(String),
    /// The adapter was found but would not open a device.
    #[error("the GPU device could not be opened: {0}")]
    RequestDevice(String),
    /// The packed dot product kernel was asked for on an adapter that does not report the
    /// WGSL language feature `packed_4x8_integer_dot_product`.
    #[error(
        "this adapter does not report the WGSL feature packed_4x8_integer_dot_product, so the \
         dot4I8Packed kernel cannot run on it; the portable kernel can"
    )]
    KernelUnavailable,
    /// The GPU rejected a shader, buffer or command (a WebGPU validation error).
    #[error("the GPU rejected the work: {0}")]
    Validation(String),
    /// The GPU could not allocate a buffer.
    #[error("the GPU ran out of memory: {0}")]
    OutOfMemory(String),
    /// The device was lost (driver reset, tab in the background too long, …).
    #[error("the GPU device was lost: {0}")]
    DeviceLost(String),
    /// Copying the results back to the CPU failed.
    #[error("reading the results back from the GPU failed: {0}")]
    Readback(String),
    /// The inputs do not fit the kernel or the device's limits (shapes, sizes, model kind).
    #[error("{0}")]
    InvalidInput(String),
}

impl From<QuantError> for GpuError {
    fn from(e: QuantError) -> Self {
        GpuError::InvalidInput(e.to_string())
    }
}

impl From<wgpu::Error> for GpuError {
    fn from(e: wgpu::Error) -> Self {
        match e {
            wgpu::Error::OutOfMemory { .. } => GpuError::OutOfMemory(e.to_string()),
            other => GpuError::Validation(other.to_string()),
        }
    }
}

/// The crate's `Result`.
pub type Result<T> = std::result::Result<T, GpuError>;
