//! One quantization studied end to end: fit → quantize → dequantize → error figures.
//!
//! The pipeline behind the Signal lab and the command line's `quantize`: [`study_signal`]
//! fits a [`Scheme`] to some data, reconstructs it and measures the error, returning
//! every number those front ends show ([`SignalStudy`]). The Weight lab's heavier,
//! per-group study of a tensor is [`crate::weights::study`].
//!
//! Conventions: the error is `e = x − x̂` (in `f32`, as displayed); the SNR is
//! [`crate::metrics::snr_db`] (`+∞` for an exact reconstruction); the step of a linear
//! scheme is its scale `S` (of the first scale group), of any other scheme the smallest gap
//! between adjacent levels ([`smallest_step`]).

use crate::error::Result;
use crate::metrics::Metrics;
use crate::quant::linear::{AffineParams, LinearQuantizer};
use crate::quant::quantizer::Quantizer;
use crate::quant::registry;
use crate::quant::scheme::{ScaleLayout, Scheme};

/// Everything measured about one quantization of some data ([`study_signal`]).
#[derive(Debug)]
pub struct SignalStudy {
    /// The scheme, as given.
    pub scheme: Scheme,
    /// The fitted quantizer (its codes: [`SignalStudy::codes`]).
    pub quantizer: Box<dyn Quantizer>,
    /// The reconstruction `x̂ = Q(x)`, one value per input value.
    pub reconstruction: Vec<f32>,
    /// The error `e = x − x̂` of every value (computed in `f32`).
    pub error: Vec<f32>,
    /// The reconstruction levels of the first scale group, ascending
    /// ([`Quantizer::levels`]).
    pub levels: Vec<f32>,
    /// Width of one code in bits ([`Scheme::code_bits`]); the `b` of `L = 2^b`.
    pub code_bits: u32,
    /// Storage cost in bits per value, scales and zero-points included
    /// ([`Quantizer::bits_per_value`]).
    pub bits_per_value: f64,
    /// The affine parameters (scale `S`, zero-point `Z`, code range) of the first scale
    /// group of a linear scheme; `None` for every other scheme.
    pub params: Option<AffineParams>,
    /// MSE, largest `|e|`, measured SNR (dB), the theory line `6.02·b + 1.76` dB, the step
    /// (the linear scale `S`, else [`smallest_step`] of [`SignalStudy::levels`]) and the
    /// level count `L` (the linear scheme's code count `q_max − q_min + 1`, else the
    /// number of levels).
    pub metrics: Metrics,
    /// The smallest input value (`+∞` for empty data, which is an error anyway).
    pub x_min: f64,
    /// The largest input value.
    pub x_max: f64,
    /// Named figures of the fitted parameters ([`Quantizer::describe`]): e.g. the linear
    /// scheme's smallest and largest scale and zero-point, a codebook's iterations.
    pub parameters: Vec<(String, f64)>,
}

impl SignalStudy {
    /// `max(|x_min|, |x_max|)`: the absmax that scales the absmax-normalised schemes.
    pub fn absmax(&self) -> f64 {
        self.x_max.abs().max(self.x_min.abs())
    }

    /// The integer codes of `data` (the data this study was made on): `Q` before
    /// dequantization.
    pub fn codes(&self, data: &[f32]) -> Result<Vec<i32>> {
        self.quantizer.quantize(data)
    }
}

/// Fits `scheme` to `data` of the given `shape` (row-major; an empty shape means 1-D),
/// quantizes and dequantizes it and measures the error (see the module docs).
///
/// Linear time in `N` plus the scheme's fit. Errors: bad scheme parameters
/// ([`Scheme::validate`]), empty data, NaN or infinity, a shape that does not hold the
/// data.
pub fn study_signal(data: &[f32], shape: &[usize], scheme: &Scheme) -> Result<SignalStudy> {
    // The linear scheme is fitted directly so its scale and zero-point can be reported.
    // A rotated scheme goes through the registry's rotated quantizer (its parameters are
    // those of the rotated domain, reported by `describe`).
    let (quantizer, params): (Box<dyn Quantizer>, Option<AffineParams>) =
        match scheme.scheme.scales() {
            ScaleLayout::Affine if !scheme.rotates() => {
                scheme.validate()?;
                let lq = LinearQuantizer::fit(data, shape, scheme)?;
                let p = lq.params.first().copied();
                (Box::new(lq), p)
            }
            ScaleLayout::None
            | ScaleLayout::Affine
            | ScaleLayout::GroupAbsmax
            | ScaleLayout::MiniFloat
            | ScaleLayout::GgmlBlock(_)
            | ScaleLayout::Nf4Block
            | ScaleLayout::Codebook
            | ScaleLayout::MxBlock(_)
            | ScaleLayout::Nvfp4Block => (registry::fit(scheme, data, shape)?, None),
        };
    let reconstruction = quantizer.quantize_dequantize(data)?;
    let error: Vec<f32> = data
        .iter()
        .zip(&reconstruction)
        .map(|(a, b)| a - b)
        .collect();
    let levels = quantizer.levels();
    let code_bits = scheme.code_bits();
    let (step, count) = match params {
        Some(p) => (p.scale, p.num_codes()),
        None => (smallest_step(&levels), levels.len()),
    };
    let metrics = Metrics::compute(data, &reconstruction, code_bits, step, count)?;
    let (x_min, x_max) = data
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |m, &v| {
            (m.0.min(f64::from(v)), m.1.max(f64::from(v)))
        });
    Ok(SignalStudy {
        scheme: *scheme,
        bits_per_value: quantizer.bits_per_value(),
        parameters: quantizer.describe(),
        quantizer,
        reconstruction,
        error,
        levels,
        code_bits,
        params,
        metrics,
        x_min,
        x_max,
    })
}

/// The smallest gap between adjacent levels: the finest step of a non-uniform quantizer
/// (0 when there is a single level).
pub fn smallest_step(levels: &[f32]) -> f64 {
    let smallest = levels
        .windows(2)
        .map(|w| f64::from(w[1]) - f64::from(w[0]))
        .filter(|d| *d > 0.0)
        .fold(f64::INFINITY, f64::min);
    if smallest.is_finite() { smallest } else { 0.0 }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::metrics::{max_abs_error, mse, snr_db, sqnr_theory_db};
    use crate::quant::scheme::SchemeKind;
    use crate::quant::types::{GranularityKind, Mode};

    fn sine(n: usize) -> Vec<f32> {
        (0..n).map(|i| (i as f32 * 0.05).sin() * 0.8).collect()
    }

    #[test]
    fn linear_reports_its_scale_zero_point_and_the_course_figures() {
        let x = sine(1000);
        let s = Scheme {
            bits: 8,
            mode: Mode::Sym,
            ..Scheme::default()
        };
        let r = study_signal(&x, &[], &s).unwrap();
        let p = r.params.unwrap();
        assert_eq!(p.zero_point, 0.0);
        assert_eq!(p.scale, f64::from(r.absmax() as f32 / 127.0));
        assert_eq!(r.metrics.step, p.scale);
        assert_eq!(r.metrics.levels, p.num_codes());
        assert_eq!(r.code_bits, 8);
        assert_eq!(r.metrics.sqnr_theory_db, sqnr_theory_db(8));
        assert_eq!(r.reconstruction.len(), x.len());
        assert_eq!(r.metrics.mse, mse(&x, &r.reconstruction));
        assert_eq!(r.metrics.snr_db, snr_db(&x, &r.reconstruction));
        assert_eq!(
            r.metrics.max_abs_error,
            max_abs_error(&x, &r.reconstruction)
        );
        // The error is x − x̂, and never beyond half a step inside the range.
        for ((&a, &b), &e) in x.iter().zip(&r.reconstruction).zip(&r.error) {
            assert_eq!(e, a - b);
            assert!(f64::from(e.abs()) <= p.scale / 2.0 + 1e-6);
        }
        let codes = r.codes(&x).unwrap();
        assert_eq!(r.quantizer.dequantize(&codes).unwrap(), r.reconstruction);
        assert!(r.parameters.iter().any(|(k, _)| k == "scale_max"));
    }

    #[test]
    fn the_study_matches_fit_then_quantize_for_every_scheme() {
        let x = sine(256);
        for kind in SchemeKind::ALL {
            let s = Scheme {
                scheme: kind,
                bits: 4,
                ..Scheme::default()
            };
            let r = study_signal(&x, &[], &s).unwrap();
            let q = s.fit(&x, &[]).unwrap();
            let y = q.quantize_dequantize(&x).unwrap();
            assert_eq!(r.reconstruction, y, "{kind:?}");
            assert_eq!(r.levels, q.levels(), "{kind:?}");
            assert_eq!(r.bits_per_value, q.bits_per_value(), "{kind:?}");
            assert_eq!(r.parameters, q.describe(), "{kind:?}");
            assert_eq!(r.params.is_some(), kind == SchemeKind::Linear, "{kind:?}");
            if r.params.is_none() {
                assert_eq!(r.metrics.levels, r.levels.len(), "{kind:?}");
                assert_eq!(r.metrics.step, smallest_step(&r.levels), "{kind:?}");
            }
            assert_eq!(
                (r.x_min, r.x_max),
                (
                    f64::from(x.iter().cloned().fold(f32::INFINITY, f32::min)),
                    f64::from(x.iter().cloned().fold(f32::NEG_INFINITY, f32::max))
                )
            );
        }
    }

    #[test]
    fn shapes_and_bad_inputs_are_errors_not_panics() {
        let x = sine(64);
        let per_row = Scheme {
            granularity: GranularityKind::Channel,
            ..Scheme::default()
        };
        let r = study_signal(&x, &[4, 16], &per_row).unwrap();
        assert_eq!(r.reconstruction.len(), 64);
        assert!(study_signal(&x, &[3, 3], &per_row).is_err());
        assert!(study_signal(&[], &[], &Scheme::default()).is_err());
        assert!(study_signal(&[1.0, f32::NAN], &[], &Scheme::default()).is_err());
        let bad = Scheme {
            bits: 1,
            mode: Mode::Sym,
            ..Scheme::default()
        };
        assert!(study_signal(&x, &[], &bad).is_err());
    }

    #[test]
    fn the_smallest_step_ignores_repeated_levels() {
        assert_eq!(smallest_step(&[0.0, 0.5, 0.5, 2.0]), 0.5);
        assert_eq!(smallest_step(&[1.0]), 0.0);
        assert_eq!(smallest_step(&[]), 0.0);
    }
}
