//! Accelerators, their memory in bytes, and "which fit, how many".
//!
//! ## What "GB" means on a spec sheet
//!
//! GPU memory is built from chips whose sizes are powers of two, and vendors' "GB" on GPUs
//! is in practice GiB: an "80 GB" H100 has 5 HBM3 stacks of 16 GiB = 80 GiB =
//! 85,899,345,920 bytes, and `nvidia-smi` counts in MiB. Each preset below states the bytes
//! assumed. Drivers reserve a little (an H100 80 GB shows about 79.6 GiB in `nvidia-smi`);
//! the [`Overhead`](super::Overhead) item of an estimate is where such losses belong, so
//! discrete GPUs are counted at their full size.
//!
//! Apple silicon Macs share one pool of unified memory between the CPU and the GPU, and
//! macOS lets the GPU wire only part of it by default (Metal's
//! `recommendedMaxWorkingSetSize`, changeable with `sysctl iogpu.wired_limit_mb`). The
//! default varies with the machine and the macOS version (about 2/3 on a 16 GB Mac, about
//! 84 % measured on a 128 GB one); we count **2/3 for 36 GB and less, 3/4 above**, a
//! slightly conservative rule, and never combine several Macs.

use serde::{Deserialize, Serialize};

use super::units::{GIB, format_bytes};
use crate::error::{QuantError, Result};

/// One accelerator model (or a Mac), with the memory the calculator counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuSpec {
    /// Kebab-case id, e.g. `"h100-80gb"`, or `"custom"`.
    pub id: String,
    /// Display name, e.g. `"NVIDIA H100 80 GB"`.
    pub name: String,
    /// Installed memory in bytes.
    pub memory_bytes: u64,
    /// What a model may use, in bytes (equal to `memory_bytes` for discrete GPUs).
    pub usable_bytes: u64,
    /// Whether several can share one model (tensor/pipeline parallelism).
    pub combinable: bool,
    /// What was assumed, in words.
    pub note: String,
}

impl GpuSpec {
    /// A custom discrete GPU with `gib` GiB, fully usable and combinable. Errors unless
    /// `gib` is finite and between 0 (exclusive) and 1,048,576.
    pub fn custom_gib(gib: f64) -> Result<Self> {
        if !gib.is_finite() || gib <= 0.0 || gib > 1_048_576.0 {
            return Err(QuantError::InvalidParameter(format!(
                "the GPU memory must be between 0 and 1,048,576 GiB, got {gib}"
            )));
        }
        let bytes = (gib * GIB as f64).round() as u64;
        if bytes == 0 {
            return Err(QuantError::InvalidParameter(format!(
                "the GPU memory must be at least 1 byte, got {gib} GiB"
            )));
        }
        Ok(GpuSpec {
            id: "custom".into(),
            name: format!("Custom GPU ({})", format_bytes(bytes)),
            memory_bytes: bytes,
            usable_bytes: bytes,
            combinable: true,
            note: "entered by hand".into(),
        })
    }
}

/// The accelerators the calculator lists. Serialized as its [`id`](GpuPreset::id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GpuPreset {
    /// NVIDIA GeForce RTX 3060 12 GB.
    #[serde(rename = "rtx-3060")]
    Rtx3060,
    /// NVIDIA GeForce RTX 4090 24 GB.
    #[serde(rename = "rtx-4090")]
    Rtx4090,
    /// NVIDIA A100 40 GB.
    A100_40gb,
    /// NVIDIA A100 80 GB.
    A100_80gb,
    /// NVIDIA H100 80 GB.
    H100_80gb,
    /// NVIDIA H200 141 GB.
    H200,
    /// AMD Instinct MI300X 192 GB.
    Mi300x,
    /// Apple silicon Mac with 16 GB unified memory.
    #[serde(rename = "mac-16gb")]
    Mac16,
    /// Apple silicon Mac with 24 GB unified memory.
    #[serde(rename = "mac-24gb")]
    Mac24,
    /// Apple silicon Mac with 36 GB unified memory.
    #[serde(rename = "mac-36gb")]
    Mac36,
    /// Apple silicon Mac with 64 GB unified memory.
    #[serde(rename = "mac-64gb")]
    Mac64,
    /// Apple silicon Mac with 128 GB unified memory.
    #[serde(rename = "mac-128gb")]
    Mac128,
    /// Apple silicon Mac with 192 GB unified memory.
    #[serde(rename = "mac-192gb")]
    Mac192,
}

impl GpuPreset {
    /// Every preset, in menu order.
    pub const ALL: [GpuPreset; 13] = [
        GpuPreset::Rtx3060,
        GpuPreset::Rtx4090,
        GpuPreset::A100_40gb,
        GpuPreset::A100_80gb,
        GpuPreset::H100_80gb,
        GpuPreset::H200,
        GpuPreset::Mi300x,
        GpuPreset::Mac16,
        GpuPreset::Mac24,
        GpuPreset::Mac36,
        GpuPreset::Mac64,
        GpuPreset::Mac128,
        GpuPreset::Mac192,
    ];

    /// The kebab-case id used in URLs and JSON.
    pub fn id(self) -> &'static str {
        match self {
            GpuPreset::Rtx3060 => "rtx-3060",
            GpuPreset::Rtx4090 => "rtx-4090",
            GpuPreset::A100_40gb => "a100-40gb",
            GpuPreset::A100_80gb => "a100-80gb",
            GpuPreset::H100_80gb => "h100-80gb",
            GpuPreset::H200 => "h200",
            GpuPreset::Mi300x => "mi300x",
            GpuPreset::Mac16 => "mac-16gb",
            GpuPreset::Mac24 => "mac-24gb",
            GpuPreset::Mac36 => "mac-36gb",
            GpuPreset::Mac64 => "mac-64gb",
            GpuPreset::Mac128 => "mac-128gb",
            GpuPreset::Mac192 => "mac-192gb",
        }
    }

    /// The preset with this id, if any.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The full description, with the bytes assumed.
    pub fn spec(self) -> GpuSpec {
        let discrete = |name: &str, gib: u64, note: &str| GpuSpec {
            id: self.id().into(),
            name: name.into(),
            memory_bytes: gib * GIB,
            usable_bytes: gib * GIB,
            combinable: true,
            note: format!("{gib} GiB = {} bytes; {note}", gib * GIB),
        };
        let mac = |gib: u64| {
            let (num, den, frac) = if gib <= 36 {
                (2, 3, "2/3")
            } else {
                (3, 4, "3/4")
            };
            let usable = gib * GIB / den * num;
            GpuSpec {
                id: self.id().into(),
                name: format!("Apple silicon Mac, {gib} GB unified memory"),
                memory_bytes: gib * GIB,
                usable_bytes: usable,
                combinable: false,
                note: format!(
                    "{gib} GiB unified memory shared with macOS; the GPU may wire about {frac} by default = {} (raise with sysctl iogpu.wired_limit_mb)",
                    format_bytes(usable)
                ),
            }
        };
        match self {
            GpuPreset::Rtx3060 => discrete(
                "NVIDIA GeForce RTX 3060 12 GB",
                12,
                "6 × 2 GiB GDDR6 (nvidia-smi: 12288 MiB)",
            ),
            GpuPreset::Rtx4090 => discrete(
                "NVIDIA GeForce RTX 4090 24 GB",
                24,
                "12 × 2 GiB GDDR6X (nvidia-smi: about 24564 MiB)",
            ),
            GpuPreset::A100_40gb => discrete(
                "NVIDIA A100 40 GB",
                40,
                "5 × 8 GiB HBM2 (nvidia-smi: about 40960 MiB)",
            ),
            GpuPreset::A100_80gb => discrete(
                "NVIDIA A100 80 GB",
                80,
                "5 × 16 GiB HBM2e (nvidia-smi: about 81920 MiB)",
            ),
            GpuPreset::H100_80gb => discrete(
                "NVIDIA H100 80 GB",
                80,
                "5 × 16 GiB HBM3; nvidia-smi shows about 79.6 GiB after the driver's reservation",
            ),
            GpuPreset::H200 => discrete(
                "NVIDIA H200 141 GB",
                141,
                "sold as 141 GB of HBM3e, counted as 141 GiB like NVIDIA's other cards; nvidia-smi shows about 140.4 GiB",
            ),
            GpuPreset::Mi300x => discrete("AMD Instinct MI300X 192 GB", 192, "8 × 24 GiB HBM3"),
            GpuPreset::Mac16 => mac(16),
            GpuPreset::Mac24 => mac(24),
            GpuPreset::Mac36 => mac(36),
            GpuPreset::Mac64 => mac(64),
            GpuPreset::Mac128 => mac(128),
            GpuPreset::Mac192 => mac(192),
        }
    }
}

/// Every preset's [`GpuSpec`], in menu order.
pub fn gpu_presets() -> Vec<GpuSpec> {
    GpuPreset::ALL.into_iter().map(GpuPreset::spec).collect()
}

/// How a job fits on one kind of accelerator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpuFit {
    /// The accelerator.
    pub gpu: GpuSpec,
    /// Whether one is enough.
    pub fits_on_one: bool,
    /// How many are needed, `ceil(total / usable)`; `None` when one is not enough and they
    /// cannot be combined (Macs).
    pub devices_needed: Option<u64>,
    /// `total / usable` of one device (above 1 means it does not fit on one).
    pub fraction_of_one: f64,
    /// `"ceil(15.80 GiB / 24.00 GiB) = 1"`.
    pub formula: String,
}

/// How many `gpu` hold `total_bytes`: `ceil(total / usable)`, at least 1.
///
/// Deliberately simple: the job is assumed to split evenly (in reality each extra GPU adds
/// its own CUDA context and some replicated buffers).
pub fn devices_needed(total_bytes: u64, gpu: &GpuSpec) -> Result<u64> {
    if gpu.usable_bytes == 0 {
        return Err(QuantError::InvalidParameter(format!(
            "{} has no usable memory",
            gpu.name
        )));
    }
    Ok(total_bytes.div_ceil(gpu.usable_bytes).max(1))
}

/// Whether and how a job of `total_bytes` fits on each of `gpus`.
pub fn gpu_fits(total_bytes: u64, gpus: &[GpuSpec]) -> Result<Vec<GpuFit>> {
    gpus.iter()
        .map(|gpu| {
            let n = devices_needed(total_bytes, gpu)?;
            let fits_on_one = n == 1;
            Ok(GpuFit {
                gpu: gpu.clone(),
                fits_on_one,
                devices_needed: (fits_on_one || gpu.combinable).then_some(n),
                fraction_of_one: total_bytes as f64 / gpu.usable_bytes as f64,
                formula: format!(
                    "ceil({} / {}) = {n}",
                    format_bytes(total_bytes),
                    format_bytes(gpu.usable_bytes)
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_are_the_ids() {
        for p in GpuPreset::ALL {
            let json = serde_json::to_value(p).ok();
            assert_eq!(json, Some(serde_json::Value::from(p.id())), "{p:?}");
            assert_eq!(
                serde_json::from_value::<GpuPreset>(p.id().into()).ok(),
                Some(p)
            );
        }
    }
}
