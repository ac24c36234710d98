//! The two WGSL int8 kernels against the CPU reference, bit for bit: packed dot product
//! edge cases, random shapes (k not a multiple of 4, m and n not multiples of the
//! workgroup side), empty shapes, long batches split over dispatches, bad inputs.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use pollster::block_on;
use quantlab_core::mlp::int8::{
    dot4_i8_packed, matmul_i8_i32, matmul_i8x4_i32, pack_i8x4, pack_i8x4_rows,
};
use quantlab_gpu::{GpuContext, GpuError, Kernel};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn kernels(ctx: &GpuContext) -> Vec<Kernel> {
    let k = ctx.available_kernels();
    assert!(k.contains(&Kernel::Portable));
    // lavapipe (naga's SPIR-V) and every WebGPU browser with the feature run both; the
    // packed kernel must be there whenever the adapter reports the feature.
    assert_eq!(
        k.contains(&Kernel::PackedDot),
        ctx.adapter().has_packed_dot,
        "{k:?}"
    );
    k
}

/// One word per row: row r of `a` against the single row `b`; c[r] = dot4(a[r], b).
fn dot4_rows(ctx: &GpuContext, kernel: Kernel, a: &[u32], b: u32) -> Vec<i32> {
    block_on(ctx.matmul_i8x4_with(kernel, a, &[b], a.len(), 4, 1)).unwrap()
}

#[test]
fn packed_dot_edge_cases_match_the_reference_on_both_kernels() {
    let Some(ctx) = common::context() else {
        return;
    };
    let word = |v: [i8; 4]| pack_i8x4(&v)[0];
    let cases: Vec<(u32, u32)> = vec![
        (word([-128; 4]), word([-128; 4])), // 4·16,384 = 65,536
        (word([127; 4]), word([-128; 4])),  // 4·−16,256
        (word([-128; 4]), word([127; 4])),  // the same, swapped
        (word([0; 4]), word([0; 4])),       // all zero
        (word([0; 4]), word([-128; 4])),    // zero against the extreme
        (word([127; 4]), word([127; 4])),   // 4·16,129
        (word([-1; 4]), word([-1; 4])),     // 0xFFFFFFFF · 0xFFFFFFFF = 4
        (word([1, -1, 0, -128]), word([-128, 127, 5, -1])),
        (word([-128, 0, 0, 0]), word([-128, 0, 0, 0])), // one lane only (low byte)
        (word([0, 0, 0, -128]), word([0, 0, 0, -128])), // one lane only (high byte)
        (word([0, 0, -128, 0]), word([0, 0, 127, 0])),
        (0x8000_0000, 0x8000_0000), // the sign bit of the word is lane 3's sign
        (0x7F7F_7F7F, 0x8080_8080),
    ];
    assert_eq!(dot4_i8_packed(cases[0].0, cases[0].1), 65_536);
    assert_eq!(dot4_i8_packed(cases[1].0, cases[1].1), -65_024);
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for kernel in kernels(&ctx) {
        for &(a, b) in &cases {
            assert_eq!(
                dot4_rows(&ctx, kernel, &[a], b),
                vec![dot4_i8_packed(a, b)],
                "{kernel:?}: {a:#010x}·{b:#010x}"
            );
        }
        // 1,024 random words (every byte value among them) against random rows, and each
        // extreme row against them.
        let a: Vec<u32> = (0..1024).map(|_| rng.random()).collect();
        for b in [rng.random(), word([-128; 4]), word([127; 4]), 0] {
            let want: Vec<i32> = a.iter().map(|&x| dot4_i8_packed(x, b)).collect();
            assert_eq!(
                dot4_rows(&ctx, kernel, &a, b),
                want,
                "{kernel:?}, b = {b:#x}"
            );
        }
    }
}

fn random_i8(rng: &mut ChaCha8Rng, len: usize) -> Vec<i8> {
    (0..len).map(|_| rng.random()).collect()
}

#[test]
fn random_shapes_equal_the_cpu_int32_product_on_both_kernels() {
    let Some(ctx) = common::context() else {
        return;
    };
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    // (m, k, n): k = 1, 2, 3 mod 4 (zero-padded words), m and n not multiples of 8, and the
    // shapes of the shipped datasets' layers.
    let shapes = [
        (1, 1, 1),
        (1, 3, 1),
        (3, 5, 7),
        (9, 13, 17),
        (8, 8, 8),
        (17, 4, 65),
        (65, 255, 9),
        (2, 1023, 3),
        (120, 4, 16),
        (30, 64, 64),
        (257, 784, 128),
        (100, 128, 10),
    ];
    for kernel in kernels(&ctx) {
        for &(m, k, n) in &shapes {
            let mut a = random_i8(&mut rng, m * k);
            let mut w = random_i8(&mut rng, n * k);
            // The extremes somewhere in every operand.
            a[0] = -128;
            w[0] = -128;
            *a.last_mut().unwrap() = 127;
            *w.last_mut().unwrap() = -128;
            let want = matmul_i8_i32(&a, &w, m, k, n).unwrap();
            let pa = pack_i8x4_rows(&a, m, k).unwrap();
            let pw = pack_i8x4_rows(&w, n, k).unwrap();
            assert_eq!(matmul_i8x4_i32(&pa, &pw, m, k, n).unwrap(), want);
            let got = block_on(ctx.matmul_i8x4_with(kernel, &pa, &pw, m, k, n)).unwrap();
            assert_eq!(got.len(), m * n);
            let bad = got.iter().zip(&want).filter(|(g, w)| g != w).count();
            assert_eq!(
                bad,
                0,
                "{kernel:?} ({m}, {k}, {n}): {bad} of {} differ",
                m * n
            );
        }
    }
}

#[test]
fn the_largest_sums_are_exact_in_int32() {
    let Some(ctx) = common::context() else {
        return;
    };
    // k = 4,099 of −128·−128 (and of 127·−128): |sum| ≈ 6.7e7, past f32's exact integers.
    let k = 4099;
    let a = vec![-128i8; 2 * k];
    let mut w = vec![-128i8; k];
    w.extend(vec![127i8; k]);
    let want = matmul_i8_i32(&a, &w, 2, k, 2).unwrap();
    assert_eq!(want[0], 16_384 * k as i32);
    let pa = pack_i8x4_rows(&a, 2, k).unwrap();
    let pw = pack_i8x4_rows(&w, 2, k).unwrap();
    for kernel in kernels(&ctx) {
        assert_eq!(
            block_on(ctx.matmul_i8x4_with(kernel, &pa, &pw, 2, k, 2)).unwrap(),
            want,
            "{kernel:?}"
        );
    }
}

#[test]
fn long_batches_split_over_several_dispatches_give_the_same_result() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (m, k, n) = (203, 37, 11);
    let a = random_i8(&mut rng, m * k);
    let w = random_i8(&mut rng, n * k);
    let want = matmul_i8_i32(&a, &w, m, k, n).unwrap();
    let pa = pack_i8x4_rows(&a, m, k).unwrap();
    let pw = pack_i8x4_rows(&w, n, k).unwrap();
    for rows in [1, 8, 13, 64, 202, 203, 1000] {
        ctx.set_rows_per_dispatch(Some(rows));
        for kernel in kernels(&ctx) {
            let got = block_on(ctx.matmul_i8x4_with(kernel, &pa, &pw, m, k, n)).unwrap();
            assert_eq!(got, want, "{kernel:?}, {rows} rows per dispatch");
        }
    }
}

#[test]
fn empty_shapes_and_bad_inputs_are_results_not_panics() {
    let Some(mut ctx) = common::context() else {
        return;
    };
    for kernel in kernels(&ctx) {
        // k = 0: every sum is empty; m = 0 or n = 0: no outputs.
        assert_eq!(
            block_on(ctx.matmul_i8x4_with(kernel, &[], &[], 3, 0, 2)).unwrap(),
            vec![0; 6]
        );
        assert!(
            block_on(ctx.matmul_i8x4_with(kernel, &[], &[1, 2], 0, 8, 1))
                .unwrap()
                .is_empty()
        );
        assert!(
            block_on(ctx.matmul_i8x4_with(kernel, &[1, 2], &[], 1, 8, 0))
                .unwrap()
                .is_empty()
        );
        // Lengths that do not match the shapes.
        for (a, w, m, k, n) in [
            (vec![1u32], vec![1u32], 1, 5, 1),
            (vec![1, 2], vec![1], 1, 4, 1),
            (vec![1], vec![1, 2, 3], 1, 4, 2),
            (vec![], vec![], usize::MAX, 4, 1),
        ] {
            let e = block_on(ctx.matmul_i8x4_with(kernel, &a, &w, m, k, n)).unwrap_err();
            assert!(matches!(e, GpuError::InvalidInput(_)), "{e}");
        }
    }
    // Rows longer than int32 holds exactly.
    let k = quantlab_core::mlp::int8::MAX_K_I32 + 1;
    let e = block_on(ctx.upload_weights(&vec![0; k.div_ceil(4)], 1, k)).unwrap_err();
    assert!(e.to_string().contains("int32"), "{e}");
    // Choosing a kernel: the portable one always works.
    ctx.set_kernel(Kernel::Portable).unwrap();
    assert_eq!(ctx.kernel(), Kernel::Portable);
    if !ctx.adapter().has_packed_dot {
        assert_eq!(
            ctx.set_kernel(Kernel::PackedDot),
            Err(GpuError::KernelUnavailable)
        );
    }
}

#[test]
fn the_adapter_is_described_and_the_packed_kernel_is_preferred() {
    let Some(ctx) = common::context() else {
        return;
    };
    let a = ctx.adapter();
    assert!(!a.name.is_empty());
    assert!(!a.backend.is_empty());
    assert!(a.describe().contains(&a.name));
    assert_eq!(
        a.describe().contains("not representative of real GPUs"),
        a.is_software
    );
    let expected = if a.has_packed_dot {
        Kernel::PackedDot
    } else {
        Kernel::Portable
    };
    assert_eq!(ctx.kernel(), expected);
}
