//! The 8-bit G.711 codecs (μ-law and A-law) as quantizers on 16-bit PCM.

use crate::error::{Result, check_finite};
use crate::pack::packed_len;
use crate::quant::companding::alaw::{decode_alaw, encode_alaw};
use crate::quant::companding::mulaw::{decode_mulaw, encode_mulaw};
use crate::quant::granularity::GroupLayout;
use crate::quant::inspect::{
    BlockDecode, Head, ScaleFormat, StepKind, check_block, check_data, check_values, elements_of,
    level_steps, window,
};
use crate::quant::kernel::{check_len, code_in_range, group_absmax, round_half_even};
use crate::quant::quantizer::Quantizer;
use crate::quant::types::Granularity;

/// Which G.711 companding law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum G711Law {
    /// μ-law (μ = 255): [`encode_mulaw`] / [`decode_mulaw`].
    MuLaw,
    /// A-law (A = 87.6): [`crate::quant::companding::encode_alaw`] / [`crate::quant::companding::decode_alaw`].
    ALaw,
}

impl G711Law {
    /// Encodes one 16-bit PCM sample.
    pub fn encode(self, x: i16) -> u8 {
        match self {
            G711Law::MuLaw => encode_mulaw(x),
            G711Law::ALaw => encode_alaw(x),
        }
    }

    /// Decodes one 8-bit code.
    pub fn decode(self, code: u8) -> i16 {
        match self {
            G711Law::MuLaw => decode_mulaw(code),
            G711Law::ALaw => decode_alaw(code),
        }
    }
}

/// Full scale of the PCM mapping, the WAV convention (the core's WAV reader reads sample
/// `s` as `s / 32768`): `x / max|x|` becomes the sample `round(x / max|x| · 32768)`,
/// saturated to `−32768..=32767`, and a decoded sample `y` becomes `y / 32768 · max|x|`.
pub const PCM_FULL_SCALE: f64 = 32768.0;

/// A G.711 codec as a quantizer: values are scaled to 16-bit PCM by their group's absmax
/// (`pcm = round(x/max|x| · 32768)`, saturated), then coded to one byte. Codes are the
/// bytes, 0..=255. A signal read from a 16-bit WAV whose peak is −32768 therefore goes
/// through exactly the codec a telephone line applies to those samples.
#[derive(Debug, Clone, PartialEq)]
pub struct G711Quantizer {
    /// μ-law or A-law.
    pub law: G711Law,
    /// Which values share an absmax.
    pub layout: GroupLayout,
    /// `max|x|` of each group.
    pub absmax: Vec<f64>,
}

impl G711Quantizer {
    /// Fits the absmax of every group of `data`.
    pub fn fit(
        law: G711Law,
        data: &[f32],
        shape: &[usize],
        granularity: Granularity,
    ) -> Result<Self> {
        check_finite(data)?;
        let layout = GroupLayout::new(granularity, shape, data.len())?;
        let absmax = group_absmax(&layout, data);
        Ok(G711Quantizer {
            law,
            layout,
            absmax,
        })
    }

    /// `x` as a 16-bit PCM sample of a group with absmax `absmax` (saturating).
    pub fn to_pcm(x: f32, absmax: f64) -> i16 {
        if absmax > 0.0 {
            round_half_even(f64::from(x) / absmax * PCM_FULL_SCALE).clamp(-32768.0, 32767.0) as i16
        } else {
            0
        }
    }

    fn value(&self, code: u8, absmax: f64) -> f32 {
        (f64::from(self.law.decode(code)) / PCM_FULL_SCALE * absmax) as f32
    }
}

impl Quantizer for G711Quantizer {
    fn inspect_blocks(&self) -> usize {
        self.absmax.len()
    }

    /// The group's `f32` absmax, then one byte per code; a step per code listed (the
    /// 16-bit PCM sample it decodes to, over 32768).
    fn inspect(&self, data: &[f32], block: usize, first: usize) -> Result<BlockDecode> {
        check_data(data.len(), self.layout.len())?;
        check_block(block, self.absmax.len())?;
        let a = self.absmax[block];
        let members = self.layout.members(block);
        check_values(data, members[window(members.len(), first)].iter().copied())?;
        let elements = elements_of(
            data,
            &members,
            first,
            (a, 0.0),
            |x| {
                let c = self.law.encode(Self::to_pcm(x, a));
                (
                    i32::from(c),
                    u32::from(c),
                    f64::from(self.law.decode(c)) / PCM_FULL_SCALE,
                )
            },
            |c| self.value(c as u8, a),
        );
        let mut steps = vec![ScaleFormat::F32.step(StepKind::Absmax, "max|x|", a)];
        steps.extend(level_steps(&elements, "G.711⁻¹(c)/32768"));
        let head = Head {
            block,
            blocks: self.absmax.len(),
            len: members.len(),
            code_bits: 8,
            bytes: ScaleFormat::F32.bytes(a),
            steps,
        };
        Ok(head.with_codes(first, elements))
    }

    fn quantize(&self, data: &[f32]) -> Result<Vec<i32>> {
        check_len(self.layout.len(), data.len())?;
        check_finite(data)?;
        Ok(data
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let pcm = Self::to_pcm(x, self.absmax[self.layout.group_of(i)]);
                i32::from(self.law.encode(pcm))
            })
            .collect())
    }

    fn dequantize(&self, codes: &[i32]) -> Result<Vec<f32>> {
        check_len(self.layout.len(), codes.len())?;
        codes
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let c = code_in_range(c, 256, i)? as u8;
                Ok(self.value(c, self.absmax[self.layout.group_of(i)]))
            })
            .collect()
    }

    fn levels(&self) -> Vec<f32> {
        let absmax = self.absmax.first().copied().unwrap_or(0.0);
        let mut v: Vec<f32> = (0..=255u8).map(|c| self.value(c, absmax)).collect();
        v.sort_by(f32::total_cmp);
        v.dedup();
        v
    }

    /// 8 bits per code plus one 32-bit absmax per group.
    fn bits_per_value(&self) -> f64 {
        let n = self.layout.len();
        (8.0 * packed_len(n, 8) as f64 + 32.0 * self.absmax.len() as f64) / n as f64
    }
}
