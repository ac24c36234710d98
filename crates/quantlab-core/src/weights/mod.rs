//! The Weight lab's computations: what quantization does to a real weight tensor.
//!
//! - [`synth`]: seeded synthetic tensors (Normal, Laplace, Student-t with ν, bimodal,
//!   uniform, with a spread of row magnitudes) and tensors sampled from a histogram drawn
//!   by hand.
//! - [`storage`]: bits per weight **including** the scale and zero-point storage, packed
//!   bytes, and whole-file sizes per scheme; all computed from shapes alone.
//! - [`study`]: one scheme on one tensor: the reconstruction, MSE / SNR / max error /
//!   relative Frobenius error, the scale and error of every channel or group, an error heat
//!   map, and one weight worked through `r = S·(q − Z)` step by step.
//! - [`inspect`]: one block decoded in numbers for the block inspector: bytes, the
//!   scales step by step, every element's code, reconstruction and error.
//! - [`packing`]: the first weights → codes → bits → packed bytes and back.
//! - [`rotation`]: a per-group scheme with and without a randomized Hadamard rotation
//!   before it: histograms and channel absmax before and after, and both errors.
//! - [`compare`]: the comparison table of the standard schemes, sortable.
//! - [`mod@file`]: `.safetensors`, `.npy` and `.gguf` headers read on their own ([`gguf`] parses
//!   llama.cpp's), so a file of any size
//!   is listed without loading it, and one tensor (or its first rows) decoded from its bytes.
//!
//! Every computation is linear in the number of weights (the k-means row of the
//! comparison sorts once), and nothing panics on user data.
//!
//! **Tensors as matrices.** A tensor of shape `[d_0, …, d_{k−1}]` is viewed as a matrix of
//! `d_0·…·d_{k−2}` rows and `d_{k−1}` columns (a 1-D tensor is one row): groups run along
//! the last axis (the crate's convention), the heat map's rows are these rows.

pub mod compare;
pub mod file;
pub mod geometry;
pub mod gguf;
pub mod inspect;
pub mod packing;
pub mod rotation;
pub mod scaled;
pub mod storage;
pub mod study;
pub mod synth;

/// Most values the lab studies in one tensor, 64 M (a Llama-2-7B MLP matrix, 11008 × 4096,
/// is 45 M): larger tensors are studied on their first rows (at most this many values), and
/// the page says so. What a study holds beside the tensor (4 bytes a value) is bounded: a
/// linear scheme without a rotation measures its reconstruction as it makes it and keeps
/// nothing of the tensor's size; other schemes keep one reconstruction (4 bytes a value).
pub const MAX_STUDY_VALUES: usize = 1 << 26;
