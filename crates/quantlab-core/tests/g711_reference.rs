//! The G.711 codecs against a real codec: every 16-bit PCM sample `x` (all 65,536), fed to
//! the `mu-law-g711` and `a-law-g711` schemes as `x / 32768` (the WAV convention of the
//! core's own reader), must give the byte of Python's `audioop.lin2ulaw` / `lin2alaw` and,
//! decoded and scaled by 32768, the sample of `ulaw2lin` / `alaw2lin`.
//!
//! The reference values are in `tests/data/g711_reference.txt`, written by
//! `scripts/ref_g711.py` (runs of equal bytes; expanded here), so this test needs no Python.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use quantlab_core::mulaw::{G711Law, G711Quantizer};
use quantlab_core::quantizer::{Scheme, SchemeKind};

/// `(byte, decoded)` for every x in −32768..=32767, index `x + 32768`.
fn reference(law: &str) -> Vec<(u8, i16)> {
    let text = include_str!("data/g711_reference.txt");
    let runs: Vec<(i32, u8, i16)> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0] == law).then(|| {
                (
                    f[1].parse().unwrap(),
                    f[2].parse().unwrap(),
                    f[3].parse().unwrap(),
                )
            })
        })
        .collect();
    assert_eq!(
        runs.first().map(|r| r.0),
        Some(-32768),
        "{law}: the runs start at −32768"
    );
    let mut out = Vec::with_capacity(65536);
    for (i, &(start, byte, decoded)) in runs.iter().enumerate() {
        let end = runs.get(i + 1).map_or(32768, |r| r.0);
        assert!(end > start, "{law}: runs in order");
        out.extend(std::iter::repeat_n((byte, decoded), (end - start) as usize));
    }
    assert_eq!(out.len(), 65536);
    out
}

/// Mismatches of the scheme against the reference over all 65,536 inputs:
/// `(byte mismatches, decoded-sample mismatches, first few)`.
fn mismatches(kind: SchemeKind, law: &str) -> (usize, usize, Vec<String>) {
    let want = reference(law);
    let x: Vec<f32> = (-32768..=32767).map(|v: i32| v as f32 / 32768.0).collect();
    let scheme = Scheme {
        scheme: kind,
        bits: 8,
        ..Scheme::default()
    };
    let q = scheme.fit(&x, &[]).unwrap();
    let codes = q.quantize(&x).unwrap();
    let y = q.dequantize(&codes).unwrap();
    let (mut bytes, mut samples, mut first) = (0, 0, Vec::new());
    for (i, (&(byte, decoded), (&c, &v))) in want.iter().zip(codes.iter().zip(&y)).enumerate() {
        let got = f64::from(v) * 32768.0;
        let bad_byte = c != i32::from(byte);
        let bad_sample = got != f64::from(decoded);
        bytes += usize::from(bad_byte);
        samples += usize::from(bad_sample);
        if (bad_byte || bad_sample) && first.len() < 8 {
            first.push(format!(
                "x = {}: byte {c:#04x} (want {byte:#04x}), decoded {got} (want {decoded})",
                i as i32 - 32768
            ));
        }
    }
    (bytes, samples, first)
}

#[test]
fn mu_law_g711_equals_audioop_on_every_16_bit_sample() {
    let (bytes, samples, first) = mismatches(SchemeKind::MuLawG711, "mu");
    println!("mu-law-g711: {bytes} byte and {samples} sample mismatches of 65536");
    assert_eq!((bytes, samples), (0, 0), "{first:#?}");
}

#[test]
fn a_law_g711_equals_audioop_on_every_16_bit_sample() {
    let (bytes, samples, first) = mismatches(SchemeKind::ALawG711, "a");
    println!("a-law-g711: {bytes} byte and {samples} sample mismatches of 65536");
    assert_eq!((bytes, samples), (0, 0), "{first:#?}");
}

#[test]
fn the_integer_codecs_equal_audioop() {
    for (law, name) in [(G711Law::MuLaw, "mu"), (G711Law::ALaw, "a")] {
        let want = reference(name);
        let bad = (-32768..=32767i32)
            .filter(|&x| {
                let (byte, decoded) = want[(x + 32768) as usize];
                let code = law.encode(x as i16);
                code != byte || law.decode(code) != decoded
            })
            .count();
        assert_eq!(bad, 0, "{name}");
    }
    // The WAV convention: full scale is 32768.
    assert_eq!(G711Quantizer::to_pcm(-1.0, 1.0), -32768);
    assert_eq!(G711Quantizer::to_pcm(0.5, 1.0), 16384);
    assert_eq!(G711Quantizer::to_pcm(1.0, 1.0), 32767);
}
