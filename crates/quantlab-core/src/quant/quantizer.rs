//! The [`Quantizer`] trait every fitted scheme implements.

use crate::error::Result;
use crate::quant::inspect::BlockDecode;

/// A quantizer fitted to some data: codes out, values back, and a description of its grid.
///
/// `quantize` and `dequantize` work on the same layout (length and shape) the quantizer was
/// fitted on; per-channel and per-group scales are looked up by position.
pub trait Quantizer: std::fmt::Debug {
    /// Maps values to integer codes.
    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>>;
    /// Maps codes back to values.
    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>>;
    /// The reconstruction levels of the first scale group (the whole tensor when per-tensor),
    /// ascending.
    fn levels(&self) -> Vec<f32>;
    /// Storage cost in bits per value, including scales and zero-points.
    fn bits_per_value(&self) -> f64;
    /// `dequantize(quantize(data))`.
    fn quantize_dequantize(&self, data: &[f32]) -> Result<Vec<f32>> {
        self.dequantize(&self.quantize(data)?)
    }
    /// Named figures of the fitted parameters for reports (the command line's summary):
    /// e.g. the linear scheme's smallest and largest scale `S` and zero-point `Z`, or a
    /// codebook's iterations. Names are `snake_case`; the default is no figures.
    fn describe(&self) -> Vec<(String, f64)> {
        Vec::new()
    }
    /// How many blocks the block inspector shows: the units that own a scale (see
    /// [`crate::quant::inspect`]).
    fn inspect_blocks(&self) -> usize;
    /// Block `block` of `data` (the data this quantizer was fitted on) decoded in numbers:
    /// its bytes, the decode of its scales and its elements from position `first` in the
    /// block. Errors in words: a block past the last, data of another length, a listed
    /// value that is not finite.
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode>;
}
