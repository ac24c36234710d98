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

/// The largest tensor whose rotation figure is studied on the page's thread.
pub const ON_PAGE_MAX: usize = 1 << 21;

/// Whether the rotation figure of `t` is studied in the worker.
pub fn in_background(t: &WeightOutcome<WeightTensor>) -> bool {
    t.as_ref().is_ok_and(|t| t.data.len() > ON_PAGE_MAX)
}

#[cfg(target_arch = "wasm32")]
type Job = crate::worker::PageWorker;
/// Natively (the unit tests) no worker is ever started.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
struct Job;

/// The figure of the current large tensor and scheme: `None` while it is being studied.
#[derive(Debug, Clone, Copy)]
pub struct RotationJob {
    /// The figure, once the worker (or the page) has it.
    pub result: RwSignal<Option<WeightOutcome<RotationStudy>>>,
    generation: StoredValue<u64>,
    job: StoredValue<Option<Job>, LocalStorage>,
}

impl RotationJob {
    /// Ends the current job (its worker is terminated outside any callback of its own).
    fn halt(&self) -> u64 {
        self.generation.try_update_value(|g| *g += 1);
        let job = self.job.try_update_value(Option::take).flatten();
        if job.is_some() {
            leptos::task::spawn_local(async move {
                let _ended = job;
            });
        }
        self.generation.try_get_value().unwrap_or_default()
    }

    /// Studies the figure on the page's thread.
    fn on_page(self, t: &WeightTensor, s: &WeightLabState) {
        self.result
            .set(Some(compute_rotation(t, s).map_err(WeightError::from)));
    }

    /// Studies the figure in a new worker; false where none could start.
    #[cfg(target_arch = "wasm32")]
    fn in_worker(self, t: Arc<WeightTensor>, s: WeightLabState, this: u64) -> bool {
        use crate::worker::{PageWorker, field, object, rotation_from_figures};
        use wasm_bindgen::{JsCast, JsValue};
        let query = quantlab_core::url_state::to_query(&s);
        let current = move || self.generation.try_get_value() == Some(this);
        let fallback = {
            let (t, s) = (t.clone(), s.clone());
            move || {
                if current() {
                    self.halt();
                    self.on_page(&t, &s);
                }
            }
        };
        let on_error = fallback.clone();
        let on_message = move |msg: JsValue| {
            if field(&msg, "failed").is_truthy() {
                fallback();
                return;
            }
            if !current() || field(&msg, "job").as_f64() != Some(this as f64) {
                return;
            }
            let figures = field(&msg, "rotation")
                .dyn_into::<js_sys::Float64Array>()
                .ok()
                .map(|a| a.to_vec());
            let got = match (figures, field(&msg, "error").as_string()) {
                (Some(f), _) => rotation_from_figures(&f)
                    .map(Arc::new)
                    .ok_or_else(|| "the worker's figure could not be read".to_string()),
                (None, Some(e)) => Err(e),
                (None, None) => Err("the worker sent no figure".into()),
            };
            self.result.set(Some(got.map_err(WeightError::Worker)));
            self.halt();
        };
        let Some(worker) = PageWorker::start(on_message, on_error) else {
            return false;
        };
        let data = js_sys::Float32Array::new_with_length(t.data.len() as u32);
        data.copy_from(&t.data);
        let shape: Vec<u32> = t.shape.iter().map(|&d| d as u32).collect();
        let job = object(&[
            ("kind", "rotation".into()),
            ("job", JsValue::from_f64(this as f64)),
            ("data", data.clone().into()),
            ("shape", js_sys::Uint32Array::from(&shape[..]).into()),
            ("query", query.into()),
        ]);
        if !worker.post(&job, &[data.buffer().into()]) {
            return false;
        }
        self.job.set_value(Some(worker));
        true
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
        generation: StoredValue::new(0),
        job: StoredValue::new_local(None),
    };
    let key = Memo::new(move |_| st.state.with(|s| (s.scheme, s.scale_dtype, s.bins)));
    Effect::new(move |_| {
        let t = tensor.get();
        key.track();
        let this = job.halt();
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
        job.halt();
    });
    job
}
