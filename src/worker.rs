//! The page's Web Worker: long work off the page's thread, so a click or a slider is
//! answered while it runs.
//!
//! The worker runs the app's own module: `web/worker.js` imports the same wasm-bindgen
//! script and instantiates the same `.wasm` the page loaded (from the browser's cache; the
//! names come from the boot tag that `web/boot.js` starts from), and calls the functions
//! `src/main.rs` exports for it ([`load`], [`compare_row`], [`rotation`]). In the worker, `main` finds no
//! window and mounts nothing. The answers are bit for bit the page's own: the same code on
//! the same `f32` values.
//!
//! Messages are plain objects: to the worker `{kind: "init", js, wasm}` once, then jobs
//! (`{kind: "compare", job, data, shape, dtype, total}`, `{kind: "rotation", job, data, shape,
//! scheme, dtype, bins}`); from it one message per row
//! (`{job, index, row}` with `row` the figures of [`compare_row`], or `{job, index, error}`),
//! `{job, rotation}` (the JSON of [`RotationStudy`]) or `{job, error}`, `{job, done: true}`
//! at the end and `{failed}` when the module could not start. A job is stopped by
//! terminating its worker ([`PageWorker`]'s `Drop`).

use std::cell::RefCell;

use quantlab_core::QuantError;
use quantlab_core::quantizer::Scheme;
use quantlab_core::weights::compare::{CompareRow, compare_row as core_row, standard_schemes};
use quantlab_core::weights::rotation::{RotationStudy, rotation_errors, rotation_spread};
use quantlab_core::weights::storage::ScaleDtype;
use quantlab_core::weights::study::{StudyOptions, WeightMetrics};

thread_local! {
    /// The tensor of the worker's current job: its values and shape.
    static TENSOR: RefCell<(Vec<f32>, Vec<usize>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// In the worker: keeps `data` (row-major, `shape`) for the rows that follow.
pub fn load(data: Vec<f32>, shape: &[u32]) {
    let shape = shape.iter().map(|&d| d as usize).collect();
    TENSOR.with(|t| *t.borrow_mut() = (data, shape));
}

/// In the worker: the figures of the comparison row of standard scheme `index` on the
/// loaded tensor, with scales stored as `dtype` (its name in links: `fp16`): bits per
/// weight, bytes, MSE, SNR, max |e| and relative Frobenius error, as `f64`s (so they reach
/// the page bit for bit); the refusal in words when the scheme does not apply.
pub fn compare_row(index: usize, dtype: &str) -> Result<Vec<f64>, String> {
    let scale_dtype = parse_dtype(dtype)?;
    let schemes = standard_schemes();
    let named = schemes
        .get(index)
        .ok_or_else(|| format!("no standard scheme {index} of {}", schemes.len()))?;
    let row = TENSOR.with(|t| {
        let (data, shape) = &*t.borrow();
        core_row(data, shape, named, scale_dtype).map_err(|e| e.to_string())
    })?;
    let m = &row.metrics;
    Ok(vec![
        row.bits_per_weight,
        row.bytes as f64,
        m.mse,
        m.snr_db,
        m.max_error,
        m.rel_frobenius,
    ])
}

/// In the worker: the rotation figure of `scheme` (its JSON) on the loaded tensor, both
/// sides studied with scales stored as `scale_dtype`, histograms of `bins` bins, as the JSON
/// of [`RotationStudy`]; the refusal in words.
pub fn rotation(scheme: &str, scale_dtype: &str, bins: usize) -> Result<String, String> {
    let scheme: Scheme = serde_json::from_str(scheme).map_err(|e| format!("scheme: {e}"))?;
    let scale_dtype = parse_dtype(scale_dtype)?;
    let study = TENSOR.with(|t| {
        let (data, shape) = &*t.borrow();
        let spread = rotation_spread(data, shape, &scheme, bins)?;
        let opts = StudyOptions {
            scale_dtype,
            ..StudyOptions::default()
        };
        let errors = rotation_errors(data, shape, &scheme, &opts, None)?;
        Ok::<_, QuantError>(RotationStudy::join(&spread, &errors))
    });
    let study = study.map_err(|e| e.to_string())?;
    serde_json::to_string(&study).map_err(|e| e.to_string())
}

/// A rotation figure as [`rotation`] sent it.
pub fn parse_rotation(json: &str) -> Result<RotationStudy, String> {
    serde_json::from_str(json).map_err(|e| e.to_string())
}

/// A scale storage by its name in links (`fp16`).
fn parse_dtype(dtype: &str) -> Result<ScaleDtype, String> {
    serde_json::from_value(serde_json::Value::from(dtype))
        .map_err(|e| format!("scale storage {dtype}: {e}"))
}

/// The row of standard scheme `index` from the figures [`compare_row`] sent; `None` for
/// figures of another length or an unknown index.
pub fn row_from_figures(index: usize, figures: &[f64]) -> Option<CompareRow> {
    let &[
        bits_per_weight,
        bytes,
        mse,
        snr_db,
        max_error,
        rel_frobenius,
    ] = figures
    else {
        return None;
    };
    let named = standard_schemes().into_iter().nth(index)?;
    Some(CompareRow {
        id: named.id.to_string(),
        label: named.label.to_string(),
        bits_per_weight,
        bytes: bytes as u64,
        metrics: WeightMetrics {
            mse,
            snr_db,
            max_error,
            rel_frobenius,
        },
    })
}

#[cfg(target_arch = "wasm32")]
pub use page::PageWorker;

#[cfg(target_arch = "wasm32")]
mod page {
    use js_sys::{Object, Reflect};
    use wasm_bindgen::JsValue;
    use wasm_bindgen::prelude::Closure;
    use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

    /// A started worker; dropping it terminates it (and whatever job it was doing).
    pub struct PageWorker {
        worker: Worker,
        _on_message: Closure<dyn FnMut(MessageEvent)>,
        _on_error: Closure<dyn FnMut(JsValue)>,
    }

    /// The absolute URLs of the app's module, its `.wasm` and the worker script, from the
    /// boot tag (`Trunk.toml`'s `pattern_script`).
    fn urls() -> Option<[String; 3]> {
        let doc = web_sys::window()?.document()?;
        let tag = doc.query_selector("script[data-js][data-wasm]").ok()??;
        let base = doc.base_uri().ok()??;
        let abs = |p: &str| web_sys::Url::new_with_base(p, &base).ok().map(|u| u.href());
        Some([
            abs(&tag.get_attribute("data-js")?)?,
            abs(&tag.get_attribute("data-wasm")?)?,
            abs("worker.js")?,
        ])
    }

    /// An object of `(key, value)` pairs.
    pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
        let o = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&o, &JsValue::from_str(k), v);
        }
        o.into()
    }

    /// A field of a message.
    pub fn field(msg: &JsValue, key: &str) -> JsValue {
        Reflect::get(msg, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    impl PageWorker {
        /// Starts a worker whose messages go to `on_message` and whose failure to load goes
        /// to `on_error`; `None` where the page cannot start one (no boot tag, no module
        /// workers, a policy).
        pub fn start(
            on_message: impl FnMut(JsValue) + 'static,
            on_error: impl FnMut() + 'static,
        ) -> Option<PageWorker> {
            let [js, wasm, script] = urls()?;
            let opts = WorkerOptions::new();
            opts.set_type(WorkerType::Module);
            let worker = Worker::new_with_options(&script, &opts).ok()?;
            let mut on_message = on_message;
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                on_message(e.data())
            });
            let mut on_error = on_error;
            let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| on_error());
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            let init = object(&[
                ("kind", "init".into()),
                ("js", js.into()),
                ("wasm", wasm.into()),
            ]);
            worker.post_message(&init).ok()?;
            Some(PageWorker {
                worker,
                _on_message: on_message,
                _on_error: on_error,
            })
        }

        /// Sends `msg`, handing over the `ArrayBuffer`s in `transfer` (they become unusable
        /// here); false when it could not be sent.
        pub fn post(&self, msg: &JsValue, transfer: &[JsValue]) -> bool {
            let list = js_sys::Array::new();
            for t in transfer {
                list.push(t);
            }
            self.worker.post_message_with_transfer(msg, &list).is_ok()
        }
    }

    use wasm_bindgen::JsCast;

    impl std::fmt::Debug for PageWorker {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("PageWorker")
        }
    }

    impl Drop for PageWorker {
        fn drop(&mut self) {
            self.worker.set_onmessage(None);
            self.worker.set_onerror(None);
            self.worker.terminate();
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use page::{field, object};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use quantlab_core::weights::synth::{SynthSpec, generate};

    #[test]
    fn the_worker_rows_are_the_page_rows_bit_for_bit() {
        let spec = SynthSpec {
            rows: 64,
            cols: 128,
            ..SynthSpec::default()
        };
        let data = generate(&spec).unwrap();
        load(data.clone(), &[64, 128]);
        let schemes = standard_schemes();
        for (i, named) in schemes.iter().enumerate() {
            for dtype in ScaleDtype::ALL {
                let got = compare_row(i, dtype.id()).map(|f| row_from_figures(i, &f).unwrap());
                let want = core_row(&data, &[64, 128], named, dtype).map_err(|e| e.to_string());
                assert_eq!(got, want, "{}", named.id);
            }
        }
    }

    #[test]
    fn the_worker_rotation_figure_is_the_page_figure_bit_for_bit() {
        let spec = SynthSpec {
            rows: 64,
            cols: 256,
            outliers: 4,
            ..SynthSpec::default()
        };
        let data = generate(&spec).unwrap();
        load(data.clone(), &[64, 256]);
        // The Weight lab's default: int4, groups of 128.
        let scheme = crate::labs::weight::state::WeightLabState::default().scheme;
        let json = serde_json::to_string(&scheme).unwrap();
        let got = parse_rotation(&rotation(&json, "bf16", 64).unwrap()).unwrap();
        let spread = rotation_spread(&data, &[64, 256], &scheme, 64).unwrap();
        let opts = StudyOptions {
            scale_dtype: ScaleDtype::Bf16,
            ..StudyOptions::default()
        };
        let errors = rotation_errors(&data, &[64, 256], &scheme, &opts, None).unwrap();
        assert_eq!(got, RotationStudy::join(&spread, &errors));
        // Per tensor the rotation does not apply: words, as on the page.
        let tensor = Scheme {
            granularity: quantlab_core::quantizer::GranularityKind::Tensor,
            ..scheme
        };
        let e = rotation(&serde_json::to_string(&tensor).unwrap(), "fp16", 64).unwrap_err();
        assert!(!e.is_empty());
        assert!(rotation("{", "fp16", 64).unwrap_err().starts_with("scheme"));
        assert!(parse_rotation("[]").is_err());
    }

    #[test]
    fn a_bad_index_dtype_or_figures_are_refused_in_words() {
        load(vec![0.5; 8], &[2, 4]);
        let e = compare_row(999, "fp16").unwrap_err();
        assert!(e.contains("no standard scheme 999"), "{e}");
        let e = compare_row(0, "fp5").unwrap_err();
        assert!(e.contains("scale storage fp5"), "{e}");
        assert_eq!(row_from_figures(0, &[1.0, 2.0]), None);
        assert_eq!(row_from_figures(999, &[0.0; 6]), None);
        // A tensor the schemes refuse: each says why.
        load(vec![0.5, f32::NAN], &[1, 2]);
        for i in 0..standard_schemes().len() {
            assert!(
                compare_row(i, "bf16").unwrap_err().contains("finite"),
                "{i}"
            );
        }
    }
}
