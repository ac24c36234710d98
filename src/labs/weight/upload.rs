//! Reading an uploaded file in slices: the header first, then only the bytes of the tensor
//! studied, so a file of any size is listed without loading it into memory.

use quantlab_core::weights::file::{self, FileIndex, PROBE_BYTES, TensorEntry};
use wasm_bindgen_futures::JsFuture;

use super::state::WeightTensor;

/// Bytes `[a, b)` of `file`.
pub async fn read_range(f: &web_sys::File, a: u64, b: u64) -> Result<Vec<u8>, String> {
    let blob = f
        .slice_with_f64_and_f64(a as f64, b as f64)
        .map_err(|_| format!("{} could not be sliced", f.name()))?;
    let buf = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| format!("{} could not be read", f.name()))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Lets the browser paint and handle input before the next chunk of work.
pub async fn tick() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(p).await;
}

/// The header of `f`: its tensors, from two small reads.
pub async fn read_index(f: &web_sys::File) -> Result<FileIndex, String> {
    let len = f.size() as u64;
    let name = f.name();
    let probe = read_range(f, 0, len.min(PROBE_BYTES as u64)).await?;
    let (format, span) =
        file::header_span(&name, &probe, len).map_err(|e| format!("{name}: {e}"))?;
    let head = read_range(f, 0, span).await?;
    file::index(format, &head, len).map_err(|e| format!("{name}: {e}"))
}

/// The studied part of `entry` (the whole tensor, or its first rows).
pub async fn read_tensor(f: &web_sys::File, entry: &TensorEntry) -> Result<WeightTensor, String> {
    let name = f.name();
    let ((a, b), shape) = entry.window().map_err(|e| format!("{name}: {e}"))?;
    let bytes = read_range(f, a, b).await?;
    tick().await;
    let data = file::decode(entry, &shape, &bytes).map_err(|e| format!("{name}: {e}"))?;
    Ok(WeightTensor {
        name: entry.name.clone(),
        shape,
        data,
    })
}
