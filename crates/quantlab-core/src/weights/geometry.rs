//! A scheme's scale groups on a tensor: which weights form group `g`, where each sits in
//! the row-major data, and the matrix view the heat map is drawn on.

use crate::error::Result;
use crate::quant::granularity::GroupLayout;
use crate::quant::scheme::{ScaleLayout, Scheme};
use crate::quant::types::Granularity;
use crate::quant::types::{MX_BLOCK, NVFP4_BLOCK};

/// Which weights form scale group `g`, and where each sits in the row-major data.
#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    shape: Vec<usize>,
    n: usize,
    granularity: Granularity,
    layout: GroupLayout,
}

impl Geometry {
    /// The groups of `granularity` on `shape` (an empty shape is 1-D of `n`).
    pub fn new(shape: &[usize], n: usize, granularity: Granularity) -> Result<Self> {
        let shape = if shape.is_empty() {
            vec![n]
        } else {
            shape.to_vec()
        };
        let layout = GroupLayout::new(granularity, &shape, n)?;
        Ok(Geometry {
            shape,
            n,
            granularity,
            layout,
        })
    }

    /// The groups `scheme` itself uses on `shape` (see the module docs).
    pub fn of_scheme(scheme: &Scheme, shape: &[usize], n: usize) -> Result<Self> {
        match scheme.scheme.scales() {
            ScaleLayout::Nf4Block => Self::new(
                &[n],
                n,
                Granularity::PerGroup {
                    size: (scheme.block_size as usize).max(1),
                },
            ),
            ScaleLayout::GgmlBlock(ty) => Self::new(
                &[n],
                n,
                Granularity::PerGroup {
                    size: ty.sub_block_values(),
                },
            ),
            ScaleLayout::MxBlock(_) => Self::new(&[n], n, Granularity::PerGroup { size: MX_BLOCK }),
            ScaleLayout::Nvfp4Block => {
                Self::new(&[n], n, Granularity::PerGroup { size: NVFP4_BLOCK })
            }
            ScaleLayout::Codebook | ScaleLayout::None => {
                GroupLayout::new(Granularity::PerTensor, shape, n)?;
                Self::new(&[n], n, Granularity::PerTensor)
            }
            ScaleLayout::GroupAbsmax | ScaleLayout::MiniFloat | ScaleLayout::Affine => {
                Self::new(shape, n, scheme.granularity())
            }
        }
    }

    /// The group layout.
    pub fn layout(&self) -> &GroupLayout {
        &self.layout
    }

    /// Number of groups.
    pub fn num_groups(&self) -> usize {
        self.layout.num_groups()
    }

    /// The granularity.
    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    /// Weights in group `g` (0 beyond the last group).
    pub fn group_len(&self, g: usize) -> usize {
        if g >= self.num_groups() {
            return 0;
        }
        match self.granularity {
            Granularity::PerTensor => self.n,
            Granularity::PerChannel { axis } => self.n / self.shape[axis].max(1),
            Granularity::PerGroup { size } => {
                let row_len = self.shape[self.shape.len() - 1];
                let gpr = row_len.div_ceil(size);
                let start = (g % gpr) * size;
                size.min(row_len - start)
            }
        }
    }

    /// The row-major index of the `k`-th weight of group `g` (in row-major order within the
    /// group), `None` past the group's end.
    pub fn flat_index(&self, g: usize, k: usize) -> Option<usize> {
        if k >= self.group_len(g) {
            return None;
        }
        Some(match self.granularity {
            Granularity::PerTensor => k,
            Granularity::PerChannel { axis } => {
                let c = self.shape[axis];
                let inner: usize = self.shape[axis + 1..].iter().product();
                let (o, r) = (k / inner, k % inner);
                o * c * inner + g * inner + r
            }
            Granularity::PerGroup { size } => {
                let row_len = self.shape[self.shape.len() - 1];
                let gpr = row_len.div_ceil(size);
                (g / gpr) * row_len + (g % gpr) * size + k
            }
        })
    }

    /// Calls `f(i, g)` for every row-major index `i` in order with its group `g`, without a
    /// division per element (the fast path of every pass over the tensor).
    pub fn for_each_group(&self, mut f: impl FnMut(usize, usize)) {
        match self.granularity {
            Granularity::PerTensor => (0..self.n).for_each(|i| f(i, 0)),
            Granularity::PerChannel { axis } => {
                let c = self.shape[axis];
                let inner: usize = self.shape[axis + 1..].iter().product();
                let outer = self.n / (c * inner).max(1);
                let mut i = 0;
                for _ in 0..outer {
                    for ch in 0..c {
                        for _ in 0..inner {
                            f(i, ch);
                            i += 1;
                        }
                    }
                }
            }
            Granularity::PerGroup { size } => {
                let (rows, cols) = self.matrix();
                let gpr = cols.div_ceil(size);
                let mut i = 0;
                for r in 0..rows {
                    let (mut g, mut k) = (r * gpr, 0);
                    for _ in 0..cols {
                        f(i, g);
                        i += 1;
                        k += 1;
                        if k == size {
                            k = 0;
                            g += 1;
                        }
                    }
                }
            }
        }
    }

    /// `(min, max)` of every group, in `f64` (one pass, no division per element).
    pub fn min_max(&self, data: &[f32]) -> Vec<(f64, f64)> {
        let mut out = vec![(f32::INFINITY, f32::NEG_INFINITY); self.num_groups()];
        self.for_each_group(|i, g| {
            let v = data[i];
            let m = &mut out[g];
            if v < m.0 {
                m.0 = v;
            }
            if v > m.1 {
                m.1 = v;
            }
        });
        out.into_iter()
            .map(|(a, b)| (f64::from(a), f64::from(b)))
            .collect()
    }

    /// The shape the groups are laid on (a 1-D tensor of `n` for an empty shape).
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// `(rows, cols)` of the matrix view: the last axis is the columns.
    pub fn matrix(&self) -> (usize, usize) {
        let cols = self.shape[self.shape.len() - 1].max(1);
        (self.n / cols, cols)
    }
}
