//! The fitted linear quantizer: affine parameters per scale group.

use crate::error::{QuantError, Result, check_bits, check_finite};
use crate::quant::fast;
use crate::quant::granularity::GroupLayout;
use crate::quant::inspect::{
    BlockDecode, DecodeStep, Head, ScaleFormat, StepKind, check_block, check_data, check_values,
    elements_of, raw_signed, window,
};
use crate::quant::linear::affine::{AffineParams, MAX_BITS, MIN_BITS};
use crate::quant::linear::clipping::clip_range;
use crate::quant::quantizer::Quantizer;
use crate::quant::scheme::Scheme;
use crate::quant::types::{ClipKind, Mode};

/// A fitted linear quantizer: one [`AffineParams`] per scale group.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearQuantizer {
    /// The scheme it was fitted with.
    pub scheme: Scheme,
    /// Group assignment.
    pub layout: GroupLayout,
    /// Parameters of each group.
    pub params: Vec<AffineParams>,
}

impl LinearQuantizer {
    /// Fits scales and zero-points to `data` (row-major, `shape`; an empty shape means 1-D).
    ///
    /// Each scale group covers the range its clipping strategy ([`Scheme::clip`]) chooses,
    /// `[lo, hi] = clipping::clip_range(group)`, then `S`, `Z` = [`AffineParams::choose`] on
    /// it; with the default `minmax` that is `[min(group), max(group)]`. Values outside the
    /// range saturate at the outermost code.
    pub fn fit(data: &[f32], shape: &[usize], scheme: &Scheme) -> Result<Self> {
        check_bits(scheme.bits, MIN_BITS, MAX_BITS)?;
        if data.is_empty() {
            return Err(QuantError::Empty);
        }
        let strategy = scheme.clip_strategy();
        if strategy.clip != ClipKind::MinMax {
            check_finite(data)?;
        }
        let layout = GroupLayout::new(scheme.granularity(), shape, data.len())?;
        let ranges = if strategy.clip == ClipKind::MinMax {
            match group_min_max(&layout, data) {
                Some(r) => r,
                None => {
                    check_finite(data)?;
                    layout.min_max(data)
                }
            }
        } else {
            strategy.validate()?;
            let mut groups: Vec<Vec<f32>> = vec![Vec::new(); layout.num_groups()];
            for (i, &v) in data.iter().enumerate() {
                groups[layout.group_of(i)].push(v);
            }
            groups
                .iter()
                .map(|g| clip_range(g, scheme.bits, scheme.mode, strategy))
                .collect::<Result<Vec<_>>>()?
        };
        let params = ranges
            .into_iter()
            .map(|(lo, hi)| AffineParams::choose(lo, hi, scheme.bits, scheme.mode, scheme.range))
            .collect::<Result<Vec<_>>>()?;
        Ok(LinearQuantizer {
            scheme: *scheme,
            layout,
            params,
        })
    }

    /// Scale group `block` decoded ([`Quantizer::inspect`]) with its scale (and real offset)
    /// stored as `format`; the codes, in `b` bits, follow the scale and zero-point fields.
    pub fn inspect_stored(
        &self,
        data: &[f32],
        block: usize,
        first: usize,
        format: ScaleFormat,
    ) -> Result<BlockDecode> {
        check_data(data.len(), self.layout.len())?;
        check_block(block, self.params.len())?;
        let p = &self.params[block];
        let members = self.layout.members(block);
        check_values(data, members[window(members.len(), first)].iter().copied())?;
        let bits = self.scheme.bits;
        let g = p.grid();
        let mut steps = vec![format.step(StepKind::Step, "S", p.scale)];
        let mut bytes = format.bytes(p.scale);
        let z = f64::from(g.z);
        match self.scheme.mode {
            Mode::Asym => {
                let raw = raw_signed(g.z as i32, bits);
                steps.push(DecodeStep::stored(
                    StepKind::ZeroPoint,
                    None,
                    u64::from(raw),
                    bits,
                    &format!("Z = int{bits}"),
                    z,
                ));
                bytes.extend(crate::quant::inspect::pack_bits(&[raw], bits));
            }
            Mode::AsymFloat => {
                let lo = p.offset.unwrap_or(0.0);
                steps.push(format.step(StepKind::Offset, "x_min", lo));
                bytes.extend(format.bytes(lo));
                steps.push(DecodeStep::derived(
                    StepKind::ZeroPoint,
                    None,
                    "Z = q_min − x_min/S",
                    p.zero_point,
                ));
            }
            Mode::Sym => steps.push(DecodeStep::derived(StepKind::ZeroPoint, None, "Z = 0", z)),
            Mode::MidRise => {
                steps.push(DecodeStep::derived(StepKind::ZeroPoint, None, "Z = −½", z))
            }
        }
        let (unit_origin, offset) = if g.offset {
            (f64::from(g.qmin), f64::from(g.lo))
        } else {
            (z, 0.0)
        };
        let elements = elements_of(
            data,
            &members,
            first,
            (f64::from(g.s), offset),
            |x| {
                let q = p.quantize_one(x);
                (q, raw_signed(q, bits), f64::from(q) - unit_origin)
            },
            |q| p.dequantize_one(q),
        );
        let head = Head {
            block,
            blocks: self.params.len(),
            len: members.len(),
            code_bits: bits,
            bytes,
            steps,
        };
        Ok(head.with_codes(first, elements))
    }

    fn check_len(&self, n: usize) -> Result<()> {
        if n == self.layout.len() {
            Ok(())
        } else {
            Err(QuantError::ShapeMismatch {
                shape: vec![self.layout.len()],
                expected: self.layout.len(),
                actual: n,
            })
        }
    }
}

impl Quantizer for LinearQuantizer {
    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        self.check_len(data.len())?;
        check_finite(data)?;
        let mut out = vec![0i32; data.len()];
        // The scalar reference: `quantize_one` per value (its grid taken once per run).
        self.layout.for_each_run(|g, r| {
            let p = self.params[g].grid();
            for (o, &x) in out[r.clone()].iter_mut().zip(&data[r]) {
                *o = p.code(x) as i32;
            }
        });
        Ok(out)
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        self.check_len(codes.len())?;
        let mut out = vec![0f32; codes.len()];
        self.layout.for_each_run(|g, r| {
            let p = self.params[g].grid();
            for (o, &q) in out[r.clone()].iter_mut().zip(&codes[r]) {
                *o = p.value(q as f32);
            }
        });
        Ok(out)
    }

    /// One pass, no code buffer, vectorized ([`crate::quant::fast::affine`]): equal to
    /// `dequantize(quantize(data))` value for value.
    fn quantize_dequantize(&self, data: &[f32]) -> Result<Vec<f32>> {
        self.check_len(data.len())?;
        let grids: Vec<_> = self.params.iter().map(AffineParams::grid).collect();
        let mut out = fast::buffer::zeroed(data.len());
        let level = fast::level();
        let mut finite = true;
        self.layout.for_each_run(|g, r| {
            finite &= fast::dispatch::affine(level, &grids[g], &data[r.clone()], &mut out[r]);
        });
        if !finite {
            check_finite(data)?;
        }
        Ok(out)
    }

    fn levels(&self) -> Vec<f32> {
        self.params.first().map(|p| p.levels()).unwrap_or_default()
    }

    fn inspect_blocks(&self) -> usize {
        self.params.len()
    }

    /// The scale and offset as the quantizer holds them, in `f32`
    /// ([`LinearQuantizer::inspect_stored`]).
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode> {
        self.inspect_stored(data, block, first, ScaleFormat::F32)
    }

    /// `b` bits per code plus, per group, a 32-bit float scale and (for asymmetric modes)
    /// a zero-point (`b` bits when integer, 32 when real), spread over the values.
    fn bits_per_value(&self) -> f64 {
        let b = f64::from(self.scheme.bits);
        let zp_bits = match self.scheme.mode {
            Mode::Sym | Mode::MidRise => 0.0,
            Mode::Asym => b,
            Mode::AsymFloat => 32.0,
        };
        let meta = self.params.len() as f64 * (32.0 + zp_bits);
        b + meta / self.layout.len() as f64
    }

    /// `groups`, the smallest and largest scale `S` and zero-point `Z` over the groups, and
    /// the lowest and highest level `S·(q − Z)` of the first group (`level_min`, `level_max`:
    /// the range it covers).
    fn describe(&self) -> Vec<(String, f64)> {
        let fold = |f: fn(&AffineParams) -> f64| {
            self.params
                .iter()
                .map(f)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                })
        };
        let (s_lo, s_hi) = fold(|p| p.scale);
        let (z_lo, z_hi) = fold(|p| p.zero_point);
        let mut out = vec![
            ("groups".to_string(), self.params.len() as f64),
            ("scale_min".to_string(), s_lo),
            ("scale_max".to_string(), s_hi),
            ("zero_point_min".to_string(), z_lo),
            ("zero_point_max".to_string(), z_hi),
        ];
        if let Some(p) = self.params.first() {
            out.push(("level_min".to_string(), f64::from(p.dequantize_one(p.qmin))));
            out.push(("level_max".to_string(), f64::from(p.dequantize_one(p.qmax))));
        }
        out
    }
}

/// `(min, max)` of every group of `layout` in one vectorized pass (as `f64`, the type
/// [`AffineParams::choose`] takes); `None` if `data` holds a NaN or ±∞.
fn group_min_max(layout: &GroupLayout, data: &[f32]) -> Option<Vec<(f64, f64)>> {
    let (out, finite) = fast::groups::group_min_max(layout, data);
    finite.then(|| {
        out.into_iter()
            .map(|(lo, hi)| (f64::from(lo), f64::from(hi)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::kernel::round_half_even;
    use crate::quant::linear::affine::course_formula;
    use crate::quant::types::GranularityKind;
    use crate::quant::types::IntRange;

    fn scheme(bits: u32, mode: Mode) -> Scheme {
        Scheme {
            bits,
            mode,
            ..Scheme::default()
        }
    }

    #[test]
    fn rounding_is_half_to_even() {
        assert_eq!(round_half_even(0.5), 0.0);
        assert_eq!(round_half_even(1.5), 2.0);
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(-1.5), -2.0);
        assert_eq!(round_half_even(-2.5), -2.0);
        assert_eq!(round_half_even(2.4999), 2.0);
    }

    #[test]
    fn course_formula_two_bits_on_zero_to_three_is_the_identity_on_integers() {
        // L = 4, Δ = (3 − 0)/3 = 1: levels 0, 1, 2, 3.
        let y = course_formula(&[0.0, 1.0, 2.0, 3.0, 1.4, 1.6], 2).unwrap();
        assert_eq!(y, vec![0.0, 1.0, 2.0, 3.0, 1.0, 2.0]);
    }

    #[test]
    fn course_formula_matches_asym_float_mode() {
        let x: Vec<f32> = (0..257)
            .map(|i| ((i as f32) * 0.37).sin() * 1.7 + 0.2)
            .collect();
        for bits in 1..=12 {
            let reference = course_formula(&x, bits).unwrap();
            let q = LinearQuantizer::fit(&x, &[], &scheme(bits, Mode::AsymFloat)).unwrap();
            assert_eq!(q.quantize_dequantize(&x).unwrap(), reference, "bits {bits}");
        }
    }

    #[test]
    fn asymmetric_int8_maps_min_to_minus_128_and_max_to_127() {
        let x = [-1.0f32, -0.5, 0.0, 2.0];
        let q = LinearQuantizer::fit(&x, &[], &scheme(8, Mode::Asym)).unwrap();
        let p = q.params[0];
        assert_eq!(p.scale, f64::from(3.0f32 / 255.0));
        assert_eq!(p.zero_point, -43.0); // −128 − round(−1/(3/255)) = −128 + 85
        let codes = q.quantize(&x).unwrap();
        assert_eq!(codes[0], -128);
        assert_eq!(codes[2], -43);
        assert_eq!(codes[3], 127);
        // Zero is exactly representable with an integer zero-point.
        assert_eq!(q.dequantize(&codes).unwrap()[2], 0.0);
    }

    #[test]
    fn unsigned_asymmetric_uint8_uses_zero_to_255() {
        let x = [0.0f32, 1.0, 2.55];
        let s = Scheme {
            range: IntRange::Unsigned,
            ..scheme(8, Mode::Asym)
        };
        let q = LinearQuantizer::fit(&x, &[], &s).unwrap();
        assert_eq!(q.params[0].zero_point, 0.0);
        assert_eq!(q.quantize(&x).unwrap(), vec![0, 100, 255]);
    }

    #[test]
    fn symmetric_int8_uses_absmax_over_127_and_zero_point_zero() {
        let x = [-2.54f32, 0.0, 1.27];
        let q = LinearQuantizer::fit(&x, &[], &scheme(8, Mode::Sym)).unwrap();
        assert!((q.params[0].scale - 0.02).abs() < 1e-9);
        assert_eq!(q.params[0].zero_point, 0.0);
        assert_eq!(q.quantize(&x).unwrap(), vec![-127, 0, 64]);
    }

    #[test]
    fn symmetric_unsigned_puts_zero_at_half_range() {
        let s = Scheme {
            range: IntRange::Unsigned,
            ..scheme(8, Mode::Sym)
        };
        let q = LinearQuantizer::fit(&[-1.0, 1.0], &[], &s).unwrap();
        assert_eq!(q.params[0].zero_point, 128.0);
        // A quantizer only takes data of the length it was fitted on.
        assert!(matches!(
            q.quantize(&[0.0]),
            Err(QuantError::ShapeMismatch { .. })
        ));
        assert_eq!(q.quantize(&[-1.0, 1.0]).unwrap(), vec![1, 255]);
    }

    #[test]
    fn symmetric_one_bit_is_an_error_that_explains() {
        let e = LinearQuantizer::fit(&[1.0, -1.0], &[], &scheme(1, Mode::Sym)).unwrap_err();
        assert_eq!(e, QuantError::SymmetricNeedsTwoBits);
        assert!(e.to_string().contains("at least 2 bits"));
    }

    #[test]
    fn mid_rise_has_no_level_at_zero_and_2_to_the_b_levels() {
        let q = LinearQuantizer::fit(&[-1.0, 1.0], &[], &scheme(2, Mode::MidRise)).unwrap();
        assert_eq!(q.levels(), vec![-0.75, -0.25, 0.25, 0.75]);
    }

    #[test]
    fn constant_signal_has_zero_error_not_nan() {
        // Mid-rise has no level at its range ends, so it is covered separately below.
        for mode in [Mode::Sym, Mode::Asym, Mode::AsymFloat] {
            let x = [0.3f32; 10];
            let q = LinearQuantizer::fit(&x, &[], &scheme(4, mode)).unwrap();
            let y = q.quantize_dequantize(&x).unwrap();
            for v in y {
                assert!((v - 0.3).abs() < 1e-6, "{mode:?}: {v}");
            }
        }
    }

    #[test]
    fn zero_signal_reconstructs_as_zero_in_every_mode() {
        for mode in Mode::ALL {
            let x = [0.0f32; 8];
            let q = LinearQuantizer::fit(&x, &[], &scheme(8, mode)).unwrap();
            assert_eq!(q.quantize_dequantize(&x).unwrap(), x.to_vec(), "{mode:?}");
        }
    }

    #[test]
    fn one_sample_is_reconstructed_exactly() {
        for mode in [Mode::Sym, Mode::Asym, Mode::AsymFloat] {
            let q = LinearQuantizer::fit(&[-2.5], &[], &scheme(3, mode)).unwrap();
            assert_eq!(
                q.quantize_dequantize(&[-2.5]).unwrap(),
                vec![-2.5],
                "{mode:?}"
            );
        }
    }

    #[test]
    fn mid_rise_on_a_constant_signal_errs_by_half_a_step() {
        // Δ = 2·0.3/16; the top level is 0.3 − Δ/2.
        let x = [0.3f32; 5];
        let q = LinearQuantizer::fit(&x, &[], &scheme(4, Mode::MidRise)).unwrap();
        let step = q.params[0].scale;
        for v in q.quantize_dequantize(&x).unwrap() {
            assert!((f64::from(0.3f32 - v) - step / 2.0).abs() < 1e-7);
        }
    }

    #[test]
    fn empty_nan_and_infinite_inputs_are_errors_naming_the_index() {
        let s = scheme(8, Mode::Asym);
        assert_eq!(
            LinearQuantizer::fit(&[], &[], &s).unwrap_err(),
            QuantError::Empty
        );
        let e = LinearQuantizer::fit(&[1.0, f32::NAN], &[], &s).unwrap_err();
        assert!(matches!(e, QuantError::NonFinite { index: 1, .. }));
        assert!(e.to_string().contains("index 1"));
        let e = LinearQuantizer::fit(&[1.0, 2.0, f32::NEG_INFINITY], &[], &s).unwrap_err();
        assert!(matches!(e, QuantError::NonFinite { index: 2, .. }));
    }

    #[test]
    fn bits_outside_one_to_sixteen_are_rejected() {
        for bits in [0, 17, 64] {
            assert!(matches!(
                LinearQuantizer::fit(&[1.0, 2.0], &[], &scheme(bits, Mode::Asym)),
                Err(QuantError::BitsOutOfRange { .. })
            ));
        }
        assert!(course_formula(&[1.0], 0).is_err());
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let x = [f32::MAX, -f32::MAX, 0.0, 1e30];
        for mode in Mode::ALL {
            let q = LinearQuantizer::fit(&x, &[], &scheme(8, mode)).unwrap();
            let y = q.quantize_dequantize(&x).unwrap();
            assert!(y.iter().all(|v| v.is_finite()), "{mode:?}: {y:?}");
        }
    }

    #[test]
    fn per_channel_scales_follow_each_row() {
        let x = [1.0f32, -1.0, 10.0, -10.0];
        let s = Scheme {
            granularity: GranularityKind::Channel,
            axis: 0,
            ..scheme(8, Mode::Sym)
        };
        let q = LinearQuantizer::fit(&x, &[2, 2], &s).unwrap();
        assert_eq!(q.params.len(), 2);
        assert_eq!(q.params[0].scale, f64::from(1.0f32 / 127.0));
        assert_eq!(q.params[1].scale, f64::from(10.0f32 / 127.0));
        assert_eq!(q.quantize(&x).unwrap(), vec![127, -127, 127, -127]);
    }

    #[test]
    fn per_group_with_partial_last_group_quantizes_every_value() {
        let x: Vec<f32> = (0..10).map(|i| i as f32).collect();
        let s = Scheme {
            granularity: GranularityKind::Group,
            group_size: 4,
            ..scheme(2, Mode::AsymFloat)
        };
        let q = LinearQuantizer::fit(&x, &[10], &s).unwrap();
        assert_eq!(q.params.len(), 3);
        // The last group holds 8 and 9 only, so both are exact.
        let y = q.quantize_dequantize(&x).unwrap();
        assert_eq!(&y[8..], &[8.0, 9.0]);
        assert_eq!(&y[0..4], &[0.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn bits_per_value_counts_scale_storage() {
        let x = vec![0.5f32; 128];
        let s = Scheme {
            granularity: GranularityKind::Group,
            group_size: 32,
            ..scheme(4, Mode::Sym)
        };
        let q = LinearQuantizer::fit(&x, &[128], &s).unwrap();
        assert_eq!(q.bits_per_value(), 4.0 + 32.0 / 32.0);
    }

    #[test]
    fn round_half_even_equals_the_standard_library_everywhere_that_matters() {
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            1e-300,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9_007_199_254_740_993.0,
            -4_503_599_627_370_495.5,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let bits = state;
            let v = f64::from_bits(bits);
            if v.is_finite() {
                xs.push(v);
            }
            // Halves and near-halves at every scale of the codes.
            let k = (state >> 40) as f64 - 8_388_608.0;
            xs.extend([k + 0.5, k - 0.5, (k + 0.5) * (1.0 + f64::EPSILON), k / 3.0]);
        }
        for x in xs {
            let (a, b) = (round_half_even(x), x.round_ties_even());
            assert!(a.to_bits() == b.to_bits(), "{x:e}: {a:e} vs {b:e}");
        }
        assert!(round_half_even(f64::NAN).is_nan());
    }

    #[test]
    fn the_one_pass_path_equals_quantize_then_dequantize() {
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) as f32
        };
        let mut data: Vec<f32> = (0..6 * 40).map(|_| (next() - 0.3) * 5.0).collect();
        data[3] = 0.0;
        data[17] = 1e30;
        data[18] = -1e-30;
        let constant = vec![0.75f32; 6 * 40];
        for d in [&data, &constant] {
            for mode in Mode::ALL {
                for bits in [1, 2, 3, 4, 8, 12, 16] {
                    for (granularity, group_size, axis) in [
                        (GranularityKind::Tensor, 64, 0),
                        (GranularityKind::Channel, 64, 0),
                        (GranularityKind::Channel, 64, 1),
                        (GranularityKind::Group, 7, 0),
                        (GranularityKind::Group, 64, 0),
                    ] {
                        for range in [IntRange::Signed, IntRange::Unsigned] {
                            let scheme = Scheme {
                                bits,
                                mode,
                                granularity,
                                group_size,
                                axis,
                                range,
                                ..Scheme::default()
                            };
                            let Ok(q) = LinearQuantizer::fit(d, &[6, 40], &scheme) else {
                                continue;
                            };
                            let two = q.dequantize(&q.quantize(d).unwrap()).unwrap();
                            let one = q.quantize_dequantize(d).unwrap();
                            let same = two
                                .iter()
                                .zip(&one)
                                .all(|(a, b)| a.to_bits() == b.to_bits());
                            assert!(same, "{scheme:?}");
                        }
                    }
                }
            }
        }
    }
}
