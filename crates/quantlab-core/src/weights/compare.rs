//! The comparison table: the standard weight schemes on one tensor, and a whole file's size
//! under each.
//!
//! The rows ([`standard_schemes`]): int8 symmetric and asymmetric per tensor, per channel
//! (axis 0, one scale per output row) and per group of 128; int4 symmetric with groups of
//! 32, 64 and 128 and asymmetric with groups of 128; NF4 (blocks of 64) with and without
//! double quantization; FP4 E2M1 with an absmax scale per group of 32 (the MXFP4 block);
//! FP8 E4M3 per channel; k-means with 16 levels (per-tensor codebook); ggml Q8_0, Q4_0,
//! Q4_1 and every other ggml storage type of the registry ([`GGML_ROWS`]: Q5_0, Q5_1,
//! IQ4_NL, Q2_K … Q6_K; not Q8_K, which ggml never stores), each under its scheme id and
//! label; the OCP MX formats (MXFP8 E4M3 and E5M2, MXFP6 E3M2 and E2M3, MXFP4, MXINT8) and
//! NVFP4.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::quant::scheme::{ScaleLayout, Scheme, SchemeKind};
use crate::quant::types::{GranularityKind, Mode};

use super::storage::{FileTensor, ScaleDtype, file_size};
use super::study::{StudyOptions, WeightMetrics, study};

/// One named scheme of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NamedScheme {
    /// Stable id (URLs, test ids): `int8-sym-tensor`, `int4-sym-g128`, `nf4-dq`, …
    pub id: &'static str,
    /// What the table prints.
    pub label: &'static str,
    /// The scheme.
    pub scheme: Scheme,
}

fn linear(bits: u32, mode: Mode, granularity: GranularityKind, group_size: u32) -> Scheme {
    Scheme {
        bits,
        mode,
        granularity,
        group_size,
        axis: 0,
        ..Scheme::default()
    }
}

fn kind(scheme: SchemeKind) -> Scheme {
    Scheme {
        scheme,
        ..Scheme::default()
    }
}

/// Every scheme of the table, in its default order.
pub fn standard_schemes() -> Vec<NamedScheme> {
    use GranularityKind::{Channel, Group, Tensor};
    use Mode::{Asym, Sym};
    let n = |id, label, scheme| NamedScheme { id, label, scheme };
    vec![
        n(
            "int8-sym-tensor",
            "int8 sym, per tensor",
            linear(8, Sym, Tensor, 128),
        ),
        n(
            "int8-asym-tensor",
            "int8 asym, per tensor",
            linear(8, Asym, Tensor, 128),
        ),
        n(
            "int8-sym-channel",
            "int8 sym, per channel",
            linear(8, Sym, Channel, 128),
        ),
        n(
            "int8-asym-channel",
            "int8 asym, per channel",
            linear(8, Asym, Channel, 128),
        ),
        n(
            "int8-sym-g128",
            "int8 sym, group 128",
            linear(8, Sym, Group, 128),
        ),
        n(
            "int8-asym-g128",
            "int8 asym, group 128",
            linear(8, Asym, Group, 128),
        ),
        n(
            "int4-sym-g32",
            "int4 sym, group 32",
            linear(4, Sym, Group, 32),
        ),
        n(
            "int4-sym-g64",
            "int4 sym, group 64",
            linear(4, Sym, Group, 64),
        ),
        n(
            "int4-sym-g128",
            "int4 sym, group 128",
            linear(4, Sym, Group, 128),
        ),
        n(
            "int4-asym-g128",
            "int4 asym, group 128",
            linear(4, Asym, Group, 128),
        ),
        n("nf4", "NF4, block 64", kind(SchemeKind::Nf4)),
        n(
            "nf4-dq",
            "NF4, block 64, double quant",
            Scheme {
                double_quant: true,
                ..kind(SchemeKind::Nf4)
            },
        ),
        n(
            "fp4-g32",
            "FP4 E2M1, group 32",
            Scheme {
                granularity: Group,
                group_size: 32,
                ..kind(SchemeKind::Fp4)
            },
        ),
        n(
            "fp8-e4m3-channel",
            "FP8 E4M3, per channel",
            Scheme {
                granularity: Channel,
                axis: 0,
                ..kind(SchemeKind::Fp8)
            },
        ),
        n(
            "kmeans-16",
            "k-means, 16 levels",
            Scheme {
                scheme: SchemeKind::KMeans,
                bits: 4,
                ..Scheme::default()
            },
        ),
        n("q8-0", "ggml Q8_0", kind(SchemeKind::Q8_0)),
        n("q4-0", "ggml Q4_0", kind(SchemeKind::Q4_0)),
        n("q4-1", "ggml Q4_1", kind(SchemeKind::Q4_1)),
    ]
    .into_iter()
    .chain(GGML_ROWS.iter().map(|&k| n(k.id(), k.label(), kind(k))))
    .chain(block_scaled_schemes())
    .collect()
}

/// The block-scaled formats (OCP MX and NVFP4), one row per descriptor row with its id and
/// label: MXFP8 E4M3 and E5M2, MXFP6 E3M2 and E2M3, MXFP4, MXINT8, NVFP4.
fn block_scaled_schemes() -> impl Iterator<Item = NamedScheme> {
    SchemeKind::ALL
        .into_iter()
        .filter(|k| {
            matches!(
                k.scales(),
                ScaleLayout::MxBlock(_) | ScaleLayout::Nvfp4Block
            )
        })
        .map(|k| NamedScheme {
            id: k.id(),
            label: k.label(),
            scheme: kind(k),
        })
}

/// The ggml storage types in the table after Q8_0, Q4_0 and Q4_1, named by their
/// descriptor rows.
pub const GGML_ROWS: [SchemeKind; 8] = [
    SchemeKind::Q5_0,
    SchemeKind::Q5_1,
    SchemeKind::Iq4Nl,
    SchemeKind::Q2K,
    SchemeKind::Q3K,
    SchemeKind::Q4K,
    SchemeKind::Q5K,
    SchemeKind::Q6K,
];

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    /// The scheme's id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Bits per weight, scales included.
    pub bits_per_weight: f64,
    /// Packed bytes.
    pub bytes: u64,
    /// Error figures.
    pub metrics: WeightMetrics,
}

/// The row of `named` on `data` (row-major, `shape`).
pub fn compare_row(
    data: &[f32],
    shape: &[usize],
    named: &NamedScheme,
    scale_dtype: ScaleDtype,
) -> Result<CompareRow> {
    let s = study(
        data,
        shape,
        &named.scheme,
        &StudyOptions {
            scale_dtype,
            heat_rows: 1,
            heat_cols: 1,
            ..StudyOptions::default()
        },
    )?;
    Ok(CompareRow {
        id: named.id.to_string(),
        label: named.label.to_string(),
        bits_per_weight: s.storage.bits_per_weight,
        bytes: s.storage.total_bytes(),
        metrics: s.metrics,
    })
}

/// A column to sort the table by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SortKey {
    /// The table's own order.
    #[default]
    Default,
    /// Scheme label, alphabetically.
    Name,
    /// Bits per weight.
    Bits,
    /// Packed bytes.
    Bytes,
    /// MSE.
    Mse,
    /// SNR.
    Snr,
    /// Max error.
    MaxError,
    /// Relative Frobenius error.
    RelFrobenius,
}

impl SortKey {
    /// Every key, in column order.
    pub const ALL: [SortKey; 8] = [
        SortKey::Default,
        SortKey::Name,
        SortKey::Bits,
        SortKey::Bytes,
        SortKey::Mse,
        SortKey::Snr,
        SortKey::MaxError,
        SortKey::RelFrobenius,
    ];

    /// The name in URLs.
    pub fn id(self) -> &'static str {
        match self {
            SortKey::Default => "default",
            SortKey::Name => "name",
            SortKey::Bits => "bits",
            SortKey::Bytes => "bytes",
            SortKey::Mse => "mse",
            SortKey::Snr => "snr",
            SortKey::MaxError => "max-error",
            SortKey::RelFrobenius => "rel-frobenius",
        }
    }
}

/// Sorts rows by `key` (ascending unless `descending`); rows keep their order on ties, and
/// `Default` with `descending` reverses the table's order.
pub fn sort_rows(rows: &mut [CompareRow], key: SortKey, descending: bool) {
    let order = standard_schemes();
    let pos = |id: &str| order.iter().position(|n| n.id == id).unwrap_or(usize::MAX);
    rows.sort_by(|a, b| {
        let o = match key {
            SortKey::Default => pos(&a.id).cmp(&pos(&b.id)),
            SortKey::Name => a.label.cmp(&b.label),
            SortKey::Bits => a.bits_per_weight.total_cmp(&b.bits_per_weight),
            SortKey::Bytes => a.bytes.cmp(&b.bytes),
            SortKey::Mse => a.metrics.mse.total_cmp(&b.metrics.mse),
            SortKey::Snr => a.metrics.snr_db.total_cmp(&b.metrics.snr_db),
            SortKey::MaxError => a.metrics.max_error.total_cmp(&b.metrics.max_error),
            SortKey::RelFrobenius => a.metrics.rel_frobenius.total_cmp(&b.metrics.rel_frobenius),
        };
        if descending { o.reverse() } else { o }
    });
}

/// A whole file's size under one scheme of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileSizeRow {
    /// The scheme's id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Bytes of the quantized file (header, quantized matrices, the rest as stored).
    pub bytes: u64,
    /// `bytes / original bytes`.
    pub ratio: f64,
    /// Tensors quantized.
    pub quantized: usize,
}

/// The file's size under every scheme of the table; `original` is its size on disk.
/// Schemes that do not apply to a tensor's shape are left out.
pub fn file_sizes(
    tensors: &[FileTensor],
    header_bytes: u64,
    original: u64,
    scale_dtype: ScaleDtype,
) -> Vec<FileSizeRow> {
    standard_schemes()
        .iter()
        .filter_map(|n| {
            let (bytes, quantized) =
                file_size(&n.scheme, tensors, header_bytes, scale_dtype).ok()?;
            Some(FileSizeRow {
                id: n.id.to_string(),
                label: n.label.to_string(),
                bytes,
                ratio: if original == 0 {
                    0.0
                } else {
                    bytes as f64 / original as f64
                },
                quantized,
            })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::weights::synth::{SynthSpec, WeightDist, generate};

    #[test]
    fn the_table_lists_every_scheme_the_issue_names_with_unique_ids() {
        let s = standard_schemes();
        assert_eq!(s.len(), 33);
        let mut ids: Vec<_> = s.iter().map(|n| n.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 33);
        for n in &s {
            assert_eq!(n.scheme.validate(), Ok(()), "{}", n.id);
        }
    }

    #[test]
    fn rows_on_a_heavy_tailed_tensor_rank_as_expected() {
        let spec = SynthSpec {
            dist: WeightDist::StudentT,
            rows: 64,
            cols: 256,
            ..SynthSpec::default()
        };
        let x = generate(&spec).unwrap();
        let rows: Vec<CompareRow> = standard_schemes()
            .iter()
            .map(|n| compare_row(&x, &[64, 256], n, ScaleDtype::Fp16).unwrap())
            .collect();
        let get = |id: &str| rows.iter().find(|r| r.id == id).unwrap();
        assert_eq!(get("int4-sym-g128").bits_per_weight, 4.125);
        assert_eq!(get("q4-0").bits_per_weight, 4.5);
        assert_eq!(get("nf4").bits_per_weight, 4.5);
        assert_eq!(get("mxfp4").bits_per_weight, 4.25);
        assert_eq!(get("mxfp6-e2m3").bits_per_weight, 6.25);
        assert_eq!(get("mxfp8-e4m3").bits_per_weight, 8.25);
        assert_eq!(get("mxint8").bits_per_weight, 8.25);
        assert_eq!(get("nvfp4").bits_per_weight, 4.5 + 32.0 / (64.0 * 256.0));
        assert!(get("mxfp8-e4m3").metrics.snr_db > get("mxfp4").metrics.snr_db);
        assert!(get("nvfp4").metrics.mse < get("mxfp4").metrics.mse);
        // 64·256 values = 64 whole super-blocks.
        assert_eq!(get("q2-k").bits_per_weight, 2.625);
        assert_eq!(get("q6-k").bits_per_weight, 6.5625);
        assert!(get("q4-k").metrics.mse < get("q4-0").metrics.mse);
        assert!(get("q6-k").metrics.mse < get("q5-k").metrics.mse);
        assert!(get("q3-k").metrics.mse < get("q2-k").metrics.mse);
        assert!(get("int8-sym-channel").metrics.mse < get("int8-sym-tensor").metrics.mse);
        assert!(get("int4-sym-g32").metrics.mse < get("int4-sym-g128").metrics.mse);
        assert!(get("int8-sym-g128").metrics.snr_db > get("int4-sym-g128").metrics.snr_db);
        let mut sorted = rows.clone();
        sort_rows(&mut sorted, SortKey::Bits, false);
        assert!(
            sorted
                .windows(2)
                .all(|w| w[0].bits_per_weight <= w[1].bits_per_weight)
        );
        sort_rows(&mut sorted, SortKey::Snr, true);
        assert!(
            sorted
                .windows(2)
                .all(|w| w[0].metrics.snr_db >= w[1].metrics.snr_db)
        );
        sort_rows(&mut sorted, SortKey::Default, false);
        assert_eq!(sorted, rows);
        sort_rows(&mut sorted, SortKey::Name, false);
        assert!(sorted.windows(2).all(|w| w[0].label <= w[1].label));
    }

    #[test]
    fn file_sizes_shrink_with_fewer_bits() {
        let tensors = [
            FileTensor {
                shape: vec![512, 512],
                stored_bytes: 2 * 512 * 512,
                quantized: true,
            },
            FileTensor {
                shape: vec![512],
                stored_bytes: 2 * 512,
                quantized: false,
            },
        ];
        let original = 2 * 512 * 512 + 2 * 512 + 200;
        let rows = file_sizes(&tensors, 200, original, ScaleDtype::Fp16);
        assert_eq!(rows.len(), 33);
        let get = |id: &str| rows.iter().find(|r| r.id == id).unwrap();
        assert_eq!(
            get("int4-sym-g128").bytes,
            200 + 1024 + 512 * 256 + 2 * 2048
        );
        assert!(get("int4-sym-g128").ratio < 0.3);
        assert!(get("int8-sym-tensor").bytes > get("q4-0").bytes);
        assert_eq!(get("q8-0").quantized, 1);
        // 512·512 values: 8192 blocks of 17 bytes (MXFP4), 16384 of 9 bytes + 4 (NVFP4).
        assert_eq!(get("mxfp4").bytes, 200 + 1024 + 8192 * 17);
        assert_eq!(get("nvfp4").bytes, 200 + 1024 + 16384 * 9 + 4);
        assert_eq!(get("mxfp6-e3m2").bytes, 200 + 1024 + 8192 * 25);
    }
}
