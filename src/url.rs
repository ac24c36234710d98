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

/// The query a lab writes: `lab=<lab>&<state>`, then the page's own parameters
/// (`embed`, `views`, `controls` and `lang`) read from `current`, which the lab's state does
/// not hold.
pub fn lab_query(lab: &str, state_query: &str, current: &str) -> String {
    let mut query = format!("?lab={lab}");
    let page = crate::widgets::embed::EmbedParams::from_query(current).to_query();
    let lang = crate::lang::query_pair(current);
    for part in [state_query, page.as_str(), lang.as_str()] {
        if !part.is_empty() {
            query.push('&');
            query.push_str(part);
        }
    }
    query
}

/// Replaces the URL's query with `lab=<lab>&<state>` (keeping the page's embedding
/// parameters), without reloading or adding history.
pub fn write_state<T: Serialize>(lab: Lab, state: &T) {
    let query = lab_query(
        lab.id(),
        &quantlab_core::url_state::to_query(state),
        &current_query(),
    );
    if let Some(w) = web_sys::window()
        && let Ok(h) = w.history()
    {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&query));
    }
    if let Some(CurrentQuery(q)) = leptos::prelude::use_context::<CurrentQuery>() {
        leptos::prelude::Set::set(&q, query);
    }
}

/// Sets one page-level parameter (`lang=pt-BR`) in the URL, keeping every other parameter,
/// without reloading or adding history.
pub fn set_page_param(key: &str, value: &str) {
    let query = with_param(&current_query(), key, value);
    if let Some(w) = web_sys::window()
        && let Ok(h) = w.history()
    {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&query));
    }
    if let Some(CurrentQuery(q)) = leptos::prelude::use_context::<CurrentQuery>() {
        leptos::prelude::Set::set(&q, query);
    }
}

/// `query` (with or without its `?`) with `key` set to `value`: replaced where it is, appended
/// otherwise; the result starts with `?`.
pub fn with_param(query: &str, key: &str, value: &str) -> String {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut ser = form_urlencoded::Serializer::new(String::new());
    let mut seen = false;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k == key {
            if !seen {
                ser.append_pair(key, value);
            }
            seen = true;
        } else {
            ser.append_pair(&k, &v);
        }
    }
    if !seen {
        ser.append_pair(key, value);
    }
    format!("?{}", ser.finish())
}

/// The page's query string as the labs last wrote it, provided by the app shell so that
/// links built from it (the embed's "open in quantlab ↗") follow every change.
#[derive(Debug, Clone, Copy)]
pub struct CurrentQuery(pub leptos::prelude::RwSignal<String>);

/// Parses an enum from its URL id (`"mid-rise"` → `Mode::MidRise`) through serde.
pub fn parse_id<T: DeserializeOwned>(id: &str) -> Option<T> {
    // Through serde_json's Value, whose deserializer the app links anyway: serde's own
    // str deserializer would add about 1 KB of wasm.
    serde_json::from_value(serde_json::Value::String(id.to_string())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lab_keeps_the_pages_embed_parameters_when_it_rewrites_the_query() {
        assert_eq!(
            lab_query(
                "signal",
                "bits=4",
                "?lab=signal&bits=3&embed=1&controls=bits"
            ),
            "?lab=signal&bits=4&embed=1&controls=bits"
        );
        assert_eq!(lab_query("memory", "", "?lab=memory"), "?lab=memory");
    }

    #[test]
    fn an_enum_is_parsed_from_its_url_id_and_an_unknown_id_is_none() {
        use quantlab_core::quant::types::Mode;
        assert_eq!(parse_id::<Mode>("mid-rise"), Some(Mode::MidRise));
        assert_eq!(parse_id::<Mode>("asym-float"), Some(Mode::AsymFloat));
        assert_eq!(parse_id::<Mode>("midrise"), None);
        assert_eq!(parse_id::<Mode>(""), None);
    }

    #[test]
    fn a_lab_keeps_the_pages_language_when_it_rewrites_the_query() {
        assert_eq!(
            lab_query("memory", "dtype=int4", "?lab=memory&lang=pt-BR&dtype=fp16"),
            "?lab=memory&dtype=int4&lang=pt-BR"
        );
        assert_eq!(
            lab_query("memory", "dtype=int4", "?lab=memory&embed=1&lang=pt-BR"),
            "?lab=memory&dtype=int4&embed=1&lang=pt-BR"
        );
        assert_eq!(lab_query("memory", "", "?lang=xx"), "?lab=memory");
    }

    #[test]
    fn a_page_parameter_is_replaced_in_place_or_appended() {
        assert_eq!(
            with_param("?lab=weight&lang=en&bits=4", "lang", "pt-BR"),
            "?lab=weight&lang=pt-BR&bits=4"
        );
        assert_eq!(
            with_param("lab=weight", "lang", "en"),
            "?lab=weight&lang=en"
        );
        assert_eq!(with_param("", "lang", "en"), "?lang=en");
    }
}
