//! The page's side of the worker: a lab's [`JobSlot`] (its current run and the worker that
//! does it, which keeps the tensor it was sent) and, for `wasm32`, the worker itself
//! (`PageWorker`) and the message helpers.

/// Where a lab keeps its current background job: a run number (a message of an older run
/// is ignored) and the worker doing it. The worker lives as long as the slot's owner and
/// keeps the last tensor it was sent, so a new run on the same tensor sends no data; a new
/// run tells the worker to leave the old one at its next step (between two rows of the
/// comparison, after a rotation figure) instead of ending it, so the page never copies a
/// large tensor again only because a control changed.
#[derive(Debug, Clone, Copy)]
pub struct JobSlot {
    generation: leptos::prelude::StoredValue<u64>,
    worker: leptos::prelude::StoredValue<Option<Job>, leptos::prelude::LocalStorage>,
}

/// The slot's worker, the handlers of its current run and the tensor it holds.
#[cfg(target_arch = "wasm32")]
struct Job {
    worker: PageWorker,
    handlers: std::rc::Rc<std::cell::RefCell<Handlers>>,
    loaded: std::sync::Weak<crate::labs::weight::state::WeightTensor>,
}

/// What the current run does with the worker's messages, and on its failure to start.
#[cfg(target_arch = "wasm32")]
struct Handlers {
    on_message: Box<dyn Fn(&wasm_bindgen::JsValue)>,
    on_error: Box<dyn Fn()>,
}

#[cfg(target_arch = "wasm32")]
impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

/// Natively (the unit tests) no worker is ever started.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
struct Job;

impl JobSlot {
    /// An empty slot, owned by the current reactive owner.
    pub fn new() -> JobSlot {
        use leptos::prelude::StoredValue;
        JobSlot {
            generation: StoredValue::new(0),
            worker: StoredValue::new_local(None),
        }
    }

    /// Ends the current run (the worker leaves it at its next step and its messages are
    /// ignored) and returns the number of the next one.
    pub fn halt(&self) -> u64 {
        #[cfg(target_arch = "wasm32")]
        use leptos::prelude::WithValue;
        use leptos::prelude::{GetValue, UpdateValue};
        self.generation.try_update_value(|g| *g += 1);
        #[cfg(target_arch = "wasm32")]
        self.worker.try_with_value(|w| {
            if let Some(job) = w {
                let _ = job.worker.post(&object(&[("kind", "cancel".into())]), &[]);
            }
        });
        self.generation.try_get_value().unwrap_or_default()
    }

    /// Ends the worker (outside any callback of its own; the run stays current): when the
    /// slot's owner goes, or the worker failed.
    pub fn stop(&self) {
        use leptos::prelude::UpdateValue;
        let job = self.worker.try_update_value(Option::take).flatten();
        if job.is_some() {
            leptos::task::spawn_local(async move {
                let _ended = job;
            });
        }
    }

    /// Whether run `this` is still the current one.
    pub fn current(&self, this: u64) -> bool {
        use leptos::prelude::GetValue;
        self.generation.try_get_value() == Some(this)
    }

    /// Starts run `this` of `kind` in the slot's worker (started now if there is none),
    /// on `tensor` (sent only if the worker does not hold it already) with the fields of
    /// `extra`; its messages of this run go to `on_message`, and `fallback` runs if the
    /// worker's module cannot start. False where no worker could start (nothing was sent).
    #[cfg(target_arch = "wasm32")]
    pub fn start(
        &self,
        this: u64,
        kind: &str,
        tensor: &std::sync::Arc<crate::labs::weight::state::WeightTensor>,
        extra: Vec<(&str, wasm_bindgen::JsValue)>,
        on_message: impl Fn(&wasm_bindgen::JsValue) + 'static,
        fallback: impl Fn() + 'static,
    ) -> bool {
        use leptos::prelude::{SetValue, UpdateValue, WithValue};
        use std::cell::RefCell;
        use std::rc::Rc;
        use std::sync::Arc;
        use wasm_bindgen::JsValue;
        let slot = *self;
        let mut handlers = Some(Handlers {
            on_message: Box::new(move |msg: &JsValue| {
                if slot.current(this) && field(msg, "job").as_f64() == Some(this as f64) {
                    on_message(msg);
                }
            }),
            on_error: Box::new(move || {
                if slot.current(this) {
                    fallback();
                }
            }),
        });
        // The slot's worker, or a new one whose messages go to the current run's handlers.
        let existing = self
            .worker
            .try_update_value(|w| {
                w.as_mut().map(|job| {
                    if let Some(h) = handlers.take() {
                        *job.handlers.borrow_mut() = h;
                    }
                    let same = job
                        .loaded
                        .upgrade()
                        .is_some_and(|t| Arc::ptr_eq(&t, tensor));
                    job.loaded = Arc::downgrade(tensor);
                    same
                })
            })
            .flatten();
        let (fresh, same) = match existing {
            Some(same) => (None, same),
            None => {
                let Some(handlers) = handlers.take() else {
                    return false;
                };
                let shared = Rc::new(RefCell::new(handlers));
                let (m, e) = (shared.clone(), shared.clone());
                let messages = move |msg: JsValue| {
                    if field(&msg, "failed").is_truthy() {
                        (e.borrow().on_error)();
                    } else {
                        (m.borrow().on_message)(&msg);
                    }
                };
                let failed = shared.clone();
                let on_error = move || (failed.borrow().on_error)();
                let Some(worker) = PageWorker::start(messages, on_error) else {
                    return false;
                };
                let job = Job {
                    worker,
                    handlers: shared,
                    loaded: Arc::downgrade(tensor),
                };
                (Some(job), false)
            }
        };
        let mut fields = vec![
            ("kind", kind.into()),
            ("job", JsValue::from_f64(this as f64)),
        ];
        let mut transfer = Vec::new();
        if !same {
            let values = js_sys::Float32Array::new_with_length(tensor.data.len() as u32);
            values.copy_from(&tensor.data);
            let shape: Vec<u32> = tensor.shape.iter().map(|&d| d as u32).collect();
            transfer.push(values.buffer().into());
            fields.push(("data", values.into()));
            fields.push(("shape", js_sys::Uint32Array::from(&shape[..]).into()));
        }
        fields.extend(extra);
        let msg = object(&fields);
        let sent = match fresh {
            Some(job) => {
                let sent = job.worker.post(&msg, &transfer);
                if sent {
                    self.worker.set_value(Some(job));
                }
                sent
            }
            None => self
                .worker
                .try_with_value(|w| w.as_ref().is_some_and(|j| j.worker.post(&msg, &transfer)))
                .unwrap_or(false),
        };
        if !sent {
            self.stop();
        }
        sent
    }
}

impl Default for JobSlot {
    fn default() -> Self {
        JobSlot::new()
    }
}

/// The list of `f64`s of a message's field (a `Float64Array`).
#[cfg(target_arch = "wasm32")]
pub fn figures(msg: &wasm_bindgen::JsValue, key: &str) -> Option<Vec<f64>> {
    use wasm_bindgen::JsCast;
    field(msg, key)
        .dyn_into::<js_sys::Float64Array>()
        .ok()
        .map(|a| a.to_vec())
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
