//! The app shell: header, lab switcher, footer.

use leptos::prelude::*;

use crate::labs::Lab;
use crate::labs::memory::MemoryLab;
use crate::labs::mlp::MlpLab;
use crate::labs::signal::SignalLab;
use crate::labs::weight::WeightLab;

/// The whole app: the `lab` parameter of the URL picks the page ([`Lab::Signal`] when missing
/// or unknown).
#[component]
pub fn App() -> impl IntoView {
    let lab = crate::url::current_lab();
    let page = match lab {
        Lab::Memory => view! { <MemoryLab/> }.into_any(),
        Lab::Weight => view! { <WeightLab/> }.into_any(),
        Lab::Mlp => view! { <MlpLab/> }.into_any(),
        Lab::Signal => view! { <SignalLab/> }.into_any(),
    };
    view! {
        <header class="top">
            <h1><a href=Lab::Signal.href()>"quantlab"</a></h1>
            <p class="tagline">"An interactive quantization laboratory. Everything runs in your browser; nothing you load leaves your machine."</p>
            <nav aria-label="Labs">
                {Lab::ALL.map(|l| view! {
                    <a href=l.href() aria-current=(l == lab).then_some("page")>{l.label()}</a>
                })}
            </nav>
        </header>
        <main>
            {page}
        </main>
    }
}
