//! What the page does when the app panics: instead of a dead page, a visible message at the
//! top of the page with a "reload at this state" link (the current URL, which holds every
//! control), and the panic in the console as before.
//!
//! The release build aborts on a panic (`panic = "abort"`), so the notice is written with
//! plain DOM calls from the panic hook itself: nothing of the (now stopped) app runs after
//! it. A panic is a bug: bad input gives a message in words and keeps the previous state.
//!
//! Debug builds only: the URL parameter `debug_panic=1` panics on purpose once the page is
//! up ([`debug_panic_requested`]), to check this path (`e2e/tests/panic.test.js` with a
//! debug build; see docs/reliability.md).

/// The notice shown for a panic: its text and the link that reloads the page at its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanicNotice {
    /// What happened, in words.
    pub message: String,
    /// The panic itself (file, line, message), for a bug report.
    pub detail: String,
    /// The URL of the page when it panicked: every control of the lab is in it.
    pub reload_href: String,
}

/// The text of the link.
pub const RELOAD_LABEL: &str = "reload at this state";

/// Longest panic detail shown (a panic message may hold a whole value).
const MAX_DETAIL_CHARS: usize = 400;

/// Builds the notice for a panic described by `detail` on the page at `url`.
pub fn notice(detail: &str, url: &str) -> PanicNotice {
    let mut detail: String = detail.chars().take(MAX_DETAIL_CHARS).collect();
    if detail.chars().count() == MAX_DETAIL_CHARS {
        detail.push('…');
    }
    PanicNotice {
        message: "quantlab hit an internal error and stopped: the page no longer responds. \
                  Your settings are in the address bar; nothing you loaded left this machine."
            .to_string(),
        detail,
        reload_href: url.to_string(),
    }
}

/// Whether `query` asks for a panic on purpose (`debug_panic=1`). Only debug builds act on
/// it ([`install`]); release builds never read it.
pub fn debug_panic_requested(query: &str) -> bool {
    query
        .trim_start_matches('?')
        .split('&')
        .any(|kv| kv == "debug_panic=1")
}

/// Installs the panic hook: the console message (as `console_error_panic_hook` writes it)
/// and the visible notice.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show(&info.to_string());
    }));
}

/// In debug builds, panics on purpose when the URL asks for it (`debug_panic=1`).
#[cfg(debug_assertions)]
pub fn maybe_debug_panic() {
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    if debug_panic_requested(&query) {
        panic!("debug_panic=1: a panic on purpose (debug builds only)");
    }
}

/// Release builds never panic on purpose.
#[cfg(not(debug_assertions))]
pub fn maybe_debug_panic() {}

/// Writes the notice into the page with plain DOM calls (text only, no HTML parsing).
fn show(detail: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let url = window.location().href().unwrap_or_default();
    let n = notice(detail, &url);
    let build = || -> Option<()> {
        let panel = document.create_element("div").ok()?;
        panel.set_attribute("role", "alert").ok()?;
        panel.set_attribute("data-testid", "panic").ok()?;
        panel.set_attribute("class", "panic").ok()?;
        let text = document.create_element("p").ok()?;
        text.set_text_content(Some(&n.message));
        let link = document.create_element("a").ok()?;
        link.set_attribute("href", &n.reload_href).ok()?;
        link.set_attribute("data-testid", "panic-reload").ok()?;
        link.set_text_content(Some(RELOAD_LABEL));
        let detail = document.create_element("pre").ok()?;
        detail.set_attribute("data-testid", "panic-detail").ok()?;
        detail.set_text_content(Some(&n.detail));
        panel.append_child(&text).ok()?;
        panel.append_child(&link).ok()?;
        panel.append_child(&detail).ok()?;
        let body = document.body()?;
        body.insert_before(&panel, body.first_child().as_ref())
            .ok()?;
        Some(())
    };
    let _ = build();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_links_to_the_page_at_its_state_and_says_what_happened() {
        let url = "http://127.0.0.1:8080/?lab=signal&bits=5&scheme=mu-law";
        let n = notice("panicked at src/labs/signal/mod.rs:10:5:\nboom", url);
        assert_eq!(n.reload_href, url);
        assert!(n.message.contains("stopped"), "{}", n.message);
        assert!(n.message.contains("address bar"), "{}", n.message);
        assert_eq!(n.detail, "panicked at src/labs/signal/mod.rs:10:5:\nboom");
        assert_eq!(RELOAD_LABEL, "reload at this state");
    }

    #[test]
    fn a_long_panic_message_is_cut() {
        let n = notice(&"x".repeat(5000), "http://h/");
        assert_eq!(n.detail.chars().count(), MAX_DETAIL_CHARS + 1);
        assert!(n.detail.ends_with('…'));
    }

    #[test]
    fn only_debug_panic_1_asks_for_a_panic() {
        assert!(debug_panic_requested("?lab=signal&debug_panic=1"));
        assert!(debug_panic_requested("debug_panic=1"));
        assert!(!debug_panic_requested("?lab=signal&debug_panic=0"));
        assert!(!debug_panic_requested("?xdebug_panic=1"));
        assert!(!debug_panic_requested(""));
    }
}
