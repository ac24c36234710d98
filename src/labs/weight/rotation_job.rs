//! The rotation figure of a large tensor, studied in the page's Web Worker
//! ([`crate::worker`]): two more studies of the whole tensor and its rotation (about 0.75 s at
//! 16 M weights) would otherwise hold the page after every change. Tensors up to
//! [`ON_PAGE_MAX`] weights keep the figure on the page's thread, where it reuses the lab's
//! own study; where no worker starts, large ones do too. The figure is the same either way.

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::weights::rotation::RotationStudy;

use super::pipeline::{WeightOutcome, compute_rotation};
use super::state::{WeightError, WeightLabState, WeightState, WeightTensor};
use crate::worker::JobSlot;

/// The largest tensor whose rotation figure is studied on the page's thread.
pub const ON_PAGE_MAX: usize = 1 << 21;

/// Whether the rotation figure of `t` is studied in the worker.
pub fn in_background(t: &WeightOutcome<WeightTensor>) -> bool {
    t.as_ref().is_ok_and(|t| t.data.len() > ON_PAGE_MAX)
}

/// The figure of the current large tensor and scheme: `None` while it is being studied.
#[derive(Debug, Clone, Copy)]
pub struct RotationJob {
    /// The figure, once the worker (or the page) has it.
    pub result: RwSignal<Option<WeightOutcome<RotationStudy>>>,
    slot: JobSlot,
}

impl RotationJob {
    /// Studies the figure on the page's thread.
    fn on_page(self, t: &WeightTensor, s: &WeightLabState) {
        self.result
            .set(Some(compute_rotation(t, s).map_err(WeightError::from)));
    }

    /// Studies the figure in the slot's worker; false where none could start.
    #[cfg(target_arch = "wasm32")]
    fn in_worker(self, t: Arc<WeightTensor>, s: WeightLabState, this: u64) -> bool {
        use crate::worker::{field, figures, rotation_from_figures};
        use wasm_bindgen::JsValue;
        let query = quantlab_core::url_state::to_query(&s);
        let (page, state) = (t.clone(), s.clone());
        let fallback = move || {
            self.slot.stop();
            self.on_page(&page, &state);
        };
        let on_message = move |msg: &JsValue| {
            let got = match (figures(msg, "rotation"), field(msg, "error").as_string()) {
                (Some(f), _) => rotation_from_figures(&f)
                    .map(Arc::new)
                    .ok_or_else(|| "the worker's figure could not be read".to_string()),
                (None, Some(e)) => Err(e),
                (None, None) => Err("the worker sent no figure".into()),
            };
            self.result.set(Some(got.map_err(WeightError::Worker)));
        };
        let extra = vec![("query", query.into())];
        self.slot
            .start(this, "rotation", &t, extra, on_message, fallback)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn in_worker(self, _: Arc<WeightTensor>, _: WeightLabState, _: u64) -> bool {
        false
    }
}

/// Studies the rotation figure of every large tensor in the background, again whenever
/// the tensor, the scheme, the scale storage or the bins change.
pub fn rotation_job(st: WeightState, tensor: Memo<WeightOutcome<WeightTensor>>) -> RotationJob {
    let job = RotationJob {
        result: RwSignal::new(None),
        slot: JobSlot::new(),
    };
    let key = Memo::new(move |_| st.state.with(|s| (s.scheme, s.scale_dtype, s.bins)));
    Effect::new(move |_| {
        let t = tensor.get();
        key.track();
        let this = job.slot.halt();
        let Ok(t) = t.as_ref().map(Arc::clone) else {
            return;
        };
        if !in_background(&Ok(t.clone())) {
            return;
        }
        let s = st.state.get_untracked();
        job.result.set(None);
        // A scheme the rotation does not apply to is refused at once, in the page's words.
        if !s.scheme.rotation_applies() || !job.in_worker(t.clone(), s.clone(), this) {
            job.on_page(&t, &s);
        }
    });
    on_cleanup(move || {
        job.slot.halt();
        job.slot.stop();
    });
    job
}
