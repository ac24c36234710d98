//! Quantized checkpoints whose codes and scales are separate tensors: an FP8 or int8
//! `….weight` next to its `….weight_scale` (or `….weight_scale_inv`), as FP8 exports
//! (per tensor or per output channel) and block-scaled FP8 models (one scale per 128 × 128
//! tile) write them. The weight is `w = code · scale`, computed in `f32` as PyTorch does
//! (`weight.to(float32) * scale`).
//!
//! [`scale_of`] finds the partner of a code tensor by name; [`apply`] multiplies the codes
//! of a window (the first rows of the tensor, see [`super::file::TensorEntry::window`]) by
//! the matching part of the scale, after checking that the scale's shape is one of the
//! three layouts ([`ScaleLayout`]).

use crate::error::{QuantError, Result};

use super::file::{ElementType, FileIndex, TensorEntry};

/// How a scale tensor covers its weight (a matrix of `rows × cols`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleLayout {
    /// One scale for the whole tensor.
    PerTensor,
    /// One scale per row (output channel): shape `[rows]` or `[rows, 1]`.
    PerRow,
    /// One scale per tile of `tile_rows × tile_cols` values: shape
    /// `[⌈rows / tile_rows⌉, ⌈cols / tile_cols⌉]`.
    Tiles {
        /// Rows of a tile.
        tile_rows: usize,
        /// Columns of a tile.
        tile_cols: usize,
    },
}

impl ScaleLayout {
    /// In words, for the page: "per tensor", "per row", "per 128 × 128 tile".
    pub fn words(self) -> String {
        match self {
            ScaleLayout::PerTensor => "per tensor".into(),
            ScaleLayout::PerRow => "per row (output channel)".into(),
            ScaleLayout::Tiles {
                tile_rows,
                tile_cols,
            } => format!("per {tile_rows} × {tile_cols} tile"),
        }
    }
}

/// The scale tensor of the code tensor `entry` (I8, U8, F8): `<name>_scale` or
/// `<name>_scale_inv`, stored as a float. `None` for any other tensor.
pub fn scale_of<'a>(index: &'a FileIndex, entry: &TensorEntry) -> Option<&'a TensorEntry> {
    if !entry.element.is_some_and(ElementType::is_quantized_code) {
        return None;
    }
    let float = |t: &&TensorEntry| {
        matches!(
            t.element,
            Some(ElementType::F32 | ElementType::F16 | ElementType::Bf16 | ElementType::F64)
        )
    };
    ["_scale", "_scale_inv"].iter().find_map(|suffix| {
        let want = format!("{}{suffix}", entry.name);
        index.tensors.iter().filter(float).find(|t| t.name == want)
    })
}

/// `(rows, cols)` of a tensor viewed as a matrix (the crate's convention: the last axis is
/// the columns, the rest are rows).
fn matrix(shape: &[usize]) -> (usize, usize) {
    match shape.split_last() {
        None => (1, 1),
        Some((&cols, rest)) => (rest.iter().product::<usize>().max(1), cols),
    }
}

/// Which layout a scale of shape `scale_shape` has for a weight of shape `shape`; an error
/// in words when it fits none.
pub fn layout(shape: &[usize], scale_shape: &[usize]) -> Result<ScaleLayout> {
    let (rows, cols) = matrix(shape);
    let n: usize = scale_shape.iter().product();
    if n == 1 {
        return Ok(ScaleLayout::PerTensor);
    }
    match scale_shape {
        [r] | [r, 1] if *r == rows => return Ok(ScaleLayout::PerRow),
        [sr, sc] if *sr > 0 && *sc > 0 => {
            let (tr, tc) = (rows.div_ceil(*sr), cols.div_ceil(*sc));
            if tr > 0 && tc > 0 && rows.div_ceil(tr) == *sr && cols.div_ceil(tc) == *sc {
                return Ok(ScaleLayout::Tiles {
                    tile_rows: tr,
                    tile_cols: tc,
                });
            }
        }
        _ => {}
    }
    Err(QuantError::InvalidParameter(format!(
        "a scale of shape {scale_shape:?} fits a weight of shape {shape:?} neither per \
         tensor, per row nor per tile"
    )))
}

/// Multiplies `codes`, the first rows of a weight of shape `full_shape` (the window holds
/// `codes.len() / cols` rows), by the scale `scale` of shape `scale_shape`, in place.
/// Returns the layout. Errors: a scale that fits no layout, a non-finite or empty scale,
/// a product that is not finite.
pub fn apply(
    codes: &mut [f32],
    full_shape: &[usize],
    scale: &[f32],
    scale_shape: &[usize],
) -> Result<ScaleLayout> {
    let lay = layout(full_shape, scale_shape)?;
    if scale.len() != scale_shape.iter().product::<usize>() {
        return Err(QuantError::ShapeMismatch {
            shape: scale_shape.to_vec(),
            expected: scale_shape.iter().product(),
            actual: scale.len(),
        });
    }
    if let Some(i) = scale.iter().position(|s| !s.is_finite()) {
        return Err(QuantError::InvalidParameter(format!(
            "scale {} at index {i} is not a finite number",
            scale[i]
        )));
    }
    let (_, cols) = matrix(full_shape);
    let cols = cols.max(1);
    match lay {
        ScaleLayout::PerTensor => codes.iter_mut().for_each(|v| *v *= scale[0]),
        ScaleLayout::PerRow => {
            for (row, s) in codes.chunks_mut(cols).zip(scale) {
                row.iter_mut().for_each(|v| *v *= s);
            }
        }
        ScaleLayout::Tiles {
            tile_rows,
            tile_cols,
        } => {
            let scale_cols = cols.div_ceil(tile_cols);
            for (r, row) in codes.chunks_mut(cols).enumerate() {
                let srow = &scale[(r / tile_rows) * scale_cols..][..scale_cols];
                for (c, v) in row.iter_mut().enumerate() {
                    *v *= srow[c / tile_cols];
                }
            }
        }
    }
    if let Some(i) = codes.iter().position(|v| !v.is_finite()) {
        return Err(QuantError::InvalidParameter(format!(
            "code × scale at index {i} is not a finite number"
        )));
    }
    Ok(lay)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::weights::file::read_in_memory;

    fn st_file(header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn the_three_layouts_are_recognised_and_others_refused() {
        assert_eq!(layout(&[4, 6], &[1]).unwrap(), ScaleLayout::PerTensor);
        assert_eq!(layout(&[4, 6], &[]).unwrap(), ScaleLayout::PerTensor);
        assert_eq!(layout(&[4, 6], &[4]).unwrap(), ScaleLayout::PerRow);
        assert_eq!(layout(&[4, 6], &[4, 1]).unwrap(), ScaleLayout::PerRow);
        assert_eq!(
            layout(&[300, 256], &[3, 2]).unwrap(),
            ScaleLayout::Tiles {
                tile_rows: 100,
                tile_cols: 128
            }
        );
        // DeepSeek-style 128 × 128 tiles over a ragged matrix.
        assert_eq!(
            layout(&[7168, 2112], &[56, 17]).unwrap(),
            ScaleLayout::Tiles {
                tile_rows: 128,
                tile_cols: 125
            }
        );
        assert!(layout(&[4, 6], &[5]).is_err());
        assert!(layout(&[4, 6], &[2, 2, 2]).is_err());
    }

    #[test]
    fn codes_times_scale_per_row_and_per_tile_over_a_window() {
        let mut w: Vec<f32> = (0..8).map(|v| v as f32).collect(); // 2 of 3 rows of 4
        let lay = apply(&mut w, &[3, 4], &[1.0, 0.5, 2.0], &[3]).unwrap();
        assert_eq!(lay, ScaleLayout::PerRow);
        assert_eq!(w, vec![0.0, 1.0, 2.0, 3.0, 2.0, 2.5, 3.0, 3.5]);
        let mut w = vec![1.0f32; 12]; // 3 × 4 in 2 × 2 tiles
        apply(&mut w, &[3, 4], &[1.0, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
        assert_eq!(w, vec![1., 1., 2., 2., 1., 1., 2., 2., 3., 3., 4., 4.]);
        let mut w = vec![1.0f32; 4];
        assert!(apply(&mut w, &[2, 2], &[f32::NAN], &[1]).is_err());
    }

    #[test]
    fn an_fp8_weight_and_its_scale_in_a_safetensors_file() {
        // F8_E4M3 codes 0x38 (1.0), 0x40 (2.0), 0xB8 (−1.0), 0x7E (448) and a per-row scale.
        let codes = [0x38u8, 0x40, 0xB8, 0x7E];
        let mut data = codes.to_vec();
        data.extend([0.5f32, 0.25].iter().flat_map(|v| v.to_le_bytes()));
        data.extend([7i8 as u8, (-3i8) as u8]);
        let bytes = st_file(
            r#"{"fc.weight":{"dtype":"F8_E4M3","shape":[2,2],"data_offsets":[0,4]},"fc.weight_scale":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"q":{"dtype":"I8","shape":[2],"data_offsets":[12,14]}}"#,
            &data,
        );
        let (idx, entry, shape, mut values) =
            read_in_memory("m.safetensors", &bytes, Some("fc.weight")).unwrap();
        assert_eq!(values, vec![1.0, 2.0, -1.0, 448.0]);
        let scale = scale_of(&idx, &entry).unwrap();
        assert_eq!(scale.name, "fc.weight_scale");
        let (_, _, sshape, svalues) =
            read_in_memory("m.safetensors", &bytes, Some(&scale.name)).unwrap();
        apply(&mut values, &shape, &svalues, &sshape).unwrap();
        assert_eq!(values, vec![0.5, 1.0, -0.25, 112.0]);
        // An int8 tensor without a scale is read as its codes.
        let (idx, q, _, v) = read_in_memory("m.safetensors", &bytes, Some("q")).unwrap();
        assert_eq!(v, vec![7.0, -3.0]);
        assert!(scale_of(&idx, &q).is_none());
        // A float tensor has no partner.
        assert!(scale_of(&idx, scale).is_none());
    }
}
