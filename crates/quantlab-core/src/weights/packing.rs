//! The packing view: the first weights of a tensor → integer codes → bits → packed bytes,
//! and unpacked back, so the round trip can be seen.
//!
//! The weights are quantized with a linear scheme at the chosen width (1, 2, 3, 4 or 8
//! bits, the widths [`crate::pack`] supports); its signed codes `q ∈ [q_min, q_max]` are
//! stored unsigned as `u = q − q_min ∈ [0, 2^b − 1]` and packed LSB-first: code 0 sits in
//! the lowest bits of byte 0, and a 3-bit code may straddle two bytes.
//! Symmetric quantization needs 2 bits, so a 1-bit view of a symmetric scheme uses the
//! asymmetric mode ([`PackingView::mode`] says which). A rotated scheme
//! ([`Scheme::rotates`]) stores the codes of the rotated weights: the view packs those
//! ([`PackingView::rotated`]).

use serde::{Deserialize, Serialize};

use super::geometry::Geometry;
use super::study::linear_params;
use crate::error::{QuantError, Result};
use crate::pack::{SUPPORTED_BITS, pack, unpack};
use crate::quant::scheme::{Scheme, SchemeKind};
use crate::quant::types::{Granularity, Mode};

/// Most weights the view shows.
pub const MAX_PACK_VIEW: usize = 64;

/// Every step of packing the first weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackingView {
    /// Bits per code.
    pub bits: u32,
    /// The mode actually used.
    pub mode: Mode,
    /// The weights.
    pub weights: Vec<f32>,
    /// Their signed codes `q`.
    pub codes: Vec<i32>,
    /// `q_min`, the offset removed before packing.
    pub qmin: i32,
    /// The unsigned codes `u = q − q_min` that are packed.
    pub unsigned: Vec<u32>,
    /// The packed bytes.
    pub bytes: Vec<u8>,
    /// The codes read back from the bytes.
    pub unpacked: Vec<u32>,
    /// The weights reconstructed from the unpacked codes.
    pub recon: Vec<f32>,
    /// Whether the unpacked codes equal the packed ones (and so the weights reconstruct the
    /// same).
    pub round_trip: bool,
    /// Whether `weights` and `recon` are rotated values (`R·x`, before the inverse
    /// rotation): the scheme rotates.
    #[serde(default)]
    pub rotated: bool,
}

impl PackingView {
    /// Each unsigned code as `bits` binary digits, most significant first.
    pub fn code_bits(&self) -> Vec<String> {
        self.unsigned
            .iter()
            .map(|&u| format!("{u:0w$b}", w = self.bits as usize))
            .collect()
    }

    /// The bytes in hexadecimal, two digits each.
    pub fn hex(&self) -> Vec<String> {
        self.bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The bytes in binary, most significant bit first.
    pub fn binary(&self) -> Vec<String> {
        self.bytes.iter().map(|b| format!("{b:08b}")).collect()
    }
}

/// Packs the first `count` weights of `data` (row-major, `shape`) quantized with the linear
/// part of `scheme` (its mode, range, granularity, clipping) at `bits` bits.
///
/// The scales are fitted on the whole tensor, so the codes are the ones the full tensor
/// gets. Errors: `bits` not in {1, 2, 3, 4, 8}, bad data or shape, a bad scheme.
pub fn packing_view(
    data: &[f32],
    shape: &[usize],
    scheme: &Scheme,
    bits: u32,
    count: usize,
) -> Result<PackingView> {
    if !SUPPORTED_BITS.contains(&bits) {
        return Err(QuantError::InvalidParameter(format!(
            "the packing view takes 1, 2, 3, 4 or 8 bits, not {bits}"
        )));
    }
    let mode = if bits < 2 && scheme.mode == Mode::Sym {
        Mode::Asym
    } else {
        scheme.mode
    };
    let s = Scheme {
        scheme: SchemeKind::Linear,
        bits,
        mode,
        ..*scheme
    };
    s.validate()?;
    if data.is_empty() {
        return Err(QuantError::Empty);
    }
    // Checks the shape against the data.
    Geometry::of_scheme(&s, shape, data.len())?;
    let count = count.clamp(1, MAX_PACK_VIEW).min(data.len());
    // Scales of the groups the first weights fall in: groups restart at every row and
    // channel 0 of axis 0 is the first slab, so the first row (or slab) gives the same
    // scales as the whole tensor; a per-tensor scale needs every weight.
    let n = data.len();
    let (fit_data, fit_shape): (&[f32], Vec<usize>) = match s.granularity() {
        Granularity::PerGroup { .. } if shape.len() >= 2 && count <= shape[shape.len() - 1] => {
            let cols = shape[shape.len() - 1];
            (&data[..cols], vec![cols])
        }
        Granularity::PerChannel { axis: 0 }
            if shape.len() >= 2 && shape[0] > 0 && count <= n / shape[0] =>
        {
            let slab = n / shape[0];
            let mut sh = shape.to_vec();
            sh[0] = 1;
            (&data[..slab], sh)
        }
        _ => (data, shape.to_vec()),
    };
    // Only the weights the scales come from are read (the lab's study checks the rest).
    crate::quant::fast::dispatch::check_finite(fit_data)?;
    // A rotated scheme quantizes the rotated rows.
    let rotated = match crate::quant::registry::rotation(&s, &fit_shape, fit_data.len())? {
        Some(r) => Some(r.forward(fit_data)?),
        None => None,
    };
    let fit_data: &[f32] = rotated.as_deref().unwrap_or(fit_data);
    let geometry = Geometry::of_scheme(&s, &fit_shape, fit_data.len())?;
    let params = linear_params(fit_data, &fit_shape, &geometry, &s)?;
    let layout = geometry.layout();
    let weights = fit_data[..count].to_vec();
    let codes: Vec<i32> = weights
        .iter()
        .enumerate()
        .map(|(i, &x)| params[layout.group_of(i)].quantize_one(x))
        .collect();
    let qmin = params.first().map(|p| p.qmin).unwrap_or(0);
    let unsigned: Vec<u32> = codes.iter().map(|&c| (c - qmin) as u32).collect();
    let bytes = pack(&unsigned, bits)?;
    let unpacked = unpack(&bytes, count, bits)?;
    let recon = unpacked
        .iter()
        .enumerate()
        .map(|(i, &u)| params[layout.group_of(i)].dequantize_one(u as i32 + qmin))
        .collect();
    Ok(PackingView {
        bits,
        mode,
        round_trip: unpacked == unsigned,
        rotated: rotated.is_some(),
        weights,
        codes,
        qmin,
        unsigned,
        bytes,
        unpacked,
        recon,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::quant::linear::LinearQuantizer;
    use crate::quant::types::GranularityKind;

    #[test]
    fn every_width_round_trips_and_takes_ceil_n_b_over_8_bytes() {
        let x: Vec<f32> = (0..300).map(|i| ((i as f32) * 0.61).sin() * 0.05).collect();
        for (bits, granularity) in SUPPORTED_BITS.iter().flat_map(|&b| {
            [
                GranularityKind::Group,
                GranularityKind::Channel,
                GranularityKind::Tensor,
            ]
            .map(|g| (b, g))
        }) {
            for count in [1, 7, 16, 64] {
                let s = Scheme {
                    mode: Mode::Sym,
                    granularity,
                    group_size: 32,
                    ..Scheme::default()
                };
                let v = packing_view(&x, &[3, 100], &s, bits, count).unwrap();
                assert!(v.round_trip, "{bits} {count} {granularity:?}");
                assert_eq!(v.bytes.len(), (count * bits as usize).div_ceil(8));
                assert_eq!(v.unpacked, v.unsigned);
                assert!(v.unsigned.iter().all(|&u| u < 1 << bits));
                // Reconstruction equals the quantizer's own.
                let q = LinearQuantizer::fit(
                    &x,
                    &[3, 100],
                    &Scheme {
                        bits,
                        mode: v.mode,
                        ..s
                    },
                )
                .unwrap();
                let full = crate::quant::quantizer::Quantizer::quantize_dequantize(&q, &x).unwrap();
                assert_eq!(
                    v.recon,
                    full[..count].to_vec(),
                    "{bits} {count} {granularity:?}"
                );
                assert_eq!(v.code_bits()[0].len(), bits as usize);
                assert_eq!(v.hex().len(), v.bytes.len());
            }
        }
    }

    #[test]
    fn four_bit_codes_fill_nibbles_low_first() {
        // Asymmetric 4-bit on 0..15: the codes are −8..7, unsigned 0..15.
        let x: Vec<f32> = (0..16).map(|i| i as f32).collect();
        let v = packing_view(&x, &[], &Scheme::default(), 4, 4).unwrap();
        assert_eq!(v.unsigned, vec![0, 1, 2, 3]);
        assert_eq!(v.bytes, vec![0x10, 0x32]);
        assert_eq!(v.hex(), vec!["10", "32"]);
        assert_eq!(v.binary(), vec!["00010000", "00110010"]);
        assert_eq!(v.code_bits(), vec!["0000", "0001", "0010", "0011"]);
    }

    #[test]
    fn one_bit_symmetric_switches_to_asymmetric_and_bad_widths_are_errors() {
        let x = [0.5f32, -0.5, 0.25, -0.1];
        let s = Scheme {
            mode: Mode::Sym,
            ..Scheme::default()
        };
        let v = packing_view(&x, &[], &s, 1, 4).unwrap();
        assert_eq!(v.mode, Mode::Asym);
        assert_eq!(v.bytes.len(), 1);
        for b in [0, 5, 16] {
            assert!(
                packing_view(&x, &[], &s, b, 4)
                    .unwrap_err()
                    .to_string()
                    .contains("1, 2, 3, 4 or 8")
            );
        }
        assert!(packing_view(&[], &[], &s, 4, 4).is_err());
    }
}
