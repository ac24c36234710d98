//! The app shell: header, lab switcher, footer.

use leptos::prelude::*;

use crate::labs::memory::MemoryLab;
use crate::labs::mlp::MlpLab;
use crate::labs::signal::SignalLab;
use crate::labs::weight::WeightLab;

/// The whole app: the `lab` parameter of the URL picks the page (`signal` when missing or
/// unknown).
#[component]
pub fn App() -> impl IntoView {
    let lab = match crate::url::current_lab().as_str() {
        "memory" => "memory",
        "weight" => "weight",
        "mlp" => "mlp",
        _ => "signal",
    };
    let current = move |id: &'static str| (lab == id).then_some("page");
    let page = match lab {
        "memory" => view! { <MemoryLab/> }.into_any(),
        "weight" => view! { <WeightLab/> }.into_any(),
        "mlp" => view! { <MlpLab/> }.into_any(),
        _ => view! { <SignalLab/> }.into_any(),
    };
    view! {
        <header class="top">
            <h1><a href="?lab=signal">"quantlab"</a></h1>
            <p class="tagline">"An interactive quantization laboratory. Everything runs in your browser; nothing you load leaves your machine."</p>
            <nav aria-label="Labs">
                <a href="?lab=signal" aria-current=current("signal")>"Signal lab"</a>
                <a href="?lab=memory" aria-current=current("memory")>"Memory calculator"</a>
                <a href="?lab=weight" aria-current=current("weight")>"Weight lab"</a>
                <a href="?lab=mlp" aria-current=current("mlp")>"MLP lab"</a>
            </nav>
        </header>
        <main>
            {page}
        </main>
    }
}
