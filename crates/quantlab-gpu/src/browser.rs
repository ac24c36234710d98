//! What only the browser can say: the adapter's vendor and architecture when WebGPU hides
//! its description (Chromium reports an empty description but `vendor`/`architecture`).

/// The adapter's name from `navigator.gpu.requestAdapter()`'s `GPUAdapterInfo` (vendor,
/// architecture, device, description, whichever are non-empty), or an empty string.
#[cfg(target_arch = "wasm32")]
pub(crate) async fn adapter_name() -> String {
    use wasm_bindgen::{JsCast, JsValue};

    fn get(o: &JsValue, key: &str) -> Option<JsValue> {
        js_sys::Reflect::get(o, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    async fn info() -> Option<JsValue> {
        let gpu = get(&get(&js_sys::global(), "navigator")?, "gpu")?;
        let request: js_sys::Function = get(&gpu, "requestAdapter")?.dyn_into().ok()?;
        let promise: js_sys::Promise = request.call0(&gpu).ok()?.dyn_into().ok()?;
        let adapter = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
        get(&adapter, "info")
    }

    let Some(info) = info().await else {
        return String::new();
    };
    let mut parts: Vec<String> = Vec::new();
    for key in ["vendor", "architecture", "device", "description"] {
        if let Some(s) = get(&info, key).and_then(|v| v.as_string()) {
            let s = s.trim().to_string();
            if !s.is_empty() && !parts.contains(&s) {
                parts.push(s);
            }
        }
    }
    parts.join(" ")
}

/// Natively the driver always names the adapter.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) async fn adapter_name() -> String {
    String::new()
}
