//! Entry point: install the panic hook and mount the app. Everything else lives in the library.
//! The same module runs in the page's Web Worker (`web/worker.js`), where it mounts nothing
//! and answers through the functions exported below ([`quantlab::worker`]).

use wasm_bindgen::prelude::wasm_bindgen;

fn main() {
    // A panic shows a notice with "reload at this state" (src/panic.rs), not a dead page.
    quantlab::panic::install();
    if web_sys::window().is_none() {
        // In the worker: no page to mount.
        return;
    }
    leptos::mount::mount_to_body(quantlab::app::App);
    // Debug builds only: `?debug_panic=1` panics here, once the page is up.
    quantlab::panic::maybe_debug_panic();
}

/// In the worker: keeps the tensor of the job that follows ([`quantlab::worker::load`]).
#[wasm_bindgen]
pub fn worker_load(data: Vec<f32>, shape: Vec<u32>) {
    quantlab::worker::load(data, &shape);
}

/// In the worker: the figures of one row of the Weight lab's comparison, or the refusal
/// thrown in words ([`quantlab::worker::compare_row`]).
#[wasm_bindgen]
pub fn worker_compare_row(index: usize, dtype: &str) -> Result<Vec<f64>, String> {
    quantlab::worker::compare_row(index, dtype)
}

/// In the worker: the figures of the Weight lab's rotation figure for the state `query`,
/// or the refusal thrown in words ([`quantlab::worker::rotation`]).
#[wasm_bindgen]
pub fn worker_rotation(query: &str) -> Result<Vec<f64>, String> {
    quantlab::worker::rotation(query)
}
