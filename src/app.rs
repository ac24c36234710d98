//! The app shell: header, lab switcher, footer.

use leptos::prelude::*;

use crate::labs::signal::SignalLab;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let lab = crate::url::current_lab();
    view! {
        <header class="top">
            <h1><a href="?lab=signal">"quantlab"</a></h1>
            <p class="tagline">"An interactive quantization laboratory. Everything runs in your browser; nothing you load leaves your machine."</p>
            <nav aria-label="Labs">
                <a href="?lab=signal" aria-current=move || (lab == "signal").then_some("page")>"Signal lab"</a>
            </nav>
        </header>
        <main>
            <SignalLab/>
        </main>
    }
}
