//! What only the browser can say: the adapter's vendor and architecture when WebGPU hides
//! its description (Chromium reports an empty description but `vendor`/`architecture`).

/// What `GPUAdapterInfo` says beyond wgpu's mapping.
#[derive(Debug, Default)]
pub(crate) struct BrowserAdapterInfo {
    /// Vendor, architecture, device and description, whichever are non-empty, joined.
    pub name: String,
    /// `isFallbackAdapter`, where the browser reports it.
    pub is_fallback: Option<bool>,
}

/// The adapter's name and fallback flag from `navigator.gpu.requestAdapter()`'s
/// `GPUAdapterInfo`; empty when there is none.
#[cfg(target_arch = "wasm32")]
pub(crate) async fn adapter_info() -> BrowserAdapterInfo {
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
        return BrowserAdapterInfo::default();
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
    BrowserAdapterInfo {
        name: parts.join(" "),
        is_fallback: get(&info, "isFallbackAdapter").and_then(|v| v.as_bool()),
    }
}

/// Natively wgpu reads everything from the driver.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) async fn adapter_info() -> BrowserAdapterInfo {
    BrowserAdapterInfo::default()
}
