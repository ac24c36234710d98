//! The course's table: memory for the weights alone, `parameters × bytes per parameter`.
//!
//! "Memória total = número de parâmetros × tamanho de cada parâmetro": 1, 7, 13 and 70
//! billion parameters in FP32 (4 B), FP16 (2 B), BF16 (2 B), INT8 (1 B) and INT4 (0.5 B),
//! shown in GiB (1024³ bytes) with two decimals, as the course does (70 B in FP32 =
//! 260.77 GiB), and in GB (10⁹ bytes) for comparison (280.00 GB). No activations,
//! gradients, optimizer state, KV cache or framework overhead: the theoretical minimum.

use serde::{Deserialize, Serialize};

use super::format::WeightFormat;
use super::units::{
    format_count, format_decimal, format_gb, format_gib, to_gb, to_gib, whole_bytes,
};
use crate::error::Result;

/// One cell: a model size in one format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseTableCell {
    /// The column's format.
    pub format: WeightFormat,
    /// Bytes of the weights.
    pub bytes: u64,
    /// The same in GiB (1024³ bytes).
    pub gib: f64,
    /// The same in GB (10⁹ bytes).
    pub gb: f64,
    /// GiB with two decimals, as the course prints it: `"13.04 GiB"`.
    pub gib_text: String,
    /// GB with two decimals: `"14.00 GB"`.
    pub gb_text: String,
    /// `"7,000,000,000 params · 2 B = 14,000,000,000 B = 13.04 GiB"`.
    pub formula: String,
}

/// One row: a model size across the formats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseTableRow {
    /// Model size in billions of parameters.
    pub billions: u64,
    /// The cells, in the order of [`CourseTable::formats`].
    pub cells: Vec<CourseTableCell>,
}

/// The course's weight-memory table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseTable {
    /// Column formats: FP32, FP16, BF16, INT8, INT4.
    pub formats: Vec<WeightFormat>,
    /// Rows for 1, 7, 13 and 70 billion parameters.
    pub rows: Vec<CourseTableRow>,
}

/// Bytes to store `parameters` weights in `format`: `ceil(parameters · bits_per_weight / 8)`.
pub fn weight_bytes(parameters: u64, format: WeightFormat) -> Result<u64> {
    format.validate()?;
    whole_bytes(
        parameters as f64 * format.bytes_per_weight(),
        "weight memory",
    )
}

/// One cell of the table for any size and format.
pub fn course_cell(billions: u64, format: WeightFormat) -> Result<CourseTableCell> {
    let params = billions.saturating_mul(1_000_000_000);
    let bytes = weight_bytes(params, format)?;
    Ok(CourseTableCell {
        format,
        bytes,
        gib: to_gib(bytes),
        gb: to_gb(bytes),
        gib_text: format_gib(bytes),
        gb_text: format_gb(bytes),
        formula: format!(
            "{} params · {} B = {} B = {}",
            format_count(params),
            format_decimal(format.bytes_per_weight()),
            format_count(bytes),
            format_gib(bytes)
        ),
    })
}

/// The course's table: sizes 1, 7, 13, 70 B × FP32, FP16, BF16, INT8, INT4.
pub fn course_table() -> CourseTable {
    let formats = WeightFormat::COURSE.to_vec();
    let rows = [1u64, 7, 13, 70]
        .into_iter()
        .map(|billions| CourseTableRow {
            billions,
            cells: formats
                .iter()
                // The course's sizes and formats are far from any limit: no cell can fail.
                .filter_map(|&f| course_cell(billions, f).ok())
                .collect(),
        })
        .collect();
    CourseTable { formats, rows }
}
