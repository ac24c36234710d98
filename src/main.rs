//! Entry point: install the panic hook and mount the app. Everything else lives in the library.

fn main() {
    // A panic shows a notice with "reload at this state" (src/panic.rs), not a dead page.
    quantlab::panic::install();
    leptos::mount::mount_to_body(quantlab::app::App);
    // Debug builds only: `?debug_panic=1` panics here, once the page is up.
    quantlab::panic::maybe_debug_panic();
}
