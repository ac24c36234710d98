//! Hand-drawn signals: a few control points in `[−1, 1]`, stored compactly so a drawing
//! fits in a link, and resampled to any length. The 28×28 drawing pad of the image sets
//! (strokes and MNIST-style framing) is [`pad`].
//!
//! Encoding: each point becomes one byte `round((v + 1)/2 · 255)`, and the bytes are
//! written in URL-safe base64 without padding (RFC 4648 §5). 128 points take 171
//! characters. The byte grid has 256 levels, so a decoded drawing differs from the
//! original by at most `1/255` (half a byte step of `2/255`).

pub mod pad;

pub use pad::{Framing, PAD_SIDE, frame_digit};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{QuantError, Result};

/// Control points a drawing keeps.
pub const DRAWN_POINTS: usize = 128;

/// Longest encoded drawing accepted (a link should not carry more).
pub const MAX_ENCODED_LEN: usize = 4096;

/// Encodes points in `[−1, 1]` (values outside are clamped; NaN counts as 0).
pub fn encode(points: &[f32]) -> String {
    let bytes: Vec<u8> = points
        .iter()
        .map(|&v| {
            let v = if v.is_nan() { 0.0 } else { v.clamp(-1.0, 1.0) };
            ((v + 1.0) / 2.0 * 255.0).round() as u8
        })
        .collect();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a drawing written by [`encode`].
pub fn decode(text: &str) -> Result<Vec<f32>> {
    if text.len() > MAX_ENCODED_LEN {
        return Err(QuantError::InvalidParameter(format!(
            "the drawing in the link is too long ({} characters, at most {MAX_ENCODED_LEN})",
            text.len()
        )));
    }
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|e| {
        QuantError::InvalidParameter(format!("the drawing in the link is damaged: {e}"))
    })?;
    if bytes.len() < 2 {
        return Err(QuantError::InvalidParameter(
            "a drawing needs at least 2 points".into(),
        ));
    }
    Ok(bytes
        .into_iter()
        .map(|b| f32::from(b) / 255.0 * 2.0 - 1.0)
        .collect())
}

/// Resamples `points` (spread evenly over the window) to `n` samples by linear
/// interpolation.
pub fn resample(points: &[f32], n: usize) -> Result<Vec<f32>> {
    if points.is_empty() || n == 0 {
        return Err(QuantError::Empty);
    }
    if points.len() == 1 || n == 1 {
        return Ok(vec![points[0]; n]);
    }
    let last = (points.len() - 1) as f64;
    Ok((0..n)
        .map(|i| {
            let pos = i as f64 / (n - 1) as f64 * last;
            let k = (pos.floor() as usize).min(points.len() - 2);
            let frac = pos - k as f64;
            (f64::from(points[k]) * (1.0 - frac) + f64::from(points[k + 1]) * frac) as f32
        })
        .collect())
}

/// Sets the control points touched by a stroke segment from `(x0, y0)` to `(x1, y1)`,
/// with `x` in `[0, 1]` across the window and `y` in `[−1, 1]`, interpolating between them
/// so a fast stroke leaves no gaps.
pub fn stroke(points: &mut [f32], (x0, y0): (f64, f64), (x1, y1): (f64, f64)) {
    let k = points.len();
    if k == 0 || ![x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
        return;
    }
    let idx = |x: f64| (x.clamp(0.0, 1.0) * (k - 1) as f64).round() as usize;
    let (i0, i1) = (idx(x0), idx(x1));
    let (lo, hi) = (i0.min(i1), i0.max(i1));
    for (i, p) in points.iter_mut().enumerate().take(hi + 1).skip(lo) {
        let t = if i1 == i0 {
            1.0
        } else {
            (i as f64 - i0 as f64) / (i1 as f64 - i0 as f64)
        };
        *p = (y0 + (y1 - y0) * t).clamp(-1.0, 1.0) as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawing_survives_the_link_within_half_a_byte_step() {
        let pts: Vec<f32> = (0..DRAWN_POINTS)
            .map(|i| ((i as f32) * 0.2).sin())
            .collect();
        let text = encode(&pts);
        assert_eq!(text.len(), 171);
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        let back = decode(&text).unwrap();
        for (a, b) in pts.iter().zip(&back) {
            assert!((a - b).abs() <= 1.0 / 255.0 + 1e-6);
        }
    }

    #[test]
    fn damaged_or_tiny_drawings_are_errors() {
        assert!(decode("!!!").is_err());
        assert!(decode("AA").is_err());
        assert!(decode(&"A".repeat(MAX_ENCODED_LEN + 1)).is_err());
    }

    #[test]
    fn resampling_interpolates_linearly_and_keeps_the_ends() {
        let r = resample(&[-1.0, 1.0], 5).unwrap();
        assert_eq!(r, vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert_eq!(resample(&[0.25], 3).unwrap(), vec![0.25; 3]);
        assert!(resample(&[], 3).is_err());
    }

    #[test]
    fn a_fast_stroke_fills_every_point_it_crosses() {
        let mut p = vec![0.0f32; 11];
        stroke(&mut p, (0.0, -1.0), (1.0, 1.0));
        assert_eq!(p[0], -1.0);
        assert_eq!(p[10], 1.0);
        assert!((p[5] - 0.0).abs() < 1e-6);
        stroke(&mut p, (0.5, f64::NAN), (0.6, 0.0));
        assert!((p[5] - 0.0).abs() < 1e-6, "NaN strokes are ignored");
    }
}
