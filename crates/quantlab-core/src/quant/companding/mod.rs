//! Companding quantizers: μ-law and A-law curves around a uniform quantizer, and the 8-bit
//! G.711 codecs.
//!
//! - [`compander`]: the [`Compander`] trait and the uniform grid on the compressed range;
//! - [`mulaw`] and [`alaw`]: the two curves and their G.711 byte codecs;
//! - [`quantizer`]: [`CompandingQuantizer`], either curve around the grid;
//! - [`g711`]: [`G711Quantizer`], the 8-bit codecs on 16-bit PCM.

pub mod alaw;
pub mod compander;
pub mod g711;
pub mod mulaw;
pub mod quantizer;

pub use alaw::{ALAW_EVEN_BITS, ALaw, G711_A, decode_alaw, encode_alaw};
pub use compander::{Compander, MAX_BITS, MIN_BITS, compressed_index, compressed_level};
pub use g711::{G711Law, G711Quantizer, PCM_FULL_SCALE};
pub use mulaw::{
    G711_MU, MULAW_BIAS, MULAW_CLIP, MuLaw, decode_mulaw, encode_mulaw, mu_law_course,
};
pub use quantizer::CompandingQuantizer;
