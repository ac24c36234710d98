//! The fast paths of the quantizers: the same `f32` arithmetic as their scalar
//! `quantize_one`/`dequantize_one` references, arranged so the compiler vectorizes it.
//!
//! **What "fast" means here.** Each kernel is a plain loop over a slice whose body is the
//! scalar formula written branch-free (selects instead of `if`, fixed-size tables with
//! masked indices), so LLVM turns it into SIMD code. [`dispatch`] compiles every kernel
//! three times, for AVX-512, for AVX2 + FMA and for the baseline, and runs the one [`level`]
//! finds on the CPU (`is_x86_feature_detected!`); anywhere else (other CPUs, `wasm32`, where
//! `simd128` is a compile-time choice) the baseline build runs.
//!
//! **Why the results are identical.** Every operation is an IEEE 754 `f32` operation
//! (`+ − × ÷`, comparisons, `min`/`max` of non-NaN values, round half to even) with one
//! correctly rounded result, so the instruction set cannot change it; no kernel reorders a
//! floating-point sum. The property tests of each quantizer check the fast path against the
//! scalar reference bit for bit.
//!
//! Modules: [`dispatch`] (the per-CPU builds), [`buffer`] (huge-page output buffers), [`groups`] (per-group
//! min, max, absmax), [`hadamard`] (a butterfly stage of the rotation), [`reduce`] (min, max and finiteness in one
//! pass), [`affine`] (the linear
//! quantize → dequantize), [`minifloat`] (rounding to FP4/FP8 by bit arithmetic), [`table`]
//! (a monotone scalar quantizer as thresholds in the input domain plus a table of levels),
//! `wasm` (built for `wasm32` only: the reductions and the affine kernel in `simd128` intrinsics, which the web
//! app's LTO build at `opt-level = "z"` would otherwise get as scalar loops).

pub mod affine;
pub mod buffer;
pub mod dispatch;
pub mod groups;
pub mod hadamard;
pub mod minifloat;
pub mod reduce;
pub mod table;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod wasm;

/// The instruction sets the kernels of [`dispatch`] are compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// x86-64 with AVX-512 (F, BW, VL, DQ), AVX2, FMA and BMI2.
    Avx512,
    /// x86-64 with AVX2, FMA and BMI2.
    Avx2,
    /// The target's baseline (SSE2 on x86-64; `simd128` on wasm32 when compiled in).
    Baseline,
}

/// The widest [`Level`] this CPU runs (detected once, then cached by the standard library).
#[inline]
pub fn level() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && has_avx2()
        {
            return Level::Avx512;
        }
        if has_avx2() {
            return Level::Avx2;
        }
    }
    Level::Baseline
}

#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
        && std::arch::is_x86_feature_detected!("bmi2")
}

/// The instruction set the fast paths use on this machine, for reports (`"avx512"`,
/// `"avx2"` or `"baseline"`).
pub fn simd_level() -> &'static str {
    match level() {
        Level::Avx512 => "avx512",
        Level::Avx2 => "avx2",
        Level::Baseline => "baseline",
    }
}
