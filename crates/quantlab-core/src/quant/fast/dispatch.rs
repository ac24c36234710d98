//! Every fast kernel compiled for each [`Level`], and the entry points that pick one.
//!
//! `kernel!(name(args) -> R = path)` defines `name(level, args) -> R`, which calls `path`
//! (an `#[inline(always)]` function, so its loop is compiled inside the wrapper with the
//! wrapper's target features). The only `unsafe` of the fast paths is here: calling a
//! `#[target_feature]` function, sound because [`super::level`] found those features on the
//! running CPU.

#![allow(unsafe_code)]

use super::Level;
use super::affine::AffineF32;
use super::minifloat::MiniF32;
use super::table::MonotoneTable;
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(unused_imports)
)]
use super::{hadamard, reduce};

macro_rules! kernel {
    // With a `simd128` twin in `super::wasm`, run on wasm32 builds that have `simd128`.
    ($(#[$m:meta])* $name:ident($($a:ident: $t:ty),*) -> $r:ty = $body:path, wasm = $w:path) => {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        $(#[$m])*
        #[inline]
        pub fn $name(level: Level, $($a: $t),*) -> $r {
            let _ = level;
            $w($($a),*)
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        kernel!($(#[$m])* $name($($a: $t),*) -> $r = $body);
    };
    ($(#[$m:meta])* $name:ident($($a:ident: $t:ty),*) -> $r:ty = $body:path) => {
        $(#[$m])*
        #[inline]
        pub fn $name(level: Level, $($a: $t),*) -> $r {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,bmi2")]
                fn wide($($a: $t),*) -> $r {
                    $body($($a),*)
                }
                #[target_feature(enable = "avx2,fma,bmi2")]
                fn mid($($a: $t),*) -> $r {
                    $body($($a),*)
                }
                match level {
                    // SAFETY: `level` comes from `super::level()`, which detected these
                    // features on this CPU.
                    Level::Avx512 => return unsafe { wide($($a),*) },
                    // SAFETY: as above.
                    Level::Avx2 => return unsafe { mid($($a),*) },
                    Level::Baseline => {}
                }
            }
            let _ = level;
            $body($($a),*)
        }
    };
}

kernel!(
    /// [`reduce::min_max_finite`].
    min_max_finite(xs: &[f32]) -> (f32, f32, bool) = reduce::min_max_finite,
    wasm = super::wasm::min_max_finite
);
kernel!(
    /// [`reduce::absmax_finite`].
    absmax_finite(xs: &[f32]) -> (f32, bool) = reduce::absmax_finite,
    wasm = super::wasm::absmax_finite
);
kernel!(
    /// [`reduce::all_finite`].
    all_finite(xs: &[f32]) -> bool = reduce::all_finite,
    wasm = super::wasm::all_finite
);
kernel!(
    /// [`reduce::error_sums`].
    error_sums(xs: &[f32], ys: &[f32]) -> (f64, f64, f64) = reduce::error_sums,
    wasm = super::wasm::error_sums
);
kernel!(
    /// [`hadamard::butterflies`].
    butterflies(lo: &mut [f32], hi: &mut [f32]) -> () = hadamard::butterflies,
    wasm = super::wasm::butterflies
);
kernel!(
    /// [`AffineF32::quantize_dequantize`].
    affine(g: &AffineF32, xs: &[f32], out: &mut [f32]) -> bool = AffineF32::quantize_dequantize,
    wasm = super::wasm::affine
);
kernel!(
    /// [`MiniF32::quantize_dequantize`].
    minifloat(f: &MiniF32, s: f32, xs: &[f32], out: &mut [f32]) -> bool = MiniF32::quantize_dequantize
);
kernel!(
    /// [`MonotoneTable::quantize_dequantize`].
    table(t: &MonotoneTable, a: f32, b: f32, xs: &[f32], out: &mut [f32]) -> bool = MonotoneTable::quantize_dequantize
);

/// [`crate::error::check_finite`] with the vectorized [`all_finite`] first: the same
/// answer, the scalar search only to name the first non-finite value.
pub fn check_finite(data: &[f32]) -> crate::error::Result<()> {
    if !data.is_empty() && all_finite(super::level(), data) {
        return Ok(());
    }
    crate::error::check_finite(data)
}
