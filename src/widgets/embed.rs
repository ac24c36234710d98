//! Embedding a lab in someone else's page: the `embed`, `views` and `controls` link
//! parameters, the height the page reports to its parent, the snippet a course author
//! pastes, and the embed builder that writes it.
//!
//! The parameters belong to the page, not to a lab: they sit beside every lab's own state in
//! the URL and survive the lab rewriting its query ([`crate::url::write_state`] keeps them).
//! - `embed=1` (or `true`): no site header, no navigation, a small "open in quantlab ↗" link.
//! - `views=a,b`: only these figures of the lab (every element tagged `data-view="…"`).
//! - `controls=x,y`: only these controls, named by their `data-testid`; without `controls`,
//!   an embed shows none.
//!
//! Hiding is done by one generated stylesheet ([`hiding_css`]), so a lab opts a figure in by
//! tagging it, and its controls by nothing more than the test ids they already carry.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// The page-level embedding parameters of a link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedParams {
    /// The page is embedded: no header or navigation.
    pub embed: bool,
    /// The figures to show (`None`: every figure).
    pub views: Option<Vec<String>>,
    /// The controls to show (`None`: none when embedded, every one otherwise).
    pub controls: Option<Vec<String>>,
}

/// The link parameters owned by [`EmbedParams`].
pub const PARAMS: [&str; 3] = ["embed", "views", "controls"];

fn id_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .collect()
}

impl EmbedParams {
    /// Reads the parameters from a query string (with or without its `?`); anything else in
    /// the query is ignored, and ids that are not `[A-Za-z0-9-]+` are dropped.
    pub fn from_query(query: &str) -> Self {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut out = EmbedParams::default();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "embed" => out.embed = matches!(v.as_ref(), "1" | "true" | "yes"),
                "views" => out.views = Some(id_list(&v)),
                "controls" => out.controls = Some(id_list(&v)),
                _ => {}
            }
        }
        out
    }

    /// The parameters as query pairs (empty when not embedded), to append to a lab's query.
    pub fn to_query(&self) -> String {
        if !self.embed {
            return String::new();
        }
        let mut ser = form_urlencoded::Serializer::new(String::new());
        ser.append_pair("embed", "1");
        if let Some(v) = &self.views {
            ser.append_pair("views", &v.join(","));
        }
        if let Some(c) = &self.controls {
            ser.append_pair("controls", &c.join(","));
        }
        ser.finish()
    }

    /// Whether the figure `id` is shown.
    pub fn shows_view(&self, id: &str) -> bool {
        !self.embed
            || self
                .views
                .as_ref()
                .is_none_or(|v| v.iter().any(|x| x == id))
    }

    /// Whether the control `id` is shown.
    pub fn shows_control(&self, id: &str) -> bool {
        !self.embed
            || self
                .controls
                .as_ref()
                .is_some_and(|c| c.iter().any(|x| x == id))
    }
}

/// Removes the embedding parameters from a query string (the "open in quantlab" link).
pub fn strip_params(query: &str) -> String {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if !PARAMS.contains(&k.as_ref()) {
            ser.append_pair(&k, &v);
        }
    }
    ser.finish()
}

/// The stylesheet that hides, inside an embed, every figure and control not chosen.
/// Empty when the page is not embedded.
///
/// A figure is any element tagged `data-view="id"`. A control is named by its own
/// `data-testid` (`bits`, `scheme`, …): inside a lab's `.controls` panel everything is hidden
/// except the chosen controls, what contains them (their fieldset and row) and what their row
/// contains (its label text and readout), so no lab needs to tag its controls.
pub fn hiding_css(p: &EmbedParams) -> String {
    if !p.embed {
        return String::new();
    }
    let mut css = String::new();
    if let Some(v) = &p.views {
        let keep: String = v
            .iter()
            .map(|id| format!(":not([data-view=\"{id}\"])"))
            .collect();
        css.push_str(&format!(
            "[data-view]{keep} {{ display: none !important; }}\n"
        ));
    }
    let controls = p.controls.clone().unwrap_or_default();
    if controls.is_empty() {
        css.push_str(".controls { display: none !important; }\n");
    } else {
        let sel = controls
            .iter()
            .map(|id| format!("[data-testid=\"{id}\"]"))
            .collect::<Vec<_>>()
            .join(", ");
        css.push_str(&format!(
            ".controls *:not({sel}):not(:has({sel})):not(:is({sel}) *):not(label:has({sel}) *) \
             {{ display: none !important; }}\n"
        ));
    }
    css
}

/// The HTML a host page pastes: the iframe, and a few lines that set its height from the
/// messages the embedded page sends (so the iframe never shows a scrollbar of its own).
/// `src` is the embed's full address, `title` names it for screen readers.
pub fn snippet(src: &str, title: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    format!(
        "<iframe src=\"{}\" title=\"{}\" data-quantlab-embed loading=\"lazy\" \
style=\"width:100%;height:480px;border:0\"></iframe>\n\
<script>addEventListener(\"message\",function(e){{var d=e.data;\
if(!d||d.type!==\"{HEIGHT_MESSAGE}\")return;\
document.querySelectorAll(\"iframe[data-quantlab-embed]\").forEach(function(f){{\
if(f.contentWindow===e.source)f.style.height=Math.ceil(d.height)+\"px\";}});}});</script>",
        esc(src),
        esc(title)
    )
}

/// The `type` of the message an embedded page posts to its parent with its height.
pub const HEIGHT_MESSAGE: &str = "quantlab:height";

/// The page's embedding parameters, provided once by the app shell.
#[derive(Debug, Clone)]
pub struct EmbedContext(pub StoredValue<EmbedParams>);

/// The current page's embedding parameters (the defaults outside the app shell).
pub fn params() -> EmbedParams {
    use_context::<EmbedContext>()
        .map(|c| c.0.get_value())
        .unwrap_or_default()
}

/// In an iframe, posts the page's content height to the parent now and whenever it changes.
pub fn report_height_to_parent() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if parent == window {
        return;
    }
    let Some(body) = window.document().and_then(|d| d.body()) else {
        return;
    };
    let last = std::cell::Cell::new(-1.0f64);
    let post = move || {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Some(root) = doc.document_element() else {
            return;
        };
        let h = root.get_bounding_client_rect().height().ceil();
        if (h - last.get()).abs() < 1.0 {
            return;
        }
        last.set(h);
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"type".into(), &HEIGHT_MESSAGE.into());
        let _ = js_sys::Reflect::set(&msg, &"height".into(), &h.into());
        let _ = parent.post_message(&msg, "*");
    };
    post();
    let callback = Closure::<dyn FnMut()>::new(post);
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    // The observer lives as long as the page.
    callback.forget();
}

/// Sizes this page's own preview iframes (the embed builder's) from their height messages,
/// as the snippet's script does on a host page.
pub fn listen_for_preview_heights() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
            let data = e.data();
            let kind = js_sys::Reflect::get(&data, &"type".into()).ok();
            if kind.and_then(|k| k.as_string()).as_deref() != Some(HEIGHT_MESSAGE) {
                return;
            }
            let Some(h) = js_sys::Reflect::get(&data, &"height".into())
                .ok()
                .and_then(|h| h.as_f64())
            else {
                return;
            };
            let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
                return;
            };
            let Ok(frames) = doc.query_selector_all("iframe[data-quantlab-embed]") else {
                return;
            };
            for i in 0..frames.length() {
                let Some(frame) = frames
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::HtmlIFrameElement>().ok())
                else {
                    continue;
                };
                let same = match (frame.content_window(), e.source()) {
                    (Some(w), Some(s)) => JsValue::from(w) == JsValue::from(s),
                    _ => false,
                };
                if same {
                    let _ = web_sys::HtmlElement::style(&frame)
                        .set_property("height", &format!("{}px", h.ceil()));
                }
            }
        });
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    on_message.forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_link_is_not_an_embed_and_shows_everything() {
        let p = EmbedParams::from_query("?lab=signal&bits=4");
        assert!(!p.embed);
        assert!(p.shows_view("signal") && p.shows_control("bits"));
        assert_eq!(p.to_query(), "");
        assert_eq!(hiding_css(&p), "");
    }

    #[test]
    fn an_embed_shows_only_the_chosen_views_and_controls() {
        let p = EmbedParams::from_query("lab=weight&embed=1&views=histogram,heatmap&controls=bits");
        assert!(p.embed);
        assert!(p.shows_view("histogram") && p.shows_view("heatmap"));
        assert!(!p.shows_view("packing"));
        assert!(p.shows_control("bits") && !p.shows_control("scheme"));
        let css = hiding_css(&p);
        assert!(
            css.contains(r#"[data-view]:not([data-view="histogram"]):not([data-view="heatmap"])"#)
        );
        assert!(
            css.contains(
                r#".controls *:not([data-testid="bits"]):not(:has([data-testid="bits"]))"#
            )
        );
        assert!(!css.contains(".controls {"));
    }

    #[test]
    fn an_embed_without_controls_hides_the_whole_control_panel() {
        let p = EmbedParams::from_query("embed=true");
        assert!(p.embed && p.shows_view("anything") && !p.shows_control("bits"));
        assert!(hiding_css(&p).contains(".controls { display: none"));
    }

    #[test]
    fn ids_that_could_break_out_of_the_stylesheet_are_dropped() {
        let p = EmbedParams::from_query("embed=1&views=ok,a\"]{},x y,b-2");
        assert_eq!(p.views, Some(vec!["ok".to_string(), "b-2".to_string()]));
    }

    #[test]
    fn the_parameters_round_trip_and_strip_cleanly() {
        let p = EmbedParams::from_query("embed=1&views=a,b&controls=bits");
        assert_eq!(p.to_query(), "embed=1&views=a%2Cb&controls=bits");
        assert_eq!(EmbedParams::from_query(&p.to_query()), p);
        assert_eq!(
            strip_params("?lab=signal&embed=1&bits=4&views=a&controls=bits"),
            "lab=signal&bits=4"
        );
    }

    #[test]
    fn the_snippet_escapes_the_address_and_sizes_the_iframe_from_messages() {
        let s = snippet(
            "https://x.org/q/?lab=signal&embed=1",
            "quantlab: Signal lab",
        );
        assert!(s.contains(r#"src="https://x.org/q/?lab=signal&amp;embed=1""#));
        assert!(s.contains("data-quantlab-embed"));
        assert!(s.contains(HEIGHT_MESSAGE));
        assert!(s.contains("f.contentWindow===e.source"));
    }
}
