//! The fast paths of the quantizers: the same `f32` arithmetic as their scalar
//! `quantize_one`/`dequantize_one` references, arranged so the compiler vectorizes it.
//!
//! **What "fast" means here.** Each kernel is a plain loop over a slice whose body is the
//! scalar formula written branch-free (selects instead of `if`, fixed-size tables with
//! masked indices), so LLVM turns it into SIMD code. [`vectorized`] runs such a loop inside
//! a function compiled for AVX-512 (or AVX2 + FMA) when the CPU has it, detected at run time
//! with `is_x86_feature_detected!`; anywhere else (other CPUs, `wasm32`, where `simd128` is
//! a compile-time choice) the same loop runs as compiled for the baseline target.
//!
//! **Why the results are identical.** Every operation is an IEEE 754 `f32` operation
//! (`+ − × ÷`, comparisons, `min`/`max` of non-NaN values, round half to even) with one
//! correctly rounded result, so the instruction set cannot change it; no kernel reorders a
//! floating-point sum. The property tests of each quantizer check the fast path against the
//! scalar reference bit for bit.
//!
//! Modules: [`reduce`] (min, max and finiteness in one pass), [`affine`] (the linear
//! quantize → dequantize), [`minifloat`] (rounding to FP4/FP8 by bit arithmetic), [`table`]
//! (a monotone scalar quantizer as thresholds in the input domain plus a table of levels).

pub mod affine;
pub mod minifloat;
pub mod reduce;
pub mod table;

/// Runs `f` compiled for the widest SIMD the CPU offers (x86-64: AVX-512, else AVX2 + FMA,
/// else the baseline); elsewhere simply calls `f`.
///
/// `f` must be a closure whose work is inlined into it (the kernels here are
/// `#[inline(always)]`), so that it is compiled with the enabled features.
#[inline(always)]
pub fn vectorized<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if x86::has_avx512() {
            return x86::avx512(f);
        }
        if x86::has_avx2() {
            return x86::avx2(f);
        }
    }
    f()
}

/// The instruction set [`vectorized`] uses on this machine, for reports (`"avx512"`,
/// `"avx2"` or `"baseline"`).
pub fn simd_level() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if x86::has_avx512() {
            return "avx512";
        }
        if x86::has_avx2() {
            return "avx2";
        }
    }
    "baseline"
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    //! The only `unsafe` of the fast paths: calling a `#[target_feature]` function, which
    //! is sound once the features were detected on the running CPU.

    pub(super) fn has_avx512() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && has_avx2()
    }

    pub(super) fn has_avx2() -> bool {
        std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("bmi2")
    }

    #[inline(always)]
    pub(super) fn avx512<R>(f: impl FnOnce() -> R) -> R {
        // SAFETY: only called after `has_avx512()` found every enabled feature on this CPU.
        unsafe { avx512_inner(f) }
    }

    #[inline(always)]
    pub(super) fn avx2<R>(f: impl FnOnce() -> R) -> R {
        // SAFETY: only called after `has_avx2()` found every enabled feature on this CPU.
        unsafe { avx2_inner(f) }
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,bmi2")]
    unsafe fn avx512_inner<R>(f: impl FnOnce() -> R) -> R {
        f()
    }

    #[target_feature(enable = "avx2,fma,bmi2")]
    unsafe fn avx2_inner<R>(f: impl FnOnce() -> R) -> R {
        f()
    }
}
