//! Glue between the browser's location and the labs' serde state.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::labs::Lab;

/// The query string of the current page (with its leading `?`, or empty).
pub fn current_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Reads `T` from the current URL (defaults for anything missing or invalid).
pub fn read_state<T: Serialize + DeserializeOwned + Default>() -> (T, Vec<String>) {
    quantlab_core::url_state::from_query(&current_query())
}

/// The lab named by the `lab` parameter of the current URL ([`Lab::Signal`] when missing or
/// unknown).
pub fn current_lab() -> Lab {
    let q = current_query();
    let q = q.strip_prefix('?').unwrap_or(&q);
    q.split('&')
        .find_map(|kv| kv.strip_prefix("lab="))
        .and_then(Lab::from_id)
        .unwrap_or_default()
}

/// Replaces the URL's query with `lab=<lab>&<state>`, without reloading or adding history.
pub fn write_state<T: Serialize>(lab: Lab, state: &T) {
    let query = format!(
        "{}&{}",
        lab.href(),
        quantlab_core::url_state::to_query(state)
    );
    if let Some(w) = web_sys::window()
        && let Ok(h) = w.history()
    {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&query));
    }
}

/// Parses an enum from its URL id (`"mid-rise"` → `Mode::MidRise`) through serde.
pub fn parse_id<T: DeserializeOwned>(id: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(id.to_string())).ok()
}
