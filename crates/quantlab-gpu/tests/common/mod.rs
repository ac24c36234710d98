//! Shared by the GPU tests: open the context, or fail loudly when there is no adapter.

use quantlab_gpu::{GpuContext, SKIP_ENV};

/// The GPU context, or `None` (test skipped) only when `QUANTLAB_SKIP_GPU_TESTS=1`;
/// without that variable a missing adapter fails the test.
pub fn context() -> Option<GpuContext> {
    match pollster::block_on(GpuContext::new()) {
        Ok(ctx) => {
            eprintln!(
                "GPU: {} (kernels: {:?})",
                ctx.adapter().describe(),
                ctx.available_kernels()
            );
            Some(ctx)
        }
        Err(e) if std::env::var(SKIP_ENV).as_deref() == Ok("1") => {
            eprintln!("skipped ({SKIP_ENV}=1): {e}");
            None
        }
        Err(e) => panic!("no GPU for the GPU tests: {e}\n(set {SKIP_ENV}=1 to skip them)"),
    }
}
