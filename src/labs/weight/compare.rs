//! The comparison of the standard schemes on the lab's tensor, filled row by row in the
//! page's Web Worker ([`crate::worker`]) so that the page answers while a large tensor is
//! studied 33 times; with a progress bar, Cancel and Run again. A tensor under
//! [`WORKER_MIN`] weights, or a page where no worker can start (or its module fails to
//! load), has its rows computed on the page's thread, one scheme per tick. Either way the
//! rows are the same, bit for bit.

use std::sync::Arc;

use leptos::prelude::*;
use quantlab_core::weights::compare::{CompareRow, compare_row, standard_schemes};
use quantlab_core::weights::storage::ScaleDtype;

use super::pipeline::WeightOutcome;
use super::state::{WeightState, WeightTensor};
use super::upload;
use crate::worker::JobSlot;

/// The smallest tensor whose table is computed in the worker: a smaller one's table takes
/// a fraction of a second on the page's thread, about what a worker takes to start.
pub const WORKER_MIN: usize = 1 << 19;

/// Where the rows are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// In the page's Web Worker.
    Worker,
    /// On the page's own thread, one scheme per tick.
    Page,
}

impl Engine {
    /// Its name in the page's markup (`data-engine`).
    pub fn id(self) -> &'static str {
        match self {
            Engine::Worker => "worker",
            Engine::Page => "page",
        }
    }
}

/// The comparison of the standard schemes on the tensor.
#[derive(Debug, Clone, Copy)]
pub struct CompareTable {
    /// The rows computed so far.
    pub rows: RwSignal<Vec<CompareRow>>,
    /// How many schemes are done (rows or refusals).
    pub done: RwSignal<usize>,
    /// How many schemes there are.
    pub total: usize,
    /// Whether Cancel stopped the run before its end.
    pub stopped: RwSignal<bool>,
    /// Where the current run computes.
    pub engine: RwSignal<Engine>,
    restart: Trigger,
    slot: JobSlot,
}

impl CompareTable {
    /// Whether a run is under way.
    pub fn running(&self) -> bool {
        !self.stopped.get() && self.done.get() < self.total
    }

    /// Stops the run: the worker leaves it after the row it is on (its later messages are
    /// ignored), the page's loop ends at its next tick, the rows so far stay.
    pub fn cancel(&self) {
        self.halt();
        if self.done.get_untracked() < self.total {
            self.stopped.set(true);
        }
    }

    /// Starts the run again from the first scheme.
    pub fn run_again(&self) {
        self.restart.notify();
    }

    /// Ends the current run, whatever it was doing (signals untouched); the next run's number.
    fn halt(&self) -> u64 {
        self.slot.halt()
    }

    /// Whether `this` is still the current run.
    fn current(&self, this: u64) -> bool {
        self.slot.current(this)
    }

    /// Counts one scheme done: its row, or a refusal.
    fn finish_one(&self, row: Option<CompareRow>) {
        if let Some(row) = row {
            self.rows.update(|rows| rows.push(row));
        }
        self.done.update(|d| *d += 1);
    }

    /// The run on the page's thread, one scheme per tick.
    fn on_page(self, t: Arc<WeightTensor>, dtype: ScaleDtype, this: u64) {
        self.engine.set(Engine::Page);
        wasm_bindgen_futures::spawn_local(async move {
            for named in standard_schemes() {
                upload::tick().await;
                if !self.current(this) {
                    return;
                }
                self.finish_one(compare_row(&t.data, &t.shape, &named, dtype).ok());
            }
        });
    }

    /// The run in the slot's worker; false where none could start.
    #[cfg(target_arch = "wasm32")]
    fn in_worker(self, t: Arc<WeightTensor>, dtype: ScaleDtype, this: u64) -> bool {
        use crate::worker::{field, figures, row_from_figures};
        use wasm_bindgen::JsValue;
        let page = t.clone();
        let fallback = move || {
            self.slot.stop();
            self.on_page(page.clone(), dtype, this);
        };
        let on_message = move |msg: &JsValue| {
            if let Some(index) = field(msg, "index").as_f64() {
                let row = figures(msg, "row").and_then(|f| row_from_figures(index as usize, &f));
                self.finish_one(row);
            }
        };
        let extra = vec![
            ("dtype", dtype.id().into()),
            ("total", JsValue::from_f64(self.total as f64)),
        ];
        let started = self
            .slot
            .start(this, "compare", &t, extra, on_message, fallback);
        if started {
            self.engine.set(Engine::Worker);
        }
        started
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn in_worker(self, _: Arc<WeightTensor>, _: ScaleDtype, _: u64) -> bool {
        false
    }
}

/// The comparison table of the lab; a new tensor, a new scale storage or Run again starts it
/// over.
pub fn compare_table(st: WeightState, tensor: Memo<WeightOutcome<WeightTensor>>) -> CompareTable {
    let table = CompareTable {
        rows: RwSignal::new(Vec::new()),
        done: RwSignal::new(0),
        total: standard_schemes().len(),
        stopped: RwSignal::new(false),
        engine: RwSignal::new(Engine::Worker),
        restart: Trigger::new(),
        slot: JobSlot::new(),
    };
    let dtype_key = Memo::new(move |_| st.state.with(|s| s.scale_dtype));
    Effect::new(move |_| {
        table.restart.track();
        let t = tensor.get();
        let dtype = dtype_key.get();
        let this = table.halt();
        table.rows.set(Vec::new());
        table.done.set(0);
        table.stopped.set(false);
        let Ok(t) = t else { return };
        if t.data.len() < WORKER_MIN || !table.in_worker(t.clone(), dtype, this) {
            table.on_page(t, dtype, this);
        }
    });
    on_cleanup(move || {
        table.halt();
        table.slot.stop();
    });
    table
}
