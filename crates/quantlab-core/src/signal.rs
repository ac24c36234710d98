//! Seeded, reproducible test signals.
//!
//! Time runs over one window `t = n/N`, `n = 0..N`. Periodic signals take `freq` in cycles
//! per window; noise signals take `seed`. The same spec always yields the same samples,
//! on every platform (ChaCha8 generator, f64 math, one rounding to f32 at the end).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use std::f64::consts::{PI, SQRT_2};

use crate::error::{QuantError, Result};

/// The Signal lab's one sample-count limit (4,194,304 = 2²²): the most samples a generator
/// produces, a drawing is resampled to, a link's `n` may ask for and an uploaded file keeps
/// (a longer file is cut to its first `MAX_SAMPLES`, and the page says so).
pub const MAX_SAMPLES: usize = 1 << 22;

/// `n` when it is a sample count the lab works on (1 to [`MAX_SAMPLES`]), else why not.
pub fn check_sample_count(n: usize) -> Result<usize> {
    if n == 0 || n > MAX_SAMPLES {
        return Err(QuantError::InvalidParameter(format!(
            "N = {n} is out of range: 1 to {MAX_SAMPLES} samples"
        )));
    }
    Ok(n)
}

/// Serde: a sample count, refused outside 1 to [`MAX_SAMPLES`] (so a link asking for more
/// is ignored with a warning and the default kept).
pub fn deserialize_sample_count<'de, D>(d: D) -> std::result::Result<usize, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let n = usize::deserialize(d)?;
    check_sample_count(n).map_err(serde::de::Error::custom)
}

/// Keeps at most [`MAX_SAMPLES`] of `samples` (the first ones); returns the samples and,
/// when the input was cut, its original length.
pub fn keep_samples(mut samples: Vec<f32>) -> (Vec<f32>, Option<usize>) {
    let total = samples.len();
    if total > MAX_SAMPLES {
        samples.truncate(MAX_SAMPLES);
        samples.shrink_to_fit();
        (samples, Some(total))
    } else {
        (samples, None)
    }
}

/// Which signal to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SignalKind {
    /// `A·sin(2π·f·t)`.
    #[default]
    Sine,
    /// `A·(0.6·sin(2πft) + 0.3·sin(2π·2.7ft + 0.5) + 0.1·sin(2π·7.3ft + 1.3))`.
    SumOfSines,
    /// Linear chirp from 1 cycle/window up to `8·f`: `A·sin(2π(t + (8f − 1)·t²/2))`.
    Chirp,
    /// Gaussian noise with σ = A/3 (so nearly all samples lie within ±A).
    Gaussian,
    /// Laplacian noise with the same σ = A/3 (scale b = σ/√2): heavier tails.
    Laplacian,
    /// Speech-like: `f` bursts of a 3-harmonic tone (about 40 pitch periods a burst), each
    /// with a fast attack and exponential decay, and random (seeded) burst peaks between
    /// 0.05·A and A: a wide dynamic range, as in speech.
    #[serde(rename = "speech")]
    SpeechBursts,
    /// A step from −A to +A at the middle of the window.
    Step,
    /// A ramp from −A to +A across the window.
    Ramp,
}

impl SignalKind {
    /// Every generator, in menu order.
    pub const ALL: [SignalKind; 8] = [
        SignalKind::Sine,
        SignalKind::SumOfSines,
        SignalKind::Chirp,
        SignalKind::Gaussian,
        SignalKind::Laplacian,
        SignalKind::SpeechBursts,
        SignalKind::Step,
        SignalKind::Ramp,
    ];

    /// Whether the seed changes this signal.
    pub fn is_random(self) -> bool {
        matches!(
            self,
            SignalKind::Gaussian | SignalKind::Laplacian | SignalKind::SpeechBursts
        )
    }

    /// Whether `freq` changes this signal.
    pub fn uses_freq(self) -> bool {
        matches!(
            self,
            SignalKind::Sine
                | SignalKind::SumOfSines
                | SignalKind::Chirp
                | SignalKind::SpeechBursts
        )
    }

    /// The name used in URLs.
    pub fn id(self) -> &'static str {
        match self {
            SignalKind::Sine => "sine",
            SignalKind::SumOfSines => "sum-of-sines",
            SignalKind::Chirp => "chirp",
            SignalKind::Gaussian => "gaussian",
            SignalKind::Laplacian => "laplacian",
            SignalKind::SpeechBursts => "speech",
            SignalKind::Step => "step",
            SignalKind::Ramp => "ramp",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            SignalKind::Sine => "Sine",
            SignalKind::SumOfSines => "Sum of sines",
            SignalKind::Chirp => "Chirp",
            SignalKind::Gaussian => "Gaussian noise",
            SignalKind::Laplacian => "Laplacian noise",
            SignalKind::SpeechBursts => "Speech-like decaying bursts",
            SignalKind::Step => "Step",
            SignalKind::Ramp => "Ramp",
        }
    }
}

/// Everything that determines a generated signal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SignalSpec {
    /// Which signal.
    pub kind: SignalKind,
    /// Number of samples `N`.
    pub n: usize,
    /// Amplitude `A` (peak for periodic signals, 3σ for noise).
    pub amp: f64,
    /// Cycles per window for periodic signals.
    pub freq: f64,
    /// Seed for noise.
    pub seed: u64,
    /// DC offset added to every sample.
    pub offset: f64,
}

impl Default for SignalSpec {
    fn default() -> Self {
        SignalSpec {
            kind: SignalKind::Sine,
            n: 1024,
            amp: 1.0,
            freq: 3.0,
            seed: 1,
            offset: 0.0,
        }
    }
}

/// Generates the samples of `spec`.
pub fn generate(spec: &SignalSpec) -> Result<Vec<f32>> {
    if spec.n == 0 {
        return Err(QuantError::Empty);
    }
    check_sample_count(spec.n)?;
    if !spec.amp.is_finite() || !spec.freq.is_finite() || !spec.offset.is_finite() {
        return Err(QuantError::InvalidParameter(
            "amplitude, frequency and offset must be finite numbers".into(),
        ));
    }
    let n = spec.n;
    let a = spec.amp;
    let f = spec.freq;
    let t = |i: usize| i as f64 / n as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let sigma = a / 3.0;
    let out: Vec<f64> = match spec.kind {
        SignalKind::Sine => (0..n).map(|i| a * (2.0 * PI * f * t(i)).sin()).collect(),
        SignalKind::SumOfSines => (0..n)
            .map(|i| {
                let p = 2.0 * PI * f * t(i);
                a * (0.6 * p.sin() + 0.3 * (2.7 * p + 0.5).sin() + 0.1 * (7.3 * p + 1.3).sin())
            })
            .collect(),
        SignalKind::Chirp => {
            let f1 = 8.0 * f;
            (0..n)
                .map(|i| {
                    let x = t(i);
                    a * (2.0 * PI * (x + (f1 - 1.0) * x * x / 2.0)).sin()
                })
                .collect()
        }
        SignalKind::Gaussian => (0..n)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                sigma * z
            })
            .collect(),
        SignalKind::Laplacian => {
            let b = sigma / SQRT_2;
            (0..n)
                .map(|_| {
                    // Inverse CDF: u uniform in (−½, ½), x = −b·sign(u)·ln(1 − 2|u|).
                    let u: f64 = rng.random::<f64>() - 0.5;
                    -b * u.signum() * (1.0 - 2.0 * u.abs()).max(f64::MIN_POSITIVE).ln()
                })
                .collect()
        }
        SignalKind::SpeechBursts => {
            let bursts = f.max(1.0);
            let peaks: Vec<f64> = (0..bursts.ceil() as usize)
                .map(|_| a * (0.05 + 0.95 * rng.random::<f64>()))
                .collect();
            // Pitch: about 40 periods per burst, whatever the window length.
            let pitch = 40.0 * bursts;
            (0..n)
                .map(|i| {
                    let x = t(i) * bursts;
                    let k = (x.floor() as usize).min(peaks.len() - 1);
                    let local = x - x.floor();
                    let envelope = (1.0 - (-local * 60.0).exp()) * (-local * 5.0).exp();
                    let p = 2.0 * PI * pitch * t(i);
                    let tone = 0.6 * p.sin() + 0.3 * (2.0 * p).sin() + 0.1 * (3.0 * p).sin();
                    peaks[k] * envelope * tone
                })
                .collect()
        }
        SignalKind::Step => (0..n).map(|i| if 2 * i < n { -a } else { a }).collect(),
        SignalKind::Ramp => (0..n)
            .map(|i| {
                if n == 1 {
                    0.0
                } else {
                    a * (2.0 * i as f64 / (n - 1) as f64 - 1.0)
                }
            })
            .collect(),
    };
    Ok(out.into_iter().map(|v| (v + spec.offset) as f32).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: SignalKind) -> SignalSpec {
        SignalSpec {
            kind,
            n: 4000,
            ..SignalSpec::default()
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_noise_and_another_seed_does_not() {
        for kind in [SignalKind::Gaussian, SignalKind::Laplacian] {
            let a = generate(&spec(kind)).unwrap();
            assert_eq!(a, generate(&spec(kind)).unwrap());
            let other = SignalSpec {
                seed: 2,
                ..spec(kind)
            };
            assert_ne!(a, generate(&other).unwrap());
        }
    }

    #[test]
    fn sine_peaks_at_the_amplitude() {
        let x = generate(&SignalSpec {
            n: 1200,
            amp: 0.8,
            freq: 3.0,
            ..SignalSpec::default()
        })
        .unwrap();
        let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((peak - 0.8).abs() < 1e-6);
    }

    #[test]
    fn noise_has_the_documented_standard_deviation() {
        for kind in [SignalKind::Gaussian, SignalKind::Laplacian] {
            let x = generate(&SignalSpec {
                n: 200_000,
                amp: 3.0,
                ..spec(kind)
            })
            .unwrap();
            let var = x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len() as f64;
            assert!(
                (var.sqrt() - 1.0).abs() < 0.02,
                "{kind:?}: σ = {}",
                var.sqrt()
            );
        }
    }

    #[test]
    fn every_generator_stays_finite_and_within_bounds() {
        for kind in SignalKind::ALL {
            let x = generate(&spec(kind)).unwrap();
            assert_eq!(x.len(), 4000);
            assert!(x.iter().all(|v| v.is_finite()));
            if !matches!(kind, SignalKind::Gaussian | SignalKind::Laplacian) {
                // Speech peaks stay below A too: envelope ≤ 1 and the tone's weights sum to 1.
                assert!(x.iter().all(|v| v.abs() <= 1.0 + 1e-6), "{kind:?}");
            }
        }
    }

    #[test]
    fn step_ramp_and_offset_are_exact() {
        let step = generate(&SignalSpec {
            kind: SignalKind::Step,
            n: 4,
            amp: 2.0,
            offset: 0.5,
            ..SignalSpec::default()
        })
        .unwrap();
        assert_eq!(step, vec![-1.5, -1.5, 2.5, 2.5]);
        let ramp = generate(&SignalSpec {
            kind: SignalKind::Ramp,
            n: 5,
            amp: 1.0,
            ..SignalSpec::default()
        })
        .unwrap();
        assert_eq!(ramp, vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
    }

    #[test]
    fn speech_bursts_have_a_wide_dynamic_range() {
        let x = generate(&SignalSpec {
            kind: SignalKind::SpeechBursts,
            n: 16_000,
            freq: 6.0,
            seed: 3,
            ..SignalSpec::default()
        })
        .unwrap();
        // Peak of each burst: the loudest and the quietest differ by more than 6 dB.
        let per = x.len() / 6;
        let peaks: Vec<f32> = x
            .chunks(per)
            .map(|c| c.iter().fold(0.0f32, |m, v| m.max(v.abs())))
            .collect();
        let hi = peaks.iter().cloned().fold(0.0, f32::max);
        let lo = peaks.iter().cloned().fold(f32::INFINITY, f32::min);
        assert!(hi / lo > 2.0, "{peaks:?}");
        assert!(hi <= 1.0);
    }

    #[test]
    fn zero_and_absurd_sizes_are_errors() {
        assert_eq!(
            generate(&SignalSpec {
                n: 0,
                ..SignalSpec::default()
            }),
            Err(QuantError::Empty)
        );
        assert!(
            generate(&SignalSpec {
                n: MAX_SAMPLES + 1,
                ..SignalSpec::default()
            })
            .is_err()
        );
        assert!(
            generate(&SignalSpec {
                amp: f64::NAN,
                ..SignalSpec::default()
            })
            .is_err()
        );
    }

    #[test]
    fn one_sample_limit_for_generators_links_and_files() {
        assert_eq!(MAX_SAMPLES, 4_194_304);
        assert_eq!(check_sample_count(MAX_SAMPLES), Ok(MAX_SAMPLES));
        let e = check_sample_count(MAX_SAMPLES + 1).unwrap_err().to_string();
        assert!(e.contains("4194305") && e.contains("1 to 4194304"), "{e}");
        assert!(check_sample_count(0).is_err());
        // A link: serde refuses a count past the limit.
        #[derive(serde::Deserialize, Debug)]
        struct S {
            #[serde(deserialize_with = "deserialize_sample_count")]
            n: usize,
        }
        let ok: S = serde_json::from_str(r#"{"n": 4194304}"#).unwrap();
        assert_eq!(ok.n, MAX_SAMPLES);
        assert!(serde_json::from_str::<S>(r#"{"n": 4194305}"#).is_err());
        assert!(serde_json::from_str::<S>(r#"{"n": 0}"#).is_err());
        // A file: cut to the limit, with its original length.
        let (kept, cut) = keep_samples(vec![0.5; MAX_SAMPLES + 10]);
        assert_eq!((kept.len(), cut), (MAX_SAMPLES, Some(MAX_SAMPLES + 10)));
        let (kept, cut) = keep_samples(vec![0.5; 100]);
        assert_eq!((kept.len(), cut), (100, None));
    }
}
