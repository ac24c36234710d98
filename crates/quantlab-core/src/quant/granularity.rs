//! Which values share a scale: per-tensor, per-channel, per-group.
//!
//! A [`GroupLayout`] assigns every flat (row-major) index to one scale group, so the same
//! per-group statistics and lookups serve every granularity.

use crate::error::{QuantError, Result};
use crate::quant::types::Granularity;

/// The assignment of elements to scale groups for one tensor shape.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupLayout {
    granularity: Granularity,
    len: usize,
    /// Per-channel: size of the axis and the stride of one step along it.
    axis_len: usize,
    axis_stride: usize,
    /// Per-group: length of the last axis and groups per row.
    row_len: usize,
    groups_per_row: usize,
    num_groups: usize,
}

impl GroupLayout {
    /// Builds the layout for data of length `len` with `shape` (empty shape = 1-D of `len`).
    pub fn new(granularity: Granularity, shape: &[usize], len: usize) -> Result<Self> {
        let shape: Vec<usize> = if shape.is_empty() {
            vec![len]
        } else {
            shape.to_vec()
        };
        let expected = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
        if expected != Some(len) {
            return Err(QuantError::ShapeMismatch {
                expected: expected.unwrap_or(usize::MAX),
                shape,
                actual: len,
            });
        }
        if len == 0 {
            return Err(QuantError::Empty);
        }
        let mut layout = GroupLayout {
            granularity,
            len,
            axis_len: 1,
            axis_stride: 1,
            row_len: len,
            groups_per_row: 1,
            num_groups: 1,
        };
        match granularity {
            Granularity::PerTensor => {}
            Granularity::PerChannel { axis } => {
                if axis >= shape.len() {
                    return Err(QuantError::AxisOutOfRange {
                        axis,
                        ndim: shape.len(),
                    });
                }
                layout.axis_len = shape[axis];
                layout.axis_stride = shape[axis + 1..].iter().product();
                layout.num_groups = shape[axis];
            }
            Granularity::PerGroup { size } => {
                if size == 0 {
                    return Err(QuantError::GroupSizeZero);
                }
                // `shape` is non-empty and every dimension is non-zero since len > 0.
                let row_len = shape[shape.len() - 1];
                layout.row_len = row_len;
                layout.groups_per_row = row_len.div_ceil(size);
                layout.num_groups = (len / row_len) * layout.groups_per_row;
            }
        }
        Ok(layout)
    }

    /// Number of scale groups.
    pub fn num_groups(&self) -> usize {
        self.num_groups
    }

    /// Number of elements covered.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a layout covers at least one element.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The granularity this layout implements.
    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    /// The scale group of flat index `i`.
    #[inline]
    pub fn group_of(&self, i: usize) -> usize {
        match self.granularity {
            Granularity::PerTensor => 0,
            Granularity::PerChannel { .. } => (i / self.axis_stride) % self.axis_len,
            Granularity::PerGroup { size } => {
                let row = i / self.row_len;
                row * self.groups_per_row + (i % self.row_len) / size
            }
        }
    }

    /// Calls `f(group, range)` for every maximal run of consecutive flat indices that share
    /// a group, in index order; the runs cover `0..len` exactly once. Lets a loop look up a
    /// group's parameters once per run instead of once per value.
    pub fn for_each_run(&self, mut f: impl FnMut(usize, std::ops::Range<usize>)) {
        match self.granularity {
            Granularity::PerTensor => f(0, 0..self.len),
            Granularity::PerChannel { .. } => {
                let stride = self.axis_stride.max(1);
                for (k, start) in (0..self.len).step_by(stride).enumerate() {
                    f(k % self.axis_len, start..(start + stride).min(self.len));
                }
            }
            Granularity::PerGroup { size } => {
                for (r, row_start) in (0..self.len).step_by(self.row_len).enumerate() {
                    for c in 0..self.groups_per_row {
                        let a = row_start + c * size;
                        let b = row_start + ((c + 1) * size).min(self.row_len);
                        f(r * self.groups_per_row + c, a..b);
                    }
                }
            }
        }
    }

    /// The flat indices of group `g`, ascending (empty past the last group).
    pub fn members(&self, g: usize) -> Vec<usize> {
        if g >= self.num_groups {
            return Vec::new();
        }
        match self.granularity {
            Granularity::PerTensor => (0..self.len).collect(),
            Granularity::PerChannel { .. } => {
                let stride = self.axis_stride.max(1);
                let period = stride * self.axis_len.max(1);
                (0..self.len / period)
                    .flat_map(|o| {
                        let start = o * period + g * stride;
                        start..start + stride
                    })
                    .collect()
            }
            Granularity::PerGroup { size } => {
                let (row, c) = (g / self.groups_per_row, g % self.groups_per_row);
                let start = row * self.row_len + c * size;
                let end = row * self.row_len + ((c + 1) * size).min(self.row_len);
                (start..end).collect()
            }
        }
    }

    /// `(min, max)` of the values in each group, in `f64`.
    pub fn min_max(&self, data: &[f32]) -> Vec<(f64, f64)> {
        let mut out = vec![(f64::INFINITY, f64::NEG_INFINITY); self.num_groups];
        for (i, &v) in data.iter().enumerate().take(self.len) {
            let g = &mut out[self.group_of(i)];
            let v = f64::from(v);
            g.0 = g.0.min(v);
            g.1 = g.1.max(v);
        }
        out
    }

    /// Number of elements in each group.
    pub fn counts(&self) -> Vec<usize> {
        let mut out = vec![0usize; self.num_groups];
        for i in 0..self.len {
            out[self.group_of(i)] += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_channel_axis_zero_of_a_matrix_is_one_group_per_row() {
        let l = GroupLayout::new(Granularity::PerChannel { axis: 0 }, &[3, 4], 12).unwrap();
        assert_eq!(l.num_groups(), 3);
        assert_eq!(l.group_of(0), 0);
        assert_eq!(l.group_of(5), 1);
        assert_eq!(l.group_of(11), 2);
    }

    #[test]
    fn per_channel_axis_one_of_a_matrix_is_one_group_per_column() {
        let l = GroupLayout::new(Granularity::PerChannel { axis: 1 }, &[3, 4], 12).unwrap();
        assert_eq!(l.num_groups(), 4);
        assert_eq!(l.group_of(1), 1);
        assert_eq!(l.group_of(5), 1);
        assert_eq!(l.group_of(11), 3);
    }

    #[test]
    fn per_group_allows_a_partial_last_group_in_every_row() {
        let l = GroupLayout::new(Granularity::PerGroup { size: 4 }, &[2, 10], 20).unwrap();
        assert_eq!(l.num_groups(), 6);
        assert_eq!(l.counts(), vec![4, 4, 2, 4, 4, 2]);
        assert_eq!(l.group_of(9), 2);
        assert_eq!(l.group_of(10), 3);
    }

    #[test]
    fn bad_shapes_are_errors_not_panics() {
        assert!(matches!(
            GroupLayout::new(Granularity::PerTensor, &[3, 3], 8),
            Err(QuantError::ShapeMismatch { .. })
        ));
        assert_eq!(
            GroupLayout::new(Granularity::PerChannel { axis: 2 }, &[2, 2], 4),
            Err(QuantError::AxisOutOfRange { axis: 2, ndim: 2 })
        );
        assert_eq!(
            GroupLayout::new(Granularity::PerGroup { size: 0 }, &[4], 4),
            Err(QuantError::GroupSizeZero)
        );
        assert_eq!(
            GroupLayout::new(Granularity::PerTensor, &[], 0),
            Err(QuantError::Empty)
        );
        assert!(matches!(
            GroupLayout::new(Granularity::PerTensor, &[usize::MAX, 3], 3),
            Err(QuantError::ShapeMismatch { .. })
        ));
    }

    #[test]
    fn runs_cover_every_index_once_with_its_group() {
        let cases: [(Granularity, &[usize]); 6] = [
            (Granularity::PerTensor, &[7]),
            (Granularity::PerChannel { axis: 0 }, &[3, 5]),
            (Granularity::PerChannel { axis: 1 }, &[3, 5]),
            (Granularity::PerChannel { axis: 1 }, &[2, 3, 4]),
            (Granularity::PerGroup { size: 4 }, &[3, 10]),
            (Granularity::PerGroup { size: 64 }, &[2, 10]),
        ];
        for (g, shape) in cases {
            let len: usize = shape.iter().product();
            let layout = GroupLayout::new(g, shape, len).unwrap();
            let mut next = 0;
            layout.for_each_run(|group, range| {
                assert_eq!(range.start, next, "{g:?} {shape:?}");
                assert!(range.end > range.start);
                for i in range.clone() {
                    assert_eq!(layout.group_of(i), group, "{g:?} {shape:?} {i}");
                }
                next = range.end;
            });
            assert_eq!(next, len, "{g:?} {shape:?}");
        }
    }
}
