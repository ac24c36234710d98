//! The Weight lab's state (everything in the URL) and the pure pipeline behind the page.

use std::sync::Arc;

use quantlab_core::analysis::{Histogram, histogram};
use quantlab_core::quantizer::{GranularityKind, Mode, Scheme};
use quantlab_core::weights::compare::SortKey;
use quantlab_core::weights::packing::{PackingView, packing_view};
use quantlab_core::weights::storage::ScaleDtype;
use quantlab_core::weights::study::{Study, StudyOptions, study};
use quantlab_core::weights::synth::{SynthSpec, WeightDist, decode_bars, generate, sample_drawn};
use serde::{Deserialize, Serialize};

/// Where the tensor comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum WeightSource {
    /// A seeded synthetic tensor.
    #[default]
    Synthetic,
    /// Sampled from a histogram drawn by hand (`bars`).
    Drawn,
    /// An uploaded `.safetensors` / `.npy` file (never in the URL; `tensor` names the pick).
    File,
    /// A layer of the model trained in the MLP lab (`dataset`, `layer`), handed over through
    /// the browser's storage ([`crate::handoff`]).
    Mlp,
}

/// Everything the Weight lab shows, as it appears in the URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeightLabState {
    /// Where the tensor comes from.
    pub source: WeightSource,
    /// Synthetic: the distribution.
    pub dist: WeightDist,
    /// Synthetic and drawn: rows.
    pub rows: usize,
    /// Synthetic and drawn: columns.
    pub cols: usize,
    /// Synthetic and drawn: seed.
    pub seed: u64,
    /// Synthetic: scale σ.
    pub sigma: f64,
    /// Synthetic: Student-t ν.
    pub nu: f64,
    /// Synthetic: bimodal mode distance (in σ).
    pub sep: f64,
    /// Synthetic: spread of the per-row log gains.
    pub spread: f64,
    /// Drawn: the bar heights, encoded (empty: a bell).
    pub bars: String,
    /// Drawn: the histogram covers `[−hist_range, hist_range]`.
    pub hist_range: f64,
    /// File: the name of the tensor studied.
    pub tensor: String,
    /// MLP lab link: the dataset.
    pub dataset: String,
    /// MLP lab link: the layer.
    pub layer: u32,
    /// The quantizer.
    pub scheme: Scheme,
    /// How scales are stored.
    pub scale_dtype: ScaleDtype,
    /// The channel or group worked through.
    pub group: usize,
    /// The weight of that group worked through.
    pub pick: usize,
    /// Histogram counts on a log scale.
    pub log: bool,
    /// Histogram bins.
    pub bins: usize,
    /// Packing view: bits per code (1, 2, 3, 4, 8).
    pub pack_bits: u32,
    /// Packing view: how many of the first weights.
    pub pack_n: usize,
    /// Comparison table: sort column.
    pub sort: SortKey,
    /// Comparison table: descending.
    pub desc: bool,
}

impl Default for WeightLabState {
    fn default() -> Self {
        let s = SynthSpec::default();
        WeightLabState {
            source: WeightSource::Synthetic,
            dist: s.dist,
            rows: s.rows,
            cols: s.cols,
            seed: s.seed,
            sigma: s.sigma,
            nu: s.nu,
            sep: s.sep,
            spread: s.spread,
            bars: String::new(),
            hist_range: 0.1,
            tensor: String::new(),
            dataset: String::new(),
            layer: 0,
            // int4, symmetric, groups of 128 (torchao's default group size).
            scheme: Scheme {
                bits: 4,
                mode: Mode::Sym,
                granularity: GranularityKind::Group,
                group_size: 128,
                ..Scheme::default()
            },
            scale_dtype: ScaleDtype::Fp16,
            group: 0,
            pick: 0,
            log: false,
            bins: 128,
            pack_bits: 4,
            pack_n: 16,
            sort: SortKey::Default,
            desc: false,
        }
    }
}

impl WeightLabState {
    /// The synthetic spec.
    pub fn spec(&self) -> SynthSpec {
        SynthSpec {
            dist: self.dist,
            rows: self.rows,
            cols: self.cols,
            seed: self.seed,
            sigma: self.sigma,
            nu: self.nu,
            sep: self.sep,
            spread: self.spread,
        }
    }
}

/// A tensor the lab studies.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightTensor {
    /// Its name.
    pub name: String,
    /// Its shape (what is studied: the first rows of a large tensor).
    pub shape: Vec<usize>,
    /// The values, row-major.
    pub data: Vec<f32>,
}

/// The generated tensor of a synthetic or drawn state.
pub fn generated(state: &WeightLabState) -> Result<WeightTensor, String> {
    let data = match state.source {
        WeightSource::Drawn => {
            let bars = decode_bars(&state.bars).map_err(|e| e.to_string())?;
            sample_drawn(&bars, state.hist_range, state.rows, state.cols, state.seed)
        }
        _ => generate(&state.spec()),
    }
    .map_err(|e| e.to_string())?;
    Ok(WeightTensor {
        name: match state.source {
            WeightSource::Drawn => "drawn".into(),
            _ => format!("synthetic {}", state.dist.id()),
        },
        shape: vec![state.rows, state.cols],
        data,
    })
}

/// Bins of the weight histogram: 8 to 1024.
pub fn clamp_bins(bins: usize) -> usize {
    bins.clamp(8, 1024)
}

/// The weight histogram.
pub fn weight_histogram(t: &WeightTensor, bins: usize) -> Result<Histogram, String> {
    histogram(&t.data, clamp_bins(bins), None).map_err(|e| e.to_string())
}

/// The study of the lab's scheme on `t`.
pub fn compute_study(t: &WeightTensor, state: &WeightLabState) -> Result<Arc<Study>, String> {
    study(
        &t.data,
        &t.shape,
        &state.scheme,
        &StudyOptions {
            scale_dtype: state.scale_dtype,
            group: state.group,
            ..StudyOptions::default()
        },
    )
    .map(Arc::new)
    .map_err(|e| e.to_string())
}

/// The packing view of the first weights.
pub fn compute_packing(t: &WeightTensor, state: &WeightLabState) -> Result<PackingView, String> {
    packing_view(
        &t.data,
        &t.shape,
        &state.scheme,
        state.pack_bits,
        state.pack_n,
    )
    .map_err(|e| e.to_string())
}

/// Words for group `g` of the study's granularity: `row 3`, `group 5 (row 0, columns 640–767)`.
pub fn group_words(s: &Study, g: usize) -> String {
    use quantlab_core::quantizer::Granularity;
    let len = s.geometry.group_len(g);
    match s.geometry.granularity() {
        Granularity::PerTensor => format!("the whole tensor ({len} weights)"),
        Granularity::PerChannel { axis } => {
            format!("channel {g} along axis {axis} ({len} weights)")
        }
        Granularity::PerGroup { .. } => {
            let first = s.geometry.flat_index(g, 0).unwrap_or(0);
            let (_, cols) = s.geometry.matrix();
            format!(
                "group {g}: row {}, columns {}–{} ({len} weights)",
                first / cols,
                first % cols,
                first % cols + len.saturating_sub(1)
            )
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_default_state_round_trips_through_the_url_and_costs_4_125_bits() {
        let s = WeightLabState::default();
        let q = quantlab_core::url_state::to_query(&s);
        let (back, w) = quantlab_core::url_state::from_query::<WeightLabState>(&q);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(back, s);
        let t = generated(&s).unwrap();
        let st = compute_study(&t, &s).unwrap();
        assert_eq!(st.storage.bits_per_weight, 4.125);
        assert!(group_words(&st, 5).contains("row 1"));
    }

    #[test]
    fn an_mlp_link_parses_and_an_unknown_source_is_a_warning() {
        let (s, w) = quantlab_core::url_state::from_query::<WeightLabState>(
            "source=mlp&dataset=iris&layer=2",
        );
        assert!(w.is_empty());
        assert_eq!(
            (s.source, s.dataset.as_str(), s.layer),
            (WeightSource::Mlp, "iris", 2)
        );
        let (s, w) = quantlab_core::url_state::from_query::<WeightLabState>("source=hub&bits=8");
        assert_eq!(s.source, WeightSource::Synthetic);
        assert_eq!(s.scheme.bits, 8);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn drawn_tensors_and_bad_settings() {
        let s = WeightLabState {
            source: WeightSource::Drawn,
            ..WeightLabState::default()
        };
        let t = generated(&s).unwrap();
        assert!(t.data.iter().all(|v| v.abs() <= 0.1));
        let bad = WeightLabState {
            rows: 0,
            ..WeightLabState::default()
        };
        assert!(generated(&bad).is_err());
        let mut s = WeightLabState::default();
        s.scheme.bits = 1;
        let t = generated(&WeightLabState::default()).unwrap();
        assert!(compute_study(&t, &s).unwrap_err().contains("2 bits"));
        s.pack_bits = 5;
        assert!(compute_packing(&t, &s).is_err());
    }
}
