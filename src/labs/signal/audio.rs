//! Listening to x, Q(x) and e through Web Audio.
//!
//! x and Q(x) share one gain (x's peak ↦ 0.9) so their loudness compares honestly; the
//! error is gain-normalised on its own (its peak ↦ 0.9), or it would be inaudible.
//! Short signals loop for about two seconds.

use wasm_bindgen::JsCast;
use web_sys::{AudioBufferSourceNode, AudioContext, AudioScheduledSourceNode};

/// Seconds a short signal is looped for.
const MIN_SECONDS: f64 = 2.0;

/// A sound that is playing, kept so it can be stopped.
#[derive(Debug)]
pub struct Playing {
    ctx: AudioContext,
    source: AudioBufferSourceNode,
}

impl Playing {
    /// Stops the sound and closes its audio context.
    pub fn stop(self) {
        let node: &AudioScheduledSourceNode = self.source.unchecked_ref();
        let _ = node.stop();
        let _ = self.ctx.close();
    }

    /// The audio context's state (`running`, `suspended`, `closed`).
    pub fn state(&self) -> String {
        format!("{:?}", self.ctx.state()).to_lowercase()
    }
}

/// Why a sound could not play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioError {
    /// The signal is empty.
    Nothing,
    /// The browser has no Web Audio.
    NoWebAudio,
    /// The buffer could not be made or filled.
    Prepare,
    /// The source could not be connected to the output.
    Connect,
    /// The source could not start.
    Start,
}

/// Scales `samples` so that the peak of `reference` becomes 0.9.
pub fn normalised(samples: &[f32], reference: &[f32]) -> Vec<f32> {
    let peak = reference.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let g = if peak > 0.0 { 0.9 / peak } else { 0.0 };
    samples.iter().map(|v| (v * g).clamp(-1.0, 1.0)).collect()
}

/// Starts playing `samples` (already in [−1, 1]) at `rate` samples per second.
pub fn play(samples: &[f32], rate: f32) -> Result<Playing, AudioError> {
    if samples.is_empty() {
        return Err(AudioError::Nothing);
    }
    let rate = rate.clamp(3000.0, 384_000.0);
    let ctx = AudioContext::new().map_err(|_| AudioError::NoWebAudio)?;
    let buffer = ctx
        .create_buffer(1, samples.len() as u32, rate)
        .map_err(|_| AudioError::Prepare)?;
    buffer
        .copy_to_channel(samples, 0)
        .map_err(|_| AudioError::Prepare)?;
    let source = ctx
        .create_buffer_source()
        .map_err(|_| AudioError::Prepare)?;
    source.set_buffer(Some(&buffer));
    let seconds = samples.len() as f64 / f64::from(rate);
    let node: &web_sys::AudioNode = source.unchecked_ref();
    node.connect_with_audio_node(&ctx.destination())
        .map_err(|_| AudioError::Connect)?;
    if seconds < MIN_SECONDS {
        source.set_loop(true);
        source
            .start_with_when_and_grain_offset_and_grain_duration(0.0, 0.0, MIN_SECONDS)
            .or_else(|_| source.start())
            .map_err(|_| AudioError::Start)?;
        let node: &AudioScheduledSourceNode = source.unchecked_ref();
        let _ = node.stop_with_when(ctx.current_time() + MIN_SECONDS);
    } else {
        source.start().map_err(|_| AudioError::Start)?;
    }
    Ok(Playing { ctx, source })
}
