//! The Weight lab's pipeline: tensor → scheme → study (metrics, scales, heat map) and the
//! packing view, as pure functions and as memos ([`WeightPipeline`]); the comparison of the
//! standard schemes is filled in the background ([`super::compare`]).

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::QuantError;
use quantlab_core::analysis::{Histogram, histogram};
use quantlab_core::weights::packing::{PackingView, packing_view};
use quantlab_core::weights::rotation::{
    RotationErrors, RotationSpread, RotationStudy, rotation_errors, rotation_spread,
};
use quantlab_core::weights::study::{Study, StudyOptions, WorkedExample, study};
use quantlab_core::weights::synth::{decode_bars, generate, sample_drawn};

use super::compare::{CompareTable, compare_table};
use super::rotation_job::{in_background, rotation_job};
use super::state::{WeightError, WeightLabState, WeightSource, WeightState, WeightTensor};
use crate::widgets::perf::{mark as perf_mark, measure as perf_measure};

/// A result of the pipeline, or why there is none.
pub type WeightOutcome<T> = Result<Arc<T>, WeightError>;

/// The generated tensor of a synthetic or drawn state.
pub fn generated(state: &WeightLabState) -> Result<WeightTensor, QuantError> {
    let data = match state.source {
        WeightSource::Drawn => {
            let bars = decode_bars(&state.bars)?;
            sample_drawn(&bars, state.hist_range, state.rows, state.cols, state.seed)
        }
        _ => generate(&state.spec()),
    }?;
    Ok(WeightTensor {
        name: match state.source {
            WeightSource::Drawn => "drawn".into(),
            _ => format!("synthetic {}", state.dist.id()),
        },
        shape: vec![state.rows, state.cols],
        data,
    })
}

/// The name of a generated tensor in `l` (`synthetic normal` is `sintético normal`); a
/// file's or the MLP lab's tensor keeps its own name.
pub fn tensor_name(name: &str, l: crate::lang::Locale) -> String {
    use crate::lang::fill::{fill, td_string};
    if name == "drawn" {
        td_string!(l, weight.name_drawn).to_string()
    } else if let Some(dist) = name.strip_prefix("synthetic ") {
        fill(td_string!(l, weight.name_synthetic), &[("dist", dist)])
    } else {
        name.to_string()
    }
}

/// Bins of the weight histogram: 8 to 1024.
pub fn clamp_bins(bins: usize) -> usize {
    bins.clamp(8, 1024)
}

/// The weight histogram.
pub fn weight_histogram(t: &WeightTensor, bins: usize) -> Result<Histogram, QuantError> {
    histogram(&t.data, clamp_bins(bins), None)
}

/// The study of the lab's scheme on `t`.
pub fn compute_study(t: &WeightTensor, state: &WeightLabState) -> Result<Arc<Study>, QuantError> {
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
}

/// The rotation study of the lab's per-group scheme on `t` (with and without the rotation,
/// whatever the checkbox says), with the histogram's bins.
pub fn compute_rotation(
    t: &WeightTensor,
    state: &WeightLabState,
) -> Result<Arc<RotationStudy>, QuantError> {
    let spread = compute_rotation_spread(t, state)?;
    let errors = compute_rotation_errors(t, state, None)?;
    Ok(Arc::new(RotationStudy::join(&spread, &errors)))
}

/// The half of the rotation study that a change of bits, mode or scale storage keeps.
pub fn compute_rotation_spread(
    t: &WeightTensor,
    state: &WeightLabState,
) -> Result<Arc<RotationSpread>, QuantError> {
    rotation_spread(&t.data, &t.shape, &state.scheme, clamp_bins(state.bins)).map(Arc::new)
}

/// The error half of the rotation study; `known` is the lab's own study of `state` on `t`
/// (one of the two sides), when there is one.
pub fn compute_rotation_errors(
    t: &WeightTensor,
    state: &WeightLabState,
    known: Option<&Study>,
) -> Result<RotationErrors, QuantError> {
    rotation_errors(
        &t.data,
        &t.shape,
        &state.scheme,
        &StudyOptions {
            scale_dtype: state.scale_dtype,
            ..StudyOptions::default()
        },
        known,
    )
}

/// The packing view of the first weights.
pub fn compute_packing(
    t: &WeightTensor,
    state: &WeightLabState,
) -> Result<PackingView, QuantError> {
    packing_view(
        &t.data,
        &t.shape,
        &state.scheme,
        state.pack_bits,
        state.pack_n,
    )
}

/// Whether a memo of an `Arc` result changed: by pointer, so a million weights are never
/// compared value by value.
fn arc_changed<T>(a: Option<&WeightOutcome<T>>, b: Option<&WeightOutcome<T>>) -> bool {
    match (a, b) {
        (Some(Ok(x)), Some(Ok(y))) => !Arc::ptr_eq(x, y),
        (Some(Err(x)), Some(Err(y))) => x != y,
        _ => true,
    }
}

/// Measures from its start mark when dropped.
struct Measure(&'static str, &'static str);

impl Drop for Measure {
    fn drop(&mut self) {
        perf_measure(self.0, self.1);
    }
}

/// The selected weight worked through: its index in the group, its flat index, the weight,
/// its reconstruction, and the steps of `r = S·(q − Z)` for linear schemes.
pub type Worked = (usize, usize, f64, f64, Option<WorkedExample>);

/// The pipeline as memos, shared by the canvases and the views as a context
/// ([`WeightPipeline::use_`]).
#[derive(Debug, Clone, Copy)]
pub struct WeightPipeline {
    /// The tensor studied.
    pub tensor: Memo<WeightOutcome<WeightTensor>>,
    /// Its histogram.
    pub hist: Memo<WeightOutcome<Histogram>>,
    /// The study of the lab's scheme.
    pub result: Memo<WeightOutcome<Study>>,
    /// The packing of the first weights.
    pub packing: Memo<Result<PackingView, WeightError>>,
    /// The scheme with and without the rotation.
    pub rotation: Memo<WeightOutcome<RotationStudy>>,
    /// The selected weight worked through.
    pub worked: Memo<Option<Worked>>,
    /// The comparison of the standard schemes.
    pub compare: CompareTable,
}

impl WeightPipeline {
    /// The memos of the page's state.
    pub fn new(st: WeightState) -> WeightPipeline {
        let state = st.state;
        let loaded = st.loaded;
        let source_key = Memo::new(move |_| state.with(WeightLabState::source_key));
        let tensor = Memo::new_with_compare(
            move |_| {
                let key = source_key.get();
                match key.source {
                    WeightSource::File => loaded.get().ok_or(WeightError::NoFile),
                    WeightSource::Mlp => crate::handoff::load(&key.dataset, key.layer)
                        .map(|l| {
                            Arc::new(WeightTensor {
                                name: l.name,
                                shape: l.shape,
                                data: l.data,
                            })
                        })
                        .map_err(WeightError::Handoff),
                    _ => Ok(Arc::new(generated(&key)?)),
                }
            },
            arc_changed::<WeightTensor>,
        );
        let bins = Memo::new(move |_| state.with(|s| s.bins));
        let hist = Memo::new(move |_| {
            let t = tensor.get()?;
            Ok(Arc::new(weight_histogram(&t, bins.get())?))
        });
        let study_key = Memo::new(move |_| state.with(|s| (s.scheme, s.scale_dtype, s.group)));
        let result = Memo::new_with_compare(
            move |_| {
                let t = tensor.get()?;
                let (scheme, scale_dtype, group) = study_key.get();
                let s = WeightLabState {
                    scheme,
                    scale_dtype,
                    group,
                    ..WeightLabState::default()
                };
                perf_mark("wl-study-start");
                let r = compute_study(&t, &s);
                perf_measure("wl-study", "wl-study-start");
                Ok(r?)
            },
            arc_changed::<Study>,
        );
        let pack_key = Memo::new(move |_| state.with(|s| (s.scheme, s.pack_bits, s.pack_n)));
        let packing = Memo::new(move |_| {
            let t = tensor.get()?;
            let (scheme, pack_bits, pack_n) = pack_key.get();
            perf_mark("wl-pack-start");
            let _measure = Measure("wl-pack", "wl-pack-start");
            Ok(compute_packing(
                &t,
                &WeightLabState {
                    scheme,
                    pack_bits,
                    pack_n,
                    ..WeightLabState::default()
                },
            )?)
        });
        // The rotation figure in two halves: its histograms and channel series follow the
        // group size, the seed and the bins only; its error table reuses the study above for
        // the side the checkbox is on, so a change of bits studies one more scheme, not two.
        let spread_key = Memo::new(move |_| {
            state.with(|s| {
                let sc = &s.scheme;
                (sc.rotation_applies(), sc.group_size, sc.rotate_seed, s.bins)
            })
        });
        let spread = Memo::new(move |_| -> WeightOutcome<RotationSpread> {
            let t = tensor.get()?;
            spread_key.track();
            let s = state.with_untracked(|s| s.clone());
            perf_mark("wl-rotation-start");
            let _measure = Measure("wl-rotation", "wl-rotation-start");
            Ok(compute_rotation_spread(&t, &s)?)
        });
        let errors_key = Memo::new(move |_| state.with(|s| (s.scheme, s.scale_dtype)));
        let errors = Memo::new(move |_| -> WeightOutcome<RotationErrors> {
            let t = tensor.get()?;
            let (scheme, scale_dtype) = errors_key.get();
            let known = result.get().ok();
            perf_mark("wl-rotation-start");
            let _measure = Measure("wl-rotation", "wl-rotation-start");
            let s = WeightLabState {
                scheme,
                scale_dtype,
                ..WeightLabState::default()
            };
            Ok(Arc::new(compute_rotation_errors(&t, &s, known.as_deref())?))
        });
        // A large tensor's figure comes from the page's worker (`rotation_job`).
        let background = rotation_job(st, tensor);
        let rotation = Memo::new_with_compare(
            move |_| {
                if tensor.with(in_background) {
                    return background.result.get().unwrap_or(Err(WeightError::Pending));
                }
                let (sp, er) = (spread.get()?, errors.get()?);
                Ok(Arc::new(RotationStudy::join(&sp, &er)))
            },
            arc_changed::<RotationStudy>,
        );
        let worked = Memo::new(move |_| {
            let pick = state.with(|s| s.pick);
            let t = tensor.get().ok()?;
            result.with(|r| {
                let r = r.as_ref().ok()?;
                let len = r.geometry.group_len(r.group);
                let k = pick.min(len.saturating_sub(1));
                let i = r.geometry.flat_index(r.group, k)?;
                let w = r.worked(&t.data, k).map(|(_, w)| w);
                // With a rotation the steps work on the rotated weight: show it and its `r`.
                let (x, y) = match (&r.rotation, w) {
                    (Some(_), Some(w)) => (w.x, w.r),
                    _ => (
                        f64::from(*t.data.get(i)?),
                        f64::from(r.recon_at(&t.data, i)?),
                    ),
                };
                Some((k, i, x, y, w))
            })
        });
        WeightPipeline {
            tensor,
            hist,
            result,
            packing,
            rotation,
            worked,
            compare: compare_table(st, tensor),
        }
    }

    /// The pipeline provided by the page.
    pub fn use_() -> WeightPipeline {
        expect_context()
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
        assert!(
            super::super::views::group_words(&st, 5, crate::lang::Locale::en).contains("row 1")
        );
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
        assert!(
            compute_study(&t, &s)
                .unwrap_err()
                .to_string()
                .contains("2 bits")
        );
        s.pack_bits = 5;
        assert!(compute_packing(&t, &s).is_err());
    }

    #[test]
    fn the_outlier_showcase_gains_from_the_rotation_and_the_checkbox_changes_the_study() {
        let s = WeightLabState::default().outlier_showcase();
        let q = quantlab_core::url_state::to_query(&s);
        assert!(q.contains("outliers=8"), "{q}");
        let t = generated(&s).unwrap();
        let r = compute_rotation(&t, &s).unwrap();
        assert!(r.mse_ratio() > 2.0, "{}", r.mse_ratio());
        let plain = compute_study(&t, &s).unwrap();
        let mut on = s.clone();
        on.scheme.rotate = true;
        let rotated = compute_study(&t, &on).unwrap();
        assert_eq!(plain.metrics, r.errors.plain);
        assert_eq!(rotated.metrics, r.errors.rotated);
        assert!(rotated.storage.bits_per_weight > plain.storage.bits_per_weight);
        // Per tensor, the rotation does not apply: the study says so in words.
        let mut tensor = on.clone();
        tensor.scheme.granularity = quantlab_core::quantizer::GranularityKind::Tensor;
        assert!(compute_rotation(&t, &tensor).is_err());
        assert_eq!(compute_study(&t, &tensor).unwrap().rotation, None);
    }
}
