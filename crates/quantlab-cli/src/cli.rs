//! The command-line grammar (clap derive) and its translation into a [`Scheme`].

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use quantlab_core::clipping::ClipKind;
use quantlab_core::io::Format;
use quantlab_core::quantizer::{Fp8Format, GranularityKind, IntRange};
use quantlab_core::{Mode, Scheme, SchemeKind};

const AFTER_HELP: &str = "\
Examples:
  quantlab quantize --scheme linear --bits 4 --mode sym --granularity channel --input w.npy
  quantlab quantize --scheme nf4 --double-quant --input model.safetensors --tensor fc1.weight --json
  quantlab quantize --scheme q4-k --input model.safetensors --all --threads 2
  quantlab quantize --scheme mu-law --bits 8 --input speech.wav --output speech_q.npy
  quantlab inspect model.gguf
  quantlab schemes

Errors print one line, `quantlab: error: ...`, on stderr; the exit code is 1 (2 for a bad
command line).";

const QUANTIZE_AFTER_HELP: &str = "\
Input formats (by extension, else by content; --format overrides):
  .npy           NumPy arrays: float16/32/64 and integers, C or Fortran order
  .csv .txt      numbers separated by commas, semicolons, tabs, spaces or newlines; one row
                 per line with equal lengths gives a 2-D [rows, cols] tensor; a header line
                 and #-comments are skipped
  .wav           8/16/24/32-bit PCM or 32-bit float, channels mixed to mono, scaled to [-1, 1]
  .safetensors   F32/F16/BF16/F64 tensors; --tensor picks one (default: the only one)
  .gguf          llama.cpp checkpoints: F32/F16/BF16/F64 and the ggml blocks Q4_0 … Q8_0,
                 Q2_K … Q6_K, Q8_K, IQ4_NL, MXFP4, NVFP4, decoded to float32; --tensor picks
                 one (`quantlab inspect FILE` lists them)

Output: the metrics of x̂ = dequantize(quantize(x)) with e = x - x̂:
  mse = mean(e²), snr_db = 10·log10(Σx² / Σe²) (inf when e = 0), max_abs_error = max|e|,
  sqnr_theory_db = 6.02·b + 1.76, bits_per_weight (codes plus scales, zero-points and
  codebooks), levels (of the first scale group), then the fitted parameters (scale and
  zero-point range for linear, iterations for k-means and Lloyd-Max).
  With --json: {\"input\": {...}, \"scheme\": {...}, \"metrics\": {...}, \"parameters\": {...},
  \"output\": path or null}; an infinite snr_db is written as null.
--output writes x̂ as a float32 .npy with the input's shape.";

/// quantlab: quantize tensors and audio from the command line and measure the error.
///
/// The same schemes, parameter names and numbers as the quantlab web app.
#[derive(Debug, Parser)]
#[command(name = "quantlab", version, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Quantize a tensor read from a file and print the error metrics.
    #[command(after_help = QUANTIZE_AFTER_HELP)]
    Quantize(QuantizeArgs),
    /// List every scheme with its parameters and bit range.
    Schemes {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Time fit → quantize → dequantize on a file's tensor (seconds per run).
    Bench(BenchArgs),
    /// List the tensors of a .gguf, .safetensors or .npy file (type, shape, size, bits per
    /// weight) and its metadata, reading the header only.
    Inspect {
        /// The file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// The arguments of `quantlab quantize`.
#[derive(Debug, Args)]
pub struct QuantizeArgs {
    /// The scheme and its parameters.
    #[command(flatten)]
    pub scheme: SchemeArgs,
    /// The input file.
    #[command(flatten)]
    pub input: InputArgs,
    /// Write the dequantized tensor to this file as float32 .npy (same shape as the input).
    #[arg(long, short, value_name = "OUT.npy")]
    pub output: Option<PathBuf>,
    /// Quantize every tensor of a .safetensors or .gguf file (those quantlab decodes), on
    /// several threads, and print each tensor's metrics and the whole file's.
    #[arg(long, conflicts_with_all = ["tensor", "output"])]
    pub all: bool,
    /// Threads for --all [default: one per logical core]. The results do not depend on it.
    #[arg(long, value_name = "N", requires = "all",
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `quantlab bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The scheme and its parameters.
    #[command(flatten)]
    pub scheme: SchemeArgs,
    /// The input file.
    #[command(flatten)]
    pub input: InputArgs,
    /// Timed runs (after one untimed warm-up run).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub repeat: u32,
    /// Time the scalar reference path instead of the fast one: quantize to integer codes,
    /// then dequantize (the oracle the fast path is tested against).
    #[arg(long)]
    pub reference: bool,
    /// Time decoding instead: the stored bytes of the input's tensor (a .gguf file, any
    /// type quantlab reads: the ggml blocks, MXFP4, NVFP4, …) to float32, with no
    /// quantization; the scheme options are then ignored (any --scheme will do).
    #[arg(long, conflicts_with = "reference")]
    pub decode: bool,
    /// With --decode: write the decoded tensor to this file as float32 .npy.
    #[arg(long, short, value_name = "OUT.npy", requires = "decode")]
    pub output: Option<PathBuf>,
    /// Print the timings as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Where the tensor comes from.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The file to read: .npy, .csv/.txt, .wav, .safetensors or .gguf.
    #[arg(long, short, value_name = "FILE")]
    pub input: PathBuf,
    /// The tensor to read from a .safetensors or .gguf file (default: its only tensor).
    #[arg(long, value_name = "NAME")]
    pub tensor: Option<String>,
    /// The file format, when the extension does not tell.
    #[arg(long, value_name = "FORMAT", value_parser = format_parser())]
    pub format: Option<Format>,
}

/// A scheme as command-line options; the names match the URL and JSON fields.
#[derive(Debug, Args)]
pub struct SchemeArgs {
    /// The scheme (see `quantlab schemes`).
    #[arg(long, short, value_name = "SCHEME", value_parser = kind_parser())]
    pub scheme: SchemeKind,
    /// Bits per code, k = 2^B levels [default: 8]. Fixed-width formats (nf4, fp4, fp8,
    /// fp16, bf16, G.711, ggml) take only their own width.
    #[arg(long, short, value_name = "B")]
    pub bits: Option<u32>,
    /// Linear: how the range maps to the grid [default: asym].
    #[arg(long, value_name = "MODE", value_parser = mode_parser())]
    pub mode: Option<Mode>,
    /// Linear: signed or unsigned integer codes [default: signed].
    #[arg(long, value_name = "RANGE", value_parser = range_parser())]
    pub range: Option<IntRange>,
    /// Which values share a scale [default: tensor].
    #[arg(long, value_name = "GRANULARITY", value_parser = granularity_parser())]
    pub granularity: Option<GranularityKind>,
    /// Values per group along the last axis, for --granularity group [default: 64].
    #[arg(long, value_name = "G")]
    pub group_size: Option<u32>,
    /// Channel axis, for --granularity channel [default: 0].
    #[arg(long, value_name = "A")]
    pub axis: Option<u32>,
    /// μ of μ-law companding, > 0 [default: 255].
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub mu: Option<f64>,
    /// A of A-law companding, ≥ 1 [default: 87.6].
    #[arg(long = "a-law", value_name = "A", allow_negative_numbers = true)]
    pub a_law: Option<f64>,
    /// Linear: the clip range: minmax, percentile (99.9), percentile:P (50 ≤ P ≤ 100) or mse
    /// [default: minmax].
    #[arg(long, value_name = "CLIP", value_parser = parse_clip)]
    pub clip: Option<(ClipKind, f64)>,
    /// NF4: values per absmax block [default: 64].
    #[arg(long, value_name = "N")]
    pub block_size: Option<u32>,
    /// NF4: quantize the block scales again to 8 bits (QLoRA's double quantization).
    #[arg(long)]
    pub double_quant: bool,
    /// FP8: the layout [default: e4m3].
    #[arg(long, value_name = "LAYOUT", value_parser = fp8_parser())]
    pub fp8: Option<Fp8Format>,
    /// k-means: seed of the k-means++ start [default: 0].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Rotate before quantizing: a randomized Hadamard transform over each group of
    /// --group-size values (a power of two dividing the rows), undone after, so the error is
    /// measured on the original values. Per-group schemes only (--granularity group); it
    /// stores nothing but its 64-bit seed.
    #[arg(long)]
    pub rotate: bool,
    /// --rotate: seed of the rotation's random signs [default: 0].
    #[arg(long, value_name = "S", requires = "rotate")]
    pub rotate_seed: Option<u64>,
}

impl SchemeArgs {
    /// The [`Scheme`] these options describe, on top of the defaults; checked with
    /// [`Scheme::validate`].
    pub fn to_scheme(&self) -> Result<Scheme, String> {
        let mut s = Scheme {
            scheme: self.scheme,
            ..Scheme::default()
        };
        if let Some(b) = self.bits {
            if let Some(fixed) = self.scheme.fixed_bits()
                && b != fixed
            {
                return Err(format!(
                    "{} has a fixed {fixed}-bit code: leave out --bits or give --bits {fixed}",
                    self.scheme.id()
                ));
            }
            s.bits = b;
        } else if let Some(fixed) = self.scheme.fixed_bits() {
            s.bits = fixed;
        }
        if let Some(v) = self.mode {
            s.mode = v;
        }
        if let Some(v) = self.range {
            s.range = v;
        }
        if let Some(v) = self.granularity {
            s.granularity = v;
        }
        if let Some(v) = self.group_size {
            s.group_size = v;
        }
        if let Some(v) = self.axis {
            s.axis = v;
        }
        if let Some(v) = self.mu {
            s.mu = v;
        }
        if let Some(v) = self.a_law {
            s.a_law = v;
        }
        if let Some((kind, p)) = self.clip {
            s.clip = kind;
            s.percentile = p;
        }
        if let Some(v) = self.block_size {
            s.block_size = v;
        }
        s.double_quant = self.double_quant;
        if let Some(v) = self.fp8 {
            s.fp8 = v;
        }
        if let Some(v) = self.seed {
            s.kmeans_seed = v;
        }
        if self.rotate {
            s.rotate = true;
            if !s.rotation_applies() {
                return Err(format!(
                    "--rotate applies to per-group schemes only: add --granularity group \
                     (and --group-size G, a power of two) to {}",
                    self.scheme.id()
                ));
            }
        }
        if let Some(v) = self.rotate_seed {
            s.rotate_seed = v;
        }
        s.validate().map_err(|e| e.to_string())?;
        Ok(s)
    }
}

/// A parser accepting exactly the ids of `all`.
fn id_parser<T: Copy + Send + Sync + 'static, const N: usize>(
    all: [T; N],
    id: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(all.map(id)).try_map(move |s: String| {
        all.into_iter()
            .find(|&v| id(v) == s)
            .ok_or_else(|| format!("unknown value {s:?}"))
    })
}

fn kind_parser() -> impl TypedValueParser<Value = SchemeKind> {
    id_parser(SchemeKind::ALL, SchemeKind::id)
}

fn mode_parser() -> impl TypedValueParser<Value = Mode> {
    id_parser(Mode::ALL, Mode::id)
}

fn range_parser() -> impl TypedValueParser<Value = IntRange> {
    id_parser([IntRange::Signed, IntRange::Unsigned], |r| match r {
        IntRange::Signed => "signed",
        IntRange::Unsigned => "unsigned",
    })
}

fn granularity_parser() -> impl TypedValueParser<Value = GranularityKind> {
    id_parser(
        [
            GranularityKind::Tensor,
            GranularityKind::Channel,
            GranularityKind::Group,
        ],
        |g| match g {
            GranularityKind::Tensor => "tensor",
            GranularityKind::Channel => "channel",
            GranularityKind::Group => "group",
        },
    )
}

fn fp8_parser() -> impl TypedValueParser<Value = Fp8Format> {
    id_parser(Fp8Format::ALL, Fp8Format::id)
}

fn format_parser() -> impl TypedValueParser<Value = Format> {
    id_parser(Format::ALL, Format::id)
}

/// `minmax`, `mse`, `percentile` or `percentile:P`.
fn parse_clip(s: &str) -> Result<(ClipKind, f64), String> {
    let default_percentile = Scheme::default().percentile;
    match s {
        "minmax" | "min-max" => Ok((ClipKind::MinMax, default_percentile)),
        "mse" => Ok((ClipKind::Mse, default_percentile)),
        "percentile" => Ok((ClipKind::Percentile, default_percentile)),
        _ => {
            let p = s
                .strip_prefix("percentile:")
                .ok_or_else(|| "expected minmax, mse, percentile or percentile:P".to_string())?;
            let p: f64 = p
                .parse()
                .map_err(|_| format!("{p:?} is not a number (percentile:P, 50 ≤ P ≤ 100)"))?;
            if !(50.0..=100.0).contains(&p) {
                return Err(format!(
                    "the clipping percentile must be between 50 and 100, not {p}"
                ));
            }
            Ok((ClipKind::Percentile, p))
        }
    }
}
