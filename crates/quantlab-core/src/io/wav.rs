//! RIFF WAVE audio, read with the `hound` crate.
//!
//! **Samples** are normalised to `[−1, 1]`:
//!
//! ```text
//! integer PCM, b bits (8, 16, 24, 32):   x = s / 2^(b−1)      (s in [−2^(b−1), 2^(b−1) − 1])
//! IEEE float, 32 bits:                   x = s                (as stored)
//! ```
//!
//! (8-bit WAVE is unsigned on disk; `hound` recentres it to `[−128, 127]` first.) The full
//! negative code maps to exactly `−1`; the largest positive code to `1 − 2^(1−b)`.
//!
//! **Channels** are mixed to mono by the mean of each frame, `x[n] = (1/C)·Σ_c x_c[n]`,
//! so the tensor has shape `[frames]`. The sample rate is returned beside it by
//! [`read_with_rate`].

use super::{Tensor, bad};
use crate::error::Result;

const FORMAT: &str = ".wav";

/// Reads a WAVE file as mono samples in `[−1, 1]` (see the module docs). The tensor is named
/// `audio`.
pub fn read(bytes: &[u8]) -> Result<Tensor> {
    read_with_rate(bytes).map(|(t, _)| t)
}

/// [`read`], also returning the sample rate in Hz.
pub fn read_with_rate(bytes: &[u8]) -> Result<(Tensor, u32)> {
    let reader = hound::WavReader::new(bytes).map_err(describe)?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels);
    if channels == 0 {
        return Err(bad(FORMAT, "the file declares zero channels"));
    }
    if spec.sample_rate == 0 {
        return Err(bad(
            FORMAT,
            "the header declares a sample rate of 0 Hz: a sound needs a positive rate \
             (8000, 44100, … samples per second)",
        ));
    }
    // Every sample takes at least one byte, so this bounds the allocation by the file size.
    let declared = usize::try_from(reader.len()).unwrap_or(usize::MAX);
    let mut samples: Vec<f32> = Vec::with_capacity(declared.min(bytes.len()));
    match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Int, bits @ (8 | 16 | 24 | 32)) => {
            let scale = 1.0 / f64::from(1u32 << (bits - 1));
            for s in reader.into_samples::<i32>() {
                let s = s.map_err(describe)?;
                samples.push((f64::from(s) * scale) as f32);
            }
        }
        (hound::SampleFormat::Float, 32) => {
            for s in reader.into_samples::<f32>() {
                samples.push(s.map_err(describe)?);
            }
        }
        (format, bits) => {
            let kind = match format {
                hound::SampleFormat::Int => "integer",
                hound::SampleFormat::Float => "float",
            };
            return Err(bad(
                FORMAT,
                format!(
                    "unsupported sample format: {bits}-bit {kind} (quantlab reads 8/16/24/32-bit \
                     integer PCM and 32-bit float)"
                ),
            ));
        }
    }
    if !samples.len().is_multiple_of(channels) {
        return Err(bad(
            FORMAT,
            format!(
                "truncated: {} samples do not make whole frames of {channels} channels",
                samples.len()
            ),
        ));
    }
    if let Some(i) = samples.iter().position(|v| !v.is_finite()) {
        return Err(bad(
            FORMAT,
            format!(
                "sample {i} is not a finite number ({})",
                samples.get(i).copied().unwrap_or(f32::NAN)
            ),
        ));
    }
    let mono: Vec<f32> = if channels == 1 {
        samples
    } else {
        samples
            .chunks_exact(channels)
            .map(|frame| {
                (frame.iter().map(|&v| f64::from(v)).sum::<f64>() / channels as f64) as f32
            })
            .collect()
    };
    let frames = mono.len();
    Ok((Tensor::new("audio", vec![frames], mono)?, spec.sample_rate))
}

/// Turns a `hound` error into a message about the file.
fn describe(e: hound::Error) -> crate::error::QuantError {
    match e {
        hound::Error::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            bad(FORMAT, "truncated: the file ends before its data does")
        }
        hound::Error::IoError(io) => bad(FORMAT, format!("truncated or damaged: {io}")),
        hound::Error::FormatError(msg) if msg.contains("RIFF") || msg.contains("WAVE") => bad(
            FORMAT,
            format!("wrong magic number: a .wav file starts with RIFF….WAVE ({msg})"),
        ),
        hound::Error::FormatError(msg) => bad(FORMAT, format!("bad header: {msg}")),
        hound::Error::Unsupported => bad(
            FORMAT,
            "unsupported encoding (only PCM and IEEE float WAVE files can be read, not ADPCM, \
             μ-law or other compressed formats)",
        ),
        other => bad(FORMAT, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::QuantError;

    /// A canonical 44-byte-header WAVE file.
    fn wav(format_tag: u16, channels: u16, bits: u16, data: &[u8]) -> Vec<u8> {
        let rate = 8000u32;
        let block = channels * bits / 8;
        let mut out = Vec::new();
        out.extend(b"RIFF");
        out.extend((36 + data.len() as u32).to_le_bytes());
        out.extend(b"WAVEfmt ");
        out.extend(16u32.to_le_bytes());
        out.extend(format_tag.to_le_bytes());
        out.extend(channels.to_le_bytes());
        out.extend(rate.to_le_bytes());
        out.extend((rate * u32::from(block)).to_le_bytes());
        out.extend(block.to_le_bytes());
        out.extend(bits.to_le_bytes());
        out.extend(b"data");
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn sixteen_bit_pcm_is_normalised_to_plus_minus_one() {
        let data: Vec<u8> = [i16::MIN, 0, 16384, i16::MAX]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let (t, rate) = read_with_rate(&wav(1, 1, 16, &data)).unwrap();
        assert_eq!(rate, 8000);
        assert_eq!(t.shape, vec![4]);
        assert_eq!(t.data, vec![-1.0, 0.0, 0.5, 32767.0 / 32768.0]);
    }

    #[test]
    fn eight_twenty_four_and_thirty_two_bit_pcm_are_read() {
        // 8-bit is unsigned on disk: 0 → −1, 128 → 0, 192 → 0.5.
        let t = read(&wav(1, 1, 8, &[0, 128, 192])).unwrap();
        assert_eq!(t.data, vec![-1.0, 0.0, 0.5]);
        let d24: Vec<u8> = [-(1i32 << 23), 1 << 22]
            .iter()
            .flat_map(|s| s.to_le_bytes()[..3].to_vec())
            .collect();
        assert_eq!(read(&wav(1, 1, 24, &d24)).unwrap().data, vec![-1.0, 0.5]);
        let d32: Vec<u8> = [i32::MIN, 1 << 29]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        assert_eq!(read(&wav(1, 1, 32, &d32)).unwrap().data, vec![-1.0, 0.25]);
    }

    #[test]
    fn stereo_float_is_mixed_to_mono_by_the_mean() {
        let data: Vec<u8> = [0.5f32, -0.5, 1.0, 0.0]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let t = read(&wav(3, 2, 32, &data)).unwrap();
        assert_eq!(t.shape, vec![2]);
        assert_eq!(t.data, vec![0.0, 0.5]);
    }

    #[test]
    fn a_wrong_magic_number_and_truncation_are_named() {
        let e = read(b"RIFX\x00\x00\x00\x00WAVE").unwrap_err().to_string();
        assert!(e.contains("magic") || e.contains("RIFF"), "{e}");
        let e = read(b"not a wav file at all").unwrap_err().to_string();
        assert!(e.starts_with("cannot read this .wav file"), "{e}");
        let full = wav(1, 1, 16, &[1, 0, 2, 0, 3, 0]);
        for cut in [10, 30, full.len() - 1] {
            let e = read(&full[..cut]).unwrap_err().to_string();
            assert!(e.contains("truncated"), "cut {cut}: {e}");
        }
    }

    #[test]
    fn compressed_encodings_are_unsupported() {
        // Format tag 2 is MS ADPCM.
        let e = read(&wav(2, 1, 16, &[0; 4])).unwrap_err().to_string();
        assert!(e.contains("unsupported"), "{e}");
    }

    #[test]
    fn a_file_without_samples_is_empty_and_nan_is_refused() {
        assert_eq!(read(&wav(1, 1, 16, &[])), Err(QuantError::Empty));
        let nan: Vec<u8> = [0.5f32, f32::NAN]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let e = read(&wav(3, 1, 32, &nan)).unwrap_err().to_string();
        assert!(e.contains("sample 1 is not a finite"), "{e}");
    }

    #[test]
    fn damaged_files_never_panic() {
        use rand::{Rng, SeedableRng};
        let good = wav(1, 2, 16, &[1, 0, 2, 0, 3, 0, 4, 0]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
        for _ in 0..3000 {
            let mut b = good.clone();
            for _ in 0..rng.random_range(1..4) {
                let i = rng.random_range(0..b.len());
                b[i] = rng.random();
            }
            let cut = rng.random_range(0..=b.len());
            let _ = read(&b[..cut]);
            let _ = read(&b);
        }
    }

    #[test]
    fn a_zero_hz_sample_rate_is_refused_in_words() {
        let data: Vec<u8> = [0i16, 100, -100]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let mut bytes = wav(1, 1, 16, &data);
        bytes[24..28].copy_from_slice(&0u32.to_le_bytes());
        bytes[28..32].copy_from_slice(&0u32.to_le_bytes());
        let e = read_with_rate(&bytes).unwrap_err().to_string();
        assert!(e.contains("sample rate of 0 Hz"), "{e}");
        assert!(read(&bytes).is_err());
        // The same file with a rate is read.
        bytes[24..28].copy_from_slice(&8000u32.to_le_bytes());
        bytes[28..32].copy_from_slice(&16000u32.to_le_bytes());
        assert_eq!(read_with_rate(&bytes).unwrap().1, 8000);
    }
}
