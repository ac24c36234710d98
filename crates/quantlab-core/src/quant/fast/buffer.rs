//! The output buffer of a fast path: zeroed `f32`s, on Linux backed by transparent huge
//! pages when large.
//!
//! A fresh 64 MB result otherwise costs 16,384 page faults of 4 KiB, about as long as the
//! quantization itself; `madvise(MADV_HUGEPAGE)` before the first write makes them 32
//! faults of 2 MiB. (NumPy does the same for its arrays: `_get_madvise_hugepage()`.) The
//! values are unaffected; where the kernel declines, nothing changes.

/// Buffers at least this large (bytes) are advised to use huge pages.
pub const HUGE_MIN_BYTES: usize = 4 << 20;

/// `n` zeroed `f32`s.
pub fn zeroed(n: usize) -> Vec<f32> {
    let v = vec![0f32; n];
    #[cfg(target_os = "linux")]
    if n * 4 >= HUGE_MIN_BYTES {
        advise_huge(&v);
    }
    v
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn advise_huge(v: &[f32]) {
    const PAGE: usize = 4096;
    let start = v.as_ptr() as usize;
    let end = start + std::mem::size_of_val(v);
    let first = start.next_multiple_of(PAGE);
    if end > first {
        let len = (end - first) / PAGE * PAGE;
        // SAFETY: the range lies inside `v`'s allocation (rounded inwards to whole pages);
        // MADV_HUGEPAGE only changes how the kernel backs it, never its contents, and a
        // failure (kernel without THP) is harmless, so the result is ignored.
        unsafe {
            libc::madvise(first as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_zeroed_whatever_their_size() {
        for n in [0, 1, 1000, HUGE_MIN_BYTES / 4 + 3] {
            let v = zeroed(n);
            assert_eq!(v.len(), n);
            assert!(v.iter().all(|x| x.to_bits() == 0));
        }
    }
}
